/*
 * cmAgent by name: what this coremond is and how it is set.
 *
 * MIB_<name> is the sub-identifier of the MIB object <name> (a plain
 * number) under the node the comment above it names, as in
 * mibs/COREMON-MIB.txt, so that grep of an object's name finds the code
 * that serves it; OID_<name> is a node's full OID.
 * tests/integration/mibnames.sh checks every one against the MIB.
 */
#ifndef AGENT_MIB_AGENT_H
#define AGENT_MIB_AGENT_H

#include "mib_coremon.h"

/* under coremonObjects */
#define MIB_cmAgent				1

/* under cmAgent */
#define MIB_cmAgentVersion			1
#define MIB_cmAgentStartTime			2
#define MIB_cmAgentSampleInterval		3
#define MIB_cmAgentHistorySamples		4
#define MIB_cmAgentWindowInterval		5
#define MIB_cmAgentConnRefresh			6
#define MIB_cmAgentCaptureState			7

/* Full OIDs, for registration. */
#define OID_cmAgent				OID_coremonObjects, MIB_cmAgent

#endif
