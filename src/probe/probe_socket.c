/*
 * probe_socket: the probe engine's ICMP sockets.  Opening an unprivileged
 * ICMP datagram socket ("ping socket", allowed by
 * net.ipv4.ping_group_range) or else a raw one, sending echo requests, and
 * reading replies and, on a ping socket, the ICMP errors the kernel queues
 * (ip(7) IP_RECVERR).
 *
 * Times, as ping(8) takes them: a request is timed right before its
 * sendto(), a reply by the kernel's receive timestamp (socket(7)
 * SO_TIMESTAMPNS), so that a probe thread scheduled late on a busy host
 * does not count its own delay as network time.
 *
 * Separate from the engine because this is all the file that knows the
 * kernel's socket API and clocks (probe_clock_now() is here too, so the
 * engine calls this file and never the reverse): the engine sees a struct probe_sock and messages
 * already parsed by the codec (probe_icmp.c); tests drive the engine
 * without any socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/errbuf.h"
#include "probe/probe_int.h"

#ifndef ICMP_FILTER
#define ICMP_FILTER		1	/* <linux/icmp.h>, which clashes */
#endif

#define PROBE_RECV_BUF		2048	/* headers and a quoted header */
/* A receive timestamp older than this when read is taken for a clock step
 * (CLOCK_REALTIME moved) rather than a probe thread that slept so long. */
#define PROBE_RX_DELAY_MAX_US	1000000
/* CLOCK_REALTIME and CLOCK_MONOTONIC read within this of each other count
 * as read together (vDSO reads take well under a microsecond); tries. */
#define PROBE_CLOCK_PAIR_US	50
#define PROBE_CLOCK_PAIR_TRIES	3

/* What our echo requests carry: a marker for whoever reads a capture. */
static const char probe_payload[24] = "coremon probe";

/* Opening */

uint16_t
probe_sock_random16(void)
{
	uint16_t	v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = (uint16_t)(getpid() ^ time(NULL));
	return v;
}

/* The two clocks of a moment, as the engine and the sockets take them. */
void
probe_clock_now(struct probe_clock *cl)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	cl->cl_mono_us = (uint64_t)ts.tv_sec * 1000000 +
	    (uint64_t)ts.tv_nsec / 1000;
	clock_gettime(CLOCK_REALTIME, &ts);
	cl->cl_wall_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The kernel picks the identifier of a ping socket at bind (its "port")
 * and asks ICMP errors to be queued for MSG_ERRQUEUE (ip(7) IP_RECVERR). */
static int
probe_sock_dgram_setup(struct probe_sock *so)
{
	struct sockaddr_storage	 ss;
	struct probe_addr	 any;
	socklen_t		 len;
	int			 on = 1;

	memset(&any, 0, sizeof(any));
	any.pa_family = (uint8_t)so->so_family;
	len = probe_addr_to_sockaddr(&any, &ss);
	if (bind(so->so_fd, (struct sockaddr *)&ss, len) == -1)
		return -1;
	len = sizeof(ss);
	if (getsockname(so->so_fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	so->so_ident = so->so_family == AF_INET ?
	    ntohs(((struct sockaddr_in *)&ss)->sin_port) :
	    ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	if (so->so_family == AF_INET)
		return setsockopt(so->so_fd, IPPROTO_IP, IP_RECVERR, &on,
		    sizeof(on));
	return setsockopt(so->so_fd, IPPROTO_IPV6, IPV6_RECVERR, &on,
	    sizeof(on));
}

/* A raw socket sees every ICMP message of the host: let the kernel keep
 * only echo replies and unreachables (raw(7) ICMP_FILTER, RFC 3542 3.2). */
static int
probe_sock_raw_setup(struct probe_sock *so)
{
	struct icmp6_filter	f6;
	uint32_t		f4;

	so->so_ident = probe_sock_random16();
	if (so->so_family == AF_INET) {
		f4 = ~((1U << PROBE_ICMP4_ECHO_REPLY) |
		    (1U << PROBE_ICMP4_UNREACH));
		return setsockopt(so->so_fd, SOL_RAW, ICMP_FILTER, &f4,
		    sizeof(f4));
	}
	ICMP6_FILTER_SETBLOCKALL(&f6);
	ICMP6_FILTER_SETPASS(PROBE_ICMP6_ECHO_REPLY, &f6);
	ICMP6_FILTER_SETPASS(PROBE_ICMP6_UNREACH, &f6);
	return setsockopt(so->so_fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f6,
	    sizeof(f6));
}

static int
probe_sock_try(struct probe_sock *so, int type)
{
	int	proto = so->so_family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	int	rc, on = 1;

	so->so_fd = socket(so->so_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    proto);
	if (so->so_fd == -1)
		return -1;
	rc = type == SOCK_DGRAM ? probe_sock_dgram_setup(so) :
	    probe_sock_raw_setup(so);
	if (rc == 0)
		rc = setsockopt(so->so_fd, SOL_SOCKET, SO_TIMESTAMPNS, &on,
		    sizeof(on));
	if (rc == -1) {
		int	saved = errno;

		close(so->so_fd);
		so->so_fd = -1;
		errno = saved;
		return -1;
	}
	so->so_kind = type == SOCK_DGRAM ? PROBE_SOCKET_DGRAM :
	    PROBE_SOCKET_RAW;
	return 0;
}

int
probe_sock_open(struct probe_sock *so, int family,
    enum probe_socket_want want, char *err, size_t errlen)
{
	const char	*fam = family == AF_INET ? "IPv4" : "IPv6";
	int		 dgram_errno = 0;

	memset(so, 0, sizeof(*so));
	so->so_fd = -1;
	so->so_family = family;
	if (want == PROBE_WANT_NONE) {
		so->so_ident = probe_sock_random16();
		return 0;
	}
	if (want != PROBE_WANT_RAW) {
		if (probe_sock_try(so, SOCK_DGRAM) == 0)
			return 0;
		dgram_errno = errno;
		if (want == PROBE_WANT_DGRAM)
			return errbuf_set(err, errlen, "cannot open an ICMP "
			    "datagram socket for %s: %s (see "
			    "net.ipv4.ping_group_range)",
			    fam, strerror(dgram_errno));
	}
	if (probe_sock_try(so, SOCK_RAW) == 0)
		return 0;
	if (want == PROBE_WANT_RAW)
		return errbuf_set(err, errlen, "cannot open a raw ICMP socket "
		    "for %s: %s", fam, strerror(errno));
	return errbuf_set(err, errlen, "cannot open an ICMP socket for %s: "
	    "datagram: %s (see net.ipv4.ping_group_range), raw: %s "
	    "(needs CAP_NET_RAW)", fam, strerror(dgram_errno), strerror(errno));
}

void
probe_sock_close(struct probe_sock *so)
{
	if (so->so_fd != -1)
		close(so->so_fd);
	so->so_fd = -1;
}

/* Sending and reading */

int
probe_sock_send(const struct probe_sock *so, const struct probe_addr *to,
    uint16_t seq, struct probe_clock *sent)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	uint8_t			 buf[PROBE_ICMP_HEADER_LEN +
				    sizeof(probe_payload)];
	size_t			 len;

	if (so->so_kind == PROBE_SOCKET_NONE)
		return 0;
	len = probe_icmp_echo_build(so->so_family, 0, so->so_ident, seq,
	    probe_payload, sizeof(probe_payload), buf, sizeof(buf));
	sslen = probe_addr_to_sockaddr(to, &ss);
	probe_clock_now(sent);
	if (sendto(so->so_fd, buf, len, 0, (struct sockaddr *)&ss, sslen) ==
	    -1)
		return -1;
	return 0;
}

/* CLOCK_MONOTONIC and CLOCK_REALTIME as of one instant: realtime read on
 * both sides of the monotonic read, and close enough.  -1 if a preemption
 * came between them every time. */
static int
probe_sock_clock_pair(struct probe_clock *cl)
{
	struct timespec	w1, m, w2;
	int64_t		w1_us, w2_us;
	int		i;

	for (i = 0; i < PROBE_CLOCK_PAIR_TRIES; i++) {
		clock_gettime(CLOCK_REALTIME, &w1);
		clock_gettime(CLOCK_MONOTONIC, &m);
		clock_gettime(CLOCK_REALTIME, &w2);
		w1_us = (int64_t)w1.tv_sec * 1000000 + w1.tv_nsec / 1000;
		w2_us = (int64_t)w2.tv_sec * 1000000 + w2.tv_nsec / 1000;
		if (w2_us < w1_us || w2_us - w1_us > PROBE_CLOCK_PAIR_US)
			continue;
		cl->cl_mono_us = (uint64_t)m.tv_sec * 1000000 +
		    (uint64_t)m.tv_nsec / 1000;
		cl->cl_wall_us = w1_us + (w2_us - w1_us) / 2;
		return 0;
	}
	return -1;
}

/*
 * Replaces *at, the time a message was read, with the time the kernel
 * received it: its SO_TIMESTAMPNS stamp is CLOCK_REALTIME, moved onto
 * CLOCK_MONOTONIC by how long ago it was on the realtime clock.  *at stays
 * as read without a stamp, or with one that is in the future or older than
 * PROBE_RX_DELAY_MAX_US (the realtime clock was stepped).
 */
static void
probe_sock_rx_time(struct msghdr *msg, struct probe_clock *at)
{
	struct probe_clock	 now;
	struct timespec		 ts;
	struct cmsghdr		*cm;
	int64_t			 rx_us, delay_us;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_TIMESTAMPNS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(ts)))
			break;
	if (cm == NULL || probe_sock_clock_pair(&now) == -1)
		return;
	memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
	rx_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	delay_us = now.cl_wall_us - rx_us;
	if (delay_us < 0 || delay_us > PROBE_RX_DELAY_MAX_US ||
	    (uint64_t)delay_us > now.cl_mono_us)
		return;
	at->cl_mono_us = now.cl_mono_us - (uint64_t)delay_us;
	at->cl_wall_us = rx_us;
}

enum probe_sock_read
probe_sock_read(const struct probe_sock *so, struct probe_packet *pk,
    struct probe_addr *from, struct probe_clock *now,
    enum probe_parse *parsed)
{
	uint8_t			 buf[PROBE_RECV_BUF];
	uint64_t		 control[8];	/* aligned for cmsghdr */
	struct sockaddr_storage	 ss;
	struct iovec		 iov;
	struct msghdr		 msg;
	ssize_t			 n;

	iov.iov_base = buf, iov.iov_len = sizeof(buf);
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &ss, msg.msg_namelen = sizeof(ss);
	msg.msg_iov = &iov, msg.msg_iovlen = 1;
	msg.msg_control = control;
	msg.msg_controllen = sizeof(control);
	n = recvmsg(so->so_fd, &msg, MSG_TRUNC);
	probe_clock_now(now);
	if (n == -1 && errno == EINTR)
		return PROBE_SOCK_READ_AGAIN;
	if (n == -1) {
		/* A ping socket reports a queued ICMP error once through
		 * recv too; the error queue has the detail. */
		if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    so->so_kind != PROBE_SOCKET_DGRAM)
			return PROBE_SOCK_READ_FAILED;
		return PROBE_SOCK_READ_NONE;
	}
	probe_sock_rx_time(&msg, now);
	if ((size_t)n > sizeof(buf))
		n = sizeof(buf);	/* we need the headers only */
	if (probe_addr_from_sockaddr(from, (struct sockaddr *)&ss,
	    msg.msg_namelen) == -1)
		memset(from, 0, sizeof(*from));
	*parsed = probe_icmp_parse(so->so_family,
	    so->so_kind == PROBE_SOCKET_RAW && so->so_family == AF_INET,
	    buf, (size_t)n, pk);
	return PROBE_SOCK_READ_DONE;
}

/* The extended error of one MSG_ERRQUEUE read; -1 if it has none. */
static int
probe_sock_errqueue_cmsg(struct msghdr *msg, int family,
    struct sock_extended_err *ee, struct probe_addr *offender)
{
	struct sockaddr_storage	 ss;
	struct cmsghdr		*cm;
	size_t			 len;

	memset(offender, 0, sizeof(*offender));
	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (!(family == AF_INET && cm->cmsg_level == SOL_IP &&
		    cm->cmsg_type == IP_RECVERR) &&
		    !(family == AF_INET6 && cm->cmsg_level == SOL_IPV6 &&
		    cm->cmsg_type == IPV6_RECVERR))
			continue;
		len = cm->cmsg_len - CMSG_LEN(0);
		if (len < sizeof(*ee))
			return -1;
		memcpy(ee, CMSG_DATA(cm), sizeof(*ee));
		/* SO_EE_OFFENDER: the sender's address follows. */
		len -= sizeof(*ee);
		if (len > sizeof(ss))
			len = sizeof(ss);
		memset(&ss, 0, sizeof(ss));
		memcpy(&ss, CMSG_DATA(cm) + sizeof(*ee), len);
		if (probe_addr_from_sockaddr(offender, (struct sockaddr *)&ss,
		    (socklen_t)len) == -1)
			memset(offender, 0, sizeof(*offender));
		return 0;
	}
	return -1;
}

static int
probe_sock_errqueue_is_unreach(int family, const struct sock_extended_err *ee)
{
	if (family == AF_INET)
		return ee->ee_origin == SO_EE_ORIGIN_ICMP &&
		    ee->ee_type == PROBE_ICMP4_UNREACH;
	return ee->ee_origin == SO_EE_ORIGIN_ICMP6 &&
	    ee->ee_type == PROBE_ICMP6_UNREACH;
}

/* An ICMP error a ping socket queued: the data is our own request as
 * quoted, msg_name its destination, the offender its sender. */
enum probe_sock_read
probe_sock_read_error(const struct probe_sock *so, struct probe_packet *pk,
    struct probe_addr *from, struct probe_clock *now,
    enum probe_parse *parsed)
{
	uint8_t			  buf[PROBE_RECV_BUF];
	uint64_t		  control[64];	/* aligned for cmsghdr */
	struct sockaddr_storage	  ss;
	struct sock_extended_err  ee;
	struct probe_addr	  target;
	struct iovec		  iov;
	struct msghdr		  msg;
	ssize_t			  n;

	iov.iov_base = buf, iov.iov_len = sizeof(buf);
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &ss, msg.msg_namelen = sizeof(ss);
	msg.msg_iov = &iov, msg.msg_iovlen = 1;
	msg.msg_control = control;
	msg.msg_controllen = sizeof(control);
	if ((n = recvmsg(so->so_fd, &msg, MSG_ERRQUEUE)) == -1)
		return PROBE_SOCK_READ_NONE;
	probe_clock_now(now);
	probe_sock_rx_time(&msg, now);
	if (probe_sock_errqueue_cmsg(&msg, so->so_family, &ee, from) == -1 ||
	    !probe_sock_errqueue_is_unreach(so->so_family, &ee) ||
	    probe_addr_from_sockaddr(&target, (struct sockaddr *)&ss,
	    msg.msg_namelen) == -1) {
		*parsed = PROBE_PARSE_OTHER;
		return PROBE_SOCK_READ_DONE;
	}
	*parsed = probe_icmp_parse_error(so->so_family, ee.ee_code, &target,
	    buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf), pk);
	return PROBE_SOCK_READ_DONE;
}
