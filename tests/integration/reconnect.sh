# The master restarts while coremond runs: within agentxPingInterval + 5 s
# coremond's rows are served again, with no manual step.
. tests/lib.sh

PORT=$(free_port)
start_master "$PORT" || { notok "snmpd master starts"; exit 1; }
printf 'agentXSocket %s\nagentxPingInterval 2\nsampleInterval 1\n' "$T/agentx.sock" >"$T/coremon.conf"
start_coremond "$T/coremon.conf"
LO=$(cat /sys/class/net/lo/ifindex)
check "coremond serves through the master" wait_for "$PORT" "$CM.2.1.1.2.$LO" 10

kill "$MASTER_PID"; wait "$MASTER_PID" 2>/dev/null
sleep 1
check "coremond survives the master going away" kill -0 "$CM_PID"
start_master "$PORT" || notok "snmpd restarts"
check "rows are back within agentxPingInterval + 5 s of the restart" wait_for "$PORT" "$CM.2.1.1.2.$LO" 7
check "coremond is still the same process" kill -0 "$CM_PID"

# agentx_queued PID SECONDS: until a connection to PID's AgentX socket has
# bytes PID has not read yet.
agentx_queued() {
	n=$(( $2 * 10 ))
	while [ "$n" -gt 0 ]; do
		ss -Hxp | grep "pid=$1," | awk '$2 == "ESTAB" && $3 > 0 { f = 1 }
		    END { exit !f }' && return 0
		sleep 0.1; n=$((n - 1))
	done
	return 1
}
# no_lock_complaint: none of net-snmp's callback-lock lines since coremond
# began to stop.  (A master that dies in the middle of a registration, not
# tested here, still makes net-snmp 5.9.3 log them: see coremond.c.)
no_lock_complaint() {
	sed -n '/coremond stopping/,$p' "$T/coremond.log" |
		grep -e '_callback_lock' -e 'lock_holded' >"$T/lock"
	sed 's/^/# /' "$T/lock"
	[ ! -s "$T/lock" ]
}

# The master goes away while coremond stops (both stopped or restarted
# together).  The master is frozen, so coremond's AgentX Close waits for its
# answer, and dies once that Close is queued to it: coremond sees the
# disconnect while it closes.  net-snmp 5.9.3 closes from its shutdown
# callback list; a disconnect there made it log "lock in _callback_lock
# sleeps more than 100 milliseconds in snmp_unregister_callback" and
# "netsnmp_assert lock_holded < 100 failed".
kill -STOP "$MASTER_PID"
kill "$CM_PID"
check "coremond writes to the frozen master as it stops" \
	agentx_queued "$MASTER_PID" 10
kill -9 "$MASTER_PID"; wait "$MASTER_PID" 2>/dev/null
wait "$CM_PID"; rc=$?
check "coremond exits 0 when the master goes away as it stops" [ "$rc" -eq 0 ]
check "net-snmp does not complain about its callback lock while coremond stops" \
	no_lock_complaint

# A master that is not there at start: coremond waits for it.
kill "$CM_PID"; kill "$MASTER_PID"; sleep 0.5
: >"$T/coremond.log"
start_coremond "$T/coremon.conf"
# Until it has tried the master (and failed), 30 s at most.
n=0; until grep -q 'Failed to connect' "$T/coremond.log" "$T/coremond.out" 2>/dev/null || [ $n -gt 150 ]; do sleep 0.2; n=$((n + 1)); done
check "coremond started without a master tried it and keeps running" \
	sh -c "grep -q 'Failed to connect' '$T/coremond.log' '$T/coremond.out' 2>/dev/null && kill -0 $CM_PID"
start_master "$PORT"
check "and registers once the master appears" wait_for "$PORT" "$CM.2.1.1.2.$LO" 7
