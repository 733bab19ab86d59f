# captureBuffer: the kernel ring a live capture gets, from 1 MB to the
# documented maximum 2048 MB.  pcap_set_buffer_size() takes an int of
# bytes, so 2048 MB (2^31) is taken as 2047 MiB, the largest whole MiB
# libpcap can round up to its 256 KiB ring blocks without overflowing.
# cmCaptureBufferSize must say what the kernel allocated: the test reads
# the ring of coremond's packet socket from the kernel (packet_diag, as
# `ss -0 -e` prints it: block size times block count).
. tests/lib.sh

# ring_bytes PID: the RX ring of PID's packet socket, in bytes, or nothing.
ring_bytes() {
	ss -0 -e -p -H 2>/dev/null | awk -v pid="pid=$1," '
		index($0, pid) { want = 1 }
		want && /ring_rx\(/ { s = $0; sub(/.*ring_rx\(/, "", s)
			split(s, f, /[(),]/)
			for (i = 1; i in f; i++) {
				if (f[i] ~ /^blk_size:/) { sub(/.*:/, "", f[i]); bs = f[i] }
				if (f[i] ~ /^blk_nr:/) { sub(/.*:/, "", f[i]); bn = f[i] } }
			if (bs != "" && bn != "") { print bs * bn; exit } }'
}

# buffer NAME CONF-LINE WANT-BYTES: coremond capturing on lo with CONF-LINE
# reports WANT-BYTES, and the kernel's ring for it is that size.
buffer() {
	name=$1; line=$2; want=$3
	port=$(free_port)
	printf 'rocommunity public 127.0.0.1\ncaptureInterface lo\n%s\n' "$line" >"$T/$name.conf"
	start_coremond "$T/$name.conf" --standalone "udp:127.0.0.1:$port"
	n=0; until [ "$(get "$port" "$CM.1.7.0")" = 2 ] || [ $n -gt 100 ]; do sleep 0.2; n=$((n + 1)); done
	check "$name: capture on lo is running (cmAgentCaptureState)" \
		test "$(get "$port" "$CM.1.7.0")" = 2
	got=$(get "$port" "$CM.4.6.1.10.1")
	check "$name: cmCaptureBufferSize is $want (got $got)" test "$got" = "$want"
	ring=$(ring_bytes "$CM_PID")
	avail=$(awk '/^MemAvailable:/ { printf "%.0f", $2 * 1024 }' /proc/meminfo)
	if [ -n "$avail" ] && [ "$avail" -lt $((2 * want)) ]; then
		# libpcap shrinks a ring the kernel cannot allocate (ENOMEM).
		skip "$name: $avail bytes available, too few for a $want-byte ring"
	elif [ -z "$ring" ]; then
		skip "$name: the kernel's ring size is not shown by ss -0 -e"
	else
		check "$name: the kernel's RX ring is $want bytes (ss -0 -e: $ring)" \
			test "$ring" = "$want"
	fi
	grep -i 'captureBuffer' "$T/coremond.log" | sed 's/^/# log: /'
	kill "$CM_PID"; wait "$CM_PID" 2>/dev/null
}

buffer default "" 33554432
buffer one-mb "captureBuffer 1" 1048576
buffer max "captureBuffer 2048" 2146435072
buffer under-max "captureBuffer 2047" 2146435072
