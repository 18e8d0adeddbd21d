/*
 * inspect.h: offline analysis of files (certsweep inspect).  Reads a
 * certificate or chain (PEM or DER), a PKCS#12 bundle, or a PKCS#10 CSR
 * into a struct observation (source OBS_FILE, protocol "file") that
 * policy_evaluate() and the report writers take like any other.  A private
 * key, in the file or given apart, is only compared with the leaf's public
 * key: never kept, stored or printed.
 */
#ifndef CERTSWEEP_INSPECT_H
#define CERTSWEEP_INSPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "scanner/record.h"

struct policy;

enum inspect_kind {
	INSPECT_CERTS,		/* certificate or chain, leaf first */
	INSPECT_PKCS12,
	INSPECT_CSR,
	INSPECT__MAX
};

/* What inspect_file() found besides the observation. */
struct inspect_info {
	enum inspect_kind kind;
	bool		 key_checked;	/* a private key was compared */
	bool		 key_matches;	/* ... and it is the leaf's */
	size_t		 dropped;	/* certificates past CHAIN_MAX */
};

struct inspect_opts {
	const char	*password_env;	/* name of the environment variable
					   holding the PKCS#12 / key password */
	const char	*key_path;	/* private key to check, or NULL */
	const char	*host;		/* name the leaf should cover */
	const struct policy *policy;	/* severities of CSR and key findings;
					   NULL = the default policy */
	struct inspect_info *info;	/* filled when not NULL */
};

/* Largest file read (a 10000-SAN chain is 280 KB). */
#define INSPECT_MAX_FILE	(16u * 1024 * 1024)

/*
 * Reads path into *out (zeroed first; free with observation_clear()).
 * CSR problems (weak key or signature, no SAN, CN not among the SANs) and
 * a key that does not belong to the leaf become findings (csr.names,
 * cert.weak_key, cert.weak_signature, cert.key_mismatch); the certificate
 * rules are policy_evaluate()'s job.  Returns 0, or -1 with err saying
 * what is wrong with the file (unreadable, truncated, not a certificate,
 * wrong password, ...).
 */
int	inspect_file(const char *path, const struct inspect_opts *,
	    struct observation *out, char *err, size_t errlen);

#endif /* CERTSWEEP_INSPECT_H */
