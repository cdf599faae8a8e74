#!/bin/sh
# The header record: first line, required keys and values; never dropped for a long or non-ASCII argv
. "$IPCG_SRC/tests/lib/harness.sh"

prog="$PROGS/t2_steps"
[ -x "$prog" ] || skip_all "t2_steps not built"

t0=$(date +%s)
IPCGUARD_STACK=7 IPCGUARD_TRACE=shm preload "$prog" pid shm 'a "quoted"\arg' >"$T/out" 2>&1
t1=$(date +%s)
pid=$(sed -n 's/^pid=//p' "$T/out")
tr=$(ls "$T"/trace.*)
is "$(head -n 1 "$tr" | jq -r .type)" header "the first line is the header"
is "$(count_type header "$tr")" 1 "one header"
h=$(head -n 1 "$tr")
is "$(printf "%s\n" "$h" | jq -c '[.format,.version,.pid,.ppid,.forked]')" "[\"ipcguard\",1,$pid,$$,false]" "format, version, pid, ppid, forked"
is "$(printf "%s\n" "$h" | jq -r .exe)" "$(readlink -f "$prog")" "exe is the real path"
is "$(printf "%s\n" "$h" | jq -c .argv)" "$(jq -cn --arg p "$prog" '[$p,"pid","shm","a \"quoted\"\\arg"]')" "argv, escaped"
is "$(printf "%s\n" "$h" | jq -r .host)" "$(uname -n)" "host"
s=$(printf "%s\n" "$h" | jq -r '.start_realtime_ns/1000000000|floor')
ok $([ "$s" -ge "$t0" ] && [ "$s" -le "$t1" ]; echo $?) "start_realtime_ns is now"
is "$(printf "%s\n" "$h" | jq -c '.config|[.output,.stack,.trace,.policy,.follow]')" \
	"[\"$T/trace.%p.jsonl\",7,\"shm\",\"\",true]" "config: the effective settings"
is "$(printf "%s\n" "$h" | jq -c '.limits|[.shmmax,.shmall,.shmmni]|map(type)')" '["number","number","number"]' "limits: shmmax shmall shmmni"
is "$(printf "%s\n" "$h" | jq -r .limits.shmmni)" "$(cat /proc/sys/kernel/shmmni)" "limits.shmmni as read at start"
# the raw text, not through jq's doubles: shmmax is a full 64-bit integer
is "$(head -n 1 "$tr" | sed 's/.*"shmmax":\([0-9]*\).*/\1/')" "$(cat /proc/sys/kernel/shmmax)" "limits.shmmax exact"

# a long argv full of non-ASCII bytes (each escaped as 6 bytes): the header
# is still written, with argv cut and marked
rm -f "$T"/trace.*
arg=$(head -c 4000 /dev/zero | tr '\0' 'e' | sed 's/e/é/g')
preload "$prog" shm "$arg" >/dev/null 2>&1
tr=$(ls "$T"/trace.*)
is "$(head -n 1 "$tr" | jq -r .type)" header "8000 bytes of UTF-8 in argv: the header is there"
is "$(head -n 1 "$tr" | jq -c '[.argv[0:2], .argv_truncated]')" "[[\"$prog\",\"shm\"],true]" "argv cut and marked argv_truncated"
ok $(json_valid "$tr"; echo $?) "trace valid"
is "$(count_type call "$tr")" 2 "calls recorded"
rm -f "$T"/trace.*
preload "$prog" shm $(seq 1 3000) >/dev/null 2>&1
is "$(head -n 1 "$T"/trace.* | jq -c '[.type, .argv_truncated]')" '["header",true]' "an argv longer than 8 KiB: header, argv marked truncated"
rm -f "$T"/trace.*
preload "$prog" shm >/dev/null 2>&1
is "$(head -n 1 "$T"/trace.* | jq -c .argv_truncated)" null "a short argv is not marked"
done_testing
