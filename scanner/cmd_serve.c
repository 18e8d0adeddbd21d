/*
 * cmd_serve.c: certsweep serve, the Prometheus exporter (DESIGN.md §7).
 *
 * The command wires three things and waits for SIGINT/SIGTERM:
 *  - the HTTP server (serve_http.c, serve_probe.c) on this thread;
 *  - with --every, a sweep thread: the first sweep at once, then one per
 *    interval, each stored as a scan like `certsweep scan` does; never two
 *    at once (an interval that passes while one still runs is skipped and
 *    counted); a failed sweep is logged and counted, never fatal;
 *  - a thread that waits for the signals with sigwait().  They are blocked
 *    in every thread (the mask is set before any thread starts), so the
 *    engine's own signal events never fire here and several engines (a
 *    sweep, probes) can run at once.  The first signal stops the HTTP loop
 *    and the sweep (it records what it already has and closes the scan);
 *    a second one exits at once.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "scanner/commands.h"
#include "scanner/engine.h"
#include "scanner/log.h"
#include "scanner/pipeline.h"
#include "scanner/serve_internal.h"

#define PROBE_CONCURRENCY	4

struct sweep_ctx {
	struct serve	*s;
	struct pipeline	*pl;
};

static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* libevent's own messages: the "only one base can have signals" warning
 * is expected here (every engine adds its signal events). */
static void
libevent_log(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_ERR)
		log_warn("libevent: %s", msg);
	else
		log_debug("libevent: %s", msg);
}

static void
sweep_analyze(void *arg, struct observation *obs)
{
	struct sweep_ctx *c = arg;

	pipeline_analyze(c->pl, obs);
}

/* Records, then stops the sweep when the exporter is stopping. */
static int
sweep_sink(void *arg, struct observation *obs)
{
	struct sweep_ctx *c = arg;

	if (pipeline_record(c->pl, obs) == -1)
		return -1;
	return atomic_load(&c->s->stopping) ? -1 : 0;
}

/*
 * One sweep.  Failures that leave an unfinished row in the scans table are
 * counted from the database (db/metrics.c); those that leave none (the
 * database cannot be opened, the sweep cannot start) are counted here.
 */
static void
sweep_once(struct serve *s, unsigned n)
{
	struct sweep_ctx c = { .s = s };
	struct engine_hooks hooks = {
		.analyze = sweep_analyze, .sink = sweep_sink, .arg = &c,
	};
	struct engine_stats st;
	char err[512];
	int rc, erc;

	targets_rewind(s->tg);
	c.pl = pipeline_new(&s->sweep_cfg, "active", PIPE_STORE | PIPE_VERIFY,
	    &rc, err, sizeof(err));
	if (c.pl == NULL) {
		log_error("sweep %u: %s", n, err);
		atomic_fetch_add(&s->sweeps_failed, 1);
		return;
	}
	erc = engine_run(&s->sweep_cfg, s->tg, &hooks, &st, err, sizeof(err));
	rc = pipeline_finish(c.pl, st.done, st.ok);
	if (atomic_load(&s->stopping)) {
		log_info("sweep %u: stopped after %llu endpoints", n,
		    (unsigned long long)st.done);
		return;
	}
	if (rc == EXIT_RUNTIME)
		log_error("sweep %u failed; the next one runs as scheduled", n);
	else if (erc == -1) {
		log_error("sweep %u: %s", n, err);
		atomic_fetch_add(&s->sweeps_failed, 1);
	} else
		log_info("sweep %u: %llu endpoints in %.1f s, %llu ok", n,
		    (unsigned long long)st.done, st.elapsed,
		    (unsigned long long)st.ok);
}

/* Sleeps until the monotonic time t or a stop; false when stopping. */
static bool
sweep_wait(struct serve *s, double t)
{
	struct timespec ts;
	double now;

	pthread_mutex_lock(&s->lock);
	while (!atomic_load(&s->stopping) && (now = mono_now()) < t) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (time_t)(t - now);
		ts.tv_nsec += (long)((t - now - (double)(time_t)(t - now)) *
		    1e9);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&s->wake, &s->lock, &ts);
	}
	pthread_mutex_unlock(&s->lock);
	return !atomic_load(&s->stopping);
}

static void *
sweep_main(void *arg)
{
	struct serve *s = arg;
	double every = s->cfg->every, next = mono_now();

	for (unsigned n = 1; sweep_wait(s, next); n++) {
		sweep_once(s, n);
		next += every;
		while (next <= mono_now() && !atomic_load(&s->stopping)) {
			atomic_fetch_add(&s->sweeps_skipped, 1);
			log_warn("a sweep took longer than --every; the next "
			    "interval's sweep is skipped");
			next += every;
		}
	}
	return NULL;
}

static void
serve_stop(struct serve *s)
{
	atomic_store(&s->stopping, true);
	pthread_mutex_lock(&s->lock);
	pthread_cond_broadcast(&s->wake);
	pthread_mutex_unlock(&s->lock);
	event_active(s->stop_ev, EV_TIMEOUT, 0);
}

static void
stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct serve *s = arg;

	(void)fd;
	(void)what;
	event_base_loopbreak(s->base);
}

/* Waits for SIGINT/SIGTERM (blocked everywhere); cancelled at the end. */
static void *
signal_main(void *arg)
{
	struct serve *s = arg;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (atomic_load(&s->stopping)) {
			log_warn("second signal: exiting now");
			_exit(EXIT_INTERRUPTED);
		}
		log_info("%s: stopping (the current sweep closes its scan)",
		    sig == SIGINT ? "interrupted" : "terminated");
		serve_stop(s);
	}
	return NULL;
}

/* The settings of sweeps and probes, from the command's. */
static void
serve_configs(struct serve *s, const struct config *cfg)
{
	s->sweep_cfg = *cfg;
	s->sweep_cfg.progress = false;
	s->probe_cfg = *cfg;
	s->probe_cfg.progress = false;
	s->probe_cfg.json = false;
	s->probe_cfg.threads = 1;
	s->probe_cfg.concurrency = PROBE_CONCURRENCY;
	s->probe_cfg.rate = 0;
	s->probe_cfg.retries = 0;
	/* one target at a time: a modern client's full handshake tells more
	 * (TLS 1.3, its cipher) than the sweep's fast raw grab would */
	if (s->probe_cfg.grab == GRAB_AUTO)
		s->probe_cfg.grab = GRAB_OPENSSL;
}

/* Everything before the loop; returns an exit code, EXIT_OK to go on. */
static int
serve_setup(struct serve *s, const struct config *cfg)
{
	char err[512];
	int rc;

	char host[256];
	uint16_t port;

	serve_configs(s, cfg);
	if (serve_parse_listen(cfg->listen != NULL ? cfg->listen :
	    SERVE_DEFAULT_LISTEN, host, sizeof(host), &port, err,
	    sizeof(err)) == -1) {
		log_error("%s", err);
		return EXIT_USAGE;
	}
	s->judge = pipeline_new(&s->probe_cfg, "active", PIPE_VERIFY, &rc, err,
	    sizeof(err));
	if (s->judge == NULL) {
		log_error("%s", err);
		return rc;
	}
	if ((s->base = event_base_new()) == NULL ||
	    (s->stop_ev = event_new(s->base, -1, 0, stop_cb, s)) == NULL) {
		log_error("cannot create the event loop");
		return EXIT_RUNTIME;
	}
	if (serve_http_start(s, err, sizeof(err)) == -1) {
		log_error("%s", err);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static void
serve_teardown(struct serve *s)
{
	serve_http_stop(s);
	if (s->has_sweeper)
		pthread_join(s->sweeper, NULL);
	if (s->stop_ev != NULL)
		event_free(s->stop_ev);
	if (s->base != NULL)
		event_base_free(s->base);
	if (s->judge != NULL)
		(void)pipeline_finish(s->judge, 0, 0);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
}

static int
serve_threads(struct serve *s, pthread_t *sig_thread, bool *has_sig)
{
	if (pthread_create(sig_thread, NULL, signal_main, s) != 0) {
		log_error("cannot start the signal thread: %s",
		    strerror(errno));
		return -1;
	}
	*has_sig = true;
	if (s->cfg->every > 0) {
		if (pthread_create(&s->sweeper, NULL, sweep_main, s) != 0) {
			log_error("cannot start the sweep thread: %s",
			    strerror(errno));
			return -1;
		}
		s->has_sweeper = true;
	}
	return 0;
}

int
cmd_serve(const struct config *cfg, struct targets *tg)
{
	struct serve s = { .cfg = cfg, .tg = tg };
	pthread_condattr_t ca;
	pthread_t sig_thread;
	bool has_sig = false;
	sigset_t set, old;
	int rc;

	if (evthread_use_pthreads() == -1) {
		log_error("libevent has no thread support");
		return EXIT_RUNTIME;
	}
	event_set_log_callback(libevent_log);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	TAILQ_INIT(&s.jobs);
	pthread_mutex_init(&s.lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s.wake, &ca);
	pthread_condattr_destroy(&ca);
	if ((rc = serve_setup(&s, cfg)) == EXIT_OK) {
		if (serve_threads(&s, &sig_thread, &has_sig) == -1)
			rc = EXIT_RUNTIME;
		else
			event_base_dispatch(s.base);
		serve_stop(&s);
	}
	serve_teardown(&s);
	if (has_sig) {
		pthread_cancel(sig_thread);
		pthread_join(sig_thread, NULL);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
