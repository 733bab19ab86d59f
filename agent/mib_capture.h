/*
 * cmCapture by name: the packet capture sources and their counters.
 *
 * MIB_<name> is the sub-identifier of the MIB object <name> (a plain
 * number) under the node the comment above it names, as in
 * mibs/COREMON-MIB.txt, so that grep of an object's name finds the code
 * that serves it; OID_<name> is a node's full OID.
 * tests/integration/mibnames.sh checks every one against the MIB.
 */
#ifndef AGENT_MIB_CAPTURE_H
#define AGENT_MIB_CAPTURE_H

#include "mib_coremon.h"

/* under coremonObjects */
#define MIB_cmCapture				4

/* under cmCapture */
#define MIB_cmCaptureSources			1
#define MIB_cmCaptureTotalPackets		2
#define MIB_cmCaptureTotalOctets		3
#define MIB_cmCaptureTotalDrops			4
#define MIB_cmCaptureTotalDecodeErrors		5
#define MIB_cmCaptureTable			6
#define MIB_cmCaptureKindTable			7

/* under cmCaptureTable */
#define MIB_cmCaptureEntry			1

/* under cmCaptureEntry */
#define MIB_cmCaptureIndex			1	/* index, not served */
#define MIB_cmCaptureName			2
#define MIB_cmCaptureSourceType			3
#define MIB_cmCaptureStatus			4
#define MIB_cmCaptureError			5
#define MIB_cmCaptureLinkType			6
#define MIB_cmCaptureLinkTypeName		7
#define MIB_cmCaptureFilter			8
#define MIB_cmCaptureSnaplen			9
#define MIB_cmCaptureBufferSize			10
#define MIB_cmCapturePromiscuous		11
#define MIB_cmCapturePackets			12
#define MIB_cmCaptureOctets			13
#define MIB_cmCaptureNonIpPackets		14
#define MIB_cmCaptureKernelDrops		15
#define MIB_cmCaptureIfDrops			16
#define MIB_cmCaptureDecodeTruncated		17
#define MIB_cmCaptureDecodeBadVersion		18
#define MIB_cmCaptureDecodeBadHeaderLen		19
#define MIB_cmCaptureDecodeUnsupportedLink	20
#define MIB_cmCaptureWindowLoss			21
#define MIB_cmCaptureBadTimestamps		22
#define MIB_cmCaptureLatePackets		23

/* under cmCaptureKindTable */
#define MIB_cmCaptureKindEntry			1

/* under cmCaptureKindEntry */
#define MIB_cmCaptureKindIndex			1	/* index, not served */
#define MIB_cmCaptureKindName			2
#define MIB_cmCaptureKindClass			3
#define MIB_cmCaptureKindPackets		4
#define MIB_cmCaptureKindOctets			5

/* cmCaptureKindClass values */
#define CM_KIND_CLASS_LINK_LAYER		1
#define CM_KIND_CLASS_TUNNEL			2
#define CM_KIND_CLASS_NOT_IP			3

/* Full OIDs, for registration: the scalar group and table entry. */
#define OID_cmCapture \
	OID_coremonObjects, MIB_cmCapture
#define OID_cmCaptureEntry \
	OID_cmCapture, MIB_cmCaptureTable, MIB_cmCaptureEntry
#define OID_cmCaptureKindEntry \
	OID_cmCapture, MIB_cmCaptureKindTable, MIB_cmCaptureKindEntry

#endif
