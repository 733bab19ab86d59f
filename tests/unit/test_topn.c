/*
 * topn: the best N of n indexes equal the head of a qsort of all n by the
 * same order (written here independently, as a three-way compare), for
 * heavy ties, N above n, N of 1, nothing pushed and N of 0; and a
 * comparator's argument reaches it.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "fixture.h"
#include "lib/topn.h"

#define NMAX	5000

static const uint32_t	*sort_values;

/* Bigger value first, ties by the smaller index. */
static int
value_before(uint32_t a, uint32_t b, const void *arg)
{
	const uint32_t	*v = arg;

	if (v[a] != v[b])
		return v[a] > v[b];
	return a < b;
}

static int
value_cmp(const void *pa, const void *pb)
{
	uint32_t	a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	if (sort_values[a] != sort_values[b])
		return sort_values[a] < sort_values[b] ? 1 : -1;
	return a < b ? -1 : a > b;
}

/* Does topn's best cap of values[0..n) equal qsort's? */
static int
topn_matches_sort(const uint32_t *values, size_t n, size_t cap)
{
	static uint32_t	heap[NMAX], all[NMAX];
	struct topn	tn;
	size_t		i, got, want = cap < n ? cap : n;

	topn_init(&tn, heap, cap, value_before, values);
	for (i = 0; i < n; i++)
		topn_push(&tn, (uint32_t)i);
	got = topn_sort(&tn);
	for (i = 0; i < n; i++)
		all[i] = (uint32_t)i;
	sort_values = values;
	qsort(all, n, sizeof(*all), value_cmp);
	return got == want &&
	    (want == 0 || memcmp(heap, all, want * sizeof(*heap)) == 0);
}

static void
test_random(void)
{
	static uint32_t	values[NMAX];
	static const size_t	caps[] = { 1, 2, 3, 7, 100, 1000, NMAX };
	uint64_t	state = 42;
	size_t		c, i, n, range, bad = 0, runs = 0;

	for (range = 2; range <= 1u << 20; range <<= 6)
		for (n = 1; n <= NMAX; n = n * 3 + 1)
			for (c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
				for (i = 0; i < n; i++)
					values[i] = (uint32_t)
					    (fixture_random(&state) >> 32) %
					    range;
				bad += !topn_matches_sort(values, n, caps[c]);
				runs++;
			}
	CHECK(bad == 0, "random: the best N equal the head of a qsort, "
	    "ties by index, in %zu of %zu runs", runs - bad, runs);
}

static void
test_edges(void)
{
	static const uint32_t	values[] = { 3, 9, 9, 1, 9, 3 };
	static const uint32_t	want[] = { 1, 2, 4, 0, 5, 3 };
	uint32_t	heap[8];
	struct topn	tn;
	size_t		i;

	CHECK(topn_matches_sort(values, 6, 8),
	    "edges: N above n keeps every index, in order");
	CHECK(topn_matches_sort(values, 0, 3), "edges: nothing pushed: 0");
	CHECK(topn_matches_sort(values, 6, 0), "edges: N of 0 keeps nothing");
	topn_init(&tn, heap, 4, value_before, values);
	for (i = 0; i < 6; i++)
		topn_push(&tn, (uint32_t)i);
	CHECK(topn_sort(&tn) == 4 && memcmp(heap, want, 4 * sizeof(*heap)) == 0,
	    "edges: of 3 9 9 1 9 3, the best 4 are indexes 1 2 4 0 "
	    "(the tied 9s by index, then the first 3)");
}

int
main(void)
{
	test_random();
	test_edges();
	return check_done();
}
