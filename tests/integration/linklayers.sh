# Link layers (issue 15) through coremond: PPPoE (also behind VLAN tags),
# MPLS, NFLOG, PPP, PPP_ETHER and IP tunnels, from the shared captures and
# from captures this test writes (tests/tools/mklinks), replayed with -r:
# every conversation's packets and octets, every remote host's octets and
# every kind in cmCaptureKindTable equal what tshark decodes of the same
# file.  Then live: an nftables "log group N" rule and captureInterface
# nflog:N count the datagrams the test sent, to the byte.
. tests/lib.sh

P=$SHARED/pcaps

# One awk program over tshark's fields for every view (MODE conv, hosts
# or kinds).  The outer IP header is the one counted (tunnels are not
# entered), the family from frame.protocols; the volume is frame.len, or
# for NFLOG (whose records hold the log's metadata) the IP length.
cat >"$T/tshark.awk" <<'EOF'
function hex(a,   o, h, n, i, j, z, out, done) {
	if (index(a, ":") == 0) { split(a, o, "."); return sprintf("%02X%02X%02X%02X", o[1], o[2], o[3], o[4]) }
	n = split(a, h, ":"); z = 0; for (i = 1; i <= n; i++) if (h[i] != "") z++
	out = ""; done = 0
	for (i = 1; i <= n; i++) {
		if (h[i] == "") { if (!done) { for (j = 0; j < 8 - z; j++) out = out "0000"; done = 1 } continue }
		out = out sprintf("%4s", toupper(h[i]))
	}
	gsub(/ /, "0", out); return out
}
function islocal(x,   i, n, p) { n = split(local, p, " "); for (i = 1; i <= n; i++) if (index(x, p[i]) == 1) return 1; return 0 }
function kind(k) { kp[k]++; ko[k] += octets }
BEGIN { FS = ";" }
{
	n = split($8, t, ":"); outer = 0
	for (i = 1; i <= n; i++) if (t[i] == "ip" || t[i] == "ipv6") { outer = i; break }
	last = outer ? outer : n + 1; vl = pp = mp = 0
	for (i = 1; i < last; i++) {
		if (t[i] == "vlan" || t[i] == "ieee8021ad") vl = 1
		if (t[i] == "pppoes") pp = 1
		if (t[i] == "mpls") mp = 1
	}
	octets = $1
	if (nflog) octets = outer && t[outer] == "ip" ? $2 : $3 + 40
	if (vl) kind("vlan"); if (pp) kind("pppoe")
	if (!outer) {
		if (mp) kind("mpls-other")
		else if ($8 ~ /(^|:)arp(:|$)/) kind("arp")
		else if ($8 ~ /(^|:)lldp(:|$)/) kind("lldp")
		else if ($8 ~ /(^|:)llc(:|$)/) kind("llc")
		else if ($8 ~ /(^|:)pppoed(:|$)/) kind("pppoe-discovery")
		else if ($8 ~ /(^|:)ppp(:|$)/) kind("ppp-other")
		else kind("other-ethertype")
		if (mp) kind("mpls")
		next
	}
	if (mp) kind("mpls")
	for (i = outer + 1; i <= n && t[i] ~ /^ipv6\./; i++) ;
	if (t[i] == "gre") kind("gre"); else if (t[i] == "ip") kind("ip-in-ip")
	else if (t[i] == "ipv6") kind("6in4"); else if (t[i] == "udp" && t[i + 1] == "vxlan") kind("vxlan")
	if (t[outer] == "ip") { s = hex($4); d = hex($5) } else { s = hex($6); d = hex($7) }
	a = s; b = d; if (a > b) { a = d; b = s }
	cp[a " " b]++; co[a " " b] += octets
	if (islocal(s) + islocal(d) == 1) ho[islocal(s) ? d : s] += octets
}
END {
	if (mode == "conv") for (k in cp) print k, cp[k], co[k]
	if (mode == "hosts") for (k in ho) print k, ho[k]
	if (mode == "kinds") for (k in kp) print k, kp[k], ko[k]
}
EOF

# replay NAME FILE LOCALNET LOCALHEX [CONV]: coremond -r FILE with one
# window a day; LOCALHEX the local prefixes as hex digits of addresses.
# CONV no: the file spans days, so the last window's sessions are not
# all of it (the hosts and kinds still are).
replay() {
	name=$1; file=$2; net=$3; lhex=$4; conv=${5:-yes}
	[ -f "$file" ] || { skip "$name: $file is absent"; return; }
	port=$(free_port)
	printf 'rocommunity public 127.0.0.1\nwindowInterval 86400\ntopSessions 1000\nlocalNet %s\n' "$net" >"$T/$name.conf"
	"$COREMOND" -f -C -c "$T/$name.conf" -Lf "$T/$name.log" \
		--standalone "udp:127.0.0.1:$port" -r "$file" >/dev/null 2>&1 &
	pid=$!; PIDS="$PIDS $pid"
	n=0; until [ "$(get "$port" "$CM.1.7.0")" = 4 ] || [ $n -gt 150 ]; do sleep 0.2; n=$((n + 1)); done
	check "$name: coremond -r reads $(basename "$file") to its end" test "$(get "$port" "$CM.1.7.0")" = 4
	nf=0; [ "$(get "$port" "$CM.4.6.1.6.1")" = 239 ] && nf=1
	tshark -n -r "$file" -o ip.defragment:FALSE -o ipv6.defragment:FALSE -T fields \
		-E separator=';' -E occurrence=f -e frame.len -e ip.len -e ipv6.plen \
		-e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e frame.protocols 2>/dev/null >"$T/$name.fields"
	ts() { awk -v mode="$1" -v nflog="$nf" -v local="$lhex" -f "$T/tshark.awk" "$T/$name.fields" | sort; }

	# Conversations: "HEXA HEXB packets octets", ends sorted.
	if [ "$conv" = yes ]; then
		snmpbulkwalk -v2c -c public -On -Oq -Ox -Cr50 127.0.0.1:$port "$CM.5.18.1" 2>/dev/null |
		awk -v p="$CM.5.18.1." '{ s = substr($1, length(p) + 1); split(s, f, "."); c = f[1]; r = f[2]
			v = $0; sub(/^[^ ]+ /, "", v); gsub(/[" ]/, "", v); val[c, r] = v; rows[r] = 1 }
			END { for (r in rows) { a = val[4, r]; b = val[5, r]; if (a > b) { t = a; a = b; b = t }
				k = a " " b; pk[k] += val[11, r] + val[12, r]; oc[k] += val[9, r] + val[10, r] }
			      for (k in pk) print k, pk[k], oc[k] }' | sort >"$T/$name.cm"
		ts conv >"$T/$name.tc"
		if [ -s "$T/$name.cm" ] && cmp -s "$T/$name.cm" "$T/$name.tc"; then
			ok "$name: every conversation's packets and octets equal tshark's ($(wc -l <"$T/$name.cm") pairs, $(awk '{ o += $4 } END { print o }' "$T/$name.cm") octets)"
		else
			notok "$name: conversations differ from tshark's"; diff "$T/$name.cm" "$T/$name.tc" | head -6 | sed 's/^/# /'
		fi
	fi
	# Remote hosts: "HEX octets" from cmHostTotalOctets.
	walk "$port" "$CM.6.15.1.9" | awk -v p="$CM.6.15.1.9." 'index($1, p) == 1 { s = substr($1, length(p) + 1); n = split(s, f, ".")
		h = ""; for (i = 3; i <= n; i++) h = h sprintf("%02X", f[i]); print h, $2 }' | sort >"$T/$name.hm"
	ts hosts >"$T/$name.ht"
	if [ -s "$T/$name.hm" ] && cmp -s "$T/$name.hm" "$T/$name.ht"; then
		ok "$name: every remote host's octets equal tshark's ($(wc -l <"$T/$name.hm") hosts)"
	else
		notok "$name: hosts differ from tshark's"; diff "$T/$name.hm" "$T/$name.ht" | head -6 | sed 's/^/# /'
	fi
	# Kinds: "name packets octets" of source 1.
	walk "$port" "$CM.4.7.1" | awk -v p="$CM.4.7.1." 'index($1, p) == 1 { s = substr($1, length(p) + 1); split(s, f, ".")
		v = $0; sub(/^[^ ]+ /, "", v); gsub(/"/, "", v); val[f[1], f[3]] = v; rows[f[3]] = 1 }
		END { for (r in rows) print val[2, r], val[4, r], val[5, r] }' | sort >"$T/$name.km"
	ts kinds >"$T/$name.kt"
	if cmp -s "$T/$name.km" "$T/$name.kt"; then
		ok "$name: cmCaptureKindTable equals tshark's layers: $(awk '{ printf "%s%s %s", s, $1, $2; s = ", " }' "$T/$name.km")"
	else
		notok "$name: cmCaptureKindTable differs from tshark's layers"; diff "$T/$name.km" "$T/$name.kt" | head -8 | sed 's/^/# /'
	fi
	nonip=$(get "$port" "$CM.4.6.1.14.1")
	want=$(awk '$1 ~ /^(arp|lldp|llc|pppoe-discovery|ppp-other|mpls-other|other-ethertype|other-family|other-linktype)$/ { n += $2 } END { print n + 0 }' "$T/$name.kt")
	check "$name: cmCaptureNonIpPackets $nonip is the sum of the kinds that are not IP ($want)" test "$nonip" = "$want"
	kill "$pid"; wait "$pid" 2>/dev/null
}

"$B/tools/mklinks" ether "$T/ether.pcap" >/dev/null &&
"$B/tools/mklinks" nflog "$T/nflog.pcap" >/dev/null &&
"$B/tools/mklinks" pppoe "$T/pppoe.pcap" >/dev/null ||
	notok "mklinks writes its captures"
MYNET="10.9.0.0/24 fd00:9::/64"; MYHEX="0A0900 FD00000900000000"
replay mklinks-ether "$T/ether.pcap" "$MYNET" "$MYHEX"
replay mklinks-nflog "$T/nflog.pcap" "$MYNET" "$MYHEX"
replay mklinks-ppp-ether "$T/pppoe.pcap" "$MYNET" "$MYHEX"
replay pppoe "$P/zeek/pppoe.pcap" fc00:0:2:100::/64 FC00000000020100
replay pppoe-qinq "$P/zeek/pppoe-over-qinq.pcap" 1.1.1.0/24 010101
replay vlan-mpls "$P/zeek/mixed-vlan-mpls.pcap" 141.42.64.0/24 8D2A40 no
replay nflog-http "$P/zeek/nflog-http.pcap" 10.0.2.0/24 0A0002
replay ppp-mpls "$P/tcpdump/mpls-traceroute.pcap" 12.4.4.0/24 0C0404
replay gre "$P/zeek/tunnels_gre-sample.pcap" 172.27.1.0/24 AC1B01
replay vxlan "$P/tcpdump/vxlan.pcap" 192.168.203.0/24 C0A8CB

# A link type coremond does not decode (802.11, as a monitor-mode Wi-Fi
# interface gives): the source runs, every packet counts as not IP, of
# kind other-linktype (16), and cmCaptureError says why.
f=$P/tcpdump/ieee802.11_exthdr.pcap
if [ -f "$f" ]; then
	port=$(free_port)
	printf 'rocommunity public 127.0.0.1\n' >"$T/wifi.conf"
	"$COREMOND" -f -C -c "$T/wifi.conf" -Lf "$T/wifi.log" \
		--standalone "udp:127.0.0.1:$port" -r "$f" >/dev/null 2>&1 &
	pid=$!; PIDS="$PIDS $pid"
	n=0; until [ "$(get "$port" "$CM.1.7.0")" = 4 ] || [ $n -gt 150 ]; do sleep 0.2; n=$((n + 1)); done
	check "802.11: coremond -r reads $(basename "$f") to its end" test "$(get "$port" "$CM.1.7.0")" = 4
	want=$(tshark -n -r "$f" -T fields -e frame.len | awk '{ n++; o += $1 } END { print n + 0, o + 0 }')
	got="$(get "$port" "$CM.4.6.1.12.1") $(get "$port" "$CM.4.6.1.13.1")"
	check "802.11: cmCapturePackets and cmCaptureOctets are tshark's frames ($got; tshark $want)" test "$got" = "$want"
	ni=$(get "$port" "$CM.4.6.1.14.1")
	check "802.11: every packet is not IP (cmCaptureNonIpPackets $ni)" test "$ni" = "${want% *}"
	kind="$(get "$port" "$CM.4.7.1.2.1.16") $(get "$port" "$CM.4.7.1.4.1.16") $(get "$port" "$CM.4.7.1.5.1.16")"
	check "802.11: cmCaptureKindTable row 16 is other-linktype with them all ($kind)" \
		test "$kind" = "\"other-linktype\" $want"
	err=$(get "$port" "$CM.4.6.1.5.1")
	check "802.11: cmCaptureError says the link type is not decoded ($err)" \
		sh -c "echo '$err' | grep -q 'IEEE802_11.* is not decoded'"
	check "802.11: coremond's log says so too" grep -q 'is not decoded' "$T/wifi.log"
	kill "$pid"; wait "$pid" 2>/dev/null
else
	skip "802.11: $f is absent"
fi

# Live: captureInterface nflog:G with an nftables rule that logs to group
# G only the UDP datagrams this test sends to a namespace of its own; the
# namespace end is the remote host.  Volume is the IP length.
if [ "$(id -u)" != 0 ] || ! command -v nft >/dev/null || ! ip netns add "cmlk$$" 2>/dev/null; then
	skip "live nflog: needs root, nft (Debian nftables) and network namespaces"
	exit 0
fi
NS=cmlk$$; VA=cmla$$; VB=cmlb$$; NT=cmlink$$; G=$((30000 + $$ % 30000)); UP=$((20000 + $$ % 10000))
cleanup_live() { nft delete table inet "$NT" 2>/dev/null; ip netns del "$NS" 2>/dev/null; ip link del "$VA" 2>/dev/null; }
trap 'cleanup_live; cleanup' EXIT
ip link add "$VA" type veth peer name "$VB" && ip link set "$VB" netns "$NS" &&
ip addr add 10.254.79.1/30 dev "$VA" && ip addr add fd00:254:79::1/64 dev "$VA" nodad &&
ip link set "$VA" up && ip -n "$NS" addr add 10.254.79.2/30 dev "$VB" &&
ip -n "$NS" addr add fd00:254:79::2/64 dev "$VB" nodad && ip -n "$NS" link set "$VB" up ||
	{ notok "live nflog: the namespace's veth pair is set up"; exit 1; }
if ! nft -f - <<EON
table inet $NT {
	chain out {
		type filter hook output priority 0;
		ip daddr 10.254.79.2 udp dport $UP log group $G
		ip6 daddr fd00:254:79::2 udp dport $UP log group $G
	}
}
EON
then
	skip "live nflog: this kernel takes no nftables log rule (no nf_tables or nfnetlink_log)"
	exit 0
fi
ip netns exec "$NS" "$B/tools/cmsend" sink udp "$UP" >/dev/null & PIDS="$PIDS $!"
port=$(free_port)
printf 'rocommunity public 127.0.0.1\ncaptureInterface nflog:%s\nwindowInterval 1\n' "$G" >"$T/nflog.conf"
start_coremond "$T/nflog.conf" --standalone "udp:127.0.0.1:$port"
wait_for "$port" "$CM.1.7.0" 10
st=$(get "$port" "$CM.4.6.1.4.1")
if [ "$st" != 1 ]; then
	skip "live nflog: libpcap cannot open nflog:$G here: $(get "$port" "$CM.4.6.1.5.1")"
	exit 0
fi
check "live nflog:$G runs, link type $(get "$port" "$CM.4.6.1.7.1") (239)" test "$(get "$port" "$CM.4.6.1.6.1")" = 239
"$B/tools/cmsend" send udp 10.254.79.2 "$UP" 200000 500 >/dev/null
"$B/tools/cmsend" send udp fd00:254:79::2 "$UP" 100000 1000 >/dev/null
# The host database sums every window: until both hosts hold what was
# sent (a deadline, never a sleep), then exactly that.
h4="$CM.6.15.1.6.1.4.10.254.79.2"
h6="$CM.6.15.1.6.2.16.253.0.2.84.0.121.0.0.0.0.0.0.0.0.0.2"
want4=$((400 * 528)); want6=$((100 * 1048))
sent() { [ "$(get "$port" "$h4")" = "$want4" ] && [ "$(get "$port" "$h6")" = "$want6" ]; }
until_ok 20 sent
check "live nflog: 400 UDP/IPv4 datagrams of 500 bytes are $want4 octets out to 10.254.79.2 (got $(get "$port" "$h4"))" \
	test "$(get "$port" "$h4")" = "$want4"
check "live nflog: 100 UDP/IPv6 datagrams of 1000 bytes are $want6 octets out to fd00:254:79::2 (got $(get "$port" "$h6"))" \
	test "$(get "$port" "$h6")" = "$want6"
pk=$(get "$port" "$CM.4.6.1.12.1"); ok4=$(get "$port" "$CM.6.15.1.8.1.4.10.254.79.2")
check "live nflog: cmCapturePackets $pk is the 500 datagrams the rule logged, none lost or taken for something else (non-IP $(get "$port" "$CM.4.6.1.14.1"), truncated $(get "$port" "$CM.4.6.1.17.1"), bad times $(get "$port" "$CM.4.6.1.22.1"), late $(get "$port" "$CM.4.6.1.23.1"), drops $(get "$port" "$CM.4.6.1.15.1"))" \
	test "$pk" = 500 -a "$(get "$port" "$CM.4.6.1.14.1")" = 0 -a "$(get "$port" "$CM.4.6.1.17.1")" = 0
kill "$CM_PID"; wait "$CM_PID" 2>/dev/null
