/*
 * cli.c: subcommand dispatch and the option table.
 *
 * One table lists every option with the commands it applies to; it is the
 * single source for getopt_long's options, each command's --help text and
 * the man page check (scripts/lint.sh greps doc/certsweep.1 for every long
 * option listed here).  nmap's "-iL" is accepted as an alias of
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
#include <time.h>
#include <unistd.h>

#include "probes/probe.h"
#include "scanner/log.h"
#include "scanner/xmem.h"

enum opt_id {
	OPT_HELP = 'h',
	OPT_PORTS = 'p',
	OPT_CONCURRENCY = 'c',
	OPT_QUIET = 'q',
	OPT_VERBOSE = 'v',
	OPT_OUTPUT = 'o',
	OPT_READ = 'r',
	OPT_IFACE = 'i',
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
	OPT_GRAB,
	OPT_POLICY,
	OPT_CRL,
	OPT_AT,
	OPT_FAIL_ON,
	OPT_EXPIRING_DAYS,
	OPT_INTERMEDIATES,
	OPT_GEOIP_CITY,
	OPT_GEOIP_ASN,
	OPT_KEY,
	OPT_PASSWORD_ENV,
	OPT_HOSTNAME,
	OPT_ENUM,
	OPT_OCSP,
	OPT_RESUME,
	OPT_FORMAT,
	OPT_SCAN,
	OPT_SINCE,
	OPT_TABLE,
	OPT_LISTEN,
	OPT_EVERY,
	OPT_BPF,
	OPT_DURATION,
	OPT_SNAPLEN,
	OPT_USER,
	OPT_EMIT_TARGETS,
};

#define C(x)		(1u << CMD_##x)
#define C_ALL		((1u << CMD__MAX) - 1)
#define C_SWEEP		(C(SCAN) | C(SERVE))
#define C_JUDGE		(C(SCAN) | C(INSPECT) | C(SNIFF) | C(SERVE))

struct cli_opt {
	const char	*name;
	int		 id;		/* < 256: also the short option */
	const char	*arg;		/* NULL: takes no argument */
	unsigned	 cmds;		/* C(...) bits */
	const char	*help;
};

static const struct cli_opt opts[] = {
	{ "ports", OPT_PORTS, "LIST", C_SWEEP,
	  "ports for targets without one: 443,8443,9000-9010 (default 443)" },
	{ "input-list", OPT_INPUT_LIST, "FILE", C_SWEEP,
	  "read targets from FILE, one per line; - is stdin (alias -iL)" },
	{ "exclude", OPT_EXCLUDE, "LIST", C_SWEEP,
	  "skip these addresses, CIDRs or ranges (comma-separated)" },
	{ "exclude-file", OPT_EXCLUDE_FILE, "FILE", C_SWEEP,
	  "skip the addresses listed in FILE" },
	{ "starttls", OPT_STARTTLS, "PROTO", C_SWEEP,
	  "auto (by port, default), none (TLS at once) or smtp, imap, ..." },
	{ "ehlo", OPT_EHLO, "NAME", C_SWEEP,
	  "our name in SMTP EHLO (default certsweep.invalid)" },
	{ "xmpp-domain", OPT_XMPP_DOMAIN, "NAME", C_SWEEP,
	  "XMPP domain to open the stream to (default: SNI or host)" },
	{ "sni", OPT_SNI, "NAME", C_SWEEP,
	  "server name to send to IP targets (hostnames send their own)" },
	{ "concurrency", OPT_CONCURRENCY, "N", C_SWEEP,
	  "at most N connections in flight (default 1000)" },
	{ "threads", OPT_THREADS, "N", C_SWEEP,
	  "N event loops (default: 1, more while CPU-bound)" },
	{ "rate", OPT_RATE, "N", C_SWEEP,
	  "new connections per second (default: no limit)" },
	{ "timeout", OPT_TIMEOUT, "SEC", C_SWEEP,
	  "limit for each step: connect, handshake (default 5)" },
	{ "retries", OPT_RETRIES, "N", C_SWEEP,
	  "extra attempts after a timeout or reset (default 0)" },
	{ "grab", OPT_GRAB, "MODE", C_SWEEP,
	  "auto (raw TLS 1.2 hello, OpenSSL if refused), raw or openssl" },
	{ "alpn", OPT_ALPN, "LIST", C_SWEEP,
	  "offer these ALPN protocols, e.g. h2,http/1.1 (default none)" },
	{ "enum", OPT_ENUM, NULL, C_SWEEP,
	  "also enumerate protocol versions, cipher suites and groups" },
	{ "ocsp", OPT_OCSP, NULL, C_JUDGE,
	  "ask each leaf's OCSP responder (a short extra request)" },
	{ "resume", OPT_RESUME, NULL, C(SCAN),
	  "finish the last interrupted sweep of the same targets" },
	{ "seed", OPT_SEED, "N", C(SCAN),
	  "seed of the target order (default: random)" },
	{ "shard", OPT_SHARD, "K/N", C(SCAN),
	  "scan only shard K of N (same targets and seed on every shard)" },
	{ "dry-run", OPT_DRY_RUN, NULL, C(SCAN),
	  "print the endpoints that would be scanned, send nothing" },
	{ "ca-file", OPT_CA_FILE, "FILE", C_JUDGE,
	  "trust these CAs (PEM) instead of the system's" },
	{ "ca-dir", OPT_CA_DIR, "DIR", C_JUDGE,
	  "trust a hashed CA directory (c_rehash) as well" },
	{ "intermediates", OPT_INTERMEDIATES, "FILE", C_JUDGE,
	  "intermediate CAs (PEM) that tell an incomplete chain" },
	{ "crl", OPT_CRL, "FILE", C_JUDGE,
	  "check revocation against this CRL (PEM or DER; repeatable)" },
	{ "policy", OPT_POLICY, "FILE", C_JUDGE,
	  "policy file (see samples/policy.ini)" },
	{ "expiring-days", OPT_EXPIRING_DAYS, "N", C_JUDGE,
	  "cert.expiring within N days (default 30; critical within 7)" },
	{ "at", OPT_AT, "TIME", C_JUDGE,
	  "judge as of TIME: 2024-05-01, 2024-05-01T12:00:00Z or Unix s" },
	{ "fail-on", OPT_FAIL_ON, "SEVERITY", C_JUDGE,
	  "exit 1 when a finding is this severe: info ... critical" },
	{ "hostname", OPT_HOSTNAME, "NAME", C(INSPECT),
	  "the name the certificate should cover" },
	{ "key", OPT_KEY, "FILE", C(INSPECT),
	  "check this private key against the certificate (never kept)" },
	{ "password-env", OPT_PASSWORD_ENV, "VAR", C(INSPECT),
	  "read the PKCS#12 or key password from environment variable VAR" },
	{ "geoip-city", OPT_GEOIP_CITY, "FILE", C_SWEEP | C(SNIFF),
	  "MaxMind City/Country database: country and city per endpoint" },
	{ "geoip-asn", OPT_GEOIP_ASN, "FILE", C_SWEEP | C(SNIFF),
	  "MaxMind ASN database: AS number and organisation" },
	{ "format", OPT_FORMAT, "FMT", C(REPORT),
	  "html (default), csv or json" },
	{ "scan", OPT_SCAN, "ID", C(REPORT),
	  "report on this sweep (default: the inventory as last seen)" },
	{ "since", OPT_SINCE, "TIME", C(REPORT),
	  "only endpoints seen since TIME (2024-05-01 or Unix seconds)" },
	{ "output", OPT_OUTPUT, "FILE", C(REPORT),
	  "write to FILE (csv: a directory, one file per table)" },
	{ "table", OPT_TABLE, "NAME", C(REPORT),
	  "csv: only this table (endpoints, certificates, findings, scans)" },
	{ "listen", OPT_LISTEN, "ADDR:PORT", C(SERVE),
	  "where to answer HTTP (default 127.0.0.1:9655)" },
	{ "every", OPT_EVERY, "DURATION", C(SERVE),
	  "sweep TARGETS every DURATION (30m, 6h, 1d)" },
	{ "read", OPT_READ, "FILE", C(SNIFF),
	  "read a capture file (pcap or pcapng)" },
	{ "interface", OPT_IFACE, "IFACE", C(SNIFF),
	  "capture live on IFACE (needs root; drops it after opening)" },
	{ "bpf", OPT_BPF, "EXPR", C(SNIFF),
	  "capture filter, e.g. 'tcp port 443'" },
	{ "duration", OPT_DURATION, "SEC", C(SNIFF),
	  "stop a live capture after SEC seconds" },
	{ "snaplen", OPT_SNAPLEN, "N", C(SNIFF),
	  "bytes kept of each packet (default 262144)" },
	{ "user", OPT_USER, "NAME", C(SNIFF),
	  "user to switch to after opening the device (default nobody)" },
	{ "emit-targets", OPT_EMIT_TARGETS, "FILE", C(SNIFF),
	  "write the servers seen as scan targets (host:port) to FILE" },
	{ "db", OPT_DB, "PATH", C_ALL & ~C(INSPECT),
	  "database file (default $CERTSWEEP_DB or ./certsweep.db)" },
	{ "json", OPT_JSON, NULL, C_JUDGE | C(DIFF),
	  "one JSON object per endpoint (or file) on stdout" },
	{ "quiet", OPT_QUIET, NULL, C_ALL, "errors only; no progress line" },
	{ "verbose", OPT_VERBOSE, NULL, C_ALL,
	  "more detail on stderr (twice: debug)" },
	{ "help", OPT_HELP, NULL, C_ALL, "show this help" },
};
#define NOPTS	(sizeof(opts) / sizeof(opts[0]))

struct cli_cmd {
	const char	*name;
	enum command	 cmd;
	const char	*synopsis;
	const char	*about;
};

static const struct cli_cmd cmds[] = {
	{ "scan", CMD_SCAN, "scan [OPTIONS] TARGET...",
	  "Connect to targets, record their certificate chains and TLS\n"
	  "parameters, and store them.\n\n"
	  "TARGET: 192.0.2.7, 192.0.2.0/24, 192.0.2.5-192.0.2.9, "
	  "2001:db8::/120,\nhost.example, host.example:8443, 192.0.2.7:443, "
	  "[2001:db8::1]:443" },
	{ "inspect", CMD_INSPECT, "inspect [OPTIONS] FILE...",
	  "Judge certificates in files: PEM or DER certificates and chains\n"
	  "(leaf first), PKCS#12 bundles and PKCS#10 requests.  Nothing is\n"
	  "stored; exit 1 with --fail-on, 2 for a file that cannot be read." },
	{ "sniff", CMD_SNIFF, "sniff (-r FILE | -i IFACE) [OPTIONS]",
	  "Find certificates in traffic: a capture file or a live interface.\n"
	  "TLS 1.2 and earlier show their certificates; TLS 1.3 encrypts them\n"
	  "(versions, ciphers and SNI are still recorded)." },
	{ "report", CMD_REPORT, "report [OPTIONS]",
	  "Write the inventory as one self-contained HTML file, CSV or JSON." },
	{ "diff", CMD_DIFF, "diff [OPTIONS] [SCAN_A [SCAN_B]]",
	  "What changed between two sweeps (default: the last two): new and\n"
	  "vanished endpoints, changed certificates, new and resolved\n"
	  "findings.  Exit 1 when something changed." },
	{ "serve", CMD_SERVE, "serve [OPTIONS] [TARGET...]",
	  "Prometheus exporter: /metrics from the database, /probe?target=\n"
	  "host:port for a live scan; with --every, sweeps TARGET... on a\n"
	  "schedule." },
	{ "db", CMD_DB, "db merge OUT IN...",
	  "Merge databases (e.g. of --shard runs) into OUT." },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static void
usage_main(FILE *f)
{
	fprintf(f,
	    "usage: certsweep COMMAND [OPTIONS] [ARGS]\n"
	    "\n"
	    "Find TLS certificates on a network, judge them, and keep an\n"
	    "inventory in SQLite.\n"
	    "\n"
	    "commands:\n");
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(f, "  %s\n", cmds[i].synopsis);
	fprintf(f,
	    "\n"
	    "options:\n"
	    "  -h, --help       show this help ('certsweep COMMAND --help' for more)\n"
	    "  --version        print the version\n"
	    "\n"
	    "exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage or\n"
	    "input error, 3 runtime error (database, permissions), 130\n"
	    "interrupted\n");
}

static void
usage_cmd(FILE *f, const struct cli_cmd *c)
{
	fprintf(f, "usage: certsweep %s\n\n%s\n\noptions:\n", c->synopsis,
	    c->about);
	for (size_t i = 0; i < NOPTS; i++) {
		const struct cli_opt *o = &opts[i];
		char left[48];

		if (!(o->cmds & (1u << c->cmd)))
			continue;
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
	const char *p = s;
	char *end, err[256];

	errno = 0;
	k = strtoul(p, &end, 10);
	if (end == p || *end != '/' || errno != 0)
		goto bad;
	p = end + 1;
	n = strtoul(p, &end, 10);
	if (end == p || *end != '\0' || errno != 0 || n == 0 || n > 65536 ||
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

/* "tls, smtp, imap, ..." into buf, for error messages. */
static const char *
probe_names(char *buf, size_t len)
{
	const struct probe *const *p = probe_list();

	buf[0] = '\0';
	for (size_t i = 0; p[i] != NULL; i++) {
		size_t n = strlen(buf);

		snprintf(buf + n, len - n, "%s%s", i ? ", " : "", p[i]->name);
	}
	return buf;
}

static int
parse_starttls(const char *arg, struct config *cfg)
{
	char names[512];

	if (strcmp(arg, "auto") != 0 && strcmp(arg, "none") != 0 &&
	    probe_find(arg) == NULL) {
		log_error("--starttls \"%s\": unknown protocol; use auto, none "
		    "or one of: %s", arg, probe_names(names, sizeof(names)));
		return -1;
	}
	cfg->starttls = arg;
	return 0;
}

static int
parse_grab(const char *arg, struct config *cfg)
{
	if (strcmp(arg, "auto") == 0)
		cfg->grab = GRAB_AUTO;
	else if (strcmp(arg, "openssl") == 0)
		cfg->grab = GRAB_OPENSSL;
	else if (strcmp(arg, "raw") == 0)
		cfg->grab = GRAB_RAW;
	else {
		log_error("--grab \"%s\": expected auto, raw or openssl", arg);
		return -1;
	}
	return 0;
}

/* --at: Unix seconds, a date or an RFC 3339 time in UTC. */
static int
parse_time(const char *s, int64_t *out)
{
	struct tm tm;
	const char *end;
	char *e;
	long long v;

	errno = 0;
	v = strtoll(s, &e, 10);
	if (*s != '\0' && *e == '\0' && errno == 0 && v > 0) {
		*out = v;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end != NULL && *end == 'T')
		end = strptime(end + 1, "%H:%M:%S", &tm);
	if (end != NULL && *end == 'Z')
		end++;
	if (end == NULL || *end != '\0') {
		log_error("--at \"%s\": expected 2024-05-01, "
		    "2024-05-01T12:00:00Z or Unix seconds", s);
		return -1;
	}
	*out = (int64_t)timegm(&tm);
	return 0;
}

static int
parse_severity(const char *s, int *out)
{
	int v = severity_from_name(s);

	if (v == -1) {
		log_error("--fail-on \"%s\": expected info, low, medium, "
		    "high or critical", s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Options of the analysis; 1 when id is not one of them. */
static int
judge_option(int id, const char *arg, struct config *cfg)
{
	unsigned long u;

	switch (id) {
	case OPT_CRL:
		if (cfg->ncrls == CONFIG_MAX_CRLS) {
			log_error("--crl %s: at most %d CRL files", arg,
			    CONFIG_MAX_CRLS);
			return -1;
		}
		cfg->crls[cfg->ncrls++] = arg;
		return 0;
	case OPT_AT:
		return parse_time(arg, &cfg->at);
	case OPT_FAIL_ON:
		return parse_severity(arg, &cfg->fail_on);
	case OPT_EXPIRING_DAYS:
		if (parse_uint("expiring-days", arg, 1, 3650, &u) == -1)
			return -1;
		cfg->expiring_days = (int)u;
		return 0;
	case OPT_POLICY:	cfg->policy_path = arg; return 0;
	case OPT_INTERMEDIATES:	cfg->intermediates = arg; return 0;
	case OPT_GEOIP_CITY:	cfg->geoip_city = arg; return 0;
	case OPT_GEOIP_ASN:	cfg->geoip_asn = arg; return 0;
	case OPT_KEY:		cfg->key_path = arg; return 0;
	case OPT_PASSWORD_ENV:	cfg->password_env = arg; return 0;
	case OPT_HOSTNAME:	cfg->hostname = arg; return 0;
	default:
		return 1;
	}
}

/* --every: "90", "30s", "15m", "6h", "1d" -> seconds. */
static int
parse_duration(const char *opt, const char *s, double *out)
{
	char *end;
	double v, unit = 1;

	errno = 0;
	v = strtod(s, &end);
	if (end != s && errno == 0 && end[0] != '\0' && end[1] == '\0') {
		switch (end[0]) {
		case 's': unit = 1; end++; break;
		case 'm': unit = 60; end++; break;
		case 'h': unit = 3600; end++; break;
		case 'd': unit = 86400; end++; break;
		default: break;
		}
	}
	if (end == s || *end != '\0' || errno != 0 || !(v > 0) ||
	    v * unit > 366 * 86400.0) {
		log_error("--%s \"%s\": expected a duration such as 90, 30s, "
		    "15m, 6h or 1d", opt, s);
		return -1;
	}
	*out = v * unit;
	return 0;
}

/* Options of report, diff, serve and sniff; 1 when id is not one. */
static int
output_option(int id, const char *arg, struct config *cfg)
{
	unsigned long u;

	switch (id) {
	case OPT_FORMAT:
		if (strcmp(arg, "html") != 0 && strcmp(arg, "csv") != 0 &&
		    strcmp(arg, "json") != 0) {
			log_error("--format \"%s\": expected html, csv or json",
			    arg);
			return -1;
		}
		cfg->format = arg;
		return 0;
	case OPT_SCAN:
		if (parse_uint("scan", arg, 1, LONG_MAX, &u) == -1)
			return -1;
		cfg->scan_id = (int64_t)u;
		return 0;
	case OPT_SINCE:
		return parse_time(arg, &cfg->since);
	case OPT_EVERY:
		return parse_duration("every", arg, &cfg->every);
	case OPT_DURATION:
		return parse_duration("duration", arg, &cfg->duration);
	case OPT_SNAPLEN:
		if (parse_uint("snaplen", arg, 64, 262144, &u) == -1)
			return -1;
		cfg->snaplen = (int)u;
		return 0;
	case OPT_OUTPUT:	cfg->output = arg; return 0;
	case OPT_TABLE:		cfg->table = arg; return 0;
	case OPT_LISTEN:	cfg->listen = arg; return 0;
	case OPT_READ:		cfg->read_file = arg; return 0;
	case OPT_IFACE:		cfg->iface = arg; return 0;
	case OPT_BPF:		cfg->bpf = arg; return 0;
	case OPT_USER:		cfg->user = arg; return 0;
	case OPT_EMIT_TARGETS:	cfg->emit_targets = arg; return 0;
	case OPT_ENUM:		cfg->enumerate = true; return 0;
	case OPT_OCSP:		cfg->ocsp = true; return 0;
	case OPT_RESUME:	cfg->resume = true; return 0;
	default:
		return 1;
	}
}

/* Options that feed the target iterator; 1 when id is not one of them. */
static int
target_option(int id, const char *arg, struct targets *tg)
{
	char err[512];
	int rc;

	switch (id) {
	case OPT_PORTS:
		rc = targets_set_ports(tg, arg, err, sizeof(err));
		break;
	case OPT_INPUT_LIST:
		rc = targets_add_file(tg, arg, err, sizeof(err));
		break;
	case OPT_EXCLUDE:
		rc = targets_exclude(tg, arg, err, sizeof(err));
		break;
	case OPT_EXCLUDE_FILE:
		rc = targets_exclude_file(tg, arg, err, sizeof(err));
		break;
	case OPT_SHARD:
		return parse_shard(arg, tg);
	default:
		return 1;
	}
	if (rc == -1)
		log_error("%s", err);
	return rc;
}

/* Options of the scan engine; 1 when id is not one of them. */
static int
engine_option(int id, const char *arg, struct config *cfg,
    struct targets *tg)
{
	unsigned long u;

	switch (id) {
	case OPT_CONCURRENCY:
		if (parse_uint("concurrency", arg, 1, 1000000, &u) == -1)
			return -1;
		cfg->concurrency = (unsigned)u;
		return 0;
	case OPT_THREADS:
		if (parse_uint("threads", arg, 1, 64, &u) == -1)
			return -1;
		cfg->threads = (unsigned)u;
		return 0;
	case OPT_RATE:
		return parse_double("rate", arg, 0, 1e7, &cfg->rate);
	case OPT_TIMEOUT:
		return parse_double("timeout", arg, 0.01, 3600, &cfg->timeout);
	case OPT_RETRIES:
		if (parse_uint("retries", arg, 0, 10, &u) == -1)
			return -1;
		cfg->retries = (unsigned)u;
		return 0;
	case OPT_SEED:
		if (parse_uint("seed", arg, 1, ULONG_MAX, &u) == -1)
			return -1;
		cfg->seed = u;
		targets_set_seed(tg, u);
		return 0;
	case OPT_STARTTLS:
		return parse_starttls(arg, cfg);
	case OPT_GRAB:
		return parse_grab(arg, cfg);
	default:
		return 1;
	}
}

/* Applies one option; -1 after printing an error. */
static int
apply_option(int id, const char *arg, struct config *cfg, struct targets *tg)
{
	int rc;

	if ((rc = target_option(id, arg, tg)) != 1)
		return rc;
	if ((rc = engine_option(id, arg, cfg, tg)) != 1)
		return rc;
	if ((rc = judge_option(id, arg, cfg)) != 1)
		return rc;
	if ((rc = output_option(id, arg, cfg)) != 1)
		return rc;
	switch (id) {
	case OPT_SNI:		cfg->sni = arg; break;
	case OPT_EHLO:		cfg->ehlo = arg; break;
	case OPT_XMPP_DOMAIN:	cfg->xmpp_domain = arg; break;
	case OPT_CA_FILE:	cfg->ca_file = arg; break;
	case OPT_CA_DIR:	cfg->ca_dir = arg; break;
	case OPT_ALPN:		cfg->alpn = arg; break;
	case OPT_DB:		cfg->db_path = arg; break;
	case OPT_JSON:		cfg->json = true; break;
	case OPT_DRY_RUN:	cfg->dry_run = true; break;
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
	cfg->fail_on = -1;
	cfg->grab = GRAB_AUTO;
}

/* getopt_long's table and short-option string for one command. */
static void
build_getopt(const struct cli_cmd *c, struct option *lopts, char *shorts,
    size_t slen)
{
	size_t n = 0, s = 0;

	shorts[s++] = ':';	/* options may follow the targets (GNU order) */
	for (size_t i = 0; i < NOPTS; i++) {
		if (!(opts[i].cmds & (1u << c->cmd)))
			continue;
		lopts[n++] = (struct option){ opts[i].name,
		    opts[i].arg ? required_argument : no_argument, NULL,
		    opts[i].id };
		if (opts[i].id < 256 && s + 3 < slen) {
			shorts[s++] = (char)opts[i].id;
			if (opts[i].arg != NULL)
				shorts[s++] = ':';
		}
	}
	shorts[s] = '\0';
	memset(&lopts[n], 0, sizeof(lopts[n]));
}

/* What each command wants besides options; -1 after an error. */
static int
check_args(const struct cli_cmd *c, const struct config *cfg)
{
	switch (c->cmd) {
	case CMD_INSPECT:
		if (cfg->nargs > 0)
			return 0;
		log_error("inspect: no files; give certificates, chains, "
		    "PKCS#12 bundles or CSRs (see 'certsweep inspect --help')");
		return -1;
	case CMD_SNIFF:
		if ((cfg->read_file == NULL) != (cfg->iface == NULL) &&
		    cfg->nargs == 0)
			return 0;
		log_error("sniff: give either -r FILE or -i IFACE (see "
		    "'certsweep sniff --help')");
		return -1;
	case CMD_DIFF:
		if (cfg->nargs <= 2)
			return 0;
		log_error("diff: at most two sweep ids, e.g. 'certsweep diff 3 "
		    "5'");
		return -1;
	case CMD_DB:
		if (cfg->nargs >= 3 && strcmp(cfg->args[0], "merge") == 0)
			return 0;
		log_error("db: expected 'certsweep db merge OUT IN...'");
		return -1;
	case CMD_REPORT:
		if (cfg->nargs == 0)
			return 0;
		log_error("report: unexpected argument \"%s\" (see "
		    "'certsweep report --help')", cfg->args[0]);
		return -1;
	default:
		return 0;
	}
}

/* Positional arguments: scan's and serve's are targets; the others keep
 * them for their command. */
static enum cli_rc
take_args(const struct cli_cmd *c, int argc, char **argv, struct config *cfg,
    struct targets *tg)
{
	char err[512];

	cfg->args = argv + optind;
	cfg->nargs = argc - optind;
	if (check_args(c, cfg) == -1)
		return CLI_EXIT_USAGE;
	if (c->cmd != CMD_SCAN && c->cmd != CMD_SERVE)
		return CLI_RUN;
	for (int i = optind; i < argc; i++)
		if (targets_add(tg, argv[i], err, sizeof(err)) == -1) {
			log_error("%s", err);
			return CLI_EXIT_USAGE;
		}
	if (c->cmd == CMD_SCAN && targets_total(tg) == 0) {
		log_error("scan: no targets; give addresses, CIDRs or hostnames, "
		    "or -iL FILE (see 'certsweep scan --help')");
		return CLI_EXIT_USAGE;
	}
	if (c->cmd == CMD_SERVE && (cfg->every > 0) != (targets_total(tg) > 0)) {
		log_error("serve: --every needs targets, and targets need "
		    "--every (see 'certsweep serve --help')");
		return CLI_EXIT_USAGE;
	}
	return CLI_RUN;
}

static enum cli_rc
parse_cmd(const struct cli_cmd *c, int argc, char **argv, struct config *cfg,
    struct targets *tg)
{
	struct option lopts[NOPTS + 1];
	char shorts[96];
	int ch;

	build_getopt(c, lopts, shorts, sizeof(shorts));
	for (int i = 1; i < argc; i++)	/* nmap habit: "-iL FILE" */
		if ((c->cmd == CMD_SCAN || c->cmd == CMD_SERVE) &&
		    strcmp(argv[i], "-iL") == 0)
			argv[i] = (char *)(uintptr_t)"--input-list";
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		if (ch == 'h') {
			usage_cmd(stdout, c);
			return CLI_EXIT_OK;
		}
		if (ch == '?' || ch == ':') {
			log_error("%s \"%s\"; see 'certsweep %s --help'",
			    ch == '?' ? "unknown option" :
			    "missing value for option", argv[optind - 1],
			    c->name);
			return CLI_EXIT_USAGE;
		}
		if (apply_option(ch, optarg, cfg, tg) == -1)
			return CLI_EXIT_USAGE;
	}
	return take_args(c, argc, argv, cfg, tg);
}

enum cli_rc
cli_parse(int argc, char **argv, struct config *cfg, struct targets *tg)
{
	config_defaults(cfg);
	if (argc < 2) {
		usage_main(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage_main(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("certsweep %s\n", CERTSWEEP_VERSION);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < NCMDS; i++) {
		if (strcmp(argv[1], cmds[i].name) != 0)
			continue;
		cfg->command = cmds[i].cmd;
		cfg->command_name = cmds[i].name;
		cfg->arguments = join_args(argc - 1, argv + 1);
		return parse_cmd(&cmds[i], argc - 1, argv + 1, cfg, tg);
	}
	log_error("unknown command \"%s\"; see 'certsweep --help'", argv[1]);
	return CLI_EXIT_USAGE;
}

void
cli_free(struct config *cfg)
{
	free(cfg->arguments);
	cfg->arguments = NULL;
}
