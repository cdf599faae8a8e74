# Call-record tests (05x): call_records FAMILY FN... runs t2_calls FAMILY
# preloaded and checks each record against what the program observed.
call_records() {
	family=$1
	shift
	prog="$PROGS/t2_calls"
	[ -x "$prog" ] || skip_all "t2_calls not built"
	cd "$T" || exit 1
	preload "$prog" "$family" >"$T/expected" 2>"$T/err"
	is "$?" 0 "t2_calls $family exits 0"
	tr=$(ls "$T"/trace.*.jsonl)
	ok $(json_valid "$tr"; echo $?) "trace is valid"

	# one record per call, in order, each exactly as the program saw the call
	jq -cS . "$T/expected" >"$T/want"
	jq -cS 'select(.type=="call")|{fn,args,ret,errno}' "$tr" >"$T/got"
	n=$(wc -l <"$T/want" | tr -d ' ')
	is "$(wc -l <"$T/got" | tr -d ' ')" "$n" "$n call records"
	i=0
	while IFS= read -r want; do
		i=$((i + 1))
		got=$(sed -n "${i}p" "$T/got")
		is "$got" "$want" "record $i: $(printf "%s\n" "$want" | jq -r '"\(.fn) -> \(.ret) \(.errno)"')"
	done <"$T/want"

	# every function has a success and an error record
	for fn in "$@"; do
		is "$(jq -r --arg f $fn 'select(.type=="call" and .fn==$f)|(.errno==null)' "$tr" | sort -u | tr '\n' ' ')" \
			"false true " "$fn: success and error cases"
	done

	# the common keys
	pid=$(jq 'select(.type=="header")|.pid' "$tr")
	is "$(jq -sc '[.[]|select(.type=="call")|.seq]' "$tr")" "$(jq -c "[range(1; $n + 1)]" -n)" "seq counts from 1 without gaps"
	is "$(jq -r --argjson p "$pid" 'select(.type=="call" and .tid!=$p)|.seq' "$tr")" "" "tid is the (only) thread's id"
	is "$(jq -s '[.[]|select(.type=="call")|.ts_ns]|. == sort' "$tr")" "true" "ts_ns never goes back"
	is "$(jq -r 'select(.type=="call" and (.stack|type)!="number")|.seq' "$tr")" "" "every call has a stack"
	is "$(jq -s '[.[]|select(.type=="stack")|.id] as $s|[.[]|select(.type=="call")|.stack]|all(. as $x|$s|index($x)!=null)' "$tr")" \
		"true" "every stack id refers to a stack record"
	done_testing
}
