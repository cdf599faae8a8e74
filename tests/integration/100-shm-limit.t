#!/bin/sh
# shm-limit: shmget failing on shmmax, shmmin, the shmem file size, shmmni and shmall names the limit and its value
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/findings.sh"

prog="$PROGS/det_shm"
[ -x "$prog" ] || skip_all "det_shm not built"

run() {	# run NAME SCENARIO: trace in $T/NAME.jsonl
	IPCGUARD_OUTPUT="$T/$1.jsonl" preload "$prog" "$2" >"$T/$1.out" 2>&1
}

run max limit-max
is "$(cat "$T/max.out")" "shmget-huge EINVAL" "size over shmmax: the caller still gets EINVAL"
is "$(kinds "$T/max.jsonl")" "shm-limit" "one shm-limit finding"
is "$(ffact "$T/max.jsonl" shm-limit '[.severity,.limit,.errno,.key,.seq]')" \
	'["error","shmmax","EINVAL","IPC_PRIVATE",1]' "shmmax: severity, limit, errno, key, seq"
# 64-bit values: compared as text (jq would round them)
line=$(grep '"kind":"shm-limit"' "$T/max.jsonl")
is "$(echo "$line" | grep -o '"limit_value":[0-9]*')" "\"limit_value\":$(cat /proc/sys/kernel/shmmax)" \
	"limit_value is shmmax as read from /proc"
is "$(echo "$line" | grep -o '"requested_size":[0-9]*')" '"requested_size":18446744073709551615' \
	"requested_size is the size asked for"
fmsg "$T/max.jsonl" shm-limit | grep -q "shmmax = $(cat /proc/sys/kernel/shmmax) bytes"
ok $? "the message names shmmax and its value"
stacks_ok "$T/max.jsonl"
ok $? "its stack resolves to a stack record"
is "$(ffact "$T/max.jsonl" shm-limit .stack)" "$(jq -c 'select(.type=="call")|.stack' "$T/max.jsonl")" \
	"its stack is the stack of the shmget call"

run min limit-min
is "$(ffact "$T/min.jsonl" shm-limit '[.limit,.limit_value,.requested_size]')" '["shmmin",1,0]' \
	"size 0 with IPC_CREAT on a new key: shmmin = 1"
fmsg "$T/min.jsonl" shm-limit | grep -q "size 0 only looks up an existing segment"
ok $? "the message says what size 0 means"

run pages limit-pages
is "$(ffact "$T/pages.jsonl" shm-limit '[.limit,.errno]')" '["max_file_size","EINVAL"]' \
	"a size at shmmax but over the largest shmem file: named as such, not as shmmax"

# ENOSPC needs lower limits: a private IPC namespace lets root set them
if unshare --ipc true 2>/dev/null; then
	unshare --ipc sh -c "echo 1 >/proc/sys/kernel/shmmni && \
		ipcmk -M 4096 >/dev/null && \
		LD_PRELOAD='$LIB' IPCGUARD_OUTPUT='$T/mni.jsonl' '$prog' world" >"$T/mni.out" 2>&1
	grep -q "create ENOSPC" "$T/mni.out"
	ok $? "shmmni = 1 with one segment in use: shmget fails with ENOSPC"
	is "$(ffact "$T/mni.jsonl" shm-limit '[.limit,.limit_value,.errno]')" '["shmmni",1,"ENOSPC"]' \
		"all shmmni ids in use: limit shmmni, value 1"
	unshare --ipc sh -c "echo 1 >/proc/sys/kernel/shmall && \
		LD_PRELOAD='$LIB' IPCGUARD_OUTPUT='$T/all.jsonl' '$prog' bad-detach" >"$T/all.out" 2>&1
	grep -q "create ENOSPC" "$T/all.out"
	ok $? "shmall = 1 page: an 8192-byte segment fails with ENOSPC"
	is "$(ffact "$T/all.jsonl" shm-limit '[.limit,.limit_value,.requested_size]')" '["shmall",1,8192]' \
		"over shmall: limit shmall in pages"
	fmsg "$T/all.jsonl" shm-limit | grep -q "2 more pages would exceed shmall = 1 pages"
	ok $? "the message counts the pages"
else
	for i in 1 2 3 4 5; do ok 0 "# SKIP no private IPC namespace (unshare --ipc)"; done
fi
done_testing
