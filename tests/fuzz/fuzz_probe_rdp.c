/* fuzz_probe_rdp.c: the "rdp" probe's input() alone (tests/fuzz/probe_fuzz.h). */
#define FUZZ_PROBE "rdp"
#include "tests/fuzz/probe_fuzz.h"
