/*
 * probe: ICMP echo round-trip probes to configured targets, IPv4 and IPv6.
 *
 * The IP-monitoring paper sends an echo to the nearest outside host of each
 * link every observation period and records the response time; an answer
 * later than 30 s is lost.  Here each `probe NAME HOST [interval S]
 * [timeout S]` line becomes a target that one engine thread probes every
 * interval seconds; results are published as immutable, reference-counted
 * snapshots in the shape of DISMAN-PING-MIB's pingResultsTable (RFC 4560
 * section 4.2), which the SNMP side serves and compares for notifications.
 *
 * Sockets: an unprivileged ICMP datagram socket ("ping socket", allowed by
 * net.ipv4.ping_group_range) where the kernel allows it, else a raw socket;
 * all are opened by probe_engine_new(), so the daemon can drop privileges
 * before probe_engine_start().  A datagram socket's echo identifier is its
 * local port (the kernel rewrites it); a raw socket's is a random 16-bit
 * value per engine.  Sequence numbers are drawn from one counter per
 * engine, so two probes to the same host never share an (identifier,
 * sequence) pair.
 *
 * A reply counts as an answer only when its identifier, its sequence number
 * and its source address all match a probe still waiting for it, and it
 * came within the timeout.  Replies to probes already lost are counted as
 * late, second replies as duplicates, anything else (including replies to
 * probes older than the history remembers) as foreign; none of them is an
 * answer.  An ICMP destination unreachable quoting one of our
 * echo requests ends that probe with status unreachable.
 *
 * Threads: the engine's thread owns the live state; any thread may acquire
 * and release snapshots.  Tests drive the engine without its thread
 * through probe_engine_tick(), probe_engine_input() and
 * probe_engine_publish(), with a clock of their own.
 */
#ifndef PROBE_H
#define PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/snapshot.h"
#include "probe/probe_addr.h"

#define PROBE_NAME_MAX		32	/* characters of a probe name */
#define PROBE_HOST_MAX		255	/* characters of a host as written */
#define PROBE_ERROR_MAX		128	/* bytes of pr_error, with the NUL */
#define PROBE_INTERVAL_MAX	86400	/* seconds */
#define PROBE_TIMEOUT_DEFAULT	30	/* seconds: the paper's */
#define PROBE_TIMEOUT_MAX	3600
#define PROBE_HISTORY_DEFAULT	10	/* probeHistory */
#define PROBE_HISTORY_MAX	1000
#define PROBE_MAX		256	/* probes per engine */

/* One `probe` line. */
struct probe_config {
	char		pc_name[PROBE_NAME_MAX + 1];
	char		pc_host[PROBE_HOST_MAX + 1];	/* as written */
	struct probe_addr pc_addr;	/* resolved once, when parsed */
	uint32_t	pc_interval;	/* seconds; 0: the engine's default */
	uint32_t	pc_timeout;	/* seconds */
};

/*
 * Parses the value of one `probe NAME HOST [interval SECONDS] [timeout
 * SECONDS]` line into *out.  HOST is an IPv4 or IPv6 address or a name
 * (getaddrinfo; the first unicast address it gives).  An interval left out
 * is 0, which the engine turns into po_default_interval, so the line may
 * come before the one that sets the window interval.  `existing` holds the
 * probes parsed so far (for duplicate names).  0, or -1 with the reason in
 * err, e.g. `unknown host "foo.invalid"`; the caller adds file:line.
 */
int	probe_config_parse(const char *value,
	    const struct probe_config *existing, size_t nexisting,
	    struct probe_config *out, char *err, size_t errlen);

/* Parses a `probeHistory N` value (1..PROBE_HISTORY_MAX).  0 or -1 with
 * the reason in err. */
int	probe_history_parse(const char *value, uint32_t *out, char *err,
	    size_t errlen);

enum probe_status {
	PROBE_STATUS_NONE,		/* no probe has completed yet */
	PROBE_STATUS_OK,		/* answered within the timeout */
	PROBE_STATUS_TIMEOUT,		/* no answer within the timeout */
	PROBE_STATUS_UNREACHABLE,	/* ICMP destination unreachable */
	PROBE_STATUS_ERROR		/* could not send (pr_error says why) */
};

enum probe_socket {
	PROBE_SOCKET_NONE,	/* no socket: sends are only accounted */
	PROBE_SOCKET_DGRAM,	/* SOCK_DGRAM, IPPROTO_ICMP/ICMPV6 */
	PROBE_SOCKET_RAW	/* SOCK_RAW */
};

/* What probe_engine_new() opens for each family it needs. */
enum probe_socket_want {
	PROBE_WANT_AUTO,	/* datagram if the kernel allows, else raw */
	PROBE_WANT_DGRAM,
	PROBE_WANT_RAW,
	PROBE_WANT_NONE		/* for tests driving the engine by hand */
};

struct probe_options {
	uint32_t	po_default_interval;	/* seconds; the window's */
	uint32_t	po_history;		/* probeHistory */
	uint32_t	po_slow_us;		/* slow above this RTT; 0 off */
	enum probe_socket_want po_sockets;
};

/* 30 s default interval, PROBE_HISTORY_DEFAULT, no threshold, auto. */
void	probe_options_default(struct probe_options *);

/* One completed probe, in a result's history. */
struct probe_sample {
	int64_t		sa_wall_us;	/* CLOCK_REALTIME when it completed */
	uint32_t	sa_rtt_us;	/* PROBE_STATUS_OK only */
	uint16_t	sa_seq;
	uint8_t		sa_status;	/* enum probe_status, never NONE */
};

/*
 * One probe's results.  Totals run since probe_engine_new(); min/avg/max
 * and loss cover the history: the last po_history probes that completed,
 * in the order they completed.  Status and the two streaks follow probes
 * in the order they were sent: an outcome that arrives after a newer
 * probe's (a loss found after a later probe was answered, possible only
 * when the timeout exceeds the interval) counts in the totals and the
 * history but changes neither.
 *
 * Streaks: pr_consec_lost counts probes in a row that ended without an
 * answer (timeout, unreachable, error); pr_consec_slow counts answers in a
 * row above po_slow_us.  Each resets the other, so at most one is non-zero:
 * "N consecutive probes lost" is pr_consec_lost >= N.
 */
struct probe_result {
	char		pr_name[PROBE_NAME_MAX + 1];
	char		pr_host[PROBE_HOST_MAX + 1];
	struct probe_addr pr_addr;
	uint32_t	pr_interval;		/* seconds */
	uint32_t	pr_timeout;		/* seconds */
	enum probe_socket pr_socket;		/* kind that sends this probe */
	enum probe_status pr_status;		/* of the newest completed */
	uint32_t	pr_last_rtt_us;		/* newest answer; 0 if none */
	uint32_t	pr_min_rtt_us;		/* over the history's answers, */
	uint32_t	pr_avg_rtt_us;		/* 0 when it holds none */
	uint32_t	pr_max_rtt_us;
	uint32_t	pr_history_count;	/* probes in the history */
	uint32_t	pr_history_answered;	/* of which answered */
	uint32_t	pr_loss_x100;		/* hundredths of a percent of
						 * the history lost, 0..10000 */
	uint64_t	pr_sent;		/* probes sent (or tried) */
	uint64_t	pr_received;		/* answers */
	uint64_t	pr_timeouts;
	uint64_t	pr_unreachable;
	uint64_t	pr_errors;		/* sends that failed */
	uint64_t	pr_late;		/* replies after the timeout */
	uint64_t	pr_duplicates;		/* second replies */
	uint32_t	pr_consec_lost;
	uint32_t	pr_consec_slow;
	uint32_t	pr_outstanding;		/* sent, not yet completed */
	uint16_t	pr_last_seq;		/* of the newest probe sent */
	int64_t		pr_last_good_us;	/* CLOCK_REALTIME of the newest
						 * answer; 0 if none */
	char		pr_error[PROBE_ERROR_MAX];	/* last error, or "" */
	const struct probe_sample *pr_samples;	/* the history, oldest
						 * first */
	size_t		pr_nsamples;
};

struct probe_snapshot {
	struct snapshot	sn_snap;		/* first; private: src/snapshot */
	const struct probe_result *sn_probes;	/* in configuration order */
	size_t		sn_nprobes;
	uint64_t	sn_generation;		/* 1 at probe_engine_new() */
	int64_t		sn_wall_us;		/* CLOCK_REALTIME published */
	uint32_t	sn_slow_us;		/* po_slow_us */
	enum probe_socket sn_socket4;		/* NONE: no IPv4 probe */
	enum probe_socket sn_socket6;
	uint16_t	sn_ident4;		/* echo identifiers in use */
	uint16_t	sn_ident6;
	/* Since probe_engine_new(), over every socket of the engine. */
	uint64_t	sn_foreign;	/* echo replies/unreachables that
					 * matched no probe */
	uint64_t	sn_malformed;	/* truncated, bad checksum */
	uint64_t	sn_ignored;	/* other ICMP messages */
	uint64_t	sn_recv_errors;	/* failed reads */
};

struct probe_engine;
struct probe_packet;	/* probe_icmp.h */

/*
 * Copies the configurations, opens the sockets the probes need (one per
 * family) and publishes a first snapshot, every probe with status NONE.
 * NULL with the reason in err (e.g. no ICMP socket allowed).
 */
struct probe_engine *probe_engine_new(const struct probe_config *, size_t n,
	    const struct probe_options *, char *err, size_t errlen);
/* Stops the thread if running, closes the sockets, drops the engine's
 * reference to its snapshot; acquired snapshots stay valid.  Accepts NULL. */
void	probe_engine_free(struct probe_engine *);

/* Starts the probing thread: the first probes go out at once.  0, or -1
 * with errno set. */
int	probe_engine_start(struct probe_engine *);
/* Stops and joins the thread; nothing if it is not running. */
void	probe_engine_stop(struct probe_engine *);

/* The current snapshot with a reference taken; never NULL.  Each acquire
 * is paired with one release. */
const struct probe_snapshot *probe_acquire(struct probe_engine *);
void	probe_release(const struct probe_snapshot *);	/* accepts NULL */

/*
 * The probe RTT of an archive window: the mean RTT of the answers that
 * completed in [from_us, to_us) (CLOCK_REALTIME microseconds), from the
 * result's history.  Returns how many answers it averaged; 0 (and *mean_us
 * 0) when none did, i.e. the window's probes were lost or the history is
 * too short to reach back that far.
 */
unsigned int probe_window_rtt(const struct probe_result *, int64_t from_us,
	    int64_t to_us, uint32_t *mean_us);

/* "none", "ok", "timeout", "unreachable", "error". */
const char *probe_status_name(enum probe_status);
/* "none", "dgram", "raw". */
const char *probe_socket_name(enum probe_socket);

/*
 * Driving the engine by hand, as its thread does: tests use these with a
 * clock of their own and PROBE_WANT_NONE.  Never while the thread runs.
 */
struct probe_clock {
	uint64_t	cl_mono_us;	/* CLOCK_MONOTONIC */
	int64_t		cl_wall_us;	/* CLOCK_REALTIME */
};

void	probe_clock_now(struct probe_clock *);

/* Sends the probes that are due and ends those past their timeout.
 * Returns microseconds until the next thing is due. */
uint64_t probe_engine_tick(struct probe_engine *, const struct probe_clock *);

enum probe_verdict {
	PROBE_VERDICT_ANSWER,		/* answered a waiting probe */
	PROBE_VERDICT_UNREACHABLE,	/* ended a waiting probe */
	PROBE_VERDICT_LATE,		/* for a probe already lost */
	PROBE_VERDICT_DUPLICATE,	/* for a probe already answered */
	PROBE_VERDICT_FOREIGN		/* for no probe of this engine */
};

/* Accounts one parsed packet received from `from` at `now`. */
enum probe_verdict probe_engine_input(struct probe_engine *,
	    const struct probe_packet *, const struct probe_addr *from,
	    const struct probe_clock *now);

/* Publishes a snapshot of the live state now.  0, or -1 (ENOMEM) with
 * the previous snapshot still current. */
int	probe_engine_publish(struct probe_engine *,
	    const struct probe_clock *);

#endif
