/*
 * passive.c: TLS found by content in reassembled streams: the handshake
 * detector and the STARTTLS watcher (see passive.h).
 *
 * The watcher is one small state machine per flow (PLAIN -> ASKED ->
 * GRANTED, back to PLAIN on a refusal) fed by both directions.  Text
 * protocols are cut into lines; the client's command (STARTTLS, STLS,
 * AUTH TLS, "tag STARTTLS") names the protocol and the go-ahead it waits
 * for (220, +OK, 234, "tag OK").  XMPP is followed with two tiny pattern
 * scanners (<starttls .../> and <proceed .../>), LDAP by whole BER
 * messages (ExtendedRequest with the StartTLS OID, ExtendedResponse with
 * resultCode 0).  The server's TLS starts right after its go-ahead; the
 * client's at the first message boundary after its request once the
 * server has agreed, or sooner if the bytes there are a TLS hello
 * (captures may order the two directions either way).
 *
 * Hazard tags: [LINE-CAP] overlong lines are skipped, not stored;
 * [PLAIN-CAP] plaintext followed per direction is capped;
 * [BER-INDEF-LEN] indefinite lengths are refused; [BER-LEN-OVERFLOW]
 * length-of-length above 4 is refused; [BER-BIG-MSG] messages larger than
 * the buffer are skipped by count.
 */
#include "probes/passive.h"

#include <string.h>

enum stls_state {
	ST_PLAIN,		/* waiting for the client's request */
	ST_ASKED,		/* request sent, no reply yet */
	ST_GRANTED,		/* the server said yes */
};

static const char *const detect_names[] = {
	[PASSIVE_MORE] = "more",
	[PASSIVE_TLS] = "tls",
	[PASSIVE_SSLV2] = "sslv2",
	[PASSIVE_NOT_TLS] = "not-tls",
};
_Static_assert(sizeof(detect_names) / sizeof(detect_names[0]) ==
    PASSIVE_DETECT__MAX, "detect_names out of step");

static const char *const proto_names[] = {
	[PASSIVE_PROTO_NONE] = "none",
	[PASSIVE_PROTO_TEXT] = "text",
	[PASSIVE_PROTO_SMTP] = "smtp",
	[PASSIVE_PROTO_IMAP] = "imap",
	[PASSIVE_PROTO_POP3] = "pop3",
	[PASSIVE_PROTO_FTP] = "ftp",
	[PASSIVE_PROTO_XMPP] = "xmpp",
	[PASSIVE_PROTO_LDAP] = "ldap",
};
_Static_assert(sizeof(proto_names) / sizeof(proto_names[0]) ==
    PASSIVE_PROTO__MAX, "proto_names out of step");

static const char LDAP_STARTTLS_OID[] = "1.3.6.1.4.1.1466.20037";

const char *
passive_detect_name(enum passive_detect d)
{
	return (unsigned)d < PASSIVE_DETECT__MAX ? detect_names[d] : NULL;
}

const char *
passive_proto_name(enum passive_proto p)
{
	return (unsigned)p < PASSIVE_PROTO__MAX ? proto_names[p] : NULL;
}

/* SSLv2 record with a two-byte header (RFC 6101 appendix E.2). */
static enum passive_detect
detect_sslv2(const uint8_t *p, size_t len)
{
	size_t rlen;

	if (len < 2)
		return PASSIVE_MORE;
	rlen = (size_t)(p[0] & 0x7f) << 8 | p[1];
	if (len < 3)
		return PASSIVE_MORE;
	if (p[2] == 1) {		/* CLIENT-HELLO */
		if (rlen < 9)
			return PASSIVE_NOT_TLS;
		if (len < 5)
			return PASSIVE_MORE;
		if ((p[3] == 0 && p[4] == 2) || (p[3] == 3 && p[4] <= 4))
			return PASSIVE_SSLV2;
		return PASSIVE_NOT_TLS;
	}
	if (p[2] == 4) {		/* SERVER-HELLO */
		if (rlen < 11)
			return PASSIVE_NOT_TLS;
		if (len < 7)
			return PASSIVE_MORE;
		if (p[3] <= 1 && p[4] == 1 && p[5] == 0 && p[6] == 2)
			return PASSIVE_SSLV2;
	}
	return PASSIVE_NOT_TLS;
}

enum passive_detect
passive_detect(const uint8_t *p, size_t len)
{
	size_t rlen;

	if (len == 0)
		return PASSIVE_MORE;
	if (p[0] & 0x80)
		return detect_sslv2(p, len);
	if (p[0] != 0x16)		/* handshake content type */
		return PASSIVE_NOT_TLS;
	if (len >= 2 && p[1] != 3)
		return PASSIVE_NOT_TLS;
	if (len >= 3 && p[2] > 4)
		return PASSIVE_NOT_TLS;
	if (len < 5)
		return PASSIVE_MORE;
	rlen = (size_t)p[3] << 8 | p[4];
	if (rlen < 4 || rlen > 16384 + 2048)	/* header of a hello .. */
		return PASSIVE_NOT_TLS;		/* .. TLSCiphertext max */
	if (len >= 6 && p[5] != 1 && p[5] != 2)	/* client/server hello */
		return PASSIVE_NOT_TLS;
	return PASSIVE_TLS;
}

static bool
has_prefix(const uint8_t *p, size_t len, const char *s)
{
	size_t n = strlen(s);

	return len >= n && memcmp(p, s, n) == 0;
}

/* A BER SEQUENCE header followed by an INTEGER: an LDAPMessage start. */
static bool
looks_ldap(const uint8_t *p, size_t len)
{
	size_t k;

	if (len < 3 || p[0] != 0x30)
		return false;
	if (p[1] < 0x80)
		return p[2] == 0x02;
	k = p[1] & 0x7f;
	return k >= 1 && k <= 4 && len > 2 + k && p[2 + k] == 0x02;
}

enum passive_proto
passive_guess_proto(uint16_t server_port, enum flow_dir d,
    const uint8_t *p, size_t len)
{
	switch (server_port) {
	case 389: case 3268:
		return PASSIVE_PROTO_LDAP;
	case 5222: case 5269:
		return PASSIVE_PROTO_XMPP;
	case 21: case 25: case 110: case 143: case 587: case 2525:
		return PASSIVE_PROTO_TEXT;
	default:
		break;
	}
	if (d == FLOW_S2C) {
		/* Banners of the server-first protocols with STARTTLS. */
		if (has_prefix(p, len, "220") || has_prefix(p, len, "* OK") ||
		    has_prefix(p, len, "+OK"))
			return PASSIVE_PROTO_TEXT;
		return PASSIVE_PROTO_NONE;
	}
	if (has_prefix(p, len, "<?xml") || has_prefix(p, len, "<stream"))
		return PASSIVE_PROTO_XMPP;
	if (looks_ldap(p, len))
		return PASSIVE_PROTO_LDAP;
	return PASSIVE_PROTO_NONE;
}

void
passive_stls_init(struct passive_stls *st, enum passive_proto proto)
{
	memset(st, 0, sizeof(*st));
	st->proto = proto;
	st->state = ST_PLAIN;
}

bool
passive_stls_granted(const struct passive_stls *st)
{
	return st->state == ST_GRANTED;
}

/* Whether the client's TLS starts at p: only after its request. */
static bool
client_tls_here(const struct passive_stls *st, const uint8_t *p,
    size_t len)
{
	enum passive_detect d;

	if (st->state == ST_GRANTED)
		return true;
	if (st->state != ST_ASKED)
		return false;
	d = passive_detect(p, len);
	return d == PASSIVE_TLS || d == PASSIVE_SSLV2;
}

/* Case-insensitive: line[0..n) == word. */
static bool
word_eq(const uint8_t *line, size_t n, const char *word)
{
	size_t i;

	if (n != strlen(word))
		return false;
	for (i = 0; i < n; i++) {
		uint8_t c = line[i];

		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c != (uint8_t)word[i])
			return false;
	}
	return true;
}

static void
text_command(struct passive_stls *st, const uint8_t *l, size_t n)
{
	const uint8_t *sp;

	if (word_eq(l, n, "STARTTLS")) {
		st->proto = PASSIVE_PROTO_SMTP;
	} else if (word_eq(l, n, "STLS")) {
		st->proto = PASSIVE_PROTO_POP3;
	} else if (word_eq(l, n, "AUTH TLS") || word_eq(l, n, "AUTH SSL") ||
	    word_eq(l, n, "AUTH TLS-C")) {
		st->proto = PASSIVE_PROTO_FTP;
	} else if ((sp = memchr(l, ' ', n)) != NULL && sp > l &&
	    (size_t)(sp - l) < sizeof(st->tag) &&
	    word_eq(sp + 1, n - (size_t)(sp - l) - 1, "STARTTLS")) {
		st->proto = PASSIVE_PROTO_IMAP;
		memcpy(st->tag, l, (size_t)(sp - l));
		st->tag[sp - l] = '\0';
	} else
		return;
	st->state = ST_ASKED;
}

static bool
code_is(const uint8_t *l, size_t n, const char *code)
{
	return n >= 3 && memcmp(l, code, 3) == 0 && (n == 3 || l[3] == ' ');
}

/* A server line while ASKED: true when it is the go-ahead. */
static bool
text_reply(struct passive_stls *st, const uint8_t *l, size_t n)
{
	size_t tl = strlen(st->tag);
	bool yes;

	switch (st->proto) {
	case PASSIVE_PROTO_SMTP:
	case PASSIVE_PROTO_FTP:
		if (n < 3 || (n > 3 && l[3] == '-'))
			return false;		/* continuation line */
		yes = code_is(l, n, st->proto == PASSIVE_PROTO_SMTP ?
		    "220" : "234");
		break;
	case PASSIVE_PROTO_POP3:
		if (!has_prefix(l, n, "+OK") && !has_prefix(l, n, "-ERR"))
			return false;
		yes = l[0] == '+';
		break;
	case PASSIVE_PROTO_IMAP:
		if (n <= tl || memcmp(l, st->tag, tl) != 0 || l[tl] != ' ')
			return false;		/* untagged or another tag */
		yes = n >= tl + 3 && word_eq(l + tl + 1, 2, "OK") &&
		    (n == tl + 3 || l[tl + 3] == ' ');
		break;
	default:
		return false;
	}
	st->state = yes ? ST_GRANTED : ST_PLAIN;
	return yes;
}

static void
keep_banner(struct passive_stls *st, const uint8_t *l, size_t n)
{
	size_t i, o = 0;

	if (st->banner[0] != '\0')
		return;
	for (i = 0; i < n && o + 1 < sizeof(st->banner); i++)
		st->banner[o++] = l[i] >= 0x20 && l[i] < 0x7f ? (char)l[i] :
		    '?';
	st->banner[o] = '\0';
}

/* One complete line; true when TLS starts after it (server go-ahead). */
static bool
text_line(struct passive_stls *st, enum flow_dir d, const uint8_t *l,
    size_t n)
{
	if (n > 0 && l[n - 1] == '\r')
		n--;
	if (d == FLOW_C2S) {
		if (st->state == ST_PLAIN)
			text_command(st, l, n);
		return false;
	}
	keep_banner(st, l, n);
	if (st->state != ST_ASKED)
		return false;
	return text_reply(st, l, n);
}

static enum passive_stls_rc
text_feed(struct passive_stls *st, enum flow_dir d, const uint8_t *p,
    size_t len, size_t *used)
{
	struct passive_stls_dir *sd = &st->dir[d];
	size_t i;

	for (i = 0; i < len; i++) {
		if (d == FLOW_C2S && sd->len == 0 && !sd->skipping &&
		    client_tls_here(st, p + i, len - i)) {
			*used = i;
			return PASSIVE_STLS_TLS;
		}
		if (p[i] == '\n') {
			if (!sd->skipping && text_line(st, d, sd->buf,
			    sd->len)) {
				sd->len = 0;
				*used = i + 1;
				return PASSIVE_STLS_TLS;
			}
			sd->len = 0;
			sd->skipping = false;
		} else if (sd->skipping)
			continue;
		else if (sd->len == sizeof(sd->buf))
			sd->skipping = true;	/* [LINE-CAP] */
		else
			sd->buf[sd->len++] = p[i];
	}
	*used = len;
	return PASSIVE_STLS_MORE;
}

/* Pattern step; patterns start with '<' and contain no other '<', so a
 * mismatch restarts cleanly. */
static bool
pat_step(uint8_t *m, const char *pat, uint8_t c)
{
	if (c == (uint8_t)pat[*m]) {
		if (pat[++*m] == '\0') {
			*m = 0;
			return true;
		}
		return false;
	}
	*m = c == (uint8_t)pat[0] ? 1 : 0;
	return false;
}

/* XMPP element scanner: 0 seek "<name", 1 seek '>', 2 seek "</name>".
 * True at the byte that ends the element. */
static bool
xmpp_step(struct passive_stls_dir *sd, const char *open, const char *close,
    uint8_t c)
{
	bool end = false;

	switch (sd->xstate) {
	case 0:
		if (pat_step(&sd->match, open, c))
			sd->xstate = 1;
		break;
	case 1:
		if (c == '>') {
			if (sd->prev == '/')
				end = true, sd->xstate = 0;
			else
				sd->xstate = 2;
		}
		break;
	default:
		if (pat_step(&sd->match, close, c))
			end = true, sd->xstate = 0;
		break;
	}
	sd->prev = c;
	return end;
}

static enum passive_stls_rc
xmpp_feed(struct passive_stls *st, enum flow_dir d, const uint8_t *p,
    size_t len, size_t *used)
{
	struct passive_stls_dir *sd = &st->dir[d];
	size_t i;

	for (i = 0; i < len; i++) {
		if (d == FLOW_C2S) {
			if (sd->xstate == 0 && sd->match == 0 &&
			    client_tls_here(st, p + i, len - i)) {
				*used = i;
				return PASSIVE_STLS_TLS;
			}
			if (xmpp_step(sd, "<starttls", "</starttls>", p[i]) &&
			    st->state == ST_PLAIN)
				st->state = ST_ASKED;
		} else if (xmpp_step(sd, "<proceed", "</proceed>", p[i]) &&
		    st->state == ST_ASKED) {
			st->state = ST_GRANTED;
			*used = i + 1;
			return PASSIVE_STLS_TLS;
		}
	}
	*used = len;
	return PASSIVE_STLS_MORE;
}

/*
 * A BER header: 1 when more bytes are needed, -1 when it is not one we
 * take, else 0 with the header and value lengths.
 */
static int
ber_header(const uint8_t *p, size_t len, size_t *hdr, size_t *vlen)
{
	size_t k, i, v = 0;

	if (len < 2)
		return 1;
	if (p[1] < 0x80) {
		*hdr = 2;
		*vlen = p[1];
		return 0;
	}
	k = p[1] & 0x7f;
	if (k == 0)			/* [BER-INDEF-LEN] */
		return -1;
	if (k > 4)			/* [BER-LEN-OVERFLOW] */
		return -1;
	if (len < 2 + k)
		return 1;
	for (i = 0; i < k; i++)
		v = v << 8 | p[2 + i];
	if (v > 16 * 1024 * 1024)
		return -1;
	*hdr = 2 + k;
	*vlen = v;
	return 0;
}

/* A TLV that fits in p[0..len): tag, value pointer and length. */
static bool
ber_tlv(const uint8_t *p, size_t len, uint8_t *tag, const uint8_t **val,
    size_t *vlen)
{
	size_t hdr;

	if (ber_header(p, len, &hdr, vlen) != 0 || *vlen > len - hdr)
		return false;
	*tag = p[0];
	*val = p + hdr;
	return true;
}

/* One whole LDAPMessage; true when it is the server's go-ahead. */
static bool
ldap_message(struct passive_stls *st, enum flow_dir d, const uint8_t *m,
    size_t n)
{
	const uint8_t *body, *v, *op;
	size_t blen, vlen, oplen;
	uint8_t tag;

	if (!ber_tlv(m, n, &tag, &body, &blen) || tag != 0x30 ||
	    !ber_tlv(body, blen, &tag, &v, &vlen) || tag != 0x02)
		return false;
	blen -= (size_t)(v + vlen - body);
	body = v + vlen;		/* past messageID */
	if (!ber_tlv(body, blen, &tag, &op, &oplen))
		return false;
	if (d == FLOW_C2S) {		/* ExtendedRequest, requestName */
		if (tag == 0x77 && st->state == ST_PLAIN &&
		    ber_tlv(op, oplen, &tag, &v, &vlen) && tag == 0x80 &&
		    vlen == sizeof(LDAP_STARTTLS_OID) - 1 &&
		    memcmp(v, LDAP_STARTTLS_OID, vlen) == 0)
			st->state = ST_ASKED;
		return false;
	}
	if (tag != 0x78 || st->state != ST_ASKED)	/* ExtendedResponse */
		return false;
	if (ber_tlv(op, oplen, &tag, &v, &vlen) && tag == 0x0a &&
	    vlen == 1 && v[0] == 0) {
		st->state = ST_GRANTED;
		return true;
	}
	st->state = ST_PLAIN;
	return false;
}

static enum passive_stls_rc
ldap_feed(struct passive_stls *st, enum flow_dir d, const uint8_t *p,
    size_t len, size_t *used)
{
	struct passive_stls_dir *sd = &st->dir[d];
	size_t i, hdr, vlen, n;
	int rc;

	for (i = 0; i < len; i++) {
		if (sd->skip_left > 0) {	/* [BER-BIG-MSG] */
			n = len - i < sd->skip_left ? len - i : sd->skip_left;
			sd->skip_left -= n;
			i += n - 1;
			continue;
		}
		if (d == FLOW_C2S && sd->len == 0 &&
		    client_tls_here(st, p + i, len - i)) {
			*used = i;
			return PASSIVE_STLS_TLS;
		}
		sd->buf[sd->len++] = p[i];
		rc = ber_header(sd->buf, sd->len, &hdr, &vlen);
		if (rc == 1)
			continue;
		if (rc == -1 || sd->buf[0] != 0x30) {
			*used = len;
			return PASSIVE_STLS_GIVEUP;
		}
		if (hdr + vlen > sizeof(sd->buf)) {
			sd->skip_left = hdr + vlen - sd->len;
			sd->len = 0;
		} else if (sd->len == hdr + vlen) {
			sd->len = 0;
			if (ldap_message(st, d, sd->buf, hdr + vlen)) {
				*used = i + 1;
				return PASSIVE_STLS_TLS;
			}
		}
	}
	*used = len;
	return PASSIVE_STLS_MORE;
}

enum passive_stls_rc
passive_stls_feed(struct passive_stls *st, enum flow_dir d,
    const uint8_t *p, size_t len, size_t *used)
{
	struct passive_stls_dir *sd;
	enum passive_stls_rc rc;

	*used = 0;
	if ((unsigned)d >= FLOW_DIR__MAX)
		return PASSIVE_STLS_GIVEUP;
	sd = &st->dir[d];
	if (sd->tls)
		return PASSIVE_STLS_TLS;
	switch (st->proto) {
	case PASSIVE_PROTO_XMPP:
		rc = xmpp_feed(st, d, p, len, used);
		break;
	case PASSIVE_PROTO_LDAP:
		rc = ldap_feed(st, d, p, len, used);
		break;
	case PASSIVE_PROTO_NONE:
	case PASSIVE_PROTO__MAX:
		*used = len;
		return PASSIVE_STLS_GIVEUP;
	default:
		rc = text_feed(st, d, p, len, used);
		break;
	}
	sd->seen += *used;
	if (rc == PASSIVE_STLS_TLS)
		sd->tls = true;
	else if (rc == PASSIVE_STLS_MORE && sd->seen > PASSIVE_PLAIN_MAX)
		rc = PASSIVE_STLS_GIVEUP;	/* [PLAIN-CAP] */
	return rc;
}
