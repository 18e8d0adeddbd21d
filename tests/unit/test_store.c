/*
 * test_store.c: db/store.c on ":memory:" and on files in a temporary
 * directory: creation and migration (from empty and from a v1 fixture),
 * refusal of files that are not ours (left byte-for-byte untouched),
 * deduplication, first/last seen, the findings lifecycle, the queries for
 * the analysis, batching, SQLITE_FULL via PRAGMA max_page_count, and a
 * printed (never asserted) timing of 10,000 observations.
 *
 * Certificates are filled by hand: the store must not need scanner/cert.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db/store.h"
#include "db/store_internal.h"
#include "scanner/record.h"
#include "scanner/xmem.h"

/*
 * status.c (scan_status_name) refers to cert_record_clear(), which lives in
 * scanner/cert.c with OpenSSL.  This weak stand-in frees what make_cert()
 * allocates; a real cert.o, when linked, takes precedence.
 */
__attribute__((weak)) void
cert_record_clear(struct cert_record *c)
{
	free(c->der);
	free(c->subject);
	free(c->issuer);
	free(c->serial);
	free(c->key_type);
	free(c->curve);
	free(c->sig_alg);
	for (size_t i = 0; i < c->nsans; i++)
		free(c->sans[i]);
	free(c->sans);
	free(c->eku);
	free(c->ocsp_urls);
	free(c->ca_issuers);
	free(c->crl_urls);
	free(c->ski);
	free(c->aki);
	memset(c, 0, sizeof(*c));
}

struct fixture {
	char	 dir[64];
	char	 path[128];
};

/* --- helpers --- */

static uint32_t
prng(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
fill(uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t s = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)prng(&s);
}

/* A certificate whose identity is id and whose key is key. */
static void
make_cert(struct cert_record *c, uint32_t id, uint32_t key, size_t der_len,
    bool ca)
{
	memset(c, 0, sizeof(*c));
	fill(c->sha256, sizeof(c->sha256), id);
	fill(c->spki_sha256, sizeof(c->spki_sha256), 0x10000 + key);
	c->der_len = der_len;
	c->der = xmalloc(der_len);
	fill(c->der, der_len, id + 7);
	c->subject = xasprintf("CN=cert %u", id);
	c->issuer = xstrdup(ca ? "CN=root" : "CN=intermediate");
	c->serial = xasprintf("%08X", id);
	c->not_before = 1700000000;
	c->not_after = 1700000000 + 86400 * (int64_t)(id % 400);
	c->key_type = xstrdup("EC");
	c->key_bits = 256;
	c->curve = xstrdup("prime256v1");
	c->sig_alg = xstrdup("ecdsa-with-SHA256");
	c->nsans = 2;
	c->sans = xcalloc(2, sizeof(char *));
	c->sans[0] = xasprintf("DNS:host%u.example", id);
	c->sans[1] = xstrdup("DNS:odd\"name\\");
	c->is_ca = ca;
	c->version = 3;
	c->has_basic_constraints = ca;
	c->path_len = ca ? 0 : -1;
	c->key_usage = ca ? 0x06 : UINT32_MAX;
	c->eku = xstrdup(ca ? "" : "serverAuth");
	c->ocsp_urls = xstrdup("");
	c->ca_issuers = xstrdup("");
	c->crl_urls = xstrdup("");
	c->ski = xstrdup("");
	c->aki = xstrdup("");
}

static void
make_obs(struct observation *o, const char *ip, uint16_t port,
    const char *sni, int64_t when, enum scan_status status)
{
	memset(o, 0, sizeof(*o));
	o->source = OBS_ACTIVE;
	snprintf(o->ip, sizeof(o->ip), "%s", ip);
	o->port = port;
	snprintf(o->sni, sizeof(o->sni), "%s", sni);
	o->protocol = "tls";
	o->time = when;
	o->status = status;
	if (status == SCAN_OK) {
		snprintf(o->version, sizeof(o->version), "TLSv1.3");
		snprintf(o->cipher, sizeof(o->cipher), "TLS_AES_128_GCM_SHA256");
		snprintf(o->group, sizeof(o->group), "x25519");
		o->handshake_ms = 1.5;
	} else
		snprintf(o->reason, sizeof(o->reason), "connection refused");
}

/* Borrowed chain: the caller keeps the certificates. */
static void
set_chain(struct observation *o, struct cert_record *chain, size_t n)
{
	o->chain = chain;
	o->chain_len = n;
}

static void
add_finding(struct observation *o, struct finding *f, size_t *n,
    const char *rule, int depth)
{
	f[*n] = (struct finding){ .rule = rule, .severity = SEV_HIGH,
	    .depth = depth };
	snprintf(f[*n].detail, sizeof(f[*n].detail), "%s at %d", rule, depth);
	(*n)++;
	o->findings = f;
	o->nfindings = *n;
}

static void
hexof(const uint8_t *b, char *out)
{
	for (size_t i = 0; i < CERT_SHA256_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static int64_t
q_int(sqlite3 *db, const char *fmt, ...)
{
	sqlite3_stmt *s = NULL;
	va_list ap;
	char *sql;
	int64_t v = INT64_MIN;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) !=
	    SQLITE_NULL)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_free(sql);
	return v;
}

/* The first column of the first row as a new string ("" for none). */
static char *
q_vtext(sqlite3 *db, const char *fmt, va_list ap)
{
	sqlite3_stmt *s = NULL;
	char *sql, *v;

	sql = sqlite3_vmprintf(fmt, ap);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
		v = xstrdup((const char *)sqlite3_column_text(s, 0));
	else
		v = xstrdup("");
	sqlite3_finalize(s);
	sqlite3_free(sql);
	return v;
}

static char *
q_text(sqlite3 *db, const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	v = q_vtext(db, fmt, ap);
	va_end(ap);
	return v;
}

/* Asserts that the query's first value is want. */
static void
q_text_is(sqlite3 *db, const char *want, const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	v = q_vtext(db, fmt, ap);
	va_end(ap);
	if (strcmp(v, want) != 0)
		print_error("query %s\n  gave %s\n  want %s\n", fmt, v, want);
	assert_string_equal(v, want);
	free(v);
}

static sqlite3 *
raw_open(const char *path, int flags)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, flags, NULL), SQLITE_OK);
	return db;
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
spew(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static int
setup(void **state)
{
	struct fixture *fx = xcalloc(1, sizeof(*fx));

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_store.XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/inv.db", fx->dir);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	struct dirent *de;
	DIR *d = opendir(fx->dir);
	char p[512];

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", fx->dir, de->d_name);
		unlink(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* One ok observation of ip:443 at when, with leaf (id) and intermediate. */
static void
add_ok(struct store *st, int64_t scan, const char *ip, int64_t when,
    struct cert_record *chain, size_t n)
{
	struct observation o;

	make_obs(&o, ip, 443, "", when, SCAN_OK);
	set_chain(&o, chain, n);
	assert_int_equal(store_add_observation(st, scan, &o), 0);
}

static char *
schema_of(sqlite3 *db)
{
	return q_text(db, "SELECT group_concat(type || ' ' || name || ' ' || "
	    "ifnull(sql, ''), char(10)) FROM (SELECT * FROM sqlite_master "
	    "ORDER BY name)");
}

/* --- tests --- */

static void
test_memory_create(void **state)
{
	struct store *st = NULL;
	sqlite3 *db;
	char err[256];

	(void)state;
	assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
	db = store_db(st);
	assert_int_equal(q_int(db, "PRAGMA user_version"),
	    store_schema_latest());
	assert_int_equal(q_int(db, "PRAGMA application_id"),
	    STORE_APPLICATION_ID);
	assert_int_equal(q_int(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(q_int(db, "PRAGMA secure_delete"), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'table' AND name IN ('scans', 'endpoints', 'certificates', "
	    "'observations', 'chain_links', 'findings')"), 6);
	/* chain_links and observations declare their parents. */
	assert_int_equal(q_int(db, "SELECT count(*) FROM "
	    "pragma_foreign_key_list('chain_links') WHERE \"table\" IN "
	    "('observations', 'certificates')"), 2);
	assert_int_equal(q_int(db, "SELECT count(*) FROM "
	    "pragma_foreign_key_list('observations') WHERE \"table\" IN "
	    "('scans', 'endpoints')"), 2);
	assert_int_equal(store_close(st), 0);
	assert_int_equal(store_close(NULL), 0);
}

static void
test_file_create_reopen(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	struct cert_record chain[2];
	struct stat sb;
	char err[256], *wal;
	int64_t scan = 0;
	mode_t old;
	sqlite3 *db;

	make_cert(&chain[0], 1, 1, 600, false);
	make_cert(&chain[1], 2, 2, 500, true);
	old = umask(0);		/* 0600 must not come from the umask */
	assert_int_equal(store_open(&st, fx->path, err, sizeof(err)), 0);
	umask(old);
	assert_int_equal(stat(fx->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	q_text_is(store_db(st), "wal", "PRAGMA journal_mode");
	/* A new file is created with synchronous OFF; the sweep's commits
	 * are NORMAL (1) again. */
	assert_int_equal(q_int(store_db(st), "PRAGMA synchronous"), 1);
	assert_int_equal(q_int(store_db(st), "PRAGMA page_size"), 8192);
	assert_int_equal(store_scan_begin(st, "active", "-p 443", 100, &scan),
	    0);
	add_ok(st, scan, "192.0.2.1", 101, chain, 2);
	wal = xasprintf("%s-wal", fx->path);
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	free(wal);
	assert_int_equal(store_scan_end(st, scan, 102, 1, 1), 0);
	assert_int_equal(store_close(st), 0);

	assert_int_equal(store_open(&st, fx->path, err, sizeof(err)), 0);
	db = store_db(st);
	assert_int_equal(q_int(db, "PRAGMA synchronous"), 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM observations"), 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM chain_links"), 2);
	assert_int_equal(q_int(db, "SELECT finished FROM scans WHERE id = "
	    "%lld", (long long)scan), 102);
	q_text_is(db, "[\"DNS:host1.example\",\"DNS:odd\\\"name\\\\\"]",
	    "SELECT sans FROM certificates WHERE subject = 'CN=cert 1'");
	q_text_is(db, "DNS:host1.example|DNS:odd\"name\\",
	    "SELECT group_concat(value, '|') FROM certificates, "
	    "json_each(certificates.sans) WHERE subject = 'CN=cert 1'");
	assert_int_equal(q_int(db, "SELECT length(der) FROM certificates "
	    "WHERE subject = 'CN=cert 1'"), 600);
	assert_int_equal(store_close(st), 0);
	cert_record_clear(&chain[0]);
	cert_record_clear(&chain[1]);
}

static void
test_migrate_v1(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL, *fresh = NULL;
	const char *src = getenv("CERTSWEEP_SRC");
	char *fixture, *sql, *want, *got, err[256];
	struct cert_record leaf;
	struct observation o;
	struct finding f[1];
	size_t len, nf = 0;
	int64_t scan = 0;
	sqlite3 *db;

	fixture = xasprintf("%s/tests/data/store_v1.sql", src ? src : ".");
	sql = (char *)slurp(fixture, &len);
	sql[len] = '\0';
	db = raw_open(fx->path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(sql);
	free(fixture);

	assert_int_equal(store_open(&st, fx->path, err, sizeof(err)), 0);
	db = store_db(st);
	assert_int_equal(q_int(db, "PRAGMA user_version"),
	    store_schema_latest());
	/* An existing file keeps its page size. */
	assert_int_equal(q_int(db, "PRAGMA page_size"), 4096);
	/* The migrated file has exactly the schema of a new one. */
	assert_int_equal(store_open(&fresh, ":memory:", err, sizeof(err)), 0);
	want = schema_of(store_db(fresh));
	got = schema_of(db);
	assert_string_equal(got, want);
	free(want);
	free(got);
	store_close(fresh);
	/* v1 rows are kept, and the new table works on them. */
	assert_int_equal(q_int(db, "SELECT count(*) FROM observations"), 2);
	/* Migration 7 found .1's leaf; .2 only refused. */
	q_text_is(db, "1 aaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbb|-", "SELECT "
	    "group_concat(ifnull(leaf_scan || ' ' || substr(leaf_sha256, 1, "
	    "16) || ' ' || substr(leaf_spki, 1, 16), '-'), '|') FROM "
	    "(SELECT * FROM endpoints ORDER BY id)");
	q_text_is(db, "CN=v1.example", "SELECT c.subject FROM chain_links l "
	    "JOIN certificates c ON c.sha256 = l.cert_sha256");
	assert_int_equal(store_scan_begin(st, "active", "", 1700000100, &scan),
	    0);
	make_cert(&leaf, 9, 9, 300, false);
	make_obs(&o, "10.0.0.1", 443, "", 1700000101, SCAN_OK);
	set_chain(&o, &leaf, 1);
	add_finding(&o, f, &nf, "cert.expired", 0);
	assert_int_equal(store_add_observation(st, scan, &o), 0);
	assert_int_equal(store_scan_end(st, scan, 1700000102, 1, 1), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM endpoints"), 2);
	assert_int_equal(q_int(db, "SELECT first_seen FROM endpoints WHERE "
	    "ip = '10.0.0.1'"), 1700000001);
	/* The sweep moved .1's latest leaf to its own. */
	assert_int_equal(q_int(db, "SELECT count(*) FROM endpoints e JOIN "
	    "certificates c ON c.sha256 = e.leaf_sha256 AND c.spki_sha256 = "
	    "e.leaf_spki WHERE e.ip = '10.0.0.1' AND e.leaf_scan = %lld AND "
	    "c.subject = 'CN=cert 9'", (long long)scan), 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM findings WHERE "
	    "state = 'open' AND endpoint_id = 1"), 1);
	assert_int_equal(store_close(st), 0);
	cert_record_clear(&leaf);
}

/*
 * An empty file gets the latest schema in one script (schema_latest.c);
 * the migrations one by one must leave exactly the same sqlite_master,
 * text for text, and the same version and application id.
 */
static void
test_schema_paths(void **state)
{
	struct fixture *fx = *state;
	sqlite3 *steps, *direct;
	char err[256], *want, *got, *path2;

	(void)state;
	path2 = xasprintf("%s.direct", fx->path);
	steps = raw_open(fx->path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	direct = raw_open(path2, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	assert_int_equal(store_migrate_steps(steps, fx->path, err,
	    sizeof(err)), 0);
	assert_int_equal(store_migrate(direct, path2, err, sizeof(err)), 0);
	want = schema_of(steps);
	got = schema_of(direct);
	assert_string_equal(got, want);
	assert_int_equal(q_int(direct, "PRAGMA user_version"),
	    store_schema_latest());
	assert_int_equal(q_int(steps, "PRAGMA user_version"),
	    store_schema_latest());
	assert_int_equal(q_int(direct, "PRAGMA application_id"),
	    STORE_APPLICATION_ID);
	assert_int_equal(q_int(steps, "PRAGMA application_id"),
	    STORE_APPLICATION_ID);
	/* Nothing left to do on either. */
	assert_int_equal(store_migrate(steps, fx->path, err, sizeof(err)), 0);
	assert_int_equal(store_migrate_steps(direct, path2, err,
	    sizeof(err)), 0);
	free(want);
	want = schema_of(steps);
	assert_string_equal(got, want);
	free(want);
	free(got);
	sqlite3_close(steps);
	sqlite3_close(direct);
	unlink(path2);
	free(path2);
}

/* Opening path must fail with a message containing every word of want,
 * and leave the file byte-for-byte as it was. */
static void
expect_refused(const char *path, const char *want1, const char *want2)
{
	struct store *st = (struct store *)&st;
	uint8_t *before, *after;
	size_t nb, na;
	char err[512];

	before = slurp(path, &nb);
	assert_int_equal(store_open(&st, path, err, sizeof(err)), -1);
	assert_null(st);
	print_message("    refused: %s\n", err);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, want1));
	if (want2 != NULL)
		assert_non_null(strstr(err, want2));
	after = slurp(path, &na);
	assert_int_equal(na, nb);
	assert_memory_equal(after, before, nb);
	free(before);
	free(after);
}

static void
test_newer_version(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	char err[256], want[80];
	sqlite3 *db;

	assert_int_equal(store_open(&st, fx->path, err, sizeof(err)), 0);
	assert_int_equal(store_close(st), 0);
	db = raw_open(fx->path, SQLITE_OPEN_READWRITE);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	snprintf(want, sizeof(want), "schema 99, this one knows %d",
	    store_schema_latest());
	expect_refused(fx->path, "newer certsweep", want);
}

static void
test_not_a_database(void **state)
{
	struct fixture *fx = *state;
	uint8_t junk[8192];
	sqlite3 *db;

	/* Random bytes: refused before SQLite even opens it. */
	fill(junk, sizeof(junk), 42);
	spew(fx->path, junk, sizeof(junk));
	expect_refused(fx->path, "not an SQLite database", "untouched");
	/* The right magic, garbage after it: refused by SQLite's own
	 * read of the header, still before any write. */
	memcpy(junk, "SQLite format 3", 16);
	spew(fx->path, junk, sizeof(junk));
	expect_refused(fx->path, "database", NULL);
	/* Short text. */
	spew(fx->path, "hello\n", 6);
	expect_refused(fx->path, "not an SQLite database", NULL);
	/* Another program's SQLite database. */
	unlink(fx->path);
	db = raw_open(fx->path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE notes (t TEXT); "
	    "INSERT INTO notes VALUES ('mine')", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	expect_refused(fx->path, "another program", "untouched");
}

static void
test_unwritable(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	char err[512], *path;

	path = xasprintf("%s/missing/x.db", fx->dir);
	assert_int_equal(store_open(&st, path, err, sizeof(err)), -1);
	assert_null(st);
	print_message("    refused: %s\n", err);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "cannot open"));
	free(path);
	/* A directory is not a database either. */
	assert_int_equal(store_open(&st, fx->dir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, fx->dir));
	/* A short buffer gets a truncated, terminated message. */
	assert_int_equal(store_open(&st, fx->dir, err, 8), -1);
	assert_int_equal(strlen(err), 7);
}

static void
test_cert_dedup(void **state)
{
	struct store *st = NULL;
	struct cert_record a[2], b[2];
	char err[256], sha[65];
	int64_t scan = 0;
	sqlite3 *db;

	(void)state;
	make_cert(&a[0], 1, 1, 700, false);	/* leaf of host 1 */
	make_cert(&b[0], 3, 3, 700, false);	/* leaf of host 2 */
	make_cert(&a[1], 2, 2, 500, true);	/* their intermediate */
	make_cert(&b[1], 2, 2, 500, true);
	assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
	db = store_db(st);
	assert_int_equal(store_scan_begin(st, "active", NULL, 1000, &scan), 0);
	add_ok(st, scan, "192.0.2.1", 1001, a, 2);
	add_ok(st, scan, "192.0.2.2", 1005, b, 2);
	add_ok(st, scan, "192.0.2.1", 1009, a, 2);	/* same batch */
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM certificates"), 3);
	assert_int_equal(q_int(db, "SELECT count(*) FROM chain_links"), 6);
	hexof(a[1].sha256, sha);
	assert_int_equal(q_int(db, "SELECT first_seen FROM certificates "
	    "WHERE sha256 = %Q", sha), 1001);
	assert_int_equal(q_int(db, "SELECT last_seen FROM certificates "
	    "WHERE sha256 = %Q", sha), 1009);
	hexof(b[0].sha256, sha);
	assert_int_equal(q_int(db, "SELECT last_seen FROM certificates "
	    "WHERE sha256 = %Q", sha), 1005);
	/* Next batch: the row is updated, not duplicated; an older sighting
	 * (a replayed capture) moves first_seen back. */
	add_ok(st, scan, "192.0.2.2", 2000, b, 2);
	add_ok(st, scan, "192.0.2.2", 900, b, 1);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM certificates"), 3);
	assert_int_equal(q_int(db, "SELECT first_seen FROM certificates "
	    "WHERE sha256 = %Q", sha), 900);
	assert_int_equal(q_int(db, "SELECT last_seen FROM certificates "
	    "WHERE sha256 = %Q", sha), 2000);
	hexof(b[1].sha256, sha);
	assert_int_equal(q_int(db, "SELECT last_seen FROM certificates "
	    "WHERE sha256 = %Q", sha), 2000);
	assert_int_equal(q_int(db, "SELECT count(*) FROM certificates WHERE "
	    "is_ca AND path_len = 0 AND key_usage = 6 AND eku IS NULL"), 1);
	assert_int_equal(store_close(st), 0);
	for (int i = 0; i < 2; i++) {
		cert_record_clear(&a[i]);
		cert_record_clear(&b[i]);
	}
}

/* OCSP status and times go to the observation's row; none is NULL. */
static void
test_ocsp_columns(void **state)
{
	struct store *st = NULL;
	struct cert_record c;
	struct observation o;
	char err[256];
	int64_t scan = 0;
	sqlite3 *db;

	(void)state;
	make_cert(&c, 1, 1, 300, false);
	assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
	db = store_db(st);
	assert_int_equal(store_scan_begin(st, "active", NULL, 1000, &scan), 0);
	make_obs(&o, "192.0.2.1", 443, "", 1001, SCAN_OK);
	set_chain(&o, &c, 1);
	snprintf(o.ocsp_status, sizeof(o.ocsp_status), "revoked");
	o.ocsp_this_update = 990;
	o.ocsp_next_update = 0;
	assert_int_equal(store_add_observation(st, scan, &o), 0);
	add_ok(st, scan, "192.0.2.2", 1002, &c, 1);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM observations WHERE "
	    "ocsp_status = 'revoked' AND ocsp_this_update = 990 AND "
	    "ocsp_next_update IS NULL"), 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM observations WHERE "
	    "ocsp_status IS NULL AND ocsp_this_update IS NULL"), 1);
	assert_int_equal(store_close(st), 0);
	cert_record_clear(&c);
}

static void
test_endpoint_seen(void **state)
{
	struct store *st = NULL;
	struct observation o;
	char err[256];
	int64_t scan = 0;
	sqlite3 *db;

	(void)state;
	assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
	db = store_db(st);
	assert_int_equal(store_scan_begin(st, "active", NULL, 1, &scan), 0);
	make_obs(&o, "2001:db8::1", 993, "", 100, SCAN_REFUSED);
	o.protocol = "imap";
	assert_int_equal(store_add_observation(st, scan, &o), 0);
	/* Met again right after being new: the INSERT tried first fails on
	 * UNIQUE and the row is touched instead. */
	o.time = 200;
	snprintf(o.hostname, sizeof(o.hostname), "mail.example");
	assert_int_equal(store_add_observation(st, scan, &o), 0);
	o.time = 150;
	o.hostname[0] = '\0';
	assert_int_equal(store_add_observation(st, scan, &o), 0);
	/* Another name sent, another protocol: other endpoints. */
	snprintf(o.sni, sizeof(o.sni), "mail.example");
	assert_int_equal(store_add_observation(st, scan, &o), 0);
	o.protocol = "tls";
	assert_int_equal(store_add_observation(st, scan, &o), 0);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM endpoints"), 3);
	assert_int_equal(q_int(db, "SELECT first_seen FROM endpoints WHERE "
	    "sni = '' AND protocol = 'imap'"), 100);
	assert_int_equal(q_int(db, "SELECT last_seen FROM endpoints WHERE "
	    "sni = '' AND protocol = 'imap'"), 200);
	q_text_is(db, "mail.example", "SELECT hostname FROM endpoints WHERE "
	    "sni = '' AND protocol = 'imap'");
	assert_int_equal(q_int(db, "SELECT count(*) FROM observations"), 5);
	q_text_is(db, "refused|connection refused|",
	    "SELECT status || '|' || reason || '|' || ifnull(version, '') || "
	    "ifnull(handshake_ms, '') FROM observations LIMIT 1");
	assert_int_equal(store_close(st), 0);
}

/* The state of endpoint ip's finding rule ("open"/"resolved"/""). */
static void
finding_is(sqlite3 *db, const char *ip, const char *rule, const char *want)
{
	q_text_is(db, want, "SELECT f.state FROM findings f JOIN endpoints e "
	    "ON e.id = f.endpoint_id WHERE e.ip = %Q AND f.rule = %Q", ip,
	    rule);
}

static void
sweep(struct store *st, int64_t t, struct cert_record *leaf,
    const char *up1, bool down1, const char *up2, int64_t *scan)
{
	struct observation o;
	struct finding f[4];
	size_t nf = 0;

	assert_int_equal(store_scan_begin(st, "active", NULL, t, scan), 0);
	/* 192.0.2.1: answers (unless down1) with findings up1: "tls",
	 * "cert", "both" or "" for none. */
	make_obs(&o, "192.0.2.1", 443, "", t + 1, down1 ? SCAN_REFUSED :
	    SCAN_OK);
	if (!down1)
		set_chain(&o, leaf, 1);
	if (strcmp(up1, "both") == 0 || strcmp(up1, "tls") == 0)
		add_finding(&o, f, &nf, "tls.tls10", -1);
	if (strcmp(up1, "both") == 0 || strcmp(up1, "cert") == 0)
		add_finding(&o, f, &nf, "cert.expired", 0);
	assert_int_equal(store_add_observation(st, *scan, &o), 0);
	/* 192.0.2.2: only in some sweeps. */
	if (up2 != NULL) {
		nf = 0;
		make_obs(&o, "192.0.2.2", 443, "", t + 2, SCAN_OK);
		add_finding(&o, f, &nf, up2, -1);
		assert_int_equal(store_add_observation(st, *scan, &o), 0);
	}
	assert_int_equal(store_scan_end(st, *scan, t + 10, 2, 2), 0);
}

static void
test_findings_lifecycle(void **state)
{
	struct store *st = NULL;
	struct cert_record leaf;
	int64_t s1 = 0, s2 = 0, s3 = 0, s4 = 0;
	char err[256];
	sqlite3 *db;

	(void)state;
	make_cert(&leaf, 5, 5, 400, false);
	assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
	db = store_db(st);
	sweep(st, 1000, &leaf, "both", false, "tls.sslv3", &s1);
	finding_is(db, "192.0.2.1", "tls.tls10", "open");
	finding_is(db, "192.0.2.1", "cert.expired", "open");
	finding_is(db, "192.0.2.2", "tls.sslv3", "open");
	assert_int_equal(q_int(db, "SELECT count(*) FROM findings WHERE "
	    "rule = 'cert.expired' AND cert_sha256 IS NOT NULL AND depth = 0"),
	    1);
	/* 2: .1 fixed TLS 1.0; .2 was not scanned: untouched. */
	sweep(st, 2000, &leaf, "cert", false, NULL, &s2);
	finding_is(db, "192.0.2.1", "tls.tls10", "resolved");
	finding_is(db, "192.0.2.1", "cert.expired", "open");
	finding_is(db, "192.0.2.2", "tls.sslv3", "open");
	assert_int_equal(q_int(db, "SELECT resolved_at FROM findings WHERE "
	    "rule = 'tls.tls10'"), 2010);
	assert_int_equal(q_int(db, "SELECT last_scan FROM findings WHERE "
	    "rule = 'cert.expired'"), s2);
	/* 3: .1 is down: a refused endpoint resolves nothing. */
	sweep(st, 3000, &leaf, "", true, NULL, &s3);
	finding_is(db, "192.0.2.1", "cert.expired", "open");
	/* 4: TLS 1.0 is back: the same row reopens. */
	sweep(st, 4000, &leaf, "both", false, "tls.sslv3", &s4);
	finding_is(db, "192.0.2.1", "tls.tls10", "open");
	assert_int_equal(q_int(db, "SELECT count(*) FROM findings"), 3);
	assert_int_equal(q_int(db, "SELECT first_seen FROM findings WHERE "
	    "rule = 'tls.tls10'"), 1001);
	assert_int_equal(q_int(db, "SELECT last_seen FROM findings WHERE "
	    "rule = 'tls.tls10'"), 4001);
	assert_int_equal(q_int(db, "SELECT first_scan FROM findings WHERE "
	    "rule = 'tls.tls10'"), s1);
	assert_int_equal(q_int(db, "SELECT last_scan FROM findings WHERE "
	    "rule = 'tls.tls10'"), s4);
	q_text_is(db, "high", "SELECT severity FROM findings WHERE rule = "
	    "'tls.sslv3'");
	assert_int_equal(q_int(db, "SELECT count(*) FROM findings WHERE "
	    "resolved_at IS NOT NULL"), 0);
	assert_int_equal(store_close(st), 0);
	cert_record_clear(&leaf);
}

/* A finding reported again: kept open with the same severity, only its
 * depth, detail and last sighting move; another severity or a resolved
 * row is rewritten whole, as before. */
static void
test_findings_again(void **state)
{
	struct store *st = NULL;
	struct cert_record leaf;
	struct observation o;
	struct finding f[1];
	int64_t s[5] = { 0 };
	char err[256];
	size_t nf;
	sqlite3 *db;

	(void)state;
	make_cert(&leaf, 70, 70, 300, false);
	assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
	db = store_db(st);
	/* 0: the leaf's row, high; 1: depth -1, a row of its own (the
	 * leaf's is resolved); 2: the leaf's again, low (reopened); 3: high
	 * again, no detail; 4: the same, with a detail. */
	for (int i = 0; i < 5; i++) {
		assert_int_equal(store_scan_begin(st, "active", NULL,
		    1000 * (i + 1), &s[i]), 0);
		nf = 0;
		make_obs(&o, "192.0.2.1", 443, "", 1000 * (i + 1) + 1,
		    SCAN_OK);
		set_chain(&o, &leaf, 1);
		add_finding(&o, f, &nf, "cert.expired", i == 1 ? -1 : 0);
		if (i == 2)
			f[0].severity = SEV_LOW;
		snprintf(f[0].detail, sizeof(f[0].detail), "sweep %d", i);
		if (i == 3)
			f[0].detail[0] = '\0';
		assert_int_equal(store_add_observation(st, s[i], &o), 0);
		assert_int_equal(store_scan_end(st, s[i], 1000 * (i + 1) + 9, 1,
		    1), 0);
		if (i == 3)
			q_text_is(db, "high||open", "SELECT severity || '|' || "
			    "ifnull(detail, '') || '|' || state FROM findings "
			    "WHERE cert_sha256 IS NOT NULL");
	}
	assert_int_equal(q_int(db, "SELECT count(*) FROM findings"), 2);
	q_text_is(db, "high|0|sweep 4|1001|5001|open|1|5|", "SELECT severity "
	    "|| '|' || depth || '|' || ifnull(detail, '') || '|' || "
	    "first_seen || '|' || last_seen || '|' || state || '|' || "
	    "first_scan || '|' || last_scan || '|' || ifnull(resolved_at, '') "
	    "FROM findings WHERE cert_sha256 IS NOT NULL");
	q_text_is(db, "high|-1|sweep 1|2001|2001|resolved|2|2|3009",
	    "SELECT severity || '|' || depth || '|' || ifnull(detail, '') || "
	    "'|' || first_seen || '|' || last_seen || '|' || state || '|' || "
	    "first_scan || '|' || last_scan || '|' || ifnull(resolved_at, '') "
	    "FROM findings WHERE cert_sha256 IS NULL");
	assert_int_equal(store_close(st), 0);
	cert_record_clear(&leaf);
}

/*
 * A new endpoint's findings are plain INSERTs; the same rule on the same
 * certificate twice in one chain (a server that sends its leaf twice)
 * still makes one row, the later report's, as the upsert does.
 */
static void
test_findings_twice(void **state)
{
	struct store *st = NULL;
	struct cert_record chain[2];
	struct observation o;
	struct finding f[3];
	int64_t scan = 0;
	char err[256];
	size_t nf = 0;
	sqlite3 *db;

	(void)state;
	make_cert(&chain[0], 80, 80, 300, false);
	chain[1] = chain[0];
	assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
	db = store_db(st);
	assert_int_equal(store_scan_begin(st, "active", NULL, 1000, &scan), 0);
	make_obs(&o, "192.0.2.8", 443, "", 1001, SCAN_OK);
	set_chain(&o, chain, 2);
	add_finding(&o, f, &nf, "cert.expired", 0);
	add_finding(&o, f, &nf, "cert.expired", 1);
	add_finding(&o, f, &nf, "tls.old_version", -1);
	f[1].severity = SEV_LOW;
	snprintf(f[0].detail, sizeof(f[0].detail), "first");
	snprintf(f[1].detail, sizeof(f[1].detail), "second");
	assert_int_equal(store_add_observation(st, scan, &o), 0);
	assert_int_equal(store_scan_end(st, scan, 1009, 1, 1), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM findings"), 2);
	q_text_is(db, "low|1|second|1001|1001|open|1|1", "SELECT severity || "
	    "'|' || depth || '|' || ifnull(detail, '') || '|' || first_seen "
	    "|| '|' || last_seen || '|' || state || '|' || first_scan || '|' "
	    "|| last_scan FROM findings WHERE rule = 'cert.expired'");
	assert_int_equal(store_close(st), 0);
	cert_record_clear(&chain[0]);
}

static void
test_queries(void **state)
{
	struct store *st = NULL;
	struct cert_record c[4];
	struct observation o;
	int64_t s[4] = { 0 }, a = -1, b = -1, n = -1;
	char err[256], sha[65], want[65], spki[65];
	sqlite3 *db;

	(void)state;
	make_cert(&c[0], 11, 100, 300, false);	/* key 100 */
	make_cert(&c[1], 12, 100, 300, false);	/* renewed, same key */
	make_cert(&c[2], 13, 200, 300, false);	/* new key */
	make_cert(&c[3], 14, 300, 300, true);
	assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
	db = store_db(st);
	assert_int_equal(store_last_scans(st, &a, &b), 0);
	assert_true(a == 0 && b == 0);

	/* Scan 1: .1 serves c0, .2 serves c1 (same key). */
	assert_int_equal(store_scan_begin(st, "active", NULL, 10, &s[0]), 0);
	add_ok(st, s[0], "192.0.2.1", 11, (struct cert_record[]){ c[0], c[3] },
	    2);
	add_ok(st, s[0], "192.0.2.2", 11, &c[1], 1);
	hexof(c[0].spki_sha256, spki);
	assert_int_equal(store_spki_endpoints(st, spki, &n), 0);
	assert_int_equal(n, 2);		/* sees the open batch */
	assert_int_equal(store_scan_end(st, s[0], 19, 2, 2), 0);
	assert_int_equal(store_last_scans(st, &a, &b), 0);
	assert_true(a == 0 && b == s[0]);

	/* Scan 2: .1 now serves c2; .2 refused.  Scan 3 left unfinished. */
	assert_int_equal(store_scan_begin(st, "active", NULL, 20, &s[1]), 0);
	add_ok(st, s[1], "192.0.2.1", 21, &c[2], 1);
	make_obs(&o, "192.0.2.2", 443, "", 21, SCAN_REFUSED);
	assert_int_equal(store_add_observation(st, s[1], &o), 0);
	assert_int_equal(store_scan_end(st, s[1], 29, 2, 1), 0);
	assert_int_equal(store_scan_begin(st, "passive", NULL, 30, &s[2]), 0);
	assert_int_equal(store_last_scans(st, &a, &b), 0);
	assert_true(a == s[0] && b == s[1]);

	hexof(c[0].sha256, want);
	assert_int_equal(store_prev_leaf(st, "192.0.2.1", 443, "", "tls", s[1],
	    sha), 1);
	assert_string_equal(sha, want);
	hexof(c[2].sha256, want);
	assert_int_equal(store_prev_leaf(st, "192.0.2.1", 443, NULL, NULL, s[2],
	    sha), 1);
	assert_string_equal(sha, want);
	/* .2's refused answer in scan 2 is skipped: c1 from scan 1. */
	hexof(c[1].sha256, want);
	assert_int_equal(store_prev_leaf(st, "192.0.2.2", 443, "", "tls", s[2],
	    sha), 1);
	assert_string_equal(sha, want);
	assert_int_equal(store_prev_leaf(st, "192.0.2.1", 443, "", "tls", s[0],
	    sha), 0);
	assert_int_equal(store_prev_leaf(st, "192.0.2.1", 443, "x", "tls", s[2],
	    sha), 0);
	assert_int_equal(store_prev_leaf(st, "192.0.2.9", 443, "", "tls", s[2],
	    sha), 0);

	/* Key 100: .1 moved to key 200; .2's latest answer still has it. */
	assert_int_equal(store_spki_endpoints(st, spki, &n), 0);
	assert_int_equal(n, 1);
	hexof(c[2].spki_sha256, spki);
	assert_int_equal(store_spki_endpoints(st, spki, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_spki_endpoints(st, "00", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM scans"), 3);
	assert_int_equal(store_close(st), 0);
	for (int i = 0; i < 4; i++)
		cert_record_clear(&c[i]);
}

/* The previous leaf is the one of the highest earlier scan, then of the
 * latest observation in it, whatever order the rows were written in (a
 * resumed sweep writes an older scan id after a newer one). */
static void
test_prev_leaf_order(void **state)
{
	struct store *st = NULL;
	struct cert_record c[3];
	int64_t s[3] = { 0 };
	char err[256], sha[65], want[65];

	(void)state;
	for (int i = 0; i < 3; i++)
		make_cert(&c[i], 40 + (uint32_t)i, 40 + (uint32_t)i, 300,
		    false);
	assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(store_scan_begin(st, "active", NULL, 10 * i,
		    &s[i]), 0);
	/* Scan 2 first (c0, then c1), then scan 1 (c2), in later rows. */
	add_ok(st, s[1], "192.0.2.1", 21, &c[0], 1);
	add_ok(st, s[1], "192.0.2.1", 22, &c[1], 1);
	add_ok(st, s[0], "192.0.2.1", 11, &c[2], 1);
	hexof(c[1].sha256, want);
	assert_int_equal(store_prev_leaf(st, "192.0.2.1", 443, "", "tls", s[2],
	    sha), 1);
	assert_string_equal(sha, want);
	hexof(c[2].sha256, want);
	assert_int_equal(store_prev_leaf(st, "192.0.2.1", 443, "", "tls", s[1],
	    sha), 1);
	assert_string_equal(sha, want);
	assert_int_equal(store_close(st), 0);
	for (int i = 0; i < 3; i++)
		cert_record_clear(&c[i]);
}

/*
 * A first sweep on an empty file answers the history from memory; another
 * connection that commits between two batches must end that: its answer
 * of .9 (scan 0, the same leaf as .1) is found in the next batch.
 */
static void
test_history_other_writer(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	struct cert_record c[2];
	struct observation o;
	char err[256], sha[65], spki[65], *sql;
	int64_t scan = 0, n = -1;
	sqlite3 *other;

	make_cert(&c[0], 61, 61, 300, false);
	make_cert(&c[1], 62, 62, 300, false);
	hexof(c[0].sha256, sha);
	hexof(c[0].spki_sha256, spki);
	assert_int_equal(store_open(&st, fx->path, err, sizeof(err)), 0);
	assert_int_equal(store_scan_begin(st, "active", NULL, 10, &scan), 0);
	add_ok(st, scan, "192.0.2.1", 11, &c[0], 1);
	assert_int_equal(store_spki_endpoints(st, spki, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_flush(st), 0);
	other = raw_open(fx->path, SQLITE_OPEN_READWRITE);
	sql = sqlite3_mprintf("BEGIN IMMEDIATE; "
	    "INSERT INTO scans (id, kind, started) VALUES (0, 'active', 1); "
	    "INSERT INTO endpoints (id, ip, port, protocol, first_seen, "
	    "last_seen, leaf_scan, leaf_sha256, leaf_spki) VALUES (100, "
	    "'192.0.2.9', 443, 'tls', 1, 1, 0, %Q, %Q); "
	    "INSERT INTO observations (id, scan_id, endpoint_id, source, time, "
	    "status) VALUES (1000, 0, 100, 'active', 1, 'ok'); "
	    "INSERT INTO chain_links VALUES (1000, 0, %Q); COMMIT", sha, spki,
	    sha);
	assert_int_equal(sqlite3_exec(other, sql, NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_free(sql);
	sqlite3_close(other);
	/* The next batch begins with .2 (another key). */
	make_obs(&o, "192.0.2.2", 443, "", 12, SCAN_OK);
	set_chain(&o, &c[1], 1);
	assert_int_equal(store_add_observation(st, scan, &o), 0);
	assert_int_equal(store_prev_leaf(st, "192.0.2.9", 443, "", "tls",
	    scan, err), 1);
	assert_string_equal(err, sha);
	assert_int_equal(store_spki_endpoints(st, spki, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_close(st), 0);
	cert_record_clear(&c[0]);
	cert_record_clear(&c[1]);
}

static void
test_batches(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	struct observation o;
	char err[256];
	int64_t scan = 0;
	sqlite3 *reader;

	assert_int_equal(store_open(&st, fx->path, err, sizeof(err)), 0);
	assert_int_equal(store_scan_begin(st, "active", NULL, 1, &scan), 0);
	reader = raw_open(fx->path, SQLITE_OPEN_READONLY);
	/* The scan row is committed at once. */
	assert_int_equal(q_int(reader, "SELECT count(*) FROM scans"), 1);
	for (int i = 0; i < STORE_BATCH + 1; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 256, i % 256);
		make_obs(&o, ip, 443, "", 2, SCAN_CONNECT_TIMEOUT);
		assert_int_equal(store_add_observation(st, scan, &o), 0);
	}
	/* One full batch is visible to others; the one extra is not yet. */
	assert_int_equal(q_int(reader, "SELECT count(*) FROM observations"),
	    STORE_BATCH);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(q_int(reader, "SELECT count(*) FROM observations"),
	    STORE_BATCH + 1);
	assert_int_equal(store_flush(st), 0);	/* nothing to do */
	/* A bad scan id fails and drops the open batch (one observation);
	 * what was committed stays. */
	make_obs(&o, "10.9.9.9", 443, "", 3, SCAN_REFUSED);
	assert_int_equal(store_add_observation(st, scan, &o), 0);
	assert_int_equal(store_add_observation(st, scan + 100, &o), -1);
	print_message("    bad scan: %s\n", store_errmsg(st));
	assert_non_null(strstr(store_errmsg(st), fx->path));
	assert_int_equal(store_scan_end(st, scan + 100, 4, 0, 0), -1);
	assert_non_null(strstr(store_errmsg(st), "no scan"));
	assert_int_equal(store_scan_end(st, scan, 4, STORE_BATCH + 2, 0), 0);
	assert_int_equal(q_int(reader, "SELECT count(*) FROM observations"),
	    STORE_BATCH + 1);
	assert_int_equal(q_int(reader, "SELECT endpoints FROM scans"),
	    STORE_BATCH + 2);
	sqlite3_close(reader);
	assert_int_equal(store_close(st), 0);
}

static void
test_locked(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	char err[256];
	int64_t scan = 0;
	sqlite3 *other;

	assert_int_equal(store_open(&st, fx->path, err, sizeof(err)), 0);
	/* Another writer holds the lock; wait 50 ms rather than 5 s. */
	other = raw_open(fx->path, SQLITE_OPEN_READWRITE);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_busy_timeout(store_db(st), 50);
	assert_int_equal(store_scan_begin(st, "active", NULL, 1, &scan), -1);
	print_message("    locked: %s\n", store_errmsg(st));
	assert_non_null(strstr(store_errmsg(st), fx->path));
	assert_non_null(strstr(store_errmsg(st), "locked by another process"));
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(other);
	/* Free again: the handle still works. */
	assert_int_equal(store_scan_begin(st, "active", NULL, 1, &scan), 0);
	assert_int_equal(store_close(st), 0);
}

static void
test_disk_full(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	struct cert_record c;
	struct observation o;
	char err[256], ip[32];
	int64_t scan = 0, pages;
	sqlite3 *db;
	int i, rc = 0;

	assert_int_equal(store_open(&st, fx->path, err, sizeof(err)), 0);
	assert_int_equal(store_scan_begin(st, "active", NULL, 1, &scan), 0);
	for (i = 0; i < 10; i++) {
		make_cert(&c, 1000 + i, 1000 + i, 2000, false);
		snprintf(ip, sizeof(ip), "10.1.0.%d", i);
		add_ok(st, scan, ip, 2, &c, 1);
		cert_record_clear(&c);
	}
	assert_int_equal(store_flush(st), 0);
	db = store_db(st);
	pages = q_int(db, "PRAGMA page_count");
	assert_int_equal(q_int(db, "PRAGMA max_page_count = %lld",
	    (long long)pages + 4), pages + 4);
	for (i = 10; i < 200 && rc == 0; i++) {
		make_cert(&c, 1000 + i, 1000 + i, 3000, false);
		snprintf(ip, sizeof(ip), "10.1.0.%d", i);
		make_obs(&o, ip, 443, "", 3, SCAN_OK);
		set_chain(&o, &c, 1);
		rc = store_add_observation(st, scan, &o);
		cert_record_clear(&c);
	}
	assert_int_equal(rc, -1);
	print_message("    full after %d: %s\n", i - 10, store_errmsg(st));
	assert_non_null(strstr(store_errmsg(st), fx->path));
	assert_non_null(strstr(store_errmsg(st), "disk is full"));
	assert_non_null(strstr(store_errmsg(st), "kept"));
	/* The failed batch is gone, the committed one is intact. */
	assert_int_equal(q_int(db, "SELECT count(*) FROM observations"), 10);
	assert_int_equal(store_close(st), 0);
	db = raw_open(fx->path, SQLITE_OPEN_READONLY);
	assert_int_equal(q_int(db, "SELECT count(*) FROM observations"), 10);
	assert_int_equal(q_int(db, "SELECT count(*) FROM certificates"), 10);
	q_text_is(db, "ok", "PRAGMA integrity_check");
	q_text_is(db, "", "PRAGMA foreign_key_check");
	sqlite3_close(db);
	/* With space again, the same file takes more. */
	assert_int_equal(store_open(&st, fx->path, err, sizeof(err)), 0);
	make_cert(&c, 5000, 5000, 3000, false);
	add_ok(st, scan, "10.1.1.1", 5, &c, 1);
	assert_int_equal(store_scan_end(st, scan, 6, 11, 11), 0);
	assert_int_equal(store_close(st), 0);
	cert_record_clear(&c);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 10,000 observations with two-certificate chains sharing the
 * intermediate, into a file: the time spent in the store is printed, never
 * asserted. */
static void
test_bulk(void **state)
{
	struct fixture *fx = *state;
	enum { N = 10000 };
	struct store *st = NULL;
	struct cert_record chain[2];
	char err[256], ip[32];
	int64_t scan = 0;
	double t0, spent;
	sqlite3 *db;

	make_cert(&chain[1], 7, 7, 1000, true);
	t0 = now();
	assert_int_equal(store_open(&st, fx->path, err, sizeof(err)), 0);
	assert_int_equal(store_scan_begin(st, "active", NULL, 1, &scan), 0);
	spent = now() - t0;
	for (int i = 0; i < N; i++) {
		make_cert(&chain[0], 100000 + i, 100000 + i, 1200, false);
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i >> 16, (i >> 8) & 255,
		    i & 255);
		t0 = now();
		add_ok(st, scan, ip, 2 + i / 1000, chain, 2);
		spent += now() - t0;
		cert_record_clear(&chain[0]);
	}
	t0 = now();
	assert_int_equal(store_scan_end(st, scan, 20, N, N), 0);
	assert_int_equal(store_close(st), 0);
	spent += now() - t0;
	print_message("    %d observations, 2-certificate chains, file DB: "
	    "%.3f s in the store (%.0f/s)\n", N, spent, N / spent);
	db = raw_open(fx->path, SQLITE_OPEN_READONLY);
	assert_int_equal(q_int(db, "SELECT count(*) FROM certificates"), N + 1);
	assert_int_equal(q_int(db, "SELECT count(*) FROM chain_links"), 2 * N);
	assert_int_equal(q_int(db, "SELECT last_seen FROM certificates WHERE "
	    "is_ca"), 2 + (N - 1) / 1000);
	sqlite3_close(db);
	cert_record_clear(&chain[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_create),
		cmocka_unit_test_setup_teardown(test_file_create_reopen, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_schema_paths, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v1, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_newer_version, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unwritable, setup,
		    teardown),
		cmocka_unit_test(test_cert_dedup),
		cmocka_unit_test(test_ocsp_columns),
		cmocka_unit_test(test_endpoint_seen),
		cmocka_unit_test(test_findings_lifecycle),
		cmocka_unit_test(test_findings_again),
		cmocka_unit_test(test_findings_twice),
		cmocka_unit_test(test_queries),
		cmocka_unit_test(test_prev_leaf_order),
		cmocka_unit_test_setup_teardown(test_history_other_writer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_full, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bulk, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
