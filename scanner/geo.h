/*
 * geo.h: optional GeoIP/ASN enrichment of endpoint addresses from MaxMind
 * DB files (libmaxminddb).  Enrichment is never fatal: a missing or damaged
 * database becomes a warning and empty fields, and the scan goes on.
 */
#ifndef CERTSWEEP_GEO_H
#define CERTSWEEP_GEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/record.h"

struct geo;				/* opaque: up to two open databases */

/*
 * What the databases say about one address.  Every string is
 * NUL-terminated, empty when unknown, cut at a UTF-8 character boundary
 * when longer than its array, and free of control characters.
 */

/*
 * Opens a City or Country database (city_path: GeoLite2-City,
 * GeoIP2-City, GeoLite2-Country, ...) and an ASN database (asn_path:
 * GeoLite2-ASN, or GeoIP2-ISP, which carries the same ASN fields).  Either
 * path may be NULL.  A database that cannot be opened or is not a MaxMind
 * DB is skipped, with a warning in warn (NUL-terminated, "" when all is
 * well; warn may be NULL) that names the file and says what to do.
 * Never returns NULL: at worst the handle looks nothing up.
 */
struct geo	*geo_open(const char *city_path, const char *asn_path,
		    char *warn, size_t warnsz);
/* NULL is a no-op. */
void		 geo_close(struct geo *);
/* At least one database is open (enrichment worth reporting). */
bool		 geo_is_active(const struct geo *);
/*
 * Fills out for a numeric IPv4 or IPv6 address (never resolves names;
 * IPv4 addresses are found in IPv6 databases too).  out is always
 * initialised: all empty when nothing is known.  Returns 0, or -1 when ip
 * is not a numeric address or a database is damaged at that address
 * (whatever could be read is still filled in).  Safe to call from several
 * threads on one handle.  g may be NULL (nothing known).
 */
int		 geo_lookup(const struct geo *g, const char *ip,
		    struct geo_info *out);

#endif /* CERTSWEEP_GEO_H */
