# cmClientOverload with thousands of clients.  notify keeps a state only
# for an instance in alarm or within the hold-down (at most 4,096 at
# once), so after 3,000 overloaded clients came and went, 1,500 new ones
# are all reported, not only the room the old states left.  A real
# snmptrapd counts the notifications by the client address each names;
# the new clients arrive 100 a second, a pace at which no notification
# is lost on the way (a burst of thousands overflows UDP buffers).
. tests/lib.sh

OLD=${OLD:-3000} NEW=${NEW:-1500}
start_trapd -n
# Standalone with its own trap2sink: the notifications go straight to
# snmptrapd, without a master in between.
PORT=$(free_port)
cat >"$T/coremon.conf" <<EOC
rocommunity public 127.0.0.1
trap2sink 127.0.0.1:$TPORT public
connRefresh 1
notifyHoldDown 0
clientMaxConnections 1
EOC
start_coremond "$T/coremon.conf" --standalone "udp:127.0.0.1:$PORT"
check "coremond serves" wait_for "$PORT" "$CM.1.1.0" 10

# about SUB NET: notifications SUB naming a client of 127.NET.0.0/16
# (by its cmClientConnections.ipv4."127.NET.x.y" varbind).
about() {
	grep -F "OID: $CMN.$1	" "$T/traps.log" |
		grep -cF "$CM.3.3.1.3.1.4.127.$2."
}
# wait_about SUB NET COUNT SECONDS
wait_about() {
	n=$(( $4 * 2 ))
	while [ "$(about "$1" "$2")" -lt "$3" ] && [ $n -gt 0 ]; do
		sleep 0.5; n=$((n - 1))
	done
	[ "$(about "$1" "$2")" -ge "$3" ]
}
# clients COUNT NET [PER_SECOND]: cmclients holding COUNT clients of
# 127.NET.0.0/16, each with 2 connections; sets CPID.
clients() {
	$B/tools/cmclients "$1" "$2" 600 $3 >"$T/clients.$2" 2>&1 &
	CPID=$!; PIDS="$PIDS $CPID"
	n=0; until grep -q ready "$T/clients.$2" || [ $n -gt 300 ]; do
		sleep 0.2; n=$((n + 1)); done
	check "cmclients opened 2 connections from each of $1 addresses of 127.$2/16" \
		grep -q ready "$T/clients.$2"
}
# refreshes: cmConnRefreshes.
refreshes() { get "$PORT" "$CM.3.1.16.0"; }

# 3,000 overloaded clients at once: their alarms go out in one burst
# (some may be lost on the way; at least one must arrive).
clients "$OLD" 101
check "the old clients raise cmClientOverload" wait_about 5 101 1 30
# Gone: once a refresh after their exit has been read, their clears are
# sent (the notification round runs every second on the latest refresh).
kill "$CPID"; wait "$CPID" 2>/dev/null
r=$(refreshes); n=0
until [ "$(refreshes)" -ge $((r + 2)) ] || [ $n -gt 100 ]; do sleep 0.2; n=$((n + 1)); done
check "the old clients' clears go out when they leave" wait_about 6 101 1 30

clients "$NEW" 102 100
wait_about 5 102 "$NEW" 60
check "all $NEW new overloaded clients raise cmClientOverload ($(about 5 102) did)" \
	test "$(about 5 102)" = "$NEW"
kill "$CPID"; wait "$CPID" 2>/dev/null
exit 0
