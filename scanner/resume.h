/*
 * resume.h: what `certsweep scan --resume` needs to finish an interrupted
 * sweep: the command line that identifies a sweep, and the set of targets
 * the interrupted sweep already recorded, so that the engine skips them.
 *
 * A sweep is identified by its command line without --resume (the
 * scans.arguments column): the same targets, ports and options.  The set is
 * keyed the way a target is pulled from the iterator, before any traffic:
 * an address target by (address, port), a hostname target by (name, port);
 * so hostnames are skipped before they are resolved.
 */
#ifndef CERTSWEEP_RESUME_H
#define CERTSWEEP_RESUME_H

#include <stdbool.h>
#include <stdint.h>

#include "scanner/targets.h"

struct resume_set;

/* The command line as stored in scans.arguments: arguments with every
 * "--resume" word removed.  Never NULL (a new string; free it). */
char	*resume_args(const char *arguments);

struct resume_set *resume_set_new(void);
void	resume_set_free(struct resume_set *);

/*
 * Adds an endpoint the interrupted sweep recorded.  ip is numeric (as in
 * observations); hostname is the target name the endpoint was reached by,
 * or NULL/"" for an address target.  Returns 0, -1 when ip is not an
 * address and there is no hostname.
 */
int	resume_set_add(struct resume_set *, const char *ip,
	    const char *hostname, uint16_t port);
/* Entries so far. */
uint64_t resume_set_count(const struct resume_set *);
/* True when the target was already recorded.  Thread-safe once filled. */
bool	resume_set_has(const struct resume_set *, const struct target *);

#endif /* CERTSWEEP_RESUME_H */
