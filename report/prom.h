/*
 * prom.h: the Prometheus text exposition format (version 0.0.4).
 *
 * A small writer (prom_family, prom_sample) that guarantees what a scraper
 * needs: HELP and TYPE once per family, every sample of a family right
 * after its header, one family per name, valid metric and label names,
 * label values and help text escaped (\\, \", \n) and valid UTF-8 (bytes
 * that are not become U+FFFD).  Order is the caller's: the rows come
 * sorted, so the same data gives the same bytes.
 *
 * On top of it, the two pages of certsweep serve: the inventory (/metrics)
 * and one live scan (/probe), from the plain rows of
 * scanner/metrics_rows.h.
 */
#ifndef CERTSWEEP_PROM_H
#define CERTSWEEP_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "scanner/metrics_rows.h"

#define PROM_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

enum prom_type {
	PROM_GAUGE,
	PROM_COUNTER,
	PROM__MAX
};

struct prom_label {
	const char	*name;
	const char	*value;		/* any bytes; escaped */
};

struct prom {
	FILE		*out;		/* borrowed */
	char		**names;	/* families written so far */
	size_t		 nnames, cap;
	bool		 open;		/* a family takes samples */
	bool		 failed;	/* misuse or a write error */
};

void	prom_init(struct prom *, FILE *out);
/*
 * Starts family name: writes its HELP and TYPE lines.  Returns -1 (and
 * the writer stays failed) for an invalid name or a name already written.
 */
int	prom_family(struct prom *, const char *name, enum prom_type,
	    const char *help);
/* One sample of the current family; labels may be NULL when n is 0.
 * Invalid label names fail the writer. */
void	prom_sample(struct prom *, const struct prom_label *labels,
	    size_t n, double value);
/* Frees the writer's memory.  Returns 0, or -1 when a call failed or
 * writing did (out is flushed). */
int	prom_finish(struct prom *);

/* Escapes a label value into a new string (for tests and callers). */
char	*prom_escape_label(const char *);
bool	prom_is_metric_name(const char *);
bool	prom_is_label_name(const char *);

/*
 * /metrics: the inventory (inv NULL when the database could not be read:
 * only the exporter's and the process's own families), the exporter's
 * counters and the process (NULL: left out).  Returns 0 or -1.
 */
int	prom_write_inventory(FILE *out, const struct metrics_inventory *inv,
	    const struct mrow_exporter *ex, const struct mrow_process *proc);
/* /probe: the blackbox-exporter names and the chain just received. */
int	prom_write_probe(FILE *out, const struct metrics_probe *);

#endif /* CERTSWEEP_PROM_H */
