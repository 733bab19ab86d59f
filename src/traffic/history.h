/*
 * history: a ring of the last N samples, one row per sample, with the
 * columns of the CoreMon paper's figure 2 (rates summed over every
 * non-loopback interface, plus TCP, UDP and context switches).
 *
 * Rows are numbered from 1 in the order they were taken; the number never
 * changes once given, so a manager walking the table sees stable indices
 * while old rows fall off the front.
 */
#ifndef HISTORY_H
#define HISTORY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "traffic/rates.h"

enum hist_column {
	HC_TX_OCTETS, HC_RX_OCTETS, HC_TX_PACKETS, HC_RX_PACKETS,
	HC_TX_ERRORS, HC_RX_ERRORS, HC_TX_DROPS, HC_RX_DROPS,
	HC_TCP_OUT, HC_TCP_IN, HC_TCP_ERR,
	HC_UDP_OUT, HC_UDP_IN, HC_UDP_ERR,
	HC_CTXT,
	HC_NCOLUMNS
};

struct hist_row {
	uint32_t	hr_index;		/* 1, 2, ... */
	time_t		hr_time;		/* wall clock of the sample */
	int		hr_valid;		/* every rate of the row valid */
	uint64_t	hr_x100[HC_NCOLUMNS];	/* hundredths per second */
};

struct history;

struct history	*history_new(size_t capacity);	/* NULL on ENOMEM/0 */
void		 history_free(struct history *);	/* accepts NULL */

/* Appends one row built from a sample and its rates; drops the oldest
 * when full. */
void	history_push(struct history *, const struct ps_sample *,
	    const struct rate_sample *);

size_t	history_count(const struct history *);
size_t	history_capacity(const struct history *);
/* Row i, 0 = oldest; NULL past the end. */
const struct hist_row *history_at(const struct history *, size_t i);
/* First row whose index is >= hr_index (for GETNEXT); NULL if none. */
const struct hist_row *history_find(const struct history *, uint32_t index,
	    size_t *pos);

#endif
