/*
 * report_internal.h: the writers report/registry.c knows.  Each writer
 * file defines one of these; nothing outside report/ sees them.
 */
#ifndef CERTSWEEP_REPORT_INTERNAL_H
#define CERTSWEEP_REPORT_INTERNAL_H

#include "report/report.h"

extern const struct report_ops report_jsonl_ops;

#endif /* CERTSWEEP_REPORT_INTERNAL_H */
