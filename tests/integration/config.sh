# Bad configuration: every bad line is reported as FILE:LINE and coremond
# exits 1 before it serves anything.
. tests/lib.sh

PORT=$(free_port)
# run_bad NAME CONTENT EXPECT: coremond must exit 1 with EXPECT on stderr.
run_bad() {
	printf '%s\n' "$2" >"$T/$1.conf"
	timeout 10 "$COREMOND" -f -C -c "$T/$1.conf" --standalone "udp:127.0.0.1:$PORT" \
		>"$T/$1.out" 2>&1
	rc=$?
	if [ "$rc" = 1 ] && grep -q -- "$3" "$T/$1.out"; then
		ok "$1: exit 1 with \"$(grep -- "$3" "$T/$1.out" | head -1)\""
	else
		notok "$1: want exit 1 and \"$3\", got status $rc:"; sed 's/^/#   /' "$T/$1.out"
	fi
}
run_bad unknown-token "sampleInterval 2
bogusToken 42" "$T/unknown-token.conf:2: Unknown token: bogusToken"
run_bad bad-number "historySamples lots" "$T/bad-number.conf:1: historySamples: \"lots\" is not a whole number from 1 to 100000"
run_bad out-of-range "# a comment
sampleInterval 0" "$T/out-of-range.conf:2: sampleInterval: \"0\" is not a whole number"
run_bad negative "connRefresh -5" "$T/negative.conf:1: connRefresh"
run_bad trailing "windowInterval 30s" "$T/trailing.conf:1: windowInterval: \"30s\""

run_bad unknown-host "probe gw no-such-host.invalid" "$T/unknown-host.conf:1: unknown host"
run_bad bad-interval "probe gw 127.0.0.1 interval 0" "$T/bad-interval.conf:1: interval \"0\" is not a whole number"
run_bad unit-unknown "linkBusyThreshold 10 furlongs/s" "$T/unit-unknown.conf:1: linkBusyThreshold: unknown unit"
run_bad unit-missing "probeRttThreshold 100" "$T/unit-missing.conf:1: probeRttThreshold: \"100\" needs a unit"
run_bad bad-percent "captureLossThreshold 150%" "$T/bad-percent.conf:1: captureLossThreshold"

# The history database's lines.
run_bad hist-relative "historyDatabase history.sqlite" "$T/hist-relative.conf:1: historyDatabase: \"history.sqlite\" is not an absolute file name, a postgresql:// URL or none"
run_bad hist-scheme "historyDatabase mysql://db/coremon" "$T/hist-scheme.conf:1: historyDatabase: \"mysql://db/coremon\" is not an absolute file name"
run_bad hist-password "historyDatabase postgresql://cm:secret@db.example/coremon" "$T/hist-password.conf:1: historyDatabase: a password in the URL .* historyPasswordFile or PGPASSWORD"
run_bad hist-password-short "historyDatabase postgres://cm:secret@db.example/coremon" "$T/hist-password-short.conf:1: historyDatabase: a password in the URL"
run_bad hist-password-param "historyDatabase postgresql://db.example/coremon?sslmode=require&password=secret" "$T/hist-password-param.conf:1: historyDatabase: a password in the URL"
run_bad hist-agent "historyAgent web/01" "$T/hist-agent.conf:1: historyAgent: \"web/01\" is not 1 to 63 of A-Z a-z 0-9 . _ -"
run_bad hist-agent-long "historyAgent $(printf '%064d' 0)" "$T/hist-agent-long.conf:1: historyAgent: .* is not 1 to 63"
run_bad hist-spool-unit "historySpool 64" "$T/hist-spool-unit.conf:1: historySpool: \"64\" needs a unit"
run_bad hist-spool-small "historySpool 10kB" "$T/hist-spool-small.conf:1: historySpool: \"10kB\" is out of range 1048576B-1099511627776B"
run_bad hist-top "historyTopSessions 10001" "$T/hist-top.conf:1: historyTopSessions: \"10001\" is not a whole number from 1 to 10000"
run_bad hist-days "historyDays 0" "$T/hist-days.conf:1: historyDays: \"0\" is not a whole number from 1 to 36600"
run_bad hist-host-days "historyHostDays forever" "$T/hist-host-days.conf:1: historyHostDays: \"forever\" is not a whole number"
run_bad hist-spool-dir "historySpoolDir spool" "$T/hist-spool-dir.conf:1: historySpoolDir: \"spool\" is not an absolute path"
run_bad hist-password-file "historyPasswordFile ~/.pgpass" "$T/hist-password-file.conf:1: historyPasswordFile: \"~/.pgpass\" is not an absolute path"

timeout 10 "$COREMOND" -f -C -c "$T/missing.conf" >"$T/missing.out" 2>&1; rc=$?
if [ "$rc" = 1 ] && grep -q "$T/missing.conf: cannot read: No such file" "$T/missing.out"; then
	ok "a missing -c file: exit 1 with \"$(head -1 "$T/missing.out")\""
else notok "missing -c file: status $rc"; sed 's/^/#   /' "$T/missing.out"; fi
mkdir "$T/dir.conf"
timeout 10 "$COREMOND" -f -C -c "$T/dir.conf" >"$T/dir.out" 2>&1; rc=$?
check "a directory given as -c file: exit 1 ($(head -1 "$T/dir.out"))" test "$rc" = 1

# Nothing was served by any of them.
if snmpget -v2c -c public -r0 -t1 127.0.0.1:$PORT .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; then
	notok "nothing answers on the port after the failed starts"
else ok "nothing answers on the port after the failed starts"; fi

# A good file with every token starts.
printf 'sampleInterval 2\nhistorySamples 10\nwindowInterval 60\nconnRefresh 3\nrocommunity public 127.0.0.1\n' >"$T/good.conf"
start_coremond "$T/good.conf" --standalone "udp:127.0.0.1:$PORT"
check "a correct file starts and serves" wait_for "$PORT" "$CM.1.3.0" 10
check "cmAgentHistorySamples is the configured 10" test "$(get "$PORT" "$CM.1.4.0")" = 10
kill "$CM_PID"; wait "$CM_PID" 2>/dev/null

# Every history line, as cmHistoryDatabase shows them back.  The URL
# names a socket directory with no server: nothing is reached.
PORT=$(free_port)
url="postgresql:///coremon?host=$T/nosocket&user=coremon"
cat >"$T/hist.conf" <<EOF
rocommunity public 127.0.0.1
historyDatabase $url
historyAgent web-01.example
historyPasswordFile $T/pgpass
historySpool 2MiB
historySpoolDir $T/spool
historyTopSessions 250
historyDays 30
historyHostDays 90
EOF
start_coremond "$T/hist.conf" --standalone "udp:127.0.0.1:$PORT"
if wait_for "$PORT" "$CM.11.1.0" 10; then
	check "historyDatabase postgresql://: cmHistoryKind postgresql(3)" \
		test "$(get "$PORT" "$CM.11.1.0")" = 3
	check "cmHistoryTarget is the URL as written" \
		test "$(get "$PORT" "$CM.11.3.0")" = "\"$url\""
	check "cmHistoryAgentName is historyAgent's" \
		test "$(get "$PORT" "$CM.11.4.0")" = '"web-01.example"'
	check "cmHistorySpoolLimit is 2MiB, 2097152" \
		test "$(get "$PORT" "$CM.11.9.0")" = 2097152
	check "cmHistoryTopSessions, cmHistoryDays, cmHistoryHostDays: 250 30 90" \
		test "$(get "$PORT" "$CM.11.15.0") $(get "$PORT" "$CM.11.16.0") $(get "$PORT" "$CM.11.17.0")" = "250 30 90"
else
	notok "a file with every history line starts"; sed 's/^/#   /' "$T/coremond.out"
fi
kill "$CM_PID"; wait "$CM_PID" 2>/dev/null

# The defaults: historyAgent is the host name (hostname(1) says which),
# historyHostDays is historyDays, historySpool 64 MiB, 100 sessions.
PORT=$(free_port)
printf 'rocommunity public 127.0.0.1\nhistoryDatabase %s/history.sqlite\nhistorySpoolDir %s/spool\nhistoryDays 45\n' \
	"$T" "$T" >"$T/histdef.conf"
start_coremond "$T/histdef.conf" --standalone "udp:127.0.0.1:$PORT"
if wait_for "$PORT" "$CM.11.1.0" 10; then
	check "historyDatabase FILE: cmHistoryKind sqlite(2), cmHistoryTarget the file" \
		test "$(get "$PORT" "$CM.11.1.0") $(get "$PORT" "$CM.11.3.0")" = "2 \"$T/history.sqlite\""
	check "without capture: cmHistoryState off(1), nothing to write" \
		test "$(get "$PORT" "$CM.11.2.0")" = 1
	check "cmHistoryAgentName defaults to the host name, $(hostname)" \
		test "$(get "$PORT" "$CM.11.4.0")" = "\"$(hostname)\""
	check "defaults: cmHistorySpoolLimit 67108864, cmHistoryTopSessions 100, cmHistoryHostDays = historyDays 45" \
		test "$(get "$PORT" "$CM.11.9.0") $(get "$PORT" "$CM.11.15.0") $(get "$PORT" "$CM.11.16.0") $(get "$PORT" "$CM.11.17.0")" = "67108864 100 45 45"
else
	notok "a history database with defaults starts"; sed 's/^/#   /' "$T/coremond.out"
fi
kill "$CM_PID"; wait "$CM_PID" 2>/dev/null

"$COREMOND" -h >"$T/h.out" 2>&1; rc=$?
check "-h prints usage and exits 0" test "$rc" = 0 -a -n "$(grep -- --standalone "$T/h.out")"
"$COREMOND" --bogus >"$T/b.out" 2>&1; rc=$?
check "an unknown option exits 1 with usage" test "$rc" = 1
