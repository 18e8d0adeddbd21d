#!/usr/bin/env bash
# t_names.sh: addressing and server names.  One nginx serves
#   [::1]:P6                      the "ip6" leaf            (an IPv6 target)
#   127.0.0.1:PL and [::1]:PL     server_name localhost     (a hostname target)
#   127.12.0.1:PS                 default.test, and a.test / b.test by SNI
# and the scans check: "[::1]:P6" is ok with the right leaf; "localhost:PL"
# resolves (either family) and sends SNI "localhost"; "--sni a.test" and
# "--sni b.test" get their own certificates; an IP target without --sni
# sends no SNI and gets the default server's.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cs_ns_setup any
D=$CS_TEST_DIR
P6=$CS_PORT
PL=$((CS_PORT + 1))
PS=$CS_PORT
mkdir -p "$D/nginx"
K=$CS_PKI

have6=0
cs_in_ns ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/' && have6=1
((have6)) || note "no ::1 on loopback: IPv6 checks skipped"

srv() { # srv "listen ..." NAME-OR-"" CERT
	local listen=$1 name=$2 cert=$3
	printf '  server { %s %s ssl_certificate %s; ssl_certificate_key %s; return 200 "%s\\n"; }\n' \
	    "$listen" "${name:+server_name $name;}" "$K/$cert-chain.pem" "$K/$cert.key" "$cert"
}
{
	if ((have6)); then
		srv "listen [::1]:$P6 ssl;" "" ip6
		srv "listen 127.0.0.1:$PL ssl; listen [::1]:$PL ssl;" localhost localhost
	else
		srv "listen 127.0.0.1:$PL ssl;" localhost localhost
	fi
	srv "listen 127.12.0.1:$PS ssl default_server;" "" default
	srv "listen 127.12.0.1:$PS ssl;" a.test a
	srv "listen 127.12.0.1:$PS ssl;" b.test b
} >"$D/nginx/servers.conf"
cs_nginx_start "$D/nginx" 127.12.0.1 "$PS"

# row NAME: the scan's single-line summary (ip port hostname sni status leaf ...)
rows() {
	cs_check jsonl "$D/$1.out" >/dev/null || fail "$1: JSON output malformed"
	cs_check summary "$D/$1.out"
}
expect_one() { # NAME IP PORT SNI LEAF-CERT
	local name=$1 ip=$2 port=$3 sni=$4 want out
	want=$(cs_fp "$K/$5.pem")
	[[ $CS_RC == 0 ]] || fail "$name: certsweep exited $CS_RC; stderr: $(head -3 "$D/$name.err")"
	out=$(rows "$name")
	[[ $(wc -l <<<"$out") == 1 ]] || fail "$name: expected one endpoint, got: $out"
	IFS=$'\t' read -r gip gport _ gsni gstatus gleaf _ <<<"$out"
	[[ $gip == "$ip" && $gport == "$port" ]] || fail "$name: endpoint $gip:$gport, expected $ip:$port"
	[[ $gstatus == ok ]] || fail "$name: status $gstatus: $(head -c 300 "$D/$name.out")"
	[[ $gsni == "$sni" ]] || fail "$name: sni '$gsni', expected '$sni'"
	[[ $gleaf == "$want" ]] || fail "$name: leaf $gleaf, expected $5 ($want)"
	note "$name: ok"
}

if ((have6)); then
	cs_scan v6 scan "[::1]:$P6" --json --db "$D/names.db"
	expect_one v6 ::1 "$P6" - ip6
fi

cs_scan localhost scan "localhost:$PL" --json --db "$D/names.db"
[[ $CS_RC == 0 ]] || fail "localhost: certsweep exited $CS_RC; stderr: $(head -3 "$D/localhost.err")"
out=$(rows localhost)
want=$(cs_fp "$K/localhost.pem")
[[ -n $out ]] || fail "localhost: no endpoint reported"
while IFS=$'\t' read -r gip gport ghost gsni gstatus gleaf _; do
	[[ $gip == 127.0.0.1 || ($gip == ::1 && $have6 == 1) ]] ||
	    fail "localhost: resolved to '$gip', expected 127.0.0.1 or ::1"
	[[ $gport == "$PL" ]] || fail "localhost: port $gport, expected $PL"
	[[ $ghost == localhost ]] || fail "localhost: hostname '$ghost', expected 'localhost'"
	[[ $gsni == localhost ]] || fail "localhost: sni '$gsni', expected 'localhost'"
	[[ $gstatus == ok && $gleaf == "$want" ]] ||
	    fail "localhost ($gip): status $gstatus leaf $gleaf, expected ok $want"
done <<<"$out"
note "localhost: ok ($(cut -f1 <<<"$out" | tr '\n' ' '))"

cs_scan sni_a scan "127.12.0.1:$PS" --sni a.test --json --db "$D/names.db"
expect_one sni_a 127.12.0.1 "$PS" a.test a
cs_scan sni_b scan "127.12.0.1:$PS" --sni b.test --json --db "$D/names.db"
expect_one sni_b 127.12.0.1 "$PS" b.test b
cs_scan nosni scan "127.12.0.1:$PS" --json --db "$D/names.db"
expect_one nosni 127.12.0.1 "$PS" - default
echo "ok"
