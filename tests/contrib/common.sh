# Helpers shared by the contrib tests (POSIX sh), sourced after tests/lib.sh.
# Everything the tests start listens on 127.0.0.1 (or a Unix socket) and is
# killed by pid on exit (lib.sh's cleanup of $PIDS and $T).

CMROOT=.1.3.6.1.4.1.8072.9999.9999.2611
export DEBIAN_FRONTEND=noninteractive
# Nothing the tests run may read the machine's snmp.conf or MIB settings.
export MIBS= MIBDIRS=

# need PKG...: install the Debian packages that are missing (apt-get, from
# Debian's repositories only).  Package scripts must not start their
# services on this machine (they would listen on every address), so a
# policy-rc.d that forbids it is put in place for the install when there is
# none, and removed afterwards.
need() {
	missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	if [ "$(id -u)" != 0 ]; then
		echo "# not root: cannot install$missing"
		return 1
	fi
	echo "# installing$missing"
	policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		policy=/usr/sbin/policy-rc.d
	fi
	rc=0
	# Another apt may hold the lock (apt-get waits for it up to 10 min).
	apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends \
		$missing >"$T/apt.log" 2>&1 ||
	{ apt-get -o DPkg::Lock::Timeout=600 update -q >>"$T/apt.log" 2>&1 &&
	  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends \
		$missing >>"$T/apt.log" 2>&1; } || rc=1
	[ -z "$policy" ] || rm -f "$policy"
	[ $rc = 0 ] || { echo "# apt-get failed:"; tail -5 "$T/apt.log" | sed 's/^/#   /'; }
	return $rc
}

# state_conf DIR: coremon.conf lines that keep coremond's files (host
# database, archive, history database) in DIR instead of /var/lib/coremon.
state_conf() {
	printf 'hostdbFile %s/hostdb\narchiveDir %s/archive\nhistoryDatabase %s/history.sqlite\n' \
		"$1" "$1" "$1"
}

# start_stack [CONF-LINES]: a real snmpd master (without its SMUX port, so
# it listens on 127.0.0.1:$PORT only) with coremond attached, sampling every
# second.  Extra coremon.conf lines come from $1.  Sets PORT, LO.
start_stack() {
	PORT=$(free_port)
	start_master "$PORT" -I -smux || return 1
	cat >"$T/coremon.conf" <<EOC
agentXSocket $T/agentx.sock
agentxPingInterval 1
sampleInterval 1
historySamples 60
connRefresh 1
$(state_conf "$T")
${1:-}
EOC
	start_coremond "$T/coremon.conf"
	LO=$(cat /sys/class/net/lo/ifindex)
	wait_for "$PORT" "$CM.2.1.1.2.$LO" 15 || {
		echo "# coremond did not register; its log:"
		sed 's/^/#   /' "$T/coremond.log" "$T/coremond.out" 2>/dev/null
		return 1
	}
}

# has OID: whether the master answers OID (the group is implemented).
has() { [ -n "$(get "$PORT" "$1")" ]; }

# within V WANT PERCENT
within() {
	awk -v v="$1" -v w="$2" -v p="$3" 'BEGIN { d = v - w; if (d < 0) d = -d;
		exit !(v != "" && d <= w * p / 100) }'
}

# only_loopback: every TCP/UDP socket of the processes in $PIDS (and their
# children) is bound to 127.0.0.1 / ::1, or is a client socket.
only_loopback() {
	bad=$(ss -Hlntup 2>/dev/null | awk '{ print $5, $NF }' |
		while read -r addr users; do
			for p in $PIDS $EXTRA_PIDS; do
				case "$users" in *"pid=$p,"*)
					case "$addr" in 127.0.0.1:*|'[::1]:'*|::1:*) ;; *) echo "$addr($users)";; esac
				esac
			done
		done)
	[ -z "$bad" ] || { echo "# listening beyond loopback: $bad"; return 1; }
}

# A closed pipe or hang-up must still run lib.sh's cleanup.
trap 'exit 1' HUP PIPE
