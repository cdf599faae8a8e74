#!/bin/sh
# size-mismatch and foreign-segment: smaller and larger sizes, a leftover segment; size 0 and IPC_EXCL with a fallback are clean
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/findings.sh"

prog="$PROGS/det_shm"
[ -x "$prog" ] || skip_all "det_shm not built"
run() { IPCGUARD_OUTPUT="$T/$1.%p.jsonl" preload "$prog" "$2" >"$T/$1.out" 2>"$T/$1.err"; }
tr_of() { ls "$T"/"$1".*.jsonl | head -1; }

run smaller size-smaller
f=$(tr_of smaller)
is "$(cat "$T/smaller.out")" "create ok
smaller ok
same 1
rmid ok" "a smaller size silently returns the existing segment"
is "$(kinds "$f")" "size-mismatch" "one size-mismatch, nothing else"
create_id=$(jq 'select(.type=="call" and .fn=="shmget")|.ret' "$f" | head -1)
is "$(ffact "$f" size-mismatch '[.severity,.seq,.shmid,.requested_size,.actual_size,.failed]')" \
	"[\"warning\",2,$create_id,1024,4096,false]" "severity, seq, shmid, requested_size, actual_size"
key=$(jq -r 'select(.type=="call" and .fn=="shmget")|.args.key' "$f" | head -1)
is "$(ffact "$f" size-mismatch .key)" "\"$key\"" "the key, as the call record writes it"
is "$(ffact "$f" size-mismatch '.first_stack == 1 and .stack == 2')" true \
	"stack of the shmget concerned, first_stack of the creation"
stacks_ok "$f"
ok $? "stack ids resolve"
fmsg "$f" size-mismatch | grep -q "size 1024.*returned the existing segment shmid $create_id of 4096 bytes"
ok $? "the message names the sizes and the shmid"

run larger size-larger
f=$(tr_of larger)
is "$(sed -n 2p "$T/larger.out")" "larger EINVAL" "a larger size fails with EINVAL"
is "$(kinds "$f")" "size-mismatch" "one size-mismatch and no shm-limit for the same call"
is "$(ffact "$f" size-mismatch '[.requested_size,.actual_size,.failed,.seq]')" '[8192,4096,true,2]' \
	"failed: requested 8192, actual 4096"
fmsg "$f" size-mismatch | grep -q "failed with EINVAL: the existing segment for this key, shmid [0-9]*, has 4096 bytes, fewer than asked for"
ok $? "the message says the existing segment is smaller"

run zero size-zero
is "$(nfind "$(tr_of zero)")" 0 "correct: shmget(key, 0, 0) and the same size: no finding"
run excl excl-fallback
is "$(sed -n 2,3p "$T/excl.out")" "create-again EEXIST
fallback ok" "IPC_CREAT|IPC_EXCL fails with EEXIST, the fallback finds the segment"
is "$(nfind "$(tr_of excl)")" 0 "correct: IPC_EXCL with a fallback on EEXIST: no finding"

run foreign foreign
f=$(main_trace foreign)
creator=$(sed -n 's/^creator //p' "$T/foreign.err")
is "$(kinds "$f")" "foreign-segment" "IPC_CREAT without IPC_EXCL on a leftover: foreign-segment (and no leak: it was not created here)"
is "$(ffact "$f" foreign-segment '[.severity,.creator_pid,.creator_alive,.requested_size,.actual_size,.nattch]')" \
	"[\"warning\",$creator,false,4096,4096,0]" "creator pid, gone, sizes, nattch"
fmsg "$f" foreign-segment | grep -q "pid $creator created it and is gone, so it is a leftover of an earlier run"
ok $? "the message says it is a leftover"
stacks_ok "$f"
ok $? "stack ids resolve"
done_testing
