/*
 * conntab: the host's TCP connections with their rates, and the same summed
 * per client (remote address), as immutable snapshots.
 *
 * A refresh dumps every TCP socket (sockdiag), matches each to its row of
 * the previous snapshot by socket cookie -- never by addresses and ports, a
 * reused 4-tuple is a new connection -- computes rates over the interval
 * between the two refreshes, attributes sockets to processes (procpid) and
 * publishes a new snapshot.  Snapshots are reference counted
 * (src/snapshot) and never change once published: a reader holds one
 * for as long as it serves from it while newer ones are built.
 *
 * Rows are sorted in TCP-MIB's tcpConnectionEntry index order (RFC 4022
 * section 3): local address type (IPv4 before IPv6), local address, local
 * port, remote address type, remote address, remote port.  Addresses are
 * typed by family, and AF_INET (2) < AF_INET6 (10) gives that order.
 * Listening sockets are not rows: they are the listener table
 * (src/conns/listeners), sorted by (family, address, port).  Clients are
 * sorted by (family, address), with their TCP health (retransmissions,
 * RTTs, limited shares) and a top of the last interval's retransmission
 * ratio.  The process table (src/conns/proctab) sums each connection's
 * growth by owner, with the last growth of connections that closed
 * between refreshes from the kernel's destroyed-socket notices.
 *
 * Cost of a refresh: one qsort of the rows, one of the client index, one
 * of the (owner, row) pairs, and O(1) cookie lookups in a keyed hash
 * (src/hash) of the previous snapshot's rows.  Memory: a row is 280
 * bytes, about 292 a row with its share of the cookie hash and the
 * clients; while refreshing, the dump (168 bytes a socket), sort scratch
 * (24) and owner cache (about 40) come on top (tests/tools/bench_conntab
 * measures it).
 *
 * Threads: one thread refreshes (conntab_refresh*, conntab_build); any
 * thread may acquire and release; conntab_free once no thread acquires.
 */
#ifndef CONNTAB_H
#define CONNTAB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conns/sockdiag.h"
#include "lib/snapshot.h"

#define CT_INTERVAL_DEFAULT_MS	5000	/* connRefresh */
#define CT_MAX_CONNS_DEFAULT	262144
#define CT_COMM_MAX		16

/* TCP-MIB tcpConnectionState (RFC 4022). */
enum ct_state {
	CT_STATE_CLOSED = 1,
	CT_STATE_LISTEN,
	CT_STATE_SYN_SENT,
	CT_STATE_SYN_RECEIVED,
	CT_STATE_ESTABLISHED,
	CT_STATE_FIN_WAIT1,
	CT_STATE_FIN_WAIT2,
	CT_STATE_CLOSE_WAIT,
	CT_STATE_LAST_ACK,
	CT_STATE_CLOSING,
	CT_STATE_TIME_WAIT,
	CT_STATE_MAX = CT_STATE_TIME_WAIT
};

struct ct_addr {
	uint8_t		ca_family;	/* AF_INET or AF_INET6 */
	uint8_t		ca_len;		/* 4 or 16 */
	uint8_t		ca_bytes[16];	/* network order, zero past ca_len */
};

/* A row's index, in the order of its parts. */
struct ct_index {
	struct ct_addr	ci_local;
	uint16_t	ci_local_port;
	struct ct_addr	ci_remote;
	uint16_t	ci_remote_port;
};

/* cr_flags */
#define CT_ROW_RATES_VALID	0x01	/* seen at the previous refresh too */
#define CT_ROW_HAVE_INFO	0x02	/* kernel gave tcp_info this time */
#define CT_ROW_AGE_AT_LEAST	0x04	/* open before our first refresh */
#define CT_ROW_ACCEPTED		0x08	/* has (or had) a socket: accept()ed */
#define CT_ROW_NEW_ACCEPT	0x10	/* accepted since the last refresh */

struct ct_row {
	struct ct_index	cr_index;
	uint8_t		cr_state;	/* enum ct_state */
	uint8_t		cr_flags;
	uint16_t	cr_info_len;	/* bytes of tcp_info; fields past it 0 */
	uint32_t	cr_pid;		/* 0 when unknown or switched off */
	uint32_t	cr_uid;
	uint32_t	cr_inode;
	uint64_t	cr_cookie;
	/*
	 * Counters since the connection opened (RFC 4898 names).  Octets
	 * are the kernel's own: tcpi_bytes_acked counts the SYN of an active
	 * open and a FIN, as ss shows it.  The 32-bit kernel segment counters
	 * are carried to 64 bits across refreshes of the same cookie.  A
	 * socket without tcp_info (TIME_WAIT, request sockets) keeps the
	 * counters its cookie had at the previous refresh, else 0.
	 */
	uint64_t	cr_octets_out;		/* tcpi_bytes_acked */
	uint64_t	cr_octets_in;		/* tcpi_bytes_received */
	uint64_t	cr_octets_retrans;	/* tcpi_bytes_retrans */
	uint64_t	cr_segs_out;		/* tcpi_segs_out */
	uint64_t	cr_segs_in;		/* tcpi_segs_in */
	uint64_t	cr_data_segs_out;	/* tcpi_data_segs_out */
	uint64_t	cr_data_segs_in;	/* tcpi_data_segs_in */
	uint64_t	cr_retrans_segs;	/* tcpi_total_retrans */
	/* Rates over the interval since the previous refresh; 0 unless
	 * CT_ROW_RATES_VALID. */
	uint64_t	cr_rate_out;		/* octets per second */
	uint64_t	cr_rate_in;
	uint32_t	cr_seg_rate_out;	/* hundredths of segments/s */
	uint32_t	cr_seg_rate_in;
	uint32_t	cr_wqueue;		/* idiag_wqueue, octets */
	uint32_t	cr_rqueue;		/* idiag_rqueue, octets */
	uint32_t	cr_rtt_us;		/* tcpi_rtt */
	uint32_t	cr_rttvar_us;		/* tcpi_rttvar */
	uint32_t	cr_snd_cwnd;		/* segments */
	uint32_t	cr_age;			/* seconds since first seen */
	uint64_t	cr_delivery_rate;	/* octets per second */
	int64_t		cr_first_seen_ns;	/* CLOCK_MONOTONIC */
	char		cr_comm[CT_COMM_MAX];	/* "" when unknown */
	/* TCP health.  cr_info_have says which fields the kernel's
	 * tcp_info has (SD_HAVE_*); the others are unknown, not 0. */
	uint8_t		cr_info_have;
	uint32_t	cr_min_rtt_us;		/* tcpi_min_rtt; ~0U: none */
	uint64_t	cr_busy_us;		/* tcpi_busy_time */
	uint64_t	cr_rwnd_limited_us;	/* tcpi_rwnd_limited */
	uint64_t	cr_sndbuf_limited_us;	/* tcpi_sndbuf_limited */
	/* Growth since the previous refresh; 0 unless
	 * CT_ROW_RATES_VALID. */
	uint32_t	cr_retrans_delta;	/* segments */
	uint32_t	cr_data_segs_delta;	/* data segments sent */
	uint64_t	cr_busy_delta_us;
	/* Growth since the previous refresh, for the process table: all
	 * of the counters for a connection new since then. */
	uint64_t	cr_delta_in;		/* octets */
	uint64_t	cr_delta_out;
	uint32_t	cr_delta_segs_in;
	uint32_t	cr_delta_segs_out;
};

struct ct_client {
	struct ct_addr	cc_addr;
	uint32_t	cc_conns;
	uint32_t	cc_established;
	uint32_t	cc_syn_received;	/* half-open: a SYN flood shows */
	uint32_t	cc_time_wait;
	uint32_t	cc_other;		/* every other state */
	uint64_t	cc_octets_in;
	uint64_t	cc_octets_out;
	uint64_t	cc_rate_in;		/* octets per second, summed */
	uint64_t	cc_rate_out;
	uint64_t	cc_seg_rate_in;		/* hundredths, summed */
	uint64_t	cc_seg_rate_out;
	uint64_t	cc_rqueue;
	uint64_t	cc_wqueue;
	uint32_t	cc_oldest_age;		/* seconds */
	/*
	 * TCP health, summed over the rows like the rest; a field is
	 * known when cc_have has its SD_HAVE_* bit (some row's kernel
	 * tcp_info had it).  Ratios and shares are hundredths of a
	 * percent, 0..10000.
	 */
	uint8_t		cc_have;
	uint32_t	cc_rtt_rows;		/* rows with tcp_info now */
	uint64_t	cc_retrans_segs;	/* tcpi_total_retrans */
	uint64_t	cc_retrans_octets;	/* tcpi_bytes_retrans */
	uint64_t	cc_data_segs_out;	/* tcpi_data_segs_out */
	uint64_t	cc_retrans_delta;	/* in the last interval */
	uint64_t	cc_data_segs_delta;
	uint32_t	cc_retrans_ratio;	/* retrans / data segs out */
	uint32_t	cc_retrans_ratio_now;	/* the same, last interval */
	uint64_t	cc_rtt_sum_us;		/* of tcpi_rtt, for the mean */
	uint32_t	cc_rtt_mean_us;
	uint32_t	cc_rtt_max_us;
	uint32_t	cc_min_rtt_us;		/* ~0U: no sample */
	uint64_t	cc_busy_us;
	uint64_t	cc_rwnd_limited_us;
	uint64_t	cc_sndbuf_limited_us;
	uint64_t	cc_busy_delta_us;
	uint32_t	cc_busy_rows;		/* rows with a busy delta */
	uint32_t	cc_busy_share;		/* busy/time, last interval */
	uint32_t	cc_rwnd_share;		/* rwnd-limited/busy (as ss) */
	uint32_t	cc_sndbuf_share;	/* sndbuf-limited/busy */
	uint64_t	cc_delivery_rate;	/* octets/s, summed */
};

#define CT_RETRANS_TOP		50	/* rows of the retransmission top */

#define CT_UNIT_MAX		64

/*
 * A listening address and port: every LISTEN socket with that index
 * (SO_REUSEPORT groups several) summed.  For a listener the kernel puts
 * the accept queue's length in idiag_rqueue and its limit, listen()'s
 * backlog, in idiag_wqueue (inet_diag_fill: sk_ack_backlog and
 * sk_max_ack_backlog); the queue is full when the length exceeds the
 * limit (sk_acceptq_is_full).
 */
struct ct_listener {
	struct ct_addr	cl_addr;	/* a wildcard is all zero */
	uint16_t	cl_port;
	uint16_t	cl_sockets;	/* LISTEN sockets with this index */
	uint8_t		cl_full;	/* queue over its limit at this dump */
	uint32_t	cl_pid;		/* of the first socket; 0: unknown */
	uint32_t	cl_uid;
	uint32_t	cl_inode;	/* of the first socket */
	uint32_t	cl_queue;	/* idiag_rqueue, summed */
	uint32_t	cl_backlog;	/* idiag_wqueue, summed */
	uint32_t	cl_syn_recv;	/* request sockets for it */
	uint32_t	cl_accept_rate;	/* hundredths of connections/s */
	uint64_t	cl_accepted;	/* since coremond first saw it */
	uint64_t	cl_overflows;	/* attributed TcpExt ListenOverflows */
	uint64_t	cl_drops;	/* attributed TcpExt ListenDrops */
	char		cl_comm[CT_COMM_MAX];
	char		cl_unit[CT_UNIT_MAX];	/* systemd unit; "" unknown */
};

#define CT_MAX_PROCS		4096	/* process table cap */

/*
 * A process that held TCP connections: what its connections moved since
 * coremond first saw it, summed from per-socket growth between refreshes
 * -- including the last stretch of connections that closed in between,
 * from the kernel's notices of destroyed sockets -- and what it holds
 * now.  pid 0 gathers what has no known owner: TIME-WAIT and queued
 * connections, sockets of processes we may not inspect, closed
 * connections never seen open, and processes past CT_MAX_PROCS.
 */
struct ct_process {
	uint32_t	cp_pid;
	uint32_t	cp_uid;
	uint32_t	cp_conns;		/* rows now */
	uint32_t	cp_established;
	uint32_t	cp_close_wait;
	uint32_t	cp_listeners;		/* listening addresses */
	uint64_t	cp_octets_in;		/* since first seen */
	uint64_t	cp_octets_out;
	uint64_t	cp_segs_in;
	uint64_t	cp_segs_out;
	uint64_t	cp_closed;		/* connections seen closing */
	uint64_t	cp_rate_in;		/* octets/s, last interval */
	uint64_t	cp_rate_out;
	uint32_t	cp_seg_rate_in;		/* hundredths of segments/s */
	uint32_t	cp_seg_rate_out;
	int64_t		cp_first_seen_ns;	/* CLOCK_MONOTONIC */
	char		cp_comm[CT_COMM_MAX];
	char		cp_unit[CT_UNIT_MAX];
};

/* TcpExt counters of /proc/net/netstat at a refresh. */
struct ct_netstat {
	int		cn_have;	/* both were read */
	uint64_t	cn_listen_overflows;
	uint64_t	cn_listen_drops;
};

struct ct_summary {
	uint32_t	cs_conns;		/* rows */
	uint32_t	cs_by_state[CT_STATE_MAX + 1];	/* by enum ct_state */
	uint32_t	cs_listeners;
	uint32_t	cs_clients;
	struct timespec	cs_refresh_time;	/* CLOCK_REALTIME of the dump */
	uint32_t	cs_refresh_usec;	/* dump + rates + build */
	uint32_t	cs_interval_ms;		/* since the previous refresh */
	/* Since conntab_new(). */
	uint64_t	cs_refreshes;
	uint64_t	cs_msgs_malformed;	/* netlink messages skipped */
	uint64_t	cs_attrs_unknown;	/* attributes ignored */
	uint64_t	cs_info_short;		/* tcp_info from an older kernel */
	uint64_t	cs_dropped;		/* sockets over cf_max_conns */
	uint64_t	cs_duplicates;		/* same index twice in a dump */
	uint64_t	cs_proc_scans;		/* /proc scans for owners */
	/* TcpExt deltas since the first refresh, and the part no listener
	 * was full to take. */
	int		cs_netstat_known;	/* /proc/net/netstat was read */
	uint64_t	cs_listen_overflows;
	uint64_t	cs_listen_drops;
	uint64_t	cs_overflows_unattributed;
	uint64_t	cs_drops_unattributed;
	/* Destroyed-socket notices (the process table's closed bytes). */
	int		cs_closed_tracking;	/* subscribed */
	uint64_t	cs_closed_notices;
	uint64_t	cs_closed_lost;		/* ENOBUFS: some lost */
	uint64_t	cs_procs_evicted;	/* folded into pid 0 */
};

struct ct_snapshot {
	struct snapshot		 sn_snap;	/* first; private: src/snapshot */
	const struct ct_row	*sn_rows;	/* TCP-MIB index order */
	size_t			 sn_nrows;
	const struct ct_client	*sn_clients;	/* (family, address) order */
	size_t			 sn_nclients;
	const uint32_t		*sn_retrans_top;	/* client positions */
	size_t			 sn_nretrans_top;
	const struct ct_listener *sn_listeners;	/* (family, address, port) */
	size_t			 sn_nlisteners;
	const struct ct_process	*sn_procs;	/* by pid */
	size_t			 sn_nprocs;
	struct ct_summary	 sn_summary;
	int64_t			 sn_mono_ns;	/* CLOCK_MONOTONIC of the dump */
	size_t			 sn_bytes;	/* allocated for this snapshot */
};

struct ct_config {
	unsigned int	cf_interval_ms;	/* connRefresh */
	int		cf_processes;	/* connProcesses: find owners */
	const char	*cf_procroot;	/* "/proc" */
	size_t		cf_max_conns;	/* sockets kept per refresh */
};

void	conntab_config_default(struct ct_config *);

struct conntab;

/* Opens the netlink socket.  NULL with errno set. */
struct conntab	*conntab_new(const struct ct_config *);
/* Drops the table's reference to its snapshot; snapshots still acquired
 * stay valid until released.  Accepts NULL. */
void		 conntab_free(struct conntab *);

/* Dumps and publishes a new snapshot now.  0, or -1 with errno set and
 * the previous snapshot still current. */
int	conntab_refresh(struct conntab *);

/* Refreshes only when the current snapshot is older than cf_interval_ms
 * (or none exists); a failed attempt also waits an interval.  1 when it
 * refreshed, 0 when the snapshot was fresh, -1 with errno set. */
int	conntab_refresh_if_stale(struct conntab *);

/*
 * The half of a refresh that needs no kernel: builds and publishes a
 * snapshot from sockets already dumped, as of the given monotonic time
 * (nanoseconds) and wall-clock time.  For tests, replay and benchmarks.
 */
int	conntab_build(struct conntab *, const struct sd_list *,
	    int64_t mono_ns, const struct timespec *real);

/* The TcpExt counters the next build (conntab_refresh, conntab_build)
 * attributes to listeners: the caller reads them from /proc/net/netstat
 * just before the refresh (src/monitor).  Until set, unknown. */
void	conntab_set_netstat(struct conntab *, const struct ct_netstat *);

/* The destroyed sockets the next conntab_build takes as closed since the
 * previous one, for tests (conntab_refresh drains the kernel's notices
 * itself).  The list is copied. */
int	conntab_set_closed(struct conntab *, const struct sd_list *);

/* The current snapshot with a reference taken; NULL before the first
 * refresh.  Each acquire is paired with one release. */
const struct ct_snapshot *conntab_acquire(struct conntab *);
void	conntab_release(const struct ct_snapshot *);	/* accepts NULL */

/* TCP-MIB order of two indexes: <0, 0, >0. */
int	conntab_index_cmp(const struct ct_index *, const struct ct_index *);
int	conntab_addr_cmp(const struct ct_addr *, const struct ct_addr *);

/* Position of the first row (client) whose index is >= key, or > key when
 * after is set (GETNEXT); sn_nrows (sn_nclients) when there is none. */
size_t	conntab_row_search(const struct ct_snapshot *,
	    const struct ct_index *key, int after);
size_t	conntab_client_search(const struct ct_snapshot *,
	    const struct ct_addr *key, int after);
size_t	conntab_process_search(const struct ct_snapshot *, uint32_t pid,
	    int after);
size_t	conntab_listener_search(const struct ct_snapshot *,
	    const struct ct_addr *key, uint16_t port, int after);

/* TCP-MIB state of a kernel TCP state (enum sd_tcp_state); 0 if none. */
int	conntab_state_of(uint8_t kernel_state);

/* Bytes held by the table: current snapshot, cookie hash, dump buffer,
 * process cache. */
size_t	conntab_memory(const struct conntab *);

#endif
