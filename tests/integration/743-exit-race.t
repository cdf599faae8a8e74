#!/bin/sh
# eight threads calling exit() at once, 30 runs: each trace has exactly one exit record, with the status the process really returned
. "$IPCG_SRC/tests/lib/harness.sh"

prog="$PROGS/xr_exit_race"
[ -x "$prog" ] || skip_all "xr_exit_race not built"
runs=30 bad_n=0 bad_status=0 bad_rc=0 seen=""
i=0
while [ $i -lt $runs ]; do
	i=$((i + 1))
	LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/r.$i.jsonl" "$prog"
	rc=$?
	case $rc in 1[0-7]) ;; *) bad_rc=$((bad_rc + 1)); continue ;; esac
	n=$(count_type exit "$T/r.$i.jsonl")
	st=$(jq -r 'select(.type=="exit")|"\(.how) \(.status)"' "$T/r.$i.jsonl" | head -1)
	[ "$n" = 1 ] || { bad_n=$((bad_n + 1)); diag "run $i: $n exit records (rc $rc)"; }
	[ "$st" = "exit $rc" ] || { bad_status=$((bad_status + 1)); diag "run $i: record '$st', rc $rc"; }
	case " $seen " in *" $rc "*) ;; *) seen="$seen $rc" ;; esac
done
is "$bad_rc" 0 "every run ended with one of the threads' statuses (10-17)"
is "$bad_n" 0 "$runs runs: exactly one exit record each"
is "$bad_status" 0 "$runs runs: the record's status is the one the process returned"
diag "winning statuses seen:$seen"

# without the library: the same program ends the same way (a status 10-17)
"$prog"
rc=$?
ok "$([ "$rc" -ge 10 ] && [ "$rc" -le 17 ]; echo $?)" "untraced: status $rc is one of the threads'"
done_testing
