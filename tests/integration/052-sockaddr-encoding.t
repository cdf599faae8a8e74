#!/bin/sh
# sockaddr encoding in bind/accept records: path, abstract, unnamed, truncated, other family, too short, NULL, unreadable
. "$IPCG_SRC/tests/lib/harness.sh"

prog="$PROGS/t2_calls"
[ -x "$prog" ] || skip_all "t2_calls not built"
cd "$T" || exit 1

preload "$prog" sockaddr >"$T/expected"
is "$?" 0 "t2_calls sockaddr exits 0"
tr=$(ls "$T"/trace.*.jsonl)
jq -cS . "$T/expected" >"$T/want"
jq -cS 'select(.type=="call")|{fn,args,ret,errno}' "$tr" >"$T/got"
is "$(wc -l <"$T/got" | tr -d ' ')" "$(wc -l <"$T/want" | tr -d ' ')" "one record per call"
i=0
while IFS= read -r want; do
	i=$((i + 1))
	is "$(sed -n "${i}p" "$T/got")" "$want" \
		"$(printf "%s\n" "$want" | jq -r '"\(.fn) addr=\(.args.addr|tojson) len=\(.args.addrlen)"' | cut -c1-90)"
done <"$T/want"

# accept into a buffer shorter than the peer address: only what the kernel
# wrote may be decoded (min of the buffer size and the returned length)
rm -f "$T"/trace.*.jsonl
preload "$prog" accept-short >"$T/expected"
tr=$(ls "$T"/trace.*.jsonl)
is "$(jq -cS 'select(.type=="call" and .fn=="accept")|{fn,args,ret,errno}' "$tr")" \
	"$(jq -cS . "$T/expected")" \
	"accept with addrlen 1: addr decoded from the one byte written"
done_testing
