/*
 * enum_steps.c: the plan.  Which attempt comes next, and what its answer
 * means.  In order:
 *
 *  1. an SSLv2 CLIENT-HELLO;
 *  2. the standard hello (TLS 1.3 + 1.2, x25519 key share, every suite):
 *     its ServerHello gives JA3S, and it is the first step of the chain
 *     of whatever version the server picked;
 *  3. per version, newest first (TLS 1.3 and 1.2; the older ones after
 *     JARM), a chain: offer every suite not found yet,
 *     the server picks one, repeat until it refuses.  A version's first
 *     step is also its probe: a server that answers with a lower version
 *     has shown that version's first suite and that the ones in between
 *     are off; a protocol_version alert says nothing lower is on either.
 *     Offers alternate ascending and descending suite order, so that a
 *     server which follows the client's order is caught without extra
 *     attempts (enum_result.c); only when the picks fit both readings is
 *     one more attempt made (two suites in reverse order).  TLS 1.3 steps
 *     learn a group at the same time (HelloRetryRequest names one);
 *  4. the ten JARM probes (ENUM_F_JARM), before TLS 1.1 and older: a
 *     protocol_version alert to JARM's TLS 1.1 probe spares our own;
 *  5. TLS <= 1.2 ECDHE curves when there is no TLS 1.3;
 *  6. TLS_FALLBACK_SCSV at the best version below the highest.
 *
 * The number of attempts is about (suites found + groups found + 8), plus
 * 10 for JARM.
 */
#include "probes/enum_internal.h"

#include <stdio.h>
#include <string.h>

#define NOTE(p, ...)	do { if ((p)->note[0] == '\0') \
	snprintf((p)->note, sizeof((p)->note), __VA_ARGS__); } while (0)

static void	versions_off_between(struct enum_plan *, int, int);

/* ---- lists --------------------------------------------------------------- */

/* dst = cand minus the picks, ascending or descending. */
static size_t
remaining(const uint16_t *cand, size_t n, const uint16_t *picks,
    size_t npicks, bool desc, uint16_t *dst)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		uint16_t id = cand[desc ? n - 1 - i : i];

		if (!enum_list_has(picks, npicks, id))
			dst[k++] = id;
	}
	return k;
}

static void
tls12_groups(struct offer *o)
{
	size_t g;

	o->ngroups = enum_curves12(o->groups, ENUM_MAX_GROUPS);
	for (g = 256; g <= 260 && o->ngroups < ENUM_MAX_GROUPS; g++)
		o->groups[o->ngroups++] = (uint16_t)g;
}

static void
offer_reset(struct enum_plan *p, enum step_kind kind, int ver)
{
	memset(&p->off, 0, sizeof(p->off));
	p->off.kind = kind;
	p->off.ver = ver;
}

/* ---- step choice ------------------------------------------------------- */

/* The next suite of a TLS <= 1.2 version (its probe when nothing yet). */
static bool
fill_ciphers(struct enum_plan *p, int ver)
{
	struct vchain *c = &p->ch[ver];

	offer_reset(p, STEP_CIPHERS, ver);
	p->off.reversed = c->npicks % 2 == 1;
	p->off.nsuites = remaining(p->cand12, p->ncand12, c->picks, c->npicks,
	    p->off.reversed, p->off.suites);
	if (p->off.nsuites == 0 || c->npicks >= ENUM_MAX_PICKS) {
		c->done = true;
		return false;
	}
	tls12_groups(&p->off);
	p->off.deflate = true;
	p->off.exts = ver >= TLSENUM_TLS10;
	return true;
}

/* The next TLS 1.3 suite and/or group (see enum_internal.h t13_mode). */
static bool
fill_t13(struct enum_plan *p)
{
	struct vchain *c = &p->ch[TLSENUM_TLS13];
	struct offer *o = &p->off;
	uint16_t g13[ENUM_MAX_GROUPS], crem[16], grem[ENUM_MAX_GROUPS];
	size_t ng = enum_groups13(g13, ENUM_MAX_GROUPS), ncrem, ngrem;
	bool desc = c->npicks % 2 == 1;

	ncrem = remaining(p->cand13, p->ncand13, c->picks, c->npicks, desc,
	    crem);
	ngrem = remaining(g13, ng, p->groups, p->ngroups, false, grem);
	if (ncrem == 0)
		c->cdone = true;
	if (ngrem == 0)
		c->gdone = true;
	if (c->cdone && c->gdone) {
		c->done = true;
		return false;
	}
	offer_reset(p, STEP_CIPHERS, TLSENUM_TLS13);
	o->mode = c->mode;
	if (c->cdone)
		o->mode = T13_GROUPS;
	else if (c->gdone)
		o->mode = T13_SUITES;
	o->crem = o->mode != T13_GROUPS;
	o->grem = o->mode != T13_SUITES;
	o->reversed = desc;
	if (o->crem) {
		memcpy(o->suites, crem, ncrem * sizeof(crem[0]));
		o->nsuites = ncrem;
	} else {
		memcpy(o->suites, c->picks, c->npicks * sizeof(c->picks[0]));
		o->nsuites = c->npicks;
	}
	if (o->grem) {
		memcpy(o->groups, grem, ngrem * sizeof(grem[0]));
		o->ngroups = ngrem;
	} else {
		memcpy(o->groups, p->groups, p->ngroups * sizeof(p->groups[0]));
		o->ngroups = p->ngroups;
	}
	return true;
}

/* Two suites, the server's first two picks, in reverse. */
static void
fill_pref(struct enum_plan *p, int ver)
{
	struct vchain *c = &p->ch[ver];

	offer_reset(p, STEP_PREF, ver);
	p->off.suites[0] = c->picks[1];
	p->off.suites[1] = c->picks[0];
	p->off.nsuites = 2;
	if (ver == TLSENUM_TLS13) {
		memcpy(p->off.groups, p->groups, p->ngroups *
		    sizeof(p->groups[0]));
		p->off.ngroups = p->ngroups;
	} else {
		tls12_groups(&p->off);
		p->off.deflate = true;
		p->off.exts = ver >= TLSENUM_TLS10;
	}
}

static bool
is_ecdhe(uint16_t id)
{
	struct tlswire_cipher_info ci;

	return tlswire_cipher_info(id, &ci) == 0 &&
	    (ci.kx == TLSWIRE_KX_ECDHE || ci.kx == TLSWIRE_KX_ECDHE_PSK);
}

/* TLS <= 1.2 curves: once, from the chain's ServerKeyExchanges, then one
 * attempt per curve not seen yet. */
static bool
fill_curves(struct enum_plan *p)
{
	uint16_t all[ENUM_MAX_GROUPS];
	struct vchain *c = NULL;
	size_t i, n;
	int v;

	if (p->supported[TLSENUM_TLS13] == 1)
		return false;
	for (v = TLSENUM_TLS12; v >= TLSENUM_SSL3 && c == NULL; v--)
		if (p->supported[v] == 1 && p->ch[v].npicks > 0)
			c = &p->ch[v];
	if (c == NULL)
		return false;
	offer_reset(p, STEP_CURVES, v + 1);
	for (i = 0; i < c->npicks; i++) {
		if (c->curve[i] != 0 && !enum_list_has(p->groups, p->ngroups,
		    c->curve[i]) && p->ngroups < ENUM_MAX_GROUPS)
			p->groups[p->ngroups++] = c->curve[i];
		if (is_ecdhe(c->picks[i]))
			p->off.suites[p->off.nsuites++] = c->picks[i];
	}
	if (p->off.nsuites == 0)
		return false;
	n = enum_curves12(all, ENUM_MAX_GROUPS);
	p->off.ngroups = remaining(all, n, p->groups, p->ngroups, false,
	    p->off.groups);
	p->off.exts = p->off.ver >= TLSENUM_TLS10;
	return p->off.ngroups > 0;
}

/* The best version below the highest one, with TLS_FALLBACK_SCSV. */
static bool
fill_fallback(struct enum_plan *p)
{
	int v, top = -1, low = -1;

	for (v = TLSENUM_TLS13; v >= TLSENUM_TLS10; v--) {
		if (p->supported[v] != 1)
			continue;
		if (top == -1)
			top = v;
		else if (low == -1)
			low = v;
	}
	if (low == -1)		/* nothing to fall back to: not applicable */
		return false;
	offer_reset(p, STEP_FALLBACK, low);
	p->off.nsuites = p->ncand12;
	memcpy(p->off.suites, p->cand12, p->ncand12 * sizeof(p->cand12[0]));
	tls12_groups(&p->off);
	p->off.deflate = true;
	p->off.exts = true;
	return true;
}

static void
fill_std(struct enum_plan *p)
{
	size_t n = p->ncand13, m = p->ncand12;

	offer_reset(p, STEP_STD, TLSENUM_TLS13);
	if (m > ENUM_MAX_CAND - n)
		m = ENUM_MAX_CAND - n;
	memcpy(p->off.suites, p->cand13, n * sizeof(p->cand13[0]));
	memcpy(p->off.suites + n, p->cand12, m * sizeof(p->cand12[0]));
	p->off.nsuites = n + m;
	p->off.ngroups = enum_groups13(p->off.groups, ENUM_MAX_GROUPS);
	p->off.exts = true;
	p->off.crem = p->off.grem = true;
}

/* A version's chain: its next step or its preference attempt. */
static bool
choose_version(struct enum_plan *p, int v)
{
	struct vchain *c = &p->ch[v];
	int order;

	if (p->supported[v] == 0)
		return false;
	if (!c->done) {
		if (v == TLSENUM_TLS13 ? fill_t13(p) : fill_ciphers(p, v))
			return true;
	}
	if (!c->done || c->pref_done)
		return false;
	order = enum_infer_order(p, v);
	if (order != -1 || c->npicks < 2) {
		c->server_order = (int8_t)order;
		c->pref_done = true;
		return false;
	}
	fill_pref(p, v);
	return true;
}

bool
enum_choose(struct enum_plan *p)
{
	int v;

	if (!p->ssl2_done) {
		offer_reset(p, STEP_SSL2, TLSENUM_SSL2);
		return true;
	}
	if (!p->std_done) {
		fill_std(p);
		return true;
	}
	for (v = TLSENUM_TLS13; v >= TLSENUM_TLS12; v--)
		if (choose_version(p, v))
			return true;
	/* JARM before the older versions: its TLS 1.1 probe may spare ours */
	if (p->jarm_next < JARM_PROBES && !p->jarm_dead) {
		offer_reset(p, STEP_JARM, -1);
		p->off.jarm = p->jarm_next;
		return true;
	}
	if (p->jarm_next > JARM_TLS11 && p->jarm_alert[JARM_TLS11] == 70)
		versions_off_between(p, TLSENUM_SSL2, TLSENUM_TLS12);
	for (v = TLSENUM_TLS11; v >= TLSENUM_SSL3; v--)
		if (choose_version(p, v))
			return true;
	if (!p->curves_done) {
		if (fill_curves(p))
			return true;
		p->curves_done = true;
	}
	if (!p->fallback_done) {
		if (fill_fallback(p))
			return true;
		p->fallback_done = true;
	}
	return false;
}

/* ---- answers ----------------------------------------------------------- */

static void
sticky(int8_t *fact, bool yes)
{
	if (yes)
		*fact = 1;
	else if (*fact == -1)
		*fact = 0;
}

/* Extension facts: from any TLS <= 1.2 ServerHello to our extensions. */
static void
learn_facts(struct enum_plan *p)
{
	const struct resp *r = &p->r;
	struct tlswire_cipher_info ci;

	if (!r->sh || r->hrr || r->version >= TLSWIRE_TLS13 ||
	    r->version < TLSWIRE_SSL3)
		return;
	if (p->off.deflate)
		sticky(&p->comp, r->comp == 1);
	if (r->dh_bits > 0 && (p->dh_min == 0 || r->dh_bits < p->dh_min))
		p->dh_min = r->dh_bits;
	if (!p->off.exts)
		return;
	sticky(&p->reneg, r->reneg);
	sticky(&p->ems, r->ems);
	sticky(&p->ticket, r->ticket);
	sticky(&p->hb, r->hb);
	sticky(&p->ocsp, r->status || r->cert_status);
	if (tlswire_cipher_info(r->cipher, &ci) == 0 && ci.is_cbc)
		sticky(&p->etm, r->etm);
	if (p->alpn[0] == '\0' && r->alpn[0] != '\0')
		snprintf(p->alpn, sizeof(p->alpn), "%.31s", r->alpn);
}

static bool
add_pick(struct enum_plan *p, int ver)
{
	struct vchain *c = &p->ch[ver];
	const struct resp *r = &p->r;

	if (!enum_list_has(p->off.suites, p->off.nsuites, r->cipher) ||
	    enum_list_has(c->picks, c->npicks, r->cipher) ||
	    c->npicks >= ENUM_MAX_PICKS) {
		NOTE(p, "%s: server chose suite 0x%04x it was not offered",
		    tlswire_version_name(enum_ver_wire(ver)), r->cipher);
		return false;
	}
	c->picks[c->npicks] = r->cipher;
	c->reversed[c->npicks] = p->off.reversed;
	c->dh_bits[c->npicks] = r->dh_bits;
	c->curve[c->npicks] = r->curve;
	c->npicks++;
	c->started = true;
	p->supported[ver] = 1;
	return true;
}

static bool
add_group(struct enum_plan *p, uint16_t g)
{
	if (g == 0 || !enum_list_has(p->off.groups, p->off.ngroups, g) ||
	    enum_list_has(p->groups, p->ngroups, g) ||
	    p->ngroups >= ENUM_MAX_GROUPS)
		return false;
	p->groups[p->ngroups++] = g;
	return true;
}

/* Versions (low, high) exclusive are off; low answered for high. */
static void
versions_off_between(struct enum_plan *p, int low, int high)
{
	int v;

	for (v = low + 1; v < high; v++)
		if (p->supported[v] == -1)
			p->supported[v] = 0;
}

static void
ja3s(struct enum_plan *p)
{
	const struct resp *r = &p->r;

	if (p->ja3s[0] == '\0' && r->sh)
		enum_ja3s(r->legacy, r->cipher, r->exts, r->nexts, p->ja3s);
}

static void
on_std(struct enum_plan *p)
{
	const struct resp *r = &p->r;
	int w = r->sh ? enum_ver_index(r->version) : -1;

	p->std_done = true;
	ja3s(p);
	if (w == TLSENUM_TLS13) {
		p->groups13 = true;
		add_pick(p, TLSENUM_TLS13);
		add_group(p, r->group);
		return;
	}
	/* TLS 1.3 refused; the ServerHello of an older version is that
	 * version's first step: the 1.2 part of the offer was all suites,
	 * ascending, as the chain's first step offers them. */
	p->supported[TLSENUM_TLS13] = 0;
	if (w < 0)
		return;
	versions_off_between(p, w, TLSENUM_TLS13);
	add_pick(p, w);
	learn_facts(p);
}

static void
on_t13(struct enum_plan *p)
{
	struct vchain *c = &p->ch[TLSENUM_TLS13];
	const struct offer *o = &p->off;
	const struct resp *r = &p->r;
	bool newc = false, newg = false;

	c->mode = T13_BOTH;
	if (!r->sh || r->version != TLSWIRE_TLS13) {
		if (o->crem && o->grem)		/* which list ran out? */
			c->mode = T13_GROUPS;
		else if (o->crem)
			c->cdone = true;
		else
			c->gdone = true;
		return;
	}
	if (o->crem)
		newc = add_pick(p, TLSENUM_TLS13);
	if (o->grem)
		newg = add_group(p, r->group);
	/* a success with the known suites: the suites had run out */
	if (o->mode == T13_GROUPS && !o->crem && o->grem && !c->cdone &&
	    newg)
		c->cdone = true;
	if ((o->crem && !newc) || (o->grem && !newg)) {
		NOTE(p, "TLSv1.3: answer outside the offer (suite 0x%04x, "
		    "group %u)", r->cipher, r->group);
		c->cdone = c->gdone = true;
	}
}

static void
on_ciphers(struct enum_plan *p)
{
	const struct resp *r = &p->r;
	int v = p->off.ver, w;
	struct vchain *c = &p->ch[v];

	if (v == TLSENUM_TLS13) {
		on_t13(p);
		return;
	}
	ja3s(p);
	learn_facts(p);
	w = r->sh && !r->hrr ? enum_ver_index(r->version) : -1;
	if (c->npicks > 0) {		/* the chain goes on, or ends */
		if (w != v || !add_pick(p, v))
			c->done = true;
		return;
	}
	if (w == v) {
		add_pick(p, v);
		return;
	}
	p->supported[v] = 0;
	c->done = true;
	if (w >= TLSENUM_SSL3 && w < v) {
		versions_off_between(p, w, v);
		if (p->ch[w].npicks == 0)
			add_pick(p, w);
	} else if (w > v) {
		NOTE(p, "%s offered, server answered %s",
		    tlswire_version_name(enum_ver_wire(v)),
		    tlswire_version_name(r->version));
	} else if (r->alert && r->alert_desc == 70) {
		/* protocol_version: nothing at or below v */
		versions_off_between(p, TLSENUM_SSL2, v);
	}
}

static void
on_pref(struct enum_plan *p)
{
	struct vchain *c = &p->ch[p->off.ver];
	const struct resp *r = &p->r;

	c->pref_done = true;
	learn_facts(p);
	if (!r->sh || enum_ver_index(r->version) != p->off.ver)
		return;
	if (r->cipher == c->picks[0])
		c->server_order = 1;
	else if (r->cipher == c->picks[1])
		c->server_order = 0;
}

static void
on_curves(struct enum_plan *p)
{
	const struct resp *r = &p->r;

	learn_facts(p);
	if (!r->sh || !r->ske || !add_group(p, r->curve))
		p->curves_done = true;
}

static void
on_fallback(struct enum_plan *p)
{
	const struct resp *r = &p->r;

	p->fallback_done = true;
	learn_facts(p);
	if (r->alert && r->alert_desc == 86)	/* inappropriate_fallback */
		p->fallback = 1;
	else if (r->sh)
		p->fallback = 0;
}

static void
on_jarm(struct enum_plan *p, bool timed_out)
{
	struct jarm_answer *a = &p->jarm[p->off.jarm];
	const struct resp *r = &p->r;

	p->jarm_next = p->off.jarm + 1;
	/* the reference tool: one probe timing out voids the whole hash */
	if (timed_out) {
		p->jarm_dead = true;
		return;
	}
	memset(a, 0, sizeof(*a));
	if (!r->sh) {
		p->jarm_alert[p->off.jarm] = r->alert ? r->alert_desc : 0;
		return;
	}
	a->hello = true;
	a->cipher = r->cipher;
	a->version = r->legacy;
	memcpy(a->alpn, r->alpn, sizeof(a->alpn));
	a->nexts = r->nexts < JARM_MAX_EXTS ? r->nexts : JARM_MAX_EXTS;
	memcpy(a->exts, r->exts, a->nexts * sizeof(a->exts[0]));
}

void
enum_outcome(struct enum_plan *p, bool timed_out)
{
	const struct resp *r = &p->r;

	switch (p->off.kind) {
	case STEP_SSL2:
		p->ssl2_done = true;
		p->supported[TLSENUM_SSL2] = r->v2 ? 1 : 0;
		p->nssl2_specs = r->nv2specs;
		memcpy(p->ssl2_specs, r->v2specs, sizeof(p->ssl2_specs));
		break;
	case STEP_STD:
		on_std(p);
		break;
	case STEP_CIPHERS:
		on_ciphers(p);
		break;
	case STEP_PREF:
		on_pref(p);
		break;
	case STEP_CURVES:
		on_curves(p);
		break;
	case STEP_FALLBACK:
		on_fallback(p);
		break;
	case STEP_JARM:
		on_jarm(p, timed_out);
		break;
	default:
		break;
	}
}
