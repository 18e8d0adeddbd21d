/*
 * pipeline.c: analysis, history, store and writers for every observation
 * (pipeline.h says which part runs where).
 */
#include "scanner/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/store.h"
#include "report/report.h"
#include "scanner/cert.h"
#include "scanner/geo.h"
#include "scanner/log.h"
#include "scanner/ocsp_live.h"
#include "scanner/policy.h"
#include "scanner/resume.h"
#include "scanner/tlsjudge.h"
#include "scanner/verify.h"
#include "scanner/xmem.h"

struct pipeline {
	const struct config	*cfg;
	struct store		*store;
	int64_t			 scan_id;
	struct report		*json;
	struct policy		*policy;
	struct verify_ctx	*vctx;
	struct geo		*geo;
	struct ocsp_live	*live;		/* --ocsp */
	int			 worst;		/* severity, -1 none */
	bool			 failed;	/* store or stdout */
	bool			 interrupted;	/* leave the sweep unfinished */
	struct resume_set	*done;		/* --resume: recorded already */
	uint64_t		 prev_endpoints, prev_ok;	/* in it */
};

static int
pipeline_load_policy(struct pipeline *pl, char *err, size_t errlen)
{
	const struct config *cfg = pl->cfg;
	char perr[512];

	pl->policy = policy_new_default();
	if (cfg->policy_path != NULL &&
	    policy_load(pl->policy, cfg->policy_path, perr,
	    sizeof(perr)) == -1) {
		snprintf(err, errlen, "--policy: %s; see samples/policy.ini "
		    "for the format", perr);
		return -1;
	}
	if (cfg->expiring_days > 0)
		policy_set_expiring_days(pl->policy, cfg->expiring_days);
	return 0;
}

static int
pipeline_verify(struct pipeline *pl, char *err, size_t errlen)
{
	const struct config *cfg = pl->cfg;
	struct verify_opts vo = {
		.ca_file = cfg->ca_file,
		.ca_dir = cfg->ca_dir,
		.system_store = cfg->ca_file == NULL && cfg->ca_dir == NULL,
		.crl_files = cfg->crls,
		.ncrl_files = cfg->ncrls,
		.pool_files = cfg->intermediates != NULL ?
		    &cfg->intermediates : NULL,
		.npool_files = cfg->intermediates != NULL ? 1 : 0,
		.at = cfg->at,
	};

	pl->vctx = verify_ctx_new(&vo, err, errlen);
	return pl->vctx != NULL ? 0 : -1;
}

static int
resume_add(void *arg, const char *ip, const char *hostname, uint16_t port,
    bool ok)
{
	struct pipeline *pl = arg;

	(void)resume_set_add(pl->done, ip, hostname, port);
	pl->prev_endpoints++;
	pl->prev_ok += ok;
	return 0;
}

/* --resume: the latest unfinished sweep of these arguments, and what it
 * recorded; *scan_id 0 when there is none. */
static int
pipeline_resume(struct pipeline *pl, const char *kind, const char *args)
{
	if (store_scan_unfinished(pl->store, kind, args, &pl->scan_id) == -1)
		return -1;
	if (pl->scan_id == 0) {
		log_info("--resume: no interrupted sweep of these targets in "
		    "%s; starting a new one", pl->cfg->db_path);
		return 0;
	}
	pl->done = resume_set_new();
	if (store_scan_observed(pl->store, pl->scan_id, resume_add,
	    pl) == -1)
		return -1;
	log_info("--resume: finishing sweep %lld of %s: %llu endpoints "
	    "already recorded", (long long)pl->scan_id, pl->cfg->db_path,
	    (unsigned long long)pl->prev_endpoints);
	return 0;
}

static int
pipeline_store(struct pipeline *pl, const char *kind, bool resume,
    char *err, size_t errlen)
{
	/* Stored without --resume, so that any run (even a first one with
	 * --resume, as a job runner restarts it) can be resumed. */
	char *args = resume_args(pl->cfg->arguments);
	int rc = -1;

	if (store_open(&pl->store, pl->cfg->db_path, err, errlen) == -1)
		goto out;
	if (resume && pipeline_resume(pl, kind, args) == -1)
		goto fail;
	if (pl->scan_id == 0 && store_scan_begin(pl->store, kind, args,
	    (int64_t)time(NULL), &pl->scan_id) == -1)
		goto fail;
	rc = 0;
	goto out;
 fail:
	snprintf(err, errlen, "%s", store_errmsg(pl->store));
 out:
	free(args);
	return rc;
}

static void
pipeline_free(struct pipeline *pl)
{
	if (pl == NULL)
		return;
	if (pl->json != NULL)
		(void)report_close(pl->json);
	(void)store_close(pl->store);
	policy_free(pl->policy);
	verify_ctx_free(pl->vctx);
	geo_close(pl->geo);
	resume_set_free(pl->done);
	ocsp_live_free(pl->live);
	free(pl);
}

struct pipeline *
pipeline_new(const struct config *cfg, const char *kind, unsigned flags,
    int *rc, char *err, size_t errlen)
{
	struct pipeline *pl = xcalloc(1, sizeof(*pl));
	char warn[1024];

	pl->cfg = cfg;
	pl->worst = -1;
	*rc = EXIT_USAGE;
	if (pipeline_load_policy(pl, err, errlen) == -1)
		goto fail;
	if ((flags & PIPE_VERIFY) && pipeline_verify(pl, err, errlen) == -1)
		goto fail;
	if (cfg->geoip_city != NULL || cfg->geoip_asn != NULL) {
		warn[0] = '\0';
		pl->geo = geo_open(cfg->geoip_city, cfg->geoip_asn, warn,
		    sizeof(warn));
		if (warn[0] != '\0')
			log_warn("%s", warn);
	}
	if (cfg->ocsp && pl->vctx != NULL)
		pl->live = ocsp_live_new(cfg->timeout);
	*rc = EXIT_RUNTIME;
	if ((flags & PIPE_STORE) && pipeline_store(pl, kind,
	    (flags & PIPE_RESUME) != 0, err, errlen) == -1)
		goto fail;
	if ((flags & (PIPE_JSON | PIPE_TEXT)) && (pl->json =
	    report_open(flags & PIPE_JSON ? "jsonl" : "text", stdout)) ==
	    NULL) {
		snprintf(err, errlen, "cannot start the output writer");
		goto fail;
	}
	*rc = EXIT_OK;
	return pl;
fail:
	pipeline_free(pl);
	return NULL;
}

/*
 * OCSP about the leaf, judged at the chain's instant: the stapled
 * response; with --ocsp, the responder's answer when nothing usable was
 * stapled (blocking: up to OCSP_LIVE_MAX_TIMEOUT s per new certificate).
 */
static void
pipeline_ocsp(const struct pipeline *pl, struct observation *obs, int64_t at)
{
	uint8_t	*der = NULL;
	size_t	 len = 0;
	char	 err[256];

	if (pl->vctx == NULL || obs->status != SCAN_OK || obs->chain_len == 0)
		return;
	if (obs->ocsp_staple_len > 0 && policy_evaluate_ocsp(pl->policy,
	    pl->vctx, obs, obs->ocsp_staple, obs->ocsp_staple_len, at) == -1)
		log_debug("%s:%u: the stapled OCSP response does not parse",
		    obs->ip, obs->port);
	if (pl->live == NULL || (obs->ocsp_status[0] != '\0' &&
	    strcmp(obs->ocsp_status, "invalid") != 0))
		return;
	if (ocsp_live_query(pl->live, pl->vctx, obs->chain, obs->chain_len,
	    &der, &len, err, sizeof(err)) == -1) {
		log_debug("%s:%u: no live OCSP answer: %s", obs->ip,
		    obs->port, err);
		return;
	}
	obs->ocsp_live = true;
	if (policy_evaluate_ocsp(pl->policy, pl->vctx, obs, der, len,
	    at) == -1)
		log_debug("%s:%u: the OCSP responder's answer does not parse",
		    obs->ip, obs->port);
	free(der);
}

void
pipeline_analyze(const struct pipeline *pl, struct observation *obs)
{
	int64_t at = pl->cfg->at != 0 ? pl->cfg->at : obs->time;

	if (obs->status == SCAN_OK && obs->chain_len > 0 &&
	    policy_evaluate(pl->policy, pl->vctx, obs, at) == -1)
		log_debug("%s:%u: the chain could not be analysed", obs->ip,
		    obs->port);
	pipeline_ocsp(pl, obs, at);
	if (obs->tlsenum != NULL)
		tlsjudge_evaluate(pl->policy, obs);
	if (obs->injected > 0)
		policy_finding_add(obs, pl->policy, "starttls.injection", -1,
		    "the %s server sent %u bytes of plaintext after agreeing "
		    "to start TLS", obs->protocol, obs->injected);
	if (pl->geo != NULL && obs->ip[0] != '\0')
		(void)geo_lookup(pl->geo, obs->ip, &obs->geo);
}

/* cert.changed: this endpoint's leaf differs from its previous sweep's. */
static int
rule_changed(struct pipeline *pl, struct observation *obs,
    const char *leaf, char prev[65])
{
	int r;

	r = store_prev_leaf(pl->store, obs->ip, obs->port, obs->sni,
	    obs->protocol, pl->scan_id, prev);
	if (r == -1)
		return -1;
	if (r == 1 && strcmp(prev, leaf) != 0)
		policy_finding_add(obs, pl->policy, "cert.changed", 0,
		    "the leaf was %.16s..., now %.16s...", prev, leaf);
	if (r == 0)
		prev[0] = '\0';
	return 0;
}

/* cert.shared_key: another endpoint's latest leaf has the same key. */
static int
rule_shared_key(struct pipeline *pl, struct observation *obs,
    const char *leaf, const char *prev)
{
	char spki[65];
	int64_t n;

	cert_hex(obs->chain[0].spki_sha256, CERT_SHA256_LEN, spki);
	if (store_spki_endpoints(pl->store, spki, &n) == -1)
		return -1;
	if (prev[0] != '\0' && strcmp(prev, leaf) == 0 && n > 0)
		n--;	/* this endpoint itself, from its last sweep */
	if (n > 0)
		policy_finding_add(obs, pl->policy, "cert.shared_key", 0,
		    "the same key (SPKI %.16s...) is also on another endpoint",
		    spki);
	return 0;
}

static int
pipeline_history(struct pipeline *pl, struct observation *obs)
{
	char leaf[65], prev[65];

	if (pl->store == NULL || obs->status != SCAN_OK ||
	    obs->chain_len == 0)
		return 0;
	cert_hex(obs->chain[0].sha256, CERT_SHA256_LEN, leaf);
	if (rule_changed(pl, obs, leaf, prev) == -1 ||
	    rule_shared_key(pl, obs, leaf, prev) == -1)
		return -1;
	return 0;
}

/* stdout failed: say so once and stop the sweep. */
static int
json_failed(struct pipeline *pl)
{
	log_error("cannot write JSON to standard output; stopping "
	    "(results so far are in the database)");
	pl->failed = true;
	return -1;
}

int
pipeline_record(struct pipeline *pl, struct observation *obs)
{
	if (pl->failed)
		return -1;
	if (pipeline_history(pl, obs) == -1 || (pl->store != NULL &&
	    store_add_observation(pl->store, pl->scan_id, obs) == -1)) {
		log_error("%s", store_errmsg(pl->store));
		pl->failed = true;
		return -1;
	}
	for (size_t i = 0; i < obs->nfindings; i++)
		if ((int)obs->findings[i].severity > pl->worst)
			pl->worst = (int)obs->findings[i].severity;
	if (pl->json != NULL && report_emit(pl->json, obs) == -1)
		return json_failed(pl);
	return 0;
}

int
pipeline_flush(struct pipeline *pl)
{
	if (pl->failed)
		return -1;
	if (pl->json != NULL && report_flush(pl->json) == -1)
		return json_failed(pl);
	return 0;
}

bool
pipeline_skip(const struct pipeline *pl, const struct target *t)
{
	return pl->done != NULL && resume_set_has(pl->done, t);
}

void
pipeline_set_interrupted(struct pipeline *pl)
{
	pl->interrupted = true;
}

const struct policy *
pipeline_policy(const struct pipeline *pl)
{
	return pl->policy;
}

int
pipeline_worst(const struct pipeline *pl)
{
	return pl->worst;
}

int
pipeline_finish(struct pipeline *pl, uint64_t endpoints, uint64_t ok)
{
	int rc = EXIT_OK;

	if (pl->json != NULL && report_close(pl->json) == -1)
		rc = EXIT_RUNTIME;
	pl->json = NULL;
	if (pl->store != NULL && !pl->failed && !pl->interrupted &&
	    store_scan_end(pl->store, pl->scan_id, (int64_t)time(NULL),
	    endpoints + pl->prev_endpoints, ok + pl->prev_ok) == -1) {
		log_error("%s", store_errmsg(pl->store));
		rc = EXIT_RUNTIME;
	}
	if (pl->store != NULL && store_close(pl->store) == -1 &&
	    rc == EXIT_OK) {
		log_error("database %s: the last batch could not be written",
		    pl->cfg->db_path);
		rc = EXIT_RUNTIME;
	}
	pl->store = NULL;
	if (pl->failed)
		rc = EXIT_RUNTIME;
	if (rc == EXIT_OK && pl->cfg->fail_on >= 0 &&
	    pl->worst >= pl->cfg->fail_on)
		rc = EXIT_FINDINGS;
	pipeline_free(pl);
	return rc;
}
