/*
 * histdb_build: what a closed window becomes on its way to the history
 * database.  On the capture thread, histdb_item_new() copies what the
 * window_closed and the extra hold (the window lives only during the
 * consumer's call); on the writer thread, histdb_build() turns the item
 * into a batch of rows (histdb_int.h): a windows row per capture source,
 * services, the top sessions ranked as cmSessionTopTable (window_rank),
 * the remote hosts added up by service with their names from the host
 * database's snapshot, and the probes.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/hash.h"
#include "store/histdb_int.h"
#include "store/hostdb.h"


/* An address as text.  IPv4 by hand: inet_ntop formats it with printf,
 * a fifth of the batch's cost on a window of 100,000 hosts. */
static void
histdb_addr_text(int family, const uint8_t *a, char *buf, size_t len)
{
	char		*p = buf;
	unsigned int	 i, v;

	if (family == AF_INET && len >= INET_ADDRSTRLEN) {
		for (i = 0; i < 4; i++) {
			v = a[i];
			if (v >= 100)
				*p++ = (char)('0' + v / 100);
			if (v >= 10)
				*p++ = (char)('0' + v / 10 % 10);
			*p++ = (char)('0' + v % 10);
			*p++ = i < 3 ? '.' : '\0';
		}
		return;
	}
	if (family != AF_INET && family != AF_INET6) {
		buf[0] = '\0';
		return;
	}
	if (inet_ntop(family, a, buf, (socklen_t)len) == NULL)
		buf[0] = '\0';
}

static const char *
histdb_service_name(const struct histdb_build_ctx *hd, unsigned int index)
{
	const struct service	*sv = services_get(hd->bc_services, index);

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
histdb_build_services(const struct histdb_build_ctx *hd, const struct histdb_item *it,
    struct histdb_batch *b)
{
	const struct session_counts	*c;
	struct histdb_service_row	*r;
	size_t				 i, n;

	if (!it->hi_has_totals)
		return 0;
	n = services_count(hd->bc_services);
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

static int
histdb_build_sessions(const struct histdb_build_ctx *hd, const struct histdb_item *it,
    struct histdb_batch *b)
{
	struct histdb_session_row	*r;
	const struct session		*se;
	uint32_t			*heap;
	size_t				 top, n, i;

	top = hd->bc_top;
	if (top == 0 || it->hi_nsessions == 0)
		return 0;
	if ((heap = calloc(top, sizeof(*heap))) == NULL)
		return -1;
	/* window.c's ranking: the rows are cmSessionTopTable's. */
	n = window_rank(heap, top, it->hi_sessions, it->hi_nsessions);
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

/* The primary key's order within a window's day (address, then service,
 * both as text, as SQLite's BINARY collation and PostgreSQL's "C" compare
 * them): rows that come in key order append to the b-tree's pages
 * instead of touching a random page each.  Sorts pointers: an aggregate
 * is ten times the size of one. */
static int
histdb_agg_cmp(const void *a, const void *b)
{
	const struct histdb_agg	*x = *(const struct histdb_agg *const *)a;
	const struct histdb_agg	*y = *(const struct histdb_agg *const *)b;
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

/* The context's buffers for at least n (host, service) sums.  0, or -1
 * (memory; what was there is kept). */
static int
histdb_reserve(struct histdb_build_ctx *hd, size_t n)
{
	struct histdb_agg	*agg, **order;
	uint32_t		*name_at;

	if (n <= hd->bc_cap)
		return 0;
	n += n / 4;	/* a window a little bigger than this one */
	if ((agg = realloc(hd->bc_agg, n * sizeof(*agg))) == NULL)
		return -1;
	hd->bc_agg = agg;
	if ((order = realloc(hd->bc_order, n * sizeof(*order))) == NULL)
		return -1;
	hd->bc_order = order;
	if ((name_at = realloc(hd->bc_name_at, n * sizeof(*name_at))) == NULL)
		return -1;
	hd->bc_name_at = name_at;
	hd->bc_cap = n;
	return 0;
}

void
histdb_build_release(struct histdb_build_ctx *hd)
{
	free(hd->bc_agg);
	free(hd->bc_order);
	free(hd->bc_name_at);
	hd->bc_agg = NULL;
	hd->bc_order = NULL;
	hd->bc_name_at = NULL;
	hd->bc_cap = 0;
}

/* Adds the sessions with one end local up by (remote host, service), as
 * the host database does with its default scope, into the context's
 * bc_agg; how many in *np.  0, or -1 (memory). */
static int
histdb_add_hosts(struct histdb_build_ctx *hd, const struct histdb_item *it,
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

	*np = 0;
	if (it->hi_nsessions == 0)
		return 0;
	if (histdb_reserve(hd, it->hi_nsessions) < 0)
		return -1;
	agg = hd->bc_agg;
	if ((h = hash_new(it->hi_nsessions, 0, histdb_agg_eq, &hd->bc_agg)) ==
	    NULL)
		return -1;
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
	*np = n;
	return 0;
}

/* Names, one after the other with their NULs, in a buffer that grows. */
struct histdb_names {
	char	*hn_buf;
	size_t	 hn_len, hn_cap;
};

/* The name the host database's latest snapshot has for a host appended
 * to nm: its offset plus one, or 0 when it has none (or no memory). */
static uint32_t
histdb_name_of(const struct hostdb_snapshot *sn, const struct histdb_hkey *k,
    struct histdb_names *nm)
{
	struct hostdb_host	 hh;
	size_t			 pos, len, cap;
	char			*buf;
	uint32_t		 at;

	pos = hostdb_snapshot_seek(sn, k->hk_family, k->hk_addr);
	if (pos >= sn->hs_entries || hostdb_snapshot_host(sn, pos, &hh) < 0)
		return 0;
	if (hh.hh_family != k->hk_family || memcmp(hh.hh_addr, k->hk_addr,
	    k->hk_family == AF_INET ? 4 : 16) != 0 || hh.hh_name == NULL ||
	    *hh.hh_name == '\0')
		return 0;
	len = strnlen(hh.hh_name, HISTDB_HOSTNAME_MAX - 1);
	if (nm->hn_len + len + 1 > nm->hn_cap) {
		cap = nm->hn_cap > 0 ? nm->hn_cap * 2 : 4096;
		while (cap < nm->hn_len + len + 1)
			cap *= 2;
		if (cap > UINT32_MAX || (buf = realloc(nm->hn_buf, cap)) ==
		    NULL)
			return 0;	/* the row without its name */
		nm->hn_buf = buf;
		nm->hn_cap = cap;
	}
	at = (uint32_t)nm->hn_len;
	memcpy(nm->hn_buf + at, hh.hh_name, len);
	nm->hn_buf[at + len] = '\0';
	nm->hn_len += len + 1;
	return at + 1;
}

/* s into buf of len bytes, cut to fit: a name, without printf's cost
 * (100,000 rows a window). */
static void
histdb_copy(char *buf, size_t len, const char *s)
{
	size_t	n = strlen(s);

	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

static int
histdb_build_hosts(struct histdb_build_ctx *hd, const struct histdb_item *it,
    struct histdb_batch *b)
{
	const struct hostdb_snapshot	*sn = NULL;
	struct histdb_host_row		*r;
	struct histdb_agg		*a;
	struct histdb_names		 nm;
	size_t				 n, i;

	if (histdb_add_hosts(hd, it, &n) < 0)
		return -1;
	if (n == 0)
		return 0;
	if ((b->hb_hosts = malloc(n * sizeof(*r))) == NULL)
		return -1;	/* histdb_build frees hb_hosts */
	for (i = 0; i < n; i++) {
		a = &hd->bc_agg[i];
		histdb_addr_text(a->ha_key.hk_family, a->ha_key.hk_addr,
		    a->ha_addr, sizeof(a->ha_addr));
		a->ha_service = histdb_service_name(hd, a->ha_key.hk_service);
		hd->bc_order[i] = a;
	}
	qsort(hd->bc_order, n, sizeof(*hd->bc_order), histdb_agg_cmp);
	memset(&nm, 0, sizeof(nm));
	if (hd->bc_names != NULL)
		sn = hostdb_acquire(hd->bc_names);
	for (i = 0; i < n; i++) {
		a = hd->bc_order[i];
		r = &b->hb_hosts[i];
		histdb_copy(r->hr_addr, sizeof(r->hr_addr), a->ha_addr);
		histdb_copy(r->hr_service, sizeof(r->hr_service),
		    a->ha_service);
		r->hr_octets_in = a->ha_counts.sc_octets_in;
		r->hr_octets_out = a->ha_counts.sc_octets_out;
		r->hr_packets_in = a->ha_counts.sc_packets_in;
		r->hr_packets_out = a->ha_counts.sc_packets_out;
		r->hr_first_s = a->ha_first_us / 1000000;
		r->hr_last_s = a->ha_last_us / 1000000;
		hd->bc_name_at[i] = sn != NULL ?
		    histdb_name_of(sn, &a->ha_key, &nm) : 0;
	}
	hostdb_release(sn);
	/* The names where they stay, so their places are known now. */
	b->hb_names = nm.hn_buf;
	for (i = 0; i < n; i++)
		b->hb_hosts[i].hr_name = hd->bc_name_at[i] > 0 ?
		    nm.hn_buf + hd->bc_name_at[i] - 1 : NULL;
	b->hb_nhosts = n;
	return 0;
}

/* A queued window's rows.  0, or -1 (memory; nothing left allocated). */
int
histdb_build(struct histdb_build_ctx *hd, const struct histdb_item *it,
    struct histdb_batch *b)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->hb_agent, sizeof(b->hb_agent), "%s", hd->bc_agent);
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
	if (it->hi_nprocs > 0) {
		if ((b->hb_procs = calloc(it->hi_nprocs,
		    sizeof(*b->hb_procs))) == NULL)
			goto fail;
		memcpy(b->hb_procs, it->hi_procs,
		    it->hi_nprocs * sizeof(*b->hb_procs));
		b->hb_nprocs = it->hi_nprocs;
	}
	return 0;
fail:
	histdb_batch_free(b);
	return -1;
}


void
histdb_item_free(struct histdb_item *it)
{
	if (it == NULL)
		return;
	free(it->hi_sessions);
	free(it->hi_sources);
	free(it->hi_probes);
	free(it->hi_procs);
	free(it);
}

/* A copy of what the consumer was handed, or NULL (memory). */
struct histdb_item *
histdb_item_new(const struct window_closed *wd, const struct histdb_extra *ex,
    struct session **spare, size_t cap)
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
		if (*spare != NULL && cap >= wd->wd_nsessions) {
			it->hi_sessions = *spare;
			it->hi_cap = cap;
			*spare = NULL;
		} else if ((it->hi_sessions = malloc(wd->wd_nsessions *
		    sizeof(*it->hi_sessions))) == NULL)
			goto fail;
		else
			it->hi_cap = wd->wd_nsessions;
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
	if (ex->he_nprocs > 0) {
		if ((it->hi_procs = calloc(ex->he_nprocs,
		    sizeof(*it->hi_procs))) == NULL)
			goto fail;
		memcpy(it->hi_procs, ex->he_procs,
		    ex->he_nprocs * sizeof(*it->hi_procs));
		it->hi_nprocs = ex->he_nprocs;
	}
	return it;
fail:
	histdb_item_free(it);
	return NULL;
}

