/*
 * window: the top N of a window equals the head of a full sort of every
 * session (done here with qsort and an ordering written independently),
 * totals and since-start sums add up, windows are cut by packet time on
 * an aligned grid (gaps, huge gaps, time stepping back, flush, tick),
 * the consumer sees every session before the table is cleared, and a
 * held snapshot survives later windows unchanged.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "capture/window.h"
#include "check.h"
#include "fixture.h"

#define TCP	6
#define UDP	17
#define SEC	1000000LL
#define T	(1700000010LL * SEC)	/* on the 30 s grid */

static struct services	*sv;
static struct localnet	*ln;

/* What the consumer saw of each window. */
struct seen {
	size_t		 s_calls;
	uint64_t	 s_number[2048];
	int64_t		 s_start[2048];
	int64_t		 s_length[2048];
	size_t		 s_nsessions[2048];
	uint64_t	 s_packets;	/* remote packets of every window */
	struct session	*s_copy;	/* the last window's sessions */
	size_t		 s_ncopy;
	int		 s_had_snapshot;
};

static void
consume(const struct window_closed *wd, void *arg)
{
	struct seen	*s = arg;
	size_t		 i = s->s_calls++;

	if (i < 2048) {
		s->s_number[i] = wd->wd_number;
		s->s_start[i] = wd->wd_start_us;
		s->s_length[i] = wd->wd_length_us;
		s->s_nsessions[i] = wd->wd_nsessions;
	}
	s->s_packets += wd->wd_totals->tt_remote.sc_packets_in +
	    wd->wd_totals->tt_remote.sc_packets_out;
	s->s_had_snapshot = wd->wd_snapshot != NULL &&
	    wd->wd_snapshot->wn_number == wd->wd_number;
	free(s->s_copy);
	s->s_copy = malloc((wd->wd_nsessions + 1) * sizeof(struct session));
	if (s->s_copy != NULL)
		memcpy(s->s_copy, wd->wd_sessions,
		    wd->wd_nsessions * sizeof(struct session));
	s->s_ncopy = wd->wd_nsessions;
}

/* The ranking, written apart from window.c: octets, packets, then the
 * key field by field. */
static int
brute_cmp(const void *x, const void *y)
{
	const struct session	*a = x, *b = y;
	uint64_t		 ao = a->se_octets_in + a->se_octets_out;
	uint64_t		 bo = b->se_octets_in + b->se_octets_out;
	uint64_t		 ap = a->se_packets_in + a->se_packets_out;
	uint64_t		 bp = b->se_packets_in + b->se_packets_out;
	int			 c;

	if (ao != bo)
		return ao > bo ? -1 : 1;
	if (ap != bp)
		return ap > bp ? -1 : 1;
	if (a->se_key.sk_family != b->se_key.sk_family)
		return a->se_key.sk_family < b->se_key.sk_family ? -1 : 1;
	if (a->se_key.sk_proto != b->se_key.sk_proto)
		return a->se_key.sk_proto < b->se_key.sk_proto ? -1 : 1;
	if ((c = memcmp(a->se_key.sk_local, b->se_key.sk_local, 16)) != 0)
		return c;
	if ((c = memcmp(a->se_key.sk_remote, b->se_key.sk_remote, 16)) != 0)
		return c;
	return (a->se_key.sk_port > b->se_key.sk_port) -
	    (a->se_key.sk_port < b->se_key.sk_port);
}

static int
row_is(const struct window_row *wr, const struct session *se)
{
	return memcmp(&wr->wr_key, &se->se_key, sizeof(se->se_key)) == 0 &&
	    wr->wr_counts.sc_octets_in == se->se_octets_in &&
	    wr->wr_counts.sc_octets_out == se->se_octets_out &&
	    wr->wr_counts.sc_packets_in == se->se_packets_in &&
	    wr->wr_counts.sc_packets_out == se->se_packets_out &&
	    wr->wr_service == se->se_service;
}

static struct window *
make_window(unsigned int top, size_t max, struct seen *seen)
{
	struct window_config	 wc;
	struct window		*w;

	window_config_default(&wc);
	wc.wc_top = top;
	if (max)
		wc.wc_max_sessions = max;
	w = window_new(&wc, sv, ln);
	if (w != NULL && seen != NULL)
		window_set_consumer(w, consume, seen);
	return w;
}

/* Random sessions, many of equal volume, against a full sort. */
static void
test_top_n(unsigned int top, size_t nremote, size_t npackets, size_t max)
{
	struct seen			 seen;
	struct window			*w = make_window(top, max, &seen);
	const struct window_snapshot	*sn;
	struct decode_pkt		 p;
	uint64_t			 s = 2463534242ULL + top + nremote, r;
	size_t				 i, k, match = 0, want;

	memset(&seen, 0, sizeof(seen));
	if (w == NULL) {
		CHECK(0, "window made");
		return;
	}
	for (i = 0; i < npackets; i++) {
		r = fixture_random(&s);
		/* Sizes from a small set, so octet ties are common. */
		p = fixture_pkt4(0x0a000001, (uint16_t)(r >> 48 & 3 ? 443 : 53),
		    0xcb000000u + (uint32_t)(r % nremote), 40000,
		    (r >> 40) & 1 ? TCP : UDP, (uint32_t)(100 * (1 + (r >> 20) % 3)));
		if ((r >> 30) & 1) {
			uint8_t	t[16];

			memcpy(t, p.dp_src, 16);
			memcpy(p.dp_src, p.dp_dst, 16);
			memcpy(p.dp_dst, t, 16);
		}
		window_add_packet(w, &p, T + (int64_t)i, 0);
	}
	CHECK(window_flush(w) == 1, "flush closes the window");
	sn = window_acquire(w);
	if (sn == NULL || seen.s_copy == NULL) {
		CHECK(0, "a snapshot and the consumer's copy");
		window_free(w);
		free(seen.s_copy);
		return;
	}
	qsort(seen.s_copy, seen.s_ncopy, sizeof(*seen.s_copy), brute_cmp);
	want = seen.s_ncopy < top ? seen.s_ncopy : top;
	CHECK_U64(sn->wn_nrows, want, "top %u of %zu sessions: %zu rows", top,
	    seen.s_ncopy, want);
	for (k = 0; k < sn->wn_nrows && k < want; k++)
		match += row_is(&sn->wn_rows[k], &seen.s_copy[k]);
	CHECK_U64(match, want, "top %u of %zu sessions equals the head of a "
	    "full sort, rank by rank", top, seen.s_ncopy);
	window_release(sn);
	window_free(w);
	free(seen.s_copy);
}

static void
test_totals_and_rows(void)
{
	struct seen			 seen;
	struct window			*w = make_window(10, 0, &seen);
	const struct window_snapshot	*sn;
	const struct window_row		*wr;
	struct decode_pkt		 p;
	const unsigned int		 www = services_find(sv, "www")->sv_index;

	memset(&seen, 0, sizeof(seen));
	if (w == NULL)
		return;
	CHECK(window_acquire(w) == NULL, "no snapshot before the first close");
	p = fixture_pkt4(0x0a000001, 443, 0xcb000001, 50000, TCP, 1000);
	window_add_packet(w, &p, T + 1 * SEC, 0);
	p = fixture_pkt4(0xcb000001, 50000, 0x0a000001, 443, TCP, 500);
	window_add_packet(w, &p, T + 11 * SEC, 0);
	p = fixture_pkt4(0x0a000001, 5000, 0x0a000002, 6000, UDP,
	    99);	/* local */
	window_add_packet(w, &p, T + 12 * SEC, 0);
	p = fixture_pkt4(0xcb000001, 50000, 0x0a000001, 443, TCP, 500);
	CHECK(window_add_packet(w, &p, T + 30 * SEC, 0) == 1,
	    "a packet at the window end closes one window");
	sn = window_acquire(w);
	if (sn == NULL) {
		CHECK(0, "snapshot published");
		window_free(w);
		return;
	}
	CHECK(sn->wn_number == 1 && sn->wn_start_us == T + 1 * SEC &&
	    sn->wn_length_us == 29 * SEC,
	    "window 1 runs from the first packet to the grid line (29 s)");
	CHECK(sn->wn_nrows == 1 && sn->wn_sessions == 1 &&
	    sn->wn_overflowed == 0 && sn->wn_max_sessions == 200000 &&
	    sn->wn_top_size == 10, "one session, no overflow, the configured "
	    "sizes");
	wr = &sn->wn_rows[0];
	CHECK(wr->wr_counts.sc_octets_out == 1000 &&
	    wr->wr_counts.sc_octets_in == 500 && wr->wr_service == www &&
	    wr->wr_key.sk_port == 443, "its row: 1000 out, 500 in, www, 443");
	CHECK_U64(wr->wr_rate, 1500 / 29, "rate: 1500 octets over 29 s");
	CHECK(wr->wr_first_us <= T + 1 * SEC &&
	    wr->wr_first_us > T + 1 * SEC - 1024 &&
	    wr->wr_last_us <= T + 11 * SEC && wr->wr_last_us > T + 11 * SEC -
	    1024, "first and last packet times, absolute");
	CHECK(sn->wn_totals.tt_remote.sc_octets_out == 1000 &&
	    sn->wn_totals.tt_remote.sc_octets_in == 500 &&
	    sn->wn_totals.tt_local_octets == 99 &&
	    sn->wn_totals.tt_by_proto[TCP].sc_packets_in == 1 &&
	    sn->wn_totals.tt_by_service[www].sc_octets_out == 1000,
	    "window totals: in, out, local, by protocol, by service");
	window_release(sn);
	CHECK(window_flush(w) == 1, "flush closes window 2");
	CHECK(window_flush(w) == 0, "a second flush has nothing to close");
	sn = window_acquire(w);
	CHECK(sn != NULL && sn->wn_number == 2 &&
	    sn->wn_start_us == T + 30 * SEC && sn->wn_length_us == 1 &&
	    sn->wn_totals.tt_remote.sc_octets_in == 500,
	    "window 2: from the grid line to just past its only packet");
	CHECK(sn != NULL && sn->wn_cum_remote.sc_octets_in == 1000 &&
	    sn->wn_cum_by_proto[TCP].sc_octets_out == 1000 &&
	    sn->wn_cum_by_service[www].sc_octets_in == 1000,
	    "since-start sums cover both windows");
	window_release(sn);
	window_free(w);
	free(seen.s_copy);
}

static void
test_cutting(void)
{
	struct seen			 seen;
	struct window			*w = make_window(5, 0, &seen);
	const struct window_snapshot	*sn;
	struct decode_pkt		 p = fixture_pkt4(0x0a000001, 22,
					     0xcb000001, 40000, TCP, 100);
	struct decode_pkt		 bad = p;
	int				 rc;

	memset(&seen, 0, sizeof(seen));
	if (w == NULL)
		return;
	window_add_packet(w, &p, T + 5 * SEC, 0);
	window_add_packet(w, &p, T + 31 * SEC, 0);
	rc = window_add_packet(w, &p, T + 125 * SEC, 0);
	CHECK_U64(rc, 3, "a packet after a 94 s gap closes three windows");
	CHECK(seen.s_calls == 4 && seen.s_number[0] == 1 &&
	    seen.s_start[0] == T + 5 * SEC && seen.s_length[0] == 25 * SEC &&
	    seen.s_nsessions[0] == 1, "window 1: [T+5, T+30), one session");
	CHECK(seen.s_number[1] == 2 && seen.s_start[1] == T + 30 * SEC &&
	    seen.s_length[1] == 30 * SEC && seen.s_nsessions[1] == 1,
	    "window 2: [T+30, T+60), the packet at T+31");
	CHECK(seen.s_number[2] == 3 && seen.s_start[2] == T + 60 * SEC &&
	    seen.s_nsessions[2] == 0 && seen.s_number[3] == 4 &&
	    seen.s_start[3] == T + 90 * SEC && seen.s_nsessions[3] == 0,
	    "windows 3 and 4 of the gap are closed empty");
	CHECK(seen.s_had_snapshot, "the consumer is handed the snapshot");
	bad.dp_result = DECODE_NOT_IP;
	CHECK_U64(window_add_packet(w, &bad, T + 150 * SEC, 0), 1,
	    "a packet that did not decode still moves time on");
	rc = window_flush(w);
	CHECK(rc == 1 && seen.s_calls == 6 &&
	    seen.s_start[5] == T + 150 * SEC && seen.s_length[5] == 1 &&
	    seen.s_nsessions[5] == 0, "flush closes [T+150, T+150+1us)");
	sn = window_acquire(w);
	CHECK(sn != NULL && sn->wn_number == 6, "the latest snapshot is "
	    "window 6");
	window_release(sn);

	/* Ten years on: the current window and the empty ones left of the
	 * run's WINDOW_MAX_EMPTY (two went to the 94 s gap above); the
	 * rest skipped.  The current window is [T+200, T+210); the packet's
	 * grid window starts at T+315360000 s (T is on the grid). */
	window_add_packet(w, &p, T + 200 * SEC, 0);
	rc = window_add_packet(w, &p, T + 315360000LL * SEC + 7 * SEC, 0);
	CHECK_U64(rc, 1 + WINDOW_MAX_EMPTY - 2, "a ten-year gap closes the "
	    "window and the %d empty ones left of the run's budget",
	    WINDOW_MAX_EMPTY - 2);
	sn = window_acquire(w);
	CHECK(sn != NULL && sn->wn_windows_skipped ==
	    (315360000ULL - 210) / 30 - (WINDOW_MAX_EMPTY - 2),
	    "and counts the rest as skipped (%llu)",
	    sn ? (unsigned long long)sn->wn_windows_skipped : 0ULL);
	window_release(sn);
	window_flush(w);
	CHECK(seen.s_start[seen.s_calls - 1] == T + 315360000LL * SEC &&
	    seen.s_nsessions[seen.s_calls - 1] == 1,
	    "the packet lands in the grid window that holds it");
	rc = window_add_packet(w, &p, T + 315360000LL * SEC + 1000 * SEC, 0);
	rc += window_add_packet(w, &p, T + 315360000LL * SEC + 9000 * SEC, 0);
	CHECK_U64(rc, 1, "the budget spent, a later gap closes only the "
	    "window it ends");

	/* Packet time stepping back an hour opens nothing: the packet is
	 * late, counted in the current window at its start. */
	window_add_packet(w, &p, T + 315990000LL * SEC, 0);
	window_add_packet(w, &p, T + 315990000LL * SEC + 10 * SEC, 0);
	rc = window_add_packet(w, &p, T + 315990000LL * SEC - 3600 * SEC, 0);
	rc += window_add_packet(w, &p, T + 315990000LL * SEC - 3599 * SEC, 0);
	CHECK_U64(rc, 0, "packets an hour back close no window");
	window_flush(w);
	sn = window_acquire(w);
	CHECK(seen.s_start[seen.s_calls - 1] == T + 315990000LL * SEC &&
	    seen.s_length[seen.s_calls - 1] == 10 * SEC + 1 &&
	    sn != NULL && sn->wn_totals.tt_remote.sc_packets_out == 4 &&
	    sn->wn_late_packets[0] == 2,
	    "they count in the window that was open (4 packets), 2 late");
	window_release(sn);
	/* Slightly late: counted in the current window too. */
	window_add_packet(w, &p, T + 315991000LL * SEC, 0);
	rc = window_add_packet(w, &p, T + 315990999LL * SEC, 0);
	CHECK_U64(rc, 0, "a packet a second late closes nothing");
	window_free(w);
	free(seen.s_copy);
}

static void
test_tick(void)
{
	struct seen	 seen;
	struct window	*w = make_window(5, 0, &seen);

	memset(&seen, 0, sizeof(seen));
	if (w == NULL)
		return;
	CHECK_U64(window_tick(w, T + 10 * SEC), 0, "a first tick opens a "
	    "window");
	CHECK_U64(window_tick(w, T + 29 * SEC), 0, "a tick inside it closes "
	    "nothing");
	CHECK_U64(window_tick(w, T + 30 * SEC), 1, "a tick at its end closes "
	    "it");
	CHECK(seen.s_calls == 1 && seen.s_start[0] == T + 10 * SEC &&
	    seen.s_length[0] == 20 * SEC && seen.s_nsessions[0] == 0,
	    "a silent link gives an empty window of the right length");
	CHECK_U64(window_tick(w, T + 95 * SEC), 2, "ticks after a stall close "
	    "each window that ended");
	/* The wall clock stepped back an hour (live only): the window ends
	 * at its last packet, a new grid starts at the clock. */
	CHECK_U64(window_tick(w, T + 95 * SEC - 3600 * SEC), 1, "a tick an "
	    "hour back closes the window");
	CHECK(seen.s_start[seen.s_calls - 1] == T + 90 * SEC &&
	    seen.s_length[seen.s_calls - 1] == 1, "at its start (no packet)");
	CHECK_U64(window_tick(w, T + 125 * SEC - 3600 * SEC), 1, "and the "
	    "clock's new grid is followed: [T-3505, T-3480) closes");
	CHECK(seen.s_start[seen.s_calls - 1] == T - 3505 * SEC &&
	    seen.s_length[seen.s_calls - 1] == 25 * SEC, "from the clock's "
	    "time to the grid line");
	window_free(w);
	free(seen.s_copy);
}

/* The consumer sees every session, the overflow entry included. */
static void
test_consumer_all(void)
{
	struct seen			 seen;
	struct window			*w = make_window(3, 1000, &seen);
	const struct window_snapshot	*sn;
	struct decode_pkt		 p;
	uint64_t			 sum = 0;
	size_t				 i;

	memset(&seen, 0, sizeof(seen));
	if (w == NULL)
		return;
	for (i = 0; i < 1500; i++) {
		p = fixture_pkt4(0x0a000001, 80, 0xcb000000u + (uint32_t)i,
		    40000, TCP, 100);
		window_add_packet(w, &p, T + (int64_t)i, 0);
	}
	window_flush(w);
	sn = window_acquire(w);
	CHECK_U64(seen.s_ncopy, 1001, "the consumer gets all 1000 sessions "
	    "and the overflow entry, not only the top 3");
	for (i = 0; i < seen.s_ncopy && seen.s_copy != NULL; i++)
		sum += seen.s_copy[i].se_octets_out;
	CHECK_U64(sum, 150000, "their octets add up to every packet's");
	CHECK(sn != NULL && sn->wn_nrows == 3 &&
	    sn->wn_rows[0].wr_key.sk_family == 0 &&
	    sn->wn_rows[0].wr_counts.sc_octets_out == 50000,
	    "the overflow entry (500 sessions folded) ranks first");
	/* An estimate: 500 +- 5% is over four standard errors. */
	CHECK(sn != NULL && sn->wn_overflowed >= 475 &&
	    sn->wn_overflowed <= 525 &&
	    sn->wn_sessions == 1000 + sn->wn_overflowed &&
	    sn->wn_overflowed_total == sn->wn_overflowed,
	    "sessions seen ~1500, ~500 overflowed (estimates: %llu, %llu)",
	    sn ? (unsigned long long)sn->wn_sessions : 0ULL,
	    sn ? (unsigned long long)sn->wn_overflowed : 0ULL);
	window_release(sn);
	window_free(w);
	free(seen.s_copy);
}

/* A snapshot held across later windows and the table's reuse. */
static void
test_snapshot_survives(void)
{
	struct window			*w = make_window(20, 0, NULL);
	const struct window_snapshot	*held, *latest;
	struct window_snapshot		*copy;
	struct decode_pkt		 p;
	size_t				 i, bytes;
	int				 round;

	if (w == NULL)
		return;
	for (i = 0; i < 50; i++) {
		p = fixture_pkt4(0x0a000001, 80, 0xcb000000u + (uint32_t)i,
		    40000, TCP, 100 + (uint32_t)i);
		window_add_packet(w, &p, T + (int64_t)i, 0);
	}
	window_flush(w);
	held = window_acquire(w);
	if (held == NULL) {
		CHECK(0, "a snapshot to hold");
		window_free(w);
		return;
	}
	bytes = held->wn_bytes;
	copy = malloc(bytes);
	if (copy == NULL) {
		window_release(held);
		window_free(w);
		return;
	}
	memcpy(copy, held, bytes);
	for (round = 1; round <= 5; round++) {
		for (i = 0; i < 300; i++) {
			p = fixture_pkt4(0x0a000002, 22,
			    0xcc000000u + (uint32_t)i, 40000, TCP, 1000);
			window_add_packet(w, &p, T + round * 100 * SEC +
			    (int64_t)i, 0);
		}
		window_flush(w);
	}
	latest = window_acquire(w);
	CHECK(latest != NULL && latest != held && latest->wn_number > 5,
	    "later windows published newer snapshots");
	window_release(latest);
	copy->wn_snap = held->wn_snap;	/* private, and it did change */
	CHECK(memcmp(copy, held, bytes) == 0, "the held snapshot is unchanged "
	    "after five more windows reused the table");
	CHECK(held->wn_rows[0].wr_counts.sc_octets_out == 149,
	    "and still ranks its own window's sessions");
	window_free(w);
	CHECK(held->wn_nrows == 20, "it outlives the window itself");
	window_release(held);
	free(copy);
}

/* Batches cut windows where packets one by one do, gaps and clock steps
 * included, even when a batch spans several windows. */
static void
test_batch(void)
{
	const size_t	 n = 20000;
	struct seen	*one = calloc(1, sizeof(*one));
	struct seen	*many = calloc(1, sizeof(*many));
	struct window	*w1 = NULL, *w2 = NULL;
	struct decode_pkt *dp = calloc(n, sizeof(*dp));
	int64_t		*ts = calloc(n, sizeof(*ts));
	const struct window_snapshot *s1, *s2;
	uint64_t	 s = 5, r;
	int64_t		 t = T;
	size_t		 i, k, same = 0;

	if (one == NULL || many == NULL || dp == NULL || ts == NULL)
		goto out;
	w1 = make_window(10, 500, one);
	w2 = make_window(10, 500, many);
	if (w1 == NULL || w2 == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		r = fixture_random(&s);
		t += (int64_t)(r % 4000);		/* 2 ms apart on average */
		if (r % 500 == 0)
			t += 200 * SEC;			/* a gap */
		if (r % 791 == 0)
			t -= 40 * SEC;			/* time going back */
		ts[i] = t;
		dp[i] = fixture_pkt4(0x0a000001, 80,
		    0xcb000000u + (uint32_t)(r >> 20) % 700, 40000, TCP,
		    60 + (uint32_t)(r >> 40) % 1000);
		window_add_packet(w1, &dp[i], ts[i], 0);
	}
	for (i = 0; i < n; i += k) {
		k = 1 + fixture_random(&s) % 3000;
		if (k > n - i)
			k = n - i;
		window_add_batch(w2, dp + i, ts + i, k, 0);
	}
	window_flush(w1);
	window_flush(w2);
	for (i = 0; i < one->s_calls && i < 2048; i++)
		same += one->s_number[i] == many->s_number[i] &&
		    one->s_start[i] == many->s_start[i] &&
		    one->s_length[i] == many->s_length[i] &&
		    one->s_nsessions[i] == many->s_nsessions[i];
	CHECK(one->s_calls == many->s_calls && one->s_calls > 20 &&
	    same == one->s_calls, "batches close the same %zu windows as "
	    "packets one by one", one->s_calls);
	s1 = window_acquire(w1);
	s2 = window_acquire(w2);
	CHECK(s1 != NULL && s2 != NULL && s1->wn_bytes == s2->wn_bytes &&
	    memcmp(&s1->wn_totals, &s2->wn_totals, sizeof(s1->wn_totals)) == 0
	    && memcmp(s1->wn_rows, s2->wn_rows,
	    s1->wn_nrows * sizeof(s1->wn_rows[0])) == 0 &&
	    memcmp(s1->wn_cum_by_service, s2->wn_cum_by_service,
	    sizeof(s1->wn_cum_by_service)) == 0 &&
	    s1->wn_late_packets[0] == s2->wn_late_packets[0] &&
	    s1->wn_late_packets[0] > 0,
	    "and the last snapshots agree row by row, total by total, late "
	    "packets too (%llu)",
	    s1 ? (unsigned long long)s1->wn_late_packets[0] : 0ULL);
	window_release(s1);
	window_release(s2);
out:
	window_free(w1);
	window_free(w2);
	if (one != NULL)
		free(one->s_copy);
	if (many != NULL)
		free(many->s_copy);
	free(one);
	free(many);
	free(dp);
	free(ts);
}

/*
 * Issue 10, defect 7: time jumping back and forth.  200 packets
 * alternating T and T + jump (T on the 30 s grid): the window [T, T+30)
 * with the first packet, the empty grid windows up to the one holding
 * T + jump, and that one, holding the 100 packets at T + jump and the
 * 99 later ones at T, late.  Nothing else.
 */
static void
back_and_forth(int64_t jump_s, uint64_t empty, uint64_t skipped)
{
	struct seen			*seen = calloc(1, sizeof(*seen));
	struct window			*w = make_window(5, 0, seen);
	const struct window_snapshot	*sn;
	struct decode_pkt		 p = fixture_pkt4(0x0a000001, 22,
					     0xcb000001, 40000, TCP, 100);
	int				 i;

	if (seen == NULL || w == NULL)
		goto out;
	for (i = 0; i < 200; i++)
		window_add_packet(w, &p, T + (i % 2 ? jump_s * SEC : 0) +
		    i, 0);
	window_flush(w);
	sn = window_acquire(w);
	CHECK_U64(seen->s_calls, 1 + empty + 1, "T and T+%llds alternating "
	    "200 times: the first window, %llu empty ones, the last",
	    (long long)jump_s, (unsigned long long)empty);
	CHECK(sn != NULL && sn->wn_late_packets[0] == 99 &&
	    sn->wn_windows_skipped == skipped && seen->s_packets == 200 &&
	    sn->wn_totals.tt_remote.sc_packets_out == 199,
	    "every packet counted once, 199 in the last window, 99 of them "
	    "late; %llu windows skipped", (unsigned long long)skipped);
	window_release(sn);
out:
	window_free(w);
	if (seen != NULL)
		free(seen->s_copy);
	free(seen);
}

/* The budget of empty windows is the run's: six packets 30,000 s apart
 * (1,000 grid windows, so 999 empty in each of 5 gaps) give 6 windows
 * with a packet and 1,000 empty ones, the other 3,995 skipped. */
static void
test_empty_budget(void)
{
	struct seen			*seen = calloc(1, sizeof(*seen));
	struct window			*w = make_window(5, 0, seen);
	const struct window_snapshot	*sn;
	struct decode_pkt		 p = fixture_pkt4(0x0a000001, 22,
					     0xcb000001, 40000, TCP, 100);
	int				 k;

	if (seen == NULL || w == NULL)
		goto out;
	for (k = 0; k <= 5; k++)
		window_add_packet(w, &p, T + k * 30000LL * SEC, 0);
	window_flush(w);
	sn = window_acquire(w);
	CHECK_U64(seen->s_calls, 6 + 1000, "five 30,000 s gaps close 1,006 "
	    "windows in all");
	CHECK(sn != NULL && sn->wn_windows_skipped == 5 * 999 - 1000 &&
	    seen->s_packets == 6, "and skip 3,995 (%llu); 6 packets counted",
	    sn ? (unsigned long long)sn->wn_windows_skipped : 0ULL);
	window_release(sn);
out:
	window_free(w);
	if (seen != NULL)
		free(seen->s_copy);
	free(seen);
}

int
main(void)
{
	if (fixture_world(&sv, &ln, "10.0.0.0/8") < 0) {
		CHECK(0, "fixture");
		return check_done();
	}
	test_top_n(100, 20000, 200000, 0);	/* the default N */
	test_top_n(1, 500, 5000, 0);
	test_top_n(1000, 5000, 20000, 0);
	test_top_n(100, 40, 2000, 0);		/* fewer sessions than N */
	test_top_n(100, 3000, 30000, 1000);	/* with an overflow entry */
	test_totals_and_rows();
	test_cutting();
	test_tick();
	test_consumer_all();
	test_snapshot_survives();
	test_batch();
	back_and_forth(3000, 99, 0);
	back_and_forth(31000, 1000, 1032 - 1000);
	test_empty_budget();
	fixture_world_free(sv, ln);
	return check_done();
}
