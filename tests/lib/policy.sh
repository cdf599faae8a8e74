# Helpers for the policy tests (tests/integration/3xx).  Source after
# harness.sh.
#
# prun NAME POLICY CMD...    run CMD preloaded with IPCGUARD_POLICY=POLICY
#                            (and whatever IPCGUARD_* the caller exported);
#                            trace(s) $T/NAME.PID.jsonl, stdout $T/NAME.out,
#                            stderr $T/NAME.err, exit status $T/NAME.rc
# ptrace NAME                the trace of the first process of run NAME
# pout NAME                  its stdout
# precs NAME                 policy records as [rule,action,seq,errno], one a line
# pmsg NAME RULE             the messages of RULE's policy records
# calls NAME FN              calls of FN as [seq,ret,errno], one a line
# order NAME SEQ             record types concerning SEQ, in file order
prun() {
	_n=$1 _p=$2
	shift 2
	LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/$_n.%p.jsonl" IPCGUARD_POLICY="$_p" \
		"$@" >"$T/$_n.out" 2>"$T/$_n.err"
	echo $? >"$T/$_n.rc"
}
ptrace() {
	for _f in "$T/$1".*.jsonl; do
		jq -r 'select(.type=="header" and .forked==false)|input_filename' "$_f"
	done | head -1
}
pout() { cat "$T/$1.out"; }
precs() { jq -c 'select(.type=="policy")|[.rule,.action,.seq,.errno]' "$(ptrace "$1")"; }
pmsg() { jq -r --arg r "$2" 'select(.type=="policy" and .rule==$r)|.message' "$(ptrace "$1")"; }
calls() { jq -c --arg f "$2" 'select(.type=="call" and .fn==$f)|[.seq,.ret,.errno]' "$(ptrace "$1")"; }
order() { jq -r --argjson s "$2" 'select(.seq==$s)|.type' "$(ptrace "$1")" | tr '\n' ' ' | sed 's/ $//'; }
