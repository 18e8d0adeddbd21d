/*
 * pop3.c: POP3 STLS (RFC 2595 §4, capabilities RFC 2449) on port 110.
 *
 *   S: +OK greeting             C: CAPA
 *   S: +OK / STLS / ... / .     C: STLS
 *   S: +OK Begin TLS            -> TLS
 *
 * A server without CAPA (-ERR) still gets STLS, so a refusal is in its own
 * words.
 */
#include "probes/probe.h"

#include <string.h>

#include "probes/line.h"
#include "scanner/log.h"

enum pop3_phase {
	POP3_GREETING,
	POP3_CAPA,
	POP3_CAPA_LIST,
	POP3_STLS,
	POP3__MAX
};

static const char *const pop3_phase_names[] = {
	[POP3_GREETING] = "greeting",
	[POP3_CAPA] = "capa",
	[POP3_CAPA_LIST] = "capa-list",
	[POP3_STLS] = "stls",
};
_Static_assert(sizeof(pop3_phase_names) / sizeof(pop3_phase_names[0]) ==
    POP3__MAX, "every POP3 phase has a name");

struct pop3 {
	enum pop3_phase	 phase;
	bool		 has_stls;
	char		 caps[PROBE_TEXT_MAX + 1];
	struct line_reader lr;
};

static void
pop3_set_state(struct pop3 *st, enum pop3_phase next)
{
	log_debug("pop3: %s -> %s", pop3_phase_names[st->phase],
	    pop3_phase_names[next]);
	st->phase = next;
}

static enum probe_rc
pop3_stls(struct probe_ctx *ctx, struct pop3 *st)
{
	probe_sendf(ctx, "STLS\r\n");
	pop3_set_state(st, POP3_STLS);
	return PROBE_MORE;
}

/* One line of the CAPA list, or its "." end. */
static enum probe_rc
pop3_capa_line(struct probe_ctx *ctx, struct pop3 *st, const char *line)
{
	if (strcmp(line, ".") != 0) {
		if (line_cap_add(st->caps, sizeof(st->caps), line, "STLS"))
			st->has_stls = true;
		return PROBE_MORE;
	}
	probe_note(ctx, "capabilities", st->caps);
	if (!st->has_stls)
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "no STLS in POP3 capabilities: %s", st->caps);
	return pop3_stls(ctx, st);
}

static enum probe_rc
pop3_line(struct probe_ctx *ctx, void *state, const char *line, size_t len)
{
	struct pop3 *st = state;
	char text[PROBE_TEXT_MAX + 1];
	const char *p = line;
	bool ok;

	if (st->phase == POP3_CAPA_LIST)
		return pop3_capa_line(ctx, st, line);
	ok = line_word(&p, "+OK");
	if (!ok && !line_word(&p, "-ERR"))
		return line_unexpected(ctx, "POP3", line, len);
	line_clean(text, sizeof(text), line, len);
	switch (st->phase) {
	case POP3_GREETING:
		probe_note(ctx, "banner", text);
		if (!ok)
			return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
			    "POP3 greeting: %s", text);
		probe_sendf(ctx, "CAPA\r\n");
		pop3_set_state(st, POP3_CAPA);
		return PROBE_MORE;
	case POP3_CAPA:
		if (!ok)
			return pop3_stls(ctx, st);
		pop3_set_state(st, POP3_CAPA_LIST);
		return PROBE_MORE;
	case POP3_STLS:
		if (!ok)
			return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
			    "STLS rejected: %s", text);
		return PROBE_START_TLS;
	case POP3_CAPA_LIST:
	case POP3__MAX:
		break;
	}
	return probe_fail(ctx, SCAN_INTERNAL_ERROR, "pop3: bad phase");
}

static const struct line_proto pop3_proto = {
	.name = "POP3",
	.fn = pop3_line,
};

static enum probe_rc
pop3_input(struct probe_ctx *ctx, void *state, const uint8_t *buf,
    size_t len, size_t *used)
{
	struct pop3 *st = state;

	return line_input(&st->lr, &pop3_proto, ctx, st, buf, len, used);
}

const struct probe probe_pop3 = {
	.name = "pop3",
	.port = 110,
	.state_size = sizeof(struct pop3),
	.input = pop3_input,
};
