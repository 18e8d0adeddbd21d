#!/usr/bin/env bash
# t_diff.sh: certsweep diff between two real sweeps of 127.13.0.1-4.
#   sweep 1: .1 good, .2 expired, .3 self-signed; .4 closed
#   sweep 2: .1 now serves a.test (certificate swapped), .2 b.test (the
#            expired certificate replaced by a valid one: cert.expired
#            resolves), .3 closed (vanished), .4 serves good (new)
# The expected findings come from each sweep's own --json lines (what the
# analysis reported), not from the diff: new = reported by 2 and not by 1,
# resolved = reported by 1 and not by 2 on an endpoint that answered in 2.
# The text and --json outputs must list exactly those, and exit 1; a sweep
# against itself exits 0; an unknown sweep id exits 2, a missing database
# 3.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cs_ns_setup any
D=$CS_TEST_DIR
P=$CS_PORT
K=$CS_PKI
DB=$D/d.db

# lab DIR NAME...: nginx serving NAME[i] on 127.13.0.(i+1); "-" for none
lab() {
	local dir=$1 i=0 c first=""
	shift
	mkdir -p "$dir"
	for c in "$@"; do
		i=$((i + 1))
		[[ $c == - ]] && continue
		first=${first:-$i}
		printf '  server { listen 127.13.0.%d:%d ssl; ssl_certificate %s; ssl_certificate_key %s; return 200 "x\\n"; }\n' \
		    "$i" "$P" "$K/$c-chain.pem" "$K/$c.key"
	done >"$dir/servers.conf"
	cs_nginx_start "$dir" "127.13.0.$first" "$P"
}

lab "$D/nginx1" good expired selfsigned -
NGINX1=$CS_LAST_PID
cs_scan s1 scan 127.13.0.1-4 -p "$P" --ca-file "$K/root.pem" --json --db "$DB"
[[ $CS_RC == 0 || $CS_RC == 1 ]] || fail "sweep 1 exited $CS_RC: $(head -5 "$D/s1.err")"
cs_stop "$NGINX1" "$(cs_start_time "$NGINX1" || echo 0)"

lab "$D/nginx2" a b - good
# a distinct second, so that the sweeps' times differ
sleep 1
cs_scan s2 scan 127.13.0.1-4 -p "$P" --ca-file "$K/root.pem" --json --db "$DB"
[[ $CS_RC == 0 || $CS_RC == 1 ]] || fail "sweep 2 exited $CS_RC: $(head -5 "$D/s2.err")"

cs_scan text diff --db "$DB"
[[ $CS_RC == 1 ]] || fail "diff exited $CS_RC, expected 1 (changes); stderr: $(head -3 "$D/text.err")"
cs_scan json diff --json --db "$DB"
[[ $CS_RC == 1 ]] || fail "diff --json exited $CS_RC, expected 1"
cs_scan explicit diff 1 2 --db "$DB"
cmp -s "$D/explicit.out" "$D/text.out" || fail "'diff 1 2' differs from 'diff' (the last two sweeps)"

"$CS_PY" - "$D/s1.out" "$D/s2.out" "$D/json.out" "$D/text.out" <<'PY' || fail "diff does not report exactly the changes"
import json, sys

def sweep(path):
    eps, found = {}, set()
    for line in open(path):
        o = json.loads(line)
        eps[o["ip"]] = o
        chain = o.get("chain") or []
        for f in o.get("findings", []):
            d = f["depth"]
            sha = chain[d]["sha256"] if 0 <= d < len(chain) else None
            found.add((o["ip"], f["rule"], sha))
    return eps, found

(e1, f1), (e2, f2) = sweep(sys.argv[1]), sweep(sys.argv[2])
doc = json.load(open(sys.argv[3]))
text = open(sys.argv[4]).read()
errs = []
up = lambda eps, ip: ip in eps and eps[ip]["status"] == "ok"
want_new = {(ip, r, s) for ip, r, s in f2 - f1}
want_resolved = {(ip, r, s) for ip, r, s in f1 - f2 if up(e2, ip)}
if ("127.13.0.2", "cert.expired", e1["127.13.0.2"]["chain"][0]["sha256"]) not in want_resolved:
    errs.append(f"lab: cert.expired on 127.13.0.2 does not resolve: {sorted(want_resolved)}")

ips = lambda key: sorted(e["ip"] for e in doc[key])
for key, want in (("new_endpoints", ["127.13.0.4"]), ("vanished_endpoints", ["127.13.0.3"]),
                  ("changed_certificates", ["127.13.0.1", "127.13.0.2"])):
    if ips(key) != want:
        errs.append(f"{key}: {ips(key)}, expected {want}")
for c in doc["changed_certificates"]:
    ip = c["ip"]
    if c["previous"]["sha256"] != e1[ip]["chain"][0]["sha256"] or \
       c["certificate"]["sha256"] != e2[ip]["chain"][0]["sha256"]:
        errs.append(f"{ip}: changed {c['previous']['sha256']} -> {c['certificate']['sha256']}")
v = doc["vanished_endpoints"][0] if doc["vanished_endpoints"] else {}
if v.get("status") != e2["127.13.0.3"]["status"]:
    errs.append(f"vanished status {v.get('status')}, sweep 2 says {e2['127.13.0.3']['status']}")
got = lambda key: {(f["endpoint"]["ip"], f["rule"], f["cert_sha256"]) for f in doc[key]}
for key, want in (("new_findings", want_new), ("resolved_findings", want_resolved)):
    if got(key) != want:
        errs.append(f"{key}: extra {sorted(got(key) - want)}, missing {sorted(want - got(key))}")
    if len(doc[key]) != len(want):
        errs.append(f"{key}: {len(doc[key])} entries for {len(want)} findings")
c = doc["counts"]
if doc["changed"] is not True or c["new_findings"] != len(want_new) or c["resolved_findings"] != len(want_resolved):
    errs.append(f"counts {c}")

counts = (f"1 new endpoint, 1 vanished, 2 changed certificates, {len(want_new)} new "
          f"finding{'' if len(want_new) == 1 else 's'}, {len(want_resolved)} resolved")
if counts not in text:
    errs.append(f"text lacks the counts line {counts!r}")
groups = {}
cur = None
for line in text.splitlines():
    if line and not line.startswith(" "):
        cur = line.split(" (")[0]
        groups[cur] = []
    elif cur and line.startswith("  "):
        groups[cur].append(line)
def lines(name):
    return groups.get(name, [])
if not any("127.13.0.4:" in l for l in lines("New endpoints")):
    errs.append(f"text: New endpoints {lines('New endpoints')}")
if not any("127.13.0.3:" in l for l in lines("Vanished endpoints")):
    errs.append(f"text: Vanished endpoints {lines('Vanished endpoints')}")
changed = [l for l in lines("Changed certificates") if l.startswith("  ~")]
if sorted(l.split()[1].split(":")[0] for l in changed) != ["127.13.0.1", "127.13.0.2"]:
    errs.append(f"text: Changed certificates {changed}")
if len(lines("New findings")) != len(want_new) or len(lines("Resolved findings")) != len(want_resolved):
    errs.append(f"text: {len(lines('New findings'))} new / {len(lines('Resolved findings'))} resolved lines")
if not any("cert.expired" in l and "127.13.0.2:" in l for l in lines("Resolved findings")):
    errs.append(f"text: cert.expired on 127.13.0.2 not among resolved: {lines('Resolved findings')}")
for e in errs:
    print(e, file=sys.stderr)
sys.exit(1 if errs else 0)
PY

cs_scan same diff 2 2 --db "$DB"
[[ $CS_RC == 0 ]] || fail "diff of a sweep against itself exited $CS_RC, expected 0"
grep -q "No changes" "$D/same.out" || fail "diff 2 2 does not say 'No changes': $(cat "$D/same.out")"
cs_scan unknown diff 1 99 --db "$DB"
[[ $CS_RC == 2 ]] || fail "diff 1 99 exited $CS_RC, expected 2"
grep -q "99" "$D/unknown.err" || fail "the error does not name sweep 99: $(cat "$D/unknown.err")"
cs_scan missing diff --db "$D/none.db"
[[ $CS_RC == 3 ]] || fail "diff on a missing database exited $CS_RC, expected 3"
echo "ok"
