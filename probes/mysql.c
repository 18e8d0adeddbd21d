/*
 * mysql.c: MySQL/MariaDB TLS upgrade on port 3306.
 *
 *   S: Initial Handshake v10 (3-byte length, seq 0, capability flags)
 *   C: SSLRequest (seq 1: our flags incl. CLIENT_SSL, max packet, charset,
 *      23 zero bytes)                                -> TLS at once
 *
 * The server does not answer the SSLRequest: the client starts TLS right
 * after sending it.  A server without CLIENT_SSL, or one that greets with
 * an error packet ("Host ... is not allowed"), is a refusal.
 *
 * Hazards handled:
 *  [MYSQL-LEN]   the 3-byte packet length is bounded by MYSQL_PKT_MAX
 *                before anything is collected.
 *  [MYSQL-FIELD] every field read is checked against the payload end.
 */
#include "probes/probe.h"

#include <string.h>

#include "probes/line.h"
#include "probes/pkt.h"
#include "scanner/log.h"

#define MYSQL_PKT_MAX		4096
#define CLIENT_LONG_PASSWORD	0x00000001u
#define CLIENT_PROTOCOL_41	0x00000200u
#define CLIENT_SSL		0x00000800u
#define CLIENT_TRANSACTIONS	0x00002000u
#define CLIENT_SECURE_CONN	0x00008000u
#define CLIENT_PLUGIN_AUTH	0x00080000u
#define MYSQL_CHARSET_UTF8	33	/* utf8_general_ci: known since 4.1 */

enum mysql_phase {
	MYSQL_HANDSHAKE,
	MYSQL__MAX
};

static const char *const mysql_phase_names[] = {
	[MYSQL_HANDSHAKE] = "handshake",
};
_Static_assert(sizeof(mysql_phase_names) / sizeof(mysql_phase_names[0]) ==
    MYSQL__MAX, "every MySQL phase has a name");

struct mysql {
	enum mysql_phase phase;
	size_t		 have;
	size_t		 need;		/* 4 + payload once the header is in */
	uint8_t		 pkt[4 + MYSQL_PKT_MAX];
};

static void
mysql_set_state(struct mysql *st, enum mysql_phase next)
{
	log_debug("mysql: %s -> %s", mysql_phase_names[st->phase],
	    mysql_phase_names[next]);
	st->phase = next;
}

static enum probe_rc
mysql_start(struct probe_ctx *ctx, void *state)
{
	(void)ctx;
	mysql_set_state(state, MYSQL_HANDSHAKE);
	return PROBE_MORE;
}

static void
mysql_sslrequest(struct probe_ctx *ctx, uint32_t server_caps)
{
	uint32_t flags = (CLIENT_LONG_PASSWORD | CLIENT_TRANSACTIONS |
	    CLIENT_SECURE_CONN | CLIENT_PLUGIN_AUTH) & server_caps;
	uint8_t req[4 + 32] = { 32, 0, 0, 1 };

	flags |= CLIENT_PROTOCOL_41 | CLIENT_SSL;
	for (int i = 0; i < 4; i++)
		req[4 + i] = (uint8_t)(flags >> (8 * i));
	req[8 + 3] = 0x01;		/* max packet 16 MiB, little-endian */
	req[12] = MYSQL_CHARSET_UTF8;
	probe_send(ctx, req, sizeof(req));
}

/* ERR packet in place of the greeting: 0xff, code, [#sqlstate], text. */
static enum probe_rc
mysql_err(struct probe_ctx *ctx, const uint8_t *p, size_t n)
{
	char text[PROBE_TEXT_MAX + 1] = "";
	unsigned code = 0;

	if (n >= 3) {
		code = p[1] | (unsigned)p[2] << 8;
		p += 3, n -= 3;
		if (n >= 6 && p[0] == '#')
			p += 6, n -= 6;
		line_clean(text, sizeof(text), p, n);
	}
	return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
	    "MySQL server error %u: %s", code, text);
}

/* The Initial Handshake v10 payload. */
static enum probe_rc
mysql_handshake(struct probe_ctx *ctx, const uint8_t *p, size_t n)
{
	char version[PROBE_TEXT_MAX + 1];
	const uint8_t *z;
	uint32_t caps;
	size_t off;

	if (p[0] == 0xff)
		return mysql_err(ctx, p, n);
	if (p[0] != 10)
		return probe_fail(ctx, p[0] == 9 ? SCAN_STARTTLS_REFUSED :
		    SCAN_PROTOCOL_ERROR, "MySQL handshake protocol %u, "
		    "not 10%s", p[0], p[0] == 9 ? " (no TLS)" : "");
	if ((z = memchr(p + 1, 0, n - 1)) == NULL)	/* [MYSQL-FIELD] */
		return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
		    "MySQL handshake: unterminated server version");
	line_clean(version, sizeof(version), p + 1, (size_t)(z - p - 1));
	probe_note(ctx, "banner", version);
	/* version NUL, thread id 4, auth data 8, filler 1, caps low 2 */
	off = (size_t)(z - p) + 1 + 4 + 8 + 1;
	if (off + 2 > n)
		return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
		    "MySQL handshake truncated (%zu bytes)", n);
	caps = p[off] | (uint32_t)p[off + 1] << 8;
	if (off + 2 + 1 + 2 + 2 <= n)	/* charset 1, status 2, caps high 2 */
		caps |= (uint32_t)p[off + 5] << 16 | (uint32_t)p[off + 6] << 24;
	if (!(caps & CLIENT_SSL))
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "MySQL server %s does not offer SSL (capabilities "
		    "0x%08x)", version, caps);
	if (!(caps & CLIENT_PROTOCOL_41))
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "MySQL server %s speaks the pre-4.1 protocol", version);
	mysql_sslrequest(ctx, caps);
	return PROBE_START_TLS;
}

/* The 4-byte header: length (3, little-endian) and sequence 0. */
static enum probe_rc
mysql_header(struct probe_ctx *ctx, struct mysql *st)
{
	size_t n = st->pkt[0] | (size_t)st->pkt[1] << 8 |
	    (size_t)st->pkt[2] << 16;
	const char *what = line_guess(st->pkt, 4);

	if (what != NULL && st->pkt[0] == 0x16)
		return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
		    "server sent %s, not MySQL (implicit TLS port?)", what);
	/* [MYSQL-LEN] */
	if (n == 0 || n > MYSQL_PKT_MAX || st->pkt[3] != 0)
		return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
		    "not MySQL: packet header %02x %02x %02x %02x%s%s%s",
		    st->pkt[0], st->pkt[1], st->pkt[2], st->pkt[3],
		    what != NULL ? " (" : "", what != NULL ? what : "",
		    what != NULL ? ")" : "");
	st->need = 4 + n;
	return PROBE_MORE;
}

static enum probe_rc
mysql_input(struct probe_ctx *ctx, void *state, const uint8_t *buf,
    size_t len, size_t *used)
{
	struct mysql *st = state;
	enum probe_rc rc;
	size_t off = 0;

	for (;;) {
		switch (pkt_collect(st->pkt, 4, &st->have, st->need, buf, len,
		    &off)) {
		case PKT_HEADER:
			if ((rc = mysql_header(ctx, st)) != PROBE_MORE) {
				*used = off;
				return rc;
			}
			break;
		case PKT_WHOLE:
			*used = off;
			return mysql_handshake(ctx, st->pkt + 4, st->need - 4);
		case PKT_MORE:
		default:
			*used = len;
			return PROBE_MORE;
		}
	}
}

const struct probe probe_mysql = {
	.name = "mysql",
	.port = 3306,
	.state_size = sizeof(struct mysql),
	.start = mysql_start,
	.input = mysql_input,
};
