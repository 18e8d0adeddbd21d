/*
 * certlite.c: cert_record_from_der_lite(), the certificate facts of
 * cert.c without d2i_X509().  OpenSSL 3 decodes the public key of every
 * certificate it parses into an EVP_PKEY through the provider decoders,
 * which is ~100-170 us a certificate; the scanner wants the key's type and
 * size, not the key.  So the DER is split here (der.c); the serial, the
 * times and the common extensions, in their plain encodings, are read from
 * it directly, and anything less plain goes to OpenSSL's own decoders
 * (serial and times: the very items d2i_X509() uses; each extension value:
 * the method X509V3_EXT_d2i() uses; certlite_ext.c).  Object identifiers
 * are looked up in a table of OpenSSL's own (certlite_oid.c), algorithm
 * identifiers are read in the forms whose decoding is certain, the names
 * are printed by certlite_name.c, and the key facts are read from the
 * SubjectPublicKeyInfo directly (an EC point is checked by certlite_ec.c).
 * The string formatting is cert.c's own (cert_internal.h).
 *
 * Correctness first: the record must equal cert_record_from_der()'s in
 * every field but x509.  Whenever this file is not certain of that - a
 * structure it does not handle, an encoding OpenSSL might read otherwise,
 * anything x509v3_cache_extensions() would call invalid, a self-issued
 * certificate whose signature decides self_signed - it hands the bytes to
 * cert_record_from_der() instead ("unsure", -1 internally), which also
 * decides rejection: the lite path never rejects anything on its own.
 */
#include "scanner/cert.h"
#include "scanner/cert_internal.h"
#include "scanner/certlite.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "scanner/xmem.h"

#define RSA_BITS_MAX	16384	/* larger: OpenSSL decides */
#define ED25519_BITS	256	/* EVP_PKEY_get_bits() of OpenSSL 3 */
#define ED448_BITS	456

int
certlite_split(const uint8_t *der, size_t len, struct certlite_parts *p)
{
	struct der_cur top = der_cursor(der, len), c, t;
	struct der cert, d, validity;

	memset(p, 0, sizeof(*p));
	if (der_expect(&top, DER_SEQUENCE, &cert) == -1 ||
	    !der_at_end(&top))				/* [DER-TRAILING] */
		return -1;
	c = der_enter(&cert);
	if (der_expect(&c, DER_SEQUENCE, &p->tbs) == -1 ||
	    der_expect(&c, DER_SEQUENCE, &p->sigalg) == -1 ||
	    der_expect(&c, DER_BIT_STRING, &p->sig) == -1 || !der_at_end(&c))
		return -1;
	t = der_enter(&p->tbs);
	if (der_optional(&t, DER_CTX_CONS(0), &d)) {
		c = der_enter(&d);
		if (der_expect(&c, DER_INTEGER, &p->version) == -1 ||
		    !der_at_end(&c))
			return -1;
	}
	if (der_expect(&t, DER_INTEGER, &p->serial) == -1 ||
	    der_expect(&t, DER_SEQUENCE, &p->tbs_sigalg) == -1 ||
	    der_expect(&t, DER_SEQUENCE, &p->issuer) == -1 ||
	    der_expect(&t, DER_SEQUENCE, &validity) == -1 ||
	    der_expect(&t, DER_SEQUENCE, &p->subject) == -1 ||
	    der_expect(&t, DER_SEQUENCE, &p->spki) == -1)
		return -1;
	c = der_enter(&validity);
	if (der_next(&c, &p->not_before) == -1 ||
	    der_next(&c, &p->not_after) == -1 || !der_at_end(&c))
		return -1;
	c = der_enter(&p->spki);
	if (der_expect(&c, DER_SEQUENCE, &p->spki_alg) == -1 ||
	    der_expect(&c, DER_BIT_STRING, &p->spki_key) == -1 ||
	    !der_at_end(&c))
		return -1;
	if (der_optional(&t, DER_CTX_CONS(3), &d)) {
		c = der_enter(&d);
		if (der_expect(&c, DER_SEQUENCE, &p->exts) == -1 ||
		    !der_at_end(&c))
			return -1;
	}
	/* Unique identifiers, or anything else: not ours. */
	return der_at_end(&t) ? 0 : -1;
}

/* One item decoded by OpenSSL, which must use exactly the TLV's bytes. */
static void *
d2i_exact(const struct der *d, const ASN1_ITEM *it)
{
	const unsigned char *q = d->tlv;
	ASN1_VALUE *v;

	if (d->tlv_len > LONG_MAX)
		return NULL;
	v = ASN1_item_d2i(NULL, &q, (long)d->tlv_len, it);
	if (v != NULL && q != d->tlv + d->tlv_len) {
		ASN1_item_free(v, it);
		v = NULL;
	}
	return v;
}

/*
 * SHA-256, fetched once (EVP_sha256() is fetched again on every
 * EVP_Digest) and shared by the threads, and a digest context per thread
 * (EVP_Digest makes and frees one a call).
 */
static EVP_MD *lite_sha256;
static pthread_key_t lite_sha256_key;
static bool lite_sha256_keyed;
static pthread_once_t lite_sha256_once = PTHREAD_ONCE_INIT;

static void
sha256_ctx_free(void *ctx)
{
	EVP_MD_CTX_free(ctx);
}

static void
lite_sha256_init(void)
{
	lite_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	lite_sha256_keyed = pthread_key_create(&lite_sha256_key,
	    sha256_ctx_free) == 0;
	ERR_clear_error();
}

static EVP_MD_CTX *
sha256_ctx(void)
{
	EVP_MD_CTX *ctx;

	if (!lite_sha256_keyed)
		return NULL;
	if ((ctx = pthread_getspecific(lite_sha256_key)) != NULL)
		return ctx;
	if ((ctx = EVP_MD_CTX_new()) != NULL &&
	    pthread_setspecific(lite_sha256_key, ctx) != 0) {
		EVP_MD_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

static int
sha256(const void *p, size_t n, uint8_t out[CERT_SHA256_LEN])
{
	EVP_MD_CTX *ctx;

	pthread_once(&lite_sha256_once, lite_sha256_init);
	if (lite_sha256 == NULL)
		return -1;
	if ((ctx = sha256_ctx()) == NULL)
		return EVP_Digest(p, n, out, NULL, lite_sha256, NULL) == 1 ?
		    0 : -1;
	if (EVP_DigestInit_ex2(ctx, lite_sha256, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, p, n) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, NULL) != 1)
		return -1;
	return 0;
}

/* The object of an OID, as OpenSSL decodes it (static when known). */
static ASN1_OBJECT *
oid_object(const struct der *oid)
{
	const unsigned char *q = oid->tlv;
	ASN1_OBJECT *obj;
	int nid;

	if (!der_oid_ok(oid))
		return NULL;
	if ((nid = certlite_oid_nid(oid)) != NID_undef &&
	    (obj = OBJ_nid2obj(nid)) != NULL)
		return obj;		/* OpenSSL's static one, as d2i gives */
	obj = d2i_ASN1_OBJECT(NULL, &q, (long)oid->tlv_len);
	if (obj != NULL && q != oid->tlv + oid->tlv_len) {
		ASN1_OBJECT_free(obj);
		obj = NULL;
	}
	return obj;
}

/*
 * An AlgorithmIdentifier in a form whose decoding and re-encoding by
 * OpenSSL are certain: no parameters, NULL, an OID, or (when seq_ok, for
 * DSA) a SEQUENCE, which X509_ALGOR keeps as raw bytes.  Other parameter
 * types (ASN1_ANY checks some of them) are unsure.
 */
struct algo {
	ASN1_OBJECT	*obj;
	int		 nid;
	struct der	 param;		/* tag 0: absent */
};

static int
algo_parse(const struct der *d, bool seq_ok, struct algo *a)
{
	struct der_cur c = der_enter(d);
	struct der oid;

	memset(a, 0, sizeof(*a));
	if (der_expect(&c, DER_OID, &oid) == -1)
		return -1;
	/* Tag 0 below means "absent", so a real end-of-contents octet
	 * (00 00), which OpenSSL refuses, must not look like one. */
	if (!der_at_end(&c) && (der_next(&c, &a->param) == -1 ||
	    !der_at_end(&c) || a->param.tag == 0))
		return -1;
	switch (a->param.tag) {
	case 0:
		break;
	case DER_NULL:
		if (a->param.len != 0)
			return -1;
		break;
	case DER_OID:
		if (!der_oid_ok(&a->param))
			return -1;
		break;
	case DER_SEQUENCE:
		if (!seq_ok)
			return -1;
		break;
	default:
		return -1;
	}
	if ((a->obj = oid_object(&oid)) == NULL)
		return -1;
	a->nid = OBJ_obj2nid(a->obj);
	return 0;
}

/* The key of an SPKI: the BIT STRING's bits, whole octets only. */
struct spki_key {
	const uint8_t	*p;
	size_t		 len;
};

static int
rsa_facts(struct cert_record *rec, const struct algo *a,
    const struct spki_key *k)
{
	struct der_cur c = der_cursor(k->p, k->len), s;
	struct der seq, n, e;
	int bits;

	if (a->param.tag != DER_NULL && a->param.tag != 0)
		return -1;
	if (der_expect(&c, DER_SEQUENCE, &seq) == -1 || !der_at_end(&c))
		return -1;
	s = der_enter(&seq);
	if (der_expect(&s, DER_INTEGER, &n) == -1 ||
	    der_expect(&s, DER_INTEGER, &e) == -1 || !der_at_end(&s))
		return -1;
	if ((bits = der_uint_bits(&n)) <= 0 || bits > RSA_BITS_MAX ||
	    der_uint_bits(&e) <= 0)
		return -1;
	rec->key_type = xstrdup("RSA");
	rec->key_bits = bits;
	rec->curve = xstrdup("");
	return 0;
}

/* EC_POINT_oct2point() as eckey_pub_decode() calls it. */
static bool
ec_point_decodes(const struct certlite_curve *c, const struct spki_key *k)
{
	EC_POINT *pt;
	bool ok;

	if ((pt = EC_POINT_new(c->group)) == NULL)
		return false;
	ok = EC_POINT_oct2point(c->group, pt, k->p, k->len, NULL) == 1;
	EC_POINT_free(pt);
	return ok;
}

/* What eckey_pub_decode() does with a named curve: the point must decode
 * (on the curve, or the lone 00 of infinity, as OpenSSL allows). */
static int
ec_facts(struct cert_record *rec, const struct algo *a,
    const struct spki_key *k)
{
	ASN1_OBJECT *curve = NULL;
	const struct certlite_curve *c;
	int nid;

	if (a->param.tag != DER_OID ||
	    (curve = oid_object(&a->param)) == NULL)
		return -1;	/* explicit parameters: OpenSSL's call */
	nid = OBJ_obj2nid(curve);
	ASN1_OBJECT_free(curve);
	if ((c = certlite_curve(nid)) == NULL)
		return -1;
	if (!certlite_curve_point(c, k->p, k->len) &&
	    !ec_point_decodes(c, k))
		return -1;
	rec->key_type = xstrdup("EC");
	rec->key_bits = c->order_bits;
	rec->curve = xstrdup(c->name);
	return 0;
}

/* DSA: parameters p, q, g; the key an INTEGER; bits are p's. */
static int
dsa_facts(struct cert_record *rec, const struct algo *a,
    const struct spki_key *k)
{
	struct der_cur c, s;
	struct der pp, q, g, y;
	int bits;

	if (a->param.tag != DER_SEQUENCE)
		return -1;
	s = der_enter(&a->param);
	if (der_expect(&s, DER_INTEGER, &pp) == -1 ||
	    der_expect(&s, DER_INTEGER, &q) == -1 ||
	    der_expect(&s, DER_INTEGER, &g) == -1 || !der_at_end(&s))
		return -1;
	c = der_cursor(k->p, k->len);
	if (der_expect(&c, DER_INTEGER, &y) == -1 || !der_at_end(&c))
		return -1;
	if ((bits = der_uint_bits(&pp)) <= 0 || der_uint_bits(&q) <= 0 ||
	    der_uint_bits(&g) <= 0 || der_uint_bits(&y) <= 0)
		return -1;
	rec->key_type = xstrdup("DSA");
	rec->key_bits = bits;
	rec->curve = xstrdup("");
	return 0;
}

static int
ecx_facts(struct cert_record *rec, const struct algo *a,
    const struct spki_key *k, const char *type, size_t keylen, int bits)
{
	if (a->param.tag != 0 || k->len != keylen)
		return -1;
	rec->key_type = xstrdup(type);
	rec->key_bits = bits;
	rec->curve = xstrdup("");
	return 0;
}

/*
 * key_facts() of cert.c for the algorithms whose decoding we can vouch
 * for; any other algorithm (RSA-PSS, DH, GOST, explicit curves, SM2, ...)
 * is unsure.
 */
static int
key_facts_lite(struct cert_record *rec, const struct certlite_parts *p,
    const struct algo *a)
{
	struct spki_key k;

	/* Unused bits would be masked off when OpenSSL re-encodes the key,
	 * changing spki_sha256. */
	if (p->spki_key.len < 1 || p->spki_key.val[0] != 0)
		return -1;
	k.p = p->spki_key.val + 1;
	k.len = p->spki_key.len - 1;
	switch (a->nid) {
	case NID_rsaEncryption:
		return rsa_facts(rec, a, &k);
	case NID_X9_62_id_ecPublicKey:
		return ec_facts(rec, a, &k);
	case NID_dsa:
		return dsa_facts(rec, a, &k);
	case NID_ED25519:
		return ecx_facts(rec, a, &k, "Ed25519", 32, ED25519_BITS);
	case NID_ED448:
		return ecx_facts(rec, a, &k, "Ed448", 57, ED448_BITS);
	default:
		return -1;
	}
}

/* The decoded pieces of one certificate. */
struct lite {
	struct certlite_parts	 p;
	struct algo		 sigalg;
	struct algo		 spki_alg;
	const uint8_t		*serial_mag;	/* read here, or */
	size_t			 serial_len;
	ASN1_INTEGER		*serial;	/* decoded by OpenSSL */
	int64_t			 not_before;
	int64_t			 not_after;
	int			 tbs_sig_nid;
	struct certlite_exts	 e;
};

/*
 * A serial read here: a positive INTEGER, minimal (OpenSSL refuses
 * padding), short; its magnitude.  Zero, negative and long ones: OpenSSL.
 */
static bool
serial_plain(const struct der *d, const uint8_t **mag, size_t *n)
{
	const uint8_t *v = d->val;
	size_t len = d->len;

	if (len == 0 || len > 64 || (v[0] & 0x80))
		return false;
	if (v[0] == 0) {
		if (len == 1 || !(v[1] & 0x80))
			return false;
		v++;
		len--;
	}
	*mag = v;
	*n = len;
	return true;
}

static int
two_digits(const uint8_t *p)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/*
 * A time read here: UTCTime YYMMDDHHMMSSZ or GeneralizedTime
 * YYYYMMDDHHMMSSZ, each field in range (ossl_asn1_time_to_tm()'s limits:
 * the day within its month, no leap second), which OpenSSL reads the same
 * way; anything else (fractions, offsets, missing seconds, bad dates) is
 * OpenSSL's call, and decides the record.
 */
static bool
time_plain(const struct der *d, struct tm *tm)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	const uint8_t *p = d->val;
	int f[7], n, year, md;

	if (!((d->tag == DER_UTC_TIME && d->len == 13) ||
	    (d->tag == DER_GEN_TIME && d->len == 15)) || p[d->len - 1] != 'Z')
		return false;
	n = (int)(d->len - 1) / 2;
	for (int i = 0; i < n; i++)
		if ((f[i] = two_digits(p + 2 * i)) < 0)
			return false;
	if (d->tag == DER_UTC_TIME)
		year = f[0] < 50 ? 2000 + f[0] : 1900 + f[0];
	else
		year = f[0] * 100 + f[1];
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = year - 1900;
	tm->tm_mon = f[n - 5] - 1;
	tm->tm_mday = f[n - 4];
	tm->tm_hour = f[n - 3];
	tm->tm_min = f[n - 2];
	tm->tm_sec = f[n - 1];
	if (tm->tm_mon < 0 || tm->tm_mon > 11 || tm->tm_mday < 1 ||
	    tm->tm_hour > 23 || tm->tm_min > 59 || tm->tm_sec > 59)
		return false;
	md = mdays[tm->tm_mon];
	if (tm->tm_mon == 1 && (year % 400 == 0 ||
	    (year % 100 != 0 && year % 4 == 0)))
		md++;
	return tm->tm_mday <= md;
}

/* One time in Unix seconds: read here, or decoded by OpenSSL (-1 when
 * that fails). */
static int
time_read(const struct der *d, int64_t *out)
{
	ASN1_TIME *t;
	struct tm tm;

	if (time_plain(d, &tm)) {
		*out = cert_tm_unix(&tm);
		return 0;
	}
	if ((t = d2i_exact(d, ASN1_ITEM_rptr(ASN1_TIME))) == NULL)
		return -1;
	*out = cert_time_unix(t);
	ASN1_TIME_free(t);
	return 0;
}

/* Everything d2i_X509() would decode but the key, as it would. */
static int
lite_decode(struct lite *l, const uint8_t *der, size_t len)
{
	const struct certlite_parts *p = &l->p;
	struct algo tbs_alg;
	int rc;

	if (certlite_split(der, len, &l->p) == -1)
		return -1;
	/* v1 without extensions, or v3; v2, a DEFAULT v1 written out, or
	 * extensions in a v1 certificate: OpenSSL's call. */
	if (p->version.tag == 0 ? p->exts.tag != 0 :
	    p->version.len != 1 || p->version.val[0] != 2)
		return -1;
	/* The signature: c2i_ASN1_BIT_STRING wants the unused-bits octet. */
	if (p->sig.len < 1 || p->sig.val[0] > 7)
		return -1;
	rc = algo_parse(&p->tbs_sigalg, false, &tbs_alg);
	l->tbs_sig_nid = tbs_alg.nid;
	ASN1_OBJECT_free(tbs_alg.obj);
	if (rc == -1 || algo_parse(&p->sigalg, false, &l->sigalg) == -1 ||
	    algo_parse(&p->spki_alg, true, &l->spki_alg) == -1)
		return -1;
	if (!serial_plain(&p->serial, &l->serial_mag, &l->serial_len) &&
	    (l->serial = d2i_exact(&p->serial,
	    ASN1_ITEM_rptr(ASN1_INTEGER))) == NULL)
		return -1;
	if (time_read(&p->not_before, &l->not_before) == -1 ||
	    time_read(&p->not_after, &l->not_after) == -1)
		return -1;
	return certlite_exts_read(&p->exts, &l->e);
}

static void
lite_free(struct lite *l)
{
	ASN1_OBJECT_free(l->sigalg.obj);
	ASN1_OBJECT_free(l->spki_alg.obj);
	ASN1_INTEGER_free(l->serial);
	certlite_exts_clear(&l->e);
}

static int
name_cmp_slow(const struct der *a, const struct der *b)
{
	X509_NAME *na = d2i_exact(a, ASN1_ITEM_rptr(X509_NAME));
	X509_NAME *nb = d2i_exact(b, ASN1_ITEM_rptr(X509_NAME));
	int r = -1;

	if (na != NULL && nb != NULL)
		r = X509_NAME_cmp(na, nb) != 0;
	X509_NAME_free(na);
	X509_NAME_free(nb);
	return r;
}

/*
 * self_signed without the signature: a certificate whose subject differs
 * from its issuer is not self-signed, nor is a self-issued one whose
 * authority key id names another key (x509v3_cache_extensions() then
 * leaves EXFLAG_SS off).  Any other self-issued certificate: unsure, the
 * signature decides.
 */
static int
self_signed_lite(const struct lite *l, bool *ss)
{
	int r = certlite_name_cmp(&l->p.subject, &l->p.issuer);

	if (r == -1 && (r = name_cmp_slow(&l->p.subject,
	    &l->p.issuer)) == -1)
		return -1;
	*ss = false;
	if (r == 1)
		return 0;
	if (certlite_exts_other_key(&l->e))
		return 0;
	return -1;
}

static int
name_text(const struct der *name, char **out)
{
	char *s;
	size_t n;

	if (certlite_name_print(name, &s, &n) == -1)
		return -1;
	*out = cert_text_take(s, n);
	return 0;
}

/* What certlite_link(), certlite_san_names() and certlite_sig_nid() of
 * the same DER would give: l has read all they read. */
static struct certlite_view *
lite_view(const struct lite *l)
{
	struct certlite_view *v = xcalloc(1, sizeof(*v));

	v->link.p = l->p;
	v->link.tbs_sig_nid = l->tbs_sig_nid;
	v->link_ok = certlite_keyids(l->e.val, &v->link.ski, &v->link.keyid,
	    &v->link.aki_names) == 0;
	v->san_ok = certlite_san_names_of(&l->e.val[CLX_SAN],
	    &v->san_names) == 0;
	v->sig_nid = l->sigalg.nid;
	return v;
}

/* der is the record's own copy, which l points into. */
static int
lite_fill(struct cert_record *rec, const struct lite *l, uint8_t *der,
    size_t len)
{
	const struct certlite_parts *p = &l->p;

	if (l->sigalg.nid == NID_rsassaPss)
		return -1;	/* its hash needs X509_get_signature_info */
	if (key_facts_lite(rec, p, &l->spki_alg) == -1 ||
	    self_signed_lite(l, &rec->self_signed) == -1 ||
	    name_text(&p->subject, &rec->subject) == -1 ||
	    name_text(&p->issuer, &rec->issuer) == -1)
		return -1;
	if (sha256(der, len, rec->sha256) == -1 ||
	    sha256(p->spki.tlv, p->spki.tlv_len, rec->spki_sha256) == -1)
		return -1;
	rec->der = der;
	rec->der_len = len;
	rec->lite = lite_view(l);
	rec->serial = l->serial != NULL ? cert_serial_string(l->serial) :
	    cert_serial_mag(l->serial_mag, l->serial_len);
	rec->not_before = l->not_before;
	rec->not_after = l->not_after;
	rec->sig_alg = cert_sig_alg_plain(l->sigalg.obj);
	rec->version = p->version.tag == 0 ? 1 : 3;
	certlite_exts_facts(rec, &l->e);
	return 0;
}

int
certlite_fill(struct cert_record *rec, const uint8_t *der, size_t len)
{
	struct lite l;
	uint8_t *copy;
	int rc = -1;

	memset(rec, 0, sizeof(*rec));
	memset(&l, 0, sizeof(l));
	if (der == NULL || len == 0 || len > CERT_DER_MAX)
		return -1;
	/* Read in the record's copy, so that rec->lite can point into it. */
	copy = xmemdup(der, len);
	ERR_set_mark();
	if (lite_decode(&l, copy, len) == 0 && lite_fill(rec, &l, copy,
	    len) == 0)
		rc = 0;
	else if (rec->der == NULL)
		free(copy);
	lite_free(&l);
	ERR_pop_to_mark();
	if (rc == -1)
		cert_record_clear(rec);
	return rc;
}

int
cert_record_from_der_lite(struct cert_record *rec, const uint8_t *der,
    size_t len)
{
	if (certlite_fill(rec, der, len) == 0)
		return 0;
	return cert_record_from_der(rec, der, len);
}

int
certlite_link(const uint8_t *der, size_t len, struct certlite_link *k)
{
	struct der val[CLX__MAX];
	struct algo alg;

	memset(k, 0, sizeof(*k));
	memset(val, 0, sizeof(val));
	if (certlite_split(der, len, &k->p) == -1 ||
	    (k->p.exts.tag != 0 && certlite_exts_walk(&k->p.exts, val) == -1) ||
	    certlite_keyids(val, &k->ski, &k->keyid, &k->aki_names) == -1 ||
	    algo_parse(&k->p.tbs_sigalg, false, &alg) == -1)
		return -1;
	k->tbs_sig_nid = alg.nid;
	ASN1_OBJECT_free(alg.obj);
	return 0;
}

int
certlite_rec_link(const struct cert_record *rec, struct certlite_link *k)
{
	if (rec->lite == NULL || !rec->lite->link_ok)
		return certlite_link(rec->der, rec->der_len, k);
	*k = rec->lite->link;
	return 0;
}

int
certlite_rec_san_names(const struct cert_record *rec, struct der *names)
{
	if (rec->lite == NULL)
		return certlite_san_names(rec->der, rec->der_len, names);
	*names = rec->lite->san_names;
	return rec->lite->san_ok ? 0 : -1;
}

int
certlite_rec_sig_nid(const struct cert_record *rec)
{
	if (rec->lite == NULL)
		return certlite_sig_nid(rec->der, rec->der_len);
	return rec->lite->sig_nid;
}

int
certlite_sig_nid(const uint8_t *der, size_t len)
{
	struct certlite_parts p;
	struct algo a;
	int nid;

	if (certlite_split(der, len, &p) == -1 ||
	    algo_parse(&p.sigalg, false, &a) == -1)
		return NID_undef;
	nid = a.nid;
	ASN1_OBJECT_free(a.obj);
	return nid;
}
