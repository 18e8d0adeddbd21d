#!/usr/bin/env bash
# t_serve.sh: certsweep serve, the Prometheus exporter.  In a private
# namespace: nginx serves the fixture's good chain, expired leaf and
# self-signed leaf on 127.13.0.1-3 (127.13.0.4 is closed); a scan fills a
# database; serve publishes it.
#  - /metrics: promtool check metrics accepts it; every lab endpoint has
#    certsweep_cert_not_after_timestamp_seconds{depth="0"} equal to the
#    served leaf's notAfter (openssl x509 -enddate) and endpoint_up 1;
#  - /probe: probe_success 1 and the leaf's expiry for a live endpoint,
#    probe_success 0 for the closed port; 400, 404, 405, /healthz;
#  - a real Prometheus scraping serve every second stores a series for
#    every lab endpoint (bounded wait);
#  - serve --every 2s records at least two scans and says so in
#    certsweep_scans_total; SIGTERM stops it with exit 0.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for t in curl promtool prometheus; do
	command -v $t >/dev/null || skip "$t is missing (apt-get install curl prometheus)"
done
cs_ns_setup need
D=$CS_TEST_DIR
P=$CS_PORT
K=$CS_PKI
SP=9655		# serve
SP2=9656	# serve --every
PP=9090		# Prometheus

mkdir -p "$D/nginx"
i=0
for c in good expired selfsigned; do
	i=$((i + 1))
	printf '  server { listen 127.13.0.%d:%d ssl; ssl_certificate %s; ssl_certificate_key %s; return 200 "%s\\n"; }\n' \
	    "$i" "$P" "$K/$c-chain.pem" "$K/$c.key" "$c"
done >"$D/nginx/servers.conf"
cs_nginx_start "$D/nginx" 127.13.0.1 "$P"

cs_scan scan scan 127.13.0.1-3 -p "$P" --ca-file "$K/root.pem" --db "$D/inv.db"
[[ $CS_RC == 0 || $CS_RC == 1 ]] || fail "scan exited $CS_RC: $(head -3 "$D/scan.err")"

# get NAME PATH [CURL ARGS...]: body in $D/NAME.out, status in $D/NAME.code
get() {
	local name=$1 path=$2
	shift 2
	cs_in_ns curl -sS --max-time 20 -o "$D/$name.out" -w '%{http_code}' \
	    "$@" "http://127.0.0.1:$SP$path" >"$D/$name.code" ||
	    fail "curl $path failed"
}
code() { cat "$D/$1.code"; }

cs_bg_ns "$CERTSWEEP" serve --listen "127.0.0.1:$SP" --db "$D/inv.db" \
    --ca-file "$K/root.pem" --timeout 2 2>"$D/serve.err"
SERVE_PID=$CS_LAST_PID
cs_wait_tcp 127.0.0.1 "$SP" 100 || fail "serve did not listen: $(head -5 "$D/serve.err")"

get metrics /metrics -D "$D/metrics.hdr"
[[ $(code metrics) == 200 ]] || fail "/metrics answered $(code metrics)"
grep -qi '^content-type: text/plain; version=0.0.4' "$D/metrics.hdr" ||
    fail "/metrics content type: $(grep -i content-type "$D/metrics.hdr")"
promtool check metrics <"$D/metrics.out" >"$D/promtool.out" 2>&1 ||
    fail "promtool check metrics: $(head -5 "$D/promtool.out")"
note "promtool check metrics ok ($(grep -vc '^#' "$D/metrics.out") samples)"

# parse FILE: one line per sample, "name<TAB>json labels<TAB>value"
cat >"$D/parse.py" <<'PY'
import json, re, sys
lab = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$', line.rstrip("\n"))
    if not m:
        sys.exit("unparsable line: " + line)
    labels = {k: v.encode().decode("unicode_escape") for k, v in lab.findall(m.group(2) or "")}
    print(m.group(1), json.dumps(labels, sort_keys=True), m.group(3), sep="\t")
PY
"$CS_PY" "$D/parse.py" "$D/metrics.out" >"$D/metrics.tsv" || fail "cannot parse /metrics"

# enddate PEM: notAfter of the first certificate, Unix seconds
enddate() {
	date -u -d "$(openssl x509 -noout -enddate -in "$1" | sed 's/^notAfter=//')" +%s
}
# sample FILE NAME ENDPOINT [DEPTH]: the value of NAME for that endpoint
sample() {
	awk -F'\t' -v n="$2" -v e="\"endpoint\": \"$3\"" -v d="\"depth\": \"${4:-}\"" \
	    '$1 == n && index($2, e) && (d == "\"depth\": \"\"" || index($2, d)) { print $3; exit }' "$1"
}
i=0
for c in good expired selfsigned; do
	i=$((i + 1))
	ep=127.13.0.$i:$P
	want=$(enddate "$K/$c.pem")
	got=$(sample "$D/metrics.tsv" certsweep_cert_not_after_timestamp_seconds "$ep" 0)
	[[ $got == "$want" ]] || fail "$ep ($c): not_after $got, openssl says $want"
	[[ $(sample "$D/metrics.tsv" certsweep_endpoint_up "$ep") == 1 ]] ||
	    fail "$ep: certsweep_endpoint_up is not 1"
done
note "/metrics: not_after of the 3 leaves matches openssl"
want=$(enddate "$K/int.pem")
[[ $(sample "$D/metrics.tsv" certsweep_cert_not_after_timestamp_seconds "127.13.0.1:$P" 1) == "$want" ]] ||
    fail "the intermediate (depth 1) of the good chain is missing or wrong"
grep -q '^certsweep_finding_open.*rule="cert.expired"' "$D/metrics.out" ||
    fail "the expired leaf has no open cert.expired finding"
grep -q '^certsweep_scans_total 1$' "$D/metrics.out" || fail "certsweep_scans_total is not 1"
grep -q '^process_start_time_seconds ' "$D/metrics.out" || fail "no process metrics"

# /probe of a live endpoint: success, the leaf's expiry, the earliest one
get probe "/probe?target=127.13.0.1:$P&module=tls" -H 'X-Prometheus-Scrape-Timeout-Seconds: 10'
[[ $(code probe) == 200 ]] || fail "/probe answered $(code probe): $(cat "$D/probe.out")"
promtool check metrics <"$D/probe.out" >"$D/promtool-probe.out" 2>&1 ||
    fail "promtool check metrics (probe): $(head -5 "$D/promtool-probe.out")"
"$CS_PY" "$D/parse.py" "$D/probe.out" >"$D/probe.tsv" || fail "cannot parse /probe"
grep -qP '^probe_success\t\{\}\t1$' "$D/probe.tsv" || fail "probe_success is not 1: $(cat "$D/probe.out")"
leaf=$(enddate "$K/good.pem")
int=$(enddate "$K/int.pem")
[[ $(sample "$D/probe.tsv" certsweep_cert_not_after_timestamp_seconds "127.13.0.1:$P" 0) == "$leaf" ]] ||
    fail "/probe: the leaf's not_after is not $leaf"
earliest=$((leaf < int ? leaf : int))
grep -qP "^probe_ssl_earliest_cert_expiry\t\{\}\t$earliest$" "$D/probe.tsv" ||
    fail "/probe: probe_ssl_earliest_cert_expiry is not $earliest"
grep -q '^probe_tls_version_info{version="TLSv1.3"} 1$' "$D/probe.out" ||
    fail "/probe: no probe_tls_version_info for TLSv1.3"

get closed "/probe?target=127.13.0.4:$P"
[[ $(code closed) == 200 ]] || fail "/probe (closed) answered $(code closed)"
grep -q '^probe_success 0$' "$D/closed.out" || fail "closed port: probe_success is not 0"
grep -q 'status="refused"' "$D/closed.out" || fail "closed port: status is not refused"
note "/probe: live endpoint and closed port ok"

get bad "/probe"
[[ $(code bad) == 400 ]] || fail "/probe without target answered $(code bad)"
get badmod "/probe?target=127.13.0.1:$P&module=nosuch"
[[ $(code badmod) == 400 ]] || fail "/probe with an unknown module answered $(code badmod)"
get range "/probe?target=127.13.0.0/24"
[[ $(code range) == 400 ]] || fail "/probe of a range answered $(code range)"
get nf /nothing
[[ $(code nf) == 404 ]] || fail "/nothing answered $(code nf)"
get post /metrics -X POST
[[ $(code post) == 405 ]] || fail "POST /metrics answered $(code post)"
get health /healthz
[[ $(code health) == 200 && $(cat "$D/health.out") == ok ]] || fail "/healthz"
get index /
grep -q 'href="/metrics"' "$D/index.out" || fail "/ has no link to /metrics"

# A real Prometheus scrapes serve every second.
cat >"$D/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: certsweep
    static_configs:
      - targets: ['127.0.0.1:$SP']
EOF
cs_bg_ns prometheus --config.file="$D/prometheus.yml" --storage.tsdb.path="$D/prom-data" \
    --web.listen-address="127.0.0.1:$PP" 2>"$D/prometheus.err"
cs_wait_tcp 127.0.0.1 "$PP" 150 || fail "prometheus did not start: $(tail -3 "$D/prometheus.err")"
ok=""
for ((t = 0; t < 30; t++)); do
	cs_in_ns curl -sS --max-time 5 -G "http://127.0.0.1:$PP/api/v1/query" \
	    --data-urlencode 'query=certsweep_cert_not_after_timestamp_seconds{depth="0"}' \
	    >"$D/query.json" 2>/dev/null || true
	if PORT=$P "$CS_PY" - "$D/query.json" <<'PY'
import json, os, sys
try:
    r = json.load(open(sys.argv[1]))["data"]["result"]
except Exception:
    sys.exit(1)
eps = {s["metric"].get("endpoint") for s in r}
want = {f"127.13.0.{i}:{os.environ['PORT']}" for i in (1, 2, 3)}
sys.exit(0 if want <= eps else 1)
PY
	then
		ok=1
		break
	fi
	sleep 1
done
[[ -n $ok ]] || fail "Prometheus has no series for every lab endpoint after 30 s: $(head -c 400 "$D/query.json")"
note "Prometheus stored certsweep_cert_not_after_timestamp_seconds for the 3 endpoints"

# stop_serve PID LOG: SIGTERM; it must exit 0 within 10 s
stop_serve() {
	local t rc
	kill -TERM "$1"
	for ((t = 0; t < 100; t++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$1" 2>/dev/null && fail "serve did not stop within 10 s of SIGTERM"
	wait "$1" && rc=0 || rc=$?
	[[ $rc == 0 ]] || fail "serve exited $rc after SIGTERM: $(tail -5 "$2")"
}
stop_serve "$SERVE_PID" "$D/serve.err"

# --every 2s: the first sweep at once, a second two seconds later.
cs_bg_ns "$CERTSWEEP" serve --listen "127.0.0.1:$SP2" --db "$D/every.db" --every 2s \
    --timeout 2 127.13.0.1-4 -p "$P" 2>"$D/every.err"
EVERY_PID=$CS_LAST_PID
cs_wait_tcp 127.0.0.1 "$SP2" 100 || fail "serve --every did not listen: $(head -5 "$D/every.err")"
n=0
for ((t = 0; t < 40; t++)); do
	n=$(sqlite3 "file:$D/every.db?mode=ro" 'SELECT count(*) FROM scans WHERE finished IS NOT NULL' 2>/dev/null || echo 0)
	((n >= 2)) && break
	sleep 0.5
done
((n >= 2)) || fail "serve --every 2s recorded $n finished scans in 20 s: $(tail -3 "$D/every.err")"
cs_in_ns curl -sS --max-time 10 "http://127.0.0.1:$SP2/metrics" >"$D/every.out" ||
    fail "curl /metrics (--every)"
total=$(awk '$1 == "certsweep_scans_total" { print $2 }' "$D/every.out")
[[ -n $total ]] && ((total >= 2)) || fail "certsweep_scans_total is '$total', want >= 2"
"$CS_PY" "$D/parse.py" "$D/every.out" >"$D/every.tsv" || fail "cannot parse /metrics (--every)"
[[ $(sample "$D/every.tsv" certsweep_endpoint_up "127.13.0.4:$P") == 0 ]] ||
    fail "--every: the closed endpoint is not down"
note "--every 2s: $n scans recorded, certsweep_scans_total $total"
stop_serve "$EVERY_PID" "$D/every.err"
open=$(sqlite3 "file:$D/every.db?mode=ro" 'SELECT count(*) FROM scans WHERE finished IS NULL')
[[ $open == 0 ]] || fail "after SIGTERM, $open scans are left unfinished"
echo "ok"
