#!/bin/sh
# A server that binds, then forks and lets the parent exit (nginx's
# master detaching) hands the socket file to the child: the parent's
# trace must not call it a socket-file-leak while that child lives.
# Seen with nginx -c ... (listen unix:...): a false socket-file-leak.
. "$IPCG_SRC/tests/lib/harness.sh"

leaks() {	# leaks PID: socket-file-leak findings in that process's trace
	jq -c 'select(.type=="finding" and .kind=="socket-file-leak")' "$T/trace.$1.jsonl" | wc -l | tr -d ' '
}
parent_pid() { ls "$T"/trace.*.jsonl | while read -r f; do
	jq -r 'select(.type=="header" and .forked==false) | .pid' "$f"; done; }

out=$(preload "$PROGS/rw_daemon_bind" "$T/d.sock" daemon)
is "$?" 0 "daemon: exit status"
is "$out" "parent exits, child alive" "daemon: output"
i=0; while [ -e "$T/d.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
ok $([ ! -e "$T/d.sock" ]; echo $?) "daemon: the child removed the file"
is "$(leaks "$(parent_pid)")" 0 "daemon: no socket-file-leak in the parent"
is "$(cat "$T"/trace.*.jsonl | jq -c 'select(.type=="finding" and .kind=="socket-file-leak")' | wc -l | tr -d ' ')" 0 \
	"daemon: none in any trace"
json_valid "$T"/trace.*.jsonl
ok $? "daemon: traces parse"

rm -f "$T"/trace.*.jsonl
out=$(preload "$PROGS/rw_daemon_bind" "$T/r.sock" reaped)
is "$out" "parent exits, child reaped" "reaped: output"
ok $([ -S "$T/r.sock" ]; echo $?) "reaped: the file is left behind"
is "$(leaks "$(parent_pid)")" 1 "reaped: the parent reports socket-file-leak"
done_testing
