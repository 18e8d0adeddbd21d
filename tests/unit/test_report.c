/*
 * test_report.c: certsweep report and diff below the command line:
 * HTML escaping and CSV quoting (report/document.h), the read-only query
 * API (db/query.c) over a database written with db/store.h's writer API
 * (two sweeps of hand-made observations carrying certificates from
 * tests/data), the diff of those two sweeps, and the HTML, CSV and JSON
 * documents rendered from the views.
 *
 * The lab (times are Unix seconds; scan 1 at T, scan 2 at T + 86400):
 *   10.0.0.9:443    scan 1 ok (rsa2048 + intermediate), scan 2 ok with
 *                   another leaf (ecc384): a changed certificate;
 *                   cert.weak_signature on the leaf in 1 only (resolved)
 *   10.0.0.10:443   scan 1 ok (self-signed, subject with <script>),
 *                   cert.self_signed; scan 2 refused: vanished, finding
 *                   stays open
 *   10.0.0.11:443   refused in both: never answered, in no view
 *   [2001:db8::1]:8443  scan 2 only, ok: new, tls.tls10 new finding
 */
#include <errno.h>
#include <fcntl.h>
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
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sqlite3.h>

#include "db/query.h"
#include "db/store.h"
#include "report/document.h"
#include "scanner/cert.h"
#include "scanner/inventory.h"
#include "scanner/record.h"
#include "scanner/xmem.h"

#define T0	1700000000LL	/* scan 1 */
#define T1	(T0 + 86400)	/* scan 2 */
#define EVIL	"CN=<script>alert(1)</script>,O=\"quoted\" & 'single'"

struct lab {
	char		 dir[64];
	char		 path[128];
	int64_t		 scan1, scan2;
	char		 leaf1[65], leaf2[65], evil[65];
};

/* --- helpers --- */

/* noinline: GCC 12 takes the stream's buffer for a dangling local. */
static __attribute__((noinline)) char *
text_of(void (*fn)(FILE *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, arg);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Certificate path under the source tree. */
static void
load_pem(const char *name, size_t skip, struct cert_record *c)
{
	const char *src = getenv("CERTSWEEP_SRC");
	char path[512];
	unsigned char *der = NULL;
	X509 *x = NULL;
	FILE *f;
	int len;

	snprintf(path, sizeof(path), "%s/tests/data/certs/%s",
	    src != NULL ? src : ".", name);
	f = fopen(path, "r");
	assert_non_null(f);
	for (size_t i = 0; i <= skip; i++) {
		X509_free(x);
		x = PEM_read_X509(f, NULL, NULL, NULL);
		assert_non_null(x);
	}
	fclose(f);
	len = i2d_X509(x, &der);
	assert_true(len > 0);
	assert_int_equal(cert_record_from_der(c, der, (size_t)len), 0);
	OPENSSL_free(der);
	X509_free(x);
}

static void
obs_init(struct observation *o, const char *ip, uint16_t port, int64_t t,
    enum scan_status st)
{
	memset(o, 0, sizeof(*o));
	o->source = OBS_ACTIVE;
	snprintf(o->ip, sizeof(o->ip), "%s", ip);
	o->port = port;
	o->protocol = "tls";
	o->time = t;
	o->status = st;
	o->name_match = -1;
	if (st == SCAN_OK) {
		snprintf(o->version, sizeof(o->version), "TLSv1.3");
		snprintf(o->cipher, sizeof(o->cipher), "%s",
		    "TLS_AES_128_GCM_SHA256");
		snprintf(o->group, sizeof(o->group), "x25519");
		o->handshake_ms = 2.5;
	} else
		snprintf(o->reason, sizeof(o->reason), "connection refused");
}

static void
add(struct store *st, int64_t scan, struct observation *o,
    struct cert_record *chain, size_t n, struct finding *f, size_t nf)
{
	o->chain = chain;
	o->chain_len = n;
	o->findings = f;
	o->nfindings = nf;
	assert_int_equal(store_add_observation(st, scan, o), 0);
}

static struct finding
finding(const char *rule, enum severity sev, int depth, const char *detail)
{
	struct finding f = { .rule = rule, .severity = sev, .depth = depth };

	snprintf(f.detail, sizeof(f.detail), "%s", detail);
	return f;
}

static void
sweep1(struct store *st, struct lab *lab, struct cert_record *rsa,
    struct cert_record *evil)
{
	struct observation o;
	struct finding f[1];

	assert_int_equal(store_scan_begin(st, "active", "scan 10.0.0.0/24",
	    T0, &lab->scan1), 0);
	obs_init(&o, "10.0.0.9", 443, T0, SCAN_OK);
	f[0] = finding("cert.weak_signature", SEV_MEDIUM, 0, "SHA-1");
	add(st, lab->scan1, &o, rsa, 2, f, 1);
	obs_init(&o, "10.0.0.10", 443, T0 + 1, SCAN_OK);
	f[0] = finding("cert.self_signed", SEV_HIGH, 0,
	    "self-signed <b>bold</b>");
	add(st, lab->scan1, &o, evil, 1, f, 1);
	obs_init(&o, "10.0.0.11", 443, T0 + 2, SCAN_REFUSED);
	add(st, lab->scan1, &o, NULL, 0, NULL, 0);
	assert_int_equal(store_scan_end(st, lab->scan1, T0 + 10, 3, 2), 0);
}

static void
sweep2(struct store *st, struct lab *lab, struct cert_record *ecc,
    struct cert_record *rsa)
{
	struct observation o;
	struct finding f[1];

	assert_int_equal(store_scan_begin(st, "active", "scan 10.0.0.0/24",
	    T1, &lab->scan2), 0);
	obs_init(&o, "10.0.0.9", 443, T1, SCAN_OK);
	add(st, lab->scan2, &o, ecc, 1, NULL, 0);
	obs_init(&o, "10.0.0.10", 443, T1 + 1, SCAN_REFUSED);
	add(st, lab->scan2, &o, NULL, 0, NULL, 0);
	obs_init(&o, "10.0.0.11", 443, T1 + 2, SCAN_REFUSED);
	add(st, lab->scan2, &o, NULL, 0, NULL, 0);
	obs_init(&o, "2001:db8::1", 8443, T1 + 3, SCAN_OK);
	snprintf(o.sni, sizeof(o.sni), "v6.example");
	f[0] = finding("tls.tls10", SEV_LOW, -1, "TLS 1.0 accepted");
	add(st, lab->scan2, &o, rsa, 2, f, 1);
	assert_int_equal(store_scan_end(st, lab->scan2, T1 + 10, 4, 2), 0);
}

static int
setup(void **state)
{
	struct lab *lab = xcalloc(1, sizeof(*lab));
	struct cert_record rsa[2], ecc[1], evil[1];
	struct store *st = NULL;
	char err[512];

	snprintf(lab->dir, sizeof(lab->dir), "/tmp/test_report.XXXXXX");
	if (mkdtemp(lab->dir) == NULL)
		return -1;
	snprintf(lab->path, sizeof(lab->path), "%s/inv.db", lab->dir);
	load_pem("badssl-wildcard-rsa2048.pem", 0, &rsa[0]);
	load_pem("badssl-wildcard-rsa2048-intermediate.pem", 0, &rsa[1]);
	load_pem("badssl-wildcard-ecc384.pem", 0, &ecc[0]);
	load_pem("badssl-wildcard-self-signed.pem", 0, &evil[0]);
	free(evil[0].subject);
	evil[0].subject = xstrdup(EVIL);
	cert_hex(rsa[0].sha256, CERT_SHA256_LEN, lab->leaf1);
	cert_hex(ecc[0].sha256, CERT_SHA256_LEN, lab->leaf2);
	cert_hex(evil[0].sha256, CERT_SHA256_LEN, lab->evil);
	if (store_open(&st, lab->path, err, sizeof(err)) == -1) {
		print_error("%s\n", err);
		return -1;
	}
	sweep1(st, lab, rsa, evil);
	sweep2(st, lab, ecc, rsa);
	assert_int_equal(store_close(st), 0);
	for (int i = 0; i < 2; i++)
		cert_record_clear(&rsa[i]);
	cert_record_clear(&ecc[0]);
	cert_record_clear(&evil[0]);
	*state = lab;
	return 0;
}

static int
teardown(void **state)
{
	struct lab *lab = *state;
	char p[256];

	for (const char *const *s = (const char *const[]){ "", "-wal",
	    "-shm", NULL }; *s != NULL; s++) {
		snprintf(p, sizeof(p), "%s%s", lab->path, *s);
		unlink(p);
	}
	rmdir(lab->dir);
	free(lab);
	return 0;
}

static struct query *
open_q(const struct lab *lab)
{
	struct query *q = NULL;
	char err[512];

	if (query_open(&q, lab->path, err, sizeof(err)) == -1)
		print_error("%s\n", err);
	assert_non_null(q);
	return q;
}

static const struct inv_endpoint *
ep_by_ip(const struct inventory *inv, const char *ip)
{
	for (size_t i = 0; i < inv->nendpoints; i++)
		if (strcmp(inv->endpoints[i].ip, ip) == 0)
			return &inv->endpoints[i];
	return NULL;
}

static const char *
leaf_of(const struct inventory *inv, const struct inv_endpoint *e)
{
	assert_true(e->chain_len > 0);
	return inv->certs[e->chain[0]].sha256;
}

/* --- escaping --- */

static void
test_html_escape(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "<script>alert(1)</script>",
		  "&lt;script&gt;alert(1)&lt;/script&gt;" },
		{ "a\"b'c&d", "a&quot;b&#39;c&amp;d" },
		{ "\" onmouseover=\"x", "&quot; onmouseover=&quot;x" },
		{ "caf\xc3\xa9 \xe2\x9c\x93", "caf\xc3\xa9 \xe2\x9c\x93" },
		{ "bad\xff\xc3(", "bad\xef\xbf\xbd\xef\xbf\xbd(" },
		{ "nul\x01\x1b[31m", "nul\xef\xbf\xbd\xef\xbf\xbd[31m" },
		{ "", "" },
	};
	char *s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = report_html_escape(cases[i].in);
		assert_non_null(s);
		assert_string_equal(s, cases[i].want);
		free(s);
	}
	s = report_html_escape(NULL);
	assert_string_equal(s, "");
	free(s);
}

static void
test_csv_field(void **state)
{
	static const struct {
		const char *in;
		bool text;
		const char *want;
	} cases[] = {
		{ "plain", true, "plain" },
		{ "a,b", true, "\"a,b\"" },
		{ "say \"hi\"", true, "\"say \"\"hi\"\"\"" },
		{ "two\r\nlines", true, "\"two\r\nlines\"" },
		{ "=HYPERLINK(\"x\")", true, "\"'=HYPERLINK(\"\"x\"\")\"" },
		{ "+1", true, "'+1" },
		{ "-2+3", true, "'-2+3" },
		{ "@SUM(A1)", true, "'@SUM(A1)" },
		{ "\tx", true, "'\tx" },
		{ "-5", false, "-5" },
		{ "a=b", true, "a=b" },
		{ "bad\xff", true, "bad\xef\xbf\xbd" },
		{ "", true, "" },
	};
	char *s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = report_csv_field(cases[i].in, cases[i].text);
		assert_non_null(s);
		if (strcmp(s, cases[i].want) != 0)
			print_error("case %zu: %s\n", i, s);
		assert_string_equal(s, cases[i].want);
		free(s);
	}
	assert_int_equal(report_csv_table_from_name("findings"),
	    REPORT_CSV_FINDINGS);
	assert_int_equal(report_csv_table_from_name("nope"), -1);
	assert_null(report_csv_table_name(REPORT_CSV__MAX));
}

/* --- query --- */

static void
test_query_errors(void **state)
{
	struct lab *lab = *state;
	struct query *q = NULL;
	sqlite3 *db = NULL;
	char err[512], path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/missing.db", lab->dir);
	assert_int_equal(query_open(&q, path, err, sizeof(err)), -1);
	assert_null(q);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "cannot read"));
	assert_int_equal(access(path, F_OK), -1);	/* nothing created */

	snprintf(path, sizeof(path), "%s/text.db", lab->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("not a database, just some text that is long enough\n", f);
	fclose(f);
	assert_int_equal(query_open(&q, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not an SQLite database"));
	unlink(path);

	snprintf(path, sizeof(path), "%s/empty.db", lab->dir);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	assert_int_equal(query_open(&q, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
	unlink(path);

	/* Another program's SQLite file. */
	snprintf(path, sizeof(path), "%s/other.db", lab->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x); "
	    "INSERT INTO t VALUES (1)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(query_open(&q, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "another program"));
	unlink(path);
}

/* The inventory as last seen: endpoints that ever answered, in numeric
 * address order; the vanished one keeps its last chain, shows refused. */
static void
test_query_inventory(void **state)
{
	struct lab *lab = *state;
	struct query *q = open_q(lab);
	struct inventory inv;
	const struct inv_endpoint *e9, *e10, *e6;
	struct inv_scan sc;
	int64_t a = 0, b = 0;

	assert_int_equal(query_inventory(q, 0, 0, T1 + 100, &inv), 0);
	assert_int_equal(inv.nendpoints, 3);
	assert_string_equal(inv.endpoints[0].ip, "10.0.0.9");
	assert_string_equal(inv.endpoints[1].ip, "10.0.0.10");
	assert_string_equal(inv.endpoints[2].ip, "2001:db8::1");
	e9 = &inv.endpoints[0];
	e10 = &inv.endpoints[1];
	e6 = &inv.endpoints[2];
	assert_string_equal(e9->status, "ok");
	assert_int_equal(e9->chain_len, 1);
	assert_string_equal(leaf_of(&inv, e9), lab->leaf2);
	assert_string_equal(e10->status, "refused");
	assert_string_equal(e10->reason, "connection refused");
	assert_int_equal(e10->scan_id, lab->scan2);
	assert_int_equal(e10->ok_scan_id, lab->scan1);
	assert_string_equal(leaf_of(&inv, e10), lab->evil);
	assert_string_equal(inv.certs[e10->chain[0]].subject, EVIL);
	assert_string_equal(e6->sni, "v6.example");
	assert_int_equal(e6->port, 8443);
	assert_string_equal(leaf_of(&inv, e6), lab->leaf1);
	assert_int_equal(e6->chain_len, 2);
	assert_string_equal(e6->version, "TLSv1.3");
	/* ecc384 leaf, rsa2048 leaf + intermediate, self-signed */
	assert_int_equal(inv.ncerts, 4);
	for (size_t i = 1; i < inv.ncerts; i++)
		assert_true(inv.certs[i - 1].not_after <=
		    inv.certs[i].not_after);
	assert_true(inv.certs[e6->chain[0]].nsans > 0);
	assert_int_equal(inv.nscans, 2);
	assert_int_equal(inv.scans[1].ok, 2);
	/* 3 findings: weak_signature resolved, self_signed open (its
	 * endpoint did not answer in 2), tls10 open. */
	assert_int_equal(inv.nfindings, 3);
	assert_int_equal(inv.summary.findings_open, 2);
	assert_int_equal(inv.summary.findings_resolved, 1);
	assert_int_equal(inv.summary.by_severity[SEV_HIGH], 1);
	assert_int_equal(inv.summary.by_severity[SEV_LOW], 1);
	assert_true(inv.findings[0].open);
	assert_string_equal(inv.findings[0].rule, "cert.self_signed");
	assert_int_equal(inv.findings[0].endpoint, 1);
	assert_int_equal(inv.findings[0].cert, e10->chain[0]);
	assert_false(inv.findings[2].open);
	assert_string_equal(inv.findings[2].rule, "cert.weak_signature");
	assert_int_equal(inv.findings[2].resolved_at, T1 + 10);
	/* leaf1 is no longer 10.0.0.9's leaf but still [2001:db8::1]'s */
	assert_int_equal(inv.findings[2].cert, e6->chain[0]);
	assert_int_equal(inv.summary.endpoints, 3);
	assert_int_equal(inv.summary.endpoints_up, 2);
	assert_int_equal(inv.summary.leaves, 3);
	assert_int_equal(e10->nopen, 1);
	assert_int_equal(e10->worst, SEV_HIGH);
	inventory_free(&inv);

	/* --since drops what was last seen before it */
	assert_int_equal(query_inventory(q, 0, T1 + 2, T1 + 100, &inv), 0);
	assert_int_equal(inv.nendpoints, 1);
	assert_string_equal(inv.endpoints[0].ip, "2001:db8::1");
	assert_int_equal(inv.nfindings, 1);
	assert_int_equal(inv.nscans, 1);
	inventory_free(&inv);

	assert_int_equal(query_last_scans(q, &a, &b), 0);
	assert_int_equal(a, lab->scan1);
	assert_int_equal(b, lab->scan2);
	assert_int_equal(query_scan(q, 99, &sc), 0);
	assert_int_equal(query_scan(q, lab->scan1, &sc), 1);
	assert_string_equal(sc.arguments, "scan 10.0.0.0/24");
	assert_int_equal(sc.finished, T0 + 10);
	free(sc.kind);
	free(sc.arguments);
	query_close(q);
}

/* A sweep's view: what it observed and what it reported. */
static void
test_query_scan_view(void **state)
{
	struct lab *lab = *state;
	struct query *q = open_q(lab);
	struct inventory inv;
	struct stat before, after;

	assert_int_equal(stat(lab->path, &before), 0);
	assert_int_equal(query_inventory(q, lab->scan1, 0, T0 + 100, &inv),
	    0);
	assert_int_equal(inv.scan_id, lab->scan1);
	assert_int_equal(inv.nendpoints, 2);
	assert_string_equal(leaf_of(&inv, ep_by_ip(&inv, "10.0.0.9")),
	    lab->leaf1);
	assert_string_equal(ep_by_ip(&inv, "10.0.0.10")->status, "ok");
	assert_null(ep_by_ip(&inv, "10.0.0.11"));
	assert_int_equal(inv.nfindings, 2);
	assert_true(inv.findings[0].open && inv.findings[1].open);
	assert_int_equal(inv.nscans, 1);
	inventory_free(&inv);

	assert_int_equal(query_inventory(q, lab->scan2, 0, T1 + 100, &inv),
	    0);
	assert_int_equal(inv.nendpoints, 3);
	assert_string_equal(ep_by_ip(&inv, "10.0.0.10")->status, "refused");
	assert_int_equal(inv.nfindings, 1);
	assert_string_equal(inv.findings[0].rule, "tls.tls10");
	assert_int_equal(inv.findings[0].cert, INV_NONE);
	inventory_free(&inv);
	query_close(q);
	/* Read-only: the file was not touched. */
	assert_int_equal(stat(lab->path, &after), 0);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
	assert_int_equal(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
}

/* --- diff --- */

static void
views(const struct lab *lab, struct inventory *a, struct inventory *b)
{
	struct query *q = open_q(lab);

	assert_int_equal(query_inventory(q, lab->scan1, 0, T1, a), 0);
	assert_int_equal(query_inventory(q, lab->scan2, 0, T1, b), 0);
	query_close(q);
}

static void
diff_text(FILE *f, const void *d)
{
	assert_int_equal(report_diff_text(f, d), 0);
}

static void
diff_json(FILE *f, const void *d)
{
	assert_int_equal(report_diff_json(f, d), 0);
}

static void
test_diff(void **state)
{
	struct lab *lab = *state;
	struct inventory a, b;
	struct report_diff d;
	json_t *j;
	char *txt;

	views(lab, &a, &b);
	report_diff_compute(&a, &b, &d);
	assert_true(report_diff_has_changes(&d));
	assert_int_equal(d.nadded, 1);
	assert_string_equal(d.added[0]->ip, "2001:db8::1");
	assert_int_equal(d.nvanished, 1);
	assert_string_equal(d.vanished[0].a->ip, "10.0.0.10");
	assert_non_null(d.vanished[0].b);
	assert_string_equal(d.vanished[0].b->status, "refused");
	assert_int_equal(d.nchanged, 1);
	assert_string_equal(leaf_of(&a, d.changed[0].a), lab->leaf1);
	assert_string_equal(leaf_of(&b, d.changed[0].b), lab->leaf2);
	assert_int_equal(d.nnew, 1);
	assert_string_equal(d.new_findings[0]->rule, "tls.tls10");
	/* self_signed is not resolved: its endpoint did not answer */
	assert_int_equal(d.nresolved, 1);
	assert_string_equal(d.resolved[0]->rule, "cert.weak_signature");

	txt = text_of(diff_text, &d);
	assert_non_null(strstr(txt, "1 new endpoint, 1 vanished, 1 changed "
	    "certificate, 1 new finding, 1 resolved"));
	assert_non_null(strstr(txt, "+ [2001:db8::1]:8443 v6.example"));
	assert_non_null(strstr(txt, "- 10.0.0.10:443  refused: connection "
	    "refused"));
	assert_non_null(strstr(txt, "~ 10.0.0.9:443"));
	assert_non_null(strstr(txt, "cert.weak_signature"));
	free(txt);

	txt = text_of(diff_json, &d);
	j = json_loads(txt, 0, NULL);
	assert_non_null(j);
	assert_true(json_is_true(json_object_get(j, "changed")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j,
	    "counts"), "changed_certificates")), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    json_array_get(json_object_get(j, "changed_certificates"), 0),
	    "previous"), "sha256")), lab->leaf1);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(json_object_get(j, "vanished_endpoints"), 0),
	    "status")), "refused");
	json_decref(j);
	free(txt);
	report_diff_free(&d);

	/* A sweep against itself: nothing. */
	report_diff_compute(&b, &b, &d);
	assert_false(report_diff_has_changes(&d));
	txt = text_of(diff_text, &d);
	assert_non_null(strstr(txt, "No changes."));
	free(txt);
	report_diff_free(&d);
	inventory_free(&a);
	inventory_free(&b);
}

/* Control characters in database text never reach the terminal. */
static void
test_diff_text_sanitized(void **state)
{
	static char ip[] = "192.0.2.1", none[] = "", tls[] = "tls",
	    ok[] = "ok", err[] = "tls-error",
	    why[] = "bad \x1b]0;owned\x07 \xc2\x9b" "2J";
	struct inv_endpoint ea = { .id = 1, .ip = ip, .port = 443,
	    .sni = none, .protocol = tls, .status = ok, .worst = -1 };
	struct inv_endpoint eb = ea;
	struct inventory a = { .scan_id = 1, .endpoints = &ea,
	    .nendpoints = 1 }, b = { .scan_id = 2, .endpoints = &eb,
	    .nendpoints = 1 };
	struct report_diff d;
	char *txt;

	(void)state;
	eb.status = err;
	eb.reason = why;
	report_diff_compute(&a, &b, &d);
	assert_int_equal(d.nvanished, 1);
	txt = text_of(diff_text, &d);
	assert_null(strchr(txt, '\x1b'));
	assert_null(strchr(txt, '\x07'));
	assert_null(strstr(txt, "\xc2\x9b"));
	assert_non_null(strstr(txt, "bad ?]0;owned? ?2J"));
	free(txt);
	report_diff_free(&d);
}

/* --- documents --- */

static void
html_doc(FILE *f, const void *inv)
{
	assert_int_equal(report_html(f, inv), 0);
}

static void
json_doc(FILE *f, const void *inv)
{
	assert_int_equal(report_json(f, inv), 0);
}

/* The text between a and b in s, as a new string. */
static char *
between(const char *s, const char *a, const char *b)
{
	const char *p = strstr(s, a), *q;

	assert_non_null(p);
	p += strlen(a);
	q = strstr(p, b);
	assert_non_null(q);
	return xstrndup(p, (size_t)(q - p));
}

static void
test_html(void **state)
{
	struct lab *lab = *state;
	struct inventory a, b;
	unsigned char md[32], b64[64];
	unsigned int mdlen = 0;
	char *html, *js, *csp, want[128];

	views(lab, &a, &b);
	inventory_free(&b);
	html = text_of(html_doc, &a);
	/* The attacker's subject is text, never markup. */
	assert_null(strstr(html, "<script>alert"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_null(strstr(html, "<b>bold</b>"));
	assert_non_null(strstr(html, "&lt;b&gt;bold&lt;/b&gt;"));
	/* Exactly one script, allowed by its hash and nothing else. */
	js = between(html, "<script>", "</script>");
	assert_null(strstr(strstr(html, "<script>") + 1, "<script"));
	csp = between(html, "http-equiv=\"Content-Security-Policy\" "
	    "content=\"", "\"");
	assert_non_null(strstr(csp, "default-src 'none'"));
	assert_non_null(strstr(csp, "img-src data:"));
	assert_int_equal(EVP_Digest(js, strlen(js), md, &mdlen, EVP_sha256(),
	    NULL), 1);
	EVP_EncodeBlock(b64, md, (int)mdlen);
	snprintf(want, sizeof(want), "script-src 'sha256-%s';", b64);
	assert_non_null(strstr(csp, want));
	/* Nothing that could fetch. */
	assert_null(strstr(html, " src="));
	assert_null(strstr(html, "http://"));
	assert_null(strstr(html, "https://"));
	assert_null(strstr(html, "@import"));
	assert_null(strstr(html, "url("));
	/* Tables, charts and the certificate detail are there. */
	assert_non_null(strstr(html, "<table class=\"sortable\" "
	    "id=\"endpoints\">"));
	assert_non_null(strstr(html, "<svg class=\"chart\""));
	snprintf(want, sizeof(want), "id=\"c-%s\"", lab->evil);
	assert_non_null(strstr(html, want));
	free(js);
	free(csp);
	free(html);
	inventory_free(&a);
}

/* Lines of a CSV table (CRLF ends; no field here spans lines). */
static size_t
csv_lines(const char *s)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, "\r\n")) != NULL; p += 2)
		n++;
	return n;
}

static void
test_csv(void **state)
{
	struct lab *lab = *state;
	struct inventory inv;
	struct query *q = open_q(lab);
	char *buf = NULL, *line;
	size_t len = 0, rows[REPORT_CSV__MAX];
	FILE *f;

	assert_int_equal(query_inventory(q, 0, 0, T1, &inv), 0);
	query_close(q);
	rows[REPORT_CSV_ENDPOINTS] = inv.nendpoints;
	rows[REPORT_CSV_CERTIFICATES] = inv.ncerts;
	rows[REPORT_CSV_FINDINGS] = inv.nfindings;
	rows[REPORT_CSV_SCANS] = inv.nscans;
	for (int t = 0; t < REPORT_CSV__MAX; t++) {
		f = open_memstream(&buf, &len);
		assert_non_null(f);
		assert_int_equal(report_csv(f, &inv, (enum report_csv_table)t),
		    0);
		fclose(f);
		assert_int_equal(csv_lines(buf), rows[t] + 1);
		assert_int_equal(strlen(buf), len);
		if (t == REPORT_CSV_CERTIFICATES) {
			/* the evil subject: quoted (it has commas and
			 * quotes), quotes doubled */
			assert_non_null(strstr(buf, "\"CN=<script>alert(1)"
			    "</script>,O=\"\"quoted\"\" & 'single'\""));
		}
		if (t == REPORT_CSV_ENDPOINTS) {
			line = between(buf, "", "\r\n");
			assert_string_equal(line, "id,ip,port,hostname,sni,"
			    "protocol,status,reason,last_seen,first_seen,"
			    "tls_version,cipher,group,alpn,verify_code,"
			    "verify_reason,leaf_sha256,leaf_subject,"
			    "leaf_issuer,leaf_not_after,days_left,"
			    "chain_length,open_findings,worst_severity,"
			    "country,city,asn,as_org");
			free(line);
		}
		free(buf);
		buf = NULL;
	}
	inventory_free(&inv);
}

static void
test_json(void **state)
{
	struct lab *lab = *state;
	struct inventory inv;
	struct query *q = open_q(lab);
	json_t *j, *eps, *sum, *e;
	json_error_t jerr;
	char *txt;

	assert_int_equal(query_inventory(q, 0, 0, T1, &inv), 0);
	query_close(q);
	txt = text_of(json_doc, &inv);
	j = json_loads(txt, 0, &jerr);
	if (j == NULL)
		print_error("%s\n", jerr.text);
	assert_non_null(j);
	eps = json_object_get(j, "endpoints");
	assert_int_equal(json_array_size(eps), inv.nendpoints);
	assert_int_equal(json_array_size(json_object_get(j, "certificates")),
	    inv.ncerts);
	assert_int_equal(json_array_size(json_object_get(j, "findings")),
	    inv.nfindings);
	assert_int_equal(json_array_size(json_object_get(j, "scans")), 2);
	e = json_array_get(eps, 1);
	assert_string_equal(json_string_value(json_object_get(e, "ip")),
	    "10.0.0.10");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(json_object_get(e, "chain"), 0), "subject")), EVIL);
	sum = json_object_get(j, "summary");
	assert_int_equal(json_integer_value(json_object_get(sum,
	    "findings_open")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    sum, "findings_by_severity"), "high")), 1);
	assert_string_equal(json_string_value(json_object_get(j, "generated")),
	    "2023-11-15T22:13:20Z");
	json_decref(j);
	free(txt);
	inventory_free(&inv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_escape),
		cmocka_unit_test(test_csv_field),
		cmocka_unit_test(test_diff_text_sanitized),
		cmocka_unit_test_setup_teardown(test_query_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_query_inventory, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_query_scan_view, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_diff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_html, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
