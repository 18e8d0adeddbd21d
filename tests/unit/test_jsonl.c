/*
 * test_jsonl.c: report/registry.c and the "jsonl" writer.  Observations
 * are built by hand (chains parsed from tests/data/certs), written to a
 * memory stream, and parsed back with jansson: every documented key, its
 * type and its value; hostile text (invalid UTF-8, quotes, newlines,
 * <script>) must still give one valid JSON line; a full disk gives -1.
 * The test_exact_* cases pin the bytes: the lines jansson's dump wrote
 * (JSON_COMPACT | JSON_REAL_PRECISION(15)) before jsonl.c wrote them
 * itself.  test_flush: when lines reach the stream.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include <fcntl.h>
#include <unistd.h>

#include "report/report.h"
#include "scanner/cert.h"
#include "scanner/tlsenum.h"

#define HOSTILE	"CN=\xff\xfe \"q\"\n<script>alert(1)</script>\\ " \
		"caf\xc3\xa9 \xed\xa0\x80 \xc0\xaf\t\x01"
#define HOSTILE_CLEAN \
		"CN=\xef\xbf\xbd\xef\xbf\xbd \"q\"\n" \
		"<script>alert(1)</script>\\ caf\xc3\xa9 " \
		"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd " \
		"\xef\xbf\xbd\xef\xbf\xbd\t\x01"

static void
load_cert(const char *name, struct cert_record *rec)
{
	const char *src = getenv("CERTSWEEP_SRC");
	char path[1024], *pname = NULL, *header = NULL;
	unsigned char *data = NULL;
	long n = 0;
	BIO *bio;

	snprintf(path, sizeof(path), "%s/tests/data/certs/%s",
	    src != NULL ? src : ".", name);
	bio = BIO_new_file(path, "r");
	if (bio == NULL)
		fail_msg("cannot open %s (set CERTSWEEP_SRC)", path);
	assert_int_equal(PEM_read_bio(bio, &pname, &header, &data, &n), 1);
	BIO_free(bio);
	assert_int_equal(cert_record_from_der(rec, data, (size_t)n), 0);
	OPENSSL_free(pname);
	OPENSSL_free(header);
	OPENSSL_free(data);
}

static void
set(char *dst, size_t len, const char *s)
{
	snprintf(dst, len, "%s", s);
}
#define SET(a, s)	set((a), sizeof(a), (s))

/* Writes the observations with the jsonl writer; returns the bytes. */
static char *
write_all(struct observation *obs, size_t n, size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	struct report *r;

	assert_non_null(fp);
	r = report_open("jsonl", fp);
	assert_non_null(r);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(report_emit(r, &obs[i]), 0);
	assert_int_equal(report_close(r), 0);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

/* Line i of buf, parsed; exactly one newline per line, none inside. */
static json_t *
line(const char *buf, size_t len, int want)
{
	const char *p = buf, *nl;
	json_error_t e;
	json_t *j;

	for (int i = 0; i < want; i++) {
		nl = memchr(p, '\n', len - (size_t)(p - buf));
		assert_non_null(nl);
		p = nl + 1;
	}
	nl = memchr(p, '\n', len - (size_t)(p - buf));
	assert_non_null(nl);
	j = json_loadb(p, (size_t)(nl - p), JSON_REJECT_DUPLICATES, &e);
	if (j == NULL)
		fail_msg("line %d: %s: %.*s", want, e.text, (int)(nl - p), p);
	assert_true(json_is_object(j));
	return j;
}

static const char *
str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		fail_msg("'%s' is not a string", key);
	return json_string_value(v);
}

static json_int_t
num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("'%s' is not an integer", key);
	return json_integer_value(v);
}

static bool
boolean(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_boolean(v))
		fail_msg("'%s' is not a boolean", key);
	return json_is_true(v);
}

/* o has exactly these keys. */
static void
keys_are(const json_t *o, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (json_object_get(o, keys[i]) == NULL)
			fail_msg("key '%s' missing", keys[i]);
	assert_int_equal(json_object_size(o), n);
}

/* Array a holds exactly the strings of want (NULL-terminated). */
static void
strings_are(const json_t *a, const char *const *want)
{
	size_t n = 0;

	assert_true(json_is_array(a));
	for (; want[n] != NULL; n++) {
		assert_true(json_is_string(json_array_get(a, n)));
		assert_string_equal(json_string_value(json_array_get(a, n)),
		    want[n]);
	}
	assert_int_equal(json_array_size(a), n);
}

static const char *
rfc3339(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	assert_non_null(gmtime_r(&tt, &tm));
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static const char *const common_keys[] = { "ip", "port", "hostname", "sni",
    "protocol", "time", "status", "reason", "source", "findings" };
static const char *const ok_keys[] = { "ip", "port", "hostname", "sni",
    "protocol", "time", "status", "reason", "source", "findings",
    "version", "cipher", "group", "alpn", "handshake_ms", "grab", "verify",
    "chain" };
static const char *const cert_keys[] = { "sha256", "subject", "issuer",
    "serial", "not_before", "not_after", "sans", "key_type", "key_bits",
    "curve", "signature_algorithm", "is_ca", "self_signed", "spki_sha256",
    "version", "key_usage", "eku", "ocsp_urls", "crl_urls", "ca_issuers",
    "sct_count", "path_len", "ski", "aki" };
#define NKEYS(k)	(sizeof(k) / sizeof((k)[0]))

/* Every chain field against the record it came from. */
static void
check_cert(const json_t *c, const struct cert_record *rec)
{
	char hex[65], t[32];
	const json_t *sans = json_object_get(c, "sans");

	keys_are(c, cert_keys, NKEYS(cert_keys) -
	    (rec->has_basic_constraints ? 0 : 1));
	cert_hex(rec->sha256, 32, hex);
	assert_string_equal(str(c, "sha256"), hex);
	cert_hex(rec->spki_sha256, 32, hex);
	assert_string_equal(str(c, "spki_sha256"), hex);
	assert_string_equal(str(c, "subject"), rec->subject);
	assert_string_equal(str(c, "issuer"), rec->issuer);
	assert_string_equal(str(c, "serial"), rec->serial);
	assert_string_equal(str(c, "not_before"),
	    rfc3339(rec->not_before, t, sizeof(t)));
	assert_string_equal(str(c, "not_after"),
	    rfc3339(rec->not_after, t, sizeof(t)));
	assert_true(json_is_array(sans));
	assert_int_equal(json_array_size(sans), rec->nsans);
	for (size_t i = 0; i < rec->nsans; i++)
		assert_string_equal(json_string_value(json_array_get(sans, i)),
		    rec->sans[i]);
	assert_string_equal(str(c, "key_type"), rec->key_type);
	assert_int_equal(num(c, "key_bits"), rec->key_bits);
	assert_string_equal(str(c, "curve"), rec->curve);
	assert_string_equal(str(c, "signature_algorithm"), rec->sig_alg);
	assert_int_equal(boolean(c, "is_ca"), rec->is_ca);
	assert_int_equal(boolean(c, "self_signed"), rec->self_signed);
	assert_int_equal(num(c, "version"), rec->version);
	assert_int_equal(num(c, "sct_count"), rec->sct_count);
	assert_string_equal(str(c, "ski"), rec->ski);
	assert_string_equal(str(c, "aki"), rec->aki);
}

static void
ok_observation(struct observation *o, struct cert_record *chain)
{
	memset(o, 0, sizeof(*o));
	o->source = OBS_ACTIVE;
	SET(o->ip, "192.0.2.7");
	o->port = 8443;
	SET(o->hostname, "www.example.com");
	SET(o->sni, "www.example.com");
	o->protocol = "tls";
	o->time = 1795356000;
	o->status = SCAN_OK;
	SET(o->version, "TLSv1.3");
	SET(o->cipher, "TLS_AES_256_GCM_SHA384");
	SET(o->group, "x25519");
	SET(o->alpn, "h2");
	o->handshake_ms = 1.94;
	o->verify_code = 18;
	SET(o->verify_reason, "self-signed certificate");
	o->name_match = 0;
	o->chain = chain;
	o->chain_len = 2;
}

static void
test_ok_observation(void **state)
{
	struct cert_record chain[2];
	struct observation o;
	json_t *j, *v, *c;
	char *buf, t[32];
	size_t len;

	(void)state;
	load_cert("badssl-wildcard-rsa2048.pem", &chain[0]);
	load_cert("badssl-wildcard-rsa2048-intermediate.pem", &chain[1]);
	ok_observation(&o, chain);
	buf = write_all(&o, 1, &len);
	assert_int_equal(buf[len - 1], '\n');
	assert_ptr_equal(memchr(buf, '\n', len), buf + len - 1);
	j = line(buf, len, 0);
	keys_are(j, ok_keys, NKEYS(ok_keys));
	assert_string_equal(str(j, "ip"), "192.0.2.7");
	assert_int_equal(num(j, "port"), 8443);
	assert_string_equal(str(j, "hostname"), "www.example.com");
	assert_string_equal(str(j, "sni"), "www.example.com");
	assert_string_equal(str(j, "protocol"), "tls");
	assert_string_equal(str(j, "time"), rfc3339(o.time, t, sizeof(t)));
	assert_string_equal(str(j, "status"), "ok");
	assert_string_equal(str(j, "reason"), "");
	assert_string_equal(str(j, "source"), "active");
	assert_string_equal(str(j, "version"), "TLSv1.3");
	assert_string_equal(str(j, "cipher"), "TLS_AES_256_GCM_SHA384");
	assert_string_equal(str(j, "group"), "x25519");
	assert_string_equal(str(j, "alpn"), "h2");
	assert_true(json_is_number(json_object_get(j, "handshake_ms")));
	assert_true(fabs(json_number_value(json_object_get(j,
	    "handshake_ms")) - 1.9) < 1e-9);
	v = json_object_get(j, "verify");
	assert_true(json_is_object(v));
	assert_int_equal(json_object_size(v), 4);
	assert_false(boolean(v, "ok"));
	assert_int_equal(num(v, "code"), 18);
	assert_string_equal(str(v, "reason"), "self-signed certificate");
	assert_true(json_is_false(json_object_get(v, "name_match")));
	assert_true(json_is_array(json_object_get(j, "findings")));
	assert_int_equal(json_array_size(json_object_get(j, "findings")), 0);
	assert_int_equal(json_array_size(json_object_get(j, "chain")), 2);

	c = json_array_get(json_object_get(j, "chain"), 0);
	check_cert(c, &chain[0]);
	/* Values as `openssl x509 -text` and cert-facts.tsv give them. */
	assert_string_equal(str(c, "not_before"), "2020-03-23T00:00:00Z");
	assert_string_equal(str(c, "not_after"), "2022-05-17T12:00:00Z");
	assert_string_equal(str(c, "serial"),
	    "0AF06CDA37A60B641342F0A1EB1D59FD");
	strings_are(json_object_get(c, "sans"),
	    (const char *[]){ "DNS:*.badssl.com", "DNS:badssl.com", NULL });
	strings_are(json_object_get(c, "key_usage"), (const char *[]){
	    "digitalSignature", "keyEncipherment", NULL });
	strings_are(json_object_get(c, "eku"),
	    (const char *[]){ "serverAuth", "clientAuth", NULL });
	strings_are(json_object_get(c, "ocsp_urls"),
	    (const char *[]){ "http://ocsp.digicert.com", NULL });
	strings_are(json_object_get(c, "crl_urls"), (const char *[]){
	    "http://crl3.digicert.com/ssca-sha2-g6.crl",
	    "http://crl4.digicert.com/ssca-sha2-g6.crl", NULL });
	strings_are(json_object_get(c, "ca_issuers"), (const char *[]){
	    "http://cacerts.digicert.com/DigiCertSHA2SecureServerCA.crt",
	    NULL });
	assert_int_equal(num(c, "sct_count"), 3);
	assert_true(json_is_null(json_object_get(c, "path_len")));
	assert_false(boolean(c, "is_ca"));

	c = json_array_get(json_object_get(j, "chain"), 1);
	check_cert(c, &chain[1]);
	assert_true(boolean(c, "is_ca"));
	assert_int_equal(num(c, "path_len"), 0);
	strings_are(json_object_get(c, "key_usage"), (const char *[]){
	    "digitalSignature", "keyCertSign", "cRLSign", NULL });
	strings_are(json_object_get(c, "eku"), (const char *[]){ NULL });
	strings_are(json_object_get(c, "ca_issuers"), (const char *[]){ NULL });
	assert_string_equal(str(c, "not_after"), "2023-03-08T12:00:00Z");

	json_decref(j);
	free(buf);
	cert_record_clear(&chain[0]);
	cert_record_clear(&chain[1]);
}

/* The ocsp object: absent without OCSP, stapled or asked otherwise. */
static void
test_ocsp_object(void **state)
{
	struct cert_record chain[2];
	struct observation o;
	uint8_t staple[3] = { 0x30, 0x01, 0x00 };
	json_t *j, *oc;
	char *buf, t[32];
	size_t len;

	(void)state;
	load_cert("badssl-wildcard-rsa2048.pem", &chain[0]);
	load_cert("badssl-wildcard-rsa2048-intermediate.pem", &chain[1]);
	ok_observation(&o, chain);
	buf = write_all(&o, 1, &len);
	j = line(buf, len, 0);
	assert_null(json_object_get(j, "ocsp"));
	json_decref(j);
	free(buf);

	/* stapled, judged */
	o.ocsp_staple = staple;
	o.ocsp_staple_len = sizeof(staple);
	SET(o.ocsp_status, "revoked");
	o.ocsp_this_update = 1795350000;
	buf = write_all(&o, 1, &len);
	j = line(buf, len, 0);
	oc = json_object_get(j, "ocsp");
	assert_true(json_is_object(oc));
	assert_true(boolean(oc, "stapled"));
	assert_string_equal(str(oc, "source"), "staple");
	assert_string_equal(str(oc, "status"), "revoked");
	assert_string_equal(str(oc, "this_update"),
	    rfc3339(1795350000, t, sizeof(t)));
	assert_true(json_is_null(json_object_get(oc, "next_update")));
	json_decref(j);
	free(buf);

	/* stapled but unparsable: status null */
	o.ocsp_status[0] = '\0';
	o.ocsp_this_update = 0;
	buf = write_all(&o, 1, &len);
	j = line(buf, len, 0);
	oc = json_object_get(j, "ocsp");
	assert_true(boolean(oc, "stapled"));
	assert_true(json_is_null(json_object_get(oc, "status")));
	json_decref(j);
	free(buf);

	/* nothing stapled, the responder asked (--ocsp) */
	o.ocsp_staple = NULL;
	o.ocsp_staple_len = 0;
	o.ocsp_live = true;
	SET(o.ocsp_status, "good");
	o.ocsp_next_update = 1795360000;
	buf = write_all(&o, 1, &len);
	j = line(buf, len, 0);
	oc = json_object_get(j, "ocsp");
	assert_false(boolean(oc, "stapled"));
	assert_string_equal(str(oc, "source"), "responder");
	assert_string_equal(str(oc, "status"), "good");
	assert_string_equal(str(oc, "next_update"),
	    rfc3339(1795360000, t, sizeof(t)));
	json_decref(j);
	free(buf);
	cert_record_clear(&chain[0]);
	cert_record_clear(&chain[1]);
}

static void
test_refused_and_findings(void **state)
{
	struct finding f[2] = {
		{ .rule = "cert.expired", .severity = SEV_HIGH, .depth = 0,
		  .detail = "expired 12 days ago" },
		{ .rule = "tls.tls10", .severity = SEV_MEDIUM, .depth = -1,
		  .detail = "TLS 1.0 accepted" },
	};
	struct observation o[2];
	json_t *j, *a, *x;
	char *buf;
	size_t len;

	(void)state;
	memset(o, 0, sizeof(o));
	SET(o[0].ip, "2001:db8::1");
	o[0].port = 443;
	o[0].protocol = "tls";
	o[0].time = -1;			/* 1969-12-31T23:59:59Z */
	o[0].status = SCAN_REFUSED;
	SET(o[0].reason, "connection refused");
	o[0].source = OBS_PASSIVE;
	o[1] = o[0];
	o[1].status = SCAN_TLS_ERROR;
	o[1].time = 4102444800LL;	/* 2100-01-01 */
	o[1].findings = f;
	o[1].nfindings = 2;
	buf = write_all(o, 2, &len);

	j = line(buf, len, 0);
	keys_are(j, common_keys, NKEYS(common_keys));
	assert_string_equal(str(j, "ip"), "2001:db8::1");
	assert_string_equal(str(j, "status"), "refused");
	assert_string_equal(str(j, "reason"), "connection refused");
	assert_string_equal(str(j, "source"), "passive");
	assert_string_equal(str(j, "time"), "1969-12-31T23:59:59Z");
	assert_string_equal(str(j, "hostname"), "");
	assert_int_equal(json_array_size(json_object_get(j, "findings")), 0);
	json_decref(j);

	j = line(buf, len, 1);
	keys_are(j, common_keys, NKEYS(common_keys));
	assert_string_equal(str(j, "status"), "tls-error");
	assert_string_equal(str(j, "time"), "2100-01-01T00:00:00Z");
	a = json_object_get(j, "findings");
	assert_int_equal(json_array_size(a), 2);
	x = json_array_get(a, 0);
	assert_int_equal(json_object_size(x), 4);
	assert_string_equal(str(x, "rule"), "cert.expired");
	assert_string_equal(str(x, "severity"), "high");
	assert_int_equal(num(x, "depth"), 0);
	assert_string_equal(str(x, "detail"), "expired 12 days ago");
	x = json_array_get(a, 1);
	assert_string_equal(str(x, "rule"), "tls.tls10");
	assert_string_equal(str(x, "severity"), "medium");
	assert_int_equal(num(x, "depth"), -1);
	json_decref(j);
	free(buf);
}

/* Certificate text is hostile: the line must stay one valid object. */
static void
test_hostile_text(void **state)
{
	struct cert_record chain[2];
	struct finding f = { .rule = "cert.hostname_mismatch",
	    .severity = SEV_LOW, .depth = 0, .detail = HOSTILE };
	struct observation o;
	json_t *j, *c;
	char *buf;
	size_t len;

	(void)state;
	load_cert("badssl-wildcard-self-signed.pem", &chain[0]);
	load_cert("zlint-rsawithsha1after2016.pem", &chain[1]);
	free(chain[0].subject);
	chain[0].subject = strdup(HOSTILE);
	free(chain[0].sans[1]);
	chain[0].sans[1] = strdup("DNS:\xe2\x82 x.example");
	chain[0].not_before = -631152000;	/* 1950 */
	ok_observation(&o, chain);
	SET(o.hostname, "h\xffst");
	SET(o.reason, HOSTILE);
	SET(o.alpn, "\x80\x81");
	o.handshake_ms = NAN;
	o.verify_code = 0;
	SET(o.verify_reason, "ok");
	o.findings = &f;
	o.nfindings = 1;
	buf = write_all(&o, 1, &len);
	assert_ptr_equal(memchr(buf, '\n', len), buf + len - 1);
	assert_null(strstr(buf, "\xff"));
	j = line(buf, len, 0);
	assert_string_equal(str(j, "hostname"), "h\xef\xbf\xbdst");
	assert_string_equal(str(j, "reason"), HOSTILE_CLEAN);
	assert_string_equal(str(j, "alpn"), "\xef\xbf\xbd\xef\xbf\xbd");
	assert_true(json_number_value(json_object_get(j, "handshake_ms")) ==
	    0);
	assert_true(boolean(json_object_get(j, "verify"), "ok"));
	c = json_array_get(json_object_get(j, "chain"), 0);
	assert_string_equal(str(c, "subject"), HOSTILE_CLEAN);
	assert_string_equal(str(c, "not_before"), "1950-01-01T00:00:00Z");
	assert_true(boolean(c, "self_signed"));
	strings_are(json_object_get(c, "key_usage"), (const char *[]){ NULL });
	strings_are(json_object_get(c, "sans"), (const char *[]){
	    "DNS:*.badssl.com",
	    "DNS:\xef\xbf\xbd\xef\xbf\xbd x.example", NULL });
	c = json_array_get(json_object_get(j, "chain"), 1);
	assert_string_equal(str(c, "not_after"), "2038-01-15T23:09:43Z");
	assert_string_equal(str(c, "signature_algorithm"),
	    "sha1WithRSAEncryption");
	strings_are(json_object_get(c, "sans"), (const char *[]){
	    "IP:62.93.9.5", "DNS:fritz.box", "DNS:www.fritz.box",
	    "DNS:myfritz.box", "DNS:www.myfritz.box", "DNS:fritz.nas",
	    "DNS:www.fritz.nas", NULL });
	assert_string_equal(str(json_array_get(json_object_get(j, "findings"),
	    0), "detail"), HOSTILE_CLEAN);
	json_decref(j);
	free(buf);
	cert_record_clear(&chain[0]);
	cert_record_clear(&chain[1]);
}

/* A comma inside a URL survives as one array item. */
static void
test_list_escapes(void **state)
{
	struct cert_record chain[2];
	struct observation o;
	json_t *j, *c;
	char *buf;
	size_t len;

	(void)state;
	load_cert("badssl-wildcard-ecc384.pem", &chain[0]);
	load_cert("badssl-wildcard-ecc384.pem", &chain[1]);
	free(chain[0].crl_urls);
	chain[0].crl_urls = strdup("http://a/x\\x2cy,http://b/\\x5cx2c,"
	    "http://c/\\x01");
	ok_observation(&o, chain);
	buf = write_all(&o, 1, &len);
	j = line(buf, len, 0);
	c = json_array_get(json_object_get(j, "chain"), 0);
	strings_are(json_object_get(c, "crl_urls"), (const char *[]){
	    "http://a/x,y", "http://b/\\x5cx2c", "http://c/\\x01", NULL });
	assert_string_equal(str(c, "curve"), "secp384r1");
	assert_string_equal(str(c, "key_type"), "EC");
	json_decref(j);
	free(buf);
	cert_record_clear(&chain[0]);
	cert_record_clear(&chain[1]);
}

/* One observation's line, exactly. */
static void
line_is(struct observation *o, const char *want)
{
	size_t len;
	char *buf = write_all(o, 1, &len);

	if (len != strlen(want) || memcmp(buf, want, len) != 0)
		fail_msg("line differs:\n got: %.*s\nwant: %s", (int)len, buf,
		    want);
	free(buf);
}

/*
 * Escapes as jansson wrote them: \" \\ \b \f \n \r \t, other control
 * characters \u00XX in upper-case hex; '/', DEL, U+2028/9 and other
 * valid UTF-8 as they are; each byte starting no valid sequence U+FFFD.
 */
static void
test_exact_escapes(void **state)
{
	struct finding f = { .rule = NULL, .severity = SEV__MAX, .depth = -1,
	    .detail = "d" };
	struct observation o;

	(void)state;
	memset(&o, 0, sizeof(o));
	SET(o.ip, "192.0.2.1");
	o.port = 443;
	SET(o.hostname, "q\"b\\s/l\x7f\xe2\x80\xa8\xe2\x80\xa9");
	SET(o.sni, "\x01\x08\x09\x0a\x0b\x0c\x0d\x1b\x1f\x20");
	o.protocol = "tls";
	o.time = 0;
	o.status = SCAN_OK;
	SET(o.reason, "\xff\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82"
	    "caf\xc3\xa9 \xf0\x9f\x98\x80\xef\xbf\xbd");
	SET(o.version, "TLSv1.2");
	SET(o.cipher, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	o.handshake_ms = 12;
	o.verify_code = 0;
	SET(o.verify_reason, "ok");
	o.name_match = -1;
	o.ocsp_staple_len = 1;
	o.findings = &f;
	o.nfindings = 1;
	line_is(&o,
	    "{\"ip\":\"192.0.2.1\",\"port\":443,\"hostname\":\"q\\\"b\\\\s/"
	    "l\x7f\xe2\x80\xa8\xe2\x80\xa9\",\"sni\":\"\\u0001\\b\\t\\n\\u0"
	    "00B\\f\\r\\u001B\\u001F \",\"protocol\":\"tls\","
	    "\"time\":\"1970-01-01T00:00:00Z\",\"status\":\"ok\","
	    "\"reason\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "caf\xc3\xa9 \xf0\x9f"
	    "\x98\x80\xef\xbf\xbd\",\"source\":\"active\","
	    "\"version\":\"TLSv1.2\",\"cipher\":\"TLS_ECDHE_RSA_WITH_AES_12"
	    "8_GCM_SHA256\",\"group\":\"\",\"alpn\":\"\","
	    "\"handshake_ms\":12.0,\"grab\":\"openssl\","
	    "\"verify\":{\"ok\":true,\"code\":0,\"reason\":\"ok\","
	    "\"name_match\":null},\"chain\":[],\"ocsp\":{\"stapled\":true,"
	    "\"source\":\"staple\",\"status\":null,\"this_update\":null,"
	    "\"next_update\":null},\"findings\":[{\"rule\":\"\","
	    "\"severity\":\"unknown\",\"depth\":-1,\"detail\":\"d\"}]}\n");
}

/* The optional parts: file, geo, fingerprints, and the --enum object. */
static void
test_exact_enum(void **state)
{
	struct tls_enum_cipher c12[2] = {
		{ .id = 0xc02f, .name = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
		  .openssl = "ECDHE-RSA-AES128-GCM-SHA256", .kx = "ECDHE",
		  .enc = "AESGCM", .bits = 128, .fs = true },
		{ .id = 0x010080, .name = "SSL_CK_RC4_128_WITH_MD5",
		  .bits = 0, .dh_bits = 1024 },
	};
	struct tls_enum_group g[2] = { { 29, "x25519" }, { 0x1234, NULL } };
	struct tls_enum e;
	struct observation o;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.v[TLSENUM_TLS12] = (struct tls_enum_version){ .name = "TLSv1.2",
	    .wire = 0x0303, .supported = 1, .server_order = 1,
	    .ciphers = c12, .nciphers = 2 };
	e.v[TLSENUM_TLS13] = (struct tls_enum_version){ .name = "TLSv1.3",
	    .wire = 0x0304, .supported = 1, .server_order = -1 };
	e.v[TLSENUM_TLS10] = (struct tls_enum_version){ .name = "TLSv1",
	    .wire = 0x0301, .supported = 0 };
	e.groups = g;
	e.ngroups = 2;
	e.dh_bits = 0;
	e.secure_reneg = 1;
	e.compression = 0;
	e.ocsp_stapling = -1;
	e.session_ticket = 1;
	e.fallback_scsv = -1;
	e.heartbeat = 0;
	e.ems = 1;
	e.etm = -1;
	SET(e.alpn, "h2");
	SET(e.profile_reasons, "");
	e.attempts = 7;
	e.truncated = true;
	SET(e.note, "stopped \"early\"");

	memset(&o, 0, sizeof(o));
	o.source = OBS_PASSIVE;
	o.origin = "/tmp/a\tb.pem";
	SET(o.ip, "2001:db8::1");
	o.port = 8443;
	o.protocol = NULL;
	o.time = 253402300800LL;	/* clamped to 9999-12-31 */
	o.status = SCAN_REFUSED;
	SET(o.reason, "connection refused");
	o.geo.asn = 64496;
	SET(o.ja3, "0123456789abcdef0123456789abcdef");
	SET(o.ja4, "t13d1516h2_8daaf6152771_b186095e22b6");
	SET(o.ja3s, "fedcba9876543210fedcba9876543210");
	SET(o.jarm, "2ad2ad");
	o.tlsenum = &e;
	line_is(&o,
	    "{\"ip\":\"2001:db8::1\",\"port\":8443,\"hostname\":\"\","
	    "\"sni\":\"\",\"protocol\":\"\",\"time\":\"9999-12-31T23:59:59Z"
	    "\",\"status\":\"refused\",\"reason\":\"connection refused\","
	    "\"source\":\"passive\",\"file\":\"/tmp/a\\tb.pem\","
	    "\"geo\":{\"country_iso\":\"\",\"country\":\"\","
	    "\"city\":\"\",\"asn\":64496,\"as_org\":\"\"},"
	    "\"ja3\":\"0123456789abcdef0123456789abcdef\","
	    "\"ja4\":\"t13d1516h2_8daaf6152771_b186095e22b6\","
	    "\"ja3s\":\"fedcba9876543210fedcba9876543210\","
	    "\"jarm\":\"2ad2ad\",\"enum\":{\"versions\":[\"TLSv1.2\","
	    "\"TLSv1.3\"],\"ciphers\":{\"TLSv1.2\":{\"server_order\":true,"
	    "\"suites\":[{\"id\":\"0xc02f\",\"iana\":\"TLS_ECDHE_RSA_WITH_A"
	    "ES_128_GCM_SHA256\",\"openssl\":\"ECDHE-RSA-AES128-GCM-SHA256"
	    "\",\"kx\":\"ECDHE\",\"enc\":\"AESGCM\",\"bits\":128,"
	    "\"forward_secrecy\":true},{\"id\":\"0x010080\","
	    "\"iana\":\"SSL_CK_RC4_128_WITH_MD5\",\"openssl\":null,"
	    "\"forward_secrecy\":false,\"dh_bits\":1024}]},"
	    "\"TLSv1.3\":{\"server_order\":null,\"suites\":[]}},"
	    "\"groups\":[\"x25519\",4660],\"groups_tls13\":false,"
	    "\"dh_bits\":null,\"flags\":{\"secure_renegotiation\":true,"
	    "\"compression\":false,\"ocsp_stapling\":null,"
	    "\"session_ticket\":true,\"fallback_scsv\":null,"
	    "\"heartbeat\":false,\"extended_master_secret\":true,"
	    "\"encrypt_then_mac\":null},\"alpn\":\"h2\","
	    "\"ja3s\":null,\"jarm\":null,\"profile\":null,"
	    "\"profile_reasons\":\"\",\"attempts\":7,\"truncated\":true,"
	    "\"note\":\"stopped \\\"early\\\"\"},\"findings\":[]}\n");
}

/* handshake_ms: rounded to 0.1, "%.15g" with ".0" for integral values,
 * exponents without '+' or leading zeros; 0.0 for nonsense. */
static void
test_exact_reals(void **state)
{
	static const struct {
		double	 ms;
		const char *want;
	} cases[] = {
		{ 1.94, "1.9" }, { 0, "0.0" }, { 12, "12.0" }, { 0.05, "0.1" },
		{ 0.04, "0.0" }, { -5, "0.0" }, { -0.0, "-0.0" },
		{ 1234567.89, "1234567.9" }, { 1e15, "1e15" },
		{ 1e16, "1e16" }, { 123456789012345.6, "123456789012346.0" },
		{ 1e300, "1e300" }, { 2.5e-7, "0.0" }, { 99.95, "100.0" },
		{ NAN, "0.0" }, { INFINITY, "0.0" },
		/* rounding makes it infinite: jansson refused it and the
		 * line was lost; now 0 like NaN */
		{ 1e308, "0.0" },
	};
	struct observation o;
	char want[512];

	(void)state;
	memset(&o, 0, sizeof(o));
	SET(o.ip, "192.0.2.1");
	o.status = SCAN_OK;
	o.name_match = 1;
	o.verify_code = 20;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o.handshake_ms = cases[i].ms;
		snprintf(want, sizeof(want), "{\"ip\":\"192.0.2.1\",\"port\":0,"
		    "\"hostname\":\"\",\"sni\":\"\",\"protocol\":\"\","
		    "\"time\":\"1970-01-01T00:00:00Z\",\"status\":\"ok\","
		    "\"reason\":\"\",\"source\":\"active\",\"version\":\"\","
		    "\"cipher\":\"\",\"group\":\"\",\"alpn\":\"\","
		    "\"handshake_ms\":%s,\"grab\":\"openssl\",\"verify\":"
		    "{\"ok\":false,\"code\":20,\"reason\":\"\","
		    "\"name_match\":true},\"chain\":[],\"findings\":[]}\n",
		    cases[i].want);
		line_is(&o, want);
	}
}

/* Full char arrays without a NUL, a 300,000-byte subject (the buffer
 * grows from 4 KiB), SANs and the comma lists of cert.c. */
static void
test_exact_long(void **state)
{
	static const char zeros[] = "0000000000000000000000000000000000000000"
	    "000000000000000000000000";
	char *sans[3] = { (char []){ "DNS:a" }, (char []){ "" },
	    (char []){ "DNS:\xc3" } };
	char empty[] = "", *want = NULL;
	struct cert_record c;
	struct observation o;
	size_t n = 100000, wlen;
	FILE *m;

	(void)state;
	memset(&o, 0, sizeof(o));
	for (size_t i = 0; i + 3 <= sizeof(o.hostname); i += 3)
		memcpy(o.hostname + i, "\xe2\x80\xa8", 3);
	o.hostname[255] = '\xe2';	/* no NUL: a lone lead byte last */
	memset(o.sni, '"', sizeof(o.sni));
	memset(o.reason, '\x01', sizeof(o.reason));
	o.status = SCAN_OK;
	o.name_match = 0;
	memset(&c, 0, sizeof(c));
	assert_non_null(c.subject = calloc(1, 3 * n + 1));
	for (size_t i = 0; i < n; i++)
		memcpy(c.subject + 3 * i, "\\/<", 3);
	c.issuer = c.curve = c.ca_issuers = c.aki = empty;
	c.serial = (char []){ "01" };
	c.not_before = -62167219201LL;	/* clamped to 0000-01-01 */
	c.not_after = 1;
	c.sans = sans;
	c.nsans = 3;
	c.key_type = (char []){ "RSA" };
	c.key_bits = 2048;
	c.sig_alg = (char []){ "sha256WithRSAEncryption" };
	c.version = 3;
	c.has_basic_constraints = true;
	c.path_len = 3;
	c.key_usage = 0;
	c.eku = (char []){ "serverAuth,1.2.3.4" };
	c.ocsp_urls = (char []){ "http://o/\\x2c," };
	/* a backslash keeps the next 3 bytes, comma or not; a \x2c split
	 * right after a lead byte still makes it U+FFFD */
	c.crl_urls = (char []){ ",\\x2c\\x5c,a\\,b\xe2\\x2c\x82" };
	c.ski = (char []){ "ab" };
	o.chain = &c;
	o.chain_len = 1;

	assert_non_null(m = open_memstream(&want, &wlen));
	fputs("{\"ip\":\"\",\"port\":0,\"hostname\":\"", m);
	for (int i = 0; i < 85; i++)
		fputs("\xe2\x80\xa8", m);
	fputs("\xef\xbf\xbd\",\"sni\":\"", m);
	for (int i = 0; i < 256; i++)
		fputs("\\\"", m);
	fputs("\",\"protocol\":\"\",\"time\":\"1970-01-01T00:00:00Z\","
	    "\"status\":\"ok\",\"reason\":\"", m);
	for (int i = 0; i < 256; i++)
		fputs("\\u0001", m);
	fprintf(m, "\",\"source\":\"active\",\"version\":\"\","
	    "\"cipher\":\"\",\"group\":\"\",\"alpn\":\"\","
	    "\"handshake_ms\":0.0,\"grab\":\"openssl\",\"verify\":"
	    "{\"ok\":true,\"code\":0,\"reason\":\"\",\"name_match\":false},"
	    "\"chain\":[{\"sha256\":\"%s\",\"subject\":\"", zeros);
	for (size_t i = 0; i < n; i++)
		fputs("\\\\/<", m);
	fprintf(m, "\",\"issuer\":\"\",\"serial\":\"01\","
	    "\"not_before\":\"0000-01-01T00:00:00Z\","
	    "\"not_after\":\"1970-01-01T00:00:01Z\","
	    "\"sans\":[\"DNS:a\",\"\",\"DNS:\xef\xbf\xbd\"],"
	    "\"key_type\":\"RSA\",\"key_bits\":2048,\"curve\":\"\","
	    "\"signature_algorithm\":\"sha256WithRSAEncryption\","
	    "\"is_ca\":false,\"self_signed\":false,\"spki_sha256\":\"%s\","
	    "\"version\":3,\"key_usage\":[],"
	    "\"eku\":[\"serverAuth\",\"1.2.3.4\"],"
	    "\"ocsp_urls\":[\"http://o/,\",\"\"],"
	    "\"crl_urls\":[\"\",\",\\\\x5c\","
	    "\"a\\\\,b\xef\xbf\xbd,\xef\xbf\xbd\"],"
	    "\"ca_issuers\":[],\"sct_count\":0,\"path_len\":3,\"ski\":\"ab\","
	    "\"aki\":\"\"}],\"findings\":[]}\n", zeros);
	assert_int_equal(fclose(m), 0);
	line_is(&o, want);
	free(want);
	free(c.subject);
}

/* The first line is flushed at once, the rest by time, report_flush()
 * or report_close(). */
static void
test_flush(void **state)
{
	struct observation o;
	struct report *r;
	char buf[4096];
	int fd[2];
	ssize_t n;
	FILE *fp;

	(void)state;
	memset(&o, 0, sizeof(o));
	SET(o.ip, "192.0.2.1");
	o.status = SCAN_REFUSED;
	assert_int_equal(report_flush(NULL), 0);
	assert_int_equal(pipe(fd), 0);
	assert_int_equal(fcntl(fd[0], F_SETFL, O_NONBLOCK), 0);
	fp = fdopen(fd[1], "w");
	assert_non_null(fp);
	assert_int_equal(setvbuf(fp, NULL, _IOFBF, 65536), 0);
	r = report_open("jsonl", fp);
	assert_non_null(r);
	assert_int_equal(report_emit(r, &o), 0);
	n = read(fd[0], buf, sizeof(buf));
	assert_true(n > 0 && buf[n - 1] == '\n');
	assert_int_equal(report_emit(r, &o), 0);
	assert_int_equal(report_flush(r), 0);
	assert_int_equal(read(fd[0], buf + n, sizeof(buf) - (size_t)n), n);
	assert_memory_equal(buf, buf + n, (size_t)n);
	assert_int_equal(report_emit(r, &o), 0);
	assert_int_equal(report_close(r), 0);
	assert_int_equal(read(fd[0], buf + n, sizeof(buf) - (size_t)n), n);
	fclose(fp);
	close(fd[0]);
}

static void
test_write_errors(void **state)
{
	struct observation o;
	struct report *r;
	FILE *fp;

	(void)state;
	assert_null(report_find("no-such-writer"));
	assert_non_null(report_find("jsonl"));
	assert_null(report_open("no-such-writer", stdout));
	assert_int_equal(report_close(NULL), 0);

	memset(&o, 0, sizeof(o));
	SET(o.ip, "192.0.2.1");
	o.status = SCAN_REFUSED;
	fp = fopen("/dev/full", "w");
	if (fp == NULL)
		skip();
	r = report_open("jsonl", fp);
	assert_non_null(r);
	assert_int_equal(report_emit(r, &o), -1);
	assert_int_equal(report_close(r), -1);
	fclose(fp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_observation),
		cmocka_unit_test(test_ocsp_object),
		cmocka_unit_test(test_refused_and_findings),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_list_escapes),
		cmocka_unit_test(test_write_errors),
		cmocka_unit_test(test_exact_escapes),
		cmocka_unit_test(test_exact_enum),
		cmocka_unit_test(test_exact_reals),
		cmocka_unit_test(test_exact_long),
		cmocka_unit_test(test_flush),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
