/*
 * pkt.h: one length-prefixed binary packet (a MySQL packet, an RDP TPKT)
 * collected from a stream split anywhere: first a fixed-size header, then,
 * once the caller has read the packet's total length from it, the rest.
 * Pure; the caller owns the buffer and bounds the length it accepts.
 */
#ifndef CERTSWEEP_PKT_H
#define CERTSWEEP_PKT_H

#include <stddef.h>
#include <stdint.h>

enum pkt_rc {
	PKT_MORE,	/* buf is used up: wait for more bytes */
	PKT_HEADER,	/* the hdrlen header bytes are in: set need */
	PKT_WHOLE,	/* need bytes (header included) are in */
};

/*
 * Copies from buf[*off..len) into pkt (*have bytes so far) and advances
 * *off.  need is 0 while the header is still coming, else the total length
 * (more than hdrlen, at most pkt's size).
 */
enum pkt_rc	pkt_collect(uint8_t *pkt, size_t hdrlen, size_t *have,
		    size_t need, const uint8_t *buf, size_t len, size_t *off);

#endif /* CERTSWEEP_PKT_H */
