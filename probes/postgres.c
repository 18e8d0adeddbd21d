/*
 * postgres.c: PostgreSQL SSLRequest (protocol 3, "Message Flow: SSL
 * Session Encryption") on port 5432.
 *
 *   C: 00 00 00 08 04 d2 16 2f         (length 8, code 80877103)
 *   S: 'S'  -> TLS      'N' -> no SSL      'E' + ErrorResponse -> refused
 *
 * Any byte after 'S' in the same read was sent before the handshake:
 * the injection CVE-2021-23214 was about, reported by the engine.
 */
#include "probes/probe.h"

#include <string.h>

#include "probes/line.h"
#include "scanner/log.h"

#define PG_ERROR_MAX	4096

enum pg_phase {
	PG_REPLY,		/* the one-byte answer */
	PG_ERROR,		/* collecting an ErrorResponse */
	PG__MAX
};

static const char *const pg_phase_names[] = {
	[PG_REPLY] = "reply",
	[PG_ERROR] = "error",
};
_Static_assert(sizeof(pg_phase_names) / sizeof(pg_phase_names[0]) ==
    PG__MAX, "every PostgreSQL phase has a name");

struct pg {
	enum pg_phase	 phase;
	size_t		 have;
	size_t		 need;		/* 5 + body once the length is known */
	uint8_t		 msg[PG_ERROR_MAX];
};

static const uint8_t pg_sslrequest[] = {
	0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f,
};

static void
pg_set_state(struct pg *st, enum pg_phase next)
{
	log_debug("postgres: %s -> %s", pg_phase_names[st->phase],
	    pg_phase_names[next]);
	st->phase = next;
}

static enum probe_rc
pg_start(struct probe_ctx *ctx, void *state)
{
	(void)state;
	probe_send(ctx, pg_sslrequest, sizeof(pg_sslrequest));
	return PROBE_MORE;
}

/* ErrorResponse fields: type byte + C string, ..., 0.  Quote S and M. */
static enum probe_rc
pg_error(struct probe_ctx *ctx, const struct pg *st)
{
	char sev[32] = "", text[PROBE_TEXT_MAX + 1] = "";
	const uint8_t *p = st->msg + 5, *end = st->msg + st->have, *z;

	while (p < end && *p != 0) {
		if ((z = memchr(p + 1, 0, (size_t)(end - p - 1))) == NULL)
			break;
		if (*p == 'S' && sev[0] == '\0')
			line_clean(sev, sizeof(sev), p + 1,
			    (size_t)(z - p - 1));
		else if (*p == 'M')
			line_clean(text, sizeof(text), p + 1,
			    (size_t)(z - p - 1));
		p = z + 1;
	}
	return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
	    "server answered SSLRequest with an error: %s%s%s",
	    sev, sev[0] != '\0' ? ": " : "", text);
}

static enum probe_rc
pg_reply(struct probe_ctx *ctx, struct pg *st, uint8_t c)
{
	const char *what;

	switch (c) {
	case 'S':
		return PROBE_START_TLS;
	case 'N':
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "server does not support SSL (answered 'N')");
	case 'E':
		st->msg[st->have++] = c;
		pg_set_state(st, PG_ERROR);
		return PROBE_MORE;
	}
	if ((what = line_guess(&c, 1)) != NULL)
		return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
		    "server sent %s, not PostgreSQL (implicit TLS port?)",
		    what);
	return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
	    "not PostgreSQL: answered SSLRequest with byte 0x%02x", c);
}

/* One byte of the ErrorResponse; its length is bounded. */
static enum probe_rc
pg_error_byte(struct probe_ctx *ctx, struct pg *st, uint8_t c)
{
	uint32_t n;

	st->msg[st->have++] = c;
	if (st->have == 5) {
		n = (uint32_t)st->msg[1] << 24 | (uint32_t)st->msg[2] << 16 |
		    (uint32_t)st->msg[3] << 8 | st->msg[4];
		if (n < 4 || n > PG_ERROR_MAX - 1)
			return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
			    "PostgreSQL error message of bad length %u", n);
		st->need = 1 + n;
	}
	if (st->need != 0 && st->have == st->need)
		return pg_error(ctx, st);
	return PROBE_MORE;
}

static enum probe_rc
pg_input(struct probe_ctx *ctx, void *state, const uint8_t *buf,
    size_t len, size_t *used)
{
	struct pg *st = state;
	enum probe_rc rc;

	for (size_t i = 0; i < len; i++) {
		if (st->phase == PG_REPLY)
			rc = pg_reply(ctx, st, buf[i]);
		else
			rc = pg_error_byte(ctx, st, buf[i]);
		if (rc != PROBE_MORE) {
			*used = i + 1;
			return rc;
		}
	}
	*used = len;
	return PROBE_MORE;
}

const struct probe probe_postgres = {
	.name = "postgres",
	.port = 5432,
	.state_size = sizeof(struct pg),
	.start = pg_start,
	.input = pg_input,
};
