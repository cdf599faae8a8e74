#!/bin/sh
# A trace that cannot be written (full disk, RLIMIT_FSIZE) stops with one
# line on stderr and an exit record that says so; the program sees and
# returns the same as untraced, and never gets SIGXFSZ.  The traced
# process's resident memory stays bounded however large the trace grows.
. "$IPCG_SRC/tests/lib/harness.sh"
prog="$PROGS/tw_loop"
[ -x "$prog" ] || skip_all "tw_loop not built"

"$prog" 20000 3 >"$T/plain.out"; plain_rc=$?
plain=$(head -1 "$T/plain.out")

# expect_stopped DIR ERRNO RC OUT ERR: the checks common to both failures
expect_stopped() {
	is "$3" "$plain_rc" "$2: the program's exit status is unchanged"
	is "$(head -1 "$4")" "$plain" "$2: the program's calls all succeeded as untraced"
	is "$(grep -c 'ipcguard: cannot write the trace .*; tracing stopped, the program goes on' "$5")" 1 \
		"$2: one line on stderr"
	# the program's own trace (the shell that set the limit has another)
	f=$(grep -l '"exe":"[^"]*tw_loop"' "$1"/t.* 2>/dev/null | head -1)
	[ -n "$f" ] || f=/dev/null
	last=$(tail -1 "$f")
	is "$(printf '%s\n' "$last" | jq -r '[.type, .trace_stopped, .status] | @tsv')" \
		"$(printf 'exit\t%s\t%s' "$2" "$plain_rc")" "$2: the file ends with an exit record that says tracing stopped"
	nw=$(printf '%s\n' "$last" | jq -r '.calls_not_written')
	calls=$(printf '%s\n' "$last" | jq -r '.calls')
	written=$(jq -c 'select(.type=="call")' "$f" | wc -l)
	is "$(awk -v a="$written" -v b="$nw" 'BEGIN { print a + b }')" "$calls" "$2: calls written + calls not written = calls made ($written + $nw)"
	json_valid "$f"; ok $? "$2: every line is a JSON object"
	"$TOOL" report "$f" >"$T/rep" 2>&1
	grep -q "exit status $plain_rc; tracing stopped ($2), $nw calls not written" "$T/rep"
	ok $? "$2: the report says tracing stopped, not killed or crashed"
	! grep -q "killed or crashed" "$T/rep"; ok $? "$2: ... and nothing about a crash"
}

# a full disk: a 2 MiB tmpfs (root only)
if [ "$(id -u)" = 0 ] && mkdir -p "$T/mnt" && mount -t tmpfs -o size=2m ipcg-test "$T/mnt" 2>/dev/null; then
	trap 'umount "$T/mnt" 2>/dev/null; rm -rf "$T"' EXIT
	IPCGUARD_OUTPUT="$T/mnt/t.%p.jsonl" preload "$prog" 20000 3 >"$T/disk.out" 2>"$T/disk.err"
	expect_stopped "$T/mnt" ENOSPC $? "$T/disk.out" "$T/disk.err"
	umount "$T/mnt"
else
	diag "no tmpfs mount (not root): full-disk part skipped"
fi

# RLIMIT_FSIZE: 1 MiB (the shell's unit: 1024 in bash, 512 in dash)
mkdir -p "$T/fs"
lim=$(sh -c 'ulimit -f 2048; ulimit -f')
IPCGUARD_OUTPUT="$T/fs/t.%p.jsonl" preload sh -c "ulimit -f $lim; exec \"$prog\" 20000 3" \
	>"$T/fs.out" 2>"$T/fs.err"
rc=$?
[ "$rc" -ne 153 ]; ok $? "EFBIG: no SIGXFSZ (rc $rc)"
expect_stopped "$T/fs" EFBIG $rc "$T/fs.out" "$T/fs.err"

# resident memory: the trace grows to > 64 MiB, the process's peak RSS
# by no more than the writer's 16 MiB window ring and change
"$prog" 120000 >"$T/rss.plain"
preload "$prog" 120000 >"$T/rss.traced" 2>"$T/rss.err"
size=$(stat -c %s "$T"/trace.*.jsonl | sort -n | tail -1)
hp=$(sed -n 's/^hwm //p' "$T/rss.plain"); ht=$(sed -n 's/^hwm //p' "$T/rss.traced")
diag "trace $size bytes; peak RSS $hp KB untraced, $ht KB traced"
[ "$size" -gt $((64 << 20)) ]; ok $? "the trace is larger than 64 MiB"
[ $((ht - hp)) -le $((24 << 10)) ]; ok $? "peak RSS grows by at most 24 MiB ($((ht - hp)) KB)"
done_testing
