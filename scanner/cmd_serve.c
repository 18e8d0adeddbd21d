/* cmd_serve.c: certsweep serve (being written; see issue 7). */
#include "scanner/commands.h"
#include "scanner/log.h"

int
cmd_serve(const struct config *cfg, struct targets *tg)
{
	(void)cfg;
	(void)tg;
	log_error("serve: not available in this build yet");
	return EXIT_RUNTIME;
}
