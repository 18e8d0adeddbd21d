/*
 * test_jarm.c: the ten JARM ClientHellos (probes/jarm.c) parsed back by
 * tlswire and checked against the specification's table (versions,
 * cipher list and order, GREASE, ALPN list and order, supported_versions,
 * extension order), and the fuzzy hash against values computed by hand
 * (SHA-256 prefixes from Python's hashlib).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "probes/jarm.h"
#include "probes/tlswire.h"

struct ch {
	int		 n;
	uint16_t	 record, legacy;
	uint16_t	 ciphers[80];
	size_t		 nciphers;
	uint16_t	 exts[32];
	size_t		 nexts;
	uint16_t	 versions[8];
	size_t		 nversions;
	char		 alpn[160];
	char		 sni[64];
};

static void
on_ch(void *arg, const struct tlswire_client_hello *h)
{
	struct ch *c = arg;
	struct tlswire_bytes name;
	struct tlswire_ext x;
	size_t off = 0, i, len = 0;

	c->n++;
	c->record = h->record_version;
	c->legacy = h->legacy_version;
	for (i = 0; i < h->ciphers.count && i < 80; i++)
		c->ciphers[c->nciphers++] = tlswire_list16_get(&h->ciphers, i);
	while (tlswire_ext_next(&h->extensions, &off, &x) && c->nexts < 32)
		c->exts[c->nexts++] = x.type;
	for (i = 0; i < h->supported_versions.count && i < 8; i++)
		c->versions[c->nversions++] = tlswire_list16_get(
		    &h->supported_versions, i);
	for (off = 0; tlswire_alpn_next(&h->alpn, &off, &name);) {
		assert_true(len + name.len + 2 < sizeof(c->alpn));
		memcpy(c->alpn + len, name.data, name.len);
		len += name.len;
		c->alpn[len++] = ',';
		c->alpn[len] = '\0';
	}
	assert_true(h->sni.len < sizeof(c->sni));
	memcpy(c->sni, h->sni.data, h->sni.len);
}

static void
parse(unsigned i, struct ch *c)
{
	static uint8_t buf[2048];
	struct tlswire_events ev = { .arg = c, .on_client_hello = on_ch };
	struct jarm_rand r;
	struct tlswire_parser p;
	size_t n;

	memset(&r, 7, sizeof(r));
	memset(c, 0, sizeof(*c));
	assert_int_equal(jarm_build(i, "jarm.test", &r, buf, sizeof(buf), &n),
	    0);
	assert_int_equal(buf[0], 22);
	assert_int_equal((size_t)(buf[3] << 8 | buf[4]) + 5, n);
	tlswire_parser_init(&p, TLSWIRE_DIR_CLIENT, 0, &ev);
	assert_int_equal(tlswire_feed(&p, buf, n), 0);
	tlswire_parser_free(&p);
	assert_int_equal(c->n, 1);
	assert_string_equal(c->sni, "jarm.test");
}

static bool
is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

static void
test_probe_table(void **state)
{
	/* version, ciphers (without GREASE), first suite, GREASE,
	 * supported_versions count (0: none), first ALPN names */
	static const struct {
		uint16_t	 legacy;
		size_t		 nciphers;
		uint16_t	 first;
		bool		 grease;
		size_t		 nversions;
		const char	*alpn;
	} want[10] = {
		{ 0x0303, 69, 0x0016, false, 3, "hq,h2c,spdy/3,h2,spdy/2," },
		{ 0x0303, 69, 0x0005, false, 3, "http/0.9,http/1.0,http/1.1," },
		{ 0x0303, 35, 0xc012, false, 0, "http/0.9,http/1.0,http/1.1," },
		{ 0x0303, 34, 0xc013, false, 0, "http/0.9,http/1.0,spdy/1," },
		{ 0x0303, 69, 0xc012, true, 0, "hq,h2c,spdy/3,spdy/2," },
		{ 0x0302, 69, 0x0016, false, 0, "http/0.9,http/1.0,http/1.1," },
		{ 0x0303, 69, 0x0016, false, 4, "hq,h2c,spdy/3,h2," },
		{ 0x0303, 69, 0x0005, false, 4, "http/0.9,http/1.0," },
		{ 0x0303, 64, 0x0016, false, 4, "http/0.9,http/1.0," },
		{ 0x0303, 69, 0xc012, true, 4, "hq,h2c,spdy/3,h2," },
	};
	static struct ch c;
	unsigned i;

	(void)state;
	for (i = 0; i < 10; i++) {
		size_t base = want[i].grease ? 1 : 0;

		parse(i, &c);
		assert_int_equal(c.legacy, want[i].legacy);
		assert_int_equal(c.record, i >= 6 ? 0x0301 : want[i].legacy);
		assert_int_equal(c.nciphers, want[i].nciphers + base);
		assert_int_equal(is_grease(c.ciphers[0]), want[i].grease);
		assert_int_equal(c.ciphers[base], want[i].first);
		assert_int_equal(c.nversions, want[i].nversions +
		    (want[i].nversions > 0 ? base : 0));
		assert_memory_equal(c.alpn, want[i].alpn,
		    strlen(want[i].alpn));
		/* fixed extension order, GREASE first when used */
		assert_int_equal(is_grease(c.exts[0]), want[i].grease);
		assert_int_equal(c.exts[base], 0x0000);
		assert_int_equal(c.exts[base + 1], 0x0017);
		assert_int_equal(c.exts[base + 2], 0x0001);
		assert_int_equal(c.exts[base + 3], 0xff01);
		assert_int_equal(c.exts[base + 7], 0x0010);
		assert_int_equal(c.exts[base + 9], 0x0033);
		assert_int_equal(c.exts[base + 10], 0x002d);
		assert_int_equal(c.nexts, base + 11 +
		    (want[i].nversions > 0 ? 1 : 0));
	}
	/* middle out from the 35th suite: 35th, 36th, 34th, 37th ... */
	parse(4, &c);
	assert_int_equal(c.ciphers[2], 0xc013);
	assert_int_equal(c.ciphers[3], 0xc007);
	/* TLS 1.2 probes: versions oldest first, or reversed */
	parse(0, &c);
	assert_int_equal(c.versions[0], 0x0303);
	parse(1, &c);
	assert_int_equal(c.versions[0], 0x0301);
	parse(9, &c);
	assert_true(is_grease(c.versions[0]));
	assert_int_equal(c.versions[1], 0x0304);
	/* no TLS 1.3 suite in the "invalid" probe */
	parse(8, &c);
	for (i = 0; i < c.nciphers; i++)
		assert_int_not_equal(c.ciphers[i] & 0xff00, 0x1300);
}

static void
test_hash(void **state)
{
	struct jarm_answer a[JARM_PROBES];
	char out[63], raw[256];

	(void)state;
	memset(a, 0, sizeof(a));
	jarm_hash(a, out);
	assert_string_equal(out, "00000000000000000000000000000000000000000"
	    "000000000000000000000");
	jarm_raw(&a[0], raw, sizeof(raw));
	assert_string_equal(raw, "|||");
	/* one answer: c02f is the 41st suite of the list: "29", TLS 1.2 'd' */
	a[0] = (struct jarm_answer){ .hello = true, .cipher = 0xc02f,
	    .version = 0x0303, .exts = { 0xff01, 0x000b, 0x0023 },
	    .nexts = 3 };
	jarm_raw(&a[0], raw, sizeof(raw));
	assert_string_equal(raw, "c02f|0303||ff01-000b-0023");
	jarm_hash(a, out);
	assert_string_equal(out, "29d000000000000000000000000000"
	    "e9e2b215a41d6e00058dd1ef6a78a14a");
	/* an ALPN, a suite not in the list (70 = 0x46), TLS 1.3 suite */
	a[1] = (struct jarm_answer){ .hello = true, .cipher = 0x009c,
	    .version = 0x0303, .alpn = "h2", .exts = { 0xff01, 0x0010 },
	    .nexts = 2 };
	a[9] = (struct jarm_answer){ .hello = true, .cipher = 0x1303,
	    .version = 0x0303, .exts = { 0x002b, 0x0033 }, .nexts = 2 };
	a[5] = (struct jarm_answer){ .hello = true, .cipher = 0xbeef,
	    .version = 0x0302 };
	jarm_hash(a, out);
	assert_string_equal(out, "29d13d00000000046c00000000043d"
	    "aead69c7b394a005cffc8db0d885eec1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_table),
		cmocka_unit_test(test_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
