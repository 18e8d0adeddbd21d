/*
 * certlite_ec.c: the named curves of the lite parser, and whether an EC
 * public key decodes.  OpenSSL decodes a certificate's EC key with
 * EC_POINT_oct2point(), which for an uncompressed point (04 || X || Y)
 * wants the exact length, X and Y below the field prime p and the point
 * on the curve.  Through BIGNUMs and the group's Montgomery context that
 * is ~13,000 instructions a key; the same test here, on small fixed-size
 * numbers, is a fraction of that.
 *
 * Only the uncompressed form on a prime-field curve is tested here, and
 * only a point that passes is vouched for: anything else (compressed or
 * hybrid forms, the point at infinity, binary curves, a point that fails)
 * goes to EC_POINT_oct2point() as before, which decides.
 *
 * The test: y^2 = x^3 + a*x + b (mod p), with the curve's own p, a, b
 * (EC_GROUP_get_curve), in Montgomery arithmetic with 64-bit limbs (where
 * the compiler has a 128-bit type; elsewhere OpenSSL decides).  With
 * mont(u, v) = u*v/R mod p (R = 2^(64 n)) and the constants
 * A = a/R, B = b/R^2 made once per curve, both sides are compared divided
 * by R^2:  mont(mont(y, y), 1) == mont(mont(x, x) + A, x) + B.
 */
#include "scanner/certlite.h"

#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#define EC_CURVES_MAX	128
#define EC_LIMBS_MAX	9		/* 576 bits: P-521 */

#ifdef __SIZEOF_INT128__
#define EC_FAST		1
__extension__ typedef unsigned __int128 u128;
#else
#define EC_FAST		0		/* OpenSSL decides every point */
#endif

/* One named curve; made the first time a key uses it. */
struct lite_curve {
	struct certlite_curve c;	/* first; c.group NULL: none */
	int		 nid;
	bool		 tried;
	/* The fast test, when fast: */
	bool		 fast;
	size_t		 flen;		/* bytes of a coordinate */
	int		 nl;		/* limbs */
	uint64_t	 n0;		/* -1/p mod 2^64 */
	uint64_t	 p[EC_LIMBS_MAX];
	uint64_t	 a[EC_LIMBS_MAX];	/* a/R */
	uint64_t	 b[EC_LIMBS_MAX];	/* b/R^2 */
};

/*
 * Shared by the threads: EC_GROUP_new_by_curve_name costs ~14 us, more
 * than the rest of a certificate, and all 82 built-in curves at start-up
 * would be ~1.3 ms that a sweep of P-256 keys never needs; once made, a
 * curve is read-only (EC_POINT_oct2point and EC_GROUP_order_bits do not
 * modify the group).  SM2 is left out: OpenSSL gives such keys their own
 * type.
 */
static struct lite_curve curves[EC_CURVES_MAX];
static size_t ncurves;
static pthread_once_t curves_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t curves_lock = PTHREAD_MUTEX_INITIALIZER;

static void
curves_init(void)
{
	EC_builtin_curve list[EC_CURVES_MAX];
	size_t n = EC_get_builtin_curves(list, EC_CURVES_MAX);

	for (size_t i = 0; i < n && i < EC_CURVES_MAX; i++)
		if (list[i].nid != NID_sm2)
			curves[ncurves++].nid = list[i].nid;
}

#if EC_FAST
/* r = u*v/R mod p, for u, v < p (CIOS); r may be u or v. */
static void
mont_mul(const struct lite_curve *k, uint64_t *r, const uint64_t *u,
    const uint64_t *v)
{
	uint64_t t[EC_LIMBS_MAX + 2], s[EC_LIMBS_MAX], m, b;
	u128 c;
	int n = k->nl, i, j;

	memset(t, 0, sizeof(t));
	for (i = 0; i < n; i++) {
		c = 0;
		for (j = 0; j < n; j++) {
			c += (u128)t[j] + (u128)u[j] * v[i];
			t[j] = (uint64_t)c;
			c >>= 64;
		}
		c += t[n];
		t[n] = (uint64_t)c;
		t[n + 1] = (uint64_t)(c >> 64);
		m = t[0] * k->n0;
		c = (u128)t[0] + (u128)m * k->p[0];
		c >>= 64;
		for (j = 1; j < n; j++) {
			c += (u128)t[j] + (u128)m * k->p[j];
			t[j - 1] = (uint64_t)c;
			c >>= 64;
		}
		c += t[n];
		t[n - 1] = (uint64_t)c;
		t[n] = t[n + 1] + (uint64_t)(c >> 64);
	}
	/* t < 2p: subtract p once if t >= p. */
	b = 0;
	for (j = 0; j < n; j++) {
		u128 d = (u128)t[j] - k->p[j] - b;

		s[j] = (uint64_t)d;
		b = (uint64_t)(d >> 64) & 1;
	}
	memcpy(r, t[n] != 0 || b == 0 ? s : t, (size_t)n * sizeof(*r));
}

/* r = u + v mod p, for u, v < p. */
static void
mod_add(const struct lite_curve *k, uint64_t *r, const uint64_t *u,
    const uint64_t *v)
{
	uint64_t t[EC_LIMBS_MAX], s[EC_LIMBS_MAX], b = 0;
	u128 c = 0;
	int n = k->nl;

	for (int j = 0; j < n; j++) {
		c += (u128)u[j] + v[j];
		t[j] = (uint64_t)c;
		c >>= 64;
	}
	for (int j = 0; j < n; j++) {
		u128 d = (u128)t[j] - k->p[j] - b;

		s[j] = (uint64_t)d;
		b = (uint64_t)(d >> 64) & 1;
	}
	memcpy(r, c != 0 || b == 0 ? s : t, (size_t)n * sizeof(*r));
}

/* Big-endian bytes to limbs; false when the number is not below p. */
static bool
limbs_below_p(const struct lite_curve *k, uint64_t *r, const uint8_t *p,
    size_t len)
{
	size_t i = len;

	memset(r, 0, (size_t)k->nl * sizeof(*r));
	for (int j = 0; i > 0; j++) {
		size_t n = i < 8 ? i : 8;

		for (size_t q = i - n; q < i; q++)
			r[j] = r[j] << 8 | p[q];
		i -= n;
	}
	for (int j = k->nl - 1; j >= 0; j--)
		if (r[j] != k->p[j])
			return r[j] < k->p[j];
	return false;
}

static bool
bn_limbs(const BIGNUM *bn, uint64_t *r, int nl)
{
	uint8_t buf[EC_LIMBS_MAX * 8];
	size_t len = (size_t)nl * 8;

	if (BN_bn2lebinpad(bn, buf, (int)len) != (int)len)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (i % 8 == 0)
			r[i / 8] = 0;
		r[i / 8] |= (uint64_t)buf[i] << (8 * (i % 8));
	}
	return true;
}

/* The constants of the fast test; k->fast stays false when unsure. */
static void
fast_init(struct lite_curve *k, const EC_GROUP *g)
{
	BIGNUM *p = BN_new(), *a = BN_new(), *b = BN_new();
	uint64_t one[EC_LIMBS_MAX], inv = 1;
	int bits;

	if (p == NULL || a == NULL || b == NULL ||
	    EC_GROUP_get_field_type(g) != NID_X9_62_prime_field ||
	    EC_GROUP_get_curve(g, p, a, b, NULL) != 1 || !BN_is_odd(p) ||
	    (bits = BN_num_bits(p)) < 64 || bits > 64 * EC_LIMBS_MAX ||
	    BN_is_negative(a) || BN_is_negative(b) || BN_cmp(a, p) >= 0 ||
	    BN_cmp(b, p) >= 0)
		goto out;
	k->nl = (bits + 63) / 64;
	k->flen = (size_t)BN_num_bytes(p);
	if (!bn_limbs(p, k->p, k->nl) || !bn_limbs(a, k->a, k->nl) ||
	    !bn_limbs(b, k->b, k->nl))
		goto out;
	for (int i = 0; i < 6; i++)	/* Newton: 1/p mod 2^64 */
		inv *= 2 - k->p[0] * inv;
	k->n0 = -inv;
	memset(one, 0, sizeof(one));
	one[0] = 1;
	mont_mul(k, k->a, k->a, one);	/* a/R */
	mont_mul(k, k->b, k->b, one);
	mont_mul(k, k->b, k->b, one);	/* b/R^2 */
	k->fast = true;
out:
	BN_free(p);
	BN_free(a);
	BN_free(b);
	ERR_clear_error();
}
#endif /* EC_FAST */

const struct certlite_curve *
certlite_curve(int nid)
{
	struct lite_curve *k = NULL;

	pthread_once(&curves_once, curves_init);
	for (size_t i = 0; i < ncurves && k == NULL; i++)
		if (curves[i].nid == nid)
			k = &curves[i];
	if (k == NULL)
		return NULL;
	pthread_mutex_lock(&curves_lock);
	if (!k->tried) {
		EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);

		k->c.group = g;
		k->c.name = OSSL_EC_curve_nid2name(nid);
		if (g != NULL) {
			k->c.order_bits = EC_GROUP_order_bits(g);
#if EC_FAST
			fast_init(k, g);
#endif
		}
		ERR_clear_error();
		k->tried = true;
	}
	pthread_mutex_unlock(&curves_lock);
	return k->c.group != NULL && k->c.name != NULL ? &k->c : NULL;
}

bool
certlite_curve_point(const struct certlite_curve *c, const uint8_t *pt,
    size_t len)
{
#if EC_FAST
	const struct lite_curve *k = (const struct lite_curve *)c;
	uint64_t x[EC_LIMBS_MAX], y[EC_LIMBS_MAX], one[EC_LIMBS_MAX];
	uint64_t l[EC_LIMBS_MAX], r[EC_LIMBS_MAX], t[EC_LIMBS_MAX];

	if (!k->fast || len != 1 + 2 * k->flen || pt[0] != 0x04 ||
	    !limbs_below_p(k, x, pt + 1, k->flen) ||
	    !limbs_below_p(k, y, pt + 1 + k->flen, k->flen))
		return false;
	memset(one, 0, sizeof(one));
	one[0] = 1;
	mont_mul(k, l, y, y);
	mont_mul(k, l, l, one);		/* y^2/R^2 */
	mont_mul(k, t, x, x);
	mod_add(k, t, t, k->a);		/* (x^2 + a)/R */
	mont_mul(k, r, t, x);		/* (x^3 + a*x)/R^2 */
	mod_add(k, r, r, k->b);
	return memcmp(l, r, (size_t)k->nl * sizeof(*l)) == 0;
#else
	(void)c;
	(void)pt;
	(void)len;
	return false;
#endif
}
