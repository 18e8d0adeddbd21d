/*
 * enum.c: the --enum planner's surface (enum.h): one attempt at a time,
 * the server's bytes go through tlswire's streaming parser and the
 * attempt is decided as soon as the server's answer is known (ServerHello
 * with its ServerKeyExchange up to ServerHelloDone, a HelloRetryRequest,
 * a TLS 1.3 ServerHello, an alert, an SSLv2 SERVER-HELLO).  What to offer
 * next and what an answer means is enum_steps.c; the results enum_result.c.
 *
 * Bounds: ENUM_MAX_ATTEMPTS connections; ENUM_MAX_BYTES read per attempt;
 * a server that times out ENUM_MAX_TIMEOUTS times in a row, or never sends
 * a byte, ends the plan early (truncated, with a note).
 */
#include "probes/enum_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "scanner/xmem.h"

void
tls_enum_free(struct tls_enum *e)
{
	int i;

	if (e == NULL)
		return;
	for (i = 0; i < TLSENUM_VER__MAX; i++)
		free(e->v[i].ciphers);
	free(e->groups);
	free(e);
}

/* ---- parser events: copy what the borrowed views say ------------------ */

static void
ev_server_hello(void *arg, const struct tlswire_server_hello *sh)
{
	struct resp *r = arg;
	struct tlswire_ext x;
	size_t off = 0, n;

	if (r->sh)
		return;
	r->sh = true;
	r->hrr = sh->is_hello_retry_request;
	r->legacy = sh->legacy_version;
	r->version = sh->version;
	r->cipher = sh->cipher;
	r->comp = sh->compression;
	r->group = sh->key_share_group;
	r->reneg = sh->has_reneg_info;
	r->ems = sh->has_ems;
	r->etm = sh->has_etm;
	r->ticket = sh->has_session_ticket;
	r->status = sh->has_status_request;
	r->hb = sh->has_heartbeat;
	n = sh->alpn.len < sizeof(r->alpn) ? sh->alpn.len :
	    sizeof(r->alpn) - 1;
	if (n > 0)
		memcpy(r->alpn, sh->alpn.data, n);
	r->alpn[n] = '\0';
	/* [ENUM-NUL-IN-ALPN] a NUL would cut the name short: keep it all
	 * printable so that JSON and the JARM hash see the same string */
	for (size_t i = 0; i < n; i++)
		if (r->alpn[i] < 0x20 || r->alpn[i] > 0x7e)
			r->alpn[i] = '?';
	while (tlswire_ext_next(&sh->extensions, &off, &x) &&
	    r->nexts < ENUM_MAX_EXTS)
		r->exts[r->nexts++] = x.type;
}

static void
ev_server_kx(void *arg, const struct tlswire_server_kx *kx)
{
	struct resp *r = arg;

	r->ske = true;
	if (kx->kind == TLSWIRE_SKE_ECDHE)
		r->curve = kx->named_curve;
	else if (kx->kind == TLSWIRE_SKE_DHE)
		r->dh_bits = kx->dh_prime_bits;
}

static void
ev_cert_status(void *arg, const uint8_t *ocsp, size_t len)
{
	struct resp *r = arg;

	(void)ocsp;
	(void)len;
	r->cert_status = true;
}

static void
ev_alert(void *arg, uint8_t level, uint8_t desc)
{
	struct resp *r = arg;

	if (level == TLSWIRE_ALERT_FATAL || desc == 0) {
		r->alert = true;
		r->alert_desc = desc;
	}
}

static void
ev_sslv2_hello(void *arg, const struct tlswire_sslv2_server_hello *h)
{
	struct resp *r = arg;
	size_t i;

	r->v2 = true;
	for (i = 0; i + 3 <= h->specs.len && r->nv2specs < 16; i += 3)
		r->v2specs[r->nv2specs++] = (uint32_t)h->specs.data[i] << 16 |
		    (uint32_t)h->specs.data[i + 1] << 8 | h->specs.data[i + 2];
}

static void
ev_sslv2_error(void *arg, uint16_t code)
{
	struct resp *r = arg;

	(void)code;
	r->alert = true;
}

/* ---- the API ----------------------------------------------------------- */

struct enum_plan *
enum_plan_new(const struct enum_opts *o)
{
	struct enum_plan *p = xcalloc(1, sizeof(*p));
	int i;

	p->opts = *o;
	if (o->sni != NULL)
		snprintf(p->sni, sizeof(p->sni), "%s", o->sni);
	if (o->addr != NULL)
		snprintf(p->addr, sizeof(p->addr), "%s", o->addr);
	p->opts.sni = NULL;
	p->opts.addr = NULL;
	/* Randomness is not security here (no key is ever used), but a fixed
	 * random would let middleboxes cache answers. */
	if (RAND_bytes(p->random, sizeof(p->random)) != 1 ||
	    RAND_bytes((unsigned char *)&p->jrand, sizeof(p->jrand)) != 1)
		memset(p->random, 0x5a, sizeof(p->random));
	p->ncand12 = enum_cand_tls12(p->cand12, ENUM_MAX_CAND);
	p->ncand13 = enum_cand_tls13(p->cand13, 16);
	for (i = 0; i < TLSENUM_VER__MAX; i++) {
		p->supported[i] = -1;
		p->ch[i].server_order = -1;
	}
	p->reneg = p->comp = p->ocsp = p->ticket = p->fallback = p->hb =
	    p->ems = p->etm = -1;
	p->jarm_next = (o->flags & ENUM_F_JARM) ? 0 : JARM_PROBES;
	p->ev = (struct tlswire_events){
		.arg = &p->r,
		.on_server_hello = ev_server_hello,
		.on_server_key_exchange = ev_server_kx,
		.on_certificate_status = ev_cert_status,
		.on_alert = ev_alert,
		.on_sslv2_server_hello = ev_sslv2_hello,
		.on_sslv2_error = ev_sslv2_error,
	};
	return p;
}

void
enum_plan_free(struct enum_plan *p)
{
	if (p == NULL)
		return;
	if (p->in_attempt)
		tlswire_parser_free(&p->parser);
	free(p);
}

unsigned
enum_plan_attempts(const struct enum_plan *p)
{
	return p->attempts;
}

static void
stop(struct enum_plan *p, const char *why)
{
	p->stopped = true;
	p->finished = true;
	snprintf(p->note, sizeof(p->note), "%s", why);
}

int
enum_plan_next(struct enum_plan *p, uint8_t *out, size_t outlen,
    size_t *len)
{
	if (p->in_attempt)		/* the engine skipped eof: same thing */
		enum_plan_eof(p, false);
	if (p->finished)
		return 0;
	if (!enum_choose(p)) {
		p->finished = true;
		return 0;
	}
	if (p->attempts >= ENUM_MAX_ATTEMPTS) {
		stop(p, "attempt limit reached");
		return 0;
	}
	if (enum_build(p, out, outlen, len) == -1) {
		/* cannot happen with outlen >= ENUM_HELLO_MAX: say so rather
		 * than loop on the same step */
		stop(p, "hello did not fit the engine's buffer");
		return 0;
	}
	memset(&p->r, 0, sizeof(p->r));
	tlswire_parser_init(&p->parser, TLSWIRE_DIR_SERVER, 0, &p->ev);
	p->in_attempt = true;
	p->attempts++;
	return 1;
}

/* Is the server's answer known? */
static bool
decided(const struct enum_plan *p)
{
	const struct resp *r = &p->r;

	if (tlswire_state(&p->parser) == TLSWIRE_ST_ERROR || r->v2 ||
	    r->bytes >= ENUM_MAX_BYTES)
		return true;
	if (r->sh && (p->off.kind == STEP_JARM || r->hrr ||
	    r->version == TLSWIRE_TLS13))
		return true;
	return r->alert || tlswire_done(&p->parser);
}

static void
finish(struct enum_plan *p, bool timed_out)
{
	tlswire_parser_free(&p->parser);
	p->in_attempt = false;
	p->timeouts = timed_out ? p->timeouts + 1 : 0;
	if (p->r.bytes > 0)
		p->any_bytes = true;
	else if (!p->any_bytes)
		p->empty++;
	enum_outcome(p, timed_out);
	if (p->finished)
		return;
	if (p->timeouts >= ENUM_MAX_TIMEOUTS)
		stop(p, "the server stopped answering (timeouts)");
	else if (p->empty >= ENUM_MAX_TIMEOUTS)
		stop(p, "no answer to any hello");
}

enum enum_rc
enum_plan_input(struct enum_plan *p, const uint8_t *buf, size_t len)
{
	if (!p->in_attempt)
		return ENUM_ATTEMPT_DONE;
	p->r.bytes += len;
	(void)tlswire_feed(&p->parser, buf, len);
	if (!decided(p))
		return ENUM_MORE;
	finish(p, false);
	return ENUM_ATTEMPT_DONE;
}

void
enum_plan_eof(struct enum_plan *p, bool timed_out)
{
	if (p->in_attempt)
		finish(p, timed_out);
}
