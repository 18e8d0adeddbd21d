/*
 * engine_internal.h: what engine.c and conn.c share.  Nothing else includes
 * this file.
 */
#ifndef CERTSWEEP_ENGINE_INTERNAL_H
#define CERTSWEEP_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <event2/event.h>
#include <event2/dns.h>
#include <openssl/ssl.h>

#include "scanner/engine.h"

struct conn;
LIST_HEAD(conn_list, conn);

struct engine {
	const struct config	*cfg;
	struct targets		*tg;
	struct event_base	*base;
	struct evdns_base	*dns;		/* made at the first hostname */
	SSL_CTX			*ssl_ctx;
	const struct timeval	*step_tmo;	/* common timeout: --timeout */
	struct event		*refill_ev;	/* deferred or delayed refill */
	struct event		*progress_ev;
	struct event		*sig_int, *sig_term;
	struct conn_list	 conns;		/* every live connection */
	unsigned		 inflight;
	unsigned		 max_inflight;
	double			 tokens;	/* --rate bucket */
	double			 last_fill;	/* monotonic seconds */
	double			 paused_until;	/* after EMFILE */
	double			 started;
	bool			 targets_done;
	bool			 stopping;
	engine_sink_fn		 sink;
	void			*sink_arg;
	int			 rc;
	struct engine_stats	 stats;
};

/* Monotonic clock in seconds. */
double	engine_now(void);
/* Starts one connection for t (copied).  Never calls back synchronously
 * into the engine's refill. */
void	conn_start(struct engine *, const struct target *t);
/* Called by conn.c exactly once per connection, with its observation. */
void	engine_conn_done(struct engine *, const struct observation *);
/* Called by conn.c when socket() failed for lack of descriptors. */
void	engine_fd_pressure(struct engine *);
/* The DNS resolver, made on first use; NULL when it cannot be made. */
struct evdns_base *engine_dns(struct engine *);
/* Frees a connection without an observation (shutdown on a signal). */
void	conn_abort(struct conn *);

#endif /* CERTSWEEP_ENGINE_INTERNAL_H */
