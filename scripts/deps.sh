#!/bin/sh
# deps.sh: make sure the Debian packages that build and test certsweep are
# installed (make deps; make check and make demo run it first).
#
# As root: installs whatever is missing with one 'apt-get update' and one
# 'apt-get install -y --no-install-recommends'.  Otherwise: names what is
# missing and exits 1.  Silent, exit 0, when everything is present.
#
#   DEPS_GROUPS="build test fuzz"   which groups to check (default: all)
#   DEPS_EXTRA="pkg ..."             more packages to require
set -eu

BUILD_PKGS="gcc make pkg-config libc6-dev libssl-dev libevent-dev libsqlite3-dev
libjansson-dev libcmocka-dev libpcap-dev libmaxminddb-dev libinih-dev"
# nginx is satisfied by nginx-light, nginx-core or nginx (see has_nginx)
TEST_PKGS="openssl iproute2 nftables sqlite3 python3 time procps ca-certificates
coreutils findutils prometheus chromium nodejs gnutls-bin sslscan nmap
valgrind util-linux"
# gnutls-bin, sslscan, nmap: tests/integration/t_enum.sh (a second TLS stack
# and two independent enumerators to compare --enum with); valgrind: make
# valgrind; util-linux: unshare for t_crash.sh's full disk
# real STARTTLS servers for tests/integration/t_starttls.sh (started there on
# loopback in a namespace; policy-rc.d or no init keeps them off otherwise)
SERVER_PKGS="postfix dovecot-imapd dovecot-pop3d dovecot-managesieved vsftpd slapd
ldap-utils prosody postgresql mariadb-server inspircd"
# make check runs the libFuzzer targets briefly: clang and its runtime
FUZZ_PKGS="clang libclang-rt-dev"

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q ' installed$'
}

has_nginx() {
	for p in nginx-light nginx-core nginx-full nginx-extras nginx; do
		installed "$p" && return 0
	done
	return 1
}

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: not a Debian system (no dpkg-query); install by hand:" \
	    "$BUILD_PKGS nginx $TEST_PKGS $FUZZ_PKGS" | tr '\n' ' ' >&2
	echo >&2
	exit 1
fi

want=""
for g in ${DEPS_GROUPS:-build test fuzz}; do
	case $g in
	build) want="$want $BUILD_PKGS" ;;
	test) want="$want $TEST_PKGS $SERVER_PKGS" ;;
	fuzz) want="$want $FUZZ_PKGS" ;;
	*) echo "deps.sh: unknown group '$g' (build, test, fuzz)" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want ${DEPS_EXTRA:-}; do
	installed "$p" || missing="$missing $p"
done
case " ${DEPS_GROUPS:-build test fuzz} " in
*" test "*)
	has_nginx || missing="$missing nginx-light"
	# NodeSource's nodejs carries npm; Debian's comes apart
	command -v npm >/dev/null 2>&1 || missing="$missing npm"
	;;
esac
missing=${missing# }

# tests/integration/t_report.sh drives Debian's chromium with playwright-core
# from npm (package.json and package-lock.json in tests/integration/node):
# installed there, locally, when missing; it never downloads a browser.
node_deps() {
	case " ${DEPS_GROUPS:-build test fuzz} " in
	*" test "*) ;;
	*) return 0 ;;
	esac
	dir=$(cd "$(dirname "$0")/.." && pwd)/tests/integration/node
	[ -d "$dir/node_modules/playwright-core" ] && return 0
	echo "deps.sh: installing playwright-core into $dir" >&2
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$dir" --no-audit \
	    --no-fund </dev/null >&2
}

if [ -z "$missing" ]; then
	node_deps
	exit $?
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing Debian packages: $missing" >&2
	echo "deps.sh: as root: apt-get install --no-install-recommends $missing" >&2
	exit 1
fi

echo "deps.sh: installing: $missing" >&2
DEBIAN_FRONTEND=noninteractive
export DEBIAN_FRONTEND
apt-get update </dev/null
# shellcheck disable=SC2086 # word splitting of the package list is wanted
apt-get install -y --no-install-recommends $missing </dev/null
node_deps
