/*
 * probe.h: the plaintext dialogue that comes before TLS (STARTTLS), as a
 * pure byte state machine.  A probe never sees a socket, an SSL * or the
 * event base: the engine (scanner/conn.c) feeds it bytes and provides the
 * services below, and tests feed it recorded dialogues.
 *
 * Contract: input() may receive the server's stream split anywhere, down to
 * single bytes, and says how much it consumed in *used.  After
 * PROBE_START_TLS the engine starts the TLS handshake; plaintext the server
 * sent after its go-ahead is a finding (STARTTLS injection), recorded and
 * never fed to TLS.
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

/* Services a probe may use (scanner/conn.c; tests/unit/fake_ctx.c). */
int		 probe_send(struct probe_ctx *, const void *, size_t);
int		 probe_sendf(struct probe_ctx *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
enum probe_rc	 probe_fail(struct probe_ctx *, enum scan_status,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
/* Records a fact of the dialogue; key "banner" is the server's greeting
 * (printable ASCII, the first one is kept). */
void		 probe_note(struct probe_ctx *, const char *key,
		    const char *val);
/* The server's name: --xmpp-domain for XMPP, else the SNI, the target's
 * hostname, or its address. */
const char	*probe_server_name(const struct probe_ctx *);
/* Our own name for greetings (SMTP EHLO): --ehlo, else a placeholder. */
const char	*probe_client_name(const struct probe_ctx *);

/* Registry (probes/registry.c). */
const struct probe *probe_find(const char *name);
/* The probe --starttls auto picks for a port: a STARTTLS protocol's
 * well-known port, else plain TLS. */
const struct probe *probe_for_port(uint16_t port);
/* NULL-terminated list of every probe. */
const struct probe *const *probe_list(void);

#endif /* CERTSWEEP_PROBE_H */
