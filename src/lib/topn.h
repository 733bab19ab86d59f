/*
 * topn: the best N of a stream of indexes, in the caller's order.
 *
 * A bounded min-heap whose root is the worst index kept: an index that
 * does not beat the root costs one comparison, one that does replaces it
 * (log N).  topn_sort() then heapsorts the kept ones in place, best
 * first, so the best N of n cost O(n log N) and all n are never sorted.
 * With a total order (ties broken by a key) the result is the head of a
 * full sort.
 *
 * The heap's memory is the caller's: tn_heap holds tn_cap indexes and,
 * after topn_sort(), the result.
 */
#ifndef TOPN_H
#define TOPN_H

#include <stddef.h>
#include <stdint.h>

struct topn {
	uint32_t	*tn_heap;	/* the caller's, tn_cap entries */
	size_t		 tn_cap;
	size_t		 tn_count;	/* min(cap, indexes pushed) */
	int		(*tn_before)(uint32_t a, uint32_t b, const void *arg);
	const void	*tn_arg;
};

/* Empty; before(a, b, arg) says whether index a ranks before b. */
void	topn_init(struct topn *, uint32_t *heap, size_t cap,
	    int (*before)(uint32_t a, uint32_t b, const void *arg),
	    const void *arg);
/* Offers index i: kept while fewer than tn_cap are, else in place of the
 * worst kept when it ranks before it. */
void	topn_push(struct topn *, uint32_t i);
/* Sorts tn_heap best first and returns tn_count; push no more after. */
size_t	topn_sort(struct topn *);

#endif
