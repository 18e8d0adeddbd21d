/*
 * test_targets_files.c: exclusions and input files of scanner/targets.c:
 * single addresses, CIDRs, ranges and v6 excluded (checked against a
 * model), per-family exclusion, exclusion errors; target and exclusion
 * files with comments, blank lines and CRLF, errors that name file:line,
 * unreadable files, over-long lines, and "-" for stdin.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scanner/targets.h"

#define ERRLEN	512

#include "targets_drain.h"

static bool
ex_model(size_t i)
{
	return i == 1 || (i >= 16 && i <= 40) || (i >= 100 && i <= 109) ||
	    i >= 250;
}

static void
test_exclusions(void **state)
{
	struct targets *tg = targets_new();
	struct target t;
	char err[ERRLEN];
	uint8_t seen[256] = { 0 };
	size_t v6 = 0, host = 0;

	(void)state;
	assert_int_equal(targets_add(tg, "10.3.0.0/24", err, sizeof(err)), 0);
	assert_int_equal(targets_add(tg, "2001:db8::/120", err, sizeof(err)),
	    0);
	assert_int_equal(targets_add(tg, "host.example", err, sizeof(err)),
	    0);
	assert_int_equal(targets_exclude(tg, "10.3.0.1", err, sizeof(err)),
	    0);
	/* overlapping and adjacent pieces merge */
	assert_int_equal(targets_exclude(tg, "10.3.0.16/28,10.3.0.20-10.3.0.40",
	    err, sizeof(err)), 0);
	assert_int_equal(targets_exclude(tg, "10.3.0.100-109, 10.3.0.250-255,"
	    "192.0.2.0/24", err, sizeof(err)), 0);
	assert_int_equal(targets_exclude(tg, "2001:db8::/124,[2001:db8::ff],"
	    "2001:db8::80-2001:db8::8f", err, sizeof(err)), 0);
	assert_true(targets_total(tg) == 256 + 256 + 1);
	targets_set_seed(tg, 3);
	while (targets_next(tg, &t) == 1) {
		if (t.family == AF_UNSPEC) {
			host++;
			continue;
		}
		if (t.family == AF_INET6) {
			assert_true(t.addr[15] >= 16 && t.addr[15] != 0xff &&
			    (t.addr[15] & 0xf0) != 0x80);
			v6++;
			continue;
		}
		seen[t.addr[3]]++;
	}
	for (size_t i = 0; i < 256; i++)
		if (seen[i] != (ex_model(i) ? 0 : 1))
			fail_msg("10.3.0.%zu seen %u times", i, seen[i]);
	assert_int_equal(v6, 256 - 16 - 1 - 16);
	assert_int_equal(host, 1);
	targets_free(tg);
}

/* Exclusions are per family; hostnames are never excluded. */
static void
test_exclusions_family(void **state)
{
	struct targets *tg = targets_new();
	char err[ERRLEN];
	struct strs got;

	(void)state;
	assert_int_equal(targets_add(tg, "2001:db8::1", err, sizeof(err)), 0);
	assert_int_equal(targets_add(tg, "10.0.0.1", err, sizeof(err)), 0);
	assert_int_equal(targets_add(tg, "localhost", err, sizeof(err)), 0);
	assert_int_equal(targets_exclude(tg, "0.0.0.0/0", err, sizeof(err)),
	    0);
	got = drain(tg);
	assert_int_equal(got.n, 2);
	assert_string_equal(got.v[0], "[2001:db8::1]:443");
	assert_string_equal(got.v[1], "localhost:443");
	strs_free(&got);
	targets_free(tg);

	tg = targets_new();
	assert_int_equal(targets_add(tg, "2001:db8::1", err, sizeof(err)), 0);
	assert_int_equal(targets_add(tg, "10.0.0.1", err, sizeof(err)), 0);
	/* huge v6 sets are fine as exclusions */
	assert_int_equal(targets_exclude(tg, "::/0", err, sizeof(err)), 0);
	got = drain(tg);
	assert_int_equal(got.n, 1);
	assert_string_equal(got.v[0], "10.0.0.1:443");
	strs_free(&got);
	targets_free(tg);
}

static void
check_exclude_error(const char *list, const char *item, const char *want)
{
	struct targets *tg = targets_new();
	char err[ERRLEN];

	assert_int_equal(targets_exclude(tg, list, err, sizeof(err)), -1);
	if (strncmp(err, item, strlen(item)) != 0 || strstr(err, want) == NULL)
		fail_msg("%s: \"%s\"", list, err);
	targets_free(tg);
}

static void
test_exclusion_errors(void **state)
{
	(void)state;
	check_exclude_error("10.0.0.1,host.example", "host.example:",
	    "hostnames cannot be excluded");
	check_exclude_error("10.0.0.0/33", "10.0.0.0/33:",
	    "prefix length must be 0-32");
	check_exclude_error("10.0.0.1, 10.0.0.300", "10.0.0.300:",
	    "not a valid IPv4");
	check_exclude_error("10.0.0.1:443", "10.0.0.1:443:",
	    "without a port");
	check_exclude_error("[2001:db8::1]:443", "[2001:db8::1]:443:",
	    "without a port");
}

static void
write_file(char *path, const char *text)
{
	int fd;

	strncpy(path, "/tmp/test_targets.XXXXXX", 64);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void
test_file(void **state)
{
	struct targets *tg = targets_new();
	char path[64], err[ERRLEN], want[256];
	struct strs got;

	(void)state;
	write_file(path, "# targets\n"
	    "192.0.2.1   # web\n"
	    "  192.0.2.2\t\n"
	    "\n"
	    "   \n"
	    "host.example:8443\r\n"
	    "192.0.2.8/31 #pair\n"
	    "\t# indented comment\n"
	    "192.0.2.9");	/* no final newline */
	assert_int_equal(targets_add_file(tg, path, err, sizeof(err)), 0);
	unlink(path);
	got = drain(tg);
	assert_int_equal(got.n, 6);
	assert_string_equal(got.v[0], "192.0.2.1:443");
	assert_string_equal(got.v[1], "192.0.2.2:443");
	assert_string_equal(got.v[2], "192.0.2.8:443");
	assert_string_equal(got.v[3], "192.0.2.9:443");
	assert_string_equal(got.v[4], "192.0.2.9:443");
	assert_string_equal(got.v[5], "host.example:8443");
	strs_free(&got);
	targets_free(tg);

	tg = targets_new();
	write_file(path, "192.0.2.1\n# comment\n\n10.0.0.0/33\n192.0.2.3\n");
	assert_int_equal(targets_add_file(tg, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:4: 10.0.0.0/33: prefix length must "
	    "be 0-32", path);
	assert_string_equal(err, want);
	unlink(path);

	write_file(path, "192.0.2.1#not-a-comment\n");
	assert_int_equal(targets_add_file(tg, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:1: 192.0.2.1#not-a-comment: ", path);
	assert_memory_equal(err, want, strlen(want));
	unlink(path);
	targets_free(tg);
}

static void
test_file_errors(void **state)
{
	struct targets *tg = targets_new();
	char path[64], err[ERRLEN], want[256], *big;

	(void)state;
	assert_int_equal(targets_add_file(tg, "/nonexistent/hosts.txt", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "cannot read /nonexistent/hosts.txt: "
	    "No such file or directory");
	assert_int_equal(targets_exclude_file(tg, "/nonexistent/ex.txt", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "cannot read /nonexistent/ex.txt: "
	    "No such file or directory");
	assert_int_equal(targets_add_file(tg, "/", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot read /: "));

	big = calloc(1, 3000);
	assert_non_null(big);
	memset(big, 'a', 2000);
	memcpy(big, "192.0.2.1\n", 10);
	write_file(path, big);
	assert_int_equal(targets_add_file(tg, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: line longer than 1024 characters",
	    path);
	assert_string_equal(err, want);
	unlink(path);
	free(big);
	targets_free(tg);
}

static void
test_exclude_file(void **state)
{
	struct targets *tg = targets_new();
	char path[64], err[ERRLEN], want[256];
	struct strs got;

	(void)state;
	assert_int_equal(targets_add(tg, "192.0.2.0/29", err, sizeof(err)), 0);
	write_file(path, "# blocklist\n192.0.2.0/30  # first half\n\n"
	    "192.0.2.5, 192.0.2.7\n");
	assert_int_equal(targets_exclude_file(tg, path, err, sizeof(err)), 0);
	unlink(path);
	got = drain(tg);
	assert_int_equal(got.n, 2);
	assert_string_equal(got.v[0], "192.0.2.4:443");
	assert_string_equal(got.v[1], "192.0.2.6:443");
	strs_free(&got);
	targets_free(tg);

	tg = targets_new();
	write_file(path, "192.0.2.0/30\nwww.example\n");
	assert_int_equal(targets_exclude_file(tg, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: www.example: ", path);
	assert_memory_equal(err, want, strlen(want));
	assert_non_null(strstr(err, "hostnames cannot be excluded"));
	unlink(path);
	targets_free(tg);
}

static void
test_stdin(void **state)
{
	struct targets *tg = targets_new();
	char path[64], err[ERRLEN];
	struct strs got;
	int saved = dup(STDIN_FILENO), fd;

	(void)state;
	assert_true(saved >= 0);
	write_file(path, "192.0.2.1\n# c\nhost.example\n");
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	clearerr(stdin);
	assert_int_equal(targets_add_file(tg, "-", err, sizeof(err)), 0);
	unlink(path);

	write_file(path, "192.0.2.2\nbad!\n");
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	clearerr(stdin);
	assert_int_equal(targets_add_file(tg, "-", err, sizeof(err)), -1);
	assert_memory_equal(err, "stdin:2: bad!: ", 15);
	unlink(path);
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
	clearerr(stdin);

	got = drain(tg);
	assert_int_equal(got.n, 3);
	assert_string_equal(got.v[0], "192.0.2.1:443");
	assert_string_equal(got.v[1], "192.0.2.2:443");
	assert_string_equal(got.v[2], "host.example:443");
	strs_free(&got);
	targets_free(tg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exclusions),
		cmocka_unit_test(test_exclusions_family),
		cmocka_unit_test(test_exclusion_errors),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_exclude_file),
		cmocka_unit_test(test_stdin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
