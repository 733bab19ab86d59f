/*
 * listeners: listening sockets and what belongs to them; see listeners.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conns/listeners.h"

#define LS_NSEC	1000000000LL

static int
ls_cmp(const struct ct_addr *a, uint16_t aport, const struct ct_addr *b,
    uint16_t bport)
{
	int	c;

	if ((c = conntab_addr_cmp(a, b)) != 0)
		return c;
	return aport < bport ? -1 : aport > bport;
}

static int
ls_qsort_cmp(const void *x, const void *y)
{
	const struct ct_listener	*a = x, *b = y;
	int				 c;

	if ((c = ls_cmp(&a->cl_addr, a->cl_port, &b->cl_addr,
	    b->cl_port)) != 0)
		return c;
	/* Of an SO_REUSEPORT group, the oldest socket (lowest inode)
	 * names the owner. */
	return a->cl_inode < b->cl_inode ? -1 : a->cl_inode > b->cl_inode;
}

size_t
listeners_search(const struct ct_listener *ls, size_t n,
    const struct ct_addr *addr, uint16_t port, int after)
{
	size_t	lo = 0, hi = n;

	while (lo < hi) {
		size_t	mid = lo + (hi - lo) / 2;
		int	c = ls_cmp(&ls[mid].cl_addr, ls[mid].cl_port, addr,
			    port);

		if (c < 0 || (after && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct ct_listener *
ls_find(struct ct_listener *ls, size_t n, const struct ct_addr *addr,
    uint16_t port)
{
	size_t	i = listeners_search(ls, n, addr, port, 0);

	if (i < n && ls_cmp(&ls[i].cl_addr, ls[i].cl_port, addr, port) == 0)
		return &ls[i];
	return NULL;
}

/* The listener a connection's local address and port belong to (see
 * listeners.h), or NULL. */
static struct ct_listener *
ls_owner(struct ct_listener *ls, size_t n, const struct ct_addr *local,
    uint16_t port)
{
	struct ct_listener	*l;
	struct ct_addr		 any;

	if ((l = ls_find(ls, n, local, port)) != NULL)
		return l;
	memset(&any, 0, sizeof(any));
	any.ca_family = local->ca_family;
	any.ca_len = local->ca_len;
	if ((l = ls_find(ls, n, &any, port)) != NULL ||
	    local->ca_family != AF_INET)
		return l;
	any.ca_family = AF_INET6;
	any.ca_len = 16;
	return ls_find(ls, n, &any, port);
}

const struct ct_listener *
listeners_owner(const struct ct_listener *ls, size_t n,
    const struct ct_addr *local, uint16_t port)
{
	return ls_owner((struct ct_listener *)ls, n, local, port);
}

/* Sorts the LISTEN sockets into ls and merges those sharing an index;
 * returns how many are left. */
static size_t
ls_collect(const struct sd_list *sl, struct ct_listener *ls)
{
	size_t	i, n = 0, m;

	for (i = 0; i < sl->sl_count; i++) {
		const struct sd_sock	*ss = &sl->sl_socks[i];
		struct ct_listener	*l;

		if (ss->ss_state != SD_TCP_LISTEN)
			continue;
		l = &ls[n++];
		memset(l, 0, sizeof(*l));
		l->cl_addr.ca_family = ss->ss_family;
		l->cl_addr.ca_len = ss->ss_family == AF_INET ? 4 : 16;
		memcpy(l->cl_addr.ca_bytes, ss->ss_local,
		    sizeof(l->cl_addr.ca_bytes));
		l->cl_port = ss->ss_local_port;
		l->cl_sockets = 1;
		l->cl_uid = ss->ss_uid;
		l->cl_inode = ss->ss_inode;
		l->cl_queue = ss->ss_rqueue;
		l->cl_backlog = ss->ss_wqueue;
		l->cl_full = ss->ss_rqueue > ss->ss_wqueue;
	}
	if (n > 1)
		qsort(ls, n, sizeof(*ls), ls_qsort_cmp);
	for (i = m = 0; i < n; i++) {
		if (m > 0 && ls_cmp(&ls[m - 1].cl_addr, ls[m - 1].cl_port,
		    &ls[i].cl_addr, ls[i].cl_port) == 0) {
			ls[m - 1].cl_sockets++;
			ls[m - 1].cl_queue += ls[i].cl_queue;
			ls[m - 1].cl_backlog += ls[i].cl_backlog;
			ls[m - 1].cl_full |= ls[i].cl_full;
			continue;
		}
		ls[m++] = ls[i];
	}
	return m;
}

int
listeners_build(const struct sd_list *sl, const struct ct_row *rows,
    size_t nrows, const struct ct_snapshot *prev, int64_t interval_ns,
    struct ct_listener **out, size_t *nout)
{
	struct ct_listener	*ls, *l;
	uint32_t		*accepts = NULL;
	size_t			 i, n = 0;

	for (i = 0; i < sl->sl_count; i++)
		n += sl->sl_socks[i].ss_state == SD_TCP_LISTEN;
	if ((ls = calloc(n ? n : 1, sizeof(*ls))) == NULL ||
	    (accepts = calloc(n ? n : 1, sizeof(*accepts))) == NULL)
		goto fail;
	n = ls_collect(sl, ls);
	for (i = 0; i < nrows && n > 0; i++) {
		const struct ct_row	*r = &rows[i];

		if (r->cr_state != CT_STATE_SYN_RECEIVED &&
		    !(r->cr_flags & CT_ROW_NEW_ACCEPT))
			continue;
		l = ls_owner(ls, n, &r->cr_index.ci_local,
		    r->cr_index.ci_local_port);
		if (l == NULL)
			continue;
		if (r->cr_state == CT_STATE_SYN_RECEIVED)
			l->cl_syn_recv++;
		if (r->cr_flags & CT_ROW_NEW_ACCEPT)
			accepts[l - ls]++;
	}
	for (i = 0; i < n; i++) {
		const struct ct_listener	*p = NULL;
		size_t				 j;

		l = &ls[i];
		if (prev != NULL) {
			j = listeners_search(prev->sn_listeners,
			    prev->sn_nlisteners, &l->cl_addr, l->cl_port, 0);
			if (j < prev->sn_nlisteners && ls_cmp(
			    &prev->sn_listeners[j].cl_addr,
			    prev->sn_listeners[j].cl_port, &l->cl_addr,
			    l->cl_port) == 0)
				p = &prev->sn_listeners[j];
		}
		if (p != NULL) {
			l->cl_accepted = p->cl_accepted;
			l->cl_overflows = p->cl_overflows;
			l->cl_drops = p->cl_drops;
		}
		l->cl_accepted += accepts[i];
		if (interval_ns > 0)
			l->cl_accept_rate = (uint32_t)((double)accepts[i] *
			    100 * LS_NSEC / (double)interval_ns + 0.5);
	}
	free(accepts);
	*out = ls;
	*nout = n;
	return 0;
fail:
	free(ls);
	free(accepts);
	errno = ENOMEM;
	return -1;
}

/* Was the listener's queue full at the previous dump? */
static int
ls_was_full(const struct ct_snapshot *prev, const struct ct_listener *l)
{
	size_t	j;

	if (prev == NULL)
		return 0;
	j = listeners_search(prev->sn_listeners, prev->sn_nlisteners,
	    &l->cl_addr, l->cl_port, 0);
	return j < prev->sn_nlisteners &&
	    ls_cmp(&prev->sn_listeners[j].cl_addr,
	    prev->sn_listeners[j].cl_port, &l->cl_addr, l->cl_port) == 0 &&
	    prev->sn_listeners[j].cl_full;
}

void
listeners_attribute(struct ct_listener *ls, size_t n,
    const struct ct_snapshot *prev, uint64_t overflows, uint64_t drops,
    uint64_t *unattr_overflows, uint64_t *unattr_drops)
{
	size_t		i, k, nfull = 0;

	if (overflows == 0 && drops == 0)
		return;
	for (i = 0; i < n; i++)
		nfull += ls[i].cl_full || ls_was_full(prev, &ls[i]);
	if (nfull == 0) {
		*unattr_overflows += overflows;
		*unattr_drops += drops;
		return;
	}
	for (i = k = 0; i < n; i++) {
		if (!ls[i].cl_full && !ls_was_full(prev, &ls[i]))
			continue;
		ls[i].cl_overflows += overflows / nfull +
		    (k == 0 ? overflows % nfull : 0);
		ls[i].cl_drops += drops / nfull +
		    (k == 0 ? drops % nfull : 0);
		k++;
	}
}
