/*
 * passive.h: finding TLS in reassembled TCP streams by content.
 *
 * Two pure pieces that sit between probes/flow and the TLS parser:
 *  - passive_detect(): do the first bytes of a direction start a TLS
 *    handshake (or an SSLv2 hello)?  Any port.
 *  - the STARTTLS watcher: follows the plaintext of SMTP, IMAP, POP3, FTP,
 *    XMPP and LDAP in both directions, spots the client's request and the
 *    server's go-ahead, and says at which byte of each direction TLS
 *    starts.  Bounded: a few hundred bytes of state, a cap on plaintext.
 */
#ifndef CERTSWEEP_PASSIVE_H
#define CERTSWEEP_PASSIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probes/flow.h"

enum passive_detect {
	PASSIVE_MORE,		/* too few bytes to say */
	PASSIVE_TLS,		/* a TLS handshake record (SSL 3.0 - TLS 1.3) */
	PASSIVE_SSLV2,		/* an SSLv2 CLIENT-HELLO or SERVER-HELLO */
	PASSIVE_NOT_TLS,
	PASSIVE_DETECT__MAX
};

const char	*passive_detect_name(enum passive_detect);
/* Looks at the first bytes of one direction (at least 5 are needed for a
 * yes; fewer can already give a no). */
enum passive_detect passive_detect(const uint8_t *p, size_t len);

/* Plaintext dialogues the watcher understands; names "smtp", ... */
enum passive_proto {
	PASSIVE_PROTO_NONE,	/* not decided / not a STARTTLS dialogue */
	PASSIVE_PROTO_TEXT,	/* a line protocol not yet told apart */
	PASSIVE_PROTO_SMTP,
	PASSIVE_PROTO_IMAP,
	PASSIVE_PROTO_POP3,
	PASSIVE_PROTO_FTP,
	PASSIVE_PROTO_XMPP,
	PASSIVE_PROTO_LDAP,
	PASSIVE_PROTO__MAX
};

const char	*passive_proto_name(enum passive_proto);

/*
 * Which watcher fits a flow, from the server port and the first bytes of
 * one direction: the LDAP and XMPP ports, a text banner or command (any
 * port), an XML stream header, a BER SEQUENCE.  PASSIVE_PROTO_NONE when
 * nothing fits (then the flow is not followed).  Needs at least 4 bytes
 * of first to judge content.
 */
enum passive_proto passive_guess_proto(uint16_t server_port,
		    enum flow_dir d, const uint8_t *first, size_t len);

#define PASSIVE_LINE_MAX	1024	/* longer lines are skipped */
#define PASSIVE_PLAIN_MAX	(32 * 1024)	/* plaintext followed per
						   direction */

enum passive_stls_rc {
	PASSIVE_STLS_MORE,	/* all consumed as plaintext */
	PASSIVE_STLS_TLS,	/* TLS starts at byte *used of this call */
	PASSIVE_STLS_GIVEUP,	/* plaintext cap reached: stop following */
};

struct passive_stls_dir {
	uint8_t		 buf[PASSIVE_LINE_MAX];	/* a line or a BER message */
	size_t		 len;
	bool		 skipping;	/* in an overlong line / message */
	size_t		 skip_left;	/* BER: bytes of the message to skip */
	size_t		 seen;		/* plaintext bytes so far */
	uint8_t		 match;		/* XMPP: pattern bytes matched */
	uint8_t		 xstate;	/* XMPP: element scanner state */
	uint8_t		 prev;		/* XMPP: previous byte */
	bool		 tls;		/* this direction switched */
};

/* One flow's STARTTLS watcher; zero it, then passive_stls_init(). */
struct passive_stls {
	enum passive_proto proto;	/* refined from TEXT by the command */
	int		 state;		/* private */
	char		 tag[32];	/* IMAP tag of STARTTLS */
	char		 banner[256];	/* the server's first line */
	struct passive_stls_dir dir[FLOW_DIR__MAX];
};

void		 passive_stls_init(struct passive_stls *, enum passive_proto);
/*
 * Feeds plaintext of one direction (in stream order; any split).  On
 * PASSIVE_STLS_TLS the bytes from p + *used on, and everything later in
 * this direction, are TLS; do not feed this direction again.  *used is
 * len on the other results.
 */
enum passive_stls_rc passive_stls_feed(struct passive_stls *,
		    enum flow_dir, const uint8_t *p, size_t len,
		    size_t *used);
/* Whether the server said yes to STARTTLS. */
bool		 passive_stls_granted(const struct passive_stls *);

/* ---- flows -> TLS parser -> observations (probes/passive_tls.c) ----- */

struct observation;

/* Zero fields take the defaults. */
struct passive_opts {
	struct flow_limits flow;	/* flow table caps */
	size_t		 max_cert;	/* Certificate message cap; tlswire's
					   default when 0 */
	bool		 no_starttls;	/* do not follow STARTTLS dialogues */
	bool		 dedupe;	/* emit a connection only when it
					   differs from every earlier one:
					   server, SNI, protocol, status, TLS
					   parameters, fingerprints, chain
					   (the first PASSIVE_DEDUPE_MAX
					   distinct ones are remembered) */
};

#define PASSIVE_DEDUPE_MAX	(1u << 20)

struct passive_stats {
	struct flow_stats flow;
	uint64_t	 tls_flows;	/* a direction began with TLS */
	uint64_t	 starttls_flows;	/* upgraded after a go-ahead */
	uint64_t	 client_hellos;
	uint64_t	 server_hellos;
	uint64_t	 observations;	/* emitted */
	uint64_t	 parse_errors;	/* tlswire gave up on a direction */
	uint64_t	 bad_certs;	/* DER that cert.c refused */
	uint64_t	 duplicates;	/* like an earlier connection: not
					   emitted (opts.dedupe) */
};

/*
 * Called once per TLS connection whose server side was seen: when the
 * server's cleartext flight is complete (ServerHelloDone, encryption, an
 * alert) or when the flow ends.  The observation is borrowed for the call
 * (source OBS_PASSIVE, server ip/port, sni, protocol, time of the
 * ServerHello, version, cipher, group, alpn, ja3/ja4 of the ClientHello,
 * ja3s of the ServerHello, chain as sent, banner).  The callee may add to
 * it (findings, facts: the analysis pipeline does); everything it owns
 * is freed with observation_clear() after the call.
 */
typedef void	(*passive_emit_fn)(struct observation *, void *arg);

struct passive;

struct passive	*passive_new(const struct passive_opts *, passive_emit_fn,
		    void *arg);
/* Feeds one decoded TCP segment (pure: no I/O); 0, or -1 when unusable. */
int		 passive_packet(struct passive *, const struct pkt *);
/* End of input: closes every flow, emitting what is pending. */
void		 passive_flush(struct passive *);
void		 passive_get_stats(const struct passive *,
		    struct passive_stats *);
/* Flushes, then frees.  NULL is a no-op. */
void		 passive_free(struct passive *);

#endif /* CERTSWEEP_PASSIVE_H */
