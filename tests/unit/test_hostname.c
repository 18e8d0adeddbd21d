/*
 * test_hostname.c: scanner/hostname.c against every row of Zeek's
 * x509_check_hostname table (tests/data/zeek-x509_check_hostname.stdout),
 * our own documented decisions (trailing dot, case, IDN, NUL), and
 * hostname_check_cert() on badssl certificates (SAN vs CN, no CN).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "scanner/hostname.h"

static const char *
src_dir(void)
{
	const char *s = getenv("CERTSWEEP_SRC");

	return s != NULL ? s : ".";
}

/* Decodes the table's "\x00" escapes in place; returns the length. */
static size_t
unescape(char *s)
{
	size_t	 o = 0;

	for (size_t i = 0; s[i] != '\0'; i++) {
		if (s[i] == '\\' && s[i + 1] == 'x' && s[i + 2] != '\0' &&
		    s[i + 3] != '\0') {
			char hex[3] = { s[i + 2], s[i + 3], '\0' };

			s[o++] = (char)strtol(hex, NULL, 16);
			i += 3;
		} else
			s[o++] = s[i];
	}
	s[o] = '\0';
	return o;
}

static void
test_zeek_table(void **state)
{
	char	 path[1024], line[512];
	FILE	*f;
	int	 rows = 0, nul_rows = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/data/"
	    "zeek-x509_check_hostname.stdout", src_dir());
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char	*host, *pat, *want, *sep;
		size_t	 hlen, plen;

		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = '\0';
		host = line;
		sep = strstr(host, ", ");
		assert_non_null(sep);
		*sep = '\0';
		pat = sep + 2;
		sep = strstr(pat, ", ");
		assert_non_null(sep);
		*sep = '\0';
		want = sep + 2;
		hlen = unescape(host);
		plen = unescape(pat);
		if (hlen != strlen(host))
			nul_rows++;
		if (hostname_match(pat, plen, host, hlen) !=
		    (strcmp(want, "T") == 0))
			fail_msg("row %d: host '%s' pattern '%s' want %s",
			    rows + 1, host, pat, want);
		rows++;
	}
	fclose(f);
	assert_int_equal(rows, 18);
	assert_int_equal(nul_rows, 1);
}

#define M(p, h)	hostname_match((p), strlen(p), (h), strlen(h))

static void
test_decisions(void **state)
{
	(void)state;
	/* case and one trailing dot */
	assert_true(M("WWW.Example.COM", "www.example.com"));
	assert_true(M("www.example.com.", "www.example.com"));
	assert_true(M("*.example.com", "a.example.com."));
	assert_false(M("www.example.com", "www.example.com.."));
	/* partial wildcards, one or more characters */
	assert_true(M("f*o.example.com", "foo.example.com"));
	assert_true(M("f*o.example.com", "fabco.example.com"));
	assert_false(M("f*o.example.com", "fo.example.com"));
	assert_false(M("*.example.com", ".example.com"));
	assert_true(M("*.co.uk", "example.co.uk"));	/* no PSL */
	assert_false(M("*.example.com", "example.com"));
	assert_false(M("w*.*.example.com", "ww.a.example.com"));
	assert_false(M("www.*.com", "www.example.com"));
	assert_false(M("*.", "a."));
	assert_false(M("*..com", "a..com"));
	/* IDN */
	assert_true(M("*.example.com", "xn--bcher-kva.example.com"));
	assert_false(M("x*.example.com", "xn--bcher-kva.example.com"));
	assert_false(M("xn--*.example.com", "xn--bcher-kva.example.com"));
	assert_true(M("xn--bcher-kva.example.com",
	    "XN--BCHER-KVA.example.com"));
	/* a host with '*' matches nothing, not even itself */
	assert_false(M("*.example.com", "*.example.com"));
	/* NUL in the pattern */
	assert_false(hostname_match("www.example.com\0.evil.org", 25,
	    "www.example.com", 15));
	assert_false(hostname_match("www.example.com\0", 16,
	    "www.example.com", 15));
}

static void
load_leaf(const char *rel, struct cert_record *rec)
{
	char	 path[1024];
	FILE	*f;
	X509	*x;
	unsigned char *der = NULL;
	int	 len;

	snprintf(path, sizeof(path), "%s/tests/data/%s", src_dir(), rel);
	f = fopen(path, "r");
	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	len = i2d_X509(x, &der);
	assert_true(len > 0);
	memset(rec, 0, sizeof(*rec));
	rec->der = der;
	rec->der_len = (size_t)len;
	X509_free(x);
}

static void
free_leaf(struct cert_record *rec)
{
	OPENSSL_free(rec->der);
}

static void
test_check_cert(void **state)
{
	struct cert_record rec;
	char	 why[256];

	(void)state;
	load_leaf("badssl/chain/wildcard-rsa2048.pem", &rec);
	assert_int_equal(hostname_check_cert(&rec, "wrong.host.badssl.com",
	    why, sizeof(why)), 0);
	assert_non_null(strstr(why, "*.badssl.com"));
	assert_int_equal(hostname_check_cert(&rec, "rsa2048.badssl.com",
	    why, sizeof(why)), 1);
	assert_string_equal(why, "DNS SAN *.badssl.com");
	assert_int_equal(hostname_check_cert(&rec, "badssl.com", why,
	    sizeof(why)), 1);
	/* an IP literal is never matched against DNS names */
	assert_int_equal(hostname_check_cert(&rec, "192.0.2.1", why,
	    sizeof(why)), 0);
	assert_int_equal(hostname_check_cert(&rec, "", why, sizeof(why)), -1);
	free_leaf(&rec);

	load_leaf("badssl/chain/fallback.pem", &rec);
	assert_int_equal(hostname_check_cert(&rec, "badssl.com", why,
	    sizeof(why)), 0);
	free_leaf(&rec);

	load_leaf("badssl/chain/subdomain-no-common-name.pem", &rec);
	assert_int_equal(hostname_check_cert(&rec,
	    "no-common-name.badssl.com", why, sizeof(why)), 1);
	free_leaf(&rec);
	load_leaf("badssl/chain/subdomain-no-subject.pem", &rec);
	assert_int_equal(hostname_check_cert(&rec, "no-subject.badssl.com",
	    why, sizeof(why)), 1);
	assert_int_equal(hostname_check_cert(&rec, "other.badssl.com",
	    why, sizeof(why)), 0);
	free_leaf(&rec);
	load_leaf("badssl/chain/subdomain-captive-portal.pem", &rec);
	assert_int_equal(hostname_check_cert(&rec,
	    "login.captive-portal.badssl.com", why, sizeof(why)), 1);
	assert_int_equal(hostname_check_cert(&rec,
	    "captive-portal.badssl.com", why, sizeof(why)), 0);
	free_leaf(&rec);
	load_leaf("badssl/chain/subdomain-xn--n1aae7f7o.pem", &rec);
	assert_int_equal(hostname_check_cert(&rec,
	    "xn--n1aae7f7o.badssl.com", why, sizeof(why)), 1);
	free_leaf(&rec);

	/* garbage DER */
	memset(&rec, 0, sizeof(rec));
	rec.der = (uint8_t *)(uintptr_t)"\x30\x03\x02\x01";
	rec.der_len = 4;
	assert_int_equal(hostname_check_cert(&rec, "a.example", why,
	    sizeof(why)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zeek_table),
		cmocka_unit_test(test_decisions),
		cmocka_unit_test(test_check_cert),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
