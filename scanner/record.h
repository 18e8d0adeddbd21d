/*
 * record.h: the data model shared by every layer.
 *
 * One struct observation per endpoint per sweep flows from the active engine
 * (and later the passive path) through analysis into the store and the
 * report writers.  Writers and the store borrow observations for the length
 * of a call; the engine owns them.
 */
#ifndef CERTSWEEP_RECORD_H
#define CERTSWEEP_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exactly one per observation; names in status.c. */
enum scan_status {
	SCAN_OK,
	SCAN_REFUSED,
	SCAN_CONNECT_TIMEOUT,
	SCAN_IO_TIMEOUT,
	SCAN_CLOSED,
	SCAN_PROTOCOL_ERROR,
	SCAN_STARTTLS_REFUSED,
	SCAN_TLS_ERROR,
	SCAN_DNS_ERROR,		/* a hostname target did not resolve */
	SCAN_INTERNAL_ERROR,
	SCAN__MAX
};

/* "ok", "refused", "connect-timeout", ...; NULL for an out-of-range value. */
const char	*scan_status_name(enum scan_status);
/* Inverse of scan_status_name(); -1 when the name is unknown. */
int		 scan_status_from_name(const char *);

struct x509_st;		/* OpenSSL's X509, kept opaque here */
struct certlite_view;	/* certlite's reading of der (certlite.h) */
struct tls_enum;	/* --enum results (probes/enum.h) */

/* Frees a struct tls_enum (probes/enum.c); NULL is a no-op. */
void	tls_enum_free(struct tls_enum *);

#define CERT_SHA256_LEN	32
#define CHAIN_MAX	16	/* certificates kept per chain; the rest dropped */

/*
 * Facts of one X.509 certificate (scanner/cert.c fills it from DER).
 * Strings are NUL-terminated, heap-owned, never NULL after a successful
 * cert_record_from_der() (empty string when absent).
 */
struct cert_record {
	uint8_t		 sha256[CERT_SHA256_LEN];
	uint8_t		 spki_sha256[CERT_SHA256_LEN];
	uint8_t		*der;
	size_t		 der_len;
	char		*subject;	/* RFC 2253 one-line DN */
	char		*issuer;
	char		*serial;	/* upper-case hex, no separators */
	int64_t		 not_before;	/* Unix seconds, UTC */
	int64_t		 not_after;
	char		*key_type;	/* "RSA", "EC", "DSA", "Ed25519", ... */
	int		 key_bits;
	char		*curve;		/* "prime256v1" for EC, else "" */
	char		*sig_alg;	/* "sha256WithRSAEncryption", ... */
	char		**sans;		/* "DNS:a.example", "IP:192.0.2.1", ... */
	size_t		 nsans;
	bool		 is_ca;
	bool		 self_signed;	/* issuer == subject and self-verifies */
	int		 version;	/* X.509 version: 1, 2 or 3 */
	bool		 has_basic_constraints;
	int		 path_len;	/* basic constraints pathlen, -1 if none */
	uint32_t	 key_usage;	/* X509v3 KU_* bits; UINT32_MAX if absent */
	char		*eku;		/* "serverAuth,clientAuth" or "" if absent;
					   unknown OIDs in dotted form */
	char		*ocsp_urls;	/* AIA OCSP, comma-separated, or "" */
	char		*ca_issuers;	/* AIA caIssuers URLs, or "" */
	char		*crl_urls;	/* CRL distribution points, or "" */
	int		 sct_count;	/* embedded SCTs (precert SCT list) */
	char		*ski;		/* subject key id, lower-case hex, or "" */
	char		*aki;		/* authority key id, lower-case hex, or "" */
	struct x509_st	*x509;		/* the parsed certificate, owned (one
					   reference), so that verification
					   does not decode it again */
	struct certlite_view *lite;	/* what certlite read of der, owned,
					   for verify, hostname and policy,
					   which would walk it again; NULL
					   when OpenSSL parsed it */
};

/* Finding severities, lowest first; names in status.c. */
enum severity {
	SEV_INFO,
	SEV_LOW,
	SEV_MEDIUM,
	SEV_HIGH,
	SEV_CRITICAL,
	SEV__MAX
};

/* "info", "low", "medium", "high", "critical"; NULL when out of range. */
const char	*severity_name(enum severity);
/* Inverse of severity_name(); -1 when the name is unknown. */
int		 severity_from_name(const char *);

/*
 * One thing wrong with an endpoint or one of its certificates.  rule is a
 * static string from DESIGN.md §6 ("cert.expired", "tls.tls10", ...).
 */
struct finding {
	const char	*rule;
	enum severity	 severity;
	int		 depth;		/* chain position it is about, -1 for the
					   endpoint (tls.*, starttls.*) */
	char		 detail[256];	/* for people: "expired 12 days ago" */
};

/* GeoIP/ASN facts of an address (scanner/geo.c); "" and 0 when unknown. */
struct geo_info {
	char		 country_iso[8];	/* ISO 3166-1 alpha-2, "GB" */
	char		 country[96];		/* English, "United Kingdom" */
	char		 city[96];		/* English name, "London" */
	uint32_t	 asn;			/* 0 when unknown */
	char		 as_org[128];		/* "Telstra Pty Ltd" */
};

/* Where an observation came from. */
enum obs_source {
	OBS_ACTIVE,
	OBS_PASSIVE,
	OBS_FILE,		/* certsweep inspect: a file read offline */
};

/*
 * One endpoint's result for one sweep.  On status SCAN_OK the TLS fields
 * and the chain are set; otherwise reason says what happened, in words a
 * person understands.
 */
struct observation {
	enum obs_source	 source;
	const char	*origin;	/* OBS_FILE: the file's path (borrowed) */
	char		 ip[46];	/* numeric address, INET6_ADDRSTRLEN */
	uint16_t	 port;
	char		 hostname[256];	/* the target's name, "" for IP targets */
	char		 sni[256];	/* server name sent, "" when none */
	const char	*protocol;	/* probe name: "tls", "smtp", ... */
	int64_t		 time;		/* Unix seconds at the start of the attempt */
	enum scan_status status;
	char		 reason[256];
	char		 version[16];	/* "TLSv1.3" */
	char		 cipher[64];	/* IANA name, e.g. TLS_AES_128_GCM_SHA256 */
	char		 group[32];	/* key exchange group, "x25519" */
	char		 alpn[32];
	double		 handshake_ms;	/* TCP connect to end of handshake */
	bool		 raw;		/* our own TLS 1.2 hello (rawgrab.c),
					   not an OpenSSL handshake */
	long		 verify_code;	/* the chain as sent, at the time of the
					   observation: X509_V_OK (0) or an
					   X509_V_ERR_*; names are not part of it */
	char		 verify_reason[128];
	int8_t		 name_match;	/* the leaf names the host (or IP): 1,
					   it does not: 0, not checked: -1 */
	struct cert_record *chain;	/* as the server sent it, leaf first */
	size_t		 chain_len;
	struct finding	*findings;	/* owned; filled by the analysis */
	size_t		 nfindings;
	struct geo_info	 geo;		/* --geoip-city / --geoip-asn */
	/* fingerprints, lower-case hex or JA4's own form; "" when unknown */
	char		 ja3[33];	/* passive: the client's hello (MD5) */
	char		 ja3s[33];	/* the server's answer (MD5) */
	char		 ja4[40];	/* passive: the client's hello */
	char		 jarm[63];	/* --enum: JARM of the server */
	uint8_t		*ocsp_staple;	/* stapled OCSP response (DER), owned */
	size_t		 ocsp_staple_len;
	struct tls_enum	*tlsenum;	/* --enum results, owned (probes/enum.h);
					   freed by observation_clear() */
	char		 banner[256];	/* STARTTLS: the server's greeting line */
	uint32_t	 injected;	/* STARTTLS: plaintext bytes the server
					   sent after its go-ahead (injection) */
	/* OCSP about the leaf as the analysis judged it: the stapled
	 * response, else a --ocsp query (ocsp_live).  ocsp_status is
	 * "good", "revoked", "unknown", "invalid", or "" when none. */
	char		 ocsp_status[16];
	int64_t		 ocsp_this_update;	/* Unix seconds, 0 unknown */
	int64_t		 ocsp_next_update;	/* 0: none or unknown */
	bool		 ocsp_live;	/* asked the responder (--ocsp) */
};

/* Frees what the observation owns (chain, findings) and zeroes those
 * fields. */
void	observation_clear(struct observation *);

#endif /* CERTSWEEP_RECORD_H */
