/*
 * enum.c: protocol, cipher-suite and group enumeration (--enum).  Being
 * written (issue 4); until then an observation never carries results.
 */
#include <stdlib.h>

#include "scanner/record.h"

void
tls_enum_free(struct tls_enum *e)
{
	free(e);
}
