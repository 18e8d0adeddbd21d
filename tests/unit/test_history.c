/*
 * test_history.c: the history rules (cert.changed, cert.shared_key) as
 * pipeline_record() judges them, on a file database over three sweeps: the
 * first on an empty database (the store answers without SQL there), the
 * others with earlier rows, and a first sweep whose database another
 * connection writes to while it runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "scanner/cert.h"
#include "scanner/config.h"
#include "scanner/pipeline.h"
#include "scanner/record.h"
#include "scanner/xmem.h"

struct fixture {
	char	 dir[64];
	char	 path[128];
};

/* Certificate id with key key: only what the store and the rules read. */
static void
make_cert(struct cert_record *c, uint32_t id, uint32_t key)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < CERT_SHA256_LEN; i++) {
		c->sha256[i] = (uint8_t)(i * 7 + 1);
		c->spki_sha256[i] = (uint8_t)(i * 3 + 2);
	}
	memcpy(c->sha256, &id, sizeof(id));
	memcpy(c->spki_sha256, &key, sizeof(key));
	c->der_len = 16;
	c->der = xcalloc(1, c->der_len);
	memcpy(c->der, &id, sizeof(id));
	c->subject = xasprintf("CN=c%u", id);
	c->issuer = xstrdup("CN=ca");
	c->serial = xasprintf("%04X", id);
	c->key_type = xstrdup("EC");
	c->key_bits = 256;
	c->curve = xstrdup("prime256v1");
	c->sig_alg = xstrdup("ecdsa-with-SHA256");
	c->version = 3;
	c->path_len = -1;
	c->key_usage = UINT32_MAX;
	c->eku = xstrdup("");
	c->ocsp_urls = xstrdup("");
	c->ca_issuers = xstrdup("");
	c->crl_urls = xstrdup("");
	c->ski = xstrdup("");
	c->aki = xstrdup("");
}

static int
setup(void **state)
{
	struct fixture *fx = xcalloc(1, sizeof(*fx));

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_history.XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/inv.db", fx->dir);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char p[256];

	unlink(fx->path);
	snprintf(p, sizeof(p), "%s-wal", fx->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", fx->path);
	unlink(p);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static struct pipeline *
sweep_begin(const char *path, struct config *cfg)
{
	struct pipeline *pl;
	char err[512];
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->db_path = path;
	cfg->fail_on = -1;
	pl = pipeline_new(cfg, "active", PIPE_STORE, &rc, err, sizeof(err));
	if (pl == NULL)
		fail_msg("pipeline_new: %s", err);
	return pl;
}

/*
 * Records ip:443 serving certificate id with key key; returns the history
 * rules it got as "changed", "shared", "changed shared" or "".
 */
static const char *
record(struct pipeline *pl, const char *ip, uint32_t id, uint32_t key)
{
	struct observation o;
	bool changed = false, shared = false;

	memset(&o, 0, sizeof(o));
	o.source = OBS_ACTIVE;
	snprintf(o.ip, sizeof(o.ip), "%s", ip);
	o.port = 443;
	o.protocol = "tls";
	o.time = 1700000000;
	o.status = SCAN_OK;
	snprintf(o.version, sizeof(o.version), "TLSv1.3");
	o.chain = xcalloc(1, sizeof(*o.chain));
	o.chain_len = 1;
	make_cert(o.chain, id, key);
	assert_int_equal(pipeline_record(pl, &o), 0);
	for (size_t i = 0; i < o.nfindings; i++) {
		changed |= strcmp(o.findings[i].rule, "cert.changed") == 0;
		shared |= strcmp(o.findings[i].rule, "cert.shared_key") == 0;
	}
	observation_clear(&o);
	return changed && shared ? "changed shared" : changed ? "changed" :
	    shared ? "shared" : "";
}

static void
test_three_sweeps(void **state)
{
	struct fixture *fx = *state;
	struct config cfg;
	struct pipeline *pl;

	/* 1, empty database: .1 and .2 share key 1; .3 is seen twice (it
	 * counts itself within a sweep, as it always has); .4 alone. */
	pl = sweep_begin(fx->path, &cfg);
	assert_string_equal(record(pl, "192.0.2.1", 1, 1), "");
	assert_string_equal(record(pl, "192.0.2.2", 2, 1), "shared");
	assert_string_equal(record(pl, "192.0.2.3", 3, 3), "");
	assert_string_equal(record(pl, "192.0.2.3", 3, 3), "shared");
	assert_string_equal(record(pl, "192.0.2.4", 4, 4), "");
	assert_int_equal(pipeline_finish(pl, 5, 5), EXIT_OK);

	/* 2: .1 has a new certificate and key; .2 still key 1 (only its own
	 * earlier answer has it now); .4 renewed with the same key (its own
	 * earlier answer counts, as the leaf changed); .5 new with .4's key. */
	pl = sweep_begin(fx->path, &cfg);
	assert_string_equal(record(pl, "192.0.2.1", 11, 11), "changed");
	assert_string_equal(record(pl, "192.0.2.2", 2, 1), "");
	assert_string_equal(record(pl, "192.0.2.4", 14, 4), "changed shared");
	assert_string_equal(record(pl, "192.0.2.5", 15, 4), "shared");
	assert_int_equal(pipeline_finish(pl, 4, 4), EXIT_OK);

	/* 3: .3 was not in sweep 2: compared with sweep 1. */
	pl = sweep_begin(fx->path, &cfg);
	assert_string_equal(record(pl, "192.0.2.3", 23, 1), "changed shared");
	assert_int_equal(pipeline_finish(pl, 1, 1), EXIT_OK);
}

/* Enough keys in a first sweep that the store's set of them grows a few
 * times: the first key, met again last, is still known. */
static void
test_many_keys(void **state)
{
	struct fixture *fx = *state;
	struct config cfg;
	struct pipeline *pl;
	char ip[32];

	pl = sweep_begin(fx->path, &cfg);
	for (uint32_t i = 0; i < 3000; i++) {
		snprintf(ip, sizeof(ip), "10.0.%u.%u", i / 256, i % 256);
		assert_string_equal(record(pl, ip, 1000 + i, 1000 + i), "");
	}
	assert_string_equal(record(pl, "10.1.0.0", 9999, 1000), "shared");
	assert_string_equal(record(pl, "10.1.0.1", 9998, 3999), "shared");
	assert_int_equal(pipeline_finish(pl, 3002, 3002), EXIT_OK);
}

/*
 * Another connection writes an answer of .9 (scan 0, key 9) into the empty
 * database after the first sweep began (store_scan_begin() committed) and
 * before it recorded anything: the rules must see it.
 */
static void
test_other_writer(void **state)
{
	struct fixture *fx = *state;
	struct config cfg;
	struct pipeline *pl;
	struct cert_record c;
	sqlite3 *db;
	char sha[65], spki[65], *sql;

	pl = sweep_begin(fx->path, &cfg);
	make_cert(&c, 9, 9);
	cert_hex(c.sha256, CERT_SHA256_LEN, sha);
	cert_hex(c.spki_sha256, CERT_SHA256_LEN, spki);
	cert_record_clear(&c);
	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	sql = sqlite3_mprintf("BEGIN IMMEDIATE; "
	    "INSERT INTO scans (id, kind, started) VALUES (0, 'active', 1); "
	    "INSERT INTO endpoints (id, ip, port, protocol, first_seen, "
	    "last_seen, leaf_scan, leaf_sha256, leaf_spki) VALUES (100, "
	    "'192.0.2.9', 443, 'tls', 1, 1, 0, %Q, %Q); "
	    "INSERT INTO certificates (sha256, spki_sha256, first_seen, "
	    "last_seen) VALUES (%Q, %Q, 1, 1); "
	    "INSERT INTO observations (id, scan_id, endpoint_id, source, time, "
	    "status) VALUES (1000, 0, 100, 'active', 1, 'ok'); "
	    "INSERT INTO chain_links VALUES (1000, 0, %Q); COMMIT", sha, spki,
	    sha, spki, sha);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_free(sql);
	sqlite3_close(db);
	assert_string_equal(record(pl, "192.0.2.9", 19, 9), "changed shared");
	assert_string_equal(record(pl, "192.0.2.8", 18, 9), "shared");
	assert_string_equal(record(pl, "192.0.2.7", 17, 7), "");
	assert_int_equal(pipeline_finish(pl, 3, 3), EXIT_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_three_sweeps, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_many_keys, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_other_writer, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
