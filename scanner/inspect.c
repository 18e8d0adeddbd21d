/*
 * inspect.c: certificates, chains, PKCS#12 and CSRs from files into an
 * observation (see inspect.h).  The format is recognised from the bytes,
 * not the file name: PEM by its armour lines, DER by trying certificate,
 * PKCS#12 and CSR in turn.  OpenSSL's password prompt is never reached:
 * every PEM read gets our callback, which only knows the environment
 * variable named in the options.
 */
#include "scanner/inspect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "scanner/cert.h"
#include "scanner/hostname.h"
#include "scanner/policy.h"
#include "scanner/xmem.h"

struct ictx {
	const char		*path;
	const struct inspect_opts *o;
	const struct policy	*pol;
	struct observation	*obs;
	struct inspect_info	 info;
	const char		*pass;	/* from the environment, or NULL */
	char			*err;
	size_t			 errlen;
};

static int
fail(struct ictx *c, const char *what)
{
	unsigned long	 e = ERR_peek_last_error();
	char		 ossl[160] = "";

	if (e != 0)
		ERR_error_string_n(e, ossl, sizeof(ossl));
	snprintf(c->err, c->errlen, "%s: %s%s%s", c->path, what,
	    ossl[0] != '\0' ? " (" : "", ossl[0] != '\0' ? ossl : "");
	if (ossl[0] != '\0')
		strncat(c->err, ")", c->errlen - strlen(c->err) - 1);
	ERR_clear_error();
	return -1;
}

/* PEM password callback: the environment's password or nothing. */
static int
pem_pass(char *buf, int size, int rwflag, void *u)
{
	const char	*pass = u;
	size_t		 len;

	(void)rwflag;
	if (pass == NULL || size <= 0)
		return -1;
	len = strlen(pass);
	if (len > (size_t)size)
		return -1;
	memcpy(buf, pass, len);
	return (int)len;
}

static int
read_file(struct ictx *c, uint8_t **data, size_t *len)
{
	FILE	*f = fopen(c->path, "rb");
	size_t	 cap = 64 * 1024, n = 0, r;
	uint8_t	*buf;

	if (f == NULL)
		return fail(c, "cannot open");
	buf = xmalloc(cap);
	while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			if (cap >= INSPECT_MAX_FILE) {
				fclose(f);
				free(buf);
				return fail(c, "larger than 16 MiB");
			}
			cap *= 2;
			buf = xreallocarray(buf, cap, 1);
		}
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return fail(c, "read error");
	}
	fclose(f);
	*data = buf;
	*len = n;
	return 0;
}

static int
add_cert(struct ictx *c, X509 *x)
{
	struct observation *o = c->obs;
	unsigned char	*der = NULL;
	int		 len;

	if (o->chain_len == CHAIN_MAX) {
		c->info.dropped++;
		return 0;
	}
	if ((len = i2d_X509(x, &der)) <= 0)
		return fail(c, "certificate does not encode");
	if (o->chain == NULL)
		o->chain = xcalloc(CHAIN_MAX, sizeof(*o->chain));
	if (cert_record_from_der(&o->chain[o->chain_len], der,
	    (size_t)len) == -1) {
		OPENSSL_free(der);
		return fail(c, "certificate does not parse");
	}
	o->chain_len++;
	OPENSSL_free(der);
	return 0;
}

/* Compares a private key with the leaf; the key is freed by the caller. */
static void
check_key(struct ictx *c, EVP_PKEY *key)
{
	const unsigned char *p;
	X509	*leaf;

	if (c->obs->chain_len == 0 || key == NULL)
		return;
	p = c->obs->chain[0].der;
	leaf = d2i_X509(NULL, &p, (long)c->obs->chain[0].der_len);
	if (leaf == NULL)
		return;
	c->info.key_checked = true;
	c->info.key_matches = EVP_PKEY_eq(X509_get0_pubkey(leaf), key) == 1;
	if (!c->info.key_matches)
		policy_finding_add(c->obs, c->pol, "cert.key_mismatch", 0,
		    "the private key given is not the certificate's key");
	X509_free(leaf);
	ERR_clear_error();
}

static bool
has_label(const uint8_t *data, size_t len, const char *label)
{
	return memmem(data, len, label, strlen(label)) != NULL;
}

static int
read_pem_key(struct ictx *c, BIO *bio, EVP_PKEY **key)
{
	*key = PEM_read_bio_PrivateKey(bio, NULL, pem_pass, (void *)(uintptr_t)
	    c->pass);
	if (*key == NULL)
		return fail(c, c->pass == NULL ? "private key unreadable or "
		    "encrypted (no password variable set)" :
		    "private key unreadable or wrong password");
	return 0;
}

static int
load_pem_certs(struct ictx *c, const uint8_t *data, size_t len)
{
	BIO	*bio = BIO_new_mem_buf(data, (int)len);
	X509	*x;
	EVP_PKEY *key = NULL;
	int	 rc = -1;

	if (bio == NULL)
		return fail(c, "out of memory");
	while ((x = PEM_read_bio_X509_AUX(bio, NULL, pem_pass,
	    (void *)(uintptr_t)c->pass)) != NULL) {
		rc = add_cert(c, x);
		X509_free(x);
		if (rc == -1)
			goto out;
	}
	if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE) {
		rc = fail(c, "damaged or truncated PEM certificate");
		goto out;
	}
	ERR_clear_error();
	rc = 0;
	if (has_label(data, len, "PRIVATE KEY-----")) {
		(void)BIO_reset(bio);
		if ((rc = read_pem_key(c, bio, &key)) == 0)
			check_key(c, key);
	}
out:
	EVP_PKEY_free(key);
	BIO_free(bio);
	return rc;
}

static int
load_der_certs(struct ictx *c, const uint8_t *data, size_t len)
{
	const unsigned char *p = data, *end = data + len;

	while (p < end) {
		X509	*x = d2i_X509(NULL, &p, (long)(end - p));
		int	 rc;

		if (x == NULL)
			return fail(c, c->obs->chain_len == 0 ?
			    "not a certificate" : "damaged or truncated DER "
			    "after the last certificate");
		rc = add_cert(c, x);
		X509_free(x);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static int
load_pkcs12(struct ictx *c, PKCS12 *p12)
{
	EVP_PKEY	*key = NULL;
	X509		*cert = NULL;
	STACK_OF(X509)	*ca = NULL;
	int		 rc = -1;

	c->info.kind = INSPECT_PKCS12;
	if (PKCS12_parse(p12, c->pass != NULL ? c->pass : "", &key, &cert,
	    &ca) != 1 && (c->pass != NULL ||
	    PKCS12_parse(p12, NULL, &key, &cert, &ca) != 1)) {
		fail(c, c->pass == NULL ? "PKCS#12 needs a password: "
		    "--password-env VAR names the environment variable "
		    "holding it" : "PKCS#12: wrong password "
		    "or unsupported encryption");
		goto out;
	}
	if (cert == NULL) {
		fail(c, "PKCS#12 holds no certificate with a key");
		goto out;
	}
	if (add_cert(c, cert) == -1)
		goto out;
	for (int i = 0; i < sk_X509_num(ca); i++)
		if (add_cert(c, sk_X509_value(ca, i)) == -1)
			goto out;
	check_key(c, key);
	rc = 0;
out:
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(ca, X509_free);
	return rc;
}

static const char *
key_type_name(const EVP_PKEY *k)
{
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:	return "RSA";
	case EVP_PKEY_RSA_PSS:	return "RSA-PSS";
	case EVP_PKEY_EC:	return "EC";
	case EVP_PKEY_DSA:	return "DSA";
	case EVP_PKEY_ED25519:	return "Ed25519";
	case EVP_PKEY_ED448:	return "Ed448";
	default:		return "unknown";
	}
}

/* csr.names: a SAN is what browsers read; the CN should be one of them. */
static void
check_csr_names(struct ictx *c, X509_REQ *req)
{
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	GENERAL_NAMES	*gens = NULL;
	const X509_NAME	*subj = X509_REQ_get_subject_name(req);
	char		 cn[256] = "";
	bool		 found = false;

	if (exts != NULL)
		gens = X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL);
	if (X509_NAME_get_text_by_NID(subj, NID_commonName, cn,
	    sizeof(cn)) < 0)
		cn[0] = '\0';
	if (sk_GENERAL_NAME_num(gens) <= 0) {
		policy_finding_add(c->obs, c->pol, "csr.names", 0,
		    "no subjectAltName: clients ignore the subject CN%s%s",
		    cn[0] != '\0' ? " " : "", cn);
		goto out;
	}
	for (int i = 0; i < sk_GENERAL_NAME_num(gens) && cn[0] != '\0'; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		if (g->type == GEN_DNS && hostname_match((const char *)
		    ASN1_STRING_get0_data(g->d.dNSName),
		    (size_t)ASN1_STRING_length(g->d.dNSName), cn, strlen(cn)))
			found = true;
	}
	if (cn[0] != '\0' && !found && !hostname_is_ip(cn, NULL, NULL))
		policy_finding_add(c->obs, c->pol, "csr.names", 0,
		    "subject CN %s is not among the subjectAltNames", cn);
out:
	GENERAL_NAMES_free(gens);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
}

static int
load_csr(struct ictx *c, X509_REQ *req)
{
	EVP_PKEY	*key = X509_REQ_get0_pubkey(req);
	int		 md = NID_undef, nid = X509_REQ_get_signature_nid(req);
	char		 curve[64] = "";
	size_t		 clen = 0;

	c->info.kind = INSPECT_CSR;
	if (key == NULL)
		return fail(c, "CSR public key unreadable");
	if (X509_REQ_verify(req, key) != 1)
		return fail(c, "CSR signature does not verify");
	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC)
		(void)EVP_PKEY_get_group_name(key, curve, sizeof(curve), &clen);
	policy_check_key(c->pol, c->obs, 0, key_type_name(key),
	    EVP_PKEY_get_bits(key), curve);
	if (OBJ_find_sigid_algs(nid, &md, NULL) == 1 && md != NID_undef)
		policy_check_signature(c->pol, c->obs, 0, OBJ_nid2ln(nid),
		    OBJ_nid2sn(md));
	check_csr_names(c, req);
	ERR_clear_error();
	return 0;
}

static int
load_pem(struct ictx *c, const uint8_t *data, size_t len)
{
	BIO		*bio;
	X509_REQ	*req;
	int		 rc;

	if (has_label(data, len, "-----BEGIN CERTIFICATE-----") ||
	    has_label(data, len, "-----BEGIN TRUSTED CERTIFICATE-----") ||
	    has_label(data, len, "-----BEGIN X509 CERTIFICATE-----"))
		return load_pem_certs(c, data, len);
	if (!has_label(data, len, "CERTIFICATE REQUEST-----")) {
		if (has_label(data, len, "PRIVATE KEY-----"))
			return fail(c, "a private key alone: give it as the "
			    "key to check next to its certificate");
		return fail(c, "PEM without a certificate or a CSR");
	}
	if ((bio = BIO_new_mem_buf(data, (int)len)) == NULL)
		return fail(c, "out of memory");
	req = PEM_read_bio_X509_REQ(bio, NULL, pem_pass, NULL);
	BIO_free(bio);
	if (req == NULL)
		return fail(c, "damaged or truncated PEM CSR");
	rc = load_csr(c, req);
	X509_REQ_free(req);
	return rc;
}

static int
load_der(struct ictx *c, const uint8_t *data, size_t len)
{
	const unsigned char *p = data;
	X509		*x;
	PKCS12		*p12;
	X509_REQ	*req;
	int		 rc;

	if ((x = d2i_X509(NULL, &p, (long)len)) != NULL) {
		X509_free(x);
		return load_der_certs(c, data, len);
	}
	p = data;
	if ((p12 = d2i_PKCS12(NULL, &p, (long)len)) != NULL) {
		rc = load_pkcs12(c, p12);
		PKCS12_free(p12);
		return rc;
	}
	p = data;
	if ((req = d2i_X509_REQ(NULL, &p, (long)len)) != NULL) {
		rc = load_csr(c, req);
		X509_REQ_free(req);
		return rc;
	}
	ERR_clear_error();
	return fail(c, "not a certificate, chain, PKCS#12 or CSR (PEM or "
	    "DER), or truncated");
}

/* The key file of the options, checked against the leaf. */
static int
load_key_file(struct ictx *c)
{
	BIO		*bio = BIO_new_file(c->o->key_path, "rb");
	EVP_PKEY	*key = NULL;
	const char	*saved = c->path;
	int		 rc;

	c->path = c->o->key_path;
	if (bio == NULL) {
		rc = fail(c, "cannot open");
		goto out;
	}
	key = PEM_read_bio_PrivateKey(bio, NULL, pem_pass,
	    (void *)(uintptr_t)c->pass);
	if (key == NULL) {
		ERR_clear_error();
		(void)BIO_reset(bio);
		key = d2i_PrivateKey_bio(bio, NULL);
	}
	if (key == NULL) {
		rc = fail(c, "not a private key (or encrypted without the "
		    "password variable)");
		goto out;
	}
	check_key(c, key);
	rc = 0;
out:
	EVP_PKEY_free(key);
	BIO_free(bio);
	c->path = saved;
	return rc;
}

int
inspect_file(const char *path, const struct inspect_opts *o,
    struct observation *out, char *err, size_t errlen)
{
	struct ictx	 c = { .path = path, .o = o, .obs = out, .err = err,
	    .errlen = errlen };
	struct policy	*own = NULL;
	uint8_t		*data = NULL;
	size_t		 len = 0;
	int		 rc = -1;

	memset(out, 0, sizeof(*out));
	*out = (struct observation){ .source = OBS_FILE, .protocol = "file",
	    .status = SCAN_OK, .time = (int64_t)time(NULL),
	    .name_match = -1 };	/* no name checked until one is given */
	c.pol = o->policy;
	if (c.pol == NULL)
		c.pol = own = policy_new_default();
	if (o->password_env != NULL &&
	    (c.pass = getenv(o->password_env)) == NULL) {
		snprintf(err, errlen, "%s: password variable %s is not set",
		    path, o->password_env);
		goto out;
	}
	if (o->host != NULL)
		snprintf(out->hostname, sizeof(out->hostname), "%s", o->host);
	snprintf(out->reason, sizeof(out->reason), "file %s", path);
	if (read_file(&c, &data, &len) == -1)
		goto out;
	if (len == 0) {
		fail(&c, "empty file");
		goto out;
	}
	if (has_label(data, len, "-----BEGIN "))
		rc = load_pem(&c, data, len);
	else
		rc = load_der(&c, data, len);
	if (rc == 0 && o->key_path != NULL)
		rc = load_key_file(&c);
	if (rc == 0 && c.info.kind != INSPECT_CSR && out->chain_len == 0)
		rc = fail(&c, "no certificate in it");
out:
	if (rc == -1)
		observation_clear(out);
	if (o->info != NULL)
		*o->info = c.info;
	free(data);
	policy_free(own);
	ERR_clear_error();
	return rc;
}
