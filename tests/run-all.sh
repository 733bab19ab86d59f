#!/bin/sh
# Runs every test of `make check` and ends with "N passed, N failed"
# (tests/runner.sh runs each).
B=${B:-build}
SHARED=${SHARED:-../shared}
export B SHARED
log=$B/test-logs
rm -rf "$log"; mkdir -p "$log"

. tests/runner.sh

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
