#!/bin/sh
# repeat-attach=reuse never hands out an attach that ended unseen (munmap, syscall(SYS_shmdt)): /proc/self/maps must prove it
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/policy.sh"
prog="$PROGS/hp_shm"
[ -x "$prog" ] || skip_all "hp_shm not built"

for how in munmap sysdt; do
	prun $how repeat-attach=reuse "$prog" reuse-$how
	is "$(cat "$T/$how.rc")" 0 "reuse after $how: the program does not crash"
	is "$(pout $how)" "write ok
shmdt 0" "reuse after $how: the second shmat is a real, writable attach"
	is "$(precs $how)" "" "reuse after $how: no reuse record for the dead attach"
done
done_testing
