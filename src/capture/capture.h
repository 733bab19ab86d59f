/*
 * capture: libpcap handles -- live interfaces or one capture file -- read
 * by a thread of their own, each packet decoded (decode.h) and handed to a
 * sink (the session table).  Never immediate mode: TPACKET_V3 blocks with
 * a timeout, polled non-blocking with our own timeout, so a silent link
 * still gives the sink a tick to close its window on time.
 *
 * Everything that needs privileges (opening the handles) happens in
 * capture_open(), before the daemon drops them.  The thread owns the sink
 * and the handles; other threads read only the statistics, copied out
 * under a mutex.
 */
#ifndef CAPTURE_H
#define CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "capture/decode.h"

#define CAP_MAX_SOURCES		16
#define CAP_NAME_MAX		64
#define CAP_TEXT_MAX		256
/* The largest kernel ring asked of libpcap: pcap_set_buffer_size() takes
 * an int, and libpcap 1.10 rounds it up to 256 KiB blocks in int
 * arithmetic, so 2^31 (2048 MiB) overflows; 2047 MiB does not. */
#define CAP_BUFFER_MAX		(2047u << 20)
/*
 * The snaplen of an nflog:N source, whatever captureSnaplen says.  The
 * kernel packs several log records into one netlink message (up to a
 * page), and libpcap reads each message into a buffer of snaplen + 128
 * bytes: with a small snaplen the records past it are lost (with 384,
 * seven of eight in a burst).  The records also carry the log's metadata
 * before the packet.  The cost is the kernel copying whole packets, on a
 * path that logs only what a rule selects.
 */
#define CAP_NFLOG_SNAPLEN	65535

/*
 * The packet times coremond believes, in seconds since the epoch; a
 * packet outside them is counted in cs_bad_timestamps and goes no
 * further (no window, no archive line, no host).  A capture file may
 * hold any time from the epoch (test and anonymised captures carry 0,
 * zeek's ticks-dns.pcap 1989) up to a day past the wall clock (a
 * capture from a machine whose clock ran ahead, local time written as
 * UTC); before the epoch is the file's unsigned 32-bit field read
 * signed.  A live packet is stamped by the kernel from the clock we
 * read: one before 2000 means the clock was never set, one more than a
 * minute ahead (room for hardware stamps in TAI, 37 s ahead of UTC) a
 * clock stepped back or a broken stamp.  Year 9999 bounds everything,
 * so microseconds never overflow and every date has four digits.
 */
#define CAP_TIME_FILE_MIN	0LL
#define CAP_TIME_LIVE_MIN	946684800LL	/* 2000-01-01T00:00:00Z */
#define CAP_TIME_FILE_AHEAD	86400LL
#define CAP_TIME_LIVE_AHEAD	60LL
#define CAP_TIME_MAX		253402300799LL	/* 9999-12-31T23:59:59Z */

enum cap_status {
	CAP_RUNNING = 1,
	CAP_FAILED,
	CAP_FINISHED		/* a capture file read to its end */
};

/* What one source has seen; a copy, so callers may keep it. */
struct cap_stats {
	char		cs_name[CAP_NAME_MAX];	/* interface, or file path */
	int		cs_is_file;
	int		cs_status;		/* enum cap_status */
	char		cs_error[CAP_TEXT_MAX];	/* why it failed; on a running
						   source, a link type not
						   decoded; or "" */
	int		cs_linktype;		/* DLT_* */
	char		cs_linktype_name[CAP_NAME_MAX];
	char		cs_filter[CAP_TEXT_MAX];
	int		cs_snaplen;
	uint32_t	cs_buffer;		/* bytes asked of libpcap */
	int		cs_promisc;
	uint64_t	cs_packets;		/* every packet read */
	uint64_t	cs_octets;		/* their on-wire lengths */
	uint64_t	cs_result[DECODE_NRESULTS];	/* by decode result */
	/* By kind (decode.h's dp_kinds): a packet counts once under each
	 * kind it has; octets are its volume (dp_wire_len). */
	uint64_t	cs_kind_packets[DECODE_NKINDS];
	uint64_t	cs_kind_octets[DECODE_NKINDS];
	uint64_t	cs_bad_timestamps;	/* outside CAP_TIME_*: dropped */
	uint64_t	cs_kernel_drops;	/* pcap_stats ps_drop */
	uint64_t	cs_if_drops;		/* pcap_stats ps_ifdrop */
	/* Kernel drops of the last window, in hundredths of a percent of
	 * the packets that reached the kernel (read + dropped). */
	uint32_t	cs_window_loss;
};

struct cap_config {
	const char	*cc_ifaces[CAP_MAX_SOURCES];	/* live, or "any" */
	size_t		 cc_nifaces;
	const char	*cc_file;	/* offline instead of live */
	const char	*cc_filter;	/* BPF, or NULL */
	int		 cc_snaplen;	/* default 128 */
	uint32_t	 cc_buffer;	/* bytes, default 32 MiB; more than
					 * CAP_BUFFER_MAX is taken as it */
	int		 cc_promisc;	/* default 1 */
	int		 cc_poll_ms;	/* longest wait for packets, default 200 */
};

/*
 * Where packets go.  Called from the capture thread only.  Times are in
 * microseconds since the epoch: packet time for packets, wall-clock time
 * for ticks (live capture only: a replayed file is cut by packet time).
 * Packet times are always within the CAP_TIME_* range.
 */
/* Packets decoded before a batch sink gets them: enough to overlap the
 * session table's cache misses (session_add_batch() works in 32s). */
#define CAP_BATCH	64

struct cap_sink {
	void	(*sk_packet)(void *arg, const struct decode_pkt *,
		    int64_t ts_us, unsigned source);
	void	(*sk_tick)(void *arg, int64_t now_us);
	void	(*sk_end)(void *arg);	/* every source done: flush */
	void	*sk_arg;
	/* When set, used instead of sk_packet: the decoded packets of one
	 * source in order, up to CAP_BATCH at a time, each batch handed
	 * over before its pcap_dispatch() returns (so before any tick). */
	void	(*sk_batch)(void *arg, const struct decode_pkt *,
		    const int64_t *ts_us, size_t n, unsigned source);
};

struct capture;

void	capture_config_default(struct cap_config *);

/*
 * Opens every source.  A source that cannot be opened (no such interface,
 * no permission, a filter that does not compile, a file that is not a
 * capture) is kept as CAP_FAILED with the reason in its statistics; NULL
 * (errno set) only when memory runs out.  capture_usable() tells whether
 * any source works.
 */
struct capture	*capture_open(const struct cap_config *);
int		 capture_usable(const struct capture *);	/* sources running */
void		 capture_free(struct capture *);	/* stops; accepts NULL */

/* Starts the thread; 0 or -1 with errno. */
int	capture_start(struct capture *, const struct cap_sink *);
/* Stops the thread (the sink's sk_end is not called). */
void	capture_stop(struct capture *);
/* 1 once every source has finished or failed (e.g. end of the file). */
int	capture_done(struct capture *);

/* At a window's end, from the capture thread (the sink): the kernel
 * drops since the previous mark become each source's cs_window_loss. */
void	capture_mark_window(struct capture *);

/* Copies out up to max sources' statistics; returns how many exist. */
size_t	capture_stats(struct capture *, struct cap_stats *, size_t max);

/* Reads one capture file straight through into the sink in the calling
 * thread: what -r does, and what the benchmark times.  0, or -1 with the
 * reason in stats->cs_error. */
int	capture_replay(const struct cap_config *, const struct cap_sink *,
	    struct cap_stats *stats);

/*
 * A pcap time as microseconds since the epoch into *us, if it lies in
 * [min_s, max_s] seconds (see CAP_TIME_*) with tv_usec below a second;
 * else -1.  The check comes before any arithmetic, so no time a file
 * holds can overflow.
 */
int	capture_time_us(int64_t sec, int64_t usec, int64_t min_s,
	    int64_t max_s, int64_t *us);

#endif
