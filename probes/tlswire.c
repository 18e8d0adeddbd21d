/*
 * tlswire.c: the streaming TLS/SSL parser of tlswire.h.
 *
 * Three layers, each with a little fixed state in struct tlswire_parser:
 *
 *   bytes --> record layer  (5-byte TLS header, or 2/3-byte SSLv2 header;
 *                            header bytes are collected across feeds)
 *         --> handshake layer (4-byte message header, body collected)
 *         --> message parsers (pure, over one whole message)
 *
 * A message whose body lies whole inside the current feed chunk is parsed
 * in place; otherwise it is copied into one reassembly buffer that grows
 * with the bytes that actually arrive (never to a claimed length up
 * front) and is capped: [TLS-HS-OVERSIZE].  Message types we do not parse
 * are skipped by count and need no memory, whatever their size.  Events
 * are therefore identical whatever the split of the input.
 *
 * Parsing stops, without error, where encryption starts: after a
 * ChangeCipherSpec (TLS <= 1.2), application data, or a TLS 1.3
 * ServerHello.  Hazard tags in brackets mark each pitfall handled.
 */#include "probes/tlswire_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/xmem.h"

enum {
	CT_CCS = 20, CT_ALERT = 21, CT_HANDSHAKE = 22, CT_APPDATA = 23,
	CT_HEARTBEAT = 24,
};

static const char *const state_names[] = {
	[TLSWIRE_ST_START] = "start",
	[TLSWIRE_ST_HANDSHAKE] = "handshake",
	[TLSWIRE_ST_SSLV2] = "sslv2",
	[TLSWIRE_ST_DONE] = "done",
	[TLSWIRE_ST_ENCRYPTED] = "encrypted",
	[TLSWIRE_ST_ALERT] = "alert",
	[TLSWIRE_ST_ERROR] = "error",
};
_Static_assert(sizeof(state_names) / sizeof(state_names[0]) ==
    TLSWIRE_ST__MAX, "state_names");

static const char *const err_names[] = {
	[TLSWIRE_ERR_NONE] = "none",
	[TLSWIRE_ERR_NOT_TLS] = "not-tls",
	[TLSWIRE_ERR_RECORD] = "record",
	[TLSWIRE_ERR_DECODE] = "decode",
	[TLSWIRE_ERR_TOO_LARGE] = "too-large",
	[TLSWIRE_ERR_UNEXPECTED] = "unexpected",
};
_Static_assert(sizeof(err_names) / sizeof(err_names[0]) ==
    TLSWIRE_ERR__MAX, "err_names");
/* ---- parser state -------------------------------------------------- */

int
tlswire_fail(struct tlswire_parser *p, enum tlswire_err err, const char *fmt,
    ...)
{
	va_list ap;

	if (p->state == TLSWIRE_ST_ERROR)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
	p->err = err;
	p->state = TLSWIRE_ST_ERROR;
	return -1;
}

void
tlswire_parser_init(struct tlswire_parser *p, enum tlswire_dir dir,
    size_t max_cert, const struct tlswire_events *ev)
{
	static const struct tlswire_events none = { .arg = NULL };

	if (max_cert == 0)
		max_cert = TLSWIRE_CERT_DEFAULT;
	if (max_cert > TLSWIRE_CERT_HARD_MAX)
		max_cert = TLSWIRE_CERT_HARD_MAX;
	*p = (struct tlswire_parser){
		.dir = dir,
		.max_cert = max_cert,
		.ev = ev != NULL ? ev : &none,
		.state = TLSWIRE_ST_START,
		.err = TLSWIRE_ERR_NONE,
	};
}

void
tlswire_parser_free(struct tlswire_parser *p)
{
	free(p->buf);
	p->buf = NULL;
	p->bufcap = 0;
}

enum tlswire_state
tlswire_state(const struct tlswire_parser *p)
{
	return p->state;
}

enum tlswire_err
tlswire_error(const struct tlswire_parser *p)
{
	return p->err;
}

const char *
tlswire_reason(const struct tlswire_parser *p)
{
	return p->reason;
}

bool
tlswire_done(const struct tlswire_parser *p)
{
	return p->state == TLSWIRE_ST_DONE ||
	    p->state == TLSWIRE_ST_ENCRYPTED || p->state == TLSWIRE_ST_ALERT ||
	    p->state == TLSWIRE_ST_ERROR;
}

const char *
tlswire_state_name(enum tlswire_state s)
{
	return (unsigned)s < TLSWIRE_ST__MAX ? state_names[s] : "?";
}

const char *
tlswire_err_name(enum tlswire_err e)
{
	return (unsigned)e < TLSWIRE_ERR__MAX ? err_names[e] : "?";
}

/* Which messages we parse in this direction, and their bound. */
static int
start_message(struct tlswire_parser *p, uint8_t type, size_t len)
{
	bool server = p->dir == TLSWIRE_DIR_SERVER;
	size_t max = TLSWIRE_MAX_HANDSHAKE;

	p->hskip = false;
	switch (type) {
	case HT_CLIENT_HELLO:
		if (server)
			return tlswire_fail(p, TLSWIRE_ERR_UNEXPECTED,
			    "ClientHello "
			    "in the server's stream [TLS-WRONG-DIRECTION]");
		break;
	case HT_SERVER_HELLO:
	case HT_SERVER_KEY_EXCHANGE:
	case HT_SERVER_HELLO_DONE:
	case HT_CERTIFICATE_STATUS:
		if (!server)
			return tlswire_fail(p, TLSWIRE_ERR_UNEXPECTED, "server "
			    "handshake message %u in the client's stream "
			    "[TLS-WRONG-DIRECTION]", type);
		if (type == HT_CERTIFICATE_STATUS)
			max = p->max_cert;
		break;
	case HT_CERTIFICATE:
		max = p->max_cert;
		break;
	default:		/* HelloRequest, tickets, unknown: skip */
		p->hskip = true;
		return 0;
	}
	if (len > max)
		return tlswire_fail(p, TLSWIRE_ERR_TOO_LARGE,
		    "handshake message %u "
		    "of %zu bytes exceeds %zu [%s]", type, len, max,
		    type == HT_CERTIFICATE ? "TLS-CERT-OVERSIZE" :
		    "TLS-HS-OVERSIZE");
	return 0;
}

/*
 * Collect up to p->hlen body bytes from *d.  Returns the whole body (in
 * place when it is contiguous, else in p->buf) or NULL while incomplete.
 */
static const uint8_t *
collect(struct tlswire_parser *p, const uint8_t **d, size_t *n)
{
	size_t k = p->hlen - p->hhave, cap;
	const uint8_t *msg;

	if (p->hhave == 0 && *n >= k) {
		msg = *d;
		*d += k;
		*n -= k;
		p->hhave = p->hlen;
		return msg;
	}
	if (k > *n)
		k = *n;
	if (k == 0)
		return NULL;
	if (p->hhave + k > p->bufcap) {	/* grow with what arrived */
		cap = p->bufcap < 4096 ? 4096 : p->bufcap * 2;
		if (cap < p->hhave + k)
			cap = p->hhave + k;
		if (cap > p->hlen)
			cap = p->hlen;
		p->buf = xreallocarray(p->buf, cap, 1);
		p->bufcap = cap;
	}
	memcpy(p->buf + p->hhave, *d, k);
	p->hhave += k;
	*d += k;
	*n -= k;
	return p->hhave == p->hlen ? p->buf : NULL;
}

static bool
hs_active(const struct tlswire_parser *p)
{
	return p->state == TLSWIRE_ST_HANDSHAKE ||
	    p->state == TLSWIRE_ST_DONE;
}

static int
hs_input(struct tlswire_parser *p, const uint8_t *d, size_t n)
{
	const uint8_t *msg;
	size_t k;

	while (n > 0 && hs_active(p)) {
		if (p->hhdr_have < 4) {
			p->hhdr[p->hhdr_have++] = *d++;
			n--;
			if (p->hhdr_have < 4)
				continue;
			p->hlen = (size_t)p->hhdr[1] << 16 |
			    (size_t)p->hhdr[2] << 8 | p->hhdr[3];
			p->hhave = 0;
			if (start_message(p, p->hhdr[0], p->hlen) == -1)
				return -1;
		}
		if (p->hskip) {
			k = p->hlen - p->hhave < n ? p->hlen - p->hhave : n;
			p->hhave += k;
			d += k;
			n -= k;
		} else if ((msg = collect(p, &d, &n)) != NULL &&
		    tlswire_parse_message(p, p->hhdr[0], msg, p->hlen) == -1)
			return -1;
		if (p->hhave == p->hlen)
			p->hhdr_have = 0;
	}
	return p->state == TLSWIRE_ST_ERROR ? -1 : 0;
}

int
tlswire_feed_handshake(struct tlswire_parser *p, const uint8_t *d, size_t n)
{
	if (p->state == TLSWIRE_ST_ERROR)
		return -1;
	if (p->state == TLSWIRE_ST_START)
		p->state = TLSWIRE_ST_HANDSHAKE;
	p->hs_direct = true;
	return hs_input(p, d, n);
}
/* ---- record layer ---------------------------------------------------- */

/* Say what the peer speaks instead, from its first byte. */
static int
not_tls(struct tlswire_parser *p, uint8_t b)
{
	const char *what;

	switch (b) {
	case 'H':
		what = "HTTP";
		break;
	case 'S':
		what = "SSH";
		break;
	case '2': case '4': case '5':
		what = "an SMTP/FTP reply";
		break;
	case '+': case '-':
		what = "POP3";
		break;
	case '*':
		what = "IMAP";
		break;
	case '<':
		what = "HTML/XML";
		break;
	default:
		what = b >= 0x20 && b < 0x7f ? "text" : "binary data";
		break;
	}
	if (b >= 0x20 && b < 0x7f)
		return tlswire_fail(p, TLSWIRE_ERR_NOT_TLS,
		    "not TLS: first byte "
		    "0x%02x ('%c') looks like %s [TLS-NOT-TLS]", b, b, what);
	return tlswire_fail(p, TLSWIRE_ERR_NOT_TLS,
	    "not TLS: first byte 0x%02x "
	    "is no record type [TLS-NOT-TLS]", b);
}

static int
tls_header(struct tlswire_parser *p)
{
	const uint8_t *h = p->rhdr;
	size_t len = (size_t)h[3] << 8 | h[4];
	bool first = p->state == TLSWIRE_ST_START;

	if (h[0] < CT_CCS || h[0] > CT_HEARTBEAT)
		return tlswire_fail(p, TLSWIRE_ERR_RECORD,
		    "unknown record type %u "
		    "[TLS-BAD-TYPE]", h[0]);
	if (h[1] != 3)
		return tlswire_fail(p,
		    first ? TLSWIRE_ERR_NOT_TLS : TLSWIRE_ERR_RECORD,
		    "%srecord version 0x%02x%02x [TLS-BAD-VERSION]",
		    first ? "not TLS: " : "", h[1], h[2]);
	if (len > TLSWIRE_MAX_RECORD)
		return tlswire_fail(p, TLSWIRE_ERR_RECORD,
		    "record length %zu exceeds "
		    "16384+2048 [TLS-LEN-OVERFLOW]", len);
	if (first)
		p->state = TLSWIRE_ST_HANDSHAKE;
	p->rtype = h[0];
	p->rleft = len;
	if (h[0] == CT_APPDATA ||
	    (h[0] == CT_CCS && !p->ccs_compat))
		p->state = TLSWIRE_ST_ENCRYPTED;	/* stop here */
	return 0;
}

static int
sslv2_header(struct tlswire_parser *p)
{
	const uint8_t *h = p->rhdr;

	if (p->rhdr_need == 2)
		p->rleft = (size_t)(h[0] & 0x7f) << 8 | h[1];
	else
		p->rleft = (size_t)(h[0] & 0x3f) << 8 | h[1];
	if (p->state == TLSWIRE_ST_START) {
		if (p->rleft == 0)
			return tlswire_fail(p, TLSWIRE_ERR_RECORD,
			    "empty SSLv2 record [SSL2-LEN]");
		p->state = TLSWIRE_ST_SSLV2;
		p->hlen = p->rleft;
		p->hhave = 0;
	}
	return 0;
}

/* Collect header bytes; returns 1 with a header ready, 0 for more. */
static int
header_input(struct tlswire_parser *p, const uint8_t **d, size_t *n)
{
	uint8_t b;

	if (p->rhdr_have == 0) {
		b = **d;
		if (p->v2)
			p->rhdr_need = b & 0x80 ? 2 : 3;
		else if (p->state != TLSWIRE_ST_START ||
		    (b >= CT_CCS && b <= CT_HEARTBEAT))
			p->rhdr_need = 5;
		else if (b & 0x80) {		/* SSLv2 2-byte header */
			p->v2 = true;
			p->rhdr_need = 2;
		} else
			return not_tls(p, b);
	}
	while (*n > 0 && p->rhdr_have < p->rhdr_need) {
		p->rhdr[p->rhdr_have++] = *(*d)++;
		(*n)--;
	}
	if (p->rhdr_have < p->rhdr_need)
		return 0;
	p->rhdr_have = 0;
	if ((p->v2 ? sslv2_header(p) : tls_header(p)) == -1)
		return -1;
	return 1;
}

static int
alert_input(struct tlswire_parser *p, const uint8_t *d, size_t n)
{
	while (n > 0 && p->state != TLSWIRE_ST_ALERT) {
		p->alert[p->alert_have++] = *d++;
		n--;
		if (p->alert_have < 2)
			continue;
		p->alert_have = 0;
		if (p->ev->on_alert != NULL)
			p->ev->on_alert(p->ev->arg, p->alert[0], p->alert[1]);
		if (p->alert[0] != TLSWIRE_ALERT_WARNING || p->alert[1] == 0)
			p->state = TLSWIRE_ST_ALERT;
	}
	return 0;
}

/* n bytes of the current record's payload. */
static int
payload_input(struct tlswire_parser *p, const uint8_t *d, size_t n)
{
	const uint8_t *msg;

	if (p->state == TLSWIRE_ST_SSLV2) {
		msg = collect(p, &d, &n);
		return msg == NULL ? 0 : tlswire_parse_sslv2(p, msg, p->hlen);
	}
	if (p->v2)
		return 0;		/* later SSLv2 records: encrypted */
	switch (p->rtype) {
	case CT_HANDSHAKE:
		return hs_input(p, d, n);
	case CT_ALERT:
		return alert_input(p, d, n);
	default:			/* heartbeat, TLS 1.3 compat CCS */
		return 0;
	}
}

int
tlswire_feed(struct tlswire_parser *p, const uint8_t *d, size_t n)
{
	size_t k;
	int rc;

	while (n > 0) {
		if (p->state == TLSWIRE_ST_ERROR)
			return -1;
		if (p->state == TLSWIRE_ST_ENCRYPTED ||
		    p->state == TLSWIRE_ST_ALERT)
			return 0;
		if (p->rleft == 0) {
			if ((rc = header_input(p, &d, &n)) <= 0)
				return rc;
			continue;
		}
		k = p->rleft < n ? p->rleft : n;
		p->rleft -= k;
		if (payload_input(p, d, k) == -1)
			return -1;
		d += k;
		n -= k;
	}
	return p->state == TLSWIRE_ST_ERROR ? -1 : 0;
}
