#!/usr/bin/env python3
"""check.py: checks of certsweep's outputs for the integration tests.

  check.py jsonl FILE             every line is a JSON object with the documented keys
  check.py summary FILE           one TSV line per JSON line:
                                  ip port hostname sni status leaf_sha256 verify_ok verify_code chain_len
  check.py expect FILE TSV        FILE has exactly the endpoints of TSV (ip port status sha256|-),
                                  each once, with that status and leaf
  check.py dbleaf DB TSV          the database's latest depth-0 certificate of every TSV
                                  endpoint with a sha256 is that sha256
  check.py dbcount DB             "table rows" for scans endpoints certificates observations chain_links

The database is read through its declared foreign keys (chain_links -> observations,
certificates; observations -> endpoints), so column names need not be guessed; where a
key is not declared, the usual names (observation_id, endpoint_id, cert_sha256, ...) are tried.
Exit 0 when the check holds, 1 (with one line per problem on stderr) when not.
"""
import json
import re
import sqlite3
import sys

STATUSES = {"ok", "refused", "connect-timeout", "io-timeout", "closed", "protocol-error",
            "starttls-refused", "tls-error", "dns-error", "internal-error"}
COMMON = {"ip": str, "port": int, "hostname": str, "sni": str, "protocol": str,
          "time": (int, float, str), "status": str, "reason": str}
COMMON_MORE = {"source": str, "findings": list}
OK_KEYS = {"version": str, "cipher": str, "group": str, "alpn": str,
           "handshake_ms": (int, float), "verify": dict, "chain": list}
VERIFY_KEYS = {"ok": bool, "code": int, "reason": str, "name_match": (bool, type(None))}
CERT_KEYS = {"sha256": str, "subject": str, "issuer": str, "serial": str,
             "not_before": (int, float, str), "not_after": (int, float, str), "sans": list,
             "key_type": str, "key_bits": int, "curve": str, "signature_algorithm": str,
             "is_ca": bool, "self_signed": bool, "spki_sha256": str}
HEX64 = re.compile(r"^[0-9a-f]{64}$")
TABLES = ("scans", "endpoints", "certificates", "observations", "chain_links")


def typecheck(obj, spec, where, errs):
    for key, typ in spec.items():
        if key not in obj:
            errs.append(f"{where}: key '{key}' missing")
        elif isinstance(obj[key], bool) and typ is not bool and bool not in (
                typ if isinstance(typ, tuple) else (typ,)):
            errs.append(f"{where}: '{key}' is a boolean, expected {typ}")
        elif not isinstance(obj[key], typ):
            errs.append(f"{where}: '{key}' is {type(obj[key]).__name__}, expected {typ}")


def load(path):
    """The JSON lines of path as (line number, object); problems raise SystemExit."""
    rows, errs = [], []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                obj = json.loads(line)
            except ValueError as e:
                errs.append(f"{path}:{n}: not JSON ({e}): {line[:120]!r}")
                continue
            if not isinstance(obj, dict):
                errs.append(f"{path}:{n}: not a JSON object")
                continue
            rows.append((n, obj))
    if errs:
        die(errs)
    return rows


def die(errs):
    for e in errs[:40]:
        print(e, file=sys.stderr)
    if len(errs) > 40:
        print(f"... and {len(errs) - 40} more", file=sys.stderr)
    sys.exit(1)


def cmd_jsonl(path):
    rows, errs = load(path), []
    if not rows:
        errs.append(f"{path}: no JSON lines")
    for n, o in rows:
        where = f"{path}:{n} ({o.get('ip')}:{o.get('port')})"
        typecheck(o, COMMON, where, errs)
        typecheck(o, COMMON_MORE, where, errs)
        if o.get("status") not in STATUSES:
            errs.append(f"{where}: unknown status {o.get('status')!r}")
        if o.get("status") != "ok":
            continue
        typecheck(o, OK_KEYS, where, errs)
        if isinstance(o.get("verify"), dict):
            typecheck(o["verify"], VERIFY_KEYS, where + " verify", errs)
        chain = o.get("chain") if isinstance(o.get("chain"), list) else []
        if not chain:
            errs.append(f"{where}: status ok but the chain is empty")
        for d, c in enumerate(chain):
            cw = f"{where} chain[{d}]"
            if not isinstance(c, dict):
                errs.append(f"{cw}: not an object")
                continue
            typecheck(c, CERT_KEYS, cw, errs)
            for k in ("sha256", "spki_sha256"):
                if isinstance(c.get(k), str) and not HEX64.match(c[k]):
                    errs.append(f"{cw}: {k} {c[k]!r} is not 64 lower-case hex digits")
    if errs:
        die(errs)
    print(f"{len(rows)} JSON lines with the documented keys")


def leaf(o):
    chain = o.get("chain") or []
    if chain and isinstance(chain[0], dict):
        return chain[0].get("sha256") or "-"
    return "-"


def cmd_summary(path):
    for _, o in load(path):
        v = o.get("verify") if isinstance(o.get("verify"), dict) else {}
        vals = [o.get("ip"), o.get("port"), o.get("hostname"), o.get("sni"), o.get("status"),
                leaf(o), v.get("ok"), v.get("code"), len(o.get("chain") or [])]
        print("\t".join("-" if x in (None, "") else str(x).lower() if isinstance(x, bool)
                        else str(x) for x in vals))


def read_tsv(path):
    want = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                ip, port, status, sha = line.split()[:4]
                want[(ip, int(port))] = (status, sha)
    return want


def cmd_expect(path, tsv):
    want, errs, seen = read_tsv(tsv), [], {}
    for n, o in load(path):
        key = (o.get("ip"), o.get("port"))
        if key in seen:
            errs.append(f"{key[0]}:{key[1]}: reported twice (lines {seen[key]} and {n})")
        seen[key] = n
        if key not in want:
            errs.append(f"{key[0]}:{key[1]}: not a target (line {n})")
            continue
        status, sha = want[key]
        if o.get("status") != status:
            errs.append(f"{key[0]}:{key[1]}: status {o.get('status')!r} ({o.get('reason')!r}),"
                        f" expected {status!r}")
        elif sha != "-" and leaf(o) != sha:
            errs.append(f"{key[0]}:{key[1]}: leaf sha256 {leaf(o)}, served file has {sha}")
    for key in want:
        if key not in seen:
            errs.append(f"{key[0]}:{key[1]}: missing from the output")
    if errs:
        errs.append(f"{len(errs)} problems over {len(want)} endpoints")
        die(errs)
    print(f"{len(want)} endpoints: statuses and leaf certificates as expected")


def fk(con, table, target, guesses):
    """(from column, to column or None) of table's foreign key to target."""
    for row in con.execute(f"PRAGMA foreign_key_list({table})"):
        if row[2] == target:
            return row[3], row[4]
    cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
    for g in guesses:
        if g in cols:
            return g, None
    raise SystemExit(f"{table}: no column refers to {target} (columns: {', '.join(cols)})")


def pk(con, table):
    cols = [r for r in con.execute(f"PRAGMA table_info({table})")]
    keys = [r[1] for r in cols if r[5]]
    return keys[0] if len(keys) == 1 else "rowid"


def db_open(path):
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        have = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.Error as e:
        raise SystemExit(f"{path}: {e}")
    missing = [t for t in TABLES if t not in have]
    if missing:
        raise SystemExit(f"{path}: tables missing: {', '.join(missing)}")
    return con


def db_leaves(path):
    """{(ip, port): sha256 hex} from each endpoint's latest observation with a depth-0 link."""
    con = db_open(path)
    cl_obs, obs_to = fk(con, "chain_links", "observations", ("observation_id", "observation", "obs_id"))
    cl_cert, cert_to = fk(con, "chain_links", "certificates",
                          ("certificate_id", "cert_sha256", "certificate", "sha256", "cert_id"))
    o_ep, ep_to = fk(con, "observations", "endpoints", ("endpoint_id", "endpoint"))
    obs_to = obs_to or pk(con, "observations")
    cert_to = cert_to or pk(con, "certificates")
    ep_to = ep_to or pk(con, "endpoints")
    sql = (f"SELECT e.ip, e.port, c.sha256 FROM chain_links l"
           f" JOIN observations o ON l.{cl_obs} = o.{obs_to}"
           f" JOIN certificates c ON l.{cl_cert} = c.{cert_to}"
           f" JOIN endpoints e ON o.{o_ep} = e.{ep_to}"
           f" WHERE l.depth = 0 ORDER BY o.rowid")
    out = {}
    for ip, port, sha in con.execute(sql):
        out[(ip, int(port))] = sha.hex() if isinstance(sha, bytes) else sha
    return out


def cmd_dbleaf(db, tsv):
    have, errs, n = db_leaves(db), [], 0
    for (ip, port), (_, sha) in read_tsv(tsv).items():
        if sha == "-":
            continue
        n += 1
        got = have.get((ip, port))
        if got != sha:
            errs.append(f"{ip}:{port}: database leaf {got}, served file has {sha}")
    if errs:
        errs.append(f"{len(errs)} of {n} endpoints wrong in {db}")
        die(errs)
    print(f"{n} endpoints: database leaf certificates as expected")


def cmd_dbcount(db):
    con = db_open(db)
    for t in TABLES:
        print(t, con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])


def main(argv):
    cmds = {"jsonl": (cmd_jsonl, 1), "summary": (cmd_summary, 1), "expect": (cmd_expect, 2),
            "dbleaf": (cmd_dbleaf, 2), "dbcount": (cmd_dbcount, 1)}
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 != cmds[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    cmds[argv[1]][0](*argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
