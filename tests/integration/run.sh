#!/usr/bin/env bash
# run.sh: the integration test runner (make integration).
#
#   CERTSWEEP=/abs/path/to/certsweep tests/integration/run.sh [NAME...]
#
# Runs every tests/integration/t_*.sh (or only the NAMEs given, e.g.
# "listeners" or "t_listeners") against real TLS servers on loopback, each
# as its own bash process with a work directory under one mktemp directory.
# Prints PASS/FAIL/SKIP per test (a failing test's log tail follows) and
# ends with the line "N passed, M failed"; exits 1 when any test failed.
#
# Environment: CS_KEEP=1 keeps the work directory; CS_TEST_TIMEOUT (default
# 150 s) bounds each test.  Every process a test starts is stopped by PID
# and every namespace it creates is deleted, by the test and again here.
set -eu
set -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CS_ROOT=$(cd "$HERE/../.." && pwd)
cd "$CS_ROOT"

: "${CERTSWEEP:=$CS_ROOT/build/certsweep}"
case $CERTSWEEP in
/*) ;;
*) CERTSWEEP=$CS_ROOT/$CERTSWEEP ;;
esac
if [[ ! -x $CERTSWEEP ]]; then
	echo "run.sh: CERTSWEEP=$CERTSWEEP is not an executable (run 'make' first)" >&2
	exit 2
fi

# shellcheck source=tests/integration/lib.sh
CS_LIB=$HERE/lib.sh
WORK=$(mktemp -d "${TMPDIR:-/tmp}/certsweep-it.XXXXXX")
CS_PKI=$WORK/pki
export CERTSWEEP CS_ROOT CS_PKI

cleanup_all() {
	local d
	for d in "$WORK"/t_*/; do
		[[ -d $d ]] && cleanup_dir "$d"
	done
	if [[ -z ${CS_KEEP:-} ]]; then
		rm -rf "$WORK"
	else
		echo "run.sh: work directory kept: $WORK"
	fi
}

# The test's own EXIT trap cleans up; this catches what a killed test left.
cleanup_dir() {
	CS_TEST_DIR=$1 bash -c 'source "$1"; cs_cleanup_dir "$CS_TEST_DIR"' _ "$CS_LIB" \
	    2>/dev/null || true
}
trap cleanup_all EXIT
trap 'exit 130' INT TERM

# room for hundreds of connections on both sides
hard=$(ulimit -Hn)
if [[ $hard == unlimited ]] || ((hard >= 20000)); then
	ulimit -n 20000
else
	ulimit -n "$hard"
fi

if ! "$CS_ROOT/samples/mkcerts.sh" "$CS_PKI" >"$WORK/mkcerts.log" 2>&1; then
	cat "$WORK/mkcerts.log" >&2
	echo "run.sh: samples/mkcerts.sh failed" >&2
	exit 2
fi

tests=()
if (($# > 0)); then
	for n in "$@"; do
		n=${n#t_}
		n=${n%.sh}
		[[ -f $HERE/t_$n.sh ]] || { echo "run.sh: no test t_$n.sh" >&2; exit 2; }
		tests+=("$HERE/t_$n.sh")
	done
else
	for t in "$HERE"/t_*.sh; do
		[[ -f $t ]] && tests+=("$t")
	done
fi

echo "certsweep integration: $CERTSWEEP (work $WORK)"
passed=0 failed=0 skipped=0
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	dir=$WORK/$name
	mkdir -p "$dir"
	t0=$(date +%s.%N)
	rc=0
	CS_TEST_DIR=$dir timeout -k 5 "${CS_TEST_TIMEOUT:-150}" bash "$t" >"$dir/log" 2>&1 </dev/null ||
	    rc=$?
	cleanup_dir "$dir"
	secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	case $rc in
	0)
		echo "PASS $name (${secs} s)"
		passed=$((passed + 1))
		;;
	77)
		echo "SKIP $name: $(grep '^SKIP: ' "$dir/log" | tail -1 | cut -c7-)"
		skipped=$((skipped + 1))
		;;
	*)
		[[ $rc == 124 ]] && echo "run.sh: $name killed after ${CS_TEST_TIMEOUT:-150} s" >>"$dir/log"
		echo "FAIL $name (exit $rc, ${secs} s); last lines of its log (CS_KEEP=1 keeps $dir):"
		tail -n 25 "$dir/log" | sed 's/^/    /'
		failed=$((failed + 1))
		;;
	esac
done

((skipped == 0)) || echo "$skipped skipped"
echo "$passed passed, $failed failed"
((failed == 0))
