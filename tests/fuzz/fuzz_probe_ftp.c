/* fuzz_probe_ftp.c: the "ftp" probe's input() alone (tests/fuzz/probe_fuzz.h). */
#define FUZZ_PROBE "ftp"
#include "tests/fuzz/probe_fuzz.h"
