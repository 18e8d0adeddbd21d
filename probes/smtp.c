/*
 * smtp.c: SMTP STARTTLS (RFC 3207) on ports 25 and 587.
 *
 *   S: 220 greeting (may be multi-line)     C: EHLO name
 *   S: 250-... capabilities, one STARTTLS   C: STARTTLS
 *   S: 220 go ahead                         -> TLS
 *
 * A server that rejects EHLO with 5xx gets HELO and then STARTTLS anyway,
 * so its refusal is in its own words.  Lines come from probes/line.c.
 */
#include "probes/probe.h"

#include <string.h>

#include "probes/line.h"
#include "scanner/log.h"

enum smtp_phase {
	SMTP_GREETING,
	SMTP_EHLO,
	SMTP_HELO,
	SMTP_STARTTLS,
	SMTP__MAX
};

static const char *const smtp_phase_names[] = {
	[SMTP_GREETING] = "greeting",
	[SMTP_EHLO] = "ehlo",
	[SMTP_HELO] = "helo",
	[SMTP_STARTTLS] = "starttls",
};
_Static_assert(sizeof(smtp_phase_names) / sizeof(smtp_phase_names[0]) ==
    SMTP__MAX, "every SMTP phase has a name");

struct smtp {
	enum smtp_phase	 phase;
	bool		 has_starttls;
	char		 caps[PROBE_TEXT_MAX + 1];	/* EHLO keywords */
	struct line_reply reply;
	struct line_reader lr;
};

static void
smtp_set_state(struct smtp *st, enum smtp_phase next)
{
	log_debug("smtp: %s -> %s", smtp_phase_names[st->phase],
	    smtp_phase_names[next]);
	st->phase = next;
}

/* The name we give in EHLO/HELO: ours to choose, the engine's if safe. */
static const char *
smtp_ehlo_name(const struct probe_ctx *ctx)
{
	const char *name = probe_server_name(ctx);

	return line_is_safe_name(name) ? name : "certsweep.invalid";
}

/* Collect the keyword of an EHLO line after the first ("250-PIPELINING"). */
static void
smtp_cap(struct smtp *st, const char *line, size_t len)
{
	if (st->reply.nlines > 1 && line_cap_add(st->caps, sizeof(st->caps),
	    line_reply_text(line, len), "STARTTLS"))
		st->has_starttls = true;
}

static enum probe_rc
smtp_refused(struct probe_ctx *ctx, const struct smtp *st, const char *what)
{
	return probe_fail(ctx, SCAN_STARTTLS_REFUSED, "%s: %d %s", what,
	    st->reply.code, st->reply.text);
}

static enum probe_rc
smtp_reply(struct probe_ctx *ctx, struct smtp *st)
{
	int code = st->reply.code;

	switch (st->phase) {
	case SMTP_GREETING:
		if (code != 220)
			return smtp_refused(ctx, st, "SMTP greeting");
		probe_sendf(ctx, "EHLO %s\r\n", smtp_ehlo_name(ctx));
		smtp_set_state(st, SMTP_EHLO);
		return PROBE_MORE;
	case SMTP_EHLO:
		if (code >= 500 && code <= 599) {
			probe_sendf(ctx, "HELO %s\r\n", smtp_ehlo_name(ctx));
			smtp_set_state(st, SMTP_HELO);
			return PROBE_MORE;
		}
		if (code != 250)
			return smtp_refused(ctx, st, "EHLO rejected");
		probe_note(ctx, "capabilities", st->caps);
		if (!st->has_starttls)
			return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
			    "no STARTTLS in EHLO reply: 250 %s: %s",
			    st->reply.text, st->caps);
		break;
	case SMTP_HELO:
		if (code != 250)
			return smtp_refused(ctx, st, "HELO rejected");
		break;
	case SMTP_STARTTLS:
		if (code != 220)
			return smtp_refused(ctx, st, "STARTTLS rejected");
		return PROBE_START_TLS;
	case SMTP__MAX:
		break;
	}
	probe_sendf(ctx, "STARTTLS\r\n");
	smtp_set_state(st, SMTP_STARTTLS);
	return PROBE_MORE;
}

static enum probe_rc
smtp_line(struct probe_ctx *ctx, void *state, const char *line, size_t len)
{
	struct smtp *st = state;
	char banner[PROBE_TEXT_MAX + 1];

	switch (line_reply_add(&st->reply, line, len, false)) {
	case LINE_REPLY_BAD:
		return line_unexpected(ctx, "SMTP", line, len);
	case LINE_REPLY_MORE:
	case LINE_REPLY_DONE:
		break;
	}
	if (st->phase == SMTP_GREETING && st->reply.nlines == 1) {
		line_clean(banner, sizeof(banner), line, len);
		probe_note(ctx, "banner", banner);
	}
	if (st->phase == SMTP_EHLO)
		smtp_cap(st, line, len);
	if (!st->reply.done)
		return PROBE_MORE;
	return smtp_reply(ctx, st);
}

static const struct line_proto smtp_proto = {
	.name = "SMTP",
	.fn = smtp_line,
};

static enum probe_rc
smtp_input(struct probe_ctx *ctx, void *state, const uint8_t *buf,
    size_t len, size_t *used)
{
	struct smtp *st = state;

	return line_input(&st->lr, &smtp_proto, ctx, st, buf, len, used);
}

const struct probe probe_smtp = {
	.name = "smtp",
	.port = 25,
	.state_size = sizeof(struct smtp),
	.input = smtp_input,
};
