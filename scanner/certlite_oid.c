/*
 * certlite_oid.c: the NIDs of the object identifiers a certificate is made
 * of (algorithms, curves, name attributes, extensions, key purposes), from
 * their DER contents, without d2i_ASN1_OBJECT() (a malloc, a binary search
 * through OpenSSL's table and a free, per OID; a certificate has ~20).
 *
 * The table is built once from OpenSSL's own objects (OBJ_nid2obj), so an
 * OID found here has the NID OBJ_obj2nid() would give the same bytes: both
 * match on the encoded contents.  An OID not in the table is not
 * "unknown": the caller asks OpenSSL.
 */
#include "scanner/certlite.h"

#include <pthread.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/objects.h>

#define OID_SLOTS	512	/* a power of two, > 2 * entries */
#define OID_CURVES_MAX	128

/* The objects met often; the built-in curves are added to them. */
static const int oid_nids[] = {
	/* signature and key algorithms */
	NID_sha256WithRSAEncryption, NID_sha384WithRSAEncryption,
	NID_sha512WithRSAEncryption, NID_sha224WithRSAEncryption,
	NID_sha1WithRSAEncryption, NID_md5WithRSAEncryption,
	NID_md2WithRSAEncryption, NID_rsassaPss, NID_ecdsa_with_SHA1,
	NID_ecdsa_with_SHA224, NID_ecdsa_with_SHA256, NID_ecdsa_with_SHA384,
	NID_ecdsa_with_SHA512, NID_dsaWithSHA1, NID_dsa_with_SHA224,
	NID_dsa_with_SHA256, NID_ED25519, NID_ED448, NID_X25519, NID_X448,
	NID_rsaEncryption, NID_X9_62_id_ecPublicKey, NID_dsa,
	/* name attributes */
	NID_commonName, NID_countryName, NID_localityName,
	NID_stateOrProvinceName, NID_organizationName,
	NID_organizationalUnitName, NID_pkcs9_emailAddress,
	NID_serialNumber, NID_domainComponent, NID_streetAddress,
	NID_postalCode, NID_title, NID_givenName, NID_surname, NID_initials,
	NID_businessCategory, NID_jurisdictionCountryName,
	NID_jurisdictionStateOrProvinceName,
	NID_jurisdictionLocalityName, NID_organizationIdentifier,
	NID_userId, NID_dnQualifier, NID_pseudonym, NID_name,
	NID_description, NID_generationQualifier, NID_postalAddress,
	NID_postOfficeBox,
	/* extensions */
	NID_basic_constraints, NID_key_usage, NID_ext_key_usage,
	NID_subject_key_identifier, NID_authority_key_identifier,
	NID_subject_alt_name, NID_issuer_alt_name,
	NID_crl_distribution_points, NID_netscape_cert_type,
	NID_name_constraints, NID_sbgp_ipAddrBlock,
	NID_sbgp_autonomousSysNum, NID_info_access, NID_ct_precert_scts,
	NID_ct_precert_poison, NID_proxyCertInfo, NID_certificate_policies,
	NID_policy_constraints, NID_inhibit_any_policy, NID_freshest_crl,
	NID_tlsfeature, NID_netscape_comment,
	/* key purposes, access methods */
	NID_server_auth, NID_client_auth, NID_code_sign, NID_email_protect,
	NID_time_stamp, NID_OCSP_sign, NID_anyExtendedKeyUsage, NID_ms_sgc,
	NID_ns_sgc, NID_ipsecEndSystem, NID_ipsecTunnel, NID_ipsecUser,
	NID_ad_OCSP, NID_ad_ca_issuers,
};

struct oid_slot {
	const unsigned char	*data;	/* OpenSSL's static encoding */
	size_t			 len;	/* 0: empty slot */
	int			 nid;
};

static struct oid_slot oid_table[OID_SLOTS];
static pthread_once_t oid_once = PTHREAD_ONCE_INIT;

static size_t
oid_hash(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h & (OID_SLOTS - 1);
}

static void
oid_add(int nid)
{
	const ASN1_OBJECT *o = OBJ_nid2obj(nid);
	const unsigned char *data;
	size_t len, h;

	if (o == NULL || OBJ_length(o) == 0 ||
	    (data = OBJ_get0_data(o)) == NULL)
		return;
	len = OBJ_length(o);
	for (h = oid_hash(data, len); oid_table[h].len != 0;
	    h = (h + 1) & (OID_SLOTS - 1))
		if (oid_table[h].len == len &&
		    memcmp(oid_table[h].data, data, len) == 0)
			return;		/* listed twice */
	oid_table[h] = (struct oid_slot){ data, len, nid };
}

static void
oid_init(void)
{
	EC_builtin_curve curves[OID_CURVES_MAX];
	size_t n = EC_get_builtin_curves(curves, OID_CURVES_MAX);

	for (size_t i = 0; i < sizeof(oid_nids) / sizeof(oid_nids[0]); i++)
		oid_add(oid_nids[i]);
	for (size_t i = 0; i < n && i < OID_CURVES_MAX; i++)
		oid_add(curves[i].nid);
}

int
certlite_oid_nid(const struct der *oid)
{
	size_t h;

	if (oid->tag != DER_OID || oid->len == 0)
		return NID_undef;
	pthread_once(&oid_once, oid_init);
	for (h = oid_hash(oid->val, oid->len); oid_table[h].len != 0;
	    h = (h + 1) & (OID_SLOTS - 1))
		if (oid_table[h].len == oid->len &&
		    memcmp(oid_table[h].data, oid->val, oid->len) == 0)
			return oid_table[h].nid;
	return NID_undef;
}
