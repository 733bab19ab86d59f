# cmProbeTable through a real master: ICMP echo to 127.0.0.1 and ::1.
. tests/lib.sh

PORT=$(free_port)
start_master "$PORT" || { notok "snmpd master starts"; exit 1; }
cat >"$T/coremon.conf" <<EOC
agentXSocket $T/agentx.sock
probe lo4 127.0.0.1 interval 1 timeout 2
probe lo6 ::1 interval 1
probeHistory 5
EOC
start_coremond "$T/coremon.conf"
check "coremond serves cmProbeTable" wait_for "$PORT" "$CM.8.2.1.2.1" 10
sleep 4
for i in 1 2; do
	name=$(get "$PORT" "$CM.8.2.1.2.$i"); st=$(get "$PORT" "$CM.8.2.1.8.$i")
	sent=$(get "$PORT" "$CM.8.2.1.13.$i"); got=$(get "$PORT" "$CM.8.2.1.14.$i")
	rtt=$(get "$PORT" "$CM.8.2.1.9.$i"); loss=$(get "$PORT" "$CM.8.2.1.15.$i")
	t=$(get "$PORT" "$CM.8.2.1.4.$i")
	check "probe $name: status ok(2) ($st), $got of $sent answered, loss $loss, RTT $rtt us under 10 ms" \
		test "$st" = 2 -a "${got:-0}" -ge 3 -a "$got" -le "$sent" -a "$loss" = 0 -a "${rtt:-0}" -gt 0 -a "${rtt:-0}" -lt 10000
	want=1; [ "$i" = 2 ] && want=2
	check "probe $name: target typed ipv$([ "$want" = 1 ] && echo 4 || echo 6) ($t)" test "$t" = "$want"
done
check "cmProbeHistorySize is the configured 5" test "$(get "$PORT" "$CM.8.1.0")" = 5

# The probe RTT goes into each window's archive line.
P2=$(free_port)
printf 'rocommunity public 127.0.0.1\ncaptureInterface lo\nwindowInterval 2\nprobe lo4 127.0.0.1 interval 1\nhostdbFile %s/hostdb\narchiveDir %s/archive\n' "$T" "$T" >"$T/archive.conf"
start_coremond "$T/archive.conf" --standalone "udp:127.0.0.1:$P2"
wait_for "$P2" "$CM.1.7.0" 10
sleep 7
day=$(date -u +%Y%m%d)
mean=$(get "$P2" "$CM.9.8.1.8.$day")
kill "$CM_PID"; wait "$CM_PID" 2>/dev/null
lines=$(cat "$T"/archive/coremon-*.log 2>/dev/null | wc -l)
bad=$(cat "$T"/archive/coremon-*.log 2>/dev/null | awk -F'\t' '!($6 > 0 && $6 < 10000)' | head -1)
check "every archive line of the $lines windows carries the probe RTT in microseconds${bad:+ (not: $bad)}" \
	test "$lines" -ge 2 -a -z "$bad"
check "cmDayMeanRtt.$day is their mean, above 0 ($mean us)" test "${mean:-0}" -gt 0
