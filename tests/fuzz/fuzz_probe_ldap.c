/* fuzz_probe_ldap.c: the "ldap" probe's input() alone (tests/fuzz/probe_fuzz.h). */
#define FUZZ_PROBE "ldap"
#include "tests/fuzz/probe_fuzz.h"
