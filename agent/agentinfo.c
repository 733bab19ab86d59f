/*
 * agentinfo: the cmAgent group, what this coremond is and how it is set.
 */
#include <string.h>

#include "coremond.h"
#include "mibtable.h"
#include "monitor.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>

static int
agent_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	(void)arg;
	(void)i;
	switch (col) {
	case 1:
		mt_string(v, COREMON_VERSION, strlen(COREMON_VERSION));
		break;
	case 2:
		mt_dateandtime(v, cm_start_time);
		break;
	case 3:
		mt_unsigned(v, cm_config.cc_sample_interval);
		break;
	case 4:
		mt_unsigned(v, cm_config.cc_history_samples);
		break;
	case 5:
		mt_unsigned(v, cm_config.cc_window_interval);
		break;
	case 6:
		mt_unsigned(v, cm_config.cc_conn_refresh);
		break;
	case 7:
		mt_integer(v, monitor_capture_state(cm_monitor));
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid agent_oid[] = { CM_OBJECTS, 1 };
static struct mt_table agent_table = {
	.mt_name = "cmAgent",
	.mt_entry = agent_oid,
	.mt_entry_len = OID_LENGTH(agent_oid),
	.mt_mincol = 1,
	.mt_maxcol = 7,
	.mt_count = mibtable_scalar_count,
	.mt_index = mibtable_scalar_index,
	.mt_value = agent_value,
};

int
agentinfo_init(void)
{
	return mibtable_register(&agent_table);
}
