#!/usr/bin/env bash
# t_sniff_damaged.sh: passive acceptance 3.  tls-expired-cert.pcap holds
# two TLS connections (frames 1-27 and 28-49).  Damaged copies:
#   - cut in the middle of frame 33 (the second server's certificates):
#     exit 3, a message naming the file and frame 33, the first
#     connection's observation exactly as from the intact file, and no
#     certificate that the intact file does not show at that position;
#   - cut inside the record header of frame 40 (both server flights are
#     complete before it): exit 3, "frame 40", both observations kept;
#   - 24 copies with 16 random bytes flipped after frame 28 (fixed seeds):
#     exit 0 or 3 (3 with the file and a frame named), never a crash, the
#     first observation kept as it was;
#   - 8 copies with bytes flipped anywhere: exit 0 or 3, never a crash.
# No network.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

D=$CS_TEST_DIR
SRC=$CS_ROOT/tests/data/pcaps/tls-expired-cert.pcap

"$CS_PY" - "$SRC" "$D" <<'PY' || fail "could not make the damaged copies"
import random, struct, sys
src, d = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
offs, off = [], 24
while off < len(data):
    offs.append(off)
    off += 16 + struct.unpack("<I", data[off + 8:off + 12])[0]
assert len(offs) == 49, len(offs)
open(f"{d}/cut33.pcap", "wb").write(data[:offs[32] + 16 + 700])
open(f"{d}/cut40.pcap", "wb").write(data[:offs[39] + 8])
for seed in range(32):
    r = random.Random(seed)
    b = bytearray(data)
    lo = offs[27] if seed < 24 else 24
    for _ in range(16):
        b[r.randrange(lo, len(b))] ^= 1 << r.randrange(8)
    open(f"{d}/flip{seed}.pcap", "wb").write(bytes(b))
PY

sniff() { # NAME FILE
	cs_scan "$1" sniff -r "$2" --json --db "$D/$1.db" --expiring-days 30
	((CS_RC < 64)) || fail "$1: certsweep crashed or was killed (exit $CS_RC): $(tail -3 "$D/$1.err")"
}

# same NAME N [prefix]: NAME's observations are the intact file's first N;
# with "prefix", any further one shows only a prefix of the intact chain at
# its position (a cut file: flipped bytes may change a certificate)
same() {
	"$CS_PY" - "$D/intact.out" "$D/$1.out" "$2" "${3:-}" <<'PY'
import json, sys
def load(p):
    return [json.loads(l) for l in open(p) if l.strip()]
def key(o):
    return (o["ip"], o["port"], o["status"], o.get("version"), o.get("cipher"),
            [c["sha256"] for c in o.get("chain", [])],
            sorted((f["rule"], f["depth"]) for f in o["findings"]))
intact, got, n = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
assert len(got) >= n, f"{len(got)} observations, want at least {n}"
for i in range(n):
    assert key(got[i]) == key(intact[i]), f"observation {i}: {key(got[i])} != {key(intact[i])}"
for i in range(n, len(got) if sys.argv[4] == "prefix" else n):
    a = [c["sha256"] for c in got[i].get("chain", [])]
    b = [c["sha256"] for c in intact[i].get("chain", [])] if i < len(intact) else []
    assert a == b[:len(a)], f"observation {i}: chain {a} not a prefix of {b}"
PY
}

sniff intact "$SRC"
[[ $CS_RC == 0 ]] || fail "intact capture: exit $CS_RC"
[[ $(wc -l <"$D/intact.out") == 2 ]] || fail "intact capture: $(wc -l <"$D/intact.out") observations, want 2"

for cut in 33 40; do
	sniff "cut$cut" "$D/cut$cut.pcap"
	[[ $CS_RC == 3 ]] || fail "cut$cut: exit $CS_RC, want 3"
	grep -q "cut$cut.pcap: frame $cut: " "$D/cut$cut.err" ||
	    fail "cut$cut: no message naming the file and frame $cut: $(cat "$D/cut$cut.err")"
	keep=$((cut == 33 ? 1 : 2))
	same "cut$cut" "$keep" prefix || fail "cut$cut: observations before the damage differ"
	note "cut in frame $cut: exit 3, '$(head -1 "$D/cut$cut.err")', $keep kept"
done

errs=0
for ((seed = 0; seed < 32; seed++)); do
	sniff "flip$seed" "$D/flip$seed.pcap"
	case $CS_RC in
	0) ;;
	3) grep -q "flip$seed.pcap: frame [0-9]*: " "$D/flip$seed.err" ||
	    fail "flip$seed: exit 3 without naming file and frame: $(cat "$D/flip$seed.err")"
	   errs=$((errs + 1)) ;;
	*) fail "flip$seed: exit $CS_RC: $(tail -3 "$D/flip$seed.err")" ;;
	esac
	if ((seed < 24)); then
		same "flip$seed" 1 || fail "flip$seed: the first observation changed"
	fi
done
note "32 corrupted copies: $errs stopped with a read error, the rest read to the end; none crashed"

# libpcap is loaded by sniff alone (dlopen): the binary does not link it,
# and without it (an empty file bind-mounted over it in a private mount
# namespace) sniff names the package to install and exits 3.
if ldd "$CERTSWEEP" | grep -q 'libpcap\|libdbus'; then
	fail "certsweep is linked with libpcap or its dependencies: $(ldd "$CERTSWEEP" | grep 'libpcap\|libdbus')"
fi
lib=$(ldconfig -p 2>/dev/null | awk '$1 == "libpcap.so.0.8" && /x86-64/ { print $NF; exit }')
if [[ -n $lib ]] && ((EUID == 0)) && command -v unshare >/dev/null; then
	CS_RC=0
	unshare -m sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' \
	    sh "$lib" "$CERTSWEEP" sniff -r "$SRC" --db "$D/nolib.db" \
	    >"$D/nolib.out" 2>"$D/nolib.err" || CS_RC=$?
	[[ $CS_RC == 3 ]] || fail "without libpcap: exit $CS_RC, want 3: $(cat "$D/nolib.err")"
	grep -q "tls-expired-cert.pcap: sniff needs libpcap (cannot load libpcap.so.0.8: .*); install the libpcap0.8 package" \
	    "$D/nolib.err" || fail "without libpcap: no message naming the package: $(cat "$D/nolib.err")"
	note "without libpcap: exit 3, '$(head -1 "$D/nolib.err")'"
else
	note "missing-libpcap case not run (needs root, unshare and libpcap.so.0.8)"
fi
