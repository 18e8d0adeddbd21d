-- schema.sql: migration 1 of the certsweep inventory (PRAGMA user_version 1).
-- db/migrate.c runs it, and the later migrations, on a file that needs
-- them; a new file gets db/schema_latest.c instead, which must end up with
-- the same schema (test_store checks).  Later changes are new migrations
-- in migrate.c, never edits here.
--
-- Conventions: times are Unix seconds (INTEGER, UTC); hashes are lower-case
-- hex TEXT; statuses and severities are the names of scanner/status.c;
-- optional text is NULL when absent, except endpoints.sni, which is '' when
-- no name was sent because it is part of the endpoint's identity.

-- One sweep (active scan or passive capture).
CREATE TABLE scans (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL CHECK (kind IN ('active', 'passive')),
	started		INTEGER NOT NULL,
	finished	INTEGER,		-- NULL while running or if cut short
	arguments	TEXT,
	endpoints	INTEGER,		-- endpoints attempted
	ok		INTEGER			-- of which answered with TLS
);

-- Where a certificate is served: address, port, name sent, probe.
CREATE TABLE endpoints (
	id		INTEGER PRIMARY KEY,
	ip		TEXT NOT NULL,
	port		INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),
	hostname	TEXT,			-- target name, NULL for IP targets
	sni		TEXT NOT NULL DEFAULT '',
	protocol	TEXT NOT NULL,		-- probe name: tls, smtp, ...
	first_seen	INTEGER NOT NULL,
	last_seen	INTEGER NOT NULL,
	country		TEXT,			-- geo enrichment (later issue)
	city		TEXT,
	asn		INTEGER,
	as_org		TEXT,
	UNIQUE (ip, port, sni, protocol)
);

-- Each distinct certificate once, by the SHA-256 of its DER.
CREATE TABLE certificates (
	sha256		TEXT PRIMARY KEY NOT NULL,
	der		BLOB,
	subject		TEXT,			-- RFC 2253 one-line DN
	issuer		TEXT,
	serial		TEXT,			-- upper-case hex
	not_before	INTEGER,
	not_after	INTEGER,
	key_type	TEXT,			-- RSA, EC, Ed25519, ...
	key_bits	INTEGER,
	curve		TEXT,
	sig_alg		TEXT,
	sans		TEXT,			-- JSON array: ["DNS:a.example", ...]
	is_ca		INTEGER NOT NULL DEFAULT 0,
	self_signed	INTEGER NOT NULL DEFAULT 0,
	spki_sha256	TEXT,
	version		INTEGER,		-- X.509 version 1..3
	basic_constraints INTEGER NOT NULL DEFAULT 0, -- extension present
	path_len	INTEGER,		-- NULL when no pathlen
	key_usage	INTEGER,		-- KU_* bits, NULL when absent
	eku		TEXT,			-- "serverAuth,clientAuth"
	ocsp_urls	TEXT,			-- comma-separated
	ca_issuers	TEXT,
	crl_urls	TEXT,
	sct_count	INTEGER,
	ski		TEXT,
	aki		TEXT,
	first_seen	INTEGER NOT NULL,
	last_seen	INTEGER NOT NULL
);

-- One endpoint's result in one sweep.
CREATE TABLE observations (
	id		INTEGER PRIMARY KEY,
	scan_id		INTEGER NOT NULL REFERENCES scans (id),
	endpoint_id	INTEGER NOT NULL REFERENCES endpoints (id),
	source		TEXT NOT NULL CHECK (source IN ('active', 'passive')),
	time		INTEGER NOT NULL,
	status		TEXT NOT NULL,		-- ok, refused, connect-timeout, ...
	reason		TEXT,
	version		TEXT,			-- TLSv1.3
	cipher		TEXT,
	grp		TEXT,			-- key exchange group
	alpn		TEXT,
	handshake_ms	REAL,
	verify_code	INTEGER,		-- X509_V_OK (0) or X509_V_ERR_*
	verify_reason	TEXT
);

-- The chain an observation saw, leaf at depth 0, as the server sent it.
CREATE TABLE chain_links (
	observation_id	INTEGER NOT NULL REFERENCES observations (id),
	depth		INTEGER NOT NULL CHECK (depth >= 0),
	cert_sha256	TEXT NOT NULL REFERENCES certificates (sha256),
	PRIMARY KEY (observation_id, depth)
) WITHOUT ROWID;

CREATE INDEX certificates_not_after ON certificates (not_after);
CREATE INDEX certificates_spki ON certificates (spki_sha256);
CREATE INDEX observations_scan ON observations (scan_id);
-- (endpoint_id, status): an endpoint's latest ok observation is one seek.
CREATE INDEX observations_endpoint ON observations (endpoint_id, status);
CREATE INDEX chain_links_cert ON chain_links (cert_sha256);
