/*
 * test_targets.c: scanner/targets.c.  Every spec form and error form, totals
 * and the 2^64 cap, port lists; the permutation visits each pair of a /16 x
 * 2 ports once in a scattered order, a seed fixes the order, shards are
 * disjoint and cover the set (with exclusions and a hostname too), and a /8
 * iterates without being expanded.  Expected sets are computed from the
 * spec, not copied from our own output.  Exclusions, files and stdin are in
 * test_targets_files.c.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scanner/targets.h"

#define ERRLEN	512

#include "targets_drain.h"

/* The pairs of one spec equal the NULL-terminated list (any order). */
static void
check_spec(const char *spec, const char *ports, ...)
{
	struct targets *tg = targets_new();
	char err[ERRLEN] = "";
	const char *e;
	struct strs got, want = { NULL, 0 };
	va_list ap;

	if (ports != NULL)
		assert_int_equal(targets_set_ports(tg, ports, err,
		    sizeof(err)), 0);
	if (targets_add(tg, spec, err, sizeof(err)) != 0)
		fail_msg("%s: %s", spec, err);
	targets_set_seed(tg, 99);
	va_start(ap, ports);
	while ((e = va_arg(ap, const char *)) != NULL) {
		want.v = realloc(want.v, (want.n + 1) * sizeof(*want.v));
		assert_non_null(want.v);
		want.v[want.n++] = strdup(e);
	}
	va_end(ap);
	qsort(want.v, want.n, sizeof(*want.v), cmp_str);
	assert_int_equal(targets_total(tg), want.n);
	got = drain(tg);
	if (got.n != want.n)
		fail_msg("%s: %zu pairs, expected %zu", spec, got.n, want.n);
	for (size_t i = 0; i < got.n; i++)
		assert_string_equal(got.v[i], want.v[i]);
	strs_free(&got);
	strs_free(&want);
	targets_free(tg);
}

static void
test_spec_forms(void **state)
{
	(void)state;
	check_spec("192.0.2.7", NULL, "192.0.2.7:443", NULL);
	check_spec(" 192.0.2.7\n", NULL, "192.0.2.7:443", NULL);
	check_spec("2001:db8::1", NULL, "[2001:db8::1]:443", NULL);
	check_spec("192.0.2.0/30", NULL, "192.0.2.0:443", "192.0.2.1:443",
	    "192.0.2.2:443", "192.0.2.3:443", NULL);
	/* host bits set: masked */
	check_spec("10.0.0.5/30", NULL, "10.0.0.4:443", "10.0.0.5:443",
	    "10.0.0.6:443", "10.0.0.7:443", NULL);
	check_spec("2001:db8::/126", NULL, "[2001:db8::]:443",
	    "[2001:db8::1]:443", "[2001:db8::2]:443", "[2001:db8::3]:443",
	    NULL);
	check_spec("192.0.2.5-192.0.2.9", NULL, "192.0.2.5:443",
	    "192.0.2.6:443", "192.0.2.7:443", "192.0.2.8:443",
	    "192.0.2.9:443", NULL);
	check_spec("192.0.2.5-9", NULL, "192.0.2.5:443", "192.0.2.6:443",
	    "192.0.2.7:443", "192.0.2.8:443", "192.0.2.9:443", NULL);
	check_spec("192.0.2.254-192.0.3.1", NULL, "192.0.2.254:443",
	    "192.0.2.255:443", "192.0.3.0:443", "192.0.3.1:443", NULL);
	check_spec("2001:db8::ffff-2001:db8::1:1", NULL,
	    "[2001:db8::ffff]:443", "[2001:db8::1:0]:443",
	    "[2001:db8::1:1]:443", NULL);
	check_spec("host.example", NULL, "host.example:443", NULL);
	check_spec("my-host_1.Example.", "80", "my-host_1.Example.:80", NULL);
	check_spec("host.example:8443", "443,80", "host.example:8443", NULL);
	check_spec("192.0.2.7:8443", "443,80", "192.0.2.7:8443", NULL);
	check_spec("192.0.2.7", "443,80", "192.0.2.7:443", "192.0.2.7:80",
	    NULL);
	check_spec("192.0.2.0/31:25", "443,80", "192.0.2.0:25",
	    "192.0.2.1:25", NULL);
	check_spec("[2001:db8::1]:443", "80", "[2001:db8::1]:443", NULL);
	check_spec("[2001:db8::1]", "80", "[2001:db8::1]:80", NULL);
	check_spec("[2001:db8::/127]:8443", NULL, "[2001:db8::]:8443",
	    "[2001:db8::1]:8443", NULL);
	/* the top of each address space */
	check_spec("255.255.255.254-255", NULL, "255.255.255.254:443",
	    "255.255.255.255:443", NULL);
	check_spec("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127", NULL,
	    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:443",
	    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:443", NULL);
	check_spec("0.0.0.0/32", NULL, "0.0.0.0:443", NULL);
}

static uint64_t
total_of(const char *ports, ...)
{
	struct targets *tg = targets_new();
	char err[ERRLEN];
	const char *s;
	uint64_t n;
	va_list ap;

	if (ports != NULL)
		assert_int_equal(targets_set_ports(tg, ports, err,
		    sizeof(err)), 0);
	va_start(ap, ports);
	while ((s = va_arg(ap, const char *)) != NULL)
		if (targets_add(tg, s, err, sizeof(err)) != 0)
			fail_msg("%s", err);
	va_end(ap);
	n = targets_total(tg);
	targets_free(tg);
	return n;
}

static void
test_totals(void **state)
{
	(void)state;
	assert_true(total_of(NULL, NULL) == 0);
	assert_true(total_of(NULL, "0.0.0.0/0", NULL) == UINT64_C(1) << 32);
	assert_true(total_of("1-65535", "0.0.0.0/0", NULL) ==
	    (UINT64_C(1) << 32) * 65535);
	assert_true(total_of(NULL, "2001:db8::/65", NULL) ==
	    UINT64_C(1) << 63);
	assert_true(total_of("80,443", "2001:db8::/66", NULL) ==
	    UINT64_C(1) << 63);
	/* 2^64 saturates */
	assert_true(total_of(NULL, "2001:db8::/64", NULL) == UINT64_MAX);
	assert_true(total_of("1-3", "2001:db8::/64", "2001:db9::/64",
	    NULL) == UINT64_MAX);
	assert_true(total_of("80,443", "10.0.0.0/24", "host.example",
	    "host.example:25", "10.1.0.1-10.1.0.3", NULL) ==
	    256 * 2 + 2 + 1 + 3 * 2);
}

/* The saturated index space still iterates, inside its prefixes. */
static void
test_huge_v6(void **state)
{
	struct targets *tg = targets_new();
	struct target t;
	char err[ERRLEN];
	static const uint8_t p1[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0 };
	static const uint8_t p2[8] = { 0x20, 0x01, 0x0d, 0xb9, 0, 0, 0, 0 };
	int in1 = 0, in2 = 0;

	(void)state;
	assert_int_equal(targets_set_ports(tg, "443,8443", err, sizeof(err)),
	    0);
	assert_int_equal(targets_add(tg, "2001:db8::/64", err, sizeof(err)),
	    0);
	assert_int_equal(targets_add(tg, "2001:db9::/65", err, sizeof(err)),
	    0);
	targets_set_seed(tg, 5);
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(targets_next(tg, &t), 1);
		assert_int_equal(t.family, AF_INET6);
		assert_true(t.port == 443 || t.port == 8443);
		in1 += memcmp(t.addr, p1, 8) == 0;
		in2 += memcmp(t.addr, p2, 8) == 0 && t.addr[8] < 0x80;
	}
	/* The first /64 fills the capped space; the second is dropped. */
	assert_int_equal(in1, 1000);
	assert_int_equal(in2, 0);
	targets_free(tg);
}

static void
check_error(const char *spec, const char *want)
{
	struct targets *tg = targets_new();
	char err[ERRLEN] = "";
	size_t show = strlen(spec) > 200 ? 200 : strlen(spec);

	if (targets_add(tg, spec, err, sizeof(err)) != -1)
		fail_msg("%s: accepted", spec);
	if (strstr(err, want) == NULL)
		fail_msg("%s: error \"%s\" does not say \"%s\"", spec, err,
		    want);
	/* names the input first */
	if (strncmp(err, spec, show) != 0 || err[show] != ':')
		fail_msg("%s: error \"%s\" does not start with the input",
		    spec, err);
	assert_true(targets_total(tg) == 0);
	targets_free(tg);
}

static void
test_spec_errors(void **state)
{
	(void)state;
	check_error("10.0.0.0/33", "prefix length must be 0-32");
	check_error("2001:db8::/129", "prefix length must be 0-128");
	check_error("2001:db8::/48", "shorter than /64");
	check_error("10.0.0.0/", "prefix length must be 0-32");
	check_error("10.0.0.0/2x", "prefix length must be 0-32");
	check_error("10.0.0.0/0032", "prefix length must be 0-32");
	check_error("10.0.0.256", "not a valid IPv4 address");
	check_error("1.2.3", "not a valid IPv4 address");
	check_error("10.0.0.256/8", "before '/' is not a valid IPv4");
	check_error("10.0.0.9-10.0.0.1", "ends before it starts");
	check_error("10.0.0.9-1", "ends before it starts");
	check_error("10.0.0.5-300", "last octet must be 0-255");
	check_error("10.0.0.1-2001:db8::1", "both ends");
	check_error("10.0.0.1-foo", "end of the range is not a valid");
	check_error("10.0.0.300-5", "start of the range is not a valid");
	check_error("2001:db8::1-2001:db9::1", "more than 2^64 addresses");
	check_error("2001:db8::g", "not a valid IPv6 address");
	check_error("fe80::1%eth0", "not a valid IPv6 address");
	check_error("host.example:70000", "port 70000 is out of range");
	check_error("192.0.2.1:0", "port 0 is out of range");
	check_error("host.example:", "missing port number");
	check_error("host.example:https", "\"https\" is not a number");
	check_error(":443", "missing host or address");
	check_error("[2001:db8::1", "missing ']'");
	check_error("[2001:db8::1]443", "expected ':PORT'");
	check_error("[192.0.2.1]:443", "brackets are for IPv6");
	check_error("[host.example]:443", "brackets are for IPv6");
	check_error("[2001:db8::1]:99999", "port 99999 is out of range");
	check_error("bad!host", "'!' is not allowed");
	check_error("two words", "' ' is not allowed");
	check_error("a\x01" "b", "byte 0x01 is not allowed");
	check_error("-p", "cannot start or end with '-'");
	check_error("host-.example", "cannot start or end with '-'");
	check_error("host.-example", "cannot start or end with '-'");
	check_error("host.example-", "cannot start or end with '-'");
	check_error("a..b", "empty label");
	check_error(".a", "empty label");
	check_error("10.0.0.1,10.0.0.2", "',' is not allowed");
}

static void
test_length_errors(void **state)
{
	char label64[80], name254[300];
	struct targets *tg;
	char tiny[8];

	(void)state;
	memset(label64, 'a', 64);
	memcpy(label64 + 64, ".example", 9);
	check_error(label64, "at most 63 characters");
	for (size_t i = 0; i < 254; i += 2)
		memcpy(name254 + i, "a.", 2);
	name254[253] = 'b';
	name254[254] = '\0';
	check_error(name254, "at most 253 characters");

	tg = targets_new();
	assert_int_equal(targets_add(tg, "", tiny, sizeof(tiny)), -1);
	/* truncated, still a string */
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	assert_int_equal(targets_add(tg, "   ", tiny, sizeof(tiny)), -1);
	targets_free(tg);
}

static void
test_label_limits_ok(void **state)
{
	char label63[80], want[96], name253[300];

	(void)state;
	memset(label63, 'a', 63);
	memcpy(label63 + 63, ".example", 9);
	snprintf(want, sizeof(want), "%s:443", label63);
	check_spec(label63, NULL, want, NULL);
	for (size_t i = 0; i < 252; i += 2)
		memcpy(name253 + i, "a.", 2);
	name253[252] = 'b';
	name253[253] = '\0';
	assert_int_equal(strlen(name253), 253);
	{
		struct targets *tg = targets_new();
		struct target t;
		char err[ERRLEN];

		assert_int_equal(targets_add(tg, name253, err, sizeof(err)),
		    0);
		assert_int_equal(targets_next(tg, &t), 1);
		assert_string_equal(t.host, name253);
		targets_free(tg);
	}
}

/* The ports a single address gets with this list. */
static size_t
ports_of(const char *list, unsigned *out, size_t max)
{
	struct targets *tg = targets_new();
	struct target t;
	char err[ERRLEN];
	size_t n = 0;

	if (targets_set_ports(tg, list, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(targets_add(tg, "192.0.2.1", err, sizeof(err)), 0);
	while (targets_next(tg, &t) == 1) {
		assert_true(n < max);
		out[n++] = t.port;
	}
	targets_free(tg);
	return n;
}

static int
cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

static void
check_port_error(const char *list, const char *want, const char *names)
{
	struct targets *tg = targets_new();
	char err[ERRLEN];

	if (targets_set_ports(tg, list, err, sizeof(err)) != -1)
		fail_msg("port list %s accepted", list);
	if (strstr(err, want) == NULL || strstr(err, names) == NULL)
		fail_msg("%s: \"%s\" lacks \"%s\" or \"%s\"", list, err, want,
		    names);
	targets_free(tg);
}

static void
test_ports(void **state)
{
	unsigned p[64];
	size_t n;

	(void)state;
	n = ports_of("443,8443,9000-9010", p, 64);
	assert_int_equal(n, 13);
	qsort(p, n, sizeof(p[0]), cmp_uint);
	assert_int_equal(p[0], 443);
	assert_int_equal(p[1], 8443);
	for (unsigned i = 0; i <= 10; i++)
		assert_int_equal(p[2 + i], 9000 + i);
	/* duplicates removed */
	n = ports_of("443,443,440-450,450, 80 ", p, 64);
	assert_int_equal(n, 12);
	qsort(p, n, sizeof(p[0]), cmp_uint);
	assert_int_equal(p[0], 80);
	for (unsigned i = 0; i <= 10; i++)
		assert_int_equal(p[1 + i], 440 + i);
	n = ports_of("1,65535", p, 64);
	assert_int_equal(n, 2);

	check_port_error("0", "port 0 is out of range", "\"0\"");
	check_port_error("443,70000", "port 70000 is out of range",
	    "\"443,70000\"");
	check_port_error("443,65536-65540", "port 65536 is out of range",
	    "65536");
	check_port_error("9010-9000", "9010-9000 ends before it starts",
	    "9010");
	check_port_error("", "empty item", "\"\"");
	check_port_error("443,,80", "empty item", "443,,80");
	check_port_error("443,", "empty item", "443,");
	check_port_error("https", "\"https\" is not a number", "https");
	check_port_error("1-", "missing port number", "1-");
	check_port_error("-5", "missing port number", "-5");
}

/* Index of a pair of 10.1.0.0/16 x {443, 8443}. */
static size_t
pair_index(const struct target *t)
{
	assert_int_equal(t->family, AF_INET);
	assert_int_equal(t->addr[0], 10);
	assert_int_equal(t->addr[1], 1);
	assert_true(t->port == 443 || t->port == 8443);
	return ((size_t)t->addr[2] << 9) | ((size_t)t->addr[3] << 1) |
	    (t->port == 8443);
}

static void
test_permutation_16(void **state)
{
	struct targets *tg = targets_new();
	struct target t;
	char err[ERRLEN];
	uint8_t *seen = calloc(1 << 17, 1);
	size_t n = 0, octet_changes = 0, prev3 = 256;

	(void)state;
	assert_non_null(seen);
	assert_int_equal(targets_set_ports(tg, "443,8443", err, sizeof(err)),
	    0);
	assert_int_equal(targets_add(tg, "10.1.0.0/16", err, sizeof(err)), 0);
	targets_set_seed(tg, 12345);
	assert_true(targets_total(tg) == 1 << 17);
	while (targets_next(tg, &t) == 1) {
		size_t i = pair_index(&t);

		if (seen[i])
			fail_msg("pair %zu visited twice", i);
		seen[i] = 1;
		if (prev3 != 256 && t.addr[2] != prev3)
			octet_changes++;
		prev3 = t.addr[2];
		n++;
	}
	assert_int_equal(n, 1 << 17);
	/* A random order changes the third octet 255 times in 256. */
	assert_true(octet_changes > n * 9 / 10);
	free(seen);
	targets_free(tg);
}

static void
first_pairs(uint64_t seed, size_t *out, size_t n)
{
	struct targets *tg = targets_new();
	struct target t;
	char err[ERRLEN];

	assert_int_equal(targets_set_ports(tg, "443,8443", err, sizeof(err)),
	    0);
	assert_int_equal(targets_add(tg, "10.1.0.0/16", err, sizeof(err)), 0);
	targets_set_seed(tg, seed);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(targets_next(tg, &t), 1);
		out[i] = pair_index(&t);
	}
	targets_free(tg);
}

static void
test_seed_order(void **state)
{
	size_t a[1000], b[1000], c[1000], same = 0;

	(void)state;
	first_pairs(42, a, 1000);
	first_pairs(42, b, 1000);
	first_pairs(43, c, 1000);
	assert_memory_equal(a, b, sizeof(a));
	for (size_t i = 0; i < 1000; i++)
		same += a[i] == c[i];
	assert_true(same < 10);
}

/* 10.2.0.0/20 plus a hostname; visits of shard k/4 counted in seen. */
static void
run_shard(unsigned k, uint64_t seed, const char *exclude, uint8_t *seen,
    size_t *host_seen, size_t *n)
{
	struct targets *tg = targets_new();
	struct target t;
	char err[ERRLEN];

	assert_int_equal(targets_add(tg, "10.2.0.0/20", err, sizeof(err)), 0);
	assert_int_equal(targets_add(tg, "host.example", err, sizeof(err)),
	    0);
	if (exclude != NULL)
		assert_int_equal(targets_exclude(tg, exclude, err,
		    sizeof(err)), 0);
	targets_set_seed(tg, seed);
	assert_int_equal(targets_set_shard(tg, k, 4, err, sizeof(err)), 0);
	*n = 0;
	while (targets_next(tg, &t) == 1) {
		(*n)++;
		if (t.family == AF_UNSPEC) {
			assert_string_equal(t.host, "host.example");
			(*host_seen)++;
			continue;
		}
		assert_int_equal(t.addr[0], 10);
		assert_int_equal(t.addr[1], 2);
		assert_true(t.addr[2] < 16);
		seen[(size_t)t.addr[2] << 8 | t.addr[3]]++;
	}
	targets_free(tg);
}

static void
check_shards(uint64_t seed, const char *exclude, bool (*excluded)(size_t))
{
	uint8_t seen[4096] = { 0 };
	size_t host = 0, n[4], sum = 0;

	for (unsigned k = 1; k <= 4; k++) {
		run_shard(k, seed, exclude, seen, &host, &n[k - 1]);
		sum += n[k - 1];
		/* positions p % 4 == k-1 of 4097 before exclusions */
		assert_true(n[k - 1] <= 1025);
	}
	assert_int_equal(host, 1);
	for (size_t i = 0; i < 4096; i++)
		if (seen[i] != (excluded != NULL && excluded(i) ? 0 : 1))
			fail_msg("seed %llu: 10.2.%zu.%zu seen %u times",
			    (unsigned long long)seed, i >> 8, i & 255,
			    seen[i]);
	if (exclude == NULL)
		assert_int_equal(sum, 4097);
}

static bool
shard_excluded(size_t i)
{
	return (i >> 8) == 3 || i == (5 << 8 | 7) ||
	    (i >= (9 << 8 | 250) && i <= (10 << 8 | 5));
}

static void
test_shards(void **state)
{
	const char *ex = "10.2.3.0/24, 10.2.5.7,10.2.9.250-10.2.10.5";
	struct targets *tg = targets_new();
	char err[ERRLEN];

	(void)state;
	check_shards(7, NULL, NULL);
	check_shards(7, ex, shard_excluded);
	/* seed 0 with a shard: a seed derived from the targets, the same in
	 * every process, so the shards still partition the set */
	check_shards(0, NULL, NULL);
	check_shards(0, ex, shard_excluded);

	assert_int_equal(targets_set_shard(tg, 0, 4, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "0/4"));
	assert_int_equal(targets_set_shard(tg, 5, 4, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "5/4"));
	assert_int_equal(targets_set_shard(tg, 1, 0, err, sizeof(err)), -1);
	targets_free(tg);
}

/* More shards than pairs: the extra shards are empty. */
static void
test_shards_small(void **state)
{
	size_t total = 0;

	(void)state;
	for (unsigned k = 1; k <= 10; k++) {
		struct targets *tg = targets_new();
		struct target t;
		char err[ERRLEN];
		size_t n = 0;

		assert_int_equal(targets_add(tg, "192.0.2.1-3", err,
		    sizeof(err)), 0);
		assert_int_equal(targets_set_shard(tg, k, 10, err,
		    sizeof(err)), 0);
		while (targets_next(tg, &t) == 1)
			n++;
		assert_true(k <= 3 ? n == 1 : n == 0);
		total += n;
		targets_free(tg);
	}
	assert_int_equal(total, 3);
}

/* The first million of a /8: all distinct, from all over the /8. */
static void
test_slash8(void **state)
{
	struct targets *tg = targets_new();
	struct target t;
	char err[ERRLEN];
	uint8_t *bits = calloc(1 << 21, 1), second[256] = { 0 };
	size_t distinct_second = 0;

	(void)state;
	assert_non_null(bits);
	assert_int_equal(targets_add(tg, "10.0.0.0/8", err, sizeof(err)), 0);
	assert_true(targets_total(tg) == 1 << 24);
	targets_set_seed(tg, 8);
	for (size_t i = 0; i < 1000000; i++) {
		size_t a;

		assert_int_equal(targets_next(tg, &t), 1);
		if (t.family != AF_INET || t.addr[0] != 10)
			fail_msg("outside 10/8");
		a = (size_t)t.addr[1] << 16 | (size_t)t.addr[2] << 8 |
		    t.addr[3];
		if (bits[a >> 3] & (1 << (a & 7)))
			fail_msg("10.%u.%u.%u twice", t.addr[1], t.addr[2],
			    t.addr[3]);
		bits[a >> 3] |= (uint8_t)(1 << (a & 7));
		if (i < 2000 && !second[t.addr[1]]++)
			distinct_second++;
	}
	/* 2000 draws from 256 /16s hit nearly all of them */
	assert_true(distinct_second > 200);
	free(bits);
	targets_free(tg);
}

/* Seed 0 without a shard: random, but still every pair once. */
static void
test_random_seed(void **state)
{
	struct targets *tg = targets_new();
	char err[ERRLEN];
	struct strs got;

	(void)state;
	assert_int_equal(targets_add(tg, "192.0.2.0/28", err, sizeof(err)), 0);
	assert_int_equal(targets_add(tg, "192.0.2.0/28", err, sizeof(err)), 0);
	got = drain(tg);
	/* duplicate specs are not merged */
	assert_int_equal(got.n, 32);
	for (size_t i = 0; i < 32; i += 2) {
		assert_string_equal(got.v[i], got.v[i + 1]);
		if (i + 2 < 32)
			assert_string_not_equal(got.v[i], got.v[i + 2]);
	}
	strs_free(&got);
	targets_free(tg);
}

static void
test_frozen(void **state)
{
	struct targets *tg = targets_new();
	struct target t;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(targets_next(tg, &t), 0);
	assert_true(targets_total(tg) == 0);
	assert_int_equal(targets_add(tg, "192.0.2.1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "once the scan has started"));
	assert_int_equal(targets_exclude(tg, "192.0.2.1", err, sizeof(err)),
	    -1);
	assert_int_equal(targets_set_ports(tg, "80", err, sizeof(err)), -1);
	assert_int_equal(targets_set_shard(tg, 1, 2, err, sizeof(err)), -1);
	assert_int_equal(targets_next(tg, &t), 0);
	targets_free(tg);
	targets_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_forms),
		cmocka_unit_test(test_totals),
		cmocka_unit_test(test_huge_v6),
		cmocka_unit_test(test_spec_errors),
		cmocka_unit_test(test_length_errors),
		cmocka_unit_test(test_label_limits_ok),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_permutation_16),
		cmocka_unit_test(test_seed_order),
		cmocka_unit_test(test_shards),
		cmocka_unit_test(test_shards_small),
		cmocka_unit_test(test_slash8),
		cmocka_unit_test(test_random_seed),
		cmocka_unit_test(test_frozen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
