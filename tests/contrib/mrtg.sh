# contrib/mrtg: coremon-mrtg-cfg walks a running coremond and writes a
# configuration; the real MRTG runs it twice while this test pushes a known
# rate through lo, and the rate MRTG logs for lo is that rate.
. tests/lib.sh
. tests/contrib/common.sh

need snmp mrtg || { notok "install mrtg"; exit 1; }
extra=""
accepts "probe self 127.0.0.1 interval 1 timeout 1" && extra="probe self 127.0.0.1 interval 1 timeout 1"
start_stack "$extra" || { notok "snmpd master with coremond starts"; exit 1; }
ok "snmpd master on 127.0.0.1:$PORT with coremond attached"

W=$T/mrtg; mkdir -p "$W"
if contrib/mrtg/coremon-mrtg-cfg -p "$PORT" -d "$W" -n test 127.0.0.1 >"$T/mrtg.cfg" 2>"$T/gen.err"; then
	ok "coremon-mrtg-cfg wrote $(grep -c '^Target\[' "$T/mrtg.cfg") targets"
else
	notok "coremon-mrtg-cfg runs: $(cat "$T/gen.err")"; exit 1
fi
# One interface target per row of cmIfTable, named after cmIfName.
want=$(walk "$PORT" "$CM.2.1.1.2" | sed -E 's/^.* "?([^"]*)"?$/test_if_\1/' | tr -c 'A-Za-z0-9_.\n-' '_' | sort)
got=$(sed -n 's/^Target\[\(test_if_[^]]*\)\].*/\1/p' "$T/mrtg.cfg" | sort)
check "an interface target for each cmIfTable row ($(echo "$got" | wc -l))" test "$want" = "$got"
check "lo's target reads cmIfInOctets.$LO & cmIfOutOctets.$LO over SNMPv2c" \
	grep -q "^Target\[test_if_lo\]: 1.3.6.1.4.1.8072.9999.9999.2611.1.2.1.1.3.$LO&1.3.6.1.4.1.8072.9999.9999.2611.1.2.1.1.11.$LO:public@127.0.0.1:$PORT::::2\$" "$T/mrtg.cfg"
check "a TCP segments target (cmTcpInSegs & cmTcpOutSegs)" grep -q '^Target\[test_tcp_segments\]: 1.3.6.1.4.1.8072.9999.9999.2611.1.2.2.1.0&' "$T/mrtg.cfg"
check "top client targets (by rate and by connections)" \
	sh -c "grep -q '^Target\[test_topclient_rate\]: \`' '$T/mrtg.cfg' && grep -q '^Target\[test_topclient_conns\]: \`' '$T/mrtg.cfg'"
if has "$CM.8.2.1.2.1"; then
	check "a probe RTT target (gauge) for probe 'self'" \
		sh -c "grep -q '^Target\[test_probe_self\]: 1.3.6.1.4.1.8072.9999.9999.2611.1.8.2.1.9.1&' '$T/mrtg.cfg' &&
		       grep -q '^Options\[test_probe_self\]: gauge' '$T/mrtg.cfg'"
else
	skip "probe RTT targets: cmProbeTable not served yet (when the probe group is running)"
fi

# Known traffic; held connections so that the top client has a few.
RATE=4000000
$B/tools/cmtraffic tcp $RATE 24 >/dev/null &
TPID=$!; PIDS="$PIDS $TPID"
$B/tools/cmconns 30 >"$T/conns" &
PIDS="$PIDS $!"
sleep 3
a=$(proc_dev lo 1); ta=$(date +%s.%N)
env LANG=C mrtg "$T/mrtg.cfg" >"$T/mrtg1.out" 2>&1; rc1=$?
sleep 15
env LANG=C mrtg "$T/mrtg.cfg" >"$T/mrtg2.out" 2>&1; rc2=$?
b=$(proc_dev lo 1); tb=$(date +%s.%N)
check "mrtg ran twice without error (status $rc1, $rc2)" test "$rc1" = 0 -a "$rc2" = 0
grep -v 'Rateup WARNING' "$T/mrtg1.out" "$T/mrtg2.out" | grep . | head -5 | sed 's/^/# /'

# Line 2 of a rateup log: time, average in, average out, max in, max out.
echo "# test_if_lo.log:"; head -3 "$W/test_if_lo.log" | sed 's/^/#   /'
in=$(sed -n 2p "$W/test_if_lo.log" | awk '{ print $2 }')
out=$(sed -n 2p "$W/test_if_lo.log" | awk '{ print $3 }')
proc=$(awk -v a="$a" -v b="$b" -v t0="$ta" -v t1="$tb" 'BEGIN { printf "%d", (b - a) / (t1 - t0) }')
echo "# lo by /proc/net/dev over the same runs: $proc B/s (other traffic on lo: $((proc - RATE)) B/s)"
check "MRTG's lo rate agrees with /proc/net/dev over the same runs within 10% ($in vs $proc)" within "$in" "$proc" 10
# Other tests running on this machine may add their own loopback traffic;
# the generated rate is then not all lo carries.
if within "$proc" $RATE 10; then
	check "MRTG logged lo's in rate as the generated $RATE B/s within 20% (got $in)" within "$in" $RATE 20
	check "MRTG logged lo's out rate as the generated $RATE B/s within 20% (got $out)" within "$out" $RATE 20
else
	skip "lo carried $((proc - RATE)) B/s besides the generated $RATE B/s (other processes): MRTG checked against /proc/net/dev only"
fi
segs=$(sed -n 2p "$W/test_tcp_segments.log" | awk '{ print $2 }')
check "MRTG logged a TCP segment rate while the traffic flowed ($segs segments/s in)" test "${segs:-0}" -gt 50
conns=$(sed -n 2p "$W/test_topclient_conns.log" | awk '{ print $2 }')
check "MRTG logged the top client's connections (cmconns holds 12+ to 127.0.0.1; got $conns)" test "${conns:-0}" -ge 12
if has "$CM.8.2.1.2.1"; then
	rtt=$(sed -n 2p "$W/test_probe_self.log" | awk '{ print $2 }')
	check "MRTG logged probe self's RTT in microseconds ($rtt)" test "${rtt:-0}" -gt 0 -a "${rtt:-0}" -lt 1000000
fi
check "MRTG drew lo's daily graph" test -s "$W/test_if_lo-day.png"
r=$(env LANG=C mrtg --check contrib/mrtg/mrtg-coremon.cfg.sample 2>&1); rc=$?
check "mrtg --check accepts the committed mrtg-coremon.cfg.sample${r:+ ($r)}" test "$rc" = 0
only_loopback && ok "every server of this test listened on 127.0.0.1 only"
