# coremond --import-archive: an archive directory (plain and gzip'ed day
# files, written here as archiveDir keeps them) into an SQLite history
# database, once, and not over the windows capture wrote.  What is in the
# database is read back with sqlite3(1) and compared with awk's sums over
# the same files.
. tests/lib.sh

if ! command -v sqlite3 >/dev/null; then
	skip "--import-archive: sqlite3 is absent (Debian package sqlite3)"
	exit 0
fi

A=$T/archive
mkdir -p "$A"
# Three days; the first compressed, with a plain file appended after,
# as archiveCompressAfter leaves a day that got lines late.
printf '2024-04-30T23:58:30Z\t1000\t2000\t10\t20\t1500\n2024-04-30T23:59:00Z\t3000\t4000\t30\t40\t\n' |
	gzip >"$A/coremon-20240430.log.gz"
printf '2024-04-30T23:59:30Z\t5\t6\t1\t2\t700\n' >"$A/coremon-20240430.log"
printf '2024-05-01T00:00:00Z\t5000000000000\t0\t5\t0\t250\nnot a line\n2024-05-01T00:00:30Z\t7\t8\t9\t10\t\n2024-05-02T00:00:00Z\t1\t1\t1\t1\t\n' \
	>"$A/coremon-20240501.log"
printf '2024-05-02T12:00:00Z\t100\t200\t3\t4\t\n2024-05-02T12:00:30Z\t1\t2' \
	>"$A/coremon-20240502.log"
ln -s /etc/passwd "$A/coremon-20240503.log"

# The good lines: six fields, of the file's own day (the half line at
# the end of 20240502 has three).
good() {
	for f in "$A"/coremon-*.log "$A"/coremon-*.log.gz; do
		[ -L "$f" ] && continue
		day=$(basename "$f" | sed 's/coremon-\([0-9]\{4\}\)\([0-9]\{2\}\)\([0-9]\{2\}\).*/\1-\2-\3/')
		case $f in *.gz) gzip -dc "$f" ;; *) cat "$f" ;; esac |
			awk -F'\t' -v d="$day" 'NF == 6 && substr($1, 1, 10) == d'
	done
}
want_n=$(good | wc -l)
want_in=$(good | awk -F'\t' '{ s += $2 } END { printf "%.0f", s }')
check "the archive holds $want_n good lines (awk)" test "$want_n" = 6

DB=$T/history.sqlite
printf 'historyDatabase %s\nhistoryAgent importer\nhistorySpoolDir %s/spool\nwindowInterval 30\n' \
	"$DB" "$T" >"$T/import.conf"
timeout 60 "$COREMOND" -C -c "$T/import.conf" --import-archive "$A" \
	>"$T/import.out" 2>"$T/import.err"; rc=$?
if [ "$rc" = 0 ] && grep -q "$A: $want_n windows imported, 0 already in $DB" "$T/import.out"; then
	ok "--import-archive: exit 0, \"$(cat "$T/import.out")\""
else
	notok "--import-archive: want exit 0 and $want_n imported, got $rc:"
	sed 's/^/#   /' "$T/import.out" "$T/import.err"
fi

q() { sqlite3 "$DB" "$1" 2>&1; }
check "the database holds $want_n windows of source archive, agent importer" \
	test "$(q "SELECT count(*) FROM windows WHERE source = 'archive' AND agent = 'importer'")" = "$want_n"
got_in=$(q "SELECT sum(octets_in) FROM windows")
check "octets in add up to the archive's ($want_in)" test "$got_in" = "$want_in"
check "the window of 2024-04-30T23:58:30Z: 1000 2000 10 20, RTT 1500, length 30" \
	test "$(q "SELECT octets_in, octets_out, packets_in, packets_out, rtt_us, length FROM windows WHERE start = 1714521510")" = "1000|2000|10|20|1500|30"
check "an empty RTT field is NULL" \
	test "$(q "SELECT count(*) FROM windows WHERE rtt_us IS NULL")" = 3
check "the archive gives no services, sessions, hosts or probes" \
	test "$(q "SELECT (SELECT count(*) FROM window_services) + (SELECT count(*) FROM window_sessions) + (SELECT count(*) FROM day_hosts) + (SELECT count(*) FROM window_probes)")" = 0

timeout 60 "$COREMOND" -C -c "$T/import.conf" --import-archive "$A" \
	>"$T/again.out" 2>&1; rc=$?
check "imported again: exit 0, 0 imported, $want_n skipped ($(cat "$T/again.out"))" \
	grep -q "0 windows imported, $want_n already in" "$T/again.out"
check "still $want_n windows" \
	test "$(q "SELECT count(*) FROM windows")" = "$want_n"

# A day capture already wrote: its window of 2024-05-03T12:00:00Z (agent
# importer, source eth0) is there, so the archive's line of that time is
# skipped and the next one imported; another agent's window at that next
# time does not count.
L=1714737600
q "INSERT INTO windows (agent, start, source, length, octets_in, octets_out, packets_in, packets_out, sessions, local_octets, drops) VALUES ('importer', $L, 'eth0', 30, 11, 22, 1, 2, 1, 0, 0), ('other', $((L + 30)), 'eth0', 30, 1, 1, 1, 1, 1, 0, 0)"
mkdir "$T/live"
printf '2024-05-03T12:00:00Z\t500\t600\t5\t6\t\n2024-05-03T12:00:30Z\t700\t800\t7\t8\t\n' \
	>"$T/live/coremon-20240503.log"
timeout 60 "$COREMOND" -C -c "$T/import.conf" --import-archive "$T/live" \
	>"$T/live.out" 2>&1
check "a day capture wrote: 1 imported, 1 already there ($(cat "$T/live.out"))" \
	grep -q "1 windows imported, 1 already in" "$T/live.out"
check "capture's window keeps its one row, capture's" \
	test "$(q "SELECT group_concat(source) FROM windows WHERE start = $L")" = eth0
check "the time capture did not write gets the archive's row" \
	test "$(q "SELECT source, octets_in FROM windows WHERE agent = 'importer' AND start = $((L + 30))")" = "archive|700"

printf 'rocommunity public 127.0.0.1\n' >"$T/none.conf"
timeout 60 "$COREMOND" -C -c "$T/none.conf" --import-archive "$A" \
	>"$T/none.out" 2>&1; rc=$?
check "no history database configured: exit 1 ($(head -1 "$T/none.out"))" \
	test "$rc" = 1 -a -n "$(grep 'no history database is configured' "$T/none.out")"
timeout 60 "$COREMOND" -C -c "$T/import.conf" --import-archive "$T/nonexistent" \
	>"$T/nodir.out" 2>&1; rc=$?
check "no such directory: exit 1 ($(head -1 "$T/nodir.out"))" \
	test "$rc" = 1 -a -n "$(grep 'No such file' "$T/nodir.out")"

# As root with runAs, the database made is the runAs user's own (0640),
# so that the daemon can write it afterwards.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	chmod 755 "$T"	# the archive is the daemon user's to read
	mkdir "$T/own" && chown nobody "$T/own"
	printf 'historyDatabase %s/own/history.sqlite\nrunAs nobody\n' "$T" >"$T/own.conf"
	timeout 60 "$COREMOND" -C -c "$T/own.conf" --import-archive "$A" \
		>"$T/own.out" 2>&1; rc=$?
	check "runAs nobody: exit 0, the file nobody's, mode 0640 ($(stat -c '%U %a' "$T/own/history.sqlite" 2>&1))" \
		test "$rc" = 0 -a "$(stat -c '%U %a' "$T/own/history.sqlite" 2>&1)" = "nobody 640"
else
	skip "--import-archive with runAs: not root, or no user nobody"
fi
