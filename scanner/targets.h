/*
 * targets.h: the lazy target iterator.
 *
 * Specs (one per targets_add() call, as a user types them):
 *   192.0.2.7  2001:db8::1  192.0.2.0/24  2001:db8::/112  192.0.2.5-192.0.2.9
 *   192.0.2.5-9 (last octet)  host.example  host.example:8443  192.0.2.7:443
 *   [2001:db8::1]:443  [2001:db8::/120]:443
 * A spec with its own port uses that port only; others take every port of
 * the port list (default 443).
 *
 * Address space is never materialized: a /8 or a v6 /64 costs O(1) memory.
 * targets_next() visits (address, port) pairs in a pseudo-random permutation
 * (keyed by a seed) so that consecutive connections hit different subnets,
 * and with a shard K/N set yields only the pairs of shard K, deterministically
 * and disjointly for a given seed.  Exclusions are applied on the fly.
 */
#ifndef CERTSWEEP_TARGETS_H
#define CERTSWEEP_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct targets;

/* One thing to connect to.  For a hostname target, family is AF_UNSPEC and
 * addr is unset: the engine resolves host. */
struct target {
	int		 family;	/* AF_INET, AF_INET6 or AF_UNSPEC */
	uint8_t		 addr[16];	/* network order; 4 bytes for v4 */
	uint16_t	 port;
	char		 host[256];	/* hostname as given, "" for IPs */
};

struct targets	*targets_new(void);
void		 targets_free(struct targets *);

/*
 * Each returns 0, or -1 with a one-line message in err that names the input
 * and says what is wrong, e.g. "192.0.2.0/33: prefix length must be 0-32".
 */
int	targets_add(struct targets *, const char *spec, char *err, size_t);
/* One spec per line; blank lines and '#' comments skipped; path "-" is
 * stdin.  Errors name the file and line. */
int	targets_add_file(struct targets *, const char *path, char *err, size_t);
/* Exclude addresses/CIDRs/ranges (comma-separated list allowed). */
int	targets_exclude(struct targets *, const char *list, char *err, size_t);
int	targets_exclude_file(struct targets *, const char *path, char *err,
	    size_t);
/* "443,8443,9000-9010"; port 0 and > 65535 are errors. */
int	targets_set_ports(struct targets *, const char *list, char *err,
	    size_t);
/* Permutation key; the same seed gives the same order.  Default 0 means
 * "random from the clock" (set at the first targets_next()). */
void	targets_set_seed(struct targets *, uint64_t seed);
/* Only shard k of n (1 <= k <= n). */
int	targets_set_shard(struct targets *, unsigned k, unsigned n, char *err,
	    size_t);

/* Number of (address, port) pairs before exclusions and sharding. */
uint64_t targets_total(const struct targets *);
/* Next pair: 1 when *t was filled, 0 at the end. */
int	targets_next(struct targets *, struct target *t);
/* Starts the iteration again, in the same order (certsweep serve --every
 * sweeps the same set repeatedly). */
void	targets_rewind(struct targets *);

#endif /* CERTSWEEP_TARGETS_H */
