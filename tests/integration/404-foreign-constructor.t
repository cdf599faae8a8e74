#!/bin/sh
# A library constructor that calls shmget/socket before ipcguard's constructor ran: calls succeed and are traced
. "$IPCG_SRC/tests/lib/harness.sh"

prog="$PROGS/ctor_user"
[ -x "$prog" ] || skip_all "ctor_user not built"

plain=$("$prog" 2>&1)
case $plain in
"ctor: shmget ok (errno E2BIG), shmat ok, shmdt 0, rmid 0, socket fd=3 (-), socketpair 0 fds=4,5, close 0, shmdt(NULL) -1 EINVAL"*) r=0 ;;
*) r=1 ;;
esac
ok $r "plain run: the constructor's calls work"

for cfg in default stack0 trace-shm; do
	rm -f "$T"/trace.*
	case $cfg in
	default) set -- ;;
	stack0) set -- IPCGUARD_STACK=0 ;;
	trace-shm) set -- IPCGUARD_TRACE=shm ;;
	esac
	got=$(env "$@" LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/trace.%p.jsonl" "$prog" 2>&1)
	is "$got" "$plain" "$cfg: same results preloaded, nothing on stderr"
	tr=$(ls "$T"/trace.*)
	ok $(json_valid "$tr"; echo $?) "$cfg: trace valid"
	is "$(jq -r 'select(.type=="header")|.type' "$tr" | head -n 1)" header "$cfg: the trace starts with its header"
	# traced from the first call on: the constructor's 8 calls (+2 closes)
	# and main's 4
	case $cfg in
	trace-shm) want="shmget shmat shmdt shmctl shmdt shmget shmctl " ;;
	*) want="shmget shmat shmdt shmctl socket socketpair close shmdt close close shmget socket close shmctl " ;;
	esac
	is "$(jq -r 'select(.type=="call")|.fn' "$tr" | tr '\n' ' ')" "$want" "$cfg: every call traced, in order"
	is "$(jq -c 'select(.type=="call" and .fn=="shmdt" and .errno!=null)|[.args.shmaddr,.ret,.errno]' "$tr")" \
		'[null,-1,"EINVAL"]' "$cfg: the constructor's failing call carries the real errno"
done

# the configuration is checked even when the first call comes from a foreign constructor
out=$(LD_PRELOAD="$LIB" IPCGUARD_STACK=many "$prog" 2>"$T/err")
is "$?:$out" "2:" "bad IPCGUARD_STACK with an early constructor: exit 2 before main"
is "$(wc -l <"$T/err" | tr -d ' ')" 1 "one line on stderr"
done_testing
