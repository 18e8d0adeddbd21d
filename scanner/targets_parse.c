/*
 * targets_parse.c: the pure parsers behind targets.c: IPv4/IPv6 addresses,
 * CIDRs, ranges, hostnames, host:port specs and port lists.
 *
 * Inputs are (pointer, length) and may come from a file line or a fuzzer,
 * so nothing here reads past len, allocates or logs.  ctype.h is avoided:
 * its answers depend on the locale and negative chars are undefined.
 * Hazard tags:
 *   [TGT-DIGITS-OVERFLOW]  long digit strings are capped before they wrap;
 *   [TGT-V6-COPY]          inet_pton needs a NUL-terminated copy, bounded;
 *   [TGT-HUGE-SET]         v6 sets over 2^64 addresses cannot be counted;
 *   [TGT-NUMERIC-HOST]     "10.0.0.256" is a bad address, not a hostname.
 */
#include "scanner/targets_internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define WHY(...)	snprintf(why, whylen, __VA_ARGS__)

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_digit(s[i]))
			return false;
	return len > 0;
}

/* Decimal value of all-digit s, capped at 1e9 [TGT-DIGITS-OVERFLOW]. */
static unsigned long
digits_value(const char *s, size_t len)
{
	unsigned long v = 0;

	for (size_t i = 0; i < len; i++) {
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > 1000000000UL)
			return 1000000000UL;
	}
	return v;
}

int
targets_u128_cmp(struct targets_u128 a, struct targets_u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

/* Dotted quad, four decimal numbers 0-255. */
static bool
parse_v4(const char *s, size_t len, uint32_t *out)
{
	uint32_t v = 0;
	size_t i = 0;

	for (int octet = 0; octet < 4; octet++) {
		unsigned o = 0, nd = 0;

		if (octet > 0) {
			if (i >= len || s[i] != '.')
				return false;
			i++;
		}
		for (; i < len && is_digit(s[i]); i++, nd++) {
			if (nd == 3)
				return false;
			o = o * 10 + (unsigned)(s[i] - '0');
		}
		if (nd == 0 || o > 255)
			return false;
		v = v << 8 | o;
	}
	if (i != len)
		return false;
	*out = v;
	return true;
}

static bool
parse_v6(const char *s, size_t len, struct targets_u128 *out)
{
	char buf[INET6_ADDRSTRLEN];
	uint8_t b[16];

	/* [TGT-V6-COPY] */
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET6, buf, b) != 1)
		return false;
	out->hi = out->lo = 0;
	for (int i = 0; i < 8; i++) {
		out->hi = out->hi << 8 | b[i];
		out->lo = out->lo << 8 | b[i + 8];
	}
	return true;
}

static bool
parse_addr(const char *s, size_t len, int *family, struct targets_u128 *a)
{
	uint32_t v4;

	if (parse_v4(s, len, &v4)) {
		*family = AF_INET;
		a->hi = 0;
		a->lo = v4;
		return true;
	}
	if (memchr(s, ':', len) != NULL && parse_v6(s, len, a)) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

/* [TGT-NUMERIC-HOST] Only digits and dots: meant as IPv4. */
static bool
looks_v4(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_digit(s[i]) && s[i] != '.')
			return false;
	return len > 0;
}

/* The host bits of a prefix of an address of width bits. */
static struct targets_u128
host_mask(unsigned width, unsigned prefix)
{
	unsigned h = width - prefix;
	struct targets_u128 m = { 0, 0 };

	if (h >= 64) {
		m.lo = UINT64_MAX;
		m.hi = h == 128 ? UINT64_MAX : (UINT64_C(1) << (h - 64)) - 1;
	} else if (h > 0)
		m.lo = (UINT64_C(1) << h) - 1;
	return m;
}

static int
bad_addr(const char *s, size_t len, const char *what, char *why,
    size_t whylen)
{
	const char *fam = memchr(s, ':', len) != NULL ? "IPv6" : "IPv4";

	if (what == NULL)
		WHY("not a valid %s address%s", fam, fam[3] == '6' ? "" :
		    " (four numbers 0-255 separated by dots)");
	else
		WHY("%s is not a valid %s address", what, fam);
	return -1;
}

static int
parse_cidr(const char *s, size_t len, const char *slash, bool allow_huge,
    struct targets_span *sp, char *why, size_t whylen)
{
	size_t alen = (size_t)(slash - s), plen = len - alen - 1;
	unsigned width;
	unsigned long prefix;
	struct targets_u128 a, m;

	if (!parse_addr(s, alen, &sp->family, &a))
		return bad_addr(s, alen, "the address before '/'", why,
		    whylen);
	width = sp->family == AF_INET ? 32 : 128;
	prefix = digits_value(slash + 1, plen);
	if (!all_digits(slash + 1, plen) || plen > 3 || prefix > width) {
		WHY("prefix length must be 0-%u", width);
		return -1;
	}
	/* [TGT-HUGE-SET] */
	if (sp->family == AF_INET6 && prefix < 64 && !allow_huge) {
		WHY("an IPv6 prefix shorter than /64 is too large to scan; "
		    "use /64 or longer");
		return -1;
	}
	/* Host bits set (10.0.0.5/24) are accepted and masked off. */
	m = host_mask(width, (unsigned)prefix);
	sp->first.hi = a.hi & ~m.hi;
	sp->first.lo = a.lo & ~m.lo;
	sp->last.hi = sp->first.hi | m.hi;
	sp->last.lo = sp->first.lo | m.lo;
	return 0;
}

/* a-b, or a-N for the last IPv4 octet. */
static int
parse_range(const char *s, size_t len, const char *dash, bool allow_huge,
    struct targets_span *sp, char *why, size_t whylen)
{
	size_t alen = (size_t)(dash - s), blen = len - alen - 1;
	const char *b = dash + 1;
	int fam2;

	if (!parse_addr(s, alen, &sp->family, &sp->first))
		return bad_addr(s, alen, "the start of the range", why,
		    whylen);
	if (sp->family == AF_INET && all_digits(b, blen)) {
		unsigned long o = digits_value(b, blen);

		if (o > 255) {
			WHY("the last octet must be 0-255");
			return -1;
		}
		sp->last.hi = 0;
		sp->last.lo = (sp->first.lo & ~UINT64_C(0xff)) | o;
	} else if (!parse_addr(b, blen, &fam2, &sp->last)) {
		return bad_addr(b, blen, "the end of the range", why, whylen);
	} else if (fam2 != sp->family) {
		WHY("both ends of a range must be IPv4, or both IPv6");
		return -1;
	}
	if (targets_u128_cmp(sp->last, sp->first) < 0) {
		WHY("the range ends before it starts");
		return -1;
	}
	/* [TGT-HUGE-SET] more than 2^64 addresses: the high words differ by
	 * more than one, or by one with last.lo >= first.lo. */
	if (!allow_huge && sp->last.hi != sp->first.hi &&
	    (sp->last.hi - sp->first.hi > 1 || sp->last.lo >= sp->first.lo)) {
		WHY("the range has more than 2^64 addresses, too many to "
		    "scan");
		return -1;
	}
	return 0;
}

int
targets_parse_span(const char *s, size_t len, bool allow_huge,
    struct targets_span *sp, char *why, size_t whylen)
{
	const char *slash = memchr(s, '/', len), *dash = memchr(s, '-', len);

	if (len == 0) {
		WHY("empty address");
		return -1;
	}
	if (slash != NULL)
		return parse_cidr(s, len, slash, allow_huge, sp, why, whylen);
	if (dash != NULL) {
		size_t alen = (size_t)(dash - s);

		/* "web-1.example" is a hostname with a dash. */
		if (!looks_v4(s, alen) && memchr(s, ':', len) == NULL)
			return TARGETS_NOT_ADDR;
		return parse_range(s, len, dash, allow_huge, sp, why, whylen);
	}
	if (parse_addr(s, len, &sp->family, &sp->first)) {
		sp->last = sp->first;
		return 0;
	}
	if (looks_v4(s, len) || memchr(s, ':', len) != NULL)
		return bad_addr(s, len, NULL, why, whylen);
	return TARGETS_NOT_ADDR;
}

/* A DNS name: labels of 1-63 letters, digits, '-' or '_' (not at either
 * end), at most 253 characters, one trailing dot allowed. */
static int
check_hostname(const char *s, size_t len, char *why, size_t whylen)
{
	size_t label = 0;

	if (len > 1 && s[len - 1] == '.')
		len--;
	if (len > 253) {
		WHY("a hostname has at most 253 characters");
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		/* RFC 1123; a leading '-' is also an option put after the
		 * targets. */
		if ((c == '-' && label == 0) || (c == '.' && i > 0 &&
		    s[i - 1] == '-') || (c == '-' && i == len - 1)) {
			WHY("a hostname label cannot start or end with '-'");
			return -1;
		}
		if (c == '.') {
			if (label == 0)
				break;
			label = 0;
			continue;
		}
		if (!is_alnum((char)c) && c != '-' && c != '_') {
			if (c >= ' ' && c < 0x7f)
				WHY("'%c' is not allowed in a hostname "
				    "(letters, digits, '-', '_' and dots)", c);
			else
				WHY("byte 0x%02x is not allowed in a hostname "
				    "(letters, digits, '-', '_' and dots)", c);
			return -1;
		}
		if (++label > 63) {
			WHY("a hostname label has at most 63 characters");
			return -1;
		}
	}
	if (label == 0) {
		WHY("empty label in hostname (two dots in a row, or a dot at "
		    "the start or end)");
		return -1;
	}
	return 0;
}

static int
parse_port(const char *s, size_t len, uint16_t *port, char *why,
    size_t whylen)
{
	unsigned long v;

	if (len == 0) {
		WHY("missing port number");
		return -1;
	}
	if (!all_digits(s, len)) {
		WHY("port \"%.*s\" is not a number", (int)(len > 32 ? 32 : len),
		    s);
		return -1;
	}
	v = digits_value(s, len);
	if (v == 0 || v > 65535) {
		WHY("port %.*s is out of range (1-65535)",
		    (int)(len > 32 ? 32 : len), s);
		return -1;
	}
	*port = (uint16_t)v;
	return 0;
}

/* [v6], [v6]:port, [v6/cidr]:port, [v6-v6]:port. */
static int
parse_bracketed(const char *s, size_t len, struct targets_spec *sp,
    char *why, size_t whylen)
{
	const char *close = memchr(s, ']', len);
	size_t inner, rest;
	int rc;

	if (close == NULL) {
		WHY("missing ']' after an IPv6 address");
		return -1;
	}
	inner = (size_t)(close - s) - 1;
	rest = len - inner - 2;
	rc = targets_parse_span(s + 1, inner, false, &sp->span, why, whylen);
	if (rc == 0 && sp->span.family != AF_INET6)
		rc = TARGETS_NOT_ADDR;
	if (rc == TARGETS_NOT_ADDR) {
		WHY("brackets are for IPv6 addresses only ([2001:db8::1]:443)");
		return -1;
	}
	if (rc == -1)
		return -1;
	sp->family = AF_INET6;
	if (rest == 0)
		return 0;
	if (close[1] != ':') {
		WHY("expected ':PORT' after ']'");
		return -1;
	}
	return parse_port(close + 2, rest - 1, &sp->port, why, whylen);
}

int
targets_parse_spec(const char *s, size_t len, struct targets_spec *sp,
    char *why, size_t whylen)
{
	const char *colon;
	int rc;

	memset(sp, 0, sizeof(*sp));
	if (len == 0) {
		WHY("empty target");
		return -1;
	}
	if (s[0] == '[')
		return parse_bracketed(s, len, sp, why, whylen);
	colon = memchr(s, ':', len);
	/* Two colons or more: an IPv6 form, which takes no port unless
	 * bracketed. */
	if (colon != NULL && memchr(colon + 1, ':', len -
	    (size_t)(colon - s) - 1) == NULL) {
		if (parse_port(colon + 1, len - (size_t)(colon - s) - 1,
		    &sp->port, why, whylen) == -1)
			return -1;
		len = (size_t)(colon - s);
		if (len == 0) {
			WHY("missing host or address before ':'");
			return -1;
		}
	}
	rc = targets_parse_span(s, len, false, &sp->span, why, whylen);
	if (rc != TARGETS_NOT_ADDR) {
		sp->family = sp->span.family;
		return rc;
	}
	if (check_hostname(s, len, why, whylen) == -1)
		return -1;
	sp->family = AF_UNSPEC;
	sp->host = s;
	sp->hostlen = len;
	return 0;
}

static int
port_item(const char *s, size_t len, uint8_t *map, char *why, size_t whylen)
{
	const char *dash;
	uint16_t a, b;

	while (len > 0 && (s[0] == ' ' || s[0] == '\t'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	dash = memchr(s, '-', len);
	if (len == 0) {
		WHY("empty item (two commas in a row?)");
		return -1;
	}
	if (dash == NULL) {
		if (parse_port(s, len, &a, why, whylen) == -1)
			return -1;
		b = a;
	} else if (parse_port(s, (size_t)(dash - s), &a, why, whylen) == -1 ||
	    parse_port(dash + 1, len - (size_t)(dash - s) - 1, &b, why,
	    whylen) == -1) {
		return -1;
	} else if (b < a) {
		WHY("port range %u-%u ends before it starts", a, b);
		return -1;
	}
	for (unsigned p = a; p <= b; p++)
		map[p >> 3] |= (uint8_t)(1u << (p & 7));
	return 0;
}

int
targets_parse_ports(const char *s, size_t len, uint8_t *map, char *why,
    size_t whylen)
{
	size_t i = 0;

	for (;;) {
		const char *comma = memchr(s + i, ',', len - i);
		size_t n = comma != NULL ? (size_t)(comma - (s + i)) : len - i;

		if (port_item(s + i, n, map, why, whylen) == -1)
			return -1;
		if (comma == NULL)
			return 0;
		i += n + 1;
	}
}
