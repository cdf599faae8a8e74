#!/bin/sh
# The program's own descriptor numbers are not shifted by the library (first fd is 3), also after fork, exec, dlopen and under a low RLIMIT_NOFILE
. "$IPCG_SRC/tests/lib/harness.sh"

prog="$PROGS/t2_steps"
[ -x "$prog" ] || skip_all "t2_steps not built"
dl="$PROGS/libt2_dl.so"

# same STEPS...: plain and preloaded outputs are equal
same() {
	desc=$1
	shift
	plain=$(cd "$T" && "$@" 2>&1)
	for cfg in default stack0 stderr; do
		case $cfg in
		default) o="$T/trace.%p.jsonl" ;;
		stack0) o="$T/trace.%p.jsonl" ;;
		stderr) o=stderr ;;
		esac
		s=32
		[ $cfg = stack0 ] && s=0
		got=$(cd "$T" && LD_PRELOAD="$LIB" IPCGUARD_STACK=$s IPCGUARD_OUTPUT="$o" "$@" 2>/dev/null)
		is "$got" "$plain" "$desc ($cfg)"
	done
}

plain=$("$prog" open)
is "$plain" "open fd=3" "plain: the first descriptor is 3"
same "first open is fd 3" "$prog" open
same "a pipe gets 3 and 4" "$prog" pipe
same "after the first backtraces" "$prog" shm sock open pipe
same "in a fork child" "$prog" forkopen open
same "after dlopen of a library that makes calls" "$prog" dlopen="$dl" open pipe
same "in an exec'd image" "$prog" shm exec="$prog" open pipe
same "with stdin closed (the first open gets 0)" sh -c 'exec <&- && exec "$0" open pipe shm open' "$prog"
for n in 256 64 20; do
	same "RLIMIT_NOFILE $n" sh -c "ulimit -n $n && exec \"\$0\" open pipe shm open" "$prog"
done
done_testing
