/*
 * test_rawgrab.c: the raw grab's ClientHello (scanner/rawgrab.c), which a
 * thread copies from the last one it built for the same name and ALPN and
 * only gives a new random.  Every hello must parse as a TLS 1.2 hello with
 * its own name, ALPN and random, and equal a freshly built one elsewhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "probes/tlswire.h"
#include "scanner/rawgrab.h"

#define RANDOM_AT	11

struct seen {
	bool	 hello;
	char	 sni[256];
	char	 alpn[64];
	uint8_t	 random[32];
};

static void
on_hello(void *arg, const struct tlswire_client_hello *ch)
{
	struct seen *s = arg;
	struct tlswire_bytes name;
	size_t off = 0, at = 0;

	s->hello = true;
	if (ch->sni.len > 0)
		memcpy(s->sni, ch->sni.data, ch->sni.len);
	s->sni[ch->sni.len] = '\0';
	while (tlswire_alpn_next(&ch->alpn, &off, &name)) {
		if (at > 0)
			s->alpn[at++] = ',';
		memcpy(s->alpn + at, name.data, name.len);
		at += name.len;
	}
	s->alpn[at] = '\0';
	memcpy(s->random, ch->random, 32);
}

/* The hello of a grab, parsed; *len its size, out a copy. */
static struct seen
hello_of(const char *sni, const char *alpn, uint64_t seed, uint8_t *out,
    size_t *len)
{
	struct rawgrab *g = rawgrab_new(sni, alpn, seed);
	struct tlswire_events ev = { .on_client_hello = on_hello };
	struct tlswire_parser p;
	struct seen s = { 0 };
	const uint8_t *h = rawgrab_hello(g, len);

	ev.arg = &s;
	assert_true(*len > 0 && *len <= 2048);
	memcpy(out, h, *len);
	tlswire_parser_init(&p, TLSWIRE_DIR_CLIENT, 0, &ev);
	assert_int_equal(tlswire_feed(&p, h, *len), 0);
	tlswire_parser_free(&p);
	rawgrab_free(g);
	assert_true(s.hello);
	assert_memory_equal(s.random, out + RANDOM_AT, 32);
	return s;
}

static void
test_copied_hellos(void **state)
{
	uint8_t a[2048], b[2048], c[2048], d[2048];
	size_t la, lb, lc, ld;
	struct seen s;

	(void)state;
	s = hello_of("one.example", NULL, 1, a, &la);
	assert_string_equal(s.sni, "one.example");
	assert_string_equal(s.alpn, "");
	/* the same name again: copied, a new random, nothing else new */
	s = hello_of("one.example", NULL, 2, b, &lb);
	assert_int_equal(la, lb);
	assert_memory_not_equal(a + RANDOM_AT, b + RANDOM_AT, 32);
	assert_memory_equal(a, b, RANDOM_AT);
	assert_memory_equal(a + RANDOM_AT + 32, b + RANDOM_AT + 32,
	    la - RANDOM_AT - 32);
	/* another name, then ALPN: built again, and say so on the wire */
	s = hello_of("another-name.example", NULL, 3, c, &lc);
	assert_string_equal(s.sni, "another-name.example");
	s = hello_of("another-name.example", "h2,http/1.1", 4, d, &ld);
	assert_string_equal(s.alpn, "h2,http/1.1");
	s = hello_of("another-name.example", NULL, 5, d, &ld);
	assert_string_equal(s.alpn, "");
	assert_memory_equal(c + RANDOM_AT + 32, d + RANDOM_AT + 32,
	    lc - RANDOM_AT - 32);
	/* no name at all (an IP target), twice */
	s = hello_of(NULL, NULL, 6, c, &lc);
	assert_string_equal(s.sni, "");
	s = hello_of("", NULL, 7, d, &ld);
	assert_string_equal(s.sni, "");
	assert_int_equal(lc, ld);
	/* and the first name once more equals its first hello */
	s = hello_of("one.example", NULL, 1, b, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
}

/* A name too long for the hello: no hello (OpenSSL's turn), and the next
 * grab still gets its own. */
static void
test_impossible_name(void **state)
{
	char longname[70000];
	struct rawgrab *g;
	uint8_t out[2048];
	size_t len;
	struct seen s;

	(void)state;
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	g = rawgrab_new(longname, NULL, 1);
	(void)rawgrab_hello(g, &len);
	assert_int_equal(len, 0);
	rawgrab_free(g);
	s = hello_of("ok.example", NULL, 2, out, &len);
	assert_string_equal(s.sni, "ok.example");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copied_hellos),
		cmocka_unit_test(test_impossible_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
