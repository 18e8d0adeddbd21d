/*
 * store_bench.c: CPU the inventory costs per observation (make
 * store-bench; tests/bench/bench.sh runs it too).
 *
 *   build/store_bench [-1] [-n N] [-r RUNS] [-s SWEEPS] [-d DIR]
 *
 * Builds N (default 20,000) observations shaped like a sweep of the
 * loopback lab: a distinct address per endpoint, port 8443, status ok, a
 * one-certificate chain (its own ECDSA P-256 key and a unique ~480-byte
 * DER, signed in-process by one CA and parsed by cert_record_from_der_lite
 * as the raw grab does) and one finding, cert.untrusted.  Then, RUNS times
 * (default 3) on a fresh database in DIR (default $TMPDIR or /tmp):
 *   fresh:  pipeline_new, pipeline_record of all N, pipeline_finish;
 *   again:  the same N endpoints and certificates in a second sweep, so
 *           that the history rules find the first one's rows (not with
 *           -1: fresh sweeps only, e.g. under callgrind).  With -s SWEEPS
 *           (default 2), SWEEPS - 2 sweeps come between, each a day
 *           later, and "again" is the last: each prints its own figure,
 *           so the cost of a longer history shows.
 * Prints user+sys CPU (getrusage) per observation for each, the median
 * and best of the runs.  Building the inputs is not counted.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "db/store.h"
#include "scanner/cert.h"
#include "scanner/config.h"
#include "scanner/pipeline.h"
#include "scanner/policy.h"
#include "scanner/record.h"
#include "scanner/xmem.h"

#define BASE_TIME	1700000000

static void
die(const char *what)
{
	fprintf(stderr, "store_bench: %s\n", what);
	exit(1);
}

static double sys_total;	/* system CPU seconds inside sweep() */
static long faults[2];		/* minor page faults: fresh, again */

static double
sys_now(long *minflt)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		die("getrusage failed");
	*minflt = ru.ru_minflt;
	return (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double
cpu_now(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		die("getrusage failed");
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, NULL, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL ||
	    X509_add_ext(x, ext, -1) != 1)
		die("cannot add an extension");
	X509_EXTENSION_free(ext);
}

/* Leaf i: its own P-256 key, CN and SAN b<i>.bench.test, signed by ca. */
static void
make_leaf(struct cert_record *rec, unsigned i, const char *ip, EVP_PKEY *ca,
    const X509_NAME *issuer)
{
	EVP_PKEY *key;
	X509_NAME *name;
	X509 *x;
	unsigned char *der = NULL;
	char cn[64], san[128];
	int len;

	snprintf(cn, sizeof(cn), "b%u.bench.test", i);
	snprintf(san, sizeof(san), "DNS:%s,IP:%s", cn, ip);
	if ((key = EVP_EC_gen("P-256")) == NULL || (x = X509_new()) == NULL)
		die("cannot make a key");
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set_int64(X509_get_serialNumber(x), 0x10000 + i);
	X509_time_adj_ex(X509_getm_notBefore(x), 0, 0,
	    &(time_t){ BASE_TIME - 86400 });
	X509_time_adj_ex(X509_getm_notAfter(x), 397, 0,
	    &(time_t){ BASE_TIME });
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer);
	X509_set_pubkey(x, key);
	add_ext(x, NID_subject_alt_name, san);
	add_ext(x, NID_basic_constraints, "critical,CA:FALSE");
	add_ext(x, NID_key_usage, "critical,digitalSignature");
	add_ext(x, NID_ext_key_usage, "serverAuth");
	if (X509_sign(x, ca, EVP_sha256()) == 0 ||
	    (len = i2d_X509(x, &der)) <= 0)
		die("cannot sign a leaf");
	if (cert_record_from_der_lite(rec, der, (size_t)len) == -1)
		die("cert_record_from_der_lite refused a leaf");
	OPENSSL_free(der);
	X509_free(x);
	EVP_PKEY_free(key);
}

static void
make_inputs(struct observation *obs, unsigned n)
{
	EVP_PKEY *ca;
	X509_NAME *issuer;

	if ((ca = EVP_EC_gen("P-256")) == NULL ||
	    (issuer = X509_NAME_new()) == NULL)
		die("cannot make the CA");
	X509_NAME_add_entry_by_txt(issuer, "CN", MBSTRING_ASC,
	    (const unsigned char *)"certsweep bench CA", -1, -1, 0);
	for (unsigned i = 0; i < n; i++) {
		struct observation *o = &obs[i];

		memset(o, 0, sizeof(*o));
		o->source = OBS_ACTIVE;
		snprintf(o->ip, sizeof(o->ip), "10.%u.%u.%u", (i >> 16) & 255,
		    (i >> 8) & 255, i & 255);
		o->port = 8443;
		o->protocol = "tls";
		o->status = SCAN_OK;
		snprintf(o->version, sizeof(o->version), "TLSv1.2");
		snprintf(o->cipher, sizeof(o->cipher),
		    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
		snprintf(o->group, sizeof(o->group), "x25519");
		o->raw = true;
		o->verify_code = X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
		snprintf(o->verify_reason, sizeof(o->verify_reason),
		    "unable to get local issuer certificate");
		o->name_match = -1;
		o->chain = xcalloc(1, sizeof(*o->chain));
		o->chain_len = 1;
		make_leaf(o->chain, i, o->ip, ca, issuer);
	}
	X509_NAME_free(issuer);
	EVP_PKEY_free(ca);
}

/* The sweep's own part of each observation: its time and the one finding
 * the analysis would have added (the history rules add theirs). */
static void
reset_inputs(struct observation *obs, unsigned n, const struct policy *p,
    int64_t when)
{
	for (unsigned i = 0; i < n; i++) {
		struct observation *o = &obs[i];

		free(o->findings);
		o->findings = NULL;
		o->nfindings = 0;
		o->time = when + i / 2000;
		o->handshake_ms = 1.0 + (i % 100) / 10.0;
		if (policy_finding_add(o, p, "cert.untrusted", 0,
		    "unable to get local issuer certificate") == -1)
			die("no rule cert.untrusted");
	}
}

/* CPU seconds of one sweep's parts: pipeline_new, the n
 * pipeline_record calls, pipeline_finish. */
struct parts {
	double	open, record, finish;
};

/* One sweep of all n through the pipeline; CPU seconds. */
static double
sweep(const char *path, struct observation *obs, unsigned n, int64_t when,
    unsigned *nfindings, struct parts *pt)
{
	struct config cfg;
	struct pipeline *pl;
	struct policy *pol;
	char err[512];
	double t0, t1, t2, t3, s0;
	long f0, f1;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	cfg.db_path = path;
	cfg.fail_on = -1;
	cfg.arguments = xstrdup("scan -iL bench");
	pol = policy_new_default();
	reset_inputs(obs, n, pol, when);
	policy_free(pol);
	s0 = sys_now(&f0);
	t0 = cpu_now();
	if ((pl = pipeline_new(&cfg, "active", PIPE_STORE, &rc, err,
	    sizeof(err))) == NULL)
		die(err);
	t1 = cpu_now();
	for (unsigned i = 0; i < n; i++)
		if (pipeline_record(pl, &obs[i]) == -1)
			die("pipeline_record failed");
	t2 = cpu_now();
	if (pipeline_finish(pl, n, n) != EXIT_OK)
		die("pipeline_finish failed");
	t3 = cpu_now();
	sys_total += sys_now(&f1) - s0;
	faults[when != BASE_TIME] += f1 - f0;
	pt->open += t1 - t0;
	pt->record += t2 - t1;
	pt->finish += t3 - t2;
	*nfindings = 0;
	for (unsigned i = 0; i < n; i++)
		*nfindings += (unsigned)obs[i].nfindings;
	free(cfg.arguments);
	return t3 - t0;
}

/* Sweep k (2 .. SWEEPS - 1) of -s: printed, left out of the totals. */
static void
between(const char *path, struct observation *obs, unsigned n, unsigned k,
    unsigned *nfindings)
{
	struct parts p = { 0, 0, 0 };
	double sys = sys_total;
	long f = faults[1];

	printf("store_bench: sweep %u: %.1f us/obs\n", k, sweep(path, obs, n,
	    BASE_TIME + 86400 * (k - 1), nfindings, &p) * 1e6 / n);
	sys_total = sys;
	faults[1] = f;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
rm_db(const char *path)
{
	char p[1100];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

int
main(int argc, char **argv)
{
	const char *base = getenv("TMPDIR");
	struct observation *obs;
	unsigned n = 20000, runs = 3, sweeps = 2, f1 = 0, f2 = 0;
	bool fresh_only = false;
	struct parts pf = { 0, 0, 0 }, pa = { 0, 0, 0 };
	double *fresh, *again, t0;
	char dir[1024], path[1060];
	int ch;

	setvbuf(stdout, NULL, _IOLBF, 0);
	store_library_init();		/* as main() does */
	if (base == NULL || *base == '\0')
		base = "/tmp";
	while ((ch = getopt(argc, argv, "1d:n:r:s:")) != -1) {
		switch (ch) {
		case '1':
			fresh_only = true;
			break;
		case 'd':
			base = optarg;
			break;
		case 'n':
			n = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			runs = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 's':
			sweeps = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: store_bench [-1] [-n N] [-r RUNS] "
			    "[-s SWEEPS] [-d DIR]\n");
			return 2;
		}
	}
	if (n == 0 || n > 1u << 24 || runs == 0 || runs > 100 || sweeps < 2 ||
	    sweeps > 1000)
		die("-n 1 .. 16777216, -r 1 .. 100, -s 2 .. 1000");
	snprintf(dir, sizeof(dir), "%s/store_bench.XXXXXX", base);
	if (mkdtemp(dir) == NULL)
		die("cannot make a temporary directory (-d DIR)");
	snprintf(path, sizeof(path), "%s/inv.db", dir);

	t0 = cpu_now();
	obs = xcalloc(n, sizeof(*obs));
	make_inputs(obs, n);
	fprintf(stderr, "store_bench: %u inputs built in %.1f s CPU (not "
	    "counted)\n", n, cpu_now() - t0);

	fresh = xcalloc(runs, sizeof(*fresh));
	again = xcalloc(runs, sizeof(*again));
	for (unsigned r = 0; r < runs; r++) {
		rm_db(path);
		fresh[r] = sweep(path, obs, n, BASE_TIME, &f1, &pf) * 1e6 / n;
		for (unsigned k = 2; !fresh_only && k < sweeps; k++)
			between(path, obs, n, k, &f2);
		if (!fresh_only)
			again[r] = sweep(path, obs, n, BASE_TIME + 86400 *
			    (sweeps - 1), &f2, &pa) * 1e6 / n;
		printf("store_bench: run %u: fresh %.1f us/obs, again (sweep "
		    "%u) %.1f us/obs\n", r + 1, fresh[r], sweeps, again[r]);
	}
	qsort(fresh, runs, sizeof(*fresh), cmp_double);
	qsort(again, runs, sizeof(*again), cmp_double);
	printf("store_bench: %u observations, CPU (user+sys) per observation, "
	    "median (best, mean) of %u: fresh DB %.1f (%.1f, %.1f) us, sweep "
	    "%u %.1f (%.1f, %.1f) us; findings %u, %u\n", n, runs,
	    fresh[runs / 2], fresh[0], (pf.open + pf.finish) * 1e6 / runs / n +
	    pf.record * 1e6 / runs / n, sweeps, again[runs / 2], again[0],
	    (pa.open + pa.finish) * 1e6 / runs / n + pa.record * 1e6 / runs / n,
	    f1, f2);

	printf("store_bench: mean CPU of the parts: fresh: open %.1f ms, "
	    "record %.1f us/obs, finish %.1f ms; again: open %.1f ms, record "
	    "%.1f us/obs, finish %.1f ms; %.0f%% of it system time; page "
	    "faults per observation %.2f, %.2f\n",
	    pf.open * 1e3 / runs, pf.record * 1e6 / runs / n,
	    pf.finish * 1e3 / runs, pa.open * 1e3 / runs,
	    pa.record * 1e6 / runs / n, pa.finish * 1e3 / runs, 100 *
	    sys_total / (pf.open + pf.record + pf.finish + pa.open +
	    pa.record + pa.finish), (double)faults[0] / runs / n,
	    (double)faults[1] / runs / n);
	rm_db(path);
	rmdir(dir);
	for (unsigned i = 0; i < n; i++)
		observation_clear(&obs[i]);
	free(obs);
	free(fresh);
	free(again);
	return 0;
}
