/*
 * history: a ring of the last N rows of the CoreMon paper's figure 2.
 *
 * Rows are stored in a fixed array; hs_first is the slot of the oldest
 * row.  Indices are consecutive from the oldest row's, so finding a row by
 * index is arithmetic, and a push is O(1) whatever the capacity.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "traffic/history.h"

struct history {
	size_t		hs_capacity;
	size_t		hs_count;
	size_t		hs_first;	/* slot of the oldest row */
	uint32_t	hs_next_index;	/* index the next push gets */
	struct hist_row	hs_rows[];
};

/* Where each figure-2 column comes from. */
static const struct history_source {
	enum hist_column	hs_column;
	int			hs_per_iface;	/* summed over interfaces */
	int			hs_source;	/* ps_dev_field or ps_counter */
} history_sources[] = {
	{ HC_TX_OCTETS,		1, PS_TX_BYTES },
	{ HC_RX_OCTETS,		1, PS_RX_BYTES },
	{ HC_TX_PACKETS,	1, PS_TX_PACKETS },
	{ HC_RX_PACKETS,	1, PS_RX_PACKETS },
	{ HC_TX_ERRORS,		1, PS_TX_ERRS },
	{ HC_RX_ERRORS,		1, PS_RX_ERRS },
	{ HC_TX_DROPS,		1, PS_TX_DROP },
	{ HC_RX_DROPS,		1, PS_RX_DROP },
	{ HC_TCP_OUT,		0, PS_TCP_OUTSEGS },
	{ HC_TCP_IN,		0, PS_TCP_INSEGS },
	{ HC_TCP_ERR,		0, PS_TCP_INERRS },
	{ HC_UDP_OUT,		0, PS_UDP_OUTDATAGRAMS },
	{ HC_UDP_IN,		0, PS_UDP_INDATAGRAMS },
	{ HC_UDP_ERR,		0, PS_UDP_INERRORS },
	{ HC_CTXT,		0, PS_SYS_CTXT },
};

#define HISTORY_NSOURCES \
	(sizeof(history_sources) / sizeof(history_sources[0]))

struct history *
history_new(size_t capacity)
{
	struct history	*hs;

	if (capacity == 0 || capacity > (SIZE_MAX - sizeof(*hs)) /
	    sizeof(hs->hs_rows[0])) {
		errno = EINVAL;
		return NULL;
	}
	hs = calloc(1, sizeof(*hs) + capacity * sizeof(hs->hs_rows[0]));
	if (hs == NULL)
		return NULL;
	hs->hs_capacity = capacity;
	hs->hs_next_index = 1;
	return hs;
}

void
history_free(struct history *hs)
{
	free(hs);
}

/* Saturates rather than wraps: a nonsense sum must not read as small. */
static uint64_t
history_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Sums one interface field over every non-loopback interface; the loop
 * is traffic the host sends itself and would count every byte twice. */
static void
history_sum_ifaces(struct hist_row *row, const struct history_source *src,
    const struct ps_sample *ps, const struct rate_sample *rs)
{
	const struct rate_value	*rv;
	size_t			 i;

	for (i = 0; i < rs->rs_nifaces; i++) {
		if (ps->ps_ifaces[i].pi_loopback)
			continue;
		rv = &rs->rs_ifaces[i].ri_rate[src->hs_source];
		if (!rv->rv_valid)
			row->hr_valid = 0;
		row->hr_x100[src->hs_column] =
		    history_add(row->hr_x100[src->hs_column], rv->rv_x100);
	}
}

static void
history_fill(struct hist_row *row, const struct ps_sample *ps,
    const struct rate_sample *rs)
{
	const struct history_source	*src;
	const struct rate_value		*rv;
	size_t				 i;

	/* rs_ifaces runs parallel to ps_ifaces only if both came from the
	 * same sample; anything else cannot be summed. */
	row->hr_valid = rs != NULL && rs->rs_valid &&
	    rs->rs_nifaces == ps->ps_nifaces;
	if (!row->hr_valid)
		return;
	for (i = 0; i < HISTORY_NSOURCES; i++) {
		src = &history_sources[i];
		if (src->hs_per_iface) {
			history_sum_ifaces(row, src, ps, rs);
			continue;
		}
		rv = &rs->rs_counter[src->hs_source];
		if (!rv->rv_valid)
			row->hr_valid = 0;
		row->hr_x100[src->hs_column] = rv->rv_x100;
	}
}

void
history_push(struct history *hs, const struct ps_sample *ps,
    const struct rate_sample *rs)
{
	struct hist_row	*row;
	size_t		 slot;

	if (hs->hs_count < hs->hs_capacity) {
		slot = (hs->hs_first + hs->hs_count) % hs->hs_capacity;
		hs->hs_count++;
	} else {
		slot = hs->hs_first;
		hs->hs_first = (hs->hs_first + 1) % hs->hs_capacity;
	}
	row = &hs->hs_rows[slot];
	memset(row, 0, sizeof(*row));
	row->hr_index = hs->hs_next_index++;
	row->hr_time = ps->ps_real.tv_sec;
	history_fill(row, ps, rs);
}

size_t
history_count(const struct history *hs)
{
	return hs->hs_count;
}

size_t
history_capacity(const struct history *hs)
{
	return hs->hs_capacity;
}

const struct hist_row *
history_at(const struct history *hs, size_t i)
{
	if (i >= hs->hs_count)
		return NULL;
	return &hs->hs_rows[(hs->hs_first + i) % hs->hs_capacity];
}

/* Indices run oldest..oldest+count-1 without gaps, so the position of
 * an index is its distance from the oldest: no search needed. */
const struct hist_row *
history_find(const struct history *hs, uint32_t index, size_t *pos)
{
	const struct hist_row	*oldest;
	size_t			 i;

	if ((oldest = history_at(hs, 0)) == NULL)
		return NULL;
	i = index <= oldest->hr_index ? 0 : index - oldest->hr_index;
	if (i >= hs->hs_count)
		return NULL;
	if (pos != NULL)
		*pos = i;
	return history_at(hs, i);
}
