/*
 * rawgrab.h: the certificate grab without cryptography.
 *
 * We send a TLS 1.2 ClientHello (probes/tlswire's grab12 recipe: no
 * supported_versions, so the server cannot pick TLS 1.3) and read the
 * server's flight in clear: ServerHello, Certificate, ServerKeyExchange,
 * CertificateStatus, ServerHelloDone.  Then the connection is reset: no key
 * exchange, no signature to check, one buffer instead of an SSL object.
 * The server still does its own work (ECDHE key, signature), which is what
 * bounds the rate on a shared machine.
 *
 * A server that will not talk TLS 1.2 (TLS 1.3 only, an alert to our
 * suites) is reported as RAW_FALLBACK: the engine then connects again and
 * uses OpenSSL (scanner/tls.c), unless --grab raw was asked for.
 *
 * No I/O here: conn.c owns the socket and feeds the bytes.
 */
#ifndef CERTSWEEP_RAWGRAB_H
#define CERTSWEEP_RAWGRAB_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/record.h"

struct rawgrab;

enum raw_rc {
	RAW_MORE,		/* send/feed more */
	RAW_DONE,		/* the chain is in: rawgrab_result() */
	RAW_FALLBACK,		/* the server refused our TLS 1.2 hello */
	RAW_FAIL,		/* not TLS, or broken TLS: rawgrab_failure() */
};

/*
 * A grab for one connection.  sni may be NULL; alpn is a comma-separated
 * list or NULL; seed makes the hello's random field.
 */
struct rawgrab	*rawgrab_new(const char *sni, const char *alpn, uint64_t seed);
void		 rawgrab_free(struct rawgrab *);

/* The ClientHello to send (borrowed; valid until rawgrab_free). */
const uint8_t	*rawgrab_hello(const struct rawgrab *, size_t *len);

/* Server bytes, split anywhere. */
enum raw_rc	 rawgrab_input(struct rawgrab *, const uint8_t *, size_t);

/* The server closed the connection before RAW_DONE: what that means. */
enum raw_rc	 rawgrab_eof(struct rawgrab *);

/* After RAW_DONE: moves version, cipher, group, ALPN, the chain and any
 * OCSP staple into obs. */
void		 rawgrab_result(struct rawgrab *, struct observation *obs);

/* After RAW_FAIL or RAW_FALLBACK: the status and a reason for people. */
enum scan_status rawgrab_failure(const struct rawgrab *, char *reason,
		    size_t len);

#endif /* CERTSWEEP_RAWGRAB_H */
