/*
 * serve_http.c: the HTTP side of certsweep serve, on libevent's evhttp.
 *
 *   /         a small index page
 *   /healthz  200 "ok" while the loop runs
 *   /metrics  the inventory, read from the database on every scrape
 *             (read-only; a sweep may be writing it), plus the exporter's
 *             and the process's own metrics
 *   /probe    a live scan of one endpoint (serve_probe.c)
 * Anything else is 404; methods other than GET and HEAD get 405.
 *
 * Bounds: request line and headers SERVE_MAX_HEADERS bytes, body
 * SERVE_MAX_BODY, SERVE_HTTP_TIMEOUT seconds of silence, at most
 * SERVE_MAX_CONNS connections.  evhttp in libevent 2.1 has no connection
 * cap, so every new connection's bufferevent (made by our bevcb) is looked
 * at once evhttp has wired it: the bufferevent's callback argument is the
 * evhttp connection, which gets a close callback (counted) or, over the
 * cap, is closed at once.  A reference on the bufferevent keeps that look
 * safe if evhttp dropped the connection in between.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "db/metrics.h"
#include "report/prom.h"
#include "scanner/log.h"
#include "scanner/procself.h"
#include "scanner/serve_internal.h"
#include "scanner/xmem.h"

static const char index_html[] =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
    "<title>certsweep exporter</title></head><body>\n"
    "<h1>certsweep exporter</h1>\n<ul>\n"
    "<li><a href=\"/metrics\">/metrics</a>: every endpoint and certificate "
    "in the database</li>\n"
    "<li><a href=\"/probe?target=127.0.0.1:443&amp;module=tls\">"
    "/probe?target=host:port&amp;module=tls</a>: a live scan of one "
    "endpoint</li>\n"
    "<li><a href=\"/healthz\">/healthz</a></li>\n"
    "</ul>\n</body></html>\n";

struct conn_watch {
	struct serve		*s;
	struct bufferevent	*bev;
	struct event		*ev;
};

void
serve_reply(struct evhttp_request *req, int code, const char *reason,
    const char *ctype, const char *body, size_t len)
{
	struct evbuffer *buf = evbuffer_new();

	if (buf == NULL) {
		evhttp_send_error(req, 500, "Out of memory");
		return;
	}
	evbuffer_add(buf, body, len);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", ctype);
	evhttp_send_reply(req, code, reason, buf);
	evbuffer_free(buf);
}

static void
reply_text(struct evhttp_request *req, int code, const char *reason,
    const char *text)
{
	serve_reply(req, code, reason, "text/plain; charset=utf-8", text,
	    strlen(text));
}

static void
handle_metrics(struct serve *s, struct evhttp_request *req)
{
	struct metrics_inventory inv;
	struct mrow_exporter ex = {
		.sweeps_skipped = atomic_load(&s->sweeps_skipped),
		.sweeps_failed = atomic_load(&s->sweeps_failed),
		.probes = atomic_load(&s->probes),
		.probes_rejected = atomic_load(&s->probes_rejected),
	};
	struct mrow_process proc;
	char err[512], *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	ex.db_up = metrics_read(s->cfg->db_path, &inv, err,
	    sizeof(err)) == 0;
	if (!ex.db_up)
		log_debug("/metrics: %s", err);
	procself_read(&proc);
	if ((f = open_memstream(&text, &len)) == NULL) {
		metrics_inventory_clear(&inv);
		reply_text(req, 500, "Internal Server Error",
		    "out of memory\n");
		return;
	}
	rc = prom_write_inventory(f, ex.db_up ? &inv : NULL, &ex, &proc);
	fclose(f);
	metrics_inventory_clear(&inv);
	if (rc == -1) {
		log_error("/metrics: the exposition could not be written");
		reply_text(req, 500, "Internal Server Error",
		    "the exposition could not be written\n");
	} else
		serve_reply(req, 200, "OK", PROM_CONTENT_TYPE, text, len);
	free(text);
}

static void
route(struct evhttp_request *req, void *arg)
{
	struct serve *s = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type m = evhttp_request_get_command(req);

	if (path == NULL || path[0] == '\0')
		path = "/";
	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		reply_text(req, 405, "Method Not Allowed",
		    "only GET and HEAD\n");
	} else if (strcmp(path, "/metrics") == 0)
		handle_metrics(s, req);
	else if (strcmp(path, "/probe") == 0)
		serve_probe(s, req);
	else if (strcmp(path, "/healthz") == 0)
		reply_text(req, 200, "OK", "ok\n");
	else if (strcmp(path, "/") == 0)
		serve_reply(req, 200, "OK", "text/html; charset=utf-8",
		    index_html, sizeof(index_html) - 1);
	else
		reply_text(req, 404, "Not Found", "not found; see /\n");
}

static void
conn_closed(struct evhttp_connection *evcon, void *arg)
{
	struct serve *s = arg;

	(void)evcon;
	if (s->nconns > 0)
		s->nconns--;
}

/* Runs right after the accept callback that made the connection. */
static void
conn_watch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn_watch *w = arg;
	struct serve *s = w->s;
	struct evhttp_connection *evcon;
	void *cbarg = NULL;

	(void)fd;
	(void)what;
	bufferevent_getcb(w->bev, NULL, NULL, NULL, &cbarg);
	evcon = cbarg;
	/* NULL: evhttp already freed it (its callbacks are cleared). */
	if (evcon != NULL && evhttp_connection_get_bufferevent(evcon) ==
	    w->bev) {
		if (s->nconns >= SERVE_MAX_CONNS) {
			log_debug("HTTP: %u connections open; one refused",
			    s->nconns);
			evhttp_connection_free(evcon);
		} else {
			s->nconns++;
			evhttp_connection_set_closecb(evcon, conn_closed, s);
		}
	}
	bufferevent_decref(w->bev);
	event_free(w->ev);
	free(w);
}

static struct bufferevent *
conn_bevcb(struct event_base *base, void *arg)
{
	struct conn_watch *w = xcalloc(1, sizeof(*w));

	w->s = arg;
	w->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	w->ev = event_new(base, -1, 0, conn_watch_cb, w);
	if (w->bev == NULL || w->ev == NULL) {
		if (w->ev != NULL)
			event_free(w->ev);
		free(w);
		return NULL;	/* evhttp makes its own, uncounted */
	}
	bufferevent_incref(w->bev);
	event_active(w->ev, EV_TIMEOUT, 0);
	return w->bev;
}

int
serve_parse_listen(const char *spec, char *host, size_t hostlen,
    uint16_t *port, char *err, size_t errlen)
{
	const char *colon, *h = spec;
	size_t hl;
	char *end;
	long p;

	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');

		if (rb == NULL || rb[1] != ':')
			goto bad;
		h = spec + 1;
		hl = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		if ((colon = strrchr(spec, ':')) == NULL)
			goto bad;
		hl = (size_t)(colon - spec);
	}
	if (hl == 0 || hl >= hostlen)
		goto bad;
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || p < 0 ||
	    p > 65535)
		goto bad;
	memcpy(host, h, hl);
	host[hl] = '\0';
	*port = (uint16_t)p;
	return 0;
bad:
	snprintf(err, errlen, "--listen %s: expected ADDRESS:PORT, e.g. "
	    "127.0.0.1:9655 or [::1]:9655", spec);
	return -1;
}

bool
serve_is_loopback(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (strcmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

int
serve_http_start(struct serve *s, char *err, size_t errlen)
{
	const char *spec = s->cfg->listen != NULL ? s->cfg->listen :
	    SERVE_DEFAULT_LISTEN;
	char host[256];
	uint16_t port;

	if (serve_parse_listen(spec, host, sizeof(host), &port, err,
	    errlen) == -1)
		return -1;
	if ((s->http = evhttp_new(s->base)) == NULL) {
		snprintf(err, errlen, "cannot start the HTTP server");
		return -1;
	}
	evhttp_set_max_headers_size(s->http, SERVE_MAX_HEADERS);
	evhttp_set_max_body_size(s->http, SERVE_MAX_BODY);
	evhttp_set_timeout(s->http, SERVE_HTTP_TIMEOUT);
	/* Every method reaches route(), which answers 405 itself (evhttp
	 * would say 501 for a method it was not told to allow). */
	evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_PATCH);
	evhttp_set_bevcb(s->http, conn_bevcb, s);
	evhttp_set_gencb(s->http, route, s);
	if (evhttp_bind_socket_with_handle(s->http, host, port) == NULL) {
		snprintf(err, errlen, "cannot listen on %s: %s (is another "
		    "process using the port?)", spec, strerror(errno));
		return -1;
	}
	if (!serve_is_loopback(host))
		log_warn("listening on %s, which is not a loopback address: "
		    "anyone who can reach it can read the inventory and make "
		    "this host connect anywhere through /probe", spec);
	log_info("serving http://%s/metrics", spec);
	return 0;
}

void
serve_http_stop(struct serve *s)
{
	serve_probe_abort_all(s);
	if (s->http != NULL)
		evhttp_free(s->http);
	s->http = NULL;
	serve_probe_reap_all(s);
}
