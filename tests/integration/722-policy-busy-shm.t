#!/bin/sh
# repeat-attach=deny holds for shmat from a signal handler that interrupted ipcguard (guard busy): /proc/self/maps decides, lock-free
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/policy.sh"
prog="$PROGS/hp_shm"
[ -x "$prog" ] || skip_all "hp_shm not built"
# attached once; a SIGALRM every 200 us attaches again from the handler
# while the main loop makes traced shmctl calls (before the fix: ~900 of
# 3000 got a second attach)
prun busy repeat-attach=deny "$prog" busy-deny 3000
is "$(pout busy)" "handler attaches 0 of 3000" "no second attach, nested or not"
prun max "max-attach=1" "$prog" busy-deny 3000
is "$(pout max)" "handler attaches 0 of 3000" "max-attach=1 holds in the handler too"
done_testing
