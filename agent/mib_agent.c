/*
 * mib_agent: the cmAgent group, what this coremond is and how it is set.
 */
#include <string.h>

#include "coremond.h"
#include "mib_agent.h"
#include "mibtable.h"
#include "monitor.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>

static int
agent_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	(void)arg;
	(void)i;
	switch (col) {
	case MIB_cmAgentVersion:
		mt_string(v, COREMON_VERSION, strlen(COREMON_VERSION));
		break;
	case MIB_cmAgentStartTime:
		mt_dateandtime(v, cm_start_time);
		break;
	case MIB_cmAgentSampleInterval:
		mt_unsigned(v, cm_config.cc_sample_interval);
		break;
	case MIB_cmAgentHistorySamples:
		mt_unsigned(v, cm_config.cc_history_samples);
		break;
	case MIB_cmAgentWindowInterval:
		mt_unsigned(v, cm_config.cc_window_interval);
		break;
	case MIB_cmAgentConnRefresh:
		mt_unsigned(v, cm_config.cc_conn_refresh);
		break;
	case MIB_cmAgentCaptureState:
		mt_integer(v, monitor_capture_state(cm_monitor));
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid agent_oid[] = { OID_cmAgent };
static struct mt_table agent_table = {
	.mt_name = "cmAgent",
	.mt_entry = agent_oid,
	.mt_entry_len = OID_LENGTH(agent_oid),
	.mt_mincol = MIB_cmAgentVersion,
	.mt_maxcol = MIB_cmAgentCaptureState,
	.mt_count = mibtable_scalar_count,
	.mt_index = mibtable_scalar_index,
	.mt_value = agent_value,
};

int
mib_agent_init(void)
{
	struct mt_table *tables[] = { &agent_table };

	return mibtable_register(tables, 1);
}
