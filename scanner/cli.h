/*
 * cli.h: the command line.  One option table drives getopt_long, --help and
 * validation.  Errors are one line on stderr that names the input.
 */
#ifndef CERTSWEEP_CLI_H
#define CERTSWEEP_CLI_H

#include "scanner/config.h"
#include "scanner/targets.h"

enum cli_rc {
	CLI_RUN,		/* cfg and targets are ready */
	CLI_EXIT_OK,		/* --help or --version was printed */
	CLI_EXIT_USAGE,		/* an error was printed */
};

/* Fills *cfg (defaults first) and adds the targets to tg. */
enum cli_rc	cli_parse(int argc, char **argv, struct config *cfg,
		    struct targets *tg);
/* Frees what cli_parse allocated in *cfg. */
void		cli_free(struct config *cfg);

#endif /* CERTSWEEP_CLI_H */
