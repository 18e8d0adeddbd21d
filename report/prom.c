/*
 * prom.c: Prometheus text exposition (prom.h): the writer, then the
 * families of /metrics and /probe.
 *
 * Label values come from certificates (subject, issuer) and so from
 * whoever made them: they are escaped and forced to valid UTF-8 here, once,
 * because a single bad byte makes Prometheus reject the whole scrape.
 */
#include "report/prom.h"

#include "report/doc_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/xmem.h"

static const char *const type_names[] = {
	[PROM_GAUGE] = "gauge",
	[PROM_COUNTER] = "counter",
};
_Static_assert(sizeof(type_names) / sizeof(type_names[0]) == PROM__MAX,
    "a name per type");

#define REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD */

void
prom_init(struct prom *p, FILE *out)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
}

static bool
is_name(const char *s, bool colon)
{
	if (s == NULL || *s == '\0')
		return false;
	for (const char *c = s; *c != '\0'; c++) {
		bool alpha = (*c >= 'a' && *c <= 'z') ||
		    (*c >= 'A' && *c <= 'Z') || *c == '_' ||
		    (colon && *c == ':');

		if (!alpha && !(c != s && *c >= '0' && *c <= '9'))
			return false;
	}
	return true;
}

bool
prom_is_metric_name(const char *s)
{
	return is_name(s, true);
}

bool
prom_is_label_name(const char *s)
{
	/* Names starting with __ are reserved for Prometheus. */
	return is_name(s, false) && strncmp(s, "__", 2) != 0;
}

/* Writes s escaped: backslash and newline always, '"' in label values. */
static void
put_escaped(FILE *out, const char *s, bool quote)
{
	const unsigned char *c = (const unsigned char *)s;
	size_t left = strlen(s);

	while (*c != '\0') {
		size_t n = doc_utf8_seq(c, left);

		if (n == 0) {
			fputs(REPLACEMENT, out);
			n = 1;
		} else if (*c == '\\')
			fputs("\\\\", out);
		else if (*c == '\n')
			fputs("\\n", out);
		else if (*c == '"' && quote)
			fputs("\\\"", out);
		else
			fwrite(c, 1, n, out);
		c += n;
		left -= n;
	}
}

char *
prom_escape_label(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return xstrdup("");
	put_escaped(f, s, true);
	fclose(f);
	return buf;
}

int
prom_family(struct prom *p, const char *name, enum prom_type type,
    const char *help)
{
	p->open = false;
	if (!prom_is_metric_name(name) || (unsigned)type >= PROM__MAX) {
		p->failed = true;
		return -1;
	}
	for (size_t i = 0; i < p->nnames; i++)
		if (strcmp(p->names[i], name) == 0) {
			p->failed = true;
			return -1;
		}
	if (p->nnames == p->cap) {
		p->cap = p->cap == 0 ? 32 : p->cap * 2;
		p->names = xreallocarray(p->names, p->cap, sizeof(*p->names));
	}
	p->names[p->nnames++] = xstrdup(name);
	fprintf(p->out, "# HELP %s ", name);
	put_escaped(p->out, help, false);
	fprintf(p->out, "\n# TYPE %s %s\n", name, type_names[type]);
	p->open = true;
	return 0;
}

static void
put_value(FILE *out, double v)
{
	if (isnan(v))
		fputs("NaN", out);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", out);
	else if (v == floor(v) && fabs(v) < 9007199254740992.0)
		fprintf(out, "%lld", (long long)v);
	else {
		/* the shortest of 15 or 17 digits that reads back exactly */
		char buf[32];

		snprintf(buf, sizeof(buf), "%.15g", v);
		if (strtod(buf, NULL) != v)
			snprintf(buf, sizeof(buf), "%.17g", v);
		fputs(buf, out);
	}
}

void
prom_sample(struct prom *p, const struct prom_label *labels, size_t n,
    double value)
{
	if (!p->open) {
		p->failed = true;
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (!prom_is_label_name(labels[i].name)) {
			p->failed = true;
			return;
		}
	fputs(p->names[p->nnames - 1], p->out);
	for (size_t i = 0; i < n; i++) {
		fprintf(p->out, "%c%s=\"", i == 0 ? '{' : ',', labels[i].name);
		put_escaped(p->out, labels[i].value != NULL ?
		    labels[i].value : "", true);
		fputc('"', p->out);
	}
	fputs(n > 0 ? "} " : " ", p->out);
	put_value(p->out, value);
	fputc('\n', p->out);
}

int
prom_finish(struct prom *p)
{
	bool bad = p->failed;

	if (fflush(p->out) == EOF || ferror(p->out))
		bad = true;
	for (size_t i = 0; i < p->nnames; i++)
		free(p->names[i]);
	free(p->names);
	prom_init(p, p->out);
	return bad ? -1 : 0;
}

/* ---------------------------------------------------------- families */

#define EP_LABELS(e) \
	{ "endpoint", (e)->endpoint }, { "sni", (e)->sni }, \
	{ "protocol", (e)->protocol }
#define NLABELS(a)	(sizeof(a) / sizeof((a)[0]))

/* certsweep_cert_not_{after,before}_timestamp_seconds of one chain. */
static void
chain_samples(struct prom *p, const struct mrow_endpoint *e, bool after)
{
	for (size_t i = 0; i < e->chain_len; i++) {
		const struct mrow_cert *c = &e->chain[i];
		char depth[16];
		struct prom_label l[] = {
			EP_LABELS(e), { "depth", depth },
			{ "serial", c->serial }, { "subject", c->subject },
			{ "issuer", c->issuer },
		};

		snprintf(depth, sizeof(depth), "%d", c->depth);
		prom_sample(p, l, NLABELS(l),
		    (double)(after ? c->not_after : c->not_before));
	}
}

static void
certs(struct prom *p, const struct mrow_endpoint *eps, size_t n)
{
	prom_family(p, "certsweep_cert_not_after_timestamp_seconds",
	    PROM_GAUGE, "notAfter of each certificate an endpoint serves "
	    "(depth 0: the leaf), Unix seconds.");
	for (size_t i = 0; i < n; i++)
		chain_samples(p, &eps[i], true);
	prom_family(p, "certsweep_cert_not_before_timestamp_seconds",
	    PROM_GAUGE, "notBefore of each certificate an endpoint serves, "
	    "Unix seconds.");
	for (size_t i = 0; i < n; i++)
		chain_samples(p, &eps[i], false);
}

static void
endpoint_state(struct prom *p, const struct mrow_endpoint *eps, size_t n,
    bool with_up)
{
	if (with_up) {
		prom_family(p, "certsweep_endpoint_up", PROM_GAUGE, "1 when "
		    "the endpoint's last observation completed the "
		    "handshake.");
		for (size_t i = 0; i < n; i++) {
			struct prom_label l[] = { EP_LABELS(&eps[i]) };

			prom_sample(p, l, NLABELS(l),
			    strcmp(eps[i].status, "ok") == 0);
		}
	}
	prom_family(p, "certsweep_endpoint_status", PROM_GAUGE, "1 for the "
	    "status of the endpoint's last observation (ok, refused, "
	    "connect-timeout, tls-error, ...).");
	for (size_t i = 0; i < n; i++) {
		struct prom_label l[] = {
			EP_LABELS(&eps[i]), { "status", eps[i].status },
		};

		prom_sample(p, l, NLABELS(l), 1);
	}
	prom_family(p, "certsweep_tls_version_info", PROM_GAUGE, "Always 1: "
	    "the version and cipher of the endpoint's last handshake.");
	for (size_t i = 0; i < n; i++) {
		struct prom_label l[] = {
			EP_LABELS(&eps[i]), { "version", eps[i].version },
			{ "cipher", eps[i].cipher },
		};

		if (eps[i].has_tls)
			prom_sample(p, l, NLABELS(l), 1);
	}
}

static void
findings_open(struct prom *p, const struct mrow_finding *f, size_t n)
{
	prom_family(p, "certsweep_finding_open", PROM_GAUGE, "1 per open "
	    "finding of an endpoint (rule ids: DESIGN.md section 6).");
	for (size_t i = 0; i < n; i++) {
		struct prom_label l[] = {
			EP_LABELS(&f[i]), { "rule", f[i].rule },
			{ "severity", f[i].severity },
		};

		prom_sample(p, l, NLABELS(l), 1);
	}
}

static void
counts(struct prom *p, const char *name, const char *help,
    const char *la, const char *lb, const struct mrow_count *c, size_t n)
{
	prom_family(p, name, PROM_GAUGE, help);
	for (size_t i = 0; i < n; i++) {
		struct prom_label l[] = { { la, c[i].a }, { lb, c[i].b } };

		prom_sample(p, l, lb != NULL ? 2 : 1, (double)c[i].n);
	}
}

static void
one(struct prom *p, const char *name, enum prom_type type,
    const char *help, double v)
{
	prom_family(p, name, type, help);
	prom_sample(p, NULL, 0, v);
}

static void
scans(struct prom *p, const struct mrow_scans *s,
    const struct mrow_exporter *ex)
{
	if (s->has_success) {
		one(p, "certsweep_scan_last_success_timestamp_seconds",
		    PROM_GAUGE, "End of the last sweep that finished, Unix "
		    "seconds.", (double)s->last_success);
		one(p, "certsweep_scan_duration_seconds", PROM_GAUGE,
		    "Duration of the last sweep that finished.",
		    (double)s->last_duration);
	}
	one(p, "certsweep_scans_total", PROM_COUNTER, "Sweeps recorded in "
	    "the database.", (double)s->total);
	one(p, "certsweep_scan_failures_total", PROM_COUNTER, "Sweeps that "
	    "failed: recorded but never finished, or (--every) that could "
	    "not start.", (double)(s->failed + (int64_t)ex->sweeps_failed));
}

static void
exporter(struct prom *p, const struct mrow_exporter *ex)
{
	one(p, "certsweep_database_up", PROM_GAUGE, "1 when this scrape "
	    "could read the database.", ex->db_up);
	one(p, "certsweep_scans_skipped_total", PROM_COUNTER, "Scheduled "
	    "sweeps skipped because the previous one was still running.",
	    (double)ex->sweeps_skipped);
	one(p, "certsweep_probes_total", PROM_COUNTER, "/probe requests "
	    "answered.", (double)ex->probes);
	one(p, "certsweep_probes_rejected_total", PROM_COUNTER, "/probe "
	    "requests refused (503) because too many were running.",
	    (double)ex->probes_rejected);
}

static void
process(struct prom *p, const struct mrow_process *pr)
{
	if (pr->start_time >= 0)
		one(p, "process_start_time_seconds", PROM_GAUGE, "Start time "
		    "of the process since the epoch in seconds.",
		    pr->start_time);
	if (pr->cpu_seconds >= 0)
		one(p, "process_cpu_seconds_total", PROM_COUNTER, "Total user "
		    "and system CPU time spent in seconds.", pr->cpu_seconds);
	if (pr->resident_bytes >= 0)
		one(p, "process_resident_memory_bytes", PROM_GAUGE, "Resident "
		    "memory size in bytes.", (double)pr->resident_bytes);
	if (pr->virtual_bytes >= 0)
		one(p, "process_virtual_memory_bytes", PROM_GAUGE, "Virtual "
		    "memory size in bytes.", (double)pr->virtual_bytes);
	if (pr->open_fds >= 0)
		one(p, "process_open_fds", PROM_GAUGE, "Number of open file "
		    "descriptors.", (double)pr->open_fds);
	if (pr->max_fds >= 0)
		one(p, "process_max_fds", PROM_GAUGE, "Maximum number of open "
		    "file descriptors.", (double)pr->max_fds);
}

int
prom_write_inventory(FILE *out, const struct metrics_inventory *inv,
    const struct mrow_exporter *ex, const struct mrow_process *proc)
{
	struct prom p;

	prom_init(&p, out);
	if (inv != NULL) {
		certs(&p, inv->endpoints, inv->nendpoints);
		endpoint_state(&p, inv->endpoints, inv->nendpoints, true);
		findings_open(&p, inv->findings, inv->nfindings);
		counts(&p, "certsweep_findings", "Open findings per rule and "
		    "severity.", "rule", "severity", inv->by_rule,
		    inv->nby_rule);
		counts(&p, "certsweep_endpoints", "Endpoints per status of "
		    "their last observation.", "status", NULL, inv->by_status,
		    inv->nby_status);
		scans(&p, &inv->scans, ex);
	}
	exporter(&p, ex);
	if (proc != NULL)
		process(&p, proc);
	return prom_finish(&p);
}

int
prom_write_probe(FILE *out, const struct metrics_probe *pr)
{
	const struct mrow_endpoint *e = &pr->ep;
	struct prom p;

	prom_init(&p, out);
	one(&p, "probe_success", PROM_GAUGE, "1 when the TLS handshake "
	    "completed (trust problems are findings, not failures).",
	    pr->success);
	one(&p, "probe_duration_seconds", PROM_GAUGE, "How long the probe "
	    "took, in seconds.", pr->duration);
	if (e->chain_len > 0) {
		int64_t min = e->chain[0].not_after;

		for (size_t i = 1; i < e->chain_len; i++)
			if (e->chain[i].not_after < min)
				min = e->chain[i].not_after;
		one(&p, "probe_ssl_earliest_cert_expiry", PROM_GAUGE,
		    "Earliest notAfter in the chain the server sent, Unix "
		    "seconds.", (double)min);
	}
	if (e->has_tls) {
		struct prom_label l[] = { { "version", e->version } };

		prom_family(&p, "probe_tls_version_info", PROM_GAUGE, "Always "
		    "1: the negotiated TLS version.");
		prom_sample(&p, l, NLABELS(l), 1);
	}
	if (e->endpoint != NULL) {
		certs(&p, e, 1);
		endpoint_state(&p, e, 1, false);
		findings_open(&p, pr->findings, pr->nfindings);
	}
	return prom_finish(&p);
}
