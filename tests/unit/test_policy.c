/*
 * test_policy.c: scanner/policy*.c and scanner/verify.c.
 *  - every row of tests/data/badssl-expected.tsv and
 *    zlint-sample-expected.tsv, each judged at the time its row speaks of
 *    (now for "expired", inside the leaf's validity for the rest), against
 *    the 2014 Mozilla roots, through the path of 'certsweep inspect
 *    --json': inspect_file(), pipeline_analyze(), the JSON lines writer,
 *    and the findings read back from the JSON;
 *  - every rule fired, and not fired, on certificates that
 *    samples/mkdefects.sh makes into a temporary directory at setup;
 *  - the policy file: overrides, disabled rules, errors with file:line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "scanner/cert.h"
#include "report/report.h"
#include "scanner/config.h"
#include "scanner/inspect.h"
#include "scanner/pipeline.h"
#include "scanner/policy.h"
#include "scanner/verify.h"

#define DAY	86400

struct fixture {
	char	 dir[256];	/* mkdefects.sh output */
	char	 src[1024];	/* tests/data */
};

static const char *
src_dir(void)
{
	const char *s = getenv("CERTSWEEP_SRC");

	return s != NULL ? s : ".";
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char	 cmd[1024];

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/certsweep-policy-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->src, sizeof(f->src), "%s/tests/data", src_dir());
	snprintf(cmd, sizeof(cmd), "%s/samples/mkdefects.sh %s >/dev/null",
	    src_dir(), f->dir);
	if (system(cmd) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char	 cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void
load(const char *dir, const char *name, struct observation *obs)
{
	char	 path[1024], err[256];
	struct inspect_opts o = { .password_env = NULL };

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (inspect_file(path, &o, obs, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_true(obs->chain_len > 0);
}

/* A finding for rule ("cert.x" or "cert.x@DEPTH"), or NULL. */
static const struct finding *
find(const struct observation *obs, const char *spec)
{
	char	 rule[64];
	const char *at = strchr(spec, '@');
	int	 depth = at != NULL ? atoi(at + 1) : -2;

	snprintf(rule, sizeof(rule), "%.*s", at != NULL ? (int)(at - spec) :
	    (int)strlen(spec), spec);
	for (size_t i = 0; i < obs->nfindings; i++)
		if (strcmp(obs->findings[i].rule, rule) == 0 &&
		    (depth == -2 || obs->findings[i].depth == depth))
			return &obs->findings[i];
	return NULL;
}

static void
dump(const char *what, const struct observation *obs)
{
	fprintf(stderr, "-- %s: %zu findings\n", what, obs->nfindings);
	for (size_t i = 0; i < obs->nfindings; i++)
		fprintf(stderr, "   %s@%d %s: %s\n", obs->findings[i].rule,
		    obs->findings[i].depth,
		    severity_name(obs->findings[i].severity),
		    obs->findings[i].detail);
}

static struct verify_ctx *
vctx_new(const char *ca_file, const char *pool, const char *crl)
{
	struct verify_opts o = { .ca_file = ca_file };
	const char *pools[1] = { pool }, *crls[1] = { crl };
	char	 err[256];
	struct verify_ctx *v;

	if (pool != NULL) {
		o.pool_files = pools;
		o.npool_files = 1;
	}
	if (crl != NULL) {
		o.crl_files = crls;
		o.ncrl_files = 1;
	}
	v = verify_ctx_new(&o, err, sizeof(err));
	if (v == NULL)
		fail_msg("%s", err);
	return v;
}

/* ---- badssl and zlint rows ----------------------------------------- */

enum at { AT_NOW, AT_INSIDE };
enum trust { NO_VERIFY, MOZ, MOZ_POOL };

struct row_check {
	const char	*file;		/* relative to tests/data */
	enum at		 at;
	enum trust	 trust;
	const char	*host;
	const char	*must[4];
	const char	*mustnot[4];
};

#define INSIDE_OK(f)	{ f, AT_INSIDE, NO_VERIFY, NULL, { NULL }, \
	{ "cert.weak_key@0", "cert.weak_signature@0", "cert.expired", NULL } }
#define NOW_EXPIRED(f)	{ f, AT_NOW, NO_VERIFY, NULL, { "cert.expired@0" }, \
	{ NULL } }

static const struct row_check badssl_checks[] = {
	NOW_EXPIRED("badssl/chain/wildcard-expired.pem"),
	{ "badssl/chain/wildcard-self-signed.pem", AT_NOW, MOZ, NULL,
	    { "cert.self_signed@0", "cert.untrusted@0", "cert.expired@0" },
	    { NULL } },
	{ "badssl/chain/wildcard-rsa2048.pem", AT_INSIDE, MOZ,
	    "wrong.host.badssl.com", { "cert.hostname_mismatch@0" },
	    { "cert.untrusted", "cert.expired", NULL } },
	{ "badssl/chain/wildcard-rsa2048.pem", AT_INSIDE, NO_VERIFY,
	    "rsa2048.badssl.com", { NULL }, { "cert.hostname_mismatch" } },
	{ "badssl/chain/wildcard-rsa2048.pem", AT_INSIDE, NO_VERIFY,
	    "badssl.com", { NULL }, { "cert.hostname_mismatch" } },
	NOW_EXPIRED("badssl/chain/wildcard-rsa2048.pem"),
	{ "badssl/chain/fallback.pem", AT_INSIDE, MOZ, "badssl.com",
	    { "cert.hostname_mismatch@0", "cert.untrusted@0" }, { NULL } },
	NOW_EXPIRED("badssl/chain/fallback.pem"),
	{ "badssl/chain/subdomain-superfish.pem", AT_INSIDE, MOZ, NULL,
	    { "cert.unauthorized_issuer@0", "cert.untrusted@0" }, { NULL } },
	NOW_EXPIRED("badssl/chain/subdomain-superfish.pem"),
	{ "badssl/chain/subdomain-edellroot.pem", AT_INSIDE, MOZ, NULL,
	    { "cert.unauthorized_issuer@0", "cert.untrusted@0" }, { NULL } },
	NOW_EXPIRED("badssl/chain/subdomain-edellroot.pem"),
	{ "badssl/chain/subdomain-dsdtestprovider.pem", AT_INSIDE, MOZ, NULL,
	    { "cert.unauthorized_issuer@0", "cert.untrusted@0" }, { NULL } },
	NOW_EXPIRED("badssl/chain/subdomain-dsdtestprovider.pem"),
	{ "badssl/interception-roots/ca-superfish.crt", AT_INSIDE, NO_VERIFY,
	    NULL, { "cert.self_signed@0", "cert.weak_key@0",
	    "cert.weak_signature@0" }, { NULL } },
	{ "badssl/interception-roots/ca-edellroot.crt", AT_INSIDE, NO_VERIFY,
	    NULL, { "cert.self_signed@0", "cert.weak_signature@0" },
	    { NULL } },
	{ "badssl/interception-roots/ca-dsdtestprovider.crt", AT_INSIDE,
	    NO_VERIFY, NULL, { "cert.self_signed@0" },
	    { "cert.weak_key", "cert.weak_signature", NULL } },
	{ "badssl/interception-roots/ca-mitm-software.crt", AT_NOW,
	    NO_VERIFY, NULL, { "cert.self_signed@0", "cert.weak_signature@0",
	    "cert.expired@0" }, { NULL } },
	{ "badssl/interception-roots/ca-preact-cli.crt", AT_NOW, NO_VERIFY,
	    NULL, { "cert.self_signed@0", "cert.expired@0" }, { NULL } },
	{ "badssl/interception-roots/ca-webpack-dev-server.crt", AT_INSIDE,
	    NO_VERIFY, NULL, { "cert.self_signed@0" }, { "cert.expired" } },
	{ "badssl/chain/wildcard-sha1-2016.pem", AT_INSIDE, NO_VERIFY, NULL,
	    { "cert.weak_signature@0", "cert.weak_signature@1" }, { NULL } },
	NOW_EXPIRED("badssl/chain/wildcard-sha1-2016.pem"),
	{ "badssl/chain/wildcard-sha1-2017.pem", AT_INSIDE, NO_VERIFY, NULL,
	    { "cert.weak_signature@0", "cert.weak_signature@1" }, { NULL } },
	NOW_EXPIRED("badssl/chain/wildcard-sha1-2017.pem"),
	{ "badssl/chain/wildcard-sha1-intermediate.pem", AT_INSIDE,
	    NO_VERIFY, NULL, { "cert.weak_signature@1" },
	    { "cert.weak_signature@0" } },
	NOW_EXPIRED("badssl/chain/wildcard-sha1-intermediate.pem"),
	{ "badssl/chain/wildcard-incomplete-chain.pem", AT_INSIDE, MOZ, NULL,
	    { "cert.untrusted@0" }, { "cert.incomplete_chain" } },
	{ "badssl/chain/wildcard-incomplete-chain.pem", AT_INSIDE, MOZ_POOL,
	    NULL, { "cert.incomplete_chain@0" }, { "cert.untrusted" } },
	NOW_EXPIRED("badssl/chain/wildcard-incomplete-chain.pem"),
	{ "badssl/chain/old__wildcard-incomplete-chain.pem", AT_INSIDE, MOZ,
	    NULL, { "cert.untrusted@0" }, { NULL } },
	NOW_EXPIRED("badssl/chain/old__wildcard-incomplete-chain.pem"),
	INSIDE_OK("badssl/chain/wildcard-rsa4096.pem"),
	NOW_EXPIRED("badssl/chain/wildcard-rsa4096.pem"),
	INSIDE_OK("badssl/chain/wildcard-rsa8192.pem"),
	NOW_EXPIRED("badssl/chain/wildcard-rsa8192.pem"),
	INSIDE_OK("badssl/chain/wildcard-ecc256.pem"),
	NOW_EXPIRED("badssl/chain/wildcard-ecc256.pem"),
	INSIDE_OK("badssl/chain/wildcard-ecc384.pem"),
	NOW_EXPIRED("badssl/chain/wildcard-ecc384.pem"),
	INSIDE_OK("badssl/chain/wildcard-sha384.pem"),
	NOW_EXPIRED("badssl/chain/wildcard-sha384.pem"),
	INSIDE_OK("badssl/chain/wildcard-sha512.pem"),
	NOW_EXPIRED("badssl/chain/wildcard-sha512.pem"),
	INSIDE_OK("badssl/chain/old__subdomain-sha384.pem"),
	NOW_EXPIRED("badssl/chain/old__subdomain-sha384.pem"),
	INSIDE_OK("badssl/chain/old__subdomain-sha512.pem"),
	NOW_EXPIRED("badssl/chain/old__subdomain-sha512.pem"),
	INSIDE_OK("badssl/chain/old__wildcard-main-old.pem"),
	NOW_EXPIRED("badssl/chain/old__wildcard-main-old.pem"),
#define SCT	"badssl/chain/backup__wildcard-sha256-rsa2048-embeded-sct.crt"
	INSIDE_OK(SCT),
	NOW_EXPIRED(SCT),
	INSIDE_OK("badssl/chain/subdomain-1000-sans.pem"),
	NOW_EXPIRED("badssl/chain/subdomain-1000-sans.pem"),
	INSIDE_OK("badssl/chain/subdomain-10000-sans.pem"),
	NOW_EXPIRED("badssl/chain/subdomain-10000-sans.pem"),
	{ "badssl/chain/subdomain-no-common-name.pem", AT_INSIDE, NO_VERIFY,
	    "no-common-name.badssl.com", { NULL },
	    { "cert.hostname_mismatch", "cert.weak_key", NULL } },
	NOW_EXPIRED("badssl/chain/subdomain-no-common-name.pem"),
	{ "badssl/chain/subdomain-no-subject.pem", AT_INSIDE, NO_VERIFY,
	    "no-subject.badssl.com", { NULL },
	    { "cert.hostname_mismatch", NULL } },
	NOW_EXPIRED("badssl/chain/subdomain-no-subject.pem"),
	{ "badssl/chain/subdomain-xn--n1aae7f7o.pem", AT_INSIDE, NO_VERIFY,
	    "xn--n1aae7f7o.badssl.com", { NULL },
	    { "cert.hostname_mismatch", NULL } },
	NOW_EXPIRED("badssl/chain/subdomain-xn--n1aae7f7o.pem"),
	INSIDE_OK("badssl/chain/subdomain-extended-validation.pem"),
	NOW_EXPIRED("badssl/chain/subdomain-extended-validation.pem"),
	/* revoked upstream; without a CRL or OCSP nothing can tell */
	{ "badssl/chain/subdomain-revoked.pem", AT_INSIDE, NO_VERIFY, NULL,
	    { NULL }, { "cert.revoked", NULL } },
	NOW_EXPIRED("badssl/chain/subdomain-revoked.pem"),
	INSIDE_OK("badssl/chain/subdomain-no-sct.pem"),
	NOW_EXPIRED("badssl/chain/subdomain-no-sct.pem"),
	NOW_EXPIRED("badssl/chain/subdomain-invalid-expected-sct.pem"),
	NOW_EXPIRED("badssl/chain/subdomain-preloaded-expect-ct.pem"),
	NOW_EXPIRED("badssl/chain/wildcard-preloaded-expect-ct.pem"),
	{ "badssl/chain/subdomain-captive-portal.pem", AT_INSIDE, NO_VERIFY,
	    "captive-portal.badssl.com", { "cert.hostname_mismatch@0" },
	    { "cert.weak_key", NULL } },
	NOW_EXPIRED("badssl/chain/subdomain-captive-portal.pem"),
	/* DH parameters are not certificates: inspect refuses them */
	{ "badssl/dhparam/dh-composite.pem", AT_NOW, NO_VERIFY, NULL,
	    { NULL }, { NULL } },
	{ "badssl/dhparam/dh-small-subgroup.pem", AT_NOW, NO_VERIFY, NULL,
	    { NULL }, { NULL } },
};

static const struct row_check zlint_checks[] = {
	{ "zlint/noRsaLength.pem", AT_INSIDE, NO_VERIFY, NULL,
	    { "cert.weak_key@0" }, { NULL } },
	{ "zlint/yesRsaLength.pem", AT_INSIDE, NO_VERIFY, NULL, { NULL },
	    { "cert.weak_key", NULL } },
	{ "zlint/md5WithRSASignatureAlgorithm.pem", AT_INSIDE, NO_VERIFY,
	    NULL, { "cert.weak_signature@0" }, { NULL } },
	{ "zlint/rsawithsha1after2016.pem", AT_INSIDE, NO_VERIFY, NULL,
	    { "cert.weak_signature@0", "cert.self_signed@0" }, { NULL } },
	{ "zlint/rsawithsha1before2016.pem", AT_INSIDE, NO_VERIFY, NULL,
	    { "cert.weak_signature@0", "cert.self_signed@0" }, { NULL } },
	{ "zlint/ecdsaP224.pem", AT_INSIDE, NO_VERIFY, NULL,
	    { "cert.weak_key@0" }, { NULL } },
	{ "zlint/ecdsaP256.pem", AT_INSIDE, NO_VERIFY, NULL, { NULL },
	    { "cert.weak_key", NULL } },
};

/*
 * Interception roots on the deny list, by DN and by SPKI, in a policy
 * file written next to the fixtures.
 */
static void
deny_policy(const struct fixture *f, char *path, size_t pathlen)
{
	static const char *const roots[] = { "ca-superfish.crt",
	    "ca-edellroot.crt", "ca-dsdtestprovider.crt" };
	char	 dir[1100], hex[65];
	FILE	*out;

	snprintf(path, pathlen, "%s/deny.ini", f->dir);
	snprintf(dir, sizeof(dir), "%s/badssl/interception-roots", f->src);
	out = fopen(path, "w");
	assert_non_null(out);
	fprintf(out, "[issuers]\n");
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		struct observation o;

		load(dir, roots[i], &o);
		cert_hex(o.chain[0].spki_sha256, 32, hex);
		fprintf(out, "deny = dn:%s\ndeny = spki:%s\n",
		    o.chain[0].subject, hex);
		observation_clear(&o);
	}
	fclose(out);
}

/*
 * The pipelines of 'certsweep inspect --json' for the three trust
 * settings of the rows: no verification, the Mozilla roots (--ca-file),
 * and those plus an intermediate pool (--intermediates).
 */
struct inspect_path {
	struct config	 cfg[3];
	struct pipeline	*pl[3];
};

static void
inspect_path_open(struct inspect_path *ip, const char *policy,
    const char *roots, const char *pool)
{
	char	 err[512];
	int	 rc;

	memset(ip, 0, sizeof(*ip));
	for (int t = NO_VERIFY; t <= MOZ_POOL; t++) {
		struct config *c = &ip->cfg[t];

		c->command = CMD_INSPECT;
		c->json = true;
		c->fail_on = -1;
		c->policy_path = policy;
		c->ca_file = t != NO_VERIFY ? roots : NULL;
		c->intermediates = t == MOZ_POOL ? pool : NULL;
		ip->pl[t] = pipeline_new(c, "file", t != NO_VERIFY ?
		    PIPE_VERIFY : 0, &rc, err, sizeof(err));
		if (ip->pl[t] == NULL)
			fail_msg("pipeline: %s", err);
	}
}

static void
inspect_path_close(struct inspect_path *ip)
{
	for (int t = NO_VERIFY; t <= MOZ_POOL; t++)
		assert_int_equal(pipeline_finish(ip->pl[t], 0, 0), EXIT_OK);
}

/* The observation as the JSON lines writer prints it. */
static json_t *
as_json(const struct observation *obs)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*mem = open_memstream(&buf, &len);
	struct report *r;
	json_error_t jerr;
	json_t	*j;

	assert_non_null(mem);
	r = report_open("jsonl", mem);
	assert_non_null(r);
	assert_int_equal(report_emit(r, obs), 0);
	assert_int_equal(report_close(r), 0);
	fclose(mem);
	j = json_loads(buf, 0, &jerr);
	if (j == NULL)
		fail_msg("JSON: %s", jerr.text);
	free(buf);
	return j;
}

/* A finding in the JSON for rule ("cert.x" or "cert.x@DEPTH")? */
static bool
json_has(const json_t *obs, const char *spec)
{
	const json_t *fs = json_object_get(obs, "findings"), *fi;
	const char *at = strchr(spec, '@');
	size_t	 rl = at != NULL ? (size_t)(at - spec) : strlen(spec), i;
	int	 depth = at != NULL ? atoi(at + 1) : -2;

	assert_true(json_is_array(fs));
	json_array_foreach(fs, i, fi) {
		const char *rule = json_string_value(json_object_get(fi,
		    "rule"));

		assert_non_null(rule);
		if (strlen(rule) == rl && strncmp(rule, spec, rl) == 0 &&
		    (depth == -2 || json_integer_value(json_object_get(fi,
		    "depth")) == depth))
			return true;
	}
	return false;
}

static void
run_check(const struct fixture *f, const struct row_check *c,
    const struct inspect_path *ip)
{
	struct observation obs;
	char	 path[1200], err[256], *dump_s;
	struct inspect_opts o = { .host = c->host,
	    .policy = pipeline_policy(ip->pl[c->trust]) };
	json_t	*j;

	snprintf(path, sizeof(path), "%s/%s", f->src, c->file);
	if (strstr(c->file, "dhparam/") != NULL) {
		assert_int_equal(inspect_file(path, &o, &obs, err,
		    sizeof(err)), -1);
		assert_non_null(strstr(err, "without a certificate"));
		return;
	}
	if (inspect_file(path, &o, &obs, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	obs.origin = path;
	/* as --at does in 'certsweep inspect' */
	obs.time = c->at == AT_NOW ? (int64_t)time(NULL) :
	    obs.chain[0].not_before + DAY;
	pipeline_analyze(ip->pl[c->trust], &obs);
	j = as_json(&obs);
	dump_s = json_dumps(json_object_get(j, "findings"), JSON_INDENT(1));
	for (size_t i = 0; i < 4 && c->must[i] != NULL; i++)
		if (!json_has(j, c->must[i]))
			fail_msg("%s: no %s in %s", c->file, c->must[i],
			    dump_s);
	for (size_t i = 0; i < 4 && c->mustnot[i] != NULL; i++)
		if (json_has(j, c->mustnot[i]))
			fail_msg("%s: unexpected %s in %s", c->file,
			    c->mustnot[i], dump_s);
	free(dump_s);
	json_decref(j);
	observation_clear(&obs);
}

/* Every row of the TSV has at least one check; runs them all. */
static void
run_tsv(const struct fixture *f, const char *tsv, const char *prefix,
    const struct row_check *checks, size_t n, const struct inspect_path *ip)
{
	char	 path[1200], line[4096], file[4200];
	FILE	*in;
	int	 rows = 0;

	snprintf(path, sizeof(path), "%s/%s", f->src, tsv);
	in = fopen(path, "r");
	assert_non_null(in);
	while (fgets(line, sizeof(line), in) != NULL) {
		bool	 covered = false;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\t")] = '\0';
		snprintf(file, sizeof(file), "%s%s", prefix, line);
		rows++;
		for (size_t i = 0; i < n; i++)
			if (strcmp(checks[i].file, file) == 0) {
				run_check(f, &checks[i], ip);
				covered = true;
			}
		if (!covered)
			fail_msg("%s: row %s has no check", tsv, file);
	}
	fclose(in);
	assert_true(rows > 0);
}

static void
test_badssl_rows(void **state)
{
	const struct fixture *f = *state;
	char	 moz[1100], pool[1100], deny[512];
	struct inspect_path ip;

	snprintf(moz, sizeof(moz), "%s/mozilla-roots-2014-02-28.pem",
	    f->src);
	snprintf(pool, sizeof(pool), "%s/badssl/chain/wildcard-rsa2048.pem",
	    f->src);
	deny_policy(f, deny, sizeof(deny));
	inspect_path_open(&ip, deny, moz, pool);
	run_tsv(f, "badssl-expected.tsv", "badssl/", badssl_checks,
	    sizeof(badssl_checks) / sizeof(badssl_checks[0]), &ip);
	inspect_path_close(&ip);
}

static void
test_zlint_rows(void **state)
{
	const struct fixture *f = *state;
	char	 moz[1100];
	struct inspect_path ip;

	snprintf(moz, sizeof(moz), "%s/mozilla-roots-2014-02-28.pem",
	    f->src);
	inspect_path_open(&ip, NULL, moz, moz);
	run_tsv(f, "zlint-sample-expected.tsv", "zlint/", zlint_checks,
	    sizeof(zlint_checks) / sizeof(zlint_checks[0]), &ip);
	inspect_path_close(&ip);
}

/* ---- one rule each on mkdefects.sh certificates -------------------- */

enum store { NONE, ROOT, BUNDLE, ROOT_CRL };

struct defect_check {
	const char	*file;
	enum store	 store;
	const char	*host;
	const char	*must[3];
	const char	*mustnot[3];
};

static const struct defect_check defect_checks[] = {
	{ "expired-chain.pem", ROOT, NULL, { "cert.expired@0" },
	    { "cert.untrusted", "cert.expiring" } },
	{ "expiring-chain.pem", ROOT, NULL, { "cert.expiring@0" },
	    { "cert.expired" } },
	{ "notyet-chain.pem", ROOT, NULL, { "cert.not_yet_valid@0" },
	    { "cert.expired", "cert.untrusted" } },
	{ "selfsigned-chain.pem", ROOT, NULL,
	    { "cert.self_signed@0", "cert.untrusted@0" }, { NULL } },
	{ "untrusted-chain.pem", ROOT, NULL, { "cert.untrusted" },
	    { "cert.self_signed", "cert.incomplete_chain" } },
	{ "incomplete-chain.pem", BUNDLE, NULL, { "cert.incomplete_chain@0" },
	    { "cert.untrusted" } },
	{ "incomplete-chain.pem", ROOT, NULL, { "cert.untrusted@0" },
	    { "cert.incomplete_chain" } },
	{ "wronghost-chain.pem", ROOT, "wronghost.test",
	    { "cert.hostname_mismatch@0" }, { NULL } },
	{ "ipsan-chain.pem", ROOT, "192.0.2.8",
	    { "cert.hostname_mismatch@0" }, { NULL } },
	{ "ipsan-chain.pem", ROOT, "192.0.2.7", { NULL },
	    { "cert.hostname_mismatch" } },
	{ "rsa1024-chain.pem", ROOT, NULL, { "cert.weak_key@0" }, { NULL } },
	{ "p224-chain.pem", ROOT, NULL, { "cert.weak_key@0" }, { NULL } },
	{ "dsa-chain.pem", ROOT, NULL, { "cert.weak_key@0" }, { NULL } },
	{ "rsa2048-chain.pem", ROOT, NULL, { NULL }, { "cert.weak_key" } },
	{ "sha1-chain.pem", ROOT, NULL, { "cert.weak_signature@0" },
	    { "cert.untrusted" } },
	{ "md5.pem", NONE, NULL,
	    { "cert.weak_signature@0", "cert.self_signed@0" }, { NULL } },
	{ "long-chain.pem", ROOT, NULL, { "cert.long_validity@0" }, { NULL } },
	{ "long-old-chain.pem", ROOT, NULL, { NULL },
	    { "cert.long_validity" } },
	{ "revoked-chain.pem", ROOT_CRL, NULL, { "cert.revoked@0" },
	    { "cert.untrusted" } },
	{ "good-chain.pem", ROOT_CRL, NULL, { NULL },
	    { "cert.revoked", "cert.untrusted" } },
	{ "clientauth-chain.pem", ROOT, NULL, { "cert.not_server_auth@0" },
	    { NULL } },
	{ "caleaf-chain.pem", ROOT, NULL, { "cert.not_server_auth@0" },
	    { NULL } },
	{ "kuonly-chain.pem", ROOT, NULL, { "cert.not_server_auth@0" },
	    { NULL } },
};

static void
evaluate(const struct fixture *f, const char *file, enum store store,
    const char *host, const struct policy *pol, struct observation *obs)
{
	char	 root[512], bundle[512], crl[512];
	struct verify_ctx *v = NULL;

	snprintf(root, sizeof(root), "%s/root.pem", f->dir);
	snprintf(bundle, sizeof(bundle), "%s/ca-bundle.pem", f->dir);
	snprintf(crl, sizeof(crl), "%s/int.crl", f->dir);
	if (store == ROOT)
		v = vctx_new(root, NULL, NULL);
	else if (store == BUNDLE)
		v = vctx_new(bundle, NULL, NULL);
	else if (store == ROOT_CRL)
		v = vctx_new(root, NULL, crl);
	load(f->dir, file, obs);
	if (host != NULL)
		snprintf(obs->hostname, sizeof(obs->hostname), "%s", host);
	assert_int_equal(policy_evaluate(pol, v, obs, 0), 0);
	verify_ctx_free(v);
}

static void
test_each_rule(void **state)
{
	const struct fixture *f = *state;
	struct policy *pol = policy_new_default();

	for (size_t i = 0; i < sizeof(defect_checks) /
	    sizeof(defect_checks[0]); i++) {
		const struct defect_check *c = &defect_checks[i];
		struct observation obs;

		evaluate(f, c->file, c->store, c->host, pol, &obs);
		for (size_t k = 0; k < 3 && c->must[k] != NULL; k++)
			if (find(&obs, c->must[k]) == NULL) {
				dump(c->file, &obs);
				fail_msg("%s: no %s", c->file, c->must[k]);
			}
		for (size_t k = 0; k < 3 && c->mustnot[k] != NULL; k++)
			if (find(&obs, c->mustnot[k]) != NULL) {
				dump(c->file, &obs);
				fail_msg("%s: unexpected %s", c->file,
				    c->mustnot[k]);
			}
		observation_clear(&obs);
	}
	policy_free(pol);
}

/* The good certificate raises nothing at all, whatever the store. */
static void
test_good_is_clean(void **state)
{
	const struct fixture *f = *state;
	struct policy *pol = policy_new_default();
	const enum store stores[] = { ROOT, BUNDLE, ROOT_CRL };

	for (size_t i = 0; i < 3; i++) {
		struct observation obs;

		evaluate(f, "good-chain.pem", stores[i], "good.test", pol,
		    &obs);
		if (obs.nfindings != 0) {
			dump("good", &obs);
			fail_msg("good-chain.pem has findings");
		}
		assert_int_equal(obs.verify_code, 0);
		observation_clear(&obs);
	}
	policy_free(pol);
}

static void
test_expiring_severity(void **state)
{
	const struct fixture *f = *state;
	struct policy *pol = policy_new_default();
	struct observation obs;
	const struct finding *fd;

	evaluate(f, "expiring-chain.pem", NONE, NULL, pol, &obs);
	assert_non_null(fd = find(&obs, "cert.expiring@0"));
	assert_int_equal(fd->severity, SEV_MEDIUM);
	observation_clear(&obs);
	evaluate(f, "expiring-crit-chain.pem", NONE, NULL, pol, &obs);
	assert_non_null(fd = find(&obs, "cert.expiring@0"));
	assert_int_equal(fd->severity, SEV_CRITICAL);
	observation_clear(&obs);
	/* a 10-day window leaves the 20-day certificate alone */
	policy_set_expiring_days(pol, 10);
	evaluate(f, "expiring-chain.pem", NONE, NULL, pol, &obs);
	assert_null(find(&obs, "cert.expiring"));
	observation_clear(&obs);
	policy_free(pol);
}

/* A root sent in the chain: its key is judged, its self-signature not. */
static void
test_sent_root_signature(void **state)
{
	const struct fixture *f = *state;
	char	 cmd[2048], path[600];
	struct policy *pol = policy_new_default();
	struct observation obs;

	snprintf(path, sizeof(path), "%s/with-root.pem", f->dir);
	snprintf(cmd, sizeof(cmd), "cat %s/good.pem "
	    "%s/badssl/interception-roots/ca-superfish.crt > %s", f->dir,
	    f->src, path);
	assert_int_equal(system(cmd), 0);
	load(f->dir, "with-root.pem", &obs);
	assert_int_equal(obs.chain_len, 2);
	assert_int_equal(policy_evaluate(pol, NULL, &obs, 0), 0);
	assert_non_null(find(&obs, "cert.weak_key@1"));
	assert_null(find(&obs, "cert.weak_signature@1"));
	observation_clear(&obs);
	policy_free(pol);
}

static void
write_file(const char *path, const char *text)
{
	FILE	*out = fopen(path, "w");

	assert_non_null(out);
	fputs(text, out);
	fclose(out);
}

static void
test_issuer_lists(void **state)
{
	const struct fixture *f = *state;
	char	 path[600], text[1024], hex[65], err[256];
	struct observation obs;
	struct policy *pol;

	load(f->dir, "int.pem", &obs);
	cert_hex(obs.chain[0].spki_sha256, 32, hex);
	observation_clear(&obs);
	snprintf(path, sizeof(path), "%s/allow.ini", f->dir);

	/* allowed by SPKI */
	snprintf(text, sizeof(text), "[issuers]\nallow = spki:%s\n", hex);
	write_file(path, text);
	pol = policy_new_default();
	assert_int_equal(policy_load(pol, path, err, sizeof(err)), 0);
	evaluate(f, "good-chain.pem", ROOT, NULL, pol, &obs);
	assert_null(find(&obs, "cert.unauthorized_issuer"));
	observation_clear(&obs);
	/* the rogue-issued certificate is not */
	evaluate(f, "untrusted-chain.pem", ROOT, NULL, pol, &obs);
	assert_non_null(find(&obs, "cert.unauthorized_issuer@0"));
	observation_clear(&obs);
	policy_free(pol);

	/* allowed by DN (as cert.c prints it); the rest is not */
	load(f->dir, "good.pem", &obs);
	snprintf(text, sizeof(text), "[issuers]\nallow = dn:%s\n",
	    obs.chain[0].issuer);
	observation_clear(&obs);
	write_file(path, text);
	pol = policy_new_default();
	assert_int_equal(policy_load(pol, path, err, sizeof(err)), 0);
	evaluate(f, "good-chain.pem", ROOT, NULL, pol, &obs);
	assert_null(find(&obs, "cert.unauthorized_issuer"));
	observation_clear(&obs);
	evaluate(f, "selfsigned-chain.pem", NONE, NULL, pol, &obs);
	assert_non_null(find(&obs, "cert.unauthorized_issuer@0"));
	observation_clear(&obs);
	policy_free(pol);
}

static void
test_ocsp(void **state)
{
	const struct fixture *f = *state;
	char	 root[512], path[512];
	struct verify_ctx *v;
	struct observation obs;
	struct ocsp_result r;
	struct policy *pol = policy_new_default();
	uint8_t	 der[8192];
	size_t	 len;
	FILE	*in;
	const char *const files[] = { "good.ocsp", "revoked.ocsp",
	    "rogue-signed.ocsp" };
	const enum ocsp_status want[] = { OCSP_GOOD, OCSP_REVOKED,
	    OCSP_INVALID };

	snprintf(root, sizeof(root), "%s/root.pem", f->dir);
	v = vctx_new(root, NULL, NULL);
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", f->dir, files[i]);
		assert_non_null(in = fopen(path, "rb"));
		len = fread(der, 1, sizeof(der), in);
		fclose(in);
		load(f->dir, i == 1 ? "revoked-chain.pem" : "good-chain.pem",
		    &obs);
		assert_int_equal(verify_ocsp_response(v, der, len, obs.chain,
		    obs.chain_len, 0, &r), 0);
		if (r.status != want[i])
			fail_msg("%s: %s (%s)", files[i],
			    ocsp_status_name(r.status), r.reason);
		if (want[i] != OCSP_INVALID) {
			assert_true(r.fresh);
			assert_true(r.next_update > r.this_update);
			/* a month later the response is stale */
			assert_int_equal(verify_ocsp_response(v, der, len,
			    obs.chain, obs.chain_len, (int64_t)time(NULL) +
			    30 * DAY, &r), 0);
			assert_false(r.fresh);
		}
		assert_int_equal(policy_evaluate_ocsp(pol, v, &obs, der, len,
		    0), 0);
		if ((find(&obs, "cert.revoked@0") != NULL) != (i == 1))
			fail_msg("%s: cert.revoked wrong", files[i]);
		assert_int_equal(verify_ocsp_response(v, der, 10, obs.chain,
		    obs.chain_len, 0, &r), -1);
		observation_clear(&obs);
	}
	verify_ctx_free(v);
	policy_free(pol);
}

static void
test_policy_file(void **state)
{
	const struct fixture *f = *state;
	char	 path[600], err[512];
	struct policy *pol;
	struct observation obs;
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "[expiry]\nwarn_days = 30\nwarn_dayz = 3\n",
		    ":3: unknown key" },
		{ "[keys]\nmin_rsa_bits = lots\n", ":2: bad value" },
		{ "[severity]\ncert.nope = high\n", ":2: unknown rule" },
		{ "[severity]\ncert.expired = dire\n", ":2: bad value" },
		{ "[colours]\nred = 1\n", ":2: unknown key" },
		{ "[rules]\ncert.expired = maybe\n", ":2: bad value" },
		{ "[issuers]\nallow = CN=x\n", ":2: issuer must be" },
		{ "[validity]\nsince = 2020-13-45\n", ":2: bad value" },
		{ "[expiry\nwarn_days = 3\n", ":1:" },
	};

	snprintf(path, sizeof(path), "%s/p.ini", f->dir);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(path, bad[i].text);
		pol = policy_new_default();
		assert_int_equal(policy_load(pol, path, err, sizeof(err)), -1);
		if (strstr(err, path) == NULL || strstr(err, bad[i].want) ==
		    NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err,
			    bad[i].want);
		policy_free(pol);
	}
	pol = policy_new_default();
	assert_int_equal(policy_load(pol, "/nonexistent/p.ini", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/p.ini: cannot open"));

	/* overrides and a disabled rule */
	write_file(path, "; comment\n[severity]\ncert.weak_key = low\n"
	    "[rules]\ncert.self_signed = off\n[keys]\nmin_rsa_bits = 4096\n");
	assert_int_equal(policy_load(pol, path, err, sizeof(err)), 0);
	evaluate(f, "rsa2048-chain.pem", NONE, NULL, pol, &obs);
	assert_non_null(find(&obs, "cert.weak_key@0"));
	assert_int_equal(find(&obs, "cert.weak_key@0")->severity, SEV_LOW);
	observation_clear(&obs);
	evaluate(f, "selfsigned-chain.pem", NONE, NULL, pol, &obs);
	assert_null(find(&obs, "cert.self_signed"));
	observation_clear(&obs);
	policy_free(pol);

	/* the sample policy loads and says what the defaults say */
	snprintf(path, sizeof(path), "%s/samples/policy.ini", src_dir());
	pol = policy_new_default();
	if (policy_load(pol, path, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	for (int r = 0; r < RULE__MAX; r++) {
		assert_int_equal(policy_severity(pol, (enum rule)r),
		    rule_default_severity((enum rule)r));
		assert_true(policy_rule_enabled(pol, (enum rule)r));
	}
	policy_free(pol);
}

static void
test_rules_table(void **state)
{
	struct policy *pol = policy_new_default();
	struct observation obs = { .source = OBS_ACTIVE };
	char	 path[64], err[256];

	(void)state;
	assert_int_equal(RULE__MAX, 27);
	for (int r = 0; r < RULE__MAX; r++) {
		assert_non_null(rule_name((enum rule)r));
		assert_int_equal(rule_from_name(rule_name((enum rule)r)), r);
	}
	assert_null(rule_name(RULE__MAX));
	assert_int_equal(rule_from_name("cert.nope"), -1);
	assert_int_equal(policy_finding_add(&obs, pol, "cert.changed", 0,
	    "leaf %s replaced", "ab12"), 0);
	assert_int_equal(policy_finding_add(&obs, pol, "cert.shared_key", 0,
	    "key on %d endpoints", 3), 0);
	assert_int_equal(policy_finding_add(&obs, pol, "tls.tls10", -1,
	    "offers TLS 1.0"), 0);
	assert_int_equal(policy_finding_add(&obs, pol, "cert.bogus", 0, "x"),
	    -1);
	assert_int_equal(obs.nfindings, 3);
	assert_int_equal(obs.findings[0].severity, SEV_INFO);
	assert_string_equal(obs.findings[0].detail, "leaf ab12 replaced");
	assert_int_equal(obs.findings[1].severity, SEV_LOW);
	assert_int_equal(obs.findings[2].severity, SEV_MEDIUM);
	assert_int_equal(obs.findings[2].depth, -1);
	assert_ptr_equal(obs.findings[0].rule, rule_name(RULE_CERT_CHANGED));
	/* a disabled rule adds nothing, and says so by returning 0 */
	snprintf(path, sizeof(path), "/tmp/certsweep-rules-%d.ini",
	    (int)getpid());
	write_file(path, "[rules]\ncert.changed = false\n");
	assert_int_equal(policy_load(pol, path, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(policy_finding_add(&obs, pol, "cert.changed", 0,
	    "again"), 0);
	assert_int_equal(obs.nfindings, 3);
	observation_clear(&obs);
	policy_free(pol);
}

static void
test_verify_errors(void **state)
{
	const struct fixture *f = *state;
	struct verify_opts o = { .ca_file = "/nonexistent.pem" };
	char	 err[256], path[512];
	const char *crls[1] = { path };
	struct verify_result r;
	struct verify_ctx *v;

	(void)f;
	assert_null(verify_ctx_new(&o, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent.pem"));
	snprintf(path, sizeof(path), "%s/good.pem", f->dir);
	o = (struct verify_opts){ .crl_files = crls, .ncrl_files = 1 };
	assert_null(verify_ctx_new(&o, err, sizeof(err)));
	assert_non_null(strstr(err, "not a CRL"));
	o = (struct verify_opts){ .system_store = false };
	assert_non_null(v = verify_ctx_new(&o, err, sizeof(err)));
	assert_int_equal(verify_chain(v, NULL, 0, NULL, 0, &r), -1);
	verify_ctx_free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_badssl_rows),
		cmocka_unit_test(test_zlint_rows),
		cmocka_unit_test(test_each_rule),
		cmocka_unit_test(test_good_is_clean),
		cmocka_unit_test(test_expiring_severity),
		cmocka_unit_test(test_sent_root_signature),
		cmocka_unit_test(test_issuer_lists),
		cmocka_unit_test(test_ocsp),
		cmocka_unit_test(test_policy_file),
		cmocka_unit_test(test_rules_table),
		cmocka_unit_test(test_verify_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
