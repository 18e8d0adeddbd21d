/* fuzz_probe_mysql.c: the "mysql" probe's input() alone (tests/fuzz/probe_fuzz.h). */
#define FUZZ_PROBE "mysql"
#include "tests/fuzz/probe_fuzz.h"
