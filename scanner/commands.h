/*
 * commands.h: the subcommands other than scan and inspect, one file each
 * (scanner/cmd_*.c).  Each takes the validated configuration and returns
 * the process exit code (config.h).
 */
#ifndef CERTSWEEP_COMMANDS_H
#define CERTSWEEP_COMMANDS_H

#include "scanner/config.h"
#include "scanner/targets.h"

int	cmd_sniff(const struct config *);		/* cmd_sniff.c */
int	cmd_report(const struct config *);		/* cmd_report.c */
int	cmd_diff(const struct config *);		/* cmd_report.c */
int	cmd_serve(const struct config *, struct targets *);	/* cmd_serve.c */
int	cmd_db(const struct config *);			/* cmd_db.c */

#endif /* CERTSWEEP_COMMANDS_H */
