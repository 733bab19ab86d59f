/*
 * hostdb_snap: snapshots of the host table (hostdb_int.h) -- building
 * one, publishing it through snapshot.h, and reading hosts out of it by
 * position or address (hostdb.h).
 *
 * A snapshot shares the entries' chunks, the wide blocks, the names
 * pool and the index order with the live table, each by reference
 * count; it owns only its top list and chunk pointer arrays.  Nothing
 * in it changes once published.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/hash.h"
#include "lib/snapshot.h"
#include "store/hostdb_int.h"

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

/* Never NULL once hostdb_table_publish() has run. */
const struct hostdb_snapshot *
hostdb_table_acquire(struct hostdb_table *tb)
{
	return (const struct hostdb_snapshot *)snapshot_acquire(&tb->tb_slot);
}

/* octets per second over length_us, without overflowing. */
static uint64_t
hostdb_rate(uint64_t octets, int64_t length_us)
{
	uint64_t	len = length_us > 0 ? (uint64_t)length_us : 1;

	return octets / len * 1000000 + octets % len * 1000000 / len;
}

static void
hostdb_fill_top(const struct hostdb_table *tb, struct hostdb_top *ht,
    const struct hostdb_whost *wh)
{
	const struct hostdb_live	*hl = tb->tb_live;

	memset(ht, 0, sizeof(*ht));
	ht->ht_family = wh->wh_key.hk_family;
	memcpy(ht->ht_addr, wh->wh_key.hk_addr, 16);
	ht->ht_source = wh->wh_source;
	ht->ht_counts = wh->wh_counts;
	ht->ht_rate = hostdb_rate(wh->wh_counts.sc_octets_in +
	    wh->wh_counts.sc_octets_out, tb->tb_window_length_us);
	ht->ht_sessions = wh->wh_sessions;
	if (wh->wh_id != HASH_NONE)
		snprintf(ht->ht_name, sizeof(ht->ht_name), "%s",
		    hostdb_live_name(hl,
		    hostdb_entry_get(hl, wh->wh_id)->he_name));
}

/* The snapshot of the live state now, with its own references.  NULL
 * when memory ran out. */
static struct hostdb_snapshot *
hostdb_build_snapshot(struct hostdb_table *tb)
{
	struct hostdb_live	*hl = tb->tb_live;
	struct hostdb_snapshot	*sn;
	struct hostdb_top	*top;
	const struct hostdb_chunk **ec, **wc;
	const char		**nc;
	size_t			 bytes, i;

	bytes = sizeof(*sn) + tb->tb_ntop * sizeof(*top) +
	    (hl->hl_entries.hp_nchunks + hl->hl_wides.hp_nchunks) *
	    sizeof(*ec) + hl->hl_names->hn_nchunks * sizeof(*nc);
	if ((sn = calloc(1, bytes)) == NULL)
		return NULL;
	top = (struct hostdb_top *)(sn + 1);
	ec = (const struct hostdb_chunk **)(top + tb->tb_ntop);
	wc = ec + hl->hl_entries.hp_nchunks;
	nc = (const char **)(wc + hl->hl_wides.hp_nchunks);
	snapshot_init(&sn->hs_snap, hostdb_snapshot_free);
	sn->hs_bytes = bytes;
	sn->hs_number = tb->tb_number;
	sn->hs_window_start_us = tb->tb_window_start_us;
	sn->hs_window_length_us = tb->tb_window_length_us;
	sn->hs_period = tb->tb_period;
	sn->hs_entries = hl->hl_order->ho_n4 + hl->hl_order->ho_n6;
	sn->hs_max_hosts = tb->tb_config.hc_max_hosts;
	sn->hs_evictions = tb->tb_evictions;
	sn->hs_dropped = tb->tb_dropped;
	sn->hs_errors = tb->tb_errors;
	sn->hs_unattributed_octets = tb->tb_unattributed_octets;
	sn->hs_unattributed_packets = tb->tb_unattributed_packets;
	sn->hs_copied_chunks = hl->hl_entries.hp_copies +
	    hl->hl_wides.hp_copies;
	sn->hs_top_size = tb->tb_config.hc_top_hosts;
	sn->hs_ntop = tb->tb_ntop;
	sn->hs_top = top;
	for (i = 0; i < tb->tb_ntop; i++)
		hostdb_fill_top(tb, &top[i], &tb->tb_wh[tb->tb_top[i]]);
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

/* Builds and swaps in a new snapshot carrying st.  0, or -1 (ENOMEM;
 * the old one stays). */
int
hostdb_table_publish(struct hostdb_table *tb, const struct hostdb_status *st)
{
	struct hostdb_snapshot	*sn;

	if (tb->tb_order_stale && hostdb_update_order(tb) < 0)
		return -1;
	if ((sn = hostdb_build_snapshot(tb)) == NULL)
		return -1;
	sn->hs_status = *st;
	snapshot_publish(&tb->tb_slot, &sn->hs_snap);
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
