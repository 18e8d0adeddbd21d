#!/usr/bin/env bash
# t_shard.sh: scale-out.
#   1. --shard K/4, K = 1..4, over a /20 and two ports (--dry-run: no
#      traffic): the four lists are disjoint and their union is exactly the
#      unsharded list (8192 endpoints), with and without --seed.
#   2. A small lab (one nginx answering on every 127.1.0.x of the namespace:
#      two ports, two certificate chains from the fixture CA) of 40 TLS
#      endpoints plus 2 refused and 2 silent, swept as four shards into four
#      databases and merged with `certsweep db merge`, is the same inventory
#      as one full sweep: endpoints, certificates, chain links, statuses and
#      findings (scan ids and times aside).  The history rules are left out:
#      cert.shared_key and cert.changed are judged at record time against
#      the database the observation goes to (a shard sees only its own
#      endpoints; even in one sweep the first endpoint with a key has no
#      finding), so they depend on how the sweep was split and ordered.  Merging again adds nothing, and
#      OUT among the inputs is refused (exit 2).
# Needs root (a network namespace).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v sqlite3 >/dev/null || skip "sqlite3 CLI is missing"
command -v nft >/dev/null || skip "nft is missing (apt-get install nftables)"
cs_ns_setup need
D=$CS_TEST_DIR

# ---------------------------------------------------------------- 1. dry run
for seed in "" "--seed 7"; do
	# shellcheck disable=SC2086 # $seed is empty or two words
	cs_scan all scan 10.20.0.0/20 -p 443,8443 --dry-run $seed
	[[ $CS_RC == 0 ]] || fail "--dry-run exited $CS_RC"
	sort "$D/all.out" >"$D/all.sorted"
	[[ $(wc -l <"$D/all.sorted") == 8192 ]] || fail "--dry-run lists $(wc -l <"$D/all.sorted") endpoints, expected 8192"
	: >"$D/union"
	for k in 1 2 3 4; do
		# shellcheck disable=SC2086
		cs_scan "shard$k" scan 10.20.0.0/20 -p 443,8443 --dry-run --shard "$k/4" $seed
		[[ $CS_RC == 0 ]] || fail "--shard $k/4 --dry-run exited $CS_RC"
		n=$(wc -l <"$D/shard$k.out")
		((n > 1800 && n < 2300)) || fail "shard $k/4 has $n endpoints, expected about 2048"
		cat "$D/shard$k.out" >>"$D/union"
	done
	dups=$(sort "$D/union" | uniq -d | wc -l)
	[[ $dups == 0 ]] || fail "shards overlap ($dups endpoints in two shards; seed '${seed}')"
	sort "$D/union" | cmp -s - "$D/all.sorted" || fail "the shards' union is not the whole set (seed '${seed}')"
	note "seed '${seed:-none}': 4 shards disjoint, union = 8192 endpoints"
done

# ---------------------------------------------------------------- 2. merge
ip netns exec "$CS_NS" nft -f - <<'NFT' || skip "nft rules unavailable in a namespace"
table inet certsweep_test {
	chain input {
		type filter hook input priority 0; policy accept;
		ip daddr 127.3.0.0/24 tcp flags & (syn | ack) == syn drop
	}
}
NFT
mkdir -p "$D/ngx"
cat >"$D/ngx/servers.conf" <<EOF
  server {
    listen 8443 ssl;
    ssl_certificate $CS_PKI/good-chain.pem;
    ssl_certificate_key $CS_PKI/good.key;
    return 200 "good\n";
  }
  server {
    listen 8444 ssl;
    ssl_certificate $CS_PKI/a-chain.pem;
    ssl_certificate_key $CS_PKI/a.key;
    return 200 "a\n";
  }
EOF
cs_nginx_start "$D/ngx" 127.1.0.20 8444
printf '%s\n' 127.1.0.1-20 127.2.0.1:9 127.2.0.2:9 127.3.0.1:8443 127.3.0.2:8443 >"$D/targets"
LAB=(scan -iL "$D/targets" -p 8443,8444 --timeout 1 -q)

cs_scan full "${LAB[@]}" --db "$D/full.db"
[[ $CS_RC == 0 || $CS_RC == 1 ]] || fail "full sweep exited $CS_RC: $(head -3 "$D/full.err")"
for k in 1 2 3 4; do
	cs_scan "s$k" "${LAB[@]}" --shard "$k/4" --db "$D/s$k.db"
	[[ $CS_RC == 0 || $CS_RC == 1 ]] || fail "shard $k exited $CS_RC: $(head -3 "$D/s$k.err")"
done
cs_scan merge db merge "$D/merged.db" "$D/s1.db" "$D/s2.db" "$D/s3.db" "$D/s4.db" -v
[[ $CS_RC == 0 ]] || fail "db merge exited $CS_RC: $(cat "$D/merge.err")"
note "$(grep 'db merge:' "$D/merge.err" || true)"

dump() {
	sqlite3 -batch -noheader -separator ' ' "$1" "
SELECT 'E', ip, port, sni, protocol, ifnull(hostname, '-') FROM endpoints ORDER BY 2, 3;
SELECT 'C', sha256, subject, not_after, sans FROM certificates ORDER BY 2;
SELECT 'O', e.ip, e.port, o.status, o.version FROM observations o JOIN endpoints e ON e.id = o.endpoint_id ORDER BY 2, 3;
SELECT 'L', e.ip, e.port, l.depth, l.cert_sha256 FROM chain_links l
    JOIN observations o ON o.id = l.observation_id JOIN endpoints e ON e.id = o.endpoint_id ORDER BY 2, 3, 4;
SELECT 'F', e.ip, e.port, f.rule, f.severity, ifnull(f.cert_sha256, '-'), f.state FROM findings f
    JOIN endpoints e ON e.id = f.endpoint_id WHERE f.rule NOT IN ('cert.shared_key', 'cert.changed')
    ORDER BY 2, 3, 4, 6;
SELECT 'S', count(*), sum(endpoints), sum(ok) FROM scans;"
}
dump "$D/full.db" >"$D/full.dump"
dump "$D/merged.db" >"$D/merged.dump"
[[ $(grep -c '^O ' "$D/full.dump") == 44 ]] || fail "the full sweep has $(grep -c '^O ' "$D/full.dump") observations, expected 44"
[[ $(grep -c '^O .* ok ' "$D/full.dump") == 40 ]] || fail "the full sweep did not see 40 TLS endpoints"
grep -q '^F ' "$D/full.dump" || fail "the full sweep has no findings to compare"
# the scans row differs by design: 1 sweep vs 4; their counts add up
[[ $(grep '^S ' "$D/full.dump") == "S 1 44 40" ]] || fail "full sweep counts: $(grep '^S ' "$D/full.dump")"
[[ $(grep '^S ' "$D/merged.dump") == "S 4 44 40" ]] || fail "merged sweep counts: $(grep '^S ' "$D/merged.dump")"
if ! diff <(grep -v '^S ' "$D/full.dump") <(grep -v '^S ' "$D/merged.dump") >"$D/dump.diff"; then
	head -20 "$D/dump.diff" >&2
	fail "the merged shards differ from the full sweep (above: < full, > merged)"
fi
note "merged = full: $(grep -c '^E ' "$D/full.dump") endpoints, $(grep -c '^C ' "$D/full.dump") certificates, $(grep -c '^L ' "$D/full.dump") chain links, $(grep -c '^F ' "$D/full.dump") findings"

cs_scan again db merge "$D/merged.db" "$D/s1.db" "$D/s2.db" "$D/s3.db" "$D/s4.db"
[[ $CS_RC == 0 ]] || fail "a second db merge exited $CS_RC"
dump "$D/merged.db" | cmp -s - "$D/merged.dump" || fail "merging the same shards again changed OUT"
cs_scan self db merge "$D/s1.db" "$D/s1.db" "$D/s2.db"
[[ $CS_RC == 2 ]] || fail "db merge with OUT among the inputs exited $CS_RC, expected 2"
grep -q "also an input" "$D/self.err" || fail "db merge OUT=IN: no clear message: $(cat "$D/self.err")"
# the merge command samples/k8s/certsweep-shards.yaml documents, on our
# four shards laid out as its pods write them
mkdir -p "$D/k8s"
for k in 0 1 2 3; do cp "$D/s$((k + 1)).db" "$D/k8s/shard-$k.db"; done
cmd=$(sed -n '/^#   certsweep db merge/,/^#$/p' "$CS_ROOT/samples/k8s/certsweep-shards.yaml" |
    sed 's/^#//; s/\\$//' | tr -s ' \n' ' ' | sed "s|/out/|$D/k8s/|g")
[[ $cmd == *"db merge"*shard-3.db* ]] || fail "no 'certsweep db merge' command found in the k8s sample"
read -r -a words <<<"$cmd"
cs_scan k8s "${words[@]:1}"
[[ $CS_RC == 0 ]] || fail "the k8s sample's merge command failed ($CS_RC): $cmd: $(cat "$D/k8s.err")"
dump "$D/k8s/certsweep.db" | cmp -s - "$D/merged.dump" || fail "the k8s sample's merge differs from ours"
note "k8s sample merge command: ok"
echo "ok"
