/*
 * report.h: output writers.  Each writer is a struct report_ops in its own
 * file, listed in report/registry.c.  Writers borrow each observation for
 * the length of the call only and may run live (during a sweep) or offline
 * (from the store).
 */
#ifndef CERTSWEEP_REPORT_H
#define CERTSWEEP_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "scanner/record.h"

struct report;

struct report_ops {
	const char	*name;		/* "jsonl", ... */
	size_t		 state_size;	/* zero-allocated per report */
	/* Optional: called once before the first observation. */
	int		(*begin)(struct report *);
	/* Required: writes one observation.  Returns 0 or -1 (write error). */
	int		(*observation)(struct report *,
			    const struct observation *);
	/* Optional: flush, write a summary.  Returns 0 or -1. */
	int		(*end)(struct report *);
	/* Optional: frees what the state points to (not the state). */
	void		(*free)(struct report *);
};

struct report {
	const struct report_ops	*ops;
	FILE			*out;	/* borrowed */
	void			*state;
};

/* The writer called name, or NULL. */
const struct report_ops *report_find(const char *name);
/* A report writing to out (borrowed); calls begin.  NULL on failure. */
struct report	*report_open(const char *name, FILE *out);
int		 report_emit(struct report *, const struct observation *);
/* Flushes the stream, for a caller's own timer (writers may buffer
 * lines); NULL is a no-op.  Returns -1 when a write failed. */
int		 report_flush(struct report *);
/* Calls end, frees.  Returns -1 when end or a write failed. */
int		 report_close(struct report *);

#endif /* CERTSWEEP_REPORT_H */
