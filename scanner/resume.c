/*
 * resume.c: the targets an interrupted sweep already recorded, as an
 * open-addressing hash set (linear probing, grown at 3/4 load), and the
 * command line that identifies a sweep.
 *
 * The set is filled once, before the sweep, and only read while the engine
 * runs, so lookups need no lock.  Addresses are keyed by their bytes (not
 * their text), so "::ffff:1.2.3.4" and other spellings cannot slip through.
 */
#include "scanner/resume.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "scanner/xmem.h"

#define SET_MIN		1024	/* slots; a power of two */

struct rkey {
	int		 family;	/* AF_INET, AF_INET6; AF_UNSPEC: name */
	uint16_t	 port;
	uint8_t		 addr[16];
	char		*host;		/* AF_UNSPEC only */
	uint64_t	 hash;
	bool		 used;
};

struct resume_set {
	struct rkey	*slots;
	size_t		 cap;		/* power of two */
	uint64_t	 n;
};

char *
resume_args(const char *arguments)
{
	static const char word[] = "--resume";
	const size_t wlen = sizeof(word) - 1;
	char *out = xstrdup(arguments != NULL ? arguments : "");
	char *p = out;

	/* Words are joined by single spaces (cli.c); drop the word and one
	 * space next to it. */
	while ((p = strstr(p, word)) != NULL) {
		bool starts = p == out || p[-1] == ' ';
		bool ends = p[wlen] == '\0' || p[wlen] == ' ';

		if (!starts || !ends) {
			p += wlen;
			continue;
		}
		if (p[wlen] == ' ')
			memmove(p, p + wlen + 1, strlen(p + wlen + 1) + 1);
		else if (p > out) {
			p[-1] = '\0';
			break;
		} else
			*p = '\0';
	}
	return out;
}

/* FNV-1a over the key's bytes. */
static uint64_t
fnv(uint64_t h, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	for (size_t i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t
key_hash(const struct rkey *k)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	uint8_t fam = (uint8_t)k->family;

	h = fnv(h, &fam, 1);
	h = fnv(h, &k->port, sizeof(k->port));
	if (k->family == AF_UNSPEC)
		return fnv(h, k->host, strlen(k->host));
	return fnv(h, k->addr, k->family == AF_INET ? 4 : 16);
}

static bool
key_equal(const struct rkey *a, const struct rkey *b)
{
	if (a->hash != b->hash || a->family != b->family ||
	    a->port != b->port)
		return false;
	if (a->family == AF_UNSPEC)
		return strcmp(a->host, b->host) == 0;
	return memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16) == 0;
}

/* The slot holding k, or the empty slot where it would go. */
static struct rkey *
set_slot(struct rkey *slots, size_t cap, const struct rkey *k)
{
	size_t i = (size_t)k->hash & (cap - 1);

	while (slots[i].used && !key_equal(&slots[i], k))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

struct resume_set *
resume_set_new(void)
{
	struct resume_set *s = xcalloc(1, sizeof(*s));

	s->cap = SET_MIN;
	s->slots = xcalloc(s->cap, sizeof(*s->slots));
	return s;
}

void
resume_set_free(struct resume_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i].host);
	free(s->slots);
	free(s);
}

static void
set_grow(struct resume_set *s)
{
	size_t cap = s->cap * 2;
	struct rkey *slots = xcalloc(cap, sizeof(*slots));

	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].used)
			*set_slot(slots, cap, &s->slots[i]) = s->slots[i];
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
}

int
resume_set_add(struct resume_set *s, const char *ip, const char *hostname,
    uint16_t port)
{
	struct rkey k = { .port = port, .used = true };
	struct rkey *slot;

	if (hostname != NULL && *hostname != '\0') {
		k.family = AF_UNSPEC;
		k.host = (char *)(uintptr_t)hostname;	/* copied below */
	} else if (ip != NULL && inet_pton(AF_INET, ip, k.addr) == 1)
		k.family = AF_INET;
	else if (ip != NULL && inet_pton(AF_INET6, ip, k.addr) == 1)
		k.family = AF_INET6;
	else
		return -1;
	k.hash = key_hash(&k);
	if ((s->n + 1) * 4 > s->cap * 3)
		set_grow(s);
	slot = set_slot(s->slots, s->cap, &k);
	if (slot->used)
		return 0;
	if (k.family == AF_UNSPEC)
		k.host = xstrdup(hostname);
	*slot = k;
	s->n++;
	return 0;
}

uint64_t
resume_set_count(const struct resume_set *s)
{
	return s->n;
}

bool
resume_set_has(const struct resume_set *s, const struct target *t)
{
	struct rkey k = { .family = t->family, .port = t->port };

	if (s->n == 0)
		return false;
	if (t->family == AF_UNSPEC)
		k.host = (char *)(uintptr_t)t->host;
	else
		memcpy(k.addr, t->addr, t->family == AF_INET ? 4 : 16);
	k.hash = key_hash(&k);
	return set_slot(s->slots, s->cap, &k)->used;
}
