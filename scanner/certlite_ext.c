/*
 * certlite_ext.c: the extensions the lite parser reads, found by walking
 * the Extensions list itself (d2i_X509_EXTENSIONS would build an object
 * for each of them) and decoded by the very method X509V3_EXT_d2i() uses,
 * so each decodes exactly as X509_get_ext_d2i() would decode it.  Also
 * what hostname.c and policy_rules.c need from a lite record without
 * d2i_X509(): the subjectAltName and the subject name.
 */
#include "scanner/certlite.h"

#include <limits.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

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
	for (int k = 0; k < CLX__MAX; k++) {
		const ASN1_OBJECT *o = OBJ_nid2obj(ext_nid[k]);

		if (o != NULL && OBJ_length(o) == oid->len &&
		    memcmp(OBJ_get0_data(o), oid->val, oid->len) == 0)
			return k;
	}
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

int
certlite_san(const uint8_t *der, size_t len, GENERAL_NAMES **out)
{
	struct certlite_parts p;
	struct der val[CLX__MAX];

	*out = NULL;
	memset(val, 0, sizeof(val));
	if (certlite_split(der, len, &p) == -1 ||
	    (p.exts.tag != 0 && certlite_exts_walk(&p.exts, val) == -1))
		return -1;
	*out = certlite_ext_decode(CLX_SAN, &val[CLX_SAN]);
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
