/*
 * imap.c: IMAP STARTTLS (RFC 3501 §6.2.1, RFC 2595) on port 143.
 *
 *   S: * OK [CAPABILITY ... STARTTLS ...] ready   (capabilities optional)
 *   C: a001 CAPABILITY          (skipped when the greeting listed them)
 *   S: * CAPABILITY ... STARTTLS ...
 *   S: a001 OK ...              C: a002 STARTTLS
 *   S: a002 OK Begin TLS        -> TLS
 *
 * Untagged lines we do not need are ignored; * BYE ends the dialogue.
 */
#include "probes/probe.h"

#include <stdio.h>
#include <string.h>

#include "probes/line.h"
#include "scanner/log.h"

enum imap_phase {
	IMAP_GREETING,
	IMAP_CAPABILITY,
	IMAP_STARTTLS,
	IMAP__MAX
};

static const char *const imap_phase_names[] = {
	[IMAP_GREETING] = "greeting",
	[IMAP_CAPABILITY] = "capability",
	[IMAP_STARTTLS] = "starttls",
};
_Static_assert(sizeof(imap_phase_names) / sizeof(imap_phase_names[0]) ==
    IMAP__MAX, "every IMAP phase has a name");

struct imap {
	enum imap_phase	 phase;
	unsigned	 tagno;		/* of the command in flight */
	char		 tag[8];
	bool		 has_starttls;
	bool		 noted;		/* capabilities noted */
	char		 caps[PROBE_TEXT_MAX + 1];
	struct line_reader lr;
};

static void
imap_set_state(struct imap *st, enum imap_phase next)
{
	log_debug("imap: %s -> %s", imap_phase_names[st->phase],
	    imap_phase_names[next]);
	st->phase = next;
}

static void
imap_command(struct probe_ctx *ctx, struct imap *st, const char *cmd,
    enum imap_phase next)
{
	snprintf(st->tag, sizeof(st->tag), "a%03u", ++st->tagno);
	probe_sendf(ctx, "%s %s\r\n", st->tag, cmd);
	imap_set_state(st, next);
}

/* Capabilities from "CAPABILITY a b c" up to len bytes. */
static void
imap_caps(struct probe_ctx *ctx, struct imap *st, const char *s, size_t len)
{
	char all[LINE_MAX_LEN + 1];

	memcpy(all, s, len);
	all[len] = '\0';
	if (line_has_token(all, "STARTTLS"))
		st->has_starttls = true;
	if (st->noted)
		return;
	line_clean(st->caps, sizeof(st->caps), s, len);
	probe_note(ctx, "capabilities", st->caps);
	st->noted = true;
}

static enum probe_rc
imap_greeting(struct probe_ctx *ctx, struct imap *st, const char *line,
    size_t len, const char *p)
{
	char banner[PROBE_TEXT_MAX + 1], text[PROBE_TEXT_MAX + 1];
	const char *q, *end;

	line_clean(banner, sizeof(banner), line, len);
	probe_note(ctx, "banner", banner);
	line_clean(text, sizeof(text), p, strlen(p));
	if (line_word(&p, "PREAUTH"))
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "IMAP greeting is PREAUTH, no STARTTLS possible: %s", text);
	if (!line_word(&p, "OK"))
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "IMAP greeting: %s", text);
	q = p + 1;
	if (*p == '[' && line_word(&q, "CAPABILITY") &&
	    (end = strchr(q, ']')) != NULL) {
		imap_caps(ctx, st, q, (size_t)(end - q));
		if (!st->has_starttls)
			return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
			    "no STARTTLS in IMAP capabilities: %s", st->caps);
		imap_command(ctx, st, "STARTTLS", IMAP_STARTTLS);
		return PROBE_MORE;
	}
	imap_command(ctx, st, "CAPABILITY", IMAP_CAPABILITY);
	return PROBE_MORE;
}

/* The tagged reply to our command in flight. */
static enum probe_rc
imap_tagged(struct probe_ctx *ctx, struct imap *st, const char *p)
{
	char text[PROBE_TEXT_MAX + 1];
	bool ok = line_word(&p, "OK");

	if (!ok) {
		line_clean(text, sizeof(text), p, strlen(p));
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED, "%s rejected: %s",
		    st->phase == IMAP_STARTTLS ? "STARTTLS" : "CAPABILITY",
		    text);
	}
	if (st->phase == IMAP_STARTTLS)
		return PROBE_START_TLS;
	if (!st->has_starttls)
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "no STARTTLS in IMAP capabilities: %s", st->caps);
	imap_command(ctx, st, "STARTTLS", IMAP_STARTTLS);
	return PROBE_MORE;
}

static enum probe_rc
imap_line(struct probe_ctx *ctx, void *state, const char *line, size_t len)
{
	struct imap *st = state;
	char text[PROBE_TEXT_MAX + 1];
	const char *p = line;

	if (line_word(&p, "*")) {
		if (st->phase == IMAP_GREETING)
			return imap_greeting(ctx, st, line, len, p);
		if (line_word(&p, "BYE")) {
			line_clean(text, sizeof(text), p, strlen(p));
			return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
			    "IMAP server said BYE: %s", text);
		}
		if (st->phase == IMAP_CAPABILITY &&
		    line_word(&p, "CAPABILITY"))
			imap_caps(ctx, st, p, strlen(p));
		return PROBE_MORE;
	}
	if (st->phase != IMAP_GREETING && line_word(&p, st->tag))
		return imap_tagged(ctx, st, p);
	return line_unexpected(ctx, "IMAP", line, len);
}

static const struct line_proto imap_proto = {
	.name = "IMAP",
	.fn = imap_line,
};

static enum probe_rc
imap_input(struct probe_ctx *ctx, void *state, const uint8_t *buf,
    size_t len, size_t *used)
{
	struct imap *st = state;

	return line_input(&st->lr, &imap_proto, ctx, st, buf, len, used);
}

const struct probe probe_imap = {
	.name = "imap",
	.port = 143,
	.state_size = sizeof(struct imap),
	.input = imap_input,
};
