/*
 * cmd_sniff.c: certsweep sniff -r FILE | -i IFACE: passive discovery.
 *
 * capture (libpcap) -> passive (flows, tlswire, fingerprints) -> the same
 * pipeline as active sweeps (analysis at the observation's own time, so
 * a 2014 capture is judged as of 2014; store; JSON).  Everything that
 * needs privileges - the database, stdout's writer, --emit-targets - is
 * opened before the device, because capture_open_live() drops root.
 *
 * A connection equal to an earlier one of the run (same server, names,
 * TLS facts, client and server fingerprints, chain) is counted, not
 * analysed or stored again: one observation per endpoint state per sweep.
 *
 * Endings (README, "Passive discovery"):
 *   end of file, --duration, or a signal during a live capture: 0 (or 1
 *     with --fail-on);
 *   a signal while reading a file: 130, the observations so far kept;
 *   a damaged file (truncated, corrupt header): capture.c names the file
 *     and the frame; what came before is flushed and kept; exit 3;
 *   the database or stdout failing: exit 3.
 */
#include "scanner/commands.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probes/passive.h"
#include "scanner/capture.h"
#include "scanner/log.h"
#include "scanner/pipeline.h"
#include "scanner/xmem.h"

#define EMIT_KEY	64		/* "[v6 address]:65535" fits */
#define EMIT_MAX	(1u << 20)	/* endpoints remembered for
					   --emit-targets de-duplication */

/* The endpoints already written to --emit-targets: open addressing. */
struct emit_set {
	char		(*keys)[EMIT_KEY];
	size_t		 cap;		/* a power of two */
	size_t		 n;
	bool		 full_warned;
};

struct sniff {
	const struct config	*cfg;
	struct pipeline		*pl;
	struct capture		*cap;
	FILE			*emit;
	struct emit_set		 seen;
	uint64_t		 nobs;
	uint64_t		 nok;
	bool			 failed;	/* store, stdout or emit file */
};

static uint64_t
key_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	return h;
}

static void
emit_set_grow(struct emit_set *es)
{
	char (*old)[EMIT_KEY] = es->keys;
	size_t oldcap = es->cap, i, j;

	es->cap = oldcap == 0 ? 1024 : oldcap * 2;
	es->keys = xcalloc(es->cap, sizeof(*es->keys));
	for (i = 0; i < oldcap; i++) {
		if (old[i][0] == '\0')
			continue;
		j = key_hash(old[i]) & (es->cap - 1);
		while (es->keys[j][0] != '\0')
			j = (j + 1) & (es->cap - 1);
		memcpy(es->keys[j], old[i], EMIT_KEY);
	}
	free(old);
}

/* Adds key; false when it was there already (or the set is full). */
static bool
emit_set_add(struct emit_set *es, const char *key)
{
	size_t j;

	if (es->n >= EMIT_MAX) {
		if (!es->full_warned)
			log_warn("--emit-targets: more than %u endpoints; "
			    "the rest are not written", EMIT_MAX);
		es->full_warned = true;
		return false;
	}
	if (2 * (es->n + 1) > es->cap)
		emit_set_grow(es);
	j = key_hash(key) & (es->cap - 1);
	while (es->keys[j][0] != '\0') {
		if (strcmp(es->keys[j], key) == 0)
			return false;
		j = (j + 1) & (es->cap - 1);
	}
	snprintf(es->keys[j], EMIT_KEY, "%s", key);
	es->n++;
	return true;
}

/*
 * One line per server endpoint, "ip:port" or "[ip6]:port", in the form
 * `certsweep scan -iL` reads; the SNI the client asked for follows as a
 * comment (a scan of the address would need --sni to ask the same).
 */
static void
emit_target(struct sniff *s, const struct observation *o)
{
	char key[EMIT_KEY];

	if (s->emit == NULL || o->ip[0] == '\0' || o->port == 0)
		return;
	snprintf(key, sizeof(key), strchr(o->ip, ':') != NULL ? "[%s]:%u" :
	    "%s:%u", o->ip, o->port);
	if (!emit_set_add(&s->seen, key))
		return;
	if ((o->sni[0] != '\0' ? fprintf(s->emit, "%s # sni %s\n", key,
	    o->sni) : fprintf(s->emit, "%s\n", key)) < 0 && !s->failed) {
		log_error("--emit-targets %s: %s", s->cfg->emit_targets,
		    strerror(errno));
		s->failed = true;
	}
}

/* passive_emit_fn: one observation through the common pipeline. */
static void
on_observation(struct observation *o, void *arg)
{
	struct sniff *s = arg;

	s->nobs++;
	if (o->status == SCAN_OK)
		s->nok++;
	pipeline_analyze(s->pl, o);
	if (pipeline_record(s->pl, o) == -1) {
		s->failed = true;
		capture_stop(s->cap);
		return;
	}
	emit_target(s, o);
}

static void
on_packet(const struct pkt *p, void *arg)
{
	(void)passive_packet(arg, p);
}

/* Created 0600 like the database: the endpoints of a network. */
static FILE *
open_emit(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f;

	if (fd == -1 || (f = fdopen(fd, "w")) == NULL) {
		log_error("--emit-targets %s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	return f;
}

static void
summary(struct sniff *s, struct passive *ps)
{
	struct capture_stats cs;
	struct passive_stats st;

	capture_get_stats(s->cap, &cs);
	passive_get_stats(ps, &st);
	log_info("sniff %s: %llu packets (%.1f MB), %llu TCP segments; "
	    "%llu flows (%llu evicted, %llu idle, %llu gaps), %llu TLS "
	    "(%llu after STARTTLS); %llu observations, %llu ok, %llu repeats "
	    "not stored again; %llu parse "
	    "errors, %llu bad certificates; %llu dropped by the kernel",
	    capture_source(s->cap), (unsigned long long)cs.frames,
	    (double)cs.bytes / 1e6, (unsigned long long)cs.rc[CAPTURE_TCP],
	    (unsigned long long)st.flow.flows_created,
	    (unsigned long long)st.flow.flows_evicted,
	    (unsigned long long)st.flow.flows_idle,
	    (unsigned long long)st.flow.gaps,
	    (unsigned long long)st.tls_flows,
	    (unsigned long long)st.starttls_flows,
	    (unsigned long long)st.observations,
	    (unsigned long long)s->nok,
	    (unsigned long long)st.duplicates,
	    (unsigned long long)st.parse_errors,
	    (unsigned long long)st.bad_certs,
	    (unsigned long long)cs.kernel_drop);
}

/* Captures until the end; returns -1 on a damaged file. */
static int
sniff_run(struct sniff *s, bool *interrupted)
{
	struct passive_opts po = { .dedupe = true };
	struct passive *ps = passive_new(&po, on_observation, s);
	int rc;

	rc = capture_loop(s->cap, on_packet, ps);
	*interrupted = capture_interrupted(s->cap);
	if (rc == -1)
		log_error("%s: damaged capture: stopped there; the "
		    "observations before it are kept",
		    capture_source(s->cap));
	/* Flows still open (the file ended, or we stopped) give what they
	 * have: everything before a damaged frame is kept. */
	if (!s->failed)
		passive_flush(ps);
	summary(s, ps);
	passive_free(ps);
	return rc;
}

static int
sniff_open(struct sniff *s)
{
	const struct config *cfg = s->cfg;
	struct capture_opts co = {
		.bpf = cfg->bpf,
		.snaplen = cfg->snaplen,
		.duration = cfg->duration > 0 ? (int64_t)ceil(cfg->duration) :
		    0,
		.user = cfg->user,
	};

	if (cfg->emit_targets != NULL &&
	    (s->emit = open_emit(cfg->emit_targets)) == NULL)
		return -1;
	s->cap = cfg->read_file != NULL ?
	    capture_open_offline(cfg->read_file, &co) :
	    capture_open_live(cfg->iface, &co);
	return s->cap != NULL ? 0 : -1;
}

static int
sniff_close_emit(struct sniff *s)
{
	int rc = 0;

	if (s->emit != NULL && fclose(s->emit) == EOF) {
		log_error("--emit-targets %s: %s", s->cfg->emit_targets,
		    strerror(errno));
		rc = -1;
	}
	s->emit = NULL;
	free(s->seen.keys);
	return rc;
}

int
cmd_sniff(const struct config *cfg)
{
	struct sniff s = { .cfg = cfg };
	char err[512];
	bool interrupted = false;
	int rc, run = 0, erc;

	s.pl = pipeline_new(cfg, "passive", PIPE_STORE | PIPE_VERIFY |
	    (cfg->json ? PIPE_JSON : 0), &rc, err, sizeof(err));
	if (s.pl == NULL) {
		log_error("%s", err);
		return rc;
	}
	if (sniff_open(&s) == -1) {
		(void)sniff_close_emit(&s);
		(void)pipeline_finish(s.pl, 0, 0);
		return EXIT_RUNTIME;
	}
	run = sniff_run(&s, &interrupted);
	capture_close(s.cap);
	erc = sniff_close_emit(&s);
	rc = pipeline_finish(s.pl, s.nobs, s.nok);
	if (rc == EXIT_OK || rc == EXIT_FINDINGS) {
		if (run == -1 || erc == -1 || s.failed)
			rc = EXIT_RUNTIME;
		else if (interrupted && cfg->read_file != NULL)
			rc = EXIT_INTERRUPTED;
	}
	return rc;
}
