#!/usr/bin/env bash
# t_enum_legacy.sh: --enum on servers that accept what nobody should.
# Debian's OpenSSL 3 has no 3DES or RC4 at all, so the legacy server is
# gnutls-serv (GnuTLS still speaks them when asked):
#   127.16.0.1  gnutls-serv, TLS 1.0-1.2, 3DES and RC4 enabled, server order
#   127.16.0.2  openssl s_server -tls1_2 at SECLEVEL 0 accepting exactly
#               AES128-SHA, ADH-AES128-SHA (anonymous DH) and NULL-SHA256
# Checked: the versions; on the s_server the exact suite set; on
# gnutls-serv that RC4 and 3DES suites are found in TLS 1.0 and 1.1, and
# that every suite nmap's ssl-enum-ciphers (its own hellos, not OpenSSL's)
# lists is in ours; the tls.tls10, tls.tls11 and tls.weak_cipher findings.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v gnutls-serv >/dev/null || skip "gnutls-serv is missing (apt-get install gnutls-bin)"
cs_ns_setup need
D=$CS_TEST_DIR
P=$CS_PORT

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/rsa.key" -out "$D/rsa.pem" \
    -days 30 -subj /CN=legacy.test -addext "subjectAltName=DNS:legacy.test" 2>/dev/null ||
    fail "cannot make the RSA certificate"

# gnutls-serv binds every address of the namespace: one port for it
PG=$((P + 1))
cs_bg_ns gnutls-serv --port "$PG" --x509certfile "$D/rsa.pem" --x509keyfile "$D/rsa.key" \
    --priority "NORMAL:-VERS-TLS1.3:+VERS-TLS1.0:+VERS-TLS1.1:+3DES-CBC:+ARCFOUR-128:+RSA:%SERVER_PRECEDENCE" \
    >"$D/gnutls.log" 2>&1
cs_bg_ns openssl s_server -quiet -accept "127.16.0.2:$P" -cert "$D/rsa.pem" -key "$D/rsa.key" \
    -tls1_2 -cipher 'AES128-SHA:ADH-AES128-SHA:NULL-SHA256:@SECLEVEL=0' -naccept 500 \
    >"$D/s_server.log" 2>&1
cs_wait_tcp 127.16.0.1 "$PG" || fail "gnutls-serv did not start: $(tail -3 "$D/gnutls.log")"
cs_wait_tcp 127.16.0.2 "$P" || fail "s_server did not start: $(tail -3 "$D/s_server.log")"

cs_scan enum scan "127.16.0.1:$PG" "127.16.0.2:$P" --enum --json --db "$D/enum.db"
[[ $CS_RC == 0 ]] || fail "certsweep exited $CS_RC: $(head -3 "$D/enum.err")"

nmap_xml=""
if command -v nmap >/dev/null; then
	cs_in_ns nmap -n -Pn -p "$PG" --script ssl-enum-ciphers -oX "$D/nmap.xml" 127.16.0.1 \
	    >/dev/null 2>&1 && nmap_xml=$D/nmap.xml
fi
[[ -n $nmap_xml ]] || note "nmap unavailable: no cross-check"

"$CS_PY" - "$D/enum.out" "$PG" "$nmap_xml" <<'PY' || fail "legacy enumeration differs"
import json, sys, xml.etree.ElementTree as ET
out, pg, nmap_xml = sys.argv[1], int(sys.argv[2]), sys.argv[3]
obs = {json.loads(l)["ip"]: json.loads(l) for l in open(out)}
errs = []
def suites(o, v):
    return [s["iana"] for s in (o.get("enum") or {}).get("ciphers", {}).get(v, {}).get("suites", [])]
def rules(o):
    return {f["rule"] for f in o["findings"]}

g = obs["127.16.0.1"]
e = g.get("enum") or {}
if e.get("versions") != ["TLSv1", "TLSv1.1", "TLSv1.2"]:
    errs.append(f"gnutls versions {e.get('versions')}")
for v in ("TLSv1", "TLSv1.1"):
    s = suites(g, v)
    if not any("RC4" in x for x in s) or not any("3DES" in x for x in s):
        errs.append(f"gnutls {v}: no RC4 or 3DES suite in {s}")
    if not e.get("ciphers", {}).get(v, {}).get("server_order"):
        errs.append(f"gnutls {v}: server order not seen")
for r in ("tls.tls10", "tls.tls11", "tls.weak_cipher"):
    if r not in rules(g):
        errs.append(f"gnutls: no {r} finding ({sorted(rules(g))})")
if nmap_xml:
    names = {"TLSv1.0": "TLSv1", "TLSv1.1": "TLSv1.1", "TLSv1.2": "TLSv1.2"}
    root = ET.parse(nmap_xml).getroot()
    for table in root.iter("table"):
        v = names.get(table.get("key"))
        if v is None:
            continue
        for c in table.iter("table"):
            for el in c.findall("elem"):
                if el.get("key") == "name" and el.text not in suites(g, v):
                    errs.append(f"nmap found {el.text} ({v}), certsweep did not")

s = obs["127.16.0.2"]
want = {"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_DH_anon_WITH_AES_128_CBC_SHA",
        "TLS_RSA_WITH_NULL_SHA256"}
if (s.get("enum") or {}).get("versions") != ["TLSv1.2"]:
    errs.append(f"s_server versions {(s.get('enum') or {}).get('versions')}")
if set(suites(s, "TLSv1.2")) != want:
    errs.append(f"s_server suites {sorted(suites(s, 'TLSv1.2'))}, configured {sorted(want)}")
if "tls.weak_cipher" not in rules(s):
    errs.append("s_server: no tls.weak_cipher finding")
for x in errs:
    print(x, file=sys.stderr)
sys.exit(1 if errs else 0)
PY
note "gnutls-serv (TLS 1.0/1.1, 3DES, RC4) and s_server (anon DH, NULL): as configured"
echo "ok"
