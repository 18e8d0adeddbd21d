/*
 * test_metrics.c: db/metrics.c, the exporter's read queries, on databases
 * written through db/store.h with observations built here from the
 * certificates in tests/data/certs: the latest status per endpoint, the
 * chain of the latest successful observation (kept when the endpoint goes
 * down), open findings (one row per endpoint and rule) and their counts,
 * endpoints per status, the scans' counters, and the errors (no file, an
 * empty database).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sqlite3.h>

#include "db/metrics.h"
#include "db/store.h"
#include "scanner/cert.h"
#include "scanner/record.h"
#include "scanner/xmem.h"

struct fixture {
	char	 dir[64];
	char	 path[128];
};

static void
load_cert(const char *name, struct cert_record *rec)
{
	const char *src = getenv("CERTSWEEP_SRC");
	unsigned char *der = NULL;
	char path[512];
	X509 *x;
	FILE *f;
	int len;

	snprintf(path, sizeof(path), "%s/tests/data/certs/%s",
	    src != NULL ? src : ".", name);
	f = fopen(path, "r");
	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	len = i2d_X509(x, &der);
	assert_true(len > 0);
	assert_int_equal(cert_record_from_der(rec, der, (size_t)len), 0);
	OPENSSL_free(der);
	X509_free(x);
}

static void
obs_init(struct observation *o, const char *ip, uint16_t port,
    const char *sni, enum scan_status st, int64_t t)
{
	memset(o, 0, sizeof(*o));
	o->source = OBS_ACTIVE;
	snprintf(o->ip, sizeof(o->ip), "%s", ip);
	o->port = port;
	snprintf(o->sni, sizeof(o->sni), "%s", sni);
	o->protocol = "tls";
	o->time = t;
	o->status = st;
	o->name_match = -1;
	if (st == SCAN_OK) {
		snprintf(o->version, sizeof(o->version), "TLSv1.2");
		snprintf(o->cipher, sizeof(o->cipher), "ECDHE-RSA-AES128-"
		    "GCM-SHA256");
	} else
		snprintf(o->reason, sizeof(o->reason), "refused");
}

static void
add_chain(struct observation *o, const char *const *names, size_t n)
{
	o->chain = xcalloc(n, sizeof(*o->chain));
	for (size_t i = 0; i < n; i++)
		load_cert(names[i], &o->chain[i]);
	o->chain_len = n;
}

static void
add_finding(struct observation *o, const char *rule, enum severity sev,
    int depth)
{
	o->findings = xreallocarray(o->findings, o->nfindings + 1,
	    sizeof(*o->findings));
	o->findings[o->nfindings++] = (struct finding){
		.rule = rule, .severity = sev, .depth = depth,
	};
}

static int
setup(void **state)
{
	struct fixture *fx = xcalloc(1, sizeof(*fx));

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/cs-metrics-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/t.db", fx->dir);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char p[160];
	const char *sfx[] = { "", "-wal", "-shm", "-journal" };

	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", fx->path, sfx[i]);
		unlink(p);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static const char *const chain_a[] = {
	"badssl-wildcard-rsa2048.pem",
	"badssl-wildcard-rsa2048-intermediate.pem",
};
static const char *const chain_b[] = { "badssl-wildcard-ecc384.pem" };

/*
 * Scan 1 (t 1000..1010): A ok with chain_a and findings cert.expired at
 * depths 0 and 1 plus tls.tls10; B refused.  Scan 2 (t 2000, left open):
 * A refused, B ok with chain_b.  The expected not_after values are kept in
 * want_a[] and want_b.
 */
static void
fill_db(const char *path, int64_t want_a[2], int64_t *want_b)
{
	struct store *st = NULL;
	struct observation o;
	char err[512];
	int64_t s1, s2;

	assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
	assert_int_equal(store_scan_begin(st, "active", "t", 1000, &s1), 0);
	obs_init(&o, "192.0.2.1", 443, "a.example", SCAN_OK, 1001);
	add_chain(&o, chain_a, 2);
	want_a[0] = o.chain[0].not_after;
	want_a[1] = o.chain[1].not_after;
	add_finding(&o, "cert.expired", SEV_CRITICAL, 0);
	add_finding(&o, "cert.expired", SEV_CRITICAL, 1);
	add_finding(&o, "tls.tls10", SEV_MEDIUM, -1);
	assert_int_equal(store_add_observation(st, s1, &o), 0);
	observation_clear(&o);
	obs_init(&o, "2001:db8::1", 8443, "", SCAN_REFUSED, 1002);
	assert_int_equal(store_add_observation(st, s1, &o), 0);
	assert_int_equal(store_scan_end(st, s1, 1010, 2, 1), 0);

	assert_int_equal(store_scan_begin(st, "active", "t", 2000, &s2), 0);
	obs_init(&o, "192.0.2.1", 443, "a.example", SCAN_REFUSED, 2001);
	assert_int_equal(store_add_observation(st, s2, &o), 0);
	obs_init(&o, "2001:db8::1", 8443, "", SCAN_OK, 2002);
	add_chain(&o, chain_b, 1);
	*want_b = o.chain[0].not_after;
	assert_int_equal(store_add_observation(st, s2, &o), 0);
	observation_clear(&o);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(store_close(st), 0);
}

static void
test_inventory(void **state)
{
	struct fixture *fx = *state;
	struct metrics_inventory inv;
	const struct mrow_endpoint *a, *b;
	int64_t want_a[2], want_b;
	char err[512];

	fill_db(fx->path, want_a, &want_b);
	assert_int_equal(metrics_read(fx->path, &inv, err, sizeof(err)), 0);
	assert_int_equal(inv.nendpoints, 2);
	a = &inv.endpoints[0];
	b = &inv.endpoints[1];
	assert_string_equal(a->endpoint, "192.0.2.1:443");
	assert_string_equal(a->sni, "a.example");
	assert_string_equal(a->protocol, "tls");
	/* down now, but its last certificate stays */
	assert_string_equal(a->status, "refused");
	assert_true(a->has_tls);
	assert_string_equal(a->version, "TLSv1.2");
	assert_int_equal(a->chain_len, 2);
	assert_int_equal(a->chain[0].depth, 0);
	assert_int_equal(a->chain[1].depth, 1);
	assert_int_equal(a->chain[0].not_after, want_a[0]);
	assert_int_equal(a->chain[1].not_after, want_a[1]);
	assert_true(a->chain[0].not_before < a->chain[0].not_after);
	assert_non_null(strstr(a->chain[0].subject, "badssl.com"));
	assert_true(strlen(a->chain[0].serial) > 0);
	assert_string_equal(b->endpoint, "[2001:db8::1]:8443");
	assert_string_equal(b->status, "ok");
	assert_string_equal(b->sni, "");
	assert_int_equal(b->chain_len, 1);
	assert_int_equal(b->chain[0].not_after, want_b);

	/* cert.expired on two certificates: one series, counted twice */
	assert_int_equal(inv.nfindings, 2);
	assert_string_equal(inv.findings[0].rule, "cert.expired");
	assert_string_equal(inv.findings[0].severity, "critical");
	assert_string_equal(inv.findings[0].endpoint, "192.0.2.1:443");
	assert_string_equal(inv.findings[1].rule, "tls.tls10");
	assert_int_equal(inv.nby_rule, 2);
	assert_string_equal(inv.by_rule[0].a, "cert.expired");
	assert_int_equal(inv.by_rule[0].n, 2);
	assert_string_equal(inv.by_rule[1].b, "medium");
	assert_int_equal(inv.by_rule[1].n, 1);

	assert_int_equal(inv.nby_status, 2);
	assert_string_equal(inv.by_status[0].a, "ok");
	assert_int_equal(inv.by_status[0].n, 1);
	assert_string_equal(inv.by_status[1].a, "refused");
	assert_int_equal(inv.by_status[1].n, 1);

	/* scan 2 is still open: not a failure, not the last success */
	assert_int_equal(inv.scans.total, 2);
	assert_int_equal(inv.scans.failed, 0);
	assert_true(inv.scans.has_success);
	assert_int_equal(inv.scans.last_success, 1010);
	assert_int_equal(inv.scans.last_duration, 10);
	metrics_inventory_clear(&inv);
	assert_int_equal(inv.nendpoints, 0);
}

static void
test_unfinished_scan_fails(void **state)
{
	struct fixture *fx = *state;
	struct metrics_inventory inv;
	struct store *st = NULL;
	int64_t want_a[2], want_b, s3;
	char err[512];

	fill_db(fx->path, want_a, &want_b);
	/* a third sweep begins: the second never finished */
	assert_int_equal(store_open(&st, fx->path, err, sizeof(err)), 0);
	assert_int_equal(store_scan_begin(st, "active", "t", 3000, &s3), 0);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(metrics_read(fx->path, &inv, err, sizeof(err)), 0);
	assert_int_equal(inv.scans.total, 3);
	assert_int_equal(inv.scans.failed, 1);
	metrics_inventory_clear(&inv);
	assert_int_equal(store_scan_end(st, s3, 3005, 0, 0), 0);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(metrics_read(fx->path, &inv, err, sizeof(err)), 0);
	assert_int_equal(inv.scans.last_success, 3005);
	assert_int_equal(inv.scans.last_duration, 5);
	metrics_inventory_clear(&inv);
}

static void
test_errors(void **state)
{
	struct fixture *fx = *state;
	struct metrics_inventory inv;
	sqlite3 *db = NULL;
	char err[512] = "";

	/* no file: an error, and nothing created */
	assert_int_equal(metrics_read(fx->path, &inv, err, sizeof(err)), -1);
	assert_non_null(strstr(err, fx->path));
	assert_int_equal(access(fx->path, F_OK), -1);
	metrics_inventory_clear(&inv);
	/* an empty SQLite file */
	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	sqlite3_close(db);
	err[0] = '\0';
	assert_int_equal(metrics_read(fx->path, &inv, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no sweep"));
	metrics_inventory_clear(&inv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inventory, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unfinished_scan_fails,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
