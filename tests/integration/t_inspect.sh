#!/usr/bin/env bash
# t_inspect.sh: 'certsweep inspect' on files of samples/mkdefects.sh, as a
# user runs it: a PKCS#12 bundle (password through --password-env), CSRs
# (RSA 1024 and P-256), a certificate with its own key and with another
# one (--key), a truncated PEM and random bytes.  Verdicts in text and in
# --json; exit 2 with a message naming the file for what cannot be read,
# the readable files still reported; --fail-on sets exit 1.  Files only:
# no network, so no namespace.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

D=$CS_TEST_DIR
K=$D/defects
"$CS_ROOT/samples/mkdefects.sh" "$K" >/dev/null || fail "samples/mkdefects.sh failed"

insp() { # insp NAME ARGS...: certsweep inspect, outputs in D/NAME.{out,err}
	local name=$1
	shift
	cs_scan "$name" inspect --ca-file "$K/root.pem" "$@"
}

# rules NAME FILE: the sorted rule ids of FILE's JSON line in NAME.out
rules() {
	"$CS_PY" - "$D/$1.out" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["file"] == sys.argv[2]:
        print(" ".join(sorted(f["rule"] for f in o["findings"])))
        break
else:
    print("MISSING")
PY
}

expect_rules() { # expect_rules NAME FILE "RULES"
	local got
	got=$(rules "$1" "$2")
	[[ $got == "$3" ]] || fail "$1: $2: rules \"$got\", expected \"$3\""
}

# PKCS#12: leaf + intermediate + key, trusted, names good.test
export CS_P12_PASS=defects-pass
insp p12 "$K/good.p12" --password-env CS_P12_PASS --hostname good.test --json
[[ $CS_RC == 0 ]] || fail "inspect good.p12 exited $CS_RC: $(head -3 "$D/p12.err")"
expect_rules p12 "$K/good.p12" ""
"$CS_PY" - "$D/p12.out" "$(cs_fp "$K/good.pem")" "$(cs_fp "$K/int.pem")" <<'PY' || fail "good.p12: JSON facts"
import json, sys
o = json.loads(open(sys.argv[1]).readline())
chain = [c["sha256"] for c in o["chain"]]
ok = chain == sys.argv[2:] and o["verify"]["ok"] and o["verify"]["name_match"] is True
sys.exit(0 if ok else print(chain, o["verify"], file=sys.stderr) or 1)
PY
insp p12text "$K/good.p12" --password-env CS_P12_PASS --hostname good.test
[[ $CS_RC == 0 ]] || fail "inspect good.p12 (text) exited $CS_RC"
grep -q "CN=good.test" "$D/p12text.out" && grep -q "CN=defects intermediate CA" "$D/p12text.out" ||
    fail "good.p12 text output lacks the chain: $(head -5 "$D/p12text.out")"
! grep -q "cert\.[a-z_]*" "$D/p12text.out" || fail "good.p12 text shows findings: $(grep 'cert\.' "$D/p12text.out")"
# a wrong password and none: exit 2, the file named
export CS_P12_WRONG=not-the-password
insp p12wrong "$K/good.p12" --password-env CS_P12_WRONG
[[ $CS_RC == 2 ]] || fail "inspect good.p12 with a wrong password exited $CS_RC, expected 2"
grep -q "$K/good.p12: .*password" "$D/p12wrong.err" || fail "wrong password: $(cat "$D/p12wrong.err")"
insp p12none "$K/good.p12"
[[ $CS_RC == 2 ]] || fail "inspect good.p12 without a password exited $CS_RC, expected 2"
grep -q "$K/good.p12: .*password" "$D/p12none.err" || fail "no password: $(cat "$D/p12none.err")"

# CSRs: the RSA-1024 one is weak, the P-256 one is not
insp csr "$K/weak.csr" "$K/good.csr" --json
[[ $CS_RC == 0 ]] || fail "inspect CSRs exited $CS_RC: $(head -3 "$D/csr.err")"
expect_rules csr "$K/weak.csr" "cert.weak_key"
expect_rules csr "$K/good.csr" ""
insp csrtext "$K/weak.csr"
grep -q "high  *cert.weak_key .*1024" "$D/csrtext.out" || fail "weak.csr text: $(cat "$D/csrtext.out")"
insp csrfail "$K/weak.csr" --fail-on high
[[ $CS_RC == 1 ]] || fail "inspect weak.csr --fail-on high exited $CS_RC, expected 1"

# key against certificate
insp keybad "$K/good-chain.pem" --key "$K/mismatch.key" --hostname good.test --json
expect_rules keybad "$K/good-chain.pem" "cert.key_mismatch"
insp keyok "$K/good-chain.pem" --key "$K/good.key" --hostname good.test --json
[[ $CS_RC == 0 ]] || fail "inspect good-chain.pem --key good.key exited $CS_RC"
expect_rules keyok "$K/good-chain.pem" ""
insp keytext "$K/good-chain.pem" --key "$K/mismatch.key"
grep -q "cert.key_mismatch" "$D/keytext.out" || fail "key mismatch text: $(cat "$D/keytext.out")"
! grep -q "PRIVATE KEY" "$D"/key*.out || fail "a private key was printed"

# unreadable files: exit 2 naming the file, in both modes; a readable
# file given with them is still reported
for mode in text json; do
	j=()
	[[ $mode == json ]] && j=(--json)
	for bad in truncated.pem garbage.bin; do
		insp "bad-$mode-$bad" "$K/$bad" "${j[@]}"
		[[ $CS_RC == 2 ]] || fail "inspect $bad ($mode) exited $CS_RC, expected 2"
		grep -q "$K/$bad: " "$D/bad-$mode-$bad.err" ||
		    fail "inspect $bad ($mode): the message does not name the file: $(cat "$D/bad-$mode-$bad.err")"
		[[ ! -s $D/bad-$mode-$bad.out ]] || fail "inspect $bad ($mode) printed a result"
	done
	grep -qi "truncated\|damaged" "$D/bad-$mode-truncated.pem.err" ||
	    fail "truncated.pem: $(cat "$D/bad-$mode-truncated.pem.err")"
done
insp mixed "$K/garbage.bin" "$K/good-chain.pem" --json
[[ $CS_RC == 2 ]] || fail "inspect garbage.bin good-chain.pem exited $CS_RC, expected 2"
[[ $(wc -l <"$D/mixed.out") == 1 ]] && [[ $(rules mixed "$K/good-chain.pem") != MISSING ]] ||
    fail "the readable file of a mixed run is not reported: $(cat "$D/mixed.out")"
echo "ok"
