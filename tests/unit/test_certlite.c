/*
 * test_certlite.c: differential tests of the lite certificate parser
 * (scanner/certlite.c) against cert_record_from_der(): every field of the
 * record but x509 must be equal, for every certificate in tests/data
 * (certs, badssl chains and interception roots, zlint, the Mozilla roots,
 * whatever looks like a certificate inside the pcaps), certificates built
 * here with each key type, string type and extension oddity, and broken
 * DER (every truncation, bit flips, random byte changes).  Lite may fall
 * back, never differ.  The name printer and comparison are also checked
 * on their own against X509_NAME_print_ex() and X509_NAME_cmp(), and the
 * speed of both parsers is printed (no assertion).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "scanner/cert.h"
#include "scanner/certlite.h"

struct blob {
	uint8_t	*p;
	size_t	 len;
};

struct corpus {
	struct blob	*b;
	size_t		 n;
};

static void
corpus_add(struct corpus *c, const void *p, size_t len)
{
	c->b = realloc(c->b, (c->n + 1) * sizeof(*c->b));
	assert_non_null(c->b);
	c->b[c->n].p = malloc(len ? len : 1);
	assert_non_null(c->b[c->n].p);
	memcpy(c->b[c->n].p, p, len);
	c->b[c->n++].len = len;
}

static void
corpus_free(struct corpus *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->b[i].p);
	free(c->b);
	memset(c, 0, sizeof(*c));
}

static const char *
src_dir(void)
{
	const char *s = getenv("CERTSWEEP_SRC");

	return s != NULL ? s : ".";
}

/* Every PEM CERTIFICATE block of a file, as its exact DER bytes. */
static void
load_pem_file(struct corpus *c, const char *path)
{
	BIO *bio = BIO_new_file(path, "r");
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long n;

	if (bio == NULL)
		return;
	while (PEM_read_bio(bio, &name, &header, &data, &n) == 1) {
		if (strcmp(name, "CERTIFICATE") == 0)
			corpus_add(c, data, (size_t)n);
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
	}
	ERR_clear_error();
	BIO_free(bio);
}

static void
load_dir(struct corpus *c, const char *sub, bool pem)
{
	char path[2048];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", src_dir(), sub);
	if ((d = opendir(path)) == NULL)
		fail_msg("cannot open %s (set CERTSWEEP_SRC)", path);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", src_dir(), sub,
		    de->d_name);
		if (pem)
			load_pem_file(c, path);
		else {
			FILE *fp = fopen(path, "rb");
			static uint8_t buf[1 << 20];
			size_t n;

			assert_non_null(fp);
			n = fread(buf, 1, sizeof(buf), fp);
			fclose(fp);
			corpus_add(c, buf, n);
		}
	}
	closedir(d);
}

/* Anything in a pcap that starts like a certificate: 30 82 xx xx 30 82. */
static void
load_pcap_certs(struct corpus *c)
{
	static const char *pcaps[] = { "ecdhe.pcap", "openssl-tls1.pcap",
	    "openssl-tls1_2.pcap", "smtp-starttls.pcap", "ssl-selfsign.pcap",
	    "tls-expired-cert.pcap", "tls1_1.pcap", "tls13-ech.pcap" };
	static uint8_t buf[1 << 21];

	for (size_t i = 0; i < sizeof(pcaps) / sizeof(pcaps[0]); i++) {
		char path[2048];
		FILE *fp;
		size_t n;

		snprintf(path, sizeof(path), "%s/tests/data/pcaps/%s",
		    src_dir(), pcaps[i]);
		if ((fp = fopen(path, "rb")) == NULL)
			continue;
		n = fread(buf, 1, sizeof(buf), fp);
		fclose(fp);
		for (size_t k = 0; k + 6 < n; k++) {
			size_t l = (size_t)buf[k + 2] << 8 | buf[k + 3];

			if (buf[k] == 0x30 && buf[k + 1] == 0x82 &&
			    buf[k + 4] == 0x30 && buf[k + 5] == 0x82 &&
			    k + 4 + l <= n)
				corpus_add(c, buf + k, l + 4);
		}
	}
}

static void
load_all(struct corpus *c)
{
	char path[2048];

	load_dir(c, "tests/data/certs", true);
	load_dir(c, "tests/data/badssl/chain", true);
	load_dir(c, "tests/data/badssl/interception-roots", true);
	load_dir(c, "tests/data/zlint", true);
	load_dir(c, "tests/fuzz/corpus/cert", false);
	load_dir(c, "tests/fuzz/corpus/certlite", false);
	snprintf(path, sizeof(path), "%s/tests/data/%s", src_dir(),
	    "mozilla-roots-2014-02-28.pem");
	load_pem_file(c, path);
	load_pcap_certs(c);
}

/* ---- the differential check ---- */

static void
str_eq(const char *field, const char *a, const char *b)
{
	if (a == NULL || b == NULL || strcmp(a, b) != 0)
		fail_msg("%s differs: full \"%.200s\" lite \"%.200s\"", field,
		    a ? a : "(null)", b ? b : "(null)");
}

static void
int_eq(const char *field, long long a, long long b)
{
	if (a != b)
		fail_msg("%s differs: full %lld lite %lld", field, a, b);
}

/* Every field but x509. */
static void
rec_eq(const struct cert_record *f, const struct cert_record *l)
{
	assert_memory_equal(f->sha256, l->sha256, CERT_SHA256_LEN);
	if (memcmp(f->spki_sha256, l->spki_sha256, CERT_SHA256_LEN) != 0)
		fail_msg("spki_sha256 differs");
	int_eq("der_len", (long long)f->der_len, (long long)l->der_len);
	assert_memory_equal(f->der, l->der, f->der_len);
	str_eq("subject", f->subject, l->subject);
	str_eq("issuer", f->issuer, l->issuer);
	str_eq("serial", f->serial, l->serial);
	int_eq("not_before", f->not_before, l->not_before);
	int_eq("not_after", f->not_after, l->not_after);
	str_eq("key_type", f->key_type, l->key_type);
	int_eq("key_bits", f->key_bits, l->key_bits);
	str_eq("curve", f->curve, l->curve);
	str_eq("sig_alg", f->sig_alg, l->sig_alg);
	int_eq("nsans", (long long)f->nsans, (long long)l->nsans);
	for (size_t i = 0; i < f->nsans; i++)
		str_eq("san", f->sans[i], l->sans[i]);
	int_eq("is_ca", f->is_ca, l->is_ca);
	int_eq("self_signed", f->self_signed, l->self_signed);
	int_eq("version", f->version, l->version);
	int_eq("has_basic_constraints", f->has_basic_constraints,
	    l->has_basic_constraints);
	int_eq("path_len", f->path_len, l->path_len);
	int_eq("key_usage", f->key_usage, l->key_usage);
	str_eq("eku", f->eku, l->eku);
	str_eq("ocsp_urls", f->ocsp_urls, l->ocsp_urls);
	str_eq("ca_issuers", f->ca_issuers, l->ca_issuers);
	str_eq("crl_urls", f->crl_urls, l->crl_urls);
	int_eq("sct_count", f->sct_count, l->sct_count);
	str_eq("ski", f->ski, l->ski);
	str_eq("aki", f->aki, l->aki);
}

/*
 * Both parsers on the same bytes: same verdict, same record.  Returns
 * true when the lite path did it alone (no fallback).
 */
static bool
diff_one(const uint8_t *der, size_t len)
{
	struct cert_record full, lite, fast;
	int rf, rl, rfast;

	rf = cert_record_from_der(&full, der, len);
	rl = cert_record_from_der_lite(&lite, der, len);
	rfast = certlite_fill(&fast, der, len);
	int_eq("verdict", rf, rl);
	if (rfast == 0 && rf != 0)
		fail_msg("lite accepts what cert.c rejects (len %zu)", len);
	if (rf == 0) {
		rec_eq(&full, &lite);
		if (rfast == 0) {
			rec_eq(&full, &fast);
			assert_null(fast.x509);
		}
	}
	assert_int_equal(ERR_peek_error(), 0);
	cert_record_clear(&full);
	cert_record_clear(&lite);
	cert_record_clear(&fast);
	return rfast == 0;
}

static void
test_corpus(void **state)
{
	struct corpus c = { 0 };
	size_t fast = 0, ok = 0;

	(void)state;
	load_all(&c);
	assert_true(c.n > 200);
	for (size_t i = 0; i < c.n; i++) {
		struct cert_record r;

		if (cert_record_from_der(&r, c.b[i].p, c.b[i].len) == 0)
			ok++;
		cert_record_clear(&r);
		fast += diff_one(c.b[i].p, c.b[i].len);
	}
	print_message("corpus: %zu inputs, %zu certificates, %zu by the lite "
	    "path alone\n", c.n, ok, fast);
	/* The leaves and intermediates are not self-signed: lite alone. */
	assert_true(fast > 60);
	corpus_free(&c);
}

/* ---- names on their own ---- */

static char *
openssl_dn(const X509_NAME *name)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL, *s;
	long n = 0;

	if (X509_NAME_print_ex(bio, name, 0,
	    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0)
		n = BIO_get_mem_data(bio, &data);
	s = calloc(1, (size_t)n + 1);
	assert_non_null(s);
	if (n > 0)
		memcpy(s, data, (size_t)n);
	BIO_free(bio);
	return s;
}

struct dn_case {
	struct der	 der;
	X509_NAME	*name;
};

static void
check_name_print(const struct dn_case *d, size_t *handled)
{
	char *mine = NULL, *theirs;
	size_t n;

	if (certlite_name_print(&d->der, &mine, &n) == -1)
		return;
	(*handled)++;
	theirs = openssl_dn(d->name);
	if (strlen(mine) != n)
		fail_msg("name with a NUL: \"%s\" (%zu bytes), OpenSSL \"%s\"",
		    mine, n, theirs);
	str_eq("name", theirs, mine);
	free(theirs);
	free(mine);
}

static void
names_check(struct dn_case *dn, size_t ndn, size_t min_decided)
{
	size_t printed = 0, decided = 0, equal = 0;

	for (size_t i = 0; i < ndn; i++)
		check_name_print(&dn[i], &printed);
	for (size_t i = 0; i < ndn; i++)
		for (size_t j = 0; j < ndn; j++) {
			int r = certlite_name_cmp(&dn[i].der, &dn[j].der);

			if (r == -1)
				continue;
			decided++;
			equal += r == 0;
			int_eq("name_cmp", X509_NAME_cmp(dn[i].name,
			    dn[j].name) != 0, r);
		}
	print_message("names: %zu, printed by lite %zu; %zu pairs decided, "
	    "%zu equal\n", ndn, printed, decided, equal);
	assert_true(printed > ndn / 2);
	assert_true(decided >= min_decided);
}

static void
test_names(void **state)
{
	struct corpus c = { 0 };
	struct dn_case *dn;
	size_t ndn = 0;

	(void)state;
	load_all(&c);
	dn = calloc(2 * c.n, sizeof(*dn));
	assert_non_null(dn);
	for (size_t i = 0; i < c.n; i++) {
		struct certlite_parts p;
		const struct der *which[2] = { &p.subject, &p.issuer };

		if (certlite_split(c.b[i].p, c.b[i].len, &p) == -1)
			continue;
		for (int k = 0; k < 2; k++) {
			const unsigned char *q = which[k]->tlv;
			X509_NAME *nm = d2i_X509_NAME(NULL, &q,
			    (long)which[k]->tlv_len);

			if (nm == NULL)
				continue;
			dn[ndn].der = *which[k];
			dn[ndn++].name = nm;
		}
	}
	ERR_clear_error();
	names_check(dn, ndn, ndn * ndn / 2);
	for (size_t i = 0; i < ndn; i++)
		X509_NAME_free(dn[i].name);
	free(dn);
	corpus_free(&c);
}

/* Names built with every string type and every character to escape. */
static X509_NAME *
odd_name(int variant)
{
	static const struct {
		const char	*field;
		int		 type;
		const char	*bytes;
		int		 len;
	} v[] = {
		{ "CN", V_ASN1_UTF8STRING, "caf\xc3\xa9 \"q\"", -1 },
		{ "CN", V_ASN1_UTF8STRING, "#lead, and trailing ", -1 },
		{ "CN", V_ASN1_UTF8STRING, " x+y;z<w>v\\u=", -1 },
		{ "CN", V_ASN1_UTF8STRING, "#", -1 },
		{ "CN", V_ASN1_UTF8STRING, " ", -1 },
		{ "CN", V_ASN1_UTF8STRING, "a\0b\x01\x7f\x1f", 6 },
		{ "CN", V_ASN1_UTF8STRING, "\xed\xa0\x80", -1 },
		{ "CN", V_ASN1_UTF8STRING, "\xc0\xaf", -1 },
		{ "CN", V_ASN1_UTF8STRING, "\xf4\x90\x80\x80", -1 },
		{ "CN", V_ASN1_UTF8STRING, "\xf0\x9f\x98\x80 ok", -1 },
		{ "CN", V_ASN1_T61STRING, "\xe9t\xe9 T61", -1 },
		{ "CN", V_ASN1_IA5STRING, "ia5@example", -1 },
		{ "CN", V_ASN1_PRINTABLESTRING, "Printable *bad*", -1 },
		{ "CN", V_ASN1_NUMERICSTRING, "12 34", -1 },
		{ "CN", V_ASN1_UTF8STRING, "\xef\xbc\xa6w  MiXeD\tCase ", -1 },
		{ "CN", V_ASN1_BMPSTRING, "\0B\0M\0P\x20\xac\0 ", 10 },
		{ "CN", V_ASN1_BMPSTRING, "\xd8\x00\0x", 4 },
		{ "CN", V_ASN1_BMPSTRING, "\0#", 2 },
		{ "CN", V_ASN1_UNIVERSALSTRING, "\0\0\0U\0\x01\xf6\x00", 8 },
		{ "CN", V_ASN1_UNIVERSALSTRING, "\0\x11\0\0", 4 },
		{ "CN", V_ASN1_UNIVERSALSTRING, "\0\0\0 \0\0\x20\xac", 8 },
		{ "CN", V_ASN1_PRINTABLESTRING, "#Lead", -1 },
		{ "1.3.6.1.4.1.99999.7", V_ASN1_UTF8STRING, "unknown oid", -1 },
		{ "1.3.6.1.4.1.99999.7", V_ASN1_BMPSTRING, "\0x", 2 },
		{ "2.5.4.17", V_ASN1_UTF8STRING, "  Post  Code  ", -1 },
		{ "emailAddress", V_ASN1_IA5STRING, "A@B.example", -1 },
	};
	X509_NAME *n = X509_NAME_new();
	size_t i = (size_t)variant % (sizeof(v) / sizeof(v[0]));

	X509_NAME_add_entry_by_txt(n, "C", V_ASN1_PRINTABLESTRING,
	    (const unsigned char *)"GB", -1, -1, 0);
	if (variant >= (int)(sizeof(v) / sizeof(v[0])))	/* multi-valued */
		X509_NAME_add_entry_by_txt(n, "O", V_ASN1_UTF8STRING,
		    (const unsigned char *)"Multi", -1, -1, 0);
	if (X509_NAME_add_entry_by_txt(n, v[i].field, v[i].type,
	    (const unsigned char *)v[i].bytes, v[i].len, -1,
	    variant >= (int)(sizeof(v) / sizeof(v[0])) ? -1 : 0) != 1)
		fail_msg("odd name %zu", i);
	return n;
}

#define ODD_NAMES	52

static void
test_odd_names(void **state)
{
	struct dn_case dn[ODD_NAMES];
	size_t n = 0;

	(void)state;
	for (int i = 0; i < ODD_NAMES; i++) {
		X509_NAME *built = odd_name(i), *nm;
		unsigned char *der = NULL;
		const unsigned char *q;
		int len = i2d_X509_NAME(built, &der);

		q = der;
		if (len > 0 && (nm = d2i_X509_NAME(NULL, &q, len)) != NULL) {
			dn[n].der = (struct der){ .tag = der[0], .tlv = der,
			    .tlv_len = (size_t)len };
			/* contents: after the header */
			dn[n].der.val = der + (len > 129 ? 3 : 2);
			dn[n].der.len = (size_t)len - (len > 129 ? 3 : 2);
			dn[n++].name = nm;
		} else
			OPENSSL_free(der);
		X509_NAME_free(built);
	}
	ERR_clear_error();
	/* multi-valued RDNs are left to OpenSSL */
	names_check(dn, n, n * n / 5);
	for (size_t i = 0; i < n; i++) {
		OPENSSL_free((void *)(uintptr_t)dn[i].der.tlv);
		X509_NAME_free(dn[i].name);
	}
}

/* ---- certificates built here ---- */

struct keys {
	EVP_PKEY	*signer;	/* P-256, signs most certificates */
	EVP_PKEY	*k[128];
	const char	*what[128];
	size_t		 n;
};

static struct keys keys;

static void
key_add(EVP_PKEY *k, const char *what)
{
	assert_non_null(k);
	assert_true(keys.n < 128);
	keys.what[keys.n] = what;
	keys.k[keys.n++] = k;
}

static EVP_PKEY *
gen_dsa(void)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DSA", NULL);
	EVP_PKEY *params = NULL, *key = NULL;
	EVP_PKEY_CTX *kc;

	assert_int_equal(EVP_PKEY_paramgen_init(pc), 1);
	EVP_PKEY_CTX_set_dsa_paramgen_bits(pc, 1024);
	assert_int_equal(EVP_PKEY_paramgen(pc, &params), 1);
	kc = EVP_PKEY_CTX_new(params, NULL);
	assert_int_equal(EVP_PKEY_keygen_init(kc), 1);
	assert_int_equal(EVP_PKEY_keygen(kc, &key), 1);
	EVP_PKEY_CTX_free(kc);
	EVP_PKEY_CTX_free(pc);
	EVP_PKEY_free(params);
	return key;
}

static EVP_PKEY *
gen_rsa_pss(void)
{
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
	EVP_PKEY *key = NULL;

	assert_int_equal(EVP_PKEY_keygen_init(kc), 1);
	EVP_PKEY_CTX_set_rsa_keygen_bits(kc, 2048);
	assert_int_equal(EVP_PKEY_keygen(kc, &key), 1);
	EVP_PKEY_CTX_free(kc);
	return key;
}

static int
keys_setup(void **state)
{
	EC_builtin_curve curves[100];
	size_t n = EC_get_builtin_curves(curves, 100);

	(void)state;
	keys.signer = EVP_EC_gen("P-256");
	key_add(EVP_RSA_gen(1024), "rsa1024");
	key_add(EVP_RSA_gen(2048), "rsa2048");
	key_add(EVP_RSA_gen(4096), "rsa4096");
	key_add(gen_rsa_pss(), "rsa-pss");
	key_add(EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), "ed25519");
	key_add(EVP_PKEY_Q_keygen(NULL, NULL, "ED448"), "ed448");
	key_add(EVP_PKEY_Q_keygen(NULL, NULL, "X25519"), "x25519");
	key_add(gen_dsa(), "dsa1024");
	for (size_t i = 0; i < n && keys.n < 128; i++) {
		EVP_PKEY *k = EVP_EC_gen(OBJ_nid2sn(curves[i].nid));

		if (k != NULL)
			key_add(k, OBJ_nid2sn(curves[i].nid));
	}
	ERR_clear_error();
	return 0;
}

static int
keys_teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(keys.signer);
	for (size_t i = 0; i < keys.n; i++)
		EVP_PKEY_free(keys.k[i]);
	return 0;
}

static X509 *
new_cert(EVP_PKEY *key, const char *cn, const char *issuer_cn)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 0x01020304);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	assert_int_equal(X509_set_pubkey(x, key), 1);
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
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		ERR_print_errors_fp(stderr);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/* An extension with any OID and any value bytes. */
static void
add_raw_ext(X509 *x, const char *oid, int crit, const void *v, int len)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext;

	ASN1_OCTET_STRING_set(os, v, len);
	ext = X509_EXTENSION_create_by_OBJ(NULL, obj, crit, os);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
}

static void
typical_exts(X509 *x)
{
	add_ext(x, NID_basic_constraints, "critical,CA:FALSE");
	add_ext(x, NID_key_usage, "critical,digitalSignature");
	add_ext(x, NID_ext_key_usage, "serverAuth,clientAuth");
	add_ext(x, NID_subject_key_identifier, "hash");
	add_ext(x, NID_subject_alt_name,
	    "DNS:a.example,DNS:*.b.example,IP:192.0.2.7,email:x@y.example");
	add_ext(x, NID_crl_distribution_points,
	    "URI:http://crl.example/a.crl");
	add_ext(x, NID_info_access,
	    "OCSP;URI:http://ocsp.example/,caIssuers;URI:http://ca.example/c");
	add_raw_ext(x, "2.5.29.32", 0, "\x30\x0a\x30\x08\x06\x06\x67\x81"
	    "\x0c\x01\x02\x01", 12);	/* policy 2.23.140.1.2.1 */
}

/* Signs (signer NULL: self-signed), encodes, checks; true if lite alone. */
static bool
diff_x509(X509 *x, EVP_PKEY *signer, EVP_PKEY *self)
{
	EVP_PKEY *s = signer != NULL ? signer : self;
	int id = EVP_PKEY_get_base_id(s);
	const EVP_MD *md = id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448 ?
	    NULL : EVP_sha256();
	unsigned char *der = NULL;
	int len;
	bool fast;

	if (X509_sign(x, s, md) <= 0) {
		/* a key that cannot sign this way (SM2 ...): skip it */
		assert_null(signer);
		ERR_clear_error();
		return false;
	}
	len = i2d_X509(x, &der);
	assert_true(len > 0);
	ERR_clear_error();	/* what building the oddities left */
	fast = diff_one(der, (size_t)len);
	OPENSSL_free(der);
	return fast;
}

static void
test_key_types(void **state)
{
	size_t fast = 0;

	(void)state;
	for (size_t i = 0; i < keys.n; i++) {
		X509 *x = new_cert(keys.k[i], "leaf.example", "Test CA");
		bool f;

		typical_exts(x);
		add_ext(x, NID_authority_key_identifier, "keyid:always");
		f = diff_x509(x, keys.signer, NULL);
		fast += f;
		/* The common key types must not need the slow path. */
		if (strncmp(keys.what[i], "rsa", 3) == 0 &&
		    strcmp(keys.what[i], "rsa-pss") != 0)
			assert_true(f);
		if (strcmp(keys.what[i], "prime256v1") == 0 ||
		    strcmp(keys.what[i], "secp384r1") == 0 ||
		    strcmp(keys.what[i], "secp521r1") == 0 ||
		    strcmp(keys.what[i], "secp256k1") == 0 ||
		    strncmp(keys.what[i], "brainpool", 9) == 0 ||
		    strncmp(keys.what[i], "ed", 2) == 0 ||
		    strcmp(keys.what[i], "dsa1024") == 0)
			assert_true(f);
		X509_free(x);
		/* The same key self-signed (when it can sign). */
		if (strcmp(keys.what[i], "x25519") != 0) {
			x = new_cert(keys.k[i], "self.example",
			    "self.example");
			typical_exts(x);
			(void)diff_x509(x, NULL, keys.k[i]);
			X509_free(x);
		}
	}
	print_message("keys: %zu types, %zu by the lite path alone\n",
	    keys.n, fast);
}

static void
set_time(ASN1_TIME *t, const char *s)
{
	assert_int_equal(ASN1_TIME_set_string(t, s), 1);
}

static void
add_san_raw(GENERAL_NAMES *gens, int type, const void *data, int len)
{
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_STRING *s = type == GEN_IPADD ? ASN1_OCTET_STRING_new() :
	    ASN1_IA5STRING_new();

	assert_int_equal(ASN1_STRING_set(s, data, len), 1);
	GENERAL_NAME_set0_value(gn, type, s);
	assert_true(sk_GENERAL_NAME_push(gens, gn) > 0);
}

static void
add_sans(X509 *x, int many)
{
	static const uint8_t ip5[] = { 1, 2, 3, 4, 5 };
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	GENERAL_NAME *gn;
	X509_NAME *dn = X509_NAME_new();
	char buf[64];

	add_san_raw(gens, GEN_DNS, "a\0b.example", 11);
	add_san_raw(gens, GEN_DNS, "back\\slash,comma", -1);
	add_san_raw(gens, GEN_IPADD, ip5, 5);
	add_san_raw(gens, GEN_URI, "https://example.org/x,y", -1);
	gn = GENERAL_NAME_new();
	X509_NAME_add_entry_by_txt(dn, "CN", MBSTRING_ASC,
	    (const unsigned char *)"dir, name", -1, -1, 0);
	GENERAL_NAME_set0_value(gn, GEN_DIRNAME, dn);
	sk_GENERAL_NAME_push(gens, gn);
	for (int i = 0; i < many; i++) {
		snprintf(buf, sizeof(buf), "n%d.many.example", i);
		add_san_raw(gens, GEN_DNS, buf, -1);
	}
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
	    X509V3_ADD_DEFAULT), 1);
	GENERAL_NAMES_free(gens);
}

/* One certificate per oddity, each signed by the P-256 signer. */
static bool
oddity(int which)
{
	X509 *x = new_cert(keys.k[1], "odd.example", "Test CA");
	ASN1_TIME *t = ASN1_TIME_new();
	BASIC_CONSTRAINTS *bc;
	ASN1_BIT_STRING *bs;
	X509_NAME *n;
	bool fast;

	switch (which) {
	case 0: ASN1_INTEGER_set(X509_get_serialNumber(x), 0); break;
	case 1: ASN1_INTEGER_set(X509_get_serialNumber(x), -0x0102); break;
	case 2: set_time(t, "19500101000000Z"); X509_set1_notBefore(x, t);
		set_time(t, "20600229123456Z"); X509_set1_notAfter(x, t);
		break;
	case 3: X509_set_version(x, X509_VERSION_1); break;
	case 4: add_sans(x, 10); break;
	case 5: add_sans(x, 10000); break;
	case 6: add_raw_ext(x, "1.3.6.1.4.1.99999.1", 0, "\x05\x00", 2);
		break;
	case 7: add_raw_ext(x, "1.3.6.1.4.1.99999.1", 1, "\x05\x00", 2);
		break;
	case 8: add_ext(x, NID_subject_alt_name, "DNS:one.example");
		add_ext(x, NID_subject_alt_name, "DNS:two.example"); break;
	case 9: bs = ASN1_BIT_STRING_new();
		X509_add1_ext_i2d(x, NID_key_usage, bs, 1, 0);
		ASN1_BIT_STRING_free(bs); break;
	case 10: bc = BASIC_CONSTRAINTS_new(); bc->ca = 1;
		bc->pathlen = ASN1_INTEGER_new();
		ASN1_INTEGER_set(bc->pathlen, -1);
		X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, 0);
		BASIC_CONSTRAINTS_free(bc); break;
	case 11: add_ext(x, NID_basic_constraints, "CA:TRUE,pathlen:0");
		break;
	case 12: add_raw_ext(x, "2.5.29.19", 0, "\x30\x03\x02\x01", 4);
		break;				/* truncated BC */
	case 13: add_raw_ext(x, "2.5.29.31", 0,
		    "\x30\x08\x30\x06\xa0\x04\xa1\x02\x30\x00", 10); break;
	case 14: add_raw_ext(x, "2.5.29.31", 0, "\x30\x02\x30\x00", 4);
		break;				/* DP with nothing */
	case 15: add_raw_ext(x, "1.3.6.1.5.5.7.1.14", 1, "\x30\x0c\x30\x0a"
		    "\x06\x08\x2b\x06\x01\x05\x05\x07\x15\x01", 14);
		break;				/* proxyCertInfo */
	case 16: add_ext(x, NID_netscape_cert_type, "server"); break;
	case 17: add_raw_ext(x, "2.5.29.30", 1, "\x30\x0f\xa0\x0d\x30\x0b"
		    "\x82\x09a.example", 17);	/* name constraints */
		break;
	case 18: add_ext(x, NID_subject_key_identifier, "0102");
		add_raw_ext(x, "2.5.29.35", 0,
		    "\x30\x04\x80\x02\x01\x02", 6);
		n = X509_get_subject_name(x);
		X509_set_issuer_name(x, n);	/* self-issued, same id */
		break;
	case 19: add_ext(x, NID_subject_key_identifier, "0102");
		add_raw_ext(x, "2.5.29.35", 0,
		    "\x30\x04\x80\x02\x03\x04", 6);
		n = X509_get_subject_name(x);
		X509_set_issuer_name(x, n);	/* self-issued, other id */
		break;
	case 20: add_raw_ext(x, "2.5.29.15", 0, "\x03\x02\x07\x80", 4);
		add_raw_ext(x, "2.5.29.37", 0, "\x30\x03\x06\x01\x00", 5);
		break;
	case 21: add_ext(x, NID_basic_constraints, "CA:TRUE,pathlen:99999");
		add_raw_ext(x, "2.5.29.14", 1, "\x04\x00", 2); break;
	case 22: add_raw_ext(x, "1.3.6.1.4.1.11129.2.4.2", 0,
		    "\x04\x03\x00\x01\x00", 5); break;	/* broken SCTs */
	case 23: add_raw_ext(x, "1.3.6.1.5.5.7.1.1", 0, "\x30\x00", 2);
		break;
	default:
		n = odd_name(which - 24);
		X509_set_subject_name(x, n);
		X509_NAME_free(n);
		break;
	}
	fast = diff_x509(x, keys.signer, NULL);
	ASN1_TIME_free(t);
	X509_free(x);
	return fast;
}

static void
test_oddities(void **state)
{
	size_t fast = 0;
	bool f;

	(void)state;
	for (int i = 0; i < 24 + ODD_NAMES; i++) {
		f = oddity(i);
		fast += f;
		/* serials, dates, v1, SANs, unknown extensions, a
		 * self-issued certificate of another key, UTF-8 names */
		if (i <= 7 || i == 19 || i == 24)
			assert_true(f);
	}
	print_message("oddities: %d, %zu by the lite path alone\n",
	    24 + ODD_NAMES, fast);
}

/* ---- broken DER ---- */

static void
mutate_cert(const uint8_t *der, size_t len)
{
	uint8_t *m = malloc(len);
	uint32_t seed = 12345;

	assert_non_null(m);
	for (size_t cut = 0; cut < len; cut++)
		(void)diff_one(der, cut);
	for (size_t i = 0; i < len; i++) {
		memcpy(m, der, len);
		m[i] ^= (uint8_t)(1u << (i % 8));
		(void)diff_one(m, len);
	}
	for (int round = 0; round < 1500; round++) {
		int k = 1 + round % 4;

		memcpy(m, der, len);
		while (k-- > 0) {
			seed = seed * 1103515245u + 12345u;
			m[(seed >> 8) % len] = (uint8_t)(seed >> 24);
		}
		(void)diff_one(m, len);
	}
	free(m);
}

static void
test_broken_der(void **state)
{
	static const char *files[] = { "badssl-wildcard-rsa2048.pem",
	    "badssl-wildcard-ecc384.pem" };

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct corpus c = { 0 };
		char path[2048];

		snprintf(path, sizeof(path), "%s/tests/data/certs/%s",
		    src_dir(), files[i]);
		load_pem_file(&c, path);
		assert_int_equal(c.n, 1);
		mutate_cert(c.b[0].p, c.b[0].len);
		corpus_free(&c);
	}
}

/* ---- speed, printed only ---- */

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void
speed_of(const char *label, const uint8_t *der, size_t len)
{
	struct cert_record r;
	double t0, full, lite;
	const int n = 300;

	t0 = now_us();
	for (int i = 0; i < n; i++) {
		assert_int_equal(cert_record_from_der(&r, der, len), 0);
		cert_record_clear(&r);
	}
	full = (now_us() - t0) / n;
	t0 = now_us();
	for (int i = 0; i < n; i++) {
		assert_int_equal(cert_record_from_der_lite(&r, der, len), 0);
		cert_record_clear(&r);
	}
	lite = (now_us() - t0) / n;
	print_message("speed %-32s full %7.1f us  lite %6.1f us  (x%.1f)\n",
	    label, full, lite, full / lite);
}

static void
test_speed(void **state)
{
	static const char *files[] = { "badssl-wildcard-rsa2048.pem",
	    "badssl-wildcard-rsa2048-intermediate.pem",
	    "badssl-wildcard-ecc384.pem", "zlint-ecdsaP256.pem",
	    "badssl-subdomain-10000-sans.pem" };

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct corpus c = { 0 };
		char path[2048];

		snprintf(path, sizeof(path), "%s/tests/data/certs/%s",
		    src_dir(), files[i]);
		load_pem_file(&c, path);
		assert_int_equal(c.n, 1);
		speed_of(files[i], c.b[0].p, c.b[0].len);
		corpus_free(&c);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_odd_names),
		cmocka_unit_test(test_key_types),
		cmocka_unit_test(test_oddities),
		cmocka_unit_test(test_broken_der),
		cmocka_unit_test(test_speed),
	};

	return cmocka_run_group_tests(tests, keys_setup, keys_teardown);
}
