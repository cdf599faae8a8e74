#!/bin/sh
# stale-socket=unlink under a RENAME_EXCHANGE race: a regular file swapped in for the stale socket is never unlinked
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/policy.sh"
prog="$PROGS/hp_unix"
[ -x "$prog" ] || skip_all "hp_unix not built"
mkdir "$T/d"
# before the fix the regular file went within a few thousand binds; the
# window left needs a racer that targets ipcguard's private name
# (docs/policies.md), which this one does not
IPCGUARD_TRACE=none prun race stale-socket=unlink "$prog" race "$T/d" 20000
is "$(pout race)" "lost 0" "20000 binds against a swapping racer: the regular file is never unlinked"
ls -a "$T/d" | grep -q '^\.ipcguard-stale' && r=1 || r=0
is "$r" 0 "no stale socket is left at ipcguard's private name"
done_testing
