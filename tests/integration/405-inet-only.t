#!/bin/sh
# A program that only uses AF_INET/AF_INET6 sockets: no call records, identical behaviour
. "$IPCG_SRC/tests/lib/harness.sh"

prog="$PROGS/t2_inet"
[ -x "$prog" ] || skip_all "t2_inet not built"

plain=$(timeout 10 "$prog" 2>&1)
is "$(echo "$plain" | grep -c ': -1 ')" 5 "plain run: the expected 5 failures"
got=$(timeout 10 env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/trace.%p.jsonl" "$prog" 2>&1)
is "$got" "$plain" "preloaded: identical output, nothing on stderr"
tr=$(ls "$T"/trace.*)
ok $(json_valid "$tr"; echo $?) "trace valid"
is "$(count_type header "$tr"):$(count_type exit "$tr")" "1:1" "the trace has its header and exit record"
is "$(count_type call "$tr")" 0 "no call records"
is "$(count_type stack "$tr")" 0 "no stack records"
is "$(count_type finding "$tr")" 0 "no findings"
is "$(jq -c 'select(.type=="exit")|.calls' "$tr")" 0 "exit record: 0 calls"

# an AF_UNIX socket closed behind the library's back (close_range(2) is not
# intercepted): the AF_INET socket that reuses its number must not be logged
rm -f "$T"/trace.*
plain=$(timeout 10 "$prog" stale 2>&1)
got=$(timeout 10 env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/trace.%p.jsonl" "$prog" stale 2>&1)
is "$got" "$plain" "stale descriptor: identical output"
is "$(jq -r 'select(.type=="call")|.fn' "$T"/trace.* | tr '\n' ' ')" "socket " \
	"stale descriptor: only the AF_UNIX socket() is recorded"
done_testing
