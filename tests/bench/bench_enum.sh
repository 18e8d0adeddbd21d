# shellcheck shell=bash
# bench_enum.sh: protocol/cipher enumeration per endpoint, certsweep --enum
# beside sslscan and testssl.sh on the same lab servers.  Sourced by
# bench.sh after the lab is up (uses its in_ns, addr_of, BIN, RUN, PORT,
# PY).  Prints figures; asserts nothing.
#
#   BENCH_ENUM_N   endpoints for certsweep and sslscan (default 16)
#   BENCH_ENUM_T   endpoints for testssl.sh (default 1; -E takes minutes on
#                  this machine and is cut at 150 s per endpoint)

bench_enum() {
	local n=${BENCH_ENUM_N:-16} nt=${BENCH_ENUM_T:-1} i t0 t1 cs ss ts
	: >"$RUN/enum-targets"
	# skip the six defect targets: plain lab servers, one configuration
	for ((i = 7; i < 7 + n; i++)); do
		echo "$(addr_of "$i"):$PORT" >>"$RUN/enum-targets"
	done
	t0=$(date +%s.%N)
	in_ns timeout -k 5 600 "$BIN" scan -iL "$RUN/enum-targets" --enum --json -q \
	    --db "$RUN/enum.db" >"$RUN/enum.out" 2>"$RUN/enum.err" || true
	t1=$(date +%s.%N)
	cs=$(awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN { printf "%.3f", (b - a) / n }')

	ss=skipped
	if command -v sslscan >/dev/null; then
		t0=$(date +%s.%N)
		in_ns timeout -k 5 600 sslscan --no-colour --xml="$RUN/sslscan.xml" \
		    --targets="$RUN/enum-targets" >/dev/null 2>&1 || true
		t1=$(date +%s.%N)
		ss=$(awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN { printf "%.3f", (b - a) / n }')
	fi
	ts=skipped
	if command -v testssl.sh >/dev/null || command -v testssl >/dev/null; then
		local tbin
		tbin=$(command -v testssl.sh || command -v testssl)
		head -n "$nt" "$RUN/enum-targets" >"$RUN/enum-targets-t"
		t0=$(date +%s.%N)
		while read -r target; do
			in_ns timeout -k 5 150 "$tbin" --quiet --color 0 -E --nodns none \
			    --jsonfile "$RUN/testssl-${target%%:*}.json" "$target" \
			    >/dev/null 2>&1 || true
		done <"$RUN/enum-targets-t"
		t1=$(date +%s.%N)
		ts=$(awk -v a="$t0" -v b="$t1" -v n="$nt" 'BEGIN { printf "%.3f", (b - a) / n }')
	fi
	"$PY" - "$RUN/enum.out" "$RUN/sslscan.xml" "$cs" "$ss" "$ts" <<'PY'
import json, sys, xml.etree.ElementTree as ET
ours, xmlpath, cs, ss, ts = sys.argv[1:6]
found = {}
for line in open(ours):
    o = json.loads(line)
    e = o.get("enum") or {}
    suites = set()
    for v, d in (e.get("ciphers") or {}).items():
        for s in d.get("suites", []):
            suites.add((v, s.get("openssl") or s.get("iana")))
    found[o["ip"]] = suites
missing = 0
try:
    root = ET.parse(xmlpath).getroot()
    for t in root.iter("ssltest"):
        host = t.get("host")
        theirs = {(c.get("sslversion").replace("TLSv1.0", "TLSv1"), c.get("cipher"))
                  for c in t.iter("cipher") if c.get("status") in ("accepted", "preferred")}
        mine = {(v, c) for v, c in found.get(host, set())}
        lost = {x for x in theirs if x not in mine}
        missing += len(lost)
        for x in sorted(lost)[:5]:
            print(f"  sslscan found {x[1]} ({x[0]}) on {host}, certsweep did not")
    cmp = f"suites sslscan found that certsweep missed: {missing}"
except (OSError, ET.ParseError):
    cmp = "sslscan: no output to compare"
ratio = f"{float(ss) / float(cs):.1f}x" if ss != "skipped" and float(cs) > 0 else "-"
print(f"--enum per endpoint: certsweep {cs} s, sslscan {ss} s ({ratio} slower), "
      f"testssl.sh -E {ts} s; {cmp}")
PY
}
