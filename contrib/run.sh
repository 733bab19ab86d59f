#!/bin/sh
# `make run`: coremond in the foreground as a standalone agent on
# udp:127.0.0.1:1161, community "public" for localhost only.
B=${B:-build}
SHARED=${SHARED:-../shared}
run=$B/run
mkdir -p "$run/persist"
cat >"$run/coremon.conf" <<EOF2
# Written by make run.  See contrib/coremon.conf.example for every setting.
rocommunity public 127.0.0.1
sysLocation coremon make run
sampleInterval 5
# Every interface; the host database, archive and history database stay
# under $run.
captureInterface any
hostdbFile $(pwd)/$run/hostdb
archiveDir $(pwd)/$run/archive
historyDatabase $(pwd)/$run/history.sqlite
probe loopback 127.0.0.1
probe loopback6 ::1
EOF2

mibs="+$(pwd)/mibs"
[ -d "$SHARED/mibs" ] && mibs="$mibs:$(cd "$SHARED/mibs" && pwd)"
cat <<EOF2

coremond is starting on udp:127.0.0.1:1161 (community public, localhost only).
In another terminal, try:

  snmpwalk -v2c -c public -M $mibs -m +COREMON-MIB 127.0.0.1:1161 COREMON-MIB::coremonMIB
  snmptable -v2c -c public -M $mibs -m +COREMON-MIB -Cb 127.0.0.1:1161 COREMON-MIB::cmIfTable
  snmptable -v2c -c public -M $mibs -m +COREMON-MIB -Cb 127.0.0.1:1161 COREMON-MIB::cmHistoryTable
  snmptable -v2c -c public -M $mibs -m +COREMON-MIB -Cb -Ci 127.0.0.1:1161 COREMON-MIB::cmClientTable
  snmptable -v2c -c public -M $mibs -m +COREMON-MIB -Cb 127.0.0.1:1161 COREMON-MIB::cmSessionTopTable
  snmptable -v2c -c public -M $mibs -m +COREMON-MIB -Cb -Ci 127.0.0.1:1161 COREMON-MIB::cmHostTable
  snmptable -v2c -c public -M $mibs -m +COREMON-MIB -Cb 127.0.0.1:1161 COREMON-MIB::cmProbeTable

The history database (every closed window, kept across restarts):

  snmpwalk -v2c -c public -M $mibs -m +COREMON-MIB 127.0.0.1:1161 COREMON-MIB::cmHistoryDatabase
  sqlite3 $(pwd)/$run/history.sqlite 'SELECT * FROM windows ORDER BY start DESC LIMIT 5'

or, numerically, without any MIB file:

  snmpwalk -v2c -c public -On 127.0.0.1:1161 .1.3.6.1.4.1.8072.9999.9999.2611

Stop it with Ctrl-C.

EOF2
[ -d "$SHARED/mibs" ] || echo "(names need the IETF base MIBs: on Debian, package snmp-mibs-downloader)"
export SNMP_PERSISTENT_DIR="$(pwd)/$run/persist"
exec "$B/coremond" -f -C -c "$run/coremon.conf" -Le --standalone udp:127.0.0.1:1161
