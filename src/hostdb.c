/*
 * hostdb: the live host table, the fold of a window, eviction, the
 * index order and copy-on-write snapshots; see hostdb.h.
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
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "hash.h"
#include "hostdb.h"
#include "hostdb_file.h"
#include "resolver.h"
#include "snapshot.h"
#include "topn.h"

#define HOSTDB_ENTRY_SHIFT	4	/* 16 entries (3.3 KB) a chunk */
#define HOSTDB_WIDE_SHIFT	4	/* 16 wide blocks a chunk */
#define HOSTDB_NAME_CHUNK	65536	/* bytes a names chunk */
#define HOSTDB_NAME_SHIFT	16
#define HOSTDB_NARROW_OCTETS	((UINT64_C(1) << 48) - 1)
#define HOSTDB_KEEP_NUM		19	/* evict down to 19/20 of the cap */
#define HOSTDB_KEEP_DEN		20
#define HOSTDB_NAME_PENDING_S	600	/* a lookup not answered by then
					   is asked again */
#define HOSTDB_NAME_COMPACT	(1u << 20)	/* garbage worth compacting */
#define HOSTDB_RESULTS		256	/* resolver results a call */

/* he_flags */
#define HE_WIDE		0x01	/* counters in the wide block he_wide */
#define HE_NAME_PENDING	0x02	/* a lookup is queued */

/* wh_flags */
#define WH_NEW		0x01	/* not in the database before this window */
#define WH_DROP		0x02	/* evicted or refused: not folded */
#define WH_TOP		0x04	/* in this window's top list */

/* Counters of one service row, narrow: 20 bytes. */
struct hostdb_narrow {
	uint32_t	hn_octets_in_lo;
	uint32_t	hn_octets_out_lo;
	uint16_t	hn_octets_in_hi;
	uint16_t	hn_octets_out_hi;
	uint32_t	hn_packets_in;
	uint32_t	hn_packets_out;
};

struct hostdb_entry {
	uint8_t		he_addr[16];	/* network order, IPv4 in the first 4 */
	uint8_t		he_family;	/* AF_INET, AF_INET6; 0: free */
	uint8_t		he_source;
	uint8_t		he_nservices;
	uint8_t		he_flags;	/* HE_* */
	uint32_t	he_first;	/* seconds since the epoch */
	uint32_t	he_last;
	uint32_t	he_sessions;	/* saturates */
	uint32_t	he_name;	/* names reference, 0 none */
	uint32_t	he_name_time;	/* last lookup asked or answered */
	uint8_t		he_service[HOSTDB_SERVICES];
	union {
		struct hostdb_narrow	he_narrow[HOSTDB_SERVICES];
		uint32_t		he_wide;	/* with HE_WIDE */
	} he_u;
};

struct hostdb_wide {
	struct session_counts	hw_row[HOSTDB_SERVICES];
};

_Static_assert(sizeof(struct hostdb_narrow) == 20, "narrow row is packed");
_Static_assert(sizeof(struct hostdb_entry) == 208, "an entry is 208 bytes");
_Static_assert(sizeof(struct hostdb_wide) == 256, "a wide block is 256");

/* A chunk of a pool, shared by reference count with snapshots. */
struct hostdb_chunk {
	unsigned int	hk_refs;
	uint64_t	hk_data[];
};

/* Fixed-size elements in chunks, ids stable, freed ids reused. */
struct hostdb_pool {
	size_t			 hp_size;	/* bytes an element */
	unsigned int		 hp_shift;	/* elements a chunk, log2 */
	struct hostdb_chunk	**hp_chunks;
	uint32_t		*hp_used;	/* a bit an id, a word a chunk */
	uint32_t		 hp_nchunks;
	uint32_t		 hp_cap;	/* of hp_chunks and hp_used */
	uint32_t		 hp_next;	/* ids below: used or free */
	uint32_t		*hp_free;
	uint32_t		 hp_nfree;
	uint32_t		 hp_free_cap;
	uint64_t		 hp_copies;	/* chunks copied on write */
};

/* The names pool. */
struct hostdb_names {
	unsigned int	 hn_refs;
	char		**hn_chunks;
	uint32_t	 hn_nchunks;
	uint32_t	 hn_cap;
	uint32_t	 hn_used;	/* bytes of the last chunk */
	uint64_t	 hn_live;	/* bytes of names referenced */
	uint64_t	 hn_garbage;	/* bytes of names replaced */
};

struct hostdb_key6 {
	uint8_t		k6_addr[16];
	uint32_t	k6_id;
};

/* The index order: IPv4 then IPv6, each ascending by address. */
struct hostdb_order {
	unsigned int		 ho_refs;
	size_t			 ho_n4;
	size_t			 ho_n6;
	uint64_t		*ho_v4;		/* address << 32 | id */
	struct hostdb_key6	*ho_v6;
};

/* A hash key: what identifies a host. */
struct hostdb_key {
	uint8_t		hk_addr[16];
	uint8_t		hk_family;
};

/* Everything a load replaces at once; the hash's eq reads its pool. */
struct hostdb_live {
	struct hostdb_pool	 hl_entries;
	struct hostdb_pool	 hl_wides;
	struct hash		*hl_hash;
	struct hostdb_order	*hl_order;
	struct hostdb_names	*hl_names;
};

/* A host of the window being folded. */
struct hostdb_whost {
	struct hostdb_key	wh_key;
	uint8_t			wh_source;
	uint8_t			wh_flags;	/* WH_* */
	uint32_t		wh_id;		/* entry, HASH_NONE if none */
	uint32_t		wh_hv;		/* its hash in the database */
	uint32_t		wh_sessions;
	uint32_t		wh_first;
	uint32_t		wh_last;
	struct session_counts	wh_counts;
};

/* An eviction candidate: an entry, or (HOSTDB_CAND_NEW) a window's new
 * host; 16 bytes, as there is one an entry. */
struct hostdb_cand {
	uint64_t	hc_value;	/* total octets, this window's too */
	uint32_t	hc_last;
	uint32_t	hc_ref;		/* entry id, or window host | NEW */
};

#define HOSTDB_CAND_NEW		0x80000000u	/* a new host: wh index */
#define HOSTDB_CAND_WINDOW	0x40000000u	/* an entry in the window */
#define HOSTDB_CAND_ID		0x3fffffffu	/* ids stay below */
#define HOSTDB_CAND_SKIP	UINT32_MAX	/* free or protected */
#define HOSTDB_EVICT_BATCH	16

/* A monthly archive waiting for the writer thread. */
struct hostdb_job {
	const struct hostdb_snapshot	*hj_snapshot;
	uint32_t			 hj_period;
	struct hostdb_job		*hj_next;
};

struct hostdb {
	struct hostdb_config	 hd_config;
	char			*hd_file;
	char			*hd_archive_dir;
	const struct services	*hd_services;
	unsigned int		 hd_other;	/* services index of "other" */
	struct hostdb_live	*hd_live;
	uint32_t		 hd_period;
	uint64_t		 hd_number;
	int64_t			 hd_window_start_us;
	int64_t			 hd_window_length_us;
	uint64_t		 hd_evictions;
	uint64_t		 hd_dropped;
	uint64_t		 hd_errors;
	uint64_t		 hd_unattributed_octets;
	uint64_t		 hd_unattributed_packets;
	uint64_t		 hd_rng;
	/* Scratch of a fold, memory kept between windows. */
	struct hostdb_whost	*hd_wh;
	uint32_t		 hd_nwh;
	uint32_t		 hd_wh_cap;
	struct hash		*hd_wh_hash;
	uint32_t		*hd_sess_host;	/* 2 a session */
	size_t			 hd_sess_cap;
	uint32_t		*hd_top;	/* window hosts, best first */
	size_t			 hd_ntop;
	uint64_t		*hd_new4;
	size_t			 hd_nnew4, hd_new4_cap;
	struct hostdb_key6	*hd_new6;
	size_t			 hd_nnew6, hd_new6_cap;
	uint8_t			*hd_evicted;	/* bitmap of ids, or NULL */
	size_t			 hd_evicted_bytes;
	int			 hd_order_stale;	/* rebuild before use */
	struct resolver		*hd_resolver;
	/* Publishing and files. */
	pthread_mutex_t		 hd_lock;	/* hd_status and the writer */
	pthread_cond_t		 hd_cond;	/* writer work and idleness */
	struct snapshot_slot	 hd_slot;	/* the latest snapshot */
	struct hostdb_status	 hd_status;
	int			 hd_save_blocked;
	pthread_mutex_t		 hd_save_lock;	/* one save at a time */
	pthread_t		 hd_writer;
	int			 hd_writer_started;
	int			 hd_writer_busy;
	int			 hd_writer_stop;
	int			 hd_want_save;
	struct hostdb_job	*hd_jobs;
};

static int	 hostdb_update_order(struct hostdb *);
static void	*hostdb_writer_main(void *);
static void	 hostdb_write_archive(struct hostdb *, struct hostdb_job *);

void
hostdb_config_default(struct hostdb_config *hc)
{
	memset(hc, 0, sizeof(*hc));
	hc->hc_max_hosts = HOSTDB_MAX_DEFAULT;
	hc->hc_top_hosts = HOSTDB_TOP_DEFAULT;
	hc->hc_scope = HOSTDB_SCOPE_REMOTE;
	hc->hc_reset = HOSTDB_RESET_NEVER;
	hc->hc_name_ttl = HOSTDB_NAME_TTL_DEFAULT;
	hc->hc_negative_ttl = HOSTDB_NEGATIVE_TTL_DEFAULT;
}

/* ---- pools ---- */

static void *
hostdb_elem(struct hostdb_chunk *const *chunks, unsigned int shift,
    size_t size, uint32_t id)
{
	return (unsigned char *)chunks[id >> shift]->hk_data +
	    (size_t)(id & ((1u << shift) - 1)) * size;
}

static void
hostdb_chunk_ref(const struct hostdb_chunk *c)
{
	struct hostdb_chunk	*m = (struct hostdb_chunk *)c;

	__atomic_add_fetch(&m->hk_refs, 1, __ATOMIC_RELAXED);
}

static void
hostdb_chunk_unref(const struct hostdb_chunk *c)
{
	struct hostdb_chunk	*m = (struct hostdb_chunk *)c;

	if (__atomic_sub_fetch(&m->hk_refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(m);
}

static void
hostdb_pool_init(struct hostdb_pool *p, size_t size, unsigned int shift)
{
	memset(p, 0, sizeof(*p));
	p->hp_size = size;
	p->hp_shift = shift;
}

static size_t
hostdb_chunk_bytes(const struct hostdb_pool *p)
{
	return sizeof(struct hostdb_chunk) + ((size_t)1 << p->hp_shift) *
	    p->hp_size;
}

/* Drops every chunk and id; the arrays stay. */
static void
hostdb_pool_clear(struct hostdb_pool *p)
{
	uint32_t	i;

	for (i = 0; i < p->hp_nchunks; i++) {
		hostdb_chunk_unref(p->hp_chunks[i]);
		p->hp_used[i] = 0;
	}
	p->hp_nchunks = 0;
	p->hp_next = 0;
	p->hp_nfree = 0;
}

static void
hostdb_pool_free(struct hostdb_pool *p)
{
	hostdb_pool_clear(p);
	free(p->hp_chunks);
	free(p->hp_used);
	free(p->hp_free);
	p->hp_chunks = NULL;
	p->hp_used = NULL;
	p->hp_free = NULL;
	p->hp_cap = p->hp_free_cap = 0;
}

/* Is id allocated?  A freed element keeps its old bytes (so freeing
 * never copies a chunk a snapshot holds): test this, not the bytes. */
static int
hostdb_pool_used(const struct hostdb_pool *p, uint32_t id)
{
	return p->hp_used[id >> p->hp_shift] >>
	    (id & ((1u << p->hp_shift) - 1)) & 1;
}

static void
hostdb_pool_mark(struct hostdb_pool *p, uint32_t id, int used)
{
	uint32_t	bit = 1u << (id & ((1u << p->hp_shift) - 1));

	if (used)
		p->hp_used[id >> p->hp_shift] |= bit;
	else
		p->hp_used[id >> p->hp_shift] &= ~bit;
}

static const void *
hostdb_pool_get(const struct hostdb_pool *p, uint32_t id)
{
	return hostdb_elem(p->hp_chunks, p->hp_shift, p->hp_size, id);
}

/* The element to write: its chunk copied first if a snapshot holds it.
 * NULL when the copy could not be made. */
static void *
hostdb_pool_mut(struct hostdb_pool *p, uint32_t id)
{
	struct hostdb_chunk	*c = p->hp_chunks[id >> p->hp_shift], *copy;
	size_t			 bytes = hostdb_chunk_bytes(p);

	if (__atomic_load_n(&c->hk_refs, __ATOMIC_ACQUIRE) != 1) {
		if ((copy = malloc(bytes)) == NULL)
			return NULL;
		memcpy(copy->hk_data, c->hk_data,
		    bytes - sizeof(struct hostdb_chunk));
		copy->hk_refs = 1;
		p->hp_chunks[id >> p->hp_shift] = copy;
		hostdb_chunk_unref(c);
		p->hp_copies++;
	}
	return hostdb_elem(p->hp_chunks, p->hp_shift, p->hp_size, id);
}

/* A fresh id (its element zeroed), or HASH_NONE with errno set. */
static uint32_t
hostdb_pool_alloc(struct hostdb_pool *p)
{
	struct hostdb_chunk	**chunks, *c;
	uint32_t		 *used, id, cap;
	void			 *e;

	if (p->hp_nfree > 0) {
		id = p->hp_free[p->hp_nfree - 1];
		/* Marked before its chunk may be copied: gcc's -fanalyzer
		 * cannot tell hp_used[] from hp_chunks[], and takes a write
		 * to one after a store to the other for a leak. */
		hostdb_pool_mark(p, id, 1);
		if ((e = hostdb_pool_mut(p, id)) == NULL) {
			hostdb_pool_mark(p, id, 0);
			return HASH_NONE;
		}
		p->hp_nfree--;
		memset(e, 0, p->hp_size);
		return id;
	}
	if (p->hp_next >= UINT32_MAX - 1) {
		errno = ENOSPC;
		return HASH_NONE;
	}
	id = p->hp_next;
	if ((id >> p->hp_shift) == p->hp_nchunks) {
		if (p->hp_nchunks == p->hp_cap) {
			cap = p->hp_cap ? p->hp_cap * 2 : 64;
			chunks = realloc(p->hp_chunks, cap * sizeof(*chunks));
			if (chunks == NULL)
				return HASH_NONE;
			p->hp_chunks = chunks;
			used = realloc(p->hp_used, cap * sizeof(*used));
			if (used == NULL)
				return HASH_NONE;
			p->hp_used = used;
			p->hp_cap = cap;
		}
		if ((c = calloc(1, hostdb_chunk_bytes(p))) == NULL)
			return HASH_NONE;
		c->hk_refs = 1;
		/* id is the new chunk's first slot, bit 0; marked before the
		 * chunk is stored, as above. */
		p->hp_used[p->hp_nchunks] = 1;
		p->hp_next++;
		p->hp_chunks[p->hp_nchunks++] = c;
		return id;
	}
	p->hp_next++;
	hostdb_pool_mark(p, id, 1);
	return id;
}

/* Gives id back; its bytes stay until it is allocated again.  0, or -1
 * (the id is then lost, but marked free). */
static int
hostdb_pool_release(struct hostdb_pool *p, uint32_t id)
{
	uint32_t	*f, cap;

	hostdb_pool_mark(p, id, 0);
	if (p->hp_nfree == p->hp_free_cap) {
		cap = p->hp_free_cap ? p->hp_free_cap * 2 : 256;
		if ((f = realloc(p->hp_free, cap * sizeof(*f))) == NULL)
			return -1;
		p->hp_free = f;
		p->hp_free_cap = cap;
	}
	p->hp_free[p->hp_nfree++] = id;
	return 0;
}

/* A copy of the chunk array with a reference on each, for a snapshot. */
static void
hostdb_pool_share(const struct hostdb_pool *p,
    const struct hostdb_chunk **out)
{
	uint32_t	i;

	for (i = 0; i < p->hp_nchunks; i++) {
		hostdb_chunk_ref(p->hp_chunks[i]);
		out[i] = p->hp_chunks[i];
	}
}

static size_t
hostdb_pool_memory(const struct hostdb_pool *p)
{
	return (size_t)p->hp_nchunks * hostdb_chunk_bytes(p) +
	    p->hp_cap * (sizeof(*p->hp_chunks) + sizeof(*p->hp_used)) +
	    p->hp_free_cap * sizeof(*p->hp_free);
}

/* ---- names ---- */

static struct hostdb_names *
hostdb_names_new(void)
{
	struct hostdb_names	*n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->hn_refs = 1;
	return n;
}

static void
hostdb_names_unref(struct hostdb_names *n)
{
	uint32_t	i;

	if (n == NULL ||
	    __atomic_sub_fetch(&n->hn_refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (i = 0; i < n->hn_nchunks; i++)
		free(n->hn_chunks[i]);
	free(n->hn_chunks);
	free(n);
}

static const char *
hostdb_name_at(const char *const *chunks, uint32_t ref)
{
	ref--;
	return chunks[ref >> HOSTDB_NAME_SHIFT] +
	    (ref & (HOSTDB_NAME_CHUNK - 1));
}

/* Appends a name (at most HOSTDB_NAME_MAX bytes); its reference, or 0
 * when memory ran out. */
static uint32_t
hostdb_names_add(struct hostdb_names *n, const char *name)
{
	size_t	 len = strnlen(name, HOSTDB_NAME_MAX);
	char	**chunks, *c;
	uint32_t cap, ref;

	if (n->hn_nchunks == 0 || n->hn_used + len + 1 > HOSTDB_NAME_CHUNK) {
		if (n->hn_nchunks >= (UINT32_MAX >> HOSTDB_NAME_SHIFT) - 1)
			return 0;
		if (n->hn_nchunks == n->hn_cap) {
			cap = n->hn_cap ? n->hn_cap * 2 : 16;
			chunks = realloc(n->hn_chunks, cap * sizeof(*chunks));
			if (chunks == NULL)
				return 0;
			n->hn_chunks = chunks;
			n->hn_cap = cap;
		}
		if ((c = malloc(HOSTDB_NAME_CHUNK)) == NULL)
			return 0;
		n->hn_used = 0;
		n->hn_chunks[n->hn_nchunks++] = c;
	}
	ref = ((n->hn_nchunks - 1) << HOSTDB_NAME_SHIFT | n->hn_used) + 1;
	c = n->hn_chunks[n->hn_nchunks - 1] + n->hn_used;
	n->hn_used += (uint32_t)len + 1;
	n->hn_live += len + 1;
	memcpy(c, name, len);
	c[len] = '\0';
	return ref;
}

static void
hostdb_names_drop(struct hostdb_names *n, uint32_t ref)
{
	size_t	len;

	if (ref == 0)
		return;
	len = strlen(hostdb_name_at((const char *const *)n->hn_chunks,
	    ref)) + 1;
	n->hn_live -= len;
	n->hn_garbage += len;
}

/* ---- the index order ---- */

static struct hostdb_order *
hostdb_order_new(size_t n4, size_t n6)
{
	struct hostdb_order	*o;

	o = malloc(sizeof(*o) + n4 * sizeof(*o->ho_v4) +
	    n6 * sizeof(*o->ho_v6));
	if (o == NULL)
		return NULL;
	o->ho_refs = 1;
	o->ho_n4 = n4;
	o->ho_n6 = n6;
	o->ho_v4 = (uint64_t *)(o + 1);
	o->ho_v6 = (struct hostdb_key6 *)(o->ho_v4 + n4);
	return o;
}

static void
hostdb_order_unref(struct hostdb_order *o)
{
	if (o != NULL &&
	    __atomic_sub_fetch(&o->ho_refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(o);
}

static uint32_t
hostdb_order_id(const struct hostdb_order *o, size_t pos)
{
	if (pos < o->ho_n4)
		return (uint32_t)o->ho_v4[pos];
	return o->ho_v6[pos - o->ho_n4].k6_id;
}

static uint64_t
hostdb_key4(const uint8_t *addr, uint32_t id)
{
	return ((uint64_t)addr[0] << 56 | (uint64_t)addr[1] << 48 |
	    (uint64_t)addr[2] << 40 | (uint64_t)addr[3] << 32) | id;
}

static int
hostdb_bit(const uint8_t *bits, uint32_t id)
{
	return bits != NULL && (bits[id >> 3] >> (id & 7) & 1);
}

static int
hostdb_u64_cmp(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int
hostdb_key6_cmp(const void *a, const void *b)
{
	return memcmp(((const struct hostdb_key6 *)a)->k6_addr,
	    ((const struct hostdb_key6 *)b)->k6_addr, 16);
}

/*
 * The old order without the ids in evicted, merged with the sorted new
 * keys.  NULL when memory ran out.
 */
static struct hostdb_order *
hostdb_order_merge(const struct hostdb_order *old, const uint8_t *evicted,
    const uint64_t *n4, size_t nn4, const struct hostdb_key6 *n6, size_t nn6)
{
	struct hostdb_order	*o;
	size_t			 i, j, k;

	if ((o = hostdb_order_new(old->ho_n4 + nn4, old->ho_n6 + nn6)) == NULL)
		return NULL;
	for (i = j = k = 0; i < old->ho_n4 || j < nn4;) {
		if (i < old->ho_n4 &&
		    hostdb_bit(evicted, (uint32_t)old->ho_v4[i])) {
			i++;
			continue;
		}
		if (j >= nn4 || (i < old->ho_n4 && old->ho_v4[i] < n4[j]))
			o->ho_v4[k++] = old->ho_v4[i++];
		else
			o->ho_v4[k++] = n4[j++];
	}
	o->ho_n4 = k;
	/* The IPv6 records go right after the IPv4 keys kept. */
	o->ho_v6 = (struct hostdb_key6 *)(o->ho_v4 + k);
	for (i = j = k = 0; i < old->ho_n6 || j < nn6;) {
		if (i < old->ho_n6 && hostdb_bit(evicted, old->ho_v6[i].k6_id)) {
			i++;
			continue;
		}
		if (j >= nn6 || (i < old->ho_n6 &&
		    memcmp(old->ho_v6[i].k6_addr, n6[j].k6_addr, 16) < 0))
			memmove(&o->ho_v6[k++], &old->ho_v6[i++],
			    sizeof(*o->ho_v6));
		else
			memmove(&o->ho_v6[k++], &n6[j++], sizeof(*o->ho_v6));
	}
	o->ho_n6 = k;
	return o;
}

/* ---- entries ---- */

static const struct hostdb_entry *
hostdb_entry_get(const struct hostdb_live *hl, uint32_t id)
{
	return hostdb_pool_get(&hl->hl_entries, id);
}

static struct hostdb_entry *
hostdb_entry_mut(struct hostdb_live *hl, uint32_t id)
{
	return hostdb_pool_mut(&hl->hl_entries, id);
}

static int
hostdb_eq(const void *key, uint32_t id, void *arg)
{
	const struct hostdb_key		*k = key;
	const struct hostdb_entry	*e = hostdb_entry_get(arg, id);

	return e->he_family == k->hk_family &&
	    memcmp(e->he_addr, k->hk_addr, 16) == 0;
}

static void
hostdb_make_key(struct hostdb_key *k, int family, const uint8_t *addr)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->hk_addr, addr, family == AF_INET ? 4 : 16);
	k->hk_family = (uint8_t)family;
}

static uint64_t
hostdb_narrow_octets(uint32_t lo, uint16_t hi)
{
	return (uint64_t)hi << 32 | lo;
}

/* Row r's counters, narrow or wide. */
static void
hostdb_row(const struct hostdb_entry *e, const struct hostdb_wide *w,
    unsigned int r, struct session_counts *c)
{
	const struct hostdb_narrow	*n;

	if (e->he_flags & HE_WIDE) {
		*c = w->hw_row[r];
		return;
	}
	n = &e->he_u.he_narrow[r];
	c->sc_octets_in = hostdb_narrow_octets(n->hn_octets_in_lo,
	    n->hn_octets_in_hi);
	c->sc_octets_out = hostdb_narrow_octets(n->hn_octets_out_lo,
	    n->hn_octets_out_hi);
	c->sc_packets_in = n->hn_packets_in;
	c->sc_packets_out = n->hn_packets_out;
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

static const struct hostdb_wide *
hostdb_wide_get(const struct hostdb_live *hl, const struct hostdb_entry *e)
{
	if (!(e->he_flags & HE_WIDE))
		return NULL;
	return hostdb_pool_get(&hl->hl_wides, e->he_u.he_wide);
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

static void
hostdb_add_counts(struct session_counts *sum, const struct session_counts *c)
{
	sum->sc_octets_in += c->sc_octets_in;
	sum->sc_octets_out += c->sc_octets_out;
	sum->sc_packets_in += c->sc_packets_in;
	sum->sc_packets_out += c->sc_packets_out;
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

/* ---- the live state ---- */

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
hostdb_count(const struct hostdb *hd)
{
	return hash_count(hd->hd_live->hl_hash);
}

/* ---- snapshots ---- */

static void
hostdb_snapshot_free(struct snapshot *s)
{
	struct hostdb_snapshot	*sn = (struct hostdb_snapshot *)s;
	size_t			 i;

	for (i = 0; i < sn->hs_nentry_chunks; i++)
		hostdb_chunk_unref(sn->hs_entry_chunks[i]);
	for (i = 0; i < sn->hs_nwide_chunks; i++)
		hostdb_chunk_unref(sn->hs_wide_chunks[i]);
	hostdb_order_unref(sn->hs_order);
	hostdb_names_unref(sn->hs_names);
	free(sn);
}

void
hostdb_release(const struct hostdb_snapshot *sn)
{
	snapshot_release(sn != NULL ? &sn->hs_snap : NULL);
}

/* Never NULL: hostdb_new() published the first. */
const struct hostdb_snapshot *
hostdb_acquire(struct hostdb *hd)
{
	return (const struct hostdb_snapshot *)snapshot_acquire(&hd->hd_slot);
}

static const char *
hostdb_live_name(const struct hostdb_live *hl, uint32_t ref)
{
	if (ref == 0)
		return "";
	return hostdb_name_at((const char *const *)hl->hl_names->hn_chunks,
	    ref);
}

/* octets per second over length_us, without overflowing. */
static uint64_t
hostdb_rate(uint64_t octets, int64_t length_us)
{
	uint64_t	len = length_us > 0 ? (uint64_t)length_us : 1;

	return octets / len * 1000000 + octets % len * 1000000 / len;
}

static void
hostdb_fill_top(const struct hostdb *hd, struct hostdb_top *ht,
    const struct hostdb_whost *wh)
{
	const struct hostdb_live	*hl = hd->hd_live;

	memset(ht, 0, sizeof(*ht));
	ht->ht_family = wh->wh_key.hk_family;
	memcpy(ht->ht_addr, wh->wh_key.hk_addr, 16);
	ht->ht_source = wh->wh_source;
	ht->ht_counts = wh->wh_counts;
	ht->ht_rate = hostdb_rate(wh->wh_counts.sc_octets_in +
	    wh->wh_counts.sc_octets_out, hd->hd_window_length_us);
	ht->ht_sessions = wh->wh_sessions;
	if (wh->wh_id != HASH_NONE)
		snprintf(ht->ht_name, sizeof(ht->ht_name), "%s",
		    hostdb_live_name(hl,
		    hostdb_entry_get(hl, wh->wh_id)->he_name));
}

/* The snapshot of the live state now, with its own references.  NULL
 * when memory ran out. */
static struct hostdb_snapshot *
hostdb_build_snapshot(struct hostdb *hd)
{
	struct hostdb_live	*hl = hd->hd_live;
	struct hostdb_snapshot	*sn;
	struct hostdb_top	*top;
	const struct hostdb_chunk **ec, **wc;
	const char		**nc;
	size_t			 bytes, i;

	bytes = sizeof(*sn) + hd->hd_ntop * sizeof(*top) +
	    (hl->hl_entries.hp_nchunks + hl->hl_wides.hp_nchunks) *
	    sizeof(*ec) + hl->hl_names->hn_nchunks * sizeof(*nc);
	if ((sn = calloc(1, bytes)) == NULL)
		return NULL;
	top = (struct hostdb_top *)(sn + 1);
	ec = (const struct hostdb_chunk **)(top + hd->hd_ntop);
	wc = ec + hl->hl_entries.hp_nchunks;
	nc = (const char **)(wc + hl->hl_wides.hp_nchunks);
	snapshot_init(&sn->hs_snap, hostdb_snapshot_free);
	sn->hs_bytes = bytes;
	sn->hs_number = hd->hd_number;
	sn->hs_window_start_us = hd->hd_window_start_us;
	sn->hs_window_length_us = hd->hd_window_length_us;
	sn->hs_period = hd->hd_period;
	sn->hs_entries = hl->hl_order->ho_n4 + hl->hl_order->ho_n6;
	sn->hs_max_hosts = hd->hd_config.hc_max_hosts;
	sn->hs_evictions = hd->hd_evictions;
	sn->hs_dropped = hd->hd_dropped;
	sn->hs_errors = hd->hd_errors;
	sn->hs_unattributed_octets = hd->hd_unattributed_octets;
	sn->hs_unattributed_packets = hd->hd_unattributed_packets;
	sn->hs_copied_chunks = hl->hl_entries.hp_copies +
	    hl->hl_wides.hp_copies;
	sn->hs_top_size = hd->hd_config.hc_top_hosts;
	sn->hs_ntop = hd->hd_ntop;
	sn->hs_top = top;
	for (i = 0; i < hd->hd_ntop; i++)
		hostdb_fill_top(hd, &top[i], &hd->hd_wh[hd->hd_top[i]]);
	hostdb_pool_share(&hl->hl_entries, ec);
	sn->hs_entry_chunks = ec;
	sn->hs_nentry_chunks = hl->hl_entries.hp_nchunks;
	hostdb_pool_share(&hl->hl_wides, wc);
	sn->hs_wide_chunks = wc;
	sn->hs_nwide_chunks = hl->hl_wides.hp_nchunks;
	if (hl->hl_names->hn_nchunks > 0)
		memcpy(nc, hl->hl_names->hn_chunks,
		    hl->hl_names->hn_nchunks * sizeof(*nc));
	sn->hs_name_chunks = nc;
	sn->hs_nname_chunks = hl->hl_names->hn_nchunks;
	__atomic_add_fetch(&hl->hl_names->hn_refs, 1, __ATOMIC_RELAXED);
	sn->hs_names = hl->hl_names;
	__atomic_add_fetch(&hl->hl_order->ho_refs, 1, __ATOMIC_RELAXED);
	sn->hs_order = hl->hl_order;
	return sn;
}

/* Builds and swaps in a new snapshot.  0, or -1 (ENOMEM; the old one
 * stays). */
static int
hostdb_publish(struct hostdb *hd)
{
	struct hostdb_snapshot	*sn;

	if (hd->hd_order_stale && hostdb_update_order(hd) < 0)
		return -1;
	if ((sn = hostdb_build_snapshot(hd)) == NULL)
		return -1;
	pthread_mutex_lock(&hd->hd_lock);
	sn->hs_status = hd->hd_status;
	pthread_mutex_unlock(&hd->hd_lock);
	snapshot_publish(&hd->hd_slot, &sn->hs_snap);
	return 0;
}

int
hostdb_addr_cmp(int family_a, const uint8_t *a, int family_b,
    const uint8_t *b)
{
	if (family_a != family_b)
		return family_a == AF_INET ? -1 : 1;
	return memcmp(a, b, family_a == AF_INET ? 4 : 16);
}

int
hostdb_snapshot_host(const struct hostdb_snapshot *sn, size_t pos,
    struct hostdb_host *hh)
{
	const struct hostdb_entry	*e;
	const struct hostdb_wide	*w = NULL;
	struct hostdb_service		 t;
	unsigned int			 r, k;

	if (pos >= sn->hs_entries) {
		errno = ERANGE;
		return -1;
	}
	e = hostdb_elem((struct hostdb_chunk *const *)sn->hs_entry_chunks,
	    HOSTDB_ENTRY_SHIFT, sizeof(*e), hostdb_order_id(sn->hs_order, pos));
	if (e->he_flags & HE_WIDE)
		w = hostdb_elem((struct hostdb_chunk *const *)sn->hs_wide_chunks,
		    HOSTDB_WIDE_SHIFT, sizeof(*w), e->he_u.he_wide);
	hh->hh_family = e->he_family;
	memcpy(hh->hh_addr, e->he_addr, 16);
	memset(&hh->hh_counts, 0, sizeof(hh->hh_counts));
	hh->hh_source = e->he_source;
	hh->hh_sessions = e->he_sessions;
	hh->hh_first_seen = e->he_first;
	hh->hh_last_seen = e->he_last;
	hh->hh_name = e->he_name ? hostdb_name_at(sn->hs_name_chunks,
	    e->he_name) : "";
	hh->hh_name_time = e->he_name_time;
	hh->hh_nservices = e->he_nservices;
	/* Its padding zeroed too: a copy compared whole (memcmp) is equal
	 * whatever the stack held. */
	memset(&t, 0, sizeof(t));
	for (r = 0; r < e->he_nservices; r++) {
		t.hv_service = e->he_service[r];
		hostdb_row(e, w, r, &t.hv_counts);
		hostdb_add_counts(&hh->hh_counts, &t.hv_counts);
		/* Insertion sort by service index: at most 8 rows. */
		for (k = r; k > 0 &&
		    hh->hh_services[k - 1].hv_service > t.hv_service; k--)
			hh->hh_services[k] = hh->hh_services[k - 1];
		hh->hh_services[k] = t;
	}
	return 0;
}

void
hostdb_snapshot_prefetch(const struct hostdb_snapshot *sn, size_t pos)
{
	const struct hostdb_entry	*e;

	if (pos >= sn->hs_entries)
		return;
	e = hostdb_elem((struct hostdb_chunk *const *)sn->hs_entry_chunks,
	    HOSTDB_ENTRY_SHIFT, sizeof(*e), hostdb_order_id(sn->hs_order, pos));
	/* An entry spans four cache lines. */
	__builtin_prefetch(e);
	__builtin_prefetch((const char *)e + 64);
	__builtin_prefetch((const char *)e + 128);
	__builtin_prefetch((const char *)e + 192);
}

size_t
hostdb_snapshot_seek(const struct hostdb_snapshot *sn, int family,
    const uint8_t *addr)
{
	const struct hostdb_order	*o = sn->hs_order;
	size_t				 lo, hi, mid;
	uint64_t			 k;

	if (family != AF_INET && family != AF_INET6)
		return family < AF_INET ? 0 : sn->hs_entries;
	if (family == AF_INET) {
		k = hostdb_key4(addr, 0);
		for (lo = 0, hi = o->ho_n4; lo < hi;) {
			mid = lo + (hi - lo) / 2;
			if (o->ho_v4[mid] < k)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo;
	}
	for (lo = 0, hi = o->ho_n6; lo < hi;) {
		mid = lo + (hi - lo) / 2;
		if (memcmp(o->ho_v6[mid].k6_addr, addr, 16) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return o->ho_n4 + lo;
}

/* ---- the fold ---- */

static int
hostdb_wh_eq(const void *key, uint32_t index, void *arg)
{
	const struct hostdb	*hd = arg;

	return memcmp(&hd->hd_wh[index].wh_key, key,
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
hostdb_wh_grow(struct hostdb *hd)
{
	struct hostdb_whost	*wh;
	uint32_t		 cap;

	if (hd->hd_nwh < hd->hd_wh_cap)
		return 0;
	cap = hd->hd_wh_cap ? hd->hd_wh_cap * 2 : 1024;
	if ((wh = realloc(hd->hd_wh, cap * sizeof(*wh))) == NULL)
		return -1;
	hd->hd_wh = wh;
	hd->hd_wh_cap = cap;
	return 0;
}

/* Adds one end of a session (its own in and out) to the window's host;
 * the window host's index, or HASH_NONE when memory ran out. */
static uint32_t
hostdb_wh_add(struct hostdb *hd, int family, const uint8_t *addr,
    const struct session *se, int reversed, int64_t start_us)
{
	struct hostdb_key	 k;
	struct hostdb_whost	*wh;
	uint32_t		 hv, i, first, last;

	hostdb_make_key(&k, family, addr);
	hv = (uint32_t)hash_compute(hd->hd_wh_hash, &k, sizeof(k));
	if ((i = hash_find(hd->hd_wh_hash, hv, &k)) == HASH_NONE) {
		if (hostdb_wh_grow(hd) < 0 ||
		    hash_insert(hd->hd_wh_hash, hv, hd->hd_nwh) < 0)
			return HASH_NONE;
		i = hd->hd_nwh++;
		wh = &hd->hd_wh[i];
		memset(wh, 0, sizeof(*wh));
		wh->wh_key = k;
		wh->wh_id = HASH_NONE;
		wh->wh_first = UINT32_MAX;
	}
	wh = &hd->hd_wh[i];
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
hostdb_sess_grow(struct hostdb *hd, size_t n)
{
	uint32_t	*m;

	if (2 * n <= hd->hd_sess_cap)
		return 0;
	if ((m = realloc(hd->hd_sess_host, 2 * n * sizeof(*m))) == NULL)
		return -1;
	hd->hd_sess_host = m;
	hd->hd_sess_cap = 2 * n;
	return 0;
}

/* Phase A: the window's hosts, and each session's (in hd_sess_host). */
static int
hostdb_collect(struct hostdb *hd, const struct window_closed *wd)
{
	const struct session	*se;
	uint32_t		*map;
	size_t			 i;
	int			 failed = 0, all;

	hash_clear(hd->hd_wh_hash);
	hd->hd_nwh = 0;
	if (hostdb_sess_grow(hd, wd->wd_nsessions) < 0)
		return -1;
	all = hd->hd_config.hc_scope == HOSTDB_SCOPE_ALL;
	for (i = 0; i < wd->wd_nsessions; i++) {
		se = &wd->wd_sessions[i];
		map = &hd->hd_sess_host[2 * i];
		map[0] = map[1] = HASH_NONE;
		if (se->se_key.sk_family == 0 ||
		    (se->se_flags & SESSION_OVERFLOW)) {
			hd->hd_unattributed_octets += se->se_octets_in +
			    se->se_octets_out;
			hd->hd_unattributed_packets += se->se_packets_in +
			    se->se_packets_out;
			continue;
		}
		if (se->se_flags & SESSION_TRANSIT) {
			if (!all)
				continue;
			/* "in" of the entry is towards sk_local: what the
			 * lower address sent is its "out". */
			map[1] = hostdb_wh_add(hd, se->se_key.sk_family,
			    se->se_key.sk_local, se, 1, wd->wd_start_us);
			failed |= map[1] == HASH_NONE;
		}
		map[0] = hostdb_wh_add(hd, se->se_key.sk_family,
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

/* Phase T: the best hc_top_hosts window hosts into hd_top, best first. */
static void
hostdb_rank(struct hostdb *hd)
{
	struct topn	tn;
	uint32_t	i;

	topn_init(&tn, hd->hd_top, hd->hd_config.hc_top_hosts,
	    hostdb_wh_before_index, hd->hd_wh);
	for (i = 0; i < hd->hd_nwh; i++)
		topn_push(&tn, i);
	hd->hd_ntop = topn_sort(&tn);
	for (i = 0; i < hd->hd_ntop; i++)
		hd->hd_wh[hd->hd_top[i]].wh_flags |= WH_TOP;
}

/* Phase B: each window host's entry; the number of new hosts. */
static size_t
hostdb_find_hosts(struct hostdb *hd)
{
	struct hostdb_live	*hl = hd->hd_live;
	struct hostdb_whost	*wh;
	size_t			 nnew = 0;
	uint32_t		 i, j, end;

	/* In batches, so the hash slots' cache misses overlap. */
	for (i = 0; i < hd->hd_nwh; i = end) {
		end = hd->hd_nwh - i > 16 ? i + 16 : hd->hd_nwh;
		for (j = i; j < end; j++) {
			wh = &hd->hd_wh[j];
			wh->wh_hv = (uint32_t)hash_compute(hl->hl_hash,
			    &wh->wh_key, sizeof(wh->wh_key));
			hash_prefetch(hl->hl_hash, wh->wh_hv);
		}
		for (j = i; j < end; j++) {
			wh = &hd->hd_wh[j];
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
hostdb_random(struct hostdb *hd)
{
	uint64_t	x = hd->hd_rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	hd->hd_rng = x;
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
hostdb_cand_select(struct hostdb *hd, struct hostdb_cand *c, size_t n,
    size_t k)
{
	struct hostdb_cand	pivot;
	size_t			lo = 0, hi = n, i, store;

	while (hi - lo > 1 && k > lo && k < hi) {
		pivot = c[lo + hostdb_random(hd) % (hi - lo)];
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
hostdb_mark_evicted(struct hostdb *hd, uint32_t id)
{
	size_t	need = (size_t)(hd->hd_live->hl_entries.hp_next + 7) / 8;
	uint8_t	*b;

	if (hd->hd_evicted == NULL || hd->hd_evicted_bytes < need) {
		if ((b = realloc(hd->hd_evicted, need)) == NULL)
			return -1;
		memset(b + hd->hd_evicted_bytes, 0, need - hd->hd_evicted_bytes);
		hd->hd_evicted = b;
		hd->hd_evicted_bytes = need;
	}
	hd->hd_evicted[id >> 3] |= (uint8_t)(1u << (id & 7));
	return 0;
}

/* Takes entry id, whose hash is hv, out of the database. */
static void
hostdb_evict_entry(struct hostdb *hd, uint32_t id, uint32_t hv)
{
	struct hostdb_live	*hl = hd->hd_live;

	if (hostdb_mark_evicted(hd, id) < 0) {
		hd->hd_errors++;	/* it would stay in the order: keep it */
		return;
	}
	hash_remove(hl->hl_hash, hv, id);
	hostdb_entry_free(hl, id);
}

/* The window host of entry id (in this window): evicting the entry
 * drops its window traffic too. */
static void
hostdb_drop_window_host(struct hostdb *hd, const struct hostdb_key *k)
{
	uint32_t	i;

	i = hash_find(hd->hd_wh_hash, (uint32_t)hash_compute(hd->hd_wh_hash,
	    k, sizeof(*k)), k);
	if (i != HASH_NONE) {
		hd->hd_wh[i].wh_flags |= WH_DROP;
		hd->hd_wh[i].wh_id = HASH_NONE;
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
hostdb_cand_window(const struct hostdb *hd, struct hostdb_cand *c,
    uint32_t next)
{
	const struct hostdb_whost	*wh;
	struct hostdb_cand		*e;
	size_t				 n = next, m, i;

	for (i = 0; i < hd->hd_nwh; i++) {
		wh = &hd->hd_wh[i];
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
hostdb_evict_chosen(struct hostdb *hd, struct hostdb_cand *c, size_t n)
{
	struct hostdb_live		*hl = hd->hd_live;
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
				hd->hd_wh[ref & ~HOSTDB_CAND_NEW].wh_flags |=
				    WH_DROP;
				continue;
			}
			e = hostdb_entry_get(hl, ref & HOSTDB_CAND_ID);
			hostdb_make_key(&k, e->he_family, e->he_addr);
			c[j].hc_last = (uint32_t)hash_compute(hl->hl_hash, &k,
			    sizeof(k));
			hash_prefetch(hl->hl_hash, c[j].hc_last);
			if (ref & HOSTDB_CAND_WINDOW)
				hostdb_drop_window_host(hd, &k);
		}
		for (j = i; j < end; j++)
			if (!(c[j].hc_ref & HOSTDB_CAND_NEW))
				hostdb_evict_entry(hd, c[j].hc_ref &
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
hostdb_evict(struct hostdb *hd, size_t need)
{
	struct hostdb_live	*hl = hd->hd_live;
	struct hostdb_cand	*c;
	uint32_t		 next = hl->hl_entries.hp_next;
	size_t			 m;

	if ((c = malloc(((size_t)next + hd->hd_nwh + 1) * sizeof(*c))) == NULL)
		return -1;
	hostdb_cand_scan(hl, c);
	m = hostdb_cand_window(hd, c, next);
	if (need > m)
		need = m;
	hostdb_cand_select(hd, c, m, need);
	hostdb_evict_chosen(hd, c, need);
	free(c);
	hd->hd_evictions += need;
	return (long)need;
}

static int
hostdb_new_key(struct hostdb *hd, const struct hostdb_key *k, uint32_t id)
{
	void	*p;
	size_t	 cap;

	if (k->hk_family == AF_INET) {
		if (hd->hd_nnew4 == hd->hd_new4_cap) {
			cap = hd->hd_new4_cap ? hd->hd_new4_cap * 2 : 1024;
			if ((p = realloc(hd->hd_new4, cap * 8)) == NULL)
				return -1;
			hd->hd_new4 = p;
			hd->hd_new4_cap = cap;
		}
		hd->hd_new4[hd->hd_nnew4++] = hostdb_key4(k->hk_addr, id);
		return 0;
	}
	if (hd->hd_nnew6 == hd->hd_new6_cap) {
		cap = hd->hd_new6_cap ? hd->hd_new6_cap * 2 : 256;
		if ((p = realloc(hd->hd_new6, cap *
		    sizeof(struct hostdb_key6))) == NULL)
			return -1;
		hd->hd_new6 = p;
		hd->hd_new6_cap = cap;
	}
	memcpy(hd->hd_new6[hd->hd_nnew6].k6_addr, k->hk_addr, 16);
	hd->hd_new6[hd->hd_nnew6++].k6_id = id;
	return 0;
}

/* Inserts a new host with its key; its id, or HASH_NONE. */
static uint32_t
hostdb_insert(struct hostdb *hd, const struct hostdb_key *k, uint32_t hv)
{
	struct hostdb_live	*hl = hd->hd_live;
	struct hostdb_entry	*e;
	uint32_t		 id;

	if (hostdb_count(hd) >= hd->hd_config.hc_max_hosts)
		return HASH_NONE;
	if ((id = hostdb_pool_alloc(&hl->hl_entries)) == HASH_NONE)
		return HASH_NONE;
	if ((e = hostdb_entry_mut(hl, id)) == NULL)
		goto fail;
	if (hash_insert(hl->hl_hash, hv, id) < 0)
		goto fail;
	if (hostdb_new_key(hd, k, id) < 0) {
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
hostdb_update_hosts(struct hostdb *hd)
{
	struct hostdb_live	*hl = hd->hd_live;
	struct hostdb_whost	*wh;
	struct hostdb_entry	*e;
	uint32_t		 i;

	for (i = 0; i < hd->hd_nwh; i++) {
		wh = &hd->hd_wh[i];
		if (wh->wh_flags & WH_DROP)
			continue;
		if (wh->wh_flags & WH_NEW) {
			wh->wh_id = hostdb_insert(hd, &wh->wh_key, wh->wh_hv);
			if (wh->wh_id == HASH_NONE) {
				wh->wh_flags |= WH_DROP;
				hd->hd_dropped++;
				continue;
			}
		}
		if ((e = hostdb_entry_mut(hl, wh->wh_id)) == NULL) {
			hd->hd_errors++;
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
hostdb_fold_end(struct hostdb *hd, uint32_t whi, unsigned int service,
    const struct session_counts *c)
{
	struct hostdb_entry	*e;
	uint32_t		 id;

	if (whi == HASH_NONE || (id = hd->hd_wh[whi].wh_id) == HASH_NONE)
		return;
	if ((e = hostdb_entry_mut(hd->hd_live, id)) == NULL ||
	    hostdb_entry_add(hd->hd_live, hd->hd_other, e, service, c) < 0)
		hd->hd_errors++;
}

/* Starts loading the entry of session i's first host. */
static void
hostdb_fold_prefetch(const struct hostdb *hd, size_t i, size_t n)
{
	uint32_t	whi, id;

	if (i >= n || (whi = hd->hd_sess_host[2 * i]) == HASH_NONE ||
	    (id = hd->hd_wh[whi].wh_id) == HASH_NONE)
		return;
	__builtin_prefetch(hostdb_entry_get(hd->hd_live, id));
}

/* Phase D: each session's counters into its hosts' service rows. */
static void
hostdb_fold_sessions(struct hostdb *hd, const struct window_closed *wd)
{
	const struct session	*se;
	struct session_counts	 c, r;
	size_t			 i;

	for (i = 0; i < wd->wd_nsessions; i++) {
		hostdb_fold_prefetch(hd, i + 8, wd->wd_nsessions);
		se = &wd->wd_sessions[i];
		c.sc_octets_in = se->se_octets_in;
		c.sc_octets_out = se->se_octets_out;
		c.sc_packets_in = se->se_packets_in;
		c.sc_packets_out = se->se_packets_out;
		hostdb_fold_end(hd, hd->hd_sess_host[2 * i], se->se_service, &c);
		if (hd->hd_sess_host[2 * i + 1] == HASH_NONE)
			continue;
		r.sc_octets_in = c.sc_octets_out;
		r.sc_octets_out = c.sc_octets_in;
		r.sc_packets_in = c.sc_packets_out;
		r.sc_packets_out = c.sc_packets_in;
		hostdb_fold_end(hd, hd->hd_sess_host[2 * i + 1], se->se_service,
		    &r);
	}
}

/* The order of every live entry, sorted from scratch; NULL when memory
 * ran out. */
static struct hostdb_order *
hostdb_order_rebuild(const struct hostdb_live *hl)
{
	const struct hostdb_entry	*e;
	struct hostdb_order		*o;
	size_t				 n4 = 0, n6 = 0;
	uint32_t			 id;

	for (id = 0; id < hl->hl_entries.hp_next; id++) {
		if (!hostdb_pool_used(&hl->hl_entries, id))
			continue;
		e = hostdb_entry_get(hl, id);
		n4 += e->he_family == AF_INET;
		n6 += e->he_family == AF_INET6;
	}
	if ((o = hostdb_order_new(n4, n6)) == NULL)
		return NULL;
	n4 = n6 = 0;
	for (id = 0; id < hl->hl_entries.hp_next; id++) {
		if (!hostdb_pool_used(&hl->hl_entries, id))
			continue;
		e = hostdb_entry_get(hl, id);
		if (e->he_family == AF_INET)
			o->ho_v4[n4++] = hostdb_key4(e->he_addr, id);
		else if (e->he_family == AF_INET6) {
			memcpy(o->ho_v6[n6].k6_addr, e->he_addr, 16);
			o->ho_v6[n6++].k6_id = id;
		}
	}
	qsort(o->ho_v4, n4, sizeof(*o->ho_v4), hostdb_u64_cmp);
	qsort(o->ho_v6, n6, sizeof(*o->ho_v6), hostdb_key6_cmp);
	return o;
}

/*
 * Phase O: new keys sorted and merged, evicted ids dropped.  0, or -1
 * when memory ran out: the order is then stale (hd_order_stale), is
 * rebuilt whole at the next chance, and nothing is published meanwhile.
 * (gcc 12's -fanalyzer takes the new order stored here for lost, as it
 * cannot tell the live state from the old order released just before:
 * that one false alarm is quieted.)
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
static int
hostdb_update_order(struct hostdb *hd)
{
	struct hostdb_live	*hl = hd->hd_live;
	struct hostdb_order	*o;

	if (hd->hd_order_stale)
		o = hostdb_order_rebuild(hl);
	else if (hd->hd_nnew4 == 0 && hd->hd_nnew6 == 0 &&
	    hd->hd_evicted == NULL)
		return 0;
	else {
		if (hd->hd_nnew4 > 1)
			qsort(hd->hd_new4, hd->hd_nnew4, sizeof(*hd->hd_new4),
			    hostdb_u64_cmp);
		if (hd->hd_nnew6 > 1)
			qsort(hd->hd_new6, hd->hd_nnew6, sizeof(*hd->hd_new6),
			    hostdb_key6_cmp);
		o = hostdb_order_merge(hl->hl_order, hd->hd_evicted,
		    hd->hd_new4, hd->hd_nnew4, hd->hd_new6, hd->hd_nnew6);
	}
	hd->hd_nnew4 = hd->hd_nnew6 = 0;
	free(hd->hd_evicted);
	hd->hd_evicted = NULL;
	hd->hd_evicted_bytes = 0;
	if ((hd->hd_order_stale = o == NULL))
		return -1;
	hostdb_order_unref(hl->hl_order);
	hl->hl_order = o;
	return 0;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* ---- names ---- */

/*
 * Copies every live name into a fresh pool, dropping the garbage.  All
 * or nothing: the new references are kept aside until every name has
 * one, and every entry is made writable (copied from a snapshot's chunk)
 * in the first pass, so running out of memory halfway leaves every
 * entry on the old pool -- never a reference into a pool that was
 * thrown away, read against the old one.
 */
static void
hostdb_names_compact(struct hostdb *hd)
{
	struct hostdb_live	*hl = hd->hd_live;
	struct hostdb_names	*old = hl->hl_names, *n;
	struct hostdb_entry	*m;
	uint32_t		*refs, id, count = hl->hl_entries.hp_next;

	if ((n = hostdb_names_new()) == NULL)
		return;
	if ((refs = calloc(count > 0 ? count : 1, sizeof(*refs))) == NULL) {
		hostdb_names_unref(n);
		return;
	}
	for (id = 0; id < count; id++) {
		if (!hostdb_pool_used(&hl->hl_entries, id) ||
		    hostdb_entry_get(hl, id)->he_name == 0)
			continue;
		if ((m = hostdb_entry_mut(hl, id)) == NULL ||
		    (refs[id] = hostdb_names_add(n,
		    hostdb_live_name(hl, m->he_name))) == 0)
			goto fail;
	}
	/* No snapshot was published since: the chunks are still ours, so
	 * hostdb_entry_mut() copies nothing and cannot fail here. */
	for (id = 0; id < count; id++)
		if (refs[id] != 0 && (m = hostdb_entry_mut(hl, id)) != NULL)
			m->he_name = refs[id];
	free(refs);
	hl->hl_names = n;
	hostdb_names_unref(old);
	return;
fail:
	hd->hd_errors++;
	free(refs);
	hostdb_names_unref(n);
}

/*
 * gcc 12's -fanalyzer cannot tell the entry written here from the names
 * pool's chunk array that hostdb_names_add() just stored a new chunk in,
 * and takes the chunk for lost; it is not: quiet that false alarm here.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
static void
hostdb_set_name(struct hostdb *hd, const struct resolver_result *rr,
    uint32_t now)
{
	struct hostdb_live	*hl = hd->hd_live;
	struct hostdb_entry	*e;
	struct hostdb_key	 k;
	uint32_t		 id, hv, ref = 0;

	hostdb_make_key(&k, rr->rr_family, rr->rr_addr);
	hv = (uint32_t)hash_compute(hl->hl_hash, &k, sizeof(k));
	if ((id = hash_find(hl->hl_hash, hv, &k)) == HASH_NONE)
		return;		/* evicted meanwhile */
	if ((e = hostdb_entry_mut(hl, id)) == NULL) {
		hd->hd_errors++;
		return;
	}
	e->he_flags &= (uint8_t)~HE_NAME_PENDING;
	e->he_name_time = now;
	if (rr->rr_status == RESOLVER_FAILED)
		return;		/* keep what we had; ask again later */
	if (rr->rr_status == RESOLVER_FOUND &&
	    strcmp(hostdb_live_name(hl, e->he_name), rr->rr_name) == 0)
		return;
	if (rr->rr_status == RESOLVER_FOUND &&
	    (ref = hostdb_names_add(hl->hl_names, rr->rr_name)) == 0) {
		hd->hd_errors++;
		return;
	}
	hostdb_names_drop(hl->hl_names, e->he_name);
	e->he_name = ref;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* Does entry e want a lookup now? */
static int
hostdb_wants_name(const struct hostdb *hd, const struct hostdb_entry *e,
    uint32_t now)
{
	uint32_t	age = now > e->he_name_time ? now - e->he_name_time : 0;

	if (e->he_flags & HE_NAME_PENDING)
		return age >= HOSTDB_NAME_PENDING_S;
	if (e->he_name_time == 0)
		return 1;
	return age >= (e->he_name ? hd->hd_config.hc_name_ttl :
	    hd->hd_config.hc_negative_ttl);
}

/* Asks for wh's name if it wants one.  -1 when the queue is full. */
static int
hostdb_ask_name(struct hostdb *hd, const struct hostdb_whost *wh,
    uint32_t now)
{
	struct hostdb_live		*hl = hd->hd_live;
	const struct hostdb_entry	*e;
	struct hostdb_entry		*m;

	if (wh->wh_id == HASH_NONE || (wh->wh_flags & WH_DROP))
		return 0;
	e = hostdb_entry_get(hl, wh->wh_id);
	if (!hostdb_wants_name(hd, e, now))
		return 0;
	if (resolver_submit(hd->hd_resolver, e->he_family, e->he_addr) < 0)
		return errno == EAGAIN ? -1 : 0;
	if ((m = hostdb_entry_mut(hl, wh->wh_id)) == NULL) {
		hd->hd_errors++;
		return 0;
	}
	m->he_flags |= HE_NAME_PENDING;
	m->he_name_time = now;
	return 0;
}

/* Asks for the names the window's hosts want, the top list first,
 * until the resolver's queue is full. */
static void
hostdb_ask_names(struct hostdb *hd, uint32_t now)
{
	size_t	i;

	for (i = 0; i < hd->hd_ntop; i++)
		if (hostdb_ask_name(hd, &hd->hd_wh[hd->hd_top[i]], now) < 0)
			return;
	for (i = 0; i < hd->hd_nwh; i++)
		if (!(hd->hd_wh[i].wh_flags & WH_TOP) &&
		    hostdb_ask_name(hd, &hd->hd_wh[i], now) < 0)
			return;
}

/* Phase N: finished lookups in, the window's hosts (top first) out. */
static void
hostdb_names_step(struct hostdb *hd, uint32_t now)
{
	struct resolver_result	*rr;
	struct hostdb_names	*n;
	size_t			 got, i;

	if (hd->hd_resolver == NULL)
		return;
	if ((rr = malloc(HOSTDB_RESULTS * sizeof(*rr))) != NULL) {
		do {
			got = resolver_collect(hd->hd_resolver, rr,
			    HOSTDB_RESULTS);
			for (i = 0; i < got; i++)
				hostdb_set_name(hd, &rr[i], now);
		} while (got == HOSTDB_RESULTS);
		free(rr);
	}
	hostdb_ask_names(hd, now);
	n = hd->hd_live->hl_names;
	if (n->hn_garbage > HOSTDB_NAME_COMPACT && n->hn_garbage > n->hn_live)
		hostdb_names_compact(hd);
}

/* ---- the monthly reset ---- */

/* YYYYMM of a packet time, UTC. */
static uint32_t
hostdb_period_of(int64_t us)
{
	time_t		t = (time_t)(us / 1000000);
	struct tm	tm;

	if (us < 0 || gmtime_r(&t, &tm) == NULL)
		return 0;
	return (uint32_t)(tm.tm_year + 1900) * 100 + (uint32_t)tm.tm_mon + 1;
}

/*
 * A saved period, or 0 (none yet) when it is not a month or lies after
 * the wall clock's month now: a file saved after a future-dated window
 * (a replay, a clock that ran ahead) would otherwise hold off the reset
 * until that month came.
 */
static uint32_t
hostdb_period_trusted(uint32_t period, time_t now)
{
	uint32_t	month = period % 100;

	if (period < 197001 || month < 1 || month > 12 ||
	    period > hostdb_period_of((int64_t)now * 1000000))
		return 0;
	return period;
}

/* Starts the writer thread if it is not running; with hd_lock held. */
static int
hostdb_writer_start(struct hostdb *hd)
{
	sigset_t all, old;
	int rc;

	if (hd->hd_writer_started)
		return 0;
	/* Signals are the main thread's: the writer never takes one. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&hd->hd_writer, NULL, hostdb_writer_main, hd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return -1;
	hd->hd_writer_started = 1;
	return 0;
}

static void
hostdb_set_archive_status(struct hostdb *hd, int result, const char *msg)
{
	pthread_mutex_lock(&hd->hd_lock);
	hd->hd_status.hst_archive_result = result;
	hd->hd_status.hst_archive_time = time(NULL);
	snprintf(hd->hd_status.hst_archive_message,
	    sizeof(hd->hd_status.hst_archive_message), "%s", msg);
	pthread_mutex_unlock(&hd->hd_lock);
}

/* Hands the latest snapshot (the database up to the last window) to the
 * writer thread as period's archive. */
static void
hostdb_queue_archive(struct hostdb *hd, uint32_t period)
{
	struct hostdb_job	*j, **tail;

	if (hd->hd_archive_dir == NULL) {
		hostdb_set_archive_status(hd, HOSTDB_SAVE_FAILED,
		    "no archive directory (hostdbFile not set): the month's "
		    "database was cleared without an archive");
		return;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		hostdb_set_archive_status(hd, HOSTDB_SAVE_FAILED,
		    "out of memory: the month's database was not archived");
		return;
	}
	j->hj_snapshot = hostdb_acquire(hd);
	j->hj_period = period;
	pthread_mutex_lock(&hd->hd_lock);
	for (tail = &hd->hd_jobs; *tail != NULL; tail = &(*tail)->hj_next)
		continue;
	*tail = j;
	if (hostdb_writer_start(hd) < 0) {
		*tail = NULL;
		pthread_mutex_unlock(&hd->hd_lock);
		/* No thread: write it here, late rather than never. */
		hostdb_write_archive(hd, j);
		return;
	}
	pthread_cond_broadcast(&hd->hd_cond);
	pthread_mutex_unlock(&hd->hd_lock);
}

/* Empties the live database (a new month). */
static int
hostdb_clear(struct hostdb *hd)
{
	struct hostdb_live	*hl;

	hl = hostdb_live_new(hd->hd_config.hc_max_hosts < 4096 ?
	    hd->hd_config.hc_max_hosts : 4096, hd->hd_config.hc_max_hosts);
	if (hl == NULL)
		return -1;
	hostdb_live_free(hd->hd_live);
	hd->hd_live = hl;
	hd->hd_order_stale = 0;
	return 0;
}

int
hostdb_add_window(struct hostdb *hd, const struct window_closed *wd)
{
	uint32_t	period = hostdb_period_of(wd->wd_start_us);
	size_t		nnew, max = hd->hd_config.hc_max_hosts, count, target;
	int		failed = 0;

	if (hd->hd_period != 0 && period > hd->hd_period &&
	    hd->hd_config.hc_reset == HOSTDB_RESET_MONTHLY) {
		hostdb_queue_archive(hd, hd->hd_period);
		failed |= hostdb_clear(hd);
	}
	/* The month follows the windows back too (a clock stepped back
	 * after running ahead): a period that only moved forward let one
	 * future-dated window stop the monthly reset until that date. */
	if (period != 0)
		hd->hd_period = period;
	hd->hd_number++;
	hd->hd_window_start_us = wd->wd_start_us;
	hd->hd_window_length_us = wd->wd_length_us;
	failed |= hostdb_collect(hd, wd);
	hostdb_rank(hd);
	nnew = hostdb_find_hosts(hd);
	count = hostdb_count(hd);
	if (count + nnew > max) {
		target = max / HOSTDB_KEEP_DEN * HOSTDB_KEEP_NUM +
		    max % HOSTDB_KEEP_DEN * HOSTDB_KEEP_NUM / HOSTDB_KEEP_DEN;
		failed |= hostdb_evict(hd, count + nnew - target) < 0;
	}
	hostdb_update_hosts(hd);
	hostdb_fold_sessions(hd, wd);
	failed |= hostdb_update_order(hd);
	hostdb_names_step(hd, hostdb_seconds(wd->wd_start_us +
	    wd->wd_length_us));
	failed |= hostdb_publish(hd);
	if (failed) {
		hd->hd_errors++;
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* ---- the database object ---- */

static char *
hostdb_dirname(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

struct hostdb *
hostdb_new(const struct hostdb_config *hc, const struct services *sv)
{
	struct hostdb	*hd;
	size_t		 hint;

	if (hc->hc_max_hosts == 0 || hc->hc_max_hosts >= HOSTDB_CAND_ID / 2 ||
	    hc->hc_top_hosts == 0 || hc->hc_top_hosts > HOSTDB_TOP_MAX ||
	    (hc->hc_scope != HOSTDB_SCOPE_REMOTE &&
	    hc->hc_scope != HOSTDB_SCOPE_ALL) ||
	    (hc->hc_reset != HOSTDB_RESET_NEVER &&
	    hc->hc_reset != HOSTDB_RESET_MONTHLY)) {
		errno = EINVAL;
		return NULL;
	}
	if ((hd = calloc(1, sizeof(*hd))) == NULL)
		return NULL;
	pthread_mutex_init(&hd->hd_lock, NULL);
	pthread_mutex_init(&hd->hd_save_lock, NULL);
	pthread_cond_init(&hd->hd_cond, NULL);
	snapshot_slot_init(&hd->hd_slot);
	hd->hd_config = *hc;
	hd->hd_services = sv;
	hd->hd_other = services_other(sv);
	hd->hd_rng = (uint64_t)(uintptr_t)hd ^ (uint64_t)time(NULL) ^
	    0x9e3779b97f4a7c15ULL;
	hd->hd_status.hst_load_result = HOSTDB_LOAD_NONE;
	hd->hd_status.hst_save_result = HOSTDB_SAVE_NONE;
	hd->hd_status.hst_archive_result = HOSTDB_SAVE_NONE;
	hint = hc->hc_max_hosts < 4096 ? hc->hc_max_hosts : 4096;
	hd->hd_live = hostdb_live_new(hint, hc->hc_max_hosts);
	hd->hd_wh_hash = hash_new(1024, 0, hostdb_wh_eq, hd);
	hd->hd_top = malloc(hc->hc_top_hosts * sizeof(*hd->hd_top));
	if (hc->hc_file != NULL)
		hd->hd_file = strdup(hc->hc_file);
	if (hc->hc_archive_dir != NULL)
		hd->hd_archive_dir = strdup(hc->hc_archive_dir);
	else if (hc->hc_file != NULL)
		hd->hd_archive_dir = hostdb_dirname(hc->hc_file);
	hd->hd_config.hc_file = hd->hd_file;
	hd->hd_config.hc_archive_dir = hd->hd_archive_dir;
	if (hd->hd_live == NULL || hd->hd_wh_hash == NULL ||
	    hd->hd_top == NULL || (hc->hc_file != NULL &&
	    (hd->hd_file == NULL || hd->hd_archive_dir == NULL)) ||
	    (hc->hc_archive_dir != NULL && hd->hd_archive_dir == NULL) ||
	    hostdb_publish(hd) < 0) {
		hostdb_free(hd);
		return NULL;
	}
	return hd;
}

void
hostdb_free(struct hostdb *hd)
{
	int	saved = errno;

	if (hd == NULL)
		return;
	pthread_mutex_lock(&hd->hd_lock);
	hd->hd_writer_stop = 1;
	pthread_cond_broadcast(&hd->hd_cond);
	pthread_mutex_unlock(&hd->hd_lock);
	if (hd->hd_writer_started)
		pthread_join(hd->hd_writer, NULL);
	snapshot_slot_destroy(&hd->hd_slot);
	hostdb_live_free(hd->hd_live);
	hash_free(hd->hd_wh_hash);
	free(hd->hd_wh);
	free(hd->hd_sess_host);
	free(hd->hd_top);
	free(hd->hd_new4);
	free(hd->hd_new6);
	free(hd->hd_evicted);
	free(hd->hd_file);
	free(hd->hd_archive_dir);
	pthread_cond_destroy(&hd->hd_cond);
	pthread_mutex_destroy(&hd->hd_save_lock);
	pthread_mutex_destroy(&hd->hd_lock);
	free(hd);
	errno = saved;
}

void
hostdb_set_resolver(struct hostdb *hd, struct resolver *r)
{
	hd->hd_resolver = r;
}

void
hostdb_status(struct hostdb *hd, struct hostdb_status *st)
{
	pthread_mutex_lock(&hd->hd_lock);
	*st = hd->hd_status;
	pthread_mutex_unlock(&hd->hd_lock);
}

size_t
hostdb_memory(const struct hostdb *hd)
{
	const struct hostdb_live	*hl = hd->hd_live;
	const struct hostdb_names	*n = hl->hl_names;

	return sizeof(*hd) + sizeof(*hl) +
	    hostdb_pool_memory(&hl->hl_entries) +
	    hostdb_pool_memory(&hl->hl_wides) + hash_memory(hl->hl_hash) +
	    sizeof(*hl->hl_order) + hl->hl_order->ho_n4 * 8 +
	    hl->hl_order->ho_n6 * sizeof(struct hostdb_key6) +
	    n->hn_nchunks * (size_t)HOSTDB_NAME_CHUNK +
	    n->hn_cap * sizeof(char *) +
	    hash_memory(hd->hd_wh_hash) + hd->hd_wh_cap * sizeof(*hd->hd_wh) +
	    hd->hd_sess_cap * sizeof(*hd->hd_sess_host) +
	    hd->hd_new4_cap * 8 + hd->hd_new6_cap * sizeof(*hd->hd_new6);
}

/* ---- files ---- */

static void
hostdb_set_save_status(struct hostdb *hd, int ok, int64_t when,
    uint32_t msec, const char *msg)
{
	pthread_mutex_lock(&hd->hd_lock);
	hd->hd_status.hst_save_result = ok ? HOSTDB_SAVE_OK : HOSTDB_SAVE_FAILED;
	hd->hd_status.hst_save_time = when;
	hd->hd_status.hst_save_msec = msec;
	if (ok)
		hd->hd_status.hst_saves++;
	else
		hd->hd_status.hst_save_failures++;
	snprintf(hd->hd_status.hst_save_message,
	    sizeof(hd->hd_status.hst_save_message), "%s", msg);
	pthread_mutex_unlock(&hd->hd_lock);
}

static int64_t
hostdb_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
hostdb_save(struct hostdb *hd)
{
	const struct hostdb_snapshot	*sn;
	char				 msg[HOSTDB_TEXT_MAX];
	int64_t				 t0;
	int				 rc, blocked;

	if (hd->hd_file == NULL) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&hd->hd_save_lock);
	pthread_mutex_lock(&hd->hd_lock);
	blocked = hd->hd_save_blocked;
	pthread_mutex_unlock(&hd->hd_lock);
	if (blocked) {
		snprintf(msg, sizeof(msg), "%s: not saved: the file found at "
		    "start could not be read or moved aside, and saving would "
		    "replace it", hd->hd_file);
		hostdb_set_save_status(hd, 0, time(NULL), 0, msg);
		pthread_mutex_unlock(&hd->hd_save_lock);
		errno = EEXIST;
		return -1;
	}
	t0 = hostdb_mono_ms();
	sn = hostdb_acquire(hd);
	rc = hostdb_file_save(sn, hd->hd_services, hd->hd_file, msg,
	    sizeof(msg));
	hostdb_release(sn);
	hostdb_set_save_status(hd, rc == 0, time(NULL),
	    (uint32_t)(hostdb_mono_ms() - t0), msg);
	pthread_mutex_unlock(&hd->hd_save_lock);
	return rc;
}

/* A file of more hosts than the cap (maxHosts was lowered): evict down
 * to it. */
static void
hostdb_enforce_cap(struct hostdb *hd)
{
	size_t	count = hostdb_count(hd);

	if (count <= hd->hd_config.hc_max_hosts)
		return;
	if (hostdb_evict(hd, count - hd->hd_config.hc_max_hosts) < 0 ||
	    hostdb_update_order(hd) < 0)
		hd->hd_errors++;
}

int
hostdb_load(struct hostdb *hd)
{
	struct hostdb_loader	*ld;
	char			 msg[HOSTDB_TEXT_MAX];
	uint32_t		 period = 0;
	uint64_t		 entries = 0;
	int			 r;

	if (hd->hd_file == NULL) {
		snprintf(msg, sizeof(msg), "no hostdbFile: the host database "
		    "is not kept across restarts");
		r = HOSTDB_LOAD_NONE;
	} else if ((ld = hostdb_loader_new(hd)) == NULL) {
		snprintf(msg, sizeof(msg), "%s: not loaded: out of memory",
		    hd->hd_file);
		r = HOSTDB_LOAD_ERROR;
	} else {
		r = hostdb_file_load(ld, hd->hd_services, hd->hd_file, &period,
		    &entries, msg, sizeof(msg));
		if (r != HOSTDB_LOAD_OK)
			hostdb_loader_free(ld);
		else if (hostdb_loader_commit(ld, period) < 0) {
			snprintf(msg, sizeof(msg), "%s: not loaded: out of "
			    "memory; it will not be saved over", hd->hd_file);
			r = HOSTDB_LOAD_ERROR;
		} else
			hostdb_enforce_cap(hd);
	}
	pthread_mutex_lock(&hd->hd_lock);
	hd->hd_status.hst_load_result = r;
	hd->hd_status.hst_loaded = r == HOSTDB_LOAD_OK ? entries : 0;
	snprintf(hd->hd_status.hst_load_message,
	    sizeof(hd->hd_status.hst_load_message), "%s", msg);
	if (r == HOSTDB_LOAD_ERROR)
		hd->hd_save_blocked = 1;
	pthread_mutex_unlock(&hd->hd_lock);
	hostdb_publish(hd);
	return r;
}

/* Writes one queued archive; hd_lock not held. */
static void
hostdb_write_archive(struct hostdb *hd, struct hostdb_job *j)
{
	char	path[HOSTDB_TEXT_MAX / 2], msg[HOSTDB_TEXT_MAX];
	char	text[HOSTDB_TEXT_MAX];
	int	rc;

	rc = hostdb_file_archive(j->hj_snapshot, hd->hd_services,
	    hd->hd_archive_dir, j->hj_period, path, sizeof(path), msg,
	    sizeof(msg));
	if (rc == 0)
		snprintf(text, sizeof(text), "%s: %zu hosts of %04u-%02u "
		    "archived", path, j->hj_snapshot->hs_entries,
		    (unsigned int)(j->hj_period / 100),
		    (unsigned int)(j->hj_period % 100));
	else
		snprintf(text, sizeof(text), "%s", msg);
	hostdb_set_archive_status(hd, rc == 0 ? HOSTDB_SAVE_OK :
	    HOSTDB_SAVE_FAILED, text);
	hostdb_release(j->hj_snapshot);
	free(j);
}

static void *
hostdb_writer_main(void *arg)
{
	struct hostdb		*hd = arg;
	struct hostdb_job	*j;

	pthread_mutex_lock(&hd->hd_lock);
	for (;;) {
		if ((j = hd->hd_jobs) != NULL) {
			hd->hd_jobs = j->hj_next;
			hd->hd_writer_busy = 1;
			pthread_mutex_unlock(&hd->hd_lock);
			hostdb_write_archive(hd, j);
			pthread_mutex_lock(&hd->hd_lock);
		} else if (hd->hd_want_save) {
			hd->hd_want_save = 0;
			hd->hd_writer_busy = 1;
			pthread_mutex_unlock(&hd->hd_lock);
			hostdb_save(hd);
			pthread_mutex_lock(&hd->hd_lock);
		} else if (hd->hd_writer_stop)
			break;
		else {
			hd->hd_writer_busy = 0;
			pthread_cond_broadcast(&hd->hd_cond);
			pthread_cond_wait(&hd->hd_cond, &hd->hd_lock);
		}
	}
	hd->hd_writer_busy = 0;
	pthread_cond_broadcast(&hd->hd_cond);
	pthread_mutex_unlock(&hd->hd_lock);
	return NULL;
}

int
hostdb_save_async(struct hostdb *hd)
{
	int	rc = 0;

	if (hd->hd_file == NULL) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&hd->hd_lock);
	hd->hd_want_save = 1;
	if (hostdb_writer_start(hd) < 0) {
		hd->hd_want_save = 0;
		rc = -1;
	}
	pthread_cond_broadcast(&hd->hd_cond);
	pthread_mutex_unlock(&hd->hd_lock);
	return rc;
}

void
hostdb_wait(struct hostdb *hd)
{
	pthread_mutex_lock(&hd->hd_lock);
	while (hd->hd_writer_started && (hd->hd_jobs != NULL ||
	    hd->hd_want_save || hd->hd_writer_busy))
		pthread_cond_wait(&hd->hd_cond, &hd->hd_lock);
	pthread_mutex_unlock(&hd->hd_lock);
}

/* ---- the loader ---- */

#define HOSTDB_LOAD_BATCH	1024	/* hash inserts overlapped */

struct hostdb_loader {
	struct hostdb		*ld_hd;
	struct hostdb_live	*ld_live;
	uint32_t		 ld_hv[HOSTDB_LOAD_BATCH];	/* not yet */
	uint32_t		 ld_id[HOSTDB_LOAD_BATCH];	/* hashed */
	size_t			 ld_pending;
	uint64_t		*ld_v4;
	size_t			 ld_n4, ld_cap4;
	struct hostdb_key6	*ld_v6;
	size_t			 ld_n6, ld_cap6;
	int			 ld_family;	/* of the last host, 0 none */
	uint8_t			 ld_addr[16];
};

struct hostdb_loader *
hostdb_loader_new(struct hostdb *hd)
{
	struct hostdb_loader	*ld;
	uint64_t		 n = 0;
	size_t			 max = hd->hd_config.hc_max_hosts;

	if (hd->hd_file != NULL)
		n = hostdb_file_peek_count(hd->hd_file);
	if ((ld = calloc(1, sizeof(*ld))) == NULL)
		return NULL;
	ld->ld_hd = hd;
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
		if (hostdb_entry_add(hl, ld->ld_hd->hd_other, e,
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
	struct hostdb		*hd = ld->ld_hd;
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
	hostdb_live_free(hd->hd_live);
	hd->hd_live = hl;
	ld->ld_live = NULL;
	hostdb_loader_free(ld);
	hd->hd_period = hostdb_period_trusted(period, time(NULL));
	hd->hd_nwh = 0;
	hd->hd_ntop = 0;
	hd->hd_order_stale = 0;
	return 0;
}
