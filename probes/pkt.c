/* pkt.c: length-prefixed packet collection (pkt.h). */
#include "probes/pkt.h"

#include <string.h>

enum pkt_rc
pkt_collect(uint8_t *pkt, size_t hdrlen, size_t *have, size_t need,
    const uint8_t *buf, size_t len, size_t *off)
{
	size_t want = need != 0 ? need : hdrlen, n;

	n = want - *have;
	if (n > len - *off)
		n = len - *off;
	memcpy(pkt + *have, buf + *off, n);
	*have += n;
	*off += n;
	if (*have < want)
		return PKT_MORE;
	return need == 0 ? PKT_HEADER : PKT_WHOLE;
}
