#!/bin/sh
# several rules at once, through ipcguard run --policy; policies still apply with IPCGUARD_TRACE=none or when the family is not traced
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/policy.sh"
shm="$PROGS/pol_shm"
unix="$PROGS/pol_unix"
[ -x "$shm" ] && [ -x "$unix" ] || skip_all "pol_shm/pol_unix not built"
D="$T/s"
mkdir -p "$D/run"
POL_KEY=$(printf '74%04x00' $(($$ & 0xffff)))
export POL_KEY
key() { printf '0x%08x' $((0x$POL_KEY + $1)); }
trap 'for k in 1 2 3; do ipcrm -M "$(key $k)" 2>/dev/null; done; rm -rf "$T"' EXIT
has_key() { ipcs -m | awk -v k="$(key "$1")" '$1 == k' | grep -c .; }

"$shm" get:k1:4096:c666 >/dev/null 2>&1	# another process's segment
all="repeat-attach=reuse,size-mismatch=deny,foreign-segment=deny,shm-mode=0600,max-attach=2,rmid-at-exit=on"
"$TOOL" run -q -o "$T/shm.%p.jsonl" --policy "$all" -- "$shm" \
	get:k1:4096:c666 get:k1:1024:600 get:k2:4096:c666 stat:2 get:k2:8192:c600 \
	at:2 at:2 get:private:4096:c644 at:7 get:private:4096:c600 at:9 dt:5 dt:6 at:9 \
	>"$T/shm.out" 2>"$T/shm.err"
is "$?" 0 "ipcguard run --policy: the program ran and exited 0"
is "$(cat "$T/shm.out")" "get EEXIST
get EINVAL
get ok
stat mode=0600 size=4096 nattch=0
get EINVAL
at A5
at A5
get ok
at A8
get ok
at ENOMEM
dt ok
dt ok
at A5" "six shm rules at once: foreign EEXIST, mismatch EINVAL, mode 0600, reuse, max-attach counting real mappings"
f=$(ls "$T"/shm.*.jsonl | head -1)
is "$(jq -c 'select(.type=="policy")|[.rule,.action,.seq,.errno]' "$f")" '["foreign-segment","deny",1,"EEXIST"]
["size-mismatch","deny",2,"EINVAL"]
["shm-mode","0600",3,null]
["size-mismatch","deny",5,"EINVAL"]
["repeat-attach","reuse",7,null]
["shm-mode","0600",8,null]
["max-attach","2",11,"ENOMEM"]
["repeat-attach","reuse",12,null]
["rmid-at-exit","on",null,null]
["rmid-at-exit","on",null,null]
["rmid-at-exit","on",null,null]' "every refusal and change has its record, in order"
is "$(has_key 2)" 0 "rmid-at-exit: its keyed segment is gone"
is "$(has_key 1)" 1 "the other process's segment is not"

# the AF_UNIX rules together
"$unix" stream bind:0:$D/run/old.sock close:0 >/dev/null 2>&1
"$TOOL" run -q -o "$T/unix.%p.jsonl" --policy "socket-paths=$D/run/*.sock,stale-socket=unlink,socket-mode=0600" -- "$unix" \
	umask:022 stream bind:1:$D/run/old.sock stat:$D/run/old.sock bind:1:$D/x.sock stream connect:5:$D/x.sock listen:1 connect:5:$D/run/old.sock \
	>"$T/unix.out" 2>"$T/unix.err"
is "$(cat "$T/unix.out")" "umask ok
stream ok
bind ok
stat socket 0600
bind EACCES
stream ok
connect EACCES
listen ok
connect ok" "three unix rules at once: stale file replaced, mode set, paths enforced on bind and connect"
f=$(ls "$T"/unix.*.jsonl | head -1)
is "$(jq -c 'select(.type=="policy")|[.rule,.action,.seq,.errno]' "$f")" '["stale-socket","unlink",2,null]
["socket-mode","0600",2,null]
["socket-paths","deny",3,"EACCES"]
["socket-paths","deny",5,"EACCES"]' "their records"

# IPCGUARD_TRACE=none: the rules apply, no call record, policy records without seq
IPCGUARD_TRACE=none prun none "repeat-attach=deny,socket-paths=$D/run/*" "$shm" get:private:4096:c600 at:0 at:0 rmid:0
is "$(pout none)" "get ok
at A1
at EINVAL
rmid ok" "IPCGUARD_TRACE=none: repeat-attach=deny still refuses"
f=$(ptrace none)
is "$(jq -r 'select(.type!="module" and .type!="stack")|.type' "$f" | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')" "exit=1 header=1 policy=1 " \
	"IPCGUARD_TRACE=none: header, the policy record, exit; no call, no finding"
is "$(jq -c 'select(.type=="policy")|[.rule,.action,.seq,.errno]' "$f")" '["repeat-attach","deny",null,"EINVAL"]' \
	"the policy record has seq null (the call was not logged)"
IPCGUARD_TRACE=none prun nonu "socket-paths=$D/run/*" "$unix" stream bind:0:$D/y.sock
is "$(pout nonu)" "stream ok
bind EACCES" "IPCGUARD_TRACE=none: socket-paths still refuses"

# a family not traced: its rules apply, the traced family is logged as usual
IPCGUARD_TRACE=unix prun fam "repeat-attach=reuse" "$shm" get:private:4096:c600 at:0 at:0 dt:1 dt:2 rmid:0
is "$(pout fam)" "get ok
at A1
at A1
dt ok
dt ok
rmid ok" "IPCGUARD_TRACE=unix: repeat-attach=reuse still applies to shm"
is "$(jq -c 'select(.type=="call" or .type=="finding")' "$(ptrace fam)")" "" "no shm call record and no shm finding"
is "$(jq -c 'select(.type=="policy")|.seq' "$(ptrace fam)" | tr '\n' ' ')" "null null " "two policy records without seq"
done_testing
