/*
 * cmTraffic by name: /proc counters, their rates, the history ring.
 *
 * MIB_<name> is the sub-identifier of the MIB object <name> (a plain
 * number) under the node the comment above it names, as in
 * mibs/COREMON-MIB.txt, so that grep of an object's name finds the code
 * that serves it; OID_<name> is a node's full OID.
 * tests/integration/mibnames.sh checks every one against the MIB.
 */
#ifndef AGENT_MIB_TRAFFIC_H
#define AGENT_MIB_TRAFFIC_H

#include "mib_coremon.h"

/* under coremonObjects */
#define MIB_cmTraffic				2

/* under cmTraffic */
#define MIB_cmIfTable				1
#define MIB_cmTcp				2
#define MIB_cmUdp				3
#define MIB_cmIp				4
#define MIB_cmSystem				5
#define MIB_cmSample				6
#define MIB_cmHistoryTable			7

/* under cmIfTable */
#define MIB_cmIfEntry				1

/* under cmIfEntry */
#define MIB_cmIfIndex				1	/* index, not served */
#define MIB_cmIfName				2
#define MIB_cmIfInOctets			3
#define MIB_cmIfInPackets			4
#define MIB_cmIfInErrors			5
#define MIB_cmIfInDrops				6
#define MIB_cmIfInFifo				7
#define MIB_cmIfInFrame				8
#define MIB_cmIfInCompressed			9
#define MIB_cmIfInMulticast			10
#define MIB_cmIfOutOctets			11
#define MIB_cmIfOutPackets			12
#define MIB_cmIfOutErrors			13
#define MIB_cmIfOutDrops			14
#define MIB_cmIfOutFifo				15
#define MIB_cmIfOutCollisions			16
#define MIB_cmIfOutCarrier			17
#define MIB_cmIfOutCompressed			18
#define MIB_cmIfInOctetRate			19
#define MIB_cmIfOutOctetRate			20
#define MIB_cmIfInPacketRate			21
#define MIB_cmIfOutPacketRate			22
#define MIB_cmIfRateValid			23

/* under cmTcp */
#define MIB_cmTcpInSegs				1
#define MIB_cmTcpOutSegs			2
#define MIB_cmTcpRetransSegs			3
#define MIB_cmTcpInErrs				4
#define MIB_cmTcpCurrEstab			5
#define MIB_cmTcpActiveOpens			6
#define MIB_cmTcpPassiveOpens			7
#define MIB_cmTcpListenOverflows		8
#define MIB_cmTcpListenDrops			9
#define MIB_cmTcpInSegRate			21
#define MIB_cmTcpOutSegRate			22
#define MIB_cmTcpRetransSegRate			23
#define MIB_cmTcpInErrRate			24
#define MIB_cmTcpActiveOpenRate			26
#define MIB_cmTcpPassiveOpenRate		27
#define MIB_cmTcpListenOverflowRate		28
#define MIB_cmTcpListenDropRate			29

/* under cmUdp */
#define MIB_cmUdpInDatagrams			1
#define MIB_cmUdpOutDatagrams			2
#define MIB_cmUdpInErrors			3
#define MIB_cmUdpNoPorts			4
#define MIB_cmUdpRcvbufErrors			5
#define MIB_cmUdpInDatagramRate			21
#define MIB_cmUdpOutDatagramRate		22
#define MIB_cmUdpInErrorRate			23
#define MIB_cmUdpNoPortRate			24
#define MIB_cmUdpRcvbufErrorRate		25

/* under cmIp */
#define MIB_cmIpInReceives			1
#define MIB_cmIpOutRequests			2
#define MIB_cmIpInReceiveRate			21
#define MIB_cmIpOutRequestRate			22

/* under cmSystem */
#define MIB_cmSysContextSwitches		1
#define MIB_cmSysInterrupts			2
#define MIB_cmSysForks				3
#define MIB_cmSysPagesIn			4
#define MIB_cmSysPagesOut			5
#define MIB_cmSysSwapIn				6
#define MIB_cmSysSwapOut			7
#define MIB_cmSysDiskReads			8
#define MIB_cmSysDiskWrites			9
#define MIB_cmSysDiskSectorsRead		10
#define MIB_cmSysDiskSectorsWritten		11
#define MIB_cmSysContextSwitchRate		21
#define MIB_cmSysInterruptRate			22
#define MIB_cmSysForkRate			23
#define MIB_cmSysPageInRate			24
#define MIB_cmSysPageOutRate			25
#define MIB_cmSysSwapInRate			26
#define MIB_cmSysSwapOutRate			27
#define MIB_cmSysDiskReadRate			28
#define MIB_cmSysDiskWriteRate			29
#define MIB_cmSysDiskSectorReadRate		30
#define MIB_cmSysDiskSectorWriteRate		31

/* under cmSample */
#define MIB_cmSampleTime			1
#define MIB_cmSampleInterval			2
#define MIB_cmSampleValid			3
#define MIB_cmSamplesTaken			4
#define MIB_cmSamplesInvalid			5
#define MIB_cmSampleLinesSkipped		6

/* under cmHistoryTable */
#define MIB_cmHistoryEntry			1

/* under cmHistoryEntry */
#define MIB_cmHistoryIndex			1	/* index, not served */
#define MIB_cmHistoryTime			2
#define MIB_cmHistoryTxOctetRate		3
#define MIB_cmHistoryRxOctetRate		4
#define MIB_cmHistoryTxPacketRate		5
#define MIB_cmHistoryRxPacketRate		6
#define MIB_cmHistoryTxErrorRate		7
#define MIB_cmHistoryRxErrorRate		8
#define MIB_cmHistoryTxDropRate			9
#define MIB_cmHistoryRxDropRate			10
#define MIB_cmHistoryTcpOutSegRate		11
#define MIB_cmHistoryTcpInSegRate		12
#define MIB_cmHistoryTcpErrRate			13
#define MIB_cmHistoryUdpOutRate			14
#define MIB_cmHistoryUdpInRate			15
#define MIB_cmHistoryUdpErrRate			16
#define MIB_cmHistoryContextSwitchRate		17
#define MIB_cmHistoryValid			18

/* Full OIDs, for registration: the scalar groups and table entries. */
#define OID_cmTraffic \
	OID_coremonObjects, MIB_cmTraffic
#define OID_cmIfEntry \
	OID_cmTraffic, MIB_cmIfTable, MIB_cmIfEntry
#define OID_cmTcp				OID_cmTraffic, MIB_cmTcp
#define OID_cmUdp				OID_cmTraffic, MIB_cmUdp
#define OID_cmIp				OID_cmTraffic, MIB_cmIp
#define OID_cmSystem				OID_cmTraffic, MIB_cmSystem
#define OID_cmSample				OID_cmTraffic, MIB_cmSample
#define OID_cmHistoryEntry \
	OID_cmTraffic, MIB_cmHistoryTable, MIB_cmHistoryEntry

#endif
