#!/bin/sh
# 500: reader golden files: report, report --json, events, export on fixed traces.
. "$IPCG_SRC/tests/lib/harness.sh"
cd "$IPCG_SRC/tests/fixtures" || exit 1
grep -v '^#' golden.list | while read -r name rc args; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086
	LC_ALL=C NO_COLOR=1 "$TOOL" $args >"$T/out" 2>"$T/err"
	got=$?
	is "$got" "$rc" "$name: exit status"
	if cmp -s "$T/out" "expected/$name.out"; then ok 0 "$name: stdout"
	else ok 1 "$name: stdout"; diff -u "expected/$name.out" "$T/out" | head -30 | sed 's/^/# /'; fi
	if cmp -s "$T/err" "expected/$name.err"; then ok 0 "$name: stderr"
	else ok 1 "$name: stderr"; diff -u "expected/$name.err" "$T/err" | head -30 | sed 's/^/# /'; fi
done > "$T/tap"
cat "$T/tap"
n=$(grep -c '^ok\|^not ok' "$T/tap")
echo "1..$n"
! grep -q '^not ok' "$T/tap"
