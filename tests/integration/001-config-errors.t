#!/bin/sh
# A bad IPCGUARD_* value stops the program before main: exit 2, one line naming the variable
. "$IPCG_SRC/tests/lib/harness.sh"

prog="$PROGS/t2_steps"
[ -x "$prog" ] || skip_all "t2_steps not built"
cd "$T" || exit 1

# VAR|VALUE, one bad value per line
while IFS='|' read -r var val; do
	rm -f "$T"/trace.*
	env "$var=$val" LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="${IPCGUARD_OUTPUT:-$T/trace.%p.jsonl}" \
		"$prog" main shm >"$T/out" 2>"$T/err"
	rc=$?
	is "$rc" 2 "$var='$val': exit status 2"
	is "$(cat "$T/out")" "" "$var='$val': main did not run"
	is "$(wc -l <"$T/err" | tr -d ' ')" 1 "$var='$val': one line on stderr"
	line=$(cat "$T/err")
	case $line in
	"ipcguard: "*"$var"*) r=0 ;;
	*) r=1 ;;
	esac
	ok $r "$var='$val': message names the variable ($line)"
	case $line in
	*"$val"*) r=0 ;;
	*) r=1 ;;
	esac
	ok $r "$var='$val': message shows the bad value"
done <<'EOF_BAD'
IPCGUARD_STACK|-1
IPCGUARD_STACK|abc
IPCGUARD_STACK|257
IPCGUARD_STACK|10x
IPCGUARD_STACK| 5
IPCGUARD_STACK|99999999999999999999999
IPCGUARD_TRACE|all
IPCGUARD_TRACE|shm,
IPCGUARD_TRACE|SHM
IPCGUARD_TRACE|inet
IPCGUARD_TRACE|shm,unix,none
IPCGUARD_FOLLOW|yes
IPCGUARD_FOLLOW|2
IPCGUARD_FOLLOW|true
IPCGUARD_POLICY|no-such-rule=deny
IPCGUARD_POLICY|repeat-attach=explode
EOF_BAD

# IPCGUARD_OUTPUT is set by preload(); test its bad values directly
for val in 'trace.%q' 'trace.%' 'fd:' 'fd:abc' 'fd:-1' 'fd:3x'; do
	LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$val" "$prog" main >"$T/out" 2>"$T/err"
	is "$?" 2 "IPCGUARD_OUTPUT='$val': exit status 2"
	is "$(cat "$T/out")" "" "IPCGUARD_OUTPUT='$val': main did not run"
	is "$(wc -l <"$T/err" | tr -d ' ')" 1 "IPCGUARD_OUTPUT='$val': one line on stderr"
	case $(cat "$T/err") in
	"ipcguard: "*IPCGUARD_OUTPUT*) r=0 ;;
	*) r=1 ;;
	esac
	ok $r "IPCGUARD_OUTPUT='$val': message names the variable"
done
is "$(ls "$T" | grep -c trace)" 0 "no trace file was created by a rejected configuration"

# good values run the program
for kv in IPCGUARD_STACK=0 IPCGUARD_STACK=256 IPCGUARD_STACK=1 IPCGUARD_TRACE=shm \
	  IPCGUARD_TRACE=unix IPCGUARD_TRACE=none IPCGUARD_TRACE=shm,unix IPCGUARD_TRACE=unix,shm \
	  IPCGUARD_FOLLOW=0 IPCGUARD_FOLLOW=1 IPCGUARD_POLICY=; do
	out=$(env "$kv" LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/ok.%p.jsonl" "$prog" main shm sock 2>&1)
	is "$?:$out" "0:main ran" "$kv: accepted, the program runs"
done
done_testing
