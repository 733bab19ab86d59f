/*
 * cmHosts by name: the host database and the top hosts of the last window.
 *
 * MIB_<name> is the sub-identifier of the MIB object <name> (a plain
 * number) under the node the comment above it names, as in
 * mibs/COREMON-MIB.txt, so that grep of an object's name finds the code
 * that serves it; OID_<name> is a node's full OID.
 * tests/integration/mibnames.sh checks every one against the MIB.
 */
#ifndef AGENT_MIB_HOSTS_H
#define AGENT_MIB_HOSTS_H

#include "mib_coremon.h"

/* under coremonObjects */
#define MIB_cmHosts				6

/* under cmHosts */
#define MIB_cmHostEntries			1
#define MIB_cmHostMaxEntries			2
#define MIB_cmHostEvictions			3
#define MIB_cmHostScope				4
#define MIB_cmHostPeriodStart			5
#define MIB_cmHostLastSaveTime			6
#define MIB_cmHostLastSaveResult		7
#define MIB_cmHostLoadResult			8
#define MIB_cmHostLoadEntries			9
#define MIB_cmHostTopWindowNumber		10
#define MIB_cmHostTopWindowStart		11
#define MIB_cmHostTopWindowLength		12
#define MIB_cmHostTopSize			13
#define MIB_cmHostTopRows			14
#define MIB_cmHostTable				15
#define MIB_cmHostServiceTable			16
#define MIB_cmHostTopTable			17

/* under cmHostTable */
#define MIB_cmHostEntry				1

/* under cmHostEntry */
#define MIB_cmHostAddressType			1	/* index, not served */
#define MIB_cmHostAddress			2	/* index, not served */
#define MIB_cmHostName				3
#define MIB_cmHostSource			4
#define MIB_cmHostInOctets			5
#define MIB_cmHostOutOctets			6
#define MIB_cmHostInPackets			7
#define MIB_cmHostOutPackets			8
#define MIB_cmHostTotalOctets			9
#define MIB_cmHostSessions			10
#define MIB_cmHostFirstSeen			11
#define MIB_cmHostLastSeen			12

/* under cmHostServiceTable */
#define MIB_cmHostServiceEntry			1

/* under cmHostServiceEntry */
#define MIB_cmHostServiceInOctets		1
#define MIB_cmHostServiceOutOctets		2
#define MIB_cmHostServiceInPackets		3
#define MIB_cmHostServiceOutPackets		4

/* under cmHostTopTable */
#define MIB_cmHostTopEntry			1

/* under cmHostTopEntry */
#define MIB_cmHostTopRank			1	/* index, not served */
#define MIB_cmHostTopAddressType		2
#define MIB_cmHostTopAddress			3
#define MIB_cmHostTopName			4
#define MIB_cmHostTopInOctets			5
#define MIB_cmHostTopOutOctets			6
#define MIB_cmHostTopInPackets			7
#define MIB_cmHostTopOutPackets			8
#define MIB_cmHostTopOctetRate			9

/* Full OIDs, for registration: the scalar group and table entries. */
#define OID_cmHosts				OID_coremonObjects, MIB_cmHosts
#define OID_cmHostEntry \
	OID_cmHosts, MIB_cmHostTable, MIB_cmHostEntry
#define OID_cmHostServiceEntry \
	OID_cmHosts, MIB_cmHostServiceTable, MIB_cmHostServiceEntry
#define OID_cmHostTopEntry \
	OID_cmHosts, MIB_cmHostTopTable, MIB_cmHostTopEntry

#endif
