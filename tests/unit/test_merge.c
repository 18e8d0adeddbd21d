/*
 * test_merge.c: db/merge.c (certsweep db merge) and the store/scanner
 * pieces of --resume (db/resume.c, scanner/resume.c).
 *
 * The merge tests write the same observations once into one database (a
 * "full sweep") and split over three databases ("shards"), merge the
 * shards, and compare the two inventories row by row through a canonical
 * dump that leaves out ids and scan rows.  Others check first/last seen and
 * finding state across inputs of different times, idempotence, the
 * refusals (OUT among the inputs, a foreign or newer file: OUT not even
 * created) and atomicity (a broken input leaves OUT as it was).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db/merge.h"
#include "db/store.h"
#include "db/store_internal.h"
#include "scanner/record.h"
#include "scanner/resume.h"
#include "scanner/xmem.h"

struct fixture {
	char	dir[64];
};

static char *
path_in(const struct fixture *fx, const char *name)
{
	return xasprintf("%s/%s", fx->dir, name);
}

static int
setup(void **state)
{
	struct fixture *fx = xcalloc(1, sizeof(*fx));

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_merge.XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char *cmd = xasprintf("rm -rf '%s'", fx->dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(fx);
	return 0;
}

/* --- observations --- */

/* A certificate: identity id (its SHA-256 bytes), only what the store
 * needs.  Strings are static: these records are never freed. */
static void
make_cert(struct cert_record *c, uint32_t id)
{
	static char *sans[] = { (char *)(uintptr_t)"DNS:a.example" };

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < CERT_SHA256_LEN; i++) {
		c->sha256[i] = (uint8_t)(id * 31 + i * 7);
		c->spki_sha256[i] = (uint8_t)(id * 17 + i);
	}
	c->subject = c->issuer = c->serial = (char *)(uintptr_t)"x";
	c->key_type = c->curve = c->sig_alg = c->eku = (char *)(uintptr_t)"";
	c->ocsp_urls = c->ca_issuers = c->crl_urls = (char *)(uintptr_t)"";
	c->ski = c->aki = (char *)(uintptr_t)"";
	c->sans = sans;
	c->nsans = 1;
	c->not_before = 1000;
	c->not_after = 2000 + id;
	c->path_len = -1;
	c->key_usage = UINT32_MAX;
	c->version = 3;
}

/* Endpoint i: 10.0.0.i:443; ok endpoints (i % 4 != 0) serve leaf 100 + i
 * and the shared intermediate 1, with a finding on the leaf. */
static void
add_endpoint(struct store *st, int64_t scan, int i, int64_t when,
    bool with_finding)
{
	struct cert_record chain[2];
	struct finding f = { .rule = "cert.expired", .severity = SEV_HIGH,
	    .depth = 0 };
	struct observation o;

	memset(&o, 0, sizeof(o));
	snprintf(o.ip, sizeof(o.ip), "10.0.0.%d", i);
	o.port = 443;
	o.protocol = "tls";
	o.time = when;
	o.status = i % 4 != 0 ? SCAN_OK : SCAN_REFUSED;
	if (o.status == SCAN_OK) {
		make_cert(&chain[0], 100 + (uint32_t)i);
		make_cert(&chain[1], 1);
		o.chain = chain;
		o.chain_len = 2;
		snprintf(f.detail, sizeof(f.detail), "expired");
		if (with_finding) {
			o.findings = &f;
			o.nfindings = 1;
		}
	}
	assert_int_equal(store_add_observation(st, scan, &o), 0);
}

static struct store *
open_db(const char *path)
{
	struct store *st = NULL;
	char err[512];

	if (store_open(&st, path, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	return st;
}

/* One sweep at `when` of endpoints i (from <= i < to, step) into path. */
static void
sweep(const char *path, const char *args, int64_t when, int from, int to,
    int step, bool with_finding)
{
	struct store *st = open_db(path);
	int64_t scan;

	assert_int_equal(store_scan_begin(st, "active", args, when, &scan), 0);
	for (int i = from; i < to; i += step)
		add_endpoint(st, scan, i, when, with_finding);
	assert_int_equal(store_scan_end(st, scan, when + 10, 0, 0), 0);
	assert_int_equal(store_close(st), 0);
}

/* --enum results for every ok observation, as db/store_enum.c would
 * write them (rows named after the endpoint, to follow them through). */
static void
add_enum_rows(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO tls_config "
	    "(observation_id, versions) SELECT o.id, 'TLSv1.3@' || e.ip FROM "
	    "observations o JOIN endpoints e ON e.id = o.endpoint_id WHERE "
	    "o.status = 'ok'; INSERT INTO tls_offers (observation_id, "
	    "version, cipher, cipher_id, preference) SELECT o.id, 'TLSv1.3', "
	    "'TLS_AES_128_GCM_SHA256', 4865, length(e.ip) % 3 FROM "
	    "observations o JOIN endpoints e ON e.id = o.endpoint_id WHERE "
	    "o.status = 'ok'", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
}

/* --- canonical dumps --- */

static char *
query_text(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	char *out;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	out = xstrdup(sqlite3_column_text(s, 0) != NULL ?
	    (const char *)sqlite3_column_text(s, 0) : "");
	sqlite3_finalize(s);
	sqlite3_close(db);
	return out;
}

static const char *const dumps[] = {
	"SELECT group_concat(r, char(10)) FROM (SELECT ip || ' ' || port || "
	    "' ' || sni || ' ' || protocol || ' ' || ifnull(hostname, '-') || "
	    "' ' || first_seen || ' ' || last_seen || ' ' || "
	    "ifnull(leaf_sha256, '-') || ' ' || ifnull(leaf_spki, '-') AS r "
	    "FROM endpoints ORDER BY r)",
	"SELECT group_concat(r, char(10)) FROM (SELECT sha256 || ' ' || "
	    "not_after || ' ' || sans || ' ' || first_seen || ' ' || "
	    "last_seen AS r FROM certificates ORDER BY r)",
	"SELECT group_concat(r, char(10)) FROM (SELECT e.ip || ' ' || o.time "
	    "|| ' ' || o.status || ' ' || l.depth || ' ' || l.cert_sha256 AS r "
	    "FROM chain_links l JOIN observations o ON o.id = l.observation_id "
	    "JOIN endpoints e ON e.id = o.endpoint_id ORDER BY r)",
	"SELECT group_concat(r, char(10)) FROM (SELECT e.ip || ' ' || o.time "
	    "|| ' ' || o.status AS r FROM observations o JOIN endpoints e ON "
	    "e.id = o.endpoint_id ORDER BY r)",
	"SELECT group_concat(r, char(10)) FROM (SELECT e.ip || ' ' || f.rule "
	    "|| ' ' || ifnull(f.cert_sha256, '-') || ' ' || f.first_seen || "
	    "' ' || f.last_seen || ' ' || f.state || ' ' || "
	    "ifnull(f.resolved_at, '-') AS r FROM findings f JOIN endpoints e "
	    "ON e.id = f.endpoint_id ORDER BY r)",
	"SELECT group_concat(r, char(10)) FROM (SELECT e.ip || ' ' || "
	    "c.versions || ' ' || t.cipher || ' ' || t.preference AS r "
	    "FROM tls_config c JOIN tls_offers t USING (observation_id) "
	    "JOIN observations o ON o.id = c.observation_id JOIN endpoints e "
	    "ON e.id = o.endpoint_id ORDER BY r)",
};

static void
assert_same_inventory(const char *a, const char *b)
{
	for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++) {
		char *x = query_text(a, dumps[i]), *y = query_text(b, dumps[i]);

		if (strcmp(x, y) != 0)
			print_error("dump %zu differs:\n%s\n--- vs ---\n%s\n",
			    i, x, y);
		assert_string_equal(x, y);
		assert_true(strlen(x) > 0);
		free(x);
		free(y);
	}
}

static int64_t
query_int(const char *path, const char *sql)
{
	char *t = query_text(path, sql);
	int64_t v = strtoll(t, NULL, 10);

	free(t);
	return v;
}

static int
do_merge(const char *out, const char *const *in, size_t n,
    struct merge_stats *ms)
{
	char err[1024];
	int rc = store_merge(out, in, n, ms, err, sizeof(err));

	if (rc == -1)
		print_message("merge: %s\n", err);
	return rc;
}

/* --- tests --- */

static void
test_shards_equal_full(void **state)
{
	struct fixture *fx = *state;
	char *full = path_in(fx, "full.db"), *out = path_in(fx, "out.db");
	char *sh[3];
	struct merge_stats ms;

	sweep(full, "scan 10.0.0.0/24", 5000, 1, 60, 1, true);
	add_enum_rows(full);
	for (int k = 0; k < 3; k++) {
		char name[16], args[64];

		snprintf(name, sizeof(name), "s%d.db", k);
		snprintf(args, sizeof(args), "scan 10.0.0.0/24 --shard %d/3",
		    k + 1);
		sh[k] = path_in(fx, name);
		sweep(sh[k], args, 5000, 1 + k, 60, 3, true);
		add_enum_rows(sh[k]);
	}
	assert_int_equal(do_merge(out, (const char *const *)sh, 3, &ms), 0);
	assert_int_equal(ms.scans, 3);
	assert_int_equal(ms.observations, 59);
	assert_int_equal(ms.endpoints, 59);
	/* 45 leaves + the intermediate they share */
	assert_int_equal(ms.certificates, 46);
	assert_same_inventory(full, out);
	/* Each endpoint's latest leaf names a scan of OUT that saw it. */
	assert_int_equal(query_int(out, "SELECT count(*) FROM endpoints e "
	    "WHERE leaf_sha256 IS NOT NULL"), 45);
	assert_int_equal(query_int(out, "SELECT count(*) FROM endpoints e "
	    "WHERE leaf_sha256 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
	    "observations o JOIN chain_links l ON l.observation_id = o.id AND "
	    "l.depth = 0 WHERE o.endpoint_id = e.id AND o.status = 'ok' AND "
	    "o.scan_id = e.leaf_scan AND l.cert_sha256 = e.leaf_sha256)"), 0);
	assert_int_equal(query_int(out, "SELECT count(*) FROM scans"), 3);
	assert_int_equal(query_int(out, "SELECT count(*) FROM pragma_"
	    "foreign_key_check"), 0);

	/* Idempotent: the same inputs again add nothing. */
	assert_int_equal(do_merge(out, (const char *const *)sh, 3, &ms), 0);
	assert_int_equal(ms.scans, 0);
	assert_int_equal(ms.scans_known, 3);
	assert_int_equal(ms.observations, 0);
	assert_same_inventory(full, out);
	for (int k = 0; k < 3; k++)
		free(sh[k]);
	free(full);
	free(out);
}

/* The same endpoints seen at two times in two databases: first_seen is
 * the earliest, last_seen the latest, and a finding resolved by the later
 * sweep stays resolved whichever order the inputs come in. */
static void
test_times_and_state(void **state)
{
	struct fixture *fx = *state;
	char *early = path_in(fx, "early.db"), *late = path_in(fx, "late.db");
	char *o1 = path_in(fx, "o1.db"), *o2 = path_in(fx, "o2.db");
	const char *in1[] = { early, late }, *in2[] = { late, early };
	struct merge_stats ms;

	sweep(early, "scan a", 1000, 1, 8, 1, true);
	sweep(late, "scan b", 3000, 1, 8, 1, false);
	assert_int_equal(query_int(late, "SELECT count(*) FROM findings"), 0);
	assert_int_equal(do_merge(o1, in1, 2, &ms), 0);
	assert_int_equal(do_merge(o2, in2, 2, &ms), 0);
	for (int k = 0; k < 2; k++) {
		const char *o = k == 0 ? o1 : o2;

		assert_int_equal(query_int(o, "SELECT count(*) FROM endpoints "
		    "WHERE first_seen = 1000 AND last_seen = 3000"), 7);
		assert_int_equal(query_int(o, "SELECT count(*) FROM findings "
		    "WHERE state = 'open'"), 6);
		assert_int_equal(query_int(o, "SELECT count(*) FROM scans"), 2);
		assert_int_equal(query_int(o, "SELECT count(*) FROM "
		    "certificates WHERE first_seen = 1000 AND last_seen = "
		    "3000"), 7);
	}
	free(early);
	free(late);
	free(o1);
	free(o2);
}

static void
test_finding_resolution(void **state)
{
	struct fixture *fx = *state;
	char *a = path_in(fx, "a.db"), *b = path_in(fx, "b.db");
	char *o1 = path_in(fx, "o1.db"), *o2 = path_in(fx, "o2.db");
	const char *in1[] = { a, b }, *in2[] = { b, a };
	struct merge_stats ms;

	/* a: found at 1000, resolved at 2010 (the sweep at 2000 ends then) */
	sweep(a, "scan x", 1000, 1, 4, 1, true);
	sweep(a, "scan x", 2000, 1, 4, 1, false);
	assert_int_equal(query_int(a, "SELECT count(*) FROM findings WHERE "
	    "state = 'resolved'"), 3);
	/* b: the same findings, last seen at 1500 */
	sweep(b, "scan y", 1500, 1, 4, 1, true);
	assert_int_equal(do_merge(o1, in1, 2, &ms), 0);
	assert_int_equal(do_merge(o2, in2, 2, &ms), 0);
	for (int k = 0; k < 2; k++) {
		const char *o = k == 0 ? o1 : o2;

		assert_int_equal(query_int(o, "SELECT count(*) FROM findings "
		    "WHERE state = 'resolved' AND resolved_at = 2010 AND "
		    "first_seen = 1000 AND last_seen = 1500"), 3);
		assert_int_equal(query_int(o, "SELECT count(*) FROM findings"),
		    3);
	}
	free(a);
	free(b);
	free(o1);
	free(o2);
}

static void
test_refusals(void **state)
{
	struct fixture *fx = *state;
	char *good = path_in(fx, "good.db"), *out = path_in(fx, "new.db");
	char *junk = path_in(fx, "junk.db"), *newer = path_in(fx, "newer.db");
	char *missing = path_in(fx, "missing.db");
	const char *same[] = { good }, *two[] = { good, good };
	const char *j[] = { good, junk }, *n[] = { newer }, *m[] = { missing };
	struct merge_stats ms;
	sqlite3 *db = NULL;
	char err[1024];

	sweep(good, "scan g", 1000, 1, 4, 1, true);
	sweep(newer, "scan n", 1000, 1, 4, 1, true);
	assert_int_equal(sqlite3_open(newer, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(sqlite3_open(junk, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(store_merge(good, same, 1, &ms, err, sizeof(err)), -1);
	assert_true(ms.bad_input);
	assert_non_null(strstr(err, "also an input"));
	assert_int_equal(store_merge(out, two, 2, &ms, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "twice"));
	assert_int_equal(store_merge(out, j, 2, &ms, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a certsweep database"));
	assert_int_equal(store_merge(out, n, 1, &ms, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "newer certsweep"));
	assert_int_equal(store_merge(out, m, 1, &ms, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a readable file"));
	assert_int_equal(access(out, F_OK), -1);	/* never created */
	free(good);
	free(out);
	free(junk);
	free(newer);
	free(missing);
}

/* An input whose chain link names a certificate it does not have fails
 * the foreign key: OUT keeps exactly what it had. */
static void
test_atomic(void **state)
{
	struct fixture *fx = *state;
	char *good = path_in(fx, "good.db"), *bad = path_in(fx, "bad.db");
	char *out = path_in(fx, "out.db");
	const char *first[] = { good }, *both[] = { good, bad };
	struct merge_stats ms;
	sqlite3 *db = NULL;
	char *before, *after, err[1024];

	sweep(good, "scan g", 1000, 1, 6, 1, true);
	sweep(bad, "scan b", 2000, 10, 16, 1, true);
	assert_int_equal(sqlite3_open(bad, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys = OFF; "
	    "UPDATE chain_links SET cert_sha256 = 'ff' WHERE depth = 1",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(do_merge(out, first, 1, &ms), 0);
	before = query_text(out, dumps[3]);
	assert_int_equal(store_merge(out, both, 2, &ms, err, sizeof(err)), -1);
	assert_false(ms.bad_input);
	assert_non_null(strstr(err, bad));
	after = query_text(out, dumps[3]);
	assert_string_equal(before, after);
	assert_int_equal(query_int(out, "SELECT count(*) FROM scans"), 1);
	free(before);
	free(after);
	free(good);
	free(bad);
	free(out);
}

/* --- --resume --- */

static void
test_resume_args(void **state)
{
	static const char *const cases[][2] = {
		{ "scan --resume 10.0.0.0/24", "scan 10.0.0.0/24" },
		{ "scan 10.0.0.0/24 --resume", "scan 10.0.0.0/24" },
		{ "scan a --resume -p 443", "scan a -p 443" },
		{ "scan a --resumex b", "scan a --resumex b" },
		{ "scan x--resume", "scan x--resume" },
		{ "--resume", "" },
		{ "scan --resume --resume a", "scan a" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = resume_args(cases[i][0]);

		assert_string_equal(s, cases[i][1]);
		free(s);
	}
}

static void
test_resume_set(void **state)
{
	struct resume_set *s = resume_set_new();
	struct target t = { .family = AF_INET, .port = 443 };
	char ip[32];

	(void)state;
	for (int i = 0; i < 5000; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.1", i / 256, i % 256);
		assert_int_equal(resume_set_add(s, ip, NULL, 443), 0);
	}
	assert_int_equal(resume_set_add(s, "2001:db8::1", "", 8443), 0);
	assert_int_equal(resume_set_add(s, "10.9.9.9", "www.example", 443), 0);
	assert_int_equal(resume_set_add(s, "10.0.0.1", NULL, 443), 0); /* dup */
	assert_int_equal(resume_set_add(s, "not an ip", NULL, 443), -1);
	assert_int_equal(resume_set_count(s), 5002);
	for (int i = 0; i < 5000; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.1", i / 256, i % 256);
		inet_pton(AF_INET, ip, t.addr);
		assert_true(resume_set_has(s, &t));
		t.port = 444;
		assert_false(resume_set_has(s, &t));
		t.port = 443;
	}
	inet_pton(AF_INET, "10.0.0.2", t.addr);
	assert_false(resume_set_has(s, &t));
	/* the hostname target is keyed by its name, not its address */
	inet_pton(AF_INET, "10.9.9.9", t.addr);
	assert_false(resume_set_has(s, &t));
	t = (struct target){ .family = AF_UNSPEC, .port = 443 };
	snprintf(t.host, sizeof(t.host), "www.example");
	assert_true(resume_set_has(s, &t));
	t.port = 8443;
	assert_false(resume_set_has(s, &t));
	t = (struct target){ .family = AF_INET6, .port = 8443 };
	inet_pton(AF_INET6, "2001:db8:0::1", t.addr);
	assert_true(resume_set_has(s, &t));
	resume_set_free(s);
}

static int
count_cb(void *arg, const char *ip, const char *hostname, uint16_t port,
    bool ok)
{
	int *n = arg;

	assert_int_equal(port, 443);
	assert_null(hostname);
	assert_int_equal(strncmp(ip, "10.0.0.", 7), 0);
	n[0]++;
	n[1] += ok;
	return 0;
}

static void
test_resume_store(void **state)
{
	struct fixture *fx = *state;
	char *p = path_in(fx, "r.db");
	struct store *st = open_db(p);
	int64_t s1, s2, s3, found;
	int n[2] = { 0, 0 };

	assert_int_equal(store_scan_begin(st, "active", "scan a", 1, &s1), 0);
	assert_int_equal(store_scan_begin(st, "active", "scan b", 2, &s2), 0);
	for (int i = 1; i <= 9; i++)
		add_endpoint(st, s2, i, 2, false);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(store_scan_begin(st, "active", "scan a", 3, &s3), 0);
	assert_int_equal(store_scan_end(st, s3, 4, 0, 0), 0);
	/* the latest unfinished one of the same arguments */
	assert_int_equal(store_scan_unfinished(st, "active", "scan a", &found),
	    0);
	assert_int_equal(found, s1);
	assert_int_equal(store_scan_unfinished(st, "active", "scan b", &found),
	    0);
	assert_int_equal(found, s2);
	assert_int_equal(store_scan_unfinished(st, "passive", "scan b",
	    &found), 0);
	assert_int_equal(found, 0);
	assert_int_equal(store_scan_observed(st, s2, count_cb, n), 0);
	assert_int_equal(n[0], 9);
	assert_int_equal(n[1], 7);	/* 4 and 8 refused */
	assert_int_equal(store_close(st), 0);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_shards_equal_full, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_times_and_state, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_finding_resolution, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_atomic, setup, teardown),
		cmocka_unit_test(test_resume_args),
		cmocka_unit_test(test_resume_set),
		cmocka_unit_test_setup_teardown(test_resume_store, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
