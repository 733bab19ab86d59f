/*
 * cmProbes by name: the ICMP echo probes.
 *
 * MIB_<name> is the sub-identifier of the MIB object <name> (a plain
 * number) under the node the comment above it names, as in
 * mibs/COREMON-MIB.txt, so that grep of an object's name finds the code
 * that serves it; OID_<name> is a node's full OID.
 * tests/integration/mibnames.sh checks every one against the MIB.
 */
#ifndef AGENT_MIB_PROBES_H
#define AGENT_MIB_PROBES_H

#include "mib_coremon.h"

/* under coremonObjects */
#define MIB_cmProbes				8

/* under cmProbes */
#define MIB_cmProbeHistorySize			1
#define MIB_cmProbeTable			2

/* under cmProbeTable */
#define MIB_cmProbeEntry			1

/* under cmProbeEntry */
#define MIB_cmProbeIndex			1	/* index, not served */
#define MIB_cmProbeName				2
#define MIB_cmProbeHost				3
#define MIB_cmProbeTargetAddressType		4
#define MIB_cmProbeTargetAddress		5
#define MIB_cmProbeInterval			6
#define MIB_cmProbeTimeout			7
#define MIB_cmProbeStatus			8
#define MIB_cmProbeLastRtt			9
#define MIB_cmProbeMinRtt			10
#define MIB_cmProbeAvgRtt			11
#define MIB_cmProbeMaxRtt			12
#define MIB_cmProbeSent				13
#define MIB_cmProbeReplies			14
#define MIB_cmProbeLoss				15
#define MIB_cmProbeLastGoodReply		16
#define MIB_cmProbeConsecutiveLost		17
#define MIB_cmProbeConsecutiveSlow		18
#define MIB_cmProbeLastError			19

/* Full OIDs, for registration: the scalar group and table entry. */
#define OID_cmProbes				OID_coremonObjects, MIB_cmProbes
#define OID_cmProbeEntry \
	OID_cmProbes, MIB_cmProbeTable, MIB_cmProbeEntry

#endif
