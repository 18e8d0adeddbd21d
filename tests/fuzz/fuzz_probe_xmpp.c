/* fuzz_probe_xmpp.c: the "xmpp" probe's input() alone (tests/fuzz/probe_fuzz.h). */
#define FUZZ_PROBE "xmpp"
#include "tests/fuzz/probe_fuzz.h"
