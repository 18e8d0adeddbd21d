#!/bin/sh
# lint.sh: project rules no compiler checks.
#  - layer rule: probes/, report/ and db/ include only scanner/ base headers
#    (record, log, buf, xmem, cert, metrics_rows, inventory, tlsenum),
#    never each other;
#  - banned functions;
#  - every long option of the CLI table is documented in doc/certsweep.1.
set -eu
cd "$(dirname "$0")/.."
fail=0

for dir in probes report db; do
	bad=$(grep -Hn '#include "' $dir/*.c $dir/*.h 2>/dev/null |
	    grep -v "#include \"$dir/" |
	    grep -vE '#include "scanner/(record|log|buf|xmem|cert|metrics_rows|inventory|tlsenum)\.h"' |
	    grep -v '#include "schema.h"' || true)
	if [ -n "$bad" ]; then
		echo "lint: layer rule broken (only scanner base headers):"
		echo "$bad"
		fail=1
	fi
done

bad=$(grep -HnE '\b(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol)\(' \
    scanner/*.c probes/*.c report/*.c db/*.c 2>/dev/null || true)
if [ -n "$bad" ]; then
	echo "lint: banned function:"; echo "$bad"; fail=1
fi
bad=$(grep -HnE '\b(malloc|calloc|realloc)\(' scanner/*.c probes/*.c \
    report/*.c db/*.c 2>/dev/null | grep -v '^scanner/xmem.c' || true)
if [ -n "$bad" ]; then
	echo "lint: raw allocation outside xmem.c:"; echo "$bad"; fail=1
fi

for opt in $(sed -n 's/^	{ "\([a-z0-9-]*\)", OPT_.*/\1/p' scanner/cli.c); do
	if ! grep -q -- "$opt" doc/certsweep.1; then
		echo "lint: option --$opt is not documented in doc/certsweep.1"
		fail=1
	fi
done
[ $fail = 0 ] && echo "lint: ok"
exit $fail
