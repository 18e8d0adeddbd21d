/*
 * registry.c: the static table of probes.  Add a probe here and nowhere
 * else: its definition in its own file, its declaration and table entry
 * below.  "tls" is implicit TLS and the fallback for every port; the
 * implicit-TLS names below are "tls" under the name of their service, so
 * observations say "imaps" rather than "tls" for port 993.
 */
#include "probes/probe.h"

#include <string.h>

/* STARTTLS dialogues, one file each in probes/. */
extern const struct probe probe_smtp;
extern const struct probe probe_imap;
extern const struct probe probe_pop3;
extern const struct probe probe_ftp;
extern const struct probe probe_nntp;
extern const struct probe probe_sieve;
extern const struct probe probe_irc;
extern const struct probe probe_xmpp;
extern const struct probe probe_xmpp_server;
extern const struct probe probe_ldap;
extern const struct probe probe_postgres;
extern const struct probe probe_mysql;
extern const struct probe probe_rdp;

#define IMPLICIT(var, nm, p)						\
	static const struct probe var = {				\
		.name = nm,						\
		.port = p,						\
		.flags = PROBE_IMPLICIT_TLS,				\
	}

IMPLICIT(probe_tls, "tls", 443);
IMPLICIT(probe_smtps, "smtps", 465);		/* RFC 8314 submissions */
IMPLICIT(probe_nntps, "nntps", 563);
IMPLICIT(probe_ldaps, "ldaps", 636);
IMPLICIT(probe_ftps, "ftps", 990);
IMPLICIT(probe_imaps, "imaps", 993);
IMPLICIT(probe_pop3s, "pop3s", 995);
IMPLICIT(probe_ircs, "ircs", 6697);		/* RFC 7194 */

static const struct probe *const probes[] = {
	&probe_tls,
	&probe_smtp,
	&probe_imap,
	&probe_pop3,
	&probe_ftp,
	&probe_nntp,
	&probe_sieve,
	&probe_irc,
	&probe_xmpp,
	&probe_xmpp_server,
	&probe_ldap,
	&probe_postgres,
	&probe_mysql,
	&probe_rdp,
	&probe_smtps,
	&probe_nntps,
	&probe_ldaps,
	&probe_ftps,
	&probe_imaps,
	&probe_pop3s,
	&probe_ircs,
	NULL,
};

/* Well-known ports beyond each probe's own. */
static const struct {
	uint16_t	 port;
	const struct probe *probe;
} aliases[] = {
	{ 587, &probe_smtp },		/* submission */
	{ 3268, &probe_ldap },		/* Active Directory global catalog */
};

const struct probe *const *
probe_list(void)
{
	return probes;
}

const struct probe *
probe_find(const char *name)
{
	for (size_t i = 0; probes[i] != NULL; i++)
		if (strcmp(probes[i]->name, name) == 0)
			return probes[i];
	return NULL;
}

const struct probe *
probe_for_port(uint16_t port)
{
	for (size_t i = 0; probes[i] != NULL; i++)
		if (probes[i]->port == port)
			return probes[i];
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (aliases[i].port == port)
			return aliases[i].probe;
	return &probe_tls;
}
