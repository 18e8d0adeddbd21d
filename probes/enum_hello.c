/*
 * enum_hello.c: what each enumeration attempt offers, as bytes.
 *
 * Every TLS <= 1.2 attempt carries the same extensions (renegotiation_info,
 * status_request, session_ticket, heartbeat, extended_master_secret,
 * encrypt_then_mac, ALPN h2 + http/1.1, every curve, DEFLATE + null
 * compression), so each ServerHello also answers those questions for free
 * and a probe of version V doubles as the first step of V's cipher chain.
 * TLS 1.3 attempts send an empty key_share: the server must name the group
 * it wants in a HelloRetryRequest, which also carries its suite choice, so
 * one attempt learns a suite and a group without any key exchange.
 */
#include "probes/enum_internal.h"

#include <string.h>

#include "probes/jarm.h"

static const uint16_t wire[TLSENUM_VER__MAX] = {
	[TLSENUM_SSL2] = TLSWIRE_SSL2,
	[TLSENUM_SSL3] = TLSWIRE_SSL3,
	[TLSENUM_TLS10] = TLSWIRE_TLS10,
	[TLSENUM_TLS11] = TLSWIRE_TLS11,
	[TLSENUM_TLS12] = TLSWIRE_TLS12,
	[TLSENUM_TLS13] = TLSWIRE_TLS13,
};

/* TLS 1.3 groups worth asking for: the named ones servers implement. */
static const uint16_t groups13[] = {
	29, 23, 24, 25, 30,		/* x25519 P-256 P-384 P-521 x448 */
	256, 257, 258, 259, 260,	/* ffdhe2048 .. ffdhe8192 */
	31, 32, 33,			/* brainpool*tls13 */
	0x11ec, 0x11eb, 0x11ed,		/* ML-KEM hybrids */
	0x6399,				/* X25519Kyber768Draft00 */
};

/* Every signature scheme a server of any age may want. */
static const uint16_t sigalgs[] = {
	0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806,
	0x0809, 0x080a, 0x080b, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301,
	0x0302, 0x0203, 0x0201, 0x0202, 0x0402, 0x0502, 0x0602,
};
static const char *const alpn[] = { "h2", "http/1.1" };
static const uint8_t point_formats[] = { 0 };
static const uint8_t deflate_null[] = { 1, 0 };
static const uint16_t versions13[] = { TLSWIRE_TLS13 };
static const uint16_t versions_std[] = { TLSWIRE_TLS13, TLSWIRE_TLS12 };

uint16_t
enum_ver_wire(int ver)
{
	return ver >= 0 && ver < TLSENUM_VER__MAX ? wire[ver] : 0;
}

int
enum_ver_index(uint16_t w)
{
	int i;

	for (i = TLSENUM_SSL3; i < TLSENUM_VER__MAX; i++)
		if (wire[i] == w)
			return i;
	return -1;
}

bool
enum_list_has(const uint16_t *l, size_t n, uint16_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (l[i] == v)
			return true;
	return false;
}

/* Real suites (no signalling values, no NULL_WITH_NULL_NULL), by kind. */
static size_t
cand(uint16_t *out, size_t max, bool tls13)
{
	struct tlswire_cipher_info ci;
	size_t i, n = 0, count = tlswire_cipher_count();

	for (i = 0; i < count && n < max; i++) {
		uint16_t id = tlswire_cipher_at(i);

		if (tlswire_cipher_info(id, &ci) == -1 || id == 0x0000 ||
		    ci.kx == TLSWIRE_KX_SCSV)
			continue;
		if ((ci.kx == TLSWIRE_KX_TLS13) == tls13)
			out[n++] = id;
	}
	return n;
}

size_t
enum_cand_tls12(uint16_t *out, size_t max)
{
	return cand(out, max, false);
}

size_t
enum_cand_tls13(uint16_t *out, size_t max)
{
	return cand(out, max, true);
}

size_t
enum_groups13(uint16_t *out, size_t max)
{
	size_t i, n = sizeof(groups13) / sizeof(groups13[0]);

	for (i = 0; i < n && i < max; i++)
		out[i] = groups13[i];
	return i;
}

/* Named curves 1..30 (sect163k1 .. x448); the TLS <= 1.2 offers add the
 * FFDHE groups, which a server may use for DHE (RFC 7919). */
size_t
enum_curves12(uint16_t *out, size_t max)
{
	size_t n = 0;
	uint16_t g;

	for (g = 1; g <= 30 && n < max; g++)
		out[n++] = g;
	return n;
}

static void
tls12_recipe(const struct enum_plan *p, struct tlswire_hello *h,
    uint16_t v)
{
	*h = (struct tlswire_hello){
		.record_version = v < TLSWIRE_TLS10 ? v : TLSWIRE_TLS10,
		.client_version = v,
		.ciphers = p->off.suites,
		.nciphers = p->off.nsuites,
		.compression = deflate_null,
		.ncompression = p->off.deflate ? 2 : 0,
		.sni = p->sni[0] != '\0' ? p->sni : NULL,
		.alpn = alpn,
		.nalpn = 2,
		.groups = p->off.groups,
		.ngroups = p->off.ngroups,
		.ec_point_formats = point_formats,
		.nec_point_formats = 1,
		.sig_algs = sigalgs,
		.nsig_algs = v >= TLSWIRE_TLS12 ? sizeof(sigalgs) /
		    sizeof(sigalgs[0]) : 0,
		.flags = TLSWIRE_F_RENEG_INFO | TLSWIRE_F_STATUS_REQUEST |
		    TLSWIRE_F_SESSION_TICKET | TLSWIRE_F_HEARTBEAT |
		    TLSWIRE_F_EMS | TLSWIRE_F_ETM | TLSWIRE_F_SCT,
		/* F5 devices hang on hellos of 256..511 bytes */
		.pad_to = 512,
	};
	memcpy(h->random, p->random, sizeof(h->random));
	if (v == TLSWIRE_SSL3)		/* old stacks choke on extensions */
		h->flags = TLSWIRE_F_NO_EXTENSIONS | TLSWIRE_F_RENEG_SCSV;
	if (p->off.kind == STEP_FALLBACK)
		h->flags |= TLSWIRE_F_FALLBACK_SCSV;
}

static void
tls13_recipe(const struct enum_plan *p, struct tlswire_hello *h)
{
	*h = (struct tlswire_hello){
		.record_version = TLSWIRE_TLS10,
		.client_version = TLSWIRE_TLS12,
		.session_id_len = 32,	/* middlebox compatibility mode */
		.ciphers = p->off.suites,
		.nciphers = p->off.nsuites,
		.sni = p->sni[0] != '\0' ? p->sni : NULL,
		.alpn = alpn,
		.nalpn = 2,
		.groups = p->off.groups,
		.ngroups = p->off.ngroups,
		.ec_point_formats = point_formats,
		.nec_point_formats = 1,
		.sig_algs = sigalgs,
		.nsig_algs = sizeof(sigalgs) / sizeof(sigalgs[0]),
		.versions = versions13,
		.nversions = 1,
		.flags = TLSWIRE_F_STATUS_REQUEST | TLSWIRE_F_PSK_MODES |
		    TLSWIRE_F_KEY_SHARE_EMPTY,
		.pad_to = 512,
	};
	memcpy(h->random, p->random, sizeof(h->random));
	memcpy(h->session_id, p->random, sizeof(h->session_id));
	if (p->off.kind == STEP_STD) {
		/* what a browser-like client sends: its answer gives JA3S */
		h->versions = versions_std;
		h->nversions = 2;
		h->flags = TLSWIRE_F_RENEG_INFO | TLSWIRE_F_STATUS_REQUEST |
		    TLSWIRE_F_SESSION_TICKET | TLSWIRE_F_EMS |
		    TLSWIRE_F_ETM | TLSWIRE_F_SCT | TLSWIRE_F_PSK_MODES;
		h->key_shares[0] = (struct tlswire_key_share){
			.group = TLSWIRE_GROUP_X25519,
			.key = p->jrand.key,
			.len = 32,
		};
		h->nkey_shares = 1;
	}
}

int
enum_build(const struct enum_plan *p, uint8_t *out, size_t outlen,
    size_t *len)
{
	struct tlswire_sslv2_hello h2;
	struct tlswire_hello h;
	const char *host;

	switch (p->off.kind) {
	case STEP_SSL2:
		tlswire_recipe_sslv2(&h2);
		memcpy(h2.challenge, p->random, 16);
		return tlswire_build_sslv2_hello(&h2, out, outlen, len);
	case STEP_JARM:
		host = p->sni[0] != '\0' ? p->sni : p->addr;
		return jarm_build(p->off.jarm, host, &p->jrand, out, outlen,
		    len);
	case STEP_STD:
		tls13_recipe(p, &h);
		break;
	default:
		if (p->off.ver == TLSENUM_TLS13)
			tls13_recipe(p, &h);
		else
			tls12_recipe(p, &h, wire[p->off.ver]);
		break;
	}
	return tlswire_build_client_hello(&h, out, outlen, len);
}
