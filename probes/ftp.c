/*
 * ftp.c: FTP AUTH TLS (RFC 4217) on port 21.
 *
 *   S: 220 greeting (may be multi-line)     C: AUTH TLS
 *   S: 234 go ahead                         -> TLS
 *
 * RFC 959 multi-line replies: inner lines need not start with the code,
 * so the reader runs in lax mode.  A 120 ("ready in n minutes") greeting is
 * followed by the real 220.
 */
#include "probes/probe.h"

#include "probes/line.h"
#include "scanner/log.h"

enum ftp_phase {
	FTP_GREETING,
	FTP_AUTH,
	FTP__MAX
};

static const char *const ftp_phase_names[] = {
	[FTP_GREETING] = "greeting",
	[FTP_AUTH] = "auth",
};
_Static_assert(sizeof(ftp_phase_names) / sizeof(ftp_phase_names[0]) ==
    FTP__MAX, "every FTP phase has a name");

struct ftp {
	enum ftp_phase	 phase;
	bool		 noted;		/* banner noted */
	struct line_reply reply;
	struct line_reader lr;
};

static void
ftp_set_state(struct ftp *st, enum ftp_phase next)
{
	log_debug("ftp: %s -> %s", ftp_phase_names[st->phase],
	    ftp_phase_names[next]);
	st->phase = next;
}

static enum probe_rc
ftp_reply(struct probe_ctx *ctx, struct ftp *st)
{
	int code = st->reply.code;

	switch (st->phase) {
	case FTP_GREETING:
		if (code == 120)
			return PROBE_MORE;
		if (code != 220)
			return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
			    "FTP greeting: %d %s", code, st->reply.text);
		probe_sendf(ctx, "AUTH TLS\r\n");
		ftp_set_state(st, FTP_AUTH);
		return PROBE_MORE;
	case FTP_AUTH:
		if (code != 234)
			return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
			    "AUTH TLS rejected: %d %s", code,
			    st->reply.text);
		return PROBE_START_TLS;
	case FTP__MAX:
		break;
	}
	return probe_fail(ctx, SCAN_INTERNAL_ERROR, "ftp: bad phase");
}

static enum probe_rc
ftp_line(struct probe_ctx *ctx, void *state, const char *line, size_t len)
{
	struct ftp *st = state;
	char banner[PROBE_TEXT_MAX + 1];

	switch (line_reply_add(&st->reply, line, len, true)) {
	case LINE_REPLY_BAD:
		return line_unexpected(ctx, "FTP", line, len);
	case LINE_REPLY_MORE:
	case LINE_REPLY_DONE:
		break;
	}
	if (st->phase == FTP_GREETING && !st->noted) {
		line_clean(banner, sizeof(banner), line, len);
		probe_note(ctx, "banner", banner);
		st->noted = true;
	}
	if (!st->reply.done)
		return PROBE_MORE;
	return ftp_reply(ctx, st);
}

static const struct line_proto ftp_proto = {
	.name = "FTP",
	.fn = ftp_line,
};

static enum probe_rc
ftp_input(struct probe_ctx *ctx, void *state, const uint8_t *buf,
    size_t len, size_t *used)
{
	struct ftp *st = state;

	return line_input(&st->lr, &ftp_proto, ctx, st, buf, len, used);
}

const struct probe probe_ftp = {
	.name = "ftp",
	.port = 21,
	.state_size = sizeof(struct ftp),
	.input = ftp_input,
};
