/*
 * test_geo.c: scanner/geo.c against MaxMind's test databases
 * (tests/data/geoip/).  Expected values come from the JSON each database
 * was built from: for the first address of every network listed there,
 * the answer is the record of the most specific listed network that
 * contains it (an IPv4 network a.b.c.d/n sits at ::a.b.c.d/96+n in the
 * IPv6 tree, which is where libmaxminddb looks IPv4 addresses up).  Then
 * the failure modes: missing file, random bytes, a truncated database,
 * non-numeric addresses, a tiny warning buffer.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "scanner/geo.h"

#define CITY_DB		"GeoIP2-City-Test.mmdb"
#define CITY_JSON	"GeoIP2-City-Test.json"
#define ASN_DB		"GeoLite2-ASN-Test.mmdb"
#define ASN_JSON	"GeoLite2-ASN-Test.json"
#define IPV4_ONLY_DB	"MaxMind-DB-test-ipv4-24.mmdb"

/* One network of a source JSON file, in IPv6 form. */
struct net {
	uint8_t		 addr[16];
	unsigned	 plen;
	json_t		*rec;		/* borrowed from the parsed file */
};

struct nets {
	json_t		*root;
	struct net	*v;
	size_t		 n;
};

static void
data_path(char *dst, size_t dstsz, const char *name)
{
	const char	*src = getenv("CERTSWEEP_SRC");
	int		 n;

	n = snprintf(dst, dstsz, "%s/tests/data/geoip/%s",
	    src != NULL ? src : ".", name);
	assert_true(n > 0 && (size_t)n < dstsz);
}

/* "1.2.3.0/24" or "2001:db8::/32" -> IPv6 address and prefix length. */
static void
parse_cidr(const char *cidr, struct net *net)
{
	char		 buf[64];
	char		*slash, *end;
	unsigned long	 plen;

	assert_true(strlen(cidr) < sizeof(buf));
	memcpy(buf, cidr, strlen(cidr) + 1);
	slash = strchr(buf, '/');
	assert_non_null(slash);
	*slash = '\0';
	plen = strtoul(slash + 1, &end, 10);
	assert_true(*end == '\0');
	memset(net->addr, 0, sizeof(net->addr));
	if (inet_pton(AF_INET, buf, net->addr + 12) == 1) {
		assert_true(plen <= 32);
		plen += 96;
	} else {
		assert_int_equal(inet_pton(AF_INET6, buf, net->addr), 1);
		assert_true(plen <= 128);
	}
	net->plen = (unsigned)plen;
}

/* The JSON is a list of one-key objects { "<CIDR>": { record } }. */
static void
load_nets(const char *name, struct nets *ns)
{
	char		 path[PATH_MAX];
	json_error_t	 err;
	json_t		*obj, *rec;
	const char	*cidr;
	size_t		 i;

	data_path(path, sizeof(path), name);
	ns->root = json_load_file(path, 0, &err);
	if (ns->root == NULL)
		fail_msg("%s: %s (line %d)", path, err.text, err.line);
	assert_true(json_is_array(ns->root));
	ns->n = json_array_size(ns->root);
	assert_true(ns->n > 0);
	ns->v = test_calloc(ns->n, sizeof(*ns->v));
	json_array_foreach(ns->root, i, obj) {
		assert_int_equal(json_object_size(obj), 1);
		json_object_foreach(obj, cidr, rec) {
			parse_cidr(cidr, &ns->v[i]);
			ns->v[i].rec = rec;
		}
	}
}

static void
free_nets(struct nets *ns)
{
	test_free(ns->v);
	json_decref(ns->root);
}

static bool
net_contains(const struct net *net, const uint8_t addr[16])
{
	unsigned	 full = net->plen / 8, rest = net->plen % 8;
	uint8_t		 mask;

	if (memcmp(net->addr, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return (net->addr[full] & mask) == (addr[full] & mask);
}

/* Record of the most specific network containing addr, or NULL. */
static json_t *
expected_rec(const struct nets *ns, const uint8_t addr[16])
{
	const struct net	*best = NULL;
	size_t			 i;

	for (i = 0; i < ns->n; i++)
		if (net_contains(&ns->v[i], addr) &&
		    (best == NULL || ns->v[i].plen > best->plen))
			best = &ns->v[i];
	return best != NULL ? best->rec : NULL;
}

/* The string at rec.k1.k2.k3 (k2, k3 may be NULL), "" when absent. */
static const char *
jstr(json_t *rec, const char *k1, const char *k2, const char *k3)
{
	json_t	*v = json_object_get(rec, k1);

	if (k2 != NULL)
		v = json_object_get(v, k2);
	if (k3 != NULL)
		v = json_object_get(v, k3);
	return json_is_string(v) ? json_string_value(v) : "";
}

/*
 * Text form of a network's first address: dotted quad inside ::/96, so
 * IPv4 addresses go through the IPv4 path into the IPv6 database.
 */
static bool
first_address(const struct net *net, char *dst, size_t dstsz)
{
	static const uint8_t	 zero[12];

	if (net->plen >= 96 && memcmp(net->addr, zero, 12) == 0) {
		assert_non_null(inet_ntop(AF_INET, net->addr + 12, dst,
		    (socklen_t)dstsz));
		return true;
	}
	assert_non_null(inet_ntop(AF_INET6, net->addr, dst,
	    (socklen_t)dstsz));
	return false;
}

static struct geo *
open_test_dbs(const char *city, const char *asn)
{
	char		 cpath[PATH_MAX], apath[PATH_MAX], warn[512];
	struct geo	*g;

	if (city != NULL)
		data_path(cpath, sizeof(cpath), city);
	if (asn != NULL)
		data_path(apath, sizeof(apath), asn);
	g = geo_open(city != NULL ? cpath : NULL, asn != NULL ? apath : NULL,
	    warn, sizeof(warn));
	assert_non_null(g);
	assert_string_equal(warn, "");
	return g;
}

static void
test_city_matches_source_json(void **state)
{
	struct nets	 ns;
	struct geo	*g;
	struct geo_info	 gi;
	json_t		*rec;
	char		 ip[INET6_ADDRSTRLEN];
	size_t		 i, v4 = 0, v6 = 0, cities = 0;

	(void)state;
	load_nets(CITY_JSON, &ns);
	g = open_test_dbs(CITY_DB, NULL);
	for (i = 0; i < ns.n; i++) {
		if (first_address(&ns.v[i], ip, sizeof(ip)))
			v4++;
		else
			v6++;
		rec = expected_rec(&ns, ns.v[i].addr);
		assert_non_null(rec);
		assert_int_equal(geo_lookup(g, ip, &gi), 0);
		assert_string_equal(gi.country_iso,
		    jstr(rec, "country", "iso_code", NULL));
		assert_string_equal(gi.country,
		    jstr(rec, "country", "names", "en"));
		assert_string_equal(gi.city, jstr(rec, "city", "names", "en"));
		assert_int_equal(gi.asn, 0);	/* no ASN database */
		assert_string_equal(gi.as_org, "");
		if (gi.city[0] != '\0')
			cities++;
	}
	/* The walk covered both families and real city names. */
	assert_true(v4 >= 10 && v6 >= 10 && cities >= 10);
	geo_close(g);
	free_nets(&ns);
}

static void
test_asn_matches_source_json(void **state)
{
	struct nets	 ns;
	struct geo	*g;
	struct geo_info	 gi;
	json_t		*rec, *asn;
	char		 ip[INET6_ADDRSTRLEN];
	size_t		 i, v4 = 0, v6 = 0;

	(void)state;
	load_nets(ASN_JSON, &ns);
	g = open_test_dbs(NULL, ASN_DB);
	for (i = 0; i < ns.n; i++) {
		if (first_address(&ns.v[i], ip, sizeof(ip)))
			v4++;
		else
			v6++;
		rec = expected_rec(&ns, ns.v[i].addr);
		assert_non_null(rec);
		asn = json_object_get(rec, "autonomous_system_number");
		assert_int_equal(geo_lookup(g, ip, &gi), 0);
		assert_int_equal(gi.asn,
		    json_is_integer(asn) ? json_integer_value(asn) : 0);
		assert_string_equal(gi.as_org,
		    jstr(rec, "autonomous_system_organization", NULL, NULL));
		assert_string_equal(gi.country_iso, "");
		assert_string_equal(gi.city, "");
	}
	assert_true(v4 >= 10 && v6 >= 10);
	geo_close(g);
	free_nets(&ns);
}

/* Both databases at once, and the IPv4-mapped spelling of an address. */
static void
test_both_databases_and_mapped_ipv4(void **state)
{
	struct nets	 city, asn;
	struct geo	*g;
	struct geo_info	 gi, gm;
	json_t		*crec, *arec;
	char		 ip[INET6_ADDRSTRLEN], mapped[INET6_ADDRSTRLEN + 8];
	size_t		 i, both = 0;

	(void)state;
	load_nets(CITY_JSON, &city);
	load_nets(ASN_JSON, &asn);
	g = open_test_dbs(CITY_DB, ASN_DB);
	assert_true(geo_is_active(g));
	for (i = 0; i < asn.n; i++) {
		if (!first_address(&asn.v[i], ip, sizeof(ip)))
			continue;
		crec = expected_rec(&city, asn.v[i].addr);
		arec = expected_rec(&asn, asn.v[i].addr);
		if (crec == NULL)
			continue;
		assert_int_equal(geo_lookup(g, ip, &gi), 0);
		assert_string_equal(gi.country_iso,
		    jstr(crec, "country", "iso_code", NULL));
		assert_string_equal(gi.as_org,
		    jstr(arec, "autonomous_system_organization", NULL, NULL));
		snprintf(mapped, sizeof(mapped), "::ffff:%s", ip);
		assert_int_equal(geo_lookup(g, mapped, &gm), 0);
		assert_memory_equal(&gi, &gm, sizeof(gi));
		both++;
	}
	assert_true(both >= 3);
	geo_close(g);
	free_nets(&asn);
	free_nets(&city);
}

static void
test_unknown_and_bad_addresses(void **state)
{
	struct nets	 ns;
	struct geo	*g;
	struct geo_info	 gi;
	uint8_t		 addr[16] = { 0 };

	(void)state;
	load_nets(CITY_JSON, &ns);
	g = open_test_dbs(CITY_DB, IPV4_ONLY_DB);
	/* 10.0.0.1 is in no network of the source. */
	assert_int_equal(inet_pton(AF_INET, "10.0.0.1", addr + 12), 1);
	assert_null(expected_rec(&ns, addr));
	assert_int_equal(geo_lookup(g, "10.0.0.1", &gi), 0);
	assert_string_equal(gi.country_iso, "");
	assert_string_equal(gi.city, "");
	/* An IPv6 address in an IPv4-only database: nothing, no error. */
	assert_int_equal(geo_lookup(g, "2001:db8::1", &gi), 0);
	assert_int_equal(gi.asn, 0);
	assert_string_equal(gi.as_org, "");
	/* Names are never resolved; junk is an error with empty info. */
	memset(&gi, 'x', sizeof(gi));
	assert_int_equal(geo_lookup(g, "localhost", &gi), -1);
	assert_string_equal(gi.country_iso, "");
	assert_int_equal(geo_lookup(g, "1.2.3.4.5", &gi), -1);
	assert_int_equal(geo_lookup(g, "", &gi), -1);
	assert_int_equal(geo_lookup(g, NULL, &gi), -1);
	assert_string_equal(gi.as_org, "");
	/* A NULL handle knows nothing but still checks the address. */
	assert_int_equal(geo_lookup(NULL, "81.2.69.160", &gi), 0);
	assert_string_equal(gi.city, "");
	assert_int_equal(geo_lookup(NULL, "nope", &gi), -1);
	geo_close(g);
	geo_close(NULL);
	free_nets(&ns);
}

/* A lookup on a handle whose databases failed: all empty, no error. */
static void
assert_knows_nothing(const struct geo *g)
{
	struct geo_info	 gi;

	assert_false(geo_is_active(g));
	assert_int_equal(geo_lookup(g, "81.2.69.160", &gi), 0);
	assert_string_equal(gi.country_iso, "");
	assert_string_equal(gi.country, "");
	assert_string_equal(gi.city, "");
	assert_int_equal(gi.asn, 0);
	assert_string_equal(gi.as_org, "");
	assert_int_equal(geo_lookup(g, "2001:218::1", &gi), 0);
	assert_string_equal(gi.country_iso, "");
}

static void
test_missing_file_warns(void **state)
{
	const char	*city = "/nonexistent/certsweep/GeoLite2-City.mmdb";
	const char	*asn = "/nonexistent/certsweep/GeoLite2-ASN.mmdb";
	struct geo	*g;
	char		 warn[1024];

	(void)state;
	g = geo_open(city, asn, warn, sizeof(warn));
	assert_non_null(g);
	print_message("warning: %s\n", warn);
	assert_non_null(strstr(warn, city));
	assert_non_null(strstr(warn, asn));
	assert_non_null(strstr(warn, "No such file or directory"));
	assert_knows_nothing(g);
	geo_close(g);

	/* No databases at all: a quiet no-op handle. */
	g = geo_open(NULL, NULL, warn, sizeof(warn));
	assert_string_equal(warn, "");
	assert_knows_nothing(g);
	geo_close(g);
}

/* A temporary file holding len bytes of buf. */
static void
write_temp(char *path, size_t pathsz, const void *buf, size_t len)
{
	int	 fd;

	assert_true((size_t)snprintf(path, pathsz, "%s/geo-test.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp") < pathsz);
	fd = mkstemp(path);
	assert_true(fd != -1);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static void
test_corrupt_file_warns_and_other_db_works(void **state)
{
	char		 bad[PATH_MAX], asn[PATH_MAX], warn[1024];
	char		 ip[INET6_ADDRSTRLEN];
	uint8_t		 junk[4096];
	struct nets	 ns;
	struct geo	*g;
	struct geo_info	 gi;
	json_t		*rec = NULL, *asn_num = NULL;
	size_t		 i;
	int		 fd;

	(void)state;
	fd = open("/dev/urandom", O_RDONLY);
	assert_true(fd != -1);
	assert_int_equal(read(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	write_temp(bad, sizeof(bad), junk, sizeof(junk));
	data_path(asn, sizeof(asn), ASN_DB);

	g = geo_open(bad, asn, warn, sizeof(warn));
	print_message("warning: %s\n", warn);
	assert_non_null(strstr(warn, bad));
	assert_null(strstr(warn, asn));
	assert_true(geo_is_active(g));
	/* The ASN database still answers for an IPv4 network of its
	 * source that carries an ASN. */
	load_nets(ASN_JSON, &ns);
	for (i = 0; i < ns.n; i++) {
		rec = expected_rec(&ns, ns.v[i].addr);
		asn_num = json_object_get(rec, "autonomous_system_number");
		if (first_address(&ns.v[i], ip, sizeof(ip)) &&
		    json_is_integer(asn_num))
			break;
	}
	assert_true(i < ns.n);
	assert_int_equal(geo_lookup(g, ip, &gi), 0);
	assert_int_equal(gi.asn, json_integer_value(asn_num));
	assert_string_equal(gi.as_org,
	    jstr(rec, "autonomous_system_organization", NULL, NULL));
	assert_string_equal(gi.country_iso, "");
	free_nets(&ns);
	geo_close(g);

	/* The same bytes as the ASN database alone: nothing known. */
	g = geo_open(NULL, bad, warn, sizeof(warn));
	assert_non_null(strstr(warn, bad));
	assert_knows_nothing(g);
	geo_close(g);

	/* A tiny warning buffer is cut, not overrun. */
	for (i = 0; i < 8; i++) {
		g = geo_open(bad, bad, warn, i);
		if (i > 0)
			assert_true(strlen(warn) < i);
		geo_close(g);
	}
	assert_int_equal(unlink(bad), 0);
}

/* A real database cut in half (an interrupted download). */
static void
test_truncated_database_warns(void **state)
{
	char		 src[PATH_MAX], cut[PATH_MAX], warn[1024];
	uint8_t		*buf;
	struct stat	 st;
	struct geo	*g;
	FILE		*f;

	(void)state;
	data_path(src, sizeof(src), CITY_DB);
	assert_int_equal(stat(src, &st), 0);
	buf = test_malloc((size_t)st.st_size);
	f = fopen(src, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, (size_t)st.st_size, f),
	    (size_t)st.st_size);
	fclose(f);
	write_temp(cut, sizeof(cut), buf, (size_t)st.st_size / 2);
	test_free(buf);

	g = geo_open(cut, NULL, warn, sizeof(warn));
	assert_non_null(strstr(warn, cut));
	assert_knows_nothing(g);
	geo_close(g);
	assert_int_equal(unlink(cut), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_city_matches_source_json),
		cmocka_unit_test(test_asn_matches_source_json),
		cmocka_unit_test(test_both_databases_and_mapped_ipv4),
		cmocka_unit_test(test_unknown_and_bad_addresses),
		cmocka_unit_test(test_missing_file_warns),
		cmocka_unit_test(test_corrupt_file_warns_and_other_db_works),
		cmocka_unit_test(test_truncated_database_warns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
