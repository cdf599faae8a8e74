#!/bin/sh
# socket-paths holds for connects from a signal handler that interrupted ipcguard (guard busy): none gets through, each counts as a dropped record
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/policy.sh"
prog="$PROGS/hp_unix"
[ -x "$prog" ] || skip_all "hp_unix not built"
# the main loop's traced connects keep the guard busy often; a SIGALRM
# every 200 us connects from the handler (before the fix: 10-575 of 3000
# got through)
prun busy "socket-paths=/nonexistent/*" "$prog" busy-connect "$T/srv" 3000
is "$(pout busy)" "handler connects 0 of 3000" "no connect to the forbidden path succeeds, nested or not"
drops=$(jq -r 'select(.type=="exit")|.dropped' "$(ptrace busy)")
echo "# dropped records (untraced calls and their policy records): $drops"
done_testing
