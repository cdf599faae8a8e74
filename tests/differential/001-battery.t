#!/bin/sh
# Transparency battery: ~150 valid and invalid calls print the same results with and without the library
. "$IPCG_SRC/tests/lib/harness.sh"

prog="$PROGS/t2_battery"
[ -x "$prog" ] || skip_all "t2_battery not built"

# run_in DIR OUT [ENV...]: run the battery in a fresh directory (it binds
# socket files in its working directory); exit status appended to OUT
run_in() {
	dir=$1 out=$2
	shift 2
	mkdir -p "$dir"
	(cd "$dir" && timeout 20 env "$@" "$prog" >"$out" 2>"$out.err"; echo "exit=$?" >>"$out")
}

run_in "$T/plain" "$T/plain.out"
n=$(sed -n 's/^cases: //p' "$T/plain.out")
ok $([ "${n:-0}" -ge 50 ]; echo $?) "the battery makes at least 50 calls (made ${n:-0})"
is "$(tail -n 1 "$T/plain.out")" "exit=0" "plain run exits 0"

# the battery tests what it says: known answers of the kernel and glibc
while IFS='|' read -r what want; do
	is "$(grep -F ": $what: " "$T/plain.out" | sed 's/^case [0-9]*: //')" "$what: $want" "plain: $what"
done <<'EOF'
shmget size 0|ret=-1 errno=EINVAL
shmdt NULL|ret=-1 errno=EINVAL
shmdt third again (double shmdt)|ret=-1 errno=EINVAL
shmat after IPC_RMID, unattached|ret=-1 errno=EINVAL
shmat after IPC_RMID, destroyed|ret=-1 errno=EINVAL
shmctl IPC_RMID again|ret=-1 errno=EINVAL
shmat at an unmapped address|ret=requested errno=E2BIG
shmctl IPC_STAT unmapped buf|ret=-1 errno=EFAULT
shmctl bogus cmd 12345|ret=-1 errno=EINVAL
ftok NULL|ret=0xffffffff errno=EFAULT
ftok unmapped|ret=0xffffffff errno=EFAULT
ftok path runs into unmapped page|ret=0xffffffff errno=EFAULT
socketpair unmapped sv|ret=-1 errno=EFAULT
bind unmapped addr|ret=-1 errno=EFAULT
bind addr straddling unmapped page|ret=-1 errno=EFAULT
bind addrlen 1|ret=-1 errno=EINVAL
bind AF_INET address on AF_UNIX socket|ret=-1 errno=EINVAL
bind non-socket fd|ret=-1 errno=ENOTSOCK
connect unmapped addr|ret=-1 errno=EFAULT
connect missing path|ret=-1 errno=ENOENT
connect 108-byte unterminated sun_path|ret=0 errno=E2BIG
close it again|ret=-1 errno=EBADF
EOF

# the same program under the library, in several configurations
for cfg in default stack0 trace-none trace-shm trace-unix stderr; do
	case $cfg in
	default)    set -- ;;
	stack0)     set -- IPCGUARD_STACK=0 ;;
	trace-none) set -- IPCGUARD_TRACE=none ;;
	trace-shm)  set -- IPCGUARD_TRACE=shm ;;
	trace-unix) set -- IPCGUARD_TRACE=unix ;;
	stderr)     set -- IPCGUARD_OUTPUT=stderr ;;
	esac
	run_in "$T/$cfg" "$T/$cfg.out" LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/$cfg.%p.jsonl" "$@"
	d=$(diff "$T/plain.out" "$T/$cfg.out")
	is "$d" "" "preloaded ($cfg): identical output and exit status"
done

# nothing on stderr from the library, apart from the trace when asked for
is "$(cat "$T/default.out.err")" "" "default: the library prints nothing to stderr"

# the traces: valid, complete, and limited to the families asked for
tr=$(ls "$T"/default.*.jsonl)
ok $(json_valid $tr; echo $?) "default: the trace is valid JSON Lines"
ncall=$(count_type call $tr)
ok $([ "$ncall" -ge 150 ]; echo $?) "default: $ncall call records"
is "$(jq -c 'select(.type=="exit")|[.calls,.dropped]' $tr)" "[$ncall,0]" \
	"default: exit record counts every call and drops none"
is "$(jq -r 'select(.type=="call")|.fn' $tr | sort -u | tr '\n' ' ')" \
	"accept accept4 bind close connect ftok listen shmat shmctl shmdt shmget socket socketpair unlink " \
	"default: every intercepted function appears"
is "$(jq -c 'select(.type=="call" and (.ret==-1) != (.errno!=null))|.seq' $tr)" "" \
	"default: errno is set exactly on the failed calls"
is "$(count_type call "$(ls "$T"/trace-none.*.jsonl)")" 0 "IPCGUARD_TRACE=none: no call records"
is "$(jq -r 'select(.type=="call")|.fn' "$(ls "$T"/trace-shm.*.jsonl)" | sort -u | tr '\n' ' ')" \
	"ftok shmat shmctl shmdt shmget " "IPCGUARD_TRACE=shm: only shm calls"
is "$(jq -r 'select(.type=="call")|.fn' "$(ls "$T"/trace-unix.*.jsonl)" | sort -u | tr '\n' ' ')" \
	"accept accept4 bind close connect listen socket socketpair unlink " "IPCGUARD_TRACE=unix: only AF_UNIX calls"
is "$(count_type call "$(ls "$T"/stack0.*.jsonl)")" "$ncall" "IPCGUARD_STACK=0: the same number of calls"
is "$(count_type stack "$(ls "$T"/stack0.*.jsonl)")" 0 "IPCGUARD_STACK=0: no stack records"
grep '^{' "$T/stderr.out.err" >"$T/stderr.jsonl"
ok $(json_valid "$T/stderr.jsonl"; echo $?) "IPCGUARD_OUTPUT=stderr: records on stderr are valid"
is "$(count_type call "$T/stderr.jsonl")" "$ncall" "IPCGUARD_OUTPUT=stderr: every call is there"
is "$(grep -vc '^{' "$T/stderr.out.err")" 0 "IPCGUARD_OUTPUT=stderr: nothing else on stderr"
done_testing
