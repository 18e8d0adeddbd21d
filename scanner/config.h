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
};

#define CONFIG_DEFAULT_CONCURRENCY	1000
#define CONFIG_DEFAULT_TIMEOUT		5.0
#define CONFIG_DEFAULT_DB		"certsweep.db"

struct config {
	const char	*command;	/* "scan", ... */
	const char	*db_path;	/* --db, $CERTSWEEP_DB or certsweep.db */
	bool		 json;		/* --json: JSON lines on stdout */
	bool		 progress;	/* stderr is a terminal and not -q */
	bool		 dry_run;	/* --dry-run: print targets, no traffic */
	unsigned	 concurrency;	/* connections in flight */
	unsigned	 threads;	/* event loops; 0 = one per core */
	double		 rate;		/* new connections per second, 0 = no cap */
	double		 timeout;	/* seconds per step */
	unsigned	 retries;	/* extra attempts after a timeout */
	const char	*sni;		/* --sni for IP targets */
	const char	*ca_file;
	const char	*ca_dir;
	const char	*alpn;		/* comma-separated ALPN offer, or NULL */
	uint64_t	 seed;		/* target permutation; 0 = random */
	const char	*starttls;	/* "auto" (by port), "none" or a probe */
	const char	*ehlo;		/* SMTP EHLO / client name */
	const char	*xmpp_domain;	/* XMPP stream to= (default: SNI) */
	char		*arguments;	/* the command line, for the scans table */
};

#endif /* CERTSWEEP_CONFIG_H */
