#!/bin/sh
# MIB objects by name: the agent's constants are COREMON-MIB's numbers.
#
# agent/mib_*.h define MIB_<name>, the sub-identifier of MIB object <name>,
# in sections headed "/* under <parent> */", and OID_<name>, the full OID
# of a node the agent registers.  This test holds them to two readings of
# mibs/COREMON-MIB.txt: an awk parse of its "::= { parent N }"
# assignments, and snmptranslate's (with the IETF MIBs of $SHARED/mibs;
# without them that half skips).  The values are taken as the compiler
# sees them (cc -E), and must be plain numbers.  It also checks that
# every object coremond serves or sends has a constant, and that the
# agent's value functions, tables and notifications name their columns
# instead of numbering them.
# Run from the repository root.
. tests/lib.sh

MIB=mibs/COREMON-MIB.txt
PLAYPEN=1.3.6.1.4.1.8072.9999.9999	# netSnmpPlaypen, NET-SNMP-MIB

# 1. The MIB by awk: "name parent number", then every name's full OID.
awk '
/^[a-z][A-Za-z0-9]*[ \t]+(OBJECT-TYPE|NOTIFICATION-TYPE|MODULE-IDENTITY)([ \t]|$)/ ||
/^[a-z][A-Za-z0-9]*[ \t]+OBJECT[ \t]+IDENTIFIER[ \t]+::=/ { pending = $1 }
/^[a-z][A-Za-z0-9]*[ \t]+(OBJECT-GROUP|NOTIFICATION-GROUP|MODULE-COMPLIANCE)([ \t]|$)/ {
	pending = ""
}
pending != "" &&
    match($0, /::=[ \t]*\{[ \t]*[a-zA-Z][A-Za-z0-9]*[ \t]+[0-9]+[ \t]*\}/) {
	s = substr($0, RSTART, RLENGTH)
	gsub(/[:={}]/, " ", s)
	split(s, w, " ")
	print pending, w[1], w[2]
	pending = ""
}' "$MIB" >"$T/mib"
awk -v playpen="$PLAYPEN" '
{ par[$1] = $2; num[$1] = $3; name[NR] = $1 }
function full(x) {
	if (x == "netSnmpPlaypen")
		return playpen
	if (!(x in par))
		return "?"
	return full(par[x]) "." num[x]
}
function under(x, top) {
	for (; x in par; x = par[x])
		if (x == top)
			return 1
	return 0
}
END {
	print "netSnmpPlaypen", playpen, "imported"
	for (i = 1; i <= NR; i++)
		print name[i], full(name[i]), under(name[i], "coremonConformance")
}' "$T/mib" >"$T/mibfull"
n=$(wc -l <"$T/mib")
check "the MIB reads as $n OID assignments (awk)" test "$n" -gt 300

# 2. The headers as written: "file name parent" for each MIB_ define,
# "file name" for each OID_ define.
awk '
FNR == 1 { parent = "" }
/^\/\* under [A-Za-z][A-Za-z0-9]* \*\/$/ { parent = $3; next }
/^#define[ \t]+MIB_/ {
	n = substr($2, 5)
	print FILENAME, n, parent == "" ? "-" : parent >"'"$T/consts"'"
}
/^#define[ \t]+OID_/ { print FILENAME, substr($2, 5) >"'"$T/oids"'" }
' agent/mib_*.h
touch "$T/consts" "$T/oids"
n=$(wc -l <"$T/consts")
check "agent/mib_*.h define $n MIB_ constants" test "$n" -gt 300

# 3. Their values as the compiler sees them.
{
	for h in agent/mib_*.h; do
		printf '#include "%s"\n' "$(basename "$h")"
	done
	awk '{ print "@MIB@", $2, "MIB_" $2 }' "$T/consts"
	awk '{ print "@OID@", $2, "OID_" $2 }' "$T/oids"
} >"$T/names.c"
if ! cc -E -P -Iagent "$T/names.c" >"$T/cpp" 2>"$T/cpp.err"; then
	notok "agent/mib_*.h pass the preprocessor"
	sed 's/^/# /' "$T/cpp.err"
	exit 0
fi
# "@MIB@ name 5": a plain number, or "?"; "@OID@ name 1, 3, 6, ...".
awk '$1 == "@MIB@" || $1 == "@OID@" {
	kind = $1; n = $2; $1 = $2 = ""; v = $0
	gsub(/[ \t]/, "", v)
	if (kind == "@OID@") {
		gsub(/,/, ".", v)
		print n, v >"'"$T/oidvalues"'"
	} else
		print n, v ~ /^[0-9]+$/ ? v : "?" >"'"$T/values"'"
}' "$T/cpp"
touch "$T/values" "$T/oidvalues"

# 4. Each constant against the awk reading: name, parent and number.
bad=$(awk -v T="$T" '
FILENAME == T "/mibfull" { full[$1] = $2; next }
FILENAME == T "/mib" { par[$1] = $2; num[$1] = $3; next }
FILENAME == T "/values" { val[$1] = $2; next }
FILENAME == T "/consts" {
	if (seen[$2]++)
		print $1 ": MIB_" $2 " is defined twice"
	else if (!($2 in par))
		print $1 ": MIB_" $2 ": COREMON-MIB has no " $2
	else if ($3 != par[$2] || val[$2] != num[$2])
		print $1 ": MIB_" $2 " is " val[$2] " under " $3 \
		    "; COREMON-MIB says { " par[$2] " " num[$2] " }"
	next
}
FILENAME == T "/oidvalues" {
	if (!($1 in full))
		print "OID_" $1 ": COREMON-MIB has no " $1
	else if ($2 != full[$1])
		print "OID_" $1 " is " $2 "; COREMON-MIB says " full[$1]
}' "$T/mibfull" "$T/mib" "$T/values" "$T/consts" "$T/oidvalues")
check "every MIB_ constant has COREMON-MIB's number and parent, every OID_ its OID (awk)" \
	test -z "$bad"
[ -z "$bad" ] || printf '%s\n' "$bad" | sed 's/^/# /'

# 5. Every object coremond serves or sends (all but the conformance
# groups) has a constant.
missing=$(awk -v T="$T" 'FILENAME == T "/consts" { have[$2] = 1; next }
	$3 == 0 && $1 != "coremonConformance" && !($1 in have) { print $1 }' \
	"$T/consts" "$T/mibfull")
check "every COREMON-MIB object has a MIB_ constant" test -z "$missing"
[ -z "$missing" ] || printf '%s\n' $missing | sed 's/^/# missing: /'

# 6. A second source: snmptranslate's reading of the same MIB.
if [ ! -d "$SHARED/mibs" ] || ! command -v snmptranslate >/dev/null; then
	skip "snmptranslate or $SHARED/mibs is absent: the second reading"
else
	snmptranslate -M "+mibs:$SHARED/mibs" -m +COREMON-MIB -Tz 2>/dev/null |
	    tr -d '"' >"$T/tz"
	bad=$(awk -v T="$T" '
	FILENAME == T "/tz" { oid[$1] = $2; next }
	FILENAME == T "/values" { val[$1] = $2; next }
	FILENAME == T "/consts" {
		if (!($2 in oid) || !($3 in oid))
			print "MIB_" $2 ": snmptranslate knows no " \
			    ($2 in oid ? $3 : $2)
		else if (oid[$2] != oid[$3] "." val[$2])
			print "MIB_" $2 " is " val[$2] " under " $3 " (" \
			    oid[$3] "); snmptranslate says " oid[$2]
		next
	}
	FILENAME == T "/oidvalues" && $2 != oid[$1] {
		print "OID_" $1 " is " $2 "; snmptranslate says " oid[$1]
	}' "$T/tz" "$T/values" "$T/consts" "$T/oidvalues")
	check "every MIB_ constant and OID_ agrees with snmptranslate" \
		test -z "$bad"
	[ -z "$bad" ] || printf '%s\n' "$bad" | sed 's/^/# /'
fi

# 7. The code uses the names: no value function picks a column by a bare
# number, no table or notification states its columns or OID in numbers.
bare=$(awk '
/^[a-z_][a-z0-9_]*\(/ { fn = $0; sub(/\(.*/, "", fn) }
/^}/ { fn = "" }
fn ~ /_value$/ && /case[ \t]+[0-9]+[ \t]*:/ { print FILENAME ":" FNR ": " $0 }
fn ~ /_value$/ && /col[ \t]*(==|!=|<=|>=|<|>|-)[ \t]*[0-9]/ {
	print FILENAME ":" FNR ": " $0
}
/\.mt_(min|max)col[ \t]*=[ \t]*[0-9]/ { print FILENAME ":" FNR ": " $0 }
/(OID_[A-Za-z]+|CM_OBJECTS|CM_ROOT)[ \t]*,[ \t]*[0-9]/ { print FILENAME ":" FNR ": " $0 }
# A list of columns (static const unsigned x[] = { ... };), any line.
/static const unsigned[ \t]+[a-z_]+\[\][ \t]*=/ { list = 1 }
list && /(^|[{,])[ \t]*[0-9]+[ \t]*[,}]/ { print FILENAME ":" FNR ": " $0 }
list && /;/ { list = 0 }
' agent/*.c)
check "agent/ names its columns: no case N, col == N, mt_mincol = N, OID, N or cols[] = { N }" \
	test -z "$bare"
[ -z "$bare" ] || printf '%s\n' "$bare" | sed 's/^/# /'
