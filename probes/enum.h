/*
 * enum.h: the --enum planner: protocol versions, cipher suites in the
 * server's order, groups, DH size, extension facts, TLS_FALLBACK_SCSV,
 * JA3S and JARM of one endpoint, as a pure state machine over bytes.
 *
 * The engine (scanner/conn.c) runs the plan:
 *
 *	plan = enum_plan_new(&opts);
 *	while (enum_plan_next(plan, out, sizeof(out), &len)) {
 *		connect; STARTTLS preamble if any; send out[0..len);
 *		until enum_plan_input(plan, bytes, n) == ENUM_ATTEMPT_DONE:
 *			read bytes;
 *		on close, reset, timeout or connect failure before that:
 *			enum_plan_eof(plan, timed_out);
 *		close;
 *	}
 *	enum_plan_result(plan, obs);	moves the results into obs->tlsenum
 *	enum_plan_free(plan);
 *
 * Every attempt is one TCP connection that ends after the server's first
 * flight (never a finished handshake: no crypto).  At most ENUM_MAX_ATTEMPTS
 * connections per endpoint; a plan cut short says so (tls_enum.truncated).
 */
#ifndef CERTSWEEP_ENUM_H
#define CERTSWEEP_ENUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/record.h"
#include "scanner/tlsenum.h"

#define ENUM_MAX_ATTEMPTS	120	/* connections per endpoint */
#define ENUM_MAX_TIMEOUTS	3	/* in a row: the server is gone */
#define ENUM_HELLO_MAX		4096	/* enough for any first flight */

/* enum_opts.flags */
#define ENUM_F_JARM		0x01	/* the 10 JARM probes too */

struct enum_opts {
	const char	*sni;		/* server name to send, may be NULL */
	/* numeric address, may be NULL: JARM names the server by it when
	 * there is no SNI, as the reference tool does */
	const char	*addr;
	unsigned	 flags;		/* ENUM_F_* */
};

struct enum_plan;

struct enum_plan *enum_plan_new(const struct enum_opts *);
/* NULL is a no-op. */
void	enum_plan_free(struct enum_plan *);

/*
 * The next attempt's first flight (a ClientHello, or an SSLv2 hello) in
 * out: 1 with *len set; 0 when the enumeration is complete.  Called once
 * per new connection; outlen >= ENUM_HELLO_MAX always suffices.
 */
int	enum_plan_next(struct enum_plan *, uint8_t *out, size_t outlen,
	    size_t *len);

enum enum_rc {
	ENUM_MORE,		/* send more of the server's bytes */
	ENUM_ATTEMPT_DONE,	/* decided: close, then call next */
	ENUM_RC__MAX
};

/* Server bytes of the current attempt, split anywhere. */
enum enum_rc enum_plan_input(struct enum_plan *, const uint8_t *buf,
	    size_t len);

/*
 * The attempt ended without a decision: the server closed or reset, the
 * connection failed, or (timed_out) nothing decisive came in time.
 */
void	enum_plan_eof(struct enum_plan *, bool timed_out);

/*
 * Moves the results into obs->tlsenum (replacing any) and sets obs->jarm
 * (when JARM ran) and obs->ja3s (when empty).  Call after next() returned
 * 0 (earlier: what is known so far, marked truncated).
 */
void	enum_plan_result(struct enum_plan *, struct observation *);

/* Connections used so far. */
unsigned enum_plan_attempts(const struct enum_plan *);

/*
 * JA3S (probes/enum_ja3s.c): MD5 of "version,cipher,ext-ext-..." in
 * decimal, of a ServerHello; out gets 32 lower-case hex digits.
 */
void	enum_ja3s(uint16_t version, uint16_t cipher, const uint16_t *exts,
	    size_t nexts, char out[33]);

#endif /* CERTSWEEP_ENUM_H */
