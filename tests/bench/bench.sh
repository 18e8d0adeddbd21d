#!/usr/bin/env bash
# bench.sh: how fast certsweep fetches certificates (make bench).
#
#   tests/bench/bench.sh /abs/path/to/certsweep
#
# Builds a loopback lab: one nginx with BENCH_N (default 1024) TLS servers on
# 127.1.(i/256).(i%256):8443, each with its own ECDSA P-256 leaf from one CA,
# plus 16 silent hosts 127.3.0.0/28 whose SYNs an nft rule drops.  As root the
# lab lives in a network namespace this script creates (its own loopback, no
# route out); otherwise on the host's loopback, without silent hosts.
# Then, with GNU time:
#   - BENCH_RUNS (3) scans of the N targets: endpoints/s, wall s, client CPU
#     s (user+sys), CPU ms per endpoint, peak RSS MB, certificates found / N;
#   - one scan at --concurrency 1000: peak RSS;
#   - one scan of the silent /28 at --timeout 2: wall s;
#   - BENCH_SCALE=1: 65,536 endpoints, a silent /16 at --rate 5000, peak
#     RSS at 10,000 in flight and the open-files cap (scale_runs below;
#     a few minutes, so not by default).
#   - store_bench (beside BIN, make bench builds it): CPU per observation
#     in the SQLite inventory, fresh and second sweep (STORE_BENCH_ARGS);
#   - sniff_bench.sh: `certsweep sniff -r` on a large capture made from the
#     lab's TLS 1.2 handshakes, beside tshark (SNIFF_MB, default 512);
#   - bench_enum.sh: --enum per endpoint beside sslscan and testssl.sh.
# Figures are printed, and appended to tests/bench/.work/results.txt; nothing
# is asserted.  Certificates are kept in tests/bench/.work/pki between runs.
# nginx is stopped by its PID and the namespace deleted on exit.
set -eu
set -o pipefail

die() { echo "bench.sh: $*" >&2; exit 1; }
log() { echo "bench.sh: $*" >&2; }

[ $# -eq 1 ] || die "usage: tests/bench/bench.sh /path/to/certsweep"
BIN=$1
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
[ -x "$BIN" ] || die "$BIN is not an executable (run 'make' first)"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$HERE/.work
PKI=$WORK/pki
N=${BENCH_N:-1024}
RUNS=${BENCH_RUNS:-3}
PORT=${BENCH_PORT:-8443}
SCALE_PORT=$((PORT + 1000))
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
((N >= 1 && N <= 65535)) || die "BENCH_N=$N: 1 .. 65535"
for c in nginx openssl "$PY" /usr/bin/time; do
	command -v "$c" >/dev/null || die "$c is missing (scripts/deps.sh installs it)"
done

NS=""
NGX=$WORK/nginx
NGX_PID=""
RUN=$WORK/run.$$

addr_of() { echo "127.1.$(($1 / 256)).$(($1 % 256))"; }

in_ns() {
	if [ -n "$NS" ]; then ip netns exec "$NS" "$@"; else "$@"; fi
}

cleanup() {
	local i kids
	if [ -n "$NGX_PID" ] && [ -d "/proc/$NGX_PID" ]; then
		kids=$(pgrep -P "$NGX_PID" | tr '\n' ' ' || true)
		kill -TERM "$NGX_PID" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			[ -d "/proc/$NGX_PID" ] || break
			sleep 0.1
		done
		[ -d "/proc/$NGX_PID" ] && kill -KILL "$NGX_PID" 2>/dev/null
		for i in $kids; do
			[ -d "/proc/$i" ] && kill -KILL "$i" 2>/dev/null
		done
		wait "$NGX_PID" 2>/dev/null || true
	fi
	if [ -n "$NS" ]; then
		ip netns del "$NS" 2>/dev/null || log "could not delete namespace $NS"
	fi
	rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- certificates
gen_pki() {
	if [ -s "$PKI/stamp" ] && [ "$(cat "$PKI/stamp")" = "N=$N" ]; then
		log "reusing $N certificates in ${PKI#"$ROOT"/}"
		return
	fi
	rm -rf "$PKI"
	mkdir -p "$PKI/leaf"
	"$ROOT/samples/mkcerts.sh" "$PKI/ca" >/dev/null
	log "generating $N ECDSA P-256 leaf certificates"
	export PKI
	export -f addr_of gen_leaves
	seq 1 "$N" | xargs -P "$(nproc)" -n 64 bash -c 'gen_leaves "$@"' _ ||
	    die "leaf generation failed"
	for ((i = 1; i <= N; i++)); do
		[ -s "$PKI/leaf/$i.pem" ] || die "leaf $i missing"
	done
	echo "N=$N" >"$PKI/stamp"
}

gen_leaves() {
	local i a
	for i; do
		a=$(addr_of "$i")
		openssl req -x509 -config "$PKI/ca/openssl.cnf" -extensions leaf_ext \
		    -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		    -keyout "$PKI/leaf/$i.key" -out "$PKI/leaf/$i.pem" -days 397 \
		    -subj "/CN=b$i.bench.test" -addext "subjectAltName=DNS:b$i.bench.test,IP:$a" \
		    -CA "$PKI/ca/root.pem" -CAkey "$PKI/ca/root.key" 2>/dev/null || return 255
	done
}

# expected.tsv: ip port sha256 (computed from the PEM files)
write_expected() {
	"$PY" - "$PKI/leaf" "$N" "$PORT" >"$RUN/expected.tsv" <<'PY'
import base64, hashlib, sys
d, n, port = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for i in range(1, n + 1):
    pem = open(f"{d}/{i}.pem").read()
    b64 = pem.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
    sha = hashlib.sha256(base64.b64decode("".join(b64.split()))).hexdigest()
    print(f"127.1.{i // 256}.{i % 256}\t{port}\t{sha}")
PY
	cut -f1,2 "$RUN/expected.tsv" | tr '\t' ':' >"$RUN/targets.txt"
}

# ---------------------------------------------------------------- lab
ns_up() {
	if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
		log "not root: lab on the host loopback, no silent hosts"
		return
	fi
	NS=cs-bench-$$
	ip netns add "$NS" || { NS=""; log "no network namespace: host loopback"; return; }
	ip netns exec "$NS" ip link set lo up
	ip netns exec "$NS" sysctl -q -w net.core.somaxconn=65535 \
	    net.ipv4.tcp_max_syn_backlog=65535 net.ipv4.ip_local_port_range="1024 65535" \
	    net.ipv4.tcp_tw_reuse=1 >/dev/null || log "namespace sysctls not set"
	if command -v nft >/dev/null; then
		ip netns exec "$NS" nft -f - <<EOF || log "nft rule failed: no silent hosts"
table inet certsweep_bench {
	chain input {
		type filter hook input priority 0; policy accept;
		ip daddr { 127.3.0.0/24, 127.4.0.0/16 } tcp flags & (syn | ack) == syn drop
	}
}
EOF
	fi
}

write_nginx_conf() {
	local nofile m v i
	mkdir -p "$NGX/tmp" "$NGX/logs"
	nofile=$(ulimit -Hn)
	[ "$nofile" = unlimited ] && nofile=1048576
	((nofile > 1048576)) && nofile=1048576
	v=$(nginx -V 2>&1)
	{
		echo "# generated by tests/bench/bench.sh: one TLS server per target"
		echo "worker_processes auto;"
		echo "worker_rlimit_nofile $nofile;"
		echo "pid $NGX/nginx.pid;"
		echo "error_log $NGX/logs/error.log warn;"
		echo "events { worker_connections $((nofile > 65536 ? 65536 : nofile - 64)); multi_accept on; }"
		echo "http {"
		echo "  access_log off;"
		echo "  client_body_temp_path $NGX/tmp/body;"
		for m in proxy fastcgi uwsgi scgi; do
			[[ $v == *"--without-http_${m}_module"* ]] || echo "  ${m}_temp_path $NGX/tmp/$m;"
		done
		echo "  keepalive_timeout 5s;"
		echo "  ssl_protocols TLSv1.2 TLSv1.3;"
		echo "  ssl_session_cache off;"
		echo "  ssl_session_tickets off;"
		echo "  default_type text/plain;"
		if [ -n "${BENCH_SCALE:-}" ]; then
			# scale lab: one server on every address of the namespace
			printf '  server { listen %s ssl backlog=65535 reuseport; ssl_certificate %s; ssl_certificate_key %s; return 200 "any\\n"; }\n' \
			    "$SCALE_PORT" "$PKI/leaf/1.pem" "$PKI/leaf/1.key"
		fi
		for ((i = 1; i <= N; i++)); do
			printf '  server { listen %s:%s ssl reuseport backlog=4096; ssl_certificate %s; ssl_certificate_key %s; return 200 "b%d\\n"; }\n' \
			    "$(addr_of "$i")" "$PORT" "$PKI/leaf/$i.pem" "$PKI/leaf/$i.key" "$i"
		done
		echo "}"
	} >"$NGX/nginx.conf"
}

accepts() { # HOST: HOST:PORT accepts a TCP connection (in the lab)
	# shellcheck disable=SC2016 # expanded by the inner bash
	in_ns timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$PORT" 2>/dev/null
}

nginx_up() {
	local i last
	last=$(addr_of "$N")
	if [ -z "$NS" ] && accepts 127.1.0.1; then
		die "127.1.0.1:$PORT is already in use on the host; stop that lab or set BENCH_PORT"
	fi
	write_nginx_conf
	# started directly (not through a function), so that $! is nginx's own
	# PID: ip netns exec and bash both exec into it
	# shellcheck disable=SC2016 # expanded by the inner bash
	local start=(bash -c 'ulimit -n "$(ulimit -Hn)"; exec nginx -p "$1" -c "$1/nginx.conf" -g "daemon off;"' _ "$NGX")
	if [ -n "$NS" ]; then
		ip netns exec "$NS" "${start[@]}" 2>>"$NGX/logs/stderr.log" &
	else
		"${start[@]}" 2>>"$NGX/logs/stderr.log" &
	fi
	NGX_PID=$!
	for ((i = 0; i < 150; i++)); do
		accepts "$last" && break
		[ -d "/proc/$NGX_PID" ] || break
		sleep 0.1
	done
	accepts "$last" || die "nginx did not come up: $(tail -5 "$NGX/logs/error.log" "$NGX/logs/stderr.log" 2>/dev/null)"
	# one real handshake, first and last target, against the CA
	for i in 1 "$N"; do
		in_ns timeout 5 openssl s_client -connect "$(addr_of "$i"):$PORT" -CAfile "$PKI/ca/root.pem" \
		    -verify_return_error </dev/null >"$RUN/s_client.$i" 2>&1 ||
		    die "handshake with $(addr_of "$i"):$PORT failed: $(tail -3 "$RUN/s_client.$i")"
	done
	log "lab up: nginx pid $NGX_PID (workers $(pgrep -P "$NGX_PID" | tr '\n' ' ')), $N servers${NS:+ in namespace $NS}"
}

# server CPU seconds so far: nginx master + workers (utime + stime)
server_cpu() {
	local p t=0 s
	for p in "$NGX_PID" $(pgrep -P "$NGX_PID"); do
		s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		s=${s##*) }
		# shellcheck disable=SC2086 # split the stat fields
		set -- $s
		t=$((t + ${12} + ${13}))
	done
	awk -v t="$t" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}

# ---------------------------------------------------------------- runs
# measure NAME ARGS...: certsweep ARGS under GNU time in the lab; writes
# NAME.out/.err/.time; prints "wall cpu rss_mb rc"
measure() {
	local name=$1 rc=0
	shift
	rm -f "$RUN/$name.db"
	in_ns /usr/bin/time -v -o "$RUN/$name.time" timeout -k 5 600 "$BIN" "$@" --db "$RUN/$name.db" \
	    >"$RUN/$name.out" 2>"$RUN/$name.err" || rc=$?
	awk -v rc="$rc" '
		/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); w = 0
			for (i = 1; i <= n; i++) w = w * 60 + p[i] }
		/User time \(seconds\)/ { u = $NF }
		/System time \(seconds\)/ { s = $NF }
		/Maximum resident set size/ { r = $NF }
		END { printf "%.2f %.2f %.1f %d\n", w, u + s, r / 1024, rc }' "$RUN/$name.time"
}

# found NAME: how many expected leaves NAME.out reports with status ok
found() {
	"$PY" - "$RUN/$1.out" "$RUN/expected.tsv" <<'PY'
import json, sys
want = {}
for line in open(sys.argv[2]):
    ip, port, sha = line.split()
    want[(ip, int(port))] = sha
n = 0
for line in open(sys.argv[1]):
    try:
        o = json.loads(line)
    except ValueError:
        continue
    chain = o.get("chain") or [{}]
    if o.get("status") == "ok" and want.get((o.get("ip"), o.get("port"))) == chain[0].get("sha256"):
        n += 1
print(n)
PY
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ---------------------------------------------------------------- scale
# BENCH_SCALE=1 (a few minutes; needs the namespace and nft):
#   - 65,536 endpoints: 127.1.0.0/16 on SCALE_PORT (PORT + 1000), where one
#     wildcard nginx server answers every address of the namespace;
#   - a silent /16 (127.4.0.0/16, SYNs dropped) at --rate 5000 with
#     --concurrency 10000 --timeout 1: achieved rate (endpoints / (wall -
#     timeout)) against 5000, wall against 65536/5000 + timeout;
#   - peak RSS with 10,000 in flight: a silent /18 at --concurrency 10000
#     --timeout 5 (the first 10,000 wait together);
#   - --concurrency 30000 under the hard open-files limit: what certsweep
#     says and uses.
# Figures only; nothing is asserted.
status_counts() {
	"$PY" -c 'import collections, json, sys
c = collections.Counter(json.loads(l).get("status") for l in open(sys.argv[1]) if l.strip())
print(", ".join(f"{n} {s}" for s, n in sorted(c.items())) or "no output")' "$1"
}

scale_runs() {
	local wall cpu rss rc st
	if [ -z "$NS" ] || ! ip netns exec "$NS" nft list table inet certsweep_bench >/dev/null 2>&1; then
		echo "scale: skipped (needs root, a network namespace and nft)" | tee -a "$RUN/table"
		return
	fi
	# shellcheck disable=SC2016 # expanded by the inner bash
	if ! in_ns timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ 127.1.255.254 "$SCALE_PORT" 2>/dev/null; then
		echo "scale: the wildcard server on port $SCALE_PORT is not up" | tee -a "$RUN/table"
		return
	fi
	echo | tee -a "$RUN/table"
	read -r wall cpu rss rc < <(measure scale16 scan 127.1.0.0/16 -p "$SCALE_PORT" --json -q)
	st=$(status_counts "$RUN/scale16.out")
	echo "65,536 TLS endpoints (127.1.0.0/16, one wildcard nginx): wall $wall s" \
	    "($(awk -v w="$wall" 'BEGIN { printf "%.0f", (w > 0 ? 65536 / w : 0) }')/s), client CPU $cpu s," \
	    "peak RSS $rss MB, exit $rc; $st" | tee -a "$RUN/table"
	read -r wall cpu rss rc < <(measure rate5000 scan 127.4.0.0/16 -p "$PORT" --rate 5000 \
	    --concurrency 10000 --timeout 1 --json -q)
	st=$(status_counts "$RUN/rate5000.out")
	echo "silent /16 at --rate 5000 --timeout 1: wall $wall s (rate-bound: 14.1 s)," \
	    "achieved $(awk -v w="$wall" 'BEGIN { printf "%.0f", (w > 1 ? 65536 / (w - 1) : 0) }')/s of 5000," \
	    "peak RSS $rss MB, exit $rc; $st" | tee -a "$RUN/table"
	read -r wall cpu rss rc < <(measure inflight10k scan 127.4.0.0/18 -p "$PORT" \
	    --concurrency 10000 --timeout 5 --json -q)
	echo "10,000 in flight (silent /18, --concurrency 10000 --timeout 5): peak RSS $rss MB" \
	    "(issue bound 256 MiB), wall $wall s, exit $rc" | tee -a "$RUN/table"
	read -r wall cpu rss rc < <(measure fdcap scan 127.4.0.0/30 -p "$PORT" --concurrency 30000 --timeout 1)
	echo "--concurrency 30000 with 'ulimit -Hn' $(ulimit -Hn): exit $rc; certsweep says:" \
	    "$(grep -m1 -i 'concurrency' "$RUN/fdcap.err" || echo '(nothing)')" | tee -a "$RUN/table"
}

# ---------------------------------------------------------------- main
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
mkdir -p "$WORK" "$RUN"
gen_pki
write_expected
ns_up
nginx_up

VERSION=$("$BIN" --version 2>/dev/null | head -1 || echo "?")
REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
{
	echo "certsweep bench $(date -u +%Y-%m-%dT%H:%M:%SZ): $VERSION (git $REV), $(nproc) cores,"
	echo "$N TLS endpoints (nginx $(nginx -v 2>&1 | sed 's/.*\///'), ECDSA P-256)${NS:+ in a network namespace}; default settings + --json"
	echo "rows rawK: the default grab (raw TLS 1.2 hello); opensslK: --grab openssl (full handshakes)"
	echo
	printf '%-8s %10s %8s %12s %8s %14s %12s %14s %8s\n' run "endpoints/s" "wall s" "client CPU s" \
	    "CPU ms/ep" "server CPU s" "peak RSS MB" "certs found" exit
} | tee "$RUN/table"
# bench_runs LABEL ARGS...: RUNS sweeps of the N targets, a row each, then
# the median endpoints/s
bench_runs() {
	local label=$1 k c0 c1 f eps wall cpu rss rc
	shift
	: >"$RUN/eps"
	for ((k = 1; k <= RUNS; k++)); do
		c0=$(server_cpu)
		read -r wall cpu rss rc < <(measure "$label$k" scan -iL "$RUN/targets.txt" --json -q "$@")
		c1=$(server_cpu)
		f=$(found "$label$k")
		eps=$(awk -v n="$N" -v w="$wall" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }')
		echo "$eps" >>"$RUN/eps"
		printf '%-8s %10s %8s %12s %8s %14s %12s %14s %8s\n' "$label$k" "$eps" "$wall" "$cpu" \
		    "$(awk -v c="$cpu" -v n="$N" 'BEGIN { printf "%.3f", c * 1000 / n }')" \
		    "$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')" "$rss" "$f / $N" "$rc" |
		    tee -a "$RUN/table"
	done
	printf '%-8s %10s\n' "median" "$(median <"$RUN/eps")" | tee -a "$RUN/table"
}
# the default grab (our raw TLS 1.2 hello), then full OpenSSL handshakes
bench_runs raw
bench_runs openssl --grab openssl
# the two grabs must record the same chains, byte for byte
"$PY" - "$RUN/raw1.out" "$RUN/openssl1.out" <<'PY' | tee -a "$RUN/table"
import json, sys
def chains(p):
    out = {}
    for line in open(p):
        try:
            o = json.loads(line)
        except ValueError:
            continue
        out[(o["ip"], o["port"])] = [c["sha256"] for c in o.get("chain") or []]
    return out
a, b = chains(sys.argv[1]), chains(sys.argv[2])
same = sum(1 for k in a if k in b and a[k] == b[k] and a[k])
print(f"raw vs openssl grab: {same} of {len(a)} endpoints with byte-identical chains")
PY
echo | tee -a "$RUN/table"

read -r wall cpu rss rc < <(measure conc1000 scan -iL "$RUN/targets.txt" --json -q --concurrency 1000)
echo "--concurrency 1000: peak RSS $rss MB, wall $wall s, client CPU $cpu s," \
    "certs found $(found conc1000) / $N, exit $rc" | tee -a "$RUN/table"

if [ -n "$NS" ] && ip netns exec "$NS" nft list table inet certsweep_bench >/dev/null 2>&1; then
	read -r wall cpu rss rc < <(measure silent scan 127.3.0.0/28 -p "$PORT" --timeout 2 --json -q)
	st=$("$PY" -c 'import collections, json, sys
c = collections.Counter(json.loads(l).get("status") for l in open(sys.argv[1]) if l.strip())
print(", ".join(f"{n} {s}" for s, n in sorted(c.items())) or "no output")' "$RUN/silent.out")
	echo "silent /28 (SYN dropped), --timeout 2: wall $wall s ($st), exit $rc" | tee -a "$RUN/table"
else
	echo "silent /28: skipped (needs root, a network namespace and nft)" | tee -a "$RUN/table"
fi
# shellcheck source=tests/bench/bench_enum.sh
. "$HERE/bench_enum.sh"
bench_enum | tee -a "$RUN/table"

if [ -n "${BENCH_SCALE:-}" ]; then
	scale_runs
fi
{
	cat "$RUN/table"
	echo
} >>"$WORK/results.txt"
log "results appended to ${WORK#"$ROOT"/}/results.txt"

# the inventory alone: CPU per observation in the store (store_bench.c)
STORE_BENCH=$(dirname "$BIN")/store_bench
if [ -x "$STORE_BENCH" ]; then
	echo
	# shellcheck disable=SC2086 # STORE_BENCH_ARGS is a list of options
	"$STORE_BENCH" ${STORE_BENCH_ARGS:-} | tail -2 | tee -a "$WORK/results.txt" ||
	    log "the store bench failed"
fi

# passive: sniff -r on a large capture of the lab's handshakes, beside tshark
echo
SNIFF_NS=$NS SNIFF_PORT=$PORT SNIFF_TARGETS=$RUN/targets.txt "$HERE/sniff_bench.sh" "$BIN" ||
    log "the sniff bench failed (exit $?)"

PEERS=$(cd "$ROOT/.." && pwd)/shared/bench/peers.sh
if [ -x "$PEERS" ] || [ -f "$PEERS" ]; then
	echo
	echo "Side by side with the peers (their lab, their harness):"
	echo "  OURS='$BIN scan -iL {targets} --ca-file {ca} --json > out.jsonl' OURS_DESC='certsweep $REV' \\"
	echo "    $PEERS ours,python,nmap"
fi
