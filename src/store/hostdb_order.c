/*
 * hostdb_order: the index order of the host table, cmHostTable's
 * (address type, IPv4 before IPv6, then address bytes; hostdb_int.h).
 *
 * An immutable, reference-counted array pair -- IPv4 as address << 32 |
 * id, IPv6 as address + id records -- shared with snapshots.  A window
 * sorts its new hosts and merges them in, dropping evicted ids with a
 * bitmap, so 1M entries are not re-sorted; a window with neither keeps
 * the old one.  After running out of memory the order is rebuilt whole.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "store/hostdb_int.h"

struct hostdb_order *
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

void
hostdb_order_unref(struct hostdb_order *o)
{
	if (o != NULL &&
	    __atomic_sub_fetch(&o->ho_refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(o);
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

/* Appends (addr, id).  0, or -1 when memory ran out. */
int
hostdb_keys_add(struct hostdb_keys *ky, int family, const uint8_t *addr,
    uint32_t id)
{
	void	*p;
	size_t	 cap;

	if (family == AF_INET) {
		if (ky->hy_n4 == ky->hy_cap4) {
			cap = ky->hy_cap4 ? ky->hy_cap4 * 2 : 1024;
			if ((p = realloc(ky->hy_v4, cap * 8)) == NULL)
				return -1;
			ky->hy_v4 = p;
			ky->hy_cap4 = cap;
		}
		ky->hy_v4[ky->hy_n4++] = hostdb_key4(addr, id);
		return 0;
	}
	if (ky->hy_n6 == ky->hy_cap6) {
		cap = ky->hy_cap6 ? ky->hy_cap6 * 2 : 256;
		if ((p = realloc(ky->hy_v6, cap *
		    sizeof(struct hostdb_key6))) == NULL)
			return -1;
		ky->hy_v6 = p;
		ky->hy_cap6 = cap;
	}
	memcpy(ky->hy_v6[ky->hy_n6].k6_addr, addr, 16);
	ky->hy_v6[ky->hy_n6++].k6_id = id;
	return 0;
}

void
hostdb_keys_free(struct hostdb_keys *ky)
{
	free(ky->hy_v4);
	free(ky->hy_v6);
	memset(ky, 0, sizeof(*ky));
}

size_t
hostdb_keys_memory(const struct hostdb_keys *ky)
{
	return ky->hy_cap4 * 8 + ky->hy_cap6 * sizeof(struct hostdb_key6);
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
 * when memory ran out: the order is then stale (tb_order_stale), is
 * rebuilt whole at the next chance, and nothing is published meanwhile.
 * (gcc 12's -fanalyzer takes the new order stored here for lost, as it
 * cannot tell the live state from the old order released just before:
 * that one false alarm is quieted.)
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
int
hostdb_update_order(struct hostdb_table *tb)
{
	struct hostdb_live	*hl = tb->tb_live;
	struct hostdb_order	*o;

	if (tb->tb_order_stale)
		o = hostdb_order_rebuild(hl);
	else if (tb->tb_new.hy_n4 == 0 && tb->tb_new.hy_n6 == 0 &&
	    tb->tb_evicted == NULL)
		return 0;
	else {
		if (tb->tb_new.hy_n4 > 1)
			qsort(tb->tb_new.hy_v4, tb->tb_new.hy_n4, 8,
			    hostdb_u64_cmp);
		if (tb->tb_new.hy_n6 > 1)
			qsort(tb->tb_new.hy_v6, tb->tb_new.hy_n6,
			    sizeof(struct hostdb_key6),
			    hostdb_key6_cmp);
		o = hostdb_order_merge(hl->hl_order, tb->tb_evicted,
		    tb->tb_new.hy_v4, tb->tb_new.hy_n4, tb->tb_new.hy_v6,
		    tb->tb_new.hy_n6);
	}
	tb->tb_new.hy_n4 = tb->tb_new.hy_n6 = 0;
	free(tb->tb_evicted);
	tb->tb_evicted = NULL;
	tb->tb_evicted_bytes = 0;
	if ((tb->tb_order_stale = o == NULL))
		return -1;
	hostdb_order_unref(hl->hl_order);
	hl->hl_order = o;
	return 0;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
