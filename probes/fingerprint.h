/*
 * fingerprint.h: TLS client and server fingerprints from parsed hellos.
 *
 *  - JA3 (Salesforce): MD5 of "SSLVersion,Ciphers,Extensions,
 *    EllipticCurves,EllipticCurvePointFormats" of a ClientHello, decimal
 *    values joined by '-', GREASE values (RFC 8701) removed;
 *  - JA3S: MD5 of "SSLVersion,Cipher,Extensions" of a ServerHello;
 *  - JA4 (FoxIO, the TLS client fingerprint only): "a_b_c" where a is
 *    t, the version, d/i (SNI or not), cipher and extension counts and
 *    the first and last characters of the first ALPN value; b the first
 *    12 hex digits of SHA-256 over the sorted cipher list; c the same
 *    over the sorted extension list (without SNI and ALPN), followed by
 *    '_' and the signature algorithms in their order when there are any.
 *
 * Written from the published specifications.  Pure: the inputs are
 * tlswire's borrowed views, nothing is kept, nothing logged.  The *_raw
 * functions give the string before hashing (JA4: the "ja4_r" form), as
 * Arkime and Zeek print them, for tests and debugging.  SSLv2-format
 * ClientHellos have no JA3/JA4 here (-1).
 */
#ifndef CERTSWEEP_FINGERPRINT_H
#define CERTSWEEP_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probes/tlswire.h"

#define FINGERPRINT_JA3_LEN	33	/* 32 lower-case hex digits + NUL */
/* t13d1516h2_8daaf6152771_b186095e22b6 + NUL */
#define FINGERPRINT_JA4_LEN	37

/* RFC 8701 GREASE values: 0x0a0a, 0x1a1a, ... 0xfafa. */
bool	fingerprint_is_grease(uint16_t);

/* Hashed forms; 0, or -1 (out set to "") when there is nothing to hash. */
int	fingerprint_ja3(const struct tlswire_client_hello *,
	    char out[FINGERPRINT_JA3_LEN]);
int	fingerprint_ja3s(const struct tlswire_server_hello *,
	    char out[FINGERPRINT_JA3_LEN]);
int	fingerprint_ja4(const struct tlswire_client_hello *,
	    char out[FINGERPRINT_JA4_LEN]);

/*
 * Unhashed forms, heap-allocated (xmalloc; the caller frees), or NULL
 * for an SSLv2-format hello.
 */
char	*fingerprint_ja3_raw(const struct tlswire_client_hello *);
char	*fingerprint_ja3s_raw(const struct tlswire_server_hello *);
char	*fingerprint_ja4_raw(const struct tlswire_client_hello *);

#endif /* CERTSWEEP_FINGERPRINT_H */
