/*
 * targets_drain.h: helpers shared by test_targets.c and
 * test_targets_files.c (included by both, after cmocka.h): a target
 * formatted as host:port, and every remaining pair of an iterator,
 * formatted and sorted, with the target invariants checked on the way.
 */
#ifndef CERTSWEEP_TEST_TARGETS_DRAIN_H
#define CERTSWEEP_TEST_TARGETS_DRAIN_H

/* "192.0.2.1:443", "[2001:db8::1]:443" or "host:443". */
static inline void
fmt(const struct target *t, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (t->family == AF_UNSPEC)
		snprintf(buf, len, "%s:%u", t->host, t->port);
	else if (t->family == AF_INET)
		snprintf(buf, len, "%s:%u", inet_ntop(AF_INET, t->addr, ip,
		    sizeof(ip)), t->port);
	else
		snprintf(buf, len, "[%s]:%u", inet_ntop(AF_INET6, t->addr, ip,
		    sizeof(ip)), t->port);
}

static inline int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct strs {
	char	**v;
	size_t	  n;
};

static inline void
strs_free(struct strs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* All remaining pairs, formatted, sorted; checks the target invariants. */
static inline struct strs
drain(struct targets *tg)
{
	struct strs s = { NULL, 0 };
	struct target t;
	char buf[300];

	while (targets_next(tg, &t) == 1) {
		assert_true(t.port != 0);
		assert_true(t.family == AF_INET || t.family == AF_INET6 ||
		    (t.family == AF_UNSPEC && t.host[0] != '\0'));
		if (t.family != AF_UNSPEC)
			assert_string_equal(t.host, "");
		fmt(&t, buf, sizeof(buf));
		s.v = realloc(s.v, (s.n + 1) * sizeof(*s.v));
		assert_non_null(s.v);
		s.v[s.n] = strdup(buf);
		assert_non_null(s.v[s.n]);
		s.n++;
	}
	/* Stays at the end. */
	assert_int_equal(targets_next(tg, &t), 0);
	qsort(s.v, s.n, sizeof(*s.v), cmp_str);
	return s;
}

#endif /* CERTSWEEP_TEST_TARGETS_DRAIN_H */
