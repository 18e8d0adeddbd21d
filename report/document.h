/*
 * document.h: writers of whole documents built from an inventory view
 * (scanner/inventory.h): certsweep report (one HTML file, CSV tables, one
 * JSON document) and certsweep diff (text or JSON).  Unlike the streaming
 * writers of report.h they need every row at once (summary cards, charts,
 * cross references), so they take the whole view.
 *
 * Writers return 0, or -1 when writing failed (errno from stdio); they
 * never log.  Every string from the database is escaped for the format
 * written: certificate subjects and SANs are attacker data.
 */
#ifndef CERTSWEEP_REPORT_DOCUMENT_H
#define CERTSWEEP_REPORT_DOCUMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "scanner/inventory.h"

/* One self-contained HTML page: inline CSS, SVG and script, and a
 * Content-Security-Policy that forbids any network access. */
int	report_html(FILE *, const struct inventory *);

/* One JSON document: {generated, view, summary, scans, endpoints,
 * certificates, findings}. */
int	report_json(FILE *, const struct inventory *);

enum report_csv_table {
	REPORT_CSV_ENDPOINTS,
	REPORT_CSV_CERTIFICATES,
	REPORT_CSV_FINDINGS,
	REPORT_CSV_SCANS,
	REPORT_CSV__MAX
};
/* "endpoints", ...; NULL when out of range. */
const char *report_csv_table_name(enum report_csv_table);
/* Inverse of report_csv_table_name(); -1 when unknown. */
int	report_csv_table_from_name(const char *);
/* One table as RFC 4180 CSV with a header line (CRLF line ends). */
int	report_csv(FILE *, const struct inventory *, enum report_csv_table);

/*
 * Escapers, also used by the tests.  Both return a new string.
 * HTML: & < > " ' become entities, control characters and invalid UTF-8
 * become U+FFFD: safe in text and in quoted attribute values.
 * CSV: one field, quoted when it holds a comma, quote, CR or LF (quotes
 * doubled); a text field starting with = + - @ TAB or CR gets a leading '
 * so that spreadsheets do not run it as a formula (OWASP CSV injection).
 */
char	*report_html_escape(const char *);
char	*report_csv_field(const char *, bool text);

/* What changed between two sweep views (a older, b newer). */
struct diff_pair {
	const struct inv_endpoint *a;	/* in the older view */
	const struct inv_endpoint *b;	/* in the newer one; NULL: vanished
					   endpoint not scanned by b */
};

struct report_diff {
	const struct inventory *a, *b;	/* borrowed */
	/* answered TLS in b, not in a */
	const struct inv_endpoint **added;
	size_t		 nadded;
	/* answered TLS in a, not in b (b: its failed observation, or NULL) */
	struct diff_pair *vanished;
	size_t		 nvanished;
	/* answered in both with a different leaf certificate */
	struct diff_pair *changed;
	size_t		 nchanged;
	/* reported by b, not by a (in b) */
	const struct inv_finding **new_findings;
	size_t		 nnew;
	/* reported by a, not by b although the endpoint answered in b */
	const struct inv_finding **resolved;
	size_t		 nresolved;
};

/* Compares two sweep views of one database (endpoints and findings are
 * matched by their database ids).  Free with report_diff_free(). */
void	report_diff_compute(const struct inventory *a,
	    const struct inventory *b, struct report_diff *);
void	report_diff_free(struct report_diff *);
bool	report_diff_has_changes(const struct report_diff *);
/* For people: counts first, then one group per kind of change. */
int	report_diff_text(FILE *, const struct report_diff *);
/* One JSON object (README.md, "Reports"). */
int	report_diff_json(FILE *, const struct report_diff *);

#endif /* CERTSWEEP_REPORT_DOCUMENT_H */
