/*
 * sockdiag: the host's TCP sockets as the kernel's sock_diag netlink
 * interface reports them (NETLINK_SOCK_DIAG, inet_diag_req_v2, AF_INET and
 * AF_INET6, with INET_DIAG_INFO for struct tcp_info).
 *
 * Two halves: sockdiag_parse() turns a buffer of netlink messages into
 * sd_sock records and touches no socket, so it can be fed crafted bytes;
 * sockdiag_dump() owns the netlink socket and feeds it what the kernel sends.
 *
 * Replies are untrusted input.  A message shorter than it claims or than an
 * inet_diag_msg, or one holding an attribute that runs past its end or fails
 * validation, is skipped and counted; an attribute type newer than our
 * headers is ignored and counted; a tcp_info of any length is copied into a
 * zeroed struct up to the length given (fields an older kernel lacks read
 * as 0, ss_info_len says which exist).  Nothing reads past the buffer.
 */
#ifndef SOCKDIAG_H
#define SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>

/* The kernel's TCP states, include/net/tcp_states.h (idiag_state). */
enum sd_tcp_state {
	SD_TCP_ESTABLISHED = 1,
	SD_TCP_SYN_SENT,
	SD_TCP_SYN_RECV,
	SD_TCP_FIN_WAIT1,
	SD_TCP_FIN_WAIT2,
	SD_TCP_TIME_WAIT,
	SD_TCP_CLOSE,
	SD_TCP_CLOSE_WAIT,
	SD_TCP_LAST_ACK,
	SD_TCP_LISTEN,
	SD_TCP_CLOSING,
	SD_TCP_NEW_SYN_RECV,
	SD_TCP_NSTATES
};

/* ss_info_have: which tcp_info fields the kernel's tcp_info reaches
 * (the Linux version that added them). */
#define SD_HAVE_MIN_RTT		0x01	/* tcpi_min_rtt, 4.6 */
#define SD_HAVE_DATA_SEGS	0x02	/* tcpi_data_segs_in/out, 4.6 */
#define SD_HAVE_DELIVERY	0x04	/* tcpi_delivery_rate, 4.9 */
#define SD_HAVE_BUSY		0x08	/* tcpi_busy_time, tcpi_rwnd_limited,
					 * tcpi_sndbuf_limited, 4.10 */
#define SD_HAVE_BYTES_RETRANS	0x10	/* tcpi_bytes_retrans, 4.19 */

/* One socket.  Addresses are in network order; an IPv4 address fills the
 * first 4 bytes, the rest are zero. */
struct sd_sock {
	uint64_t	ss_cookie;	/* idiag_cookie, the socket's identity */
	uint8_t		ss_family;	/* of the addresses: AF_INET or AF_INET6;
					 * a v4-mapped socket is AF_INET */
	uint8_t		ss_sock_family;	/* the socket's own (idiag_family) */
	uint8_t		ss_state;	/* enum sd_tcp_state */
	uint8_t		ss_have_info;	/* INET_DIAG_INFO was present */
	uint8_t		ss_info_have;	/* SD_HAVE_* */
	uint16_t	ss_info_len;	/* bytes of tcp_info the kernel gave */
	uint16_t	ss_local_port;	/* host order */
	uint16_t	ss_remote_port;
	uint8_t		ss_local[16];
	uint8_t		ss_remote[16];
	uint32_t	ss_uid;
	uint32_t	ss_inode;	/* 0 for time-wait, request, orphans */
	uint32_t	ss_rqueue;	/* idiag_rqueue: unread bytes */
	uint32_t	ss_wqueue;	/* idiag_wqueue: unacknowledged bytes */
	/* From struct tcp_info; 0 when absent or beyond ss_info_len. */
	uint64_t	ss_bytes_acked;
	uint64_t	ss_bytes_received;
	uint64_t	ss_bytes_retrans;
	uint64_t	ss_delivery_rate;	/* bytes per second */
	uint32_t	ss_segs_out;
	uint32_t	ss_segs_in;
	uint32_t	ss_data_segs_out;
	uint32_t	ss_data_segs_in;
	uint32_t	ss_total_retrans;
	uint32_t	ss_rtt;		/* microseconds */
	uint32_t	ss_rttvar;	/* microseconds */
	uint32_t	ss_snd_cwnd;	/* segments */
	uint32_t	ss_min_rtt;	/* microseconds; ~0U: no sample */
	uint64_t	ss_busy_time;	/* microseconds */
	uint64_t	ss_rwnd_limited;	/* microseconds */
	uint64_t	ss_sndbuf_limited;	/* microseconds */
};

/* What parsing saw; added to, never reset, by the parser. */
struct sd_stats {
	uint64_t	st_messages;	/* sockets accepted */
	uint64_t	st_malformed;	/* messages skipped (see top of file) */
	uint64_t	st_unknown_attrs; /* attributes ignored: type unknown */
	uint64_t	st_short_info;	/* tcp_info shorter than ours */
	uint64_t	st_dropped;	/* sockets past sl_max, not stored */
};

/* A growing array of sockets.  Owns sl_socks. */
struct sd_list {
	struct sd_sock	*sl_socks;
	size_t		 sl_count;
	size_t		 sl_cap;
	size_t		 sl_max;	/* hard cap on sl_count; 0: none */
	struct sd_stats	 sl_stats;
};

void	sockdiag_list_init(struct sd_list *, size_t max);
void	sockdiag_list_clear(struct sd_list *);	/* keeps memory and stats */
void	sockdiag_list_free(struct sd_list *);	/* accepts zeroed */

/*
 * Parses len bytes of netlink messages received in answer to a dump whose
 * request had sequence number seq, on a socket bound to portid (0 for
 * either: not checked), appending one sd_sock per socket to the list.
 * Returns 1 when more messages are to come, 0 when NLMSG_DONE ended the
 * dump, -1 with errno set on an error reply (the kernel's errno; EPROTO
 * for a value no errno can be), a foreign seq or portid (EPROTO, ESRCH),
 * an interrupted dump (EINTR) or ENOMEM.
 */
int	sockdiag_parse(struct sd_list *, const void *buf, size_t len,
	    uint32_t seq, uint32_t portid);

struct sockdiag;

/* Opens and binds a NETLINK_SOCK_DIAG socket; NULL with errno set. */
struct sockdiag	*sockdiag_open(void);
void		 sockdiag_close(struct sockdiag *);	/* accepts NULL */

/*
 * Empties the list, then dumps every TCP socket of the host's network
 * namespace, IPv4 then IPv6, in every state but CLOSE (listeners too).
 * A dump the kernel marks interrupted is retried a few times.  0, or -1
 * with errno set (the list then holds whatever arrived).
 */
int	sockdiag_dump(struct sockdiag *, struct sd_list *);

/*
 * A socket subscribed to the kernel's notices of destroyed TCP sockets
 * (each with its final tcp_info), IPv4 and IPv6.  NULL with errno set:
 * EPERM without CAP_NET_ADMIN, ENOENT on kernels without them.
 */
struct sockdiag	*sockdiag_open_destroy(void);

/*
 * Empties the list, then appends every notice waiting on a socket from
 * sockdiag_open_destroy() without blocking.  Adds to *lost each time the
 * kernel reports it dropped notices (ENOBUFS).  0, or -1 with errno set.
 */
int	sockdiag_drain(struct sockdiag *, struct sd_list *, uint64_t *lost);

#endif
