/*
 * jsonl.c: the "jsonl" writer: one JSON object per observation per line
 * (README.md, "JSON lines").  The only code that knows the JSON shape of
 * an observation.
 *
 * Each observation is written straight into one buffer with jsonw.c, in
 * the byte format jansson gave it before (jsonw.h), and leaves in one
 * fwrite(); the buffer is kept for the next line, so nothing is
 * allocated per observation once it has grown.  Text from certificates
 * is untrusted: jsonw.c replaces each byte that starts no valid UTF-8
 * sequence with U+FFFD and escapes quotes and control characters.
 * Hazard tags: [JSON-BAD-UTF8] (jsonw.c) [JSON-NONFINITE]
 * [JSON-WRITE-FAIL].
 */
#include "report/report.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/x509v3.h>

#include "report/jsonw.h"
#include "report/report_internal.h"
#include "scanner/cert.h"
#include "scanner/tlsenum.h"

/* Flush at most this often: a reader (jq, tail -f) sees lines soon
 * enough, and a sweep does not pay a write(2) per endpoint. */
#define JSONL_FLUSH_NS	250000000LL

struct jsonl {
	struct jsonw	 w;
	int64_t		 flush_at;	/* CLOCK_MONOTONIC ns; 0: the first
					   line flushes */
};

/* A char array of the observation, which need not be NUL-terminated;
 * JARR_OR_NULL: null when empty. */
#define JARR(w, a)	jw_str((w), (a), strnlen((a), sizeof(a)))
#define JARR_OR_NULL(w, a)	jarr_or_null((w), (a), sizeof(a))

static void
jarr_or_null(struct jsonw *w, const char *a, size_t size)
{
	if (a[0] != '\0')
		jw_str(w, a, strnlen(a, size));
	else
		jw_null(w);
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

/* v as n decimal digits, zero-padded, at p. */
static void
digits(char *p, int64_t v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/*
 * RFC 3339 UTC ("2026-11-22T14:00:00Z") of Unix seconds, without time_t
 * or printf, clamped to years 0000-9999 (all X.509 can express).
 */
static void
jtime(struct jsonw *w, int64_t t)
{
	static const int64_t lo = -62167219200LL;	/* 0000-01-01 */
	static const int64_t hi = 253402300799LL;	/* 9999-12-31 */
	int64_t days, secs, y;
	unsigned m, d;
	char buf[] = "0000-00-00T00:00:00Z";

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
	digits(buf, y, 4);
	digits(buf + 5, m, 2);
	digits(buf + 8, d, 2);
	digits(buf + 11, secs / 3600, 2);
	digits(buf + 14, secs / 60 % 60, 2);
	digits(buf + 17, secs % 60, 2);
	jw_str(w, buf, sizeof(buf) - 1);
}

static void
jhex(struct jsonw *w, const uint8_t *bytes, size_t len)
{
	char hex[2 * CERT_SHA256_LEN + 1];

	if (len > CERT_SHA256_LEN)
		len = CERT_SHA256_LEN;
	cert_hex(bytes, len, hex);
	jw_str(w, hex, 2 * len);
}

/*
 * A comma-separated list of scanner/cert.c as an array.  cert.c writes a
 * comma inside an item as \x2c (and a backslash as \x5c); the comma is
 * turned back here, other escapes stay visible.  An item goes out in
 * pieces split at each \x2c, which jw_str_part() allows (',' is ASCII).
 */
static void
jlist(struct jsonw *w, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0, from;

	jw_arr_begin(w);
	for (size_t i = 0; n > 0 && i <= n; i++) {
		jw_str_begin(w);
		for (from = i; i < n && s[i] != ','; i++) {
			if (s[i] != '\\')
				continue;
			if (strncmp(s + i, "\\x2c", 4) == 0) {
				jw_str_part(w, s + from, i - from);
				jw_str_part(w, ",", 1);
				i += 3;
				from = i + 1;
			} else if (i + 4 <= n)
				i += 3;		/* \xNN stays */
		}
		jw_str_part(w, s + from, i - from);
		jw_str_end(w);
	}
	jw_arr_end(w);
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
static void
jkey_usage(struct jsonw *w, uint32_t ku)
{
	jw_arr_begin(w);
	for (size_t i = 0; ku != UINT32_MAX &&
	    i < sizeof(key_usages) / sizeof(key_usages[0]); i++)
		if (ku & key_usages[i].bit)
			jw_cstr(w, key_usages[i].name);
	jw_arr_end(w);
}

static void
cert_json(struct jsonw *w, const struct cert_record *c)
{
	jw_obj_begin(w);
	JW_KEY(w, "sha256");
	jhex(w, c->sha256, sizeof(c->sha256));
	JW_KEY(w, "subject");
	jw_cstr(w, c->subject);
	JW_KEY(w, "issuer");
	jw_cstr(w, c->issuer);
	JW_KEY(w, "serial");
	jw_cstr(w, c->serial);
	JW_KEY(w, "not_before");
	jtime(w, c->not_before);
	JW_KEY(w, "not_after");
	jtime(w, c->not_after);
	JW_KEY(w, "sans");
	jw_arr_begin(w);
	for (size_t i = 0; i < c->nsans; i++)
		jw_cstr(w, c->sans[i]);
	jw_arr_end(w);
	JW_KEY(w, "key_type");
	jw_cstr(w, c->key_type);
	JW_KEY(w, "key_bits");
	jw_int(w, c->key_bits);
	JW_KEY(w, "curve");
	jw_cstr(w, c->curve);
	JW_KEY(w, "signature_algorithm");
	jw_cstr(w, c->sig_alg);
	JW_KEY(w, "is_ca");
	jw_bool(w, c->is_ca);
	JW_KEY(w, "self_signed");
	jw_bool(w, c->self_signed);
	JW_KEY(w, "spki_sha256");
	jhex(w, c->spki_sha256, sizeof(c->spki_sha256));
	JW_KEY(w, "version");
	jw_int(w, c->version);
	JW_KEY(w, "key_usage");
	jkey_usage(w, c->key_usage);
	JW_KEY(w, "eku");
	jlist(w, c->eku);
	JW_KEY(w, "ocsp_urls");
	jlist(w, c->ocsp_urls);
	JW_KEY(w, "crl_urls");
	jlist(w, c->crl_urls);
	JW_KEY(w, "ca_issuers");
	jlist(w, c->ca_issuers);
	JW_KEY(w, "sct_count");
	jw_int(w, c->sct_count);
	if (c->has_basic_constraints) {
		JW_KEY(w, "path_len");
		if (c->path_len >= 0)
			jw_int(w, c->path_len);
		else
			jw_null(w);
	}
	JW_KEY(w, "ski");
	jw_cstr(w, c->ski);
	JW_KEY(w, "aki");
	jw_cstr(w, c->aki);
	jw_obj_end(w);
}

static void
findings_json(struct jsonw *w, const struct observation *obs)
{
	jw_arr_begin(w);
	for (size_t i = 0; i < obs->nfindings; i++) {
		const struct finding *fi = &obs->findings[i];
		const char *sev = severity_name(fi->severity);

		jw_obj_begin(w);
		JW_KEY(w, "rule");
		jw_cstr(w, fi->rule);
		JW_KEY(w, "severity");
		jw_cstr(w, sev != NULL ? sev : "unknown");
		JW_KEY(w, "depth");
		jw_int(w, fi->depth);
		JW_KEY(w, "detail");
		JARR(w, fi->detail);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void
geo_json(struct jsonw *w, const struct geo_info *g)
{
	jw_obj_begin(w);
	JW_KEY(w, "country_iso");
	JARR(w, g->country_iso);
	JW_KEY(w, "country");
	JARR(w, g->country);
	JW_KEY(w, "city");
	JARR(w, g->city);
	JW_KEY(w, "asn");
	jw_int(w, g->asn);
	JW_KEY(w, "as_org");
	JARR(w, g->as_org);
	jw_obj_end(w);
}

/* A time, or null for 0. */
static void
jtime_or_null(struct jsonw *w, int64_t t)
{
	if (t != 0)
		jtime(w, t);
	else
		jw_null(w);
}

/*
 * What OCSP said about the leaf: the stapled response (stapled true;
 * status null when it did not parse), else a --ocsp query (source
 * "responder").  Absent when neither happened.
 */
static void
ocsp_json(struct jsonw *w, const struct observation *obs)
{
	jw_obj_begin(w);
	JW_KEY(w, "stapled");
	jw_bool(w, obs->ocsp_staple_len > 0);
	JW_KEY(w, "source");
	jw_cstr(w, obs->ocsp_live ? "responder" : "staple");
	JW_KEY(w, "status");
	JARR_OR_NULL(w, obs->ocsp_status);
	JW_KEY(w, "this_update");
	jtime_or_null(w, obs->ocsp_this_update);
	JW_KEY(w, "next_update");
	jtime_or_null(w, obs->ocsp_next_update);
	jw_obj_end(w);
}

/* The TLS facts, present on status ok only. */
static void
tls_json(struct jsonw *w, const struct observation *obs)
{
	double ms;

	JW_KEY(w, "version");
	JARR(w, obs->version);
	JW_KEY(w, "cipher");
	JARR(w, obs->cipher);
	JW_KEY(w, "group");
	JARR(w, obs->group);
	JW_KEY(w, "alpn");
	JARR(w, obs->alpn);
	/* [JSON-NONFINITE] JSON has no NaN; 0.1 ms is all we measure.  The
	 * rounding overflows past 1.8e307: 0 as well. */
	ms = obs->handshake_ms;
	if (!isfinite(ms) || ms < 0)
		ms = 0;
	if (!isfinite(ms = round(ms * 10) / 10))
		ms = 0;
	JW_KEY(w, "handshake_ms");
	jw_real(w, ms);
	JW_KEY(w, "grab");
	jw_cstr(w, obs->raw ? "raw" : "openssl");
	JW_KEY(w, "verify");
	jw_obj_begin(w);
	JW_KEY(w, "ok");
	jw_bool(w, obs->verify_code == 0);
	JW_KEY(w, "code");
	jw_int(w, obs->verify_code);
	JW_KEY(w, "reason");
	JARR(w, obs->verify_reason);
	JW_KEY(w, "name_match");
	if (obs->name_match < 0)
		jw_null(w);
	else
		jw_bool(w, obs->name_match == 1);
	jw_obj_end(w);
	JW_KEY(w, "chain");
	jw_arr_begin(w);
	for (size_t i = 0; i < obs->chain_len; i++)
		cert_json(w, &obs->chain[i]);
	jw_arr_end(w);
	if (obs->ocsp_staple_len > 0 || obs->ocsp_status[0] != '\0') {
		JW_KEY(w, "ocsp");
		ocsp_json(w, obs);
	}
}

/* --enum: 1 / 0 / -1 as true / false / null. */
static void
jtri(struct jsonw *w, const char *key, int8_t v)
{
	jw_key(w, key);
	if (v < 0)
		jw_null(w);
	else
		jw_bool(w, v == 1);
}

static void
suites_json(struct jsonw *w, const struct tls_enum_version *v)
{
	char id[16];
	int n;

	jw_arr_begin(w);
	for (size_t i = 0; i < v->nciphers; i++) {
		const struct tls_enum_cipher *s = &v->ciphers[i];

		jw_obj_begin(w);
		n = snprintf(id, sizeof(id), s->id > 0xffff ? "0x%06x" :
		    "0x%04x", (unsigned)s->id);
		JW_KEY(w, "id");
		jw_str(w, id, (size_t)n);
		JW_KEY(w, "iana");
		jw_cstr(w, s->name);
		JW_KEY(w, "openssl");
		if (s->openssl != NULL)
			jw_cstr(w, s->openssl);
		else
			jw_null(w);
		if (s->kx != NULL) {
			JW_KEY(w, "kx");
			jw_cstr(w, s->kx);
		}
		if (s->enc != NULL) {
			JW_KEY(w, "enc");
			jw_cstr(w, s->enc);
		}
		if (s->bits > 0) {
			JW_KEY(w, "bits");
			jw_int(w, s->bits);
		}
		JW_KEY(w, "forward_secrecy");
		jw_bool(w, s->fs);
		if (s->dh_bits > 0) {
			JW_KEY(w, "dh_bits");
			jw_int(w, s->dh_bits);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static bool
version_listed(const struct tls_enum_version *tv)
{
	return tv->supported == 1 && tv->name != NULL;
}

/* Versions answered, suites per version (in the server's order when
 * server_order is true), groups, facts, fingerprints, profile.  Version
 * names are distinct (tlsenum's table), so "ciphers" has no duplicate
 * key. */
static void
enum_json(struct jsonw *w, const struct tls_enum *e)
{
	jw_obj_begin(w);
	JW_KEY(w, "versions");
	jw_arr_begin(w);
	for (int k = 0; k < TLSENUM_VER__MAX; k++)
		if (version_listed(&e->v[k]))
			jw_cstr(w, e->v[k].name);
	jw_arr_end(w);
	JW_KEY(w, "ciphers");
	jw_obj_begin(w);
	for (int k = 0; k < TLSENUM_VER__MAX; k++) {
		const struct tls_enum_version *tv = &e->v[k];

		if (!version_listed(tv))
			continue;
		jw_key(w, tv->name);
		jw_obj_begin(w);
		jtri(w, "server_order", tv->server_order);
		JW_KEY(w, "suites");
		suites_json(w, tv);
		jw_obj_end(w);
	}
	jw_obj_end(w);
	JW_KEY(w, "groups");
	jw_arr_begin(w);
	for (size_t i = 0; i < e->ngroups; i++)
		if (e->groups[i].name != NULL)
			jw_cstr(w, e->groups[i].name);
		else
			jw_int(w, e->groups[i].id);
	jw_arr_end(w);
	JW_KEY(w, "groups_tls13");
	jw_bool(w, e->groups_tls13);
	JW_KEY(w, "dh_bits");
	if (e->dh_bits > 0)
		jw_int(w, e->dh_bits);
	else
		jw_null(w);
	JW_KEY(w, "flags");
	jw_obj_begin(w);
	jtri(w, "secure_renegotiation", e->secure_reneg);
	jtri(w, "compression", e->compression);
	jtri(w, "ocsp_stapling", e->ocsp_stapling);
	jtri(w, "session_ticket", e->session_ticket);
	jtri(w, "fallback_scsv", e->fallback_scsv);
	jtri(w, "heartbeat", e->heartbeat);
	jtri(w, "extended_master_secret", e->ems);
	jtri(w, "encrypt_then_mac", e->etm);
	jw_obj_end(w);
	JW_KEY(w, "alpn");
	JARR_OR_NULL(w, e->alpn);
	JW_KEY(w, "ja3s");
	JARR_OR_NULL(w, e->ja3s);
	JW_KEY(w, "jarm");
	JARR_OR_NULL(w, e->jarm);
	JW_KEY(w, "profile");
	JARR_OR_NULL(w, e->profile);
	JW_KEY(w, "profile_reasons");
	JARR(w, e->profile_reasons);
	JW_KEY(w, "attempts");
	jw_int(w, e->attempts);
	JW_KEY(w, "truncated");
	jw_bool(w, e->truncated);
	if (e->note[0] != '\0') {
		JW_KEY(w, "note");
		JARR(w, e->note);
	}
	jw_obj_end(w);
}

/* The client's fingerprints (passive), each only when known, whatever
 * the status: a client's hello is worth keeping even when the server
 * refused it.  ja3s and jarm (the server's) follow the TLS facts. */
static void
fingerprints_json(struct jsonw *w, const struct observation *obs)
{
	if (obs->ja3[0] != '\0') {
		JW_KEY(w, "ja3");
		JARR(w, obs->ja3);
	}
	if (obs->ja4[0] != '\0') {
		JW_KEY(w, "ja4");
		JARR(w, obs->ja4);
	}
}

static void
observation_json(struct jsonw *w, const struct observation *obs)
{
	const char *st = scan_status_name(obs->status);

	jw_obj_begin(w);
	JW_KEY(w, "ip");
	JARR(w, obs->ip);
	JW_KEY(w, "port");
	jw_int(w, obs->port);
	JW_KEY(w, "hostname");
	JARR(w, obs->hostname);
	JW_KEY(w, "sni");
	JARR(w, obs->sni);
	JW_KEY(w, "protocol");
	jw_cstr(w, obs->protocol);
	JW_KEY(w, "time");
	jtime(w, obs->time);
	JW_KEY(w, "status");
	jw_cstr(w, st != NULL ? st : "internal-error");
	JW_KEY(w, "reason");
	JARR(w, obs->reason);
	JW_KEY(w, "source");
	jw_cstr(w, obs->source == OBS_PASSIVE ? "passive" :
	    obs->source == OBS_FILE ? "file" : "active");
	if (obs->origin != NULL) {
		JW_KEY(w, "file");
		jw_cstr(w, obs->origin);
	}
	if (obs->geo.country_iso[0] != '\0' || obs->geo.asn != 0) {
		JW_KEY(w, "geo");
		geo_json(w, &obs->geo);
	}
	fingerprints_json(w, obs);
	if (obs->status == SCAN_OK)
		tls_json(w, obs);
	if (obs->ja3s[0] != '\0') {
		JW_KEY(w, "ja3s");
		JARR(w, obs->ja3s);
	}
	if (obs->jarm[0] != '\0') {
		JW_KEY(w, "jarm");
		JARR(w, obs->jarm);
	}
	if (obs->tlsenum != NULL) {
		JW_KEY(w, "enum");
		enum_json(w, obs->tlsenum);
	}
	JW_KEY(w, "findings");
	findings_json(w, obs);
	jw_obj_end(w);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return INT64_MAX;	/* flush: too often beats never */
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * One line, one fwrite().  The stream is flushed with the first line (a
 * broken stdout shows at once), then with the first line written
 * JSONL_FLUSH_NS or more after the last flush, and by jsonl_end(); in
 * between, lines wait in stdio's buffer unless the caller's timer calls
 * report_flush().  A write error (EPIPE, ENOSPC) shows at the fwrite()
 * or flush that meets it: a few lines late at worst, still -1.
 * [JSON-WRITE-FAIL]
 */
static int
jsonl_observation(struct report *r, const struct observation *obs)
{
	struct jsonl *j = r->state;
	int64_t now;

	jw_reset(&j->w);
	observation_json(&j->w, obs);
	jw_byte(&j->w, '\n');
	if (fwrite(j->w.buf, 1, j->w.len, r->out) != j->w.len)
		return -1;
	if ((now = now_ns()) >= j->flush_at) {
		if (fflush(r->out) == EOF)
			return -1;
		j->flush_at = now == INT64_MAX ? 0 : now + JSONL_FLUSH_NS;
	}
	return ferror(r->out) ? -1 : 0;
}

static int
jsonl_end(struct report *r)
{
	return fflush(r->out) == EOF || ferror(r->out) ? -1 : 0;
}

static void
jsonl_free(struct report *r)
{
	struct jsonl *j = r->state;

	jw_free(&j->w);
}

const struct report_ops report_jsonl_ops = {
	.name = "jsonl",
	.state_size = sizeof(struct jsonl),
	.observation = jsonl_observation,
	.end = jsonl_end,
	.free = jsonl_free,
};
