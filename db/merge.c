/*
 * merge.c: `certsweep db merge` (merge.h says what a merge means) in SQL.
 *
 * The inputs are ATTACHed to OUT's connection and copied table by table,
 * inside one transaction, through three temporary id maps (scans,
 * endpoints, observations: old id -> id in OUT).  New ids are given
 * explicitly (max(id) + row_number()), never left to SQLite, so that each
 * map is exact.
 *
 * Column lists are read from OUT's own schema (PRAGMA table_info), not
 * written here, so that a migration adding a column is merged without a
 * change to this file; a migration adding a table is refused at run time
 * (and by the unit test) until this file learns how to merge it.
 */
#include "db/merge.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "db/store.h"
#include "db/store_internal.h"
#include "scanner/xmem.h"

/* The tables merge knows, in the order they are copied. */
static const char *const merge_tables[] = {
	"scans", "endpoints", "certificates", "observations", "chain_links",
	"findings", "tls_offers", "tls_config",
};
#define NTABLES	(sizeof(merge_tables) / sizeof(merge_tables[0]))

struct merge {
	sqlite3		*db;		/* OUT's connection */
	const char	*out;
	const char	*in;		/* the input being merged */
	const char	*schema;	/* its ATTACH name */
	char		*err;
	size_t		 errlen;
};

/* --- a growing string --- */

struct sb {
	char	*s;
	size_t	 len, cap;
};

static void
sb_add(struct sb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* --- SQL helpers --- */

static int
merge_fail(struct merge *m, int rc)
{
	char why[512];

	store_sqlite_err(m->db, rc, m->out, why, sizeof(why));
	if (m->in != NULL && (rc & 0xff) == SQLITE_CONSTRAINT)
		snprintf(m->err, m->errlen, "merging %s: its rows break the "
		    "inventory's rules (%s); is it damaged? ('sqlite3 %s "
		    "\"PRAGMA integrity_check; PRAGMA foreign_key_check\"' "
		    "tells); %s is unchanged", m->in, sqlite3_errmsg(m->db),
		    m->in, m->out);
	else if (m->in != NULL)
		snprintf(m->err, m->errlen, "merging %s: %s", m->in, why);
	else
		snprintf(m->err, m->errlen, "%s", why);
	return -1;
}

static int
merge_exec(struct merge *m, const char *sql)
{
	int rc = sqlite3_exec(m->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : merge_fail(m, rc);
}

/* Runs the SQL fmt makes (names are ours, never user input). */
static int
merge_execf(struct merge *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
merge_execf(struct merge *m, const char *fmt, ...)
{
	va_list ap;
	char *sql;
	int rc;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (sql == NULL)
		return merge_fail(m, SQLITE_NOMEM);
	rc = merge_exec(m, sql);
	sqlite3_free(sql);
	return rc;
}

/* One integer from sql (ours, not user input). */
static int
merge_int(struct merge *m, const char *sql, int64_t *n)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*n = 0;
	rc = sqlite3_prepare_v2(m->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*n = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? 0 : merge_fail(m, rc);
}

/* OUT's columns of table, in order; NULL-terminated, free with
 * cols_free(). */
static char **
merge_cols(struct merge *m, const char *table)
{
	sqlite3_stmt *s = NULL;
	char **cols = NULL;
	size_t n = 0;
	int rc;

	rc = sqlite3_prepare_v2(m->db, "SELECT name FROM "
	    "pragma_table_info(?1, 'main') ORDER BY cid", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			cols = xreallocarray(cols, n + 2, sizeof(*cols));
			cols[n++] = xstrdup((const char *)
			    sqlite3_column_text(s, 0));
			cols[n] = NULL;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE || n == 0) {
		for (size_t i = 0; i < n; i++)
			free(cols[i]);
		free(cols);
		merge_fail(m, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc);
		return NULL;
	}
	return cols;
}

static void
cols_free(char **cols)
{
	for (size_t i = 0; cols != NULL && cols[i] != NULL; i++)
		free(cols[i]);
	free(cols);
}

static bool
is_one_of(const char *col, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(col, *list) == 0)
			return true;
	return false;
}

/* --- one table --- */

/* How a row that OUT already has (same key) takes the input's. */
enum merge_rule {
	RULE_NONE,		/* no conflict possible: plain insert */
	RULE_ENDPOINT,		/* first/last seen; facts from the latest */
	RULE_CERT,		/* first/last seen; facts are the same */
	RULE_FINDING,		/* first seen; the rest from the latest event */
};

struct copy_spec {
	const char		*table;
	const char *const	*skip;		/* columns left to OUT (id) */
	const char *const	*remap;		/* col, expression, ..., NULL */
	const char		*join;		/* id maps, after FROM S.t s */
	const char		*conflict;	/* ON CONFLICT target */
	const char *const	*keys;		/* never updated */
	enum merge_rule		 rule;
};

/* The latest event of a finding: seen, or resolved after that. */
#define F_LATEST(p) "max(" p "last_seen, ifnull(" p "resolved_at, " p \
	"last_seen))"

static void
set_expr(struct sb *b, enum merge_rule rule, const char *c)
{
	if (strcmp(c, "first_seen") == 0)
		sb_add(b, "min(first_seen, excluded.first_seen)");
	else if (strcmp(c, "last_seen") == 0)
		sb_add(b, "max(last_seen, excluded.last_seen)");
	else if (rule == RULE_ENDPOINT)
		sb_add(b, "CASE WHEN excluded.last_seen >= last_seen THEN "
		    "coalesce(excluded.\"%s\", \"%s\") ELSE coalesce(\"%s\", "
		    "excluded.\"%s\") END", c, c, c, c);
	else if (rule == RULE_CERT)
		sb_add(b, "coalesce(\"%s\", excluded.\"%s\")", c, c);
	else if (strcmp(c, "first_scan") == 0)
		sb_add(b, "CASE WHEN excluded.first_seen < first_seen THEN "
		    "excluded.first_scan ELSE first_scan END");
	else
		sb_add(b, "CASE WHEN " F_LATEST("excluded.") " >= "
		    F_LATEST("") " THEN excluded.\"%s\" ELSE \"%s\" END", c, c);
}

static const char *
remap_of(const struct copy_spec *cs, const char *col)
{
	for (const char *const *r = cs->remap; r != NULL && *r != NULL;
	    r += 2)
		if (strcmp(r[0], col) == 0)
			return r[1];
	return NULL;
}

static int
merge_copy(struct merge *m, const struct copy_spec *cs)
{
	static const char *const none[] = { NULL };
	struct sb cols = { 0 }, exprs = { 0 }, set = { 0 };
	char **all;
	const char *e;
	int rc;

	if ((all = merge_cols(m, cs->table)) == NULL)
		return -1;
	for (size_t i = 0; all[i] != NULL; i++) {
		if (is_one_of(all[i], cs->skip != NULL ? cs->skip : none))
			continue;
		e = remap_of(cs, all[i]);
		sb_add(&cols, "%s\"%s\"", cols.len ? ", " : "", all[i]);
		if (e != NULL)
			sb_add(&exprs, "%s%s", exprs.len ? ", " : "", e);
		else
			sb_add(&exprs, "%ss.\"%s\"", exprs.len ? ", " : "",
			    all[i]);
		if (cs->rule == RULE_NONE || is_one_of(all[i], cs->keys))
			continue;
		sb_add(&set, "%s\"%s\" = ", set.len ? ", " : "", all[i]);
		set_expr(&set, cs->rule, all[i]);
	}
	/* "WHERE true": an upsert after SELECT needs it (SQLite's parser) */
	rc = merge_execf(m, "INSERT INTO main.\"%s\" (%s) SELECT %s FROM "
	    "\"%s\".\"%s\" s %s WHERE true %s%s%s%s", cs->table, cols.s,
	    exprs.s, m->schema, cs->table, cs->join != NULL ? cs->join : "",
	    cs->conflict != NULL ? "ON CONFLICT " : "",
	    cs->conflict != NULL ? cs->conflict : "",
	    set.len > 0 ? " DO UPDATE SET " : "", set.len > 0 ? set.s : "");
	free(cols.s);
	free(exprs.s);
	free(set.s);
	cols_free(all);
	return rc;
}

/* --- one input --- */

static const char *const ep_keys[] = { "ip", "port", "sni", "protocol", NULL };
static const char *const cert_keys[] = { "sha256", NULL };
static const char *const f_keys[] = { "endpoint_id", "rule", "cert_sha256",
	NULL };
static const char *const skip_id[] = { "id", NULL };
/* An endpoint's latest leaf (migration 7) names a scan of its file: it is
 * worked out again in OUT once the input's observations are in. */
static const char *const skip_ep[] = { "id", "leaf_scan", "leaf_sha256",
	"leaf_spki", NULL };

static const struct copy_spec copy_scans = {
	.table = "scans",
	.remap = (const char *const[]){ "id", "ms.new", NULL },
	.join = "JOIN temp.merge_scan ms ON ms.old = s.id AND ms.fresh",
};
static const struct copy_spec copy_endpoints = {
	.table = "endpoints",
	.skip = skip_ep,
	.conflict = "(ip, port, sni, protocol)",
	.keys = ep_keys,
	.rule = RULE_ENDPOINT,
};
static const struct copy_spec copy_certs = {
	.table = "certificates",
	.conflict = "(sha256)",
	.keys = cert_keys,
	.rule = RULE_CERT,
};
static const struct copy_spec copy_obs = {
	.table = "observations",
	.remap = (const char *const[]){ "id", "mo.new", "scan_id", "ms.new",
	    "endpoint_id", "me.new", NULL },
	.join = "JOIN temp.merge_obs mo ON mo.old = s.id "
	    "JOIN temp.merge_scan ms ON ms.old = s.scan_id "
	    "JOIN temp.merge_ep me ON me.old = s.endpoint_id",
};
static const struct copy_spec copy_links = {
	.table = "chain_links",
	.remap = (const char *const[]){ "observation_id", "mo.new", NULL },
	.join = "JOIN temp.merge_obs mo ON mo.old = s.observation_id",
};
/* --enum results (migration 3), one set per observation */
static const struct copy_spec copy_offers = {
	.table = "tls_offers",
	.remap = (const char *const[]){ "observation_id", "mo.new", NULL },
	.join = "JOIN temp.merge_obs mo ON mo.old = s.observation_id",
};
static const struct copy_spec copy_config = {
	.table = "tls_config",
	.remap = (const char *const[]){ "observation_id", "mo.new", NULL },
	.join = "JOIN temp.merge_obs mo ON mo.old = s.observation_id",
};
static const struct copy_spec copy_findings = {
	.table = "findings",
	.skip = skip_id,
	.remap = (const char *const[]){ "endpoint_id", "me.new", "first_scan",
	    "ms1.new", "last_scan", "ms2.new", NULL },
	.join = "JOIN temp.merge_ep me ON me.old = s.endpoint_id "
	    "JOIN temp.merge_scan ms1 ON ms1.old = s.first_scan "
	    "JOIN temp.merge_scan ms2 ON ms2.old = s.last_scan",
	.conflict = "(endpoint_id, rule, ifnull(cert_sha256, ''))",
	.keys = f_keys,
	.rule = RULE_FINDING,
};

/* Old scan id -> new; a scan OUT already has keeps its id there and is
 * not copied (fresh = 0). */
static int
map_scans(struct merge *m)
{
	return merge_execf(m, "WITH k AS (SELECT s.id AS old, (SELECT x.id "
	    "FROM main.scans x WHERE x.kind = s.kind AND x.started = s.started "
	    "AND x.finished IS s.finished AND x.arguments IS s.arguments AND "
	    "x.endpoints IS s.endpoints AND x.ok IS s.ok ORDER BY x.id "
	    "LIMIT 1) AS known FROM %s.scans s) "
	    "INSERT INTO temp.merge_scan (old, new, fresh) SELECT old, "
	    "ifnull(known, (SELECT ifnull(max(id), 0) FROM main.scans) + "
	    "row_number() OVER (PARTITION BY known IS NULL ORDER BY old)), "
	    "known IS NULL FROM k", m->schema);
}

static int
merge_one(struct merge *m, struct merge_stats *ms)
{
	int64_t n;

	if (merge_exec(m, "DELETE FROM temp.merge_scan; "
	    "DELETE FROM temp.merge_ep; DELETE FROM temp.merge_obs") == -1 ||
	    map_scans(m) == -1 || merge_copy(m, &copy_scans) == -1 ||
	    merge_copy(m, &copy_endpoints) == -1)
		return -1;
	if (merge_execf(m, "INSERT INTO temp.merge_ep (old, new) SELECT s.id, "
	    "x.id FROM %s.endpoints s JOIN main.endpoints x ON "
	    "x.ip = s.ip AND x.port = s.port AND x.sni = s.sni AND "
	    "x.protocol = s.protocol", m->schema) == -1 ||
	    merge_copy(m, &copy_certs) == -1)
		return -1;
	if (merge_execf(m, "INSERT INTO temp.merge_obs (old, new) SELECT o.id, "
	    "(SELECT ifnull(max(id), 0) FROM main.observations) + "
	    "row_number() OVER (ORDER BY o.id) FROM %s.observations o "
	    "JOIN temp.merge_scan ms ON ms.old = o.scan_id AND ms.fresh",
	    m->schema) == -1 ||
	    merge_copy(m, &copy_obs) == -1 ||
	    merge_copy(m, &copy_links) == -1 ||
	    merge_copy(m, &copy_offers) == -1 ||
	    merge_copy(m, &copy_config) == -1 ||
	    merge_copy(m, &copy_findings) == -1 ||
	    merge_exec(m, STORE_LEAF_FILL(" WHERE id IN (SELECT new FROM "
	    "temp.merge_ep)")) == -1)
		return -1;
	if (merge_int(m, "SELECT count(*) FROM temp.merge_obs", &n) == -1)
		return -1;
	ms->observations += (uint64_t)n;
	if (merge_int(m, "SELECT count(*) FROM temp.merge_scan WHERE fresh",
	    &n) == -1)
		return -1;
	ms->scans += (uint64_t)n;
	if (merge_int(m, "SELECT count(*) FROM temp.merge_scan WHERE NOT "
	    "fresh", &n) == -1)
		return -1;
	ms->scans_known += (uint64_t)n;
	return 0;
}

/* --- checks before anything is written --- */

static int
bad_input(struct merge_stats *ms, char *err, size_t errlen,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
bad_input(struct merge_stats *ms, char *err, size_t errlen,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	ms->bad_input = true;
	return -1;
}

/* The files: every input exists, none twice, OUT is none of them. */
static int
check_files(const char *out, const char *const *in, size_t nin,
    struct merge_stats *ms, char *err, size_t errlen)
{
	struct stat so, si, sj;
	bool have_out = stat(out, &so) == 0;

	if (nin == 0 || nin > MERGE_MAX_INPUTS)
		return bad_input(ms, err, errlen, "db merge: give 1 to %d "
		    "input databases (merge more in steps: OUT may already "
		    "exist)", MERGE_MAX_INPUTS);
	for (size_t i = 0; i < nin; i++) {
		if (stat(in[i], &si) == -1 || !S_ISREG(si.st_mode))
			return bad_input(ms, err, errlen, "db merge: input %s "
			    "is not a readable file", in[i]);
		if (strcmp(in[i], out) == 0 || (have_out &&
		    si.st_dev == so.st_dev && si.st_ino == so.st_ino))
			return bad_input(ms, err, errlen, "db merge: the "
			    "output %s is also an input; give a new or another "
			    "database as OUT", out);
		for (size_t j = 0; j < i; j++)
			if (stat(in[j], &sj) == 0 && sj.st_dev == si.st_dev &&
			    sj.st_ino == si.st_ino)
				return bad_input(ms, err, errlen, "db merge: "
				    "%s is given twice", in[i]);
	}
	return 0;
}

/* An input must be a certsweep database with exactly this schema: read
 * through its own read-only connection, so a wrong file is never
 * attached. */
static int
check_schema(const char *path, struct merge_stats *ms, char *err,
    size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int64_t ver = -1, app = -1;
	int rc, latest = store_schema_latest();

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "SELECT user_version, "
		    "application_id FROM pragma_user_version, "
		    "pragma_application_id", -1, &s, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		ver = sqlite3_column_int64(s, 0);
		app = sqlite3_column_int64(s, 1);
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK)
		store_sqlite_err(db, rc, path, err, errlen);
	sqlite3_finalize(s);
	sqlite3_close(db);
	if (rc != SQLITE_OK) {
		ms->bad_input = true;
		return -1;
	}
	if (app != STORE_APPLICATION_ID || ver <= 0)
		return bad_input(ms, err, errlen, "db merge: %s is not a "
		    "certsweep database", path);
	if (ver > latest)
		return bad_input(ms, err, errlen, "db merge: %s was written "
		    "by a newer certsweep (schema %lld, this one knows %d); "
		    "merge with that version", path, (long long)ver, latest);
	if (ver < latest)
		return bad_input(ms, err, errlen, "db merge: %s has the older "
		    "schema %lld (this certsweep writes %d); a sweep with this "
		    "version upgrades a database in place: upgrade it (or a "
		    "copy) first, then merge", path, (long long)ver, latest);
	return 0;
}

/* OUT's schema has no table this file does not know how to merge. */
static int
check_tables(struct merge *m)
{
	sqlite3_stmt *s = NULL;
	const char *name;
	int rc;

	rc = sqlite3_prepare_v2(m->db, "SELECT name FROM main.sqlite_master "
	    "WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", -1, &s,
	    NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		bool known = false;

		name = (const char *)sqlite3_column_text(s, 0);
		for (size_t i = 0; i < NTABLES; i++)
			known = known || strcmp(name, merge_tables[i]) == 0;
		if (!known) {
			snprintf(m->err, m->errlen, "db merge: this build's "
			    "schema has a table it cannot merge (%s); a "
			    "certsweep bug, please report it", name);
			sqlite3_finalize(s);
			return -1;
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : merge_fail(m, rc);
}

/* Attaches every input as in0, in1, ... (ATTACH cannot run inside the
 * transaction). */
static int
attach_all(struct merge *m, const char *const *in, size_t nin)
{
	sqlite3_stmt *s = NULL;
	char sql[64];
	int rc = SQLITE_OK;

	for (size_t i = 0; i < nin && rc == SQLITE_OK; i++) {
		snprintf(sql, sizeof(sql), "ATTACH DATABASE ?1 AS in%zu", i);
		m->in = in[i];
		rc = sqlite3_prepare_v2(m->db, sql, -1, &s, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_text(s, 1, in[i], -1, SQLITE_STATIC);
			rc = sqlite3_step(s);
			rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		}
		sqlite3_finalize(s);
		s = NULL;
	}
	return rc == SQLITE_OK ? 0 : merge_fail(m, rc);
}

static int64_t
count_or_zero(struct merge *m, const char *sql)
{
	int64_t n = 0;

	(void)merge_int(m, sql, &n);
	return n;
}

static int
merge_all(struct merge *m, const char *const *in, size_t nin,
    struct merge_stats *ms)
{
	char schema[32];
	int64_t ep, certs, findings;

	ep = count_or_zero(m, "SELECT count(*) FROM main.endpoints");
	certs = count_or_zero(m, "SELECT count(*) FROM main.certificates");
	findings = count_or_zero(m, "SELECT count(*) FROM main.findings");
	if (merge_exec(m, "BEGIN IMMEDIATE") == -1)
		return -1;
	for (size_t i = 0; i < nin; i++) {
		snprintf(schema, sizeof(schema), "in%zu", i);
		m->schema = schema;
		m->in = in[i];
		if (merge_one(m, ms) == -1)
			goto fail;
	}
	m->in = NULL;
	ms->endpoints = (uint64_t)(count_or_zero(m, "SELECT count(*) FROM "
	    "main.endpoints") - ep);
	ms->certificates = (uint64_t)(count_or_zero(m, "SELECT count(*) FROM "
	    "main.certificates") - certs);
	ms->findings = (uint64_t)(count_or_zero(m, "SELECT count(*) FROM "
	    "main.findings") - findings);
	if (merge_exec(m, "COMMIT") == -1)
		goto fail;
	return 0;
 fail:
	if (!sqlite3_get_autocommit(m->db))
		(void)sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int
store_merge(const char *out, const char *const *in, size_t nin,
    struct merge_stats *ms, char *err, size_t errlen)
{
	struct merge m = { .out = out, .err = err, .errlen = errlen };
	struct store *st = NULL;
	int rc = -1;

	memset(ms, 0, sizeof(*ms));
	if (check_files(out, in, nin, ms, err, errlen) == -1)
		return -1;
	for (size_t i = 0; i < nin; i++)
		if (check_schema(in[i], ms, err, errlen) == -1)
			return -1;
	/* Creates OUT (mode 0600) or checks and migrates it. */
	if (store_open(&st, out, err, errlen) == -1)
		return -1;
	m.db = store_db(st);
	if (check_tables(&m) == -1 || attach_all(&m, in, nin) == -1)
		goto out;
	m.in = NULL;
	if (merge_exec(&m, "CREATE TEMP TABLE merge_scan (old INTEGER "
	    "PRIMARY KEY, new INTEGER NOT NULL, fresh INTEGER NOT NULL); "
	    "CREATE TEMP TABLE merge_ep (old INTEGER PRIMARY KEY, "
	    "new INTEGER NOT NULL); CREATE TEMP TABLE merge_obs (old INTEGER "
	    "PRIMARY KEY, new INTEGER NOT NULL)") == -1)
		goto out;
	rc = merge_all(&m, in, nin, ms);
 out:
	if (store_close(st) == -1 && rc == 0) {
		snprintf(err, errlen, "database %s could not be closed cleanly",
		    out);
		rc = -1;
	}
	return rc;
}
