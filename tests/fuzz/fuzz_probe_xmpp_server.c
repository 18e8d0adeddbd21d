/* fuzz_probe_xmpp_server.c: the "xmpp-server" probe's input() alone (tests/fuzz/probe_fuzz.h). */
#define FUZZ_PROBE "xmpp-server"
#include "tests/fuzz/probe_fuzz.h"
