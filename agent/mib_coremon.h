/*
 * COREMON-MIB by name: its root, and where notifications and objects go.
 *
 * MIB_<name> is the sub-identifier of the MIB object <name> (a plain
 * number) under the node the comment above it names, as in
 * mibs/COREMON-MIB.txt, so that grep of an object's name finds the code
 * that serves it; OID_<name> is a node's full OID.
 * tests/integration/mibnames.sh checks every one against the MIB.
 */
#ifndef AGENT_MIB_COREMON_H
#define AGENT_MIB_COREMON_H

/* under netSnmpPlaypen */
#define MIB_coremonMIB				2611

/* under coremonMIB */
#define MIB_coremonNotifications		0
#define MIB_coremonObjects			1

/* Full OIDs, for registration: netSnmpPlaypen is NET-SNMP-MIB's. */
#define OID_netSnmpPlaypen \
	1, 3, 6, 1, 4, 1, 8072, 9999, 9999
#define OID_coremonMIB \
	OID_netSnmpPlaypen, MIB_coremonMIB
#define OID_coremonNotifications \
	OID_coremonMIB, MIB_coremonNotifications
#define OID_coremonObjects \
	OID_coremonMIB, MIB_coremonObjects

#endif
