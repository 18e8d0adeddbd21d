/*
 * metrics_rows.h: what the exporter publishes, as plain rows.  db/metrics.c
 * fills them from the database, scanner/serve_probe.c from a live scan and
 * scanner/procself.c from /proc; report/prom.c writes them in the
 * Prometheus text format.  A base header, so that db/ and report/ never
 * include each other.
 *
 * Every string is heap-owned, NUL-terminated and never NULL ("" when
 * absent); metrics_*_free() release them.
 */
#ifndef CERTSWEEP_METRICS_ROWS_H
#define CERTSWEEP_METRICS_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One certificate of the chain an endpoint served. */
struct mrow_cert {
	int		 depth;		/* 0: the leaf */
	char		*serial;
	char		*subject;
	char		*issuer;
	int64_t		 not_before;	/* Unix seconds */
	int64_t		 not_after;
};

/*
 * One endpoint: status of its latest observation; TLS facts and chain of
 * its latest successful one (has_tls false when it never answered).
 */
struct mrow_endpoint {
	char		*endpoint;	/* "192.0.2.7:443", "[::1]:443" */
	char		*sni;
	char		*protocol;
	char		*status;	/* scan_status_name(), latest */
	bool		 has_tls;
	char		*version;
	char		*cipher;
	struct mrow_cert *chain;
	size_t		 chain_len;
};

/* One open finding of an endpoint (one row per endpoint, rule and
 * severity, whatever the number of certificates it is about). */
struct mrow_finding {
	char		*endpoint;
	char		*sni;
	char		*protocol;
	char		*rule;
	char		*severity;
};

/* A count under one or two labels (findings per rule and severity,
 * endpoints per status). */
struct mrow_count {
	char		*a;
	char		*b;		/* "" when one label */
	int64_t		 n;
};

/* The scans table. */
struct mrow_scans {
	int64_t		 total;		/* rows: sweeps started */
	int64_t		 failed;	/* unfinished, a later began */
	bool		 has_success;	/* one has finished */
	int64_t		 last_success;	/* its end, Unix seconds */
	int64_t		 last_duration;	/* its length, seconds */
};

/* The inventory, as /metrics publishes it; rows sorted for a stable
 * output (endpoint, sni, protocol; rule, severity; status). */
struct metrics_inventory {
	struct mrow_endpoint *endpoints;
	size_t		 nendpoints;
	struct mrow_finding *findings;
	size_t		 nfindings;
	struct mrow_count *by_rule;	/* a: rule, b: severity */
	size_t		 nby_rule;
	struct mrow_count *by_status;	/* a: status */
	size_t		 nby_status;
	struct mrow_scans scans;
};

/* The exporter process itself (/proc/self), -1 for what is unknown. */
struct mrow_process {
	double		 start_time;	/* Unix seconds */
	double		 cpu_seconds;	/* user + system */
	int64_t		 resident_bytes;
	int64_t		 virtual_bytes;
	int64_t		 open_fds;
	int64_t		 max_fds;
};

/* The exporter's own counters. */
struct mrow_exporter {
	bool		 db_up;		/* the database was read */
	uint64_t	 sweeps_skipped; /* --every: one was still running */
	uint64_t	 sweeps_failed;	/* --every: failed, no row */
	uint64_t	 probes;	/* /probe requests answered */
	uint64_t	 probes_rejected; /* 503: too many at once */
};

/* One live scan (/probe). */
struct metrics_probe {
	bool		 success;	/* the handshake completed */
	double		 duration;	/* seconds */
	struct mrow_endpoint ep;
	struct mrow_finding *findings;
	size_t		 nfindings;
};

/* "ip:port", with brackets for IPv6. */
char	*metrics_endpoint_name(const char *ip, unsigned port);

void	metrics_endpoint_clear(struct mrow_endpoint *);
void	metrics_finding_clear(struct mrow_finding *);
/* Frees the rows and zeroes *inv. */
void	metrics_inventory_clear(struct metrics_inventory *);
void	metrics_probe_clear(struct metrics_probe *);

#endif /* CERTSWEEP_METRICS_ROWS_H */
