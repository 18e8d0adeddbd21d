/*
 * jsonw.c: the streaming JSON writer of jsonl.c (jsonw.h).  Values are
 * appended to one buffer that the caller writes out whole; nothing is
 * allocated per value, and the buffer grows to the longest line and stays.
 * Hazard tags: [JSON-BAD-UTF8] [JSON-NONFINITE].
 */
#include "report/jsonw.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/doc_internal.h"
#include "scanner/xmem.h"

static void
too_long(void)
{
	fprintf(stderr, "certsweep: JSON line too long\n");
	abort();
}

static void
grow(struct jsonw *w, size_t n)
{
	size_t cap = w->cap > 0 ? w->cap : 4096;

	if (n > SIZE_MAX - w->len)
		too_long();
	while (cap - w->len < n) {
		if (cap > SIZE_MAX / 2)
			too_long();
		cap *= 2;
	}
	w->buf = xreallocarray(w->buf, cap, 1);
	w->cap = cap;
}

/* Room for n more bytes; the buffer doubles as needed. */
static inline char *
room(struct jsonw *w, size_t n)
{
	if (w->buf == NULL || n > w->cap - w->len)
		grow(w, n);
	return w->buf + w->len;
}

static inline void
put(struct jsonw *w, const void *p, size_t n)
{
	memcpy(room(w, n), p, n);
	w->len += n;
}

static inline void
put1(struct jsonw *w, char c)
{
	*room(w, 1) = c;
	w->len++;
}

#define PUTS(w, lit)	put((w), (lit), sizeof(lit) - 1)

/* The comma before a value or key that is not the first. */
static void
sep(struct jsonw *w)
{
	if (w->comma)
		put1(w, ',');
	w->comma = true;
}

void
jw_reset(struct jsonw *w)
{
	w->len = 0;
	w->comma = false;
}

void
jw_free(struct jsonw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

void
jw_obj_begin(struct jsonw *w)
{
	sep(w);
	put1(w, '{');
	w->comma = false;
}

void
jw_obj_end(struct jsonw *w)
{
	put1(w, '}');
	w->comma = true;
}

void
jw_arr_begin(struct jsonw *w)
{
	sep(w);
	put1(w, '[');
	w->comma = false;
}

void
jw_arr_end(struct jsonw *w)
{
	put1(w, ']');
	w->comma = true;
}

/* No byte of the 8 at p needs anything: each in 0x20..0x7f, none '"' or
 * '\\' (the "has a byte less than" and "has a zero byte" tests of a word;
 * a false alarm only sends the word to the byte loop). */
static inline bool
plain8(const unsigned char *p)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones << 7;
	uint64_t v, q, b;

	memcpy(&v, p, sizeof(v));
	q = v ^ (ones * '"');
	b = v ^ (ones * '\\');
	return ((v | ((v - ones * 0x20) & ~v) | ((q - ones) & ~q) |
	    ((b - ones) & ~b)) & high) == 0;
}

/* One byte that needs nothing. */
static inline bool
plain1(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* A key that needs escaping takes jw_cstr()'s way; a plain one is copied
 * with its quotes and colon at once. */
void
jw_key(struct jsonw *w, const char *key)
{
	const unsigned char *u = (const unsigned char *)key;
	size_t n = strlen(key), i = 0;

	while (i < n && (n - i >= 8 ? plain8(u + i) : plain1(u[i])))
		i += n - i >= 8 ? 8 : 1;
	if (i < n) {
		jw_cstr(w, key);
		put1(w, ':');
		w->comma = false;
		return;
	}
	jw_key_plain(w, key, n);
}

void
jw_key_plain(struct jsonw *w, const char *key, size_t n)
{
	char *p;

	sep(w);
	p = room(w, n + 3);
	p[0] = '"';
	memcpy(p + 1, key, n);
	p[n + 1] = '"';
	p[n + 2] = ':';
	w->len += n + 3;
	w->comma = false;
}

void
jw_str_begin(struct jsonw *w)
{
	sep(w);
	put1(w, '"');
}

/*
 * Runs of bytes that need nothing are copied at once.  A byte starting no
 * valid UTF-8 sequence becomes U+FFFD [JSON-BAD-UTF8]; '"', '\\' and
 * control characters are escaped as jansson did; DEL, '/', U+2028 and
 * the rest of valid UTF-8 go out as they are.
 */
void
jw_str_part(struct jsonw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, k;
	char esc[6];

	while (i < n) {
		if (n - i >= 8 && plain8(p + i)) {
			i += 8;
			continue;
		}
		if (p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' &&
		    p[i] != '\\') {
			i++;
			continue;
		}
		if (p[i] >= 0x80 && (k = doc_utf8_seq(p + i, n - i)) > 0) {
			i += k;
			continue;
		}
		put(w, s + run, i - run);
		switch (p[i]) {
		case '"':
			PUTS(w, "\\\"");
			break;
		case '\\':
			PUTS(w, "\\\\");
			break;
		case '\b':
			PUTS(w, "\\b");
			break;
		case '\f':
			PUTS(w, "\\f");
			break;
		case '\n':
			PUTS(w, "\\n");
			break;
		case '\r':
			PUTS(w, "\\r");
			break;
		case '\t':
			PUTS(w, "\\t");
			break;
		default:
			if (p[i] >= 0x80) {
				PUTS(w, "\xef\xbf\xbd");
				break;
			}
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[p[i] >> 4];
			esc[5] = hex[p[i] & 0xf];
			put(w, esc, sizeof(esc));
			break;
		}
		run = ++i;
	}
	put(w, s + run, n - run);
}

void
jw_str_end(struct jsonw *w)
{
	put1(w, '"');
}

void
jw_str(struct jsonw *w, const char *s, size_t n)
{
	jw_str_begin(w);
	jw_str_part(w, s, n);
	jw_str_end(w);
}

void
jw_cstr(struct jsonw *w, const char *s)
{
	jw_str(w, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

/* As "%lld", without printf's cost. */
void
jw_int(struct jsonw *w, long long v)
{
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;
	char buf[24], *p = buf + sizeof(buf);

	sep(w);
	do {
		*--p = (char)('0' + u % 10);
	} while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	put(w, p, (size_t)(buf + sizeof(buf) - p));
}

/*
 * jansson's jsonp_dtostr() (the printf build): "%.15g", a '.' for the
 * locale's decimal point, ".0" when neither '.' nor 'e' is there (so a
 * reader keeps it a real), and the exponent stripped of '+' and leading
 * zeros.  [JSON-NONFINITE]
 */
void
jw_real(struct jsonw *w, double v)
{
	char buf[48], *e, *d;
	long long k;
	int n;

	if (!isfinite(v)) {
		jw_null(w);
		return;
	}
	/*
	 * Tenths (handshake_ms, rounded so): k/10 as "%.15g" prints it.
	 * v is the double nearest k/10, within 2^-53 of it relatively; 15
	 * digits round that back to k/10 exactly while k has at most 15.
	 */
	if (v >= 0 && v < 1e13 && !signbit(v) &&
	    (double)(k = llround(v * 10)) / 10 == v) {
		jw_int(w, k / 10);
		put1(w, '.');
		put1(w, (char)('0' + k % 10));
		return;
	}
	sep(w);
	n = snprintf(buf, sizeof(buf), "%.15g", v);
	if (n < 0 || (size_t)n >= sizeof(buf) - 2)
		too_long();	/* not reached: "%.15g" is 23 bytes at most */
	for (d = buf; *d != '\0'; d++)
		if ((*d < '0' || *d > '9') && *d != '-' && *d != '+' &&
		    *d != 'e')
			*d = '.';
	if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL) {
		memcpy(buf + n, ".0", 3);
		n += 2;
	}
	if ((e = strchr(buf, 'e')) != NULL) {
		e++;
		if (*e == '-')
			e++;
		for (d = e; *d == '+' || *d == '0'; d++)
			;
		memmove(e, d, (size_t)n + 1 - (size_t)(d - buf));
		n -= (int)(d - e);
	}
	put(w, buf, (size_t)n);
}

void
jw_bool(struct jsonw *w, bool v)
{
	sep(w);
	if (v)
		PUTS(w, "true");
	else
		PUTS(w, "false");
}

void
jw_null(struct jsonw *w)
{
	sep(w);
	PUTS(w, "null");
}

void
jw_byte(struct jsonw *w, char c)
{
	put1(w, c);
}
