/*
 * html.c: the inventory as one self-contained HTML page (certsweep report
 * --format html): summary cards, the expiry and findings charts
 * (html_svg.c), issuer and TLS version breakdowns, and sortable,
 * filterable tables of endpoints, findings, certificates and sweeps.  It
 * works offline and as a mail attachment: no external script, font or
 * image; CSS, SVG and a small script are inline.
 *
 * Certificate subjects, SANs, reasons and details are attacker data.
 * [HTML-ESCAPE] every string from the database goes through
 * doc_html_put() (text and double-quoted attribute values alike).
 * [HTML-CSP] a Content-Security-Policy meta tag forbids every fetch and
 * allows only our script, by its SHA-256: even a missed escape could not
 * run a script or call home.  The script adds behaviour only (sorting,
 * filtering, opening a linked certificate); the page reads fine without.
 */
#include "report/document.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "report/doc_internal.h"

#ifndef CERTSWEEP_VERSION
#define CERTSWEEP_VERSION	"?"
#endif

static const char css[] =
    ":root{--ink:#1d2733;--muted:#5d6b79;--line:#e2e6ea;--bg:#f3f5f8;"
    "--card:#fff;--accent:#17406d;--crit:#9b1c1c;--high:#d4561c;"
    "--med:#c48a00;--low:#2f6db5;--info:#697886;--ok:#2f7d4f}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 "
    "system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,"
    "sans-serif}\n"
    "header{background:var(--accent);color:#fff;padding:22px 32px}\n"
    "header h1{margin:0;font-size:22px;font-weight:600}\n"
    "header p{margin:4px 0 0;opacity:.85}\n"
    "main{max-width:1400px;margin:0 auto;padding:20px 32px 40px}\n"
    "h2{font-size:17px;margin:28px 0 10px;font-weight:600}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,"
    "minmax(150px,1fr));gap:12px}\n"
    ".card{background:var(--card);border-radius:8px;padding:14px 16px;"
    "box-shadow:0 1px 2px rgba(0,0,0,.08);border-left:4px solid "
    "var(--accent)}\n"
    ".card .n{font-size:28px;font-weight:650;line-height:1.1}\n"
    ".card .l{color:var(--muted);font-size:13px}\n"
    ".card.bad{border-left-color:var(--crit)}"
    ".card.warn{border-left-color:var(--high)}"
    ".card.good{border-left-color:var(--ok)}\n"
    ".sevs{margin-top:12px;display:flex;flex-wrap:wrap;gap:8px}\n"
    ".sev{display:inline-block;border-radius:10px;padding:1px 9px;"
    "font-size:12px;font-weight:600;color:#fff;white-space:nowrap}\n"
    ".sev.critical{background:var(--crit)}.sev.high{background:var(--high)}"
    ".sev.medium{background:var(--med)}.sev.low{background:var(--low)}"
    ".sev.info{background:var(--info)}.sev.ok{background:var(--ok)}"
    ".sev.down{background:#8a94a0}\n"
    ".grid2{display:grid;grid-template-columns:repeat(auto-fit,"
    "minmax(520px,1fr));gap:16px}\n"
    ".panel{background:var(--card);border-radius:8px;padding:14px 18px;"
    "box-shadow:0 1px 2px rgba(0,0,0,.08)}\n"
    ".panel h3{margin:0 0 8px;font-size:14px;font-weight:600}\n"
    "svg.chart{width:100%;height:auto;font-size:12px}\n"
    "svg .grid{stroke:var(--line)}svg .tick,svg .axis{fill:var(--muted)}"
    "svg .lbl{fill:var(--ink)}svg .val{fill:var(--ink);font-weight:600}\n"
    "table{border-collapse:collapse;width:100%;background:var(--card)}\n"
    "th,td{text-align:left;padding:6px 10px;border-bottom:1px solid "
    "var(--line);vertical-align:top}\n"
    "th{background:#eef1f5;font-weight:600;white-space:nowrap;"
    "position:sticky;top:0}\n"
    "th button{all:unset;cursor:pointer}th button:hover{"
    "text-decoration:underline}\n"
    "th[aria-sort=ascending] button::after{content:' \\25B2'}"
    "th[aria-sort=descending] button::after{content:' \\25BC'}\n"
    "tbody tr:hover{background:#f7f9fc}\n"
    ".wrap{overflow-x:auto;border-radius:8px;box-shadow:0 1px 2px "
    "rgba(0,0,0,.08)}\n"
    ".bars td{border:0;padding:3px 8px}.bars .n{text-align:right;"
    "width:4em}.bar{display:block;height:12px;border-radius:3px;"
    "background:var(--accent);min-width:2px}\n"
    ".tools{display:flex;align-items:center;gap:12px;margin:0 0 8px}\n"
    ".tools input{padding:6px 10px;border:1px solid #c6ccd3;"
    "border-radius:6px;width:320px;font:inherit}\n"
    ".muted{color:var(--muted)}.mono{font-family:ui-monospace,"
    "SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;"
    "word-break:break-all}.nw{white-space:nowrap;word-break:normal}\n"
    "small{color:var(--muted)}\n"
    "details summary{cursor:pointer}details[open] summary{"
    "margin-bottom:4px}\n"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;"
    "margin:4px 0}dt{color:var(--muted)}dd{margin:0}\n"
    "ol.chain{margin:4px 0;padding-left:20px}\n"
    ".sans{max-height:12em;overflow:auto}\n"
    ".expired{color:var(--crit);font-weight:600}"
    ".soon{color:var(--high);font-weight:600}\n"
    "a{color:var(--accent)}\n"
    "footer{color:var(--muted);font-size:12px;margin-top:32px}\n"
    "@media print{header{background:none;color:var(--ink)}.tools{"
    "display:none}th{position:static}}\n";

/* Sorting (a header's button), filtering (an input naming its table)
 * and opening the certificate a link points at. */
static const char script[] =
    "'use strict';(function(){\n"
    "function val(r,i){var c=r.cells[i];if(!c)return '';"
    "var v=c.getAttribute('data-v');"
    "return v!==null?v:c.textContent.trim().toLowerCase();}\n"
    "function sortBy(t,th,i){var b=t.tBodies[0],"
    "num=th.getAttribute('data-type')==='num',"
    "asc=th.getAttribute('aria-sort')!=='ascending',"
    "hs=t.tHead.rows[0].cells;"
    "for(var h=0;h<hs.length;h++)hs[h].removeAttribute('aria-sort');"
    "th.setAttribute('aria-sort',asc?'ascending':'descending');"
    "var rows=Array.prototype.slice.call(b.rows);"
    "rows.sort(function(x,y){var p=val(x,i),q=val(y,i),r;"
    "if(num)r=(parseFloat(p)||0)-(parseFloat(q)||0);"
    "else r=p<q?-1:p>q?1:0;return asc?r:-r;});"
    "rows.forEach(function(r){b.appendChild(r);});}\n"
    "document.querySelectorAll('table.sortable').forEach(function(t){"
    "Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,i){"
    "var b=th.querySelector('button');"
    "if(b)b.addEventListener('click',function(){sortBy(t,th,i);});});});\n"
    "document.querySelectorAll('input[data-filter]').forEach(function(f){"
    "var id=f.getAttribute('data-filter'),t=document.getElementById(id),"
    "n=document.getElementById(id+'-count');"
    "f.addEventListener('input',function(){"
    "var q=f.value.trim().toLowerCase(),rows=t.tBodies[0].rows,s=0;"
    "for(var i=0;i<rows.length;i++){"
    "var hit=!q||rows[i].textContent.toLowerCase().indexOf(q)>=0;"
    "rows[i].hidden=!hit;if(hit)s++;}"
    "if(n)n.textContent=s+' of '+rows.length+' shown';});});\n"
    "function openTarget(){var id=location.hash.slice(1),"
    "e=id&&document.getElementById(id);if(!e)return;e.hidden=false;"
    "var d=e.querySelector('details');if(d)d.open=true;}\n"
    "window.addEventListener('hashchange',openTarget);openTarget();\n"
    "})();\n";

/* --- escaping --- */

void
doc_html_put(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, k;

	if (s == NULL)
		return;
	n = strlen(s);
	for (size_t i = 0; i < n; i += k) {
		if ((k = doc_utf8_seq(p + i, n - i)) == 0 || (p[i] < 0x20 &&
		    p[i] != '\t' && p[i] != '\n') || p[i] == 0x7f) {
			fputs("\xef\xbf\xbd", out);	/* U+FFFD */
			k = 1;
			continue;
		}
		switch (p[i]) {
		case '&':	fputs("&amp;", out); break;
		case '<':	fputs("&lt;", out); break;
		case '>':	fputs("&gt;", out); break;
		case '"':	fputs("&quot;", out); break;
		case '\'':	fputs("&#39;", out); break;
		default:	fwrite(p + i, 1, k, out); break;
		}
	}
}

char *
report_html_escape(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	doc_html_put(f, s);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

#define put(out, s)	fputs((s), (out))
#define esc(out, s)	doc_html_put((out), (s))

/* --- page head --- */

/* The CSP source of the script: 'sha256-<base64>'. */
static int
script_hash(char *out, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE], b64[4 * ((EVP_MAX_MD_SIZE + 2) /
	    3) + 1];
	unsigned int mdlen = 0;

	if (EVP_Digest(script, strlen(script), md, &mdlen, EVP_sha256(),
	    NULL) != 1)
		return -1;
	EVP_EncodeBlock(b64, md, (int)mdlen);
	snprintf(out, len, "'sha256-%s'", (const char *)b64);
	return 0;
}

static void
view_words(FILE *out, const struct inventory *inv)
{
	char t[32];

	if (inv->scan_id != 0)
		fprintf(out, "sweep %lld", (long long)inv->scan_id);
	else
		put(out, "inventory as last seen");
	if (inv->since != 0) {
		doc_time(inv->since, t);
		fprintf(out, ", endpoints seen since %s", t);
	}
}

static int
head(FILE *out, const struct inventory *inv)
{
	char hash[128], t[32];

	if (script_hash(hash, sizeof(hash)) == -1)
		return -1;
	doc_time(inv->generated, t);
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-"
	    "Policy\" content=\"default-src 'none'; script-src %s; "
	    "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
	    "form-action 'none'\">\n<meta name=\"viewport\" content=\""
	    "width=device-width, initial-scale=1\">\n<meta name=\"referrer\" "
	    "content=\"no-referrer\">\n<title>TLS certificate inventory, %s"
	    "</title>\n<style>%s</style></head>\n<body><header><h1>TLS "
	    "certificate inventory</h1><p>Generated %s UTC &middot; ", hash,
	    t, css, t);
	view_words(out, inv);
	put(out, "</p></header>\n<main>\n");
	return 0;
}

/* --- summary --- */

static void
card(FILE *out, size_t n, const char *label, const char *cls)
{
	fprintf(out, "<div class=\"card %s\"><div class=\"n\">%zu</div>"
	    "<div class=\"l\">%s</div></div>\n", cls, n, label);
}

static void
cards(FILE *out, const struct inventory *inv)
{
	const struct inv_summary *s = &inv->summary;
	char label[64];

	put(out, "<section id=\"summary\"><div class=\"cards\">\n");
	snprintf(label, sizeof(label), "endpoints (%zu answering)",
	    s->endpoints_up);
	card(out, s->endpoints, label, s->endpoints_up < s->endpoints ?
	    "warn" : "");
	snprintf(label, sizeof(label), "certificates (%zu leaf)", s->leaves);
	card(out, s->certificates, label, "");
	card(out, s->findings_open, "open findings", s->findings_open > 0 ?
	    "warn" : "good");
	card(out, s->expired, "expired", s->expired > 0 ? "bad" : "good");
	card(out, s->expiring_7, "expire within 7 days", s->expiring_7 > 0 ?
	    "bad" : "good");
	card(out, s->expiring_30, "expire within 30 days", s->expiring_30 >
	    0 ? "warn" : "good");
	card(out, s->expiring_90, "expire within 90 days", "");
	put(out, "</div>\n<div class=\"sevs\">Open findings by severity: ");
	for (int i = SEV__MAX - 1; i >= 0; i--)
		fprintf(out, "<span class=\"sev %s\">%s %zu</span>",
		    doc_severity(i), doc_severity(i), s->by_severity[i]);
	put(out, "</div></section>\n");
}

static void
bar_table(FILE *out, const struct doc_tallies *t, bool cn)
{
	char name[256];

	put(out, "<table class=\"bars\">");
	if (t->n == 0)
		put(out, "<tr><td class=\"muted\">none</td></tr>");
	for (size_t i = 0; i < t->n && i < 15; i++) {
		if (cn)
			doc_dn_cn(t->v[i].key, name, sizeof(name));
		put(out, "<tr><td title=\"");
		esc(out, t->v[i].key);
		put(out, "\">");
		esc(out, cn ? name : t->v[i].key);
		fprintf(out, "</td><td class=\"n\">%zu</td><td style=\"width:"
		    "45%%\"><span class=\"bar\" style=\"width:%.1f%%\"></span>"
		    "</td></tr>", t->v[i].n, 100.0 * (double)t->v[i].n /
		    (double)t->v[0].n);
	}
	put(out, "</table>\n");
}

static int
charts(FILE *out, const struct inventory *inv)
{
	struct doc_tallies rules = { 0 }, issuers = { 0 }, versions = { 0 };
	int rc = 0;

	doc_tally_rules(inv, &rules);
	doc_tally_issuers(inv, &issuers);
	doc_tally_versions(inv, &versions);
	put(out, "<section class=\"grid2\" id=\"charts\">\n"
	    "<div class=\"panel\"><h3>Certificate expiry</h3>\n");
	if (doc_svg_expiry(out, inv) == -1)
		rc = -1;
	put(out, "</div>\n<div class=\"panel\"><h3>Open findings by rule"
	    "</h3>\n");
	if (doc_svg_bars(out, &rules, "Open findings by rule") == -1)
		rc = -1;
	put(out, "</div>\n<div class=\"panel\"><h3>Issuers of leaf "
	    "certificates</h3>\n");
	bar_table(out, &issuers, true);
	put(out, "</div>\n<div class=\"panel\"><h3>TLS versions (answering "
	    "endpoints)</h3>\n");
	bar_table(out, &versions, false);
	put(out, "</div>\n</section>\n");
	doc_tally_free(&rules);
	doc_tally_free(&issuers);
	doc_tally_free(&versions);
	return rc;
}

/* --- tables --- */

/* A heading, a filter box and the opening of a sortable table; each
 * column "Name" or "#Name" (numeric sort). */
static void
table_open(FILE *out, const char *id, const char *title, size_t n,
    const char *const *cols)
{
	fprintf(out, "<section><h2 id=\"%s-h\">%s</h2>\n<div class=\"tools\">"
	    "<input type=\"search\" data-filter=\"%s\" placeholder=\"Filter "
	    "%s\" aria-label=\"Filter %s\"><span class=\"muted\" "
	    "id=\"%s-count\">%zu shown</span></div>\n<div class=\"wrap\">"
	    "<table class=\"sortable\" id=\"%s\"><thead><tr>", id, title, id,
	    id, id, id, n, id);
	for (; *cols != NULL; cols++) {
		bool num = (*cols)[0] == '#';

		fprintf(out, "<th%s><button type=\"button\">%s</button></th>",
		    num ? " data-type=\"num\"" : "", *cols + num);
	}
	put(out, "</tr></thead><tbody>\n");
}

static void
table_close(FILE *out, size_t nrows, size_t ncols, const char *empty)
{
	if (nrows == 0)
		fprintf(out, "<tr><td colspan=\"%zu\" class=\"muted\">%s</td>"
		    "</tr>\n", ncols, empty);
	put(out, "</tbody></table></div></section>\n");
}

/* "2024-05-01 12:00" (UTC, the header says so): short enough for a
 * table cell. */
static void
short_time(int64_t t, char out[32])
{
	doc_time(t, out);
	if (strlen(out) >= 16) {
		out[10] = ' ';
		out[16] = '\0';
	}
}

static void
sev_badge(FILE *out, int sev)
{
	fprintf(out, "<span class=\"sev %s\">%s</span>", doc_severity(sev),
	    doc_severity(sev));
}

/* "2025-03-01 <small>(in 12 days)</small>", coloured when urgent. */
static void
expiry_cell(FILE *out, const struct inventory *inv, int64_t not_after)
{
	int64_t left = inventory_days_left(inv->generated, not_after);
	char d[32];

	doc_date(not_after, d);
	fprintf(out, "<td data-v=\"%lld\" class=\"nw\"><span class=\"%s\">"
	    "%s</span><br><small>", (long long)not_after, left < 0 ? "expired" :
	    left <= 30 ? "soon" : "", d);
	if (left < 0)
		fprintf(out, "expired %lld d ago", (long long)-left);
	else
		fprintf(out, "in %lld d", (long long)left);
	put(out, "</small></td>");
}

static void
cert_link(FILE *out, const struct inv_cert *c)
{
	char cn[256];

	doc_dn_cn(c->subject, cn, sizeof(cn));
	fprintf(out, "<a href=\"#c-%.64s\">", c->sha256);
	esc(out, cn[0] != '\0' ? cn : "(no subject)");
	put(out, "</a>");
}

static void
chain_details(FILE *out, const struct inventory *inv,
    const struct inv_endpoint *e)
{
	char cn[256], d[32];

	if (e->chain_len == 0) {
		put(out, "<td data-v=\"\" class=\"muted\">none</td>");
		return;
	}
	doc_dn_cn(inv->certs[e->chain[0]].subject, cn, sizeof(cn));
	put(out, "<td data-v=\"");
	esc(out, cn);
	put(out, "\"><details><summary>");
	esc(out, cn[0] != '\0' ? cn : "(no subject)");
	put(out, "</summary><ol class=\"chain\" start=\"0\">");
	for (size_t i = 0; i < e->chain_len; i++) {
		const struct inv_cert *c = &inv->certs[e->chain[i]];

		doc_date(c->not_after, d);
		put(out, "<li>");
		cert_link(out, c);
		fprintf(out, " <small>%s, %s", c->is_ca ? "CA" : "leaf", d);
		if (c->self_signed)
			put(out, ", self-signed");
		put(out, "</small></li>");
	}
	put(out, "</ol></details></td>");
}

static void
endpoint_cells(FILE *out, const struct inv_endpoint *e)
{
	bool up = e->status != NULL && strcmp(e->status, "ok") == 0;

	put(out, "<td>");
	esc(out, e->hostname);
	if (e->sni != NULL && e->sni[0] != '\0' && (e->hostname == NULL ||
	    strcmp(e->hostname, e->sni) != 0)) {
		put(out, e->hostname != NULL ? "<br><small>SNI " :
		    "<small>SNI ");
		esc(out, e->sni);
		put(out, "</small>");
	}
	put(out, "</td><td>");
	esc(out, e->protocol);
	put(out, "</td><td><span class=\"sev ");
	put(out, up ? "ok" : "down");
	put(out, "\" title=\"");
	esc(out, e->reason);
	put(out, "\">");
	esc(out, e->status);
	put(out, "</span></td><td>");
	esc(out, e->version);
	put(out, "<br><small>");
	esc(out, e->cipher);
	put(out, "</small></td>");
}

static void
endpoint_row(FILE *out, const struct inventory *inv, size_t i)
{
	const struct inv_endpoint *e = &inv->endpoints[i];
	const struct inv_cert *leaf = e->chain_len > 0 ?
	    &inv->certs[e->chain[0]] : NULL;
	char label[64], cn[256], t[32];

	snprintf(label, sizeof(label), "%s%s%s:%d", strchr(e->ip != NULL ?
	    e->ip : "", ':') != NULL ? "[" : "", e->ip != NULL ? e->ip : "",
	    strchr(e->ip != NULL ? e->ip : "", ':') != NULL ? "]" : "",
	    e->port);
	fprintf(out, "<tr id=\"e-%lld\"><td data-v=\"%zu\" class=\"mono nw\">",
	    (long long)e->id, i);
	esc(out, label);
	put(out, "</td>");
	endpoint_cells(out, e);
	chain_details(out, inv, e);
	doc_dn_cn(leaf != NULL ? leaf->issuer : NULL, cn, sizeof(cn));
	put(out, "<td>");
	esc(out, cn);
	put(out, "</td>");
	if (leaf != NULL)
		expiry_cell(out, inv, leaf->not_after);
	else
		put(out, "<td data-v=\"0\"></td>");
	fprintf(out, "<td data-v=\"%d%06zu\">", e->worst + 1, e->nopen);
	if (e->nopen > 0) {
		sev_badge(out, e->worst);
		fprintf(out, " <small>%zu</small>", e->nopen);
	}
	put(out, "</td><td>");
	esc(out, e->country);
	fprintf(out, "</td><td data-v=\"%lld\">", (long long)e->asn);
	if (e->asn != 0)
		fprintf(out, "AS%lld ", (long long)e->asn);
	esc(out, e->as_org);
	short_time(e->time, t);
	fprintf(out, "</td><td data-v=\"%lld\" class=\"nw\"><small>%s</small>"
	    "</td></tr>\n",
	    (long long)e->time, t);
}

static void
endpoints_table(FILE *out, const struct inventory *inv)
{
	static const char *const cols[] = { "#Endpoint", "Name", "Probe",
	    "Status", "TLS", "Certificate", "Issuer", "#Expires",
	    "#Findings", "Country", "#AS", "#Last seen", NULL };

	table_open(out, "endpoints", "Endpoints", inv->nendpoints, cols);
	for (size_t i = 0; i < inv->nendpoints; i++)
		endpoint_row(out, inv, i);
	table_close(out, inv->nendpoints, 12, "No endpoint answered TLS in "
	    "this view.");
}

static void
finding_row(FILE *out, const struct inventory *inv,
    const struct inv_finding *f)
{
	const struct inv_endpoint *e = &inv->endpoints[f->endpoint];
	char label[600], cn[256], t[32];

	fprintf(out, "<tr><td data-v=\"%d\">", (int)f->severity);
	sev_badge(out, (int)f->severity);
	put(out, "</td><td class=\"mono nw\">");
	esc(out, f->rule);
	doc_endpoint_label(e, label, sizeof(label));
	fprintf(out, "</td><td><a href=\"#e-%lld\">", (long long)e->id);
	esc(out, label);
	put(out, "</a></td><td>");
	if (f->cert != INV_NONE)
		cert_link(out, &inv->certs[f->cert]);
	else if (f->cert_subject != NULL) {
		doc_dn_cn(f->cert_subject, cn, sizeof(cn));
		esc(out, cn);
	}
	put(out, "</td><td>");
	esc(out, f->detail);
	fprintf(out, "</td><td>%s</td>", f->open ? "open" : "resolved");
	short_time(f->first_seen, t);
	fprintf(out, "<td data-v=\"%lld\" class=\"nw\"><small>%s</small></td>",
	    (long long)f->first_seen, t);
	short_time(f->last_seen, t);
	fprintf(out, "<td data-v=\"%lld\" class=\"nw\"><small>%s</small></td>"
	    "</tr>\n",
	    (long long)f->last_seen, t);
}

static void
findings_table(FILE *out, const struct inventory *inv)
{
	static const char *const cols[] = { "#Severity", "Rule", "Endpoint",
	    "Certificate", "Detail", "State", "#First seen", "#Last seen",
	    NULL };

	table_open(out, "findings", "Findings", inv->nfindings, cols);
	for (size_t i = 0; i < inv->nfindings; i++)
		finding_row(out, inv, &inv->findings[i]);
	table_close(out, inv->nfindings, 8, "No findings in this view.");
}

static void
cert_facts(FILE *out, const struct inv_cert *c)
{
	char nb[32], na[32];

	doc_time(c->not_before, nb);
	doc_time(c->not_after, na);
	put(out, "<dl><dt>Subject</dt><dd>");
	esc(out, c->subject);
	put(out, "</dd><dt>Issuer</dt><dd>");
	esc(out, c->issuer);
	put(out, "</dd><dt>Serial</dt><dd class=\"mono\">");
	esc(out, c->serial);
	fprintf(out, "</dd><dt>Valid</dt><dd>%s &ndash; %s</dd><dt>Key</dt>"
	    "<dd>", nb, na);
	esc(out, c->key_type);
	fprintf(out, " %d ", c->key_bits);
	esc(out, c->curve);
	put(out, "</dd><dt>Signature</dt><dd>");
	esc(out, c->sig_alg);
	put(out, "</dd><dt>Extended key usage</dt><dd>");
	esc(out, c->eku);
	fprintf(out, "</dd><dt>SANs (%zu)</dt><dd class=\"sans\">", c->nsans);
	for (size_t i = 0; i < c->nsans; i++) {
		esc(out, c->sans[i]);
		put(out, i + 1 < c->nsans ? "<br>" : "");
	}
	fprintf(out, "</dd><dt>SHA-256</dt><dd class=\"mono\">%.64s</dd>"
	    "<dt>SPKI SHA-256</dt><dd class=\"mono\">%.64s</dd></dl>",
	    c->sha256, c->spki_sha256);
}

static void
cert_row(FILE *out, const struct inventory *inv, const struct inv_cert *c)
{
	char cn[256];

	doc_dn_cn(c->subject, cn, sizeof(cn));
	fprintf(out, "<tr id=\"c-%.64s\"><td data-v=\"", c->sha256);
	esc(out, cn);
	put(out, "\"><details><summary>");
	esc(out, cn[0] != '\0' ? cn : "(no subject)");
	put(out, "</summary>");
	cert_facts(out, c);
	doc_dn_cn(c->issuer, cn, sizeof(cn));
	put(out, "</details></td><td>");
	esc(out, cn);
	fprintf(out, "</td><td>%s%s</td><td>", c->is_ca ? "CA" : "leaf",
	    c->self_signed ? ", self-signed" : "");
	esc(out, c->key_type);
	fprintf(out, " %d</td>", c->key_bits);
	expiry_cell(out, inv, c->not_after);
	fprintf(out, "<td data-v=\"%zu\">%zu</td></tr>\n", c->nendpoints,
	    c->nendpoints);
}

static void
certs_table(FILE *out, const struct inventory *inv)
{
	static const char *const cols[] = { "Subject", "Issuer", "Role",
	    "Key", "#Expires", "#Endpoints", NULL };

	table_open(out, "certificates", "Certificates", inv->ncerts, cols);
	for (size_t i = 0; i < inv->ncerts; i++)
		cert_row(out, inv, &inv->certs[i]);
	table_close(out, inv->ncerts, 6, "No certificates in this view.");
}

static void
scans_table(FILE *out, const struct inventory *inv)
{
	static const char *const cols[] = { "#Sweep", "Kind", "#Started",
	    "#Finished", "#Endpoints", "#Answered", "Arguments", NULL };
	char s[32], f[32];

	table_open(out, "scans", "Sweeps", inv->nscans, cols);
	for (size_t i = 0; i < inv->nscans; i++) {
		const struct inv_scan *sc = &inv->scans[i];

		short_time(sc->started, s);
		short_time(sc->finished, f);
		fprintf(out, "<tr><td>%lld</td><td>", (long long)sc->id);
		esc(out, sc->kind);
		fprintf(out, "</td><td data-v=\"%lld\" class=\"nw\">%s</td>"
		    "<td data-v=\"%lld\" class=\"nw\">%s</td><td>%lld</td>"
		    "<td>%lld</td><td class=\"mono\">",
		    (long long)sc->started, s, (long long)sc->finished,
		    f[0] != '\0' ? f : "not finished", (long long)sc->endpoints,
		    (long long)sc->ok);
		esc(out, sc->arguments);
		put(out, "</td></tr>\n");
	}
	table_close(out, inv->nscans, 7, "No sweeps in this view.");
}

int
report_html(FILE *out, const struct inventory *inv)
{
	if (head(out, inv) == -1)
		return -1;
	cards(out, inv);
	if (charts(out, inv) == -1)
		return -1;
	endpoints_table(out, inv);
	findings_table(out, inv);
	certs_table(out, inv);
	scans_table(out, inv);
	fprintf(out, "<footer>certsweep %s &middot; %zu endpoints, %zu "
	    "certificates, %zu findings &middot; this file is self-contained "
	    "and fetches nothing</footer>\n</main>\n<script>%s</script>\n"
	    "</body></html>\n", CERTSWEEP_VERSION, inv->nendpoints,
	    inv->ncerts, inv->nfindings, script);
	return fflush(out) == EOF || ferror(out) ? -1 : 0;
}
