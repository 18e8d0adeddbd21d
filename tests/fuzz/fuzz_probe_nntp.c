/* fuzz_probe_nntp.c: the "nntp" probe's input() alone (tests/fuzz/probe_fuzz.h). */
#define FUZZ_PROBE "nntp"
#include "tests/fuzz/probe_fuzz.h"
