/*
 * fingerprint.c: JA3, JA3S and JA4 from tlswire's parsed hellos (see
 * fingerprint.h for the formats).
 *
 * Strings are built in a growable buffer: a ClientHello is at most 64 KiB
 * (TLSWIRE_MAX_HANDSHAKE), so at most ~32768 values of at most 6
 * characters each, a few hundred KiB in the worst case; nothing here
 * trusts a count beyond what the parsed view holds.
 * Hazard tags: [FP-GREASE] (RFC 8701 values dropped everywhere, counts
 * included), [FP-COUNT-CAP] (JA4 counts are two digits: capped at 99).
 */
#include "probes/fingerprint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "scanner/xmem.h"

struct sb {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

static void
sb_add(struct sb *s, const char *str, size_t n)
{
	if (s->len + n + 1 > s->cap) {
		s->cap = (s->len + n + 1) * 2;
		s->p = xreallocarray(s->p, s->cap, 1);
	}
	memcpy(s->p + s->len, str, n);
	s->len += n;
	s->p[s->len] = '\0';
}

static void
sb_str(struct sb *s, const char *str)
{
	sb_add(s, str, strlen(str));
}

/* Appends v in decimal (JA3) or as 4 lower-case hex digits (JA4). */
static void
sb_num(struct sb *s, unsigned v, bool hex)
{
	char t[16];
	int n = snprintf(t, sizeof(t), hex ? "%04x" : "%u", v);

	sb_add(s, t, (size_t)n);
}

/* An empty string, so that an empty list still yields "". */
static void
sb_init(struct sb *s)
{
	s->p = NULL;
	s->len = s->cap = 0;
	sb_add(s, "", 0);
}

bool
fingerprint_is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* Non-GREASE values of a list16, in order; *n set.  [FP-GREASE] */
static uint16_t *
list_values(const struct tlswire_list16 *l, size_t *n)
{
	uint16_t *v = xreallocarray(NULL, l->count + 1, sizeof(*v));
	size_t i, k = 0;

	for (i = 0; i < l->count; i++) {
		uint16_t x = tlswire_list16_get(l, i);

		if (!fingerprint_is_grease(x))
			v[k++] = x;
	}
	*n = k;
	return v;
}

/* Non-GREASE extension types in the order sent. */
static uint16_t *
ext_values(const struct tlswire_exts *e, size_t *n)
{
	uint16_t *v = xreallocarray(NULL, e->count + 1, sizeof(*v));
	struct tlswire_ext x;
	size_t off = 0, k = 0;

	while (k < e->count && tlswire_ext_next(e, &off, &x))
		if (!fingerprint_is_grease(x.type))
			v[k++] = x.type;
	*n = k;
	return v;
}

static void
sb_list(struct sb *s, const uint16_t *v, size_t n, bool hex)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			sb_add(s, hex ? "," : "-", 1);
		sb_num(s, v[i], hex);
	}
}

static int
digest_hex(const EVP_MD *md, const char *s, size_t len, char *out,
    size_t ndigits)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	static const char hx[] = "0123456789abcdef";

	if (EVP_Digest(s, len, d, &dlen, md, NULL) != 1 ||
	    ndigits > 2 * (size_t)dlen) {
		out[0] = '\0';
		return -1;
	}
	for (size_t i = 0; i < ndigits; i++)
		out[i] = hx[(d[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xf];
	out[ndigits] = '\0';
	return 0;
}

char *
fingerprint_ja3_raw(const struct tlswire_client_hello *ch)
{
	struct sb s;
	uint16_t *v;
	size_t n;

	if (ch->is_sslv2)
		return NULL;
	sb_init(&s);
	sb_num(&s, ch->legacy_version, false);
	sb_str(&s, ",");
	v = list_values(&ch->ciphers, &n);
	sb_list(&s, v, n, false);
	free(v);
	sb_str(&s, ",");
	v = ext_values(&ch->extensions, &n);
	sb_list(&s, v, n, false);
	free(v);
	sb_str(&s, ",");
	v = list_values(&ch->groups, &n);
	sb_list(&s, v, n, false);
	free(v);
	sb_str(&s, ",");
	for (size_t i = 0; i < ch->ec_point_formats.len; i++) {
		if (i > 0)
			sb_str(&s, "-");
		sb_num(&s, ch->ec_point_formats.data[i], false);
	}
	return s.p;
}

char *
fingerprint_ja3s_raw(const struct tlswire_server_hello *sh)
{
	struct sb s;
	uint16_t *v;
	size_t n;

	sb_init(&s);
	sb_num(&s, sh->legacy_version, false);
	sb_str(&s, ",");
	sb_num(&s, sh->cipher, false);
	sb_str(&s, ",");
	v = ext_values(&sh->extensions, &n);
	sb_list(&s, v, n, false);
	free(v);
	return s.p;
}

static int
md5_of(char *raw, char out[FINGERPRINT_JA3_LEN])
{
	int rc;

	if (raw == NULL) {
		out[0] = '\0';
		return -1;
	}
	rc = digest_hex(EVP_md5(), raw, strlen(raw), out,
	    FINGERPRINT_JA3_LEN - 1);
	free(raw);
	return rc;
}

int
fingerprint_ja3(const struct tlswire_client_hello *ch,
    char out[FINGERPRINT_JA3_LEN])
{
	return md5_of(fingerprint_ja3_raw(ch), out);
}

int
fingerprint_ja3s(const struct tlswire_server_hello *sh,
    char out[FINGERPRINT_JA3_LEN])
{
	return md5_of(fingerprint_ja3s_raw(sh), out);
}

/* ---- JA4 ------------------------------------------------------------- */

static const char *
ja4_version(uint16_t v)
{
	switch (v) {
	case 0x0304:	return "13";
	case 0x0303:	return "12";
	case 0x0302:	return "11";
	case 0x0301:	return "10";
	case 0x0300:	return "s3";
	case 0x0002:	return "s2";
	case 0xfeff:	return "d1";
	case 0xfefd:	return "d2";
	case 0xfefc:	return "d3";
	default:	return "00";
	}
}

/* The highest supported_versions entry, else the hello's version. */
static uint16_t
ja4_max_version(const struct tlswire_client_hello *ch)
{
	uint16_t best = 0, v;

	for (size_t i = 0; i < ch->supported_versions.count; i++) {
		v = tlswire_list16_get(&ch->supported_versions, i);
		if (!fingerprint_is_grease(v) && v > best)
			best = v;
	}
	return best != 0 ? best : ch->legacy_version;
}

static bool
is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z');
}

/* First and last characters of the first ALPN value; "00" if none. */
static void
ja4_alpn(const struct tlswire_client_hello *ch, char out[3])
{
	static const char hx[] = "0123456789abcdef";
	struct tlswire_bytes name;
	size_t off = 0;
	uint8_t first, last;

	memcpy(out, "00", 3);
	if (!tlswire_alpn_next(&ch->alpn, &off, &name) || name.len == 0)
		return;
	first = name.data[0];
	last = name.data[name.len - 1];
	if (is_alnum(first) && is_alnum(last)) {
		out[0] = (char)first;
		out[1] = (char)last;
	} else {
		/* first and last digits of the value in hex */
		out[0] = hx[first >> 4];
		out[1] = hx[last & 0xf];
	}
}

static int
cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return x < y ? -1 : x > y;
}

/* The "a" part: t13d1516h2.  [FP-COUNT-CAP] */
static void
ja4_a(const struct tlswire_client_hello *ch, size_t nciphers, size_t nexts,
    struct sb *s)
{
	struct tlswire_ext x;
	char a[16], alpn[3];

	ja4_alpn(ch, alpn);
	snprintf(a, sizeof(a), "t%s%c%02zu%02zu%s",
	    ja4_version(ja4_max_version(ch)),
	    tlswire_ext_find(&ch->extensions, 0x0000, &x) ? 'd' : 'i',
	    nciphers > 99 ? 99 : nciphers, nexts > 99 ? 99 : nexts, alpn);
	sb_str(s, a);
}

/*
 * Builds the three parts: a, the sorted cipher list, and the sorted
 * extension list (no SNI, no ALPN) with "_sigalgs" when there are any.
 */
static int
ja4_parts(const struct tlswire_client_hello *ch, struct sb *a, struct sb *b,
    struct sb *c)
{
	uint16_t *ciph, *ext, *sig;
	size_t nc, ne, ns, k = 0;

	if (ch->is_sslv2)
		return -1;
	ciph = list_values(&ch->ciphers, &nc);
	ext = ext_values(&ch->extensions, &ne);
	sig = list_values(&ch->sig_algs, &ns);
	sb_init(a);
	sb_init(b);
	sb_init(c);
	ja4_a(ch, nc, ne, a);
	qsort(ciph, nc, sizeof(*ciph), cmp_u16);
	sb_list(b, ciph, nc, true);
	for (size_t i = 0; i < ne; i++)
		if (ext[i] != 0x0000 && ext[i] != 0x0010)
			ext[k++] = ext[i];
	qsort(ext, k, sizeof(*ext), cmp_u16);
	sb_list(c, ext, k, true);
	if (ns > 0) {
		sb_str(c, "_");
		sb_list(c, sig, ns, true);
	}
	free(ciph);
	free(ext);
	free(sig);
	return 0;
}

char *
fingerprint_ja4_raw(const struct tlswire_client_hello *ch)
{
	struct sb a, b, c;
	char *r;

	if (ja4_parts(ch, &a, &b, &c) == -1)
		return NULL;
	r = xasprintf("%s_%s_%s", a.p, b.p, c.p);
	free(a.p);
	free(b.p);
	free(c.p);
	return r;
}

/* 12 hex digits of SHA-256, or twelve zeros for an empty list. */
static int
ja4_hash(const struct sb *s, char out[13])
{
	if (s->len == 0) {
		memcpy(out, "000000000000", 13);
		return 0;
	}
	return digest_hex(EVP_sha256(), s->p, s->len, out, 12);
}

int
fingerprint_ja4(const struct tlswire_client_hello *ch,
    char out[FINGERPRINT_JA4_LEN])
{
	struct sb a, b, c;
	char hb[13], hc[13];
	int rc = -1;

	out[0] = '\0';
	if (ja4_parts(ch, &a, &b, &c) == -1)
		return -1;
	if (a.len == 10 && ja4_hash(&b, hb) == 0 && ja4_hash(&c, hc) == 0) {
		snprintf(out, FINGERPRINT_JA4_LEN, "%s_%s_%s", a.p, hb, hc);
		rc = 0;
	}
	free(a.p);
	free(b.p);
	free(c.p);
	return rc;
}
