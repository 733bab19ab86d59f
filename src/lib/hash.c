/*
 * hash: SipHash and an open-addressing table of (hash, index) slots.
 *
 * SipHash is written from the paper's description (section 2): four
 * 64-bit words of state initialised from the key and four constants, two
 * SipRounds per 8-byte little-endian message word, a last word holding
 * the message length in its top byte, then 0xff into v2 and four rounds.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "lib/hash.h"

#define HASH_MIN_SLOTS	16
/* Grow past 7/10 full: linear probing stays near two probes a hit. */
#define HASH_LOAD_NUM	7
#define HASH_LOAD_DEN	10

struct hash_slot {
	uint32_t	hs_hash;	/* low 32 bits of the SipHash */
	uint32_t	hs_index;	/* HASH_NONE: free */
};

struct hash {
	struct hash_slot	*h_slots;
	uint32_t		 h_nslots;
	uint32_t		 h_count;
	uint32_t		 h_grow_at;	/* count that triggers growth */
	uint32_t		 h_max;		/* entries refused beyond */
	uint32_t		 h_max_slots;	/* what h_max needs */
	uint8_t			 h_key[HASH_KEY_LEN];
	int			(*h_eq)(const void *, uint32_t, void *);
	void			*h_arg;
};

#define HASH_ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define HASH_SIPROUND(v0, v1, v2, v3) do {				\
	v0 += v1; v1 = HASH_ROTL(v1, 13); v1 ^= v0; v0 = HASH_ROTL(v0, 32); \
	v2 += v3; v3 = HASH_ROTL(v3, 16); v3 ^= v2;			\
	v0 += v3; v3 = HASH_ROTL(v3, 21); v3 ^= v0;			\
	v2 += v1; v1 = HASH_ROTL(v1, 17); v1 ^= v2; v2 = HASH_ROTL(v2, 32); \
} while (0)

static uint64_t
hash_le64(const uint8_t *p)
{
	uint64_t	v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/*
 * SipHash-c-d: c SipRounds a message word, d at the end.  Inlined with
 * constant c and d, so each variant is straight-line code; the tail
 * (len mod 8 bytes) is gathered by a switch, not a byte loop.
 */
static inline uint64_t
hash_sip(const uint8_t key[HASH_KEY_LEN], const void *data, size_t len,
    int crounds, int drounds)
{
	const uint8_t	*p = data, *end = p + (len & ~(size_t)7);
	uint64_t	 k0 = hash_le64(key), k1 = hash_le64(key + 8);
	uint64_t	 v0 = k0 ^ 0x736f6d6570736575ULL;
	uint64_t	 v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t	 v2 = k0 ^ 0x6c7967656e657261ULL;
	uint64_t	 v3 = k1 ^ 0x7465646279746573ULL;
	uint64_t	 m, b = (uint64_t)len << 56;
	int		 r;

	for (; p != end; p += 8) {
		m = hash_le64(p);
		v3 ^= m;
#pragma GCC unroll 4
		for (r = 0; r < crounds; r++)
			HASH_SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	switch (len & 7) {
	case 7: b |= (uint64_t)p[6] << 48;	/* FALLTHROUGH */
	case 6: b |= (uint64_t)p[5] << 40;	/* FALLTHROUGH */
	case 5: b |= (uint64_t)p[4] << 32;	/* FALLTHROUGH */
	case 4: b |= (uint64_t)p[3] << 24;	/* FALLTHROUGH */
	case 3: b |= (uint64_t)p[2] << 16;	/* FALLTHROUGH */
	case 2: b |= (uint64_t)p[1] << 8;	/* FALLTHROUGH */
	case 1: b |= (uint64_t)p[0];		/* FALLTHROUGH */
	default: break;
	}
	v3 ^= b;
#pragma GCC unroll 4
	for (r = 0; r < crounds; r++)
		HASH_SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
#pragma GCC unroll 4
	for (r = 0; r < drounds; r++)
		HASH_SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t
hash_siphash(const uint8_t key[HASH_KEY_LEN], const void *data, size_t len)
{
	return hash_sip(key, data, len, 2, 4);
}

uint64_t
hash_siphash13(const uint8_t key[HASH_KEY_LEN], const void *data, size_t len)
{
	return hash_sip(key, data, len, 1, 3);
}

/* 128 random bits; without getrandom() (ENOSYS) a weaker mix of clocks,
 * pid and an address, so the table still works. */
static void
hash_random_key(uint8_t key[HASH_KEY_LEN])
{
	struct timespec	 rt, mt;
	uint64_t	 w[2];
	ssize_t		 n;

	do
		n = getrandom(key, HASH_KEY_LEN, 0);
	while (n < 0 && errno == EINTR);
	if (n == HASH_KEY_LEN)
		return;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	w[0] = (uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec;
	w[1] = ((uint64_t)mt.tv_nsec << 32 ^ (uint64_t)getpid() ^
	    (uint64_t)(uintptr_t)key) * 0x9e3779b97f4a7c15ULL;
	memcpy(key, w, HASH_KEY_LEN);
}

/* Slots needed to hold n entries at most 7/10 full, capped at 2^32 - 1. */
static uint32_t
hash_slots_for(uint64_t n)
{
	uint64_t	s = (n * HASH_LOAD_DEN + HASH_LOAD_NUM - 1) / HASH_LOAD_NUM;

	if (s < HASH_MIN_SLOTS)
		s = HASH_MIN_SLOTS;
	return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

static uint32_t
hash_home(uint32_t hv, uint32_t nslots)
{
	return (uint32_t)(((uint64_t)hv * nslots) >> 32);
}

static struct hash_slot *
hash_alloc_slots(uint32_t nslots)
{
	struct hash_slot	*s;

	s = malloc((size_t)nslots * sizeof(*s));
	if (s != NULL)
		memset(s, 0xff, (size_t)nslots * sizeof(*s));	/* HASH_NONE */
	return s;
}

static void
hash_set_slots(struct hash *h, struct hash_slot *slots, uint32_t nslots)
{
	h->h_slots = slots;
	h->h_nslots = nslots;
	h->h_grow_at = (uint32_t)((uint64_t)nslots * HASH_LOAD_NUM /
	    HASH_LOAD_DEN);
}

/* Places a slot known to be absent; the table has a free slot. */
static void
hash_place(struct hash_slot *slots, uint32_t nslots, struct hash_slot s)
{
	uint32_t	i = hash_home(s.hs_hash, nslots);

	while (slots[i].hs_index != HASH_NONE)
		if (++i == nslots)
			i = 0;
	slots[i] = s;
}

static int
hash_grow(struct hash *h)
{
	struct hash_slot	*slots;
	uint64_t		 want = (uint64_t)h->h_nslots * 2;
	uint32_t		 n, i;

	n = want > h->h_max_slots ? h->h_max_slots : (uint32_t)want;
	if (n <= h->h_nslots) {
		errno = ENOSPC;
		return -1;
	}
	if ((slots = hash_alloc_slots(n)) == NULL)
		return -1;
	for (i = 0; i < h->h_nslots; i++)
		if (h->h_slots[i].hs_index != HASH_NONE)
			hash_place(slots, n, h->h_slots[i]);
	free(h->h_slots);
	hash_set_slots(h, slots, n);
	return 0;
}

struct hash *
hash_new(size_t hint, size_t max_entries,
    int (*eq)(const void *, uint32_t, void *), void *arg)
{
	struct hash		*h;
	struct hash_slot	*slots;
	uint32_t		 n;

	if (eq == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (max_entries == 0 || max_entries > UINT32_MAX - 1)
		max_entries = UINT32_MAX - 1;
	if (hint > max_entries)
		hint = max_entries;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->h_max = (uint32_t)max_entries;
	h->h_max_slots = hash_slots_for(max_entries);
	n = hash_slots_for(hint);
	if (n > h->h_max_slots)
		n = h->h_max_slots;
	if ((slots = hash_alloc_slots(n)) == NULL) {
		free(h);
		return NULL;
	}
	hash_set_slots(h, slots, n);
	h->h_eq = eq;
	h->h_arg = arg;
	hash_random_key(h->h_key);
	return h;
}

void
hash_free(struct hash *h)
{
	if (h == NULL)
		return;
	free(h->h_slots);
	free(h);
}

uint64_t
hash_compute(const struct hash *h, const void *key, size_t len)
{
	return hash_sip(h->h_key, key, len, 1, 3);
}

uint32_t
hash_find(const struct hash *h, uint32_t hv, const void *key)
{
	const struct hash_slot	*s;
	uint32_t		 i = hash_home(hv, h->h_nslots);

	for (;;) {
		s = &h->h_slots[i];
		if (s->hs_index == HASH_NONE)
			return HASH_NONE;
		if (s->hs_hash == hv && h->h_eq(key, s->hs_index, h->h_arg))
			return s->hs_index;
		if (++i == h->h_nslots)
			i = 0;
	}
}

void
hash_prefetch(const struct hash *h, uint32_t hv)
{
	__builtin_prefetch(&h->h_slots[hash_home(hv, h->h_nslots)]);
}

uint32_t
hash_peek(const struct hash *h, uint32_t hv)
{
	const struct hash_slot	*s;
	uint32_t		 i = hash_home(hv, h->h_nslots);

	for (;;) {
		s = &h->h_slots[i];
		if (s->hs_index == HASH_NONE || s->hs_hash == hv)
			return s->hs_index;
		if (++i == h->h_nslots)
			i = 0;
	}
}

int
hash_insert(struct hash *h, uint32_t hv, uint32_t index)
{
	struct hash_slot	s = { hv, index };

	if (index == HASH_NONE) {
		errno = EINVAL;
		return -1;
	}
	if (h->h_count >= h->h_max) {
		errno = ENOSPC;
		return -1;
	}
	if (h->h_count >= h->h_grow_at && hash_grow(h) < 0)
		return -1;
	hash_place(h->h_slots, h->h_nslots, s);
	h->h_count++;
	return 0;
}

/* The slot holding (hv, index), or h_nslots. */
static uint32_t
hash_locate(const struct hash *h, uint32_t hv, uint32_t index)
{
	uint32_t	i = hash_home(hv, h->h_nslots);

	while (h->h_slots[i].hs_index != HASH_NONE) {
		if (h->h_slots[i].hs_index == index &&
		    h->h_slots[i].hs_hash == hv)
			return i;
		if (++i == h->h_nslots)
			i = 0;
	}
	return h->h_nslots;
}

/* Is k in the cyclic interval (i, j]? */
static int
hash_between(uint32_t i, uint32_t k, uint32_t j)
{
	return i <= j ? (i < k && k <= j) : (i < k || k <= j);
}

int
hash_remove(struct hash *h, uint32_t hv, uint32_t index)
{
	uint32_t	i, j, home;

	if ((i = hash_locate(h, hv, index)) == h->h_nslots) {
		errno = ENOENT;
		return -1;
	}
	/* Pull back each later slot of the run whose home does not lie
	 * between the hole and itself (Knuth 6.4, algorithm R). */
	for (j = i;;) {
		if (++j == h->h_nslots)
			j = 0;
		if (h->h_slots[j].hs_index == HASH_NONE)
			break;
		home = hash_home(h->h_slots[j].hs_hash, h->h_nslots);
		if (hash_between(i, home, j))
			continue;
		h->h_slots[i] = h->h_slots[j];
		i = j;
	}
	h->h_slots[i].hs_hash = HASH_NONE;
	h->h_slots[i].hs_index = HASH_NONE;
	h->h_count--;
	return 0;
}

int
hash_renumber(struct hash *h, uint32_t hv, uint32_t old_index,
    uint32_t new_index)
{
	uint32_t	i;

	if (new_index == HASH_NONE) {
		errno = EINVAL;
		return -1;
	}
	if ((i = hash_locate(h, hv, old_index)) == h->h_nslots) {
		errno = ENOENT;
		return -1;
	}
	h->h_slots[i].hs_index = new_index;
	return 0;
}

void
hash_clear(struct hash *h)
{
	memset(h->h_slots, 0xff, (size_t)h->h_nslots * sizeof(*h->h_slots));
	h->h_count = 0;
}

size_t
hash_count(const struct hash *h)
{
	return h->h_count;
}

size_t
hash_slots(const struct hash *h)
{
	return h->h_nslots;
}

size_t
hash_memory(const struct hash *h)
{
	return sizeof(*h) + (size_t)h->h_nslots * sizeof(*h->h_slots);
}
