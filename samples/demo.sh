#!/usr/bin/env bash
# demo.sh: a two-minute tour (make demo).  Makes the fixture PKI in
# samples/.work/, starts a small TLS lab on loopback with openssl s_server
# (a good chain, an expired leaf, a leaf expiring in 10 days, a self-signed
# leaf, and one closed port), scans it into ./certsweep.db, prints what was
# found, stops the servers.
#
#   samples/demo.sh path/to/certsweep        (DEMO_PORT=18443 to move the lab)
#
# Only 127.0.0.2-6 are touched.  ./certsweep.db stays for you to explore:
#   sqlite3 certsweep.db 'select subject, not_after from certificates'
set -eu
set -o pipefail

die() { echo "demo.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: samples/demo.sh path/to/certsweep"
BIN=$1
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
[ -x "$BIN" ] || die "$BIN is not an executable (run 'make' first)"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=$HERE/.work
PKI=$WORK/pki
PORT=${DEMO_PORT:-18443}
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
command -v openssl >/dev/null || die "openssl is missing (scripts/deps.sh)"
command -v "$PY" >/dev/null || die "python3 is missing (scripts/deps.sh)"

PIDS=()
stop_servers() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	PIDS=()
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

listening() { # ADDR: does ADDR:PORT accept a TCP connection?
	# shellcheck disable=SC2016 # expanded by the inner bash
	timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$PORT" 2>/dev/null
}

mkdir -p "$WORK"
echo "== fixture PKI in ${PKI#"$PWD"/}"
"$HERE/mkcerts.sh" "$PKI"

# the lab: address, certificate, what it shows
LAB=(
	"127.0.0.2 good       valid chain (leaf + intermediate)"
	"127.0.0.3 expired    expired on 2024-01-01"
	"127.0.0.4 expiring   expires in 10 days"
	"127.0.0.5 selfsigned self-signed"
	"127.0.0.6 -          nothing listens (refused)"
)
echo "== lab on port $PORT"
for row in "${LAB[@]}"; do
	read -r addr cert what <<<"$row"
	listening "$addr" && die "$addr:$PORT is already in use; set DEMO_PORT to another port"
	echo "   $addr:$PORT  $what"
	[ "$cert" = - ] && continue
	chain=(-cert_chain "$PKI/int.pem")
	[ "$cert" = selfsigned ] && chain=()
	openssl s_server -quiet -www -accept "$addr:$PORT" -cert "$PKI/$cert.pem" \
	    -key "$PKI/$cert.key" "${chain[@]}" >"$WORK/s_server-$cert.log" 2>&1 </dev/null &
	PIDS+=($!)
done
for row in "${LAB[@]}"; do
	read -r addr cert _ <<<"$row"
	[ "$cert" = - ] && continue
	ok=0
	for _ in $(seq 1 50); do
		if listening "$addr"; then ok=1; break; fi
		sleep 0.1
	done
	[ $ok = 1 ] || die "s_server on $addr:$PORT did not start: $(cat "$WORK/s_server-$cert.log")"
done

echo "== certsweep scan 127.0.0.2-6 -p $PORT --ca-file ${PKI#"$PWD"/}/root.pem --db certsweep.db --json"
rc=0
"$BIN" scan 127.0.0.2-6 -p "$PORT" --ca-file "$PKI/root.pem" --db certsweep.db --json \
    >"$WORK/scan.jsonl" || rc=$?
stop_servers
[ $rc -eq 0 ] || [ $rc -eq 1 ] || die "certsweep exited $rc"

"$PY" - "$WORK/scan.jsonl" <<'PY'
import datetime, json, sys

def when(v):
    if isinstance(v, (int, float)):
        return datetime.datetime.fromtimestamp(v, datetime.timezone.utc).strftime("%Y-%m-%d")
    return str(v)[:10]

def cn(dn):
    for part in dn.replace("/", ",").split(","):
        if part.strip().startswith("CN="):
            return part.strip()[3:]
    return dn

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rows.sort(key=lambda o: tuple(int(x) for x in o["ip"].split(".")) if "." in o["ip"] else (999,))
hdr = ("endpoint", "status", "subject", "issuer", "not after", "findings")
out = []
for o in rows:
    ep = f"{o['ip']}:{o['port']}"
    if o.get("status") != "ok" or not o.get("chain"):
        out.append((ep, o.get("status", "?"), "", "", "", o.get("reason", "")))
        continue
    leaf = o["chain"][0]
    f = ", ".join(f"{x['rule']} ({x['severity']})" for x in o.get("findings", [])) or "none"
    out.append((ep, "ok", cn(leaf["subject"]), cn(leaf["issuer"]), when(leaf["not_after"]), f))
w = [max(len(str(r[i])) for r in out + [hdr]) for i in range(len(hdr))]
print()
for r in [hdr] + out:
    print("  ".join(str(c).ljust(w[i]) for i, c in enumerate(r)).rstrip())
print()
PY
if command -v sqlite3 >/dev/null; then
	echo "== certsweep.db: $(sqlite3 certsweep.db 'SELECT count(*) FROM certificates') certificates," \
	    "$(sqlite3 certsweep.db 'SELECT count(*) FROM endpoints') endpoints," \
	    "$(sqlite3 certsweep.db 'SELECT count(*) FROM scans') scans so far"
fi
echo "== done: explore with  sqlite3 certsweep.db '.tables'   (JSON lines in ${WORK#"$PWD"/}/scan.jsonl)"
