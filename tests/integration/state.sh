# Hostile state directories, as coremond runs under runAs: a state
# directory it may not write, a full disk (a small tmpfs), and the archive
# directory removed while it runs.  Nothing already saved is lost, every
# failure is counted and logged, and capture goes on regardless (its
# packet count equals capinfos').
. tests/lib.sh

[ "$(id -u)" = 0 ] || { skip "state: needs root (runAs, tmpfs)"; exit 0; }
test_user || { skip "state: cannot create a test user"; exit 0; }
U=$TEST_USER
chmod 0711 "$T"
state_cleanup() {
	pkill -f "coremond .*$T/" 2>/dev/null
	mountpoint -q "$T/full" && umount "$T/full"
	cleanup
	test_user_remove
}
trap state_cleanup EXIT
H=$CM.6
Z=$SHARED/pcaps/zeek

# run NAME CONF [ARGS]: coremond -f, standalone; sets PORT and CM_PID.
run() {
	PORT=$(free_port)
	start_coremond "$2" --standalone "udp:127.0.0.1:$PORT" -Lf "$T/$1.log" ${3:+"$3"} ${4:+"$4"}
	wait_for "$PORT" "$CM.1.7.0" 10
}
finished() { [ "$(get "$PORT" "$CM.1.7.0")" = 4 ]; }
stop() { kill "$CM_PID"; wait "$CM_PID" 2>/dev/null; }
conf() {	# DIR [MORE LINES]: runAs the test user, state in DIR
	printf 'rocommunity public 127.0.0.1\nrunAs %s\nhostdbFile %s/hostdb\narchiveDir %s/archive\nwindowInterval 60\nlocalNet 10.0.2.0/24 192.168.0.0/16\n%s\n' \
		"$U" "$1" "$1" "${2:-}"
}
packets() { capinfos -c -M "$1" 2>/dev/null | awk '/Number of packets/ { print $NF }'; }

[ -d "$Z" ] || { skip "state: $Z is absent"; exit 0; }

# 1. A state directory the user may not write (root's, 0755) that holds a
# good host database: it is loaded and served; the save at exit fails,
# is logged, and leaves the file as it was; capture is unaffected.
mkdir -p "$T/rw"; chown "$U" "$T/rw"
conf "$T/rw" >"$T/rw.conf"
run rw "$T/rw.conf" -r "$Z/http_bro.org.pcap"
until_ok 30 finished; stop
check "a first run saved the host database ($(owner "$T/rw/hostdb"))" test -s "$T/rw/hostdb"
mkdir -p "$T/ro"; cp -a "$T/rw/hostdb" "$T/ro/hostdb"; chown root "$T/ro"; chmod 0755 "$T/ro"
sum=$(md5sum <"$T/ro/hostdb")
conf "$T/ro" >"$T/ro.conf"
run ro "$T/ro.conf" -r "$Z/pop3_pop3.pcap"
until_ok 30 finished
want=$(packets "$Z/pop3_pop3.pcap")
check "read-only state: capture is unaffected, cmCaptureTotalPackets $(get "$PORT" "$CM.4.2.0") = capinfos' $want" \
	test "$(get "$PORT" "$CM.4.2.0")" = "$want"
check "read-only state: the database was loaded, cmHostLoadResult loaded(2)" test "$(get "$PORT" "$H.8.0")" = 2
errs=$(get "$PORT" "$CM.9.5.0")
check "read-only state: the archive lines that could not be written are counted (cmArchiveWriteErrors $errs)" \
	test "${errs:-0}" -ge 1
stop
check "read-only state: the failed save is logged: $(grep -m1 -iE 'host database.*(permission|denied|cannot|fail)' "$T/ro.log" | cut -c1-120)" \
	grep -qiE 'host database.*(permission|denied|cannot|fail)' "$T/ro.log"
check "read-only state: the saved database is unchanged" test "$(md5sum <"$T/ro/hostdb")" = "$sum"

# 2. A full disk: the state directory on a 512 kB tmpfs, filled up after a
# first save.  The next save fails with the old file intact; archive lines
# that cannot be written are counted; capture counts every packet.
mkdir -p "$T/full"
if mount -t tmpfs -o size=512k,mode=0750 tmpfs "$T/full" 2>/dev/null; then
	chown "$U" "$T/full"
	conf "$T/full" >"$T/full.conf"
	run full1 "$T/full.conf" -r "$Z/http_bro.org.pcap"
	until_ok 30 finished; stop
	sum=$(md5sum <"$T/full/hostdb" 2>/dev/null)
	dd if=/dev/zero of="$T/full/filler" bs=4k 2>/dev/null
	check "full disk: the tmpfs is full ($(df -k "$T/full" | awk 'NR == 2 { print $4 }') kB free)" \
		test "$(df -k "$T/full" | awk 'NR == 2 { print $4 }')" -lt 8
	$B/tools/mkpcap -f "$T/flood.pcap" 20000 >/dev/null
	run full2 "$T/full.conf" -r "$T/flood.pcap"
	until_ok 60 finished
	want=$(packets "$T/flood.pcap")
	check "full disk: capture is unaffected, cmCaptureTotalPackets $(get "$PORT" "$CM.4.2.0") = capinfos' $want" \
		test "$(get "$PORT" "$CM.4.2.0")" = "$want"
	errs=$(get "$PORT" "$CM.9.5.0")
	check "full disk: archive lines that could not be written are counted (cmArchiveWriteErrors $errs)" \
		test "${errs:-0}" -ge 1
	stop
	check "full disk: the failed save is logged: $(grep -m1 -iE 'space|ENOSPC' "$T/full2.log" | cut -c1-120)" \
		grep -qiE 'no space' "$T/full2.log"
	check "full disk: the last good save is intact" test -n "$sum" -a "$(md5sum <"$T/full/hostdb")" = "$sum"
	check "full disk: no temporary file is left behind ($(ls -A "$T/full" | tr '\n' ' '))" \
		sh -c "! ls -A '$T/full' | grep -qv -e '^hostdb\$' -e '^archive\$' -e '^filler\$'"
	umount "$T/full"
else
	skip "full disk: cannot mount a tmpfs here"
fi

# 3. The archive directory removed while coremond runs: it is created
# again with a new day file, and the lines go on.
mkdir -p "$T/gone"; chown "$U" "$T/gone"
conf "$T/gone" "captureInterface lo
windowInterval 1" | sed '/^windowInterval 60$/d' >"$T/gone.conf"
run gone "$T/gone.conf"
day=$(date -u +%Y%m%d)
f=$T/gone/archive/coremon-$day.log
lines() { [ -f "$f" ] && wc -l <"$f" || echo 0; }
until_ok 20 sh -c "[ \$(cat '$f' 2>/dev/null | wc -l) -ge 2 ]"
before=$(get "$PORT" "$CM.9.4.0")
rm -rf "$T/gone/archive"
until_ok 20 sh -c "[ \$(cat '$f' 2>/dev/null | wc -l) -ge 3 ]"
after=$(get "$PORT" "$CM.9.4.0"); errs=$(get "$PORT" "$CM.9.5.0")
check "archive removed: the directory and today's file are back, $(lines) lines in it, $U's ($(owner "$f"))" \
	test "$(lines)" -ge 3 -a "$(owner "$f")" = "$U:640"
n=$(lines)
check "archive removed: no line went to the removed file (cmArchiveLines $before -> $after, $n in the new file, errors ${errs:-?})" \
	test $(( ${after:-0} - ${before:-0} - n )) -le 1 -a -n "$errs"
stop
exit 0
