# Packet capture through coremond: replayed Zeek captures give the same
# conversations and byte counts as tshark; live capture on a veth pair to a
# namespace shows the bytes the test sent; bad input gets one clear line.
. tests/lib.sh

Z=$SHARED/pcaps/zeek
MIBS_ARGS="-M +mibs:$SHARED/mibs -m +COREMON-MIB"

# replay NAME FILE LOCALNET SERVICE TSHARK-FILTER: one window over the
# whole file; the service's volume is what the filter selects.
replay() {
	name=$1; file=$Z/$2; net=$3; svc=$4; filter=$5
	[ -f "$file" ] || { skip "$name: $file is absent"; return; }
	port=$(free_port)
	printf 'rocommunity public 127.0.0.1\nwindowInterval 86400\nlocalNet %s\n' "$net" >"$T/$name.conf"
	"$COREMOND" -f -C -c "$T/$name.conf" -Lf "$T/$name.log" \
		--standalone "udp:127.0.0.1:$port" -r "$file" >/dev/null 2>&1 &
	pid=$!; PIDS="$PIDS $pid"
	n=0; until [ "$(get "$port" "$CM.1.7.0")" = 4 ] || [ $n -gt 300 ]; do sleep 0.2; n=$((n + 1)); done
	check "$name: coremond -r reads $2 to its end (cmAgentCaptureState finished)" test "$(get "$port" "$CM.1.7.0")" = 4

	# Our conversations: "HEXA HEXB packets octets", ends sorted.
	snmpbulkwalk -v2c -c public -On -Oq -Ox -Cr50 127.0.0.1:$port "$CM.5.18.1" 2>/dev/null |
	awk -v p="$CM.5.18.1." '{ s = substr($1, length(p) + 1); split(s, f, "."); c = f[1]; r = f[2]
		v = $0; sub(/^[^ ]+ /, "", v); gsub(/[" ]/, "", v); val[c, r] = v; rows[r] = 1 }
		END { for (r in rows) { a = val[4, r]; b = val[5, r]; if (a > b) { t = a; a = b; b = t }
			k = a " " b; pk[k] += val[11, r] + val[12, r]; oc[k] += val[9, r] + val[10, r] }
		      for (k in pk) print k, pk[k], oc[k] }' | sort >"$T/$name.cm"
	# tshark's: every IP packet, by unordered address pair.
	tshark -r "$file" -Y 'ip or ipv6' -T fields -E separator=';' -E occurrence=f \
		-e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e frame.len 2>/dev/null |
	while IFS=';' read -r s d s6 d6 len; do
		[ -n "$s" ] || { s=$s6; d=$d6; }
		echo "$(tohex "$s") $(tohex "$d") $len"
	done | awk '{ a = $1; b = $2; if (a > b) { t = a; a = b; b = t }; k = a " " b; pk[k]++; oc[k] += $3 }
		END { for (k in pk) print k, pk[k], oc[k] }' | sort >"$T/$name.tshark"
	if cmp -s "$T/$name.cm" "$T/$name.tshark"; then
		ok "$name: every conversation's packets and octets equal tshark's ($(wc -l <"$T/$name.cm") pairs, $(awk '{ o += $4 } END { print o }' "$T/$name.cm") octets)"
	else
		notok "$name: conversations differ from tshark"; diff "$T/$name.cm" "$T/$name.tshark" | head -6 | sed 's/^/# /'
	fi
	want=$(capinfos -c -M "$file" 2>/dev/null | awk '/Number of packets/ { print $NF }')
	got=$(get "$port" "$CM.4.2.0")
	check "$name: cmCaptureTotalPackets is capinfos' $want (got $got)" test "$got" = "$want"
	# The service's window volume is that of its ports, as tshark sees it.
	idx=$(snmpbulkwalk -v2c -c public -On -Oq 127.0.0.1:$port "$CM.7.1.1.2" 2>/dev/null |
		awk -v s="\"$svc\"" '$2 == s { n = split($1, f, "."); print f[n] }')
	sin=$(get "$port" "$CM.7.1.1.5.$idx"); sout=$(get "$port" "$CM.7.1.1.6.$idx")
	total=$(tshark -r "$file" -Y "$filter" -T fields -e frame.len 2>/dev/null | awk '{ o += $1 } END { print o + 0 }')
	check "$name: service $svc has the volume of \"$filter\" ($sin in + $sout out = $total)" \
		test -n "$idx" -a "$((sin + sout))" = "$total"
	kill "$pid"; wait "$pid" 2>/dev/null
}

replay http http_bro.org.pcap 10.0.2.0/24 www 'tcp.port == 80'
replay dns dns53.pcap 10.20.1.0/24 dns 'udp.port == 53'
replay ftp-ipv6 ftp_ipv6.pcap 2001:470:4867:99::/64 ftp 'tcp.port == 21 or tcp.port == 20'
replay vlan http-vlan-0.pcap 141.142.228.0/24 www 'tcp.port == 80'
replay pop3 pop3_pop3.pcap 192.168.0.0/24 mail 'tcp.port == 110'

# Bad input: one clear line each, and -r of an unreadable file is fatal.
: >"$T/empty.conf"
"$COREMOND" -f -C -c "$T/empty.conf" --standalone udp:127.0.0.1:$(free_port) -r "$T/none.pcap" >"$T/r1" 2>&1; rc=$?
check "-r of a missing file exits non-zero ($rc) naming the cause: $(grep -m1 capture "$T/r1")" \
	test "$rc" != 0 -a -n "$(grep 'No such file' "$T/r1")"
"$COREMOND" -f -C -c "$T/empty.conf" --standalone udp:127.0.0.1:$(free_port) -r tests/lib.sh >"$T/r2" 2>&1; rc=$?
check "-r of a file that is not a capture exits non-zero ($rc): $(grep -m1 capture "$T/r2")" \
	test "$rc" != 0 -a -n "$(grep 'unknown file format' "$T/r2")"
if [ -f "$Z/http_bro.org.pcap" ]; then
	head -c 100000 "$Z/http_bro.org.pcap" >"$T/cut.pcap"
	port=$(free_port)
	printf 'rocommunity public 127.0.0.1\nwindowInterval 86400\nlocalNet 10.0.2.0/24\n' >"$T/cut.conf"
	start_coremond "$T/cut.conf" --standalone "udp:127.0.0.1:$port" -r "$T/cut.pcap"
	wait_for "$port" "$CM.4.6.1.5.1" 10
	err=$(get "$port" "$CM.4.6.1.5.1"); st=$(get "$port" "$CM.4.6.1.4.1"); pk=$(get "$port" "$CM.4.2.0")
	check "a truncated capture: status failed, $pk packets kept, cmCaptureError $err" \
		test "$st" = 2 -a "${pk:-0}" -gt 0 -a -n "$(echo "$err" | grep truncated)"
	check "and coremond keeps serving the other groups" test -n "$(get "$port" "$CM.2.1.1.2.1")"
	kill "$CM_PID"; wait "$CM_PID" 2>/dev/null
fi
# Times a capture must not believe (issue 10): a pcap written here with
# 2023-11-14T22:13:30Z, a microsecond field of a million, 0xffffffff
# seconds, 40 s later, then the first time again.  Two packets are bad
# timestamps, one is late; two windows, none for the bad or late ones.
le32() { v=$1; for i in 0 1 2 3; do printf "\\$(printf %o $((v & 255)))"; v=$((v >> 8)); done; }
frame() { printf '\002\0\0\0\0\001\002\0\0\0\0\002\010\0\105\0\0\050\0\001\100\0\100\006\0\0\012\0\0\001\313\0\161\011\234\100\0\026\0\0\0\001\0\0\0\0\120\002\040\0\0\0\0\0'; }
{ le32 2712847316; printf '\002\0\004\0'; le32 0; le32 0; le32 65535; le32 1
  for r in "1700000010 0" "1700000011 1000000" "4294967295 0" "1700000050 0" "1700000010 5"; do
	le32 "${r% *}"; le32 "${r#* }"; le32 54; le32 54; frame
  done; } >"$T/badts.pcap"
port=$(free_port)
printf 'rocommunity public 127.0.0.1\nlocalNet 10.0.0.0/8\n' >"$T/badts.conf"
start_coremond "$T/badts.conf" --standalone "udp:127.0.0.1:$port" -r "$T/badts.pcap"
n=0; until [ "$(get "$port" "$CM.1.7.0")" = 4 ] || [ $n -gt 50 ]; do sleep 0.2; n=$((n + 1)); done
pk=$(get "$port" "$CM.4.6.1.12.1"); bad=$(get "$port" "$CM.4.6.1.22.1")
late=$(get "$port" "$CM.4.6.1.23.1"); win=$(get "$port" "$CM.5.1.0")
check "bad timestamps: of $pk packets, cmCaptureBadTimestamps $bad (want 2), cmCaptureLatePackets $late (want 1), $win windows (want 2)" \
	test "$pk" = 5 -a "$bad" = 2 -a "$late" = 1 -a "$win" = 2
kill "$CM_PID"; wait "$CM_PID" 2>/dev/null
port=$(free_port)
printf 'rocommunity public 127.0.0.1\ncaptureInterface nosuch0\n' >"$T/noif.conf"
start_coremond "$T/noif.conf" --standalone "udp:127.0.0.1:$port"
check "a missing interface: coremond still serves" wait_for "$port" "$CM.1.7.0" 10
check "cmAgentCaptureState is failed(3)" test "$(get "$port" "$CM.1.7.0")" = 3
check "and the log says why in one line: $(grep -m1 nosuch0 "$T/coremond.log")" grep -q 'capture on nosuch0: no such interface' "$T/coremond.log"
kill "$CM_PID"; wait "$CM_PID" 2>/dev/null
printf 'rocommunity public 127.0.0.1\ncaptureInterface lo\ncaptureFilter udp and (\n' >"$T/badf.conf"
start_coremond "$T/badf.conf" --standalone "udp:127.0.0.1:$port"
wait_for "$port" "$CM.1.7.0" 10
check "a filter that does not compile is named: $(grep -m1 filter "$T/coremond.log")" grep -q 'filter does not compile' "$T/coremond.log"
kill "$CM_PID"; wait "$CM_PID" 2>/dev/null
# Without the privilege to capture: one line, and the rest is served.
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	chmod 755 "$T"
	printf 'rocommunity public 127.0.0.1\ncaptureInterface lo\n' >"$T/noperm.conf"
	chmod 644 "$T/noperm.conf"
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$COREMOND" -f -C -c "$T/noperm.conf" -Le --standalone "udp:127.0.0.1:$port" \
		>"$T/noperm.out" 2>&1 &
	NP=$!; PIDS="$PIDS $NP"
	check "without capture privileges coremond still serves" wait_for "$port" "$CM.2.1.1.2.1" 10
	check "and says so in one line: $(grep -m1 'capture on' "$T/noperm.out")" \
		grep -q 'capture on lo: no permission to capture' "$T/noperm.out"
	kill "$NP"; wait "$NP" 2>/dev/null
else
	skip "capture without privileges: needs root and setpriv to drop them"
fi
printf 'service web tpc 80\n' >"$T/badsvc.conf"
"$COREMOND" -f -C -c "$T/badsvc.conf" >"$T/bs" 2>&1; rc=$?
check "a bad service line: exit 1 with $(head -1 "$T/bs")" test "$rc" = 1 -a -n "$(grep "$T/badsvc.conf:1: unknown protocol" "$T/bs")"
printf 'localNet 10.1.2.3/8\n' >"$T/badnet.conf"
"$COREMOND" -f -C -c "$T/badnet.conf" >"$T/bn" 2>&1; rc=$?
check "a bad localNet line: exit 1 with $(head -1 "$T/bn")" test "$rc" = 1 -a -n "$(grep "$T/badnet.conf:1: " "$T/bn")"

# Live: a veth pair to a namespace the test makes; the namespace end is a
# remote host.  (On lo every address is local: such traffic is counted in
# the totals, never kept as a session.)
if [ "$(id -u)" != 0 ] || ! ip netns add "cmcap$$" 2>/dev/null; then
	skip "live capture through a namespace: cannot create one (not root?)"
	exit 0
fi
NS=cmcap$$; VA=cmca$$; VB=cmcb$$
cleanup_ns() { ip netns del "$NS" 2>/dev/null; ip link del "$VA" 2>/dev/null; }
trap 'cleanup_ns; cleanup' EXIT
ip link add "$VA" type veth peer name "$VB" && ip link set "$VB" netns "$NS" &&
ip addr add 10.254.77.1/30 dev "$VA" && ip addr add fd00:254:77::1/64 dev "$VA" nodad &&
ip link set "$VA" up && ip -n "$NS" addr add 10.254.77.2/30 dev "$VB" &&
ip -n "$NS" addr add fd00:254:77::2/64 dev "$VB" nodad && ip -n "$NS" link set "$VB" up &&
ip -n "$NS" link set lo up || { notok "the namespace's veth pair is set up"; exit 1; }
ip netns exec "$NS" "$B/tools/cmsend" sink tcp 8080 >/dev/null & PIDS="$PIDS $!"
ip netns exec "$NS" "$B/tools/cmsend" sink udp 9999 >/dev/null & PIDS="$PIDS $!"
port=$(free_port)
printf 'rocommunity public 127.0.0.1\ncaptureInterface %s\nwindowInterval 10\ntopSessions 20\n' "$VA" >"$T/live.conf"
start_coremond "$T/live.conf" --standalone "udp:127.0.0.1:$port"
wait_for "$port" "$CM.1.7.0" 10
check "live capture on $VA runs (cmAgentCaptureState running)" test "$(get "$port" "$CM.1.7.0")" = 2
# Windows are aligned to the clock: send everything in one window, and
# again in a later one if a loaded machine made the sends cross its end.
for try in 1 2 3; do
	while [ $(( $(date +%s) % 10 )) != 1 ]; do sleep 0.2; done
	ws=$(( $(date +%s) - 1 ))
	out4=$("$B/tools/cmsend" send udp 10.254.77.2 9999 200000 500)
	out6=$("$B/tools/cmsend" send udp fd00:254:77::2 9999 100000 1000)
	tcp4=$("$B/tools/cmsend" send tcp 10.254.77.2 8080 3000000)
	tcp6=$("$B/tools/cmsend" send tcp fd00:254:77::2 8080 2000000)
	[ "$(date +%s)" -lt $((ws + 10)) ] && break
	echo "# the sends crossed the end of window $ws; again"
done
# Until that window is the last completed one (cmSessionWindowStart, a
# DateAndTime); 60 s at most.
wstart() {
	snmpget -v2c -c public -r1 -t2 -Oqv -Ox 127.0.0.1:$port "$CM.5.2.0" 2>/dev/null | tr -d '"' |
		TZ=UTC awk 'function h(x, i, v) { x = tolower(x); v = 0
				for (i = 1; i <= length(x); i++) v = v * 16 + index("0123456789abcdef", substr(x, i, 1)) - 1
				return v }
			NF >= 7 { print mktime(sprintf("%d %d %d %d %d %d", h($1) * 256 + h($2), h($3), h($4), h($5), h($6), h($7))) }'
}
n=0; until [ "$(wstart)" -ge "$ws" ] 2>/dev/null || [ $n -gt 300 ]; do sleep 0.2; n=$((n + 1)); done
check "the window of the sends ($ws) closed (last completed window starts at $(wstart))" test "$(wstart)" = "$ws"
snmpbulkwalk -v2c -c public -On -Oq -Ox -Cr50 127.0.0.1:$port "$CM.5.18.1" 2>/dev/null |
awk -v p="$CM.5.18.1." '{ s = substr($1, length(p) + 1); split(s, f, "."); v = $0; sub(/^[^ ]+ /, "", v); gsub(/[" ]/, "", v); print f[2], f[1], v }' >"$T/live.rows"
# session ROWS-FILE PROTO REMOTEHEX PORT COLUMN: a column of that session
session() {
	awk -v pr="$1" -v ra="$2" -v po="$3" -v c="$4" '
		{ val[$1, $2] = $3; rows[$1] = 1 }
		END { for (r in rows) if (val[r, 2] + 0 == pr && val[r, 5] == ra && val[r, 6] + 0 == po) print val[r, c] + 0 }' "$T/live.rows" | head -1
}
hex4=$(tohex 10.254.77.2); hex6=$(tohex fd00:254:77::2)
# UDP: 400 datagrams of 500 (v4: +8+20+14 on the wire), 100 of 1000 (v6: +8+40+14).
o4=$(session 17 "$hex4" 0 10); p4=$(session 17 "$hex4" 0 12)
check "live UDP/IPv4: the session shows the 400 datagrams sent ($p4) and their $((400 * 542)) octets on the wire ($o4)" \
	test "$p4" = 400 -a "$o4" = $((400 * 542))
o6=$(session 17 "$hex6" 0 10); p6=$(session 17 "$hex6" 0 12)
check "live UDP/IPv6: 100 datagrams ($p6), $((100 * 1062)) octets ($o6)" test "$p6" = 100 -a "$o6" = $((100 * 1062))
# TCP: the payload plus headers; the sent payload must be within the
# session's octets out and at most 5% under them.
t4=$(session 6 "$hex4" 8080 10); t6=$(session 6 "$hex6" 8080 10)
check "live TCP/IPv4 to port 8080: octets out $t4 cover the 3000000 sent, headers under 5%" \
	awk -v v="$t4" 'BEGIN { exit !(v >= 3000000 && v <= 3150000) }'
check "live TCP/IPv6 to port 8080: octets out $t6 cover the 2000000 sent, headers under 5%" \
	awk -v v="$t6" 'BEGIN { exit !(v >= 2000000 && v <= 2100000) }'
top=$(awk '$2 == 10 { print $3 + 0, $1 }' "$T/live.rows" | sort -rn | head -1 | awk '{ print $2 }')
check "the biggest session (3 MB of TCP/IPv4) is rank 1 (got rank $top)" test "$top" = 1
drops=$(get "$port" "$CM.4.6.1.15.1")
check "the kernel dropped nothing ($drops)" test "$drops" = 0
