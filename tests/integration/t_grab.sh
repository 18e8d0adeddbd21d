#!/usr/bin/env bash
# t_grab.sh: the raw certificate grab against OpenSSL handshakes.
#   - 40 nginx servers (leaf + intermediate chains, ECDSA and RSA leaves,
#     one RSA-only cipher configuration): --grab raw and --grab openssl
#     record byte-identical chains for every endpoint;
#   - a TLS 1.3-only openssl s_server: --grab raw reports tls-error with
#     a reason, --grab auto (the default) falls back to OpenSSL and gets
#     the certificate with TLSv1.3;
#   - a server answering garbage: protocol-error with either grab.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cs_ns_setup any
D=$CS_TEST_DIR
P=$CS_PORT
K=$CS_PKI
N=40
mkdir -p "$D/nginx" "$D/leaf"

# half ECDSA, half RSA leaves, all signed by the fixture intermediate
for ((i = 1; i <= N; i++)); do
	if ((i % 2)); then key=(-newkey ec -pkeyopt ec_paramgen_curve:P-256); else key=(-newkey rsa:2048); fi
	openssl req -x509 -config "$K/openssl.cnf" -extensions leaf_ext "${key[@]}" -nodes \
	    -keyout "$D/leaf/$i.key" -out "$D/leaf/$i.pem" -days 30 -subj "/CN=g$i.test" \
	    -addext "subjectAltName=DNS:g$i.test,IP:127.15.0.$i" \
	    -CA "$K/int.pem" -CAkey "$K/int.key" 2>/dev/null || fail "cannot make leaf $i"
	cat "$D/leaf/$i.pem" "$K/int.pem" >"$D/leaf/$i-chain.pem"
	extra=""
	((i == 2)) && extra="ssl_ciphers ECDHE-RSA-AES256-GCM-SHA384:AES128-SHA; ssl_prefer_server_ciphers on;"
	printf '  server { listen 127.15.0.%d:%d ssl; ssl_certificate %s; ssl_certificate_key %s; %s return 200 "g%d\\n"; }\n' \
	    "$i" "$P" "$D/leaf/$i-chain.pem" "$D/leaf/$i.key" "$extra" "$i"
done >"$D/nginx/servers.conf"
cs_nginx_start "$D/nginx" 127.15.0.1 "$P"

for g in raw openssl; do
	cs_scan "$g" scan "127.15.0.1-$N" -p "$P" --grab "$g" --json --db "$D/$g.db"
	[[ $CS_RC == 0 ]] || fail "--grab $g exited $CS_RC: $(head -3 "$D/$g.err")"
	cs_check jsonl "$D/$g.out" >/dev/null || fail "--grab $g: JSON malformed"
done
"$CS_PY" - "$D/raw.out" "$D/openssl.out" "$N" <<'PY' || fail "raw and OpenSSL grabs differ"
import json, sys
def chains(path):
    out = {}
    for line in open(path):
        o = json.loads(line)
        out[o["ip"]] = (o["status"], o.get("grab"), [c["sha256"] for c in o.get("chain", [])])
    return out
raw, ossl, n = chains(sys.argv[1]), chains(sys.argv[2]), int(sys.argv[3])
bad = 0
for ip in sorted(set(raw) | set(ossl)):
    r, s = raw.get(ip), ossl.get(ip)
    if r is None or s is None or r[0] != "ok" or s[0] != "ok" or r[2] != s[2] or len(r[2]) != 2:
        print(f"{ip}: raw {r} openssl {s}", file=sys.stderr)
        bad += 1
    elif r[1] != "raw" or s[1] != "openssl":
        print(f"{ip}: grab methods {r[1]}/{s[1]}", file=sys.stderr)
        bad += 1
if len(raw) != n:
    print(f"{len(raw)} endpoints, expected {n}", file=sys.stderr)
    bad += 1
sys.exit(bad > 0)
PY
note "$N endpoints: raw and OpenSSL chains byte-identical"

# TLS 1.3 only: raw cannot, auto falls back
P13=$((P + 1))
cs_bg_ns openssl s_server -quiet -tls1_3 -accept "127.15.1.1:$P13" -cert "$K/good.pem" \
    -key "$K/good.key" -cert_chain "$K/int.pem" -naccept 100
cs_wait_tcp 127.15.1.1 "$P13" || fail "s_server (TLS 1.3) did not start"
cs_scan t13raw scan "127.15.1.1:$P13" --grab raw --json --db "$D/t13.db"
grep -q '"status":"tls-error"' "$D/t13raw.out" || fail "raw on TLS 1.3 only: $(head -c 300 "$D/t13raw.out")"
cs_scan t13auto scan "127.15.1.1:$P13" --json --db "$D/t13.db"
"$CS_PY" - "$D/t13auto.out" "$(cs_fp "$K/good.pem")" <<'PY' || fail "auto did not fall back to OpenSSL"
import json, sys
o = json.loads(open(sys.argv[1]).readline())
assert o["status"] == "ok" and o["version"] == "TLSv1.3" and o["grab"] == "openssl", o
assert o["chain"][0]["sha256"] == sys.argv[2]
PY
note "TLS 1.3 only: raw says tls-error, auto falls back to OpenSSL"

# garbage: an HTTP server on a TLS port
PH=$((P + 2))
cs_bg_ns "$CS_PY" -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.15.2.1", int(sys.argv[1]))); s.listen(8)
for _ in range(20):
    c, _ = s.accept(); c.recv(4096)
    c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"); c.close()' "$PH"
cs_wait_tcp 127.15.2.1 "$PH" || fail "HTTP responder did not start"
for g in raw openssl; do
	cs_scan "http$g" scan "127.15.2.1:$PH" --grab "$g" --json --db "$D/http.db"
	grep -q '"status":"protocol-error"' "$D/http$g.out" ||
	    fail "--grab $g on HTTP: $(head -c 300 "$D/http$g.out")"
done
note "HTTP on a TLS port: protocol-error either way"
echo "ok"
