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

Z=$SHARED/pcaps/zeek
H=$CM.11				# cmHistoryDatabase
[ -d "$Z" ] || { skip "history: $Z is absent"; exit 0; }
command -v sqlite3 >/dev/null || { skip "history: sqlite3 is absent (Debian package sqlite3)"; exit 0; }
command -v tshark >/dev/null || { skip "history: tshark is absent"; exit 0; }
MNTS=""
history_cleanup() {
	cleanup
	for m in $MNTS; do umount "$m" 2>/dev/null; done
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

# tshark_sums NAME FILE LOCAL-AWK-REGEX INTERVAL: tshark's figures for
# the frames of FILE, in $T/NAME.ts.{W,S,X,H}, each frame put in the
# window of the grid (multiples of INTERVAL) that holds its second; the
# first window starts at the first frame, inside its grid window.
# "in" is what the remote end sent, as the schema says.  The service is
# that of the default catalogue: a port of it if either port is (the
# smaller when both are), else the smaller port under 1024, "other".
tshark_sums() {
	tshark -r "$2" -T fields -E separator=';' -E occurrence=f \
		-e frame.time_epoch -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst \
		-e ip.proto -e ipv6.nxt -e tcp.srcport -e tcp.dstport \
		-e udp.srcport -e udp.dstport -e frame.len 2>/dev/null |
	awk -F';' -v L="$3" -v I="$4" -v out="$T/$1.ts" '
	function svc(pr, p) {
		if (pr == 6) {
			if (p == 20 || p == 21) return "ftp"; if (p == 22) return "ssh"
			if (p == 23) return "telnet"; if (p == 53) return "dns"
			if (p == 25 || p == 110 || p == 143 || p == 465 || p == 587 || p == 993 || p == 995) return "mail"
			if (p == 80 || p == 443 || p == 8080 || p == 8443) return "www"
		} else if (pr == 17) {
			if (p == 53) return "dns"; if (p == 443) return "www"; if (p == 123) return "ntp"
		}
		return ""
	}
	# YYYYMMDD of unix seconds, UTC (days to civil date).
	function day(t,   z, era, doe, yoe, y, doy, mp, d, m) {
		z = int(t / 86400) + 719468; era = int(z / 146097); doe = z - era * 146097
		yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
		y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
		mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
		m = mp < 10 ? mp + 3 : mp - 9; if (m <= 2) y++
		return y * 10000 + m * 100 + d
	}
	{
		split($1, tp, "."); sec = tp[1] + 0; ts = $1 + 0; len = $12
		s = $2; d = $3; pr = $6
		if (s == "") { s = $4; d = $5; pr = $7 }
		if (s == "") next				# not IP
		g = sec - sec % I
		sl = (s ~ L); dl = (d ~ L)
		if (sl && dl) { loc[g] += len; win[g] = 1; next }
		if (!sl && !dl) { transit++; next }
		if (sl) { la = s; ra = d; dir = "o" } else { la = d; ra = s; dir = "i" }
		sp = ""; dp = ""
		if (pr == 6) { sp = $8; dp = $9 } else if (pr == 17) { sp = $10; dp = $11 }
		if (sp == "") { port = 0; sv = "other" }
		else {
			a = svc(pr, sp + 0); b = svc(pr, dp + 0)
			if (a != "" && (b == "" || sp + 0 <= dp + 0)) { port = sp; sv = a }
			else if (b != "") { port = dp; sv = b }
			else { port = (sp + 0 < dp + 0 ? sp : dp) + 0; if (port >= 1024) port = 0; sv = "other" }
		}
		win[g] = 1
		wo[g, dir] += len; wp[g, dir]++
		k = g SUBSEP sv; svk[k] = 1; so[k, dir] += len; spk[k, dir]++
		k = g SUBSEP pr SUBSEP la SUBSEP ra SUBSEP port SUBSEP sv; xk[k] = 1; xo[k, dir] += len; xp[k, dir]++
		nsess[g] += (xp[k, "i"] + xp[k, "o"] == 1)
		k = day(g) SUBSEP ra SUBSEP sv; hk[k] = 1; ho[k, dir] += len; hp[k, dir]++
		if (!(k in hmin) || ts < hmin[k]) hmin[k] = ts
		if (!(k in hmax) || ts > hmax[k]) hmax[k] = ts
	}
	END {
		for (g in win) print g, wo[g, "i"] + 0, wo[g, "o"] + 0, wp[g, "i"] + 0, wp[g, "o"] + 0, nsess[g] + 0, loc[g] + 0 >(out ".W")
		for (k in svk) { split(k, f, SUBSEP)
			print f[1], f[2], so[k, "i"] + 0, so[k, "o"] + 0, spk[k, "i"] + 0, spk[k, "o"] + 0 >(out ".S") }
		for (k in xk) { split(k, f, SUBSEP)
			print f[1], f[2], f[3], f[4], f[5], f[6], xo[k, "i"] + 0, xo[k, "o"] + 0, xp[k, "i"] + 0, xp[k, "o"] + 0 >(out ".X") }
		# first and last seen: the second of the frame, or the one
		# before when the frame is within the 1.024 ms tick after it.
		for (k in hk) { split(k, f, SUBSEP)
			print f[1], f[2], f[3], ho[k, "i"] + 0, ho[k, "o"] + 0, hp[k, "i"] + 0, hp[k, "o"] + 0,
				int(hmin[k]), int(hmin[k] - 0.001024), int(hmax[k]), int(hmax[k] - 0.001024) >(out ".H") }
		print transit + 0 >(out ".transit")
	}'
	for x in W S X; do sort -o "$T/$1.ts.$x" "$T/$1.ts.$x"; done
}

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
	bad=$(awk 'NR == FNR { t[$1 " " $2 " " $3] = $0; next }
		{ k = $1 " " $2 " " $3; if (!(k in t)) { print "extra: " $0; next }
		  split(t[k], w, " "); delete t[k]
		  if ($4 != w[4] || $5 != w[5] || $6 != w[6] || $7 != w[7] ||
		      ($8 != w[8] && $8 != w[9]) || ($9 != w[10] && $9 != w[11])) print "db " $0 " tshark " w[4], w[5], w[6], w[7], w[8], w[10] }
		END { for (k in t) print "missing: " t[k] }' "$T/$n.ts.H" "$T/$n.db.H" || echo "awk failed")
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
against_tshark ftp-2 "$Z/ftp_cwd-navigation.pcap" '^10[.]3[.]' 10.3.0.0/16 2
# Across midnight: two days of day_hosts.
editcap -t $(( $(date -u -d '2014-01-14 23:59:55' +%s) - $(date -u -d '2014-01-14 17:04:01' +%s) )) \
	"$Z/http_bro.org.pcap" "$T/midnight.pcap" 2>/dev/null
against_tshark midnight "$T/midnight.pcap" '^10[.]0[.]2[.]' 10.0.2.0/24 5
