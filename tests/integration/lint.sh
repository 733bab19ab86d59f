# Static checks on src/: every header compiles on its own, cppcheck and
# gcc -fanalyzer have nothing to say, and src/ includes no net-snmp header.
. tests/lib.sh

for h in src/*.h; do
	printf '#include "%s"\n' "$(basename "$h")" >"$T/h.c"
	if out=$(cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc -fsyntax-only "$T/h.c" 2>&1); then
		ok "$h compiles on its own"
	else notok "$h compiles on its own"; echo "$out" | sed 's/^/# /'; fi
done

bad=$(grep -l 'net-snmp/' src/* 2>/dev/null)
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

out=$(for f in src/*.c; do
	gcc -std=c11 -D_GNU_SOURCE -Isrc -fanalyzer -O1 -c -o /dev/null "$f" 2>&1 ||
		echo "$f: failed"
done)
check "gcc -fanalyzer on src/ is quiet" test -z "$out"
[ -z "$out" ] || echo "$out" | head -30 | sed 's/^/# /'
