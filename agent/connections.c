/*
 * connections: the cmConnections group, the host's TCP connections from
 * sock_diag (src/conntab) with their rates, and the same per client.
 *
 * The monitor's thread (src/monitor) refreshes the table every
 * connRefresh seconds; handlers hold one immutable snapshot for the
 * length of a request and never wait for a refresh, so a request costs a
 * binary search whatever the table's size.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "coremond.h"
#include "mibtable.h"
#include "notify.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "conntab.h"
#include "monitor.h"

#define OID_CONN	CM_OBJECTS, 3

static const struct ct_snapshot	*cn_snap;	/* held during a request */

static void
conn_begin(void *arg)
{
	(void)arg;
	struct conntab *ct = monitor_conntab(cm_monitor);

	cn_snap = ct != NULL ? conntab_acquire(ct) : NULL;
}

static void
conn_end(void *arg)
{
	(void)arg;
	conntab_release(cn_snap);
	cn_snap = NULL;
}

/* A refresh publishes a new snapshot: the walk cursor must not outlive it. */
static uint64_t
conn_version(void *arg)
{
	(void)arg;
	return cn_snap == NULL ? 0 : cn_snap->sn_summary.cs_refreshes;
}

static int
is_v6(const struct ct_addr *a)
{
	return a->ca_family == AF_INET6;
}

/* cmConnSummary */
static int
summary_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct ct_summary *s;

	(void)arg;
	(void)i;
	if (cn_snap == NULL)
		return -1;	/* no refresh yet */
	s = &cn_snap->sn_summary;
	if (col >= CT_STATE_CLOSED && col <= CT_STATE_TIME_WAIT) {
		mt_gauge(v, col == CT_STATE_LISTEN ? s->cs_listeners :
		    s->cs_by_state[col]);
		return 0;
	}
	switch (col) {
	case 12:
		mt_gauge(v, s->cs_conns);
		break;
	case 13:
		mt_gauge(v, s->cs_clients);
		break;
	case 14:
		mt_dateandtime(v, s->cs_refresh_time.tv_sec);
		break;
	case 15:
		mt_gauge(v, s->cs_refresh_usec);
		break;
	case 16:
		mt_counter32(v, s->cs_refreshes);
		break;
	case 17:
		mt_counter32(v, s->cs_msgs_malformed + s->cs_dropped +
		    monitor_conn_errors(cm_monitor));
		break;
	case 18:
		mt_truth(v, cm_config.cc_conn_processes);
		break;
	case 19:
		mt_gauge(v, s->cs_interval_ms);
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid summary_oid[] = { OID_CONN, 1 };
static struct mt_table summary_table = {
	.mt_name = "cmConnSummary",
	.mt_entry = summary_oid,
	.mt_entry_len = OID_LENGTH(summary_oid),
	.mt_mincol = 1,
	.mt_maxcol = 19,
	.mt_count = mibtable_scalar_count,
	.mt_index = mibtable_scalar_index,
	.mt_value = summary_value,
	.mt_begin = conn_begin,
	.mt_end = conn_end,
};

/* cmConnTable: TCP-MIB's tcpConnectionEntry index. */
static size_t
conn_count(void *arg)
{
	(void)arg;
	return cn_snap == NULL ? 0 : cn_snap->sn_nrows;
}

static size_t
conn_index(void *arg, size_t i, oid *idx)
{
	const struct ct_index *ci = &cn_snap->sn_rows[i].cr_index;
	size_t n;

	(void)arg;
	n = mt_index_inet(idx, is_v6(&ci->ci_local), ci->ci_local.ca_bytes);
	idx[n++] = ci->ci_local_port;
	n += mt_index_inet(idx + n, is_v6(&ci->ci_remote),
	    ci->ci_remote.ca_bytes);
	idx[n++] = ci->ci_remote_port;
	return n;
}

static int
conn_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct ct_row *r = &cn_snap->sn_rows[i];

	(void)arg;
	switch (col) {
	case 7:  mt_integer(v, r->cr_state); break;
	case 8:  mt_unsigned(v, r->cr_pid); break;
	case 9:  mt_string(v, r->cr_comm, strnlen(r->cr_comm,
		    sizeof(r->cr_comm))); break;
	case 10: mt_unsigned(v, r->cr_uid); break;
	case 11: mt_counter64(v, r->cr_octets_out); break;
	case 12: mt_counter64(v, r->cr_octets_in); break;
	case 13: mt_counter64(v, r->cr_segs_out); break;
	case 14: mt_counter64(v, r->cr_segs_in); break;
	case 15: mt_counter64(v, r->cr_data_segs_out); break;
	case 16: mt_counter64(v, r->cr_data_segs_in); break;
	case 17: mt_counter64(v, r->cr_retrans_segs); break;
	case 18: mt_counter64(v, r->cr_octets_retrans); break;
	case 19: mt_counter64(v, r->cr_rate_out); break;
	case 20: mt_counter64(v, r->cr_rate_in); break;
	case 21: mt_gauge(v, r->cr_seg_rate_out); break;
	case 22: mt_gauge(v, r->cr_seg_rate_in); break;
	case 23: mt_truth(v, r->cr_flags & CT_ROW_RATES_VALID); break;
	case 24: mt_gauge(v, r->cr_wqueue); break;
	case 25: mt_gauge(v, r->cr_rqueue); break;
	case 26: mt_gauge(v, r->cr_rtt_us); break;
	case 27: mt_gauge(v, r->cr_rttvar_us); break;
	case 28: mt_gauge(v, r->cr_snd_cwnd); break;
	case 29: mt_counter64(v, r->cr_delivery_rate); break;
	case 30: mt_gauge(v, r->cr_age); break;
	default: return -1;
	}
	return 0;
}

static const oid conn_entry_oid[] = { OID_CONN, 2, 1 };
static struct mt_table conn_table = {
	.mt_name = "cmConnTable",
	.mt_entry = conn_entry_oid,
	.mt_entry_len = OID_LENGTH(conn_entry_oid),
	.mt_mincol = 7,
	.mt_maxcol = 30,
	.mt_count = conn_count,
	.mt_index = conn_index,
	.mt_value = conn_value,
	.mt_version = conn_version,
	.mt_begin = conn_begin,
	.mt_end = conn_end,
};

/* cmClientTable: one row per remote address. */
static size_t
client_count(void *arg)
{
	(void)arg;
	return cn_snap == NULL ? 0 : cn_snap->sn_nclients;
}

static size_t
client_index(void *arg, size_t i, oid *idx)
{
	const struct ct_client *c = &cn_snap->sn_clients[i];

	(void)arg;
	return mt_index_inet(idx, is_v6(&c->cc_addr), c->cc_addr.ca_bytes);
}

static int
client_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct ct_client *c = &cn_snap->sn_clients[i];

	(void)arg;
	switch (col) {
	case 3:  mt_gauge(v, c->cc_conns); break;
	case 4:  mt_gauge(v, c->cc_established); break;
	case 5:  mt_gauge(v, c->cc_syn_received); break;
	case 6:  mt_gauge(v, c->cc_time_wait); break;
	case 7:  mt_counter64(v, c->cc_octets_out); break;
	case 8:  mt_counter64(v, c->cc_octets_in); break;
	case 9:  mt_counter64(v, c->cc_rate_out); break;
	case 10: mt_counter64(v, c->cc_rate_in); break;
	case 11: mt_gauge(v, c->cc_seg_rate_out); break;
	case 12: mt_gauge(v, c->cc_seg_rate_in); break;
	case 13: mt_gauge(v, c->cc_wqueue); break;
	case 14: mt_gauge(v, c->cc_rqueue); break;
	case 15: mt_gauge(v, c->cc_oldest_age); break;
	default: return -1;
	}
	return 0;
}

static const oid client_entry_oid[] = { OID_CONN, 3, 1 };
static struct mt_table client_table = {
	.mt_name = "cmClientTable",
	.mt_entry = client_entry_oid,
	.mt_entry_len = OID_LENGTH(client_entry_oid),
	.mt_mincol = 3,
	.mt_maxcol = 15,
	.mt_count = client_count,
	.mt_index = client_index,
	.mt_value = client_value,
	.mt_version = conn_version,
	.mt_begin = conn_begin,
	.mt_end = conn_end,
};

/* A client's notify instance: its family, then its address in hex. */
static void
client_key(const struct ct_client *cl, char *key, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n, c;

	n = (size_t)snprintf(key, len, "%u", cl->cc_addr.ca_family);
	for (c = 0; c < cl->cc_addr.ca_len && n + 2 < len; c++) {
		key[n++] = hex[cl->cc_addr.ca_bytes[c] >> 4];
		key[n++] = hex[cl->cc_addr.ca_bytes[c] & 15];
	}
	key[n] = '\0';
}

/* cmClientOverload: a client over clientMaxConnections connections, or
 * moving more than clientMaxRate bytes/s in and out together. */
static void
connections_notify(void)
{
	static const unsigned cols[] = { 3, 10, 9 };
	static uint64_t last_refresh;
	const struct notify_config *nc = &notify_config;
	char key[48];
	size_t i, c;

	if ((nc->nc_client_max_conns == 0 && nc->nc_client_max_rate == 0) ||
	    monitor_conntab(cm_monitor) == NULL)
		return;
	conn_begin(NULL);
	if (cn_snap == NULL ||
	    cn_snap->sn_summary.cs_refreshes == last_refresh) {
		conn_end(NULL);
		return;
	}
	last_refresh = cn_snap->sn_summary.cs_refreshes;
	notify_round_begin(NOTIFY_CLIENT_OVERLOAD);
	for (i = 0; i < cn_snap->sn_nclients; i++) {
		const struct ct_client *cl = &cn_snap->sn_clients[i];
		netsnmp_variable_list *vars = NULL;
		int over;

		/* TIME-WAIT connections are closed: they load nothing. */
		over = (nc->nc_client_max_conns != 0 &&
		    cl->cc_conns - cl->cc_time_wait > nc->nc_client_max_conns) ||
		    (nc->nc_client_max_rate != 0 &&
		    cl->cc_rate_in + cl->cc_rate_out > nc->nc_client_max_rate);
		client_key(cl, key, sizeof(key));
		/* Most clients are healthy and untracked: no varbinds. */
		if (!over && !notify_tracks(NOTIFY_CLIENT_OVERLOAD, key))
			continue;
		for (c = 0; c < 3; c++)
			mibtable_varbind(&client_table, i, cols[c], &vars);
		notify_add_threshold(&vars, NT_CLIENT_CONNECTIONS);
		notify_add_threshold(&vars, NT_CLIENT_RATE);
		notify_report(NOTIFY_CLIENT_OVERLOAD, key, over, vars);
	}
	notify_round_end(NOTIFY_CLIENT_OVERLOAD);
	conn_end(NULL);
}

/* Registers the group when the monitor has a connection table (no
 * sock_diag: cmConnections is left out, the other groups serve). */
int
connections_init(void)
{
	struct mt_table *tables[] = { &summary_table, &conn_table,
		&client_table };
	size_t i;

	if (monitor_conntab(cm_monitor) == NULL)
		return 0;
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (mibtable_register(tables[i]) == -1) {
			snmp_log(LOG_ERR, "cannot register %s\n",
			    tables[i]->mt_name);
			return -1;
		}
	return notify_register_check(connections_notify);
}
