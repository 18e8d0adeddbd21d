/*
 * test_store_enum.c: --enum results in the database (db/store_enum.c,
 * migration 3): an enumerated observation gives one tls_config row and a
 * tls_offers row per accepted suite, with the server's order where it has
 * one and NULL for what is not known.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db/store.h"
#include "db/store_internal.h"
#include "scanner/record.h"
#include "scanner/tlsenum.h"
#include "scanner/xmem.h"

static char *
q_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	char *out = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		out = xstrdup(sqlite3_column_type(s, 0) == SQLITE_NULL ?
		    "NULL" : (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	assert_non_null(out);
	return out;
}

static void
expect(sqlite3 *db, const char *sql, const char *want)
{
	char *got = q_text(db, sql);

	assert_string_equal(got, want);
	free(got);
}

static struct tls_enum *
sample(void)
{
	static const char *const names[] = { "SSLv2", "SSLv3", "TLSv1",
	    "TLSv1.1", "TLSv1.2", "TLSv1.3" };
	struct tls_enum *e = xcalloc(1, sizeof(*e));
	struct tls_enum_version *v12 = &e->v[TLSENUM_TLS12];
	struct tls_enum_version *v13 = &e->v[TLSENUM_TLS13];
	int i;

	for (i = 0; i < TLSENUM_VER__MAX; i++)
		e->v[i].name = names[i];
	v12->supported = v13->supported = 1;
	v12->server_order = 1;
	v13->server_order = 0;
	v12->ciphers = xcalloc(2, sizeof(*v12->ciphers));
	v12->ciphers[0] = (struct tls_enum_cipher){ .id = 0xc030,
	    .name = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", .kx = "ECDHE",
	    .enc = "AES", .bits = 256, .fs = true };
	v12->ciphers[1] = (struct tls_enum_cipher){ .id = 0x009e,
	    .name = "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", .kx = "DHE",
	    .enc = "AES", .bits = 128, .fs = true, .dh_bits = 2048 };
	v12->nciphers = 2;
	v13->ciphers = xcalloc(2, sizeof(*v13->ciphers));
	v13->ciphers[0] = (struct tls_enum_cipher){ .id = 0x1301,
	    .name = "TLS_AES_128_GCM_SHA256" };
	v13->ciphers[1] = (struct tls_enum_cipher){ .id = 0x1302,
	    .name = "TLS_AES_256_GCM_SHA384" };
	v13->nciphers = 2;
	e->groups = xcalloc(2, sizeof(*e->groups));
	e->groups[0] = (struct tls_enum_group){ 29, "x25519" };
	e->groups[1] = (struct tls_enum_group){ 0x1234, NULL };
	e->ngroups = 2;
	e->dh_bits = 2048;
	e->secure_reneg = 1;
	e->compression = 0;
	e->ocsp_stapling = -1;
	e->session_ticket = 0;
	e->fallback_scsv = 1;
	e->heartbeat = 0;
	e->ems = 1;
	e->etm = -1;
	snprintf(e->alpn, sizeof(e->alpn), "h2");
	snprintf(e->ja3s, sizeof(e->ja3s), "%s",
	    "0123456789abcdef0123456789abcdef");
	snprintf(e->profile, sizeof(e->profile), "intermediate");
	snprintf(e->profile_reasons, sizeof(e->profile_reasons),
	    "not modern: TLSv1.2 enabled");
	e->attempts = 17;
	return e;
}

static void
test_enum_rows(void **state)
{
	struct store *st = NULL;
	struct observation o;
	char err[512];
	int64_t scan = 0;
	sqlite3 *db;

	(void)state;
	assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
	assert_int_equal(store_scan_begin(st, "active", "--enum", 100, &scan),
	    0);
	memset(&o, 0, sizeof(o));
	snprintf(o.ip, sizeof(o.ip), "192.0.2.5");
	o.port = 443;
	o.protocol = "tls";
	o.time = 100;
	o.status = SCAN_OK;
	o.tlsenum = sample();
	assert_int_equal(store_add_observation(st, scan, &o), 0);
	assert_int_equal(store_flush(st), 0);
	db = store_db(st);
	/* at least the version that made the tls tables */
	expect(db, "SELECT (SELECT user_version FROM pragma_user_version) >= 3",
	    "1");
	expect(db, "SELECT count(*) FROM tls_offers", "4");
	expect(db, "SELECT group_concat(cipher || ':' || ifnull(preference, "
	    "'NULL'), ' ') FROM (SELECT * FROM tls_offers WHERE version = "
	    "'TLSv1.2' ORDER BY preference)",
	    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:0 "
	    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256:1");
	expect(db, "SELECT count(*) FROM tls_offers WHERE version = "
	    "'TLSv1.3' AND preference IS NULL", "2");
	expect(db, "SELECT dh_bits FROM tls_offers WHERE cipher_id = 158",
	    "2048");
	expect(db, "SELECT versions || '|' || groups || '|' || alpn || '|' || "
	    "profile || '|' || attempts FROM tls_config",
	    "TLSv1.2,TLSv1.3|x25519,4660|h2|intermediate|17");
	expect(db, "SELECT ifnull(ocsp_stapling, 'NULL') || ifnull(etm, "
	    "'NULL') || fallback_scsv || secure_reneg || compression FROM "
	    "tls_config", "NULLNULL110");
	expect(db, "SELECT ifnull(jarm, 'NULL') FROM tls_config", "NULL");
	observation_clear(&o);
	assert_int_equal(store_close(st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enum_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
