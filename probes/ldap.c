/*
 * ldap.c: LDAP StartTLS (RFC 4511 §4.14) on port 389 (and 3268).
 *
 *   C: ExtendedRequest messageID 1, requestName 1.3.6.1.4.1.1466.20037
 *   S: ExtendedResponse messageID 1, resultCode 0        -> TLS
 *
 * The response is collected whole (bounded by LDAP_MSG_MAX) and parsed
 * with a tiny BER reader: definite lengths only, single-byte tags.
 *
 * Hazards handled:
 *  [BER-INDEF-LEN]    indefinite length (0x80) is not allowed in LDAP
 *                     (RFC 4511 §5.1): rejected.
 *  [BER-LEN-OVERFLOW] long-form lengths of more than 4 bytes, or beyond
 *                     the enclosing element, are rejected before use.
 *  [BER-MSG-UNBOUNDED] a message longer than LDAP_MSG_MAX is an error, not
 *                     an allocation.
 */
#include "probes/probe.h"

#include <string.h>

#include "probes/line.h"
#include "scanner/log.h"

#define LDAP_MSG_MAX	8192

enum ldap_phase {
	LDAP_RESPONSE,
	LDAP__MAX
};

static const char *const ldap_phase_names[] = {
	[LDAP_RESPONSE] = "response",
};
_Static_assert(sizeof(ldap_phase_names) / sizeof(ldap_phase_names[0]) ==
    LDAP__MAX, "every LDAP phase has a name");

struct ldap {
	enum ldap_phase	 phase;
	size_t		 have;
	size_t		 need;		/* whole message, 0 until known */
	uint8_t		 msg[LDAP_MSG_MAX];
};

/* LDAPMessage { 1, [APPLICATION 23] { [0] "1.3.6.1.4.1.1466.20037" } } */
static const uint8_t ldap_starttls[] = {
	0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16,
	'1', '.', '3', '.', '6', '.', '1', '.', '4', '.', '1', '.',
	'1', '4', '6', '6', '.', '2', '0', '0', '3', '7',
};

static const struct {
	int		 code;
	const char	*name;
} ldap_results[] = {
	{ 1, "operationsError" },
	{ 2, "protocolError" },
	{ 3, "timeLimitExceeded" },
	{ 7, "authMethodNotSupported" },
	{ 8, "strongerAuthRequired" },
	{ 11, "adminLimitExceeded" },
	{ 12, "unavailableCriticalExtension" },
	{ 13, "confidentialityRequired" },
	{ 48, "inappropriateAuthentication" },
	{ 50, "insufficientAccessRights" },
	{ 51, "busy" },
	{ 52, "unavailable" },
	{ 53, "unwillingToPerform" },
	{ 80, "other" },
};

static const char *
ldap_result_name(long code)
{
	for (size_t i = 0; i < sizeof(ldap_results) / sizeof(ldap_results[0]);
	    i++)
		if (ldap_results[i].code == code)
			return ldap_results[i].name;
	return "unknown";
}

static void
ldap_set_state(struct ldap *st, enum ldap_phase next)
{
	log_debug("ldap: %s -> %s", ldap_phase_names[st->phase],
	    ldap_phase_names[next]);
	st->phase = next;
}

static enum probe_rc
ldap_start(struct probe_ctx *ctx, void *state)
{
	ldap_set_state(state, LDAP_RESPONSE);
	probe_send(ctx, ldap_starttls, sizeof(ldap_starttls));
	return PROBE_MORE;
}

/*
 * The header of the element at b (n bytes available): 1 with *hdr and
 * *len set, 0 if more bytes are needed, -1 if it is not acceptable BER.
 */
static int
ber_header(const uint8_t *b, size_t n, size_t *hdr, size_t *len)
{
	size_t k;

	if (n >= 1 && (b[0] & 0x1f) == 0x1f)
		return -1;		/* multi-byte tag: not in LDAP */
	if (n < 2)
		return 0;
	if (b[1] < 0x80) {
		*hdr = 2;
		*len = b[1];
		return 1;
	}
	k = b[1] & 0x7f;
	if (k == 0 || k > 4)		/* [BER-INDEF-LEN] [BER-LEN-OVERFLOW] */
		return -1;
	if (n < 2 + k)
		return 0;
	*len = 0;
	for (size_t i = 0; i < k; i++)
		*len = (*len << 8) | b[2 + i];
	*hdr = 2 + k;
	return 1;
}

struct ber {
	const uint8_t	*p;
	size_t		 n;
};

/* The next element of cur: its tag and contents; -1 if malformed. */
static int
ber_next(struct ber *cur, uint8_t *tag, struct ber *val)
{
	size_t hdr, len;

	if (ber_header(cur->p, cur->n, &hdr, &len) != 1 ||
	    len > cur->n - hdr)		/* [BER-LEN-OVERFLOW] */
		return -1;
	*tag = cur->p[0];
	val->p = cur->p + hdr;
	val->n = len;
	cur->p += hdr + len;
	cur->n -= hdr + len;
	return 0;
}

/* INTEGER or ENUMERATED contents, 1 to 4 bytes, as a non-negative long. */
static int
ber_int(const struct ber *v, long *out)
{
	if (v->n < 1 || v->n > 4 || (v->p[0] & 0x80))
		return -1;
	*out = 0;
	for (size_t i = 0; i < v->n; i++)
		*out = (*out << 8) | v->p[i];
	return 0;
}

static enum probe_rc
ldap_malformed(struct probe_ctx *ctx, const char *what)
{
	return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
	    "malformed LDAP response: %s", what);
}

/* LDAPResult of an ExtendedResponse: resultCode, matchedDN, diagnostic. */
static enum probe_rc
ldap_result(struct probe_ctx *ctx, struct ber op, long msgid)
{
	char diag[PROBE_TEXT_MAX + 1];
	struct ber code, dn, msg;
	uint8_t t1, t2, t3;
	long rc;

	if (ber_next(&op, &t1, &code) < 0 || ber_next(&op, &t2, &dn) < 0 ||
	    ber_next(&op, &t3, &msg) < 0 || t1 != 0x0a || t2 != 0x04 ||
	    t3 != 0x04 || ber_int(&code, &rc) < 0)
		return ldap_malformed(ctx, "bad LDAPResult");
	line_clean(diag, sizeof(diag), msg.p, msg.n);
	if (msgid == 0)
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "LDAP server disconnects: %ld (%s) %s", rc,
		    ldap_result_name(rc), diag);
	if (rc != 0)
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "StartTLS refused: %ld (%s) %s", rc, ldap_result_name(rc),
		    diag);
	if (diag[0] != '\0')
		probe_note(ctx, "diagnostic", diag);
	return PROBE_START_TLS;
}

/* A whole LDAPMessage in st->msg. */
static enum probe_rc
ldap_message(struct probe_ctx *ctx, struct ldap *st)
{
	struct ber all = { st->msg, st->have }, msg, id, op;
	uint8_t tag;
	long msgid;

	if (ber_next(&all, &tag, &msg) < 0 || tag != 0x30)
		return ldap_malformed(ctx, "not a SEQUENCE");
	if (ber_next(&msg, &tag, &id) < 0 || tag != 0x02 ||
	    ber_int(&id, &msgid) < 0)
		return ldap_malformed(ctx, "bad messageID");
	if (ber_next(&msg, &tag, &op) < 0)
		return ldap_malformed(ctx, "no protocolOp");
	if (tag != 0x78)		/* [APPLICATION 24] ExtendedResponse */
		return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
		    "LDAP server answered StartTLS with operation tag 0x%02x",
		    tag);
	if (msgid != 0 && msgid != 1)
		return ldap_malformed(ctx, "messageID is not ours");
	return ldap_result(ctx, op, msgid);
}

static enum probe_rc
ldap_first_byte(struct probe_ctx *ctx, uint8_t c)
{
	const char *what = line_guess(&c, 1);

	if (what != NULL)
		return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
		    "server sent %s, not LDAP (implicit TLS port?)", what);
	return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
	    "not LDAP: first byte 0x%02x is not a BER SEQUENCE", c);
}

static enum probe_rc
ldap_input(struct probe_ctx *ctx, void *state, const uint8_t *buf,
    size_t len, size_t *used)
{
	struct ldap *st = state;
	size_t off = 0, hdr, n;
	int r;

	while (off < len) {
		if (st->need == 0) {
			if (st->have == 0 && buf[off] != 0x30)
				return ldap_first_byte(ctx, buf[off]);
			st->msg[st->have++] = buf[off++];
			if ((r = ber_header(st->msg, st->have, &hdr, &n)) < 0)
				return ldap_malformed(ctx, "bad BER length");
			if (r == 0)
				continue;
			/* [BER-MSG-UNBOUNDED] */
			if (n > LDAP_MSG_MAX - hdr)
				return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
				    "LDAP response longer than %d bytes",
				    LDAP_MSG_MAX);
			st->need = hdr + n;
		} else {
			n = st->need - st->have;
			if (n > len - off)
				n = len - off;
			memcpy(st->msg + st->have, buf + off, n);
			st->have += n;
			off += n;
		}
		if (st->need != 0 && st->have == st->need) {
			*used = off;
			return ldap_message(ctx, st);
		}
	}
	*used = len;
	return PROBE_MORE;
}

const struct probe probe_ldap = {
	.name = "ldap",
	.port = 389,
	.state_size = sizeof(struct ldap),
	.start = ldap_start,
	.input = ldap_input,
};
