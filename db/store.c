/*
 * store.c: the inventory in SQLite, one writer per handle.
 *
 * Every statement is prepared once at open (SQLITE_PREPARE_PERSISTENT) and
 * finalized at close.  Writes go into a batch: BEGIN IMMEDIATE at the first
 * write, COMMIT every STORE_BATCH observations and at flush, scan end and
 * close.  A failure rolls back the current batch only.
 *
 * Within a batch the same certificate (a shared intermediate) is upserted
 * once: a small open-addressing set of the SHA-256s written in this batch
 * remembers the latest time each was seen, and one UPDATE per certificate
 * moves last_seen just before the COMMIT.
 *
 * Each endpoint's row keeps its latest leaf (scan, SHA-256, key's SHA-256;
 * migration 7), moved as observations are written, so that the history
 * rules cost one lookup whatever the history: store_prev_leaf() walks the
 * endpoint's observations only when this sweep already wrote a leaf for it
 * (a resumed sweep, a target listed twice).
 *
 * History without SQL: when a sweep begins on a database without any chain
 * link or certificate (a first scan), every link the history rules could
 * find is one this handle writes.  Until something else commits (PRAGMA
 * data_version) or a batch is rolled back, store_prev_leaf() then knows
 * there is no earlier leaf, and store_spki_endpoints() that no endpoint
 * serves a key which no leaf written since had; anything else still asks
 * SQLite.
 *
 * A finding reported again on an endpoint that already existed is first
 * tried as a plain UPDATE of the open row (same severity), which leaves the
 * (state, severity) index alone; otherwise the upsert writes it.
 */
#include "db/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db/store_internal.h"
#include "scanner/cert.h"
#include "scanner/xmem.h"

#define BUSY_TIMEOUT_MS	5000
#define SEEN_SLOTS	1024		/* power of two */
#define SEEN_MAX	(SEEN_SLOTS * 3 / 4)
#define KEYS_MIN	1024		/* leaf key set: first size, 2^n */
#define KEYS_MAX	(1u << 20)	/* then SQL again (8 MiB) */

enum stmt_id {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SCAN_BEGIN,
	ST_SCAN_END,
	ST_RESOLVE,
	ST_EP_FIND,
	ST_EP_INSERT,
	ST_EP_TOUCH,
	ST_EP_LEAF,
	ST_CERT,
	ST_CERT_TOUCH,
	ST_CERT_AGAIN,
	ST_OBS,
	ST_LINK,
	ST_FINDING,
	ST_FINDING_NEW,
	ST_FINDING_AGAIN,
	ST_PREV_LEAF,
	ST_SPKI,
	ST_LAST_SCANS,
	ST_ANY_LINK,
	ST_DATA_VERSION,
	ST__MAX
};

static const char *const stmt_sql[] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SCAN_BEGIN] = "INSERT INTO scans (kind, started, arguments) "
	    "VALUES (?1, ?2, ?3)",
	[ST_SCAN_END] = "UPDATE scans SET finished = ?2, endpoints = ?3, "
	    "ok = ?4 WHERE id = ?1",
	/* Open findings of endpoints this sweep saw answer, not reported by
	 * it.  An endpoint that was down says nothing about its findings.
	 * One pass over findings; "+endpoint_id" keeps the planner from
	 * seeking findings_key once per endpoint of the sweep, which
	 * builds the list of them even when no finding is left to resolve
	 * (it is built at the first finding that is). */
	[ST_RESOLVE] = "UPDATE findings SET state = 'resolved', "
	    "resolved_at = ?2 WHERE state = 'open' AND last_scan < ?1 AND "
	    "+endpoint_id IN (SELECT endpoint_id FROM observations "
	    "WHERE scan_id = ?1 AND status = 'ok')",
	/* Find, then insert or touch by rowid, rather than one upsert with
	 * RETURNING: the upsert needs a statement journal, whose 64 KiB
	 * buffer made malloc grow and trim the heap once per observation. */
	[ST_EP_FIND] = "SELECT id, leaf_scan, leaf_sha256 FROM endpoints "
	    "WHERE ip = ?1 AND port = ?2 AND sni = ?3 AND protocol = ?4",
	[ST_EP_INSERT] = "INSERT INTO endpoints (ip, port, hostname, sni, "
	    "protocol, first_seen, last_seen, country, city, asn, as_org, "
	    "leaf_scan, leaf_sha256, leaf_spki) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	/* GeoIP facts: the latest lookup wins; none keeps what is there */
	[ST_EP_TOUCH] = "UPDATE endpoints SET "
	    "hostname = coalesce(?2, hostname), "
	    "first_seen = min(first_seen, ?3), "
	    "last_seen = max(last_seen, ?3), "
	    "country = coalesce(?4, country), city = coalesce(?5, city), "
	    "asn = coalesce(?6, asn), as_org = coalesce(?7, as_org), "
	    "leaf_scan = coalesce(?8, leaf_scan) WHERE id = ?1",
	/* A new latest leaf: apart from the touch, which leaves the key's
	 * index alone when the leaf is the same. */
	[ST_EP_LEAF] = "UPDATE endpoints SET leaf_sha256 = ?2, leaf_spki = ?3 "
	    "WHERE id = ?1",
	[ST_CERT] = "INSERT INTO certificates (sha256, der, subject, issuer, "
	    "serial, not_before, not_after, key_type, key_bits, curve, sig_alg, "
	    "sans, is_ca, self_signed, spki_sha256, version, basic_constraints, "
	    "path_len, key_usage, eku, ocsp_urls, ca_issuers, crl_urls, "
	    "sct_count, ski, aki, first_seen, last_seen) VALUES (?1, ?2, ?3, "
	    "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
	    "?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?27) "
	    "ON CONFLICT (sha256) DO UPDATE SET "
	    "first_seen = min(first_seen, excluded.first_seen), "
	    "last_seen = max(last_seen, excluded.last_seen)",
	/* A certificate seen in an earlier batch: what the upsert does to
	 * it, without binding and building the whole row first. */
	[ST_CERT_AGAIN] = "UPDATE certificates SET "
	    "first_seen = min(first_seen, ?2), "
	    "last_seen = max(last_seen, ?2) WHERE sha256 = ?1",
	[ST_CERT_TOUCH] = "UPDATE certificates SET last_seen = "
	    "max(last_seen, ?2) WHERE sha256 = ?1",
	[ST_OBS] = "INSERT INTO observations (scan_id, endpoint_id, source, "
	    "time, status, reason, version, cipher, grp, alpn, handshake_ms, "
	    "verify_code, verify_reason, ocsp_status, ocsp_this_update, "
	    "ocsp_next_update, ja3, ja3s, ja4, jarm) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
	    "?19, ?20)",
	[ST_LINK] = "INSERT INTO chain_links (observation_id, depth, "
	    "cert_sha256) VALUES (?1, ?2, ?3)",
	[ST_FINDING] = "INSERT INTO findings (rule, severity, endpoint_id, "
	    "cert_sha256, depth, detail, first_seen, last_seen, state, "
	    "first_scan, last_scan) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, "
	    "'open', ?8, ?8) ON CONFLICT (endpoint_id, rule, "
	    "ifnull(cert_sha256, '')) DO UPDATE SET "
	    "severity = excluded.severity, depth = excluded.depth, "
	    "detail = excluded.detail, "
	    "last_seen = max(last_seen, excluded.last_seen), "
	    "last_scan = max(last_scan, excluded.last_scan), "
	    "state = 'open', resolved_at = NULL",
	/* A new endpoint's finding: a single-row INSERT raises a foreign
	 * key or UNIQUE violation before it writes anything, so it runs
	 * without the statement journal that the upsert's foreign keys need
	 * (a 4 KiB page copy per page it touches again).  A UNIQUE
	 * violation (the same rule on the same certificate twice in one
	 * chain) goes to the upsert. */
	[ST_FINDING_NEW] = "INSERT INTO findings (rule, severity, "
	    "endpoint_id, cert_sha256, depth, detail, first_seen, last_seen, "
	    "state, first_scan, last_scan) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "?7, 'open', ?8, ?8)",
	/* The same finding still open with the same severity: what the
	 * upsert would do, without rewriting the (state, severity) index
	 * entry (a delete and an insert in that B-tree).  No row: upsert. */
	[ST_FINDING_AGAIN] = "UPDATE findings SET depth = ?5, detail = ?6, "
	    "last_seen = max(last_seen, ?7), last_scan = max(last_scan, ?8) "
	    "WHERE endpoint_id = ?3 AND rule = ?1 AND "
	    "ifnull(cert_sha256, '') = ifnull(?4, '') AND severity = ?2 AND "
	    "state = 'open' AND resolved_at IS NULL",
	/* Every ok answer with a leaf before the sweep; the caller keeps
	 * the latest by (scan_id, id): no sorter for what is a few rows.
	 * Only when the endpoint's row cannot say (ST_EP_FIND): its latest
	 * leaf is of this sweep or a later one (a resumed sweep). */
	[ST_PREV_LEAF] = "SELECT o.scan_id, o.id, l.cert_sha256 FROM "
	    "endpoints e JOIN observations o ON o.endpoint_id = e.id "
	    "JOIN chain_links l ON l.observation_id = o.id AND l.depth = 0 "
	    "WHERE e.ip = ?1 AND e.port = ?2 AND e.sni = ?3 AND "
	    "e.protocol = ?4 AND o.status = 'ok' AND o.scan_id < ?5",
	/* The endpoints whose latest leaf has the key.  Capped at 2 (all a
	 * caller needs to tell "another endpoint too"): a key on 65,536
	 * endpoints must not cost 65,536 rows each time. */
	[ST_SPKI] = "SELECT count(*) FROM (SELECT 1 FROM endpoints "
	    "WHERE leaf_spki = ?1 LIMIT 2)",
	[ST_LAST_SCANS] = "SELECT id FROM scans WHERE finished IS NOT NULL "
	    "ORDER BY finished DESC, id DESC LIMIT 2",
	[ST_ANY_LINK] = "SELECT EXISTS (SELECT 1 FROM chain_links) OR "
	    "EXISTS (SELECT 1 FROM certificates)",
	/* Changes when another connection commits. */
	[ST_DATA_VERSION] = "PRAGMA data_version",
};
_Static_assert(sizeof(stmt_sql) / sizeof(stmt_sql[0]) == ST__MAX,
    "every statement has its SQL");

/* A certificate written in the current batch. */
struct seen {
	uint8_t		 sha256[CERT_SHA256_LEN];
	int64_t		 written;	/* last_seen given to the row */
	int64_t		 latest;	/* latest time seen since */
	bool		 used;
};

/* An endpoint's row as ST_EP_FIND reads it; id 0 when there is none. */
struct ep_row {
	int64_t		 id;
	bool		 has_leaf;
	int64_t		 leaf_scan;
	char		 leaf[2 * CERT_SHA256_LEN + 1];
};

/* Whose row it is (the strings of struct observation fit). */
struct ep_key {
	char		 ip[64];
	uint16_t	 port;
	char		 sni[256];
	char		 proto[32];
};

struct store {
	sqlite3		*db;
	char		*path;
	sqlite3_stmt	*stmt[ST__MAX];
	bool		 in_tx;
	unsigned	 pending;	/* observations in the open batch */
	time_t		 batch_started;	/* when the open batch began */
	bool		 ep_was_new;	/* the last endpoint was inserted */
	bool		 cert_was_new;	/* the last certificate written was */
	struct seen	*seen;		/* SEEN_SLOTS */
	size_t		 nseen;
	/* History without SQL (see the top): valid while fresh. */
	bool		 fresh;
	int64_t		 data_version;	/* PRAGMA data_version then */
	int64_t		 min_link_scan;	/* lowest scan_id given a link since */
	uint64_t	*keys;		/* leaf SPKIs written since: the first
					   8 bytes, 0 free; nkeys_cap slots */
	size_t		 nkeys, nkeys_cap;
	/* The row store_prev_leaf() read inside the open batch, for the
	 * put_endpoint() of the same observation: nobody else writes then. */
	bool		 ep_cached;
	struct ep_key	 ep_key;
	struct ep_row	 ep_row;
	int		 wal_fd;	/* the WAL, for wal_writeback(); -1 */
	bool		 wal_tried;
	char		 err[512];
};

static void
store_fail(struct store *st, int rc)
{
	store_sqlite_err(st->db, rc, st->path, st->err, sizeof(st->err));
}

void
store_fail_rc(struct store *st, int rc)
{
	store_fail(st, rc);
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

const char *
store_errmsg(const struct store *st)
{
	return st->err;
}

sqlite3 *
store_db(struct store *st)
{
	return st->db;
}

/* A lower-case hex digit's value, -1 for anything else. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Optional text: NULL when absent or empty.  SQLITE_STATIC: every
 * statement is reset before the call that bound it returns. */
static void
bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL || *v == '\0')
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* Steps a statement that returns no row; resets it.  Returns
 * SQLITE_DONE or the result, extended when SQLite has it (e.g.
 * SQLITE_CONSTRAINT_UNIQUE), and sets no message. */
static int
step(struct store *st, enum stmt_id id)
{
	sqlite3_stmt *s = st->stmt[id];
	int rc, ext;

	if ((rc = sqlite3_step(s)) != SQLITE_DONE &&
	    ((ext = sqlite3_extended_errcode(st->db)) & 0xff) == rc)
		rc = ext;
	sqlite3_reset(s);
	return rc;
}

/* Steps a statement that returns no row; resets it. */
static int
run(struct store *st, enum stmt_id id)
{
	int rc;

	if ((rc = step(st, id)) != SQLITE_DONE) {
		store_fail(st, rc & 0xff);
		return -1;
	}
	return 0;
}

/* Steps a statement that returns at most one integer; *out untouched when
 * there is no row.  Resets it. */
static int
run_int(struct store *st, enum stmt_id id, int64_t *out)
{
	sqlite3_stmt *s = st->stmt[id];
	int rc;

	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
	if (rc != SQLITE_DONE)
		store_fail(st, rc);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* --- the set of certificates written in this batch --- */

static struct seen *
seen_find(struct store *st, const uint8_t *sha256, bool *found)
{
	uint32_t h;

	/* The key is a SHA-256: its first bytes are already uniform. */
	memcpy(&h, sha256, sizeof(h));
	for (size_t n = 0; n < SEEN_SLOTS; n++) {
		struct seen *e = &st->seen[(h + n) & (SEEN_SLOTS - 1)];

		if (!e->used || memcmp(e->sha256, sha256,
		    CERT_SHA256_LEN) == 0) {
			*found = e->used;
			return e;
		}
	}
	*found = false;
	return NULL;
}

static void
seen_clear(struct store *st)
{
	if (st->nseen > 0)
		memset(st->seen, 0, SEEN_SLOTS * sizeof(*st->seen));
	st->nseen = 0;
}

/* Moves last_seen of the certificates met again in this batch. */
static int
seen_flush(struct store *st)
{
	sqlite3_stmt *s = st->stmt[ST_CERT_TOUCH];
	char sha[2 * CERT_SHA256_LEN + 1];

	for (size_t i = 0; i < SEEN_SLOTS && st->nseen > 0; i++) {
		struct seen *e = &st->seen[i];

		if (!e->used || e->latest <= e->written)
			continue;
		cert_hex(e->sha256, CERT_SHA256_LEN, sha);
		sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, e->latest);
		if (run(st, ST_CERT_TOUCH) == -1)
			return -1;
		e->written = e->latest;
	}
	return 0;
}

/* --- history without SQL --- */

static void
fresh_stop(struct store *st)
{
	st->fresh = false;
	free(st->keys);
	st->keys = NULL;
	st->nkeys = st->nkeys_cap = 0;
}

/* The set's key of a SPKI SHA-256: its first 8 bytes, never 0.  Two keys
 * that collide only send a question to SQL. */
static uint64_t
key_of(const uint8_t *spki)
{
	uint64_t k;

	memcpy(&k, spki, sizeof(k));
	return k != 0 ? k : 1;
}

static bool
keys_has(const struct store *st, uint64_t k)
{
	for (size_t i = (size_t)k & (st->nkeys_cap - 1);;
	    i = (i + 1) & (st->nkeys_cap - 1)) {
		if (st->keys[i] == k)
			return true;
		if (st->keys[i] == 0)
			return false;
	}
}

static void
keys_put(uint64_t *keys, size_t cap, uint64_t k)
{
	size_t i;

	for (i = (size_t)k & (cap - 1); keys[i] != 0 && keys[i] != k;
	    i = (i + 1) & (cap - 1))
		;
	keys[i] = k;
}

/* Remembers the leaf key of an observation written while fresh.  Past
 * KEYS_MAX keys the set is dropped and SQL answers again. */
static void
keys_add(struct store *st, uint64_t k)
{
	uint64_t *old = st->keys;
	size_t cap = st->nkeys_cap;

	if (keys_has(st, k))
		return;
	if (st->nkeys + 1 > cap / 2) {
		if (cap >= KEYS_MAX) {
			fresh_stop(st);
			return;
		}
		st->nkeys_cap = cap * 2;
		st->keys = xcalloc(st->nkeys_cap, sizeof(*st->keys));
		for (size_t i = 0; i < cap; i++)
			if (old[i] != 0)
				keys_put(st->keys, st->nkeys_cap, old[i]);
		free(old);
	}
	keys_put(st->keys, st->nkeys_cap, k);
	st->nkeys++;
}

static int
data_version(struct store *st, int64_t *v)
{
	*v = -1;
	return run_int(st, ST_DATA_VERSION, v);
}

/*
 * Whether the history can be answered without SQL now.  Inside our own
 * write transaction nobody else can commit (batch_begin() checked when it
 * began); outside it, ask.  -1 on error.
 */
static int
fresh_now(struct store *st)
{
	int64_t v;

	if (!st->fresh)
		return 0;
	if (!st->in_tx) {
		if (data_version(st, &v) == -1)
			return -1;
		if (v != st->data_version)
			fresh_stop(st);
	}
	return st->fresh;
}

/* After store_scan_begin()'s INSERT, in its transaction: fresh when the
 * database has no chain link and no certificate at all (so that every
 * certificate's key is also one this handle wrote). */
static int
fresh_start(struct store *st)
{
	int64_t any = 1;

	fresh_stop(st);
	if (run_int(st, ST_ANY_LINK, &any) == -1 ||
	    data_version(st, &st->data_version) == -1)
		return -1;
	if (any != 0)
		return 0;
	st->fresh = true;
	st->min_link_scan = INT64_MAX;
	st->nkeys_cap = KEYS_MIN;
	st->keys = xcalloc(st->nkeys_cap, sizeof(*st->keys));
	return 0;
}

/* A written observation's links, while fresh. */
static void
fresh_add(struct store *st, int64_t scan_id, const struct observation *o)
{
	if (!st->fresh || o->chain_len == 0)
		return;
	if (scan_id < st->min_link_scan)
		st->min_link_scan = scan_id;
	keys_add(st, key_of(o->chain[0].spki_sha256));
}

/* --- batches --- */

static void	batch_abort(struct store *);

static int
batch_begin(struct store *st)
{
	int64_t v;

	if (st->in_tx)
		return 0;
	if (run(st, ST_BEGIN) == -1)
		return -1;
	st->in_tx = true;
	st->pending = 0;
	st->batch_started = time(NULL);
	/* Another writer may have committed since our last batch. */
	if (st->fresh) {
		if (data_version(st, &v) == -1) {
			batch_abort(st);
			return -1;
		}
		if (v != st->data_version)
			fresh_stop(st);
	}
	return 0;
}

/* Drops the current batch after a failure; the message is already set. */
static void
batch_abort(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db)) {
		sqlite3_step(st->stmt[ST_ROLLBACK]);
		sqlite3_reset(st->stmt[ST_ROLLBACK]);
	}
	st->in_tx = false;
	st->ep_cached = false;
	st->pending = 0;
	seen_clear(st);
	/* What the set remembers is no longer in the file. */
	fresh_stop(st);
}

/*
 * A committed batch sits in the WAL, which synchronous = NORMAL does not
 * sync before the checkpoint at close.  Its writeback starts now, in the
 * background, so that the sync at close waits for the last batch only: on
 * the bench lab store_close() went from ~14 to ~9 ms.  Linux only, and
 * best effort.  The WAL holds no locks (they are on the database and the
 * -shm file), so another descriptor of it is safe.
 */
static void
wal_writeback(struct store *st)
{
#ifdef SYNC_FILE_RANGE_WRITE
	if (st->wal_fd == -1 && !st->wal_tried) {
		char *wal = xasprintf("%s-wal", st->path);

		st->wal_tried = true;
		st->wal_fd = open(wal, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		free(wal);
	}
	if (st->wal_fd != -1)
		(void)sync_file_range(st->wal_fd, 0, 0,
		    SYNC_FILE_RANGE_WRITE);
#else
	(void)st;
#endif
}

int
store_flush(struct store *st)
{
	if (!st->in_tx)
		return 0;
	if (seen_flush(st) == -1 || run(st, ST_COMMIT) == -1) {
		batch_abort(st);
		return -1;
	}
	st->in_tx = false;
	st->ep_cached = false;
	st->pending = 0;
	seen_clear(st);
	wal_writeback(st);
	return 0;
}

/* --- one observation --- */

/* The SANs as a JSON array of strings: ["DNS:a.example","IP:192.0.2.1"]. */
static char *
sans_json(const struct cert_record *c)
{
	size_t cap = 3;
	char *out, *p;

	for (size_t i = 0; i < c->nsans; i++)
		cap += strlen(c->sans[i]) * 6 + 3;
	p = out = xmalloc(cap);
	*p++ = '[';
	for (size_t i = 0; i < c->nsans; i++) {
		if (i > 0)
			*p++ = ',';
		*p++ = '"';
		for (const unsigned char *s = (const unsigned char *)c->sans[i];
		    *s != '\0'; s++) {
			if (*s == '"' || *s == '\\') {
				*p++ = '\\';
				*p++ = (char)*s;
			} else if (*s < 0x20) {
				snprintf(p, 7, "\\u%04x", *s);
				p += 6;
			} else
				*p++ = (char)*s;
		}
		*p++ = '"';
	}
	*p++ = ']';
	*p = '\0';
	return out;
}

static void
bind_cert(sqlite3_stmt *s, const struct cert_record *c, const char *sha,
    const char *spki, const char *sans, int64_t when)
{
	sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
	if (c->der != NULL)
		sqlite3_bind_blob(s, 2, c->der, (int)c->der_len, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 2);
	bind_opt(s, 3, c->subject);
	bind_opt(s, 4, c->issuer);
	bind_opt(s, 5, c->serial);
	sqlite3_bind_int64(s, 6, c->not_before);
	sqlite3_bind_int64(s, 7, c->not_after);
	bind_opt(s, 8, c->key_type);
	sqlite3_bind_int(s, 9, c->key_bits);
	bind_opt(s, 10, c->curve);
	bind_opt(s, 11, c->sig_alg);
	sqlite3_bind_text(s, 12, sans, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 13, c->is_ca);
	sqlite3_bind_int(s, 14, c->self_signed);
	sqlite3_bind_text(s, 15, spki, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 16, c->version);
	sqlite3_bind_int(s, 17, c->has_basic_constraints);
	if (c->path_len >= 0)
		sqlite3_bind_int(s, 18, c->path_len);
	else
		sqlite3_bind_null(s, 18);
	if (c->key_usage != UINT32_MAX)
		sqlite3_bind_int64(s, 19, c->key_usage);
	else
		sqlite3_bind_null(s, 19);
	bind_opt(s, 20, c->eku);
	bind_opt(s, 21, c->ocsp_urls);
	bind_opt(s, 22, c->ca_issuers);
	bind_opt(s, 23, c->crl_urls);
	sqlite3_bind_int(s, 24, c->sct_count);
	bind_opt(s, 25, c->ski);
	bind_opt(s, 26, c->aki);
	sqlite3_bind_int64(s, 27, when);
}

/*
 * Once per batch and certificate (the seen set skips the rest).  Like
 * endpoints, the previous certificate says what to try first: after one
 * that was new, the upsert with the whole row; after one that existed,
 * the UPDATE of its times (ST_CERT_AGAIN), which needs neither the row's
 * 27 values nor its SANs as JSON, and the upsert only when it found none.
 */
static int
put_cert(struct store *st, const struct cert_record *c, int64_t when)
{
	char sha[2 * CERT_SHA256_LEN + 1], spki[2 * CERT_SHA256_LEN + 1];
	char *sans;
	struct seen *e;
	bool found;
	int rc;

	e = seen_find(st, c->sha256, &found);
	if (found && when >= e->written) {
		if (when > e->latest)
			e->latest = when;
		return 0;
	}
	cert_hex(c->sha256, CERT_SHA256_LEN, sha);
	if (!st->cert_was_new) {
		sqlite3_bind_text(st->stmt[ST_CERT_AGAIN], 1, sha, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st->stmt[ST_CERT_AGAIN], 2, when);
		if (run(st, ST_CERT_AGAIN) == -1)
			return -1;
		if (sqlite3_changes(st->db) > 0)
			goto seen;
	}
	cert_hex(c->spki_sha256, CERT_SHA256_LEN, spki);
	sans = sans_json(c);
	bind_cert(st->stmt[ST_CERT], c, sha, spki, sans, when);
	sqlite3_set_last_insert_rowid(st->db, 0);
	rc = run(st, ST_CERT);
	free(sans);
	if (rc == -1)
		return -1;
	/* No rowid: the upsert updated a row after all. */
	st->cert_was_new = sqlite3_last_insert_rowid(st->db) != 0;
 seen:
	if (e != NULL && !found && st->nseen < SEEN_MAX) {
		memcpy(e->sha256, c->sha256, CERT_SHA256_LEN);
		e->written = e->latest = when;
		e->used = true;
		st->nseen++;
	}
	return 0;
}

/* country, city, asn, as_org at i .. i + 3; NULL when unknown. */
static void
bind_geo(sqlite3_stmt *s, int i, const struct observation *o)
{
	bind_opt(s, i, o->geo.country_iso);
	bind_opt(s, i + 1, o->geo.city);
	if (o->geo.asn != 0)
		sqlite3_bind_int64(s, i + 2, o->geo.asn);
	else
		sqlite3_bind_null(s, i + 2);
	bind_opt(s, i + 3, o->geo.as_org);
}

/* The leaf an observation brings to its endpoint's row, in hex. */
struct leaf {
	bool		 has;		/* ok, with a chain */
	char		 sha[2 * CERT_SHA256_LEN + 1];
	char		 spki[2 * CERT_SHA256_LEN + 1];
};

static void
leaf_of(const struct observation *o, struct leaf *lf)
{
	lf->has = o->status == SCAN_OK && o->chain_len > 0;
	if (lf->has) {
		cert_hex(o->chain[0].sha256, CERT_SHA256_LEN, lf->sha);
		cert_hex(o->chain[0].spki_sha256, CERT_SHA256_LEN, lf->spki);
	}
}

static int
ep_find(struct store *st, const char *ip, uint16_t port, const char *sni,
    const char *proto, struct ep_row *r)
{
	sqlite3_stmt *s = st->stmt[ST_EP_FIND];
	const unsigned char *v;
	size_t n;
	int rc;

	memset(r, 0, sizeof(*r));
	sqlite3_bind_text(s, 1, ip, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, port);
	sqlite3_bind_text(s, 3, sni, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, proto, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r->id = sqlite3_column_int64(s, 0);
		v = sqlite3_column_text(s, 2);
		n = (size_t)sqlite3_column_bytes(s, 2);
		if (sqlite3_column_type(s, 1) != SQLITE_NULL && v != NULL &&
		    n < sizeof(r->leaf)) {
			r->has_leaf = true;
			r->leaf_scan = sqlite3_column_int64(s, 1);
			memcpy(r->leaf, v, n + 1);
		}
		rc = SQLITE_DONE;
	}
	if (rc != SQLITE_DONE)
		store_fail(st, rc);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Copies s into dst[size]; false when it does not fit. */
static bool
copy_fits(char *dst, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n >= size)
		return false;
	memcpy(dst, s, n + 1);
	return true;
}

/* Whether k is the endpoint; with set, makes it so (false when a string
 * does not fit, and then k is not to be used). */
static bool
ep_key_is(struct ep_key *k, bool set, const char *ip, uint16_t port,
    const char *sni, const char *proto)
{
	if (set) {
		k->port = port;
		return copy_fits(k->ip, sizeof(k->ip), ip) &&
		    copy_fits(k->sni, sizeof(k->sni), sni) &&
		    copy_fits(k->proto, sizeof(k->proto), proto);
	}
	return k->port == port && strcmp(k->ip, ip) == 0 &&
	    strcmp(k->sni, sni) == 0 && strcmp(k->proto, proto) == 0;
}

/* Binds ST_EP_INSERT for o. */
static void
bind_ep_insert(sqlite3_stmt *s, const struct observation *o,
    const char *proto, int64_t scan_id, const struct leaf *lf)
{
	sqlite3_bind_text(s, 1, o->ip, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, o->port);
	bind_opt(s, 3, o->hostname);
	sqlite3_bind_text(s, 4, o->sni, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, proto, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, o->time);
	bind_geo(s, 7, o);
	if (lf->has) {
		sqlite3_bind_int64(s, 11, scan_id);
		sqlite3_bind_text(s, 12, lf->sha, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 13, lf->spki, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(s, 11);
		sqlite3_bind_null(s, 12);
		sqlite3_bind_null(s, 13);
	}
}

/*
 * The row's latest leaf moves to o's when o has one and its scan is not
 * older: within a scan, rows are written in id order, so the leaf is the
 * latest by (scan, id), as ST_PREV_LEAF and STORE_LEAF_FILL order them.
 */
static int
touch_endpoint(struct store *st, int64_t scan_id, const struct observation *o,
    const struct ep_row *r, const struct leaf *lf)
{
	sqlite3_stmt *s = st->stmt[ST_EP_TOUCH];
	bool newer = lf->has && (!r->has_leaf || scan_id >= r->leaf_scan);

	sqlite3_bind_int64(s, 1, r->id);
	bind_opt(s, 2, o->hostname);
	sqlite3_bind_int64(s, 3, o->time);
	bind_geo(s, 4, o);
	if (newer)
		sqlite3_bind_int64(s, 8, scan_id);
	else
		sqlite3_bind_null(s, 8);
	if (run(st, ST_EP_TOUCH) == -1)
		return -1;
	if (!newer || (r->has_leaf && strcmp(r->leaf, lf->sha) == 0))
		return 0;
	s = st->stmt[ST_EP_LEAF];
	sqlite3_bind_int64(s, 1, r->id);
	sqlite3_bind_text(s, 2, lf->sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, lf->spki, -1, SQLITE_STATIC);
	return run(st, ST_EP_LEAF);
}

/*
 * *existed: the row was there before (touched, not inserted).
 *
 * Whether the previous observation's endpoint was new says what to try
 * first.  In a first sweep every endpoint is, and the INSERT alone does it;
 * one met before makes it fail on UNIQUE, before it writes anything, and
 * is then found and touched.  In later sweeps endpoints exist, and the
 * lookup comes first.
 */
static int
put_endpoint(struct store *st, int64_t scan_id, const struct observation *o,
    int64_t *id, bool *existed)
{
	const char *proto = o->protocol != NULL ? o->protocol : "tls";
	struct ep_row r;
	struct leaf lf;
	int rc;

	*id = 0;
	*existed = false;
	leaf_of(o, &lf);
	if (st->ep_was_new) {
		bind_ep_insert(st->stmt[ST_EP_INSERT], o, proto, scan_id, &lf);
		if ((rc = step(st, ST_EP_INSERT)) == SQLITE_DONE) {
			*id = sqlite3_last_insert_rowid(st->db);
			return 0;
		}
		if (rc != SQLITE_CONSTRAINT_UNIQUE) {
			store_fail(st, rc & 0xff);
			return -1;
		}
	}
	if (st->ep_cached && ep_key_is(&st->ep_key, false, o->ip, o->port,
	    o->sni, proto))
		r = st->ep_row;
	else if (ep_find(st, o->ip, o->port, o->sni, proto, &r) == -1)
		return -1;
	st->ep_cached = false;
	st->ep_was_new = r.id == 0;
	if (r.id != 0) {
		*id = r.id;
		*existed = true;
		return touch_endpoint(st, scan_id, o, &r, &lf);
	}
	bind_ep_insert(st->stmt[ST_EP_INSERT], o, proto, scan_id, &lf);
	if (run(st, ST_EP_INSERT) == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

/* OCSP status and times at i, i + 1, i + 2; NULL when none was judged. */
static void
bind_ocsp(sqlite3_stmt *s, int i, const struct observation *o)
{
	if (o->ocsp_status[0] == '\0') {
		sqlite3_bind_null(s, i);
		sqlite3_bind_null(s, i + 1);
		sqlite3_bind_null(s, i + 2);
		return;
	}
	sqlite3_bind_text(s, i, o->ocsp_status, -1, SQLITE_STATIC);
	if (o->ocsp_this_update != 0)
		sqlite3_bind_int64(s, i + 1, o->ocsp_this_update);
	else
		sqlite3_bind_null(s, i + 1);
	if (o->ocsp_next_update != 0)
		sqlite3_bind_int64(s, i + 2, o->ocsp_next_update);
	else
		sqlite3_bind_null(s, i + 2);
}

static int
put_obs(struct store *st, int64_t scan_id, int64_t endpoint,
    const struct observation *o, int64_t *id)
{
	sqlite3_stmt *s = st->stmt[ST_OBS];
	bool ok = o->status == SCAN_OK;

	sqlite3_bind_int64(s, 1, scan_id);
	sqlite3_bind_int64(s, 2, endpoint);
	sqlite3_bind_text(s, 3, o->source == OBS_PASSIVE ? "passive" :
	    "active", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, o->time);
	/* An unknown status binds NULL and fails the NOT NULL constraint. */
	bind_opt(s, 5, scan_status_name(o->status));
	bind_opt(s, 6, o->reason);
	bind_opt(s, 7, o->version);
	bind_opt(s, 8, o->cipher);
	bind_opt(s, 9, o->group);
	bind_opt(s, 10, o->alpn);
	if (ok) {
		sqlite3_bind_double(s, 11, o->handshake_ms);
		sqlite3_bind_int64(s, 12, o->verify_code);
	} else {
		sqlite3_bind_null(s, 11);
		sqlite3_bind_null(s, 12);
	}
	bind_opt(s, 13, o->verify_reason);
	bind_ocsp(s, 14, o);
	bind_opt(s, 17, o->ja3[0] != '\0' ? o->ja3 : NULL);
	bind_opt(s, 18, o->ja3s[0] != '\0' ? o->ja3s : NULL);
	bind_opt(s, 19, o->ja4[0] != '\0' ? o->ja4 : NULL);
	bind_opt(s, 20, o->jarm[0] != '\0' ? o->jarm : NULL);
	if (run(st, ST_OBS) == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

static int
put_links(struct store *st, int64_t obs_id, const struct observation *o)
{
	sqlite3_stmt *s = st->stmt[ST_LINK];
	char sha[2 * CERT_SHA256_LEN + 1];

	for (size_t i = 0; i < o->chain_len; i++) {
		cert_hex(o->chain[i].sha256, CERT_SHA256_LEN, sha);
		sqlite3_bind_int64(s, 1, obs_id);
		sqlite3_bind_int64(s, 2, (int64_t)i);
		sqlite3_bind_text(s, 3, sha, -1, SQLITE_STATIC);
		if (run(st, ST_LINK) == -1)
			return -1;
	}
	return 0;
}

/* One finding's values at the places of ST_FINDING, ST_FINDING_NEW and
 * ST_FINDING_AGAIN. */
static void
bind_finding(sqlite3_stmt *s, int64_t scan_id, int64_t endpoint,
    const struct observation *o, const struct finding *f, const char *sha)
{
	bind_opt(s, 1, f->rule);
	bind_opt(s, 2, severity_name(f->severity));
	sqlite3_bind_int64(s, 3, endpoint);
	if (sha != NULL)
		sqlite3_bind_text(s, 4, sha, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 4);
	sqlite3_bind_int(s, 5, f->depth);
	bind_opt(s, 6, f->detail);
	sqlite3_bind_int64(s, 7, o->time);
	sqlite3_bind_int64(s, 8, scan_id);
}

/* again: the endpoint existed before this observation, so its findings
 * may too (a new endpoint's are inserted). */
static int
put_findings(struct store *st, int64_t scan_id, int64_t endpoint,
    bool again, const struct observation *o)
{
	char buf[2 * CERT_SHA256_LEN + 1], *sha;
	int rc;

	for (size_t i = 0; i < o->nfindings; i++) {
		const struct finding *f = &o->findings[i];

		sha = NULL;
		if (f->depth >= 0 && (size_t)f->depth < o->chain_len) {
			cert_hex(o->chain[f->depth].sha256, CERT_SHA256_LEN,
			    buf);
			sha = buf;
		}
		if (again) {
			bind_finding(st->stmt[ST_FINDING_AGAIN], scan_id,
			    endpoint, o, f, sha);
			if (run(st, ST_FINDING_AGAIN) == -1)
				return -1;
			if (sqlite3_changes(st->db) > 0)
				continue;
		} else {
			bind_finding(st->stmt[ST_FINDING_NEW], scan_id,
			    endpoint, o, f, sha);
			if ((rc = step(st, ST_FINDING_NEW)) == SQLITE_DONE)
				continue;
			if (rc != SQLITE_CONSTRAINT_UNIQUE) {
				store_fail(st, rc & 0xff);
				return -1;
			}
		}
		bind_finding(st->stmt[ST_FINDING], scan_id, endpoint, o, f,
		    sha);
		if (run(st, ST_FINDING) == -1)
			return -1;
	}
	return 0;
}

int
store_add_observation(struct store *st, int64_t scan_id,
    const struct observation *o)
{
	int64_t endpoint = 0, obs_id = 0;
	bool existed;
	int rc;

	if (batch_begin(st) == -1)
		return -1;
	if (put_endpoint(st, scan_id, o, &endpoint, &existed) == -1)
		goto fail;
	for (size_t i = 0; i < o->chain_len; i++)
		if (put_cert(st, &o->chain[i], o->time) == -1)
			goto fail;
	if (put_obs(st, scan_id, endpoint, o, &obs_id) == -1 ||
	    put_links(st, obs_id, o) == -1 ||
	    put_findings(st, scan_id, endpoint, existed, o) == -1)
		goto fail;
	if (o->tlsenum != NULL && (rc = store_enum_add(st->db, obs_id,
	    o->tlsenum)) != SQLITE_OK) {
		store_fail(st, rc);
		goto fail;
	}
	fresh_add(st, scan_id, o);
	if (++st->pending >= STORE_BATCH ||
	    time(NULL) - st->batch_started >= STORE_BATCH_SECONDS)
		return store_flush(st);
	return 0;
 fail:
	batch_abort(st);
	return -1;
}

/* --- sweeps --- */

int
store_scan_begin(struct store *st, const char *kind, const char *args,
    int64_t started, int64_t *scan_id)
{
	sqlite3_stmt *s = st->stmt[ST_SCAN_BEGIN];

	if (batch_begin(st) == -1)
		return -1;
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, started);
	bind_opt(s, 3, args);
	if (run(st, ST_SCAN_BEGIN) == -1) {
		batch_abort(st);
		return -1;
	}
	*scan_id = sqlite3_last_insert_rowid(st->db);
	if (fresh_start(st) == -1) {
		batch_abort(st);
		return -1;
	}
	/* Committed at once, so readers see the sweep running. */
	return store_flush(st);
}

int
store_scan_end(struct store *st, int64_t scan_id, int64_t finished,
    uint64_t endpoints, uint64_t ok)
{
	sqlite3_stmt *s = st->stmt[ST_SCAN_END];

	if (store_flush(st) == -1 || batch_begin(st) == -1)
		return -1;
	sqlite3_bind_int64(s, 1, scan_id);
	sqlite3_bind_int64(s, 2, finished);
	sqlite3_bind_int64(s, 3, (int64_t)endpoints);
	sqlite3_bind_int64(s, 4, (int64_t)ok);
	if (run(st, ST_SCAN_END) == -1)
		goto fail;
	if (sqlite3_changes(st->db) != 1) {
		snprintf(st->err, sizeof(st->err), "database %s: no scan %lld "
		    "to end (a certsweep bug, please report it)", st->path,
		    (long long)scan_id);
		goto fail;
	}
	s = st->stmt[ST_RESOLVE];
	sqlite3_bind_int64(s, 1, scan_id);
	sqlite3_bind_int64(s, 2, finished);
	if (run(st, ST_RESOLVE) == -1)
		goto fail;
	return store_flush(st);
 fail:
	batch_abort(st);
	return -1;
}

/* --- queries for the analysis and the reports --- */

int
store_prev_leaf(struct store *st, const char *ip, uint16_t port,
    const char *sni, const char *protocol, int64_t before_scan_id,
    char out_sha256_hex[65])
{
	sqlite3_stmt *s = st->stmt[ST_PREV_LEAF];
	int64_t best_scan = 0, best_id = 0, scan, id;
	const unsigned char *v;
	struct ep_row r;
	int rc, found = 0;

	/* Every link is ours and none is of an earlier scan. */
	if ((rc = fresh_now(st)) == -1)
		return -1;
	if (rc == 1 && before_scan_id <= st->min_link_scan)
		return 0;
	/* The row's latest leaf, unless it is of this sweep or a later one. */
	sni = sni != NULL ? sni : "";
	protocol = protocol != NULL ? protocol : "tls";
	if (ep_find(st, ip, port, sni, protocol, &r) == -1)
		return -1;
	st->ep_cached = st->in_tx && ep_key_is(&st->ep_key, true, ip, port,
	    sni, protocol);
	st->ep_row = r;
	if (!r.has_leaf)
		return 0;
	if (r.leaf_scan < before_scan_id) {
		memcpy(out_sha256_hex, r.leaf, sizeof(r.leaf));
		return 1;
	}
	sqlite3_bind_text(s, 1, ip, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, port);
	sqlite3_bind_text(s, 3, sni, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, protocol, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, before_scan_id);
	/* The latest: the highest scan, then the highest id in it. */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		scan = sqlite3_column_int64(s, 0);
		id = sqlite3_column_int64(s, 1);
		if (found && (scan < best_scan || (scan == best_scan &&
		    id < best_id)))
			continue;
		best_scan = scan;
		best_id = id;
		v = sqlite3_column_text(s, 2);
		snprintf(out_sha256_hex, 65, "%s", v != NULL ?
		    (const char *)v : "");
		found = 1;
	}
	if (rc != SQLITE_DONE) {
		store_fail(st, rc);
		found = -1;
	}
	sqlite3_reset(s);
	return found;
}

/*
 * The set's key of lower-case hex spki_hex: its first 16 digits, as
 * key_of() takes them from the bytes; 0 when they are not 16 such digits
 * (then SQL answers).  The rest needs no look: every leaf's key is in the
 * set, so a string whose first digits make no key there equals no leaf's
 * 64 lower-case digits, valid or not.
 */
static uint64_t
key_of_hex(const char *hex_in)
{
	uint8_t b[sizeof(uint64_t)];
	int hi, lo;

	for (size_t i = 0; i < sizeof(uint64_t); i++) {
		hi = hexval(hex_in[2 * i]);
		if (hi < 0 || (lo = hexval(hex_in[2 * i + 1])) < 0)
			return 0;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	return key_of(b);
}

int
store_spki_endpoints(struct store *st, const char *spki_hex, int64_t *count)
{
	uint64_t k;
	int rc;

	*count = 0;
	/* No leaf written since the database had none has this key. */
	if ((rc = fresh_now(st)) == -1)
		return -1;
	if (rc == 1 && (k = key_of_hex(spki_hex)) != 0 && !keys_has(st, k))
		return 0;
	sqlite3_bind_text(st->stmt[ST_SPKI], 1, spki_hex, -1, SQLITE_STATIC);
	return run_int(st, ST_SPKI, count);
}

int
store_last_scans(struct store *st, int64_t *a, int64_t *b)
{
	sqlite3_stmt *s = st->stmt[ST_LAST_SCANS];
	int64_t ids[2] = { 0, 0 };
	int rc, n = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < 2)
		ids[n++] = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_fail(st, rc);
		return -1;
	}
	/* Rows come newest first. */
	*b = ids[0];
	*a = ids[1];
	return 0;
}

/* --- open and close --- */

/*
 * Creates a missing file with mode 0600 ourselves (SQLite would follow the
 * umask), and refuses an existing file that does not start like SQLite, so
 * that nothing, not even a journal-mode change, can touch it.
 */
static int
open_file(struct store *st)
{
	static const char magic[16] = "SQLite format 3";
	char hdr[sizeof(magic)];
	struct stat sb;
	ssize_t n;
	int fd;

	fd = open(st->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd != -1) {
		close(fd);
		return 0;
	}
	if (errno != EEXIST)
		goto cantopen;
	if ((fd = open(st->path, O_RDONLY | O_CLOEXEC)) == -1)
		goto cantopen;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		snprintf(st->err, sizeof(st->err), "database %s is not a "
		    "regular file; give another --db PATH", st->path);
		return -1;
	}
	n = read(fd, hdr, sizeof(hdr));
	close(fd);
	if (n != 0 && (n != (ssize_t)sizeof(hdr) ||
	    memcmp(hdr, magic, sizeof(magic)) != 0)) {
		snprintf(st->err, sizeof(st->err), "database %s is not an "
		    "SQLite database; certsweep left it untouched: give another "
		    "--db PATH", st->path);
		return -1;
	}
	return 0;
 cantopen:
	snprintf(st->err, sizeof(st->err), "cannot open database %s: %s "
	    "(check the directory exists and is writable, or use --db PATH)",
	    st->path, strerror(errno));
	return -1;
}

static int
open_db(struct store *st)
{
	bool memory = strcmp(st->path, ":memory:") == 0;
	int64_t pages = -1;
	int rc, flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	if (!memory && open_file(st) == -1)
		return -1;
	if (memory)
		flags |= SQLITE_OPEN_CREATE;
	if ((rc = sqlite3_open_v2(st->path, &st->db, flags, NULL)) !=
	    SQLITE_OK) {
		store_fail(st, rc);
		return -1;
	}
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	/* Reads only, before anything may write. */
	if (store_schema_check(st->db, st->path, st->err,
	    sizeof(st->err)) == -1)
		return -1;
	if (sqlite3_db_readonly(st->db, "main") == 1) {
		store_fail(st, SQLITE_READONLY);
		return -1;
	}
	/*
	 * A new file gets 8 KiB pages: a sweep writes as many bytes as with
	 * SQLite's 4 KiB, in half the pwrite and pread calls (each WAL frame
	 * is two writes, and the checkpoint reads each frame back), and its
	 * B-trees split half as often.  16 KiB wrote three times the bytes
	 * in a repeat sweep.  A file's page size is fixed at creation.
	 *
	 * secure_delete OFF (SQLite's default; Debian builds it ON): the
	 * inventory holds public facts only, so zeroing the space a rewritten
	 * row leaves, and every new page a second time, buys nothing.
	 *
	 * An empty file is created without waiting for the disk: switching
	 * it to WAL runs in rollback mode with synchronous FULL (four
	 * fdatasyncs for its first page), and the first WAL frame syncs the
	 * new WAL's header and directory.  Collected data loses nothing by
	 * it: NORMAL syncs no commit before the first checkpoint either, and
	 * that one syncs the WAL, its directory and the database file,
	 * creation included.  Before it, a power cut can leave what it could
	 * before, or an empty file or one without tables, which the next
	 * open creates again.
	 */
	if ((rc = store_query_int(st->db, "PRAGMA page_count", &pages)) !=
	    SQLITE_OK ||
	    (pages == 0 && (rc = sqlite3_exec(st->db, "PRAGMA page_size = "
	    "8192; PRAGMA synchronous = OFF", NULL, NULL, NULL)) !=
	    SQLITE_OK) ||
	    (rc = sqlite3_exec(st->db, "PRAGMA journal_mode = WAL; "
	    "PRAGMA foreign_keys = ON; PRAGMA cache_size = -8192; "
	    "PRAGMA secure_delete = OFF;", NULL, NULL, NULL)) != SQLITE_OK) {
		store_fail(st, rc);
		return -1;
	}
	if (store_migrate(st->db, st->path, st->err, sizeof(st->err)) == -1)
		return -1;
	if ((rc = sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL", NULL,
	    NULL, NULL)) != SQLITE_OK) {
		store_fail(st, rc);
		return -1;
	}
	return 0;
}

static int
prepare_all(struct store *st)
{
	int rc;

	for (int i = 0; i < ST__MAX; i++) {
		rc = sqlite3_prepare_v3(st->db, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL);
		if (rc != SQLITE_OK) {
			store_fail(st, rc);
			return -1;
		}
	}
	return 0;
}

static void
store_free(struct store *st)
{
	for (int i = 0; i < ST__MAX; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close_v2(st->db);
	if (st->wal_fd != -1)
		close(st->wal_fd);
	free(st->seen);
	free(st->keys);
	free(st->path);
	free(st);
}

void
store_library_init(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int
store_open(struct store **sp, const char *path, char *errbuf, size_t errlen)
{
	struct store *st;

	*sp = NULL;
	st = xcalloc(1, sizeof(*st));
	st->wal_fd = -1;
	st->path = xstrdup(path);
	st->seen = xcalloc(SEEN_SLOTS, sizeof(*st->seen));
	if (open_db(st) == -1 || prepare_all(st) == -1) {
		snprintf(errbuf, errlen, "%s", st->err);
		store_free(st);
		return -1;
	}
	*sp = st;
	return 0;
}

int
store_close(struct store *st)
{
	int rc;

	if (st == NULL)
		return 0;
	rc = store_flush(st);
	store_free(st);
	return rc;
}
