/*
 * traffic: the cmTraffic group.  The monitor's sampler (src/sampler)
 * reads /proc every sampleInterval on this thread; handlers serve its
 * latest sample, its rates and the history ring, never reading /proc
 * themselves.
 */
#include <errno.h>
#include <string.h>

#include "coremond.h"
#include "mibtable.h"
#include "notify.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "monitor.h"
#include "sampler.h"

#define OID_TRAFFIC	CM_OBJECTS, 2

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
	if (col == 2) {
		mt_string(v, pi->pi_name, strlen(pi->pi_name));
	} else if (col >= 3 && col <= 18) {
		/* Columns 3..18 are the /proc/net/dev fields in order. */
		mt_counter64(v, pi->pi_field[col - 3]);
	} else if (col == 19 || col == 20) {
		enum ps_dev_field f = col == 19 ? PS_RX_BYTES : PS_TX_BYTES;

		/* CounterBasedGauge64 travels as a Counter64. */
		mt_counter64(v, r[f].rv_valid ? r[f].rv_x100 / 100 : 0);
	} else if (col == 21 || col == 22) {
		enum ps_dev_field f = col == 21 ? PS_RX_PACKETS : PS_TX_PACKETS;

		mt_gauge(v, r[f].rv_valid ? r[f].rv_x100 : 0);
	} else if (col == 23) {
		mt_truth(v, r[PS_RX_BYTES].rv_valid && r[PS_TX_BYTES].rv_valid);
	} else {
		return -1;
	}
	return 0;
}

static const oid if_entry_oid[] = { OID_TRAFFIC, 1, 1 };
static struct mt_table if_table = {
	.mt_name = "cmIfTable",
	.mt_entry = if_entry_oid,
	.mt_entry_len = OID_LENGTH(if_entry_oid),
	.mt_mincol = 2,
	.mt_maxcol = 23,
	.mt_count = if_count,
	.mt_index = if_index,
	.mt_value = if_value,
	.mt_version = sample_version,
};

/*
 * Scalar groups cmTcp, cmUdp, cmIp, cmSystem: sub-identifier n is a
 * counter, n + 20 its rate in hundredths per second.  -1 marks a gap.
 */
#define NOPE	(-1)
static const int tcp_counters[] = { NOPE, PS_TCP_INSEGS, PS_TCP_OUTSEGS,
	PS_TCP_RETRANSSEGS, PS_TCP_INERRS, PS_TCP_CURRESTAB,
	PS_TCP_ACTIVEOPENS, PS_TCP_PASSIVEOPENS, PS_TCP_LISTENOVERFLOWS,
	PS_TCP_LISTENDROPS };
static const int udp_counters[] = { NOPE, PS_UDP_INDATAGRAMS,
	PS_UDP_OUTDATAGRAMS, PS_UDP_INERRORS, PS_UDP_NOPORTS,
	PS_UDP_RCVBUFERRORS };
static const int ip_counters[] = { NOPE, PS_IP_INRECEIVES,
	PS_IP_OUTREQUESTS };
static const int sys_counters[] = { NOPE, PS_SYS_CTXT, PS_SYS_INTR,
	PS_SYS_FORKS, PS_SYS_PGPGIN, PS_SYS_PGPGOUT, PS_SYS_PSWPIN,
	PS_SYS_PSWPOUT, PS_DISK_READS, PS_DISK_WRITES, PS_DISK_SECTORS_READ,
	PS_DISK_SECTORS_WRITTEN };

struct counter_group {
	const int	*cg_counter;
	unsigned	 cg_n;
};

static int
group_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct counter_group *g = arg;
	unsigned n = col > 20 ? col - 20 : col;
	int c;

	(void)i;
	if (n >= g->cg_n || g->cg_counter[n] == NOPE)
		return -1;
	c = g->cg_counter[n];
	if (!(tr->sm_cur.ps_have & (1ull << c)))
		return -1;	/* this kernel does not give it */
	if (c == PS_TCP_CURRESTAB) {
		if (col > 20)
			return -1;	/* a gauge has no rate */
		mt_gauge(v, tr->sm_cur.ps_counter[c]);
	} else if (col > 20) {
		mt_gauge(v, tr->sm_rates.rs_counter[c].rv_valid ?
		    tr->sm_rates.rs_counter[c].rv_x100 : 0);
	} else {
		mt_counter64(v, tr->sm_cur.ps_counter[c]);
	}
	return 0;
}

#define GROUP(name, sub, arr)						\
	static const oid name##_oid[] = { OID_TRAFFIC, sub };		\
	static struct counter_group name##_group = { arr,		\
		sizeof(arr) / sizeof(arr[0]) };				\
	static struct mt_table name##_table = {				\
		.mt_name = #name,					\
		.mt_entry = name##_oid,					\
		.mt_entry_len = OID_LENGTH(name##_oid),			\
		.mt_mincol = 1,						\
		.mt_maxcol = 20 + sizeof(arr) / sizeof(arr[0]) - 1,	\
		.mt_arg = &name##_group,				\
		.mt_count = mibtable_scalar_count,			\
		.mt_index = mibtable_scalar_index,			\
		.mt_value = group_value,				\
	}

GROUP(cmTcp, 2, tcp_counters);
GROUP(cmUdp, 3, udp_counters);
GROUP(cmIp, 4, ip_counters);
GROUP(cmSystem, 5, sys_counters);

/* cmSample: about the last sample itself. */
static int
sample_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	(void)arg;
	(void)i;
	switch (col) {
	case 1:
		mt_dateandtime(v, tr->sm_cur.ps_real.tv_sec);
		break;
	case 2:
		mt_gauge(v, tr->sm_rates.rs_interval_ns / 1000000);
		break;
	case 3:
		mt_truth(v, tr->sm_rates.rs_valid);
		break;
	case 4:
		mt_counter32(v, tr->sm_taken);
		break;
	case 5:
		mt_counter32(v, tr->sm_invalid);
		break;
	case 6:
		mt_counter32(v, tr->sm_skipped);
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid sample_oid[] = { OID_TRAFFIC, 6 };
static struct mt_table sample_table = {
	.mt_name = "cmSample",
	.mt_entry = sample_oid,
	.mt_entry_len = OID_LENGTH(sample_oid),
	.mt_mincol = 1,
	.mt_maxcol = 6,
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

static int
hist_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct hist_row *hr = history_at(tr->sm_history, i);

	(void)arg;
	if (col == 2)
		mt_dateandtime(v, hr->hr_time);
	else if (col == 3 || col == 4)	/* octets: whole bytes per second */
		mt_counter64(v, hr->hr_x100[col - 3] / 100);
	else if (col >= 5 && col <= 17)
		mt_gauge(v, hr->hr_x100[col - 3]);
	else if (col == 18)
		mt_truth(v, hr->hr_valid);
	else
		return -1;
	return 0;
}

static const oid hist_entry_oid[] = { OID_TRAFFIC, 7, 1 };
static struct mt_table hist_table = {
	.mt_name = "cmHistoryTable",
	.mt_entry = hist_entry_oid,
	.mt_entry_len = OID_LENGTH(hist_entry_oid),
	.mt_mincol = 2,
	.mt_maxcol = 18,
	.mt_count = hist_count,
	.mt_index = hist_index,
	.mt_value = hist_value,
	.mt_version = sample_version,
};

/* cmLinkBusy: an interface above linkBusyThreshold in either direction
 * for the whole last sample. */
static void
traffic_notify(void)
{
	static const unsigned cols[] = { 2, 19, 20 };
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
		for (c = 0; c < 3; c++)
			mibtable_varbind(&if_table, i, cols[c], &vars);
		notify_add_threshold(&vars, NT_LINK_BUSY);
		snprintf(key, sizeof(key), "%u",
		    tr->sm_cur.ps_ifaces[tr->sm_if_first + i].pi_ifindex);
		notify_report(NOTIFY_LINK_BUSY, key, busy, vars);
	}
	notify_round_end(NOTIFY_LINK_BUSY);
}

int
traffic_init(void)
{
	struct mt_table *tables[] = { &if_table, &cmTcp_table, &cmUdp_table,
		&cmIp_table, &cmSystem_table, &sample_table, &hist_table };
	size_t i;

	tr = monitor_sampler(cm_monitor);
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		if (mibtable_register(tables[i]) == -1) {
			snmp_log(LOG_ERR, "cannot register %s\n",
			    tables[i]->mt_name);
			return -1;
		}
	}
	return notify_register_check(traffic_notify);
}
