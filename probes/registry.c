/*
 * registry.c: the static table of probes.  Add a probe here and nowhere
 * else.  "tls" is implicit TLS and the fallback for every port.
 */
#include "probes/probe.h"

#include <string.h>

static const struct probe probe_tls = {
	.name = "tls",
	.port = 443,
	.flags = PROBE_IMPLICIT_TLS,
};

static const struct probe *const probes[] = {
	&probe_tls,
	NULL,
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
		if (probes[i]->port == port &&
		    !(probes[i]->flags & PROBE_IMPLICIT_TLS))
			return probes[i];
	return &probe_tls;
}
