/*
 * test_cert.c: scanner/cert.c against real certificates (badssl, zlint;
 * tests/data/certs with facts computed by pyca/cryptography in
 * cert-facts.tsv) and against certificates built here with the exact
 * oddities to check (NUL in a SAN, years 1950 and 2060, negative serials,
 * unknown key algorithms, RSASSA-PSS), plus inputs that are not
 * certificates at all.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "scanner/cert.h"

/* The DER bytes of the first PEM block of tests/data/certs/name. */
static uint8_t *
load_der(const char *name, size_t *len)
{
	const char *src = getenv("CERTSWEEP_SRC");
	char path[1024], *pname = NULL, *header = NULL;
	unsigned char *data = NULL;
	long n = 0;
	BIO *bio;
	uint8_t *der;

	snprintf(path, sizeof(path), "%s/tests/data/certs/%s",
	    src != NULL ? src : ".", name);
	bio = BIO_new_file(path, "r");
	if (bio == NULL)
		fail_msg("cannot open %s (set CERTSWEEP_SRC)", path);
	assert_int_equal(PEM_read_bio(bio, &pname, &header, &data, &n), 1);
	BIO_free(bio);
	der = malloc((size_t)n);
	assert_non_null(der);
	memcpy(der, data, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(pname);
	OPENSSL_free(header);
	OPENSSL_free(data);
	return der;
}

static int64_t
iso_time(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, se;

	assert_int_equal(sscanf(s, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi,
	    &se), 6);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	return (int64_t)timegm(&tm);
}

/* Replaces every occurrence of from with to in s (to no longer). */
static void
replace_all(char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to);
	char *p;

	assert_true(tl <= fl);
	while ((p = strstr(s, from)) != NULL) {
		memcpy(p, to, tl);
		memmove(p + tl, p + fl, strlen(p + fl) + 1);
	}
}

/*
 * Our DN text is OpenSSL's (as Zeek prints it); pyca names two attribute
 * types differently.  Everything else must match byte for byte.
 */
static char *
dn_as_pyca(const char *dn)
{
	char *s = strdup(dn);

	assert_non_null(s);
	replace_all(s, "street=", "STREET=");
	replace_all(s, "postalCode=", "2.5.4.17=");
	return s;
}

static void
check_sans(const struct cert_record *rec, const char *want)
{
	char *copy = strdup(want), *save = NULL, *tok;
	size_t i = 0;

	assert_non_null(copy);
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save), i++) {
		char buf[512];

		if (strncmp(tok, "IPAddress:", 10) == 0)
			snprintf(buf, sizeof(buf), "IP:%s", tok + 10);
		else
			snprintf(buf, sizeof(buf), "%s", tok);
		assert_true(i < rec->nsans);
		assert_string_equal(rec->sans[i], buf);
	}
	assert_int_equal(i, rec->nsans);
	free(copy);
}

/* One cert-facts.tsv row against our record. */
static void
check_row(char **f)
{
	struct cert_record rec;
	char hex[65], want[128], *dn;
	const char *serial;
	uint8_t *der;
	size_t len;

	der = load_der(f[0], &len);
	assert_int_equal(cert_record_from_der(&rec, der, len), 0);
	cert_hex(rec.sha256, sizeof(rec.sha256), hex);
	assert_string_equal(hex, f[3]);
	/* pyca prints the integer, so a leading zero nibble goes too. */
	for (serial = rec.serial; serial[0] == '0' && serial[1]; serial++)
		;
	assert_string_equal(serial, f[5]);
	dn = dn_as_pyca(rec.subject);
	assert_string_equal(dn, f[6]);
	free(dn);
	dn = dn_as_pyca(rec.issuer);
	assert_string_equal(dn, f[7]);
	free(dn);
	assert_int_equal(rec.not_before, iso_time(f[8]));
	assert_int_equal(rec.not_after, iso_time(f[9]));
	snprintf(want, sizeof(want), "%s", f[10]);
	if (strstr(want, " (") != NULL)
		*strstr(want, " (") = '\0';
	assert_string_equal(rec.sig_alg, want);
	if (strcmp(f[11], "rsa") == 0) {
		assert_string_equal(rec.key_type, "RSA");
		assert_string_equal(rec.curve, "");
	} else {
		assert_int_equal(strncmp(f[11], "ec:", 3), 0);
		assert_string_equal(rec.key_type, "EC");
		assert_string_equal(rec.curve,
		    strcmp(f[11] + 3, "secp256r1") == 0 ? "prime256v1" :
		    f[11] + 3);
	}
	assert_int_equal(rec.key_bits, strtol(f[12], NULL, 10));
	assert_int_equal(rec.self_signed, strcmp(f[14], "True") == 0);
	if (strncmp(f[15], "CA=", 3) == 0) {
		assert_true(rec.has_basic_constraints);
		assert_int_equal(rec.is_ca, strncmp(f[15], "CA=True", 7) == 0);
		if (strstr(f[15], "pathlen=None") != NULL)
			assert_int_equal(rec.path_len, -1);
		else
			assert_int_equal(rec.path_len,
			    strtol(strstr(f[15], "pathlen=") + 8, NULL, 10));
	} else
		assert_false(rec.has_basic_constraints);
	check_sans(&rec, f[16]);
	assert_int_equal(rec.der_len, len);
	assert_memory_equal(rec.der, der, len);
	cert_record_clear(&rec);
	free(der);
}

static void
test_facts_match_tsv(void **state)
{
	const char *src = getenv("CERTSWEEP_SRC");
	char path[1024];
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rows = 0;
	FILE *fp;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/data/certs/cert-facts.tsv",
	    src != NULL ? src : ".");
	fp = fopen(path, "r");
	assert_non_null(fp);
	while ((n = getline(&line, &cap, fp)) > 0) {
		char *f[17], *p = line;
		int nf = 0;

		if (line[0] == '#')
			continue;
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		while (nf < 17 && p != NULL) {
			f[nf++] = p;
			if ((p = strchr(p, '\t')) != NULL)
				*p++ = '\0';
		}
		assert_int_equal(nf, 17);
		assert_string_equal(f[2], "ok");
		check_row(f);
		rows++;
	}
	free(line);
	fclose(fp);
	assert_int_equal(rows, 16);
}

/* Extension facts of a real leaf, as `openssl x509 -text` shows them. */
static void
test_extensions_of_real_leaf(void **state)
{
	struct cert_record rec;
	uint8_t *der;
	size_t len;

	(void)state;
	der = load_der("badssl-wildcard-rsa2048.pem", &len);
	assert_int_equal(cert_record_from_der(&rec, der, len), 0);
	assert_int_equal(rec.version, 3);
	assert_string_equal(rec.eku, "serverAuth,clientAuth");
	assert_int_equal(rec.key_usage,
	    KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
	assert_string_equal(rec.ocsp_urls, "http://ocsp.digicert.com");
	assert_string_equal(rec.ca_issuers,
	    "http://cacerts.digicert.com/DigiCertSHA2SecureServerCA.crt");
	assert_string_equal(rec.crl_urls,
	    "http://crl3.digicert.com/ssca-sha2-g6.crl,"
	    "http://crl4.digicert.com/ssca-sha2-g6.crl");
	assert_string_equal(rec.ski,
	    "9deec17b810b3a476971187d113793bca51b3ffb");
	assert_string_equal(rec.aki,
	    "0f80611c823161d52f28e78d4638b42ce1c6d9e2");
	assert_int_equal(rec.sct_count, 3);
	assert_true(rec.has_basic_constraints);
	assert_false(rec.is_ca);
	cert_record_clear(&rec);
	free(der);

	der = load_der("badssl-wildcard-sha256-rsa2048-embeded-sct.pem", &len);
	assert_int_equal(cert_record_from_der(&rec, der, len), 0);
	assert_int_equal(rec.sct_count, 4);
	cert_record_clear(&rec);
	free(der);

	/* No extensions beyond BC and SAN: every list empty, never NULL. */
	der = load_der("badssl-wildcard-self-signed.pem", &len);
	assert_int_equal(cert_record_from_der(&rec, der, len), 0);
	assert_int_equal(rec.key_usage, UINT32_MAX);
	assert_string_equal(rec.eku, "");
	assert_string_equal(rec.ocsp_urls, "");
	assert_string_equal(rec.ca_issuers, "");
	assert_string_equal(rec.crl_urls, "");
	assert_string_equal(rec.ski, "");
	assert_string_equal(rec.aki, "");
	assert_int_equal(rec.sct_count, 0);
	cert_record_clear(&rec);
	free(der);
}

static void
expect_reject(const uint8_t *der, size_t len)
{
	struct cert_record rec;

	memset(&rec, 0xa5, sizeof(rec));
	assert_int_equal(cert_record_from_der(&rec, der, len), -1);
	/* Nothing to free: every pointer NULL. */
	assert_null(rec.der);
	assert_null(rec.subject);
	assert_null(rec.sans);
	assert_int_equal(rec.nsans, 0);
	cert_record_clear(&rec);
	assert_int_equal(ERR_peek_error(), 0);
}

static void
test_not_certificates(void **state)
{
	static const uint8_t garbage[] = "GET / HTTP/1.1\r\n\r\n";
	static const uint8_t seq[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	uint8_t *der, *longer;
	size_t len;

	(void)state;
	expect_reject(garbage, sizeof(garbage) - 1);
	expect_reject(seq, sizeof(seq));
	expect_reject(NULL, 0);
	expect_reject(garbage, 0);
	der = load_der("badssl-wildcard-ecc384.pem", &len);
	expect_reject(der, len - 1);
	expect_reject(der, len / 2);
	expect_reject(der, 4);
	longer = malloc(len + 1);
	assert_non_null(longer);
	memcpy(longer, der, len);
	longer[len] = 0;
	expect_reject(longer, len + 1);
	free(longer);
	free(der);
}

static void
test_clear_is_idempotent(void **state)
{
	struct cert_record rec;
	uint8_t *der;
	size_t len;

	(void)state;
	memset(&rec, 0, sizeof(rec));
	cert_record_clear(&rec);
	der = load_der("badssl-subdomain-no-subject.pem", &len);
	assert_int_equal(cert_record_from_der(&rec, der, len), 0);
	assert_string_equal(rec.subject, "");
	cert_record_clear(&rec);
	assert_null(rec.subject);
	cert_record_clear(&rec);
	free(der);
}

/* ---- certificates built here ---- */

static void
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

static void
add_san(GENERAL_NAMES *gens, int type, const void *data, int len)
{
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_STRING *s = type == GEN_IPADD ? ASN1_OCTET_STRING_new() :
	    ASN1_IA5STRING_new();

	assert_non_null(gn);
	assert_int_equal(ASN1_STRING_set(s, data, len), 1);
	GENERAL_NAME_set0_value(gn, type, s);
	assert_true(sk_GENERAL_NAME_push(gens, gn) > 0);
}

static void
add_odd_sans(X509 *x)
{
	static const uint8_t v4[] = { 192, 0, 2, 1 };
	static const uint8_t v6[] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 1 };
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_TYPE *val = ASN1_TYPE_new();
	X509_NAME *dn = X509_NAME_new();

	add_san(gens, GEN_DNS, "a\0b.example", 11);
	add_san(gens, GEN_IPADD, v4, 4);
	add_san(gens, GEN_IPADD, v6, 16);
	add_san(gens, GEN_EMAIL, "ops@example.org", -1);
	add_san(gens, GEN_URI, "https://example.org/x\\y", -1);
	ASN1_TYPE_set(val, V_ASN1_NULL, NULL);
	assert_int_equal(GENERAL_NAME_set0_othername(gn,
	    OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1), val), 1);
	sk_GENERAL_NAME_push(gens, gn);
	gn = GENERAL_NAME_new();
	X509_NAME_add_entry_by_txt(dn, "CN", MBSTRING_ASC,
	    (const unsigned char *)"dir, name", -1, -1, 0);
	GENERAL_NAME_set0_value(gn, GEN_DIRNAME, dn);
	sk_GENERAL_NAME_push(gens, gn);
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
	    X509V3_ADD_DEFAULT), 1);
	GENERAL_NAMES_free(gens);
}

static void
add_ad(AUTHORITY_INFO_ACCESS *aia, int nid, const char *uri)
{
	ACCESS_DESCRIPTION *ad = ACCESS_DESCRIPTION_new();
	ASN1_IA5STRING *s = ASN1_IA5STRING_new();

	ASN1_OBJECT_free(ad->method);
	ad->method = OBJ_nid2obj(nid);
	ASN1_STRING_set(s, uri, -1);
	GENERAL_NAME_set0_value(ad->location, GEN_URI, s);
	assert_true(sk_ACCESS_DESCRIPTION_push(aia, ad) > 0);
}

/* By hand: the config syntax cannot put a comma into a URL. */
static void
add_aia(X509 *x)
{
	AUTHORITY_INFO_ACCESS *aia = sk_ACCESS_DESCRIPTION_new_null();

	add_ad(aia, NID_ad_OCSP, "http://ocsp.example/");
	add_ad(aia, NID_ad_ca_issuers, "http://ca.example/ca.der");
	add_ad(aia, NID_ad_OCSP, "http://ocsp2.example/a,b");
	assert_int_equal(X509_add1_ext_i2d(x, NID_info_access, aia, 0,
	    X509V3_ADD_DEFAULT), 1);
	AUTHORITY_INFO_ACCESS_free(aia);
}

static X509 *
new_cert(EVP_PKEY *key, const char *cn, const char *issuer_cn)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 0x0102);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_NAME_free(name);
	name = X509_NAME_new();
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)issuer_cn, -1, -1, 0);
	X509_set_issuer_name(x, name);
	X509_NAME_free(name);
	return x;
}

static void
parse_x509(X509 *x, struct cert_record *rec)
{
	unsigned char *der = NULL;
	int len = i2d_X509(x, &der);

	assert_true(len > 0);
	assert_int_equal(cert_record_from_der(rec, der, (size_t)len), 0);
	OPENSSL_free(der);
}

static void
test_built_cert_every_field(void **state)
{
	EVP_PKEY *key = EVP_EC_gen("P-384");
	X509 *x = new_cert(key, "caf\xc3\xa9 \"q\"", "caf\xc3\xa9 \"q\"");
	struct cert_record rec;
	ASN1_TIME *t = ASN1_TIME_new();

	(void)state;
	ASN1_INTEGER_set(X509_get_serialNumber(x), -0x0102);
	assert_int_equal(ASN1_TIME_set_string(t, "19500101000000Z"), 1);
	X509_set1_notBefore(x, t);
	assert_int_equal(ASN1_TIME_set_string(t, "20600229123456Z"), 1);
	X509_set1_notAfter(x, t);
	add_ext(x, NID_basic_constraints, "critical,CA:TRUE,pathlen:2");
	add_ext(x, NID_key_usage, "critical,keyCertSign,cRLSign");
	add_ext(x, NID_ext_key_usage, "serverAuth,OCSPSigning,1.2.3.4.5");
	add_ext(x, NID_subject_key_identifier, "01:02:AB:CD");
	add_ext(x, NID_authority_key_identifier, "keyid:always");
	add_aia(x);
	add_ext(x, NID_crl_distribution_points, "URI:http://crl.example/a.crl");
	add_odd_sans(x);
	assert_true(X509_sign(x, key, EVP_sha384()) > 0);
	parse_x509(x, &rec);

	assert_string_equal(rec.subject, "CN=caf\xc3\xa9 \\\"q\\\"");
	assert_string_equal(rec.serial, "-0102");
	assert_int_equal(rec.not_before, -631152000);	/* 1950-01-01 */
	assert_int_equal(rec.not_after, iso_time("2060-02-29T12:34:56"));
	assert_string_equal(rec.key_type, "EC");
	assert_int_equal(rec.key_bits, 384);
	assert_string_equal(rec.curve, "secp384r1");
	assert_string_equal(rec.sig_alg, "ecdsa-with-SHA384");
	assert_int_equal(rec.nsans, 7);
	assert_string_equal(rec.sans[0], "DNS:a\\x00b.example");
	assert_string_equal(rec.sans[1], "IP:192.0.2.1");
	assert_string_equal(rec.sans[2], "IP:2001:db8::1");
	assert_string_equal(rec.sans[3], "email:ops@example.org");
	assert_string_equal(rec.sans[4], "URI:https://example.org/x\\x5cy");
	assert_string_equal(rec.sans[5], "othername:1.3.6.1.4.1.99999.1");
	assert_string_equal(rec.sans[6], "DirName:CN=dir\\, name");
	assert_true(rec.is_ca);
	assert_true(rec.has_basic_constraints);
	assert_int_equal(rec.path_len, 2);
	assert_true(rec.self_signed);
	assert_int_equal(rec.version, 3);
	assert_int_equal(rec.key_usage, KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	assert_string_equal(rec.eku, "serverAuth,OCSPSigning,1.2.3.4.5");
	/* A comma inside a URL is escaped so the list stays a list. */
	assert_string_equal(rec.ocsp_urls,
	    "http://ocsp.example/,http://ocsp2.example/a\\x2cb");
	assert_string_equal(rec.ca_issuers, "http://ca.example/ca.der");
	assert_string_equal(rec.crl_urls, "http://crl.example/a.crl");
	assert_string_equal(rec.ski, "0102abcd");
	assert_string_equal(rec.aki, "0102abcd");
	assert_int_equal(rec.sct_count, 0);
	cert_record_clear(&rec);
	ASN1_TIME_free(t);
	X509_free(x);
	EVP_PKEY_free(key);
}

/* Same name, but signed by another key: self-issued, not self-signed. */
static void
test_self_signed_needs_signature(void **state)
{
	EVP_PKEY *key = EVP_EC_gen("P-256"), *other = EVP_EC_gen("P-256");
	X509 *x = new_cert(key, "same", "same");
	struct cert_record rec;

	(void)state;
	assert_true(X509_sign(x, other, EVP_sha256()) > 0);
	parse_x509(x, &rec);
	assert_false(rec.self_signed);
	assert_string_equal(rec.subject, rec.issuer);
	assert_string_equal(rec.serial, "0102");
	cert_record_clear(&rec);
	X509_free(x);

	x = new_cert(key, "leaf", "issuer");
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	parse_x509(x, &rec);
	assert_false(rec.self_signed);
	assert_string_equal(rec.issuer, "CN=issuer");
	cert_record_clear(&rec);
	X509_free(x);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

static void
test_v1_ed25519_zero_serial(void **state)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	X509 *x = new_cert(key, "v1", "v1");
	struct cert_record rec;

	(void)state;
	X509_set_version(x, X509_VERSION_1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 0);
	assert_true(X509_sign(x, key, NULL) > 0);
	parse_x509(x, &rec);
	assert_int_equal(rec.version, 1);
	assert_string_equal(rec.serial, "0");
	assert_string_equal(rec.key_type, "Ed25519");
	assert_string_equal(rec.sig_alg, "ED25519");
	assert_false(rec.has_basic_constraints);
	assert_false(rec.is_ca);
	assert_int_equal(rec.path_len, -1);
	assert_int_equal(rec.key_usage, UINT32_MAX);
	assert_int_equal(rec.nsans, 0);
	assert_true(rec.self_signed);
	cert_record_clear(&rec);
	X509_free(x);
	EVP_PKEY_free(key);
}

/* An SPKI algorithm OpenSSL cannot load still parses. */
static void
test_unknown_key_algorithm(void **state)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = new_cert(key, "odd key", "ca");
	struct cert_record rec;
	unsigned char *bits = OPENSSL_malloc(4);

	(void)state;
	memcpy(bits, "\x01\x02\x03\x04", 4);
	assert_int_equal(X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x),
	    OBJ_txt2obj("1.3.6.1.4.1.99999.7", 1), V_ASN1_UNDEF, NULL, bits,
	    4), 1);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	parse_x509(x, &rec);
	assert_string_equal(rec.key_type, "1.3.6.1.4.1.99999.7");
	assert_int_equal(rec.key_bits, 0);
	assert_string_equal(rec.curve, "");
	assert_string_equal(rec.subject, "CN=odd key");
	cert_record_clear(&rec);
	X509_free(x);
	EVP_PKEY_free(key);
}

static void
test_rsa_pss_names_hash(void **state)
{
	EVP_PKEY *key = EVP_RSA_gen(2048);
	X509 *x = new_cert(key, "pss", "pss");
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	struct cert_record rec;

	(void)state;
	assert_int_equal(EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL,
	    key), 1);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(pctx,
	    RSA_PKCS1_PSS_PADDING) > 0);
	assert_true(X509_sign_ctx(x, md) > 0);
	parse_x509(x, &rec);
	assert_string_equal(rec.sig_alg, "RSASSA-PSS(sha256)");
	assert_string_equal(rec.key_type, "RSA");
	assert_int_equal(rec.key_bits, 2048);
	assert_true(rec.self_signed);
	cert_record_clear(&rec);
	EVP_MD_CTX_free(md);
	X509_free(x);
	EVP_PKEY_free(key);
}

/* cert_ipv4_text() is inet_ntop(AF_INET): every value in every octet. */
static void
test_ipv4_text(void **state)
{
	unsigned char a[4];
	char got[16], want[INET_ADDRSTRLEN];

	(void)state;
	for (int pos = 0; pos < 4; pos++)
		for (int v = 0; v < 256; v++) {
			a[0] = 10;
			a[1] = 0;
			a[2] = 255;
			a[3] = 99;
			a[pos] = (unsigned char)v;
			cert_ipv4_text(a, got);
			assert_non_null(inet_ntop(AF_INET, a, want,
			    sizeof(want)));
			assert_string_equal(got, want);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts_match_tsv),
		cmocka_unit_test(test_extensions_of_real_leaf),
		cmocka_unit_test(test_not_certificates),
		cmocka_unit_test(test_clear_is_idempotent),
		cmocka_unit_test(test_built_cert_every_field),
		cmocka_unit_test(test_self_signed_needs_signature),
		cmocka_unit_test(test_v1_ed25519_zero_serial),
		cmocka_unit_test(test_unknown_key_algorithm),
		cmocka_unit_test(test_rsa_pss_names_hash),
		cmocka_unit_test(test_ipv4_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
