#!/bin/sh
# bench_run.sh BUILD: `make bench`.  Times the loops of bench_loops.c
# without and with libipcguard.so preloaded, alternating the runs
# (U T1 T2 T3 U T1 T2 T3 ...) so that drift in the machine's load hits both
# sides alike, and prints one table: per iteration of the loop, the
# untraced and traced medians with min-max, the ratios of the medians (of
# the thread's CPU time, which other programs' load disturbs much less than
# wall time, and of wall time), the extra time per intercepted call, the
# extra user-space instructions per call counted by callgrind
# (deterministic where time is noisy), the trace bytes per call, and the
# target of issue 6 for the row.
#
# Knobs (environment): BENCH_REPS (rounds, default 7), BENCH_SCALE
# (multiplies the iteration counts, default 1), BENCH_CALLGRIND=0 skips the
# instruction counts, BENCH_ONLY=shm,unix_bind,unix_conn,inet_sock,
# inet_conn,threads,strace,reader restricts the groups.
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
	-o "$BIN" "$SRC/bench/bench_loops.c" -lpthread || exit 1
command -v valgrind >/dev/null 2>&1 || CG=0
START=$(date +%s)

want() { [ -z "$ONLY" ] && return 0; case ",$ONLY," in *",$1,"*) return 0;; esac; return 1; }

# run MODE LOOP ITERS DEPTH THREADS: prints "WALL CPU" ns per iteration.
# MODE: off (no preload), s0 (IPCGUARD_STACK=0), def (default stacks),
# strace (strace -f -e trace=%ipc,%network -o FILE).  A traced run's
# trace is left as $W/last.trace.
run() {
	mode=$1; shift
	rm -f "$W"/t.* "$W"/s.out "$W"/last.trace
	case $mode in
	off) out=$("$BIN" "$@") ;;
	s0) out=$(env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$W/t.%p" IPCGUARD_STACK=0 "$BIN" "$@") ;;
	def) out=$(env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$W/t.%p" "$BIN" "$@") ;;
	strace) out=$(strace -f -e trace=%ipc,%network -o "$W/s.out" "$BIN" "$@") ;;
	esac || { echo "bench: $mode $* failed" >&2; echo "0 0"; return; }
	for f in "$W"/t.*; do [ -f "$f" ] && mv "$f" "$W/last.trace"; done
	echo "$out" | sed -n 's/^ns_per_iter=\([0-9.]*\) cpu_ns_per_iter=\([0-9.]*\).*/\1 \2/p'
}

# stats FILE COLUMN: "median min max" of a column of FILE
stats() {
	awk -v c="$2" '{print $c}' "$1" | sort -n |
		awk '{v[NR]=$1} END{printf "%.0f %.0f %.0f\n", v[int((NR+1)/2)], v[1], v[NR]}'
}

# callgrind_ir MODE LOOP ITERS DEPTH: user-space instructions of the timed
# part (bench_loops toggles collection around it)
callgrind_ir() {
	mode=$1; shift
	rm -f "$W"/cg.out "$W"/t.*
	set -- valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$W/cg.out" \
		"$BIN" "$@" 1
	case $mode in
	off) "$@" >/dev/null 2>&1 ;;
	s0) env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$W/t.%p" IPCGUARD_STACK=0 "$@" >/dev/null 2>&1 ;;
	def) env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$W/t.%p" "$@" >/dev/null 2>&1 ;;
	esac
	sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$W/cg.out" 2>/dev/null | head -1
}

FMT='%-34s %19s %19s %6s %6s %6s %6s %6s %6s %11s\n'
printf '%s\n' "ipcguard bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cpus, $(uname -r), $REPS rounds, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf "$FMT" "loop, tracing" "untraced ns/iter" "traced ns/iter" "cpu x" "cpu x" "wall x" "+ns" "+Ir" "bytes" "target"
printf "$FMT" "" "cpu med (min-max)" "cpu med (min-max)" "med" "min" "med" "/call" "/call" "/call" "(cpu x med)"

# group LOOP ITERS CALLS_PER_ITER THREADS LABEL then $VARIANTS, each
# MODE:DEPTH:TITLE:TARGET (underscores in TITLE print as spaces; TARGET
# is the ratio to meet, or -).  Runs REPS rounds of (untraced, each
# variant), then prints one row per variant.
group() {
	loop=$1 iters=$2 calls=$3 threads=$4 label=$5
	iters=$(awk -v a="$iters" -v s="$SCALE" 'BEGIN{n=int(a*s); if(n<1)n=1; print n}')
	: > "$W/u.ns"
	i=0
	for v in $VARIANTS; do : > "$W/v$i.ns"; rm -f "$W/v$i.bpc"; i=$((i + 1)); done
	r=0
	while [ $r -lt "$REPS" ]; do
		run off "$loop" "$iters" 0 "$threads" >> "$W/u.ns"
		i=0
		for v in $VARIANTS; do
			mode=${v%%:*}; rest=${v#*:}; depth=${rest%%:*}
			run "$mode" "$loop" "$iters" "$depth" "$threads" >> "$W/v$i.ns"
			if [ ! -f "$W/v$i.bpc" ] && [ -f "$W/last.trace" ]; then
				# bytes per call: the whole trace over the calls it holds
				nc=$(grep -c '"type":"call"' "$W/last.trace")
				nb=$(wc -c < "$W/last.trace")
				awk -v b="$nb" -v c="$nc" 'BEGIN{if(c>0)printf "%.0f\n", b/c; else print "-"}' \
					> "$W/v$i.bpc"
			fi
			i=$((i + 1))
		done
		r=$((r + 1))
	done
	set -- $(stats "$W/u.ns" 2); um=$1 ul=$2 uh=$3
	set -- $(stats "$W/u.ns" 1); uwm=$1
	i=0
	base0=
	for v in $VARIANTS; do
		mode=${v%%:*}; rest=${v#*:}; depth=${rest%%:*}; rest=${rest#*:}
		title=$(echo "${rest%%:*}" | tr _ " "); target=${rest#*:}
		set -- $(stats "$W/v$i.ns" 2); tm=$1 tl=$2 th=$3
		set -- $(stats "$W/v$i.ns" 1); twm=$1
		ratio=$(awk -v t="$tm" -v u="$um" 'BEGIN{printf "%.3f", (u>0 ? t/u : 0)}')
		mratio=$(awk -v t="$tl" -v u="$ul" 'BEGIN{printf "%.3f", (u>0 ? t/u : 0)}')
		wratio=$(awk -v t="$twm" -v u="$uwm" 'BEGIN{printf "%.3f", (u>0 ? t/u : 0)}')
		extra=$(awk -v t="$tl" -v u="$ul" -v c="$calls" 'BEGIN{printf "%.0f", (t-u)/c}')
		ir=-
		if [ "$CG" = 1 ] && [ "$threads" = 1 ] && [ "$mode" != strace ]; then
			if [ "$depth" = 0 ] && [ -n "$base0" ]; then
				base=$base0
			else
				base=$(callgrind_ir off "$loop" "$CG_ITERS" "$depth")
			fi
			[ "$depth" = 0 ] && base0=$base
			tir=$(callgrind_ir "$mode" "$loop" "$CG_ITERS" "$depth")
			[ -n "$base" ] && [ -n "$tir" ] &&
				ir=$(awk -v t="$tir" -v u="$base" -v n="$CG_ITERS" -v c="$calls" \
					'BEGIN{printf "%.0f", (t-u)/(n*c)}')
		fi
		bpc=-
		[ -f "$W/v$i.bpc" ] && bpc=$(cat "$W/v$i.bpc")
		verdict=-
		if [ "$target" != - ]; then
			verdict=$(awk -v r="$ratio" -v t="$target" 'BEGIN{printf "<=%s %s", t, (r<=t ? "ok" : "MISS")}')
		fi
		printf "$FMT" "$label, $title" "$um ($ul-$uh)" "$tm ($tl-$th)" "$ratio" "$mratio" \
			"$wratio" "$extra" "$ir" "$bpc" "$verdict"
		i=$((i + 1))
	done
}

STD="s0:0:stack=0:TS0 def:0:stack=32:TSD def:64:stack=32,_64_deep:TS64"
std() { echo "$STD" | sed "s/TS0/$1/; s/TSD/$2/; s/TS64/$3/"; }
if want shm; then VARIANTS=$(std 1.05 1.15 1.5); group shm 20000 4 1 "shm x4"; fi
if want unix_bind; then VARIANTS=$(std - - -); group unix_bind 8000 4 1 "unix bind x4"; fi
if want unix_conn; then VARIANTS=$(std - - -); group unix_conn 16000 5 1 "unix connect x5"; fi
if want inet_sock; then VARIANTS=$(std 1.02 1.02 1.02); group inet_sock 40000 2 1 "inet socket+close x2"; fi
if want inet_conn; then VARIANTS=$(std 1.02 1.02 1.02); group inet_conn 100000 1 1 "inet connect x1"; fi
if want threads; then
	VARIANTS="s0:0:stack=0:- def:0:stack=32:-"
	group shm 10000 4 2 "shm x4, 2 threads"
fi
if want strace && command -v strace >/dev/null 2>&1; then
	VARIANTS="strace:0:strace_-f:-"
	REPS_SAVE=$REPS; REPS=3
	group shm 2000 4 1 "shm x4"
	REPS=$REPS_SAVE
fi
cat <<EOF
ns/iter: CPU time of the looping thread for one iteration (all its calls).
cpu x med: traced median / untraced median of the same rounds; cpu x min:
the same for the fastest rounds (the least disturbed by other load); wall x
med: from wall time (strace's cost is in another process: read this one).
+ns/call: CPU time added per intercepted call (fastest rounds); +Ir/call:
user-space instructions added per call (callgrind, $CG_ITERS iterations,
warm); bytes/call: trace file size over call records (stacks interned).
EOF
if want reader && [ -f "$SRC/bench/bench_reader.sh" ]; then
	sh "$SRC/bench/bench_reader.sh" "$B"
fi
echo "bench: $(( $(date +%s) - START )) s"
