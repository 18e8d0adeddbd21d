#!/usr/bin/env bash
# t_listeners.sh: 210 real TLS listeners on distinct 127.10.0.x addresses
# (one nginx, one server block and one ECDSA leaf per address) and 10 closed
# ports on 127.11.0.x.  One scan from a target file: every listener's leaf
# in the JSON output and in the database is the certificate nginx serves
# (SHA-256 of the file, as openssl computes it); every closed port is
# "refused".  A second scan at --concurrency 3 in a shuffled order passes
# each socket from endpoint to endpoint (conn.c keeps a finished raw grab's
# socket for the next), between listeners and closed ports alike: the same
# answers, all by the raw grab.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N=210
CLOSED=10
cs_ns_setup any
P=$CS_PORT
D=$CS_TEST_DIR
mkdir -p "$D/leaf" "$D/nginx"

# one ECDSA leaf per address, signed by the fixture root; its fingerprint
# alongside (openssl x509 -fingerprint -sha256, colons removed, lower case)
gen() {
	local i
	for i; do
		openssl req -x509 -config "$CS_PKI/openssl.cnf" -extensions leaf_ext \
		    -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		    -keyout "$D/leaf/$i.key" -out "$D/leaf/$i.pem" -days 30 \
		    -subj "/CN=l$i.test" -addext "subjectAltName=DNS:l$i.test,IP:127.10.0.$i" \
		    -CA "$CS_PKI/root.pem" -CAkey "$CS_PKI/root.key" 2>/dev/null || return 255
		openssl x509 -noout -fingerprint -sha256 -in "$D/leaf/$i.pem" |
		    sed 's/^.*=//; s/://g' | tr 'A-F' 'a-f' >"$D/leaf/$i.fp" || return 255
	done
}
export -f gen
export D
t0=$SECONDS
seq 1 "$N" | xargs -P 2 -n 35 bash -c 'gen "$@"' _ || fail "generating the leaf certificates failed"
note "$N leaf certificates in $((SECONDS - t0)) s"

: >"$D/nginx/servers.conf"
: >"$D/targets"
: >"$D/expect.tsv"
for ((i = 1; i <= N; i++)); do
	[[ -s $D/leaf/$i.fp ]] || fail "leaf $i missing"
	printf '  server { listen 127.10.0.%d:%d ssl; ssl_certificate %s; ssl_certificate_key %s; return 200 "l%d\\n"; }\n' \
	    "$i" "$P" "$D/leaf/$i.pem" "$D/leaf/$i.key" "$i" >>"$D/nginx/servers.conf"
	echo "127.10.0.$i:$P" >>"$D/targets"
	printf '127.10.0.%d\t%d\tok\t%s\n' "$i" "$P" "$(cat "$D/leaf/$i.fp")" >>"$D/expect.tsv"
done
for ((i = 1; i <= CLOSED; i++)); do
	echo "127.11.0.$i:$P" >>"$D/targets"
	printf '127.11.0.%d\t%d\trefused\t-\n' "$i" "$P" >>"$D/expect.tsv"
done

cs_nginx_start "$D/nginx" 127.10.0.1 "$P"
cs_wait_tcp "127.10.0.$N" "$P" 50 || fail "nginx does not listen on 127.10.0.$N:$P"
note "nginx up with $N server blocks"

t0=$SECONDS
cs_scan scan scan -iL "$D/targets" --json --db "$D/scan.db" --ca-file "$CS_PKI/root.pem" \
    --timeout 5
note "scan of $((N + CLOSED)) endpoints: exit $CS_RC in $((SECONDS - t0)) s"
[[ $CS_RC == 0 ]] || fail "certsweep exited $CS_RC, expected 0; stderr: $(head -5 "$D/scan.err")"

cs_check jsonl "$D/scan.out" || fail "JSON output malformed"
cs_check expect "$D/scan.out" "$D/expect.tsv" || fail "JSON output differs from the lab"
cs_check dbleaf "$D/scan.db" "$D/expect.tsv" || fail "database differs from the lab"

cs_scan few scan -iL "$D/targets" --json --db "$D/few.db" --ca-file "$CS_PKI/root.pem" \
    --timeout 5 --concurrency 3 --seed 7
[[ $CS_RC == 0 ]] || fail "--concurrency 3: exit $CS_RC, expected 0; stderr: $(head -5 "$D/few.err")"
cs_check expect "$D/few.out" "$D/expect.tsv" || fail "--concurrency 3: JSON output differs from the lab"
cs_check dbleaf "$D/few.db" "$D/expect.tsv" || fail "--concurrency 3: database differs from the lab"
# and by the raw grab every time: a socket that came back unusable would
# have sent the endpoint to OpenSSL's fallback
grabs=$("$CS_PY" -c 'import collections, json, sys
print(dict(collections.Counter(json.loads(l)["grab"] for l in open(sys.argv[1])
    if json.loads(l)["status"] == "ok")))' "$D/few.out")
[[ $grabs == "{'raw': $N}" ]] || fail "--concurrency 3: grabs $grabs, expected $N raw"
echo "ok"
