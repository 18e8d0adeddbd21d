/*
 * probe.h: the plaintext dialogue that comes before TLS (STARTTLS), as a
 * pure byte state machine.  A probe never sees a socket, an SSL * or the
 * event base: the engine (scanner/conn.c) feeds it bytes and provides the
 * services below, and tests feed it recorded dialogues.
 *
 * Contract:
 *  - The engine zero-allocates state_size bytes, calls start() once after
 *    TCP connect (if set), then input() with every chunk the server sends
 *    until the probe returns something other than PROBE_MORE.  It never
 *    calls the probe again after that, except cleanup().
 *  - input() may receive the server's stream split anywhere, down to single
 *    bytes, and says how much it consumed in *used.  On PROBE_MORE it has
 *    consumed everything (*used == len) and keeps what it needs, bounded,
 *    in its state.
 *  - On PROBE_START_TLS, *used counts the bytes up to and including the
 *    server's go-ahead.  If *used < len, the server pipelined plaintext
 *    after its go-ahead: that is a finding (starttls.injection), recorded
 *    and never fed to TLS.  The engine starts the TLS handshake on the same
 *    connection, after flushing what the probe sent (MySQL sends its
 *    SSLRequest in the very call that returns PROBE_START_TLS).
 *  - A probe never learns of EOF or timeouts: the engine ends the dialogue
 *    itself (SCAN_CLOSED, SCAN_IO_TIMEOUT) and calls cleanup().
 *  - On PROBE_FAIL the probe has called probe_fail() exactly once; *used is
 *    meaningless.  PROBE_DONE: finished without TLS (no probe uses it yet).
 *  - A probe sends only from start() and input(), and only through
 *    probe_send()/probe_sendf(); the engine queues the bytes in order.
 */
#ifndef CERTSWEEP_PROBE_H
#define CERTSWEEP_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/record.h"

enum probe_rc {
	PROBE_MORE,		/* need more input */
	PROBE_START_TLS,	/* begin the TLS handshake now */
	PROBE_DONE,		/* finished without TLS */
	PROBE_FAIL,		/* status and reason set via probe_fail() */
};

#define PROBE_IMPLICIT_TLS	0x1	/* TLS from the first byte */

/* Longest server text a probe quotes in a reason or a note. */
#define PROBE_TEXT_MAX		160

struct probe_ctx;

struct probe {
	const char	*name;		/* CLI and database name: "tls", "smtp" */
	uint16_t	 port;		/* default port, for --starttls auto */
	unsigned	 flags;
	size_t		 state_size;	/* engine zero-allocates per connection */
	/* Optional: first move after TCP connect (send a greeting, or wait). */
	enum probe_rc	(*start)(struct probe_ctx *, void *state);
	/* Required unless PROBE_IMPLICIT_TLS: consume server bytes. */
	enum probe_rc	(*input)(struct probe_ctx *, void *state,
			    const uint8_t *buf, size_t len, size_t *used);
	/* Optional: free what state holds. */
	void		(*cleanup)(void *state);
};

/*
 * Services a probe may use.  The real ones live in scanner/conn.c, the test
 * ones in tests/unit/fake_ctx.c; the library under probes/ never defines
 * them.
 */
/* Queue bytes for the server; 0, or -1 when the connection is gone (the
 * probe may ignore it: the engine ends the connection itself). */
int		 probe_send(struct probe_ctx *, const void *, size_t);
int		 probe_sendf(struct probe_ctx *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
/* Record the outcome (SCAN_STARTTLS_REFUSED or SCAN_PROTOCOL_ERROR) and a
 * reason for people; returns PROBE_FAIL so a probe can
 * "return probe_fail(...)".  The engine copies and truncates the reason
 * into observation.reason (256 bytes); probes quote server words already
 * sanitised to printable ASCII and cut to PROBE_TEXT_MAX. */
enum probe_rc	 probe_fail(struct probe_ctx *, enum scan_status,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
/* The name to present: SNI, and the name an SMTP probe puts in EHLO or an
 * XMPP probe in to='...'.  The engine returns --ehlo's value to "smtp" and
 * --xmpp-domain's to "xmpp"/"xmpp-server" when given, else the target's
 * host name.  NULL or "" when there is none (IP targets). */
const char	*probe_server_name(const struct probe_ctx *);
/* A fact about the service, for the observation's notes: key is a static
 * string ("banner", "capabilities", "server-version", ...), val is
 * printable ASCII, at most PROBE_TEXT_MAX bytes; both are borrowed for the
 * call only (the engine copies).  A probe notes each key at most once. */
void		 probe_note(struct probe_ctx *, const char *key,
		    const char *val);

/* Registry (probes/registry.c). */
const struct probe *probe_find(const char *name);
/* The probe --starttls auto picks for a port: the STARTTLS protocol or
 * implicit-TLS service ("imaps", flags PROBE_IMPLICIT_TLS) registered for
 * it, else "tls". */
const struct probe *probe_for_port(uint16_t port);
/* NULL-terminated list of every probe. */
const struct probe *const *probe_list(void);

#endif /* CERTSWEEP_PROBE_H */
