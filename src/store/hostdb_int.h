/*
 * hostdb_int.h: the host table behind hostdb.h, private to src/hostdb*.c.
 *
 * The table is the model: entries in chunked pools, the keyed hash, the
 * index order, the names, the fold's scratch and the published
 * snapshot.  It is split by concern:
 *
 *	hostdb_table.c	entries, the live state, the table, the loader
 *	hostdb_pool.c	chunked pools shared copy-on-write with snapshots
 *	hostdb_names.c	the names pool and the resolver's lookups
 *	hostdb_order.c	the index order (cmHostTable order), kept merged
 *	hostdb_fold.c	the fold of a window, and eviction
 *	hostdb_snap.c	building, publishing and reading snapshots
 *
 * Above it, and never called by it: hostdb_file.c (the file format) and
 * hostdb.c (the object of hostdb.h: the writer thread, save, load, the
 * monthly roll).
 */
#ifndef HOSTDB_INT_H
#define HOSTDB_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "capture/services.h"
#include "capture/session.h"
#include "capture/window.h"
#include "lib/snapshot.h"
#include "store/hostdb.h"

struct hash;
struct resolver;
struct resolver_result;

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

/* Index order keys not merged yet (a window's new hosts, a file's
 * hosts), appended in any order. */
struct hostdb_keys {
	uint64_t		*hy_v4;		/* address << 32 | id */
	size_t			 hy_n4, hy_cap4;
	struct hostdb_key6	*hy_v6;
	size_t			 hy_n6, hy_cap6;
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

#define HOSTDB_LOAD_BATCH	1024	/* hash inserts overlapped */

struct hostdb_loader {
	struct hostdb_table		*ld_table;
	struct hostdb_live	*ld_live;
	uint32_t		 ld_hv[HOSTDB_LOAD_BATCH];	/* not yet */
	uint32_t		 ld_id[HOSTDB_LOAD_BATCH];	/* hashed */
	size_t			 ld_pending;
	struct hostdb_keys	 ld_keys;	/* the order, as read */
	int			 ld_family;	/* of the last host, 0 none */
	uint8_t			 ld_addr[16];
};

/* The host table: the model of one database (hostdb.c owns one). */
struct hostdb_table {
	struct hostdb_config	 tb_config;	/* no files: hostdb.c has them */
	unsigned int		 tb_other;	/* services index of "other" */
	struct hostdb_live	*tb_live;
	uint32_t		 tb_period;
	uint64_t		 tb_number;
	int64_t			 tb_window_start_us;
	int64_t			 tb_window_length_us;
	uint64_t		 tb_evictions;
	uint64_t		 tb_dropped;
	uint64_t		 tb_errors;
	uint64_t		 tb_unattributed_octets;
	uint64_t		 tb_unattributed_packets;
	uint64_t		 tb_rng;
	/* Scratch of a fold, memory kept between windows. */
	struct hostdb_whost	*tb_wh;
	uint32_t		 tb_nwh;
	uint32_t		 tb_wh_cap;
	struct hash		*tb_wh_hash;
	uint32_t		*tb_sess_host;	/* 2 a session */
	size_t			 tb_sess_cap;
	uint32_t		*tb_top;	/* window hosts, best first */
	size_t			 tb_ntop;
	struct hostdb_keys	 tb_new;	/* the window's new hosts */
	uint8_t			*tb_evicted;	/* bitmap of ids, or NULL */
	size_t			 tb_evicted_bytes;
	int			 tb_order_stale;	/* rebuild before use */
	struct resolver		*tb_resolver;
	struct snapshot_slot	 tb_slot;	/* the latest snapshot */
};

/* hostdb_table.c */
uint64_t	hostdb_entry_octets(const struct hostdb_live *hl,
    const struct hostdb_entry *e);
int	hostdb_entry_add(struct hostdb_live *hl, unsigned int other,
    struct hostdb_entry *e, unsigned int service,
    const struct session_counts *c);
void	hostdb_entry_free(struct hostdb_live *hl, uint32_t id);
size_t	hostdb_count(const struct hostdb_table *tb);
int	hostdb_table_clear(struct hostdb_table *tb);
uint32_t	hostdb_table_period(const struct hostdb_table *tb);
struct hostdb_table	*hostdb_table_new(const struct hostdb_config *hc,
    const struct services *sv);
void	hostdb_table_free(struct hostdb_table *tb);
void	hostdb_table_set_resolver(struct hostdb_table *tb, struct resolver *r);
size_t	hostdb_table_memory(const struct hostdb_table *tb);
struct hostdb_loader	*hostdb_table_loader(struct hostdb_table *tb,
    uint64_t hint);

/* hostdb_pool.c */
void	hostdb_chunk_unref(const struct hostdb_chunk *c);
void	hostdb_pool_init(struct hostdb_pool *p, size_t size,
    unsigned int shift);
void	hostdb_pool_free(struct hostdb_pool *p);
void	*hostdb_pool_mut(struct hostdb_pool *p, uint32_t id);
/* The same for a host entry of the live table. */
struct hostdb_entry *hostdb_entry_mut(struct hostdb_live *hl, uint32_t id);
uint32_t	hostdb_pool_alloc(struct hostdb_pool *p);
int	hostdb_pool_release(struct hostdb_pool *p, uint32_t id);
void	hostdb_pool_share(const struct hostdb_pool *p,
    const struct hostdb_chunk **out);
size_t	hostdb_pool_memory(const struct hostdb_pool *p);

/* hostdb_names.c */
struct hostdb_names	*hostdb_names_new(void);
void	hostdb_names_unref(struct hostdb_names *n);
uint32_t	hostdb_names_add(struct hostdb_names *n, const char *name);
void	hostdb_names_drop(struct hostdb_names *n, uint32_t ref);
void	hostdb_names_step(struct hostdb_table *tb, uint32_t now);

/* hostdb_order.c */
struct hostdb_order	*hostdb_order_new(size_t n4, size_t n6);
void	hostdb_order_unref(struct hostdb_order *o);
int	hostdb_keys_add(struct hostdb_keys *ky, int family,
    const uint8_t *addr, uint32_t id);
void	hostdb_keys_free(struct hostdb_keys *ky);
size_t	hostdb_keys_memory(const struct hostdb_keys *ky);
int	hostdb_update_order(struct hostdb_table *tb);

/* hostdb_snap.c */
const struct hostdb_snapshot	*hostdb_table_acquire(struct hostdb_table *tb);
int	hostdb_table_publish(struct hostdb_table *tb,
    const struct hostdb_status *st);

/* hostdb_fold.c */
int	hostdb_wh_eq(const void *key, uint32_t index, void *arg);
uint32_t	hostdb_period_of(int64_t us);
int	hostdb_table_add_window(struct hostdb_table *tb,
    const struct window_closed *wd, const struct hostdb_status *st,
    int failed);
void	hostdb_table_enforce_cap(struct hostdb_table *tb);

/* Small accessors, inline: they run once a host a fold or a walk. */

static inline void *
hostdb_elem(struct hostdb_chunk *const *chunks, unsigned int shift,
    size_t size, uint32_t id)
{
	return (unsigned char *)chunks[id >> shift]->hk_data +
	    (size_t)(id & ((1u << shift) - 1)) * size;
}

static inline size_t
hostdb_chunk_bytes(const struct hostdb_pool *p)
{
	return sizeof(struct hostdb_chunk) + ((size_t)1 << p->hp_shift) *
	    p->hp_size;
}

/* Is id allocated?  A freed element keeps its old bytes (so freeing
 * never copies a chunk a snapshot holds): test this, not the bytes. */
static inline int
hostdb_pool_used(const struct hostdb_pool *p, uint32_t id)
{
	return p->hp_used[id >> p->hp_shift] >>
	    (id & ((1u << p->hp_shift) - 1)) & 1;
}

static inline void
hostdb_pool_mark(struct hostdb_pool *p, uint32_t id, int used)
{
	uint32_t	bit = 1u << (id & ((1u << p->hp_shift) - 1));

	if (used)
		p->hp_used[id >> p->hp_shift] |= bit;
	else
		p->hp_used[id >> p->hp_shift] &= ~bit;
}

static inline const void *
hostdb_pool_get(const struct hostdb_pool *p, uint32_t id)
{
	return hostdb_elem(p->hp_chunks, p->hp_shift, p->hp_size, id);
}

static inline const char *
hostdb_name_at(const char *const *chunks, uint32_t ref)
{
	ref--;
	return chunks[ref >> HOSTDB_NAME_SHIFT] +
	    (ref & (HOSTDB_NAME_CHUNK - 1));
}

static inline uint32_t
hostdb_order_id(const struct hostdb_order *o, size_t pos)
{
	if (pos < o->ho_n4)
		return (uint32_t)o->ho_v4[pos];
	return o->ho_v6[pos - o->ho_n4].k6_id;
}

static inline uint64_t
hostdb_key4(const uint8_t *addr, uint32_t id)
{
	return ((uint64_t)addr[0] << 56 | (uint64_t)addr[1] << 48 |
	    (uint64_t)addr[2] << 40 | (uint64_t)addr[3] << 32) | id;
}

static inline int
hostdb_bit(const uint8_t *bits, uint32_t id)
{
	return bits != NULL && (bits[id >> 3] >> (id & 7) & 1);
}

static inline const struct hostdb_entry *
hostdb_entry_get(const struct hostdb_live *hl, uint32_t id)
{
	return hostdb_pool_get(&hl->hl_entries, id);
}

static inline void
hostdb_make_key(struct hostdb_key *k, int family, const uint8_t *addr)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->hk_addr, addr, family == AF_INET ? 4 : 16);
	k->hk_family = (uint8_t)family;
}

static inline uint64_t
hostdb_narrow_octets(uint32_t lo, uint16_t hi)
{
	return (uint64_t)hi << 32 | lo;
}

/* Row r's counters, narrow or wide. */
static inline void
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

static inline const struct hostdb_wide *
hostdb_wide_get(const struct hostdb_live *hl, const struct hostdb_entry *e)
{
	if (!(e->he_flags & HE_WIDE))
		return NULL;
	return hostdb_pool_get(&hl->hl_wides, e->he_u.he_wide);
}

static inline void
hostdb_add_counts(struct session_counts *sum, const struct session_counts *c)
{
	sum->sc_octets_in += c->sc_octets_in;
	sum->sc_octets_out += c->sc_octets_out;
	sum->sc_packets_in += c->sc_packets_in;
	sum->sc_packets_out += c->sc_packets_out;
}

static inline const char *
hostdb_live_name(const struct hostdb_live *hl, uint32_t ref)
{
	if (ref == 0)
		return "";
	return hostdb_name_at((const char *const *)hl->hl_names->hn_chunks,
	    ref);
}

#endif
