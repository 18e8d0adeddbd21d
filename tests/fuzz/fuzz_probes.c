/*
 * fuzz_probes.c: every STARTTLS probe against arbitrary server bytes.
 * Byte 0 picks the probe (among those with input()), byte 1 seeds the
 * read sizes, the rest is the server's stream, fed in chunks of 1 to 64
 * bytes until the probe finishes.  Aborts when a probe breaks the
 * contract of probes/probe.h: *used beyond len, PROBE_MORE without
 * consuming all, probe_fail() not called exactly once on PROBE_FAIL,
 * notes that are not bounded printable ASCII.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probes/probe.h"
#include "tests/unit/fake_ctx.h"

static const struct probe *
pick(uint8_t b)
{
	const struct probe *const *list = probe_list();
	size_t n = 0, want;

	for (size_t i = 0; list[i] != NULL; i++)
		if (list[i]->input != NULL)
			n++;
	want = b % n;
	for (size_t i = 0; list[i] != NULL; i++)
		if (list[i]->input != NULL && want-- == 0)
			return list[i];
	abort();
}

static void
check(const struct probe_ctx *ctx, enum probe_rc rc)
{
	if (rc == PROBE_FAIL ? ctx->nfail != 1 : ctx->nfail != 0)
		abort();
	if (ctx->bad_note || ctx->sent_overflow)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct probe_ctx ctx;
	const struct probe *p;
	enum probe_rc rc;
	uint32_t seed;
	void *state;
	size_t off = 2, n, used;

	if (size < 2)
		return 0;
	p = pick(data[0]);
	seed = data[1] * 2654435761u + 1;
	fake_ctx_init(&ctx, (data[1] & 1) ? "example.org" : NULL);
	if ((state = calloc(1, p->state_size)) == NULL)
		abort();
	rc = p->start != NULL ? p->start(&ctx, state) : PROBE_MORE;
	while (rc == PROBE_MORE && off < size) {
		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 16) % 64;
		if (n > size - off)
			n = size - off;
		used = SIZE_MAX;
		rc = p->input(&ctx, state, data + off, n, &used);
		/* *used is meaningless after PROBE_FAIL */
		if ((rc != PROBE_FAIL && used > n) ||
		    (rc == PROBE_MORE && used != n))
			abort();
		off += n;
	}
	check(&ctx, rc);
	if (p->cleanup != NULL)
		p->cleanup(state);
	free(state);
	return 0;
}
