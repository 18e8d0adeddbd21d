/*
 * test_certlite.c: differential tests of the lite certificate parser
 * (scanner/certlite.c) against cert_record_from_der(): every field of the
 * record but x509 must be equal, for every certificate in tests/data
 * (certs, badssl chains and interception roots, zlint, the Mozilla roots,
 * whatever looks like a certificate inside the pcaps), certificates built
 * here with each key type, string type and extension oddity, and broken
 * DER (every truncation, bit flips, random byte changes).  Lite may fall
 * back, never differ.  What the lite parser reads from the DER itself
 * (extension values, SCT lists, serials, times, EC points) is built here
 * in the plain forms and in the odd ones, and each extension case also
 * checks that the native reader took it or left it to OpenSSL as meant.
 * The name printer and comparison are also checked on their own against
 * X509_NAME_print_ex() and X509_NAME_cmp(), the EC point test against
 * OpenSSL's points, cert.c's string rules against a byte-at-a-time model,
 * and the speed of both parsers is printed (no assertion).
 *
 * CERTLITE_SEEDS=dir writes every certificate built here to dir: seeds
 * for tests/fuzz/corpus/certlite.
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
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "scanner/cert.h"
#include "scanner/cert_internal.h"
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

static void
der_eq(const char *field, const struct der *a, const struct der *b)
{
	if (a->tag != b->tag || a->tlv != b->tlv || a->tlv_len != b->tlv_len ||
	    a->val != b->val || a->len != b->len)
		fail_msg("%s differs", field);
}

/* What certlite_fill() keeps in rec->lite is what certlite_link(),
 * certlite_san_names() and certlite_sig_nid() say of rec->der. */
static void
view_eq(const struct cert_record *r)
{
	const struct certlite_view *v = r->lite;
	const struct certlite_parts *a, *b;
	struct certlite_link k;
	struct der names;

	assert_non_null(v);
	int_eq("link verdict", certlite_link(r->der, r->der_len, &k) == 0,
	    v->link_ok);
	if (v->link_ok) {
		a = &k.p;
		b = &v->link.p;
		der_eq("tbs", &a->tbs, &b->tbs);
		der_eq("version", &a->version, &b->version);
		der_eq("serial", &a->serial, &b->serial);
		der_eq("tbs_sigalg", &a->tbs_sigalg, &b->tbs_sigalg);
		der_eq("issuer", &a->issuer, &b->issuer);
		der_eq("not_before", &a->not_before, &b->not_before);
		der_eq("not_after", &a->not_after, &b->not_after);
		der_eq("subject", &a->subject, &b->subject);
		der_eq("spki", &a->spki, &b->spki);
		der_eq("spki_alg", &a->spki_alg, &b->spki_alg);
		der_eq("spki_key", &a->spki_key, &b->spki_key);
		der_eq("exts", &a->exts, &b->exts);
		der_eq("sigalg", &a->sigalg, &b->sigalg);
		der_eq("sig", &a->sig, &b->sig);
		int_eq("tbs_sig_nid", k.tbs_sig_nid, v->link.tbs_sig_nid);
		der_eq("ski", &k.ski, &v->link.ski);
		der_eq("keyid", &k.keyid, &v->link.keyid);
		int_eq("aki_names", k.aki_names, v->link.aki_names);
	}
	int_eq("san verdict", certlite_san_names(r->der, r->der_len,
	    &names) == 0, v->san_ok);
	if (v->san_ok)
		der_eq("san_names", &names, &v->san_names);
	int_eq("sig_nid", certlite_sig_nid(r->der, r->der_len), v->sig_nid);
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
			view_eq(&fast);
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

/* CERTLITE_SEEDS=dir: every certificate built here is also written to
 * dir, named after the test that built it. */
static const char *seed_what = "built";	/* the test writing */

static void
seed_write(const unsigned char *der, int len)
{
	static int n;
	const char *dir = getenv("CERTLITE_SEEDS");
	char path[2048];
	FILE *fp;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s-%04d.der", dir, seed_what, n++);
	assert_non_null(fp = fopen(path, "wb"));
	assert_int_equal(fwrite(der, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
}

/* Signs (signer NULL: self-signed) and encodes; 0 when the key cannot
 * sign. */
static int
sign_x509(X509 *x, EVP_PKEY *signer, EVP_PKEY *self, unsigned char **der)
{
	EVP_PKEY *s = signer != NULL ? signer : self;
	int id = EVP_PKEY_get_base_id(s);
	const EVP_MD *md = id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448 ?
	    NULL : EVP_sha256();
	int len;

	*der = NULL;
	if (X509_sign(x, s, md) <= 0) {
		/* a key that cannot sign this way (SM2 ...): skip it */
		assert_null(signer);
		ERR_clear_error();
		return 0;
	}
	len = i2d_X509(x, der);
	assert_true(len > 0);
	ERR_clear_error();	/* what building the oddities left */
	seed_write(*der, len);
	return len;
}

/* Signs, encodes, checks; true if lite alone. */
static bool
diff_x509(X509 *x, EVP_PKEY *signer, EVP_PKEY *self)
{
	unsigned char *der;
	int len = sign_x509(x, signer, self, &der);
	bool fast;

	if (len == 0)
		return false;
	fast = diff_one(der, (size_t)len);
	OPENSSL_free(der);
	return fast;
}

static void
test_key_types(void **state)
{
	size_t fast = 0;

	(void)state;
	seed_what = "keys";
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
	seed_what = "odd";
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

/* ---- encodings the lite parser reads itself ---- */

/*
 * Each case is one extension value (the OCTET STRING's contents) in a
 * certificate of its own: both parsers must agree on it (diff_one), and
 * certlite_exts_read() must read it itself (own) exactly when expected, so
 * that the native decoders are what the comparison tests, and that what
 * they must leave to OpenSSL (other encodings, other shapes) they leave.
 */
#define RAW(s)	s, (int)sizeof(s) - 1

enum { OWN_NO, OWN_YES };

struct ext_case {
	const char	*oid;
	int		 kind;		/* enum certlite_ext */
	const char	*v;
	int		 len;
	int		 own;
};

#define BC	"2.5.29.19", CLX_BC
#define KU	"2.5.29.15", CLX_KU
#define EKU	"2.5.29.37", CLX_EKU
#define SKI	"2.5.29.14", CLX_SKI
#define AKI	"2.5.29.35", CLX_AKI
#define SAN	"2.5.29.17", CLX_SAN
#define CRLDP	"2.5.29.31", CLX_CRLDP
#define AIA	"1.3.6.1.5.5.7.1.1", CLX_AIA

static const struct ext_case ext_cases[] = {
	/* basicConstraints */
	{ BC, RAW("\x30\x00"), OWN_YES },
	{ BC, RAW("\x30\x03\x01\x01\xff"), OWN_YES },
	{ BC, RAW("\x30\x06\x01\x01\xff\x02\x01\x00"), OWN_YES },
	{ BC, RAW("\x30\x06\x01\x01\xff\x02\x01\x07"), OWN_YES },
	{ BC, RAW("\x30\x03\x02\x01\x05"), OWN_YES },	/* pathLen, no cA */
	{ BC, RAW("\x30\x07\x01\x01\xff\x02\x02\x00\x80"), OWN_YES },
	{ BC, RAW("\x30\x09\x01\x01\xff\x02\x04\x7f\xff\xff\xff"), OWN_YES },
	{ BC, RAW("\x30\x0a\x01\x01\xff\x02\x05\x00\x80\x00\x00\x00"),
	    OWN_NO },					/* 2^31 */
	{ BC, RAW("\x30\x03\x01\x01\x00"), OWN_NO },	/* FALSE written */
	{ BC, RAW("\x30\x03\x01\x01\x01"), OWN_NO },	/* TRUE as 01 */
	{ BC, RAW("\x30\x04\x02\x02\x00\x05"), OWN_NO },	/* padded */
	{ BC, RAW("\x30\x03\x02\x01\xff"), OWN_NO },	/* negative */
	{ BC, RAW("\x30\x03\x01\x01\xff\x00\x00"), OWN_NO },	/* trailing */
	{ BC, RAW("\x31\x03\x01\x01\xff"), OWN_NO },	/* wrong tag */
	{ BC, RAW("\x30\x81\x03\x01\x01\xff"), OWN_NO },	/* long len */
	{ BC, RAW("\x30\x06\x02\x01\x05\x01\x01\xff"), OWN_NO }, /* order */
	{ BC, RAW("\x30\x05\x01\x01\xff\x05\x00"), OWN_NO },	/* extra */
	/* keyUsage */
	{ KU, RAW("\x03\x02\x05\xa0"), OWN_YES },
	{ KU, RAW("\x03\x02\x07\x80"), OWN_YES },
	{ KU, RAW("\x03\x02\x00\x01"), OWN_YES },
	{ KU, RAW("\x03\x03\x07\x80\x80"), OWN_YES },	/* decipherOnly */
	{ KU, RAW("\x03\x03\x00\xa0\x00"), OWN_YES },	/* trailing 00 */
	{ KU, RAW("\x03\x04\x00\x00\x80\x01"), OWN_YES },
	{ KU, RAW("\x03\x02\x00\x00"), OWN_NO },	/* no bit: invalid */
	{ KU, RAW("\x03\x01\x00"), OWN_NO },
	{ KU, RAW("\x03\x02\x05\xa1"), OWN_NO },	/* unused bit set */
	{ KU, RAW("\x03\x02\x08\x80"), OWN_NO },
	{ KU, RAW("\x23\x04\x03\x02\x05\xa0"), OWN_NO },	/* constr. */
	{ KU, RAW("\x03\x02\x05\xa0\x00"), OWN_NO },	/* trailing */
	/* extKeyUsage */
	{ EKU, RAW("\x30\x00"), OWN_YES },
	{ EKU, RAW("\x30\x14\x06\x08\x2b\x06\x01\x05\x05\x07\x03\x01"
	    "\x06\x08\x2b\x06\x01\x05\x05\x07\x03\x02"), OWN_YES },
	{ EKU, RAW("\x30\x06\x06\x04\x55\x1d\x25\x00"), OWN_YES },
	{ EKU, RAW("\x30\x0b\x06\x09\x2b\x06\x01\x04\x01\x86\x8d\x1f\x01"),
	    OWN_YES },				/* 1.3.6.1.4.1.99999.1 */
	{ EKU, RAW("\x30\x42\x06\x40"
	    "\x2b\x81\x81\x81\x81\x01\x81\x81\x81\x81\x01\x81\x81\x81\x81\x01"
	    "\x81\x81\x81\x81\x01\x81\x81\x81\x81\x01\x81\x81\x81\x81\x01\x81"
	    "\x81\x81\x81\x01\x81\x81\x81\x81\x01\x81\x81\x81\x81\x01\x81\x81"
	    "\x81\x81\x01\x81\x81\x81\x81\x01\x81\x81\x81\x81\x01\x81\x81\x01"),
	    OWN_YES },				/* longer than 127 dotted */
	{ EKU, RAW("\x30\x03\x06\x01\x80"), OWN_NO },	/* bad OID */
	{ EKU, RAW("\x30\x04\x06\x02\x80\x01"), OWN_NO },	/* padded OID */
	{ EKU, RAW("\x30\x02\x06\x00"), OWN_NO },	/* empty OID */
	{ EKU, RAW("\x30\x02\x05\x00"), OWN_NO },
	{ EKU, RAW("\x06\x08\x2b\x06\x01\x05\x05\x07\x03\x01"), OWN_NO },
	/* subjectKeyIdentifier */
	{ SKI, RAW("\x04\x00"), OWN_YES },
	{ SKI, RAW("\x04\x02\x01\x02"), OWN_YES },
	{ SKI, RAW("\x24\x04\x04\x02\x01\x02"), OWN_NO },	/* constr. */
	{ SKI, RAW("\x04\x02\x01\x02\x00"), OWN_NO },	/* trailing */
	{ SKI, RAW("\x03\x02\x00\x01"), OWN_NO },
	/* authorityKeyIdentifier */
	{ AKI, RAW("\x30\x04\x80\x02\x01\x02"), OWN_YES },
	{ AKI, RAW("\x30\x02\x80\x00"), OWN_YES },
	{ AKI, RAW("\x30\x00"), OWN_YES },
	{ AKI, RAW("\x30\x07\x80\x02\x01\x02\x82\x01\x05"), OWN_NO },
	{ AKI, RAW("\x30\x03\x82\x01\x05"), OWN_NO },
	{ AKI, RAW("\x30\x0d\x80\x02\x01\x02\xa1\x07\xa4\x05\x30\x03\x31"
	    "\x01\x00"), OWN_NO },		/* issuer: a broken Name */
	{ AKI, RAW("\x30\x06\xa0\x04\x04\x02\x01\x02"), OWN_NO },
	{ AKI, RAW("\x30\x04\x04\x02\x01\x02"), OWN_NO },	/* untagged */
	/* subjectAltName */
	{ SAN, RAW("\x30\x00"), OWN_YES },
	{ SAN, RAW("\x30\x0b\x82\x09" "a.example"), OWN_YES },
	{ SAN, RAW("\x30\x02\x82\x00"), OWN_YES },
	{ SAN, RAW("\x30\x21\x87\x04\xc0\x00\x02\x07\x87\x10\x20\x01\x0d\xb8"
	    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x87\x05\x01\x02"
	    "\x03\x04\x05\x87\x00"), OWN_YES },	/* v4, v6, 5 bytes, none */
	{ SAN, RAW("\x30\x05\x87\x03\x0a\x00\x01"), OWN_YES },
	{ SAN, RAW("\x30\x10\x81\x0ex@y.example\\,\x01"), OWN_YES },
	{ SAN, RAW("\x30\x14\x86\x12http://e.x/a,b\\\x00\x7f\xff"), OWN_YES },
	{ SAN, RAW("\x30\x0b\x82\x09" "a\x00" "b\\c,d\xc3\xa9"), OWN_YES },
	{ SAN, RAW("\x30\x0f\xa4\x0d\x30\x0b\x31\x09\x30\x07\x06\x03\x55\x04"
	    "\x03\x0c\x00"), OWN_NO },		/* directoryName */
	{ SAN, RAW("\x30\x0c\xa0\x0a\x06\x03\x2a\x03\x04\xa0\x03\x0c\x01x"),
	    OWN_NO },				/* otherName */
	{ SAN, RAW("\x30\x05\x88\x03\x2a\x03\x04"), OWN_NO },	/* RID */
	{ SAN, RAW("\x30\x07\xa2\x05\x16\x03" "a.b"), OWN_NO }, /* constr. */
	{ SAN, RAW("\x30\x81\x05\x82\x03" "a.b"), OWN_NO },	/* long len */
	{ SAN, RAW("\x30\x05\x82\x03" "a.b\x00\x00"), OWN_NO },	/* trailing */
	{ SAN, RAW("\x30\x02\x83\x00"), OWN_NO },	/* x400Address */
	{ SAN, RAW("\x30\x02\xa5\x00"), OWN_NO },	/* ediPartyName */
	{ SAN, RAW("\x31\x05\x82\x03" "a.b"), OWN_NO },
	{ SAN, RAW("\x30\x05\x82\x04" "a.b"), OWN_NO },	/* truncated */
	{ SAN, RAW("\x30\x05\x16\x03" "a.b"), OWN_NO },	/* untagged */
	/* cRLDistributionPoints */
	{ CRLDP, RAW("\x30\x00"), OWN_YES },
	{ CRLDP, RAW("\x30\x14\x30\x12\xa0\x10\xa0\x0e\x86\x0chttp://c/a,b"),
	    OWN_YES },
	{ CRLDP, RAW("\x30\x25\x30\x10\xa0\x0e\xa0\x0c\x86\x04ldap\x82\x04"
	    "host\x30\x11\xa0\x0f\xa0\x0d\x86\x05http1\x86\x04\\\x00\x01z"),
	    OWN_YES },
	{ CRLDP, RAW("\x30\x06\x30\x04\xa0\x02\xa0\x00"), OWN_YES },
	{ CRLDP, RAW("\x30\x0d\x30\x0b\xa0\x05\xa0\x03\x86\x01u\x81\x02\x05"
	    "\xa0"), OWN_NO },			/* reasons */
	{ CRLDP, RAW("\x30\x0b\x30\x09\xa2\x07\x86\x05http:"), OWN_NO },
	{ CRLDP, RAW("\x30\x08\x30\x06\xa0\x04\xa1\x02\x30\x00"), OWN_NO },
	{ CRLDP, RAW("\x30\x02\x30\x00"), OWN_NO },	/* empty point */
	{ CRLDP, RAW("\x30\x0a\x30\x08\xa0\x06\xa0\x04\xa4\x02\x30\x00"),
	    OWN_NO },				/* directoryName */
	{ CRLDP, RAW("\x30\x07\x30\x05\xa0\x03\x86\x01u"), OWN_NO },
	/* authorityInfoAccess */
	{ AIA, RAW("\x30\x00"), OWN_YES },
	{ AIA, RAW("\x30\x2a\x30\x13\x06\x08\x2b\x06\x01\x05\x05\x07\x30\x01"
	    "\x86\x07http://\x30\x13\x06\x08\x2b\x06\x01\x05\x05\x07\x30\x02"
	    "\x86\x07" "c,a\\i\x00s"), OWN_YES },
	{ AIA, RAW("\x30\x14\x30\x12\x06\x08\x2b\x06\x01\x05\x05\x07\x30\x05"
	    "\x86\x06http:/"), OWN_YES },	/* other method */
	{ AIA, RAW("\x30\x11\x30\x0f\x06\x08\x2b\x06\x01\x05\x05\x07\x30\x01"
	    "\x82\x03" "dns"), OWN_YES },		/* not a URI */
	{ AIA, RAW("\x30\x10\x30\x0e\x06\x08\x2b\x06\x01\x05\x05\x07\x30\x01"
	    "\xa4\x02\x30\x00"), OWN_NO },	/* directoryName */
	{ AIA, RAW("\x30\x0c\x30\x0a\x06\x08\x2b\x06\x01\x05\x05\x07\x30\x01"),
	    OWN_NO },				/* no location */
	{ AIA, RAW("\x05\x00"), OWN_NO },
	{ AIA, RAW("\x30\x0a\x30\x08\x06\x01\x80\x86\x03u:x"), OWN_NO },
};

static void
ext_case_run(const struct ext_case *c, size_t i, int crit)
{
	X509 *x = new_cert(keys.signer, "ext.example", "Test CA");
	struct certlite_parts p;
	struct certlite_exts e;
	unsigned char *der;
	int len, rc;

	add_raw_ext(x, c->oid, crit, c->v, c->len);
	len = sign_x509(x, keys.signer, NULL, &der);
	assert_true(len > 0);
	(void)diff_one(der, (size_t)len);
	assert_int_equal(certlite_split(der, (size_t)len, &p), 0);
	rc = certlite_exts_read(&p.exts, &e);
	if (c->own == OWN_YES && (rc != 0 || !e.own[c->kind]))
		fail_msg("extension case %zu: not read by certlite", i);
	if (c->own == OWN_NO && e.own[c->kind])
		fail_msg("extension case %zu: read by certlite", i);
	certlite_exts_clear(&e);
	ERR_clear_error();
	OPENSSL_free(der);
	X509_free(x);
}

static void
test_ext_encodings(void **state)
{
	size_t n = sizeof(ext_cases) / sizeof(ext_cases[0]);

	(void)state;
	seed_what = "ext";
	for (size_t i = 0; i < n; i++) {
		ext_case_run(&ext_cases[i], i, 0);
		ext_case_run(&ext_cases[i], i, 1);	/* critical */
	}
	print_message("extension encodings: %zu\n", n);
}

/*
 * SignedCertificateTimestampList values: one spec per SCT, the list
 * written as o2i_SCT_LIST() reads it (or broken as asked).
 */
struct sct_spec {
	int		 version;
	size_t		 ext;		/* extension bytes */
	int		 hash, sig;
	size_t		 siglen;	/* the length field */
	size_t		 sigbytes;	/* the bytes there */
	size_t		 trailing;
};

#define SCT_OK(v)	{ v, 0, 4, 3, 70, 70, 0 }

static size_t
sct_put(uint8_t *o, const struct sct_spec *s)
{
	size_t n = 0;

	o[n++] = (uint8_t)s->version;
	memset(o + n, 0x11, 32 + 8);		/* log id, timestamp */
	n += 40;
	if (s->version != 0) {
		o[n++] = 0x12;			/* anything goes */
		return n;
	}
	o[n++] = (uint8_t)(s->ext >> 8);
	o[n++] = (uint8_t)s->ext;
	memset(o + n, 0x33, s->ext);
	n += s->ext;
	o[n++] = (uint8_t)s->hash;
	o[n++] = (uint8_t)s->sig;
	o[n++] = (uint8_t)(s->siglen >> 8);
	o[n++] = (uint8_t)s->siglen;
	memset(o + n, 0x44, s->sigbytes + s->trailing);
	return n + s->sigbytes + s->trailing;
}

/* tag, DER length, contents; the size. */
static size_t
der_wrap(uint8_t *o, uint8_t tag, const uint8_t *p, size_t len)
{
	size_t h = 0;

	o[h++] = tag;
	if (len >= 256) {
		o[h++] = 0x82;
		o[h++] = (uint8_t)(len >> 8);
	} else if (len >= 128)
		o[h++] = 0x81;
	o[h++] = (uint8_t)len;
	memcpy(o + h, p, len);
	return h + len;
}

/* The extension value: OCTET STRING { list length, { length, SCT }... };
 * bad_list / bad_one: a wrong list length, a zero SCT length. */
static int
sct_value(uint8_t *v, const struct sct_spec *s, size_t n, int bad_list,
    int bad_one)
{
	uint8_t list[4096];
	size_t len = 2;

	for (size_t i = 0; i < n; i++) {
		size_t one = sct_put(list + len + 2, &s[i]);

		list[len] = (uint8_t)(one >> 8);
		list[len + 1] = bad_one ? 0 : (uint8_t)one;
		len += 2 + one;
	}
	list[0] = (uint8_t)((len - 2 + bad_list) >> 8);
	list[1] = (uint8_t)(len - 2 + bad_list);
	return (int)der_wrap(v, 0x04, list, len);
}

static void
sct_case(const struct sct_spec *s, size_t n, int bad_list, int bad_one,
    int own, int count)
{
	X509 *x = new_cert(keys.signer, "sct.example", "Test CA");
	struct certlite_parts p;
	struct certlite_exts e;
	uint8_t v[4200];
	unsigned char *der;
	int len;

	add_raw_ext(x, "1.3.6.1.4.1.11129.2.4.2", 0, v,
	    sct_value(v, s, n, bad_list, bad_one));
	len = sign_x509(x, keys.signer, NULL, &der);
	(void)diff_one(der, (size_t)len);
	assert_int_equal(certlite_split(der, (size_t)len, &p), 0);
	assert_int_equal(certlite_exts_read(&p.exts, &e), 0);
	if (e.own[CLX_SCT] != (own == OWN_YES))
		fail_msg("SCT case (%zu SCTs): own %d", n, e.own[CLX_SCT]);
	if (own == OWN_YES)
		assert_int_equal(e.sct_count, count);
	certlite_exts_clear(&e);
	ERR_clear_error();
	OPENSSL_free(der);
	X509_free(x);
}

static void
test_sct_lists(void **state)
{
	static const struct sct_spec ok[3] = { SCT_OK(0), SCT_OK(0),
	    SCT_OK(0) };
	static const struct sct_spec odd[] = {
		{ 0, 5, 4, 1, 256, 256, 0 },	/* RSA, extensions */
		{ 0, 0, 4, 3, 0, 0, 1 },	/* empty signature */
		{ 0, 0, 4, 3, 2, 2, 9 },	/* bytes after it */
		{ 1, 0, 0, 0, 0, 0, 0 },	/* v2: kept as bytes */
	};
	static const struct sct_spec bad[] = {
		{ 0, 0, 2, 3, 70, 70, 0 },	/* SHA-1 */
		{ 0, 0, 4, 2, 70, 70, 0 },	/* DSA */
		{ 0, 0, 4, 3, 71, 70, 0 },	/* length past the end */
		{ 0, 0, 4, 3, 0, 0, 0 },	/* no signature at all */
		{ 0, 9, 4, 3, 0, 0, 0 },	/* extensions past the end */
	};

	(void)state;
	seed_what = "sct";
	sct_case(ok, 0, 0, 0, OWN_YES, 0);
	sct_case(ok, 1, 0, 0, OWN_YES, 1);
	sct_case(ok, 3, 0, 0, OWN_YES, 3);
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		sct_case(&odd[i], 1, 0, 0, OWN_YES, 1);
	sct_case(odd, 4, 0, 0, OWN_YES, 4);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		sct_case(&bad[i], 1, 0, 0, OWN_NO, 0);
	sct_case(ok, 2, 1, 0, OWN_NO, 0);
	sct_case(ok, 2, -1, 0, OWN_NO, 0);
	sct_case(ok, 1, 0, 1, OWN_NO, 0);
}

/* Serial numbers: positive ones read here, the rest by OpenSSL. */
static void
test_serials(void **state)
{
	static const char *serials[] = { "1", "7F", "80", "FF", "100",
	    "00FF", "454C0A59E634A42B074BED6619579B95",
	    "8000000000000000000000000000000000000001", "0", "-1", "-80",
	    "-454C0A59E634A42B",
	    /* 64 octets, then 65 (OpenSSL's) */
	    "8000000000000000000000000000000000000000000000000000000000000000"
	    "0000000000000000000000000000000000000000000000000000000000000001",
	    "0180000000000000000000000000000000000000000000000000000000000000"
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    "01",
	};

	(void)state;
	seed_what = "serial";
	for (size_t i = 0; i < sizeof(serials) / sizeof(serials[0]); i++) {
		X509 *x = new_cert(keys.signer, "serial.example", "Test CA");
		BIGNUM *bn = NULL;

		assert_true(BN_hex2bn(&bn, serials[i]) > 0);
		assert_non_null(BN_to_ASN1_INTEGER(bn,
		    X509_get_serialNumber(x)));
		assert_true(diff_x509(x, keys.signer, NULL));
		BN_free(bn);
		X509_free(x);
	}
}

/* Validity times: the plain forms read here, the rest by OpenSSL. */
static void
test_times(void **state)
{
	static const struct {
		int		 type;
		const char	*s;
		bool		 fast;	/* lite alone */
	} t[] = {
		{ V_ASN1_UTCTIME, "230101000000Z", true },
		{ V_ASN1_UTCTIME, "491231235959Z", true },
		{ V_ASN1_UTCTIME, "500101000000Z", true },
		{ V_ASN1_UTCTIME, "000229120000Z", true },
		{ V_ASN1_UTCTIME, "240229000000Z", true },
		{ V_ASN1_GENERALIZEDTIME, "20500101000000Z", true },
		{ V_ASN1_GENERALIZEDTIME, "19491231235959Z", true },
		{ V_ASN1_GENERALIZEDTIME, "00000229000000Z", true },
		{ V_ASN1_GENERALIZEDTIME, "99991231235959Z", true },
		{ V_ASN1_GENERALIZEDTIME, "21000229000000Z", false },
		{ V_ASN1_UTCTIME, "230229000000Z", false },
		{ V_ASN1_UTCTIME, "230431000000Z", false },
		{ V_ASN1_UTCTIME, "231301000000Z", false },
		{ V_ASN1_UTCTIME, "230100000000Z", false },
		{ V_ASN1_UTCTIME, "230101240000Z", false },
		{ V_ASN1_UTCTIME, "230101006000Z", false },
		{ V_ASN1_UTCTIME, "230101000060Z", false },
		{ V_ASN1_UTCTIME, "2301010000Z", false },
		{ V_ASN1_UTCTIME, "230101000000+0100", false },
		{ V_ASN1_UTCTIME, "230101000000", false },
		{ V_ASN1_UTCTIME, "23010100000 Z", false },
		{ V_ASN1_UTCTIME, "2301010000-0Z", false },
		{ V_ASN1_GENERALIZEDTIME, "20230101000000.5Z", false },
		{ V_ASN1_GENERALIZEDTIME, "202301010000Z", false },
		{ V_ASN1_GENERALIZEDTIME, "230101000000Z", false },
		{ V_ASN1_UTCTIME, "20230101000000Z", false },
	};

	(void)state;
	seed_what = "time";
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		X509 *x = new_cert(keys.signer, "time.example", "Test CA");
		ASN1_STRING *a = ASN1_STRING_type_new(t[i].type);
		bool f;

		assert_int_equal(ASN1_STRING_set(a, t[i].s, -1), 1);
		assert_int_equal(X509_set1_notAfter(x, a), 1);
		f = diff_x509(x, keys.signer, NULL);
		if (t[i].fast && !f)
			fail_msg("time %s: not by the lite path", t[i].s);
		ASN1_STRING_free(a);
		X509_free(x);
	}
}

/*
 * EC public keys as bytes: each certificate carries key bytes of our
 * choosing on a named curve.  Valid uncompressed points are vouched for by
 * certlite_ec.c; other forms are decoded by OpenSSL (lite alone still),
 * and a point OpenSSL refuses leaves the certificate to cert.c.
 */
static bool
ec_case(int curve, const uint8_t *pt, size_t len)
{
	X509 *x = new_cert(keys.signer, "ec.example", "Test CA");
	X509_PUBKEY *pk = X509_get_X509_PUBKEY(x);
	unsigned char *k = OPENSSL_memdup(pt, len ? len : 1);
	bool f;

	assert_non_null(k);
	assert_int_equal(X509_PUBKEY_set0_param(pk,
	    OBJ_nid2obj(NID_X9_62_id_ecPublicKey), V_ASN1_OBJECT,
	    OBJ_nid2obj(curve), k, (int)len), 1);
	f = diff_x509(x, keys.signer, NULL);
	X509_free(x);
	return f;
}

/* The uncompressed point of an EC key of the list. */
static size_t
ec_point_of(const char *what, uint8_t *out, size_t max)
{
	unsigned char *pub = NULL;
	size_t n = 0;

	for (size_t i = 0; i < keys.n; i++)
		if (strcmp(keys.what[i], what) == 0)
			n = EVP_PKEY_get1_encoded_public_key(keys.k[i], &pub);
	assert_true(n > 0 && n <= max && pub[0] == 0x04);
	memcpy(out, pub, n);
	OPENSSL_free(pub);
	return n;
}

static void
ec_cases(const char *what, int curve)
{
	uint8_t pt[200], q[200];
	size_t n = ec_point_of(what, pt, sizeof(pt)), f = (n - 1) / 2;
	const EC_GROUP *g;
	EC_GROUP *own = EC_GROUP_new_by_curve_name(curve);
	BIGNUM *p = BN_new(), *y = BN_new();

	assert_non_null(g = own);
	assert_int_equal(EC_GROUP_get_curve(g, p, NULL, NULL, NULL), 1);
	assert_true(ec_case(curve, pt, n));		/* as it is */
	memcpy(q, pt, n);
	q[n - 1] ^= 1;					/* off the curve */
	assert_false(ec_case(curve, q, n));
	memcpy(q, pt, n);
	q[1] ^= 0x80;
	assert_false(ec_case(curve, q, n));
	/* -P: y' = p - y, also on the curve */
	assert_non_null(BN_bin2bn(pt + 1 + f, (int)f, y));
	assert_int_equal(BN_sub(y, p, y), 1);
	memcpy(q, pt, n);
	assert_int_equal(BN_bn2binpad(y, q + 1 + f, (int)f), (int)f);
	assert_true(ec_case(curve, q, n));
	/* y + p: the same residue, not below p */
	assert_non_null(BN_bin2bn(pt + 1 + f, (int)f, y));
	assert_int_equal(BN_add(y, y, p), 1);
	if (BN_num_bytes(y) <= (int)f) {
		assert_int_equal(BN_bn2binpad(y, q + 1 + f, (int)f), (int)f);
		memcpy(q + 1, pt + 1, f);
		assert_false(ec_case(curve, q, n));
	}
	/* x = p, and x, y all ones */
	memcpy(q, pt, n);
	assert_int_equal(BN_bn2binpad(p, q + 1, (int)f), (int)f);
	assert_false(ec_case(curve, q, n));
	memset(q + 1, 0xff, n - 1);
	assert_false(ec_case(curve, q, n));
	memset(q + 1, 0, n - 1);			/* (0, 0) */
	assert_false(ec_case(curve, q, n));
	/* other forms: compressed, hybrid, infinity; OpenSSL's call */
	q[0] = (uint8_t)(0x02 | (pt[n - 1] & 1));
	memcpy(q + 1, pt + 1, f);
	assert_true(ec_case(curve, q, f + 1));
	memcpy(q, pt, n);
	q[0] = (uint8_t)(0x06 | (pt[n - 1] & 1));
	assert_true(ec_case(curve, q, n));
	q[0] ^= 1;					/* wrong parity */
	assert_false(ec_case(curve, q, n));
	(void)ec_case(curve, (const uint8_t *)"\x00", 1);
	(void)ec_case(curve, pt, n - 1);		/* lengths */
	(void)ec_case(curve, pt, 0);
	memcpy(q, pt, n);
	q[n] = 0;
	(void)ec_case(curve, q, n + 1);
	q[0] = 0x05;
	assert_false(ec_case(curve, q, n));
	BN_free(p);
	BN_free(y);
	EC_GROUP_free(own);
}

static void
test_ec_points(void **state)
{
	(void)state;
	seed_what = "ec";
	ec_cases("prime256v1", NID_X9_62_prime256v1);
	ec_cases("secp384r1", NID_secp384r1);
	ec_cases("secp521r1", NID_secp521r1);
	ec_cases("secp256k1", NID_secp256k1);
	ec_cases("secp112r1", NID_secp112r1);
	ec_cases("brainpoolP512t1", NID_brainpoolP512t1);
}

/*
 * certlite_ec.c on its own: on every built-in prime curve, points on the
 * curve (random multiples of the generator, and x = 0 when b is a square)
 * must pass, and the same points moved off the curve, or with a
 * coordinate not below p, must not.  The certificates above check that
 * what passes decodes; this checks that the test passes what it should
 * (a stricter test would only be slower).
 */
static int
point_bytes(const BIGNUM *x, const BIGNUM *y, int flen, uint8_t *out)
{
	out[0] = 0x04;
	if (BN_bn2binpad(x, out + 1, flen) != flen ||
	    BN_bn2binpad(y, out + 1 + flen, flen) != flen)
		return 0;
	return 1 + 2 * flen;
}

static void
curve_points(int nid, size_t *tested)
{
	const struct certlite_curve *c = certlite_curve(nid);
	EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);
	BN_CTX *bx = BN_CTX_new();
	BIGNUM *p = BN_new(), *b = BN_new(), *x = BN_new(), *y = BN_new();
	BIGNUM *k = BN_new();
	EC_POINT *pt;
	uint8_t buf[200];
	int flen, n;

	pt = g != NULL ? EC_POINT_new(g) : NULL;
	if (c == NULL || g == NULL ||
	    EC_GROUP_get_field_type(g) != NID_X9_62_prime_field)
		goto out;
	assert_int_equal(EC_GROUP_get_curve(g, p, NULL, b, bx), 1);
	flen = BN_num_bytes(p);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(BN_rand_range(k, EC_GROUP_get0_order(g)), 1);
		assert_int_equal(EC_POINT_mul(g, pt, k, NULL, NULL, bx), 1);
		if (EC_POINT_is_at_infinity(g, pt))
			continue;
		assert_int_equal(EC_POINT_get_affine_coordinates(g, pt, x, y,
		    bx), 1);
		n = point_bytes(x, y, flen, buf);
		if (!certlite_curve_point(c, buf, (size_t)n))
			fail_msg("%s: a point on the curve fails",
			    OBJ_nid2sn(nid));
		buf[n - 1] ^= 1;
		if (certlite_curve_point(c, buf, (size_t)n))
			fail_msg("%s: a point off the curve passes",
			    OBJ_nid2sn(nid));
		/* the same residues, not below p */
		assert_int_equal(BN_add(y, y, p), 1);
		if (BN_num_bytes(y) <= flen) {
			n = point_bytes(x, y, flen, buf);
			assert_false(certlite_curve_point(c, buf, (size_t)n));
		}
		assert_int_equal(BN_sub(y, y, p), 1);
		assert_int_equal(BN_add(x, x, p), 1);
		if (BN_num_bytes(x) <= flen) {
			n = point_bytes(x, y, flen, buf);
			assert_false(certlite_curve_point(c, buf, (size_t)n));
		}
		(*tested)++;
	}
	/* (0, sqrt(b)): on the curve; (p, sqrt(b)): the same, refused */
	if (BN_mod_sqrt(y, b, p, bx) != NULL) {
		BN_zero(x);
		n = point_bytes(x, y, flen, buf);
		assert_true(certlite_curve_point(c, buf, (size_t)n));
		n = point_bytes(p, y, flen, buf);
		assert_false(certlite_curve_point(c, buf, (size_t)n));
	}
out:
	ERR_clear_error();
	EC_POINT_free(pt);
	EC_GROUP_free(g);
	BN_CTX_free(bx);
	BN_free(p);
	BN_free(b);
	BN_free(x);
	BN_free(y);
	BN_free(k);
}

static void
test_curve_points(void **state)
{
	EC_builtin_curve curves[128];
	size_t n = EC_get_builtin_curves(curves, 128), tested = 0;

	(void)state;
	for (size_t i = 0; i < n; i++)
		curve_points(curves[i].nid, &tested);
	print_message("curve points: %zu\n", tested);
	assert_true(tested > 500);
}

/*
 * DER the encoder will not write, patched into a built certificate at the
 * same length: non-minimal serials.  OpenSSL refuses them; the lite path
 * must not read them.
 */
static void
test_patched_serials(void **state)
{
	static const struct {
		const char	*serial;	/* hex, as built */
		uint8_t		 first, second;	/* the octets patched in */
	} t[] = {
		{ "80", 0x00, 0x05 },		/* 00 05: padded */
		{ "80", 0xff, 0x85 },		/* FF 85: padded negative */
		{ "80", 0x00, 0x80 },		/* as built: fine */
		{ "8000", 0x00, 0x00 },		/* 00 00 00 */
	};

	(void)state;
	seed_what = "patched";
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		X509 *x = new_cert(keys.signer, "patch.example", "Test CA");
		struct certlite_parts p;
		BIGNUM *bn = NULL;
		unsigned char *der;
		int len;

		assert_true(BN_hex2bn(&bn, t[i].serial) > 0);
		assert_non_null(BN_to_ASN1_INTEGER(bn,
		    X509_get_serialNumber(x)));
		len = sign_x509(x, keys.signer, NULL, &der);
		assert_int_equal(certlite_split(der, (size_t)len, &p), 0);
		assert_true(p.serial.len >= 2);
		der[p.serial.val - der] = t[i].first;
		der[p.serial.val - der + 1] = t[i].second;
		seed_write(der, len);
		(void)diff_one(der, (size_t)len);
		BN_free(bn);
		OPENSSL_free(der);
		X509_free(x);
	}
}

/* Every extension kind's OID must be in certlite_oid.c's table, or the
 * walker would miss it. */
static void
test_oid_table(void **state)
{
	static const int nids[] = { NID_basic_constraints, NID_key_usage,
	    NID_ext_key_usage, NID_subject_key_identifier,
	    NID_authority_key_identifier, NID_subject_alt_name,
	    NID_crl_distribution_points, NID_netscape_cert_type,
	    NID_name_constraints, NID_sbgp_ipAddrBlock,
	    NID_sbgp_autonomousSysNum, NID_info_access, NID_ct_precert_scts,
	    NID_proxyCertInfo, NID_ad_OCSP, NID_ad_ca_issuers };

	(void)state;
	assert_int_equal(CLX__MAX, 14);
	for (size_t i = 0; i < sizeof(nids) / sizeof(nids[0]); i++) {
		const ASN1_OBJECT *o = OBJ_nid2obj(nids[i]);
		struct der d = { .tag = DER_OID, .val = OBJ_get0_data(o),
		    .len = (size_t)OBJ_length(o) };

		assert_int_equal(certlite_oid_nid(&d), nids[i]);
	}
}

/* ---- cert.c's string rules, for the code that writes them in runs ---- */

/*
 * The rules as cert.c first wrote them, one byte at a time: escape
 * control bytes, DEL and (esc) the backslash and comma as \xNN; a byte
 * that would bring the string to CERT_STR_MAX - 4 ends it with "...".
 * The reference for cert_san_text(), the lists and cert_text_take().
 */
struct ref {
	char	*p;
	size_t	 len;
	bool	 full;
};

static void
ref_putc(struct ref *r, char c)
{
	if (r->full)
		return;
	if (r->len + 4 >= CERT_STR_MAX) {
		memcpy(r->p + r->len, "...", 4);
		r->len += 3;
		r->full = true;
		return;
	}
	r->p[r->len++] = c;
	r->p[r->len] = '\0';
}

static void
ref_putn(struct ref *r, const uint8_t *s, size_t n, bool bs, bool comma)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n && !r->full; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f || (bs && s[i] == '\\') ||
		    (comma && s[i] == ',')) {
			ref_putc(r, '\\');
			ref_putc(r, 'x');
			ref_putc(r, hex[s[i] >> 4]);
			ref_putc(r, hex[s[i] & 0xf]);
		} else
			ref_putc(r, (char)s[i]);
	}
}

static void
strings_one(const uint8_t *s, size_t n)
{
	struct ref r = { .p = malloc(CERT_STR_MAX + 8) };
	struct cert_sb sb = { 0 };
	char *mine, *copy;

	assert_non_null(r.p);
	r.p[0] = '\0';
	ref_putn(&r, (const uint8_t *)"DNS:", 4, false, false);
	ref_putn(&r, s, n, true, false);
	mine = cert_san_text(GEN_DNS, s, n);
	str_eq("cert_san_text", r.p, mine);
	free(mine);
	/* a list of two URIs */
	r.len = 0;
	r.full = false;
	r.p[0] = '\0';
	ref_putn(&r, s, n / 2, true, true);
	if (r.len > 0)
		ref_putc(&r, ',');
	ref_putn(&r, s + n / 2, n - n / 2, true, true);
	cert_sb_uri(&sb, s, n / 2);
	cert_sb_uri(&sb, s + n / 2, n - n / 2);
	mine = cert_sb_take(&sb);
	str_eq("cert_sb_uri", r.p, mine);
	free(mine);
	/* cert_text_take() is cert_text() */
	copy = malloc(n + 1);
	assert_non_null(copy);
	memcpy(copy, s, n);
	copy[n] = '\0';
	mine = cert_text(s, n);
	copy = cert_text_take(copy, n);
	str_eq("cert_text_take", mine, copy);
	free(mine);
	free(copy);
	free(r.p);
}

static void
test_strings(void **state)
{
	static const size_t around[] = { 0, 1, 2, 3, 4, 5, 8 };
	uint8_t *s = malloc(CERT_STR_MAX + 64);
	uint32_t seed = 99;

	(void)state;
	assert_non_null(s);
	for (size_t n = CERT_STR_MAX - 12; n < CERT_STR_MAX + 6; n++) {
		memset(s, 'a', n);
		strings_one(s, n);
		/* something to escape near the end */
		for (size_t k = 0; k < sizeof(around) / sizeof(around[0]);
		    k++) {
			if (around[k] >= n)
				continue;
			memset(s, 'a', n);
			s[n - 1 - around[k]] = (uint8_t)(k % 2 ? '\\' : 0x01);
			strings_one(s, n);
			s[n - 1 - around[k]] = ',';
			strings_one(s, n);
		}
	}
	for (int c = 0; c < 256; c++) {		/* each byte alone */
		memcpy(s, "ab_cd", 5);
		s[2] = (uint8_t)c;
		strings_one(s, 5);
	}
	for (int round = 0; round < 300; round++) {
		size_t n = round < 150 ? (size_t)round : CERT_STR_MAX -
		    300 + (size_t)round;

		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			s[i] = (uint8_t)(seed >> 24);
			if (round % 3 != 0 && s[i] < 0x20)
				s[i] = 'x';	/* mostly plain runs */
		}
		strings_one(s, n);
	}
	free(s);
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
		cmocka_unit_test(test_ext_encodings),
		cmocka_unit_test(test_sct_lists),
		cmocka_unit_test(test_serials),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_ec_points),
		cmocka_unit_test(test_curve_points),
		cmocka_unit_test(test_patched_serials),
		cmocka_unit_test(test_oid_table),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_broken_der),
		cmocka_unit_test(test_speed),
	};

	return cmocka_run_group_tests(tests, keys_setup, keys_teardown);
}
