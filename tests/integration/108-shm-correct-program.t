#!/bin/sh
# a correct producer and consumer (ftok on an existing file, IPC_EXCL, shmget(key, 0, 0), detach, remove) run with zero findings
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/findings.sh"

prog="$PROGS/det_prodcons"
[ -x "$prog" ] || skip_all "det_prodcons not built"
: >"$T/keyfile"

out=$(IPCGUARD_OUTPUT="$T/trace.%p.jsonl" preload "$prog" produce "$T/keyfile" 2>&1)
is "$(echo "$out" | sed 's/[0-9][0-9]*/N/g')" "consumer read: hello from N
consumer status N" "the consumer read what the producer wrote"
is "$(cat "$T"/trace.* | jq -r 'select(.type=="call")|.fn' | sort | uniq -c | tr -s ' ' | tr '\n' ',')" \
	" 2 ftok, 2 shmat, 1 shmctl, 2 shmdt, 2 shmget," "both processes were traced (producer, and consumer after exec)"
n=0; for f in "$T"/trace.*; do n=$((n + $(nfind "$f"))); done
is "$n" 0 "zero findings in every trace"
key=$(cat "$T"/trace.* | jq -r 'select(.type=="call" and .fn=="ftok")|.ret' | head -1)
ipcs -m | grep -q "^$key "
ok $((1 - $?)) "the segment of key $key is gone"
done_testing
