# shellcheck shell=bash
# lib.sh: helpers the integration tests source (bash): process and network
# namespace bookkeeping, nginx on loopback, certsweep runs, assertions.
#
# A test is tests/integration/t_NAME.sh, run by run.sh as "bash t_NAME.sh"
# with these variables set (a test also runs alone: missing ones get
# defaults, see below):
#   CERTSWEEP     absolute path of the binary under test
#   CS_ROOT       repository root
#   CS_PKI        the fixture PKI (samples/mkcerts.sh)
#   CS_TEST_DIR   this test's work directory
# Exit status: 0 pass, 77 skip (last line "SKIP: reason"), anything else fail.
#
# Every background process goes through cs_bg, which records its PID (and
# start time, so a recycled PID is never killed) in $CS_TEST_DIR/pids; every
# namespace goes through cs_ns_setup, which records it in
# $CS_TEST_DIR/netns.  cs_cleanup (an EXIT trap here, and run.sh again
# after the test) stops those processes by PID and deletes those namespaces.

set -eu
set -o pipefail

CS_ROOT=${CS_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CERTSWEEP=${CERTSWEEP:-$CS_ROOT/build/certsweep}
if [[ -z ${CS_TEST_DIR:-} ]]; then
	CS_TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/certsweep-test.XXXXXX")
	CS_OWN_DIR=1
fi
CS_PKI=${CS_PKI:-$CS_TEST_DIR/pki}
CS_PY=python3
[[ -x /usr/bin/python3 ]] && CS_PY=/usr/bin/python3
CS_CHECK=$CS_ROOT/tests/integration/lib/check.py
CS_NS=""
CS_PORT=""
unset CERTSWEEP_DB
export CS_ROOT CERTSWEEP CS_TEST_DIR CS_PKI

# ---------------------------------------------------------------- results
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
note() { echo "# $*"; }

# ---------------------------------------------------------------- processes
# start_time PID: field 22 of /proc/PID/stat (clock ticks since boot)
cs_start_time() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	# shellcheck disable=SC2086 # split the stat fields
	set -- $s
	echo "${20}"
}

# cs_bg CMD...: run CMD (a program, not a function: its PID must be the
# program's) in the background, record it; PID in CS_LAST_PID
cs_bg() {
	"$@" &
	CS_LAST_PID=$!
	echo "$CS_LAST_PID $(cs_start_time "$CS_LAST_PID" || echo 0)" >>"$CS_TEST_DIR/pids"
}

# cs_bg_ns CMD...: cs_bg inside the test namespace (ip netns exec execs CMD,
# so the recorded PID is CMD's own)
cs_bg_ns() {
	if [[ -n $CS_NS ]]; then cs_bg ip netns exec "$CS_NS" "$@"; else cs_bg "$@"; fi
}

# cs_alive PID START: the process recorded as PID/START still exists
cs_alive() {
	local st
	st=$(cs_start_time "$1") || return 1
	[[ $2 == 0 || $st == "$2" ]]
}

# cs_stop PID START: TERM, wait up to 5 s, then KILL it and its children
cs_stop() {
	local pid=$1 st=$2 kids i
	cs_alive "$pid" "$st" || return 0
	kids=$(pgrep -P "$pid" 2>/dev/null | tr '\n' ' ' || true)
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		cs_alive "$pid" "$st" || break
		sleep 0.1
	done
	if cs_alive "$pid" "$st"; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	for i in $kids; do
		[[ -d /proc/$i ]] && kill -KILL "$i" 2>/dev/null
	done
	return 0
}

# cs_cleanup_dir DIR: stop every process and delete every namespace DIR records
cs_cleanup_dir() {
	local dir=$1 pid st ns
	if [[ -s $dir/pids ]]; then
		while read -r pid st; do
			cs_stop "$pid" "$st"
		done <"$dir/pids"
		: >"$dir/pids"
	fi
	if [[ -s $dir/netns ]]; then
		while read -r ns; do
			ip netns del "$ns" 2>/dev/null || true
		done <"$dir/netns"
		: >"$dir/netns"
	fi
}

cs_cleanup() {
	cs_cleanup_dir "$CS_TEST_DIR"
	if [[ -n ${CS_OWN_DIR:-} && -z ${CS_KEEP:-} ]]; then
		rm -rf "$CS_TEST_DIR"
	fi
}
trap cs_cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- namespaces
cs_can_netns() {
	[[ $(id -u) == 0 ]] && command -v ip >/dev/null
}

# cs_ns_setup need|any: a private network namespace for this test, when
# root.  With "any", tests without one use the host's loopback and a
# pseudo-random port; with "need", they are skipped.  Sets CS_NS, CS_PORT.
cs_ns_setup() {
	local ns="cs-test-$$"
	if cs_can_netns && ip netns add "$ns" 2>"$CS_TEST_DIR/netns.err"; then
		echo "$ns" >>"$CS_TEST_DIR/netns"
		ip netns exec "$ns" ip link set lo up
		ip netns exec "$ns" sysctl -q -w net.core.somaxconn=4096 >/dev/null 2>&1 || true
		CS_NS=$ns
		CS_PORT=8443
		return 0
	fi
	if [[ $1 == need ]]; then
		skip "network namespace unavailable (need root and 'ip netns')$(sed 's/^/: /' "$CS_TEST_DIR/netns.err" 2>/dev/null | head -1)"
	fi
	CS_NS=""
	CS_PORT=$((20000 + (RANDOM % 20000)))
	note "no network namespace: host loopback, port $CS_PORT"
}

# cs_in_ns CMD...: run CMD inside the test namespace (if any)
cs_in_ns() {
	if [[ -n $CS_NS ]]; then ip netns exec "$CS_NS" "$@"; else "$@"; fi
}

# cs_wait_tcp HOST PORT [TRIES]: poll until HOST:PORT accepts (0.1 s per try)
cs_wait_tcp() {
	local i tries=${3:-100}
	for ((i = 0; i < tries; i++)); do
		# shellcheck disable=SC2016 # expanded by the inner bash
		if cs_in_ns timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# ---------------------------------------------------------------- certificates
cs_pki() {
	if [[ ! -s $CS_PKI/root.pem ]]; then
		"$CS_ROOT/samples/mkcerts.sh" "$CS_PKI" >/dev/null
	fi
}

# cs_fp PEM: SHA-256 of the (first) certificate's DER, lower-case hex
cs_fp() {
	openssl x509 -noout -fingerprint -sha256 -in "$1" | sed 's/^.*=//; s/://g' |
	    tr 'A-F' 'a-f'
}

# ---------------------------------------------------------------- nginx
# cs_nginx_start DIR HOST PORT: DIR/servers.conf holds the server blocks;
# writes DIR/nginx.conf around it, starts one nginx (daemon off, in the
# test namespace) and waits until HOST:PORT accepts.
cs_nginx_start() {
	local dir=$1 host=$2 port=$3 m v
	command -v nginx >/dev/null || fail "nginx is missing (scripts/deps.sh installs it)"
	mkdir -p "$dir/tmp" "$dir/logs"
	v=$(nginx -V 2>&1)
	{
		echo "# generated by tests/integration/lib.sh"
		echo "worker_processes 2;"
		echo "worker_rlimit_nofile 16384;"
		echo "pid $dir/nginx.pid;"
		echo "error_log $dir/logs/error.log warn;"
		echo "events { worker_connections 8192; }"
		echo "http {"
		echo "  access_log off;"
		echo "  client_body_temp_path $dir/tmp/body;"
		for m in proxy fastcgi uwsgi scgi; do
			[[ $v == *"--without-http_${m}_module"* ]] ||
			    echo "  ${m}_temp_path $dir/tmp/$m;"
		done
		echo "  ssl_protocols TLSv1.2 TLSv1.3;"
		echo "  ssl_session_cache off;"
		echo "  ssl_session_tickets off;"
		echo "  default_type text/plain;"
		cat "$dir/servers.conf"
		echo "}"
	} >"$dir/nginx.conf"
	cs_bg_ns nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' \
	    2>>"$dir/logs/stderr.log"
	if ! cs_wait_tcp "$host" "$port" 100; then
		cat "$dir/logs/stderr.log" "$dir/logs/error.log" 2>/dev/null | tail -20 >&2
		fail "nginx did not come up on $host:$port"
	fi
}

# ---------------------------------------------------------------- certsweep
# cs_scan NAME ARGS...: run certsweep (in the namespace, bounded to 120 s);
# stdout in $CS_TEST_DIR/NAME.out, stderr in NAME.err, exit code in CS_RC
cs_scan() {
	local name=$1
	shift
	CS_RC=0
	cs_in_ns timeout -k 5 120 "$CERTSWEEP" "$@" >"$CS_TEST_DIR/$name.out" \
	    2>"$CS_TEST_DIR/$name.err" || CS_RC=$?
	if [[ $CS_RC == 124 || $CS_RC == 137 ]]; then
		fail "certsweep $* did not finish within 120 s"
	fi
	return 0
}

# cs_check ARGS...: the Python checker (lib/check.py), see its docstring
cs_check() {
	"$CS_PY" "$CS_CHECK" "$@"
}

[[ -x $CERTSWEEP ]] || fail "CERTSWEEP=$CERTSWEEP is not an executable"
cs_pki
