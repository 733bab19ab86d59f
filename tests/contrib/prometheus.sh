# contrib/prometheus: Debian's snmp_exporter generator accepts COREMON-MIB
# and produces exactly the committed snmp.yml; the real exporter, on
# 127.0.0.1, scrapes the test's master with it, and the metrics hold the
# values snmpget returns.
. tests/lib.sh
. tests/contrib/common.sh

need snmp prometheus-snmp-exporter curl || { notok "install prometheus-snmp-exporter"; exit 1; }
D=contrib/prometheus

# The generator, with the project's MIB and the IETF base MIBs.
if [ -d "$SHARED/mibs" ] && command -v prometheus-snmp-generator >/dev/null; then
	mkdir -p "$T/gen"; cp "$D/generator.yml" "$T/gen/"
	mibdirs="$(pwd)/mibs:$(cd "$SHARED/mibs" && pwd)"
	if (cd "$T/gen" && MIBDIRS=$mibdirs prometheus-snmp-generator \
		--fail-on-parse-errors generate) >"$T/gen.log" 2>&1; then
		ok "prometheus-snmp-generator --fail-on-parse-errors accepts COREMON-MIB ($(sed -n 's/.*Generated metrics.*metrics=\([0-9]*\).*/\1/p' "$T/gen.log") metrics)"
	else
		notok "prometheus-snmp-generator --fail-on-parse-errors generate"; sed 's/^/# /' "$T/gen.log" | tail -20
	fi
	# The help texts follow the MIB's DESCRIPTIONs; what the exporter does
	# (OIDs, types, indexes, lookups) must be exactly the committed file's.
	nohelp() { awk '/^    help: / { skip = 1; next } skip && /^      / { next } { skip = 0; print }' "$1"; }
	if [ "$(nohelp "$T/gen/snmp.yml")" = "$(nohelp "$D/snmp.yml")" ]; then
		ok "the generated snmp.yml is the committed contrib/prometheus/snmp.yml (help texts aside)"
		cmp -s "$T/gen/snmp.yml" "$D/snmp.yml" ||
			echo "# note: help texts differ (the MIB's DESCRIPTIONs changed): regenerate contrib/prometheus/snmp.yml"
	else
		notok "the generated snmp.yml differs from contrib/prometheus/snmp.yml"
		diff "$D/snmp.yml" "$T/gen/snmp.yml" | head -20 | sed 's/^/# /'
	fi
else
	skip "prometheus-snmp-generator: no IETF base MIBs in $SHARED/mibs (or no generator); the committed snmp.yml is used as it is"
fi

extra="probe self 127.0.0.1 interval 1 timeout 1
captureInterface lo"
start_stack "$extra" || { notok "snmpd master with coremond starts"; exit 1; }
ok "snmpd master on 127.0.0.1:$PORT with coremond attached"

EP=$(free_port)
prometheus-snmp-exporter --config.file="$D/snmp.yml" --web.listen-address="127.0.0.1:$EP" \
	>"$T/exporter.log" 2>&1 &
XPID=$!; PIDS="$PIDS $XPID"
n=0; until curl -sf "http://127.0.0.1:$EP/metrics" >/dev/null; do
	n=$((n + 1)); [ $n -lt 50 ] || { notok "snmp_exporter starts on 127.0.0.1:$EP"; sed 's/^/# /' "$T/exporter.log"; exit 1; }
	sleep 0.2
done
ok "snmp_exporter $(prometheus-snmp-exporter --version 2>&1 | sed -n 's/.*version \([0-9.]*\).*/\1/p' | head -1) listens on 127.0.0.1:$EP"

# Two samples, and a probe reply when there is a probe (30 s at most each).
wait_samples "$PORT" 2
if has "$CM.8.2.1.8.1"; then
	n=0; until [ "$(get "$PORT" "$CM.8.2.1.14.1")" -gt 0 ] 2>/dev/null || [ $n -gt 150 ]; do sleep 0.2; n=$((n + 1)); done
fi
a_in=$(get "$PORT" "$CM.2.1.1.3.$LO"); a_tcp=$(get "$PORT" "$CM.2.2.1.0")
curl -sf "http://127.0.0.1:$EP/snmp?module=coremon&target=127.0.0.1:$PORT" >"$T/scrape" ||
	{ notok "scrape /snmp?module=coremon&target=127.0.0.1:$PORT"; exit 1; }
b_in=$(get "$PORT" "$CM.2.1.1.3.$LO"); b_tcp=$(get "$PORT" "$CM.2.2.1.0")
ok "scraped $(grep -vc '^#' "$T/scrape") samples from coremond through the master"
grep -E '^(cmIfInOctets|cmIfInOctetRate|cmAgentSampleInterval|cmTcpInSegs|cmProbeLastRtt)[{ ]' "$T/scrape" | head -8 | sed 's/^/#   /'

# metric NAME [LABEL-MATCH]: the value of a series, as an integer.
metric() {
	grep -E "^$1(\\{|  *)" "$T/scrape" | grep -F -- "${2:-}" | head -1 |
		awk '{ printf "%.0f\n", $NF }'
}
v=$(metric cmIfInOctets "cmIfIndex=\"$LO\"")
check "cmIfInOctets{cmIfName=\"lo\"} lies between two snmpgets around the scrape ($a_in <= $v <= $b_in)" \
	sh -c "grep -q 'cmIfInOctets{cmIfIndex=\"$LO\",cmIfName=\"lo\"}' '$T/scrape' && awk -v a=$a_in -v v=$v -v b=$b_in 'BEGIN { exit !(a <= v && v <= b) }'"
v=$(metric cmTcpInSegs)
check "cmTcpInSegs lies between two snmpgets ($a_tcp <= $v <= $b_tcp)" \
	awk -v a="$a_tcp" -v v="$v" -v b="$b_tcp" 'BEGIN { exit !(a <= v && v <= b) }'
for o in "cmAgentSampleInterval 1.3" "cmAgentHistorySamples 1.4" "cmAgentWindowInterval 1.5" "cmAgentConnRefresh 1.6"; do
	set -- $o
	want=$(get "$PORT" "$CM.$2.0"); v=$(metric "$1")
	check "$1 is snmpget's $want (got $v)" test "$v" = "$want"
done
want=$(walk "$PORT" "$CM.2.1.1.2" | sed -E 's/^.*\.([0-9]+) "?([^"]*)"?$/\1 \2/' | sort)
got=$(sed -n 's/^cmIfOutOctets{cmIfIndex="\([0-9]*\)",cmIfName="\([^"]*\)"}.*/\1 \2/p' "$T/scrape" | sort)
check "one cmIfOutOctets series per cmIfTable row, labelled with cmIfName ($(echo "$got" | tr '\n' ' '))" test "$want" = "$got"
check "rates are typed gauge (CounterBasedGauge64 override)" grep -q '^# TYPE cmIfInOctetRate gauge' "$T/scrape"
check "counters are typed counter" grep -q '^# TYPE cmIfInOctets counter' "$T/scrape"
# cmAgentStartTime: DateAndTime 07ea0b15... -> seconds since the epoch.
hex=$(snmpget -v2c -c public -On -Ox 127.0.0.1:$PORT "$CM.1.2.0" | sed 's/.*Hex-STRING: //' | tr -d ' \n')
h() { printf '%d' "0x$(echo "$hex" | cut -c"$1")"; }
want=$(date -u -d "$(h 1-4)-$(h 5-6)-$(h 7-8) $(h 9-10):$(h 11-12):$(h 13-14)" +%s)
v=$(metric cmAgentStartTime)
check "cmAgentStartTime is snmpget's DateAndTime as epoch seconds ($want, got $v)" test "$v" = "$want"

if has "$CM.7.1.1.2.1"; then
	want=$(walk "$PORT" "$CM.7.1.1.2" | sed -E 's/^.*\.([0-9]+) "?([^"]*)"?$/\1 \2/' | sort)
	got=$(sed -n 's/^cmServiceInOctets{cmServiceIndex="\([0-9]*\)",cmServiceName="\([^"]*\)"}.*/\1 \2/p' "$T/scrape" | sort)
	check "one cmServiceInOctets series per cmServiceTable row, labelled with cmServiceName" test "$want" = "$got"
else
	skip "cmServiceTable not served yet (when the capture group is running)"
fi
if has "$CM.8.2.1.8.1"; then
	st=$(get "$PORT" "$CM.8.2.1.8.1")
	name=$(echo "none ok timeout unreachable error" | cut -d' ' -f"$st")
	check "cmProbeStatus state set of probe self marks snmpget's $name($st)" \
		grep -q "^cmProbeStatus{cmProbeIndex=\"1\",cmProbeName=\"self\",cmProbeStatus=\"$name\"} 1" "$T/scrape"
	check "cmProbeLastRtt of probe self is an RTT in microseconds ($(metric cmProbeLastRtt 'cmProbeName="self"'))" \
		test "$(metric cmProbeLastRtt 'cmProbeName="self"')" -gt 0
else
	skip "cmProbeTable not served yet (when the probe group is running)"
fi
if has "$CM.4.6.1.4.1"; then
	check "cmCaptureStatus of source lo is running in the state set" \
		grep -q '^cmCaptureStatus{cmCaptureIndex="1",cmCaptureName="lo",cmCaptureStatus="running"} 1' "$T/scrape"
	check "cmCaptureWindowLoss{cmCaptureName=\"lo\"} is there" grep -q '^cmCaptureWindowLoss{cmCaptureIndex="1",cmCaptureName="lo"}' "$T/scrape"
else
	skip "cmCaptureTable not served yet (when the capture group is running)"
fi
if has "$CM.6.1.0"; then
	check "cmHostMaxEntries is snmpget's $(get "$PORT" "$CM.6.2.0")" test "$(metric cmHostMaxEntries)" = "$(get "$PORT" "$CM.6.2.0")"
else
	skip "cmHosts not served yet (when the host database is running)"
fi
check "no unwalked table leaked in (cmConnTable, cmHostTable, cmHistoryTable)" \
	sh -c "! grep -qE '^(cmConn[A-Z][a-zA-Z]*Octets|cmHostInOctets|cmHistory)' '$T/scrape'"
only_loopback && ok "every server of this test listened on 127.0.0.1 only"
