/*
 * certlite_name.c: Distinguished Names straight from DER, for the lite
 * parser: printed as cert.c prints them (X509_NAME_print_ex with
 * XN_FLAG_RFC2253 minus ASN1_STRFLGS_ESC_MSB) and compared as
 * X509_NAME_cmp() compares them, without d2i_X509_NAME() (~8 us a name:
 * it builds the canonical encoding of every entry).
 *
 * Only what OpenSSL would accept is handled; anything else is "unsure"
 * (-1) and the caller falls back to OpenSSL.  OpenSSL refuses a
 * certificate whose name cannot be put in canonical form, so the string
 * checks below mirror that: UTF8String must be valid UTF-8 (no surrogates,
 * nothing past U+10FFFF), BMPString and UniversalString must hold whole,
 * valid characters.  Hazard tags: [DN-EMPTY-RDN] [DN-BAD-UTF8]
 * [DN-MULTI-AVA] [DN-OID].
 */
#include "scanner/certlite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include "scanner/xmem.h"

#define DN_AVAS_MAX	64	/* more and we let OpenSSL do it */
#define DN_CANON_MAX	1024	/* one canonical value, bytes */

/* Universal tags of the string types handled here. */
#define T_UTF8		0x0c
#define T_NUMERIC	0x12
#define T_PRINTABLE	0x13
#define T_T61		0x14
#define T_IA5		0x16
#define T_UNIVERSAL	0x1c
#define T_BMP		0x1e

struct dn_ava {
	struct der	 oid;
	struct der	 val;
	int		 set;		/* index of its RDN */
};

struct dn {
	struct dn_ava	 ava[DN_AVAS_MAX];
	size_t		 n;
	int		 nsets;
	bool		 multi;		/* an RDN with several AVAs */
};

struct obuf {
	char		*p;
	size_t		 len;
	size_t		 cap;
};

static void
ob_putn(struct obuf *o, const void *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		while (o->len + n + 1 > o->cap)
			o->cap = o->cap == 0 ? 128 : o->cap * 2;
		o->p = xreallocarray(o->p, o->cap, 1);
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void
ob_putc(struct obuf *o, char c)
{
	ob_putn(o, &c, 1);
}

/* Room for n more bytes and the NUL; where they go. */
static char *
ob_reserve(struct obuf *o, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		while (o->len + n + 1 > o->cap)
			o->cap = o->cap == 0 ? 128 : o->cap * 2;
		o->p = xreallocarray(o->p, o->cap, 1);
	}
	return o->p + o->len;
}

/* The bytes written since ob_reserve(), up to w. */
static void
ob_commit(struct obuf *o, char *w)
{
	o->len = (size_t)(w - o->p);
	o->p[o->len] = '\0';
}

static bool
is_unicode_ok(unsigned long c)
{
	return c <= 0x10ffff && (c < 0xd800 || c > 0xdfff);
}

/* Bytes per character in the content of a handled string type; 0 for
 * UTF-8, -1 for a type not handled. */
static int
str_width(uint8_t tag)
{
	switch (tag) {
	case T_UTF8:
		return 0;
	case T_NUMERIC:
	case T_PRINTABLE:
	case T_T61:
	case T_IA5:
		return 1;
	case T_BMP:
		return 2;
	case T_UNIVERSAL:
		return 4;
	default:
		return -1;
	}
}

/* The next character of a string of width w at *p (< end). */
static int
str_getc(const uint8_t **p, const uint8_t *end, int w, unsigned long *c)
{
	int n;

	switch (w) {
	case 0:
		n = UTF8_getc(*p, (int)(end - *p), c);
		if (n <= 0)
			return -1;
		*p += n;
		return is_unicode_ok(*c) ? 0 : -1;	/* [DN-BAD-UTF8] */
	case 1:
		*c = *(*p)++;
		return 0;
	case 2:
		*c = (unsigned long)(*p)[0] << 8 | (*p)[1];
		*p += 2;
		return is_unicode_ok(*c) ? 0 : -1;
	default:
		*c = (unsigned long)(*p)[0] << 24 | (unsigned long)(*p)[1] <<
		    16 | (unsigned long)(*p)[2] << 8 | (*p)[3];
		*p += 4;
		return is_unicode_ok(*c) ? 0 : -1;
	}
}

/* Would OpenSSL decode this value and put it in canonical form? */
static bool
value_ok(const struct der *v)
{
	const uint8_t *p = v->val, *end = v->val + v->len;
	unsigned long c;
	int w = str_width(v->tag);

	if (w < 0 || v->len > INT32_MAX)
		return false;
	if ((w == 2 && (v->len & 1)) || (w == 4 && (v->len & 3)))
		return false;
	if (w == 1)
		return true;
	while (p < end) {
		if (w == 0 && *p < 0x80) {	/* ASCII: valid as it is */
			p++;
			continue;
		}
		if (str_getc(&p, end, w, &c) == -1)
			return false;
	}
	return true;
}

static int
dn_parse_rdn(const struct der *rdn, struct dn *dn)
{
	struct der_cur c = der_enter(rdn), ac;
	struct der ava;
	size_t before = dn->n;

	while (!der_at_end(&c)) {
		struct dn_ava *a = &dn->ava[dn->n];

		if (dn->n == DN_AVAS_MAX ||
		    der_expect(&c, DER_SEQUENCE, &ava) == -1)
			return -1;
		ac = der_enter(&ava);
		if (der_expect(&ac, DER_OID, &a->oid) == -1 ||
		    der_next(&ac, &a->val) == -1 || !der_at_end(&ac) ||
		    !der_oid_ok(&a->oid) || !value_ok(&a->val))
			return -1;
		a->set = dn->nsets;
		dn->n++;
	}
	if (dn->n == before)		/* [DN-EMPTY-RDN] */
		return -1;
	if (dn->n - before > 1)
		dn->multi = true;
	dn->nsets++;
	return 0;
}

static int
dn_parse(const struct der *name, struct dn *dn)
{
	struct der_cur c;
	struct der rdn;

	dn->n = 0;
	dn->nsets = 0;
	dn->multi = false;
	if (name->tag != DER_SEQUENCE)
		return -1;
	c = der_enter(name);
	while (!der_at_end(&c))
		if (der_expect(&c, DER_SET, &rdn) == -1 ||
		    dn_parse_rdn(&rdn, dn) == -1)
			return -1;
	return 0;
}

/* do_esc_char() of OpenSSL's a_strex.c for our flags (ESC_2253 and
 * ESC_CTRL, no ESC_MSB); first/last: position in the value.  Writes at
 * most 3 bytes at w; returns the end. */
static char *
esc_byte(char *w, unsigned char c, bool first, bool last)
{
	static const char hex[] = "0123456789ABCDEF";

	switch (c) {
	case ',': case '+': case '"': case '\\': case '<': case '>': case ';':
		*w++ = '\\';
		break;
	case '#':
		if (first && !last)
			*w++ = '\\';
		break;
	case ' ':
		if (first || last)
			*w++ = '\\';
		break;
	default:
		if (c < 0x20 || c == 0x7f) {
			*w++ = '\\';
			*w++ = hex[c >> 4];
			*w++ = hex[c & 0xf];
			return w;
		}
		break;
	}
	*w++ = (char)c;
	return w;
}

/*
 * One value as do_print_ex() shows it with ASN1_STRFLGS_UTF8_CONVERT:
 * UTF8String byte by byte as it is, the other types converted to UTF-8.
 * A one-character value is "last", not "first" (OpenSSL overwrites the
 * flag), so a lone "#" is not escaped but a lone " " is.
 */
static int
print_value(struct obuf *o, const struct der *v)
{
	const uint8_t *p = v->val, *end = v->val + v->len;
	int w = str_width(v->tag);
	unsigned char u[6];
	unsigned long c;
	char *out;

	/* An input byte gives at most 3 output bytes ("\XX"); a BMP or
	 * Universal character of 2 or 4 bytes at most 4 of UTF-8. */
	out = ob_reserve(o, 3 * v->len);
	while (p < end) {
		bool first = p == v->val, last;
		int ul;

		if (w == 0)
			c = *p++;
		else if (str_getc(&p, end, w, &c) == -1)
			return -1;
		last = p == end;
		if (c > 0x7f && w == 0) {
			*out++ = (char)c;	/* UTF-8 kept as it is */
			continue;
		}
		if (c < 0x80) {
			out = esc_byte(out, (unsigned char)c, first && !last,
			    last);
			continue;
		}
		if ((ul = UTF8_putc(u, sizeof(u), c)) <= 0)
			return -1;
		for (int i = 0; i < ul; i++)
			*out++ = (char)u[i];	/* > 0x7f: as it is */
	}
	ob_commit(o, out);
	return 0;
}

/* "#" and the value's DER in upper-case hex: an unknown attribute. */
static void
print_dump(struct obuf *o, const struct der *v)
{
	static const char hex[] = "0123456789ABCDEF";

	ob_putc(o, '#');
	for (size_t i = 0; i < v->tlv_len; i++) {
		ob_putc(o, hex[v->tlv[i] >> 4]);
		ob_putc(o, hex[v->tlv[i] & 0xf]);
	}
}

static int
print_ava(struct obuf *o, const struct dn_ava *a)
{
	const unsigned char *p = a->oid.tlv;
	ASN1_OBJECT *obj = NULL;
	char objtmp[80];
	const char *fn;
	int nid, rc = -1;

	/* A common attribute: its short name without decoding the OID. */
	if ((nid = certlite_oid_nid(&a->oid)) != NID_undef &&
	    (fn = OBJ_nid2sn(nid)) != NULL) {
		ob_putn(o, fn, strlen(fn));
		ob_putc(o, '=');
		return print_value(o, &a->val);
	}
	obj = d2i_ASN1_OBJECT(NULL, &p, (long)a->oid.tlv_len);
	if (obj == NULL || p != a->oid.tlv + a->oid.tlv_len)
		goto out;
	if ((nid = OBJ_obj2nid(obj)) == NID_undef) {
		if (OBJ_obj2txt(objtmp, sizeof(objtmp), obj, 1) <= 0)
			goto out;
		fn = objtmp;
	} else if ((fn = OBJ_nid2sn(nid)) == NULL)
		goto out;
	ob_putn(o, fn, strlen(fn));
	ob_putc(o, '=');
	if (nid == NID_undef)
		print_dump(o, &a->val);
	else if (print_value(o, &a->val) == -1)
		goto out;
	rc = 0;
out:
	ASN1_OBJECT_free(obj);
	return rc;
}

int
certlite_name_print(const struct der *name, char **out, size_t *outlen)
{
	struct dn dn_buf, *dn = &dn_buf;	/* 5.6 KiB, as in _cmp() */
	struct obuf o = { 0 };
	int rc = -1;

	if (dn_parse(name, dn) == -1)
		goto out;
	ob_putn(&o, "", 0);
	/* XN_FLAG_DN_REV: the last RDN first; "+" inside an RDN. */
	for (size_t i = 0; i < dn->n; i++) {
		const struct dn_ava *a = &dn->ava[dn->n - 1 - i];

		if (i > 0)
			ob_putc(&o, dn->ava[dn->n - i].set == a->set ?
			    '+' : ',');
		if (print_ava(&o, a) == -1)
			goto out;
	}
	*out = o.p;
	*outlen = o.len;
	o.p = NULL;
	rc = 0;
out:
	free(o.p);
	return rc;
}

/*
 * x509_name_canon()'s form of one value: the string types converted to
 * UTF-8, ASCII spaces trimmed and collapsed, ASCII letters lowered;
 * NumericString copied as it is.  -1 when longer than we keep.
 */
static int
canon_value(const struct der *v, uint8_t *out, size_t *outlen,
    uint8_t *type)
{
	uint8_t tmp[DN_CANON_MAX];
	const uint8_t *p = v->val, *end = v->val + v->len;
	size_t n = 0, i = 0, k = 0;
	unsigned long c;
	int w = str_width(v->tag);

	if (v->tag == T_NUMERIC) {
		if (v->len > DN_CANON_MAX)
			return -1;
		memcpy(out, v->val, v->len);
		*outlen = v->len;
		*type = T_NUMERIC;
		return 0;
	}
	while (p < end) {
		int ul;

		if (w == 0)
			c = *p++;
		else if (str_getc(&p, end, w, &c) == -1)
			return -1;
		if (n + 6 > sizeof(tmp))
			return -1;
		if (w == 0 || c < 0x80)
			tmp[n++] = (uint8_t)c;
		else if ((ul = UTF8_putc(tmp + n, 6, c)) > 0)
			n += (size_t)ul;
		else
			return -1;
	}
	/* asn1_string_canon(): trim, collapse, lower (ASCII only). */
#define IS_SP(b) ((b) == ' ' || ((b) >= '\t' && (b) <= '\r'))
	while (i < n && IS_SP(tmp[i]))
		i++;
	while (n > i && IS_SP(tmp[n - 1]))
		n--;
	while (i < n) {
		if (IS_SP(tmp[i])) {
			out[k++] = ' ';
			while (IS_SP(tmp[i]))
				i++;
		} else if (tmp[i] >= 'A' && tmp[i] <= 'Z')
			out[k++] = (uint8_t)(tmp[i++] - 'A' + 'a');
		else
			out[k++] = tmp[i++];
	}
#undef IS_SP
	*outlen = k;
	*type = T_UTF8;
	return 0;
}

/* 0 same canonical value, 1 different, -1 unsure. */
static int
ava_cmp(const struct dn_ava *a, const struct dn_ava *b)
{
	uint8_t ca[DN_CANON_MAX], cb[DN_CANON_MAX], ta, tb;
	size_t la, lb;

	if (a->set != b->set)
		return 1;
	if (a->oid.len != b->oid.len ||
	    memcmp(a->oid.val, b->oid.val, a->oid.len) != 0)
		return 1;
	if (canon_value(&a->val, ca, &la, &ta) == -1 ||
	    canon_value(&b->val, cb, &lb, &tb) == -1)
		return -1;
	return ta != tb || la != lb || memcmp(ca, cb, la) != 0;
}

int
certlite_name_cmp(const struct der *a, const struct der *b)
{
	struct dn da, db;	/* 11 KiB of stack: twice per endpoint, and
				   the heap cost more than the comparison */
	int rc = 0, r;

	if (dn_parse(a, &da) == -1 || dn_parse(b, &db) == -1)
		return -1;
	if (a->tlv_len == b->tlv_len &&
	    memcmp(a->tlv, b->tlv, a->tlv_len) == 0)
		return 0;
	/* A multi-valued RDN is a SET: its canonical form is sorted, so
	 * comparing in order could call two equal names different.
	 * [DN-MULTI-AVA] */
	if (da.multi || db.multi)
		return -1;
	if (da.n != db.n)
		return 1;
	for (size_t i = 0; i < da.n && rc != 1; i++)
		if ((r = ava_cmp(&da.ava[i], &db.ava[i])) != 0)
			rc = r;
	return rc;
}
