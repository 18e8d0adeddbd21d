/*
 * schema_latest.c: the schema a new database gets, in one transaction.
 *
 * Migrations 1..N (migrate.c) stay the schema's history and still bring an
 * older file up to date; an empty file skips them and runs these scripts
 * instead.  The ALTER TABLEs of the history each re-read the whole schema,
 * which made creating a file cost as much CPU as a hundred observations.
 *
 * The result must be what the migrations leave in sqlite_master, text for
 * text (test_store.c checks it): what is still as a migration made it runs
 * as it is (migration 3, and migration 2's findings table and key), every
 * other CREATE below is copied from
 * schema.sql or a migration, columns added by ALTER TABLE sit where SQLite
 * puts them (", name TYPE" before the closing parenthesis), and indexes a
 * migration dropped are left out.  A new migration changes this file too.
 * Several scripts, not one: C compilers need not take literals over 4095
 * bytes.
 */
#include "db/store_internal.h"

#include <stddef.h>

/* The sweeps, the endpoints and the certificates. */
static const char schema_hosts[] =
    /* One sweep (active scan or passive capture). */
    "CREATE TABLE scans (\n"
    "	id		INTEGER PRIMARY KEY,\n"
    "	kind		TEXT NOT NULL CHECK (kind IN ('active', 'passive')),\n"
    "	started		INTEGER NOT NULL,\n"
    "	finished	INTEGER,		-- NULL while running or if "
    "cut short\n"
    "	arguments	TEXT,\n"
    "	endpoints	INTEGER,		-- endpoints attempted\n"
    "	ok		INTEGER			-- of which answered with TLS\n"
    ");\n"
    /* Where a certificate is served: address, port, name sent, probe. */
    "CREATE TABLE endpoints (\n"
    "	id		INTEGER PRIMARY KEY,\n"
    "	ip		TEXT NOT NULL,\n"
    "	port		INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),\n"
    "	hostname	TEXT,			-- target name, NULL for IP "
    "targets\n"
    "	sni		TEXT NOT NULL DEFAULT '',\n"
    "	protocol	TEXT NOT NULL,		-- probe name: tls, smtp, ...\n"
    "	first_seen	INTEGER NOT NULL,\n"
    "	last_seen	INTEGER NOT NULL,\n"
    "	country		TEXT,			-- geo enrichment (later "
    "issue)\n"
    "	city		TEXT,\n"
    "	asn		INTEGER,\n"
    "	as_org		TEXT"
    /* migration 7: the latest leaf seen there (scan, SHA-256, key's) */
    ", leaf_scan INTEGER, leaf_sha256 TEXT, leaf_spki TEXT,\n"
    "	UNIQUE (ip, port, sni, protocol)\n"
    ");\n"
    /* Each distinct certificate once, by the SHA-256 of its DER. */
    "CREATE TABLE certificates (\n"
    "	sha256		TEXT PRIMARY KEY NOT NULL,\n"
    "	der		BLOB,\n"
    "	subject		TEXT,			-- RFC 2253 one-line DN\n"
    "	issuer		TEXT,\n"
    "	serial		TEXT,			-- upper-case hex\n"
    "	not_before	INTEGER,\n"
    "	not_after	INTEGER,\n"
    "	key_type	TEXT,			-- RSA, EC, Ed25519, ...\n"
    "	key_bits	INTEGER,\n"
    "	curve		TEXT,\n"
    "	sig_alg		TEXT,\n"
    "	sans		TEXT,			-- JSON array: "
    "[\"DNS:a.example\", ...]\n"
    "	is_ca		INTEGER NOT NULL DEFAULT 0,\n"
    "	self_signed	INTEGER NOT NULL DEFAULT 0,\n"
    "	spki_sha256	TEXT,\n"
    "	version		INTEGER,		-- X.509 version 1..3\n"
    "	basic_constraints INTEGER NOT NULL DEFAULT 0, -- extension present\n"
    "	path_len	INTEGER,		-- NULL when no pathlen\n"
    "	key_usage	INTEGER,		-- KU_* bits, NULL when "
    "absent\n"
    "	eku		TEXT,			-- \"serverAuth,clientAuth\"\n"
    "	ocsp_urls	TEXT,			-- comma-separated\n"
    "	ca_issuers	TEXT,\n"
    "	crl_urls	TEXT,\n"
    "	sct_count	INTEGER,\n"
    "	ski		TEXT,\n"
    "	aki		TEXT,\n"
    "	first_seen	INTEGER NOT NULL,\n"
    "	last_seen	INTEGER NOT NULL\n"
    ");\n";

/* Observations (with the columns of migrations 4 and 5) and their chains. */
static const char schema_observations[] =
    /* One endpoint's result in one sweep. */
    "CREATE TABLE observations (\n"
    "	id		INTEGER PRIMARY KEY,\n"
    "	scan_id		INTEGER NOT NULL REFERENCES scans (id),\n"
    "	endpoint_id	INTEGER NOT NULL REFERENCES endpoints (id),\n"
    "	source		TEXT NOT NULL CHECK (source IN ('active', "
    "'passive')),\n"
    "	time		INTEGER NOT NULL,\n"
    "	status		TEXT NOT NULL,		-- ok, refused, "
    "connect-timeout, ...\n"
    "	reason		TEXT,\n"
    "	version		TEXT,			-- TLSv1.3\n"
    "	cipher		TEXT,\n"
    "	grp		TEXT,			-- key exchange group\n"
    "	alpn		TEXT,\n"
    "	handshake_ms	REAL,\n"
    "	verify_code	INTEGER,		-- X509_V_OK (0) or "
    "X509_V_ERR_*\n"
    "	verify_reason	TEXT\n"
    ", ocsp_status TEXT, ocsp_this_update INTEGER, ocsp_next_update "
    "INTEGER, ja3 TEXT, ja3s TEXT, ja4 TEXT, jarm TEXT);\n"
    /* The chain an observation saw, leaf at depth 0, as the server sent it. */
    "CREATE TABLE chain_links (\n"
    "	observation_id	INTEGER NOT NULL REFERENCES observations (id),\n"
    "	depth		INTEGER NOT NULL CHECK (depth >= 0),\n"
    "	cert_sha256	TEXT NOT NULL REFERENCES certificates (sha256),\n"
    "	PRIMARY KEY (observation_id, depth)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX observations_scan ON observations (scan_id);\n"
    /* (endpoint_id, status): an endpoint's latest ok observation is one seek. */
    "CREATE INDEX observations_endpoint ON observations (endpoint_id, "
    "status);\n"
    STORE_LEAF_INDEX;

/* Schema version store_schema_latest(): migrations 1 (schema.sql), 2
 * (findings), 3 (--enum), 4 (OCSP columns), 5 (fingerprint columns), 6
 * (two indexes dropped), 7 (the endpoints' latest leaf) and 8 (two more
 * dropped). */
const char *const store_schema_sql[] = {
	schema_hosts,
	schema_observations,
	STORE_FINDINGS_TABLE,	/* migration 2 without the index 6 dropped */
	store_migration_3,	/* unchanged since */
	NULL
};
