/*
 * main.c: wiring only.  Command line -> targets -> store and writers ->
 * engine -> exit code.
 */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "db/store.h"
#include "report/report.h"
#include "scanner/cli.h"
#include "scanner/config.h"
#include "scanner/engine.h"
#include "scanner/log.h"
#include "scanner/targets.h"

struct sweep {
	struct store	*store;
	struct report	*json;
	int64_t		 scan_id;
	int		 failed;	/* the store or stdout failed */
};

static int
sweep_sink(void *arg, const struct observation *obs)
{
	struct sweep *sw = arg;

	if (store_add_observation(sw->store, sw->scan_id, obs) == -1) {
		log_error("%s", store_errmsg(sw->store));
		sw->failed = 1;
		return -1;
	}
	if (sw->json != NULL && report_emit(sw->json, obs) == -1) {
		log_error("cannot write JSON to standard output; stopping "
		    "(results are in the database)");
		sw->failed = 1;
		return -1;
	}
	return 0;
}

static int
dry_run(struct targets *tg)
{
	struct target t;
	char ip[INET6_ADDRSTRLEN];

	while (targets_next(tg, &t) == 1) {
		if (t.family == AF_UNSPEC)
			printf("%s:%u\n", t.host, t.port);
		else if (t.family == AF_INET)
			printf("%s:%u\n", inet_ntop(AF_INET, t.addr, ip,
			    sizeof(ip)), t.port);
		else
			printf("[%s]:%u\n", inet_ntop(AF_INET6, t.addr, ip,
			    sizeof(ip)), t.port);
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_RUNTIME;
}

static void
summary(const struct engine_stats *st, const struct config *cfg)
{
	log_info("%llu endpoints in %.2f s (%.0f/s): %llu ok, %llu failed; "
	    "database %s", (unsigned long long)st->done, st->elapsed,
	    st->elapsed > 0 ? (double)st->done / st->elapsed : 0.0,
	    (unsigned long long)st->ok,
	    (unsigned long long)(st->done - st->ok), cfg->db_path);
}

static int
run_scan(const struct config *cfg, struct targets *tg)
{
	struct sweep sw = { 0 };
	struct engine_stats st = { 0 };
	char err[512];
	int rc = EXIT_OK, erc;

	if (cfg->dry_run)
		return dry_run(tg);
	if (store_open(&sw.store, cfg->db_path, err, sizeof(err)) == -1) {
		log_error("%s", err);
		return EXIT_RUNTIME;
	}
	if (store_scan_begin(sw.store, "active", cfg->arguments,
	    (int64_t)time(NULL), &sw.scan_id) == -1) {
		log_error("%s", store_errmsg(sw.store));
		store_close(sw.store);
		return EXIT_RUNTIME;
	}
	if (cfg->json)
		sw.json = report_open("jsonl", stdout);
	erc = engine_run(cfg, tg, sweep_sink, &sw, &st, err, sizeof(err));
	if (erc == -1 && !sw.failed) {
		log_error("%s", err);
		rc = EXIT_USAGE;
	} else if (sw.failed) {
		rc = EXIT_RUNTIME;
	}
	if (sw.json != NULL && report_close(sw.json) == -1 && rc == EXIT_OK)
		rc = EXIT_RUNTIME;
	if (rc != EXIT_RUNTIME && store_scan_end(sw.store, sw.scan_id,
	    (int64_t)time(NULL), st.done, st.ok) == -1) {
		log_error("%s", store_errmsg(sw.store));
		rc = EXIT_RUNTIME;
	}
	if (store_close(sw.store) == -1 && rc == EXIT_OK)
		rc = EXIT_RUNTIME;
	summary(&st, cfg);
	if (st.interrupted && rc == EXIT_OK)
		rc = 130;
	return rc;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct targets *tg = targets_new();
	int rc;

	signal(SIGPIPE, SIG_IGN);
	switch (cli_parse(argc, argv, &cfg, tg)) {
	case CLI_EXIT_OK:
		rc = EXIT_OK;
		break;
	case CLI_EXIT_USAGE:
		rc = EXIT_USAGE;
		break;
	default:
		rc = run_scan(&cfg, tg);
		break;
	}
	cli_free(&cfg);
	targets_free(tg);
	return rc;
}
