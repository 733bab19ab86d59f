/*
 * proctab: per-process sums of connection growth; see proctab.h.
 *
 * One sort of (pid, source) pairs groups the rows and closed sockets by
 * owner; a merge with the previous table, also by pid, carries totals.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conns/procpid.h"
#include "conns/proctab.h"

#define PT_NSEC	1000000000LL

/* What adds to one pid: row i (pr_src >= 0) or closed socket -pr_src-1. */
struct pt_pair {
	uint32_t	pr_pid;
	int32_t		pr_src;
};

static int
pt_pair_cmp(const void *a, const void *b)
{
	const struct pt_pair	*x = a, *y = b;

	if (x->pr_pid != y->pr_pid)
		return x->pr_pid < y->pr_pid ? -1 : 1;
	return x->pr_src < y->pr_src ? -1 : x->pr_src > y->pr_src;
}

size_t
proctab_search(const struct ct_process *ps, size_t n, uint32_t pid,
    int after)
{
	size_t	lo = 0, hi = n;

	while (lo < hi) {
		size_t	mid = lo + (hi - lo) / 2;

		if (ps[mid].cp_pid < pid || (after && ps[mid].cp_pid == pid))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Per-refresh sums of one process, before they become rates. */
struct pt_acc {
	uint64_t	pa_in, pa_out, pa_segs_in, pa_segs_out;
};

static void
pt_add_row(struct ct_process *p, struct pt_acc *a, const struct ct_row *r)
{
	p->cp_conns++;
	if (r->cr_state == CT_STATE_ESTABLISHED)
		p->cp_established++;
	else if (r->cr_state == CT_STATE_CLOSE_WAIT)
		p->cp_close_wait++;
	if (p->cp_comm[0] == '\0' && r->cr_comm[0] != '\0')
		memcpy(p->cp_comm, r->cr_comm, sizeof(p->cp_comm));
	if (r->cr_pid != 0)
		p->cp_uid = r->cr_uid;
	a->pa_in += r->cr_delta_in;
	a->pa_out += r->cr_delta_out;
	a->pa_segs_in += r->cr_delta_segs_in;
	a->pa_segs_out += r->cr_delta_segs_out;
}

static void
pt_add_closed(struct ct_process *p, struct pt_acc *a,
    const struct pt_closed *c)
{
	p->cp_closed++;
	a->pa_in += c->pc_in;
	a->pa_out += c->pc_out;
	a->pa_segs_in += c->pc_segs_in;
	a->pa_segs_out += c->pc_segs_out;
}

static uint64_t
pt_rate(uint64_t v, double scale, int64_t interval_ns, uint64_t max)
{
	double	r;

	if (interval_ns <= 0)
		return 0;
	r = (double)v * scale * PT_NSEC / (double)interval_ns + 0.5;
	return r >= (double)max ? max : (uint64_t)r;
}

static void
pt_finish(struct ct_process *p, const struct pt_acc *a, int64_t interval_ns)
{
	p->cp_octets_in += a->pa_in;
	p->cp_octets_out += a->pa_out;
	p->cp_segs_in += a->pa_segs_in;
	p->cp_segs_out += a->pa_segs_out;
	p->cp_rate_in = pt_rate(a->pa_in, 1, interval_ns, UINT64_MAX);
	p->cp_rate_out = pt_rate(a->pa_out, 1, interval_ns, UINT64_MAX);
	p->cp_seg_rate_in = pt_rate(a->pa_segs_in, 100, interval_ns,
	    UINT32_MAX);
	p->cp_seg_rate_out = pt_rate(a->pa_segs_out, 100, interval_ns,
	    UINT32_MAX);
}

/* A process of the previous table with nothing this time: kept while it
 * lives (pid 0 always). */
static int
pt_alive(const char *procroot, uint32_t pid)
{
	char	path[PATH_MAX];

	if (pid == 0)
		return 1;
	snprintf(path, sizeof(path), "%s/%u", procroot, pid);
	return access(path, F_OK) == 0;
}

/* Starts the entry for pid: the previous one carried, or a new one. */
static void
pt_start(struct ct_process *p, uint32_t pid, const struct ct_process *prev,
    const struct pt_input *in)
{
	if (prev != NULL) {
		*p = *prev;
		p->cp_conns = p->cp_established = p->cp_close_wait = 0;
		p->cp_listeners = 0;
		return;
	}
	memset(p, 0, sizeof(*p));
	p->cp_pid = pid;
	p->cp_first_seen_ns = in->pi_now_ns;
	if (pid != 0)
		(void)procpid_unit(in->pi_procroot, (pid_t)pid, p->cp_unit,
		    sizeof(p->cp_unit));
}

/* The pairs, sorted; processes past the cap count as pid 0. */
static struct pt_pair *
pt_pairs(const struct pt_input *in, size_t *np)
{
	struct pt_pair	*pairs;
	size_t		 i, n = 0;

	pairs = malloc((in->pi_nrows + in->pi_nclosed + 1) * sizeof(*pairs));
	if (pairs == NULL)
		return NULL;
	for (i = 0; i < in->pi_nrows; i++) {
		pairs[n].pr_pid = in->pi_rows[i].cr_pid;
		pairs[n++].pr_src = (int32_t)i;
	}
	for (i = 0; i < in->pi_nclosed; i++) {
		pairs[n].pr_pid = in->pi_closed[i].pc_pid;
		pairs[n++].pr_src = -(int32_t)i - 1;
	}
	if (n > 1)
		qsort(pairs, n, sizeof(*pairs), pt_pair_cmp);
	*np = n;
	return pairs;
}

int
proctab_build(const struct pt_input *in, struct ct_process **out,
    size_t *nout, uint64_t *evicted)
{
	const struct ct_process	*prev = in->pi_prev ? in->pi_prev->sn_procs :
				    NULL;
	size_t			 nprev = in->pi_prev ?
				    in->pi_prev->sn_nprocs : 0;
	struct ct_process	*ps;
	struct pt_acc		*acc;
	struct pt_pair		*pairs;
	size_t			 np, i = 0, j = 0, n = 0, cap, k;

	if ((pairs = pt_pairs(in, &np)) == NULL)
		return -1;
	/* Room for pid 0, every previous process and every new pid, up to
	 * the cap. */
	for (cap = 1 + nprev, k = 0; k < np; k++)
		cap += pairs[k].pr_pid != 0 &&
		    (k == 0 || pairs[k - 1].pr_pid != pairs[k].pr_pid);
	if (cap > CT_MAX_PROCS + 1)
		cap = CT_MAX_PROCS + 1;
	ps = calloc(cap, sizeof(*ps));
	acc = calloc(cap, sizeof(*acc));
	if (ps == NULL || acc == NULL)
		goto fail;
	/* pid 0 first, always: it takes what has no room. */
	pt_start(&ps[n++], 0, nprev > 0 && prev[0].cp_pid == 0 ? &prev[j++] :
	    NULL, in);
	while (i < np || j < nprev) {
		uint32_t		 pid;
		const struct ct_process	*p = NULL;
		struct ct_process	*e;

		if (i < np && pairs[i].pr_pid == 0) {
			e = &ps[0];
			pid = 0;
		} else {
			if (j < nprev && (i == np || prev[j].cp_pid <=
			    pairs[i].pr_pid))
				pid = prev[j].cp_pid;
			else
				pid = pairs[i].pr_pid;
			if (j < nprev && prev[j].cp_pid == pid)
				p = &prev[j++];
			if (i == np || pairs[i].pr_pid != pid) {
				/* Nothing this time: kept while alive. */
				if (p == NULL || !pt_alive(in->pi_procroot, pid))
					continue;
				if (n < cap)
					pt_start(&ps[n++], pid, p, in);
				else
					(*evicted)++;
				continue;
			}
			if (n < cap)
				pt_start(&ps[n++], pid, p, in);
			else
				(*evicted)++;
			e = n <= cap && ps[n - 1].cp_pid == pid ? &ps[n - 1] :
			    &ps[0];
		}
		for (; i < np && pairs[i].pr_pid == pid; i++) {
			int32_t	src = pairs[i].pr_src;

			if (src >= 0)
				pt_add_row(e, &acc[e - ps], &in->pi_rows[src]);
			else
				pt_add_closed(e, &acc[e - ps],
				    &in->pi_closed[-src - 1]);
		}
	}
	for (k = 0; k < n; k++)
		pt_finish(&ps[k], &acc[k], in->pi_interval_ns);
	for (k = 0; k < in->pi_nlisteners; k++) {
		size_t	at = proctab_search(ps, n, in->pi_listeners[k].cl_pid,
			    0);

		if (at < n && ps[at].cp_pid == in->pi_listeners[k].cl_pid)
			ps[at].cp_listeners++;
	}
	free(acc);
	free(pairs);
	*out = ps;
	*nout = n;
	return 0;
fail:
	free(ps);
	free(acc);
	free(pairs);
	errno = ENOMEM;
	return -1;
}
