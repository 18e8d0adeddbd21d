#!/usr/bin/env bash
# t_starttls.sh: STARTTLS and implicit TLS against real servers from
# Debian's packages, each with its own certificate, on their standard ports
# in a private network namespace: postfix (SMTP 25, submission 587, smtps
# 465), dovecot (IMAP 143/993, POP3 110/995), vsftpd (FTP 21, ftps 990),
# slapd (LDAP 389 StartTLS, ldaps 636), prosody (XMPP c2s 5222, s2s 5269),
# PostgreSQL 5432, MariaDB 3306, dovecot's ManageSieve 4190 and InspIRCd
# (IRC 6667 STARTTLS, ircs 6697) when installed, and scripted servers
# (lib/fakeproto.py) for NNTP 119 STARTTLS, nntps 563 and RDP 3389, which
# have no practical Debian server.  One scan with --starttls auto must
# record, for every port, the protocol the port implies and exactly the
# certificate that server was given.  Then a scripted SMTP server that never
# offers STARTTLS gives starttls-refused with its own words, and one that
# pipelines plaintext after its go-ahead gives the starttls.injection
# finding.  Needs root (namespace, servers dropping privileges).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/integration/servers.sh
source "$(dirname "${BASH_SOURCE[0]}")/servers.sh"

cs_ns_setup need
D=$CS_TEST_DIR
# the servers' own users (postfix, postgres, mysql, ...) must reach $D
chmod 755 "$D"
chmod o+x "$(dirname "$D")"
trap 'srv_postfix_stop; cs_cleanup' EXIT

# a private PKI with one leaf per server
cp -r "$CS_PKI" "$D/pki"
CS_PKI=$D/pki
for s in mail imapd ftpd ldapd xmppd pgsql mysql ircd news rdp inject; do
	"$CS_ROOT/samples/mkcerts.sh" "$CS_PKI" leaf "$s" "DNS:$s.test,IP:127.0.0.1" ||
	    fail "cannot make the $s certificate"
done

# PORT PROTOCOL CERT SERVER-PROGRAM
LAB=(
	"25 smtp mail postfix" "587 smtp mail postfix" "465 smtps mail postfix"
	"143 imap imapd dovecot" "993 imaps imapd dovecot"
	"110 pop3 imapd dovecot" "995 pop3s imapd dovecot"
	"21 ftp ftpd vsftpd" "990 ftps ftpd vsftpd"
	"389 ldap ldapd slapd" "636 ldaps ldapd slapd"
	"5222 xmpp xmppd prosody" "5269 xmpp-server xmppd prosody"
	"5432 postgres pgsql postgres" "3306 mysql mysql mariadbd"
	"4190 sieve imapd dovecot-sieve"
	"6667 irc ircd inspircd" "6697 ircs ircd inspircd"
	"119 nntp news fake-nntp" "563 nntps news fake-nntps"
	"3389 rdp rdp fake-rdp"
)
started=" "
start() { # PROGRAM PORT CERT: start that server once
	local p=$1 port=$2 cert=$3
	[[ $started == *" $p "* ]] && return 0
	case $p in
	postfix) srv_postfix "$D/postfix" mail ;;
	dovecot) srv_dovecot "$D/dovecot" imapd ;;
	vsftpd) srv_vsftpd "$D/vsftpd" ftpd ;;
	slapd) srv_slapd "$D/slapd" ldapd ;;
	prosody) srv_prosody "$D/prosody" xmppd xmpp.test ;;
	postgres) srv_postgres "$D/postgres" pgsql ;;
	mariadbd) srv_mariadb "$D/mariadb" mysql ;;
	inspircd) srv_inspircd "$D/inspircd" ircd ;;
	dovecot-sieve) start dovecot "$port" "$cert" ;;
	fake-*)
		cs_bg_ns "$CS_PY" "$CS_ROOT/tests/integration/lib/fakeproto.py" \
		    "${p#fake-}" 127.0.0.1 "$port" "$CS_PKI/$cert-chain.pem" \
		    "$CS_PKI/$cert.key"
		cs_wait_tcp 127.0.0.1 "$port"
		;;
	esac || fail "$p did not start"
	started+="$p "
}

ports=() missing=()
: >"$D/expect.tsv"
: >"$D/proto.tsv"
for row in "${LAB[@]}"; do
	read -r port proto cert prog <<<"$row"
	if [[ $prog == postgres ]] && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
		missing+=("$prog")
		continue
	fi
	if [[ $prog == dovecot-sieve ]] && ! srv_have_sieve; then
		missing+=(dovecot-managesieved)
		continue
	fi
	if [[ $prog != postgres && $prog != fake-* && $prog != dovecot-sieve ]] &&
	    ! srv_have "$prog"; then
		missing+=("$prog")
		continue
	fi
	start "$prog" "$port" "$cert"
	ports+=("$port")
	printf '127.0.0.1\t%s\tok\t%s\n' "$port" "$(cs_fp "$CS_PKI/$cert.pem")" >>"$D/expect.tsv"
	printf '%s\t%s\n' "$port" "$proto" >>"$D/proto.tsv"
done
((${#missing[@]} == 0)) || note "not installed, skipped: ${missing[*]} (scripts/deps.sh installs them)"
((${#ports[@]} > 0)) || skip "no STARTTLS server installed"
note "servers up: $started"

IFS=, eval 'plist="${ports[*]}"'
cs_scan all scan 127.0.0.1 -p "$plist" --xmpp-domain xmpp.test --json \
    --ca-file "$CS_PKI/root.pem" --db "$D/starttls.db" --timeout 5
[[ $CS_RC == 0 || $CS_RC == 1 ]] || fail "certsweep exited $CS_RC; stderr: $(head -5 "$D/all.err")"
cs_check jsonl "$D/all.out" || fail "JSON output malformed"
cs_check expect "$D/all.out" "$D/expect.tsv" || fail "a server's certificate was not recorded"
"$CS_PY" - "$D/all.out" "$D/proto.tsv" <<'PY' || fail "protocol names differ"
import json, sys
want = dict(l.split() for l in open(sys.argv[2]))
bad = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["protocol"] != want[str(o["port"])]:
        print(f"port {o['port']}: protocol {o['protocol']!r}, expected {want[str(o['port'])]!r}", file=sys.stderr)
        bad += 1
sys.exit(bad > 0)
PY
note "${#ports[@]} ports: every certificate and protocol as configured"

# refusal and injection: a scripted SMTP server
cs_bg_ns "$CS_PY" "$CS_ROOT/tests/integration/lib/injectsrv.py" 127.0.0.1 2525 \
    "$CS_PKI/inject-chain.pem" "$CS_PKI/inject.key" refuse
cs_bg_ns "$CS_PY" "$CS_ROOT/tests/integration/lib/injectsrv.py" 127.0.0.1 2526 \
    "$CS_PKI/inject-chain.pem" "$CS_PKI/inject.key" inject
cs_wait_tcp 127.0.0.1 2525 && cs_wait_tcp 127.0.0.1 2526 || fail "scripted SMTP servers did not start"
cs_scan refuse scan 127.0.0.1:2525 --starttls smtp --json --db "$D/starttls.db"
grep -q '"status":"starttls-refused"' "$D/refuse.out" ||
    fail "no STARTTLS offered: expected starttls-refused, got $(head -c 400 "$D/refuse.out")"
grep -q 'STARTTLS' "$D/refuse.out" || fail "the reason does not quote the server: $(head -c 400 "$D/refuse.out")"
cs_scan inject scan 127.0.0.1:2526 --starttls smtp --json --db "$D/starttls.db"
"$CS_PY" - "$D/inject.out" "$(cs_fp "$CS_PKI/inject.pem")" <<'PY' || fail "injection not reported"
import json, sys
o = json.loads(open(sys.argv[1]).readline())
assert o["status"] == "ok", o
assert o["chain"][0]["sha256"] == sys.argv[2], o["chain"][0]["sha256"]
rules = [f["rule"] for f in o["findings"]]
assert "starttls.injection" in rules, rules
PY
note "refusal and injection: ok"
echo "ok"
