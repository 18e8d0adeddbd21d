/*
 * engine_internal.h: what engine.c and conn.c share.  Nothing else includes
 * this file.
 *
 * A sweep runs up to --threads workers (engine.c starts them as the sweep
 * needs them, unless --threads was given).  Each worker is a struct engine with its
 * own event base, resolver, timers and connections; they share one struct
 * engine_shared: the target iterator (under a lock), the SSL_CTX (OpenSSL
 * makes SSL objects from one context safely in many threads), the sink
 * (under a lock, so the store and the writers see one observation at a
 * time) and the counters.
 */
#ifndef CERTSWEEP_ENGINE_INTERNAL_H
#define CERTSWEEP_ENGINE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/event.h>
#include <event2/dns.h>
#include <openssl/ssl.h>

#include "scanner/engine.h"
#include "scanner/ramp.h"

struct conn;
LIST_HEAD(conn_list, conn);

struct engine_shared {
	const struct config	*cfg;
	struct targets		*tg;
	pthread_mutex_t		 tg_lock;
	atomic_bool		 targets_done;	/* set under tg_lock */
	pthread_mutex_t		 ssl_lock;
	SSL_CTX			*ssl_ctx;	/* under ssl_lock, made on first use */
	bool			 ssl_failed;
	const struct engine_hooks *hooks;
	pthread_mutex_t		 sink_lock;
	atomic_bool		 stopping;	/* a signal or the sink */
	atomic_uint_fast64_t	 done, ok;
	uint64_t		 skipped;	/* under tg_lock */
	atomic_uint		 inflight;	/* over all workers */
	bool			 interrupted;
	int			 rc;		/* -1 when the sink stopped */
	double			 started;
	struct engine		*workers;	/* nmax of them */
	unsigned		 nmax;
	atomic_uint		 active;	/* started, from workers[0] on */
	bool			 adaptive;	/* no --threads: start as needed */
	unsigned		 inflight_cap;	/* --concurrency, within the fds */
	struct grow		 grow;		/* worker 0's */
};

struct engine {
	struct engine_shared	*sh;
	const struct config	*cfg;		/* sh->cfg */
	unsigned		 id;		/* worker number, 0 = main */
	pthread_t		 thread;
	struct event_base	*base;
	struct evdns_base	*dns;		/* made at the first hostname */
	const struct timeval	*step_tmo;	/* common timeout: --timeout */
	struct event		*refill_ev;	/* deferred or delayed refill */
	struct event		*tick_ev;	/* watches sh->stopping */
	struct event		*progress_ev;	/* worker 0, on a terminal */
	struct event		*sig_int, *sig_term;	/* worker 0 */
	struct conn_list	 conns;		/* every live connection */
	struct conn		*spare;		/* finished ones, for reuse */
	unsigned		 nspare;
	unsigned		 inflight;
	unsigned		 max_inflight;	/* this worker's --concurrency */
	unsigned		 share_of;	/* active workers it was cut for */
	struct ramp		 ramp;		/* the window within max_inflight */
	unsigned		 ticks;		/* of tick_ev */
	double			 rate;		/* this worker's share */
	double			 tokens;	/* --rate bucket */
	double			 last_fill;	/* monotonic seconds */
	double			 paused_until;	/* after EMFILE */
	bool			 targets_done;
	bool			 started;	/* its thread runs (id > 0) */
	clockid_t		 clock;		/* its thread's CPU clock */
	double			 busy_wall;	/* worker 0's last look at it */
	double			 busy_cpu;
};

/* Monotonic clock in seconds. */
double	engine_now(void);
/* True once the sweep is stopping (signal, sink failure). */
bool	engine_stopping(const struct engine *);
/* Starts one connection for t (copied).  Never calls back synchronously
 * into the engine's refill. */
void	conn_start(struct engine *, const struct target *t);
/* Called by conn.c exactly once per connection, with its observation. */
void	engine_conn_done(struct engine *, struct observation *);
/* Called by conn.c when socket() failed for lack of descriptors. */
void	engine_fd_pressure(struct engine *);
/* The DNS resolver, made on first use; NULL when it cannot be made. */
struct evdns_base *engine_dns(struct engine *);
/* The shared OpenSSL client context, made on first use (the raw grab
 * needs none); NULL when it cannot be made. */
SSL_CTX	*engine_ssl_ctx(struct engine *);
/* Frees a connection without an observation (shutdown on a signal). */
void	conn_abort(struct conn *);
/* Frees the worker's spare connections. */
void	conn_spares_free(struct engine *);

#endif /* CERTSWEEP_ENGINE_INTERNAL_H */
