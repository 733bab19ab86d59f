/*
 * probe: the ICMP echo engine.
 *
 * Each target keeps two rings: the probes sent and not yet completed, in
 * the order they were sent (at most timeout/interval + 2 of them, so the
 * ring is sized once), and the history of the last po_history completed
 * probes.  The head of the first ring is always a probe still waiting, so
 * the next timeout of a target is its head's.  A reply is looked up by
 * sequence number in both rings: waiting means an answer, completed means
 * late or duplicate, absent means foreign.
 *
 * The module's rooms, each behind probe.h:
 *   probe_config.c  `probe` and `probeHistory` lines, main thread only
 *   probe_addr.c    target addresses, to and from sockaddrs
 *   probe_icmp.c    the ICMP/ICMPv6 wire codec, pure (and fuzzed)
 *   probe_socket.c  ping and raw sockets, sending, reading, error queue
 *   probe.c         this file: when to send, what a reply means, the
 *                   counters and history, snapshots (src/snapshot),
 *                   the thread
 * The engine shares struct probe_sock with probe_socket.c through
 * probe_int.h; it never looks at a received byte itself.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/errbuf.h"
#include "probe/probe.h"
#include "probe/probe_addr.h"
#include "probe/probe_icmp.h"
#include "probe/probe_int.h"

#define PROBE_RECV_BURST	64	/* reads per socket per wakeup */
#define PROBE_IDLE_US		60000000ULL	/* wait when nothing is due */

/* A probe sent and not yet completed. */
struct probe_outstanding {
	uint64_t	ou_sendno;	/* 1, 2, ... within the target */
	uint64_t	ou_sent_us;	/* CLOCK_MONOTONIC */
	uint16_t	ou_seq;
	uint8_t		ou_status;	/* NONE while waiting */
};

struct probe_target {
	struct probe_result	 pt_res;	/* totals, status, streaks */
	struct probe_outstanding *pt_out;	/* ring, in send order */
	uint32_t		 pt_out_cap;
	uint32_t		 pt_out_first;
	uint32_t		 pt_out_count;
	struct probe_sample	*pt_hist;	/* ring of po_history */
	uint32_t		 pt_hist_cap;
	uint32_t		 pt_hist_first;
	uint32_t		 pt_hist_count;
	uint64_t		 pt_next_us;	/* next send, CLOCK_MONOTONIC */
	uint64_t		 pt_timeout_us;
	uint64_t		 pt_newest_done;	/* sendno */
};

struct probe_engine {
	struct probe_options	 pe_opts;
	struct probe_target	*pe_targets;
	size_t			 pe_ntargets;
	struct probe_sock	 pe_sock4;
	struct probe_sock	 pe_sock6;
	uint16_t		 pe_seq;	/* next sequence number */
	uint64_t		 pe_foreign;
	uint64_t		 pe_malformed;
	uint64_t		 pe_ignored;
	uint64_t		 pe_recv_errors;
	uint64_t		 pe_generation;
	int			 pe_dirty;	/* changed since published */
	struct snapshot_slot	 pe_slot;
	pthread_t		 pe_thread;
	int			 pe_running;
	int			 pe_stop;	/* atomic */
	int			 pe_wake_fd;	/* eventfd: stop */
};

/* Names */

const char *
probe_status_name(enum probe_status st)
{
	static const char *const names[] = { "none", "ok", "timeout",
	    "unreachable", "error" };

	return (unsigned)st < sizeof(names) / sizeof(names[0]) ?
	    names[st] : "?";
}

const char *
probe_socket_name(enum probe_socket kind)
{
	static const char *const names[] = { "none", "dgram", "raw" };

	return (unsigned)kind < sizeof(names) / sizeof(names[0]) ?
	    names[kind] : "?";
}

/* Accounting */

static struct probe_outstanding *
probe_out_at(const struct probe_target *pt, uint32_t i)
{
	return &pt->pt_out[(pt->pt_out_first + i) % pt->pt_out_cap];
}

static struct probe_outstanding *
probe_out_find(const struct probe_target *pt, uint16_t seq)
{
	uint32_t	i;

	for (i = 0; i < pt->pt_out_count; i++)
		if (probe_out_at(pt, i)->ou_seq == seq)
			return probe_out_at(pt, i);
	return NULL;
}

static const struct probe_sample *
probe_hist_find(const struct probe_target *pt, uint16_t seq)
{
	const struct probe_sample	*sa;
	uint32_t			 i;

	for (i = 0; i < pt->pt_hist_count; i++) {
		sa = &pt->pt_hist[(pt->pt_hist_first + i) % pt->pt_hist_cap];
		if (sa->sa_seq == seq)
			return sa;
	}
	return NULL;
}

static void
probe_hist_push(struct probe_target *pt, const struct probe_sample *sa)
{
	uint32_t	cap = pt->pt_hist_cap;

	if (pt->pt_hist_count < cap) {
		pt->pt_hist[(pt->pt_hist_first + pt->pt_hist_count) % cap] = *sa;
		pt->pt_hist_count++;
		return;
	}
	pt->pt_hist[pt->pt_hist_first] = *sa;
	pt->pt_hist_first = (pt->pt_hist_first + 1) % cap;
}

/* Status and streaks, for the newest probe sent that has completed. */
static void
probe_update_status(struct probe_engine *pe, struct probe_target *pt,
    enum probe_status st, uint32_t rtt_us)
{
	struct probe_result	*pr = &pt->pt_res;

	pr->pr_status = st;
	if (st != PROBE_STATUS_OK) {
		pr->pr_consec_lost++;
		pr->pr_consec_slow = 0;
		return;
	}
	pr->pr_last_rtt_us = rtt_us;
	pr->pr_consec_lost = 0;
	if (pe->pe_opts.po_slow_us != 0 && rtt_us > pe->pe_opts.po_slow_us)
		pr->pr_consec_slow++;
	else
		pr->pr_consec_slow = 0;
}

/* Ends a waiting probe; pops the ring's completed head. */
static void
probe_complete(struct probe_engine *pe, struct probe_target *pt,
    struct probe_outstanding *ou, enum probe_status st, uint32_t rtt_us,
    const struct probe_clock *now)
{
	struct probe_result	*pr = &pt->pt_res;
	struct probe_sample	 sa;

	ou->ou_status = (uint8_t)st;
	memset(&sa, 0, sizeof(sa));
	sa.sa_wall_us = now->cl_wall_us;
	sa.sa_rtt_us = st == PROBE_STATUS_OK ? rtt_us : 0;
	sa.sa_seq = ou->ou_seq;
	sa.sa_status = (uint8_t)st;
	probe_hist_push(pt, &sa);
	switch (st) {
	case PROBE_STATUS_OK:
		pr->pr_received++;
		pr->pr_last_good_us = now->cl_wall_us;
		break;
	case PROBE_STATUS_TIMEOUT:
		pr->pr_timeouts++;
		break;
	case PROBE_STATUS_UNREACHABLE:
		pr->pr_unreachable++;
		break;
	default:
		pr->pr_errors++;
		break;
	}
	if (ou->ou_sendno > pt->pt_newest_done) {
		pt->pt_newest_done = ou->ou_sendno;
		probe_update_status(pe, pt, st, rtt_us);
	}
	while (pt->pt_out_count > 0 &&
	    probe_out_at(pt, 0)->ou_status != PROBE_STATUS_NONE) {
		pt->pt_out_first = (pt->pt_out_first + 1) % pt->pt_out_cap;
		pt->pt_out_count--;
	}
	pe->pe_dirty = 1;
}

static void
probe_expire(struct probe_engine *pe, struct probe_target *pt,
    const struct probe_clock *now)
{
	struct probe_outstanding *ou;

	while (pt->pt_out_count > 0) {
		ou = probe_out_at(pt, 0);
		if (now->cl_mono_us - ou->ou_sent_us < pt->pt_timeout_us)
			break;
		probe_complete(pe, pt, ou, PROBE_STATUS_TIMEOUT, 0, now);
	}
}

static struct probe_sock *
probe_sock_of(struct probe_engine *pe, int family)
{
	return family == AF_INET ? &pe->pe_sock4 : &pe->pe_sock6;
}

static void
probe_send(struct probe_engine *pe, struct probe_target *pt,
    const struct probe_clock *now)
{
	struct probe_result		*pr = &pt->pt_res;
	struct probe_outstanding	*ou;
	struct probe_clock		 sent = *now;
	int				 rc;

	/* Full only if sends bunched up after a stall: the oldest is as
	 * good as lost. */
	if (pt->pt_out_count == pt->pt_out_cap)
		probe_complete(pe, pt, probe_out_at(pt, 0),
		    PROBE_STATUS_TIMEOUT, 0, now);
	ou = probe_out_at(pt, pt->pt_out_count++);
	ou->ou_sendno = ++pr->pr_sent;
	ou->ou_seq = pe->pe_seq++;
	ou->ou_status = PROBE_STATUS_NONE;
	pr->pr_last_seq = ou->ou_seq;
	pe->pe_dirty = 1;
	/* Timed at its sendto(), not at the tick: the targets before it in
	 * this tick, or a preemption, are no part of its RTT. */
	rc = probe_sock_send(probe_sock_of(pe, pr->pr_addr.pa_family),
	    &pr->pr_addr, ou->ou_seq, &sent);
	ou->ou_sent_us = sent.cl_mono_us;
	if (rc == -1) {
		snprintf(pr->pr_error, sizeof(pr->pr_error), "sendto: %s",
		    strerror(errno));
		probe_complete(pe, pt, ou, PROBE_STATUS_ERROR, 0, now);
	}
}

uint64_t
probe_engine_tick(struct probe_engine *pe, const struct probe_clock *now)
{
	struct probe_target	*pt;
	uint64_t		 next = now->cl_mono_us + PROBE_IDLE_US, due;
	size_t			 i;

	for (i = 0; i < pe->pe_ntargets; i++) {
		pt = &pe->pe_targets[i];
		probe_expire(pe, pt, now);
		if (now->cl_mono_us >= pt->pt_next_us) {
			probe_send(pe, pt, now);
			/* On the grid of the first send; a stall skips
			 * slots rather than bursting to catch up. */
			pt->pt_next_us = pt->pt_next_us == 0 ? now->cl_mono_us :
			    pt->pt_next_us;
			pt->pt_next_us += (uint64_t)pt->pt_res.pr_interval *
			    1000000;
			if (pt->pt_next_us <= now->cl_mono_us)
				pt->pt_next_us = now->cl_mono_us +
				    (uint64_t)pt->pt_res.pr_interval * 1000000;
		}
		if (pt->pt_next_us < next)
			next = pt->pt_next_us;
		if (pt->pt_out_count > 0) {
			due = probe_out_at(pt, 0)->ou_sent_us + pt->pt_timeout_us;
			if (due < next)
				next = due;
		}
	}
	return next > now->cl_mono_us ? next - now->cl_mono_us : 0;
}

/* A reply or unreachable for seq, which this target sent. */
static enum probe_verdict
probe_match(struct probe_engine *pe, struct probe_target *pt,
    const struct probe_packet *pk, const struct probe_addr *from,
    const struct probe_clock *now)
{
	struct probe_result		*pr = &pt->pt_res;
	struct probe_outstanding	*ou = probe_out_find(pt, pk->pk_seq);
	uint64_t			 rtt;
	char				 addr[INET6_ADDRSTRLEN];

	if (pk->pk_type == PROBE_PACKET_UNREACHABLE) {
		if (from != NULL && from->pa_family != 0)
			probe_addr_format(from, addr, sizeof(addr));
		else
			snprintf(addr, sizeof(addr), "?");
		snprintf(pr->pr_error, sizeof(pr->pr_error), "%s "
		    "(ICMP code %u) from %s",
		    probe_icmp_unreach_name(pk->pk_family, pk->pk_code),
		    pk->pk_code, addr);
		probe_complete(pe, pt, ou, PROBE_STATUS_UNREACHABLE, 0, now);
		return PROBE_VERDICT_UNREACHABLE;
	}
	/* now is the kernel's receive time: a reply read late still counts
	 * its time on the wire only.  Earlier than the send only after a
	 * realtime clock step the socket part could not tell (under 1 s). */
	rtt = now->cl_mono_us > ou->ou_sent_us ?
	    now->cl_mono_us - ou->ou_sent_us : 0;
	if (rtt >= pt->pt_timeout_us) {
		/* The paper's rule: an answer after the timeout is lost. */
		probe_complete(pe, pt, ou, PROBE_STATUS_TIMEOUT, 0, now);
		pr->pr_late++;
		return PROBE_VERDICT_LATE;
	}
	probe_complete(pe, pt, ou, PROBE_STATUS_OK, (uint32_t)rtt, now);
	return PROBE_VERDICT_ANSWER;
}

enum probe_verdict
probe_engine_input(struct probe_engine *pe, const struct probe_packet *pk,
    const struct probe_addr *from, const struct probe_clock *now)
{
	const struct probe_addr		*target;
	const struct probe_outstanding	*ou;
	const struct probe_sample	*sa;
	struct probe_target		*pt;
	int				 status;
	size_t				 i;

	target = pk->pk_type == PROBE_PACKET_UNREACHABLE ? &pk->pk_target :
	    from;
	if (target == NULL || (pk->pk_family != AF_INET &&
	    pk->pk_family != AF_INET6) ||
	    pk->pk_ident != probe_sock_of(pe, pk->pk_family)->so_ident)
		goto foreign;
	for (i = 0; i < pe->pe_ntargets; i++) {
		pt = &pe->pe_targets[i];
		if (!probe_addr_equal(&pt->pt_res.pr_addr, target))
			continue;
		if ((ou = probe_out_find(pt, pk->pk_seq)) != NULL &&
		    ou->ou_status == PROBE_STATUS_NONE)
			return probe_match(pe, pt, pk, from, now);
		if (ou != NULL)
			status = ou->ou_status;
		else if ((sa = probe_hist_find(pt, pk->pk_seq)) != NULL)
			status = sa->sa_status;
		else
			continue;
		pe->pe_dirty = 1;
		if (pk->pk_type == PROBE_PACKET_ECHO_REPLY &&
		    status == PROBE_STATUS_OK) {
			pt->pt_res.pr_duplicates++;
			return PROBE_VERDICT_DUPLICATE;
		}
		pt->pt_res.pr_late++;
		return PROBE_VERDICT_LATE;
	}
foreign:
	pe->pe_foreign++;
	pe->pe_dirty = 1;
	return PROBE_VERDICT_FOREIGN;
}

/* Snapshots */

static void
probe_result_stats(struct probe_result *r)
{
	const struct probe_sample	*sa;
	uint64_t			 sum = 0;
	uint32_t			 n = 0, i;

	r->pr_min_rtt_us = r->pr_max_rtt_us = r->pr_avg_rtt_us = 0;
	for (i = 0; i < r->pr_nsamples; i++) {
		sa = &r->pr_samples[i];
		if (sa->sa_status != PROBE_STATUS_OK)
			continue;
		if (n == 0 || sa->sa_rtt_us < r->pr_min_rtt_us)
			r->pr_min_rtt_us = sa->sa_rtt_us;
		if (sa->sa_rtt_us > r->pr_max_rtt_us)
			r->pr_max_rtt_us = sa->sa_rtt_us;
		sum += sa->sa_rtt_us;
		n++;
	}
	r->pr_history_count = (uint32_t)r->pr_nsamples;
	r->pr_history_answered = n;
	if (n > 0)
		r->pr_avg_rtt_us = (uint32_t)((sum + n / 2) / n);
	r->pr_loss_x100 = r->pr_nsamples == 0 ? 0 :
	    (uint32_t)(((uint64_t)r->pr_nsamples - n) * 10000 /
	    r->pr_nsamples);
}

/* Probes still waiting: the ring also holds answers that overtook an
 * older probe. */
static uint32_t
probe_waiting(const struct probe_target *pt)
{
	uint32_t	i, n = 0;

	for (i = 0; i < pt->pt_out_count; i++)
		if (probe_out_at(pt, i)->ou_status == PROBE_STATUS_NONE)
			n++;
	return n;
}

static void
probe_snap_fill(struct probe_engine *pe, struct probe_snapshot *sn,
    struct probe_result *results, struct probe_sample *samples,
    const struct probe_clock *now)
{
	struct probe_target	*pt;
	struct probe_result	*r;
	uint32_t		 i;
	size_t			 t;

	for (t = 0; t < pe->pe_ntargets; t++) {
		pt = &pe->pe_targets[t];
		r = &results[t];
		*r = pt->pt_res;
		for (i = 0; i < pt->pt_hist_count; i++)
			samples[i] = pt->pt_hist[(pt->pt_hist_first + i) %
			    pt->pt_hist_cap];
		r->pr_samples = samples;
		r->pr_nsamples = pt->pt_hist_count;
		r->pr_outstanding = probe_waiting(pt);
		samples += pt->pt_hist_count;
		probe_result_stats(r);
	}
	sn->sn_probes = results;
	sn->sn_nprobes = pe->pe_ntargets;
	sn->sn_generation = ++pe->pe_generation;
	sn->sn_wall_us = now->cl_wall_us;
	sn->sn_slow_us = pe->pe_opts.po_slow_us;
	sn->sn_socket4 = pe->pe_sock4.so_kind;
	sn->sn_socket6 = pe->pe_sock6.so_kind;
	sn->sn_ident4 = pe->pe_sock4.so_ident;
	sn->sn_ident6 = pe->pe_sock6.so_ident;
	sn->sn_foreign = pe->pe_foreign;
	sn->sn_malformed = pe->pe_malformed;
	sn->sn_ignored = pe->pe_ignored;
	sn->sn_recv_errors = pe->pe_recv_errors;
}

static void
probe_snap_free(struct snapshot *sn)
{
	free(sn);	/* one allocation, sn_snap first */
}

/* One allocation: the snapshot, its results, then all their samples.
 * On ENOMEM the previous snapshot stays and the next loop tries again. */
int
probe_engine_publish(struct probe_engine *pe, const struct probe_clock *now)
{
	struct probe_snapshot	*sn;
	struct probe_result	*results;
	size_t			 nsamples = 0, i;

	for (i = 0; i < pe->pe_ntargets; i++)
		nsamples += pe->pe_targets[i].pt_hist_count;
	sn = calloc(1, sizeof(*sn) + pe->pe_ntargets * sizeof(*results) +
	    nsamples * sizeof(struct probe_sample));
	if (sn == NULL)
		return -1;
	results = (struct probe_result *)(sn + 1);
	probe_snap_fill(pe, sn, results,
	    (struct probe_sample *)(results + pe->pe_ntargets), now);
	snapshot_init(&sn->sn_snap, probe_snap_free);
	snapshot_publish(&pe->pe_slot, &sn->sn_snap);
	pe->pe_dirty = 0;
	return 0;
}

/* The snapshot API, typed: sn_snap is first, so the pointers convert. */
const struct probe_snapshot *
probe_acquire(struct probe_engine *pe)
{
	return (const struct probe_snapshot *)snapshot_acquire(&pe->pe_slot);
}

void
probe_release(const struct probe_snapshot *sn)
{
	snapshot_release(sn ? &sn->sn_snap : NULL);
}

unsigned int
probe_window_rtt(const struct probe_result *r, int64_t from_us,
    int64_t to_us, uint32_t *mean_us)
{
	const struct probe_sample	*sa;
	uint64_t			 sum = 0;
	unsigned int			 n = 0;
	size_t				 i;

	for (i = 0; i < r->pr_nsamples; i++) {
		sa = &r->pr_samples[i];
		if (sa->sa_status != PROBE_STATUS_OK ||
		    sa->sa_wall_us < from_us || sa->sa_wall_us >= to_us)
			continue;
		sum += sa->sa_rtt_us;
		n++;
	}
	*mean_us = n == 0 ? 0 : (uint32_t)((sum + n / 2) / n);
	return n;
}

/* Engine */

static int
probe_target_init(struct probe_target *pt, const struct probe_config *pc,
    const struct probe_options *po, char *err, size_t errlen)
{
	struct probe_result	*pr = &pt->pt_res;

	memset(pt, 0, sizeof(*pt));
	memcpy(pr->pr_name, pc->pc_name, sizeof(pr->pr_name));
	memcpy(pr->pr_host, pc->pc_host, sizeof(pr->pr_host));
	pr->pr_name[PROBE_NAME_MAX] = pr->pr_host[PROBE_HOST_MAX] = '\0';
	pr->pr_addr = pc->pc_addr;
	pr->pr_interval = pc->pc_interval ? pc->pc_interval :
	    po->po_default_interval;
	pr->pr_timeout = pc->pc_timeout;
	if (pr->pr_interval < 1 || pr->pr_interval > PROBE_INTERVAL_MAX ||
	    pr->pr_timeout < 1 || pr->pr_timeout > PROBE_TIMEOUT_MAX ||
	    (pr->pr_addr.pa_family != AF_INET &&
	    pr->pr_addr.pa_family != AF_INET6)) {
		snprintf(err, errlen, "probe \"%s\": bad interval, timeout or "
		    "address", pr->pr_name);
		errno = EINVAL;
		return -1;
	}
	pt->pt_timeout_us = (uint64_t)pr->pr_timeout * 1000000;
	/* Waiting probes: those sent within one timeout, the one just sent,
	 * one for a send that came late. */
	pt->pt_out_cap = (pr->pr_timeout + pr->pr_interval - 1) /
	    pr->pr_interval + 2;
	pt->pt_out = calloc(pt->pt_out_cap, sizeof(*pt->pt_out));
	pt->pt_hist_cap = po->po_history;
	pt->pt_hist = calloc(po->po_history, sizeof(*pt->pt_hist));
	if (pt->pt_out == NULL || pt->pt_hist == NULL)
		return errbuf_set(err, errlen, "%s", strerror(errno));
	return 0;
}

static void
probe_targets_free(struct probe_engine *pe)
{
	size_t	i;

	for (i = 0; i < pe->pe_ntargets; i++) {
		free(pe->pe_targets[i].pt_out);
		free(pe->pe_targets[i].pt_hist);
	}
	free(pe->pe_targets);
}

static int
probe_open_sockets(struct probe_engine *pe, char *err, size_t errlen)
{
	int	need4 = 0, need6 = 0;
	size_t	i;

	for (i = 0; i < pe->pe_ntargets; i++) {
		if (pe->pe_targets[i].pt_res.pr_addr.pa_family == AF_INET)
			need4 = 1;
		else
			need6 = 1;
	}
	if (need4 && probe_sock_open(&pe->pe_sock4, AF_INET,
	    pe->pe_opts.po_sockets, err, errlen) == -1)
		return -1;
	if (need6 && probe_sock_open(&pe->pe_sock6, AF_INET6,
	    pe->pe_opts.po_sockets, err, errlen) == -1)
		return -1;
	for (i = 0; i < pe->pe_ntargets; i++)
		pe->pe_targets[i].pt_res.pr_socket = probe_sock_of(pe,
		    pe->pe_targets[i].pt_res.pr_addr.pa_family)->so_kind;
	return 0;
}

struct probe_engine *
probe_engine_new(const struct probe_config *pcs, size_t n,
    const struct probe_options *po, char *err, size_t errlen)
{
	struct probe_engine	*pe;
	struct probe_clock	 now;
	size_t			 i;

	if (po->po_history < 1 || po->po_history > PROBE_HISTORY_MAX ||
	    n > PROBE_MAX) {
		snprintf(err, errlen, "bad probe options");
		errno = EINVAL;
		return NULL;
	}
	if ((pe = calloc(1, sizeof(*pe))) == NULL)
		goto nomem;
	pe->pe_opts = *po;
	pe->pe_sock4.so_fd = pe->pe_sock6.so_fd = pe->pe_wake_fd = -1;
	snapshot_slot_init(&pe->pe_slot);
	if (n > 0 && (pe->pe_targets = calloc(n, sizeof(*pe->pe_targets))) ==
	    NULL)
		goto nomem;
	for (i = 0; i < n; i++) {
		pe->pe_ntargets++;
		if (probe_target_init(&pe->pe_targets[i], &pcs[i], po, err,
		    errlen) == -1)
			goto fail;
	}
	if (probe_open_sockets(pe, err, errlen) == -1)
		goto fail;
	pe->pe_seq = probe_sock_random16();
	probe_clock_now(&now);
	if (probe_engine_publish(pe, &now) < 0)
		goto nomem;
	return pe;
nomem:
	snprintf(err, errlen, "%s", strerror(ENOMEM));
	errno = ENOMEM;
fail:
	probe_engine_free(pe);
	return NULL;
}

void
probe_engine_free(struct probe_engine *pe)
{
	if (pe == NULL)
		return;
	probe_engine_stop(pe);
	probe_sock_close(&pe->pe_sock4);
	probe_sock_close(&pe->pe_sock6);
	snapshot_slot_destroy(&pe->pe_slot);
	probe_targets_free(pe);
	free(pe);
}

/* I/O, on the engine's thread */

/* What became of one message read, on either receive path: an answer
 * (pk) goes to the matching, anything else is counted. */
static void
probe_account(struct probe_engine *pe, enum probe_parse parsed,
    const struct probe_packet *pk, const struct probe_addr *from,
    const struct probe_clock *now)
{
	switch (parsed) {
	case PROBE_PARSE_OK:
		probe_engine_input(pe, pk, from, now);
		break;
	case PROBE_PARSE_OTHER:
		pe->pe_ignored++;
		pe->pe_dirty = 1;
		break;
	default:
		pe->pe_malformed++;
		pe->pe_dirty = 1;
		break;
	}
}

/* Reads what waits on one socket, or on its error queue, up to a burst. */
static void
probe_receive(struct probe_engine *pe, const struct probe_sock *so,
    int errqueue)
{
	struct probe_packet	pk;
	struct probe_addr	from;
	struct probe_clock	now;
	enum probe_parse	parsed;
	enum probe_sock_read	got;
	int			i;

	for (i = 0; i < PROBE_RECV_BURST; i++) {
		got = errqueue ?
		    probe_sock_read_error(so, &pk, &from, &now, &parsed) :
		    probe_sock_read(so, &pk, &from, &now, &parsed);
		if (got == PROBE_SOCK_READ_AGAIN)
			continue;
		if (got == PROBE_SOCK_READ_FAILED)
			pe->pe_recv_errors++;
		if (got != PROBE_SOCK_READ_DONE)
			return;
		probe_account(pe, parsed, &pk, &from, &now);
	}
}

static void
probe_handle(struct probe_engine *pe, const struct probe_sock *so,
    short revents)
{
	if (revents & POLLERR && so->so_kind == PROBE_SOCKET_DGRAM)
		probe_receive(pe, so, 1);
	if (revents & (POLLIN | POLLERR))
		probe_receive(pe, so, 0);
}

static void *
probe_engine_run(void *arg)
{
	struct probe_engine	*pe = arg;
	struct probe_sock	*socks[2] = { &pe->pe_sock4, &pe->pe_sock6 };
	struct pollfd		 pfd[3];
	struct probe_clock	 now;
	uint64_t		 wait_us;
	int			 i, nfd;

	while (!__atomic_load_n(&pe->pe_stop, __ATOMIC_ACQUIRE)) {
		probe_clock_now(&now);
		wait_us = probe_engine_tick(pe, &now);
		if (pe->pe_dirty)
			probe_engine_publish(pe, &now);
		nfd = 0;
		pfd[nfd].fd = pe->pe_wake_fd, pfd[nfd++].events = POLLIN;
		for (i = 0; i < 2; i++) {
			pfd[nfd].fd = socks[i]->so_fd;	/* -1: skipped */
			pfd[nfd].events = POLLIN;
			pfd[nfd++].revents = 0;
		}
		if (poll(pfd, (nfds_t)nfd, (int)((wait_us + 999) / 1000)) <= 0)
			continue;
		for (i = 0; i < 2; i++)
			if (pfd[i + 1].revents != 0)
				probe_handle(pe, socks[i], pfd[i + 1].revents);
	}
	return NULL;
}

int
probe_engine_start(struct probe_engine *pe)
{
	sigset_t	all, old;
	int		rc;

	if (pe->pe_running)
		return 0;
	pe->pe_wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (pe->pe_wake_fd == -1)
		return -1;
	__atomic_store_n(&pe->pe_stop, 0, __ATOMIC_RELEASE);
	/* Signals are the main thread's business (net-snmp's alarms). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&pe->pe_thread, NULL, probe_engine_run, pe);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		close(pe->pe_wake_fd);
		pe->pe_wake_fd = -1;
		errno = rc;
		return -1;
	}
	pe->pe_running = 1;
	return 0;
}

void
probe_engine_stop(struct probe_engine *pe)
{
	uint64_t	one = 1;

	if (!pe->pe_running)
		return;
	__atomic_store_n(&pe->pe_stop, 1, __ATOMIC_RELEASE);
	if (write(pe->pe_wake_fd, &one, sizeof(one)) == -1) {
		/* A full eventfd counter still wakes the poll. */
	}
	pthread_join(pe->pe_thread, NULL);
	close(pe->pe_wake_fd);
	pe->pe_wake_fd = -1;
	pe->pe_running = 0;
}
