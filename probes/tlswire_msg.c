/*
 * tlswire_msg.c: the handshake message parsers of tlswire (ClientHello,
 * ServerHello, Certificate in TLS 1.2 and 1.3 form, ServerKeyExchange,
 * CertificateStatus, ServerHelloDone, SSLv2 hellos) and the accessors of
 * the parsed views.  Each parser sees one whole message and reads it only
 * through the bounded reader below; tlswire.c does the framing.
 */
#include "probes/tlswire_internal.h"

#include <string.h>

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
		return tlswire_fail(p, TLSWIRE_ERR_DECODE, "ClientHello: bad "
		    "session id or cipher list [TLS-VEC-OVERRUN]");
	ch.compression = rd_vec(&r, 1);
	if (!r.bad && r.off < r.len &&
	    !parse_exts(rd_vec(&r, 2), &ch.extensions))
		return tlswire_fail(p, TLSWIRE_ERR_DECODE,
		    "ClientHello: bad extension block [TLS-VEC-OVERRUN]");
	if (!rd_end(&r) || ch.compression.len == 0)
		return tlswire_fail(p, TLSWIRE_ERR_DECODE, "ClientHello: %s",
		    r.bad ? "truncated [TLS-VEC-OVERRUN]" :
		    ch.compression.len == 0 ? "no compression method" :
		    "trailing bytes [TLS-TRAILING]");
	while (tlswire_ext_next(&ch.extensions, &off, &x))
		if (!client_ext(&ch, &x))
			return tlswire_fail(p, TLSWIRE_ERR_DECODE,
			    "ClientHello: "
			    "malformed extension %u [TLS-EXT-MALFORMED]",
			    x.type);
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
		return tlswire_fail(p, TLSWIRE_ERR_DECODE,
		    "ServerHello: bad extension block [TLS-VEC-OVERRUN]");
	if (!rd_end(&r) || sh.session_id.len > 32)
		return tlswire_fail(p, TLSWIRE_ERR_DECODE, "ServerHello: %s",
		    r.bad ? "truncated [TLS-VEC-OVERRUN]" :
		    sh.session_id.len > 32 ? "session id over 32 bytes" :
		    "trailing bytes [TLS-TRAILING]");
	server_hello_flags(&sh);
	sh.version = sh.legacy_version;
	while (tlswire_ext_next(&sh.extensions, &off, &x))
		if (!server_ext(&sh, &x))
			return tlswire_fail(p, TLSWIRE_ERR_DECODE,
			    "ServerHello: "
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
		return tlswire_fail(p, TLSWIRE_ERR_DECODE,
		    "Certificate: malformed "
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
ske_params(struct rd *r, struct tlswire_server_kx *kx,
    const struct tlswire_cipher_info *ci)
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
	ske_params(&r, &kx, ci);
	if (r.bad)
		return tlswire_fail(p, TLSWIRE_ERR_DECODE, "ServerKeyExchange: "
		    "truncated parameters [TLS-VEC-OVERRUN]");
	signed_ = ci != NULL && ci->auth != TLSWIRE_AUTH_NONE &&
	    ci->auth != TLSWIRE_AUTH_PSK;
	if (signed_ && kx.kind != TLSWIRE_SKE_UNKNOWN) {
		if (p->version >= TLSWIRE_TLS12)
			kx.sig_alg = (uint16_t)rd_uint(&r, 2);
		(void)rd_vec(&r, 2);
		if (!rd_end(&r))
			return tlswire_fail(p, TLSWIRE_ERR_DECODE,
			    "ServerKeyExchange: "
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
		return tlswire_fail(p, TLSWIRE_ERR_DECODE, "CertificateStatus: "
		    "malformed [TLS-VEC-OVERRUN]");
	if (type == 1 && p->ev->on_certificate_status != NULL)
		p->ev->on_certificate_status(p->ev->arg, ocsp.data, ocsp.len);
	return 0;
}

int
tlswire_parse_message(struct tlswire_parser *p, uint8_t type, const uint8_t *d,
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
			return tlswire_fail(p, TLSWIRE_ERR_DECODE,
			    "ServerHelloDone with a %zu-byte body", n);
		if (p->ev->on_server_hello_done != NULL)
			p->ev->on_server_hello_done(p->ev->arg);
		p->state = TLSWIRE_ST_DONE;
		return 0;
	default:
		return 0;
	}
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
		return tlswire_fail(p, TLSWIRE_ERR_DECODE,
		    "SSLv2 CLIENT-HELLO: "
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
		return tlswire_fail(p, TLSWIRE_ERR_DECODE,
		    "SSLv2 SERVER-HELLO: "
		    "bad lengths [SSL2-LEN]");
	if (p->ev->on_sslv2_server_hello != NULL)
		p->ev->on_sslv2_server_hello(p->ev->arg, &sh);
	return 0;
}

/* The first SSLv2 message; everything after it is framed, not parsed. */
int
tlswire_parse_sslv2(struct tlswire_parser *p, const uint8_t *d, size_t n)
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
			return tlswire_fail(p, TLSWIRE_ERR_DECODE,
			    "SSLv2 ERROR: bad length [SSL2-LEN]");
		if (p->ev->on_sslv2_error != NULL)
			p->ev->on_sslv2_error(p->ev->arg, code);
		p->state = TLSWIRE_ST_ALERT;
		return 0;
	} else
		return tlswire_fail(p, TLSWIRE_ERR_UNEXPECTED,
		    "SSLv2 message type "
		    "%u unexpected from the %s", type,
		    p->dir == TLSWIRE_DIR_SERVER ? "server" : "client");
	p->state = TLSWIRE_ST_DONE;
	return 0;
}
