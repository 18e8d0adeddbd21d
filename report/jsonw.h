/*
 * jsonw.h: a streaming JSON writer into a growable byte buffer, for the
 * jsonl writer (jsonl.c), in jsonw.c.  Not part of the report layer's
 * surface.
 *
 * The bytes are those jansson 2.14's json_dumpf() wrote with JSON_COMPACT
 * | JSON_REAL_PRECISION(15), which jsonl.c used before: no spaces, keys
 * in the order written, '/' and non-ASCII as they are, control
 * characters as \b \f \n \r \t or \u00XX (upper-case hex), reals as
 * "%.15g" with ".0" added to integral values and the exponent without
 * '+' or leading zeros ("1e15", "2.5e-7").  Commas go in by themselves:
 * call jw_key() before each member's value, nothing between array items.
 */
#ifndef CERTSWEEP_REPORT_JSONW_H
#define CERTSWEEP_REPORT_JSONW_H

#include <stdbool.h>
#include <stddef.h>

struct jsonw {
	char	*buf;		/* owned, kept from line to line */
	size_t	 len, cap;
	bool	 comma;		/* a value precedes in this container */
};

/* Empties the buffer, keeping its memory. */
void	jw_reset(struct jsonw *);
void	jw_free(struct jsonw *);

void	jw_obj_begin(struct jsonw *);
void	jw_obj_end(struct jsonw *);
void	jw_arr_begin(struct jsonw *);
void	jw_arr_end(struct jsonw *);
/* The name of the next member of the open object. */
void	jw_key(struct jsonw *, const char *);
/* The same of a name of n bytes that needs no escaping.  JW_KEY() takes a
 * string literal, our own member names, and counts it when compiling. */
void	jw_key_plain(struct jsonw *, const char *, size_t n);
#define JW_KEY(w, lit)	jw_key_plain((w), "" lit, sizeof(lit) - 1)

/* The n bytes at s as a string, each byte that starts no valid UTF-8
 * sequence replaced by U+FFFD. */
void	jw_str(struct jsonw *, const char *s, size_t n);
/* The same of a C string; NULL is "". */
void	jw_cstr(struct jsonw *, const char *);
/* A string written in pieces, cleaned piece by piece: split only before
 * an ASCII byte, or the cleaning differs from jw_str()'s. */
void	jw_str_begin(struct jsonw *);
void	jw_str_part(struct jsonw *, const char *s, size_t n);
void	jw_str_end(struct jsonw *);

void	jw_int(struct jsonw *, long long);
/* A finite real; NaN and infinities, which JSON lacks, become null. */
void	jw_real(struct jsonw *, double);
void	jw_bool(struct jsonw *, bool);
void	jw_null(struct jsonw *);
/* One byte as it is, outside any value (the line's newline). */
void	jw_byte(struct jsonw *, char);

#endif /* CERTSWEEP_REPORT_JSONW_H */
