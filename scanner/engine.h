/*
 * engine.h: the active sweep.  One libevent base; a cap on connections in
 * flight; a token bucket on new connections per second; a deadline per
 * step; retries; a pause (not a spin) when the process runs out of file
 * descriptors.  Every target ends as exactly one observation handed to the
 * sink.
 */
#ifndef CERTSWEEP_ENGINE_H
#define CERTSWEEP_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "scanner/config.h"
#include "scanner/record.h"
#include "scanner/targets.h"

struct engine_stats {
	uint64_t	total;		/* pairs in the target set */
	uint64_t	done;		/* observations handed to the sink */
	uint64_t	ok;
	uint64_t	skipped;	/* targets hooks->skip passed over */
	double		elapsed;	/* seconds */
	bool		interrupted;	/* SIGINT or SIGTERM */
};

/*
 * What the engine does with each observation.  analyze (optional) runs in
 * the worker thread that made it, unlocked: it may add to the observation
 * (findings).  sink runs under the engine's lock, one observation at a
 * time; it returns 0, or -1 to stop the sweep (the sink reports its own
 * error).  The observation is borrowed for the calls.  skip (optional)
 * is asked about each target as it is pulled from the iterator, before any
 * traffic (--resume: already recorded); it runs under the iterator's lock
 * and must be quick.
 */
struct engine_hooks {
	void	(*analyze)(void *arg, struct observation *);
	int	(*sink)(void *arg, struct observation *);
	void	*arg;
	bool	(*skip)(void *arg, const struct target *);
	/* about once a second, under the sink's lock; -1 stops the sweep */
	int	(*flush)(void *arg);
};

/*
 * Runs the sweep to the end.  Returns 0, or -1 when it could not start (err
 * says why) or the sink stopped it.  stats is filled in either case.
 */
int	engine_run(const struct config *, struct targets *,
	    const struct engine_hooks *, struct engine_stats *stats, char *err,
	    size_t errlen);

#endif /* CERTSWEEP_ENGINE_H */
