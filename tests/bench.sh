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

# 6. History database (issue 12).  (a) The writer's time for one window of
#    200,000 sessions and 100,000 hosts (bench_histdb; target under
#    200 ms).  (b) Whole coremond replays of the benchmark capture
#    (3,000,000 packets) with the history database off and on, alternate
#    rounds, process CPU until the history has every window: medians and
#    their ratio (target within 5%).  (c) Growth a day, from databases
#    generated by SQL with coremond's schema: 2,880 windows of 30 s a day
#    (8 services, the top 100 sessions, one probe each) and 1,000 or
#    100,000 hosts a day (1.5 services each).  (d) The reports' main
#    queries on 31 such days with 10,000 hosts a day (target under 1 s).
$B/tools/bench_histdb | sed 's/^/  /'
$B/tools/mkpcap "$T/hist.pcap" "${BENCH_HIST_PACKETS:-3000000}" | sed 's/^/  /'
PORT=$(free_port)
start_master "$PORT" >/dev/null || exit 1
H=$CM.11	# cmHistoryDatabase
# replay_cpu on|off: coremond's CPU ticks for the whole replay (and, on,
# until cmHistoryWindowsWritten stops moving)
replay_cpu() {
	rm -rf "$T/h.db" "$T/h.db-wal" "$T/h.db-shm" "$T/history-spool" "$T/h.archive" "$T/h.hostdb"
	cat >"$T/h.conf" <<EOC
agentXSocket $T/agentx.sock
localNet 10.1.0.0/24 2001:db8:1::/64
maxSessions 1000000
maxHosts 200000
hostdbFile $T/h.hostdb
archiveDir $T/h.archive
historyDatabase $([ "$1" = on ] && echo "$T/h.db" || echo none)
EOC
	start_coremond "$T/h.conf" -r "$T/hist.pcap"
	n=0
	until [ "$(get "$PORT" "$CM.1.7.0")" = 4 ] || [ $n -gt 1500 ]; do sleep 0.2; n=$((n + 1)); done
	if [ "$1" = on ]; then
		last=-1; w=$(get "$PORT" "$H.5.0")
		while [ "$w" != "$last" ]; do last=$w; sleep 2; w=$(get "$PORT" "$H.5.0"); done
		echo "$w" >"$T/h.windows"
	fi
	# all but the history writer's thread (the capture pipeline and the
	# agent), then the writer's
	all=$(cpu "$CM_PID"); wr=0
	for d in /proc/$CM_PID/task/*; do
		[ "$(cat "$d/comm")" = cmhistory ] && wr=$(awk '{ print $14 + $15 }' "$d/stat")
	done
	echo "$((all - wr)) $wr"
	kill "$CM_PID"; wait "$CM_PID" 2>/dev/null
}
: >"$T/h.cpu"
for r in $(seq "${BENCH_HIST_ROUNDS:-3}"); do
	echo "off $(replay_cpu off)" >>"$T/h.cpu"
	echo "on $(replay_cpu on)" >>"$T/h.cpu"
done
hmed() { awk -v k="$1" -v f="$2" '$1 == k { print $f }' "$T/h.cpu" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
off=$(hmed off 2); on=$(hmed on 2); wr=$(hmed on 3)
echo "replay of the capture, coremond CPU but the history writer's (median of ${BENCH_HIST_ROUNDS:-3} alternate rounds): history off $off ticks, on $on ticks; ratio on/off $(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.3f", a / b }') (target <= 1.05)"
echo "  the history writer thread besides: $wr ticks for $(cat "$T/h.windows") windows written"
kill "$MASTER_PID" 2>/dev/null; wait "$MASTER_PID" 2>/dev/null

# The same replay counted in instructions (callgrind, one file a thread):
# repeatable whatever else the machine does, where the ticks above move
# by more than the 5% they judge.  Both runs at once, standalone.  What
# instructions do not show: the writer's cache and memory traffic beside
# the capture thread.
# replay_instr on|off: "ALL-BUT-WRITER WRITER" instructions
replay_instr() {
	d=$T/cg-$1; rm -rf "$d"; mkdir -p "$d"
	sed -e "s|$T/h\.|$d/h.|g" -e '/^agentXSocket/d' "$T/h.conf" |
		sed "s|^historyDatabase .*|historyDatabase $([ "$1" = on ] && echo "$d/h.db" || echo none)|" >"$d/c.conf"
	printf 'rocommunity public 127.0.0.1\n' >>"$d/c.conf"
	p=$(free_port)
	valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$d/cg" \
		"$COREMOND" -f -C -c "$d/c.conf" -Lf "$d/log" --standalone "udp:127.0.0.1:$p" \
		-r "$T/hist.pcap" >"$d/out" 2>&1 &
	vp=$!
	n=0
	until [ "$(snmpget -v2c -c public -r0 -t5 -Ovq "127.0.0.1:$p" "$CM.1.7.0" 2>/dev/null)" = 4 ] ||
		[ $n -gt 900 ]; do sleep 1; n=$((n + 1)); done
	if [ "$1" = on ]; then
		last=-1; w=x
		while [ "$w" != "$last" ]; do
			last=$w; sleep 10
			w=$(snmpget -v2c -c public -r0 -t5 -Ovq "127.0.0.1:$p" "$CM.11.5.0" 2>/dev/null)
		done
	fi
	kill "$vp"; wait "$vp" 2>/dev/null
	all=0; wr=0
	for f in "$d"/cg-*; do
		s=$(sed -n 's/^summary: //p' "$f")
		if grep -q 'histdb_writer$' "$f"; then wr=$((wr + s)); else all=$((all + s)); fi
	done
	echo "$all $wr" >"$d/instr"
}
if command -v valgrind >/dev/null && [ -f "$T/h.conf" ]; then
	replay_instr off & ip1=$!
	replay_instr on & ip2=$!
	wait "$ip1" "$ip2"
	read -r offi _ <"$T/cg-off/instr"; read -r oni wri <"$T/cg-on/instr"
	echo "the same replay in instructions (callgrind, every thread but the history writer's): off $offi, on $oni; ratio on/off $(awk -v a="$oni" -v b="$offi" 'BEGIN { printf "%.4f", a / b }') (target <= 1.05); the writer besides $wri"
	rm -rf "$T/cg-off" "$T/cg-on"
else
	echo "the same replay in instructions: skipped (no valgrind)"
fi
rm -f "$T/hist.pcap" "$T/h.db" "$T/h.db-wal" "$T/h.db-shm"

# gen_db FILE DAYS HOSTS: a history database of DAYS days from
# 2024-06-01 with HOSTS hosts a day, what coremond would write (agent
# "bench"); secondary indexes made after the rows (the same file, faster).
gen_db() {
	rm -f "$1" "$1-wal" "$1-shm"
	sed 's/--sqlite: //' contrib/history/schema.sql | sqlite3 "$1" || return 1
	for i in $(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"); do
		sqlite3 "$1" "DROP INDEX $i"
	done
	sqlite3 "$1" >/dev/null <<EOS || return 1
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -262144;
BEGIN;
WITH RECURSIVE w(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM w WHERE i < $2 * 2880 - 1)
INSERT INTO windows SELECT 'bench', 1717200000 + i * 30, 'eth0', 30,
	50000000 + i % 977 * 10007, 20000000 + i % 613 * 7919, 60000 + i % 331, 40000 + i % 211,
	3000 + i % 500, 100000 + i % 97, i % 3, 900 + i % 50 FROM w;
INSERT INTO window_services SELECT 'bench', start, s.name,
	octets_in / s.k, octets_out / s.k, packets_in / s.k, packets_out / s.k
	FROM windows, (SELECT 'www' AS name, 2 AS k UNION ALL SELECT 'dns', 50
	UNION ALL SELECT 'ssh', 20 UNION ALL SELECT 'mail', 10 UNION ALL SELECT 'smtp', 30
	UNION ALL SELECT 'imap', 40 UNION ALL SELECT 'ntp', 500 UNION ALL SELECT 'other', 8) s;
WITH RECURSIVE r(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM r WHERE k < 100)
INSERT INTO window_sessions SELECT 'bench', start, k, 6, '10.1.0.' || (k % 250 + 1),
	'198.51.' || ((start / 30 + k) % 256) || '.' || (k * 7 % 256), 443, 'www',
	5000000 / k, 400000 / k, 4000 / k + 1, 3000 / k + 1 FROM windows, r;
INSERT INTO window_probes SELECT 'bench', start, 'gateway', '10.1.0.1', 30, 30 - start % 2,
	800, 900 + start % 50, 1500 FROM windows;
WITH RECURSIVE d(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM d WHERE i < $2 - 1),
	h(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM h WHERE j < $3 - 1),
	s(name, m) AS (SELECT 'www', 1 UNION ALL SELECT 'dns', 2)
INSERT INTO day_hosts SELECT 'bench',
	CAST(strftime('%Y%m%d', 1717200000 + i * 86400, 'unixepoch') AS INTEGER),
	CASE WHEN j % 5 = 4 THEN printf('2001:db8:%x::%x', j / 65536, j % 65536)
	ELSE '100.' || (64 + j / 65536) || '.' || (j / 256 % 256) || '.' || (j % 256) END,
	s.name, 1000 + j * 7 % 100000, 500 + j * 13 % 50000, 10 + j % 100, 8 + j % 80,
	1717200000 + i * 86400 + j % 80000, 1717200000 + i * 86400 + 80000 + j % 6000, NULL
	FROM d, h, s WHERE j % s.m = 0;
COMMIT;
EOS
	sed 's/--sqlite: //' contrib/history/schema.sql | sqlite3 "$1" || return 1
	sqlite3 "$1" "PRAGMA journal_mode = WAL" >/dev/null
}
for h in 1000 100000; do
	gen_db "$T/g.db" 2 "$h" || { echo "# gen_db failed"; break; }
	awk -v s="$(stat -c %s "$T/g.db")" -v h="$h" -v r="$(sqlite3 "$T/g.db" "SELECT count(*) FROM day_hosts")" 'BEGIN {
		printf "history growth with %d hosts a day: %.1f MB a day (%d day_hosts rows a day)\n", h, s / 2 / 1e6, r / 2 }'
done
s=$(date +%s.%N)
gen_db "$T/g.db" 31 10000 || echo "# gen_db failed"
awk -v s="$s" -v e="$(date +%s.%N)" -v b="$(stat -c %s "$T/g.db")" 'BEGIN {
	printf "generated 31 days of 30 s windows, 10,000 hosts a day: %.0f MB in %.0f s\n", b / 1e6, e - s }'
# qtime NAME SQL: the query's wall time (median of 3, the first with a
# cold page cache of sqlite's own) and its row count
qtime() {
	for r in 1 2 3; do
		s=$(date +%s.%N); n=$(sqlite3 "$T/g.db" "$2" | wc -l); e=$(date +%s.%N)
		echo "$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }') $n"
	done | sort -n | sed -n 2p | { read -r t n; echo "history query, $1: $t s ($n rows; target under 1 s)"; }
}
qtime "a month of per-service totals" "SELECT service, sum(octets_in), sum(octets_out), sum(packets_in), sum(packets_out) FROM window_services WHERE start >= 1717200000 AND start < 1717200000 + 31 * 86400 GROUP BY service ORDER BY 2 DESC"
qtime "a day of per-window load" "SELECT start, sum(octets_in), sum(octets_out), sum(sessions) FROM windows WHERE start >= 1717200000 + 14 * 86400 AND start < 1717200000 + 15 * 86400 GROUP BY start ORDER BY start"
qtime "a host's month" "SELECT day, service, octets_in, octets_out, first_seen, last_seen FROM day_hosts WHERE addr = '100.64.12.34' AND day BETWEEN 20240601 AND 20240701 ORDER BY day, service"
qtime "a day's top 10 hosts" "SELECT addr, sum(octets_in + octets_out) AS o FROM day_hosts WHERE day = 20240615 GROUP BY addr ORDER BY o DESC LIMIT 10"

# 7. coremon-report (issue 13) over the same 31 days (2,880 windows of 30 s
#    a day, the top 100 sessions each, 10,000 hosts a day): the whole
#    site's wall time and size (targets under 60 s and under 20 MB), and
#    per unit: time a day of the period, size a day page.
rm -rf "$T/site"
s=$(date +%s.%N)
if $B/coremon-report --db "$T/g.db" --out "$T/site" 2>"$T/report.err"; then
	e=$(date +%s.%N)
	awk -v s="$s" -v e="$e" -v b="$(du -sb "$T/site" | cut -f1)" -v n="$(ls "$T/site" | wc -l)" \
		-v d="$(stat -c %s "$T/site/day-2024-06-15.html")" -v j="$(stat -c %s "$T/site/hosts.json")" 'BEGIN {
		printf "coremon-report, 31 days x 2,880 windows x 10,000 hosts a day: %d files, %.1f MB in %.1f s (targets under 20 MB, under 60 s)\n", n, b / 1e6, e - s
		printf "  %.2f s a day of the period; a day page %.0f kB, hosts.json %.0f kB\n", (e - s) / 31, d / 1e3, j / 1e3 }'
else
	echo "# coremon-report failed: $(cat "$T/report.err")"
fi
rm -rf "$T/site"
rm -f "$T/g.db" "$T/g.db-wal" "$T/g.db-shm"

# 8. coremon-top (issue 14).  One refresh of every view -- link and the
#    hour of history, sessions, hosts, clients, probes -- through the
#    AgentX master, with a window of more than 1,000 sessions and
#    topSessions 1000 (mkpcap's mix replayed) and N connections held by
#    bench_conntab (both ends local: N pairs are 2 N rows of cmConnTable);
#    then the same with one client's connections shown (-C: one walk of
#    the client's prefix of cmClientConnTable).  `coremon-top -b -n 1`, start-up included: wall time
#    (target under 1 s) and its own CPU, user + system (target under
#    100 ms); medians of 5 runs, alternated.
PORT=$(free_port)
start_master "$PORT" >/dev/null || exit 1
$B/tools/mkpcap "$T/top.pcap" 200000 >/dev/null
printf 'agentXSocket %s\nconnRefresh 5\nwindowInterval 86400\ntopSessions 1000\nlocalNet 10.1.0.0/24 2001:db8:1::/64\nhostdbFile %s\narchiveDir %s\nsampleInterval 5\n' \
	"$T/agentx.sock" "$T/top.hostdb" "$T/top.archive" >"$T/top.conf"
start_coremond "$T/top.conf" -r "$T/top.pcap"
wait_for "$PORT" "$CM.1.1.0" 10 >/dev/null
until_ok 60 sh -c "[ \"\$(snmpget -v2c -c public -Oqv 127.0.0.1:$PORT $CM.1.7.0 2>/dev/null)\" = 4 ]"
# top_run KEY ARGS...: "KEY WALL-SECONDS CPU-MS" of one coremon-top -b -n 1
top_run() {
	k=$1; shift; s=$(date +%s.%N)
	# times: the shell's, then its children's user and system time.
	c=$(sh -c "$B/coremon-top -b -n 1 $* 127.0.0.1:$PORT >'$T/top.out.$k' 2>&1; times" | tail -1)
	echo "$c" | awk -v k="$k" -v s="$s" -v e="$(date +%s.%N)" '{ split($1, u, /[ms]/); split($2, y, /[ms]/)
		printf "%s %.3f %.0f\n", k, e - s, (u[1] * 60 + u[2] + y[1] * 60 + y[2]) * 1000 }'
}
rows() { sed -n "/^== $2/,/^== /p" "$T/top.out.$1" | grep -c -E "$3"; }
for n in ${BENCH_TOP_PAIRS:-5000 10000}; do
	$B/tools/bench_conntab --hold "$n" >"$T/hold" &
	HPID=$!; PIDS="$PIDS $HPID"
	until grep -q ready "$T/hold" 2>/dev/null; do sleep 0.5; done
	sleep 7	# a refresh of coremond that sees them all
	: >"$T/top.runs"
	for r in 1 2 3 4 5; do
		top_run views >>"$T/top.runs"
		top_run client -C 127.0.0.2 >>"$T/top.runs"
	done
	med() { awk -v k="$1" -v f="$2" '$1 == k { print $f }' "$T/top.runs" | sort -n | sed -n 3p; }
	echo "coremon-top, $(get "$PORT" "$CM.3.1.12.0") rows of cmConnTable, $(get "$PORT" "$CM.3.1.13.0") clients, $(rows views Sessions '^ *[0-9]+ ') sessions, $(rows views Hosts '^ *[0-9]+ ') hosts:"
	echo "  every view: median wall $(med views 2) s (target under 1 s), own CPU $(med views 3) ms (target under 100 ms)"
	echo "  every view and the $(rows client Connections '^127\.') connections of client 127.0.0.2: median wall $(med client 2) s, own CPU $(med client 3) ms"
	kill "$HPID"; wait "$HPID" 2>/dev/null
done
kill "$CM_PID" "$MASTER_PID" 2>/dev/null; wait "$CM_PID" "$MASTER_PID" 2>/dev/null

# 9. The whole coremond against a bare libpcap read and against softflowd,
#    pmacctd and darkstat on one generated capture (issue 15):
#    tests/bench_whole.sh, which also runs alone.
. tests/bench_whole.sh
