#!/bin/sh
# Runs every test of `make check` and ends with "N passed, N failed"
# (tests/runner.sh runs each).
#
# Two lanes side by side, one a core (CHECK_LANES, default 2; 1 runs
# everything one after the other).  The first lane starts with the unit
# tests, the same under AddressSanitizer and the static checks (lint),
# which use the CPU; the other starts on the integration tests, which
# mostly wait for windows, samples and servers; then both take the next
# integration test from one queue.  Each integration test uses its own
# ports, addresses, namespaces and files and judges only its own
# connections and packets against the kernel over the same interval, so
# another test beside it is other load (make check-stress puts busy
# loops beside them) and other processes' loopback churn, as any
# server's is.  One lane took 9 minutes.
B=${B:-build}
SHARED=${SHARED:-../shared}
export B SHARED
log=$B/test-logs
rm -rf "$log"; mkdir -p "$log"
lanes=${CHECK_LANES:-2}

. tests/runner.sh

# The integration tests, one a line; lint runs in the CPU part.
ls tests/integration/*.sh | grep -vx tests/integration/lint.sh >"$log/.queue"
echo 0 >"$log/.taken"

# next_test: the queue's next test, or nothing when it is empty.  The
# lanes take turns through a directory made and removed as the lock.
next_test() {
	while ! mkdir "$log/.lock" 2>/dev/null; do sleep 0.05; done
	i=$(cat "$log/.taken"); i=$((i + 1))
	echo "$i" >"$log/.taken"
	rmdir "$log/.lock"
	sed -n "${i}p" "$log/.queue"
}

integration() {
	while t=$(next_test) && [ -n "$t" ]; do
		run_one "$(basename "$t" .sh)" sh "$t"
	done
}

cpu_part() {
	for t in "$B"/tests/test_*; do
		[ -x "$t" ] || continue
		run_one "unit/$(basename "$t")" "$t"
	done
	for t in "$B"/asan/tests/test_*; do
		[ -x "$t" ] || continue
		run_one "asan/$(basename "$t")" "$t"
	done
	run_one lint sh tests/integration/lint.sh
}

begin=$(date +%s)
if [ "$lanes" -le 1 ]; then
	cpu_part; integration
else
	{ cpu_part; integration; echo "$passed $failed $skipped" >"$log/.lane-1"; } &
	first=$!
	integration; echo "$passed $failed $skipped" >"$log/.lane-2"
	wait "$first"
	passed=0; failed=0; skipped=0
	for lane in 1 2; do
		if ! read -r p f s <"$log/.lane-$lane"; then
			echo "not ok - lane $lane of the tests did not finish"
			p=0; f=1; s=0
		fi
		passed=$((passed + p)); failed=$((failed + f))
		skipped=$((skipped + s))
	done
fi

echo "logs in $log; $(($(date +%s) - begin))s in all"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
