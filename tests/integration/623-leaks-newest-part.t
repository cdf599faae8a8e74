#!/bin/sh
# ipcguard leaks given only the newest part of a rotated trace: a segment
# created in a part not given is joined through the checkpoint's live record
# (creation seq and stack); a rotated trace whose next part is missing is
# labelled "trace continues in NEXT (not given)".
. "$IPCG_SRC/tests/lib/harness.sh"
command -v ipcmk >/dev/null && command -v ipcrm >/dev/null || skip_all "ipcmk/ipcrm not installed"
[ -r /proc/sysvipc/shm ] || skip_all "no /proc/sysvipc/shm"
id=$(ipcmk -M 4096 2>/dev/null | sed -n 's/.*id: *//p')
[ -n "$id" ] || skip_all "ipcmk cannot create a segment here"
trap 'ipcrm -m "$id" 2>/dev/null; rm -rf "$T"' EXIT
cpid=$(awk -v id="$id" '$2 == id { print $5 }' /proc/sysvipc/shm)
host=$(uname -n)
now=$(date +%s)000000000

# the newest part of the trace of the process that made it (ipcmk, gone now)
hdr='{"type":"header","format":"ipcguard","version":1,"pid":'$cpid',"ppid":1,"exe":"/opt/fixture/maker","argv":["maker"],"host":"'$host'","start_realtime_ns":'$now',"start_ns":1000,"config":{},"limits":{},"forked":false'
{
	echo "$hdr"',"part":3,"previous":"m.jsonl.2"}'
	echo '{"type":"module","id":1,"path":"/opt/fixture/maker","base":"0x400000","size":8192,"build_id":null}'
	echo '{"type":"stack","id":4,"frames":[[1,"0x1234"],[1,"0x400"]]}'
	echo '{"type":"live","object":"segment","shmid":'$id',"key":"IPC_PRIVATE","size":4096,"cpid":'$cpid',"created":true,"inherited":false,"removed":false,"nattch":0,"seq":41,"stack":4}'
	echo '{"type":"checkpoint","ts_ns":2000,"seq":41,"objects":1}'
	echo '{"type":"call","seq":41,"ts_ns":2100,"tid":'$cpid',"fn":"shmget","args":{"key":"IPC_PRIVATE","size":4096,"shmflg":"IPC_CREAT|0600"},"ret":'$id',"errno":null,"stack":4}'
	echo '{"type":"rotate","ts_ns":3000,"calls":41,"findings":0,"dropped":0,"next":"m.jsonl.4"}'
} >"$T/m.jsonl.3"
"$TOOL" leaks --json "$T/m.jsonl.3" >"$T/l.json" 2>"$T/l.err"
is "$?" 0 "leaks: status 0"
is "$(jq -c --argjson id "$id" '[.sites[].objects[] | select(.shmid == $id) | [.create_seq, .created_realtime_ns, .creator.pid]]' "$T/l.json")" \
	"[[41,null,$cpid]]" "the segment is joined with its live record: creation seq 41, time unknown, once"
is "$(jq -c --argjson id "$id" '[.sites[] | select(any(.objects[]; .shmid == $id)) | .stack[0]]' "$T/l.json")" \
	'["maker+0x1234"]' "with the creation stack of the checkpoint"
is "$(jq -r '.processes[0].state' "$T/l.json")" "trace continues in m.jsonl.4 (not given)" \
	"the process: trace continues in the part not given"
"$TOOL" leaks "$T/m.jsonl.3" 2>/dev/null | grep -q "shmid $id key IPC_PRIVATE, 4096 bytes, orphan, created at seq 41 by maker\[$cpid\]"
ok $? "text: an orphan created at seq 41"
done_testing
