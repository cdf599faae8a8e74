#!/bin/sh
# Trace output: templates, default name, unwritable paths, symlinks and existing files, mode 0600, stderr, fd:N, chdir
. "$IPCG_SRC/tests/lib/harness.sh"

prog="$PROGS/t2_steps"
[ -x "$prog" ] || skip_all "t2_steps not built"
mkdir "$T/run" && cd "$T/run" || exit 1
# run TEMPLATE STEPS...: the program under the library, stdout to $T/out, stderr to $T/err
run() {
	o=$1
	shift
	LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$o" "$prog" "$@" >"$T/out" 2>"$T/err"
}

# %p %e %t %h %% expand
t0=$(date +%s)
run "$T/o.%e.%p.%t.%h.%%.jsonl" pid shm
t1=$(date +%s)
pid=$(sed -n 's/^pid=//p' "$T/out")
f=$(ls "$T" | grep '^o\.')
host=$(uname -n)
case $f in
"o.t2_steps.$pid."*".$host.%.jsonl") r=0 ;;
*) r=1 ;;
esac
ok $r "template expands %e %p %h %% ($f)"
t=$(echo "$f" | sed "s/^o\.t2_steps\.$pid\.\([0-9]*\)\..*/\1/")
ok $([ "$t" -ge "$t0" ] && [ "$t" -le "$t1" ]; echo $?) "%t is the start time in unix seconds ($t)"
is "$(jq -r 'select(.type=="header")|.pid' "$T/$f")" "$pid" "header pid matches %p"
is "$(stat -c %a "$T/$f")" 600 "trace file mode is 0600"
is "$(cat "$T/err")" "" "nothing on stderr"

# mode 0600 whatever the umask
for u in 000 022 077; do
	rm -f "$T"/m.*
	(umask $u && run "$T/m.%p.jsonl" shm)
	is "$(stat -c %a "$T"/m.*)" 600 "umask $u: trace file mode is 0600"
done

# the default name, in the working directory
LD_PRELOAD="$LIB" "$prog" pid shm >"$T/out" 2>"$T/err"
pid=$(sed -n 's/^pid=//p' "$T/out")
ok $([ -f "$T/run/ipcguard.t2_steps.$pid.jsonl" ]; echo $?) "default output: ipcguard.%e.%p.jsonl in the working directory"
rm -f "$T"/run/ipcguard.*

# an existing file is neither followed nor overwritten: the next free name is used
echo precious >"$T/fixed.jsonl"
echo taken >"$T/fixed.jsonl.1"
run "$T/fixed.jsonl" shm
is "$(cat "$T/fixed.jsonl")" precious "existing file at the output path left alone"
is "$(cat "$T/fixed.jsonl.1")" taken "existing .1 left alone"
is "$(count_type call "$T/fixed.jsonl.2" 2>/dev/null)" 2 "the trace went to .2"

# a symlink at the output path is not followed, even a dangling one
echo target >"$T/target"
ln -s "$T/target" "$T/link.jsonl"
run "$T/link.jsonl" shm
is "$(cat "$T/target")" target "symlink target not written"
ok $([ -L "$T/link.jsonl" ]; echo $?) "symlink still a symlink"
is "$(count_type call "$T/link.jsonl.1" 2>/dev/null)" 2 "the trace went to link.jsonl.1"
ln -s "$T/nowhere" "$T/dangling.jsonl"
run "$T/dangling.jsonl" shm
ok $([ ! -e "$T/nowhere" ]; echo $?) "dangling symlink: its target was not created"
is "$(count_type call "$T/dangling.jsonl.1" 2>/dev/null)" 2 "dangling symlink: the trace went to .1"

# a directory that cannot be written: one warning, the program runs on untraced
touch "$T/plainfile"
for o in "$T/no/such/dir/t.%p.jsonl" "$T/plainfile/t.%p.jsonl" "/proc/self/t.%p.jsonl"; do
	run "$o" main shm sock exit=7
	rc=$?
	is "$rc:$(cat "$T/out")" "7:main ran" "$o: the program runs, exit status kept"
	is "$(wc -l <"$T/err" | tr -d ' ')" 1 "$o: one line on stderr"
	case $(cat "$T/err") in
	"ipcguard: "*) r=0 ;;
	*) r=1 ;;
	esac
	ok $r "$o: the line is ipcguard's ($(cat "$T/err"))"
done
if [ "$(id -u)" != 0 ]; then
	mkdir "$T/ro" && chmod 0555 "$T/ro"
	run "$T/ro/t.%p.jsonl" main shm
	is "$?:$(cat "$T/out"):$(wc -l <"$T/err" | tr -d ' ')" "0:main ran:1" "read-only directory: runs, one warning"
fi

# stderr and fd:N
run stderr main shm sock
is "$(grep -v '^{' "$T/err")" "" "stderr: only records on stderr"
grep '^{' "$T/err" >"$T/err.jsonl"
ok $(json_valid "$T/err.jsonl"; echo $?) "stderr: valid records"
is "$(count_type call "$T/err.jsonl"):$(count_type header "$T/err.jsonl"):$(count_type exit "$T/err.jsonl")" "4:1:1" \
	"stderr: header, 4 calls, exit"
is "$(cat "$T/out")" "main ran" "stderr: stdout untouched"
LD_PRELOAD="$LIB" IPCGUARD_OUTPUT=fd:7 "$prog" main shm sock open 7>"$T/fd7.jsonl" >"$T/out" 2>"$T/err"
ok $(json_valid "$T/fd7.jsonl"; echo $?) "fd:7: valid records"
is "$(count_type call "$T/fd7.jsonl")" 4 "fd:7: 4 calls"
is "$(cat "$T/out")" "main ran
open fd=3" "fd:7: the program's own descriptors unchanged"
is "$(cat "$T/err")" "" "fd:7: nothing on stderr"
LD_PRELOAD="$LIB" IPCGUARD_OUTPUT=fd:9 "$prog" main shm >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/out"):$(wc -l <"$T/err" | tr -d ' ')" "0:main ran:1" "fd:9 not open: runs, one warning"

# a relative template is relative to the directory the program started in
mkdir "$T/start" "$T/elsewhere"
(cd "$T/start" && LD_PRELOAD="$LIB" IPCGUARD_OUTPUT='rel.%p.jsonl' "$prog" chdir="$T/elsewhere" shm sock >"$T/out" 2>"$T/err")
is "$(ls "$T/start" | wc -l | tr -d ' '):$(ls "$T/elsewhere" | wc -l | tr -d ' ')" "1:0" \
	"chdir after start: the trace stays in the starting directory"
is "$(count_type call "$T"/start/rel.*.jsonl)" 4 "chdir after start: all calls after the chdir are in it"
rm -f "$T"/start/*
(cd "$T/start" && LD_PRELOAD="$LIB" IPCGUARD_OUTPUT='rel.%p.jsonl' "$prog" chdir="$T/elsewhere" fork >"$T/out" 2>"$T/err")
is "$(ls "$T/start" | wc -l | tr -d ' '):$(ls "$T/elsewhere" | wc -l | tr -d ' ')" "2:0" \
	"chdir then fork: the child's trace is in the starting directory too"
is "$(cat "$T/err")" "" "chdir then fork: no warning"
done_testing
