# The history database in PostgreSQL as a fleet runs it (issue 12), with
# Debian's PostgreSQL in a private cluster of this test: two coremonds
# with their own historyAgent replay different captures into one
# database, and each agent's windows and hosts there equal tshark's for
# its capture; then a coremond capturing live on lo while the server is
# stopped for 30 s: every window it closed arrives once it is back,
# contiguous, in order, none twice, and cmHistoryState went spooling and
# back to ok with nothing dropped.
. tests/lib.sh
. tests/history_lib.sh

Z=$SHARED/pcaps/zeek
H=$CM.11				# cmHistoryDatabase
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ "$(id -u)" = 0 ] || { skip "history_pg: needs root (initdb as postgres)"; exit 0; }
[ -x "$PGBIN/postgres" ] && id postgres >/dev/null 2>&1 ||
	{ skip "history_pg: Debian's postgresql is not installed"; exit 0; }
[ -d "$Z" ] || { skip "history_pg: $Z is absent"; exit 0; }
command -v tshark >/dev/null || { skip "history_pg: tshark is absent"; exit 0; }
chmod 711 "$T"

# The cluster: trusted on its Unix socket only; durability off, it
# lives for this test.
PGPORT=$(free_port)
mkdir -p "$T/pg" "$T/pgsock"; chown postgres "$T/pg" "$T/pgsock"
setpriv --reuid=postgres --regid=postgres --init-groups "$PGBIN/initdb" -D "$T/pg" \
	-A trust -U postgres --no-sync -E UTF8 --locale=C >"$T/initdb.log" 2>&1 ||
	{ notok "initdb"; sed 's/^/# /' "$T/initdb.log"; exit 1; }
printf 'local all all trust\n' >"$T/pg/pg_hba.conf"
psql_() { psql -h "$T/pgsock" -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
pq() { psql_ -d hist -F ' ' -c "$1" 2>&1; }
PG_PID=
pg_start() {
	setpriv --reuid=postgres --regid=postgres --init-groups \
		"$PGBIN/postgres" -D "$T/pg" -c listen_addresses= \
		-p "$PGPORT" -k "$T/pgsock" -c fsync=off -c synchronous_commit=off \
		-c full_page_writes=off >>"$T/pg.log" 2>&1 &
	PG_PID=$!; PIDS="$PIDS $PG_PID"
	until_ok 30 sh -c "psql -h '$T/pgsock' -p $PGPORT -U postgres -qAt -c 'select 1' postgres >/dev/null 2>&1"
}
pg_stop() { kill -INT "$PG_PID"; wait "$PG_PID" 2>/dev/null; }
pg_start || { notok "PostgreSQL starts"; sed 's/^/# /' "$T/pg.log"; exit 1; }
psql_ -d postgres -c "create database hist" >/dev/null
URL="postgresql:///hist?host=$T/pgsock&port=$PGPORT&user=postgres"
ok "PostgreSQL $("$PGBIN/postgres" --version | awk '{ print $3 }') on $T/pgsock"

# agent NAME PORT EXTRA-CONF ARGS...: a coremond writing to the cluster
# as historyAgent NAME; sets CM_PID.
agent() {
	printf 'rocommunity public 127.0.0.1\nhostdbFile %s\narchiveDir %s\nhistoryDatabase %s\nhistoryAgent %s\nhistorySpoolDir %s\n%s\n' \
		"$T/$1.hostdb" "$T/$1.archive" "$URL" "$1" "$T/$1.spool" "$3" >"$T/$1.conf"
	n=$1; p=$2; shift 3
	"$COREMOND" -f -C -c "$T/$n.conf" -Lf "$T/$n.log" --standalone "udp:127.0.0.1:$p" "$@" \
		>"$T/$n.out" 2>&1 &
	CM_PID=$!; PIDS="$PIDS $CM_PID"
}
# settled PORT: the replay read and every window written or dropped.
settled() {
	[ "$(get "$1" "$CM.1.7.0")" = 4 ] || return 1
	nw=$(get "$1" "$CM.5.1.0"); wr=$(get "$1" "$H.5.0"); dr=$(get "$1" "$H.10.0")
	[ -n "$nw" ] && [ -n "$wr" ] && [ $((wr + dr)) -ge "$nw" ]
}

# ---- 1. two agents, two captures, one database --------------------------------
PA=$(free_port); PB=$(free_port)
while [ "$PB" = "$PA" ]; do PB=$(free_port); done
tshark_sums edge-a "$Z/pop3_pop3.pcap" '^192[.]168[.]0[.]' 20
tshark_sums edge-b "$Z/ftp_ipv6.pcap" '^2001:470:4867:99:' 5
agent edge-a "$PA" "localNet 192.168.0.0/24
windowInterval 20" -r "$Z/pop3_pop3.pcap"
A_PID=$CM_PID
agent edge-b "$PB" "localNet 2001:470:4867:99::/64
windowInterval 5" -r "$Z/ftp_ipv6.pcap"
B_PID=$CM_PID
until_ok 60 settled "$PA"; until_ok 60 settled "$PB"
for a in edge-a:$PA:20 edge-b:$PB:5; do
	n=${a%%:*}; p=${a#*:}; I=${p#*:}; p=${p%:*}
	nw=$(get "$p" "$CM.5.1.0")
	check "$n: its $nw windows written ($(get "$p" "$H.5.0")), none dropped ($(get "$p" "$H.10.0")), as many rows in the database" \
		test -n "$nw" -a "$(get "$p" "$H.5.0")" = "$nw" -a "$(get "$p" "$H.10.0")" = 0 -a \
		"$(pq "select count(*) from windows where agent = '$n'")" = "$nw"
	pq "select start - start % $I, octets_in, octets_out, packets_in, packets_out, sessions, local_octets
		from windows where agent = '$n' and packets_in + packets_out + local_octets > 0" | sort >"$T/$n.db.W"
	if [ -s "$T/$n.db.W" ] && cmp -s "$T/$n.db.W" "$T/$n.ts.W"; then
		ok "$n: each of its windows' octets and packets in and out, sessions and local octets equal tshark's for its capture ($(wc -l <"$T/$n.db.W") windows, $(awk '{ o += $2 + $3 } END { print o }' "$T/$n.db.W") octets)"
	else
		notok "$n: its windows differ from tshark's (< database, > tshark)"; diff "$T/$n.db.W" "$T/$n.ts.W" | head -6 | sed 's/^/# /'
	fi
	pq "select day, addr, service, octets_in, octets_out, packets_in, packets_out, first_seen, last_seen
		from day_hosts where agent = '$n'" >"$T/$n.db.H"
	bad=$(hosts_diff "$T/$n.ts.H" "$T/$n.db.H")
	check "$n: its day_hosts (per day, host and service) equal tshark's ($(wc -l <"$T/$n.db.H") rows)" \
		test -s "$T/$n.db.H" -a -z "$bad"
	[ -z "$bad" ] || echo "$bad" | head -4 | sed 's/^/# /'
	pq "select start - start % $I, service, octets_in, octets_out, packets_in, packets_out
		from window_services where agent = '$n'" | sort >"$T/$n.db.S"
	check "$n: its per-window services equal tshark's ($(wc -l <"$T/$n.db.S") rows)" \
		test -s "$T/$n.db.S" -a "$(cat "$T/$n.db.S")" = "$(cat "$T/$n.ts.S")"
done
check "the database holds the two agents and no other ($(pq 'select distinct agent from windows order by 1' | tr '\n' ' '))" \
	test "$(pq 'select distinct agent from windows order by 1' | tr '\n' ' ')" = "edge-a edge-b "
kill "$A_PID" "$B_PID"; wait "$A_PID" "$B_PID" 2>/dev/null

# ---- 2. the server stopped for 30 s while windows close -----------------------
# Live on lo, windows of 2 s, TCP through lo all along.
P=$(free_port)
agent live "$P" "captureInterface lo
windowInterval 2"
L_PID=$CM_PID
"$B/tools/cmtraffic" tcp 200000 80 >/dev/null 2>&1 &
TR_PID=$!; PIDS="$PIDS $TR_PID"
state() { get "$P" "$H.2.0"; }
written() { w=$(get "$P" "$H.5.0"); [ -n "$w" ] && [ "$w" -ge "$1" ] && [ "$(state)" = 2 ]; }
until_ok 30 written 2
check "live: windows are written before the outage (cmHistoryState $(state), ok is 2; $(get "$P" "$H.5.0") windows)" written 2
pg_stop
down=$(date +%s)
seen_spooling() { [ "$(state)" = 3 ]; }
until_ok 20 seen_spooling
check "live: with the server stopped, cmHistoryState goes spooling(3) ($(state))" seen_spooling
spooled() { s=$(get "$P" "$H.7.0"); [ -n "$s" ] && [ "$s" -ge "$1" ]; }
until_ok 40 spooled 10
check "live: windows wait in the spool (cmHistorySpooledWindows $(get "$P" "$H.7.0"), at least 10)" spooled 10
# The outage lasts 30 s in all (the test's choice, nothing awaited).
left=$((down + 30 - $(date +%s))); [ "$left" -gt 0 ] && sleep "$left"
sp=$(get "$P" "$H.7.0"); st=$(state)
pg_start || { notok "PostgreSQL starts again"; exit 1; }
echo "# the server was down $(( $(date +%s) - down )) s; $sp windows spooled then, cmHistoryState $st"
drained() { [ "$(get "$P" "$H.7.0")" = 0 ] && [ "$(state)" = 2 ]; }
until_ok 40 drained
check "live: once it is back the spool drains (cmHistorySpooledWindows $(get "$P" "$H.7.0")) and cmHistoryState is ok(2) again ($(state))" drained
dr=$(get "$P" "$H.10.0")
kill "$TR_PID" 2>/dev/null
# SIGTERM: the last window closes, is written, and is archived.
kill "$L_PID"; wait "$L_PID" 2>/dev/null
check "live: nothing dropped (cmHistoryDroppedWindows $dr)" test "$dr" = 0
arch=$(cat "$T"/live.archive/coremon-*.log 2>/dev/null | wc -l)
a0=$(cat "$T"/live.archive/coremon-*.log | head -1 | cut -f1)
a1=$(cat "$T"/live.archive/coremon-*.log | tail -1 | cut -f1)
first=$(date -u -d "$a0" +%s 2>/dev/null); last=$(date -u -d "$a1" +%s 2>/dev/null)
got=$(pq "select count(*), min(start), max(start), count(distinct start) from windows where agent = 'live'")
check "live: every window the agent closed arrived: the archive's $arch, $a0 to $a1, once each ($got)" \
	test "$arch" -gt 15 -a "$got" = "$arch $first $last $arch"
check "live: contiguous, one windowInterval (2 s) apart after the first" \
	test "$(pq "select count(*) from (select start - lag(start) over (order by start) d, row_number() over (order by start) r
		from windows where agent = 'live') x where r > 2 and d != 2 or r = 2 and (d < 1 or d > 2)")" = 0
check "live: written in order: xmin (the writing transaction) rises with start" \
	test "$(pq "select count(*) from (select xmin::text::bigint x, lag(xmin::text::bigint) over (order by start) p
		from windows where agent = 'live') y where x <= p")" = 0
check "live: none twice (rows less distinct keys: $(pq "select count(*) - count(distinct (agent, start, source)) from windows"))" \
	test "$(pq "select count(*) - count(distinct (agent, start, source)) from windows")" = 0
