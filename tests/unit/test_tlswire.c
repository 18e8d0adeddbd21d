/*
 * test_tlswire.c: probes/tlswire against real OpenSSL peers, in process
 * and without sockets: our ClientHello is written into an OpenSSL server's
 * memory BIO and the server's answer (its first flight) is parsed back, so
 * certificates, cipher and key exchange can be compared with what the
 * server really used.  Every flight is also fed in random splits and byte
 * by byte, and must give the same event log.  Builders are checked by
 * round trip, names against `openssl ciphers -stdname` when installed.
 *
 * With TLSWIRE_SEED_DIR=dir set, the flights and hellos are written to
 * dir/tlswire_server/ and dir/tlswire_client/ (the fuzz seeds were made
 * that way: TLSWIRE_SEED_DIR=tests/fuzz/corpus build/tests/test_tlswire).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "probes/tlswire.h"

/* ---- event recorder ---------------------------------------------------- */

struct rec {
	char		 log[16384];
	size_t		 len;
	struct tlswire_server_hello sh;	/* pointers not valid after */
	int		 nsh;
	int		 nch;
	uint8_t		 der[4][4096];
	size_t		 derlen[4];
	size_t		 ncert;
	struct tlswire_server_kx kx;
	int		 nkx;
	int		 nshd;
	int		 nalert;
	uint8_t		 alert_level, alert_desc;
	uint8_t		 ocsp[256];
	size_t		 ocsplen;
	int		 nocsp;
	uint8_t		 sni[256];
	size_t		 snilen;
	uint16_t	 ch_ciphers[600];
	size_t		 ch_nciphers;
	uint16_t	 ch_exts[64];
	size_t		 ch_nexts;
	char		 ch_alpn[128];
	uint16_t	 ch_versions[8], ch_groups[16], ch_sigalgs[32];
	size_t		 ch_nversions, ch_ngroups, ch_nsigalgs;
	size_t		 ch_nec, ch_ncomp;
	bool		 ch_v2;
	size_t		 ch_v2specs;
	int		 nv2, nv2err;
	uint16_t	 v2err;
};

static void logf_(struct rec *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
logf_(struct rec *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->log + r->len, sizeof(r->log) - r->len, fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(r->log) - r->len);
	r->len += (size_t)n;
}

static uint32_t
fnv(const uint8_t *d, size_t n)
{
	uint32_t h = 2166136261u;

	while (n-- > 0)
		h = (h ^ *d++) * 16777619u;
	return h;
}

static void
copy_list(const struct tlswire_list16 *l, uint16_t *out, size_t max,
    size_t *n)
{
	size_t i;

	assert_true(l->count <= max);
	for (i = 0; i < l->count; i++)
		out[i] = tlswire_list16_get(l, i);
	*n = l->count;
}

static void
ev_ch(void *arg, const struct tlswire_client_hello *ch)
{
	struct rec *r = arg;
	struct tlswire_ext x;
	struct tlswire_bytes name;
	size_t off = 0, alen = 0;

	r->nch++;
	r->ch_v2 = ch->is_sslv2;
	r->ch_v2specs = ch->sslv2_specs.len / 3;
	copy_list(&ch->ciphers, r->ch_ciphers, 600, &r->ch_nciphers);
	copy_list(&ch->supported_versions, r->ch_versions, 8,
	    &r->ch_nversions);
	copy_list(&ch->groups, r->ch_groups, 16, &r->ch_ngroups);
	copy_list(&ch->sig_algs, r->ch_sigalgs, 32, &r->ch_nsigalgs);
	r->ch_nec = ch->ec_point_formats.len;
	r->ch_ncomp = ch->compression.len;
	r->ch_nexts = 0;
	while (tlswire_ext_next(&ch->extensions, &off, &x)) {
		assert_true(r->ch_nexts < 64);
		r->ch_exts[r->ch_nexts++] = x.type;
	}
	assert_int_equal(r->ch_nexts, ch->extensions.count);
	assert_true(ch->sni.len < sizeof(r->sni));
	memcpy(r->sni, ch->sni.data, ch->sni.len);
	r->snilen = ch->sni.len;
	r->ch_alpn[0] = '\0';
	for (off = 0; tlswire_alpn_next(&ch->alpn, &off, &name);) {
		assert_true(alen + name.len + 2 < sizeof(r->ch_alpn));
		memcpy(r->ch_alpn + alen, name.data, name.len);
		alen += name.len;
		r->ch_alpn[alen++] = ',';
		r->ch_alpn[alen] = '\0';
	}
	logf_(r, "CH v=%04x c=%zu/%08x e=%zu/%08x sni=%.*s\n",
	    ch->legacy_version, ch->ciphers.count,
	    fnv(ch->ciphers.data, ch->ciphers.count * 2),
	    ch->extensions.count, fnv(ch->extensions.data,
	    ch->extensions.len), (int)ch->sni.len, (const char *)ch->sni.data);
}

static void
ev_sh(void *arg, const struct tlswire_server_hello *sh)
{
	struct rec *r = arg;

	r->nsh++;
	r->sh = *sh;
	logf_(r, "SH v=%04x/%04x c=%04x comp=%u e=%zu ri=%d ems=%d ks=%u "
	    "hrr=%d alpn=%.*s dg=%04x rnd=%08x\n", sh->legacy_version,
	    sh->version, sh->cipher, sh->compression, sh->extensions.count,
	    sh->has_reneg_info, sh->has_ems, sh->key_share_group,
	    sh->is_hello_retry_request, (int)sh->alpn.len,
	    (const char *)sh->alpn.data, sh->downgrade_to,
	    fnv(sh->random, 32));
}

static void
ev_cert(void *arg, size_t idx, const uint8_t *der, size_t len)
{
	struct rec *r = arg;

	if (idx < 4 && len <= sizeof(r->der[0])) {
		memcpy(r->der[idx], der, len);
		r->derlen[idx] = len;
	}
	r->ncert++;
	logf_(r, "CERT %zu len=%zu h=%08x\n", idx, len, fnv(der, len));
}

static void
ev_kx(void *arg, const struct tlswire_server_kx *kx)
{
	struct rec *r = arg;

	r->nkx++;
	r->kx = *kx;
	logf_(r, "SKE kind=%d curve=%u dh=%u rsa=%u sig=%04x h=%08x\n",
	    kx->kind, kx->named_curve, kx->dh_prime_bits, kx->rsa_bits,
	    kx->sig_alg, fnv(kx->body.data, kx->body.len));
}

static void
ev_status(void *arg, const uint8_t *d, size_t n)
{
	struct rec *r = arg;

	r->nocsp++;
	if (n <= sizeof(r->ocsp)) {
		memcpy(r->ocsp, d, n);
		r->ocsplen = n;
	}
	logf_(r, "OCSP len=%zu\n", n);
}

static void
ev_shd(void *arg)
{
	struct rec *r = arg;

	r->nshd++;
	logf_(r, "SHD\n");
}

static void
ev_alert(void *arg, uint8_t level, uint8_t desc)
{
	struct rec *r = arg;

	r->nalert++;
	r->alert_level = level;
	r->alert_desc = desc;
	logf_(r, "ALERT %u %u\n", level, desc);
}

static void
ev_v2(void *arg, const struct tlswire_sslv2_server_hello *sh)
{
	struct rec *r = arg;

	r->nv2++;
	if (sh->cert.len <= sizeof(r->der[0])) {
		memcpy(r->der[0], sh->cert.data, sh->cert.len);
		r->derlen[0] = sh->cert.len;
	}
	logf_(r, "V2SH v=%04x cert=%zu specs=%zu cid=%zu\n", sh->version,
	    sh->cert.len, sh->specs.len / 3, sh->connection_id.len);
}

static void
ev_v2err(void *arg, uint16_t code)
{
	struct rec *r = arg;

	r->nv2err++;
	r->v2err = code;
	logf_(r, "V2ERR %u\n", code);
}

static const struct tlswire_events events = {
	.on_client_hello = ev_ch,
	.on_server_hello = ev_sh,
	.on_certificate = ev_cert,
	.on_server_key_exchange = ev_kx,
	.on_certificate_status = ev_status,
	.on_server_hello_done = ev_shd,
	.on_alert = ev_alert,
	.on_sslv2_server_hello = ev_v2,
	.on_sslv2_error = ev_v2err,
};

/* Parse a stream in chunks given by split (0: whole); log the end state. */
static int
parse(struct rec *r, enum tlswire_dir dir, const uint8_t *d, size_t n,
    unsigned split, size_t max_cert)
{
	struct tlswire_events ev = events;
	struct tlswire_parser p;
	uint32_t seed = split;
	size_t k;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	ev.arg = r;
	tlswire_parser_init(&p, dir, max_cert, &ev);
	while (n > 0 && rc == 0) {
		if (split == 0)
			k = n;
		else if (split == 1)
			k = 1;
		else {
			seed = seed * 1103515245u + 12345u;
			k = 1 + (seed >> 16) % 300;
		}
		if (k > n)
			k = n;
		rc = tlswire_feed(&p, d, k);
		d += k;
		n -= k;
	}
	logf_(r, "END rc=%d st=%s err=%s done=%d reason=%s\n", rc,
	    tlswire_state_name(tlswire_state(&p)),
	    tlswire_err_name(tlswire_error(&p)), tlswire_done(&p),
	    tlswire_reason(&p));
	tlswire_parser_free(&p);
	return rc;
}

/* Whole, byte by byte and in random splits: one log. */
static void
parse_all_ways(struct rec *r, enum tlswire_dir dir, const uint8_t *d,
    size_t n)
{
	static struct rec other;
	unsigned seeds[] = { 1, 7, 42, 1234, 99991 };
	size_t i;

	parse(r, dir, d, n, 0, 0);
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		parse(&other, dir, d, n, seeds[i], 0);
		assert_string_equal(r->log, other.log);
	}
	parse(r, dir, d, n, 0, 0);	/* leave the whole-feed result */
}

/* ---- OpenSSL peers ---------------------------------------------------- */

struct ident {
	EVP_PKEY	*key;
	X509		*cert;
};

static void
make_cert(struct ident *id, const char *cn, const struct ident *issuer,
    const char *keytype)
{
	X509_NAME *name;

	if (strcmp(keytype, "RSA") == 0)
		id->key = EVP_RSA_gen(2048);
	else
		id->key = EVP_EC_gen("P-256");
	assert_non_null(id->key);
	id->cert = X509_new();
	assert_non_null(id->cert);
	X509_set_version(id->cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(id->cert), (long)fnv(
	    (const uint8_t *)cn, strlen(cn)) & 0x7fffffff);
	X509_gmtime_adj(X509_getm_notBefore(id->cert), -3600);
	X509_gmtime_adj(X509_getm_notAfter(id->cert), 86400);
	X509_set_pubkey(id->cert, id->key);
	name = X509_get_subject_name(id->cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(id->cert, issuer != NULL ?
	    X509_get_subject_name(issuer->cert) : name);
	assert_true(X509_sign(id->cert, issuer != NULL ? issuer->key :
	    id->key, EVP_sha256()) > 0);
}

static void
free_ident(struct ident *id)
{
	EVP_PKEY_free(id->key);
	X509_free(id->cert);
}

static size_t
der_of(X509 *x, uint8_t *out, size_t max)
{
	int n = i2d_X509(x, NULL);
	uint8_t *p = out;

	assert_true(n > 0 && (size_t)n <= max);
	assert_int_equal(i2d_X509(x, &p), n);
	return (size_t)n;
}

/* A server context: leaf (+ chain), TLS 1.2 .. max, optional ciphers. */
static SSL_CTX *
server_ctx(struct ident *leaf, struct ident *inter, int maxv,
    const char *ciphers)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	assert_non_null(ctx);
	assert_int_equal(SSL_CTX_use_certificate(ctx, leaf->cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(ctx, leaf->key), 1);
	if (inter != NULL)
		assert_int_equal(SSL_CTX_add1_chain_cert(ctx, inter->cert), 1);
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, maxv);
	if (ciphers != NULL)
		assert_int_equal(SSL_CTX_set_cipher_list(ctx, ciphers), 1);
	return ctx;
}

/*
 * Feed hello to a fresh server; its answer goes to out.  *cipher gets
 * the suite the server picked (0 if none), *group the NID of its group.
 */
static size_t
server_answer(SSL_CTX *ctx, const uint8_t *hello, size_t n, uint8_t *out,
    size_t max, uint16_t *cipher, int *group)
{
	SSL *s = SSL_new(ctx);
	BIO *in = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
	const SSL_CIPHER *c;
	int len;

	assert_non_null(s);
	assert_true(in != NULL && wb != NULL);
	assert_int_equal(BIO_write(in, hello, (int)n), (int)n);
	SSL_set_bio(s, in, wb);
	SSL_set_accept_state(s);
	assert_true(SSL_do_handshake(s) <= 0);	/* wants our next flight */
	ERR_clear_error();
	c = SSL_get_pending_cipher(s);
	if (c == NULL)
		c = SSL_get_current_cipher(s);
	if (cipher != NULL)
		*cipher = c != NULL ? SSL_CIPHER_get_protocol_id(c) : 0;
	if (group != NULL)
		*group = SSL_get_negotiated_group(s);
	len = BIO_read(wb, out, (int)max);
	assert_true(len > 0 && (size_t)len < max);
	SSL_free(s);
	return (size_t)len;
}

static void
save_seed(const char *sub, const char *name, const uint8_t *d, size_t n)
{
	const char *dir = getenv("TLSWIRE_SEED_DIR");
	char path[512];
	FILE *f;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(d, 1, n, f), n);
	fclose(f);
}

static void
fill_random(uint8_t *d, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		d[i] = (uint8_t)(seed + i * 7);
}

struct world {
	struct ident	 root, inter, leaf, rsa;
	uint8_t		 hello12[2048];
	size_t		 hello12len;
};

static int
setup(void **state)
{
	static struct world w;
	struct tlswire_hello h;

	make_cert(&w.root, "tlswire root", NULL, "EC");
	make_cert(&w.inter, "tlswire intermediate", &w.root, "EC");
	make_cert(&w.leaf, "leaf.tlswire.test", &w.inter, "EC");
	make_cert(&w.rsa, "rsa.tlswire.test", NULL, "RSA");
	tlswire_recipe_grab12(&h);
	fill_random(h.random, 32, 1);
	h.sni = "leaf.tlswire.test";
	assert_int_equal(tlswire_build_client_hello(&h, w.hello12,
	    sizeof(w.hello12), &w.hello12len), 0);
	*state = &w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	free_ident(&w->root);
	free_ident(&w->inter);
	free_ident(&w->leaf);
	free_ident(&w->rsa);
	return 0;
}

/* ---- builder round trips ----------------------------------------------- */

static void
check_roundtrip(const struct tlswire_hello *h, const uint8_t *d, size_t n)
{
	static struct rec r;
	size_t i, extra = 0;

	parse_all_ways(&r, TLSWIRE_DIR_CLIENT, d, n);
	assert_int_equal(r.nch, 1);
	assert_non_null(strstr(r.log, "err=none"));
	if (h->flags & TLSWIRE_F_RENEG_SCSV)
		extra++;
	if (h->flags & TLSWIRE_F_FALLBACK_SCSV)
		extra++;
	assert_int_equal(r.ch_nciphers, h->nciphers + extra);
	for (i = 0; i < h->nciphers; i++)
		assert_int_equal(r.ch_ciphers[i], h->ciphers[i]);
	assert_int_equal(r.ch_nversions, h->nversions);
	for (i = 0; i < h->nversions; i++)
		assert_int_equal(r.ch_versions[i], h->versions[i]);
	assert_int_equal(r.ch_ngroups, h->ngroups);
	for (i = 0; i < h->ngroups; i++)
		assert_int_equal(r.ch_groups[i], h->groups[i]);
	assert_int_equal(r.ch_nsigalgs, h->nsig_algs);
	for (i = 0; i < h->nsig_algs; i++)
		assert_int_equal(r.ch_sigalgs[i], h->sig_algs[i]);
	assert_int_equal(r.ch_nec, h->nec_point_formats);
	assert_int_equal(r.ch_ncomp, h->ncompression ? h->ncompression : 1);
	if (h->sni != NULL) {
		assert_int_equal(r.snilen, strlen(h->sni));
		assert_memory_equal(r.sni, h->sni, r.snilen);
	} else
		assert_int_equal(r.snilen, 0);
}

static bool
has_ext(const struct rec *r, uint16_t type)
{
	size_t i;

	for (i = 0; i < r->ch_nexts; i++)
		if (r->ch_exts[i] == type)
			return true;
	return false;
}

static void
test_roundtrip_recipes(void **state)
{
	static struct rec r;
	struct world *w = *state;
	struct tlswire_hello h;
	uint8_t key[32], out[4096];
	size_t n;

	tlswire_recipe_grab12(&h);
	h.sni = "leaf.tlswire.test";
	check_roundtrip(&h, w->hello12, w->hello12len);
	/* pad_to 512: the handshake message is exactly 512 bytes */
	assert_int_equal(w->hello12len, 5 + 512);
	save_seed("tlswire_client", "grab12.bin", w->hello12, w->hello12len);

	fill_random(key, sizeof(key), 9);
	tlswire_recipe_modern(&h, key);
	assert_int_equal(tlswire_build_client_hello(&h, out, sizeof(out), &n),
	    0);
	check_roundtrip(&h, out, n);
	parse(&r, TLSWIRE_DIR_CLIENT, out, n, 0, 0);
	assert_true(has_ext(&r, 51) && has_ext(&r, 43) && has_ext(&r, 45));
	assert_string_equal(r.ch_alpn, "h2,http/1.1,");
	assert_false(has_ext(&r, 0));
	save_seed("tlswire_client", "modern.bin", out, n);
}

static void
test_roundtrip_every_option(void **state)
{
	static struct rec r;
	static const uint16_t ciphers[] = { 0x0003, 0x0004, 0x000a, 0xc02f };
	static const uint8_t comp[] = { 1, 0 };
	static const char *const alpn[] = { "http/1.1" };
	static const uint16_t v[] = { 0x0303 };
	struct tlswire_hello h = {
		.client_version = TLSWIRE_TLS11,
		.session_id_len = 32,
		.ciphers = ciphers, .nciphers = 4,
		.compression = comp, .ncompression = 2,
		.sni = "every.option.test",
		.alpn = alpn, .nalpn = 1,
		.versions = v, .nversions = 1,
		.flags = TLSWIRE_F_RENEG_INFO | TLSWIRE_F_RENEG_SCSV |
		    TLSWIRE_F_FALLBACK_SCSV | TLSWIRE_F_SESSION_TICKET |
		    TLSWIRE_F_STATUS_REQUEST | TLSWIRE_F_HEARTBEAT |
		    TLSWIRE_F_EMS | TLSWIRE_F_ETM | TLSWIRE_F_SCT |
		    TLSWIRE_F_PSK_MODES,
		.pad_to = 700,
	};
	static const uint16_t want[] = { 0, 35, 16, 5, 18, 23, 22, 15, 0xff01,
	    43, 45, 21 };
	uint8_t out[2048];
	size_t n, i;

	(void)state;
	memset(h.session_id, 0xab, 32);
	assert_int_equal(tlswire_build_client_hello(&h, out, sizeof(out), &n),
	    0);
	assert_int_equal(n, 5 + 700);
	assert_int_equal(out[1] << 8 | out[2], TLSWIRE_TLS10);
	check_roundtrip(&h, out, n);
	parse(&r, TLSWIRE_DIR_CLIENT, out, n, 0, 0);
	assert_int_equal(r.ch_nexts, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < r.ch_nexts; i++)
		assert_int_equal(r.ch_exts[i], want[i]);
	assert_int_equal(r.ch_ciphers[4], 0x00ff);
	assert_int_equal(r.ch_ciphers[5], 0x5600);
	/* a buffer one byte short fails cleanly */
	assert_int_equal(tlswire_build_client_hello(&h, out, n - 1, &n), -1);
}

static void
test_sslv3_no_extensions(void **state)
{
	static struct rec r;
	static const uint16_t ciphers[] = { 0x0005, 0x0004, 0x000a };
	struct tlswire_hello h = {
		.client_version = TLSWIRE_SSL3,
		.ciphers = ciphers, .nciphers = 3,
		.flags = TLSWIRE_F_RENEG_SCSV | TLSWIRE_F_NO_EXTENSIONS |
		    TLSWIRE_F_EMS,
		.sni = "ignored.test",
	};
	uint8_t out[512];
	size_t n;

	(void)state;
	assert_int_equal(tlswire_build_client_hello(&h, out, sizeof(out), &n),
	    0);
	/* record version follows client_version below TLS 1.0 */
	assert_int_equal(out[1] << 8 | out[2], TLSWIRE_SSL3);
	/* header 4 + version 2 + random 32 + sid 1 + ciphers 2+8 + comp 2 */
	assert_int_equal(n, 5 + 4 + 2 + 32 + 1 + 10 + 2);
	parse(&r, TLSWIRE_DIR_CLIENT, out, n, 1, 0);
	assert_int_equal(r.nch, 1);
	assert_int_equal(r.ch_nexts, 0);
	assert_int_equal(r.ch_nciphers, 4);
}

/* A hello over 16384 bytes is cut into records; parsing joins them. */
static void
test_fragmented_hello(void **state)
{
	static struct rec r;
	static uint8_t key[20000], out[24000];
	struct tlswire_hello h;
	size_t n;

	(void)state;
	tlswire_recipe_grab12(&h);
	h.key_shares[0] = (struct tlswire_key_share){ .group = 0x11ec,
	    .key = key, .len = sizeof(key) };
	h.nkey_shares = 1;
	fill_random(key, sizeof(key), 3);
	assert_int_equal(tlswire_build_client_hello(&h, out, sizeof(out), &n),
	    0);
	assert_int_equal(out[3] << 8 | out[4], 16384);
	assert_int_equal(out[5 + 16384], 22);
	assert_int_equal(n, 2 * 5 + 4 + (size_t)(out[6] << 16 |
	    out[7] << 8 | out[8]));
	parse_all_ways(&r, TLSWIRE_DIR_CLIENT, out, n);
	assert_int_equal(r.nch, 1);
	assert_true(has_ext(&r, 51));
	assert_non_null(strstr(r.log, "err=none"));
}

static void
test_sslv2_hello_roundtrip(void **state)
{
	static struct rec r;
	struct tlswire_sslv2_hello h;
	uint8_t out[256];
	size_t n;

	(void)state;
	tlswire_recipe_sslv2(&h);
	fill_random(h.challenge, 16, 5);
	assert_int_equal(tlswire_build_sslv2_hello(&h, out, sizeof(out), &n),
	    0);
	assert_int_equal(out[0], 0x80);
	assert_int_equal(out[1], n - 2);
	assert_int_equal(out[2], 1);
	parse_all_ways(&r, TLSWIRE_DIR_CLIENT, out, n);
	assert_int_equal(r.nch, 1);
	assert_true(r.ch_v2);
	assert_int_equal(r.ch_v2specs, 7);
	assert_non_null(strstr(r.log, "st=done err=none"));
	save_seed("tlswire_client", "sslv2.bin", out, n);
}

/* A real ClientHello from OpenSSL's client, in the client direction. */
static void
test_openssl_client_hello(void **state)
{
	static struct rec r;
	static const unsigned char alpn[] = "\x02h2\x08http/1.1";
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *s;
	BIO *in, *wb;
	uint8_t out[4096];
	int n;
	size_t i;
	bool has13 = false;

	(void)state;
	assert_non_null(ctx);
	s = SSL_new(ctx);
	in = BIO_new(BIO_s_mem());
	wb = BIO_new(BIO_s_mem());
	SSL_set_bio(s, in, wb);
	SSL_set_tlsext_host_name(s, "client.tlswire.test");
	assert_int_equal(SSL_set_alpn_protos(s, alpn, sizeof(alpn) - 1), 0);
	SSL_set_connect_state(s);
	assert_true(SSL_do_handshake(s) <= 0);
	n = BIO_read(wb, out, sizeof(out));
	assert_true(n > 0);
	save_seed("tlswire_client", "openssl_client.bin", out, (size_t)n);
	parse_all_ways(&r, TLSWIRE_DIR_CLIENT, out, (size_t)n);
	assert_int_equal(r.nch, 1);
	assert_int_equal(r.snilen, strlen("client.tlswire.test"));
	assert_memory_equal(r.sni, "client.tlswire.test", r.snilen);
	assert_string_equal(r.ch_alpn, "h2,http/1.1,");
	for (i = 0; i < r.ch_nversions; i++)
		has13 |= r.ch_versions[i] == TLSWIRE_TLS13;
	assert_true(has13);
	assert_true(r.ch_ngroups > 0 && r.ch_nsigalgs > 0);
	assert_true(has_ext(&r, 51));
	SSL_free(s);
	SSL_CTX_free(ctx);
}

/* ---- real server flights ------------------------------------------ */

static int
nid_of_group(uint16_t g)
{
	switch (g) {
	case TLSWIRE_GROUP_X25519:
		return NID_X25519;
	case TLSWIRE_GROUP_SECP256R1:
		return NID_X9_62_prime256v1;
	case TLSWIRE_GROUP_SECP384R1:
		return NID_secp384r1;
	default:
		return -1;
	}
}

static void
test_tls12_flight(void **state)
{
	static struct rec r;
	static uint8_t flight[16384];
	struct world *w = *state;
	SSL_CTX *ctx = server_ctx(&w->leaf, &w->inter, TLS1_3_VERSION, NULL);
	uint8_t der[4096];
	uint16_t cipher;
	int group;
	size_t n, dn;

	n = server_answer(ctx, w->hello12, w->hello12len, flight,
	    sizeof(flight), &cipher, &group);
	save_seed("tlswire_server", "tls12_ecdsa_chain.bin", flight, n);
	parse_all_ways(&r, TLSWIRE_DIR_SERVER, flight, n);
	/* the server could do TLS 1.3 but grab12 does not offer it */
	assert_int_equal(r.nsh, 1);
	assert_int_equal(r.sh.version, TLSWIRE_TLS12);
	assert_int_not_equal(cipher, 0);
	assert_int_equal(r.sh.cipher, cipher);
	assert_true(r.sh.has_reneg_info);
	assert_true(r.sh.has_ems);
	/* the chain, byte for byte */
	assert_int_equal(r.ncert, 2);
	dn = der_of(w->leaf.cert, der, sizeof(der));
	assert_int_equal(r.derlen[0], dn);
	assert_memory_equal(r.der[0], der, dn);
	dn = der_of(w->inter.cert, der, sizeof(der));
	assert_int_equal(r.derlen[1], dn);
	assert_memory_equal(r.der[1], der, dn);
	/* ECDHE with the group the server used, signed */
	assert_int_equal(r.nkx, 1);
	assert_int_equal(r.kx.kind, TLSWIRE_SKE_ECDHE);
	assert_int_equal(nid_of_group(r.kx.named_curve), group);
	assert_non_null(tlswire_sigalg_name(r.kx.sig_alg));
	assert_int_equal(r.nshd, 1);
	assert_int_equal(r.nalert, 0);
	assert_non_null(strstr(r.log, "rc=0 st=done err=none done=1"));
	SSL_CTX_free(ctx);
}

static void
test_dhe_flight(void **state)
{
	static struct rec r;
	static uint8_t flight[16384];
	struct world *w = *state;
	SSL_CTX *ctx = server_ctx(&w->rsa, NULL, TLS1_2_VERSION,
	    "DHE-RSA-AES128-GCM-SHA256");
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	EVP_PKEY *dh = NULL;
	OSSL_PARAM params[2];
	uint8_t der[4096];
	uint16_t cipher;
	size_t n, dn;

	/* a 3072-bit group, so the size we read is not a default */
	assert_non_null(pc);
	assert_int_equal(EVP_PKEY_paramgen_init(pc), 1);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
	    (char *)(uintptr_t)"ffdhe3072", 0);
	params[1] = OSSL_PARAM_construct_end();
	assert_int_equal(EVP_PKEY_CTX_set_params(pc, params), 1);
	assert_int_equal(EVP_PKEY_paramgen(pc, &dh), 1);
	assert_int_equal(SSL_CTX_set0_tmp_dh_pkey(ctx, dh), 1);
	EVP_PKEY_CTX_free(pc);
	n = server_answer(ctx, w->hello12, w->hello12len, flight,
	    sizeof(flight), &cipher, NULL);
	save_seed("tlswire_server", "tls12_dhe_rsa.bin", flight, n);
	parse_all_ways(&r, TLSWIRE_DIR_SERVER, flight, n);
	assert_int_equal(cipher, 0x009e);
	assert_int_equal(r.sh.cipher, 0x009e);
	assert_int_equal(r.ncert, 1);
	dn = der_of(w->rsa.cert, der, sizeof(der));
	assert_memory_equal(r.der[0], der, dn);
	assert_int_equal(r.kx.kind, TLSWIRE_SKE_DHE);
	assert_int_equal(r.kx.dh_prime_bits, 3072);
	assert_int_equal(r.nshd, 1);
	SSL_CTX_free(ctx);
}

static void
test_tls13_flight(void **state)
{
	static struct rec r;
	static uint8_t flight[16384];
	struct world *w = *state;
	SSL_CTX *ctx = server_ctx(&w->leaf, &w->inter, TLS1_3_VERSION, NULL);
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	struct tlswire_hello h;
	uint8_t key[32], hello[2048];
	size_t n, klen = sizeof(key);
	uint16_t cipher;

	assert_non_null(k);
	assert_int_equal(EVP_PKEY_get_raw_public_key(k, key, &klen), 1);
	tlswire_recipe_modern(&h, key);
	fill_random(h.random, 32, 2);
	assert_int_equal(tlswire_build_client_hello(&h, hello, sizeof(hello),
	    &n), 0);
	n = server_answer(ctx, hello, n, flight, sizeof(flight), &cipher,
	    NULL);
	save_seed("tlswire_server", "tls13.bin", flight, n);
	parse_all_ways(&r, TLSWIRE_DIR_SERVER, flight, n);
	assert_int_equal(r.nsh, 1);
	assert_int_equal(r.sh.version, TLSWIRE_TLS13);
	assert_int_equal(r.sh.legacy_version, TLSWIRE_TLS12);
	assert_int_equal(r.sh.key_share_group, TLSWIRE_GROUP_X25519);
	assert_int_equal(r.sh.cipher, cipher);
	assert_false(r.sh.is_hello_retry_request);
	/* the certificate is encrypted: nothing more, and no error */
	assert_int_equal(r.ncert, 0);
	assert_non_null(strstr(r.log, "rc=0 st=encrypted err=none done=1"));
	EVP_PKEY_free(k);
	SSL_CTX_free(ctx);
}

/* Key share for a group the server lacks: HelloRetryRequest. */
static void
test_hello_retry_request(void **state)
{
	static struct rec r;
	static uint8_t flight[16384];
	struct world *w = *state;
	SSL_CTX *ctx = server_ctx(&w->leaf, NULL, TLS1_3_VERSION, NULL);
	struct tlswire_hello h;
	uint8_t key[32], hello[2048];
	size_t n;

	/* we share an x25519 key, the server only takes P-256 */
	assert_int_equal(SSL_CTX_set1_groups_list(ctx, "P-256"), 1);
	fill_random(key, sizeof(key), 4);
	tlswire_recipe_modern(&h, key);
	assert_int_equal(tlswire_build_client_hello(&h, hello, sizeof(hello),
	    &n), 0);
	n = server_answer(ctx, hello, n, flight, sizeof(flight), NULL, NULL);
	parse_all_ways(&r, TLSWIRE_DIR_SERVER, flight, n);
	assert_int_equal(r.nsh, 1);
	assert_true(r.sh.is_hello_retry_request);
	assert_int_equal(r.sh.version, TLSWIRE_TLS13);
	assert_int_equal(r.sh.key_share_group, TLSWIRE_GROUP_SECP256R1);
	assert_non_null(strstr(r.log, "st=done err=none done=1"));
	save_seed("tlswire_server", "hrr.bin", flight, n);
	SSL_CTX_free(ctx);
}

static void
test_no_shared_cipher_alert(void **state)
{
	static struct rec r;
	static uint8_t flight[1024];
	static const uint16_t only[] = { 0x009c };	/* RSA kx, EC cert */
	struct world *w = *state;
	SSL_CTX *ctx = server_ctx(&w->leaf, NULL, TLS1_2_VERSION, NULL);
	struct tlswire_hello h;
	uint8_t hello[1024];
	size_t n;

	tlswire_recipe_grab12(&h);
	h.ciphers = only;
	h.nciphers = 1;
	assert_int_equal(tlswire_build_client_hello(&h, hello, sizeof(hello),
	    &n), 0);
	n = server_answer(ctx, hello, n, flight, sizeof(flight), NULL, NULL);
	save_seed("tlswire_server", "alert.bin", flight, n);
	parse_all_ways(&r, TLSWIRE_DIR_SERVER, flight, n);
	assert_int_equal(r.nsh, 0);
	assert_int_equal(r.nalert, 1);
	assert_int_equal(r.alert_level, TLSWIRE_ALERT_FATAL);
	assert_int_equal(r.alert_desc, 40);
	assert_string_equal(tlswire_alert_name(r.alert_desc),
	    "handshake_failure");
	assert_non_null(strstr(r.log, "rc=0 st=alert err=none done=1"));
	SSL_CTX_free(ctx);
}

/* Split the flight's records into handshake bytes, then frame them anew. */
static size_t
handshake_bytes(const uint8_t *d, size_t n, uint8_t *out)
{
	size_t off = 0, len, total = 0;

	while (off + 5 <= n) {
		len = (size_t)d[off + 3] << 8 | d[off + 4];
		assert_true(off + 5 + len <= n);
		if (d[off] == 22) {
			memcpy(out + total, d + off + 5, len);
			total += len;
		}
		off += 5 + len;
	}
	assert_int_equal(off, n);
	return total;
}

static size_t
put_record(uint8_t *out, uint8_t type, const uint8_t *d, size_t n)
{
	out[0] = type;
	out[1] = 3;
	out[2] = 3;
	out[3] = (uint8_t)(n >> 8);
	out[4] = (uint8_t)n;
	memcpy(out + 5, d, n);
	return 5 + n;
}

/*
 * The same handshake in one record, and in 7-byte records mixed with
 * empty records, heartbeats, a warning alert, a HelloRequest and an
 * unknown message type: the same certificates and the same end.
 */
static void
test_reframed_flight(void **state)
{
	static struct rec r1, r2, r3;
	static uint8_t flight[16384], hs[16384], one[16384], many[65536];
	static const uint8_t junk[] = { 0, 0, 0, 0, 99, 0, 0, 3, 1, 2, 3 };
	static const uint8_t warn[] = { 1, 112 }, hb[] = { 1, 0, 0 };
	struct world *w = *state;
	SSL_CTX *ctx = server_ctx(&w->leaf, &w->inter, TLS1_2_VERSION, NULL);
	size_t n, hn, mn = 0, off;

	n = server_answer(ctx, w->hello12, w->hello12len, flight,
	    sizeof(flight), NULL, NULL);
	parse(&r1, TLSWIRE_DIR_SERVER, flight, n, 0, 0);
	hn = handshake_bytes(flight, n, hs);
	parse_all_ways(&r2, TLSWIRE_DIR_SERVER, one,
	    put_record(one, 22, hs, hn));
	assert_string_equal(r1.log, r2.log);

	mn += put_record(many + mn, 21, warn, sizeof(warn));
	mn += put_record(many + mn, 22, junk, sizeof(junk));
	for (off = 0; off < hn; off += 7) {
		mn += put_record(many + mn, 22, hs + off,
		    hn - off < 7 ? hn - off : 7);
		if (off % 70 == 0)
			mn += put_record(many + mn, 22, NULL, 0);
		if (off % 91 == 0)
			mn += put_record(many + mn, 24, hb, sizeof(hb));
	}
	save_seed("tlswire_server", "reframed.bin", many, mn);
	parse_all_ways(&r3, TLSWIRE_DIR_SERVER, many, mn);
	assert_non_null(strstr(r3.log, "ALERT 1 112\n"));
	/* without the warning alert's line, the log is the original one */
	assert_string_equal(r3.log + strlen("ALERT 1 112\n"), r1.log);
	SSL_CTX_free(ctx);
}

/* Any prefix: no error and not done, unless ServerHelloDone is in it. */
static void
test_truncated_flight(void **state)
{
	static struct rec r;
	static uint8_t flight[16384];
	struct world *w = *state;
	SSL_CTX *ctx = server_ctx(&w->leaf, &w->inter, TLS1_2_VERSION, NULL);
	size_t n, cut;

	n = server_answer(ctx, w->hello12, w->hello12len, flight,
	    sizeof(flight), NULL, NULL);
	for (cut = 1; cut < n; cut += 13) {
		parse(&r, TLSWIRE_DIR_SERVER, flight, cut, 0, 0);
		assert_non_null(strstr(r.log, "rc=0 st="));
		assert_non_null(strstr(r.log, "err=none done=0"));
	}
	parse(&r, TLSWIRE_DIR_SERVER, flight, n - 1, 0, 0);
	assert_int_equal(r.nshd, 0);
	assert_non_null(strstr(r.log, "done=0"));
	SSL_CTX_free(ctx);
}

static void
test_cert_limit(void **state)
{
	static struct rec r;
	static uint8_t flight[16384];
	struct world *w = *state;
	SSL_CTX *ctx = server_ctx(&w->leaf, &w->inter, TLS1_2_VERSION, NULL);
	size_t n;

	n = server_answer(ctx, w->hello12, w->hello12len, flight,
	    sizeof(flight), NULL, NULL);
	assert_int_equal(parse(&r, TLSWIRE_DIR_SERVER, flight, n, 7, 300),
	    -1);
	assert_int_equal(r.ncert, 0);
	assert_non_null(strstr(r.log, "err=too-large"));
	assert_non_null(strstr(r.log, "[TLS-CERT-OVERSIZE]"));
	SSL_CTX_free(ctx);
}

/* ---- errors ------------------------------------------------------------ */

static void
expect_error(const char *bytes, size_t n, enum tlswire_dir dir,
    const char *err, const char *in_reason)
{
	static struct rec r;
	char want[64];

	assert_int_equal(parse(&r, dir, (const uint8_t *)bytes, n, 0, 0), -1);
	snprintf(want, sizeof(want), "err=%s done=1", err);
	assert_non_null(strstr(r.log, want));
	assert_non_null(strstr(r.log, in_reason));
	/* and the same byte by byte */
	assert_int_equal(parse(&r, dir, (const uint8_t *)bytes, n, 1, 0), -1);
	assert_non_null(strstr(r.log, want));
}

static void
test_not_tls(void **state)
{
	static const char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
	static const char ssh[] = "SSH-2.0-OpenSSH_9.2\r\n";
	static const char smtp[] = "220 mail.example ESMTP\r\n";
	static const char bin[] = "\x01\x02\x03";
	static const char badver[] = "\x16\x48\x54\x54\x50";

	(void)state;
	expect_error(http, sizeof(http) - 1, TLSWIRE_DIR_SERVER, "not-tls",
	    "first byte 0x48 ('H') looks like HTTP [TLS-NOT-TLS]");
	expect_error(ssh, sizeof(ssh) - 1, TLSWIRE_DIR_SERVER, "not-tls",
	    "SSH");
	expect_error(smtp, sizeof(smtp) - 1, TLSWIRE_DIR_SERVER, "not-tls",
	    "SMTP");
	expect_error(bin, 3, TLSWIRE_DIR_CLIENT, "not-tls", "0x01");
	expect_error(badver, 5, TLSWIRE_DIR_SERVER, "not-tls",
	    "[TLS-BAD-VERSION]");
}

static void
test_bad_records(void **state)
{
	static const char big[] = "\x16\x03\x03\x4e\x20";	/* 20000 */
	static const char type[] = "\x16\x03\x03\x00\x00\x30\x03\x03\x00\x00";
	static const char hs[] = "\x16\x03\x03\x00\x04\x01\x00\x00\x00";
	static const char shbad[] = "\x16\x03\x03\x00\x08\x02\x00\x00\x04"
	    "\x03\x03\x00\x00";
	static const char huge[] = "\x16\x03\x03\x00\x04\x02\x01\x00\x01";
	static const char shd[] = "\x16\x03\x03\x00\x05\x0e\x00\x00\x01\x00";

	(void)state;
	expect_error(big, 5, TLSWIRE_DIR_SERVER, "record",
	    "record length 20000 exceeds 16384+2048 [TLS-LEN-OVERFLOW]");
	expect_error(type, 10, TLSWIRE_DIR_SERVER, "record",
	    "unknown record type 48 [TLS-BAD-TYPE]");
	expect_error(hs, 9, TLSWIRE_DIR_SERVER, "unexpected",
	    "[TLS-WRONG-DIRECTION]");
	expect_error(shbad, 13, TLSWIRE_DIR_SERVER, "decode",
	    "ServerHello: truncated");
	expect_error(huge, 9, TLSWIRE_DIR_SERVER, "too-large",
	    "[TLS-HS-OVERSIZE]");
	expect_error(shd, 10, TLSWIRE_DIR_SERVER, "decode",
	    "ServerHelloDone with a 1-byte body");
	/* our own hello into a server-direction parser */
	expect_error("\x16\x03\x01\x00\x04\x02\x00\x00\x00", 9,
	    TLSWIRE_DIR_CLIENT, "unexpected", "client's stream");
}

/* Errors are sticky: more input changes nothing. */
static void
test_sticky_error(void **state)
{
	struct tlswire_parser p;
	static const uint8_t http[] = "HTTP/1.1 200 OK\r\n";
	static const uint8_t tls[] = { 22, 3, 3, 0, 0 };

	(void)state;
	tlswire_parser_init(&p, TLSWIRE_DIR_SERVER, 0, NULL);
	assert_int_equal(tlswire_feed(&p, http, sizeof(http) - 1), -1);
	assert_int_equal(tlswire_feed(&p, tls, sizeof(tls)), -1);
	assert_int_equal(tlswire_error(&p), TLSWIRE_ERR_NOT_TLS);
	assert_int_equal(tlswire_state(&p), TLSWIRE_ST_ERROR);
	tlswire_parser_free(&p);
	tlswire_parser_free(&p);	/* idempotent */
}

/* ---- SSLv2 server side ----------------------------------------------- */

static void
test_sslv2_server_hello(void **state)
{
	static struct rec r;
	static uint8_t msg[8192];
	struct world *w = *state;
	uint8_t der[4096];
	size_t dn = der_of(w->leaf.cert, der, sizeof(der)), n, len;
	static const uint8_t specs[] = { 0x01, 0x00, 0x80, 0x07, 0x00, 0xc0 };
	static const uint8_t err[] = { 0x80, 0x03, 0x00, 0x00, 0x01 };

	len = 11 + dn + sizeof(specs) + 16;
	msg[0] = (uint8_t)(0x80 | len >> 8);
	msg[1] = (uint8_t)len;
	msg[2] = 4;			/* SERVER-HELLO */
	msg[3] = 0;			/* no session id hit */
	msg[4] = 1;			/* X.509 */
	msg[5] = 0;
	msg[6] = 2;			/* version 2 */
	msg[7] = (uint8_t)(dn >> 8);
	msg[8] = (uint8_t)dn;
	msg[9] = 0;
	msg[10] = sizeof(specs);
	msg[11] = 0;
	msg[12] = 16;
	memcpy(msg + 13, der, dn);
	memcpy(msg + 13 + dn, specs, sizeof(specs));
	fill_random(msg + 13 + dn + sizeof(specs), 16, 8);
	n = 2 + len;
	/* encrypted SERVER-VERIFY after it, in a 3-byte header record */
	msg[n++] = 0x00;
	msg[n++] = 0x04;
	msg[n++] = 0x01;
	fill_random(msg + n, 4, 9);
	n += 4;
	save_seed("tlswire_server", "sslv2.bin", msg, n);
	parse_all_ways(&r, TLSWIRE_DIR_SERVER, msg, n);
	assert_int_equal(r.nv2, 1);
	assert_int_equal(r.derlen[0], dn);
	assert_memory_equal(r.der[0], der, dn);
	assert_non_null(strstr(r.log, "V2SH v=0002 cert="));
	assert_non_null(strstr(r.log, "specs=2 cid=16"));
	assert_non_null(strstr(r.log, "rc=0 st=done err=none done=1"));
	assert_string_equal(tlswire_sslv2_cipher_name(0x0700c0),
	    "SSL_CK_DES_192_EDE3_CBC_WITH_MD5");
	assert_string_equal(tlswire_sslv2_cipher_openssl_name(0x020080),
	    "EXP-RC4-MD5");

	parse_all_ways(&r, TLSWIRE_DIR_SERVER, err, sizeof(err));
	assert_int_equal(r.nv2err, 1);
	assert_int_equal(r.v2err, 1);		/* NO-CIPHER-ERROR */
	assert_non_null(strstr(r.log, "st=alert err=none done=1"));
}

/* ---- TLS 1.3 handshake fed directly (decrypted) --------------------- */

static void
test_feed_handshake_tls13_certificate(void **state)
{
	static struct rec r;
	static uint8_t m[8192];
	struct world *w = *state;
	struct tlswire_events ev = events;
	struct tlswire_parser p;
	static const uint8_t sh[] = {
		2, 0, 0, 46, 3, 3,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
		0, 0x13, 0x01, 0, 0, 6, 0, 43, 0, 2, 3, 4,
	};
	static const uint8_t ocsp[] = { 0x30, 0x03, 0x0a, 0x01, 0x00 };
	uint8_t der[4096];
	size_t dn = der_of(w->leaf.cert, der, sizeof(der)), n = 0, list, ext;

	memset(&r, 0, sizeof(r));
	ev.arg = &r;
	tlswire_parser_init(&p, TLSWIRE_DIR_SERVER, 0, &ev);
	assert_int_equal(tlswire_feed_handshake(&p, sh, sizeof(sh)), 0);
	assert_int_equal(r.sh.version, TLSWIRE_TLS13);
	/* Certificate: context, list of { cert, extensions{status} } */
	ext = 4 + 1 + 3 + sizeof(ocsp);
	list = 3 + dn + 2 + ext;
	m[n++] = 11;
	m[n++] = 0;
	m[n++] = (uint8_t)((1 + 3 + list) >> 8);
	m[n++] = (uint8_t)(1 + 3 + list);
	m[n++] = 0;			/* empty request context */
	m[n++] = 0;
	m[n++] = (uint8_t)(list >> 8);
	m[n++] = (uint8_t)list;
	m[n++] = 0;
	m[n++] = (uint8_t)(dn >> 8);
	m[n++] = (uint8_t)dn;
	memcpy(m + n, der, dn);
	n += dn;
	m[n++] = 0;
	m[n++] = (uint8_t)ext;
	m[n++] = 0;
	m[n++] = 5;			/* status_request */
	m[n++] = 0;
	m[n++] = (uint8_t)(ext - 4);
	m[n++] = 1;			/* ocsp */
	m[n++] = 0;
	m[n++] = 0;
	m[n++] = sizeof(ocsp);
	memcpy(m + n, ocsp, sizeof(ocsp));
	n += sizeof(ocsp);
	for (size_t i = 0; i < n; i++)	/* byte by byte */
		assert_int_equal(tlswire_feed_handshake(&p, m + i, 1), 0);
	assert_int_equal(r.ncert, 1);
	assert_memory_equal(r.der[0], der, dn);
	assert_int_equal(r.nocsp, 1);
	assert_int_equal(r.ocsplen, sizeof(ocsp));
	assert_memory_equal(r.ocsp, ocsp, sizeof(ocsp));
	assert_int_equal(tlswire_error(&p), TLSWIRE_ERR_NONE);
	tlswire_parser_free(&p);
}

/* ---- names -------------------------------------------------------------- */

static void
test_cipher_table(void **state)
{
	struct tlswire_cipher_info ci;
	size_t i;
	uint16_t id;

	(void)state;
	for (i = 1; i < tlswire_cipher_count(); i++)	/* binary search */
		assert_true(tlswire_cipher_at(i - 1) < tlswire_cipher_at(i));
	assert_true(tlswire_cipher_count() > 300);
	assert_string_equal(tlswire_cipher_name(0xc02b),
	    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
	assert_string_equal(tlswire_cipher_openssl_name(0xc02b),
	    "ECDHE-ECDSA-AES128-GCM-SHA256");
	assert_null(tlswire_cipher_name(0x0a0a));	/* GREASE */
	assert_int_equal(tlswire_cipher_info(0x0a0a, &ci), -1);
	assert_int_equal(tlswire_cipher_by_name("DES-CBC3-SHA", &id), 0);
	assert_int_equal(id, 0x000a);

	assert_int_equal(tlswire_cipher_info(0xc02b, &ci), 0);
	assert_int_equal(ci.kx, TLSWIRE_KX_ECDHE);
	assert_int_equal(ci.auth, TLSWIRE_AUTH_ECDSA);
	assert_int_equal(ci.enc, TLSWIRE_ENC_AES);
	assert_int_equal(ci.enc_bits, 128);
	assert_int_equal(ci.mac, TLSWIRE_MAC_AEAD);
	assert_true(ci.is_aead && ci.has_fs && !ci.is_export && !ci.is_cbc);

	assert_int_equal(tlswire_cipher_info(0x0003, &ci), 0);
	assert_int_equal(ci.kx, TLSWIRE_KX_RSA);
	assert_int_equal(ci.enc, TLSWIRE_ENC_RC4);
	assert_int_equal(ci.enc_bits, 40);
	assert_int_equal(ci.mac, TLSWIRE_MAC_MD5);
	assert_true(ci.is_export && !ci.has_fs);

	assert_int_equal(tlswire_cipher_info(0x0014, &ci), 0);
	assert_int_equal(ci.kx, TLSWIRE_KX_DHE);
	assert_int_equal(ci.enc, TLSWIRE_ENC_DES);
	assert_int_equal(ci.enc_bits, 40);
	assert_true(ci.is_export && ci.is_cbc);

	assert_int_equal(tlswire_cipher_info(0x0018, &ci), 0);
	assert_int_equal(ci.auth, TLSWIRE_AUTH_NONE);	/* anon */

	assert_int_equal(tlswire_cipher_info(0x000a, &ci), 0);
	assert_int_equal(ci.enc, TLSWIRE_ENC_3DES);
	assert_int_equal(ci.mac, TLSWIRE_MAC_SHA1);

	assert_int_equal(tlswire_cipher_info(0x0001, &ci), 0);
	assert_int_equal(ci.enc, TLSWIRE_ENC_NULL);
	assert_int_equal(ci.mac, TLSWIRE_MAC_MD5);

	assert_int_equal(tlswire_cipher_info(0x1303, &ci), 0);
	assert_int_equal(ci.kx, TLSWIRE_KX_TLS13);
	assert_int_equal(ci.enc, TLSWIRE_ENC_CHACHA20);
	assert_true(ci.is_aead && ci.has_fs);

	assert_int_equal(tlswire_cipher_info(0x00ff, &ci), 0);
	assert_int_equal(ci.kx, TLSWIRE_KX_SCSV);
	assert_int_equal(tlswire_cipher_info(0x5600, &ci), 0);
	assert_int_equal(ci.kx, TLSWIRE_KX_SCSV);

	assert_int_equal(tlswire_cipher_info(0xc0aa, &ci), 0);
	assert_int_equal(ci.kx, TLSWIRE_KX_DHE_PSK);
	assert_int_equal(ci.enc, TLSWIRE_ENC_AES);
	assert_true(ci.is_aead);

	assert_int_equal(tlswire_cipher_info(0xc021, &ci), 0);
	assert_int_equal(ci.kx, TLSWIRE_KX_SRP);
	assert_int_equal(ci.auth, TLSWIRE_AUTH_RSA);

	assert_int_equal(tlswire_cipher_info(0x0064, &ci), 0);
	assert_true(ci.is_export && !ci.is_iana);
	assert_int_equal(ci.enc_bits, 56);

	assert_int_equal(tlswire_cipher_info(0xc0b4, &ci), 0);
	assert_int_equal(ci.enc, TLSWIRE_ENC_NULL);	/* integrity only */
	assert_int_equal(ci.mac, TLSWIRE_MAC_SHA256);

	/* every suite has a kx/enc that names back, and a TLS_ name */
	for (i = 0; i < tlswire_cipher_count(); i++) {
		assert_int_equal(tlswire_cipher_info(tlswire_cipher_at(i),
		    &ci), 0);
		assert_true(strncmp(ci.name, "TLS_", 4) == 0);
		assert_string_not_equal(tlswire_kx_name(ci.kx), "?");
		assert_string_not_equal(tlswire_enc_name(ci.enc), "?");
		if (ci.kx != TLSWIRE_KX_SCSV && ci.enc != TLSWIRE_ENC_NULL)
			assert_true(ci.enc_bits >= 40);
	}
}

static void
test_other_names(void **state)
{
	(void)state;
	assert_string_equal(tlswire_version_name(0x0002), "SSLv2");
	assert_string_equal(tlswire_version_name(0x0300), "SSLv3");
	assert_string_equal(tlswire_version_name(0x0301), "TLSv1");
	assert_string_equal(tlswire_version_name(0x0302), "TLSv1.1");
	assert_string_equal(tlswire_version_name(0x0303), "TLSv1.2");
	assert_string_equal(tlswire_version_name(0x0304), "TLSv1.3");
	assert_null(tlswire_version_name(0x0305));
	assert_string_equal(tlswire_group_name(29), "x25519");
	assert_string_equal(tlswire_group_name(23), "secp256r1");
	assert_string_equal(tlswire_group_name(256), "ffdhe2048");
	assert_string_equal(tlswire_group_name(0x11ec), "X25519MLKEM768");
	assert_string_equal(tlswire_alert_name(70), "protocol_version");
	assert_string_equal(tlswire_alert_name(86), "inappropriate_fallback");
	assert_string_equal(tlswire_ext_name(0xff01), "renegotiation_info");
	assert_string_equal(tlswire_sigalg_name(0x0804),
	    "rsa_pss_rsae_sha256");
	assert_string_equal(tlswire_state_name(TLSWIRE_ST_ENCRYPTED),
	    "encrypted");
	assert_string_equal(tlswire_err_name(TLSWIRE_ERR_NOT_TLS), "not-tls");
}

/* Move bytes between two memory-BIO peers until both are done. */
static void
pump(SSL *c, SSL *s)
{
	uint8_t buf[16384];
	int i, n, rc, rs;

	for (i = 0; i < 20; i++) {
		rc = SSL_do_handshake(c);
		while ((n = BIO_read(SSL_get_wbio(c), buf, sizeof(buf))) > 0)
			BIO_write(SSL_get_rbio(s), buf, n);
		rs = SSL_do_handshake(s);
		while ((n = BIO_read(SSL_get_wbio(s), buf, sizeof(buf))) > 0)
			BIO_write(SSL_get_rbio(c), buf, n);
		if (rc == 1 && rs == 1)
			return;
	}
	fail_msg("handshake did not finish");
}

/* Our version names are OpenSSL's SSL_get_version spellings. */
static void
test_version_names_match_openssl(void **state)
{
	static const int versions[] = { TLS1_VERSION, TLS1_1_VERSION,
	    TLS1_2_VERSION, TLS1_3_VERSION };
	struct world *w = *state;
	SSL_CTX *sctx, *cctx;
	SSL *c, *s;
	size_t i;

	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		sctx = server_ctx(&w->leaf, NULL, versions[i], NULL);
		SSL_CTX_set_min_proto_version(sctx, versions[i]);
		SSL_CTX_set_security_level(sctx, 0);
		assert_int_equal(SSL_CTX_set_cipher_list(sctx,
		    "ALL:@SECLEVEL=0"), 1);
		cctx = SSL_CTX_new(TLS_client_method());
		SSL_CTX_set_min_proto_version(cctx, versions[i]);
		SSL_CTX_set_max_proto_version(cctx, versions[i]);
		assert_int_equal(SSL_CTX_set_cipher_list(cctx,
		    "ALL:@SECLEVEL=0"), 1);
		c = SSL_new(cctx);
		s = SSL_new(sctx);
		SSL_set_bio(c, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
		SSL_set_bio(s, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
		SSL_set_connect_state(c);
		SSL_set_accept_state(s);
		pump(c, s);
		assert_int_equal(SSL_version(c), versions[i]);
		assert_string_equal(tlswire_version_name(
		    (uint16_t)SSL_version(c)), SSL_get_version(c));
		SSL_free(c);
		SSL_free(s);
		SSL_CTX_free(cctx);
		SSL_CTX_free(sctx);
	}
}

/*
 * Cross-check with OpenSSL's own table: every suite it knows must have
 * our IANA name and OpenSSL name.  Skipped without the openssl CLI.
 */
static void
test_cipher_names_match_openssl(void **state)
{
	FILE *f;
	char line[512], std[128], ossl[128];
	unsigned hi, lo;
	int checked = 0;

	(void)state;
	f = popen("openssl ciphers -V -stdname "
	    "'ALL:COMPLEMENTOFALL:@SECLEVEL=0' 2>/dev/null", "r");
	if (f == NULL)
		skip();
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, " 0x%x,0x%x - %127s - %127s", &hi, &lo, std,
		    ossl) != 4)
			continue;
		assert_non_null(tlswire_cipher_name((uint16_t)(hi << 8 | lo)));
		assert_string_equal(tlswire_cipher_name((uint16_t)(hi << 8 |
		    lo)), std);
		assert_non_null(tlswire_cipher_openssl_name((uint16_t)(hi << 8 |
		    lo)));
		assert_string_equal(tlswire_cipher_openssl_name((uint16_t)(hi <<
		    8 | lo)), ossl);
		checked++;
	}
	if (pclose(f) != 0 || checked == 0)
		skip();
	assert_true(checked > 50);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_recipes),
		cmocka_unit_test(test_roundtrip_every_option),
		cmocka_unit_test(test_sslv3_no_extensions),
		cmocka_unit_test(test_fragmented_hello),
		cmocka_unit_test(test_sslv2_hello_roundtrip),
		cmocka_unit_test(test_openssl_client_hello),
		cmocka_unit_test(test_tls12_flight),
		cmocka_unit_test(test_dhe_flight),
		cmocka_unit_test(test_tls13_flight),
		cmocka_unit_test(test_hello_retry_request),
		cmocka_unit_test(test_no_shared_cipher_alert),
		cmocka_unit_test(test_reframed_flight),
		cmocka_unit_test(test_truncated_flight),
		cmocka_unit_test(test_cert_limit),
		cmocka_unit_test(test_not_tls),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_sticky_error),
		cmocka_unit_test(test_sslv2_server_hello),
		cmocka_unit_test(test_feed_handshake_tls13_certificate),
		cmocka_unit_test(test_cipher_table),
		cmocka_unit_test(test_other_names),
		cmocka_unit_test(test_version_names_match_openssl),
		cmocka_unit_test(test_cipher_names_match_openssl),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
