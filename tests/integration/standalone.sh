# coremond --standalone: its own agent with the system group and the
# community from coremon.conf, no snmpd involved.
. tests/lib.sh

PORT=$(free_port)
cat >"$T/coremon.conf" <<EOC
rocommunity public 127.0.0.1
sysLocation test rack 7
sampleInterval 1
EOC
start_coremond "$T/coremon.conf" --standalone "udp:127.0.0.1:$PORT" -p "$T/coremond.pid"
LO=$(cat /sys/class/net/lo/ifindex)
check "standalone coremond answers on udp:127.0.0.1:$PORT" wait_for "$PORT" "$CM.2.1.1.2.$LO" 10
sed 's/^/# /' "$T/coremond.log"
check "the system group is served (sysUpTime.0)" test -n "$(get "$PORT" .1.3.6.1.2.1.1.3.0)"
loc=$(get "$PORT" .1.3.6.1.2.1.1.6.0)
check "sysLocation comes from coremon.conf (got $loc)" test "$loc" = '"test rack 7"'
name=$(get "$PORT" "$CM.2.1.1.2.$LO")
check "cmIfName.$LO is \"lo\" (got $name)" test "$name" = '"lo"'
v=$(snmpget -v2c -c private -r0 -t1 -Oqv 127.0.0.1:$PORT "$CM.2.1.1.2.$LO" 2>&1)
case "$v" in *Timeout*) ok "a community not in coremon.conf gets no answer";; *) notok "wrong community answered: $v";; esac
ver=$(get "$PORT" "$CM.1.1.0")
check "cmAgentVersion answers ($ver)" test -n "$ver"
si=$(get "$PORT" "$CM.1.3.0")
check "cmAgentSampleInterval is the configured 1 (got $si)" test "$si" = 1
if ss -Hltnp | grep -q "pid=$CM_PID,"; then notok "coremond listens on no TCP port (no SMUX)"; else ok "coremond listens on no TCP port (no SMUX)"; fi

# Names resolve with the repository's MIB and the shared base MIBs.
if [ -d "$SHARED/mibs" ]; then
	out=$(snmptable -v2c -c public -M "+mibs:$SHARED/mibs" -m +COREMON-MIB \
		-Cb -Cw 200 127.0.0.1:$PORT COREMON-MIB::cmIfTable 2>&1)
	echo "$out" | head -5 | sed 's/^/# /'
	case "$out" in *Name*lo*) ok "snmptable COREMON-MIB::cmIfTable resolves names";;
		*) notok "snmptable cmIfTable by name";; esac
else
	skip "MIB names: $SHARED/mibs is absent"
fi

check "-p writes the pid file" test "$(cat "$T/coremond.pid" 2>/dev/null)" = "$CM_PID"
kill -HUP "$CM_PID"; sleep 0.5
check "SIGHUP (reopen logs) leaves coremond serving" wait_for "$PORT" "$CM.1.1.0" 15
kill -PIPE "$CM_PID"; sleep 0.2
check "SIGPIPE is ignored" kill -0 "$CM_PID"
kill -INT "$CM_PID"; wait "$CM_PID"; rc=$?
check "coremond exits 0 on SIGINT (status $rc)" test "$rc" = 0
check "and removes its pid file" test ! -e "$T/coremond.pid"

# runAs: privileges dropped after capture, probe and netlink sockets are
# open; all of them keep working.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	PORT=$(free_port)
	printf 'rocommunity public 127.0.0.1\nrunAs nobody\ncaptureInterface lo\nprobe lo4 127.0.0.1 interval 1\nconnRefresh 1\n' >"$T/runas.conf"
	start_coremond "$T/runas.conf" --standalone "udp:127.0.0.1:$PORT"
	wait_for "$PORT" "$CM.1.7.0" 10
	# Until a refresh after the first and a probe reply (30 s at most).
	n=0
	until [ "$(get "$PORT" "$CM.3.1.16.0")" -gt 1 ] 2>/dev/null &&
	      [ "$(get "$PORT" "$CM.8.2.1.14.1")" -gt 0 ] 2>/dev/null || [ $n -gt 150 ]; do
		sleep 0.2; n=$((n + 1))
	done
	check "runAs nobody: the process runs as nobody" test "$(ps -o user= -p "$CM_PID")" = nobody
	check "capture still runs after the drop (cmAgentCaptureState running)" test "$(get "$PORT" "$CM.1.7.0")" = 2
	check "sock_diag still refreshes (cmConnRefreshes $(get "$PORT" "$CM.3.1.16.0") > 1)" test "$(get "$PORT" "$CM.3.1.16.0")" -gt 1
	check "the probe socket still answers (cmProbeReplies $(get "$PORT" "$CM.8.2.1.14.1"))" test "$(get "$PORT" "$CM.8.2.1.14.1")" -gt 0
	kill "$CM_PID"; wait "$CM_PID" 2>/dev/null
else
	skip "runAs: needs root and a nobody user"
fi
