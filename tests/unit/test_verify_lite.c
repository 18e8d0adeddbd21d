/*
 * test_verify_lite.c: the verification shortcut (verify_chain_names, used
 * by verify_chain for lite records) against the full OpenSSL path, field
 * by field: every chain of tests/data (badssl), of samples/mkcerts.sh and
 * samples/mkdefects.sh, and chains built here to stress chain building
 * (key identifiers that do not match, a signature algorithm the issuer's
 * key cannot make, duplicates, names equal only canonically), each under
 * trust stores that do and do not hold the issuer: empty, the fixture
 * root as a file and as a hashed directory, root plus intermediate pool,
 * an unrelated root, the 2014 Mozilla roots, and with CRLs and a fixed
 * time.  The records of one side come from cert_record_from_der (x509
 * set: always the full path), of the other from the lite parser.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "scanner/cert.h"
#include "scanner/hostname.h"
#include "scanner/policy.h"
#include "scanner/verify.h"

struct chain {
	struct cert_record	 full[CHAIN_MAX];
	struct cert_record	 lite[CHAIN_MAX];
	size_t			 n;
	char			 name[128];
};

struct fixture {
	char		 dir[256];	/* temporary: scripts' output, stores */
	struct chain	*c;
	size_t		 nc;
	size_t		 shortcut;	/* chains decided by names */
	size_t		 runs;
};

static struct fixture fx;

static const char *
src_dir(void)
{
	const char *s = getenv("CERTSWEEP_SRC");

	return s != NULL ? s : ".";
}

static struct chain *
chain_new(const char *name)
{
	struct chain *c;

	fx.c = realloc(fx.c, (fx.nc + 1) * sizeof(*fx.c));
	assert_non_null(fx.c);
	c = &fx.c[fx.nc++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	return c;
}

static void
chain_add(struct chain *c, const uint8_t *der, size_t len)
{
	if (c->n == CHAIN_MAX)
		return;
	if (cert_record_from_der(&c->full[c->n], der, len) != 0)
		return;
	assert_int_equal(cert_record_from_der_lite(&c->lite[c->n], der, len),
	    0);
	c->n++;
}

/* Every certificate of a PEM file, in order, as one chain. */
static void
chain_from_file(const char *path, const char *name)
{
	BIO *bio = BIO_new_file(path, "r");
	char *pname = NULL, *header = NULL;
	unsigned char *data = NULL;
	struct chain *c;
	long n;

	if (bio == NULL)
		return;
	c = chain_new(name);
	while (PEM_read_bio(bio, &pname, &header, &data, &n) == 1) {
		if (strcmp(pname, "CERTIFICATE") == 0)
			chain_add(c, data, (size_t)n);
		OPENSSL_free(pname);
		OPENSSL_free(header);
		OPENSSL_free(data);
	}
	ERR_clear_error();
	BIO_free(bio);
	if (c->n == 0)
		fx.nc--;
}

static void
chains_from_dir(const char *dir, const char *suffix)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	char path[1024];

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name), sl = strlen(suffix);

		if (l < sl || strcmp(de->d_name + l - sl, suffix) != 0 ||
		    strstr(de->d_name, ".key") != NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		chain_from_file(path, de->d_name);
	}
	closedir(d);
}

/* ---- chains built here ---- */

struct ca {
	EVP_PKEY	*key;
	X509		*cert;
};

static X509_NAME *
cn_name(const char *cn, int type)
{
	X509_NAME *n = X509_NAME_new();

	X509_NAME_add_entry_by_txt(n, "CN", type, (const unsigned char *)cn,
	    -1, -1, 0);
	return n;
}

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/* A certificate for key, named subject, issued (names and key ids) by
 * issuer (NULL: itself), signed with signer. */
static X509 *
mk(EVP_PKEY *key, X509_NAME *subject, X509 *issuer, X509_NAME *iname,
    EVP_PKEY *signer, bool ca)
{
	X509 *x = X509_new();
	static long serial = 1000;

	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400 * 30);
	X509_set_pubkey(x, key);
	X509_set_subject_name(x, subject);
	X509_set_issuer_name(x, iname != NULL ? iname :
	    issuer != NULL ? X509_get_subject_name(issuer) : subject);
	add_ext(x, issuer != NULL ? issuer : x, NID_basic_constraints,
	    ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	add_ext(x, x, NID_subject_key_identifier, "hash");
	if (issuer != NULL)
		add_ext(x, issuer, NID_authority_key_identifier, "keyid");
	assert_true(X509_sign(x, signer, EVP_sha256()) > 0);
	X509_NAME_free(subject);
	return x;
}

static void
chain_of(const char *name, X509 *a, X509 *b, X509 *c)
{
	struct chain *ch = chain_new(name);
	X509 *xs[] = { a, b, c };

	for (int i = 0; i < 3 && xs[i] != NULL; i++) {
		unsigned char *der = NULL;
		int len = i2d_X509(xs[i], &der);

		chain_add(ch, der, (size_t)len);
		OPENSSL_free(der);
	}
}

static void
write_pem(const char *file, X509 *x)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", fx.dir, file);
	fp = fopen(path, "w");
	assert_non_null(fp);
	PEM_write_X509(fp, x);
	fclose(fp);
}

static void
built_chains(void)
{
	EVP_PKEY *rk = EVP_EC_gen("P-256"), *ik = EVP_EC_gen("P-256");
	EVP_PKEY *lk = EVP_EC_gen("P-256"), *ok = EVP_EC_gen("P-256");
	EVP_PKEY *rsa = EVP_RSA_gen(2048);
	X509 *root, *in, *leaf, *other, *in2, *lx, *lrsa, *lcase, *irsa;
	char path[512];

	root = mk(rk, cn_name("Lite Root", MBSTRING_ASC), NULL, NULL, rk,
	    true);
	in = mk(ik, cn_name("Lite Int", MBSTRING_ASC), root, NULL, rk, true);
	leaf = mk(lk, cn_name("leaf.lite.test", MBSTRING_ASC), in, NULL, ik,
	    false);
	/* same name as the intermediate, another key: key ids differ */
	in2 = mk(ok, cn_name("Lite Int", MBSTRING_ASC), root, NULL, rk, true);
	lx = mk(lk, cn_name("lx.lite.test", MBSTRING_ASC), in2, NULL, ok,
	    false);
	/* an RSA intermediate of the same name; the leaf says ECDSA */
	irsa = mk(rsa, cn_name("Lite Int", MBSTRING_ASC), root, NULL, rk,
	    true);
	lrsa = mk(lk, cn_name("mix.lite.test", MBSTRING_ASC), NULL,
	    X509_get_subject_name(in), ik, false);
	/* issuer written in other case and spacing, UTF8String */
	{
		X509_NAME *iname = cn_name("  lite   INT ", MBSTRING_UTF8);

		lcase = mk(lk, cn_name("case.lite.test", MBSTRING_ASC), in,
		    iname, ik, false);
		X509_NAME_free(iname);
	}
	other = mk(ok, cn_name("Other", MBSTRING_ASC), NULL, NULL, ok, true);
	chain_of("built leaf+int", leaf, in, NULL);
	chain_of("built leaf", leaf, NULL, NULL);
	chain_of("built leaf+int+root", leaf, in, root);
	chain_of("built leaf+other+int", leaf, other, in);
	chain_of("built leaf+int+int", leaf, in, in);
	chain_of("built akid mismatch", leaf, in2, NULL);
	chain_of("built lx+int", lx, in, NULL);
	chain_of("built sigalg mismatch", lrsa, irsa, NULL);
	chain_of("built sigalg ok", lrsa, in, NULL);
	chain_of("built canonical names", lcase, in, NULL);
	chain_of("built int", in, NULL, NULL);
	write_pem("lite-root.pem", root);
	write_pem("lite-int.pem", in);
	write_pem("other.pem", other);
	/* the root in a hashed directory */
	snprintf(path, sizeof(path), "%s/hashed", fx.dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "hashed/%08lx.0",
	    X509_NAME_hash_ex(X509_get_subject_name(root), NULL, NULL, NULL));
	write_pem(path, root);
	X509_free(root); X509_free(in); X509_free(leaf); X509_free(other);
	X509_free(in2); X509_free(lx); X509_free(lrsa); X509_free(lcase);
	X509_free(irsa);
	EVP_PKEY_free(rk); EVP_PKEY_free(ik); EVP_PKEY_free(lk);
	EVP_PKEY_free(ok); EVP_PKEY_free(rsa);
}

static int
setup(void **state)
{
	char cmd[1024], path[512];

	(void)state;
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/certsweep-vlite-XXXXXX");
	if (mkdtemp(fx.dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s/samples/mkdefects.sh %s/defects "
	    ">/dev/null 2>&1 && %s/samples/mkcerts.sh %s/fixtures "
	    ">/dev/null 2>&1", src_dir(), fx.dir, src_dir(), fx.dir);
	if (system(cmd) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/defects", fx.dir);
	chains_from_dir(path, ".pem");
	snprintf(path, sizeof(path), "%s/fixtures", fx.dir);
	chains_from_dir(path, ".pem");
	snprintf(path, sizeof(path), "%s/tests/data/badssl/chain", src_dir());
	chains_from_dir(path, ".pem");
	chains_from_dir(path, ".crt");
	built_chains();
	return 0;
}

static int
teardown(void **state)
{
	char cmd[512];

	(void)state;
	for (size_t i = 0; i < fx.nc; i++)
		for (size_t k = 0; k < fx.c[i].n; k++) {
			cert_record_clear(&fx.c[i].full[k]);
			cert_record_clear(&fx.c[i].lite[k]);
		}
	free(fx.c);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx.dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
vr_eq(const char *what, const struct verify_result *f,
    const struct verify_result *l)
{
	if (f->code != l->code || f->depth != l->depth ||
	    strcmp(f->reason, l->reason) != 0 ||
	    f->trust_code != l->trust_code ||
	    f->trust_depth != l->trust_depth ||
	    f->incomplete_chain != l->incomplete_chain ||
	    f->revoked != l->revoked || f->revoked_depth != l->revoked_depth ||
	    f->crl_missing != l->crl_missing ||
	    f->name_mismatch != l->name_mismatch ||
	    f->path_len != l->path_len ||
	    f->has_issuer_spki != l->has_issuer_spki ||
	    memcmp(f->issuer_spki_sha256, l->issuer_spki_sha256, 32) != 0 ||
	    strcmp(f->anchor, l->anchor) != 0)
		fail_msg("%s: full %ld@%d/%ld@%d path %zu \"%s\" anchor "
		    "\"%s\"; lite %ld@%d/%ld@%d path %zu \"%s\" anchor \"%s\"", what,
		    f->code, f->depth, f->trust_code, f->trust_depth,
		    f->path_len, f->reason, f->anchor, l->code, l->depth,
		    l->trust_code, l->trust_depth, l->path_len, l->reason,
		    l->anchor);
}

/* One chain under one store: full and lite agree, and so does the
 * shortcut whenever it decides. */
static void
diff_chain(const struct verify_ctx *v, struct chain *c, const char *host,
    int64_t at)
{
	struct verify_result rf, rl, rn;
	int ff, fl;

	ff = verify_chain(v, c->full, c->n, host, at, &rf);
	fl = verify_chain(v, c->lite, c->n, host, at, &rl);
	assert_int_equal(ff, fl);
	fx.runs++;
	if (ff == -1)
		return;
	vr_eq(c->name, &rf, &rl);
	assert_int_equal(verify_chain_names(v, c->full, c->n, &rn), -1);
	if (verify_chain_names(v, c->lite, c->n, &rn) == 0) {
		fx.shortcut++;
		vr_eq(c->name, &rf, &rn);
		assert_int_equal(rf.trust_code,
		    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	}
	assert_int_equal(ERR_peek_error(), 0);
}

static void
under_store(const struct verify_opts *o, const char *label)
{
	char err[256];
	struct verify_ctx *v = verify_ctx_new(o, err, sizeof(err));
	size_t before = fx.shortcut;

	if (v == NULL)
		fail_msg("%s: %s", label, err);
	for (size_t i = 0; i < fx.nc; i++) {
		diff_chain(v, &fx.c[i], NULL, 0);
		diff_chain(v, &fx.c[i], "good.test", 0);
		diff_chain(v, &fx.c[i], NULL, 1700000000);
	}
	print_message("store %-28s %zu chains, shortcut decided %zu runs\n",
	    label, fx.nc, fx.shortcut - before);
	verify_ctx_free(v);
}

static void
test_stores(void **state)
{
	char root[512], bundle[512], int_pem[512], crl[512], hashed[512];
	char other[512], lroot[512], lint[512], moz[512];
	const char *crls[] = { crl }, *pool[] = { int_pem };
	const char *lpool[] = { lint };

	(void)state;
	snprintf(root, sizeof(root), "%s/defects/root.pem", fx.dir);
	snprintf(bundle, sizeof(bundle), "%s/defects/ca-bundle.pem", fx.dir);
	snprintf(int_pem, sizeof(int_pem), "%s/defects/int.pem", fx.dir);
	snprintf(crl, sizeof(crl), "%s/defects/int.crl", fx.dir);
	snprintf(hashed, sizeof(hashed), "%s/hashed", fx.dir);
	snprintf(other, sizeof(other), "%s/other.pem", fx.dir);
	snprintf(lroot, sizeof(lroot), "%s/lite-root.pem", fx.dir);
	snprintf(lint, sizeof(lint), "%s/lite-int.pem", fx.dir);
	snprintf(moz, sizeof(moz), "%s/tests/data/mozilla-roots-2014-02-28.pem",
	    src_dir());
	assert_true(fx.nc > 40);
	under_store(&(struct verify_opts){ 0 }, "empty");
	under_store(&(struct verify_opts){ .ca_file = root }, "defects root");
	under_store(&(struct verify_opts){ .ca_file = bundle },
	    "defects root + pool");
	under_store(&(struct verify_opts){ .pool_files = pool,
	    .npool_files = 1 }, "pool only");
	under_store(&(struct verify_opts){ .ca_file = root,
	    .crl_files = crls, .ncrl_files = 1, .at = 1800000000 },
	    "defects root + CRL + at");
	under_store(&(struct verify_opts){ .ca_dir = hashed },
	    "hashed dir (lite root)");
	under_store(&(struct verify_opts){ .ca_file = lroot,
	    .pool_files = lpool, .npool_files = 1 }, "lite root + pool");
	under_store(&(struct verify_opts){ .ca_file = other }, "unrelated");
	under_store(&(struct verify_opts){ .ca_file = moz }, "mozilla 2014");
	print_message("%zu verifications, %zu decided by names\n", fx.runs,
	    fx.shortcut);
	assert_true(fx.shortcut > 100);
}

/*
 * The other readers of a record on the hot path, hostname.c and the
 * policy's weak-signature rule, read lite records from the DER: same
 * answers, same words.
 */
static void
test_hostname_and_policy(void **state)
{
	static const char *hosts[] = { "good.test", "127.0.0.1", "::1",
	    "www.other.test", "leaf.lite.test", "a.test", "foo.badssl.com",
	    "badssl.com", "192.0.2.7", "case.lite.test" };
	struct policy *p = policy_new_default();
	char wf[256], wl[256];

	(void)state;
	assert_non_null(p);
	for (size_t i = 0; i < fx.nc; i++) {
		struct chain *c = &fx.c[i];
		struct observation of = { 0 }, ol = { 0 };

		for (size_t h = 0; h < sizeof(hosts) / sizeof(hosts[0]); h++) {
			int rf = hostname_check_cert(&c->full[0], hosts[h], wf,
			    sizeof(wf));
			int rl = hostname_check_cert(&c->lite[0], hosts[h], wl,
			    sizeof(wl));

			assert_int_equal(rf, rl);
			assert_string_equal(wf, wl);
		}
		of.chain = c->full;
		ol.chain = c->lite;
		of.chain_len = ol.chain_len = c->n;
		snprintf(of.ip, sizeof(of.ip), "192.0.2.7");
		snprintf(ol.ip, sizeof(ol.ip), "192.0.2.7");
		assert_int_equal(policy_evaluate(p, NULL, &of, 1700000000), 0);
		assert_int_equal(policy_evaluate(p, NULL, &ol, 1700000000), 0);
		assert_int_equal(of.nfindings, ol.nfindings);
		for (size_t k = 0; k < of.nfindings; k++) {
			assert_string_equal(of.findings[k].rule,
			    ol.findings[k].rule);
			assert_int_equal(of.findings[k].severity,
			    ol.findings[k].severity);
			assert_int_equal(of.findings[k].depth,
			    ol.findings[k].depth);
			assert_string_equal(of.findings[k].detail,
			    ol.findings[k].detail);
		}
		assert_int_equal(of.name_match, ol.name_match);
		free(of.findings);
		free(ol.findings);
	}
	policy_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stores),
		cmocka_unit_test(test_hostname_and_policy),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
