/*
 * cmServices by name: the service catalogue and its traffic.
 *
 * MIB_<name> is the sub-identifier of the MIB object <name> (a plain
 * number) under the node the comment above it names, as in
 * mibs/COREMON-MIB.txt, so that grep of an object's name finds the code
 * that serves it; OID_<name> is a node's full OID.
 * tests/integration/mibnames.sh checks every one against the MIB.
 */
#ifndef AGENT_MIB_SERVICES_H
#define AGENT_MIB_SERVICES_H

#include "mib_coremon.h"

/* under coremonObjects */
#define MIB_cmServices				7

/* under cmServices */
#define MIB_cmServiceTable			1

/* under cmServiceTable */
#define MIB_cmServiceEntry			1

/* under cmServiceEntry */
#define MIB_cmServiceIndex			1	/* index, not served */
#define MIB_cmServiceName			2
#define MIB_cmServiceProtocols			3
#define MIB_cmServicePorts			4
#define MIB_cmServiceWindowInOctets		5
#define MIB_cmServiceWindowOutOctets		6
#define MIB_cmServiceWindowInPackets		7
#define MIB_cmServiceWindowOutPackets		8
#define MIB_cmServiceInOctets			9
#define MIB_cmServiceOutOctets			10
#define MIB_cmServiceInPackets			11
#define MIB_cmServiceOutPackets			12

/* Full OIDs, for registration: the table entry. */
#define OID_cmServices \
	OID_coremonObjects, MIB_cmServices
#define OID_cmServiceEntry \
	OID_cmServices, MIB_cmServiceTable, MIB_cmServiceEntry

#endif
