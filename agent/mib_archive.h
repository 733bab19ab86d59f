/*
 * cmArchive by name: the window archive and its per-day totals.
 *
 * MIB_<name> is the sub-identifier of the MIB object <name> (a plain
 * number) under the node the comment above it names, as in
 * mibs/COREMON-MIB.txt, so that grep of an object's name finds the code
 * that serves it; OID_<name> is a node's full OID.
 * tests/integration/mibnames.sh checks every one against the MIB.
 */
#ifndef AGENT_MIB_ARCHIVE_H
#define AGENT_MIB_ARCHIVE_H

#include "mib_coremon.h"

/* under coremonObjects */
#define MIB_cmArchive				9

/* under cmArchive */
#define MIB_cmArchiveDirectory			1
#define MIB_cmArchiveDays			2
#define MIB_cmArchiveDayRows			3
#define MIB_cmArchiveLines			4
#define MIB_cmArchiveWriteErrors		5
#define MIB_cmArchiveLastWrite			6
#define MIB_cmArchiveBadLines			7
#define MIB_cmDayTable				8

/* under cmDayTable */
#define MIB_cmDayEntry				1

/* under cmDayEntry */
#define MIB_cmDayIndex				1	/* index, not served */
#define MIB_cmDayDate				2
#define MIB_cmDayInOctets			3
#define MIB_cmDayOutOctets			4
#define MIB_cmDayInPackets			5
#define MIB_cmDayOutPackets			6
#define MIB_cmDayWindows			7
#define MIB_cmDayMeanRtt			8
#define MIB_cmDayFileName			9

/* Full OIDs, for registration: the scalar group and table entry. */
#define OID_cmArchive \
	OID_coremonObjects, MIB_cmArchive
#define OID_cmDayEntry \
	OID_cmArchive, MIB_cmDayTable, MIB_cmDayEntry

#endif
