/*
 * hostdb_pool: fixed-size elements in chunks, shared with snapshots by
 * reference count (hostdb_int.h).
 *
 * An id (chunk << shift | slot) never changes while its element lives,
 * and freed ids are reused.  Which ids are in use is a bitmask beside
 * the chunks (live side only), so freeing an element -- an eviction --
 * writes nothing into its chunk and copies none.  A published snapshot
 * takes a reference on every chunk and keeps its own copy of the chunk
 * pointer array; the live table copies a chunk before it writes into one
 * that is shared (reference count above 1).  So a publish costs one
 * pointer and one atomic increment a chunk, and a window copies only
 * the chunks it touches.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "store/hostdb_int.h"

static void
hostdb_chunk_ref(const struct hostdb_chunk *c)
{
	struct hostdb_chunk	*m = (struct hostdb_chunk *)c;

	__atomic_add_fetch(&m->hk_refs, 1, __ATOMIC_RELAXED);
}

void
hostdb_chunk_unref(const struct hostdb_chunk *c)
{
	struct hostdb_chunk	*m = (struct hostdb_chunk *)c;

	if (__atomic_sub_fetch(&m->hk_refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(m);
}

void
hostdb_pool_init(struct hostdb_pool *p, size_t size, unsigned int shift)
{
	memset(p, 0, sizeof(*p));
	p->hp_size = size;
	p->hp_shift = shift;
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

void
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

/* Replaces chunk of id, which a snapshot holds, by a copy of its own.
 * 0, or -1 when the copy could not be made. */
static int
hostdb_pool_unshare(struct hostdb_pool *p, uint32_t id)
{
	struct hostdb_chunk	*c = p->hp_chunks[id >> p->hp_shift], *copy;
	size_t			 bytes = hostdb_chunk_bytes(p);

	if ((copy = malloc(bytes)) == NULL)
		return -1;
	memcpy(copy->hk_data, c->hk_data, bytes - sizeof(struct hostdb_chunk));
	copy->hk_refs = 1;
	p->hp_chunks[id >> p->hp_shift] = copy;
	hostdb_chunk_unref(c);
	p->hp_copies++;
	return 0;
}

/* The element to write: its chunk copied first if a snapshot holds it.
 * NULL when the copy could not be made. */
void *
hostdb_pool_mut(struct hostdb_pool *p, uint32_t id)
{
	if (__atomic_load_n(&p->hp_chunks[id >> p->hp_shift]->hk_refs,
	    __ATOMIC_ACQUIRE) != 1 && hostdb_pool_unshare(p, id) < 0)
		return NULL;
	return hostdb_elem(p->hp_chunks, p->hp_shift, p->hp_size, id);
}

struct hostdb_entry *
hostdb_entry_mut(struct hostdb_live *hl, uint32_t id)
{
	return hostdb_pool_mut(&hl->hl_entries, id);
}

/* A fresh id (its element zeroed), or HASH_NONE with errno set. */
uint32_t
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
int
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
void
hostdb_pool_share(const struct hostdb_pool *p,
    const struct hostdb_chunk **out)
{
	uint32_t	i;

	for (i = 0; i < p->hp_nchunks; i++) {
		hostdb_chunk_ref(p->hp_chunks[i]);
		out[i] = p->hp_chunks[i];
	}
}

size_t
hostdb_pool_memory(const struct hostdb_pool *p)
{
	return (size_t)p->hp_nchunks * hostdb_chunk_bytes(p) +
	    p->hp_cap * (sizeof(*p->hp_chunks) + sizeof(*p->hp_used)) +
	    p->hp_free_cap * sizeof(*p->hp_free);
}
