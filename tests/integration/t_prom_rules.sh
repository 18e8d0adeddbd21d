#!/usr/bin/env bash
# t_prom_rules.sh: the Prometheus samples are valid and do what they say.
# promtool checks samples/prometheus/prometheus.yml (scrape config and the
# rule file it loads) and alerts.yml, then runs the alert unit tests in
# alerts_test.yml (each alert fires, or stays silent, with exact labels
# and annotations).  Every certsweep_* name the rules and tests use must be
# one the exporter serves (DESIGN.md section 7), so a typo made in both
# places cannot pass.  No network, no certsweep run.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v promtool >/dev/null ||
    skip "promtool is missing (apt-get install --no-install-recommends prometheus)"
P=$CS_ROOT/samples/prometheus
D=$CS_TEST_DIR

# run NAME CMD...: CMD must succeed; its output is shown when it does not
run() {
	local name=$1
	shift
	if ! "$@" >"$D/$name.out" 2>&1; then
		sed 's/^/  /' "$D/$name.out" >&2
		fail "$*"
	fi
	note "$* ok"
}

run config promtool check config "$P/prometheus.yml"
run rules promtool check rules "$P/alerts.yml"
# promtool resolves rule_files against the test file's directory
run test promtool test rules "$P/alerts_test.yml"

# The exporter's metric names (certsweep serve /metrics and /probe).
known="certsweep_cert_not_after_timestamp_seconds
certsweep_cert_not_before_timestamp_seconds
certsweep_endpoint_up
certsweep_endpoint_status
certsweep_tls_version_info
certsweep_findings
certsweep_finding_open
certsweep_endpoints
certsweep_scan_last_success_timestamp_seconds
certsweep_scan_duration_seconds
certsweep_scan_failures_total
certsweep_scans_total"
used=$(grep -ohE 'certsweep_[a-z_]+' "$P/alerts.yml" "$P/alerts_test.yml" | sort -u)
[[ -n $used ]] || fail "no certsweep_* metric found in the rules"
for m in $used; do
	grep -qx "$m" <<<"$known" ||
	    fail "samples/prometheus uses $m, which the exporter does not serve"
done
note "metric names used: $(echo "$used" | tr '\n' ' ')"
echo "ok"
