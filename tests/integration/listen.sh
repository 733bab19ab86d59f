#!/bin/sh
# cmListenTable and cmListenQueueFull over a real listener: listen(1), no
# accept(), flooded by 30 clients.  Its queue and backlog equal ss -ltn's
# Recv-Q and Send-Q, its owner is the listening process (pid from the
# shell, unit from /proc/PID/cgroup read here), its attributed overflows
# and drops equal the growth of /proc/net/netstat's TcpExt ListenOverflows
# and ListenDrops over the flood (the only listener that overflows on
# this host while it runs; another lane's test does not flood listeners),
# the notification arrives at a real snmptrapd and clears once accepting
# resumes, and cmListenAccepted equals the connections the process
# accepted.
. tests/lib.sh

start_trapd
PORT=$(free_port)
cat >"$T/coremon.conf" <<EOC
rocommunity public 127.0.0.1
trap2sink 127.0.0.1:$TPORT public
connRefresh 1
notifyHoldDown 0
listenQueueThreshold 100
EOC
start_coremond "$T/coremon.conf" --standalone "udp:127.0.0.1:$PORT"
check "coremond serves" wait_for "$PORT" "$CM.1.1.0" 10

# An address of our own in 127/8, so another lane's listeners never mix in.
ADDR=127.$(shuf -i 1-254 -n 1).$(shuf -i 1-254 -n 1).$(shuf -i 2-254 -n 1)
A=$(echo "$ADDR" | tr . ' ')
$B/tools/cmlisten listen "$ADDR" 1 "$T/accepted" >"$T/listen.out" 2>&1 &
LPID=$!; PIDS="$PIDS $LPID"
n=0; until grep -q port "$T/listen.out" || [ $n -gt 50 ]; do sleep 0.1; n=$((n+1)); done
LPORT=$(awk '/^port/ { print $2 }' "$T/listen.out")
check "the listener listens on $ADDR:$LPORT" test -n "$LPORT"
ROW="1.4.$(echo "$A" | tr ' ' .).$LPORT"	# ipv4, 4 octets, port
col() { get "$PORT" "$CM.3.4.1.$1.$ROW"; }
refreshes() { get "$PORT" "$CM.3.1.16.0"; }
# after_refreshes N: until N more refreshes were published.
after_refreshes() {
	r=$(refreshes); n=0
	until [ "$(refreshes)" -ge $((r + $1)) ] || [ $n -gt 100 ]; do
		sleep 0.2; n=$((n + 1)); done
}
# wait_col COL VALUE SECONDS
wait_col() {
	n=$(( $3 * 5 ))
	until [ "$(col "$1")" = "$2" ] || [ $n -le 0 ]; do sleep 0.2; n=$((n - 1)); done
	[ "$(col "$1")" = "$2" ]
}
netstat() { awk -v f="$1" '/^TcpExt:/ { if (!h) { for (i = 2; i <= NF; i++) k[i] = $i; h = 1 }
	else for (i = 2; i <= NF; i++) if (k[i] == f) print $i }' /proc/net/netstat; }

check "the listener has a row" wait_col 4 1 10
check "cmListenProcess is the listening process ($LPID)" test "$(col 5)" = "$LPID"
UNIT=$(sed -n 's/^0::\(.*\)/\1/p' "/proc/$LPID/cgroup" | tr / '\n' |
	grep -E '\.(service|scope)$' | tail -1)
check "cmListenUnit is its cgroup's unit (\"$UNIT\")" \
	test "$(col 7 | tr -d '"')" = "$UNIT"
check "an idle queue: 0 waiting" test "$(col 9)" = 0

# The baseline: no overflow attributed to it yet, /proc's counters now.
after_refreshes 1
O0=$(netstat ListenOverflows); D0=$(netstat ListenDrops)
check "no overflows attributed before the flood" test "$(col 15)" = 0
$B/tools/cmlisten connect "$ADDR" "$LPORT" 30 >"$T/flood.out" 2>&1 &
FPID=$!; PIDS="$PIDS $FPID"
check "the notification cmListenQueueFull arrives" wait_trap 15 1 15
names_it() { varbinds 15 | grep -qF "$CM.3.4.1.9.$ROW = Gauge32: 2"; }
check "it names this listener, its queue 2 over a backlog of 1" names_it
# Stop the flood: closed SYN-SENT sockets send nothing more, so /proc's
# counters stop; the queue stays full (nobody accepts).
n=0; until [ "$(netstat ListenOverflows)" -gt "$O0" ] || [ $n -gt 50 ]; do sleep 0.2; n=$((n+1)); done
kill "$FPID"; wait "$FPID" 2>/dev/null
after_refreshes 2
O1=$(netstat ListenOverflows); D1=$(netstat ListenDrops)
Q=$(ss -Hltn "src $ADDR:$LPORT" | awk '{ print $2 }')
S=$(ss -Hltn "src $ADDR:$LPORT" | awk '{ print $3 }')
check "cmListenQueue equals ss -ltn Recv-Q ($Q)" test "$(col 9)" = "$Q"
check "cmListenBacklog equals ss -ltn Send-Q ($S)" test "$(col 10)" = "$S"
check "the queue is full: Recv-Q $Q over Send-Q $S" test "$Q" -gt "$S"
check "cmListenOverflows equals TcpExt ListenOverflows' growth ($((O1 - O0)))" \
	test "$(col 15)" = "$((O1 - O0))" -a "$((O1 - O0))" -gt 0
check "cmListenDrops equals TcpExt ListenDrops' growth ($((D1 - D0)))" \
	test "$(col 16)" = "$((D1 - D0))"

# Accepting resumes: the queue drains, the clear arrives, and what was
# accepted (the queued ones, then 5 new connections) is counted.
kill -USR1 "$LPID"
check "cmListenQueueFullCleared arrives when accepting resumes" wait_trap 16 1 15
$B/tools/cmlisten connect "$ADDR" "$LPORT" 5 >"$T/more.out" 2>&1 &
PIDS="$PIDS $!"
n=0; until [ "$(cat "$T/accepted")" -ge 7 ] || [ $n -gt 50 ]; do sleep 0.2; n=$((n+1)); done
ACC=$(cat "$T/accepted")
check "cmListenAccepted equals the connections accepted ($ACC)" wait_col 13 "$ACC" 10
check "the queue is empty again" test "$(col 9)" = 0
exit 0
