/*
 * cmConnections by name: TCP connections from sock_diag, and per client.
 *
 * MIB_<name> is the sub-identifier of the MIB object <name> (a plain
 * number) under the node the comment above it names, as in
 * mibs/COREMON-MIB.txt, so that grep of an object's name finds the code
 * that serves it; OID_<name> is a node's full OID.
 * tests/integration/mibnames.sh checks every one against the MIB.
 */
#ifndef AGENT_MIB_CONNECTIONS_H
#define AGENT_MIB_CONNECTIONS_H

#include "mib_coremon.h"

/* under coremonObjects */
#define MIB_cmConnections			3

/* under cmConnections */
#define MIB_cmConnSummary			1
#define MIB_cmConnTable				2
#define MIB_cmClientTable			3
#define MIB_cmListenTable			4
#define MIB_cmClientRetransTopTable		5
#define MIB_cmProcessTable			6
#define MIB_cmClientConnTable			7

/* under cmConnSummary */
#define MIB_cmConnNumClosed			1
#define MIB_cmConnNumListen			2
#define MIB_cmConnNumSynSent			3
#define MIB_cmConnNumSynReceived		4
#define MIB_cmConnNumEstablished		5
#define MIB_cmConnNumFinWait1			6
#define MIB_cmConnNumFinWait2			7
#define MIB_cmConnNumCloseWait			8
#define MIB_cmConnNumLastAck			9
#define MIB_cmConnNumClosing			10
#define MIB_cmConnNumTimeWait			11
#define MIB_cmConnNumTotal			12
#define MIB_cmConnNumClients			13
#define MIB_cmConnRefreshTime			14
#define MIB_cmConnRefreshDuration		15
#define MIB_cmConnRefreshes			16
#define MIB_cmConnDiagErrors			17
#define MIB_cmConnProcessLookup			18
#define MIB_cmConnRefreshInterval		19
#define MIB_cmConnListenOverflows		20
#define MIB_cmConnListenDrops			21
#define MIB_cmConnListenOverflowsUnattributed	22
#define MIB_cmConnListenDropsUnattributed	23
#define MIB_cmConnClosedTracking		24
#define MIB_cmConnClosedNotices			25
#define MIB_cmConnClosedNoticesLost		26
#define MIB_cmConnProcessesFolded		27

/* under cmConnTable */
#define MIB_cmConnEntry				1

/* under cmConnEntry */
#define MIB_cmConnLocalAddressType		1	/* index, not served */
#define MIB_cmConnLocalAddress			2	/* index, not served */
#define MIB_cmConnLocalPort			3	/* index, not served */
#define MIB_cmConnRemAddressType		4	/* index, not served */
#define MIB_cmConnRemAddress			5	/* index, not served */
#define MIB_cmConnRemPort			6	/* index, not served */
#define MIB_cmConnState				7
#define MIB_cmConnProcess			8
#define MIB_cmConnProcessName			9
#define MIB_cmConnUid				10
#define MIB_cmConnOutOctets			11
#define MIB_cmConnInOctets			12
#define MIB_cmConnOutSegs			13
#define MIB_cmConnInSegs			14
#define MIB_cmConnOutDataSegs			15
#define MIB_cmConnInDataSegs			16
#define MIB_cmConnRetransSegs			17
#define MIB_cmConnRetransOctets			18
#define MIB_cmConnOutOctetRate			19
#define MIB_cmConnInOctetRate			20
#define MIB_cmConnOutSegRate			21
#define MIB_cmConnInSegRate			22
#define MIB_cmConnRateValid			23
#define MIB_cmConnSendQueue			24
#define MIB_cmConnRecvQueue			25
#define MIB_cmConnSmoothedRtt			26
#define MIB_cmConnRttVar			27
#define MIB_cmConnCwnd				28
#define MIB_cmConnDeliveryRate			29
#define MIB_cmConnAge				30

/* under cmClientTable */
#define MIB_cmClientEntry			1

/* under cmClientEntry */
#define MIB_cmClientAddressType			1	/* index, not served */
#define MIB_cmClientAddress			2	/* index, not served */
#define MIB_cmClientConnections			3
#define MIB_cmClientEstablished			4
#define MIB_cmClientSynReceived			5
#define MIB_cmClientTimeWait			6
#define MIB_cmClientOutOctets			7
#define MIB_cmClientInOctets			8
#define MIB_cmClientOutOctetRate		9
#define MIB_cmClientInOctetRate			10
#define MIB_cmClientOutSegRate			11
#define MIB_cmClientInSegRate			12
#define MIB_cmClientSendQueue			13
#define MIB_cmClientRecvQueue			14
#define MIB_cmClientOldestAge			15
#define MIB_cmClientRetransSegs			16
#define MIB_cmClientRetransOctets		17
#define MIB_cmClientOutDataSegs			18
#define MIB_cmClientRetransRatio		19
#define MIB_cmClientRetransRatioNow		20
#define MIB_cmClientRttMean			21
#define MIB_cmClientRttMax			22
#define MIB_cmClientMinRtt			23
#define MIB_cmClientBusyShare			24
#define MIB_cmClientRwndLimitedShare		25
#define MIB_cmClientSndbufLimitedShare		26
#define MIB_cmClientDeliveryRate		27

/* under cmListenTable */
#define MIB_cmListenEntry			1

/* under cmListenEntry */
#define MIB_cmListenAddressType			1	/* index, not served */
#define MIB_cmListenAddress			2	/* index, not served */
#define MIB_cmListenPort			3	/* index, not served */
#define MIB_cmListenSockets			4
#define MIB_cmListenProcess			5
#define MIB_cmListenProcessName			6
#define MIB_cmListenUnit			7
#define MIB_cmListenUid				8
#define MIB_cmListenQueue			9
#define MIB_cmListenBacklog			10
#define MIB_cmListenQueuePercent		11
#define MIB_cmListenSynReceived			12
#define MIB_cmListenAccepted			13
#define MIB_cmListenAcceptRate			14
#define MIB_cmListenOverflows			15
#define MIB_cmListenDrops			16

/* under cmClientRetransTopTable */
#define MIB_cmClientRetransTopEntry		1

/* under cmClientRetransTopEntry */
#define MIB_cmClientRetransTopRank		1	/* index, not served */
#define MIB_cmClientRetransTopAddressType	2
#define MIB_cmClientRetransTopAddress		3
#define MIB_cmClientRetransTopRatio		4
#define MIB_cmClientRetransTopSegs		5
#define MIB_cmClientRetransTopDataSegs		6

/* under cmProcessTable */
#define MIB_cmProcessEntry			1

/* under cmProcessEntry */
#define MIB_cmProcessPid			1	/* index, not served */
#define MIB_cmProcessName			2
#define MIB_cmProcessUnit			3
#define MIB_cmProcessUid			4
#define MIB_cmProcessConnections		5
#define MIB_cmProcessEstablished		6
#define MIB_cmProcessCloseWait			7
#define MIB_cmProcessListeners			8
#define MIB_cmProcessInOctets			9
#define MIB_cmProcessOutOctets			10
#define MIB_cmProcessInSegs			11
#define MIB_cmProcessOutSegs			12
#define MIB_cmProcessInOctetRate		13
#define MIB_cmProcessOutOctetRate		14
#define MIB_cmProcessInSegRate			15
#define MIB_cmProcessOutSegRate			16
#define MIB_cmProcessClosedConns		17

/* under cmClientConnTable */
#define MIB_cmClientConnEntry			1

/* under cmClientConnEntry */
#define MIB_cmClientConnRemAddressType		1	/* index, not served */
#define MIB_cmClientConnRemAddress		2	/* index, not served */
#define MIB_cmClientConnLocalAddressType	3	/* index, not served */
#define MIB_cmClientConnLocalAddress		4	/* index, not served */
#define MIB_cmClientConnLocalPort		5	/* index, not served */
#define MIB_cmClientConnRemPort			6	/* index, not served */
#define MIB_cmClientConnState			7
#define MIB_cmClientConnProcess			8
#define MIB_cmClientConnProcessName		9
#define MIB_cmClientConnOutOctetRate		10
#define MIB_cmClientConnInOctetRate		11
#define MIB_cmClientConnRetransSegs		12
#define MIB_cmClientConnSendQueue		13
#define MIB_cmClientConnRecvQueue		14
#define MIB_cmClientConnSmoothedRtt		15

/* Full OIDs, for registration: the scalar group and table entries. */
#define OID_cmConnections \
	OID_coremonObjects, MIB_cmConnections
#define OID_cmConnSummary \
	OID_cmConnections, MIB_cmConnSummary
#define OID_cmConnEntry \
	OID_cmConnections, MIB_cmConnTable, MIB_cmConnEntry
#define OID_cmClientEntry \
	OID_cmConnections, MIB_cmClientTable, MIB_cmClientEntry
#define OID_cmClientRetransTopEntry \
	OID_cmConnections, MIB_cmClientRetransTopTable, \
	MIB_cmClientRetransTopEntry
#define OID_cmProcessEntry \
	OID_cmConnections, MIB_cmProcessTable, MIB_cmProcessEntry
#define OID_cmListenEntry \
	OID_cmConnections, MIB_cmListenTable, MIB_cmListenEntry
#define OID_cmClientConnEntry \
	OID_cmConnections, MIB_cmClientConnTable, MIB_cmClientConnEntry

#endif
