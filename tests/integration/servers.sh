# shellcheck shell=bash
# servers.sh: real STARTTLS and implicit-TLS servers from Debian's packages,
# configured in a temporary directory, started in the test's network
# namespace on their standard ports, stopped by PID (lib.sh's cs_bg records
# them).  Source after lib.sh; call cs_ns_setup need first.
#
#   srv_postfix  DIR CERT   SMTP 25, submission 587, smtps 465
#   srv_dovecot  DIR CERT   IMAP 143, imaps 993, POP3 110, pop3s 995,
#                           ManageSieve 4190 (if dovecot-managesieved is in)
#   srv_vsftpd   DIR CERT   FTP 21 (AUTH TLS), ftps 990 (second vsftpd)
#   srv_slapd    DIR CERT   LDAP 389 (StartTLS), ldaps 636
#   srv_prosody  DIR CERT DOMAIN   XMPP c2s 5222, s2s 5269
#   srv_postgres DIR CERT   PostgreSQL 5432
#   srv_mariadb  DIR CERT   MariaDB 3306
#   srv_inspircd DIR CERT   IRC 6667 (STARTTLS), ircs 6697
#
# CERT names a fixture leaf: $CS_PKI/CERT-chain.pem and $CS_PKI/CERT.key.
# Servers that drop privileges must reach their files: the test directory
# and its parent need o+x (t_starttls.sh sets that).
#
# Each function returns 1 (with the server's log on stderr) when the
# server does not come up; srv_have PROGRAM says whether it is installed.
#
# SRV_TLS=no starts the same servers without TLS, for refusal cases
# (tests/integration/record_dialogues.sh): postfix without STARTTLS,
# dovecot ssl=no, vsftpd ssl_enable=NO, slapd without a certificate,
# PostgreSQL ssl=off, MariaDB without ssl; the implicit-TLS ports and
# prosody are then not started.

srv_have() { command -v "$1" >/dev/null 2>&1; }

# srv_copy_cert DIR CERT OWNER: the chain and key into DIR, readable by OWNER
srv_copy_cert() {
	cp "$CS_PKI/$2-chain.pem" "$CS_PKI/$2.key" "$1/"
	chmod 600 "$1/$2.key"
	[[ -z ${3:-} ]] || chown "$3" "$1/$2-chain.pem" "$1/$2.key"
}

# srv_up NAME LOG PORT...: wait until every PORT of 127.0.0.1 accepts
srv_up() {
	local name=$1 log=$2 p
	shift 2
	for p; do
		if ! cs_wait_tcp 127.0.0.1 "$p" 300; then
			echo "$name did not come up on 127.0.0.1:$p:" >&2
			tail -20 "$log" >&2 2>/dev/null
			return 1
		fi
	done
}

srv_postfix() {
	local d=$1 cert=$2
	mkdir -p "$d/conf" "$d/queue" "$d/data"
	srv_copy_cert "$d" "$cert"
	chown postfix "$d/data"
	cat >"$d/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $d/queue
data_directory = $d/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
smtpd_tls_chain_files = $d/$cert.key, $d/$cert-chain.pem
smtpd_tls_security_level = $([[ ${SRV_TLS:-yes} == no ]] && echo none || echo may)
smtpd_banner = \$myhostname ESMTP certsweep test
maillog_file = /dev/stdout
shlib_directory = no
meta_directory = /etc/postfix
EOF
	cat >"$d/conf/master.cf" <<'EOF'
smtp       inet  n - n - - smtpd
submission inet  n - n - - smtpd
smtps      inet  n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
pickup     unix  n - n 60 1 pickup
cleanup    unix  n - n - 0 cleanup
qmgr       unix  n - n 300 1 qmgr
tlsmgr     unix  - - n 1000? 1 tlsmgr
rewrite    unix  - - n - - trivial-rewrite
bounce     unix  - - n - 0 bounce
defer      unix  - - n - 0 bounce
trace      unix  - - n - 0 bounce
verify     unix  - - n - 1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n - - proxymap
anvil      unix  - - n - 1 anvil
scache     unix  - - n - 1 scache
postlog    unix-dgram n - n - 1 postlogd
EOF
	if [[ ${SRV_TLS:-yes} == no ]]; then
		sed -i '/^smtps /,/wrappermode/d' "$d/conf/master.cf"
	fi
	postfix -c "$d/conf" set-permissions >"$d/perm.log" 2>&1 || true
	cs_bg_ns postfix -c "$d/conf" start-fg >"$d/log" 2>&1
	echo "$d/conf" >>"$CS_TEST_DIR/postfix.confs"
	if [[ ${SRV_TLS:-yes} == no ]]; then
		srv_up postfix "$d/log" 25 587
	else
		srv_up postfix "$d/log" 25 587 465
	fi
}

# postfix's master is a grandchild: stop it the postfix way as well
srv_postfix_stop() {
	local c
	[[ -s $CS_TEST_DIR/postfix.confs ]] || return 0
	while read -r c; do
		cs_in_ns postfix -c "$c" stop >/dev/null 2>&1 || true
	done <"$CS_TEST_DIR/postfix.confs"
	: >"$CS_TEST_DIR/postfix.confs"
}

# srv_dovecot: with dovecot-managesieved installed, ManageSieve 4190 too
srv_dovecot() {
	local d=$1 cert=$2 protos="imap pop3" ports="143 110" ssl=yes s=yes
	[[ ${SRV_TLS:-yes} == no ]] && ssl=no s=no
	[[ $ssl == yes ]] && ports+=" 993 995"
	if srv_have_sieve; then
		protos+=" sieve"
		ports+=" 4190"
	fi
	mkdir -p "$d/run" "$d/state"
	srv_copy_cert "$d" "$cert"
	cat >"$d/dovecot.conf" <<EOF
base_dir = $d/run
state_dir = $d/state
log_path = $d/log
protocols = $protos
listen = 127.0.0.1
ssl = $ssl
ssl_cert = <$d/$cert-chain.pem
ssl_key = <$d/$cert.key
passdb {
  driver = static
  args = nopassword=y
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$d/home
}
service imap-login {
  inet_listener imap {
    port = 143
  }
  inet_listener imaps {
    port = $([[ $s == yes ]] && echo 993 || echo 0)
    ssl = $s
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 110
  }
  inet_listener pop3s {
    port = $([[ $s == yes ]] && echo 995 || echo 0)
    ssl = $s
  }
}
EOF
	if srv_have_sieve; then
		cat >>"$d/dovecot.conf" <<EOF
service managesieve-login {
  inet_listener sieve {
    port = 4190
  }
}
EOF
	fi
	cs_bg_ns dovecot -F -c "$d/dovecot.conf" 2>>"$d/log"
	# shellcheck disable=SC2086 # one port per word
	srv_up dovecot "$d/log" $ports
}

# ManageSieve is a separate package (dovecot-managesieved)
srv_have_sieve() { [[ -x /usr/lib/dovecot/managesieve-login ]]; }

srv_vsftpd() {
	local d=$1 cert=$2
	mkdir -p "$d/empty"
	srv_copy_cert "$d" "$cert"
	cat >"$d/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=21
background=NO
anonymous_enable=YES
anon_root=$d/empty
no_anon_password=YES
allow_anon_ssl=YES
local_enable=NO
ssl_enable=$([[ ${SRV_TLS:-yes} == no ]] && echo NO || echo YES)
rsa_cert_file=$d/$cert-chain.pem
rsa_private_key_file=$d/$cert.key
secure_chroot_dir=$d/empty
seccomp_sandbox=NO
xferlog_enable=NO
EOF
	sed 's/^listen_port=21$/listen_port=990/' "$d/vsftpd.conf" >"$d/implicit.conf"
	echo "implicit_ssl=YES" >>"$d/implicit.conf"
	cs_bg_ns vsftpd "$d/vsftpd.conf" >"$d/log" 2>&1
	[[ ${SRV_TLS:-yes} == no ]] && { srv_up vsftpd "$d/log" 21; return; }
	cs_bg_ns vsftpd "$d/implicit.conf" >>"$d/log" 2>&1
	srv_up vsftpd "$d/log" 21 990
}

srv_slapd() {
	local d=$1 cert=$2
	mkdir -p "$d/data"
	srv_copy_cert "$d" "$cert"
	cat >"$d/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
pidfile $d/slapd.pid
argsfile $d/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCertificateFile $d/$cert-chain.pem
TLSCertificateKeyFile $d/$cert.key
database mdb
maxsize 10485760
suffix "dc=test"
rootdn "cn=admin,dc=test"
directory $d/data
EOF
	if [[ ${SRV_TLS:-yes} == no ]]; then
		sed -i '/^TLS/d' "$d/slapd.conf"
		cs_bg_ns slapd -h "ldap://127.0.0.1:389/" -f "$d/slapd.conf" \
		    -d 0 >"$d/log" 2>&1
		srv_up slapd "$d/log" 389
		return
	fi
	cs_bg_ns slapd -h "ldap://127.0.0.1:389/ ldaps://127.0.0.1:636/" \
	    -f "$d/slapd.conf" -d 0 >"$d/log" 2>&1
	srv_up slapd "$d/log" 389 636
}

srv_prosody() {
	local d=$1 cert=$2 domain=$3
	mkdir -p "$d/data"
	srv_copy_cert "$d" "$cert"
	cat >"$d/prosody.cfg.lua" <<EOF
pidfile = "$d/prosody.pid"
data_path = "$d/data"
daemonize = false
log = { info = "$d/log"; }
interfaces = { "127.0.0.1" }
c2s_ports = { 5222 }
s2s_ports = { 5269 }
modules_enabled = { "tls"; "disco"; "saslauth"; }
c2s_require_encryption = true
s2s_require_encryption = true
VirtualHost "$domain"
  ssl = { certificate = "$d/$cert-chain.pem"; key = "$d/$cert.key"; }
EOF
	chown -R prosody: "$d"
	cs_bg_ns runuser -u prosody -- prosody --config "$d/prosody.cfg.lua" \
	    >"$d/out" 2>&1
	srv_up prosody "$d/out" 5222 5269
}

srv_postgres() {
	local d=$1 cert=$2 bin pgssl=on
	[[ ${SRV_TLS:-yes} == no ]] && pgssl=off
	bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[[ -x $bin/postgres ]] || { echo "PostgreSQL is missing" >&2; return 1; }
	mkdir -p "$d"
	srv_copy_cert "$d" "$cert" postgres
	chown postgres "$d"
	runuser -u postgres -- "$bin/initdb" -D "$d/data" -A trust -U postgres \
	    --no-sync >"$d/initdb.log" 2>&1 || { cat "$d/initdb.log" >&2; return 1; }
	cs_bg_ns runuser -u postgres -- "$bin/postgres" -D "$d/data" \
	    -c listen_addresses=127.0.0.1 -p 5432 -k "$d" -c ssl="$pgssl" \
	    -c ssl_cert_file="$d/$cert-chain.pem" -c ssl_key_file="$d/$cert.key" \
	    -c fsync=off >"$d/log" 2>&1
	srv_up postgres "$d/log" 5432
}

srv_mariadb() {
	local d=$1 cert=$2
	mkdir -p "$d"
	srv_copy_cert "$d" "$cert" mysql
	chown mysql "$d"
	local ssl=(--ssl-cert="$d/$cert-chain.pem" --ssl-key="$d/$cert.key")
	[[ ${SRV_TLS:-yes} == no ]] && ssl=(--skip-ssl)
	mariadb-install-db --no-defaults --datadir="$d/data" --user=mysql \
	    --tmpdir="$d" \
	    --auth-root-authentication-method=normal --skip-test-db \
	    >"$d/install.log" 2>&1 || { tail -5 "$d/install.log" >&2; return 1; }
	cs_bg_ns mariadbd --no-defaults --datadir="$d/data" --user=mysql \
	    --tmpdir="$d" \
	    --bind-address=127.0.0.1 --port=3306 --socket="$d/sock" \
	    --pid-file="$d/pid" "${ssl[@]}" --skip-log-bin \
	    --innodb-buffer-pool-size=16M >"$d/log" 2>&1
	srv_up mariadb "$d/log" 3306
}

# srv_inspircd DIR CERT: InspIRCd 3, IRC 6667 with STARTTLS (m_starttls) and
# ircs 6697, both through m_ssl_gnutls; SRV_TLS=no loads neither (STARTTLS
# is then an unknown command) and binds 6667 only.
srv_inspircd() {
	local d=$1 cert=$2
	# LEAD NOTE: an empty $d once made "chown irc $d/*" chown /* (every
	# top-level directory of the machine): never run without a directory
	[[ -n $d && $d == /*/* ]] || { echo "srv_inspircd: bad directory '$d'" >&2; return 1; }
	mkdir -p "$d"
	srv_copy_cert "$d" "$cert" irc
	chown irc "$d"
	cat >"$d/inspircd.conf" <<EOF
<server name="irc.test" description="certsweep test" network="test">
<admin name="test" nick="test" email="test@irc.test">
<bind address="127.0.0.1" port="6667" type="clients">
<connect allow="*" timeout="60" resolvehostnames="no" localmax="100"
  globalmax="100" useident="no">
<pid file="$d/inspircd.pid">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default"
  target="$d/log">
<dns server="127.0.0.1" timeout="1">
<options>
<security>
<performance>
<files motd="$d/motd">
<module name="cap">
EOF
	echo "certsweep test" >"$d/motd"
	if [[ ${SRV_TLS:-yes} != no ]]; then
		cat >>"$d/inspircd.conf" <<EOF
<module name="ssl_gnutls">
<module name="starttls">
<sslprofile name="test" provider="gnutls" certfile="$d/$cert-chain.pem"
  keyfile="$d/$cert.key" dhfile="" requestclientcert="no">
<gnutls onrehash="no">
<starttls provider="test">
<bind address="127.0.0.1" port="6697" type="clients" sslprofile="test">
EOF
	fi
	chown irc "$d"/*
	cs_bg_ns runuser -u irc -- inspircd --nofork --nopid \
	    --config="$d/inspircd.conf" >"$d/out" 2>&1
	if [[ ${SRV_TLS:-yes} == no ]]; then
		srv_up inspircd "$d/out" 6667
	else
		srv_up inspircd "$d/out" 6667 6697
	fi
}
