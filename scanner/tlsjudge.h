/*
 * tlsjudge.h: findings and the Mozilla server-side TLS profile from the
 * results of --enum (obs->tlsenum, scanner/tlsenum.h).
 */
#ifndef CERTSWEEP_TLSJUDGE_H
#define CERTSWEEP_TLSJUDGE_H

#include "scanner/policy.h"
#include "scanner/record.h"

/*
 * Adds the tls.* findings (tls.sslv2, tls.sslv3, tls.tls10, tls.tls11,
 * tls.weak_cipher, tls.no_forward_secrecy, tls.weak_dh,
 * tls.no_secure_renegotiation, tls.compression) through the policy, and
 * fills obs->tlsenum->profile / profile_reasons: the strictest Mozilla
 * profile (v5.7: modern, intermediate, old, else none) the endpoint
 * meets and why it misses the next stricter one.  No-op without
 * obs->tlsenum or when no version answered.  Thread-safe.
 */
void	tlsjudge_evaluate(const struct policy *, struct observation *);

#endif /* CERTSWEEP_TLSJUDGE_H */
