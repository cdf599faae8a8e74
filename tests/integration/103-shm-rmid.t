#!/bin/sh
# rmid-while-attached (warning with a key, info for IPC_PRIVATE) and key-reuse-after-rmid with the removal's stack
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/findings.sh"

prog="$PROGS/det_shm"
[ -x "$prog" ] || skip_all "det_shm not built"

IPCGUARD_OUTPUT="$T/keyed.jsonl" preload "$prog" rmid-keyed >"$T/keyed.out" 2>&1
f="$T/keyed.jsonl"
is "$(cat "$T/keyed.out")" "create ok
attach ok
rmid ok
recreate ok
same 0
detach ok
rmid-new ok" "after IPC_RMID of an attached segment, shmget of its key creates another one"
is "$(kinds "$f" | tr '\n' ' ')" "key-reuse-after-rmid rmid-while-attached " "one of each, no leak"
old=$(jq 'select(.type=="call" and .fn=="shmget")|.ret' "$f" | sed -n 1p)
new=$(jq 'select(.type=="call" and .fn=="shmget")|.ret' "$f" | sed -n 2p)
key=$(jq -r 'select(.type=="call" and .fn=="shmget")|.args.key' "$f" | sed -n 1p)
is "$(ffact "$f" rmid-while-attached '[.severity,.seq,.shmid,.key,.nattch,.attached_here,.first_stack]')" \
	"[\"warning\",3,$old,\"$key\",1,1,1]" "rmid-while-attached: shmid, key, attaches, creation stack"
fmsg "$f" rmid-while-attached | grep -q "its key is free now and the next shmget of the key creates a different segment"
ok $? "its message explains the consequence"
rmid_stack=$(jq 'select(.type=="call" and .fn=="shmctl")|.stack' "$f" | head -1)
is "$(ffact "$f" key-reuse-after-rmid '[.severity,.seq,.key,.shmid,.removed_shmid,.nattch,.rmid_seq,.rmid_stack]')" \
	"[\"error\",4,\"$key\",$new,$old,1,3,$rmid_stack]" "key-reuse-after-rmid: old and new shmid, the IPC_RMID call and its stack"
fmsg "$f" key-reuse-after-rmid | grep -q "returned shmid $new, not shmid $old, which had this key until IPC_RMID at seq 3 and is still attached 1 time"
ok $? "its message names both segments"
stacks_ok "$f"
ok $? "stack ids resolve"

IPCGUARD_OUTPUT="$T/priv.jsonl" preload "$prog" rmid-private >"$T/priv.out" 2>&1
f="$T/priv.jsonl"
is "$(kinds "$f")" "rmid-while-attached" "IPC_PRIVATE removed while attached: one finding"
is "$(ffact "$f" rmid-while-attached '[.severity,.key,.nattch]')" '["info","IPC_PRIVATE",1]' \
	"info for a private segment (the remove-after-attach idiom)"

# removed while attached, then detached: the key is free for good
IPCGUARD_OUTPUT="$T/cycle.jsonl" preload "$prog" attach-cycle >/dev/null 2>&1
is "$(nfind "$T/cycle.jsonl")" 0 "correct: remove after the last detach: no finding"
done_testing
