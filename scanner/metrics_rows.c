/*
 * metrics_rows.c: helpers for the exporter's plain rows (metrics_rows.h).
 */
#include "scanner/metrics_rows.h"

#include <stdlib.h>
#include <string.h>

#include "scanner/xmem.h"

char *
metrics_endpoint_name(const char *ip, unsigned port)
{
	if (strchr(ip, ':') != NULL)
		return xasprintf("[%s]:%u", ip, port);
	return xasprintf("%s:%u", ip, port);
}

static void
cert_clear(struct mrow_cert *c)
{
	free(c->serial);
	free(c->subject);
	free(c->issuer);
	memset(c, 0, sizeof(*c));
}

void
metrics_endpoint_clear(struct mrow_endpoint *e)
{
	free(e->endpoint);
	free(e->sni);
	free(e->protocol);
	free(e->status);
	free(e->version);
	free(e->cipher);
	for (size_t i = 0; i < e->chain_len; i++)
		cert_clear(&e->chain[i]);
	free(e->chain);
	memset(e, 0, sizeof(*e));
}

void
metrics_finding_clear(struct mrow_finding *f)
{
	free(f->endpoint);
	free(f->sni);
	free(f->protocol);
	free(f->rule);
	free(f->severity);
	memset(f, 0, sizeof(*f));
}

static void
counts_free(struct mrow_count *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].a);
		free(c[i].b);
	}
	free(c);
}

void
metrics_inventory_clear(struct metrics_inventory *inv)
{
	for (size_t i = 0; i < inv->nendpoints; i++)
		metrics_endpoint_clear(&inv->endpoints[i]);
	free(inv->endpoints);
	for (size_t i = 0; i < inv->nfindings; i++)
		metrics_finding_clear(&inv->findings[i]);
	free(inv->findings);
	counts_free(inv->by_rule, inv->nby_rule);
	counts_free(inv->by_status, inv->nby_status);
	memset(inv, 0, sizeof(*inv));
}

void
metrics_probe_clear(struct metrics_probe *p)
{
	metrics_endpoint_clear(&p->ep);
	for (size_t i = 0; i < p->nfindings; i++)
		metrics_finding_clear(&p->findings[i]);
	free(p->findings);
	memset(p, 0, sizeof(*p));
}
