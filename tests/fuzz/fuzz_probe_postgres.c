/* fuzz_probe_postgres.c: the "postgres" probe's input() alone (tests/fuzz/probe_fuzz.h). */
#define FUZZ_PROBE "postgres"
#include "tests/fuzz/probe_fuzz.h"
