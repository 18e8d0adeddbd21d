/*
 * test_probes.c: replays every recorded dialogue of samples/dialogues
 * (format in samples/dialogues/README.md) against its probe three ways:
 * each server flight whole, line by line, and byte by byte.  Each way must
 * give the expected outcome, and all three the same outcome: return code,
 * status, reason, the exact client bytes, notes, and the plaintext left
 * over after the go-ahead.  Also checks the registry.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "probes/probe.h"
#include "scanner/record.h"
#include "tests/unit/fake_ctx.h"

#define DLG_MAX_EVENTS	256
#define DLG_MAX_NOTES	8

enum ev_kind { EV_SERVER, EV_INJECT, EV_CLIENT };
enum feed_mode { FEED_WHOLE, FEED_LINE, FEED_BYTE, FEED__MAX };
static const char *const feed_names[] = { "whole", "line", "byte" };

struct event {
	enum ev_kind	 kind;
	uint8_t		*data;
	size_t		 len;
};

struct dialogue {
	char		 file[256];
	const struct probe *probe;
	char		 server_name[256];
	bool		 has_server_name;
	enum probe_rc	 expect_rc;
	int		 expect_status;
	char		 expect_reason[256];
	char		 notes[DLG_MAX_NOTES][2][256];
	size_t		 nnotes;
	struct event	 ev[DLG_MAX_EVENTS];
	size_t		 nev;
};

struct outcome {
	enum probe_rc	 rc;
	struct probe_ctx ctx;
	size_t		 leftover;	/* server bytes not consumed */
};

/*
 * The statuses a probe may end with.  Local, not scan_status_from_name():
 * status.c pulls in the certificate code, which this test does not need.
 */
static const struct {
	enum scan_status status;
	const char	*name;
} statuses[] = {
	{ SCAN_PROTOCOL_ERROR, "protocol-error" },
	{ SCAN_STARTTLS_REFUSED, "starttls-refused" },
	{ SCAN_INTERNAL_ERROR, "internal-error" },
};

static int
status_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (strcmp(statuses[i].name, name) == 0)
			return (int)statuses[i].status;
	return -1;
}

static const char *
status_name(enum scan_status s)
{
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].status == s)
			return statuses[i].name;
	return "(other)";
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "hex:..." binary, "raw:..." escaped text as is, else text + CRLF. */
static void
decode(const char *file, const char *s, uint8_t **out, size_t *outlen)
{
	size_t n = 0, cap = strlen(s) + 3;
	uint8_t *b = malloc(cap);
	bool hex = strncmp(s, "hex:", 4) == 0, raw = strncmp(s, "raw:", 4) == 0;

	assert_non_null(b);
	if (hex || raw)
		s += 4;
	while (*s != '\0') {
		if (hex) {
			if (*s == ' ') {
				s++;
				continue;
			}
			if (hexval(s[0]) < 0 || hexval(s[1]) < 0)
				fail_msg("%s: bad hex near \"%s\"", file, s);
			b[n++] = (uint8_t)(hexval(s[0]) * 16 + hexval(s[1]));
			s += 2;
		} else if (*s == '\\' && s[1] != '\0') {
			switch (s[1]) {
			case 'r': b[n++] = '\r'; s += 2; break;
			case 'n': b[n++] = '\n'; s += 2; break;
			case 't': b[n++] = '\t'; s += 2; break;
			case '\\': b[n++] = '\\'; s += 2; break;
			case 'x':
				if (hexval(s[2]) < 0 || hexval(s[3]) < 0)
					fail_msg("%s: bad \\x escape", file);
				b[n++] = (uint8_t)(hexval(s[2]) * 16 +
				    hexval(s[3]));
				s += 4;
				break;
			default:
				fail_msg("%s: unknown escape \\%c", file, s[1]);
			}
		} else
			b[n++] = (uint8_t)*s++;
	}
	if (!hex && !raw) {
		b[n++] = '\r';
		b[n++] = '\n';
	}
	*out = b;
	*outlen = n;
}

static void
parse_expect(struct dialogue *d, const char *v)
{
	if (strcmp(v, "start-tls") == 0)
		d->expect_rc = PROBE_START_TLS;
	else if (strcmp(v, "more") == 0)
		d->expect_rc = PROBE_MORE;
	else if (strncmp(v, "fail ", 5) == 0) {
		d->expect_rc = PROBE_FAIL;
		d->expect_status = status_from_name(v + 5);
		if (d->expect_status < 0)
			fail_msg("%s: unknown status \"%s\"", d->file, v + 5);
	} else
		fail_msg("%s: bad expect \"%s\"", d->file, v);
}

static void
parse_line(struct dialogue *d, char *line)
{
	char *v = strchr(line, ':');
	struct event *ev;

	if (line[0] == '#' || line[0] == '\0')
		return;
	if (v != NULL && v[1] == '\0' && v == line + 1)
		v[1] = ' ', v[2] = '\0';	/* "S:" alone: an empty line */
	if (v == NULL || v[1] != ' ')
		fail_msg("%s: bad line \"%s\"", d->file, line);
	*v = '\0';
	v += 2;
	if (strcmp(line, "S") == 0 || strcmp(line, "C") == 0 ||
	    strcmp(line, "I") == 0) {
		assert_true(d->nev < DLG_MAX_EVENTS);
		ev = &d->ev[d->nev++];
		ev->kind = line[0] == 'S' ? EV_SERVER :
		    line[0] == 'I' ? EV_INJECT : EV_CLIENT;
		decode(d->file, v, &ev->data, &ev->len);
	} else if (strcmp(line, "probe") == 0) {
		if ((d->probe = probe_find(v)) == NULL)
			fail_msg("%s: no probe \"%s\"", d->file, v);
	} else if (strcmp(line, "server-name") == 0) {
		snprintf(d->server_name, sizeof(d->server_name), "%s", v);
		d->has_server_name = true;
	} else if (strcmp(line, "expect") == 0)
		parse_expect(d, v);
	else if (strcmp(line, "reason") == 0)
		snprintf(d->expect_reason, sizeof(d->expect_reason), "%s", v);
	else if (strcmp(line, "note") == 0) {
		char *eq = strchr(v, '=');

		assert_non_null(eq);
		assert_true(d->nnotes < DLG_MAX_NOTES);
		*eq = '\0';
		snprintf(d->notes[d->nnotes][0], 256, "%s", v);
		snprintf(d->notes[d->nnotes][1], 256, "%s", eq + 1);
		d->nnotes++;
	} else
		fail_msg("%s: unknown key \"%s\"", d->file, line);
}

static struct dialogue *
load(const char *path)
{
	struct dialogue *d = calloc(1, sizeof(*d));
	const char *name = strrchr(path, '/') != NULL ?
	    strrchr(path, '/') + 1 : path;
	char line[8192];
	FILE *fp;

	assert_non_null(d);
	snprintf(d->file, sizeof(d->file), "%s", name);
	d->expect_rc = -1;
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		parse_line(d, line);
	}
	fclose(fp);
	if (d->probe == NULL) {
		/* [real-]PROTO-CASE.txt names its probe */
		const char *proto = strncmp(name, "real-", 5) == 0 ?
		    name + 5 : name;

		snprintf(line, sizeof(line), "%.*s",
		    (int)strcspn(proto, "-"), proto);
		if ((d->probe = probe_find(line)) == NULL)
			fail_msg("%s: no probe \"%s\"", name, line);
	}
	if ((int)d->expect_rc < 0)
		fail_msg("%s: no expect line", name);
	return d;
}

static void
dialogue_free(struct dialogue *d)
{
	for (size_t i = 0; i < d->nev; i++)
		free(d->ev[i].data);
	free(d);
}

/* Chunk boundaries of one event under a feeding mode. */
static size_t
chunk_len(const struct event *ev, size_t off, enum feed_mode mode)
{
	const uint8_t *nl;

	switch (mode) {
	case FEED_BYTE:
		return 1;
	case FEED_LINE:
		nl = memchr(ev->data + off, '\n', ev->len - off);
		return nl == NULL ? ev->len - off :
		    (size_t)(nl - (ev->data + off)) + 1;
	case FEED_WHOLE:
	case FEED__MAX:
		break;
	}
	return ev->len - off;
}

static void
check_sent(const struct dialogue *d, const struct probe_ctx *ctx,
    size_t upto, const char *when)
{
	size_t n = 0;

	for (size_t i = 0; i < upto; i++) {
		const struct event *ev = &d->ev[i];

		if (ev->kind != EV_CLIENT)
			continue;
		if (ctx->sent_len < n + ev->len ||
		    memcmp(ctx->sent + n, ev->data, ev->len) != 0)
			fail_msg("%s: %s: client did not send event %zu "
			    "\"%.*s\"; sent so far \"%.*s\"", d->file, when, i,
			    (int)ev->len, ev->data, (int)ctx->sent_len,
			    ctx->sent);
		n += ev->len;
	}
	if (ctx->sent_len != n)
		fail_msg("%s: %s: client sent too much: \"%.*s\"", d->file,
		    when, (int)(ctx->sent_len - n), ctx->sent + n);
}

/*
 * A flight (consecutive S/I events) is one feed in FEED_WHOLE mode.  The
 * client bytes are checked before every server event.
 */
static void
replay(const struct dialogue *d, enum feed_mode mode, struct outcome *o)
{
	const struct probe *p = d->probe;
	void *state = calloc(1, p->state_size > 0 ? p->state_size : 1);
	uint8_t *flight = malloc(65536);
	size_t used;

	assert_non_null(state);
	assert_non_null(flight);
	memset(o, 0, sizeof(*o));
	fake_ctx_init(&o->ctx, d->has_server_name ? d->server_name : NULL);
	o->rc = p->start != NULL ? p->start(&o->ctx, state) : PROBE_MORE;
	for (size_t i = 0; i < d->nev; i++) {
		const struct event *ev = &d->ev[i];
		struct event whole = { 0 };

		if (ev->kind == EV_CLIENT)
			continue;
		if (o->rc != PROBE_MORE) {
			o->leftover += ev->len;
			continue;
		}
		check_sent(d, &o->ctx, i, feed_names[mode]);
		if (mode == FEED_WHOLE) {
			/* join the flight into one buffer */
			for (; i < d->nev && d->ev[i].kind != EV_CLIENT; i++) {
				assert_true(whole.len + d->ev[i].len <= 65536);
				memcpy(flight + whole.len, d->ev[i].data,
				    d->ev[i].len);
				whole.len += d->ev[i].len;
			}
			i--;
			whole.data = flight;
			ev = &whole;
		}
		for (size_t off = 0, n; off < ev->len; off += n) {
			n = chunk_len(ev, off, mode);
			if (o->rc != PROBE_MORE) {
				o->leftover += n;
				continue;
			}
			used = SIZE_MAX;
			o->rc = p->input(&o->ctx, state, ev->data + off, n,
			    &used);
			if (o->rc == PROBE_MORE && used != n)
				fail_msg("%s: %s: MORE with used %zu of %zu",
				    d->file, feed_names[mode], used, n);
			if (o->rc == PROBE_START_TLS) {
				assert_true(used <= n);
				o->leftover += n - used;
			}
		}
	}
	check_sent(d, &o->ctx, d->nev, feed_names[mode]);
	if (o->rc == PROBE_FAIL)
		o->leftover = 0;
	if (p->cleanup != NULL)
		p->cleanup(state);
	free(state);
	free(flight);
}

static size_t
injected(const struct dialogue *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->nev; i++)
		if (d->ev[i].kind == EV_INJECT)
			n += d->ev[i].len;
	return n;
}

static void
check_outcome(const struct dialogue *d, enum feed_mode mode,
    const struct outcome *o)
{
	const char *m = feed_names[mode];

	if (o->rc != d->expect_rc)
		fail_msg("%s: %s: rc %d, expected %d (reason \"%s\")", d->file,
		    m, o->rc, d->expect_rc, o->ctx.reason);
	if (o->rc == PROBE_FAIL) {
		if (o->ctx.nfail != 1)
			fail_msg("%s: %s: probe_fail called %u times", d->file,
			    m, o->ctx.nfail);
		if ((int)o->ctx.status != d->expect_status)
			fail_msg("%s: %s: status %s, reason \"%s\"", d->file,
			    m, status_name(o->ctx.status),
			    o->ctx.reason);
	} else if (o->ctx.nfail != 0)
		fail_msg("%s: %s: probe_fail called without PROBE_FAIL",
		    d->file, m);
	if (strstr(o->ctx.reason, d->expect_reason) == NULL)
		fail_msg("%s: %s: reason \"%s\" lacks \"%s\"", d->file, m,
		    o->ctx.reason, d->expect_reason);
	if (o->rc == PROBE_START_TLS && o->leftover != injected(d))
		fail_msg("%s: %s: %zu bytes left after the go-ahead, "
		    "expected %zu", d->file, m, o->leftover, injected(d));
	for (size_t i = 0; i < d->nnotes; i++) {
		const char *v = fake_ctx_note(&o->ctx, d->notes[i][0]);

		if (v == NULL || strcmp(v, d->notes[i][1]) != 0)
			fail_msg("%s: %s: note %s is \"%s\", expected \"%s\"",
			    d->file, m, d->notes[i][0], v ? v : "(none)",
			    d->notes[i][1]);
	}
	assert_false(o->ctx.bad_note);
	assert_false(o->ctx.sent_overflow);
	assert_false(o->ctx.notes_overflow);
}

static void
check_same(const struct dialogue *d, const struct outcome *a,
    const struct outcome *b, enum feed_mode mode)
{
	const char *m = feed_names[mode];

	if (a->rc != b->rc || a->ctx.status != b->ctx.status ||
	    strcmp(a->ctx.reason, b->ctx.reason) != 0)
		fail_msg("%s: whole and %s differ: \"%s\" vs \"%s\"", d->file,
		    m, a->ctx.reason, b->ctx.reason);
	if (a->leftover != b->leftover)
		fail_msg("%s: whole and %s leave %zu and %zu bytes", d->file,
		    m, a->leftover, b->leftover);
	if (a->ctx.nnotes != b->ctx.nnotes)
		fail_msg("%s: whole and %s: %zu and %zu notes", d->file, m,
		    a->ctx.nnotes, b->ctx.nnotes);
	for (size_t i = 0; i < a->ctx.nnotes; i++)
		if (strcmp(a->ctx.notes[i].key, b->ctx.notes[i].key) != 0 ||
		    strcmp(a->ctx.notes[i].val, b->ctx.notes[i].val) != 0)
			fail_msg("%s: whole and %s: note %s differs", d->file,
			    m, a->ctx.notes[i].key);
	assert_int_equal(a->ctx.sent_len, b->ctx.sent_len);
	assert_memory_equal(a->ctx.sent, b->ctx.sent, a->ctx.sent_len);
}

/*
 * Three ways, then the whole flight again: the engine restarts a probe on
 * every new connection (a retry, --enum's extra handshakes) with fresh
 * state, so a probe that kept anything between connections outside its
 * state would answer differently the second time.
 */
static void
test_dialogue(void **state)
{
	struct dialogue *d = load(*state);
	struct outcome *o = calloc(FEED__MAX + 1, sizeof(*o));

	assert_non_null(o);
	for (int mode = 0; mode < FEED__MAX; mode++) {
		replay(d, mode, &o[mode]);
		check_outcome(d, mode, &o[mode]);
		if (mode > 0)
			check_same(d, &o[0], &o[mode], mode);
	}
	replay(d, FEED_WHOLE, &o[FEED__MAX]);
	check_same(d, &o[0], &o[FEED__MAX], FEED_WHOLE);
	free(o);
	dialogue_free(d);
}

/* Every name unique, every STARTTLS probe has input, ports map back. */
static void
test_registry(void **state)
{
	const struct probe *const *list = probe_list();

	(void)state;
	for (size_t i = 0; list[i] != NULL; i++) {
		const struct probe *p = list[i];

		assert_ptr_equal(probe_find(p->name), p);
		assert_true((p->flags & PROBE_IMPLICIT_TLS) ||
		    p->input != NULL);
		assert_ptr_equal(probe_for_port(p->port), p);
	}
	assert_string_equal(probe_for_port(587)->name, "smtp");
	assert_string_equal(probe_for_port(465)->name, "smtps");
	assert_string_equal(probe_for_port(8443)->name, "tls");
	assert_true(probe_for_port(8443)->flags & PROBE_IMPLICIT_TLS);
	assert_null(probe_find("nosuch"));
}

/*
 * Every STARTTLS probe has its own fuzz target (tests/fuzz/probe_fuzz.h)
 * with seeds (tests/fuzz/mkseeds.py), so a new probe cannot go unfuzzed.
 */
static void
test_fuzz_targets(void **state)
{
	const struct probe *const *list = probe_list();
	const char *src = *state;

	for (size_t i = 0; list[i] != NULL; i++) {
		char name[64], path[1024];
		size_t j;

		if (list[i]->input == NULL)
			continue;
		for (j = 0; list[i]->name[j] != '\0' && j < sizeof(name) - 1;
		    j++)
			name[j] = list[i]->name[j] == '-' ? '_' :
			    list[i]->name[j];
		name[j] = '\0';
		snprintf(path, sizeof(path), "%s/tests/fuzz/fuzz_probe_%s.c",
		    src, name);
		if (access(path, R_OK) != 0)
			fail_msg("probe %s has no fuzz target %s", list[i]->name,
			    path);
		snprintf(path, sizeof(path),
		    "%s/tests/fuzz/corpus/probe_%s", src, name);
		if (access(path, X_OK) != 0)
			fail_msg("probe %s has no seeds in %s", list[i]->name,
			    path);
	}
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
	const char *src = getenv("CERTSWEEP_SRC");
	char dir[1100], srcdir[1024], *names[512];
	struct CMUnitTest *tests;
	struct dirent *de;
	size_t n = 0, nt = 0;
	DIR *dp;
	int rc;

	snprintf(srcdir, sizeof(srcdir), "%s", src != NULL ? src : ".");
	snprintf(dir, sizeof(dir), "%s/samples/dialogues", srcdir);
	if ((dp = opendir(dir)) == NULL) {
		fprintf(stderr, "test_probes: %s: set CERTSWEEP_SRC\n", dir);
		return 1;
	}
	while ((de = readdir(dp)) != NULL && n < 512) {
		size_t l = strlen(de->d_name);

		if (l > 4 && strcmp(de->d_name + l - 4, ".txt") == 0 &&
		    asprintf(&names[n], "%s/%s", dir, de->d_name) > 0)
			n++;
	}
	closedir(dp);
	qsort(names, n, sizeof(names[0]), by_name);
	tests = calloc(n + 2, sizeof(*tests));
	if (tests == NULL)
		return 1;
	tests[nt++] = (struct CMUnitTest)cmocka_unit_test(test_registry);
	tests[nt++] = (struct CMUnitTest){
		.name = "test_fuzz_targets",
		.test_func = test_fuzz_targets,
		.initial_state = srcdir,
	};
	for (size_t i = 0; i < n; i++)
		tests[nt++] = (struct CMUnitTest){
			.name = strrchr(names[i], '/') + 1,
			.test_func = test_dialogue,
			.initial_state = names[i],
		};
	rc = _cmocka_run_group_tests("probes", tests, nt, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(tests);
	return rc;
}
