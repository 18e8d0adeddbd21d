/* cmd_sniff.c: certsweep sniff (being written; see issue 6). */
#include "scanner/commands.h"
#include "scanner/log.h"

int
cmd_sniff(const struct config *cfg)
{
	(void)cfg;
	log_error("sniff: not available in this build yet");
	return EXIT_RUNTIME;
}
