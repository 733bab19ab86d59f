# coremon-top, driven in tmux as a person would, against a standalone
# coremond and against coremond behind a real snmpd master; every figure it
# shows is checked against an independent source: lo's rate against
# /proc/net/dev over the agent's sample interval the screen names, the
# client and its connections against what the test opened (and ss), the
# sessions against snmpbulkwalk of cmSessionTopTable.  Then the agent is
# killed and started again, batch mode is parsed, and SNMPv3 authPriv used.
. tests/lib.sh

TOP=$B/coremon-top
command -v tmux >/dev/null || { skip "coremon-top: tmux is not installed"; exit 0; }
[ -x "$TOP" ] || { notok "coremon-top is built ($TOP)"; exit 1; }
LO=$(cat /sys/class/net/lo/ifindex)
DELAY=2			# refresh interval of the tool under test
NET=$(shuf -i 100-250 -n 1)	# the test's clients: 127.$NET.0.1, then NET + 1
SESS=cmtop-$(basename "$T" | tr -dc 'a-zA-Z0-9')
export TERM=xterm-256color

# A capture replayed by coremond: the last window's sessions and hosts.
$B/tools/mkpcap "$T/mix.pcap" 20000 >/dev/null || { notok "mkpcap makes the capture"; exit 1; }
conf() {	# conf FILE [EXTRA]: coremond's configuration for this test
	printf 'rocommunity public 127.0.0.1\nsampleInterval 1\nconnRefresh 1\nwindowInterval 86400\ntopSessions 12\nlocalNet 10.1.0.0/24 2001:db8:1::/64\nhostdbFile %s\narchiveDir %s\nprobe lo4 127.0.0.1 interval 1\n%s\n' \
		"$T/hostdb" "$T/archive" "${2:-}" >"$1"
}

# The test's own tmux server (-L); each terminal a new session, the
# previous one killed after it (the server would exit with its last one).
TM="tmux -L $SESS"
W=0
cleanup_tmux() { $TM kill-server 2>/dev/null; }
trap 'cleanup_tmux; cleanup' EXIT
# terminal COLUMNS LINES COMMAND: a new terminal running COMMAND.
terminal() {
	W=$((W + 1))
	$TM new-session -d -s "w$W" -x "$1" -y "$2" "$3"
	[ "$W" = 1 ] || $TM kill-session -t "w$((W - 1))" 2>/dev/null
}

# screen: what the terminal shows now.
screen() { $TM capture-pane -p -t "w$W" 2>/dev/null; }
# on_screen SECONDS EXTENDED-REGEX: until a line of the screen matches.
on_screen() { until_ok "$1" sh -c "$TM capture-pane -p -t w$W 2>/dev/null | grep -Eq -- '$2'"; }
no_alert() { ! screen | grep -q '^no answer since'; }
key() { $TM send-keys -t "w$W" "$@"; }

# bytes VALUE UNIT: a scaled rate or size as on the screen, in bytes.
bytes() {
	awk -v v="$1" -v u="$2" 'BEGIN { m = 1; if (u ~ /^k/) m = 1e3; else if (u ~ /^M/) m = 1e6;
		else if (u ~ /^G/) m = 1e9; printf "%.0f\n", v * m }'
}
# scaled N: N octets as coremon-top shows them (tfmt_bytes).
scaled() {
	awk -v v="$1" 'BEGIN { split("B kB MB GB TB", u, " "); i = 1
		while (v >= 999.95 && i < 5) { v /= 1000; i++ }
		if (i == 1) printf "%.0f %s\n", v, u[i]; else printf "%.*f %s\n", (v < 9.995 ? 2 : 1), v, u[i] }'
}
# epoch HH:MM:SS.d: today's local time as seconds since the epoch.
epoch() {
	e=$(date -d "$1" +%s.%N)
	awk -v e="$e" -v n="$(now)" 'BEGIN { if (e > n + 60) e -= 86400; printf "%.3f\n", e }'
}

# filtered: the clients shown are $CLIENT alone.
filtered() {
	screen | grep -E '^[0-9a-f.:]+ +[0-9]+ +[0-9]+ ' >"$T/rows"
	[ "$(wc -l <"$T/rows")" = 1 ] && grep -q "^$CLIENT " "$T/rows"
}

# suite NAME PORT: the views against the agent on PORT.
suite() {
	name=$1; port=$2; NET=$((NET + 1)); CLIENT=127.$NET.0.1
	terminal 160 30 "$TOP -d $DELAY -t 1 -r 0 127.0.0.1:$port; sleep 60"
	check "$name: the link view shows lo" on_screen 15 '^lo +[0-9]'

	# Link: lo's rate against the kernel's count over the agent's sample
	# interval that the screen names (cmSampleTime, cmSampleInterval).
	$B/tools/cmtraffic tcp 2000000 20 >"$T/sent" &
	TPID=$!; PIDS="$PIDS $TPID"
	dev_recorder lo "$T/lo.dev"
	t0=$(now); res=""; from=""; to=""
	for i in $(seq 40); do
		s=$(screen)
		at=$(echo "$s" | sed -n "s/.*agent's sample at \([0-9:.]*\) over \([0-9.]*\) s.*/\1 \2/p")
		set -- $at
		if [ -n "${2:-}" ]; then
			end=$(epoch "$1"); len=$2
			# An interval wholly after the recorder's first reading.
			if awk -v e="$end" -v l="$len" -v t="$t0" 'BEGIN { exit !(e - l > t + 0.3) }'; then
				set -- $(echo "$s" | awk '$1 == "lo" { print $2, $3, $4, $5 }')
				rin=$(bytes "$1" "$2"); rout=$(bytes "$3" "$4")
				from=$(awk -v e="$end" -v l="$len" 'BEGIN { printf "%.3f\n", e - l - 0.1 }')
				to=$(awk -v e="$end" 'BEGIN { printf "%.3f\n", e + 0.2 }')
				res="$end $len $rin $rout"
				break
			fi
		fi
		sleep 0.5
	done
	sleep 0.5	# the recorder's readings after the interval's end
	k_in=$(dev_rates "$T/lo.dev" 2 "$from" "$to"); k_out=$(dev_rates "$T/lo.dev" 3 "$from" "$to")
	check "$name: lo's rate in on the screen (${rin:-none} B/s, sample $res) is /proc/net/dev's over that interval within 10% (${k_in:-none})" \
		in_rates "${rin:-}" ${k_in:-x x} 10
	check "$name: lo's rate out (${rout:-none} B/s) likewise (${k_out:-none})" \
		in_rates "${rout:-}" ${k_out:-x x} 10
	check "$name: the hour graph of cmHistoryTable is drawn" on_screen 2 'last hour, all but loopback'
	check "$name: the graph of the polls since start is drawn" on_screen 2 '^lo, polls since start \([0-9]+\)'
	kill "$TPID" "$REC_PID" 2>/dev/null

	# Clients: the test's client with the two connections it opened.
	$B/tools/cmclients 1 "$NET" 60 >"$T/clients" &
	CPID=$!; PIDS="$PIDS $CPID"
	until_ok 10 grep -q ready "$T/clients"
	nss=$(ss -Htn state established "dst $CLIENT" | wc -l)
	# Other tests of the machine may hold thousands of clients: the
	# filter brings the test's own to the screen.
	key 4; key / ; key -l "$CLIENT"; key Enter
	check "$name: the clients view, filtered by /$CLIENT, shows it with its 2 connections, established (ss: $nss)" \
		on_screen 15 "^$CLIENT +2 +2 +0 "
	screen | grep -q "^$CLIENT +2 +2 +0 " || screen | head -12 | sed 's/^/# /'
	check "$name: the filter leaves its row alone" until_ok 5 filtered
	key Enter
	check "$name: Enter shows the client's connections, owned by cmclients" \
		on_screen 10 "^connections of client $CLIENT: 2 "
	n=$(screen | grep -c "^127\.0\.0\.1 .* estab .*cmclients/$CPID ")
	check "$name: both connections listed, established, with the process (got $n)" test "$n" = 2
	[ "$n" = 2 ] || screen | head -8 | sed 's/^/# /'
	key Escape
	kill "$CPID" 2>/dev/null

	# Sessions: the screen's rows equal cmSessionTopTable's.
	key 2
	on_screen 10 '^ *1 +(tcp|udp)' || true
	snmpbulkwalk -v2c -c public -On -Oq -Ox -Cr50 127.0.0.1:$port "$CM.5.18.1" 2>/dev/null |
	awk -v p="$CM.5.18.1." '{ s = substr($1, length(p) + 1); split(s, f, "."); v = $0; sub(/^[^ ]+ /, "", v); gsub(/[" ]/, "", v)
		val[f[2], f[1]] = v; r[f[2]] = 1 }
		END { for (k in r) print k, val[k, 2] + 0, val[k, 4], val[k, 5], val[k, 9] + 0, val[k, 10] + 0 }' |
		sort -n >"$T/walk.rows"
	while read -r rank proto la ra in out; do
		case $proto in 6) proto=tcp;; 17) proto=udp;; 1) proto=icmp;; 58) proto=icmp6;; 50) proto=esp;; esac
		printf '%s %s %s %s %s %s\n' "$rank" "$proto" "$la" "$ra" \
			"$(scaled "$in" | tr -d ' ')" "$(scaled "$out" | tr -d ' ')"
	done <"$T/walk.rows" >"$T/walk.want"
	# The screen's addresses as hex, as snmpbulkwalk -Ox gives them.
	screen | awk '$1 ~ /^[0-9]+$/ && $3 ~ /[.:]/ && NF >= 8 { print $1, $2, $3, $4, $6 $7, $8 $9 }' |
	while read -r rank proto la ra in out; do
		echo "$rank $proto $(tohex "$la") $(tohex "$ra") $in $out"
	done >"$T/screen.rows"
	if [ -s "$T/walk.want" ] && cmp -s "$T/walk.want" "$T/screen.rows"; then
		ok "$name: the sessions view's $(wc -l <"$T/walk.want") rows equal cmSessionTopTable (rank, protocol, addresses, octets in and out)"
	else
		notok "$name: the sessions view differs from cmSessionTopTable (< snmpwalk, > screen)"
		diff "$T/walk.want" "$T/screen.rows" | head -8 | sed 's/^/# /'
	fi
	screen | sed 's/^/# /' | head -8
	key 1
}

data_again() { no_alert && screen | grep -Eq '^lo +[0-9]'; }

# no_answer_and_back NAME PORT STOP START: the agent stops answering
# ("no answer since" within two refresh intervals, the last data still
# shown) and comes back (data again, no key pressed).
no_answer_and_back() {
	name=$1; port=$2
	# Answering now: the alert must be caused by what follows.
	until_ok 10 no_alert
	t=$(now); eval "$3"
	on_screen $((DELAY * 2 + 5)) '^no answer since [0-9:]+'
	waited=$(awk -v a="$t" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
	check "$name: \"no answer since HH:MM:SS\" within two refresh intervals ($waited s <= $((DELAY * 2)) s)" \
		awk -v w="$waited" -v d="$DELAY" 'BEGIN { exit !(w <= 2 * d) }'
	check "$name: the last data stays on the screen" on_screen 1 '^lo +[0-9]'
	eval "$4"
	check "$name: data again without a key press once the agent answers" \
		until_ok 20 data_again
}

# ---- 1. standalone coremond ------------------------------------------------
PORT=$(free_port)
conf "$T/alone.conf"
start_coremond "$T/alone.conf" --standalone "udp:127.0.0.1:$PORT" -r "$T/mix.pcap"
wait_for "$PORT" "$CM.1.1.0" 10 || { notok "standalone coremond starts"; exit 1; }
until_ok 20 sh -c "[ \"\$(snmpget -v2c -c public -Oqv 127.0.0.1:$PORT $CM.1.7.0 2>/dev/null)\" = 4 ]"
suite standalone "$PORT"
no_answer_and_back standalone "$PORT" 'kill $CM_PID; wait $CM_PID 2>/dev/null' \
	'start_coremond "$T/alone.conf" --standalone "udp:127.0.0.1:$PORT" -r "$T/mix.pcap"'

# Batch mode: frames of plain text; the numbers are exact.
until_ok 20 sh -c "[ \"\$(snmpget -v2c -c public -Oqv 127.0.0.1:$PORT $CM.1.7.0 2>/dev/null)\" = 4 ]"
a=$(get "$PORT" "$CM.2.1.1.3.$LO")
$TOP -b -n 2 -d 0.5 127.0.0.1:$PORT >"$T/batch" 2>&1
rc=$?
b=$(get "$PORT" "$CM.2.1.1.3.$LO")
check "batch: -n 2 prints 2 frames and exits 0 (status $rc)" \
	test "$rc" = 0 -a "$(grep -c '^coremon-top 127' "$T/batch")" = 2
v=$(awk '/^== Link/ { l = 1 } /^== / && !/Link/ { l = 0 } l && $1 == "lo" { print $6 }' "$T/batch" | tail -1)
check "batch: lo's total in ($v) is cmIfInOctets between before ($a) and after ($b)" between "$a" "$v" "$b"
sed -n '/^== Sessions/,/^== Hosts/p' "$T/batch" | awk '$1 ~ /^[0-9]+$/ { print $1, $6, $7 }' | tail -12 >"$T/batch.rows"
awk '{ print $1, $5, $6 }' "$T/walk.rows" >"$T/batch.want"
check "batch: the sessions' exact octets in and out equal cmSessionTopTable's ($(wc -l <"$T/batch.want") rows)" \
	cmp -s "$T/batch.want" "$T/batch.rows"
check "batch: every view is printed" \
	test "$(grep -c -E '^== (Link|Sessions|Hosts|Clients|Probes|Listeners|Processes)$' "$T/batch")" = 14
check "batch: the probe answers (lo4 ok)" grep -Eq '^lo4 +127\.0\.0\.1 +ok ' "$T/batch"
$TOP -b -n 1 -v 1 -s link 127.0.0.1:$PORT >"$T/batch.v1" 2>&1
check "batch, SNMPv1 (GETNEXT, no Counter64): lo's octet rates are -, its packet rates read ($(grep '^lo ' "$T/batch.v1"))" \
	grep -Eq '^lo +- +- +[0-9]+\.[0-9]{2} +[0-9]+\.[0-9]{2} +- +-$' "$T/batch.v1"
# Listeners and processes: a listener of backlog 3 that never accepts,
# and a client process holding 2 connections in its queue; the view's
# queue and backlog against ss -ltn, the client's connections against
# ss -tnp (the agent refreshes every second: until they agree).
LADDR=127.$NET.0.9; LPORT=$(free_port); CADDR=127.$NET.0.8
python3 -c "import socket, time
s = socket.socket(); s.bind(('$LADDR', $LPORT)); s.listen(3)
print('ready', flush=True); time.sleep(60)" >"$T/listener" &
PIDS="$PIDS $!"
until_ok 10 grep -q ready "$T/listener"
python3 -c "import socket, time
c = [socket.create_connection(('$LADDR', $LPORT), source_address=('$CADDR', 0))
    for i in range(2)]
print('ready', flush=True); time.sleep(60)" >"$T/lclient" &
LCPID=$!; PIDS="$PIDS $LCPID"
until_ok 10 grep -q ready "$T/lclient"
listen_same() {
	$TOP -b -n 1 -s listeners 127.0.0.1:$PORT >"$T/batch.listen" 2>&1
	got=$(awk -v a="$LADDR" -v p="$LPORT" '$1 == a && $2 == p { print $4, $5 }' "$T/batch.listen")
	want=$(ss -Hltn "sport = :$LPORT" | awk -v a="$LADDR:$LPORT" '$4 == a { print $2, $3 }')
	[ -n "$got" ] && [ "$got" = "$want" ] && [ "$want" = "2 3" ]
}
until_ok 15 listen_same; rc=$?
check "batch -s listeners: $LADDR:$LPORT shows queue and backlog (\"$got\") as ss -ltn (\"$want\"), 2 of 3" test "$rc" = 0
sed 's/^/# /' "$T/batch.listen" | grep -E "^# (== |Address|$LADDR )"
check "batch -s listeners: the listener's row names python3 and its pid" \
	grep -Eq "^$LADDR +$LPORT +python3/[0-9]+ " "$T/batch.listen"
check "batch -s listeners: only the Listeners view is printed" \
	sh -c "[ \"\$(grep -c '^== ' '$T/batch.listen')\" = 1 ] && grep -q '^== Listeners$' '$T/batch.listen'"
procs_same() {
	$TOP -b -n 1 -s processes 127.0.0.1:$PORT >"$T/batch.procs" 2>&1
	pgot=$(awk -v p="$LCPID" '$1 == p { print $2, $4 }' "$T/batch.procs")
	pwant="python3 $(ss -Htnp | grep -c "pid=$LCPID,")"
	[ "$pgot" = "$pwant" ] && [ "$pwant" = "python3 2" ]
}
until_ok 15 procs_same; rc=$?
check "batch -s processes: the client process $LCPID shows name and connections (\"$pgot\") as ss -tnp (\"$pwant\")" test "$rc" = 0
sed 's/^/# /' "$T/batch.procs" | grep -E "^# (== | *PID|$LCPID )"
# A client just before it in index order with only a TIME-WAIT
# connection (the server's end closed first): no tcp_info, so no RTT --
# a gap in cmClientRttMean, whose GETBULK answer then runs a row ahead
# of the other columns (coremon-top showed "-" for the rows after it).
TADDR=127.$NET.0.7
python3 -c "import socket, time
s = socket.socket(); s.bind(('$LADDR', 0)); s.listen(1)
c = socket.create_connection(s.getsockname(), source_address=('$TADDR', 0))
a = s.accept()[0]; a.close(); time.sleep(0.2); c.close()"
# The clients view's retransmission ratio and mean smoothed RTT of
# $CADDR (the listener's end of its 2 queued connections) against ss -ti
# over those sockets: no loss on lo, the RTT of the handshake.
clients_same() {
	$TOP -b -n 1 -s clients 127.0.0.1:$PORT >"$T/batch.clients" 2>&1
	cgot=$(awk -v a="$CADDR" '$1 == a { print $2, $8, $9 }' "$T/batch.clients")
	cwant=$(ss -Htin "dst $CADDR" | awk '{ for (i = 1; i <= NF; i++) {
			if ($i ~ /^rtt:/) { split(substr($i, 5), r, "/"); s += r[1] * 1000; n++ }
			if ($i ~ /^retrans:/) { split(substr($i, 9), x, "/"); re += x[2] } } }
		END { if (n) printf "%d %.2f %.0f\n", n, re, s / n }')
	# RTT within 1 us (ss prints milliseconds to 3 decimals).
	# and the TIME-WAIT client's row read (the agent's next refresh).
	grep -q "^$TADDR " "$T/batch.clients" &&
	[ -n "$cgot" ] && [ -n "$cwant" ] && echo "$cgot $cwant" | awk '{ exit !($1 == $4 && $1 == 2 && $2 == "0.00" && $5 == 0 && ($3 - $6) ^ 2 <= 1) }'
}
until_ok 15 clients_same; rc=$?
check "batch -s clients: $CADDR's connections, Retr% and RTT (\"$cgot\") as ss -ti's count, retransmissions and mean rtt in us (\"$cwant\")" test "$rc" = 0
sed 's/^/# /' "$T/batch.clients" | grep -E "^# (== |Client|$CADDR |$TADDR )"
tw=$(ss -Htan "dst $TADDR" | awk '{ print $1 }' | sort -u | tr '\n' ' ')
check "batch -s clients: $TADDR, in TIME-WAIT alone (ss: $tw), has no RTT (-)" \
	sh -c "[ '$tw' = 'TIME-WAIT ' ] && grep -Eq '^$TADDR +1 +0 +0 +1 .* - +0 +0 +[0-9]+s\$' '$T/batch.clients'"
kill $LCPID 2>/dev/null
$TOP -b -n 1 -t 0.3 -r 0 127.0.0.1:$(free_port) >"$T/batch.none" 2>&1
rc=$?
check "batch: an agent that never answers exits 1 and says \"no answer\" (status $rc)" \
	sh -c "[ $rc = 1 ] && grep -q '^no answer since start' '$T/batch.none'"
kill "$CM_PID"; wait "$CM_PID" 2>/dev/null

# ---- 2. behind snmpd, with an SNMPv3 user ----------------------------------
AUTHP=auth-$(basename "$T"); PRIVP=priv-$(basename "$T")
PORT=$(free_port)
MASTER_EXTRA="createUser cmtop SHA-512 \"$AUTHP\" AES \"$PRIVP\"
rouser cmtop priv"
start_master "$PORT" || { notok "snmpd master starts"; exit 1; }
conf "$T/sub.conf" "agentXSocket $T/agentx.sock"
start_coremond "$T/sub.conf" -r "$T/mix.pcap"
wait_for "$PORT" "$CM.1.1.0" 10 || { notok "coremond registers with the master"; exit 1; }
until_ok 20 sh -c "[ \"\$(snmpget -v2c -c public -Oqv 127.0.0.1:$PORT $CM.1.7.0 2>/dev/null)\" = 4 ]"
suite snmpd "$PORT"
no_answer_and_back "snmpd, coremond stopped" "$PORT" 'kill $CM_PID; wait $CM_PID 2>/dev/null' \
	'start_coremond "$T/sub.conf" -r "$T/mix.pcap"'

$TOP -b -n 1 -s link -v 3 -u cmtop -l authPriv -a SHA-512 -A "$AUTHP" -x AES -X "$PRIVP" \
	127.0.0.1:$PORT >"$T/v3" 2>&1
rc=$?
check "SNMPv3 authPriv (SHA-512, AES): lo's row is read (status $rc)" \
	sh -c "[ $rc = 0 ] && grep -Eq '^lo +[0-9]' '$T/v3'"
$TOP -b -n 1 -s link -t 0.5 -r 0 -v 3 -u cmtop -l authPriv -a SHA-512 -A wrong-passphrase -x AES -X "$PRIVP" \
	127.0.0.1:$PORT >"$T/v3bad" 2>&1
rc=$?
check "SNMPv3 with a wrong passphrase: nothing read, status 1 ($(grep -m1 'no answer' "$T/v3bad"))" \
	sh -c "[ $rc = 1 ] && ! grep -Eq '^lo +[0-9]' '$T/v3bad'"

# An 80-column terminal, no colour: the link view as it is (README).
$B/tools/cmtraffic tcp 500000 6 >/dev/null &
PIDS="$PIDS $!"
terminal 80 24 "NO_COLOR=1 $TOP -d 1 127.0.0.1:$PORT; sleep 30"
on_screen 10 '^lo +[0-9]' && sleep 3
screen >"$T/screen80"
w=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$T/screen80")
check "80 columns: every line fits ($w) and the help line is shown" \
	sh -c "[ $w -le 80 ] && grep -q '^1-7 view .* q quit' '$T/screen80'"
# The sessions at 80 columns: an address is whole (one of the walk's) or
# cut with a '~', never cut silently into another address.
key 2
on_screen 10 '^ *1 +(tcp|udp)' || true
screen | awk '$1 ~ /^[0-9]+$/ && $3 ~ /[.:]/ { print $3; print $4 }' >"$T/addr80"
bad=$(while read -r a; do
	case $a in *~) continue;; esac
	grep -q " $(tohex "$a") " "$T/walk.want" || echo "$a"
done <"$T/addr80")
cut=$(grep -c '~$' "$T/addr80")
check "80 columns: each of the $(wc -l <"$T/addr80") addresses shown is whole or ends in ~ ($cut cut)${bad:+; not: $(echo $bad)}" \
	sh -c "[ -z '$bad' ] && [ $(wc -l <"$T/addr80") -ge 20 ] && [ $cut -ge 1 ]"
key q
pane_sleeps() { [ "$($TM display -p -t "w$W" '#{pane_current_command}')" = sleep ]; }
check "q quits" until_ok 5 pane_sleeps
sed 's/^/# /' "$T/screen80"
[ -z "${TOP_SCREEN_OUT:-}" ] || cp "$T/screen80" "$TOP_SCREEN_OUT"
