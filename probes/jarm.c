/*
 * jarm.c: the ten JARM ClientHellos and the JARM fuzzy hash (jarm.h).
 *
 * Each probe is a row of the specification's table: wire version, cipher
 * list (all 69 suites, or the 64 without TLS 1.3), its order (forward,
 * reverse, top half, bottom half, middle out), GREASE or not, the ALPN
 * list (all, or the rare ones), the supported_versions extension (none,
 * up to TLS 1.2, up to TLS 1.3) and the order of the ALPN and version
 * lists.  The extension order itself is fixed.  tlswire's builder cannot
 * write GREASE or this extension order, so the hellos are written here.
 *
 * Quirk kept on purpose: the reference's full ALPN list joins "spdy/3"
 * and "h2" into one element (a missing comma), which changes how that
 * list is reordered; hashes only match if we do the same.
 */
#include "probes/jarm.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

enum order { ORD_FORWARD, ORD_REVERSE, ORD_TOP, ORD_BOTTOM, ORD_MIDDLE };
enum svext { SV_NONE, SV_TLS12, SV_TLS13 };

struct probe {
	uint16_t	 version;	/* TLS_1.1, 1.2 or 1.3 (0x0304) */
	bool		 no13;		/* cipher list without TLS 1.3 */
	enum order	 order;
	bool		 grease;
	bool		 rare_alpn;
	enum svext	 sv;
	bool		 reverse_lists;	/* ALPN and versions reversed */
};

static const struct probe probes[JARM_PROBES] = {
	{ 0x0303, false, ORD_FORWARD, false, false, SV_TLS12, true },
	{ 0x0303, false, ORD_REVERSE, false, false, SV_TLS12, false },
	{ 0x0303, false, ORD_TOP, false, false, SV_NONE, false },
	{ 0x0303, false, ORD_BOTTOM, false, true, SV_NONE, false },
	{ 0x0303, false, ORD_MIDDLE, true, true, SV_NONE, true },
	{ 0x0302, false, ORD_FORWARD, false, false, SV_NONE, false },
	{ 0x0304, false, ORD_FORWARD, false, false, SV_TLS13, true },
	{ 0x0304, false, ORD_REVERSE, false, false, SV_TLS13, false },
	{ 0x0304, true, ORD_FORWARD, false, false, SV_TLS13, false },
	{ 0x0304, false, ORD_MIDDLE, true, false, SV_TLS13, true },
};

/* The probes' cipher list, in the specification's order. */
static const uint16_t all_ciphers[] = {
	0x0016, 0x0033, 0x0067, 0xc09e, 0xc0a2, 0x009e, 0x0039, 0x006b,
	0xc09f, 0xc0a3, 0x009f, 0x0045, 0x00be, 0x0088, 0x00c4, 0x009a,
	0xc008, 0xc009, 0xc023, 0xc0ac, 0xc0ae, 0xc02b, 0xc00a, 0xc024,
	0xc0ad, 0xc0af, 0xc02c, 0xc072, 0xc073, 0xcca9, 0x1302, 0x1301,
	0xcc14, 0xc007, 0xc012, 0xc013, 0xc027, 0xc02f, 0xc014, 0xc028,
	0xc030, 0xc060, 0xc061, 0xc076, 0xc077, 0xcca8, 0x1305, 0x1304,
	0x1303, 0xcc13, 0xc011, 0x000a, 0x002f, 0x003c, 0xc09c, 0xc0a0,
	0x009c, 0x0035, 0x003d, 0xc09d, 0xc0a1, 0x009d, 0x0041, 0x00ba,
	0x0084, 0x00c0, 0x0007, 0x0004, 0x0005,
};
#define NALL	(sizeof(all_ciphers) / sizeof(all_ciphers[0]))
_Static_assert(NALL == 69, "JARM's cipher list has 69 suites");

/* The hash's cipher index: position (from 1) in this list, 2 hex digits. */
static const uint16_t hash_ciphers[] = {
	0x0004, 0x0005, 0x0007, 0x000a, 0x0016, 0x002f, 0x0033, 0x0035,
	0x0039, 0x003c, 0x003d, 0x0041, 0x0045, 0x0067, 0x006b, 0x0084,
	0x0088, 0x009a, 0x009c, 0x009d, 0x009e, 0x009f, 0x00ba, 0x00be,
	0x00c0, 0x00c4, 0xc007, 0xc008, 0xc009, 0xc00a, 0xc011, 0xc012,
	0xc013, 0xc014, 0xc023, 0xc024, 0xc027, 0xc028, 0xc02b, 0xc02c,
	0xc02f, 0xc030, 0xc060, 0xc061, 0xc072, 0xc073, 0xc076, 0xc077,
	0xc09c, 0xc09d, 0xc09e, 0xc09f, 0xc0a0, 0xc0a1, 0xc0a2, 0xc0a3,
	0xc0ac, 0xc0ad, 0xc0ae, 0xc0af, 0xcc13, 0xcc14, 0xcca8, 0xcca9,
	0x1301, 0x1302, 0x1303, 0x1304, 0x1305,
};
_Static_assert(sizeof(hash_ciphers) / sizeof(hash_ciphers[0]) == NALL,
    "the hash list names every probe suite");

/* ALPN elements as wire bytes (length-prefixed names); see the quirk. */
static const char *const alpn_all[] = {
	"\x08http/0.9", "\x08http/1.0", "\x08http/1.1", "\x06spdy/1",
	"\x06spdy/2", "\x06spdy/3\x02h2", "\x03h2c", "\x02hq",
};
static const char *const alpn_rare[] = {
	"\x08http/0.9", "\x08http/1.0", "\x06spdy/1", "\x06spdy/2",
	"\x06spdy/3", "\x03h2c", "\x02hq",
};

static const uint16_t grease_values[16] = {
	0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a,
	0x8a8a, 0x9a9a, 0xaaaa, 0xbaba, 0xcaca, 0xdada, 0xeaea, 0xfafa,
};

/*
 * Reorders n items (indexes into the caller's list) as the specification
 * says; idx gets at most n entries, *m how many.
 */
static void
reorder(enum order o, size_t n, size_t *idx, size_t *m)
{
	size_t i, k = 0, mid = n / 2;

	switch (o) {
	case ORD_FORWARD:
		for (i = 0; i < n; i++)
			idx[k++] = i;
		break;
	case ORD_REVERSE:
		for (i = n; i-- > 0;)
			idx[k++] = i;
		break;
	case ORD_BOTTOM:	/* second half, without the middle */
		for (i = n % 2 == 1 ? mid + 1 : mid; i < n; i++)
			idx[k++] = i;
		break;
	case ORD_TOP:		/* middle, then the first half backwards */
		if (n % 2 == 1)
			idx[k++] = mid;
		for (i = mid; i-- > 0;)
			idx[k++] = i;
		break;
	case ORD_MIDDLE:	/* from the middle out, later half first */
		if (n % 2 == 1) {
			idx[k++] = mid;
			for (i = 1; i <= mid; i++) {
				idx[k++] = mid + i;
				idx[k++] = mid - i;
			}
		} else {
			for (i = 1; i <= mid; i++) {
				idx[k++] = mid - 1 + i;
				idx[k++] = mid - i;
			}
		}
		break;
	}
	*m = k;
}

/* A bounded writer; overflow sets bad. */
struct wr {
	uint8_t		*p;
	size_t		 cap;
	size_t		 off;
	bool		 bad;
};

static void
put(struct wr *w, const void *d, size_t n)
{
	if (w->bad || n > w->cap - w->off) {
		w->bad = true;
		return;
	}
	memcpy(w->p + w->off, d, n);
	w->off += n;
}

static void
put8(struct wr *w, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(w, &b, 1);
}

static void
put16(struct wr *w, unsigned v)
{
	put8(w, v >> 8);
	put8(w, v);
}

/* Fills a 2-byte length at at with what was written after it. */
static void
fix16(struct wr *w, size_t at)
{
	size_t n = w->off - at - 2;

	if (w->bad || n > 0xffff) {
		w->bad = true;
		return;
	}
	w->p[at] = (uint8_t)(n >> 8);
	w->p[at + 1] = (uint8_t)n;
}

static size_t
open16(struct wr *w)
{
	size_t at = w->off;

	put16(w, 0);
	return at;
}

static uint16_t
grease(const struct jarm_rand *r, size_t k)
{
	return grease_values[r->grease[k % 4] & 15];
}

static void
ciphers(struct wr *w, const struct probe *p, const struct jarm_rand *r)
{
	uint16_t list[NALL];
	size_t idx[NALL], n = 0, m, i, at;

	for (i = 0; i < NALL; i++)
		if (!p->no13 || (all_ciphers[i] & 0xff00) != 0x1300)
			list[n++] = all_ciphers[i];
	reorder(p->order, n, idx, &m);
	at = open16(w);
	if (p->grease)
		put16(w, grease(r, 0));
	for (i = 0; i < m; i++)
		put16(w, list[idx[i]]);
	fix16(w, at);
}

static void
ext_alpn(struct wr *w, const struct probe *p)
{
	const char *const *l = p->rare_alpn ? alpn_rare : alpn_all;
	size_t n = p->rare_alpn ? 7 : 8, idx[8], m, i, at, list;

	reorder(p->reverse_lists ? ORD_REVERSE : ORD_FORWARD, n, idx, &m);
	put16(w, 0x0010);
	at = open16(w);
	list = open16(w);
	for (i = 0; i < m; i++)
		put(w, l[idx[i]], strlen(l[idx[i]]));
	fix16(w, list);
	fix16(w, at);
}

static void
ext_versions(struct wr *w, const struct probe *p, const struct jarm_rand *r)
{
	static const uint16_t v[] = { 0x0301, 0x0302, 0x0303, 0x0304 };
	size_t n = p->sv == SV_TLS12 ? 3 : 4, idx[4], m, i, at;

	reorder(p->reverse_lists ? ORD_REVERSE : ORD_FORWARD, n, idx, &m);
	put16(w, 0x002b);
	at = open16(w);
	put8(w, 2 * m + (p->grease ? 2 : 0));
	if (p->grease)
		put16(w, grease(r, 3));
	for (i = 0; i < m; i++)
		put16(w, v[idx[i]]);
	fix16(w, at);
}

static void
extensions(struct wr *w, const struct probe *p, const char *host,
    const struct jarm_rand *r)
{
	static const uint8_t fixed1[] = {
		0x00, 0x17, 0x00, 0x00,			/* ext. master secret */
		0x00, 0x01, 0x00, 0x01, 0x01,		/* max_fragment_len */
		0xff, 0x01, 0x00, 0x01, 0x00,		/* renegotiation_info */
		0x00, 0x0a, 0x00, 0x0a, 0x00, 0x08,	/* supported_groups */
		0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, 0x00, 0x19,
		0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,	/* ec_point_formats */
		0x00, 0x23, 0x00, 0x00,			/* session_ticket */
	};
	static const uint8_t sigalgs[] = {
		0x00, 0x0d, 0x00, 0x14, 0x00, 0x12, 0x04, 0x03, 0x08, 0x04,
		0x04, 0x01, 0x05, 0x03, 0x08, 0x05, 0x05, 0x01, 0x08, 0x06,
		0x06, 0x01, 0x02, 0x01,
	};
	static const uint8_t psk_modes[] = { 0x00, 0x2d, 0x00, 0x02, 0x01,
	    0x01 };
	size_t hl = strlen(host), at, list;

	at = open16(w);
	if (p->grease) {
		put16(w, grease(r, 1));
		put16(w, 0);
	}
	put16(w, 0x0000);			/* server_name */
	put16(w, hl + 5);
	put16(w, hl + 3);
	put8(w, 0);
	put16(w, hl);
	put(w, host, hl);
	put(w, fixed1, sizeof(fixed1));
	ext_alpn(w, p);
	put(w, sigalgs, sizeof(sigalgs));
	put16(w, 0x0033);			/* key_share */
	list = open16(w);
	put16(w, 0);			/* list length, fixed below */
	if (p->grease) {
		put16(w, grease(r, 2));
		put16(w, 1);
		put8(w, 0);
	}
	put16(w, 0x001d);
	put16(w, 32);
	put(w, r->key, 32);
	fix16(w, list + 2);
	fix16(w, list);
	put(w, psk_modes, sizeof(psk_modes));
	if (p->sv != SV_NONE)
		ext_versions(w, p, r);
	fix16(w, at);
}

int
jarm_build(unsigned i, const char *host, const struct jarm_rand *r,
    uint8_t *out, size_t outlen, size_t *len)
{
	struct wr w = { .p = out, .cap = outlen };
	const struct probe *p;
	uint16_t legacy;
	size_t rec, hs;

	if (i >= JARM_PROBES || host == NULL || strlen(host) > 255)
		return -1;
	p = &probes[i];
	legacy = p->version == 0x0304 ? 0x0303 : p->version;
	put8(&w, 22);
	put16(&w, p->version == 0x0304 ? 0x0301 : p->version);
	rec = open16(&w);
	put8(&w, 1);				/* client_hello */
	put8(&w, 0);				/* 3-byte length, < 64 KiB */
	hs = open16(&w);
	put16(&w, legacy);
	put(&w, r->random, 32);
	put8(&w, 32);
	put(&w, r->session_id, 32);
	ciphers(&w, p, r);
	put8(&w, 1);				/* compression: null */
	put8(&w, 0);
	extensions(&w, p, host, r);
	fix16(&w, hs);
	fix16(&w, rec);
	if (w.bad)
		return -1;
	*len = w.off;
	return 0;
}

void
jarm_raw(const struct jarm_answer *a, char *out, size_t outlen)
{
	size_t off, i;
	int n;

	if (outlen == 0)
		return;
	out[0] = '\0';
	if (!a->hello) {
		snprintf(out, outlen, "|||");
		return;
	}
	n = snprintf(out, outlen, "%04x|%04x|%s|", a->cipher, a->version,
	    a->alpn);
	if (n < 0 || (size_t)n >= outlen)
		return;
	off = (size_t)n;
	for (i = 0; i < a->nexts && i < JARM_MAX_EXTS; i++) {
		n = snprintf(out + off, outlen - off, "%s%04x",
		    i > 0 ? "-" : "", a->exts[i]);
		if (n < 0 || (size_t)n >= outlen - off)
			return;
		off += (size_t)n;
	}
}

/* Two hex digits: the suite's place in hash_ciphers, 1-based; 70 if not
 * there; "00" for no answer. */
static unsigned
cipher_index(uint16_t c)
{
	size_t i;

	for (i = 0; i < NALL; i++)
		if (hash_ciphers[i] == c)
			return (unsigned)i + 1;
	return (unsigned)NALL + 1;
}

/* One letter from the version's last hex digit: 0x0303 -> 'd'. */
static char
version_char(uint16_t v)
{
	unsigned d = v & 0x0f;

	return d < 6 ? (char)('a' + d) : '0';
}

/* Appends the hashed part of one answer: ALPN value, extension list. */
static size_t
hashed_part(const struct jarm_answer *a, char *out, size_t outlen)
{
	size_t off = 0, i;
	int n;

	n = snprintf(out, outlen, "%s", a->alpn);
	if (n < 0 || (size_t)n >= outlen)
		return 0;
	off = (size_t)n;
	for (i = 0; i < a->nexts && i < JARM_MAX_EXTS; i++) {
		n = snprintf(out + off, outlen - off, "%s%04x",
		    i > 0 ? "-" : "", a->exts[i]);
		if (n < 0 || (size_t)n >= outlen - off)
			break;
		off += (size_t)n;
	}
	return off;
}

void
jarm_hash(const struct jarm_answer a[JARM_PROBES], char out[63])
{
	static const char hex[] = "0123456789abcdef";
	char tail[JARM_PROBES * (64 + JARM_MAX_EXTS * 5)];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t off = 0, t = 0, i;
	bool any = false;

	for (i = 0; i < JARM_PROBES; i++) {
		if (!a[i].hello) {
			memcpy(out + off, "000", 3);
			off += 3;
			continue;
		}
		any = true;
		snprintf(out + off, 4, "%02x%c", cipher_index(a[i].cipher),
		    version_char(a[i].version));
		off += 3;
		t += hashed_part(&a[i], tail + t, sizeof(tail) - t);
	}
	if (!any) {		/* the specification's "no answer at all" */
		memset(out, '0', 62);
		out[62] = '\0';
		return;
	}
	if (EVP_Digest(tail, t, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen < 16) {
		memset(out + off, '0', 32);
	} else {
		for (i = 0; i < 16; i++) {
			out[off + 2 * i] = hex[md[i] >> 4];
			out[off + 2 * i + 1] = hex[md[i] & 15];
		}
	}
	out[62] = '\0';
}
