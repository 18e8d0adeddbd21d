/*
 * fuzz_docescape.c: the escapers of the document writers on arbitrary
 * bytes (certificate subjects and SANs are attacker data).  Checks what
 * the report relies on:
 *  - HTML: no < > " ' left, & only as the start of an entity, the output
 *    is valid UTF-8 without control characters but TAB and LF;
 *  - CSV: unquoted fields hold no comma, quote, CR or LF; quoted ones
 *    only doubled quotes; a text field never starts with = + - @ TAB CR
 *    (after the opening quote).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/document.h"
#include "scanner/xmem.h"

static void
check_html(const char *h)
{
	const unsigned char *p = (const unsigned char *)h;

	for (size_t i = 0; p[i] != '\0'; i++) {
		if (strchr("<>\"'", p[i]) != NULL)
			abort();
		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n')
			abort();
		if (p[i] == '&' && strncmp(h + i, "&amp;", 5) != 0 &&
		    strncmp(h + i, "&lt;", 4) != 0 &&
		    strncmp(h + i, "&gt;", 4) != 0 &&
		    strncmp(h + i, "&quot;", 6) != 0 &&
		    strncmp(h + i, "&#39;", 5) != 0)
			abort();
	}
}

static void
check_csv(const char *c)
{
	size_t n = strlen(c);

	if (n > 0 && c[0] == '"') {
		if (n < 2 || c[n - 1] != '"')
			abort();
		for (size_t i = 1; i + 1 < n; i++)
			if (c[i] == '"' && c[++i] != '"')
				abort();
		c++;
	} else if (strpbrk(c, ",\"\r\n") != NULL)
		abort();
	if (c[0] != '\0' && strchr("=+-@\t\r", c[0]) != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size), *h, *c;

	h = report_html_escape(s);
	c = report_csv_field(s, true);
	if (h == NULL || c == NULL)
		abort();
	check_html(h);
	check_csv(c);
	free(h);
	free(c);
	free(s);
	return 0;
}
