/*
 * test_tlsnames.c: the name tables of probes/tlswire (tlsnames.c,
 * tlsparams.c): cipher-suite properties derived from IANA names, lookups,
 * and a cross-check of IANA and OpenSSL names against OpenSSL's own table
 * (`openssl ciphers -V -stdname`; skipped when the CLI is missing).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <cmocka.h>

#include "probes/tlswire.h"

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
		cmocka_unit_test(test_cipher_table),
		cmocka_unit_test(test_other_names),
		cmocka_unit_test(test_cipher_names_match_openssl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
