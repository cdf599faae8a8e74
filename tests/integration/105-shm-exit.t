#!/bin/sh
# attached-at-exit and segment-leak for return, exit, _exit and _Exit; removal elsewhere checked at exit; fork children: inherited attaches, no inherited leaks
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/findings.sh"

prog="$PROGS/det_shm"
[ -x "$prog" ] || skip_all "det_shm not built"

for how in return exit _exit _Exit; do
	IPCGUARD_OUTPUT="$T/leak$how.jsonl" preload "$prog" leak "$how" >"$T/leak$how.out" 2>&1
	f="$T/leak$how.jsonl"
	id=$(sed -n 's/^shmid //p' "$T/leak$how.out")
	addr=$(sed -n 's/^addr //p' "$T/leak$how.out")
	[ -n "$id" ] && ipcrm -m "$id" 2>/dev/null
	is "$(kinds "$f" | tr '\n' ' ')" "attached-at-exit segment-leak " "$how: attached-at-exit and segment-leak"
	get_stack=$(jq 'select(.type=="call" and .fn=="shmget")|.stack' "$f")
	at_stack=$(jq 'select(.type=="call" and .fn=="shmat")|.stack' "$f")
	is "$(ffact "$f" attached-at-exit '[.severity,.seq,.shmid,.shmaddr,.size,.inherited,.attach_seq,.stack]')" \
		"[\"warning\",null,$id,\"$addr\",4096,false,2,$at_stack]" "$how: attached-at-exit with the attach stack"
	is "$(ffact "$f" segment-leak '[.severity,.seq,.shmid,.key,.size,.nattch,.create_seq,.stack]')" \
		"[\"warning\",null,$id,\"IPC_PRIVATE\",4096,1,1,$get_stack]" "$how: segment-leak with the creation stack"
	is "$(jq -c 'select(.type=="exit")|[.how,.findings]' "$f")" \
		"[\"$([ "$how" = return ] && echo exit || echo "$how")\",2]" "$how: findings written before the exit record"
	stacks_ok "$f"
	ok $? "$how: stack ids resolve"
done
fmsg "$T/leakexit.jsonl" segment-leak | grep -q "created by shmget at seq 1 and never removed, outlives this process with 1 attach (ipcs -m lists it"
ok $? "the leak message says what outlives the process and how to find it"

IPCGUARD_OUTPUT="$T/elsewhere.%p.jsonl" preload "$prog" removed-elsewhere >"$T/elsewhere.out" 2>&1
is "$(sed -n 2p "$T/elsewhere.out")" "child removed 1" "a child removed the segment"
n=0; for f in "$T"/elsewhere.*.jsonl; do n=$((n + $(nfind "$f"))); done
is "$n" 0 "removed by another process before exit (IPC_STAT at exit): no leak, and none in the child"

IPCGUARD_OUTPUT="$T/share.%p.jsonl" preload "$prog" fork-share >"$T/share.out" 2>&1
is "$(sed -n 2,3p "$T/share.out")" "child 0
attach ok" "the forked child attached, wrote and detached"
is "$(ls "$T"/share.*.jsonl | wc -l | tr -d ' ')" 2 "two traces"
n=0; for f in "$T"/share.*.jsonl; do n=$((n + $(nfind "$f"))); done
is "$n" 0 "correct: created, used by a child, removed by the parent after it exits: no finding"

IPCGUARD_OUTPUT="$T/vfork.jsonl" preload "$prog" vfork >"$T/vfork.out" 2>&1
is "$(sed -n 3p "$T/vfork.out")" "child 3" "a vfork child attached to our memory and _exited"
is "$(jq -r 'select(.type=="call")|.fn' "$T/vfork.jsonl" | tr '\n' ' ')" "shmget shmat shmdt shmctl " \
	"the parent's calls after the vfork child's _exit are all in its trace"
is "$(jq -c 'select(.type=="exit")|[.how,.findings]' "$T/vfork.jsonl")" '["exit",0]' \
	"one exit record, the parent's, and no exit-time findings from the child"

for how in _exit exit; do
	IPCGUARD_OUTPUT="$T/inh$how.%p.jsonl" preload "$prog" fork-inherit "$how" >"$T/inh$how.out" 2>&1
	p=$(main_trace "inh$how")
	c=$(child_traces "inh$how")
	addr=$(sed -n 's/^addr //p' "$T/inh$how.out")
	id=$(jq 'select(.type=="call" and .fn=="shmget")|.ret' "$p")
	is "$(nfind "$p")" 0 "$how: the parent detaches and removes: no finding"
	is "$(kinds "$c")" "attached-at-exit" "$how: the child reports the attach it inherited, and no segment-leak"
	is "$(ffact "$c" attached-at-exit '[.shmid,.shmaddr,.inherited,.attach_seq]')" "[$id,\"$addr\",true,null]" \
		"$how: shmid, address, inherited"
	is "$(ffact "$c" attached-at-exit '.severity')" '"info"' \
		"$how: an inherited attach left to the kernel is info, not a warning"
	stacks_ok "$c"
	ok $? "$how: its stack resolves in the child's own trace"
	# the same frames as the parent's shmat stack
	ps=$(jq 'select(.type=="call" and .fn=="shmat")|.stack' "$p")
	cs=$(ffact "$c" attached-at-exit .stack)
	is "$(jq -c --argjson s "$cs" 'select(.type=="stack" and .id==$s)|.frames|map(.[1])' "$c")" \
		"$(jq -c --argjson s "$ps" 'select(.type=="stack" and .id==$s)|.frames|map(.[1])' "$p")" \
		"$how: the child's stack has the frames of the parent's shmat"
done
done_testing
