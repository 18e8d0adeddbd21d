/*
 * procself.h: the exporter's own process metrics from /proc/self (Linux),
 * as the Prometheus client libraries publish them (process_*).
 */
#ifndef CERTSWEEP_PROCSELF_H
#define CERTSWEEP_PROCSELF_H

#include "scanner/metrics_rows.h"

/* Fills *pr; a field that cannot be read is -1.  Never fails. */
void	procself_read(struct mrow_process *pr);

#endif /* CERTSWEEP_PROCSELF_H */
