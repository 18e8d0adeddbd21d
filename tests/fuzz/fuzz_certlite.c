/*
 * fuzz_certlite.c: differential libFuzzer target for scanner/certlite.c.
 * The same bytes go to cert_record_from_der() and to the lite parser;
 * they must agree on accepting them and, when they do, on every field of
 * the record but x509.  The lite parse alone (certlite_fill) must never
 * accept what cert.c rejects.  Any disagreement aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "scanner/cert.h"
#include "scanner/certlite.h"

static void
differ(const char *what)
{
	fprintf(stderr, "certlite differs from cert.c: %s\n", what);
	abort();
}

static void
same_str(const char *what, const char *a, const char *b)
{
	if (a == NULL || b == NULL || strcmp(a, b) != 0) {
		fprintf(stderr, "full \"%s\" lite \"%s\"\n", a ? a : "(null)",
		    b ? b : "(null)");
		differ(what);
	}
}

static void
same(const struct cert_record *f, const struct cert_record *l)
{
	if (memcmp(f->sha256, l->sha256, CERT_SHA256_LEN) != 0 ||
	    memcmp(f->spki_sha256, l->spki_sha256, CERT_SHA256_LEN) != 0)
		differ("hashes");
	if (f->der_len != l->der_len || memcmp(f->der, l->der, f->der_len))
		differ("der");
	same_str("subject", f->subject, l->subject);
	same_str("issuer", f->issuer, l->issuer);
	same_str("serial", f->serial, l->serial);
	same_str("key_type", f->key_type, l->key_type);
	same_str("curve", f->curve, l->curve);
	same_str("sig_alg", f->sig_alg, l->sig_alg);
	same_str("eku", f->eku, l->eku);
	same_str("ocsp_urls", f->ocsp_urls, l->ocsp_urls);
	same_str("ca_issuers", f->ca_issuers, l->ca_issuers);
	same_str("crl_urls", f->crl_urls, l->crl_urls);
	same_str("ski", f->ski, l->ski);
	same_str("aki", f->aki, l->aki);
	if (f->nsans != l->nsans)
		differ("nsans");
	for (size_t i = 0; i < f->nsans; i++)
		same_str("san", f->sans[i], l->sans[i]);
	if (f->not_before != l->not_before || f->not_after != l->not_after)
		differ("times");
	if (f->key_bits != l->key_bits)
		differ("key_bits");
	if (f->is_ca != l->is_ca || f->self_signed != l->self_signed ||
	    f->version != l->version ||
	    f->has_basic_constraints != l->has_basic_constraints ||
	    f->path_len != l->path_len || f->key_usage != l->key_usage ||
	    f->sct_count != l->sct_count)
		differ("flags");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cert_record full, lite, fast;
	int rf = cert_record_from_der(&full, data, size);
	int rl = cert_record_from_der_lite(&lite, data, size);
	int rfast = certlite_fill(&fast, data, size);

	if (rf != rl)
		differ("verdict");
	if (rfast == 0 && rf != 0)
		differ("lite accepts what cert.c rejects");
	if (rf == 0) {
		same(&full, &lite);
		if (rfast == 0) {
			same(&full, &fast);
			if (fast.x509 != NULL)
				differ("x509 set by the lite path");
		}
	}
	if (ERR_peek_error() != 0)
		differ("error queue left dirty");
	cert_record_clear(&full);
	cert_record_clear(&lite);
	cert_record_clear(&fast);
	return 0;
}
