# make install honours PREFIX and DESTDIR; the installed example
# configuration is accepted by coremond; the man pages render cleanly.
. tests/lib.sh

make -s install DESTDIR="$T/root" PREFIX=/usr B="$B" >"$T/install.out" 2>&1 ||
	{ notok "make install"; sed 's/^/# /' "$T/install.out"; exit 1; }
for f in usr/sbin/coremond usr/share/snmp/mibs/COREMON-MIB.txt \
	usr/share/man/man8/coremond.8 usr/share/man/man5/coremon.conf.5 \
	etc/snmp/coremon.conf.example \
	usr/bin/coremon-report usr/share/man/man1/coremon-report.1; do
	check "make install DESTDIR PREFIX=/usr puts $f" test -s "$T/root/$f"
done
check "the installed coremond runs (-v)" "$T/root/usr/sbin/coremond" -v
check "the installed coremon-report runs (--help)" sh -c "'$T/root/usr/bin/coremon-report' --help | grep -q '^usage: coremon-report'"

for f in usr/bin/coremon-top usr/share/man/man1/coremon-top.1; do
	check "make install DESTDIR PREFIX=/usr puts $f" test -s "$T/root/$f"
done
check "the installed coremon-top runs (-h)" "$T/root/usr/bin/coremon-top" -h

for m in contrib/man/coremond.8 contrib/man/coremon.conf.5 contrib/man/coremon-report.1 contrib/man/coremon-top.1; do
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null)
	check "$m renders without warnings${w:+: $w}" test -z "$w"
done

PORT=$(free_port)
printf 'rocommunity public 127.0.0.1\n' >"$T/access.conf"
start_coremond "$T/root/etc/snmp/coremon.conf.example,$T/access.conf" --standalone "udp:127.0.0.1:$PORT"
check "coremond accepts the example configuration" wait_for "$PORT" "$CM.1.3.0" 10
check "and uses its sampleInterval (5)" test "$(get "$PORT" "$CM.1.3.0")" = 5
