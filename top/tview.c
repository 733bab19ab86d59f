/*
 * tview: polling and drawing coremon-top's views; see tview.h.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tfmt.h"
#include "top_oids.h"
#include "tview.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))
#define HOUR	3600.0

/* Rows read of one table, at most: the agent caps its tables too
 * (maxConnections, topSize); this keeps a wrong agent from filling memory. */
#define TV_ROWS_MAX	200000

CM_OID(oid_if_entry, CM_IF_ENTRY);
CM_OID(oid_history_entry, CM_HISTORY_ENTRY);
CM_OID(oid_session_top_entry, CM_SESSION_TOP_ENTRY);
CM_OID(oid_host_top_entry, CM_HOST_TOP_ENTRY);
CM_OID(oid_client_entry, CM_CLIENT_ENTRY);
CM_OID(oid_client_conn_entry, CM_CLIENT_CONN_ENTRY);
CM_OID(oid_probe_entry, CM_PROBE_ENTRY);
CM_OID(oid_listen_entry, CM_LISTEN_ENTRY);
CM_OID(oid_process_entry, CM_PROCESS_ENTRY);

CM_OID(oid_agent_start_time, CM_AGENT_START_TIME);
CM_OID(oid_agent_sample_interval, CM_AGENT_SAMPLE_INTERVAL);
CM_OID(oid_sample_time, CM_SAMPLE_TIME);
CM_OID(oid_sample_interval, CM_SAMPLE_INTERVAL);
CM_OID(oid_samples_taken, 2, 6, 4, 0);	/* cmSamplesTaken */
CM_OID(oid_session_window_number, CM_SESSION_WINDOW_NUMBER);
CM_OID(oid_session_window_start, CM_SESSION_WINDOW_START);
CM_OID(oid_session_window_length, CM_SESSION_WINDOW_LENGTH);
CM_OID(oid_session_window_sessions, CM_SESSION_WINDOW_SESSIONS);
CM_OID(oid_host_top_window_start, CM_HOST_TOP_WINDOW_START);
CM_OID(oid_host_top_window_length, CM_HOST_TOP_WINDOW_LENGTH);
CM_OID(oid_host_entries, CM_HOST_ENTRIES);
CM_OID(oid_conn_num_total, CM_CONN_NUM_TOTAL);
CM_OID(oid_conn_num_clients, CM_CONN_NUM_CLIENTS);

static const int if_cols[] = { cmIfName, cmIfInOctetRate, cmIfOutOctetRate,
    cmIfInPacketRate, cmIfOutPacketRate, cmIfInOctets, cmIfOutOctets,
    cmIfRateValid };
static const int history_cols[] = { cmHistoryTime, cmHistoryRxOctetRate,
    cmHistoryTxOctetRate, cmHistoryValid };
static const int session_cols[] = { cmSessionTopProtocol,
    cmSessionTopAddressType, cmSessionTopLocalAddress,
    cmSessionTopRemoteAddress, cmSessionTopServicePort,
    cmSessionTopServiceName, cmSessionTopInOctets, cmSessionTopOutOctets,
    cmSessionTopInPackets, cmSessionTopOutPackets, cmSessionTopOctetRate };
static const int host_cols[] = { cmHostTopAddressType, cmHostTopAddress,
    cmHostTopName, cmHostTopInOctets, cmHostTopOutOctets,
    cmHostTopInPackets, cmHostTopOutPackets, cmHostTopOctetRate };
static const int client_cols[] = { cmClientConnections, cmClientEstablished,
    cmClientSynReceived, cmClientTimeWait, cmClientInOctetRate,
    cmClientOutOctetRate, cmClientSendQueue, cmClientRecvQueue,
    cmClientOldestAge, cmClientRetransRatio, cmClientRttMean };
static const int conn_cols[] = { cmClientConnState, cmClientConnProcess,
    cmClientConnProcessName, cmClientConnInOctetRate,
    cmClientConnOutOctetRate, cmClientConnSmoothedRtt,
    cmClientConnRetransSegs, cmClientConnSendQueue, cmClientConnRecvQueue };
static const int probe_cols[] = { cmProbeName, cmProbeHost, cmProbeStatus,
    cmProbeLastRtt, cmProbeAvgRtt, cmProbeMinRtt, cmProbeMaxRtt, cmProbeLoss,
    cmProbeSent, cmProbeReplies, cmProbeLastError };
static const int listen_cols[] = { cmListenProcess, cmListenProcessName,
    cmListenUnit, cmListenQueue, cmListenBacklog, cmListenQueuePercent,
    cmListenSynReceived, cmListenAcceptRate, cmListenOverflows,
    cmListenDrops, cmListenSockets };
static const int process_cols[] = { cmProcessName, cmProcessUnit,
    cmProcessConnections, cmProcessInOctets, cmProcessOutOctets,
    cmProcessInOctetRate, cmProcessOutOctetRate };

/* The grids' columns; the first number of each is its default sort. */
static const struct grid_col link_grid[] = {
	{ "Interface", 9, 1, 0 }, { "In", 11, 0, 1 }, { "Out", 11, 0, 1 },
	{ "In pkt/s", 9, 0, 1 }, { "Out pkt/s", 9, 0, 1 },
	{ "Total in", 9, 0, 1 }, { "Total out", 9, 0, 1 },
};
static const struct grid_col session_grid[] = {
	{ "#", 3, 0, 1 }, { "Proto", 5, 0, 0 }, { "Local", 15, 2, 0 },
	{ "Remote", 15, 2, 0 }, { "Service", 8, 1, 0 }, { "In", 8, 0, 1 },
	{ "Out", 8, 0, 1 }, { "Rate", 10, 0, 1 }, { "Pkts in", 7, 0, 1 },
	{ "Pkts out", 8, 0, 1 },
};
static const struct grid_col host_grid[] = {
	{ "#", 3, 0, 1 }, { "Host", 15, 2, 0 }, { "Name", 12, 3, 0 },
	{ "In", 9, 0, 1 }, { "Out", 9, 0, 1 }, { "Rate", 10, 0, 1 },
	{ "Pkts in", 7, 0, 1 }, { "Pkts out", 8, 0, 1 },
};
static const struct grid_col client_grid[] = {
	{ "Client", 15, 1, 0 }, { "Conns", 5, 0, 1 }, { "Estab", 5, 0, 1 },
	{ "SynRcv", 6, 0, 1 }, { "TimeWt", 6, 0, 1 }, { "In", 10, 0, 1 },
	{ "Out", 10, 0, 1 }, { "Retr%", 5, 0, 1 }, { "RTT", 8, 0, 1 },
	{ "SendQ", 6, 0, 1 }, { "RecvQ", 6, 0, 1 }, { "Oldest", 6, 0, 1 },
};
static const struct grid_col conn_grid[] = {
	{ "Local", 15, 1, 0 }, { "LPort", 5, 0, 1 }, { "RPort", 5, 0, 1 },
	{ "State", 7, 0, 0 }, { "Process", 10, 1, 0 }, { "In", 9, 0, 1 },
	{ "Out", 9, 0, 1 }, { "RTT", 8, 0, 1 }, { "Retr", 5, 0, 1 },
	{ "SendQ", 6, 0, 1 }, { "RecvQ", 6, 0, 1 },
};
static const struct grid_col probe_grid[] = {
	{ "Probe", 8, 1, 0 }, { "Host", 10, 1, 0 }, { "Status", 7, 0, 0 },
	{ "Last", 9, 0, 1 }, { "Avg", 9, 0, 1 }, { "Min", 9, 0, 1 },
	{ "Max", 9, 0, 1 }, { "Loss", 6, 0, 1 }, { "Sent", 5, 0, 1 },
	{ "Replies", 7, 0, 1 }, { "Error", 10, 2, 0 },
};
/* 80 columns hold all but the unit, which a wider terminal adds. */
static const struct grid_col listen_grid[] = {
	{ "Address", 15, 1, 0 }, { "Port", 5, 0, 1 }, { "Process", 10, 2, 0 },
	{ "Queue", 5, 0, 1 }, { "Backlog", 7, 0, 1 }, { "Fill", 4, 0, 1 },
	{ "SynRcv", 6, 0, 1 }, { "Acc/s", 6, 0, 1 }, { "Ovfl", 5, 0, 1 },
	{ "Drops", 5, 0, 1 }, { "Unit", 10, 2, 0 },
};
static const struct grid_col process_grid[] = {
	{ "PID", 7, 0, 1 }, { "Name", 10, 2, 0 }, { "Unit", 10, 1, 0 },
	{ "Conns", 5, 0, 1 }, { "In", 9, 0, 1 }, { "Out", 9, 0, 1 },
	{ "In/s", 10, 0, 1 }, { "Out/s", 10, 0, 1 },
};

static const char *const view_names[TV_COUNT] = {
	"Link", "Sessions", "Hosts", "Clients", "Probes", "Listeners",
	"Processes"
};

const char *
tview_name(enum tview_kind v)
{
	return v < TV_COUNT ? view_names[v] : "?";
}

void
tview_state_init(struct tview_state *st)
{
	memset(st, 0, sizeof(*st));
	/* Largest first where it matters: rates; ranks ascending. */
	st->ts_sort[TV_LINK] = 1;
	st->ts_desc[TV_LINK] = 1;
	st->ts_sort[TV_CLIENTS] = 1;
	st->ts_desc[TV_CLIENTS] = 1;
	/* The fullest queue, the busiest process first. */
	st->ts_sort[TV_LISTENERS] = 5;
	st->ts_desc[TV_LISTENERS] = 1;
	st->ts_sort[TV_PROCESSES] = 6;
	st->ts_desc[TV_PROCESSES] = 1;
	st->ts_sort[TV_COUNT] = 5;
	st->ts_desc[TV_COUNT] = 1;
}

void
tview_data_free(struct tview_data *d)
{
	tsnmp_table_clear(&d->td_ifs);
	tsnmp_table_clear(&d->td_sessions);
	tsnmp_table_clear(&d->td_hosts);
	tsnmp_table_clear(&d->td_clients);
	tsnmp_table_clear(&d->td_conns);
	tsnmp_table_clear(&d->td_probes);
	tsnmp_table_clear(&d->td_listeners);
	tsnmp_table_clear(&d->td_processes);
}

/* ---- polling ---------------------------------------------------------- */

static int
tview_poll_scalars(struct tview_data *d, struct tsnmp *ts, unsigned long *taken,
    char *err, size_t errlen)
{
	static const unsigned long *const oids[] = {
		oid_agent_start_time, oid_agent_sample_interval,
		oid_sample_time, oid_sample_interval, oid_samples_taken,
		oid_session_window_number, oid_session_window_start,
		oid_session_window_length, oid_session_window_sessions,
		oid_host_top_window_start, oid_host_top_window_length,
		oid_host_entries, oid_conn_num_total, oid_conn_num_clients,
	};
	static const size_t lens[] = {
		N(oid_agent_start_time), N(oid_agent_sample_interval),
		N(oid_sample_time), N(oid_sample_interval),
		N(oid_samples_taken), N(oid_session_window_number),
		N(oid_session_window_start), N(oid_session_window_length),
		N(oid_session_window_sessions), N(oid_host_top_window_start),
		N(oid_host_top_window_length), N(oid_host_entries),
		N(oid_conn_num_total), N(oid_conn_num_clients),
	};
	struct tsnmp_value v[N(oids)];
	size_t i;
	int rc;

	memset(v, 0, sizeof(v));
	rc = tsnmp_get(ts, oids, lens, N(oids), v, err, errlen);
	/* snmpd answers for a coremond that is gone: noSuchObject. */
	if (rc == 0 && !v[0].tv_set) {
		snprintf(err, errlen,
		    "no COREMON-MIB served (coremond not running?)");
		rc = -1;
	}
	if (rc == 0) {
		/* A new start time: a new agent, whose history is another. */
		if (v[0].tv_set && (v[0].tv_len != d->td_startlen ||
		    memcmp(v[0].tv_str, d->td_start, d->td_startlen) != 0) &&
		    v[0].tv_len <= sizeof(d->td_start)) {
			memcpy(d->td_start, v[0].tv_str, v[0].tv_len);
			d->td_startlen = v[0].tv_len;
			d->td_hist_count = 0;
			d->td_hist_last = 0;
		}
		d->td_sample_period = v[1].tv_num;
		d->td_sample_time = tfmt_dateandtime(v[2].tv_str, v[2].tv_len);
		d->td_sample_interval_ms = v[3].tv_num;
		*taken = v[4].tv_num;
		d->td_window_number = v[5].tv_num;
		d->td_window_start = tfmt_dateandtime(v[6].tv_str, v[6].tv_len);
		d->td_window_length_ms = v[7].tv_num;
		d->td_window_sessions = v[8].tv_num;
		d->td_host_window_start = tfmt_dateandtime(v[9].tv_str,
		    v[9].tv_len);
		d->td_host_window_length_ms = v[10].tv_num;
		d->td_host_entries = v[11].tv_num;
		d->td_conn_total = v[12].tv_num;
		d->td_conn_clients = v[13].tv_num;
	}
	for (i = 0; i < N(oids); i++)
		tsnmp_value_clear(&v[i]);
	return rc;
}

/* Reads the history rows after the last one read: only the last hour on
 * the first poll (the ring may hold 100,000 samples). */
static int
tview_fetch_history(struct tview_data *d, struct tsnmp *ts, unsigned long taken,
    struct tsnmp_table *t, char *err, size_t errlen)
{
	unsigned long after = d->td_hist_last;

	if (after == 0 && d->td_sample_period > 0 &&
	    taken > HOUR / d->td_sample_period + 1)
		after = taken - (unsigned long)(HOUR / d->td_sample_period) - 1;
	return tsnmp_walk(ts, oid_history_entry, N(oid_history_entry),
	    history_cols, N(history_cols), after ? &after : NULL, after ? 1 : 0,
	    TV_HIST_MAX, NULL, NULL, t, err, errlen);
}

static void
tview_apply_history(struct tview_data *d, const struct tsnmp_table *t)
{
	size_t i, keep;

	for (i = 0; i < t->tt_count; i++) {
		const struct tsnmp_row *r = &t->tt_rows[i];
		struct tview_hist *h;

		if (r->tr_indexlen != 1)
			continue;
		if (d->td_hist_count == TV_HIST_MAX) {
			memmove(d->td_hist, d->td_hist + 1,
			    (TV_HIST_MAX - 1) * sizeof(d->td_hist[0]));
			d->td_hist_count--;
		}
		h = &d->td_hist[d->td_hist_count++];
		h->th_time = tfmt_dateandtime(r->tr_val[0].tv_str,
		    r->tr_val[0].tv_len);
		h->th_rx = (double)r->tr_val[1].tv_num;
		h->th_tx = (double)r->tr_val[2].tv_num;
		h->th_valid = r->tr_val[3].tv_num == 1;	/* TruthValue true(1) */
		d->td_hist_last = r->tr_index[0];
	}
	/* Older than an hour before the newest: not drawn, dropped. */
	for (keep = 0; keep < d->td_hist_count &&
	    d->td_hist[keep].th_time < d->td_hist[d->td_hist_count - 1].th_time - HOUR; keep++)
		;
	if (keep > 0) {
		memmove(d->td_hist, d->td_hist + keep,
		    (d->td_hist_count - keep) * sizeof(d->td_hist[0]));
		d->td_hist_count -= keep;
	}
}

static struct tview_polls *
tview_polls_of(struct tview_data *d, unsigned long ifindex)
{
	size_t i;

	for (i = 0; i < d->td_npolls; i++)
		if (d->td_polls[i].tp_ifindex == ifindex)
			return &d->td_polls[i];
	if (d->td_npolls == TV_IFS_MAX)
		return NULL;
	memset(&d->td_polls[d->td_npolls], 0, sizeof(d->td_polls[0]));
	d->td_polls[d->td_npolls].tp_ifindex = ifindex;
	return &d->td_polls[d->td_npolls++];
}

static void
tview_record_polls(struct tview_data *d)
{
	size_t i;

	for (i = 0; i < d->td_ifs.tt_count; i++) {
		struct tsnmp_row *r = &d->td_ifs.tt_rows[i];
		struct tview_polls *p = tview_polls_of(d, r->tr_index[0]);

		if (p == NULL)
			continue;
		if (p->tp_count == TV_POLLS_MAX) {
			memmove(p->tp_rx, p->tp_rx + 1,
			    (TV_POLLS_MAX - 1) * sizeof(double));
			memmove(p->tp_tx, p->tp_tx + 1,
			    (TV_POLLS_MAX - 1) * sizeof(double));
			p->tp_count--;
		}
		p->tp_rx[p->tp_count] = (double)r->tr_val[1].tv_num;
		p->tp_tx[p->tp_count] = (double)r->tr_val[2].tv_num;
		p->tp_count++;
	}
}

/* One refresh's tables, read into here first: a refresh that fails half
 * way (coremond gone between two requests, whose walks then end at once
 * as if the tables were empty) leaves the last answer on the screen. */
struct tview_poll_set {
	struct tsnmp_table tps_table[TV_COUNT + 1];	/* +1: cmConnTable */
	int		tps_walked[TV_COUNT + 1];
	struct tsnmp_table tps_history;
};

static const struct tview_walk {
	const unsigned long *tw_entry;
	size_t		tw_entrylen;
	const int	*tw_cols;
	size_t		tw_ncols;
} tview_walks[TV_COUNT] = {
	[TV_LINK] = { oid_if_entry, N(oid_if_entry), if_cols, N(if_cols) },
	[TV_SESSIONS] = { oid_session_top_entry, N(oid_session_top_entry),
	    session_cols, N(session_cols) },
	[TV_HOSTS] = { oid_host_top_entry, N(oid_host_top_entry), host_cols,
	    N(host_cols) },
	[TV_CLIENTS] = { oid_client_entry, N(oid_client_entry), client_cols,
	    N(client_cols) },
	[TV_PROBES] = { oid_probe_entry, N(oid_probe_entry), probe_cols,
	    N(probe_cols) },
	[TV_LISTENERS] = { oid_listen_entry, N(oid_listen_entry), listen_cols,
	    N(listen_cols) },
	[TV_PROCESSES] = { oid_process_entry, N(oid_process_entry),
	    process_cols, N(process_cols) },
};

static void
tview_poll_set_clear(struct tview_poll_set *ps)
{
	int i;

	for (i = 0; i <= TV_COUNT; i++)
		tsnmp_table_clear(&ps->tps_table[i]);
	tsnmp_table_clear(&ps->tps_history);
}

/* The walk's prefix: the client's index (type, length, address). */
struct tview_prefix {
	unsigned long	tp_oid[2 + 16];
	size_t		tp_len;
};

/* Rows of cmClientConnTable under the prefix; past it, the walk ends. */
static int
tview_conn_in_prefix(const struct tsnmp_row *r, void *arg)
{
	const struct tview_prefix *p = arg;

	if (r->tr_indexlen <= p->tp_len ||
	    memcmp(r->tr_index, p->tp_oid, p->tp_len * sizeof(*p->tp_oid)))
		return -1;
	return 1;
}

/* One client's rows of cmClientConnTable, whose index begins with the
 * client: one walk of that prefix, whatever the host's other
 * connections (cmConnTable puts the client in the middle of its index:
 * through an AgentX master, walking it whole took 1.1-1.5 s for 10,000
 * rows, a round trip between master and subagent a row). */
static int
tview_fetch_conns(struct tsnmp *ts, const char *client, struct tsnmp_table *out,
    char *err, size_t errlen)
{
	struct tview_prefix p;
	unsigned char a[16];
	size_t i, len;

	if (inet_pton(AF_INET, client, a) == 1) {
		p.tp_oid[0] = 1;
		len = 4;
	} else if (inet_pton(AF_INET6, client, a) == 1) {
		p.tp_oid[0] = 2;
		len = 16;
	} else {
		snprintf(err, errlen, "%s: not an IPv4 or IPv6 address",
		    client);
		return -1;
	}
	p.tp_oid[1] = len;
	for (i = 0; i < len; i++)
		p.tp_oid[2 + i] = a[i];
	p.tp_len = 2 + len;
	if (tsnmp_walk(ts, oid_client_conn_entry, N(oid_client_conn_entry),
	    conn_cols, N(conn_cols), p.tp_oid, p.tp_len, TV_ROWS_MAX,
	    tview_conn_in_prefix, &p, out, err, errlen) == -1) {
		tsnmp_table_clear(out);
		return -1;
	}
	return 0;
}

/* The same agent still answers: its start time, as at the refresh's start. */
static int
tview_same_agent(const struct tview_data *d, struct tsnmp *ts, char *err,
    size_t errlen)
{
	static const unsigned long *const oids[] = { oid_agent_start_time };
	static const size_t lens[] = { N(oid_agent_start_time) };
	struct tsnmp_value v;
	int same;

	memset(&v, 0, sizeof(v));
	if (tsnmp_get(ts, oids, lens, 1, &v, err, errlen) == -1)
		return -1;
	same = v.tv_set && v.tv_len == d->td_startlen &&
	    memcmp(v.tv_str, d->td_start, v.tv_len) == 0;
	tsnmp_value_clear(&v);
	if (!same) {
		snprintf(err, errlen,
		    "coremond went away or restarted during the refresh");
		return -1;
	}
	return 0;
}

int
tview_poll(struct tview_data *d, const struct tview_state *st, struct tsnmp *ts,
    char *err, size_t errlen)
{
	struct tview_poll_set ps;
	struct tsnmp_table *dst[TV_COUNT + 1] = {
		[TV_LINK] = &d->td_ifs, [TV_SESSIONS] = &d->td_sessions,
		[TV_HOSTS] = &d->td_hosts, [TV_CLIENTS] = &d->td_clients,
		[TV_PROBES] = &d->td_probes, [TV_LISTENERS] = &d->td_listeners,
		[TV_PROCESSES] = &d->td_processes, [TV_COUNT] = &d->td_conns,
	};
	unsigned long taken = 0;
	int all = st->ts_all, v = st->ts_view, i;

	memset(&ps, 0, sizeof(ps));
	if (tview_poll_scalars(d, ts, &taken, err, errlen) == -1)
		return -1;
	/* The link table and the history every time (the poll graph goes on
	 * in every view); the others when shown; cmConnTable only while a
	 * client is chosen. */
	ps.tps_walked[TV_LINK] = 1;
	for (i = TV_SESSIONS; i < TV_COUNT; i++)
		ps.tps_walked[i] = all || v == i;
	ps.tps_walked[TV_COUNT] = st->ts_client_on && (all || v == TV_CLIENTS);
	for (i = 0; i < TV_COUNT; i++) {
		const struct tview_walk *w = &tview_walks[i];

		if (ps.tps_walked[i] &&
		    tsnmp_walk(ts, w->tw_entry, w->tw_entrylen,
		    w->tw_cols, w->tw_ncols, NULL, 0, TV_ROWS_MAX, NULL, NULL,
		    &ps.tps_table[i], err, errlen) == -1)
			goto fail;
	}
	if (ps.tps_walked[TV_COUNT] && tview_fetch_conns(ts, st->ts_client,
	    &ps.tps_table[TV_COUNT], err, errlen) == -1)
		goto fail;
	if (tview_fetch_history(d, ts, taken, &ps.tps_history, err,
	    errlen) == -1 || tview_same_agent(d, ts, err, errlen) == -1)
		goto fail;
	for (i = 0; i <= TV_COUNT; i++) {
		if (!ps.tps_walked[i])
			continue;
		tsnmp_table_clear(dst[i]);
		*dst[i] = ps.tps_table[i];
		memset(&ps.tps_table[i], 0, sizeof(ps.tps_table[i]));
		d->td_have[i < TV_COUNT ? i : TV_CLIENTS] = 1;
	}
	tview_record_polls(d);
	tview_apply_history(d, &ps.tps_history);
	tview_poll_set_clear(&ps);
	return 0;
fail:
	tview_poll_set_clear(&ps);
	return -1;
}

/* ---- drawing ---------------------------------------------------------- */

/* A value the agent did not give (SNMPv1 carries no Counter64, RFC 3584
 * section 4.2.2; a row that went away) is "-", sorted last. */
static int
tview_cell_missing(struct grid_row *r, int col, const struct tsnmp_value *v)
{
	if (v->tv_set)
		return 0;
	grid_set(r, col, -1, "-");
	return 1;
}

/* How tview_cell shows a number. */
enum tview_unit { TU_RATE, TU_BYTES, TU_COUNT };

/* A number in a cell: exact with -r (ts_raw), else scaled by its kind;
 * sorted by its value either way. */
static void
tview_cell(const struct tview_state *st, struct grid_row *r, int col,
    const struct tsnmp_value *v, enum tview_unit unit)
{
	char b[32];

	if (tview_cell_missing(r, col, v))
		return;
	if (st->ts_raw) {
		grid_set(r, col, (double)v->tv_num, "%llu",
		    (unsigned long long)v->tv_num);
		return;
	}
	if (unit == TU_RATE)
		tfmt_rate((double)v->tv_num, st->ts_bits, b, sizeof(b));
	else if (unit == TU_BYTES)
		tfmt_bytes((double)v->tv_num, b, sizeof(b));
	else
		tfmt_count((double)v->tv_num, b, sizeof(b));
	grid_set(r, col, (double)v->tv_num, "%s", b);
}

/* Hundredths (CmRateHundredths) as a count per second. */
static void
tview_cell_hundredths(struct grid_row *r, int col, const struct tsnmp_value *v)
{
	if (tview_cell_missing(r, col, v))
		return;
	grid_set(r, col, (double)v->tv_num / 100.0, "%.2f",
	    (double)v->tv_num / 100.0);
}

static void
tview_cell_usec(const struct tview_state *st, struct grid_row *r, int col,
    const struct tsnmp_value *v)
{
	char b[32];

	if (tview_cell_missing(r, col, v))
		return;
	if (st->ts_raw) {
		grid_set(r, col, (double)v->tv_num, "%llu",
		    (unsigned long long)v->tv_num);
		return;
	}
	tfmt_usec((double)v->tv_num, b, sizeof(b));
	grid_set(r, col, (double)v->tv_num, "%s", b);
}

static const char *
tview_proto_name(unsigned long p)
{
	switch (p) {
	case 1: return "icmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 47: return "gre";
	case 50: return "esp";
	case 58: return "icmp6";
	case 132: return "sctp";
	default: return NULL;
	}
}

static const char *
tview_state_name(unsigned long s)
{
	static const char *const n[] = { "?", "closed", "listen", "synSent",
	    "synRcvd", "estab", "finWt1", "finWt2", "closeWt", "lastAck",
	    "closing", "timeWt" };

	return s < N(n) ? n[s] : "?";
}

static const char *
tview_probe_status(unsigned long s)
{
	static const char *const n[] = { "?", "none", "ok", "timeout",
	    "unreach", "error" };

	return s < N(n) ? n[s] : "?";
}

static void
tview_fill_link(const struct tview_state *st, const struct tview_data *d,
    struct grid *g)
{
	size_t i;

	for (i = 0; i < d->td_ifs.tt_count; i++) {
		const struct tsnmp_row *x = &d->td_ifs.tt_rows[i];
		const struct tsnmp_value *v = x->tr_val;
		struct grid_row *r = grid_add(g);

		if (r == NULL)
			return;
		grid_set(r, 0, 0, "%s", v[0].tv_str ? v[0].tv_str : "?");
		snprintf(r->gr_key, sizeof(r->gr_key), "%lu", x->tr_index[0]);
		/* cmIfRateValid false(2): the interval's rates are no rates. */
		if (v[7].tv_num == 2) {
			grid_set(r, 1, -1, "invalid");
			grid_set(r, 2, -1, "invalid");
		} else {
			tview_cell(st, r, 1, &v[1], TU_RATE);
			tview_cell(st, r, 2, &v[2], TU_RATE);
		}
		tview_cell_hundredths(r, 3, &v[3]);
		tview_cell_hundredths(r, 4, &v[4]);
		tview_cell(st, r, 5, &v[5], TU_BYTES);
		tview_cell(st, r, 6, &v[6], TU_BYTES);
	}
}

static void
tview_fill_sessions(const struct tview_state *st, const struct tview_data *d,
    struct grid *g)
{
	char a[64], b[64];
	size_t i;

	for (i = 0; i < d->td_sessions.tt_count; i++) {
		const struct tsnmp_row *x = &d->td_sessions.tt_rows[i];
		const struct tsnmp_value *v = x->tr_val;
		struct grid_row *r = grid_add(g);
		const char *p = tview_proto_name(v[0].tv_num);

		if (r == NULL)
			return;
		grid_set(r, 0, (double)x->tr_index[0], "%lu", x->tr_index[0]);
		if (p != NULL)
			grid_set(r, 1, (double)v[0].tv_num, "%s", p);
		else
			grid_set(r, 1, (double)v[0].tv_num, "%lu",
			    (unsigned long)v[0].tv_num);
		tfmt_inet((int)v[1].tv_num, v[2].tv_str, v[2].tv_len, a,
		    sizeof(a));
		tfmt_inet((int)v[1].tv_num, v[3].tv_str, v[3].tv_len, b,
		    sizeof(b));
		grid_set(r, 2, 0, "%s", a);
		grid_set(r, 3, 0, "%s", b);
		if (v[4].tv_num)
			grid_set(r, 4, (double)v[4].tv_num, "%s/%lu",
			    v[5].tv_str ? v[5].tv_str : "",
			    (unsigned long)v[4].tv_num);
		else
			grid_set(r, 4, 0, "%s", v[5].tv_str ? v[5].tv_str : "");
		tview_cell(st, r, 5, &v[6], TU_BYTES);
		tview_cell(st, r, 6, &v[7], TU_BYTES);
		tview_cell(st, r, 7, &v[10], TU_RATE);
		tview_cell(st, r, 8, &v[8], TU_COUNT);
		tview_cell(st, r, 9, &v[9], TU_COUNT);
	}
}

static void
tview_fill_hosts(const struct tview_state *st, const struct tview_data *d,
    struct grid *g)
{
	char a[64];
	size_t i;

	for (i = 0; i < d->td_hosts.tt_count; i++) {
		const struct tsnmp_row *x = &d->td_hosts.tt_rows[i];
		const struct tsnmp_value *v = x->tr_val;
		struct grid_row *r = grid_add(g);

		if (r == NULL)
			return;
		grid_set(r, 0, (double)x->tr_index[0], "%lu", x->tr_index[0]);
		tfmt_inet((int)v[0].tv_num, v[1].tv_str, v[1].tv_len, a,
		    sizeof(a));
		grid_set(r, 1, 0, "%s", a);
		grid_set(r, 2, 0, "%s", v[2].tv_str &&
		    v[2].tv_str[0] ? v[2].tv_str : "-");
		tview_cell(st, r, 3, &v[3], TU_BYTES);
		tview_cell(st, r, 4, &v[4], TU_BYTES);
		tview_cell(st, r, 5, &v[7], TU_RATE);
		tview_cell(st, r, 6, &v[5], TU_COUNT);
		tview_cell(st, r, 7, &v[6], TU_COUNT);
	}
}

static void
tview_fill_clients(const struct tview_state *st, const struct tview_data *d,
    struct grid *g)
{
	char addr[16], a[64];
	size_t i, alen;
	int type;

	for (i = 0; i < d->td_clients.tt_count; i++) {
		const struct tsnmp_row *x = &d->td_clients.tt_rows[i];
		const struct tsnmp_value *v = x->tr_val;
		struct grid_row *r;

		if (tfmt_inet_index(x->tr_index, x->tr_indexlen, &type, addr,
		    &alen) == 0)
			continue;
		if ((r = grid_add(g)) == NULL)
			return;
		tfmt_inet(type, addr, alen, a, sizeof(a));
		grid_set(r, 0, 0, "%s", a);
		snprintf(r->gr_key, sizeof(r->gr_key), "%s", a);
		grid_set(r, 1, (double)v[0].tv_num, "%lu",
		    (unsigned long)v[0].tv_num);
		grid_set(r, 2, (double)v[1].tv_num, "%lu",
		    (unsigned long)v[1].tv_num);
		grid_set(r, 3, (double)v[2].tv_num, "%lu",
		    (unsigned long)v[2].tv_num);
		grid_set(r, 4, (double)v[3].tv_num, "%lu",
		    (unsigned long)v[3].tv_num);
		tview_cell(st, r, 5, &v[4], TU_RATE);
		tview_cell(st, r, 6, &v[5], TU_RATE);
		/* Retransmitted share of the data segments sent; RTT the mean
		 * smoothed RTT, absent (-) when no connection has tcp_info. */
		if (!tview_cell_missing(r, 7, &v[9]))
			grid_set(r, 7, (double)v[9].tv_num / 100.0, "%.2f",
			    (double)v[9].tv_num / 100.0);
		tview_cell_usec(st, r, 8, &v[10]);
		tview_cell(st, r, 9, &v[6], TU_COUNT);
		tview_cell(st, r, 10, &v[7], TU_COUNT);
		grid_set(r, 11, (double)v[8].tv_num, "%lus",
		    (unsigned long)v[8].tv_num);
	}
}

static void
tview_fill_conns(const struct tview_state *st, const struct tview_data *d,
    struct grid *g)
{
	char laddr[16], raddr[16], l[64], rem[64];
	size_t i, llen, rlen, n, m;
	int ltype, rtype;

	for (i = 0; i < d->td_conns.tt_count; i++) {
		const struct tsnmp_row *x = &d->td_conns.tt_rows[i];
		const struct tsnmp_value *v = x->tr_val;
		struct grid_row *r;

		/* remote type, len, addr, local type, len, addr, port,
		 * remote port */
		m = tfmt_inet_index(x->tr_index, x->tr_indexlen, &rtype, raddr,
		    &rlen);
		if (m == 0 || m >= x->tr_indexlen)
			continue;
		n = tfmt_inet_index(x->tr_index + m, x->tr_indexlen - m,
		    &ltype, laddr, &llen);
		if (n == 0 || m + n + 2 != x->tr_indexlen)
			continue;
		tfmt_inet(rtype, raddr, rlen, rem, sizeof(rem));
		if (strcmp(rem, st->ts_client) != 0)
			continue;
		if ((r = grid_add(g)) == NULL)
			return;
		tfmt_inet(ltype, laddr, llen, l, sizeof(l));
		grid_set(r, 0, 0, "%s", l);
		grid_set(r, 1, (double)x->tr_index[m + n], "%lu",
		    x->tr_index[m + n]);
		grid_set(r, 2, (double)x->tr_index[m + n + 1], "%lu",
		    x->tr_index[m + n + 1]);
		grid_set(r, 3, (double)v[0].tv_num, "%s",
		    tview_state_name(v[0].tv_num));
		if (v[1].tv_num)
			grid_set(r, 4, 0, "%s/%lu",
			    v[2].tv_str ? v[2].tv_str : "",
			    (unsigned long)v[1].tv_num);
		else
			grid_set(r, 4, 0, "-");
		tview_cell(st, r, 5, &v[3], TU_RATE);
		tview_cell(st, r, 6, &v[4], TU_RATE);
		tview_cell_usec(st, r, 7, &v[5]);
		grid_set(r, 8, (double)v[6].tv_num, "%lu",
		    (unsigned long)v[6].tv_num);
		tview_cell(st, r, 9, &v[7], TU_COUNT);
		tview_cell(st, r, 10, &v[8], TU_COUNT);
	}
}

static void
tview_fill_probes(const struct tview_state *st, const struct tview_data *d,
    struct grid *g)
{
	size_t i;
	int c;

	for (i = 0; i < d->td_probes.tt_count; i++) {
		const struct tsnmp_row *x = &d->td_probes.tt_rows[i];
		const struct tsnmp_value *v = x->tr_val;
		struct grid_row *r = grid_add(g);

		if (r == NULL)
			return;
		grid_set(r, 0, 0, "%s", v[0].tv_str ? v[0].tv_str : "");
		grid_set(r, 1, 0, "%s", v[1].tv_str ? v[1].tv_str : "");
		grid_set(r, 2, (double)v[2].tv_num, "%s",
		    tview_probe_status(v[2].tv_num));
		for (c = 3; c <= 6; c++)
			tview_cell_usec(st, r, c, &v[c]);
		grid_set(r, 7, (double)v[7].tv_num / 100.0, "%.2f%%",
		    (double)v[7].tv_num / 100.0);
		grid_set(r, 8, (double)v[8].tv_num, "%lu",
		    (unsigned long)v[8].tv_num);
		grid_set(r, 9, (double)v[9].tv_num, "%lu",
		    (unsigned long)v[9].tv_num);
		grid_set(r, 10, 0, "%s", v[10].tv_str ? v[10].tv_str : "");
	}
}

/* A process as "name/pid", "-" for none known (pid 0). */
static void
tview_cell_process(struct grid_row *r, int col, const struct tsnmp_value *pid,
    const struct tsnmp_value *name)
{
	if (pid->tv_num)
		grid_set(r, col, 0, "%s/%lu", name->tv_str ? name->tv_str : "",
		    (unsigned long)pid->tv_num);
	else
		grid_set(r, col, 0, "-");
}

static void
tview_fill_listeners(const struct tview_state *st, const struct tview_data *d,
    struct grid *g)
{
	char addr[16], a[64];
	size_t i, alen, n;
	int type;

	for (i = 0; i < d->td_listeners.tt_count; i++) {
		const struct tsnmp_row *x = &d->td_listeners.tt_rows[i];
		const struct tsnmp_value *v = x->tr_val;
		struct grid_row *r;

		/* type, length, address, port */
		n = tfmt_inet_index(x->tr_index, x->tr_indexlen, &type, addr,
		    &alen);
		if (n == 0 || n + 1 != x->tr_indexlen)
			continue;
		if ((r = grid_add(g)) == NULL)
			return;
		tfmt_inet(type, addr, alen, a, sizeof(a));
		grid_set(r, 0, 0, "%s", a);
		grid_set(r, 1, (double)x->tr_index[n], "%lu", x->tr_index[n]);
		tview_cell_process(r, 2, &v[0], &v[1]);
		tview_cell(st, r, 3, &v[3], TU_COUNT);
		tview_cell(st, r, 4, &v[4], TU_COUNT);
		if (!tview_cell_missing(r, 5, &v[5]))
			grid_set(r, 5, (double)v[5].tv_num, "%lu%%",
			    (unsigned long)v[5].tv_num);
		tview_cell(st, r, 6, &v[6], TU_COUNT);
		tview_cell_hundredths(r, 7, &v[7]);
		tview_cell(st, r, 8, &v[8], TU_COUNT);
		tview_cell(st, r, 9, &v[9], TU_COUNT);
		grid_set(r, 10, 0, "%s", v[2].tv_str &&
		    v[2].tv_str[0] ? v[2].tv_str : "-");
	}
}

static void
tview_fill_processes(const struct tview_state *st, const struct tview_data *d,
    struct grid *g)
{
	size_t i;

	for (i = 0; i < d->td_processes.tt_count; i++) {
		const struct tsnmp_row *x = &d->td_processes.tt_rows[i];
		const struct tsnmp_value *v = x->tr_val;
		struct grid_row *r;

		if (x->tr_indexlen != 1 || (r = grid_add(g)) == NULL)
			continue;
		/* Row 0: sockets whose process is not known (MIB). */
		if (x->tr_index[0])
			grid_set(r, 0, (double)x->tr_index[0], "%lu",
			    x->tr_index[0]);
		else
			grid_set(r, 0, 0, "-");
		grid_set(r, 1, 0, "%s", v[0].tv_str &&
		    v[0].tv_str[0] ? v[0].tv_str : "-");
		grid_set(r, 2, 0, "%s", v[1].tv_str &&
		    v[1].tv_str[0] ? v[1].tv_str : "-");
		grid_set(r, 3, (double)v[2].tv_num, "%lu",
		    (unsigned long)v[2].tv_num);
		tview_cell(st, r, 4, &v[3], TU_BYTES);
		tview_cell(st, r, 5, &v[4], TU_BYTES);
		tview_cell(st, r, 6, &v[5], TU_RATE);
		tview_cell(st, r, 7, &v[6], TU_RATE);
	}
}

/* Columns of a chart: the terminal's width but the scale, or 80 columns
 * worth in batch mode. */
static int
tview_chart_width(const struct screen *s)
{
	return (s->s_fit ? s->s_width : 80) - 12;
}

/* A chart of height rows: column i shows rx[i] and tx[i] against the
 * largest value; '#' where both reach, 'i' in only, 'o' out only. */
static void
tview_chart(const struct tview_state *st, struct screen *s, const double *rx,
    const double *tx, size_t n, int height)
{
	char line[SCREEN_WIDTH_MAX], top[32];
	double max = 0;
	int width = tview_chart_width(s), row;
	size_t i, first;

	if (width < 10 || height < 1)
		return;
	first = n > (size_t)width ? n - (size_t)width : 0;
	for (i = first; i < n; i++) {
		if (rx[i] > max)
			max = rx[i];
		if (tx[i] > max)
			max = tx[i];
	}
	for (row = height; row >= 1; row--) {
		double level = max * (row - 0.5) / height;
		size_t at = 0;

		if (row == height) {
			tfmt_rate(max, st->ts_bits, top, sizeof(top));
			snprintf(line, sizeof(line), "%11s ", top);
		} else if (row == 1)
			snprintf(line, sizeof(line), "%11s ",
			st->ts_bits ? "0 bit/s" : "0 B/s");
		else
			snprintf(line, sizeof(line), "%11s ", "");
		at = strlen(line);
		for (i = first; i < n && at + 1 < sizeof(line); i++) {
			int in = max > 0 && rx[i] >= level, out = max > 0 &&
			    tx[i] >= level;

			line[at++] = in &&
			    out ? '#' : in ? 'i' : out ? 'o' : ' ';
		}
		line[at] = '\0';
		screen_add(s, SL_GRAPH, "%s", line);
	}
}

/* Under the hour's chart: minutes before its newest sample. */
static void
tview_time_axis(struct screen *s, int width)
{
	char line[SCREEN_WIDTH_MAX];
	int k, at, len = 12 + width;

	if (len >= (int)sizeof(line))
		return;
	memset(line, ' ', (size_t)len);
	line[len] = '\0';
	for (k = 0; k < 4; k++) {
		char lab[8];
		int n = snprintf(lab, sizeof(lab), "-%dm", 60 - 15 * k);

		at = 12 + width * k / 4;
		if (n > 0 && at + n < len)
			memcpy(line + at, lab, (size_t)n);
	}
	memcpy(line + len - 3, "now", 3);
	screen_add(s, SL_GRAPH, "%s", line);
}

/* The last hour of cmHistoryTable in columns of equal time, each the
 * largest rate of its samples (a peak stays visible). */
static void
tview_render_history(const struct tview_state *st, const struct tview_data *d,
    struct screen *s, int height)
{
	static double rx[SCREEN_WIDTH_MAX], tx[SCREEN_WIDTH_MAX];
	int width = tview_chart_width(s), col;
	double end, span;
	size_t i;

	if (d->td_hist_count == 0 || width < 10) {
		screen_add(s, SL_INFO, "last hour: no history yet");
		return;
	}
	end = d->td_hist[d->td_hist_count - 1].th_time;
	span = HOUR / width;
	memset(rx, 0, sizeof(rx));
	memset(tx, 0, sizeof(tx));
	for (i = 0; i < d->td_hist_count; i++) {
		const struct tview_hist *h = &d->td_hist[i];

		col = width - 1 - (int)((end - h->th_time) / span);
		if (col < 0 || col >= width || !h->th_valid)
			continue;
		if (h->th_rx > rx[col])
			rx[col] = h->th_rx;
		if (h->th_tx > tx[col])
			tx[col] = h->th_tx;
	}
	screen_add(s, SL_INFO,
	    "last hour, all but loopback (cmHistoryTable, %zu samples): i in, o out, # both",
	    d->td_hist_count);
	tview_chart(st, s, rx, tx, (size_t)width, height);
	tview_time_axis(s, width);
}

static void
tview_render_link(struct tview_state *st, const struct tview_data *d,
    struct screen *s, struct grid *g, size_t height)
{
	const struct tview_polls *p = NULL;
	char t[32];
	size_t i, rows = g->g_count, used;
	int graph;

	tfmt_clock(d->td_sample_time, 1, t, sizeof(t));
	screen_add(s, SL_INFO, "rates of the agent's sample at %s over %.2f s",
	    t, d->td_sample_interval_ms / 1000.0);
	used = s->s_count + 1 + rows;
	grid_render(g, s, st->ts_sort[TV_LINK], st->ts_desc[TV_LINK], 0, rows,
	    height ? st->ts_cursor[TV_LINK] : -1);
	/* Two charts share what is left: the hour and the polls. */
	graph = height ? ((int)height - (int)used - 4) / 2 : 6;
	if (graph > 8)
		graph = 8;
	if (graph < 2)
		return;
	tview_render_history(st, d, s, graph);
	if (st->ts_cursor[TV_LINK] >= 0 &&
	    (size_t)st->ts_cursor[TV_LINK] < g->g_count) {
		const struct grid_row *r = &g->g_rows[st->ts_cursor[TV_LINK]];

		for (i = 0; i < d->td_npolls; i++)
			if (strtoul(r->gr_key, NULL,
			    10) == d->td_polls[i].tp_ifindex)
				p = &d->td_polls[i];
		if (p != NULL) {
			screen_add(s, SL_INFO,
			    "%s, polls since start (%zu): i in, o out, # both",
			    r->gr_cell[0], p->tp_count);
			tview_chart(st, s, p->tp_rx, p->tp_tx, p->tp_count,
			    graph);
		}
	}
}

int
tview_columns(const struct tview_state *st)
{
	switch (st->ts_view) {
	case TV_LINK: return (int)N(link_grid);
	case TV_SESSIONS: return (int)N(session_grid);
	case TV_HOSTS: return (int)N(host_grid);
	case TV_CLIENTS: return st->ts_client_on ? (int)N(conn_grid) : (int)N(client_grid);
	case TV_PROBES: return (int)N(probe_grid);
	case TV_LISTENERS: return (int)N(listen_grid);
	case TV_PROCESSES: return (int)N(process_grid);
	default: return 0;
	}
}

/* The rows shown: a window that keeps the cursor in sight. */
static size_t
tview_window_first(long cursor, size_t rows, size_t fit)
{
	if (fit == 0 || rows <= fit || cursor < (long)fit)
		return 0;
	return (size_t)cursor - fit + 1;
}

void
tview_render(struct tview_state *st, const struct tview_data *d,
    enum tview_kind v, struct screen *s, size_t height)
{
	struct grid g;
	char t[32];
	int slot = v, any = 0;
	size_t fit;

	switch (v) {
	case TV_LINK:
		grid_init(&g, link_grid, N(link_grid));
		tview_fill_link(st, d, &g);
		break;
	case TV_SESSIONS:
		grid_init(&g, session_grid, N(session_grid));
		tview_fill_sessions(st, d, &g);
		tfmt_clock(d->td_window_start, 0, t, sizeof(t));
		screen_add(s, SL_INFO,
		    "window %lu from %s, %.1f s, %lu sessions; top %zu",
		    d->td_window_number, t, d->td_window_length_ms / 1000.0,
		    d->td_window_sessions, d->td_sessions.tt_count);
		break;
	case TV_HOSTS:
		grid_init(&g, host_grid, N(host_grid));
		tview_fill_hosts(st, d, &g);
		tfmt_clock(d->td_host_window_start, 0, t, sizeof(t));
		screen_add(s, SL_INFO,
		    "window from %s, %.1f s; %lu hosts known; top %zu",
		    t, d->td_host_window_length_ms / 1000.0, d->td_host_entries,
		    d->td_hosts.tt_count);
		break;
	case TV_CLIENTS:
		if (st->ts_client_on) {
			slot = TV_COUNT;
			grid_init(&g, conn_grid, N(conn_grid));
			tview_fill_conns(st, d, &g);
			screen_add(s, SL_INFO,
			    "connections of client %s: %zu (Esc: back to the clients)",
			    st->ts_client, g.g_count);
		} else {
			grid_init(&g, client_grid, N(client_grid));
			tview_fill_clients(st, d, &g);
			screen_add(s, SL_INFO,
			    "%lu connections, %lu clients (Enter: a client's connections)",
			    d->td_conn_total, d->td_conn_clients);
		}
		break;
	case TV_PROBES:
		grid_init(&g, probe_grid, N(probe_grid));
		tview_fill_probes(st, d, &g);
		screen_add(s, SL_INFO, "%zu probes", d->td_probes.tt_count);
		break;
	case TV_LISTENERS:
		grid_init(&g, listen_grid, N(listen_grid));
		tview_fill_listeners(st, d, &g);
		screen_add(s, SL_INFO,
		    "%zu listeners (Fill: queue of backlog; Ovfl, Drops: TcpExt's attributed)",
		    d->td_listeners.tt_count);
		break;
	case TV_PROCESSES:
		grid_init(&g, process_grid, N(process_grid));
		tview_fill_processes(st, d, &g);
		screen_add(s, SL_INFO,
		    "%zu processes (PID -: sockets of no known process)",
		    d->td_processes.tt_count);
		break;
	default:
		return;
	}
	any = d->td_have[v];
	grid_filter(&g, st->ts_filter);
	grid_sort(&g, st->ts_sort[slot], st->ts_desc[slot]);
	if (st->ts_cursor[slot] >= (long)g.g_count)
		st->ts_cursor[slot] = g.g_count ? (long)g.g_count - 1 : 0;
	if (st->ts_cursor[slot] < 0)
		st->ts_cursor[slot] = 0;
	st->ts_under_cursor[0] = '\0';
	if (v == TV_CLIENTS && !st->ts_client_on && g.g_count > 0)
		snprintf(st->ts_under_cursor, sizeof(st->ts_under_cursor), "%s",
		    g.g_rows[st->ts_cursor[slot]].gr_key);
	if (v == TV_LINK)
		tview_render_link(st, d, s, &g, height);
	else {
		fit = height > s->s_count + 1 ? height - s->s_count - 1 : 0;
		grid_render(&g, s, st->ts_sort[slot], st->ts_desc[slot],
		    tview_window_first(st->ts_cursor[slot], g.g_count, fit),
		    height ? fit : g.g_count,
		    height ? st->ts_cursor[slot] : -1);
	}
	if (!any)
		screen_add(s, SL_INFO, "(no answer yet)");
	else if (g.g_count == 0)
		screen_add(s, SL_INFO,
		    st->ts_filter[0] ? "(no row holds \"%s\")" : "(empty%s)",
		    st->ts_filter);
	grid_clear(&g);
}
