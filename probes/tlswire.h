/*
 * tlswire.h: our own TLS wire codec, pure functions over bytes.
 *
 *  - a ClientHello builder driven by a recipe (every version from SSL 3.0
 *    to TLS 1.3, any cipher list including EXPORT/RC4/NULL suites that
 *    OpenSSL 3 no longer speaks) and an SSLv2 CLIENT-HELLO builder;
 *  - a streaming parser of either direction of a connection that reports
 *    ClientHello, ServerHello, Certificate, ServerKeyExchange,
 *    CertificateStatus, ServerHelloDone, alerts and SSLv2 SERVER-HELLO
 *    through callbacks, and stops (without error) where encryption starts;
 *  - name tables: IANA and OpenSSL cipher-suite names and properties,
 *    protocol versions, groups, alerts.
 *
 * Used by the raw certificate grab (send a TLS 1.2 hello, read up to
 * ServerHelloDone in clear, close: no crypto), by version/cipher
 * enumeration and by passive discovery from captures.  Nothing here does
 * I/O, logs or keeps global state.  The parser's only heap memory is one
 * bounded reassembly buffer, used when a handshake message is split
 * across records or feed calls (and for the Certificate message).
 */
#ifndef CERTSWEEP_TLSWIRE_H
#define CERTSWEEP_TLSWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Protocol versions as on the wire. */
#define TLSWIRE_SSL2		0x0002
#define TLSWIRE_SSL3		0x0300
#define TLSWIRE_TLS10		0x0301
#define TLSWIRE_TLS11		0x0302
#define TLSWIRE_TLS12		0x0303
#define TLSWIRE_TLS13		0x0304

/* Limits. */
#define TLSWIRE_MAX_CIPHERS	512	/* cipher suites in one recipe */
#define TLSWIRE_MAX_KEY_SHARES	4	/* key_share entries in one recipe */
#define TLSWIRE_MAX_RECORD	(16384 + 2048)	/* TLSCiphertext bound */
#define TLSWIRE_MAX_HANDSHAKE	65536	/* non-Certificate messages */
#define TLSWIRE_CERT_DEFAULT	(256 * 1024)
#define TLSWIRE_CERT_HARD_MAX	(4 * 1024 * 1024)

/* Groups used by the recipes (IANA supported_groups). */
#define TLSWIRE_GROUP_SECP256R1	23
#define TLSWIRE_GROUP_SECP384R1	24
#define TLSWIRE_GROUP_SECP521R1	25
#define TLSWIRE_GROUP_X25519	29
#define TLSWIRE_GROUP_X448	30
#define TLSWIRE_GROUP_FFDHE2048	256

/* Alert levels. */
#define TLSWIRE_ALERT_WARNING	1
#define TLSWIRE_ALERT_FATAL	2

/* ---- ClientHello builder ---------------------------------------------- */

/* Recipe flags. */
#define TLSWIRE_F_RENEG_INFO	0x0001	/* renegotiation_info extension */
/* append TLS_EMPTY_RENEGOTIATION_INFO_SCSV */
#define TLSWIRE_F_RENEG_SCSV	0x0002
#define TLSWIRE_F_FALLBACK_SCSV	0x0004	/* append TLS_FALLBACK_SCSV */
#define TLSWIRE_F_SESSION_TICKET 0x0008	/* empty session_ticket */
#define TLSWIRE_F_STATUS_REQUEST 0x0010	/* OCSP stapling request */
#define TLSWIRE_F_HEARTBEAT	0x0020	/* heartbeat, peer_allowed_to_send */
#define TLSWIRE_F_EMS		0x0040	/* extended_master_secret */
#define TLSWIRE_F_ETM		0x0080	/* encrypt_then_mac */
#define TLSWIRE_F_SCT		0x0100	/* signed_certificate_timestamp */
#define TLSWIRE_F_PSK_MODES	0x0200	/* psk_key_exchange_modes: psk_dhe_ke */
/* no extension block at all (SSL 3.0) */
#define TLSWIRE_F_NO_EXTENSIONS	0x0400
/* key_share with an empty list when nkey_shares is 0: the server must
 * answer HelloRetryRequest naming the group it wants (group probing) */
#define TLSWIRE_F_KEY_SHARE_EMPTY 0x0800

struct tlswire_key_share {
	uint16_t	 group;
	const uint8_t	*key;		/* public key bytes, borrowed */
	size_t		 len;
};

/*
 * What to put in a ClientHello.  Arrays are borrowed; a count of 0 omits
 * the extension (compression defaults to { null }).  GREASE is never added.
 */
struct tlswire_hello {
	/* 0: min(client_version, TLS 1.0) */
	uint16_t	 record_version;
	/* legacy_version: SSL 3.0 .. TLS 1.2 */
	uint16_t	 client_version;
	uint8_t		 random[32];	/* caller's: tests stay deterministic */
	uint8_t		 session_id[32];
	size_t		 session_id_len;
	const uint16_t	*ciphers;
	size_t		 nciphers;		/* <= TLSWIRE_MAX_CIPHERS */
	const uint8_t	*compression;
	size_t		 ncompression;
	const char	*sni;			/* host name or NULL */
	const char *const *alpn;
	size_t		 nalpn;
	const uint16_t	*groups;
	size_t		 ngroups;
	const uint8_t	*ec_point_formats;
	size_t		 nec_point_formats;
	const uint16_t	*sig_algs;
	size_t		 nsig_algs;
	const uint16_t	*versions;	/* supported_versions, TLS 1.3 */
	size_t		 nversions;
	struct tlswire_key_share key_shares[TLSWIRE_MAX_KEY_SHARES];
	size_t		 nkey_shares;
	unsigned	 flags;			/* TLSWIRE_F_* */
	/* padding extension: grow the handshake message to this size */
	size_t		 pad_to;
};

/*
 * Write the ClientHello as one or more TLS records (a hello over 16384
 * bytes is fragmented).  Returns 0 and sets *written, or -1 if the recipe
 * is invalid or out is too small.
 */
int	tlswire_build_client_hello(const struct tlswire_hello *, uint8_t *out,
	    size_t outlen, size_t *written);

/*
 * Ready recipes; they fill every field but random (zeroed) and sni (NULL).
 * grab12: TLS 1.2 only (no supported_versions, so the server cannot pick
 * TLS 1.3): many ECDHE/DHE/RSA suites, x25519/P-256/P-384, ECDSA/RSA/PSS
 * signature algorithms: common servers answer with the Certificate in
 * clear.  modern: TLS 1.3 + 1.2 offer with an X25519 key share whose key
 * the caller supplies in key (32 bytes, borrowed until the build; random
 * bytes do for a grab that never finishes the handshake).
 */
void	tlswire_recipe_grab12(struct tlswire_hello *);
void	tlswire_recipe_modern(struct tlswire_hello *, const uint8_t key[32]);

/* SSLv2 CLIENT-HELLO (also the SSLv2-compatible hello of SSL3/TLS). */
struct tlswire_sslv2_hello {
	/* 0x0002, or 0x0300.. for v2-compatible */
	uint16_t	 version;
	const uint32_t	*specs;		/* 3-byte cipher specs, e.g. 0x010080 */
	size_t		 nspecs;
	const uint8_t	*session_id;
	size_t		 session_id_len;	/* 0 or 16 */
	uint8_t		 challenge[32];
	size_t		 challenge_len;		/* 16..32 */
};

int	tlswire_build_sslv2_hello(const struct tlswire_sslv2_hello *,
	    uint8_t *out, size_t outlen, size_t *written);
/* All seven SSLv2 cipher specs, version 2, 16-byte zero challenge. */
void	tlswire_recipe_sslv2(struct tlswire_sslv2_hello *);

/* ---- Parsed views (borrowed: valid only during the callback) ----------- */

struct tlswire_bytes {
	const uint8_t	*data;
	size_t		 len;
};

/* A list of big-endian uint16 values, as on the wire. */
struct tlswire_list16 {
	const uint8_t	*data;
	size_t		 count;
};
uint16_t tlswire_list16_get(const struct tlswire_list16 *, size_t i);

/* A validated extension block; iterate with tlswire_ext_next. */
struct tlswire_exts {
	const uint8_t	*data;
	size_t		 len;
	size_t		 count;
	/* false: hello had no extension block */
	bool		 present;
};
struct tlswire_ext {
	uint16_t	 type;
	const uint8_t	*data;
	size_t		 len;
};
/* *off starts at 0; returns false at the end. */
bool	tlswire_ext_next(const struct tlswire_exts *, size_t *off,
	    struct tlswire_ext *);
bool	tlswire_ext_find(const struct tlswire_exts *, uint16_t type,
	    struct tlswire_ext *);

/* ALPN ProtocolNameList (1-byte length prefixed names), validated. */
struct tlswire_alpn {
	const uint8_t	*data;
	size_t		 len;
	size_t		 count;
};
bool	tlswire_alpn_next(const struct tlswire_alpn *, size_t *off,
	    struct tlswire_bytes *name);

struct tlswire_client_hello {
	uint16_t	 record_version;
	uint16_t	 legacy_version;
	const uint8_t	*random;	/* 32 bytes (SSLv2: challenge) */
	struct tlswire_bytes session_id;
	struct tlswire_list16 ciphers;		/* empty for SSLv2 hellos */
	struct tlswire_bytes compression;
	struct tlswire_exts extensions;
	struct tlswire_bytes sni;	/* first host_name, not NUL-ended */
	struct tlswire_alpn alpn;
	struct tlswire_list16 supported_versions;
	struct tlswire_list16 groups;
	struct tlswire_bytes ec_point_formats;
	struct tlswire_list16 sig_algs;
	/* SSLv2-format CLIENT-HELLO: random is NULL and ciphers empty; TLS
	 * suites appear among the 3-byte specs as 0x00XXYY */
	bool		 is_sslv2;
	struct tlswire_bytes sslv2_specs;
	struct tlswire_bytes sslv2_challenge;
};

struct tlswire_server_hello {
	uint16_t	 legacy_version;
	uint16_t	 version;	/* supported_versions if present */
	const uint8_t	*random;		/* 32 bytes */
	struct tlswire_bytes session_id;
	uint16_t	 cipher;
	uint8_t		 compression;
	struct tlswire_exts extensions;
	bool		 has_reneg_info;
	bool		 has_ems;		/* extended_master_secret */
	bool		 has_etm;		/* encrypt_then_mac */
	bool		 has_status_request;	/* OCSP staple will follow */
	bool		 has_session_ticket;
	bool		 has_heartbeat;
	struct tlswire_bytes alpn;		/* selected protocol */
	uint16_t	 key_share_group;	/* 0: none */
	bool		 is_hello_retry_request;
	/* RFC 8446 4.1.3 downgrade sentinel: 0x0303 / 0x0302, 0 if none */
	uint16_t	 downgrade_to;
};

enum tlswire_kx_kind {
	TLSWIRE_SKE_UNKNOWN,
	TLSWIRE_SKE_ECDHE,
	TLSWIRE_SKE_DHE,
	TLSWIRE_SKE_RSA_EXPORT,
	TLSWIRE_SKE__MAX
};

struct tlswire_server_kx {
	struct tlswire_bytes body;		/* raw message body */
	enum tlswire_kx_kind kind;
	uint16_t	 named_curve;		/* ECDHE */
	unsigned	 dh_prime_bits;		/* DHE */
	unsigned	 rsa_bits;		/* RSA_EXPORT temporary key */
	uint16_t	 sig_alg;	/* TLS 1.2 signature scheme, or 0 */
};

struct tlswire_sslv2_server_hello {
	bool		 session_id_hit;
	uint8_t		 cert_type;		/* 1: X.509 */
	uint16_t	 version;
	struct tlswire_bytes cert;		/* DER */
	struct tlswire_bytes specs;		/* 3-byte cipher specs */
	struct tlswire_bytes connection_id;
};

/* ---- Streaming parser ------------------------------------------------ */

enum tlswire_dir {
	TLSWIRE_DIR_CLIENT,		/* bytes the client sent */
	TLSWIRE_DIR_SERVER,		/* bytes the server sent */
	TLSWIRE_DIR__MAX
};

enum tlswire_state {
	TLSWIRE_ST_START,		/* nothing seen yet */
	TLSWIRE_ST_HANDSHAKE,		/* TLS records in clear */
	TLSWIRE_ST_SSLV2,		/* SSLv2 records */
	TLSWIRE_ST_DONE,	/* ServerHelloDone, HRR or SSLv2 hello */
	TLSWIRE_ST_ENCRYPTED,		/* after CCS / encrypted data: stop */
	TLSWIRE_ST_ALERT,		/* fatal alert or close_notify */
	TLSWIRE_ST_ERROR,		/* sticky; see tlswire_error() */
	TLSWIRE_ST__MAX
};

enum tlswire_err {
	TLSWIRE_ERR_NONE,
	TLSWIRE_ERR_NOT_TLS,		/* first bytes are no TLS/SSL record */
	TLSWIRE_ERR_RECORD,		/* bad record type, version or length */
	TLSWIRE_ERR_DECODE,		/* malformed handshake message */
	TLSWIRE_ERR_TOO_LARGE,		/* message over its bound */
	TLSWIRE_ERR_UNEXPECTED,		/* message of the other direction */
	TLSWIRE_ERR__MAX
};

/*
 * Callbacks; any may be NULL.  Everything passed is borrowed for the call.
 */
struct tlswire_events {
	void	*arg;
	void	(*on_client_hello)(void *, const struct tlswire_client_hello *);
	void	(*on_server_hello)(void *, const struct tlswire_server_hello *);
	/* index 0 is the leaf; TLS 1.3 per-entry extensions are validated,
	 * and a stapled OCSP response in them goes to on_certificate_status */
	void	(*on_certificate)(void *, size_t index, const uint8_t *der,
		    size_t len);
	void	(*on_server_key_exchange)(void *,
		    const struct tlswire_server_kx *);
	void	(*on_certificate_status)(void *, const uint8_t *ocsp,
		    size_t len);
	void	(*on_server_hello_done)(void *);
	void	(*on_alert)(void *, uint8_t level, uint8_t description);
	void	(*on_sslv2_server_hello)(void *,
		    const struct tlswire_sslv2_server_hello *);
	void	(*on_sslv2_error)(void *, uint16_t code);
};

struct tlswire_parser {
	/* configuration */
	enum tlswire_dir dir;
	size_t		 max_cert;
	const struct tlswire_events *ev;
	/* state */
	enum tlswire_state state;
	enum tlswire_err err;
	char		 reason[160];
	uint16_t	 version;		/* negotiated (server side) */
	uint16_t	 cipher;
	bool		 v2;			/* SSLv2 record framing */
	/* server chose TLS 1.3: its CCS is no key change (a client's CCS
	 * is always taken as one) */
	bool		 ccs_compat;
	bool		 hs_direct;	/* fed via tlswire_feed_handshake */
	/* record layer */
	uint8_t		 rhdr[5];
	uint8_t		 rhdr_have;
	uint8_t		 rhdr_need;		/* 5 TLS, 2 or 3 SSLv2 */
	uint8_t		 rtype;
	size_t		 rleft;	/* payload bytes still to come */
	uint8_t		 alert[2];
	uint8_t		 alert_have;
	/* handshake layer */
	uint8_t		 hhdr[4];
	uint8_t		 hhdr_have;
	size_t		 hlen;			/* body length of current msg */
	size_t		 hhave;			/* body bytes seen */
	bool		 hskip;			/* not buffered: skipped type */
	/* reassembly buffer (xmalloc'ed, grows up to the bound) */
	uint8_t		*buf;
	size_t		 bufcap;
};

/* ev must outlive the parser; max_cert 0 means TLSWIRE_CERT_DEFAULT. */
void	tlswire_parser_init(struct tlswire_parser *, enum tlswire_dir,
	    size_t max_cert, const struct tlswire_events *ev);
/* Frees the reassembly buffer; the parser may be init'ed again. */
void	tlswire_parser_free(struct tlswire_parser *);
/*
 * Feed the next bytes of the stream, split anywhere.  Returns 0, or -1
 * once an error happened (sticky: later calls return -1 at once).
 * Bytes after encryption starts or after a fatal alert are ignored.
 */
int	tlswire_feed(struct tlswire_parser *, const uint8_t *, size_t);
/* Feed handshake-layer bytes directly (no record headers): decrypted
 * TLS 1.3 handshake, tests. */
int	tlswire_feed_handshake(struct tlswire_parser *, const uint8_t *,
	    size_t);
enum tlswire_state tlswire_state(const struct tlswire_parser *);
enum tlswire_err tlswire_error(const struct tlswire_parser *);
/* "" when there is no error. */
const char *tlswire_reason(const struct tlswire_parser *);
/* Nothing more to learn in clear: ServerHelloDone, HRR, SSLv2 hello,
 * encrypted data, fatal alert or error. */
bool	tlswire_done(const struct tlswire_parser *);

const char *tlswire_state_name(enum tlswire_state);
const char *tlswire_err_name(enum tlswire_err);

/* ---- Names (probes/tlsnames.c, tlsparams.c); NULL when unknown ------ */

enum tlswire_kx {
	TLSWIRE_KX_NULL,		/* TLS_NULL_WITH_NULL_NULL */
	TLSWIRE_KX_RSA,
	TLSWIRE_KX_DH,			/* static DH */
	TLSWIRE_KX_DHE,
	TLSWIRE_KX_ECDH,		/* static ECDH */
	TLSWIRE_KX_ECDHE,
	TLSWIRE_KX_PSK,
	TLSWIRE_KX_DHE_PSK,
	TLSWIRE_KX_RSA_PSK,
	TLSWIRE_KX_ECDHE_PSK,
	TLSWIRE_KX_SRP,
	TLSWIRE_KX_KRB5,
	TLSWIRE_KX_ECCPWD,
	TLSWIRE_KX_TLS13,		/* negotiated separately */
	TLSWIRE_KX_SCSV,		/* signalling value, not a suite */
	TLSWIRE_KX__MAX
};

enum tlswire_auth {
	TLSWIRE_AUTH_NONE,		/* anon, NULL */
	TLSWIRE_AUTH_RSA,
	TLSWIRE_AUTH_DSS,
	TLSWIRE_AUTH_ECDSA,
	TLSWIRE_AUTH_PSK,
	TLSWIRE_AUTH_KRB5,
	TLSWIRE_AUTH_SRP,
	TLSWIRE_AUTH_ECCPWD,
	TLSWIRE_AUTH_TLS13,		/* by the certificate */
	TLSWIRE_AUTH__MAX
};

enum tlswire_enc {
	TLSWIRE_ENC_NULL,
	TLSWIRE_ENC_RC4,
	TLSWIRE_ENC_RC2,
	TLSWIRE_ENC_DES,		/* single DES, also DES40 */
	TLSWIRE_ENC_3DES,
	TLSWIRE_ENC_IDEA,
	TLSWIRE_ENC_SEED,
	TLSWIRE_ENC_AES,
	TLSWIRE_ENC_CAMELLIA,
	TLSWIRE_ENC_ARIA,
	TLSWIRE_ENC_CHACHA20,
	TLSWIRE_ENC_SM4,
	TLSWIRE_ENC_AEGIS,
	TLSWIRE_ENC__MAX
};

enum tlswire_mac {
	TLSWIRE_MAC_NULL,
	TLSWIRE_MAC_MD5,
	TLSWIRE_MAC_SHA1,
	TLSWIRE_MAC_SHA256,
	TLSWIRE_MAC_SHA384,
	TLSWIRE_MAC_SHA512,
	TLSWIRE_MAC_SM3,
	TLSWIRE_MAC_AEAD,	/* GCM, CCM, Poly1305: hash is PRF only */
	TLSWIRE_MAC__MAX
};

struct tlswire_cipher_info {
	uint16_t	 id;
	const char	*name;		/* IANA */
	const char	*openssl;	/* OpenSSL name, or NULL */
	enum tlswire_kx	 kx;
	enum tlswire_auth auth;
	enum tlswire_enc enc;
	unsigned	 enc_bits;	/* effective key bits: 40 for EXPORT */
	enum tlswire_mac mac;
	bool		 is_export;
	bool		 is_aead;
	bool		 is_cbc;
	bool		 has_fs;	/* forward secrecy (DHE, ECDHE, 1.3) */
	/* false: pre-standard (EXPORT1024...) */
	bool		 is_iana;
};

/* Returns 0 and fills *info, or -1 for an unknown id. */
int	tlswire_cipher_info(uint16_t id, struct tlswire_cipher_info *);
const char *tlswire_cipher_name(uint16_t);
const char *tlswire_cipher_openssl_name(uint16_t);
/* Reverse lookups by IANA or OpenSSL name; 0 and *id, or -1. */
int	tlswire_cipher_by_name(const char *, uint16_t *id);
/* Number of known suites and the i-th id, for enumeration. */
size_t	tlswire_cipher_count(void);
uint16_t tlswire_cipher_at(size_t);
const char *tlswire_sslv2_cipher_name(uint32_t spec);	/* SSL_CK_... */
const char *tlswire_sslv2_cipher_openssl_name(uint32_t spec);
/* "SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3" */
const char *tlswire_version_name(uint16_t);
const char *tlswire_group_name(uint16_t);
const char *tlswire_alert_name(uint8_t);
const char *tlswire_ext_name(uint16_t);
const char *tlswire_sigalg_name(uint16_t);
const char *tlswire_kx_name(enum tlswire_kx);
const char *tlswire_enc_name(enum tlswire_enc);
const char *tlswire_mac_name(enum tlswire_mac);
const char *tlswire_auth_name(enum tlswire_auth);

#endif /* CERTSWEEP_TLSWIRE_H */
