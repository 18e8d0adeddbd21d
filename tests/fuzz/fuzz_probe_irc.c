/* fuzz_probe_irc.c: the "irc" probe's input() alone (tests/fuzz/probe_fuzz.h). */
#define FUZZ_PROBE "irc"
#include "tests/fuzz/probe_fuzz.h"
