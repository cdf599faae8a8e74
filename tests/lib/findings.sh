# Helpers for the detector tests (tests/integration/1xx, 2xx).  Source
# after harness.sh.
#
# kinds FILE                 sorted finding kinds, one per line
# nfind FILE [KIND]          number of findings (of KIND)
# ffact FILE KIND EXPR       EXPR (jq) of the first finding of KIND, -c output
# fmsg FILE KIND             the message of the first finding of KIND, raw
# stacks_ok FILE             every stack id a finding names (stack,
#                            first_stack, rmid_stack) has a stack record
#                            in FILE; prints the bad ones
# main_trace [PREFIX]        the trace $T/PREFIX.* (default trace) of the
#                            first process (not a fork child)
# child_traces [PREFIX]      the traces of fork children
kinds() { jq -r 'select(.type=="finding")|.kind' "$1" | sort; }
nfind() {
	if [ $# -gt 1 ]; then jq -c --arg k "$2" 'select(.type=="finding" and .kind==$k)' "$1" | wc -l | tr -d ' '
	else jq -c 'select(.type=="finding")' "$1" | wc -l | tr -d ' '; fi
}
ffact() { jq -c --arg k "$2" "select(.type==\"finding\" and .kind==\$k)|$3" "$1" | head -1; }
fmsg() { jq -r --arg k "$2" 'select(.type=="finding" and .kind==$k)|.message' "$1" | head -1; }
stacks_ok() {
	jq -rs '[.[]|select(.type=="stack")|.id] as $ids
		| [.[]|select(.type=="finding")|. as $f
		   | (["stack","first_stack","rmid_stack"][] as $k | $f[$k] | select(. != null)
		      | select(($ids|index(.)) == null) | "\($f.kind).\($k)=\(.)")]
		| .[]' "$1" | grep . && return 1
	return 0
}
main_trace() { for f in "$T/${1:-trace}".*.jsonl; do jq -r 'select(.type=="header" and .forked==false)|input_filename' "$f"; done | head -1; }
child_traces() { for f in "$T/${1:-trace}".*.jsonl; do jq -r 'select(.type=="header" and .forked==true)|input_filename' "$f"; done; }
