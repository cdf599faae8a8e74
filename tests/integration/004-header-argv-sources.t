#!/bin/sh
# The image's first header takes argv from what glibc gives our constructor;
# a fork child's header reads /proc/self/cmdline.  Both must give the same
# argv and the same argv_truncated for the same arguments.  And the trace
# of an image that makes no call ends with its exit record and holds no
# blocks past its end (docs/performance.md "Start-up").
. "$IPCG_SRC/tests/lib/harness.sh"

prog="$PROGS/t2_steps"
[ -x "$prog" ] || skip_all "t2_steps not built"

# same_argv DESC ARG...: run "t2_steps fork ARG..." and compare the parent's
# header (constructor) with the child's (/proc/self/cmdline)
same_argv() {
	desc=$1; shift
	rm -f "$T"/trace.*
	preload "$prog" fork "$@" >/dev/null 2>&1
	p=$(for f in "$T"/trace.*; do head -n 1 "$f" | jq -c 'select(.forked==false) | [.argv, .argv_truncated]'; done)
	c=$(for f in "$T"/trace.*; do head -n 1 "$f" | jq -c 'select(.forked==true) | [.argv, .argv_truncated]'; done)
	ok $([ -n "$p" ] && [ "$p" = "$c" ]; echo $?) "$desc: parent and fork child agree"
	[ "$p" = "$c" ] || diag "parent $p" "child  $c"
}

same_argv "plain words" a b c
same_argv "empty, quoted, control and non-ASCII arguments" "" 'a "q"\b' "$(printf 'tab\there\nnl')" "é ü"
same_argv "an argv longer than 8 KiB" $(seq 1 3000)
same_argv "an argv cut by the escaping budget" "$(head -c 4000 /dev/zero | tr '\0' 'e' | sed 's/e/é/g')" x y
# exactly at the 8 KiB read: /proc gives 8192 bytes, the last one a NUL
n=$((8192 - ${#prog} - 1 - 5 - 1))
same_argv "an argv of exactly 8192 bytes" "$(head -c "$n" /dev/zero | tr '\0' 'z')"
same_argv "one byte more" "$(head -c $((n + 1)) /dev/zero | tr '\0' 'z')"
same_argv "two bytes more (the last argument cut)" "$(head -c $((n + 2)) /dev/zero | tr '\0' 'z')"
same_argv "arguments after one cut by the escaping budget" \
	"$(head -c 4000 /dev/zero | tr '\0' 'e' | sed 's/e/é/g')" after1 after2
# a cut argument is the last one written
rm -f "$T"/trace.*
preload "$prog" main "$(head -c 4000 /dev/zero | tr '\0' 'e' | sed 's/e/é/g')" x y >/dev/null 2>&1
is "$(head -n 1 "$T"/trace.* | jq -c '[(.argv|length), .argv_truncated]')" '[3,true]' \
	"nothing after an argument cut by the escaping budget"
# ld.so run as a program drops its own arguments from argv, not from
# /proc/self/cmdline: the header must show what cmdline shows
ldso=$(sed -n 's/^.*interpreter: \(.*\)]$/\1/p' <<EOF2
$(readelf -l "$prog" 2>/dev/null | grep interpreter)
EOF2
)
if [ -n "$ldso" ] && [ -x "$ldso" ]; then
	rm -f "$T"/trace.*
	preload "$ldso" "$prog" fork a >/dev/null 2>&1
	for f in "$T"/trace.*; do head -n 1 "$f" | jq -c .argv; done | sort -u > "$T/argvs"
	is "$(wc -l < "$T/argvs" | tr -d ' ')" 1 "under $ldso: parent and fork child agree"
	is "$(jq -r '.[0]' "$T/argvs")" "$ldso" "under $ldso: argv[0] is ld.so, as in /proc/self/cmdline"
else
	ok 0 "# SKIP no interpreter found"
	ok 0 "# SKIP no interpreter found"
fi
# the first header comes from the constructor's argv: /proc/self/cmdline is
# opened by the fork child only
if command -v strace >/dev/null 2>&1; then
	rm -f "$T"/trace.*
	preload strace -f -qq -e trace=openat -o "$T/st" "$prog" fork a >/dev/null 2>&1
	is "$(grep -c 'proc/self/cmdline' "$T/st")" 1 "cmdline read once: by the fork child, not by the image"
else
	ok 0 "# SKIP strace not installed"
fi

# the argv values themselves, from the constructor
rm -f "$T"/trace.*
preload "$prog" main "" "x y" >/dev/null 2>&1
is "$(head -n 1 "$T"/trace.* | jq -c '[.argv, .argv_truncated]')" \
	"$(jq -cn --arg p "$prog" '[[$p,"main","","x y"],null]')" "argv from the constructor"

# an image without calls: header, exit record, nothing after; its blocks
# are those of its bytes (the exit record's room is held past the end
# while it runs, and used, not left allocated)
rm -f "$T"/trace.*
preload "$prog" main >/dev/null 2>&1
tr=$(ls "$T"/trace.*)
is "$(jq -r .type "$tr" | tr '\n' ' ')" "header exit " "header and exit record only"
is "$(tail -c 1 "$tr" | od -An -c | tr -d ' ')" '\n' "the file ends with the exit record's newline"
set -- $(stat -c '%s %b %B' "$tr")
ok $([ $(( $2 * $3 )) -le $(( ($1 + 4095) / 4096 * 4096 )) ]; echo $?) \
	"no blocks past the end ($1 bytes, $2 blocks of $3)"
is "$(tr -d '\000' < "$tr" | wc -c)" "$1" "no NUL bytes"
# a header of 3-4 KiB: the exit record's block is then the next one, held
# past the end; written into or given back, never left
for extra in 2800 3300; do
	rm -f "$T"/trace.*
	preload "$prog" main "$(head -c $extra /dev/zero | tr '\0' 'h')" >/dev/null 2>&1
	tr=$(ls "$T"/trace.*)
	set -- $(stat -c '%s %b %B' "$tr")
	ok $([ $(( $2 * $3 )) -le $(( ($1 + 4095) / 4096 * 4096 )) ]; echo $?) \
		"a $extra-byte argument: no blocks past the end ($1 bytes, $2 blocks of $3)"
	is "$(jq -r .type "$tr" | tr '\n' ' ')" "header exit " "a $extra-byte argument: header and exit record"
done
# RLIMIT_FSIZE lowered from outside below the end of the exit record: the
# record is written whole or not at all, the file stays valid JSON Lines
if command -v prlimit >/dev/null 2>&1; then
	rm -f "$T"/trace.*
	(exec env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/trace.%p.jsonl" sleep 1 >/dev/null 2>&1) &
	sp=$!	# the same process: the subshell execs env, env execs sleep
	for i in 1 2 3 4 5 6 7 8 9 10; do [ -s "$T/trace.$sp.jsonl" ] && break; sleep 0.05; done
	sz=$(stat -c %s "$T/trace.$sp.jsonl" 2>/dev/null || echo 0)
	prlimit --pid "$sp" --fsize=$((sz + 30)) 2>/dev/null
	wait $sp
	tr="$T/trace.$sp.jsonl"
	ok $(jq -e . "$tr" >/dev/null 2>&1; echo $?) "FSIZE just past the header: every line still parses"
	is "$(tail -c 1 "$tr" | od -An -c | tr -d ' ')" '\n' "FSIZE just past the header: no partial record"
else
	ok 0 "# SKIP prlimit not installed"
	ok 0 "# SKIP prlimit not installed"
fi
done_testing
