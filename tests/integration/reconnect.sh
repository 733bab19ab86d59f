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
