/*
 * targets_internal.h: what targets.c and targets_parse.c share (and the
 * fuzz target).  Addresses are 128-bit numbers: IPv4 uses the low 32 bits,
 * so one set of interval helpers serves both families.
 */
#ifndef CERTSWEEP_TARGETS_INTERNAL_H
#define CERTSWEEP_TARGETS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct targets_u128 {
	uint64_t	 hi, lo;
};

/* An inclusive address interval of one family. */
struct targets_span {
	int			 family;	/* AF_INET or AF_INET6 */
	struct targets_u128	 first, last;
};

/* One parsed target spec; host points into the parsed string. */
struct targets_spec {
	int			 family;	/* AF_UNSPEC: hostname */
	struct targets_span	 span;		/* not for hostnames */
	const char		*host;
	size_t			 hostlen;
	uint16_t		 port;		/* own port; 0: list */
};

/* targets_parse_span(): the input is not an address form (a hostname). */
#define TARGETS_NOT_ADDR	(-2)
/* Ports 1-65535 as bits; bit 0 (port 0) is never set. */
#define TARGETS_PORTMAP_BYTES	8192

/*
 * The parsers are pure: (s, len) need not be NUL-terminated, nothing is
 * allocated, and on -1 why holds what is wrong, without the input (the
 * caller names it).
 */
/* Address, CIDR or range.  allow_huge: accept v6 sets of more than 2^64
 * addresses (exclusions).  0, -1, or TARGETS_NOT_ADDR. */
int	targets_parse_span(const char *s, size_t len, bool allow_huge,
	    struct targets_span *, char *why, size_t);
/* Any spec of targets.h. */
int	targets_parse_spec(const char *s, size_t len, struct targets_spec *,
	    char *why, size_t);
/* "443,8443,9000-9010" into a zeroed TARGETS_PORTMAP_BYTES bitmap. */
int	targets_parse_ports(const char *s, size_t len, uint8_t *map,
	    char *why, size_t);

int	targets_u128_cmp(struct targets_u128, struct targets_u128);

#endif /* CERTSWEEP_TARGETS_INTERNAL_H */
