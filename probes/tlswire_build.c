/*
 * tlswire_build.c: ClientHello and SSLv2 CLIENT-HELLO builders and the
 * ready recipes of tlswire.h.  The builder writes exactly what the recipe
 * says (no GREASE, nothing implicit but the extension order), so one
 * recipe always gives the same bytes: tests and fingerprints depend on it.
 */
#include "probes/tlswire.h"

#include <string.h>

#define MAX_FRAGMENT	16384

/* A bounded writer: overflow sets bad, checked once at the end. */
struct wr {
	uint8_t		*p;
	size_t		 cap;
	size_t		 off;
	bool		 bad;
};

static void
w_bytes(struct wr *w, const void *d, size_t n)
{
	if (w->bad || n > w->cap - w->off) {
		w->bad = true;
		return;
	}
	if (n > 0)
		memcpy(w->p + w->off, d, n);
	w->off += n;
}

static void
w_uint(struct wr *w, uint32_t v, size_t n)
{
	uint8_t b[4];
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	w_bytes(w, b, n);
}

/* Open a vector with an n-byte length; w_close fills it in. */
static size_t
w_open(struct wr *w, size_t n)
{
	size_t at = w->off;

	w_uint(w, 0, n);
	return at;
}

static void
w_close(struct wr *w, size_t at, size_t n)
{
	size_t len = w->off - at - n, i;

	if (w->bad)
		return;
	if (n > 0 && n < 4 && len >> (8 * n) != 0) {
		w->bad = true;		/* does not fit its length field */
		return;
	}
	for (i = 0; i < n; i++)
		w->p[at + i] = (uint8_t)(len >> (8 * (n - 1 - i)));
}

static void
w_list16(struct wr *w, const uint16_t *v, size_t n, size_t lenbytes)
{
	size_t at = w_open(w, lenbytes), i;

	for (i = 0; i < n; i++)
		w_uint(w, v[i], 2);
	w_close(w, at, lenbytes);
}

/* An extension whose body is written by the caller between open/close. */
static size_t
ext_open(struct wr *w, uint16_t type)
{
	w_uint(w, type, 2);
	return w_open(w, 2);
}

static void
ext_empty(struct wr *w, uint16_t type)
{
	w_uint(w, type, 2);
	w_uint(w, 0, 2);
}

static void
ext_sni_alpn(struct wr *w, const struct tlswire_hello *h)
{
	size_t at, list, name, i, len;

	if (h->sni != NULL && h->sni[0] != '\0') {
		at = ext_open(w, 0);
		list = w_open(w, 2);
		w_uint(w, 0, 1);		/* host_name */
		name = w_open(w, 2);
		w_bytes(w, h->sni, strlen(h->sni));
		w_close(w, name, 2);
		w_close(w, list, 2);
		w_close(w, at, 2);
	}
	if (h->nec_point_formats > 0) {
		at = ext_open(w, 11);
		list = w_open(w, 1);
		w_bytes(w, h->ec_point_formats, h->nec_point_formats);
		w_close(w, list, 1);
		w_close(w, at, 2);
	}
	if (h->ngroups > 0) {
		at = ext_open(w, 10);
		w_list16(w, h->groups, h->ngroups, 2);
		w_close(w, at, 2);
	}
	if (h->flags & TLSWIRE_F_SESSION_TICKET)
		ext_empty(w, 35);
	if (h->nalpn > 0) {
		at = ext_open(w, 16);
		list = w_open(w, 2);
		for (i = 0; i < h->nalpn; i++) {
			len = strlen(h->alpn[i]);
			if (len == 0)
				w->bad = true;
			name = w_open(w, 1);
			w_bytes(w, h->alpn[i], len);
			w_close(w, name, 1);
		}
		w_close(w, list, 2);
		w_close(w, at, 2);
	}
}

static void
ext_misc(struct wr *w, const struct tlswire_hello *h)
{
	static const uint8_t ocsp[] = { 1, 0, 0, 0, 0 };
	size_t at;

	if (h->flags & TLSWIRE_F_STATUS_REQUEST) {
		at = ext_open(w, 5);
		w_bytes(w, ocsp, sizeof(ocsp));
		w_close(w, at, 2);
	}
	if (h->nsig_algs > 0) {
		at = ext_open(w, 13);
		w_list16(w, h->sig_algs, h->nsig_algs, 2);
		w_close(w, at, 2);
	}
	if (h->flags & TLSWIRE_F_SCT)
		ext_empty(w, 18);
	if (h->flags & TLSWIRE_F_EMS)
		ext_empty(w, 23);
	if (h->flags & TLSWIRE_F_ETM)
		ext_empty(w, 22);
	if (h->flags & TLSWIRE_F_HEARTBEAT) {
		at = ext_open(w, 15);
		w_uint(w, 1, 1);	/* peer_allowed_to_send */
		w_close(w, at, 2);
	}
	if (h->flags & TLSWIRE_F_RENEG_INFO) {
		at = ext_open(w, 0xff01);
		w_uint(w, 0, 1);	/* empty renegotiated_connection */
		w_close(w, at, 2);
	}
}

static void
ext_tls13(struct wr *w, const struct tlswire_hello *h)
{
	size_t at, list, key, i;

	if (h->nversions > 0) {
		at = ext_open(w, 43);
		w_list16(w, h->versions, h->nversions, 1);
		w_close(w, at, 2);
	}
	if (h->flags & TLSWIRE_F_PSK_MODES) {
		at = ext_open(w, 45);
		w_uint(w, 1, 1);
		w_uint(w, 1, 1);	/* psk_dhe_ke */
		w_close(w, at, 2);
	}
	if (h->nkey_shares > 0 || (h->flags & TLSWIRE_F_KEY_SHARE_EMPTY)) {
		at = ext_open(w, 51);
		list = w_open(w, 2);
		for (i = 0; i < h->nkey_shares; i++) {
			w_uint(w, h->key_shares[i].group, 2);
			key = w_open(w, 2);
			w_bytes(w, h->key_shares[i].key,
			    h->key_shares[i].len);
			w_close(w, key, 2);
		}
		w_close(w, list, 2);
		w_close(w, at, 2);
	}
}

/* RFC 7685: pad the handshake message (from msg) up to pad_to bytes. */
static void
ext_padding(struct wr *w, size_t msg, size_t pad_to)
{
	size_t now = w->off - msg, n, at;

	if (pad_to == 0 || now >= pad_to)
		return;
	n = pad_to - now >= 4 ? pad_to - now - 4 : 0;
	at = ext_open(w, 21);
	while (n-- > 0 && !w->bad)
		w_uint(w, 0, 1);
	w_close(w, at, 2);
}

static void
hello_body(struct wr *w, const struct tlswire_hello *h, size_t msg)
{
	static const uint8_t null_comp[] = { 0 };
	size_t at, exts;

	w_uint(w, h->client_version, 2);
	w_bytes(w, h->random, 32);
	at = w_open(w, 1);
	w_bytes(w, h->session_id, h->session_id_len);
	w_close(w, at, 1);
	at = w_open(w, 2);
	w_list16(w, h->ciphers, h->nciphers, 0);
	if (h->flags & TLSWIRE_F_RENEG_SCSV)
		w_uint(w, 0x00ff, 2);
	if (h->flags & TLSWIRE_F_FALLBACK_SCSV)
		w_uint(w, 0x5600, 2);
	w_close(w, at, 2);
	at = w_open(w, 1);
	if (h->ncompression > 0)
		w_bytes(w, h->compression, h->ncompression);
	else
		w_bytes(w, null_comp, sizeof(null_comp));
	w_close(w, at, 1);
	if (h->flags & TLSWIRE_F_NO_EXTENSIONS)
		return;
	exts = w_open(w, 2);
	ext_sni_alpn(w, h);
	ext_misc(w, h);
	ext_tls13(w, h);
	ext_padding(w, msg, h->pad_to);
	if (w->off == exts + 2)
		w->off = exts;		/* no extension: no block at all */
	else
		w_close(w, exts, 2);
}

/* Cut the handshake message at out[5..] into records of 16384 bytes. */
static int
fragment(uint8_t *out, size_t outlen, size_t msglen, uint16_t rv,
    size_t *written)
{
	size_t nrec = (msglen + MAX_FRAGMENT - 1) / MAX_FRAGMENT, total, i;
	size_t frag, src, dst;

	total = msglen + 5 * nrec;
	if (total > outlen)
		return -1;
	for (i = nrec; i-- > 0;) {	/* from the back: no overlap */
		src = 5 + i * MAX_FRAGMENT;
		dst = i * (MAX_FRAGMENT + 5);
		frag = msglen - i * MAX_FRAGMENT;
		if (frag > MAX_FRAGMENT)
			frag = MAX_FRAGMENT;
		memmove(out + dst + 5, out + src, frag);
		out[dst] = 22;
		out[dst + 1] = (uint8_t)(rv >> 8);
		out[dst + 2] = (uint8_t)rv;
		out[dst + 3] = (uint8_t)(frag >> 8);
		out[dst + 4] = (uint8_t)frag;
	}
	*written = total;
	return 0;
}

int
tlswire_build_client_hello(const struct tlswire_hello *h, uint8_t *out,
    size_t outlen, size_t *written)
{
	struct wr w = { .p = out, .cap = outlen };
	uint16_t rv = h->record_version;
	size_t msg;

	if (h->nciphers == 0 || h->nciphers > TLSWIRE_MAX_CIPHERS ||
	    h->session_id_len > 32 || h->nkey_shares > TLSWIRE_MAX_KEY_SHARES ||
	    outlen < 5)
		return -1;
	if (rv == 0)
		rv = h->client_version < TLSWIRE_TLS10 ? h->client_version :
		    TLSWIRE_TLS10;
	w.off = 5;			/* record header written last */
	w_uint(&w, 1, 1);		/* client_hello */
	msg = w_open(&w, 3);
	hello_body(&w, h, msg - 1);
	w_close(&w, msg, 3);
	if (w.bad)
		return -1;
	return fragment(out, outlen, w.off - 5, rv, written);
}

int
tlswire_build_sslv2_hello(const struct tlswire_sslv2_hello *h, uint8_t *out,
    size_t outlen, size_t *written)
{
	struct wr w = { .p = out, .cap = outlen };
	size_t i, len;

	if (h->nspecs == 0 || h->nspecs > 1000 || h->challenge_len < 16 ||
	    h->challenge_len > 32 || (h->session_id_len != 0 &&
	    h->session_id_len != 16))
		return -1;
	len = 9 + 3 * h->nspecs + h->session_id_len + h->challenge_len;
	w_uint(&w, 0x8000 | (uint32_t)len, 2);	/* 2-byte header */
	w_uint(&w, 1, 1);			/* CLIENT-HELLO */
	w_uint(&w, h->version, 2);
	w_uint(&w, (uint32_t)(3 * h->nspecs), 2);
	w_uint(&w, (uint32_t)h->session_id_len, 2);
	w_uint(&w, (uint32_t)h->challenge_len, 2);
	for (i = 0; i < h->nspecs; i++)
		w_uint(&w, h->specs[i], 3);
	w_bytes(&w, h->session_id, h->session_id_len);
	w_bytes(&w, h->challenge, h->challenge_len);
	if (w.bad)
		return -1;
	*written = w.off;
	return 0;
}

/* ---- recipes ----------------------------------------------------- */

/* ECDHE first (forward secrecy, ECDSA and RSA certificates), then DHE,
 * then plain RSA and 3DES for old servers: something always matches. */
static const uint16_t grab12_ciphers[] = {
	0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013,
	0xc00a, 0xc014, 0xc023, 0xc027, 0xc024, 0xc028, 0x009e, 0x009f,
	0xccaa, 0x0033, 0x0039, 0x0067, 0x006b, 0x009c, 0x009d, 0x002f,
	0x0035, 0x003c, 0x003d, 0xc012, 0x0016, 0x000a,
};
static const uint16_t modern_ciphers[] = {
	0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
	0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014, 0x009c, 0x009d, 0x002f,
	0x0035,
};
static const uint16_t grab12_groups[] = {
	TLSWIRE_GROUP_X25519, TLSWIRE_GROUP_SECP256R1, TLSWIRE_GROUP_SECP384R1,
	TLSWIRE_GROUP_SECP521R1,
};
static const uint16_t grab12_sigalgs[] = {
	0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501,
	0x0601, 0x0203, 0x0201,
};
static const uint16_t modern_sigalgs[] = {
	0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806,
	0x0401, 0x0501, 0x0601,
};
static const uint16_t modern_versions[] = { TLSWIRE_TLS13, TLSWIRE_TLS12 };
static const uint8_t uncompressed[] = { 0 };
static const char *const modern_alpn[] = { "h2", "http/1.1" };

void
tlswire_recipe_grab12(struct tlswire_hello *h)
{
	*h = (struct tlswire_hello){
		.record_version = TLSWIRE_TLS10,
		.client_version = TLSWIRE_TLS12,
		.ciphers = grab12_ciphers,
		.nciphers = sizeof(grab12_ciphers) / sizeof(grab12_ciphers[0]),
		.groups = grab12_groups,
		.ngroups = sizeof(grab12_groups) / sizeof(grab12_groups[0]),
		.ec_point_formats = uncompressed,
		.nec_point_formats = sizeof(uncompressed),
		.sig_algs = grab12_sigalgs,
		.nsig_algs = sizeof(grab12_sigalgs) / sizeof(grab12_sigalgs[0]),
		.flags = TLSWIRE_F_RENEG_INFO | TLSWIRE_F_STATUS_REQUEST |
		    TLSWIRE_F_EMS | TLSWIRE_F_SCT,
		/* F5 devices hang on hellos of 256..511 bytes: pad past */
		.pad_to = 512,
	};
}

void
tlswire_recipe_modern(struct tlswire_hello *h, const uint8_t key[32])
{
	*h = (struct tlswire_hello){
		.record_version = TLSWIRE_TLS10,
		.client_version = TLSWIRE_TLS12,
		.session_id_len = 32,	/* middlebox compatibility mode */
		.ciphers = modern_ciphers,
		.nciphers = sizeof(modern_ciphers) / sizeof(modern_ciphers[0]),
		.alpn = modern_alpn,
		.nalpn = sizeof(modern_alpn) / sizeof(modern_alpn[0]),
		.groups = grab12_groups,
		.ngroups = 3,
		.ec_point_formats = uncompressed,
		.nec_point_formats = sizeof(uncompressed),
		.sig_algs = modern_sigalgs,
		.nsig_algs = sizeof(modern_sigalgs) / sizeof(modern_sigalgs[0]),
		.versions = modern_versions,
		.nversions = 2,
		.flags = TLSWIRE_F_RENEG_INFO | TLSWIRE_F_STATUS_REQUEST |
		    TLSWIRE_F_EMS | TLSWIRE_F_SCT | TLSWIRE_F_PSK_MODES |
		    TLSWIRE_F_SESSION_TICKET,
		.key_shares = { { .group = TLSWIRE_GROUP_X25519, .key = key,
		    .len = 32 } },
		.nkey_shares = 1,
		.pad_to = 512,
	};
}

static const uint32_t sslv2_all[] = {
	0x010080, 0x020080, 0x030080, 0x040080, 0x050080, 0x060040, 0x0700c0,
};

void
tlswire_recipe_sslv2(struct tlswire_sslv2_hello *h)
{
	*h = (struct tlswire_sslv2_hello){
		.version = TLSWIRE_SSL2,
		.specs = sslv2_all,
		.nspecs = sizeof(sslv2_all) / sizeof(sslv2_all[0]),
		.challenge_len = 16,
	};
}
