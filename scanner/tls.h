/*
 * tls.h: the OpenSSL side of a scan.  One SSL_CTX per run, shared by every
 * connection.  The handshake accepts any chain (invalid, expired and
 * self-signed chains are recorded, never rejected); the chain is verified
 * afterwards by the analysis, not during the handshake.
 */
#ifndef CERTSWEEP_TLS_H
#define CERTSWEEP_TLS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "scanner/config.h"
#include "scanner/record.h"

/* The shared client context: legacy protocols allowed, no verification
 * (the analysis judges the chain), ALPN.  NULL with err set on failure. */
SSL_CTX	*tls_ctx_new(const struct config *, char *err, size_t errlen);
/* What tls_ctx_new() would refuse in the options (--alpn): -1 with err. */
int	 tls_ctx_check(const struct config *, char *err, size_t errlen);

/* A client SSL on fd (borrowed) sending sni (may be NULL) and asking for
 * a stapled OCSP response.  NULL on failure. */
SSL	*tls_new(SSL_CTX *, int fd, const char *sni);

/*
 * After SSL_do_handshake() returned ret <= 0 with an error other than
 * WANT_READ/WANT_WRITE: the status and a reason a person understands.
 * Drains the OpenSSL error queue.
 */
enum scan_status tls_classify(SSL *, int ret, int saved_errno, char *reason,
	    size_t len);

/* After a successful handshake: version, cipher, group, ALPN, the chain as
 * the server sent it, the stapled OCSP response (obs->ocsp_staple) and the
 * verification result, into obs. */
void	tls_collect(SSL *, struct observation *obs);

#endif /* CERTSWEEP_TLS_H */
