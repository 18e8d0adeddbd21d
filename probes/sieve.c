/*
 * sieve.c: ManageSieve STARTTLS (RFC 5804 §2.2) on port 4190.
 *
 *   S: "IMPLEMENTATION" "Dovecot Pigeonhole"
 *   S: "STARTTLS"  ... more capability lines ...
 *   S: OK "ready"                           C: STARTTLS
 *   S: OK "Begin TLS negotiation now."      -> TLS
 *
 * Capability lines are quoted strings (literals are not used pre-TLS by
 * any server we know); NO and BYE carry the server's words.
 */
#include "probes/probe.h"

#include <string.h>

#include "probes/line.h"
#include "scanner/log.h"

enum sieve_phase {
	SIEVE_CAPABILITY,
	SIEVE_STARTTLS,
	SIEVE__MAX
};

static const char *const sieve_phase_names[] = {
	[SIEVE_CAPABILITY] = "capability",
	[SIEVE_STARTTLS] = "starttls",
};
_Static_assert(sizeof(sieve_phase_names) / sizeof(sieve_phase_names[0]) ==
    SIEVE__MAX, "every ManageSieve phase has a name");

struct sieve {
	enum sieve_phase phase;
	bool		 has_starttls;
	bool		 noted;		/* banner noted */
	char		 caps[PROBE_TEXT_MAX + 1];
	struct line_reader lr;
};

static void
sieve_set_state(struct sieve *st, enum sieve_phase next)
{
	log_debug("sieve: %s -> %s", sieve_phase_names[st->phase],
	    sieve_phase_names[next]);
	st->phase = next;
}

/* The quoted string at *p: its length, *p past it; -1 if none. */
static int
sieve_quoted(const char **p, const char **start)
{
	const char *s = *p, *e;

	if (*s != '"' || (e = strchr(s + 1, '"')) == NULL)
		return -1;
	*start = s + 1;
	*p = e + 1;
	while (**p == ' ')
		(*p)++;
	return (int)(e - (s + 1));
}

/* A capability line: "NAME" or "NAME" "value". */
static enum probe_rc
sieve_capability(struct probe_ctx *ctx, struct sieve *st, const char *line,
    size_t len)
{
	char name[64], val[PROBE_TEXT_MAX + 1];
	const char *p = line, *s;
	int n;

	if ((n = sieve_quoted(&p, &s)) < 0)
		return line_unexpected(ctx, "ManageSieve", line, len);
	line_clean(name, sizeof(name), s, (size_t)n);
	if (line_cap_add(st->caps, sizeof(st->caps), name, "STARTTLS"))
		st->has_starttls = true;
	if (strcmp(name, "IMPLEMENTATION") == 0 && !st->noted &&
	    (n = sieve_quoted(&p, &s)) >= 0) {
		line_clean(val, sizeof(val), s, (size_t)n);
		probe_note(ctx, "banner", val);
		st->noted = true;
	}
	return PROBE_MORE;
}

static enum probe_rc
sieve_line(struct probe_ctx *ctx, void *state, const char *line, size_t len)
{
	struct sieve *st = state;
	char text[PROBE_TEXT_MAX + 1];
	const char *p = line;

	if (line_word(&p, "OK")) {
		if (st->phase == SIEVE_STARTTLS)
			return PROBE_START_TLS;
		probe_note(ctx, "capabilities", st->caps);
		if (!st->has_starttls)
			return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
			    "no STARTTLS in ManageSieve capabilities: %s",
			    st->caps);
		probe_sendf(ctx, "STARTTLS\r\n");
		sieve_set_state(st, SIEVE_STARTTLS);
		return PROBE_MORE;
	}
	if (line_word(&p, "NO") || line_word(&p, "BYE")) {
		line_clean(text, sizeof(text), line, len);
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED, "%s: %s",
		    st->phase == SIEVE_STARTTLS ? "STARTTLS rejected" :
		    "ManageSieve greeting", text);
	}
	if (st->phase == SIEVE_CAPABILITY)
		return sieve_capability(ctx, st, line, len);
	return line_unexpected(ctx, "ManageSieve", line, len);
}

static const struct line_proto sieve_proto = {
	.name = "ManageSieve",
	.fn = sieve_line,
};

static enum probe_rc
sieve_input(struct probe_ctx *ctx, void *state, const uint8_t *buf,
    size_t len, size_t *used)
{
	struct sieve *st = state;

	return line_input(&st->lr, &sieve_proto, ctx, st, buf, len, used);
}

const struct probe probe_sieve = {
	.name = "sieve",
	.port = 4190,
	.state_size = sizeof(struct sieve),
	.input = sieve_input,
};
