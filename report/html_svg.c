/*
 * html_svg.c: the charts of the HTML report, drawn here as inline SVG (no
 * script library, nothing fetched): the certificate expiry timeline (a
 * column per bucket, from expired to later than a year) and horizontal
 * bars (open findings by rule).  Labels are escaped like any other text.
 */
#include "report/doc_internal.h"

#include <string.h>

/* Severity colours, as the report's CSS. */
static const char *const sev_colour[SEV__MAX] = {
	[SEV_INFO] = "#697886",
	[SEV_LOW] = "#2f6db5",
	[SEV_MEDIUM] = "#c48a00",
	[SEV_HIGH] = "#d4561c",
	[SEV_CRITICAL] = "#9b1c1c",
};

/* Expired is the most urgent; later than a year the least. */
static const char *const bucket_colour[DOC__MAX] = {
	[DOC_EXPIRED] = "#9b1c1c",
	[DOC_7D] = "#d4561c",
	[DOC_30D] = "#e07b24",
	[DOC_90D] = "#c48a00",
	[DOC_180D] = "#7fa33b",
	[DOC_365D] = "#4b9a5a",
	[DOC_LATER] = "#2f7d4f",
};

/* The smallest of 1, 2, 5 x 10^k at or above v (at least 1), so the
 * grid has round numbers. */
static size_t
nice_max(size_t v)
{
	size_t base = 1;

	for (;;) {
		if (v <= base)
			return base;
		if (v <= 2 * base)
			return 2 * base;
		if (v <= 5 * base)
			return 5 * base;
		if (base > SIZE_MAX / 10)
			return v;
		base *= 10;
	}
}

int
doc_svg_expiry(FILE *out, const struct inventory *inv)
{
	const double w = 560, h = 230, left = 40, right = 10, top = 18,
	    bottom = 42;
	const double pw = w - left - right, ph = h - top - bottom;
	size_t n[DOC__MAX] = { 0 }, max = 0, top_v, ticks;
	double slot = pw / DOC__MAX;

	for (size_t i = 0; i < inv->ncerts; i++)
		n[doc_bucket_of(inv->generated, inv->certs[i].not_after)]++;
	for (int i = 0; i < DOC__MAX; i++)
		if (n[i] > max)
			max = n[i];
	top_v = nice_max(max);
	/* whole steps */
	ticks = top_v <= 5 ? top_v : top_v % 5 == 0 ? 5 : 4;
	fprintf(out, "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" "
	    "role=\"img\" aria-labelledby=\"chart-expiry-t\">"
	    "<title id=\"chart-expiry-t\">Certificates by time left until "
	    "they expire</title>\n", w, h);
	for (size_t g = 0; g <= ticks; g++) {
		double y = top + ph - ph * (double)g / (double)ticks;

		fprintf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" "
		    "x2=\"%.1f\" y2=\"%.1f\"/><text class=\"tick\" x=\"%.1f\" "
		    "y=\"%.1f\" text-anchor=\"end\">%g</text>\n", left, y,
		    w - right, y, left - 6, y + 4,
		    (double)(top_v / ticks * g));
	}
	for (int i = 0; i < DOC__MAX; i++) {
		double bh = ph * (double)n[i] / (double)top_v;
		double x = left + slot * i + slot * 0.15, bw = slot * 0.7;

		fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\" rx=\"3\" fill=\"%s\"><title>%s: %zu"
		    "</title></rect>\n", x, top + ph - bh, bw, bh,
		    bucket_colour[i], doc_bucket_names[i], n[i]);
		fprintf(out, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"middle\">%zu</text>\n", x + bw / 2,
		    top + ph - bh - 5, n[i]);
		fprintf(out, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"middle\">%s%s</text>\n", x + bw / 2,
		    h - bottom + 18, i == DOC_EXPIRED || i == DOC_LATER ? "" :
		    "\xe2\x89\xa4 ", doc_bucket_names[i]);
	}
	fprintf(out, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" "
	    "text-anchor=\"middle\">time left until expiry</text></svg>\n",
	    left + pw / 2, h - 6);
	return ferror(out) ? -1 : 0;
}

int
doc_svg_bars(FILE *out, const struct doc_tallies *t, const char *title)
{
	const double w = 560, label = 200, right = 44, row = 26, top = 6;
	const size_t rows = t->n < 20 ? t->n : 20;
	double h = top * 2 + row * (double)(rows > 0 ? rows : 1);
	size_t top_v = nice_max(t->n > 0 ? t->v[0].n : 0);

	fprintf(out, "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" "
	    "role=\"img\"><title>", w, h);
	doc_html_put(out, title);
	fputs("</title>\n", out);
	if (t->n == 0)
		fprintf(out, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"middle\">none</text>\n", w / 2, h / 2 + 4);
	for (size_t i = 0; i < rows; i++) {
		const struct doc_tally *v = &t->v[i];
		double y = top + row * (double)i;
		double bw = (w - label - right) * (double)v->n / (double)top_v;
		int sev = v->worst >= 0 && v->worst < SEV__MAX ? v->worst : 0;

		fprintf(out, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"end\">", label - 8, y + row / 2 + 4);
		doc_html_put(out, v->key);
		fprintf(out, "</text><rect x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%.1f\" rx=\"3\" fill=\"%s\"><title>", label,
		    y + 4, bw < 2 ? 2 : bw, row - 8, sev_colour[sev]);
		doc_html_put(out, v->key);
		fprintf(out, " (%s): %zu</title></rect><text class=\"val\" "
		    "x=\"%.1f\" y=\"%.1f\">%zu</text>\n", doc_severity(sev),
		    v->n, label + (bw < 2 ? 2 : bw) + 6, y + row / 2 + 4, v->n);
	}
	fputs("</svg>\n", out);
	return ferror(out) ? -1 : 0;
}
