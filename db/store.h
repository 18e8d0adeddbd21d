/*
 * store.h: the inventory in SQLite.  One writer per database; prepared
 * statements live as long as the handle; writes are batched into
 * transactions (store_flush() commits the current one).  The schema changes
 * only through db/migrate.c (PRAGMA user_version).
 *
 * Functions return 0 or -1 (store_prev_leaf() also 1).  On -1 the message
 * is in store_errmsg() (it names the database file and what to do),
 * nothing has been logged, and everything committed before stays in the
 * file.
 */
#ifndef CERTSWEEP_STORE_H
#define CERTSWEEP_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "scanner/record.h"

struct store;

/*
 * Process-wide SQLite settings, called once from main() before any thread
 * or database: turns off SQLite's allocation statistics (a global mutex
 * and counters on every malloc; certsweep never reads them).  Harmless to
 * skip; too late (SQLite already in use), it changes nothing.
 */
void	store_library_init(void);

/*
 * Opens (creating it with mode 0600 when missing) and migrates the database
 * at path; ":memory:" works for tests.  On failure *sp is NULL and errbuf
 * says why, e.g. "cannot open database /x/y.db: unable to open database
 * file (check the directory exists and is writable, or use --db PATH)".
 */
int	store_open(struct store **sp, const char *path, char *errbuf,
	    size_t errlen);
/* Commits any open batch and closes.  NULL is a no-op.  Returns -1 when the
 * final commit failed; the message goes with the handle, so call
 * store_flush() (or store_scan_end()) first to be able to print it. */
int	store_close(struct store *);
const char *store_errmsg(const struct store *);

/* Starts a sweep: a row in scans. kind is "active" or "passive". */
int	store_scan_begin(struct store *, const char *kind, const char *args,
	    int64_t started, int64_t *scan_id);
/*
 * Ends a sweep with its counts; commits.  Findings still open on endpoints
 * that answered ("ok") in this sweep but that it did not report again
 * become 'resolved' (resolved_at = finished); endpoints that were not
 * scanned or did not answer keep theirs.
 */
int	store_scan_end(struct store *, int64_t scan_id, int64_t finished,
	    uint64_t endpoints, uint64_t ok);

/*
 * Records one observation of a sweep: upserts the endpoint (first/last seen),
 * every certificate of the chain (deduplicated by SHA-256), the observation,
 * its chain links and its findings (one row per endpoint, rule and
 * certificate over time: reported again, it is reopened if resolved).
 * Commits every STORE_BATCH observations, or with the first observation
 * STORE_BATCH_SECONDS after the batch began (a slow sweep loses at most a
 * few seconds of results to a kill -9).  On -1 the open batch (up to
 * STORE_BATCH - 1 earlier observations) is rolled back.
 */
#define STORE_BATCH	512
#define STORE_BATCH_SECONDS	2
int	store_add_observation(struct store *, int64_t scan_id,
	    const struct observation *);
/* Commits the current batch, if any. */
int	store_flush(struct store *);

/*
 * Queries for the analysis and the reports.  They see the open batch too.
 */

/*
 * The endpoint's leaf (depth 0) in its latest "ok" observation with a
 * chain of a scan before before_scan_id (the highest scan, then the latest
 * row in it), as 64 lower-case hex digits.  sni "" (or NULL) means none
 * sent; protocol NULL means "tls".  Returns 1 when found, 0 when there is
 * none, -1 on error.  One lookup of the endpoint's row, whatever its
 * history, unless this sweep already wrote a leaf for it.
 */
int	store_prev_leaf(struct store *, const char *ip, uint16_t port,
	    const char *sni, const char *protocol, int64_t before_scan_id,
	    char out_sha256_hex[65]);
/* In *count, the number of endpoints whose latest leaf (as above, this
 * sweep's included) has the public key spki_hex (lower-case hex SHA-256 of
 * the SPKI), counted up to 2 only: enough to tell whether another endpoint
 * shares it.  An index seek. */
int	store_spki_endpoints(struct store *, const char *spki_hex,
	    int64_t *count);
/* The last two finished scans: *b the latest, *a the one before it; 0 for
 * each that does not exist. */
int	store_last_scans(struct store *, int64_t *a, int64_t *b);

/*
 * --resume.  A sweep cut short (kill -9, a full disk, Ctrl-C) keeps
 * finished NULL and every batch it committed.
 */

/* The latest unfinished sweep of this kind whose arguments are exactly
 * args: its id in *scan_id, 0 when there is none. */
int	store_scan_unfinished(struct store *, const char *kind,
	    const char *args, int64_t *scan_id);

/*
 * Calls cb once per observation recorded in the sweep: the endpoint's
 * address and port, the target name it was reached by (NULL for an
 * address target) and whether it answered ("ok").  cb returns 0, or -1 to
 * stop (store_scan_observed() then returns -1 with errmsg untouched).
 */
typedef int (*store_observed_cb)(void *arg, const char *ip,
    const char *hostname, uint16_t port, bool ok);
int	store_scan_observed(struct store *, int64_t scan_id,
	    store_observed_cb cb, void *arg);

#endif /* CERTSWEEP_STORE_H */
