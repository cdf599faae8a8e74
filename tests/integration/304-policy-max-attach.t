#!/bin/sh
# max-attach=N: attach N+1 fails with ENOMEM and maps nothing; a detach frees a slot; threads cannot overshoot; reused attaches do not count
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/policy.sh"
prog="$PROGS/pol_shm"
[ -x "$prog" ] || skip_all "pol_shm not built"

# segments are removed at the end of each run; if a run fails, here
trap 'sed -n "s/^id [0-9]* //p" "$T"/*.err | while read -r id; do ipcrm -m "$id" 2>/dev/null; done; rm -rf "$T"' EXIT
three='get:private:4096:c600 get:private:4096:c600 get:private:4096:c600'
rm3='rmid:0 rmid:1 rmid:2'
prun off "" "$prog" $three at:0 at:1 at:2 at:0 $rm3
is "$(sed -n 4,7p "$T/off.out" | tr '\n' ' ')" "at A3 at A4 at A5 at A6 " "off: four attaches"

prun two max-attach=2 "$prog" $three at:0 at:1 at:2 stat:2 dt:3 at:2 at:0 $rm3
is "$(sed -n 4,10p "$T/two.out")" "at A3
at A4
at ENOMEM
stat mode=0600 size=4096 nattch=0
dt ok
at A3
at ENOMEM" "2: the third attach fails with ENOMEM and maps nothing; after a shmdt one more fits"
is "$(precs two)" '["max-attach","2",6,"ENOMEM"]
["max-attach","2",10,"ENOMEM"]' "2: a record per refusal, action is N"
pmsg two max-attach | head -1 | grep -q "^shmat of shmid [0-9]* refused with ENOMEM: 2 attaches held already, at most 2 allowed$"
ok $? "the message counts the attaches"
is "$(calls two shmat | sed -n 3p)" '[6,-1,"ENOMEM"]' "the call record: -1 ENOMEM"

prun zero max-attach=0 "$prog" get:private:4096:c600 at:0 rmid:0
is "$(sed -n 2p "$T/zero.out")" "at ENOMEM" "0: no attach at all"

# fork: the child's inherited attaches count for the child
prun fork max-attach=2 "$prog" $three at:0 at:1 fork at:2 dt:3 at:2
is "$(sed -n 6,11p "$T/fork.out")" "child at ENOMEM
child dt ok
child at A3
parent at ENOMEM
parent dt ok
parent at A3" "fork: the child inherits two attaches and the limit"

# reuse: a reused attach is the same mapping and does not count
prun reuse max-attach=1,repeat-attach=reuse "$prog" get:private:4096:c600 get:private:4096:c600 at:0 at:0 at:0 at:1 rmid:0 rmid:1
is "$(sed -n 3,6p "$T/reuse.out" | tr '\n' ' ')" "at A2 at A2 at A2 at ENOMEM " \
	"with reuse: the same segment again is handed out; another segment is over the limit"

# threads: 16 threads attach at the same moment; exactly N succeed
[ -x "$PROGS/pol_threads" ] || skip_all "pol_threads not built"
prun thr max-attach=5 "$PROGS/pol_threads" max 16
is "$(pout thr)" "attached 5
enomem 11
failed 0" "16 threads at once, max-attach=5: 5 attached, 11 ENOMEM"
prun thr0 "" "$PROGS/pol_threads" max 16
is "$(sed -n 1p "$T/thr0.out")" "attached 16" "without the rule all 16 attach"
done_testing
