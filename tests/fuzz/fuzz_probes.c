/*
 * fuzz_probes.c: every STARTTLS probe against arbitrary server bytes.
 * Byte 0 picks the probe (among those with input()); the rest is what
 * tests/fuzz/probe_fuzz.h feeds it (a read-size seed, then the server's
 * stream).  The per-probe targets fuzz_probe_NAME.c run the same driver
 * on one probe each.
 */
#include <stdint.h>
#include <stdlib.h>

#include "tests/fuzz/probe_fuzz.h"

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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	probe_fuzz_run(pick(data[0]), data + 1, size - 1);
	return 0;
}
