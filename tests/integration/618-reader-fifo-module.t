#!/bin/sh
# A module path that is a FIFO (or another non-regular file) is never opened by the reader, and the note says what it is
. "$IPCG_SRC/tests/lib/harness.sh"
f="$IPCG_SRC/tests/fixtures/basic.jsonl"
mkfifo "$T/fifo" || skip_all "mkfifo failed"
mod=$(jq -r 'select(.type=="module") | .path' "$f" | head -1)
jq -c --arg m "$mod" --arg p "$T/fifo" 'if .type=="module" and .path==$m then .path = $p | .build_id = null else . end' "$f" > "$T/t.jsonl"
timeout 20 "$TOOL" events --stacks "$T/t.jsonl" >"$T/out" 2>"$T/err"
is "$?" 0 "events --stacks finishes (the FIFO is not opened)"
grep -q "^ipcguard: note: $T/fifo: not a regular file" "$T/err"
ok $? "the note says it is not a regular file"
grep -q "no such file" "$T/err" && grep "no such file" "$T/err" | grep -q "$T/fifo"
ok $([ $? -ne 0 ]; echo $?) "it is not called 'no such file'"
timeout 20 "$TOOL" report "$T/t.jsonl" >/dev/null 2>&1
is "$?" 0 "report finishes too"
done_testing
