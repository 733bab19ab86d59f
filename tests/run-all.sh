#!/bin/sh
# Runs every test of `make check` and ends with "N passed, N failed".
# Each test prints "ok - ..." / "not ok - ..." / "skip - ..." lines; a test
# that exits non-zero without a "not ok" line counts as one failure.
B=${B:-build}
SHARED=${SHARED:-../shared}
export B SHARED
log=$B/test-logs
rm -rf "$log"; mkdir -p "$log"

passed=0; failed=0; skipped=0
run_one() {
	name=$1; shift
	out=$log/$(echo "$name" | tr / -).log
	start=$(date +%s)
	"$@" >"$out" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$out"); f=$(grep -c '^not ok ' "$out")
	s=$(grep -c '^skip ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc" >>"$out"; f=1
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	printf '%-34s %4d passed %3d failed %3d skipped  %3ds\n' \
		"$name" "$p" "$f" "$s" $(($(date +%s) - start))
	if [ "$f" -ne 0 ]; then grep -E '^(not ok|#)' "$out" | head -40; fi
	grep '^skip ' "$out" | head -5
}

for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "unit/$(basename "$t")" "$t"
done
for t in "$B"/asan/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "asan/$(basename "$t")" "$t"
done
for t in tests/integration/*.sh; do
	[ -f "$t" ] || continue
	run_one "$(basename "$t" .sh)" sh "$t"
done

echo "logs in $log"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
