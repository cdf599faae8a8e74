#!/bin/sh
# export --format chrome: slices carry shmid, key, size and creation site; segments never removed are marked leaked; findings repeated at one site are capped
. "$IPCG_SRC/tests/lib/harness.sh"
prog="$PROGS/lk_daemon"
[ -x "$prog" ] || skip_all "lk_daemon not built"
trap 'sed -n "s/^leak //p" "$T/out" 2>/dev/null | while read -r id; do ipcrm -m "$id" 2>/dev/null; done
	for f in "$T"/trace.*.jsonl; do jq -r "select(.type==\"finding\" and .kind==\"segment-leak\")|.shmid" "$f" 2>/dev/null; done |
	while read -r id; do ipcrm -m "$id" 2>/dev/null; done; rm -rf "$T"' EXIT

IPCGUARD_REPEATS=0 preload "$prog" 1 40 10 "$T/d.sock" > "$T/out" 2>"$T/err"
is "$?" 0 "the daemon ran"
"$TOOL" export --format chrome "$T"/trace.*.jsonl > "$T/c.json"
is "$?" 0 "export: exit status"
ok $(jq -e . "$T/c.json" >/dev/null; echo $?) "export: valid JSON"
ev() { jq -rc ".traceEvents[] | $1" "$T/c.json"; }
is "$(ev 'select(.ph=="e" and .args.leaked==true) | .name' | wc -l | tr -d ' ')" 5 \
	"the main segment and the 4 leaked ones end marked leaked"
is "$(ev 'select(.cat=="leak")' | wc -l | tr -d ' ')" 5 "one leak instant per leaked segment"
is "$(ev 'select(.ph=="e" and .args.leaked==false and .args.alive_at_end=="_exit")' | wc -l | tr -d ' ')" 40 \
	"the worker's 40 attaches are alive at its _exit, not leaked"
is "$(ev 'select(.ph=="b" and .cat=="shm" and (.name|startswith("segment"))) | [.args.key, .args.size] | @tsv' | sort | uniq -c | awk '{print $1, $2, $3}' | tr '\n' ' ')" \
	"1 IPC_PRIVATE 12288 1 IPC_PRIVATE 4096 1 IPC_PRIVATE 65536 2 IPC_PRIVATE 8192 " \
	"segment slices carry key and size"
site=$(ev 'select(.ph=="b" and .args.size==4096) | .args.created_at' | head -1)
case "$site" in *leak_segment*lk_daemon.c:*) r=0 ;; *) r=1; diag "$site" ;; esac
ok $r "a leaked segment's slice names its creation site"
is "$(ev 'select(.cat=="finding" and .name=="repeated-attach" and .args.seq)' | wc -l | tr -d ' ')" 10 \
	"39 repeated-attach findings at one site: 10 instants"
is "$(ev 'select(.cat=="finding" and .args.repeats_not_shown) | "\(.name) \(.args.repeats_not_shown) \(.args.total_at_site)"')" \
	"repeated-attach 29 39" "and one instant that counts the rest"
done_testing
