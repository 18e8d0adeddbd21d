/*
 * serve_probe.c: /probe?target=host:port[&module=NAME], a live scan of one
 * endpoint per request (the multi-target exporter pattern of
 * blackbox_exporter), with the sweep's engine, chain verification and
 * policy.  Nothing is written to the database: a probe answers with what
 * it saw and forgets it (so cert.changed and cert.shared_key, which need
 * history, are not judged here).
 *
 * The scan must not block the HTTP loop: each probe runs engine_run() in
 * its own thread (at most SERVE_MAX_PROBES at once, else 503).  The thread
 * fills the job's rows, then activates the job's done event on the HTTP
 * base; the reply is sent from there.  A deadline event on the HTTP base
 * answers probe_success 0 if the scan is not back in time (the thread then
 * finishes on its own per-step deadlines and the job is freed when it is
 * done).  The time allowed is min(X-Prometheus-Scrape-Timeout-Seconds less
 * a margin, --timeout * 3); each step of the scan gets a third of it at
 * most.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "probes/probe.h"
#include "report/prom.h"
#include "scanner/engine.h"
#include "scanner/log.h"
#include "scanner/pipeline.h"
#include "scanner/serve_internal.h"
#include "scanner/xmem.h"

#define SCRAPE_MARGIN	0.5	/* seconds kept to send the answer */

struct probe_job {
	TAILQ_ENTRY(probe_job)	 entry;
	struct serve		*s;
	struct evhttp_request	*req;	/* NULL once answered */
	struct config		 cfg;	/* this scan's settings */
	struct targets		*tg;
	struct event		*done_ev, *deadline_ev;
	pthread_t		 thread;
	bool			 started;	/* thread is joinable */
	double			 t0;		/* monotonic */
	/* written by the thread before done_ev, read after */
	bool			 got;	/* the sink saw the endpoint */
	struct metrics_probe	 res;
};

static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Observation -> rows (the thread; the observation is borrowed). */
static void
probe_rows(const struct observation *o, struct metrics_probe *r)
{
	struct mrow_endpoint *e = &r->ep;
	const char *st = scan_status_name(o->status);

	e->endpoint = o->ip[0] != '\0' ?
	    metrics_endpoint_name(o->ip, o->port) :
	    xasprintf("%s:%u", o->hostname, o->port);
	e->sni = xstrdup(o->sni);
	e->protocol = xstrdup(o->protocol != NULL ? o->protocol : "");
	e->status = xstrdup(st != NULL ? st : "internal-error");
	r->success = o->status == SCAN_OK;
	e->has_tls = r->success;
	e->version = xstrdup(r->success ? o->version : "");
	e->cipher = xstrdup(r->success ? o->cipher : "");
	if (r->success && o->chain_len > 0) {
		e->chain = xcalloc(o->chain_len, sizeof(*e->chain));
		for (size_t i = 0; i < o->chain_len; i++) {
			const struct cert_record *c = &o->chain[i];

			e->chain[i] = (struct mrow_cert){
				.depth = (int)i,
				.serial = xstrdup(c->serial ? c->serial : ""),
				.subject = xstrdup(c->subject ?
				    c->subject : ""),
				.issuer = xstrdup(c->issuer ? c->issuer : ""),
				.not_before = c->not_before,
				.not_after = c->not_after,
			};
		}
		e->chain_len = o->chain_len;
	}
	r->findings = xcalloc(o->nfindings + 1, sizeof(*r->findings));
	for (size_t i = 0; i < o->nfindings; i++) {
		const char *sev = severity_name(o->findings[i].severity);
		bool dup = false;

		/* One series per rule: a rule may hit several depths. */
		for (size_t j = 0; j < r->nfindings && !dup; j++)
			dup = strcmp(r->findings[j].rule,
			    o->findings[i].rule) == 0 &&
			    strcmp(r->findings[j].severity, sev) == 0;
		if (dup)
			continue;
		r->findings[r->nfindings++] = (struct mrow_finding){
			.endpoint = xstrdup(e->endpoint),
			.sni = xstrdup(e->sni),
			.protocol = xstrdup(e->protocol),
			.rule = xstrdup(o->findings[i].rule),
			.severity = xstrdup(sev != NULL ? sev : "info"),
		};
	}
}

static void
probe_analyze(void *arg, struct observation *o)
{
	struct probe_job *j = arg;

	pipeline_analyze(j->s->judge, o);
}

static int
probe_sink(void *arg, struct observation *o)
{
	struct probe_job *j = arg;

	if (!j->got) {
		j->got = true;
		probe_rows(o, &j->res);
	}
	return 0;
}

static void *
probe_main(void *arg)
{
	struct probe_job *j = arg;
	struct engine_hooks hooks = {
		.analyze = probe_analyze, .sink = probe_sink, .arg = j,
	};
	struct engine_stats st;
	char err[512];

	if (engine_run(&j->cfg, j->tg, &hooks, &st, err, sizeof(err)) == -1)
		log_debug("/probe: %s", err);
	j->res.duration = mono_now() - j->t0;
	event_active(j->done_ev, EV_TIMEOUT, 0);
	return NULL;
}

static void
answer(struct probe_job *j, const struct metrics_probe *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL || prom_write_probe(f, r) == -1) {
		if (f != NULL)
			fclose(f);
		serve_reply(j->req, 500, "Internal Server Error",
		    "text/plain", "error\n", 6);
	} else {
		fclose(f);
		serve_reply(j->req, 200, "OK", PROM_CONTENT_TYPE, text, len);
	}
	free(text);
	j->req = NULL;
	atomic_fetch_add(&j->s->probes, 1);
}

static void
job_free(struct probe_job *j)
{
	if (j->done_ev != NULL)
		event_free(j->done_ev);
	if (j->deadline_ev != NULL)
		event_free(j->deadline_ev);
	targets_free(j->tg);
	metrics_probe_clear(&j->res);
	free(j);
}

/* The thread is done (HTTP thread). */
static void
done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct probe_job *j = arg;
	struct serve *s = j->s;

	(void)fd;
	(void)what;
	pthread_join(j->thread, NULL);
	j->started = false;
	if (j->req != NULL)
		answer(j, &j->res);
	TAILQ_REMOVE(&s->jobs, j, entry);
	s->nprobes--;
	job_free(j);
}

/* Out of time: probe_success 0 now; the job goes when its thread ends. */
static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct probe_job *j = arg;
	struct metrics_probe r = { .duration = mono_now() - j->t0 };

	(void)fd;
	(void)what;
	if (j->req != NULL)
		answer(j, &r);
}

/* Seconds this probe may take. */
static double
probe_budget(const struct serve *s, struct evhttp_request *req)
{
	const char *h = evhttp_find_header(
	    evhttp_request_get_input_headers(req),
	    "X-Prometheus-Scrape-Timeout-Seconds");
	double budget = s->cfg->timeout * 3, t;
	char *end;

	if (h != NULL) {
		t = strtod(h, &end);
		if (end != h && *end == '\0' && isfinite(t) && t > 0) {
			t = t > 2 * SCRAPE_MARGIN ? t - SCRAPE_MARGIN : t / 2;
			if (t < budget)
				budget = t;
		}
	}
	return budget;
}

/* The job's settings and target; 0, or -1 with a message for the client. */
static int
job_setup(struct probe_job *j, const char *target, const char *module,
    double budget, char *err, size_t errlen)
{
	const struct probe *p = NULL;
	char ports[8];

	j->cfg = j->s->probe_cfg;
	if (module != NULL && strcmp(module, "auto") != 0 &&
	    strcmp(module, "none") != 0 && (p = probe_find(module)) == NULL) {
		snprintf(err, errlen, "unknown module '%.64s': tls, smtp, "
		    "imap, ... (see certsweep scan --starttls), auto or none\n",
		    module);
		return -1;
	}
	if (module != NULL)
		j->cfg.starttls = p != NULL ? p->name :
		    strcmp(module, "auto") == 0 ? "auto" : "none";
	if (j->cfg.timeout > budget / 3)
		j->cfg.timeout = budget / 3;
	j->tg = targets_new();
	snprintf(ports, sizeof(ports), "%u", p != NULL ? p->port : 443);
	if (targets_set_ports(j->tg, ports, err, errlen) == -1 ||
	    targets_add(j->tg, target, err, errlen) == -1)
		return -1;
	if (targets_total(j->tg) != 1) {
		snprintf(err, errlen, "target must be one endpoint "
		    "(host:port), not a range\n");
		return -1;
	}
	return 0;
}

static int
job_start(struct serve *s, struct probe_job *j, double budget)
{
	struct timeval tv = {
		.tv_sec = (time_t)budget,
		.tv_usec = (suseconds_t)((budget - floor(budget)) * 1e6),
	};

	j->done_ev = event_new(s->base, -1, 0, done_cb, j);
	j->deadline_ev = evtimer_new(s->base, deadline_cb, j);
	if (j->done_ev == NULL || j->deadline_ev == NULL)
		return -1;
	j->t0 = mono_now();
	if (pthread_create(&j->thread, NULL, probe_main, j) != 0)
		return -1;
	j->started = true;
	evtimer_add(j->deadline_ev, &tv);
	TAILQ_INSERT_TAIL(&s->jobs, j, entry);
	s->nprobes++;
	return 0;
}

static void
reply_text(struct evhttp_request *req, int code, const char *reason,
    const char *text)
{
	serve_reply(req, code, reason, "text/plain; charset=utf-8", text,
	    strlen(text));
}

void
serve_probe(struct serve *s, struct evhttp_request *req)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	struct evkeyvalq q = TAILQ_HEAD_INITIALIZER(q);
	const char *target = NULL, *module = NULL;
	struct probe_job *j = NULL;
	double budget;
	char err[512];

	if (atomic_load(&s->stopping) || s->nprobes >= SERVE_MAX_PROBES) {
		atomic_fetch_add(&s->probes_rejected, 1);
		reply_text(req, 503, "Service Unavailable", "too many probes "
		    "running; try again\n");
		return;
	}
	if (query != NULL && evhttp_parse_query_str(query, &q) == 0) {
		target = evhttp_find_header(&q, "target");
		module = evhttp_find_header(&q, "module");
	}
	if (target == NULL || target[0] == '\0') {
		reply_text(req, 400, "Bad Request", "usage: /probe?target="
		    "host:port[&module=tls|smtp|imap|...]\n");
		goto out;
	}
	budget = probe_budget(s, req);
	j = xcalloc(1, sizeof(*j));
	j->s = s;
	j->req = req;
	if (job_setup(j, target, module, budget, err, sizeof(err)) == -1) {
		reply_text(req, 400, "Bad Request", err);
		goto fail;
	}
	if (job_start(s, j, budget) == -1) {
		log_warn("/probe: cannot start a scan thread");
		reply_text(req, 503, "Service Unavailable", "cannot start "
		    "the scan\n");
		goto fail;
	}
	goto out;
fail:
	job_free(j);
out:
	evhttp_clear_headers(&q);
}

void
serve_probe_abort_all(struct serve *s)
{
	struct probe_job *j;

	TAILQ_FOREACH(j, &s->jobs, entry)
		if (j->req != NULL) {
			reply_text(j->req, 503, "Service Unavailable",
			    "shutting down\n");
			j->req = NULL;
		}
}

void
serve_probe_reap_all(struct serve *s)
{
	struct probe_job *j;

	while ((j = TAILQ_FIRST(&s->jobs)) != NULL) {
		TAILQ_REMOVE(&s->jobs, j, entry);
		if (j->started)
			pthread_join(j->thread, NULL);
		job_free(j);
	}
	s->nprobes = 0;
}
