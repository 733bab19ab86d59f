/*
 * conntab: connection and client tables built from sock_diag dumps.
 *
 * Each snapshot carries a hash (src/hash, the project's keyed table) from
 * socket cookie to row position; the next refresh finds a socket's
 * previous row through it in O(1), so a refresh is a dump, a sort and a
 * few linear passes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "conns/conntab.h"
#include "conns/listeners.h"
#include "conns/proctab.h"
#include "conns/procpid.h"
#include "conns/sockdiag.h"
#include "lib/hash.h"

#define CT_NSEC			1000000000LL
#define CT_PREFETCH		8	/* rows ahead */

/*
 * What qsort moves: the first 16 bytes of an index packed big-endian, so
 * most comparisons are two integer compares on a small contiguous array,
 * and the record itself for the rare tie (IPv6 addresses sharing their
 * first 15 bytes, one index twice).
 */
struct ct_sortkey {
	uint64_t	 sk_hi;
	uint64_t	 sk_lo;
	const void	*sk_item;	/* struct sd_sock or struct ct_row */
};

/* A snapshot and what only this file sees of it. */
struct ct_snap {
	struct ct_snapshot	 sp_pub;	/* first: the public view */
	struct hash		*sp_cookies;	/* cookie -> row position */
};

struct conntab {
	struct ct_config	 ct_config;
	char			*ct_procroot;
	struct sockdiag		*ct_diag;
	struct procpid		*ct_procs;	/* NULL: owners not wanted */
	struct sd_list		 ct_socks;	/* the last dump, reused */
	struct ct_sortkey	*ct_sort;	/* scratch for both sorts */
	size_t			 ct_sort_cap;
	uint32_t		*ct_inodes;	/* scratch for procpid */
	size_t			 ct_inodes_cap;
	struct snapshot_slot	 ct_slot;
	/* The last one published: the refresher's own view, kept alive by
	 * the slot's reference until the refresher publishes again. */
	const struct ct_snap	*ct_last;
	int64_t			 ct_last_try_ns;
	int			 ct_tried;
	uint64_t		 ct_refreshes;
	uint64_t		 ct_duplicates;
	/* TcpExt: as set for the next build, as of the last build, and
	 * the sums since the first. */
	struct ct_netstat	 ct_netstat;
	struct ct_netstat	 ct_netstat_last;
	uint64_t		 ct_overflows, ct_drops;
	uint64_t		 ct_unattr_overflows, ct_unattr_drops;
	/* Destroyed sockets: the subscription (NULL without
	 * CAP_NET_ADMIN), the notices of this refresh, their growth. */
	struct sockdiag		*ct_destroy;
	struct sd_list		 ct_closed;
	struct pt_closed	*ct_closed_deltas;
	size_t			 ct_closed_cap;
	uint64_t		 ct_closed_notices;
	uint64_t		 ct_closed_lost;
	uint64_t		 ct_procs_evicted;
};

static int64_t
ct_now_ns(clockid_t clock)
{
	struct timespec	ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * CT_NSEC + ts.tv_nsec;
}

/* hash(3) equality: does the row at index have this cookie? */
static int
ct_cookie_eq(const void *key, uint32_t index, void *arg)
{
	const struct ct_row	*rows = arg;
	uint64_t		 cookie;

	memcpy(&cookie, key, sizeof(cookie));
	return rows[index].cr_cookie == cookie;
}

/* The position of the row with this cookie, or HASH_NONE. */
static uint32_t
ct_cookie_find(struct hash *h, uint64_t cookie)
{
	uint64_t	hv = hash_compute(h, &cookie, sizeof(cookie));

	return hash_find(h, (uint32_t)hv, &cookie);
}

/* Indexes row pos by its cookie unless the cookie is there already. */
static int
ct_cookie_add(struct hash *h, const struct ct_row *r, uint32_t pos)
{
	uint64_t	hv = hash_compute(h, &r->cr_cookie, sizeof(r->cr_cookie));

	if (hash_find(h, (uint32_t)hv, &r->cr_cookie) != HASH_NONE)
		return 0;
	return hash_insert(h, (uint32_t)hv, pos);
}

int
conntab_state_of(uint8_t kernel_state)
{
	static const uint8_t	map[SD_TCP_NSTATES] = {
		[SD_TCP_ESTABLISHED]	= CT_STATE_ESTABLISHED,
		[SD_TCP_SYN_SENT]	= CT_STATE_SYN_SENT,
		[SD_TCP_SYN_RECV]	= CT_STATE_SYN_RECEIVED,
		[SD_TCP_FIN_WAIT1]	= CT_STATE_FIN_WAIT1,
		[SD_TCP_FIN_WAIT2]	= CT_STATE_FIN_WAIT2,
		[SD_TCP_TIME_WAIT]	= CT_STATE_TIME_WAIT,
		[SD_TCP_CLOSE]		= CT_STATE_CLOSED,
		[SD_TCP_CLOSE_WAIT]	= CT_STATE_CLOSE_WAIT,
		[SD_TCP_LAST_ACK]	= CT_STATE_LAST_ACK,
		[SD_TCP_LISTEN]		= CT_STATE_LISTEN,
		[SD_TCP_CLOSING]	= CT_STATE_CLOSING,
		[SD_TCP_NEW_SYN_RECV]	= CT_STATE_SYN_RECEIVED,
	};

	return kernel_state < SD_TCP_NSTATES ? map[kernel_state] : 0;
}

static int
ct_cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

int
conntab_addr_cmp(const struct ct_addr *a, const struct ct_addr *b)
{
	if (a->ca_family != b->ca_family)
		return a->ca_family < b->ca_family ? -1 : 1;
	/* Same family, same length; the bytes past it are zero. */
	return memcmp(a->ca_bytes, b->ca_bytes, sizeof(a->ca_bytes));
}

int
conntab_index_cmp(const struct ct_index *a, const struct ct_index *b)
{
	int	c;

	if ((c = conntab_addr_cmp(&a->ci_local, &b->ci_local)) != 0)
		return c;
	if (a->ci_local_port != b->ci_local_port)
		return a->ci_local_port < b->ci_local_port ? -1 : 1;
	if ((c = conntab_addr_cmp(&a->ci_remote, &b->ci_remote)) != 0)
		return c;
	if (a->ci_remote_port != b->ci_remote_port)
		return a->ci_remote_port < b->ci_remote_port ? -1 : 1;
	return 0;
}

/* The same order on dumped sockets, whose addresses share one family. */
static int
ct_sock_index_cmp(const struct sd_sock *x, const struct sd_sock *y)
{
	int	c;

	if (x->ss_family != y->ss_family)
		return x->ss_family < y->ss_family ? -1 : 1;
	if ((c = memcmp(x->ss_local, y->ss_local, sizeof(x->ss_local))) != 0)
		return c;
	if (x->ss_local_port != y->ss_local_port)
		return x->ss_local_port < y->ss_local_port ? -1 : 1;
	if ((c = memcmp(x->ss_remote, y->ss_remote,
	    sizeof(x->ss_remote))) != 0)
		return c;
	if (x->ss_remote_port != y->ss_remote_port)
		return x->ss_remote_port < y->ss_remote_port ? -1 : 1;
	return 0;
}

/* Index order; among sockets with one index (a dump racing a close and a
 * reopen) the live one before TIME_WAIT, then the newest cookie, first. */
static int
ct_sock_cmp(const struct sd_sock *x, const struct sd_sock *y)
{
	int	c, xtw, ytw;

	if ((c = ct_sock_index_cmp(x, y)) != 0)
		return c;
	xtw = x->ss_state == SD_TCP_TIME_WAIT;
	ytw = y->ss_state == SD_TCP_TIME_WAIT;
	if (xtw != ytw)
		return xtw - ytw;
	return -ct_cmp_u64(x->ss_cookie, y->ss_cookie);
}

static uint64_t
ct_be64(const uint8_t *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void
ct_key_set(struct ct_sortkey *sk, const uint8_t packed[16], const void *item)
{
	sk->sk_hi = ct_be64(packed);
	sk->sk_lo = ct_be64(packed + 8);
	sk->sk_item = item;
}

static int
ct_key_cmp(const struct ct_sortkey *a, const struct ct_sortkey *b)
{
	if (a->sk_hi != b->sk_hi)
		return a->sk_hi < b->sk_hi ? -1 : 1;
	if (a->sk_lo != b->sk_lo)
		return a->sk_lo < b->sk_lo ? -1 : 1;
	return 0;
}

/* Family, then for IPv4 the whole index (13 bytes), for IPv6 the first
 * 15 bytes of the local address: a prefix of the index order. */
static void
ct_sock_key(struct ct_sortkey *sk, const struct sd_sock *ss)
{
	uint8_t	b[16] = { 0 };

	b[0] = ss->ss_family;
	if (ss->ss_family == AF_INET) {
		memcpy(b + 1, ss->ss_local, 4);
		b[5] = ss->ss_local_port >> 8;
		b[6] = ss->ss_local_port & 0xff;
		memcpy(b + 7, ss->ss_remote, 4);
		b[11] = ss->ss_remote_port >> 8;
		b[12] = ss->ss_remote_port & 0xff;
	} else
		memcpy(b + 1, ss->ss_local, 15);
	ct_key_set(sk, b, ss);
}

static int
ct_sock_key_cmp(const void *a, const void *b)
{
	const struct ct_sortkey	*x = a, *y = b;
	int			 c;

	if ((c = ct_key_cmp(x, y)) != 0)
		return c;
	return ct_sock_cmp(x->sk_item, y->sk_item);
}

/* Family and the first 15 bytes of the remote address. */
static void
ct_client_key(struct ct_sortkey *sk, const struct ct_row *r)
{
	uint8_t	b[16];

	b[0] = r->cr_index.ci_remote.ca_family;
	memcpy(b + 1, r->cr_index.ci_remote.ca_bytes, 15);
	ct_key_set(sk, b, r);
}

/* Many rows share a client: equal keys are the common case, and for
 * IPv4 the key is the whole address. */
static int
ct_client_key_cmp(const void *a, const void *b)
{
	const struct ct_sortkey	*x = a, *y = b;
	const struct ct_row	*xr, *yr;
	int			 c;

	if ((c = ct_key_cmp(x, y)) != 0 || x->sk_hi >> 56 == AF_INET)
		return c;
	xr = x->sk_item;
	yr = y->sk_item;
	return (int)xr->cr_index.ci_remote.ca_bytes[15] -
	    (int)yr->cr_index.ci_remote.ca_bytes[15];
}

static void
ct_addr_set(struct ct_addr *ca, uint8_t family, const uint8_t bytes[16])
{
	ca->ca_family = family;
	ca->ca_len = family == AF_INET ? 4 : 16;
	memcpy(ca->ca_bytes, bytes, sizeof(ca->ca_bytes));
}

/* value * scale per second over interval_ns, rounded, capped at max. */
static uint64_t
ct_per_second(uint64_t value, double scale, int64_t interval_ns,
    uint64_t max)
{
	double	r = (double)value * scale * (double)CT_NSEC /
		    (double)interval_ns + 0.5;

	return r >= (double)max ? max : (uint64_t)r;
}

/* A 32-bit kernel counter carried to 64 bits: its low half always equals
 * the kernel's value, and it grows by the 32-bit difference. */
static uint64_t
ct_extend32(uint64_t prev, uint32_t cur)
{
	return prev + (uint32_t)(cur - (uint32_t)prev);
}

static void
ct_fill_counters(struct ct_row *r, const struct sd_sock *ss,
    const struct ct_row *prev)
{
	if (!ss->ss_have_info) {
		/* TIME_WAIT and request sockets carry no tcp_info. */
		if (prev == NULL)
			return;
		r->cr_octets_out = prev->cr_octets_out;
		r->cr_octets_in = prev->cr_octets_in;
		r->cr_octets_retrans = prev->cr_octets_retrans;
		r->cr_segs_out = prev->cr_segs_out;
		r->cr_segs_in = prev->cr_segs_in;
		r->cr_data_segs_out = prev->cr_data_segs_out;
		r->cr_data_segs_in = prev->cr_data_segs_in;
		r->cr_retrans_segs = prev->cr_retrans_segs;
		r->cr_info_have = prev->cr_info_have;
		r->cr_min_rtt_us = prev->cr_min_rtt_us;
		r->cr_busy_us = prev->cr_busy_us;
		r->cr_rwnd_limited_us = prev->cr_rwnd_limited_us;
		r->cr_sndbuf_limited_us = prev->cr_sndbuf_limited_us;
		return;
	}
	r->cr_flags |= CT_ROW_HAVE_INFO;
	r->cr_info_len = ss->ss_info_len;
	r->cr_octets_out = ss->ss_bytes_acked;
	r->cr_octets_in = ss->ss_bytes_received;
	r->cr_octets_retrans = ss->ss_bytes_retrans;
	r->cr_segs_out = ct_extend32(prev ? prev->cr_segs_out : 0,
	    ss->ss_segs_out);
	r->cr_segs_in = ct_extend32(prev ? prev->cr_segs_in : 0,
	    ss->ss_segs_in);
	r->cr_data_segs_out = ct_extend32(prev ? prev->cr_data_segs_out : 0,
	    ss->ss_data_segs_out);
	r->cr_data_segs_in = ct_extend32(prev ? prev->cr_data_segs_in : 0,
	    ss->ss_data_segs_in);
	r->cr_retrans_segs = ct_extend32(prev ? prev->cr_retrans_segs : 0,
	    ss->ss_total_retrans);
	r->cr_rtt_us = ss->ss_rtt;
	r->cr_rttvar_us = ss->ss_rttvar;
	r->cr_snd_cwnd = ss->ss_snd_cwnd;
	r->cr_delivery_rate = ss->ss_delivery_rate;
	r->cr_info_have = ss->ss_info_have;
	r->cr_min_rtt_us = ss->ss_min_rtt;
	r->cr_busy_us = ss->ss_busy_time;
	r->cr_rwnd_limited_us = ss->ss_rwnd_limited;
	r->cr_sndbuf_limited_us = ss->ss_sndbuf_limited;
}

static void
ct_fill_rates(struct ct_row *r, const struct ct_row *prev,
    int64_t interval_ns)
{
	if (prev == NULL || interval_ns <= 0 ||
	    r->cr_octets_out < prev->cr_octets_out ||
	    r->cr_octets_in < prev->cr_octets_in)
		return;
	r->cr_flags |= CT_ROW_RATES_VALID;
	r->cr_rate_out = ct_per_second(r->cr_octets_out - prev->cr_octets_out,
	    1, interval_ns, UINT64_MAX);
	r->cr_rate_in = ct_per_second(r->cr_octets_in - prev->cr_octets_in,
	    1, interval_ns, UINT64_MAX);
	r->cr_seg_rate_out = ct_per_second(r->cr_segs_out - prev->cr_segs_out,
	    100, interval_ns, UINT32_MAX);
	r->cr_seg_rate_in = ct_per_second(r->cr_segs_in - prev->cr_segs_in,
	    100, interval_ns, UINT32_MAX);
	r->cr_retrans_delta = (uint32_t)(r->cr_retrans_segs -
	    prev->cr_retrans_segs);
	r->cr_data_segs_delta = (uint32_t)(r->cr_data_segs_out -
	    prev->cr_data_segs_out);
	if (r->cr_busy_us >= prev->cr_busy_us)
		r->cr_busy_delta_us = r->cr_busy_us - prev->cr_busy_us;
	r->cr_delta_in = r->cr_octets_in - prev->cr_octets_in;
	r->cr_delta_out = r->cr_octets_out - prev->cr_octets_out;
	r->cr_delta_segs_in = (uint32_t)(r->cr_segs_in - prev->cr_segs_in);
	r->cr_delta_segs_out = (uint32_t)(r->cr_segs_out - prev->cr_segs_out);
}

/*
 * A connection a listener queued gets a socket (an inode) only when
 * accept() takes it; one closed by our side since (FIN-WAIT, CLOSING,
 * LAST-ACK, TIME-WAIT) was accepted too.  Counted once per cookie, from
 * the second refresh on; a connection accepted and gone between two
 * refreshes without a TIME-WAIT on our side is not seen.
 */
static void
ct_fill_accepted(struct ct_row *r, const struct ct_row *prev, int counting)
{
	int	was = prev != NULL && (prev->cr_flags & CT_ROW_ACCEPTED);

	if (r->cr_inode == 0 && !was &&
	    r->cr_state != CT_STATE_FIN_WAIT1 &&
	    r->cr_state != CT_STATE_FIN_WAIT2 &&
	    r->cr_state != CT_STATE_CLOSING &&
	    r->cr_state != CT_STATE_LAST_ACK &&
	    r->cr_state != CT_STATE_TIME_WAIT)
		return;
	r->cr_flags |= CT_ROW_ACCEPTED;
	if (!was && counting)
		r->cr_flags |= CT_ROW_NEW_ACCEPT;
}

static void
ct_fill_row(struct ct_row *r, const struct sd_sock *ss,
    const struct ct_snap *prev_snap, int64_t now_ns)
{
	const struct ct_row	*prev = NULL;
	uint32_t		 pos = HASH_NONE;

	memset(r, 0, sizeof(*r));
	ct_addr_set(&r->cr_index.ci_local, ss->ss_family, ss->ss_local);
	ct_addr_set(&r->cr_index.ci_remote, ss->ss_family, ss->ss_remote);
	r->cr_index.ci_local_port = ss->ss_local_port;
	r->cr_index.ci_remote_port = ss->ss_remote_port;
	r->cr_state = conntab_state_of(ss->ss_state);
	r->cr_uid = ss->ss_uid;
	r->cr_inode = ss->ss_inode;
	r->cr_cookie = ss->ss_cookie;
	r->cr_wqueue = ss->ss_wqueue;
	r->cr_rqueue = ss->ss_rqueue;

	if (prev_snap != NULL)
		pos = ct_cookie_find(prev_snap->sp_cookies, ss->ss_cookie);
	if (pos != HASH_NONE)
		prev = &prev_snap->sp_pub.sn_rows[pos];

	ct_fill_counters(r, ss, prev);
	ct_fill_accepted(r, prev, prev_snap != NULL);
	if (prev != NULL) {
		ct_fill_rates(r, prev, now_ns - prev_snap->sp_pub.sn_mono_ns);
		r->cr_first_seen_ns = prev->cr_first_seen_ns;
		r->cr_flags |= prev->cr_flags & CT_ROW_AGE_AT_LEAST;
	} else {
		/* New since the last refresh: all it moved is growth. */
		r->cr_delta_in = r->cr_octets_in;
		r->cr_delta_out = r->cr_octets_out;
		r->cr_delta_segs_in = (uint32_t)r->cr_segs_in;
		r->cr_delta_segs_out = (uint32_t)r->cr_segs_out;
		r->cr_first_seen_ns = now_ns;
		/* Whatever the first refresh finds was open before it. */
		if (prev_snap == NULL)
			r->cr_flags |= CT_ROW_AGE_AT_LEAST;
	}
	r->cr_age = (now_ns - r->cr_first_seen_ns) / CT_NSEC;
}

static void
ct_snap_free(struct ct_snap *sp)
{
	hash_free(sp->sp_cookies);
	free((void *)sp->sp_pub.sn_rows);
	free((void *)sp->sp_pub.sn_clients);
	free((void *)sp->sp_pub.sn_listeners);
	free((void *)sp->sp_pub.sn_retrans_top);
	free((void *)sp->sp_pub.sn_procs);
	free(sp);
}

static int
ct_reserve_sort(struct conntab *ct, size_t n)
{
	struct ct_sortkey	*grown;

	if (n <= ct->ct_sort_cap)
		return 0;
	grown = realloc(ct->ct_sort, n * sizeof(*grown));
	if (grown == NULL)
		return -1;
	ct->ct_sort = grown;
	ct->ct_sort_cap = n;
	return 0;
}

/* Puts the non-listening sockets in index order into ct_sort; counts the
 * listeners.  Returns how many were sorted, or -1. */
static ssize_t
ct_sort_socks(struct conntab *ct, const struct sd_list *sl,
    uint32_t *listeners)
{
	size_t	i, n = 0;

	if (ct_reserve_sort(ct, sl->sl_count) < 0)
		return -1;
	*listeners = 0;
	for (i = 0; i < sl->sl_count; i++) {
		const struct sd_sock	*ss = &sl->sl_socks[i];

		if (ss->ss_state == SD_TCP_LISTEN)
			(*listeners)++;
		else if (conntab_state_of(ss->ss_state) != 0)
			ct_sock_key(&ct->ct_sort[n++], ss);
	}
	if (n > 1)
		qsort(ct->ct_sort, n, sizeof(*ct->ct_sort), ct_sock_key_cmp);
	return n;
}

/* Fills the rows from the sorted sockets, one row per index, and indexes
 * them by cookie.  0, or -1 when the hash cannot grow (ENOMEM). */
static int
ct_build_rows(struct conntab *ct, struct ct_snap *sp, struct ct_row *rows,
    size_t nsorted)
{
	const struct sd_sock	*ss, *last = NULL;
	size_t			 i, n = 0;
	int			 rc = 0;

	for (i = 0; i < nsorted && rc == 0; i++) {
		/* The sort scattered the sockets: fetch ahead of use. */
		if (i + CT_PREFETCH < nsorted) {
			ss = ct->ct_sort[i + CT_PREFETCH].sk_item;
			__builtin_prefetch(ss);
			__builtin_prefetch((const char *)ss + 64);
		}
		ss = ct->ct_sort[i].sk_item;
		if (last != NULL && ct_sock_index_cmp(last, ss) == 0) {
			ct->ct_duplicates++;
			continue;
		}
		last = ss;
		ct_fill_row(&rows[n], ss, ct->ct_last, sp->sp_pub.sn_mono_ns);
		rc = ct_cookie_add(sp->sp_cookies, &rows[n], n);
		n++;
	}
	sp->sp_pub.sn_rows = rows;
	sp->sp_pub.sn_nrows = n;
	return rc;
}

static void
ct_fill_listener_owner(struct conntab *ct, struct ct_listener *l)
{
	const struct ct_snapshot	*prev;
	const char			*comm;
	size_t				 j;

	l->cl_pid = procpid_owner(ct->ct_procs, l->cl_inode, &comm);
	strncpy(l->cl_comm, comm, sizeof(l->cl_comm) - 1);
	if (l->cl_pid == 0)
		return;
	if (ct->ct_last != NULL) {
		prev = &ct->ct_last->sp_pub;
		j = listeners_search(prev->sn_listeners, prev->sn_nlisteners,
		    &l->cl_addr, l->cl_port, 0);
		if (j < prev->sn_nlisteners &&
		    prev->sn_listeners[j].cl_pid == l->cl_pid &&
		    prev->sn_listeners[j].cl_port == l->cl_port &&
		    conntab_addr_cmp(&prev->sn_listeners[j].cl_addr,
		    &l->cl_addr) == 0) {
			memcpy(l->cl_unit, prev->sn_listeners[j].cl_unit,
			    sizeof(l->cl_unit));
			return;
		}
	}
	(void)procpid_unit(ct->ct_procroot, l->cl_pid, l->cl_unit,
	    sizeof(l->cl_unit));
}

/* Owners by inode, of the rows and the listeners; rows keep pid 0 when
 * switched off or on ENOMEM.  A listener's systemd unit is read from
 * /proc only when its owner changed since the previous snapshot. */
static void
ct_fill_owners(struct conntab *ct, struct ct_snap *sp)
{
	struct ct_row		*rows = (struct ct_row *)sp->sp_pub.sn_rows;
	struct ct_listener	*ls = (struct ct_listener *)
				    sp->sp_pub.sn_listeners;
	size_t			 n = sp->sp_pub.sn_nrows;
	size_t			 nl = sp->sp_pub.sn_nlisteners;
	const char		*comm;
	uint32_t		*grown;
	size_t			 i;

	if (ct->ct_procs == NULL)
		return;
	if (n + nl > ct->ct_inodes_cap) {
		grown = realloc(ct->ct_inodes, (n + nl) * sizeof(*grown));
		if (grown == NULL)
			return;
		ct->ct_inodes = grown;
		ct->ct_inodes_cap = n + nl;
	}
	for (i = 0; i < n; i++)
		ct->ct_inodes[i] = rows[i].cr_inode;
	for (i = 0; i < nl; i++)
		ct->ct_inodes[n + i] = ls[i].cl_inode;
	if (procpid_update(ct->ct_procs, ct->ct_inodes, n + nl) < 0)
		return;
	for (i = 0; i < n; i++) {
		rows[i].cr_pid = procpid_owner(ct->ct_procs, rows[i].cr_inode,
		    &comm);
		strncpy(rows[i].cr_comm, comm, sizeof(rows[i].cr_comm) - 1);
	}
	for (i = 0; i < nl; i++)
		ct_fill_listener_owner(ct, &ls[i]);
}

/* The TCP health part of a row: counters from every row (TIME-WAIT
 * keeps its last), RTTs and rates only from rows with tcp_info now. */
static void
ct_client_add_health(struct ct_client *cc, const struct ct_row *r)
{
	cc->cc_have |= r->cr_info_have;
	cc->cc_retrans_segs += r->cr_retrans_segs;
	cc->cc_retrans_octets += r->cr_octets_retrans;
	cc->cc_data_segs_out += r->cr_data_segs_out;
	cc->cc_retrans_delta += r->cr_retrans_delta;
	cc->cc_data_segs_delta += r->cr_data_segs_delta;
	cc->cc_busy_us += r->cr_busy_us;
	cc->cc_rwnd_limited_us += r->cr_rwnd_limited_us;
	cc->cc_sndbuf_limited_us += r->cr_sndbuf_limited_us;
	if ((r->cr_flags & CT_ROW_RATES_VALID) &&
	    (r->cr_flags & CT_ROW_HAVE_INFO) &&
	    (r->cr_info_have & SD_HAVE_BUSY)) {
		cc->cc_busy_delta_us += r->cr_busy_delta_us;
		cc->cc_busy_rows++;
	}
	if (!(r->cr_flags & CT_ROW_HAVE_INFO))
		return;
	cc->cc_rtt_rows++;
	cc->cc_rtt_sum_us += r->cr_rtt_us;
	if (r->cr_rtt_us > cc->cc_rtt_max_us)
		cc->cc_rtt_max_us = r->cr_rtt_us;
	if ((r->cr_info_have & SD_HAVE_MIN_RTT) &&
	    r->cr_min_rtt_us < cc->cc_min_rtt_us)
		cc->cc_min_rtt_us = r->cr_min_rtt_us;
	cc->cc_delivery_rate += r->cr_delivery_rate;
}

static void
ct_client_add(struct ct_client *cc, const struct ct_row *r)
{
	cc->cc_conns++;
	if (r->cr_state == CT_STATE_ESTABLISHED)
		cc->cc_established++;
	else if (r->cr_state == CT_STATE_SYN_RECEIVED)
		cc->cc_syn_received++;
	else if (r->cr_state == CT_STATE_TIME_WAIT)
		cc->cc_time_wait++;
	else
		cc->cc_other++;
	cc->cc_octets_in += r->cr_octets_in;
	cc->cc_octets_out += r->cr_octets_out;
	cc->cc_rate_in += r->cr_rate_in;
	cc->cc_rate_out += r->cr_rate_out;
	cc->cc_seg_rate_in += r->cr_seg_rate_in;
	cc->cc_seg_rate_out += r->cr_seg_rate_out;
	cc->cc_rqueue += r->cr_rqueue;
	cc->cc_wqueue += r->cr_wqueue;
	if (r->cr_age > cc->cc_oldest_age)
		cc->cc_oldest_age = r->cr_age;
	ct_client_add_health(cc, r);
}

/* Hundredths of a percent of part in whole, at most 10000. */
static uint32_t
ct_share(uint64_t part, uint64_t whole)
{
	double	v;

	if (whole == 0)
		return 0;
	v = (double)part * 10000.0 / (double)whole + 0.5;
	return v >= 10000.0 ? 10000 : (uint32_t)v;
}

/* The ratios and means of a client whose rows are all added. */
static void
ct_client_finish(struct ct_client *cc, int64_t interval_ns)
{
	cc->cc_retrans_ratio = ct_share(cc->cc_retrans_segs,
	    cc->cc_data_segs_out);
	cc->cc_retrans_ratio_now = ct_share(cc->cc_retrans_delta,
	    cc->cc_data_segs_delta);
	if (cc->cc_rtt_rows > 0)
		cc->cc_rtt_mean_us = (uint32_t)((cc->cc_rtt_sum_us +
		    cc->cc_rtt_rows / 2) / cc->cc_rtt_rows);
	if (interval_ns > 0)
		cc->cc_busy_share = ct_share(cc->cc_busy_delta_us,
		    (uint64_t)cc->cc_busy_rows * (uint64_t)interval_ns / 1000);
	cc->cc_rwnd_share = ct_share(cc->cc_rwnd_limited_us, cc->cc_busy_us);
	cc->cc_sndbuf_share = ct_share(cc->cc_sndbuf_limited_us,
	    cc->cc_busy_us);
}

/* The retransmission top's order: the last interval's ratio, then its
 * retransmitted segments, down; then the client's order. */
static int
ct_retrans_cmp(const void *a, const void *b, void *arg)
{
	const struct ct_client	*cl = arg;
	uint32_t		 x = *(const uint32_t *)a;
	uint32_t		 y = *(const uint32_t *)b;

	if (cl[x].cc_retrans_ratio_now != cl[y].cc_retrans_ratio_now)
		return cl[x].cc_retrans_ratio_now >
		    cl[y].cc_retrans_ratio_now ? -1 : 1;
	if (cl[x].cc_retrans_delta != cl[y].cc_retrans_delta)
		return cl[x].cc_retrans_delta > cl[y].cc_retrans_delta ?
		    -1 : 1;
	return x < y ? -1 : x > y;
}

/* The clients that retransmitted in the last interval, worst first, at
 * most CT_RETRANS_TOP. */
static int
ct_build_retrans_top(struct ct_snap *sp)
{
	const struct ct_client	*cl = sp->sp_pub.sn_clients;
	uint32_t		*top;
	size_t			 i, n = 0;

	for (i = 0; i < sp->sp_pub.sn_nclients; i++)
		n += cl[i].cc_retrans_delta > 0;
	if ((top = malloc((n ? n : 1) * sizeof(*top))) == NULL)
		return -1;
	for (i = n = 0; i < sp->sp_pub.sn_nclients; i++)
		if (cl[i].cc_retrans_delta > 0)
			top[n++] = (uint32_t)i;
	if (n > 1)
		qsort_r(top, n, sizeof(*top), ct_retrans_cmp, (void *)cl);
	sp->sp_pub.sn_retrans_top = top;
	sp->sp_pub.sn_nretrans_top = n < CT_RETRANS_TOP ? n : CT_RETRANS_TOP;
	return 0;
}

/* Groups the rows by remote address into the client table. */
static int
ct_build_clients(struct conntab *ct, struct ct_snap *sp)
{
	const struct ct_row	*rows = sp->sp_pub.sn_rows;
	size_t			 nrows = sp->sp_pub.sn_nrows, i, n = 0;
	struct ct_client	*clients;
	struct ct_sortkey	*keys;

	if (ct_reserve_sort(ct, nrows) < 0)
		return -1;
	keys = ct->ct_sort;
	for (i = 0; i < nrows; i++)
		ct_client_key(&keys[i], &rows[i]);
	if (nrows > 1)
		qsort(keys, nrows, sizeof(*keys), ct_client_key_cmp);
	for (i = 0; i < nrows; i++)
		if (i == 0 || ct_client_key_cmp(&keys[i - 1], &keys[i]) != 0)
			n++;
	clients = calloc(n ? n : 1, sizeof(*clients));
	if (clients == NULL)
		return -1;
	n = 0;
	for (i = 0; i < nrows; i++) {
		const struct ct_row	*r = keys[i].sk_item;

		if (i == 0 || ct_client_key_cmp(&keys[i - 1], &keys[i]) != 0) {
			clients[n].cc_addr = r->cr_index.ci_remote;
			clients[n++].cc_min_rtt_us = UINT32_MAX;
		}
		ct_client_add(&clients[n - 1], r);
	}
	for (i = 0; i < n; i++)
		ct_client_finish(&clients[i], ct->ct_last == NULL ? 0 :
		    sp->sp_pub.sn_mono_ns - ct->ct_last->sp_pub.sn_mono_ns);
	sp->sp_pub.sn_clients = clients;
	sp->sp_pub.sn_nclients = n;
	return ct_build_retrans_top(sp);
}

/* The listeners, and the TcpExt deltas since the last build shared
 * among them (a counter that went back, a new namespace or a reset, is
 * taken as a new start). */
static int
ct_build_listeners(struct conntab *ct, struct ct_snap *sp,
    const struct sd_list *sl)
{
	const struct ct_snapshot	*prev = NULL;
	const struct ct_netstat		*now = &ct->ct_netstat;
	const struct ct_netstat		*was = &ct->ct_netstat_last;
	struct ct_listener		*ls;
	size_t				 n;
	uint64_t			 dov = 0, ddr = 0;

	if (ct->ct_last != NULL)
		prev = &ct->ct_last->sp_pub;
	if (listeners_build(sl, sp->sp_pub.sn_rows, sp->sp_pub.sn_nrows, prev,
	    prev ? sp->sp_pub.sn_mono_ns - prev->sn_mono_ns : 0, &ls, &n) < 0)
		return -1;
	sp->sp_pub.sn_listeners = ls;
	sp->sp_pub.sn_nlisteners = n;
	if (now->cn_have && was->cn_have) {
		if (now->cn_listen_overflows >= was->cn_listen_overflows)
			dov = now->cn_listen_overflows -
			    was->cn_listen_overflows;
		if (now->cn_listen_drops >= was->cn_listen_drops)
			ddr = now->cn_listen_drops - was->cn_listen_drops;
		ct->ct_overflows += dov;
		ct->ct_drops += ddr;
		listeners_attribute(ls, n, prev, dov, ddr,
		    &ct->ct_unattr_overflows, &ct->ct_unattr_drops);
	}
	ct->ct_netstat_last = *now;
	return 0;
}

/* A closed socket's growth past the row it had (its final counters less
 * the row's), or all of it when it had none. */
static void
ct_closed_delta(struct pt_closed *pc, const struct sd_sock *ss,
    const struct ct_row *r)
{
	pc->pc_in = ss->ss_bytes_received;
	pc->pc_out = ss->ss_bytes_acked;
	pc->pc_segs_in = ss->ss_segs_in;
	pc->pc_segs_out = ss->ss_segs_out;
	if (r == NULL)
		return;
	pc->pc_pid = r->cr_pid;
	pc->pc_in = ss->ss_bytes_received >= r->cr_octets_in ?
	    ss->ss_bytes_received - r->cr_octets_in : 0;
	pc->pc_out = ss->ss_bytes_acked >= r->cr_octets_out ?
	    ss->ss_bytes_acked - r->cr_octets_out : 0;
	pc->pc_segs_in = (uint32_t)(ss->ss_segs_in - (uint32_t)r->cr_segs_in);
	pc->pc_segs_out = (uint32_t)(ss->ss_segs_out -
	    (uint32_t)r->cr_segs_out);
}

/*
 * The closed sockets of this refresh, each matched by cookie to its row
 * in this snapshot (it closed after the dump, or lingers in TIME-WAIT)
 * or else the previous one, and owned by that row's process; one never seen open goes to the process
 * of the listener its local address and port belong to, else to pid 0.
 * Returns how many, or -1.
 */
static ssize_t
ct_closed_deltas(struct conntab *ct, const struct ct_snap *sp)
{
	const struct sd_list	*cl = &ct->ct_closed;
	struct pt_closed	*grown;
	size_t			 i, n = 0;

	if (cl->sl_count > ct->ct_closed_cap) {
		grown = realloc(ct->ct_closed_deltas,
		    cl->sl_count * sizeof(*grown));
		if (grown == NULL)
			return -1;
		ct->ct_closed_deltas = grown;
		ct->ct_closed_cap = cl->sl_count;
	}
	for (i = 0; i < cl->sl_count; i++) {
		const struct sd_sock		*ss = &cl->sl_socks[i];
		const struct ct_row		*r = NULL, *p = NULL;
		const struct ct_listener	*l;
		struct pt_closed		*pc = &ct->ct_closed_deltas[n];
		struct ct_addr			 local;
		uint32_t			 pos;

		if (!ss->ss_have_info)
			continue;
		memset(pc, 0, sizeof(*pc));
		pos = ct_cookie_find(sp->sp_cookies, ss->ss_cookie);
		if (pos != HASH_NONE)
			r = &sp->sp_pub.sn_rows[pos];
		if (ct->ct_last != NULL && (pos = ct_cookie_find(
		    ct->ct_last->sp_cookies, ss->ss_cookie)) != HASH_NONE)
			p = &ct->ct_last->sp_pub.sn_rows[pos];
		ct_closed_delta(pc, ss, r != NULL ? r : p);
		/* A socket that went to TIME-WAIT lost its owner (no inode
		 * left): the previous row still knows it. */
		if (pc->pc_pid == 0 && p != NULL)
			pc->pc_pid = p->cr_pid;
		if (pc->pc_pid == 0) {
			ct_addr_set(&local, ss->ss_family, ss->ss_local);
			l = listeners_owner(sp->sp_pub.sn_listeners,
			    sp->sp_pub.sn_nlisteners, &local,
			    ss->ss_local_port);
			pc->pc_pid = l != NULL ? l->cl_pid : 0;
		}
		n++;
	}
	ct->ct_closed_notices += cl->sl_count;
	return n;
}

static int
ct_build_procs(struct conntab *ct, struct ct_snap *sp)
{
	struct pt_input		 in;
	struct ct_process	*ps;
	size_t			 n;
	ssize_t			 nclosed;

	if ((nclosed = ct_closed_deltas(ct, sp)) < 0)
		return -1;
	memset(&in, 0, sizeof(in));
	in.pi_rows = sp->sp_pub.sn_rows;
	in.pi_nrows = sp->sp_pub.sn_nrows;
	in.pi_closed = ct->ct_closed_deltas;
	in.pi_nclosed = nclosed;
	in.pi_listeners = sp->sp_pub.sn_listeners;
	in.pi_nlisteners = sp->sp_pub.sn_nlisteners;
	in.pi_prev = ct->ct_last ? &ct->ct_last->sp_pub : NULL;
	in.pi_now_ns = sp->sp_pub.sn_mono_ns;
	in.pi_interval_ns = ct->ct_last ? sp->sp_pub.sn_mono_ns -
	    ct->ct_last->sp_pub.sn_mono_ns : 0;
	in.pi_procroot = ct->ct_procroot;
	if (proctab_build(&in, &ps, &n, &ct->ct_procs_evicted) < 0)
		return -1;
	sp->sp_pub.sn_procs = ps;
	sp->sp_pub.sn_nprocs = n;
	sockdiag_list_clear(&ct->ct_closed);
	return 0;
}

static void
ct_summarize(struct conntab *ct, struct ct_snap *sp, const struct sd_list *sl,
    uint32_t listeners)
{
	struct ct_summary	*cs = &sp->sp_pub.sn_summary;
	struct pp_counters	 pc;
	size_t			 i;

	cs->cs_conns = sp->sp_pub.sn_nrows;
	for (i = 0; i < sp->sp_pub.sn_nrows; i++)
		cs->cs_by_state[sp->sp_pub.sn_rows[i].cr_state]++;
	cs->cs_listeners = listeners;
	cs->cs_clients = sp->sp_pub.sn_nclients;
	if (ct->ct_last != NULL)
		cs->cs_interval_ms = (sp->sp_pub.sn_mono_ns -
		    ct->ct_last->sp_pub.sn_mono_ns) / 1000000;
	cs->cs_refreshes = ++ct->ct_refreshes;
	cs->cs_msgs_malformed = sl->sl_stats.st_malformed;
	cs->cs_attrs_unknown = sl->sl_stats.st_unknown_attrs;
	cs->cs_info_short = sl->sl_stats.st_short_info;
	cs->cs_dropped = sl->sl_stats.st_dropped;
	cs->cs_duplicates = ct->ct_duplicates;
	cs->cs_netstat_known = ct->ct_netstat.cn_have;
	cs->cs_listen_overflows = ct->ct_overflows;
	cs->cs_listen_drops = ct->ct_drops;
	cs->cs_overflows_unattributed = ct->ct_unattr_overflows;
	cs->cs_drops_unattributed = ct->ct_unattr_drops;
	cs->cs_closed_tracking = ct->ct_destroy != NULL;
	cs->cs_closed_notices = ct->ct_closed_notices;
	cs->cs_closed_lost = ct->ct_closed_lost;
	cs->cs_procs_evicted = ct->ct_procs_evicted;
	if (ct->ct_procs != NULL) {
		procpid_counters(ct->ct_procs, &pc);
		cs->cs_proc_scans = pc.pc_scans;
	}
}

/* The snapshot's free function: sn_snap and sp_pub are first. */
static void
ct_snapshot_free(struct snapshot *sn)
{
	ct_snap_free((struct ct_snap *)sn);
}

static void
ct_publish(struct conntab *ct, struct ct_snap *sp)
{
	/* The table's own reference, handed to the slot. */
	snapshot_init(&sp->sp_pub.sn_snap, ct_snapshot_free);
	ct->ct_last = sp;
	snapshot_publish(&ct->ct_slot, &sp->sp_pub.sn_snap);
}

static int
ct_build(struct conntab *ct, const struct sd_list *sl, int64_t mono_ns,
    const struct timespec *real, int64_t start_ns)
{
	struct ct_snap	*sp;
	struct ct_row	*rows = NULL;
	ssize_t		 nsorted;
	uint32_t	 listeners;

	sp = calloc(1, sizeof(*sp));
	if (sp == NULL)
		return -1;
	sp->sp_pub.sn_mono_ns = mono_ns;
	sp->sp_pub.sn_summary.cs_refresh_time = *real;
	if ((nsorted = ct_sort_socks(ct, sl, &listeners)) < 0)
		goto fail;
	rows = malloc((nsorted ? nsorted : 1) * sizeof(*rows));
	if (rows == NULL)
		goto fail;
	sp->sp_cookies = hash_new(nsorted, 0, ct_cookie_eq, rows);
	if (sp->sp_cookies == NULL)
		goto fail;
	sp->sp_pub.sn_rows = rows;	/* sp owns them now */
	rows = NULL;
	if (ct_build_rows(ct, sp, (struct ct_row *)sp->sp_pub.sn_rows,
	    nsorted) < 0)
		goto fail;
	if (ct_build_listeners(ct, sp, sl) < 0)
		goto fail;
	ct_fill_owners(ct, sp);
	if (ct_build_clients(ct, sp) < 0 || ct_build_procs(ct, sp) < 0)
		goto fail;
	ct_summarize(ct, sp, sl, listeners);
	sp->sp_pub.sn_bytes = sizeof(*sp) +
	    nsorted * sizeof(struct ct_row) +
	    sp->sp_pub.sn_nclients * sizeof(struct ct_client) +
	    sp->sp_pub.sn_nlisteners * sizeof(struct ct_listener) +
	    sp->sp_pub.sn_nprocs * sizeof(struct ct_process) +
	    hash_memory(sp->sp_cookies);
	sp->sp_pub.sn_summary.cs_refresh_usec =
	    (ct_now_ns(CLOCK_MONOTONIC) - start_ns) / 1000;
	ct_publish(ct, sp);
	return 0;
fail:
	free(rows);
	ct_snap_free(sp);
	return -1;
}

int
conntab_build(struct conntab *ct, const struct sd_list *sl, int64_t mono_ns,
    const struct timespec *real)
{
	return ct_build(ct, sl, mono_ns, real, ct_now_ns(CLOCK_MONOTONIC));
}

int
conntab_set_closed(struct conntab *ct, const struct sd_list *sl)
{
	size_t	i;

	sockdiag_list_clear(&ct->ct_closed);
	for (i = 0; i < sl->sl_count; i++) {
		if (ct->ct_closed.sl_count == ct->ct_closed.sl_cap) {
			struct sd_sock	*grown;
			size_t		 cap = ct->ct_closed.sl_cap ?
					    2 * ct->ct_closed.sl_cap : 64;

			grown = reallocarray(ct->ct_closed.sl_socks, cap,
			    sizeof(*grown));
			if (grown == NULL)
				return -1;
			ct->ct_closed.sl_socks = grown;
			ct->ct_closed.sl_cap = cap;
		}
		ct->ct_closed.sl_socks[ct->ct_closed.sl_count++] =
		    sl->sl_socks[i];
	}
	return 0;
}

void
conntab_set_netstat(struct conntab *ct, const struct ct_netstat *cn)
{
	ct->ct_netstat = *cn;
}

int
conntab_refresh(struct conntab *ct)
{
	struct timespec	real;
	int64_t		start;

	start = ct_now_ns(CLOCK_MONOTONIC);
	clock_gettime(CLOCK_REALTIME, &real);
	if (sockdiag_dump(ct->ct_diag, &ct->ct_socks) < 0)
		return -1;
	/* After the dump: a socket closed since is in the dump or in these
	 * notices, never lost between the two (ct_closed_deltas). */
	if (ct->ct_destroy != NULL && sockdiag_drain(ct->ct_destroy,
	    &ct->ct_closed, &ct->ct_closed_lost) < 0)
		ct->ct_closed_lost++;
	return ct_build(ct, &ct->ct_socks, start, &real, start);
}

int
conntab_refresh_if_stale(struct conntab *ct)
{
	int64_t	now = ct_now_ns(CLOCK_MONOTONIC);

	if (ct->ct_tried && now - ct->ct_last_try_ns <
	    (int64_t)ct->ct_config.cf_interval_ms * 1000000)
		return 0;
	ct->ct_tried = 1;
	ct->ct_last_try_ns = now;
	return conntab_refresh(ct) < 0 ? -1 : 1;
}

/* The snapshot API, typed: sn_snap is first, so the pointers convert. */
const struct ct_snapshot *
conntab_acquire(struct conntab *ct)
{
	return (const struct ct_snapshot *)snapshot_acquire(&ct->ct_slot);
}

void
conntab_release(const struct ct_snapshot *sn)
{
	snapshot_release(sn ? &sn->sn_snap : NULL);
}

size_t
conntab_row_search(const struct ct_snapshot *sn, const struct ct_index *key,
    int after)
{
	size_t	lo = 0, hi = sn->sn_nrows;

	while (lo < hi) {
		size_t	mid = lo + (hi - lo) / 2;
		int	c = conntab_index_cmp(&sn->sn_rows[mid].cr_index, key);
		if (c < 0 || (after && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t
conntab_client_search(const struct ct_snapshot *sn, const struct ct_addr *key,
    int after)
{
	size_t	lo = 0, hi = sn->sn_nclients;

	while (lo < hi) {
		size_t	mid = lo + (hi - lo) / 2;
		int	c = conntab_addr_cmp(&sn->sn_clients[mid].cc_addr, key);
		if (c < 0 || (after && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t
conntab_process_search(const struct ct_snapshot *sn, uint32_t pid, int after)
{
	return proctab_search(sn->sn_procs, sn->sn_nprocs, pid, after);
}

size_t
conntab_listener_search(const struct ct_snapshot *sn,
    const struct ct_addr *key, uint16_t port, int after)
{
	return listeners_search(sn->sn_listeners, sn->sn_nlisteners, key,
	    port, after);
}

void
conntab_config_default(struct ct_config *cf)
{
	memset(cf, 0, sizeof(*cf));
	cf->cf_interval_ms = CT_INTERVAL_DEFAULT_MS;
	cf->cf_processes = 1;
	cf->cf_procroot = "/proc";
	cf->cf_max_conns = CT_MAX_CONNS_DEFAULT;
}

struct conntab *
conntab_new(const struct ct_config *cf)
{
	struct conntab	*ct;

	ct = calloc(1, sizeof(*ct));
	if (ct == NULL)
		return NULL;
	snapshot_slot_init(&ct->ct_slot);
	ct->ct_config = *cf;
	if (ct->ct_config.cf_interval_ms == 0)
		ct->ct_config.cf_interval_ms = CT_INTERVAL_DEFAULT_MS;
	if (ct->ct_config.cf_max_conns == 0)
		ct->ct_config.cf_max_conns = CT_MAX_CONNS_DEFAULT;
	ct->ct_procroot = strdup(cf->cf_procroot ? cf->cf_procroot : "/proc");
	if (ct->ct_procroot == NULL)
		goto fail;
	ct->ct_config.cf_procroot = ct->ct_procroot;
	sockdiag_list_init(&ct->ct_socks, ct->ct_config.cf_max_conns);
	if ((ct->ct_diag = sockdiag_open()) == NULL)
		goto fail;
	if (ct->ct_config.cf_processes &&
	    (ct->ct_procs = procpid_new(ct->ct_procroot)) == NULL)
		goto fail;
	/* Without CAP_NET_ADMIN the process table misses the last growth
	 * of connections that close between refreshes: it says so. */
	sockdiag_list_init(&ct->ct_closed, ct->ct_config.cf_max_conns);
	ct->ct_destroy = sockdiag_open_destroy();
	return ct;
fail:
	conntab_free(ct);
	return NULL;
}

void
conntab_free(struct conntab *ct)
{
	int	saved = errno;

	if (ct == NULL)
		return;
	snapshot_slot_destroy(&ct->ct_slot);
	sockdiag_close(ct->ct_diag);
	procpid_free(ct->ct_procs);
	sockdiag_list_free(&ct->ct_socks);
	sockdiag_close(ct->ct_destroy);
	sockdiag_list_free(&ct->ct_closed);
	free(ct->ct_closed_deltas);
	free(ct->ct_sort);
	free(ct->ct_inodes);
	free(ct->ct_procroot);
	free(ct);
	errno = saved;
}

size_t
conntab_memory(const struct conntab *ct)
{
	size_t	n = sizeof(*ct);

	if (ct->ct_last != NULL)
		n += ct->ct_last->sp_pub.sn_bytes;
	n += ct->ct_socks.sl_cap * sizeof(struct sd_sock);
	n += ct->ct_sort_cap * sizeof(*ct->ct_sort);
	n += ct->ct_inodes_cap * sizeof(*ct->ct_inodes);
	if (ct->ct_procs != NULL)
		n += procpid_memory(ct->ct_procs);
	return n;
}
