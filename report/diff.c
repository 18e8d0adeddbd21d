/*
 * diff.c: what changed between two sweeps (certsweep diff): the
 * computation over two sweep views of one database, and its text and JSON
 * renderings.
 *
 * Endpoints and findings are matched by their database ids (a view's rows
 * carry them).  An endpoint is present in a sweep when it answered TLS
 * there; its certificate changed when both sweeps saw a leaf and the
 * leaves differ.  A finding is new when b reported it and a did not;
 * resolved when a reported it and b did not although the endpoint
 * answered in b (an endpoint that is down says nothing about its
 * findings: it is listed as vanished instead).
 *
 * The text rendering is for a terminal or a cron mail: it strips control
 * characters from database text (a certificate subject must not drive the
 * terminal).  [TERM-ESCAPE]
 */
#include "report/document.h"

#include <stdlib.h>
#include <string.h>

#include "report/doc_internal.h"
#include "scanner/xmem.h"

struct id_idx {
	int64_t		 id;
	size_t		 idx;
};

static int
cmp_id(const void *pa, const void *pb)
{
	const struct id_idx *a = pa, *b = pb;

	return a->id < b->id ? -1 : a->id > b->id;
}

/* Sorted (id, index) pairs for lookups. */
static struct id_idx *
index_endpoints(const struct inventory *inv)
{
	struct id_idx *m = xcalloc(inv->nendpoints + 1, sizeof(*m));

	for (size_t i = 0; i < inv->nendpoints; i++)
		m[i] = (struct id_idx){ inv->endpoints[i].id, i };
	qsort(m, inv->nendpoints, sizeof(*m), cmp_id);
	return m;
}

static struct id_idx *
index_findings(const struct inventory *inv)
{
	struct id_idx *m = xcalloc(inv->nfindings + 1, sizeof(*m));

	for (size_t i = 0; i < inv->nfindings; i++)
		m[i] = (struct id_idx){ inv->findings[i].id, i };
	qsort(m, inv->nfindings, sizeof(*m), cmp_id);
	return m;
}

static const struct id_idx *
find(const struct id_idx *m, size_t n, int64_t id)
{
	struct id_idx key = { .id = id };

	return bsearch(&key, m, n, sizeof(*m), cmp_id);
}

static bool
is_up(const struct inv_endpoint *e)
{
	return e != NULL && e->status != NULL && strcmp(e->status, "ok") == 0;
}

static const char *
leaf_sha(const struct inventory *inv, const struct inv_endpoint *e)
{
	return e->chain_len > 0 ? inv->certs[e->chain[0]].sha256 : NULL;
}

static void
diff_endpoints(struct report_diff *d, const struct id_idx *ma,
    const struct id_idx *mb)
{
	const struct inventory *a = d->a, *b = d->b;
	const struct id_idx *hit;

	d->added = xcalloc(b->nendpoints + 1, sizeof(*d->added));
	d->vanished = xcalloc(a->nendpoints + 1, sizeof(*d->vanished));
	d->changed = xcalloc(b->nendpoints + 1, sizeof(*d->changed));
	for (size_t i = 0; i < b->nendpoints; i++) {
		const struct inv_endpoint *eb = &b->endpoints[i], *ea = NULL;
		const char *la, *lb;

		if ((hit = find(ma, a->nendpoints, eb->id)) != NULL)
			ea = &a->endpoints[hit->idx];
		if (!is_up(eb))
			continue;
		if (!is_up(ea)) {
			d->added[d->nadded++] = eb;
			continue;
		}
		la = leaf_sha(a, ea);
		lb = leaf_sha(b, eb);
		if (la != NULL && lb != NULL && strcmp(la, lb) != 0)
			d->changed[d->nchanged++] =
			    (struct diff_pair){ ea, eb };
	}
	for (size_t i = 0; i < a->nendpoints; i++) {
		const struct inv_endpoint *ea = &a->endpoints[i], *eb = NULL;

		if (!is_up(ea))
			continue;
		if ((hit = find(mb, b->nendpoints, ea->id)) != NULL)
			eb = &b->endpoints[hit->idx];
		if (!is_up(eb))
			d->vanished[d->nvanished++] =
			    (struct diff_pair){ ea, eb };
	}
}

static void
diff_findings(struct report_diff *d, const struct id_idx *mb)
{
	const struct inventory *a = d->a, *b = d->b;
	struct id_idx *fa = index_findings(a), *fb = index_findings(b);
	const struct id_idx *hit;

	d->new_findings = xcalloc(b->nfindings + 1, sizeof(*d->new_findings));
	d->resolved = xcalloc(a->nfindings + 1, sizeof(*d->resolved));
	for (size_t i = 0; i < b->nfindings; i++) {
		const struct inv_finding *f = &b->findings[i];

		if (f->open && ((hit = find(fa, a->nfindings, f->id)) == NULL ||
		    !a->findings[hit->idx].open))
			d->new_findings[d->nnew++] = f;
	}
	for (size_t i = 0; i < a->nfindings; i++) {
		const struct inv_finding *f = &a->findings[i];
		const struct inv_endpoint *ea = &a->endpoints[f->endpoint];

		if (!f->open || ((hit = find(fb, b->nfindings, f->id)) !=
		    NULL && b->findings[hit->idx].open))
			continue;
		/* Only where b saw the endpoint answer. */
		if ((hit = find(mb, b->nendpoints, ea->id)) != NULL &&
		    is_up(&b->endpoints[hit->idx]))
			d->resolved[d->nresolved++] = f;
	}
	free(fa);
	free(fb);
}

void
report_diff_compute(const struct inventory *a, const struct inventory *b,
    struct report_diff *d)
{
	struct id_idx *ma = index_endpoints(a), *mb = index_endpoints(b);

	memset(d, 0, sizeof(*d));
	d->a = a;
	d->b = b;
	diff_endpoints(d, ma, mb);
	diff_findings(d, mb);
	free(ma);
	free(mb);
}

void
report_diff_free(struct report_diff *d)
{
	if (d == NULL)
		return;
	free(d->added);
	free(d->vanished);
	free(d->changed);
	free(d->new_findings);
	free(d->resolved);
	memset(d, 0, sizeof(*d));
}

bool
report_diff_has_changes(const struct report_diff *d)
{
	return d->nadded > 0 || d->nvanished > 0 || d->nchanged > 0 ||
	    d->nnew > 0 || d->nresolved > 0;
}

/* --- text --- */

/* Database text for a terminal: control characters and invalid UTF-8
 * become '?'.  [TERM-ESCAPE] */
static void
tput(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	size_t n = strlen((const char *)p), k;

	for (size_t i = 0; i < n; i += k) {
		k = doc_utf8_seq(p + i, n - i);
		/* C1 controls (U+0080..U+009F) are two bytes: c2 80..9f. */
		if (k == 0 || p[i] < 0x20 || p[i] == 0x7f || (k == 2 &&
		    p[i] == 0xc2 && p[i + 1] < 0xa0)) {
			fputc('?', out);
			k = k == 0 ? 1 : k;
		} else
			fwrite(p + i, 1, k, out);
	}
}

static void
tendpoint(FILE *out, const struct inv_endpoint *e)
{
	char label[600];

	doc_endpoint_label(e, label, sizeof(label));
	tput(out, label);
}

/* "CN=x (expires 2025-01-01, sha256 0123abcd...)" */
static void
tcert(FILE *out, const struct inventory *inv, const struct inv_endpoint *e)
{
	const struct inv_cert *c;
	char date[32];

	if (e == NULL || e->chain_len == 0) {
		fputs("(no certificate)", out);
		return;
	}
	c = &inv->certs[e->chain[0]];
	doc_date(c->not_after, date);
	tput(out, c->subject);
	fprintf(out, " (expires %s, sha256 %.16s)", date, c->sha256);
}

static void
tscan(FILE *out, const struct inventory *inv)
{
	char t[32] = "";

	if (inv->nscans > 0)
		doc_time(inv->scans[0].finished != 0 ?
		    inv->scans[0].finished : inv->scans[0].started, t);
	fprintf(out, "sweep %lld%s%s%s", (long long)inv->scan_id,
	    t[0] != '\0' ? " (" : "", t, t[0] != '\0' ? ")" : "");
}

static const char *
plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void
tfinding(FILE *out, const struct inventory *inv, const struct inv_finding *f,
    char mark)
{
	fprintf(out, "  %c %-8s ", mark, doc_severity((int)f->severity));
	tput(out, f->rule);
	fputs("  ", out);
	tendpoint(out, &inv->endpoints[f->endpoint]);
	if (f->detail != NULL && f->detail[0] != '\0') {
		fputs(": ", out);
		tput(out, f->detail);
	}
	fputc('\n', out);
}

static void
tgroups(FILE *out, const struct report_diff *d)
{
	if (d->nadded > 0)
		fprintf(out, "\nNew endpoints (%zu)\n", d->nadded);
	for (size_t i = 0; i < d->nadded; i++) {
		fputs("  + ", out);
		tendpoint(out, d->added[i]);
		fputs("  ", out);
		tcert(out, d->b, d->added[i]);
		fputc('\n', out);
	}
	if (d->nvanished > 0)
		fprintf(out, "\nVanished endpoints (%zu)\n", d->nvanished);
	for (size_t i = 0; i < d->nvanished; i++) {
		const struct inv_endpoint *eb = d->vanished[i].b;

		fputs("  - ", out);
		tendpoint(out, d->vanished[i].a);
		fputs("  ", out);
		if (eb != NULL) {
			tput(out, eb->status);
			if (eb->reason != NULL && eb->reason[0] != '\0') {
				fputs(": ", out);
				tput(out, eb->reason);
			}
		} else
			fputs("not scanned", out);
		fputs("; was ", out);
		tcert(out, d->a, d->vanished[i].a);
		fputc('\n', out);
	}
	if (d->nchanged > 0)
		fprintf(out, "\nChanged certificates (%zu)\n", d->nchanged);
	for (size_t i = 0; i < d->nchanged; i++) {
		fputs("  ~ ", out);
		tendpoint(out, d->changed[i].b);
		fputs("\n      was ", out);
		tcert(out, d->a, d->changed[i].a);
		fputs("\n      now ", out);
		tcert(out, d->b, d->changed[i].b);
		fputc('\n', out);
	}
	if (d->nnew > 0)
		fprintf(out, "\nNew findings (%zu)\n", d->nnew);
	for (size_t i = 0; i < d->nnew; i++)
		tfinding(out, d->b, d->new_findings[i], '+');
	if (d->nresolved > 0)
		fprintf(out, "\nResolved findings (%zu)\n", d->nresolved);
	for (size_t i = 0; i < d->nresolved; i++)
		tfinding(out, d->a, d->resolved[i], '-');
}

int
report_diff_text(FILE *out, const struct report_diff *d)
{
	fputs("certsweep diff: ", out);
	tscan(out, d->a);
	fputs(" -> ", out);
	tscan(out, d->b);
	fputc('\n', out);
	if (!report_diff_has_changes(d))
		fputs("No changes.\n", out);
	else {
		fprintf(out, "%zu new %s, %zu vanished, %zu changed %s, "
		    "%zu new %s, %zu resolved\n", d->nadded,
		    plural(d->nadded, "endpoint", "endpoints"), d->nvanished,
		    d->nchanged, plural(d->nchanged, "certificate",
		    "certificates"), d->nnew, plural(d->nnew, "finding",
		    "findings"), d->nresolved);
		tgroups(out, d);
	}
	return fflush(out) == EOF || ferror(out) ? -1 : 0;
}

/* --- JSON --- */

static void
put(json_t *o, const char *key, json_t *v, bool *err)
{
	if (v == NULL || json_object_set_new(o, key, v) == -1)
		*err = true;
}

static void
push(json_t *a, json_t *v, bool *err)
{
	if (v == NULL || json_array_append_new(a, v) == -1)
		*err = true;
}

static json_t *
jscan(const struct inventory *inv, bool *err)
{
	json_t *o = json_object();
	const struct inv_scan *s = inv->nscans > 0 ? &inv->scans[0] : NULL;

	put(o, "id", json_integer(inv->scan_id), err);
	put(o, "started", doc_jtime(s != NULL ? s->started : 0), err);
	put(o, "finished", doc_jtime(s != NULL ? s->finished : 0), err);
	return o;
}

static json_t *
jcert(const struct inventory *inv, const struct inv_endpoint *e, bool *err)
{
	const struct inv_cert *c;
	json_t *o;

	if (e == NULL || e->chain_len == 0)
		return json_null();
	c = &inv->certs[e->chain[0]];
	o = json_object();
	put(o, "sha256", json_string(c->sha256), err);
	put(o, "subject", doc_jstr(c->subject), err);
	put(o, "issuer", doc_jstr(c->issuer), err);
	put(o, "not_after", doc_jtime(c->not_after), err);
	return o;
}

/* The endpoint's identity, and its leaf in inv. */
static json_t *
jendpoint(const struct inventory *inv, const struct inv_endpoint *e,
    bool *err)
{
	json_t *o = json_object();

	put(o, "id", json_integer(e->id), err);
	put(o, "ip", doc_jstr(e->ip), err);
	put(o, "port", json_integer(e->port), err);
	put(o, "sni", doc_jstr(e->sni), err);
	put(o, "hostname", doc_jstr(e->hostname), err);
	put(o, "protocol", doc_jstr(e->protocol), err);
	put(o, "certificate", jcert(inv, e, err), err);
	return o;
}

static json_t *
jfinding(const struct inventory *inv, const struct inv_finding *f,
    bool *err)
{
	json_t *o = json_object();

	put(o, "id", json_integer(f->id), err);
	put(o, "rule", doc_jstr(f->rule), err);
	put(o, "severity", json_string(doc_severity((int)f->severity)), err);
	put(o, "endpoint", jendpoint(inv, &inv->endpoints[f->endpoint], err),
	    err);
	put(o, "cert_sha256", f->cert_sha256[0] != '\0' ?
	    json_string(f->cert_sha256) : json_null(), err);
	put(o, "detail", doc_jstr(f->detail), err);
	return o;
}

static json_t *
jcounts(const struct report_diff *d, bool *err)
{
	json_t *o = json_object();

	put(o, "new_endpoints", json_integer((json_int_t)d->nadded), err);
	put(o, "vanished_endpoints", json_integer((json_int_t)d->nvanished),
	    err);
	put(o, "changed_certificates", json_integer((json_int_t)d->nchanged),
	    err);
	put(o, "new_findings", json_integer((json_int_t)d->nnew), err);
	put(o, "resolved_findings", json_integer((json_int_t)d->nresolved),
	    err);
	return o;
}

static json_t *
jlists(json_t *o, const struct report_diff *d, bool *err)
{
	json_t *a, *v;

	a = json_array();
	for (size_t i = 0; a != NULL && i < d->nadded; i++)
		push(a, jendpoint(d->b, d->added[i], err), err);
	put(o, "new_endpoints", a, err);
	a = json_array();
	for (size_t i = 0; a != NULL && i < d->nvanished; i++) {
		const struct inv_endpoint *eb = d->vanished[i].b;

		v = jendpoint(d->a, d->vanished[i].a, err);
		put(v, "status", eb != NULL ? doc_jstr(eb->status) :
		    json_string("not scanned"), err);
		put(v, "reason", doc_jstr(eb != NULL ? eb->reason : NULL), err);
		push(a, v, err);
	}
	put(o, "vanished_endpoints", a, err);
	a = json_array();
	for (size_t i = 0; a != NULL && i < d->nchanged; i++) {
		v = jendpoint(d->b, d->changed[i].b, err);
		put(v, "previous", jcert(d->a, d->changed[i].a, err), err);
		push(a, v, err);
	}
	put(o, "changed_certificates", a, err);
	a = json_array();
	for (size_t i = 0; a != NULL && i < d->nnew; i++)
		push(a, jfinding(d->b, d->new_findings[i], err), err);
	put(o, "new_findings", a, err);
	a = json_array();
	for (size_t i = 0; a != NULL && i < d->nresolved; i++)
		push(a, jfinding(d->a, d->resolved[i], err), err);
	put(o, "resolved_findings", a, err);
	return o;
}

int
report_diff_json(FILE *out, const struct report_diff *d)
{
	bool err = false;
	json_t *o = json_object();
	int rc = -1;

	put(o, "from", jscan(d->a, &err), &err);
	put(o, "to", jscan(d->b, &err), &err);
	put(o, "changed", json_boolean(report_diff_has_changes(d)), &err);
	put(o, "counts", jcounts(d, &err), &err);
	jlists(o, d, &err);
	if (o == NULL || err || json_dumpf(o, out, JSON_INDENT(1) |
	    JSON_PRESERVE_ORDER) == -1 || fputc('\n', out) == EOF ||
	    fflush(out) == EOF || ferror(out))
		goto out;
	rc = 0;
 out:
	json_decref(o);
	return rc;
}
