/*
 * tlsenum.h: the results of --enum for one endpoint, as plain data, so
 * that every layer can read them (db/store_enum.c, report/jsonl.c) without
 * seeing the planner (probes/enum.h) or the codec (probes/tlswire.h).
 *
 * The planner fills it (enum_plan_result), scanner/tlsjudge.c adds the
 * Mozilla profile, tls_enum_free (probes/enum.c) frees it.  Strings held
 * by pointer (names) are static: they point into the codec's name tables.
 * Tri-state facts are int8_t: 1 yes, 0 no, -1 not known (not tested, or
 * the server gave no answer that could tell).
 */
#ifndef CERTSWEEP_TLSENUM_H
#define CERTSWEEP_TLSENUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Protocol versions, oldest first (the index of tls_enum.v). */
enum tlsenum_ver {
	TLSENUM_SSL2,
	TLSENUM_SSL3,
	TLSENUM_TLS10,
	TLSENUM_TLS11,
	TLSENUM_TLS12,
	TLSENUM_TLS13,
	TLSENUM_VER__MAX
};

/* One accepted cipher suite. */
struct tls_enum_cipher {
	uint32_t	 id;		/* TLS suite; SSLv2: the 3-byte spec */
	const char	*name;		/* IANA name (SSLv2: SSL_CK_...) */
	const char	*openssl;	/* OpenSSL's name, or NULL */
	const char	*kx;		/* key exchange: "ECDHE", "RSA", ... */
	const char	*enc;		/* bulk cipher: "AES", "RC4", ... */
	unsigned	 bits;		/* effective key bits */
	bool		 fs;		/* forward secrecy */
	unsigned	 dh_bits;	/* DHE: prime size seen with it, or 0 */
	uint16_t	 curve;		/* ECDHE (<= TLS 1.2): curve, or 0 */
};

struct tls_enum_version {
	const char	*name;		/* "SSLv2" ... "TLSv1.3" */
	uint16_t	 wire;		/* 0x0002, 0x0300 ... 0x0304 */
	int8_t		 supported;	/* 1, 0, -1 */
	/* 1: ciphers are in the server's preference order; 0: the client's
	 * order decides (the list order means nothing); -1: unknown (fewer
	 * than two suites) */
	int8_t		 server_order;
	struct tls_enum_cipher *ciphers;	/* owned */
	size_t		 nciphers;
};

struct tls_enum_group {
	uint16_t	 id;
	const char	*name;		/* "x25519", or NULL when unnamed */
};

/* Mozilla server-side TLS profile names, strictest first. */
#define TLSENUM_PROFILE_MODERN		"modern"
#define TLSENUM_PROFILE_INTERMEDIATE	"intermediate"
#define TLSENUM_PROFILE_OLD		"old"
#define TLSENUM_PROFILE_NONE		"none"

struct tls_enum {
	struct tls_enum_version v[TLSENUM_VER__MAX];
	/* TLS 1.3 groups when TLS 1.3 was there (HelloRetryRequest probe),
	 * else the TLS 1.2 ECDHE curves (ServerKeyExchange) */
	struct tls_enum_group *groups;		/* owned */
	size_t		 ngroups;
	bool		 groups_tls13;
	unsigned	 dh_bits;	/* smallest DHE prime seen, 0: none */
	int8_t		 secure_reneg;	/* renegotiation_info echoed */
	int8_t		 compression;	/* the server chose DEFLATE */
	int8_t		 ocsp_stapling;	/* status_request / CertificateStatus */
	int8_t		 session_ticket;
	int8_t		 fallback_scsv;	/* inappropriate_fallback alert */
	int8_t		 heartbeat;
	int8_t		 ems;		/* extended_master_secret */
	int8_t		 etm;		/* encrypt_then_mac (CBC suites only) */
	char		 alpn[32];	/* chosen from "h2,http/1.1", "" none */
	char		 ja3s[33];	/* of our standard hello; "" none */
	char		 jarm[63];	/* "" when JARM did not run */
	unsigned	 attempts;	/* connections used */
	bool		 truncated;	/* stopped early: see note */
	char		 note[128];	/* why it stopped early, anomalies */
	/* scanner/tlsjudge.c: the strictest profile met and why the next
	 * stricter one is missed ("" before judging) */
	char		 profile[16];
	char		 profile_reasons[512];
};

#endif /* CERTSWEEP_TLSENUM_H */
