/*
 * errors.c: SQLite results in words for people.  Every message names the
 * database file and says what to do, because it is printed as is, once, by
 * whoever gave up (the store itself never logs).
 */
#include "db/store_internal.h"

#include <stdio.h>

#include <sqlite3.h>

void
store_sqlite_err(sqlite3 *db, int rc, const char *path, char *err,
    size_t errlen)
{
	const char *why = db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_FULL:
		snprintf(err, errlen, "database %s: disk is full; free space "
		    "and run again (batches committed before are kept)", path);
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		snprintf(err, errlen, "database %s is locked by another "
		    "process; wait for it to finish or use another --db PATH",
		    path);
		break;
	case SQLITE_READONLY:
		snprintf(err, errlen, "database %s is read-only (%s); check "
		    "the permissions of the file and its directory, or use "
		    "--db PATH", path, why);
		break;
	case SQLITE_CANTOPEN:
		snprintf(err, errlen, "cannot open database %s: %s (check the "
		    "directory exists and is writable, or use --db PATH)",
		    path, why);
		break;
	case SQLITE_NOTADB:
		snprintf(err, errlen, "database %s is not an SQLite database "
		    "(%s); certsweep left it untouched: give another --db PATH",
		    path, why);
		break;
	case SQLITE_CORRUPT:
		snprintf(err, errlen, "database %s is damaged (%s); restore a "
		    "backup or use another --db PATH", path, why);
		break;
	case SQLITE_IOERR:
		snprintf(err, errlen, "database %s: I/O error (%s); check the "
		    "disk and run again (batches committed before are kept)",
		    path, why);
		break;
	default:
		snprintf(err, errlen, "database %s: %s (SQLite error %d; "
		    "probably a certsweep bug, please report it)", path, why,
		    rc);
		break;
	}
}
