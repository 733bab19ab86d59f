# contrib/snmpd: Debian's snmpd.conf changed as contrib/snmpd/README.md says,
# with the drop-in and the SNMPv3 user, run by the real snmpd exactly as
# Debian's unit runs it (dropping to Debian-snmp); an unprivileged coremond
# in group "coremon" connects, one outside the group cannot; the community
# and the SNMPv3 user read COREMON-MIB, and names resolve once the MIB is
# installed as the README says.  Paths, port and group id are the test's.
. tests/lib.sh
. tests/contrib/common.sh

need snmp snmpd || { notok "install snmpd"; exit 1; }
D=contrib/snmpd
PORT=$(free_port)
chmod 711 "$T"	# snmpd runs as Debian-snmp and must reach its files

# A group id nobody uses stands for group "coremon".
G=64990; while getent group "$G" >/dev/null; do G=$((G + 1)); done

# Debian's snmpd.conf (the package's file, or its lines if it was removed),
# with the README's sed applied, its agentaddress and includeDir the test's.
if [ -f /etc/snmp/snmpd.conf ]; then cp /etc/snmp/snmpd.conf "$T/snmpd.conf"
else printf 'master  agentx\nagentaddress  127.0.0.1,[::1]\nview   systemonly  included   .1.3.6.1.2.1.1\nrocommunity  public default -V systemonly\nrocommunity6 public default -V systemonly\nincludeDir /etc/snmp/snmpd.conf.d\n' >"$T/snmpd.conf"; fi
readme_sed=$(sed -n "s/^\\(sed -i -e '.*'\\) \\/etc\\/snmp\\/snmpd.conf\$/\\1/p" $D/README.md)
check "the README gives the sed command for Debian's public lines" test -n "$readme_sed"
eval "$readme_sed \"\$T/snmpd.conf\""
check "Debian's 'rocommunity public default' lines are commented out" \
	sh -c "! grep -qE '^rocommunity6? +public +default' '$T/snmpd.conf'"
sed -i -e "s|^agentaddress.*|agentaddress udp:127.0.0.1:$PORT|" \
       -e "s|^includeDir /etc/snmp/snmpd.conf.d|includeDir $T/snmpd.conf.d|" "$T/snmpd.conf"
mkdir -p "$T/snmpd.conf.d"
sed -e "s|/var/agentx/master|$T/agentx/master|" -e "s|Debian-snmp coremon\$|Debian-snmp $G|" \
	$D/snmpd-coremon.conf >"$T/snmpd.conf.d/coremon.conf"
check "the drop-in's agentXPerms line names the coremon group" grep -q "^agentXPerms  *0660 0755 Debian-snmp $G\$" "$T/snmpd.conf.d/coremon.conf"

# The SNMPv3 user, passphrases filled in, in the persistent file.
AUTHP=auth-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n'); PRIVP=priv-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
sed -e "s/REPLACE-WITH-AUTH-PASSPHRASE/$AUTHP/" -e "s/REPLACE-WITH-PRIV-PASSPHRASE/$PRIVP/" \
	$D/snmpd-persistent-user.conf >>"$SNMP_PERSISTENT_DIR/snmpd.conf"
chown -R Debian-snmp:Debian-snmp "$SNMP_PERSISTENT_DIR"

# As Debian's snmpd.service (-u Debian-snmp -g Debian-snmp -I -smux,...; no -C:
# the persistent file is read), with SNMPCONFPATH the test's empty directory
# and the persistent directory (/var/lib/snmp is in Debian's default path).
SNMPCONFPATH=$SNMPCONFPATH:$SNMP_PERSISTENT_DIR snmpd -f -c "$T/snmpd.conf" -Lf "$T/snmpd.log" -p "$T/snmpd.pid" \
	-u Debian-snmp -g Debian-snmp -I -smux,mteTrigger,mteTriggerConf >/dev/null 2>&1 &
MASTER_PID=$!; PIDS="$PIDS $MASTER_PID"
if wait_for "$PORT" .1.3.6.1.2.1.1.3.0; then ok "snmpd runs the changed Debian configuration as Debian-snmp on 127.0.0.1:$PORT"
else notok "snmpd starts"; sed 's/^/# /' "$T/snmpd.log"; exit 1; fi
check "snmpd dropped to user Debian-snmp" test "$(ps -o user= -p "$MASTER_PID")" = Debian-snmp
s=$(stat -c '%a %U %g' "$T/agentx/master"); d=$(stat -c '%a' "$T/agentx")
check "the AgentX socket is 0660 Debian-snmp:coremon, its directory 0755 ($s, $d)" test "$s $d" = "660 Debian-snmp $G 755"

cat >"$T/coremon.conf" <<EOC
agentXSocket $T/agentx/master
agentxPingInterval 1
sampleInterval 1
$(state_conf "$T/state")
EOC
mkdir -p "$T/state"; chown nobody "$T/state"
chmod 644 "$T/coremon.conf"
# Outside the group: no connection.
setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$COREMOND" -f -C -c "$T/coremon.conf" -Le >"$T/outsider.log" 2>&1 &
OPID=$!; PIDS="$PIDS $OPID"
# Until it has tried (30 s at most).
n=0; until grep -q 'Failed to connect\|subagent connected' "$T/outsider.log" || [ $n -gt 150 ]; do sleep 0.2; n=$((n + 1)); done
check "coremond as nobody outside the group cannot connect ($(grep -m1 -o 'Failed to connect[^:]*' "$T/outsider.log"))" \
	sh -c "grep -q 'Failed to connect' '$T/outsider.log' && ! grep -q 'subagent connected' '$T/outsider.log'"
check "... and COREMON-MIB is not served" test -z "$(get "$PORT" "$CM.1.1.0")"
kill "$OPID"; wait "$OPID" 2>/dev/null
# In the group: connected, served.
setpriv --reuid=nobody --regid=nogroup --groups="$G" --inh-caps=-all \
	"$COREMOND" -f -C -c "$T/coremon.conf" -Le >"$T/member.log" 2>&1 &
CM_PID=$!; PIDS="$PIDS $CM_PID"
if wait_for "$PORT" "$CM.1.1.0" 10; then ok "coremond as nobody in group coremon registers COREMON-MIB with the master"
else notok "coremond in the group registers"; sed 's/^/# /' "$T/member.log"; fi

# The community: COREMON-MIB, system and IF-MIB; nothing else.
check "community public reads cmAgentVersion ($(get "$PORT" "$CM.1.1.0"))" test -n "$(get "$PORT" "$CM.1.1.0")"
check "community public reads cmIfName.$(cat /sys/class/net/lo/ifindex) = lo" test "$(get "$PORT" "$CM.2.1.1.2.$(cat /sys/class/net/lo/ifindex)")" = '"lo"'
check "community public reads IF-MIB ifDescr.1 (in the view)" test -n "$(get "$PORT" .1.3.6.1.2.1.2.2.1.2.1)"
check "community public does not read HOST-RESOURCES hrSystemUptime (outside the view)" \
	test -z "$(get "$PORT" .1.3.6.1.2.1.25.1.1.0)"

# The SNMPv3 user.
v3() { snmpget -v3 -r1 -t2 -On -Oqv "$@" 127.0.0.1:$PORT "$CM.1.1.0" 2>&1 | tr "\n" " "; }
r=$(v3 -l authPriv -u coremon-ro -a SHA-512 -A "$AUTHP" -x AES -X "$PRIVP")
check "SNMPv3 coremon-ro (authPriv, SHA-512/AES) reads cmAgentVersion ($r)" sh -c "echo '$r' | grep -q '^\"[0-9]'"
r=$(v3 -l authPriv -u coremon-ro -a SHA-512 -A wrong-passphrase -x AES -X "$PRIVP")
check "... not with a wrong passphrase ($r)" sh -c "! echo '$r' | grep -q '^\"[0-9]'"
r=$(v3 -l noAuthNoPriv -u coremon-ro)
check "... not without authentication and privacy ($r)" sh -c "! echo '$r' | grep -q '^\"[0-9]'"

# Names, with the MIB installed as the README says: make install's
# directory added to mibdirs in snmp.conf (here the test's copies of both);
# $SHARED/mibs stands in for snmp-mibs-downloader's IETF MIBs.
if [ -d "$SHARED/mibs" ]; then
	mkdir -p "$T/usr/local/share/snmp/mibs" "$T/snmpconf2"
	install -m 644 mibs/COREMON-MIB.txt "$T/usr/local/share/snmp/mibs/"
	printf 'mibs :\nmibdirs +%s:%s\n' "$T/usr/local/share/snmp/mibs" "$(cd "$SHARED/mibs" && pwd)" >"$T/snmpconf2/snmp.conf"
	out=$(env -u MIBS -u MIBDIRS SNMPCONFPATH="$T/snmpconf2" \
		snmpwalk -v2c -c public -m +COREMON-MIB 127.0.0.1:$PORT COREMON-MIB::cmAgent 2>&1)
	echo "$out" | head -4 | sed 's/^/#   /'
	check "snmpwalk -m +COREMON-MIB COREMON-MIB::cmAgent resolves names" \
		sh -c "echo \"\$1\" | grep -q '^COREMON-MIB::cmAgentVersion.0 = STRING: ' && echo \"\$1\" | grep -q '^COREMON-MIB::cmAgentCaptureState.0 = INTEGER: '" - "$out"
else
	skip "names: no IETF base MIBs in $SHARED/mibs (Debian: snmp-mibs-downloader)"
fi

# snmpd replaces createUser by a usmUser line when it saves its state.
kill "$MASTER_PID"; wait "$MASTER_PID" 2>/dev/null
check "after snmpd stopped, the persistent file holds a usmUser line and no passphrase" \
	sh -c "grep -q '^usmUser ' '$SNMP_PERSISTENT_DIR/snmpd.conf' && ! grep -q -e '$AUTHP' -e '$PRIVP' '$SNMP_PERSISTENT_DIR/snmpd.conf'"
