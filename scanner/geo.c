/*
 * geo.c: GeoIP/ASN enrichment through libmaxminddb.  Two optional
 * databases: City/Country for the location, ASN (or ISP) for the network
 * owner.  Opening problems become one warning string for the caller to
 * log, because enrichment is a nicety and must never stop a sweep.
 *
 * Addresses are parsed here with inet_pton and looked up by sockaddr:
 * MMDB_lookup_string would call getaddrinfo, which resolves names, and a
 * certificate inventory must not send DNS queries for its enrichment.
 * After MMDB_open the MMDB_s is read-only, so lookups on one handle are
 * thread-safe (libmaxminddb documents this for MMDB_MODE_MMAP).
 */
#include "scanner/geo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <maxminddb.h>

#include "scanner/dynlib.h"
#include "scanner/xmem.h"

/*
 * libmaxminddb is opened with dlopen() by the first geo_open() (only the
 * --geoip-* options need it) rather than loaded at every start.
 */
#define MM_FN(f)	__typeof__(MMDB_##f)	*f
struct mm_api {
	MM_FN(close);
	MM_FN(get_value);
	MM_FN(lookup_sockaddr);
	MM_FN(open);
	MM_FN(strerror);
	MM_FN(vget_value);
};
#undef MM_FN

#define MM_SYM(f)	DYNLIB_SYM(struct mm_api, "MMDB_", f)
static const struct dynlib_sym mm_syms[] = {
	MM_SYM(close), MM_SYM(get_value), MM_SYM(lookup_sockaddr),
	MM_SYM(open), MM_SYM(strerror), MM_SYM(vget_value),
};
#undef MM_SYM
_Static_assert(sizeof(mm_syms) / sizeof(mm_syms[0]) ==
    sizeof(struct mm_api) / sizeof(void (*)(void)),
    "mm_syms out of step with struct mm_api");

static const char *const mm_names[] = { "libmaxminddb.so.0" };

static struct mm_api mm;
static struct dynlib mm_lib = DYNLIB_INIT(mm_names, mm_syms, &mm);

struct geo {
	MMDB_s		 city;
	MMDB_s		 asn;
	bool		 has_city;
	bool		 has_asn;
};

/* Appends one warning to warn, "; " between warnings. */
static void
warn_add(char *warn, size_t warnsz, const char *what, const char *path,
    int mmdb_rc, int saved_errno, const char *advice)
{
	size_t	 len;
	char	 why[160];

	if (warn == NULL || warnsz == 0)
		return;
	if (mmdb_rc == MMDB_FILE_OPEN_ERROR || mmdb_rc == MMDB_IO_ERROR)
		snprintf(why, sizeof(why), "cannot be read (%s)",
		    strerror(saved_errno));
	else
		snprintf(why, sizeof(why), "is not a usable MaxMind DB (%s)",
		    mm.strerror(mmdb_rc));
	len = strlen(warn);
	if (len + 1 >= warnsz)
		return;
	snprintf(warn + len, warnsz - len, "%sGeoIP %s database '%s' %s: %s",
	    len > 0 ? "; " : "", what, path, why, advice);
}

/* Opens path into db; false (and a warning) when it cannot be used. */
static bool
open_db(MMDB_s *db, const char *path, const char *what, const char *advice,
    char *warn, size_t warnsz)
{
	int	 rc;

	if (path == NULL)
		return false;
	errno = 0;
	rc = mm.open(path, MMDB_MODE_MMAP, db);
	if (rc != MMDB_SUCCESS) {
		/* MMDB_open released what it had; db must not be closed. */
		warn_add(warn, warnsz, what, path, rc, errno, advice);
		return false;
	}
	return true;
}

struct geo *
geo_open(const char *city_path, const char *asn_path, char *warn,
    size_t warnsz)
{
	struct geo	*g;

	if (warn != NULL && warnsz > 0)
		warn[0] = '\0';
	g = xcalloc(1, sizeof(*g));
	if (city_path == NULL && asn_path == NULL)
		return g;
	if (dynlib_load(&mm_lib) == -1) {
		if (warn != NULL && warnsz > 0)
			snprintf(warn, warnsz, "GeoIP needs libmaxminddb (%s): "
			    "install the libmaxminddb0 package; continuing "
			    "without GeoIP and ASN data", mm_lib.err);
		return g;
	}
	g->has_city = open_db(&g->city, city_path, "city",
	    "fix the path or install a current GeoLite2-City.mmdb "
	    "(or GeoLite2-Country.mmdb) from MaxMind; continuing without "
	    "country and city", warn, warnsz);
	g->has_asn = open_db(&g->asn, asn_path, "ASN",
	    "fix the path or install a current GeoLite2-ASN.mmdb from "
	    "MaxMind; continuing without ASN and AS organisation",
	    warn, warnsz);
	return g;
}

void
geo_close(struct geo *g)
{
	if (g == NULL)
		return;
	if (g->has_city)
		mm.close(&g->city);
	if (g->has_asn)
		mm.close(&g->asn);
	free(g);
}

bool
geo_is_active(const struct geo *g)
{
	return g != NULL && (g->has_city || g->has_asn);
}

/*
 * Copies a database string (not NUL-terminated) into dst: cut at a UTF-8
 * character boundary when too long, control characters replaced by '?'
 * so the value is safe in log lines, CSV cells and metric labels alike.
 */
static void
copy_str(char *dst, size_t dstsz, const MMDB_entry_data_s *d)
{
	size_t	 n, i;

	dst[0] = '\0';
	if (!d->has_data || d->type != MMDB_DATA_TYPE_UTF8_STRING)
		return;
	n = d->data_size;
	if (n >= dstsz) {
		n = dstsz - 1;
		/* Back off continuation bytes (10xxxxxx) and the lead byte
		 * of the character they belong to. */
		while (n > 0 && ((unsigned char)d->utf8_string[n] & 0xc0) ==
		    0x80)
			n--;
	}
	memcpy(dst, d->utf8_string, n);
	dst[n] = '\0';
	for (i = 0; i < n; i++)
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = '?';
}

/* The string at the NULL-terminated path below entry, into dst. */
static int
get_str(MMDB_entry_s *entry, char *dst, size_t dstsz, ...)
{
	MMDB_entry_data_s	 d;
	va_list			 ap;
	int			 rc;

	dst[0] = '\0';
	va_start(ap, dstsz);
	rc = mm.vget_value(entry, &d, ap);
	va_end(ap);
	if (rc == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
		return 0;	/* e.g. "names" is not a map: no value */
	if (rc != MMDB_SUCCESS)
		return -1;
	copy_str(dst, dstsz, &d);
	return 0;
}

static int
get_asn(MMDB_entry_s *entry, uint32_t *asn)
{
	MMDB_entry_data_s	 d;
	int			 rc;

	*asn = 0;
	rc = mm.get_value(entry, &d, "autonomous_system_number", NULL);
	if (rc == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
		return 0;
	if (rc != MMDB_SUCCESS)
		return -1;
	if (!d.has_data)
		return 0;
	switch (d.type) {
	case MMDB_DATA_TYPE_UINT16:
		*asn = d.uint16;
		break;
	case MMDB_DATA_TYPE_UINT32:
		*asn = d.uint32;
		break;
	case MMDB_DATA_TYPE_INT32:
		*asn = d.int32 > 0 ? (uint32_t)d.int32 : 0;
		break;
	case MMDB_DATA_TYPE_UINT64:
		*asn = d.uint64 <= UINT32_MAX ? (uint32_t)d.uint64 : 0;
		break;
	default:
		break;
	}
	return 0;
}

/*
 * Finds sa in db.  0 with *found false when the address is not there
 * (including an IPv6 address in an IPv4-only database), -1 when the
 * search tree is damaged.
 */
static int
find(const MMDB_s *db, const struct sockaddr *sa, MMDB_entry_s *entry,
    bool *found)
{
	MMDB_lookup_result_s	 r;
	int			 err = MMDB_SUCCESS;

	*found = false;
	r = mm.lookup_sockaddr(db, sa, &err);
	if (err == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
		return 0;
	if (err != MMDB_SUCCESS)
		return -1;
	if (!r.found_entry)
		return 0;
	*entry = r.entry;
	*found = true;
	return 0;
}

static int
lookup_city(const MMDB_s *db, const struct sockaddr *sa,
    struct geo_info *out)
{
	MMDB_entry_s	 e;
	bool		 found;
	int		 rc = 0;

	if (find(db, sa, &e, &found) == -1)
		return -1;
	if (!found)
		return 0;
	if (get_str(&e, out->country_iso, sizeof(out->country_iso),
	    "country", "iso_code", NULL) == -1)
		rc = -1;
	if (get_str(&e, out->country, sizeof(out->country),
	    "country", "names", "en", NULL) == -1)
		rc = -1;
	if (get_str(&e, out->city, sizeof(out->city),
	    "city", "names", "en", NULL) == -1)
		rc = -1;
	return rc;
}

static int
lookup_asn(const MMDB_s *db, const struct sockaddr *sa,
    struct geo_info *out)
{
	MMDB_entry_s	 e;
	bool		 found;
	int		 rc = 0;

	if (find(db, sa, &e, &found) == -1)
		return -1;
	if (!found)
		return 0;
	if (get_asn(&e, &out->asn) == -1)
		rc = -1;
	if (get_str(&e, out->as_org, sizeof(out->as_org),
	    "autonomous_system_organization", NULL) == -1)
		rc = -1;
	return rc;
}

int
geo_lookup(const struct geo *g, const char *ip, struct geo_info *out)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	int			 rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&ss, 0, sizeof(ss));
	if (ip == NULL)
		return -1;
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1)
		sin6->sin6_family = AF_INET6;
	else
		return -1;
	if (g == NULL)
		return 0;
	if (g->has_city &&
	    lookup_city(&g->city, (struct sockaddr *)&ss, out) == -1)
		rc = -1;
	if (g->has_asn &&
	    lookup_asn(&g->asn, (struct sockaddr *)&ss, out) == -1)
		rc = -1;
	return rc;
}
