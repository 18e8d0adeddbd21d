/*
 * serve_internal.h: what scanner/cmd_serve.c (the command, signals,
 * scheduled sweeps) and scanner/serve_http.c (evhttp, /metrics, /probe)
 * share.  Nothing else includes this file.
 *
 * Threads: the HTTP loop runs on the calling thread and owns everything
 * under "HTTP thread only"; one thread per running /probe; one sweep thread
 * with --every; one thread that waits for SIGINT/SIGTERM (blocked in every
 * other thread).  They meet through atomics, the event_active() of events
 * on the HTTP base (libevent is built with pthreads locking) and the
 * sweep thread's condition variable.
 */
#ifndef CERTSWEEP_SERVE_INTERNAL_H
#define CERTSWEEP_SERVE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "scanner/config.h"
#include "scanner/targets.h"

#define SERVE_DEFAULT_LISTEN	"127.0.0.1:9655"
#define SERVE_MAX_PROBES	8	/* /probe scans at once, else 503 */
#define SERVE_MAX_CONNS		64	/* HTTP connections at once */
#define SERVE_HTTP_TIMEOUT	10	/* s of silence on a connection */
#define SERVE_MAX_HEADERS	8192	/* request line + headers, bytes */
#define SERVE_MAX_BODY		1024	/* bytes; GET has none */

struct probe_job;
TAILQ_HEAD(probe_jobs, probe_job);

struct serve {
	const struct config	*cfg;
	struct config		 sweep_cfg;	/* cfg, quiet */
	struct config		 probe_cfg;	/* for one endpoint */
	struct targets		*tg;		/* --every's */
	/* /probe: policy and chain verification, no store */
	struct pipeline		*judge;
	struct event_base	*base;
	struct evhttp		*http;
	struct event		*stop_ev;	/* breaks the HTTP loop */
	atomic_bool		 stopping;

	atomic_uint_fast64_t	 sweeps_skipped, sweeps_failed;
	atomic_uint_fast64_t	 probes, probes_rejected;

	/* HTTP thread only */
	unsigned		 nconns;
	unsigned		 nprobes;
	struct probe_jobs	 jobs;

	/* the sweep thread */
	pthread_t		 sweeper;
	bool			 has_sweeper;
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;		/* stopping set */
};

/*
 * Binds cfg->listen and installs the routes.  Returns 0, or -1 with the
 * reason in err (bad address, port in use).
 */
int	serve_http_start(struct serve *, char *err, size_t errlen);
/*
 * After the loop ended: answers every /probe still waiting with 503, frees
 * the HTTP server, then waits for the probe threads (each ends within its
 * own deadline) and frees them.
 */
void	serve_http_stop(struct serve *);

struct evhttp_request;

/* Sends a complete reply (HTTP thread); body of len bytes, copied. */
void	serve_reply(struct evhttp_request *, int code, const char *reason,
	    const char *ctype, const char *body, size_t len);

/* /probe?target=host:port[&module=NAME] (serve_probe.c). */
void	serve_probe(struct serve *, struct evhttp_request *);
/* Answers every waiting /probe with 503 (shutdown). */
void	serve_probe_abort_all(struct serve *);
/* Joins and frees every probe thread (after the HTTP server is gone). */
void	serve_probe_reap_all(struct serve *);

/* Splits "127.0.0.1:9655", "[::1]:9655" or "localhost:9655".  Returns 0,
 * or -1 with the reason in err. */
int	serve_parse_listen(const char *spec, char *host, size_t hostlen,
	    uint16_t *port, char *err, size_t errlen);
/* True for 127.0.0.0/8, ::1 and "localhost". */
bool	serve_is_loopback(const char *host);

#endif /* CERTSWEEP_SERVE_INTERNAL_H */
