#!/bin/sh
# rmid-at-exit removes only what IPC_STAT proves this process created: a segment it cannot IPC_STAT (EACCES) is left alone
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/policy.sh"
prog="$PROGS/hp_shm"
[ -x "$prog" ] || skip_all "hp_shm not built"
# an unprivileged process: root's CAP_IPC_OWNER never gets EACCES
[ "$(id -u)" = 0 ] || skip_all "needs root to become nobody (setuid in the program)"
prun noread rmid-at-exit=on "$prog" noread 65534
id=$(pout noread)
is "$(cat "$T/noread.rc")" 0 "the mode-0000 segment was created (by nobody)"
ipcs -m | awk -v id="$id" '$2 == id { f = 1 } END { exit !f }'
ok $? "rmid-at-exit: the segment it could not IPC_STAT is still there"
ipcrm -m "$id" 2>/dev/null
is "$(precs noread)" '["rmid-at-exit","on",null,"EACCES"]' "one policy record with the IPC_STAT errno"
pmsg noread rmid-at-exit | grep -q "in place: IPC_STAT failed with EACCES, so it cannot be proven"
ok $? "the message says why it was left"
done_testing
