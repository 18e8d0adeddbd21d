/*
 * test_line.c: probes/line.c, the shared reply reader: line cutting
 * across reads, the 4 KiB cap, *used at a stop, binary detection, numeric
 * replies (strict and FTP-lax), tokens, words and sanitising.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "probes/line.h"
#include "tests/unit/fake_ctx.h"

struct collect {
	char		 lines[8][64];
	size_t		 n;
	size_t		 stop_at;	/* START_TLS on this line, from 1 */
};

static enum probe_rc
collect_line(struct probe_ctx *ctx, void *state, const char *line,
    size_t len)
{
	struct collect *c = state;

	(void)ctx;
	assert_int_equal(strlen(line), len);
	assert_true(c->n < 8);
	snprintf(c->lines[c->n], sizeof(c->lines[0]), "%s", line);
	if (++c->n == c->stop_at)
		return PROBE_START_TLS;
	return PROBE_MORE;
}

static const struct line_proto collect_proto = {
	.name = "TEST",
	.fn = collect_line,
};

static enum probe_rc
feed(struct line_reader *lr, struct probe_ctx *ctx, struct collect *c,
    const char *s, size_t *used)
{
	return line_input(lr, &collect_proto, ctx, c, (const uint8_t *)s,
	    strlen(s), used);
}

static void
test_lines_across_reads(void **state)
{
	static struct line_reader lr;
	static struct probe_ctx ctx;
	struct collect c = { 0 };
	size_t used;

	(void)state;
	memset(&lr, 0, sizeof(lr));
	fake_ctx_init(&ctx, NULL);
	assert_int_equal(feed(&lr, &ctx, &c, "220 a", &used), PROBE_MORE);
	assert_int_equal(used, 5);
	assert_int_equal(c.n, 0);
	assert_int_equal(feed(&lr, &ctx, &c, "b\r", &used), PROBE_MORE);
	assert_int_equal(feed(&lr, &ctx, &c, "\nbare\nx\r\r\n", &used),
	    PROBE_MORE);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.lines[0], "220 ab");
	assert_string_equal(c.lines[1], "bare");
	assert_string_equal(c.lines[2], "x\r");	/* only one CR is the end */
}

static void
test_used_at_stop(void **state)
{
	static struct line_reader lr;
	static struct probe_ctx ctx;
	struct collect c = { .stop_at = 2 };
	size_t used;

	(void)state;
	memset(&lr, 0, sizeof(lr));
	fake_ctx_init(&ctx, NULL);
	assert_int_equal(feed(&lr, &ctx, &c, "one\r\ntwo\r\nthree\r\n",
	    &used), PROBE_START_TLS);
	assert_int_equal(used, 10);
	assert_int_equal(c.n, 2);
}

static void
test_cap(void **state)
{
	static struct line_reader lr;
	static struct probe_ctx ctx;
	static char big[LINE_MAX_LEN + 4];
	struct collect c = { 0 };
	size_t used;

	(void)state;
	memset(&lr, 0, sizeof(lr));
	fake_ctx_init(&ctx, NULL);
	memset(big, 'a', LINE_MAX_LEN);
	memcpy(big + LINE_MAX_LEN, "\r\n", 3);
	assert_int_equal(feed(&lr, &ctx, &c, big, &used), PROBE_MORE);
	assert_int_equal(c.n, 1);
	assert_int_equal(strlen(lr.buf), LINE_MAX_LEN);
	memcpy(big + LINE_MAX_LEN, "a\n", 3);
	assert_int_equal(feed(&lr, &ctx, &c, big, &used), PROBE_FAIL);
	assert_int_equal(ctx.status, SCAN_PROTOCOL_ERROR);
	assert_non_null(strstr(ctx.reason, "longer than 4096"));
}

static void
test_binary(void **state)
{
	static struct line_reader lr;
	static struct probe_ctx ctx;
	struct collect c = { 0 };
	struct line_proto lax = collect_proto;
	size_t used;

	(void)state;
	memset(&lr, 0, sizeof(lr));
	fake_ctx_init(&ctx, NULL);
	assert_int_equal(line_input(&lr, &collect_proto, &ctx, &c,
	    (const uint8_t *)"\x16\x03\x01", 3, &used), PROBE_FAIL);
	assert_non_null(strstr(ctx.reason, "TLS handshake record"));
	/* colour codes pass when allowed, NUL never does */
	lax.allow_ctl = true;
	memset(&lr, 0, sizeof(lr));
	fake_ctx_init(&ctx, NULL);
	assert_int_equal(line_input(&lr, &lax, &ctx, &c,
	    (const uint8_t *)"a\x03" "4red\n", 7, &used), PROBE_MORE);
	assert_int_equal(line_input(&lr, &lax, &ctx, &c,
	    (const uint8_t *)"b\0c\n", 4, &used), PROBE_FAIL);
	assert_non_null(strstr(ctx.reason, "byte 0x00 at offset 8"));
}

static void
test_reply(void **state)
{
	struct line_reply r = { 0 };

	(void)state;
	assert_int_equal(line_reply_add(&r, "250-a.example", 13, false),
	    LINE_REPLY_MORE);
	assert_int_equal(line_reply_add(&r, "250-SIZE 1", 10, false),
	    LINE_REPLY_MORE);
	assert_int_equal(line_reply_add(&r, "250 HELP", 8, false),
	    LINE_REPLY_DONE);
	assert_int_equal(r.code, 250);
	assert_int_equal(r.nlines, 3);
	assert_string_equal(r.text, "a.example");
	/* a new reply starts after DONE */
	assert_int_equal(line_reply_add(&r, "354", 3, false), LINE_REPLY_DONE);
	assert_int_equal(r.code, 354);
	assert_string_equal(r.text, "");
	assert_int_equal(line_reply_add(&r, "220-x", 5, false),
	    LINE_REPLY_MORE);
	assert_int_equal(line_reply_add(&r, " free", 5, false),
	    LINE_REPLY_BAD);
	memset(&r, 0, sizeof(r));
	assert_int_equal(line_reply_add(&r, "220-x", 5, true),
	    LINE_REPLY_MORE);
	assert_int_equal(line_reply_add(&r, " free", 5, true),
	    LINE_REPLY_MORE);
	assert_int_equal(line_reply_add(&r, "220 end", 7, true),
	    LINE_REPLY_DONE);
	memset(&r, 0, sizeof(r));
	assert_int_equal(line_reply_add(&r, "650 x", 5, false),
	    LINE_REPLY_BAD);
	memset(&r, 0, sizeof(r));
	assert_int_equal(line_reply_add(&r, "2500 x", 6, false),
	    LINE_REPLY_BAD);
	memset(&r, 0, sizeof(r));
	assert_int_equal(line_reply_add(&r, "HTTP/1.1", 8, false),
	    LINE_REPLY_BAD);
}

static void
test_tokens(void **state)
{
	const char *p = "ok [ALERT] fine";
	char caps[15] = "";

	(void)state;
	assert_true(line_has_token("IMAP4rev1 starttls AUTH=PLAIN",
	    "STARTTLS"));
	assert_true(line_has_token("\"STARTTLS\"", "STARTTLS"));
	assert_false(line_has_token("X-STARTTLS", "STARTTLS"));
	assert_false(line_has_token("STARTTLSX AUTH", "STARTTLS"));
	assert_false(line_has_token("", "STARTTLS"));
	assert_true(line_word(&p, "OK"));
	assert_string_equal(p, "[ALERT] fine");
	p = "OKAY";
	assert_false(line_word(&p, "OK"));
	assert_string_equal(p, "OKAY");
	assert_false(line_cap_add(caps, sizeof(caps), "SIZE 1024", "STLS"));
	assert_true(line_cap_add(caps, sizeof(caps), "stls", "STLS"));
	assert_false(line_cap_add(caps, sizeof(caps), "STLSX", "STLS"));
	assert_string_equal(caps, "SIZE stls");	/* STLSX did not fit */
}

static void
test_clean(void **state)
{
	char out[PROBE_TEXT_MAX + 1], tiny[6];
	char in[400];

	(void)state;
	line_clean(out, sizeof(out), "  a\tb\x7f\xc3\xa9 ", 9);
	assert_string_equal(out, "a?b???");
	memset(in, 'z', sizeof(in));
	line_clean(out, sizeof(out), in, sizeof(in));
	assert_int_equal(strlen(out), PROBE_TEXT_MAX);
	assert_string_equal(out + PROBE_TEXT_MAX - 3, "...");
	line_clean(out, sizeof(out), in, PROBE_TEXT_MAX);
	assert_int_equal(strlen(out), PROBE_TEXT_MAX);
	assert_int_equal(out[PROBE_TEXT_MAX - 1], 'z');
	line_clean(tiny, sizeof(tiny), "abcdefgh", 8);
	assert_string_equal(tiny, "ab...");
	line_clean(tiny, 2, "abcdefgh", 8);
	assert_string_equal(tiny, "a");
}

static void
test_names(void **state)
{
	(void)state;
	assert_true(line_is_safe_name("mx.example.org"));
	assert_true(line_is_safe_name("[192.0.2.1]"));
	assert_false(line_is_safe_name(NULL));
	assert_false(line_is_safe_name(""));
	assert_false(line_is_safe_name("a b"));
	assert_false(line_is_safe_name("a'b"));
	assert_false(line_is_safe_name("a\r\nRCPT"));
	assert_non_null(line_guess((const uint8_t *)"HTTP/1.1 200", 12));
	assert_null(line_guess((const uint8_t *)"HTT", 3));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_across_reads),
		cmocka_unit_test(test_used_at_stop),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
