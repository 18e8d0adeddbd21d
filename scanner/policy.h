/*
 * policy.h: the finding rules of DESIGN.md §6, their default severities,
 * and a policy (INI file, samples/policy.ini) that tunes thresholds,
 * severities and which rules run.  policy_evaluate() turns one
 * observation's chain into struct finding entries; the rules that need
 * history (cert.changed, cert.shared_key) and the tls.* / starttls.* rules
 * are added by their owners through policy_finding_add(), so every finding
 * gets its severity from the same place.
 */
#ifndef CERTSWEEP_POLICY_H
#define CERTSWEEP_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/record.h"

struct verify_ctx;

/* Every rule id; names and default severities in policy.c's one table. */
enum rule {
	RULE_CERT_EXPIRED,
	RULE_CERT_EXPIRING,
	RULE_CERT_NOT_YET_VALID,
	RULE_CERT_SELF_SIGNED,
	RULE_CERT_UNTRUSTED,
	RULE_CERT_INCOMPLETE_CHAIN,
	RULE_CERT_HOSTNAME_MISMATCH,
	RULE_CERT_WEAK_KEY,
	RULE_CERT_WEAK_SIGNATURE,
	RULE_CERT_LONG_VALIDITY,
	RULE_CERT_REVOKED,
	RULE_CERT_UNAUTHORIZED_ISSUER,
	RULE_CERT_CHANGED,
	RULE_CERT_SHARED_KEY,
	RULE_CERT_NOT_SERVER_AUTH,
	RULE_CERT_KEY_MISMATCH,		/* inspect: key does not fit */
	RULE_CSR_NAMES,			/* inspect: CSR without usable SAN */
	RULE_TLS_SSLV2,
	RULE_TLS_SSLV3,
	RULE_TLS_TLS10,
	RULE_TLS_TLS11,
	RULE_TLS_WEAK_CIPHER,
	RULE_TLS_NO_FORWARD_SECRECY,
	RULE_TLS_WEAK_DH,
	RULE_TLS_NO_SECURE_RENEGOTIATION,
	RULE_TLS_COMPRESSION,
	RULE_STARTTLS_INJECTION,
	RULE__MAX
};

/* "cert.expired", ...: static strings, the ones findings point to. */
const char	*rule_name(enum rule);
/* Inverse of rule_name(); -1 when unknown. */
int		 rule_from_name(const char *);
enum severity	 rule_default_severity(enum rule);

struct policy;

/* The built-in policy (the defaults samples/policy.ini documents). */
struct policy	*policy_new_default(void);
/*
 * Reads an INI policy over the current settings.  On error returns -1 and
 * err says "FILE:LINE: what" (or "FILE: cannot open"); the policy may then
 * be partly changed and should be freed.
 */
int		 policy_load(struct policy *, const char *path, char *err,
		    size_t errlen);
void		 policy_free(struct policy *);

/* For command-line overrides (--expiring-days). */
void		 policy_set_expiring_days(struct policy *, int warn_days);
enum severity	 policy_severity(const struct policy *, enum rule);
bool		 policy_rule_enabled(const struct policy *, enum rule);

/*
 * Appends a finding for rule (a rule id string) unless the policy disables
 * it, with the policy's severity; depth is the chain position, -1 for the
 * endpoint.  Returns 0 (also when disabled), -1 for an unknown rule.
 */
int		 policy_finding_add(struct observation *, const struct policy *,
		    const char *rule, int depth, const char *fmt, ...)
		    __attribute__((format(printf, 5, 6)));

/*
 * The key and signature rules alone, for what is not a certificate of a
 * chain (a CSR): key_type as in struct cert_record ("RSA", "EC", "DSA"),
 * digest the signature's hash ("sha1"), sig_alg for the detail.
 */
void		 policy_check_key(const struct policy *, struct observation *,
		    int depth, const char *key_type, int bits,
		    const char *curve);
void		 policy_check_signature(const struct policy *,
		    struct observation *, int depth, const char *sig_alg,
		    const char *digest);

/*
 * Runs every cert.* rule that needs no history on obs->chain, judged at
 * now (Unix seconds; 0 = wall clock; pass the capture time for passive
 * observations and --at when given).  vctx (may be NULL: no trust rules)
 * verifies the chain; its result also fills obs->verify_code and
 * obs->verify_reason.  The host checked is obs->sni, else obs->hostname,
 * else obs->ip.  Returns 0, or -1 when the chain could not be looked at
 * (a finding-free observation is 0).
 */
int		 policy_evaluate(const struct policy *,
		    const struct verify_ctx *vctx, struct observation *obs,
		    int64_t now);

/*
 * cert.revoked from an OCSP response (DER) about obs->chain[0]: the
 * stapled one, or the responder's answer when obs->ocsp_live is set (the
 * finding's detail says which); a stale or unverifiable response adds
 * nothing (it is not proof of anything), nor does one that repeats a CRL's
 * verdict.  The status and times go to obs->ocsp_*.  Returns 0, -1 when
 * der is not an OCSP response.
 */
int		 policy_evaluate_ocsp(const struct policy *,
		    const struct verify_ctx *, struct observation *,
		    const uint8_t *der, size_t len, int64_t now);

#endif /* CERTSWEEP_POLICY_H */
