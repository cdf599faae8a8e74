#!/bin/sh
# repeated-attach with the first attach's stack, bad-detach (wild, inside a segment, twice), world-accessible; attach-detach-attach is clean
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/findings.sh"

prog="$PROGS/det_shm"
[ -x "$prog" ] || skip_all "det_shm not built"
run() { IPCGUARD_OUTPUT="$T/$1.jsonl" preload "$prog" "$2" >"$T/$1.out" 2>&1; }

run rep repeat
f="$T/rep.jsonl"
is "$(sed -n 4p "$T/rep.out")" "distinct 1" "a second shmat of one id maps it at another address"
is "$(kinds "$f")" "repeated-attach" "one repeated-attach"
id=$(jq 'select(.type=="call" and .fn=="shmget")|.ret' "$f")
a1=$(jq -r 'select(.type=="call" and .fn=="shmat")|.ret' "$f" | sed -n 1p)
a2=$(jq -r 'select(.type=="call" and .fn=="shmat")|.ret' "$f" | sed -n 2p)
s1=$(jq 'select(.type=="call" and .fn=="shmat")|.stack' "$f" | sed -n 1p)
s2=$(jq 'select(.type=="call" and .fn=="shmat")|.stack' "$f" | sed -n 2p)
is "$(ffact "$f" repeated-attach '[.severity,.seq,.shmid,.shmaddr,.first_shmaddr,.attaches,.first_seq,.first_stack,.stack]')" \
	"[\"warning\",3,$id,\"$a2\",\"$a1\",2,2,$s1,$s2]" "shmid, both addresses, count, the first attach's seq and stack"
fmsg "$f" repeated-attach | grep -q "already attached at $a1 by shmat seq 2, mapped it again at $a2 (2 attaches now)"
ok $? "the message names both addresses"
stacks_ok "$f"
ok $? "stack ids resolve"

run cyc attach-cycle
is "$(nfind "$T/cyc.jsonl")" 0 "correct: attach, detach, attach: no finding"

run bad bad-detach
f="$T/bad.jsonl"
is "$(sed -n 2p "$T/bad.out"; sed -n 4,6p "$T/bad.out")" "detach-wild EINVAL
detach-inside EINVAL
detach ok
detach-twice EINVAL" "three shmdt calls fail with EINVAL"
is "$(nfind "$f" bad-detach)" 3 "three bad-detach findings"
is "$(jq -c 'select(.kind=="bad-detach")|[.severity,.seq,.reason]' "$f" | tr '\n' ' ')" \
	'["error",2,"not-attached"] ["error",4,"inside-segment"] ["error",6,"double-detach"] ' \
	"errors: not attached, inside a segment, detached twice"
addr=$(jq -r 'select(.type=="call" and .fn=="shmat")|.ret' "$f")
att_stack=$(jq 'select(.type=="call" and .fn=="shmat")|.stack' "$f")
dt_stack=$(jq 'select(.type=="call" and .fn=="shmdt" and .ret==0)|.stack' "$f")
is "$(jq -c 'select(.kind=="bad-detach" and .reason=="inside-segment")|[.attach_addr,.offset,.first_stack]' "$f")" \
	"[\"$addr\",4096,$att_stack]" "inside: the attach address, the offset, the attach stack"
is "$(jq -c 'select(.kind=="bad-detach" and .reason=="double-detach")|[.shmaddr,.first_seq,.first_stack]' "$f")" \
	"[\"$addr\",5,$dt_stack]" "twice: the first shmdt's seq and stack"
jq -r 'select(.kind=="bad-detach" and .reason=="inside-segment")|.message' "$f" |
	grep -q "is 4096 bytes into shmid [0-9]*, attached at $addr; shmdt needs exactly the address shmat returned"
ok $? "the inside message says which address to pass"
stacks_ok "$f"
ok $? "stack ids resolve"

run world world
f="$T/world.jsonl"
is "$(kinds "$f")" "world-accessible" "mode 0666 is reported, 0640 is not"
is "$(ffact "$f" world-accessible '[.severity,.seq,.mode,.key]')" '["info",1,"0666","IPC_PRIVATE"]' \
	"info, with the mode"
done_testing
