#!/usr/bin/env bash
# t_crash.sh: crash safety.
#   1. kill -9 at random moments: a lab of 200 TLS endpoints (one nginx
#      answering on every 127.1.0.x of the namespace), 4 silent (SYN
#      dropped) and 4 refused; a sweep metered by --rate to last ~10 s is
#      started with --resume and killed with SIGKILL after a random delay
#      (0.3-3 s), CRASH_KILLS (default 20) times.  After each kill the
#      database passes PRAGMA integrity_check and foreign_key_check, has at
#      most one unfinished sweep, and no endpoint twice in any sweep; some
#      run resumed a sweep that had results.  A last run with --resume
#      completes: no sweep is left unfinished and the last one records every
#      endpoint exactly once.
#   2. A full disk (a 768 KiB tmpfs, in a private mount namespace) during a
#      sweep of 4096 refused endpoints: exit 3, "disk is full" on stderr,
#      the database intact with the batches committed before, the sweep left
#      unfinished (so --resume can finish it).
#   3. A database locked by another process (Python holds BEGIN EXCLUSIVE):
#      exit 3 and "locked by another process" after the busy timeout.
# Needs root (network and mount namespaces).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v nft >/dev/null || skip "nft is missing (apt-get install nftables)"
command -v sqlite3 >/dev/null || skip "sqlite3 CLI is missing"
cs_ns_setup need
D=$CS_TEST_DIR
KILLS=${CRASH_KILLS:-20}

ip netns exec "$CS_NS" nft -f - <<'NFT' || skip "nft rules unavailable in a namespace"
table inet certsweep_test {
	chain input {
		type filter hook input priority 0; policy accept;
		ip daddr 127.3.0.0/24 tcp flags & (syn | ack) == syn drop
	}
}
NFT

mkdir -p "$D/ngx"
cat >"$D/ngx/servers.conf" <<EOF
  server {
    listen 8443 ssl backlog=1024;
    ssl_certificate $CS_PKI/good-chain.pem;
    ssl_certificate_key $CS_PKI/good.key;
    return 200 "lab\n";
  }
EOF
cs_nginx_start "$D/ngx" 127.1.0.200 8443

{
	echo "127.1.0.1-200"
	for i in 1 2 3 4; do echo "127.3.0.$i:8443"; echo "127.2.0.$i:9"; done
} >"$D/targets"
N=208
DB=$D/crash.db
ARGS=(scan -iL "$D/targets" -p 8443 --rate 20 --timeout 1 --db "$DB")

q() { sqlite3 -batch -noheader "$DB" "$@"; }

# consistent: integrity, foreign keys, at most one unfinished sweep, no
# endpoint twice in any sweep
consistent() {
	local r
	r=$(q "PRAGMA integrity_check;") || fail "$1: sqlite3 cannot read the database"
	[[ $r == ok ]] || fail "$1: integrity_check: $r"
	r=$(q "PRAGMA foreign_key_check;")
	[[ -z $r ]] || fail "$1: foreign_key_check: $r"
	r=$(q "SELECT count(*) FROM scans WHERE finished IS NULL;")
	[[ $r -le 1 ]] || fail "$1: $r unfinished sweeps, expected at most the one being resumed"
	r=$(q "SELECT ifnull(sum(n - d), 0) FROM (SELECT count(*) AS n, count(DISTINCT endpoint_id) AS d FROM observations GROUP BY scan_id);")
	[[ $r == 0 ]] || fail "$1: $r endpoints recorded twice in a sweep"
}

# ---------------------------------------------------------------- 1. kill -9
# A run that outlives its delay completes the sweep: the next run then
# starts a new one; that is right too, and checked like the others.
t0=$(date +%s)
for ((k = 1; k <= KILLS; k++)); do
	delay=$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.3 + (r % 270) / 100 }')
	# ip netns exec execs certsweep: $! is certsweep's own PID
	ip netns exec "$CS_NS" "$CERTSWEEP" "${ARGS[@]}" --resume -v >/dev/null \
	    2>>"$D/kills.err" &
	pid=$!
	sleep "$delay"
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	consistent "after kill $k (at ${delay} s)"
	note "kill $k at ${delay} s: sweep $(q "SELECT max(id) FROM scans;"): $(q "SELECT count(*) FROM observations WHERE scan_id = (SELECT max(id) FROM scans);") of $N recorded"
done
note "$KILLS kills in $(($(date +%s) - t0)) s"
resumed=$(grep -c -- "--resume: finishing sweep" "$D/kills.err" || true)
note "$resumed runs resumed an interrupted sweep; $(grep -c -- 'no interrupted sweep' "$D/kills.err" || true) started one"
grep -q -- "--resume: finishing sweep [0-9]* of .*: [1-9][0-9]* endpoints already" "$D/kills.err" ||
    fail "no run resumed a sweep with results: nothing is committed during a sweep, or --resume does not find it"

last=$(q "SELECT max(id) FROM scans;")
before=$(q "SELECT count(*) FROM observations WHERE scan_id = $last;")
cs_scan resume "${ARGS[@]}" --resume -v
[[ $CS_RC == 0 ]] || fail "the final --resume exited $CS_RC: $(tail -3 "$D/resume.err")"
consistent "after the final --resume"
last=$(q "SELECT max(id) FROM scans;")
[[ $(q "SELECT count(*) FROM scans WHERE finished IS NULL;") == 0 ]] ||
    fail "a sweep is still unfinished: $(q "SELECT * FROM scans;")"
[[ $(q "SELECT endpoints FROM scans WHERE id = $last;") == "$N" ]] ||
    fail "the last sweep does not count $N endpoints: $(q "SELECT * FROM scans WHERE id = $last;")"
[[ $(q "SELECT count(*) FROM observations WHERE scan_id = $last;") == "$N" ]] ||
    fail "$(q "SELECT count(*) FROM observations WHERE scan_id = $last;") observations in the last sweep, expected $N (each endpoint once)"
[[ $(q "SELECT count(*) FROM endpoints;") == "$N" ]] || fail "endpoints missing"
[[ $(q "SELECT count(*) FROM observations WHERE scan_id = $last AND status = 'ok';") == 200 ]] ||
    fail "not every lab endpoint answered ok: $(q "SELECT status, count(*) FROM observations WHERE scan_id = $last GROUP BY 1;")"
[[ $(q "SELECT count(*) FROM observations o JOIN endpoints e ON e.id = o.endpoint_id WHERE o.scan_id = $last AND e.ip LIKE '127.3.%' AND o.status = 'connect-timeout';") == 4 ]] ||
    fail "silent hosts not recorded as connect-timeout"
note "the final run scanned $((N - before)) endpoints; $before were recorded before it"

# ---------------------------------------------------------------- 2. full disk
cat >"$D/full.sh" <<'EOF'
set -u
D=$1 NS=$2 CS=$3
mkdir -p "$D/full"
mount -t tmpfs -o size=768k,mode=0700 certsweep-full "$D/full" || exit 77
rc=0
ip netns exec "$NS" "$CS" scan 127.2.0.0/20 -p 9 --db "$D/full/full.db" -q \
    2>"$D/full.err" >/dev/null || rc=$?
echo "$rc" >"$D/full.rc"
sqlite3 -batch "$D/full/full.db" "PRAGMA integrity_check;" >"$D/full.integrity" 2>&1
sqlite3 -batch "$D/full/full.db" "SELECT count(*) FROM observations;" >"$D/full.count" 2>&1
sqlite3 -batch "$D/full/full.db" "SELECT count(*) FROM scans WHERE finished IS NULL;" >"$D/full.open" 2>&1
umount "$D/full"
EOF
rc=0
unshare -m bash "$D/full.sh" "$D" "$CS_NS" "$CERTSWEEP" || rc=$?
[[ $rc == 77 ]] && skip "cannot mount a tmpfs in a private mount namespace"
note "full disk: exit $(cat "$D/full.rc"), $(cat "$D/full.count") observations kept, stderr: $(head -2 "$D/full.err")"
[[ $(cat "$D/full.rc") == 3 ]] || fail "full disk: exit $(cat "$D/full.rc"), expected 3"
grep -q "disk is full" "$D/full.err" || fail "full disk: no clear message: $(cat "$D/full.err")"
[[ $(cat "$D/full.integrity") == ok ]] || fail "full disk: integrity_check: $(cat "$D/full.integrity")"
(($(cat "$D/full.count") > 0)) || fail "full disk: the batches committed before were lost"
(($(cat "$D/full.count") < 4096)) || fail "full disk: the disk never filled (tmpfs too large?)"
[[ $(cat "$D/full.open") == 1 ]] || fail "full disk: the sweep should stay unfinished (for --resume)"

# ---------------------------------------------------------------- 3. locked
"$CS_PY" - "$DB" "$D/locked" <<'PY' &
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
con.execute("INSERT INTO scans (kind, started) VALUES ('active', 0)")
open(sys.argv[2], "w").write("locked\n")
time.sleep(20)
PY
lock_pid=$!
echo "$lock_pid 0" >>"$D/pids"
for ((i = 0; i < 50; i++)); do [[ -s $D/locked ]] && break; sleep 0.1; done
[[ -s $D/locked ]] || fail "the locking process did not start"
cs_scan locked scan 127.2.0.1 -p 9 --db "$DB"
kill "$lock_pid" 2>/dev/null || true
wait "$lock_pid" 2>/dev/null || true
note "locked: exit $CS_RC: $(head -1 "$D/locked.err")"
[[ $CS_RC == 3 ]] || fail "locked database: exit $CS_RC, expected 3"
grep -q "locked by another process" "$D/locked.err" || fail "locked database: no clear message"
consistent "after the locked run"
echo "ok"
