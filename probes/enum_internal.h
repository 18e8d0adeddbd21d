/*
 * enum_internal.h: the planner's state, shared by probes/enum.c (the
 * state machine), enum_hello.c (what each attempt offers) and
 * enum_result.c (from state to struct tls_enum).  Not part of the API.
 */
#ifndef CERTSWEEP_ENUM_INTERNAL_H
#define CERTSWEEP_ENUM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probes/enum.h"
#include "probes/jarm.h"
#include "probes/tlswire.h"

#define ENUM_MAX_CAND	TLSWIRE_MAX_CIPHERS	/* suites in one offer */
#define ENUM_MAX_PICKS	128	/* accepted suites kept per version */
#define ENUM_MAX_GROUPS	48
#define ENUM_MAX_EXTS	32
#define ENUM_MAX_BYTES	(512 * 1024)	/* per attempt, then decide */
#define ENUM_PREF_INFER	4	/* picks that tell client order alone */

/* What an attempt is for. */
enum step_kind {
	STEP_NONE,
	STEP_SSL2,		/* SSLv2 CLIENT-HELLO */
	STEP_STD,		/* standard hello: TLS 1.3 + 1.2, key share */
	STEP_CIPHERS,		/* the next suite of a version (probe at 0) */
	STEP_PREF,		/* two suites in reverse: whose order counts */
	STEP_CURVES,		/* TLS <= 1.2 ECDHE curves */
	STEP_FALLBACK,		/* TLS_FALLBACK_SCSV below the best version */
	STEP_JARM,
	STEP__MAX
};

/* TLS 1.3 mode of the next cipher/group attempt (see enum.c). */
enum t13_mode {
	T13_BOTH,		/* remaining suites, remaining groups */
	T13_GROUPS,		/* known suites, remaining groups */
	T13_SUITES,		/* remaining suites, known groups */
	T13__MAX
};

/* One version's chain: suites found, in the order found. */
struct vchain {
	bool		 started;	/* a step answered with this version */
	bool		 done;
	bool		 pref_done;	/* preference settled (or not needed) */
	int8_t		 server_order;
	uint16_t	 picks[ENUM_MAX_PICKS];
	bool		 reversed[ENUM_MAX_PICKS];	/* offer order used */
	unsigned	 dh_bits[ENUM_MAX_PICKS];
	uint16_t	 curve[ENUM_MAX_PICKS];
	size_t		 npicks;
	/* TLS 1.3 only */
	enum t13_mode	 mode;
	bool		 cdone, gdone;
	size_t		 nsteps;	/* cipher steps, for the offer order */
};

/* The server's answer to the current attempt. */
struct resp {
	bool		 sh;		/* ServerHello (or HRR) */
	bool		 hrr;
	uint16_t	 legacy, version, cipher, group;
	uint8_t		 comp;
	bool		 reneg, ems, etm, ticket, status, hb;
	char		 alpn[64];
	uint16_t	 exts[ENUM_MAX_EXTS];
	size_t		 nexts;
	bool		 ske;
	uint16_t	 curve;
	unsigned	 dh_bits;
	bool		 cert_status;
	bool		 alert;		/* fatal alert (or close_notify) */
	uint8_t		 alert_desc;
	bool		 v2;		/* SSLv2 SERVER-HELLO */
	uint32_t	 v2specs[16];
	size_t		 nv2specs;
	size_t		 bytes;
};

/* What the current attempt offered, to judge the answer against. */
struct offer {
	enum step_kind	 kind;
	int		 ver;		/* enum tlsenum_ver */
	unsigned	 jarm;		/* STEP_JARM: probe index */
	uint16_t	 suites[ENUM_MAX_CAND];
	size_t		 nsuites;
	uint16_t	 groups[ENUM_MAX_GROUPS];
	size_t		 ngroups;
	bool		 deflate;	/* compression offered */
	bool		 exts;		/* TLS extensions offered */
	bool		 reversed;	/* suites in descending order */
	/* TLS 1.3: which lists were the remaining (unknown) ones */
	enum t13_mode	 mode;
	bool		 crem, grem;
};

struct enum_plan {
	struct enum_opts opts;
	char		 sni[256];
	char		 addr[64];
	uint8_t		 random[32];
	struct jarm_rand jrand;
	/* candidate suites, computed once (the name table is parsed) */
	uint16_t	 cand12[ENUM_MAX_CAND];
	size_t		 ncand12;
	uint16_t	 cand13[16];
	size_t		 ncand13;
	/* the current attempt */
	bool		 in_attempt;
	struct offer	 off;
	struct tlswire_parser parser;
	struct tlswire_events ev;
	struct resp	 r;
	/* progress */
	unsigned	 attempts;
	unsigned	 timeouts;	/* in a row */
	unsigned	 empty;		/* attempts with no byte, while none
					   ever had one */
	bool		 any_bytes;
	bool		 stopped;	/* cut short: see note */
	bool		 finished;
	bool		 ssl2_done, std_done, curves_done, fallback_done;
	unsigned	 jarm_next;	/* next JARM probe; JARM_PROBES: done */
	bool		 jarm_dead;	/* a JARM probe timed out */
	struct jarm_answer jarm[JARM_PROBES];
	uint8_t		 jarm_alert[JARM_PROBES];	/* fatal alert, or 0 */
	/* findings */
	int8_t		 supported[TLSENUM_VER__MAX];
	struct vchain	 ch[TLSENUM_VER__MAX];
	uint32_t	 ssl2_specs[16];
	size_t		 nssl2_specs;
	uint16_t	 groups[ENUM_MAX_GROUPS];
	size_t		 ngroups;
	bool		 groups13;
	unsigned	 dh_min;
	int8_t		 reneg, comp, ocsp, ticket, fallback, hb, ems, etm;
	char		 alpn[32];
	char		 ja3s[33];
	char		 note[128];
};

/* Candidate lists (enum_hello.c). */
size_t	enum_cand_tls12(uint16_t *out, size_t max);
size_t	enum_cand_tls13(uint16_t *out, size_t max);
size_t	enum_groups13(uint16_t *out, size_t max);
size_t	enum_curves12(uint16_t *out, size_t max);
uint16_t enum_ver_wire(int ver);
int	enum_ver_index(uint16_t wire);	/* -1 when not SSLv3..TLS 1.3 */
bool	enum_list_has(const uint16_t *, size_t, uint16_t);

/*
 * Writes the hello for p->off (filled by the caller) into out: 0 and
 * *len, or -1.
 */
int	enum_build(const struct enum_plan *, uint8_t *out, size_t outlen,
	    size_t *len);

/* Picks the next attempt into p->off; false when nothing is left
 * (enum_steps.c). */
bool	enum_choose(struct enum_plan *);
/* Learns from p->r, the answer to p->off (timed_out: none came). */
void	enum_outcome(struct enum_plan *, bool timed_out);

/* The order a version's suites were found in says whose order counts:
 * 1 server, 0 client, -1 cannot tell (fewer than two suites, or a
 * preference attempt is needed). */
int	enum_infer_order(const struct enum_plan *, int ver);

#endif /* CERTSWEEP_ENUM_INTERNAL_H */
