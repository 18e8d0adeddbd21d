#!/usr/bin/env bash
# t_revocation.sh: cert.revoked from the three sources, each on a revoked
# leaf and a good one of samples/mkdefects.sh's intermediate CA (made with
# 'openssl ca'; "revoked" is revoked in its database and its CRL), whose
# AIA OCSP URL points at a real 'openssl ocsp' responder on this test's
# own loopback (network namespace: nothing leaves it).
#   1. --crl int.crl: the revoked leaf is flagged, the good one is not;
#   2. --ocsp: the responder says so, same verdicts; JSON ocsp.source
#      "responder" with its status;
#   3. stapling: nginx staples responses fetched from the responder
#      (ssl_stapling_file); without --ocsp or --crl the stapled revoked
#      response gives cert.revoked, the stapled good one does not, the
#      JSON shows ocsp.stapled true, the database the status; the
#      revoked leaf without a staple is not flagged (nothing says so);
#      the same with --grab openssl (the staple through OpenSSL).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cs_ns_setup need
D=$CS_TEST_DIR
P=$CS_PORT
PR=$((P + 100))		# the OCSP responder
IP=127.21.0.1
K=$D/defects
MKD_EXTRA_SAN=IP:$IP MKD_OCSP_URL=http://127.0.0.1:$PR/ \
    "$CS_ROOT/samples/mkdefects.sh" "$K" >/dev/null || fail "samples/mkdefects.sh failed"
grep -q "^R" "$K/int-db/index.txt" || fail "the CA database lists no revoked certificate"

cs_bg_ns openssl ocsp -index "$K/int-db/index.txt" -port "$PR" -CA "$K/int.pem" \
    -rsigner "$K/int.pem" -rkey "$K/int.key" -ndays 1 2>>"$D/responder.log"
# not cs_wait_tcp: 'openssl ocsp' serves one connection at a time and
# would wait on an empty probe connection; look for its listening socket
for ((i = 0; i < 50; i++)); do
	[[ -n $(cs_in_ns ss -Hltn "sport = :$PR") ]] && break
	sleep 0.1
done
((i < 50)) || fail "openssl ocsp did not come up on :$PR: $(tail -2 "$D/responder.log")"

# stapled responses, fetched from the responder
for c in good revoked; do
	cs_in_ns timeout 20 openssl ocsp -issuer "$K/int.pem" -cert "$K/$c.pem" \
	    -url "http://127.0.0.1:$PR/" -CAfile "$K/root.pem" -respout "$D/$c.der" \
	    >"$D/fetch-$c.log" 2>&1 || fail "openssl ocsp could not fetch $c's status: $(tail -2 "$D/fetch-$c.log")"
	grep -q ": $c" "$D/fetch-$c.log" || fail "the responder does not say $c: $(cat "$D/fetch-$c.log")"
done

# P good, P+1 revoked, P+2 good stapled, P+3 revoked stapled
mkdir -p "$D/nginx"
{
	i=0
	for c in good revoked good revoked; do
		staple=""
		((i >= 2)) && staple="ssl_stapling on; ssl_stapling_file $D/$c.der;"
		printf '  server { listen %s:%d ssl; ssl_certificate %s; ssl_certificate_key %s; %s return 200 "%s\\n"; }\n' \
		    "$IP" $((P + i)) "$K/$c-chain.pem" "$K/$c.key" "$staple" "$c"
		i=$((i + 1))
	done
} >"$D/nginx/servers.conf"
cs_nginx_start "$D/nginx" "$IP" "$P"
cs_wait_tcp "$IP" $((P + 3)) 50 || fail "nginx did not come up on $IP:$((P + 3))"

# verdicts OUT PORT:yes|no...: cert.revoked on exactly the "yes" ports;
# ocsp=FIELD=VALUE,... checks the ocsp object of that port
verdicts() {
	"$CS_PY" - "$@" <<'PY'
import json, sys
by = {}
for line in open(sys.argv[1]):
    o = json.loads(line)
    by[o["port"]] = o
errs = []
for spec in sys.argv[2:]:
    port, want, *ocsp = spec.split(":")
    o = by.get(int(port))
    if o is None or o["status"] != "ok":
        errs.append(f":{port}: {o and o['status']} {o and o['reason']}")
        continue
    rev = [f for f in o["findings"] if f["rule"] == "cert.revoked"]
    if bool(rev) != (want == "yes"):
        errs.append(f":{port}: cert.revoked {rev}, expected {want}")
    for kv in ocsp:
        key, val = kv.split("=")
        got = (o.get("ocsp") or {}).get(key, "absent")
        if str(got).lower() != val:
            errs.append(f":{port}: ocsp.{key} = {got!r}, expected {val} ({o.get('ocsp')})")
for e in errs:
    print(e, file=sys.stderr)
sys.exit(1 if errs else 0)
PY
}

scan() { # scan NAME PORTS ARGS...
	local name=$1 ports=$2
	shift 2
	cs_scan "$name" scan "$IP" -p "$ports" --ca-file "$K/root.pem" --json \
	    --db "$D/r.db" "$@"
	[[ $CS_RC == 0 ]] || fail "scan $name exited $CS_RC: $(head -3 "$D/$name.err")"
}

# 1. CRL
scan crl "$P,$((P + 1))" --crl "$K/int.crl"
verdicts "$D/crl.out" "$P:no" "$((P + 1)):yes" || fail "--crl verdicts"
note "--crl: revoked flagged, good not"

# 2. live OCSP
scan ocsp "$P,$((P + 1))" --ocsp
verdicts "$D/ocsp.out" "$P:no:source=responder:status=good:stapled=false" \
    "$((P + 1)):yes:source=responder:status=revoked" || fail "--ocsp verdicts"
note "--ocsp: the responder's revoked flagged, good not"

# 3. stapled responses, no other source
scan staple "$P-$((P + 3))"
verdicts "$D/staple.out" "$P:no:stapled=absent" "$((P + 1)):no:stapled=absent" \
    "$((P + 2)):no:stapled=true:status=good:source=staple" \
    "$((P + 3)):yes:stapled=true:status=revoked:source=staple" || fail "stapling verdicts"
"$CS_PY" - "$D/r.db" "$((P + 3))" <<'PY' || fail "the database lacks the stapled status"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = db.execute("SELECT count(*) FROM observations o JOIN endpoints e ON e.id = o.endpoint_id "
               "WHERE e.port = ? AND o.ocsp_status = 'revoked' AND o.ocsp_this_update > 0",
               (int(sys.argv[2]),)).fetchone()[0]
sys.exit(0 if n == 1 else 1)
PY
# the same through OpenSSL's handshake (scanner/tls.c) instead of the raw grab
scan staple_ossl "$((P + 2)),$((P + 3))" --grab openssl
verdicts "$D/staple_ossl.out" "$((P + 2)):no:stapled=true:status=good" \
    "$((P + 3)):yes:stapled=true:status=revoked" || fail "stapling verdicts (--grab openssl)"
note "stapling: the stapled revoked response flagged, the good one not"
echo "ok"
