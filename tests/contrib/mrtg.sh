# contrib/mrtg: coremon-mrtg-cfg walks a running coremond and writes a
# configuration; the real MRTG runs it twice while this test pushes traffic
# through lo, and the rate MRTG logs for lo is what the kernel counted.
. tests/lib.sh
. tests/contrib/common.sh

need snmp mrtg || { notok "install mrtg"; exit 1; }
extra="probe self 127.0.0.1 interval 1 timeout 1"
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

# Traffic on lo (about 4,000,000 B/s); held connections so that the top
# client has a few.  MRTG's rate for lo is compared with what the kernel
# counted (/proc/net/dev, read every 0.1 s) between its two runs, not with
# the generator's nominal rate, which a loaded machine does not keep.
$B/tools/cmtraffic tcp 4000000 120 >/dev/null &
TPID=$!; PIDS="$PIDS $TPID"
$B/tools/cmconns 120 >"$T/conns" &
PIDS="$PIDS $!"
n=0; while [ $n -lt 300 ] && ! grep -q ready "$T/conns"; do sleep 0.1; n=$((n + 1)); done
dev_recorder lo "$T/lo.dev"
wait_samples "$PORT" 2
# and the recorder has readings from 2 s before the first run on
n=0; until [ -s "$T/lo.dev" ] && awk -v t="$(now)" 'NR == 1 { exit !($1 < t - 2) }' "$T/lo.dev" || [ $n -gt 100 ]; do sleep 0.1; n=$((n + 1)); done
env LANG=C mrtg "$T/mrtg.cfg" >"$T/mrtg1.out" 2>&1; rc1=$?
cp "$W/test_if_lo.log" "$T/lo1.log"
sleep 15	# the interval MRTG averages over, not a wait for anything
env LANG=C mrtg "$T/mrtg.cfg" >"$T/mrtg2.out" 2>&1; rc2=$?
# The recorder goes on until it has a reading 1.2 s past now (below: up to
# a second past the run's time).
until=$(now); n=0
until awk -v u="$until" 'END { exit !($1 > u + 1.2) }' "$T/lo.dev" || [ $n -gt 100 ]; do sleep 0.1; n=$((n + 1)); done
kill "$TPID" "$REC_PID" 2>/dev/null
# An interface that went away after the configuration was written (the
# veth of another test, a container's) is an error of MRTG's for that
# target only, and an operator's reason to run coremon-mrtg-cfg again: it
# is forgiven when cmIfTable no longer has it; any other error is not.
now_ifs=$(walk "$PORT" "$CM.2.1.1.2" | sed -E 's/^.* "?([^"]*)"?$/test_if_\1/' | tr -c 'A-Za-z0-9_.\n-' '_' | sort)
other_errors=$(grep -h 'ERROR' "$T/mrtg1.out" "$T/mrtg2.out" | while read -r line; do
	t=$(echo "$line" | sed -n 's/.*Target\[\(test_if_[^]]*\)\].*/\1/p')
	if [ -n "$t" ] && ! echo "$now_ifs" | grep -qx "$t"; then continue; fi
	echo "$line"
done)
gone=$(grep -h 'ERROR' "$T/mrtg1.out" "$T/mrtg2.out" | sed -n 's/.*Target\[\(test_if_[^]]*\)\].*/\1/p' | sort -u | tr '\n' ' ')
check "mrtg ran twice without error (status $rc1, $rc2${gone:+; interfaces gone since: $gone})" \
	sh -c "test -z \"\$1\" && { test $rc1 = 0 -a $rc2 = 0 || test -n '$gone'; }" _ "$other_errors"
grep -v 'Rateup WARNING' "$T/mrtg1.out" "$T/mrtg2.out" | grep . | head -5 | sed 's/^/# /'

# Line 2 of a rateup log: time, average in, average out, max in, max out.
echo "# test_if_lo.log:"; head -3 "$W/test_if_lo.log" | sed 's/^/#   /'
in=$(sed -n 2p "$W/test_if_lo.log" | awk '{ print $2 }')
out=$(sed -n 2p "$W/test_if_lo.log" | awk '{ print $3 }')
# Line 1 of a rateup log: the time of the run and the counters it read.
# Those are coremond's of its latest sample (sampleInterval 1; L = 1.5 s
# allows for a late one), so the kernel's count at a time in [T - L, T + 1]
# (/proc/net/dev, read every 0.1 s); and the rate logged is their
# difference over MRTG's interval: the kernel's, not the generator's.
# kernel_at T COLUMN: "LOW HIGH", the kernel's counter bounds over [T - L, T + 1].
both_between() { between "$1" "$2" "$3" && between "$4" "$5" "$6"; }
kernel_at() {
	awk -v t="$1" -v c="$2" -v L=1.5 'NF == 4 { if ($4 <= t - L) lo = $c; if (hi == "" && $1 >= t + 1) hi = $c }
		END { print lo, hi }' "$T/lo.dev"
}
for run in 1 2; do
	f=$T/lo1.log; [ $run = 2 ] && f=$W/test_if_lo.log
	set -- $(head -1 "$f")
	eval "T$run=\$1 IN$run=\$2 OUT$run=\$3"
	ki=$(kernel_at "$1" 2); ko=$(kernel_at "$1" 3)
	check "MRTG run $run read lo's counters as the kernel counted them at its time $1 (in $2 in ${ki% *}..${ki#* }, out $3 in ${ko% *}..${ko#* })" \
		both_between "${ki% *}" "$2" "${ki#* }" "${ko% *}" "$3" "${ko#* }"
done
check "MRTG logged lo's rates as those counts over its interval ($in, $out B/s; runs at $T1, $T2)" \
	awk -v i="$in" -v o="$out" -v a="$IN1" -v b="$IN2" -v c="$OUT1" -v d="$OUT2" -v t1="$T1" -v t2="$T2" 'BEGIN {
		if (t2 <= t1) exit 1; ri = (b - a) / (t2 - t1); ro = (d - c) / (t2 - t1)
		exit !(i >= ri * 0.99 - 1 && i <= ri * 1.01 + 1 && o >= ro * 0.99 - 1 && o <= ro * 1.01 + 1) }'
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
