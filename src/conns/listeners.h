/*
 * listeners: the listening TCP sockets of one sock_diag dump, one entry
 * per (family, address, port), with what the connection rows of the same
 * dump say about each: request sockets waiting for the handshake and
 * connections accepted since the previous refresh.  Used by conntab only.
 *
 * A connection belongs to the listener with its local address and port,
 * else to the wildcard listener of its family on that port, else (an IPv4
 * connection) to the IPv6 wildcard on that port, which also takes IPv4
 * unless IPV6_V6ONLY is set.
 *
 * Overflows: the kernel counts accept-queue overflows and drops only
 * host-wide (TcpExt ListenOverflows, ListenDrops).  Each refresh's delta
 * is shared evenly among the listeners whose queue was full at this dump
 * or at the previous one -- the only ones the kernel can have dropped
 * for, as far as two samples can tell -- the remainder of the division
 * going to the first in index order.  With none full, the delta stays
 * unattributed.
 */
#ifndef LISTENERS_H
#define LISTENERS_H

#include <stddef.h>
#include <stdint.h>

#include "conns/conntab.h"
#include "conns/sockdiag.h"

/*
 * Builds the listeners of the dump sl, whose non-listening sockets are
 * rows (conntab, flags set), carrying the totals of prev (the previous
 * snapshot; NULL for the first).  *out is malloc'd, owned by the caller.
 * 0, or -1 with errno ENOMEM.
 */
int	listeners_build(const struct sd_list *sl, const struct ct_row *rows,
	    size_t nrows, const struct ct_snapshot *prev, int64_t interval_ns,
	    struct ct_listener **out, size_t *nout);

/* Shares the TcpExt deltas among the listeners full now or at prev;
 * adds what nobody takes to *unattr_overflows and *unattr_drops. */
void	listeners_attribute(struct ct_listener *ls, size_t n,
	    const struct ct_snapshot *prev, uint64_t overflows,
	    uint64_t drops, uint64_t *unattr_overflows,
	    uint64_t *unattr_drops);

/* The position of the listener (family, address, port) in a sorted
 * array, or of the first after it (after: strictly after). */
size_t	listeners_search(const struct ct_listener *ls, size_t n,
	    const struct ct_addr *addr, uint16_t port, int after);

/* The listener a connection with this local address and port belongs
 * to (see above), or NULL. */
const struct ct_listener *listeners_owner(const struct ct_listener *ls,
	    size_t n, const struct ct_addr *local, uint16_t port);

#endif
