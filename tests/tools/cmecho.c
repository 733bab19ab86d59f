/*
 * cmecho: answers ICMP and ICMPv6 echo requests after a delay, for tests
 * on kernels without netem.
 *
 *   cmecho [-d MS] [-4 | -6] [-v]
 *
 * Reads echo requests on raw sockets and sends each one's reply MS
 * milliseconds after it arrived, from the address it was sent to.  Meant
 * for a test network namespace whose kernel does not answer echoes itself
 * (sysctl net.ipv4.icmp_echo_ignore_all=1, net.ipv6.icmp.echo_ignore_all=1),
 * or every request is answered twice.  Prints "ready" once its sockets are
 * open; on SIGTERM or SIGINT prints what it did to stderr and exits 0.
 * Needs CAP_NET_RAW.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/cursor.h"
#include "probe/probe.h"
#include "probe/probe_icmp.h"

#ifndef ICMP_FILTER
#define ICMP_FILTER	1	/* <linux/icmp.h> */
#endif

#define ECHO_MAX	2048	/* bytes of a request we answer */
#define QUEUE_MAX	4096	/* replies waiting for their time */

struct reply {
	uint64_t		re_due_us;	/* CLOCK_MONOTONIC */
	int			re_family;
	struct sockaddr_storage	re_to;
	socklen_t		re_tolen;
	struct in_pktinfo	re_info4;	/* from the request's */
	struct in6_pktinfo	re_info6;
	size_t			re_len;
	uint8_t			re_data[ECHO_MAX];
};

/* A FIFO: every reply waits the same delay, so they come due in order. */
static struct reply	*queue;
static size_t		 q_first, q_count;
static unsigned long	 n_answered, n_dropped, n_ignored;
static int		 verbose;
static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int
open_raw(int family)
{
	struct icmp6_filter	f6;
	uint32_t		f4 = ~(1U << 8);	/* echo request only */
	int			fd, on = 1;

	fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (fd == -1)
		return -1;
	if (family == AF_INET) {
		if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &f4, sizeof(f4)) ==
		    -1 || setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on,
		    sizeof(on)) == -1)
			goto fail;
		return fd;
	}
	ICMP6_FILTER_SETBLOCKALL(&f6);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REQUEST, &f6);
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f6, sizeof(f6)) ==
	    -1 || setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
	    sizeof(on)) == -1)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/* The echo request in buf (after the IPv4 header, honouring IHL, for
 * IPv4) turned into its reply in re; -1 if it is not one. */
static int
make_reply(int family, const uint8_t *buf, size_t len, struct reply *re)
{
	struct cursor	c;
	uint8_t		vihl, type;
	uint16_t	sum;
	size_t		n;

	cursor_init(&c, buf, len);
	if (family == AF_INET) {
		if (cursor_peek_u8(&c, &vihl) == -1 || vihl >> 4 != 4 ||
		    (vihl & 0x0f) < 5 ||
		    cursor_skip(&c, (size_t)(vihl & 0x0f) * 4) == -1)
			return -1;
	}
	n = cursor_remaining(&c);
	if (n < 8 || n > sizeof(re->re_data) ||
	    cursor_peek_u8(&c, &type) == -1 ||
	    type != (family == AF_INET ? 8 : ICMP6_ECHO_REQUEST) ||
	    cursor_get_bytes(&c, re->re_data, n) == -1)
		return -1;
	re->re_len = n;
	re->re_data[0] = family == AF_INET ? 0 : ICMP6_ECHO_REPLY;
	re->re_data[2] = re->re_data[3] = 0;
	if (family == AF_INET) {
		sum = probe_icmp_checksum(re->re_data, n);
		re->re_data[2] = (uint8_t)(sum >> 8);
		re->re_data[3] = (uint8_t)sum;
	}	/* ICMPv6: the kernel fills the checksum */
	return 0;
}

static void
take_pktinfo(struct msghdr *msg, struct reply *re)
{
	struct cmsghdr	*cm;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type ==
		    IP_PKTINFO && cm->cmsg_len >= CMSG_LEN(sizeof(re->re_info4)))
			memcpy(&re->re_info4, CMSG_DATA(cm),
			    sizeof(re->re_info4));
		if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type ==
		    IPV6_PKTINFO && cm->cmsg_len >= CMSG_LEN(sizeof(re->re_info6)))
			memcpy(&re->re_info6, CMSG_DATA(cm),
			    sizeof(re->re_info6));
	}
}

static void
receive(int fd, int family, uint64_t delay_us)
{
	uint8_t		 buf[ECHO_MAX + 60];
	uint64_t	 control[32];
	struct reply	*re;
	struct iovec	 iov;
	struct msghdr	 msg;
	ssize_t		 n;

	for (;;) {
		if (q_count == QUEUE_MAX) {
			/* Read and drop: the queue is full. */
			if (recv(fd, buf, sizeof(buf), 0) == -1)
				return;
			n_dropped++;
			continue;
		}
		re = &queue[(q_first + q_count) % QUEUE_MAX];
		memset(re, 0, offsetof(struct reply, re_data));
		iov.iov_base = buf, iov.iov_len = sizeof(buf);
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &re->re_to, msg.msg_namelen = sizeof(re->re_to);
		msg.msg_iov = &iov, msg.msg_iovlen = 1;
		msg.msg_control = control, msg.msg_controllen = sizeof(control);
		if ((n = recvmsg(fd, &msg, 0)) == -1)
			return;
		if (make_reply(family, buf, (size_t)n, re) == -1) {
			n_ignored++;
			continue;
		}
		re->re_family = family;
		re->re_tolen = msg.msg_namelen;
		re->re_due_us = now_us() + delay_us;
		take_pktinfo(&msg, re);
		q_count++;
	}
}

/* Sends the reply from the address the request was sent to. */
static void
send_reply(int fd, struct reply *re)
{
	uint64_t	 control[16];
	struct cmsghdr	*cm;
	struct iovec	 iov;
	struct msghdr	 msg;
	char		 addr[INET6_ADDRSTRLEN];

	memset(control, 0, sizeof(control));
	iov.iov_base = re->re_data, iov.iov_len = re->re_len;
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &re->re_to, msg.msg_namelen = re->re_tolen;
	msg.msg_iov = &iov, msg.msg_iovlen = 1;
	msg.msg_control = control;
	cm = (struct cmsghdr *)(void *)control;
	if (re->re_family == AF_INET) {
		msg.msg_controllen = CMSG_SPACE(sizeof(re->re_info4));
		cm->cmsg_level = IPPROTO_IP, cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(re->re_info4));
		re->re_info4.ipi_ifindex = 0;	/* route by address */
		re->re_info4.ipi_spec_dst = re->re_info4.ipi_addr;
		memcpy(CMSG_DATA(cm), &re->re_info4, sizeof(re->re_info4));
	} else {
		msg.msg_controllen = CMSG_SPACE(sizeof(re->re_info6));
		cm->cmsg_level = IPPROTO_IPV6, cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(re->re_info6));
		memcpy(CMSG_DATA(cm), &re->re_info6, sizeof(re->re_info6));
	}
	if (sendmsg(fd, &msg, 0) == -1) {
		fprintf(stderr, "cmecho: sendmsg: %s\n", strerror(errno));
		return;
	}
	n_answered++;
	if (verbose) {
		getnameinfo((struct sockaddr *)&re->re_to, re->re_tolen, addr,
		    sizeof(addr), NULL, 0, NI_NUMERICHOST);
		fprintf(stderr, "cmecho: answered %s seq %u\n", addr,
		    (unsigned)re->re_data[6] << 8 | re->re_data[7]);
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: cmecho [-d MS] [-4 | -6] [-v]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct pollfd	 pfd[2];
	uint64_t	 delay_us = 0, now;
	long		 ms;
	char		*end;
	int		 opt, want4 = 1, want6 = 1, fd4 = -1, fd6 = -1, timeout;

	while ((opt = getopt(argc, argv, "d:46v")) != -1) {
		switch (opt) {
		case 'd':
			ms = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || ms < 0 ||
			    ms > 3600000)
				usage();
			delay_us = (uint64_t)ms * 1000;
			break;
		case '4':
			want6 = 0;
			break;
		case '6':
			want4 = 0;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	if ((queue = calloc(QUEUE_MAX, sizeof(*queue))) == NULL) {
		perror("cmecho");
		return 1;
	}
	if ((want4 && (fd4 = open_raw(AF_INET)) == -1) ||
	    (want6 && (fd6 = open_raw(AF_INET6)) == -1)) {
		fprintf(stderr, "cmecho: raw ICMP socket: %s\n",
		    strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("ready\n");
	fflush(stdout);

	while (!stop) {
		now = now_us();
		while (q_count > 0 && queue[q_first].re_due_us <= now) {
			send_reply(queue[q_first].re_family == AF_INET ? fd4 :
			    fd6, &queue[q_first]);
			q_first = (q_first + 1) % QUEUE_MAX;
			q_count--;
		}
		timeout = q_count == 0 ? 1000 :
		    (int)((queue[q_first].re_due_us - now + 999) / 1000);
		pfd[0].fd = fd4, pfd[0].events = POLLIN;
		pfd[1].fd = fd6, pfd[1].events = POLLIN;
		if (poll(pfd, 2, timeout) <= 0)
			continue;
		if (pfd[0].revents & POLLIN)
			receive(fd4, AF_INET, delay_us);
		if (pfd[1].revents & POLLIN)
			receive(fd6, AF_INET6, delay_us);
	}
	fprintf(stderr, "cmecho: answered %lu, dropped %lu, ignored %lu\n",
	    n_answered, n_dropped, n_ignored);
	return 0;
}
