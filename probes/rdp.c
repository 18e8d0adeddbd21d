/*
 * rdp.c: RDP security negotiation ([MS-RDPBCGR] 2.2.1.1, 2.2.1.2) on port
 * 3389.  TLS (and CredSSP, which runs inside TLS) starts right after the
 * X.224 Connection Confirm.
 *
 *   C: TPKT + X.224 Connection Request + RDP_NEG_REQ (SSL | HYBRID)
 *   S: TPKT + X.224 Connection Confirm + RDP_NEG_RSP (selected protocol)
 *      or RDP_NEG_FAILURE (failure code), or no negotiation data at all
 *      (a server that speaks only standard RDP security)
 *
 * Hazards handled:
 *  [TPKT-LEN]  the TPKT length is bounded (RDP_PKT_MAX) and must cover the
 *              X.224 header; the length indicator must fit inside it.
 */
#include "probes/probe.h"

#include <string.h>

#include "probes/line.h"
#include "probes/pkt.h"
#include "scanner/log.h"

#define RDP_PKT_MAX		512
#define RDP_NEG_RSP		0x02
#define RDP_NEG_FAILURE		0x03
#define PROTOCOL_RDP		0x0
#define PROTOCOL_SSL		0x1
#define PROTOCOL_HYBRID		0x2
#define PROTOCOL_HYBRID_EX	0x8

enum rdp_phase {
	RDP_CONFIRM,
	RDP__MAX
};

static const char *const rdp_phase_names[] = {
	[RDP_CONFIRM] = "confirm",
};
_Static_assert(sizeof(rdp_phase_names) / sizeof(rdp_phase_names[0]) ==
    RDP__MAX, "every RDP phase has a name");

struct rdp {
	enum rdp_phase	 phase;
	size_t		 have;
	size_t		 need;		/* TPKT length once the header is in */
	uint8_t		 pkt[RDP_PKT_MAX];
};

/* TPKT(19) + X.224 CR (LI 14, no cookie) + RDP_NEG_REQ(SSL|HYBRID). */
static const uint8_t rdp_request[] = {
	0x03, 0x00, 0x00, 0x13,
	0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00,
};

static const char *const rdp_failures[] = {
	[1] = "SSL_REQUIRED_BY_SERVER",
	[2] = "SSL_NOT_ALLOWED_BY_SERVER",
	[3] = "SSL_CERT_NOT_ON_SERVER",
	[4] = "INCONSISTENT_FLAGS",
	[5] = "HYBRID_REQUIRED_BY_SERVER",
	[6] = "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER",
};

static void
rdp_set_state(struct rdp *st, enum rdp_phase next)
{
	log_debug("rdp: %s -> %s", rdp_phase_names[st->phase],
	    rdp_phase_names[next]);
	st->phase = next;
}

static enum probe_rc
rdp_start(struct probe_ctx *ctx, void *state)
{
	rdp_set_state(state, RDP_CONFIRM);
	probe_send(ctx, rdp_request, sizeof(rdp_request));
	return PROBE_MORE;
}

static enum probe_rc
rdp_selected(struct probe_ctx *ctx, uint32_t proto)
{
	switch (proto) {
	case PROTOCOL_SSL:
		probe_note(ctx, "rdp-security", "ssl");
		return PROBE_START_TLS;
	case PROTOCOL_HYBRID:
		probe_note(ctx, "rdp-security", "hybrid");
		return PROBE_START_TLS;
	case PROTOCOL_HYBRID_EX:
		probe_note(ctx, "rdp-security", "hybrid-ex");
		return PROBE_START_TLS;
	case PROTOCOL_RDP:
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "RDP server selected standard RDP security (no TLS)");
	}
	return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
	    "RDP server selected protocol 0x%x, which we did not offer",
	    proto);
}

/* The whole TPKT in st->pkt, st->need bytes. */
static enum probe_rc
rdp_confirm(struct probe_ctx *ctx, const struct rdp *st)
{
	const uint8_t *p = st->pkt, *neg;
	size_t n = st->need;
	uint32_t val;

	if ((p[5] & 0xf0) == 0x80)
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "RDP server sent X.224 Disconnect Request");
	if ((p[5] & 0xf0) != 0xd0 || p[4] < 6 || 5 + (size_t)p[4] > n)
		return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
		    "not an X.224 Connection Confirm (type 0x%02x)", p[5]);
	if (p[4] < 14 || n < 19)
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "RDP server offers only standard RDP security (no "
		    "negotiation, no TLS)");
	neg = p + 11;
	val = neg[4] | (uint32_t)neg[5] << 8 | (uint32_t)neg[6] << 16 |
	    (uint32_t)neg[7] << 24;
	if (neg[0] == RDP_NEG_RSP)
		return rdp_selected(ctx, val);
	if (neg[0] == RDP_NEG_FAILURE)
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "RDP negotiation failure: %s (%u)",
		    val < sizeof(rdp_failures) / sizeof(rdp_failures[0]) &&
		    rdp_failures[val] != NULL ? rdp_failures[val] : "unknown",
		    val);
	return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
	    "RDP negotiation data of unknown type 0x%02x", neg[0]);
}

static enum probe_rc
rdp_header(struct probe_ctx *ctx, struct rdp *st)
{
	size_t n = (size_t)st->pkt[2] << 8 | st->pkt[3];
	const char *what = line_guess(st->pkt, 4);

	if (st->pkt[0] != 0x03 || st->pkt[1] != 0x00) {
		if (what != NULL)
			return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
			    "server sent %s, not RDP", what);
		return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
		    "not RDP: no TPKT header (%02x %02x %02x %02x)",
		    st->pkt[0], st->pkt[1], st->pkt[2], st->pkt[3]);
	}
	if (n < 11 || n > RDP_PKT_MAX)		/* [TPKT-LEN] */
		return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
		    "RDP TPKT of bad length %zu", n);
	st->need = n;
	return PROBE_MORE;
}

static enum probe_rc
rdp_input(struct probe_ctx *ctx, void *state, const uint8_t *buf,
    size_t len, size_t *used)
{
	struct rdp *st = state;
	enum probe_rc rc;
	size_t off = 0;

	for (;;) {
		switch (pkt_collect(st->pkt, 4, &st->have, st->need, buf, len,
		    &off)) {
		case PKT_HEADER:
			if ((rc = rdp_header(ctx, st)) != PROBE_MORE) {
				*used = off;
				return rc;
			}
			break;
		case PKT_WHOLE:
			*used = off;
			return rdp_confirm(ctx, st);
		case PKT_MORE:
		default:
			*used = len;
			return PROBE_MORE;
		}
	}
}

const struct probe probe_rdp = {
	.name = "rdp",
	.port = 3389,
	.state_size = sizeof(struct rdp),
	.start = rdp_start,
	.input = rdp_input,
};
