#!/bin/sh
# A C++ program that throws and catches exceptions (also across intercepted calls and threads) works preloaded
. "$IPCG_SRC/tests/lib/harness.sh"

command -v g++ >/dev/null 2>&1 || skip_all "g++ not installed"
cat >"$T/cxx.cc" <<'EOF_CC'
// Exceptions thrown through frames that made intercepted calls (so
// libunwind has unwound them too), through a C callback, rethrown,
// nested, and in 4 threads at once.
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

struct Boom : std::runtime_error {
	int n;
	explicit Boom(int k) : std::runtime_error("boom " + std::to_string(k)), n(k) {}
};

static int shm_then_throw(int k)
{
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	if (id < 0)
		return -1;
	shmctl(id, IPC_RMID, nullptr);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s >= 0)
		close(s);
	if (k % 3 != 2)
		throw Boom(k);
	return k;
}

static int deep(int depth, int k)
{
	if (depth == 0)
		return shm_then_throw(k);
	std::string guard(16, 'x');	// a destructor to run during unwinding
	return deep(depth - 1, k) + (int)guard.size() - 16;
}

static int cmp(const void *a, const void *b)
{
	static int calls;
	if (++calls == 5)
		throw std::logic_error("from qsort's callback");
	return *(const int *)a - *(const int *)b;
}

static long worker(int base)
{
	long sum = 0;
	for (int i = 0; i < 300; i++) {
		try {
			sum += deep(i % 7, base + i);
		} catch (const Boom &b) {
			sum += b.n;
		}
	}
	return sum;
}

int main()
{
	long caught = 0, total = 0;
	for (int i = 0; i < 1000; i++) {
		try {
			total += deep(i % 10, i);
		} catch (const Boom &b) {
			caught++;
			total += b.n;
		}
	}
	std::printf("single thread: caught=%ld total=%ld\n", caught, total);
	try {
		try {
			shm_then_throw(0);
		} catch (...) {
			std::printf("rethrowing\n");
			throw;
		}
	} catch (const std::exception &e) {
		std::printf("caught rethrown: %s\n", e.what());
	}
	try {
		try {
			shm_then_throw(1);
		} catch (...) {
			std::throw_with_nested(std::runtime_error("outer"));
		}
	} catch (const std::exception &e) {
		std::printf("outer: %s\n", e.what());
		try {
			std::rethrow_if_nested(e);
		} catch (const Boom &b) {
			std::printf("nested: %s\n", b.what());
		}
	}
	int v[8] = { 5, 3, 8, 1, 9, 2, 7, 4 };
	try {
		std::qsort(v, 8, sizeof v[0], cmp);
	} catch (const std::logic_error &e) {
		std::printf("through qsort: %s\n", e.what());
	}
	std::vector<std::thread> th;
	std::vector<long> res(4);
	for (int t = 0; t < 4; t++)
		th.emplace_back([t, &res] { res[t] = worker(t * 1000); });
	for (auto &x : th)
		x.join();
	for (int t = 0; t < 4; t++)
		std::printf("thread %d: %ld\n", t, res[t]);
	return 0;
}
EOF_CC
g++ -O1 -g -pthread -fexceptions -o "$T/cxx" "$T/cxx.cc" 2>"$T/cc.err" || { cat "$T/cc.err"; skip_all "g++ cannot build the test program"; }

plain=$(timeout 30 "$T/cxx" 2>&1)
rc=$?
is "$rc" 0 "plain run exits 0"
case $plain in *"nested: boom 1"*"thread 3:"*) r=0 ;; *) r=1 ;; esac
ok $r "plain run caught everything"
for cfg in default stack0 stack256; do
	rm -f "$T"/trace.*
	case $cfg in
	default) set -- ;;
	stack0) set -- IPCGUARD_STACK=0 ;;
	stack256) set -- IPCGUARD_STACK=256 ;;
	esac
	got=$(timeout 30 env "$@" LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/trace.%p.jsonl" "$T/cxx" 2>&1)
	rc=$?
	is "$rc" 0 "$cfg: preloaded run exits 0"
	is "$got" "$plain" "$cfg: same output: every exception caught where it was"
done
tr=$(ls "$T"/trace.*)
is "$(count_type call "$tr")" $(( (1000 + 2 + 1200) * 4 )) "stack256: every call recorded"
# libunwind is private to ipcguard: every _Unwind_* binding goes to libgcc_s
LD_DEBUG=bindings LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/b.%p.jsonl" "$T/cxx" 2>"$T/bind" >/dev/null
is "$(grep -c "to [^ ]*libunwind[^ ]* .*symbol \`_Unwind_" "$T/bind")" 0 "no _Unwind_* symbol binds to libunwind"
ok $(grep -q "to [^ ]*libgcc_s[^ ]* .*symbol \`_Unwind_RaiseException" "$T/bind"; echo $?) \
	"_Unwind_RaiseException binds to libgcc_s"
if command -v readelf >/dev/null 2>&1; then
	is "$(readelf -d "$LIB" | grep NEEDED | grep -c unwind)" 0 "libipcguard.so does not link libunwind (it is dlopened RTLD_LOCAL)"
fi
done_testing
