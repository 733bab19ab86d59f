/*
 * window: observation windows over the session table, cut by packet
 * time, each closed into one ranked, immutable snapshot.
 *
 * Time is the packets' own (pcap timestamps, microseconds since the
 * epoch), so replaying a file gives the windows live capture gave.
 * Windows lie on a grid of wc_interval seconds aligned to the epoch
 * (UTC :00 and :30 for 30 s), each covering [start, start + interval);
 * the first starts at the first packet (or tick) and ends at the next
 * grid line, so its rates are over the time actually observed.
 *  - A packet at or past the end closes the window first.  Windows that
 *    a gap leaves without packets are closed too, as empty windows (so
 *    a manager sees the quiet, and live and replay agree), up to
 *    WINDOW_MAX_EMPTY over the window's whole life (a capture file
 *    that jumps ahead again and again must not write millions of
 *    archive lines); the rest of the gaps (a clock step, a corrupt
 *    timestamp) are skipped and counted in wn_windows_skipped.
 *  - Packet time never goes back: a packet dated before the window's
 *    start (a replay out of order, a live clock stepped back, a stamp
 *    from a block read late) is counted in the current window, at its
 *    start, and in wn_late_packets of its source; it never opens a
 *    window.  Only window_tick(), the wall clock of live capture,
 *    follows a clock stepped back by more than an interval: the window
 *    closes at its last packet and a new grid starts there.
 *  - window_flush() closes the current window where its last packet
 *    was (end of a file), window_tick() by the wall clock (a silent
 *    live link).
 *
 * At a close the window is ranked by in + out octets (ties: packets,
 * then session_key_cmp), the top wc_top kept by a bounded min-heap
 * (O(n log N), no sort of all sessions) and sorted; totals by protocol
 * and by service are the session table's exact ones.  Then, before the
 * table is cleared, the consumer (the host database) is handed every
 * session of the window, and the snapshot is published.
 *
 * Snapshots are one malloc each, hold no pointer into live state, never
 * change once published, and are reference counted (src/snapshot):
 * window_acquire() gives the latest with a reference (any thread);
 * window_release() drops it and the last release frees it.  Service
 * indexes in a snapshot refer to the catalogue the window was made with,
 * which does not change while coremond runs.
 *
 * Threads: the capture thread calls everything but window_acquire(),
 * window_release() and window_snapshot_hold(), which any thread may call.
 */
#ifndef WINDOW_H
#define WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "capture/decode.h"
#include "capture/localnet.h"
#include "capture/services.h"
#include "capture/session.h"
#include "lib/snapshot.h"

#define WINDOW_INTERVAL_DEFAULT	30	/* seconds, windowInterval */
#define WINDOW_TOP_DEFAULT	100	/* topSessions */
#define WINDOW_TOP_MAX		65535	/* cmSessionTopRank's range */
#define WINDOW_MAX_EMPTY	1000	/* empty windows of gaps, per run */
#define WINDOW_SOURCES		16	/* late packets counted per source */
/* Times are microseconds in [0, WINDOW_TIME_MAX_US] (up to year 9999,
 * what capture.h lets through); others are pinned to the range. */
#define WINDOW_TIME_MAX_US	253402300799999999LL

struct window_config {
	unsigned int	wc_interval;		/* seconds, >= 1 */
	unsigned int	wc_top;			/* rows of the ranking */
	size_t		wc_max_sessions;	/* maxSessions */
};

void	window_config_default(struct window_config *);

/* One ranked session (a cmSessionTopEntry). */
struct window_row {
	struct session_key	wr_key;		/* family 0: overflow entry */
	uint8_t			wr_service;	/* services index */
	uint8_t			wr_flags;	/* SESSION_* */
	struct session_counts	wr_counts;
	uint64_t		wr_rate;	/* in + out octets per second */
	int64_t			wr_first_us;	/* first packet, packet time */
	int64_t			wr_last_us;
};

struct window_snapshot {
	struct snapshot		wn_snap;	/* first; private: src/snapshot */
	uint64_t		wn_number;	/* windows closed since start */
	int64_t			wn_start_us;	/* packet time, UTC */
	int64_t			wn_length_us;
	uint64_t		wn_sessions;	/* distinct, folded included */
	uint64_t		wn_overflowed;	/* folded (an estimate) */
	uint32_t		wn_max_sessions;
	uint32_t		wn_top_size;	/* wc_top */
	struct session_totals	wn_totals;	/* this window */
	/* Since window_new(), this window included. */
	uint64_t		wn_overflowed_total;
	uint64_t		wn_windows_skipped;
	uint64_t		wn_late_packets[WINDOW_SOURCES];	/* by source */
	struct session_counts	wn_cum_remote;
	struct session_counts	wn_cum_by_proto[256];
	struct session_counts	wn_cum_by_service[SERVICES_MAX + 1];
	size_t			wn_bytes;	/* this allocation */
	size_t			wn_nrows;	/* min(wc_top, sessions) */
	struct window_row	wn_rows[];	/* rank 1 first */
};

/* What the consumer of a closing window is handed; valid during the call
 * only. */
struct window_closed {
	const struct window_snapshot	*wd_snapshot;	/* NULL if ENOMEM */
	uint64_t			 wd_number;
	int64_t				 wd_start_us;
	int64_t				 wd_length_us;
	const struct session		*wd_sessions;	/* every one, the */
	size_t				 wd_nsessions;	/* overflow entry too */
	const struct session_totals	*wd_totals;
};

struct window;

/* NULL with errno set.  The services and localnet must outlive it. */
struct window	*window_new(const struct window_config *,
		    const struct services *, const struct localnet *);
/* Drops the window's reference to its latest snapshot; acquired ones
 * stay valid until released.  Accepts NULL. */
void		 window_free(struct window *);

/* Called at every close, before the table is cleared; NULL for none.
 * A consumer that keeps wd_snapshot takes window_snapshot_hold(). */
void	window_set_consumer(struct window *,
	    void (*consumer)(const struct window_closed *, void *arg),
	    void *arg);

/*
 * Adds one packet at ts_us from capture source number source (fits
 * struct cap_sink's sk_packet), closing windows first when ts_us is past
 * the end; packets that did not decode still move time on.  The number of
 * windows closed (0 almost always), or -1 with errno set when a
 * snapshot could not be made (the windows were closed all the same).
 */
int	window_add_packet(struct window *, const struct decode_pkt *,
	    int64_t ts_us, unsigned int source);

/* The same for n packets of one source in order (dp[n], ts_us[n]),
 * their memory accesses overlapped (session_add_batch()): for a capture
 * loop that decodes what one pcap_dispatch() gives into an array first. */
int	window_add_batch(struct window *, const struct decode_pkt *dp,
	    const int64_t *ts_us, size_t n, unsigned int source);

/* Live capture, on a poll timeout: closes the windows that ended by
 * now_us (pass the wall clock less the capture's buffering delay), and
 * opens one at now_us if none is open.  Returns as window_add_packet().
 * Never call it while replaying a file. */
int	window_tick(struct window *, int64_t now_us);

/* Closes the current window at its last packet (end of a file); the
 * next packet opens a new one.  1, 0 when none was open, or -1. */
int	window_flush(struct window *);

/* The latest snapshot with a reference taken, NULL before the first
 * close.  Each acquire is paired with one release. */
const struct window_snapshot *window_acquire(struct window *);
void	window_release(const struct window_snapshot *);	/* accepts NULL */
/* One more reference to a snapshot already held (or being consumed). */
void	window_snapshot_hold(const struct window_snapshot *);

/* The live table's memory (sessions and hash), for cmSession figures. */
size_t	window_memory(const struct window *);

/* The best min(top, n) of e[] into heap[] as indexes, best first, in
 * the ranking above (octets, packets, key); their count.  The history
 * database ranks a window's sessions with it, so that its rows are
 * cmSessionTopTable's. */
size_t	window_rank(uint32_t *heap, size_t top, const struct session *e,
	    size_t n);

#endif
