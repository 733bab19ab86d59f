# Probes (src/probe, through build/tools/cmprobe) against a network
# namespace this test builds: a veth pair, 10.254.X.0/30 and
# fd00:254:0:X::/64, the namespace's own echo replies switched off and
# build/tools/cmecho answering each request 50 ms late (no netem here).
# Checks, over IPv4 and IPv6: each probe's RTT against what the wire saw
# over the same exchanges (dumpcap on the host's side of the veth, then on
# the namespace's lo; tshark's icmp.resptime per echo reply), never below
# the responder's 50 ms, with the responder's own count of answers as a
# second independent number; ICMP datagram sockets inside the namespace;
# destination unreachable for an address nobody holds; and, with the
# namespace's link down, timeouts, loss 100%, status timeout.
# Nothing here assumes an idle machine: a probe thread scheduled late does
# not change the RTT it reports (the kernel times the reply), and the wire
# figure is measured, not assumed.
# Traffic goes only into the namespace.  Needs root; skips otherwise.
. tests/lib.sh

PROBE=$B/tools/cmprobe
ECHO=$B/tools/cmecho
if [ ! -x "$PROBE" ] || [ ! -x "$ECHO" ]; then
	notok "$PROBE and $ECHO are built"; exit 1
fi
what="probes through a network namespace"
if [ "$(id -u)" != 0 ]; then skip "$what: not root"; exit 0; fi
if ! command -v ip >/dev/null; then skip "$what: no ip command"; exit 0; fi

NS=cmprobe-$$
VA=cmp$$a		# host side
VB=cmp$$b		# namespace side
probe_cleanup() {
	cleanup			# lib.sh: kills $PIDS, removes $T
	ip link del "$VA" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
}
trap probe_cleanup EXIT

# A /24 of 10.254/16 the host does not use yet.
X=$(( $$ % 250 + 1 )); n=0
while ip -4 addr show | grep -q "inet 10\.254\.$X\." ||
      ip -4 route show | grep -q "^10\.254\.$X\."; do
	X=$(( X % 250 + 1 )); n=$((n + 1))
	[ "$n" -lt 250 ] || { skip "$what: no free 10.254.X.0/24"; exit 0; }
done
A4=10.254.$X.1 B4=10.254.$X.2 U4=10.254.$X.6
A6=fd00:254:0:$X::1 B6=fd00:254:0:$X::2 U6=fd00:254:0:$X::6

if ! ip netns add "$NS" 2>"$T/err"; then
	skip "$what: cannot create a namespace ($(head -1 "$T/err"))"; exit 0
fi
if ! ip link add "$VA" type veth peer name "$VB" netns "$NS" 2>"$T/err"; then
	skip "$what: cannot create a veth pair ($(head -1 "$T/err"))"; exit 0
fi
nsx() { ip netns exec "$NS" "$@"; }
if ! { ip addr add "$A4/30" dev "$VA" &&
       ip -6 addr add "$A6/64" dev "$VA" nodad &&
       ip link set "$VA" up &&
       nsx ip link set lo up &&
       nsx ip addr add "$B4/30" dev "$VB" &&
       nsx ip -6 addr add "$B6/64" dev "$VB" nodad &&
       nsx ip link set "$VB" up &&
       nsx sysctl -qw net.ipv4.icmp_echo_ignore_all=1 \
		net.ipv6.icmp.echo_ignore_all=1; } 2>"$T/err"; then
	notok "namespace $NS set up"; sed 's/^/# /' "$T/err"; exit 1
fi
ok "namespace $NS: $VA $A4 $A6 <-> $VB $B4 $B6, kernel echo replies off inside"

ip netns exec "$NS" "$ECHO" -d 50 >"$T/echo.out" 2>&1 &
ECHO_PID=$!; PIDS="$PIDS $ECHO_PID"
n=0; until grep -q ready "$T/echo.out" || [ $n -gt 50 ]; do sleep 0.1; n=$((n + 1)); done
check "cmecho -d 50 runs in the namespace" grep -q ready "$T/echo.out"

# field PROBE NAME FILE: one key=value of a cmprobe line.
field() {
	awk -v p="$1" -v f="$2" '$1 == "probe" && $2 == p {
		for (i = 3; i <= NF; i++) if (index($i, f "=") == 1) {
			print substr($i, length(f) + 2); exit } }' "$3"
}
show() { sed 's/^/#   /' "$1"; }

# The wire's account: dumpcap on an interface while a run goes on, then
# tshark's response time of each echo reply (it pairs replies with requests
# by identifier and sequence).  capture_start IF FILE MARKER [NETNS]:
# "Capturing on" came before the first request was in the file once in 10
# loaded runs, so the capture counts as running only when it holds the
# port unreachable that a UDP datagram to MARKER's port 9 draws.
capture_start() {
	if [ -n "$4" ]; then
		ip netns exec "$4" dumpcap -i "$1" -f "icmp or icmp6" -q -w "$2" \
			>"$2.out" 2>&1 &
	else
		dumpcap -i "$1" -f "icmp or icmp6" -q -w "$2" >"$2.out" 2>&1 &
	fi
	CAP_PID=$!; PIDS="$PIDS $CAP_PID"
	n=0; until grep -q '^Capturing on' "$2.out" || [ $n -gt 150 ]; do
		sleep 0.2; n=$((n + 1)); done
	n=0
	until [ "$(tshark -r "$2" -Y 'icmp.type == 3' 2>/dev/null | wc -l)" -gt 0 ] ||
	      [ $n -ge 50 ]; do
		${4:+ip netns exec "$4"} "$B/tools/cmsend" send udp "$3" 9 1 >/dev/null 2>&1
		sleep 0.2; n=$((n + 1))
	done
}
# capture_stop FILE RUN: once FILE holds as many echo replies as RUN's
# probes counted (dumpcap hands packets over a block of its ring at a time,
# so the last ones may still be in the kernel when cmprobe exits).
capture_stop() {
	want=0
	for p in $(awk '$1 == "probe" { print $2 }' "$2"); do
		r=$(field "$p" received "$2"); want=$((want + ${r:-0}))
	done
	n=0
	until [ "$(tshark -r "$1" -Y 'icmp.type == 0 || icmpv6.type == 129' \
			2>/dev/null | wc -l)" -ge "$want" ] || [ $n -ge 50 ]; do
		sleep 0.2; n=$((n + 1))
	done
	kill "$CAP_PID"; wait "$CAP_PID" 2>/dev/null
}
# wire FILE FIELD SRCFIELD SRC: "COUNT MIN MAX" of FIELD (ms) over the
# replies from SRC, in microseconds, rounded outwards.
wire() {
	tshark -r "$1" -Y "$2 && $3 == $4" -T fields -e "$2" 2>/dev/null |
	awk '$1 != "" { us = $1 * 1000; if (n == 0 || us < lo) lo = us
		if (us > hi) hi = us; n++ }
	     END { printf "%d %d %d\n", n, int(lo), int(hi) + (hi > int(hi)) }'
}
HAVE_WIRE=0
if command -v dumpcap >/dev/null && command -v tshark >/dev/null; then
	HAVE_WIRE=1
fi

# rtt_ok NAME FILE WIRE: answered, nothing lost or odd, and the RTTs
# against the wire's "COUNT MIN MAX" over the same exchanges.
#  - min >= 50 ms, with no tolerance: cmecho schedules each answer 50 ms
#    after it has read the request, so every reply reaches the wire at
#    least 50 ms after its request; the probe's RTT starts before the
#    request reached the wire and ends when the kernel received the reply.
#    Moving that kernel stamp onto the monotonic clock costs a few
#    microseconds, less than what the responder's reading and wake-up add.
#  - the wire saw at least as many replies as the probe counted: the max
#    below is only a bound if no exchange is missing from the capture.
#  - max <= the wire's max + SLACK: the probe times a request right before
#    its sendto(), the capture when it passes the device; the reply both
#    time alike (the same kernel receive stamp on the veth; on lo, its
#    transmit and its queueing to the receive side, microseconds apart).
#    So the RTT exceeds the wire's by the send path, tens of microseconds;
#    SLACK is 1 ms, 30 times that, and far below the scheduling delays
#    (30+ ms beside busy processes) a reply read late used to add.
SLACK=1000
rtt_ok() {
	st=$(field "$1" status "$2"); loss=$(field "$1" loss "$2")
	sent=$(field "$1" sent "$2"); rcvd=$(field "$1" received "$2")
	min=$(field "$1" min "$2"); avg=$(field "$1" avg "$2"); max=$(field "$1" max "$2")
	dup=$(field "$1" dup "$2"); late=$(field "$1" late "$2")
	set -- "$1" "$2" $3
	wn=${3:-0} wmin=${4:-0} wmax=${5:-0}
	desc="$1 $(field "$1" addr "$2") ($(field "$1" socket "$2") socket): RTT min/avg/max $min/$avg/$max us, min >= 50000"
	[ "$HAVE_WIRE" = 1 ] &&
		desc="$desc, max <= wire max $wmax + $SLACK (wire min $wmin, $wn replies)"
	desc="$desc, $rcvd/$sent answered"
	if [ "$st" = ok ] && [ "$loss" = 0.00 ] && [ "${rcvd:-0}" -ge 4 ] &&
	   [ "$dup" = 0 ] && [ "$late" = 0 ] && [ "${min:-0}" -ge 50000 ] &&
	   [ "${max:-0}" -ge "${min:-0}" ] &&
	   { [ "$HAVE_WIRE" = 0 ] || { [ "$wn" -ge "$rcvd" ] &&
	     [ "$max" -le $((wmax + SLACK)) ]; }; }; then
		ok "$desc"
	else
		notok "$desc (status $st, loss $loss, dup $dup, late $late)"
	fi
	# For whoever reads the log: how far the RTT and the wire are apart.
	echo "# rtt $1 min $min max $max wire $wmin $wmax"
}
[ "$HAVE_WIRE" = 1 ] ||
	skip "RTTs against the wire: no dumpcap/tshark (only the 50 ms floor is checked)"

# 1. The delayed responder over both families, and addresses nobody
# holds (the host's ARP/NDP fails: ICMP unreachable from its own address).
ip route add "$U4/32" dev "$VA"
[ "$HAVE_WIRE" = 0 ] || capture_start "$VA" "$T/run1.pcapng" "$B4"
"$PROBE" -t 5.5 "d4 $B4 interval 1 timeout 2" "d6 $B6 interval 1 timeout 2" \
	"u4 $U4 interval 1 timeout 5" "u6 $U6 interval 1 timeout 5" \
	>"$T/run1" 2>&1
[ "$HAVE_WIRE" = 0 ] || capture_stop "$T/run1.pcapng" "$T/run1"
echo "# cmprobe against the 50 ms responder and unused addresses:"; show "$T/run1"
w4= w6=
if [ "$HAVE_WIRE" = 1 ]; then
	w4=$(wire "$T/run1.pcapng" icmp.resptime ip.src "$B4")
	w6=$(wire "$T/run1.pcapng" icmpv6.resptime ipv6.src "$B6")
fi
rtt_ok d4 "$T/run1" "$w4"
rtt_ok d6 "$T/run1" "$w6"
for p in u4 u6; do
	st=$(field $p status "$T/run1"); un=$(field $p unreachable "$T/run1")
	rc=$(field $p received "$T/run1")
	if [ "$st" = unreachable ] && [ "${un:-0}" -ge 1 ] && [ "$rc" = 0 ] &&
	   grep "^probe $p " "$T/run1" | grep -q 'error=".*unreachable (ICMP code'; then
		ok "$p $(field $p addr "$T/run1"): status unreachable, $un unreachables, none answered"
	else
		notok "$p: status unreachable (got status $st, unreachable $un, received $rc)"
	fi
done

# 2. Ping sockets: inside the namespace, where the test may widen
# net.ipv4.ping_group_range, against the responder over its loopback.
[ "$HAVE_WIRE" = 0 ] || capture_start lo "$T/run2.pcapng" 127.0.0.1 "$NS"
if nsx sysctl -qw net.ipv4.ping_group_range="0 2147483647" 2>/dev/null &&
   nsx "$PROBE" -s dgram -t 4.5 "l4 127.0.0.1 interval 1 timeout 2" \
	"l6 ::1 interval 1 timeout 2" >"$T/run2" 2>&1; then
	[ "$HAVE_WIRE" = 0 ] || capture_stop "$T/run2.pcapng" "$T/run2"
	echo "# cmprobe -s dgram inside the namespace:"; show "$T/run2"
	check "l4 and l6 use ICMP datagram sockets" \
		grep -q 'socket4=dgram socket6=dgram' "$T/run2"
	w4= w6=
	if [ "$HAVE_WIRE" = 1 ]; then
		w4=$(wire "$T/run2.pcapng" icmp.resptime ip.src 127.0.0.1)
		w6=$(wire "$T/run2.pcapng" icmpv6.resptime ipv6.src ::1)
	fi
	rtt_ok l4 "$T/run2" "$w4"
	rtt_ok l6 "$T/run2" "$w6"
else
	[ "$HAVE_WIRE" = 0 ] || capture_stop "$T/run2.pcapng" "$T/run2"
	skip "ICMP datagram sockets: $(cat "$T/run2" 2>/dev/null | head -1)"
	: >"$T/run2"
fi

# The responder's own count: every request it answered was an answer
# cmprobe counted, and the other way round.
kill "$ECHO_PID"; wait "$ECHO_PID" 2>/dev/null
answered=$(sed -n 's/^cmecho: answered \([0-9]*\),.*/\1/p' "$T/echo.out")
counted=0
for f in "$T/run1" "$T/run2"; do
	for p in d4 d6 l4 l6; do
		r=$(field $p received "$f"); counted=$((counted + ${r:-0}))
	done
done
check "cmecho answered $answered requests, cmprobe counted $counted answers" \
	test "${answered:-x}" = "$counted"

# 3. The namespace's side of the link down: requests leave and vanish.
# Neighbours pinned, so no ARP/NDP failure turns timeouts into unreachables.
mac=$(nsx cat "/sys/class/net/$VB/address")
ip neigh replace "$B4" lladdr "$mac" dev "$VA" nud permanent
ip -6 neigh replace "$B6" lladdr "$mac" dev "$VA" nud permanent
nsx ip link set "$VB" down
# Until the kernel's link watcher has taken the carrier loss into account
# (a kworker, late on a busy host), the veth drops what is sent and an
# IPv6 send fails with ENOBUFS (seen beside busy loops): wait for a send
# that is not refused.
n=0
until "$PROBE" -t 0.2 "s6 $B6 interval 1 timeout 1" >"$T/settle" 2>&1 &&
      [ "$(field s6 errors "$T/settle")" = 0 ] || [ $n -ge 50 ]; do
	n=$((n + 1))
done
"$PROBE" -t 4.5 "d4 $B4 interval 1 timeout 1" "d6 $B6 interval 1 timeout 1" \
	>"$T/run3" 2>&1
echo "# cmprobe with the link down:"; show "$T/run3"
for p in d4 d6; do
	st=$(field $p status "$T/run3"); loss=$(field $p loss "$T/run3")
	to=$(field $p timeouts "$T/run3"); rc=$(field $p received "$T/run3")
	cl=$(field $p consec_lost "$T/run3"); er=$(field $p errors "$T/run3")
	if [ "$st" = timeout ] && [ "$loss" = 100.00 ] && [ "$rc" = 0 ] &&
	   [ "$er" = 0 ] && [ "${to:-0}" -ge 3 ] && [ "$cl" = "$to" ]; then
		ok "$p link down: status timeout, loss 100.00%, $to timeouts, $cl lost in a row"
	else
		notok "$p link down: status timeout, loss 100% (got status $st, loss $loss, timeouts $to, received $rc, errors $er, consec_lost $cl)"
	fi
done
