#!/usr/bin/env bash
# t_sniff_live.sh: passive acceptance 2.  In the test's own network
# namespace, nginx serves the fixture's good chain with TLS 1.2 only (so
# the Certificate message travels in clear); `certsweep sniff -i lo
# --duration 5` runs in the background while an active `certsweep scan`
# handshakes with the server.  The passive observation must carry the same
# leaf SHA-256 as the active one (and as the served file), come from a
# capture that dropped root, land in its own database as a passive sweep
# with JA3/JA4, and --emit-targets must write the server in a form
# `certsweep scan -iL` reads back.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cs_ns_setup need
D=$CS_TEST_DIR
P=$CS_PORT
K=$CS_PKI
mkdir -p "$D/nginx"
printf '  server { listen 127.0.0.1:%d ssl; ssl_protocols TLSv1.2; ssl_certificate %s; ssl_certificate_key %s; return 200 "live\\n"; }\n' \
    "$P" "$K/good-chain.pem" "$K/good.key" >"$D/nginx/servers.conf"
cs_nginx_start "$D/nginx" 127.0.0.1 "$P"
want=$(cs_fp "$K/good.pem")

cs_bg_ns timeout -k 5 30 "$CERTSWEEP" sniff -i lo --duration 5 --bpf "tcp port $P" \
    --json --db "$D/passive.db" --emit-targets "$D/targets.txt" -v --ca-file "$K/root.pem" \
    >"$D/sniff.out" 2>"$D/sniff.err"
SNIFF=$CS_LAST_PID
# Ready once the capture is open: certsweep then drops root (to nobody).
sniffer=""
for ((i = 0; i < 100; i++)); do
	sniffer=$(pgrep -P "$SNIFF" -x certsweep || true)
	sniffer=${sniffer%%$'\n'*}
	if [[ -n $sniffer ]] && awk '/^Uid:/ { exit !($2 != 0) }' "/proc/$sniffer/status" 2>/dev/null; then
		break
	fi
	sniffer=""
	sleep 0.1
done
[[ -n $sniffer ]] || fail "sniff did not open lo and drop root: $(head -5 "$D/sniff.err")"
note "sniff running as uid $(awk '/^Uid:/ { print $2 }' "/proc/$sniffer/status")"

cs_scan active scan 127.0.0.1 -p "$P" --json --db "$D/active.db" --ca-file "$K/root.pem"
[[ $CS_RC == 0 ]] || fail "active scan exited $CS_RC: $(head -5 "$D/active.err")"
rc=0
wait "$SNIFF" || rc=$?
[[ $rc == 0 ]] || fail "sniff exited $rc: $(head -5 "$D/sniff.err")"
grep -q "observations" "$D/sniff.err" || fail "no summary on stderr with -v"

WANT=$want PORT=$P "$CS_PY" - "$D/active.out" "$D/sniff.out" "$D/passive.db" <<'PY' || fail "passive and active observations differ"
import json, os, re, sqlite3, sys
want, port = os.environ["WANT"], int(os.environ["PORT"])
def leaves(path, source):
    out = []
    for line in open(path):
        o = json.loads(line)
        assert o["source"] == source, f"{path}: source {o['source']}"
        if o["ip"] == "127.0.0.1" and o["port"] == port and o["status"] == "ok":
            out.append(o)
    return out
act = leaves(sys.argv[1], "active")
pas = leaves(sys.argv[2], "passive")
assert len(act) == 1, f"active: {len(act)} ok observations"
assert pas, "passive: no ok observation of the server"
a = act[0]["chain"][0]["sha256"]
assert a == want, f"active leaf {a} != served {want}"
for o in pas:
    p = o["chain"][0]["sha256"] if o.get("chain") else None
    assert p == a, f"passive leaf {p} != active leaf {a}"
    assert o["version"] == "TLSv1.2", o["version"]
    assert o["verify"]["ok"], o["verify"]
    assert re.fullmatch(r"[0-9a-f]{32}", o.get("ja3", "")), o.get("ja3")
    assert re.fullmatch(r"[0-9a-f]{32}", o.get("ja3s", "")), o.get("ja3s")
    assert re.fullmatch(r"t1[0-3]i\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}",
                        o.get("ja4", "")), o.get("ja4")
db = sqlite3.connect(f"file:{sys.argv[3]}?mode=ro", uri=True)
kinds = [r[0] for r in db.execute("SELECT kind FROM scans")]
assert kinds == ["passive"], kinds
rows = db.execute("SELECT o.source, o.ja3, o.ja4, l.cert_sha256 FROM observations o "
                  "JOIN chain_links l ON l.observation_id = o.id AND l.depth = 0").fetchall()
assert rows and all(r[0] == "passive" and r[1] and r[2] and r[3] == a for r in rows), rows
print(f"# {len(pas)} passive observation(s), leaf {a[:16]}... as the active scan")
PY

grep -qx "127.0.0.1:$P" "$D/targets.txt" || fail "--emit-targets: $(cat "$D/targets.txt")"
[[ $(wc -l <"$D/targets.txt") == 1 ]] || fail "--emit-targets repeats an endpoint: $(cat "$D/targets.txt")"
cs_scan replay scan -iL "$D/targets.txt" --dry-run
[[ $CS_RC == 0 && $(cat "$D/replay.out") == "127.0.0.1:$P" ]] ||
    fail "scan -iL does not read --emit-targets' file: $(cat "$D/replay.err")"
note "passive leaf = active leaf; --emit-targets read back by scan -iL"
