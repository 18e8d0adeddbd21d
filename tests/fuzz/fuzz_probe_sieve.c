/* fuzz_probe_sieve.c: the "sieve" probe's input() alone (tests/fuzz/probe_fuzz.h). */
#define FUZZ_PROBE "sieve"
#include "tests/fuzz/probe_fuzz.h"
