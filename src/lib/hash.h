/*
 * hash: the project's one hash table, keyed so a flood of crafted
 * addresses cannot aim at it.
 *
 * The table maps a key to a uint32 index into the CALLER's own array; it
 * never sees or stores the keys.  A slot holds the key's 32-bit hash and
 * the index (8 bytes), and key equality is the caller's eq(key, index,
 * arg) callback, which compares a probe key with the element at index.
 * So a table of fixed-size records (sessions, hosts, sockets by cookie)
 * costs 8 bytes a slot beyond the records themselves.
 *
 * Hashing is SipHash-1-3 (Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF", 2012; the paper's SipHash-c-d with one round a word
 * and three at the end, the variant Rust's and Python's hash tables use
 * against flooding) under a 128-bit key drawn from getrandom() when the
 * table is created.  A table's hash is never stored or shown, so it need
 * not be the PRF-grade 2-4: 1-3 costs 5 rounds instead of 8 for a
 * 12-byte IPv4 session key, 8 instead of 14 for a 36-byte IPv6 one.
 * The caller computes a key's hash once with hash_compute() and passes it
 * to hash_find() and, on a miss, to hash_insert(): one SipHash per
 * lookup-or-insert.
 *
 * Open addressing with linear probing.  The home slot of a hash is
 * (hash * nslots) >> 32, so the slot count need not be a power of two
 * and no division is done per lookup.  The table grows (doubling) when
 * an insert would take it past 0.7 full, up to the slots that max_entries
 * needs; at max_entries it refuses inserts (ENOSPC).
 *
 * Ownership: the table owns its slot array and nothing else.  The caller
 * owns the keys and the array the indexes point into; eq's arg must stay
 * valid (point at something that does not move when the caller's array
 * grows).  One thread at a time; no locking.
 */
#ifndef HASH_H
#define HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_NONE	UINT32_MAX	/* no index: not found, free slot */
#define HASH_KEY_LEN	16		/* SipHash key, bytes */

/* SipHash-2-4 of len bytes under a 16-byte key (key bytes as the paper
 * lays them out: k0 = key[0..7] little-endian, k1 = key[8..15]). */
uint64_t	hash_siphash(const uint8_t key[HASH_KEY_LEN], const void *data,
		    size_t len);
/* SipHash-1-3 of the same. */
uint64_t	hash_siphash13(const uint8_t key[HASH_KEY_LEN], const void *data,
		    size_t len);

struct hash;

/*
 * A table sized for about hint entries, holding at most max_entries (0:
 * no cap but UINT32_MAX - 1).  eq(key, index, arg) returns non-zero when
 * the caller's element at index has the key.  NULL with errno set.
 */
struct hash	*hash_new(size_t hint, size_t max_entries,
		    int (*eq)(const void *key, uint32_t index, void *arg),
		    void *arg);
void		 hash_free(struct hash *);	/* accepts NULL */

/* The keyed SipHash-1-3 of a key, under this table's random key.  Pass
 * (uint32_t) of it to find and insert; the other 32 bits are free for
 * the caller (a distinct-count estimate, say). */
uint64_t	hash_compute(const struct hash *, const void *key, size_t len);

/* The index stored for key (whose hash is hv), or HASH_NONE. */
uint32_t	hash_find(const struct hash *, uint32_t hv, const void *key);

/*
 * For callers that look up a batch of keys and want the cache misses of
 * all of them in flight at once: hash_prefetch() starts loading the home
 * slot of hv; hash_peek() (once that slot is in) gives the index of the
 * first slot holding hv -- unverified, it may be another key's -- so the
 * caller can prefetch its element before hash_find() compares keys.
 */
void		hash_prefetch(const struct hash *, uint32_t hv);
uint32_t	hash_peek(const struct hash *, uint32_t hv);

/*
 * Stores index under hv.  The caller has found the key absent: the table
 * does not look for it again.  0, or -1 with errno ENOSPC (max_entries
 * reached) or ENOMEM (growth failed; the table is unchanged and usable).
 */
int		hash_insert(struct hash *, uint32_t hv, uint32_t index);

/*
 * Removes the slot holding index under hv (backward-shift deletion, no
 * tombstones).  0, or -1 with errno ENOENT.
 */
int		hash_remove(struct hash *, uint32_t hv, uint32_t index);

/* The slot holding old_index under hv now holds new_index: for callers
 * that move an element within their array (swap-with-last removal).
 * 0, or -1 with errno ENOENT. */
int		hash_renumber(struct hash *, uint32_t hv, uint32_t old_index,
		    uint32_t new_index);

/* Empties the table, keeping its slots: O(slots), no allocation. */
void		hash_clear(struct hash *);

size_t		hash_count(const struct hash *);
size_t		hash_slots(const struct hash *);
size_t		hash_memory(const struct hash *);	/* bytes allocated */

#endif
