/*
 * mib_connections: the cmConnections group, the host's TCP connections from
 * sock_diag (src/conns/conntab) with their rates, and the same per client.
 *
 * The monitor's thread (src/monitor) refreshes the table every
 * connRefresh seconds; handlers hold one immutable snapshot for the
 * length of a request and never wait for a refresh, so a request costs a
 * binary search whatever the table's size.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "coremond.h"
#include "mib_connections.h"
#include "mibtable.h"
#include "notify.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "conns/conntab.h"
#include "monitor.h"

static const struct ct_snapshot	*cn_snap;	/* held during a request */

static void
conn_begin(void *arg)
{
	struct conntab *ct = monitor_conntab(cm_monitor);

	(void)arg;
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

/* cmConnSummary's destroyed-socket columns. */
static int
closed_summary_value(const struct ct_summary *s, unsigned col,
    struct mt_value *v)
{
	switch (col) {
	case MIB_cmConnClosedTracking:
		mt_truth(v, s->cs_closed_tracking);
		break;
	case MIB_cmConnClosedNotices:
		mt_counter64(v, s->cs_closed_notices);
		break;
	case MIB_cmConnClosedNoticesLost:
		mt_counter32(v, s->cs_closed_lost);
		break;
	case MIB_cmConnProcessesFolded:
		mt_counter32(v, s->cs_procs_evicted);
		break;
	default:
		return -1;
	}
	return 0;
}

/* cmConnSummary's TcpExt columns: absent while /proc/net/netstat cannot
 * be read (unknown, not 0). */
static int
listen_summary_value(const struct ct_summary *s, unsigned col,
    struct mt_value *v)
{
	if (col >= MIB_cmConnClosedTracking)
		return closed_summary_value(s, col, v);
	if (!s->cs_netstat_known)
		return -1;
	switch (col) {
	case MIB_cmConnListenOverflows:
		mt_counter64(v, s->cs_listen_overflows);
		break;
	case MIB_cmConnListenDrops:
		mt_counter64(v, s->cs_listen_drops);
		break;
	case MIB_cmConnListenOverflowsUnattributed:
		mt_counter64(v, s->cs_overflows_unattributed);
		break;
	case MIB_cmConnListenDropsUnattributed:
		mt_counter64(v, s->cs_drops_unattributed);
		break;
	default:
		return -1;
	}
	return 0;
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
	/* cmConnNumClosed..cmConnNumTimeWait: one per TCP state, in
	 * enum ct_state's order (TCP-MIB's tcpConnectionState). */
	_Static_assert(MIB_cmConnNumTimeWait - MIB_cmConnNumClosed ==
	    CT_STATE_TIME_WAIT - CT_STATE_CLOSED, "one column per state");
	if (col >= MIB_cmConnNumClosed && col <= MIB_cmConnNumTimeWait) {
		unsigned state = col - MIB_cmConnNumClosed + CT_STATE_CLOSED;

		mt_gauge(v, state == CT_STATE_LISTEN ? s->cs_listeners :
		    s->cs_by_state[state]);
		return 0;
	}
	switch (col) {
	case MIB_cmConnNumTotal:
		mt_gauge(v, s->cs_conns);
		break;
	case MIB_cmConnNumClients:
		mt_gauge(v, s->cs_clients);
		break;
	case MIB_cmConnRefreshTime:
		mt_dateandtime(v, s->cs_refresh_time.tv_sec);
		break;
	case MIB_cmConnRefreshDuration:
		mt_gauge(v, s->cs_refresh_usec);
		break;
	case MIB_cmConnRefreshes:
		mt_counter32(v, s->cs_refreshes);
		break;
	case MIB_cmConnDiagErrors:
		mt_counter32(v, s->cs_msgs_malformed + s->cs_dropped +
		    monitor_conn_errors(cm_monitor));
		break;
	case MIB_cmConnProcessLookup:
		mt_truth(v, cm_config.cc_conn_processes);
		break;
	case MIB_cmConnRefreshInterval:
		mt_gauge(v, s->cs_interval_ms);
		break;
	default:
		return listen_summary_value(s, col, v);
	}
	return 0;
}

static const oid summary_oid[] = { OID_cmConnSummary };
static struct mt_table summary_table = {
	.mt_name = "cmConnSummary",
	.mt_entry = summary_oid,
	.mt_entry_len = OID_LENGTH(summary_oid),
	.mt_mincol = MIB_cmConnNumClosed,
	.mt_maxcol = MIB_cmConnProcessesFolded,
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
	case MIB_cmConnState:
		mt_integer(v, r->cr_state);
		break;
	case MIB_cmConnProcess:
		mt_unsigned(v, r->cr_pid);
		break;
	case MIB_cmConnProcessName:
		mt_string(v, r->cr_comm, strnlen(r->cr_comm,
		    sizeof(r->cr_comm)));
		break;
	case MIB_cmConnUid:
		mt_unsigned(v, r->cr_uid);
		break;
	case MIB_cmConnOutOctets:
		mt_counter64(v, r->cr_octets_out);
		break;
	case MIB_cmConnInOctets:
		mt_counter64(v, r->cr_octets_in);
		break;
	case MIB_cmConnOutSegs:
		mt_counter64(v, r->cr_segs_out);
		break;
	case MIB_cmConnInSegs:
		mt_counter64(v, r->cr_segs_in);
		break;
	case MIB_cmConnOutDataSegs:
		mt_counter64(v, r->cr_data_segs_out);
		break;
	case MIB_cmConnInDataSegs:
		mt_counter64(v, r->cr_data_segs_in);
		break;
	case MIB_cmConnRetransSegs:
		mt_counter64(v, r->cr_retrans_segs);
		break;
	case MIB_cmConnRetransOctets:
		mt_counter64(v, r->cr_octets_retrans);
		break;
	case MIB_cmConnOutOctetRate:
		mt_counter64(v, r->cr_rate_out);
		break;
	case MIB_cmConnInOctetRate:
		mt_counter64(v, r->cr_rate_in);
		break;
	case MIB_cmConnOutSegRate:
		mt_gauge(v, r->cr_seg_rate_out);
		break;
	case MIB_cmConnInSegRate:
		mt_gauge(v, r->cr_seg_rate_in);
		break;
	case MIB_cmConnRateValid:
		mt_truth(v, r->cr_flags & CT_ROW_RATES_VALID);
		break;
	case MIB_cmConnSendQueue:
		mt_gauge(v, r->cr_wqueue);
		break;
	case MIB_cmConnRecvQueue:
		mt_gauge(v, r->cr_rqueue);
		break;
	case MIB_cmConnSmoothedRtt:
		mt_gauge(v, r->cr_rtt_us);
		break;
	case MIB_cmConnRttVar:
		mt_gauge(v, r->cr_rttvar_us);
		break;
	case MIB_cmConnCwnd:
		mt_gauge(v, r->cr_snd_cwnd);
		break;
	case MIB_cmConnDeliveryRate:
		mt_counter64(v, r->cr_delivery_rate);
		break;
	case MIB_cmConnAge:
		mt_gauge(v, r->cr_age);
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid conn_entry_oid[] = { OID_cmConnEntry };
static struct mt_table conn_table = {
	.mt_name = "cmConnTable",
	.mt_entry = conn_entry_oid,
	.mt_entry_len = OID_LENGTH(conn_entry_oid),
	.mt_mincol = MIB_cmConnState,
	.mt_maxcol = MIB_cmConnAge,
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

/* Which kernel field a health column needs (SD_HAVE_*); 0: none. */
static uint8_t
client_health_needs(unsigned col)
{
	switch (col) {
	case MIB_cmClientRetransOctets:		return SD_HAVE_BYTES_RETRANS;
	case MIB_cmClientOutDataSegs:
	case MIB_cmClientRetransRatio:
	case MIB_cmClientRetransRatioNow:	return SD_HAVE_DATA_SEGS;
	case MIB_cmClientMinRtt:		return SD_HAVE_MIN_RTT;
	case MIB_cmClientBusyShare:
	case MIB_cmClientRwndLimitedShare:
	case MIB_cmClientSndbufLimitedShare:	return SD_HAVE_BUSY;
	case MIB_cmClientDeliveryRate:		return SD_HAVE_DELIVERY;
	default:				return 0;
	}
}

/* cmClientTable's TCP health columns.  A column whose field no
 * connection's tcp_info has (an older kernel), or that nothing measured
 * (RTTs with no connection reporting), is absent: unknown, not 0. */
static int
client_health_value(const struct ct_client *c, unsigned col,
    struct mt_value *v)
{
	uint8_t need = client_health_needs(col);

	if (need != 0 && !(c->cc_have & need))
		return -1;
	switch (col) {
	case MIB_cmClientRetransSegs:
		mt_counter64(v, c->cc_retrans_segs);
		break;
	case MIB_cmClientRetransOctets:
		mt_counter64(v, c->cc_retrans_octets);
		break;
	case MIB_cmClientOutDataSegs:
		mt_counter64(v, c->cc_data_segs_out);
		break;
	case MIB_cmClientRetransRatio:
		mt_gauge(v, c->cc_retrans_ratio);
		break;
	case MIB_cmClientRetransRatioNow:
		mt_gauge(v, c->cc_retrans_ratio_now);
		break;
	case MIB_cmClientRttMean:
	case MIB_cmClientRttMax:
		if (c->cc_rtt_rows == 0)
			return -1;
		mt_gauge(v, col == MIB_cmClientRttMean ? c->cc_rtt_mean_us :
		    c->cc_rtt_max_us);
		break;
	case MIB_cmClientMinRtt:
		if (c->cc_min_rtt_us == UINT32_MAX)
			return -1;
		mt_gauge(v, c->cc_min_rtt_us);
		break;
	case MIB_cmClientBusyShare:
		mt_gauge(v, c->cc_busy_share);
		break;
	case MIB_cmClientRwndLimitedShare:
		mt_gauge(v, c->cc_rwnd_share);
		break;
	case MIB_cmClientSndbufLimitedShare:
		mt_gauge(v, c->cc_sndbuf_share);
		break;
	case MIB_cmClientDeliveryRate:
		mt_counter64(v, c->cc_delivery_rate);
		break;
	default:
		return -1;
	}
	return 0;
}

static int
client_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct ct_client *c = &cn_snap->sn_clients[i];

	(void)arg;
	switch (col) {
	case MIB_cmClientConnections:
		mt_gauge(v, c->cc_conns);
		break;
	case MIB_cmClientEstablished:
		mt_gauge(v, c->cc_established);
		break;
	case MIB_cmClientSynReceived:
		mt_gauge(v, c->cc_syn_received);
		break;
	case MIB_cmClientTimeWait:
		mt_gauge(v, c->cc_time_wait);
		break;
	case MIB_cmClientOutOctets:
		mt_counter64(v, c->cc_octets_out);
		break;
	case MIB_cmClientInOctets:
		mt_counter64(v, c->cc_octets_in);
		break;
	case MIB_cmClientOutOctetRate:
		mt_counter64(v, c->cc_rate_out);
		break;
	case MIB_cmClientInOctetRate:
		mt_counter64(v, c->cc_rate_in);
		break;
	case MIB_cmClientOutSegRate:
		mt_gauge(v, c->cc_seg_rate_out);
		break;
	case MIB_cmClientInSegRate:
		mt_gauge(v, c->cc_seg_rate_in);
		break;
	case MIB_cmClientSendQueue:
		mt_gauge(v, c->cc_wqueue);
		break;
	case MIB_cmClientRecvQueue:
		mt_gauge(v, c->cc_rqueue);
		break;
	case MIB_cmClientOldestAge:
		mt_gauge(v, c->cc_oldest_age);
		break;
	default:
		return client_health_value(c, col, v);
	}
	return 0;
}

static const oid client_entry_oid[] = { OID_cmClientEntry };
static struct mt_table client_table = {
	.mt_name = "cmClientTable",
	.mt_entry = client_entry_oid,
	.mt_entry_len = OID_LENGTH(client_entry_oid),
	.mt_mincol = MIB_cmClientConnections,
	.mt_maxcol = MIB_cmClientDeliveryRate,
	.mt_count = client_count,
	.mt_index = client_index,
	.mt_value = client_value,
	.mt_version = conn_version,
	.mt_begin = conn_begin,
	.mt_end = conn_end,
};

/*
 * cmClientConnTable: cmConnTable's rows in the order of an index that
 * begins with the remote address, so that one client's connections are
 * one walk of a prefix.  The order is a permutation of the snapshot's
 * rows, sorted on the first request after each refresh (the refresher
 * thread knows nothing of OIDs): a key a row, compared whole with
 * memcmp in the index's order -- the type (ipv4 1 < ipv6 2, and so the
 * length too), the address, then the same of the local end, the local
 * port and the remote port, big-endian.
 */
struct cc_key {
	uint8_t		ck_key[38];
	uint32_t	ck_row;
};

static struct cc_key	*cc_keys;
static size_t		 cc_cap;
static uint64_t		 cc_version;	/* cs_refreshes sorted for; 0 none */

static size_t
cc_key_addr(uint8_t *k, const struct ct_addr *a)
{
	k[0] = is_v6(a) ? 2 : 1;
	memcpy(k + 1, a->ca_bytes, 16);	/* zero past ca_len */
	return 17;
}

static int
cc_key_cmp(const void *a, const void *b)
{
	const struct cc_key *x = a, *y = b;

	return memcmp(x->ck_key, y->ck_key, sizeof(x->ck_key));
}

/* The permutation for the snapshot held; 0, or -1 (memory: the table
 * then shows no rows for this request). */
static int
cc_sort(void)
{
	const struct ct_index *ci;
	struct cc_key *k;
	size_t i, n;

	if (cn_snap == NULL)
		return -1;
	if (cc_version == cn_snap->sn_summary.cs_refreshes && cc_version != 0)
		return 0;
	cc_version = 0;
	if (cn_snap->sn_nrows > cc_cap) {
		if ((k = realloc(cc_keys, cn_snap->sn_nrows * sizeof(*k))) ==
		    NULL)
			return -1;
		cc_keys = k;
		cc_cap = cn_snap->sn_nrows;
	}
	for (i = 0; i < cn_snap->sn_nrows; i++) {
		ci = &cn_snap->sn_rows[i].cr_index;
		k = &cc_keys[i];
		n = cc_key_addr(k->ck_key, &ci->ci_remote);
		n += cc_key_addr(k->ck_key + n, &ci->ci_local);
		k->ck_key[n++] = (uint8_t)(ci->ci_local_port >> 8);
		k->ck_key[n++] = (uint8_t)ci->ci_local_port;
		k->ck_key[n++] = (uint8_t)(ci->ci_remote_port >> 8);
		k->ck_key[n] = (uint8_t)ci->ci_remote_port;
		k->ck_row = (uint32_t)i;
	}
	qsort(cc_keys, cn_snap->sn_nrows, sizeof(*cc_keys), cc_key_cmp);
	cc_version = cn_snap->sn_summary.cs_refreshes;
	return 0;
}

static void
cc_begin(void *arg)
{
	conn_begin(arg);
	if (cc_sort() < 0)
		conn_end(arg);	/* no rows rather than rows out of order */
}

static size_t
cc_count(void *arg)
{
	(void)arg;
	return cn_snap == NULL || cc_version == 0 ? 0 : cn_snap->sn_nrows;
}

static size_t
cc_index(void *arg, size_t i, oid *idx)
{
	const struct ct_index *ci;
	size_t n;

	(void)arg;
	ci = &cn_snap->sn_rows[cc_keys[i].ck_row].cr_index;
	n = mt_index_inet(idx, is_v6(&ci->ci_remote), ci->ci_remote.ca_bytes);
	n += mt_index_inet(idx + n, is_v6(&ci->ci_local),
	    ci->ci_local.ca_bytes);
	idx[n++] = ci->ci_local_port;
	idx[n++] = ci->ci_remote_port;
	return n;
}

static int
cc_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	static const unsigned conn_col[] = {
		[MIB_cmClientConnState] = MIB_cmConnState,
		[MIB_cmClientConnProcess] = MIB_cmConnProcess,
		[MIB_cmClientConnProcessName] = MIB_cmConnProcessName,
		[MIB_cmClientConnOutOctetRate] = MIB_cmConnOutOctetRate,
		[MIB_cmClientConnInOctetRate] = MIB_cmConnInOctetRate,
		[MIB_cmClientConnRetransSegs] = MIB_cmConnRetransSegs,
		[MIB_cmClientConnSendQueue] = MIB_cmConnSendQueue,
		[MIB_cmClientConnRecvQueue] = MIB_cmConnRecvQueue,
		[MIB_cmClientConnSmoothedRtt] = MIB_cmConnSmoothedRtt,
	};

	if (col >= sizeof(conn_col) / sizeof(conn_col[0]) ||
	    conn_col[col] == 0)
		return -1;
	return conn_value(arg, cc_keys[i].ck_row, conn_col[col], v);
}

static const oid cc_entry_oid[] = { OID_cmClientConnEntry };
static struct mt_table client_conn_table = {
	.mt_name = "cmClientConnTable",
	.mt_entry = cc_entry_oid,
	.mt_entry_len = OID_LENGTH(cc_entry_oid),
	.mt_mincol = MIB_cmClientConnState,
	.mt_maxcol = MIB_cmClientConnSmoothedRtt,
	.mt_count = cc_count,
	.mt_index = cc_index,
	.mt_value = cc_value,
	.mt_version = conn_version,
	.mt_begin = cc_begin,
	.mt_end = conn_end,
};

/* cmClientRetransTopTable: by rank, the clients that retransmitted in
 * the last interval. */
static size_t
retrans_top_count(void *arg)
{
	(void)arg;
	return cn_snap == NULL ? 0 : cn_snap->sn_nretrans_top;
}

static size_t
retrans_top_index(void *arg, size_t i, oid *idx)
{
	(void)arg;
	idx[0] = i + 1;
	return 1;
}

static int
retrans_top_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct ct_client *c =
	    &cn_snap->sn_clients[cn_snap->sn_retrans_top[i]];

	(void)arg;
	switch (col) {
	case MIB_cmClientRetransTopAddressType:
		mt_inet_type(v, is_v6(&c->cc_addr));
		break;
	case MIB_cmClientRetransTopAddress:
		mt_string(v, c->cc_addr.ca_bytes, c->cc_addr.ca_len);
		break;
	case MIB_cmClientRetransTopRatio:
		mt_gauge(v, c->cc_retrans_ratio_now);
		break;
	case MIB_cmClientRetransTopSegs:
		mt_counter64(v, c->cc_retrans_delta);
		break;
	case MIB_cmClientRetransTopDataSegs:
		mt_counter64(v, c->cc_data_segs_delta);
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid retrans_top_oid[] = { OID_cmClientRetransTopEntry };
static struct mt_table retrans_top_table = {
	.mt_name = "cmClientRetransTopTable",
	.mt_entry = retrans_top_oid,
	.mt_entry_len = OID_LENGTH(retrans_top_oid),
	.mt_mincol = MIB_cmClientRetransTopAddressType,
	.mt_maxcol = MIB_cmClientRetransTopDataSegs,
	.mt_count = retrans_top_count,
	.mt_index = retrans_top_index,
	.mt_value = retrans_top_value,
	.mt_version = conn_version,
	.mt_begin = conn_begin,
	.mt_end = conn_end,
};

/* cmProcessTable: one row per process, by pid. */
static size_t
process_count(void *arg)
{
	(void)arg;
	return cn_snap == NULL ? 0 : cn_snap->sn_nprocs;
}

static size_t
process_index(void *arg, size_t i, oid *idx)
{
	(void)arg;
	idx[0] = cn_snap->sn_procs[i].cp_pid;
	return 1;
}

static int
process_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct ct_process *p = &cn_snap->sn_procs[i];

	(void)arg;
	switch (col) {
	case MIB_cmProcessName:
		mt_string(v, p->cp_comm, strnlen(p->cp_comm,
		    sizeof(p->cp_comm)));
		break;
	case MIB_cmProcessUnit:
		mt_string(v, p->cp_unit, strnlen(p->cp_unit,
		    sizeof(p->cp_unit)));
		break;
	case MIB_cmProcessUid:
		mt_unsigned(v, p->cp_uid);
		break;
	case MIB_cmProcessConnections:
		mt_gauge(v, p->cp_conns);
		break;
	case MIB_cmProcessEstablished:
		mt_gauge(v, p->cp_established);
		break;
	case MIB_cmProcessCloseWait:
		mt_gauge(v, p->cp_close_wait);
		break;
	case MIB_cmProcessListeners:
		mt_gauge(v, p->cp_listeners);
		break;
	case MIB_cmProcessInOctets:
		mt_counter64(v, p->cp_octets_in);
		break;
	case MIB_cmProcessOutOctets:
		mt_counter64(v, p->cp_octets_out);
		break;
	case MIB_cmProcessInSegs:
		mt_counter64(v, p->cp_segs_in);
		break;
	case MIB_cmProcessOutSegs:
		mt_counter64(v, p->cp_segs_out);
		break;
	case MIB_cmProcessInOctetRate:
		mt_counter64(v, p->cp_rate_in);
		break;
	case MIB_cmProcessOutOctetRate:
		mt_counter64(v, p->cp_rate_out);
		break;
	case MIB_cmProcessInSegRate:
		mt_gauge(v, p->cp_seg_rate_in);
		break;
	case MIB_cmProcessOutSegRate:
		mt_gauge(v, p->cp_seg_rate_out);
		break;
	case MIB_cmProcessClosedConns:
		mt_counter64(v, p->cp_closed);
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid process_entry_oid[] = { OID_cmProcessEntry };
static struct mt_table process_table = {
	.mt_name = "cmProcessTable",
	.mt_entry = process_entry_oid,
	.mt_entry_len = OID_LENGTH(process_entry_oid),
	.mt_mincol = MIB_cmProcessName,
	.mt_maxcol = MIB_cmProcessClosedConns,
	.mt_count = process_count,
	.mt_index = process_index,
	.mt_value = process_value,
	.mt_version = conn_version,
	.mt_begin = conn_begin,
	.mt_end = conn_end,
};

/* cmListenTable: one row per listening address and port. */
static size_t
listen_count(void *arg)
{
	(void)arg;
	return cn_snap == NULL ? 0 : cn_snap->sn_nlisteners;
}

static size_t
listen_index(void *arg, size_t i, oid *idx)
{
	const struct ct_listener *l = &cn_snap->sn_listeners[i];
	size_t n;

	(void)arg;
	n = mt_index_inet(idx, is_v6(&l->cl_addr), l->cl_addr.ca_bytes);
	idx[n++] = l->cl_port;
	return n;
}

/* The queue as a percentage of the backlog; a backlog of 0 still
 * queues one connection (the kernel's test is length > limit). */
static uint64_t
listen_percent(const struct ct_listener *l)
{
	return (uint64_t)l->cl_queue * 100 /
	    (l->cl_backlog ? l->cl_backlog : 1);
}

static int
listen_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct ct_listener *l = &cn_snap->sn_listeners[i];

	(void)arg;
	switch (col) {
	case MIB_cmListenSockets:
		mt_gauge(v, l->cl_sockets);
		break;
	case MIB_cmListenProcess:
		mt_unsigned(v, l->cl_pid);
		break;
	case MIB_cmListenProcessName:
		mt_string(v, l->cl_comm, strnlen(l->cl_comm,
		    sizeof(l->cl_comm)));
		break;
	case MIB_cmListenUnit:
		mt_string(v, l->cl_unit, strnlen(l->cl_unit,
		    sizeof(l->cl_unit)));
		break;
	case MIB_cmListenUid:
		mt_unsigned(v, l->cl_uid);
		break;
	case MIB_cmListenQueue:
		mt_gauge(v, l->cl_queue);
		break;
	case MIB_cmListenBacklog:
		mt_gauge(v, l->cl_backlog);
		break;
	case MIB_cmListenQueuePercent:
		mt_gauge(v, listen_percent(l));
		break;
	case MIB_cmListenSynReceived:
		mt_gauge(v, l->cl_syn_recv);
		break;
	case MIB_cmListenAccepted:
		mt_counter64(v, l->cl_accepted);
		break;
	case MIB_cmListenAcceptRate:
		mt_gauge(v, l->cl_accept_rate);
		break;
	case MIB_cmListenOverflows:
		if (!cn_snap->sn_summary.cs_netstat_known)
			return -1;
		mt_counter64(v, l->cl_overflows);
		break;
	case MIB_cmListenDrops:
		if (!cn_snap->sn_summary.cs_netstat_known)
			return -1;
		mt_counter64(v, l->cl_drops);
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid listen_entry_oid[] = { OID_cmListenEntry };
static struct mt_table listen_table = {
	.mt_name = "cmListenTable",
	.mt_entry = listen_entry_oid,
	.mt_entry_len = OID_LENGTH(listen_entry_oid),
	.mt_mincol = MIB_cmListenSockets,
	.mt_maxcol = MIB_cmListenDrops,
	.mt_count = listen_count,
	.mt_index = listen_index,
	.mt_value = listen_value,
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
mib_connections_notify(void)
{
	static const unsigned cols[] = { MIB_cmClientConnections,
		MIB_cmClientInOctetRate, MIB_cmClientOutOctetRate };
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
		for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
			mibtable_varbind(&client_table, i, cols[c], &vars);
		notify_add_threshold(&vars, NT_CLIENT_CONNECTIONS);
		notify_add_threshold(&vars, NT_CLIENT_RATE);
		notify_report(NOTIFY_CLIENT_OVERLOAD, key, over, vars);
	}
	notify_round_end(NOTIFY_CLIENT_OVERLOAD);
	conn_end(NULL);
}

/* A listener's notify instance: family, address in hex, port. */
static void
listen_key(const struct ct_listener *l, char *key, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n, c;

	n = (size_t)snprintf(key, len, "%u", l->cl_addr.ca_family);
	for (c = 0; c < l->cl_addr.ca_len && n + 2 < len; c++) {
		key[n++] = hex[l->cl_addr.ca_bytes[c] >> 4];
		key[n++] = hex[l->cl_addr.ca_bytes[c] & 15];
	}
	snprintf(key + n, len - n, ":%u", l->cl_port);
}

/* cmListenQueueFull: a listener's accept queue above
 * listenQueueThreshold percent of its backlog at a refresh. */
static void
mib_listen_notify(void)
{
	static const unsigned cols[] = { MIB_cmListenQueue,
		MIB_cmListenBacklog, MIB_cmListenOverflows };
	static uint64_t last_refresh;
	uint32_t pct = notify_config.nc_listen_queue_pct;
	char key[64];
	size_t i, c;

	if (pct == 0 || monitor_conntab(cm_monitor) == NULL)
		return;
	conn_begin(NULL);
	if (cn_snap == NULL ||
	    cn_snap->sn_summary.cs_refreshes == last_refresh) {
		conn_end(NULL);
		return;
	}
	last_refresh = cn_snap->sn_summary.cs_refreshes;
	notify_round_begin(NOTIFY_LISTEN_QUEUE_FULL);
	for (i = 0; i < cn_snap->sn_nlisteners; i++) {
		const struct ct_listener *l = &cn_snap->sn_listeners[i];
		netsnmp_variable_list *vars = NULL;
		int over = listen_percent(l) > pct;

		listen_key(l, key, sizeof(key));
		if (!over && !notify_tracks(NOTIFY_LISTEN_QUEUE_FULL, key))
			continue;
		for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
			mibtable_varbind(&listen_table, i, cols[c], &vars);
		notify_add_threshold(&vars, NT_LISTEN_QUEUE);
		notify_report(NOTIFY_LISTEN_QUEUE_FULL, key, over, vars);
	}
	notify_round_end(NOTIFY_LISTEN_QUEUE_FULL);
	conn_end(NULL);
}

/* cmClientRetrans: a client's retransmitted segments over its data
 * segments sent in the last interval above clientRetransThreshold. */
static void
mib_retrans_notify(void)
{
	static const unsigned cols[] = { MIB_cmClientRetransRatioNow,
		MIB_cmClientRetransSegs, MIB_cmClientOutDataSegs };
	static uint64_t last_refresh;
	uint32_t limit = notify_config.nc_client_retrans_x100;
	char key[48];
	size_t i, c;

	if (limit == 0 || monitor_conntab(cm_monitor) == NULL)
		return;
	conn_begin(NULL);
	if (cn_snap == NULL ||
	    cn_snap->sn_summary.cs_refreshes == last_refresh) {
		conn_end(NULL);
		return;
	}
	last_refresh = cn_snap->sn_summary.cs_refreshes;
	notify_round_begin(NOTIFY_CLIENT_RETRANS);
	for (i = 0; i < cn_snap->sn_nclients; i++) {
		const struct ct_client *cl = &cn_snap->sn_clients[i];
		netsnmp_variable_list *vars = NULL;
		int over = cl->cc_retrans_ratio_now > limit;

		client_key(cl, key, sizeof(key));
		if (!over && !notify_tracks(NOTIFY_CLIENT_RETRANS, key))
			continue;
		for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
			mibtable_varbind(&client_table, i, cols[c], &vars);
		notify_add_threshold(&vars, NT_CLIENT_RETRANS);
		notify_report(NOTIFY_CLIENT_RETRANS, key, over, vars);
	}
	notify_round_end(NOTIFY_CLIENT_RETRANS);
	conn_end(NULL);
}

/* Registers the group when the monitor has a connection table (no
 * sock_diag: cmConnections is left out, the other groups serve). */
int
mib_connections_init(void)
{
	struct mt_table *tables[] = { &summary_table, &conn_table,
		&client_table, &listen_table, &retrans_top_table,
		&process_table, &client_conn_table };

	if (monitor_conntab(cm_monitor) == NULL)
		return 0;
	if (mibtable_register(tables, MIBTABLE_COUNT(tables)) == -1)
		return -1;
	if (notify_register_check(mib_listen_notify) == -1 ||
	    notify_register_check(mib_retrans_notify) == -1)
		return -1;
	return notify_register_check(mib_connections_notify);
}
