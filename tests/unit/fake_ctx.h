/*
 * fake_ctx.h: a struct probe_ctx for tests and fuzzers.  It records what a
 * probe sends, notes and fails with, so a test can replay a recorded
 * dialogue and compare.  fake_ctx.c defines the probe services of
 * probes/probe.h (the real ones are in scanner/conn.c, which test
 * binaries then must not pull in).
 */
#ifndef CERTSWEEP_FAKE_CTX_H
#define CERTSWEEP_FAKE_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probes/probe.h"

#define FAKE_SENT_MAX	65536
#define FAKE_NOTES_MAX	16

struct fake_note {
	char		 key[32];
	char		 val[256];
};

struct probe_ctx {
	const char	*server_name;		/* probe_server_name() */
	uint8_t		 sent[FAKE_SENT_MAX];
	size_t		 sent_len;
	bool		 sent_overflow;
	struct fake_note notes[FAKE_NOTES_MAX];
	size_t		 nnotes;
	bool		 notes_overflow;
	unsigned	 nfail;			/* probe_fail() calls */
	enum scan_status status;		/* of the first probe_fail() */
	char		 reason[256];
	bool		 bad_note;		/* a note broke the contract */
};

/* Reset to a fresh connection; server_name may be NULL. */
void	fake_ctx_init(struct probe_ctx *, const char *server_name);
/* The value of a note, or NULL. */
const char *fake_ctx_note(const struct probe_ctx *, const char *key);

#endif /* CERTSWEEP_FAKE_CTX_H */
