/*
 * fuzz_capture.c: capture_decode() on arbitrary frames.  The first input
 * byte picks the link type (every supported one, plus an unknown one);
 * the rest is the frame.  A decoded payload must lie inside the frame.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "scanner/capture.h"

static const int linktypes[] = {
	CAPTURE_DLT_NULL, CAPTURE_DLT_EN10MB, CAPTURE_DLT_RAW,
	CAPTURE_DLT_RAW_BSD, CAPTURE_DLT_LOOP, CAPTURE_DLT_LINUX_SLL,
	CAPTURE_LINKTYPE_RAW, CAPTURE_LINKTYPE_IPV4, CAPTURE_LINKTYPE_IPV6,
	CAPTURE_DLT_LINUX_SLL2, 147,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt p = { .len = 0 };
	const uint8_t *frame;
	uint8_t *copy;
	size_t n;
	int lt;

	if (size < 1)
		return 0;
	lt = linktypes[data[0] % (sizeof(linktypes) / sizeof(linktypes[0]))];
	n = size - 1;
	/* An exact-size heap copy so ASan sees any read past the end. */
	copy = malloc(n ? n : 1);
	if (copy == NULL)
		return 0;
	for (size_t i = 0; i < n; i++)
		copy[i] = data[1 + i];
	frame = copy;
	if (capture_decode(lt, frame, n, &p) == CAPTURE_TCP) {
		if (p.payload < frame || p.payload + p.len > frame + n)
			abort();
		if (p.src.family != p.dst.family)
			abort();
	}
	free(copy);
	return 0;
}
