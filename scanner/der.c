/*
 * der.c: the strict DER walker (der.h).  Hazard tags:
 *   [DER-HIGH-TAG]      multi-byte tags (tag number 31+): refused
 *   [DER-INDEF-LEN]     indefinite length (0x80): BER only, refused
 *   [DER-LEN-NONMIN]    long form where short would do, leading zero
 *                       length octets: refused, so every length has one
 *                       encoding and callers can compare bytes
 *   [DER-LEN-OVERFLOW]  a length past the enclosing contents, or one that
 *                       does not fit in size_t arithmetic: refused
 *   [DER-TRAILING]      callers check der_at_end() after the last element
 */
#include "scanner/der.h"

struct der_cur
der_cursor(const uint8_t *p, size_t len)
{
	return (struct der_cur){ .p = p, .end = p + len };
}

int
der_next(struct der_cur *c, struct der *d)
{
	const uint8_t *p = c->p;
	size_t avail = (size_t)(c->end - p), len, n;

	if (avail < 2)
		return -1;
	if ((p[0] & 0x1f) == 0x1f)		/* [DER-HIGH-TAG] */
		return -1;
	len = p[1];
	p += 2;
	avail -= 2;
	if (len & 0x80) {
		n = len & 0x7f;
		if (n == 0)			/* [DER-INDEF-LEN] */
			return -1;
		if (n > 4 || n > avail)		/* [DER-LEN-OVERFLOW] */
			return -1;
		if (p[0] == 0)			/* [DER-LEN-NONMIN] */
			return -1;
		len = 0;
		for (size_t i = 0; i < n; i++)
			len = len << 8 | p[i];
		if (len < 0x80)			/* [DER-LEN-NONMIN] */
			return -1;
		p += n;
		avail -= n;
	}
	if (len > avail)			/* [DER-LEN-OVERFLOW] */
		return -1;
	d->tag = c->p[0];
	d->tlv = c->p;
	d->val = p;
	d->len = len;
	d->tlv_len = (size_t)(p - c->p) + len;
	c->p = p + len;
	return 0;
}

int
der_expect(struct der_cur *c, uint8_t tag, struct der *d)
{
	struct der_cur save = *c;

	if (der_next(c, d) == -1 || d->tag != tag) {
		*c = save;
		return -1;
	}
	return 0;
}

bool
der_optional(struct der_cur *c, uint8_t tag, struct der *d)
{
	return c->p < c->end && c->p[0] == tag && der_expect(c, tag, d) == 0;
}

bool
der_at_end(const struct der_cur *c)
{
	return c->p == c->end;
}

struct der_cur
der_enter(const struct der *d)
{
	return der_cursor(d->val, d->len);
}

int
der_uint_bits(const struct der *d)
{
	const uint8_t *v = d->val;
	size_t n = d->len;
	int bits;

	if (d->tag != DER_INTEGER || n == 0 || (v[0] & 0x80))
		return -1;
	if (v[0] == 0) {
		if (n == 1 || !(v[1] & 0x80))	/* zero, or padded */
			return -1;
		v++;
		n--;
	}
	if (n > 0x10000000)
		return -1;
	bits = (int)(n - 1) * 8;
	for (uint8_t b = v[0]; b != 0; b >>= 1)
		bits++;
	return bits;
}

bool
der_oid_ok(const struct der *oid)
{
	if (oid->tag != DER_OID || oid->len == 0 ||
	    (oid->val[oid->len - 1] & 0x80))
		return false;
	for (size_t i = 0; i < oid->len; i++)
		if (oid->val[i] == 0x80 && (i == 0 ||
		    !(oid->val[i - 1] & 0x80)))
			return false;
	return true;
}
