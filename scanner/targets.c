/*
 * targets.c: the lazy target iterator (targets.h).
 *
 * Specs are kept as (first address, count) records of about 56 bytes, with
 * hostnames in one string pool, so a /8 or a v6 /64 is one record and a
 * target file of a million lines is a million records, never more.
 *
 * At the first targets_next() the specs are laid end to end into one index
 * space [0, total) of (address, port) pairs: spec i owns [start, start +
 * pairs), address-major.  Position p (0, 1, 2, ..., or k-1, k-1+n, ... for
 * shard k of n) becomes an index through a keyed pseudo-random permutation:
 * a six-round unbalanced Feistel network on the next power of two, cycle
 * walked until the value falls below total (fewer than two rounds of the
 * network per step on average).  So consecutive connections land in
 * different subnets, the same seed gives the same order, and shards are
 * disjoint and cover the set.  An index finds its spec by binary search over
 * the starts; its address is then checked against the exclusions, kept as
 * sorted, merged intervals per family (binary search again).
 *
 * Sizes: counts are uint64 and saturate.  IPv6 prefixes shorter than /64,
 * and ranges of more than 2^64 addresses, are rejected when parsed (no scan
 * could finish them); a /64 counts as 2^64-1 addresses, and if the whole set
 * has more than 2^64-1 pairs the excess at the end of the spec list is
 * dropped with a warning.  Hostnames cannot be excluded: the engine
 * resolves them later.  Duplicate specs are not merged.
 */
#include "scanner/targets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "scanner/log.h"
#include "scanner/targets_internal.h"
#include "scanner/xmem.h"

#define NO_HOST		SIZE_MAX
#define ROUNDS		6	/* even: the halves come back in place */
#define MAX_LINE	1024	/* characters per file line */
/* At most this much of an input is quoted in an error. */
#define SHOW(len)	((int)((len) > 200 ? 200 : (len)))

/* start and npairs are set by freeze(), at the first targets_next(). */
struct spec {
	struct targets_u128 first;	/* v4: in the low 32 bits */
	uint64_t	 naddr;		/* >= 1, saturates */
	uint64_t	 start;		/* its first index */
	uint64_t	 npairs;	/* its pairs in the index */
	size_t		 host;		/* pool offset or NO_HOST */
	uint16_t	 port;		/* own port; 0: the list */
	uint8_t		 family;	/* AF_UNSPEC: hostname */
};

struct ivl {
	struct targets_u128 lo, hi;	/* inclusive */
};

struct ivl_list {
	struct ivl	*v;
	size_t		 n, cap;
};

struct targets {
	struct spec	*specs;
	size_t		 nspecs, specs_cap;
	char		*pool;		/* NUL-terminated names */
	size_t		 pool_len, pool_cap;
	uint16_t	*ports;		/* sorted, distinct, >= 1 */
	size_t		 nports;
	struct ivl_list	 ex4, ex6;
	uint64_t	 seed;		/* 0: chosen at the first next */
	unsigned	 shard_k, shard_n;
	/* Iteration, set up by freeze(). */
	bool		 started, done;
	uint64_t	 total, pos;
	unsigned	 half_l, half_r;	/* Feistel half widths, bits */
	uint64_t	 keys[ROUNDS];
};

typedef int (*line_fn)(struct targets *, const char *, size_t, char *,
    size_t);

/* splitmix64's finalizer: a cheap, well-mixing 64-bit bijection. */
static uint64_t
mix64(uint64_t z)
{
	z += UINT64_C(0x9e3779b97f4a7c15);
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t
mask(unsigned bits)
{
	return bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && strchr(" \t\r\n", (*s)[0]) != NULL) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && strchr(" \t\r\n", (*s)[*len - 1]) != NULL)
		(*len)--;
}

struct targets *
targets_new(void)
{
	struct targets *tg = xcalloc(1, sizeof(*tg));

	tg->ports = xmalloc(sizeof(*tg->ports));
	tg->ports[0] = 443;
	tg->nports = 1;
	tg->shard_k = tg->shard_n = 1;
	return tg;
}

void
targets_free(struct targets *tg)
{
	if (tg == NULL)
		return;
	free(tg->specs);
	free(tg->pool);
	free(tg->ports);
	free(tg->ex4.v);
	free(tg->ex6.v);
	free(tg);
}

static int
check_not_started(const struct targets *tg, char *err, size_t errlen)
{
	if (!tg->started)
		return 0;
	snprintf(err, errlen, "targets cannot change once the scan has "
	    "started");
	return -1;
}

static size_t
pool_add(struct targets *tg, const char *s, size_t len)
{
	size_t off = tg->pool_len;

	while (tg->pool_cap - tg->pool_len < len + 1) {
		tg->pool_cap = tg->pool_cap ? tg->pool_cap * 2 : 4096;
		tg->pool = xreallocarray(tg->pool, tg->pool_cap, 1);
	}
	memcpy(tg->pool + off, s, len);
	tg->pool[off + len] = '\0';
	tg->pool_len += len + 1;
	return off;
}

/* Addresses in a span; saturates at UINT64_MAX (a v6 /64). */
static uint64_t
span_count(const struct targets_span *sp)
{
	uint64_t lo = sp->last.lo - sp->first.lo;
	uint64_t hi = sp->last.hi - sp->first.hi -
	    (sp->last.lo < sp->first.lo ? 1 : 0);

	if (hi != 0 || lo == UINT64_MAX)
		return UINT64_MAX;
	return lo + 1;
}

/* One spec, already trimmed. */
static int
add_one(struct targets *tg, const char *s, size_t len, char *err,
    size_t errlen)
{
	struct targets_spec ps;
	struct spec *sp;
	char why[256];

	if (targets_parse_spec(s, len, &ps, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%.*s: %s", SHOW(len), s, why);
		return -1;
	}
	if (tg->nspecs == tg->specs_cap) {
		tg->specs_cap = tg->specs_cap ? tg->specs_cap * 2 : 16;
		tg->specs = xreallocarray(tg->specs, tg->specs_cap,
		    sizeof(*tg->specs));
	}
	sp = &tg->specs[tg->nspecs++];
	*sp = (struct spec){
		.family = (uint8_t)ps.family,
		.port = ps.port,
		.host = NO_HOST,
		.naddr = 1,
	};
	if (ps.family == AF_UNSPEC)
		sp->host = pool_add(tg, ps.host, ps.hostlen);
	else {
		sp->first = ps.span.first;
		sp->naddr = span_count(&ps.span);
	}
	return 0;
}

static int
add_line(struct targets *tg, const char *s, size_t len, char *err,
    size_t errlen)
{
	trim(&s, &len);
	return add_one(tg, s, len, err, errlen);
}

int
targets_add(struct targets *tg, const char *spec, char *err, size_t errlen)
{
	if (check_not_started(tg, err, errlen) == -1)
		return -1;
	return add_line(tg, spec, strlen(spec), err, errlen);
}

/* A '#' at the start or after a blank starts a comment. */
static size_t
strip_comment(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' ||
		    s[i - 1] == '\t'))
			return i;
	return len;
}

static int
read_file(struct targets *tg, const char *path, line_fn fn, char *err,
    size_t errlen)
{
	FILE *f = NULL;
	char line[MAX_LINE + 2], msg[512];
	const char *name = strcmp(path, "-") == 0 ? "stdin" : path;
	size_t lineno = 0;
	int rc = -1;

	if (check_not_started(tg, err, errlen) == -1)
		return -1;
	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *s = line;
		size_t len = strlen(line);

		lineno++;
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			snprintf(err, errlen, "%s:%zu: line longer than %d "
			    "characters", name, lineno, MAX_LINE);
			goto out;
		}
		len = strip_comment(s, len);
		trim(&s, &len);
		if (len > 0 && fn(tg, s, len, msg, sizeof(msg)) == -1) {
			snprintf(err, errlen, "%s:%zu: %s", name, lineno, msg);
			goto out;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read %s: %s", name,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (f != stdin)
		fclose(f);
	return rc;
}

int
targets_add_file(struct targets *tg, const char *path, char *err,
    size_t errlen)
{
	return read_file(tg, path, add_line, err, errlen);
}

/* host:port or [v6]:port, which exclusions do not take. */
static bool
has_port(const char *s, size_t len)
{
	const char *colon = memchr(s, ':', len);

	if (s[0] == '[')
		return memchr(s, ']', len) != NULL && s[len - 1] != ']';
	return colon != NULL && memchr(colon + 1, ':',
	    len - (size_t)(colon - s) - 1) == NULL;
}

/* One exclusion item of a list. */
static int
exclude_one(struct targets *tg, const char *s, size_t len, char *err,
    size_t errlen)
{
	struct targets_span sp;
	struct ivl_list *l;
	char why[256];
	int rc;

	trim(&s, &len);
	if (len == 0)
		return 0;
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	rc = targets_parse_span(s, len, true, &sp, why, sizeof(why));
	if (rc != 0 && has_port(s, len))
		snprintf(why, sizeof(why), "exclusions are addresses, CIDRs or "
		    "ranges, without a port");
	else if (rc == TARGETS_NOT_ADDR)
		snprintf(why, sizeof(why), "not an address, CIDR or range "
		    "(hostnames cannot be excluded: they are resolved during "
		    "the scan; exclude their addresses)");
	if (rc != 0) {
		snprintf(err, errlen, "%.*s: %s", SHOW(len), s, why);
		return -1;
	}
	l = sp.family == AF_INET ? &tg->ex4 : &tg->ex6;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = (struct ivl){ .lo = sp.first, .hi = sp.last };
	return 0;
}

static int
exclude_list(struct targets *tg, const char *s, size_t len, char *err,
    size_t errlen)
{
	for (;;) {
		const char *comma = memchr(s, ',', len);
		size_t n = comma != NULL ? (size_t)(comma - s) : len;

		if (exclude_one(tg, s, n, err, errlen) == -1)
			return -1;
		if (comma == NULL)
			return 0;
		s += n + 1;
		len -= n + 1;
	}
}

int
targets_exclude(struct targets *tg, const char *list, char *err,
    size_t errlen)
{
	if (check_not_started(tg, err, errlen) == -1)
		return -1;
	return exclude_list(tg, list, strlen(list), err, errlen);
}

int
targets_exclude_file(struct targets *tg, const char *path, char *err,
    size_t errlen)
{
	return read_file(tg, path, exclude_list, err, errlen);
}

int
targets_set_ports(struct targets *tg, const char *list, char *err,
    size_t errlen)
{
	uint8_t map[TARGETS_PORTMAP_BYTES] = { 0 };
	char why[256];
	uint64_t w;
	size_t n = 0;

	if (check_not_started(tg, err, errlen) == -1)
		return -1;
	if (targets_parse_ports(list, strlen(list), map, why,
	    sizeof(why)) == -1) {
		snprintf(err, errlen, "port list \"%.*s\": %s",
		    SHOW(strlen(list)), list, why);
		return -1;
	}
	/* 64 ports at a time: "-p 443" is one bit set in 8 KiB. */
	map[0] &= (uint8_t)~1u;		/* port 0 is never a port */
	for (size_t i = 0; i < sizeof(map); i += sizeof(w)) {
		memcpy(&w, map + i, sizeof(w));
		n += (size_t)__builtin_popcountll(w);
	}
	free(tg->ports);
	tg->ports = xreallocarray(NULL, n, sizeof(*tg->ports));
	tg->nports = 0;
	for (size_t i = 0; i < sizeof(map); i++)
		for (unsigned b = 0; map[i] != 0 && b < 8; b++)
			if ((map[i] >> b) & 1)
				tg->ports[tg->nports++] = (uint16_t)(i * 8 + b);
	return 0;
}

void
targets_set_seed(struct targets *tg, uint64_t seed)
{
	if (!tg->started)
		tg->seed = seed;
}

int
targets_set_shard(struct targets *tg, unsigned k, unsigned n, char *err,
    size_t errlen)
{
	if (check_not_started(tg, err, errlen) == -1)
		return -1;
	if (n == 0 || k == 0 || k > n) {
		snprintf(err, errlen, "shard %u/%u: K/N needs 1 <= K <= N", k,
		    n);
		return -1;
	}
	tg->shard_k = k;
	tg->shard_n = n;
	return 0;
}

static uint64_t
spec_pairs(const struct targets *tg, const struct spec *sp)
{
	uint64_t np = sp->port != 0 ? 1 : tg->nports;

	return sp->naddr > UINT64_MAX / np ? UINT64_MAX : sp->naddr * np;
}

uint64_t
targets_total(const struct targets *tg)
{
	uint64_t t = 0;

	if (tg->started)
		return tg->total;
	for (size_t i = 0; i < tg->nspecs; i++)
		t = sat_add(t, spec_pairs(tg, &tg->specs[i]));
	return t;
}

/* Lays the specs end to end; the total is capped at UINT64_MAX. */
static void
lay_out(struct targets *tg)
{
	uint64_t t = 0;
	bool capped = false;

	for (size_t i = 0; i < tg->nspecs; i++) {
		struct spec *sp = &tg->specs[i];
		uint64_t p = spec_pairs(tg, sp);

		if (p > UINT64_MAX - t) {
			p = UINT64_MAX - t;
			capped = true;
		}
		sp->start = t;
		sp->npairs = p;
		t += p;
	}
	if (capped)
		log_warn("the targets make more than 2^64-1 endpoints; only "
		    "the first 2^64-1 will be scanned");
	tg->total = t;
}

static int
ivl_cmp(const void *a, const void *b)
{
	return targets_u128_cmp(((const struct ivl *)a)->lo,
	    ((const struct ivl *)b)->lo);
}

/* Sorts and merges overlapping or adjacent intervals. */
static void
ivl_merge(struct ivl_list *l)
{
	size_t out = 0;

	if (l->n == 0)
		return;
	qsort(l->v, l->n, sizeof(*l->v), ivl_cmp);
	for (size_t i = 1; i < l->n; i++) {
		struct ivl *cur = &l->v[out];
		struct targets_u128 next = cur->hi;

		/* next = cur->hi + 1, unless cur->hi is the top address */
		if (++next.lo == 0)
			next.hi++;
		if ((cur->hi.hi == UINT64_MAX && cur->hi.lo == UINT64_MAX) ||
		    targets_u128_cmp(l->v[i].lo, next) <= 0) {
			if (targets_u128_cmp(l->v[i].hi, cur->hi) > 0)
				cur->hi = l->v[i].hi;
		} else
			l->v[++out] = l->v[i];
	}
	l->n = out + 1;
}

static bool
is_excluded(const struct ivl_list *l, struct targets_u128 a)
{
	size_t lo = 0, hi = l->n;

	/* The last interval starting at or below a. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (targets_u128_cmp(l->v[mid].lo, a) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && targets_u128_cmp(a, l->v[lo - 1].hi) <= 0;
}

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

static uint64_t
fnv64(uint64_t h, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return fnv(h, b, sizeof(b));
}

/* A seed every machine computes alike from the same targets and ports,
 * so that shards run without --seed still split one permutation. */
static uint64_t
set_hash(const struct targets *tg)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (size_t i = 0; i < tg->nspecs; i++) {
		const struct spec *sp = &tg->specs[i];

		h = fnv64(h, sp->family);
		h = fnv64(h, sp->first.hi);
		h = fnv64(h, sp->first.lo);
		h = fnv64(h, sp->naddr);
		h = fnv64(h, sp->port);
		if (sp->host != NO_HOST)
			h = fnv(h, tg->pool + sp->host,
			    strlen(tg->pool + sp->host) + 1);
	}
	for (size_t i = 0; i < tg->nports; i++)
		h = fnv64(h, tg->ports[i]);
	return mix64(h);
}

static uint64_t
random_seed(void)
{
	uint64_t s;
	struct timespec ts;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) == (ssize_t)sizeof(s))
		return s;
	clock_gettime(CLOCK_REALTIME, &ts);
	return mix64(((uint64_t)ts.tv_sec * 1000000000u +
	    (uint64_t)ts.tv_nsec) ^ ((uint64_t)getpid() << 32));
}

static void
freeze(struct targets *tg)
{
	uint64_t seed = tg->seed;
	unsigned bits = 0;

	tg->started = true;
	lay_out(tg);
	ivl_merge(&tg->ex4);
	ivl_merge(&tg->ex6);
	if (seed == 0)
		seed = tg->shard_n > 1 ? set_hash(tg) : random_seed();
	log_debug("%s: %llu endpoints, seed %llu, shard %u/%u", __func__,
	    (unsigned long long)tg->total, (unsigned long long)seed,
	    tg->shard_k, tg->shard_n);
	while (bits < 64 && (UINT64_C(1) << bits) < tg->total)
		bits++;
	tg->half_l = bits / 2;
	tg->half_r = bits - tg->half_l;
	for (int i = 0; i < ROUNDS; i++)
		tg->keys[i] = mix64(seed + (uint64_t)i *
		    UINT64_C(0x9e3779b97f4a7c15));
	tg->pos = tg->shard_k - 1;
}

/* A bijection on [0, 2^(half_l + half_r)). */
static uint64_t
feistel(const struct targets *tg, uint64_t x)
{
	unsigned lb = tg->half_l, rb = tg->half_r;
	uint64_t l = x >> rb, r = x & mask(rb);

	for (int i = 0; i < ROUNDS; i++) {
		uint64_t nr = (l ^ mix64(r ^ tg->keys[i])) & mask(lb);
		unsigned w = lb;

		l = r;
		r = nr;
		lb = rb;
		rb = w;
	}
	return l << tg->half_r | r;
}

/* Cycle walking: a bijection on [0, total). */
static uint64_t
permute(const struct targets *tg, uint64_t p)
{
	uint64_t x = p;

	do
		x = feistel(tg, x);
	while (x >= tg->total);
	return x;
}

static const struct spec *
find_spec(const struct targets *tg, uint64_t idx)
{
	size_t lo = 0, hi = tg->nspecs;

	/* The last spec starting at or below idx: it has pairs, since the
	 * empty ones share their start with the next. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (tg->specs[mid].start <= idx)
			lo = mid;
		else
			hi = mid;
	}
	return &tg->specs[lo];
}

/* Fills *t with pair idx; false when its address is excluded. */
static bool
fill(const struct targets *tg, uint64_t idx, struct target *t)
{
	const struct spec *sp = find_spec(tg, idx);
	uint64_t off = idx - sp->start;
	struct targets_u128 a = sp->first;

	memset(t, 0, sizeof(*t));
	t->family = sp->family;
	if (sp->port != 0)
		t->port = sp->port;
	else {
		t->port = tg->ports[off % tg->nports];
		off /= tg->nports;
	}
	if (sp->family == AF_UNSPEC) {
		const char *h = tg->pool + sp->host;

		memcpy(t->host, h, strlen(h) + 1);
		return true;
	}
	a.lo += off;
	if (a.lo < off)
		a.hi++;
	if (is_excluded(sp->family == AF_INET ? &tg->ex4 : &tg->ex6, a))
		return false;
	if (sp->family == AF_INET)
		for (int i = 0; i < 4; i++)
			t->addr[i] = (uint8_t)(a.lo >> (24 - 8 * i));
	else
		for (int i = 0; i < 8; i++) {
			t->addr[i] = (uint8_t)(a.hi >> (56 - 8 * i));
			t->addr[i + 8] = (uint8_t)(a.lo >> (56 - 8 * i));
		}
	return true;
}

int
targets_next(struct targets *tg, struct target *t)
{
	if (!tg->started)
		freeze(tg);
	while (!tg->done) {
		uint64_t p = tg->pos;

		if (p >= tg->total) {
			tg->done = true;
			break;
		}
		if (tg->total - p <= tg->shard_n)
			tg->done = true;
		else
			tg->pos = p + tg->shard_n;
		if (fill(tg, permute(tg, p), t))
			return 1;
	}
	return 0;
}

void
targets_rewind(struct targets *tg)
{
	if (!tg->started)
		return;
	tg->pos = tg->shard_k - 1;
	tg->done = false;
}
