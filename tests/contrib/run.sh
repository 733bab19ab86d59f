#!/bin/sh
# `make check-contrib`: every integration of contrib/ against the real tool
# (snmpd, systemd, Nagios' check_snmp, MRTG, snmp_exporter, Cacti, Zabbix),
# each against a real snmpd master with coremond attached, on loopback.
# Ends with "N passed, N failed"; logs in $B/test-logs/contrib-*.log.
# Each test prints "ok - ...", "not ok - ..." or "skip - ..." lines; a test
# that exits non-zero without a "not ok" line counts as one failure.
B=${B:-build}
SHARED=${SHARED:-../shared}
export B SHARED
log=$B/test-logs
mkdir -p "$log"
rm -f "$log"/contrib-*.log

if [ ! -x "$B/coremond" ] || [ ! -x "$B/tools/cmtraffic" ]; then
	echo "not ok - $B/coremond and $B/tools are built (run make first)"
	echo "0 passed, 1 failed"
	exit 1
fi

passed=0; failed=0; skipped=0
begin=$(date +%s)
for name in systemd snmpd nagios mrtg prometheus cacti zabbix; do
	t=tests/contrib/$name.sh
	[ -f "$t" ] || continue
	out=$log/contrib-$name.log
	start=$(date +%s)
	sh "$t" >"$out" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$out"); f=$(grep -c '^not ok ' "$out")
	s=$(grep -c '^skip ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc" >>"$out"; f=1
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	printf 'contrib/%-12s %4d passed %3d failed %3d skipped  %3ds\n' \
		"$name" "$p" "$f" "$s" $(($(date +%s) - start))
	if [ "$f" -ne 0 ]; then grep -E '^(not ok|#)' "$out" | head -40; fi
	grep '^skip ' "$out" | head -8
done
echo "logs in $log/contrib-*.log; $skipped skipped; $(($(date +%s) - begin))s in all"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
