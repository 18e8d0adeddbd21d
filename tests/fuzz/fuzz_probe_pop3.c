/* fuzz_probe_pop3.c: the "pop3" probe's input() alone (tests/fuzz/probe_fuzz.h). */
#define FUZZ_PROBE "pop3"
#include "tests/fuzz/probe_fuzz.h"
