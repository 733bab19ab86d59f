#!/bin/sh
# `make check-contrib`: every integration of contrib/ against the real tool
# (snmpd, systemd, Nagios' check_snmp, MRTG, snmp_exporter, Cacti, Zabbix),
# each against a real snmpd master with coremond attached, on loopback.
# Ends with "N passed, N failed"; logs in $B/test-logs/contrib-*.log.
# tests/runner.sh runs each test and counts its ok/not ok/skip lines.
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

. tests/runner.sh
begin=$(date +%s)
for name in systemd snmpd nagios mrtg prometheus cacti zabbix; do
	t=tests/contrib/$name.sh
	[ -f "$t" ] && run_one "contrib/$name" sh "$t"
done
echo "logs in $log/contrib-*.log; $skipped skipped; $(($(date +%s) - begin))s in all"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
