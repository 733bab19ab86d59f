# contrib/zabbix: a real Zabbix 6.0 (Debian 12's server with PostgreSQL, and
# its PHP frontend for the API), all in a temp directory on 127.0.0.1,
# imports the template through configuration.import; a host with an SNMP
# interface on the test's master gets its interfaces, services, capture
# sources, clients and probes discovered, items get values, and the link
# busy trigger fires while the test pushes lo over the threshold, and
# recovers after.
. tests/lib.sh
. tests/contrib/common.sh

need snmp postgresql zabbix-server-pgsql zabbix-frontend-php php-cli php-cgi php-pgsql curl ||
	{ notok "install zabbix-server-pgsql, zabbix-frontend-php, postgresql"; exit 1; }
YAML=contrib/zabbix/template_coremon_snmp.yaml
API="php tests/contrib/zabbix_api.php"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
SQL=/usr/share/zabbix-server-pgsql
chmod 711 "$T"

extra="probe self 127.0.0.1 interval 1 timeout 1
captureInterface lo
windowInterval 2"
start_stack "$extra" || { notok "snmpd master with coremond starts"; exit 1; }
ok "snmpd master on 127.0.0.1:$PORT with coremond attached"

# A private PostgreSQL cluster on 127.0.0.1 (as user postgres: initdb
# refuses root), durability off: it lives for this test only.
PGPORT=$(free_port)
mkdir -p "$T/pg" "$T/pgsock"; chown postgres "$T/pg" "$T/pgsock"
setpriv --reuid=postgres --regid=postgres --init-groups "$PGBIN/initdb" -D "$T/pg" -A trust \
	-U postgres --no-sync -E UTF8 --locale=C >"$T/initdb.log" 2>&1 ||
	{ notok "initdb"; sed 's/^/# /' "$T/initdb.log"; exit 1; }
setpriv --reuid=postgres --regid=postgres --init-groups "$PGBIN/postgres" -D "$T/pg" \
	-c listen_addresses=127.0.0.1 -p "$PGPORT" -k "$T/pgsock" -c fsync=off \
	-c synchronous_commit=off -c full_page_writes=off >"$T/pg.log" 2>&1 &
PG_PID=$!; PIDS="$PIDS $PG_PID"
psql_() { psql -h 127.0.0.1 -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -q "$@"; }
n=0; until psql_ -c 'select 1' postgres >/dev/null 2>&1; do
	n=$((n + 1)); [ $n -lt 50 ] || { notok "PostgreSQL starts"; sed 's/^/# /' "$T/pg.log"; exit 1; }; sleep 0.2
done
psql_ -c 'create database zabbix' postgres
if zcat "$SQL/schema.sql.gz" "$SQL/images.sql.gz" "$SQL/data.sql.gz" | psql_ zabbix >"$T/load.log" 2>&1; then
	ok "PostgreSQL $("$PGBIN/postgres" --version | awk '{ print $3 }') on 127.0.0.1:$PGPORT with Zabbix's schema and data"
else
	notok "load Zabbix's schema"; tail -5 "$T/load.log" | sed 's/^/# /'; exit 1
fi
# Nothing but this test's host may be polled or scanned: the default
# "Zabbix server" host off, network discovery rules off (and no discoverer).
psql_ zabbix -c "update hosts set status = 1 where host = 'Zabbix server'; update drules set status = 1"

# The server, on 127.0.0.1, short intervals.  It drops to user zabbix.
ZPORT=$(free_port)	# Zabbix accepts 1024-32767: free_port is below 32768
Z=$T/zabbix; mkdir -p "$Z"
cat >"$Z/zabbix_server.conf" <<EOC
ListenIP=127.0.0.1
ListenPort=$ZPORT
SourceIP=127.0.0.1
LogFile=$Z/zabbix_server.log
LogFileSize=0
PidFile=$Z/zabbix_server.pid
SocketDir=$Z
DBHost=127.0.0.1
DBPort=$PGPORT
DBName=zabbix
DBUser=postgres
CacheUpdateFrequency=2
StartPollers=2
StartPollersUnreachable=1
StartTrappers=1
StartPingers=0
StartDiscoverers=0
StartHTTPPollers=0
StartTimers=1
StartEscalators=1
StartAlerters=1
StartPreprocessors=2
StartLLDProcessors=1
StartDBSyncers=1
StartHistoryPollers=1
StartReportWriters=0
StartVMwareCollectors=0
StartODBCPollers=0
StartJavaPollers=0
StartSNMPTrapper=0
StartProxyPollers=0
HousekeepingFrequency=0
Timeout=4
UnavailableDelay=5
UnreachableDelay=5
UnreachablePeriod=10
FpingLocation=/usr/bin/fping
EOC
chown -R zabbix "$Z"
zabbix_server -f -c "$Z/zabbix_server.conf" >"$Z/stdout" 2>&1 &
ZS_PID=$!; PIDS="$PIDS $ZS_PID"

# The frontend: a copy of /usr/share/zabbix whose configuration file is
# this test's (Debian's frontend reads /etc/zabbix/zabbix.conf.php), served
# by PHP's own web server on 127.0.0.1.
WPORT=$(free_port)
cp -a /usr/share/zabbix "$T/web"
sed -i "s|const CONFIG_FILE_PATH = '/etc/zabbix/zabbix.conf.php';|const CONFIG_FILE_PATH = '$T/zabbix.conf.php';|" \
	"$T/web/include/classes/core/CConfigFile.php"
cat >"$T/zabbix.conf.php" <<EOC
<?php
\$DB['TYPE'] = 'POSTGRESQL';
\$DB['SERVER'] = '127.0.0.1';
\$DB['PORT'] = '$PGPORT';
\$DB['DATABASE'] = 'zabbix';
\$DB['USER'] = 'postgres';
\$DB['PASSWORD'] = '';
\$DB['SCHEMA'] = '';
\$DB['ENCRYPTION'] = false;
\$DB['KEY_FILE'] = '';
\$DB['CERT_FILE'] = '';
\$DB['CA_FILE'] = '';
\$DB['VERIFY_HOST'] = false;
\$DB['CIPHER_LIST'] = '';
\$DB['VAULT_URL'] = '';
\$DB['VAULT_DB_PATH'] = '';
\$DB['VAULT_TOKEN'] = '';
\$DB['DOUBLE_IEEE754'] = true;
\$ZBX_SERVER = '127.0.0.1';
\$ZBX_SERVER_PORT = '$ZPORT';
\$ZBX_SERVER_NAME = 'coremon test';
\$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;
EOC
php -S "127.0.0.1:$WPORT" -t "$T/web" >"$T/php.log" 2>&1 &
PHP_PID=$!; PIDS="$PIDS $PHP_PID"
URL=http://127.0.0.1:$WPORT
n=0; until v=$($API "$URL" version 2>/dev/null); do
	n=$((n + 1)); [ $n -lt 50 ] || { notok "the Zabbix frontend answers"; tail -5 "$T/php.log" | sed 's/^/# /'; exit 1; }; sleep 0.2
done
ok "Zabbix frontend API $v on 127.0.0.1:$WPORT"
n=0; until grep -q 'started \[poller #1\]' "$Z/zabbix_server.log" 2>/dev/null; do
	n=$((n + 1)); [ $n -lt 150 ] || { notok "zabbix_server starts"; tail -n 20 "$Z/zabbix_server.log" "$Z/stdout" | sed 's/^/# /'; exit 1; }; sleep 0.2
done
ok "$(zabbix_server -V | head -1) runs on 127.0.0.1:$ZPORT as user $(ps -o user= -p "$(cat "$Z/zabbix_server.pid")")"

# Import, then a host whose SNMP interface is the test's master.
# The template's UUIDs: 32 hex digits, version 4, variant 10xx, all different.
u=$(sed -n 's/^ *- uuid: \(.*\)$/\1/p; s/^ *uuid: \(.*\)$/\1/p' "$YAML")
bad=$(echo "$u" | grep -cvE '^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$')
dup=$(echo "$u" | sort | uniq -d | wc -l)
check "the template's $(echo "$u" | wc -l) UUIDs are UUIDv4 without dashes, all different (bad $bad, repeated $dup)" test "$bad" = 0 -a "$dup" = 0
check "zabbix_export version '6.0'" grep -q "^  version: '6.0'" "$YAML"
r=$($API "$URL" import "$YAML" 2>&1)
check "configuration.import accepts $YAML ($r)" test "$r" = imported
BUSY=20000000
hid=$($API "$URL" host-create coremon-test "$PORT" \
	'{$COREMON.INTERVAL}=2s' '{$COREMON.LLD.INTERVAL}=5s' \
	'{$COREMON.IF.NAME.NOT_MATCHES}=^NONE$' "{\$COREMON.LINK.BUSY:\"lo\"}=$BUSY" \
	'{$COREMON.CLIENT.TOP}=1' 2>&1)
check "host.create: coremon-test, SNMPv2c on 127.0.0.1:$PORT, community {\$SNMP_COMMUNITY} (hostid $hid)" \
	sh -c "echo '$hid' | grep -qE '^[0-9]+\$'"

# Discovery: the interfaces are /sys/class/net's, by ifIndex (other tests'
# short-lived cm* interfaces may come and go meanwhile).
want=$(ls /sys/class/net | grep -v '^cm' | while read -r x; do cat "/sys/class/net/$x/ifindex"; done | sort -n | tr '\n' ' ')
missing() {
	got=$($API "$URL" items coremon-test | sed -n 's/^coremon\.if\.in\.rate\[\([0-9]*\)\].*/\1/p' | sort -n | tr '\n' ' ')
	for i in $want; do case " $got " in *" $i "*) ;; *) echo "$i";; esac; done
}
n=0; while [ -n "$(missing)" ] && [ $n -lt 45 ]; do sleep 1; n=$((n + 1)); done
m=$(missing)
got=$($API "$URL" items coremon-test | sed -n 's/^coremon\.if\.in\.rate\[\([0-9]*\)\].*/\1/p' | sort -n | tr '\n' ' ')
check "interface discovery found every interface after ${n}s (ifIndex $got; /sys/class/net: $want)" test -z "$m"
$API "$URL" rules coremon-test | while IFS='	' read -r key state err; do
	echo "# LLD $key: state $state ${err:+($err)}"
done
bad=$($API "$URL" rules coremon-test | awk -F'\t' '$2 != 0')
check "every discovery rule ran without error" test -z "$bad"

# Until the items checked below have values (the prototypes' items are
# polled every 2 s once created).
wanted="coremon\.if\.in\.rate\[$LO\] coremon\.sample\.taken coremon\.conn\.total"
has "$CM.8.2.1.2.1" && wanted="$wanted coremon\.probe\.status\[1\]"
has "$CM.4.6.1.2.1" && wanted="$wanted coremon\.capture\.status\[1\]"
n=0
while [ $n -lt 30 ]; do
	$API "$URL" items coremon-test >"$T/items"
	missing=""; for k in $wanted; do grep -q "^$k	[0-9]" "$T/items" || missing="$missing $k"; done
	[ -z "$missing" ] && break
	n=$((n + 1)); sleep 1
done
$API "$URL" items coremon-test >"$T/items"
echo "# items: $(wc -l <"$T/items"), with values: $(awk -F'\t' '$2 != "-"' "$T/items" | wc -l), not supported: $(awk -F'\t' '$3 == 1' "$T/items" | wc -l)"
val() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$T/items"; }
for k in "coremon.if.in.rate[$LO]" "coremon.if.rate.valid[$LO]" coremon.sample.taken coremon.tcp.in.segs.rate \
         coremon.conn.total coremon.agent.capture.state; do
	check "item $k has a value ($(val "$k"))" sh -c "val=\$(awk -F'\t' -v k='$k' '\$1 == k { print \$2 }' '$T/items'); test -n \"\$val\" -a \"\$val\" != -"
done
svc=$(grep -c '^coremon\.service\.in\[' "$T/items")
if has "$CM.7.1.1.2.1"; then
	check "service discovery: one item set per cmServiceTable row ($svc of $(walk "$PORT" "$CM.7.1.1.2" | wc -l))" \
		test "$svc" = "$(walk "$PORT" "$CM.7.1.1.2" | wc -l)"
else
	skip "service discovery: cmServiceTable not served yet (when the capture group is running)"
fi
if has "$CM.4.6.1.2.1"; then
	check "capture discovery: source lo, status $(val 'coremon.capture.status[1]') (1 = running)" test "$(val 'coremon.capture.status[1]')" = 1
else
	skip "capture discovery: cmCaptureTable not served yet (when the capture group is running)"
fi
if has "$CM.8.2.1.2.1"; then
	check "probe discovery: probe self, status $(val 'coremon.probe.status[1]') (2 = ok), RTT $(val 'coremon.probe.rtt[1]') s" \
		test "$(val 'coremon.probe.status[1]')" = 2
else
	skip "probe discovery: cmProbeTable not served yet (when the probe group is running)"
fi
# {$COREMON.CLIENT.TOP} = 1: only the busiest client, 127.0.0.1 here (the
# server's database connections alone are dozens).
name=$(awk -F'\t' '$1 == "coremon.client.conns[1.4.127.0.0.1]" { print $5 }' "$T/items")
nc=$(grep -c '^coremon\.client\.conns\[' "$T/items")
check "client discovery: the {\$COREMON.CLIENT.TOP}=1 busiest client, named by {#CLIENTADDR} from the index: $nc item, '$name' = $(val 'coremon.client.conns[1.4.127.0.0.1]')" \
	test "$nc" = 1 -a "$name" = "Client 127.0.0.1: connections"

# The link busy trigger: OK before, PROBLEM while lo carries more than
# {$COREMON.LINK.BUSY:"lo"}, OK again after.
trig() { $API "$URL" triggers coremon-test | awk -F'\t' '$3 ~ /^Interface lo: link busy/ { print $1 "/" $2 }'; }
s0=$(trig)
check "trigger 'Interface lo: link busy (over $BUSY B/s)' is OK before the traffic (value/state $s0)" test "$s0" = 0/0
# Four times the threshold (nominal), so that a generator slowed by a
# loaded machine still crosses it; kept up until the trigger fires (60 s
# at most).
RATE=80000000
$B/tools/cmtraffic tcp $RATE 120 >/dev/null &
TPID=$!; PIDS="$PIDS $TPID"
n=0; while [ "$(trig)" != 1/0 ] && [ $n -lt 60 ]; do sleep 1; n=$((n + 1)); done
s1=$(trig)
check "... fires while $RATE B/s flow through lo (value/state $s1, after ${n}s; item $($API "$URL" items coremon-test | awk -F'\t' -v k="coremon.if.in.rate[$LO]" '$1 == k { print $2 }') B/s)" test "$s1" = 1/0
p=$($API "$URL" problems coremon-test | grep 'link busy' | head -1)
check "... and Zabbix shows the problem '$p'" test -n "$p"
kill "$TPID"; wait "$TPID" 2>/dev/null
n=0; while [ "$(trig)" != 0/0 ] && [ $n -lt 90 ]; do sleep 1; n=$((n + 1)); done
s2=$(trig)
check "... and recovers once the traffic stopped (value/state $s2)" test "$s2" = 0/0
[ "$s2" = 0/0 ] || { $API "$URL" triggers coremon-test | grep 'Interface lo' | sed 's/^/# /'
	$API "$URL" items coremon-test | grep "rate\[$LO\]" | sed 's/^/# /'; }
bad=$($API "$URL" triggers coremon-test | awk -F'\t' '$2 != 0 && $4 !~ /item is not supported/ { print $3 ": " $4 }')
check "no trigger is in an unknown state except those of items not served yet${bad:+: $bad}" test -z "$bad"

grep -E 'became (not supported|supported)|is (unreachable|unavailable)|first network error' "$Z/zabbix_server.log" | sed 's/^ *[0-9:.]* */# zabbix_server: /' | head -10
only_loopback && ok "every server of this test (snmpd, PostgreSQL, zabbix_server, php) listened on 127.0.0.1 only"
kill "$ZS_PID" "$PHP_PID"; wait "$ZS_PID" "$PHP_PID" 2>/dev/null
kill -INT "$PG_PID"; wait "$PG_PID" 2>/dev/null
