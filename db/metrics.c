/*
 * metrics.c: read queries for the exporter (metrics.h).
 *
 * The database is opened read-only on each call: a scrape never writes,
 * never migrates, and sees a file that a sweep in this or another process
 * is filling (WAL readers do not block the writer).  Every query runs in
 * one read transaction, so the rows are one consistent snapshot.
 *
 * "Latest" is by observation time, then id (an id alone would put rows
 * merged from an older shard last).  The per-endpoint queries seek the
 * (endpoint_id, status) index.
 */
#include "db/metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db/store_internal.h"
#include "scanner/xmem.h"

#define BUSY_TIMEOUT_MS	2000
#define FINDINGS_SCHEMA	2	/* user_version with findings */

enum q_id {
	Q_ENDPOINTS,
	Q_LATEST_OK,
	Q_CHAIN,
	Q_FINDINGS,
	Q_BY_RULE,
	Q_BY_STATUS,
	Q_SCANS,
	Q_LAST_SCAN,
	Q__MAX
};

#define LATEST_STATUS \
	"(SELECT o.status FROM observations o WHERE o.endpoint_id = e.id " \
	"ORDER BY o.time DESC, o.id DESC LIMIT 1)"

static const char *const q_sql[] = {
	[Q_ENDPOINTS] = "SELECT e.id, e.ip, e.port, e.sni, e.protocol, "
	    LATEST_STATUS " AS st FROM endpoints e WHERE st IS NOT NULL "
	    "ORDER BY e.ip, e.port, e.sni, e.protocol",
	[Q_LATEST_OK] = "SELECT id, version, cipher FROM observations "
	    "WHERE endpoint_id = ?1 AND status = 'ok' "
	    "ORDER BY time DESC, id DESC LIMIT 1",
	[Q_CHAIN] = "SELECT l.depth, c.serial, c.subject, c.issuer, "
	    "c.not_before, c.not_after FROM chain_links l "
	    "JOIN certificates c ON c.sha256 = l.cert_sha256 "
	    "WHERE l.observation_id = ?1 ORDER BY l.depth",
	[Q_FINDINGS] = "SELECT DISTINCT e.ip, e.port, e.sni, e.protocol, "
	    "f.rule, f.severity FROM findings f "
	    "JOIN endpoints e ON e.id = f.endpoint_id WHERE f.state = 'open' "
	    "ORDER BY e.ip, e.port, e.sni, e.protocol, f.rule, f.severity",
	[Q_BY_RULE] = "SELECT rule, severity, count(*) FROM findings "
	    "WHERE state = 'open' GROUP BY rule, severity "
	    "ORDER BY rule, severity",
	[Q_BY_STATUS] = "SELECT st, count(*) FROM (SELECT " LATEST_STATUS
	    " AS st FROM endpoints e) WHERE st IS NOT NULL GROUP BY st "
	    "ORDER BY st",
	/* A sweep that never finished failed (killed, disk full) once a
	 * later one has begun; the last one may still be running. */
	[Q_SCANS] = "SELECT count(*), coalesce(sum(finished IS NULL AND "
	    "id < (SELECT max(id) FROM scans)), 0) FROM scans",
	[Q_LAST_SCAN] = "SELECT finished, finished - started FROM scans "
	    "WHERE finished IS NOT NULL ORDER BY finished DESC, id DESC "
	    "LIMIT 1",
};
_Static_assert(sizeof(q_sql) / sizeof(q_sql[0]) == Q__MAX,
    "one SQL text per query");

struct mreader {
	sqlite3		*db;
	const char	*path;
	sqlite3_stmt	*st[Q__MAX];
	int64_t		 version;	/* PRAGMA user_version */
};

/* A text column as a new string; "" for NULL. */
static char *
col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return xstrdup(s != NULL ? (const char *)s : "");
}

static int
fail(struct mreader *r, int rc, char *err, size_t errlen)
{
	store_sqlite_err(r->db, rc, r->path, err, errlen);
	return -1;
}

/* Grows *v (elements of size sz) to hold n + 1. */
static void *
grow(void *v, size_t n, size_t *cap, size_t sz)
{
	if (n < *cap)
		return v;
	*cap = *cap == 0 ? 16 : *cap * 2;
	return xreallocarray(v, *cap, sz);
}

static int
read_chain(struct mreader *r, int64_t obs_id, struct mrow_endpoint *e)
{
	sqlite3_stmt *st = r->st[Q_CHAIN];
	size_t cap = 0;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, obs_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mrow_cert *c;

		e->chain = grow(e->chain, e->chain_len, &cap,
		    sizeof(*e->chain));
		c = &e->chain[e->chain_len++];
		c->depth = sqlite3_column_int(st, 0);
		c->serial = col_str(st, 1);
		c->subject = col_str(st, 2);
		c->issuer = col_str(st, 3);
		c->not_before = sqlite3_column_int64(st, 4);
		c->not_after = sqlite3_column_int64(st, 5);
	}
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Version, cipher and chain of the endpoint's latest "ok" observation. */
static int
read_tls(struct mreader *r, int64_t ep_id, struct mrow_endpoint *e)
{
	sqlite3_stmt *st = r->st[Q_LATEST_OK];
	int64_t obs_id;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, ep_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		e->version = xstrdup("");
		e->cipher = xstrdup("");
		return SQLITE_OK;
	}
	if (rc != SQLITE_ROW)
		return rc;
	obs_id = sqlite3_column_int64(st, 0);
	e->has_tls = true;
	e->version = col_str(st, 1);
	e->cipher = col_str(st, 2);
	return read_chain(r, obs_id, e);
}

static int
read_endpoints(struct mreader *r, struct metrics_inventory *inv)
{
	sqlite3_stmt *st = r->st[Q_ENDPOINTS];
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mrow_endpoint *e;

		inv->endpoints = grow(inv->endpoints, inv->nendpoints, &cap,
		    sizeof(*inv->endpoints));
		e = &inv->endpoints[inv->nendpoints++];
		memset(e, 0, sizeof(*e));
		e->endpoint = metrics_endpoint_name(
		    (const char *)sqlite3_column_text(st, 1),
		    (unsigned)sqlite3_column_int(st, 2));
		e->sni = col_str(st, 3);
		e->protocol = col_str(st, 4);
		e->status = col_str(st, 5);
		if ((rc = read_tls(r, sqlite3_column_int64(st, 0), e)) !=
		    SQLITE_OK)
			return rc;
	}
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
read_findings(struct mreader *r, struct metrics_inventory *inv)
{
	sqlite3_stmt *st = r->st[Q_FINDINGS];
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mrow_finding *f;

		inv->findings = grow(inv->findings, inv->nfindings, &cap,
		    sizeof(*inv->findings));
		f = &inv->findings[inv->nfindings++];
		f->endpoint = metrics_endpoint_name(
		    (const char *)sqlite3_column_text(st, 0),
		    (unsigned)sqlite3_column_int(st, 1));
		f->sni = col_str(st, 2);
		f->protocol = col_str(st, 3);
		f->rule = col_str(st, 4);
		f->severity = col_str(st, 5);
	}
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Rows of (a[, b], count); two is the number of label columns. */
static int
read_counts(sqlite3_stmt *st, bool two, struct mrow_count **v, size_t *n)
{
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mrow_count *c;

		*v = grow(*v, *n, &cap, sizeof(**v));
		c = &(*v)[(*n)++];
		c->a = col_str(st, 0);
		c->b = two ? col_str(st, 1) : xstrdup("");
		c->n = sqlite3_column_int64(st, two ? 2 : 1);
	}
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
read_scans(struct mreader *r, struct mrow_scans *s)
{
	sqlite3_stmt *st = r->st[Q_SCANS];
	int rc;

	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? SQLITE_CORRUPT : rc;
	s->total = sqlite3_column_int64(st, 0);
	s->failed = sqlite3_column_int64(st, 1);
	st = r->st[Q_LAST_SCAN];
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		s->has_success = true;
		s->last_success = sqlite3_column_int64(st, 0);
		s->last_duration = sqlite3_column_int64(st, 1);
		rc = SQLITE_DONE;
	}
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
open_db(struct mreader *r, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_open_v2(r->path, &r->db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK)
		return fail(r, rc, err, errlen);
	sqlite3_busy_timeout(r->db, BUSY_TIMEOUT_MS);
	if (store_schema_check(r->db, r->path, err, errlen) == -1)
		return -1;
	if ((rc = sqlite3_prepare_v2(r->db, "PRAGMA user_version", -1, &st,
	    NULL)) == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		r->version = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return fail(r, rc, err, errlen);
	if (r->version == 0) {
		snprintf(err, errlen, "database %s is empty: no sweep has "
		    "been recorded yet", r->path);
		return -1;
	}
	return 0;
}

static int
prepare(struct mreader *r)
{
	int rc;

	for (int i = 0; i < Q__MAX; i++) {
		if ((i == Q_FINDINGS || i == Q_BY_RULE) &&
		    r->version < FINDINGS_SCHEMA)
			continue;
		rc = sqlite3_prepare_v2(r->db, q_sql[i], -1, &r->st[i], NULL);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

static int
read_all(struct mreader *r, struct metrics_inventory *inv)
{
	int rc;

	if ((rc = read_endpoints(r, inv)) != SQLITE_OK ||
	    (rc = read_counts(r->st[Q_BY_STATUS], false, &inv->by_status,
	    &inv->nby_status)) != SQLITE_OK ||
	    (rc = read_scans(r, &inv->scans)) != SQLITE_OK)
		return rc;
	if (r->version < FINDINGS_SCHEMA)
		return SQLITE_OK;
	if ((rc = read_findings(r, inv)) != SQLITE_OK ||
	    (rc = read_counts(r->st[Q_BY_RULE], true, &inv->by_rule,
	    &inv->nby_rule)) != SQLITE_OK)
		return rc;
	return SQLITE_OK;
}

int
metrics_read(const char *path, struct metrics_inventory *inv, char *err,
    size_t errlen)
{
	struct mreader r = { .path = path };
	int rc, ret = -1;

	memset(inv, 0, sizeof(*inv));
	if (open_db(&r, err, errlen) == -1)
		goto out;
	if ((rc = prepare(&r)) != SQLITE_OK ||
	    (rc = sqlite3_exec(r.db, "BEGIN", NULL, NULL, NULL)) !=
	    SQLITE_OK) {
		fail(&r, rc, err, errlen);
		goto out;
	}
	rc = read_all(&r, inv);
	if (rc != SQLITE_OK) {
		fail(&r, rc, err, errlen);
		(void)sqlite3_exec(r.db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	(void)sqlite3_exec(r.db, "COMMIT", NULL, NULL, NULL);
	ret = 0;
out:
	for (int i = 0; i < Q__MAX; i++)
		sqlite3_finalize(r.st[i]);
	sqlite3_close(r.db);
	return ret;
}
