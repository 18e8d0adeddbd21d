/*
 * cert.c: X.509 facts.  One DER certificate in, one struct cert_record out,
 * through OpenSSL 3's public accessors (never struct internals of opaque
 * types; the ASN.1 structs of x509v3.h such as DIST_POINT are public).
 *
 * The input may come straight off the network (passive mode) or from a
 * fuzzer, so everything is bounded: the DER size, every string, the number
 * of SANs.  Bytes that could hide in a string (NUL, control bytes) are
 * escaped as \xNN so they stay visible and nothing is truncated silently.
 * Hazard tags: [X509-TRAILING] [X509-NUL-SAN] [X509-HUGE] [X509-TIME]
 * [X509-UNKNOWN-KEY].
 */
#include "scanner/cert.h"
#include "scanner/cert_internal.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ct.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "scanner/xmem.h"

static void
sb_putc(struct cert_sb *sb, char c)
{
	if (sb->full)
		return;
	if (sb->len + 4 >= CERT_STR_MAX) {
		/* Room for "..." and the NUL was kept back. */
		sb->full = true;
		c = '.';
		for (int i = 0; i < 3; i++)
			sb->p[sb->len++] = c;
		sb->p[sb->len] = '\0';
		return;
	}
	if (sb->len + 2 > sb->cap) {
		sb->cap = sb->cap == 0 ? 64 : sb->cap * 2;
		if (sb->cap > CERT_STR_MAX)
			sb->cap = CERT_STR_MAX;
		sb->p = xreallocarray(sb->p, sb->cap, 1);
	}
	sb->p[sb->len++] = c;
	sb->p[sb->len] = '\0';
}

#define ESC_BS		0x1	/* also escape the backslash */
#define ESC_COMMA	0x2	/* and the comma (items of a list) */

static bool
sb_escaped(unsigned char c, int esc)
{
	return c < 0x20 || c == 0x7f || ((esc & ESC_BS) && c == '\\') ||
	    ((esc & ESC_COMMA) && c == ',');
}

/* n bytes as they are: sb_putc() each, in one copy when none of them
 * reaches the maximum. */
static void
sb_append(struct cert_sb *sb, const unsigned char *s, size_t n)
{
	if (sb->full || sb->len + n + 4 > CERT_STR_MAX) {
		for (size_t i = 0; i < n; i++)
			sb_putc(sb, (char)s[i]);
		return;
	}
	if (sb->len + n + 1 > sb->cap) {
		while (sb->len + n + 1 > sb->cap)
			sb->cap = sb->cap == 0 ? 64 : sb->cap * 2;
		if (sb->cap > CERT_STR_MAX)
			sb->cap = CERT_STR_MAX;
		sb->p = xreallocarray(sb->p, sb->cap, 1);
	}
	memcpy(sb->p + sb->len, s, n);
	sb->len += n;
	sb->p[sb->len] = '\0';
}

/*
 * Appends bytes, escaping NUL, control bytes, DEL and (per esc) the
 * backslash and comma as \xNN, so "a\0b" and the text "a\x00b" stay
 * distinct and a comma inside a URL cannot split a list.  [X509-NUL-SAN]
 */
static void
sb_putn(struct cert_sb *sb, const void *v, size_t n, int esc)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = v;
	size_t i = 0, k;

	while (i < n && !sb->full) {
		for (k = i; k < n && !sb_escaped(s[k], esc); k++)
			;
		if (k > i) {
			sb_append(sb, s + i, k - i);
			i = k;
			continue;
		}
		sb_putc(sb, '\\');
		sb_putc(sb, 'x');
		sb_putc(sb, hex[s[i] >> 4]);
		sb_putc(sb, hex[s[i] & 0xf]);
		i++;
	}
}

static void
sb_puts(struct cert_sb *sb, const char *s)
{
	sb_putn(sb, s, strlen(s), 0);
}

/* Comma-separated lists: a separator before every item but the first. */
void
cert_sb_item(struct cert_sb *sb, const char *s)
{
	if (sb->len > 0)
		sb_putc(sb, ',');
	sb_puts(sb, s);
}

/* The string, never NULL; the buffer is handed over. */
char *
cert_sb_take(struct cert_sb *sb)
{
	char *s = sb->p != NULL ? sb->p : xstrdup("");

	*sb = (struct cert_sb){ 0 };
	return s;
}

/* The two digits of each byte, from one table: an endpoint's hashes are
 * written out some ten times (store, history, JSON). */
#define HEX_ROW(h)	h "0" h "1" h "2" h "3" h "4" h "5" h "6" h "7" \
			h "8" h "9" h "a" h "b" h "c" h "d" h "e" h "f"
static const char hex_pairs[] = HEX_ROW("0") HEX_ROW("1") HEX_ROW("2")
    HEX_ROW("3") HEX_ROW("4") HEX_ROW("5") HEX_ROW("6") HEX_ROW("7")
    HEX_ROW("8") HEX_ROW("9") HEX_ROW("a") HEX_ROW("b") HEX_ROW("c")
    HEX_ROW("d") HEX_ROW("e") HEX_ROW("f");

void
cert_hex(const uint8_t *bytes, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		memcpy(out + 2 * i, hex_pairs + 2 * bytes[i], 2);
	out[2 * len] = '\0';
}

char *
cert_hex_text(const void *bytes, size_t len)
{
	char *s;

	if (len > CERT_STR_MAX / 2 - 1)
		len = CERT_STR_MAX / 2 - 1;
	s = xmalloc(2 * len + 1);
	cert_hex(bytes, len, s);
	return s;
}

/* An object's short name, or its dotted form when OpenSSL has no name. */
void
cert_obj_name(const ASN1_OBJECT *obj, char *out, size_t outlen)
{
	int nid = OBJ_obj2nid(obj);

	if (nid != NID_undef && OBJ_nid2sn(nid) != NULL)
		snprintf(out, outlen, "%s", OBJ_nid2sn(nid));
	else if (OBJ_obj2txt(out, (int)outlen, obj, 1) <= 0)
		snprintf(out, outlen, "unknown");
}

/*
 * RFC 2253 one-line DN as Zeek prints it (X509_NAME_print_ex), but with
 * UTF-8 kept readable instead of \XX-escaped; "" for an empty name.
 */
static void
name_append(struct cert_sb *sb, const X509_NAME *name)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL;
	long n;

	if (bio == NULL)
		return;
	if (X509_NAME_print_ex(bio, name, 0,
	    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0 &&
	    (n = BIO_get_mem_data(bio, &data)) > 0)
		sb_putn(sb, data, (size_t)n, 0);
	BIO_free(bio);
}

char *
cert_text(const void *bytes, size_t n)
{
	struct cert_sb sb = { 0 };

	sb_putn(&sb, bytes, n, 0);
	return cert_sb_take(&sb);
}

/*
 * cert_text(s, n) when s (heap, NUL-terminated, n bytes) has nothing to
 * escape and is short enough to be kept whole: s itself, no copy.
 */
char *
cert_text_take(char *s, size_t n)
{
	char *t;

	if (n + 4 < CERT_STR_MAX) {
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
				goto copy;
		return s;
	}
copy:
	t = cert_text(s, n);
	free(s);
	return t;
}

static char *
name_string(const X509_NAME *name)
{
	struct cert_sb sb = { 0 };

	name_append(&sb, name);
	return cert_sb_take(&sb);
}

char *
cert_serial_string(const ASN1_INTEGER *serial)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
	char *hex = NULL, *s;

	if (bn == NULL || (hex = BN_bn2hex(bn)) == NULL) {
		BN_free(bn);
		return xstrdup("");
	}
	s = xstrndup(hex, CERT_STR_MAX);
	OPENSSL_free(hex);
	BN_free(bn);
	return s;
}

/* cert_serial_string() of a positive integer from its magnitude (no
 * leading zero octet): BN_bn2hex's upper-case digits, two an octet. */
char *
cert_serial_mag(const uint8_t *mag, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char *s;

	if (n > CERT_STR_MAX / 2)
		n = CERT_STR_MAX / 2;
	s = xmalloc(2 * n + 1);
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = hex[mag[i] >> 4];
		s[2 * i + 1] = hex[mag[i] & 0xf];
	}
	s[2 * n] = '\0';
	return s;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/*
 * Unix seconds of a UTCTime or GeneralizedTime, without time_t or timegm,
 * so years past 2038 and before 1970 work everywhere.  A time OpenSSL
 * cannot read gives 0 (the epoch): such a certificate is reported, and
 * the policy sees it as long expired.  [X509-TIME]
 */
int64_t
cert_time_unix(const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return cert_tm_unix(&tm);
}

int64_t
cert_tm_unix(const struct tm *tm)
{
	return days_from_civil((int64_t)tm->tm_year + 1900,
	    (unsigned)tm->tm_mon + 1, (unsigned)tm->tm_mday) * 86400 +
	    tm->tm_hour * 3600 + tm->tm_min * 60 + tm->tm_sec;
}

/* EC curve short name, "explicit" for explicit parameters. */
static char *
ec_curve(const EVP_PKEY *pkey)
{
	char buf[80];
	size_t len = 0;

	if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
	    buf, sizeof(buf), &len) == 1 && len > 0)
		return xstrdup(buf);
	return xstrdup("explicit");
}

/*
 * Key type, bits and curve.  OpenSSL cannot load every key algorithm
 * (GOST, post-quantum, broken parameters): the certificate still parses,
 * named by the key's OID with 0 bits.  [X509-UNKNOWN-KEY]
 */
static void
key_facts(struct cert_record *rec, X509 *x)
{
	EVP_PKEY *pkey = X509_get0_pubkey(x);
	ASN1_OBJECT *alg = NULL;
	const char *t = NULL;
	char buf[128];
	int id;

	rec->curve = NULL;
	if (pkey == NULL) {
		if (X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL,
		    X509_get_X509_PUBKEY(x)) == 1 && alg != NULL)
			cert_obj_name(alg, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "unknown");
		rec->key_type = xstrdup(buf);
		rec->key_bits = 0;
		rec->curve = xstrdup("");
		return;
	}
	switch ((id = EVP_PKEY_get_base_id(pkey))) {
	case EVP_PKEY_RSA:	t = "RSA"; break;
	case EVP_PKEY_RSA_PSS:	t = "RSA-PSS"; break;
	case EVP_PKEY_EC:	t = "EC"; break;
	case EVP_PKEY_DSA:	t = "DSA"; break;
	case EVP_PKEY_ED25519:	t = "Ed25519"; break;
	case EVP_PKEY_ED448:	t = "Ed448"; break;
	case EVP_PKEY_DH:
	case EVP_PKEY_DHX:	t = "DH"; break;
	default:
		if (id != NID_undef)
			t = OBJ_nid2sn(id);
		if (t == NULL)
			t = EVP_PKEY_get0_type_name(pkey);
		if (t == NULL)
			t = "unknown";
		break;
	}
	rec->key_type = xstrdup(t);
	rec->key_bits = EVP_PKEY_get_bits(pkey);
	if (rec->key_bits < 0)
		rec->key_bits = 0;
	rec->curve = id == EVP_PKEY_EC ? ec_curve(pkey) : xstrdup("");
}

/*
 * OpenSSL's long name ("sha256WithRSAEncryption", "ecdsa-with-SHA256");
 * RSASSA-PSS carries its hash in parameters, so it becomes
 * "RSASSA-PSS(sha256)", which keeps weak-hash checks working.
 */
static char *
sig_alg_string(X509 *x)
{
	const X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *obj = NULL;
	int mdnid = NID_undef;

	if (X509_get_signature_nid(x) == NID_rsassaPss) {
		if (X509_get_signature_info(x, &mdnid, NULL, NULL, NULL) ==
		    1 && mdnid != NID_undef && OBJ_nid2ln(mdnid) != NULL)
			return xasprintf("RSASSA-PSS(%s)", OBJ_nid2ln(mdnid));
		return xstrdup("RSASSA-PSS");
	}
	X509_get0_signature(NULL, &alg, x);
	if (alg != NULL)
		X509_ALGOR_get0(&obj, NULL, NULL, alg);
	return cert_sig_alg_plain(obj);
}

char *
cert_sig_alg_plain(const ASN1_OBJECT *obj)
{
	char buf[128];
	int nid = obj != NULL ? OBJ_obj2nid(obj) : NID_undef;

	if (nid != NID_undef && OBJ_nid2ln(nid) != NULL)
		return xstrdup(OBJ_nid2ln(nid));
	if (obj == NULL || OBJ_obj2txt(buf, sizeof(buf), obj, 1) <= 0)
		return xstrdup("unknown");
	return xstrdup(buf);
}

void
cert_ipv4_text(const unsigned char *p, char *out)
{
	for (int i = 0; i < 4; i++) {
		unsigned v = p[i];

		if (v >= 100)
			*out++ = (char)('0' + v / 100);
		if (v >= 10)
			*out++ = (char)('0' + v / 10 % 10);
		*out++ = (char)('0' + v % 10);
		*out++ = i < 3 ? '.' : '\0';
	}
}

static void
ip_append(struct cert_sb *sb, const unsigned char *p, size_t len)
{
	char buf[INET6_ADDRSTRLEN];

	sb_puts(sb, "IP:");
	if (len == 4) {
		cert_ipv4_text(p, buf);
		sb_puts(sb, buf);
		return;
	}
	if (len == 16 && inet_ntop(AF_INET6, p, buf, sizeof(buf)) != NULL) {
		sb_puts(sb, buf);
		return;
	}
	/* Not an address (e.g. a name-constraint range): show the bytes. */
	for (size_t i = 0; i < len && !sb->full; i++) {
		snprintf(buf, sizeof(buf), "%s%02x", i ? ":" : "", p[i]);
		sb_puts(sb, buf);
	}
}

/* One SAN entry as "DNS:x", "IP:1.2.3.4", "email:x", "URI:x", ... */
static char *
san_string(const GENERAL_NAME *gn)
{
	struct cert_sb sb = { 0 };
	ASN1_OBJECT *oid = NULL;
	char buf[128];
	void *v;
	int type;

	v = GENERAL_NAME_get0_value(gn, &type);
	switch (type) {
	case GEN_DNS:
	case GEN_EMAIL:
	case GEN_URI:
	case GEN_IPADD:
		if (v == NULL)
			return cert_san_text(type, "", 0);
		return cert_san_text(type, ASN1_STRING_get0_data(v),
		    (size_t)ASN1_STRING_length(v));
	case GEN_DIRNAME:
		sb_puts(&sb, "DirName:");
		name_append(&sb, v);
		break;
	case GEN_RID:
		cert_obj_name(v, buf, sizeof(buf));
		sb_puts(&sb, "RID:");
		sb_puts(&sb, buf);
		break;
	case GEN_OTHERNAME:
		GENERAL_NAME_get0_otherName(gn, &oid, NULL);
		if (oid != NULL)
			cert_obj_name(oid, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "unknown");
		sb_puts(&sb, "othername:");
		sb_puts(&sb, buf);
		break;
	case GEN_X400:
		sb_puts(&sb, "X400Name:");
		break;
	case GEN_EDIPARTY:
		sb_puts(&sb, "EdiPartyName:");
		break;
	default:
		sb_puts(&sb, "unknown:");
		break;
	}
	return cert_sb_take(&sb);
}

char *
cert_san_text(int type, const void *bytes, size_t n)
{
	struct cert_sb sb = { 0 };

	switch (type) {
	case GEN_DNS:
		sb_puts(&sb, "DNS:");
		break;
	case GEN_EMAIL:
		sb_puts(&sb, "email:");
		break;
	case GEN_URI:
		sb_puts(&sb, "URI:");
		break;
	case GEN_IPADD:
		ip_append(&sb, bytes, n);
		return cert_sb_take(&sb);
	default:
		return NULL;
	}
	sb_putn(&sb, bytes, n, ESC_BS);
	return cert_sb_take(&sb);
}

void
cert_san_facts(struct cert_record *rec, const GENERAL_NAMES *gens)
{
	int n;

	rec->sans = NULL;
	rec->nsans = 0;
	if (gens == NULL)
		return;
	n = sk_GENERAL_NAME_num(gens);
	if (n > CERT_SANS_MAX)
		n = CERT_SANS_MAX;
	if (n > 0) {
		rec->sans = xcalloc((size_t)n, sizeof(*rec->sans));
		for (int i = 0; i < n; i++)
			rec->sans[rec->nsans++] =
			    san_string(sk_GENERAL_NAME_value(gens, i));
	}
}

static void
san_facts(struct cert_record *rec, X509 *x)
{
	GENERAL_NAMES *gens;

	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	cert_san_facts(rec, gens);
	GENERAL_NAMES_free(gens);
}

char *
cert_eku_string(const EXTENDED_KEY_USAGE *eku)
{
	struct cert_sb sb = { 0 };
	char buf[128];

	if (eku == NULL)
		return xstrdup("");
	for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		cert_obj_name(sk_ASN1_OBJECT_value(eku, i), buf, sizeof(buf));
		cert_sb_item(&sb, buf);
	}
	return cert_sb_take(&sb);
}

static char *
eku_string(X509 *x)
{
	EXTENDED_KEY_USAGE *eku;
	char *s;

	eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	s = cert_eku_string(eku);
	EXTENDED_KEY_USAGE_free(eku);
	return s;
}

void
cert_sb_uri(struct cert_sb *sb, const void *bytes, size_t n)
{
	if (sb->len > 0)
		sb_putc(sb, ',');
	sb_putn(sb, bytes, n, ESC_BS | ESC_COMMA);
}

static void
uri_item(struct cert_sb *sb, const GENERAL_NAME *gn)
{
	int type;
	const ASN1_STRING *s = GENERAL_NAME_get0_value(gn, &type);

	if (type != GEN_URI || s == NULL)
		return;
	cert_sb_uri(sb, ASN1_STRING_get0_data(s),
	    (size_t)ASN1_STRING_length(s));
}

void
cert_aia_facts(struct cert_record *rec, const AUTHORITY_INFO_ACCESS *aia)
{
	struct cert_sb ocsp = { 0 }, ca = { 0 };

	for (int i = 0; aia != NULL && i < sk_ACCESS_DESCRIPTION_num(aia);
	    i++) {
		ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
		int nid = OBJ_obj2nid(ad->method);

		if (nid == NID_ad_OCSP)
			uri_item(&ocsp, ad->location);
		else if (nid == NID_ad_ca_issuers)
			uri_item(&ca, ad->location);
	}
	rec->ocsp_urls = cert_sb_take(&ocsp);
	rec->ca_issuers = cert_sb_take(&ca);
}

static void
aia_facts(struct cert_record *rec, X509 *x)
{
	AUTHORITY_INFO_ACCESS *aia;

	aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);
	cert_aia_facts(rec, aia);
	AUTHORITY_INFO_ACCESS_free(aia);
}

char *
cert_crl_string(const STACK_OF(DIST_POINT) *dps)
{
	struct cert_sb sb = { 0 };

	for (int i = 0; dps != NULL && i < sk_DIST_POINT_num(dps); i++) {
		DIST_POINT *dp = sk_DIST_POINT_value(dps, i);

		/* Type 0 is a fullName; type 1 (relative name) has no URI. */
		if (dp->distpoint == NULL || dp->distpoint->type != 0)
			continue;
		for (int j = 0; j < sk_GENERAL_NAME_num(
		    dp->distpoint->name.fullname); j++)
			uri_item(&sb, sk_GENERAL_NAME_value(
			    dp->distpoint->name.fullname, j));
	}
	return cert_sb_take(&sb);
}

static char *
crl_string(X509 *x)
{
	STACK_OF(DIST_POINT) *dps;
	char *s;

	dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
	s = cert_crl_string(dps);
	sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
	return s;
}

int
cert_sct_count(const STACK_OF(SCT) *scts)
{
	int n;

	if (scts == NULL)
		return 0;
	n = sk_SCT_num(scts);
	return n > 0 ? n : 0;
}

static int
sct_count(X509 *x)
{
	STACK_OF(SCT) *scts;
	int n;

	scts = X509_get_ext_d2i(x, NID_ct_precert_scts, NULL, NULL);
	n = cert_sct_count(scts);
	SCT_LIST_free(scts);
	return n;
}

char *
cert_octets_hex(const ASN1_OCTET_STRING *s)
{
	if (s == NULL)
		return xstrdup("");
	return cert_hex_text(ASN1_STRING_get0_data(s),
	    (size_t)ASN1_STRING_length(s));
}

/* Constraints, usages and the other extension-derived facts. */
static void
ext_facts(struct cert_record *rec, X509 *x)
{
	uint32_t flags = X509_get_extension_flags(x);

	rec->has_basic_constraints = (flags & EXFLAG_BCONS) != 0;
	rec->is_ca = rec->has_basic_constraints && (flags & EXFLAG_CA) != 0;
	rec->path_len = -1;
	if (rec->has_basic_constraints && X509_get_pathlen(x) >= 0)
		rec->path_len = (int)X509_get_pathlen(x);
	rec->key_usage = (flags & EXFLAG_KUSAGE) != 0 ?
	    X509_get_key_usage(x) : UINT32_MAX;
	rec->self_signed = X509_self_signed(x, 1) == 1;
	rec->eku = eku_string(x);
	aia_facts(rec, x);
	rec->crl_urls = crl_string(x);
	rec->sct_count = sct_count(x);
	rec->ski = cert_octets_hex(X509_get0_subject_key_id(x));
	rec->aki = cert_octets_hex(X509_get0_authority_key_id(x));
}

static int
spki_hash(X509 *x, uint8_t out[CERT_SHA256_LEN])
{
	unsigned char *spki = NULL;
	int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki);
	int rc = -1;

	if (len > 0 && EVP_Digest(spki, (size_t)len, out, NULL, EVP_sha256(),
	    NULL) == 1)
		rc = 0;
	OPENSSL_free(spki);
	return rc;
}

/* Fills rec from x (whose DER is der); takes one reference to x. */
static int
record_fill(struct cert_record *rec, X509 *x, const uint8_t *der,
    size_t len)
{
	if (EVP_Digest(der, len, rec->sha256, NULL, EVP_sha256(), NULL) != 1 ||
	    spki_hash(x, rec->spki_sha256) == -1)
		return -1;
	rec->der = xmemdup(der, len);
	rec->der_len = len;
	rec->subject = name_string(X509_get_subject_name(x));
	rec->issuer = name_string(X509_get_issuer_name(x));
	rec->serial = cert_serial_string(X509_get0_serialNumber(x));
	rec->not_before = cert_time_unix(X509_get0_notBefore(x));
	rec->not_after = cert_time_unix(X509_get0_notAfter(x));
	key_facts(rec, x);
	rec->sig_alg = sig_alg_string(x);
	rec->version = (int)X509_get_version(x) + 1;
	san_facts(rec, x);
	ext_facts(rec, x);
	if (X509_up_ref(x) != 1)
		return -1;
	rec->x509 = x;
	return 0;
}

int
cert_record_from_der(struct cert_record *rec, const uint8_t *der,
    size_t len)
{
	const unsigned char *p = der;
	X509 *x = NULL;
	int rc = -1;

	memset(rec, 0, sizeof(*rec));
	ERR_set_mark();
	if (der == NULL || len == 0 || len > CERT_DER_MAX)
		goto out;
	/* [X509-TRAILING] bytes after the certificate mean it is not one. */
	if ((x = d2i_X509(NULL, &p, (long)len)) == NULL ||
	    (size_t)(p - der) != len)
		goto out;
	rc = record_fill(rec, x, der, len);
out:
	X509_free(x);
	/* Our failures (and the self-signature check's) are not news for
	   whoever reads the error queue next. */
	ERR_pop_to_mark();
	if (rc == -1)
		cert_record_clear(rec);
	return rc;
}

int
cert_record_from_x509(struct cert_record *rec, X509 *x)
{
	unsigned char *der = NULL;
	int len, rc = -1;

	memset(rec, 0, sizeof(*rec));
	ERR_set_mark();
	len = i2d_X509(x, &der);
	if (len > 0 && (size_t)len <= CERT_DER_MAX)
		rc = record_fill(rec, x, der, (size_t)len);
	OPENSSL_free(der);
	ERR_pop_to_mark();
	if (rc == -1)
		cert_record_clear(rec);
	return rc;
}

X509 *
cert_record_x509(const struct cert_record *rec)
{
	const unsigned char *p = rec->der;

	if (rec->x509 != NULL)
		return X509_up_ref(rec->x509) == 1 ? rec->x509 : NULL;
	if (rec->der == NULL)
		return NULL;
	return d2i_X509(NULL, &p, (long)rec->der_len);
}

void
cert_record_clear(struct cert_record *rec)
{
	free(rec->der);
	free(rec->subject);
	free(rec->issuer);
	free(rec->serial);
	free(rec->key_type);
	free(rec->curve);
	free(rec->sig_alg);
	for (size_t i = 0; i < rec->nsans; i++)
		free(rec->sans[i]);
	free(rec->sans);
	free(rec->eku);
	free(rec->ocsp_urls);
	free(rec->ca_issuers);
	free(rec->crl_urls);
	free(rec->ski);
	free(rec->aki);
	X509_free(rec->x509);
	free(rec->lite);
	memset(rec, 0, sizeof(*rec));
}
