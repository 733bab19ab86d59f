# The history database's PostgreSQL backend against a real PostgreSQL
# (Debian's, a private cluster in a temp dir, as user postgres), driven
# through tests/tools/cmhistpg: a password in the URL and a password file
# open to others are refused, the password file's password opens a
# scram-sha-256 login; two agents write into one database and each
# agent's rows and sums there equal what was handed over; a window
# written again is not counted twice; a window the server refuses is
# told from an outage (rc -2, not -1); with the server stopped a write
# fails and the first write after it is back succeeds on the same
# handle; retention deletes only the agent's old windows, in batches of
# the limit; a newer schema is refused; coremond --import-archive skips
# the times capture wrote.  The write time of a window with
# 100,000 hosts is printed (wall, client and server CPU).
. tests/lib.sh

TOOL=$B/tools/cmhistpg
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ "$(id -u)" = 0 ] || { skip "history_pg_backend: needs root (initdb as postgres)"; exit 0; }
[ -x "$PGBIN/postgres" ] && id postgres >/dev/null 2>&1 ||
	{ skip "history_pg_backend: Debian's postgresql is not installed"; exit 0; }
[ -x "$TOOL" ] || { notok "history_pg_backend: $TOOL is not built"; exit 1; }
chmod 711 "$T"

# A private cluster: the Unix socket trusted (the test's psql), TCP on
# 127.0.0.1 by password only.  Durability off: it lives for this test.
PGPORT=$(free_port)
mkdir -p "$T/pg" "$T/pgsock"; chown postgres "$T/pg" "$T/pgsock"
asuser() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
asuser "$PGBIN/initdb" -D "$T/pg" -A trust -U postgres --no-sync -E UTF8 \
	--locale=C >"$T/initdb.log" 2>&1 ||
	{ notok "initdb"; sed 's/^/# /' "$T/initdb.log"; exit 1; }
printf 'local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n' >"$T/pg/pg_hba.conf"
PG_PID=
pg_start() {
	# setpriv itself in the background (not a function: that would be
	# a subshell, which a background SIGINT does not reach).
	setpriv --reuid=postgres --regid=postgres --init-groups \
		"$PGBIN/postgres" -D "$T/pg" -c listen_addresses=127.0.0.1 \
		-p "$PGPORT" -k "$T/pgsock" -c fsync=off -c synchronous_commit=off \
		-c full_page_writes=off >>"$T/pg.log" 2>&1 &
	PG_PID=$!; PIDS="$PIDS $PG_PID"
	n=0; until psql_ -c 'select 1' postgres >/dev/null 2>&1; do
		n=$((n + 1)); [ $n -lt 300 ] || return 1; sleep 0.1
	done
}
# Fast shutdown, and wait until the postmaster is gone.
pg_stop() { kill -INT "$PG_PID"; wait "$PG_PID" 2>/dev/null; }
psql_() { psql -h "$T/pgsock" -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
q() { psql_ -d hist -c "$1"; }

pg_start || { notok "PostgreSQL starts"; sed 's/^/# /' "$T/pg.log"; exit 1; }
psql_ -d postgres -c "create database hist" -c "create role writer login password 'pw-0ne'" \
	-c "grant all on database hist to writer" >/dev/null
psql_ -d hist -c "grant all on schema public to writer" >/dev/null
ok "PostgreSQL $("$PGBIN/postgres" --version | awk '{ print $3 }') in $T/pg"
SOCK_URL="postgresql:///hist?host=$T/pgsock&port=$PGPORT&user=postgres"
TCP_URL="postgresql://writer@127.0.0.1:$PGPORT/hist"

# ---- passwords -------------------------------------------------------
out=$(echo open | "$TOOL" "postgresql://writer:pw-0ne@127.0.0.1:$PGPORT/hist" a)
case $out in "open fail errno=EINVAL: a password in the PostgreSQL URL is refused"*)
	ok "a password in the URL is refused, for good (EINVAL)";;
	*) notok "a password in the URL is refused: $out";; esac
out=$(echo open | "$TOOL" "$TCP_URL?password=pw-0ne" a)
case $out in *"password in the PostgreSQL URL is refused"*) ok "also as ?password=";;
	*) notok "a password as ?password= is refused: $out";; esac
out=$(echo open | "$TOOL" "postgresql://[bad" a)
case $out in "open fail errno=EINVAL"*) ok "a malformed URL is refused for good";;
	*) notok "a malformed URL: $out";; esac

printf 'pw-0ne\n' >"$T/pw"; chmod 0644 "$T/pw"
out=$(echo open | "$TOOL" -p "$T/pw" "$TCP_URL" a)
case $out in "open fail errno=EINVAL: password file $T/pw: refused"*)
	ok "a password file others may read (0644) is refused";;
	*) notok "a 0644 password file is refused: $out";; esac
chmod 0640 "$T/pw"; chown nobody "$T/pw"
out=$(echo open | "$TOOL" -p "$T/pw" "$TCP_URL" a)
case $out in "open fail errno=EINVAL: password file $T/pw: refused"*)
	ok "a password file of another user is refused";;
	*) notok "another user's password file is refused: $out";; esac
chown root "$T/pw"; ln -s "$T/pw" "$T/pwlink"
out=$(echo open | "$TOOL" -p "$T/pwlink" "$TCP_URL" a)
case $out in *"symbolic link"*) ok "a password file that is a link is refused";;
	*) notok "a linked password file is refused: $out";; esac
out=$(printf 'open\nwrite 1717200000 10 5\n' | "$TOOL" -p "$T/pw" "$TCP_URL" pwagent)
case $out in "open ok"*"rc=1"*) ok "the password file's password (0640, own) logs in over TCP and writes";;
	*) notok "a login with the password file: $out";; esac
printf 'wrong\n' >"$T/pw2"; chmod 0600 "$T/pw2"
out=$(echo open | "$TOOL" -p "$T/pw2" "$TCP_URL" a)
case $out in "open fail errno=other: connect: "*"password authentication failed"*)
	ok "a wrong password: the server's reason, tried again later (not EINVAL)";;
	*) notok "a wrong password: $out";; esac
q "delete from windows where agent = 'pwagent'; delete from window_services where agent = 'pwagent';
   delete from window_sessions where agent = 'pwagent'; delete from window_probes where agent = 'pwagent';
   delete from window_processes where agent = 'pwagent'; delete from day_hosts where agent = 'pwagent'"

# ---- a long-lived handle, a command at a time ----------------------------
# run AGENT: cmhistpg reading $T/AGENT.cmd, writing $T/AGENT.out.
run() {
	mkfifo "$T/$1.cmd"
	: >"$T/$1.out"	# there before the tool opens it (after the FIFO)
	CMHISTPG_POSTMASTER=$PG_PID "$TOOL" "$SOCK_URL" "$1" <"$T/$1.cmd" >"$T/$1.out" 2>&1 &
	PIDS="$PIDS $!"
}
# cmd AGENT LINE: sends LINE, prints the tool's answer (60 s at most).
cmd() {
	n=$(wc -l <"$T/$1.out")
	eval "echo \"\$2\" >&$(fdof "$1")"
	i=0; while [ "$(wc -l <"$T/$1.out")" -le "$n" ]; do
		i=$((i + 1)); [ $i -lt 1200 ] || { echo "timeout"; return 1; }; sleep 0.05
	done
	tail -1 "$T/$1.out"
}
fdof() { case $1 in edge-a) echo 3;; edge-b) echo 4;; *) echo 5;; esac; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
errfield() { echo "$1" | sed -n 's/.* error=//p'; }

run edge-a; exec 3>"$T/edge-a.cmd"
run edge-b; exec 4>"$T/edge-b.cmd"
check "agent edge-a opens (creates the schema)" [ "$(cmd edge-a open)" = "open ok" ]
check "agent edge-b opens (finds it)" [ "$(cmd edge-b open)" = "open ok" ]
out=$(printf 'open\nclose\n' | "$TOOL" "$SOCK_URL" quiet 2>&1)
check "opening an existing schema prints no server notices (stderr is coremond's log)" \
	[ "$out" = "$(printf 'open ok\nclose ok')" ]
check "the schema is version 2, applied once" [ "$(q 'select count(*), max(version) from schema_version')" = "1|2" ]
check "schema.sql's --postgresql: line ran (the index day_hosts_addr), its --sqlite: ones did not (day_hosts has no WITHOUT ROWID here)" \
	[ "$(q "select count(*) from pg_indexes where tablename = 'day_hosts' and indexname = 'day_hosts_addr'")" = 1 ]

# Agent a: 5 windows of 300 hosts and 20 sessions; agent b: 3 of 500 and
# 30, the same starts.  Sums of what the tool handed over.
S0=1717200000
A_OCT=0; A_HOST=0; B_OCT=0; B_HOST=0; bad=0
for i in 0 1 2 3 4; do
	r=$(cmd edge-a "write $((S0 + 30 * i)) 300 20")
	[ "$(field "$r" rc)" = 1 ] || { bad=1; echo "# $r"; }
	A_OCT=$((A_OCT + $(field "$r" octets_in))); A_HOST=$((A_HOST + $(field "$r" hosts_octets_in)))
done
for i in 0 1 2; do
	r=$(cmd edge-b "write $((S0 + 30 * i)) 500 30")
	[ "$(field "$r" rc)" = 1 ] || { bad=1; echo "# $r"; }
	B_OCT=$((B_OCT + $(field "$r" octets_in))); B_HOST=$((B_HOST + $(field "$r" hosts_octets_in)))
done
check "eight windows of two agents written (rc 1 each)" [ $bad = 0 ]
check "windows: 2 sources x 5 for edge-a, x 3 for edge-b" \
	[ "$(q "select agent, count(*) from windows group by agent order by agent" | tr '\n' ' ')" = "edge-a|10 edge-b|6 " ]
check "windows.octets_in per agent equal what was handed over ($A_OCT, $B_OCT)" \
	[ "$(q "select sum(octets_in) from windows where agent = 'edge-a'")|$(q "select sum(octets_in) from windows where agent = 'edge-b'")" = "$A_OCT|$B_OCT" ]
check "day_hosts.octets_in per agent equal the host rows handed over ($A_HOST, $B_HOST)" \
	[ "$(q "select sum(octets_in) from day_hosts where agent = 'edge-a'")|$(q "select sum(octets_in) from day_hosts where agent = 'edge-b'")" = "$A_HOST|$B_HOST" ]
check "day_hosts: one row a host and service, added up over the windows (300 and 500)" \
	[ "$(q "select agent, count(*) from day_hosts group by agent order by agent" | tr '\n' ' ')" = "edge-a|300 edge-b|500 " ]
check "window_sessions: 20 x 5 and 30 x 3" \
	[ "$(q "select agent, count(*) from window_sessions group by agent order by agent" | tr '\n' ' ')" = "edge-a|100 edge-b|90 " ]
check "window_services 3 and window_probes 2 a window" \
	[ "$(q "select (select count(*) from window_services), (select count(*) from window_probes)")" = "24|16" ]
check "window_processes 2 a window" [ "$(q "select count(*) from window_processes")" = 16 ]
check "a process row: pid, unit, 64-bit octets, its name's tab kept and bad UTF-8 made '?'" \
	[ "$(q "select count(*) from window_processes where pid = 4242 and unit = 'nginx.service' and octets_out = 5000000000 + start and name = E'ng\\tinx?'")" = 8 ]
check "a probe without answers has NULL RTTs, a source without RTT NULL" \
	[ "$(q "select count(*) from window_probes where answered = 0 and rtt_mean_us is null")|$(q "select count(*) from windows where rtt_us is null")" = "8|8" ]
# A host's rows say first start+0..9 and last start+20..29: its day spans
# the first window's first and the last window's last.
check "first_seen and last_seen span the five windows (least and greatest kept)" \
	[ "$(q "select count(*) from day_hosts where agent = 'edge-a' and first_seen between $S0 and $((S0 + 9)) and last_seen between $((S0 + 140)) and $((S0 + 149))")" = 300 ]
check "a name with a backslash and a tab comes through COPY; a byte not UTF-8 as '?'" \
	[ "$(q "select name from day_hosts where agent = 'edge-a' and addr = '10.0.0.5' and service = 'dns'")" = "$(printf 'h5.example\\org\tx?')" ]

# A batch that holds a host and service twice: one row, added up.
r=$(cmd edge-b "write $((S0 + 3 * 86400)) 400 5 dup")
check "a batch with each host twice is written" [ "$(field "$r" rc)" = 1 ]
check "as one day_hosts row a host, its two rows added up" \
	[ "$(q "select count(*), sum(octets_in) from day_hosts where agent = 'edge-b' and day = 20240604")" = "200|$(field "$r" hosts_octets_in)" ]
q "delete from day_hosts where agent = 'edge-b' and day = 20240604"
B_OCT=$((B_OCT + $(field "$r" octets_in)))

# A batch of another agent name (spooled before historyAgent changed)
# through edge-a's handle: its rows are that name's.
r=$(cmd edge-a "write $((S0 + 7200)) 10 2 agent=edge-old")
check "a batch's rows are tagged with its own agent name, not the handle's" \
	[ "$(field "$r" rc)|$(q "select count(*) from windows where agent = 'edge-old'")|$(q "select count(*) from day_hosts where agent = 'edge-old'")|$(q "select count(*) from windows where agent = 'edge-a' and start = $((S0 + 7200))")" = "1|2|10|0" ]

# The same window again: nothing written.
r=$(cmd edge-a "write $S0 300 20")
check "a window written again is reported already there (rc 0)" [ "$(field "$r" rc)" = 0 ]
check "and counted once: the sums are unchanged" \
	[ "$(q "select sum(octets_in) from windows where agent = 'edge-a'")|$(q "select sum(octets_in) from day_hosts where agent = 'edge-a'")|$(q "select count(*) from window_sessions where agent = 'edge-a'")" = "$A_OCT|$A_HOST|100" ]

# A window the server refuses while the connection is fine (a trigger
# here, as a constraint would): HISTDB_WRITE_REFUSED (-2), which histdb
# sets aside after a few tries; a stopped server stays -1 (below).
R=$((S0 + 3600))
q "create function refuse() returns trigger language plpgsql as \$\$ begin
   raise exception 'refused by the test''s trigger'; end \$\$;
   create trigger refuse before insert on windows for each row
   when (new.start = $R) execute function refuse()"
r=$(cmd edge-a "write $R 10 2 agent=refusal")
check "a window the server refuses: rc -2 ($(errfield "$r" | cut -c 1-60))" \
	[ "$(field "$r" rc)" = -2 ]
check "none of its rows written" \
	[ "$(q "select count(*) from windows where agent = 'refusal'")|$(q "select count(*) from day_hosts where agent = 'refusal'")" = "0|0" ]
r=$(cmd edge-a "write $((R + 30)) 10 2 agent=refusal")
check "the next window on the same handle is written (rc $(field "$r" rc))" \
	[ "$(field "$r" rc)" = 1 ]
q "drop trigger refuse on windows; drop function refuse();
   delete from windows where agent = 'refusal'; delete from window_services where agent = 'refusal';
   delete from window_sessions where agent = 'refusal'; delete from window_probes where agent = 'refusal';
   delete from window_processes where agent = 'refusal'; delete from day_hosts where agent = 'refusal'"

# ---- the server goes away and comes back ---------------------------------
pg_stop
r=$(cmd edge-a "write $((S0 + 150)) 300 20")
check "with the server stopped a write fails (rc -1: $(errfield "$r" | cut -c 1-70))" [ "$(field "$r" rc)" = -1 ]
pg_start || { notok "PostgreSQL starts again"; exit 1; }
r=$(cmd edge-a "write $((S0 + 150)) 300 20")
check "the next write after it is back succeeds on the same handle" [ "$(field "$r" rc)" = 1 ]
A_OCT=$((A_OCT + $(field "$r" octets_in)))
check "and that window is there once" \
	[ "$(q "select count(*), sum(octets_in) from windows where agent = 'edge-a' and start = $((S0 + 150))")" = "2|$(field "$r" octets_in)" ]
pg_stop; pg_start
r=$(cmd edge-b "write $((S0 + 90)) 500 30")
check "a restart between two writes costs no window (reconnected at once)" [ "$(field "$r" rc)" = 1 ]
B_OCT=$((B_OCT + $(field "$r" octets_in)))

# ---- retention -------------------------------------------------------------
r=$(cmd edge-a "expire $((S0 + 60)) 19700101 1")
check "expire with limit 1 deletes one window ($r)" [ "$r" = "expire n=1" ]
r=$(cmd edge-a "expire $((S0 + 60)) 19700101 10")
check "the next call the other old one ($r)" [ "$r" = "expire n=1" ]
r=$(cmd edge-a "expire $((S0 + 60)) 19700101 10")
check "then none ($r)" [ "$r" = "expire n=0" ]
check "edge-a keeps its windows from $((S0 + 60)) on, with their rows" \
	[ "$(q "select min(start), count(distinct start) from windows where agent = 'edge-a'")|$(q "select count(*) from window_sessions where agent = 'edge-a'")|$(q "select count(*) from window_services where agent = 'edge-a'")" = "$((S0 + 60))|4|80|12" ]
check "edge-b's windows are untouched" [ "$(q "select count(distinct start) from windows where agent = 'edge-b'")" = 5 ]
r=$(cmd edge-a "expire 0 20240602 120")
check "day_hosts rows older than the day go, at most the limit a call ($r)" [ "$r" = "expire n=120" ]
r=$(cmd edge-a "expire 0 20240602 1000")
check "then the rest ($r)" [ "$r" = "expire n=180" ]
check "edge-b's day_hosts are untouched" [ "$(q "select count(*) from day_hosts where agent = 'edge-b'")" = 500 ]

# ---- a newer schema ----------------------------------------------------------
q "insert into schema_version values (3, 'future', 0)"
out=$(echo open | "$TOOL" "$SOCK_URL" c)
case $out in "open fail errno=EINVAL: the database's history schema is version 3, newer"*)
	ok "a newer schema is refused for good (EINVAL)";;
	*) notok "a newer schema is refused: $out";; esac
q "delete from schema_version where version = 3"

# ---- version 1 (before window_processes) migrated to 2 ------------------------
q "delete from schema_version"
q "insert into schema_version values (1, 'old', 0)"
q "drop table window_processes"
out=$(printf 'open\nclose\n' | "$TOOL" "$SOCK_URL" quiet 2>&1)
check "a version 1 database opens" [ "$out" = "$(printf 'open ok\nclose ok')" ]
check "and is version 2 with window_processes, the windows kept" \
	[ "$(q "select max(version), to_regclass('window_processes') is not null, count(*) > 0 from schema_version, (select 1 from windows limit 1) w")" = "2|t|t" ]

# ---- --import-archive over days capture wrote ------------------------------
# edge-a has windows from S0+60 on: the archive's line of S0+60 is
# skipped, the one of S0+1800 (no window there) imported.
mkdir "$T/archive"
printf '2024-06-01T00:01:00Z\t500\t600\t5\t6\t\n2024-06-01T00:30:00Z\t700\t800\t7\t8\t\n' \
	>"$T/archive/coremon-20240601.log"
printf 'historyDatabase %s\nhistoryAgent edge-a\nhistorySpoolDir %s/spool\nwindowInterval 30\n' \
	"$SOCK_URL" "$T" >"$T/import.conf"
timeout 60 "$B/coremond" -C -c "$T/import.conf" --import-archive "$T/archive" \
	>"$T/import.out" 2>&1
check "--import-archive: 1 imported, 1 already there ($(grep -o "[0-9]* windows imported, [0-9]* already" "$T/import.out"))" \
	grep -q "1 windows imported, 1 already in" "$T/import.out"
check "capture's window keeps only capture's rows; the other time gets the archive's" \
	[ "$(q "select string_agg(source, ',' order by source) from windows where agent = 'edge-a' and start = $((S0 + 60))")|$(q "select source, octets_in from windows where agent = 'edge-a' and start = $((S0 + 1800))")" = "eth0,eth1|archive|700" ]

cmd edge-a close >/dev/null; cmd edge-b close >/dev/null
exec 3>&- 4>&-

# ---- a window with 100,000 hosts -------------------------------------------
# A fresh handle: its server CPU is counted under the postmaster running now.
run edge-c; exec 5>"$T/edge-c.cmd"
cmd edge-c open >/dev/null
r=$(cmd edge-c "write $((S0 + 86400)) 100000 100")
check "a window with 100,000 host rows is written" [ "$(field "$r" rc)" = 1 ]
echo "# 100,000 hosts, first of the day: wall $(field "$r" ms) ms, client CPU $(field "$r" cpu_ms) ms, server CPU $(field "$r" server_cpu_ms) ms"
r=$(cmd edge-c "write $((S0 + 86430)) 100000 100")
echo "# 100,000 hosts, all seen before that day: wall $(field "$r" ms) ms, client CPU $(field "$r" cpu_ms) ms, server CPU $(field "$r" server_cpu_ms) ms"
check "and the next one adds to the same 100,000 rows" \
	[ "$(q "select count(*) from day_hosts where agent = 'edge-c' and day = 20240602")" = 100000 ]
cmd edge-c close >/dev/null
exec 5>&-
