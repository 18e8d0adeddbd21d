/*
 * test_enrich.c: GeoIP/ASN enrichment end to end, without traffic: an
 * observation of an address the MaxMind test databases know goes through
 * the pipeline (pipeline_analyze looks it up, pipeline_record stores it)
 * and the endpoints row carries the country, city and ASN that the
 * databases' source JSON lists for that address.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "scanner/config.h"
#include "scanner/pipeline.h"

struct want {
	char	ip[64];
	char	country[8];
	char	city[96];
	long	asn;
	char	org[128];
};

static char *
data_path(const char *name)
{
	const char *src = getenv("CERTSWEEP_SRC");
	size_t len = strlen(src ? src : ".") + strlen(name) + 32;
	char *p = malloc(len);

	assert_non_null(p);
	snprintf(p, len, "%s/tests/data/geoip/%s", src ? src : ".", name);
	return p;
}

/* The first address of the first IPv4 network in file that has key. */
static json_t *
first_with(const char *file, const char *key, char *ip, size_t iplen)
{
	char *path = data_path(file);
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr), *e, *v;
	const char *net;
	size_t i;

	free(path);
	assert_non_null(doc);
	json_array_foreach(doc, i, e) {
		json_object_foreach(e, net, v) {
			if (strchr(net, ':') != NULL ||
			    json_object_get(v, key) == NULL)
				continue;
			snprintf(ip, iplen, "%.*s", (int)strcspn(net, "/"), net);
			json_incref(v);
			json_decref(doc);
			return v;
		}
	}
	fail_msg("%s: no IPv4 network with %s", file, key);
	return NULL;
}

static void
expected(struct want *w, struct want *asn)
{
	json_t *c = first_with("GeoIP2-City-Test.json", "city", w->ip,
	    sizeof(w->ip));
	json_t *a = first_with("GeoLite2-ASN-Test.json",
	    "autonomous_system_number", asn->ip, sizeof(asn->ip));
	const char *org;

	snprintf(w->country, sizeof(w->country), "%s", json_string_value(
	    json_object_get(json_object_get(c, "country"), "iso_code")));
	snprintf(w->city, sizeof(w->city), "%s", json_string_value(
	    json_object_get(json_object_get(json_object_get(c, "city"),
	    "names"), "en")));
	asn->asn = (long)json_integer_value(json_object_get(a,
	    "autonomous_system_number"));
	org = json_string_value(json_object_get(a,
	    "autonomous_system_organization"));
	snprintf(asn->org, sizeof(asn->org), "%s", org ? org : "");
	json_decref(c);
	json_decref(a);
}

static void
record(struct pipeline *pl, const char *ip)
{
	struct observation o;

	memset(&o, 0, sizeof(o));
	snprintf(o.ip, sizeof(o.ip), "%s", ip);
	o.port = 443;
	o.protocol = "tls";
	o.time = 1700000000;
	o.status = SCAN_REFUSED;
	snprintf(o.reason, sizeof(o.reason), "connection refused");
	pipeline_analyze(pl, &o);
	assert_int_equal(pipeline_record(pl, &o), 0);
}

static void
test_geo_reaches_the_database(void **state)
{
	char db[] = "/tmp/certsweep-enrich-XXXXXX";
	struct want city, asn;
	struct config cfg;
	struct pipeline *pl;
	sqlite3 *h;
	sqlite3_stmt *s;
	char err[256];
	int fd, rc;

	(void)state;
	memset(&city, 0, sizeof(city));
	memset(&asn, 0, sizeof(asn));
	expected(&city, &asn);
	fd = mkstemp(db);
	assert_true(fd != -1);
	close(fd);
	unlink(db);
	memset(&cfg, 0, sizeof(cfg));
	cfg.db_path = db;
	cfg.fail_on = -1;
	cfg.geoip_city = data_path("GeoIP2-City-Test.mmdb");
	cfg.geoip_asn = data_path("GeoLite2-ASN-Test.mmdb");
	pl = pipeline_new(&cfg, "active", PIPE_STORE, &rc, err, sizeof(err));
	assert_non_null(pl);
	record(pl, city.ip);
	record(pl, asn.ip);
	assert_int_equal(pipeline_finish(pl, 2, 0), EXIT_OK);

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT ifnull(country, ''), "
	    "ifnull(city, ''), ifnull(asn, 0), ifnull(as_org, '') FROM "
	    "endpoints WHERE ip = ?1", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, city.ip, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(s, 0), city.country);
	assert_string_equal(sqlite3_column_text(s, 1), city.city);
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, asn.ip, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(s, 2), asn.asn);
	assert_string_equal(sqlite3_column_text(s, 3), asn.org);
	sqlite3_finalize(s);
	sqlite3_close(h);
	free((char *)(uintptr_t)cfg.geoip_city);
	free((char *)(uintptr_t)cfg.geoip_asn);
	unlink(db);
	snprintf(err, sizeof(err), "%s-wal", db);
	unlink(err);
	snprintf(err, sizeof(err), "%s-shm", db);
	unlink(err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geo_reaches_the_database),
	};

	return cmocka_run_group_tests_name("enrich", tests, NULL, NULL);
}
