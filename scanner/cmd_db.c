/*
 * cmd_db.c: certsweep db merge OUT IN...: the databases of several sweeps
 * (the shards of --shard K/N, or several scanners) in one inventory
 * (db/merge.h says how rows are unified).
 */
#include <stdio.h>
#include <string.h>

#include "db/merge.h"
#include "scanner/commands.h"
#include "scanner/log.h"

static int
db_merge(const char *out, char **in, int nin)
{
	struct merge_stats ms;
	char err[1024];

	if (store_merge(out, (const char *const *)in, (size_t)nin, &ms, err,
	    sizeof(err)) == -1) {
		log_error("%s", err);
		return ms.bad_input ? EXIT_USAGE : EXIT_RUNTIME;
	}
	log_info("db merge: %d database%s into %s: %llu scans copied (%llu "
	    "already there), %llu observations; new: %llu endpoints, %llu "
	    "certificates, %llu findings", nin, nin == 1 ? "" : "s", out,
	    (unsigned long long)ms.scans, (unsigned long long)ms.scans_known,
	    (unsigned long long)ms.observations,
	    (unsigned long long)ms.endpoints,
	    (unsigned long long)ms.certificates,
	    (unsigned long long)ms.findings);
	return EXIT_OK;
}

int
cmd_db(const struct config *cfg)
{
	/* cli.c checked: "merge", OUT and at least one IN. */
	if (cfg->nargs < 3 || strcmp(cfg->args[0], "merge") != 0) {
		log_error("db: expected 'certsweep db merge OUT IN...'");
		return EXIT_USAGE;
	}
	return db_merge(cfg->args[1], cfg->args + 2, cfg->nargs - 2);
}
