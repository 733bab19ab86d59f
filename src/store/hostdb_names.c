/*
 * hostdb_names: host names (hostdb_int.h) -- the pool they live in, and
 * the resolver's lookups for the hosts of each window.
 *
 * Names are NUL-terminated strings appended to 64 KB chunks (an entry
 * keeps a 32-bit reference); replaced names are garbage until the pool
 * is compacted.  The pool is shared with snapshots by reference count:
 * appending never touches bytes a snapshot can read, and compaction
 * makes a new pool.  With a resolver set (resolver.h), each window
 * picks up finished lookups and asks for the hosts of the window that
 * have no name yet, or one older than hc_name_ttl; it never waits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "store/hostdb_int.h"
#include "store/resolver.h"

struct hostdb_names *
hostdb_names_new(void)
{
	struct hostdb_names	*n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->hn_refs = 1;
	return n;
}

void
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

/* Appends a name (at most HOSTDB_NAME_MAX bytes); its reference, or 0
 * when memory ran out. */
uint32_t
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

void
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

/*
 * Copies every live name into a fresh pool, dropping the garbage.  All
 * or nothing: the new references are kept aside until every name has
 * one, and every entry is made writable (copied from a snapshot's chunk)
 * in the first pass, so running out of memory halfway leaves every
 * entry on the old pool -- never a reference into a pool that was
 * thrown away, read against the old one.
 */
static void
hostdb_names_compact(struct hostdb_table *tb)
{
	struct hostdb_live	*hl = tb->tb_live;
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
	tb->tb_errors++;
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
hostdb_set_name(struct hostdb_table *tb, const struct resolver_result *rr,
    uint32_t now)
{
	struct hostdb_live	*hl = tb->tb_live;
	struct hostdb_entry	*e;
	struct hostdb_key	 k;
	uint32_t		 id, hv, ref = 0;

	hostdb_make_key(&k, rr->rr_family, rr->rr_addr);
	hv = (uint32_t)hash_compute(hl->hl_hash, &k, sizeof(k));
	if ((id = hash_find(hl->hl_hash, hv, &k)) == HASH_NONE)
		return;		/* evicted meanwhile */
	if ((e = hostdb_entry_mut(hl, id)) == NULL) {
		tb->tb_errors++;
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
		tb->tb_errors++;
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
hostdb_wants_name(const struct hostdb_table *tb, const struct hostdb_entry *e,
    uint32_t now)
{
	uint32_t	age = now > e->he_name_time ? now - e->he_name_time : 0;

	if (e->he_flags & HE_NAME_PENDING)
		return age >= HOSTDB_NAME_PENDING_S;
	if (e->he_name_time == 0)
		return 1;
	return age >= (e->he_name ? tb->tb_config.hc_name_ttl :
	    tb->tb_config.hc_negative_ttl);
}

/* Asks for wh's name if it wants one.  -1 when the queue is full. */
static int
hostdb_ask_name(struct hostdb_table *tb, const struct hostdb_whost *wh,
    uint32_t now)
{
	struct hostdb_live		*hl = tb->tb_live;
	const struct hostdb_entry	*e;
	struct hostdb_entry		*m;

	if (wh->wh_id == HASH_NONE || (wh->wh_flags & WH_DROP))
		return 0;
	e = hostdb_entry_get(hl, wh->wh_id);
	if (!hostdb_wants_name(tb, e, now))
		return 0;
	if (resolver_submit(tb->tb_resolver, e->he_family, e->he_addr) < 0)
		return errno == EAGAIN ? -1 : 0;
	if ((m = hostdb_entry_mut(hl, wh->wh_id)) == NULL) {
		tb->tb_errors++;
		return 0;
	}
	m->he_flags |= HE_NAME_PENDING;
	m->he_name_time = now;
	return 0;
}

/* Asks for the names the window's hosts want, the top list first,
 * until the resolver's queue is full. */
static void
hostdb_ask_names(struct hostdb_table *tb, uint32_t now)
{
	size_t	i;

	for (i = 0; i < tb->tb_ntop; i++)
		if (hostdb_ask_name(tb, &tb->tb_wh[tb->tb_top[i]], now) < 0)
			return;
	for (i = 0; i < tb->tb_nwh; i++)
		if (!(tb->tb_wh[i].wh_flags & WH_TOP) &&
		    hostdb_ask_name(tb, &tb->tb_wh[i], now) < 0)
			return;
}

/* Phase N: finished lookups in, the window's hosts (top first) out. */
void
hostdb_names_step(struct hostdb_table *tb, uint32_t now)
{
	struct resolver_result	*rr;
	struct hostdb_names	*n;
	size_t			 got, i;

	if (tb->tb_resolver == NULL)
		return;
	if ((rr = malloc(HOSTDB_RESULTS * sizeof(*rr))) != NULL) {
		do {
			got = resolver_collect(tb->tb_resolver, rr,
			    HOSTDB_RESULTS);
			for (i = 0; i < got; i++)
				hostdb_set_name(tb, &rr[i], now);
		} while (got == HOSTDB_RESULTS);
		free(rr);
	}
	hostdb_ask_names(tb, now);
	n = tb->tb_live->hl_names;
	if (n->hn_garbage > HOSTDB_NAME_COMPACT && n->hn_garbage > n->hn_live)
		hostdb_names_compact(tb);
}
