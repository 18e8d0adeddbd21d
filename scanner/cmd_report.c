/*
 * cmd_report.c: certsweep report and certsweep diff.  Wiring only: the
 * database is read by db/query.c (read-only), documents are written by
 * report/ (html.c, csv.c, jsondoc.c, diff.c).
 *
 * Files are written next to their final name (mkstemp: mode 0600) and
 * renamed into place once complete, so a failed report never leaves half
 * a file behind and never follows a symlink planted at the name.
 */
#include "scanner/commands.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db/query.h"
#include "report/document.h"
#include "scanner/inventory.h"
#include "scanner/log.h"
#include "scanner/xmem.h"

/* A file being written, or stdout. */
struct outfile {
	FILE	*f;
	char	*path;		/* NULL for stdout */
	char	*tmp;
};

static int
out_open(struct outfile *o, const char *path)
{
	int fd;

	memset(o, 0, sizeof(*o));
	if (path == NULL || strcmp(path, "-") == 0) {
		o->f = stdout;
		return 0;
	}
	o->path = xstrdup(path);
	o->tmp = xasprintf("%s.XXXXXX", path);
	if ((fd = mkstemp(o->tmp)) == -1 || (o->f = fdopen(fd, "w")) ==
	    NULL) {
		log_error("cannot write %s: %s (check the directory exists "
		    "and is writable)", path, strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->path);
		free(o->tmp);
		return -1;
	}
	return 0;
}

/* Completes (ok) or discards the file.  -1 when the output failed. */
static int
out_close(struct outfile *o, bool ok)
{
	const char *name = o->path != NULL ? o->path : "standard output";
	int rc = 0;

	if (fflush(o->f) == EOF || ferror(o->f))
		rc = -1;
	if (o->path != NULL) {
		if (fclose(o->f) == EOF)
			rc = -1;
		if (ok && rc == 0 && rename(o->tmp, o->path) == -1)
			rc = -1;
		if (!ok || rc == -1)
			unlink(o->tmp);
	}
	if (ok && rc == -1)
		log_error("cannot write %s: %s", name, strerror(errno));
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
	return rc;
}

static int
open_db(const struct config *cfg, struct query **q)
{
	char err[600];

	if (query_open(q, cfg->db_path, err, sizeof(err)) == -1) {
		log_error("%s", err);
		return -1;
	}
	return 0;
}

/* --- report --- */

enum doc_kind { DOC_HTML, DOC_JSON, DOC_CSV };

static int
write_one(const struct inventory *inv, enum doc_kind kind, int table,
    const char *path)
{
	struct outfile o;
	int rc;

	if (out_open(&o, path) == -1)
		return -1;
	if (kind == DOC_HTML)
		rc = report_html(o.f, inv);
	else if (kind == DOC_JSON)
		rc = report_json(o.f, inv);
	else
		rc = report_csv(o.f, inv, (enum report_csv_table)table);
	if (rc == -1 && o.path == NULL)
		log_error("cannot write standard output: %s", strerror(errno));
	return out_close(&o, rc == 0) == -1 || rc == -1 ? -1 : 0;
}

/* Every CSV table into directory dir (created, mode 0700, if missing). */
static int
write_csv_dir(const struct inventory *inv, const char *dir)
{
	struct stat sb;
	char *path;
	int rc = 0;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		log_error("cannot create directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		log_error("--format csv writes one file per table: -o %s must "
		    "be a directory (or give --table NAME)", dir);
		return -1;
	}
	for (int t = 0; t < REPORT_CSV__MAX && rc == 0; t++) {
		path = xasprintf("%s/%s.csv", dir,
		    report_csv_table_name((enum report_csv_table)t));
		rc = write_one(inv, DOC_CSV, t, path);
		free(path);
	}
	if (rc == 0)
		log_info("report: %d CSV files in %s", REPORT_CSV__MAX, dir);
	return rc;
}

/* What the options ask for; -1 after a usage error. */
static int
report_kind(const struct config *cfg, enum doc_kind *kind, int *table)
{
	const char *fmt = cfg->format != NULL ? cfg->format : "html";

	*table = -1;
	if (strcmp(fmt, "html") == 0)
		*kind = DOC_HTML;
	else if (strcmp(fmt, "json") == 0)
		*kind = DOC_JSON;
	else if (strcmp(fmt, "csv") == 0)
		*kind = DOC_CSV;
	else {
		log_error("--format \"%s\": expected html, csv or json", fmt);
		return -1;
	}
	if (cfg->table != NULL && *kind != DOC_CSV) {
		log_error("--table goes with --format csv");
		return -1;
	}
	if (cfg->table != NULL && (*table =
	    report_csv_table_from_name(cfg->table)) == -1) {
		log_error("--table \"%s\": expected endpoints, certificates, "
		    "findings or scans", cfg->table);
		return -1;
	}
	if (*kind == DOC_CSV && *table == -1 && cfg->output == NULL) {
		log_error("--format csv: give -o DIR (one file per table) or "
		    "--table NAME (one table on standard output)");
		return -1;
	}
	return 0;
}

int
cmd_report(const struct config *cfg)
{
	struct inventory inv = { 0 };
	struct inv_scan scan;
	struct query *q = NULL;
	enum doc_kind kind;
	int table, found, rc = EXIT_RUNTIME;

	if (report_kind(cfg, &kind, &table) == -1)
		return EXIT_USAGE;
	if (open_db(cfg, &q) == -1)
		return EXIT_RUNTIME;
	if (cfg->scan_id != 0) {
		if ((found = query_scan(q, cfg->scan_id, &scan)) == -1)
			goto dberr;
		if (found == 0) {
			log_error("--scan %" PRId64 ": no such sweep in %s",
			    cfg->scan_id, cfg->db_path);
			rc = EXIT_USAGE;
			goto out;
		}
		free(scan.kind);
		free(scan.arguments);
	}
	if (query_inventory(q, cfg->scan_id, cfg->since, (int64_t)time(NULL),
	    &inv) == -1)
		goto dberr;
	if (kind == DOC_CSV && table == -1)
		rc = write_csv_dir(&inv, cfg->output);
	else
		rc = write_one(&inv, kind, table, cfg->output);
	rc = rc == 0 ? EXIT_OK : EXIT_RUNTIME;
	goto out;
 dberr:
	log_error("%s", query_errmsg(q));
 out:
	inventory_free(&inv);
	query_close(q);
	return rc;
}

/* --- diff --- */

/* A sweep id argument: a positive integer. */
static int
parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v <= 0) {
		log_error("diff: \"%s\" is not a sweep id (a positive number, "
		    "see the scans table of 'certsweep report')", s);
		return -1;
	}
	*id = v;
	return 0;
}

/* The two sweeps to compare; EXIT_OK or the exit code of the error. */
static int
diff_scans(const struct config *cfg, struct query *q, int64_t *a,
    int64_t *b)
{
	int64_t last_a = 0, last_b = 0, ids[2];
	struct inv_scan scan;
	int found;

	if (query_last_scans(q, &last_a, &last_b) == -1) {
		log_error("%s", query_errmsg(q));
		return EXIT_RUNTIME;
	}
	*a = last_a;
	*b = last_b;
	for (int i = 0; i < cfg->nargs && i < 2; i++) {
		if (parse_id(cfg->args[i], &ids[i]) == -1)
			return EXIT_USAGE;
		if ((found = query_scan(q, ids[i], &scan)) == -1) {
			log_error("%s", query_errmsg(q));
			return EXIT_RUNTIME;
		}
		if (found == 0) {
			log_error("diff: no sweep %" PRId64 " in %s", ids[i],
			    cfg->db_path);
			return EXIT_USAGE;
		}
		free(scan.kind);
		free(scan.arguments);
	}
	if (cfg->nargs >= 1)
		*a = ids[0];
	if (cfg->nargs == 2)
		*b = ids[1];
	if (*a == 0 || *b == 0) {
		log_error("diff: %s has fewer than two finished sweeps; run "
		    "'certsweep scan' again, or name two sweeps", cfg->db_path);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int
cmd_diff(const struct config *cfg)
{
	struct inventory a = { 0 }, b = { 0 };
	struct report_diff d = { 0 };
	struct query *q = NULL;
	int64_t ida = 0, idb = 0, now = (int64_t)time(NULL);
	int rc;

	if (open_db(cfg, &q) == -1)
		return EXIT_RUNTIME;
	if ((rc = diff_scans(cfg, q, &ida, &idb)) != EXIT_OK)
		goto out;
	rc = EXIT_RUNTIME;
	if (query_inventory(q, ida, 0, now, &a) == -1 ||
	    query_inventory(q, idb, 0, now, &b) == -1) {
		log_error("%s", query_errmsg(q));
		goto out;
	}
	report_diff_compute(&a, &b, &d);
	if ((cfg->json ? report_diff_json(stdout, &d) :
	    report_diff_text(stdout, &d)) == -1) {
		log_error("cannot write standard output: %s", strerror(errno));
		goto out;
	}
	/* 1 when something changed, so that cron mails it. */
	rc = report_diff_has_changes(&d) ? EXIT_FINDINGS : EXIT_OK;
 out:
	report_diff_free(&d);
	inventory_free(&a);
	inventory_free(&b);
	query_close(q);
	return rc;
}
