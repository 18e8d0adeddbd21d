/*
 * fuzz_hostname.c: hostname_match() on arbitrary pattern/host pairs (both
 * can come off the wire: a SAN, a passive SNI).  Input: one length byte
 * for the pattern, the pattern, then the host.  Checks two properties as
 * well as memory safety: a name with a NUL never matches, and a name
 * without '*' matches itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/hostname.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	size_t		 plen;
	const char	*pat, *host;
	size_t		 hlen;

	if (len < 1)
		return 0;
	plen = data[0];
	if (plen > len - 1)
		plen = len - 1;
	pat = (const char *)data + 1;
	host = pat + plen;
	hlen = len - 1 - plen;
	if (hostname_match(pat, plen, host, hlen) &&
	    (memchr(pat, '\0', plen) != NULL ||
	    memchr(host, '\0', hlen) != NULL))
		abort();
	if (memchr(host, '*', hlen) == NULL && memchr(host, '\0', hlen) ==
	    NULL && !hostname_match(host, hlen, host, hlen))
		abort();
	return 0;
}
