#!/bin/sh
# A signal handler that calls _exit (PostgreSQL's quickdie, many SIGTERM
# handlers) may interrupt the thread inside ipcguard's bookkeeping, with a
# table lock held below it: the exit sequence must not wait for that lock
# (it hung about 1 run in 10 with shm calls).  The process ends like a
# kill: no exit record, every complete line still parses.
. "$IPCG_SRC/tests/lib/harness.sh"
ipcns_all

for mode in shm unix; do
	bad=0; parse=0; exits=0
	i=0; runs=60
	[ $mode = unix ] && runs=20
	while [ $i -lt $runs ]; do
		i=$((i + 1))
		rm -f "$T"/trace.*.jsonl
		# only the program is traced (env sets the preload after timeout)
		timeout 10 env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/trace.%p.jsonl" \
			"$PROGS/rw_exit_in_handler" $mode
		rc=$?
		[ $rc -eq 3 ] || { bad=$((bad + 1)); diag "$mode run $i: status $rc"; }
		json_valid "$T"/trace.*.jsonl || parse=$((parse + 1))
		cat "$T"/trace.*.jsonl | tr -d '\000' | grep -q '"type":"exit"' && exits=$((exits + 1))
	done
	is "$bad" 0 "$mode: $runs runs, each ends with the handler's _exit(3), none hangs"
	is "$parse" 0 "$mode: every complete line parses"
	diag "$mode: $exits of $runs traces have an exit record"
done

done_testing
