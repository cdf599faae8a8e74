#!/bin/sh
# errno seen by the program is unchanged by the library's start-up, fork handling and dlopen tracking
. "$IPCG_SRC/tests/lib/harness.sh"

prog="$PROGS/t2_errno"
[ -x "$prog" ] || skip_all "t2_errno not built"
lib="$PROGS/libt2_dl.so"
[ -f "$lib" ] || lib=libm.so.6
cd "$T" || exit 1

plain=$("$prog" "$lib")
is "$(echo "$plain" | head -n 1)" "errno at main: 0" "plain: errno is 0 at main"
for cfg in default stack0 stderr taken-name; do
	rm -f "$T"/t.*
	case $cfg in
	default) set -- IPCGUARD_OUTPUT="$T/t.%p.jsonl" ;;
	stack0) set -- IPCGUARD_OUTPUT="$T/t.%p.jsonl" IPCGUARD_STACK=0 ;;
	stderr) set -- IPCGUARD_OUTPUT=stderr ;;
	# every process finds its name taken (EEXIST) and picks the next one
	taken-name) echo x >"$T/t.fixed"; set -- IPCGUARD_OUTPUT="$T/t.fixed" ;;
	esac
	got=$(env "$@" LD_PRELOAD="$LIB" "$prog" "$lib" 2>/dev/null)
	is "$got" "$plain" "$cfg: errno as without the library"
done
is "$(ls "$T"/t.fixed* | wc -l | tr -d ' ')" 3 "taken-name: parent and child traces went to .1 and .2"

# a library constructor making the very first call (lazy start-up inside it)
plain=$("$PROGS/ctor_user")
got=$(LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/c.%p.jsonl" "$PROGS/ctor_user")
is "$got" "$plain" "first call from a foreign constructor: same results and errno"
done_testing
