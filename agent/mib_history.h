/*
 * cmHistoryDatabase by name: the history database (src/store/histdb),
 * its configuration and how its writes go (its notifications are in
 * mib_notify.h with the others).
 *
 * MIB_<name> is the sub-identifier of the MIB object <name> (a plain
 * number) under the node the comment above it names, as in
 * mibs/COREMON-MIB.txt, so that grep of an object's name finds the code
 * that serves it; OID_<name> is a node's full OID.
 * tests/integration/mibnames.sh checks every one against the MIB.
 */
#ifndef AGENT_MIB_HISTORY_H
#define AGENT_MIB_HISTORY_H

#include "mib_coremon.h"

/* under coremonObjects */
#define MIB_cmHistoryDatabase			11

/* under cmHistoryDatabase */
#define MIB_cmHistoryKind			1
#define MIB_cmHistoryState			2
#define MIB_cmHistoryTarget			3
#define MIB_cmHistoryAgentName			4
#define MIB_cmHistoryWindowsWritten		5
#define MIB_cmHistoryRowsWritten		6
#define MIB_cmHistorySpooledWindows		7
#define MIB_cmHistorySpoolBytes			8
#define MIB_cmHistorySpoolLimit			9
#define MIB_cmHistoryDroppedWindows		10
#define MIB_cmHistoryRepeatedWindows		11
#define MIB_cmHistoryLastError			12
#define MIB_cmHistoryLastWrite			13
#define MIB_cmHistoryLastWriteDuration		14
#define MIB_cmHistoryTopSessions		15
#define MIB_cmHistoryDays			16
#define MIB_cmHistoryHostDays			17

/* Full OIDs, for registration: the scalar group. */
#define OID_cmHistoryDatabase \
	OID_coremonObjects, MIB_cmHistoryDatabase

#endif
