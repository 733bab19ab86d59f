#!/bin/sh
# Installs the Debian packages coremon needs to build, run and test, and
# nothing when they are all present.  Debian 12; run as root.
set -e

PACKAGES="gcc make pkg-config libsnmp-dev libpcap-dev libmnl-dev zlib1g-dev
snmp snmpd snmptrapd smitools tshark iproute2 procps coreutils cppcheck man-db
libsqlite3-dev libpq-dev sqlite3 postgresql
tidy chromium chromium-driver jq libpsl-dev publicsuffix libgeoip-dev
geoip-database geoip-bin psl
nftables"
PACKAGES="$PACKAGES libncurses-dev tmux"	# coremon-top and its test

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing" >&2
	echo "deps.sh: run as root (or: sudo apt-get install$missing)" >&2
	exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
