/*
 * metrics.h: the database side of the Prometheus exporter.  Reads what
 * /metrics publishes in one read transaction, so a sweep writing at the
 * same time (WAL) is seen either entirely or not at all.
 */
#ifndef CERTSWEEP_DB_METRICS_H
#define CERTSWEEP_DB_METRICS_H

#include <stddef.h>

#include "scanner/metrics_rows.h"

/*
 * Opens the database at path read-only for the call and fills *inv (zeroed
 * first; free it with metrics_inventory_clear() in every case):
 *  - every endpoint with at least one observation: the status of its latest
 *    observation, and the version, cipher and chain of its latest "ok" one
 *    (so an endpoint that stops answering keeps its last certificate);
 *  - open findings, per endpoint and as counts per rule and severity;
 *  - endpoints per status; the scans table's counts and latest success.
 * Returns 0, or -1 with the reason in err (a missing file, a database of a
 * newer certsweep, SQLite errors); nothing is written, nothing logged.
 */
int	metrics_read(const char *path, struct metrics_inventory *inv,
	    char *err, size_t errlen);

#endif /* CERTSWEEP_DB_METRICS_H */
