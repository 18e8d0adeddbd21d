/*
 * inventory.c: freeing and counting an inventory view (inventory.h).
 * The counts live here, not in a writer, so that the HTML cards, the JSON
 * summary and the CSV columns can never disagree.
 */
#include "scanner/inventory.h"

#include <stdlib.h>
#include <string.h>

static void
scan_free(struct inv_scan *s)
{
	free(s->kind);
	free(s->arguments);
}

static void
cert_free(struct inv_cert *c)
{
	free(c->subject);
	free(c->issuer);
	free(c->serial);
	free(c->key_type);
	free(c->curve);
	free(c->sig_alg);
	free(c->eku);
	for (size_t i = 0; i < c->nsans; i++)
		free(c->sans[i]);
	free(c->sans);
}

static void
endpoint_free(struct inv_endpoint *e)
{
	free(e->ip);
	free(e->hostname);
	free(e->sni);
	free(e->protocol);
	free(e->country);
	free(e->city);
	free(e->as_org);
	free(e->status);
	free(e->reason);
	free(e->version);
	free(e->cipher);
	free(e->group);
	free(e->alpn);
	free(e->verify_reason);
	free(e->chain);
}

static void
finding_free(struct inv_finding *f)
{
	free(f->rule);
	free(f->cert_subject);
	free(f->detail);
}

void
inventory_free(struct inventory *inv)
{
	if (inv == NULL)
		return;
	for (size_t i = 0; i < inv->nscans; i++)
		scan_free(&inv->scans[i]);
	for (size_t i = 0; i < inv->ncerts; i++)
		cert_free(&inv->certs[i]);
	for (size_t i = 0; i < inv->nendpoints; i++)
		endpoint_free(&inv->endpoints[i]);
	for (size_t i = 0; i < inv->nfindings; i++)
		finding_free(&inv->findings[i]);
	free(inv->scans);
	free(inv->certs);
	free(inv->endpoints);
	free(inv->findings);
	memset(inv, 0, sizeof(*inv));
}

int64_t
inventory_days_left(int64_t now, int64_t t)
{
	int64_t d = t - now;

	/* Floor, not C's truncation: one second past is day -1. */
	return d >= 0 ? d / 86400 : -((-d + 86399) / 86400);
}

static void
count_certs(struct inventory *inv)
{
	struct inv_summary *s = &inv->summary;

	for (size_t i = 0; i < inv->nendpoints; i++) {
		const struct inv_endpoint *e = &inv->endpoints[i];

		for (size_t d = 0; d < e->chain_len; d++) {
			if (e->chain[d] >= inv->ncerts)
				continue;
			inv->certs[e->chain[d]].nendpoints++;
			if (d == 0)
				inv->certs[e->chain[d]].nleaf++;
		}
	}
	s->certificates = inv->ncerts;
	for (size_t i = 0; i < inv->ncerts; i++) {
		const struct inv_cert *c = &inv->certs[i];
		int64_t left = c->not_after - inv->generated;

		if (c->nleaf > 0)
			s->leaves++;
		if (left < 0) {
			s->expired++;
			continue;
		}
		if (left <= 7 * 86400)
			s->expiring_7++;
		if (left <= 30 * 86400)
			s->expiring_30++;
		if (left <= 90 * 86400)
			s->expiring_90++;
	}
}

void
inventory_summarize(struct inventory *inv)
{
	struct inv_summary *s = &inv->summary;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < inv->ncerts; i++)
		inv->certs[i].nendpoints = inv->certs[i].nleaf = 0;
	for (size_t i = 0; i < inv->nendpoints; i++) {
		struct inv_endpoint *e = &inv->endpoints[i];

		e->nopen = 0;
		e->worst = -1;
		if (e->status != NULL && strcmp(e->status, "ok") == 0)
			s->endpoints_up++;
	}
	s->endpoints = inv->nendpoints;
	count_certs(inv);
	for (size_t i = 0; i < inv->nfindings; i++) {
		const struct inv_finding *f = &inv->findings[i];
		struct inv_endpoint *e;

		if (!f->open) {
			s->findings_resolved++;
			continue;
		}
		s->findings_open++;
		if ((unsigned)f->severity < SEV__MAX)
			s->by_severity[f->severity]++;
		if (f->endpoint >= inv->nendpoints)
			continue;
		e = &inv->endpoints[f->endpoint];
		e->nopen++;
		if ((int)f->severity > e->worst)
			e->worst = (int)f->severity;
	}
}
