/*
 * irc.c: IRC STARTTLS (the IRCv3 "tls" extension) on port 6667.
 *
 *   C: CAP LS 302               (some servers want CAP before anything)
 *   S: :srv NOTICE * :*** Looking up your hostname...   (ignored)
 *   S: :srv CAP * LS :multi-prefix sasl tls             C: STARTTLS
 *   S: :srv 670 * :STARTTLS successful, go ahead        -> TLS
 *   or S: :srv 691 * :STARTTLS failed                   -> refused
 *
 * A server that lists its capabilities without "tls" does not offer
 * STARTTLS (the IRCv3 extension makes advertising it a MUST; InspIRCd
 * without m_starttls silently ignores the command, which would leave us
 * waiting): starttls-refused.  A server that does not know CAP (421)
 * still gets STARTTLS.  PING gets a
 * PONG so servers that check for a live client before registering wait.
 * Notices may carry colour codes, so control bytes are allowed.
 */
#include "probes/probe.h"

#include <stdio.h>
#include <string.h>

#include "probes/line.h"
#include "scanner/log.h"

enum irc_phase {
	IRC_CAP,
	IRC_STARTTLS,
	IRC__MAX
};

static const char *const irc_phase_names[] = {
	[IRC_CAP] = "cap",
	[IRC_STARTTLS] = "starttls",
};
_Static_assert(sizeof(irc_phase_names) / sizeof(irc_phase_names[0]) ==
    IRC__MAX, "every IRC phase has a name");

struct irc {
	enum irc_phase	 phase;
	bool		 noted;		/* banner noted */
	bool		 has_tls;	/* "tls" in CAP LS */
	char		 caps[PROBE_TEXT_MAX + 1];
	struct line_reader lr;
};

static void
irc_set_state(struct irc *st, enum irc_phase next)
{
	log_debug("irc: %s -> %s", irc_phase_names[st->phase],
	    irc_phase_names[next]);
	st->phase = next;
}

static enum probe_rc
irc_start(struct probe_ctx *ctx, void *state)
{
	(void)state;
	probe_sendf(ctx, "CAP LS 302\r\n");
	return PROBE_MORE;
}

static enum probe_rc
irc_starttls(struct probe_ctx *ctx, struct irc *st)
{
	probe_sendf(ctx, "STARTTLS\r\n");
	irc_set_state(st, IRC_STARTTLS);
	return PROBE_MORE;
}

/* "CAP * LS [*] :caps": collect them; the last line sends STARTTLS. */
static enum probe_rc
irc_cap(struct probe_ctx *ctx, struct irc *st, const char *p)
{
	bool more;

	p += strcspn(p, " ");
	while (*p == ' ')
		p++;
	if (!line_word(&p, "LS") || st->phase != IRC_CAP)
		return PROBE_MORE;
	more = line_word(&p, "*");
	if (*p == ':')
		p++;
	while (*p != '\0') {
		if (line_cap_add(st->caps, sizeof(st->caps), p, "tls"))
			st->has_tls = true;
		p += strcspn(p, " ");
		while (*p == ' ')
			p++;
	}
	if (more)
		return PROBE_MORE;
	probe_note(ctx, "capabilities", st->caps);
	if (!st->has_tls)
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "no tls in IRC capabilities: %s", st->caps);
	return irc_starttls(ctx, st);
}

/* The text of a message: after " :", else the parameters. */
static void
irc_text(char *dst, size_t dstsz, const char *params)
{
	const char *t = strstr(params, " :");

	if (*params == ':')
		t = params + 1;
	else
		t = t != NULL ? t + 2 : params;
	line_clean(dst, dstsz, t, strlen(t));
}

static bool
is_irc_command(const char *s, size_t n)
{
	if (n == 0 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (n == 3 && s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

static enum probe_rc
irc_message(struct probe_ctx *ctx, struct irc *st, const char *cmd,
    const char *params)
{
	char text[PROBE_TEXT_MAX + 1];

	if (line_word(&cmd, "PING")) {
		probe_sendf(ctx, "PONG %s\r\n", params);
		return PROBE_MORE;
	}
	if (line_word(&cmd, "CAP"))
		return irc_cap(ctx, st, params);
	irc_text(text, sizeof(text), params);
	if (line_word(&cmd, "670"))
		return st->phase == IRC_STARTTLS ? PROBE_START_TLS :
		    PROBE_MORE;
	if (line_word(&cmd, "691"))
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "STARTTLS failed: 691 %s", text);
	if (line_word(&cmd, "ERROR"))
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "IRC server closed the link: %s", text);
	if (line_word(&cmd, "421") || line_word(&cmd, "451")) {
		/* unknown command / not registered */
		if (st->phase == IRC_CAP)
			return irc_starttls(ctx, st);
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "STARTTLS rejected: %s", text);
	}
	return PROBE_MORE;	/* NOTICE, 020 "please wait", ... */
}

static enum probe_rc
irc_line(struct probe_ctx *ctx, void *state, const char *line, size_t len)
{
	struct irc *st = state;
	char cmd[24], banner[PROBE_TEXT_MAX + 1];
	const char *p = line;
	size_t n;

	if (len == 0)
		return PROBE_MORE;
	if (*p == ':') {
		p += strcspn(p, " ");
		while (*p == ' ')
			p++;
	}
	n = strcspn(p, " ");
	if (!is_irc_command(p, n))
		return line_unexpected(ctx, "IRC", line, len);
	if (!st->noted) {
		line_clean(banner, sizeof(banner), line, len);
		probe_note(ctx, "banner", banner);
		st->noted = true;
	}
	snprintf(cmd, sizeof(cmd), "%.*s", (int)n, p);
	p += n;
	while (*p == ' ')
		p++;
	return irc_message(ctx, st, cmd, p);
}

static const struct line_proto irc_proto = {
	.name = "IRC",
	.fn = irc_line,
	.allow_ctl = true,
};

static enum probe_rc
irc_input(struct probe_ctx *ctx, void *state, const uint8_t *buf,
    size_t len, size_t *used)
{
	struct irc *st = state;

	return line_input(&st->lr, &irc_proto, ctx, st, buf, len, used);
}

const struct probe probe_irc = {
	.name = "irc",
	.port = 6667,
	.state_size = sizeof(struct irc),
	.start = irc_start,
	.input = irc_input,
};
