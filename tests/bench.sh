# make bench: performance figures, as ratios measured in one run where
# there is something to compare with.  Not a test: it prints figures.
#   BENCH_IDLE_SECONDS   how long to watch an idle coremond (default 120)
. tests/lib.sh

echo "# coremon bench on $(uname -r), $(nproc) cores, $(date -u +%FT%TZ)"

# 1. Idle coremond: CPU share and memory over BENCH_IDLE_SECONDS, default
#    configuration (sampleInterval 5), no polling.
IDLE=${BENCH_IDLE_SECONDS:-120}
PORT=$(free_port)
printf 'rocommunity public 127.0.0.1\n' >"$T/idle.conf"
start_coremond "$T/idle.conf" --standalone "udp:127.0.0.1:$PORT"
wait_for "$PORT" "$CM.1.1.0" 10 >/dev/null
sleep 5
tck=$(getconf CLK_TCK)
t0=$(awk '{print $14 + $15}' /proc/$CM_PID/stat); r0=$(awk '/VmRSS/ {print $2}' /proc/$CM_PID/status)
sleep "$IDLE"
t1=$(awk '{print $14 + $15}' /proc/$CM_PID/stat); r1=$(awk '/VmRSS/ {print $2}' /proc/$CM_PID/status)
awk -v a="$t0" -v b="$t1" -v t="$tck" -v s="$IDLE" -v r0="$r0" -v r1="$r1" 'BEGIN {
	printf "idle coremond: %.3f%% of a core over %d s (%d ticks of 1/%d s); RSS %d kB -> %d kB\n",
		(b - a) / t / s * 100, s, b - a, t, r0, r1 }'
kill "$CM_PID"; wait "$CM_PID" 2>/dev/null

# 2. A full walk of cmTraffic through the AgentX master, against a walk of
#    snmpd's own IF-MIB ifTable+ifXTable over the same master, same tool.
start_master "$PORT" >/dev/null || exit 1
printf 'agentXSocket %s\n' "$T/agentx.sock" >"$T/sub.conf"
start_coremond "$T/sub.conf"
wait_for "$PORT" "$CM.1.1.0" 10 >/dev/null
walk_rate() {	# OID ROUNDS: varbinds per second of snmpbulkwalk
	s=$(date +%s.%N); n=0
	for i in $(seq "$2"); do n=$((n + $(walk "$PORT" "$1" | wc -l))); done
	e=$(date +%s.%N)
	awk -v n="$n" -v s="$s" -v e="$e" 'BEGIN { printf "%d %.0f", n, n / (e - s) }'
}
set -- $(walk_rate "$CM.2" 20); cm_n=$1; cm_r=$2
set -- $(walk_rate .1.3.6.1.2.1.2 20); if_n=$1; if_r=$2
set -- $(walk_rate .1.3.6.1.2.1.31.1.1 20); ifx_n=$1; ifx_r=$2
echo "walk of cmTraffic via AgentX: $cm_n varbinds in 20 walks, $cm_r varbinds/s"
echo "walk of snmpd's own ifTable:  $if_n varbinds, $if_r varbinds/s; ifXTable: $ifx_n varbinds, $ifx_r varbinds/s"
awk -v a="$cm_r" -v b="$if_r" 'BEGIN { printf "ratio cmTraffic/ifTable varbinds per second: %.2f\n", a / b }'
slow=$(grep -c 'a request took' "$T/coremond.log")
echo "requests over 50 ms in coremond: $slow"

# 3. Connections.  Refresh cost from the core alone (bench_conntab), then a
#    GETBULK walk of one cmConnTable column through the master against a
#    walk of TCP-MIB::tcpConnectionState served by snmpd's own code running
#    as a second AgentX subagent (snmpd -X -I tcpConnectionTable) of the
#    same master, over the same connections.
for n in ${BENCH_CONNS:-10000 50000}; do
	$B/tools/bench_conntab "$n" 5 | sed 's/^/  /'
done
kill "$CM_PID" "$MASTER_PID" 2>/dev/null; wait "$CM_PID" "$MASTER_PID" 2>/dev/null
# The master must not serve tcpConnectionTable itself, or snmpd -X would
# never be asked.
start_master "$PORT" -I -tcpConnectionTable >/dev/null || exit 1
printf 'agentXSocket %s\nconnRefresh 5\nconnProcesses no\n' "$T/agentx.sock" >"$T/conn.conf"
start_coremond "$T/conn.conf"
snmpd -f -X -C -I tcpConnectionTable -x "$T/agentx.sock" -Lf "$T/snmpd-sub.log" \
	-p "$T/snmpd-sub.pid" >/dev/null 2>&1 &
SUB_PID=$!; PIDS="$PIDS $SUB_PID"
wait_for "$PORT" "$CM.3.1.12.0" 10 >/dev/null
cpu() { awk '{ print $14 + $15 }' /proc/$1/stat; }
# walk_cost OID PID: "ROWS SECONDS SUBAGENT-TICKS" of one walk
walk_cost() {
	c0=$(cpu "$2"); s=$(date +%s.%N)
	n=$(walk "$PORT" "$1" | wc -l)
	e=$(date +%s.%N); c1=$(cpu "$2")
	awk -v n="$n" -v s="$s" -v e="$e" -v t=$((c1 - c0)) 'BEGIN { printf "%d %.3f %d\n", n, e - s, t }'
}
for n in ${BENCH_WALK_CONNS:-10000}; do
	$B/tools/bench_conntab --hold "$n" >"$T/hold" &
	HPID=$!; PIDS="$PIDS $HPID"
	until grep -q ready "$T/hold" 2>/dev/null; do sleep 0.5; done
	sleep 7	# a refresh of coremond that sees them all
	: >"$T/walks"
	for r in 1 2 3 4 5; do	# alternate, so load drifts hit both alike
		echo "cm $(walk_cost "$CM.3.2.1.7" "$CM_PID")" >>"$T/walks"
		echo "tcp $(walk_cost .1.3.6.1.2.1.6.19.1.7 "$SUB_PID")" >>"$T/walks"
	done
	med() { awk -v k="$1" -v f="$2" '$1 == k { print $f }' "$T/walks" | sort -n | sed -n 3p; }
	echo "connections $n: cmConnState walk via AgentX: $(med cm 2) rows, median $(med cm 3) s, subagent CPU $(med cm 4) ticks"
	echo "connections $n: tcpConnectionState walk, snmpd -X subagent: $(med tcp 2) rows, median $(med tcp 3) s, subagent CPU $(med tcp 4) ticks"
	awk -v a="$(med cm 3)" -v b="$(med tcp 3)" 'BEGIN { printf "ratio of walk times tcpConnectionState/cmConnState: %.2f (target >= 1: coremond at least as fast)\n", b / a }'
	kill "$HPID"; wait "$HPID" 2>/dev/null
done
for n in ${BENCH_BIG_CONNS:-50000}; do
	$B/tools/bench_conntab --hold "$n" >"$T/hold" &
	HPID=$!; PIDS="$PIDS $HPID"
	until grep -q ready "$T/hold" 2>/dev/null; do sleep 0.5; done
	sleep 7
	echo "connections $n: cmConnState walk via AgentX: $(walk_cost "$CM.3.2.1.7" "$CM_PID") (rows, seconds, subagent CPU ticks)"
	kill "$HPID"; wait "$HPID" 2>/dev/null
done
echo "requests over 50 ms in coremond: $(grep -c 'a request took' "$T/coremond.log")"
grep 'a request took' "$T/coremond.log" | head -3 | sed 's/^/  /'

# 4. Capture (issue 4).  A deterministic capture made here (mkpcap: 5
#    million packets, ~345,000 remote addresses, heavy-tailed flows,
#    bimodal sizes, IPv6, 802.1Q and QinQ, fragments), replayed by
#    coremon's pipeline (capture_replay: read + decode + sessions + window
#    ranking) against a bare libpcap loop reading the same file: CPU
#    medians of alternate rounds, and their ratio.  Then a flood of new
#    source addresses against maxSessions, and live capture on lo while
#    one sender pushes small UDP datagrams as fast as it can.  The daemons
#    of section 3 are stopped first so they do not share the cores.
kill "$CM_PID" "$MASTER_PID" "$SUB_PID" 2>/dev/null
wait "$CM_PID" "$MASTER_PID" "$SUB_PID" 2>/dev/null
$B/tools/mkpcap "$T/capture.pcap" "${BENCH_CAPTURE_PACKETS:-5000000}" | sed 's/^/  /'
$B/tools/mkpcap -f "$T/flood.pcap" | sed 's/^/  /'
$B/tools/bench_capture -r "${BENCH_CAPTURE_ROUNDS:-5}" "$T/capture.pcap" "$T/flood.pcap"
rm -f "$T/capture.pcap" "$T/flood.pcap"
$B/tools/bench_livecap "${BENCH_LIVE_SECONDS:-10}"

# 5. Host database (issue 5).  bench_hostdb's figures: memory a host,
#    fold + publish of a window, save and load, for 1,000,000 hosts.  Then
#    a GETBULK walk of cmHostTable with over 100,000 hosts through the
#    AgentX master: coremond replays mkpcap's mix (1,000,000 packets,
#    118,398 remote addresses) into one window, and the walks of one
#    cmHostTable column and of cmHostServiceTable's first column are timed;
#    coremond logs every handler over 50 ms ("a request took").
$B/tools/bench_hostdb "${BENCH_HOSTS:-1000000}" | sed 's/^/  /'
$B/tools/mkpcap "$T/hosts.pcap" "${BENCH_HOST_PACKETS:-1000000}" | sed 's/^/  /'
PORT=$(free_port)
start_master "$PORT" >/dev/null || exit 1
cat >"$T/hosts.conf" <<EOC
agentXSocket $T/agentx.sock
localNet 10.1.0.0/24 2001:db8:1::/64
windowInterval 86400
maxSessions 1000000
maxHosts 200000
hostdbFile $T/hosts.hostdb
archiveDir $T/hosts.archive
EOC
[ -f "$T/coremond.log" ] && mv "$T/coremond.log" "$T/coremond-before-hosts.log"
start_coremond "$T/hosts.conf" -r "$T/hosts.pcap"
s=$(date +%s.%N); n=0
until [ "$(get "$PORT" "$CM.1.7.0")" = 4 ] && [ "$(get "$PORT" "$CM.6.1.0")" -ge 100000 ] 2>/dev/null; do
	[ $n -lt 300 ] || { echo "# coremond did not finish the replay with 100,000 hosts"; break; }
	sleep 0.2; n=$((n + 1))
done
hosts=$(get "$PORT" "$CM.6.1.0")
awk -v s="$s" -v e="$(date +%s.%N)" -v h="$hosts" 'BEGIN {
	printf "replay of the capture: %d hosts in cmHostEntries after %.1f s\n", h, e - s }'
rm -f "$T/hosts.pcap"
# walk_time OID: "ROWS SECONDS VARBINDS/S SUBAGENT-TICKS" of one walk
walk_time() {
	c0=$(cpu "$CM_PID"); s=$(date +%s.%N)
	n=$(walk "$PORT" "$1" | wc -l)
	e=$(date +%s.%N); c1=$(cpu "$CM_PID")
	awk -v n="$n" -v s="$s" -v e="$e" -v t=$((c1 - c0)) 'BEGIN {
		printf "%d %.2f %.0f %d", n, e - s, n / (e - s), t }'
}
set -- $(walk_time "$CM.6.15.1.9")
echo "cmHostTotalOctets walk via AgentX (GETBULK, 50 repetitions): $1 rows of $hosts hosts in $2 s, $3 varbinds/s; coremond CPU $4 ticks"
set -- $(walk_time "$CM.6.16.1.1")
echo "cmHostServiceInOctets walk via AgentX: $1 rows in $2 s, $3 varbinds/s; coremond CPU $4 ticks"
slowest=$(sed -n 's/.*a request took \([0-9]*\) ms.*/\1/p' "$T/coremond.log" | sort -n | tail -1)
echo "requests over 50 ms in coremond since it started (the replay, both walks): $(grep -c 'a request took' "$T/coremond.log")${slowest:+ (the slowest $slowest ms)}"
kill "$CM_PID" "$MASTER_PID" 2>/dev/null; wait "$CM_PID" "$MASTER_PID" 2>/dev/null
