/* fuzz_probe_imap.c: the "imap" probe's input() alone (tests/fuzz/probe_fuzz.h). */
#define FUZZ_PROBE "imap"
#include "tests/fuzz/probe_fuzz.h"
