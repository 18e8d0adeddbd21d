/*
 * test_inspect.c: scanner/inspect.c on files samples/mkdefects.sh makes
 * (PEM chain, DER, PKCS#12 with a password from the environment, CSRs,
 * matching and mismatched keys) and on truncated or garbage files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scanner/inspect.h"
#include "scanner/policy.h"

struct fixture {
	char	 dir[256];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *src = getenv("CERTSWEEP_SRC");
	char	 cmd[1024];

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/certsweep-inspect-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s/samples/mkdefects.sh %s >/dev/null &&"
	    " openssl x509 -in %s/good.pem -outform DER -out %s/good.der",
	    src != NULL ? src : ".", f->dir, f->dir, f->dir);
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

static int
inspect(const struct fixture *f, const char *name,
    const struct inspect_opts *o, struct observation *obs, char *err,
    size_t errlen)
{
	char	 path[512];

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	return inspect_file(path, o, obs, err, errlen);
}

static bool
has(const struct observation *obs, const char *rule)
{
	for (size_t i = 0; i < obs->nfindings; i++)
		if (strcmp(obs->findings[i].rule, rule) == 0)
			return true;
	return false;
}

static void
test_pem_chain_and_der(void **state)
{
	const struct fixture *f = *state;
	struct inspect_info info;
	struct inspect_opts o = { .info = &info };
	struct observation obs;
	char	 err[256];

	assert_int_equal(inspect(f, "good-chain.pem", &o, &obs, err,
	    sizeof(err)), 0);
	assert_int_equal(obs.source, OBS_FILE);
	assert_string_equal(obs.protocol, "file");
	assert_int_equal(obs.status, SCAN_OK);
	assert_int_equal(obs.chain_len, 2);
	assert_non_null(strstr(obs.chain[0].subject, "good.test"));
	assert_non_null(strstr(obs.chain[1].subject, "intermediate"));
	assert_int_equal(info.kind, INSPECT_CERTS);
	assert_false(info.key_checked);
	assert_int_equal(obs.nfindings, 0);
	observation_clear(&obs);

	assert_int_equal(inspect(f, "good.der", &o, &obs, err, sizeof(err)),
	    0);
	assert_int_equal(obs.chain_len, 1);
	assert_non_null(strstr(obs.chain[0].subject, "good.test"));
	observation_clear(&obs);
}

static void
test_pkcs12(void **state)
{
	const struct fixture *f = *state;
	struct inspect_info info;
	struct inspect_opts o = { .password_env = "CERTSWEEP_TEST_P12",
	    .info = &info };
	struct observation obs;
	char	 err[256];

	unsetenv("CERTSWEEP_TEST_P12");
	assert_int_equal(inspect(f, "good.p12", &o, &obs, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "CERTSWEEP_TEST_P12 is not set"));
	setenv("CERTSWEEP_TEST_P12", "wrong", 1);
	assert_int_equal(inspect(f, "good.p12", &o, &obs, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "wrong password"));
	assert_null(strstr(err, "defects-pass"));
	setenv("CERTSWEEP_TEST_P12", "defects-pass", 1);
	if (inspect(f, "good.p12", &o, &obs, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(info.kind, INSPECT_PKCS12);
	assert_int_equal(obs.chain_len, 2);
	assert_non_null(strstr(obs.chain[0].subject, "good.test"));
	assert_true(info.key_checked);
	assert_true(info.key_matches);
	assert_false(has(&obs, "cert.key_mismatch"));
	observation_clear(&obs);
	unsetenv("CERTSWEEP_TEST_P12");
}

static void
test_csr(void **state)
{
	const struct fixture *f = *state;
	struct inspect_info info;
	struct inspect_opts o = { .info = &info };
	struct observation obs;
	char	 err[256];

	assert_int_equal(inspect(f, "weak.csr", &o, &obs, err, sizeof(err)),
	    0);
	assert_int_equal(info.kind, INSPECT_CSR);
	assert_int_equal(obs.chain_len, 0);
	assert_true(has(&obs, "cert.weak_key"));
	assert_false(has(&obs, "csr.names"));
	assert_non_null(strstr(obs.findings[0].detail, "1024"));
	observation_clear(&obs);

	assert_int_equal(inspect(f, "good.csr", &o, &obs, err, sizeof(err)),
	    0);
	assert_int_equal(obs.nfindings, 0);
	observation_clear(&obs);

	assert_int_equal(inspect(f, "nosan.csr", &o, &obs, err, sizeof(err)),
	    0);
	assert_true(has(&obs, "csr.names"));
	assert_false(has(&obs, "cert.weak_key"));
	observation_clear(&obs);
}

static void
test_key_check(void **state)
{
	const struct fixture *f = *state;
	struct inspect_info info;
	char	 key[512], err[256];
	struct inspect_opts o = { .key_path = key, .info = &info };
	struct observation obs;

	snprintf(key, sizeof(key), "%s/good.key", f->dir);
	assert_int_equal(inspect(f, "good.pem", &o, &obs, err, sizeof(err)),
	    0);
	assert_true(info.key_checked);
	assert_true(info.key_matches);
	assert_false(has(&obs, "cert.key_mismatch"));
	observation_clear(&obs);

	snprintf(key, sizeof(key), "%s/mismatch.key", f->dir);
	assert_int_equal(inspect(f, "good.pem", &o, &obs, err, sizeof(err)),
	    0);
	assert_true(info.key_checked);
	assert_false(info.key_matches);
	assert_true(has(&obs, "cert.key_mismatch"));
	/* the key's bytes appear nowhere in what is kept */
	assert_null(strstr(obs.findings[0].detail, "PRIVATE"));
	observation_clear(&obs);

	snprintf(key, sizeof(key), "%s/good.pem", f->dir);
	assert_int_equal(inspect(f, "good.pem", &o, &obs, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "not a private key"));
}

static void
test_bad_files(void **state)
{
	const struct fixture *f = *state;
	struct inspect_opts o = { .info = NULL };
	struct observation obs;
	char	 err[256];

	assert_int_equal(inspect(f, "truncated.pem", &o, &obs, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated"));
	assert_non_null(strstr(err, "truncated.pem"));
	assert_null(obs.chain);
	assert_int_equal(inspect(f, "garbage.bin", &o, &obs, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "not a certificate"));
	assert_int_equal(inspect(f, "nonexistent.pem", &o, &obs, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open"));
	assert_int_equal(inspect(f, "good.key", &o, &obs, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "private key alone"));
	assert_int_equal(inspect(f, "int-db/index.txt", &o, &obs, err,
	    sizeof(err)), -1);
}

/* A file inspected, then judged: the path the inspect command takes. */
static void
test_then_policy(void **state)
{
	const struct fixture *f = *state;
	struct inspect_opts o = { .host = "good.test" };
	struct observation obs;
	struct policy *pol = policy_new_default();
	char	 err[256];

	assert_int_equal(inspect(f, "rsa1024-chain.pem", &o, &obs, err,
	    sizeof(err)), 0);
	assert_int_equal(policy_evaluate(pol, NULL, &obs, 0), 0);
	assert_true(has(&obs, "cert.weak_key"));
	assert_true(has(&obs, "cert.hostname_mismatch"));
	observation_clear(&obs);
	policy_free(pol);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pem_chain_and_der),
		cmocka_unit_test(test_pkcs12),
		cmocka_unit_test(test_csr),
		cmocka_unit_test(test_key_check),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_then_policy),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
