/*
 * Notifications by name: the notification types and the thresholds
 * (cmNotifyObjects) they carry.
 *
 * MIB_<name> is the sub-identifier of the MIB object <name> (a plain
 * number) under the node the comment above it names, as in
 * mibs/COREMON-MIB.txt, so that grep of an object's name finds the code
 * that serves it; OID_<name> is a node's full OID.
 * tests/integration/mibnames.sh checks every one against the MIB.
 */
#ifndef AGENT_MIB_NOTIFY_H
#define AGENT_MIB_NOTIFY_H

#include "mib_coremon.h"

/* under coremonObjects */
#define MIB_cmNotifyObjects			10

/* under cmNotifyObjects */
#define MIB_cmNotifyProbeCount			1	/* sent, not served */
#define MIB_cmNotifyProbeRttThreshold		2	/* sent, not served */
#define MIB_cmNotifyClientMaxConnections	3	/* sent, not served */
#define MIB_cmNotifyClientMaxRate		4	/* sent, not served */
#define MIB_cmNotifyCaptureLossThreshold	5	/* sent, not served */
#define MIB_cmNotifyLinkBusyThreshold		6	/* sent, not served */
#define MIB_cmNotifyListenQueueThreshold	7	/* sent, not served */
#define MIB_cmNotifyClientRetransThreshold	8	/* sent, not served */

/* under coremonNotifications */
#define MIB_cmProbeDown				1
#define MIB_cmProbeUp				2
#define MIB_cmProbeSlow				3
#define MIB_cmProbeSlowCleared			4
#define MIB_cmClientOverload			5
#define MIB_cmClientOverloadCleared		6
#define MIB_cmCaptureLoss			7
#define MIB_cmCaptureLossCleared		8
#define MIB_cmLinkBusy				9
#define MIB_cmLinkBusyCleared			10
#define MIB_cmHistoryDropped			11
#define MIB_cmHistoryDroppedCleared		12
#define MIB_cmHistoryDown			13
#define MIB_cmHistoryUp				14
#define MIB_cmListenQueueFull			15
#define MIB_cmListenQueueFullCleared		16
#define MIB_cmClientRetrans			17
#define MIB_cmClientRetransCleared		18

/* Full OIDs: the thresholds, as varbinds carry them. */
#define OID_cmNotifyObjects \
	OID_coremonObjects, MIB_cmNotifyObjects

#endif
