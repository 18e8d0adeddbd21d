/*
 * query.h: reading the inventory back, read-only (certsweep report, diff).
 * The database is opened with SQLITE_OPEN_READONLY, so a report can run
 * while a sweep writes (WAL) and can never change the file, not even
 * migrate it.
 *
 * Functions return 0 or -1 (query_scan() also 1); on -1 the message is in
 * query_errmsg(), names the file and says what to do, and nothing has been
 * logged.
 */
#ifndef CERTSWEEP_QUERY_H
#define CERTSWEEP_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/inventory.h"

struct query;

/*
 * Opens the certsweep database at path read-only.  Fails (with *qp NULL
 * and the reason in err) when the file is missing, is not SQLite, is
 * damaged, belongs to another program, holds no certsweep data yet, or was
 * written by a newer certsweep.
 */
int	query_open(struct query **qp, const char *path, char *err,
	    size_t errlen);
/* NULL is a no-op. */
void	query_close(struct query *);
const char *query_errmsg(const struct query *);

/*
 * Looks sweep id up: 1 and *out filled (owned by the caller: free kind and
 * arguments, or pass it to an inventory) when it exists, 0 when not.
 */
int	query_scan(struct query *, int64_t id, struct inv_scan *out);

/* The last two finished sweeps: *b the latest, *a the one before; 0 for
 * each that does not exist. */
int	query_last_scans(struct query *, int64_t *a, int64_t *b);

/*
 * Fills inv (zeroed first; free with inventory_free()) with one view:
 *  - scan_id 0: the inventory as last seen: every endpoint that ever
 *    answered TLS, with its latest observation and the chain of its latest
 *    "ok" one; every finding of those endpoints, open or resolved; every
 *    sweep;
 *  - scan_id N: the endpoints sweep N observed that answered TLS in it or
 *    before it, with their observation in N; the findings sweep N reported
 *    (open in the view); sweep N only.
 * since (0 = none) keeps the endpoints whose latest observation in the
 * view is at or after it, and the sweeps that ended (or started) then.
 * Endpoints that never answered TLS are counted in the sweeps only.
 * Then inventory_summarize() as of now.  An unknown scan_id is no error:
 * check with query_scan() first.
 */
int	query_inventory(struct query *, int64_t scan_id, int64_t since,
	    int64_t now, struct inventory *inv);

#endif /* CERTSWEEP_QUERY_H */
