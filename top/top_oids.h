/*
 * top_oids: the COREMON-MIB objects coremon-top reads, compiled in so no
 * MIB file is needed at run time.  Names are the MIB's; tables are given
 * by their entry OID and column numbers (mibs/COREMON-MIB.txt).
 */
#ifndef TOP_OIDS_H
#define TOP_OIDS_H

/* netSnmpPlaypen 2611 coremonMIB, coremonObjects 1 */
#define CM_OBJECTS	1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 2611, 1

#define CM_OID(name, ...) \
	static const unsigned long name[] = { CM_OBJECTS, __VA_ARGS__ }

/* Scalars (instance .0 included). */
#define CM_AGENT_START_TIME		1, 2, 0	/* cmAgentStartTime */
#define CM_AGENT_SAMPLE_INTERVAL	1, 3, 0	/* cmAgentSampleInterval */
#define CM_SAMPLE_TIME			2, 6, 1, 0	/* cmSampleTime */
#define CM_SAMPLE_INTERVAL		2, 6, 2, 0	/* cmSampleInterval, ms */
#define CM_SESSION_WINDOW_NUMBER	5, 1, 0	/* cmSessionWindowNumber */
#define CM_SESSION_WINDOW_START		5, 2, 0	/* cmSessionWindowStart */
#define CM_SESSION_WINDOW_LENGTH	5, 3, 0	/* cmSessionWindowLength, ms */
#define CM_SESSION_WINDOW_SESSIONS	5, 4, 0	/* cmSessionWindowSessions */
#define CM_HOST_TOP_WINDOW_START	6, 11, 0	/* cmHostTopWindowStart */
#define CM_HOST_TOP_WINDOW_LENGTH	6, 12, 0	/* cmHostTopWindowLength */
#define CM_HOST_ENTRIES			6, 1, 0	/* cmHostEntries */
#define CM_CONN_NUM_TOTAL		3, 1, 12, 0	/* cmConnNumTotal */
#define CM_CONN_NUM_CLIENTS		3, 1, 13, 0	/* cmConnNumClients */

/* cmIfEntry and its columns. */
#define CM_IF_ENTRY		2, 1, 1
enum {
	cmIfName = 2, cmIfInOctets = 3, cmIfOutOctets = 11,
	cmIfInOctetRate = 19, cmIfOutOctetRate = 20, cmIfInPacketRate = 21,
	cmIfOutPacketRate = 22, cmIfRateValid = 23
};

/* cmHistoryEntry: index cmHistoryIndex, the sample number. */
#define CM_HISTORY_ENTRY	2, 7, 1
enum {
	cmHistoryTime = 2, cmHistoryTxOctetRate = 3, cmHistoryRxOctetRate = 4,
	cmHistoryValid = 18
};

/* cmSessionTopEntry: index cmSessionTopRank. */
#define CM_SESSION_TOP_ENTRY	5, 18, 1
enum {
	cmSessionTopProtocol = 2, cmSessionTopAddressType = 3,
	cmSessionTopLocalAddress = 4, cmSessionTopRemoteAddress = 5,
	cmSessionTopServicePort = 6, cmSessionTopServiceName = 8,
	cmSessionTopInOctets = 9, cmSessionTopOutOctets = 10,
	cmSessionTopInPackets = 11, cmSessionTopOutPackets = 12,
	cmSessionTopOctetRate = 13
};

/* cmHostTopEntry: index cmHostTopRank. */
#define CM_HOST_TOP_ENTRY	6, 17, 1
enum {
	cmHostTopAddressType = 2, cmHostTopAddress = 3, cmHostTopName = 4,
	cmHostTopInOctets = 5, cmHostTopOutOctets = 6, cmHostTopInPackets = 7,
	cmHostTopOutPackets = 8, cmHostTopOctetRate = 9
};

/* cmClientEntry: index cmClientAddressType, cmClientAddress (length
 * first, not IMPLIED). */
#define CM_CLIENT_ENTRY		3, 3, 1
enum {
	cmClientConnections = 3, cmClientEstablished = 4,
	cmClientSynReceived = 5, cmClientTimeWait = 6,
	cmClientOutOctetRate = 9, cmClientInOctetRate = 10,
	cmClientSendQueue = 13, cmClientRecvQueue = 14, cmClientOldestAge = 15,
	cmClientRetransRatio = 19, cmClientRttMean = 21
};

/* cmClientConnEntry: cmConnTable's rows under the remote address first:
 * index remote type, address, local type, address, port, remote port. */
#define CM_CLIENT_CONN_ENTRY	3, 7, 1
enum {
	cmClientConnState = 7, cmClientConnProcess = 8,
	cmClientConnProcessName = 9, cmClientConnOutOctetRate = 10,
	cmClientConnInOctetRate = 11, cmClientConnRetransSegs = 12,
	cmClientConnSendQueue = 13, cmClientConnRecvQueue = 14,
	cmClientConnSmoothedRtt = 15
};

/* cmListenEntry: index cmListenAddressType, cmListenAddress (length
 * first), cmListenPort. */
#define CM_LISTEN_ENTRY		3, 4, 1
enum {
	cmListenSockets = 4, cmListenProcess = 5, cmListenProcessName = 6,
	cmListenUnit = 7, cmListenQueue = 9, cmListenBacklog = 10,
	cmListenQueuePercent = 11, cmListenSynReceived = 12,
	cmListenAcceptRate = 14, cmListenOverflows = 15, cmListenDrops = 16
};

/* cmProcessEntry: index cmProcessPid (0: sockets of no known process). */
#define CM_PROCESS_ENTRY	3, 6, 1
enum {
	cmProcessName = 2, cmProcessUnit = 3, cmProcessConnections = 5,
	cmProcessInOctets = 9, cmProcessOutOctets = 10,
	cmProcessInOctetRate = 13, cmProcessOutOctetRate = 14
};

/* cmProbeEntry: index cmProbeIndex. */
#define CM_PROBE_ENTRY		8, 2, 1
enum {
	cmProbeName = 2, cmProbeHost = 3, cmProbeStatus = 8,
	cmProbeLastRtt = 9, cmProbeMinRtt = 10, cmProbeAvgRtt = 11,
	cmProbeMaxRtt = 12, cmProbeSent = 13, cmProbeReplies = 14,
	cmProbeLoss = 15, cmProbeLastError = 19
};

#endif
