#!/bin/sh
# invalid-key, ftok-failed and ftok-collision; two names of one file give one key without a finding
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/findings.sh"

prog="$PROGS/det_shm"
[ -x "$prog" ] || skip_all "det_shm not built"

IPCGUARD_OUTPUT="$T/inv.jsonl" preload "$prog" invalid-key >"$T/inv.out" 2>&1
f="$T/inv.jsonl"
is "$(head -2 "$T/inv.out")" "ftok ENOENT
shmget-minus-one ok" "ftok of a missing path fails; shmget(-1) succeeds with key 0xffffffff"
is "$(kinds "$f" | tr '\n' ' ')" "ftok-failed invalid-key " "ftok-failed then invalid-key"
is "$(ffact "$f" ftok-failed '[.severity,.seq,.path,.proj_id,.errno]')" \
	'["warning",1,"/nonexistent/ipcguard-det",65,"ENOENT"]' "ftok-failed: path, proj_id, errno"
fmsg "$f" ftok-failed | grep -q 'ftok("/nonexistent/ipcguard-det", 65) failed with ENOENT: the path does not exist'
ok $? "ftok-failed message says the path does not exist"
id=$(jq 'select(.type=="call" and .fn=="shmget")|.ret' "$f")
is "$(ffact "$f" invalid-key '[.severity,.seq,.key,.shmid,.requested_size,.ftok_path,.ftok_seq,.first_stack]')" \
	"[\"error\",2,\"0xffffffff\",$id,4096,\"/nonexistent/ipcguard-det\",1,1]" \
	"invalid-key: key, shmid, size, and the failed ftok behind it with its stack"
stacks_ok "$f"
ok $? "stack ids resolve"

: >"$T/file"
IPCGUARD_OUTPUT="$T/col.jsonl" preload "$prog" ftok "$T/file" >"$T/col.out" 2>&1
f="$T/col.jsonl"
is "$(cat "$T/col.out")" "ftok-again same 1
ftok-257 same 1" "proj_id 1 and 257 give the same key"
is "$(kinds "$f")" "ftok-collision" "one ftok-collision (the same pair twice is not one)"
key=$(jq -r 'select(.type=="call" and .fn=="ftok")|.ret' "$f" | head -1)
is "$(ffact "$f" ftok-collision '[.severity,.seq,.key,.path,.proj_id,.other_path,.other_proj_id,.first_seq,.first_stack,.stack]')" \
	"[\"error\",3,\"$key\",\"$T/file\",257,\"$T/file\",1,1,1,3]" \
	"key, both (path, proj_id) pairs, the first call's seq and stack"
fmsg "$f" ftok-collision | grep -q "keeps only the low 8 bits of proj_id"
ok $? "the message explains the collision"
stacks_ok "$f"
ok $? "stack ids resolve"

mkdir "$T/d"
: >"$T/d/file"
ln -s "$T/d/file" "$T/link"
IPCGUARD_OUTPUT="$T/alias.jsonl" preload "$prog" ftok-alias "$T/d/../d/file" "$T/link" >"$T/alias.out" 2>&1
is "$(cat "$T/alias.out")" "alias same 1" "two names of one file give one key"
is "$(nfind "$T/alias.jsonl")" 0 "correct: no ftok-collision for two names of the same file"
done_testing
