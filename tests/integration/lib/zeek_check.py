#!/usr/bin/env python3
"""zeek_check.py: compare `certsweep sniff --json --db DB` with the output
Zeek and Arkime give for the same capture (tests/data/expected/...).

    zeek_check.py zeek   OUT.jsonl DB DIR      DIR holds Zeek's ssl.log and
                                               maybe x509.log (btest baseline)
    zeek_check.py base64 OUT.jsonl DB X509LOG  log-certs-base64 x509.log: the
                                               DER of every certificate
    zeek_check.py notice OUT.jsonl DB NOTICELOG  expiring-certs notice.log
    zeek_check.py verify OUT.jsonl DB OUT      bifs.x509_verify/out
    zeek_check.py arkime OUT.jsonl DB FILE.json  Arkime's session baseline

Prints one line per difference and exits 1 when there is any; prints what
was compared on success.  Observations and log rows are paired by the
server address and port, in capture order (Zeek's ts is masked).  The DER
of each certificate comes from the database (certificates.der), so SHA-1
(Arkime) and base64 (Zeek) are computed from our own bytes, and our
SHA-256 is checked against them.
"""
import base64
import collections
import datetime
import hashlib
import json
import os
import re
import sqlite3
import sys

ERRS = []
CHECKED = collections.Counter()


def check(cond, msg, what):
    CHECKED[what] += 1
    if not cond:
        ERRS.append(msg)


def load_jsonl(path):
    out = []
    with open(path) as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line))
    return out


def epoch(v):
    if isinstance(v, (int, float)):
        return int(v)
    d = datetime.datetime.strptime(v, "%Y-%m-%dT%H:%M:%SZ")
    return int(d.replace(tzinfo=datetime.timezone.utc).timestamp())


def der_of(db, sha256):
    row = db.execute("SELECT der FROM certificates WHERE sha256 = ?",
                     (sha256,)).fetchone()
    if row is None or row[0] is None:
        ERRS.append(f"certificate {sha256} is not in the database")
        return b""
    der = bytes(row[0])
    check(hashlib.sha256(der).hexdigest() == sha256,
          f"certificate {sha256}: the stored DER hashes differently", "der")
    return der


def zeek_log(path):
    """Rows of a Zeek TSV log as dicts ('-' unset, '(empty)' empty)."""
    fields, rows = None, []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#fields"):
                fields = line.split("\t")[1:]
            elif line.startswith("#") or not line:
                continue
            else:
                rows.append(dict(zip(fields, line.split("\t"))))
    return rows


def zvec(v):
    return [] if v in ("-", "(empty)") else v.split(",")


ZEEK_VERSION = {"SSLv3": "SSLv3", "TLSv10": "TLSv1", "TLSv11": "TLSv1.1",
                "TLSv12": "TLSv1.2", "TLSv13": "TLSv1.3"}
KEY_TYPE = {"rsaEncryption": "RSA", "id-ecPublicKey": "EC",
            "dsaEncryption": "DSA"}


def pair(obs, rows, key):
    """Observations and rows with the same server, in order."""
    left = collections.defaultdict(list)
    for o in obs:
        left[(o["ip"], int(o["port"]))].append(o)
    out = []
    for r in rows:
        k = key(r)
        if not left[k]:
            ERRS.append(f"{k[0]}:{k[1]}: in the baseline, not in our output")
            continue
        out.append((left[k].pop(0), r))
    for k, rest in left.items():
        for _ in rest:
            ERRS.append(f"{k[0]}:{k[1]}: in our output, not in the baseline")
    return out


def cmp_cert_zeek(c, x, where):
    w = f"{where} cert {c['sha256'][:16]}"
    check(c["version"] == int(x["certificate.version"]),
          f"{w}: version {c['version']} != {x['certificate.version']}", "version")
    check(c["serial"].upper().lstrip("0") == x["certificate.serial"].lstrip("0"),
          f"{w}: serial {c['serial']} != {x['certificate.serial']}", "serial")
    check(c["subject"] == x["certificate.subject"],
          f"{w}: subject {c['subject']!r} != {x['certificate.subject']!r}", "subject")
    check(c["issuer"] == x["certificate.issuer"],
          f"{w}: issuer {c['issuer']!r} != {x['certificate.issuer']!r}", "issuer")
    for ours, theirs in (("not_before", "certificate.not_valid_before"),
                         ("not_after", "certificate.not_valid_after")):
        check(epoch(c[ours]) == int(float(x[theirs])),
              f"{w}: {ours} {c[ours]} != {x[theirs]}", "validity")
    check(c["key_type"] == KEY_TYPE.get(x["certificate.key_alg"], "?"),
          f"{w}: key {c['key_type']} vs {x['certificate.key_alg']}", "key type")
    check(str(c["key_bits"]) == x["certificate.key_length"],
          f"{w}: key bits {c['key_bits']} != {x['certificate.key_length']}", "key bits")
    check(c["signature_algorithm"] == x["certificate.sig_alg"],
          f"{w}: sig alg {c['signature_algorithm']} != {x['certificate.sig_alg']}",
          "sig alg")
    if x["certificate.curve"] != "-":
        check(c["curve"] == x["certificate.curve"],
              f"{w}: curve {c['curve']} != {x['certificate.curve']}", "curve")
    for prefix, col in (("DNS:", "san.dns"), ("URI:", "san.uri"),
                        ("email:", "san.email"), ("IP:", "san.ip")):
        ours = [s[len(prefix):] for s in c["sans"] if s.startswith(prefix)]
        check(ours == zvec(x[col]), f"{w}: {col} {ours} != {zvec(x[col])}", "SANs")
    ca = x["basic_constraints.ca"]
    if ca != "-":
        check(c["is_ca"] == (ca == "T"), f"{w}: is_ca {c['is_ca']} != {ca}", "CA")
    pl = x["basic_constraints.path_len"]
    if pl != "-":
        check(c.get("path_len") == int(pl),
              f"{w}: path_len {c.get('path_len')} != {pl}", "path len")


def cmd_zeek(obs, db, d):
    x509 = {}
    if os.path.exists(f"{d}/x509.log"):
        for r in zeek_log(f"{d}/x509.log"):
            x509[r["fingerprint"]] = r
    rows = zeek_log(f"{d}/ssl.log")
    for o, r in pair(obs, rows, lambda r: (r["id.resp_h"], int(r["id.resp_p"]))):
        where = f"{o['ip']}:{o['port']}"
        check(o["status"] == "ok", f"{where}: status {o['status']}", "status")
        check(o.get("version") == ZEEK_VERSION.get(r["version"], r["version"]),
              f"{where}: version {o.get('version')} vs {r['version']}", "TLS version")
        check(o.get("cipher") == r["cipher"],
              f"{where}: cipher {o.get('cipher')} != {r['cipher']}", "cipher")
        if r["curve"] != "-":
            check(o.get("group") == r["curve"],
                  f"{where}: group {o.get('group')} != {r['curve']}", "group")
        sni = "" if r["server_name"] == "-" else r["server_name"]
        check(o["sni"] == sni, f"{where}: sni {o['sni']!r} != {sni!r}", "SNI")
        chain = o.get("chain", [])
        fps = zvec(r["cert_chain_fps"])
        check([c["sha256"] for c in chain] == fps,
              f"{where}: chain {[c['sha256'][:12] for c in chain]} != "
              f"{[f[:12] for f in fps]}", "chain fingerprints")
        m = r.get("sni_matches_cert", "-")
        nm = o.get("verify", {}).get("name_match")
        check(nm == (None if m == "-" else m == "T"),
              f"{where}: name_match {nm} vs sni_matches_cert {m}", "SNI match")
        for c in chain:
            der_of(db, c["sha256"])
            if c["sha256"] in x509:
                cmp_cert_zeek(c, x509[c["sha256"]], where)
            elif x509:
                ERRS.append(f"{where}: cert {c['sha256'][:16]} not in x509.log")


def cmd_base64(obs, db, path):
    want = {r["fingerprint"]: r["cert"] for r in zeek_log(path)}
    seen = set()
    for o in obs:
        for c in o.get("chain", []):
            seen.add(c["sha256"])
            if c["sha256"] in want:
                check(base64.b64encode(der_of(db, c["sha256"])).decode() ==
                      want[c["sha256"]], f"cert {c['sha256'][:16]}: DER differs "
                      "from Zeek's", "DER bytes")
    for fp in want:
        check(fp in seen, f"cert {fp[:16]}: in Zeek's log, not ours", "DER bytes")


NOTE_RULE = {"SSL::Certificate_Expired": "cert.expired",
             "SSL::Certificate_Expires_Soon": "cert.expiring"}


def cmd_notice(obs, db, path):
    rows = [r for r in zeek_log(path) if r["note"] in NOTE_RULE]
    noticed = set()
    for o, r in pair(obs, rows, lambda r: (r["id.resp_h"], int(r["id.resp_p"]))):
        where = f"{o['ip']}:{o['port']}"
        rule = NOTE_RULE[r["note"]]
        noticed.add(where)
        rules = {f["rule"] for f in o["findings"] if f["depth"] == 0}
        check(rule in rules, f"{where}: {rule} missing (Zeek: {r['note']}); "
              f"ours: {sorted(rules)}", "notice")
        other = ({"cert.expired", "cert.expiring"} - {rule}) & rules
        check(not other, f"{where}: also {sorted(other)}", "notice")
        leaf = o["chain"][0]
        check(leaf["subject"] in r["msg"].replace("\\\\", "\\"),
              f"{where}: leaf {leaf['subject']!r} not in {r['msg']!r}", "notice subject")
        when = datetime.datetime.fromtimestamp(epoch(leaf["not_after"]),
                                               datetime.timezone.utc)
        check(when.strftime("%Y-%m-%d-%H:%M:%S") in r["msg"],
              f"{where}: not_after {leaf['not_after']} not in {r['msg']!r}",
              "notice time")


def cmd_verify(obs, db, path):
    """bifs.x509_verify/out: conn 1 expired, conn 2 ok with its chain."""
    text = open(path).read()
    results = re.findall(r"Validation result: (.*)", text)
    chain = re.findall(r"Fingerprint: ([0-9a-f]{40})", text)
    check(len(obs) == len(results), f"{len(obs)} observations, "
          f"{len(results)} validation results", "verify")
    for o, res in zip(obs, results):
        v = o["verify"]
        where = f"{o['ip']}:{o['port']}"
        if res == "ok":
            check(v["ok"], f"{where}: verify {v} but Zeek says ok", "verify")
            sent = [hashlib.sha1(der_of(db, c["sha256"])).hexdigest()
                    for c in o["chain"]]
            check(sent == chain[:len(sent)], f"{where}: chain {sent} is not "
                  f"the start of Zeek's validated chain {chain}", "verify chain")
        else:
            check(not v["ok"] and res.split()[-1] in v["reason"],
                  f"{where}: verify {v} but Zeek says {res!r}", "verify")


def cn_of(dn, attr):
    out = []
    for part in re.split(r"(?<!\\),", dn):
        k, _, val = part.partition("=")
        if k == attr:
            out.append(val.replace("\\,", ","))
    return out


def cmp_cert_arkime(c, a, db, obs_time, where):
    w = f"{where} cert {c['sha256'][:16]}"
    check(c["serial"].lower().lstrip("0") == a["serial"].lstrip("0"),
          f"{w}: serial {c['serial']} != {a['serial']}", "serial")
    for ours, theirs in (("subject", "subjectCN"), ("issuer", "issuerCN")):
        if theirs in a:
            check([v.lower() for v in cn_of(c[ours], "CN")] == a[theirs],
                  f"{w}: {theirs} {cn_of(c[ours], 'CN')} != {a[theirs]}", "CN")
    for ours, theirs in (("subject", "subjectON"), ("issuer", "issuerON")):
        if theirs in a:
            check(cn_of(c[ours], "O") == a[theirs],
                  f"{w}: {theirs} {cn_of(c[ours], 'O')} != {a[theirs]}", "O")
    check(epoch(c["not_before"]) * 1000 == a["notBefore"], f"{w}: not_before", "validity")
    check(epoch(c["not_after"]) * 1000 == a["notAfter"], f"{w}: not_after", "validity")
    check(KEY_TYPE.get(a["publicAlgorithm"]) == c["key_type"],
          f"{w}: key {c['key_type']} vs {a['publicAlgorithm']}", "key type")
    dns = [s[4:] for s in c["sans"] if s.startswith("DNS:")]
    check(dns == a.get("alt", []), f"{w}: SANs differ", "SANs")
    check(epoch(c["not_after"]) - obs_time == a["remainingSeconds"],
          f"{w}: remaining {epoch(c['not_after']) - obs_time} s != "
          f"{a['remainingSeconds']} s (judged at the capture time)", "remaining")


def cmd_arkime(obs, db, path):
    sessions = [s["body"] for s in json.load(open(path))["sessions3"]
                if "tls" in s["body"]]
    key = lambda b: (b["destination"]["ip"], int(b["destination"]["port"]))
    for o, b in pair(obs, sessions, key):
        where = f"{o['ip']}:{o['port']}"
        tls = b["tls"]
        check(o.get("version") == tls["version"][0],
              f"{where}: version {o.get('version')} != {tls['version']}", "TLS version")
        check(o.get("cipher") == tls["cipher"][0],
              f"{where}: cipher {o.get('cipher')} != {tls['cipher']}", "cipher")
        for k in ("ja3", "ja3s", "ja4"):
            if k in tls:
                check(o.get(k) == tls[k][0],
                      f"{where}: {k} {o.get(k)} != {tls[k][0]}", k.upper())
        by_sha1 = {}
        for c in o.get("chain", []):
            h = hashlib.sha1(der_of(db, c["sha256"])).hexdigest()
            by_sha1[":".join(h[i:i + 2] for i in range(0, 40, 2))] = c
        theirs = [a["hash"] for a in b.get("cert", [])]
        check(sorted(by_sha1) == sorted(theirs), f"{where}: SHA-1 set "
              f"{sorted(by_sha1)} != {sorted(theirs)}", "SHA-1 fingerprints")
        for a in b.get("cert", []):
            if a["hash"] in by_sha1:
                cmp_cert_arkime(by_sha1[a["hash"]], a, db, epoch(o["time"]), where)


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    mode, out, dbpath, exp = sys.argv[1:]
    obs = load_jsonl(out)
    db = sqlite3.connect(f"file:{dbpath}?mode=ro", uri=True)
    {"zeek": cmd_zeek, "base64": cmd_base64, "notice": cmd_notice,
     "verify": cmd_verify, "arkime": cmd_arkime}[mode](obs, db, exp)
    label = "/".join(exp.rstrip("/").split("/")[-2:])
    for e in ERRS:
        print(f"  {mode} {label}: {e}")
    if ERRS:
        sys.exit(1)
    print("  ok: " + ", ".join(f"{k} x{n}" for k, n in sorted(CHECKED.items())))


if __name__ == "__main__":
    main()
