#!/usr/bin/env bash
# t_json.sh: the --json output, line by line.  nginx serves the fixture's
# good chain (leaf + intermediate), expired leaf and self-signed leaf on
# 127.13.0.1-3; 127.13.0.4 is closed.  Every line must parse and carry the
# documented keys; the facts of each certificate must match what openssl
# says about the served files; verification against the fixture root must
# succeed for the good chain only, with OpenSSL's codes for the others.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cs_ns_setup any
D=$CS_TEST_DIR
P=$CS_PORT
K=$CS_PKI
mkdir -p "$D/nginx"
i=0
for c in good expired selfsigned; do
	i=$((i + 1))
	printf '  server { listen 127.13.0.%d:%d ssl; ssl_certificate %s; ssl_certificate_key %s; return 200 "%s\\n"; }\n' \
	    "$i" "$P" "$K/$c-chain.pem" "$K/$c.key" "$c"
done >"$D/nginx/servers.conf"
cs_nginx_start "$D/nginx" 127.13.0.1 "$P"

t0=$(date +%s)
cs_scan json scan 127.13.0.1-4 -p "$P" --ca-file "$K/root.pem" --json --db "$D/json.db"
t1=$(date +%s)
[[ $CS_RC == 0 ]] || fail "certsweep exited $CS_RC; stderr: $(head -5 "$D/json.err")"
cs_check jsonl "$D/json.out" || fail "JSON output lacks documented keys"

T0=$t0 T1=$t1 PKI=$K PORT=$P "$CS_PY" - "$D/json.out" <<'PY' || fail "JSON facts differ from the served certificates"
import json, os, subprocess, sys, hashlib, datetime

pki, port = os.environ["PKI"], int(os.environ["PORT"])
t0, t1 = int(os.environ["T0"]), int(os.environ["T1"])
errs = []

def ossl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout

def facts(name):
    pem = f"{pki}/{name}.pem"
    der = ossl("x509", "-in", pem, "-outform", "DER")
    spki = ossl("pkey", "-pubin", "-outform", "DER", data=ossl("x509", "-in", pem, "-pubkey", "-noout"))
    out = ossl("x509", "-in", pem, "-noout", "-serial", "-startdate", "-enddate").decode()
    f = dict(l.split("=", 1) for l in out.splitlines())
    when = lambda s: int(datetime.datetime.strptime(s, "%b %d %H:%M:%S %Y GMT")
                         .replace(tzinfo=datetime.timezone.utc).timestamp())
    return {"sha256": hashlib.sha256(der).hexdigest(), "spki": hashlib.sha256(spki).hexdigest(),
            "serial": f["serial"].upper().lstrip("0"), "nb": when(f["notBefore"]),
            "na": when(f["notAfter"])}

def epoch(v):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return int(v)
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S",
                "%b %d %H:%M:%S %Y GMT"):
        try:
            d = datetime.datetime.strptime(v, fmt)
        except (TypeError, ValueError):
            continue
        if d.tzinfo is None:
            d = d.replace(tzinfo=datetime.timezone.utc)
        return int(d.timestamp())
    return None

def check(cond, msg):
    if not cond:
        errs.append(msg)

def cert(where, c, name, cn, issuer_cn, ca=False, selfsigned=False):
    f = facts(name)
    check(c["sha256"] == f["sha256"], f"{where}: sha256 {c['sha256']} != {f['sha256']} ({name}.pem)")
    check(c["spki_sha256"] == f["spki"], f"{where}: spki_sha256 {c['spki_sha256']} != {f['spki']}")
    check(c["serial"].upper().replace(":", "").lstrip("0") == f["serial"],
          f"{where}: serial {c['serial']} != {f['serial']}")
    check(epoch(c["not_before"]) == f["nb"], f"{where}: not_before {c['not_before']!r} != {f['nb']}")
    check(epoch(c["not_after"]) == f["na"], f"{where}: not_after {c['not_after']!r} != {f['na']}")
    check("CN=" + cn in c["subject"], f"{where}: subject {c['subject']!r} lacks CN={cn}")
    check("CN=" + issuer_cn in c["issuer"], f"{where}: issuer {c['issuer']!r} lacks CN={issuer_cn}")
    check(c["key_type"] == "EC" and c["key_bits"] == 256,
          f"{where}: key {c['key_type']}/{c['key_bits']}, expected EC/256")
    check(c["curve"] in ("prime256v1", "P-256", "secp256r1"), f"{where}: curve {c['curve']!r}")
    check(c["signature_algorithm"] == "ecdsa-with-SHA256",
          f"{where}: signature_algorithm {c['signature_algorithm']!r}")
    check(c["is_ca"] is ca, f"{where}: is_ca {c['is_ca']}, expected {ca}")
    check(c["self_signed"] is selfsigned, f"{where}: self_signed {c['self_signed']}, expected {selfsigned}")

by_ip = {}
for line in open(sys.argv[1]):
    o = json.loads(line)
    by_ip[o["ip"]] = o
check(sorted(by_ip) == [f"127.13.0.{i}" for i in (1, 2, 3, 4)],
      f"endpoints {sorted(by_ip)}, expected 127.13.0.1-4")
for ip, o in by_ip.items():
    check(o["port"] == port, f"{ip}: port {o['port']}")
    check(o["hostname"] == "" and o["sni"] == "", f"{ip}: hostname/sni {o['hostname']!r}/{o['sni']!r}, expected empty")
    check(o["protocol"] != "", f"{ip}: empty protocol")
    if epoch(o["time"]) is not None:
        check(t0 - 2 <= epoch(o["time"]) <= t1 + 2, f"{ip}: time {o['time']!r} not during the scan")

INT, ROOT = "certsweep test intermediate CA", "certsweep test root CA"
expect = {"127.13.0.1": ("good", True, 0), "127.13.0.2": ("expired", False, 10),
          "127.13.0.3": ("selfsigned", False, 18)}
for ip, (name, vok, vcode) in expect.items():
    o = by_ip.get(ip)
    if o is None:
        continue
    if o["status"] != "ok":
        errs.append(f"{ip} ({name}): status {o['status']} ({o['reason']}), expected ok")
        continue
    check(o["version"] in ("TLSv1.2", "TLSv1.3"), f"{ip}: version {o['version']!r}")
    check(o["cipher"] != "" and o["group"] != "", f"{ip}: cipher {o['cipher']!r} group {o['group']!r}")
    check(o["handshake_ms"] > 0, f"{ip}: handshake_ms {o['handshake_ms']}")
    check(o["verify"]["ok"] is vok and o["verify"]["code"] == vcode,
          f"{ip} ({name}): verify {o['verify']}, expected ok={vok} code={vcode}")
    check(o["verify"]["reason"] != "", f"{ip}: empty verify reason")
    chain = o["chain"]
    if name == "selfsigned":
        check(len(chain) == 1, f"{ip}: chain of {len(chain)}, the server sends 1")
        cert(f"{ip} chain[0]", chain[0], name, "selfsigned.test", "selfsigned.test", selfsigned=True)
        continue
    check(len(chain) == 2, f"{ip}: chain of {len(chain)}, the server sends leaf + intermediate")
    cert(f"{ip} chain[0]", chain[0], name, f"{name}.test", INT)
    if len(chain) > 1:
        cert(f"{ip} chain[1]", chain[1], "int", INT, ROOT, ca=True)
    if name == "good":
        sans = set(chain[0]["sans"])
        for want in ("DNS:good.test", "DNS:localhost", "IP:127.0.0.1"):
            check(want in sans or want.split(":", 1)[1] in sans, f"{ip}: sans {sorted(sans)} lack {want}")

o = by_ip.get("127.13.0.4")
if o is not None:
    check(o["status"] == "refused", f"127.13.0.4: status {o['status']}, expected refused")
    check(o["reason"] != "", "127.13.0.4: empty reason")
    check(not o.get("chain"), "127.13.0.4: a chain on a refused endpoint")
for e in errs:
    print(e, file=sys.stderr)
sys.exit(1 if errs else 0)
PY
echo "ok"
