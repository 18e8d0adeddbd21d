/*
 * enum_result.c: from the planner's state to struct tls_enum, and the
 * reading of a version's picks that says whose order the server follows.
 *
 * Offers alternate ascending and descending suite ids.  A server that
 * follows the client's order picks, at each step, the lowest (ascending
 * offer) or highest (descending) id among the suites it accepts and has
 * not been shown yet.  If any pick differs from that, the server has an
 * order of its own; if every pick fits, it follows the client's, unless
 * there are too few picks to tell a coincidence apart: then the planner
 * spends one attempt offering the first two picks reversed.
 */
#include "probes/enum_internal.h"

#include <stdio.h>
#include <string.h>

#include "scanner/xmem.h"

int
enum_infer_order(const struct enum_plan *p, int ver)
{
	const struct vchain *c = &p->ch[ver];
	size_t k, i;

	if (c->npicks < 2)
		return -1;
	for (k = 0; k < c->npicks; k++) {
		uint16_t want = c->picks[k];

		/* among picks k.. (those not shown before step k) */
		for (i = k + 1; i < c->npicks; i++) {
			if (c->reversed[k] ? c->picks[i] > want :
			    c->picks[i] < want)
				return 1;
		}
	}
	/* Every pick fits the client's order.  A server order that happens
	 * to alternate like our offers has odds 1/n!: from four suites on,
	 * take it as the client's order; below, ask (one attempt). */
	return c->npicks >= ENUM_PREF_INFER ? 0 : -1;
}

static void
cipher_of(struct tls_enum_cipher *e, uint16_t id, unsigned dh_bits,
    uint16_t curve)
{
	struct tlswire_cipher_info ci;

	memset(e, 0, sizeof(*e));
	e->id = id;
	e->dh_bits = dh_bits;
	e->curve = curve;
	if (tlswire_cipher_info(id, &ci) == -1) {
		e->name = "unknown";
		return;
	}
	e->name = ci.name;
	e->openssl = ci.openssl;
	e->kx = tlswire_kx_name(ci.kx);
	e->enc = tlswire_enc_name(ci.enc);
	e->bits = ci.enc_bits;
	e->fs = ci.has_fs;
}

static void
version_result(const struct enum_plan *p, int v, struct tls_enum_version *o)
{
	const struct vchain *c = &p->ch[v];
	size_t i;

	o->wire = enum_ver_wire(v);
	o->name = tlswire_version_name(o->wire);
	o->supported = p->supported[v];
	o->server_order = c->server_order;
	if (v == TLSENUM_SSL2) {
		o->server_order = -1;
		if (p->nssl2_specs == 0)
			return;
		o->ciphers = xcalloc(p->nssl2_specs, sizeof(*o->ciphers));
		for (i = 0; i < p->nssl2_specs; i++) {
			o->ciphers[i].id = p->ssl2_specs[i];
			o->ciphers[i].name = tlswire_sslv2_cipher_name(
			    p->ssl2_specs[i]);
			o->ciphers[i].openssl =
			    tlswire_sslv2_cipher_openssl_name(p->ssl2_specs[i]);
			if (o->ciphers[i].name == NULL)
				o->ciphers[i].name = "unknown";
		}
		o->nciphers = p->nssl2_specs;
		return;
	}
	if (c->npicks == 0)
		return;
	o->ciphers = xcalloc(c->npicks, sizeof(*o->ciphers));
	for (i = 0; i < c->npicks; i++)
		cipher_of(&o->ciphers[i], c->picks[i], c->dh_bits[i],
		    c->curve[i]);
	o->nciphers = c->npicks;
}

void
enum_plan_result(struct enum_plan *p, struct observation *obs)
{
	struct tls_enum *e = xcalloc(1, sizeof(*e));
	size_t i;
	int v;

	for (v = 0; v < TLSENUM_VER__MAX; v++)
		version_result(p, v, &e->v[v]);
	if (p->ngroups > 0) {
		e->groups = xcalloc(p->ngroups, sizeof(*e->groups));
		for (i = 0; i < p->ngroups; i++) {
			e->groups[i].id = p->groups[i];
			e->groups[i].name = tlswire_group_name(p->groups[i]);
		}
		e->ngroups = p->ngroups;
	}
	e->groups_tls13 = p->groups13;
	e->dh_bits = p->dh_min;
	e->secure_reneg = p->reneg;
	e->compression = p->comp;
	e->ocsp_stapling = p->ocsp;
	e->session_ticket = p->ticket;
	e->fallback_scsv = p->fallback;
	e->heartbeat = p->hb;
	e->ems = p->ems;
	e->etm = p->etm;
	snprintf(e->alpn, sizeof(e->alpn), "%s", p->alpn);
	snprintf(e->ja3s, sizeof(e->ja3s), "%s", p->ja3s);
	if ((p->opts.flags & ENUM_F_JARM) && (p->jarm_dead ||
	    p->jarm_next >= JARM_PROBES)) {
		struct jarm_answer none[JARM_PROBES];

		memset(none, 0, sizeof(none));
		jarm_hash(p->jarm_dead ? none : p->jarm, e->jarm);
		snprintf(obs->jarm, sizeof(obs->jarm), "%s", e->jarm);
	}
	e->attempts = p->attempts;
	e->truncated = p->stopped || !p->finished;
	snprintf(e->note, sizeof(e->note), "%s", p->note);
	if (obs->ja3s[0] == '\0')
		snprintf(obs->ja3s, sizeof(obs->ja3s), "%s", e->ja3s);
	tls_enum_free(obs->tlsenum);
	obs->tlsenum = e;
}
