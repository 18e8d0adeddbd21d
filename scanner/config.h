/*
 * config.h: the validated settings of one run.  Filled once by cli.c, then
 * passed everywhere as const; there is no global configuration.
 */
#ifndef CERTSWEEP_CONFIG_H
#define CERTSWEEP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

/* Process exit codes (DESIGN.md §1). */
enum exit_code {
	EXIT_OK = 0,
	EXIT_FINDINGS = 1,	/* findings at or above --fail-on */
	EXIT_USAGE = 2,		/* bad command line or input */
	EXIT_RUNTIME = 3,	/* database, permissions, resources */
	EXIT_INTERRUPTED = 130,	/* SIGINT/SIGTERM; results so far kept */
};

#define CONFIG_DEFAULT_CONCURRENCY	1000
#define CONFIG_DEFAULT_TIMEOUT		5.0
#define CONFIG_DEFAULT_DB		"certsweep.db"
#define CONFIG_MAX_CRLS			16

/* The subcommands; CMD_* bits say which options apply where. */
enum command {
	CMD_SCAN,
	CMD_INSPECT,
	CMD_SNIFF,
	CMD_REPORT,
	CMD_DIFF,
	CMD_SERVE,
	CMD_DB,
	CMD__MAX
};

/* How scan fetches certificates. */
enum grab_mode {
	GRAB_AUTO,		/* raw hello, OpenSSL when it cannot */
	GRAB_OPENSSL,		/* a full OpenSSL handshake every time */
	GRAB_RAW,		/* raw hello only */
};

struct config {
	enum command	 command;
	const char	*command_name;	/* "scan", ... */
	char		**args;		/* positional arguments (borrowed) */
	int		 nargs;
	char		*arguments;	/* the command line, for the scans table */

	/* every command */
	const char	*db_path;	/* --db, $CERTSWEEP_DB or certsweep.db */
	bool		 json;		/* --json */
	bool		 progress;	/* stderr is a terminal and not -q */

	/* scan */
	bool		 dry_run;	/* --dry-run: print targets, no traffic */
	unsigned	 concurrency;	/* connections in flight */
	unsigned	 threads;	/* event loops; 0 = from one, as needed */
	double		 rate;		/* new connections per second, 0 = no cap */
	double		 timeout;	/* seconds per step */
	unsigned	 retries;	/* extra attempts after a timeout */
	const char	*sni;		/* --sni for IP targets */
	const char	*alpn;		/* comma-separated ALPN offer, or NULL */
	uint64_t	 seed;		/* target permutation; 0 = random */
	const char	*starttls;	/* "auto" (by port), "none" or a probe */
	const char	*ehlo;		/* SMTP EHLO / client name */
	const char	*xmpp_domain;	/* XMPP stream to= (default: SNI) */
	enum grab_mode	 grab;

	/* GeoIP/ASN: scan, sniff */
	const char	*geoip_city;
	const char	*geoip_asn;

	/* analysis: scan, inspect, sniff */
	const char	*ca_file;
	const char	*ca_dir;
	const char	*policy_path;	/* --policy */
	int		 expiring_days;	/* --expiring-days, 0 = the policy's */
	const char	*intermediates;	/* --intermediates: a PEM pool */
	const char	*crls[CONFIG_MAX_CRLS];
	unsigned	 ncrls;
	int64_t		 at;		/* --at: judge as of; 0 = now */
	int		 fail_on;	/* severity for exit 1, -1 = never */
	const char	*hostname;	/* inspect --hostname */
	const char	*key_path;	/* inspect --key */
	const char	*password_env;	/* inspect --password-env */

	/* scan: more */
	bool		 enumerate;	/* --enum: versions, ciphers, groups */
	bool		 ocsp;		/* --ocsp: live OCSP queries */
	bool		 resume;	/* --resume: finish the last sweep */

	/* report, diff */
	const char	*format;	/* --format html|csv|json|text */
	int64_t		 scan_id;	/* --scan ID, 0 = latest */
	int64_t		 since;		/* --since TIME, 0 = none */
	const char	*output;	/* -o FILE, NULL = stdout */
	const char	*table;		/* --table NAME (csv) */

	/* serve */
	const char	*listen;	/* --listen ADDR:PORT */
	double		 every;		/* --every DURATION (s), 0 = never */

	/* sniff */
	const char	*read_file;	/* -r FILE */
	const char	*iface;		/* -i IFACE */
	const char	*bpf;		/* --bpf EXPR */
	double		 duration;	/* --duration SEC, 0 = until stopped */
	int		 snaplen;	/* --snaplen N */
	const char	*user;		/* --user NAME (drop root to) */
	const char	*emit_targets;	/* --emit-targets FILE */
};

#endif /* CERTSWEEP_CONFIG_H */
