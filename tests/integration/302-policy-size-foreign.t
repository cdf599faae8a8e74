#!/bin/sh
# size-mismatch and foreign-segment: deny fails with EINVAL / EEXIST before the call (nothing created), warn records, off changes nothing
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/policy.sh"
prog="$PROGS/pol_shm"
[ -x "$prog" ] || skip_all "pol_shm not built"

# keys of this test: 0x71PPPP0N
POL_KEY=$(printf '71%04x00' $(($$ & 0xffff)))
export POL_KEY
key() { printf '0x%08x' $((0x$POL_KEY + $1)); }
cleanup() { for k in 1 2 3 4 5; do ipcrm -M "$(key $k)" 2>/dev/null; done; }
trap 'cleanup; rm -rf "$T"' EXIT
segs() { ipcs -m | awk -v k="$(key "$1")" '$1 == k { print $5 " " $4 }'; }	# "bytes perms"

# a leftover of 4096 bytes with key 1, made by another process (no preload)
"$prog" get:k1:4096:c600 >/dev/null 2>&1
is "$(segs 1)" "4096 600" "the leftover exists"

# --- size-mismatch -----------------------------------------------------------
prun smoff "" "$prog" get:k1:1024:600 get:k1:8192:600
is "$(pout smoff)" "get ok
get EINVAL" "off: a smaller size returns the larger segment, a larger size fails"
is "$(precs smoff)" "" "off: no policy record"

prun smdeny size-mismatch=deny "$prog" get:k1:1024:600 get:k1:8192:600 get:k1:4096:600 get:k1:0:0 get:k1:1024:c600
is "$(pout smdeny)" "get EINVAL
get EINVAL
get ok
get ok
get EINVAL" "deny: another size fails with EINVAL (smaller or larger, with IPC_CREAT too); the same size and size 0 succeed"
is "$(precs smdeny)" '["size-mismatch","deny",1,"EINVAL"]
["size-mismatch","deny",2,"EINVAL"]
["size-mismatch","deny",5,"EINVAL"]' "deny: one record per refused call, errno EINVAL"
is "$(calls smdeny shmget | head -1)" '[1,-1,"EINVAL"]' "deny: the call record shows -1 EINVAL"
pmsg smdeny size-mismatch | head -1 | grep -q "^shmget($(key 1), " && \
	pmsg smdeny size-mismatch | head -1 | grep -q "1024, 0600) refused with EINVAL: the key names shmid [0-9]* of 4096 bytes$"
ok $? "deny: the message names the call, the segment and its size"
is "$(segs 1)" "4096 600" "deny: the segment is unchanged"

prun smwarn size-mismatch=warn "$prog" get:k1:1024:600 get:k1:4096:600
is "$(pout smwarn)" "get ok
get ok" "warn: the call succeeds as without the rule"
is "$(precs smwarn)" '["size-mismatch","warn",1,null]' "warn: one record, errno null"
pmsg smwarn size-mismatch | grep -q "returned shmid [0-9]* of 4096 bytes; size-mismatch=deny would refuse it with EINVAL$"
ok $? "warn: the message says what deny would do"

# --- foreign-segment ---------------------------------------------------------
prun fdeny foreign-segment=deny "$prog" get:k1:4096:c600 get:k1:4096:600 get:k2:4096:c600 get:k2:4096:c600 \
	get:k3:4096:cx600 get:private:4096:c600 rmid:2 rmid:5
is "$(pout fdeny)" "get EEXIST
get ok
get ok
get ok
get ok
get ok
rmid ok
rmid ok" "deny: IPC_CREAT on the leftover fails with EEXIST; without IPC_CREAT, its own segment, IPC_EXCL and IPC_PRIVATE succeed"
is "$(precs fdeny)" '["foreign-segment","deny",1,"EEXIST"]' "deny: one record, errno EEXIST"
is "$(order fdeny 1)" "call policy finding" "deny: call record, policy record, then the foreign-segment finding"
pmsg fdeny foreign-segment | grep -q "4096, IPC_CREAT|0600) refused with EEXIST: the key names shmid [0-9]*, which this process did not create$"
ok $? "deny: the message names the segment"
is "$(segs 1)" "4096 600" "deny: the leftover is untouched"
ipcrm -M "$(key 3)" 2>/dev/null
is "$(segs 2)" "" "its own segment was removed by the program"

# a segment that does not exist is created as usual, and stays the program's
prun fnew foreign-segment=deny "$prog" get:k4:4096:c640 get:k4:4096:c640 stat:0
is "$(pout fnew)" "get ok
get ok
stat mode=0640 size=4096 nattch=0" "deny: a new key is created (mode as asked), and opening it again is not foreign"
is "$(precs fnew)" "" "deny: no record for its own segment"
ipcrm -M "$(key 4)"

# a fork child opening the parent's segment with IPC_CREAT: not foreign
prun ffork foreign-segment=deny "$prog" get:k5:4096:c600 fork get:k5:4096:c600 rmid:0
is "$(pout ffork)" "get ok
child get ok
child rmid ok
parent get ok
parent rmid EINVAL" "deny: a fork child opens the segment its parent created (inherited, not foreign); once removed, the parent creates a new one"

prun fwarn foreign-segment=warn "$prog" get:k1:4096:c600
is "$(pout fwarn)" "get ok" "warn: the call succeeds"
is "$(precs fwarn)" '["foreign-segment","warn",1,null]' "warn: one record"
pmsg fwarn foreign-segment | grep -q "which this process did not create; foreign-segment=deny would refuse it with EEXIST$"
ok $? "warn: the message says what deny would do"
prun foff "" "$prog" get:k1:4096:c600
is "$(pout foff)/$(precs foff)" "get ok/" "off: the leftover is returned, no record"

# both at once: foreign wins (EEXIST)
prun both foreign-segment=deny,size-mismatch=deny "$prog" get:k1:1024:c600 get:k1:1024:600
is "$(pout both)" "get EEXIST
get EINVAL" "both: IPC_CREAT on a foreign segment of another size is EEXIST; without IPC_CREAT, EINVAL"
done_testing
