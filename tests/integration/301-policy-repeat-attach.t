#!/bin/sh
# repeat-attach: warn records, deny fails with EINVAL, reuse hands out the same address and only the last shmdt detaches (threads, fork)
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/policy.sh"
prog="$PROGS/pol_shm"
[ -x "$prog" ] || skip_all "pol_shm not built"

twice='get:private:4096:c600 at:0 at:0 stat:0 dt:1 dt:2 rmid:0'

# off: the kernel maps the segment twice
prun off "" "$prog" $twice
is "$(pout off)" "get ok
at A1
at A2
stat mode=0600 size=4096 nattch=2
dt ok
dt ok
rmid ok" "without the rule: two mappings, nattch 2"
is "$(precs off)" "" "without the rule: no policy record"

# warn: nothing changes, a record says what deny would do
prun warn repeat-attach=warn "$prog" $twice
is "$(pout warn)" "$(pout off)" "warn: the program sees exactly what it sees without the rule"
is "$(precs warn)" '["repeat-attach","warn",3,null]' "warn: one policy record for the second shmat (seq 3), errno null"
pmsg warn repeat-attach | grep -q "^shmat of shmid [0-9]* while already attached at 0x[0-9a-f]* by shmat seq 2; repeat-attach=deny would refuse it with EINVAL$"
ok $? "warn: the message names the first attach and what deny would do"

# deny: EINVAL, no second mapping
prun deny repeat-attach=deny "$prog" get:private:4096:c600 at:0 at:0 stat:0 dt:1 dt:2 rmid:0
is "$(pout deny)" "get ok
at A1
at EINVAL
stat mode=0600 size=4096 nattch=1
dt ok
dt EINVAL
rmid ok" "deny: the second shmat fails with EINVAL and maps nothing (nattch 1); shmdt of its -1 fails"
is "$(calls deny shmat)" '[2,"0x'"$(jq -r 'select(.type=="call" and .seq==2)|.ret' "$(ptrace deny)" | sed 's/^0x//')"'",null]
[3,-1,"EINVAL"]' "deny: the call record has ret -1 and errno EINVAL"
is "$(precs deny)" '["repeat-attach","deny",3,"EINVAL"]' "deny: policy record with the errno the program got"
is "$(order deny 3)" "call policy finding" "deny: call record, then policy record, then the repeated-attach finding"
pmsg deny repeat-attach | grep -q "^shmat of shmid [0-9]* refused with EINVAL: already attached at 0x[0-9a-f]* by shmat seq 2$"
ok $? "deny: the message says why"
deny_other=$(LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/d2.%p.jsonl" IPCGUARD_POLICY=repeat-attach=deny "$prog" \
	get:private:4096:c600 get:private:4096:c600 at:0 at:1 dt:2 at:0 dt:3 dt:5 rmid:0 rmid:1 2>/dev/null)
is "$deny_other" "get ok
get ok
at A2
at A3
dt ok
at A2
dt ok
dt ok
rmid ok
rmid ok" "deny: other segments and a segment attached again after its shmdt are not refused"

# reuse: the same address, one mapping, the last shmdt detaches
prun reuse repeat-attach=reuse "$prog" get:private:4096:c600 at:0 at:0 at:0 stat:0 poke:1:7 peek:2 \
	dt:1 mapped:1 dt:3 mapped:1 stat:0 dt:2 mapped:1 dt:2 rmid:0
is "$(pout reuse)" "get ok
at A1
at A1
at A1
stat mode=0600 size=4096 nattch=1
poke ok
peek 7
dt ok
mapped yes
dt ok
mapped yes
stat mode=0600 size=4096 nattch=1
dt ok
mapped no
dt EINVAL
rmid ok" "reuse: three shmat, one address, one mapping; mapped until the third shmdt; a fourth fails as without ipcguard"
is "$(precs reuse)" '["repeat-attach","reuse",3,null]
["repeat-attach","reuse",4,null]
["repeat-attach","reuse",6,null]
["repeat-attach","reuse",7,null]' "reuse: records for the two reused shmat (seq 3, 4) and the two absorbed shmdt (seq 6, 7); none for the last"
pmsg reuse repeat-attach | sed -n 2p | grep -q "handed out the existing attach at 0x[0-9a-f]* by shmat seq 2: 3 references, the last shmdt detaches$"
ok $? "reuse: the message counts the references"
pmsg reuse repeat-attach | sed -n 4p | grep -q "^shmdt(0x[0-9a-f]*) of shmid [0-9]* kept the segment attached: 1 reference left$"
ok $? "reuse: an absorbed shmdt says how many references are left"
is "$(calls reuse shmdt)" '[6,0,null]
[7,0,null]
[9,0,null]
[10,-1,"EINVAL"]' "reuse: call records of shmdt: 0, 0, 0, then -1 EINVAL"
is "$(jq -c 'select(.type=="finding" and .kind=="attached-at-exit")' "$(ptrace reuse)")" "" \
	"reuse: nothing attached at exit"

# reuse only for the same access: read-only and read-write are two attaches
prun ro repeat-attach=reuse "$prog" get:private:4096:c600 at:0 at:0:ro at:0:ro stat:0 dt:1 dt:2 dt:3 rmid:0
is "$(pout ro)" "get ok
at A1
at A2
at A2
stat mode=0600 size=4096 nattch=2
dt ok
dt ok
dt ok
rmid ok" "reuse: an SHM_RDONLY attach is not handed a read-write one (and the other way round)"

# fork: the child's inherited attaches are its own
prun fork repeat-attach=reuse "$prog" get:private:4096:c600 at:0 at:0 fork dt:1 mapped:1 dt:2 mapped:1
is "$(pout fork)" "get ok
at A1
at A1
child dt ok
child mapped yes
child dt ok
child mapped no
parent dt ok
parent mapped yes
parent dt ok
parent mapped no" "fork: the child counts its inherited references (2) and detaches on its second shmdt; the parent keeps its own"
ipcrm -m "$(sed -n 's/^id 0 //p' "$T/fork.err")" 2>/dev/null

# threads: 8 threads x 300 attach/detach while main holds the attach
[ -x "$PROGS/pol_threads" ] || skip_all "pol_threads not built"
prun thr repeat-attach=reuse "$PROGS/pol_threads" reuse 8 300
is "$(pout thr)" "other-address 0
unmapped 0
failed 0
nattch 1
mapped-before-last-shmdt yes
last-shmdt 0
mapped-after-last-shmdt no" "threads: every shmat got main's address, it was never unmapped under them, and main's shmdt is the last"
is "$(jq -c 'select(.type=="policy")' "$(ptrace thr)" | wc -l | tr -d ' ')" 4800 "threads: 2400 reused shmat and 2400 absorbed shmdt recorded"
prun thr0 "" "$PROGS/pol_threads" reuse 8 300
is "$(sed -n 1p "$T/thr0.out")" "other-address 2400" "threads without the rule: every shmat maps again (the test can fail)"
done_testing
