#!/usr/bin/env bash
# record_dialogues.sh: record the STARTTLS dialogues of real servers into
# samples/dialogues/real-PROTO-SERVER[-CASE].txt, the files
# tests/unit/test_probes.c replays.  The recipe, not a test: make check does
# not run it (it starts every server twice, about a minute).  Needs root.
#
#   CERTSWEEP=build/certsweep tests/integration/record_dialogues.sh [SERVER...]
#
# SERVER: postfix dovecot vsftpd slapd prosody postgres mariadb inspircd
# (default: all installed).  Each SERVER runs in its own child of this
# script with its own network namespace, first configured with TLS (the
# dialogue that reaches the handshake), then again with SRV_TLS=no (the
# refusal in the server's own words; servers.sh).  For each case,
# lib/dlgrecord.py sits between certsweep and the server on port 10000+PORT,
# records both directions until the ClientHello and checks the outcome the
# configuration implies: with TLS, the handshake is answered and certsweep
# records exactly that server's certificate; without, certsweep reports
# starttls-refused.  Recordings keep variable parts (dates, salts, ids):
# the replay compares the probe's behaviour, not those bytes.  Read each
# new file before committing it (no secrets are expected: the servers run
# with test certificates and no accounts).
set -eu
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${DIALOGUES_OUT:-$ROOT/samples/dialogues}
ALL="postfix dovecot vsftpd slapd prosody postgres mariadb inspircd"
: "${CERTSWEEP:=$ROOT/build/certsweep}"
case $CERTSWEEP in /*) ;; *) CERTSWEEP=$ROOT/$CERTSWEEP ;; esac
export CERTSWEEP

if [[ ${1:-} != --one ]]; then
	[[ $(id -u) == 0 ]] || { echo "record_dialogues.sh: needs root" >&2; exit 2; }
	rc=0 servers=("$@")
	((${#servers[@]} > 0)) || read -ra servers <<<"$ALL"
	for s in "${servers[@]}"; do
		echo "== $s"
		for tls in yes no; do
			SRV_TLS=$tls bash "$0" --one "$s" || rc=1
		done
	done
	exit $rc
fi
SERVER=$2

# shellcheck source=tests/integration/lib.sh
source "$HERE/lib.sh"
# shellcheck source=tests/integration/servers.sh
source "$HERE/servers.sh"
cs_ns_setup need
D=$CS_TEST_DIR
chmod 755 "$D"
chmod o+x "$(dirname "$D")"
trap 'srv_postfix_stop; cs_cleanup' EXIT
"$ROOT/samples/mkcerts.sh" "$CS_PKI" leaf srv "DNS:srv.test,IP:127.0.0.1" >/dev/null

# record NAME PROTO PORT FORM [certsweep options...]: one case; with TLS it
# must end in the handshake, without in starttls-refused (REASON: the words
# of the server the probe must quote, set before the call)
record() {
	local name=$1 proto=$2 port=$3 form=$4 expect=start-tls want=ok sn=""
	shift 4
	local args=("$@") file=$OUT/real-$name.txt i
	if [[ $SRV_TLS == no ]]; then
		expect="fail starttls-refused" want=starttls-refused
	fi
	for ((i = 0; i < ${#args[@]}; i++)); do
		[[ ${args[i]} == --ehlo || ${args[i]} == --xmpp-domain ]] && sn=${args[i + 1]}
	done
	local rec=("$CS_PY" "$HERE/lib/dlgrecord.py" --listen $((10000 + port))
		--upstream "$port" --out "$file" --form "$form" --expect "$expect"
		--comment="Recorded by tests/integration/record_dialogues.sh from $VERSION"
		--comment="$CONFIG" --comment="certsweep scan --starttls $proto${args[*]:+ ${args[*]}}")
	[[ $proto == "${name%%-*}" ]] || rec+=(--probe "$proto")
	[[ -z $sn ]] || rec+=(--server-name "$sn")
	[[ $SRV_TLS == yes || -z ${REASON:-} ]] || rec+=(--reason "$REASON")
	rm -f "$D/ready"
	cs_bg_ns "${rec[@]}" --ready "$D/ready"
	local pid=$CS_LAST_PID
	for ((i = 0; i < 50; i++)); do
		[[ -e $D/ready ]] && break
		sleep 0.1
	done
	[[ -e $D/ready ]] || fail "$name: the recorder did not start"
	cs_scan "$name" scan "127.0.0.1:$((10000 + port))" --starttls "$proto" \
	    "${args[@]}" --json --ca-file "$CS_PKI/root.pem" --db "$D/rec.db" --timeout 5
	wait "$pid" || fail "$name: not recorded (see above)"
	"$CS_PY" - "$D/$name.out" "$want" "$(cs_fp "$CS_PKI/srv.pem")" <<'PY' ||
import json, sys
o = json.loads(open(sys.argv[1]).readline())
assert o["status"] == sys.argv[2], (o["status"], o.get("reason"))
if sys.argv[2] == "ok":
    assert o["chain"][0]["sha256"] == sys.argv[3], "not the server's certificate"
else:
    print("#   reason: " + o.get("reason", ""))
PY
	    fail "$name: certsweep did not record what the server did: $(head -c 300 "$D/$name.out")"
	note "recorded $file"
}

suffix() { [[ $SRV_TLS == yes ]] && echo "$1" || echo "$1-$2"; }

case $SERVER in
postfix)
	srv_postfix "$D/postfix" srv || fail "postfix did not start"
	VERSION="Postfix $(postconf -d -h mail_version 2>/dev/null)"
	CONFIG="smtpd_tls_security_level = $([[ $SRV_TLS == yes ]] && echo may || echo none)"
	REASON="no STARTTLS in EHLO reply"
	record "$(suffix smtp-postfix notls)" smtp 25 text --ehlo client.test
	;;
dovecot)
	srv_dovecot "$D/dovecot" srv || fail "dovecot did not start"
	VERSION="Dovecot $(dovecot --version | cut -d' ' -f1)"
	CONFIG="ssl = $SRV_TLS"
	REASON="no STARTTLS in IMAP capabilities"
	record "$(suffix imap-dovecot nossl)" imap 143 text
	REASON="no STLS in POP3 capabilities"
	record "$(suffix pop3-dovecot nossl)" pop3 110 text
	if srv_have_sieve; then
		REASON="no STARTTLS in ManageSieve capabilities"
		record "$(suffix sieve-dovecot nossl)" sieve 4190 text
	fi
	;;
vsftpd)
	srv_vsftpd "$D/vsftpd" srv || fail "vsftpd did not start"
	VERSION="vsftpd $(dpkg-query -W -f='${Version}' vsftpd)"
	CONFIG="ssl_enable=$([[ $SRV_TLS == yes ]] && echo YES || echo NO)"
	REASON="530 Please login with USER and PASS"
	record "$(suffix ftp-vsftpd nossl)" ftp 21 text
	;;
slapd)
	srv_slapd "$D/slapd" srv || fail "slapd did not start"
	VERSION="OpenLDAP slapd $(dpkg-query -W -f='${Version}' slapd)"
	CONFIG="$([[ $SRV_TLS == yes ]] && echo "TLSCertificateFile set" || echo "no TLS certificate configured")"
	REASON="unsupported extended operation"
	record "$(suffix ldap-slapd nocert)" ldap 389 hex
	;;
prosody)
	[[ $SRV_TLS == yes ]] || exit 0
	srv_prosody "$D/prosody" srv xmpp.test || fail "prosody did not start"
	VERSION="Prosody $(dpkg-query -W -f='${Version}' prosody)"
	CONFIG="VirtualHost xmpp.test, c2s_require_encryption and s2s_require_encryption"
	record xmpp-prosody xmpp 5222 xml --xmpp-domain xmpp.test
	record xmpp-server-prosody xmpp-server 5269 xml --xmpp-domain xmpp.test
	;;
postgres)
	srv_postgres "$D/postgres" srv || fail "PostgreSQL did not start"
	# shellcheck disable=SC2012 # version directories: plain names
	VERSION="PostgreSQL $(ls /usr/lib/postgresql | sort -V | tail -1)"
	CONFIG="ssl = $([[ $SRV_TLS == yes ]] && echo on || echo off)"
	REASON="'N'"
	record "$(suffix postgres-postgresql nossl)" postgres 5432 hex
	;;
mariadb)
	srv_mariadb "$D/mariadb" srv || fail "MariaDB did not start"
	VERSION="MariaDB $(dpkg-query -W -f='${Version}' mariadb-server)"
	CONFIG="$([[ $SRV_TLS == yes ]] && echo "--ssl-cert/--ssl-key" || echo "--skip-ssl")"
	REASON="does not offer SSL"
	record "$(suffix mysql-mariadb nossl)" mysql 3306 hex
	;;
inspircd)
	srv_have inspircd || { note "inspircd not installed"; exit 0; }
	srv_inspircd "$D/inspircd" srv || fail "inspircd did not start"
	VERSION="InspIRCd $(dpkg-query -W -f='${Version}' inspircd)"
	CONFIG="$([[ $SRV_TLS == yes ]] && echo "m_starttls with m_ssl_gnutls" || echo "no TLS modules")"
	REASON="no tls in IRC capabilities"
	record "$(suffix irc-inspircd notls)" irc 6667 text
	;;
*) fail "unknown server $SERVER" ;;
esac
