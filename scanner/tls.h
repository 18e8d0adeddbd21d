/*
 * tls.h: the OpenSSL side of a scan.  One SSL_CTX per run, shared by every
 * connection.  The handshake accepts any chain (invalid, expired and
 * self-signed chains are recorded, never rejected); verification runs inside
 * the handshake through our own callback, which records the first error and
 * lets the handshake go on.
 */
#ifndef CERTSWEEP_TLS_H
#define CERTSWEEP_TLS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "scanner/config.h"
#include "scanner/record.h"

/* Verification outcome of one connection, filled during the handshake. */
struct tls_verify {
	long		 code;		/* X509_V_OK or the first X509_V_ERR_* */
	int		 depth;		/* chain depth of that error */
	int		 done;		/* the callback ran */
	const char	*host;		/* name to check the leaf against */
	int		 family;	/* else an address: AF_INET(6) */
	uint8_t		 ip[16];
};

/* The shared client context: trust store, legacy protocols allowed, ALPN.
 * NULL with err set when a CA file or directory cannot be loaded. */
SSL_CTX	*tls_ctx_new(const struct config *, char *err, size_t errlen);

/*
 * A client SSL on fd (borrowed) sending sni (may be NULL).  The leaf is
 * checked against host (a DNS name, borrowed, may be NULL) or else the
 * address ip of family, apart from the chain's verification.  vr is
 * borrowed and filled during the handshake.  NULL on failure.
 */
SSL	*tls_new(SSL_CTX *, int fd, const char *sni, const char *host,
	    int family, const uint8_t *ip, struct tls_verify *vr);

/*
 * After SSL_do_handshake() returned ret <= 0 with an error other than
 * WANT_READ/WANT_WRITE: the status and a reason a person understands.
 * Drains the OpenSSL error queue.
 */
enum scan_status tls_classify(SSL *, int ret, int saved_errno, char *reason,
	    size_t len);

/* Does leaf name what vr says (host, else address)?  1, 0, or -1 when
 * there is nothing to check. */
int8_t	tls_name_match(X509 *leaf, const struct tls_verify *vr);

/* After a successful handshake: version, cipher, group, ALPN, the chain as
 * the server sent it and the verification result, into obs. */
void	tls_collect(SSL *, const struct tls_verify *, struct observation *obs);

#endif /* CERTSWEEP_TLS_H */
