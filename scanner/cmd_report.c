/* cmd_report.c: certsweep report and diff (being written; see issue 7). */
#include "scanner/commands.h"
#include "scanner/log.h"

int
cmd_report(const struct config *cfg)
{
	(void)cfg;
	log_error("report: not available in this build yet");
	return EXIT_RUNTIME;
}

int
cmd_diff(const struct config *cfg)
{
	(void)cfg;
	log_error("diff: not available in this build yet");
	return EXIT_RUNTIME;
}
