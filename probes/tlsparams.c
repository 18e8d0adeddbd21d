/*
 * tlsparams.c: the smaller IANA name tables of tlswire.h: protocol
 * versions (spelt as OpenSSL's SSL_get_version), supported groups, alert
 * descriptions, extension types, signature schemes, SSLv2 cipher specs,
 * and the names of tlswire's own enums.  Cipher suites are in tlsnames.c.
 */
#include "probes/tlswire.h"

#include <stddef.h>

struct name16 {
	uint16_t	 id;
	const char	*name;
};

static const char *
lookup(const struct name16 *t, size_t n, uint16_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].id == id)
			return t[i].name;
	return NULL;
}

#define LOOKUP(t, id)	lookup(t, sizeof(t) / sizeof(t[0]), id)

const char *
tlswire_version_name(uint16_t v)
{
	static const struct name16 t[] = {
		{ 0x0002, "SSLv2" }, { 0x0300, "SSLv3" }, { 0x0301, "TLSv1" },
		{ 0x0302, "TLSv1.1" }, { 0x0303, "TLSv1.2" },
		{ 0x0304, "TLSv1.3" }, { 0xfeff, "DTLSv1" },
		{ 0xfefd, "DTLSv1.2" }, { 0xfefc, "DTLSv1.3" },
	};

	if ((v & 0xff00) == 0x7f00)	/* TLS 1.3 drafts */
		return "TLSv1.3-draft";
	return LOOKUP(t, v);
}

const char *
tlswire_group_name(uint16_t g)
{
	static const struct name16 t[] = {
		{ 1, "sect163k1" }, { 2, "sect163r1" }, { 3, "sect163r2" },
		{ 4, "sect193r1" }, { 5, "sect193r2" }, { 6, "sect233k1" },
		{ 7, "sect233r1" }, { 8, "sect239k1" }, { 9, "sect283k1" },
		{ 10, "sect283r1" }, { 11, "sect409k1" }, { 12, "sect409r1" },
		{ 13, "sect571k1" }, { 14, "sect571r1" }, { 15, "secp160k1" },
		{ 16, "secp160r1" }, { 17, "secp160r2" }, { 18, "secp192k1" },
		{ 19, "secp192r1" }, { 20, "secp224k1" }, { 21, "secp224r1" },
		{ 22, "secp256k1" }, { 23, "secp256r1" }, { 24, "secp384r1" },
		{ 25, "secp521r1" }, { 26, "brainpoolP256r1" },
		{ 27, "brainpoolP384r1" }, { 28, "brainpoolP512r1" },
		{ 29, "x25519" }, { 30, "x448" },
		{ 31, "brainpoolP256r1tls13" }, { 32, "brainpoolP384r1tls13" },
		{ 33, "brainpoolP512r1tls13" },
		{ 256, "ffdhe2048" }, { 257, "ffdhe3072" }, { 258, "ffdhe4096" },
		{ 259, "ffdhe6144" }, { 260, "ffdhe8192" },
		{ 0x0200, "MLKEM512" }, { 0x0201, "MLKEM768" },
		{ 0x0202, "MLKEM1024" }, { 0x11eb, "SecP256r1MLKEM768" },
		{ 0x11ec, "X25519MLKEM768" }, { 0x11ed, "SecP384r1MLKEM1024" },
		{ 0x6399, "X25519Kyber768Draft00" },
		{ 0x639a, "SecP256r1Kyber768Draft00" },
		{ 0xff01, "arbitrary_explicit_prime_curves" },
		{ 0xff02, "arbitrary_explicit_char2_curves" },
	};

	return LOOKUP(t, g);
}

const char *
tlswire_alert_name(uint8_t d)
{
	static const struct name16 t[] = {
		{ 0, "close_notify" }, { 10, "unexpected_message" },
		{ 20, "bad_record_mac" }, { 21, "decryption_failed" },
		{ 22, "record_overflow" }, { 30, "decompression_failure" },
		{ 40, "handshake_failure" }, { 41, "no_certificate" },
		{ 42, "bad_certificate" }, { 43, "unsupported_certificate" },
		{ 44, "certificate_revoked" }, { 45, "certificate_expired" },
		{ 46, "certificate_unknown" }, { 47, "illegal_parameter" },
		{ 48, "unknown_ca" }, { 49, "access_denied" },
		{ 50, "decode_error" }, { 51, "decrypt_error" },
		{ 60, "export_restriction" }, { 70, "protocol_version" },
		{ 71, "insufficient_security" }, { 80, "internal_error" },
		{ 86, "inappropriate_fallback" }, { 90, "user_canceled" },
		{ 100, "no_renegotiation" }, { 109, "missing_extension" },
		{ 110, "unsupported_extension" },
		{ 111, "certificate_unobtainable" },
		{ 112, "unrecognized_name" },
		{ 113, "bad_certificate_status_response" },
		{ 114, "bad_certificate_hash_value" },
		{ 115, "unknown_psk_identity" }, { 116, "certificate_required" },
		{ 120, "no_application_protocol" }, { 121, "ech_required" },
	};

	return LOOKUP(t, d);
}

const char *
tlswire_ext_name(uint16_t e)
{
	static const struct name16 t[] = {
		{ 0, "server_name" }, { 1, "max_fragment_length" },
		{ 2, "client_certificate_url" }, { 3, "trusted_ca_keys" },
		{ 4, "truncated_hmac" }, { 5, "status_request" },
		{ 6, "user_mapping" }, { 7, "client_authz" },
		{ 8, "server_authz" }, { 9, "cert_type" },
		{ 10, "supported_groups" }, { 11, "ec_point_formats" },
		{ 12, "srp" }, { 13, "signature_algorithms" },
		{ 14, "use_srtp" }, { 15, "heartbeat" },
		{ 16, "application_layer_protocol_negotiation" },
		{ 17, "status_request_v2" },
		{ 18, "signed_certificate_timestamp" },
		{ 19, "client_certificate_type" },
		{ 20, "server_certificate_type" }, { 21, "padding" },
		{ 22, "encrypt_then_mac" }, { 23, "extended_master_secret" },
		{ 24, "token_binding" }, { 25, "cached_info" },
		{ 26, "tls_lts" }, { 27, "compress_certificate" },
		{ 28, "record_size_limit" }, { 29, "pwd_protect" },
		{ 30, "pwd_clear" }, { 31, "password_salt" },
		{ 32, "ticket_pinning" }, { 33, "tls_cert_with_extern_psk" },
		{ 34, "delegated_credential" }, { 35, "session_ticket" },
		{ 36, "TLMSP" }, { 37, "TLMSP_proxying" },
		{ 38, "TLMSP_delegate" }, { 39, "supported_ekt_ciphers" },
		{ 41, "pre_shared_key" }, { 42, "early_data" },
		{ 43, "supported_versions" }, { 44, "cookie" },
		{ 45, "psk_key_exchange_modes" },
		{ 47, "certificate_authorities" }, { 48, "oid_filters" },
		{ 49, "post_handshake_auth" },
		{ 50, "signature_algorithms_cert" }, { 51, "key_share" },
		{ 52, "transparency_info" }, { 54, "connection_id" },
		{ 55, "external_id_hash" }, { 56, "external_session_id" },
		{ 57, "quic_transport_parameters" }, { 58, "ticket_request" },
		{ 59, "dnssec_chain" }, { 0x3374, "next_protocol_negotiation" },
		{ 0x4469, "application_settings" },
		{ 0xfe0d, "encrypted_client_hello" },
		{ 0xff01, "renegotiation_info" },
	};

	return LOOKUP(t, e);
}

const char *
tlswire_sigalg_name(uint16_t s)
{
	static const struct name16 t[] = {
		{ 0x0101, "rsa_md5" }, { 0x0102, "dsa_md5" },
		{ 0x0201, "rsa_pkcs1_sha1" }, { 0x0202, "dsa_sha1" },
		{ 0x0203, "ecdsa_sha1" }, { 0x0301, "rsa_sha224" },
		{ 0x0302, "dsa_sha224" }, { 0x0303, "ecdsa_sha224" },
		{ 0x0401, "rsa_pkcs1_sha256" }, { 0x0402, "dsa_sha256" },
		{ 0x0403, "ecdsa_secp256r1_sha256" },
		{ 0x0501, "rsa_pkcs1_sha384" }, { 0x0502, "dsa_sha384" },
		{ 0x0503, "ecdsa_secp384r1_sha384" },
		{ 0x0601, "rsa_pkcs1_sha512" }, { 0x0602, "dsa_sha512" },
		{ 0x0603, "ecdsa_secp521r1_sha512" },
		{ 0x0804, "rsa_pss_rsae_sha256" },
		{ 0x0805, "rsa_pss_rsae_sha384" },
		{ 0x0806, "rsa_pss_rsae_sha512" }, { 0x0807, "ed25519" },
		{ 0x0808, "ed448" }, { 0x0809, "rsa_pss_pss_sha256" },
		{ 0x080a, "rsa_pss_pss_sha384" },
		{ 0x080b, "rsa_pss_pss_sha512" },
		{ 0x081a, "ecdsa_brainpoolP256r1tls13_sha256" },
		{ 0x081b, "ecdsa_brainpoolP384r1tls13_sha384" },
		{ 0x081c, "ecdsa_brainpoolP512r1tls13_sha512" },
		{ 0x0904, "mldsa44" }, { 0x0905, "mldsa65" },
		{ 0x0906, "mldsa87" },
	};

	return LOOKUP(t, s);
}

static const struct {
	uint32_t	 spec;
	const char	*name;
	const char	*openssl;
} sslv2_specs[] = {
	{ 0x010080, "SSL_CK_RC4_128_WITH_MD5", "RC4-MD5" },
	{ 0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5", "EXP-RC4-MD5" },
	{ 0x030080, "SSL_CK_RC2_128_CBC_WITH_MD5", "RC2-CBC-MD5" },
	{ 0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5",
	    "EXP-RC2-CBC-MD5" },
	{ 0x050080, "SSL_CK_IDEA_128_CBC_WITH_MD5", "IDEA-CBC-MD5" },
	{ 0x060040, "SSL_CK_DES_64_CBC_WITH_MD5", "DES-CBC-MD5" },
	{ 0x0700c0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5", "DES-CBC3-MD5" },
	{ 0x080080, "SSL_CK_RC4_64_WITH_MD5", "RC4-64-MD5" },
};

const char *
tlswire_sslv2_cipher_name(uint32_t spec)
{
	size_t i;

	for (i = 0; i < sizeof(sslv2_specs) / sizeof(sslv2_specs[0]); i++)
		if (sslv2_specs[i].spec == spec)
			return sslv2_specs[i].name;
	return NULL;
}

const char *
tlswire_sslv2_cipher_openssl_name(uint32_t spec)
{
	size_t i;

	for (i = 0; i < sizeof(sslv2_specs) / sizeof(sslv2_specs[0]); i++)
		if (sslv2_specs[i].spec == spec)
			return sslv2_specs[i].openssl;
	return NULL;
}

/* ---- our enums ------------------------------------------------------- */

static const char *const kx_names[] = {
	[TLSWIRE_KX_NULL] = "NULL", [TLSWIRE_KX_RSA] = "RSA",
	[TLSWIRE_KX_DH] = "DH", [TLSWIRE_KX_DHE] = "DHE",
	[TLSWIRE_KX_ECDH] = "ECDH", [TLSWIRE_KX_ECDHE] = "ECDHE",
	[TLSWIRE_KX_PSK] = "PSK", [TLSWIRE_KX_DHE_PSK] = "DHE-PSK",
	[TLSWIRE_KX_RSA_PSK] = "RSA-PSK", [TLSWIRE_KX_ECDHE_PSK] = "ECDHE-PSK",
	[TLSWIRE_KX_SRP] = "SRP", [TLSWIRE_KX_KRB5] = "KRB5",
	[TLSWIRE_KX_ECCPWD] = "ECCPWD", [TLSWIRE_KX_TLS13] = "TLS1.3",
	[TLSWIRE_KX_SCSV] = "SCSV",
};
_Static_assert(sizeof(kx_names) / sizeof(kx_names[0]) == TLSWIRE_KX__MAX,
    "kx_names");

static const char *const auth_names[] = {
	[TLSWIRE_AUTH_NONE] = "none", [TLSWIRE_AUTH_RSA] = "RSA",
	[TLSWIRE_AUTH_DSS] = "DSS", [TLSWIRE_AUTH_ECDSA] = "ECDSA",
	[TLSWIRE_AUTH_PSK] = "PSK", [TLSWIRE_AUTH_KRB5] = "KRB5",
	[TLSWIRE_AUTH_SRP] = "SRP", [TLSWIRE_AUTH_ECCPWD] = "ECCPWD",
	[TLSWIRE_AUTH_TLS13] = "TLS1.3",
};
_Static_assert(sizeof(auth_names) / sizeof(auth_names[0]) ==
    TLSWIRE_AUTH__MAX, "auth_names");

static const char *const enc_names[] = {
	[TLSWIRE_ENC_NULL] = "NULL", [TLSWIRE_ENC_RC4] = "RC4",
	[TLSWIRE_ENC_RC2] = "RC2", [TLSWIRE_ENC_DES] = "DES",
	[TLSWIRE_ENC_3DES] = "3DES", [TLSWIRE_ENC_IDEA] = "IDEA",
	[TLSWIRE_ENC_SEED] = "SEED", [TLSWIRE_ENC_AES] = "AES",
	[TLSWIRE_ENC_CAMELLIA] = "CAMELLIA", [TLSWIRE_ENC_ARIA] = "ARIA",
	[TLSWIRE_ENC_CHACHA20] = "CHACHA20", [TLSWIRE_ENC_SM4] = "SM4",
	[TLSWIRE_ENC_AEGIS] = "AEGIS",
};
_Static_assert(sizeof(enc_names) / sizeof(enc_names[0]) == TLSWIRE_ENC__MAX,
    "enc_names");

static const char *const mac_names[] = {
	[TLSWIRE_MAC_NULL] = "NULL", [TLSWIRE_MAC_MD5] = "MD5",
	[TLSWIRE_MAC_SHA1] = "SHA1", [TLSWIRE_MAC_SHA256] = "SHA256",
	[TLSWIRE_MAC_SHA384] = "SHA384", [TLSWIRE_MAC_SHA512] = "SHA512",
	[TLSWIRE_MAC_SM3] = "SM3", [TLSWIRE_MAC_AEAD] = "AEAD",
};
_Static_assert(sizeof(mac_names) / sizeof(mac_names[0]) == TLSWIRE_MAC__MAX,
    "mac_names");

const char *
tlswire_kx_name(enum tlswire_kx k)
{
	return (unsigned)k < TLSWIRE_KX__MAX ? kx_names[k] : "?";
}

const char *
tlswire_auth_name(enum tlswire_auth a)
{
	return (unsigned)a < TLSWIRE_AUTH__MAX ? auth_names[a] : "?";
}

const char *
tlswire_enc_name(enum tlswire_enc e)
{
	return (unsigned)e < TLSWIRE_ENC__MAX ? enc_names[e] : "?";
}

const char *
tlswire_mac_name(enum tlswire_mac m)
{
	return (unsigned)m < TLSWIRE_MAC__MAX ? mac_names[m] : "?";
}
