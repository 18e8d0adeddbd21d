/*
 * docutil.c: small pieces shared by the document writers: UTF-8 checks,
 * times, DN and endpoint labels, tallies and expiry buckets, and JSON
 * strings from untrusted text (doc_internal.h).
 */
#include "report/doc_internal.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scanner/xmem.h"

size_t
doc_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* past U+10FFFF */
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static void
fmt_time(int64_t t, char out[32], bool date_only)
{
	/* X.509 can say 0000-01-01 .. 9999-12-31; clamp to that. */
	time_t tt = (time_t)(t < -62167219200LL ? -62167219200LL :
	    t > 253402300799LL ? 253402300799LL : t);
	struct tm tm;

	out[0] = '\0';
	if (t == 0 || gmtime_r(&tt, &tm) == NULL)
		return;
	if ((date_only ? strftime(out, 32, "%Y-%m-%d", &tm) :
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm)) == 0)
		out[0] = '\0';
}

void
doc_time(int64_t t, char out[32])
{
	fmt_time(t, out, false);
}

void
doc_date(int64_t t, char out[32])
{
	fmt_time(t, out, true);
}

/* Copies an RFC 2253 attribute value starting at v, undoing its
 * backslash escapes, up to the next unescaped comma. */
static void
dn_value(const char *v, char *out, size_t len)
{
	size_t o = 0;

	for (; *v != '\0' && *v != ',' && o + 1 < len; v++) {
		if (*v == '\\' && v[1] != '\0')
			v++;
		out[o++] = *v;
	}
	out[o] = '\0';
}

void
doc_dn_cn(const char *dn, char *out, size_t len)
{
	const char *p;

	if (len == 0)
		return;
	out[0] = '\0';
	if (dn == NULL)
		return;
	for (p = dn; *p != '\0'; p++) {
		if ((p == dn || (p[-1] == ',' && (p < dn + 2 ||
		    p[-2] != '\\'))) && strncmp(p, "CN=", 3) == 0) {
			dn_value(p + 3, out, len);
			return;
		}
	}
	snprintf(out, len, "%s", dn);
}

void
doc_endpoint_label(const struct inv_endpoint *e, char *out, size_t len)
{
	const char *ip = e->ip != NULL ? e->ip : "?";
	bool v6 = strchr(ip, ':') != NULL;
	int n;

	n = snprintf(out, len, "%s%s%s:%d", v6 ? "[" : "", ip, v6 ? "]" : "",
	    e->port);
	if (n < 0 || (size_t)n >= len)
		return;
	if (e->sni != NULL && e->sni[0] != '\0')
		n += snprintf(out + n, len - (size_t)n, " %s", e->sni);
	if (n >= 0 && (size_t)n < len && e->protocol != NULL &&
	    strcmp(e->protocol, "tls") != 0)
		snprintf(out + n, len - (size_t)n, " (%s)", e->protocol);
}

const char *
doc_severity(int sev)
{
	const char *n = sev >= 0 ? severity_name((enum severity)sev) : NULL;

	return n != NULL ? n : "info";
}

/* --- tallies --- */

void
doc_tally_add(struct doc_tallies *t, const char *key, int severity)
{
	if (key == NULL || key[0] == '\0')
		key = "(none)";
	if (t->n == t->cap) {
		t->cap = t->cap == 0 ? 16 : t->cap * 2;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	t->v[t->n++] = (struct doc_tally){ key, 1, severity };
}

static int
cmp_key(const void *pa, const void *pb)
{
	const struct doc_tally *a = pa, *b = pb;

	return strcmp(a->key, b->key);
}

static int
cmp_count(const void *pa, const void *pb)
{
	const struct doc_tally *a = pa, *b = pb;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return strcmp(a->key, b->key);
}

void
doc_tally_sort(struct doc_tallies *t)
{
	size_t o = 0;

	if (t->n == 0)
		return;
	qsort(t->v, t->n, sizeof(*t->v), cmp_key);
	for (size_t i = 1; i < t->n; i++) {
		if (strcmp(t->v[i].key, t->v[o].key) == 0) {
			t->v[o].n += t->v[i].n;
			if (t->v[i].worst > t->v[o].worst)
				t->v[o].worst = t->v[i].worst;
		} else
			t->v[++o] = t->v[i];
	}
	t->n = o + 1;
	qsort(t->v, t->n, sizeof(*t->v), cmp_count);
}

void
doc_tally_free(struct doc_tallies *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

void
doc_tally_rules(const struct inventory *inv, struct doc_tallies *t)
{
	for (size_t i = 0; i < inv->nfindings; i++)
		if (inv->findings[i].open)
			doc_tally_add(t, inv->findings[i].rule,
			    (int)inv->findings[i].severity);
	doc_tally_sort(t);
}

void
doc_tally_issuers(const struct inventory *inv, struct doc_tallies *t)
{
	for (size_t i = 0; i < inv->ncerts; i++)
		if (inv->certs[i].nleaf > 0)
			doc_tally_add(t, inv->certs[i].issuer, -1);
	doc_tally_sort(t);
}

void
doc_tally_versions(const struct inventory *inv, struct doc_tallies *t)
{
	for (size_t i = 0; i < inv->nendpoints; i++) {
		const struct inv_endpoint *e = &inv->endpoints[i];

		if (e->status != NULL && strcmp(e->status, "ok") == 0)
			doc_tally_add(t, e->version, -1);
	}
	doc_tally_sort(t);
}

/* --- expiry buckets --- */

const char *const doc_bucket_names[DOC__MAX] = {
	[DOC_EXPIRED] = "expired",
	[DOC_7D] = "7 days",
	[DOC_30D] = "30 days",
	[DOC_90D] = "90 days",
	[DOC_180D] = "180 days",
	[DOC_365D] = "1 year",
	[DOC_LATER] = "later",
};

enum doc_bucket
doc_bucket_of(int64_t now, int64_t not_after)
{
	static const int64_t limits[] = { 7, 30, 90, 180, 365 };
	int64_t left = not_after - now;

	if (left < 0)
		return DOC_EXPIRED;
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		if (left <= limits[i] * 86400)
			return (enum doc_bucket)(DOC_7D + i);
	return DOC_LATER;
}

/* --- JSON --- */

json_t *
doc_jstr(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, o = 0, k;
	char *buf;
	json_t *j;

	if (s == NULL)
		return json_null();
	n = strlen(s);
	buf = xmalloc(3 * n + 1);	/* n < SIZE_MAX / 3: it is in memory */
	for (size_t i = 0; i < n; i += k) {
		if ((k = doc_utf8_seq(p + i, n - i)) == 0) {
			memcpy(buf + o, "\xef\xbf\xbd", 3);	/* U+FFFD */
			o += 3;
			k = 1;
		} else {
			memcpy(buf + o, p + i, k);
			o += k;
		}
	}
	j = json_stringn(buf, o);
	free(buf);
	return j;
}

json_t *
doc_jtime(int64_t t)
{
	char buf[32];

	if (t == 0)
		return json_null();
	doc_time(t, buf);
	return json_string(buf);
}
