# Static checks on src/: every header compiles on its own, the folders
# include only what their place in the data flow allows, cppcheck and
# gcc -fanalyzer have nothing to say, and src/ includes no net-snmp header.
. tests/lib.sh
# src/ sees libpcap, libmnl, SQLite and libpq (never net-snmp).
CORE_CFLAGS=$(pkg-config --cflags libpcap libmnl sqlite3 libpq 2>/dev/null)

for h in src/*.h src/*/*.h; do
	printf '#include "%s"\n' "${h#src/}" >"$T/h.c"
	if out=$(cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc $CORE_CFLAGS -fsyntax-only "$T/h.c" 2>&1); then
		ok "$h compiles on its own"
	else notok "$h compiles on its own"; echo "$out" | sed 's/^/# /'; fi
done

# The folders of src/ (README "Layout"): lib/ is the toolbox and includes
# nothing of ours; each flow folder (traffic, conns, capture, store, probe)
# includes lib/ and itself only, except that store/ reads the closed
# windows capture/ hands out (capture/window.h and the types it shows);
# only the root, monitor.c, sees every folder.
folder_bad=$(for f in src/*/*.[ch]; do
	d=${f#src/}; d=${d%%/*}
	sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | while read -r inc; do
		case "$inc" in */*) to=${inc%%/*} ;; *) to=root ;; esac
		case "$d:$to" in
		lib:lib) ;;
		lib:*) echo "$f includes $inc" ;;
		*:lib|traffic:traffic|conns:conns|capture:capture|store:store|probe:probe) ;;
		store:capture)
			case "$inc" in
			capture/window.h|capture/session.h|capture/services.h|capture/decode.h|capture/localnet.h) ;;
			*) echo "$f includes $inc" ;;
			esac ;;
		*) echo "$f includes $inc" ;;
		esac
	done
done)
check "src/ folders include only lib/, themselves, and (store/) capture's window types${folder_bad:+: $(echo "$folder_bad" | head -5 | tr '\n' ';')}" \
	test -z "$folder_bad"

# agent/'s functions never begin with the prefix of a src/ module
# (capture_, probe_, hostdb_, ...): a name tells which side it lives on.
prefixes=$(for f in src/*.c src/*/*.c; do b=${f##*/}; echo "${b%%[_.]*}_"; done | sort -u)
clash=$(grep -ohE '^[a-z][a-z0-9_]*\(' agent/*.c | tr -d '(' | while read -r fn; do
	for p in $prefixes; do case "$fn" in "$p"*) echo "$fn" ;; esac; done
done | sort -u)
check "no function of agent/ begins with a src/ module's prefix${clash:+ ($(echo $clash))}" test -z "$clash"

bad=$(grep -rl 'net-snmp/' src 2>/dev/null)
check "src/ includes no net-snmp header${bad:+ ($bad)}" test -z "$bad"
bad=$(grep -l -E '#include <(pcap|linux/|libmnl)|"/proc|"/sys' agent/* 2>/dev/null)
check "agent/ includes no packet or netlink header and names no /proc path${bad:+ ($bad)}" test -z "$bad"

if command -v cppcheck >/dev/null; then
	out=$(cppcheck --quiet --enable=warning,portability --error-exitcode=1 \
		-D_GNU_SOURCE --inline-suppr src/ 2>&1)
	check "cppcheck --enable=warning,portability src/ is quiet" test -z "$out"
	[ -z "$out" ] || echo "$out" | head -20 | sed 's/^/# /'
else
	skip "cppcheck is not installed"
fi

out=$(for f in src/*.c src/*/*.c; do
	gcc -std=c11 -D_GNU_SOURCE -Isrc $CORE_CFLAGS -fanalyzer -O1 -c -o /dev/null "$f" 2>&1 ||
		echo "$f: failed"
done)
check "gcc -fanalyzer on src/ is quiet" test -z "$out"
[ -z "$out" ] || echo "$out" | head -30 | sed 's/^/# /'

# report/ (coremon-report): its header alone, cppcheck and -fanalyzer.
printf '#include "report.h"\n' >"$T/r.c"
check "report/report.h compiles on its own" gcc -std=c11 -D_GNU_SOURCE -Isrc -Ireport -c -o /dev/null "$T/r.c"
out=$( (command -v cppcheck >/dev/null && cppcheck --quiet --enable=warning,portability --error-exitcode=1 \
		-D_GNU_SOURCE --inline-suppr -Isrc -Ireport report/ 2>&1)
	for f in report/*.c; do
		gcc -std=c11 -D_GNU_SOURCE -Isrc -Ireport $CORE_CFLAGS -fanalyzer -O1 -c -o /dev/null "$f" 2>&1 ||
			echo "$f: failed"
	done)
check "cppcheck and gcc -fanalyzer on report/ are quiet" test -z "$out"
[ -z "$out" ] || echo "$out" | head -20 | sed 's/^/# /'
# top/ (coremon-top) is an SNMP client: its headers compile on their own,
# it includes no src/ module but lib/ and names no /proc path, and
# cppcheck is quiet on it.
TOP_CFLAGS=$(pkg-config --cflags netsnmp ncursesw 2>/dev/null)
for h in top/*.h; do
	printf '#include "%s"\n' "${h#top/}" >"$T/h.c"
	if out=$(cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Itop $TOP_CFLAGS -fsyntax-only "$T/h.c" 2>&1); then
		ok "$h compiles on its own"
	else notok "$h compiles on its own"; echo "$out" | sed 's/^/# /'; fi
done
bad=$(grep -l -E '#include "(traffic|conns|capture|store|probe)/|#include <(pcap|linux/|libmnl)|"/proc' top/* 2>/dev/null)
check "top/ includes no src/ module but lib/, no packet header, names no /proc path${bad:+ ($bad)}" test -z "$bad"
if command -v cppcheck >/dev/null; then
	out=$(cppcheck --quiet --enable=warning,portability --error-exitcode=1 \
		-D_GNU_SOURCE --inline-suppr top/ 2>&1)
	check "cppcheck --enable=warning,portability top/ is quiet" test -z "$out"
	[ -z "$out" ] || echo "$out" | head -20 | sed 's/^/# /'
fi
