/*
 * store_enum.c: an observation's --enum results into tls_offers and
 * tls_config (migration 3), inside the store's open batch.  Enumerated
 * endpoints are few (each costs tens of connections), so the statements
 * are prepared per call rather than kept in the store's table: the store
 * stays unaware of this module but for one call.
 */
#include "db/store_internal.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "scanner/tlsenum.h"

static const char offer_sql[] =
    "INSERT OR REPLACE INTO tls_offers (observation_id, version, cipher, "
    "cipher_id, preference, kx, enc, bits, dh_bits) VALUES (?1, ?2, ?3, "
    "?4, ?5, ?6, ?7, ?8, ?9)";
static const char config_sql[] =
    "INSERT OR REPLACE INTO tls_config (observation_id, versions, groups, "
    "dh_bits, secure_reneg, compression, ocsp_stapling, alpn, "
    "session_ticket, fallback_scsv, heartbeat, ems, etm, ja3s, jarm, "
    "profile, profile_reasons, attempts, truncated, note) VALUES (?1, ?2, "
    "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
    "?18, ?19, ?20)";

static void
bind_text(sqlite3_stmt *s, int i, const char *t)
{
	if (t == NULL || t[0] == '\0')
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
}

static void
bind_tri(sqlite3_stmt *s, int i, int8_t v)
{
	if (v < 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int(s, i, v);
}

static int
step(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
put_offers(sqlite3_stmt *s, int64_t obs_id, const struct tls_enum *e)
{
	const struct tls_enum_version *v;
	size_t i;
	int k, rc;

	for (k = 0; k < TLSENUM_VER__MAX; k++) {
		v = &e->v[k];
		for (i = 0; i < v->nciphers; i++) {
			const struct tls_enum_cipher *c = &v->ciphers[i];

			sqlite3_bind_int64(s, 1, obs_id);
			bind_text(s, 2, v->name);
			bind_text(s, 3, c->name);
			sqlite3_bind_int64(s, 4, c->id);
			if (v->server_order == 1 || v->nciphers == 1)
				sqlite3_bind_int64(s, 5, (sqlite3_int64)i);
			bind_text(s, 6, c->kx);
			bind_text(s, 7, c->enc);
			if (c->bits > 0)
				sqlite3_bind_int(s, 8, (int)c->bits);
			if (c->dh_bits > 0)
				sqlite3_bind_int(s, 9, (int)c->dh_bits);
			if ((rc = step(s)) != SQLITE_OK)
				return rc;
		}
	}
	return SQLITE_OK;
}

/* "a,b,c" of the supported versions and of the groups. */
static void
lists(const struct tls_enum *e, char *vers, size_t vlen, char *groups,
    size_t glen)
{
	size_t i, off = 0;
	char num[16];
	int k;

	vers[0] = groups[0] = '\0';
	for (k = 0; k < TLSENUM_VER__MAX; k++)
		if (e->v[k].supported == 1 && e->v[k].name != NULL)
			off += (size_t)snprintf(vers + off, vlen - off, "%s%s",
			    off > 0 ? "," : "", e->v[k].name);
	for (i = 0, off = 0; i < e->ngroups && off < glen; i++) {
		const char *n = e->groups[i].name;

		if (n == NULL) {
			snprintf(num, sizeof(num), "%u", e->groups[i].id);
			n = num;
		}
		off += (size_t)snprintf(groups + off, glen - off, "%s%s",
		    off > 0 ? "," : "", n);
	}
}

static int
put_config(sqlite3_stmt *s, int64_t obs_id, const struct tls_enum *e)
{
	char vers[96], groups[1024];

	lists(e, vers, sizeof(vers), groups, sizeof(groups));
	sqlite3_bind_int64(s, 1, obs_id);
	bind_text(s, 2, vers);
	bind_text(s, 3, groups);
	if (e->dh_bits > 0)
		sqlite3_bind_int(s, 4, (int)e->dh_bits);
	bind_tri(s, 5, e->secure_reneg);
	bind_tri(s, 6, e->compression);
	bind_tri(s, 7, e->ocsp_stapling);
	bind_text(s, 8, e->alpn);
	bind_tri(s, 9, e->session_ticket);
	bind_tri(s, 10, e->fallback_scsv);
	bind_tri(s, 11, e->heartbeat);
	bind_tri(s, 12, e->ems);
	bind_tri(s, 13, e->etm);
	bind_text(s, 14, e->ja3s);
	bind_text(s, 15, e->jarm);
	bind_text(s, 16, e->profile);
	bind_text(s, 17, e->profile_reasons);
	sqlite3_bind_int(s, 18, (int)e->attempts);
	sqlite3_bind_int(s, 19, e->truncated ? 1 : 0);
	bind_text(s, 20, e->note);
	return step(s);
}

int
store_enum_add(sqlite3 *db, int64_t obs_id, const struct tls_enum *e)
{
	sqlite3_stmt *offer = NULL, *config = NULL;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, offer_sql, -1, &offer, NULL)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_prepare_v2(db, config_sql, -1, &config, NULL)) !=
	    SQLITE_OK)
		goto out;
	if ((rc = put_offers(offer, obs_id, e)) != SQLITE_OK)
		goto out;
	rc = put_config(config, obs_id, e);
 out:
	sqlite3_finalize(offer);
	sqlite3_finalize(config);
	return rc;
}
