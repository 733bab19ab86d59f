/*
 * sockdiag: the parser against crafted netlink buffers (each handed over in
 * a heap block of exactly its length, so the ASan build proves nothing is
 * read past it), then a real dump of connections this test opens on
 * 127.0.0.1, ::1 and ::ffff:127.0.0.1, checked against what the test moved
 * through them, against fstat() and SO_COOKIE, and against `ss -tinHOe`.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>

#include "check.h"
#include "conns/sockdiag.h"
#include "fixture.h"

#define SEQ	4242
#define PORTID	777

/* ---- crafted messages ------------------------------------------------ */

static _Alignas(8) uint8_t	wire[16384];

/* Appends one SOCK_DIAG_BY_FAMILY message at off; returns its header. */
static struct nlmsghdr *
put_sock(size_t *off, int family, const char *src, uint16_t sport,
    const char *dst, uint16_t dport, uint64_t cookie)
{
	struct nlmsghdr		*nlh = mnl_nlmsg_put_header(wire + *off);
	struct inet_diag_msg	*m;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = SEQ;
	nlh->nlmsg_pid = PORTID;
	m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
	m->idiag_family = family;
	m->idiag_state = SD_TCP_ESTABLISHED;
	m->id.idiag_sport = htons(sport);
	m->id.idiag_dport = htons(dport);
	inet_pton(family, src, m->id.idiag_src);
	inet_pton(family, dst, m->id.idiag_dst);
	m->id.idiag_cookie[0] = (uint32_t)cookie;
	m->id.idiag_cookie[1] = (uint32_t)(cookie >> 32);
	m->idiag_rqueue = 11;
	m->idiag_wqueue = 22;
	m->idiag_uid = 1000;
	m->idiag_inode = 31337;
	return nlh;
}

static void
end_msg(size_t *off, const struct nlmsghdr *nlh)
{
	*off += MNL_ALIGN(nlh->nlmsg_len);
}

static void
put_done(size_t *off, int status)
{
	struct nlmsghdr	*nlh = mnl_nlmsg_put_header(wire + *off);
	int		*st;

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = SEQ;
	nlh->nlmsg_pid = PORTID;
	st = mnl_nlmsg_put_extra_header(nlh, sizeof(*st));
	*st = status;
	end_msg(off, nlh);
}

static void
full_info(struct tcp_info *ti)
{
	memset(ti, 0, sizeof(*ti));
	ti->tcpi_state = SD_TCP_ESTABLISHED;
	ti->tcpi_rtt = 1111;
	ti->tcpi_rttvar = 222;
	ti->tcpi_snd_cwnd = 10;
	ti->tcpi_total_retrans = 3;
	ti->tcpi_bytes_acked = 123456789012ULL;
	ti->tcpi_bytes_received = 987654321ULL;
	ti->tcpi_segs_out = 500;
	ti->tcpi_segs_in = 400;
	ti->tcpi_data_segs_out = 300;
	ti->tcpi_data_segs_in = 200;
	ti->tcpi_delivery_rate = 5000000;
	ti->tcpi_bytes_retrans = 4444;
	ti->tcpi_min_rtt = 900;
	ti->tcpi_busy_time = 70000;
	ti->tcpi_rwnd_limited = 7000;
	ti->tcpi_sndbuf_limited = 700;
}

/* Parses len bytes of wire from a heap block of exactly that size. */
static int
parse_exact(struct sd_list *sl, size_t len)
{
	uint8_t	*copy = malloc(len ? len : 1);
	int	 rc;

	memcpy(copy, wire, len);
	rc = sockdiag_parse(sl, copy, len, SEQ, PORTID);
	free(copy);
	return rc;
}

static void
test_parse_good(void)
{
	struct sd_list	 sl;
	struct tcp_info	 ti;
	struct nlmsghdr	*nlh;
	size_t		 off = 0;
	uint8_t		 shut = 0;
	const struct sd_sock *ss;

	full_info(&ti);
	nlh = put_sock(&off, AF_INET, "10.1.2.3", 80, "192.0.2.9", 40000,
	    0x1122334455667788ULL);
	mnl_attr_put(nlh, INET_DIAG_SHUTDOWN, 1, &shut);
	mnl_attr_put(nlh, INET_DIAG_INFO, sizeof(ti), &ti);
	end_msg(&off, nlh);
	put_done(&off, 0);

	sockdiag_list_init(&sl, 0);
	CHECK(parse_exact(&sl, off) == 0,
	    "parse: a message and NLMSG_DONE end the dump (returns 0)");
	CHECK_U64(sl.sl_count, 1, "parse: one socket from one message");
	ss = &sl.sl_socks[0];
	CHECK(ss->ss_family == AF_INET && ss->ss_sock_family == AF_INET,
	    "parse: IPv4 socket typed AF_INET");
	CHECK(memcmp(ss->ss_local, "\x0a\x01\x02\x03", 4) == 0 &&
	    memcmp(ss->ss_remote, "\xc0\x00\x02\x09", 4) == 0,
	    "parse: addresses copied in network order");
	CHECK(ss->ss_local_port == 80 && ss->ss_remote_port == 40000,
	    "parse: ports in host order");
	CHECK_U64(ss->ss_cookie, 0x1122334455667788ULL,
	    "parse: cookie is idiag_cookie[1] << 32 | idiag_cookie[0]");
	CHECK(ss->ss_rqueue == 11 && ss->ss_wqueue == 22 &&
	    ss->ss_uid == 1000 && ss->ss_inode == 31337,
	    "parse: queues, uid and inode from inet_diag_msg");
	CHECK(ss->ss_have_info && ss->ss_info_len == sizeof(ti),
	    "parse: tcp_info present with its length");
	CHECK_U64(ss->ss_bytes_acked, 123456789012ULL, "parse: bytes_acked");
	CHECK_U64(ss->ss_bytes_received, 987654321ULL,
	    "parse: bytes_received");
	CHECK(ss->ss_segs_out == 500 && ss->ss_segs_in == 400 &&
	    ss->ss_data_segs_out == 300 && ss->ss_data_segs_in == 200,
	    "parse: segment counters");
	CHECK(ss->ss_rtt == 1111 && ss->ss_rttvar == 222 &&
	    ss->ss_snd_cwnd == 10 && ss->ss_total_retrans == 3 &&
	    ss->ss_bytes_retrans == 4444 && ss->ss_delivery_rate == 5000000,
	    "parse: rtt, rttvar, cwnd, retransmissions, delivery rate");
	CHECK(ss->ss_min_rtt == 900 && ss->ss_busy_time == 70000 &&
	    ss->ss_rwnd_limited == 7000 && ss->ss_sndbuf_limited == 700,
	    "parse: min RTT, busy, rwnd- and sndbuf-limited times");
	CHECK(sl.sl_stats.st_malformed == 0 &&
	    sl.sl_stats.st_unknown_attrs == 0 && sl.sl_stats.st_short_info == 0,
	    "parse: a good message counts nothing as bad");
	sockdiag_list_free(&sl);
}

static void
test_parse_v4mapped(void)
{
	struct sd_list	 sl;
	struct nlmsghdr	*nlh;
	size_t		 off = 0;
	const struct sd_sock *ss;

	nlh = put_sock(&off, AF_INET6, "::ffff:127.0.0.1", 5000,
	    "::ffff:10.9.8.7", 6000, 1);
	end_msg(&off, nlh);
	nlh = put_sock(&off, AF_INET6, "2001:db8::1", 5000, "::1", 6000, 2);
	end_msg(&off, nlh);
	sockdiag_list_init(&sl, 0);
	CHECK(parse_exact(&sl, off) == 1,
	    "parse: without NLMSG_DONE more is to come (returns 1)");
	CHECK_U64(sl.sl_count, 2, "parse: two IPv6 messages");
	ss = &sl.sl_socks[0];
	CHECK(ss->ss_family == AF_INET && ss->ss_sock_family == AF_INET6,
	    "parse: a v4-mapped IPv6 socket is typed AF_INET");
	CHECK(memcmp(ss->ss_local, "\x7f\x00\x00\x01", 4) == 0 &&
	    memcmp(ss->ss_remote, "\x0a\x09\x08\x07", 4) == 0,
	    "parse: v4-mapped addresses become their IPv4 address");
	CHECK(memcmp(ss->ss_local + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0 &&
	    memcmp(ss->ss_remote + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0,
	    "parse: the bytes past a folded IPv4 address are zero");
	ss = &sl.sl_socks[1];
	CHECK(ss->ss_family == AF_INET6 && ss->ss_local[0] == 0x20 &&
	    ss->ss_remote[15] == 1, "parse: a real IPv6 pair stays AF_INET6");
	CHECK(!ss->ss_have_info && ss->ss_bytes_acked == 0,
	    "parse: no INET_DIAG_INFO (TIME_WAIT) leaves counters 0");
	sockdiag_list_free(&sl);
}

static void
test_parse_short_claim(void)
{
	struct sd_list	 sl;
	struct tcp_info	 ti;
	struct nlmsghdr	*nlh;
	size_t		 off = 0, first;

	full_info(&ti);
	nlh = put_sock(&off, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, 1);
	end_msg(&off, nlh);
	first = off;
	nlh = put_sock(&off, AF_INET, "127.0.0.1", 3, "127.0.0.1", 4, 2);
	mnl_attr_put(nlh, INET_DIAG_INFO, sizeof(ti), &ti);
	end_msg(&off, nlh);
	/* The second message claims 100 bytes more than the buffer holds. */
	nlh->nlmsg_len += 100;

	sockdiag_list_init(&sl, 0);
	CHECK(parse_exact(&sl, off) == 1,
	    "short claim: parse goes on (returns 1)");
	CHECK_U64(sl.sl_count, 1,
	    "short claim: the whole message before it is kept");
	CHECK_U64(sl.sl_stats.st_malformed, 1,
	    "short claim: the message shorter than it claims is counted");

	/* A stub shorter than a netlink header after a good message. */
	sockdiag_list_clear(&sl);
	CHECK(parse_exact(&sl, first + 7) == 1 && sl.sl_count == 1,
	    "short claim: 7 trailing bytes do not stop the good message");
	CHECK_U64(sl.sl_stats.st_malformed, 2,
	    "short claim: a stub shorter than a header is counted");
	sockdiag_list_free(&sl);
}

static void
test_parse_bad_attrs(void)
{
	struct sd_list	 sl;
	struct tcp_info	 ti;
	struct nlmsghdr	*nlh;
	struct nlattr	*attr;
	size_t		 off = 0;
	uint32_t	 junk = 0xdeadbeef;

	full_info(&ti);
	sockdiag_list_init(&sl, 0);

	/* INFO claims 64 bytes more than its message has. */
	nlh = put_sock(&off, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, 1);
	attr = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, INET_DIAG_INFO, sizeof(ti), &ti);
	attr->nla_len += 64;
	end_msg(&off, nlh);
	CHECK(parse_exact(&sl, off) == 1 && sl.sl_count == 0,
	    "bad attr: an attribute running past its message drops it");
	CHECK_U64(sl.sl_stats.st_malformed, 1,
	    "bad attr: counted as malformed");

	/* An attribute shorter than its own header. */
	off = 0;
	nlh = put_sock(&off, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, 1);
	attr = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, INET_DIAG_SHUTDOWN, sizeof(junk), &junk);
	attr->nla_len = 2;
	end_msg(&off, nlh);
	CHECK(parse_exact(&sl, off) == 1 && sl.sl_count == 0,
	    "bad attr: nla_len 2 (< header) drops the message");
	CHECK_U64(sl.sl_stats.st_malformed, 2, "bad attr: counted");

	/* An attribute type newer than our headers: ignored, message kept. */
	off = 0;
	nlh = put_sock(&off, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, 1);
	mnl_attr_put(nlh, INET_DIAG_MAX + 7, sizeof(junk), &junk);
	mnl_attr_put(nlh, INET_DIAG_INFO, sizeof(ti), &ti);
	end_msg(&off, nlh);
	CHECK(parse_exact(&sl, off) == 1 && sl.sl_count == 1,
	    "unknown attr: the message is kept");
	CHECK_U64(sl.sl_stats.st_unknown_attrs, 1,
	    "unknown attr: counted");
	CHECK(sl.sl_count == 1 && sl.sl_socks[0].ss_bytes_acked ==
	    ti.tcpi_bytes_acked, "unknown attr: INFO after it still read");

	/* A payload shorter than inet_diag_msg. */
	off = 0;
	nlh = mnl_nlmsg_put_header(wire);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_seq = SEQ;
	mnl_nlmsg_put_extra_header(nlh, 40);
	end_msg(&off, nlh);
	sockdiag_list_clear(&sl);
	CHECK(parse_exact(&sl, off) == 1 && sl.sl_count == 0,
	    "short payload: 40 bytes is no inet_diag_msg, skipped");
	CHECK_U64(sl.sl_stats.st_malformed, 3, "short payload: counted");
	sockdiag_list_free(&sl);
}

static void
test_parse_info_lengths(void)
{
	struct sd_list	 sl;
	struct tcp_info	 ti;
	struct nlmsghdr	*nlh;
	size_t		 off = 0, old_len;
	uint8_t		 longer[sizeof(struct tcp_info) + 40];
	const struct sd_sock *ss;

	full_info(&ti);
	/* A 3.x kernel's tcp_info ended after tcpi_total_retrans. */
	old_len = offsetof(struct tcp_info, tcpi_pacing_rate);
	nlh = put_sock(&off, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, 1);
	mnl_attr_put(nlh, INET_DIAG_INFO, old_len, &ti);
	end_msg(&off, nlh);
	sockdiag_list_init(&sl, 0);
	CHECK(parse_exact(&sl, off) == 1 && sl.sl_count == 1,
	    "old tcp_info: %zu bytes, the socket is kept", old_len);
	ss = &sl.sl_socks[0];
	CHECK(ss->ss_info_len == old_len, "old tcp_info: its length noted");
	CHECK(ss->ss_rtt == 1111 && ss->ss_total_retrans == 3,
	    "old tcp_info: fields it has are read");
	CHECK(ss->ss_bytes_acked == 0 && ss->ss_bytes_received == 0 &&
	    ss->ss_segs_out == 0 && ss->ss_bytes_retrans == 0,
	    "old tcp_info: fields it lacks read as 0");
	CHECK_U64(sl.sl_stats.st_short_info, 1, "old tcp_info: counted");
	CHECK_U64(ss->ss_info_have, 0,
	    "old tcp_info: no newer field is claimed (unknown, not 0)");

	/* A 4.9 kernel's: delivery rate, min RTT and data segments, but
	 * no busy times and no retransmitted bytes. */
	off = 0;
	nlh = put_sock(&off, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, 1);
	mnl_attr_put(nlh, INET_DIAG_INFO, offsetof(struct tcp_info,
	    tcpi_busy_time), &ti);
	end_msg(&off, nlh);
	sockdiag_list_clear(&sl);
	CHECK(parse_exact(&sl, off) == 1 && sl.sl_count == 1 &&
	    sl.sl_socks[0].ss_info_have == (SD_HAVE_MIN_RTT |
	    SD_HAVE_DATA_SEGS | SD_HAVE_DELIVERY) &&
	    sl.sl_socks[0].ss_busy_time == 0,
	    "4.9 tcp_info: min RTT, data segments, delivery rate; no busy "
	    "times, no retransmitted bytes");

	/* A newer kernel's longer tcp_info is cut to ours. */
	memset(longer, 0xab, sizeof(longer));
	memcpy(longer, &ti, sizeof(ti));
	off = 0;
	nlh = put_sock(&off, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, 1);
	mnl_attr_put(nlh, INET_DIAG_INFO, sizeof(longer), longer);
	end_msg(&off, nlh);
	sockdiag_list_clear(&sl);
	CHECK(parse_exact(&sl, off) == 1 && sl.sl_count == 1 &&
	    sl.sl_socks[0].ss_bytes_acked == ti.tcpi_bytes_acked &&
	    sl.sl_socks[0].ss_info_len == sizeof(longer) &&
	    sl.sl_socks[0].ss_info_have == (SD_HAVE_MIN_RTT |
	    SD_HAVE_DATA_SEGS | SD_HAVE_DELIVERY | SD_HAVE_BUSY |
	    SD_HAVE_BYTES_RETRANS) &&
	    sl.sl_socks[0].ss_busy_time == ti.tcpi_busy_time &&
	    sl.sl_socks[0].ss_min_rtt == ti.tcpi_min_rtt,
	    "new tcp_info: a longer one is read up to our struct");
	CHECK_U64(sl.sl_stats.st_short_info, 2,
	    "new tcp_info: a longer one is not counted as short (the 4.9 "
	    "one was)");
	sockdiag_list_free(&sl);
}

static void
test_parse_control(void)
{
	struct sd_list	 sl;
	struct nlmsghdr	*nlh;
	struct nlmsgerr	*err;
	size_t		 off = 0;

	sockdiag_list_init(&sl, 0);
	nlh = mnl_nlmsg_put_header(wire);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = SEQ;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = -EPERM;
	end_msg(&off, nlh);
	errno = 0;
	CHECK(parse_exact(&sl, off) == -1 && errno == EPERM,
	    "control: NLMSG_ERROR -EPERM fails with EPERM");

	/* An error message too short for its struct nlmsgerr. */
	off = 0;
	nlh = mnl_nlmsg_put_header(wire);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = SEQ;
	mnl_nlmsg_put_extra_header(nlh, 4);
	end_msg(&off, nlh);
	errno = 0;
	CHECK(parse_exact(&sl, off) == -1 && errno == EBADMSG,
	    "control: a truncated NLMSG_ERROR is EBADMSG, not read past");

	/* An error no errno can be: INT_MIN has no negation in an int. */
	off = 0;
	nlh = mnl_nlmsg_put_header(wire);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = SEQ;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = INT_MIN;
	end_msg(&off, nlh);
	errno = 0;
	CHECK(parse_exact(&sl, off) == -1 && errno == EPROTO,
	    "control: NLMSG_ERROR INT_MIN is EPROTO (no errno that large)");
	off = 0;
	put_done(&off, INT_MIN);
	errno = 0;
	CHECK(parse_exact(&sl, off) == -1 && errno == EPROTO,
	    "control: NLMSG_DONE status INT_MIN is EPROTO");
	off = 0;
	put_done(&off, -70000);
	errno = 0;
	CHECK(parse_exact(&sl, off) == -1 && errno == EPROTO,
	    "control: NLMSG_DONE status -70000 is EPROTO");

	off = 0;
	put_done(&off, -ENOBUFS);
	errno = 0;
	CHECK(parse_exact(&sl, off) == -1 && errno == ENOBUFS,
	    "control: NLMSG_DONE with a negative status fails with it");

	off = 0;
	nlh = put_sock(&off, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, 1);
	nlh->nlmsg_seq = SEQ + 1;
	end_msg(&off, nlh);
	errno = 0;
	CHECK(parse_exact(&sl, off) == -1 && errno == EPROTO,
	    "control: a foreign sequence number is EPROTO");

	off = 0;
	nlh = put_sock(&off, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, 1);
	nlh->nlmsg_flags |= NLM_F_DUMP_INTR;
	end_msg(&off, nlh);
	errno = 0;
	CHECK(parse_exact(&sl, off) == -1 && errno == EINTR,
	    "control: an interrupted dump is EINTR (the dump retries)");
	CHECK_U64(sl.sl_count, 0, "control: none of these added a socket");

	/* The cap: two sockets into a list of at most one. */
	sockdiag_list_free(&sl);
	sockdiag_list_init(&sl, 1);
	off = 0;
	nlh = put_sock(&off, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, 1);
	end_msg(&off, nlh);
	nlh = put_sock(&off, AF_INET, "127.0.0.1", 3, "127.0.0.1", 4, 2);
	end_msg(&off, nlh);
	CHECK(parse_exact(&sl, off) == 1 && sl.sl_count == 1 &&
	    sl.sl_stats.st_dropped == 1,
	    "cap: the socket past sl_max is dropped and counted");
	sockdiag_list_free(&sl);
}

/* sockdiag_parse() gives up if a test case does not return. */
static void
hang_alarm(int sig)
{
	static const char msg[] = "not ok - hostile lengths: sockdiag_parse "
	    "did not return within 10 s (loops)\n";

	(void)sig;
	(void)!write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

/*
 * Lengths libmnl takes as int: an nlmsg_len of 2^31 or more is negative to
 * mnl_nlmsg_ok(), so it passes, and MNL_ALIGN() of 0xfffffffd wraps to 0
 * (a walk that never moves).  Each case is one good message then one
 * hostile one, or the hostile one alone; every hostile message must be
 * counted as malformed and none may be read past the buffer (ASan).
 */
static void
test_parse_hostile_lengths(void)
{
	static const uint32_t huge[] = {
		0x80000000u, 0x80000001u, 0xfffffffcu, 0xfffffffdu,
		0xffffffffu, 0x7fffffffu, 0x10000u,
	};
	static const uint32_t tiny[] = { 0, 1, 15 };
	struct sd_list	 sl;
	struct tcp_info	 ti;
	struct nlmsghdr	*nlh;
	size_t		 off, first, i, lead;

	full_info(&ti);
	signal(SIGALRM, hang_alarm);
	alarm(10);
	sockdiag_list_init(&sl, 0);
	for (lead = 0; lead < 2; lead++) {
		for (i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
			off = 0;
			if (lead) {
				nlh = put_sock(&off, AF_INET, "127.0.0.1", 1,
				    "127.0.0.1", 2, 1);
				end_msg(&off, nlh);
			}
			first = off;
			nlh = put_sock(&off, AF_INET, "127.0.0.1", 3,
			    "127.0.0.1", 4, 2);
			mnl_attr_put(nlh, INET_DIAG_INFO, sizeof(ti), &ti);
			end_msg(&off, nlh);
			((struct nlmsghdr *)(wire + first))->nlmsg_len =
			    huge[i];
			sockdiag_list_clear(&sl);
			memset(&sl.sl_stats, 0, sizeof(sl.sl_stats));
			CHECK(parse_exact(&sl, off) == 1 &&
			    sl.sl_count == lead && sl.sl_stats.st_malformed == 1,
			    "hostile lengths: nlmsg_len %#x after %zu good "
			    "message(s): the good kept, it counted, nothing "
			    "read past", huge[i], lead);
		}
	}
	/* Claims shorter than a netlink header, before a good message. */
	for (i = 0; i < sizeof(tiny) / sizeof(tiny[0]); i++) {
		off = 0;
		nlh = put_sock(&off, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2,
		    1);
		end_msg(&off, nlh);
		nlh = put_sock(&off, AF_INET, "127.0.0.1", 3, "127.0.0.1", 4,
		    2);
		end_msg(&off, nlh);
		((struct nlmsghdr *)wire)->nlmsg_len = tiny[i];
		sockdiag_list_clear(&sl);
		memset(&sl.sl_stats, 0, sizeof(sl.sl_stats));
		CHECK(parse_exact(&sl, off) == 1 && sl.sl_count == 0 &&
		    sl.sl_stats.st_malformed == 1,
		    "hostile lengths: nlmsg_len %u (< header) stops the "
		    "walk and is counted", tiny[i]);
	}
	alarm(0);
	signal(SIGALRM, SIG_DFL);
	sockdiag_list_free(&sl);
}

/* Attributes that do not fit: cut in the middle of their header, or
 * running into the next message (whose bytes are in the buffer). */
static void
test_parse_hostile_attrs(void)
{
	struct sd_list	 sl;
	struct tcp_info	 ti;
	struct nlmsghdr	*nlh;
	struct nlattr	*attr;
	size_t		 off;

	full_info(&ti);
	sockdiag_list_init(&sl, 0);

	/* INFO's nla_len reaches into the second, good message. */
	off = 0;
	nlh = put_sock(&off, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, 1);
	attr = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, INET_DIAG_INFO, 64, &ti);
	attr->nla_len = 64 + 4 + 40;
	end_msg(&off, nlh);
	nlh = put_sock(&off, AF_INET, "127.0.0.1", 3, "127.0.0.1", 4, 2);
	mnl_attr_put(nlh, INET_DIAG_INFO, sizeof(ti), &ti);
	end_msg(&off, nlh);
	CHECK(parse_exact(&sl, off) == 1 && sl.sl_count == 1 &&
	    sl.sl_socks[0].ss_local_port == 3 &&
	    sl.sl_stats.st_malformed == 1,
	    "hostile attrs: one running into the next message drops only "
	    "its own");

	/* A message that ends 4 bytes into an attribute: a whole header
	 * whose nla_len claims the full tcp_info. */
	off = 0;
	nlh = put_sock(&off, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, 1);
	mnl_attr_put(nlh, INET_DIAG_INFO, sizeof(ti), &ti);
	nlh->nlmsg_len -= sizeof(ti);
	end_msg(&off, nlh);
	sockdiag_list_clear(&sl);
	memset(&sl.sl_stats, 0, sizeof(sl.sl_stats));
	CHECK(parse_exact(&sl, off) == 1 && sl.sl_count == 0 &&
	    sl.sl_stats.st_malformed == 1,
	    "hostile attrs: a message cut after an attribute header");

	/* The last message ends 1 byte after its inet_diag_msg, unpadded:
	 * libmnl's walk to the aligned end would read an nla_len there. */
	off = 0;
	nlh = put_sock(&off, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, 1);
	wire[nlh->nlmsg_len] = 0x55;
	wire[nlh->nlmsg_len + 1] = 0x55;
	nlh->nlmsg_len += 1;
	off += nlh->nlmsg_len;
	sockdiag_list_clear(&sl);
	memset(&sl.sl_stats, 0, sizeof(sl.sl_stats));
	CHECK(parse_exact(&sl, off) == 1 && sl.sl_count == 1 &&
	    sl.sl_stats.st_malformed == 0,
	    "hostile attrs: 1 unpadded byte after the last message's "
	    "inet_diag_msg is padding, not read past");

	/* Many zero-payload attributes then one of nla_len 0xffff. */
	off = 0;
	nlh = put_sock(&off, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, 1);
	for (int k = 0; k < 100; k++)
		mnl_attr_put(nlh, INET_DIAG_SHUTDOWN, 0, NULL);
	attr = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, INET_DIAG_INFO, sizeof(ti), &ti);
	attr->nla_len = 0xffff;
	end_msg(&off, nlh);
	sockdiag_list_clear(&sl);
	memset(&sl.sl_stats, 0, sizeof(sl.sl_stats));
	CHECK(parse_exact(&sl, off) == 1 && sl.sl_count == 0 &&
	    sl.sl_stats.st_malformed == 1,
	    "hostile attrs: nla_len 0xffff after 100 empty attributes");
	sockdiag_list_free(&sl);
}

/* Every prefix of a three-message buffer: no crash, no over-read (ASan),
 * and each prefix yields exactly the whole messages it holds. */
static void
test_parse_every_prefix(void)
{
	struct sd_list	 sl;
	struct tcp_info	 ti;
	struct nlmsghdr	*nlh;
	size_t		 off = 0, ends[3], len, whole, bad = 0;
	uint32_t	 junk = 7;

	full_info(&ti);
	nlh = put_sock(&off, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, 1);
	mnl_attr_put(nlh, INET_DIAG_INFO, sizeof(ti), &ti);
	end_msg(&off, nlh);
	ends[0] = off;
	nlh = put_sock(&off, AF_INET6, "::1", 3, "::1", 4, 2);
	mnl_attr_put(nlh, INET_DIAG_MAX + 1, sizeof(junk), &junk);
	mnl_attr_put(nlh, INET_DIAG_INFO, 60, &ti);
	end_msg(&off, nlh);
	ends[1] = off;
	put_done(&off, 0);
	ends[2] = off;

	sockdiag_list_init(&sl, 0);
	for (len = 0; len <= ends[2]; len++) {
		sockdiag_list_clear(&sl);
		parse_exact(&sl, len);
		whole = (len >= ends[0]) + (len >= ends[1]);
		if (sl.sl_count != whole)
			bad++;
	}
	CHECK(bad == 0, "every prefix (%zu of them): only whole messages "
	    "become sockets", ends[2] + 1);
	sockdiag_list_free(&sl);
}

/* ---- a real dump ----------------------------------------------------- */

static const struct sd_sock *
find_sock(const struct sd_list *sl, uint64_t cookie)
{
	size_t	i;

	for (i = 0; i < sl->sl_count; i++)
		if (sl->sl_socks[i].ss_cookie == cookie)
			return &sl->sl_socks[i];
	return NULL;
}

static ino_t
inode_of(int fd)
{
	struct stat	st;

	fstat(fd, &st);
	return st.st_ino;
}

/* Bytes moved: the client sends TO_SRV, the server sends TO_CLI, the
 * client reads READ_CLI of them and leaves the rest queued. */
#define TO_SRV		10000
#define TO_CLI		5000
#define READ_CLI	1200

static void
check_pair(const struct sd_list *sl, const struct conn *cn, const char *what)
{
	const struct sd_sock	*cli = find_sock(sl, cn->cn_ccookie);
	const struct sd_sock	*srv = find_sock(sl, cn->cn_scookie);

	CHECK(cli != NULL && srv != NULL,
	    "%s: both ends found by their SO_COOKIE", what);
	if (cli == NULL || srv == NULL)
		return;
	CHECK(cli->ss_state == SD_TCP_ESTABLISHED &&
	    srv->ss_state == SD_TCP_ESTABLISHED, "%s: both ESTABLISHED", what);
	CHECK(cli->ss_local_port == cn->cn_cport &&
	    cli->ss_remote_port == cn->cn_sport &&
	    srv->ss_local_port == cn->cn_sport &&
	    srv->ss_remote_port == cn->cn_cport, "%s: ports", what);
	CHECK(cli->ss_inode == inode_of(cn->cn_cli) &&
	    srv->ss_inode == inode_of(cn->cn_srv),
	    "%s: inodes equal fstat()'s st_ino", what);
	CHECK(cli->ss_uid == getuid(), "%s: uid is ours", what);
	/* An active open's bytes_acked counts its SYN (tcp_snd_una_update). */
	CHECK_U64(cli->ss_bytes_acked, TO_SRV + 1,
	    "%s: client bytes_acked = bytes sent + SYN", what);
	CHECK_U64(srv->ss_bytes_received, TO_SRV,
	    "%s: server bytes_received = bytes the client sent", what);
	CHECK_U64(srv->ss_bytes_acked, TO_CLI,
	    "%s: server bytes_acked = bytes sent", what);
	CHECK_U64(cli->ss_bytes_received, TO_CLI,
	    "%s: client bytes_received = bytes the server sent", what);
	CHECK_U64(cli->ss_rqueue, TO_CLI - READ_CLI,
	    "%s: client receive queue = bytes not read", what);
	CHECK_U64(srv->ss_rqueue, 0, "%s: server read all: queue 0", what);
	CHECK(cli->ss_wqueue == 0 && srv->ss_wqueue == 0,
	    "%s: nothing unacknowledged", what);
	CHECK(cli->ss_segs_out > 0 && cli->ss_segs_in > 0 &&
	    srv->ss_data_segs_in > 0 && cli->ss_data_segs_out > 0,
	    "%s: segment counters nonzero", what);
	CHECK(cli->ss_rtt > 0 && cli->ss_snd_cwnd > 0,
	    "%s: rtt and cwnd present", what);
}

/* One line of `ss -tinHOe` for a cookie: Recv-Q, bytes_acked and
 * bytes_received.  -1 when ss does not list it. */
struct ss_view {
	unsigned long long	sv_rqueue, sv_acked, sv_received;
};

static unsigned long long
ss_field(const char *line, const char *name)
{
	const char	*p = strstr(line, name);

	return p ? strtoull(p + strlen(name), NULL, 10) : 0;
}

static int
ss_find(const char *cookie_hex, struct ss_view *sv)
{
	char	line[8192], key[64], state[32];
	FILE	*fp;
	int	found = -1;

	snprintf(key, sizeof(key), " sk:%s ", cookie_hex);
	fp = popen("ss -tinHOe 2>/dev/null", "r");
	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strstr(line, key) == NULL)
			continue;
		if (sscanf(line, "%31s %llu", state, &sv->sv_rqueue) != 2)
			continue;
		sv->sv_acked = ss_field(line, " bytes_acked:");
		sv->sv_received = ss_field(line, " bytes_received:");
		found = 0;
	}
	pclose(fp);
	return found;
}

static void
check_against_ss(const struct sd_list *sl, const struct conn *cns, size_t n)
{
	struct ss_view		 sv;
	const struct sd_sock	*ss;
	char			 hex[32];
	size_t			 i, side, agree = 0, total = 0;
	uint64_t		 cookie;

	if (system("ss -V >/dev/null 2>&1") != 0) {
		printf("skip - ss (iproute2) not installed\n");
		return;
	}
	for (i = 0; i < n; i++) {
		for (side = 0; side < 2; side++) {
			cookie = side ? cns[i].cn_scookie : cns[i].cn_ccookie;
			ss = find_sock(sl, cookie);
			snprintf(hex, sizeof(hex), "%llx",
			    (unsigned long long)cookie);
			total++;
			if (ss == NULL || ss_find(hex, &sv) < 0)
				continue;
			if (sv.sv_rqueue == ss->ss_rqueue &&
			    sv.sv_acked == ss->ss_bytes_acked &&
			    sv.sv_received == ss->ss_bytes_received)
				agree++;
			else
				printf("# cookie %s: ss %llu/%llu/%llu, we "
				    "%u/%llu/%llu\n", hex, sv.sv_rqueue,
				    sv.sv_acked, sv.sv_received, ss->ss_rqueue,
				    (unsigned long long)ss->ss_bytes_acked,
				    (unsigned long long)ss->ss_bytes_received);
		}
	}
	CHECK(agree == total && total == 2 * n, "ss -tinHOe: Recv-Q, "
	    "bytes_acked and bytes_received agree on all %zu sockets", total);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
test_dump(void)
{
	struct sockdiag		*sd;
	struct sd_list		 sl;
	struct conn		 cns[3];
	const char		*names[3] = { "IPv4", "IPv6", "v4-mapped" };
	const struct sd_sock	*ss;
	uint64_t		*cookies;
	int			 l4, l6, seen_listener = 0;
	size_t			 i, dup = 0;

	fixture_connect_three(cns, &l4, &l6, TO_SRV, TO_CLI, READ_CLI);

	sd = sockdiag_open();
	CHECK(sd != NULL, "dump: NETLINK_SOCK_DIAG socket opens");
	if (sd == NULL)
		return;
	sockdiag_list_init(&sl, 0);
	CHECK(sockdiag_dump(sd, &sl) == 0, "dump: succeeds");
	for (i = 0; i < 3; i++)
		check_pair(&sl, &cns[i], names[i]);

	ss = find_sock(&sl, cns[2].cn_ccookie);
	CHECK(ss != NULL && ss->ss_sock_family == AF_INET6 &&
	    ss->ss_family == AF_INET &&
	    memcmp(ss->ss_local, "\x7f\0\0\1", 4) == 0 &&
	    memcmp(ss->ss_remote, "\x7f\0\0\1", 4) == 0,
	    "v4-mapped: the IPv6 client socket is typed IPv4 127.0.0.1");
	ss = find_sock(&sl, cns[1].cn_ccookie);
	CHECK(ss != NULL && ss->ss_family == AF_INET6 && ss->ss_local[15] == 1,
	    "IPv6: ::1 stays IPv6");
	for (i = 0; i < sl.sl_count; i++) {
		ss = &sl.sl_socks[i];
		if (ss->ss_state == SD_TCP_LISTEN &&
		    ss->ss_local_port == fixture_port_of(l4) &&
		    ss->ss_family == AF_INET)
			seen_listener = 1;
	}
	CHECK(seen_listener, "dump: listeners are reported, state LISTEN");
	cookies = calloc(sl.sl_count + 1, sizeof(*cookies));
	for (i = 0; i < sl.sl_count; i++)
		cookies[i] = sl.sl_socks[i].ss_cookie;
	qsort(cookies, sl.sl_count, sizeof(*cookies), cmp_u64);
	for (i = 1; i < sl.sl_count; i++)
		if (cookies[i] == cookies[i - 1] || cookies[i] == 0)
			dup++;
	free(cookies);
	CHECK(dup == 0, "dump: every cookie is nonzero and unique");
	CHECK(sl.sl_stats.st_malformed == 0,
	    "dump: the kernel's messages are all well formed");

	check_against_ss(&sl, cns, 3);

	for (i = 0; i < 3; i++) {
		close(cns[i].cn_cli);
		close(cns[i].cn_srv);
	}
	close(l4);
	close(l6);
	sockdiag_list_free(&sl);
	sockdiag_close(sd);
}

int
main(void)
{
	/* A crash (a hostile length read past the buffer) keeps the lines
	 * printed before it. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_parse_good();
	test_parse_v4mapped();
	test_parse_short_claim();
	test_parse_bad_attrs();
	test_parse_info_lengths();
	test_parse_control();
	test_parse_every_prefix();
	test_parse_hostile_lengths();
	test_parse_hostile_attrs();
	test_dump();
	return check_done();
}
