#!/bin/sh
# An image that ends by exec writes no exit record; the next image of the
# same pid follows it.  Seen with pg_ctl -> sh -c "exec postgres": run and
# report called pg_ctl and sh "killed or crashed".
. "$IPCG_SRC/tests/lib/harness.sh"

"$TOOL" run -o "$T/%e.%p.jsonl" -- sh -c 'exec env true' 2>"$T/run.err"
is "$?" 0 "exec chain: exit status of the last image"
is "$(ls "$T"/*.jsonl | wc -l | tr -d ' ')" 3 "exec chain: one trace per image"
grep -q 'killed or crashed' "$T/run.err"
ok $((! $?)) "run: exec'd images are not called killed"
is "$("$TOOL" report --json "$T"/*.jsonl | jq -c '[.processes[].ended]')" \
	'["exec","exec","exit"]' "report --json: ended exec, exec, exit"
"$TOOL" report "$T"/*.jsonl >"$T/rep.txt"
is "$(grep -c 'killed or crashed' "$T/rep.txt")" 0 "report: no image called killed"
is "$(grep -cE ' exec (env|true)$' "$T/rep.txt")" 2 "report: END names the next image"
grep -E ' exec env$' "$T/rep.txt" | grep -q ' ? '
ok $((! $?)) "report: an exec'd image has a duration"

# a real kill is still a kill
rm -f "$T"/*.jsonl
"$TOOL" run -o "$T/%e.%p.jsonl" -- sh -c 'kill -9 $$' 2>"$T/run.err"
is "$?" 137 "killed: exit status 128+9"
grep -q 'killed or crashed' "$T/run.err"
ok $? "run: a killed image is still called killed"
is "$("$TOOL" report --json "$T"/*.jsonl | jq -c '[.processes[].ended]')" '["no-exit"]' \
	"report --json: killed image ended no-exit"

# the kernel detaches segments at exec: no "still attached" for that image
rm -f "$T"/*.jsonl
"$TOOL" run -q -o "$T/%e.%p.jsonl" -- "$PROGS/rw_exec_attached" true
is "$?" 0 "attach then exec: runs"
"$TOOL" report --json "$T"/*.jsonl >"$T/rep.json"
is "$(jq -c '[.processes[].ended]' "$T/rep.json")" '["exec","exit"]' "attach then exec: ended exec, exit"
is "$(jq -c '[.leaks[] | select(.kind=="attached")] | length' "$T/rep.json")" 0 \
	"attach then exec: no attach left at the exec"
done_testing
