/*
 * rates: per-second rates from two samples of the same counters.
 *
 * Rates are computed only between values that mean the same thing in
 * both samples: the same counter seen in both, the same interface (same
 * ifindex and name) with the same field in both.  Anything else, and any
 * counter that went backwards, is an invalid rate for this interval, so a
 * reset never shows as a spike.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "traffic/rates.h"

#define RATES_NS_PER_S	UINT64_C(1000000000)

struct rate_value
rate_of(uint64_t prev, uint64_t cur, uint64_t interval_ns)
{
	struct rate_value	rv = { 0, 0 };
	unsigned __int128	x;

	if (interval_ns == 0 || cur < prev)
		return rv;
	/* delta < 2^64 and 100e9 < 2^37, so the product fits 128 bits. */
	x = (unsigned __int128)(cur - prev) * 100 * RATES_NS_PER_S;
	x = (x + interval_ns / 2) / interval_ns;
	if (x > UINT64_MAX)
		return rv;	/* only over a nonsensically short interval */
	rv.rv_x100 = (uint64_t)x;
	rv.rv_valid = 1;
	return rv;
}

/* cur - prev in nanoseconds; 0 when the clock did not move forward. */
static uint64_t
rates_interval_ns(const struct timespec *prev, const struct timespec *cur)
{
	int64_t	sec = (int64_t)cur->tv_sec - (int64_t)prev->tv_sec;
	int64_t	nsec = (int64_t)cur->tv_nsec - (int64_t)prev->tv_nsec;

	if (nsec < 0) {
		sec--;
		nsec += (int64_t)RATES_NS_PER_S;
	}
	if (sec < 0 || (uint64_t)sec > UINT64_MAX / RATES_NS_PER_S - 1)
		return 0;
	return (uint64_t)sec * RATES_NS_PER_S + (uint64_t)nsec;
}

static int
rates_iface_cmp(const void *key, const void *member)
{
	const struct ps_iface	*k = key, *m = member;

	if (k->pi_ifindex != m->pi_ifindex)
		return k->pi_ifindex < m->pi_ifindex ? -1 : 1;
	return strcmp(k->pi_name, m->pi_name);
}

/* prev's interface with cur's ifindex and name (procstat_read sorts
 * by both); an index reused by another interface is no match. */
static const struct ps_iface *
rates_find_prev(const struct ps_sample *prev, const struct ps_iface *pi)
{
	if (prev->ps_nifaces == 0)
		return NULL;
	return bsearch(pi, prev->ps_ifaces, prev->ps_nifaces,
	    sizeof(*prev->ps_ifaces), rates_iface_cmp);
}

static void
rates_iface(struct rate_iface *ri, const struct ps_iface *prev,
    const struct ps_iface *cur, uint64_t interval_ns)
{
	int	f;

	memset(ri, 0, sizeof(*ri));
	ri->ri_ifindex = cur->pi_ifindex;
	if (prev == NULL)
		return;
	for (f = 0; f < PS_DEV_NFIELDS; f++)
		if (prev->pi_have & cur->pi_have & (1u << f))
			ri->ri_rate[f] = rate_of(prev->pi_field[f],
			    cur->pi_field[f], interval_ns);
}

static void
rates_counters(struct rate_sample *rs, const struct ps_sample *prev,
    const struct ps_sample *cur)
{
	uint64_t	have = cur->ps_have;
	int		c;

	memset(rs->rs_counter, 0, sizeof(rs->rs_counter));
	if (prev == NULL)
		return;
	have &= prev->ps_have;
	/* A gauge: its difference over time means nothing. */
	have &= ~(UINT64_C(1) << PS_TCP_CURRESTAB);
	for (c = 0; c < PS_NCOUNTERS; c++)
		if (have & (UINT64_C(1) << c))
			rs->rs_counter[c] = rate_of(prev->ps_counter[c],
			    cur->ps_counter[c], rs->rs_interval_ns);
}

/* Sizes rs_ifaces to n entries, reusing the array of an earlier call. */
static int
rates_resize(struct rate_sample *rs, size_t n)
{
	struct rate_iface	*ifaces;

	if (n == 0) {
		free(rs->rs_ifaces);
		rs->rs_ifaces = NULL;
		rs->rs_nifaces = 0;
		return 0;
	}
	if ((ifaces = reallocarray(rs->rs_ifaces, n, sizeof(*ifaces))) == NULL)
		return -1;
	rs->rs_ifaces = ifaces;
	rs->rs_nifaces = n;
	return 0;
}

/*
 * rs must be zeroed or hold an earlier result: its interface array is
 * reused.  On ENOMEM rs is left with no interfaces and rs_valid 0.
 */
int
rates_compute(struct rate_sample *rs, const struct ps_sample *prev,
    const struct ps_sample *cur)
{
	const struct ps_iface	*match;
	size_t			 i;

	rs->rs_valid = 0;
	rs->rs_interval_ns = 0;
	if (rates_resize(rs, cur->ps_nifaces) == -1) {
		rates_free(rs);
		errno = ENOMEM;
		return -1;
	}
	if (prev != NULL)
		rs->rs_interval_ns = rates_interval_ns(&prev->ps_mono,
		    &cur->ps_mono);
	rs->rs_valid = prev != NULL && rs->rs_interval_ns != 0;
	rates_counters(rs, rs->rs_valid ? prev : NULL, cur);
	for (i = 0; i < rs->rs_nifaces; i++) {
		match = rs->rs_valid ?
		    rates_find_prev(prev, &cur->ps_ifaces[i]) : NULL;
		rates_iface(&rs->rs_ifaces[i], match, &cur->ps_ifaces[i],
		    rs->rs_interval_ns);
	}
	return 0;
}

void
rates_free(struct rate_sample *rs)
{
	if (rs == NULL)
		return;
	free(rs->rs_ifaces);
	memset(rs, 0, sizeof(*rs));
}
