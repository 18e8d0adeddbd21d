/*
 * jsonl.c: the "jsonl" writer: one JSON object per observation per line
 * (README.md, "JSON lines").  The only code that knows the JSON shape of
 * an observation.
 *
 * Each observation becomes a jansson tree, is dumped compactly with a
 * newline and freed, so memory stays bounded by one observation.  Text
 * from certificates is untrusted: jansson refuses invalid UTF-8, so every
 * string goes through utf8_clean(), which replaces each invalid byte with
 * U+FFFD; control characters, quotes and the like are jansson's job.
 * Hazard tags: [JSON-BAD-UTF8] [JSON-NONFINITE] [JSON-WRITE-FAIL].
 */
#include "report/report.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/x509v3.h>

#include "report/report_internal.h"
#include "scanner/cert.h"
#include "scanner/tlsenum.h"
#include "report/doc_internal.h"
#include "scanner/xmem.h"

/*
 * A JSON string of n bytes at s, each byte that does not start a valid
 * UTF-8 sequence replaced by U+FFFD.  [JSON-BAD-UTF8]
 */
static json_t *
utf8_clean(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	char *buf;
	size_t o = 0, k;
	json_t *j;

	if (n > SIZE_MAX / 3)
		return NULL;
	buf = xmalloc(3 * n + 1);
	for (size_t i = 0; i < n; i += k) {
		if ((k = doc_utf8_seq(p + i, n - i)) == 0) {
			memcpy(buf + o, "\xef\xbf\xbd", 3);
			o += 3;
			k = 1;
		} else {
			memcpy(buf + o, p + i, k);
			o += k;
		}
	}
	j = json_stringn(buf, o);
	free(buf);
	return j;
}

static json_t *
jstr(const char *s)
{
	return utf8_clean(s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

/* A char array of the observation, which need not be NUL-terminated. */
#define JARR(a)	utf8_clean((a), strnlen((a), sizeof(a)))

/*
 * Sets o[key] = v, taking v.  Errors (v NULL from a failed constructor)
 * are remembered in *err so the builders stay flat.
 */
static void
put(json_t *o, const char *key, json_t *v, bool *err)
{
	if (v == NULL || json_object_set_new(o, key, v) == -1)
		*err = true;
}

static void
push(json_t *a, json_t *v, bool *err)
{
	if (v == NULL || json_array_append_new(a, v) == -1)
		*err = true;
}

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant). */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/*
 * RFC 3339 UTC ("2026-11-22T14:00:00Z") of Unix seconds, without time_t,
 * clamped to years 0000-9999 (all X.509 can express).
 */
static json_t *
jtime(int64_t t)
{
	static const int64_t lo = -62167219200LL;	/* 0000-01-01 */
	static const int64_t hi = 253402300799LL;	/* 9999-12-31 */
	int64_t days, secs, y;
	unsigned m, d;
	char buf[32];

	if (t < lo)
		t = lo;
	if (t > hi)
		t = hi;
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
	    (long long)y, m, d, (long long)(secs / 3600),
	    (long long)(secs / 60 % 60), (long long)(secs % 60));
	return json_string(buf);
}

static json_t *
jhex(const uint8_t *bytes, size_t len)
{
	char hex[2 * CERT_SHA256_LEN + 1];

	if (len > CERT_SHA256_LEN)
		len = CERT_SHA256_LEN;
	cert_hex(bytes, len, hex);
	return json_string(hex);
}

/*
 * A comma-separated list of scanner/cert.c as an array.  cert.c writes a
 * comma inside an item as \x2c (and a backslash as \x5c); the comma is
 * turned back here, other escapes stay visible.
 */
static json_t *
jlist(const char *s, bool *err)
{
	json_t *a = json_array();
	size_t n = s != NULL ? strlen(s) : 0, o;
	char *item;

	if (a == NULL || n == 0)
		return a;
	item = xmalloc(n + 1);
	for (size_t i = 0; i <= n; i++) {
		o = 0;
		for (; i < n && s[i] != ','; i++) {
			if (strncmp(s + i, "\\x2c", 4) == 0) {
				item[o++] = ',';
				i += 3;
			} else if (s[i] == '\\' && i + 4 <= n) {
				memcpy(item + o, s + i, 4);	/* \xNN */
				o += 4;
				i += 3;
			} else
				item[o++] = s[i];
		}
		push(a, utf8_clean(item, o), err);
	}
	free(item);
	return a;
}

/* RFC 5280 names of the key usage bits, in bit order. */
static const struct {
	uint32_t	 bit;
	const char	*name;
} key_usages[] = {
	{ KU_DIGITAL_SIGNATURE,	"digitalSignature" },
	{ KU_NON_REPUDIATION,	"nonRepudiation" },
	{ KU_KEY_ENCIPHERMENT,	"keyEncipherment" },
	{ KU_DATA_ENCIPHERMENT,	"dataEncipherment" },
	{ KU_KEY_AGREEMENT,	"keyAgreement" },
	{ KU_KEY_CERT_SIGN,	"keyCertSign" },
	{ KU_CRL_SIGN,		"cRLSign" },
	{ KU_ENCIPHER_ONLY,	"encipherOnly" },
	{ KU_DECIPHER_ONLY,	"decipherOnly" },
};

/* The extension is absent (UINT32_MAX): []. */
static json_t *
jkey_usage(uint32_t ku, bool *err)
{
	json_t *a = json_array();

	if (a == NULL || ku == UINT32_MAX)
		return a;
	for (size_t i = 0; i < sizeof(key_usages) / sizeof(key_usages[0]);
	    i++)
		if (ku & key_usages[i].bit)
			push(a, json_string(key_usages[i].name), err);
	return a;
}

static json_t *
jsans(const struct cert_record *c, bool *err)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < c->nsans; i++)
		push(a, jstr(c->sans[i]), err);
	return a;
}

static json_t *
cert_json(const struct cert_record *c, bool *err)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	put(o, "sha256", jhex(c->sha256, sizeof(c->sha256)), err);
	put(o, "subject", jstr(c->subject), err);
	put(o, "issuer", jstr(c->issuer), err);
	put(o, "serial", jstr(c->serial), err);
	put(o, "not_before", jtime(c->not_before), err);
	put(o, "not_after", jtime(c->not_after), err);
	put(o, "sans", jsans(c, err), err);
	put(o, "key_type", jstr(c->key_type), err);
	put(o, "key_bits", json_integer(c->key_bits), err);
	put(o, "curve", jstr(c->curve), err);
	put(o, "signature_algorithm", jstr(c->sig_alg), err);
	put(o, "is_ca", json_boolean(c->is_ca), err);
	put(o, "self_signed", json_boolean(c->self_signed), err);
	put(o, "spki_sha256", jhex(c->spki_sha256, sizeof(c->spki_sha256)),
	    err);
	put(o, "version", json_integer(c->version), err);
	put(o, "key_usage", jkey_usage(c->key_usage, err), err);
	put(o, "eku", jlist(c->eku, err), err);
	put(o, "ocsp_urls", jlist(c->ocsp_urls, err), err);
	put(o, "crl_urls", jlist(c->crl_urls, err), err);
	put(o, "ca_issuers", jlist(c->ca_issuers, err), err);
	put(o, "sct_count", json_integer(c->sct_count), err);
	if (c->has_basic_constraints)
		put(o, "path_len", c->path_len >= 0 ?
		    json_integer(c->path_len) : json_null(), err);
	put(o, "ski", jstr(c->ski), err);
	put(o, "aki", jstr(c->aki), err);
	return o;
}

static json_t *
findings_json(const struct observation *obs, bool *err)
{
	json_t *a = json_array(), *f;

	for (size_t i = 0; a != NULL && i < obs->nfindings; i++) {
		const struct finding *fi = &obs->findings[i];
		const char *sev = severity_name(fi->severity);

		if ((f = json_object()) == NULL) {
			*err = true;
			break;
		}
		put(f, "rule", jstr(fi->rule), err);
		put(f, "severity", jstr(sev != NULL ? sev : "unknown"), err);
		put(f, "depth", json_integer(fi->depth), err);
		put(f, "detail", JARR(fi->detail), err);
		push(a, f, err);
	}
	return a;
}

/* The TLS facts, present on status ok only. */
static json_t *
geo_json(const struct geo_info *g, bool *err)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	put(o, "country_iso", JARR(g->country_iso), err);
	put(o, "country", JARR(g->country), err);
	put(o, "city", JARR(g->city), err);
	put(o, "asn", json_integer(g->asn), err);
	put(o, "as_org", JARR(g->as_org), err);
	return o;
}

/*
 * What OCSP said about the leaf: the stapled response (stapled true;
 * status null when it did not parse), else a --ocsp query (source
 * "responder").  Absent when neither happened.
 */
static json_t *
ocsp_json(const struct observation *obs, bool *err)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	put(o, "stapled", json_boolean(obs->ocsp_staple_len > 0), err);
	put(o, "source", json_string(obs->ocsp_live ? "responder" :
	    "staple"), err);
	put(o, "status", obs->ocsp_status[0] != '\0' ?
	    JARR(obs->ocsp_status) : json_null(), err);
	put(o, "this_update", obs->ocsp_this_update != 0 ?
	    jtime(obs->ocsp_this_update) : json_null(), err);
	put(o, "next_update", obs->ocsp_next_update != 0 ?
	    jtime(obs->ocsp_next_update) : json_null(), err);
	return o;
}

static void
tls_json(json_t *o, const struct observation *obs, bool *err)
{
	json_t *v, *chain;
	double ms = obs->handshake_ms;

	put(o, "version", JARR(obs->version), err);
	put(o, "cipher", JARR(obs->cipher), err);
	put(o, "group", JARR(obs->group), err);
	put(o, "alpn", JARR(obs->alpn), err);
	/* [JSON-NONFINITE] jansson has no NaN; 0.1 ms is all we measure. */
	if (!isfinite(ms) || ms < 0)
		ms = 0;
	put(o, "handshake_ms", json_real(round(ms * 10) / 10), err);
	put(o, "grab", json_string(obs->raw ? "raw" : "openssl"), err);
	if ((v = json_object()) != NULL) {
		put(v, "ok", json_boolean(obs->verify_code == 0), err);
		put(v, "code", json_integer(obs->verify_code), err);
		put(v, "reason", JARR(obs->verify_reason), err);
		put(v, "name_match", obs->name_match < 0 ? json_null() :
		    json_boolean(obs->name_match == 1), err);
	}
	put(o, "verify", v, err);
	chain = json_array();
	for (size_t i = 0; chain != NULL && i < obs->chain_len; i++)
		push(chain, cert_json(&obs->chain[i], err), err);
	put(o, "chain", chain, err);
	if (obs->ocsp_staple_len > 0 || obs->ocsp_status[0] != '\0')
		put(o, "ocsp", ocsp_json(obs, err), err);
}

/* --enum: 1 / 0 / -1 as true / false / null. */
static json_t *
jtri(int8_t v)
{
	return v < 0 ? json_null() : json_boolean(v == 1);
}

static json_t *
suites_json(const struct tls_enum_version *v, bool *err)
{
	json_t *a = json_array(), *c;
	char id[16];

	for (size_t i = 0; a != NULL && i < v->nciphers; i++) {
		const struct tls_enum_cipher *s = &v->ciphers[i];

		if ((c = json_object()) == NULL) {
			*err = true;
			break;
		}
		snprintf(id, sizeof(id), s->id > 0xffff ? "0x%06x" : "0x%04x",
		    (unsigned)s->id);
		put(c, "id", json_string(id), err);
		put(c, "iana", jstr(s->name), err);
		put(c, "openssl", s->openssl != NULL ? jstr(s->openssl) :
		    json_null(), err);
		if (s->kx != NULL)
			put(c, "kx", jstr(s->kx), err);
		if (s->enc != NULL)
			put(c, "enc", jstr(s->enc), err);
		if (s->bits > 0)
			put(c, "bits", json_integer(s->bits), err);
		put(c, "forward_secrecy", json_boolean(s->fs), err);
		if (s->dh_bits > 0)
			put(c, "dh_bits", json_integer(s->dh_bits), err);
		push(a, c, err);
	}
	return a;
}

/* Versions answered, suites per version (in the server's order when
 * server_order is true), groups, facts, fingerprints, profile. */
static json_t *
enum_json(const struct tls_enum *e, bool *err)
{
	json_t *o = json_object(), *vers = json_array(), *ciph = json_object();
	json_t *groups = json_array(), *flags = json_object(), *v;

	if (o == NULL || vers == NULL || ciph == NULL || groups == NULL ||
	    flags == NULL) {
		*err = true;
		json_decref(vers);
		json_decref(ciph);
		json_decref(groups);
		json_decref(flags);
		return o;
	}
	for (int k = 0; k < TLSENUM_VER__MAX; k++) {
		const struct tls_enum_version *tv = &e->v[k];

		if (tv->supported != 1 || tv->name == NULL)
			continue;
		push(vers, jstr(tv->name), err);
		if ((v = json_object()) == NULL) {
			*err = true;
			continue;
		}
		put(v, "server_order", jtri(tv->server_order), err);
		put(v, "suites", suites_json(tv, err), err);
		put(ciph, tv->name, v, err);
	}
	for (size_t i = 0; i < e->ngroups; i++)
		push(groups, e->groups[i].name != NULL ?
		    jstr(e->groups[i].name) : json_integer(e->groups[i].id),
		    err);
	put(flags, "secure_renegotiation", jtri(e->secure_reneg), err);
	put(flags, "compression", jtri(e->compression), err);
	put(flags, "ocsp_stapling", jtri(e->ocsp_stapling), err);
	put(flags, "session_ticket", jtri(e->session_ticket), err);
	put(flags, "fallback_scsv", jtri(e->fallback_scsv), err);
	put(flags, "heartbeat", jtri(e->heartbeat), err);
	put(flags, "extended_master_secret", jtri(e->ems), err);
	put(flags, "encrypt_then_mac", jtri(e->etm), err);
	put(o, "versions", vers, err);
	put(o, "ciphers", ciph, err);
	put(o, "groups", groups, err);
	put(o, "groups_tls13", json_boolean(e->groups_tls13), err);
	put(o, "dh_bits", e->dh_bits > 0 ? json_integer(e->dh_bits) :
	    json_null(), err);
	put(o, "flags", flags, err);
	put(o, "alpn", e->alpn[0] != '\0' ? JARR(e->alpn) : json_null(), err);
	put(o, "ja3s", e->ja3s[0] != '\0' ? JARR(e->ja3s) : json_null(), err);
	put(o, "jarm", e->jarm[0] != '\0' ? JARR(e->jarm) : json_null(), err);
	put(o, "profile", e->profile[0] != '\0' ? JARR(e->profile) :
	    json_null(), err);
	put(o, "profile_reasons", JARR(e->profile_reasons), err);
	put(o, "attempts", json_integer(e->attempts), err);
	put(o, "truncated", json_boolean(e->truncated), err);
	if (e->note[0] != '\0')
		put(o, "note", JARR(e->note), err);
	return o;
}

/* The client's fingerprints (passive), each only when known, whatever
 * the status: a client's hello is worth keeping even when the server
 * refused it.  ja3s and jarm (the server's) follow the TLS facts. */
static void
fingerprints_json(json_t *o, const struct observation *obs, bool *err)
{
	if (obs->ja3[0] != '\0')
		put(o, "ja3", JARR(obs->ja3), err);
	if (obs->ja4[0] != '\0')
		put(o, "ja4", JARR(obs->ja4), err);
}

static json_t *
observation_json(const struct observation *obs, bool *err)
{
	json_t *o = json_object();
	const char *st = scan_status_name(obs->status);

	if (o == NULL)
		return NULL;
	put(o, "ip", JARR(obs->ip), err);
	put(o, "port", json_integer(obs->port), err);
	put(o, "hostname", JARR(obs->hostname), err);
	put(o, "sni", JARR(obs->sni), err);
	put(o, "protocol", jstr(obs->protocol), err);
	put(o, "time", jtime(obs->time), err);
	put(o, "status", jstr(st != NULL ? st : "internal-error"), err);
	put(o, "reason", JARR(obs->reason), err);
	put(o, "source", json_string(obs->source == OBS_PASSIVE ? "passive" :
	    obs->source == OBS_FILE ? "file" : "active"), err);
	if (obs->origin != NULL)
		put(o, "file", jstr(obs->origin), err);
	if (obs->geo.country_iso[0] != '\0' || obs->geo.asn != 0)
		put(o, "geo", geo_json(&obs->geo, err), err);
	fingerprints_json(o, obs, err);
	if (obs->status == SCAN_OK)
		tls_json(o, obs, err);
	if (obs->ja3s[0] != '\0')
		put(o, "ja3s", JARR(obs->ja3s), err);
	if (obs->jarm[0] != '\0')
		put(o, "jarm", JARR(obs->jarm), err);
	if (obs->tlsenum != NULL)
		put(o, "enum", enum_json(obs->tlsenum, err), err);
	put(o, "findings", findings_json(obs, err), err);
	return o;
}

/*
 * One line, flushed, so a reader (jq, tail -f) sees each endpoint as it
 * is done and a full disk shows up at the observation that hit it.
 * [JSON-WRITE-FAIL]
 */
static int
jsonl_observation(struct report *r, const struct observation *obs)
{
	bool err = false;
	json_t *o = observation_json(obs, &err);
	int rc = -1;

	if (o == NULL || err)
		goto out;
	if (json_dumpf(o, r->out, JSON_COMPACT | JSON_REAL_PRECISION(15)) ==
	    -1 || fputc('\n', r->out) == EOF || fflush(r->out) == EOF ||
	    ferror(r->out))
		goto out;
	rc = 0;
out:
	json_decref(o);
	return rc;
}

static int
jsonl_end(struct report *r)
{
	return fflush(r->out) == EOF || ferror(r->out) ? -1 : 0;
}

const struct report_ops report_jsonl_ops = {
	.name = "jsonl",
	.state_size = 0,
	.observation = jsonl_observation,
	.end = jsonl_end,
};
