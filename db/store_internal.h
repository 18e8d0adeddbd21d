/*
 * store_internal.h: pieces shared by db/store.c, db/migrate.c and the unit
 * test, not part of the store's public surface.
 */
#ifndef CERTSWEEP_STORE_INTERNAL_H
#define CERTSWEEP_STORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct store;

/* PRAGMA application_id of a certsweep database: "CSWP". */
#define STORE_APPLICATION_ID	0x43535750

/* The schema version (PRAGMA user_version) this build writes. */
int	store_schema_latest(void);

/* Runs a query returning one integer (a PRAGMA, a count) into *out, left
 * untouched when there is no row.  Returns an SQLite result code. */
int	store_query_int(sqlite3 *db, const char *sql, int64_t *out);

/*
 * Checks that db (opened on path, nothing written yet) is empty or a
 * certsweep database this build can read, without writing anything.
 * Returns 0, or -1 with the reason in err.
 */
int	store_schema_check(sqlite3 *db, const char *path, char *err,
	    size_t errlen);

/*
 * Brings db to store_schema_latest(), one transaction per migration, or one
 * for all of them on an empty file (store_schema_sql).  Returns 0, or -1
 * with the reason in err (the failing migration is rolled back; those
 * before it stay).
 */
int	store_migrate(sqlite3 *db, const char *path, char *err, size_t errlen);
/* The same, one migration at a time from an empty file too (for the test
 * that both paths make the same schema). */
int	store_migrate_steps(sqlite3 *db, const char *path, char *err,
	    size_t errlen);

/* The latest schema, scripts to run in turn on an empty file
 * (db/schema_latest.c), NULL-terminated. */
extern const char *const store_schema_sql[];
/*
 * Migration 2's findings table and its key, which a new file gets as they
 * are (schema_latest.c); the (state, severity) index migration 6 dropped
 * is migration 2's alone.
 */
#define STORE_FINDINGS_TABLE \
    "CREATE TABLE findings (\n" \
    "	id		INTEGER PRIMARY KEY,\n" \
    "	rule		TEXT NOT NULL,\n" \
    "	severity	TEXT NOT NULL,\n" \
    "	endpoint_id	INTEGER NOT NULL REFERENCES endpoints (id),\n" \
    "	cert_sha256	TEXT REFERENCES certificates (sha256),\n" \
    "	depth		INTEGER NOT NULL,\n" \
    "	detail		TEXT,\n" \
    "	first_seen	INTEGER NOT NULL,\n" \
    "	last_seen	INTEGER NOT NULL,\n" \
    "	state		TEXT NOT NULL DEFAULT 'open'\n" \
    "			    CHECK (state IN ('open', 'resolved')),\n" \
    "	first_scan	INTEGER NOT NULL REFERENCES scans (id),\n" \
    "	last_scan	INTEGER NOT NULL REFERENCES scans (id),\n" \
    "	resolved_at	INTEGER\n" \
    ");\n" \
    "CREATE UNIQUE INDEX findings_key ON findings\n" \
    "    (endpoint_id, rule, ifnull(cert_sha256, ''));\n"

/*
 * Sets endpoints.leaf_scan, leaf_sha256 and leaf_spki (migration 7) from
 * the history, for the endpoints WHERE (a clause, or "") selects: the leaf
 * of the latest ok observation with a chain, the highest scan first, then
 * the highest id in it.  Migration 7 runs it on every endpoint, db merge on
 * those an input touched.
 */
#define STORE_LEAF_FILL(where) \
    "UPDATE endpoints SET (leaf_scan, leaf_sha256) = (SELECT o.scan_id, " \
    "l.cert_sha256 FROM observations o JOIN chain_links l ON " \
    "l.observation_id = o.id AND l.depth = 0 WHERE o.endpoint_id = " \
    "endpoints.id AND o.status = 'ok' ORDER BY o.scan_id DESC, o.id DESC " \
    "LIMIT 1)" where ";\n" \
    "UPDATE endpoints SET leaf_spki = (SELECT spki_sha256 FROM " \
    "certificates WHERE sha256 = leaf_sha256)" where ";\n"

/* Migration 7's index, which a new file gets too. */
#define STORE_LEAF_INDEX \
    "CREATE INDEX endpoints_leaf_spki ON endpoints (leaf_spki) " \
    "WHERE leaf_spki IS NOT NULL;\n"

/* Migration 3 (--enum tables), which a new file runs as it is. */
extern const char store_migration_3[];

/*
 * Describes SQLite result rc on db in words for people: names the database
 * file and what to do ("database x.db: disk is full; free space and ...").
 */
void	store_sqlite_err(sqlite3 *db, int rc, const char *path, char *err,
	    size_t errlen);

/* Sets store_errmsg() from SQLite result rc (for the store's other files:
 * db/resume.c). */
void	store_fail_rc(struct store *, int rc);
/* The database file's path as given to store_open(). */
const char *store_path(const struct store *);

struct tls_enum;

/*
 * Writes an observation's --enum results (tls_offers, tls_config; see
 * migration 3) inside the caller's transaction (db/store_enum.c).
 * Returns SQLITE_OK or the failing SQLite result code.
 */
int	store_enum_add(sqlite3 *db, int64_t obs_id, const struct tls_enum *);

/* The store's connection, for tests that need to bend SQLite (e.g. PRAGMA
 * max_page_count). */
sqlite3	*store_db(struct store *);

#endif /* CERTSWEEP_STORE_INTERNAL_H */
