/*
 * cmSessions by name: the last observation window and its top sessions.
 *
 * MIB_<name> is the sub-identifier of the MIB object <name> (a plain
 * number) under the node the comment above it names, as in
 * mibs/COREMON-MIB.txt, so that grep of an object's name finds the code
 * that serves it; OID_<name> is a node's full OID.
 * tests/integration/mibnames.sh checks every one against the MIB.
 */
#ifndef AGENT_MIB_SESSIONS_H
#define AGENT_MIB_SESSIONS_H

#include "mib_coremon.h"

/* under coremonObjects */
#define MIB_cmSessions				5

/* under cmSessions */
#define MIB_cmSessionWindowNumber		1
#define MIB_cmSessionWindowStart		2
#define MIB_cmSessionWindowLength		3
#define MIB_cmSessionWindowSessions		4
#define MIB_cmSessionWindowOverflows		5
#define MIB_cmSessionOverflows			6
#define MIB_cmSessionMaxSessions		7
#define MIB_cmSessionTopSize			8
#define MIB_cmSessionTopRows			9
#define MIB_cmSessionWindowInOctets		10
#define MIB_cmSessionWindowOutOctets		11
#define MIB_cmSessionWindowInPackets		12
#define MIB_cmSessionWindowOutPackets		13
#define MIB_cmSessionWindowLocalOctets		14
#define MIB_cmSessionWindowLocalPackets		15
#define MIB_cmSessionWindowTransitOctets	16
#define MIB_cmSessionWindowTransitPackets	17
#define MIB_cmSessionTopTable			18
#define MIB_cmSessionProtoTable			19

/* under cmSessionTopTable */
#define MIB_cmSessionTopEntry			1

/* under cmSessionTopEntry */
#define MIB_cmSessionTopRank			1	/* index, not served */
#define MIB_cmSessionTopProtocol		2
#define MIB_cmSessionTopAddressType		3
#define MIB_cmSessionTopLocalAddress		4
#define MIB_cmSessionTopRemoteAddress		5
#define MIB_cmSessionTopServicePort		6
#define MIB_cmSessionTopServiceIndex		7
#define MIB_cmSessionTopServiceName		8
#define MIB_cmSessionTopInOctets		9
#define MIB_cmSessionTopOutOctets		10
#define MIB_cmSessionTopInPackets		11
#define MIB_cmSessionTopOutPackets		12
#define MIB_cmSessionTopOctetRate		13
#define MIB_cmSessionTopFirstTime		14
#define MIB_cmSessionTopLastTime		15

/* under cmSessionProtoTable */
#define MIB_cmSessionProtoEntry			1

/* under cmSessionProtoEntry */
#define MIB_cmSessionProtoNumber		1	/* index, not served */
#define MIB_cmSessionProtoName			2
#define MIB_cmSessionProtoWindowInOctets	3
#define MIB_cmSessionProtoWindowOutOctets	4
#define MIB_cmSessionProtoWindowInPackets	5
#define MIB_cmSessionProtoWindowOutPackets	6
#define MIB_cmSessionProtoInOctets		7
#define MIB_cmSessionProtoOutOctets		8
#define MIB_cmSessionProtoInPackets		9
#define MIB_cmSessionProtoOutPackets		10

/* Full OIDs, for registration: the scalar group and table entries. */
#define OID_cmSessions \
	OID_coremonObjects, MIB_cmSessions
#define OID_cmSessionTopEntry \
	OID_cmSessions, MIB_cmSessionTopTable, MIB_cmSessionTopEntry
#define OID_cmSessionProtoEntry \
	OID_cmSessions, MIB_cmSessionProtoTable, MIB_cmSessionProtoEntry

#endif
