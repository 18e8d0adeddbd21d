/* status.c: names of scan statuses and severities, and the observation
 * destructor. */
#include "scanner/record.h"

#include <stdlib.h>
#include <string.h>

#include "scanner/cert.h"

static const char *const status_names[] = {
	[SCAN_OK] = "ok",
	[SCAN_REFUSED] = "refused",
	[SCAN_CONNECT_TIMEOUT] = "connect-timeout",
	[SCAN_IO_TIMEOUT] = "io-timeout",
	[SCAN_CLOSED] = "closed",
	[SCAN_PROTOCOL_ERROR] = "protocol-error",
	[SCAN_STARTTLS_REFUSED] = "starttls-refused",
	[SCAN_TLS_ERROR] = "tls-error",
	[SCAN_DNS_ERROR] = "dns-error",
	[SCAN_INTERNAL_ERROR] = "internal-error",
};
_Static_assert(sizeof(status_names) / sizeof(status_names[0]) == SCAN__MAX,
    "every scan_status has a name");

const char *
scan_status_name(enum scan_status s)
{
	if ((unsigned)s >= SCAN__MAX)
		return NULL;
	return status_names[s];
}

int
scan_status_from_name(const char *name)
{
	for (int i = 0; i < SCAN__MAX; i++)
		if (strcmp(status_names[i], name) == 0)
			return i;
	return -1;
}

static const char *const severity_names[] = {
	[SEV_INFO] = "info",
	[SEV_LOW] = "low",
	[SEV_MEDIUM] = "medium",
	[SEV_HIGH] = "high",
	[SEV_CRITICAL] = "critical",
};
_Static_assert(sizeof(severity_names) / sizeof(severity_names[0]) ==
    SEV__MAX, "every severity has a name");

const char *
severity_name(enum severity s)
{
	if ((unsigned)s >= SEV__MAX)
		return NULL;
	return severity_names[s];
}

int
severity_from_name(const char *name)
{
	for (int i = 0; i < SEV__MAX; i++)
		if (strcmp(severity_names[i], name) == 0)
			return i;
	return -1;
}

void
observation_clear(struct observation *o)
{
	for (size_t i = 0; i < o->chain_len; i++)
		cert_record_clear(&o->chain[i]);
	free(o->chain);
	o->chain = NULL;
	o->chain_len = 0;
	free(o->findings);
	o->findings = NULL;
	o->nfindings = 0;
	free(o->ocsp_staple);
	o->ocsp_staple = NULL;
	o->ocsp_staple_len = 0;
	tls_enum_free(o->tlsenum);
	o->tlsenum = NULL;
}
