/*
 * proctab: the process table of one refresh (struct ct_process), built
 * from the rows' growth since the previous refresh and from the closed
 * sockets' last growth, carried on from the previous snapshot's table.
 * Used by conntab only.
 *
 * A process keeps its row while it lives (procroot/PID exists) even with
 * no connection left, so what it moved stays readable; the row goes when
 * the process has gone and moved nothing in the interval.  Pid reuse is
 * not told apart: a new process under an old pid continues its row.
 */
#ifndef PROCTAB_H
#define PROCTAB_H

#include <stddef.h>
#include <stdint.h>

#include "conns/conntab.h"

/* A closed socket's growth since it was last seen, and its owner. */
struct pt_closed {
	uint32_t	pc_pid;
	uint64_t	pc_in, pc_out;
	uint64_t	pc_segs_in, pc_segs_out;
};

struct pt_input {
	const struct ct_row		*pi_rows;
	size_t				 pi_nrows;
	const struct pt_closed		*pi_closed;
	size_t				 pi_nclosed;
	const struct ct_listener	*pi_listeners;
	size_t				 pi_nlisteners;
	const struct ct_snapshot	*pi_prev;	/* NULL: first */
	int64_t				 pi_now_ns;
	int64_t				 pi_interval_ns;
	const char			*pi_procroot;
};

/*
 * Builds the table into *out (malloc'd, by pid; the caller owns it) and
 * adds to *evicted the processes folded into pid 0 for want of room.
 * 0, or -1 with errno ENOMEM.
 */
int	proctab_build(const struct pt_input *, struct ct_process **out,
	    size_t *nout, uint64_t *evicted);

size_t	proctab_search(const struct ct_process *, size_t n, uint32_t pid,
	    int after);

#endif
