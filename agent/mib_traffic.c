/*
 * mib_traffic: the cmTraffic group.  The monitor's sampler (src/traffic/sampler)
 * reads /proc every sampleInterval on this thread; handlers serve its
 * latest sample, its rates and the history ring, never reading /proc
 * themselves.
 */
#include <errno.h>
#include <string.h>

#include "coremond.h"
#include "mib_traffic.h"
#include "mibtable.h"
#include "notify.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "monitor.h"
#include "traffic/sampler.h"

static const struct sampler	*tr;	/* the monitor's, this thread's */

/* Rows change only when a sample is taken. */
static uint64_t
sample_version(void *arg)
{
	(void)arg;
	return tr->sm_taken;
}

/* cmIfTable: one row per interface, index = kernel ifindex. */

static size_t
if_count(void *arg)
{
	(void)arg;
	return tr->sm_cur.ps_nifaces - tr->sm_if_first;
}

static size_t
if_index(void *arg, size_t i, oid *idx)
{
	(void)arg;
	idx[0] = tr->sm_cur.ps_ifaces[tr->sm_if_first + i].pi_ifindex;
	return 1;
}

static int
if_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct ps_iface *pi = &tr->sm_cur.ps_ifaces[tr->sm_if_first + i];
	const struct rate_value *r = tr->sm_rates.rs_ifaces[tr->sm_if_first + i].ri_rate;

	(void)arg;
	if (col == MIB_cmIfName) {
		mt_string(v, pi->pi_name, strlen(pi->pi_name));
	} else if (col >= MIB_cmIfInOctets && col <= MIB_cmIfOutCompressed) {
		mt_counter64(v, pi->pi_field[col - MIB_cmIfInOctets]);
	} else if (col == MIB_cmIfInOctetRate || col == MIB_cmIfOutOctetRate) {
		enum ps_dev_field f = col == MIB_cmIfInOctetRate ? PS_RX_BYTES :
		    PS_TX_BYTES;

		/* CounterBasedGauge64 travels as a Counter64. */
		mt_counter64(v, r[f].rv_valid ? r[f].rv_x100 / 100 : 0);
	} else if (col == MIB_cmIfInPacketRate ||
	    col == MIB_cmIfOutPacketRate) {
		enum ps_dev_field f = col == MIB_cmIfInPacketRate ?
		    PS_RX_PACKETS : PS_TX_PACKETS;

		mt_gauge(v, r[f].rv_valid ? r[f].rv_x100 : 0);
	} else if (col == MIB_cmIfRateValid) {
		mt_truth(v, r[PS_RX_BYTES].rv_valid && r[PS_TX_BYTES].rv_valid);
	} else {
		return -1;
	}
	return 0;
}

/* cmIfInOctets..cmIfOutCompressed are the /proc/net/dev fields, in
 * enum ps_dev_field's order. */
_Static_assert(MIB_cmIfOutCompressed - MIB_cmIfInOctets ==
    PS_DEV_NFIELDS - 1, "one column per /proc/net/dev field");

static const oid if_entry_oid[] = { OID_cmIfEntry };
static struct mt_table if_table = {
	.mt_name = "cmIfTable",
	.mt_entry = if_entry_oid,
	.mt_entry_len = OID_LENGTH(if_entry_oid),
	.mt_mincol = MIB_cmIfName,
	.mt_maxcol = MIB_cmIfRateValid,
	.mt_count = if_count,
	.mt_index = if_index,
	.mt_value = if_value,
	.mt_version = sample_version,
};

/*
 * Scalar groups cmTcp, cmUdp, cmIp, cmSystem: each scalar is a kernel
 * counter, or that counter's rate in hundredths per second.  A
 * sub-identifier that names no scalar stays zero: GS_NONE.
 */
enum { GS_NONE, GS_COUNTER, GS_RATE };

struct group_scalar {
	unsigned char	gs_kind;	/* GS_COUNTER or GS_RATE */
	unsigned char	gs_counter;	/* enum ps_counter */
};

#define COUNTER(sub, c)	[sub] = { GS_COUNTER, c }
#define RATE(sub, c)	[sub] = { GS_RATE, c }

static const struct group_scalar tcp_scalars[] = {
	COUNTER(MIB_cmTcpInSegs, PS_TCP_INSEGS),
	COUNTER(MIB_cmTcpOutSegs, PS_TCP_OUTSEGS),
	COUNTER(MIB_cmTcpRetransSegs, PS_TCP_RETRANSSEGS),
	COUNTER(MIB_cmTcpInErrs, PS_TCP_INERRS),
	COUNTER(MIB_cmTcpCurrEstab, PS_TCP_CURRESTAB),	/* a gauge: no rate */
	COUNTER(MIB_cmTcpActiveOpens, PS_TCP_ACTIVEOPENS),
	COUNTER(MIB_cmTcpPassiveOpens, PS_TCP_PASSIVEOPENS),
	COUNTER(MIB_cmTcpListenOverflows, PS_TCP_LISTENOVERFLOWS),
	COUNTER(MIB_cmTcpListenDrops, PS_TCP_LISTENDROPS),
	RATE(MIB_cmTcpInSegRate, PS_TCP_INSEGS),
	RATE(MIB_cmTcpOutSegRate, PS_TCP_OUTSEGS),
	RATE(MIB_cmTcpRetransSegRate, PS_TCP_RETRANSSEGS),
	RATE(MIB_cmTcpInErrRate, PS_TCP_INERRS),
	RATE(MIB_cmTcpActiveOpenRate, PS_TCP_ACTIVEOPENS),
	RATE(MIB_cmTcpPassiveOpenRate, PS_TCP_PASSIVEOPENS),
	RATE(MIB_cmTcpListenOverflowRate, PS_TCP_LISTENOVERFLOWS),
	RATE(MIB_cmTcpListenDropRate, PS_TCP_LISTENDROPS),
};
static const struct group_scalar udp_scalars[] = {
	COUNTER(MIB_cmUdpInDatagrams, PS_UDP_INDATAGRAMS),
	COUNTER(MIB_cmUdpOutDatagrams, PS_UDP_OUTDATAGRAMS),
	COUNTER(MIB_cmUdpInErrors, PS_UDP_INERRORS),
	COUNTER(MIB_cmUdpNoPorts, PS_UDP_NOPORTS),
	COUNTER(MIB_cmUdpRcvbufErrors, PS_UDP_RCVBUFERRORS),
	RATE(MIB_cmUdpInDatagramRate, PS_UDP_INDATAGRAMS),
	RATE(MIB_cmUdpOutDatagramRate, PS_UDP_OUTDATAGRAMS),
	RATE(MIB_cmUdpInErrorRate, PS_UDP_INERRORS),
	RATE(MIB_cmUdpNoPortRate, PS_UDP_NOPORTS),
	RATE(MIB_cmUdpRcvbufErrorRate, PS_UDP_RCVBUFERRORS),
};
static const struct group_scalar ip_scalars[] = {
	COUNTER(MIB_cmIpInReceives, PS_IP_INRECEIVES),
	COUNTER(MIB_cmIpOutRequests, PS_IP_OUTREQUESTS),
	RATE(MIB_cmIpInReceiveRate, PS_IP_INRECEIVES),
	RATE(MIB_cmIpOutRequestRate, PS_IP_OUTREQUESTS),
};
static const struct group_scalar sys_scalars[] = {
	COUNTER(MIB_cmSysContextSwitches, PS_SYS_CTXT),
	COUNTER(MIB_cmSysInterrupts, PS_SYS_INTR),
	COUNTER(MIB_cmSysForks, PS_SYS_FORKS),
	COUNTER(MIB_cmSysPagesIn, PS_SYS_PGPGIN),
	COUNTER(MIB_cmSysPagesOut, PS_SYS_PGPGOUT),
	COUNTER(MIB_cmSysSwapIn, PS_SYS_PSWPIN),
	COUNTER(MIB_cmSysSwapOut, PS_SYS_PSWPOUT),
	COUNTER(MIB_cmSysDiskReads, PS_DISK_READS),
	COUNTER(MIB_cmSysDiskWrites, PS_DISK_WRITES),
	COUNTER(MIB_cmSysDiskSectorsRead, PS_DISK_SECTORS_READ),
	COUNTER(MIB_cmSysDiskSectorsWritten, PS_DISK_SECTORS_WRITTEN),
	RATE(MIB_cmSysContextSwitchRate, PS_SYS_CTXT),
	RATE(MIB_cmSysInterruptRate, PS_SYS_INTR),
	RATE(MIB_cmSysForkRate, PS_SYS_FORKS),
	RATE(MIB_cmSysPageInRate, PS_SYS_PGPGIN),
	RATE(MIB_cmSysPageOutRate, PS_SYS_PGPGOUT),
	RATE(MIB_cmSysSwapInRate, PS_SYS_PSWPIN),
	RATE(MIB_cmSysSwapOutRate, PS_SYS_PSWPOUT),
	RATE(MIB_cmSysDiskReadRate, PS_DISK_READS),
	RATE(MIB_cmSysDiskWriteRate, PS_DISK_WRITES),
	RATE(MIB_cmSysDiskSectorReadRate, PS_DISK_SECTORS_READ),
	RATE(MIB_cmSysDiskSectorWriteRate, PS_DISK_SECTORS_WRITTEN),
};

struct counter_group {
	const struct group_scalar	*cg_scalar;	/* by sub-identifier */
	unsigned			 cg_n;
};

static int
group_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct counter_group *g = arg;
	const struct group_scalar *gs;
	int c;

	(void)i;
	if (col >= g->cg_n || g->cg_scalar[col].gs_kind == GS_NONE)
		return -1;
	gs = &g->cg_scalar[col];
	c = gs->gs_counter;
	if (!(tr->sm_cur.ps_have & (1ull << c)))
		return -1;	/* this kernel does not give it */
	if (gs->gs_kind == GS_RATE)
		mt_gauge(v, tr->sm_rates.rs_counter[c].rv_valid ?
		    tr->sm_rates.rs_counter[c].rv_x100 : 0);
	else if (c == PS_TCP_CURRESTAB)
		mt_gauge(v, tr->sm_cur.ps_counter[c]);
	else
		mt_counter64(v, tr->sm_cur.ps_counter[c]);
	return 0;
}

#define GROUP(name, arr, first)						\
	static const oid name##_oid[] = { OID_##name };			\
	static struct counter_group name##_group = { arr,		\
		sizeof(arr) / sizeof(arr[0]) };				\
	static struct mt_table name##_table = {				\
		.mt_name = #name,					\
		.mt_entry = name##_oid,					\
		.mt_entry_len = OID_LENGTH(name##_oid),			\
		.mt_mincol = first,					\
		.mt_maxcol = sizeof(arr) / sizeof(arr[0]) - 1,		\
		.mt_arg = &name##_group,				\
		.mt_count = mibtable_scalar_count,			\
		.mt_index = mibtable_scalar_index,			\
		.mt_value = group_value,				\
	}

GROUP(cmTcp, tcp_scalars, MIB_cmTcpInSegs);
GROUP(cmUdp, udp_scalars, MIB_cmUdpInDatagrams);
GROUP(cmIp, ip_scalars, MIB_cmIpInReceives);
GROUP(cmSystem, sys_scalars, MIB_cmSysContextSwitches);

/* cmSample: about the last sample itself. */
static int
sample_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	(void)arg;
	(void)i;
	switch (col) {
	case MIB_cmSampleTime:
		mt_dateandtime(v, tr->sm_cur.ps_real.tv_sec);
		break;
	case MIB_cmSampleInterval:
		mt_gauge(v, tr->sm_rates.rs_interval_ns / 1000000);
		break;
	case MIB_cmSampleValid:
		mt_truth(v, tr->sm_rates.rs_valid);
		break;
	case MIB_cmSamplesTaken:
		mt_counter32(v, tr->sm_taken);
		break;
	case MIB_cmSamplesInvalid:
		mt_counter32(v, tr->sm_invalid);
		break;
	case MIB_cmSampleLinesSkipped:
		mt_counter32(v, tr->sm_skipped);
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid sample_oid[] = { OID_cmSample };
static struct mt_table sample_table = {
	.mt_name = "cmSample",
	.mt_entry = sample_oid,
	.mt_entry_len = OID_LENGTH(sample_oid),
	.mt_mincol = MIB_cmSampleTime,
	.mt_maxcol = MIB_cmSampleLinesSkipped,
	.mt_count = mibtable_scalar_count,
	.mt_index = mibtable_scalar_index,
	.mt_value = sample_value,
};

/* cmHistoryTable: the ring, oldest first, index = sample number. */
static size_t
hist_count(void *arg)
{
	(void)arg;
	return history_count(tr->sm_history);
}

static size_t
hist_index(void *arg, size_t i, oid *idx)
{
	(void)arg;
	idx[0] = history_at(tr->sm_history, i)->hr_index;
	return 1;
}

/* cmHistoryTxOctetRate..cmHistoryContextSwitchRate are hr_x100[], in
 * enum hist_column's order. */
#define HIST_FIRST_RATE	MIB_cmHistoryTxOctetRate
_Static_assert(MIB_cmHistoryContextSwitchRate - HIST_FIRST_RATE == HC_CTXT &&
    MIB_cmHistoryRxOctetRate - HIST_FIRST_RATE == HC_RX_OCTETS,
    "one column per history rate");

static int
hist_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct hist_row *hr = history_at(tr->sm_history, i);

	(void)arg;
	if (col == MIB_cmHistoryTime)
		mt_dateandtime(v, hr->hr_time);
	else if (col == MIB_cmHistoryTxOctetRate ||
	    col == MIB_cmHistoryRxOctetRate)	/* whole bytes per second */
		mt_counter64(v, hr->hr_x100[col - HIST_FIRST_RATE] / 100);
	else if (col >= MIB_cmHistoryTxPacketRate &&
	    col <= MIB_cmHistoryContextSwitchRate)
		mt_gauge(v, hr->hr_x100[col - HIST_FIRST_RATE]);
	else if (col == MIB_cmHistoryValid)
		mt_truth(v, hr->hr_valid);
	else
		return -1;
	return 0;
}

static const oid hist_entry_oid[] = { OID_cmHistoryEntry };
static struct mt_table hist_table = {
	.mt_name = "cmHistoryTable",
	.mt_entry = hist_entry_oid,
	.mt_entry_len = OID_LENGTH(hist_entry_oid),
	.mt_mincol = MIB_cmHistoryTime,
	.mt_maxcol = MIB_cmHistoryValid,
	.mt_count = hist_count,
	.mt_index = hist_index,
	.mt_value = hist_value,
	.mt_version = sample_version,
};

/* cmLinkBusy: an interface above linkBusyThreshold in either direction
 * for the whole last sample. */
static void
mib_traffic_notify(void)
{
	static const unsigned cols[] = { MIB_cmIfName, MIB_cmIfInOctetRate,
		MIB_cmIfOutOctetRate };
	static uint64_t last_sample;
	uint64_t limit = notify_config.nc_link_busy;
	char key[24];
	size_t i, c;

	if (limit == 0 || tr->sm_taken == last_sample)
		return;
	last_sample = tr->sm_taken;
	notify_round_begin(NOTIFY_LINK_BUSY);
	for (i = 0; i < if_count(NULL); i++) {
		const struct rate_value *r =
		    tr->sm_rates.rs_ifaces[tr->sm_if_first + i].ri_rate;
		netsnmp_variable_list *vars = NULL;
		int busy;

		if (!r[PS_RX_BYTES].rv_valid || !r[PS_TX_BYTES].rv_valid)
			continue;	/* no rate, no verdict: keep state */
		busy = r[PS_RX_BYTES].rv_x100 / 100 > limit ||
		    r[PS_TX_BYTES].rv_x100 / 100 > limit;
		for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
			mibtable_varbind(&if_table, i, cols[c], &vars);
		notify_add_threshold(&vars, NT_LINK_BUSY);
		snprintf(key, sizeof(key), "%u",
		    tr->sm_cur.ps_ifaces[tr->sm_if_first + i].pi_ifindex);
		notify_report(NOTIFY_LINK_BUSY, key, busy, vars);
	}
	notify_round_end(NOTIFY_LINK_BUSY);
}

int
mib_traffic_init(void)
{
	struct mt_table *tables[] = { &if_table, &cmTcp_table, &cmUdp_table,
		&cmIp_table, &cmSystem_table, &sample_table, &hist_table };

	tr = monitor_sampler(cm_monitor);
	if (mibtable_register(tables, MIBTABLE_COUNT(tables)) == -1)
		return -1;
	return notify_register_check(mib_traffic_notify);
}
