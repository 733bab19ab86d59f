/*
 * hostdb_table: the host table (hostdb_int.h) -- the live entries, the
 * fold of a window, eviction, the index order and copy-on-write
 * snapshots; the contract is hostdb.h, and hostdb.c (the files, the
 * writer thread, the monthly roll) calls it, never the reverse.
 *
 * Storage.  An entry is 208 bytes in a chunk of 16 (3.3 KB); its id
 * (chunk << 4 | slot) never changes while it lives, the keyed hash
 * (hash.h) maps an address to it, and freed ids are reused.  Which ids
 * are in use is a bitmask beside the chunks (live side only), so
 * freeing an entry -- an eviction -- writes nothing into its chunk and
 * copies none.  Service
 * counters are stored narrow -- octets in 48 bits, packets in 32, 20
 * bytes a row, 8 rows inline -- until one would overflow; then the
 * host's rows move to a wide block of 64-bit counters (256 bytes, in a
 * pool of its own) and the entry keeps the block's id.  A host's totals
 * are the sum of its rows, so they are exact and add up by
 * construction.  Names are NUL-terminated strings appended to 64 KB
 * chunks (an entry keeps a 32-bit reference); replaced names are garbage
 * until the pool is compacted.
 *
 * Snapshots.  A published snapshot takes a reference on every chunk
 * (entries and wide blocks) and keeps its own copy of the chunk pointer
 * arrays; the live table copies a chunk before it writes into one that
 * is shared (reference count above 1).  So a publish costs one pointer
 * and one atomic increment a chunk, and a window copies only the chunks
 * it touches.  The index order (IPv4 as address << 32 | id, IPv6 as
 * address + id records) is an immutable, reference-counted array pair:
 * a window sorts its new hosts and merges them in, dropping evicted ids
 * with a bitmap; a window with neither keeps the old one.  The names
 * pool is shared the same way (appending never touches bytes a snapshot
 * can read; compaction makes a new pool).
 *
 * The fold of a window, in phases (hostdb_add_window()):
 *  A. sum each host's traffic of the window in a scratch table (its own
 *     keyed hash), remembering each session's one or two hosts;
 *  T. rank the window's hosts (bounded heap) into the top list;
 *  B. find each window host in the database;
 *  E. if the new ones do not fit, evict in one batch (partial selection,
 *     expected O(n)) down to 95% of the cap, the top list protected;
 *  C. insert the new hosts, update first/last seen, sessions, source;
 *  D. add each session's counters to its hosts' service rows;
 *  O. merge the new hosts into the index order;
 *  N. names: results in, requests out;
 *  P. publish.
 *
 * Memory (tests/tools/bench_hostdb, 1,000,000 hosts with 8 services
 * each): about 253 bytes a host of RSS -- entry 208, hash 11.4, index
 * 8 (IPv4) or 20 (IPv6), chunk overhead about 2, the fold's scratch
 * (about 25 MB for windows of 200,000 sessions) the rest -- with the
 * published snapshot, which shares the entries.  A window's copies on
 * write come on top until the snapshot before it is released.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "hash.h"
#include "hostdb_int.h"
#include "services.h"
#include "snapshot.h"
#include "topn.h"

static int
hostdb_eq(const void *key, uint32_t id, void *arg)
{
	const struct hostdb_key		*k = key;
	const struct hostdb_entry	*e = hostdb_entry_get(arg, id);

	return e->he_family == k->hk_family &&
	    memcmp(e->he_addr, k->hk_addr, 16) == 0;
}

static void
hostdb_set_narrow(struct hostdb_narrow *n, const struct session_counts *c)
{
	n->hn_octets_in_lo = (uint32_t)c->sc_octets_in;
	n->hn_octets_in_hi = (uint16_t)(c->sc_octets_in >> 32);
	n->hn_octets_out_lo = (uint32_t)c->sc_octets_out;
	n->hn_octets_out_hi = (uint16_t)(c->sc_octets_out >> 32);
	n->hn_packets_in = (uint32_t)c->sc_packets_in;
	n->hn_packets_out = (uint32_t)c->sc_packets_out;
}

static int
hostdb_fits_narrow(const struct session_counts *c)
{
	return c->sc_octets_in <= HOSTDB_NARROW_OCTETS &&
	    c->sc_octets_out <= HOSTDB_NARROW_OCTETS &&
	    c->sc_packets_in <= UINT32_MAX && c->sc_packets_out <= UINT32_MAX;
}

static uint64_t
hostdb_entry_octets(const struct hostdb_live *hl, const struct hostdb_entry *e)
{
	const struct hostdb_wide	*w = hostdb_wide_get(hl, e);
	struct session_counts		 c;
	uint64_t			 sum = 0;
	unsigned int			 r;

	for (r = 0; r < e->he_nservices; r++) {
		hostdb_row(e, w, r, &c);
		sum += c.sc_octets_in + c.sc_octets_out;
	}
	return sum;
}

/* Moves e's rows to a wide block.  0, or -1 when memory ran out. */
static int
hostdb_widen(struct hostdb_live *hl, struct hostdb_entry *e)
{
	struct hostdb_wide	*w;
	struct session_counts	 c[HOSTDB_SERVICES];
	uint32_t		 wid;
	unsigned int		 r;

	for (r = 0; r < e->he_nservices; r++)
		hostdb_row(e, NULL, r, &c[r]);
	if ((wid = hostdb_pool_alloc(&hl->hl_wides)) == HASH_NONE)
		return -1;
	if ((w = hostdb_pool_mut(&hl->hl_wides, wid)) == NULL) {
		hostdb_pool_release(&hl->hl_wides, wid);
		return -1;
	}
	memset(w, 0, sizeof(*w));
	for (r = 0; r < e->he_nservices; r++)
		w->hw_row[r] = c[r];
	memset(&e->he_u, 0, sizeof(e->he_u));
	e->he_u.he_wide = wid;
	e->he_flags |= HE_WIDE;
	return 0;
}

/* The row of service in e, made if needed: beyond HOSTDB_SERVICES - 1
 * catalogue services a host's traffic goes to "other". */
static unsigned int
hostdb_service_row(struct hostdb_entry *e, unsigned int service,
    unsigned int other)
{
	unsigned int	r, others = 0;

	for (r = 0; r < e->he_nservices; r++) {
		if (e->he_service[r] == service)
			return r;
		others += e->he_service[r] == other;
	}
	if (service != other && e->he_nservices - others >= HOSTDB_SERVICES - 1)
		return hostdb_service_row(e, other, other);
	e->he_service[r] = (uint8_t)service;
	e->he_nservices++;
	return r;
}

/* Adds c to e's row of service (e is writable).  0, or -1 when a wide
 * block was needed and memory ran out (the row then saturates). */
static int
hostdb_entry_add(struct hostdb_live *hl, unsigned int other,
    struct hostdb_entry *e, unsigned int service,
    const struct session_counts *c)
{
	struct hostdb_wide	*w;
	struct session_counts	 sum;
	unsigned int		 r;

	if (service == 0 || service > other)
		service = other;
	r = hostdb_service_row(e, service, other);
	if (!(e->he_flags & HE_WIDE)) {
		hostdb_row(e, NULL, r, &sum);
		hostdb_add_counts(&sum, c);
		if (hostdb_fits_narrow(&sum)) {
			hostdb_set_narrow(&e->he_u.he_narrow[r], &sum);
			return 0;
		}
		if (hostdb_widen(hl, e) < 0) {
			/* Saturate rather than wrap. */
			if (sum.sc_octets_in > HOSTDB_NARROW_OCTETS)
				sum.sc_octets_in = HOSTDB_NARROW_OCTETS;
			if (sum.sc_octets_out > HOSTDB_NARROW_OCTETS)
				sum.sc_octets_out = HOSTDB_NARROW_OCTETS;
			if (sum.sc_packets_in > UINT32_MAX)
				sum.sc_packets_in = UINT32_MAX;
			if (sum.sc_packets_out > UINT32_MAX)
				sum.sc_packets_out = UINT32_MAX;
			hostdb_set_narrow(&e->he_u.he_narrow[r], &sum);
			return -1;
		}
	}
	if ((w = hostdb_pool_mut(&hl->hl_wides, e->he_u.he_wide)) == NULL)
		return -1;
	hostdb_add_counts(&w->hw_row[r], c);
	return 0;
}

/* Frees entry id (already out of the hash), its wide block and its
 * name, without writing to it: no chunk is copied for an eviction. */
static void
hostdb_entry_free(struct hostdb_live *hl, uint32_t id)
{
	const struct hostdb_entry	*e = hostdb_entry_get(hl, id);

	if (e->he_flags & HE_WIDE)
		hostdb_pool_release(&hl->hl_wides, e->he_u.he_wide);
	hostdb_names_drop(hl->hl_names, e->he_name);
	hostdb_pool_release(&hl->hl_entries, id);
}

static void
hostdb_live_free(struct hostdb_live *hl)
{
	if (hl == NULL)
		return;
	hostdb_pool_free(&hl->hl_entries);
	hostdb_pool_free(&hl->hl_wides);
	hash_free(hl->hl_hash);
	hostdb_order_unref(hl->hl_order);
	hostdb_names_unref(hl->hl_names);
	free(hl);
}

static struct hostdb_live *
hostdb_live_new(size_t hint, size_t max)
{
	struct hostdb_live	*hl;

	if ((hl = calloc(1, sizeof(*hl))) == NULL)
		return NULL;
	hostdb_pool_init(&hl->hl_entries, sizeof(struct hostdb_entry),
	    HOSTDB_ENTRY_SHIFT);
	hostdb_pool_init(&hl->hl_wides, sizeof(struct hostdb_wide),
	    HOSTDB_WIDE_SHIFT);
	hl->hl_hash = hash_new(hint, max, hostdb_eq, hl);
	hl->hl_order = hostdb_order_new(0, 0);
	hl->hl_names = hostdb_names_new();
	if (hl->hl_hash == NULL || hl->hl_order == NULL ||
	    hl->hl_names == NULL) {
		hostdb_live_free(hl);
		return NULL;
	}
	return hl;
}

static size_t
hostdb_count(const struct hostdb_table *tb)
{
	return hash_count(tb->tb_live->hl_hash);
}

static int
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
	if (hostdb_new_key(tb, k, id) < 0) {
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

/* Empties the live table (a new month).  0, or -1 (ENOMEM, unchanged). */
int
hostdb_table_clear(struct hostdb_table *tb)
{
	struct hostdb_live	*hl;

	hl = hostdb_live_new(tb->tb_config.hc_max_hosts < 4096 ?
	    tb->tb_config.hc_max_hosts : 4096, tb->tb_config.hc_max_hosts);
	if (hl == NULL)
		return -1;
	hostdb_live_free(tb->tb_live);
	tb->tb_live = hl;
	tb->tb_order_stale = 0;
	return 0;
}

/* YYYYMM of the latest window (or the file loaded), 0 none yet. */
uint32_t
hostdb_table_period(const struct hostdb_table *tb)
{
	return tb->tb_period;
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

struct hostdb_table *
hostdb_table_new(const struct hostdb_config *hc, const struct services *sv)
{
	struct hostdb_table	*tb;
	size_t			 hint;

	if (hc->hc_max_hosts == 0 || hc->hc_max_hosts >= HOSTDB_CAND_ID / 2 ||
	    hc->hc_top_hosts == 0 || hc->hc_top_hosts > HOSTDB_TOP_MAX ||
	    (hc->hc_scope != HOSTDB_SCOPE_REMOTE &&
	    hc->hc_scope != HOSTDB_SCOPE_ALL)) {
		errno = EINVAL;
		return NULL;
	}
	if ((tb = calloc(1, sizeof(*tb))) == NULL)
		return NULL;
	snapshot_slot_init(&tb->tb_slot);
	tb->tb_config = *hc;
	tb->tb_config.hc_file = NULL;	/* the files are hostdb.c's */
	tb->tb_config.hc_archive_dir = NULL;
	tb->tb_other = services_other(sv);
	tb->tb_rng = (uint64_t)(uintptr_t)tb ^ (uint64_t)time(NULL) ^
	    0x9e3779b97f4a7c15ULL;
	hint = hc->hc_max_hosts < 4096 ? hc->hc_max_hosts : 4096;
	tb->tb_live = hostdb_live_new(hint, hc->hc_max_hosts);
	tb->tb_wh_hash = hash_new(1024, 0, hostdb_wh_eq, tb);
	tb->tb_top = malloc(hc->hc_top_hosts * sizeof(*tb->tb_top));
	if (tb->tb_live == NULL || tb->tb_wh_hash == NULL ||
	    tb->tb_top == NULL) {
		hostdb_table_free(tb);
		return NULL;
	}
	return tb;
}

/* Snapshots still acquired stay valid until released.  Accepts NULL. */
void
hostdb_table_free(struct hostdb_table *tb)
{
	if (tb == NULL)
		return;
	snapshot_slot_destroy(&tb->tb_slot);
	hostdb_live_free(tb->tb_live);
	hash_free(tb->tb_wh_hash);
	free(tb->tb_wh);
	free(tb->tb_sess_host);
	free(tb->tb_top);
	free(tb->tb_new4);
	free(tb->tb_new6);
	free(tb->tb_evicted);
	free(tb);
}

void
hostdb_table_set_resolver(struct hostdb_table *tb, struct resolver *r)
{
	tb->tb_resolver = r;
}

size_t
hostdb_table_memory(const struct hostdb_table *tb)
{
	const struct hostdb_live	*hl = tb->tb_live;
	const struct hostdb_names	*n = hl->hl_names;

	return sizeof(*tb) + sizeof(*hl) +
	    hostdb_pool_memory(&hl->hl_entries) +
	    hostdb_pool_memory(&hl->hl_wides) + hash_memory(hl->hl_hash) +
	    sizeof(*hl->hl_order) + hl->hl_order->ho_n4 * 8 +
	    hl->hl_order->ho_n6 * sizeof(struct hostdb_key6) +
	    n->hn_nchunks * (size_t)HOSTDB_NAME_CHUNK +
	    n->hn_cap * sizeof(char *) +
	    hash_memory(tb->tb_wh_hash) + tb->tb_wh_cap * sizeof(*tb->tb_wh) +
	    tb->tb_sess_cap * sizeof(*tb->tb_sess_host) +
	    tb->tb_new4_cap * 8 + tb->tb_new6_cap * sizeof(*tb->tb_new6);
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

/* A loader for tb, with room for hint hosts (what the file says). */
struct hostdb_loader *
hostdb_table_loader(struct hostdb_table *tb, uint64_t hint)
{
	struct hostdb_loader	*ld;
	uint64_t		 n = hint;
	size_t			 max = tb->tb_config.hc_max_hosts;

	if ((ld = calloc(1, sizeof(*ld))) == NULL)
		return NULL;
	ld->ld_table = tb;
	/* Room for what the file says, if it says more than the cap; the
	 * commit evicts down to the cap. */
	if (n > max && n < HOSTDB_CAND_ID / 2)
		max = (size_t)n;
	ld->ld_live = hostdb_live_new(n < max ? (size_t)n : max, max);
	if (ld->ld_live == NULL) {
		free(ld);
		return NULL;
	}
	return ld;
}

void
hostdb_loader_free(struct hostdb_loader *ld)
{
	if (ld == NULL)
		return;
	hostdb_live_free(ld->ld_live);
	free(ld->ld_v4);
	free(ld->ld_v6);
	free(ld);
}

static int
hostdb_loader_key(struct hostdb_loader *ld, const struct hostdb_host *hh,
    uint32_t id)
{
	void	*p;
	size_t	 cap;

	if (hh->hh_family == AF_INET) {
		if (ld->ld_n4 == ld->ld_cap4) {
			cap = ld->ld_cap4 ? ld->ld_cap4 * 2 : 1024;
			if ((p = realloc(ld->ld_v4, cap * 8)) == NULL)
				return -1;
			ld->ld_v4 = p;
			ld->ld_cap4 = cap;
		}
		ld->ld_v4[ld->ld_n4++] = hostdb_key4(hh->hh_addr, id);
		return 0;
	}
	if (ld->ld_n6 == ld->ld_cap6) {
		cap = ld->ld_cap6 ? ld->ld_cap6 * 2 : 256;
		if ((p = realloc(ld->ld_v6, cap *
		    sizeof(struct hostdb_key6))) == NULL)
			return -1;
		ld->ld_v6 = p;
		ld->ld_cap6 = cap;
	}
	memcpy(ld->ld_v6[ld->ld_n6].k6_addr, hh->hh_addr, 16);
	ld->ld_v6[ld->ld_n6++].k6_id = id;
	return 0;
}

static int
hostdb_loader_valid(const struct hostdb_loader *ld,
    const struct hostdb_host *hh)
{
	if (hh->hh_family != AF_INET && hh->hh_family != AF_INET6)
		return 0;
	if (ld->ld_family != 0 && hostdb_addr_cmp(ld->ld_family, ld->ld_addr,
	    hh->hh_family, hh->hh_addr) >= 0)
		return 0;
	return hh->hh_nservices <= HOSTDB_SERVICES &&
	    hh->hh_source <= UINT8_MAX && hh->hh_first_seen >= 0 &&
	    hh->hh_first_seen <= UINT32_MAX && hh->hh_last_seen >= 0 &&
	    hh->hh_last_seen <= UINT32_MAX && hh->hh_name_time >= 0 &&
	    hh->hh_name_time <= UINT32_MAX &&
	    strlen(hh->hh_name) <= HOSTDB_NAME_MAX;
}

/* Hashes the pending hosts, their slots loaded ahead.  0 or -1. */
static int
hostdb_loader_flush(struct hostdb_loader *ld)
{
	struct hash	*h = ld->ld_live->hl_hash;
	size_t		 i;

	for (i = 0; i < ld->ld_pending && i < 16; i++)
		hash_prefetch(h, ld->ld_hv[i]);
	for (i = 0; i < ld->ld_pending; i++) {
		if (i + 16 < ld->ld_pending)
			hash_prefetch(h, ld->ld_hv[i + 16]);
		if (hash_insert(h, ld->ld_hv[i], ld->ld_id[i]) < 0)
			return -1;
	}
	ld->ld_pending = 0;
	return 0;
}

int
hostdb_loader_add(struct hostdb_loader *ld, const struct hostdb_host *hh)
{
	struct hostdb_live	*hl = ld->ld_live;
	struct hostdb_key	 k;
	struct hostdb_entry	*e;
	uint32_t		 id, hv;
	unsigned int		 i;

	if (!hostdb_loader_valid(ld, hh)) {
		errno = EINVAL;
		return -1;
	}
	hostdb_make_key(&k, hh->hh_family, hh->hh_addr);
	hv = (uint32_t)hash_compute(hl->hl_hash, &k, sizeof(k));
	if ((id = hostdb_pool_alloc(&hl->hl_entries)) == HASH_NONE ||
	    (e = hostdb_entry_mut(hl, id)) == NULL)
		goto nomem;
	memcpy(e->he_addr, k.hk_addr, 16);
	e->he_family = k.hk_family;
	e->he_source = (uint8_t)hh->hh_source;
	e->he_first = (uint32_t)hh->hh_first_seen;
	e->he_last = (uint32_t)hh->hh_last_seen;
	e->he_sessions = hh->hh_sessions;
	e->he_name_time = (uint32_t)hh->hh_name_time;
	if (hh->hh_name[0] != '\0' &&
	    (e->he_name = hostdb_names_add(hl->hl_names, hh->hh_name)) == 0)
		goto nomem;
	for (i = 0; i < hh->hh_nservices; i++)
		if (hostdb_entry_add(hl, ld->ld_table->tb_other, e,
		    hh->hh_services[i].hv_service,
		    &hh->hh_services[i].hv_counts) < 0)
			goto nomem;
	if (hostdb_loader_key(ld, hh, id) < 0)
		goto nomem;
	ld->ld_hv[ld->ld_pending] = hv;
	ld->ld_id[ld->ld_pending++] = id;
	if (ld->ld_pending == HOSTDB_LOAD_BATCH && hostdb_loader_flush(ld) < 0)
		goto nomem;
	ld->ld_family = hh->hh_family;
	memcpy(ld->ld_addr, hh->hh_addr, 16);
	return 0;
nomem:
	/* The loader is thrown away whole: nothing to unwind. */
	errno = ENOMEM;
	return -1;
}

int
hostdb_loader_commit(struct hostdb_loader *ld, uint32_t period)
{
	struct hostdb_table	*tb = ld->ld_table;
	struct hostdb_live	*hl = ld->ld_live;
	struct hostdb_order	*o;

	if (hostdb_loader_flush(ld) < 0 ||
	    (o = hostdb_order_new(ld->ld_n4, ld->ld_n6)) == NULL) {
		hostdb_loader_free(ld);
		errno = ENOMEM;
		return -1;
	}
	if (ld->ld_n4 > 0)
		memcpy(o->ho_v4, ld->ld_v4, ld->ld_n4 * 8);
	if (ld->ld_n6 > 0)
		memcpy(o->ho_v6, ld->ld_v6, ld->ld_n6 * sizeof(*o->ho_v6));
	hostdb_order_unref(hl->hl_order);
	hl->hl_order = o;
	hostdb_live_free(tb->tb_live);
	tb->tb_live = hl;
	ld->ld_live = NULL;
	hostdb_loader_free(ld);
	tb->tb_period = period;
	tb->tb_nwh = 0;
	tb->tb_ntop = 0;
	tb->tb_order_stale = 0;
	return 0;
}
