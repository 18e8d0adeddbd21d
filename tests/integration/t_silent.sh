#!/usr/bin/env bash
# t_silent.sh: hosts that never answer.  In a private network namespace an
# nft rule drops every TCP SYN to 127.3.0.0/24; a scan of 127.3.0.1-4 with
# --timeout 2 reports each as connect-timeout and ends within the timeout
# plus a margin (a functional bound: without its own connect deadline a
# scanner waits for the kernel's ~130 s of SYN retries).  Needs root.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v nft >/dev/null || skip "nft is missing (apt-get install nftables)"
cs_ns_setup need
D=$CS_TEST_DIR

if ! ip netns exec "$CS_NS" nft -f - 2>"$D/nft.err" <<'NFT'
table inet certsweep_test {
	chain input {
		type filter hook input priority 0; policy accept;
		ip daddr 127.3.0.0/24 tcp flags & (syn | ack) == syn drop
	}
}
NFT
then
	skip "nft rules unavailable in a namespace: $(head -1 "$D/nft.err")"
fi

t0=$(date +%s.%N)
cs_scan silent scan 127.3.0.1-4 --timeout 2 --json --db "$D/silent.db"
t1=$(date +%s.%N)
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
note "scan of 4 silent hosts: exit $CS_RC in $wall s"
[[ $CS_RC == 0 ]] || fail "certsweep exited $CS_RC, expected 0; stderr: $(head -5 "$D/silent.err")"

for i in 1 2 3 4; do
	printf '127.3.0.%d\t443\tconnect-timeout\t-\n' "$i"
done >"$D/expect.tsv"
cs_check jsonl "$D/silent.out" || fail "JSON output malformed"
cs_check expect "$D/silent.out" "$D/expect.tsv" || fail "silent hosts not reported as connect-timeout"

# --timeout 2, one attempt each, all in parallel: 2 s + 1 s + 1.5 s of slack
awk -v w="$wall" 'BEGIN { exit !(w < 4.5) }' ||
    fail "4 silent hosts took $wall s with --timeout 2 (bound 4.5 s): the connect deadline is not enforced"
echo "ok"
