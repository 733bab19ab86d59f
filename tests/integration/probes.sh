# cmProbeTable through a real master: ICMP echo to 127.0.0.1 and ::1; then
# the probe RTT in the archive lines, window by window, against the echo
# replies dumpcap saw on lo.  Every wait is for something observable.
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
# Until both probes have 3 replies (a loaded machine runs them late).
n=0
while [ "$n" -lt 150 ]; do
	g1=$(get "$PORT" "$CM.8.2.1.14.1"); g2=$(get "$PORT" "$CM.8.2.1.14.2")
	[ "${g1:-0}" -ge 3 ] && [ "${g2:-0}" -ge 3 ] && break
	sleep 0.2; n=$((n + 1))
done
for i in 1 2; do
	name=$(get "$PORT" "$CM.8.2.1.2.$i"); st=$(get "$PORT" "$CM.8.2.1.8.$i")
	sent=$(get "$PORT" "$CM.8.2.1.13.$i"); got=$(get "$PORT" "$CM.8.2.1.14.$i")
	rtt=$(get "$PORT" "$CM.8.2.1.9.$i"); min=$(get "$PORT" "$CM.8.2.1.10.$i")
	loss=$(get "$PORT" "$CM.8.2.1.15.$i"); t=$(get "$PORT" "$CM.8.2.1.4.$i")
	# Loopback answers at once: the fastest reply is well under 10 ms; any
	# one (the thread may wait for a CPU) is under the 2 s timeout.
	check "probe $name: status ok(2) ($st), $got of $sent answered, loss $loss, min RTT $min us under 10 ms, last $rtt us under 2 s" \
		test "$st" = 2 -a "${got:-0}" -ge 3 -a "${got:-0}" -le "${sent:-0}" -a "$loss" = 0 \
		-a "${min:-0}" -gt 0 -a "${min:-0}" -lt 10000 -a "${rtt:-0}" -gt 0 -a "${rtt:-0}" -lt 2000000
	want=1; [ "$i" = 2 ] && want=2
	check "probe $name: target typed ipv$([ "$want" = 1 ] && echo 4 || echo 6) ($t)" test "$t" = "$want"
done
check "cmProbeHistorySize is the configured 5" test "$(get "$PORT" "$CM.8.1.0")" = 5

# The probe RTT in each window's archive line: the mean RTT of the replies
# of that window, empty when none came (coremon.conf(5), archiveDir).  The
# probe (every 3 s, 1 s windows) goes to an address of 127/8 no other test
# uses, and dumpcap records its echo replies on lo: an independent account
# of which windows had one.  A reply is timed by the kernel; coremond
# files it when its thread reads it, up to D = 0.5 s later here.
if ! command -v dumpcap >/dev/null || ! command -v tshark >/dev/null; then
	skip "the archive's probe RTT against the replies on lo: no dumpcap/tshark"; exit 0
fi
ADDR=127.$(shuf -i 1-254 -n 1).$(shuf -i 0-255 -n 1).$(shuf -i 1-254 -n 1)
dumpcap -i lo -f "icmp and icmp[0] == 0 and src host $ADDR" -q -w "$T/replies.pcapng" \
	>"$T/dumpcap.out" 2>&1 &
DPID=$!; PIDS="$PIDS $DPID"
n=0; until grep -q '^Capturing on' "$T/dumpcap.out" || [ $n -gt 150 ]; do sleep 0.2; n=$((n + 1)); done
P2=$(free_port)
printf 'rocommunity public 127.0.0.1\ncaptureInterface lo\nwindowInterval 1\nprobe mine %s interval 3 timeout 2\nhostdbFile %s/hostdb\narchiveDir %s/archive\n' \
	"$ADDR" "$T" "$T" >"$T/archive.conf"
start_coremond "$T/archive.conf" --standalone "udp:127.0.0.1:$P2"
wait_for "$P2" "$CM.1.7.0" 10
# 14 windows hold 4 or 5 replies.
n=0
until [ "$(cat "$T"/archive/coremon-*.log 2>/dev/null | wc -l)" -ge 14 ] || [ $n -gt 300 ]; do
	sleep 0.2; n=$((n + 1))
done
day=$(date -u +%Y%m%d)
mean=$(get "$P2" "$CM.9.8.1.8.$day")
kill "$CM_PID"; wait "$CM_PID" 2>/dev/null
kill "$DPID"; wait "$DPID" 2>/dev/null
cat "$T"/archive/coremon-*.log 2>/dev/null >"$T/lines"
tshark -r "$T/replies.pcapng" -T fields -e frame.time_epoch >"$T/replies" 2>/dev/null
echo "# $(wc -l <"$T/lines") archive lines, $(wc -l <"$T/replies") replies from $ADDR on lo"

bad=$(awk -F'\t' 'NF != 6 || ($6 != "" && !($6 ~ /^[0-9]+$/ && $6 > 0 && $6 < 2000000))' "$T/lines" | head -1)
check "every archive line has 6 fields, the RTT empty or 1 us .. 2 s${bad:+ (not: $bad)}" \
	test "$(wc -l <"$T/lines")" -ge 14 -a -z "$bad"

# windows: "START-SECONDS RTT-OR-DASH", one per line.
TZ=UTC awk -F'\t' '{ t = $1; gsub(/[-T:Z]/, " ", t); print mktime(t), ($6 == "" ? "-" : $6) }' \
	"$T/lines" >"$T/windows"
# A line with an RTT needs a reply within [start - D, start + 1 s).
res=$(awk -v D=0.5 'NR == FNR { r[++nr] = $1; next }
	{ near = 0; for (i = 1; i <= nr; i++) if (r[i] >= $1 - D && r[i] < $1 + 1) near = 1
	  if (!near) { quiet++; if ($2 != "-") bad = bad " " $1 "(rtt " $2 ")" } }
	END { print quiet + 0, bad }' "$T/replies" "$T/windows")
quiet=${res%% *}; bad=${res#* }
check "the $quiet windows without a reply have no RTT${bad:+ (but:$bad)}" test "$quiet" -ge 3 -a -z "$bad"
# A reply inside the run (not in the first or last window) puts an RTT on
# its window's line, or on the next one's when it came within D of the end.
res=$(awk -v D=0.5 'NR == FNR { w[$1] = $2; if (!first) first = $1; last = $1; next }
	{ s = int($1); if (s <= first || s >= last) next
	  seen++
	  if (w[s] != "" && w[s] != "-") next
	  if ($1 - s >= 1 - D && w[s + 1] != "" && w[s + 1] != "-") next
	  bad = bad " " $1 }
	END { print seen + 0, bad }' "$T/windows" "$T/replies")
seen=${res%% *}; bad=${res#* }
check "each of the $seen replies puts an RTT on its window's line${bad:+ (not for the replies at:$bad)}" \
	test "$seen" -ge 3 -a -z "$bad"
med=$(awk '$2 != "-" { print $2 }' "$T/windows" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] + 0 }')
check "the median archived RTT to loopback is under 10 ms ($med us)" test "$med" -gt 0 -a "$med" -lt 10000
range=$(awk '$2 != "-" { if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2 } END { print min + 0, max + 0 }' "$T/windows")
check "cmDayMeanRtt.$day ($mean us) lies within the archived RTTs ($range us)" \
	awk -v m="$mean" -v r="$range" 'BEGIN { split(r, a, " "); exit !(m != "" && m > 0 && m >= a[1] && m <= a[2]) }'
