#!/bin/sh
# cmProcessTable: which process moved the bytes.  In a network namespace
# of its own (nothing else's connections mix in), a sink S and two
# clients: A opens 2 connections and sends 100,000 bytes on each, and
# keeps them; B does the same, then -- after a refresh has seen its
# connections -- sends 200,000 more on each and closes them, all before
# the next refresh.  B's last stretch is known to coremond only from the
# kernel's destroyed-socket notices.  Each process's octets must equal
# what it sent and received: the payload, plus one octet for each SYN of
# a connection it opened and each FIN it sent (and a FIN received, when
# the kernel counts it), as the kernel counts them (tcpi_bytes_acked,
# tcpi_bytes_received); and the same
# figures from ss itself: ss -ti over A's open sockets, ss -tiE (the
# destroyed sockets, as the kernel reported them) over B's.  With capture
# on the namespace's lo and 1 s windows, the history database's
# window_processes rows of each process add up to the same totals (SQL
# over the SQLite file), and no row is of a process that moved nothing.
# Needs root and ip netns; skips otherwise.
. tests/lib.sh

what="cmProcessTable in a network namespace"
in_own_netns "$what"
PORT=$(free_port)
cat >"$T/coremon.conf" <<EOC
rocommunity public 127.0.0.1
connRefresh 1
captureInterface lo
windowInterval 1
historyDatabase $T/history.sqlite
EOC
start_coremond "$T/coremon.conf" --standalone "udp:127.0.0.1:$PORT"
check "coremond serves in the namespace" wait_for "$PORT" "$CM.1.1.0" 10
check "it receives destroyed-socket notices (cmConnClosedTracking true)" \
	test "$(get "$PORT" "$CM.3.1.24.0")" = 1

stdbuf -oL ss -tinE "src 127.0.0.3" >"$T/destroyed" 2>&1 &
EPID=$!; PIDS="$PIDS $EPID"
$B/tools/cmlisten sink 127.0.0.1 7200 >"$T/sink.out" 2>&1 &
SPID=$!; PIDS="$PIDS $SPID"
n=0; until grep -qs listening "$T/sink.out" || [ $n -gt 50 ]; do sleep 0.1; n=$((n+1)); done
$B/tools/cmlisten push 127.0.0.2 127.0.0.1 7200 2 100000 >"$T/a.out" 2>&1 &
APID=$!; PIDS="$PIDS $APID"
$B/tools/cmlisten push 127.0.0.3 127.0.0.1 7200 2 100000 200000 >"$T/b.out" 2>&1 &
BPID=$!; PIDS="$PIDS $BPID"
n=0; until grep -qs sent "$T/a.out" && grep -qs sent "$T/b.out" || [ $n -gt 50 ]; do
	sleep 0.1; n=$((n+1)); done

refreshes() { r=$(get "$PORT" "$CM.3.1.16.0"); echo "${r:-0}"; }
after_refreshes() {
	r=$(refreshes); n=0
	until [ "$(refreshes)" -ge $((r + $1)) ] || [ $n -gt 50 ]; do
		sleep 0.1; n=$((n + 1)); done
}
pcol() { v=$(get "$PORT" "$CM.3.6.1.$1.$2"); echo "${v:-none}"; }
after_refreshes 2
check "a refresh saw B's 2 connections (cmProcessConnections)" \
	test "$(pcol 5 "$BPID")" = 2
# B's second stretch and its close, timed to fall between two refreshes:
# right after one was published.
after_refreshes 1
kill -USR1 "$BPID"
n=0; until grep -qs closed "$T/b.out" || [ $n -gt 50 ]; do sleep 0.1; n=$((n+1)); done
after_refreshes 2
check "B's process still has its row, with no connection left" \
	test "$(pcol 5 "$BPID")" = 0
check "cmProcessClosedConns of B is 2" test "$(pcol 17 "$BPID")" = 2

# ss_sum FILTER FIELD [-E FILE]: sum of an ss -ti field.
ss_sum() { ss -tinH "$1" | tr ' \t' '\n\n' | awk -v f="$2:" 'index($0, f) == 1 { split($0, a, ":"); s += a[2] } END { print s + 0 }'; }
file_sum() { tr ' \t' '\n\n' <"$1" | awk -v f="$2:" 'index($0, f) == 1 { split($0, a, ":"); s += a[2] } END { print s + 0 }'; }
AO=$(ss_sum "src 127.0.0.2" bytes_acked) AI=$(ss_sum "src 127.0.0.2" bytes_received)
kill "$EPID"; wait "$EPID" 2>/dev/null
BO=$(file_sum "$T/destroyed" bytes_acked) BI=$(file_sum "$T/destroyed" bytes_received)

check "A sent 2 x 100,000 + 2 SYNs: cmProcessOutOctets $(pcol 10 "$APID"), ss -ti $AO" \
	test "$(pcol 10 "$APID")" = 200002 -a "$AO" = 200002
check "A received nothing: cmProcessInOctets $(pcol 9 "$APID"), ss -ti $AI" \
	test "$(pcol 9 "$APID")" = 0 -a "$AI" = 0
check "B sent 2 x 300,000 + 2 SYNs + 2 FINs, closed ones included: $(pcol 10 "$BPID"), ss -tiE $BO" \
	test "$(pcol 10 "$BPID")" = 600004 -a "$BO" = 600004
# The sink's FINs reach B's sockets after B closed them: counted in
# tcpi_bytes_received in FIN-WAIT-1, not in FIN-WAIT-2, as the race goes.
check "B received at most the sink's 2 FINs: $(pcol 9 "$BPID"), ss -tiE $BI" \
	test "$(pcol 9 "$BPID")" = "$BI" -a "$BI" -le 2
check "the sink received all 800,000 + B's 2 FINs: $(pcol 9 "$SPID")" \
	test "$(pcol 9 "$SPID")" = 800002
check "the sink sent its 2 FINs to B: $(pcol 10 "$SPID")" \
	test "$(pcol 10 "$SPID")" = 2
check "the sink's listener is counted (cmProcessListeners 1)" \
	test "$(pcol 8 "$SPID")" = 1
check "A still holds its 2 connections, both established" \
	test "$(pcol 5 "$APID")" = 2 -a "$(pcol 6 "$APID")" = 2

# The history: windows close as packets arrive (each query below is
# some), and each holds what the processes moved since the last one.
if ! command -v sqlite3 >/dev/null; then
	skip "window_processes: no sqlite3"; exit 0
fi
sql() { sqlite3 -cmd ".timeout 3000" "$T/history.sqlite" "$1" 2>/dev/null; }
hsum() { v=$(sql "SELECT sum($2) FROM window_processes WHERE pid = $1"); echo "${v:-0}"; }
# wait_hsum PID COLUMN VALUE: until the windows add up to VALUE.
wait_hsum() {
	n=50; until [ "$(hsum "$1" "$2")" = "$3" ] || [ $n -le 0 ]; do
		get "$PORT" "$CM.3.1.16.0" >/dev/null; sleep 0.2; n=$((n - 1)); done
	[ "$(hsum "$1" "$2")" = "$3" ]
}
check "window_processes: B's windows add up to what it sent, closed connections included (600004)" \
	wait_hsum "$BPID" octets_out 600004
check "window_processes: A's add up to 200002" wait_hsum "$APID" octets_out 200002
check "window_processes: the sink's add up to 800002 in" \
	wait_hsum "$SPID" octets_in 800002
check "window_processes: B's rows name it ($(sql "SELECT DISTINCT name FROM window_processes WHERE pid = $BPID"))" \
	test "$(sql "SELECT DISTINCT name FROM window_processes WHERE pid = $BPID")" = cmlisten
check "window_processes: no row of a process that moved nothing" \
	test "$(sql "SELECT count(*) FROM window_processes WHERE octets_in = 0 AND octets_out = 0")" = 0
check "window_processes: B's growth spans more than one window (the close came later)" \
	test "$(sql "SELECT count(*) FROM window_processes WHERE pid = $BPID")" -ge 2
exit 0
