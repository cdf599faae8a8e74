#!/bin/sh
# socket-paths: bind and connect outside the globs fail with EACCES before the call (no file created); abstract names match @globs; connect stays a cancellation point
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/policy.sh"
prog="$PROGS/pol_unix"
[ -x "$prog" ] || skip_all "pol_unix not built"
D="$T/s"
mkdir -p "$D/run/app" "$D/other"
ab="ipcg-$$"	# abstract names of this test

pol="socket-paths=$D/run/app/*.sock:@$ab-ok-*"
prun on "$pol" "$prog" stream bind:0:$D/run/app/a.sock listen:0 \
	stream bind:3:$D/other/b.sock bind:3:$D/run/app/sub/c.sock bind:3:$D/run/app/x.txt \
	stream connect:7:$D/run/app/a.sock stream connect:9:$D/other/b.sock \
	dgram bind:11:@$ab-ok-1 bind:11:@$ab-bad autobind:11 \
	stat:$D/other/b.sock
is "$(pout on)" "stream ok
bind ok
listen ok
stream ok
bind EACCES
bind EACCES
bind EACCES
stream ok
connect ok
stream ok
connect EACCES
dgram ok
bind ok
bind EACCES
autobind ok
stat missing" "inside: bind and connect work; outside (other dir, subdirectory, other name, abstract): EACCES and no file"
is "$(precs on)" '["socket-paths","deny",5,"EACCES"]
["socket-paths","deny",6,"EACCES"]
["socket-paths","deny",7,"EACCES"]
["socket-paths","deny",11,"EACCES"]
["socket-paths","deny",14,"EACCES"]' "a record per refusal, errno EACCES"
pmsg on socket-paths | head -1 | grep -qF "bind(fd 4) to \"$D/other/b.sock\" refused with EACCES: outside every socket-paths glob"
ok $? "the message names the call, the path and why"
is "$(calls on connect)" '[9,0,null]
[11,-1,"EACCES"]' "call records: the refused connect has ret -1 EACCES"
is "$(jq -c 'select(.type=="call" and .seq==11)|.args.addr' "$(ptrace on)")" "{\"family\":\"AF_UNIX\",\"path\":\"$D/other/b.sock\"}" \
	"the call record still shows the address"
is "$(order on 11)" "call policy finding" "call record, policy record, then the connect-failed finding"

prun off "" "$prog" stream bind:0:$D/other/b.sock stat:$D/other/b.sock
is "$(pout off)" "stream ok
bind ok
stat socket $(printf '%04o' $((0777 & ~$(umask))))" "without the rule the bind creates the file"

# relative paths are taken from the working directory, ".." never matches
mkdir -p "$D/run/app/d"
(cd "$D/run/app" && prun rel "socket-paths=$D/run/app/*.sock" "$prog" stream bind:0:r.sock bind:0:./s.sock \
	stream bind:3:d/../t.sock bind:3:$D/run/app/../app/u.sock bind:3:$D/run/app//v.sock)
is "$(pout rel)" "stream ok
bind ok
bind EINVAL
stream ok
bind EACCES
bind EACCES
bind ok" "relative paths are resolved against the working directory; '..' is refused; '//' and '.' are ignored"
pmsg rel socket-paths | head -1 | grep -q "a path with a '..' component is never inside the globs$"
ok $? "the message says why '..' is refused"

# abstract names: only @globs match; unnamed (autobind) is always allowed
prun abs "socket-paths=$D/run/app/*" "$prog" dgram bind:0:@$ab-x autobind:0 dgram connect:3:@$ab-y
is "$(pout abs)" "dgram ok
bind EACCES
autobind ok
dgram ok
connect EACCES" "without an @glob every abstract name is refused; autobind is not a name"

# only AF_UNIX paths are checked: other families, unreadable addresses and bad lengths reach the kernel
prun bad "$pol" "$prog" stream badaddr:0 bindlen:0:$D/other/z.sock:1 bindlen:0:$D/other/z.sock:200
is "$(pout bad)" "stream ok
badaddr EFAULT
bind EINVAL
bind EINVAL" "unreadable address: EFAULT; a length the kernel rejects: EINVAL, as without the rule"
is "$(precs bad)" "" "no policy record for them"

# connect refused by the policy is still a cancellation point
prun can "$pol" "$prog" cancel:$D/other/q.sock cancel:$D/run/app/a.sock
is "$(pout can)" "cancel cancelled
cancel cancelled" "a pending cancellation acts in a refused connect as in the real one"
prun can0 "" "$prog" cancel:$D/other/q.sock
is "$(pout can0)" "cancel cancelled" "(and without the rule)"

# AF_INET sockets never go through the policy: same output, no call or policy record
if [ -x "$PROGS/t2_inet" ]; then
	"$PROGS/t2_inet" >"$T/inet0.out" 2>&1
	prun inet "socket-paths=$D/run/app/*.sock" "$PROGS/t2_inet"
	is "$(pout inet)" "$(cat "$T/inet0.out")" "an AF_INET program behaves the same under socket-paths"
	is "$(jq -c 'select(.type=="call" or .type=="policy")' "$(ptrace inet)")" "" "and leaves no call or policy record"
fi
done_testing
