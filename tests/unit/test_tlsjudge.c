/*
 * test_tlsjudge.c: findings and Mozilla profiles from hand-made --enum
 * results (scanner/tlsjudge.c): each case states a server's configuration
 * and the rules and profile the guidelines give it.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "scanner/policy.h"
#include "scanner/record.h"
#include "scanner/tlsenum.h"
#include "scanner/tlsjudge.h"
#include "scanner/xmem.h"

static const char *const names[TLSENUM_VER__MAX] = {
	"SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3",
};

/* An observation whose server accepts the given suites per version. */
static void
server(struct observation *obs, const char *key_type, int key_bits)
{
	struct tls_enum *e = xcalloc(1, sizeof(*e));
	int v;

	memset(obs, 0, sizeof(*obs));
	for (v = 0; v < TLSENUM_VER__MAX; v++) {
		e->v[v].name = names[v];
		e->v[v].server_order = -1;
	}
	e->secure_reneg = e->compression = e->fallback_scsv = -1;
	obs->tlsenum = e;
	obs->chain = xcalloc(1, sizeof(*obs->chain));
	obs->chain_len = 1;
	obs->chain[0].key_type = xstrdup(key_type);
	obs->chain[0].key_bits = key_bits;
}

static void
accepts(struct observation *obs, int v, const uint16_t *ids, size_t n,
    bool fs)
{
	struct tls_enum_version *tv = &obs->tlsenum->v[v];
	size_t i;

	tv->supported = 1;
	tv->ciphers = xcalloc(n, sizeof(*tv->ciphers));
	for (i = 0; i < n; i++) {
		tv->ciphers[i].id = ids[i];
		tv->ciphers[i].name = "suite";
		tv->ciphers[i].fs = fs;
	}
	tv->nciphers = n;
}

static bool
has(const struct observation *obs, const char *rule)
{
	size_t i;

	for (i = 0; i < obs->nfindings; i++)
		if (strcmp(obs->findings[i].rule, rule) == 0)
			return true;
	return false;
}

static void
judge(struct observation *obs)
{
	struct policy *pol = policy_new_default();

	tlsjudge_evaluate(pol, obs);
	policy_free(pol);
}

static void
done(struct observation *obs)
{
	free(obs->chain[0].key_type);
	obs->chain[0].key_type = NULL;
	free(obs->chain);
	obs->chain = NULL;
	obs->chain_len = 0;
	observation_clear(obs);
}

static void
test_modern(void **state)
{
	static const uint16_t s13[] = { 0x1301, 0x1302, 0x1303 };
	struct observation obs;

	(void)state;
	server(&obs, "EC", 256);
	accepts(&obs, TLSENUM_TLS13, s13, 3, true);
	judge(&obs);
	assert_string_equal(obs.tlsenum->profile, "modern");
	assert_string_equal(obs.tlsenum->profile_reasons, "");
	assert_int_equal(obs.nfindings, 0);
	done(&obs);
}

static void
test_intermediate(void **state)
{
	static const uint16_t s13[] = { 0x1301, 0x1302 };
	static const uint16_t s12[] = { 0xc02f, 0xc030, 0xcca8 };
	struct observation obs;

	(void)state;
	server(&obs, "RSA", 2048);
	accepts(&obs, TLSENUM_TLS13, s13, 2, true);
	accepts(&obs, TLSENUM_TLS12, s12, 3, true);
	obs.tlsenum->secure_reneg = 1;
	obs.tlsenum->compression = 0;
	judge(&obs);
	assert_string_equal(obs.tlsenum->profile, "intermediate");
	assert_non_null(strstr(obs.tlsenum->profile_reasons,
	    "not modern: TLSv1.2 enabled"));
	assert_non_null(strstr(obs.tlsenum->profile_reasons, "not ECDSA"));
	assert_int_equal(obs.nfindings, 0);
	done(&obs);
}

/* TLS 1.0 with CBC and plain RSA: old, three findings. */
static void
test_old(void **state)
{
	static const uint16_t s[] = { 0xc013, 0x002f };
	struct observation obs;

	(void)state;
	server(&obs, "RSA", 2048);
	accepts(&obs, TLSENUM_TLS12, s, 2, true);
	accepts(&obs, TLSENUM_TLS10, s, 2, true);
	obs.tlsenum->v[TLSENUM_TLS10].ciphers[1].fs = false;
	obs.tlsenum->v[TLSENUM_TLS12].ciphers[1].fs = false;
	obs.tlsenum->secure_reneg = 1;
	obs.tlsenum->dh_bits = 1024;
	judge(&obs);
	assert_string_equal(obs.tlsenum->profile, "old");
	assert_non_null(strstr(obs.tlsenum->profile_reasons,
	    "not intermediate: "));
	assert_non_null(strstr(obs.tlsenum->profile_reasons,
	    "TLSv1 enabled"));
	assert_non_null(strstr(obs.tlsenum->profile_reasons, "DH parameters"));
	assert_true(has(&obs, "tls.tls10"));
	assert_true(has(&obs, "tls.no_forward_secrecy"));
	assert_true(has(&obs, "tls.weak_dh"));
	assert_false(has(&obs, "tls.weak_cipher"));
	assert_false(has(&obs, "tls.tls11"));
	done(&obs);
}

/* SSLv2, SSLv3, RC4, EXPORT, anon DH, compression, no RFC 5746. */
static void
test_none(void **state)
{
	static const uint16_t s3[] = { 0x0005, 0x0003, 0x0034, 0x0001 };
	struct observation obs;

	(void)state;
	server(&obs, "RSA", 1024);
	accepts(&obs, TLSENUM_SSL3, s3, 4, false);
	obs.tlsenum->v[TLSENUM_SSL2].supported = 1;
	obs.tlsenum->compression = 1;
	obs.tlsenum->secure_reneg = 0;
	judge(&obs);
	assert_string_equal(obs.tlsenum->profile, "none");
	assert_non_null(strstr(obs.tlsenum->profile_reasons, "not old: "));
	assert_non_null(strstr(obs.tlsenum->profile_reasons,
	    "RSA key under 2048 bits"));
	assert_true(has(&obs, "tls.sslv2"));
	assert_true(has(&obs, "tls.sslv3"));
	assert_true(has(&obs, "tls.weak_cipher"));
	assert_true(has(&obs, "tls.compression"));
	assert_true(has(&obs, "tls.no_secure_renegotiation"));
	assert_false(has(&obs, "tls.weak_dh"));
	done(&obs);
}

/* Nothing answered: nothing to judge. */
static void
test_nothing(void **state)
{
	struct observation obs;

	(void)state;
	server(&obs, "EC", 256);
	judge(&obs);
	assert_string_equal(obs.tlsenum->profile, "");
	assert_int_equal(obs.nfindings, 0);
	done(&obs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modern),
		cmocka_unit_test(test_intermediate),
		cmocka_unit_test(test_old),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
