#!/usr/bin/env bash
# t_sniff_corpus.sh: passive acceptance 1.  Every capture in
# tests/data/pcaps goes through `certsweep sniff -r X --json --db X.db`,
# judged against the Mozilla roots of 2014-02-28 with Zeek's 30-day
# expiry window, and the output is compared with what Zeek and Arkime
# logged for the same capture (tests/data/expected, see MANIFEST.md) by
# lib/zeek_check.py: certificate SHA-256 in chain order (and SHA-1 for
# Arkime, the DER bytes for Zeek's base64 log, both from our database),
# serial, subject, issuer, validity, key algorithm and size, SANs, X.509
# version, TLS version, cipher, group, SNI, SNI match, JA3/JA3S/JA4 where
# given, the expired / expiring verdicts of Zeek's notice.log and the
# chain validation of bifs.x509_verify - all at the capture's own time.
# A capture without a baseline listed here fails the test.  No network.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

D=$CS_TEST_DIR
DATA=$CS_ROOT/tests/data
E=$DATA/expected
Z=$E/zeek
ZCHECK=$CS_ROOT/tests/integration/lib/zeek_check.py

# capture -> "mode:baseline ..." (zeek_check.py's modes)
declare -A CHECKS=(
	[ecdhe.pcap]="zeek:$Z/scripts.base.protocols.ssl.ecdhe base64:$Z/scripts.policy.protocols.ssl.log-certs-base64/x509.log"
	[smtp-starttls.pcap]="zeek:$Z/scripts.base.protocols.smtp.starttls"
	[tls-conn-with-extensions.pcap]="zeek:$Z/scripts.base.protocols.ssl.basic"
	[tls1.2.pcap]="zeek:$Z/scripts.base.protocols.ssl.tls-1.2"
	[tls1_1.pcap]="zeek:$Z/scripts.base.protocols.ssl.tls1_1"
	[tls13-ech.pcap]="zeek:$Z/scripts.base.protocols.ssl.tls13-encrypted-client-hello"
	[tls13_wolfssl.pcap]="zeek:$Z/scripts.base.protocols.ssl.tls13_encrypted_handshake_events"
	[tls-expired-cert.pcap]="notice:$Z/scripts.policy.protocols.ssl.expiring-certs/notice.log verify:$Z/bifs.x509_verify/out"
	[openssl-tls1.pcap]="arkime:$E/arkime/openssl-tls1.test.json"
	[openssl-tls1_2.pcap]="arkime:$E/arkime/openssl-tls1_2.test.json"
	[ssl-selfsign.pcap]="arkime:$E/arkime/ssl-selfsign.test.json"
)

n=0
bad=0
for pcap in "$DATA"/pcaps/*.pcap; do
	name=$(basename "$pcap")
	[[ -n ${CHECKS[$name]:-} ]] || fail "$name: no baseline listed in $(basename "$0")"
	base=${name%.pcap}
	cs_scan "$base" sniff -r "$pcap" --json --db "$D/$base.db" \
	    --ca-file "$DATA/mozilla-roots-2014-02-28.pem" --expiring-days 30
	[[ $CS_RC == 0 ]] || fail "$name: certsweep exited $CS_RC: $(head -3 "$D/$base.err")"
	[[ -s $D/$base.out ]] || fail "$name: no observation"
	for c in ${CHECKS[$name]}; do
		note "$name: ${c%%:*} ${c#*:}"
		if ! "$CS_PY" "$ZCHECK" "${c%%:*}" "$D/$base.out" "$D/$base.db" "${c#*:}"; then
			bad=$((bad + 1))
		fi
	done
	n=$((n + 1))
done
((n >= 11)) || fail "only $n captures in tests/data/pcaps"
((bad == 0)) || fail "$bad comparisons differ (above)"
note "$n captures agree with Zeek and Arkime"
