/*
 * doc_internal.h: helpers shared by the document writers (html.c,
 * html_svg.c, csv.c, jsondoc.c, diff.c), in docutil.c.  Not part of the
 * report layer's surface.
 */
#ifndef CERTSWEEP_REPORT_DOC_INTERNAL_H
#define CERTSWEEP_REPORT_DOC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "scanner/inventory.h"

/* Length of the valid UTF-8 sequence at s (n > 0 bytes left), 0 when the
 * byte at s starts none. */
size_t	doc_utf8_seq(const unsigned char *s, size_t n);

/* "2024-05-01T12:00:00Z" ("" for 0) and "2024-05-01" ("" for 0). */
void	doc_time(int64_t t, char out[32]);
void	doc_date(int64_t t, char out[32]);

/* The CN of an RFC 2253 DN ("CN=a\,b,O=x" -> "a,b"), or the whole DN
 * when it has none; "" for NULL. */
void	doc_dn_cn(const char *dn, char *out, size_t len);

/* "192.0.2.1:443", "[2001:db8::1]:443", plus " sni" and " (smtp)" when
 * set: raw database text, escape it for the output. */
void	doc_endpoint_label(const struct inv_endpoint *, char *out, size_t len);

/* Severity name, "info" for anything out of range. */
const char *doc_severity(int);

/* A count per key (issuers, versions, rules), keys borrowed.  Adding
 * appends; doc_tally_sort() merges equal keys (n log n for many keys). */
struct doc_tally {
	const char	*key;
	size_t		 n;
	int		 worst;		/* highest severity seen, -1 none */
};
struct doc_tallies {
	struct doc_tally *v;
	size_t		 n, cap;
};
void	doc_tally_add(struct doc_tallies *, const char *key, int severity);
/* Merges equal keys, then most first, then by key. */
void	doc_tally_sort(struct doc_tallies *);
void	doc_tally_free(struct doc_tallies *);

/* Tallies of the view (sorted): open findings by rule, leaf
 * certificates by issuer DN, endpoints by TLS version of their latest
 * answer. */
void	doc_tally_rules(const struct inventory *, struct doc_tallies *);
void	doc_tally_issuers(const struct inventory *, struct doc_tallies *);
void	doc_tally_versions(const struct inventory *, struct doc_tallies *);

/* Certificate expiry buckets of the charts and the JSON summary. */
enum doc_bucket {
	DOC_EXPIRED,
	DOC_7D,
	DOC_30D,
	DOC_90D,
	DOC_180D,
	DOC_365D,
	DOC_LATER,
	DOC__MAX
};
extern const char *const doc_bucket_names[DOC__MAX];
enum doc_bucket doc_bucket_of(int64_t now, int64_t not_after);

/* JSON from untrusted text: invalid UTF-8 bytes become U+FFFD; NULL
 * becomes JSON null.  NULL only when jansson fails. */
json_t	*doc_jstr(const char *);
/* RFC 3339 time, null for 0. */
json_t	*doc_jtime(int64_t);

/* The SVG charts of the HTML report. */
int	doc_svg_expiry(FILE *, const struct inventory *);
int	doc_svg_bars(FILE *, const struct doc_tallies *, const char *title);

/* HTML-escaped text of s (NULL: nothing) on out. */
void	doc_html_put(FILE *, const char *);

#endif /* CERTSWEEP_REPORT_DOC_INTERNAL_H */
