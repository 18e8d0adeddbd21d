/*
 * store.h: the inventory in SQLite.  One writer per database; prepared
 * statements live as long as the handle; writes are batched into
 * transactions (store_flush() commits the current one).  The schema changes
 * only through db/migrate.c (PRAGMA user_version).
 *
 * Every function returns 0 or -1.  On -1 the message is in store_errmsg()
 * (it names the database file and what to do), nothing has been logged, and
 * everything committed before stays in the file.
 */
#ifndef CERTSWEEP_STORE_H
#define CERTSWEEP_STORE_H

#include <stdint.h>

#include "scanner/record.h"

struct store;

/*
 * Opens (creating it with mode 0600 when missing) and migrates the database
 * at path; ":memory:" works for tests.  On failure *sp is NULL and errbuf
 * says why, e.g. "cannot open database /x/y.db: unable to open database
 * file (check the directory exists and is writable, or use --db PATH)".
 */
int	store_open(struct store **sp, const char *path, char *errbuf,
	    size_t errlen);
/* Commits any open batch and closes.  NULL is a no-op.  Returns -1 when the
 * final commit failed. */
int	store_close(struct store *);
const char *store_errmsg(const struct store *);

/* Starts a sweep: a row in scans. kind is "active" or "passive". */
int	store_scan_begin(struct store *, const char *kind, const char *args,
	    int64_t started, int64_t *scan_id);
/* Ends a sweep with its counts; commits. */
int	store_scan_end(struct store *, int64_t scan_id, int64_t finished,
	    uint64_t endpoints, uint64_t ok);

/*
 * Records one observation of a sweep: upserts the endpoint (first/last seen),
 * every certificate of the chain (deduplicated by SHA-256), the observation
 * and its chain links.  Commits every STORE_BATCH observations.
 */
#define STORE_BATCH	512
int	store_add_observation(struct store *, int64_t scan_id,
	    const struct observation *);
/* Commits the current batch, if any. */
int	store_flush(struct store *);

#endif /* CERTSWEEP_STORE_H */
