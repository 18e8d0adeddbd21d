/*
 * line.h: the shared reply reader of the text protocols (curl's pingpong
 * idea).  A probe owns a struct line_reader in its state and hands every
 * input() chunk to line_input(), which cuts the stream into lines and calls
 * the probe's line handler once per complete line; the handler is where
 * the protocol lives.  Helpers below parse the usual reply shapes: numeric
 * codes with continuation (SMTP, FTP, NNTP), tagged lines (IMAP), status
 * words (+OK/-ERR, OK/NO/BAD/BYE), capability tokens.
 *
 * Also the small utilities every probe needs for reasons and notes:
 * sanitising server words to printable ASCII, and guessing what bytes that
 * are not the expected protocol are (a TLS record, HTTP, SSH...).
 */
#ifndef CERTSWEEP_PROBES_LINE_H
#define CERTSWEEP_PROBES_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probes/probe.h"

#define LINE_MAX_LEN	4096	/* bytes of one line, terminator excluded */

/*
 * Called once per complete line: terminator (LF or CRLF) stripped, NUL
 * terminated, len bytes, no NUL inside.  Returns PROBE_MORE to go on.
 */
typedef enum probe_rc (*line_fn)(struct probe_ctx *, void *state,
    const char *line, size_t len);

/* What line_input() needs to know about a protocol. */
struct line_proto {
	const char	*name;		/* "SMTP", for reasons */
	line_fn		 fn;
	bool		 allow_ctl;	/* IRC: colour codes in notices */
};

/* Zero-initialised state is a valid empty reader. */
struct line_reader {
	size_t		 len;		/* bytes of the current line */
	uint64_t	 total;		/* bytes of the stream so far */
	bool		 ready;		/* buf holds a complete line */
	char		 buf[LINE_MAX_LEN + 2];
};

/*
 * Feed server bytes: calls proto->fn for each complete line until it
 * returns something other than PROBE_MORE, and returns that with *used =
 * bytes up to and including that line's terminator; else PROBE_MORE with
 * *used = len (a partial line stays in the reader).  Fails the probe with
 * SCAN_PROTOCOL_ERROR on a line over LINE_MAX_LEN bytes, on NUL or (unless
 * allow_ctl) other control bytes, and on a TLS record at stream start.
 */
enum probe_rc	 line_input(struct line_reader *, const struct line_proto *,
		    struct probe_ctx *, void *state, const uint8_t *, size_t,
		    size_t *used);

/*
 * Numeric replies: "250-first", "250-more", "250 last".  Zero-initialised
 * is ready for a new reply.  line_reply_add() takes each line: LINE_REPLY_MORE
 * while the reply goes on, LINE_REPLY_DONE on its last line (code, text
 * valid), LINE_REPLY_BAD when the line is not a numeric reply.  lax (FTP,
 * RFC 959): continuation lines need not start with the code.
 */
enum line_reply_rc {
	LINE_REPLY_MORE,
	LINE_REPLY_DONE,
	LINE_REPLY_BAD,
};

struct line_reply {
	int		 code;		/* 100..599; 0 before the first line */
	bool		 done;
	unsigned	 nlines;
	/* the first line's text, sanitised */
	char		 text[PROBE_TEXT_MAX + 1];
};

enum line_reply_rc line_reply_add(struct line_reply *, const char *, size_t,
		    bool lax);
/* The text after "250-" or "250 " of a reply line; "" if none. */
const char	*line_reply_text(const char *, size_t);

/*
 * If *p starts with word (ASCII case-insensitive) followed by a space,
 * '[', '(' or the end, move *p past the word and the spaces after it.
 */
bool		 line_word(const char **p, const char *word);
/* Whether tok occurs in s as a whole token (case-insensitive); tokens are
 * runs of letters, digits and "-_=.+/". */
bool		 line_has_token(const char *s, const char *tok);

/*
 * Append the first word of s (up to a space) to the space-separated,
 * sanitised list caps of size capsz; words that do not fit are dropped.
 * Returns whether that word is want (case-insensitive; want may be NULL).
 */
bool		 line_cap_add(char *caps, size_t capsz, const char *s,
		    const char *want);

/*
 * Copy printable ASCII from src into dst (size dstsz), each other byte
 * as '?', spaces trimmed at both ends; "..." marks truncation.
 */
void		 line_clean(char *dst, size_t dstsz, const void *src, size_t);

/*
 * What bytes that are not the expected protocol look like: "a TLS
 * handshake record", "an HTTP response", ...; NULL if unknown.
 */
const char	*line_guess(const uint8_t *, size_t);

/*
 * Fail with SCAN_PROTOCOL_ERROR: the line is not proto at all.  The reason
 * quotes the line and says what it looks like.
 */
enum probe_rc	 line_unexpected(struct probe_ctx *, const char *proto,
		    const char *, size_t);

/* Whether name is safe to put in a command (EHLO, to='...'): letters,
 * digits and ".-_:[]", 1 to 255 bytes. */
bool		 line_is_safe_name(const char *);

#endif /* CERTSWEEP_PROBES_LINE_H */
