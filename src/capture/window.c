/*
 * window: cutting the packet stream into windows, ranking each, and
 * publishing its snapshot.
 *
 * Ranking keeps the best wc_top entries with topn (a bounded min-heap,
 * sorted in place at the end), so a close is O(n log N) for n sessions
 * and N rows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/window.h"
#include "lib/topn.h"

struct window {
	struct window_config	 w_config;
	int64_t			 w_interval_us;
	struct session_table	*w_table;
	int			 w_open;
	int64_t			 w_start_us;
	int64_t			 w_end_us;
	int64_t			 w_newest_us;	/* latest packet or start */
	uint64_t		 w_number;
	uint64_t		 w_skipped;
	uint64_t		 w_empty_closed;	/* of WINDOW_MAX_EMPTY */
	uint64_t		 w_late[WINDOW_SOURCES];
	uint64_t		 w_overflowed_total;
	struct session_counts	 w_cum_remote;
	struct session_counts	 w_cum_by_proto[256];
	struct session_counts	 w_cum_by_service[SERVICES_MAX + 1];
	uint32_t		*w_heap;	/* wc_top entry indexes */
	void			(*w_consumer)(const struct window_closed *,
				    void *);
	void			*w_consumer_arg;
	struct snapshot_slot	 w_slot;	/* the latest closed window */
};

void
window_config_default(struct window_config *wc)
{
	memset(wc, 0, sizeof(*wc));
	wc->wc_interval = WINDOW_INTERVAL_DEFAULT;
	wc->wc_top = WINDOW_TOP_DEFAULT;
	wc->wc_max_sessions = SESSION_MAX_DEFAULT;
}

struct window *
window_new(const struct window_config *wc, const struct services *sv,
    const struct localnet *ln)
{
	struct window	*w;

	if (wc->wc_interval == 0 || wc->wc_top == 0 ||
	    wc->wc_top > WINDOW_TOP_MAX) {
		errno = EINVAL;
		return NULL;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	snapshot_slot_init(&w->w_slot);
	w->w_config = *wc;
	w->w_interval_us = (int64_t)wc->wc_interval * 1000000;
	w->w_heap = malloc(wc->wc_top * sizeof(*w->w_heap));
	w->w_table = session_table_new(wc->wc_max_sessions, sv, ln, 0);
	if (w->w_heap == NULL || w->w_table == NULL) {
		window_free(w);
		return NULL;
	}
	return w;
}

void
window_free(struct window *w)
{
	int	saved = errno;

	if (w == NULL)
		return;
	snapshot_slot_destroy(&w->w_slot);
	session_table_free(w->w_table);
	free(w->w_heap);
	free(w);
	errno = saved;
}

void
window_set_consumer(struct window *w,
    void (*consumer)(const struct window_closed *, void *), void *arg)
{
	w->w_consumer = consumer;
	w->w_consumer_arg = arg;
}

/* Does a rank before b? */
static int
window_before(const struct session *a, const struct session *b)
{
	uint64_t	ao = a->se_octets_in + a->se_octets_out;
	uint64_t	bo = b->se_octets_in + b->se_octets_out;
	uint64_t	ap, bp;

	if (ao != bo)
		return ao > bo;
	ap = a->se_packets_in + a->se_packets_out;
	bp = b->se_packets_in + b->se_packets_out;
	if (ap != bp)
		return ap > bp;
	return session_key_cmp(&a->se_key, &b->se_key) < 0;
}

static int
window_before_index(uint32_t a, uint32_t b, const void *arg)
{
	const struct session	*e = arg;

	return window_before(&e[a], &e[b]);
}

size_t
window_rank(uint32_t *heap, size_t top, const struct session *e, size_t n)
{
	struct topn	tn;
	size_t		i;

	topn_init(&tn, heap, top, window_before_index, e);
	for (i = 0; i < n; i++)
		topn_push(&tn, (uint32_t)i);
	return topn_sort(&tn);
}

/* octets per second over length_us, without overflowing. */
static uint64_t
window_rate(uint64_t octets, int64_t length_us)
{
	uint64_t	len = length_us > 0 ? (uint64_t)length_us : 1;

	return octets / len * 1000000 + octets % len * 1000000 / len;
}

static void
window_fill_row(struct window_row *wr, const struct session *se,
    int64_t start_us, int64_t length_us)
{
	memset(wr, 0, sizeof(*wr));
	wr->wr_key = se->se_key;
	wr->wr_service = se->se_service;
	wr->wr_flags = se->se_flags;
	wr->wr_counts.sc_octets_in = se->se_octets_in;
	wr->wr_counts.sc_octets_out = se->se_octets_out;
	wr->wr_counts.sc_packets_in = se->se_packets_in;
	wr->wr_counts.sc_packets_out = se->se_packets_out;
	wr->wr_rate = window_rate(se->se_octets_in + se->se_octets_out,
	    length_us);
	wr->wr_first_us = session_tick_us(start_us, se->se_first);
	wr->wr_last_us = session_tick_us(start_us, se->se_last);
}

static void
window_add_counts(struct session_counts *sum, const struct session_counts *c)
{
	sum->sc_octets_in += c->sc_octets_in;
	sum->sc_octets_out += c->sc_octets_out;
	sum->sc_packets_in += c->sc_packets_in;
	sum->sc_packets_out += c->sc_packets_out;
}

/* Adds the closing window to the since-start sums. */
static void
window_accumulate(struct window *w, const struct session_totals *tt,
    uint64_t overflowed)
{
	size_t	i;

	window_add_counts(&w->w_cum_remote, &tt->tt_remote);
	for (i = 0; i < 256; i++)
		window_add_counts(&w->w_cum_by_proto[i], &tt->tt_by_proto[i]);
	for (i = 0; i <= SERVICES_MAX; i++)
		window_add_counts(&w->w_cum_by_service[i],
		    &tt->tt_by_service[i]);
	w->w_overflowed_total += overflowed;
}

static void
window_snapshot_free(struct snapshot *sn)
{
	free(sn);	/* one allocation, wn_snap first */
}

/* The snapshot of the window closing after length_us, or NULL. */
static struct window_snapshot *
window_build_snapshot(struct window *w, int64_t length_us,
    uint64_t overflowed)
{
	struct window_snapshot	*sn;
	const struct session	*e;
	size_t			 n, nrows, i, bytes;

	e = session_table_entries(w->w_table, &n);
	nrows = window_rank(w->w_heap, w->w_config.wc_top, e, n);
	bytes = sizeof(*sn) + nrows * sizeof(sn->wn_rows[0]);
	if ((sn = calloc(1, bytes)) == NULL)
		return NULL;
	sn->wn_number = w->w_number;
	sn->wn_start_us = w->w_start_us;
	sn->wn_length_us = length_us;
	sn->wn_sessions = session_table_count(w->w_table) + overflowed;
	sn->wn_overflowed = overflowed;
	sn->wn_max_sessions = (uint32_t)session_table_max(w->w_table);
	sn->wn_top_size = w->w_config.wc_top;
	sn->wn_totals = *session_table_totals(w->w_table);
	sn->wn_overflowed_total = w->w_overflowed_total;
	sn->wn_windows_skipped = w->w_skipped;
	memcpy(sn->wn_late_packets, w->w_late, sizeof(sn->wn_late_packets));
	sn->wn_cum_remote = w->w_cum_remote;
	memcpy(sn->wn_cum_by_proto, w->w_cum_by_proto,
	    sizeof(sn->wn_cum_by_proto));
	memcpy(sn->wn_cum_by_service, w->w_cum_by_service,
	    sizeof(sn->wn_cum_by_service));
	sn->wn_bytes = bytes;
	/* The window's own reference, handed to the slot at publish. */
	snapshot_init(&sn->wn_snap, window_snapshot_free);
	sn->wn_nrows = nrows;
	for (i = 0; i < nrows; i++)
		window_fill_row(&sn->wn_rows[i], &e[w->w_heap[i]],
		    w->w_start_us, length_us);
	return sn;
}

/* Closes the open window as [start, end_us).  0, or -1 when its snapshot
 * could not be made (ENOMEM: consumer and counters still see it). */
static int
window_close(struct window *w, int64_t end_us)
{
	struct window_closed	 wd;
	struct window_snapshot	*sn;
	uint64_t		 overflowed;

	overflowed = session_table_overflowed(w->w_table);
	w->w_number++;
	window_accumulate(w, session_table_totals(w->w_table), overflowed);
	sn = window_build_snapshot(w, end_us - w->w_start_us, overflowed);
	if (w->w_consumer != NULL) {
		memset(&wd, 0, sizeof(wd));
		wd.wd_snapshot = sn;
		wd.wd_number = w->w_number;
		wd.wd_start_us = w->w_start_us;
		wd.wd_length_us = end_us - w->w_start_us;
		wd.wd_sessions = session_table_entries(w->w_table,
		    &wd.wd_nsessions);
		wd.wd_totals = session_table_totals(w->w_table);
		w->w_consumer(&wd, w->w_consumer_arg);
	}
	w->w_open = 0;
	if (sn == NULL) {
		errno = ENOMEM;
		return -1;
	}
	snapshot_publish(&w->w_slot, &sn->wn_snap);
	return 0;
}

/* Opens [start_us, end_us) with an empty table. */
static void
window_open(struct window *w, int64_t start_us, int64_t end_us)
{
	session_table_clear(w->w_table, start_us);
	w->w_open = 1;
	w->w_start_us = start_us;
	w->w_end_us = end_us;
	w->w_newest_us = start_us;
}

/* The grid line at or before t. */
static int64_t
window_grid(const struct window *w, int64_t t)
{
	int64_t	r = t % w->w_interval_us;

	return t - (r < 0 ? r + w->w_interval_us : r);
}

/* The first window: from t to the next grid line. */
static void
window_open_at(struct window *w, int64_t t)
{
	window_open(w, t, window_grid(w, t) + w->w_interval_us);
}

/*
 * Closes the open window, and the empty ones of a gap while the run's
 * WINDOW_MAX_EMPTY last (the rest counted as skipped), and opens the
 * grid window that holds t, which is at or past the open one's end.
 * The number closed, or -1 if a snapshot failed (every window is still
 * closed).
 */
static int
window_advance(struct window *w, int64_t t)
{
	int64_t		next = w->w_end_us, gap = 0, i, n;
	int		closed = 0, failed = 0;

	if (t >= next + w->w_interval_us)
		gap = (window_grid(w, t) - next) / w->w_interval_us;
	n = (int64_t)(WINDOW_MAX_EMPTY - w->w_empty_closed);
	if (n > gap)
		n = gap;
	w->w_skipped += (uint64_t)(gap - n);
	w->w_empty_closed += (uint64_t)n;
	failed |= window_close(w, next);
	closed++;
	for (i = 0; i < n; i++) {
		window_open(w, next, next + w->w_interval_us);
		next += w->w_interval_us;
		failed |= window_close(w, next);
		closed++;
	}
	next = window_grid(w, t);
	window_open(w, next, next + w->w_interval_us);
	return failed ? -1 : closed;
}

/* Times outside the documented range (a caller's bug: capture never
 * hands them over) are pinned to it, so no sum below can overflow. */
static int
window_in_range(int64_t t)
{
	return t >= 0 && t <= WINDOW_TIME_MAX_US;
}

static int64_t
window_clamp(int64_t t)
{
	if (t < 0)
		return 0;
	return t > WINDOW_TIME_MAX_US ? WINDOW_TIME_MAX_US : t;
}

/* Adds n packets of one source, all before the open window's end, to
 * it; those dated before its start are late, counted at its start. */
static void
window_take(struct window *w, const struct decode_pkt *dp,
    const int64_t *ts_us, size_t n, unsigned int source)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (ts_us[i] > w->w_newest_us)
			w->w_newest_us = ts_us[i];
		else if (ts_us[i] < w->w_start_us &&
		    source < WINDOW_SOURCES)
			w->w_late[source]++;
	}
	if (n == 1)
		session_add_packet(w->w_table, dp, ts_us[0], source);
	else
		session_add_batch(w->w_table, dp, ts_us, n, source);
}

int
window_add_packet(struct window *w, const struct decode_pkt *dp,
    int64_t ts_us, unsigned int source)
{
	int	rc = 0;

	ts_us = window_clamp(ts_us);
	if (!w->w_open)
		window_open_at(w, ts_us);
	else if (ts_us >= w->w_end_us)
		rc = window_advance(w, ts_us);
	window_take(w, dp, &ts_us, 1, source);
	return rc;
}

int
window_add_batch(struct window *w, const struct decode_pkt *dp,
    const int64_t *ts_us, size_t n, unsigned int source)
{
	size_t	i, j;
	int	rc = 0, closed = 0, failed = 0;

	for (i = 0; i < n; i = j) {
		if (!window_in_range(ts_us[i])) {
			rc = window_add_packet(w, dp + i, ts_us[i], source);
			j = i + 1;
		} else {
			if (!w->w_open)
				window_open_at(w, ts_us[i]);
			else if (ts_us[i] >= w->w_end_us)
				rc = window_advance(w, ts_us[i]);
			/* The run of packets that falls in this window,
			 * late ones too. */
			for (j = i + 1; j < n && window_in_range(ts_us[j]) &&
			    ts_us[j] < w->w_end_us; j++)
				continue;
			window_take(w, dp + i, ts_us + i, j - i, source);
		}
		if (rc < 0)
			failed = 1;
		else
			closed += rc;
		rc = 0;
	}
	return failed ? -1 : closed;
}

int
window_tick(struct window *w, int64_t now_us)
{
	now_us = window_clamp(now_us);
	if (!w->w_open) {
		window_open_at(w, now_us);
		return 0;
	}
	if (now_us < w->w_start_us - w->w_interval_us) {
		/* The wall clock was stepped back: end the window at its
		 * last packet and follow the clock on a new grid. */
		int failed = window_close(w, w->w_newest_us + 1);

		window_open_at(w, now_us);
		return failed ? -1 : 1;
	}
	if (now_us >= w->w_end_us)
		return window_advance(w, now_us);
	return 0;
}

int
window_flush(struct window *w)
{
	if (!w->w_open)
		return 0;
	return window_close(w, w->w_newest_us + 1) < 0 ? -1 : 1;
}

/* The snapshot API, typed: wn_snap is first, so the pointers convert. */
const struct window_snapshot *
window_acquire(struct window *w)
{
	return (const struct window_snapshot *)snapshot_acquire(&w->w_slot);
}

void
window_snapshot_hold(const struct window_snapshot *sn)
{
	snapshot_hold(sn ? &sn->wn_snap : NULL);
}

void
window_release(const struct window_snapshot *sn)
{
	snapshot_release(sn ? &sn->wn_snap : NULL);
}

size_t
window_memory(const struct window *w)
{
	return sizeof(*w) + w->w_config.wc_top * sizeof(*w->w_heap) +
	    session_table_memory(w->w_table);
}
