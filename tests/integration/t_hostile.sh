#!/usr/bin/env bash
# t_hostile.sh: servers that misbehave (lib/hostile.py, one port each: silent,
# one byte a second, endless records, a ~1 MB chain, 10,000 SANs, garbage
# after the ServerHello, an RST mid-handshake, an alert storm, an SMTP
# server without greeting, and a well-behaved control).  One sweep of all of
# them with --timeout 2, in parallel, per grab mode (the default, and
# --grab openssl):
#   - each endpoint ends with its expected status (a set where two answers
#     are both right: a 1 MB chain may be refused over a size cap (the
#     raw grab says protocol-error, OpenSSL tls-error) or accepted with the
#     first certificates; an endless message may be cut by a cap or by the
#     deadline); the 10,000-SAN leaf is valid: ok;
#   - the sweep ends within timeout * 2 steps + 1 s (+ 1 s of slack for a
#     loaded machine): no behaviour holds a connection beyond its deadline;
#   - the scanner's peak RSS (GNU time, VmHWM) stays under 64 MiB while a
#     server pushes an endless stream and another a 1 MB chain.
# Needs root (a network namespace: port 25 and servers off the host).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cs_ns_setup need
D=$CS_TEST_DIR
C=$D/certs
mkdir -p "$C"
RSS_MAX_KB=$((64 * 1024))
TMO=2

# ---------------------------------------------------------------- certificates
cp "$CS_PKI/good.pem" "$C/leaf.pem"
cp "$CS_PKI/good.key" "$C/leaf.key"
# ~1 MB: the leaf, then the intermediate over and over (a server sends
# every certificate of its chain file as it is)
{
	cat "$CS_PKI/good.pem"
	n=$((1048576 / $(openssl x509 -in "$CS_PKI/int.pem" -outform DER | wc -c) + 1))
	for ((i = 0; i < n; i++)); do cat "$CS_PKI/int.pem"; done
} >"$C/bigchain.pem"
{
	echo "[req]"
	echo "distinguished_name = dn"
	echo "prompt = no"
	echo "[dn]"
	echo "CN = sans.test"
	echo "[ext]"
	echo "subjectAltName = @alt"
	echo "[alt]"
	for ((i = 1; i <= 10000; i++)); do echo "DNS.$i = s$i.sans.test"; done
} >"$C/sans.cnf"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$C/sans.key" -out "$C/sans.pem" -days 30 -config "$C/sans.cnf" \
    -extensions ext 2>"$D/sans.err" || fail "openssl: $(head -3 "$D/sans.err")"
note "chain $(($(wc -c <"$C/bigchain.pem") / 1024)) KiB PEM; 10,000-SAN leaf $(($(openssl x509 -in "$C/sans.pem" -outform DER | wc -c) / 1024)) KiB DER"

# ---------------------------------------------------------------- servers
cs_bg_ns "$CS_PY" "$CS_ROOT/tests/integration/lib/hostile.py" --host 127.0.0.1 \
    --cert-dir "$C" --ready "$D/ready"
for ((i = 0; i < 100; i++)); do
	[[ -s $D/ready ]] && break
	sleep 0.1
done
[[ -s $D/ready ]] || fail "hostile.py did not start"

# port, what, expected statuses (|-separated)
cat >"$D/cases" <<'EOF'
9001 silent io-timeout
9002 trickle io-timeout
9003 endless tls-error|protocol-error|io-timeout
9004 bigchain ok|tls-error|protocol-error
9005 sans ok
9006 garbage protocol-error|tls-error
9007 reset closed
9008 alerts tls-error
9009 good ok
25 smtp-mute io-timeout
EOF
awk '{ print "127.0.0.1:" $1 }' "$D/cases" >"$D/targets"

# sweep NAME ARGS...: all cases at once under GNU time; checks statuses,
# wall clock and peak RSS
sweep() {
	local name=$1 t0 t1 wall rss port what want got bad=0
	shift
	t0=$(date +%s.%N)
	cs_in_ns /usr/bin/time -v -o "$D/$name.time" timeout -k 5 60 "$CERTSWEEP" scan \
	    -iL "$D/targets" --timeout "$TMO" --json --db "$D/$name.db" "$@" \
	    >"$D/$name.out" 2>"$D/$name.err" || true
	t1=$(date +%s.%N)
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	rss=$(awk '/Maximum resident set size/ { print $NF }' "$D/$name.time")
	cs_check jsonl "$D/$name.out" || fail "$name: JSON output malformed"
	while read -r port what want; do
		got=$("$CS_PY" -c 'import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["port"] == int(sys.argv[2]):
        print(o["status"] + "\t" + o.get("reason", "") + "\t" + str(len(o.get("chain") or [])))' \
		    "$D/$name.out" "$port")
		note "$name $what: ${got:-(no observation)}"
		if [[ $(grep -c . <<<"$got") != 1 ]]; then
			echo "$name: $what (port $port): expected one observation, got: $got" >&2
			bad=1
		elif [[ "|$want|" != *"|${got%%$'\t'*}|"* ]]; then
			echo "$name: $what (port $port): status ${got%%$'\t'*}, expected $want" >&2
			bad=1
		fi
	done <"$D/cases"
	note "$name: wall $wall s, peak RSS $((rss / 1024)) MiB"
	((bad == 0)) || fail "$name: wrong statuses (above)"
	awk -v w="$wall" -v t="$TMO" 'BEGIN { exit !(w < 2 * t + 2) }' ||
	    fail "$name: the sweep took $wall s with --timeout $TMO (bound $((2 * TMO + 2)) s): a behaviour outlived its deadline"
	((rss < RSS_MAX_KB)) || fail "$name: peak RSS $((rss / 1024)) MiB (bound $((RSS_MAX_KB / 1024)) MiB)"
}

sweep default
sweep openssl --grab openssl
echo "ok"
