# The SQLite history database as operators run it (issue 12): coremond -r
# replays Zeek captures, with one window and with many, and what the file
# holds -- per window, per service, per session and per day and host --
# equals tshark's figures for the same frames; the last window's top
# sessions equal cmSessionTopTable's; a probe's windows; a read-only
# directory and a full disk are counted and logged while capture goes
# on; a daemonized coremond under runAs owns its file; a kill -9 in the
# middle of a replay leaves a file that opens and holds a prefix of the
# windows.  The database is read with sqlite3(1) only.
. tests/lib.sh
. tests/history_lib.sh

Z=$SHARED/pcaps/zeek
H=$CM.11				# cmHistoryDatabase
[ -d "$Z" ] || { skip "history: $Z is absent"; exit 0; }
command -v sqlite3 >/dev/null || { skip "history: sqlite3 is absent (Debian package sqlite3)"; exit 0; }
command -v tshark >/dev/null || { skip "history: tshark is absent"; exit 0; }
MNTS=""
history_cleanup() {
	keep=${KEEP_TEST_DIR:-}
	KEEP_TEST_DIR=1; cleanup	# our processes gone, then the mounts
	for m in $MNTS; do umount "$m" 2>/dev/null; done
	[ -n "$keep" ] || rm -rf "$T"
	test_user_remove
}
trap history_cleanup EXIT

q() { sqlite3 "$1" "$2" 2>&1; }
gt() { [ -n "$1" ] && [ "$1" -gt "$2" ] 2>/dev/null; }

# start_replay NAME FILE EXTRA-CONF: coremond -r FILE, standalone, its
# history in $T/NAME.sqlite; sets PORT and CM_PID.
start_replay() {
	PORT=$(free_port)
	printf 'rocommunity public 127.0.0.1\nhostdbFile %s\narchiveDir %s\nhistoryDatabase %s\nhistoryAgent test-%s\n%s\n' \
		"$T/$1.hostdb" "$T/$1.archive" "${DB:-$T/$1.sqlite}" "$1" "$3" >"$T/$1.conf"
	start_coremond "$T/$1.conf" --standalone "udp:127.0.0.1:$PORT" -r "$2"
}
finished() { [ "$(get "$PORT" "$CM.1.7.0")" = 4 ]; }
# Every window closed is written or dropped: nothing left in the queue.
settled() {
	finished || return 1
	nw=$(get "$PORT" "$CM.5.1.0"); wr=$(get "$PORT" "$H.5.0"); dr=$(get "$PORT" "$H.10.0")
	[ -n "$nw" ] && [ -n "$wr" ] && [ $((wr + dr)) -ge "$nw" ]
}
stop() { kill "$CM_PID"; wait "$CM_PID" 2>/dev/null; }

# against_tshark NAME FILE LOCAL-AWK-REGEX LOCALNET INTERVAL: a replay
# whose history must equal tshark's figures.
against_tshark() {
	n=$1; f=$2; I=$5; db=$T/$n.sqlite
	tshark_sums "$n" "$f" "$3" "$I"
	start_replay "$n" "$f" "localNet $4
windowInterval $I
topSessions 1000
historyTopSessions 1000"
	until_ok 60 settled
	nw=$(get "$PORT" "$CM.5.1.0"); wr=$(get "$PORT" "$H.5.0"); dr=$(get "$PORT" "$H.10.0")
	check "$n: all $nw windows of the replay are written (cmHistoryWindowsWritten $wr, cmHistoryDroppedWindows $dr), $(wc -l <"$T/$n.ts.W") with frames" \
		test -n "$nw" -a "$wr" = "$nw" -a "$dr" = 0 -a "$(q "$db" 'SELECT count(*) FROM windows')" = "$nw"
	check "$n: one windows row a window, of source $f" \
		test "$(q "$db" "SELECT count(DISTINCT start), count(*), min(source), max(source) FROM windows")" = "$nw|$nw|$f|$f"
	check "$n: tshark sees no transit frame (neither end in $4)" test "$(cat "$T/$n.ts.transit")" = 0

	# Windows: octets and packets in and out, sessions, local octets.
	q "$db" "SELECT start - start % $I, octets_in, octets_out, packets_in, packets_out, sessions, local_octets
		FROM windows WHERE packets_in + packets_out + local_octets > 0" | tr '|' ' ' | sort >"$T/$n.db.W"
	if [ -s "$T/$n.db.W" ] && cmp -s "$T/$n.db.W" "$T/$n.ts.W"; then
		ok "$n: each window's octets and packets in and out, sessions and local octets equal tshark's ($(wc -l <"$T/$n.db.W") windows, $(awk '{ o += $2 + $3 } END { print o }' "$T/$n.db.W") octets)"
	else
		notok "$n: windows differ from tshark's (< sqlite, > tshark)"; diff "$T/$n.db.W" "$T/$n.ts.W" | head -8 | sed 's/^/# /'
	fi
	# Windows without frames: zero everywhere, and the windows are
	# contiguous, one interval apart after the first.
	check "$n: the windows without frames hold zeros (none in tshark's list above), starts one windowInterval apart" \
		test "$(q "$db" "SELECT count(*) = (max(start) - (min(start) - min(start) % $I)) / $I + 1
			AND sum(start % $I != 0) <= 1 FROM windows")" = 1

	# Services, per window.
	q "$db" "SELECT start - start % $I, service, octets_in, octets_out, packets_in, packets_out FROM window_services" |
		tr '|' ' ' | sort >"$T/$n.db.S"
	if [ -s "$T/$n.db.S" ] && cmp -s "$T/$n.db.S" "$T/$n.ts.S"; then
		ok "$n: each window's per-service octets and packets equal tshark's ($(wc -l <"$T/$n.db.S") rows, services $(awk '{ print $2 }' "$T/$n.db.S" | sort -u | tr '\n' ' '))"
	else
		notok "$n: per-service rows differ from tshark's"; diff "$T/$n.db.S" "$T/$n.ts.S" | head -8 | sed 's/^/# /'
	fi

	# Sessions: all of them (historyTopSessions 1000), per window.
	q "$db" "SELECT start - start % $I, proto, local_addr, remote_addr, port, service, octets_in, octets_out, packets_in, packets_out
		FROM window_sessions" | tr '|' ' ' | sort >"$T/$n.db.X"
	if [ -s "$T/$n.db.X" ] && cmp -s "$T/$n.db.X" "$T/$n.ts.X"; then
		ok "$n: each window's sessions (protocol, addresses, service port and service, octets and packets) equal tshark's ($(wc -l <"$T/$n.db.X") rows)"
	else
		notok "$n: window_sessions differ from tshark's"; diff "$T/$n.db.X" "$T/$n.ts.X" | head -8 | sed 's/^/# /'
	fi
	check "$n: ranks run 1.. by octets in + out, never rising" \
		test "$(q "$db" "SELECT count(*) FROM window_sessions a JOIN window_sessions b ON a.start = b.start AND b.rank = a.rank + 1
			WHERE a.octets_in + a.octets_out < b.octets_in + b.octets_out")|$(q "$db" "SELECT count(*) FROM (SELECT start, max(rank) m, count(*) c FROM window_sessions GROUP BY start) WHERE m != c")" = "0|0"

	# Per day, remote host and service.
	q "$db" "SELECT day, addr, service, octets_in, octets_out, packets_in, packets_out, first_seen, last_seen FROM day_hosts" |
		tr '|' ' ' >"$T/$n.db.H"
	bad=$(hosts_diff "$T/$n.ts.H" "$T/$n.db.H")
	check "$n: day_hosts (per UTC day, host and service: octets, packets, first and last seen) equal tshark's ($(wc -l <"$T/$n.db.H") rows, days $(awk '{ print $1 }' "$T/$n.db.H" | sort -u | tr '\n' ' '))" \
		test -s "$T/$n.db.H" -a -z "$bad"
	[ -z "$bad" ] || echo "$bad" | head -5 | sed 's/^/# /'

	# The last window's top sessions are what cmSessionTopTable serves.
	top_vs_mib "$n" "$db"
	stop
}

# top_vs_mib NAME DB: the last window's window_sessions rows equal
# cmSessionTopTable's rows, rank by rank.
top_vs_mib() {
	snmpbulkwalk -v2c -c public -On -Oq -Ox -Cr50 127.0.0.1:$PORT "$CM.5.18.1" 2>/dev/null |
	awk -v p="$CM.5.18.1." '{ s = substr($1, length(p) + 1); split(s, f, "."); v = $0; sub(/^[^ ]+ /, "", v); gsub(/[" ]/, "", v)
		val[f[2], f[1]] = v; r[f[2]] = 1 }
		END { for (k in r) print k, val[k, 2] + 0, val[k, 4], val[k, 5], val[k, 6] + 0, val[k, 9] + 0, val[k, 10] + 0, val[k, 11] + 0, val[k, 12] + 0 }' |
		sort -n >"$T/$1.mib.top"
	q "$2" "SELECT rank, proto, local_addr, remote_addr, port, octets_in, octets_out, packets_in, packets_out FROM window_sessions
		WHERE start = (SELECT max(start) FROM windows)" | tr '|' ' ' |
		while read -r r p l rm po a b c d; do echo "$r $p $(tohex "$l") $(tohex "$rm") $po $a $b $c $d"; done |
		sort -n >"$T/$1.db.top"
	if [ -s "$T/$1.db.top" ] && cmp -s "$T/$1.db.top" "$T/$1.mib.top"; then
		ok "$1: the last window's top sessions equal cmSessionTopTable's, rank by rank ($(wc -l <"$T/$1.db.top") rows)"
	else
		notok "$1: the last window's top sessions differ from cmSessionTopTable (< sqlite, > MIB)"
		diff "$T/$1.db.top" "$T/$1.mib.top" | head -6 | sed 's/^/# /'
	fi
}

# ---- 1. replays against tshark --------------------------------------------
# One window (a day), then many.
against_tshark pop3-1 "$Z/pop3_pop3.pcap" '^192[.]168[.]0[.]' 192.168.0.0/24 86400
against_tshark pop3-20 "$Z/pop3_pop3.pcap" '^192[.]168[.]0[.]' 192.168.0.0/24 20
against_tshark ftp6-5 "$Z/ftp_ipv6.pcap" '^2001:470:4867:99:' 2001:470:4867:99::/64 5
against_tshark ftp-1 "$Z/ftp_cwd-navigation.pcap" '^10[.]3[.]' 10.3.0.0/16 1
# Across midnight: two days of day_hosts.
editcap -t $(( $(date -u -d '2014-01-14 23:59:55' +%s) - $(date -u -d '2014-01-14 17:04:01' +%s) )) \
	"$Z/http_bro.org.pcap" "$T/midnight.pcap" 2>/dev/null
against_tshark midnight "$T/midnight.pcap" '^10[.]0[.]2[.]' 10.0.2.0/24 5
# Fewer top sessions than sessions: the window's first two, as
# cmSessionTopTable ranks them, and tshark's two biggest.
tshark_sums top2 "$Z/pop3_pop3.pcap" '^192[.]168[.]0[.]' 86400
start_replay top2 "$Z/pop3_pop3.pcap" "localNet 192.168.0.0/24
windowInterval 86400
topSessions 2
historyTopSessions 2"
until_ok 60 settled
top_vs_mib top2 "$T/top2.sqlite"
want=$(sort -k7,7nr -k8,8nr "$T/top2.ts.X" | awk '{ print $3, $4, $5, $7 + $8 }' | head -2)
got=$(q "$T/top2.sqlite" "SELECT local_addr, remote_addr, port, octets_in + octets_out FROM window_sessions ORDER BY rank")
check "top2: historyTopSessions 2 keeps tshark's two biggest sessions of $(wc -l <"$T/top2.ts.X"), in order" \
	test -n "$got" -a "$(echo "$got" | tr '|' ' ')" = "$want"
stop

# ---- 2. a probe: window_probes -----------------------------------------------
# Live on lo (packet time is the clock's, as the probes'), a probe of
# 127.0.0.1 every second, windows of 2 s.
PORT=$(free_port)
printf 'rocommunity public 127.0.0.1\ncaptureInterface lo\nwindowInterval 2\nhostdbFile %s\narchiveDir %s\nhistoryDatabase %s\nprobe p1 127.0.0.1 interval 1\n' \
	"$T/probe.hostdb" "$T/probe.archive" "$T/probe.sqlite" >"$T/probe.conf"
start_coremond "$T/probe.conf" --standalone "udp:127.0.0.1:$PORT"
db=$T/probe.sqlite
four() { [ "$(q "$db" 'SELECT count(*) FROM window_probes WHERE answered > 0')" -ge 4 ] 2>/dev/null; }
until_ok 40 four
# The file first: the counters only grow after it.
ps=$(q "$db" 'SELECT sum(sent), sum(answered) FROM window_probes')
sent=$(get "$PORT" "$CM.8.2.1.13.1"); replies=$(get "$PORT" "$CM.8.2.1.14.1")
stop
check "probe: a window_probes row for every window, probe p1 of 127.0.0.1 ($(q "$db" 'SELECT count(*) FROM window_probes') of $(q "$db" 'SELECT count(*) FROM windows') windows)" \
	test "$(q "$db" "SELECT count(*) FROM windows w JOIN window_probes p ON p.start = w.start AND p.agent = w.agent
		WHERE p.probe = 'p1' AND p.addr = '127.0.0.1'")" = "$(q "$db" 'SELECT count(*) FROM windows')" -a \
	"$(q "$db" 'SELECT count(*) FROM windows')" -ge 4
# The first window starts with coremond and the last ends at its stop:
# either may be too short for a probe to complete in it.
check "probe: windows of source lo, each whole one with probes answered ($(q "$db" "SELECT start, sent, answered FROM window_probes ORDER BY start" | tr '\n' ' '))" \
	test "$(q "$db" "SELECT count(*) FROM windows WHERE source != 'lo'")|$(q "$db" "SELECT count(*) FROM window_probes
		WHERE start > (SELECT min(start) FROM window_probes) AND start < (SELECT max(start) FROM window_probes)
		AND answered = 0")" = "0|0"
check "probe: 127.0.0.1 answers all; the windows' $ps probes are within cmProbeSent $sent, cmProbeReplies $replies" \
	test "${ps%|*}" = "${ps#*|}" -a "${ps%|*}" -le "${sent:-0}" -a "${ps#*|}" -le "${replies:-0}" -a "${ps%|*}" -ge 4
check "probe: 0 < rtt_min <= rtt_mean <= rtt_max < 1 s, and windows.rtt_us within them" \
	test "$(q "$db" "SELECT count(*) FROM window_probes p JOIN windows w ON w.start = p.start WHERE p.answered > 0 AND NOT
		(p.rtt_min_us > 0 AND p.rtt_min_us <= p.rtt_mean_us AND p.rtt_mean_us <= p.rtt_max_us AND p.rtt_max_us < 1000000
		 AND w.rtt_us BETWEEN p.rtt_min_us AND p.rtt_max_us)")|$(q "$db" "SELECT count(*) FROM window_probes WHERE answered > 0")" != "0|0" -a \
	"$(q "$db" "SELECT count(*) FROM window_probes p JOIN windows w ON w.start = p.start WHERE p.answered > 0 AND NOT
		(p.rtt_min_us > 0 AND p.rtt_min_us <= p.rtt_mean_us AND p.rtt_mean_us <= p.rtt_max_us AND p.rtt_max_us < 1000000
		 AND w.rtt_us BETWEEN p.rtt_min_us AND p.rtt_max_us)")" = 0

# ---- 3. a read-only directory, a full disk ----------------------------------
# capture_intact NAME FILE: cmCapture's totals are capinfos' and tshark's
# and the last window's totals are tshark's ($T/NAME.ts.W).
capture_intact() {
	pk=$(capinfos -c -M "$2" 2>/dev/null | awk '/Number of packets/ { print $NF }')
	oc=$(tshark -r "$2" -T fields -e frame.len 2>/dev/null | awk '{ o += $1 } END { print o }')
	last=$(tail -1 "$T/$1.ts.W" | awk '{ print $2, $3, $4, $5 }')
	got="$(get "$PORT" "$CM.5.10.0") $(get "$PORT" "$CM.5.11.0") $(get "$PORT" "$CM.5.12.0") $(get "$PORT" "$CM.5.13.0")"
	check "$1: capture unaffected: cmCaptureTotalPackets $(get "$PORT" "$CM.4.2.0") and Octets $(get "$PORT" "$CM.4.3.0") are capinfos' and tshark's ($pk, $oc); the last window's in/out octets and packets tshark's ($last)" \
		test "$(get "$PORT" "$CM.4.2.0") $(get "$PORT" "$CM.4.3.0")" = "$pk $oc" -a "$got" = "$last"
}
if [ "$(id -u)" = 0 ] && mkdir "$T/ro" "$T/disk" && mount -t tmpfs -o ro,size=64k cmro "$T/ro" &&
	MNTS="$T/ro" && mount -t tmpfs -o size=1m cmfull "$T/disk"; then
	MNTS="$MNTS $T/disk"
	# Read-only: neither the file nor the spool can be made.
	DB=$T/ro/history.sqlite start_replay ro "$Z/pop3_pop3.pcap" "localNet 192.168.0.0/24
windowInterval 20"
	until_ok 60 settled
	nw=$(get "$PORT" "$CM.5.1.0"); st=$(get "$PORT" "$H.2.0"); dr=$(get "$PORT" "$H.10.0"); wr=$(get "$PORT" "$H.5.0")
	err=$(get "$PORT" "$H.12.0")
	check "read-only directory: all $nw windows counted dropped ($dr), none written ($wr), cmHistoryState failed(4) ($st)" \
		test -n "$nw" -a "$dr" = "$nw" -a "$wr" = 0 -a "$st" = 4
	check "read-only directory: cmHistoryLastError says so ($err)" test -n "$(echo "$err" | tr -d '"')"
	check "read-only directory: logged: $(grep -m1 'history:.*Read-only' "$T/coremond.log")" \
		grep -q "history: $T/ro/history.sqlite: .*Read-only file system" "$T/coremond.log"
	capture_intact pop3-20 "$Z/pop3_pop3.pcap"
	stop

	# Full: a database written once, then the disk filled up.
	DB=$T/disk/history.sqlite start_replay full0 "$Z/pop3_pop3.pcap" "localNet 192.168.0.0/24
windowInterval 20"
	until_ok 60 settled; stop
	n0=$(q "$T/disk/history.sqlite" 'SELECT count(*) FROM windows')
	dd if=/dev/zero of="$T/disk/filler" bs=4k 2>/dev/null
	DB=$T/disk/history.sqlite start_replay full "$Z/ftp_cwd-navigation.pcap" "localNet 10.3.0.0/16
windowInterval 1"
	until_ok 60 settled
	nw=$(get "$PORT" "$CM.5.1.0"); st=$(get "$PORT" "$H.2.0"); dr=$(get "$PORT" "$H.10.0"); wr=$(get "$PORT" "$H.5.0")
	sp=$(get "$PORT" "$H.7.0"); err=$(get "$PORT" "$H.12.0")
	check "full disk: of $nw windows $wr written, $sp spooled, $dr dropped (all counted, some dropped), cmHistoryState $st (spooling 3 or failed 4)" \
		test -n "$nw" -a $((wr + sp + dr)) = "$nw" -a "$dr" -gt 0 -a "$st" -ge 3
	check "full disk: cmHistoryLastError says why ($err)" sh -c "echo '$err' | grep -qi 'disk is full\|No space left'"
	check "full disk: logged: $(grep -m1 'history:.*\(disk is full\|No space left\)' "$T/coremond.log")" \
		grep -qi 'history:.*\(disk is full\|No space left\)' "$T/coremond.log"
	capture_intact ftp-1 "$Z/ftp_cwd-navigation.pcap"
	stop
	rm "$T/disk/filler"	# sqlite3 makes its -shm file
	check "full disk: the file is intact (integrity_check ok) and keeps the $n0 windows written before" \
		test "$(q "$T/disk/history.sqlite" 'PRAGMA integrity_check')|$(q "$T/disk/history.sqlite" "SELECT count(*) FROM windows WHERE agent = 'test-full0'")" = "ok|$n0"

else
	skip "read-only directory and full disk: need root to mount a tmpfs"
fi

# ---- 4. daemonized under runAs -----------------------------------------------
# Without -f, as root with runAs: the file is made by that user, 0640,
# in a directory it owns.  The replay is read while the first process
# exits: it must not move the daemon's place in the file.
if test_user; then
	chmod 711 "$T"
	mkdir "$T/state" && chown "$TEST_USER" "$T/state"
	PORT=$(free_port)
	printf 'rocommunity public 127.0.0.1\nrunAs %s\nlocalNet 10.3.0.0/16\nwindowInterval 1\nhostdbFile %s/state/hostdb\narchiveDir %s/state/archive\nhistoryDatabase %s/state/history.sqlite\n' \
		"$TEST_USER" "$T" "$T" "$T" >"$T/daemon.conf"
	chmod 644 "$T/daemon.conf"
	"$COREMOND" -C -c "$T/daemon.conf" -p "$T/daemon.pid" -Lf "$T/daemon.log" \
		--standalone "udp:127.0.0.1:$PORT" -r "$Z/ftp_cwd-navigation.pcap" >"$T/daemon.out" 2>&1
	rc=$?
	until_ok 10 test -s "$T/daemon.pid"
	DPID=$(cat "$T/daemon.pid" 2>/dev/null)
	[ -n "$DPID" ] && PIDS="$PIDS $DPID"
	check "daemonized: the command returns 0 ($rc) and coremond ($DPID) runs as $TEST_USER" \
		test "$rc" = 0 -a "$(ps -o user= -p "${DPID:-0}" 2>/dev/null)" = "$TEST_USER"
	# Finished, or failed: a capture that fails ends too.
	ended() { st=$(get "$PORT" "$CM.1.7.0"); [ "$st" = 4 ] || [ "$st" = 3 ]; }
	until_ok 60 ended
	pk=$(capinfos -c -M "$Z/ftp_cwd-navigation.pcap" 2>/dev/null | awk '/Number of packets/ { print $NF }')
	check "daemonized: the replay reads the file to its end: cmAgentCaptureState $(get "$PORT" "$CM.1.7.0") (finished 4), cmCaptureTotalPackets $(get "$PORT" "$CM.4.2.0") of capinfos' $pk$(get "$PORT" "$CM.4.6.1.5.1" | tr -d '"' | sed 's/^./, &/')" \
		test "$(get "$PORT" "$CM.1.7.0")" = 4 -a "$(get "$PORT" "$CM.4.2.0")" = "$pk"
	until_ok 30 settled
	db=$T/state/history.sqlite
	want=$(q "$T/ftp-1.sqlite" 'SELECT count(*) FROM windows')
	check "daemonized: the $want windows of ftp-1 written ($(get "$PORT" "$H.5.0")), the file holds them ($(q "$db" 'SELECT count(*) FROM windows'))" \
		test "$(get "$PORT" "$H.5.0")" = "$want" -a "$(q "$db" 'SELECT count(*) FROM windows')" = "$want"
	check "daemonized: the file and its -wal are $TEST_USER's, 0640 ($(owner "$db"), $(owner "$db-wal"))" \
		test "$(owner "$db")" = "$TEST_USER:640" -a "$(owner "$db-wal")" = "$TEST_USER:640"
	check "daemonized: the spool directory too, 0750 ($(owner "$T/state/history-spool"))" \
		test "$(owner "$T/state/history-spool")" = "$TEST_USER:750"
	kill "$DPID" 2>/dev/null
	until_ok 10 sh -c "! kill -0 $DPID 2>/dev/null"
	check "daemonized: after SIGTERM the file is whole (integrity_check $(q "$db" 'PRAGMA integrity_check'))" \
		test "$(q "$db" 'PRAGMA integrity_check')" = ok
else
	skip "daemonized under runAs: needs root to make a test user"
fi

# ---- 5. kill -9 in the middle of a replay ------------------------------------
# The replay of ftp_cwd-navigation.pcap in windows of 1 s: 602 windows
# written one by one.  Killed once the file holds K windows, it
# must open cleanly and hold the first N windows of the whole replay
# (ftp-1, run to its end), exactly: a prefix, every row of each.
dump() {
	q "$1" "SELECT w.start, w.length, w.octets_in, w.octets_out, w.packets_in, w.packets_out, w.sessions,
		(SELECT group_concat(service || ':' || octets_in || ':' || octets_out, ',') FROM window_services s WHERE s.start = w.start),
		(SELECT group_concat(rank || ':' || remote_addr || ':' || octets_in, ',') FROM window_sessions s WHERE s.start = w.start)
		FROM windows w ORDER BY w.start"
}
dump "$T/ftp-1.sqlite" >"$T/ftp-1.dump"
all=$(wc -l <"$T/ftp-1.dump")
for K in 1 150 300 450 550; do
	n=kill$K; db=$T/$n.sqlite
	start_replay "$n" "$Z/ftp_cwd-navigation.pcap" "localNet 10.3.0.0/16
windowInterval 1
historyAgent test-ftp-1"
	reached() { [ "$(sqlite3 "$db" 'SELECT count(*) FROM windows' 2>/dev/null)" -ge "$K" ] 2>/dev/null; }
	i=0; until reached || [ $i -ge 3000 ]; do i=$((i + 1)); sleep 0.01; done
	kill -9 "$CM_PID"; wait "$CM_PID" 2>/dev/null
	ic=$(q "$db" 'PRAGMA integrity_check')
	dump "$db" >"$T/$n.dump"
	got=$(wc -l <"$T/$n.dump")
	if [ "$ic" = ok ] && [ "$got" -ge 1 ] && head -n "$got" "$T/ftp-1.dump" | cmp -s - "$T/$n.dump"; then
		ok "kill -9 once $K windows were in: the file opens (integrity_check ok) and holds the first $got of the $all windows, each whole"
	else
		notok "kill -9 once $K windows were in: integrity_check $ic, $got windows, not a prefix of the full replay's"
		head -n "$got" "$T/ftp-1.dump" | diff - "$T/$n.dump" | head -4 | sed 's/^/# /'
	fi
	check "kill -9 at $K: day_hosts hold the packets of those windows, no part of another ($(q "$db" 'SELECT sum(packets_in + packets_out) FROM day_hosts'))" \
		test "$(q "$db" 'SELECT sum(packets_in + packets_out) FROM day_hosts')" = "$(q "$db" 'SELECT sum(packets_in + packets_out) FROM windows')"
done
