/*
 * engine.c: the sweep loop.  Pulls targets lazily, keeps at most
 * max_inflight connections open, meters new connections with a token bucket,
 * prints progress, and stops cleanly on SIGINT/SIGTERM.
 *
 * Refill never runs inside a connection's callback: a finished connection
 * only activates refill_ev, so a run of instant failures (refused ports)
 * cannot recurse.
 */
#include "scanner/engine.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <event2/dns.h>

#include "scanner/engine_internal.h"
#include "scanner/log.h"
#include "scanner/tls.h"

#define REFILL_BURST	256	/* connections started per refill callback */
#define FD_RESERVE	64	/* descriptors kept for the database, stdio */

double
engine_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
engine_schedule_refill(struct engine *eng, double delay)
{
	struct timeval tv = {
		.tv_sec = (time_t)delay,
		.tv_usec = (suseconds_t)((delay - (double)(time_t)delay) * 1e6),
	};

	if (delay <= 0)
		event_active(eng->refill_ev, EV_TIMEOUT, 0);
	else
		event_add(eng->refill_ev, &tv);
}

static void
engine_check_end(struct engine *eng)
{
	if ((eng->targets_done || eng->stopping) && eng->inflight == 0)
		event_base_loopbreak(eng->base);
}

/* Takes a token; when none is left, schedules the next refill. */
static bool
engine_take_token(struct engine *eng)
{
	double rate = eng->cfg->rate, now, burst;

	if (rate <= 0)
		return true;
	now = engine_now();
	burst = rate / 100.0 > 1.0 ? rate / 100.0 : 1.0;
	eng->tokens += (now - eng->last_fill) * rate;
	if (eng->tokens > burst)
		eng->tokens = burst;
	eng->last_fill = now;
	if (eng->tokens < 1.0) {
		engine_schedule_refill(eng, (1.0 - eng->tokens) / rate);
		return false;
	}
	eng->tokens -= 1.0;
	return true;
}

static void
engine_refill(struct engine *eng)
{
	struct target t;
	unsigned started = 0;
	double now;

	while (!eng->stopping && !eng->targets_done &&
	    eng->inflight < eng->max_inflight) {
		now = engine_now();
		if (now < eng->paused_until) {
			engine_schedule_refill(eng, eng->paused_until - now);
			break;
		}
		if (started == REFILL_BURST) {
			engine_schedule_refill(eng, 0);	/* let I/O run */
			break;
		}
		if (!engine_take_token(eng))
			break;
		if (targets_next(eng->tg, &t) != 1) {
			eng->targets_done = true;
			break;
		}
		eng->inflight++;
		started++;
		conn_start(eng, &t);
	}
	engine_check_end(eng);
}

static void
refill_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	engine_refill(arg);
}

void
engine_conn_done(struct engine *eng, const struct observation *obs)
{
	eng->inflight--;
	eng->stats.done++;
	if (obs->status == SCAN_OK)
		eng->stats.ok++;
	if (!eng->stopping && eng->sink(eng->sink_arg, obs) == -1) {
		eng->stopping = true;
		eng->rc = -1;
		event_base_loopbreak(eng->base);
	}
	if (!event_pending(eng->refill_ev, EV_TIMEOUT, NULL))
		engine_schedule_refill(eng, 0);
}

void
engine_fd_pressure(struct engine *eng)
{
	eng->paused_until = engine_now() + 0.1;
	log_debug("out of file descriptors at %u connections; pausing",
	    eng->inflight);
}

struct evdns_base *
engine_dns(struct engine *eng)
{
	if (eng->dns == NULL) {
		char tmo[32];

		eng->dns = evdns_base_new(eng->base,
		    EVDNS_BASE_INITIALIZE_NAMESERVERS |
		    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
		if (eng->dns == NULL)
			return NULL;
		snprintf(tmo, sizeof(tmo), "%g", eng->cfg->timeout);
		evdns_base_set_option(eng->dns, "timeout", tmo);
		evdns_base_set_option(eng->dns, "attempts", "2");
	}
	return eng->dns;
}

static void
progress_cb(evutil_socket_t fd, short what, void *arg)
{
	struct engine *eng = arg;
	double el = engine_now() - eng->started;
	double rate = el > 0 ? (double)eng->stats.done / el : 0;
	uint64_t left = eng->stats.total > eng->stats.done ?
	    eng->stats.total - eng->stats.done : 0;

	(void)fd;
	(void)what;
	fprintf(stderr, "\r\033[K%llu/%llu endpoints  %.0f/s  ETA %.0f s  "
	    "ok %llu  failed %llu  in flight %u",
	    (unsigned long long)eng->stats.done,
	    (unsigned long long)eng->stats.total, rate,
	    rate > 0 ? (double)left / rate : 0.0,
	    (unsigned long long)eng->stats.ok,
	    (unsigned long long)(eng->stats.done - eng->stats.ok),
	    eng->inflight);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct engine *eng = arg;

	(void)what;
	log_warn("%s: stopping; results so far are kept",
	    sig == SIGINT ? "interrupted" : "terminated");
	eng->stopping = true;
	eng->stats.interrupted = true;
	event_base_loopbreak(eng->base);
}

/* Raises the soft open-files limit to the hard one; caps concurrency. */
static unsigned
engine_fd_budget(unsigned want)
{
	struct rlimit rl;
	rlim_t avail;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return want;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > FD_RESERVE + want)
		return want;
	avail = rl.rlim_cur > 2 * FD_RESERVE ? rl.rlim_cur - FD_RESERVE : 1;
	log_warn("--concurrency %u is more than this process may open "
	    "(open-files limit %llu); using %llu (raise 'ulimit -Hn' for more)",
	    want, (unsigned long long)rl.rlim_cur, (unsigned long long)avail);
	return (unsigned)avail;
}

static int
engine_setup(struct engine *eng, char *err, size_t errlen)
{
	struct timeval tv = {
		.tv_sec = (time_t)eng->cfg->timeout,
		.tv_usec = (suseconds_t)((eng->cfg->timeout -
		    (double)(time_t)eng->cfg->timeout) * 1e6),
	};

	if ((eng->ssl_ctx = tls_ctx_new(eng->cfg, err, errlen)) == NULL)
		return -1;
	if ((eng->base = event_base_new()) == NULL) {
		snprintf(err, errlen, "cannot create the event loop");
		return -1;
	}
	eng->step_tmo = event_base_init_common_timeout(eng->base, &tv);
	eng->refill_ev = evtimer_new(eng->base, refill_cb, eng);
	eng->sig_int = evsignal_new(eng->base, SIGINT, signal_cb, eng);
	eng->sig_term = evsignal_new(eng->base, SIGTERM, signal_cb, eng);
	if (eng->step_tmo == NULL || eng->refill_ev == NULL ||
	    eng->sig_int == NULL || eng->sig_term == NULL) {
		snprintf(err, errlen, "cannot set up the event loop");
		return -1;
	}
	event_add(eng->sig_int, NULL);
	event_add(eng->sig_term, NULL);
	if (eng->cfg->progress) {
		eng->progress_ev = event_new(eng->base, -1, EV_PERSIST,
		    progress_cb, eng);
		if (eng->progress_ev != NULL)
			event_add(eng->progress_ev, &(struct timeval){ 1, 0 });
	}
	return 0;
}

static void
engine_teardown(struct engine *eng)
{
	while (!LIST_EMPTY(&eng->conns))
		conn_abort(LIST_FIRST(&eng->conns));
	if (eng->dns != NULL)
		evdns_base_free(eng->dns, 0);
	if (eng->progress_ev != NULL) {
		event_free(eng->progress_ev);
		progress_cb(-1, 0, eng);
		fputc('\n', stderr);
	}
	if (eng->refill_ev != NULL)
		event_free(eng->refill_ev);
	if (eng->sig_int != NULL)
		event_free(eng->sig_int);
	if (eng->sig_term != NULL)
		event_free(eng->sig_term);
	if (eng->base != NULL)
		event_base_free(eng->base);
	SSL_CTX_free(eng->ssl_ctx);
}

int
engine_run(const struct config *cfg, struct targets *tg, engine_sink_fn sink,
    void *arg, struct engine_stats *stats, char *err, size_t errlen)
{
	struct engine eng = {
		.cfg = cfg,
		.tg = tg,
		.sink = sink,
		.sink_arg = arg,
	};

	LIST_INIT(&eng.conns);
	eng.stats.total = targets_total(tg);
	if (engine_setup(&eng, err, errlen) == -1) {
		engine_teardown(&eng);
		return -1;
	}
	eng.max_inflight = engine_fd_budget(cfg->concurrency);
	eng.started = eng.last_fill = engine_now();
	eng.tokens = 1.0;
	engine_refill(&eng);
	if (!(eng.targets_done && eng.inflight == 0))
		event_base_dispatch(eng.base);
	eng.stats.elapsed = engine_now() - eng.started;
	engine_teardown(&eng);
	*stats = eng.stats;
	if (eng.rc == -1)
		snprintf(err, errlen, "the sweep stopped early");
	return eng.rc;
}
