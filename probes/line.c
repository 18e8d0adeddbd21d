/*
 * line.c: the shared reply reader of the text protocols and its helpers
 * (see line.h).  Everything here is pure: bytes in, lines and verdicts out.
 *
 * Hazards handled:
 *  [LINE-UNBOUNDED]  a server that never sends a newline: the line is capped
 *                    at LINE_MAX_LEN bytes, then the probe fails.
 *  [LINE-NUL]        NUL bytes would cut C strings short: rejected, so lines
 *                    handed to probes are safe C strings.
 *  [LINE-USED]       the go-ahead line may be followed by pipelined bytes in
 *                    the same chunk: *used stops right after the line that
 *                    ended the dialogue.
 */
#include "probes/line.h"

#include <stdio.h>
#include <string.h>

static bool
is_ctl_bad(uint8_t c, bool allow_ctl)
{
	if (c == 0)
		return true;
	if (c == '\t' || c == '\r' || c == '\n')
		return false;
	return !allow_ctl && (c < 0x20 || c == 0x7f);
}

static enum probe_rc
line_binary(struct line_reader *lr, const struct line_proto *proto,
    struct probe_ctx *ctx, uint8_t c)
{
	const char *what;

	if (lr->total == 0 && (what = line_guess(&c, 1)) != NULL)
		return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
		    "server sent %s, not %s (implicit TLS port?)", what,
		    proto->name);
	return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
	    "server sent binary data (byte 0x%02x at offset %llu), not %s",
	    c, (unsigned long long)lr->total, proto->name);
}

enum probe_rc
line_input(struct line_reader *lr, const struct line_proto *proto,
    struct probe_ctx *ctx, void *state, const uint8_t *buf, size_t len,
    size_t *used)
{
	enum probe_rc rc;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = buf[i];

		*used = i + 1;
		if (lr->ready) {
			lr->ready = false;
			lr->len = 0;
		}
		/* 0x16, 0x15: a TLS record's first byte */
		if (is_ctl_bad(c, proto->allow_ctl) ||
		    (lr->total == 0 && (c == 0x16 || c == 0x15)))
			return line_binary(lr, proto, ctx, c);
		lr->total++;
		if (c != '\n') {
			/* [LINE-UNBOUNDED] room for a CR before the LF */
			if (lr->len >= LINE_MAX_LEN + 1 ||
			    (lr->len == LINE_MAX_LEN && c != '\r'))
				return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
				    "%s reply line longer than %d bytes",
				    proto->name, LINE_MAX_LEN);
			lr->buf[lr->len++] = (char)c;
			continue;
		}
		if (lr->len > 0 && lr->buf[lr->len - 1] == '\r')
			lr->len--;
		lr->buf[lr->len] = '\0';
		lr->ready = true;
		rc = proto->fn(ctx, state, lr->buf, lr->len);
		if (rc != PROBE_MORE)
			return rc;	/* [LINE-USED] */
	}
	*used = len;
	return PROBE_MORE;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The code of "ddd", "ddd ..." or "ddd-..."; -1 if none.  *cont says '-'. */
static int
reply_code(const char *s, size_t len, bool *cont)
{
	if (len < 3 || !is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2]))
		return -1;
	if (s[0] < '1' || s[0] > '5')
		return -1;
	if (len > 3 && s[3] != ' ' && s[3] != '-')
		return -1;
	*cont = len > 3 && s[3] == '-';
	return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

const char *
line_reply_text(const char *s, size_t len)
{
	return len > 4 ? s + 4 : "";
}

enum line_reply_rc
line_reply_add(struct line_reply *r, const char *s, size_t len, bool lax)
{
	bool cont = false;
	int code;

	if (r->done || r->code == 0) {
		*r = (struct line_reply){ 0 };
		if ((code = reply_code(s, len, &cont)) < 0)
			return LINE_REPLY_BAD;
		r->code = code;
		line_clean(r->text, sizeof(r->text), line_reply_text(s, len),
		    strlen(line_reply_text(s, len)));
	} else if ((code = reply_code(s, len, &cont)) != r->code) {
		/* RFC 959: inner lines of an FTP reply are free text. */
		if (!lax)
			return LINE_REPLY_BAD;
		cont = true;
	}
	r->nlines++;
	if (cont)
		return LINE_REPLY_MORE;
	r->done = true;
	return LINE_REPLY_DONE;
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
prefix_ci(const char *s, const char *word)
{
	for (; *word != '\0'; s++, word++)
		if (*s == '\0' || lower(*s) != lower(*word))
			return false;
	return true;
}

bool
line_word(const char **p, const char *word)
{
	const char *s = *p;
	size_t n = strlen(word);

	if (!prefix_ci(s, word))
		return false;
	s += n;
	if (*s != '\0' && *s != ' ' && *s != '[' && *s != '(')
		return false;
	while (*s == ' ')
		s++;
	*p = s;
	return true;
}

static bool
is_tok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    is_digit(c) || (c != '\0' && strchr("-_=.+/", c) != NULL);
}

bool
line_has_token(const char *s, const char *tok)
{
	size_t n = strlen(tok);

	for (const char *p = s; *p != '\0'; p++) {
		if (p > s && is_tok(p[-1]))
			continue;
		if (prefix_ci(p, tok) && !is_tok(p[n]))
			return true;
	}
	return false;
}

void
line_clean(char *dst, size_t dstsz, const void *src, size_t len)
{
	const uint8_t *s = src;
	bool cut = false;
	size_t n;

	while (len > 0 && s[0] == ' ')
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	n = len;
	if (dstsz == 0)
		return;
	if (n > dstsz - 1) {
		n = dstsz - 1;
		if (dstsz > 4) {
			n = dstsz - 4;
			cut = true;
		}
	}
	for (size_t i = 0; i < n; i++)
		dst[i] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	if (cut) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
}

bool
line_cap_add(char *caps, size_t capsz, const char *s, const char *want)
{
	size_t n = strcspn(s, " "), have = strlen(caps);
	const char *p = s;

	if (n > 0 && have + n + 2 <= capsz) {
		if (have > 0)
			caps[have++] = ' ';
		line_clean(caps + have, n + 1, s, n);
	}
	return want != NULL && n == strlen(want) && line_word(&p, want);
}

static const struct {
	const char	*prefix;
	const char	*what;
} guesses[] = {
	{ "\x16", "a TLS handshake record" },
	{ "\x15", "a TLS alert record" },
	{ "HTTP/", "an HTTP response" },
	{ "SSH-", "an SSH banner" },
	{ "<?xml", "XML" },
	{ "* OK", "an IMAP greeting" },
	{ "+OK", "a POP3 greeting" },
	{ "220", "an SMTP or FTP greeting" },
	{ "200", "an NNTP greeting" },
	{ "RFB ", "a VNC greeting" },
	{ "\"IMPLEMENTATION\"", "a ManageSieve greeting" },
};

const char *
line_guess(const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(guesses) / sizeof(guesses[0]); i++) {
		size_t n = strlen(guesses[i].prefix);

		if (len >= n && memcmp(buf, guesses[i].prefix, n) == 0)
			return guesses[i].what;
	}
	return NULL;
}

enum probe_rc
line_unexpected(struct probe_ctx *ctx, const char *proto, const char *s,
    size_t len)
{
	char text[PROBE_TEXT_MAX + 1];
	const char *what;

	line_clean(text, sizeof(text), s, len);
	what = line_guess((const uint8_t *)s, len);
	return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
	    "not %s: server sent \"%s\"%s%s%s", proto, text,
	    what != NULL ? " (" : "", what != NULL ? what : "",
	    what != NULL ? ")" : "");
}

bool
line_is_safe_name(const char *name)
{
	size_t n;

	if (name == NULL || (n = strlen(name)) == 0 || n > 255)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !is_digit(c) && strchr(".-_:[]", c) == NULL)
			return false;
	}
	return true;
}
