/*
 * histdb: the history database's queue, writer thread and batches; see
 * histdb.h for what is kept and histdb_int.h for the inside.
 *
 * The capture thread only copies: histdb_submit() takes the window's
 * sessions and totals (the window_closed lives only during the consumer
 * call) into a queue item, under a mutex held for a pointer's move.  All
 * the work -- ranking, adding up hosts, names, the database -- is the
 * writer thread's, which owns the backend connection and the spool.
 *
 * Order: the spool is drained (oldest first) before any queued window
 * is written, and a window goes to the spool, not the database, while
 * the spool holds anything, so windows reach the database in the order
 * they closed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/errbuf.h"
#include "lib/hash.h"
#include "lib/topn.h"
#include "store/histdb.h"
#include "store/histdb_int.h"
#include "store/hostdb.h"

#define HISTDB_RETRY_SEC	5	/* between attempts to open */
#define HISTDB_IDLE_MS		1000	/* the writer's longest sleep */
#define HISTDB_EXPIRE_LIMIT	500	/* windows, or host rows, a pass */
#define HISTDB_DAY_SEC		86400LL
#define HISTDB_SPOOL_NAME	"history-spool"
#define HISTDB_SPOOL_DIR	"/var/lib/coremon/" HISTDB_SPOOL_NAME

/* A queued window: what the window_closed and the extra held, copied. */
struct histdb_item {
	int64_t			 hi_start_us;
	int64_t			 hi_length_us;
	struct session		*hi_sessions;
	size_t			 hi_nsessions;
	struct session_totals	 hi_totals;
	int			 hi_has_totals;
	struct histdb_source	*hi_sources;
	size_t			 hi_nsources;
	struct histdb_probe	*hi_probes;
	size_t			 hi_nprobes;
	int64_t			 hi_rtt_mean_us;
};

struct histdb {
	struct histdb_config	 hd_config;	/* strings: ours (below) */
	char			*hd_target;
	char			*hd_agent;
	char			*hd_password_file;
	char			*hd_spool_dir;
	enum histdb_kind	 hd_kind;
	const struct histdb_backend *hd_backend;
	const struct services	*hd_services;
	struct hostdb		*hd_names;

	pthread_t		 hd_thread;
	int			 hd_running;
	int			 hd_inited;	/* lock and cond made */

	pthread_mutex_t		 hd_lock;	/* everything below */
	pthread_cond_t		 hd_wake;	/* CLOCK_MONOTONIC */
	pthread_cond_t		 hd_room;	/* the writer took a window */
	struct histdb_item	*hd_queue[HISTDB_QUEUE_MAX];
	size_t			 hd_qhead, hd_qcount;
	int			 hd_stopping;
	int64_t			 hd_stop_by_ms;	/* monotonic */
	struct histdb_status	 hd_status;
	char			 hd_last_warn[HISTDB_ERROR_MAX];

	/* The writer's own. */
	void			*hd_db;		/* the backend's, or NULL */
	int64_t			 hd_retry_ms;	/* next open, monotonic */
	struct histdb_spool	*hd_spool;
	int			 hd_expire_due;
	int64_t			 hd_newest_s;	/* latest window written */
};

void
histdb_config_default(struct histdb_config *cf)
{
	memset(cf, 0, sizeof(*cf));
	cf->hc_spool_max = HISTDB_SPOOL_DEFAULT;
	cf->hc_top = HISTDB_TOP_DEFAULT;
	cf->hc_days = HISTDB_DAYS_DEFAULT;
	cf->hc_host_days = HISTDB_DAYS_DEFAULT;
}

enum histdb_kind
histdb_kind_of(const char *target)
{
	if (target == NULL || strcmp(target, "none") == 0 || *target == '\0')
		return HISTDB_KIND_NONE;
	if (strncmp(target, "postgresql://", 13) == 0 ||
	    strncmp(target, "postgres://", 11) == 0)
		return HISTDB_KIND_POSTGRESQL;
	return HISTDB_KIND_SQLITE;
}

static int64_t
histdb_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
histdb_wall_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- messages ---- */

/* Keeps msg as the last error and hands it to hc_warn unless it was the
 * last one handed.  Takes the lock. */
static void
histdb_warn(struct histdb *hd, const char *fmt, ...)
{
	char	msg[HISTDB_ERROR_MAX];
	va_list	ap;
	int	repeat;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&hd->hd_lock);
	snprintf(hd->hd_status.hs_last_error,
	    sizeof(hd->hd_status.hs_last_error), "%s", msg);
	repeat = strcmp(hd->hd_last_warn, msg) == 0;
	if (!repeat)
		snprintf(hd->hd_last_warn, sizeof(hd->hd_last_warn), "%s",
		    msg);
	pthread_mutex_unlock(&hd->hd_lock);
	if (!repeat && hd->hd_config.hc_warn != NULL)
		hd->hd_config.hc_warn(hd->hd_config.hc_warn_arg, msg);
}

/* ---- batches ---- */

/* YYYYMMDD of unix seconds t, UTC. */
static uint32_t
histdb_day_of(int64_t t)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL)
		return 0;
	return (uint32_t)(tm.tm_year + 1900) * 10000 +
	    (uint32_t)(tm.tm_mon + 1) * 100 + (uint32_t)tm.tm_mday;
}

static void
histdb_addr_text(int family, const uint8_t *a, char *buf, size_t len)
{
	if (family != AF_INET && family != AF_INET6) {
		buf[0] = '\0';
		return;
	}
	if (inet_ntop(family, a, buf, (socklen_t)len) == NULL)
		buf[0] = '\0';
}

static const char *
histdb_service_name(const struct histdb *hd, unsigned int index)
{
	const struct service	*sv = services_get(hd->hd_services, index);

	return sv != NULL ? sv->sv_name : "other";
}

static void
histdb_add_counts(struct session_counts *to, const struct session *se)
{
	to->sc_octets_in += se->se_octets_in;
	to->sc_octets_out += se->se_octets_out;
	to->sc_packets_in += se->se_packets_in;
	to->sc_packets_out += se->se_packets_out;
}

/* What total holds beyond sum, each field at least 0. */
static uint64_t
histdb_rest(uint64_t total, uint64_t sum)
{
	return total > sum ? total - sum : 0;
}

/*
 * One row a capture source, from its sessions with one end local, as
 * tt_remote counts them.  The overflow entry mixes remote and transit
 * traffic of folded sessions, so it is not added itself: what tt_remote
 * holds beyond the sessions added goes to the overflow entry's source,
 * which makes the sources add up to tt_remote exactly.
 */
static int
histdb_build_windows(const struct histdb_item *it, struct histdb_batch *b)
{
	struct histdb_window_row	*w;
	struct session_counts		 sum;
	const struct session		*se;
	size_t				 n, i, src, over = 0;

	n = it->hi_nsources > 0 ? it->hi_nsources : 1;
	if ((b->hb_windows = calloc(n, sizeof(*w))) == NULL)
		return -1;
	b->hb_nwindows = n;
	for (i = 0; i < n; i++) {
		w = &b->hb_windows[i];
		snprintf(w->wr_source, sizeof(w->wr_source), "%s",
		    it->hi_nsources > 0 ? it->hi_sources[i].hs_name :
		    "capture");
		w->wr_drops = it->hi_nsources > 0 ?
		    it->hi_sources[i].hs_drops : 0;
		w->wr_rtt_us = it->hi_rtt_mean_us;
	}
	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < it->hi_nsessions; i++) {
		se = &it->hi_sessions[i];
		src = se->se_source < n ? se->se_source : 0;
		if (se->se_key.sk_family == 0 ||
		    (se->se_flags & SESSION_OVERFLOW)) {
			over = src;
			continue;
		}
		if (se->se_flags & SESSION_TRANSIT)
			continue;
		w = &b->hb_windows[src];
		w->wr_octets_in += se->se_octets_in;
		w->wr_octets_out += se->se_octets_out;
		w->wr_packets_in += se->se_packets_in;
		w->wr_packets_out += se->se_packets_out;
		w->wr_sessions++;
		histdb_add_counts(&sum, se);
	}
	if (!it->hi_has_totals)
		return 0;
	w = &b->hb_windows[over];
	w->wr_octets_in += histdb_rest(it->hi_totals.tt_remote.sc_octets_in,
	    sum.sc_octets_in);
	w->wr_octets_out += histdb_rest(it->hi_totals.tt_remote.sc_octets_out,
	    sum.sc_octets_out);
	w->wr_packets_in += histdb_rest(
	    it->hi_totals.tt_remote.sc_packets_in, sum.sc_packets_in);
	w->wr_packets_out += histdb_rest(
	    it->hi_totals.tt_remote.sc_packets_out, sum.sc_packets_out);
	/* Local traffic is not split by source in the totals. */
	b->hb_windows[0].wr_local_octets = it->hi_totals.tt_local_octets;
	return 0;
}

/* The totals' by-service counters: a row for each service with traffic. */
static int
histdb_build_services(const struct histdb *hd, const struct histdb_item *it,
    struct histdb_batch *b)
{
	const struct session_counts	*c;
	struct histdb_service_row	*r;
	size_t				 i, n;

	if (!it->hi_has_totals)
		return 0;
	n = services_count(hd->hd_services);
	if ((b->hb_services = calloc(n, sizeof(*r))) == NULL)
		return -1;
	for (i = 1; i <= n && i <= SERVICES_MAX; i++) {
		c = &it->hi_totals.tt_by_service[i];
		if (c->sc_packets_in + c->sc_packets_out == 0)
			continue;
		r = &b->hb_services[b->hb_nservices++];
		snprintf(r->sr_service, sizeof(r->sr_service), "%s",
		    histdb_service_name(hd, (unsigned int)i));
		r->sr_octets_in = c->sc_octets_in;
		r->sr_octets_out = c->sc_octets_out;
		r->sr_packets_in = c->sc_packets_in;
		r->sr_packets_out = c->sc_packets_out;
	}
	return 0;
}

/* window.c's ranking, so the rows equal cmSessionTopTable's. */
static int
histdb_before(uint32_t ia, uint32_t ib, const void *arg)
{
	const struct session	*a = (const struct session *)arg + ia;
	const struct session	*b = (const struct session *)arg + ib;
	uint64_t		 ao = a->se_octets_in + a->se_octets_out;
	uint64_t		 bo = b->se_octets_in + b->se_octets_out;
	uint64_t		 ap, bp;

	if (ao != bo)
		return ao > bo;
	ap = a->se_packets_in + a->se_packets_out;
	bp = b->se_packets_in + b->se_packets_out;
	if (ap != bp)
		return ap > bp;
	return session_key_cmp(&a->se_key, &b->se_key) < 0;
}

static int
histdb_build_sessions(const struct histdb *hd, const struct histdb_item *it,
    struct histdb_batch *b)
{
	struct histdb_session_row	*r;
	const struct session		*se;
	struct topn			 tn;
	uint32_t			*heap;
	size_t				 top, n, i;

	top = hd->hd_config.hc_top;
	if (top == 0 || it->hi_nsessions == 0)
		return 0;
	if ((heap = calloc(top, sizeof(*heap))) == NULL)
		return -1;
	topn_init(&tn, heap, top, histdb_before, it->hi_sessions);
	for (i = 0; i < it->hi_nsessions; i++)
		topn_push(&tn, (uint32_t)i);
	n = topn_sort(&tn);
	if ((b->hb_sessions = calloc(n, sizeof(*r))) == NULL) {
		free(heap);
		return -1;
	}
	for (i = 0; i < n; i++) {
		se = &it->hi_sessions[heap[i]];
		r = &b->hb_sessions[i];
		r->ss_rank = (uint32_t)i + 1;
		r->ss_proto = se->se_key.sk_proto;
		histdb_addr_text(se->se_key.sk_family, se->se_key.sk_local,
		    r->ss_local, sizeof(r->ss_local));
		histdb_addr_text(se->se_key.sk_family, se->se_key.sk_remote,
		    r->ss_remote, sizeof(r->ss_remote));
		r->ss_port = se->se_key.sk_port;
		snprintf(r->ss_service, sizeof(r->ss_service), "%s",
		    histdb_service_name(hd, se->se_service));
		r->ss_octets_in = se->se_octets_in;
		r->ss_octets_out = se->se_octets_out;
		r->ss_packets_in = se->se_packets_in;
		r->ss_packets_out = se->se_packets_out;
	}
	b->hb_nsessions = n;
	free(heap);
	return 0;
}

/* A (remote host, service) of the window, being added up. */
struct histdb_hkey {
	uint8_t		hk_addr[16];
	uint8_t		hk_family;
	uint8_t		hk_service;
	uint8_t		hk_pad[2];	/* zero: the key is hashed whole */
};

struct histdb_agg {
	struct histdb_hkey	ha_key;
	struct session_counts	ha_counts;
	int64_t			ha_first_us, ha_last_us;
	const char		*ha_service;	/* its name */
	char			ha_addr[HISTDB_ADDR_MAX];	/* as text */
};

/* The primary key's order (address and service as text): rows that come
 * in index order append to the b-tree's pages instead of touching a
 * random page each. */
static int
histdb_agg_cmp(const void *a, const void *b)
{
	const struct histdb_agg	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->ha_addr, y->ha_addr)) != 0)
		return c;
	return strcmp(x->ha_service, y->ha_service);
}

static int
histdb_agg_eq(const void *key, uint32_t index, void *arg)
{
	struct histdb_agg	*const *agg = arg;

	return memcmp(key, &(*agg)[index].ha_key,
	    sizeof(struct histdb_hkey)) == 0;
}

/* Adds the sessions with one end local up by (remote host, service), as
 * the host database does with its default scope; n aggregates into
 * *aggp.  0, or -1 (memory). */
static int
histdb_add_hosts(const struct histdb_item *it, struct histdb_agg **aggp,
    size_t *np)
{
	struct histdb_agg	*agg, *a;
	struct histdb_hkey	 k;
	const struct session	*se;
	struct hash		*h;
	uint64_t		 hv;
	uint32_t		 idx;
	size_t			 i, n = 0;
	int64_t			 first, last;

	*aggp = NULL;
	*np = 0;
	if (it->hi_nsessions == 0)
		return 0;
	if ((agg = malloc(it->hi_nsessions * sizeof(*agg))) == NULL)
		return -1;
	if ((h = hash_new(it->hi_nsessions, 0, histdb_agg_eq, &agg)) ==
	    NULL) {
		free(agg);
		return -1;
	}
	memset(&k, 0, sizeof(k));
	for (i = 0; i < it->hi_nsessions; i++) {
		se = &it->hi_sessions[i];
		if (se->se_key.sk_family == 0 ||
		    (se->se_flags & (SESSION_OVERFLOW | SESSION_TRANSIT)))
			continue;
		memcpy(k.hk_addr, se->se_key.sk_remote, 16);
		k.hk_family = se->se_key.sk_family;
		k.hk_service = se->se_service;
		hv = hash_compute(h, &k, sizeof(k));
		first = session_tick_us(it->hi_start_us, se->se_first);
		last = session_tick_us(it->hi_start_us, se->se_last);
		if ((idx = hash_find(h, (uint32_t)hv, &k)) == HASH_NONE) {
			if (hash_insert(h, (uint32_t)hv, (uint32_t)n) < 0) {
				hash_free(h);
				free(agg);
				return -1;
			}
			a = &agg[n++];
			memset(a, 0, sizeof(*a));
			a->ha_key = k;
			a->ha_first_us = first;
			a->ha_last_us = last;
		} else {
			a = &agg[idx];
			if (first < a->ha_first_us)
				a->ha_first_us = first;
			if (last > a->ha_last_us)
				a->ha_last_us = last;
		}
		histdb_add_counts(&a->ha_counts, se);
	}
	hash_free(h);
	*aggp = agg;
	*np = n;
	return 0;
}

/* The name the host database's latest snapshot has for a host, if any. */
static void
histdb_name_of(const struct hostdb_snapshot *sn, const struct histdb_hkey *k,
    char *buf, size_t len)
{
	struct hostdb_host	hh;
	size_t			pos;

	buf[0] = '\0';
	pos = hostdb_snapshot_seek(sn, k->hk_family, k->hk_addr);
	if (pos >= sn->hs_entries || hostdb_snapshot_host(sn, pos, &hh) < 0)
		return;
	if (hh.hh_family != k->hk_family || memcmp(hh.hh_addr, k->hk_addr,
	    k->hk_family == AF_INET ? 4 : 16) != 0)
		return;
	snprintf(buf, len, "%s", hh.hh_name != NULL ? hh.hh_name : "");
}

static int
histdb_build_hosts(const struct histdb *hd, const struct histdb_item *it,
    struct histdb_batch *b)
{
	const struct hostdb_snapshot	*sn = NULL;
	struct histdb_host_row		*r;
	struct histdb_agg		*agg, *a;
	size_t				 n, i;

	if (histdb_add_hosts(it, &agg, &n) < 0)
		return -1;
	if (n == 0)
		return 0;
	if ((b->hb_hosts = calloc(n, sizeof(*r))) == NULL) {
		free(agg);
		return -1;
	}
	for (i = 0; i < n; i++) {
		a = &agg[i];
		histdb_addr_text(a->ha_key.hk_family, a->ha_key.hk_addr,
		    a->ha_addr, sizeof(a->ha_addr));
		a->ha_service = histdb_service_name(hd, a->ha_key.hk_service);
	}
	qsort(agg, n, sizeof(*agg), histdb_agg_cmp);
	if (hd->hd_names != NULL)
		sn = hostdb_acquire(hd->hd_names);
	for (i = 0; i < n; i++) {
		a = &agg[i];
		r = &b->hb_hosts[i];
		memcpy(r->hr_addr, a->ha_addr, sizeof(r->hr_addr));
		snprintf(r->hr_service, sizeof(r->hr_service), "%s",
		    a->ha_service);
		r->hr_octets_in = a->ha_counts.sc_octets_in;
		r->hr_octets_out = a->ha_counts.sc_octets_out;
		r->hr_packets_in = a->ha_counts.sc_packets_in;
		r->hr_packets_out = a->ha_counts.sc_packets_out;
		r->hr_first_s = a->ha_first_us / 1000000;
		r->hr_last_s = a->ha_last_us / 1000000;
		if (sn != NULL)
			histdb_name_of(sn, &a->ha_key, r->hr_name,
			    sizeof(r->hr_name));
	}
	hostdb_release(sn);
	b->hb_nhosts = n;
	free(agg);
	return 0;
}

/* A queued window's rows.  0, or -1 (memory; nothing left allocated). */
static int
histdb_build(const struct histdb *hd, const struct histdb_item *it,
    struct histdb_batch *b)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->hb_agent, sizeof(b->hb_agent), "%s", hd->hd_agent);
	b->hb_start_s = it->hi_start_us / 1000000;
	b->hb_length_s = (uint32_t)((it->hi_length_us + 500000) / 1000000);
	b->hb_day = histdb_day_of(b->hb_start_s);
	if (histdb_build_windows(it, b) < 0 ||
	    histdb_build_services(hd, it, b) < 0 ||
	    histdb_build_sessions(hd, it, b) < 0 ||
	    histdb_build_hosts(hd, it, b) < 0)
		goto fail;
	if (it->hi_nprobes > 0) {
		if ((b->hb_probes = calloc(it->hi_nprobes,
		    sizeof(*b->hb_probes))) == NULL)
			goto fail;
		memcpy(b->hb_probes, it->hi_probes,
		    it->hi_nprobes * sizeof(*b->hb_probes));
		b->hb_nprobes = it->hi_nprobes;
	}
	return 0;
fail:
	histdb_batch_free(b);
	return -1;
}

/* ---- the queue ---- */

static void
histdb_item_free(struct histdb_item *it)
{
	if (it == NULL)
		return;
	free(it->hi_sessions);
	free(it->hi_sources);
	free(it->hi_probes);
	free(it);
}

/* A copy of what the consumer was handed, or NULL (memory). */
static struct histdb_item *
histdb_item_new(const struct window_closed *wd, const struct histdb_extra *ex)
{
	struct histdb_item	*it;

	if ((it = calloc(1, sizeof(*it))) == NULL)
		return NULL;
	it->hi_start_us = wd->wd_start_us;
	it->hi_length_us = wd->wd_length_us;
	it->hi_rtt_mean_us = -1;
	if (wd->wd_totals != NULL) {
		it->hi_totals = *wd->wd_totals;
		it->hi_has_totals = 1;
	}
	if (wd->wd_nsessions > 0) {
		if ((it->hi_sessions = malloc(wd->wd_nsessions *
		    sizeof(*it->hi_sessions))) == NULL)
			goto fail;
		memcpy(it->hi_sessions, wd->wd_sessions,
		    wd->wd_nsessions * sizeof(*it->hi_sessions));
		it->hi_nsessions = wd->wd_nsessions;
	}
	if (ex == NULL)
		return it;
	it->hi_rtt_mean_us = ex->he_rtt_mean_us;
	if (ex->he_nsources > 0) {
		if ((it->hi_sources = calloc(ex->he_nsources,
		    sizeof(*it->hi_sources))) == NULL)
			goto fail;
		memcpy(it->hi_sources, ex->he_sources,
		    ex->he_nsources * sizeof(*it->hi_sources));
		it->hi_nsources = ex->he_nsources;
	}
	if (ex->he_nprobes > 0) {
		if ((it->hi_probes = calloc(ex->he_nprobes,
		    sizeof(*it->hi_probes))) == NULL)
			goto fail;
		memcpy(it->hi_probes, ex->he_probes,
		    ex->he_nprobes * sizeof(*it->hi_probes));
		it->hi_nprobes = ex->he_nprobes;
	}
	return it;
fail:
	histdb_item_free(it);
	return NULL;
}

/* With hc_wait: until the queue has room, the writer stops, or
 * HISTDB_WAIT_MS passed.  The lock is held. */
static void
histdb_wait_room(struct histdb *hd)
{
	struct timespec	due;

	clock_gettime(CLOCK_MONOTONIC, &due);
	due.tv_sec += HISTDB_WAIT_MS / 1000;
	while (hd->hd_qcount == HISTDB_QUEUE_MAX && hd->hd_running &&
	    !hd->hd_stopping)
		if (pthread_cond_timedwait(&hd->hd_room, &hd->hd_lock,
		    &due) == ETIMEDOUT)
			break;
}

int
histdb_submit(struct histdb *hd, const struct window_closed *wd,
    const struct histdb_extra *ex)
{
	struct histdb_item	*it;
	int			 full;

	if (hd == NULL || hd->hd_kind == HISTDB_KIND_NONE)
		return -1;
	if ((it = histdb_item_new(wd, ex)) == NULL) {
		pthread_mutex_lock(&hd->hd_lock);
		hd->hd_status.hs_windows_dropped++;
		pthread_mutex_unlock(&hd->hd_lock);
		histdb_warn(hd, "window dropped: out of memory");
		return -1;
	}
	pthread_mutex_lock(&hd->hd_lock);
	if (hd->hd_config.hc_wait)
		histdb_wait_room(hd);
	full = hd->hd_qcount == HISTDB_QUEUE_MAX || !hd->hd_running ||
	    hd->hd_stopping;
	if (full)
		hd->hd_status.hs_windows_dropped++;
	else {
		hd->hd_queue[(hd->hd_qhead + hd->hd_qcount) %
		    HISTDB_QUEUE_MAX] = it;
		hd->hd_qcount++;
		pthread_cond_signal(&hd->hd_wake);
	}
	pthread_mutex_unlock(&hd->hd_lock);
	if (!full)
		return 0;
	histdb_item_free(it);
	histdb_warn(hd, "window dropped: %d windows already wait for the "
	    "writer (the database is slow)", HISTDB_QUEUE_MAX);
	return -1;
}

/* ---- the writer ---- */

/* Sets the state from what the writer knows now; takes the lock. */
static void
histdb_set_state(struct histdb *hd, int dropped)
{
	pthread_mutex_lock(&hd->hd_lock);
	if (hd->hd_spool != NULL) {
		hd->hd_status.hs_windows_spooled =
		    histdb_spool_count(hd->hd_spool);
		hd->hd_status.hs_spool_bytes =
		    histdb_spool_bytes(hd->hd_spool);
	}
	if (dropped)
		hd->hd_status.hs_state = HISTDB_STATE_FAILED;
	else if (hd->hd_db == NULL || hd->hd_status.hs_windows_spooled > 0)
		hd->hd_status.hs_state = HISTDB_STATE_SPOOLING;
	else
		hd->hd_status.hs_state = HISTDB_STATE_OK;
	pthread_mutex_unlock(&hd->hd_lock);
}

static void
histdb_disconnect(struct histdb *hd)
{
	if (hd->hd_db != NULL)
		hd->hd_backend->hk_close(hd->hd_db);
	hd->hd_db = NULL;
	hd->hd_retry_ms = histdb_mono_ms() + HISTDB_RETRY_SEC * 1000;
}

/* Opens the backend.  0, or -1: -1 with errno EINVAL will never work. */
static int
histdb_connect(struct histdb *hd, char *err, size_t errlen)
{
	int	saved;

	hd->hd_retry_ms = histdb_mono_ms() + HISTDB_RETRY_SEC * 1000;
	errno = 0;
	hd->hd_db = hd->hd_backend->hk_open(&hd->hd_config, err, errlen);
	if (hd->hd_db != NULL)
		return 0;
	saved = errno;
	histdb_warn(hd, "%s: %s", hd->hd_target, err);
	errno = saved;
	return -1;
}

/* The spool, oldest first, while the database takes them. */
static void
histdb_drain(struct histdb *hd)
{
	struct histdb_batch	b;
	char			err[HISTDB_ERROR_MAX];
	int			r;

	while (hd->hd_spool != NULL && hd->hd_db != NULL) {
		memset(&b, 0, sizeof(b));
		if ((r = histdb_spool_peek(hd->hd_spool, &b)) == 0)
			break;
		if (r < 0) {
			histdb_warn(hd, "spool: a damaged batch was set aside");
			continue;
		}
		r = hd->hd_backend->hk_write(hd->hd_db, &b, err, sizeof(err));
		if (r < 0) {
			histdb_batch_free(&b);
			histdb_warn(hd, "%s: %s", hd->hd_target, err);
			histdb_disconnect(hd);
			break;
		}
		histdb_spool_pop(hd->hd_spool);
		pthread_mutex_lock(&hd->hd_lock);
		if (r == 1) {
			hd->hd_status.hs_windows_written++;
			hd->hd_status.hs_rows_written += histdb_batch_rows(&b);
		} else
			hd->hd_status.hs_windows_repeated++;
		pthread_mutex_unlock(&hd->hd_lock);
		if (b.hb_start_s > hd->hd_newest_s)
			hd->hd_newest_s = b.hb_start_s;
		hd->hd_expire_due = 1;
		histdb_batch_free(&b);
		histdb_set_state(hd, 0);
	}
}

/* Into the spool, or dropped (counted) when it does not fit. */
static void
histdb_spool(struct histdb *hd, const struct histdb_batch *b)
{
	if (hd->hd_spool != NULL && histdb_spool_push(hd->hd_spool, b) == 0) {
		histdb_set_state(hd, 0);
		return;
	}
	pthread_mutex_lock(&hd->hd_lock);
	hd->hd_status.hs_windows_dropped++;
	pthread_mutex_unlock(&hd->hd_lock);
	histdb_set_state(hd, 1);
	histdb_warn(hd, "window dropped: the database cannot be written and "
	    "%s", hd->hd_spool == NULL ? "there is no spool" :
	    *histdb_spool_error(hd->hd_spool) != '\0' ?
	    histdb_spool_error(hd->hd_spool) :
	    "the spool is full (historySpool)");
}

/* One batch: to the database when it is there and nothing is spooled
 * before it, else to the spool. */
static void
histdb_put(struct histdb *hd, const struct histdb_batch *b)
{
	char	err[HISTDB_ERROR_MAX];
	int64_t	t0, t1;
	int	r;

	if (hd->hd_db == NULL || (hd->hd_spool != NULL &&
	    histdb_spool_count(hd->hd_spool) > 0)) {
		histdb_spool(hd, b);
		return;
	}
	t0 = histdb_mono_ms();
	r = hd->hd_backend->hk_write(hd->hd_db, b, err, sizeof(err));
	t1 = histdb_mono_ms();
	if (r < 0) {
		histdb_warn(hd, "%s: %s", hd->hd_target, err);
		histdb_disconnect(hd);
		histdb_spool(hd, b);
		return;
	}
	pthread_mutex_lock(&hd->hd_lock);
	if (r == 1) {
		hd->hd_status.hs_windows_written++;
		hd->hd_status.hs_rows_written += histdb_batch_rows(b);
		hd->hd_status.hs_last_write_us = histdb_wall_us();
		hd->hd_status.hs_last_write_ms = (uint32_t)(t1 - t0);
	} else
		hd->hd_status.hs_windows_repeated++;
	pthread_mutex_unlock(&hd->hd_lock);
	if (b->hb_start_s > hd->hd_newest_s)
		hd->hd_newest_s = b->hb_start_s;
	hd->hd_expire_due = 1;
	histdb_set_state(hd, 0);
}

/*
 * One pass of retention: at most HISTDB_EXPIRE_LIMIT windows and host
 * rows.  Ages count back from the newest window written, not the wall
 * clock, so that a replayed old capture is not deleted as it is written.
 */
static void
histdb_expire(struct histdb *hd)
{
	const struct histdb_config	*cf = &hd->hd_config;
	char				 err[HISTDB_ERROR_MAX];
	int64_t				 before_s = INT64_MIN;
	uint32_t			 before_day = 0;
	long				 n;

	hd->hd_expire_due = 0;
	if (cf->hc_days == 0 && cf->hc_host_days == 0)
		return;
	if (cf->hc_days > 0)
		before_s = hd->hd_newest_s - (int64_t)cf->hc_days *
		    HISTDB_DAY_SEC;
	if (cf->hc_host_days > 0)
		before_day = histdb_day_of(hd->hd_newest_s -
		    (int64_t)(cf->hc_host_days - 1) * HISTDB_DAY_SEC);
	n = hd->hd_backend->hk_expire(hd->hd_db, before_s, before_day,
	    HISTDB_EXPIRE_LIMIT, err, sizeof(err));
	if (n < 0) {
		histdb_warn(hd, "%s: retention: %s", hd->hd_target, err);
		return;
	}
	hd->hd_expire_due = n > 0;	/* more may be left */
}

/* One turn of the writer, without the lock: it (may be NULL) is the
 * window popped. */
static void
histdb_step(struct histdb *hd, struct histdb_item *it, int stopping)
{
	struct histdb_batch	b;
	char			err[HISTDB_ERROR_MAX];

	if (hd->hd_db == NULL && !stopping &&
	    histdb_mono_ms() >= hd->hd_retry_ms)
		histdb_connect(hd, err, sizeof(err));
	if (hd->hd_db != NULL)
		histdb_drain(hd);
	if (it != NULL) {
		if (histdb_build(hd, it, &b) < 0) {
			pthread_mutex_lock(&hd->hd_lock);
			hd->hd_status.hs_windows_dropped++;
			pthread_mutex_unlock(&hd->hd_lock);
			histdb_warn(hd, "window dropped: out of memory");
		} else {
			histdb_put(hd, &b);
			histdb_batch_free(&b);
		}
		histdb_item_free(it);
		return;
	}
	if (hd->hd_db != NULL && hd->hd_expire_due)
		histdb_expire(hd);
	histdb_set_state(hd, 0);
}

/* Is there something for the writer besides the queue?  Its own fields,
 * read by itself. */
static int
histdb_idle_work(const struct histdb *hd)
{
	if (hd->hd_db == NULL)
		return histdb_mono_ms() >= hd->hd_retry_ms;
	return hd->hd_expire_due || (hd->hd_spool != NULL &&
	    histdb_spool_count(hd->hd_spool) > 0);
}

static void *
histdb_writer(void *arg)
{
	struct histdb		*hd = arg;
	struct histdb_item	*it;
	struct timespec		 due;
	int			 stopping;

	pthread_mutex_lock(&hd->hd_lock);
	for (;;) {
		while (hd->hd_qcount == 0 && !hd->hd_stopping &&
		    !histdb_idle_work(hd)) {
			clock_gettime(CLOCK_MONOTONIC, &due);
			due.tv_sec += HISTDB_IDLE_MS / 1000;
			pthread_cond_timedwait(&hd->hd_wake, &hd->hd_lock,
			    &due);
		}
		stopping = hd->hd_stopping;
		if (stopping && (hd->hd_qcount == 0 ||
		    histdb_mono_ms() >= hd->hd_stop_by_ms))
			break;
		it = NULL;
		if (hd->hd_qcount > 0) {
			it = hd->hd_queue[hd->hd_qhead];
			hd->hd_qhead = (hd->hd_qhead + 1) % HISTDB_QUEUE_MAX;
			hd->hd_qcount--;
			pthread_cond_signal(&hd->hd_room);
		}
		pthread_mutex_unlock(&hd->hd_lock);
		histdb_step(hd, it, stopping);
		pthread_mutex_lock(&hd->hd_lock);
	}
	pthread_mutex_unlock(&hd->hd_lock);
	return NULL;
}

/* What the writer left when it stopped: to the spool, in order. */
static void
histdb_leftovers(struct histdb *hd)
{
	struct histdb_item	*it;
	struct histdb_batch	 b;

	while (hd->hd_qcount > 0) {
		it = hd->hd_queue[hd->hd_qhead];
		hd->hd_qhead = (hd->hd_qhead + 1) % HISTDB_QUEUE_MAX;
		hd->hd_qcount--;
		if (histdb_build(hd, it, &b) == 0) {
			histdb_spool(hd, &b);
			histdb_batch_free(&b);
		} else {
			pthread_mutex_lock(&hd->hd_lock);
			hd->hd_status.hs_windows_dropped++;
			pthread_mutex_unlock(&hd->hd_lock);
		}
		histdb_item_free(it);
	}
}

/* ---- the object ---- */

static char *
histdb_strdup(const char *s, int *failed)
{
	char	*d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*failed = 1;
	return d;
}

/* The spool's directory: the configured one, or "history-spool" beside
 * the database file (the state directory for PostgreSQL).  Only that
 * last directory is ever made: a state directory that does not exist is
 * the operator's to create, not coremond's. */
static char *
histdb_spool_dir(const struct histdb_config *cf, enum histdb_kind kind)
{
	const char	*slash;
	char		*d;

	if (cf->hc_spool_dir != NULL)
		return strdup(cf->hc_spool_dir);
	if (kind != HISTDB_KIND_SQLITE)
		return strdup(HISTDB_SPOOL_DIR);
	slash = strrchr(cf->hc_target, '/');
	if (asprintf(&d, "%.*s/" HISTDB_SPOOL_NAME,
	    slash == NULL ? 1 : (int)(slash - cf->hc_target),
	    slash == NULL ? "." : cf->hc_target) < 0)
		return NULL;
	return d;
}

struct histdb *
histdb_new(const struct histdb_config *cf, const struct services *sv,
    char *err, size_t errlen)
{
	struct histdb		*hd;
	pthread_condattr_t	 ca;
	char			 host[HISTDB_NAME_MAX];
	int			 failed = 0;

	if (cf->hc_top > HISTDB_TOP_MAX) {
		errbuf_set(err, errlen, "historyTopSessions %u is more than "
		    "%d", cf->hc_top, HISTDB_TOP_MAX);
		return NULL;
	}
	if ((hd = calloc(1, sizeof(*hd))) == NULL) {
		errbuf_set(err, errlen, "out of memory");
		return NULL;
	}
	hd->hd_config = *cf;
	hd->hd_services = sv;
	hd->hd_kind = histdb_kind_of(cf->hc_target);
	hd->hd_backend = hd->hd_kind == HISTDB_KIND_POSTGRESQL ? &histdb_pg :
	    &histdb_sqlite;
	if (cf->hc_agent == NULL || *cf->hc_agent == '\0') {
		if (gethostname(host, sizeof(host)) < 0)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		hd->hd_agent = histdb_strdup(host, &failed);
	} else
		hd->hd_agent = histdb_strdup(cf->hc_agent, &failed);
	hd->hd_target = histdb_strdup(hd->hd_kind == HISTDB_KIND_NONE ?
	    "none" : cf->hc_target, &failed);
	hd->hd_password_file = histdb_strdup(cf->hc_password_file, &failed);
	if (hd->hd_kind != HISTDB_KIND_NONE &&
	    (hd->hd_spool_dir = histdb_spool_dir(cf, hd->hd_kind)) == NULL)
		failed = 1;
	if (failed) {
		errbuf_set(err, errlen, "out of memory");
		histdb_free(hd);
		return NULL;
	}
	/* The backends see our copies, the agent's name resolved. */
	hd->hd_config.hc_target = hd->hd_target;
	hd->hd_config.hc_agent = hd->hd_agent;
	hd->hd_config.hc_password_file = hd->hd_password_file;
	hd->hd_config.hc_spool_dir = hd->hd_spool_dir;
	pthread_mutex_init(&hd->hd_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&hd->hd_wake, &ca);
	pthread_cond_init(&hd->hd_room, &ca);
	pthread_condattr_destroy(&ca);
	hd->hd_inited = 1;
	hd->hd_status.hs_kind = hd->hd_kind;
	hd->hd_status.hs_state = hd->hd_kind == HISTDB_KIND_NONE ?
	    HISTDB_STATE_OFF : HISTDB_STATE_SPOOLING;
	return hd;
}

void
histdb_set_names(struct histdb *hd, struct hostdb *names)
{
	hd->hd_names = names;
}

int
histdb_start(struct histdb *hd, char *err, size_t errlen)
{
	char	why[HISTDB_ERROR_MAX];

	if (hd->hd_kind == HISTDB_KIND_NONE || hd->hd_running)
		return 0;
	if (histdb_connect(hd, err, errlen) < 0 && errno == EINVAL)
		return -1;
	hd->hd_spool = histdb_spool_open(hd->hd_spool_dir,
	    hd->hd_config.hc_spool_max, why, sizeof(why));
	if (hd->hd_spool == NULL)
		histdb_warn(hd, "spool %s: %s; windows are dropped while the "
		    "database cannot be written", hd->hd_spool_dir, why);
	histdb_set_state(hd, 0);
	if (pthread_create(&hd->hd_thread, NULL, histdb_writer, hd) != 0) {
		errbuf_set(err, errlen, "cannot start the writer thread");
		histdb_spool_close(hd->hd_spool);
		hd->hd_spool = NULL;
		histdb_disconnect(hd);
		return -1;
	}
	pthread_mutex_lock(&hd->hd_lock);
	hd->hd_running = 1;
	pthread_mutex_unlock(&hd->hd_lock);
	return 0;
}

void
histdb_stop(struct histdb *hd, unsigned int wait_ms)
{
	if (hd == NULL)
		return;
	pthread_mutex_lock(&hd->hd_lock);
	if (!hd->hd_running) {
		pthread_mutex_unlock(&hd->hd_lock);
		return;
	}
	hd->hd_stopping = 1;
	hd->hd_stop_by_ms = histdb_mono_ms() + wait_ms;
	pthread_cond_signal(&hd->hd_wake);
	pthread_cond_broadcast(&hd->hd_room);
	pthread_mutex_unlock(&hd->hd_lock);
	pthread_join(hd->hd_thread, NULL);
	histdb_leftovers(hd);
	/* The state as the writer left it (a clean stop is not an outage),
	 * the spool's figures as they are now. */
	histdb_set_state(hd, 0);
	histdb_disconnect(hd);
	histdb_spool_close(hd->hd_spool);
	hd->hd_spool = NULL;
	pthread_mutex_lock(&hd->hd_lock);
	hd->hd_running = 0;
	pthread_mutex_unlock(&hd->hd_lock);
}

void
histdb_status(struct histdb *hd, struct histdb_status *st)
{
	pthread_mutex_lock(&hd->hd_lock);
	*st = hd->hd_status;
	pthread_mutex_unlock(&hd->hd_lock);
}

void
histdb_free(struct histdb *hd)
{
	if (hd == NULL)
		return;
	if (hd->hd_inited) {
		histdb_stop(hd, 0);
		pthread_cond_destroy(&hd->hd_wake);
		pthread_cond_destroy(&hd->hd_room);
		pthread_mutex_destroy(&hd->hd_lock);
	}
	free(hd->hd_target);
	free(hd->hd_agent);
	free(hd->hd_password_file);
	free(hd->hd_spool_dir);
	free(hd);
}
