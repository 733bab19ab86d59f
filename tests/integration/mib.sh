#!/bin/sh
# MIB check: mibs/COREMON-MIB.txt is clean under smilint, every name it
# defines resolves with snmptranslate, and its root is where DESIGN.md says.
# Run from the repository root; SHARED is the shared folder (../shared).
# The IETF base MIBs come from $SHARED/mibs; without them the checks skip.
SHARED=${SHARED:-../shared}
MIB=mibs/COREMON-MIB.txt
ROOT=.1.3.6.1.4.1.8072.9999.9999.2611

if [ ! -d "$SHARED/mibs" ]; then
	for c in smilint snmptranslate root; do
		echo "skip - mib $c: $SHARED/mibs (IETF base MIBs) is absent"
	done
	exit 0
fi

translate() {
	snmptranslate -M "+mibs:$SHARED/mibs" -m +COREMON-MIB -On \
		"COREMON-MIB::$1" 2>&1
}

# 1. smilint at the highest level: no output at all.
if ! command -v smilint >/dev/null 2>&1; then
	echo "not ok - mib smilint: smilint not found (Debian package smitools)"
else
	out=$(SMIPATH="$SHARED/mibs" smilint -s -l 6 "$MIB" 2>&1)
	if [ -z "$out" ]; then
		echo "ok - mib smilint -s -l 6 is clean"
	else
		echo "not ok - mib smilint -s -l 6 reports problems"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
fi

if ! command -v snmptranslate >/dev/null 2>&1; then
	echo "not ok - mib snmptranslate: not found (Debian package snmp)"
	exit 0
fi

# 2. Every name defined with an OID resolves to an OID under the root.
names=$(awk '/^[a-z][A-Za-z0-9]*[ \t]+(OBJECT-TYPE|OBJECT IDENTIFIER|NOTIFICATION-TYPE|OBJECT-GROUP|NOTIFICATION-GROUP|MODULE-COMPLIANCE|MODULE-IDENTITY)/ { print $1 }' "$MIB")
total=0; bad=0
for n in $names; do
	total=$((total + 1))
	oid=$(translate "$n")
	case $oid in
	"$ROOT"|"$ROOT".*) ;;
	*) bad=$((bad + 1)); echo "not ok - mib name $n: '$oid' is not under $ROOT" ;;
	esac
done
if [ "$total" -eq 0 ]; then
	echo "not ok - mib names: no definitions found in $MIB"
elif [ "$bad" -eq 0 ]; then
	echo "ok - mib all $total names resolve under $ROOT"
fi

# 3. The root is the provisional one of DESIGN.md.
oid=$(translate coremonMIB)
if [ "$oid" = "$ROOT" ]; then
	echo "ok - mib root coremonMIB is $ROOT"
else
	echo "not ok - mib root coremonMIB is '$oid', expected $ROOT"
fi
