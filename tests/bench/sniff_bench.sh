#!/usr/bin/env bash
# sniff_bench.sh: how fast `certsweep sniff -r` reads a large capture,
# beside tshark extracting the same certificate fields (passive
# acceptance 4).  Called at the end of bench.sh, or alone:
#
#   tests/bench/sniff_bench.sh /abs/path/to/certsweep
#
# 1. A seed capture of real handshakes.  From bench.sh (SNIFF_NS, SNIFF_PORT,
#    SNIFF_TARGETS set, the lab up in its namespace): a Python AF_PACKET
#    recorder on the lab's loopback while a Python client makes one TLS
#    1.2 handshake with every server of the lab (the lab also allows TLS
#    1.3, whose certificates are encrypted: nothing to see passively).
#    Alone (or without root): the Ethernet captures of tests/data/pcaps.
# 2. The seed repeated, each copy with its own client addresses
#    (10.K.K.x) and timestamps shifted past the previous copy, up to
#    SNIFF_MB (default 512) MB: tests/bench/.work/sniff-big.pcap (kept
#    between runs for the same seed size and SNIFF_MB).
# 3. `certsweep sniff -r big.pcap --json --db X` and `tshark -r big.pcap
#    -Y tls.handshake.certificate -T fields -e ...` (subject, issuer,
#    serial, validity, SANs of every certificate), each under GNU time:
#    wall s, packets/s, MB/s, peak RSS, certificates reported; the ratio.
# Figures are printed and appended to tests/bench/.work/results.txt;
# nothing is asserted.  tshark comes from scripts/deps.sh (DEPS_EXTRA) when
# root, and is skipped with a note otherwise.
set -eu
set -o pipefail

die() { echo "sniff_bench.sh: $*" >&2; exit 1; }
log() { echo "sniff_bench.sh: $*" >&2; }

[ $# -eq 1 ] || die "usage: tests/bench/sniff_bench.sh /path/to/certsweep"
BIN=$1
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
[ -x "$BIN" ] || die "$BIN is not an executable"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$HERE/.work
MB=${SNIFF_MB:-512}
NS=${SNIFF_NS:-}
PORT=${SNIFF_PORT:-8443}
TARGETS=${SNIFF_TARGETS:-}
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
RUN=$WORK/sniff.$$
REC_PID=""
mkdir -p "$RUN"

cleanup() {
	if [ -n "$REC_PID" ] && [ -d "/proc/$REC_PID" ]; then
		kill -TERM "$REC_PID" 2>/dev/null || true
		wait "$REC_PID" 2>/dev/null || true
	fi
	rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_ns() {
	if [ -n "$NS" ]; then ip netns exec "$NS" "$@"; else "$@"; fi
}

# ---------------------------------------------------------------- seed
# record.py IFACE OUT READY: every frame seen on IFACE (once: loopback
# shows outgoing frames twice) into a pcap, until SIGTERM.
record_seed() {
	cat >"$RUN/record.py" <<'PY'
import signal, socket, struct, sys, time
iface, out, ready = sys.argv[1:]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((iface, 0))
s.settimeout(0.2)
f = open(out, "wb")
f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
stop = []
signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
open(ready, "w").close()
while not stop:
    try:
        data, addr = s.recvfrom(262144)
    except (socket.timeout, InterruptedError):
        continue
    if addr[2] == socket.PACKET_OUTGOING:
        continue
    t = time.time()
    f.write(struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(data), len(data)))
    f.write(data)
f.close()
PY
	# started directly, not through in_ns: ip netns exec execs python, so
	# $! is the recorder's own PID
	ip netns exec "$NS" "$PY" "$RUN/record.py" lo "$RUN/seed.pcap" "$RUN/ready" &
	REC_PID=$!
	for _ in $(seq 50); do [ -e "$RUN/ready" ] && break; sleep 0.1; done
	[ -e "$RUN/ready" ] || die "the recorder did not start"
	in_ns timeout -k 5 300 "$PY" - "$TARGETS" 2>"$RUN/seed.err" <<'PY' || log "seed handshakes: exit $?"
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
n = 0
for line in open(sys.argv[1]):
    host, port = line.strip().rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=5) as s:
            with ctx.wrap_socket(s) as t:
                n += 1
    except OSError as e:
        print(f"{host}:{port}: {e}", file=sys.stderr)
print(f"{n} TLS 1.2 handshakes", file=sys.stderr)
PY
	sleep 0.5
	kill -TERM "$REC_PID"
	wait "$REC_PID" || true
	REC_PID=""
}

# the Ethernet captures of tests/data/pcaps, one after the other, each
# moved in time to start 10 s after the previous one ended
corpus_seed() {
	"$PY" - "$RUN/seed.pcap" "$ROOT"/tests/data/pcaps/*.pcap <<'PY'
import struct, sys
out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
now = 1400000000
for p in sys.argv[2:]:
    d = open(p, "rb").read()
    if struct.unpack("<I", d[:4])[0] != 0xa1b2c3d4 or struct.unpack("<I", d[20:24])[0] != 1:
        continue
    off, first, last = 24, None, 0
    while off + 16 <= len(d):
        ts, us, incl, orig = struct.unpack("<IIII", d[off:off + 16])
        first = ts if first is None else first
        last = ts - first + now
        out.write(struct.pack("<IIII", last, us, incl, orig))
        out.write(d[off + 16:off + 16 + incl])
        off += 16 + incl
    now = last + 10
PY
}

# ---------------------------------------------------------------- big file
grow() {
	"$PY" - "$RUN/seed.pcap" "$BIG" "$MB" <<'PY'
import struct, sys
seed, out, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = open(seed, "rb").read()
hdr, recs, off = d[:24], [], 24
while off + 16 <= len(d):
    ts, us, incl, orig = struct.unpack("<IIII", d[off:off + 16])
    recs.append((ts, us, bytearray(d[off + 16:off + 16 + incl]), orig))
    off += 16 + incl
t0 = recs[0][0]
span = recs[-1][0] - t0 + 60
def client_ip_at(fr):
    """Offset of the client's IPv4 address (the side with the larger port)."""
    if len(fr) < 34 or fr[12:14] != b"\x08\x00" or fr[14] >> 4 != 4:
        return None
    ihl = (fr[14] & 15) * 4
    if fr[23] != 6 or len(fr) < 14 + ihl + 4:
        return None
    sp, dp = struct.unpack(">HH", fr[14 + ihl:18 + ihl])
    return 26 if sp > dp else 30
f = open(out, "wb")
f.write(hdr)
size, k, limit = 24, 0, mb * 1024 * 1024
while size < limit:
    k += 1
    for ts, us, fr, orig in recs:
        a = client_ip_at(fr)
        if a is not None:
            fr[a:a + 3] = bytes((10, (k >> 8) & 255, k & 255))
        f.write(struct.pack("<IIII", ts - t0 + 1500000000 + k * span, us, len(fr), orig))
        f.write(fr)
        size += 16 + len(fr)
f.close()
print(k)
PY
}

# ---------------------------------------------------------------- runs
# timed NAME CMD...: CMD under GNU time; prints "wall rss_mb rc"
timed() {
	local name=$1 rc=0
	shift
	/usr/bin/time -v -o "$RUN/$name.time" "$@" >"$RUN/$name.out" 2>"$RUN/$name.err" || rc=$?
	awk -v rc="$rc" '
		/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); w = 0
			for (i = 1; i <= n; i++) w = w * 60 + p[i] }
		/Maximum resident set size/ { r = $NF }
		END { printf "%.2f %.1f %d\n", w, r / 1024, rc }' "$RUN/$name.time"
}

if [ -n "$TARGETS" ] && [ -n "$NS" ]; then
	log "recording a TLS 1.2 handshake with each of the lab's $(wc -l <"$TARGETS") endpoints"
	record_seed
else
	log "no lab namespace: seed = the Ethernet captures in tests/data/pcaps"
	corpus_seed
fi
SEED_BYTES=$(stat -c %s "$RUN/seed.pcap")
((SEED_BYTES > 1000)) || die "the seed capture is empty"
BIG=$WORK/sniff-big.pcap
STAMP="seed=$SEED_BYTES mb=$MB"
if [ -s "$BIG" ] && [ "$(cat "$BIG.stamp" 2>/dev/null)" = "$STAMP" ]; then
	log "reusing ${BIG#"$ROOT"/}"
else
	log "writing ${BIG#"$ROOT"/}: the $SEED_BYTES-byte seed repeated up to $MB MB"
	copies=$(grow)
	echo "$STAMP" >"$BIG.stamp"
	log "$copies copies"
fi
BYTES=$(stat -c %s "$BIG")
PKTS=$("$PY" - "$BIG" <<'PY'
import struct, sys
n, off = 0, 24
with open(sys.argv[1], "rb") as f:
    f.seek(24)
    while True:
        h = f.read(16)
        if len(h) < 16:
            break
        f.seek(struct.unpack("<I", h[8:12])[0], 1)
        n += 1
print(n)
PY
)

rate() { # WALL: "packets/s MB/s"
	awk -v w="$1" -v p="$PKTS" -v b="$BYTES" 'BEGIN {
		if (w <= 0) w = 0.01
		printf "%.0f %.1f\n", p / w, b / 1048576 / w }'
}

rm -f "$RUN/cs.db"
read -r cw crss crc < <(timed certsweep "$BIN" sniff -r "$BIG" --json --db "$RUN/cs.db" -v)
ccerts=$("$PY" -c 'import json, sys
print(sum(len(json.loads(l).get("chain", [])) for l in open(sys.argv[1]) if l.strip()))' "$RUN/certsweep.out")
# TLS connections parsed (repeats are parsed, then not stored again)
cconns=$(sed -n 's/.* \([0-9]*\) TLS (.*/\1/p' "$RUN/certsweep.err" | tail -1)
read -r cpps cmbs < <(rate "$cw")

if ! command -v tshark >/dev/null && [ "$(id -u)" = 0 ]; then
	log "installing tshark (bench only)"
	DEPS_GROUPS=build DEPS_EXTRA=tshark "$ROOT/scripts/deps.sh" >&2 || log "tshark could not be installed"
fi
tline="tshark: not installed (scripts/deps.sh with DEPS_EXTRA=tshark as root): skipped"
if command -v tshark >/dev/null; then
	read -r tw trss trc < <(timed tshark tshark -r "$BIG" -n -d "tcp.port==$PORT,tls" \
	    -Y tls.handshake.certificate -T fields -E separator=/t \
	    -e x509sat.printableString -e x509sat.uTF8String -e x509af.serialNumber \
	    -e x509af.utcTime -e x509af.generalizedTime -e x509ce.dNSName \
	    -e x509af.algorithm.id)
	tcerts=$(grep -c . "$RUN/tshark.out" || true)
	read -r tpps tmbs < <(rate "$tw")
	tline=$(printf '%-10s %8s %12s %8s %12s %22s %6s' tshark "$tw" "$tpps" "$tmbs" "$trss" \
	    "$tcerts w/ certs" "$trc")
	ratio=$(awk -v a="$tw" -v b="$cw" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
fi
{
	echo "sniff -r bench $(date -u +%Y-%m-%dT%H:%M:%SZ): $((BYTES / 1048576)) MB," \
	    "$PKTS packets (seed ${SEED_BYTES} bytes, repeated)"
	printf '%-10s %8s %12s %8s %12s %22s %6s\n' tool "wall s" "packets/s" "MB/s" "peak RSS MB" "handshakes seen" exit
	printf '%-10s %8s %12s %8s %12s %22s %6s\n' certsweep "$cw" "$cpps" "$cmbs" "$crss" \
	    "${cconns:-?} TLS conns" "$crc"
	echo "  (certsweep stores each distinct connection once: $ccerts certificates in its JSON)"
	echo "$tline"
	[ -n "${ratio:-}" ] && echo "certsweep is ${ratio}x tshark's speed (target: >= 10x)"
	echo
} | tee -a "$WORK/results.txt"
