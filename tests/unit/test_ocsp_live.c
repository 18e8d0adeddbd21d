/*
 * test_ocsp_live.c: scanner/ocsp_live.c without a responder: which AIA
 * URL is asked, what is refused before any traffic (no URL, https, no
 * issuer), and that a failed query is remembered for the run.  The
 * queries themselves, against a real 'openssl ocsp' responder, are in
 * tests/integration/t_revocation.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/x509v3.h>

#include "scanner/cert.h"
#include "scanner/ocsp_live.h"
#include "scanner/verify.h"
#include "scanner/xmem.h"

static void
test_pick_url(void **state)
{
	char	 u[64];

	(void)state;
	assert_int_equal(ocsp_live_pick_url("", u, sizeof(u)), -1);
	assert_int_equal(ocsp_live_pick_url("https://o.example/", u,
	    sizeof(u)), -1);
	assert_int_equal(ocsp_live_pick_url("ldap://x,http://o.example/a",
	    u, sizeof(u)), 0);
	assert_string_equal(u, "http://o.example/a");
	assert_int_equal(ocsp_live_pick_url("HTTP://O.example", u,
	    sizeof(u)), 0);
	assert_string_equal(u, "HTTP://O.example");
	/* an escaped comma inside: skipped, the next one taken */
	assert_int_equal(ocsp_live_pick_url("http://a.example/x\\x2cy,"
	    "http://b.example/", u, sizeof(u)), 0);
	assert_string_equal(u, "http://b.example/");
	/* too long for the buffer: not truncated into another URL */
	assert_int_equal(ocsp_live_pick_url("http://a-very-long-name."
	    "example/with/a/long/path/that/does/not/fit/anywhere", u, 16), -1);
	assert_int_equal(ocsp_live_pick_url("http://", u, sizeof(u)), -1);
}

/* A self-made CA and leaf with the AIA OCSP URL given. */
static void
make_pair(const char *url, struct cert_record *leaf, struct cert_record *ca)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509	*x[2];

	assert_non_null(k);
	for (int i = 0; i < 2; i++) {
		X509_NAME *n;

		x[i] = X509_new();
		assert_non_null(x[i]);
		X509_set_version(x[i], 2);
		ASN1_INTEGER_set(X509_get_serialNumber(x[i]), 10 + i);
		X509_gmtime_adj(X509_getm_notBefore(x[i]), -86400);
		X509_gmtime_adj(X509_getm_notAfter(x[i]), 86400);
		X509_set_pubkey(x[i], k);
		n = X509_get_subject_name(x[i]);
		X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
		    (const unsigned char *)(i == 0 ? "leaf" : "ca"), -1, -1,
		    0);
	}
	X509_set_issuer_name(x[0], X509_get_subject_name(x[1]));
	X509_set_issuer_name(x[1], X509_get_subject_name(x[1]));
	if (url != NULL) {
		X509V3_CTX ctx;
		X509_EXTENSION *e;
		char	 v[256];

		snprintf(v, sizeof(v), "OCSP;URI:%s", url);
		X509V3_set_ctx_nodb(&ctx);
		X509V3_set_ctx(&ctx, x[1], x[0], NULL, NULL, 0);
		e = X509V3_EXT_conf_nid(NULL, &ctx, NID_info_access, v);
		assert_non_null(e);
		X509_add_ext(x[0], e, -1);
		X509_EXTENSION_free(e);
	}
	for (int i = 0; i < 2; i++)
		assert_true(X509_sign(x[i], k, EVP_sha256()) > 0);
	assert_int_equal(cert_record_from_x509(leaf, x[0]), 0);
	assert_int_equal(cert_record_from_x509(ca, x[1]), 0);
	X509_free(x[0]);
	X509_free(x[1]);
	EVP_PKEY_free(k);
}

static struct verify_ctx *
empty_vctx(void)
{
	struct verify_opts o = { .system_store = false };
	char	 err[256];
	struct verify_ctx *v = verify_ctx_new(&o, err, sizeof(err));

	if (v == NULL)
		fail_msg("%s", err);
	return v;
}

static void
test_refused_before_traffic(void **state)
{
	struct ocsp_live *ol = ocsp_live_new(10);
	struct verify_ctx *v = empty_vctx();
	struct cert_record c[2];
	uint8_t	*der = NULL;
	size_t	 len = 0;
	char	 err[256];

	(void)state;
	make_pair(NULL, &c[0], &c[1]);
	assert_int_equal(ocsp_live_query(ol, v, c, 2, &der, &len, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "no http:// OCSP URL"));
	cert_record_clear(&c[0]);
	cert_record_clear(&c[1]);

	make_pair("https://127.0.0.1:9/", &c[0], &c[1]);
	assert_int_equal(ocsp_live_query(ol, v, c, 2, &der, &len, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "no http:// OCSP URL"));
	cert_record_clear(&c[0]);
	cert_record_clear(&c[1]);

	/* the leaf alone, its issuer nowhere */
	make_pair("http://127.0.0.1:9/", &c[0], &c[1]);
	assert_int_equal(ocsp_live_query(ol, v, c, 1, &der, &len, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "issuer"));
	assert_null(der);
	cert_record_clear(&c[0]);
	cert_record_clear(&c[1]);
	verify_ctx_free(v);
	ocsp_live_free(ol);
}

/*
 * Port 9 (discard) on loopback: refused, or at worst no OCSP answer.
 * The failure is cached: the second query, whose URL is rewritten to a
 * form OpenSSL cannot even parse, still gets the first error, because
 * the cache is keyed by (issuer, serial), not by URL.
 */
static void
test_failure_cached(void **state)
{
	struct ocsp_live *ol = ocsp_live_new(1);
	struct verify_ctx *v = empty_vctx();
	struct cert_record c[2];
	uint8_t	*der = NULL;
	size_t	 len = 0;
	char	 err1[256], err2[256];

	(void)state;
	make_pair("http://127.0.0.1:9/", &c[0], &c[1]);
	assert_int_equal(ocsp_live_query(ol, v, c, 2, &der, &len, err1,
	    sizeof(err1)), -1);
	assert_non_null(strstr(err1, "OCSP responder http://127.0.0.1:9/"));
	free(c[0].ocsp_urls);
	c[0].ocsp_urls = xstrdup("http://[::1");
	assert_int_equal(ocsp_live_query(ol, v, c, 2, &der, &len, err2,
	    sizeof(err2)), -1);
	assert_string_equal(err1, err2);
	assert_null(der);
	cert_record_clear(&c[0]);
	cert_record_clear(&c[1]);
	verify_ctx_free(v);
	ocsp_live_free(ol);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick_url),
		cmocka_unit_test(test_refused_before_traffic),
		cmocka_unit_test(test_failure_cached),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
