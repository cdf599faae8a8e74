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
done_testing
