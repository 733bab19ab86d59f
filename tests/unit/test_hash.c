/*
 * hash: SipHash-2-4 gives the paper's and the reference implementation's
 * outputs; the table finds what was inserted, grows, clears, honours its
 * cap, survives total collisions and removes without losing neighbours.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "fixture.h"
#include "lib/hash.h"

/* Keys of the caller's own array, as a table of 8-byte cookies would. */
static uint64_t	*keys;

static int
eq_key(const void *key, uint32_t index, void *arg)
{
	(void)arg;
	return keys[index] == *(const uint64_t *)key;
}

static int
eq_never(const void *key, uint32_t index, void *arg)
{
	(void)key;
	(void)index;
	(void)arg;
	return 0;
}

static uint64_t
le64(const uint8_t *b)
{
	uint64_t	v = 0;
	int		i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

/* Key 00..0f, message 00..(len-1): the test setting of the paper
 * (appendix A) and of the reference code's vectors.h. */
static void
test_siphash_vectors(void)
{
	static const struct {
		size_t	len;
		uint8_t	out[8];	/* little-endian, as vectors.h lists it */
	} v[] = {
		{ 0,  { 0x31, 0x0e, 0x0e, 0xdd, 0x47, 0xdb, 0x6f, 0x72 } },
		{ 1,  { 0xfd, 0x67, 0xdc, 0x93, 0xc5, 0x39, 0xf8, 0x74 } },
		{ 7,  { 0x37, 0xd1, 0x01, 0x8b, 0xf5, 0x00, 0x02, 0xab } },
		{ 8,  { 0x62, 0x24, 0x93, 0x9a, 0x79, 0xf5, 0xf5, 0x93 } },
		{ 9,  { 0xb0, 0xe4, 0xa9, 0x0b, 0xdf, 0x82, 0x00, 0x9e } },
		{ 15, { 0xe5, 0x45, 0xbe, 0x49, 0x61, 0xca, 0x29, 0xa1 } },
		{ 16, { 0xdb, 0x9b, 0xc2, 0x57, 0x7f, 0xcc, 0x2a, 0x3f } },
		{ 63, { 0x72, 0x45, 0x06, 0xeb, 0x4c, 0x32, 0x8a, 0x95 } },
	};
	uint8_t	key[HASH_KEY_LEN], msg[64];
	size_t	i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	CHECK(hash_siphash(key, msg, 15) == 0xa129ca6149be45e5ULL,
	    "SipHash-2-4, key 00..0f, message 00..0e: the paper's "
	    "a129ca6149be45e5");
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		CHECK(hash_siphash(key, msg, v[i].len) == le64(v[i].out),
		    "SipHash-2-4 of %zu bytes matches the reference vector",
		    v[i].len);
}

/* SipHash-1-3, key all zero, message 00..(len-1): the values Rust's
 * std DefaultHasher::new() (SipHasher13, keys 0, 0) and CPython 3.11's
 * hash() of bytes under PYTHONHASHSEED=0 both give (computed once with
 * each; Python maps b"" to 0, so that one is Rust's alone). */
static void
test_siphash13_vectors(void)
{
	static const struct {
		size_t		len;
		uint64_t	out;
	} v[] = {
		{ 0,  0xd1fba762150c532cULL }, { 1,  0x68a914128e01e473ULL },
		{ 7,  0x2f098ab0c751325aULL }, { 8,  0xead411e67ebe2eeaULL },
		{ 9,  0x75927f9d95124362ULL }, { 12, 0xa6baf4fb0f9fe1c2ULL },
		{ 15, 0xf30eb725bb91c9eaULL }, { 16, 0x8972188433a5c5b7ULL },
		{ 36, 0xac77921fcc642bd3ULL }, { 63, 0x385d3e39e5f37359ULL },
	};
	uint8_t	key[HASH_KEY_LEN], msg[64];
	size_t	i;

	memset(key, 0, sizeof(key));
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		CHECK(hash_siphash13(key, msg, v[i].len) == v[i].out,
		    "SipHash-1-3 of %zu bytes is Rust's and Python's %016llx",
		    v[i].len, (unsigned long long)v[i].out);
}

static void
test_keyed(void)
{
	struct hash	*a = hash_new(0, 0, eq_key, NULL);
	struct hash	*b = hash_new(0, 0, eq_key, NULL);
	uint64_t	 k = 0x0a000001;

	CHECK(a != NULL && b != NULL, "two tables made");
	if (a == NULL || b == NULL)
		goto out;
	CHECK(hash_compute(a, &k, sizeof(k)) == hash_compute(a, &k, sizeof(k)),
	    "a table hashes a key the same way every time");
	CHECK(hash_compute(a, &k, sizeof(k)) != hash_compute(b, &k, sizeof(k)),
	    "two tables hash the same key differently (random SipHash keys)");
out:
	hash_free(a);
	hash_free(b);
}

static void
test_insert_find_grow(void)
{
	const size_t	 n = 100000;
	struct hash	*h = hash_new(16, 0, eq_key, NULL);
	uint64_t	 s = 88172645463325252ULL, absent;
	size_t		 i, slots0, found = 0, wrong = 0, dups = 0;
	uint32_t	 hv;

	keys = calloc(n, sizeof(*keys));
	CHECK(h != NULL && keys != NULL, "table and keys allocated");
	if (h == NULL || keys == NULL)
		goto out;
	slots0 = hash_slots(h);
	for (i = 0; i < n; i++) {
		keys[i] = fixture_random(&s);
		hv = (uint32_t)hash_compute(h, &keys[i], sizeof(keys[i]));
		if (hash_find(h, hv, &keys[i]) != HASH_NONE)
			dups++;
		else if (hash_insert(h, hv, (uint32_t)i) < 0)
			break;
	}
	CHECK_U64(dups, 0, "xorshift gives 100000 distinct cookies");
	CHECK_U64(hash_count(h), n, "100000 inserts counted");
	CHECK(hash_slots(h) > slots0, "the table grew (%zu -> %zu slots)",
	    slots0, hash_slots(h));
	CHECK(hash_count(h) * 10 <= hash_slots(h) * 7,
	    "load stays at most 0.7 (%zu in %zu)", hash_count(h),
	    hash_slots(h));
	CHECK(hash_memory(h) >= hash_slots(h) * 8 &&
	    hash_memory(h) < hash_slots(h) * 8 + 1024,
	    "hash_memory is 8 bytes a slot plus a small header");
	for (i = 0; i < n; i++) {
		hv = (uint32_t)hash_compute(h, &keys[i], sizeof(keys[i]));
		if (hash_find(h, hv, &keys[i]) == i)
			found++;
		else
			wrong++;
	}
	CHECK_U64(found, n, "every key found at its own index after growth");
	CHECK_U64(wrong, 0, "no key found at another index");
	absent = fixture_random(&s);
	hv = (uint32_t)hash_compute(h, &absent, sizeof(absent));
	CHECK(hash_find(h, hv, &absent) == HASH_NONE,
	    "a key never inserted is not found");

	slots0 = hash_slots(h);
	hash_clear(h);
	CHECK_U64(hash_count(h), 0, "clear empties the table");
	CHECK_U64(hash_slots(h), slots0, "clear keeps the slots");
	hv = (uint32_t)hash_compute(h, &keys[7], sizeof(keys[7]));
	CHECK(hash_find(h, hv, &keys[7]) == HASH_NONE,
	    "after clear a former key is not found");
	CHECK(hash_insert(h, hv, 7) == 0 && hash_find(h, hv, &keys[7]) == 7,
	    "after clear the table takes keys again");
out:
	hash_free(h);
	free(keys);
	keys = NULL;
}

static void
test_cap(void)
{
	struct hash	*h = hash_new(10, 1000, eq_key, NULL);
	uint64_t	 s = 7;
	size_t		 i, ok = 0;
	uint32_t	 hv;
	int		 rc;

	keys = calloc(1001, sizeof(*keys));
	if (h == NULL || keys == NULL) {
		CHECK(0, "capped table allocated");
		goto out;
	}
	for (i = 0; i < 1000; i++) {
		keys[i] = fixture_random(&s);
		hv = (uint32_t)hash_compute(h, &keys[i], 8);
		ok += hash_insert(h, hv, (uint32_t)i) == 0;
	}
	CHECK_U64(ok, 1000, "a table capped at 1000 takes 1000 keys");
	keys[1000] = fixture_random(&s);
	hv = (uint32_t)hash_compute(h, &keys[1000], 8);
	errno = 0;
	rc = hash_insert(h, hv, 1000);
	CHECK(rc == -1 && errno == ENOSPC,
	    "the 1001st insert is refused with ENOSPC");
	CHECK_U64(hash_count(h), 1000, "the count stays at the cap");
	CHECK(hash_slots(h) <= 1429,
	    "a capped table grows only to the slots its cap needs (%zu)",
	    hash_slots(h));
out:
	hash_free(h);
	free(keys);
	keys = NULL;
}

/* Every key under one hash value: eq alone tells them apart. */
static void
test_collisions(void)
{
	const size_t	 n = 2000;
	struct hash	*h = hash_new(0, 0, eq_key, NULL);
	struct hash	*bad = hash_new(0, 0, eq_never, NULL);
	size_t		 i, found = 0;

	keys = calloc(n, sizeof(*keys));
	if (h == NULL || bad == NULL || keys == NULL) {
		CHECK(0, "collision tables allocated");
		goto out;
	}
	for (i = 0; i < n; i++) {
		keys[i] = i * 1000003;
		hash_insert(h, 42, (uint32_t)i);
		hash_insert(bad, 42, (uint32_t)i);
	}
	for (i = 0; i < n; i++)
		found += hash_find(h, 42, &keys[i]) == i;
	CHECK_U64(found, n, "2000 keys sharing one hash are each found");
	CHECK(hash_find(bad, 42, &keys[5]) == HASH_NONE,
	    "an eq that never matches finds nothing and the probe ends");
	CHECK_U64(hash_count(bad), n,
	    "with a never-matching eq, inserts still land");
	/* Removing from the middle of the one long run keeps the rest. */
	for (i = 0; i < n; i += 3)
		hash_remove(h, 42, (uint32_t)i);
	found = 0;
	for (i = 0; i < n; i++)
		found += hash_find(h, 42, &keys[i]) ==
		    (i % 3 == 0 ? HASH_NONE : i);
	CHECK_U64(found, n, "after removing every third of a collision run, "
	    "the others are found and the removed are not");
out:
	hash_free(h);
	hash_free(bad);
	free(keys);
	keys = NULL;
}

/* A run that wraps past the last slot, then removal across the wrap. */
static void
test_remove_wrap(void)
{
	struct hash	*h = hash_new(0, 0, eq_key, NULL);
	size_t		 i, found = 0;
	uint32_t	 hv[8] = { 0xffffffffu, 0xfffffff0u, 0xffffffffu, 0,
			     0xfffffffeu, 1, 0xffffffffu, 0 };

	keys = calloc(8, sizeof(*keys));
	if (h == NULL || keys == NULL) {
		CHECK(0, "wrap table allocated");
		goto out;
	}
	for (i = 0; i < 8; i++) {
		keys[i] = 100 + i;
		hash_insert(h, hv[i], (uint32_t)i);
	}
	CHECK(hash_remove(h, hv[0], 0) == 0, "remove the first of a run at "
	    "the last slot");
	CHECK(hash_remove(h, hv[3], 3) == 0, "remove one that wrapped to the "
	    "first slots");
	CHECK(hash_remove(h, hv[3], 3) == -1 && errno == ENOENT,
	    "removing it again says ENOENT");
	for (i = 0; i < 8; i++)
		found += hash_find(h, hv[i], &keys[i]) ==
		    (i == 0 || i == 3 ? HASH_NONE : i);
	CHECK_U64(found, 8, "the wrapped run is intact after removals");
	CHECK(hash_peek(h, hv[6]) == 2 && hash_find(h, hv[6], &keys[6]) == 6,
	    "peek gives the first index under a hash (2, unverified), find "
	    "the one whose key matches (6)");
	CHECK(hash_peek(h, 0x80000000u) == HASH_NONE,
	    "peek at an empty home slot gives HASH_NONE");
	hash_prefetch(h, hv[7]);
	CHECK(hash_renumber(h, hv[5], 5, 0) == 0, "renumber an index");
	keys[0] = keys[5];
	CHECK(hash_find(h, hv[5], &keys[5]) == 0,
	    "a renumbered key is found at its new index");
	CHECK_U64(hash_count(h), 6, "count after two removals");
out:
	hash_free(h);
	free(keys);
	keys = NULL;
}

/* Random inserts and removals against a plain presence array. */
static void
test_remove_random(void)
{
	const size_t	 n = 20000;
	struct hash	*h = hash_new(0, 0, eq_key, NULL);
	uint8_t		*in = calloc(n, 1);
	uint64_t	 s = 12345;
	size_t		 i, round, agree = 0, count = 0;
	uint32_t	 hv;

	keys = calloc(n, sizeof(*keys));
	if (h == NULL || in == NULL || keys == NULL) {
		CHECK(0, "random-removal table allocated");
		goto out;
	}
	for (i = 0; i < n; i++)
		keys[i] = fixture_random(&s);
	for (round = 0; round < 200000; round++) {
		i = fixture_random(&s) % n;
		hv = (uint32_t)hash_compute(h, &keys[i], 8);
		if (in[i]) {
			hash_remove(h, hv, (uint32_t)i);
			in[i] = 0;
			count--;
		} else {
			hash_insert(h, hv, (uint32_t)i);
			in[i] = 1;
			count++;
		}
	}
	for (i = 0; i < n; i++) {
		hv = (uint32_t)hash_compute(h, &keys[i], 8);
		agree += (hash_find(h, hv, &keys[i]) == i) == in[i];
	}
	CHECK_U64(agree, n, "after 200000 random inserts and removals the "
	    "table agrees with a presence array");
	CHECK_U64(hash_count(h), count, "and counts the same");
out:
	hash_free(h);
	free(in);
	free(keys);
	keys = NULL;
}

int
main(void)
{
	test_siphash_vectors();
	test_siphash13_vectors();
	test_keyed();
	test_insert_find_grow();
	test_cap();
	test_collisions();
	test_remove_wrap();
	test_remove_random();
	return check_done();
}
