/*
 * merge.h: `certsweep db merge OUT IN...`: the inventories of several
 * databases (the shards of a --shard sweep, or machines that scan different
 * networks) in one.
 *
 * OUT is created or, when it exists, added to; the inputs are only read.
 * Scans are copied under new ids; endpoints are unified by (ip, port, sni,
 * protocol) with first_seen the earliest and last_seen the latest;
 * certificates are deduplicated by SHA-256; observations and chain links
 * (and --enum's tls_offers and tls_config) are copied with their ids
 * remapped; findings are unified by (endpoint, rule, certificate): first
 * seen the earliest, everything else (state, severity, detail, last seen)
 * from the latest event.  A scan OUT already
 * holds (same kind, start, end, arguments and counts: merged before) is not
 * copied again, so merging the same input twice changes nothing.
 *
 * Everything happens in one transaction: OUT has all of the inputs or
 * none.  Inputs must have this build's schema exactly.
 */
#ifndef CERTSWEEP_MERGE_H
#define CERTSWEEP_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct merge_stats {
	uint64_t	scans;		/* copied */
	uint64_t	scans_known;	/* already in OUT, not copied */
	uint64_t	endpoints;	/* rows added to OUT */
	uint64_t	certificates;	/* rows added to OUT */
	uint64_t	observations;	/* copied */
	uint64_t	findings;	/* rows added to OUT */
	bool		bad_input;	/* on -1: the command line or an input
					   is wrong (exit 2), not a runtime
					   failure (exit 3) */
};

/* At most this many inputs per call (SQLite's limit on attached
 * databases); merge more in steps: OUT may already exist. */
#define MERGE_MAX_INPUTS	10

/*
 * Merges the nin databases in into out.  Returns 0, or -1 with the reason
 * in err (naming the file and what to do); on -1 OUT is as it was.
 */
int	store_merge(const char *out, const char *const *in, size_t nin,
	    struct merge_stats *stats, char *err, size_t errlen);

#endif /* CERTSWEEP_MERGE_H */
