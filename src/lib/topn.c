/*
 * topn: the best N of a stream of indexes, by a bounded min-heap.
 *
 * The heap is ordered so that a parent never ranks before its children:
 * the root is the index ranked last of those kept.
 */
#include "lib/topn.h"

void
topn_init(struct topn *tn, uint32_t *heap, size_t cap,
    int (*before)(uint32_t, uint32_t, const void *), const void *arg)
{
	tn->tn_heap = heap;
	tn->tn_cap = cap;
	tn->tn_count = 0;
	tn->tn_before = before;
	tn->tn_arg = arg;
}

static void
topn_swap(uint32_t *heap, size_t a, size_t b)
{
	uint32_t	t = heap[a];

	heap[a] = heap[b];
	heap[b] = t;
}

/* Restores the heap of n entries below position i. */
static void
topn_sift_down(const struct topn *tn, size_t n, size_t i)
{
	uint32_t	*heap = tn->tn_heap;
	size_t		 c;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n &&
		    tn->tn_before(heap[c], heap[c + 1], tn->tn_arg))
			c++;
		if (!tn->tn_before(heap[i], heap[c], tn->tn_arg))
			break;
		topn_swap(heap, i, c);
		i = c;
	}
}

static void
topn_sift_up(const struct topn *tn, size_t i)
{
	uint32_t	*heap = tn->tn_heap;
	size_t		 p;

	while (i > 0) {
		p = (i - 1) / 2;
		if (!tn->tn_before(heap[p], heap[i], tn->tn_arg))
			break;
		topn_swap(heap, i, p);
		i = p;
	}
}

void
topn_push(struct topn *tn, uint32_t i)
{
	if (tn->tn_count < tn->tn_cap) {
		tn->tn_heap[tn->tn_count] = i;
		topn_sift_up(tn, tn->tn_count++);
	} else if (tn->tn_cap > 0 &&
	    tn->tn_before(i, tn->tn_heap[0], tn->tn_arg)) {
		tn->tn_heap[0] = i;
		topn_sift_down(tn, tn->tn_count, 0);
	}
}

size_t
topn_sort(struct topn *tn)
{
	size_t	n;

	/* Heapsort: the root, ranked last, goes to the end each time. */
	for (n = tn->tn_count; n > 1; n--) {
		topn_swap(tn->tn_heap, 0, n - 1);
		topn_sift_down(tn, n - 1, 0);
	}
	return tn->tn_count;
}
