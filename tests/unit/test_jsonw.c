/*
 * test_jsonw.c: report/jsonw.c's strings against a byte-at-a-time
 * reference of the rules in jsonw.h, over random strings heavy in what
 * needs care: quotes, backslashes, control bytes, DEL, valid UTF-8 of each
 * length and bytes that start none.  jw_str_part() skips 8 plain bytes at
 * a time; a word-test that let one of these through would show here.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/doc_internal.h"
#include "report/jsonw.h"

/* The rules, one byte at a time, into out (large enough). */
static size_t
reference(const unsigned char *p, size_t n, char *out)
{
	size_t o = 0, k;

	out[o++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			out[o++] = (char)c;
		} else if (c >= 0x80 && (k = doc_utf8_seq(p + i, n - i)) > 0) {
			memcpy(out + o, p + i, k);
			o += k;
			i += k - 1;
		} else if (c >= 0x80) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
		} else if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else {
			const char *e = c == '\b' ? "\\b" : c == '\f' ? "\\f" :
			    c == '\n' ? "\\n" : c == '\r' ? "\\r" :
			    c == '\t' ? "\\t" : NULL;

			if (e != NULL) {
				memcpy(out + o, e, 2);
				o += 2;
			} else {
				o += (size_t)sprintf(out + o, "\\u00%02X", c);
			}
		}
	}
	out[o++] = '"';
	return o;
}

static unsigned
next(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(*s >> 33);
}

/* Mostly plain ASCII, with every kind of byte that needs care. */
static size_t
random_string(uint64_t *s, unsigned char *p, size_t max)
{
	static const char *const utf8[] = {
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x94\x92", "\xe2\x80\xa8",
	};
	size_t n = next(s) % max, i = 0;

	while (i < n) {
		unsigned r = next(s) % 100;

		if (r < 70) {
			p[i++] = (unsigned char)(0x20 + next(s) % 0x60);
		} else if (r < 76) {
			p[i++] = r % 2 ? '"' : '\\';
		} else if (r < 84) {
			p[i++] = (unsigned char)(next(s) % 0x20);
		} else if (r < 86) {
			p[i++] = 0x7f;
		} else if (r < 94) {
			const char *u = utf8[next(s) % 4];
			size_t k = strlen(u);

			if (i + k > n)
				break;
			memcpy(p + i, u, k);
			i += k;
		} else {
			p[i++] = (unsigned char)(0x80 + next(s) % 0x80);
		}
	}
	return i;
}

#define STR_MAX	96

/* jw_str() of the n bytes at in writes what the reference does. */
static void
str_is(struct jsonw *w, const unsigned char *in, size_t n)
{
	char	 want[STR_MAX * 6 + 3];
	size_t	 len;

	assert_true(n <= STR_MAX);
	len = reference(in, n, want);
	jw_reset(w);
	jw_str(w, (const char *)in, n);
	assert_int_equal(w->len, len);
	assert_memory_equal(w->buf, want, len);
}

static void
test_strings_match_reference(void **state)
{
	struct jsonw w = { 0 };
	unsigned char in[STR_MAX];
	uint64_t seed = 42;

	(void)state;
	for (int t = 0; t < 200000; t++)
		str_is(&w, in, random_string(&seed, in, sizeof(in)));
	jw_free(&w);
}

/* Every single byte value in every position of a 16-byte plain string. */
static void
test_each_byte_each_place(void **state)
{
	struct jsonw w = { 0 };
	unsigned char in[16];

	(void)state;
	for (int c = 0; c < 256; c++) {
		for (size_t at = 0; at < sizeof(in); at++) {
			memset(in, 'a', sizeof(in));
			in[at] = (unsigned char)c;
			str_is(&w, in, sizeof(in));
		}
	}
	jw_free(&w);
}

/* A key is its string and a colon, commas between members; JW_KEY()'s
 * the same. */
static void
test_keys(void **state)
{
	struct jsonw w = { 0 };

	(void)state;
	jw_obj_begin(&w);
	jw_key(&w, "ip");
	jw_int(&w, 1);
	jw_key(&w, "odd\"key\n");
	jw_null(&w);
	jw_key(&w, "");
	jw_bool(&w, true);
	JW_KEY(&w, "not_after");
	jw_int(&w, 2);
	jw_obj_end(&w);
	assert_int_equal(w.len, strlen("{\"ip\":1,\"odd\\\"key\\n\":null,"
	    "\"\":true,\"not_after\":2}"));
	assert_memory_equal(w.buf, "{\"ip\":1,\"odd\\\"key\\n\":null,"
	    "\"\":true,\"not_after\":2}", w.len);
	jw_free(&w);
}

/* jansson's real: "%.15g", ".0" when neither '.' nor 'e', the exponent
 * without '+' and leading zeros (C locale). */
static void
real_reference(double v, char *out, size_t len)
{
	char buf[48], *e, *d;

	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL)
		strcat(buf, ".0");
	if ((e = strchr(buf, 'e')) != NULL) {
		e++;
		if (*e == '-')
			e++;
		for (d = e; *d == '+' || *d == '0'; d++)
			;
		memmove(e, d, strlen(d) + 1);
	}
	snprintf(out, len, "%s", buf);
}

static void
real_is(struct jsonw *w, double v)
{
	char	 want[64];

	real_reference(v, want, sizeof(want));
	jw_reset(w);
	jw_real(w, v);
	if (w->len != strlen(want) || memcmp(w->buf, want, w->len) != 0)
		fail_msg("%.17g: \"%.*s\", want \"%s\"", v, (int)w->len,
		    w->buf, want);
}

/* Reals, the tenths of the fast path among them, print as jansson did. */
static void
test_reals(void **state)
{
	static const double odd[] = { 0.0, -0.0, 0.1 + 0.2, 1e13, 1e13 - 0.1,
	    99999999999999.9, 1e15, 1e21, 1e-7, 123456.75, -2.5, -0.1,
	    5e-324, 1.7976931348623157e308, 0.05, 0.15, 0.25, 2.675 };
	struct jsonw w = { 0 };
	unsigned seed = 7;

	(void)state;
	for (long long k = 0; k <= 300000; k++) {
		real_is(&w, (double)k / 10);
		real_is(&w, round((double)k / 100 * 10) / 10);
	}
	for (long long k = 999999999990LL; k < 1000000000010LL; k++)
		real_is(&w, (double)k / 10);
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		real_is(&w, odd[i]);
	for (int i = 0; i < 200000; i++) {
		uint64_t bits = 0;
		double v;

		for (int b = 0; b < 4; b++)
			bits = bits << 16 | (uint64_t)(rand_r(&seed) & 0xffff);
		memcpy(&v, &bits, sizeof(v));
		if (isfinite(v))
			real_is(&w, v);
		real_is(&w, (double)(rand_r(&seed) % 100000) / 10 + 0.05);
	}
	jw_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings_match_reference),
		cmocka_unit_test(test_each_byte_each_place),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_reals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
