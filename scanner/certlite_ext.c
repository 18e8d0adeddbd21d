/*
 * certlite_ext.c: the extensions the lite parser reads, found by walking
 * the Extensions list itself (d2i_X509_EXTENSIONS would build an object
 * for each of them).  The common kinds in their plain encodings are read
 * from the DER here (OpenSSL's decoder costs ~70 mallocs a certificate);
 * any other encoding, and the rare kinds, are decoded by the very method
 * X509V3_EXT_d2i() uses, so each decodes exactly as X509_get_ext_d2i()
 * would decode it.  Also what hostname.c and policy_rules.c need from a
 * lite record without d2i_X509(): the subjectAltName and the subject name.
 *
 * What is read here is only what OpenSSL is certain to decode to the same
 * facts: strict DER (der.c), the exact ASN.1 shape of the kind, nothing
 * after the value.  A wrong tag, a constructed string, an explicit DEFAULT,
 * a GeneralName other than an e-mail address, DNS name, URI or IP address,
 * and anything else is "unsure" and goes to OpenSSL, which decides.
 * Hazard tags: [EXT-TRAILING] [EXT-GN-KIND] [EXT-BOOL] [EXT-BITS]
 * [EXT-SCT].
 */
#include "scanner/certlite.h"
#include "scanner/cert_internal.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "scanner/xmem.h"

#define SCT_LIST_MAX	65535	/* MAX_SCT_LIST_SIZE of OpenSSL */
#define SCT_V1		0
#define SCT_V1_HEAD	43	/* version, log id, timestamp, ext length */
#define TLS_HASH_SHA256	4
#define TLS_SIG_RSA	1
#define TLS_SIG_ECDSA	3

/* The NID of each kind. */
static const int ext_nid[] = {
	[CLX_BC] = NID_basic_constraints,
	[CLX_KU] = NID_key_usage,
	[CLX_EKU] = NID_ext_key_usage,
	[CLX_SKI] = NID_subject_key_identifier,
	[CLX_AKI] = NID_authority_key_identifier,
	[CLX_SAN] = NID_subject_alt_name,
	[CLX_CRLDP] = NID_crl_distribution_points,
	[CLX_NSCERT] = NID_netscape_cert_type,
	[CLX_NC] = NID_name_constraints,
	[CLX_IPADDR] = NID_sbgp_ipAddrBlock,
	[CLX_ASID] = NID_sbgp_autonomousSysNum,
	[CLX_AIA] = NID_info_access,
	[CLX_SCT] = NID_ct_precert_scts,
	[CLX_PROXY] = NID_proxyCertInfo,
};
_Static_assert(sizeof(ext_nid) / sizeof(ext_nid[0]) == CLX__MAX,
    "every extension kind has its NID");

static int
ext_kind_of(const struct der *oid)
{
	int nid = certlite_oid_nid(oid);

	for (int k = 0; k < CLX__MAX && nid != NID_undef; k++)
		if (ext_nid[k] == nid)
			return k;
	return -1;
}

/*
 * Walks Extensions as d2i_X509_EXTENSIONS would accept them (each OID
 * valid, critical DER TRUE when present, value an OCTET STRING) and keeps
 * the value of each kind that counts.  A duplicate makes X509_get_ext_d2i
 * return NULL and, for most kinds, the certificate invalid: unsure.
 */
int
certlite_exts_walk(const struct der *exts, struct der val[CLX__MAX])
{
	struct der_cur c = der_enter(exts), e;
	struct der ext, oid, crit, v;
	int k;

	while (!der_at_end(&c)) {
		if (der_expect(&c, DER_SEQUENCE, &ext) == -1)
			return -1;
		e = der_enter(&ext);
		if (der_expect(&e, DER_OID, &oid) == -1 || !der_oid_ok(&oid))
			return -1;
		if (der_optional(&e, DER_BOOLEAN, &crit) &&
		    (crit.len != 1 || crit.val[0] != 0xff))
			return -1;
		if (der_expect(&e, DER_OCTET_STRING, &v) == -1 ||
		    !der_at_end(&e))
			return -1;
		if ((k = ext_kind_of(&oid)) < 0)
			continue;
		if (val[k].tag != 0)
			return -1;
		val[k] = v;
	}
	return 0;
}

/* X509V3_EXT_d2i() on the value's contents: the same method, the same
 * bytes, so the same result (trailing bytes ignored, as there). */
void *
certlite_ext_decode(int kind, const struct der *v)
{
	const X509V3_EXT_METHOD *m = X509V3_EXT_get_nid(ext_nid[kind]);
	const unsigned char *q = v->val;

	if (v->tag == 0 || m == NULL || v->len > INT_MAX)
		return NULL;
	if (m->it != NULL)
		return ASN1_item_d2i(NULL, &q, (long)v->len,
		    ASN1_ITEM_ptr(m->it));
	return m->d2i(NULL, &q, (long)v->len);
}

void
certlite_ext_free(int kind, void *v)
{
	const X509V3_EXT_METHOD *m;

	if (v == NULL || (m = X509V3_EXT_get_nid(ext_nid[kind])) == NULL)
		return;
	if (m->it != NULL)
		ASN1_item_free(v, ASN1_ITEM_ptr(m->it));
	else if (m->ext_free != NULL)
		m->ext_free(v);
}

/* The subjectAltName extension's value (tag 0 when there is none), or -1
 * when the certificate or its extensions are not read here. */
static int
san_value(const uint8_t *der, size_t len, struct der *v)
{
	struct certlite_parts p;
	struct der val[CLX__MAX];

	memset(val, 0, sizeof(val));
	if (certlite_split(der, len, &p) == -1 ||
	    (p.exts.tag != 0 && certlite_exts_walk(&p.exts, val) == -1))
		return -1;
	*v = val[CLX_SAN];
	return 0;
}

int
certlite_san(const uint8_t *der, size_t len, GENERAL_NAMES **out)
{
	struct der v;

	*out = NULL;
	if (san_value(der, len, &v) == -1)
		return -1;
	*out = certlite_ext_decode(CLX_SAN, &v);
	return 0;
}

X509_NAME *
certlite_subject(const uint8_t *der, size_t len)
{
	struct certlite_parts p;
	const unsigned char *q;
	X509_NAME *name;

	if (certlite_split(der, len, &p) == -1)
		return NULL;
	q = p.subject.tlv;
	name = d2i_X509_NAME(NULL, &q, (long)p.subject.tlv_len);
	if (name != NULL && q != p.subject.tlv + p.subject.tlv_len) {
		X509_NAME_free(name);
		name = NULL;
	}
	return name;
}

/* ---- the common kinds, read from the DER ---- */

/*
 * The one TLV of an extension value, with the tag: OpenSSL would ignore
 * bytes after it, we do not read such a value.  [EXT-TRAILING]
 */
static int
ext_tlv(const struct der *v, uint8_t tag, struct der *out)
{
	struct der_cur c = der_enter(v);

	if (der_expect(&c, tag, out) == -1 || !der_at_end(&c))
		return -1;
	return 0;
}

/* A GeneralName read here: rfc822Name, dNSName, URI (IA5String, whose
 * bytes OpenSSL does not check), iPAddress (any length), primitive. Any
 * other kind, or a constructed string, is unsure.  [EXT-GN-KIND] */
int
certlite_gn_type(const struct der *g)
{
	switch (g->tag) {
	case DER_CTX(1):
		return GEN_EMAIL;
	case DER_CTX(2):
		return GEN_DNS;
	case DER_CTX(6):
		return GEN_URI;
	case DER_CTX(7):
		return GEN_IPADD;
	default:
		return -1;
	}
}

/* GeneralNames (the contents of a SEQUENCE OF, or of its [n] IMPLICIT
 * form), each one read here; their number, or -1. */
static long
gns_check(const struct der *seq)
{
	struct der_cur c = der_enter(seq);
	struct der g;
	long n = 0;

	while (!der_at_end(&c)) {
		if (der_next(&c, &g) == -1 || certlite_gn_type(&g) == -1)
			return -1;
		n++;
	}
	return n;
}

/* A non-negative INTEGER of at most 31 bits, minimal. */
static int
small_uint(const struct der *d, int *out)
{
	uint32_t v = 0;

	if (d->len < 1 || d->len > 4 || (d->val[0] & 0x80) ||
	    (d->len > 1 && d->val[0] == 0 && !(d->val[1] & 0x80)))
		return -1;
	for (size_t i = 0; i < d->len; i++)
		v = v << 8 | d->val[i];
	*out = (int)v;
	return 0;
}

/* BasicConstraints: cA only as TRUE (a FALSE written out, or a BOOLEAN
 * other than FF, is OpenSSL's call) [EXT-BOOL], pathLen non-negative. */
static int
bc_read(const struct der *v, struct certlite_exts *e)
{
	struct der seq, b, pl;
	struct der_cur c;

	if (ext_tlv(v, DER_SEQUENCE, &seq) == -1)
		return -1;
	c = der_enter(&seq);
	e->ca = false;
	e->path_len = -1;
	if (der_optional(&c, DER_BOOLEAN, &b)) {
		if (b.len != 1 || b.val[0] != 0xff)
			return -1;
		e->ca = true;
	}
	if (der_optional(&c, DER_INTEGER, &pl) &&
	    small_uint(&pl, &e->path_len) == -1)
		return -1;
	return der_at_end(&c) ? 0 : -1;
}

/* KeyUsage: a BIT STRING with a named bit set and its unused bits clear
 * (OpenSSL would mask them) [EXT-BITS]; no bit set is invalid there. */
static int
ku_read(const struct der *v, struct certlite_exts *e)
{
	struct der bs;
	uint8_t unused;

	if (ext_tlv(v, DER_BIT_STRING, &bs) == -1 || bs.len < 2 ||
	    (unused = bs.val[0]) > 7 ||
	    (bs.val[bs.len - 1] & ((1u << unused) - 1)) != 0)
		return -1;
	e->ku = bs.val[1];
	if (bs.len > 2)
		e->ku |= (uint32_t)bs.val[2] << 8;
	return e->ku != 0 ? 0 : -1;
}

/* An OID OpenSSL decodes: known, or decoded once to be sure. */
static bool
oid_decodes(const struct der *oid)
{
	const unsigned char *q = oid->tlv;
	ASN1_OBJECT *obj;
	bool ok;

	if (!der_oid_ok(oid))
		return false;
	if (certlite_oid_nid(oid) != NID_undef)
		return true;
	obj = d2i_ASN1_OBJECT(NULL, &q, (long)oid->tlv_len);
	ok = obj != NULL && q == oid->tlv + oid->tlv_len;
	ASN1_OBJECT_free(obj);
	return ok;
}

/* ExtKeyUsage: SEQUENCE OF OBJECT IDENTIFIER. */
static int
eku_read(const struct der *v, struct certlite_exts *e)
{
	struct der seq, oid;
	struct der_cur c;

	(void)e;
	if (ext_tlv(v, DER_SEQUENCE, &seq) == -1)
		return -1;
	c = der_enter(&seq);
	while (!der_at_end(&c))
		if (der_expect(&c, DER_OID, &oid) == -1 || !oid_decodes(&oid))
			return -1;
	return 0;
}

static int
ski_read(const struct der *v, struct certlite_exts *e)
{
	return ext_tlv(v, DER_OCTET_STRING, &e->ski);
}

/* AuthorityKeyIdentifier: its keyIdentifier (tag 0 when absent), and
 * whether an issuer or serial follows. */
static int
aki_parse(const struct der *v, struct der *keyid, bool *names)
{
	struct der seq;
	struct der_cur c;

	if (ext_tlv(v, DER_SEQUENCE, &seq) == -1)
		return -1;
	c = der_enter(&seq);
	memset(keyid, 0, sizeof(*keyid));
	(void)der_optional(&c, DER_CTX(0), keyid);
	*names = !der_at_end(&c);
	return 0;
}

/* The keyIdentifier alone; an issuer or serial (GeneralNames to check)
 * is OpenSSL's call. */
static int
aki_read(const struct der *v, struct certlite_exts *e)
{
	bool names;

	if (aki_parse(v, &e->keyid, &names) == -1 || names)
		return -1;
	return 0;
}

static int
san_read(const struct der *v, struct certlite_exts *e)
{
	struct der seq;
	long n;

	if (ext_tlv(v, DER_SEQUENCE, &seq) == -1 ||
	    (n = gns_check(&seq)) < 0 || n > CERT_SANS_MAX)
		return -1;
	e->nsans = (size_t)n;
	return 0;
}

/* ---- for the hot path's other readers ---- */

int
certlite_san_names(const uint8_t *der, size_t len, struct der *names)
{
	struct der v;

	memset(names, 0, sizeof(*names));
	if (san_value(der, len, &v) == -1)
		return -1;
	return certlite_san_names_of(&v, names);
}

int
certlite_san_names_of(const struct der *v, struct der *names)
{
	memset(names, 0, sizeof(*names));
	if (v->tag == 0)
		return 0;
	if (ext_tlv(v, DER_SEQUENCE, names) == -1 || gns_check(names) < 0) {
		memset(names, 0, sizeof(*names));
		return -1;
	}
	return 0;
}

int
certlite_keyids(const struct der val[CLX__MAX], struct der *ski,
    struct der *keyid, bool *aki_names)
{
	memset(ski, 0, sizeof(*ski));
	memset(keyid, 0, sizeof(*keyid));
	*aki_names = false;
	if (val[CLX_SKI].tag != 0 &&
	    ext_tlv(&val[CLX_SKI], DER_OCTET_STRING, ski) == -1)
		return -1;
	if (val[CLX_AKI].tag == 0)
		return 0;
	return aki_parse(&val[CLX_AKI], keyid, aki_names);
}

/* AuthorityInfoAccess: SEQUENCE OF { method OID, location GeneralName }. */
static int
aia_read(const struct der *v, struct certlite_exts *e)
{
	struct der seq, ad, oid, gn;
	struct der_cur c, a;

	(void)e;
	if (ext_tlv(v, DER_SEQUENCE, &seq) == -1)
		return -1;
	c = der_enter(&seq);
	while (!der_at_end(&c)) {
		if (der_expect(&c, DER_SEQUENCE, &ad) == -1)
			return -1;
		a = der_enter(&ad);
		if (der_expect(&a, DER_OID, &oid) == -1 || !der_oid_ok(&oid) ||
		    der_next(&a, &gn) == -1 || certlite_gn_type(&gn) == -1 ||
		    !der_at_end(&a))
			return -1;
	}
	return 0;
}

/*
 * The fullName of one DistributionPoint: [0] EXPLICIT DistributionPoint
 * Name holding [0] IMPLICIT GeneralNames, and nothing else (reasons, a
 * CRL issuer, a relative name: OpenSSL's call); -1 when the point is not
 * of that shape.
 */
static int
dp_fullname(const struct der *dp, struct der *names)
{
	struct der_cur c = der_enter(dp), n;
	struct der dpn;

	if (der_expect(&c, DER_CTX_CONS(0), &dpn) == -1 || !der_at_end(&c))
		return -1;
	n = der_enter(&dpn);
	if (der_expect(&n, DER_CTX_CONS(0), names) == -1 || !der_at_end(&n))
		return -1;
	return 0;
}

static int
crldp_read(const struct der *v, struct certlite_exts *e)
{
	struct der seq, dp, names;
	struct der_cur c;

	(void)e;
	if (ext_tlv(v, DER_SEQUENCE, &seq) == -1)
		return -1;
	c = der_enter(&seq);
	while (!der_at_end(&c))
		if (der_expect(&c, DER_SEQUENCE, &dp) == -1 ||
		    dp_fullname(&dp, &names) == -1 || gns_check(&names) < 0)
			return -1;
	return 0;
}

static unsigned
be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* o2i_SCT() of OpenSSL: would it take these len (> 0) bytes? */
static bool
sct_ok(const uint8_t *p, size_t len)
{
	size_t ext, rest, sig;

	if (p[0] != SCT_V1)
		return true;		/* kept as bytes, not read */
	if (len < SCT_V1_HEAD)
		return false;
	ext = be16(p + SCT_V1_HEAD - 2);
	rest = len - SCT_V1_HEAD;
	if (rest < ext)
		return false;
	rest -= ext;
	p += SCT_V1_HEAD + ext;
	/* digitally-signed: hash, signature algorithm, length, bytes */
	if (rest <= 4 || p[0] != TLS_HASH_SHA256 ||
	    (p[1] != TLS_SIG_ECDSA && p[1] != TLS_SIG_RSA))
		return false;
	sig = be16(p + 2);
	return sig <= rest - 4;
}

/*
 * SignedCertificateTimestampList: an OCTET STRING holding the TLS-encoded
 * list, read as o2i_SCT_LIST() reads it; any SCT it would refuse makes the
 * value OpenSSL's call.  [EXT-SCT]
 */
static int
sct_read(const struct der *v, struct certlite_exts *e)
{
	struct der os;
	const uint8_t *p;
	size_t list, one;
	int n = 0;

	if (ext_tlv(v, DER_OCTET_STRING, &os) == -1 || os.len < 2 ||
	    os.len > SCT_LIST_MAX || (list = be16(os.val)) != os.len - 2)
		return -1;
	for (p = os.val + 2; list > 0; p += one, n++) {
		if (list < 2)
			return -1;
		one = be16(p);
		p += 2;
		list -= 2;
		if (one == 0 || one > list || !sct_ok(p, one))
			return -1;
		list -= one;
	}
	e->sct_count = n;
	return 0;
}

/* The kinds read here; NULL: OpenSSL's alone. */
static int (*const ext_read[CLX__MAX])(const struct der *,
    struct certlite_exts *) = {
	[CLX_BC] = bc_read,
	[CLX_KU] = ku_read,
	[CLX_EKU] = eku_read,
	[CLX_SKI] = ski_read,
	[CLX_AKI] = aki_read,
	[CLX_SAN] = san_read,
	[CLX_CRLDP] = crldp_read,
	[CLX_AIA] = aia_read,
	[CLX_SCT] = sct_read,
};

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

/*
 * x509v3_cache_extensions()'s verdict on what OpenSSL decoded: a present
 * extension of these kinds that does not decode makes the certificate
 * invalid (cert.c then reports path_len -1 and key_usage 0), and so do a
 * negative path length, an empty key usage and a bad distribution point:
 * all unsure here.  AIA and SCTs are only read, as cert.c reads them.
 */
static int
ext_by_openssl(int k, struct certlite_exts *e)
{
	const BASIC_CONSTRAINTS *bc;
	const ASN1_INTEGER *pl;

	if (k == CLX_PROXY)
		return -1;
	e->x[k] = certlite_ext_decode(k, &e->val[k]);
	if (e->x[k] == NULL)
		return k == CLX_AIA || k == CLX_SCT ? 0 : -1;
	if (k == CLX_BC && (bc = e->x[k]) != NULL &&
	    (pl = bc->pathlen) != NULL &&
	    ASN1_STRING_type(pl) == V_ASN1_NEG_INTEGER)
		return -1;
	if (k == CLX_KU && ku_bits(e->x[k]) == 0)
		return -1;
	if (k == CLX_CRLDP && !crldp_ok(e->x[k]))
		return -1;
	return 0;
}

int
certlite_exts_read(const struct der *exts, struct certlite_exts *e)
{
	memset(e, 0, sizeof(*e));
	e->path_len = -1;
	if (exts->tag != 0 && certlite_exts_walk(exts, e->val) == -1)
		return -1;
	for (int k = 0; k < CLX__MAX; k++) {
		if (e->val[k].tag == 0)
			continue;
		if (ext_read[k] != NULL && ext_read[k](&e->val[k], e) == 0) {
			e->own[k] = true;
			continue;
		}
		if (ext_by_openssl(k, e) == -1)
			return -1;
	}
	return 0;
}

void
certlite_exts_clear(struct certlite_exts *e)
{
	for (int k = 0; k < CLX__MAX; k++)
		certlite_ext_free(k, e->x[k]);
	memset(e, 0, sizeof(*e));
}

/* ---- the facts ---- */

static void
san_facts(struct cert_record *rec, const struct certlite_exts *e)
{
	struct der seq, g;
	struct der_cur c;

	rec->sans = NULL;
	rec->nsans = 0;
	if (e->nsans == 0)
		return;
	(void)ext_tlv(&e->val[CLX_SAN], DER_SEQUENCE, &seq);
	c = der_enter(&seq);
	rec->sans = xcalloc(e->nsans, sizeof(*rec->sans));
	while (rec->nsans < e->nsans && der_next(&c, &g) == 0)
		rec->sans[rec->nsans++] = cert_san_text(certlite_gn_type(&g),
		    g.val, g.len);
}

/* cert_obj_name() of an OID that decodes (oid_decodes). */
static void
oid_name(const struct der *oid, char *buf, size_t len)
{
	const unsigned char *q = oid->tlv;
	ASN1_OBJECT *obj;
	const char *sn;
	int nid = certlite_oid_nid(oid);

	if (nid != NID_undef && (sn = OBJ_nid2sn(nid)) != NULL) {
		str_copy(buf, len, sn);
		return;
	}
	obj = d2i_ASN1_OBJECT(NULL, &q, (long)oid->tlv_len);
	cert_obj_name(obj, buf, len);
	ASN1_OBJECT_free(obj);
}

static char *
eku_string(const struct certlite_exts *e)
{
	struct cert_sb sb = { 0 };
	struct der seq, oid;
	struct der_cur c;
	char buf[128];

	(void)ext_tlv(&e->val[CLX_EKU], DER_SEQUENCE, &seq);
	c = der_enter(&seq);
	while (der_next(&c, &oid) == 0) {
		oid_name(&oid, buf, sizeof(buf));
		cert_sb_item(&sb, buf);
	}
	return cert_sb_take(&sb);
}

static void
aia_facts(struct cert_record *rec, const struct certlite_exts *e)
{
	struct cert_sb ocsp = { 0 }, ca = { 0 };
	struct der seq, ad, oid, gn;
	struct der_cur c, a;
	int nid;

	(void)ext_tlv(&e->val[CLX_AIA], DER_SEQUENCE, &seq);
	c = der_enter(&seq);
	while (der_next(&c, &ad) == 0) {
		a = der_enter(&ad);
		if (der_next(&a, &oid) == -1 || der_next(&a, &gn) == -1 ||
		    certlite_gn_type(&gn) != GEN_URI)
			continue;
		if ((nid = certlite_oid_nid(&oid)) == NID_ad_OCSP)
			cert_sb_uri(&ocsp, gn.val, gn.len);
		else if (nid == NID_ad_ca_issuers)
			cert_sb_uri(&ca, gn.val, gn.len);
	}
	rec->ocsp_urls = cert_sb_take(&ocsp);
	rec->ca_issuers = cert_sb_take(&ca);
}

static char *
crl_string(const struct certlite_exts *e)
{
	struct cert_sb sb = { 0 };
	struct der seq, dp, names, gn;
	struct der_cur c, n;

	(void)ext_tlv(&e->val[CLX_CRLDP], DER_SEQUENCE, &seq);
	c = der_enter(&seq);
	while (der_next(&c, &dp) == 0) {
		if (dp_fullname(&dp, &names) == -1)
			continue;
		n = der_enter(&names);
		while (der_next(&n, &gn) == 0)
			if (certlite_gn_type(&gn) == GEN_URI)
				cert_sb_uri(&sb, gn.val, gn.len);
	}
	return cert_sb_take(&sb);
}

static char *
octets_hex(const struct der *d)
{
	return cert_hex_text(d->val, d->len);
}

void
certlite_exts_facts(struct cert_record *rec, const struct certlite_exts *e)
{
	const BASIC_CONSTRAINTS *bc = e->x[CLX_BC];
	const AUTHORITY_KEYID *aki = e->x[CLX_AKI];
	long pl;

	rec->has_basic_constraints = e->val[CLX_BC].tag != 0;
	rec->is_ca = e->own[CLX_BC] ? e->ca : bc != NULL && bc->ca;
	rec->path_len = e->own[CLX_BC] ? e->path_len : -1;
	if (bc != NULL && bc->pathlen != NULL &&
	    (pl = ASN1_INTEGER_get(bc->pathlen)) >= 0)
		rec->path_len = (int)pl;
	if (e->val[CLX_KU].tag == 0)
		rec->key_usage = UINT32_MAX;
	else
		rec->key_usage = e->own[CLX_KU] ? e->ku :
		    ku_bits(e->x[CLX_KU]);
	if (e->own[CLX_SAN])
		san_facts(rec, e);
	else
		cert_san_facts(rec, e->x[CLX_SAN]);
	rec->eku = e->own[CLX_EKU] ? eku_string(e) :
	    cert_eku_string(e->x[CLX_EKU]);
	if (e->own[CLX_AIA])
		aia_facts(rec, e);
	else
		cert_aia_facts(rec, e->x[CLX_AIA]);
	rec->crl_urls = e->own[CLX_CRLDP] ? crl_string(e) :
	    cert_crl_string(e->x[CLX_CRLDP]);
	rec->sct_count = e->own[CLX_SCT] ? e->sct_count :
	    cert_sct_count(e->x[CLX_SCT]);
	rec->ski = e->own[CLX_SKI] ? octets_hex(&e->ski) :
	    cert_octets_hex(e->x[CLX_SKI]);
	if (e->own[CLX_AKI])
		rec->aki = e->keyid.tag != 0 ? octets_hex(&e->keyid) :
		    xstrdup("");
	else
		rec->aki = cert_octets_hex(aki != NULL ? aki->keyid : NULL);
}

/* The bytes of the subject key id, or of the authority's key id. */
static bool
ski_bytes(const struct certlite_exts *e, const uint8_t **p, size_t *n)
{
	const ASN1_OCTET_STRING *s = e->x[CLX_SKI];

	if (e->own[CLX_SKI]) {
		*p = e->ski.val;
		*n = e->ski.len;
		return true;
	}
	if (s == NULL)
		return false;
	*p = ASN1_STRING_get0_data(s);
	*n = (size_t)ASN1_STRING_length(s);
	return true;
}

static bool
keyid_bytes(const struct certlite_exts *e, const uint8_t **p, size_t *n)
{
	const AUTHORITY_KEYID *aki = e->x[CLX_AKI];

	if (e->own[CLX_AKI]) {
		*p = e->keyid.val;
		*n = e->keyid.len;
		return e->keyid.tag != 0;
	}
	if (aki == NULL || aki->keyid == NULL)
		return false;
	*p = ASN1_STRING_get0_data(aki->keyid);
	*n = (size_t)ASN1_STRING_length(aki->keyid);
	return true;
}

bool
certlite_exts_other_key(const struct certlite_exts *e)
{
	const uint8_t *a, *s;
	size_t an, sn;

	if (!keyid_bytes(e, &a, &an) || !ski_bytes(e, &s, &sn))
		return false;
	return an != sn || (an > 0 && memcmp(a, s, an) != 0);
}
