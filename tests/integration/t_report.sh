#!/usr/bin/env bash
# t_report.sh: certsweep report from a real sweep.  nginx serves the
# fixture's good chain, expired leaf and self-signed leaf, and a
# self-signed certificate whose subject is <script>alert(1)</script> (with
# quotes and an ampersand in O=) on 127.13.0.1-4; 127.13.0.5 is closed.
#  - HTML: one file, mode 0600, that headless Chromium (Debian's chromium
#    driven by playwright-core, lib/html_check.js) opens without any
#    network request, console error or dialog; sorting and filtering work;
#    the hostile subject shows as text.  A screenshot is kept in the test
#    directory (report.png).
#  - CSV: every table parses with Python's csv module (RFC 4180) and has
#    as many rows as the database, counted with SQL of our own.
#  - JSON: one document with the same counts.
#  - errors: a missing database exits 3, an unknown --scan exits 2.
# Skips the browser part (exit 77, after everything else) when chromium,
# node or playwright-core is missing (scripts/deps.sh installs them).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cs_ns_setup any
D=$CS_TEST_DIR
P=$CS_PORT
K=$CS_PKI
NEEDLE='<script>alert(1)</script>'

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$D/evil.key" -out "$D/evil.pem" -days 30 \
    -subj '/CN=<script>alert(1)<\/script>/O=Tom & Jerry "Ltd"' 2>"$D/openssl.err" ||
    fail "openssl req: $(cat "$D/openssl.err")"

mkdir -p "$D/nginx"
i=0
for c in "$K/good" "$K/expired" "$K/selfsigned"; do
	i=$((i + 1))
	printf '  server { listen 127.13.0.%d:%d ssl; ssl_certificate %s; ssl_certificate_key %s; return 200 "x\\n"; }\n' \
	    "$i" "$P" "$c-chain.pem" "$c.key"
done >"$D/nginx/servers.conf"
printf '  server { listen 127.13.0.4:%d ssl; ssl_certificate %s; ssl_certificate_key %s; return 200 "x\\n"; }\n' \
    "$P" "$D/evil.pem" "$D/evil.key" >>"$D/nginx/servers.conf"
cs_nginx_start "$D/nginx" 127.13.0.1 "$P"

DB=$D/r.db
cs_scan scan scan 127.13.0.1-5 -p "$P" --ca-file "$K/root.pem" --db "$DB"
[[ $CS_RC == 0 || $CS_RC == 1 ]] || fail "scan exited $CS_RC: $(head -5 "$D/scan.err")"

# ---------------------------------------------------------------- HTML
cs_scan html report --format html -o "$D/report.html" --db "$DB"
[[ $CS_RC == 0 ]] || fail "report --format html exited $CS_RC: $(head -5 "$D/html.err")"
[[ -s $D/report.html ]] || fail "no report.html"
[[ $(stat -c %a "$D/report.html") == 600 ]] || fail "report.html has mode $(stat -c %a "$D/report.html"), expected 600"
[[ ! -s $D/html.out ]] || fail "report -o wrote to stdout too"
grep -qF "$NEEDLE" "$D/report.html" && fail "the subject $NEEDLE is in the HTML unescaped"
grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$D/report.html" ||
    fail "the subject $NEEDLE is not in the HTML (escaped)"
ls "$D"/report.html.* >/dev/null 2>&1 && fail "a temporary file was left next to report.html"
# stdout when no -o
cs_scan html2 report --db "$DB"
[[ $CS_RC == 0 ]] || fail "report to stdout exited $CS_RC"
grep -q '</html>' "$D/html2.out" || fail "report to stdout: no </html> on stdout"

# ---------------------------------------------------------------- CSV
cs_scan csv report --format csv -o "$D/csv" --db "$DB"
[[ $CS_RC == 0 ]] || fail "report --format csv exited $CS_RC: $(head -5 "$D/csv.err")"
cs_scan csvone report --format csv --table endpoints --db "$DB"
[[ $CS_RC == 0 ]] || fail "report --table endpoints exited $CS_RC"
# The same table, except days_left: each report counts from its own "now",
# and the certificates were made in the second of the sweep, so a report
# one second later sees one day less.
"$CS_PY" - "$D/csvone.out" "$D/csv/endpoints.csv" <<'PY' || fail "--table endpoints differs from csv/endpoints.csv"
import csv, sys

def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, strict=True))

one, dirs = rows(sys.argv[1]), rows(sys.argv[2])
raw = open(sys.argv[1], "rb").read()
ok = len(one) == len(dirs) > 0 and b"\n" not in raw.replace(b"\r\n", b"")
for a, b in zip(one, dirs):
    late, early = a.pop("days_left"), b.pop("days_left")
    near = late == early or (late and early and int(early) - 1 == int(late))
    ok = ok and a == b and near
    if not ok:
        print(f"{a}\n{b}", file=sys.stderr)
        break
sys.exit(0 if ok else 1)
PY
cs_scan csvbad report --format csv --db "$DB"
[[ $CS_RC == 2 ]] || fail "csv without -o or --table exited $CS_RC, expected 2"

cs_scan json report --format json --db "$DB"
[[ $CS_RC == 0 ]] || fail "report --format json exited $CS_RC: $(head -5 "$D/json.err")"

NEEDLE=$NEEDLE "$CS_PY" - "$DB" "$D/csv" "$D/json.out" <<'PY' || fail "CSV/JSON rows differ from the database"
import csv, json, os, sqlite3, sys

db, csvdir, jpath = sys.argv[1:4]
needle = os.environ["NEEDLE"]
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
q = lambda sql: con.execute(sql).fetchone()[0]
# endpoints that ever answered TLS, the certificates of their latest
# answer, their findings, every sweep
want = {
    "endpoints": q("SELECT count(DISTINCT endpoint_id) FROM observations WHERE status = 'ok'"),
    "certificates": q("SELECT count(DISTINCT cert_sha256) FROM chain_links WHERE observation_id IN "
                      "(SELECT max(id) FROM observations WHERE status = 'ok' GROUP BY endpoint_id)"),
    "findings": q("SELECT count(*) FROM findings WHERE endpoint_id IN "
                  "(SELECT endpoint_id FROM observations WHERE status = 'ok')"),
    "scans": q("SELECT count(*) FROM scans"),
}
errs = []
if want["endpoints"] != 4 or want["certificates"] != 5:
    errs.append(f"lab: {want}, expected 4 endpoints and 5 certificates")
tables = {}
for name, n in want.items():
    path = f"{csvdir}/{name}.csv"
    if oct(os.stat(path).st_mode & 0o777) != "0o600":
        errs.append(f"{path}: mode {oct(os.stat(path).st_mode & 0o777)}")
    raw = open(path, "rb").read()
    if b"\n" in raw.replace(b"\r\n", b""):
        errs.append(f"{name}.csv: a line does not end in CRLF")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, strict=True))
    head, body = rows[0], rows[1:]
    if any(len(r) != len(head) for r in body):
        errs.append(f"{name}.csv: rows of different lengths")
    if len(body) != n:
        errs.append(f"{name}.csv: {len(body)} rows, database has {n}")
    tables[name] = [dict(zip(head, r)) for r in body]
subjects = [r["subject"] for r in tables["certificates"]]
if not any("alert(1)" in s and "script" in s for s in subjects):
    errs.append(f"certificates.csv lacks the hostile subject: {subjects}")
if sorted(r["ip"] for r in tables["endpoints"]) != [f"127.13.0.{i}" for i in range(1, 5)]:
    errs.append(f"endpoints.csv: {[r['ip'] for r in tables['endpoints']]}")
expired = [r for r in tables["endpoints"] if r["ip"] == "127.13.0.2"]
if not expired or int(expired[0]["days_left"]) >= 0:
    errs.append(f"127.13.0.2 (expired) days_left {expired and expired[0]['days_left']}")
doc = json.load(open(jpath))
for name, n in want.items():
    if len(doc[name]) != n:
        errs.append(f"JSON {name}: {len(doc[name])}, database has {n}")
s = doc["summary"]
if s["endpoints"] != want["endpoints"] or s["expired"] < 1:
    errs.append(f"JSON summary {s}")
rules = {f["rule"] for f in doc["findings"]}
for r in ("cert.expired", "cert.self_signed"):
    if r not in rules:
        errs.append(f"JSON findings lack {r}: {sorted(rules)}")
for e in errs:
    print(e, file=sys.stderr)
sys.exit(1 if errs else 0)
PY

# ---------------------------------------------------------------- errors
cs_scan missing report --db "$D/nothing.db"
[[ $CS_RC == 3 ]] || fail "report on a missing database exited $CS_RC, expected 3"
grep -q "nothing.db" "$D/missing.err" || fail "the error does not name the database: $(cat "$D/missing.err")"
[[ ! -e $D/nothing.db ]] || fail "report created the missing database"
cs_scan badscan report --scan 999 --db "$DB"
[[ $CS_RC == 2 ]] || fail "report --scan 999 exited $CS_RC, expected 2"

# ---------------------------------------------------------------- browser
command -v node >/dev/null || skip "node is missing (scripts/deps.sh installs it)"
[[ -x ${CHROMIUM:-/usr/bin/chromium} ]] || skip "chromium is missing (scripts/deps.sh installs it)"
NODE_DIR=$CS_ROOT/tests/integration/node
[[ -d $NODE_DIR/node_modules/playwright-core ]] ||
    skip "playwright-core is missing (scripts/deps.sh installs it into tests/integration/node)"
NODE_PATH=$NODE_DIR/node_modules timeout -k 5 60 node "$CS_ROOT/tests/integration/lib/html_check.js" \
    "$D/report.html" "$D/report.png" 4 "$NEEDLE" || fail "the report misbehaves in Chromium"
[[ -s $D/report.png ]] || fail "no screenshot"
note "screenshot: $D/report.png"
echo "ok"
