#!/bin/sh
# Only the newest part of a rotated trace: its checkpoint's live records
# start the process's state, so the objects created in parts not given are
# still reported with their creation stacks; a call made while the
# checkpoint was taken (in the checkpoint and after it, same seq) counts once.
. "$IPCG_SRC/tests/lib/harness.sh"
F="$IPCG_SRC/tests/fixtures"
cd "$F" || exit 1
J() { "$TOOL" report --json "$@" 2>/dev/null; }

# the newest part, with the exit record: the exit findings name the leaks
is "$(J rot-part2.jsonl | jq -c '[.summary.calls, .processes[0].ended, .processes[0].parts.first, .processes[0].parts.earlier_not_given]')" \
	'[4,"exit",2,true]' "newest part alone: its 4 calls, exit, starts at part 2"
is "$(J rot-part2.jsonl | jq -c '[.leaks[] | [.kind, .shmid, .create_seq, .frames[0]]] | sort')" \
	"$(J rot-single.jsonl | jq -c '[.leaks[] | [.kind, .shmid, .create_seq, .frames[0]]] | sort')" \
	"newest part alone: the single file's leaks at exit, with their creation stacks"
is "$(J rot-part2.jsonl | jq -c '[.findings[] | select(.kind=="shm-limit") | .count]')" '[2]' \
	"newest part alone: its counted findings (none written in it) make a call site"
"$TOOL" report rot-part2.jsonl >"$T/out" 2>/dev/null
grep -q 'exit status 0 (part 2 of 3: starts at part 2, earlier parts not given)$' "$T/out"
ok $? "text: starts at part 2, earlier parts not given"

# the newest part of a killed process: what it held is worked out from the
# checkpoint (segments 200 and 202, the socket) and the calls after it (203)
K=rot-part2-killed.jsonl
is "$(J $K | jq -c '[.leaks[] | [.source, .kind, .shmid, .create_seq, .frames[0]]] | sort')" \
	'[["end-of-trace","segment",200,1,"rotd+0x520"],["end-of-trace","segment",202,9,"rotd+0x580"],["end-of-trace","segment",203,12,"rotd+0x5a0"],["end-of-trace","socket",null,null,"rotd+0x560"]]' \
	"killed, newest part alone: the held segments and socket from the checkpoint, with their stacks"
is "$(J $K | jq '[.leaks[] | select(.shmid==203)] | length')" 1 \
	"segment 203: in the checkpoint and created by a call after it (same seq): counted once"
is "$(J $K | jq '[.leaks[] | select(.kind=="attached")] | length')" 0 "the attach of the checkpoint was detached after it"
is "$(J $K | grep -o '"shmid":200,[^}]*' | grep -o '"created_realtime_ns":[0-9]*')" '"created_realtime_ns":1764536150000001160' \
	"a checkpoint object's time is the checkpoint's end"
is "$(J $K | jq -c '.summary.calls')" 4 "the calls after the checkpoint are counted, live records are not calls"
"$TOOL" export --format chrome $K >"$T/c.json" 2>/dev/null
is "$(jq '[.traceEvents[] | select(.ph=="b")] | length' "$T/c.json")" 5 \
	"chrome: 5 slices (segments 200, 202, 203, the attach, the socket)"
is "$(jq '[.traceEvents[] | select(.ph=="b" and .name=="segment shmid 203")] | length' "$T/c.json")" 1 \
	"chrome: segment 203 once"
is "$(jq '[.traceEvents[] | select(.ph=="b" and .name=="segment shmid 200") | .ts] | .[0]' "$T/c.json")" 5000001.16 \
	"chrome: a checkpoint slice begins at the checkpoint's end"
is "$(jq '[.traceEvents[] | select(.cat=="leak")] | length' "$T/c.json")" 3 "chrome: the 3 segments leaked"
is "$(jq '[.traceEvents[] | select(.ph=="e" and .name=="attach shmid 200 at 0x7f2000000000" and (.args.alive_at_end|not))] | length' "$T/c.json")" 1 \
	"chrome: the checkpoint's attach ends at its shmdt"

# all three parts given: live records are ignored (the calls said it all)
is "$(J rot-part0.jsonl rot-part1.jsonl $K | jq -c '[.leaks[] | [.kind, .shmid, .create_seq]] | sort')" \
	'[["segment",200,1],["segment",202,9],["segment",203,12],["socket",null,null]]' \
	"killed, all parts: the same held objects from the calls"
# parts 0 and 2 (1 missing): part 2's checkpoint fills in what part 1 made
is "$(J rot-part0.jsonl $K | jq -c '[([.leaks[] | .shmid] | sort), .processes[0].parts.gap]')" '[[null,200,202,203],true]' \
	"a part missing between two: the later part's checkpoint fills in (segment 202)"
done_testing
