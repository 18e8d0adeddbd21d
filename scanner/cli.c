/*
 * cli.c: subcommand dispatch and the option table of each subcommand.
 *
 * The table is the single source for getopt_long's options, the --help text
 * and the man page check (scripts/lint.sh greps doc/certsweep.1 for every
 * long option listed here).  nmap's "-iL" is accepted as an alias of
 * --input-list by rewriting it before getopt sees it.
 */
#include "scanner/cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probes/probe.h"
#include "scanner/log.h"
#include "scanner/xmem.h"

/* "tls, smtp, imap, ..." for error messages. */
static const char *
probe_names(void)
{
	static char names[512];
	const struct probe *const *p = probe_list();

	names[0] = '\0';
	for (size_t i = 0; p[i] != NULL; i++) {
		size_t n = strlen(names);

		snprintf(names + n, sizeof(names) - n, "%s%s", i ? ", " : "",
		    p[i]->name);
	}
	return names;
}

enum opt_id {
	OPT_HELP = 'h',
	OPT_PORTS = 'p',
	OPT_CONCURRENCY = 'c',
	OPT_QUIET = 'q',
	OPT_VERBOSE = 'v',
	OPT_INPUT_LIST = 256,
	OPT_EXCLUDE,
	OPT_EXCLUDE_FILE,
	OPT_SNI,
	OPT_RATE,
	OPT_TIMEOUT,
	OPT_RETRIES,
	OPT_CA_FILE,
	OPT_CA_DIR,
	OPT_ALPN,
	OPT_DB,
	OPT_JSON,
	OPT_SEED,
	OPT_SHARD,
	OPT_DRY_RUN,
	OPT_STARTTLS,
	OPT_EHLO,
	OPT_XMPP_DOMAIN,
	OPT_THREADS,
};

struct cli_opt {
	const char	*name;
	int		 id;
	const char	*arg;	/* NULL: takes no argument */
	const char	*help;
};

static const struct cli_opt scan_opts[] = {
	{ "ports", OPT_PORTS, "LIST",
	  "ports for targets without one: 443,8443,9000-9010 (default 443)" },
	{ "input-list", OPT_INPUT_LIST, "FILE",
	  "read targets from FILE, one per line; - is stdin (alias -iL)" },
	{ "exclude", OPT_EXCLUDE, "LIST",
	  "skip these addresses, CIDRs or ranges (comma-separated)" },
	{ "exclude-file", OPT_EXCLUDE_FILE, "FILE",
	  "skip the addresses listed in FILE" },
	{ "starttls", OPT_STARTTLS, "PROTO",
	  "auto (by port, default), none (TLS at once) or smtp, imap, ..." },
	{ "ehlo", OPT_EHLO, "NAME",
	  "our name in SMTP EHLO (default certsweep.invalid)" },
	{ "xmpp-domain", OPT_XMPP_DOMAIN, "NAME",
	  "XMPP domain to open the stream to (default: SNI or host)" },
	{ "sni", OPT_SNI, "NAME",
	  "server name to send to IP targets (hostnames send their own)" },
	{ "concurrency", OPT_CONCURRENCY, "N",
	  "connections in flight (default 1000)" },
	{ "threads", OPT_THREADS, "N",
	  "event loops, one per thread (default: one per core)" },
	{ "rate", OPT_RATE, "N",
	  "new connections per second (default: no limit)" },
	{ "timeout", OPT_TIMEOUT, "SEC",
	  "limit for each step: connect, handshake (default 5)" },
	{ "retries", OPT_RETRIES, "N",
	  "extra attempts after a timeout or reset (default 0)" },
	{ "ca-file", OPT_CA_FILE, "FILE",
	  "verify chains against these CAs (PEM) instead of the system's" },
	{ "ca-dir", OPT_CA_DIR, "DIR",
	  "verify against a hashed CA directory (c_rehash) as well" },
	{ "alpn", OPT_ALPN, "LIST",
	  "offer these ALPN protocols, e.g. h2,http/1.1 (default none)" },
	{ "db", OPT_DB, "PATH",
	  "database file (default $CERTSWEEP_DB or ./certsweep.db)" },
	{ "json", OPT_JSON, NULL,
	  "print one JSON object per endpoint on stdout" },
	{ "seed", OPT_SEED, "N",
	  "seed of the target order (default: random)" },
	{ "shard", OPT_SHARD, "K/N",
	  "scan only shard K of N (same targets and seed on every shard)" },
	{ "dry-run", OPT_DRY_RUN, NULL,
	  "print the endpoints that would be scanned, send nothing" },
	{ "quiet", OPT_QUIET, NULL, "errors only; no progress line" },
	{ "verbose", OPT_VERBOSE, NULL, "more detail on stderr (twice: debug)" },
	{ "help", OPT_HELP, NULL, "show this help" },
};
#define NSCAN_OPTS	(sizeof(scan_opts) / sizeof(scan_opts[0]))

static void
usage_main(FILE *f)
{
	fprintf(f,
	    "usage: certsweep COMMAND [OPTIONS] [ARGS]\n"
	    "\n"
	    "Find TLS certificates on a network, judge them, and keep an\n"
	    "inventory in SQLite.\n"
	    "\n"
	    "commands:\n"
	    "  scan TARGET...   connect to targets and record their certificates\n"
	    "\n"
	    "options:\n"
	    "  -h, --help       show this help ('certsweep COMMAND --help' for more)\n"
	    "  --version        print the version\n"
	    "\n"
	    "exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage or\n"
	    "input error, 3 runtime error (database, permissions)\n");
}

static void
usage_scan(FILE *f)
{
	fprintf(f,
	    "usage: certsweep scan [OPTIONS] TARGET...\n"
	    "\n"
	    "TARGET: 192.0.2.7, 192.0.2.0/24, 192.0.2.5-192.0.2.9, 2001:db8::/120,\n"
	    "host.example, host.example:8443, 192.0.2.7:443, [2001:db8::1]:443\n"
	    "\n"
	    "options:\n");
	for (size_t i = 0; i < NSCAN_OPTS; i++) {
		const struct cli_opt *o = &scan_opts[i];
		char left[48];

		if (o->id < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->id,
			    o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
			    o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "  %-28s %s\n", left, o->help);
	}
}

static int
parse_uint(const char *opt, const char *s, unsigned long min,
    unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s == '\0' || *s == '-' || *end != '\0' || errno != 0 ||
	    v < min || v > max) {
		log_error("--%s \"%s\": expected a whole number from %lu to %lu",
		    opt, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_double(const char *opt, const char *s, double min, double max,
    double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || !(v >= min) ||
	    v > max) {
		log_error("--%s \"%s\": expected a number from %g to %g",
		    opt, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_shard(const char *s, struct targets *tg)
{
	unsigned long k, n;
	char *end, err[256];

	errno = 0;
	k = strtoul(s, &end, 10);
	if (end == s || *end != '/' || errno != 0)
		goto bad;
	s = end + 1;
	n = strtoul(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || n == 0 || n > 65536 ||
	    k == 0 || k > n)
		goto bad;
	if (targets_set_shard(tg, (unsigned)k, (unsigned)n, err,
	    sizeof(err)) == -1) {
		log_error("--shard: %s", err);
		return -1;
	}
	return 0;
bad:
	log_error("--shard \"%s\": expected K/N with 1 <= K <= N, e.g. 2/4", s);
	return -1;
}

/* Applies one option; -1 after printing an error. */
static int
scan_option(int id, const char *arg, struct config *cfg, struct targets *tg)
{
	char err[512];
	unsigned long u;

	err[0] = '\0';
	switch (id) {
	case OPT_PORTS:
		if (targets_set_ports(tg, arg, err, sizeof(err)) == -1)
			goto fail;
		break;
	case OPT_INPUT_LIST:
		if (targets_add_file(tg, arg, err, sizeof(err)) == -1)
			goto fail;
		break;
	case OPT_EXCLUDE:
		if (targets_exclude(tg, arg, err, sizeof(err)) == -1)
			goto fail;
		break;
	case OPT_EXCLUDE_FILE:
		if (targets_exclude_file(tg, arg, err, sizeof(err)) == -1)
			goto fail;
		break;
	case OPT_SNI:
		cfg->sni = arg;
		break;
	case OPT_STARTTLS:
		if (strcmp(arg, "auto") != 0 && strcmp(arg, "none") != 0 &&
		    probe_find(arg) == NULL) {
			log_error("--starttls \"%s\": unknown protocol; use auto, "
			    "none or one of: %s", arg, probe_names());
			return -1;
		}
		cfg->starttls = arg;
		break;
	case OPT_EHLO:
		cfg->ehlo = arg;
		break;
	case OPT_XMPP_DOMAIN:
		cfg->xmpp_domain = arg;
		break;
	case OPT_CONCURRENCY:
		if (parse_uint("concurrency", arg, 1, 1000000, &u) == -1)
			return -1;
		cfg->concurrency = (unsigned)u;
		break;
	case OPT_THREADS:
		if (parse_uint("threads", arg, 1, 64, &u) == -1)
			return -1;
		cfg->threads = (unsigned)u;
		break;
	case OPT_RATE:
		return parse_double("rate", arg, 0, 1e7, &cfg->rate);
	case OPT_TIMEOUT:
		return parse_double("timeout", arg, 0.01, 3600, &cfg->timeout);
	case OPT_RETRIES:
		if (parse_uint("retries", arg, 0, 10, &u) == -1)
			return -1;
		cfg->retries = (unsigned)u;
		break;
	case OPT_CA_FILE:
		cfg->ca_file = arg;
		break;
	case OPT_CA_DIR:
		cfg->ca_dir = arg;
		break;
	case OPT_ALPN:
		cfg->alpn = arg;
		break;
	case OPT_DB:
		cfg->db_path = arg;
		break;
	case OPT_JSON:
		cfg->json = true;
		break;
	case OPT_SEED:
		if (parse_uint("seed", arg, 1, ULONG_MAX, &u) == -1)
			return -1;
		cfg->seed = u;
		targets_set_seed(tg, u);
		break;
	case OPT_SHARD:
		return parse_shard(arg, tg);
	case OPT_DRY_RUN:
		cfg->dry_run = true;
		break;
	case OPT_QUIET:
		log_set_level(LOG_LVL_QUIET);
		cfg->progress = false;
		break;
	case OPT_VERBOSE:
		if (log_get_level() < LOG_LVL_DEBUG)
			log_set_level(log_get_level() + 1);
		break;
	default:
		return -1;
	}
	return 0;
fail:
	log_error("%s", err);
	return -1;
}

static char *
join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = xcalloc(1, len);
	for (int i = 0; i < argc; i++) {
		if (i > 0)
			strncat(s, " ", len - strlen(s) - 1);
		strncat(s, argv[i], len - strlen(s) - 1);
	}
	return s;
}

static void
config_defaults(struct config *cfg)
{
	const char *env = getenv("CERTSWEEP_DB");

	memset(cfg, 0, sizeof(*cfg));
	cfg->db_path = env != NULL && *env != '\0' ? env : CONFIG_DEFAULT_DB;
	cfg->concurrency = CONFIG_DEFAULT_CONCURRENCY;
	cfg->timeout = CONFIG_DEFAULT_TIMEOUT;
	cfg->progress = isatty(STDERR_FILENO);
}

static enum cli_rc
parse_scan(int argc, char **argv, struct config *cfg, struct targets *tg)
{
	struct option lopts[NSCAN_OPTS + 1];
	char err[512];
	int c, nargs = 0;

	for (size_t i = 0; i < NSCAN_OPTS; i++)
		lopts[i] = (struct option){ scan_opts[i].name,
		    scan_opts[i].arg ? required_argument : no_argument, NULL,
		    scan_opts[i].id };
	memset(&lopts[NSCAN_OPTS], 0, sizeof(lopts[0]));
	/* nmap habit: "-iL FILE". */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-iL") == 0)
			argv[i] = (char *)(uintptr_t)"--input-list";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:p:c:qvh", lopts, NULL)) != -1) {
		if (c == 'h') {
			usage_scan(stdout);
			return CLI_EXIT_OK;
		}
		if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1];

			log_error("%s \"%s\"; see 'certsweep scan --help'",
			    c == '?' ? "unknown option" :
			    "missing value for option", bad);
			return CLI_EXIT_USAGE;
		}
		if (scan_option(c, optarg, cfg, tg) == -1)
			return CLI_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++, nargs++)
		if (targets_add(tg, argv[i], err, sizeof(err)) == -1) {
			log_error("%s", err);
			return CLI_EXIT_USAGE;
		}
	if (targets_total(tg) == 0) {
		log_error("scan: no targets; give addresses, CIDRs or hostnames, "
		    "or -iL FILE (see 'certsweep scan --help')");
		return CLI_EXIT_USAGE;
	}
	return CLI_RUN;
}

enum cli_rc
cli_parse(int argc, char **argv, struct config *cfg, struct targets *tg)
{
	config_defaults(cfg);
	if (argc < 2) {
		usage_main(stderr);
		return CLI_EXIT_USAGE;
	}
	cfg->command = argv[1];
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage_main(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("certsweep %s\n", CERTSWEEP_VERSION);
		return CLI_EXIT_OK;
	}
	cfg->arguments = join_args(argc - 1, argv + 1);
	if (strcmp(argv[1], "scan") == 0)
		return parse_scan(argc - 1, argv + 1, cfg, tg);
	log_error("unknown command \"%s\"; see 'certsweep --help'", argv[1]);
	return CLI_EXIT_USAGE;
}

void
cli_free(struct config *cfg)
{
	free(cfg->arguments);
	cfg->arguments = NULL;
}
