/*
 * verify.c: chain verification, CRL revocation and stapled OCSP (see
 * verify.h for what "as sent" and "incomplete" mean).  One X509_STORE is
 * built at start-up and only read afterwards; each call makes its own
 * X509_STORE_CTX, so threads may share a verify_ctx.
 */
#include "scanner/verify.h"

#include "scanner/cert.h"
#include "scanner/certlite.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "scanner/hostname.h"
#include "scanner/xmem.h"

/* Clock skew tolerated on an OCSP response's thisUpdate/nextUpdate. */
#define OCSP_SLACK	300

/*
 * Issuer names that neither the store nor the pool holds.  A sweep of one
 * private CA's servers then asks the hashed directory once instead of once
 * per endpoint (a failed lookup costs a name decode and a stat(2)).  The
 * store is only read after start-up, so an answer stays true for the run.
 * Direct-mapped by a hash of the DER name; the worker threads share it
 * under a lock.
 */
#define MISS_SLOTS	64
#define MISS_NAME_MAX	256

struct miss_cache {
	pthread_mutex_t	 lock;
	struct {
		size_t	 len;		/* 0: empty */
		uint8_t	 name[MISS_NAME_MAX];
	} slot[MISS_SLOTS];
};

struct verify_ctx {
	X509_STORE	*store;
	STACK_OF(X509)	*pool;		/* intermediates, never anchors */
	bool		 has_crls;
	int64_t		 at;
	struct miss_cache *miss;
};

static const char *const ocsp_status_names[] = {
	[OCSP_GOOD] = "good",
	[OCSP_REVOKED] = "revoked",
	[OCSP_UNKNOWN] = "unknown",
	[OCSP_INVALID] = "invalid",
};
_Static_assert(sizeof(ocsp_status_names) / sizeof(ocsp_status_names[0]) ==
    OCSP__MAX, "every OCSP status has a name");

const char *
ocsp_status_name(enum ocsp_status s)
{
	if ((unsigned)s >= OCSP__MAX)
		return NULL;
	return ocsp_status_names[s];
}

/* Every certificate of a PEM file onto *sk; -1 when none or unreadable. */
static int
load_pem_certs(const char *path, STACK_OF(X509) *sk, char *err,
    size_t errlen)
{
	BIO	*bio;
	X509	*x;
	int	 n = 0;

	if ((bio = BIO_new_file(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open", path);
		return -1;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		sk_X509_push(sk, x);
		n++;
	}
	ERR_clear_error();
	BIO_free(bio);
	if (n == 0) {
		snprintf(err, errlen, "%s: no PEM certificate in it", path);
		return -1;
	}
	return 0;
}

/* Self-signed roots of ca_file are anchors; the rest go to the pool. */
static int
load_ca_file(struct verify_ctx *v, const char *path, char *err,
    size_t errlen)
{
	STACK_OF(X509)	*sk = sk_X509_new_null();
	int		 rc = -1;

	if (load_pem_certs(path, sk, err, errlen) == -1)
		goto out;
	while (sk_X509_num(sk) > 0) {
		X509 *x = sk_X509_shift(sk);

		if (X509_self_signed(x, 0) == 1) {
			X509_STORE_add_cert(v->store, x);
			X509_free(x);
		} else
			sk_X509_push(v->pool, x);
	}
	rc = 0;
out:
	sk_X509_pop_free(sk, X509_free);
	return rc;
}

static int
load_crl(X509_STORE *store, const char *path, char *err, size_t errlen)
{
	BIO		*bio;
	X509_CRL	*crl;

	if ((bio = BIO_new_file(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: cannot open", path);
		return -1;
	}
	crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
	if (crl == NULL) {
		ERR_clear_error();
		(void)BIO_reset(bio);
		crl = d2i_X509_CRL_bio(bio, NULL);
	}
	BIO_free(bio);
	if (crl == NULL) {
		ERR_clear_error();
		snprintf(err, errlen, "%s: not a CRL (PEM or DER)", path);
		return -1;
	}
	X509_STORE_add_crl(store, crl);
	X509_CRL_free(crl);
	return 0;
}

/*
 * The system's roots.  X509_STORE_set_default_paths() would add OpenSSL
 * 3's "store" lookup, which lists the certificate directory again for
 * every issuer it cannot find: eight getdents64 per endpoint of a private
 * CA.  The hashed directory alone costs one stat per lookup and loads only
 * the roots that are used; reading Debian's whole bundle up front would
 * cost ~50 ms of start-up.  The bundle file is the fallback when there is
 * no directory.  SSL_CERT_FILE and SSL_CERT_DIR are honoured.
 */
static int
load_system_store(X509_STORE *store, char *err, size_t errlen)
{
	const char *file = getenv(X509_get_default_cert_file_env());
	const char *dir = getenv(X509_get_default_cert_dir_env());
	struct stat st;

	if (file == NULL)
		file = X509_get_default_cert_file();
	if (dir == NULL)
		dir = X509_get_default_cert_dir();
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	    X509_STORE_load_path(store, dir) == 1)
		return 0;
	ERR_clear_error();
	if (X509_STORE_load_file(store, file) == 1)
		return 0;
	ERR_clear_error();
	snprintf(err, errlen, "cannot load the system trust store (%s or %s);"
	    " install ca-certificates or give --ca-file", dir, file);
	return -1;
}

struct verify_ctx *
verify_ctx_new(const struct verify_opts *o, char *err, size_t errlen)
{
	struct verify_ctx *v = xcalloc(1, sizeof(*v));

	v->store = X509_STORE_new();
	v->pool = sk_X509_new_null();
	v->at = o->at;
	v->miss = xcalloc(1, sizeof(*v->miss));
	pthread_mutex_init(&v->miss->lock, NULL);
	if (v->store == NULL || v->pool == NULL) {
		snprintf(err, errlen, "out of memory for the trust store");
		goto fail;
	}
	if (o->system_store && load_system_store(v->store, err,
	    errlen) == -1)
		goto fail;
	if (o->ca_file != NULL &&
	    load_ca_file(v, o->ca_file, err, errlen) == -1)
		goto fail;
	if (o->ca_dir != NULL && X509_STORE_load_path(v->store,
	    o->ca_dir) != 1) {
		snprintf(err, errlen, "%s: not a usable CA directory",
		    o->ca_dir);
		goto fail;
	}
	for (size_t i = 0; i < o->npool_files; i++)
		if (load_pem_certs(o->pool_files[i], v->pool, err,
		    errlen) == -1)
			goto fail;
	for (size_t i = 0; i < o->ncrl_files; i++) {
		if (load_crl(v->store, o->crl_files[i], err, errlen) == -1)
			goto fail;
		v->has_crls = true;
	}
	return v;
fail:
	ERR_clear_error();
	verify_ctx_free(v);
	return NULL;
}

void
verify_ctx_free(struct verify_ctx *v)
{
	if (v == NULL)
		return;
	X509_STORE_free(v->store);
	sk_X509_pop_free(v->pool, X509_free);
	if (v->miss != NULL)
		pthread_mutex_destroy(&v->miss->lock);
	free(v->miss);
	free(v);
}

bool
verify_ctx_has_crls(const struct verify_ctx *v)
{
	return v->has_crls;
}

int64_t
verify_ctx_at(const struct verify_ctx *v)
{
	return v->at;
}

static int64_t
when(const struct verify_ctx *v, int64_t at)
{
	if (at != 0)
		return at;
	if (v->at != 0)
		return v->at;
	return (int64_t)time(NULL);
}

/*
 * Records every error; lets verification go on past the ones other rules
 * report (dates, host name, revocation, missing CRLs) so trust_code is
 * about the path alone.
 */
static int
verify_cb(int ok, X509_STORE_CTX *sctx)
{
	struct verify_result *r = X509_STORE_CTX_get_app_data(sctx);
	int	 err = X509_STORE_CTX_get_error(sctx);
	int	 depth = X509_STORE_CTX_get_error_depth(sctx);

	if (ok)
		return 1;
	switch (err) {
	case X509_V_ERR_UNABLE_TO_GET_CRL:
	case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
	case X509_V_ERR_CRL_HAS_EXPIRED:
	case X509_V_ERR_CRL_NOT_YET_VALID:
		/* revocation unknown for this one; not a verdict */
		r->crl_missing = true;
		return 1;
	default:
		break;
	}
	if (r->code == X509_V_OK) {
		r->code = err;
		r->depth = depth;
	}
	switch (err) {
	case X509_V_ERR_CERT_NOT_YET_VALID:
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return 1;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		r->name_mismatch = true;
		return 1;
	case X509_V_ERR_CERT_REVOKED:
		if (!r->revoked) {
			r->revoked = true;
			r->revoked_depth = depth;
		}
		return 1;
	default:
		break;
	}
	if (r->trust_code == X509_V_OK) {
		r->trust_code = err;
		r->trust_depth = depth;
	}
	return 0;
}

static void
spki_sha256(X509 *x, uint8_t out[32])
{
	unsigned char	*der = NULL;
	int		 len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);

	memset(out, 0, 32);
	if (len > 0)
		EVP_Digest(der, (size_t)len, out, NULL, EVP_sha256(), NULL);
	OPENSSL_free(der);
}

static void
name_rfc2253(const X509_NAME *name, char *out, size_t outlen)
{
	BIO	*bio = BIO_new(BIO_s_mem());
	int	 n;

	out[0] = '\0';
	if (bio == NULL)
		return;
	if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0 &&
	    (n = BIO_read(bio, out, (int)outlen - 1)) > 0)
		out[n] = '\0';
	BIO_free(bio);
}

/* What the built path says: length, the leaf's issuer, the anchor. */
static void
record_path(X509_STORE_CTX *sctx, struct verify_result *r)
{
	STACK_OF(X509)	*path = X509_STORE_CTX_get0_chain(sctx);
	int		 n = sk_X509_num(path);

	r->path_len = n > 0 ? (size_t)n : 0;
	if (n >= 2) {
		spki_sha256(sk_X509_value(path, 1), r->issuer_spki_sha256);
		r->has_issuer_spki = true;
	}
	if (n >= 1 && r->trust_code == X509_V_OK)
		name_rfc2253(X509_get_subject_name(sk_X509_value(path, n - 1)),
		    r->anchor, sizeof(r->anchor));
}

static void
result_init(struct verify_result *r)
{
	memset(r, 0, sizeof(*r));
	r->code = X509_V_OK;
	r->trust_code = X509_V_OK;
	r->depth = -1;
	r->trust_depth = -1;
	r->revoked_depth = -1;
}

/* One X509_verify_cert() run; -1 only when OpenSSL itself failed. */
static int
run_pass(const struct verify_ctx *v, X509 *leaf, STACK_OF(X509) *untrusted,
    const char *host, int64_t t, struct verify_result *r)
{
	X509_STORE_CTX	*sctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *p;
	int		 rc = -1;

	result_init(r);
	if (sctx == NULL ||
	    X509_STORE_CTX_init(sctx, v->store, leaf, untrusted) != 1)
		goto out;
	p = X509_STORE_CTX_get0_param(sctx);
	X509_VERIFY_PARAM_set_time(p, (time_t)t);
	X509_VERIFY_PARAM_clear_flags(p, X509_V_FLAG_PARTIAL_CHAIN);
	if (v->has_crls)
		X509_VERIFY_PARAM_set_flags(p, X509_V_FLAG_CRL_CHECK |
		    X509_V_FLAG_CRL_CHECK_ALL);
	if (host != NULL && host[0] != '\0') {
		if (hostname_is_ip(host, NULL, NULL))
			X509_VERIFY_PARAM_set1_ip_asc(p, host);
		else
			X509_VERIFY_PARAM_set1_host(p, host, 0);
	}
	X509_STORE_CTX_set_app_data(sctx, r);
	X509_STORE_CTX_set_verify_cb(sctx, verify_cb);
	if (X509_verify_cert(sctx) < 0 && r->code == X509_V_OK)
		goto out;
	record_path(sctx, r);
	str_copy(r->reason, sizeof(r->reason),
	    X509_verify_cert_error_string(r->code));
	rc = 0;
out:
	X509_STORE_CTX_free(sctx);
	ERR_clear_error();
	return rc;
}

static X509 *
x509_from_record(const struct cert_record *rec)
{
	return cert_record_x509(rec);
}

static bool
is_missing_issuer(long code)
{
	return code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	    code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT;
}

/*
 * The shortcut: most scanned chains lead to no anchor we have (a private
 * CA), and OpenSSL then stops in build_chain() with
 * X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY at the top of what it could
 * chain; nothing after chain building runs (no time, host or CRL check),
 * and the intermediate pool changes nothing when it holds no issuer
 * either.  That can be decided from names alone, without decoding a
 * certificate: walk the chain as build_chain() does (trusted-first: the
 * store is asked for every certificate's issuer; then the certificates
 * sent), and give up - the full path decides - whenever the walk is not
 * certain to be OpenSSL's: a self-issued certificate (18/19 territory), two
 * candidates for one issuer (OpenSSL picks by validity dates), a key
 * identifier naming the issuer by name and serial, a record that did not
 * come from the lite parser (its key or extensions may be unusable).
 */
struct walk {
	const struct verify_ctx	*v;
	const struct cert_record *chain;
	size_t			 n;
	X509_STORE_CTX		*sctx;
	struct certlite_link	 k[CHAIN_MAX];
	size_t			 path[CHAIN_MAX];
	size_t			 len;
};

/* EVP_PKEY_get_base_id() of the keys the lite parser vouches for. */
static int
key_base_id(const char *key_type)
{
	static const struct {
		const char	*name;
		int		 id;
	} t[] = {
		{ "RSA", EVP_PKEY_RSA }, { "EC", EVP_PKEY_EC },
		{ "DSA", EVP_PKEY_DSA }, { "Ed25519", EVP_PKEY_ED25519 },
		{ "Ed448", EVP_PKEY_ED448 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(key_type, t[i].name) == 0)
			return t[i].id;
	return NID_undef;
}

/*
 * ossl_x509_likely_issued() once the names match: X509_check_akid() and
 * the signature algorithm against the issuer's key.  1 issued, 0 not,
 * -1 unsure.
 */
static int
likely_issued(const struct cert_record *issuer,
    const struct certlite_link *ik, const struct certlite_link *sk)
{
	int signer = key_base_id(issuer->key_type), pknid = NID_undef;

	if (signer == NID_undef || sk->aki_names)
		return -1;
	if (sk->keyid.tag != 0 && ik->ski.tag != 0 &&
	    (sk->keyid.len != ik->ski.len ||
	    memcmp(sk->keyid.val, ik->ski.val, ik->ski.len) != 0))
		return 0;
	if (OBJ_find_sigid_algs(sk->tbs_sig_nid, NULL, &pknid) == 0)
		return 0;
	return signer == EVP_PKEY_type(pknid) ||
	    (signer == EVP_PKEY_RSA && pknid == NID_rsassaPss);
}

static size_t
miss_slot(const uint8_t *name, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ name[i]) * 0x100000001b3ULL;
	return (size_t)(h % MISS_SLOTS);
}

/* Is name (DER) a remembered miss?  With remember, makes it one. */
static bool
miss_cache_has(struct miss_cache *m, const uint8_t *name, size_t len,
    bool remember)
{
	size_t	 i = miss_slot(name, len);
	bool	 hit;

	if (len == 0 || len > MISS_NAME_MAX)
		return false;
	pthread_mutex_lock(&m->lock);
	hit = m->slot[i].len == len && memcmp(m->slot[i].name, name, len) == 0;
	if (remember && !hit) {
		memcpy(m->slot[i].name, name, len);
		m->slot[i].len = len;
	}
	pthread_mutex_unlock(&m->lock);
	return hit;
}

/* Might the store (hashed directory included) or the pool hold k's
 * issuer?  0 only when certainly not. */
static int
issuer_known(struct walk *w, const struct certlite_link *k)
{
	const unsigned char *q = k->p.issuer.tlv;
	size_t		 len = k->p.issuer.tlv_len;
	X509_NAME	*name;
	X509_OBJECT	*obj = NULL;
	int		 known = 1;

	if (miss_cache_has(w->v->miss, q, len, false))
		return 0;
	if ((name = d2i_X509_NAME(NULL, &q, (long)len)) == NULL)
		return 1;
	if (w->sctx == NULL && ((w->sctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(w->sctx, w->v->store, NULL, NULL) != 1)) {
		X509_NAME_free(name);
		return 1;
	}
	obj = X509_STORE_CTX_get_obj_by_subject(w->sctx, X509_LU_X509, name);
	if (obj == NULL) {
		known = 0;
		for (int i = 0; i < sk_X509_num(w->v->pool) && !known; i++)
			known = X509_NAME_cmp(X509_get_subject_name(
			    sk_X509_value(w->v->pool, i)), name) == 0;
	}
	if (!known)
		(void)miss_cache_has(w->v->miss, k->p.issuer.tlv, len, true);
	X509_OBJECT_free(obj);
	X509_NAME_free(name);
	return known;
}

/* build_chain() by names: 0 when it ends without an anchor, -1 unsure. */
static int
walk_chain(struct walk *w)
{
	bool	 used[CHAIN_MAX] = { true };
	size_t	 cur = 0, cand;
	int	 r;

	w->path[w->len++] = 0;
	for (;;) {
		const struct certlite_link *k = &w->k[cur];

		if (certlite_name_cmp(&k->p.subject, &k->p.issuer) != 1 ||
		    issuer_known(w, k) != 0)
			return -1;
		cand = SIZE_MAX;
		for (size_t j = 1; j < w->n; j++) {
			if (used[j])
				continue;
			r = certlite_name_cmp(&w->k[j].p.subject,
			    &k->p.issuer);
			if (r == -1 || (r == 0 && cand != SIZE_MAX))
				return -1;
			if (r == 0)
				cand = j;
		}
		if (cand == SIZE_MAX)
			return 0;
		if ((r = likely_issued(&w->chain[cand], &w->k[cand], k)) != 1)
			return r;
		used[cand] = true;
		w->path[w->len++] = cand;
		cur = cand;
	}
}

int
verify_chain_names(const struct verify_ctx *v,
    const struct cert_record *chain, size_t n, struct verify_result *res)
{
	struct walk	*w;
	int		 rc = -1;

	if (n == 0 || n > CHAIN_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (chain[i].x509 != NULL || chain[i].der == NULL)
			return -1;
	/* Not zeroed: 9 KiB of which a chain uses its own few links. */
	w = xmalloc(sizeof(*w));
	w->v = v;
	w->chain = chain;
	w->n = n;
	w->sctx = NULL;
	w->len = 0;
	for (size_t i = 0; i < n; i++)
		if (certlite_rec_link(&chain[i], &w->k[i]) == -1)
			goto out;
	if (walk_chain(w) == -1)
		goto out;
	result_init(res);
	res->code = res->trust_code =
	    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
	res->depth = res->trust_depth = (int)w->len - 1;
	res->path_len = w->len;
	if (w->len >= 2) {
		memcpy(res->issuer_spki_sha256, chain[w->path[1]].spki_sha256,
		    sizeof(res->issuer_spki_sha256));
		res->has_issuer_spki = true;
	}
	str_copy(res->reason, sizeof(res->reason),
	    X509_verify_cert_error_string(res->code));
	rc = 0;
out:
	X509_STORE_CTX_free(w->sctx);
	free(w);
	ERR_clear_error();
	return rc;
}

int
verify_chain(const struct verify_ctx *v, const struct cert_record *chain,
    size_t n, const char *host, int64_t at, struct verify_result *res)
{

	X509		*leaf = NULL;
	STACK_OF(X509)	*sent = sk_X509_new_null();
	struct verify_result completed;
	int64_t		 t = when(v, at);
	int		 rc = -1;

	if (verify_chain_names(v, chain, n, res) == 0) {
		sk_X509_free(sent);
		return 0;
	}
	result_init(res);
	if (n == 0 || sent == NULL || (leaf = x509_from_record(&chain[0])) ==
	    NULL) {
		snprintf(res->reason, sizeof(res->reason),
		    n == 0 ? "no certificate" : "leaf does not parse");
		goto out;
	}
	for (size_t i = 1; i < n; i++) {
		X509 *x = x509_from_record(&chain[i]);

		if (x == NULL) {
			snprintf(res->reason, sizeof(res->reason),
			    "certificate %zu does not parse", i);
			goto out;
		}
		sk_X509_push(sent, x);
	}
	if (run_pass(v, leaf, sent, host, t, res) == -1) {
		snprintf(res->reason, sizeof(res->reason),
		    "verification could not run");
		goto out;
	}
	rc = 0;
	if (!is_missing_issuer(res->trust_code) || sk_X509_num(v->pool) == 0)
		goto out;
	for (int i = 0; i < sk_X509_num(v->pool); i++)
		sk_X509_push(sent, X509_dup(sk_X509_value(v->pool, i)));
	if (run_pass(v, leaf, sent, host, t, &completed) == 0 &&
	    completed.trust_code == X509_V_OK) {
		res->incomplete_chain = true;
		res->path_len = completed.path_len;
		res->has_issuer_spki = completed.has_issuer_spki;
		memcpy(res->issuer_spki_sha256, completed.issuer_spki_sha256,
		    sizeof(res->issuer_spki_sha256));
		memcpy(res->anchor, completed.anchor, sizeof(res->anchor));
	}
out:
	sk_X509_pop_free(sent, X509_free);
	X509_free(leaf);
	ERR_clear_error();
	return rc;
}

/*
 * The leaf's issuer for OCSP: a certificate the server sent, then the
 * pool, then the trust store.  Returns a new reference or NULL.
 */
static X509 *
find_issuer(const struct verify_ctx *v, X509 *leaf, STACK_OF(X509) *sent)
{
	X509_STORE_CTX	*sctx;
	X509		*issuer = NULL;

	for (int i = 0; i < sk_X509_num(sent); i++)
		if (X509_check_issued(sk_X509_value(sent, i), leaf) ==
		    X509_V_OK) {
			X509_up_ref(sk_X509_value(sent, i));
			return sk_X509_value(sent, i);
		}
	for (int i = 0; i < sk_X509_num(v->pool); i++)
		if (X509_check_issued(sk_X509_value(v->pool, i), leaf) ==
		    X509_V_OK) {
			X509_up_ref(sk_X509_value(v->pool, i));
			return sk_X509_value(v->pool, i);
		}
	if ((sctx = X509_STORE_CTX_new()) == NULL)
		return NULL;
	if (X509_STORE_CTX_init(sctx, v->store, leaf, NULL) != 1 ||
	    X509_STORE_CTX_get1_issuer(&issuer, sctx, leaf) != 1)
		issuer = NULL;
	X509_STORE_CTX_free(sctx);
	return issuer;
}

struct x509_st *
verify_leaf_issuer(const struct verify_ctx *v, const struct cert_record *chain,
    size_t n)
{
	STACK_OF(X509)	*sent = sk_X509_new_null();
	X509		*leaf = NULL, *issuer = NULL;

	if (n == 0 || sent == NULL ||
	    (leaf = x509_from_record(&chain[0])) == NULL)
		goto out;
	for (size_t i = 1; i < n; i++) {
		X509 *x = x509_from_record(&chain[i]);

		if (x != NULL && sk_X509_push(sent, x) == 0)
			X509_free(x);
	}
	issuer = find_issuer(v, leaf, sent);
out:
	X509_free(leaf);
	sk_X509_pop_free(sent, X509_free);
	ERR_clear_error();
	return issuer;
}

static int64_t
asn1_time_unix(const ASN1_GENERALIZEDTIME *t)
{
	struct tm	 tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return (int64_t)timegm(&tm);
}

/*
 * Was the response signed by the issuer, or by a responder the issuer
 * delegated to, at time t?  A store holding only the issuer as a
 * (partial-chain) anchor makes OpenSSL's own responder checks apply; the
 * issuer's trust is verify_chain()'s business.
 */
static bool
is_signed_by_issuer(OCSP_BASICRESP *bs, X509 *issuer, STACK_OF(X509) *sent,
    int64_t t)
{
	X509_STORE	*st = X509_STORE_new();
	bool		 ok = false;

	if (st == NULL)
		return false;
	X509_STORE_add_cert(st, issuer);
	X509_VERIFY_PARAM_set_flags(X509_STORE_get0_param(st),
	    X509_V_FLAG_PARTIAL_CHAIN);
	X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(st), (time_t)t);
	ok = OCSP_basic_verify(bs, sent, st, 0) == 1;
	X509_STORE_free(st);
	return ok;
}

/* Fills status and times from the single response about leaf. */
static void
ocsp_read_status(OCSP_BASICRESP *bs, X509 *leaf, X509 *issuer, int64_t t,
    struct ocsp_result *res)
{
	const EVP_MD	*mds[] = { EVP_sha1(), EVP_sha256() };
	ASN1_GENERALIZEDTIME *rev = NULL, *thisupd = NULL, *nextupd = NULL;
	int		 status = -1, reason;

	for (size_t i = 0; i < sizeof(mds) / sizeof(mds[0]) && status < 0;
	    i++) {
		OCSP_CERTID *id = OCSP_cert_to_id(mds[i], leaf, issuer);

		if (id == NULL || OCSP_resp_find_status(bs, id, &status,
		    &reason, &rev, &thisupd, &nextupd) != 1)
			status = -1;
		OCSP_CERTID_free(id);
	}
	if (status < 0) {
		snprintf(res->reason, sizeof(res->reason),
		    "response is not about this certificate");
		return;
	}
	res->this_update = asn1_time_unix(thisupd);
	res->next_update = asn1_time_unix(nextupd);
	res->fresh = res->this_update <= t + OCSP_SLACK &&
	    (res->next_update == 0 || t <= res->next_update + OCSP_SLACK);
	if (status == V_OCSP_CERTSTATUS_GOOD)
		res->status = OCSP_GOOD;
	else if (status == V_OCSP_CERTSTATUS_REVOKED) {
		res->status = OCSP_REVOKED;
		res->revoked_at = asn1_time_unix(rev);
	} else
		res->status = OCSP_UNKNOWN;
	snprintf(res->reason, sizeof(res->reason), "%s%s",
	    ocsp_status_name(res->status), res->fresh ? "" :
	    res->this_update > t + OCSP_SLACK ? ", not yet valid" :
	    ", stale (past nextUpdate)");
}

int
verify_ocsp_response(const struct verify_ctx *v, const uint8_t *der,
    size_t len, const struct cert_record *chain, size_t n, int64_t at,
    struct ocsp_result *res)
{
	const unsigned char *p = der;
	OCSP_RESPONSE	*resp = NULL;
	OCSP_BASICRESP	*bs = NULL;
	STACK_OF(X509)	*sent = sk_X509_new_null();
	X509		*leaf = NULL, *issuer = NULL;
	int64_t		 t = when(v, at);
	int		 rc = -1;

	memset(res, 0, sizeof(*res));
	res->status = OCSP_INVALID;
	if (len > LONG_MAX ||
	    (resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len)) == NULL) {
		snprintf(res->reason, sizeof(res->reason),
		    "not an OCSP response");
		goto out;
	}
	rc = 0;
	if (OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		snprintf(res->reason, sizeof(res->reason), "responder says %s",
		    OCSP_response_status_str(OCSP_response_status(resp)));
		goto out;
	}
	if (n == 0 || sent == NULL ||
	    (bs = OCSP_response_get1_basic(resp)) == NULL ||
	    (leaf = x509_from_record(&chain[0])) == NULL) {
		snprintf(res->reason, sizeof(res->reason),
		    "no basic response or no leaf certificate");
		goto out;
	}
	for (size_t i = 1; i < n; i++) {
		X509 *x = x509_from_record(&chain[i]);

		if (x != NULL)
			sk_X509_push(sent, x);
	}
	if ((issuer = find_issuer(v, leaf, sent)) == NULL) {
		snprintf(res->reason, sizeof(res->reason),
		    "issuer of the certificate not available");
		goto out;
	}
	if (!is_signed_by_issuer(bs, issuer, sent, t)) {
		snprintf(res->reason, sizeof(res->reason), "signature does not "
		    "verify or responder not authorised by the issuer");
		goto out;
	}
	ocsp_read_status(bs, leaf, issuer, t, res);
out:
	X509_free(issuer);
	X509_free(leaf);
	sk_X509_pop_free(sent, X509_free);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	ERR_clear_error();
	return rc;
}
