# coremond as operators start it: without -f (daemonized, -p, -Lf),
# under runAs with state directories that user owns (and a hostile file
# planted in them), and with the exact command line and sandboxing of
# contrib/systemd/coremond.service as far as this machine can execute it.
# Each run must capture, probe and refresh connections: checked over SNMP
# against what the test itself sent and what ss saw.
. tests/lib.sh

[ "$(id -u)" = 0 ] || { skip "daemon: needs root (capture, runAs, a test user)"; exit 0; }
COREMOND=$(cd "$(dirname "$COREMOND")" && pwd)/coremond
TOOLS=$(cd "$B/tools" && pwd)
LO=$(cat /sys/class/net/lo/ifindex)
test_user || { skip "daemon: cannot create a test user"; exit 0; }
U=$TEST_USER			# the runAs user
G=$TEST_GROUP			# a supplementary group of U's: the AgentX socket's
daemon_cleanup() {
	# A daemon is no child of ours: find it by its configuration's path.
	pkill -f "coremond .*$T/" 2>/dev/null
	cleanup
	test_user_remove
}
trap daemon_cleanup EXIT
chmod 0711 "$T"		# the test user must reach its state directories

# The master: its AgentX socket in a directory only group $G may enter,
# so coremond reconnects after a master restart only if runAs kept the
# user's supplementary groups.
PORT=$(free_port)
mkdir -p "$T/ax"
master() {
	cat >"$T/snmpd.conf" <<EOC
agentaddress udp:127.0.0.1:$PORT
master agentx
agentXSocket $T/ax/sock
agentXPerms 0660 0750 root $G
rocommunity public 127.0.0.1
EOC
	snmpd -f -C -c "$T/snmpd.conf" -Lf "$T/snmpd.log" -I -smux >/dev/null 2>&1 &
	MASTER_PID=$!; PIDS="$PIDS $MASTER_PID"
	wait_for "$PORT" .1.3.6.1.2.1.1.3.0
}
master || { notok "snmpd master starts"; exit 1; }

ge() { [ -n "$1" ] && [ "$1" -ge "$2" ]; }

# serves_live NAME: the three workers of a live coremond run.
serves_live() {
	# Capture: N datagrams of our own through lo; cmCaptureTotalPackets
	# grows by at least as many once their window closed.
	p0=$(get "$PORT" "$CM.4.2.0")
	"$TOOLS/cmsend" sink udp 39713 >/dev/null & sk=$!
	sleep 0.3
	"$TOOLS/cmsend" send udp 127.0.0.1 39713 1000000 500 >/dev/null
	kill "$sk" 2>/dev/null; wait "$sk" 2>/dev/null
	captured() { ge "$(get "$PORT" "$CM.4.2.0")" $((${p0:-0} + 2000)); }
	until_ok 30 captured
	check "$1: capture runs: cmCaptureTotalPackets grew from ${p0:-none} by the 2,000 datagrams sent (now $(get "$PORT" "$CM.4.2.0"))" captured
	# Probes: replies keep coming.
	r0=$(get "$PORT" "$CM.8.2.1.14.1")
	answered() { ge "$(get "$PORT" "$CM.8.2.1.14.1")" $((${r0:-0} + 2)); }
	until_ok 20 answered
	check "$1: probes run: cmProbeReplies to 127.0.0.1 went from ${r0:-none} to $(get "$PORT" "$CM.8.2.1.14.1")" answered
	# Connections: a client of our own appears with as many connections
	# as ss shows for it (the refresher thread runs).
	"$TOOLS/cmconns" 60 127.0.0.77 >"$T/conns" & cc=$!; PIDS="$PIDS $cc"
	until_ok 10 grep -qs ready "$T/conns"
	# ss and coremond read the kernel at different moments: poll both.
	client() {
		want=$(ss -tnH | awk '$1 == "ESTAB" && $5 ~ /(^|[[:punct:]])127\.0\.0\.77\]?:/' | wc -l)
		got=$(get "$PORT" "$CM.3.3.1.4.1.4.127.0.0.77")
		[ "$want" -ge 6 ] && [ "$got" = "$want" ]
	}
	until_ok 20 client
	check "$1: connections refresh: cmClientEstablished of 127.0.0.77 is ${got:-none}, ss shows $want" client
	kill "$cc" 2>/dev/null; wait "$cc" 2>/dev/null
}

threads() { awk '/^Threads:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# 1. Daemonized as root: a relative -p, -Lf, capture, a probe, connections,
# and every thread of the store (host database, resolver, history).
cat >"$T/live.conf" <<EOC
agentXSocket $T/ax/sock
agentxPingInterval 2
captureInterface lo
windowInterval 2
probe lo4 127.0.0.1 interval 1
hostdbFile $T/root-state/hostdb
archiveDir $T/root-state/archive
historyDatabase $T/root-state/history.sqlite
resolveNames yes
EOC
mkdir -p "$T/run"
(cd "$T" && "$COREMOND" -C -c "$T/live.conf" -p run/coremond.pid -Lf "$T/daemon.log")
rc=$?
pid=$(cat "$T/run/coremond.pid" 2>/dev/null)
check "daemonized coremond returns 0 once it serves ($rc)" test "$rc" = 0
check "the relative pid file -p run/coremond.pid is written below the directory coremond was started in ($pid)" \
	test -n "$pid" -a "$pid" -gt 1
check "the pid file names the daemon, detached (parent $(awk '{ print $4 }' /proc/$pid/stat 2>/dev/null), $(threads "$pid") threads)" \
	test -n "$pid" -a "$(awk '{ print $4 }' "/proc/$pid/stat" 2>/dev/null)" != $$ -a "$(threads "$pid")" -ge 4
wait_for "$PORT" "$CM.2.1.1.2.$LO" 10
serves_live "daemon"
# SIGTERM must reach the main thread: every other thread blocks it
# (SigBlk bit 15 - 1 = 0x4000, as the kernel shows it).
unblocked=$(for t in /proc/$pid/task/*; do [ "${t##*/}" = "$pid" ] && continue
	m=$(awk '/^SigBlk:/ { print $2 }' "$t/status")
	[ $(( 0x${m:-0} & 0x4000 )) -ne 0 ] || echo "${t##*/}"; done)
check "daemon: only the main thread takes SIGTERM ($(ls /proc/$pid/task | wc -l) threads; unblocked: ${unblocked:-none})" \
	test -z "$unblocked" -a "$(ls /proc/$pid/task | wc -l)" -ge 4
# The master restarts, then coremond stops: no net-snmp lock warnings.
kill "$MASTER_PID"; wait "$MASTER_PID" 2>/dev/null; sleep 1
master || notok "snmpd restarts"
check "daemon: registers again after the master restarted" wait_for "$PORT" "$CM.2.1.1.2.$LO" 10
kill "$pid"
until_ok 15 sh -c "! kill -0 $pid 2>/dev/null"
check "daemon: SIGTERM stops it and removes its pid file" test ! -e "$T/run/coremond.pid"
check "daemon: no net-snmp callback-lock warning or assertion at stop after a master restart" \
	sh -c "! grep -E '_callback_lock|netsnmp_assert' '$T/daemon.log'"
grep -E '_callback_lock|netsnmp_assert' "$T/daemon.log" | head -3 | sed 's/^/# /'

# 2. A daemon that cannot start says so, and the command fails.
printf 'agentXSocket %s/ax/sock\nrunAs no-such-user-here\n' "$T" >"$T/bad.conf"
"$COREMOND" -C -c "$T/bad.conf" -Lf "$T/bad.log"
rc=$?
check "daemonized coremond with an unknown runAs user exits non-zero ($rc) and says why" \
	sh -c "test $rc != 0 && grep -q 'no such user' '$T/bad.log'"

# 3. runAs a user who owns the state directory; a hostile symlink planted
# in it points at a root-only file; -r replays a capture while daemonized.
echo "root-only secret $$" >"$T/secret"; chmod 0600 "$T/secret"
mkdir -p "$T/state/archive"
ln -s "$T/secret" "$T/state/archive/coremon-20200101.log"
ln -s "$T/secret" "$T/state/archive/coremon-20200102.log.gz"
chown -R "$U:$U" "$T/state"; chmod 0750 "$T/state"
Z=$SHARED/pcaps/zeek/http_bro.org.pcap
cat >"$T/runas.conf" <<EOC
agentXSocket $T/ax/sock
agentxPingInterval 2
runAs $U
hostdbFile $T/state/hostdb
archiveDir $T/state/archive
archiveCompressAfter 0
localNet 10.0.2.0/24
captureInterface lo
windowInterval 2
probe lo4 127.0.0.1 interval 1
EOC
(cd "$T" && "$COREMOND" -C -c "$T/runas.conf" -p run/coremond.pid -Lf "$T/runas.log")
pid=$(cat "$T/run/coremond.pid" 2>/dev/null)
check "runAs: the daemon runs as $U ($(stat -c %U "/proc/$pid" 2>/dev/null))" \
	test -n "$pid" -a "$(stat -c %U "/proc/$pid" 2>/dev/null)" = "$U"
wait_for "$PORT" "$CM.2.1.1.2.$LO" 10
serves_live "runAs"
day=$(date -u +%Y%m%d)
until_ok 10 test -s "$T/state/archive/coremon-$day.log"
check "runAs: today's day file is $U's own, mode 640 ($(owner "$T/state/archive/coremon-$day.log"))" \
	test "$(owner "$T/state/archive/coremon-$day.log")" = "$U:640"
leaks=$(grep -rl "root-only secret" "$T/state" 2>/dev/null; for f in "$T"/state/archive/*.gz; do
	[ -f "$f" ] && [ ! -L "$f" ] && zcat "$f" 2>/dev/null | grep -q "root-only secret" && echo "$f"; done)
check "runAs: nothing in the state directory holds the root-only file's text (${leaks:-none})" test -z "$leaks"
check "runAs: the root-only file is untouched ($(owner "$T/secret"))" \
	sh -c "test '$(owner "$T/secret")' = root:600 && grep -q 'root-only secret' '$T/secret'"
kill "$MASTER_PID"; wait "$MASTER_PID" 2>/dev/null; sleep 1
master || notok "snmpd restarts"
check "runAs: reconnects after a master restart through the socket only its supplementary group $G may reach" \
	wait_for "$PORT" "$CM.2.1.1.2.$LO" 10
kill "$pid"; until_ok 15 sh -c "! kill -0 $pid 2>/dev/null"
check "runAs: SIGTERM saved the host database as $U's own, mode 640 ($(owner "$T/state/hostdb"))" \
	test "$(owner "$T/state/hostdb")" = "$U:640"

# 3b. -r while daemonized under runAs: the archive directory, absent, is
# created by the user; packets are decoded only after the drop.
rm -rf "$T/state/archive"
sed -i 's/^captureInterface lo$//' "$T/runas.conf"
(cd "$T" && "$COREMOND" -C -c "$T/runas.conf" -p run/coremond.pid -Lf "$T/replay.log" -r "$Z")
pid=$(cat "$T/run/coremond.pid" 2>/dev/null)
finished() { [ "$(get "$PORT" "$CM.1.7.0")" = 4 ]; }
until_ok 20 finished
f=$(ls "$T"/state/archive/coremon-*.log 2>/dev/null | head -1)
check "replay: the archive directory and the first day file are $U's ($(owner "$T/state/archive"), $(owner "$f"))" \
	test -n "$f" -a "$(owner "$T/state/archive")" = "$U:750" -a "$(owner "$f")" = "$U:640"
# cmHostSource (4) names the capture source of the running configuration:
# without capture there is none to name, so it is left out.
hosts_walk() { walk "$PORT" "$CM.6.15" | grep -v "^$CM.6.15.1.4\."; }
hosts_walk >"$T/hosts.walk"
kill "$pid"; until_ok 15 sh -c "! kill -0 $pid 2>/dev/null"
sum=$(md5sum <"$T/state/hostdb")

# 4. No capture configured: the host database is still served, read-only.
printf 'agentXSocket %s/ax/sock\nrunAs %s\nhostdbFile %s/state/hostdb\n' "$T" "$U" "$T" >"$T/nocap.conf"
(cd "$T" && "$COREMOND" -C -c "$T/nocap.conf" -p run/coremond.pid -Lf "$T/nocap.log")
pid=$(cat "$T/run/coremond.pid" 2>/dev/null)
wait_for "$PORT" "$CM.6.1.0" 10
hosts_walk >"$T/hosts.nocap"
check "without capture cmHostTable is served from the file, identical but for cmHostSource ($(wc -l <"$T/hosts.nocap") values)" \
	sh -c "test -s '$T/hosts.walk' && cmp -s '$T/hosts.walk' '$T/hosts.nocap'"
kill "$pid"; until_ok 15 sh -c "! kill -0 $pid 2>/dev/null"
check "without capture the host database file is left as it was" test "$(md5sum <"$T/state/hostdb")" = "$sum"

# 5. As contrib/systemd/coremond.service runs it: its ExecStart, User,
# Group, UMask, AmbientCapabilities, CapabilityBoundingSet, NoNewPrivileges,
# StateDirectory and SNMP_PERSISTENT_DIR (no systemd here: setpriv applies
# them; the file-system sandboxing is verified by contrib/systemd).
UNIT=contrib/systemd/coremond.service
execstart=$(sed -n 's/^ExecStart=//p' "$UNIT")
cmdline=$(echo "$execstart" | sed "s|^/usr/local/sbin/coremond|$COREMOND|")
caps=$(sed -n 's/^AmbientCapabilities=//p' "$UNIT" | tr 'A-Z' 'a-z' | sed 's/cap_//g; s/ /,+/g')
umask_=$(sed -n 's/^UMask=//p' "$UNIT")
check "the unit's ExecStart is the one tested ($execstart)" test -n "$execstart" -a -n "$caps"
rm -rf "$T/state"; mkdir -p "$T/state/snmp" "$T/sd-conf"
chown -R "$U:$U" "$T/state"; chmod 0750 "$T/state" "$T/state/snmp"
sed "s|root-state|state|g" "$T/live.conf" >"$T/sd-conf/coremon.conf"
chmod 0755 "$T/sd-conf"; chmod 0644 "$T/sd-conf/coremon.conf"
(umask "$umask_"; export SNMPCONFPATH=$T/sd-conf SNMP_PERSISTENT_DIR=$T/state/snmp
	exec setpriv --reuid="$U" --regid="$U" --init-groups --inh-caps=-all,+"$caps" \
	--ambient-caps=-all,+"$caps" --bounding-set=-all,+"$caps" --no-new-privs \
	$cmdline -Lf "$T/systemd.log" >/dev/null 2>&1) &
SD_PID=$!; PIDS="$PIDS $SD_PID"
wait_for "$PORT" "$CM.2.1.1.2.$LO" 10
serves_live "systemd unit"
until_ok 10 sh -c "ls '$T'/state/archive/coremon-*.log >/dev/null 2>&1"
f=$(ls "$T"/state/archive/coremon-*.log 2>/dev/null | head -1)
check "systemd unit: the day file is $U's, mode 640 ($(owner "$f"))" test "$(owner "$f")" = "$U:640"
exit 0
