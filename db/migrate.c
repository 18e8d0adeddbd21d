/*
 * migrate.c: the schema's history.  Migration N takes a database from
 * PRAGMA user_version N-1 to N in one transaction, so a crash or a full disk
 * leaves the file at a version we know.  Migration 1 is db/schema.sql,
 * embedded at build time (build/db/schema.h); later ones are appended below
 * and never edited once released.
 *
 * An empty file skips the history: it gets the latest schema in one
 * transaction (db/schema_latest.c, which a new migration must change too;
 * test_store.c compares both paths' sqlite_master).
 */
#include "db/store_internal.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "schema.h"
#include "scanner/xmem.h"

/*
 * 2: findings, one row per (endpoint, rule, certificate) over time: a
 * finding stays one row while it is reported, turns 'resolved' when a later
 * sweep sees the endpoint without it and reopens when it comes back.
 */
static const char migration_2[] =
    STORE_FINDINGS_TABLE
    "CREATE INDEX findings_state ON findings (state, severity);\n";

/*
 * 3: --enum results (db/store_enum.c).  tls_offers: every suite an
 * endpoint accepted per version, preference its 0-based place in the
 * server's order (NULL when the client's order counts); tls_config: the
 * rest of the enumeration, one row per observation.  Tri-state facts are
 * 1, 0 or NULL (not known).
 */
const char store_migration_3[] =
    "CREATE TABLE tls_offers (\n"
    "	observation_id	INTEGER NOT NULL REFERENCES observations (id),\n"
    "	version		TEXT NOT NULL,		-- TLSv1.2, SSLv2\n"
    "	cipher		TEXT NOT NULL,		-- IANA name\n"
    "	cipher_id	INTEGER NOT NULL,	-- SSLv2: 3-byte spec\n"
    "	preference	INTEGER,\n"
    "	kx		TEXT,\n"
    "	enc		TEXT,\n"
    "	bits		INTEGER,\n"
    "	dh_bits		INTEGER,\n"
    "	PRIMARY KEY (observation_id, version, cipher_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX tls_offers_cipher ON tls_offers (cipher);\n"
    "CREATE TABLE tls_config (\n"
    "	observation_id	INTEGER PRIMARY KEY REFERENCES observations (id),\n"
    "	versions	TEXT,			-- TLSv1.2,TLSv1.3\n"
    "	groups		TEXT,			-- x25519,secp256r1\n"
    "	dh_bits		INTEGER,\n"
    "	secure_reneg	INTEGER,\n"
    "	compression	INTEGER,\n"
    "	ocsp_stapling	INTEGER,\n"
    "	alpn		TEXT,\n"
    "	session_ticket	INTEGER,\n"
    "	fallback_scsv	INTEGER,\n"
    "	heartbeat	INTEGER,\n"
    "	ems		INTEGER,\n"
    "	etm		INTEGER,\n"
    "	ja3s		TEXT,\n"
    "	jarm		TEXT,\n"
    "	profile		TEXT,		-- modern, intermediate, old, none\n"
    "	profile_reasons	TEXT,\n"
    "	attempts	INTEGER,\n"
    "	truncated	INTEGER NOT NULL DEFAULT 0,\n"
    "	note		TEXT\n"
    ");\n";

/*
 * 4: what OCSP said about an observation's leaf (stapled response, else
 * a --ocsp query): status "good", "revoked", "unknown", "invalid", NULL
 * when nothing was asked or stapled; thisUpdate and nextUpdate in Unix
 * seconds.
 */
static const char migration_4[] =
    "ALTER TABLE observations ADD COLUMN ocsp_status TEXT;\n"
    "ALTER TABLE observations ADD COLUMN ocsp_this_update INTEGER;\n"
    "ALTER TABLE observations ADD COLUMN ocsp_next_update INTEGER;\n";

/*
 * 5: TLS fingerprints of an observation (lower-case hex, JA4 in its own
 * form; NULL when unknown): ja3 and ja4 of the client's hello and ja3s of
 * the server's answer (passive), jarm of the server (--enum).
 */
static const char migration_5[] =
    "ALTER TABLE observations ADD COLUMN ja3 TEXT;\n"
    "ALTER TABLE observations ADD COLUMN ja3s TEXT;\n"
    "ALTER TABLE observations ADD COLUMN ja4 TEXT;\n"
    "ALTER TABLE observations ADD COLUMN jarm TEXT;\n";

/*
 * 6: two indexes no query uses, each an extra B-tree insert per new row:
 * findings (state, severity) (the exporter's counts read most findings
 * anyway, and resolving a sweep's findings goes by endpoint through
 * findings_key) and certificates (not_after) (nothing filters on it alone).
 */
static const char migration_6[] =
    "DROP INDEX findings_state;\n"
    "DROP INDEX certificates_not_after;\n";

/*
 * 7: each endpoint's latest leaf, kept on its row as observations are
 * written (db/store.c): the scan it was seen in, its SHA-256 and its key's.
 * cert.changed and cert.shared_key ask these columns; before, they went
 * through every earlier observation of the endpoint, or every link of the
 * key's certificates, so each sweep cost more than the one before.
 */
static const char migration_7[] =
    "ALTER TABLE endpoints ADD COLUMN leaf_scan INTEGER;\n"
    "ALTER TABLE endpoints ADD COLUMN leaf_sha256 TEXT;\n"
    "ALTER TABLE endpoints ADD COLUMN leaf_spki TEXT;\n"
    STORE_LEAF_INDEX
    STORE_LEAF_FILL("");

/*
 * 8: two indexes whose one reader was cert.shared_key's old query (now
 * endpoints_leaf_spki): chain_links (cert_sha256), into which every link of
 * every sweep went at a random place (64 hex digits), the largest index of
 * the file, and certificates (spki_sha256), one more per certificate.
 */
static const char migration_8[] =
    "DROP INDEX chain_links_cert;\n"
    "DROP INDEX certificates_spki;\n";

/* Index i holds the migration to version i + 1. */
static const char *const migrations[] = {
	schema_sql,
	migration_2,
	store_migration_3,
	migration_4,
	migration_5,
	migration_6,
	migration_7,
	migration_8,
};
#define NMIGRATIONS	((int)(sizeof(migrations) / sizeof(migrations[0])))

int
store_schema_latest(void)
{
	return NMIGRATIONS;
}

int
store_query_int(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		goto out;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
 out:
	sqlite3_finalize(st);
	return rc;
}

int
store_schema_check(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	int64_t schema = 0, version = 0, appid = 0, nobj = 0;
	int rc;

	/* Reads only: page 1 and sqlite_master.  A file that is not SQLite
	 * fails here (SQLITE_NOTADB) before anything could write to it. */
	if ((rc = store_query_int(db, "PRAGMA schema_version", &schema)) != SQLITE_OK ||
	    (rc = store_query_int(db, "PRAGMA user_version", &version)) != SQLITE_OK ||
	    (rc = store_query_int(db, "PRAGMA application_id", &appid)) != SQLITE_OK ||
	    (rc = store_query_int(db, "SELECT count(*) FROM sqlite_master",
	    &nobj)) != SQLITE_OK) {
		store_sqlite_err(db, rc, path, err, errlen);
		return -1;
	}
	if (version > NMIGRATIONS) {
		snprintf(err, errlen, "database %s was written by a newer "
		    "certsweep (schema %lld, this one knows %d); use that "
		    "version or another --db PATH", path, (long long)version,
		    NMIGRATIONS);
		return -1;
	}
	/* Never add our tables to another program's database. */
	if ((version > 0 && appid != STORE_APPLICATION_ID) ||
	    (version == 0 && nobj > 0)) {
		snprintf(err, errlen, "database %s is an SQLite database of "
		    "another program; certsweep left it untouched: give "
		    "another --db PATH", path);
		return -1;
	}
	return 0;
}

/*
 * One migration, from whatever version the file has inside the write
 * transaction (another certsweep may have migrated it since we looked), or
 * with steps false, all of them at once on an empty file.  *done is set
 * when there is nothing left to do.
 */
static int
migrate_next(sqlite3 *db, const char *path, char *err, size_t errlen,
    bool steps, bool *done)
{
	const char *one[2] = { NULL, NULL }, *const *sql;
	char *pragma = NULL;
	int64_t version = 0;
	int rc, ret = -1, to;

	*done = false;
	if ((rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL)) != SQLITE_OK ||
	    (rc = store_query_int(db, "PRAGMA user_version", &version)) != SQLITE_OK)
		goto out;
	if (version >= NMIGRATIONS) {
		*done = true;
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		goto out;
	}
	one[0] = migrations[version];
	sql = one;
	to = (int)version + 1;
	if (version == 0 && !steps) {
		sql = store_schema_sql;
		to = NMIGRATIONS;
	}
	if (version == 0)
		pragma = xasprintf("PRAGMA application_id = %d; "
		    "PRAGMA user_version = %d;", STORE_APPLICATION_ID, to);
	else
		pragma = xasprintf("PRAGMA user_version = %d;", to);
	for (; *sql != NULL; sql++)
		if ((rc = sqlite3_exec(db, *sql, NULL, NULL, NULL)) !=
		    SQLITE_OK)
			goto out;
	if ((rc = sqlite3_exec(db, pragma, NULL, NULL, NULL)) != SQLITE_OK)
		goto out;
	rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
 out:
	if (rc == SQLITE_OK)
		ret = 0;
	else {
		store_sqlite_err(db, rc, path, err, errlen);
		if (!sqlite3_get_autocommit(db))
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	}
	free(pragma);
	return ret;
}

static int
migrate(sqlite3 *db, const char *path, char *err, size_t errlen, bool steps)
{
	bool done = false;

	while (!done)
		if (migrate_next(db, path, err, errlen, steps, &done) == -1)
			return -1;
	return 0;
}

int
store_migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	return migrate(db, path, err, errlen, false);
}

int
store_migrate_steps(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	return migrate(db, path, err, errlen, true);
}
