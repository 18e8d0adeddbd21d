/*
 * passive_tls.c: the passive pipeline after capture: flow table ->
 * per-direction TLS detection (directly, or after a STARTTLS go-ahead) ->
 * tlswire parser per direction -> one struct observation per connection.
 *
 * Each flow gets a small state (struct pflow) as the flow's user pointer.
 * The first bytes of each direction decide: a TLS/SSLv2 hello starts a
 * parser; plaintext that fits a STARTTLS dialogue goes to the watcher
 * (passive.c) until it says where TLS starts; anything else stops the
 * direction.  The observation is emitted once, when the server's
 * cleartext flight is complete (tlswire_done: ServerHelloDone, encrypted
 * records as in TLS 1.3, an alert) or when the flow ends; then the flow
 * is marked done so its remaining packets cost almost nothing.
 * TLS 1.3 certificates are encrypted: such observations have no chain.
 *
 * Certificates are kept as DER until the emit, and decoded only then:
 * with opts.dedupe, a connection equal to an earlier one (a 64-bit hash
 * of its server, names, TLS facts, fingerprints and DER) is counted and
 * dropped before any X.509 work, which is what makes long captures of
 * the same servers cheap.
 */
#include "probes/passive.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "probes/fingerprint.h"
#include "probes/tlswire.h"
#include "scanner/cert.h"
#include "scanner/record.h"
#include "scanner/xmem.h"

#define PEEK_MAX	8	/* bytes judged before choosing a path */

enum dir_mode {
	DM_NEW,			/* nothing judged yet */
	DM_PLAIN,		/* STARTTLS watcher follows it */
	DM_TLS,			/* tlswire parser follows it */
	DM_OFF,			/* not interesting */
};

struct pdir {
	enum dir_mode		 mode;
	uint8_t			 peek[PEEK_MAX];
	size_t			 npeek;
	bool			 parser_on;
	struct tlswire_parser	 parser;
	struct tlswire_events	 ev;
};

struct pflow {
	struct passive		*ps;
	struct flow		*flow;
	struct pdir		 dir[FLOW_DIR__MAX];
	struct passive_stls	*stls;		/* when following plaintext */
	bool			 counted_tls;
	bool			 have_sh;
	bool			 have_alert;
	bool			 emitted;
	uint8_t			 alert;
	struct observation	*obs;		/* from the first TLS byte on */
	uint8_t			*der[CHAIN_MAX];	/* the chain as sent */
	size_t			 der_len[CHAIN_MAX];
	size_t			 nder;
};

/* 64-bit hashes of the connections emitted (opts.dedupe); 0 = empty. */
struct dedupe {
	uint64_t		*h;
	size_t			 cap;		/* a power of two */
	size_t			 n;
};

struct passive {
	struct flow_table	*ft;
	struct passive_opts	 opts;
	passive_emit_fn		 emit;
	void			*arg;
	struct passive_stats	 st;
	struct dedupe		 seen;
};

/* Printable ASCII copy, NUL-terminated, bounded by the destination. */
static void
copy_text(char *dst, size_t dstlen, const uint8_t *src, size_t len)
{
	size_t i;

	for (i = 0; i < len && i + 1 < dstlen; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	dst[i] = '\0';
}

static void
ev_client_hello(void *arg, const struct tlswire_client_hello *ch)
{
	struct pflow *pf = arg;
	struct observation *o = pf->obs;

	pf->ps->st.client_hellos++;
	copy_text(o->sni, sizeof(o->sni), ch->sni.data,
	    ch->sni.len);
	(void)fingerprint_ja3(ch, o->ja3);
	(void)fingerprint_ja4(ch, o->ja4);
}

static void
ev_server_hello(void *arg, const struct tlswire_server_hello *sh)
{
	struct pflow *pf = arg;
	struct observation *o = pf->obs;
	const struct flow_info *in = flow_get_info(pf->flow);
	const char *name;

	pf->ps->st.server_hellos++;
	pf->have_sh = true;
	o->time = in->last_sec;	/* the packet carrying it */
	(void)fingerprint_ja3s(sh, o->ja3s);
	if ((name = tlswire_version_name(sh->version)) != NULL)
		snprintf(o->version, sizeof(o->version), "%s", name);
	else
		snprintf(o->version, sizeof(o->version), "0x%04x",
		    sh->version);
	if ((name = tlswire_cipher_name(sh->cipher)) != NULL)
		snprintf(o->cipher, sizeof(o->cipher), "%s", name);
	else
		snprintf(o->cipher, sizeof(o->cipher), "0x%04x",
		    sh->cipher);
	if (sh->key_share_group != 0 &&
	    (name = tlswire_group_name(sh->key_share_group)) != NULL)
		snprintf(o->group, sizeof(o->group), "%s", name);
	copy_text(o->alpn, sizeof(o->alpn), sh->alpn.data,
	    sh->alpn.len);
}

/* Keeps the DER for the emit (at most CHAIN_MAX; the rest dropped). */
static void
keep_der(struct pflow *pf, const uint8_t *der, size_t len)
{
	if (pf->nder >= CHAIN_MAX)
		return;
	pf->der[pf->nder] = xmemdup(der, len);
	pf->der_len[pf->nder++] = len;
}

static void
ev_certificate(void *arg, size_t index, const uint8_t *der, size_t len)
{
	(void)index;		/* they come in order */
	keep_der(arg, der, len);
}

/* Decodes the kept DER into the observation's chain. */
static void
decode_chain(struct pflow *pf)
{
	struct observation *o = pf->obs;
	struct cert_record rec;

	for (size_t i = 0; i < pf->nder; i++) {
		if (cert_record_from_der_lite(&rec, pf->der[i],
		    pf->der_len[i]) == -1) {
			pf->ps->st.bad_certs++;
			continue;
		}
		o->chain = xreallocarray(o->chain, o->chain_len + 1,
		    sizeof(*o->chain));
		o->chain[o->chain_len++] = rec;
	}
}

static void
ev_server_kx(void *arg, const struct tlswire_server_kx *kx)
{
	struct pflow *pf = arg;
	struct observation *o = pf->obs;
	const char *name;

	if (kx->kind == TLSWIRE_SKE_ECDHE &&
	    (name = tlswire_group_name(kx->named_curve)) != NULL)
		snprintf(o->group, sizeof(o->group), "%s", name);
	else if (kx->kind == TLSWIRE_SKE_DHE)
		snprintf(o->group, sizeof(o->group), "dh%u",
		    kx->dh_prime_bits);
}

static void
ev_server_alert(void *arg, uint8_t level, uint8_t desc)
{
	struct pflow *pf = arg;

	(void)level;
	if (!pf->have_alert) {
		pf->have_alert = true;
		pf->alert = desc;
	}
}

static void
ev_sslv2_hello(void *arg, const struct tlswire_sslv2_server_hello *sh)
{
	struct pflow *pf = arg;
	struct observation *o = pf->obs;

	pf->ps->st.server_hellos++;
	pf->have_sh = true;
	o->time = flow_get_info(pf->flow)->last_sec;
	snprintf(o->version, sizeof(o->version), "SSLv2");
	/* The client picks the cipher later, in CLIENT-MASTER-KEY. */
	if (sh->cert_type == 1 && sh->cert.len > 0)
		keep_der(pf, sh->cert.data, sh->cert.len);
}

static void
pflow_free(void *arg)
{
	struct pflow *pf = arg;
	int d;

	for (d = 0; d < FLOW_DIR__MAX; d++)
		if (pf->dir[d].parser_on)
			tlswire_parser_free(&pf->dir[d].parser);
	free(pf->stls);
	for (size_t i = 0; i < pf->nder; i++)
		free(pf->der[i]);
	if (pf->obs != NULL)
		observation_clear(pf->obs);
	free(pf->obs);
	free(pf);
}

static struct pflow *
pflow_new(struct passive *ps, struct flow *f)
{
	struct pflow *pf = xcalloc(1, sizeof(*pf));
	struct pdir *c = &pf->dir[FLOW_C2S], *s = &pf->dir[FLOW_S2C];

	pf->ps = ps;
	pf->flow = f;
	c->ev = (struct tlswire_events){
		.arg = pf,
		.on_client_hello = ev_client_hello,
	};
	s->ev = (struct tlswire_events){
		.arg = pf,
		.on_server_hello = ev_server_hello,
		.on_certificate = ev_certificate,
		.on_server_key_exchange = ev_server_kx,
		.on_alert = ev_server_alert,
		.on_sslv2_server_hello = ev_sslv2_hello,
	};
	return pf;
}

static void
fill_endpoint(struct observation *o, const struct flow_info *in)
{
	if (inet_ntop(in->server.family, in->server.a, o->ip,
	    sizeof(o->ip)) == NULL)
		o->ip[0] = '\0';
	o->port = in->server_port;
}

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

static uint64_t
fnv_str(uint64_t h, const char *s)
{
	return fnv(h, s, strlen(s) + 1);
}

/* What makes a connection new: everything an observation reports. */
static uint64_t
conn_hash(const struct pflow *pf)
{
	const struct observation *o = pf->obs;
	uint64_t h = 1469598103934665603ULL;

	h = fnv_str(h, o->ip);
	h = fnv(h, &o->port, sizeof(o->port));
	h = fnv(h, &o->status, sizeof(o->status));
	h = fnv_str(h, o->protocol);
	h = fnv_str(h, o->sni);
	h = fnv_str(h, o->version);
	h = fnv_str(h, o->cipher);
	h = fnv_str(h, o->group);
	h = fnv_str(h, o->alpn);
	h = fnv_str(h, o->ja3);
	h = fnv_str(h, o->ja3s);
	h = fnv_str(h, o->ja4);
	h = fnv_str(h, o->reason);
	for (size_t i = 0; i < pf->nder; i++)
		h = fnv(h, pf->der[i], pf->der_len[i]);
	return h != 0 ? h : 1;
}

static void
dedupe_grow(struct dedupe *d)
{
	uint64_t *old = d->h;
	size_t oldcap = d->cap, j;

	d->cap = oldcap == 0 ? 1024 : oldcap * 2;
	d->h = xcalloc(d->cap, sizeof(*d->h));
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i] == 0)
			continue;
		for (j = old[i] & (d->cap - 1); d->h[j] != 0;
		    j = (j + 1) & (d->cap - 1))
			;
		d->h[j] = old[i];
	}
	free(old);
}

/* Whether h was seen before; remembers it (while there is room). */
static bool
dedupe_seen(struct dedupe *d, uint64_t h)
{
	size_t j;

	if (d->n >= PASSIVE_DEDUPE_MAX)
		return false;
	if (2 * (d->n + 1) > d->cap)
		dedupe_grow(d);
	for (j = h & (d->cap - 1); d->h[j] != 0; j = (j + 1) & (d->cap - 1))
		if (d->h[j] == h)
			return true;
	d->h[j] = h;
	d->n++;
	return false;
}

/* Emits at most once, and only when the server side said something. */
static void
pflow_emit(struct pflow *pf)
{
	struct pdir *s = &pf->dir[FLOW_S2C];
	struct observation *o = pf->obs;
	const char *alert;

	if (pf->emitted || s->mode != DM_TLS)
		return;
	pf->emitted = true;
	o->source = OBS_PASSIVE;
	fill_endpoint(o, flow_get_info(pf->flow));
	o->protocol = pf->stls != NULL ? passive_proto_name(pf->stls->proto) :
	    "tls";
	if (pf->stls != NULL)
		snprintf(o->banner, sizeof(o->banner), "%s", pf->stls->banner);
	if (pf->have_sh)
		o->status = SCAN_OK;
	else if (pf->have_alert) {
		o->status = SCAN_TLS_ERROR;
		alert = tlswire_alert_name(pf->alert);
		snprintf(o->reason, sizeof(o->reason),
		    "server sent alert %s", alert != NULL ? alert : "unknown");
	} else if (s->parser_on && tlswire_error(&s->parser) !=
	    TLSWIRE_ERR_NONE) {
		o->status = SCAN_PROTOCOL_ERROR;
		snprintf(o->reason, sizeof(o->reason), "%s",
		    tlswire_reason(&s->parser));
	} else {
		o->status = SCAN_CLOSED;
		snprintf(o->reason, sizeof(o->reason),
		    "flow ended before the ServerHello");
	}
	flow_set_done(pf->flow);
	if (pf->ps->opts.dedupe && dedupe_seen(&pf->ps->seen,
	    conn_hash(pf))) {
		pf->ps->st.duplicates++;
		return;
	}
	decode_chain(pf);
	pf->ps->emit(o, pf->ps->arg);
	pf->ps->st.observations++;
	observation_clear(o);
}

static void
tls_start(struct pflow *pf, enum flow_dir d)
{
	struct pdir *pd = &pf->dir[d];

	pd->mode = DM_TLS;
	pd->parser_on = true;
	if (pf->obs == NULL) {
		pf->obs = xcalloc(1, sizeof(*pf->obs));
		pf->obs->time = flow_get_info(pf->flow)->first_sec;
		pf->obs->name_match = -1;	/* until the analysis says */
	}
	tlswire_parser_init(&pd->parser, d == FLOW_C2S ? TLSWIRE_DIR_CLIENT :
	    TLSWIRE_DIR_SERVER, pf->ps->opts.max_cert, &pd->ev);
	if (!pf->counted_tls) {
		pf->counted_tls = true;
		pf->ps->st.tls_flows++;
	}
}

static void
tls_input(struct pflow *pf, enum flow_dir d, const uint8_t *p, size_t n)
{
	struct pdir *pd = &pf->dir[d];

	if (n == 0 || tlswire_done(&pd->parser))
		return;
	if (tlswire_feed(&pd->parser, p, n) == -1)
		pf->ps->st.parse_errors++;
	if (!tlswire_done(&pd->parser))
		return;
	if (d == FLOW_S2C)
		pflow_emit(pf);
	else
		flow_stop(pf->flow, d);
}

static void
dir_off(struct pflow *pf, enum flow_dir d)
{
	pf->dir[d].mode = DM_OFF;
	flow_stop(pf->flow, d);
	if (pf->dir[d ^ 1].mode == DM_OFF)
		flow_set_done(pf->flow);
}

static void
plain_input(struct pflow *pf, enum flow_dir d, const uint8_t *p, size_t n)
{
	size_t used;

	switch (passive_stls_feed(pf->stls, d, p, n, &used)) {
	case PASSIVE_STLS_TLS:
		if (passive_stls_granted(pf->stls) && d == FLOW_S2C)
			pf->ps->st.starttls_flows++;
		tls_start(pf, d);
		tls_input(pf, d, p + used, n - used);
		break;
	case PASSIVE_STLS_GIVEUP:
		dir_off(pf, d);
		break;
	case PASSIVE_STLS_MORE:
		break;
	}
}

/* Decides a new direction's path from its first bytes. */
static void
judge(struct pflow *pf, enum flow_dir d)
{
	struct pdir *pd = &pf->dir[d];
	enum passive_proto proto;

	switch (passive_detect(pd->peek, pd->npeek)) {
	case PASSIVE_TLS:
	case PASSIVE_SSLV2:
		tls_start(pf, d);
		return;
	case PASSIVE_MORE:
		return;
	case PASSIVE_NOT_TLS:
	case PASSIVE_DETECT__MAX:
		break;
	}
	if (pf->stls == NULL && !pf->ps->opts.no_starttls) {
		proto = passive_guess_proto(
		    flow_get_info(pf->flow)->server_port, d, pd->peek,
		    pd->npeek);
		if (proto != PASSIVE_PROTO_NONE) {
			pf->stls = xcalloc(1, sizeof(*pf->stls));
			passive_stls_init(pf->stls, proto);
		}
	}
	if (pf->stls != NULL)
		pd->mode = DM_PLAIN;
	else
		dir_off(pf, d);
}

static void
dir_input(struct pflow *pf, enum flow_dir d, const uint8_t *p, size_t n)
{
	struct pdir *pd = &pf->dir[d];
	size_t k;

	if (pd->mode == DM_NEW) {
		k = PEEK_MAX - pd->npeek < n ? PEEK_MAX - pd->npeek : n;
		memcpy(pd->peek + pd->npeek, p, k);
		pd->npeek += k;
		p += k;
		n -= k;
		judge(pf, d);
		if (pd->mode == DM_NEW)
			return;		/* k == n: all went into peek */
		dir_input(pf, d, pd->peek, pd->npeek);
	}
	if (n == 0)
		return;
	switch (pd->mode) {
	case DM_PLAIN:
		plain_input(pf, d, p, n);
		break;
	case DM_TLS:
		tls_input(pf, d, p, n);
		break;
	case DM_NEW:
	case DM_OFF:
		break;
	}
}

static void
on_data(struct flow *f, enum flow_dir d, const uint8_t *p, size_t n,
    void *arg)
{
	struct pflow *pf = flow_user(f);

	if (pf == NULL) {
		pf = pflow_new(arg, f);
		flow_set_user(f, pf, pflow_free);
	}
	dir_input(pf, d, p, n);
	/* Neither side is TLS nor a STARTTLS dialogue: drop the state now;
	 * the flow is done, so nothing more comes here. */
	if (pf->dir[FLOW_C2S].mode == DM_OFF &&
	    pf->dir[FLOW_S2C].mode == DM_OFF && pf->obs == NULL)
		flow_set_user(f, NULL, NULL);
}

static void
on_close(struct flow *f, enum flow_end why, void *arg)
{
	struct pflow *pf = flow_user(f);

	(void)why;
	(void)arg;
	if (pf != NULL)
		pflow_emit(pf);
}

struct passive *
passive_new(const struct passive_opts *opts, passive_emit_fn emit, void *arg)
{
	struct passive *ps = xcalloc(1, sizeof(*ps));
	struct flow_ops ops = {
		.on_data = on_data, .on_close = on_close, .arg = ps,
	};

	if (opts != NULL)
		ps->opts = *opts;
	ps->emit = emit;
	ps->arg = arg;
	ps->ft = flow_table_new(&ps->opts.flow, &ops);
	return ps;
}

int
passive_packet(struct passive *ps, const struct pkt *p)
{
	return flow_table_packet(ps->ft, p);
}

void
passive_flush(struct passive *ps)
{
	flow_table_flush(ps->ft);
}

void
passive_get_stats(const struct passive *ps, struct passive_stats *out)
{
	*out = ps->st;
	flow_table_stats(ps->ft, &out->flow);
}

void
passive_free(struct passive *ps)
{
	if (ps == NULL)
		return;
	flow_table_free(ps->ft);
	free(ps->seen.h);
	free(ps);
}
