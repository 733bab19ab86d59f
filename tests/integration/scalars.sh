# Every scalar of COREMON-MIB answers with the type its SYNTAX gives, in
# the states where the agent has no data yet: capture running before any
# window has closed, and capture not configured.  The scalars are read
# from mibs/COREMON-MIB.txt (an OBJECT-TYPE whose parent is no table
# entry) and each is fetched with the MIB loaded, so net-snmp's own MIB
# parser reports a value whose type differs from the SYNTAX ("Wrong
# Type (should be Counter32): Gauge32: 0").
. tests/lib.sh

MIB=mibs/COREMON-MIB.txt
if [ ! -d "$SHARED/mibs" ]; then
	skip "scalar types: $SHARED/mibs (IETF base MIBs) is absent"
	exit 0
fi
MIBS_ARGS="-M +mibs:$SHARED/mibs -m +COREMON-MIB"

# "name group" for every accessible scalar of the MIB.
awk '
/^[a-z][A-Za-z0-9]*[ \t]+OBJECT-TYPE/ { name = $1; acc = ""; next }
name != "" && /MAX-ACCESS/ { acc = $2 }
name != "" && /::=[ \t]*\{/ {
	p = $0; sub(/.*\{[ \t]*/, "", p); split(p, f, /[ \t]+/)
	parent[name] = f[1]; access[name] = acc; order[++n] = name; name = "" }
END { for (i = 1; i <= n; i++) { o = order[i]
	if (access[o] ~ /^read-/ && !(parent[o] in access)) print o, parent[o] } }
' "$MIB" >"$T/scalars"
nscalars=$(wc -l <"$T/scalars")
groups=$(awk '{ print $2 }' "$T/scalars" | uniq)
# A guard against a parser that finds nothing: the MIB has over 100.
check "scalar types: $nscalars scalars in $(echo $groups | wc -w) groups found in $MIB" \
	test "$nscalars" -ge 100

# check_types STATE PORT NOSUCH: every scalar, group by group.  NOSUCH=no
# also requires each to exist.
check_types() {
	state=$1; port=$2; nosuch=$3
	for g in $groups; do
		oids=$(awk -v g="$g" '$2 == g { printf "COREMON-MIB::%s.0 ", $1 }' "$T/scalars")
		want=$(awk -v g="$g" '$2 == g' "$T/scalars" | wc -l)
		# shellcheck disable=SC2086
		snmpget -v2c -c public -r1 -t5 $MIBS_ARGS "127.0.0.1:$port" $oids \
			>"$T/get.$g" 2>&1
		got=$(grep -c '^COREMON-MIB::.* = ' "$T/get.$g")
		wrong=$(grep -c 'Wrong Type' "$T/get.$g")
		absent=$(grep -c 'No Such' "$T/get.$g")
		if [ "$got" != "$want" ]; then
			notok "$state: $g: $got of $want scalars answered"
			sed 's/^/#   /' "$T/get.$g" | head -5
		elif [ "$wrong" != 0 ]; then
			notok "$state: $g: $wrong of $want scalars have a type other than their SYNTAX"
			grep 'Wrong Type' "$T/get.$g" | sed 's/^/#   /'
		elif [ "$nosuch" = no ] && [ "$absent" != 0 ]; then
			notok "$state: $g: $absent of $want scalars do not exist"
			grep 'No Such' "$T/get.$g" | sed 's/^/#   /'
		else
			ok "$state: $g: the $((want - absent)) of $want scalars that exist have their SYNTAX's type"
		fi
	done
}

# 1. Capture running on lo with a filter nothing matches (TEST-NET-1,
# RFC 5737: no test sends there).  A live capture's windows follow the
# wall clock even with no packet (a window opens at start and closes at
# its end on the grid): with windows of a day, none closes while this
# runs unless it runs across midnight UTC, which it waits out.  (With
# the default 30 s, one run in eight or so crossed a window's end.)
n=$(( 86400 - $(date -u +%s) % 86400 ))
[ "$n" -gt 120 ] || sleep $((n + 2))
PORT=$(free_port)
# The history database in $T, so cmHistoryDatabase has one (sqlite).
printf 'rocommunity public 127.0.0.1\ncaptureInterface lo\ncaptureFilter host 192.0.2.99\nwindowInterval 86400\nhistoryDatabase %s/history.sqlite\nhostdbFile %s/hostdb\narchiveDir %s/archive\n' \
	"$T" "$T" "$T" >"$T/cap.conf"
start_coremond "$T/cap.conf" --standalone "udp:127.0.0.1:$PORT"
if wait_for "$PORT" "$CM.1.3.0" 10; then
	check "capture running: cmAgentCaptureState is running(2)" \
		test "$(get "$PORT" "$CM.1.7.0")" = 2
	check_types "capture running, no window closed" "$PORT" no
	check "capture running: cmHistoryKind is sqlite(2)" \
		test "$(get "$PORT" "$CM.11.1.0")" = 2
	wn=$(get "$PORT" "$CM.5.1.0")
	check "capture running: still no window closed after the reads (cmSessionWindowNumber ${wn:-none}, want 0)" \
		test "$wn" = 0
else
	notok "capture running: coremond did not answer"; sed 's/^/#   /' "$T/coremond.log"
fi
kill "$CM_PID"; wait "$CM_PID" 2>/dev/null

# 2. No capture configured: what exists has its type.
PORT=$(free_port)
printf 'rocommunity public 127.0.0.1\n' >"$T/nocap.conf"
start_coremond "$T/nocap.conf" --standalone "udp:127.0.0.1:$PORT"
if wait_for "$PORT" "$CM.1.3.0" 10; then
	check "no capture: cmAgentCaptureState is disabled(1)" \
		test "$(get "$PORT" "$CM.1.7.0")" = 1
	check_types "no capture" "$PORT" yes
	check "no capture: cmHistoryKind is none(1), cmHistoryState off(1)" \
		test "$(get "$PORT" "$CM.11.1.0") $(get "$PORT" "$CM.11.2.0")" = "1 1"
else
	notok "no capture: coremond did not answer"; sed 's/^/#   /' "$T/coremond.log"
fi
