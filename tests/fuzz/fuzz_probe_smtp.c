/* fuzz_probe_smtp.c: the "smtp" probe's input() alone (tests/fuzz/probe_fuzz.h). */
#define FUZZ_PROBE "smtp"
#include "tests/fuzz/probe_fuzz.h"
