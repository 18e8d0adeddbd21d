/*
 * jarm.h: JARM, Salesforce's active TLS server fingerprint: ten fixed
 * ClientHellos (versions, cipher orders, GREASE, ALPN lists, extension
 * orders) and a fuzzy hash of the ten answers: 30 characters from the
 * cipher and version each probe got, then the first 32 hex digits of the
 * SHA-256 of the ALPN values and extension lists.  Written from the
 * published specification (the reference tool's behaviour, including its
 * quirks, so that hashes match the ones published for known servers).
 */
#ifndef CERTSWEEP_JARM_H
#define CERTSWEEP_JARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JARM_PROBES	10
#define JARM_TLS11	5	/* the probe offering TLS 1.1 (no 1.2, 1.3) */
#define JARM_MAX_EXTS	32

/* The random parts of a probe: any bytes do (the hash ignores them). */
struct jarm_rand {
	uint8_t		 random[32];
	uint8_t		 session_id[32];
	uint8_t		 key[32];		/* x25519 key share */
	uint8_t		 grease[4];		/* picks of GREASE values */
};

/*
 * Probe i (0..9)'s ClientHello as one TLS record, naming host in SNI
 * (the reference always sends one).  Returns 0 and *len, or -1 when out
 * is too small or i is out of range.
 */
int	jarm_build(unsigned i, const char *host, const struct jarm_rand *,
	    uint8_t *out, size_t outlen, size_t *len);

/* What one probe got back. */
struct jarm_answer {
	bool		 hello;		/* a ServerHello (or HRR) */
	uint16_t	 cipher;
	uint16_t	 version;	/* legacy_version of the ServerHello */
	char		 alpn[64];	/* selected protocol, "" */
	uint16_t	 exts[JARM_MAX_EXTS];	/* types, as sent */
	size_t		 nexts;
};

/* "cipher|version|alpn|ext-ext" as the reference prints it ("|||"). */
void	jarm_raw(const struct jarm_answer *, char *out, size_t outlen);

/* The 62-character hash of ten answers (all zeros when none answered). */
void	jarm_hash(const struct jarm_answer a[JARM_PROBES], char out[63]);

#endif /* CERTSWEEP_JARM_H */
