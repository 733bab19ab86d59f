/*
 * mib_probes: the cmProbes group (src/probe's ICMP echo engine) and its
 * notifications, cmProbeDown/Up and cmProbeSlow/Cleared.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "coremond.h"
#include "mib_probes.h"
#include "notify.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "monitor.h"
#include "probe/probe.h"

#define PR_MAX		256

static struct probe_config	 pb_configs[PR_MAX];
static size_t			 pb_n;
static uint32_t			 pb_history = 10;
static const struct probe_snapshot *pb_snap;	/* during a request */

static void
mib_probes_parse(const char *token, char *line)
{
	char err[256];

	(void)token;
	if (pb_n == PR_MAX) {
		config_perror("too many probes (at most 256)");
		return;
	}
	if (probe_config_parse(line, pb_configs, pb_n, &pb_configs[pb_n], err,
	    sizeof(err)) == -1) {
		config_perror(err);
		return;
	}
	pb_n++;
}

static void
mib_probes_parse_history(const char *token, char *line)
{
	char err[256];

	(void)token;
	if (probe_history_parse(line, &pb_history, err, sizeof(err)) == -1)
		config_perror(err);
}

void
mib_probes_register_config(void)
{
	register_app_config_handler("probe", mib_probes_parse, NULL,
	    "NAME HOST [interval SECONDS] [timeout SECONDS]");
	register_app_config_handler("probeHistory", mib_probes_parse_history,
	    NULL, "COUNT");
}

static void
mib_probes_begin(void *arg)
{
	struct probe_engine *pe = monitor_probes(cm_monitor);

	(void)arg;
	pb_snap = pe != NULL ? probe_acquire(pe) : NULL;
}

static void
mib_probes_end(void *arg)
{
	(void)arg;
	probe_release(pb_snap);
	pb_snap = NULL;
}

static int
mib_probes_history_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	(void)arg;
	(void)i;
	if (col != MIB_cmProbeHistorySize)
		return -1;
	mt_unsigned(v, pb_history);
	return 0;
}

static const oid probes_oid[] = { OID_cmProbes };
static struct mt_table probes_scalars = {
	.mt_name = "cmProbes",
	.mt_entry = probes_oid,
	.mt_entry_len = OID_LENGTH(probes_oid),
	.mt_mincol = MIB_cmProbeHistorySize,
	.mt_maxcol = MIB_cmProbeHistorySize,
	.mt_count = mibtable_scalar_count,
	.mt_index = mibtable_scalar_index,
	.mt_value = mib_probes_history_value,
};

static size_t
mib_probes_count(void *arg)
{
	(void)arg;
	return pb_snap == NULL ? 0 : pb_snap->sn_nprobes;
}

static size_t
mib_probes_index(void *arg, size_t i, oid *idx)
{
	(void)arg;
	idx[0] = i + 1;		/* configuration order */
	return 1;
}

static int
mib_probes_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct probe_result *r = &pb_snap->sn_probes[i];
	int v6 = r->pr_addr.pa_family == AF_INET6;

	(void)arg;
	switch (col) {
	case MIB_cmProbeName:
		mt_string(v, r->pr_name, strlen(r->pr_name));
		break;
	case MIB_cmProbeHost:
		mt_string(v, r->pr_host, strlen(r->pr_host));
		break;
	case MIB_cmProbeTargetAddressType:
		mt_inet_type(v, v6);
		break;
	case MIB_cmProbeTargetAddress:
		mt_string(v, r->pr_addr.pa_bytes, v6 ? 16 : 4);
		break;
	case MIB_cmProbeInterval:
		mt_unsigned(v, r->pr_interval);
		break;
	case MIB_cmProbeTimeout:
		mt_unsigned(v, r->pr_timeout);
		break;
	case MIB_cmProbeStatus:
		mt_integer(v, (long)r->pr_status + 1);
		break;
	case MIB_cmProbeLastRtt:
		mt_gauge(v, r->pr_last_rtt_us);
		break;
	case MIB_cmProbeMinRtt:
		mt_gauge(v, r->pr_min_rtt_us);
		break;
	case MIB_cmProbeAvgRtt:
		mt_gauge(v, r->pr_avg_rtt_us);
		break;
	case MIB_cmProbeMaxRtt:
		mt_gauge(v, r->pr_max_rtt_us);
		break;
	case MIB_cmProbeSent:
		mt_counter32(v, r->pr_sent);
		break;
	case MIB_cmProbeReplies:
		mt_counter32(v, r->pr_received);
		break;
	case MIB_cmProbeLoss:
		mt_gauge(v, r->pr_loss_x100);
		break;
	case MIB_cmProbeLastGoodReply:
		mt_dateandtime(v, (time_t)(r->pr_last_good_us / 1000000));
		break;
	case MIB_cmProbeConsecutiveLost:
		mt_gauge(v, r->pr_consec_lost);
		break;
	case MIB_cmProbeConsecutiveSlow:
		mt_gauge(v, r->pr_consec_slow);
		break;
	case MIB_cmProbeLastError:
		mt_string(v, r->pr_error, strlen(r->pr_error));
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid probe_entry_oid[] = { OID_cmProbeEntry };
static struct mt_table probe_table = {
	.mt_name = "cmProbeTable",
	.mt_entry = probe_entry_oid,
	.mt_entry_len = OID_LENGTH(probe_entry_oid),
	.mt_mincol = MIB_cmProbeName,
	.mt_maxcol = MIB_cmProbeLastError,
	.mt_count = mib_probes_count,
	.mt_index = mib_probes_index,
	.mt_value = mib_probes_value,
	.mt_begin = mib_probes_begin,
	.mt_end = mib_probes_end,
};

/* In a list of cmProbeEntry columns: where the thresholds go, and the
 * end (no column is 0 or 100). */
#define PV_THRESHOLDS	100
#define PV_END		0

/* The varbinds of a notification about probe i: columns of cmProbeTable,
 * then thresholds, in the order the MIB's OBJECTS clause lists them. */
static netsnmp_variable_list *
mib_probes_vars(size_t i, const unsigned *cols, const enum notify_threshold *th)
{
	netsnmp_variable_list *vars = NULL;

	for (; *cols != PV_END; cols++)
		if (*cols == PV_THRESHOLDS)
			for (; *th != 0; th++)
				notify_add_threshold(&vars, *th);
		else
			mibtable_varbind(&probe_table, i, *cols, &vars);
	return vars;
}

/* Every second: N probes lost in a row is down, N slow in a row is slow. */
static void
mib_probes_notify(void)
{
	/* The OBJECTS of cmProbeDown, cmProbeUp, cmProbeSlow and
	 * cmProbeSlowCleared, in order. */
	static const unsigned down[] = { MIB_cmProbeName,
		MIB_cmProbeTargetAddressType, MIB_cmProbeTargetAddress,
		MIB_cmProbeStatus, MIB_cmProbeConsecutiveLost, PV_THRESHOLDS,
		MIB_cmProbeLastGoodReply, PV_END };
	static const unsigned up[] = { MIB_cmProbeName,
		MIB_cmProbeTargetAddressType, MIB_cmProbeTargetAddress,
		MIB_cmProbeStatus, MIB_cmProbeLastRtt, PV_END };
	static const enum notify_threshold down_th[] = { NT_PROBE_COUNT, 0 };
	static const unsigned slow[] = { MIB_cmProbeName,
		MIB_cmProbeTargetAddressType, MIB_cmProbeTargetAddress,
		MIB_cmProbeLastRtt, MIB_cmProbeConsecutiveSlow, PV_THRESHOLDS,
		PV_END };
	static const unsigned fast[] = { MIB_cmProbeName,
		MIB_cmProbeTargetAddressType, MIB_cmProbeTargetAddress,
		MIB_cmProbeLastRtt, PV_THRESHOLDS, PV_END };
	static const enum notify_threshold slow_th[] = { NT_PROBE_RTT,
		NT_PROBE_COUNT, 0 };
	static const enum notify_threshold fast_th[] = { NT_PROBE_RTT, 0 };
	unsigned n = notify_config.nc_probe_down_after;
	char key[24];
	size_t i;

	if (monitor_probes(cm_monitor) == NULL)
		return;
	mib_probes_begin(NULL);
	notify_round_begin(NOTIFY_PROBE_DOWN);
	notify_round_begin(NOTIFY_PROBE_SLOW);
	for (i = 0; i < pb_snap->sn_nprobes; i++) {
		const struct probe_result *r = &pb_snap->sn_probes[i];
		int is_down = r->pr_consec_lost >= n;
		int is_slow = r->pr_consec_slow >= n;

		snprintf(key, sizeof(key), "%zu", i + 1);
		notify_report(NOTIFY_PROBE_DOWN, key, is_down, mib_probes_vars(i,
		    is_down ? down : up, down_th));
		if (notify_config.nc_probe_rtt_us != 0)
			notify_report(NOTIFY_PROBE_SLOW, key, is_slow,
			    mib_probes_vars(i, is_slow ? slow : fast,
			    is_slow ? slow_th : fast_th));
	}
	notify_round_end(NOTIFY_PROBE_DOWN);
	notify_round_end(NOTIFY_PROBE_SLOW);
	mib_probes_end(NULL);
}

/* Into the monitor's configuration, once coremon.conf is read. */
void
mib_probes_config(struct monitor_config *mc)
{
	mc->mc_probes = pb_configs;
	mc->mc_nprobes = pb_n;
	mc->mc_probe_options.po_default_interval =
	    cm_config.cc_window_interval;
	mc->mc_probe_options.po_history = pb_history;
	mc->mc_probe_options.po_slow_us =
	    (uint32_t)notify_config.nc_probe_rtt_us;
}

int
mib_probes_init(void)
{
	struct mt_table *tables[] = { &probes_scalars, &probe_table };

	if (mibtable_register(tables, MIBTABLE_COUNT(tables)) == -1)
		return -1;
	return notify_register_check(mib_probes_notify);
}
