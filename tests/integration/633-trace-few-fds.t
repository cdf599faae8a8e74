#!/bin/sh
# Under a tight RLIMIT_NOFILE the trace file holds no descriptor between
# uses (it is reopened by path to grow or map a window), so a program that
# opens descriptors until EMFILE loses only libunwind's pipe (2; before: 3)
# and its trace still ends with its exit record.
. "$IPCG_SRC/tests/lib/harness.sh"
prog="$PROGS/tw_fds"
[ -x "$prog" ] || skip_all "tw_fds not built"
plain=$(sh -c "ulimit -n 10; exec \"$prog\" 3000")
traced=$(preload sh -c "ulimit -n 10; exec \"$prog\" 3000")
set -- $plain; np=$2
set -- $traced; nt=$2
diag "untraced: $plain" "traced: $traced"
[ "$nt" -ge $((np - 2)) ]; ok $? "at most libunwind's 2 descriptors are taken ($nt of $np sockets)"
f=$(grep -l '"exe":"[^"]*tw_fds"' "$T"/trace.* | head -1)
[ -n "$f" ] || f=/dev/null
is "$(tr -d '\0' <"$f" | tail -1 | jq -r '[.type, .status, .calls] | @tsv')" "$(printf 'exit\t0\t%s' $((3000 * 2 + nt + 1)))" \
	"the trace ends with the exit record although every descriptor was taken"
"$TOOL" report "$f" | grep -q " exit status 0$"; ok $? "the report shows a clean exit"
done_testing
