# contrib/cacti: a real Cacti (Debian 12's package) with a private MariaDB
# on a Unix socket: automatic network discovery is switched off first; the
# templates are imported with Cacti's own import_template.php, the three
# data queries are added to a device on the test's master and reindexed,
# host_snmp_cache holds the rows snmpwalk sees, a graph is created from
# each query's graph template, and one run of Cacti's poller stores in the
# RRD file the counters coremond serves.
. tests/lib.sh
. tests/contrib/common.sh

need snmp rrdtool mariadb-server mariadb-client php-cli php-cgi php-mysql php-snmp dbconfig-no-thanks cacti ||
	{ notok "install cacti and mariadb-server"; exit 1; }
C=contrib/cacti
chmod 711 "$T"

extra="probe self 127.0.0.1 interval 1 timeout 1
captureInterface lo"
start_stack "$extra" || { notok "snmpd master with coremond starts"; exit 1; }
ok "snmpd master on 127.0.0.1:$PORT with coremond attached"

# MariaDB on a Unix socket only (skip-networking), as user mysql.
mkdir -p "$T/db" "$T/run"; chown mysql:mysql "$T/db" "$T/run"
mariadb-install-db --no-defaults --datadir="$T/db" --user=mysql \
	--auth-root-authentication-method=socket --skip-test-db >"$T/install-db.log" 2>&1 ||
	{ notok "mariadb-install-db"; tail -5 "$T/install-db.log" | sed 's/^/# /'; exit 1; }
SOCK=$T/run/mysql.sock
mariadbd --no-defaults --datadir="$T/db" --socket="$SOCK" --skip-networking --user=mysql \
	--pid-file="$T/run/db.pid" --log-error="$T/run/db.err" >/dev/null 2>&1 &
DB_PID=$!; PIDS="$PIDS $DB_PID"
sql() { mariadb -S "$SOCK" -N -B "$@"; }
n=0; until sql -e 'select 1' >/dev/null 2>&1; do
	n=$((n + 1)); [ $n -lt 100 ] || { notok "MariaDB starts"; sed 's/^/# /' "$T/run/db.err"; exit 1; }; sleep 0.2
done
sql -e 'create database cacti character set utf8mb4 collate utf8mb4_unicode_ci'
sql cacti </usr/share/cacti/conf_templates/cacti.sql ||
	{ notok "load cacti.sql"; exit 1; }
ok "MariaDB $(sql -e 'select version()') on $SOCK (no TCP) with Cacti $(cat /usr/share/cacti/site/include/cacti_version)'s schema"

# Before anything else: no automatic network discovery (Cacti ships an
# enabled "Test Network" 192.168.1.0/24).
sql cacti -e "update automation_networks set enabled = ''"
check "automatic network discovery is off (enabled networks: $(sql cacti -e "select count(*) from automation_networks where enabled = 'on'"))" \
	test "$(sql cacti -e "select count(*) from automation_networks where enabled = 'on'")" = 0

# Cacti itself: a copy of /usr/share/cacti whose config.php is this test's
# (Debian's points to /etc/cacti/debian.php), log and RRD files in $T, the
# data queries copied where an operator copies them.
CT=$T/share/cacti
mkdir -p "$T/share"; cp -a /usr/share/cacti "$T/share/"
find "$CT" -type l | while read -r l; do
	t=$(readlink -f "/usr/share/cacti${l#"$CT"}")
	case $t in /usr/share/cacti/*) t=$CT/${t#/usr/share/cacti/};; esac
	ln -sfn "$t" "$l"
done
rm -f "$CT/site/include/config.php" "$CT/site/log" "$CT/site/rra" "$CT/site/cache"
mkdir -p "$CT/site/log" "$CT/site/rra" "$CT/site/cache"
cat >"$CT/site/include/config.php" <<EOC
<?php
\$database_type     = 'mysql';
\$database_default  = 'cacti';
\$database_hostname = '$SOCK';
\$database_username = 'root';
\$database_password = '';
\$database_port     = '3306';
\$database_retries  = 2;
\$database_ssl      = false;
\$database_ssl_key  = '';
\$database_ssl_cert = '';
\$database_ssl_ca   = '';
\$database_persist  = false;
\$poller_id = 1;
\$url_path = '/cacti/';
\$cacti_session_name = 'Cacti';
\$cacti_db_session = false;
\$disable_log_rotation = true;
\$proxy_headers = null;
\$i18n_handler = null;
\$i18n_force_language = null;
\$i18n_log = null;
\$i18n_text_log = null;
EOC
sql cacti -e "update version set cacti = '$(cat /usr/share/cacti/site/include/cacti_version)';
	update settings set value = '$CT/site/log/cacti.log' where name = 'path_cactilog';
	replace into settings (name, value) values ('path_stderrlog', '$CT/site/log/cacti_stderr.log')"
cp $C/coremon_interfaces.xml $C/coremon_probes.xml $C/coremon_services.xml "$CT/resource/snmp_queries/"
cli() { php "$CT/cli/$@"; }

out=$(cli import_template.php --filename="$(pwd)/$C/cacti_coremon_templates.xml" 2>&1)
echo "$out" | grep -E '^\[' | sed 's/^/#   /'
check "import_template.php imports the templates: $(echo "$out" | grep -c '^\[success\]') items, none failed" \
	sh -c "echo \"\$1\" | grep -q '^\[success\] COREMON - Interfaces (cmIfTable)' && ! echo \"\$1\" | grep -q '^\[fail'" - "$out"
check "Cacti logged no import error" sh -c "! grep -qi 'import error' '$CT/site/log/cacti.log' 2>/dev/null"

r=$(cli add_device.php --description=coremon-test --ip=127.0.0.1 --template=0 --version=2 \
	--community=public --port="$PORT" --avail=snmp 2>&1)
HID=$(echo "$r" | sed -n 's/.*new device-id: (\([0-9]*\)).*/\1/p')
check "add_device.php: coremon-test, SNMPv2c 127.0.0.1:$PORT (device $HID)" test -n "$HID"
for q in "COREMON - Interfaces (cmIfTable)" "COREMON - Probes (cmProbeTable)" "COREMON - Services (cmServiceTable)"; do
	qid=$(sql cacti -e "select id from snmp_query where name = '$q'")
	r=$(cli add_data_query.php --host-id="$HID" --data-query-id="$qid" --reindex-method=1 2>&1 | tail -1)
	check "add_data_query.php '$q' ($r)" sh -c "echo '$r' | grep -q '^Success'"
done
r=$(cli poller_reindex_hosts.php --id="$HID" --qid=All -d 2>&1 | grep 'Re-Index Complete' | sed 's/.*DQ\[\([0-9]*\)\], Items\[\([0-9]*\)\].*/DQ \1: \2 items/' | tr '\n' ' ')
ok "poller_reindex_hosts.php reindexed: $r"

# host_snmp_cache against snmpwalk: name column of each table, by index.
cache() { sql cacti -e "select c.snmp_index, c.field_value from host_snmp_cache c join snmp_query q on q.id = c.snmp_query_id
	where c.host_id = $HID and q.name = '$1' and c.field_name = '$2' order by c.snmp_index + 0"; }
walked() { walk "$PORT" "$1" | sed -E 's/^.*\.([0-9]+) "?([^"]*)"?$/\1\t\2/' | sort -n; }
want=$(walked "$CM.2.1.1.2"); got=$(cache "COREMON - Interfaces (cmIfTable)" cmIfName)
check "host_snmp_cache has every cmIfTable row: $(echo "$got" | tr '\t\n' '= ')" test "$want" = "$got"
if has "$CM.7.1.1.2.1"; then
	want=$(walked "$CM.7.1.1.2"); got=$(cache "COREMON - Services (cmServiceTable)" cmServiceName)
	check "host_snmp_cache has every cmServiceTable row: $(echo "$got" | tr '\t\n' '= ')" test "$want" = "$got"
	want=$(walked "$CM.7.1.1.4"); got=$(cache "COREMON - Services (cmServiceTable)" cmServicePorts)
	check "... and their cmServicePorts" test "$want" = "$got"
else
	skip "cmServiceTable rows: not served yet (when the capture group is running)"
fi
if has "$CM.8.2.1.2.1"; then
	want=$(walked "$CM.8.2.1.2"); got=$(cache "COREMON - Probes (cmProbeTable)" cmProbeName)
	check "host_snmp_cache has every cmProbeTable row: $(echo "$got" | tr '\t\n' '= ')" test "$want" = "$got"
else
	skip "cmProbeTable rows: not served yet (when the probe group is running)"
fi

# A graph from each query's graph template.
graph() {	# QUERY GRAPH-TEMPLATE FIELD VALUE
	qid=$(sql cacti -e "select id from snmp_query where name = '$1'")
	gt=$(sql cacti -e "select id from graph_templates where name = '$2'")
	qt=$(sql cacti -e "select id from snmp_query_graph where snmp_query_id = $qid and graph_template_id = $gt")
	r=$(cli add_graphs.php --host-id="$HID" --graph-type=ds --graph-template-id="$gt" \
		--snmp-query-id="$qid" --snmp-query-type-id="$qt" --snmp-field="$3" --snmp-value="$4" 2>&1 | tail -1)
	check "add_graphs.php '$2' for $3 = $4 ($r)" sh -c "echo '$r' | grep -q '^Graph Added'"
}
graph "COREMON - Interfaces (cmIfTable)" "COREMON - Interface Traffic (bytes/sec)" cmIfName lo
graph "COREMON - Interfaces (cmIfTable)" "COREMON - Interface Errors/Drops" cmIfName lo
has "$CM.7.1.1.2.1" && graph "COREMON - Services (cmServiceTable)" "COREMON - Service Traffic (bytes/sec)" cmServiceName www
has "$CM.8.2.1.2.1" && graph "COREMON - Probes (cmProbeTable)" "COREMON - Probe Round-Trip Time" cmProbeName self
titles=$(sql cacti -e "select title_cache from graph_templates_graph where local_graph_id > 0" | tr '\n' ';')
check "graph titles come from the query: $titles" sh -c "echo '$titles' | grep -q 'coremon-test - Traffic - lo'"

# One poller run (cmd.php): it polls the data sources and updates the RRDs.
rrd=$(sql cacti -e "select distinct rrd_path from poller_item where rrd_name = 'cm_in_octets'")
oid=$(sql cacti -e "select arg1 from poller_item where rrd_name = 'cm_in_octets'")
check "the poller item of lo's traffic reads cmIfInOctets.$LO ($oid)" test "$oid" = "$CM.2.1.1.3.$LO"
a=$(get "$PORT" "$CM.2.1.1.3.$LO")
timeout 120 php "$CT/site/poller.php" --force >"$T/poller.out" 2>&1
b=$(get "$PORT" "$CM.2.1.1.3.$LO")
tail -1 "$T/poller.out" | sed 's/^/# /'
# poller.php leaves helpers running in the background (the automation
# master, spikekill, ...): wait for them, by their command line in $CT.
helpers() {
	for d in /proc/[0-9]*; do
		c=$(cat "$d/cmdline" 2>/dev/null | tr '\0' ' ')
		case $c in *"$CT/site/"*) echo "${d#/proc/}";; esac
	done
}
n=0; while [ -n "$(helpers)" ] && [ $n -lt 60 ]; do sleep 0.5; n=$((n + 1)); done
left=$(helpers)
check "the poller's background helpers finished${left:+ (killing $left)}" test -z "$left"
for p in $left; do kill "$p" 2>/dev/null; done
v=$(rrdtool lastupdate "$rrd" 2>/dev/null | awk -F'[: ]+' 'NF >= 3 && $1 ~ /^[0-9]+$/ { print $2 }')
check "Cacti's poller stored cm_in_octets = $v in $(basename "$rrd"), between snmpgets before and after ($a, $b)" \
	between "$a" "$v" "$b"
if has "$CM.8.2.1.2.1"; then
	rrd=$(sql cacti -e "select distinct rrd_path from poller_item where rrd_name = 'cm_rtt_last'")
	v=$(rrdtool lastupdate "$rrd" 2>/dev/null | awk -F'[: ]+' 'NF >= 3 && $1 ~ /^[0-9]+$/ { print $2 }')
	check "... and probe self's RTT cm_rtt_last = $v microseconds" test "${v:-0}" -gt 0
fi
check "no device was discovered by automation (automation_devices: $(sql cacti -e 'select count(*) from automation_devices'))" \
	test "$(sql cacti -e 'select count(*) from automation_devices')" = 0
only_loopback && ok "every server of this test listened on 127.0.0.1 or a Unix socket only"
mariadb-admin -S "$SOCK" shutdown 2>/dev/null; wait "$DB_PID" 2>/dev/null
