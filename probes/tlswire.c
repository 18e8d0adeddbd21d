/*
 * tlswire.c: the streaming TLS/SSL parser of tlswire.h.
 *
 * Three layers, each with a little fixed state in struct tlswire_parser:
 *
 *   bytes --> record layer  (5-byte TLS header, or 2/3-byte SSLv2 header;
 *                            header bytes are collected across feeds)
 *         --> handshake layer (4-byte message header, body collected)
 *         --> message parsers (pure, over one whole message)
 *
 * A message whose body lies whole inside the current feed chunk is parsed
 * in place; otherwise it is copied into one reassembly buffer that grows
 * with the bytes that actually arrive (never to a claimed length up
 * front) and is capped: [TLS-HS-OVERSIZE].  Message types we do not parse
 * are skipped by count and need no memory, whatever their size.  Events
 * are therefore identical whatever the split of the input.
 *
 * Parsing stops, without error, where encryption starts: after a
 * ChangeCipherSpec (TLS <= 1.2), application data, or a TLS 1.3
 * ServerHello.  Hazard tags in brackets mark each pitfall handled.
 */
#include "probes/tlswire.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/xmem.h"

enum {
	CT_CCS = 20, CT_ALERT = 21, CT_HANDSHAKE = 22, CT_APPDATA = 23,
	CT_HEARTBEAT = 24,
};
enum {
	HT_HELLO_REQUEST = 0, HT_CLIENT_HELLO = 1, HT_SERVER_HELLO = 2,
	HT_CERTIFICATE = 11, HT_SERVER_KEY_EXCHANGE = 12,
	HT_SERVER_HELLO_DONE = 14, HT_CERTIFICATE_STATUS = 22,
};
enum {
	EXT_SNI = 0, EXT_STATUS_REQUEST = 5, EXT_GROUPS = 10,
	EXT_EC_POINT_FORMATS = 11, EXT_SIG_ALGS = 13, EXT_HEARTBEAT = 15,
	EXT_ALPN = 16, EXT_ETM = 22, EXT_EMS = 23, EXT_SESSION_TICKET = 35,
	EXT_SUPPORTED_VERSIONS = 43, EXT_KEY_SHARE = 51,
	EXT_RENEG_INFO = 0xff01,
};

static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
	0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

static const char *const state_names[] = {
	[TLSWIRE_ST_START] = "start",
	[TLSWIRE_ST_HANDSHAKE] = "handshake",
	[TLSWIRE_ST_SSLV2] = "sslv2",
	[TLSWIRE_ST_DONE] = "done",
	[TLSWIRE_ST_ENCRYPTED] = "encrypted",
	[TLSWIRE_ST_ALERT] = "alert",
	[TLSWIRE_ST_ERROR] = "error",
};
_Static_assert(sizeof(state_names) / sizeof(state_names[0]) ==
    TLSWIRE_ST__MAX, "state_names");

static const char *const err_names[] = {
	[TLSWIRE_ERR_NONE] = "none",
	[TLSWIRE_ERR_NOT_TLS] = "not-tls",
	[TLSWIRE_ERR_RECORD] = "record",
	[TLSWIRE_ERR_DECODE] = "decode",
	[TLSWIRE_ERR_TOO_LARGE] = "too-large",
	[TLSWIRE_ERR_UNEXPECTED] = "unexpected",
};
_Static_assert(sizeof(err_names) / sizeof(err_names[0]) ==
    TLSWIRE_ERR__MAX, "err_names");

/* ---- bounded reader ---------------------------------------------------- */

/* Every read is checked against the end; a short read sets bad and
 * returns zeros, so parsers test bad once at the end: [TLS-VEC-OVERRUN]. */
struct rd {
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;
	bool		 bad;
};

static const uint8_t *
rd_raw(struct rd *r, size_t n)
{
	const uint8_t *q;

	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		return NULL;
	}
	q = r->p + r->off;
	r->off += n;
	return q;
}

static uint32_t
rd_uint(struct rd *r, size_t n)
{
	const uint8_t *q = rd_raw(r, n);
	uint32_t v = 0;
	size_t i;

	for (i = 0; q != NULL && i < n; i++)
		v = v << 8 | q[i];
	return v;
}

/* A vector with an n-byte length prefix. */
static struct tlswire_bytes
rd_vec(struct rd *r, size_t n)
{
	struct tlswire_bytes b = { .data = NULL, .len = 0 };
	size_t len = rd_uint(r, n);

	b.data = rd_raw(r, len);
	if (b.data != NULL)
		b.len = len;
	return b;
}

static bool
rd_end(const struct rd *r)
{
	return !r->bad && r->off == r->len;
}

static bool
to_list16(struct tlswire_bytes b, struct tlswire_list16 *l)
{
	if (b.len % 2 != 0)		/* [TLS-LIST-ODD] */
		return false;
	l->data = b.data;
	l->count = b.len / 2;
	return true;
}

uint16_t
tlswire_list16_get(const struct tlswire_list16 *l, size_t i)
{
	if (i >= l->count)
		return 0;
	return (uint16_t)(l->data[2 * i] << 8 | l->data[2 * i + 1]);
}

bool
tlswire_ext_next(const struct tlswire_exts *e, size_t *off,
    struct tlswire_ext *x)
{
	struct rd r = { .p = e->data, .len = e->len, .off = *off };
	struct tlswire_bytes b;

	if (*off >= e->len)
		return false;
	x->type = (uint16_t)rd_uint(&r, 2);
	b = rd_vec(&r, 2);
	if (r.bad)
		return false;
	x->data = b.data;
	x->len = b.len;
	*off = r.off;
	return true;
}

bool
tlswire_ext_find(const struct tlswire_exts *e, uint16_t type,
    struct tlswire_ext *x)
{
	size_t off = 0;

	while (tlswire_ext_next(e, &off, x))
		if (x->type == type)
			return true;
	return false;
}

bool
tlswire_alpn_next(const struct tlswire_alpn *a, size_t *off,
    struct tlswire_bytes *name)
{
	struct rd r = { .p = a->data, .len = a->len, .off = *off };

	if (*off >= a->len)
		return false;
	*name = rd_vec(&r, 1);
	if (r.bad)
		return false;
	*off = r.off;
	return true;
}

/* ---- parser state -------------------------------------------------- */

static int fail(struct tlswire_parser *, enum tlswire_err, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct tlswire_parser *p, enum tlswire_err err, const char *fmt, ...)
{
	va_list ap;

	if (p->state == TLSWIRE_ST_ERROR)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
	p->err = err;
	p->state = TLSWIRE_ST_ERROR;
	return -1;
}

void
tlswire_parser_init(struct tlswire_parser *p, enum tlswire_dir dir,
    size_t max_cert, const struct tlswire_events *ev)
{
	static const struct tlswire_events none = { .arg = NULL };

	if (max_cert == 0)
		max_cert = TLSWIRE_CERT_DEFAULT;
	if (max_cert > TLSWIRE_CERT_HARD_MAX)
		max_cert = TLSWIRE_CERT_HARD_MAX;
	*p = (struct tlswire_parser){
		.dir = dir,
		.max_cert = max_cert,
		.ev = ev != NULL ? ev : &none,
		.state = TLSWIRE_ST_START,
		.err = TLSWIRE_ERR_NONE,
	};
}

void
tlswire_parser_free(struct tlswire_parser *p)
{
	free(p->buf);
	p->buf = NULL;
	p->bufcap = 0;
}

enum tlswire_state
tlswire_state(const struct tlswire_parser *p)
{
	return p->state;
}

enum tlswire_err
tlswire_error(const struct tlswire_parser *p)
{
	return p->err;
}

const char *
tlswire_reason(const struct tlswire_parser *p)
{
	return p->reason;
}

bool
tlswire_done(const struct tlswire_parser *p)
{
	return p->state == TLSWIRE_ST_DONE ||
	    p->state == TLSWIRE_ST_ENCRYPTED || p->state == TLSWIRE_ST_ALERT ||
	    p->state == TLSWIRE_ST_ERROR;
}

const char *
tlswire_state_name(enum tlswire_state s)
{
	return (unsigned)s < TLSWIRE_ST__MAX ? state_names[s] : "?";
}

const char *
tlswire_err_name(enum tlswire_err e)
{
	return (unsigned)e < TLSWIRE_ERR__MAX ? err_names[e] : "?";
}

/* ---- extension blocks ------------------------------------------------ */

/* Validate an extension block: every entry inside, exact total. */
static bool
parse_exts(struct tlswire_bytes b, struct tlswire_exts *e)
{
	struct rd r = { .p = b.data, .len = b.len };

	*e = (struct tlswire_exts){ .data = b.data, .len = b.len,
	    .present = true };
	while (!r.bad && r.off < r.len) {
		(void)rd_uint(&r, 2);
		(void)rd_vec(&r, 2);
		e->count++;
	}
	return rd_end(&r);
}

static bool
parse_alpn(const struct tlswire_ext *x, struct tlswire_alpn *a)
{
	struct rd r = { .p = x->data, .len = x->len };
	struct tlswire_bytes list = rd_vec(&r, 2), name;
	struct rd l = { .p = list.data, .len = list.len };

	if (!rd_end(&r) || list.len == 0)
		return false;
	*a = (struct tlswire_alpn){ .data = list.data, .len = list.len };
	while (!l.bad && l.off < l.len) {
		name = rd_vec(&l, 1);
		if (name.len == 0)	/* [TLS-ALPN-EMPTY] */
			return false;
		a->count++;
	}
	return rd_end(&l);
}

/* server_name: the first host_name entry. */
static bool
parse_sni(const struct tlswire_ext *x, struct tlswire_bytes *sni)
{
	struct rd r = { .p = x->data, .len = x->len };
	struct tlswire_bytes list = rd_vec(&r, 2), name;
	struct rd l = { .p = list.data, .len = list.len };
	uint8_t type;

	if (!rd_end(&r))
		return false;
	while (!l.bad && l.off < l.len) {
		type = (uint8_t)rd_uint(&l, 1);
		name = rd_vec(&l, 2);
		if (type == 0 && sni->data == NULL && !l.bad)
			*sni = name;
	}
	return rd_end(&l);
}

/* A vector of n-byte length holding the whole extension. */
static bool
ext_vec(const struct tlswire_ext *x, size_t n, struct tlswire_bytes *out)
{
	struct rd r = { .p = x->data, .len = x->len };

	*out = rd_vec(&r, n);
	return rd_end(&r);
}

static bool
client_ext(struct tlswire_client_hello *ch, const struct tlswire_ext *x)
{
	struct tlswire_bytes b;

	switch (x->type) {
	case EXT_SNI:
		return parse_sni(x, &ch->sni);
	case EXT_ALPN:
		return parse_alpn(x, &ch->alpn);
	case EXT_SUPPORTED_VERSIONS:
		return ext_vec(x, 1, &b) &&
		    to_list16(b, &ch->supported_versions);
	case EXT_GROUPS:
		return ext_vec(x, 2, &b) && to_list16(b, &ch->groups);
	case EXT_SIG_ALGS:
		return ext_vec(x, 2, &b) && to_list16(b, &ch->sig_algs);
	case EXT_EC_POINT_FORMATS:
		return ext_vec(x, 1, &ch->ec_point_formats);
	default:
		return true;
	}
}

/* ---- handshake messages ----------------------------------------------- */

static int
parse_client_hello(struct tlswire_parser *p, const uint8_t *d, size_t n)
{
	struct tlswire_client_hello ch = {
	    .record_version = (uint16_t)(p->rhdr[1] << 8 | p->rhdr[2]) };
	struct rd r = { .p = d, .len = n };
	struct tlswire_bytes b;
	struct tlswire_ext x;
	size_t off = 0;

	ch.legacy_version = (uint16_t)rd_uint(&r, 2);
	ch.random = rd_raw(&r, 32);
	ch.session_id = rd_vec(&r, 1);
	b = rd_vec(&r, 2);
	if (r.bad || ch.session_id.len > 32 || !to_list16(b, &ch.ciphers) ||
	    ch.ciphers.count == 0)
		return fail(p, TLSWIRE_ERR_DECODE, "ClientHello: bad "
		    "session id or cipher list [TLS-VEC-OVERRUN]");
	ch.compression = rd_vec(&r, 1);
	if (!r.bad && r.off < r.len &&
	    !parse_exts(rd_vec(&r, 2), &ch.extensions))
		return fail(p, TLSWIRE_ERR_DECODE,
		    "ClientHello: bad extension block [TLS-VEC-OVERRUN]");
	if (!rd_end(&r) || ch.compression.len == 0)
		return fail(p, TLSWIRE_ERR_DECODE, "ClientHello: %s",
		    r.bad ? "truncated [TLS-VEC-OVERRUN]" :
		    ch.compression.len == 0 ? "no compression method" :
		    "trailing bytes [TLS-TRAILING]");
	while (tlswire_ext_next(&ch.extensions, &off, &x))
		if (!client_ext(&ch, &x))
			return fail(p, TLSWIRE_ERR_DECODE, "ClientHello: "
			    "malformed extension %u [TLS-EXT-MALFORMED]",
			    x.type);
	for (off = 0; off < ch.supported_versions.count; off++)
		if (tlswire_list16_get(&ch.supported_versions, off) ==
		    TLSWIRE_TLS13)
			p->ccs_compat = true;
	if (p->ev->on_client_hello != NULL)
		p->ev->on_client_hello(p->ev->arg, &ch);
	return 0;
}

static bool
server_ext(struct tlswire_server_hello *sh, const struct tlswire_ext *x)
{
	struct rd r = { .p = x->data, .len = x->len };
	struct tlswire_alpn a;
	size_t off = 0;

	switch (x->type) {
	case EXT_SUPPORTED_VERSIONS:
		sh->version = (uint16_t)rd_uint(&r, 2);
		break;
	case EXT_KEY_SHARE:
		sh->key_share_group = (uint16_t)rd_uint(&r, 2);
		if (!sh->is_hello_retry_request)
			(void)rd_vec(&r, 2);
		break;
	case EXT_ALPN:		/* exactly one protocol */
		if (!parse_alpn(x, &a) || a.count != 1)
			return false;
		return tlswire_alpn_next(&a, &off, &sh->alpn);
	case EXT_RENEG_INFO:
		sh->has_reneg_info = true;
		(void)rd_vec(&r, 1);
		break;
	case EXT_EMS:
		sh->has_ems = true;
		break;
	case EXT_ETM:
		sh->has_etm = true;
		break;
	case EXT_STATUS_REQUEST:
		sh->has_status_request = true;
		return true;
	case EXT_SESSION_TICKET:
		sh->has_session_ticket = true;
		return true;
	case EXT_HEARTBEAT:
		sh->has_heartbeat = true;
		return true;
	default:
		return true;
	}
	return rd_end(&r);
}

static void
server_hello_flags(struct tlswire_server_hello *sh)
{
	static const uint8_t dg[7] = { 'D', 'O', 'W', 'N', 'G', 'R', 'D' };

	sh->is_hello_retry_request = memcmp(sh->random, hrr_random, 32) == 0;
	if (memcmp(sh->random + 24, dg, sizeof(dg)) == 0 &&
	    sh->random[31] <= 1)
		sh->downgrade_to = sh->random[31] == 1 ? TLSWIRE_TLS12 :
		    TLSWIRE_TLS11;
}

static int
parse_server_hello(struct tlswire_parser *p, const uint8_t *d, size_t n)
{
	struct tlswire_server_hello sh = { .legacy_version = 0 };
	struct rd r = { .p = d, .len = n };
	struct tlswire_ext x;
	size_t off = 0;

	sh.legacy_version = (uint16_t)rd_uint(&r, 2);
	sh.random = rd_raw(&r, 32);
	sh.session_id = rd_vec(&r, 1);
	sh.cipher = (uint16_t)rd_uint(&r, 2);
	sh.compression = (uint8_t)rd_uint(&r, 1);
	if (!r.bad && r.off < r.len &&
	    !parse_exts(rd_vec(&r, 2), &sh.extensions))
		return fail(p, TLSWIRE_ERR_DECODE,
		    "ServerHello: bad extension block [TLS-VEC-OVERRUN]");
	if (!rd_end(&r) || sh.session_id.len > 32)
		return fail(p, TLSWIRE_ERR_DECODE, "ServerHello: %s",
		    r.bad ? "truncated [TLS-VEC-OVERRUN]" :
		    sh.session_id.len > 32 ? "session id over 32 bytes" :
		    "trailing bytes [TLS-TRAILING]");
	server_hello_flags(&sh);
	sh.version = sh.legacy_version;
	while (tlswire_ext_next(&sh.extensions, &off, &x))
		if (!server_ext(&sh, &x))
			return fail(p, TLSWIRE_ERR_DECODE, "ServerHello: "
			    "malformed extension %u [TLS-EXT-MALFORMED]",
			    x.type);
	p->version = sh.version;
	p->cipher = sh.cipher;
	p->ccs_compat = sh.version >= TLSWIRE_TLS13;
	if (p->ev->on_server_hello != NULL)
		p->ev->on_server_hello(p->ev->arg, &sh);
	if (sh.is_hello_retry_request)
		p->state = TLSWIRE_ST_DONE;	/* server waits for a new CH */
	else if (sh.version >= TLSWIRE_TLS13 && !p->hs_direct)
		p->state = TLSWIRE_ST_ENCRYPTED;
	return 0;
}

/* TLS 1.3 CertificateEntry extensions: the leaf's may carry OCSP. */
static bool
cert13_exts(struct tlswire_parser *p, size_t idx, struct tlswire_bytes b,
    bool emit)
{
	struct tlswire_exts e;
	struct tlswire_ext x;
	struct rd r;
	size_t off = 0;

	if (!parse_exts(b, &e))
		return false;
	while (tlswire_ext_next(&e, &off, &x)) {
		if (x.type != EXT_STATUS_REQUEST || idx != 0)
			continue;
		r = (struct rd){ .p = x.data, .len = x.len };
		if (rd_uint(&r, 1) != 1)
			continue;
		b = rd_vec(&r, 3);
		if (!rd_end(&r))
			return false;
		if (emit && p->ev->on_certificate_status != NULL)
			p->ev->on_certificate_status(p->ev->arg, b.data, b.len);
	}
	return true;
}

/* One pass to validate, one to emit: no half-reported chains. */
static bool
walk_certs(struct tlswire_parser *p, struct tlswire_bytes list, bool tls13,
    bool emit)
{
	struct rd r = { .p = list.data, .len = list.len };
	struct tlswire_bytes der;
	size_t idx;

	for (idx = 0; !r.bad && r.off < r.len; idx++) {
		der = rd_vec(&r, 3);
		if (r.bad || der.len == 0)	/* [TLS-CERT-EMPTY] */
			return false;
		if (emit && p->ev->on_certificate != NULL)
			p->ev->on_certificate(p->ev->arg, idx, der.data,
			    der.len);
		if (tls13 && !cert13_exts(p, idx, rd_vec(&r, 2), emit))
			return false;
	}
	if (emit)
		p->ncerts += idx;
	return rd_end(&r);
}

static int
parse_certificate(struct tlswire_parser *p, const uint8_t *d, size_t n)
{
	struct rd r = { .p = d, .len = n };
	struct tlswire_bytes list;
	bool tls13 = p->version >= TLSWIRE_TLS13 &&
	    p->dir == TLSWIRE_DIR_SERVER;

	if (tls13)
		(void)rd_vec(&r, 1);	/* certificate_request_context */
	list = rd_vec(&r, 3);
	if (!rd_end(&r) || !walk_certs(p, list, tls13, false))
		return fail(p, TLSWIRE_ERR_DECODE, "Certificate: malformed "
		    "certificate list [TLS-VEC-OVERRUN]");
	(void)walk_certs(p, list, tls13, true);
	return 0;
}

static unsigned
bits_of(struct tlswire_bytes b)
{
	size_t i = 0;
	unsigned bits;
	uint8_t c;

	while (i < b.len && b.data[i] == 0)	/* [TLS-DH-LEADING-ZERO] */
		i++;
	if (i == b.len)
		return 0;
	bits = (unsigned)(b.len - i - 1) * 8;
	for (c = b.data[i]; c != 0; c >>= 1)
		bits++;
	return bits;
}

/* The key-exchange parameters, by the negotiated suite's kx. */
static void
ske_params(struct tlswire_parser *p, struct rd *r,
    struct tlswire_server_kx *kx, const struct tlswire_cipher_info *ci)
{
	bool known = ci != NULL;

	if (known && (ci->kx == TLSWIRE_KX_DHE_PSK ||
	    ci->kx == TLSWIRE_KX_ECDHE_PSK || ci->kx == TLSWIRE_KX_PSK ||
	    ci->kx == TLSWIRE_KX_RSA_PSK))
		(void)rd_vec(r, 2);	/* psk_identity_hint */
	if ((known && (ci->kx == TLSWIRE_KX_ECDHE ||
	    ci->kx == TLSWIRE_KX_ECDHE_PSK)) ||
	    (!known && r->len > 0 && r->p[0] == 3)) {
		kx->kind = TLSWIRE_SKE_ECDHE;
		if (rd_uint(r, 1) != 3)	/* only named_curve is in use */
			r->bad = true;
		kx->named_curve = (uint16_t)rd_uint(r, 2);
		(void)rd_vec(r, 1);
	} else if (known && (ci->kx == TLSWIRE_KX_DHE ||
	    ci->kx == TLSWIRE_KX_DHE_PSK)) {
		kx->kind = TLSWIRE_SKE_DHE;
		kx->dh_prime_bits = bits_of(rd_vec(r, 2));
		(void)rd_vec(r, 2);	/* g */
		(void)rd_vec(r, 2);	/* Ys */
	} else if (known && ci->kx == TLSWIRE_KX_RSA && ci->is_export) {
		kx->kind = TLSWIRE_SKE_RSA_EXPORT;
		kx->rsa_bits = bits_of(rd_vec(r, 2));
		(void)rd_vec(r, 2);	/* exponent */
	}
	(void)p;
}

static int
parse_server_key_exchange(struct tlswire_parser *p, const uint8_t *d,
    size_t n)
{
	struct tlswire_server_kx kx = { .body = { .data = d, .len = n } };
	struct tlswire_cipher_info info;
	const struct tlswire_cipher_info *ci = NULL;
	struct rd r = { .p = d, .len = n };
	bool signed_;

	if (tlswire_cipher_info(p->cipher, &info) == 0)
		ci = &info;
	ske_params(p, &r, &kx, ci);
	if (r.bad)
		return fail(p, TLSWIRE_ERR_DECODE, "ServerKeyExchange: "
		    "truncated parameters [TLS-VEC-OVERRUN]");
	signed_ = ci != NULL && ci->auth != TLSWIRE_AUTH_NONE &&
	    ci->auth != TLSWIRE_AUTH_PSK;
	if (signed_ && kx.kind != TLSWIRE_SKE_UNKNOWN) {
		if (p->version >= TLSWIRE_TLS12)
			kx.sig_alg = (uint16_t)rd_uint(&r, 2);
		(void)rd_vec(&r, 2);
		if (!rd_end(&r))
			return fail(p, TLSWIRE_ERR_DECODE, "ServerKeyExchange: "
			    "bad signature block [TLS-VEC-OVERRUN]");
	}
	if (p->ev->on_server_key_exchange != NULL)
		p->ev->on_server_key_exchange(p->ev->arg, &kx);
	return 0;
}

static int
parse_certificate_status(struct tlswire_parser *p, const uint8_t *d,
    size_t n)
{
	struct rd r = { .p = d, .len = n };
	uint8_t type = (uint8_t)rd_uint(&r, 1);
	struct tlswire_bytes ocsp = rd_vec(&r, 3);

	if (!rd_end(&r))
		return fail(p, TLSWIRE_ERR_DECODE, "CertificateStatus: "
		    "malformed [TLS-VEC-OVERRUN]");
	if (type == 1 && p->ev->on_certificate_status != NULL)
		p->ev->on_certificate_status(p->ev->arg, ocsp.data, ocsp.len);
	return 0;
}

static int
parse_message(struct tlswire_parser *p, uint8_t type, const uint8_t *d,
    size_t n)
{
	switch (type) {
	case HT_CLIENT_HELLO:
		return parse_client_hello(p, d, n);
	case HT_SERVER_HELLO:
		return parse_server_hello(p, d, n);
	case HT_CERTIFICATE:
		return parse_certificate(p, d, n);
	case HT_SERVER_KEY_EXCHANGE:
		return parse_server_key_exchange(p, d, n);
	case HT_CERTIFICATE_STATUS:
		return parse_certificate_status(p, d, n);
	case HT_SERVER_HELLO_DONE:
		if (n != 0)
			return fail(p, TLSWIRE_ERR_DECODE,
			    "ServerHelloDone with a %zu-byte body", n);
		if (p->ev->on_server_hello_done != NULL)
			p->ev->on_server_hello_done(p->ev->arg);
		p->state = TLSWIRE_ST_DONE;
		return 0;
	default:
		return 0;
	}
}

/* Which messages we parse in this direction, and their bound. */
static int
start_message(struct tlswire_parser *p, uint8_t type, size_t len)
{
	bool server = p->dir == TLSWIRE_DIR_SERVER;
	size_t max = TLSWIRE_MAX_HANDSHAKE;

	p->hskip = false;
	switch (type) {
	case HT_CLIENT_HELLO:
		if (server)
			return fail(p, TLSWIRE_ERR_UNEXPECTED, "ClientHello "
			    "in the server's stream [TLS-WRONG-DIRECTION]");
		break;
	case HT_SERVER_HELLO:
	case HT_SERVER_KEY_EXCHANGE:
	case HT_SERVER_HELLO_DONE:
	case HT_CERTIFICATE_STATUS:
		if (!server)
			return fail(p, TLSWIRE_ERR_UNEXPECTED, "server "
			    "handshake message %u in the client's stream "
			    "[TLS-WRONG-DIRECTION]", type);
		if (type == HT_CERTIFICATE_STATUS)
			max = p->max_cert;
		break;
	case HT_CERTIFICATE:
		max = p->max_cert;
		break;
	default:		/* HelloRequest, tickets, unknown: skip */
		p->hskip = true;
		return 0;
	}
	if (len > max)
		return fail(p, TLSWIRE_ERR_TOO_LARGE, "handshake message %u "
		    "of %zu bytes exceeds %zu [%s]", type, len, max,
		    type == HT_CERTIFICATE ? "TLS-CERT-OVERSIZE" :
		    "TLS-HS-OVERSIZE");
	return 0;
}

/*
 * Collect up to p->hlen body bytes from *d.  Returns the whole body (in
 * place when it is contiguous, else in p->buf) or NULL while incomplete.
 */
static const uint8_t *
collect(struct tlswire_parser *p, const uint8_t **d, size_t *n)
{
	size_t k = p->hlen - p->hhave, cap;
	const uint8_t *msg;

	if (p->hhave == 0 && *n >= k) {
		msg = *d;
		*d += k;
		*n -= k;
		p->hhave = p->hlen;
		return msg;
	}
	if (k > *n)
		k = *n;
	if (p->hhave + k > p->bufcap) {	/* grow with what arrived */
		cap = p->bufcap < 4096 ? 4096 : p->bufcap * 2;
		if (cap < p->hhave + k)
			cap = p->hhave + k;
		if (cap > p->hlen)
			cap = p->hlen;
		p->buf = xreallocarray(p->buf, cap, 1);
		p->bufcap = cap;
	}
	memcpy(p->buf + p->hhave, *d, k);
	p->hhave += k;
	*d += k;
	*n -= k;
	return p->hhave == p->hlen ? p->buf : NULL;
}

static bool
hs_active(const struct tlswire_parser *p)
{
	return p->state == TLSWIRE_ST_HANDSHAKE ||
	    p->state == TLSWIRE_ST_DONE;
}

static int
hs_input(struct tlswire_parser *p, const uint8_t *d, size_t n)
{
	const uint8_t *msg;
	size_t k;

	while (n > 0 && hs_active(p)) {
		if (p->hhdr_have < 4) {
			p->hhdr[p->hhdr_have++] = *d++;
			n--;
			if (p->hhdr_have < 4)
				continue;
			p->hlen = (size_t)p->hhdr[1] << 16 |
			    (size_t)p->hhdr[2] << 8 | p->hhdr[3];
			p->hhave = 0;
			if (start_message(p, p->hhdr[0], p->hlen) == -1)
				return -1;
		}
		if (p->hskip) {
			k = p->hlen - p->hhave < n ? p->hlen - p->hhave : n;
			p->hhave += k;
			d += k;
			n -= k;
		} else if ((msg = collect(p, &d, &n)) != NULL &&
		    parse_message(p, p->hhdr[0], msg, p->hlen) == -1)
			return -1;
		if (p->hhave == p->hlen)
			p->hhdr_have = 0;
	}
	return p->state == TLSWIRE_ST_ERROR ? -1 : 0;
}

int
tlswire_feed_handshake(struct tlswire_parser *p, const uint8_t *d, size_t n)
{
	if (p->state == TLSWIRE_ST_ERROR)
		return -1;
	if (p->state == TLSWIRE_ST_START)
		p->state = TLSWIRE_ST_HANDSHAKE;
	p->hs_direct = true;
	return hs_input(p, d, n);
}

/* ---- SSLv2 ----------------------------------------------------------- */

static int
parse_sslv2_client_hello(struct tlswire_parser *p, struct rd *r)
{
	struct tlswire_client_hello ch = { .is_sslv2 = true };
	size_t speclen, sidlen, chlen;

	ch.legacy_version = (uint16_t)rd_uint(r, 2);
	ch.record_version = ch.legacy_version;
	speclen = rd_uint(r, 2);
	sidlen = rd_uint(r, 2);
	chlen = rd_uint(r, 2);
	ch.sslv2_specs.data = rd_raw(r, speclen);
	ch.sslv2_specs.len = speclen;
	ch.session_id.data = rd_raw(r, sidlen);
	ch.session_id.len = sidlen;
	ch.sslv2_challenge.data = rd_raw(r, chlen);
	ch.sslv2_challenge.len = chlen;
	if (!rd_end(r) || speclen == 0 || speclen % 3 != 0 ||
	    (sidlen != 0 && sidlen != 16) || chlen < 16 || chlen > 32)
		return fail(p, TLSWIRE_ERR_DECODE, "SSLv2 CLIENT-HELLO: "
		    "bad lengths [SSL2-LEN]");
	if (p->ev->on_client_hello != NULL)
		p->ev->on_client_hello(p->ev->arg, &ch);
	return 0;
}

static int
parse_sslv2_server_hello(struct tlswire_parser *p, struct rd *r)
{
	struct tlswire_sslv2_server_hello sh = { .cert_type = 0 };
	size_t certlen, speclen, cidlen;

	sh.session_id_hit = rd_uint(r, 1) != 0;
	sh.cert_type = (uint8_t)rd_uint(r, 1);
	sh.version = (uint16_t)rd_uint(r, 2);
	certlen = rd_uint(r, 2);
	speclen = rd_uint(r, 2);
	cidlen = rd_uint(r, 2);
	sh.cert.data = rd_raw(r, certlen);
	sh.cert.len = certlen;
	sh.specs.data = rd_raw(r, speclen);
	sh.specs.len = speclen;
	sh.connection_id.data = rd_raw(r, cidlen);
	sh.connection_id.len = cidlen;
	if (!rd_end(r) || speclen % 3 != 0 || cidlen < 16 || cidlen > 32)
		return fail(p, TLSWIRE_ERR_DECODE, "SSLv2 SERVER-HELLO: "
		    "bad lengths [SSL2-LEN]");
	if (p->ev->on_sslv2_server_hello != NULL)
		p->ev->on_sslv2_server_hello(p->ev->arg, &sh);
	return 0;
}

/* The first SSLv2 message; everything after it is framed, not parsed. */
static int
parse_sslv2(struct tlswire_parser *p, const uint8_t *d, size_t n)
{
	struct rd r = { .p = d, .len = n };
	uint8_t type = (uint8_t)rd_uint(&r, 1);
	uint16_t code;

	if (p->dir == TLSWIRE_DIR_CLIENT && type == 1) {
		if (parse_sslv2_client_hello(p, &r) == -1)
			return -1;
	} else if (p->dir == TLSWIRE_DIR_SERVER && type == 4) {
		if (parse_sslv2_server_hello(p, &r) == -1)
			return -1;
	} else if (p->dir == TLSWIRE_DIR_SERVER && type == 0) {
		code = (uint16_t)rd_uint(&r, 2);
		if (!rd_end(&r))
			return fail(p, TLSWIRE_ERR_DECODE,
			    "SSLv2 ERROR: bad length [SSL2-LEN]");
		if (p->ev->on_sslv2_error != NULL)
			p->ev->on_sslv2_error(p->ev->arg, code);
		p->state = TLSWIRE_ST_ALERT;
		return 0;
	} else
		return fail(p, TLSWIRE_ERR_UNEXPECTED, "SSLv2 message type "
		    "%u unexpected from the %s", type,
		    p->dir == TLSWIRE_DIR_SERVER ? "server" : "client");
	p->state = TLSWIRE_ST_DONE;
	return 0;
}

/* ---- record layer ---------------------------------------------------- */

/* Say what the peer speaks instead, from its first byte. */
static int
not_tls(struct tlswire_parser *p, uint8_t b)
{
	const char *what;

	switch (b) {
	case 'H':
		what = "HTTP";
		break;
	case 'S':
		what = "SSH";
		break;
	case '2': case '4': case '5':
		what = "an SMTP/FTP reply";
		break;
	case '+': case '-':
		what = "POP3";
		break;
	case '*':
		what = "IMAP";
		break;
	case '<':
		what = "HTML/XML";
		break;
	default:
		what = b >= 0x20 && b < 0x7f ? "text" : "binary data";
		break;
	}
	if (b >= 0x20 && b < 0x7f)
		return fail(p, TLSWIRE_ERR_NOT_TLS, "not TLS: first byte "
		    "0x%02x ('%c') looks like %s [TLS-NOT-TLS]", b, b, what);
	return fail(p, TLSWIRE_ERR_NOT_TLS, "not TLS: first byte 0x%02x "
	    "is no record type [TLS-NOT-TLS]", b);
}

static int
tls_header(struct tlswire_parser *p)
{
	const uint8_t *h = p->rhdr;
	size_t len = (size_t)h[3] << 8 | h[4];
	bool first = p->state == TLSWIRE_ST_START;

	if (h[0] < CT_CCS || h[0] > CT_HEARTBEAT)
		return fail(p, TLSWIRE_ERR_RECORD, "unknown record type %u "
		    "[TLS-BAD-TYPE]", h[0]);
	if (h[1] != 3)
		return fail(p, first ? TLSWIRE_ERR_NOT_TLS : TLSWIRE_ERR_RECORD,
		    "%srecord version 0x%02x%02x [TLS-BAD-VERSION]",
		    first ? "not TLS: " : "", h[1], h[2]);
	if (len > TLSWIRE_MAX_RECORD)
		return fail(p, TLSWIRE_ERR_RECORD, "record length %zu exceeds "
		    "16384+2048 [TLS-LEN-OVERFLOW]", len);
	if (first)
		p->state = TLSWIRE_ST_HANDSHAKE;
	p->rtype = h[0];
	p->rleft = len;
	if (h[0] == CT_APPDATA ||
	    (h[0] == CT_CCS && !p->ccs_compat))
		p->state = TLSWIRE_ST_ENCRYPTED;	/* stop here */
	return 0;
}

static int
sslv2_header(struct tlswire_parser *p)
{
	const uint8_t *h = p->rhdr;

	if (p->rhdr_need == 2)
		p->rleft = (size_t)(h[0] & 0x7f) << 8 | h[1];
	else
		p->rleft = (size_t)(h[0] & 0x3f) << 8 | h[1];
	if (p->state == TLSWIRE_ST_START) {
		if (p->rleft == 0)
			return fail(p, TLSWIRE_ERR_RECORD,
			    "empty SSLv2 record [SSL2-LEN]");
		p->state = TLSWIRE_ST_SSLV2;
		p->hlen = p->rleft;
		p->hhave = 0;
	}
	return 0;
}

/* Collect header bytes; returns 1 with a header ready, 0 for more. */
static int
header_input(struct tlswire_parser *p, const uint8_t **d, size_t *n)
{
	uint8_t b;

	if (p->rhdr_have == 0) {
		b = **d;
		if (p->v2)
			p->rhdr_need = b & 0x80 ? 2 : 3;
		else if (p->state != TLSWIRE_ST_START ||
		    (b >= CT_CCS && b <= CT_HEARTBEAT))
			p->rhdr_need = 5;
		else if (b & 0x80) {		/* SSLv2 2-byte header */
			p->v2 = true;
			p->rhdr_need = 2;
		} else
			return not_tls(p, b);
	}
	while (*n > 0 && p->rhdr_have < p->rhdr_need) {
		p->rhdr[p->rhdr_have++] = *(*d)++;
		(*n)--;
	}
	if (p->rhdr_have < p->rhdr_need)
		return 0;
	p->rhdr_have = 0;
	if ((p->v2 ? sslv2_header(p) : tls_header(p)) == -1)
		return -1;
	return 1;
}

static int
alert_input(struct tlswire_parser *p, const uint8_t *d, size_t n)
{
	while (n > 0 && p->state != TLSWIRE_ST_ALERT) {
		p->alert[p->alert_have++] = *d++;
		n--;
		if (p->alert_have < 2)
			continue;
		p->alert_have = 0;
		if (p->ev->on_alert != NULL)
			p->ev->on_alert(p->ev->arg, p->alert[0], p->alert[1]);
		if (p->alert[0] != TLSWIRE_ALERT_WARNING || p->alert[1] == 0)
			p->state = TLSWIRE_ST_ALERT;
	}
	return 0;
}

/* n bytes of the current record's payload. */
static int
payload_input(struct tlswire_parser *p, const uint8_t *d, size_t n)
{
	const uint8_t *msg;

	if (p->state == TLSWIRE_ST_SSLV2) {
		msg = collect(p, &d, &n);
		return msg == NULL ? 0 : parse_sslv2(p, msg, p->hlen);
	}
	if (p->v2)
		return 0;		/* later SSLv2 records: encrypted */
	switch (p->rtype) {
	case CT_HANDSHAKE:
		return hs_input(p, d, n);
	case CT_ALERT:
		return alert_input(p, d, n);
	default:			/* heartbeat, TLS 1.3 compat CCS */
		return 0;
	}
}

int
tlswire_feed(struct tlswire_parser *p, const uint8_t *d, size_t n)
{
	size_t k;
	int rc;

	while (n > 0) {
		if (p->state == TLSWIRE_ST_ERROR)
			return -1;
		if (p->state == TLSWIRE_ST_ENCRYPTED ||
		    p->state == TLSWIRE_ST_ALERT)
			return 0;
		if (p->rleft == 0) {
			if ((rc = header_input(p, &d, &n)) <= 0)
				return rc;
			continue;
		}
		k = p->rleft < n ? p->rleft : n;
		p->rleft -= k;
		if (payload_input(p, d, k) == -1)
			return -1;
		d += k;
		n -= k;
	}
	return p->state == TLSWIRE_ST_ERROR ? -1 : 0;
}
