/*
 * pipeline.h: what happens to every observation, whatever made it (an
 * active sweep, a capture, a file): one path, no second pipeline.
 *
 *   pipeline_analyze()  judge: chain verification, the policy's cert.*
 *                       rules, STARTTLS injection, GeoIP.  Needs no lock:
 *                       the engine calls it in each worker thread.
 *   pipeline_record()   remember and tell: the rules that need history
 *                       (cert.changed, cert.shared_key), the store, the
 *                       writers.  One caller at a time (the engine's sink
 *                       lock).
 *
 * The pipeline owns the store, the policy, the verification context, the
 * GeoIP handle and the JSON writer of one command.
 */
#ifndef CERTSWEEP_PIPELINE_H
#define CERTSWEEP_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "scanner/config.h"
#include "scanner/record.h"
#include "scanner/targets.h"

struct pipeline;

enum pipeline_flags {
	PIPE_STORE = 0x1,	/* write the database (cfg->db_path) */
	PIPE_JSON = 0x2,	/* JSON lines on stdout */
	PIPE_VERIFY = 0x4,	/* chain verification and trust rules */
	PIPE_TEXT = 0x8,	/* a block per observation on stdout */
	PIPE_RESUME = 0x10,	/* with PIPE_STORE: finish the latest
				   unfinished sweep of the same arguments */
};

/*
 * Opens what cfg asks for; kind ("active", "passive") names the sweep in
 * the scans table.  On failure returns NULL, err says why and *rc is the
 * exit code (EXIT_USAGE for a bad policy or CA file, EXIT_RUNTIME for the
 * database).
 */
struct pipeline *pipeline_new(const struct config *, const char *kind,
	    unsigned flags, int *rc, char *err, size_t errlen);

/* Thread-safe: adds findings and facts to obs.  now = 0: judge obs at its
 * own time (obs->time), or at --at when given. */
void	pipeline_analyze(const struct pipeline *, struct observation *obs);

/* Serialized: history rules, the store, the writers.  Returns 0, or -1
 * when the store or stdout failed (message logged): stop the sweep. */
int	pipeline_record(struct pipeline *, struct observation *obs);
/* Hands what the JSON writer holds to stdout (a lull in the sweep must not
 * keep lines back).  -1 when stdout fails, as pipeline_record. */
int	pipeline_flush(struct pipeline *);

/*
 * Closes the sweep (counts, finding resolution), the writers and the
 * store.  Returns the exit code: EXIT_OK, EXIT_FINDINGS when a finding
 * reached --fail-on, EXIT_RUNTIME when something could not be written.
 * Frees the pipeline.
 */
int	pipeline_finish(struct pipeline *, uint64_t endpoints, uint64_t ok);

/* PIPE_RESUME: true when the sweep being finished already recorded t.
 * Thread-safe (the set is only read during the sweep). */
bool	pipeline_skip(const struct pipeline *, const struct target *t);

/* The sweep was cut short (a signal): pipeline_finish() commits what was
 * recorded but leaves the sweep unfinished, for --resume. */
void	pipeline_set_interrupted(struct pipeline *);

/* The policy in force (--policy), for code that adds its own findings. */
const struct policy *pipeline_policy(const struct pipeline *);

/* The worst severity recorded so far, -1 when no finding. */
int	pipeline_worst(const struct pipeline *);

#endif /* CERTSWEEP_PIPELINE_H */
