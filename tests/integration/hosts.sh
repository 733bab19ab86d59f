# The host database and the archive through coremond: replayed captures
# against tshark, persistence across a restart, damaged files moved aside,
# eviction under maxHosts, and day files across midnight.
. tests/lib.sh

Z=$SHARED/pcaps/zeek
[ -d "$Z" ] || { skip "host database: $Z is absent"; exit 0; }
H=$CM.6

# start_replay NAME FILE EXTRA-CONF: coremond -r FILE, standalone; waits
# until the file is read.  Sets PORT and CM_PID.
start_replay() {
	PORT=$(free_port)
	printf 'rocommunity public 127.0.0.1\nhostdbFile %s\narchiveDir %s\n%s\n' \
		"$T/$1.hostdb" "$T/$1.archive" "$3" >"$T/$1.conf"
	start_coremond "$T/$1.conf" --standalone "udp:127.0.0.1:$PORT" ${2:+-r "$2"}
	# A live capture (no FILE) never finishes: nothing to wait for.
	[ -n "$2" ] || return 0
	n=0; until [ "$(get "$PORT" "$CM.1.7.0")" = 4 ] || [ $n -gt 300 ]; do sleep 0.2; n=$((n + 1)); done
}
stop() { kill "$CM_PID"; wait "$CM_PID" 2>/dev/null; }
# hosts: "HEX inoct outoct inpkt outpkt" per host, from cmHostTable.
hosts() {
	walk "$PORT" "$H.15.1" | awk -v p="$H.15.1." '{ s = substr($1, length(p) + 1); split(s, f, ".")
		c = f[1]; l = f[3]; a = ""; for (i = 4; i < 4 + l; i++) a = a sprintf("%02X", f[i])
		v[a, c] = $2; k[a] = 1 }
		END { for (a in k) print a, v[a, 5], v[a, 6], v[a, 7], v[a, 8] }' | sort
}

# 1. Each remote host's volume equals tshark's for its address.  "in" is
# what the host sent us (to a local address), "out" what it received.
against_tshark() {	# NAME FILE LOCALNET-AWK-REGEX LOCALNET
	cp "$Z/$2" "$T/$1.pcap"
	start_replay "$1" "$T/$1.pcap" "localNet $4
windowInterval 86400"
	hosts >"$T/$1.cm"
	tshark -r "$Z/$2" -Y 'ip or ipv6' -T fields -E separator=';' -E occurrence=f \
		-e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e frame.len 2>/dev/null |
	while IFS=';' read -r s d s6 d6 len; do
		[ -n "$s" ] || { s=$s6; d=$d6; }
		echo "$s $d $len"
	done | awk -v l="$3" -v OFS=' ' '{ sl = ($1 ~ l); dl = ($2 ~ l)
		if (sl && !dl) { h = $2; out[h] += $3; op[h]++ } else if (dl && !sl) { h = $1; in_[h] += $3; ip[h]++ } else next
		k[h] = 1 } END { for (h in k) print h, in_[h] + 0, out[h] + 0, ip[h] + 0, op[h] + 0 }' |
	while read -r a i o ip op; do echo "$(tohex "$a") $i $o $ip $op"; done | sort >"$T/$1.tshark"
	if [ -s "$T/$1.cm" ] && cmp -s "$T/$1.cm" "$T/$1.tshark"; then
		ok "$1: every remote host's octets and packets in and out equal tshark's ($(wc -l <"$T/$1.cm") hosts)"
	else
		notok "$1: hosts differ from tshark"; diff "$T/$1.cm" "$T/$1.tshark" | head -6 | sed 's/^/# /'
	fi
	# The per-service split adds up to each host's total.
	sums=$(walk "$PORT" "$H.16.1.1" | awk -v p="$H.16.1.1." '{ s = substr($1, length(p) + 1); sub(/\.[0-9]+$/, "", s); t[s] += $2 } END { for (k in t) print k, t[k] }' | sort)
	tot=$(walk "$PORT" "$H.15.1.5" | sed "s/^$H.15.1.5.//" | sort)
	check "$1: each host's cmHostServiceInOctets add up to its cmHostInOctets" test -n "$sums" -a "$sums" = "$tot"
	walk "$PORT" "$H.15" >"$T/$1.walk"
	stop
}
against_tshark http http_bro.org.pcap '^10[.]0[.]2[.]' 10.0.2.0/24
against_tshark pop3 pop3_pop3.pcap '^192[.]168[.]0[.]' 192.168.0.0/24
against_tshark ftp-ipv6 ftp_ipv6.pcap '^2001:470:4867:99:' 2001:470:4867:99::/64

# 2. Persistence: SIGTERM saved; a new coremond loads the same hosts.  It
# replays the same path, now a capture with no packet (the 24-byte pcap
# header alone), so nothing changes and the capture source is the same.
check "SIGTERM saved the host database ($(wc -c <"$T/pop3.hostdb" 2>/dev/null) bytes)" test -s "$T/pop3.hostdb"
head -c 24 "$Z/pop3_pop3.pcap" >"$T/pop3.pcap"
start_replay pop3 "$T/pop3.pcap" ""
walk "$PORT" "$H.15" >"$T/pop3.after"
check "after a restart every cmHostTable entry is identical ($(wc -l <"$T/pop3.after") values)" \
	test -s "$T/pop3.after" && cmp -s "$T/pop3.walk" "$T/pop3.after"
check "cmHostLoadResult is loaded(2) with $(get "$PORT" "$H.9.0") entries" test "$(get "$PORT" "$H.8.0")" = 2
stop

# 3. Damaged files are moved aside with a warning; coremond starts empty.
damaged() {	# NAME: the file $T/NAME.hostdb is already damaged
	start_replay "$1" "" "captureInterface lo"
	wait_for "$PORT" "$H.1.0" 10
	aside=$(ls "$T/$1.hostdb".corrupt-* 2>/dev/null | head -1)
	check "$1: cmHostLoadResult movedAside(3), the file kept as $(basename "$aside")" \
		test "$(get "$PORT" "$H.8.0")" = 3 -a -n "$aside"
	check "$1: the warning says why: $(grep -m1 'host database' "$T/coremond.log" | cut -c1-150)" \
		grep -q 'moved aside' "$T/coremond.log"
	check "$1: the moved file is byte for byte what was there" cmp -s "$aside" "$T/$1.orig"
	check "$1: service goes on, empty (cmHostEntries 0)" test "$(get "$PORT" "$H.1.0")" = 0
	stop
}
head -c $(( $(wc -c <"$T/pop3.hostdb") / 2 )) "$T/pop3.hostdb" >"$T/trunc.hostdb"
cp "$T/trunc.hostdb" "$T/trunc.orig"; damaged trunc
head -c 4096 /dev/urandom >"$T/random.hostdb"; cp "$T/random.hostdb" "$T/random.orig"; damaged random
cp "$T/pop3.hostdb" "$T/newer.hostdb"
printf '\002' | dd of="$T/newer.hostdb" bs=1 seek=8 conv=notrunc 2>/dev/null
cp "$T/newer.hostdb" "$T/newer.orig"; damaged newer

# 4. Eviction: five remote hosts, room for four.  A full table evicts down
# to 95% of maxHosts in one batch, the least valuable first, never the
# window's top host: the three heaviest stay.
against_tshark ssh ssh_ssh.pcap '^(192[.]168[.]|10[.])' '192.168.0.0/16 10.0.0.0/8'
start_replay evict "$T/ssh.pcap" "localNet 192.168.0.0/16 10.0.0.0/8
windowInterval 86400
maxHosts 4
topHosts 1"
n=$(get "$PORT" "$H.1.0"); ev=$(get "$PORT" "$H.3.0")
check "maxHosts 4 with 5 hosts: $n entries (at most 4), $ev evictions counted" \
	test "$n" -le 4 -a "${ev:-0}" -ge 1 -a $((n + ev)) = 5
heavy=$(awk '{ print $1, $2 + $3 }' "$T/ssh.tshark" | sort -k2 -n -r | head -"$n" | awk '{ print $1 }' | sort)
kept=$(hosts | awk '{ print $1 }' | sort)
check "the $n heaviest hosts by tshark's bytes are the ones kept" test "$heavy" = "$kept"
stop

# 5. The archive across midnight: two day files whose sums are the
# windows'; cmDayTable agrees with them.
editcap -t $(( $(date -u -d '2014-01-14 23:59:55' +%s) - $(date -u -d '2014-01-14 17:04:01' +%s) )) \
	"$Z/http_bro.org.pcap" "$T/midnight.pcap" 2>/dev/null
start_replay midnight "$T/midnight.pcap" "localNet 10.0.2.0/24
windowInterval 5"
ls "$T/midnight.archive" | sed 's/^/# /'
f1=$T/midnight.archive/coremon-20140114.log; f2=$T/midnight.archive/coremon-20140115.log
check "two day files, for 2014-01-14 and 2014-01-15" test -s "$f1" -a -s "$f2"
sum=$(cat "$f1" "$f2" | awk -F'\t' '{ o += $2 + $3; p += $4 + $5 } END { print o, p }')
win=$(get "$PORT" "$CM.5.1.0")
check "their lines add up to the capture's $(awk '{ print $2 + $3, $4 + $5 }' "$T/http.tshark") octets and packets ($sum, $(cat "$f1" "$f2" | wc -l) windows of $win)" \
	test "$sum" = "$(awk '{ print $2 + $3, $4 + $5 }' "$T/http.tshark")" -a "$(cat "$f1" "$f2" | wc -l)" = "$win"
for d in 20140114 20140115; do
	f=$T/midnight.archive/coremon-$d.log
	want=$(awk -F'\t' '{ i += $2; o += $3 } END { print i, o }' "$f")
	got="$(get "$PORT" "$CM.9.8.1.3.$d") $(get "$PORT" "$CM.9.8.1.4.$d")"
	check "cmDayTable $d equals its file ($got = $want)" test "$got" = "$want"
done
stop
