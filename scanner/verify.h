/*
 * verify.h: chain verification against a trust store (OpenSSL
 * X509_STORE), CRL revocation and stapled OCSP responses.  Built once per
 * run from the options, then shared read-only by every thread.
 *
 * What "as sent" means: the chain is verified with only what the server
 * sent as untrusted certificates, never AIA fetching, never
 * X509_V_FLAG_PARTIAL_CHAIN (an intermediate is not an anchor).
 *
 * Incomplete chain: a server that forgets its intermediate works in
 * browsers (they fetch it through AIA or cache it) but fails in every
 * other client.  We call a chain incomplete when
 *   1. as sent it fails for a missing issuer (X509_V_ERR_UNABLE_TO_GET_
 *      ISSUER_CERT_LOCALLY or _UNABLE_TO_GET_ISSUER_CERT), and
 *   2. it verifies once the intermediate pool is added to the untrusted
 *      certificates.
 * The pool is every certificate of --ca-file that is not self-signed (so
 * intermediates in a CA bundle do not silently repair a broken chain: they
 * are kept out of the trusted store) plus every certificate of the
 * intermediate files.  Without a pool there is no way to tell an incomplete
 * chain from an unknown issuer, and the chain is simply untrusted.
 *
 * Time: everything is judged at one instant (X509_V_FLAG_USE_CHECK_TIME):
 * the call's time, else the options' at, else now.  Expiry, the host name
 * and revocation are recorded but do not stop verification, so trust_code
 * says whether the chain leads to an anchor regardless of dates: an
 * expired certificate from a trusted CA is cert.expired, not also
 * cert.untrusted.
 */
#ifndef CERTSWEEP_VERIFY_H
#define CERTSWEEP_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/record.h"

struct verify_opts {
	const char	*ca_file;	/* PEM bundle: roots trusted,
					   intermediates to the pool */
	const char	*ca_dir;	/* OpenSSL hashed directory */
	bool		 system_store;	/* OpenSSL's default paths */
	const char *const *crl_files;	/* PEM or DER CRLs, --crl */
	size_t		 ncrl_files;
	const char *const *pool_files;	/* extra intermediates (PEM) */
	size_t		 npool_files;
	int64_t		 at;		/* Unix seconds; 0 = now */
};

struct verify_ctx;

struct verify_result {
	long		 code;		/* first error a strict client meets
					   (missing or stale CRLs aside: see
					   crl_missing), X509_V_OK (0) */
	int		 depth;		/* chain position of code, -1 */
	char		 reason[128];	/* X509_verify_cert_error_string */
	long		 trust_code;	/* first error that is not about time,
					   the host name or revocation */
	int		 trust_depth;
	bool		 incomplete_chain;	/* see above */
	bool		 revoked;	/* a CRL lists a certificate */
	int		 revoked_depth;
	bool		 crl_missing;	/* CRLs given, one certificate had
					   none (revocation unknown there) */
	bool		 name_mismatch;	/* the host given does not match */
	size_t		 path_len;	/* certificates in the built path,
					   anchor included */
	bool		 has_issuer_spki;
	uint8_t		 issuer_spki_sha256[32];	/* leaf's issuing CA as
							   built, if found */
	char		 anchor[256];	/* trust anchor's subject, "" */
};

/* Builds the store; on failure names the file in err and returns NULL. */
struct verify_ctx *verify_ctx_new(const struct verify_opts *, char *err,
	    size_t errlen);
void	verify_ctx_free(struct verify_ctx *);
/* Were CRLs loaded (so revocation is being checked)? */
bool	verify_ctx_has_crls(const struct verify_ctx *);
/* The options' at, 0 when none. */
int64_t	verify_ctx_at(const struct verify_ctx *);

/*
 * Verifies chain[0..n) (leaf first, as sent) at time at (0: the options'
 * at, else now).  host (may be NULL or "") is checked too, an IP literal
 * as an address.  Returns 0 with *res filled, or -1 when the chain cannot
 * be verified at all (empty, a certificate that does not parse); then
 * res->reason says why.
 */
int	verify_chain(const struct verify_ctx *, const struct cert_record *chain,
	    size_t n, const char *host, int64_t at, struct verify_result *res);

/*
 * The leaf's issuer, for an OCSP request: a certificate the server sent
 * (chain[1..n)), else one of the pool, else of the trust store.  A new
 * reference (X509_free() it), or NULL when none is at hand.
 */
struct x509_st	*verify_leaf_issuer(const struct verify_ctx *,
		    const struct cert_record *chain, size_t n);

/*
 * verify_chain()'s shortcut on its own: decides by names alone, without
 * decoding any certificate, that no issuer can be found for the chain
 * (X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, what OpenSSL reports for
 * a private CA), filling *res exactly as the full path would.  Returns 0
 * then, -1 when it cannot be sure (the full path decides).  Only records
 * from cert_record_from_der_lite() without fallback (x509 NULL) qualify.
 */
int	verify_chain_names(const struct verify_ctx *,
	    const struct cert_record *chain, size_t n,
	    struct verify_result *res);

enum ocsp_status {
	OCSP_GOOD,
	OCSP_REVOKED,
	OCSP_UNKNOWN,		/* the responder does not know the cert */
	OCSP_INVALID,		/* unusable response: bad signature, wrong
				   certificate, not successful */
	OCSP__MAX
};

/* "good", "revoked", "unknown", "invalid". */
const char	*ocsp_status_name(enum ocsp_status);

struct ocsp_result {
	enum ocsp_status status;
	int64_t		 this_update;
	int64_t		 next_update;	/* 0 when the responder gave none */
	int64_t		 revoked_at;	/* OCSP_REVOKED only */
	bool		 fresh;		/* this_update <= at (5 min slack) and
					   at <= next_update */
	char		 reason[128];
};

/*
 * Checks a stapled OCSP response (DER) for chain[0]: it must be signed by
 * the leaf's issuer (chain[1], or found in the store or pool) or by a
 * responder that issuer delegated to (id-kp-OCSPSigning), judged at at.
 * Returns 0 with *res filled (status OCSP_INVALID for a response that
 * parses but cannot be trusted), -1 when der is not an OCSP response.
 */
int	verify_ocsp_response(const struct verify_ctx *, const uint8_t *der,
	    size_t len, const struct cert_record *chain, size_t n, int64_t at,
	    struct ocsp_result *res);

#endif /* CERTSWEEP_VERIFY_H */
