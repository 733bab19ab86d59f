# cmHistoryDown, cmHistoryDropped and their clears end to end: a real
# snmptrapd is the master's trap2sink.  The SQLite file's directory is at
# first a regular file (the database cannot be opened) and so is the
# spool's (windows cannot wait: they are dropped); then the database's
# is made a directory (it can be written again).
. tests/lib.sh

H=$CM.11				# cmHistoryDatabase
start_trapd
PORT=$(free_port)
MASTER_EXTRA="trap2sink 127.0.0.1:$TPORT public"
start_master "$PORT" || { notok "snmpd master starts"; exit 1; }

: >"$T/db"	# a file where the database's directory should be
: >"$T/spool"	# and where the spool's should be
cat >"$T/coremon.conf" <<EOC
agentXSocket $T/agentx.sock
captureInterface lo
windowInterval 1
hostdbFile $T/hostdb
archiveDir $T/archive
historyDatabase $T/db/history.sqlite
historySpoolDir $T/spool
notifyHoldDown 5
EOC
start_coremond "$T/coremon.conf"
check "coremond serves through the master" wait_for "$PORT" "$CM.1.1.0" 10
# Windows to write: lo carries what cmtraffic sends, a window a second.
$B/tools/cmtraffic tcp 20000 3 >/dev/null

check "a database that cannot be opened raises cmHistoryDown" wait_trap 13 1 20
v=$(varbinds 13)
check "cmHistoryDown carries kind sqlite(2), the target and state spooling(3) or failed(4)" \
	sh -c "echo '$v' | grep -q '$H.1.0 = INTEGER: 2' &&
	    echo '$v' | grep -qF '$H.3.0 = STRING: \"$T/db/history.sqlite\"' &&
	    echo '$v' | grep -Eq '$H.2.0 = INTEGER: (3|4)'"
check "cmHistoryLastError says why ($(get "$PORT" "$H.12.0"))" \
	test -n "$(get "$PORT" "$H.12.0" | tr -d '"')"
check "windows that can neither be written nor spooled raise cmHistoryDropped" \
	wait_trap 11 1 20
v=$(varbinds 11)
check "cmHistoryDropped carries cmHistoryDroppedWindows > 0" \
	sh -c "echo '$v' | grep -Eq '$H.10.0 = Counter32: [1-9]'"

rm "$T/db"; mkdir "$T/db"
$B/tools/cmtraffic tcp 20000 5 >/dev/null &
PIDS="$PIDS $!"
check "once it can be written, cmHistoryUp" wait_trap 14 1 60
v=$(varbinds 14)
check "cmHistoryUp carries state ok(2)" \
	sh -c "echo '$v' | grep -q '$H.2.0 = INTEGER: 2'"
check "cmHistoryWindowsWritten grows ($(get "$PORT" "$H.5.0"))" \
	test "$(get "$PORT" "$H.5.0")" -gt 0
check "a window interval with no window dropped: cmHistoryDroppedCleared" \
	wait_trap 12 1 30
check "one cmHistoryDropped in all ($(traps 11)): it held while windows were dropped" \
	test "$(traps 11)" = 1
check "coremond logged no warning while sending them" test -z "$(grep -i 'send_trap' "$T/coremond.log")"
