/*
 * session: the live session table of one observation window.
 *
 * A session is (IP protocol, the two addresses, service port), both
 * directions in one entry (DESIGN.md, "Sessions, services, hosts").  The
 * addresses are stored in a canonical order so both directions find the
 * same entry:
 *  - one end local (localnet): sk_local is that end, sk_remote the other;
 *    "in" is remote -> local, "out" local -> remote;
 *  - both ends local: no session; the packet is counted in
 *    tt_local_octets/packets only;
 *  - neither end local (transit, e.g. a monitoring port): a session
 *    flagged SESSION_TRANSIT whose sk_local is the lower address (bytes
 *    in network order), "in" and "out" relative to it; counted in
 *    tt_transit, not in tt_remote, tt_by_proto or tt_by_service.
 * The service port and service are services_classify()'s; a packet
 * without ports (ICMP, an IPv4 fragment after the first, ports cut by
 * the snaplen) has port 0 and service "other", under the same addresses.
 *
 * Entries live in one flat array, in order of arrival; the hash (hash.h)
 * maps a key to its position.  A window's end clears both, keeping their
 * memory.  The table holds at most max_sessions sessions; once full, a
 * packet of any new session is added to one overflow entry (family 0,
 * SESSION_OVERFLOW, the last of the array), so every total stays exact,
 * and its key goes to a HyperLogLog sketch that estimates how many
 * distinct sessions were folded (standard error about 1.6%; exactly 0
 * when none was).
 *
 * Memory: 80 bytes an entry plus 8 bytes a hash slot at most 0.7 full:
 * 91.4 bytes a session when the table is full (18.3 MB at the default
 * 200,000), plus a fixed 21 KB.  Adding a packet allocates nothing but
 * when the table grows (doubling, up to the cap; a clear keeps it all).
 *
 * Speed (tests/tools/bench_session, one core of this project's EPYC VM,
 * synthetic frames in memory, half the packets spread over 150,000
 * flows): decode + session_add_packet() about 6 million packets/s,
 * decode + session_add_batch() about 11 million.
 *
 * Owned by the capture thread alone; no locking.  The services and
 * localnet it reads must outlive it, and the catalogue must be complete
 * (every `service` line parsed) before the table is made.
 */
#ifndef SESSION_H
#define SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "capture/decode.h"
#include "capture/localnet.h"
#include "capture/services.h"

#define SESSION_MAX_DEFAULT	200000	/* maxSessions */
/* se_first and se_last count ticks of 2^10 us from the window start: a
 * shift instead of a division, 50 days of range, 1 ms resolution. */
#define SESSION_TICK_SHIFT	10

struct session_key {
	uint8_t		sk_local[16];	/* network order; IPv4 in the first */
	uint8_t		sk_remote[16];	/* 4 bytes, the other 12 zero */
	uint16_t	sk_port;	/* service port, 0 unknown */
	uint8_t		sk_proto;	/* IP protocol (after IPv6 ext. headers) */
	uint8_t		sk_family;	/* AF_INET, AF_INET6; 0: overflow entry */
};

/* se_flags */
#define SESSION_TRANSIT		0x01	/* neither end local */
#define SESSION_OVERFLOW	0x02	/* sessions beyond the cap, folded */

struct session {
	struct session_key	se_key;
	uint8_t			se_service;	/* services index */
	uint8_t			se_flags;
	uint16_t		se_source;	/* capture source of the first
						   packet (not part of the key) */
	uint32_t		se_first;	/* ticks since the window start */
	uint32_t		se_last;
	uint64_t		se_octets_in;	/* on-wire (pcap len) */
	uint64_t		se_octets_out;
	uint64_t		se_packets_in;
	uint64_t		se_packets_out;
};

struct session_counts {
	uint64_t	sc_octets_in;
	uint64_t	sc_octets_out;
	uint64_t	sc_packets_in;
	uint64_t	sc_packets_out;
};

/* What one window's packets added up to; exact whatever the cap. */
struct session_totals {
	struct session_counts	tt_remote;	/* one end local */
	struct session_counts	tt_transit;	/* neither end local */
	uint64_t		tt_local_octets;	/* both ends local */
	uint64_t		tt_local_packets;
	/* One end local only, as cmSessionProtoTable and cmServiceTable. */
	struct session_counts	tt_by_proto[256];
	struct session_counts	tt_by_service[SERVICES_MAX + 1]; /* [index] */
};

struct session_table;

/* A table of at most max_sessions (0: SESSION_MAX_DEFAULT) for a window
 * starting at start_us.  NULL with errno set. */
struct session_table	*session_table_new(size_t max_sessions,
			    const struct services *, const struct localnet *,
			    int64_t start_us);
void			 session_table_free(struct session_table *);

/* Starts a new window at start_us: no sessions, zero totals, memory
 * kept.  O(slots). */
void	session_table_clear(struct session_table *, int64_t start_us);

/*
 * Adds one decoded packet at time ts_us (microseconds since the epoch,
 * pcap's timestamp) read from capture source number source: the hot
 * path.  0, or -1 (EINVAL) when dp_result is not DECODE_OK (the caller
 * counts those by reason).  A packet dated before the window start
 * counts at the start.
 */
int	session_add_packet(struct session_table *, const struct decode_pkt *,
	    int64_t ts_us, unsigned int source);

/*
 * The same for n packets (arrays dp[n], ts_us[n]) in order, with their
 * memory accesses overlapped: the hot path for a capture that hands
 * packets over in batches.  Returns how many did not decode.
 */
size_t	session_add_batch(struct session_table *, const struct decode_pkt *dp,
	    const int64_t *ts_us, size_t n, unsigned int source);

/* The window's entries, the overflow entry last when there is one;
 * valid until the next add or clear. */
const struct session *session_table_entries(const struct session_table *,
	    size_t *n);
const struct session_totals *session_table_totals(
	    const struct session_table *);

int64_t	session_table_start(const struct session_table *);
size_t	session_table_count(const struct session_table *); /* w/o overflow */
size_t	session_table_max(const struct session_table *);
/* Distinct sessions folded into the overflow entry (an estimate). */
uint64_t session_table_overflowed(const struct session_table *);
size_t	session_table_memory(const struct session_table *);

/* The time of a tick of a window that started at start_us. */
static inline int64_t
session_tick_us(int64_t start_us, uint32_t tick)
{
	return start_us + ((int64_t)tick << SESSION_TICK_SHIFT);
}

/* Orders keys as the ranking breaks ties: family, protocol, local,
 * remote, port.  <0, 0, >0. */
int	session_key_cmp(const struct session_key *, const struct session_key *);

#endif
