/*
 * jsondoc.c: the inventory as one JSON document (certsweep report
 * --format json), built with jansson and dumped once:
 *
 *   {generated, view: {scan, since}, summary: {...}, scans: [...],
 *    endpoints: [... with chain: [{depth, sha256, subject}]],
 *    certificates: [...], findings: [...]}
 *
 * Endpoints refer to certificates by SHA-256 and findings to endpoints by
 * id, so each certificate is written once.  Times are RFC 3339 UTC (null
 * when unknown), like the jsonl writer.  [JSON-BAD-UTF8] every string from
 * the database goes through doc_jstr().
 */
#include "report/document.h"

#include <math.h>
#include <string.h>

#include "report/doc_internal.h"

/* Sets o[key] = v (taken); remembers a failure in *err. */
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
jint_or_null(int64_t v, bool present)
{
	return present ? json_integer(v) : json_null();
}

static json_t *
tally_json(const struct doc_tallies *t, bool *err)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < t->n; i++) {
		json_t *k = doc_jstr(t->v[i].key);
		const char *key = json_string_value(k);

		put(o, key != NULL ? key : "", json_integer((json_int_t)
		    t->v[i].n), err);
		json_decref(k);
	}
	return o;
}

static json_t *
summary_json(const struct inventory *inv, bool *err)
{
	const struct inv_summary *s = &inv->summary;
	struct doc_tallies rules = { 0 }, issuers = { 0 }, versions = { 0 };
	size_t buckets[DOC__MAX] = { 0 };
	json_t *o = json_object(), *sev = json_object(), *exp = json_object();

	put(o, "endpoints", json_integer((json_int_t)s->endpoints), err);
	put(o, "endpoints_up", json_integer((json_int_t)s->endpoints_up), err);
	put(o, "certificates", json_integer((json_int_t)s->certificates), err);
	put(o, "leaf_certificates", json_integer((json_int_t)s->leaves), err);
	put(o, "expired", json_integer((json_int_t)s->expired), err);
	put(o, "expiring_7d", json_integer((json_int_t)s->expiring_7), err);
	put(o, "expiring_30d", json_integer((json_int_t)s->expiring_30), err);
	put(o, "expiring_90d", json_integer((json_int_t)s->expiring_90), err);
	put(o, "findings_open", json_integer((json_int_t)s->findings_open),
	    err);
	put(o, "findings_resolved", json_integer((json_int_t)
	    s->findings_resolved), err);
	for (int i = SEV__MAX - 1; sev != NULL && i >= 0; i--)
		put(sev, doc_severity(i), json_integer((json_int_t)
		    s->by_severity[i]), err);
	put(o, "findings_by_severity", sev, err);
	for (size_t i = 0; i < inv->ncerts; i++)
		buckets[doc_bucket_of(inv->generated,
		    inv->certs[i].not_after)]++;
	for (int i = 0; exp != NULL && i < DOC__MAX; i++)
		put(exp, doc_bucket_names[i], json_integer((json_int_t)
		    buckets[i]), err);
	put(o, "expiry", exp, err);
	doc_tally_rules(inv, &rules);
	doc_tally_issuers(inv, &issuers);
	doc_tally_versions(inv, &versions);
	put(o, "findings_by_rule", tally_json(&rules, err), err);
	put(o, "leaf_issuers", tally_json(&issuers, err), err);
	put(o, "tls_versions", tally_json(&versions, err), err);
	doc_tally_free(&rules);
	doc_tally_free(&issuers);
	doc_tally_free(&versions);
	return o;
}

static json_t *
scan_json(const struct inv_scan *s, bool *err)
{
	json_t *o = json_object();

	put(o, "id", json_integer(s->id), err);
	put(o, "kind", doc_jstr(s->kind), err);
	put(o, "started", doc_jtime(s->started), err);
	put(o, "finished", doc_jtime(s->finished), err);
	put(o, "arguments", doc_jstr(s->arguments), err);
	put(o, "endpoints", jint_or_null(s->endpoints, s->endpoints >= 0),
	    err);
	put(o, "ok", jint_or_null(s->ok, s->ok >= 0), err);
	return o;
}

static json_t *
chain_json(const struct inventory *inv, const struct inv_endpoint *e,
    bool *err)
{
	json_t *a = json_array(), *l;

	for (size_t d = 0; a != NULL && d < e->chain_len; d++) {
		const struct inv_cert *c = &inv->certs[e->chain[d]];

		if ((l = json_object()) == NULL) {
			*err = true;
			break;
		}
		put(l, "depth", json_integer((json_int_t)d), err);
		put(l, "sha256", json_string(c->sha256), err);
		put(l, "subject", doc_jstr(c->subject), err);
		push(a, l, err);
	}
	return a;
}

static json_t *
tls_json(const struct inv_endpoint *e, bool *err)
{
	json_t *o = json_object();
	double ms = isfinite(e->handshake_ms) && e->handshake_ms >= 0 ?
	    round(e->handshake_ms * 10) / 10 : 0;

	put(o, "time", doc_jtime(e->ok_time), err);
	put(o, "scan", json_integer(e->ok_scan_id), err);
	put(o, "version", doc_jstr(e->version), err);
	put(o, "cipher", doc_jstr(e->cipher), err);
	put(o, "group", doc_jstr(e->group), err);
	put(o, "alpn", doc_jstr(e->alpn), err);
	put(o, "handshake_ms", json_real(ms), err);
	put(o, "verify_code", json_integer(e->verify_code), err);
	put(o, "verify_reason", doc_jstr(e->verify_reason), err);
	return o;
}

static json_t *
endpoint_json(const struct inventory *inv, const struct inv_endpoint *e,
    bool *err)
{
	json_t *o = json_object(), *g = json_object();

	put(o, "id", json_integer(e->id), err);
	put(o, "ip", doc_jstr(e->ip), err);
	put(o, "port", json_integer(e->port), err);
	put(o, "hostname", doc_jstr(e->hostname), err);
	put(o, "sni", doc_jstr(e->sni), err);
	put(o, "protocol", doc_jstr(e->protocol), err);
	put(o, "first_seen", doc_jtime(e->first_seen), err);
	put(o, "last_seen", doc_jtime(e->last_seen), err);
	put(o, "scan", json_integer(e->scan_id), err);
	put(o, "time", doc_jtime(e->time), err);
	put(o, "status", doc_jstr(e->status), err);
	put(o, "reason", doc_jstr(e->reason), err);
	put(o, "tls", tls_json(e, err), err);
	put(o, "chain", chain_json(inv, e, err), err);
	put(o, "open_findings", json_integer((json_int_t)e->nopen), err);
	put(o, "worst_severity", e->worst >= 0 ?
	    json_string(doc_severity(e->worst)) : json_null(), err);
	put(g, "country", doc_jstr(e->country), err);
	put(g, "city", doc_jstr(e->city), err);
	put(g, "asn", jint_or_null(e->asn, e->asn != 0), err);
	put(g, "as_org", doc_jstr(e->as_org), err);
	put(o, "geo", g, err);
	return o;
}

static json_t *
cert_json(const struct inventory *inv, const struct inv_cert *c, bool *err)
{
	json_t *o = json_object(), *sans = json_array();

	put(o, "sha256", json_string(c->sha256), err);
	put(o, "subject", doc_jstr(c->subject), err);
	put(o, "issuer", doc_jstr(c->issuer), err);
	put(o, "serial", doc_jstr(c->serial), err);
	put(o, "not_before", doc_jtime(c->not_before), err);
	put(o, "not_after", doc_jtime(c->not_after), err);
	put(o, "days_left", json_integer(inventory_days_left(inv->generated,
	    c->not_after)), err);
	put(o, "key_type", doc_jstr(c->key_type), err);
	put(o, "key_bits", json_integer(c->key_bits), err);
	put(o, "curve", doc_jstr(c->curve), err);
	put(o, "signature_algorithm", doc_jstr(c->sig_alg), err);
	put(o, "eku", doc_jstr(c->eku), err);
	for (size_t i = 0; sans != NULL && i < c->nsans; i++)
		push(sans, doc_jstr(c->sans[i]), err);
	put(o, "sans", sans, err);
	put(o, "is_ca", json_boolean(c->is_ca), err);
	put(o, "self_signed", json_boolean(c->self_signed), err);
	put(o, "spki_sha256", json_string(c->spki_sha256), err);
	put(o, "first_seen", doc_jtime(c->first_seen), err);
	put(o, "last_seen", doc_jtime(c->last_seen), err);
	put(o, "endpoints", json_integer((json_int_t)c->nendpoints), err);
	put(o, "leaf_of", json_integer((json_int_t)c->nleaf), err);
	return o;
}

static json_t *
finding_json(const struct inventory *inv, const struct inv_finding *f,
    bool *err)
{
	const struct inv_endpoint *e = &inv->endpoints[f->endpoint];
	json_t *o = json_object();

	put(o, "id", json_integer(f->id), err);
	put(o, "rule", doc_jstr(f->rule), err);
	put(o, "severity", json_string(doc_severity((int)f->severity)), err);
	put(o, "state", json_string(f->open ? "open" : "resolved"), err);
	put(o, "endpoint", json_integer(e->id), err);
	put(o, "ip", doc_jstr(e->ip), err);
	put(o, "port", json_integer(e->port), err);
	put(o, "sni", doc_jstr(e->sni), err);
	put(o, "cert_sha256", f->cert_sha256[0] != '\0' ?
	    json_string(f->cert_sha256) : json_null(), err);
	put(o, "cert_subject", doc_jstr(f->cert_subject), err);
	put(o, "depth", json_integer(f->depth), err);
	put(o, "detail", doc_jstr(f->detail), err);
	put(o, "first_seen", doc_jtime(f->first_seen), err);
	put(o, "last_seen", doc_jtime(f->last_seen), err);
	put(o, "first_scan", json_integer(f->first_scan), err);
	put(o, "last_scan", json_integer(f->last_scan), err);
	put(o, "resolved_at", doc_jtime(f->resolved_at), err);
	return o;
}

static json_t *
document(const struct inventory *inv, bool *err)
{
	json_t *o = json_object(), *view = json_object(), *a;

	put(o, "generated", doc_jtime(inv->generated), err);
	put(view, "scan", jint_or_null(inv->scan_id, inv->scan_id != 0), err);
	put(view, "since", doc_jtime(inv->since), err);
	put(o, "view", view, err);
	put(o, "summary", summary_json(inv, err), err);
	a = json_array();
	for (size_t i = 0; a != NULL && i < inv->nscans; i++)
		push(a, scan_json(&inv->scans[i], err), err);
	put(o, "scans", a, err);
	a = json_array();
	for (size_t i = 0; a != NULL && i < inv->nendpoints; i++)
		push(a, endpoint_json(inv, &inv->endpoints[i], err), err);
	put(o, "endpoints", a, err);
	a = json_array();
	for (size_t i = 0; a != NULL && i < inv->ncerts; i++)
		push(a, cert_json(inv, &inv->certs[i], err), err);
	put(o, "certificates", a, err);
	a = json_array();
	for (size_t i = 0; a != NULL && i < inv->nfindings; i++)
		push(a, finding_json(inv, &inv->findings[i], err), err);
	put(o, "findings", a, err);
	return o;
}

int
report_json(FILE *out, const struct inventory *inv)
{
	bool err = false;
	json_t *doc = document(inv, &err);
	int rc = -1;

	if (doc == NULL || err)
		goto out;
	if (json_dumpf(doc, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(15)) == -1 || fputc('\n', out) == EOF ||
	    fflush(out) == EOF || ferror(out))
		goto out;
	rc = 0;
 out:
	json_decref(doc);
	return rc;
}
