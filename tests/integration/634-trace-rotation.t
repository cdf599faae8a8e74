#!/bin/sh
# IPCGUARD_MAX_SIZE: a trace past the cap goes on in FILE.1, FILE.2 ...;
# each part is self-contained (its checkpoint defines every module and
# stack it refers to and lists the live objects), no call is lost or
# written twice across parts, the leak stays visible in the newest part,
# the traced process's memory stays flat while the trace grows past 10x
# the cap, and bad values are refused at start.
. "$IPCG_SRC/tests/lib/harness.sh"
ipcns_all
prog="$PROGS/rot_threads"
loop="$PROGS/tw_loop"
[ -x "$prog" ] && [ -x "$loop" ] || skip_all "rot_threads or tw_loop not built"
check="$IPCG_SRC/tests/lib/partcheck.pl"

# parts DIR NAME: the parts of DIR/NAME in order
parts() {
	ls "$1" | grep -E "^$2(\.[0-9]+)?\$" |
		awk -v b="$2" '{ print ($0 == b ? 0 : substr($0, length(b) + 2)), $0 }' |
		sort -n | cut -d' ' -f2 | sed "s|^|$1/|"
}

# four threads, a 1 MiB cap
mkdir -p "$T/th"
IPCGUARD_OUTPUT="$T/th/t.jsonl" IPCGUARD_MAX_SIZE=1M preload "$prog" 4 6000 >"$T/th.out" 2>"$T/th.err"
is "$?" 0 "threads: the program exits 0"
is "$(sed -n 's/^ok //p' "$T/th.out")" 24000 "threads: every call succeeded as untraced"
is "$(wc -c <"$T/th.err" | tr -d ' ')" 0 "threads: nothing on stderr"
set -- $(parts "$T/th" t.jsonl)
n=$#
[ "$n" -ge 10 ]; ok $? "threads: the trace rotated ($n parts)"
out=$(perl "$check" "$@" 2>&1); rc=$?
ok $rc "threads: parts self-contained, every seq once, rotate/exit ends ($out)"
# the rotation runs at the end of the next call: the records other
# threads write until then still go to the part (a few KiB; more when
# the machine is loaded and the rotating thread is preempted), so the
# size of a part is only checked single-threaded (below)
max=$(stat -c %s "$@" | sort -n | tail -1)
diag "largest part $max bytes"
leak=$(sed -n 's/^leak //p' "$T/th.out")
newest=$(eval echo \${$n})
is "$(jq -r --argjson id "$leak" 'select(.type=="live" and .object=="segment" and .shmid==$id) | [.created, .removed, .size] | @tsv' "$newest")" \
	"$(printf 'true\tfalse\t8192')" "threads: the leaked segment is live in the newest part"
st=$(jq -r --argjson id "$leak" 'select(.type=="live" and .object=="attach" and .shmid==$id) | .stack' "$newest")
[ -n "$st" ] && [ "$st" != null ] && jq -c --argjson s "$st" 'select(.type=="stack" and .id==$s)' "$newest" | grep -q .
ok $? "threads: its attach is live there with its creation stack ($st) defined in that part"
is "$(jq -r 'select(.type=="header") | .part' "$newest")" $((n - 1)) "threads: the newest part's header says part $((n - 1))"
# findings: the exit record counts 2 (the leak and its attach)
is "$(tail -1 "$newest" | jq -r '.findings')" 2 "threads: the exit record's findings"

# writers stalled 250 ms mid-call by a signal handler while the trace
# rotates: the rotation waits for records in flight or tries later, so
# the program never faults and every call is in exactly one part
mkdir -p "$T/stall"
IPCGUARD_OUTPUT="$T/stall/t.jsonl" IPCGUARD_MAX_SIZE=1M preload "$PROGS/rot_stall" 1 >"$T/stall.out" 2>"$T/stall.err"
is "$?:$(cat "$T/stall.out")" "0:done" "stall: the program runs to its end"
set -- $(parts "$T/stall" t.jsonl)
[ $# -ge 3 ]; ok $? "stall: the trace rotated ($# parts)"
calls=$(tail -1 "$(eval echo \${$#})" | jq -r .calls)
# jq parses every line: it fails on one that is not JSON
jq -r 'select(.type=="call") | .seq' "$@" >"$T/stall.all"
ok $? "stall: every line of every part is JSON"
sort -n "$T/stall.all" | uniq >"$T/stall.seqs"
is "$(wc -l <"$T/stall.all" | tr -d ' '):$(wc -l <"$T/stall.seqs" | tr -d ' '):$(tail -1 "$T/stall.seqs")" "$calls:$calls:$calls" \
	"stall: calls 1..$calls each in one part"

# findings compacted by IPCGUARD_REPEATS over many parts (counts per
# part): written + counted = the exit record's findings; fork children
# write their own traces, whose parts are their own
rep="$PROGS/rot_repeats"
mkdir -p "$T/rep"
IPCGUARD_OUTPUT="$T/rep/t.%p.jsonl" IPCGUARD_MAX_SIZE=1M preload "$rep" 20000 2>"$T/rep.err"
is "$?" 0 "repeats: every call succeeded"
first=$(grep -l '"forked":false' "$T"/rep/*.jsonl | head -1)
set -- $(parts "$T/rep" "$(basename "$first")")
[ $# -ge 5 ]; ok $? "repeats: the parent's trace rotated ($# parts)"
got=$(cat "$@" | perl -MJSON::PP -ne '$r = decode_json($_); $t = $r->{type};
	$w++ if $t eq "finding"; $c += $r->{count} - $r->{written} if $t eq "finding_repeats";
	$e = $r->{findings} if $t eq "exit"; END { print $w + $c, " ", $e }')
is "$got" "20000 20000" "repeats: findings written + counted over the parts = exit's findings = rounds"
out=$(perl "$check" "$@" 2>&1); ok $? "repeats: parts check ($out)"
nchild=$(grep -l '"forked":true' "$T"/rep/*.jsonl | wc -l)
is "$nchild" 4 "repeats: each fork child has its own trace"

# resident memory: the trace grows past 10x a 1 MiB cap; peak RSS as with
# the default cap and no more than the window ring above untraced
"$loop" 25000 >"$T/rss.plain"
mkdir -p "$T/rss"
IPCGUARD_OUTPUT="$T/rss/r.jsonl" IPCGUARD_MAX_SIZE=1M preload "$loop" 25000 >"$T/rss.traced" 2>"$T/rss.err"
total=$(cat "$T"/rss/r.jsonl* | wc -c)
np=$(ls "$T"/rss | wc -l)
hp=$(sed -n 's/^hwm //p' "$T/rss.plain"); ht=$(sed -n 's/^hwm //p' "$T/rss.traced")
diag "trace $total bytes in $np parts; peak RSS $hp KB untraced, $ht KB traced"
[ "$total" -gt $((10 << 20)) ]; ok $? "rss: the trace is more than 10x the cap"
[ $((ht - hp)) -le $((24 << 10)) ]; ok $? "rss: peak RSS grows by at most 24 MiB ($((ht - hp)) KB)"
out=$(perl "$check" $(parts "$T/rss" r.jsonl) 2>&1); ok $? "rss: parts check ($out)"
# one thread: a part ends at the call that took it past the cap
max=$(stat -c %s $(parts "$T/rss" r.jsonl) | sort -n | tail -1)
[ "$max" -le $(((1 << 20) + 4096)) ]; ok $? "rss: no part larger than the cap and a few records ($max)"

# a full disk (a 2 MiB tmpfs, root only) with a 1 MiB cap: part 1 fills
# it; the program is unaffected, one line on stderr, and the last part's
# exit record says tracing stopped
if [ "$(id -u)" = 0 ] && mkdir -p "$T/mnt" && mount -t tmpfs -o size=2m ipcg-rot "$T/mnt" 2>/dev/null; then
	trap 'umount "$T/mnt" 2>/dev/null; rm -rf "$T"' EXIT
	IPCGUARD_OUTPUT="$T/mnt/t.jsonl" IPCGUARD_MAX_SIZE=1M preload "$loop" 20000 3 >"$T/disk.out" 2>"$T/disk.err"
	rc=$?
	is "$rc:$(head -1 "$T/disk.out")" "3:rounds 20000 ok 20000" "full disk: the program's calls and status as untraced"
	is "$(grep -c 'ipcguard: cannot write the trace .*t.jsonl.1: No space left on device; tracing stopped' "$T/disk.err")" 1 \
		"full disk: one line on stderr"
	is "$(tail -1 "$T/mnt/t.jsonl.1" | jq -r '[.type, .trace_stopped] | @tsv')" "$(printf 'exit\tENOSPC')" \
		"full disk: part 1 ends with an exit record that says tracing stopped"
	is "$(tail -1 "$T/mnt/t.jsonl" | jq -r .type)" rotate "full disk: part 0 ends with its rotate record"
	umount "$T/mnt"
else
	diag "no tmpfs mount (not root): full-disk part skipped"
fi

# a taken part name (here a symlink) is never followed: the next name is used
mkdir -p "$T/ln"
ln -s "$T/victim" "$T/ln/t.jsonl.1"
IPCGUARD_OUTPUT="$T/ln/t.jsonl" IPCGUARD_MAX_SIZE=1M preload "$loop" 20000 >/dev/null 2>"$T/ln.err"
[ ! -e "$T/victim" ]; ok $? "symlink: its target was not created"
[ -L "$T/ln/t.jsonl.1" ]; ok $? "symlink: it is still a symlink"
[ -f "$T/ln/t.jsonl.1.1" ]; ok $? "symlink: part 1 went to t.jsonl.1.1"
jq -r 'select(.type=="rotate") | .next' "$T/ln/t.jsonl" >"$T/ln.next"
is "$(cat "$T/ln.next")" t.jsonl.1.1 "symlink: part 0's rotate record names it"

# 0 = no cap
mkdir -p "$T/nocap"
IPCGUARD_OUTPUT="$T/nocap/t.jsonl" IPCGUARD_MAX_SIZE=0 preload "$loop" 20000 >/dev/null 2>&1
is "$(ls "$T/nocap" | wc -l | tr -d ' ')" 1 "0: one file however large"
is "$(head -1 "$T/nocap/t.jsonl" | jq -r '.config.max_size')" 0 "0: the header's config says max_size 0"

# bad values: exit 2 before main, one line naming the variable
for v in 512K 1X -1 '' 2000G 1MM; do
	IPCGUARD_MAX_SIZE="$v" preload /bin/true 2>"$T/bad.err"
	rc=$?
	is "$rc:$(grep -c "ipcguard: invalid IPCGUARD_MAX_SIZE='$v'" "$T/bad.err")" "2:1" "bad value '$v': exit 2 with one line"
done
for v in 1M 64m 1g 1048576 4096K; do
	IPCGUARD_MAX_SIZE="$v" preload /bin/true 2>"$T/good.err"
	is "$?:$(wc -c <"$T/good.err" | tr -d ' ')" "0:0" "good value '$v' accepted"
done
done_testing
