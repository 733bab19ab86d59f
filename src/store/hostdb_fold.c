/*
 * hostdb_fold: the fold of a closed window into the host table, and
 * eviction (hostdb_int.h).
 *
 * The fold, in phases (hostdb_table_add_window()):
 *  A. sum each host's traffic of the window in a scratch table (its own
 *     keyed hash), remembering each session's one or two hosts;
 *  T. rank the window's hosts (bounded heap) into the top list;
 *  B. find each window host in the database;
 *  E. if the new ones do not fit, evict in one batch (partial selection,
 *     expected O(n)) down to 95% of the cap, the top list protected;
 *  C. insert the new hosts, update first/last seen, sessions, source;
 *  D. add each session's counters to its hosts' service rows;
 *  O. merge the new hosts into the index order (hostdb_order.c);
 *  N. names: results in, requests out (hostdb_names.c);
 *  P. publish (hostdb_snap.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/hash.h"
#include "lib/topn.h"
#include "store/hostdb_int.h"

int
hostdb_wh_eq(const void *key, uint32_t index, void *arg)
{
	const struct hostdb_table	*tb = arg;

	return memcmp(&tb->tb_wh[index].wh_key, key,
	    sizeof(struct hostdb_key)) == 0;
}

static uint32_t
hostdb_seconds(int64_t us)
{
	int64_t	s = us / 1000000;

	if (s < 0)
		return 0;
	return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

static int
hostdb_wh_grow(struct hostdb_table *tb)
{
	struct hostdb_whost	*wh;
	uint32_t		 cap;

	if (tb->tb_nwh < tb->tb_wh_cap)
		return 0;
	cap = tb->tb_wh_cap ? tb->tb_wh_cap * 2 : 1024;
	if ((wh = realloc(tb->tb_wh, cap * sizeof(*wh))) == NULL)
		return -1;
	tb->tb_wh = wh;
	tb->tb_wh_cap = cap;
	return 0;
}

/* Adds one end of a session (its own in and out) to the window's host;
 * the window host's index, or HASH_NONE when memory ran out. */
static uint32_t
hostdb_wh_add(struct hostdb_table *tb, int family, const uint8_t *addr,
    const struct session *se, int reversed, int64_t start_us)
{
	struct hostdb_key	 k;
	struct hostdb_whost	*wh;
	uint32_t		 hv, i, first, last;

	hostdb_make_key(&k, family, addr);
	hv = (uint32_t)hash_compute(tb->tb_wh_hash, &k, sizeof(k));
	if ((i = hash_find(tb->tb_wh_hash, hv, &k)) == HASH_NONE) {
		if (hostdb_wh_grow(tb) < 0 ||
		    hash_insert(tb->tb_wh_hash, hv, tb->tb_nwh) < 0)
			return HASH_NONE;
		i = tb->tb_nwh++;
		wh = &tb->tb_wh[i];
		memset(wh, 0, sizeof(*wh));
		wh->wh_key = k;
		wh->wh_id = HASH_NONE;
		wh->wh_first = UINT32_MAX;
	}
	wh = &tb->tb_wh[i];
	if (reversed) {
		wh->wh_counts.sc_octets_in += se->se_octets_out;
		wh->wh_counts.sc_octets_out += se->se_octets_in;
		wh->wh_counts.sc_packets_in += se->se_packets_out;
		wh->wh_counts.sc_packets_out += se->se_packets_in;
	} else {
		wh->wh_counts.sc_octets_in += se->se_octets_in;
		wh->wh_counts.sc_octets_out += se->se_octets_out;
		wh->wh_counts.sc_packets_in += se->se_packets_in;
		wh->wh_counts.sc_packets_out += se->se_packets_out;
	}
	if (wh->wh_sessions < UINT32_MAX)
		wh->wh_sessions++;
	first = hostdb_seconds(session_tick_us(start_us, se->se_first));
	last = hostdb_seconds(session_tick_us(start_us, se->se_last));
	if (first < wh->wh_first)
		wh->wh_first = first;
	if (last >= wh->wh_last) {
		wh->wh_last = last;
		wh->wh_source = (uint8_t)se->se_source;
	}
	return i;
}

static int
hostdb_sess_grow(struct hostdb_table *tb, size_t n)
{
	uint32_t	*m;

	if (2 * n <= tb->tb_sess_cap)
		return 0;
	if ((m = realloc(tb->tb_sess_host, 2 * n * sizeof(*m))) == NULL)
		return -1;
	tb->tb_sess_host = m;
	tb->tb_sess_cap = 2 * n;
	return 0;
}

/* Phase A: the window's hosts, and each session's (in tb_sess_host). */
static int
hostdb_collect(struct hostdb_table *tb, const struct window_closed *wd)
{
	const struct session	*se;
	uint32_t		*map;
	size_t			 i;
	int			 failed = 0, all;

	hash_clear(tb->tb_wh_hash);
	tb->tb_nwh = 0;
	if (hostdb_sess_grow(tb, wd->wd_nsessions) < 0)
		return -1;
	all = tb->tb_config.hc_scope == HOSTDB_SCOPE_ALL;
	for (i = 0; i < wd->wd_nsessions; i++) {
		se = &wd->wd_sessions[i];
		map = &tb->tb_sess_host[2 * i];
		map[0] = map[1] = HASH_NONE;
		if (se->se_key.sk_family == 0 ||
		    (se->se_flags & SESSION_OVERFLOW)) {
			tb->tb_unattributed_octets += se->se_octets_in +
			    se->se_octets_out;
			tb->tb_unattributed_packets += se->se_packets_in +
			    se->se_packets_out;
			continue;
		}
		if (se->se_flags & SESSION_TRANSIT) {
			if (!all)
				continue;
			/* "in" of the entry is towards sk_local: what the
			 * lower address sent is its "out". */
			map[1] = hostdb_wh_add(tb, se->se_key.sk_family,
			    se->se_key.sk_local, se, 1, wd->wd_start_us);
			failed |= map[1] == HASH_NONE;
		}
		map[0] = hostdb_wh_add(tb, se->se_key.sk_family,
		    se->se_key.sk_remote, se, 0, wd->wd_start_us);
		failed |= map[0] == HASH_NONE;
	}
	return failed ? -1 : 0;
}

/* Does window host a rank before b? */
static int
hostdb_wh_before(const struct hostdb_whost *a, const struct hostdb_whost *b)
{
	uint64_t	ao = a->wh_counts.sc_octets_in + a->wh_counts.sc_octets_out;
	uint64_t	bo = b->wh_counts.sc_octets_in + b->wh_counts.sc_octets_out;
	uint64_t	ap, bp;

	if (ao != bo)
		return ao > bo;
	ap = a->wh_counts.sc_packets_in + a->wh_counts.sc_packets_out;
	bp = b->wh_counts.sc_packets_in + b->wh_counts.sc_packets_out;
	if (ap != bp)
		return ap > bp;
	return hostdb_addr_cmp(a->wh_key.hk_family, a->wh_key.hk_addr,
	    b->wh_key.hk_family, b->wh_key.hk_addr) < 0;
}

static int
hostdb_wh_before_index(uint32_t a, uint32_t b, const void *arg)
{
	const struct hostdb_whost	*wh = arg;

	return hostdb_wh_before(&wh[a], &wh[b]);
}

/* Phase T: the best hc_top_hosts window hosts into tb_top, best first. */
static void
hostdb_rank(struct hostdb_table *tb)
{
	struct topn	tn;
	uint32_t	i;

	topn_init(&tn, tb->tb_top, tb->tb_config.hc_top_hosts,
	    hostdb_wh_before_index, tb->tb_wh);
	for (i = 0; i < tb->tb_nwh; i++)
		topn_push(&tn, i);
	tb->tb_ntop = topn_sort(&tn);
	for (i = 0; i < tb->tb_ntop; i++)
		tb->tb_wh[tb->tb_top[i]].wh_flags |= WH_TOP;
}

/* Phase B: each window host's entry; the number of new hosts. */
static size_t
hostdb_find_hosts(struct hostdb_table *tb)
{
	struct hostdb_live	*hl = tb->tb_live;
	struct hostdb_whost	*wh;
	size_t			 nnew = 0;
	uint32_t		 i, j, end;

	/* In batches, so the hash slots' cache misses overlap. */
	for (i = 0; i < tb->tb_nwh; i = end) {
		end = tb->tb_nwh - i > 16 ? i + 16 : tb->tb_nwh;
		for (j = i; j < end; j++) {
			wh = &tb->tb_wh[j];
			wh->wh_hv = (uint32_t)hash_compute(hl->hl_hash,
			    &wh->wh_key, sizeof(wh->wh_key));
			hash_prefetch(hl->hl_hash, wh->wh_hv);
		}
		for (j = i; j < end; j++) {
			wh = &tb->tb_wh[j];
			wh->wh_id = hash_find(hl->hl_hash, wh->wh_hv,
			    &wh->wh_key);
			if (wh->wh_id == HASH_NONE) {
				wh->wh_flags |= WH_NEW;
				nnew++;
			}
		}
	}
	return nnew;
}

static uint64_t
hostdb_random(struct hostdb_table *tb)
{
	uint64_t	x = tb->tb_rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	tb->tb_rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Is a less valuable than b (evicted first)? */
static int
hostdb_cand_less(const struct hostdb_cand *a, const struct hostdb_cand *b)
{
	if (a->hc_value != b->hc_value)
		return a->hc_value < b->hc_value;
	if (a->hc_last != b->hc_last)
		return a->hc_last < b->hc_last;
	return a->hc_ref < b->hc_ref;
}

static void
hostdb_cand_swap(struct hostdb_cand *a, struct hostdb_cand *b)
{
	struct hostdb_cand	t = *a;

	*a = *b;
	*b = t;
}

/* Partial selection (quickselect, random pivots, expected O(n)): the k
 * least valuable of c[0..n) end up in c[0..k), in no order. */
static void
hostdb_cand_select(struct hostdb_table *tb, struct hostdb_cand *c, size_t n,
    size_t k)
{
	struct hostdb_cand	pivot;
	size_t			lo = 0, hi = n, i, store;

	while (hi - lo > 1 && k > lo && k < hi) {
		pivot = c[lo + hostdb_random(tb) % (hi - lo)];
		/* Lomuto: everything less than the pivot first. */
		for (i = store = lo; i < hi; i++)
			if (hostdb_cand_less(&c[i], &pivot))
				hostdb_cand_swap(&c[i], &c[store++]);
		/* Keys are distinct, so store < hi; put the pivot at store. */
		for (i = store; i < hi; i++)
			if (!hostdb_cand_less(&c[i], &pivot) &&
			    !hostdb_cand_less(&pivot, &c[i])) {
				hostdb_cand_swap(&c[i], &c[store]);
				break;
			}
		if (k <= store)
			hi = store;
		else
			lo = store + 1;
	}
}

static int
hostdb_mark_evicted(struct hostdb_table *tb, uint32_t id)
{
	size_t	need = (size_t)(tb->tb_live->hl_entries.hp_next + 7) / 8;
	uint8_t	*b;

	if (tb->tb_evicted == NULL || tb->tb_evicted_bytes < need) {
		if ((b = realloc(tb->tb_evicted, need)) == NULL)
			return -1;
		memset(b + tb->tb_evicted_bytes, 0, need - tb->tb_evicted_bytes);
		tb->tb_evicted = b;
		tb->tb_evicted_bytes = need;
	}
	tb->tb_evicted[id >> 3] |= (uint8_t)(1u << (id & 7));
	return 0;
}

/* Takes entry id, whose hash is hv, out of the database. */
static void
hostdb_evict_entry(struct hostdb_table *tb, uint32_t id, uint32_t hv)
{
	struct hostdb_live	*hl = tb->tb_live;

	if (hostdb_mark_evicted(tb, id) < 0) {
		tb->tb_errors++;	/* it would stay in the order: keep it */
		return;
	}
	hash_remove(hl->hl_hash, hv, id);
	hostdb_entry_free(hl, id);
}

/* The window host of entry id (in this window): evicting the entry
 * drops its window traffic too. */
static void
hostdb_drop_window_host(struct hostdb_table *tb, const struct hostdb_key *k)
{
	uint32_t	i;

	i = hash_find(tb->tb_wh_hash, (uint32_t)hash_compute(tb->tb_wh_hash,
	    k, sizeof(*k)), k);
	if (i != HASH_NONE) {
		tb->tb_wh[i].wh_flags |= WH_DROP;
		tb->tb_wh[i].wh_id = HASH_NONE;
	}
}

/* Every entry as a candidate, c[id] (free ones HOSTDB_CAND_SKIP), read
 * chunk by chunk. */
static void
hostdb_cand_scan(const struct hostdb_live *hl, struct hostdb_cand *c)
{
	const struct hostdb_pool	*p = &hl->hl_entries;
	const struct hostdb_entry	*base;
	uint32_t			 ci, k, id, used;

	for (ci = 0; ci < p->hp_nchunks; ci++) {
		base = (const struct hostdb_entry *)p->hp_chunks[ci]->hk_data;
		used = p->hp_used[ci];
		/* Chunks lie apart in memory: start on the next one now. */
		if (ci + 1 < p->hp_nchunks)
			for (k = 0; k < hostdb_chunk_bytes(p); k += 64)
				__builtin_prefetch((const char *)
				    p->hp_chunks[ci + 1] + k);
		for (k = 0; k < (1u << HOSTDB_ENTRY_SHIFT); k++) {
			id = ci << HOSTDB_ENTRY_SHIFT | k;
			if (id >= p->hp_next)
				return;
			if (!(used >> k & 1)) {
				c[id].hc_ref = HOSTDB_CAND_SKIP;
				continue;
			}
			c[id].hc_ref = id;
			c[id].hc_value = hostdb_entry_octets(hl, &base[k]);
			c[id].hc_last = base[k].he_last;
		}
	}
}

/* Adds the window to the candidates: this window's traffic to its
 * entries, its new hosts after c[next]; the top list protected.  The
 * candidates left, compacted. */
static size_t
hostdb_cand_window(const struct hostdb_table *tb, struct hostdb_cand *c,
    uint32_t next)
{
	const struct hostdb_whost	*wh;
	struct hostdb_cand		*e;
	size_t				 n = next, m, i;

	for (i = 0; i < tb->tb_nwh; i++) {
		wh = &tb->tb_wh[i];
		if (wh->wh_id != HASH_NONE) {
			e = &c[wh->wh_id];
			e->hc_value += wh->wh_counts.sc_octets_in +
			    wh->wh_counts.sc_octets_out;
			e->hc_last = wh->wh_last;
			e->hc_ref = wh->wh_flags & WH_TOP ? HOSTDB_CAND_SKIP :
			    e->hc_ref | HOSTDB_CAND_WINDOW;
		} else if (!(wh->wh_flags & (WH_TOP | WH_DROP))) {
			c[n].hc_value = wh->wh_counts.sc_octets_in +
			    wh->wh_counts.sc_octets_out;
			c[n].hc_last = wh->wh_last;
			c[n++].hc_ref = HOSTDB_CAND_NEW | (uint32_t)i;
		}
	}
	for (i = 0, m = 0; i < n; i++)
		if (c[i].hc_ref != HOSTDB_CAND_SKIP)
			c[m++] = c[i];
	return m;
}

/* Evicts the chosen c[0..n), a batch at a time so the cache misses on
 * the hash slots overlap (hc_last is reused for the hash). */
static void
hostdb_evict_chosen(struct hostdb_table *tb, struct hostdb_cand *c, size_t n)
{
	struct hostdb_live		*hl = tb->tb_live;
	const struct hostdb_entry	*e;
	struct hostdb_key		 k;
	size_t				 i, j, end;
	uint32_t			 ref;

	for (i = 0; i < n; i = end) {
		end = n - i > HOSTDB_EVICT_BATCH ? i + HOSTDB_EVICT_BATCH : n;
		for (j = end; j < n && j < end + HOSTDB_EVICT_BATCH; j++)
			if (!(c[j].hc_ref & HOSTDB_CAND_NEW))
				__builtin_prefetch(hostdb_entry_get(hl,
				    c[j].hc_ref & HOSTDB_CAND_ID));
		for (j = i; j < end; j++) {
			ref = c[j].hc_ref;
			if (ref & HOSTDB_CAND_NEW) {
				tb->tb_wh[ref & ~HOSTDB_CAND_NEW].wh_flags |=
				    WH_DROP;
				continue;
			}
			e = hostdb_entry_get(hl, ref & HOSTDB_CAND_ID);
			hostdb_make_key(&k, e->he_family, e->he_addr);
			c[j].hc_last = (uint32_t)hash_compute(hl->hl_hash, &k,
			    sizeof(k));
			hash_prefetch(hl->hl_hash, c[j].hc_last);
			if (ref & HOSTDB_CAND_WINDOW)
				hostdb_drop_window_host(tb, &k);
		}
		for (j = i; j < end; j++)
			if (!(c[j].hc_ref & HOSTDB_CAND_NEW))
				hostdb_evict_entry(tb, c[j].hc_ref &
				    HOSTDB_CAND_ID, c[j].hc_last);
	}
}

/*
 * Phase E: evicts the need least valuable of the database's entries and
 * the window's new hosts together, valued with this window's traffic
 * added; the window's top list is protected.  Evicted window hosts are
 * marked WH_DROP.  How many went, or -1 when memory ran out.
 */
static long
hostdb_evict(struct hostdb_table *tb, size_t need)
{
	struct hostdb_live	*hl = tb->tb_live;
	struct hostdb_cand	*c;
	uint32_t		 next = hl->hl_entries.hp_next;
	size_t			 m;

	if ((c = malloc(((size_t)next + tb->tb_nwh + 1) * sizeof(*c))) == NULL)
		return -1;
	hostdb_cand_scan(hl, c);
	m = hostdb_cand_window(tb, c, next);
	if (need > m)
		need = m;
	hostdb_cand_select(tb, c, m, need);
	hostdb_evict_chosen(tb, c, need);
	free(c);
	tb->tb_evictions += need;
	return (long)need;
}

/* Inserts a new host with its key; its id, or HASH_NONE. */
static uint32_t
hostdb_insert(struct hostdb_table *tb, const struct hostdb_key *k, uint32_t hv)
{
	struct hostdb_live	*hl = tb->tb_live;
	struct hostdb_entry	*e;
	uint32_t		 id;

	if (hostdb_count(tb) >= tb->tb_config.hc_max_hosts)
		return HASH_NONE;
	if ((id = hostdb_pool_alloc(&hl->hl_entries)) == HASH_NONE)
		return HASH_NONE;
	if ((e = hostdb_entry_mut(hl, id)) == NULL)
		goto fail;
	if (hash_insert(hl->hl_hash, hv, id) < 0)
		goto fail;
	if (hostdb_keys_add(&tb->tb_new, k->hk_family, k->hk_addr,
	    id) < 0) {
		hash_remove(hl->hl_hash, hv, id);
		goto fail;
	}
	memcpy(e->he_addr, k->hk_addr, 16);
	e->he_family = k->hk_family;
	e->he_first = UINT32_MAX;
	return id;
fail:
	hostdb_pool_release(&hl->hl_entries, id);
	return HASH_NONE;
}

/* Phase C: new hosts in, and each window host's entry updated. */
static void
hostdb_update_hosts(struct hostdb_table *tb)
{
	struct hostdb_live	*hl = tb->tb_live;
	struct hostdb_whost	*wh;
	struct hostdb_entry	*e;
	uint32_t		 i;

	for (i = 0; i < tb->tb_nwh; i++) {
		wh = &tb->tb_wh[i];
		if (wh->wh_flags & WH_DROP)
			continue;
		if (wh->wh_flags & WH_NEW) {
			wh->wh_id = hostdb_insert(tb, &wh->wh_key, wh->wh_hv);
			if (wh->wh_id == HASH_NONE) {
				wh->wh_flags |= WH_DROP;
				tb->tb_dropped++;
				continue;
			}
		}
		if ((e = hostdb_entry_mut(hl, wh->wh_id)) == NULL) {
			tb->tb_errors++;
			continue;
		}
		e->he_source = wh->wh_source;
		if (wh->wh_first < e->he_first)
			e->he_first = wh->wh_first;
		if (wh->wh_last > e->he_last)
			e->he_last = wh->wh_last;
		e->he_sessions = UINT32_MAX - e->he_sessions < wh->wh_sessions ?
		    UINT32_MAX : e->he_sessions + wh->wh_sessions;
	}
}

static void
hostdb_fold_end(struct hostdb_table *tb, uint32_t whi, unsigned int service,
    const struct session_counts *c)
{
	struct hostdb_entry	*e;
	uint32_t		 id;

	if (whi == HASH_NONE || (id = tb->tb_wh[whi].wh_id) == HASH_NONE)
		return;
	if ((e = hostdb_entry_mut(tb->tb_live, id)) == NULL ||
	    hostdb_entry_add(tb->tb_live, tb->tb_other, e, service, c) < 0)
		tb->tb_errors++;
}

/* Starts loading the entry of session i's first host. */
static void
hostdb_fold_prefetch(const struct hostdb_table *tb, size_t i, size_t n)
{
	uint32_t	whi, id;

	if (i >= n || (whi = tb->tb_sess_host[2 * i]) == HASH_NONE ||
	    (id = tb->tb_wh[whi].wh_id) == HASH_NONE)
		return;
	__builtin_prefetch(hostdb_entry_get(tb->tb_live, id));
}

/* Phase D: each session's counters into its hosts' service rows. */
static void
hostdb_fold_sessions(struct hostdb_table *tb, const struct window_closed *wd)
{
	const struct session	*se;
	struct session_counts	 c, r;
	size_t			 i;

	for (i = 0; i < wd->wd_nsessions; i++) {
		hostdb_fold_prefetch(tb, i + 8, wd->wd_nsessions);
		se = &wd->wd_sessions[i];
		c.sc_octets_in = se->se_octets_in;
		c.sc_octets_out = se->se_octets_out;
		c.sc_packets_in = se->se_packets_in;
		c.sc_packets_out = se->se_packets_out;
		hostdb_fold_end(tb, tb->tb_sess_host[2 * i], se->se_service, &c);
		if (tb->tb_sess_host[2 * i + 1] == HASH_NONE)
			continue;
		r.sc_octets_in = c.sc_octets_out;
		r.sc_octets_out = c.sc_octets_in;
		r.sc_packets_in = c.sc_packets_out;
		r.sc_packets_out = c.sc_packets_in;
		hostdb_fold_end(tb, tb->tb_sess_host[2 * i + 1], se->se_service,
		    &r);
	}
}

/* YYYYMM of a packet time, UTC. */
uint32_t
hostdb_period_of(int64_t us)
{
	time_t		t = (time_t)(us / 1000000);
	struct tm	tm;

	if (us < 0 || gmtime_r(&t, &tm) == NULL)
		return 0;
	return (uint32_t)(tm.tm_year + 1900) * 100 + (uint32_t)tm.tm_mon + 1;
}

/* Folds wd and publishes it with st; failed (-1: the caller already
 * lost an update, as a roll's clear can) is counted with the fold's own
 * failures.  0, or -1 with errno ENOMEM. */
int
hostdb_table_add_window(struct hostdb_table *tb,
    const struct window_closed *wd, const struct hostdb_status *st,
    int failed)
{
	uint32_t	period = hostdb_period_of(wd->wd_start_us);
	size_t		nnew, max = tb->tb_config.hc_max_hosts, count, target;

	/* The month follows the windows back too (a clock stepped back
	 * after running ahead): a period that only moved forward let one
	 * future-dated window stop the monthly reset until that date. */
	if (period != 0)
		tb->tb_period = period;
	tb->tb_number++;
	tb->tb_window_start_us = wd->wd_start_us;
	tb->tb_window_length_us = wd->wd_length_us;
	failed |= hostdb_collect(tb, wd);
	hostdb_rank(tb);
	nnew = hostdb_find_hosts(tb);
	count = hostdb_count(tb);
	if (count + nnew > max) {
		target = max / HOSTDB_KEEP_DEN * HOSTDB_KEEP_NUM +
		    max % HOSTDB_KEEP_DEN * HOSTDB_KEEP_NUM / HOSTDB_KEEP_DEN;
		failed |= hostdb_evict(tb, count + nnew - target) < 0;
	}
	hostdb_update_hosts(tb);
	hostdb_fold_sessions(tb, wd);
	failed |= hostdb_update_order(tb);
	hostdb_names_step(tb, hostdb_seconds(wd->wd_start_us +
	    wd->wd_length_us));
	failed |= hostdb_table_publish(tb, st);
	if (failed) {
		tb->tb_errors++;
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* A file of more hosts than the cap (maxHosts was lowered): evict down
 * to it. */
void
hostdb_table_enforce_cap(struct hostdb_table *tb)
{
	size_t	count = hostdb_count(tb);

	if (count <= tb->tb_config.hc_max_hosts)
		return;
	if (hostdb_evict(tb, count - tb->tb_config.hc_max_hosts) < 0) {
		tb->tb_errors++;
		return;
	}
	if (hostdb_update_order(tb) < 0)
		tb->tb_errors++;
}
