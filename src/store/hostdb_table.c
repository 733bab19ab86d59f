/*
 * hostdb_table: the host table's entries and live state, the table
 * object and the loader (hostdb_int.h; the contract is hostdb.h).
 *
 * Storage.  An entry is 208 bytes in a chunk of 16 (3.3 KB,
 * hostdb_pool.c); its id (chunk << 4 | slot) never changes while it
 * lives, the keyed hash (hash.h) maps an address to it, and freed ids
 * are reused.  Service counters are stored narrow -- octets in 48 bits,
 * packets in 32, 20 bytes a row, 8 rows inline -- until one would
 * overflow; then the host's rows move to a wide block of 64-bit
 * counters (256 bytes, in a pool of its own) and the entry keeps the
 * block's id.  A host's totals are the sum of its rows, so they are
 * exact and add up by construction.
 *
 * The loader builds a whole new live state from a file (hostdb_file.c
 * feeds it, in index order) and swaps it in only when all was good.
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

#include "capture/services.h"
#include "lib/hash.h"
#include "lib/snapshot.h"
#include "store/hostdb_int.h"

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

uint64_t
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
int
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
void
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

size_t
hostdb_count(const struct hostdb_table *tb)
{
	return hash_count(tb->tb_live->hl_hash);
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
	hostdb_keys_free(&tb->tb_new);
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
	    hostdb_keys_memory(&tb->tb_new);
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
	hostdb_keys_free(&ld->ld_keys);
	free(ld);
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
	if (hostdb_keys_add(&ld->ld_keys, hh->hh_family, hh->hh_addr,
	    id) < 0)
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
	    (o = hostdb_order_new(ld->ld_keys.hy_n4,
	    ld->ld_keys.hy_n6)) == NULL) {
		hostdb_loader_free(ld);
		errno = ENOMEM;
		return -1;
	}
	if (ld->ld_keys.hy_n4 > 0)
		memcpy(o->ho_v4, ld->ld_keys.hy_v4, ld->ld_keys.hy_n4 * 8);
	if (ld->ld_keys.hy_n6 > 0)
		memcpy(o->ho_v6, ld->ld_keys.hy_v6,
		    ld->ld_keys.hy_n6 * sizeof(*o->ho_v6));
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
