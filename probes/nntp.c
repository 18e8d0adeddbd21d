/*
 * nntp.c: NNTP STARTTLS (RFC 4642, capabilities RFC 3977 §5.2) on port 119.
 *
 *   S: 200 or 201 greeting                  C: CAPABILITIES
 *   S: 101 list / STARTTLS / ... / .        C: STARTTLS
 *   S: 382 go ahead                         -> TLS
 *
 * A server that does not know CAPABILITIES still gets STARTTLS, so its
 * refusal is in its own words.
 */
#include "probes/probe.h"

#include <string.h>

#include "probes/line.h"
#include "scanner/log.h"

enum nntp_phase {
	NNTP_GREETING,
	NNTP_CAPABILITIES,
	NNTP_CAPA_LIST,
	NNTP_STARTTLS,
	NNTP__MAX
};

static const char *const nntp_phase_names[] = {
	[NNTP_GREETING] = "greeting",
	[NNTP_CAPABILITIES] = "capabilities",
	[NNTP_CAPA_LIST] = "capa-list",
	[NNTP_STARTTLS] = "starttls",
};
_Static_assert(sizeof(nntp_phase_names) / sizeof(nntp_phase_names[0]) ==
    NNTP__MAX, "every NNTP phase has a name");

struct nntp {
	enum nntp_phase	 phase;
	bool		 has_starttls;
	char		 caps[PROBE_TEXT_MAX + 1];
	struct line_reply reply;
	struct line_reader lr;
};

static void
nntp_set_state(struct nntp *st, enum nntp_phase next)
{
	log_debug("nntp: %s -> %s", nntp_phase_names[st->phase],
	    nntp_phase_names[next]);
	st->phase = next;
}

static enum probe_rc
nntp_starttls(struct probe_ctx *ctx, struct nntp *st)
{
	probe_sendf(ctx, "STARTTLS\r\n");
	nntp_set_state(st, NNTP_STARTTLS);
	return PROBE_MORE;
}

/* One line of the capability list, or its "." end. */
static enum probe_rc
nntp_capa_line(struct probe_ctx *ctx, struct nntp *st, const char *line)
{
	if (strcmp(line, ".") != 0) {
		if (line_cap_add(st->caps, sizeof(st->caps), line, "STARTTLS"))
			st->has_starttls = true;
		return PROBE_MORE;
	}
	probe_note(ctx, "capabilities", st->caps);
	if (!st->has_starttls)
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "no STARTTLS in NNTP capabilities: %s", st->caps);
	return nntp_starttls(ctx, st);
}

static enum probe_rc
nntp_reply(struct probe_ctx *ctx, struct nntp *st)
{
	int code = st->reply.code;

	switch (st->phase) {
	case NNTP_GREETING:
		if (code != 200 && code != 201)
			return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
			    "NNTP greeting: %d %s", code, st->reply.text);
		probe_sendf(ctx, "CAPABILITIES\r\n");
		nntp_set_state(st, NNTP_CAPABILITIES);
		return PROBE_MORE;
	case NNTP_CAPABILITIES:
		if (code != 101)
			return nntp_starttls(ctx, st);
		nntp_set_state(st, NNTP_CAPA_LIST);
		return PROBE_MORE;
	case NNTP_STARTTLS:
		if (code != 382)
			return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
			    "STARTTLS rejected: %d %s", code, st->reply.text);
		return PROBE_START_TLS;
	case NNTP_CAPA_LIST:
	case NNTP__MAX:
		break;
	}
	return probe_fail(ctx, SCAN_INTERNAL_ERROR, "nntp: bad phase");
}

static enum probe_rc
nntp_line(struct probe_ctx *ctx, void *state, const char *line, size_t len)
{
	struct nntp *st = state;
	char banner[PROBE_TEXT_MAX + 1];

	if (st->phase == NNTP_CAPA_LIST)
		return nntp_capa_line(ctx, st, line);
	/* NNTP status lines are single lines: "ddd-" is not a reply. */
	if (line_reply_add(&st->reply, line, len, false) != LINE_REPLY_DONE)
		return line_unexpected(ctx, "NNTP", line, len);
	if (st->phase == NNTP_GREETING) {
		line_clean(banner, sizeof(banner), line, len);
		probe_note(ctx, "banner", banner);
	}
	return nntp_reply(ctx, st);
}

static const struct line_proto nntp_proto = {
	.name = "NNTP",
	.fn = nntp_line,
};

static enum probe_rc
nntp_input(struct probe_ctx *ctx, void *state, const uint8_t *buf,
    size_t len, size_t *used)
{
	struct nntp *st = state;

	return line_input(&st->lr, &nntp_proto, ctx, st, buf, len, used);
}

const struct probe probe_nntp = {
	.name = "nntp",
	.port = 119,
	.state_size = sizeof(struct nntp),
	.input = nntp_input,
};
