/*
 * test_prom.c: report/prom.c, the Prometheus text exposition writer:
 * escaping of label values and help text, UTF-8 repair, names, one family
 * per name, sample values, and the /metrics and /probe pages built from
 * rows (every family once, its samples right after its header, rows in
 * the order given).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/prom.h"
#include "scanner/metrics_rows.h"
#include "scanner/xmem.h"

/* Runs fn on a memory stream; returns what it wrote (free it). */
struct mem {
	char	*buf;
	size_t	 len;
	FILE	*f;
};

static void
mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	assert_non_null(m->f);
}

static char *
mem_close(struct mem *m)
{
	fclose(m->f);
	return m->buf;
}

static void
test_escape_label(void **state)
{
	char *s;

	(void)state;
	s = prom_escape_label("a\\b\"c\nd");
	assert_string_equal(s, "a\\\\b\\\"c\\nd");
	free(s);
	s = prom_escape_label("CN=caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92");
	assert_string_equal(s, "CN=caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92");
	free(s);
	/* a stray byte, an overlong '/', a surrogate, a cut sequence */
	s = prom_escape_label("x\xff" "y");
	assert_string_equal(s, "x\xef\xbf\xbdy");
	free(s);
	s = prom_escape_label("\xc0\xaf");
	assert_string_equal(s, "\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
	s = prom_escape_label("\xed\xa0\x80" "z");
	assert_string_equal(s, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz");
	free(s);
	s = prom_escape_label("end\xe2\x82");
	assert_string_equal(s, "end\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
	s = prom_escape_label("");
	assert_string_equal(s, "");
	free(s);
}

static void
test_names(void **state)
{
	(void)state;
	assert_true(prom_is_metric_name("certsweep_scans_total"));
	assert_true(prom_is_metric_name("job:rate5m"));
	assert_true(prom_is_metric_name("_x9"));
	assert_false(prom_is_metric_name("9x"));
	assert_false(prom_is_metric_name("a-b"));
	assert_false(prom_is_metric_name(""));
	assert_true(prom_is_label_name("endpoint"));
	assert_false(prom_is_label_name("a:b"));
	assert_false(prom_is_label_name("__name__"));
	assert_false(prom_is_label_name("0x"));
}

static void
test_family_and_samples(void **state)
{
	struct prom_label l[] = {
		{ "endpoint", "192.0.2.1:443" }, { "subject", "CN=\"q\"\\" },
	};
	struct mem m;
	struct prom p;
	char *out;

	(void)state;
	mem_open(&m);
	prom_init(&p, m.f);
	assert_int_equal(prom_family(&p, "x_total", PROM_COUNTER,
	    "help with \\ and\nnewline and \"quotes\""), 0);
	prom_sample(&p, l, 2, 3);
	prom_sample(&p, NULL, 0, 0.5);
	assert_int_equal(prom_family(&p, "y", PROM_GAUGE, "v"), 0);
	prom_sample(&p, NULL, 0, NAN);
	prom_sample(&p, NULL, 0, INFINITY);
	prom_sample(&p, NULL, 0, -INFINITY);
	prom_sample(&p, NULL, 0, 1e20);
	prom_sample(&p, NULL, 0, -42);
	prom_sample(&p, NULL, 0, 1795399982);
	prom_sample(&p, NULL, 0, 1795400316.58);
	prom_sample(&p, NULL, 0, 0.1 + 0.2);
	assert_int_equal(prom_finish(&p), 0);
	out = mem_close(&m);
	assert_string_equal(out,
	    "# HELP x_total help with \\\\ and\\nnewline and \"quotes\"\n"
	    "# TYPE x_total counter\n"
	    "x_total{endpoint=\"192.0.2.1:443\","
	    "subject=\"CN=\\\"q\\\"\\\\\"} 3\n"
	    "x_total 0.5\n"
	    "# HELP y v\n# TYPE y gauge\n"
	    "y NaN\ny +Inf\ny -Inf\ny 1e+20\ny -42\ny 1795399982\n"
	    "y 1795400316.58\ny 0.30000000000000004\n");
	free(out);
}

static void
test_misuse(void **state)
{
	struct prom_label bad[] = { { "a-b", "x" } };
	struct mem m;
	struct prom p;

	(void)state;
	mem_open(&m);
	/* a second family of one name */
	prom_init(&p, m.f);
	assert_int_equal(prom_family(&p, "dup", PROM_GAUGE, "h"), 0);
	assert_int_equal(prom_family(&p, "other", PROM_GAUGE, "h"), 0);
	assert_int_equal(prom_family(&p, "dup", PROM_GAUGE, "h"), -1);
	assert_int_equal(prom_finish(&p), -1);
	/* a sample before any family, after a refused one */
	prom_init(&p, m.f);
	prom_sample(&p, NULL, 0, 1);
	assert_int_equal(prom_finish(&p), -1);
	prom_init(&p, m.f);
	assert_int_equal(prom_family(&p, "1bad", PROM_GAUGE, "h"), -1);
	prom_sample(&p, NULL, 0, 1);
	assert_int_equal(prom_finish(&p), -1);
	/* a bad label name, a type out of range */
	prom_init(&p, m.f);
	assert_int_equal(prom_family(&p, "ok", PROM_GAUGE, "h"), 0);
	prom_sample(&p, bad, 1, 1);
	assert_int_equal(prom_finish(&p), -1);
	prom_init(&p, m.f);
	assert_int_equal(prom_family(&p, "ok", PROM__MAX, "h"), -1);
	assert_int_equal(prom_finish(&p), -1);
	free(mem_close(&m));
}

/*
 * The exposition's structure: every "# TYPE" name once; each sample's
 * name is the family announced last; returns the number of samples.
 */
static int
check_structure(const char *text)
{
	char *copy = xstrdup(text), *save = NULL, *line;
	char families[64][80], cur[80] = "";
	int nfam = 0, nsamples = 0;

	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char name[80];

		if (strncmp(line, "# HELP ", 7) == 0)
			continue;
		if (sscanf(line, "# TYPE %79s", name) == 1) {
			for (int i = 0; i < nfam; i++)
				assert_string_not_equal(families[i], name);
			assert_true(nfam < 64);
			snprintf(families[nfam++], sizeof(families[0]), "%s",
			    name);
			snprintf(cur, sizeof(cur), "%s", name);
			continue;
		}
		assert_true(line[0] != '#');
		assert_true(strncmp(line, cur, strlen(cur)) == 0);
		assert_true(line[strlen(cur)] == '{' ||
		    line[strlen(cur)] == ' ');
		nsamples++;
	}
	free(copy);
	return nsamples;
}

static struct mrow_endpoint
endpoint(const char *ep, const char *status, int64_t na0)
{
	struct mrow_endpoint e = {
		.endpoint = xstrdup(ep), .sni = xstrdup("a.example"),
		.protocol = xstrdup("tls"), .status = xstrdup(status),
		.has_tls = true, .version = xstrdup("TLSv1.2"),
		.cipher = xstrdup("ECDHE-RSA-AES128-GCM-SHA256"),
		.chain_len = 2,
	};

	e.chain = xcalloc(2, sizeof(*e.chain));
	for (int i = 0; i < 2; i++)
		e.chain[i] = (struct mrow_cert){
			.depth = i, .serial = xstrdup(i ? "01" : "0A1B"),
			.subject = xstrdup(i ? "CN=CA" : "CN=a.example"),
			.issuer = xstrdup("CN=CA"),
			.not_before = 1000, .not_after = na0 + i * 1000,
		};
	return e;
}

static void
test_inventory_page(void **state)
{
	struct metrics_inventory inv = { 0 };
	struct mrow_exporter ex = { .db_up = true, .sweeps_failed = 2 };
	struct mrow_process pr = {
		.start_time = 1700000000.25, .cpu_seconds = 1.5,
		.resident_bytes = 4096, .virtual_bytes = -1, .open_fds = 7,
		.max_fds = 1024,
	};
	struct mem m;
	char *out, *a, *b;

	(void)state;
	inv.endpoints = xcalloc(2, sizeof(*inv.endpoints));
	inv.endpoints[0] = endpoint("192.0.2.1:443", "refused", 5000);
	inv.endpoints[1] = endpoint("[2001:db8::1]:8443", "ok", 7000);
	inv.nendpoints = 2;
	inv.scans = (struct mrow_scans){ .total = 5, .failed = 1,
	    .has_success = true, .last_success = 1234, .last_duration = 9 };
	mem_open(&m);
	assert_int_equal(prom_write_inventory(m.f, &inv, &ex, &pr), 0);
	out = mem_close(&m);
	/* 4 certificates x 2 families, 2 x up/status/version, scans 4,
	 * exporter 4, process 5 */
	assert_int_equal(check_structure(out), 8 + 6 + 4 + 4 + 5);
	assert_non_null(strstr(out, "certsweep_endpoint_up{endpoint="
	    "\"192.0.2.1:443\",sni=\"a.example\",protocol=\"tls\"} 0\n"));
	assert_non_null(strstr(out, "certsweep_endpoint_up{endpoint="
	    "\"[2001:db8::1]:8443\",sni=\"a.example\",protocol=\"tls\"} 1\n"));
	assert_non_null(strstr(out, "certsweep_cert_not_after_timestamp_"
	    "seconds{endpoint=\"192.0.2.1:443\",sni=\"a.example\","
	    "protocol=\"tls\",depth=\"1\",serial=\"01\",subject=\"CN=CA\","
	    "issuer=\"CN=CA\"} 6000\n"));
	assert_non_null(strstr(out, "certsweep_scan_failures_total 3\n"));
	assert_non_null(strstr(out, "process_start_time_seconds "
	    "1700000000.25\n"));
	assert_null(strstr(out, "process_virtual_memory_bytes"));
	/* rows in the order given */
	a = strstr(out, "endpoint=\"192.0.2.1:443\"");
	b = strstr(out, "endpoint=\"[2001:db8::1]:8443\"");
	assert_true(a != NULL && b != NULL && a < b);
	free(out);

	/* no database: the exporter's own families only */
	mem_open(&m);
	ex.db_up = false;
	assert_int_equal(prom_write_inventory(m.f, NULL, &ex, NULL), 0);
	out = mem_close(&m);
	assert_int_equal(check_structure(out), 4);
	assert_non_null(strstr(out, "certsweep_database_up 0\n"));
	assert_null(strstr(out, "certsweep_scans_total"));
	free(out);
	metrics_inventory_clear(&inv);
}

static void
test_probe_page(void **state)
{
	struct metrics_probe pr = { .success = true, .duration = 0.25 };
	struct mem m;
	char *out;

	(void)state;
	pr.ep = endpoint("192.0.2.1:443", "ok", 9000);
	pr.ep.chain[1].not_after = 8000;	/* the CA expires first */
	pr.findings = xcalloc(1, sizeof(*pr.findings));
	pr.findings[0] = (struct mrow_finding){
		.endpoint = xstrdup("192.0.2.1:443"), .sni = xstrdup(""),
		.protocol = xstrdup("tls"), .rule = xstrdup("tls.tls10"),
		.severity = xstrdup("medium"),
	};
	pr.nfindings = 1;
	mem_open(&m);
	assert_int_equal(prom_write_probe(m.f, &pr), 0);
	out = mem_close(&m);
	assert_int_equal(check_structure(out), 4 + 4 + 2 + 1);
	assert_non_null(strstr(out, "\nprobe_success 1\n"));
	assert_non_null(strstr(out, "\nprobe_duration_seconds 0.25\n"));
	assert_non_null(strstr(out, "\nprobe_ssl_earliest_cert_expiry 8000\n"));
	assert_non_null(strstr(out, "\nprobe_tls_version_info{version="
	    "\"TLSv1.2\"} 1\n"));
	assert_non_null(strstr(out, "rule=\"tls.tls10\",severity=\"medium\"} "
	    "1\n"));
	free(out);
	metrics_probe_clear(&pr);

	/* a failed probe: success 0, no certificate families' samples */
	pr = (struct metrics_probe){ .duration = 2 };
	mem_open(&m);
	assert_int_equal(prom_write_probe(m.f, &pr), 0);
	out = mem_close(&m);
	assert_int_equal(check_structure(out), 2);
	assert_non_null(strstr(out, "\nprobe_success 0\n"));
	assert_null(strstr(out, "probe_ssl_earliest_cert_expiry"));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_label),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_family_and_samples),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_inventory_page),
		cmocka_unit_test(test_probe_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
