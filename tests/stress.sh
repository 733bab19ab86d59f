#!/bin/sh
# `make check-stress`: what .ci/run runs (make check, then make
# check-contrib) with STRESS_BURNERS busy processes (default 2, as many as
# this CI machine has cores) running beside the tests, so that timing
# assumptions fail here rather than on a loaded CI machine.  The burners
# are started here and killed by their pids on exit, failure or interrupt.
# Ends, like make check, with the line "N passed, N failed" (both summed).
MAKE=${MAKE:-make}
n=${STRESS_BURNERS:-2}
log=${B:-build}/stress-logs	# make check empties test-logs/
mkdir -p "$log"
burners=""

stop_burners() {
	for p in $burners; do kill "$p" 2>/dev/null; done
	for p in $burners; do wait "$p" 2>/dev/null; done
	burners=""
}
trap stop_burners EXIT
trap 'exit 1' INT TERM HUP

i=0
while [ "$i" -lt "$n" ]; do
	sh -c 'while :; do :; done' &
	burners="$burners $!"
	i=$((i + 1))
done
echo "# $n busy loops beside the tests (pids$burners)"

begin=$(date +%s)
rc=0
# Each target's output goes to the terminal and to a file whose last
# "N passed, N failed" line is added up below.
for target in check check-contrib; do
	{ $MAKE "$target"; echo "rc=$?" >"$log/stress-$target.rc"; } 2>&1 |
		tee "$log/stress-$target.out"
	grep -qx 'rc=0' "$log/stress-$target.rc" || rc=1
done
stop_burners

sum() {	# FIELD: the sum over both targets of "N passed, N failed" lines
	for target in check check-contrib; do
		grep -E '^[0-9]+ passed, [0-9]+ failed' "$log/stress-$target.out" | tail -1
	done | awk -v f="$1" '{ s += $f } END { print s + 0 }'
}
p=$(sum 1); f=$(sum 3)
# A target that stopped before its summary (a build error) is a failure.
for target in check check-contrib; do
	grep -qE '^[0-9]+ passed, [0-9]+ failed' "$log/stress-$target.out" ||
		{ echo "not ok - make $target gave no summary"; f=$((f + 1)); }
done
echo "make check and make check-contrib beside $n busy loops: $(($(date +%s) - begin))s; logs in $log and ${B:-build}/test-logs"
echo "$p passed, $f failed"
[ "$rc" = 0 ] && [ "$f" = 0 ]
