/*
 * test_enum.c: the --enum planner (probes/enum.h) against real OpenSSL
 * servers, in process and without sockets.  Each attempt gets a fresh
 * server SSL from a configured SSL_CTX: the planner's hello goes into the
 * server's memory BIO, the server's answer comes back in random splits
 * until the planner decides (or, when the server has nothing more to say,
 * the attempt ends as a close, or as a timeout when the server waits).
 * The results must equal what the server was configured with: versions,
 * every suite in the server's order, groups, DH size, flags.  A scripted
 * responder stands in for SSLv2 and SSLv3 servers, which OpenSSL 3 cannot
 * be.  Attempt counts are printed, not asserted (beyond the hard cap).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "probes/enum.h"
#include "probes/enum_internal.h"
#include "probes/tlswire.h"
#include "report/report.h"

struct ident {
	EVP_PKEY	*key;
	X509		*cert;
};

struct world {
	struct ident	 ec, rsa;
};

static void
make_cert(struct ident *id, const char *cn, bool rsa)
{
	X509_NAME *name;

	id->key = rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
	assert_non_null(id->key);
	id->cert = X509_new();
	assert_non_null(id->cert);
	X509_set_version(id->cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(id->cert), rsa ? 2 : 1);
	X509_gmtime_adj(X509_getm_notBefore(id->cert), -3600);
	X509_gmtime_adj(X509_getm_notAfter(id->cert), 86400);
	X509_set_pubkey(id->cert, id->key);
	name = X509_get_subject_name(id->cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(id->cert, name);
	assert_true(X509_sign(id->cert, id->key, EVP_sha256()) > 0);
}

static int
setup(void **state)
{
	static struct world w;

	make_cert(&w.ec, "ec.enum.test", false);
	make_cert(&w.rsa, "rsa.enum.test", true);
	*state = &w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	EVP_PKEY_free(w->ec.key);
	X509_free(w->ec.cert);
	EVP_PKEY_free(w->rsa.key);
	X509_free(w->rsa.cert);
	return 0;
}

/* ---- the driver ---------------------------------------------------- */

/* A server: the answer to one hello; *silent when it then waits. */
typedef size_t (*answer_fn)(void *, const uint8_t *, size_t, uint8_t *,
    size_t, bool *);

static size_t
openssl_answer(void *arg, const uint8_t *hello, size_t n, uint8_t *out,
    size_t max, bool *silent)
{
	SSL_CTX *ctx = arg;
	SSL *s = SSL_new(ctx);
	BIO *in = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
	size_t got = 0;
	int rc, k;

	assert_true(s != NULL && in != NULL && wb != NULL);
	assert_int_equal(BIO_write(in, hello, (int)n), (int)n);
	SSL_set_bio(s, in, wb);
	SSL_set_accept_state(s);
	rc = SSL_do_handshake(s);
	/* waiting for our next flight: the connection would stay open */
	*silent = rc <= 0 && SSL_get_error(s, rc) == SSL_ERROR_WANT_READ;
	ERR_clear_error();
	while (got < max && (k = BIO_read(wb, out + got, (int)(max - got))) >
	    0)
		got += (size_t)k;
	SSL_free(s);
	return got;
}

static uint32_t
rnd(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/*
 * With ENUM_SEED_DIR set, each run is also written as a fuzz seed in the
 * format of tests/fuzz/fuzz_enum.c (the seeds were made that way).
 */
static FILE *
seed_open(unsigned flags)
{
	static unsigned nth;
	const char *dir = getenv("ENUM_SEED_DIR");
	char path[512];
	FILE *f;

	if (dir == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/run%02u.bin", dir, ++nth);
	f = fopen(path, "wb");
	assert_non_null(f);
	fputc((flags & ENUM_F_JARM) ? 1 : 0, f);
	return f;
}

static void
seed_put(FILE *f, const uint8_t *d, size_t n, bool silent)
{
	if (f == NULL)
		return;
	if (n > 0xffff)
		n = 0xffff;
	fputc(n == 0 ? (silent ? 2 : 1) : 0, f);
	fputc(199, f);
	fputc((int)(n >> 8), f);
	fputc((int)(n & 0xff), f);
	fwrite(d, 1, n, f);
}

/* Runs a plan to its end; the results go to obs.  Returns attempts. */
static unsigned
run_plan(answer_fn answer, void *arg, unsigned flags, uint32_t seed,
    struct observation *obs)
{
	static uint8_t hello[ENUM_HELLO_MAX], out[65536];
	struct enum_opts o = { .sni = "enum.test", .addr = "192.0.2.1",
	    .flags = flags };
	struct enum_plan *p = enum_plan_new(&o);
	FILE *sf = seed_open(flags);
	size_t n, got, off, cut;
	bool silent, done;
	unsigned attempts;

	while (enum_plan_next(p, hello, sizeof(hello), &n)) {
		assert_true(enum_plan_attempts(p) <= ENUM_MAX_ATTEMPTS);
		got = answer(arg, hello, n, out, sizeof(out), &silent);
		seed_put(sf, out, got, silent);
		done = false;
		for (off = 0; off < got && !done; off += cut) {
			cut = 1 + rnd(&seed) % 700;
			if (cut > got - off)
				cut = got - off;
			done = enum_plan_input(p, out + off, cut) ==
			    ENUM_ATTEMPT_DONE;
		}
		if (!done)
			enum_plan_eof(p, silent);
		if (getenv("ENUM_TRACE") != NULL)
			print_message("  #%u kind %d ver %d n %zu: sh %d v %04x"
			    " "
			    "c %04x g %u alert %d/%u bytes %zu%s\n",
			    enum_plan_attempts(p), p->off.kind, p->off.ver,
			    p->off.nsuites, p->r.sh, p->r.version, p->r.cipher,
			    p->r.group, p->r.alert, p->r.alert_desc, got,
			    done ? "" : silent ? " timeout" : " eof");
	}
	attempts = enum_plan_attempts(p);
	if (sf != NULL)
		fclose(sf);
	enum_plan_result(p, obs);
	enum_plan_free(p);
	return attempts;
}

static void
report(const char *what, unsigned attempts, const struct tls_enum *e)
{
	print_message("enum: %-28s %3u attempts%s%s\n", what, attempts,
	    e->truncated ? " (truncated: " : "", e->truncated ? e->note : "");
	if (e->truncated)
		print_message("      )\n");
}

/* ---- servers ------------------------------------------------------- */

static SSL_CTX *
ctx_new(const struct ident *id, int minv, int maxv)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	assert_non_null(ctx);
	assert_int_equal(SSL_CTX_use_certificate(ctx, id->cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(ctx, id->key), 1);
	assert_int_equal(SSL_CTX_set_min_proto_version(ctx, minv), 1);
	assert_int_equal(SSL_CTX_set_max_proto_version(ctx, maxv), 1);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	return ctx;
}

static EVP_PKEY *
dh_group(const char *name)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	EVP_PKEY *dh = NULL;
	OSSL_PARAM params[2];

	assert_non_null(pc);
	assert_int_equal(EVP_PKEY_paramgen_init(pc), 1);
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, (char *)(uintptr_t)name, 0);
	params[1] = OSSL_PARAM_construct_end();
	assert_int_equal(EVP_PKEY_CTX_set_params(pc, params), 1);
	assert_int_equal(EVP_PKEY_paramgen(pc, &dh), 1);
	EVP_PKEY_CTX_free(pc);
	return dh;
}

/* ---- checks -------------------------------------------------------- */

static void
expect_suites(const struct tls_enum_version *v, const uint16_t *want,
    size_t n)
{
	size_t i;

	if (v->nciphers != n) {
		for (i = 0; i < v->nciphers; i++)
			print_message("  got %s %04x %s\n", v->name,
			    v->ciphers[i].id, v->ciphers[i].name);
	}
	assert_int_equal(v->nciphers, n);
	for (i = 0; i < n; i++)
		assert_int_equal(v->ciphers[i].id, want[i]);
	assert_int_equal(v->supported, n > 0 ? 1 : 0);
}

static bool
has_group(const struct tls_enum *e, uint16_t g)
{
	size_t i;

	for (i = 0; i < e->ngroups; i++)
		if (e->groups[i].id == g)
			return true;
	return false;
}

static void
expect_groups(const struct tls_enum *e, const uint16_t *want, size_t n)
{
	size_t i;

	for (i = 0; i < e->ngroups; i++)
		print_message("  group %u %s\n", e->groups[i].id,
		    e->groups[i].name != NULL ? e->groups[i].name : "?");
	assert_int_equal(e->ngroups, n);
	for (i = 0; i < n; i++)
		assert_true(has_group(e, want[i]));
}

static void
expect_versions(const struct tls_enum *e, const int8_t want[6])
{
	int v;

	for (v = 0; v < TLSENUM_VER__MAX; v++)
		if (e->v[v].supported != want[v]) {
			print_message("  %s: supported %d, want %d\n",
			    e->v[v].name, e->v[v].supported, want[v]);
			fail();
		}
}

/* The observation as the jsonl writer prints it, parsed back. */
static json_t *
json_of(const struct observation *obs)
{
	FILE *fp = tmpfile();
	struct report *r;
	json_error_t je;
	json_t *j;

	assert_non_null(fp);
	r = report_open("jsonl", fp);
	assert_non_null(r);
	assert_int_equal(report_emit(r, obs), 0);
	assert_int_equal(report_close(r), 0);
	rewind(fp);
	j = json_loadf(fp, 0, &je);
	assert_non_null(j);
	fclose(fp);
	return j;
}

/* ---- tests --------------------------------------------------------- */

/* TLS 1.2 only, four suites, the server's order, two curves. */
static void
test_tls12_server_order(void **state)
{
	static const uint16_t want[] = { 0xc02c, 0xcca9, 0xc009, 0xc02b };
	static const uint16_t curves[] = { 24, 23 };
	static const int8_t vers[] = { 0, 0, 0, 0, 1, 0 };
	struct world *w = *state;
	SSL_CTX *ctx = ctx_new(&w->ec, TLS1_2_VERSION, TLS1_2_VERSION);
	struct observation obs = { 0 };
	json_t *j, *e, *v;
	unsigned n;

	assert_int_equal(SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES256-"
	    "GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA:"
	    "ECDHE-ECDSA-AES128-GCM-SHA256"), 1);
	assert_int_equal(SSL_CTX_set1_groups_list(ctx, "P-384:P-256"), 1);
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	n = run_plan(openssl_answer, ctx, 0, 1, &obs);
	report("tls1.2 server order", n, obs.tlsenum);
	expect_versions(obs.tlsenum, vers);
	expect_suites(&obs.tlsenum->v[TLSENUM_TLS12], want, 4);
	assert_int_equal(obs.tlsenum->v[TLSENUM_TLS12].server_order, 1);
	expect_groups(obs.tlsenum, curves, 2);
	assert_false(obs.tlsenum->groups_tls13);
	assert_int_equal(obs.tlsenum->secure_reneg, 1);
	assert_int_equal(obs.tlsenum->compression, 0);
	assert_int_equal(obs.tlsenum->ems, 1);
	assert_int_equal(obs.tlsenum->etm, 1);	/* AES128-SHA is CBC */
	assert_int_equal(obs.tlsenum->session_ticket, 0);
	assert_int_equal(obs.tlsenum->ocsp_stapling, 0);
	assert_int_equal(obs.tlsenum->heartbeat, 0);
	/* one version: nothing to fall back to */
	assert_int_equal(obs.tlsenum->fallback_scsv, -1);
	assert_int_equal(obs.tlsenum->dh_bits, 0);
	assert_int_equal(strlen(obs.tlsenum->ja3s), 32);
	assert_false(obs.tlsenum->truncated);
	j = json_of(&obs);
	assert_string_equal(json_string_value(json_object_get(j, "ja3s")),
	    obs.tlsenum->ja3s);
	e = json_object_get(j, "enum");
	assert_string_equal(json_string_value(json_array_get(json_object_get(e,
	    "versions"), 0)), "TLSv1.2");
	v = json_object_get(json_object_get(e, "ciphers"), "TLSv1.2");
	assert_true(json_is_true(json_object_get(v, "server_order")));
	v = json_array_get(json_object_get(v, "suites"), 1);
	assert_string_equal(json_string_value(json_object_get(v, "iana")),
	    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
	assert_string_equal(json_string_value(json_object_get(v, "openssl")),
	    "ECDHE-ECDSA-CHACHA20-POLY1305");
	assert_string_equal(json_string_value(json_object_get(v, "id")),
	    "0xcca9");
	assert_true(json_is_true(json_object_get(json_object_get(e, "flags"),
	    "secure_renegotiation")));
	assert_true(json_is_null(json_object_get(json_object_get(e, "flags"),
	    "fallback_scsv")));
	assert_true(json_is_null(json_object_get(e, "jarm")));
	json_decref(j);
	observation_clear(&obs);
	SSL_CTX_free(ctx);
}

/* The same server without its own order: the client's order counts. */
static void
test_tls12_client_order(void **state)
{
	static const char *const lists[] = {
		"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA",
		"ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-GCM-SHA384:"
		    "ECDHE-ECDSA-CHACHA20-POLY1305",
		/* enough suites to tell from the picks alone */
		"ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-GCM-SHA384:"
		    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-SHA:"
		    "ECDHE-ECDSA-AES128-SHA256",
	};
	static const size_t count[] = { 2, 3, 5 };
	struct world *w = *state;
	size_t i;

	for (i = 0; i < 3; i++) {
		SSL_CTX *ctx = ctx_new(&w->ec, TLS1_2_VERSION, TLS1_2_VERSION);
		struct observation obs = { 0 };
		char what[64];
		unsigned n;

		assert_int_equal(SSL_CTX_set_cipher_list(ctx, lists[i]), 1);
		n = run_plan(openssl_answer, ctx, 0, 2 + (uint32_t)i, &obs);
		snprintf(what, sizeof(what), "tls1.2 client order (%zu)",
		    count[i]);
		report(what, n, obs.tlsenum);
		assert_int_equal(obs.tlsenum->v[TLSENUM_TLS12].nciphers,
		    count[i]);
		assert_int_equal(obs.tlsenum->v[TLSENUM_TLS12].server_order, 0);
		observation_clear(&obs);
		SSL_CTX_free(ctx);
	}
}

/* TLS 1.3 only: suites in the server's order, groups by HRR. */
static void
test_tls13_only(void **state)
{
	static const uint16_t want[] = { 0x1303, 0x1301 };
	static const uint16_t groups[] = { 23, 29, 257 };
	static const int8_t vers[] = { 0, 0, 0, 0, 0, 1 };
	struct world *w = *state;
	SSL_CTX *ctx = ctx_new(&w->ec, TLS1_3_VERSION, TLS1_3_VERSION);
	struct observation obs = { 0 };
	unsigned n;

	assert_int_equal(SSL_CTX_set_ciphersuites(ctx,
	    "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"), 1);
	assert_int_equal(SSL_CTX_set1_groups_list(ctx,
	    "P-256:X25519:ffdhe3072"), 1);
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	n = run_plan(openssl_answer, ctx, 0, 3, &obs);
	report("tls1.3 only", n, obs.tlsenum);
	expect_versions(obs.tlsenum, vers);
	expect_suites(&obs.tlsenum->v[TLSENUM_TLS13], want, 2);
	assert_int_equal(obs.tlsenum->v[TLSENUM_TLS13].server_order, 1);
	expect_groups(obs.tlsenum, groups, 3);
	assert_true(obs.tlsenum->groups_tls13);
	/* nothing older to fall back to; renegotiation does not exist */
	assert_int_equal(obs.tlsenum->fallback_scsv, -1);
	assert_int_equal(obs.tlsenum->secure_reneg, -1);
	assert_int_equal(strlen(obs.tlsenum->ja3s), 32);
	observation_clear(&obs);
	SSL_CTX_free(ctx);
}

/*
 * A default OpenSSL 3 server (TLS 1.2 + 1.3, its default suites and
 * groups, server order): the truth is what OpenSSL says it would accept
 * with this certificate.  Also counts the attempts of a typical server,
 * with JARM.
 */
static void
test_default_server(void **state)
{
	static const int8_t vers[] = { 0, 0, 0, 0, 1, 1 };
	static const uint16_t groups[] = { 29, 23, 30, 25, 24, 256, 257, 258,
	    259, 260 };
	struct world *w = *state;
	SSL_CTX *ctx = ctx_new(&w->ec, TLS1_2_VERSION, TLS1_3_VERSION);
	struct observation obs = { 0 };
	uint16_t want12[128], want13[8];
	size_t n12 = 0, n13 = 0;
	STACK_OF(SSL_CIPHER) *sk;
	SSL *s;
	unsigned n;
	int i;

	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	s = SSL_new(ctx);
	sk = SSL_get1_supported_ciphers(s);
	for (i = 0; i < sk_SSL_CIPHER_num(sk); i++) {
		const SSL_CIPHER *c = sk_SSL_CIPHER_value(sk, i);
		uint16_t id = SSL_CIPHER_get_protocol_id(c);
		int auth = SSL_CIPHER_get_auth_nid(c);

		if ((id & 0xff00) == 0x1300)
			want13[n13++] = id;
		else if (auth == NID_auth_ecdsa)
			want12[n12++] = id;
	}
	sk_SSL_CIPHER_free(sk);
	SSL_free(s);
	n = run_plan(openssl_answer, ctx, ENUM_F_JARM, 4, &obs);
	report("openssl default (+JARM)", n, obs.tlsenum);
	expect_versions(obs.tlsenum, vers);
	expect_suites(&obs.tlsenum->v[TLSENUM_TLS12], want12, n12);
	expect_suites(&obs.tlsenum->v[TLSENUM_TLS13], want13, n13);
	assert_int_equal(obs.tlsenum->v[TLSENUM_TLS12].server_order, 1);
	expect_groups(obs.tlsenum, groups, 10);
	assert_int_equal(obs.tlsenum->fallback_scsv, 1);
	assert_int_equal(strlen(obs.jarm), 62);
	assert_string_equal(obs.jarm, obs.tlsenum->jarm);
	assert_string_not_equal(obs.jarm,
	    "00000000000000000000000000000000000000000000000000000000000000");
	print_message("      jarm %s ja3s %s\n", obs.jarm, obs.ja3s);
	observation_clear(&obs);
	SSL_CTX_free(ctx);
}

/*
 * The suites a context was configured with, in its order (OpenSSL's own
 * account of the truth): suites this build lacks (3DES is compiled out of
 * some) drop out of the configured list, so they are not expected.
 */
static size_t
configured(SSL_CTX *ctx, uint16_t *out, size_t max)
{
	STACK_OF(SSL_CIPHER) *sk = SSL_CTX_get_ciphers(ctx);
	size_t n = 0;
	int i;

	for (i = 0; i < sk_SSL_CIPHER_num(sk) && n < max; i++) {
		uint16_t id = SSL_CIPHER_get_protocol_id(
		    sk_SSL_CIPHER_value(sk, i));

		if ((id & 0xff00) != 0x1300)
			out[n++] = id;
	}
	return n;
}

/* TLS 1.0 and 1.1 only, SECLEVEL 0, 3DES among them (when built in). */
static void
test_tls10_tls11_3des(void **state)
{
	static const int8_t vers[] = { 0, 0, 1, 1, 0, 0 };
	struct world *w = *state;
	SSL_CTX *ctx = ctx_new(&w->rsa, TLS1_VERSION, TLS1_1_VERSION);
	struct observation obs = { 0 };
	uint16_t want[8];
	size_t nwant;
	unsigned n;

	assert_int_equal(SSL_CTX_set_cipher_list(ctx, "DES-CBC3-SHA:"
	    "AES128-SHA:ECDHE-RSA-AES256-SHA:@SECLEVEL=0"), 1);
	nwant = configured(ctx, want, 8);
	assert_true(nwant >= 2);
	if (want[0] != 0x000a)
		print_message("      (this OpenSSL has no 3DES in TLS)\n");
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	n = run_plan(openssl_answer, ctx, 0, 5, &obs);
	report("tls1.0+1.1 3des", n, obs.tlsenum);
	expect_versions(obs.tlsenum, vers);
	expect_suites(&obs.tlsenum->v[TLSENUM_TLS10], want, nwant);
	expect_suites(&obs.tlsenum->v[TLSENUM_TLS11], want, nwant);
	assert_int_equal(obs.tlsenum->v[TLSENUM_TLS10].server_order, 1);
	assert_int_equal(obs.tlsenum->fallback_scsv, 1);
	observation_clear(&obs);
	SSL_CTX_free(ctx);
}

/* Anonymous DH at SECLEVEL 0, with a 2048-bit group. */
static void
test_anon_dh(void **state)
{
	static const uint16_t want[] = { 0x00a7, 0x0034 };
	struct world *w = *state;
	SSL_CTX *ctx = ctx_new(&w->rsa, TLS1_2_VERSION, TLS1_2_VERSION);
	struct observation obs = { 0 };
	unsigned n;

	assert_int_equal(SSL_CTX_set_cipher_list(ctx, "ADH-AES256-GCM-SHA384:"
	    "ADH-AES128-SHA:@SECLEVEL=0"), 1);
	assert_int_equal(SSL_CTX_set0_tmp_dh_pkey(ctx, dh_group("ffdhe2048")),
	    1);
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	n = run_plan(openssl_answer, ctx, 0, 6, &obs);
	report("anon DH", n, obs.tlsenum);
	expect_suites(&obs.tlsenum->v[TLSENUM_TLS12], want, 2);
	assert_int_equal(obs.tlsenum->dh_bits, 2048);
	assert_int_equal(obs.tlsenum->v[TLSENUM_TLS12].ciphers[0].dh_bits,
	    2048);
	observation_clear(&obs);
	SSL_CTX_free(ctx);
}

/* NULL encryption suites. */
static void
test_null_ciphers(void **state)
{
	static const uint16_t want[] = { 0x003b, 0x0002 };
	struct world *w = *state;
	SSL_CTX *ctx = ctx_new(&w->rsa, TLS1_2_VERSION, TLS1_2_VERSION);
	struct observation obs = { 0 };
	unsigned n;

	assert_int_equal(SSL_CTX_set_cipher_list(ctx, "NULL-SHA256:NULL-SHA:"
	    "@SECLEVEL=0"), 1);
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	n = run_plan(openssl_answer, ctx, 0, 7, &obs);
	report("NULL ciphers", n, obs.tlsenum);
	expect_suites(&obs.tlsenum->v[TLSENUM_TLS12], want, 2);
	observation_clear(&obs);
	SSL_CTX_free(ctx);
}

/* DHE with a 1024-bit group, then with ffdhe2048. */
static void
test_dh_sizes(void **state)
{
	static const char *const groups[] = { "dh_1024_160", "ffdhe2048" };
	static const unsigned bits[] = { 1024, 2048 };
	static const uint16_t want[] = { 0x009e };
	struct world *w = *state;
	size_t i;

	for (i = 0; i < 2; i++) {
		SSL_CTX *ctx = ctx_new(&w->rsa, TLS1_2_VERSION, TLS1_2_VERSION);
		struct observation obs = { 0 };
		unsigned n;

		assert_int_equal(SSL_CTX_set_cipher_list(ctx,
		    "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0"), 1);
		assert_int_equal(SSL_CTX_set0_tmp_dh_pkey(ctx,
		    dh_group(groups[i])), 1);
		n = run_plan(openssl_answer, ctx, 0, 8 + (uint32_t)i, &obs);
		report(groups[i], n, obs.tlsenum);
		expect_suites(&obs.tlsenum->v[TLSENUM_TLS12], want, 1);
		assert_int_equal(obs.tlsenum->dh_bits, bits[i]);
		assert_int_equal(obs.tlsenum->v[TLSENUM_TLS12].server_order,
		    -1);
		observation_clear(&obs);
		SSL_CTX_free(ctx);
	}
}

/* RC4, which needs OpenSSL's legacy provider: skipped without it. */
static void
test_rc4_legacy(void **state)
{
	static const uint16_t want[] = { 0x0005, 0x0004 };
	struct world *w = *state;
	OSSL_PROVIDER *legacy, *deflt;
	SSL_CTX *ctx;
	struct observation obs = { 0 };
	unsigned n;

	legacy = OSSL_PROVIDER_load(NULL, "legacy");
	if (legacy == NULL) {
		ERR_clear_error();
		skip();
	}
	deflt = OSSL_PROVIDER_load(NULL, "default");
	ctx = ctx_new(&w->rsa, TLS1_2_VERSION, TLS1_2_VERSION);
	if (SSL_CTX_set_cipher_list(ctx, "RC4-SHA:RC4-MD5:@SECLEVEL=0") != 1) {
		ERR_clear_error();
		SSL_CTX_free(ctx);
		OSSL_PROVIDER_unload(deflt);
		OSSL_PROVIDER_unload(legacy);
		skip();
	}
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	n = run_plan(openssl_answer, ctx, 0, 9, &obs);
	report("RC4 (legacy provider)", n, obs.tlsenum);
	expect_suites(&obs.tlsenum->v[TLSENUM_TLS12], want, 2);
	observation_clear(&obs);
	SSL_CTX_free(ctx);
	OSSL_PROVIDER_unload(deflt);
	OSSL_PROVIDER_unload(legacy);
}

/* ---- a scripted SSLv2 + SSLv3 server ----------------------------------- */

/* What an old server (SSLv2 and SSLv3, nothing newer) would say. */
struct oldsrv {
	uint8_t		 der[4096];
	size_t		 derlen;
	struct tlswire_client_hello ch;	/* only fields copied below */
	bool		 v2;
	uint16_t	 version;
	uint16_t	 ciphers[600];
	size_t		 nciphers;
};

static void
old_on_ch(void *arg, const struct tlswire_client_hello *ch)
{
	struct oldsrv *o = arg;
	size_t i;

	o->v2 = ch->is_sslv2;
	o->version = ch->legacy_version;
	o->nciphers = 0;
	for (i = 0; i < ch->ciphers.count && i < 600; i++)
		o->ciphers[o->nciphers++] = tlswire_list16_get(&ch->ciphers, i);
}

static size_t
put_bytes(uint8_t *out, size_t off, const void *d, size_t n)
{
	memcpy(out + off, d, n);
	return off + n;
}

static size_t
put_n(uint8_t *out, size_t off, uint32_t v, size_t n)
{
	while (n-- > 0)
		out[off++] = (uint8_t)(v >> (8 * n));
	return off;
}

static size_t
sslv2_server_hello(const struct oldsrv *o, uint8_t *out)
{
	static const uint8_t specs[] = { 0x01, 0x00, 0x80, 0x07, 0x00, 0xc0 };
	size_t len = 11 + o->derlen + sizeof(specs) + 16, off = 0;

	off = put_n(out, off, 0x8000 | (uint32_t)len, 2);
	off = put_n(out, off, 4, 1);		/* SERVER-HELLO */
	off = put_n(out, off, 0, 1);		/* no session hit */
	off = put_n(out, off, 1, 1);		/* X.509 */
	off = put_n(out, off, 0x0002, 2);
	off = put_n(out, off, (uint32_t)o->derlen, 2);
	off = put_n(out, off, sizeof(specs), 2);
	off = put_n(out, off, 16, 2);
	off = put_bytes(out, off, o->der, o->derlen);
	off = put_bytes(out, off, specs, sizeof(specs));
	memset(out + off, 0x33, 16);		/* connection id */
	return off + 16;
}

/* SSLv3 ServerHello, Certificate, ServerHelloDone; or a fatal alert. */
static size_t
sslv3_answer(const struct oldsrv *o, uint8_t *out)
{
	static const uint16_t mine[] = { 0x000a, 0x0005, 0x002f };
	size_t off = 0, rec, i, k;
	uint16_t pick = 0;

	for (k = 0; k < 3 && pick == 0; k++)
		for (i = 0; i < o->nciphers; i++)
			if (o->ciphers[i] == mine[k])
				pick = mine[k];
	if (pick == 0) {
		static const uint8_t alert[] = { 21, 3, 0, 0, 2, 2, 40 };

		memcpy(out, alert, sizeof(alert));
		return sizeof(alert);
	}
	off = put_n(out, off, 0x16030000, 4);
	rec = off;
	off = put_n(out, off, 0, 1);
	off = put_n(out, off, 0x02000026, 4);	/* ServerHello, 38 */
	off = put_n(out, off, 0x0300, 2);
	memset(out + off, 0x44, 32);
	off += 32;
	off = put_n(out, off, 0, 1);		/* no session id */
	off = put_n(out, off, pick, 2);
	off = put_n(out, off, 0, 1);		/* null compression */
	off = put_n(out, off, 11, 1);		/* Certificate */
	off = put_n(out, off, (uint32_t)o->derlen + 6, 3);
	off = put_n(out, off, (uint32_t)o->derlen + 3, 3);
	off = put_n(out, off, (uint32_t)o->derlen, 3);
	off = put_bytes(out, off, o->der, o->derlen);
	off = put_n(out, off, 0x0e000000, 4);	/* ServerHelloDone */
	out[rec - 1] = (uint8_t)((off - rec) >> 8);
	out[rec] = (uint8_t)(off - rec);
	return off;
}

static size_t
old_answer(void *arg, const uint8_t *hello, size_t n, uint8_t *out,
    size_t max, bool *silent)
{
	struct oldsrv *o = arg;
	struct tlswire_events ev = { .arg = o, .on_client_hello = old_on_ch };
	struct tlswire_parser ps;

	(void)max;
	*silent = false;
	o->version = 0;
	tlswire_parser_init(&ps, TLSWIRE_DIR_CLIENT, 0, &ev);
	tlswire_feed(&ps, hello, n);
	tlswire_parser_free(&ps);
	if (o->version == 0)
		return 0;			/* not a hello: close */
	if (o->v2 && o->version == 0x0002)
		return sslv2_server_hello(o, out);
	if (o->version < 0x0300)
		return 0;
	return sslv3_answer(o, out);
}

static void
test_sslv2_sslv3(void **state)
{
	static const uint16_t want3[] = { 0x000a, 0x0005, 0x002f };
	static const int8_t vers[] = { 1, 1, 0, 0, 0, 0 };
	static struct oldsrv o;
	struct world *w = *state;
	struct observation obs = { 0 };
	const struct tls_enum *e;
	uint8_t *p = o.der;
	unsigned n;

	o.derlen = (size_t)i2d_X509(w->rsa.cert, &p);
	n = run_plan(old_answer, &o, 0, 10, &obs);
	e = obs.tlsenum;
	report("scripted SSLv2 + SSLv3", n, e);
	expect_versions(e, vers);
	assert_int_equal(e->v[TLSENUM_SSL2].nciphers, 2);
	assert_int_equal(e->v[TLSENUM_SSL2].ciphers[0].id, 0x010080);
	assert_string_equal(e->v[TLSENUM_SSL2].ciphers[0].name,
	    "SSL_CK_RC4_128_WITH_MD5");
	assert_int_equal(e->v[TLSENUM_SSL2].ciphers[1].id, 0x0700c0);
	expect_suites(&e->v[TLSENUM_SSL3], want3, 3);
	assert_int_equal(e->v[TLSENUM_SSL3].server_order, 1);
	observation_clear(&obs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls12_server_order),
		cmocka_unit_test(test_tls12_client_order),
		cmocka_unit_test(test_tls13_only),
		cmocka_unit_test(test_default_server),
		cmocka_unit_test(test_tls10_tls11_3des),
		cmocka_unit_test(test_anon_dh),
		cmocka_unit_test(test_null_ciphers),
		cmocka_unit_test(test_dh_sizes),
		cmocka_unit_test(test_sslv2_sslv3),
		cmocka_unit_test(test_rc4_legacy),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
