/*
 * inventory.h: the inventory as read back from the store, in plain
 * structs: what db/query.c fills and what report/'s document writers
 * (html, csv, json, diff) render.  It sits in scanner/ because the layer
 * rule lets db/ and report/ share only scanner/'s base headers.
 *
 * One struct inventory is one view of the database: either the inventory
 * as last seen (every endpoint with its latest observation) or one sweep
 * (the endpoints that sweep observed).  Everything is owned by the
 * inventory and freed by inventory_free().  Text from the database may be
 * NULL (absent) and is untrusted: certificate subjects are attacker data,
 * so every writer escapes for its own format.
 */
#ifndef CERTSWEEP_INVENTORY_H
#define CERTSWEEP_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/record.h"

#define INV_NONE	SIZE_MAX	/* "no such row" for an index */
#define INV_HEX_LEN	65		/* SHA-256, lower-case hex, + NUL */

/* A row of scans. */
struct inv_scan {
	int64_t		 id;
	char		*kind;		/* "active", "passive" */
	int64_t		 started;
	int64_t		 finished;	/* 0 while running or cut short */
	char		*arguments;
	int64_t		 endpoints;	/* attempted, -1 when unknown */
	int64_t		 ok;
};

/* A certificate of some endpoint's chain in the view. */
struct inv_cert {
	char		 sha256[INV_HEX_LEN];
	char		 spki_sha256[INV_HEX_LEN];
	char		*subject;	/* RFC 2253 */
	char		*issuer;
	char		*serial;
	int64_t		 not_before;
	int64_t		 not_after;
	char		*key_type;
	int		 key_bits;
	char		*curve;
	char		*sig_alg;
	char		*eku;
	char		**sans;		/* "DNS:a.example", ... */
	size_t		 nsans;
	bool		 is_ca;
	bool		 self_signed;
	int64_t		 first_seen;
	int64_t		 last_seen;
	size_t		 nendpoints;	/* endpoints in the view serving it */
	size_t		 nleaf;		/* of which as their leaf */
};

/*
 * An endpoint with, in the view, its latest observation (status, reason,
 * time) and its latest "ok" observation (TLS facts and chain).  They are
 * the same observation unless the endpoint no longer answers.
 */
struct inv_endpoint {
	int64_t		 id;		/* endpoints.id: stable across views */
	char		*ip;
	int		 port;
	char		*hostname;
	char		*sni;		/* "" when none was sent */
	char		*protocol;
	int64_t		 first_seen;
	int64_t		 last_seen;
	char		*country;	/* GeoIP/ASN, NULL when unknown */
	char		*city;
	int64_t		 asn;		/* 0 when unknown */
	char		*as_org;
	/* latest observation */
	int64_t		 scan_id;
	int64_t		 time;
	char		*status;	/* scan_status_name() */
	char		*reason;
	/* latest "ok" observation */
	int64_t		 ok_scan_id;
	int64_t		 ok_time;
	char		*version;
	char		*cipher;
	char		*group;
	char		*alpn;
	double		 handshake_ms;
	int64_t		 verify_code;
	char		*verify_reason;
	size_t		*chain;		/* indexes into inventory.certs,
					   leaf first */
	size_t		 chain_len;
	/* findings of the view on this endpoint */
	size_t		 nopen;
	int		 worst;		/* enum severity of the worst open
					   one, -1 when none */
};

/* A finding of the view. */
struct inv_finding {
	int64_t		 id;		/* findings.id: stable across views */
	char		*rule;
	enum severity	 severity;
	size_t		 endpoint;	/* index into inventory.endpoints */
	size_t		 cert;		/* index into inventory.certs, or
					   INV_NONE (endpoint finding or a
					   certificate no longer served) */
	char		 cert_sha256[INV_HEX_LEN];	/* "" for none */
	char		*cert_subject;	/* NULL for none */
	int		 depth;
	char		*detail;
	int64_t		 first_seen;
	int64_t		 last_seen;
	int64_t		 first_scan;
	int64_t		 last_scan;
	bool		 open;		/* in the view: a sweep view shows
					   what that sweep reported */
	int64_t		 resolved_at;	/* 0 unless resolved */
};

/* Counts over the view, filled by inventory_summarize(). */
struct inv_summary {
	size_t		 endpoints;
	size_t		 endpoints_up;	/* latest observation "ok" */
	size_t		 certificates;
	size_t		 leaves;	/* distinct leaf certificates */
	size_t		 expired;	/* certificates past not_after */
	size_t		 expiring_7;	/* not expired, within 7 days */
	size_t		 expiring_30;	/* ... within 30 days (includes 7) */
	size_t		 expiring_90;	/* ... within 90 days (includes 30) */
	size_t		 findings_open;
	size_t		 findings_resolved;
	size_t		 by_severity[SEV__MAX];	/* open findings */
};

struct inventory {
	int64_t		 generated;	/* "now": days left count from it */
	int64_t		 scan_id;	/* the sweep viewed, 0 = last seen */
	int64_t		 since;		/* 0 = no lower bound */
	struct inv_scan	*scans;
	size_t		 nscans;
	struct inv_endpoint *endpoints;
	size_t		 nendpoints;
	struct inv_cert	*certs;
	size_t		 ncerts;
	struct inv_finding *findings;
	size_t		 nfindings;
	struct inv_summary summary;
};

/* Frees what the inventory owns and zeroes it.  NULL is a no-op. */
void	inventory_free(struct inventory *);

/*
 * Fills inv->summary and each endpoint's nopen/worst and each
 * certificate's nendpoints/nleaf from the rows, as of inv->generated.
 */
void	inventory_summarize(struct inventory *);

/* Whole days from now until t, rounded down (negative once past). */
int64_t	inventory_days_left(int64_t now, int64_t t);

#endif /* CERTSWEEP_INVENTORY_H */
