# make bench, section 9 (issue 15): the whole coremond against the floor
# and against other monitors, on one generated capture, in one run.
# Sourced by tests/bench.sh; runs alone too:
#   B=build SHARED=../shared sh tests/bench_whole.sh
#   BENCH_WHOLE_PACKETS  packets of the capture (default 3000000)
#   BENCH_WHOLE_ROUNDS   alternate rounds coremond / bare read (default 5)
#   BENCH_OTHERS         "softflowd pmacctd darkstat" (default), or "" for none
#
# coremond: standalone, replaying the capture (mkpcap: ~260,000 remote
# addresses, 385,000 flows) with 30 s windows, maxHosts 1,000,000, no
# history database; its CPU (user + system, /proc/PID/stat) from start
# until cmCaptureStatus says the file is read (polled every 50 ms).  The
# floor: bench_pcapread, a process that only reads the file with libpcap,
# its CPU from start.  Medians of alternate rounds and their ratio
# (target <= 3.0).  Then softflowd, pmacctd (memory plugin) and darkstat
# from Debian (installed when missing) on the same file, each given room
# for every flow or host of it: their CPU until they have read it (the
# process and its children; pmacctd does not exit at the end of a file,
# so it is stopped once its descriptor of the file is at the end).
[ -n "${T:-}" ] || . tests/lib.sh

W=$T/whole
mkdir -p "$W"
$B/tools/mkpcap "$W/c.pcap" "${BENCH_WHOLE_PACKETS:-3000000}" | sed 's/^/  /'
cat "$W/c.pcap" >/dev/null	# into the page cache for every reader
wsize=$(stat -c %s "$W/c.pcap")
tck=$(getconf CLK_TCK)

# whole_cpu: coremond's CPU seconds until it has read the capture
whole_cpu() {
	rm -rf "$W/h.hostdb" "$W/h.archive"
	port=$(free_port)
	cat >"$W/c.conf" <<EOC
rocommunity public 127.0.0.1
localNet 10.1.0.0/24 2001:db8:1::/64
windowInterval 30
maxHosts 1000000
hostdbFile $W/h.hostdb
archiveDir $W/h.archive
historyDatabase none
EOC
	"$COREMOND" -f -C -c "$W/c.conf" -Lf "$W/coremond.log" \
		--standalone "udp:127.0.0.1:$port" -r "$W/c.pcap" >/dev/null 2>&1 &
	wp=$!; PIDS="$PIDS $wp"
	n=0
	until [ "$(snmpget -v2c -c public -r0 -t1 -Ovq -Oe "127.0.0.1:$port" \
	    "$CM.1.7.0" 2>/dev/null)" = 4 ] || [ $n -gt 6000 ]; do
		sleep 0.05; n=$((n + 1))
	done
	awk -v t="$tck" '{ printf "%.3f\n", ($14 + $15) / t }' "/proc/$wp/stat"
	kill "$wp"; wait "$wp" 2>/dev/null
}

: >"$W/rounds"
for r in $(seq "${BENCH_WHOLE_ROUNDS:-5}"); do
	echo "coremond $(whole_cpu)" >>"$W/rounds"
	echo "bare $($B/tools/bench_pcapread "$W/c.pcap" | cut -d' ' -f3)" >>"$W/rounds"
done
wmed() { awk -v k="$1" '$1 == k { print $2 }' "$W/rounds" | sort -n |
	awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
cm=$(wmed coremond); bare=$(wmed bare)
echo "whole coremond, CPU until it has read the capture: $(awk -v k=coremond '$1 == k { printf "%s ", $2 }' "$W/rounds")s; median $cm s"
echo "bare libpcap read of the same file (bench_pcapread): $(awk -v k=bare '$1 == k { printf "%s ", $2 }' "$W/rounds")s; median $bare s"
echo "ratio whole coremond / bare read: $(awk -v a="$cm" -v b="$bare" 'BEGIN { printf "%.2f", a / b }') (median of ${BENCH_WHOLE_ROUNDS:-5} alternate rounds; target <= 3.0)"

# tree_ticks PID: CPU ticks of PID and its children
tree_ticks() {
	s=0
	for p in "$1" $(pgrep -P "$1"); do
		s=$((s + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$s"
}
# at_end PID: 0 once PID holds the capture open at its end, or has
# closed it after holding it (sets seen)
at_end() {
	for f in /proc/$1/fd/*; do
		[ "$(readlink "$f")" = "$W/c.pcap" ] || continue
		seen=1
		pos=$(awk '/^pos:/ { print $2 }' "/proc/$1/fdinfo/${f##*/}" 2>/dev/null)
		[ "${pos:-0}" -ge "$wsize" ]
		return
	done
	[ "$seen" = 1 ]
}
# other_cpu NAME CMD...: CPU seconds of CMD until it has read the
# capture: GNU time's figures when it ends by itself, else the last
# sample of its process tree before it is stopped at the file's end
other_cpu() {
	name=$1; shift
	/usr/bin/time -f "%U %S" -o "$W/$name.time" "$@" >"$W/$name.log" 2>&1 &
	tp=$!; PIDS="$PIDS $tp"
	cp=""; last=0; stopped=0; seen=0; n=0
	while kill -0 "$tp" 2>/dev/null && [ $n -lt 3000 ]; do
		[ -n "$cp" ] || cp=$(pgrep -P "$tp" | head -1)
		if [ -n "$cp" ]; then
			last=$(tree_ticks "$cp")
			if at_end "$cp"; then
				stopped=1; kill "$cp"; break
			fi
		fi
		sleep 0.2; n=$((n + 1))
	done
	wait "$tp" 2>/dev/null
	if [ $stopped = 0 ]; then
		tail -1 "$W/$name.time" | awk '{ printf "%.2f\n", $1 + $2 }'
	else
		awk -v l="$last" -v t="$tck" 'BEGIN { printf "%.2f\n", l / t }'
	fi
}

others=${BENCH_OTHERS-softflowd pmacctd darkstat}
rows=""
if [ -n "$others" ]; then
	. tests/contrib/common.sh
	pkgs=""
	for o in $others; do
		case $o in pmacctd) pkgs="$pkgs pmacct" ;; *) pkgs="$pkgs $o" ;; esac
	done
	need time $pkgs >/dev/null || echo "# some of$pkgs could not be installed"
fi
for o in $others; do
	command -v "$o" >/dev/null || { echo "$o: not installed, skipped"; continue; }
	case $o in
	softflowd)
		c=$(other_cpu softflowd softflowd -d -r "$W/c.pcap" -m 1000000 \
			-n "127.0.0.1:$(free_port)") ;;
	pmacctd)
		cat >"$W/pm.conf" <<EOC
daemonize: false
pcap_savefile: $W/c.pcap
plugins: memory
aggregate: src_host, dst_host, src_port, dst_port, proto
imt_path: $W/pm.pipe
imt_mem_pools_number: 0
EOC
		c=$(other_cpu pmacctd pmacctd -f "$W/pm.conf") ;;
	darkstat)
		mkdir -p "$W/ds"
		c=$(other_cpu darkstat darkstat -r "$W/c.pcap" --no-daemon \
			--no-dns --no-macs -b 127.0.0.1 -p "$(free_port)" \
			-l 10.1.0.0/255.255.255.0 --hosts-max 1000000 \
			--hosts-keep 1000000 --chroot "$W/ds" --user nobody) ;;
	esac
	echo "$o: CPU until it has read the capture $c s"
	rows="$rows$o $c
"
done
echo "| reader of the same ${BENCH_WHOLE_PACKETS:-3000000}-packet capture | CPU s | x bare read | x coremond |"
echo "| --- | --- | --- | --- |"
printf 'bare libpcap read (bench_pcapread) %s\ncoremond %s\n%s' "$bare" "$cm" "$rows" |
	awk -v b="$bare" -v c="$cm" 'NF >= 2 { n = $NF; $NF = ""; sub(/ $/, "");
		printf "| %s | %.2f | %.1fx | %.1fx |\n", $0, n, n / b, n / c }'
rm -rf "$W"
