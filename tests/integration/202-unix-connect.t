#!/bin/sh
# connect-failed says why: missing file, missing directory, not a socket, not listening, denied directory, denied file
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/findings.sh"

prog="$PROGS/det_unix"
[ -x "$prog" ] || skip_all "det_unix not built"
mkdir "$T/d"

IPCGUARD_OUTPUT="$T/c.jsonl" preload "$prog" connect-causes "$T/d" >"$T/c.out" 2>&1
f="$T/c.jsonl"
is "$(grep connect "$T/c.out" | tr '\n' ' ')" \
	"connect-missing ENOENT connect-nodir ENOENT connect-regular ECONNREFUSED connect-not-listening ECONNREFUSED " \
	"four failed connects"
is "$(jq -c 'select(.kind=="connect-failed")|[.errno,.cause,.path]' "$f" | tr '\n' ' ')" \
	"[\"ENOENT\",\"missing\",\"$T/d/s.sock\"] [\"ENOENT\",\"missing-directory\",\"$T/d/nodir/x.sock\"] [\"ECONNREFUSED\",\"not-socket\",\"$T/d/plain\"] [\"ECONNREFUSED\",\"not-listening\",\"$T/d/s.sock\"] " \
	"each with its cause"
jq -r 'select(.kind=="connect-failed")|.message' "$f" >"$T/msgs"
grep -q "no such file: no server has bound this path" "$T/msgs" && grep -q "its directory does not exist" "$T/msgs" &&
	grep -q "the path exists but is not a socket" "$T/msgs" && grep -q "a socket is bound to the file but does not accept this connection" "$T/msgs"
ok $? "the messages say missing, directory missing, not a socket, not listening"
is "$(jq -c 'select(.kind=="connect-failed")|[.severity,.fd]' "$f" | sort -u)" '["warning",3]' "warning, with the fd"
stacks_ok "$f"
ok $? "stack ids resolve"

if [ "$(id -u)" = 0 ]; then
	chmod 755 "$T/d"
	chmod 755 "$T"
	IPCGUARD_OUTPUT="$T/den.%p.jsonl" preload "$prog" connect-denied "$T/d" >"$T/den.out" 2>&1
	c=$(child_traces den)
	is "$(grep child "$T/den.out" | tr '\n' ' ')" \
		"child-connect-private EACCES child-connect-open EACCES child 0 " "as nobody: both connects fail with EACCES"
	is "$(jq -c 'select(.kind=="connect-failed")|[.errno,.cause]' "$c" | sort -u)" '["EACCES","denied"]' "cause denied"
	jq -r 'select(.kind=="connect-failed")|.message' "$c" >"$T/msgs"
	grep -q "the directory \"$T/d/private\" is not searchable by uid 65534" "$T/msgs"
	ok $? "a 0700 directory: named"
	grep -q "the socket file is not writable by uid 65534 (owner 0, mode 0600); connect needs write permission on it" "$T/msgs"
	ok $? "a 0600 socket file: named with owner and mode"
	chmod 700 "$T"
else
	for i in 1 2 3 4; do ok 0 "# SKIP needs root to switch users"; done
fi
done_testing
