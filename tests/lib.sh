# Shared helpers for the integration tests (POSIX sh).  Each test sources
# this file, prints "ok - ...", "not ok - ..." or "skip - ..." lines, and
# leaves nothing running: every process it starts is killed by pid on exit.

B=${B:-build}
SHARED=${SHARED:-../shared}
COREMOND=$B/coremond
CM=.1.3.6.1.4.1.8072.9999.9999.2611.1	# coremonObjects
T=$(mktemp -d /tmp/coremon-test.XXXXXX)
PIDS=""
export SNMP_PERSISTENT_DIR=$T/persist
export SNMPCONFPATH=$T/snmpconf		# keep /etc/snmp/snmp.conf out
export MIBS= MIBDIRS=
mkdir -p "$SNMP_PERSISTENT_DIR" "$SNMPCONFPATH"

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	[ -n "$KEEP_TEST_DIR" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
skip() { echo "skip - $*"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() { d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }

# free_port: a port no socket uses, TCP or UDP, for a server a test
# starts (snmpd, snmptrapd, PostgreSQL, chromedriver), below the
# kernel's range of ephemeral ports: a port in that range, free when
# looked at, can be the local end of any connection the moment after
# (another test's, beside this one), and the server's bind then fails.
free_port() {
	hi=$(awk '{ print $1 - 1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	[ "${hi:-0}" -gt 12000 ] || hi=32767
	for p in $(shuf -i "10000-$hi" -n 20); do
		ss -Hatun "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
	echo 16161
}

# in_own_netns WHAT: runs the calling test ($0) again inside a network
# namespace of its own, with lo up, and exits with its status; in that
# second run it returns at once.  Skips (WHAT: the reason) when not root
# or when no namespace can be made.
in_own_netns() {
	if [ -n "$CM_IN_NETNS" ]; then ip link set lo up; return 0; fi
	[ "$(id -u)" = 0 ] || { skip "$1: not root"; exit 0; }
	command -v ip >/dev/null || { skip "$1: no ip"; exit 0; }
	_ns=cmns-$$
	if ! ip netns add "$_ns" 2>"$T/err"; then
		skip "$1: cannot create a namespace ($(head -1 "$T/err"))"
		exit 0
	fi
	ip netns exec "$_ns" env CM_IN_NETNS=1 B="$B" SHARED="$SHARED" sh "$0"
	_rc=$?
	ip netns del "$_ns"
	exit $_rc
}

# start_master PORT [SNMPD-ARGS...]: snmpd as AgentX master on
# udp:127.0.0.1:PORT with a private socket $T/agentx.sock.  Sets MASTER_PID.
start_master() {
	mport=$1; shift
	cat >"$T/snmpd.conf" <<EOC
agentaddress udp:127.0.0.1:$mport
master agentx
agentXSocket $T/agentx.sock
agentXPerms 0600 0700
rocommunity public 127.0.0.1
${MASTER_EXTRA:-}
EOC
	snmpd -f -C -c "$T/snmpd.conf" -Lf "$T/snmpd.log" -p "$T/snmpd.pid" \
		-I -smux "$@" >/dev/null 2>&1 &
	MASTER_PID=$!
	PIDS="$PIDS $MASTER_PID"
	wait_for "$mport" .1.3.6.1.2.1.1.3.0 || { echo "# snmpd did not start"; \
		sed 's/^/# /' "$T/snmpd.log"; return 1; }
}

# start_coremond CONF ARGS...: coremond in the foreground; sets CM_PID.
start_coremond() {
	conf=$1; shift
	"$COREMOND" -f -C -c "$conf" -Lf "$T/coremond.log" "$@" \
		>"$T/coremond.out" 2>&1 &
	CM_PID=$!
	PIDS="$PIDS $CM_PID"
}

# wait_for PORT OID [SECONDS]: until the agent on PORT answers OID.
wait_for() {
	n=$(( ${3:-10} * 5 ))
	while [ "$n" -gt 0 ]; do
		snmpget -v2c -c public -r0 -t1 -Ovq 127.0.0.1:$1 "$2" 2>/dev/null |
			grep -qv -e 'No Such' -e '^$' && return 0
		sleep 0.2; n=$((n - 1))
	done
	return 1
}

# get PORT OID: the bare value (numbers without type), or nothing.
get() {
	snmpget -v2c -c public -r1 -t2 -Oqv -Oe -On 127.0.0.1:$1 "$2" 2>/dev/null |
		grep -v '^No Such'
}

# walk PORT OID: "oid value" lines, numeric.
walk() {
	snmpbulkwalk -v2c -c public -r1 -t5 -Cr50 -On -Oq -Oe -Ot 127.0.0.1:$1 "$2" 2>/dev/null
}

# proc_dev IFACE FIELD: a /proc/net/dev field (1 = rx bytes ... 16).
proc_dev() {
	awk -v i="$1" -v f="$2" -F'[: ]+' \
		'{ sub(/^ +/, ""); split($0, a, ":"); n = a[1]; \
		   if (n == i) { split(a[2], v, " "); print v[f] } }' /proc/net/dev
}

# proc_snmp SECTION NAME: a counter of /proc/net/snmp or netstat.
proc_snmp() {
	cat /proc/net/snmp /proc/net/netstat | awk -v s="$1:" -v n="$2" \
		'$1 == s { if (!h) { for (i = 2; i <= NF; i++) if ($i == n) c = i; h = 1 } \
		           else { print $c; exit } }'
}

# between LO V HI: LO <= V <= HI as unsigned 64-bit decimals.
between() {
	[ -n "$2" ] || return 1
	awk -v a="$1" -v v="$2" -v b="$3" 'BEGIN {
		exit !(length(a) < length(v) || (length(a) == length(v) && a <= v)) ||
		     !(length(v) < length(b) || (length(v) == length(b) && v <= b)) }'
}

# 127.0.0.1 -> 7F000001; 2001:db8::1 -> 20010DB8000000000000000000000001
tohex() {
	awk -v a="$1" 'BEGIN {
		if (index(a, ":") == 0) { split(a, o, "."); for (i = 1; i <= 4; i++) printf "%02X", o[i]; print ""; exit }
		n = split(a, h, ":"); z = 0; for (i = 1; i <= n; i++) if (h[i] != "") z++
		out = ""; done = 0
		for (i = 1; i <= n; i++) {
			if (h[i] == "") { if (!done) { for (j = 0; j < 8 - z; j++) out = out "0000"; done = 1 } continue }
			out = out sprintf("%04s", toupper(h[i]))
		}
		gsub(/ /, "0", out); print out }'
}

# test_user: an unprivileged user of this test alone (its name drawn from
# $T, so tests run side by side do not share it) with a supplementary group,
# for runAs tests; removed at exit by test_user_remove.  Sets TEST_USER and
# TEST_GROUP; returns 1 when it cannot (not root).
test_user() {
	_tag=$(basename "$T" | tr -dc 'a-zA-Z0-9' | tail -c 6 | tr 'A-Z' 'a-z')
	TEST_USER=cmtu-$_tag; TEST_GROUP=cmtg-$_tag
	[ "$(id -u)" = 0 ] || return 1
	groupadd "$TEST_GROUP" && useradd -r -M -d /nonexistent \
		-s /usr/sbin/nologin -G "$TEST_GROUP" "$TEST_USER" || return 1
	TEST_USER_MADE=1
}
test_user_remove() {
	[ -n "${TEST_USER_MADE:-}" ] || return 0
	userdel "$TEST_USER" 2>/dev/null; groupdel "$TEST_GROUP" 2>/dev/null
}

# until_ok SECONDS COMMAND...: poll the command every 0.5 s until it
# succeeds; 1 when it never did.
until_ok() {
	_n=$(( $1 * 2 )); shift
	while [ "$_n" -gt 0 ]; do "$@" && return 0; sleep 0.5; _n=$((_n - 1)); done
	return 1
}

# owner FILE: "user:mode", e.g. coremon:640.
owner() { stat -c '%U:%a' "$1" 2>/dev/null; }

# wait_samples PORT N [SECONDS]: until coremond has taken N more samples of
# /proc (cmSamplesTaken) than when called (default bound 30 s).  With N = 2
# what it serves was read after the call; with N = 3 its latest rate
# interval lies wholly after the call.  A loaded machine runs the sampling
# alarm late, so a sleep of "a few intervals" is a guess; this is not.
wait_samples() {
	ws0=$(get "$1" "$CM.2.6.4.0"); [ -n "$ws0" ] || return 1
	wsn=$(( ${3:-30} * 5 ))
	while [ "$wsn" -gt 0 ]; do
		ws=$(get "$1" "$CM.2.6.4.0")
		[ -n "$ws" ] && [ "$ws" -ge $((ws0 + $2)) ] && return 0
		sleep 0.2; wsn=$((wsn - 1))
	done
	echo "# coremond took fewer than $2 samples in ${3:-30} s (cmSamplesTaken $ws0 -> $ws)"
	return 1
}

# dateandtime PORT OID: a DateAndTime as seconds since the epoch (with the
# tenths), or nothing.
dateandtime() {
	snmpget -v2c -c public -r1 -t2 -Oqv -Ox 127.0.0.1:$1 "$2" 2>/dev/null | tr -d '"' |
		TZ=UTC awk 'function h(x, i, v) { x = tolower(x); v = 0
				for (i = 1; i <= length(x); i++) v = v * 16 + index("0123456789abcdef", substr(x, i, 1)) - 1
				return v }
			NF >= 8 { printf "%.1f\n", mktime(sprintf("%d %d %d %d %d %d", h($1) * 256 + h($2), h($3), h($4), h($5), h($6), h($7))) + h($8) / 10 }'
}

# now: the time in seconds with nanoseconds.
now() { date +%s.%N; }

# dev_recorder IFACE FILE: in the background (killed with $PIDS), about
# every 0.1 s one line "BEFORE RX-BYTES TX-BYTES AFTER" of IFACE's
# /proc/net/dev counters, BEFORE and AFTER the times around the reading.
# Sets REC_PID.
dev_recorder() {
	(while :; do
		printf '%s %s %s\n' "$(now)" "$(proc_dev "$1" 1) $(proc_dev "$1" 9)" "$(now)"
		sleep 0.1
	done) >"$2" &
	REC_PID=$!; PIDS="$PIDS $REC_PID"
}

# dev_rates FILE COLUMN FROM TO: "MIN MAX", the lowest and highest bytes per
# second the kernel counted (COLUMN 2 rx, 3 tx of dev_recorder's FILE) over
# any interval of at least 0.5 s between readings taken within [FROM, TO]
# (each reading's time taken as its whole uncertainty).  A rate coremond
# computed over an interval inside [FROM, TO] is the kernel's count over
# that interval, so it lies within MIN..MAX up to the edges' slack.
dev_rates() {
	awk -v c="$2" -v from="$3" -v to="$4" '
		NF == 4 && $1 >= from - 0.2 && $4 <= to + 0.2 {
			n++; a[n] = $1; v[n] = $c; b[n] = $4 }
		END { min = -1; max = -1
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) {
				if (a[j] - b[i] < 0.5) continue
				lo = (v[j] - v[i]) / (b[j] - a[i]); hi = (v[j] - v[i]) / (a[j] - b[i])
				if (min < 0 || lo < min) min = lo
				if (hi > max) max = hi
			}
			if (min < 0) print ""; else printf "%d %d\n", min, max }' "$1"
}

# in_rates V MIN MAX PERCENT: V within [MIN - PERCENT%, MAX + PERCENT%].
in_rates() {
	awk -v v="$1" -v lo="$2" -v hi="$3" -v p="$4" \
		'BEGIN { exit !(v != "" && lo != "" && v >= lo * (1 - p / 100) && v <= hi * (1 + p / 100)) }'
}

# ---- notifications, received by a real snmptrapd ----------------------

CMN=.1.3.6.1.4.1.8072.9999.9999.2611.0	# coremonNotifications

# start_trapd [SNMPTRAPD-ARGS...]: snmptrapd on udp:127.0.0.1:$TPORT (set
# here), logging each notification to $T/traps.log, one a line, its
# varbinds separated by tabs.
start_trapd() {
	TPORT=$(free_port)
	printf 'authCommunity log public\n' >"$T/snmptrapd.conf"
	snmptrapd -f -C -c "$T/snmptrapd.conf" -Lf "$T/traps.log" -On \
		-p "$T/trapd.pid" "$@" "udp:127.0.0.1:$TPORT" >/dev/null 2>&1 &
	PIDS="$PIDS $!"
}

# traps SUB: how many notifications coremonNotifications.SUB arrived.
traps() { tr '\t' '\n' <"$T/traps.log" | grep -c "^.1.3.6.1.6.3.1.1.4.1.0 = OID: $CMN.$1\$"; }

# wait_trap SUB COUNT SECONDS: until COUNT of them arrived.
wait_trap() {
	n=$(( $3 * 5 ))
	while [ "$(traps "$1")" -lt "$2" ] && [ $n -gt 0 ]; do sleep 0.2; n=$((n - 1)); done
	[ "$(traps "$1")" -ge "$2" ]
}

# varbinds SUB [PATTERN]: the varbinds of the last such notification
# (that holds PATTERN), one a line.
varbinds() { grep -P "OID: \Q$CMN.$1\E(\t|$)" "$T/traps.log" | grep -F -- "${2:-}" | tail -1 | tr '\t' '\n'; }
