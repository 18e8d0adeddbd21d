/*
 * hostname.h: does a certificate name a host?  Our own RFC 6125 matcher
 * (rather than only X509_check_host) so a finding can say which names were
 * tried and why none fitted.
 *
 * Rules (checked against every row of Zeek's x509_check_hostname table,
 * tests/unit/test_hostname.c):
 *  - comparison is ASCII case-insensitive; one trailing dot on either side
 *    is ignored ("www.example." is "www.example");
 *  - a NUL byte anywhere in the pattern or the host never matches (the
 *    "www.example\0.evil" certificate trick);
 *  - at most one '*', only in the left-most label, and at least two labels
 *    after it: "*", "*.org" and "*.*.example" match nothing.  There is no
 *    public-suffix list, so "*.co.uk" is accepted: the CA/B rules forbid
 *    issuing it, and a scanner should still say what the certificate
 *    covers;
 *  - partial-label wildcards ("ww*.example.org", "f*o.example") are
 *    accepted as RFC 6125 §6.4.3 and Zeek do; '*' stands for one or more
 *    characters and never for a dot;
 *  - IDN: a wildcard inside an A-label pattern ("xn--*.example") matches
 *    nothing, and a partial wildcard never matches an A-label host label
 *    (it could stand for part of the punycode).  A whole-label '*' covers
 *    any one label, A-labels included, as browsers do;
 *  - a host that contains '*' matches nothing.
 */
#ifndef CERTSWEEP_HOSTNAME_H
#define CERTSWEEP_HOSTNAME_H

#include <stdbool.h>
#include <stddef.h>

#include "scanner/record.h"

/*
 * Does the certificate name pattern[0..patlen) cover host[0..hostlen)?
 * Both are counted, not NUL-terminated, because either may come off the
 * wire (a SAN, a passive SNI) with an embedded NUL.  Two empty names are
 * equal (Zeek's table says so); hostname_check_cert() never asks that.
 */
bool	hostname_match(const char *pattern, size_t patlen, const char *host,
	    size_t hostlen);

/* Is s an IPv4 or IPv6 literal?  out (16 bytes) gets the address and *len
 * 4 or 16 when not NULL. */
bool	hostname_is_ip(const char *s, unsigned char *out, size_t *len);

/*
 * Checks host_or_ip against the certificate rec->der: an IP literal
 * against the IP SANs only; a name against the DNS SANs when there is at
 * least one, else against every subject CN.  Returns 1 when it matches,
 * 0 when not, -1 when it cannot tell (empty host, unparsable certificate).
 * why (when not NULL) says which name matched or which names were tried.
 */
int	hostname_check_cert(const struct cert_record *rec,
	    const char *host_or_ip, char *why, size_t whylen);

#endif /* CERTSWEEP_HOSTNAME_H */
