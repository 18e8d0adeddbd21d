/*
 * query.c: the read side of the store (query.h).  Opens the database
 * read-only, checks it is a certsweep database this build understands
 * (store_schema_check(), which reads only), and builds inventory views.
 *
 * A view is built in four passes, each one prepared statement: the
 * endpoints (latest observation and latest "ok" observation each, by
 * correlated max(id) subqueries on observations_endpoint), their chains
 * (chain_links by observation), the distinct certificates of those chains
 * (one lookup each, by primary key), then the findings filtered to the
 * endpoints of the view.  Rows are then ordered for people: endpoints by
 * address (numerically) and port, certificates by expiry, findings by
 * severity.
 */
#include "db/query.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "db/store_internal.h"
#include "scanner/xmem.h"

#define BUSY_TIMEOUT_MS	5000

enum q_stmt {
	Q_ENDPOINTS,
	Q_CHAIN,
	Q_CERT,
	Q_FINDINGS,
	Q_SCANS,
	Q_LAST_SCANS,
	Q__MAX
};

static const char *const q_sql[] = {
	/* ?1 the last sweep of the view (INT64_MAX: all), ?2 1 when the
	 * latest observation must be in sweep ?1, ?3 since. */
	[Q_ENDPOINTS] = "SELECT e.id, e.ip, e.port, e.hostname, e.sni, "
	    "e.protocol, e.first_seen, e.last_seen, e.country, e.city, e.asn, "
	    "e.as_org, lo.scan_id, lo.time, lo.status, lo.reason, ok.id, "
	    "ok.scan_id, ok.time, ok.version, ok.cipher, ok.grp, ok.alpn, "
	    "ok.handshake_ms, ok.verify_code, ok.verify_reason "
	    "FROM endpoints e "
	    "JOIN observations lo ON lo.id = (SELECT max(o.id) FROM "
	    "observations o WHERE o.endpoint_id = e.id AND o.scan_id <= ?1) "
	    "JOIN observations ok ON ok.id = (SELECT max(o.id) FROM "
	    "observations o WHERE o.endpoint_id = e.id AND o.status = 'ok' "
	    "AND o.scan_id <= ?1) "
	    "WHERE (?2 = 0 OR lo.scan_id = ?1) AND lo.time >= ?3",
	[Q_CHAIN] = "SELECT cert_sha256 FROM chain_links "
	    "WHERE observation_id = ?1 ORDER BY depth",
	[Q_CERT] = "SELECT spki_sha256, subject, issuer, serial, not_before, "
	    "not_after, key_type, key_bits, curve, sig_alg, eku, sans, is_ca, "
	    "self_signed, first_seen, last_seen FROM certificates "
	    "WHERE sha256 = ?1",
	/* ?1 0 for every finding, else those sweep ?1 reported: the table
	 * keeps each finding's first and last sweep, not every one between,
	 * so a finding resolved and reported again counts as reported
	 * in the sweeps of the gap. */
	[Q_FINDINGS] = "SELECT f.id, f.rule, f.severity, f.endpoint_id, "
	    "f.cert_sha256, c.subject, f.depth, f.detail, f.first_seen, "
	    "f.last_seen, f.state, f.first_scan, f.last_scan, f.resolved_at "
	    "FROM findings f LEFT JOIN certificates c ON c.sha256 = "
	    "f.cert_sha256 WHERE ?1 = 0 OR (f.first_scan <= ?1 AND "
	    "f.last_scan >= ?1) ORDER BY f.id",
	[Q_SCANS] = "SELECT id, kind, started, finished, arguments, endpoints, "
	    "ok FROM scans WHERE (?1 = 0 OR id = ?1) AND "
	    "coalesce(finished, started) >= ?2 ORDER BY id",
	[Q_LAST_SCANS] = "SELECT id FROM scans WHERE finished IS NOT NULL "
	    "ORDER BY finished DESC, id DESC LIMIT 2",
};
_Static_assert(sizeof(q_sql) / sizeof(q_sql[0]) == Q__MAX,
    "every statement has its SQL");

struct query {
	sqlite3		*db;
	char		*path;
	sqlite3_stmt	*stmt[Q__MAX];
	bool		 has_findings;	/* schema 2 and later */
	char		 err[512];
};

/* A chain link met while loading: which endpoint, which certificate. */
struct link {
	size_t		 ep;
	size_t		 cert;
	char		 sha[INV_HEX_LEN];
};

/* For lookups by key: sorted arrays of (key, index). */
struct by_id {
	int64_t		 id;
	size_t		 idx;
};
struct by_sha {
	const char	*sha;
	size_t		 idx;
};

static void
q_fail(struct query *q, int rc)
{
	store_sqlite_err(q->db, rc, q->path, q->err, sizeof(q->err));
}

const char *
query_errmsg(const struct query *q)
{
	return q->err;
}

/* Column text as a new string, NULL for SQL NULL. */
static char *
col_str(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	return v != NULL ? xstrdup((const char *)v) : NULL;
}

/* Column text into a fixed buffer ("" for NULL). */
static void
col_buf(sqlite3_stmt *s, int i, char *out, size_t len)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	snprintf(out, len, "%s", v != NULL ? (const char *)v : "");
}

/* Grows *arr (of *cap elements of size sz) to hold n + 1. */
static void *
grow(void *arr, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return arr;
	*cap = *cap == 0 ? 16 : *cap * 2;
	return xreallocarray(arr, *cap, sz);
}

/* --- sweeps --- */

static void
read_scan(sqlite3_stmt *s, struct inv_scan *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->id = sqlite3_column_int64(s, 0);
	sc->kind = col_str(s, 1);
	sc->started = sqlite3_column_int64(s, 2);
	sc->finished = sqlite3_column_int64(s, 3);
	sc->arguments = col_str(s, 4);
	sc->endpoints = sqlite3_column_type(s, 5) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(s, 5);
	sc->ok = sqlite3_column_type(s, 6) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(s, 6);
}

static int
load_scans(struct query *q, int64_t scan_id, int64_t since,
    struct inventory *inv)
{
	sqlite3_stmt *s = q->stmt[Q_SCANS];
	size_t cap = 0;
	int rc;

	sqlite3_bind_int64(s, 1, scan_id);
	sqlite3_bind_int64(s, 2, since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		inv->scans = grow(inv->scans, &cap, inv->nscans,
		    sizeof(*inv->scans));
		read_scan(s, &inv->scans[inv->nscans++]);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		q_fail(q, rc);
		return -1;
	}
	return 0;
}

int
query_scan(struct query *q, int64_t id, struct inv_scan *out)
{
	sqlite3_stmt *s = q->stmt[Q_SCANS];
	int rc, found = 0;

	if (id <= 0)
		return 0;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, INT64_MIN);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		read_scan(s, out);
		found = 1;
	} else if (rc != SQLITE_DONE) {
		q_fail(q, rc);
		found = -1;
	}
	sqlite3_reset(s);
	return found;
}

int
query_last_scans(struct query *q, int64_t *a, int64_t *b)
{
	sqlite3_stmt *s = q->stmt[Q_LAST_SCANS];
	int64_t ids[2] = { 0, 0 };
	int rc, n = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (n < 2)
			ids[n++] = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		q_fail(q, rc);
		return -1;
	}
	*b = ids[0];	/* newest first */
	*a = ids[1];
	return 0;
}

/* --- endpoints --- */

static void
read_endpoint(sqlite3_stmt *s, struct inv_endpoint *e, int64_t *ok_obs)
{
	memset(e, 0, sizeof(*e));
	e->id = sqlite3_column_int64(s, 0);
	e->ip = col_str(s, 1);
	e->port = sqlite3_column_int(s, 2);
	e->hostname = col_str(s, 3);
	e->sni = col_str(s, 4);
	e->protocol = col_str(s, 5);
	e->first_seen = sqlite3_column_int64(s, 6);
	e->last_seen = sqlite3_column_int64(s, 7);
	e->country = col_str(s, 8);
	e->city = col_str(s, 9);
	e->asn = sqlite3_column_int64(s, 10);
	e->as_org = col_str(s, 11);
	e->scan_id = sqlite3_column_int64(s, 12);
	e->time = sqlite3_column_int64(s, 13);
	e->status = col_str(s, 14);
	e->reason = col_str(s, 15);
	*ok_obs = sqlite3_column_int64(s, 16);
	e->ok_scan_id = sqlite3_column_int64(s, 17);
	e->ok_time = sqlite3_column_int64(s, 18);
	e->version = col_str(s, 19);
	e->cipher = col_str(s, 20);
	e->group = col_str(s, 21);
	e->alpn = col_str(s, 22);
	e->handshake_ms = sqlite3_column_double(s, 23);
	e->verify_code = sqlite3_column_int64(s, 24);
	e->verify_reason = col_str(s, 25);
	e->worst = -1;
	if (e->sni == NULL)
		e->sni = xstrdup("");
}

/* Numeric address order: IPv4 before IPv6, then bytes. */
static void
addr_key(const char *ip, uint8_t key[17])
{
	memset(key, 0, 17);
	if (ip != NULL && inet_pton(AF_INET, ip, key + 1) == 1)
		return;
	key[0] = 1;
	if (ip == NULL || inet_pton(AF_INET6, ip, key + 1) != 1)
		key[0] = 2;	/* not an address: last */
}

static int
cmp_endpoint(const void *pa, const void *pb)
{
	const struct inv_endpoint *a = pa, *b = pb;
	uint8_t ka[17], kb[17];
	int c;

	addr_key(a->ip, ka);
	addr_key(b->ip, kb);
	if ((c = memcmp(ka, kb, sizeof(ka))) != 0)
		return c;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if ((c = strcmp(a->sni, b->sni)) != 0)
		return c;
	if ((c = strcmp(a->protocol != NULL ? a->protocol : "",
	    b->protocol != NULL ? b->protocol : "")) != 0)
		return c;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Endpoints plus, in *ok_obs (parallel, owned by the caller), the id of
 * each one's latest "ok" observation, in address order. */
static int
load_endpoints(struct query *q, int64_t scan_id, int64_t since,
    struct inventory *inv, int64_t **ok_obs)
{
	sqlite3_stmt *s = q->stmt[Q_ENDPOINTS];
	struct inv_endpoint *eps = NULL;
	size_t cap = 0, n = 0;
	int rc;

	sqlite3_bind_int64(s, 1, scan_id != 0 ? scan_id : INT64_MAX);
	sqlite3_bind_int(s, 2, scan_id != 0);
	sqlite3_bind_int64(s, 3, since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t ok = 0;

		eps = grow(eps, &cap, n, sizeof(*eps));
		read_endpoint(s, &eps[n], &ok);
		/* Stash the observation id in the chain length for the sort;
		 * restored below. */
		eps[n].chain_len = (size_t)ok;
		n++;
	}
	sqlite3_reset(s);
	inv->endpoints = eps;
	inv->nendpoints = n;
	if (rc != SQLITE_DONE) {
		q_fail(q, rc);
		return -1;
	}
	if (n > 0)
		qsort(eps, n, sizeof(*eps), cmp_endpoint);
	*ok_obs = xcalloc(n > 0 ? n : 1, sizeof(**ok_obs));
	for (size_t i = 0; i < n; i++) {
		(*ok_obs)[i] = (int64_t)eps[i].chain_len;
		eps[i].chain_len = 0;
	}
	return 0;
}

/* --- chains and certificates --- */

static int
cmp_link_sha(const void *pa, const void *pb)
{
	const struct link *const *a = pa, *const *b = pb;

	return strcmp((*a)->sha, (*b)->sha);
}

static int
cmp_by_sha(const void *pa, const void *pb)
{
	const struct by_sha *a = pa, *b = pb;

	return strcmp(a->sha, b->sha);
}

/* Every link of every endpoint's chain, in endpoint and depth order. */
static int
load_links(struct query *q, struct inventory *inv, const int64_t *ok_obs,
    struct link **links, size_t *nlinks)
{
	sqlite3_stmt *s = q->stmt[Q_CHAIN];
	size_t cap = 0;
	int rc = SQLITE_DONE;

	for (size_t i = 0; i < inv->nendpoints && rc == SQLITE_DONE; i++) {
		sqlite3_bind_int64(s, 1, ok_obs[i]);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW &&
		    inv->endpoints[i].chain_len < CHAIN_MAX) {
			struct link *l;

			*links = grow(*links, &cap, *nlinks, sizeof(**links));
			l = &(*links)[(*nlinks)++];
			l->ep = i;
			l->cert = INV_NONE;
			col_buf(s, 0, l->sha, sizeof(l->sha));
			inv->endpoints[i].chain_len++;
		}
		if (rc == SQLITE_ROW)
			rc = SQLITE_DONE;
		sqlite3_reset(s);
	}
	if (rc != SQLITE_DONE) {
		q_fail(q, rc);
		return -1;
	}
	return 0;
}

/* The SANs column: a JSON array of strings written by the store. */
static void
parse_sans(const char *text, struct inv_cert *c)
{
	json_t *a = text != NULL ? json_loads(text, 0, NULL) : NULL;
	size_t n = json_is_array(a) ? json_array_size(a) : 0;

	c->sans = xcalloc(n > 0 ? n : 1, sizeof(*c->sans));
	for (size_t i = 0; i < n; i++) {
		const char *v = json_string_value(json_array_get(a, i));

		if (v != NULL)
			c->sans[c->nsans++] = xstrdup(v);
	}
	json_decref(a);
}

static int
load_cert(struct query *q, const char *sha, struct inv_cert *c)
{
	sqlite3_stmt *s = q->stmt[Q_CERT];
	const unsigned char *sans;
	int rc;

	memset(c, 0, sizeof(*c));
	snprintf(c->sha256, sizeof(c->sha256), "%s", sha);
	sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		col_buf(s, 0, c->spki_sha256, sizeof(c->spki_sha256));
		c->subject = col_str(s, 1);
		c->issuer = col_str(s, 2);
		c->serial = col_str(s, 3);
		c->not_before = sqlite3_column_int64(s, 4);
		c->not_after = sqlite3_column_int64(s, 5);
		c->key_type = col_str(s, 6);
		c->key_bits = sqlite3_column_int(s, 7);
		c->curve = col_str(s, 8);
		c->sig_alg = col_str(s, 9);
		c->eku = col_str(s, 10);
		sans = sqlite3_column_text(s, 11);
		parse_sans((const char *)sans, c);
		c->is_ca = sqlite3_column_int(s, 12) != 0;
		c->self_signed = sqlite3_column_int(s, 13) != 0;
		c->first_seen = sqlite3_column_int64(s, 14);
		c->last_seen = sqlite3_column_int64(s, 15);
		rc = SQLITE_DONE;
	} else if (rc == SQLITE_DONE)
		c->sans = xcalloc(1, sizeof(*c->sans));	/* dangling link */
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		q_fail(q, rc);
		return -1;
	}
	return 0;
}

/* The distinct certificates of the links, in SHA-256 order; each link
 * gets its certificate's index. */
static int
load_certs(struct query *q, struct inventory *inv, struct link *links,
    size_t nlinks)
{
	struct link **order;
	int rc = 0;

	order = xcalloc(nlinks > 0 ? nlinks : 1, sizeof(*order));
	for (size_t i = 0; i < nlinks; i++)
		order[i] = &links[i];
	qsort(order, nlinks, sizeof(*order), cmp_link_sha);
	inv->certs = xcalloc(nlinks > 0 ? nlinks : 1, sizeof(*inv->certs));
	for (size_t i = 0; i < nlinks && rc == 0; i++) {
		if (i == 0 || strcmp(order[i]->sha, order[i - 1]->sha) != 0) {
			rc = load_cert(q, order[i]->sha,
			    &inv->certs[inv->ncerts]);
			inv->ncerts++;
		}
		order[i]->cert = inv->ncerts - 1;
	}
	free(order);
	return rc;
}

static int
cmp_cert_expiry(const void *pa, const void *pb)
{
	const struct inv_cert *a = pa, *b = pb;

	if (a->not_after != b->not_after)
		return a->not_after < b->not_after ? -1 : 1;
	return strcmp(a->sha256, b->sha256);
}

/*
 * Gives each endpoint its chain (indexes), after ordering the
 * certificates by expiry: they are sorted by SHA-256 now, so the new
 * position of each is found by its hash.
 */
static void
attach_chains(struct inventory *inv, const struct link *links,
    size_t nlinks)
{
	struct by_sha *map;
	size_t *newpos, k = 0;

	map = xcalloc(inv->ncerts + 1, sizeof(*map));
	newpos = xcalloc(inv->ncerts + 1, sizeof(*newpos));
	qsort(inv->certs, inv->ncerts, sizeof(*inv->certs), cmp_cert_expiry);
	for (size_t i = 0; i < inv->ncerts; i++)
		map[i] = (struct by_sha){ inv->certs[i].sha256, i };
	qsort(map, inv->ncerts, sizeof(*map), cmp_by_sha);
	for (size_t i = 0; i < inv->ncerts; i++)
		newpos[i] = map[i].idx;	/* SHA-256 order -> expiry order */
	for (size_t i = 0; i < inv->nendpoints; i++) {
		struct inv_endpoint *e = &inv->endpoints[i];

		e->chain = xcalloc(e->chain_len + 1, sizeof(*e->chain));
		for (size_t d = 0; d < e->chain_len && k < nlinks; d++, k++)
			e->chain[d] = newpos[links[k].cert];
	}
	free(map);
	free(newpos);
}

/* --- findings --- */

static int
cmp_by_id(const void *pa, const void *pb)
{
	const struct by_id *a = pa, *b = pb;

	return a->id < b->id ? -1 : a->id > b->id;
}

static int
cmp_finding(const void *pa, const void *pb)
{
	const struct inv_finding *a = pa, *b = pb;
	int c;

	if (a->open != b->open)
		return a->open ? -1 : 1;
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if ((c = strcmp(a->rule, b->rule)) != 0)
		return c;
	if (a->endpoint != b->endpoint)
		return a->endpoint < b->endpoint ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Row s as a finding of the view, or false when its endpoint is not in
 * the view. */
static bool
read_finding(sqlite3_stmt *s, const struct by_id *eps, size_t neps,
    const struct by_sha *certs, size_t ncerts, bool scan_view,
    struct inv_finding *f)
{
	struct by_id key = { .id = sqlite3_column_int64(s, 3) }, *ep;
	struct by_sha ckey, *c;
	const char *state, *sev;
	int v;

	if ((ep = bsearch(&key, eps, neps, sizeof(*eps), cmp_by_id)) == NULL)
		return false;
	memset(f, 0, sizeof(*f));
	f->id = sqlite3_column_int64(s, 0);
	f->rule = col_str(s, 1);
	if (f->rule == NULL)
		f->rule = xstrdup("");
	sev = (const char *)sqlite3_column_text(s, 2);
	v = sev != NULL ? severity_from_name(sev) : -1;
	f->severity = v >= 0 ? (enum severity)v : SEV_INFO;
	f->endpoint = ep->idx;
	col_buf(s, 4, f->cert_sha256, sizeof(f->cert_sha256));
	ckey.sha = f->cert_sha256;
	c = f->cert_sha256[0] != '\0' ? bsearch(&ckey, certs, ncerts,
	    sizeof(*certs), cmp_by_sha) : NULL;
	f->cert = c != NULL ? c->idx : INV_NONE;
	f->cert_subject = col_str(s, 5);
	f->depth = sqlite3_column_int(s, 6);
	f->detail = col_str(s, 7);
	f->first_seen = sqlite3_column_int64(s, 8);
	f->last_seen = sqlite3_column_int64(s, 9);
	state = (const char *)sqlite3_column_text(s, 10);
	f->open = scan_view || (state != NULL && strcmp(state, "open") == 0);
	f->first_scan = sqlite3_column_int64(s, 11);
	f->last_scan = sqlite3_column_int64(s, 12);
	f->resolved_at = f->open ? 0 : sqlite3_column_int64(s, 13);
	return true;
}

static int
load_findings(struct query *q, int64_t scan_id, struct inventory *inv)
{
	sqlite3_stmt *s = q->stmt[Q_FINDINGS];
	struct by_id *eps;
	struct by_sha *certs;
	size_t cap = 0;
	int rc = SQLITE_DONE;

	if (!q->has_findings)
		return 0;
	eps = xcalloc(inv->nendpoints + 1, sizeof(*eps));
	for (size_t i = 0; i < inv->nendpoints; i++)
		eps[i] = (struct by_id){ inv->endpoints[i].id, i };
	qsort(eps, inv->nendpoints, sizeof(*eps), cmp_by_id);
	certs = xcalloc(inv->ncerts + 1, sizeof(*certs));
	for (size_t i = 0; i < inv->ncerts; i++)
		certs[i] = (struct by_sha){ inv->certs[i].sha256, i };
	qsort(certs, inv->ncerts, sizeof(*certs), cmp_by_sha);
	sqlite3_bind_int64(s, 1, scan_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		inv->findings = grow(inv->findings, &cap, inv->nfindings,
		    sizeof(*inv->findings));
		if (read_finding(s, eps, inv->nendpoints, certs, inv->ncerts,
		    scan_id != 0, &inv->findings[inv->nfindings]))
			inv->nfindings++;
	}
	sqlite3_reset(s);
	free(eps);
	free(certs);
	if (rc != SQLITE_DONE) {
		q_fail(q, rc);
		return -1;
	}
	if (inv->nfindings > 0)
		qsort(inv->findings, inv->nfindings, sizeof(*inv->findings),
		    cmp_finding);
	return 0;
}

int
query_inventory(struct query *q, int64_t scan_id, int64_t since,
    int64_t now, struct inventory *inv)
{
	struct link *links = NULL;
	int64_t *ok_obs = NULL;
	size_t nlinks = 0;
	int rc = -1;

	memset(inv, 0, sizeof(*inv));
	inv->generated = now;
	inv->scan_id = scan_id;
	inv->since = since;
	/* One read transaction: a sweep writing meanwhile cannot tear the
	 * view between the passes. */
	if (sqlite3_exec(q->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		q_fail(q, sqlite3_errcode(q->db));
		return -1;
	}
	if (load_scans(q, scan_id, since, inv) == -1 ||
	    load_endpoints(q, scan_id, since, inv, &ok_obs) == -1 ||
	    load_links(q, inv, ok_obs, &links, &nlinks) == -1 ||
	    load_certs(q, inv, links, nlinks) == -1)
		goto out;
	attach_chains(inv, links, nlinks);
	if (load_findings(q, scan_id, inv) == -1)
		goto out;
	inventory_summarize(inv);
	rc = 0;
 out:
	sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL);
	free(links);
	free(ok_obs);
	if (rc == -1)
		inventory_free(inv);
	return rc;
}

/* --- open and close --- */

static int
user_version(sqlite3 *db, int64_t *v)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s,
	    NULL)) == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*v = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/* Checks done before SQLite sees the file, for messages about reading. */
static int
check_file(struct query *q)
{
	struct stat sb;

	if (stat(q->path, &sb) == -1 || access(q->path, R_OK) == -1) {
		snprintf(q->err, sizeof(q->err), "cannot read database %s: %s "
		    "(run 'certsweep scan' first, or give --db PATH)", q->path,
		    strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(q->err, sizeof(q->err), "database %s is not a regular "
		    "file; give another --db PATH", q->path);
		return -1;
	}
	if (sb.st_size == 0) {
		snprintf(q->err, sizeof(q->err), "database %s is empty: no "
		    "sweep recorded yet (run 'certsweep scan' first)", q->path);
		return -1;
	}
	return 0;
}

static int
open_ro(struct query *q)
{
	int64_t version = 0;
	int rc;

	if (check_file(q) == -1)
		return -1;
	if ((rc = sqlite3_open_v2(q->path, &q->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL)) != SQLITE_OK) {
		q_fail(q, rc);
		return -1;
	}
	sqlite3_busy_timeout(q->db, BUSY_TIMEOUT_MS);
	if (store_schema_check(q->db, q->path, q->err, sizeof(q->err)) == -1)
		return -1;
	if ((rc = user_version(q->db, &version)) != SQLITE_OK) {
		q_fail(q, rc);
		return -1;
	}
	if (version == 0) {
		snprintf(q->err, sizeof(q->err), "database %s holds no "
		    "certsweep data yet (run 'certsweep scan' first)", q->path);
		return -1;
	}
	q->has_findings = version >= 2;
	for (int i = 0; i < Q__MAX; i++) {
		if (i == Q_FINDINGS && !q->has_findings)
			continue;
		if ((rc = sqlite3_prepare_v2(q->db, q_sql[i], -1,
		    &q->stmt[i], NULL)) != SQLITE_OK) {
			q_fail(q, rc);
			return -1;
		}
	}
	return 0;
}

int
query_open(struct query **qp, const char *path, char *err, size_t errlen)
{
	struct query *q;

	*qp = NULL;
	q = xcalloc(1, sizeof(*q));
	q->path = xstrdup(path);
	if (open_ro(q) == -1) {
		snprintf(err, errlen, "%s", q->err);
		query_close(q);
		return -1;
	}
	*qp = q;
	return 0;
}

void
query_close(struct query *q)
{
	if (q == NULL)
		return;
	for (int i = 0; i < Q__MAX; i++)
		sqlite3_finalize(q->stmt[i]);
	sqlite3_close_v2(q->db);
	free(q->path);
	free(q);
}
