#!/usr/bin/env bash
# t_badinput.sh: errors.  Bad input (a malformed CIDR, port 0 and 70000, an
# unreadable target file, a bad line inside a target file, an unknown
# option) exits 2 with exactly one line on stderr that names the input.  An
# unwritable database path and a file that is not a database exit 3 with a
# message naming the path, and the file is left as it was.  A scan that
# fails on bad input loses nothing an earlier scan stored.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cs_ns_setup any
D=$CS_TEST_DIR
P=$CS_PORT
K=$CS_PKI

# usage_error NAME TOKEN ARGS...: exit 2, one stderr line containing TOKEN
usage_error() {
	local name=$1 token=$2 lines
	shift 2
	cs_scan "$name" scan "$@"
	lines=$(wc -l <"$D/$name.err")
	[[ $CS_RC == 2 ]] ||
	    fail "$name: 'certsweep scan $*' exited $CS_RC, expected 2; stderr: $(head -3 "$D/$name.err")"
	[[ $lines == 1 ]] ||
	    fail "$name: 'certsweep scan $*' wrote $lines lines on stderr, expected one: $(head -5 "$D/$name.err")"
	grep -qwF -- "$token" "$D/$name.err" ||
	    fail "$name: stderr does not name '$token': $(cat "$D/$name.err")"
	[[ ! -s $D/$name.out ]] || fail "$name: unexpected stdout: $(head -3 "$D/$name.out")"
	note "$name: exit 2: $(cat "$D/$name.err")"
}

# runtime_error NAME PATH ARGS...: exit 3, stderr names PATH
runtime_error() {
	local name=$1 path=$2
	shift 2
	cs_scan "$name" scan "$@"
	[[ $CS_RC == 3 ]] ||
	    fail "$name: 'certsweep scan $*' exited $CS_RC, expected 3; stderr: $(head -3 "$D/$name.err")"
	grep -qF -- "$path" "$D/$name.err" ||
	    fail "$name: stderr does not name $path: $(head -3 "$D/$name.err")"
	note "$name: exit 3: $(head -1 "$D/$name.err")"
}

DB=$D/keep.db
usage_error cidr 10.0.0.0/33 10.0.0.0/33 --db "$DB"
usage_error port0 0 127.0.0.1 -p 0 --db "$DB"
usage_error port70000 70000 127.0.0.1 -p 70000 --db "$DB"
usage_error hostport70000 70000 127.0.0.1:70000 --db "$DB"
usage_error nofile "$D/missing/targets.txt" -iL "$D/missing/targets.txt" --db "$DB"
usage_error option frobnicate --frobnicate 127.0.0.1 --db "$DB"
printf '127.0.0.1:%d\n10.0.0.0/33\n' "$P" >"$D/badline.txt"
usage_error badline 10.0.0.0/33 -iL "$D/badline.txt" --db "$DB"

runtime_error unwritable /proc/x/y.db 127.0.0.1 -p 1 --db /proc/x/y.db
head -c 8192 /dev/urandom >"$D/corrupt.db"
cp "$D/corrupt.db" "$D/corrupt.orig"
runtime_error corrupt "$D/corrupt.db" 127.0.0.1 -p 1 --db "$D/corrupt.db"
cmp -s "$D/corrupt.db" "$D/corrupt.orig" || fail "certsweep modified $D/corrupt.db, which is not its database"

# what is stored survives a later failing run
rm -f "$DB" "$DB-wal" "$DB-shm"
mkdir -p "$D/nginx"
printf '  server { listen 127.14.0.1:%d ssl; ssl_certificate %s; ssl_certificate_key %s; return 200 "good\\n"; }\n' \
    "$P" "$K/good-chain.pem" "$K/good.key" >"$D/nginx/servers.conf"
cs_nginx_start "$D/nginx" 127.14.0.1 "$P"
cs_scan first scan 127.14.0.1-2 -p "$P" --db "$DB"
[[ $CS_RC == 0 ]] || fail "first scan exited $CS_RC: $(head -3 "$D/first.err")"
printf '127.14.0.1\t%d\tok\t%s\n' "$P" "$(cs_fp "$K/good.pem")" >"$D/expect.tsv"
cs_check dbleaf "$DB" "$D/expect.tsv" >/dev/null || fail "first scan did not store the leaf"
cs_check dbcount "$DB" >"$D/count.before" || fail "cannot count rows of $DB"

usage_error second_cidr 10.0.0.0/33 127.14.0.1:"$P" 10.0.0.0/33 --db "$DB"
usage_error second_badline 10.0.0.0/33 -iL "$D/badline.txt" --db "$DB"
cs_check dbcount "$DB" >"$D/count.after" || fail "cannot count rows of $DB after the failed runs"
diff "$D/count.before" "$D/count.after" >&2 || fail "failed runs changed the stored rows"
cs_check dbleaf "$DB" "$D/expect.tsv" >/dev/null || fail "the first scan's leaf is gone"
"$CS_PY" -c 'import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0]
sys.exit(r != "ok")' "$DB" || fail "$DB fails PRAGMA integrity_check"
note "rows kept: $(tr '\n' ' ' <"$D/count.after")"
echo "ok"
