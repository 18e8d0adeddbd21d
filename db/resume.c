/*
 * resume.c: the store's side of `certsweep scan --resume`: find the sweep
 * to finish, and list what it already recorded.  Each query runs once per
 * command, so the statements are prepared here rather than kept open with
 * the hot-path ones in store.c.
 */
#include "db/store.h"

#include <sqlite3.h>

#include "db/store_internal.h"

int
store_scan_unfinished(struct store *st, const char *kind, const char *args,
    int64_t *scan_id)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s = NULL;
	int rc;

	*scan_id = 0;
	rc = sqlite3_prepare_v2(db, "SELECT id FROM scans WHERE kind = ?1 "
	    "AND finished IS NULL AND arguments IS ?2 ORDER BY id DESC "
	    "LIMIT 1", -1, &s, NULL);
	if (rc != SQLITE_OK)
		goto out;
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, args, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*scan_id = sqlite3_column_int64(s, 0);
		rc = SQLITE_DONE;
	}
 out:
	if (rc != SQLITE_DONE)
		store_fail_rc(st, rc);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_scan_observed(struct store *st, int64_t scan_id, store_observed_cb cb,
    void *arg)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s = NULL;
	const char *ip, *host;
	int rc;

	/* A hostname target's endpoint carries the name as hostname and as
	 * SNI (scanner/conn.c); an address target's has no hostname, or one
	 * left by an earlier sweep that differs from its SNI. */
	rc = sqlite3_prepare_v2(db, "SELECT e.ip, e.port, CASE WHEN "
	    "e.hostname = e.sni THEN e.hostname END, o.status = 'ok' "
	    "FROM observations o JOIN endpoints e ON e.id = o.endpoint_id "
	    "WHERE o.scan_id = ?1", -1, &s, NULL);
	if (rc != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(s, 1, scan_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ip = (const char *)sqlite3_column_text(s, 0);
		host = (const char *)sqlite3_column_text(s, 2);
		if (cb(arg, ip != NULL ? ip : "", host,
		    (uint16_t)sqlite3_column_int(s, 1),
		    sqlite3_column_int(s, 3) != 0) == -1) {
			sqlite3_finalize(s);
			return -1;
		}
	}
 out:
	if (rc != SQLITE_DONE)
		store_fail_rc(st, rc);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}
