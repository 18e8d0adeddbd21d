/*
 * probe_fuzz.h: the driver every probe fuzz target shares.  fuzz_probes.c
 * picks the probe from the first byte; each fuzz_probe_NAME.c fixes one
 * probe (define FUZZ_PROBE to its name, then include this file), so
 * libFuzzer spends its whole run on that probe's input() and its seeds
 * (tests/fuzz/corpus/probe_NAME/, from samples/dialogues by
 * tests/fuzz/mkseeds.py) are that probe's server streams.
 *
 * Input: byte 0 seeds the read sizes (1 to 64 bytes) and whether the probe
 * gets a server name; the rest is the server's stream, fed until the probe
 * finishes.  Aborts when a probe breaks the contract of probes/probe.h:
 * *used beyond len, PROBE_MORE without consuming all, probe_fail() not
 * called exactly once on PROBE_FAIL, notes that are not bounded printable
 * ASCII, more client bytes than the fake context holds.
 */
#ifndef CERTSWEEP_PROBE_FUZZ_H
#define CERTSWEEP_PROBE_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probes/probe.h"
#include "tests/unit/fake_ctx.h"

static void
probe_fuzz_check(const struct probe_ctx *ctx, enum probe_rc rc)
{
	if (rc == PROBE_FAIL ? ctx->nfail != 1 : ctx->nfail != 0)
		abort();
	if (ctx->bad_note || ctx->sent_overflow || ctx->notes_overflow)
		abort();
}

static void
probe_fuzz_run(const struct probe *p, const uint8_t *data, size_t size)
{
	static struct probe_ctx ctx;
	enum probe_rc rc;
	uint32_t seed;
	void *state;
	size_t off = 1, n, used;

	if (size < 1 || p == NULL || p->input == NULL)
		abort();
	seed = data[0] * 2654435761u + 1;
	fake_ctx_init(&ctx, (data[0] & 1) ? "example.org" : NULL);
	/* a fresh state per connection, as the engine allocates it */
	if ((state = calloc(1, p->state_size > 0 ? p->state_size : 1)) ==
	    NULL)
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
	probe_fuzz_check(&ctx, rc);
	if (p->cleanup != NULL)
		p->cleanup(state);
	free(state);
}

#ifdef FUZZ_PROBE
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct probe *p;

	if (p == NULL)
		p = probe_find(FUZZ_PROBE);
	if (size < 1)
		return 0;
	probe_fuzz_run(p, data, size);
	return 0;
}
#endif

#endif /* CERTSWEEP_PROBE_FUZZ_H */
