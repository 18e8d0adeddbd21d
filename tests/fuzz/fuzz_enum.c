/*
 * fuzz_enum.c: the --enum planner driven by arbitrary server answers.
 *
 * Input: a flags byte (bit 0: JARM), then per attempt a record
 *   mode (1 byte: 0 data, 1 close, 2 timeout), piece (1 byte: split size
 *   1..256), length (2 bytes), then length bytes of server data
 * fed in pieces.  When the input runs out every later attempt ends in a
 * close.  The plan must end by itself within ENUM_MAX_ATTEMPTS
 * connections, every hello must fit ENUM_HELLO_MAX, and the result must
 * be well formed.
 */
#include <stdlib.h>
#include <string.h>

#include "probes/enum.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
one_attempt(struct enum_plan *p, const uint8_t **d, size_t *n)
{
	size_t len, piece, k;
	uint8_t mode;
	bool done = false;

	if (*n < 4) {
		*n = 0;
		enum_plan_eof(p, false);
		return;
	}
	mode = (*d)[0] % 3;
	piece = (size_t)(*d)[1] + 1;
	len = (size_t)(*d)[2] << 8 | (*d)[3];
	*d += 4;
	*n -= 4;
	if (len > *n)
		len = *n;
	for (k = 0; k < len && !done; k += piece) {
		size_t m = len - k < piece ? len - k : piece;

		done = enum_plan_input(p, *d + k, m) == ENUM_ATTEMPT_DONE;
	}
	*d += len;
	*n -= len;
	if (!done)
		enum_plan_eof(p, mode == 2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t hello[ENUM_HELLO_MAX];
	struct enum_opts o = { .sni = "fuzz.test", .addr = "192.0.2.7" };
	struct observation obs;
	struct enum_plan *p;
	size_t len, i;
	unsigned rounds = 0;

	if (size < 1)
		return 0;
	o.flags = (data[0] & 1) ? ENUM_F_JARM : 0;
	data++;
	size--;
	p = enum_plan_new(&o);
	while (enum_plan_next(p, hello, sizeof(hello), &len)) {
		if (len == 0 || len > sizeof(hello) ||
		    ++rounds > ENUM_MAX_ATTEMPTS)
			abort();
		one_attempt(p, &data, &size);
	}
	if (enum_plan_attempts(p) > ENUM_MAX_ATTEMPTS)
		abort();
	memset(&obs, 0, sizeof(obs));
	enum_plan_result(p, &obs);
	enum_plan_free(p);
	for (i = 0; i < TLSENUM_VER__MAX; i++)
		if (obs.tlsenum->v[i].name == NULL ||
		    (obs.tlsenum->v[i].nciphers > 0 &&
		    obs.tlsenum->v[i].supported != 1))
			abort();
	if (obs.jarm[0] != '\0' && strlen(obs.jarm) != 62)
		abort();
	observation_clear(&obs);
	return 0;
}
