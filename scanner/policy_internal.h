/*
 * policy_internal.h: the policy's settings, shared by policy.c (defaults,
 * INI loading) and policy_rules.c (the cert.* rules).  Nothing else may
 * include it.
 */
#ifndef CERTSWEEP_POLICY_INTERNAL_H
#define CERTSWEEP_POLICY_INTERNAL_H

#include "scanner/policy.h"

#define POLICY_MAX_HASHES	8
#define POLICY_MAX_ISSUERS	64

/* An approved or denied issuing CA: by DN (as cert.c prints it, RFC 2253)
 * or by the SHA-256 of its SubjectPublicKeyInfo. */
struct issuer_entry {
	bool		 by_spki;
	char		*dn;
	uint8_t		 spki[32];
};

struct policy {
	int		 warn_days;		/* cert.expiring window */
	int		 critical_days;		/* ... at critical_severity */
	enum severity	 critical_severity;
	int		 min_rsa_bits;
	int		 min_ec_bits;
	bool		 dsa_weak;
	char		 weak_hashes[POLICY_MAX_HASHES][16];	/* "md5" */
	size_t		 nweak_hashes;
	bool		 self_signed_ca_sigs;	/* judge sent roots' sigs */
	int		 max_validity_days;
	int64_t		 long_validity_since;	/* notBefore from this on */
	struct issuer_entry allow[POLICY_MAX_ISSUERS];
	size_t		 nallow;
	struct issuer_entry deny[POLICY_MAX_ISSUERS];
	size_t		 ndeny;
	enum severity	 severity[RULE__MAX];
	bool		 disabled[RULE__MAX];
};

/* Appends one finding with an explicit severity (cert.expiring's two). */
void	policy_add(struct observation *, const struct policy *, enum rule,
	    enum severity, int depth, const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));

#endif /* CERTSWEEP_POLICY_INTERNAL_H */
