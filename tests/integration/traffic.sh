# cmTraffic through a real snmpd master with coremond as AgentX subagent;
# every value is checked against /proc or snmpd's own IF-MIB/TCP-MIB.
. tests/lib.sh

PORT=$(free_port)
start_master "$PORT" || { notok "snmpd master starts"; exit 1; }
cat >"$T/coremon.conf" <<EOC
agentXSocket $T/agentx.sock
sampleInterval 1
historySamples 50
EOC
start_coremond "$T/coremon.conf"
LO=$(cat /sys/class/net/lo/ifindex)
check "coremond registers cmIfTable with the master" \
	wait_for "$PORT" "$CM.2.1.1.2.$LO" 10
echo "# coremond log:"; sed 's/^/#   /' "$T/coremond.log"

# The rows are exactly the kernel's interfaces, by ifindex and name.
want=$(for d in /sys/class/net/*; do echo "$(cat "$d/ifindex") $(basename "$d")"; done | sort -n)
got=$(walk "$PORT" "$CM.2.1.1.2" | sed -E 's/^.*\.([0-9]+) "?([^"]*)"?$/\1 \2/' | sort -n)
if [ "$want" = "$got" ]; then ok "cmIfTable rows are /sys/class/net's ifindex and name ($(echo "$got" | wc -l) interfaces)"
else notok "cmIfTable rows match /sys/class/net"; echo "# want: $want"; echo "# got: $got"; fi

# Counters: bracket coremond's last sample between /proc read before that
# sample (wait_samples: two samples taken since) and /proc read after the
# query.
for i in $(ls /sys/class/net); do
	idx=$(cat /sys/class/net/$i/ifindex)
	for pair in "3 1 rx_octets" "4 2 rx_packets" "11 9 tx_octets" "12 10 tx_packets" "5 3 rx_errors" "14 12 tx_drops"; do
		set -- $pair
		eval "a_$3=\$(proc_dev $i $2)"
	done
	wait_samples "$PORT" 2
	bad=""
	for pair in "3 1 rx_octets" "4 2 rx_packets" "11 9 tx_octets" "12 10 tx_packets" "5 3 rx_errors" "14 12 tx_drops"; do
		set -- $pair
		v=$(get "$PORT" "$CM.2.1.1.$1.$idx")
		b=$(proc_dev $i $2)
		eval "a=\$a_$3"
		between "$a" "$v" "$b" || bad="$bad $3($a<=$v<=$b?)"
	done
	if [ -z "$bad" ]; then ok "cmIfTable $i counters equal /proc/net/dev within one sample"
	else notok "cmIfTable $i counters equal /proc/net/dev:$bad"; fi
done

# Against snmpd's own IF-MIB: ifHCInOctets/ifHCOutOctets for the same
# ifIndex; snmpd caches its ifTable a few seconds: until it has read the
# kernel's counters again (its values reach /proc's of before; 30 s at
# most), then both must lie between /proc readings before and after.
a_in=$(proc_dev lo 1); a_out=$(proc_dev lo 9)
wait_samples "$PORT" 2
n=0
while [ $n -lt 150 ]; do
	if_in=$(get "$PORT" ".1.3.6.1.2.1.31.1.1.1.6.$LO"); if_out=$(get "$PORT" ".1.3.6.1.2.1.31.1.1.1.10.$LO")
	between "$a_in" "$if_in" 99999999999999999999 && between "$a_out" "$if_out" 99999999999999999999 && break
	sleep 0.2; n=$((n + 1))
done
cm_in=$(get "$PORT" "$CM.2.1.1.3.$LO"); cm_out=$(get "$PORT" "$CM.2.1.1.11.$LO")
b_in=$(proc_dev lo 1); b_out=$(proc_dev lo 9)
if between "$a_in" "$cm_in" "$b_in" && between "$a_in" "$if_in" "$b_in" &&
   between "$a_out" "$cm_out" "$b_out" && between "$a_out" "$if_out" "$b_out"; then
	ok "lo octets agree with snmpd's IF-MIB ifHCIn/OutOctets.$LO (cm $cm_in/$cm_out, if-mib $if_in/$if_out)"
else
	notok "lo octets agree with IF-MIB: proc $a_in..$b_in cm $cm_in if-mib $if_in; out proc $a_out..$b_out cm $cm_out if-mib $if_out"
fi

# Rates: about 2,000,000 bytes/s of TCP on lo (lo counts each byte once in
# and once out), against what the kernel counted (/proc/net/dev read every
# 0.1 s) over coremond's latest sample interval, which began after t0
# (wait_samples 3) and ended before t1; not against the generator's
# nominal rate, which a loaded machine does not keep.
RATE=2000000
$B/tools/cmtraffic tcp $RATE 60 >"$T/sent" &
TPID=$!; PIDS="$PIDS $TPID"
dev_recorder lo "$T/lo.dev"
t0=$(now)
wait_samples "$PORT" 3
in_rate=$(get "$PORT" "$CM.2.1.1.19.$LO"); out_rate=$(get "$PORT" "$CM.2.1.1.20.$LO")
t1=$(now)
pk_rate=$(get "$PORT" "$CM.2.1.1.21.$LO"); valid=$(get "$PORT" "$CM.2.1.1.23.$LO")
kill "$TPID" "$REC_PID"; wait "$TPID" 2>/dev/null
k_in=$(dev_rates "$T/lo.dev" 2 "$t0" "$t1"); k_out=$(dev_rates "$T/lo.dev" 3 "$t0" "$t1")
check "cmIfInOctetRate of lo is /proc/net/dev's count over the same interval within 10% (got $in_rate; kernel ${k_in% *}..${k_in#* } B/s)" \
	in_rates "$in_rate" ${k_in:-x x} 10
check "cmIfOutOctetRate of lo is /proc/net/dev's count over the same interval within 10% (got $out_rate; kernel ${k_out% *}..${k_out#* } B/s)" \
	in_rates "$out_rate" ${k_out:-x x} 10
check "cmIfInPacketRate of lo is non-zero while traffic flows (got $pk_rate hundredths/s)" test "${pk_rate:-0}" -gt 100
check "cmIfRateValid is true after two samples" test "$valid" = 1

# TCP, UDP, IP, system scalars against /proc, bracketed the same way.
bracket() {	# DESCRIPTION OID COMMAND-READING-PROC...
	d=$1; o=$2; shift 2
	a=$("$@"); wait_samples "$PORT" 2; v=$(get "$PORT" "$o"); b=$("$@")
	if between "$a" "$v" "$b"; then ok "$d ($a <= $v <= $b)"; else notok "$d ($a <= $v <= $b)"; fi
}
sum2() { echo $(( $(proc_snmp "$1" "$2") + $(awk -v n="$3" '$1 == n {print $2}' /proc/net/snmp6) )); }
bracket "cmTcpInSegs equals /proc/net/snmp Tcp InSegs" "$CM.2.2.1.0" proc_snmp Tcp InSegs
bracket "cmTcpOutSegs equals Tcp OutSegs" "$CM.2.2.2.0" proc_snmp Tcp OutSegs
bracket "cmTcpActiveOpens equals Tcp ActiveOpens" "$CM.2.2.6.0" proc_snmp Tcp ActiveOpens
bracket "cmTcpListenDrops equals TcpExt ListenDrops" "$CM.2.2.9.0" proc_snmp TcpExt ListenDrops
$B/tools/cmtraffic udp 500 200 >/dev/null; $B/tools/cmtraffic udp 300 200 6 >/dev/null
bracket "cmUdpInDatagrams equals Udp InDatagrams + Udp6InDatagrams" "$CM.2.3.1.0" sum2 Udp InDatagrams Udp6InDatagrams
bracket "cmUdpOutDatagrams equals Udp OutDatagrams + Udp6OutDatagrams" "$CM.2.3.2.0" sum2 Udp OutDatagrams Udp6OutDatagrams
bracket "cmIpInReceives equals Ip InReceives + Ip6InReceives" "$CM.2.4.1.0" sum2 Ip InReceives Ip6InReceives
bracket "cmSysContextSwitches equals /proc/stat ctxt" "$CM.2.5.1.0" awk '$1 == "ctxt" {print $2}' /proc/stat
bracket "cmSysPagesIn equals /proc/vmstat pgpgin" "$CM.2.5.4.0" awk '$1 == "pgpgin" {print $2}' /proc/vmstat

# snmpd's TCP-MIB tcpInSegs (Counter32) agrees modulo 2^32.
# snmpd caches it a few seconds: until its value has passed /proc's of
# before (30 s at most).
a=$(proc_snmp Tcp InSegs); wait_samples "$PORT" 2
n=0
while [ $n -lt 150 ]; do
	v=$(get "$PORT" .1.3.6.1.2.1.6.10.0); b=$(proc_snmp Tcp InSegs)
	awk -v a="$a" -v b="$b" -v v="$v" 'BEGIN { m = 4294967296; exit !(v != "" && (v - a % m + m) % m <= b - a) }' && break
	sleep 0.2; n=$((n + 1))
done
c=$(get "$PORT" "$CM.2.2.1.0"); b=$(proc_snmp Tcp InSegs)
check "snmpd's tcpInSegs and cmTcpInSegs both lie in /proc's range ($v, $c)" \
	awk -v a="$a" -v b="$b" -v v="$v" -v c="$c" 'BEGIN { m = 4294967296; exit !(c >= a && c <= b && (v - a % m + m) % m <= b - a) }'

# The history ring: rows numbered by sample, at most historySamples.
# As many rows as samples taken (read before and after the walk), at most 50.
t_a=$(get "$PORT" "$CM.2.6.4.0")
rows=$(walk "$PORT" "$CM.2.7.1.2" | wc -l)
taken=$(get "$PORT" "$CM.2.6.4.0")
check "cmHistoryTable has min(samples taken, historySamples 50) rows (got $rows; taken $t_a..$taken)" \
	awk -v r="$rows" -v a="$t_a" -v b="$taken" 'BEGIN { if (a > 50) a = 50; if (b > 50) b = 50; exit !(r >= a && r <= b && r >= 2) }'

last=$(walk "$PORT" "$CM.2.7.1.18" | tail -1 | sed -E 's/^.*\.([0-9]+) .*$/\1/')
check "the newest history row's index is the number of samples taken ($last = $taken)" test "$last" = "$taken"
# Every column of every row answers (no holes in the walk).
cols=$(walk "$PORT" "$CM.2.7" | wc -l)
check "cmHistoryTable walk gives 17 columns per row ($cols values for $rows rows)" test "$cols" -ge $((17 * rows))

# The whole group walks through the master; every object answers.
n=$(walk "$PORT" "$CM.2" | wc -l)
ifs=$(ls /sys/class/net | wc -l)
check "a full walk of cmTraffic returns the objects of every group ($n values)" test "$n" -ge $((22 * ifs + 50))
if grep -qi 'timed out\|timeout' "$T/snmpd.log"; then notok "the master logged no AgentX timeout"; else ok "the master logged no AgentX timeout"; fi
# coremond logs any request that took over 50 ms (agent/mibtable.c).
slow=$(grep 'a request took' "$T/coremond.log" | head -1)
check "no request handler took over 50 ms during the walks${slow:+: $slow}" test -z "$slow"

kill "$CM_PID"; wait "$CM_PID"; rc=$?
check "coremond exits 0 on SIGTERM (status $rc)" test "$rc" = 0
