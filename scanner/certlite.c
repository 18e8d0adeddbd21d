/*
 * certlite.c: cert_record_from_der_lite(), the certificate facts of
 * cert.c without d2i_X509().  OpenSSL 3 decodes the public key of every
 * certificate it parses into an EVP_PKEY through the provider decoders,
 * which is ~100-170 us a certificate; the scanner wants the key's type and
 * size, not the key.  So the DER is split here (der.c), the cheap pieces go
 * to OpenSSL's own decoders (serial, times, algorithms, extensions: the
 * very items d2i_X509() would use, so they accept and yield the same), the
 * names are printed by certlite_name.c, and the key facts are read from
 * the SubjectPublicKeyInfo directly.
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

#define RSA_BITS_MAX	16384	/* larger: let OpenSSL say what it makes of it */
#define ED25519_BITS	256	/* EVP_PKEY_get_bits() of OpenSSL 3 */
#define ED448_BITS	456
#define EC_CURVES_MAX	128

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

/* Does OpenSSL encode alg back into exactly these bytes?  (i2d of the
 * certificate and of its key re-encode the algorithms.) */
static bool
algor_round_trips(const X509_ALGOR *alg, const struct der *d)
{
	unsigned char *enc = NULL;
	int n = i2d_X509_ALGOR(alg, &enc);
	bool same = n > 0 && (size_t)n == d->tlv_len &&
	    memcmp(enc, d->tlv, d->tlv_len) == 0;

	OPENSSL_free(enc);
	return same;
}

/*
 * EC groups of every built-in curve, made once: EC_GROUP_new_by_curve_name
 * costs ~14 us, more than the rest of a certificate.  Written only by
 * pthread_once(), read-only afterwards (EC_POINT_oct2point and
 * EC_GROUP_order_bits do not modify the group), so threads share it.
 * SM2 is left out: OpenSSL gives such keys their own type.
 */
struct ec_curves {
	int		 nid[EC_CURVES_MAX];
	EC_GROUP	*group[EC_CURVES_MAX];
	size_t		 n;
};

static struct ec_curves ec_curves;
static pthread_once_t ec_curves_once = PTHREAD_ONCE_INIT;

static void
ec_curves_init(void)
{
	EC_builtin_curve list[EC_CURVES_MAX];
	size_t n = EC_get_builtin_curves(list, EC_CURVES_MAX);

	for (size_t i = 0; i < n && i < EC_CURVES_MAX; i++) {
		EC_GROUP *g;

		if (list[i].nid == NID_sm2 ||
		    (g = EC_GROUP_new_by_curve_name(list[i].nid)) == NULL)
			continue;
		ec_curves.nid[ec_curves.n] = list[i].nid;
		ec_curves.group[ec_curves.n++] = g;
	}
	ERR_clear_error();
}

static const EC_GROUP *
ec_group(int nid)
{
	pthread_once(&ec_curves_once, ec_curves_init);
	for (size_t i = 0; i < ec_curves.n; i++)
		if (ec_curves.nid[i] == nid)
			return ec_curves.group[i];
	return NULL;
}

/* The key of an SPKI: the BIT STRING's bits, whole octets only. */
struct spki_key {
	const uint8_t	*p;
	size_t		 len;
};

static int
rsa_facts(struct cert_record *rec, int ptype, const struct spki_key *k)
{
	struct der_cur c = der_cursor(k->p, k->len), s;
	struct der seq, n, e;
	int bits;

	if (ptype != V_ASN1_NULL && ptype != V_ASN1_UNDEF)
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

/* What eckey_pub_decode() does with a named curve: the point must decode
 * (on the curve, or the lone 00 of infinity, as OpenSSL allows). */
static int
ec_facts(struct cert_record *rec, int ptype, const void *pval,
    const struct spki_key *k)
{
	const EC_GROUP *g;
	const char *name;
	EC_POINT *pt = NULL;
	int nid, rc = -1;

	if (ptype != V_ASN1_OBJECT)
		return -1;		/* explicit parameters: OpenSSL's call */
	nid = OBJ_obj2nid(pval);
	if ((g = ec_group(nid)) == NULL ||
	    (name = OSSL_EC_curve_nid2name(nid)) == NULL)
		return -1;
	if ((pt = EC_POINT_new(g)) == NULL ||
	    EC_POINT_oct2point(g, pt, k->p, k->len, NULL) != 1)
		goto out;
	rec->key_type = xstrdup("EC");
	rec->key_bits = EC_GROUP_order_bits(g);
	rec->curve = xstrdup(name);
	rc = 0;
out:
	EC_POINT_free(pt);
	return rc;
}

/* DSA: parameters p, q, g; the key an INTEGER; bits are p's. */
static int
dsa_facts(struct cert_record *rec, const struct certlite_parts *p,
    const struct spki_key *k)
{
	struct der_cur c = der_enter(&p->spki_alg), s;
	struct der oid, params, pp, q, g, y;
	int bits;

	if (der_expect(&c, DER_OID, &oid) == -1 ||
	    der_expect(&c, DER_SEQUENCE, &params) == -1 || !der_at_end(&c))
		return -1;
	s = der_enter(&params);
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
ecx_facts(struct cert_record *rec, int ptype, const struct spki_key *k,
    const char *type, size_t keylen, int bits)
{
	if (ptype != V_ASN1_UNDEF || k->len != keylen)
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
    const X509_ALGOR *alg)
{
	const ASN1_OBJECT *obj = NULL;
	const void *pval = NULL;
	struct spki_key k;
	int ptype = V_ASN1_UNDEF;

	/* Unused bits would be masked off when OpenSSL re-encodes the key,
	 * changing spki_sha256. */
	if (p->spki_key.len < 1 || p->spki_key.val[0] != 0)
		return -1;
	k.p = p->spki_key.val + 1;
	k.len = p->spki_key.len - 1;
	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	switch (OBJ_obj2nid(obj)) {
	case NID_rsaEncryption:
		return rsa_facts(rec, ptype, &k);
	case NID_X9_62_id_ecPublicKey:
		return ec_facts(rec, ptype, pval, &k);
	case NID_dsa:
		return dsa_facts(rec, p, &k);
	case NID_ED25519:
		return ecx_facts(rec, ptype, &k, "Ed25519", 32, ED25519_BITS);
	case NID_ED448:
		return ecx_facts(rec, ptype, &k, "Ed448", 57, ED448_BITS);
	default:
		return -1;
	}
}

/* The extensions cert.c reads, decoded once; NULL when absent. */
struct lite_exts {
	BASIC_CONSTRAINTS	*bc;
	ASN1_BIT_STRING		*ku;
	EXTENDED_KEY_USAGE	*eku;
	ASN1_OCTET_STRING	*ski;
	AUTHORITY_KEYID		*aki;
	GENERAL_NAMES		*san;
	STACK_OF(DIST_POINT)	*crldp;
	AUTHORITY_INFO_ACCESS	*aia;
	STACK_OF(SCT)		*scts;
};

/* The decoded pieces of one certificate. */
struct lite {
	struct certlite_parts	 p;
	ASN1_INTEGER		*serial;
	X509_ALGOR		*tbs_sigalg;
	X509_ALGOR		*spki_alg;
	X509_ALGOR		*sigalg;
	ASN1_TIME		*not_before;
	ASN1_TIME		*not_after;
	ASN1_BIT_STRING		*sig;
	STACK_OF(X509_EXTENSION) *exts;
	struct lite_exts	 e;
};

/* Frees what X509V3_get_d2i() made, as X509V3_EXT_d2i() made it. */
static void
ext_free(int nid, void *v)
{
	const X509V3_EXT_METHOD *m;

	if (v == NULL || (m = X509V3_EXT_get_nid(nid)) == NULL)
		return;
	if (m->it != NULL)
		ASN1_item_free(v, ASN1_ITEM_ptr(m->it));
	else if (m->ext_free != NULL)
		m->ext_free(v);
}

/*
 * The extension as X509_get_ext_d2i() returns it.  A decoding failure or a
 * duplicate makes x509v3_cache_extensions() call the certificate invalid,
 * which changes path_len and key_usage in cert.c: *bad, so unsure.
 */
static void *
ext_get(const STACK_OF(X509_EXTENSION) *exts, int nid, bool *bad)
{
	int crit = -1;
	void *v = X509V3_get_d2i(exts, nid, &crit, NULL);

	if (v == NULL && crit != -1)
		*bad = true;
	return v;
}

/* Extensions that only count for validity: decoded, checked, freed. */
static void
ext_check(const STACK_OF(X509_EXTENSION) *exts, int nid, bool *bad)
{
	ext_free(nid, ext_get(exts, nid, bad));
}

/* setup_crldp() of x509v3_cache_extensions(). */
static bool
crldp_ok(const STACK_OF(DIST_POINT) *dps)
{
	for (int i = 0; i < sk_DIST_POINT_num(dps); i++) {
		const DIST_POINT *dp = sk_DIST_POINT_value(dps, i);

		if (dp->distpoint == NULL &&
		    sk_GENERAL_NAME_num(dp->CRLissuer) <= 0)
			return false;
		if (dp->distpoint != NULL && dp->distpoint->type != 0)
			return false;	/* relative name: OpenSSL edits it */
	}
	return true;
}

static uint32_t
ku_bits(const ASN1_BIT_STRING *ku)
{
	const unsigned char *d = ASN1_STRING_get0_data(ku);
	int n = ASN1_STRING_length(ku);
	uint32_t v = 0;

	if (n > 0)
		v = d[0];
	if (n > 1)
		v |= (uint32_t)d[1] << 8;
	return v;
}

static int
exts_decode(const STACK_OF(X509_EXTENSION) *exts, struct lite_exts *e)
{
	const ASN1_INTEGER *pl;
	bool bad = false;

	if (X509v3_get_ext_by_NID(exts, NID_proxyCertInfo, -1) >= 0)
		return -1;
	e->bc = ext_get(exts, NID_basic_constraints, &bad);
	e->ku = ext_get(exts, NID_key_usage, &bad);
	e->eku = ext_get(exts, NID_ext_key_usage, &bad);
	e->ski = ext_get(exts, NID_subject_key_identifier, &bad);
	e->aki = ext_get(exts, NID_authority_key_identifier, &bad);
	e->san = ext_get(exts, NID_subject_alt_name, &bad);
	e->crldp = ext_get(exts, NID_crl_distribution_points, &bad);
	ext_check(exts, NID_netscape_cert_type, &bad);
	ext_check(exts, NID_name_constraints, &bad);
	ext_check(exts, NID_sbgp_ipAddrBlock, &bad);
	ext_check(exts, NID_sbgp_autonomousSysNum, &bad);
	/* Not part of the validity, read as cert.c reads them. */
	e->aia = X509V3_get_d2i(exts, NID_info_access, NULL, NULL);
	e->scts = X509V3_get_d2i(exts, NID_ct_precert_scts, NULL, NULL);
	if (bad)
		return -1;
	if (e->bc != NULL && (pl = e->bc->pathlen) != NULL &&
	    ASN1_STRING_type(pl) == V_ASN1_NEG_INTEGER)
		return -1;
	if (e->ku != NULL && ku_bits(e->ku) == 0)
		return -1;		/* empty key usage: invalid */
	if (e->crldp != NULL && !crldp_ok(e->crldp))
		return -1;
	return 0;
}

static void
exts_free(struct lite_exts *e)
{
	ext_free(NID_basic_constraints, e->bc);
	ext_free(NID_key_usage, e->ku);
	ext_free(NID_ext_key_usage, e->eku);
	ext_free(NID_subject_key_identifier, e->ski);
	ext_free(NID_authority_key_identifier, e->aki);
	ext_free(NID_subject_alt_name, e->san);
	ext_free(NID_crl_distribution_points, e->crldp);
	ext_free(NID_info_access, e->aia);
	ext_free(NID_ct_precert_scts, e->scts);
}

/* Everything OpenSSL's d2i_X509() would decode, but the key. */
static int
lite_decode(struct lite *l, const uint8_t *der, size_t len)
{
	const struct certlite_parts *p = &l->p;

	if (certlite_split(der, len, &l->p) == -1)
		return -1;
	/* v1 without extensions, or v3; v2, a DEFAULT v1 written out, or
	 * extensions in a v1 certificate: OpenSSL's call. */
	if (p->version.tag == 0 ? p->exts.tag != 0 :
	    p->version.len != 1 || p->version.val[0] != 2)
		return -1;
	if ((l->serial = d2i_exact(&p->serial,
	    ASN1_ITEM_rptr(ASN1_INTEGER))) == NULL ||
	    (l->tbs_sigalg = d2i_exact(&p->tbs_sigalg,
	    ASN1_ITEM_rptr(X509_ALGOR))) == NULL ||
	    (l->not_before = d2i_exact(&p->not_before,
	    ASN1_ITEM_rptr(ASN1_TIME))) == NULL ||
	    (l->not_after = d2i_exact(&p->not_after,
	    ASN1_ITEM_rptr(ASN1_TIME))) == NULL ||
	    (l->spki_alg = d2i_exact(&p->spki_alg,
	    ASN1_ITEM_rptr(X509_ALGOR))) == NULL ||
	    (l->sigalg = d2i_exact(&p->sigalg,
	    ASN1_ITEM_rptr(X509_ALGOR))) == NULL ||
	    (l->sig = d2i_exact(&p->sig,
	    ASN1_ITEM_rptr(ASN1_BIT_STRING))) == NULL)
		return -1;
	if (p->exts.tag != 0 && (l->exts = d2i_exact(&p->exts,
	    ASN1_ITEM_rptr(X509_EXTENSIONS))) == NULL)
		return -1;
	if (!algor_round_trips(l->spki_alg, &p->spki_alg) ||
	    !algor_round_trips(l->sigalg, &p->sigalg))
		return -1;
	return exts_decode(l->exts, &l->e);
}

static void
lite_free(struct lite *l)
{
	ASN1_INTEGER_free(l->serial);
	X509_ALGOR_free(l->tbs_sigalg);
	X509_ALGOR_free(l->spki_alg);
	X509_ALGOR_free(l->sigalg);
	ASN1_TIME_free(l->not_before);
	ASN1_TIME_free(l->not_after);
	ASN1_BIT_STRING_free(l->sig);
	sk_X509_EXTENSION_pop_free(l->exts, X509_EXTENSION_free);
	exts_free(&l->e);
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
	if (l->e.aki != NULL && l->e.aki->keyid != NULL && l->e.ski != NULL &&
	    ASN1_OCTET_STRING_cmp(l->e.aki->keyid, l->e.ski) != 0)
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
	*out = cert_text(s, n);
	free(s);
	return 0;
}

/* ext_facts() of cert.c on a certificate known to be valid. */
static void
ext_facts_lite(struct cert_record *rec, const struct lite_exts *e)
{
	long pl;

	rec->has_basic_constraints = e->bc != NULL;
	rec->is_ca = e->bc != NULL && e->bc->ca;
	rec->path_len = -1;
	if (e->bc != NULL && e->bc->pathlen != NULL &&
	    (pl = ASN1_INTEGER_get(e->bc->pathlen)) >= 0)
		rec->path_len = (int)pl;
	rec->key_usage = e->ku != NULL ? ku_bits(e->ku) : UINT32_MAX;
	rec->eku = cert_eku_string(e->eku);
	cert_aia_facts(rec, e->aia);
	rec->crl_urls = cert_crl_string(e->crldp);
	rec->sct_count = cert_sct_count(e->scts);
	rec->ski = cert_octets_hex(e->ski);
	rec->aki = cert_octets_hex(e->aki != NULL ? e->aki->keyid : NULL);
}

static int
lite_fill(struct cert_record *rec, const struct lite *l, const uint8_t *der,
    size_t len)
{
	const struct certlite_parts *p = &l->p;
	const ASN1_OBJECT *sigobj = NULL;

	X509_ALGOR_get0(&sigobj, NULL, NULL, l->sigalg);
	if (OBJ_obj2nid(sigobj) == NID_rsassaPss)
		return -1;	/* the hash name needs X509_get_signature_info */
	if (key_facts_lite(rec, p, l->spki_alg) == -1 ||
	    self_signed_lite(l, &rec->self_signed) == -1 ||
	    name_text(&p->subject, &rec->subject) == -1 ||
	    name_text(&p->issuer, &rec->issuer) == -1)
		return -1;
	if (EVP_Digest(der, len, rec->sha256, NULL, EVP_sha256(), NULL) != 1 ||
	    EVP_Digest(p->spki.tlv, p->spki.tlv_len, rec->spki_sha256, NULL,
	    EVP_sha256(), NULL) != 1)
		return -1;
	rec->der = xmemdup(der, len);
	rec->der_len = len;
	rec->serial = cert_serial_string(l->serial);
	rec->not_before = cert_time_unix(l->not_before);
	rec->not_after = cert_time_unix(l->not_after);
	rec->sig_alg = cert_sig_alg_plain(l->sigalg);
	rec->version = p->version.tag == 0 ? 1 : 3;
	cert_san_facts(rec, l->e.san);
	ext_facts_lite(rec, &l->e);
	return 0;
}

int
certlite_fill(struct cert_record *rec, const uint8_t *der, size_t len)
{
	struct lite l;
	int rc = -1;

	memset(rec, 0, sizeof(*rec));
	memset(&l, 0, sizeof(l));
	if (der == NULL || len == 0 || len > CERT_DER_MAX)
		return -1;
	ERR_set_mark();
	if (lite_decode(&l, der, len) == 0 && lite_fill(rec, &l, der,
	    len) == 0)
		rc = 0;
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
