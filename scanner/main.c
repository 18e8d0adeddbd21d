/*
 * main.c: wiring only.  Command line -> the command's pieces (targets,
 * pipeline, engine) -> exit code.
 */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "db/store.h"
#include "scanner/cli.h"
#include "scanner/commands.h"
#include "scanner/config.h"
#include "scanner/engine.h"
#include "scanner/inspect.h"
#include "scanner/log.h"
#include "scanner/pipeline.h"
#include "scanner/policy.h"
#include "scanner/targets.h"
#include "scanner/xmem.h"

#define OUT_BUFFER	(64 << 10)

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
scan_analyze(void *arg, struct observation *obs)
{
	pipeline_analyze(arg, obs);
}

static int
scan_sink(void *arg, struct observation *obs)
{
	return pipeline_record(arg, obs);
}

static int
scan_flush(void *arg)
{
	return pipeline_flush(arg);
}

static bool
scan_skip(void *arg, const struct target *t)
{
	return pipeline_skip(arg, t);
}

static void
summary(const struct engine_stats *st, const struct config *cfg, int worst)
{
	log_info("%llu endpoints in %.2f s (%.0f/s): %llu ok, %llu failed; "
	    "worst finding %s; database %s", (unsigned long long)st->done,
	    st->elapsed, st->elapsed > 0 ? (double)st->done / st->elapsed : 0,
	    (unsigned long long)st->ok,
	    (unsigned long long)(st->done - st->ok),
	    worst >= 0 ? severity_name((enum severity)worst) : "none",
	    cfg->db_path);
	if (st->skipped > 0)
		log_info("--resume: %llu endpoints recorded before were not "
		    "scanned again", (unsigned long long)st->skipped);
}

static int
run_scan(const struct config *cfg, struct targets *tg)
{
	struct engine_stats st;
	struct pipeline *pl;
	struct engine_hooks hooks = {
		.analyze = scan_analyze, .sink = scan_sink, .skip = scan_skip,
		.flush = scan_flush,
	};
	char err[512];
	int rc, erc, worst;

	if (cfg->dry_run)
		return dry_run(tg);
	pl = pipeline_new(cfg, "active", PIPE_STORE | PIPE_VERIFY |
	    (cfg->json ? PIPE_JSON : 0) | (cfg->resume ? PIPE_RESUME : 0),
	    &rc, err, sizeof(err));
	if (pl == NULL) {
		log_error("%s", err);
		return rc;
	}
	hooks.arg = pl;
	erc = engine_run(cfg, tg, &hooks, &st, err, sizeof(err));
	worst = pipeline_worst(pl);
	if (st.interrupted)
		pipeline_set_interrupted(pl);
	rc = pipeline_finish(pl, st.done, st.ok);
	if (erc == -1 && rc == EXIT_OK) {
		log_error("%s", err);
		rc = EXIT_USAGE;
	}
	summary(&st, cfg, worst);
	if (st.interrupted && (rc == EXIT_OK || rc == EXIT_FINDINGS))
		rc = EXIT_INTERRUPTED;
	return rc;
}

/* One file: read, judge, print.  -1 when it cannot be read. */
static int
inspect_one(const struct config *cfg, struct pipeline *pl,
    const struct policy *policy, const char *path)
{
	struct inspect_opts io = {
		.password_env = cfg->password_env,
		.key_path = cfg->key_path,
		.host = cfg->hostname,
		.policy = policy,
	};
	struct observation obs;
	char err[512];
	int rc;

	if (inspect_file(path, &io, &obs, err, sizeof(err)) == -1) {
		log_error("%s", err);
		return -1;
	}
	obs.origin = path;
	if (cfg->at != 0)
		obs.time = cfg->at;
	pipeline_analyze(pl, &obs);
	rc = pipeline_record(pl, &obs);
	observation_clear(&obs);
	return rc;
}

static int
run_inspect(const struct config *cfg)
{
	struct pipeline *pl;
	char err[512];
	int rc, bad = 0;

	pl = pipeline_new(cfg, "file", PIPE_VERIFY |
	    (cfg->json ? PIPE_JSON : PIPE_TEXT), &rc, err, sizeof(err));
	if (pl == NULL) {
		log_error("%s", err);
		return rc;
	}
	for (int i = 0; i < cfg->nargs; i++)
		if (inspect_one(cfg, pl, pipeline_policy(pl),
		    cfg->args[i]) == -1)
			bad = 1;
	rc = pipeline_finish(pl, (uint64_t)cfg->nargs, 0);
	return bad && rc != EXIT_RUNTIME ? EXIT_USAGE : rc;
}

static int
run(const struct config *cfg, struct targets *tg)
{
	switch (cfg->command) {
	case CMD_SCAN:		return run_scan(cfg, tg);
	case CMD_INSPECT:	return run_inspect(cfg);
	case CMD_SNIFF:		return cmd_sniff(cfg);
	case CMD_REPORT:	return cmd_report(cfg);
	case CMD_DIFF:		return cmd_diff(cfg);
	case CMD_SERVE:		return cmd_serve(cfg, tg);
	case CMD_DB:		return cmd_db(cfg);
	default:		return EXIT_USAGE;
	}
}

/*
 * Reports go to stdout 64 KiB at a time rather than stdio's 4 KiB: a sweep
 * of the lab made a write(2) every three JSON lines.  The reports flush on
 * their own clock (jsonl.c), and a terminal keeps its line buffering.
 * glibc ignores a size given without a buffer, hence the buffer.
 */
static void
out_buffer(void)
{
	static char *buf;

	if (isatty(STDOUT_FILENO))
		return;
	buf = xmalloc(OUT_BUFFER);
	if (setvbuf(stdout, buf, _IOFBF, OUT_BUFFER) != 0) {
		free(buf);
		buf = NULL;
	}
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct targets *tg = targets_new();
	int rc;

	signal(SIGPIPE, SIG_IGN);
	xmem_heap_init();
	out_buffer();
	/*
	 * OpenSSL's atexit handler frees every table it built (providers,
	 * name maps, error strings): ~0.7 M instructions at the end of every
	 * run, for memory the kernel takes back anyway.
	 */
	(void)OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
	store_library_init();
	switch (cli_parse(argc, argv, &cfg, tg)) {
	case CLI_EXIT_OK:
		rc = EXIT_OK;
		break;
	case CLI_EXIT_USAGE:
		rc = EXIT_USAGE;
		break;
	default:
		rc = run(&cfg, tg);
		break;
	}
	cli_free(&cfg);
	targets_free(tg);
	return rc;
}
