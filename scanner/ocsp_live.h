/*
 * ocsp_live.h: live OCSP queries (--ocsp).  For a leaf with an AIA OCSP
 * URL and an issuer at hand, POST an OCSP request to the responder over
 * plain HTTP and hand back its DER answer; verify.c judges it like a
 * stapled one.
 *
 * Opt-in and blocking: the query runs in the analysing worker thread, so
 * every new (issuer, serial) costs one round trip of up to the timeout.
 * Answers, and failures, are cached per (issuer, serial) for the run, so
 * a certificate on many endpoints is asked about once; threads asking
 * for a certificate already being asked about wait for that answer.
 *
 * Network: http:// URLs only (the OCSP norm, and no TLS-in-TLS loops),
 * no redirects at all, no proxy from the environment, 64 KiB at most.
 */
#ifndef CERTSWEEP_OCSP_LIVE_H
#define CERTSWEEP_OCSP_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/record.h"

struct verify_ctx;
struct ocsp_live;

#define OCSP_LIVE_MAX_TIMEOUT	3	/* seconds, whatever --timeout says */

/* timeout: seconds per query, clamped to 1..OCSP_LIVE_MAX_TIMEOUT. */
struct ocsp_live *ocsp_live_new(double timeout);
void	ocsp_live_free(struct ocsp_live *);

/*
 * The responder's answer about chain[0] (its issuer: chain[1], else from
 * vctx's pool or store).  Returns 0 with *der (xmalloc'd, the caller
 * frees it) and *len, or -1 with err saying why (no OCSP URL, not http,
 * no issuer, the network, the HTTP answer).
 */
int	ocsp_live_query(struct ocsp_live *, const struct verify_ctx *,
	    const struct cert_record *chain, size_t n, uint8_t **der,
	    size_t *len, char *err, size_t errlen);

/*
 * First http:// URL of an AIA list as cert.c writes it ("u1,u2", commas
 * inside a URL escaped as \x2c), into out; -1 when there is none.
 */
int	ocsp_live_pick_url(const char *urls, char *out, size_t outlen);

#endif /* CERTSWEEP_OCSP_LIVE_H */
