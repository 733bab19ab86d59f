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

"$COREMOND" -h >"$T/h.out" 2>&1; rc=$?
check "-h prints usage and exits 0" test "$rc" = 0 -a -n "$(grep -- --standalone "$T/h.out")"
"$COREMOND" --bogus >"$T/b.out" 2>&1; rc=$?
check "an unknown option exits 1 with usage" test "$rc" = 1
