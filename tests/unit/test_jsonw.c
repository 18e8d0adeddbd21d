/*
 * test_jsonw.c: report/jsonw.c's strings against a byte-at-a-time
 * reference of the rules in jsonw.h, over random strings heavy in what
 * needs care: quotes, backslashes, control bytes, DEL, valid UTF-8 of each
 * length and bytes that start none.  jw_str_part() skips 8 plain bytes at
 * a time; a word-test that let one of these through would show here.
 */
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

static void
test_strings_match_reference(void **state)
{
	struct jsonw w = { 0 };
	unsigned char in[96];
	char want[96 * 6 + 3];
	uint64_t seed = 42;

	(void)state;
	for (int t = 0; t < 200000; t++) {
		size_t n = random_string(&seed, in, sizeof(in));
		size_t len = reference(in, n, want);

		jw_reset(&w);
		jw_str(&w, (const char *)in, n);
		assert_int_equal(w.len, len);
		assert_memory_equal(w.buf, want, len);
	}
	jw_free(&w);
}

/* Every single byte value in every position of a 16-byte plain string. */
static void
test_each_byte_each_place(void **state)
{
	struct jsonw w = { 0 };
	unsigned char in[16];
	char want[16 * 6 + 3];

	(void)state;
	for (int c = 0; c < 256; c++) {
		for (size_t at = 0; at < sizeof(in); at++) {
			size_t len;

			memset(in, 'a', sizeof(in));
			in[at] = (unsigned char)c;
			len = reference(in, sizeof(in), want);
			jw_reset(&w);
			jw_str(&w, (const char *)in, sizeof(in));
			assert_int_equal(w.len, len);
			assert_memory_equal(w.buf, want, len);
		}
	}
	jw_free(&w);
}

/* A key is its string and a colon, commas between members. */
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
	jw_obj_end(&w);
	assert_int_equal(w.len, strlen("{\"ip\":1,\"odd\\\"key\\n\":null,"
	    "\"\":true}"));
	assert_memory_equal(w.buf, "{\"ip\":1,\"odd\\\"key\\n\":null,"
	    "\"\":true}", w.len);
	jw_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings_match_reference),
		cmocka_unit_test(test_each_byte_each_place),
		cmocka_unit_test(test_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
