/* cmd_db.c: certsweep db merge (being written; see issue 8). */
#include "scanner/commands.h"
#include "scanner/log.h"

int
cmd_db(const struct config *cfg)
{
	(void)cfg;
	log_error("db: not available in this build yet");
	return EXIT_RUNTIME;
}
