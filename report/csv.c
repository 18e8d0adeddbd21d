/*
 * csv.c: the inventory as CSV tables (certsweep report --format csv), one
 * table per call: endpoints, certificates, findings, scans.
 *
 * RFC 4180: a header line, CRLF line ends, a field quoted when it holds a
 * comma, a quote, CR or LF, quotes doubled.  [CSV-FORMULA] Spreadsheets run
 * a cell starting with = + - @ (and TAB or CR) as a formula, and
 * certificate subjects, SANs and reasons come from the network: such text
 * cells get a leading ' (OWASP's advice).  Numbers and times we format
 * ourselves never start so and are left alone; the raw text is in the JSON
 * report.  Invalid UTF-8 becomes U+FFFD.
 */
#include "report/document.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report/doc_internal.h"
#include "scanner/xmem.h"

static const char *const table_names[] = {
	[REPORT_CSV_ENDPOINTS] = "endpoints",
	[REPORT_CSV_CERTIFICATES] = "certificates",
	[REPORT_CSV_FINDINGS] = "findings",
	[REPORT_CSV_SCANS] = "scans",
};
_Static_assert(sizeof(table_names) / sizeof(table_names[0]) ==
    REPORT_CSV__MAX, "every table has a name");

const char *
report_csv_table_name(enum report_csv_table t)
{
	return (unsigned)t < REPORT_CSV__MAX ? table_names[t] : NULL;
}

int
report_csv_table_from_name(const char *name)
{
	for (int i = 0; name != NULL && i < REPORT_CSV__MAX; i++)
		if (strcmp(table_names[i], name) == 0)
			return i;
	return -1;
}

static bool
needs_quotes(const char *s)
{
	return strpbrk(s, ",\"\r\n") != NULL;
}

/* One field of s on out; text fields are guarded against formulas. */
static void
put_field(FILE *out, const char *s, bool text)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	size_t n = strlen((const char *)p), k;
	bool quote = needs_quotes((const char *)p);

	if (quote)
		fputc('"', out);
	if (text && n > 0 && strchr("=+-@\t\r", p[0]) != NULL)
		fputc('\'', out);	/* [CSV-FORMULA] */
	for (size_t i = 0; i < n; i += k) {
		if ((k = doc_utf8_seq(p + i, n - i)) == 0) {
			fputs("\xef\xbf\xbd", out);
			k = 1;
		} else if (p[i] == '"')
			fputs("\"\"", out);
		else
			fwrite(p + i, 1, k, out);
	}
	if (quote)
		fputc('"', out);
}

char *
report_csv_field(const char *s, bool text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	put_field(f, s, text);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* --- rows --- */

/* The row being written: cells after the first get a comma. */
struct row {
	FILE	*out;
	int	 n;
};

static void
cell(struct row *r, const char *s)
{
	if (r->n++ > 0)
		fputc(',', r->out);
	put_field(r->out, s, true);
}

static void
cell_num(struct row *r, int64_t v)
{
	if (r->n++ > 0)
		fputc(',', r->out);
	fprintf(r->out, "%" PRId64, v);
}

static void
cell_opt(struct row *r, int64_t v, bool present)
{
	if (present)
		cell_num(r, v);
	else
		cell(r, "");
}

static void
cell_time(struct row *r, int64_t t)
{
	char buf[32];

	doc_time(t, buf);
	cell(r, buf);
}

static void
end_row(struct row *r)
{
	fputs("\r\n", r->out);
	r->n = 0;
}

static void
header(struct row *r, const char *const *names)
{
	for (; *names != NULL; names++)
		cell(r, *names);
	end_row(r);
}

static void
endpoints(struct row *r, const struct inventory *inv)
{
	static const char *const h[] = { "id", "ip", "port", "hostname",
	    "sni", "protocol", "status", "reason", "last_seen", "first_seen",
	    "tls_version", "cipher", "group", "alpn", "verify_code",
	    "verify_reason", "leaf_sha256", "leaf_subject", "leaf_issuer",
	    "leaf_not_after", "days_left", "chain_length", "open_findings",
	    "worst_severity", "country", "city", "asn", "as_org", NULL };

	header(r, h);
	for (size_t i = 0; i < inv->nendpoints; i++) {
		const struct inv_endpoint *e = &inv->endpoints[i];
		const struct inv_cert *c = e->chain_len > 0 ?
		    &inv->certs[e->chain[0]] : NULL;

		cell_num(r, e->id);
		cell(r, e->ip);
		cell_num(r, e->port);
		cell(r, e->hostname);
		cell(r, e->sni);
		cell(r, e->protocol);
		cell(r, e->status);
		cell(r, e->reason);
		cell_time(r, e->time);
		cell_time(r, e->first_seen);
		cell(r, e->version);
		cell(r, e->cipher);
		cell(r, e->group);
		cell(r, e->alpn);
		cell_num(r, e->verify_code);
		cell(r, e->verify_reason);
		cell(r, c != NULL ? c->sha256 : "");
		cell(r, c != NULL ? c->subject : "");
		cell(r, c != NULL ? c->issuer : "");
		cell_time(r, c != NULL ? c->not_after : 0);
		cell_opt(r, c != NULL ? inventory_days_left(inv->generated,
		    c->not_after) : 0, c != NULL);
		cell_num(r, (int64_t)e->chain_len);
		cell_num(r, (int64_t)e->nopen);
		cell(r, e->worst >= 0 ? doc_severity(e->worst) : "");
		cell(r, e->country);
		cell(r, e->city);
		cell_opt(r, e->asn, e->asn != 0);
		cell(r, e->as_org);
		end_row(r);
	}
}

/* SANs joined by spaces ("DNS:a.example IP:192.0.2.1"). */
static void
cell_sans(struct row *r, const struct inv_cert *c)
{
	size_t len = 1, o = 0, k;
	char *s;

	for (size_t i = 0; i < c->nsans; i++)
		len += strlen(c->sans[i]) + 1;
	s = xmalloc(len);
	for (size_t i = 0; i < c->nsans; i++) {
		if (i > 0)
			s[o++] = ' ';
		k = strlen(c->sans[i]);
		memcpy(s + o, c->sans[i], k);
		o += k;
	}
	s[o] = '\0';
	cell(r, s);
	free(s);
}

static void
certificates(struct row *r, const struct inventory *inv)
{
	static const char *const h[] = { "sha256", "subject", "issuer",
	    "serial", "not_before", "not_after", "days_left", "key_type",
	    "key_bits", "curve", "signature_algorithm", "sans", "is_ca",
	    "self_signed", "spki_sha256", "first_seen", "last_seen",
	    "endpoints", "leaf_of", NULL };

	header(r, h);
	for (size_t i = 0; i < inv->ncerts; i++) {
		const struct inv_cert *c = &inv->certs[i];

		cell(r, c->sha256);
		cell(r, c->subject);
		cell(r, c->issuer);
		cell(r, c->serial);
		cell_time(r, c->not_before);
		cell_time(r, c->not_after);
		cell_num(r, inventory_days_left(inv->generated, c->not_after));
		cell(r, c->key_type);
		cell_num(r, c->key_bits);
		cell(r, c->curve);
		cell(r, c->sig_alg);
		cell_sans(r, c);
		cell_num(r, c->is_ca);
		cell_num(r, c->self_signed);
		cell(r, c->spki_sha256);
		cell_time(r, c->first_seen);
		cell_time(r, c->last_seen);
		cell_num(r, (int64_t)c->nendpoints);
		cell_num(r, (int64_t)c->nleaf);
		end_row(r);
	}
}

static void
findings(struct row *r, const struct inventory *inv)
{
	static const char *const h[] = { "id", "rule", "severity", "state",
	    "ip", "port", "sni", "protocol", "cert_sha256", "cert_subject",
	    "depth", "detail", "first_seen", "last_seen", "resolved_at",
	    NULL };

	header(r, h);
	for (size_t i = 0; i < inv->nfindings; i++) {
		const struct inv_finding *f = &inv->findings[i];
		const struct inv_endpoint *e = &inv->endpoints[f->endpoint];

		cell_num(r, f->id);
		cell(r, f->rule);
		cell(r, doc_severity((int)f->severity));
		cell(r, f->open ? "open" : "resolved");
		cell(r, e->ip);
		cell_num(r, e->port);
		cell(r, e->sni);
		cell(r, e->protocol);
		cell(r, f->cert_sha256);
		cell(r, f->cert_subject);
		cell_num(r, f->depth);
		cell(r, f->detail);
		cell_time(r, f->first_seen);
		cell_time(r, f->last_seen);
		cell_time(r, f->resolved_at);
		end_row(r);
	}
}

static void
scans(struct row *r, const struct inventory *inv)
{
	static const char *const h[] = { "id", "kind", "started", "finished",
	    "duration_s", "endpoints", "ok", "arguments", NULL };

	header(r, h);
	for (size_t i = 0; i < inv->nscans; i++) {
		const struct inv_scan *s = &inv->scans[i];

		cell_num(r, s->id);
		cell(r, s->kind);
		cell_time(r, s->started);
		cell_time(r, s->finished);
		cell_opt(r, s->finished - s->started, s->finished != 0);
		cell_opt(r, s->endpoints, s->endpoints >= 0);
		cell_opt(r, s->ok, s->ok >= 0);
		cell(r, s->arguments);
		end_row(r);
	}
}

int
report_csv(FILE *out, const struct inventory *inv, enum report_csv_table t)
{
	struct row r = { .out = out };

	switch (t) {
	case REPORT_CSV_ENDPOINTS:
		endpoints(&r, inv);
		break;
	case REPORT_CSV_CERTIFICATES:
		certificates(&r, inv);
		break;
	case REPORT_CSV_FINDINGS:
		findings(&r, inv);
		break;
	case REPORT_CSV_SCANS:
		scans(&r, inv);
		break;
	default:
		return -1;
	}
	return fflush(out) == EOF || ferror(out) ? -1 : 0;
}
