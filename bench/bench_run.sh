#!/bin/sh
# bench_run.sh BUILD: `make bench`.  Times the loops of bench_loops.c with
# libipcguard.so preloaded, each process alternating blocks that call libc
# directly (untraced) with blocks that go through ipcguard (traced), A B A
# B ... for BENCH_REPS rounds: same process, same CPU, same memory, so the
# load of other programs hits both sides alike.  Prints one table: per
# iteration of the loop, the untraced and traced CPU-time medians with
# min-max, the ratio of the medians, of the fastest rounds and of the wall
# times, the CPU time added per intercepted call, the user-space
# instructions added per call as counted by callgrind (deterministic where
# time is noisy), the trace bytes per call, and the target of issue 6.
# strace, the peer, runs in separate processes (3 of each, alternated).
#
# Knobs (environment): BENCH_REPS (A/B rounds, default 7), BENCH_SCALE
# (multiplies the iteration counts, default 1), BENCH_CALLGRIND=0 skips the
# instruction counts, BENCH_ONLY=shm,unix_bind,unix_conn,inet_sock,
# inet_conn,threads,exec,strace,reader restricts the groups.
set -u
B=${1:-build}
B=$(cd "$B" && pwd) || exit 2
SRC=$(cd "$(dirname "$0")/.." && pwd)
LIB=$B/libipcguard.so
REPS=${BENCH_REPS:-7}
SCALE=${BENCH_SCALE:-1}
CG=${BENCH_CALLGRIND:-1}
ONLY=${BENCH_ONLY:-}
CG_ITERS=500
W=$(mktemp -d "${TMPDIR:-/tmp}/ipcg-bench.XXXXXX") || exit 2
trap 'rm -rf "$W"' EXIT INT TERM
BIN=$B/bench/bench_loops

[ -f "$LIB" ] || { echo "bench: $LIB missing (make all first)" >&2; exit 1; }
mkdir -p "$B/bench"
${CC:-cc} -std=gnu11 -O2 -g -Wall -Wextra -D_GNU_SOURCE -Wl,--build-id \
	-o "$BIN" "$SRC/bench/bench_loops.c" -lpthread -ldl || exit 1
command -v valgrind >/dev/null 2>&1 || CG=0
START=$(date +%s)

want() { [ -z "$ONLY" ] && return 0; case ",$ONLY," in *",$1,"*) return 0;; esac; return 1; }

# ab MODE LOOP ITERS DEPTH THREADS: one process alternating REPS rounds of
# untraced (libc called directly) and traced blocks (bench_loops.c, A/B
# mode); appends "a_cpu a_wall b_cpu b_wall" per round to $W/ab.  MODE: s0
# (IPCGUARD_STACK=0) or def (default stacks).  The trace is left as
# $W/last.trace.
ab() {
	ab_mode=$1; shift
	rm -f "$W"/t.* "$W"/last.trace
	case $ab_mode in
	s0) set -- env IPCGUARD_STACK=0 "$BIN" "$@" "$REPS" ;;
	def) set -- env "$BIN" "$@" "$REPS" ;;
	esac
	LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$W/t.%p" "$@" > "$W/ab.out" ||
		{ echo "bench: $* failed" >&2; return 1; }
	sed -n 's/^round=[0-9]* a_cpu=\([0-9.]*\) a_wall=\([0-9.]*\) b_cpu=\([0-9.]*\) b_wall=\([0-9.]*\)/\1 \2 \3 \4/p' \
		"$W/ab.out" > "$W/ab"
	for f in "$W"/t.*; do [ -f "$f" ] && mv "$f" "$W/last.trace"; done
	return 0
}

# run MODE LOOP ITERS DEPTH THREADS: one process, one block; prints "WALL
# CPU" ns per iteration.  MODE: off (no preload) or strace (strace -f -e
# trace=%ipc,%network -o FILE).
run() {
	run_mode=$1; shift
	case $run_mode in
	off) out=$("$BIN" "$@") ;;
	strace) out=$(strace -f -e trace=%ipc,%network -o "$W/s.out" "$BIN" "$@") ;;
	esac || { echo "bench: $run_mode $* failed" >&2; echo "0 0"; return; }
	rm -f "$W/s.out"
	echo "$out" | sed -n 's/^ns_per_iter=\([0-9.]*\) cpu_ns_per_iter=\([0-9.]*\).*/\1 \2/p'
}

# stats FILE COLUMN: "median min max" of a column of FILE
stats() {
	awk -v c="$2" '{print $c}' "$1" | sort -n |
		awk '{v[NR]=$1} END{printf "%.0f %.0f %.0f\n", v[int((NR+1)/2)], v[1], v[NR]}'
}

# stats3 FILE COLUMN: the same with three decimals (ratios)
stats3() {
	awk -v c="$2" '{print $c}' "$1" | sort -n |
		awk '{v[NR]=$1} END{printf "%.3f %.2f %.2f\n", v[int((NR+1)/2)], v[1], v[NR]}'
}

# callgrind_ir MODE LOOP ITERS DEPTH: user-space instructions of the timed
# part (bench_loops toggles collection around it)
callgrind_ir() {
	cg_mode=$1; shift
	rm -f "$W"/cg.out "$W"/t.*
	set -- valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$W/cg.out" \
		"$BIN" "$@" 1
	case $cg_mode in
	off) "$@" >/dev/null 2>&1 ;;
	s0) env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$W/t.%p" IPCGUARD_STACK=0 "$@" >/dev/null 2>&1 ;;
	def) env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$W/t.%p" "$@" >/dev/null 2>&1 ;;
	esac
	sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$W/cg.out" 2>/dev/null | head -1
}

FMT='%-34s %19s %19s %6s %9s %6s %6s %6s %6s %11s\n'
printf '%s\n' "ipcguard bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cpus, $(uname -r), $REPS rounds, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf "$FMT" "loop, tracing" "untraced ns/iter" "traced ns/iter" "cpu x" "cpu x" "wall x" "+ns" "+Ir" "bytes" "target"
printf "$FMT" "" "cpu med (min-max)" "cpu med (min-max)" "med" "min-max" "med" "/call" "/call" "/call" "(cpu x)"

# row LABEL CALLS MODE DEPTH TARGET U_FILE T_FILE: print one table row from
# U_FILE and T_FILE ("WALL CPU" per line, one line per round)
row() {
	r_label=$1 r_calls=$2 r_mode=$3 r_depth=$4 r_target=$5 ufile=$6 tfile=$7
	set -- $(stats "$ufile" 2); um=$1 ul=$2 uh=$3
	set -- $(stats "$ufile" 1); uwm=$1
	set -- $(stats "$tfile" 2); tm=$1 tl=$2 th=$3
	set -- $(stats "$tfile" 1); twm=$1
	# ratios of the rounds taken pairwise (adjacent in time, so drift in
	# the machine's speed cancels): median, and min-max
	paste "$ufile" "$tfile" | awk '{printf "%.3f %.3f\n", ($3>0 && $1>0) ? $3/$1 : 0, ($4>0 && $2>0) ? $4/$2 : 0}' \
		> "$W/pairs"
	set -- $(stats3 "$W/pairs" 2); ratio=$1 rlo=$2 rhi=$3
	set -- $(stats3 "$W/pairs" 1); wratio=$1
	extra=$(awk -v r="$ratio" -v u="$um" -v c="$r_calls" 'BEGIN{printf "%.0f", (r-1)*u/c}')
	ir=-
	if [ "$CG" = 1 ] && [ "$r_mode" != strace ] && [ -n "$CGLOOP" ]; then
		[ -f "$W/cg.$CGLOOP.$r_depth" ] ||	# untraced: once per loop and depth
			callgrind_ir off "$CGLOOP" "$CG_ITERS" "$r_depth" > "$W/cg.$CGLOOP.$r_depth"
		base=$(cat "$W/cg.$CGLOOP.$r_depth")
		tir=$(callgrind_ir "$r_mode" "$CGLOOP" "$CG_ITERS" "$r_depth")
		[ -n "$base" ] && [ -n "$tir" ] &&
			ir=$(awk -v t="$tir" -v u="$base" -v n="$CG_ITERS" -v c="$r_calls" \
				'BEGIN{printf "%.0f", (t-u)/(n*c)}')
	fi
	bpc=-
	if [ -f "$W/last.trace" ]; then
		# bytes per call: the whole trace over the calls it holds
		nc=$(grep -c '"type":"call"' "$W/last.trace")
		nb=$(wc -c < "$W/last.trace")
		bpc=$(awk -v b="$nb" -v c="$nc" 'BEGIN{if(c>0)printf "%.0f\n", b/c; else print "-"}')
		rm -f "$W/last.trace"
	fi
	verdict=-
	if [ "$r_target" != - ]; then
		verdict=$(awk -v r="$ratio" -v t="$r_target" 'BEGIN{printf "<=%s %s", t, (r<=t ? "ok" : "MISS")}')
	fi
	printf "$FMT" "$r_label" "$um ($ul-$uh)" "$tm ($tl-$th)" "$ratio" "$rlo-$rhi" "$wratio" \
		"$extra" "$ir" "$bpc" "$verdict"
}

# group LOOP ITERS CALLS_PER_ITER THREADS LABEL, then $VARIANTS, each
# MODE:DEPTH:TITLE:TARGET (underscores in TITLE print as spaces; TARGET
# is the ratio to meet, or -).  One A/B process per variant.
group() {
	loop=$1 iters=$2 calls=$3 threads=$4 label=$5
	iters=$(awk -v a="$iters" -v s="$SCALE" 'BEGIN{n=int(a*s); if(n<1)n=1; print n}')
	CGLOOP=
	[ "$threads" = 1 ] && CGLOOP=$loop
	for v in $VARIANTS; do
		mode=${v%%:*}; rest=${v#*:}; depth=${rest%%:*}; rest=${rest#*:}
		title=$(echo "${rest%%:*}" | tr _ " "); target=${rest#*:}
		ab "$mode" "$loop" "$iters" "$depth" "$threads" || continue
		awk '{print $2, $1}' "$W/ab" > "$W/row.u"
		awk '{print $4, $3}' "$W/ab" > "$W/row.t"
		row "$label, $title" "$calls" "$mode" "$depth" "$target" "$W/row.u" "$W/row.t"
	done
}

# peer LOOP ITERS CALLS LABEL: untraced and strace'd processes alternated
peer() {
	loop=$1 iters=$2 calls=$3 label=$4
	: > "$W/row.u"; : > "$W/row.t"
	r=0
	while [ $r -lt 3 ]; do
		run off "$loop" "$iters" 0 1 >> "$W/row.u"
		run strace "$loop" "$iters" 0 1 >> "$W/row.t"
		r=$((r + 1))
	done
	CGLOOP=
	row "$label" "$calls" strace 0 - "$W/row.u" "$W/row.t"
}

STD="s0:0:stack=0:TS0 def:0:stack=32:TSD def:64:stack=32,_64_deep:TS64"
std() { echo "$STD" | sed "s/TS0/$1/; s/TSD/$2/; s/TS64/$3/"; }
if want shm; then VARIANTS=$(std 1.05 1.15 1.5); group shm 20000 4 1 "shm x4"; fi
if want unix_bind; then VARIANTS=$(std - - -); group unix_bind 8000 4 1 "unix bind x4"; fi
if want unix_conn; then VARIANTS=$(std - - -); group unix_conn 16000 5 1 "unix connect x5"; fi
# pass-through: a few ns on a few µs, so twice the rounds to see it
REPS_SAVE=$REPS; REPS=$((REPS * 2 + 1))
if want inet_sock; then VARIANTS=$(std 1.02 1.02 1.02); group inet_sock 30000 2 1 "inet socket+close x2"; fi
if want inet_conn; then VARIANTS=$(std 1.02 1.02 1.02); group inet_conn 60000 1 1 "inet connect x1"; fi
REPS=$REPS_SAVE
if want threads; then
	VARIANTS="s0:0:stack=0:- def:0:stack=32:-"
	group shm 10000 4 2 "shm x4, 2 threads"
fi
# start-up: a small program started EXECS times per round, plain and under
# the library, interleaved (bench_exec.c); +ns/call is the time added per
# exec.  The traces go to a tmpfs directory when there is one: this loop
# creates and removes thousands of files a minute, and on ext4 each create
# in such a directory scans recently deleted inodes (~0.1-0.3 ms per file
# here), which is the benchmark's own churn, not what a traced program
# pays.  "file floor" preloads bench_floor.c instead: creating the trace
# file and writing two lines, the part of the start-up that SPEC §2 asks of
# every image (docs/performance.md "Start-up").
if want exec; then
	EXECS=$(awk -v s="$SCALE" 'BEGIN{n=int(300*s); if(n<1)n=1; print n}')
	${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -D_GNU_SOURCE -o "$B/bench/bench_exec" \
		"$SRC/bench/bench_exec.c" || exit 1
	${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -shared -fPIC -o "$B/bench/bench_floor.so" \
		"$SRC/bench/bench_floor.c" || exit 1
	XD=
	[ -d /dev/shm ] && [ -w /dev/shm ] && XD=$(mktemp -d /dev/shm/ipcg-bench-exec.XXXXXX 2>/dev/null)
	[ -n "$XD" ] || { XD=$W/exec; mkdir -p "$XD"; }
	echo "exec rows: traces in $XD"
	for what in floor none ipc; do
		xl=$LIB xw=$what
		[ $what = floor ] && xl=$B/bench/bench_floor.so xw=none
		"$B/bench/bench_exec" "$xl" "$XD" "$EXECS" "$REPS" "$xw" > "$W/ab.out" ||
			{ echo "bench: bench_exec $what failed" >&2; continue; }
		sed -n 's/^round=[0-9]* a_cpu=\([0-9.]*\) a_wall=\([0-9.]*\) b_cpu=\([0-9.]*\) b_wall=\([0-9.]*\)/\1 \2 \3 \4/p' \
			"$W/ab.out" > "$W/ab"
		awk '{print $2, $1}' "$W/ab" > "$W/row.u"
		awk '{print $4, $3}' "$W/ab" > "$W/row.t"
		CGLOOP=
		case $what in
		floor) row "exec, file floor (no library)" 1 exec 0 - "$W/row.u" "$W/row.t" ;;
		none) row "exec, no traced call, stack=32" 1 exec 0 - "$W/row.u" "$W/row.t" ;;
		ipc) row "exec, 2 traced calls, stack=32" 1 exec 0 - "$W/row.u" "$W/row.t" ;;
		esac
	done
	[ "$XD" = "$W/exec" ] || rm -rf "$XD"
fi
if want strace && command -v strace >/dev/null 2>&1; then
	peer shm 2000 4 "shm x4, strace -f (3 processes each)"
fi
cat <<EOF
ns/iter: CPU time of the looping thread for one iteration (all its calls).
cpu x: traced / untraced CPU time of each round (the two blocks run one
after the other), median and min-max over the rounds; wall x: the same from
wall time (strace's cost is in another process: read this one).
+ns/call: CPU time added per intercepted call ((cpu x - 1) * untraced
median / calls per iteration); +Ir/call:
user-space instructions added per call (callgrind, $CG_ITERS iterations,
warm); bytes/call: trace file size over call records (stacks interned).
exec rows: ns per exec (fork + execve + wait, the child's CPU time),
medians of interleaved starts, and +ns/call is the time each process
image adds (issue 11: <= 300000 with no traced call, <= 1000000 with one;
"file floor" is what creating and writing the trace file alone adds).
EOF
if want reader && [ -f "$SRC/bench/bench_reader.sh" ]; then
	sh "$SRC/bench/bench_reader.sh" "$B"
fi
echo "bench: $(( $(date +%s) - START )) s"
