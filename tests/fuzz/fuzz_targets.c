/*
 * fuzz_targets.c: arbitrary bytes as target input, through the public API
 * of scanner/targets.h.  Each line is one call: "x LIST" is
 * targets_exclude, "p LIST" targets_set_ports, "s K/N" targets_set_shard,
 * anything else a targets_add spec.  Then up to 2000 pairs are drawn and
 * their invariants checked; with no exclusions and a small set, the count
 * must equal the shard's share of targets_total().
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/log.h"
#include "scanner/targets.h"

#define MAX_DRAWS	2000

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static void
call(struct targets *tg, const char *line, bool *excl, unsigned *k,
    unsigned *n)
{
	char err[256];
	int rc;

	err[0] = '\0';
	if (line[0] == 'x' && line[1] == ' ') {
		rc = targets_exclude(tg, line + 2, err, sizeof(err));
		*excl = true;
	} else if (line[0] == 'p' && line[1] == ' ')
		rc = targets_set_ports(tg, line + 2, err, sizeof(err));
	else if (line[0] == 's' && line[1] == ' ') {
		char *end;
		unsigned long a = strtoul(line + 2, &end, 10), b = 0;

		if (*end == '/')
			b = strtoul(end + 1, NULL, 10);
		rc = targets_set_shard(tg, (unsigned)(a % 20),
		    (unsigned)(b % 20), err, sizeof(err));
		if (rc == 0) {
			*k = (unsigned)(a % 20);
			*n = (unsigned)(b % 20);
		}
	} else
		rc = targets_add(tg, line, err, sizeof(err));
	check(rc == 0 || rc == -1);
	/* every failure explains itself */
	check(rc == 0 || (err[0] != '\0' && strlen(err) < sizeof(err)));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct targets *tg = targets_new();
	struct target t;
	char *buf = malloc(size + 1), *line, *next;
	bool excl = false;
	unsigned k = 1, n = 1;
	uint64_t total, want, got = 0;

	check(buf != NULL);
	log_set_level(LOG_LVL_QUIET);	/* the 2^64 cap warns */
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (line = buf; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		call(tg, line, &excl, &k, &n);
	}
	targets_set_seed(tg, 1 + size);
	total = targets_total(tg);
	/* Exclusions may hide nearly all of a large set, and targets_next()
	 * then walks the whole index space: keep each input fast. */
	if (!excl || total <= (1u << 16)) {
		while (got < MAX_DRAWS && targets_next(tg, &t) == 1) {
			check(t.port != 0);
			check(t.family == AF_INET || t.family == AF_INET6 ||
			    (t.family == AF_UNSPEC && t.host[0] != '\0' &&
			    strlen(t.host) <= 254));
			got++;
		}
		want = total > k - 1 ? (total - k) / n + 1 : 0;
		if (!excl && want < MAX_DRAWS)
			check(got == want);
		else if (!excl)
			check(got == MAX_DRAWS);
	}
	free(buf);
	targets_free(tg);
	return 0;
}
