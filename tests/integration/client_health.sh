#!/bin/sh
# TCP health per client (cmClientTable's health columns,
# cmClientRetransTopTable, cmClientRetrans) in a network namespace of its
# own, so that nothing else's traffic mixes in: coremond, snmptrapd, a
# server and two clients all run inside it, over its lo.  nftables drops
# one in 6 of the server's segments to the lossy client 127.0.0.2
# (numgen random, on the input hook: a drop on output only fails the
# send, which TCP repeats as a first transmission, not a retransmission;
# the kernel here has no netem), none to the clean client 127.0.0.3.
# The server sends each client's 3 connections 3 MiB, paced
# over about 3 s.  Once sent and acknowledged, the lossy client's
# retransmitted segments and octets and its data segments sent equal the
# sums of ss -ti's retrans:N/M (M), bytes_retrans and data_segs_out over
# the server's sockets to it, as does its ratio; the clean client's
# equal ss -ti too, and are 0 (unless a loaded machine made the kernel
# retransmit spuriously, which the test then says); while the loss lasts the lossy client tops cmClientRetransTopTable
# and cmClientRetrans reaches a real snmptrapd, then clears.
# Needs root, ip netns and nft; skips otherwise.
. tests/lib.sh

what="client TCP health in a network namespace"
if [ -z "$CM_IN_NETNS" ]; then
	for c in ip nft ss; do
		command -v $c >/dev/null || { skip "$what: no $c"; exit 0; }
	done
fi
in_own_netns "$what"
# No tail loss probes in this namespace: on a loaded machine they
# retransmit to the clean client too (a probe counts in
# tcpi_total_retrans).
sysctl -qw net.ipv4.tcp_early_retrans=0 2>/dev/null
if ! nft -f - <<EON 2>"$T/err"
table inet cmhealth {
	chain in {
		type filter hook input priority 0;
		ip daddr 127.0.0.2 tcp sport 7000 numgen random mod 6 0 drop
	}
}
EON
then skip "$what: nftables refuses the rule ($(head -1 "$T/err"))"; exit 0; fi

start_trapd
PORT=$(free_port)
cat >"$T/coremon.conf" <<EOC
rocommunity public 127.0.0.1
trap2sink 127.0.0.1:$TPORT public
connRefresh 1
notifyHoldDown 0
clientRetransThreshold 5%
EOC
start_coremond "$T/coremon.conf" --standalone "udp:127.0.0.1:$PORT"
check "coremond serves in the namespace" wait_for "$PORT" "$CM.1.1.0" 10

BYTES=$((3 * 1024 * 1024))
$B/tools/cmlisten serve 127.0.0.1 7000 6 $BYTES 60 >"$T/serve.out" 2>&1 &
PIDS="$PIDS $!"
n=0; until grep -q listening "$T/serve.out" || [ $n -gt 50 ]; do sleep 0.1; n=$((n+1)); done
$B/tools/cmlisten fetch 127.0.0.2 127.0.0.1 7000 3 >"$T/lossy.out" 2>&1 &
PIDS="$PIDS $!"
$B/tools/cmlisten fetch 127.0.0.3 127.0.0.1 7000 3 >"$T/clean.out" 2>&1 &
PIDS="$PIDS $!"

# The lossy client: ipv4 127.0.0.2; the clean one 127.0.0.3.
LOSSY=1.4.127.0.0.2 CLEAN=1.4.127.0.0.3
ccol() { get "$PORT" "$CM.3.3.1.$1.$2"; }
top_is_lossy() {
	get "$PORT" "$CM.3.5.1.3.1" | grep -qi '7F 00 00 02'
}
n=0; until top_is_lossy || [ $n -gt 100 ]; do sleep 0.1; n=$((n+1)); done
check "while the loss lasts the lossy client tops cmClientRetransTopTable" top_is_lossy
check "cmClientRetrans arrives" wait_trap 17 1 15
lossy_named() { varbinds 17 "$CM.3.3.1.20.$LOSSY =" | grep -qF "$CM.3.3.1.20.$LOSSY ="; }
check "it names the lossy client" lossy_named

done_all() { grep -q done "$T/lossy.out" && grep -q done "$T/clean.out"; }
n=0; until done_all || [ $n -gt 300 ]; do sleep 0.1; n=$((n+1)); done
check "both clients read everything ($(cat "$T/lossy.out" "$T/clean.out" | tr '\n' ' '))" \
	test "$(cat "$T/lossy.out")" = "done $((3 * BYTES))" -a \
	     "$(cat "$T/clean.out")" = "done $((3 * BYTES))"

# ss_sum DST FIELD: the sum of FIELD over the server's sockets to DST, as
# ss -ti prints it (retrans: the total after the slash).
ss_sum() {
	ss -tinH "src 127.0.0.1:7000 dst $1" | tr ' \t' '\n\n' | awk -v f="$2" '
		f == "retrans" && /^retrans:/ { split($0, a, "/"); s += a[2] }
		f != "retrans" && index($0, f ":") == 1 { split($0, a, ":"); s += a[2] }
		END { print s + 0 }'
}
# Everything sent is acknowledged: the counters stop.  Wait for two
# refreshes so the snapshot is newer than the last segment.
refreshes() { r=$(get "$PORT" "$CM.3.1.16.0"); echo "${r:-0}"; }
r=$(refreshes); n=0
until [ "$(refreshes)" -ge $((r + 2)) ] || [ $n -gt 50 ]; do
	sleep 0.2; n=$((n+1)); done
RS=$(ss_sum 127.0.0.2 retrans) RO=$(ss_sum 127.0.0.2 bytes_retrans)
DS=$(ss_sum 127.0.0.2 data_segs_out)
check "cmClientRetransSegs of the lossy client equals ss -ti ($RS)" \
	test "$(ccol 16 $LOSSY)" = "$RS" -a "$RS" -gt 0
check "cmClientRetransOctets equals ss -ti bytes_retrans ($RO)" \
	test "$(ccol 17 $LOSSY)" = "$RO"
check "cmClientOutDataSegs equals ss -ti data_segs_out ($DS)" \
	test "$(ccol 18 $LOSSY)" = "$DS"
RATIO=$(awk -v r="$RS" -v d="$DS" 'BEGIN { printf "%d", r * 10000 / d + 0.5 }')
check "cmClientRetransRatio is their ratio ($RATIO hundredths of a percent)" \
	test "$(ccol 19 $LOSSY)" = "$RATIO"
# The clean client loses nothing, but a loaded machine can delay an ACK
# past the retransmission timeout: the kernel then retransmits to it too,
# and coremond must say so.  Its figures always equal ss -ti; they are 0
# whenever ss's are.
CS=$(ss_sum 127.0.0.3 retrans) CO=$(ss_sum 127.0.0.3 bytes_retrans)
check "the clean client's retransmitted segments equal ss -ti ($CS)" \
	test "$(ccol 16 $CLEAN)" = "$CS"
check "the clean client's retransmitted octets equal ss -ti ($CO)" \
	test "$(ccol 17 $CLEAN)" = "$CO"
if [ "$CS" = 0 ]; then
	check "the clean client shows 0 and never raised cmClientRetrans" \
		sh -c "! grep -qF '$CM.3.3.1.20.$CLEAN =' '$T/traps.log'"
else
	echo "# the clean client had $CS spurious retransmissions (a loaded machine)"
fi
lossy_cleared() { varbinds 18 "$CM.3.3.1.20.$LOSSY =" | grep -qF "$CM.3.3.1.20.$LOSSY ="; }
wait_lossy_cleared() {
	n=75; until lossy_cleared || [ $n -le 0 ]; do sleep 0.2; n=$((n - 1)); done
	lossy_cleared
}
check "cmClientRetransCleared for the lossy client once nothing is sent" \
	wait_lossy_cleared
check "the RTT columns are served (mean $(ccol 21 $LOSSY) us, min $(ccol 23 $LOSSY) us)" \
	test -n "$(ccol 21 $LOSSY)" -a -n "$(ccol 23 $LOSSY)"
exit 0
