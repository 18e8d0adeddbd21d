/*
 * engine.c: the sweep loop.  Pulls targets lazily, keeps a window of
 * connections open per worker (ramp.c: up to max_inflight), meters new
 * connections with a token bucket, prints progress, and stops cleanly on
 * SIGINT/SIGTERM.
 *
 * Workers: event loops, each with its own base and connections
 * (engine_internal.h says what they share).  Worker 0 runs on the calling
 * thread and owns the signal events and the progress line; the others
 * notice a stop through a 100 ms tick.  --threads N starts N at once;
 * without it worker 0 starts alone and its tick starts another, up to one
 * per core, while all that run are CPU-bound (ramp.c, grow_tick()).  Each
 * running worker takes an equal share of --concurrency and --rate.
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
#include "scanner/xmem.h"

#define REFILL_BURST	256	/* connections started per refill callback */
#define FD_RESERVE	64	/* descriptors kept for the database, stdio */
#define MAX_THREADS	64

double
engine_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool
engine_stopping(const struct engine *eng)
{
	return atomic_load(&eng->sh->stopping);
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

/* Every worker is idle and nothing is left to start. */
static bool
engine_all_done(struct engine_shared *sh)
{
	return atomic_load(&sh->inflight) == 0 &&
	    (atomic_load(&sh->targets_done) || atomic_load(&sh->stopping));
}

/* A worker leaves its loop when it is idle for good; worker 0 stays until
 * all are (its tick looks again), so that it can still take signals. */
static void
engine_check_end(struct engine *eng)
{
	if (eng->inflight != 0 ||
	    !(eng->targets_done || engine_stopping(eng)))
		return;
	if (eng->id != 0 || engine_all_done(eng->sh))
		event_base_loopbreak(eng->base);
}

/* Takes a token; when none is left, schedules the next refill. */
static bool
engine_take_token(struct engine *eng)
{
	double rate = eng->rate, now, burst;

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

/* The next target from the shared iterator; false at the end. */
static bool
engine_next_target(struct engine *eng, struct target *t)
{
	struct engine_shared *sh = eng->sh;
	bool got = false;

	pthread_mutex_lock(&sh->tg_lock);
	while (!atomic_load(&sh->targets_done)) {
		got = targets_next(sh->tg, t) == 1;
		if (!got)
			atomic_store(&sh->targets_done, true);
		else if (sh->hooks->skip != NULL &&
		    sh->hooks->skip(sh->hooks->arg, t)) {
			got = false;	/* --resume: recorded already */
			sh->skipped++;
			continue;
		}
		break;
	}
	pthread_mutex_unlock(&sh->tg_lock);
	return got;
}

static void
engine_refill(struct engine *eng)
{
	struct target t;
	unsigned started = 0;
	double now;

	while (!engine_stopping(eng) && !eng->targets_done &&
	    eng->inflight < eng->ramp.window) {
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
		if (!engine_next_target(eng, &t)) {
			eng->targets_done = true;
			break;
		}
		eng->inflight++;
		atomic_fetch_add(&eng->sh->inflight, 1);
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

/* One more connection finished: at the end of a window, adjust it. */
static void
engine_ramp(struct engine *eng)
{
	unsigned was = eng->ramp.window;

	if (ramp_done(&eng->ramp, engine_now()))
		log_debug("worker %u: %.0f endpoints/s with %u in flight; now "
		    "%u", eng->id, eng->ramp.last, was,
		    eng->ramp.window);
}

void
engine_conn_done(struct engine *eng, struct observation *obs)
{
	struct engine_shared *sh = eng->sh;
	const struct engine_hooks *h = sh->hooks;

	engine_ramp(eng);
	eng->inflight--;
	atomic_fetch_sub(&sh->inflight, 1);
	atomic_fetch_add(&sh->done, 1);
	if (obs->status == SCAN_OK)
		atomic_fetch_add(&sh->ok, 1);
	if (h->analyze != NULL && !atomic_load(&sh->stopping))
		h->analyze(h->arg, obs);
	pthread_mutex_lock(&sh->sink_lock);
	if (!atomic_load(&sh->stopping) && h->sink(h->arg, obs) == -1) {
		atomic_store(&sh->stopping, true);
		sh->rc = -1;
	}
	pthread_mutex_unlock(&sh->sink_lock);
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

SSL_CTX *
engine_ssl_ctx(struct engine *eng)
{
	struct engine_shared *sh = eng->sh;
	char err[256];

	pthread_mutex_lock(&sh->ssl_lock);
	if (sh->ssl_ctx == NULL && !sh->ssl_failed &&
	    (sh->ssl_ctx = tls_ctx_new(eng->cfg, err, sizeof(err))) == NULL) {
		sh->ssl_failed = true;
		log_error("%s", err);
	}
	pthread_mutex_unlock(&sh->ssl_lock);
	return sh->ssl_ctx;
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
progress_print(const struct engine_shared *sh, uint64_t total)
{
	double el = engine_now() - sh->started;
	uint64_t done = atomic_load(&sh->done), ok = atomic_load(&sh->ok);
	double rate = el > 0 ? (double)done / el : 0;
	uint64_t left = total > done ? total - done : 0;

	fprintf(stderr, "\r\033[K%llu/%llu endpoints  %.0f/s  ETA %.0f s  "
	    "ok %llu  failed %llu  in flight %u",
	    (unsigned long long)done, (unsigned long long)total, rate,
	    rate > 0 ? (double)left / rate : 0.0, (unsigned long long)ok,
	    (unsigned long long)(done - ok), atomic_load(&sh->inflight));
}

static void
progress_cb(evutil_socket_t fd, short what, void *arg)
{
	struct engine *eng = arg;

	(void)fd;
	(void)what;
	progress_print(eng->sh, targets_total(eng->sh->tg));
}

/* The sink's buffered output, in a lull too. */
static void
engine_flush(struct engine_shared *sh)
{
	const struct engine_hooks *h = sh->hooks;

	if (h->flush == NULL)
		return;
	pthread_mutex_lock(&sh->sink_lock);
	if (!atomic_load(&sh->stopping) && h->flush(h->arg) == -1) {
		atomic_store(&sh->stopping, true);
		sh->rc = -1;
	}
	pthread_mutex_unlock(&sh->sink_lock);
}

/* This worker's share of --concurrency and --rate among active ones. */
static void
engine_share(struct engine *eng, unsigned active)
{
	unsigned cap = eng->sh->inflight_cap;

	eng->share_of = active;
	eng->max_inflight = cap / active + (eng->id < cap % active);
	if (eng->max_inflight == 0)
		eng->max_inflight = 1;
	eng->rate = eng->cfg->rate / active;
	ramp_set_max(&eng->ramp, eng->max_inflight);
}

/* A thread's CPU time in seconds, -1 when it cannot be read. */
static double
thread_cpu(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts) == -1)
		return -1;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The share of the wall time since worker 0 last looked that the least
 * busy running worker spent on the CPU. */
static double
engine_least_busy(struct engine_shared *sh, unsigned active)
{
	double now = engine_now(), least = 1.0;

	for (unsigned i = 0; i < active; i++) {
		struct engine *w = &sh->workers[i];
		double cpu = thread_cpu(w->clock), busy = 0;

		if (cpu >= 0 && w->busy_wall > 0 && now > w->busy_wall)
			busy = (cpu - w->busy_cpu) / (now - w->busy_wall);
		w->busy_cpu = cpu;
		w->busy_wall = now;
		if (busy < least)
			least = busy;
	}
	return least;
}

static void *worker_main(void *);
static int worker_setup(struct engine *, char *, size_t);

/* Worker 0, every tick: one more worker while all are CPU-bound. */
static void
engine_grow(struct engine *eng)
{
	struct engine_shared *sh = eng->sh;
	unsigned active = atomic_load(&sh->active);
	struct engine *w;
	char err[256];

	if (!sh->adaptive || active >= sh->nmax)
		return;
	if (!grow_tick(&sh->grow, engine_least_busy(sh, active), active,
	    sh->nmax) || atomic_load(&sh->targets_done) ||
	    engine_stopping(eng))
		return;
	w = &sh->workers[active];
	if (worker_setup(w, err, sizeof(err)) == -1)
		goto fail;
	atomic_store(&sh->active, active + 1);
	engine_share(w, active + 1);
	engine_share(eng, active + 1);
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		snprintf(err, sizeof(err), "%s", strerror(errno));
		atomic_store(&sh->active, active);
		engine_share(eng, active);
		goto fail;
	}
	w->started = true;
	if (pthread_getcpuclockid(w->thread, &w->clock) != 0)
		w->clock = CLOCK_THREAD_CPUTIME_ID;	/* worker 0's: a stand-in */
	log_debug("%u event loops: the running ones were CPU-bound",
	    active + 1);
	return;
fail:
	log_warn("cannot start another event loop (%s); going on with %u",
	    err, active);
	sh->nmax = active;
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct engine *eng = arg;
	unsigned active = atomic_load(&eng->sh->active);
	unsigned was = eng->ramp.window;

	(void)fd;
	(void)what;
	if (engine_stopping(eng)) {
		event_base_loopbreak(eng->base);
		return;
	}
	if (eng->share_of != active)
		engine_share(eng, active);
	if (eng->id == 0) {
		if (++eng->ticks % 10 == 0)
			engine_flush(eng->sh);
		engine_grow(eng);
	}
	if (ramp_tick(&eng->ramp, engine_now(), eng->inflight)) {
		log_debug("worker %u: %u in flight, all waiting; now %u",
		    eng->id, was, eng->ramp.window);
		engine_schedule_refill(eng, 0);
	}
	engine_check_end(eng);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct engine *eng = arg;

	(void)what;
	log_warn("%s: stopping; results so far are kept",
	    sig == SIGINT ? "interrupted" : "terminated");
	eng->sh->interrupted = true;
	atomic_store(&eng->sh->stopping, true);
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
worker_setup(struct engine *eng, char *err, size_t errlen)
{
	const struct config *cfg = eng->cfg;
	struct timeval tv = {
		.tv_sec = (time_t)cfg->timeout,
		.tv_usec = (suseconds_t)((cfg->timeout -
		    (double)(time_t)cfg->timeout) * 1e6),
	};

	LIST_INIT(&eng->conns);
	if ((eng->base = event_base_new()) == NULL) {
		snprintf(err, errlen, "cannot create the event loop");
		return -1;
	}
	eng->step_tmo = event_base_init_common_timeout(eng->base, &tv);
	eng->refill_ev = evtimer_new(eng->base, refill_cb, eng);
	eng->tick_ev = event_new(eng->base, -1, EV_PERSIST, tick_cb, eng);
	if (eng->step_tmo == NULL || eng->refill_ev == NULL ||
	    eng->tick_ev == NULL) {
		snprintf(err, errlen, "cannot set up the event loop");
		return -1;
	}
	event_add(eng->tick_ev, &(struct timeval){ 0, 100000 });
	if (eng->id != 0)
		return 0;
	eng->sig_int = evsignal_new(eng->base, SIGINT, signal_cb, eng);
	eng->sig_term = evsignal_new(eng->base, SIGTERM, signal_cb, eng);
	if (eng->sig_int == NULL || eng->sig_term == NULL) {
		snprintf(err, errlen, "cannot watch for signals");
		return -1;
	}
	event_add(eng->sig_int, NULL);
	event_add(eng->sig_term, NULL);
	if (cfg->progress) {
		eng->progress_ev = event_new(eng->base, -1, EV_PERSIST,
		    progress_cb, eng);
		if (eng->progress_ev != NULL)
			event_add(eng->progress_ev, &(struct timeval){ 1, 0 });
	}
	return 0;
}

static void
worker_teardown(struct engine *eng)
{
	while (!LIST_EMPTY(&eng->conns))
		conn_abort(LIST_FIRST(&eng->conns));
	conn_spares_free(eng);
	if (eng->dns != NULL)
		evdns_base_free(eng->dns, 0);
	if (eng->progress_ev != NULL) {
		event_free(eng->progress_ev);
		progress_print(eng->sh, targets_total(eng->sh->tg));
		fputc('\n', stderr);
	}
	if (eng->refill_ev != NULL)
		event_free(eng->refill_ev);
	if (eng->tick_ev != NULL)
		event_free(eng->tick_ev);
	if (eng->sig_int != NULL)
		event_free(eng->sig_int);
	if (eng->sig_term != NULL)
		event_free(eng->sig_term);
	if (eng->base != NULL)
		event_base_free(eng->base);
}

static void *
worker_main(void *arg)
{
	struct engine *eng = arg;

	eng->last_fill = engine_now();
	ramp_init(&eng->ramp, eng->max_inflight, eng->last_fill);
	eng->tokens = 1.0;
	engine_refill(eng);
	event_base_dispatch(eng->base);
	return NULL;
}

/* How many workers at most: --threads, else the cores, never more than
 * needed. */
static unsigned
engine_threads(const struct config *cfg, uint64_t total, unsigned inflight)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned n = cfg->threads;

	if (n == 0)
		n = cores > 0 ? (unsigned)cores : 1;
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	if ((uint64_t)n > total / 64 + 1)	/* small sweeps: one loop */
		n = (unsigned)(total / 64 + 1);
	if (n > inflight)
		n = inflight;
	return n > 0 ? n : 1;
}

/* Worker 0, and with --threads all the others at once. */
static int
engine_start_workers(struct engine *w, unsigned n, char *err, size_t errlen)
{
	struct engine_shared *sh = w[0].sh;

	if (sh->adaptive)
		n = 1;
	atomic_store(&sh->active, n);
	for (unsigned i = 0; i < n; i++) {
		engine_share(&w[i], n);
		if (worker_setup(&w[i], err, errlen) == -1)
			return -1;
	}
	if (pthread_getcpuclockid(pthread_self(), &w[0].clock) != 0)
		w[0].clock = CLOCK_THREAD_CPUTIME_ID;
	for (unsigned i = 1; i < n; i++) {
		if (pthread_create(&w[i].thread, NULL, worker_main,
		    &w[i]) != 0) {
			snprintf(err, errlen, "cannot start worker thread %u: "
			    "%s", i, strerror(errno));
			atomic_store(&sh->stopping, true);
			return -1;
		}
		w[i].started = true;
	}
	return 0;
}

int
engine_run(const struct config *cfg, struct targets *tg,
    const struct engine_hooks *hooks, struct engine_stats *stats, char *err,
    size_t errlen)
{
	struct engine_shared sh = {
		.cfg = cfg, .tg = tg, .hooks = hooks,
	};
	struct engine *w = NULL;
	unsigned n = 0, inflight;
	int rc = -1;

	pthread_mutex_init(&sh.tg_lock, NULL);
	pthread_mutex_init(&sh.sink_lock, NULL);
	pthread_mutex_init(&sh.ssl_lock, NULL);
	memset(stats, 0, sizeof(*stats));
	stats->total = targets_total(tg);
	/* Only what can be wrong in the options is checked now: making the
	 * context costs ~1.6 ms, and the raw grab may never need it. */
	if (tls_ctx_check(cfg, err, errlen) == -1)
		goto out;
	inflight = engine_fd_budget(cfg->concurrency);
	n = engine_threads(cfg, stats->total, inflight);
	w = xcalloc(n, sizeof(*w));
	for (unsigned i = 0; i < n; i++)
		w[i] = (struct engine){ .sh = &sh, .cfg = cfg, .id = i };
	sh.workers = w;
	sh.nmax = n;
	sh.adaptive = cfg->threads == 0;
	sh.inflight_cap = inflight;
	sh.started = engine_now();
	if (engine_start_workers(w, n, err, errlen) == -1)
		goto join;
	worker_main(&w[0]);
	rc = sh.rc;
	if (rc == -1)
		snprintf(err, errlen, "the sweep stopped early");
join:
	for (unsigned i = 1; i < n; i++)
		if (w[i].started)
			pthread_join(w[i].thread, NULL);
out:
	for (unsigned i = 0; w != NULL && i < n; i++)
		worker_teardown(&w[i]);
	free(w);
	SSL_CTX_free(sh.ssl_ctx);
	stats->done = atomic_load(&sh.done);
	stats->ok = atomic_load(&sh.ok);
	stats->skipped = sh.skipped;
	stats->elapsed = engine_now() - sh.started;
	stats->interrupted = sh.interrupted;
	pthread_mutex_destroy(&sh.tg_lock);
	pthread_mutex_destroy(&sh.sink_lock);
	pthread_mutex_destroy(&sh.ssl_lock);
	return rc;
}
