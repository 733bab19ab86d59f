# coremon-report (issue 13): coremond -r replays Zeek captures into one
# SQLite history database (three agents, across a UTC midnight, IPv4 and
# IPv6), then coremon-report writes the site.  Every number read back
# from the pages -- overview, services, days, a day's page, hosts, a
# host's page, hosts.json -- equals tshark's figures for the captures or
# SQL over the database (sqlite3(1)).  A crafted day_hosts row whose
# address and name hold <script>, quotes and control characters shows
# as text; tidy finds no error on any page; no page names a resource
# outside the site.  The same rows in a private PostgreSQL cluster give
# the same site through libpq.  Headless Chromium (chromedriver, driven
# with curl) loads every page without a console error or a failed
# request, and the filter finds hosts by pattern and by service; the
# screenshots go to $B/test-logs.  Crafted window_processes rows (a
# hostile name among them) give the processes page and each day's
# processes table, equal to SQL's sums; a schema version 1 database
# (no window_processes) still gives a site that says so.
. tests/lib.sh
. tests/history_lib.sh

Z=$SHARED/pcaps/zeek
R=$B/coremon-report
[ -d "$Z" ] || { skip "report: $Z is absent"; exit 0; }
for c in sqlite3 tshark tidy; do
	command -v $c >/dev/null || { skip "report: $c is absent (contrib/deps.sh)"; exit 0; }
done
DB=$T/h.sqlite

q() { sqlite3 "$DB" "$1" 2>&1; }
# rows FILE TABLE-ID: the table's body rows, cells "|"-separated, tags
# stripped (the pages write a row a line).
rows() {
	sed -n "/<table id=\"$2\">/,/<\/table>/p" "$1" | grep '^<tr><td' |
		sed -e 's|</td><td[^>]*>|\||g' -e 's|<[^>]*>||g'
}
same() {	# same DESCRIPTION FILE-A FILE-B: ok when equal and not empty
	if [ -s "$2" ] && cmp -s "$2" "$3"; then ok "$1 ($(wc -l <"$2") rows)"
	else notok "$1 (< page, > reference)"; diff "$2" "$3" | head -6 | sed 's/^/# /'; fi
}

# replay NAME FILE LOCALNET INTERVAL: coremond -r FILE into $DB as
# agent test-NAME, until every window is written.
replay() {
	PORT=$(free_port)
	printf 'rocommunity public 127.0.0.1\nhostdbFile %s\narchiveDir %s\nhistoryDatabase %s\nhistoryAgent test-%s\nlocalNet %s\nwindowInterval %s\ntopSessions 1000\nhistoryTopSessions 1000\n' \
		"$T/$1.hostdb" "$T/$1.archive" "$DB" "$1" "$3" "$4" >"$T/$1.conf"
	start_coremond "$T/$1.conf" --standalone "udp:127.0.0.1:$PORT" -r "$2"
	until_ok 60 settled
	kill "$CM_PID"; wait "$CM_PID" 2>/dev/null
}
settled() {
	[ "$(get "$PORT" "$CM.1.7.0")" = 4 ] || return 1
	nw=$(get "$PORT" "$CM.5.1.0"); wr=$(get "$PORT" "$CM.11.5.0"); dr=$(get "$PORT" "$CM.11.10.0")
	[ -n "$nw" ] && [ -n "$wr" ] && [ $((wr + dr)) -ge "$nw" ]
}

# ---- the database: three replays ------------------------------------------
editcap -t $(( $(date -u -d '2014-01-14 23:59:55' +%s) - $(date -u -d '2014-01-14 17:04:01' +%s) )) \
	"$Z/http_bro.org.pcap" "$T/midnight.pcap" 2>/dev/null
tshark_sums midnight "$T/midnight.pcap" '^10[.]0[.]2[.]' 60
tshark_sums pop3 "$Z/pop3_pop3.pcap" '^192[.]168[.]0[.]' 20
tshark_sums ftp6 "$Z/ftp_ipv6.pcap" '^2001:470:4867:99:' 5
replay midnight "$T/midnight.pcap" 10.0.2.0/24 60
replay pop3 "$Z/pop3_pop3.pcap" 192.168.0.0/24 20
replay ftp6 "$Z/ftp_ipv6.pcap" 2001:470:4867:99::/64 5
check "three replays are in the database: agents $(q "SELECT group_concat(DISTINCT agent) FROM windows"), $(q "SELECT count(*) FROM windows") windows" \
	test "$(q "SELECT count(DISTINCT agent) FROM windows")" = 3
cat "$T"/*.ts.W | sort >"$T/all.W"; cat "$T"/*.ts.S >"$T/all.S"; cat "$T"/*.ts.H >"$T/all.H"; cat "$T"/*.ts.X >"$T/all.X"

# A probe's history for test-pop3, crafted: up, down twice, up, down.
q "INSERT INTO window_probes SELECT agent, start, 'gw', '192.168.0.1', 3,
	CASE (row_number() OVER (ORDER BY start)) % 5 WHEN 2 THEN 0 WHEN 3 THEN 0 ELSE 3 END,
	1000, 1500 + start % 7 * 100, 2500 FROM windows WHERE agent = 'test-pop3'" >/dev/null

# The hostile rows, under an agent of their own (left out by --agent
# below): its address and name are markup, quotes, a control character.
EVIL_ADDR="<img src=x onerror=alert(2)>"
q "INSERT INTO day_hosts VALUES ('evil', $(q "SELECT min(day) FROM day_hosts"), '$EVIL_ADDR', 'www', 999999999, 1, 1, 1, 0, 0,
	'<script>alert(1)</script>\"' || char(39) || 'x' || char(1) || '&amp;')" >/dev/null
check "the hostile row is in day_hosts" test "$(q "SELECT count(*) FROM day_hosts WHERE agent = 'evil'")" = 1

# Names as a resolver would store them, under agent "named": for the
# domains page (the replays' hosts have none).
d0=$(q "SELECT min(day) FROM day_hosts")
for r in "www.example.co.uk|198.51.100.1|1000|10" "mail.example.co.uk|198.51.100.2|2000|20" \
	"A.B.Example.COM.|198.51.100.3|4000|40" "co.uk|198.51.100.4|8000|80" "localhost|198.51.100.5|16000|160" \
	"x.github.io|2001:db8::6|32000|320" "|198.51.100.7|64000|640"; do
	IFS='|' read -r nm a i o <<EOR
$r
EOR
	q "INSERT INTO day_hosts VALUES ('named', $d0, '$a', 'www', $i, $o, 1, 1, 0, 0, $([ -n "$nm" ] && echo "'$nm'" || echo NULL))" >/dev/null
done

# Processes (window_processes, schema 2), crafted at the replays'
# windows: a unit's pids (two in one window, one after a restart), a
# process without unit, one
# across midnight; and a hostile name and unit under agent "evil".
ps=$(q "SELECT group_concat(start, ' ') FROM (SELECT start FROM windows WHERE agent = 'test-pop3' ORDER BY start LIMIT 4)")
k=0; for st in $ps; do k=$((k + 1))
	if [ $k -le 3 ]; then
		q "INSERT INTO window_processes VALUES ('test-pop3', $st, 101, 'nginx', 'nginx.service', $((k + 1)), $((1000 * k)), $((50000 + k)))"
		q "INSERT INTO window_processes VALUES ('test-pop3', $st, 202, 'curl', '', 1, 7, 300)"
		[ $k = 1 ] && q "INSERT INTO window_processes VALUES ('test-pop3', $st, 103, 'nginx', 'nginx.service', 8, 40000, 4)"
	else
		q "INSERT INTO window_processes VALUES ('test-pop3', $st, 102, 'nginx', 'nginx.service', 9, 10, 20)"
	fi
done >/dev/null
q "INSERT INTO window_processes SELECT 'test-midnight', start, 55, 'sshd', 'ssh.service', 1, 123456 + start % 1000, 654321 FROM windows WHERE agent = 'test-midnight'" >/dev/null
q "INSERT INTO window_processes VALUES ('evil', ${ps%% *}, 666, '<script>alert(4)</script>' || char(1), '\"><img src=x onerror=alert(5)>', 1, 5, 5)" >/dev/null
check "window_processes holds the crafted rows ($(q "SELECT count(*) FROM window_processes") rows, schema version $(q "SELECT max(version) FROM schema_version"))" \
	test "$(q "SELECT count(*) FROM window_processes")" = 11
# procs FROM TO: SQL's sums by agent, unit and name, ranked by octets;
# windows with a row, the most connections of its pids at a window's end
procs() {
	q "SELECT agent, row_number() OVER (PARTITION BY agent ORDER BY sum(octets_in + octets_out) DESC, unit, name),
		CASE unit WHEN '' THEN '-' ELSE unit END, name, sum(octets_in), sum(octets_out), sum(octets_in + octets_out),
		count(DISTINCT start), (SELECT max(c) FROM (SELECT sum(conns) c FROM window_processes x WHERE x.agent = p.agent
			AND x.unit = p.unit AND x.name = p.name AND x.start >= $1 AND x.start < $2 GROUP BY x.start))
		FROM window_processes p WHERE agent LIKE 'test-%' AND start >= $1 AND start < $2 GROUP BY agent, unit, name ORDER BY agent, 2"
}

# ---- the site of the three replays, against tshark and SQL ----------------
S=$T/site
s0=$(date +%s.%N)
check "coremon-report writes the site of the three replays (--agent, three times)" \
	"$R" --db "$DB" --out "$S" --agent test-midnight --agent test-pop3 --agent test-ftp6
echo "# coremon-report: $(awk -v s="$s0" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }') s, $(ls "$S" | wc -l) files"

# Overview: each agent's link; octets from tshark, the rest from SQL.
rows "$S/index.html" links | awk -F'|' '{ print $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15 }' >"$T/p.links"
for n in midnight pop3 ftp6; do
	set -- $(awk '{ i += $2; o += $3 } END { print i + 0, o + 0 }' "$T/$n.ts.W")
	sq=$(q "SELECT agent, source, count(*), sum(length) FROM windows WHERE agent = 'test-$n'" | tr '|' ' ')
	sec=$(q "SELECT sum(length) FROM windows WHERE agent = 'test-$n'")
	nd=$(q "SELECT count(DISTINCT date(start, 'unixepoch')) FROM windows WHERE agent = 'test-$n'")
	echo "$sq $1 $2 $nd $(awk -v a="$1" -v b="$2" -v n="$nd" 'BEGIN { printf "%.0f %.0f", a / n, b / n }') $(awk -v a="$1" -v b="$2" -v s="$sec" 'BEGIN { printf "%.1f %.1f", a / s, b / s }') $(q "SELECT printf('%.1f %.1f', max(CAST(octets_in AS REAL) / length), max(CAST(octets_out AS REAL) / length)), 'RTT', sum(drops) FROM windows WHERE agent = 'test-$n' AND length > 0" | tr '|' ' ')"
done | sed 's/ RTT / - /' | sort >"$T/r.links"
sort -o "$T/p.links" "$T/p.links"
same "overview: each agent's link -- windows and seconds (SQL), octets in and out (tshark), days (SQL) and octets a day, mean load (tshark over SQL seconds), peak window load (SQL), no RTT, drops" "$T/p.links" "$T/r.links"

# Outages: runs of windows with probes sent and none answered (SQL
# gaps and islands), their seconds and the availability.
rows "$S/index.html" probes | awk -F'|' '{ print $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }' >"$T/p.probes"
q "WITH p AS (SELECT p.start, p.sent, p.answered, p.rtt_mean_us, w.length,
		p.answered = 0 AND p.sent > 0 AS down,
		lag(p.answered = 0 AND p.sent > 0, 1, 0) OVER (ORDER BY p.start) AS prev
		FROM window_probes p JOIN windows w USING (agent, start) WHERE p.agent = 'test-pop3'),
	runs AS (SELECT start, sum(down AND NOT prev) OVER (ORDER BY start) AS run, down, length FROM p)
	SELECT 'test-pop3', 'gw', '192.168.0.1', (SELECT count(*) FROM p), (SELECT sum(sent) FROM p), (SELECT sum(answered) FROM p),
		(SELECT sum(down AND NOT prev) FROM p), (SELECT sum(length * down) FROM p),
		(SELECT max(s) FROM (SELECT sum(length) s FROM runs WHERE down GROUP BY run)),
		printf('%.3f', 100.0 * (SELECT sum(length * (1 - down)) FROM p) / (SELECT sum(length) FROM p)),
		printf('%.3f', (SELECT sum(rtt_mean_us * answered) * 1.0 / sum(answered) FROM p) / 1000)" | tr '|' ' ' >"$T/r.probes"
same "overview: the probe's outages, down seconds, longest outage, availability and mean RTT equal SQL's gaps and islands ($(cut -d' ' -f7,8 "$T/r.probes") outages, seconds)" "$T/p.probes" "$T/r.probes"

# Services: the period's octets and packets by service.
rows "$S/services.html" services | awk -F'|' '{ print $1, $2, $3, $4, $5 }' | sort >"$T/p.svc"
awk '{ k = $2; i[k] += $3; o[k] += $4; pi[k] += $5; po[k] += $6 } END { for (k in i) print k, i[k], o[k], pi[k], po[k] }' "$T/all.S" | sort >"$T/r.svc"
same "services: octets and packets in and out by service equal tshark's" "$T/p.svc" "$T/r.svc"
rows "$S/services.html" services | awk -F'|' '{ s += $6 } END { exit !(s > 99.9 && s < 100.1) }'
check "services: the shares add up to 100%" test $? = 0

# Days: octets a UTC day.
rows "$S/days.html" days | awk -F'|' '{ print $1, $2, $3, $4, $5 }' >"$T/p.days"
q "SELECT date(start - start % 86400, 'unixepoch'), count(*), sum(length) FROM windows
	WHERE agent LIKE 'test-%' GROUP BY start - start % 86400 ORDER BY 1" | tr '|' ' ' >"$T/r.days.sql"
awk '{ d = $1 - $1 % 86400; i[d] += $2; o[d] += $3 } END { for (d in i) print d, i[d], o[d] }' "$T/all.W" | sort -n |
	while read -r d i o; do echo "$(date -u -d "@$d" +%F) $i $o"; done >"$T/r.days.ts"
join "$T/r.days.sql" "$T/r.days.ts" >"$T/r.days"
same "days: window rows and seconds (SQL), octets in and out (tshark) of each UTC day" "$T/p.days" "$T/r.days"

# Each day's page: top hosts (tshark), sessions (tshark), load
# statistics (SQL and sort), services (tshark).
for dy in $(cut -d' ' -f1 "$T/r.days"); do
	dn=$(echo "$dy" | tr -d -); P=$S/day-$dy.html
	rows "$P" tophosts | awk -F'|' '{ print $2, $4, $5, $6, $7 }' | sort >"$T/p.th"
	awk -v d="$dn" '$1 == d { k = $2; i[k] += $4; o[k] += $5; pi[k] += $6; po[k] += $7 }
		END { for (k in i) print k, i[k], o[k], pi[k], po[k] }' "$T/all.H" | sort >"$T/r.th"
	same "day $dy: top hosts' octets and packets equal tshark's" "$T/p.th" "$T/r.th"
	rows "$P" topsessions | awk -F'|' '{ print $2, $3, $4, $5, $6, $7, $8, $9, $10 }' | sort >"$T/p.ts"
	s=$(date -u -d "$dy" +%s)
	awk -v s="$s" '$1 >= s && $1 < s + 86400 { k = $3 " " $4 " " $6 " " $2 " " $5; i[k] += $7; o[k] += $8; pi[k] += $9; po[k] += $10 }
		END { for (k in i) print k, i[k], o[k], pi[k], po[k] }' "$T/all.X" | sort >"$T/r.ts"
	if [ "$(wc -l <"$T/r.ts")" -le 25 ]; then
		same "day $dy: top sessions (addresses, service, protocol, port, octets, packets) equal tshark's" "$T/p.ts" "$T/r.ts"
	else
		sort -k6,6nr -k1 "$T/r.ts" | head -25 | sort >"$T/r.ts25"
		same "day $dy: the 25 top sessions equal tshark's 25 biggest" "$T/p.ts" "$T/r.ts25"
	fi
	rows "$P" load | awk -F'|' '{ print $1, $2, $3, $4, $5 }' >"$T/p.load"
	for c in "octets_in" "octets_out" "octets_in + octets_out"; do
		q "SELECT CAST(sum($c) AS REAL) / max(length) FROM windows WHERE agent LIKE 'test-%' AND start >= $s AND start < $s + 86400 AND length > 0 GROUP BY start" |
			sort -g | awk -v c="$c" '{ v[NR] = $1; t += $1 } END {
				m = int(NR * 0.5); if (m < NR * 0.5) m++; p = int(NR * 0.95); if (p < NR * 0.95) p++
				n = c == "octets_in" ? "in" : c == "octets_out" ? "out" : "in + out"
				printf "%s %.3f %.3f %.3f %.3f\n", n, t / NR, v[m], v[p], v[NR] }'
	done >"$T/r.load"
	same "day $dy: window load mean, median, 95th percentile and max in, out and both equal SQL's" "$T/p.load" "$T/r.load"
	nw=$(q "SELECT count(DISTINCT start) FROM windows WHERE agent LIKE 'test-%' AND start >= $s AND start < $s + 86400")
	# a lone window is a dot: a polyline of one point draws nothing
	np=$(sed -n '/<h2>Load by window/,/<\/svg>/p' "$P" | awk '/<circle class="in"/ { n++ }
		/<polyline class="in"/ { sub(/.*points="/, ""); sub(/".*/, ""); n += split($0, a, " ") } END { print n + 0 }')
	check "day $dy: the load chart draws each of its $nw windows (in: $np points)" test "$np" = "$nw"
	rows "$P" services | awk -F'|' '{ print $1, $2, $3, $4, $5 }' | sort >"$T/p.dsvc"
	awk -v s="$s" '$1 >= s && $1 < s + 86400 { k = $2; i[k] += $3; o[k] += $4; pi[k] += $5; po[k] += $6 }
		END { for (k in i) print k, i[k], o[k], pi[k], po[k] }' "$T/all.S" | sort >"$T/r.dsvc"
	same "day $dy: services equal tshark's" "$T/p.dsvc" "$T/r.dsvc"
done

# Processes: the period's, and each day's.
rows "$S/processes.html" processes >"$T/p.proc"
procs 0 9999999999 >"$T/r.proc"
same "processes: each agent's processes by unit and name, rank, octets in, out and both, windows and most connections equal SQL's sums" "$T/p.proc" "$T/r.proc"
for dy in $(cut -d' ' -f1 "$T/r.days"); do
	s=$(date -u -d "$dy" +%s)
	rows "$S/day-$dy.html" processes >"$T/p.dproc"
	procs "$s" $((s + 86400)) >"$T/r.dproc"
	if [ -s "$T/r.dproc" ]; then
		same "day $dy: the processes table equals SQL's sums over the day's rows" "$T/p.dproc" "$T/r.dproc"
	else
		check "day $dy: no process rows in SQL, none on the page, which says so" \
			sh -c "test ! -s '$T/p.dproc' && grep -q '<p>No process moved octets' '$S/day-$dy.html'"
	fi
done
# A database of schema version 1: no window_processes, still a site.
cp "$DB" "$T/v1.sqlite"
sqlite3 "$T/v1.sqlite" "DROP TABLE window_processes; DELETE FROM schema_version WHERE version = 2"
check "coremon-report writes the site of a schema version 1 database" "$R" --db "$T/v1.sqlite" --out "$T/v1" --agent test-pop3
check "... its processes page and day page say the database has no process rows" \
	sh -c "grep -q '<p id=\"noprocesses\">The database has no process rows' '$T/v1/processes.html' '$T/v1/day-2013-08-22.html' &&
		test \$(grep -l 'id=\"noprocesses\"' '$T/v1/processes.html' '$T/v1/day-2013-08-22.html' | wc -l) = 2"

# Hosts: the period's top hosts, days seen, and one host's page.
rows "$S/hosts.html" tophosts | awk -F'|' '{ print $2, $4, $5, $6, $7, $8 }' | sort >"$T/p.hosts"
awk '{ k = $2; i[k] += $4; o[k] += $5; pi[k] += $6; po[k] += $7; if (!((k, $1) in seen)) { seen[k, $1] = 1; nd[k]++ } }
	END { for (k in i) print k, i[k], o[k], pi[k], po[k], nd[k] }' "$T/all.H" | sort >"$T/r.hosts"
same "hosts: each host's octets and packets in and out and days seen equal tshark's" "$T/p.hosts" "$T/r.hosts"
check "hosts.json holds every host of the period ($(q "SELECT count(DISTINCT addr) FROM day_hosts WHERE agent LIKE 'test-%'") in SQL)" \
	test "$(grep -c '^[,]*{"a":' "$S/hosts.json")" = "$(q "SELECT count(DISTINCT addr) FROM day_hosts WHERE agent LIKE 'test-%'")"
H6=$(awk '$1 ~ /:/ { print $1 }' "$T/r.hosts" | head -1)
HP=$S/host-$(echo "$H6" | tr : _).html
rows "$HP" history | awk -F'|' '{ gsub(/-/, "", $1); print $1, $2, $3, $4, $5, $6 }' | sort >"$T/p.hh"
awk -v a="$H6" '$2 == a { print $1, $3, $4, $5, $6, $7 }' "$T/all.H" | sort >"$T/r.hh"
same "host $H6's page ($(basename "$HP")): its days and services, octets and packets equal tshark's" "$T/p.hh" "$T/r.hh"

# A narrower period into the same folder: the pages of other days and
# hosts go, the operator's own files stay.
cp -r "$S" "$T/narrow"; : >"$T/narrow/day-notes.txt"; : >"$T/narrow/notes.html"
touch -d '1 hour ago' "$T/narrow"/*	# written before this run
last=$(tail -1 "$T/r.days" | cut -d' ' -f1)
"$R" --db "$DB" --out "$T/narrow" --agent test-midnight --agent test-pop3 --agent test-ftp6 --from "$last" --to "$last"
got=$(cd "$T/narrow" && ls day-*.html host-*.html | tr '\n' ' ')
want="day-$last.html $(q "SELECT DISTINCT addr FROM day_hosts WHERE agent LIKE 'test-%' AND day = $(echo "$last" | tr -d -) ORDER BY addr" | tr : _ | sed 's/.*/host-&.html/' | tr '\n' ' ')"
check "a run for $last alone leaves only its day's and hosts' pages ($got), and the operator's files" \
	test "$got" = "$want" -a -f "$T/narrow/day-notes.txt" -a -f "$T/narrow/notes.html"

# A link's speed given: loads also in % of it.
"$R" --db "$DB" --out "$T/speed" --agent test-pop3 --link-speed "$Z/pop3_pop3.pcap=0.5"
got=$(rows "$T/speed/index.html" links | awk -F'|' '{ print $10 "|" $12 }')
want=$(q "SELECT printf('%.1f (%.2f%%)|%.1f (%.2f%%)', sum(octets_in) * 1.0 / sum(length), sum(octets_in) * 100.0 / sum(length) / 62500,
	max(octets_in * 1.0 / length), max(octets_in * 100.0 / length) / 62500) FROM windows WHERE agent = 'test-pop3' AND length > 0")
check "--link-speed SOURCE=0.5 (Mbit/s): mean and peak load in are also in % of 62,500 octets/s ($got)" test "$got" = "$want"
[ "$got" = "$want" ] || echo "# want $want"

# Local time as configured (TZ), beside UTC.
if [ -f /usr/share/zoneinfo/Asia/Tokyo ]; then
	TZ=Asia/Tokyo "$R" --db "$DB" --out "$T/tz" --agent test-pop3
	check "with TZ=Asia/Tokyo a day page gives its start in UTC and in JST (UTC+9)" \
		grep -q 'From 2013-08-22 00:00:00 UTC (2013-08-22 09:00:00 JST)' "$T/tz/day-2013-08-22.html"
fi

# ---- domains and countries ----------------------------------------------
N=$T/named
# (agent named has no windows: the period comes from --from and --to)
dd=$(echo "$d0" | sed 's/^\(....\)\(..\)/\1-\2-/')
check "coremon-report --agent named --from $dd --to $dd writes the site of the named rows" "$R" --db "$DB" --out "$N" --agent named --from "$dd" --to "$dd"
q "SELECT coalesce(name, ''), octets_in, octets_out FROM day_hosts WHERE agent = 'named'" | tr '|' ' ' |
	while read -r nm i o; do
		if [ -z "$o" ]; then echo "(unresolved) (unresolved) $nm $i"; continue; fi
		l=$(echo "$nm" | tr 'A-Z' 'a-z' | sed 's/[.]$//')
		reg=$(psl --print-reg-domain "$l" | sed 's/^.*: //')
		[ "$reg" = "(null)" ] && reg=$l
		echo "$(echo "$l" | awk -F. '{ print $NF }') $reg $i $o"
	done >"$T/r.named"
rows "$N/domains.html" tlds | awk -F'|' '{ print $1, $2, $3, $4 }' | sort >"$T/p.tld"
awk '{ i[$1] += $3; o[$1] += $4; n[$1]++ } END { for (k in i) print k, i[k], o[k], n[k] }' "$T/r.named" | sort >"$T/r.tld"
same "domains: octets and addresses by top-level domain equal SQL's names, cut at the last dot" "$T/p.tld" "$T/r.tld"
rows "$N/domains.html" domains | awk -F'|' '{ print $1, $2, $3, $4 }' | sort >"$T/p.reg"
awk '{ i[$2] += $3; o[$2] += $4; n[$2]++ } END { for (k in i) print k, i[k], o[k], n[k] }' "$T/r.named" | sort >"$T/r.reg"
same "domains: by registered domain equal psl(1)'s over the public suffix list" "$T/p.reg" "$T/r.reg"
rows "$S/countries.html" countries | awk -F'|' '{ print $1 "|" $2, $3, $4 }' | sort >"$T/p.cc"
while read -r a i o x; do
	case $a in *:*) g=$(geoiplookup6 "$a");; *) g=$(geoiplookup "$a");; esac
	case $g in *"not found"*) c="-- (not in the database: private, reserved or unknown)";;
		*) c=$(echo "$g" | sed 's/^[^:]*: \([^,]*\), /\1 /');; esac
	echo "$c|$i $o"
done <"$T/r.hosts" | awk -F'|' '{ split($2, v, " "); i[$1] += v[1]; o[$1] += v[2]; n[$1]++ }
	END { for (k in i) print k "|" i[k], o[k], n[k] }' | sort >"$T/r.cc"
same "countries: octets and hosts by country (IPv4 and IPv6) equal geoiplookup(1)'s over tshark's hosts ($(cut -d'|' -f1 "$T/r.cc" | cut -c1-2 | tr '\n' ' '))" "$T/p.cc" "$T/r.cc"
mkdir -p "$T/nogeo"
"$R" --db "$DB" --out "$T/ng" --geoip-dir "$T/nogeo" 2>"$T/ng.err"
check "without the GeoIP files coremon-report still writes the site; the countries page says so, and nothing on stderr" \
	sh -c "grep -q 'id=\"nogeoip\"' '$T/ng/countries.html' && test -s '$T/ng/hosts.html' -a ! -s '$T/ng.err'"

# ---- the hostile row -------------------------------------------------------
E=$T/evil
check "coremon-report writes the site of every agent, the hostile row's too" "$R" --db "$DB" --out "$E"
bad=$(grep -l -e '<script>alert' -e '<img src=x' -e "$(printf '\001')" "$E"/*.html "$E"/*.js "$E"/*.json)
check "the hostile address and name are nowhere as markup or raw control characters${bad:+ (in $bad)}" test -z "$bad"
check "hosts.html shows them as text: &lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;x\\x01&amp;amp; and &lt;img src=x onerror=alert(2)&gt;" \
	grep -qF -e '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;x\x01&amp;amp;' "$E/hosts.html"
ed=$(q "SELECT min(day) FROM day_hosts WHERE agent = 'evil'" | sed 's/^\(....\)\(..\)/\1-\2-/')
check "... on its day's page too (day-$ed.html), and its host page's file name is plain text" \
	sh -c "grep -qF '&lt;img src=x onerror=alert(2)&gt;' '$E/day-$ed.html' && test -f '$E/host--3cimg-20src-3dx-20onerror-3dalert-282-29-3e.html'"
check "hosts.js holds no '<' at all (cannot end its script element)" sh -c "! grep -q '<' '$E/hosts.js'"
check "processes.html shows the hostile process name and unit as text" \
	sh -c "grep -qF '&lt;script&gt;alert(4)&lt;/script&gt;\\x01' '$E/processes.html' && grep -qF '&quot;&gt;&lt;img src=x onerror=alert(5)&gt;' '$E/processes.html'"
nonav=$(cd "$E" && grep -L '<a href="processes.html"' *.html | head -3)
check "every page's navigation links processes.html${nonav:+ (not: $nonav)}" test -z "$nonav"

# ---- tidy and the site's closure ------------------------------------------
: >"$T/tidy"; : >"$T/tidy.all"
for p in "$E"/*.html; do
	tidy -q -e "$p" >/dev/null 2>"$T/tidy.one"; rc=$?
	[ "$rc" -lt 2 ] || { echo "$(basename "$p"): rc $rc"; head -3 "$T/tidy.one"; } >>"$T/tidy"
	cat "$T/tidy.one" >>"$T/tidy.all"
done
check "tidy reports no error on any of the $(ls "$E"/*.html | wc -l) pages ($(cat "$T/tidy.all" | grep -c Warning) warnings)" test ! -s "$T/tidy"
sed 's/^/# /' "$T/tidy" | head -6
dead=$(grep -ohE '(src|href)="[^":]*"' "$E"/*.html | sed 's/^[a-z]*="//; s/"$//' | sort -u |
	while read -r l; do [ -f "$E/$l" ] || echo "$l"; done; grep -oh '"p":"[^"]*"' "$E/hosts.json" | cut -d'"' -f4 |
	while read -r l; do [ -f "$E/$l" ] || echo "$l"; done)
check "every link and script of every page, and every host page hosts.json names, is a file of the site${dead:+ (missing: $(echo $dead | head -c 200))}" test -z "$dead"
ext=$(grep -ohE '(src|href)="[a-z]+:[^"]*"' "$E"/*.html | grep -v '^href="data:,"$' | sort -u | head -3)
check "no page names a resource outside the site (only the data: icon)${ext:+: $ext}" test -z "$ext"

# ---- the same database in PostgreSQL -------------------------------------
# A private cluster (as history_pg.sh runs one) holding the SQLite file's
# rows: the site read through libpq is the site read from SQLite, page for
# page, but the footer's database kind and time.
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ "$(id -u)" != 0 ] || [ ! -x "$PGBIN/postgres" ] || ! id postgres >/dev/null 2>&1; then
	skip "report: PostgreSQL part needs root and Debian's postgresql"
else
	chmod 711 "$T"
	PGPORT=$(free_port)
	mkdir -p "$T/pg" "$T/pgsock"; chown postgres "$T/pg" "$T/pgsock"
	setpriv --reuid=postgres --regid=postgres --init-groups "$PGBIN/initdb" -D "$T/pg" \
		-A trust -U postgres --no-sync -E UTF8 --locale=C >"$T/initdb.log" 2>&1
	printf 'local all all trust\n' >"$T/pg/pg_hba.conf"
	setpriv --reuid=postgres --regid=postgres --init-groups \
		"$PGBIN/postgres" -D "$T/pg" -c listen_addresses= -p "$PGPORT" -k "$T/pgsock" \
		-c fsync=off -c synchronous_commit=off -c full_page_writes=off >>"$T/pg.log" 2>&1 &
	PG_PID=$!; PIDS="$PIDS $PG_PID"
	psql_() { psql -h "$T/pgsock" -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
	until_ok 30 sh -c "psql -h '$T/pgsock' -p $PGPORT -U postgres -qAt -c 'select 1' postgres >/dev/null 2>&1"
	psql_ -d postgres -c "create database hist" >/dev/null
	sed 's/--postgresql: //' contrib/history/schema.sql | psql_ -d hist >/dev/null
	for t in windows window_services window_sessions day_hosts window_probes window_processes; do
		sqlite3 -csv "$DB" "SELECT * FROM $t" | psql_ -d hist -c "\\copy $t FROM STDIN CSV"
	done
	check "PostgreSQL holds the SQLite file's rows ($(psql_ -d hist -c 'SELECT count(*) FROM day_hosts') day_hosts rows)" \
		test "$(psql_ -d hist -c 'SELECT count(*) FROM day_hosts')" = "$(q 'SELECT count(*) FROM day_hosts')"
	PS=$T/pgsite
	check "coremon-report reads postgresql:///hist?host=...&port=$PGPORT" \
		"$R" --db "postgresql:///hist?host=$T/pgsock&port=$PGPORT&user=postgres" --out "$PS"
	for d in "$E" "$PS"; do
		for f in "$d"/*; do grep -v '^<p>Generated by coremon-report' "$f" >"$f.cmp"; done
	done
	bad=$(cd "$E" && for f in *.cmp; do cmp -s "$f" "$PS/$f" || echo "$f"; done)
	check "the site from PostgreSQL is the site from SQLite, all $(ls "$E"/*.cmp | wc -l) files${bad:+ (differ: $bad)}" \
		test -z "$bad" -a "$(ls "$PS" | wc -l)" = "$(ls "$E" | wc -l)"
	[ -z "$bad" ] || diff "$E/$(echo "$bad" | head -1)" "$PS/$(echo "$bad" | head -1)" | head -6 | sed 's/^/# /'
	rm -f "$E"/*.cmp "$PS"/*.cmp
	grep -q 'from the PostgreSQL history database' "$PS/index.html"
	check "... and says it read PostgreSQL" test $? = 0
	kill -INT "$PG_PID"; wait "$PG_PID" 2>/dev/null
fi

# ---- headless Chromium, driven through chromedriver's WebDriver API -------
if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null || ! command -v jq >/dev/null; then
	skip "report: chromium, chromium-driver or jq is absent (contrib/deps.sh)"; exit 0
fi
LOGS=$B/test-logs; mkdir -p "$LOGS"
wd_ready() { curl -sf "$W/status" | jq -e .value.ready >/dev/null 2>&1; }
# start_driver: chromedriver on a port of its own, answering; 0 or 1.
start_driver() {
	CPORT=$(free_port)
	chromedriver --port="$CPORT" >"$T/chromedriver.log" 2>&1 &
	CD_PID=$!; PIDS="$PIDS $CD_PID"
	W=http://127.0.0.1:$CPORT
	until_ok 20 wd_ready
}
if ! start_driver; then
	notok "chromedriver answers on 127.0.0.1:$CPORT within 20 s"; sed 's/^/# /' "$T/chromedriver.log" | tail -5; exit 1
fi
# wd METHOD PATH [JSON]: the response's value
wd() { curl -s -X "$1" "$W/session/$SID$2" ${3:+-H 'Content-Type: application/json' -d "$3"}; }
js() { wd POST /execute/sync "{\"script\": $(printf '%s' "$1" | jq -Rs .), \"args\": []}" | jq -r '.value | if type == "array" then .[] else . end'; }
el() { wd POST /element "{\"using\": \"css selector\", \"value\": \"$1\"}" | jq -r '.value | to_entries[0].value'; }
# A browser that fails to start on a busy machine gets two more tries;
# a chromedriver that went away with it (seen: an empty answer, nothing
# in its log) is started again first.
for try in 1 2 3; do
	curl -sS -X POST "$W/session" -d '{"capabilities": {"alwaysMatch": {"browserName": "chrome",
		"goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1100,1300", "--hide-scrollbars"]},
		"goog:loggingPrefs": {"browser": "ALL"}}}}' >"$T/session.json" 2>"$T/session.err"
	SID=$(jq -r '.value.sessionId // empty' "$T/session.json" 2>/dev/null)
	[ -z "$SID" ] || break
	echo "# no session, try $try: $(head -c 300 "$T/session.json" "$T/session.err" | tr '\n' ' ')"
	if ! kill -0 "$CD_PID" 2>/dev/null; then
		wait "$CD_PID"; echo "# chromedriver exited (status $?); log: $(tail -3 "$T/chromedriver.log" | tr '\n' ' ')"
		start_driver || break
	fi
done
if [ -z "$SID" ]; then
	notok "chromedriver opens a headless Chromium session"; sed 's/^/# /' "$T/chromedriver.log" | tail -5; exit 1
fi
ok "chromedriver opens a headless Chromium session ($(jq -r .value.capabilities.browserVersion "$T/session.json"))"
browser_end() { [ -z "$SID" ] || curl -s -X DELETE "$W/session/$SID" >/dev/null; SID=; }
trap 'browser_end; cleanup' EXIT

# Every page: loaded, and the browser's log has no error (console
# errors and failed requests both land there as SEVERE).
: >"$T/browser.bad"; n=0
for p in "$E"/*.html; do
	wd POST /url "{\"url\": \"file://$p\"}" >/dev/null
	st=$(js 'return document.readyState + " " + document.querySelectorAll("main").length')
	wd POST /se/log '{"type": "browser"}' | jq -r '.value[] | select(.level == "SEVERE" or .level == "WARNING") | .message' >"$T/browser.log"
	if [ "$st" != "complete 1" ] || [ -s "$T/browser.log" ]; then
		echo "$(basename "$p"): $st $(head -2 "$T/browser.log")" >>"$T/browser.bad"
	fi
	n=$((n + 1))
done
check "Chromium loads all $n pages of the site, with no console error and no failed request" test ! -s "$T/browser.bad"
sed 's/^/# /' "$T/browser.bad" | head -5

shot() { wd GET /screenshot | jq -r .value | base64 -d >"$LOGS/report-$1.png"; }
for p in index services days domains countries processes; do wd POST /url "{\"url\": \"file://$E/$p.html\"}" >/dev/null; shot "$p"; done
wd POST /url "{\"url\": \"file://$E/day-2013-08-22.html\"}" >/dev/null; shot day
wd POST /url "{\"url\": \"file://$HP\"}" >/dev/null
wd POST /url "{\"url\": \"file://$E/$(basename "$HP")\"}" >/dev/null; shot host

# The filter: typed into the form as a person would.
found() { js 'return Array.from(document.querySelectorAll("#found-body tr")).map(r => r.cells[0].textContent)' | sort; }
wd POST /url "{\"url\": \"file://$E/hosts.html\"}" >/dev/null
wd POST "/element/$(el '#pattern')/value" '{"text": "2001:470:1f11*"}' >/dev/null
found >"$T/p.f1"
grep '^2001:470:1f11' "$T/r.hosts" | cut -d' ' -f1 | sort >"$T/r.f1"
same "the filter finds the hosts matching the pattern 2001:470:1f11* (tshark's hosts)" "$T/p.f1" "$T/r.f1"
wd POST "/element/$(el '#pattern')/clear" "{}" >/dev/null
wd POST "/element/$(el '#service option[value=mail]')/click" "{}" >/dev/null
found >"$T/p.f2"
awk '$3 == "mail" { print $2 }' "$T/all.H" | sort -u >"$T/r.f2"
same "the filter finds the hosts with service mail (tshark's)" "$T/p.f2" "$T/r.f2"
shot hosts
wd POST "/element/$(el '#service option:first-child')/click" "{}" >/dev/null
wd POST "/element/$(el '#pattern')/value" '{"text": "*script*"}' >/dev/null
got=$(js 'return Array.from(document.querySelectorAll("#found-body tr")).map(r => r.cells[0].textContent + "|" + r.cells[1].textContent)')
want="<img src=x onerror=alert(2)>|<script>alert(1)</script>\"'x\\x01&amp;"
check "the filter finds the hostile host by *script*, its address and name shown as text: $want" test "$got" = "$want"
[ "$got" = "$want" ] || echo "# found: $got"
check "... and nothing ran: no alert open, no element but the page's own (2 scripts, no img)" \
	test "$(wd GET /alert/text | jq -r .value.error) $(js 'return document.querySelectorAll("script").length + " " + document.querySelectorAll("img").length')" = "no such alert 2 0"
# The dark theme (prefers-color-scheme), for the README.
wd POST /goog/cdp/execute '{"cmd": "Emulation.setEmulatedMedia", "params": {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}}' >/dev/null
wd POST /url "{\"url\": \"file://$E/day-2013-08-22.html\"}" >/dev/null
check "in the dark theme the page's background is dark ($(js 'return getComputedStyle(document.body).backgroundColor'))" \
	test "$(js 'return getComputedStyle(document.body).backgroundColor')" = "rgb(23, 24, 26)"
shot day-dark
check "screenshots of every page type in $LOGS ($(ls "$LOGS"/report-*.png | wc -l) PNGs)" \
	test "$(find "$LOGS" -name 'report-*.png' -size +10k | wc -l)" = 10
browser_end
