/*
 * conn.c: one connection, from a target to its observation.
 *
 *   RESOLVE (hostnames only, evdns) -> CONNECT -> [PREAMBLE] -> RAW
 *                                                  \-> HANDSHAKE (OpenSSL)
 *
 * RAW is the default certificate grab (scanner/rawgrab.c): a TLS 1.2 hello
 * of our own, the server's flight read in clear, then a reset.  A server
 * that refuses it gets a second connection with a full OpenSSL handshake
 * (--grab auto), as does everyone with --grab openssl.
 *
 * PREAMBLE runs a STARTTLS probe (probes/): the probe is a pure byte state
 * machine; this file owns its socket, buffers and deadline, and implements
 * the services of probes/probe.h.  On PROBE_START_TLS the TLS handshake
 * starts on the same descriptor; plaintext the server sent after its
 * go-ahead is counted (starttls.injection) and never fed to TLS.
 *
 * Each step has one deadline (--timeout), armed on a libevent common timeout
 * so that thousands of timers cost O(1) each.  The socket is driven
 * directly: SSL_do_handshake() on a non-blocking fd, re-armed for read or
 * write as OpenSSL asks; there is no bufferevent in between, so an idle
 * connection holds one fd, one SSL and this struct.  conn_finish() is the
 * single teardown path and emits the observation exactly once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event_struct.h>
#include <event2/util.h>
#include <openssl/err.h>

#include "probes/enum.h"
#include "probes/probe.h"
#include "scanner/cert.h"
#include "scanner/engine_internal.h"
#include "scanner/log.h"
#include "scanner/rawgrab.h"
#include "scanner/tls.h"
#include "scanner/xmem.h"

enum conn_state {
	CONN_RESOLVE,
	CONN_WAIT_FD,		/* out of descriptors: retry in 100 ms */
	CONN_CONNECT,
	CONN_PREAMBLE,		/* STARTTLS dialogue */
	CONN_RAW,		/* our TLS 1.2 hello, the flight in clear */
	CONN_ENUM,		/* --enum: one planned hello per connection */
	CONN_HANDSHAKE,
	CONN_DONE,
};

#define PRE_RBUF	8192	/* server bytes a probe may leave unconsumed */
#define PRE_WBUF	2048	/* client bytes queued before the socket */
#define CONN_SPARES	256	/* finished connections kept per worker */

struct probe_ctx {
	struct conn		*conn;
};

/* STARTTLS state; allocated only for connections that run a probe. */
struct preamble {
	struct probe_ctx	 ctx;
	void			*state;		/* the probe's own */
	size_t			 rlen, wlen;
	uint8_t			 rbuf[PRE_RBUF];
	uint8_t			 wbuf[PRE_WBUF];
	enum probe_rc		 last_rc;	/* the probe's latest answer */
	bool			 failed;	/* probe_fail() was called */
	enum scan_status	 fail_status;
	char			 fail_reason[200];
};

struct conn {
	struct engine		*eng;
	const struct probe	*probe;
	struct preamble		*pre;
	struct rawgrab		*raw;
	size_t			 raw_sent;	/* hello bytes written */
	bool			 use_openssl;	/* --grab openssl, or fallen back */
	struct enum_plan	*plan;		/* --enum, after the grab */
	uint8_t			*ebuf;		/* the attempt's hello */
	size_t			 elen, esent;
	LIST_ENTRY(conn)	 entry;
	struct conn		*next_spare;	/* in eng->spare */
	struct target		 tgt;
	struct sockaddr_storage	 sa;
	socklen_t		 salen;
	int			 fd;
	SSL			*ssl;
	bool			 edge;		/* io: read|write, edge-triggered */
	bool			 keep_socket;	/* the raw grab is done: keep fd */
	bool			 reused;	/* fd is a kept socket */
	struct event		 tmo;
	enum conn_state		 state;
	unsigned		 attempt;
	double			 t0;
	struct evdns_getaddrinfo_request *dns;
	struct evutil_addrinfo	*ai;		/* result handed over by evdns */
	int			 dns_err;
	bool			 in_start;	/* evdns may answer at once */
	bool			 dns_answered;
	struct observation	 obs;
	/*
	 * Kept when the struct is reused (conn_alloc() clears only what
	 * comes before): the socket of a finished raw grab, connected to
	 * nothing and still watched by io (conn_keep_socket()).  -1: none.
	 */
	struct event		 io;
	int			 spare_fd;
	sa_family_t		 spare_family;
};

static void	conn_connect(struct conn *);
static void	conn_io_cb(evutil_socket_t, short, void *);
static void	conn_established(struct conn *);
static void	conn_handshake_start(struct conn *);
static void	conn_tls_start(struct conn *);
static void	conn_success(struct conn *);
static bool	enum_attempt_failed(struct conn *, enum scan_status);
static void	enum_send(struct conn *);
static void	enum_io(struct conn *, short);
static void	conn_finish(struct conn *, enum scan_status, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
preamble_free(struct conn *c)
{
	if (c->pre == NULL)
		return;
	if (c->probe->cleanup != NULL)
		c->probe->cleanup(c->pre->state);
	free(c->pre->state);
	free(c->pre);
	c->pre = NULL;
}

/*
 * A finished connection is kept for the next one, up to CONN_SPARES per
 * worker: a struct conn is ~2.8 KiB, past what malloc keeps per thread,
 * and taking it from the heap between SQLite's pages cost ~2% of a sweep.
 */
static struct conn *
conn_alloc(struct engine *eng)
{
	struct conn *c = eng->spare;

	if (c == NULL) {
		c = xcalloc(1, sizeof(*c));
		c->spare_fd = -1;
		return c;
	}
	eng->spare = c->next_spare;
	eng->nspare--;
	memset(c, 0, offsetof(struct conn, io));
	return c;
}

/* TLS at once with our own hello: the raw grab (or --enum). */
static bool
raw_hello(const struct conn *c)
{
	return !c->use_openssl && (c->probe->flags & PROBE_IMPLICIT_TLS);
}

static void
conn_drop_socket(struct conn *c)
{
	if (c->spare_fd == -1)
		return;
	event_del(&c->io);
	close(c->spare_fd);
	c->spare_fd = -1;
}

/* Out of descriptors: the kept sockets go first. */
static void
conn_spares_drop_sockets(struct engine *eng)
{
	for (struct conn *c = eng->spare; c != NULL; c = c->next_spare)
		conn_drop_socket(c);
}

static void
conn_free(struct conn *c)
{
	struct engine *eng = c->eng;

	if (eng->nspare >= CONN_SPARES) {
		conn_drop_socket(c);
		free(c);
		return;
	}
	c->next_spare = eng->spare;
	eng->spare = c;
	eng->nspare++;
}

static void	raw_reset(struct conn *);

/*
 * The raw grab is done: its socket is kept for this worker's next
 * endpoint.  connect() to AF_UNSPEC resets the connection (an RST, as
 * SO_LINGER 0 does) and leaves the socket unbound, to be connected anew
 * (connect(2); that connect() also clears the ECONNRESET the reset
 * leaves).  io stays registered, edge-triggered, so the next endpoint
 * needs no socket(), close() or epoll_ctl() add and delete: 8 system
 * calls an endpoint become 4.  Until then the socket reports a hang-up,
 * which conn_io_cb() ignores (CONN_DONE) and conn_connected() tells from
 * the new connection's events.  false: close it as before.
 */
static bool
conn_keep_socket(struct conn *c)
{
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };

	if (c->fd == -1 || c->ssl != NULL || !c->edge ||
	    connect(c->fd, &unspec, sizeof(unspec)) == -1)
		return false;
	c->spare_fd = c->fd;
	c->spare_family = c->sa.ss_family;
	c->fd = -1;
	return true;
}

static void
conn_release(struct conn *c)
{
	if (c->dns != NULL) {
		evdns_getaddrinfo_cancel(c->dns);	/* calls back: c->dns */
		c->dns = NULL;
	}
	if (c->ai != NULL)
		evutil_freeaddrinfo(c->ai);
	c->ai = NULL;
	if (!c->keep_socket || !conn_keep_socket(c))
		event_del(&c->io);
	event_del(&c->tmo);
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	c->ssl = NULL;
	if (c->fd != -1) {
		if (c->keep_socket)
			raw_reset(c);
		close(c->fd);
	}
	c->fd = -1;
	preamble_free(c);
	rawgrab_free(c->raw);
	c->raw = NULL;
	enum_plan_free(c->plan);
	c->plan = NULL;
	free(c->ebuf);
	c->ebuf = NULL;
}

/* The single teardown path: one observation per connection. */
static void
conn_finish(struct conn *c, enum scan_status st, const char *fmt, ...)
{
	struct engine *eng = c->eng;
	va_list ap;

	if (c->state == CONN_DONE)
		return;
	if (c->plan != NULL && enum_attempt_failed(c, st))
		return;
	c->state = CONN_DONE;
	c->obs.status = st;
	va_start(ap, fmt);
	vsnprintf(c->obs.reason, sizeof(c->obs.reason), fmt, ap);
	va_end(ap);
	if (st == SCAN_OK && c->obs.handshake_ms == 0)
		c->obs.handshake_ms = (engine_now() - c->t0) * 1000.0;
	if (c->ssl != NULL && st == SCAN_OK) {
		(void)SSL_shutdown(c->ssl);	/* one close_notify, no wait */
		ERR_clear_error();
	}
	conn_release(c);
	LIST_REMOVE(c, entry);
	engine_conn_done(eng, &c->obs);
	observation_clear(&c->obs);
	conn_free(c);
}

void
conn_abort(struct conn *c)
{
	conn_release(c);
	LIST_REMOVE(c, entry);
	observation_clear(&c->obs);
	conn_free(c);
}

void
conn_spares_free(struct engine *eng)
{
	struct conn *c;

	while ((c = eng->spare) != NULL) {
		eng->spare = c->next_spare;
		conn_drop_socket(c);
		free(c);
	}
	eng->nspare = 0;
}

/* A timeout or a reset mid-way: try again while --retries allows. */
static bool
conn_retry(struct conn *c)
{
	if (c->attempt >= c->eng->cfg->retries || engine_stopping(c->eng) ||
	    c->plan != NULL)
		return false;
	c->attempt++;
	event_del(&c->io);
	event_del(&c->tmo);
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	c->ssl = NULL;
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	preamble_free(c);
	rawgrab_free(c->raw);
	c->raw = NULL;
	c->obs.banner[0] = '\0';
	c->obs.injected = 0;
	conn_connect(c);
	return true;
}

/* Level-triggered and one-shot: what OpenSSL and the dialogues expect. */
static void
conn_arm(struct conn *c, short what)
{
	c->edge = false;
	event_del(&c->io);
	event_assign(&c->io, c->eng->base, c->fd, what, conn_io_cb, c);
	event_add(&c->io, NULL);
}

/*
 * From the connect to the end of the raw grab: one registration for both
 * directions, edge-triggered and persistent, so the kernel's epoll set is
 * touched twice per connection (add, and delete at the end) instead of at
 * every change of direction.  The raw path therefore reads until EAGAIN.
 */
static void
conn_watch(struct conn *c)
{
	c->edge = true;
	event_assign(&c->io, c->eng->base, c->fd, EV_READ | EV_WRITE |
	    EV_ET | EV_PERSIST, conn_io_cb, c);
	event_add(&c->io, NULL);
}

static void
conn_step_deadline(struct conn *c)
{
	event_add(&c->tmo, c->eng->step_tmo);
}

static void
conn_handshake(struct conn *c)
{
	int r, saved;
	enum scan_status st;
	char why[sizeof(c->obs.reason)];

	ERR_clear_error();
	errno = 0;
	r = SSL_do_handshake(c->ssl);
	saved = errno;
	if (r == 1) {
		tls_collect(c->ssl, &c->obs);
		conn_success(c);
		return;
	}
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		conn_arm(c, EV_READ);
		return;
	case SSL_ERROR_WANT_WRITE:
		conn_arm(c, EV_WRITE);
		return;
	default:
		break;
	}
	st = tls_classify(c->ssl, r, saved, why, sizeof(why));
	if (st == SCAN_CLOSED && conn_retry(c))
		return;
	conn_finish(c, st, "%s", why);
}

static void
conn_handshake_start(struct conn *c)
{
	SSL_CTX *ctx = engine_ssl_ctx(c->eng);

	if (ctx == NULL) {
		conn_finish(c, SCAN_INTERNAL_ERROR, "OpenSSL's client context "
		    "could not be made (see the error above)");
		return;
	}
	if ((c->ssl = tls_new(ctx, c->fd, c->obs.sni)) == NULL) {
		conn_finish(c, SCAN_INTERNAL_ERROR, "cannot set up TLS for "
		    "this connection (out of memory?)");
		return;
	}
	c->state = CONN_HANDSHAKE;
	conn_step_deadline(c);
	conn_handshake(c);
}

/* ------------------------------------------------------------ raw grab */

/* The flight is in: a reset (not a FIN) ends the connection, so neither
 * side keeps it in TIME_WAIT. */
static void
raw_reset(struct conn *c)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	(void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

/* A second connection, with OpenSSL this time. */
static void
raw_fallback(struct conn *c)
{
	event_del(&c->io);
	event_del(&c->tmo);
	raw_reset(c);
	close(c->fd);
	c->fd = -1;
	preamble_free(c);
	rawgrab_free(c->raw);
	c->raw = NULL;
	c->use_openssl = true;
	conn_connect(c);
}

static void
raw_end(struct conn *c, enum raw_rc rc)
{
	char why[sizeof(c->obs.reason)];
	enum scan_status st;

	if (rc == RAW_DONE) {
		rawgrab_result(c->raw, &c->obs);
		/* Reset by conn_release(), or by --enum's first attempt. */
		c->keep_socket = !c->eng->cfg->enumerate;
		conn_success(c);
		return;
	}
	if (rc == RAW_FALLBACK && c->eng->cfg->grab == GRAB_AUTO) {
		raw_fallback(c);
		return;
	}
	st = rawgrab_failure(c->raw, why, sizeof(why));
	conn_finish(c, st, "%s", why);
}

/* Writes buf[*sent..len) as far as the socket takes it; -1 after
 * finishing the connection. */
static int
conn_send_rest(struct conn *c, const uint8_t *buf, size_t len, size_t *sent)
{
	ssize_t n;

	while (*sent < len) {
		n = send(c->fd, buf + *sent, len - *sent, MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n == -1) {
			conn_finish(c, SCAN_CLOSED, "cannot send the TLS hello: "
			    "%s", strerror(errno));
			return -1;
		}
		*sent += (size_t)n;
	}
	return 0;
}

/* What is left of the raw grab's hello. */
static int
raw_flush(struct conn *c)
{
	size_t len;
	const uint8_t *h = rawgrab_hello(c->raw, &len);

	return conn_send_rest(c, h, len, &c->raw_sent);
}

static void
raw_read(struct conn *c)
{
	uint8_t buf[16384];
	enum raw_rc rc = RAW_MORE;
	bool drained = false;
	ssize_t n;

	/* bounded: a server streaming records does not starve the loop */
	for (int i = 0; i < 16 && rc == RAW_MORE; i++) {
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			drained = true;
			break;
		}
		if (n <= 0) {
			raw_end(c, rawgrab_eof(c->raw));
			return;
		}
		rc = rawgrab_input(c->raw, buf, (size_t)n);
	}
	if (rc != RAW_MORE)
		raw_end(c, rc);
	else if (!c->edge)
		conn_arm(c, EV_READ);
	else if (!drained)	/* no new edge will come for what is left */
		event_active(&c->io, EV_READ, 0);
}

static void
raw_io(struct conn *c, short what)
{
	size_t len;

	if ((what & EV_WRITE) && raw_flush(c) == -1)
		return;
	if (what & EV_READ) {
		raw_read(c);
		return;
	}
	(void)rawgrab_hello(c->raw, &len);
	if (!c->edge)
		conn_arm(c, c->raw_sent < len ? EV_WRITE : EV_READ);
}

static void
raw_start(struct conn *c)
{
	uint64_t seed = (uint64_t)(uintptr_t)c ^ (uint64_t)(c->t0 * 1e9);
	size_t len;

	c->raw = rawgrab_new(c->obs.sni, c->eng->cfg->alpn, seed);
	(void)rawgrab_hello(c->raw, &len);
	if (len == 0) {		/* a name our hello cannot carry */
		rawgrab_free(c->raw);
		c->raw = NULL;
		conn_handshake_start(c);
		return;
	}
	c->raw_sent = 0;
	c->state = CONN_RAW;
	conn_step_deadline(c);
	if (raw_flush(c) == -1)
		return;
	if (!c->edge)
		conn_arm(c, c->raw_sent < len ? EV_WRITE : EV_READ);
}

static void
conn_tls_start(struct conn *c)
{
	if (c->plan != NULL)
		enum_send(c);
	else if (c->use_openssl)
		conn_handshake_start(c);
	else
		raw_start(c);
}

/* ------------------------------------------------------------ --enum */

/*
 * After the certificate: with --enum the connection lives on as a plan of
 * attempts (probes/enum.h), each a new TCP connection (and STARTTLS
 * dialogue) that sends one planned hello and reads the server's first
 * flight.  The observation keeps the grab's status; an attempt that fails
 * is information for the plan, not the endpoint's status.
 */
static void
enum_close_attempt(struct conn *c)
{
	event_del(&c->io);
	event_del(&c->tmo);
	if (c->ssl != NULL) {
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd != -1) {
		raw_reset(c);
		close(c->fd);
		c->fd = -1;
	}
	preamble_free(c);
	rawgrab_free(c->raw);
	c->raw = NULL;
}

/* The next attempt, or the end of the plan. */
static void
enum_next(struct conn *c)
{
	enum_close_attempt(c);
	if (engine_stopping(c->eng) || enum_plan_next(c->plan, c->ebuf,
	    ENUM_HELLO_MAX, &c->elen) == 0) {
		enum_plan_result(c->plan, &c->obs);
		enum_plan_free(c->plan);
		c->plan = NULL;
		conn_finish(c, SCAN_OK, "%s", "");
		return;
	}
	c->esent = 0;
	conn_connect(c);
}

/* conn_finish() during the plan: the attempt ended without a decision. */
static bool
enum_attempt_failed(struct conn *c, enum scan_status st)
{
	if (st == SCAN_OK)
		return false;	/* the plan is complete */
	enum_plan_eof(c->plan, st == SCAN_IO_TIMEOUT ||
	    st == SCAN_CONNECT_TIMEOUT);
	enum_next(c);
	return true;
}

static void
conn_success(struct conn *c)
{
	struct enum_opts eo = {
		.sni = c->obs.sni[0] != '\0' ? c->obs.sni : NULL,
		.addr = c->obs.ip,
		.flags = ENUM_F_JARM,
	};

	if (!c->eng->cfg->enumerate || c->plan != NULL) {
		conn_finish(c, SCAN_OK, "%s", "");
		return;
	}
	c->obs.handshake_ms = (engine_now() - c->t0) * 1000.0;
	if (c->ssl != NULL)
		(void)SSL_shutdown(c->ssl);
	c->plan = enum_plan_new(&eo);
	c->ebuf = xmalloc(ENUM_HELLO_MAX);
	c->state = CONN_ENUM;
	enum_next(c);
}

static int
enum_flush(struct conn *c)
{
	return conn_send_rest(c, c->ebuf, c->elen, &c->esent);
}

static void
enum_send(struct conn *c)
{
	c->state = CONN_ENUM;
	conn_step_deadline(c);
	if (enum_flush(c) == -1)
		return;
	conn_arm(c, c->esent < c->elen ? EV_WRITE : EV_READ);
}

static void
enum_io(struct conn *c, short what)
{
	uint8_t buf[16384];
	ssize_t n;

	if ((what & EV_WRITE) && enum_flush(c) == -1)
		return;
	if (!(what & EV_READ)) {
		conn_arm(c, c->esent < c->elen ? EV_WRITE : EV_READ);
		return;
	}
	for (int i = 0; i < 16; i++) {
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			enum_plan_eof(c->plan, false);
			enum_next(c);
			return;
		}
		if (enum_plan_input(c->plan, buf, (size_t)n) ==
		    ENUM_ATTEMPT_DONE) {
			enum_next(c);
			return;
		}
	}
	conn_arm(c, EV_READ);
}

/* ------------------------------------------------------------ STARTTLS */

int
probe_send(struct probe_ctx *ctx, const void *buf, size_t len)
{
	struct preamble *p = ctx->conn->pre;

	if (len > sizeof(p->wbuf) - p->wlen)
		return -1;	/* a probe's commands are short */
	memcpy(p->wbuf + p->wlen, buf, len);
	p->wlen += len;
	return 0;
}

int
probe_sendf(struct probe_ctx *ctx, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	return probe_send(ctx, line, (size_t)n);
}

enum probe_rc
probe_fail(struct probe_ctx *ctx, enum scan_status st, const char *fmt, ...)
{
	struct preamble *p = ctx->conn->pre;
	va_list ap;

	p->failed = true;
	p->fail_status = st;
	va_start(ap, fmt);
	vsnprintf(p->fail_reason, sizeof(p->fail_reason), fmt, ap);
	va_end(ap);
	return PROBE_FAIL;
}

void
probe_note(struct probe_ctx *ctx, const char *key, const char *val)
{
	struct observation *o = &ctx->conn->obs;

	if (strcmp(key, "banner") == 0 && o->banner[0] == '\0')
		snprintf(o->banner, sizeof(o->banner), "%s", val);
}

const char *
probe_server_name(const struct probe_ctx *ctx)
{
	const struct conn *c = ctx->conn;
	const struct config *cfg = c->eng->cfg;

	if (cfg->ehlo != NULL && strcmp(c->probe->name, "smtp") == 0)
		return cfg->ehlo;
	if (cfg->xmpp_domain != NULL && strncmp(c->probe->name, "xmpp", 4) == 0)
		return cfg->xmpp_domain;
	if (c->obs.sni[0] != '\0')
		return c->obs.sni;
	return c->tgt.host;
}

/* Writes what the probe queued; -1 after finishing the connection. */
static int
preamble_flush(struct conn *c)
{
	struct preamble *p = c->pre;
	ssize_t n;

	while (p->wlen > 0) {
		n = send(c->fd, p->wbuf, p->wlen, MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n == -1) {
			conn_finish(c, errno == ECONNRESET ? SCAN_CLOSED :
			    SCAN_INTERNAL_ERROR, "%s dialogue: cannot send: %s",
			    c->probe->name, strerror(errno));
			return -1;
		}
		memmove(p->wbuf, p->wbuf + n, p->wlen - (size_t)n);
		p->wlen -= (size_t)n;
	}
	return 0;
}

/* Acts on a probe's answer; returns true while the dialogue goes on. */
static bool
preamble_result(struct conn *c, enum probe_rc rc)
{
	struct preamble *p = c->pre;

	p->last_rc = rc;
	if (preamble_flush(c) == -1)
		return false;
	switch (rc) {
	case PROBE_MORE:
		conn_arm(c, p->wlen > 0 ? EV_READ | EV_WRITE : EV_READ);
		return true;
	case PROBE_START_TLS:
		if (p->wlen > 0) {	/* e.g. MySQL's SSLRequest */
			conn_arm(c, EV_WRITE);
			return true;
		}
		/* [STARTTLS-INJECTION] plaintext after the go-ahead */
		c->obs.injected = (uint32_t)p->rlen;
		preamble_free(c);
		event_del(&c->tmo);
		conn_tls_start(c);
		return false;
	case PROBE_DONE:
		conn_finish(c, SCAN_STARTTLS_REFUSED, "the %s service ended "
		    "the dialogue without starting TLS", c->probe->name);
		return false;
	case PROBE_FAIL:
	default:
		conn_finish(c, p->failed ? p->fail_status : SCAN_PROTOCOL_ERROR,
		    "%s", p->failed ? p->fail_reason : "the STARTTLS probe "
		    "failed");
		return false;
	}
}

static void
preamble_read(struct conn *c)
{
	struct preamble *p = c->pre;
	enum probe_rc rc;
	size_t used;
	ssize_t n;

	n = recv(c->fd, p->rbuf + p->rlen, sizeof(p->rbuf) - p->rlen, 0);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		conn_finish(c, SCAN_CLOSED, "the server %s the connection "
		    "during the %s dialogue%s%s", n == 0 ? "closed" : "reset",
		    c->probe->name, c->obs.banner[0] ? "; it said: " : "",
		    c->obs.banner);
		return;
	}
	p->rlen += (size_t)n;
	for (;;) {
		used = 0;
		rc = c->probe->input(&p->ctx, p->state, p->rbuf, p->rlen,
		    &used);
		if (used > p->rlen)
			used = p->rlen;
		memmove(p->rbuf, p->rbuf + used, p->rlen - used);
		p->rlen -= used;
		if (rc != PROBE_MORE || used == 0 || p->rlen == 0)
			break;
	}
	if (rc == PROBE_MORE && p->rlen == sizeof(p->rbuf)) {
		conn_finish(c, SCAN_PROTOCOL_ERROR, "the %s server sent %zu "
		    "bytes the dialogue could not use", c->probe->name,
		    p->rlen);
		return;
	}
	(void)preamble_result(c, rc);
}

static void
preamble_io(struct conn *c, short what)
{
	if ((what & EV_WRITE) && preamble_flush(c) == -1)
		return;
	if (what & EV_READ)
		preamble_read(c);
	else	/* only writable: carry on with what the probe last said */
		(void)preamble_result(c, c->pre->last_rc);
}

static void
preamble_start(struct conn *c)
{
	struct preamble *p = xcalloc(1, sizeof(*p));
	enum probe_rc rc = PROBE_MORE;

	p->ctx.conn = c;
	if (c->probe->state_size > 0)
		p->state = xcalloc(1, c->probe->state_size);
	c->pre = p;
	c->state = CONN_PREAMBLE;
	conn_step_deadline(c);
	if (c->probe->start != NULL)
		rc = c->probe->start(&p->ctx, p->state);
	(void)preamble_result(c, rc);
}

static void
conn_established(struct conn *c)
{
	if (c->probe->flags & PROBE_IMPLICIT_TLS)
		conn_tls_start(c);
	else
		preamble_start(c);
}

static bool
sock_connected(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	return getpeername(fd, (struct sockaddr *)&ss, &len) == 0;
}

/* The connect finished.  Writable alone means it succeeded (a failure also
 * reports EPOLLERR, which libevent turns into EV_READ | EV_WRITE), so only
 * then is SO_ERROR asked: one system call less per endpoint. */
static void
conn_connected(struct conn *c, short what)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if ((what & EV_READ) &&
	    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	/* A kept socket's hang-up from before this connect, which the loop
	 * had already taken from epoll: not connected yet, wait on. */
	if (err == 0 && (what & EV_READ) && c->reused && !sock_connected(c->fd))
		return;
	if (err == 0) {
		conn_established(c);
		return;
	}
	if (err == ECONNREFUSED)
		conn_finish(c, SCAN_REFUSED, "connection refused");
	else if (err == ETIMEDOUT && !conn_retry(c))
		conn_finish(c, SCAN_CONNECT_TIMEOUT, "TCP connect timed out");
	else if (err == EHOSTUNREACH || err == ENETUNREACH)
		conn_finish(c, SCAN_REFUSED, "%s", strerror(err));
	else if (err != ETIMEDOUT)
		conn_finish(c, SCAN_REFUSED, "TCP connect failed: %s",
		    strerror(err));
}

static void
conn_io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	if (c->state == CONN_CONNECT)
		conn_connected(c, what);
	else if (c->state == CONN_PREAMBLE)
		preamble_io(c, what);
	else if (c->state == CONN_RAW)
		raw_io(c, what);
	else if (c->state == CONN_ENUM)
		enum_io(c, what);
	else if (c->state == CONN_HANDSHAKE)
		conn_handshake(c);
}

static void
conn_tmo_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	double t = c->eng->cfg->timeout;

	(void)fd;
	(void)what;
	if (c->state == CONN_WAIT_FD) {
		conn_connect(c);
		return;
	}
	if (conn_retry(c))
		return;
	if (c->state == CONN_CONNECT)
		conn_finish(c, SCAN_CONNECT_TIMEOUT, "no answer to the TCP "
		    "connect within %g s", t);
	else if (c->state == CONN_RAW || c->state == CONN_ENUM)
		conn_finish(c, SCAN_IO_TIMEOUT, "no answer to our TLS hello "
		    "within %g s", t);
	else if (c->state == CONN_PREAMBLE)
		conn_finish(c, SCAN_IO_TIMEOUT, "the %s dialogue before TLS "
		    "did not finish within %g s%s%s", c->probe->name, t,
		    c->obs.banner[0] ? "; server said: " : "", c->obs.banner);
	else
		conn_finish(c, SCAN_IO_TIMEOUT, "the TLS handshake did not "
		    "finish within %g s", t);
}

static void
conn_connect(struct conn *c)
{
	bool watched = c->spare_fd != -1;	/* see conn_start() */
	int one = 1;

	c->state = CONN_CONNECT;
	c->reused = watched;
	if (watched) {
		c->fd = c->spare_fd;
		c->spare_fd = -1;
		c->edge = true;
	} else if ((c->fd = socket(c->sa.ss_family, SOCK_STREAM |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		if (errno == EMFILE || errno == ENFILE) {
			/* Wait for a descriptor: the deadline timer retries. */
			conn_spares_drop_sockets(c->eng);
			c->state = CONN_WAIT_FD;
			engine_fd_pressure(c->eng);
			event_add(&c->tmo, &(struct timeval){ 0, 100000 });
			return;
		}
		conn_finish(c, SCAN_INTERNAL_ERROR, "cannot create a socket: %s",
		    strerror(errno));
		return;
	}
	/* Dialogues and OpenSSL's flights must not wait for an ACK; the raw
	 * grab and --enum send one hello each, which Nagle never holds. */
	if (!raw_hello(c))
		(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	conn_step_deadline(c);
	if (connect(c->fd, (struct sockaddr *)&c->sa, c->salen) == 0) {
		if (!watched)
			conn_watch(c);
		conn_established(c);
		return;
	}
	if (errno == EINPROGRESS) {
		if (!watched)
			conn_watch(c);
		return;
	}
	if (errno == ECONNREFUSED)
		conn_finish(c, SCAN_REFUSED, "connection refused");
	else
		conn_finish(c, SCAN_REFUSED, "TCP connect failed: %s",
		    strerror(errno));
}

static void
conn_set_addr(struct conn *c, const struct sockaddr *sa, socklen_t len)
{
	memcpy(&c->sa, sa, len);
	c->salen = len;
	if (sa->sa_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&c->sa;

		in->sin_port = htons(c->tgt.port);
		_Static_assert(sizeof(c->obs.ip) >= INET_ADDRSTRLEN,
		    "room for a dotted quad");
		cert_ipv4_text((const unsigned char *)&in->sin_addr, c->obs.ip);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&c->sa;

		in6->sin6_port = htons(c->tgt.port);
		inet_ntop(AF_INET6, &in6->sin6_addr, c->obs.ip,
		    sizeof(c->obs.ip));
	}
}

static void
conn_resolved(struct conn *c)
{
	const char *host = c->tgt.host;

	if (c->dns_err != 0 || c->ai == NULL) {
		conn_finish(c, SCAN_DNS_ERROR, "cannot resolve %s: %s", host,
		    c->dns_err ? evutil_gai_strerror(c->dns_err) :
		    "no addresses");
		return;
	}
	conn_set_addr(c, c->ai->ai_addr, (socklen_t)c->ai->ai_addrlen);
	evutil_freeaddrinfo(c->ai);
	c->ai = NULL;
	conn_connect(c);
}

static void
conn_dns_cb(int err, struct evutil_addrinfo *ai, void *arg)
{
	struct conn *c = arg;

	c->dns = NULL;
	if (err == EVUTIL_EAI_CANCEL) {
		if (ai != NULL)
			evutil_freeaddrinfo(ai);
		return;
	}
	c->dns_err = err;
	c->ai = ai;
	c->dns_answered = true;
	if (!c->in_start)
		conn_resolved(c);
}

static void
conn_resolve(struct conn *c)
{
	struct evutil_addrinfo hints;
	struct evdns_base *dns = engine_dns(c->eng);
	struct evdns_getaddrinfo_request *req;

	if (dns == NULL) {
		conn_finish(c, SCAN_DNS_ERROR, "cannot resolve %s: no DNS "
		    "resolver could be set up", c->tgt.host);
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	c->state = CONN_RESOLVE;
	c->in_start = true;
	req = evdns_getaddrinfo(dns, c->tgt.host, NULL, &hints, conn_dns_cb, c);
	c->in_start = false;
	if (c->dns_answered)
		conn_resolved(c);
	else
		c->dns = req;
}

static void
conn_init_obs(struct conn *c)
{
	const struct config *cfg = c->eng->cfg;
	struct observation *o = &c->obs;

	o->source = OBS_ACTIVE;
	o->port = c->tgt.port;
	o->protocol = c->probe->name;
	o->time = (int64_t)time(NULL);
	str_copy(o->hostname, sizeof(o->hostname), c->tgt.host);
	if (c->tgt.host[0] != '\0')
		str_copy(o->sni, sizeof(o->sni), c->tgt.host);
	else if (cfg->sni != NULL)
		str_copy(o->sni, sizeof(o->sni), cfg->sni);
}

/* --starttls: "auto" picks by port; "none" is plain TLS; else a name the
 * command line has already checked. */
static const struct probe *
conn_pick_probe(const struct config *cfg, uint16_t port)
{
	const struct probe *p = NULL;

	if (cfg->starttls == NULL || strcmp(cfg->starttls, "auto") == 0)
		return probe_for_port(port);
	if (strcmp(cfg->starttls, "none") != 0)
		p = probe_find(cfg->starttls);
	return p != NULL ? p : probe_find("tls");
}

void
conn_start(struct engine *eng, const struct target *t)
{
	struct conn *c = conn_alloc(eng);

	c->eng = eng;
	c->tgt = *t;
	c->probe = conn_pick_probe(eng->cfg, t->port);
	c->use_openssl = eng->cfg->grab == GRAB_OPENSSL;
	c->fd = -1;
	c->t0 = engine_now();
	LIST_INSERT_HEAD(&eng->conns, c, entry);
	evtimer_assign(&c->tmo, eng->base, conn_tmo_cb, c);
	/* A kept socket (conn_keep_socket()) serves a raw grab of an address
	 * of its family, in conn_connect(); else it goes. */
	if (!raw_hello(c) || t->family != c->spare_family)
		conn_drop_socket(c);
	if (c->spare_fd == -1)
		event_assign(&c->io, eng->base, -1, EV_WRITE, conn_io_cb, c);
	conn_init_obs(c);
	if (t->family == AF_UNSPEC) {
		conn_resolve(c);
	} else if (t->family == AF_INET) {
		struct sockaddr_in in = { .sin_family = AF_INET };

		memcpy(&in.sin_addr, t->addr, 4);
		conn_set_addr(c, (struct sockaddr *)&in, sizeof(in));
		conn_connect(c);
	} else {
		struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };

		memcpy(&in6.sin6_addr, t->addr, 16);
		conn_set_addr(c, (struct sockaddr *)&in6, sizeof(in6));
		conn_connect(c);
	}
}
