/*
 * fuzz_cert.c: libFuzzer target for scanner/cert.c.  Any bytes go to
 * cert_record_from_der(); on success every string must be NUL-terminated
 * and non-NULL, then the record is cleared (ASan checks the frees).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/cert.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cert_record rec;
	char hex[2 * CERT_SHA256_LEN + 1];

	if (cert_record_from_der(&rec, data, size) == 0) {
		const char *s[] = { rec.subject, rec.issuer, rec.serial,
		    rec.key_type, rec.curve, rec.sig_alg, rec.eku,
		    rec.ocsp_urls, rec.ca_issuers, rec.crl_urls, rec.ski,
		    rec.aki };

		for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
			if (s[i] == NULL || strlen(s[i]) > 64 * 1024)
				abort();
		for (size_t i = 0; i < rec.nsans; i++)
			if (rec.sans[i] == NULL)
				abort();
		if (rec.der_len != size || memcmp(rec.der, data, size) != 0)
			abort();
		cert_hex(rec.sha256, sizeof(rec.sha256), hex);
	}
	cert_record_clear(&rec);
	return 0;
}
