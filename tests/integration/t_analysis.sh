#!/usr/bin/env bash
# t_analysis.sh: findings on a lab of defects, over two sweeps.  nginx
# serves on 127.20.0.1, one port each, a certificate of
# samples/mkdefects.sh (made with the lab's address in every SAN, so that
# only wronghost's name is wrong): good, expired, expiring, self-signed,
# untrusted (rogue CA), incomplete (leaf alone; --intermediates has the
# intermediate), wronghost, rsa1024 (nginx loads it at SECLEVEL 0),
# sha1, long validity, clientAuth only.  Checks:
#   1. every endpoint's set of rules is exactly the expected one;
#   2. after the expired endpoint gets expiring-crit's certificate and
#      nginx restarts: cert.changed there only, its cert.expired finding
#      'resolved' in the database, cert.expiring (critical) 'open', the
#      other endpoints' findings still open;
#   3. on good + rsa1024 + wronghost (high findings only): --fail-on high
#      exits 1, --fail-on critical exits 0.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cs_ns_setup need
D=$CS_TEST_DIR
P=$CS_PORT
IP=127.20.0.1
K=$D/defects
MKD_EXTRA_SAN=IP:$IP "$CS_ROOT/samples/mkdefects.sh" "$K" >/dev/null ||
    fail "samples/mkdefects.sh failed"

# name  expected rules (space-separated), port P + index
LAB=(
	"good|"
	"expired|cert.expired"
	"expiring|cert.expiring"
	"selfsigned|cert.self_signed cert.untrusted"
	"untrusted|cert.untrusted"
	"incomplete|cert.incomplete_chain"
	"wronghost|cert.hostname_mismatch"
	"rsa1024|cert.weak_key"
	"sha1|cert.weak_signature"
	"long|cert.long_validity"
	"clientauth|cert.not_server_auth"
)
N=${#LAB[@]}
LAST=$((P + N - 1))

# Each endpoint serves $D/lab/N.pem / N.key, so a certificate can be swapped.
mkdir -p "$D/nginx" "$D/lab"
: >"$D/expect.tsv"
for ((i = 0; i < N; i++)); do
	name=${LAB[i]%%|*}
	cp "$K/$name-chain.pem" "$D/lab/$i.pem"
	cp "$K/$name.key" "$D/lab/$i.key"
	printf '  server { listen %s:%d ssl; ssl_certificate %s; ssl_certificate_key %s; return 200 "%s\\n"; }\n' \
	    "$IP" $((P + i)) "$D/lab/$i.pem" "$D/lab/$i.key" "$name"
	printf '%d\t%s\t%s\n' $((P + i)) "$name" "${LAB[i]#*|}" >>"$D/expect.tsv"
done >"$D/nginx/servers.conf"

# OpenSSL 3 refuses RSA-1024 and SHA-1 at its default security level 2;
# this applies to the nginx process only.
cat >"$D/seclevel0.cnf" <<'EOF'
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
CipherString = DEFAULT:@SECLEVEL=0
EOF
OPENSSL_CONF=$D/seclevel0.cnf cs_nginx_start "$D/nginx" "$IP" "$P"
NGINX_PID=$CS_LAST_PID
cs_wait_tcp "$IP" "$LAST" 50 || fail "nginx did not come up on $IP:$LAST"

sweep() { # sweep NAME PORTS [ARGS...]
	local name=$1 ports=$2
	shift 2
	cs_scan "$name" scan "$IP" -p "$ports" --ca-file "$K/root.pem" \
	    --intermediates "$K/int.pem" --json --db "$D/a.db" "$@"
}

# rules_are OUT TSV: every endpoint of TSV (port, name, rules) has exactly
# those rules in the JSON lines OUT
rules_are() {
	"$CS_PY" - "$1" "$2" <<'PY'
import json, sys
got = {}
for line in open(sys.argv[1]):
    o = json.loads(line)
    got[o["port"]] = (o["status"], o.get("reason", ""), sorted({f["rule"] for f in o["findings"]}))
errs = []
for line in open(sys.argv[2]):
    port, name, rules = line.rstrip("\n").split("\t")
    want = sorted(set(rules.split()))
    st = got.pop(int(port), None)
    if st is None:
        errs.append(f"{name} (:{port}): not in the output")
    elif st[0] != "ok":
        errs.append(f"{name} (:{port}): status {st[0]} ({st[1]})")
    elif st[2] != want:
        errs.append(f"{name} (:{port}): rules {st[2]}, expected {want}")
for port in got:
    errs.append(f":{port}: not in the lab")
for e in errs:
    print(e, file=sys.stderr)
sys.exit(1 if errs else 0)
PY
}

# 1. one sweep of the whole lab
sweep first "$P-$LAST"
[[ $CS_RC == 0 ]] || fail "first sweep exited $CS_RC (no --fail-on: expected 0); stderr: $(head -5 "$D/first.err")"
cs_check jsonl "$D/first.out" || fail "first sweep: JSON lacks documented keys"
rules_are "$D/first.out" "$D/expect.tsv" || fail "first sweep: rules differ from the lab's defects"
note "first sweep: every defect found where expected, and nowhere else"

# 2. expired -> expiring-crit, restart, sweep again
cs_stop "$NGINX_PID" "$(cs_start_time "$NGINX_PID")"
cp "$K/expiring-crit-chain.pem" "$D/lab/1.pem"
cp "$K/expiring-crit.key" "$D/lab/1.key"
OPENSSL_CONF=$D/seclevel0.cnf cs_nginx_start "$D/nginx" "$IP" "$P"
cs_wait_tcp "$IP" "$LAST" 50 || fail "nginx did not come back on $IP:$LAST"
awk -F'\t' -v p=$((P + 1)) 'BEGIN { OFS = "\t" }
    $1 == p { $2 = "expired->expiring-crit"; $3 = "cert.changed cert.expiring" } { print }' \
    "$D/expect.tsv" >"$D/expect2.tsv"
sweep second "$P-$LAST"
rules_are "$D/second.out" "$D/expect2.tsv" || fail "second sweep: rules differ"
"$CS_PY" - "$D/a.db" $((P + 1)) <<'PY' || fail "second sweep: findings table"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
port = int(sys.argv[2])
rows = db.execute("SELECT e.port, f.rule, f.severity, f.state FROM findings f "
                  "JOIN endpoints e ON e.id = f.endpoint_id").fetchall()
errs = []
def state(p, rule):
    s = [r for r in rows if r[0] == p and r[1] == rule]
    return s
exp = state(port, "cert.expired")
if [r[3] for r in exp] != ["resolved"]:
    errs.append(f"cert.expired on :{port}: {exp}, expected one resolved row")
new = state(port, "cert.expiring")
if [(r[2], r[3]) for r in new] != [("critical", "open")]:
    errs.append(f"cert.expiring on :{port}: {new}, expected one critical open row")
ch = [r for r in rows if r[1] == "cert.changed"]
if [(r[0], r[3]) for r in ch] != [(port, "open")]:
    errs.append(f"cert.changed rows {ch}, expected one open on :{port}")
others = [r for r in rows if r[0] != port and r[3] != "open"]
if others:
    errs.append(f"findings of unchanged endpoints not open: {others}")
for e in errs:
    print(e, file=sys.stderr)
sys.exit(1 if errs else 0)
PY
note "second sweep: cert.changed, the old finding resolved, the new one open"

# 3. --fail-on on a subset with high findings only (good, wronghost, rsa1024)
SUB="$P,$((P + 6)),$((P + 7))"
sweep failhigh "$SUB" --fail-on high
[[ $CS_RC == 1 ]] || fail "--fail-on high exited $CS_RC, expected 1; stderr: $(head -3 "$D/failhigh.err")"
"$CS_PY" - "$D/failhigh.out" <<'PY' || fail "the subset's severities are not all high"
import json, sys
sev = {f["severity"] for l in open(sys.argv[1]) for f in json.loads(l)["findings"]}
sys.exit(0 if sev == {"high"} else print(sev, file=sys.stderr) or 1)
PY
sweep failcrit "$SUB" --fail-on critical
[[ $CS_RC == 0 ]] || fail "--fail-on critical exited $CS_RC with high findings only, expected 0"
echo "ok"
