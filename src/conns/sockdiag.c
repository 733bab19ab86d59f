/*
 * sockdiag: dump TCP sockets through NETLINK_SOCK_DIAG with libmnl.
 *
 * The kernel answers a dump request (inet_diag_req_v2, NLM_F_DUMP) with
 * SOCK_DIAG_BY_FAMILY messages, each an inet_diag_msg followed by
 * attributes, and ends with NLMSG_DONE.  mnl_cb_run2() checks each
 * message's sequence number and port id.  Lengths are checked here, in
 * size_t, before libmnl sees them: libmnl compares them as int, so an
 * nlmsg_len of 2^31 or more passes mnl_nlmsg_ok() and MNL_ALIGN() wraps
 * 0xfffffffd to 0 (a walk that reads past the buffer, or never moves),
 * and its attribute walk runs to the aligned end of a message, up to 3
 * bytes past nlmsg_len.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>

#include "conns/sockdiag.h"

/* Receive buffer: the kernel fills at most 32 KiB per dump skb. */
#define SD_RECV_SIZE	(64 * 1024)
#define SD_DUMP_TRIES	3

/* Everything we read from tcp_info lies before this offset (Linux 4.19). */
#define SD_INFO_NEEDED	(offsetof(struct tcp_info, tcpi_bytes_retrans) + \
			    sizeof(((struct tcp_info *)0)->tcpi_bytes_retrans))

/* Every TCP state except CLOSE: unconnected sockets are not connections.
 * Asking for SYN_RECV also brings request sockets (NEW_SYN_RECV). */
#define SD_STATES	(((1u << SD_TCP_NSTATES) - 1) & ~(1u << 0) & \
			    ~(1u << SD_TCP_CLOSE))

struct sockdiag {
	struct mnl_socket	*sd_nl;
	uint32_t		 sd_portid;
	uint32_t		 sd_seq;
	void			*sd_buf;	/* SD_RECV_SIZE bytes */
};

/* One message's attributes being parsed into one socket. */
struct sd_parse {
	struct sd_stats		*sp_stats;
	struct sd_sock		*sp_sock;	/* being filled */
};

void
sockdiag_list_init(struct sd_list *sl, size_t max)
{
	memset(sl, 0, sizeof(*sl));
	sl->sl_max = max;
}

void
sockdiag_list_clear(struct sd_list *sl)
{
	sl->sl_count = 0;
}

void
sockdiag_list_free(struct sd_list *sl)
{
	free(sl->sl_socks);
	sl->sl_socks = NULL;
	sl->sl_count = sl->sl_cap = 0;
}

static int
sd_list_grow(struct sd_list *sl)
{
	struct sd_sock	*grown;
	size_t		 cap = sl->sl_cap ? sl->sl_cap * 2 : 256;

	grown = reallocarray(sl->sl_socks, cap, sizeof(*grown));
	if (grown == NULL)
		return -1;
	sl->sl_socks = grown;
	sl->sl_cap = cap;
	return 0;
}

static int
sd_list_append(struct sd_list *sl, const struct sd_sock *ss)
{
	if (sl->sl_max != 0 && sl->sl_count >= sl->sl_max) {
		sl->sl_stats.st_dropped++;
		return 0;
	}
	if (sl->sl_count == sl->sl_cap && sd_list_grow(sl) < 0)
		return -1;
	sl->sl_socks[sl->sl_count++] = *ss;
	return 0;
}

/* An IPv4-mapped IPv6 address, ::ffff:a.b.c.d (RFC 4291 section 2.5.5.2). */
static int
sd_is_v4mapped(const uint8_t a[16])
{
	static const uint8_t prefix[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	return memcmp(a, prefix, sizeof(prefix)) == 0;
}

/* Copies the socket identity; a v4-mapped pair is typed as IPv4, as
 * TCP-MIB does (RFC 4022 section 3). */
static void
sd_fill_identity(struct sd_sock *ss, const struct inet_diag_msg *m)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_sock_family = m->idiag_family;
	ss->ss_family = m->idiag_family;
	ss->ss_state = m->idiag_state;
	ss->ss_local_port = ntohs(m->id.idiag_sport);
	ss->ss_remote_port = ntohs(m->id.idiag_dport);
	ss->ss_cookie = (uint64_t)m->id.idiag_cookie[1] << 32 |
	    m->id.idiag_cookie[0];
	ss->ss_uid = m->idiag_uid;
	ss->ss_inode = m->idiag_inode;
	ss->ss_rqueue = m->idiag_rqueue;
	ss->ss_wqueue = m->idiag_wqueue;

	if (m->idiag_family == AF_INET) {
		memcpy(ss->ss_local, m->id.idiag_src, 4);
		memcpy(ss->ss_remote, m->id.idiag_dst, 4);
		return;
	}
	memcpy(ss->ss_local, m->id.idiag_src, 16);
	memcpy(ss->ss_remote, m->id.idiag_dst, 16);
	if (sd_is_v4mapped(ss->ss_local) && sd_is_v4mapped(ss->ss_remote)) {
		ss->ss_family = AF_INET;
		memmove(ss->ss_local, ss->ss_local + 12, 4);
		memset(ss->ss_local + 4, 0, 12);
		memmove(ss->ss_remote, ss->ss_remote + 12, 4);
		memset(ss->ss_remote + 4, 0, 12);
	}
}

/* The length of tcp_info up to and including field. */
#define SD_REACH(field)	(offsetof(struct tcp_info, field) + \
			    sizeof(((struct tcp_info *)0)->field))

/* Which of the newer fields a tcp_info of len bytes holds. */
static uint8_t
sd_info_have(size_t len)
{
	uint8_t	have = 0;

	if (len >= SD_REACH(tcpi_min_rtt))
		have |= SD_HAVE_MIN_RTT;
	if (len >= SD_REACH(tcpi_data_segs_out))
		have |= SD_HAVE_DATA_SEGS;
	if (len >= SD_REACH(tcpi_delivery_rate))
		have |= SD_HAVE_DELIVERY;
	if (len >= SD_REACH(tcpi_sndbuf_limited))
		have |= SD_HAVE_BUSY;
	if (len >= SD_REACH(tcpi_bytes_retrans))
		have |= SD_HAVE_BYTES_RETRANS;
	return have;
}

/* A tcp_info of any length: an older kernel's shorter one leaves the
 * newer fields 0, a newer kernel's longer one is cut to ours. */
static void
sd_fill_info(struct sd_parse *sp, const struct nlattr *attr)
{
	struct sd_sock	*ss = sp->sp_sock;
	struct tcp_info	 ti;
	size_t		 len = mnl_attr_get_payload_len(attr);

	memset(&ti, 0, sizeof(ti));
	memcpy(&ti, mnl_attr_get_payload(attr),
	    len < sizeof(ti) ? len : sizeof(ti));
	if (len < SD_INFO_NEEDED)
		sp->sp_stats->st_short_info++;

	ss->ss_have_info = 1;
	ss->ss_info_len = len;
	ss->ss_bytes_acked = ti.tcpi_bytes_acked;
	ss->ss_bytes_received = ti.tcpi_bytes_received;
	ss->ss_bytes_retrans = ti.tcpi_bytes_retrans;
	ss->ss_delivery_rate = ti.tcpi_delivery_rate;
	ss->ss_segs_out = ti.tcpi_segs_out;
	ss->ss_segs_in = ti.tcpi_segs_in;
	ss->ss_data_segs_out = ti.tcpi_data_segs_out;
	ss->ss_data_segs_in = ti.tcpi_data_segs_in;
	ss->ss_total_retrans = ti.tcpi_total_retrans;
	ss->ss_rtt = ti.tcpi_rtt;
	ss->ss_rttvar = ti.tcpi_rttvar;
	ss->ss_snd_cwnd = ti.tcpi_snd_cwnd;
	ss->ss_info_have = sd_info_have(len);
	ss->ss_min_rtt = ti.tcpi_min_rtt;
	ss->ss_busy_time = ti.tcpi_busy_time;
	ss->ss_rwnd_limited = ti.tcpi_rwnd_limited;
	ss->ss_sndbuf_limited = ti.tcpi_sndbuf_limited;
}

/* One attribute, whose length sd_parse_attrs() has checked: 0, or -1 if
 * it fails validation. */
static int
sd_parse_attr(struct sd_parse *sp, const struct nlattr *attr)
{
	if (mnl_attr_type_valid(attr, INET_DIAG_MAX) < 0) {
		sp->sp_stats->st_unknown_attrs++;
		return 0;
	}
	switch (mnl_attr_get_type(attr)) {
	case INET_DIAG_INFO:
		if (mnl_attr_validate(attr, MNL_TYPE_BINARY) < 0)
			return -1;
		sd_fill_info(sp, attr);
		break;
	default:
		/* Known, not needed: SHUTDOWN, MARK, CGROUP_ID, SOCKOPT... */
		break;
	}
	return 0;
}

/*
 * Walks the attributes after a message's inet_diag_msg up to nlmsg_len
 * (which sd_whole_messages() has checked against the buffer): each must
 * hold its own header and end within the message.  Fewer bytes than a
 * header after the last one are its padding.  0, or -1 if one is
 * malformed.
 */
static int
sd_parse_attrs(struct sd_parse *sp, const struct nlmsghdr *nlh)
{
	const uint8_t	*msg = (const uint8_t *)nlh;
	size_t		 len = nlh->nlmsg_len;
	size_t		 off = MNL_NLMSG_HDRLEN +
			    MNL_ALIGN(sizeof(struct inet_diag_msg));
	uint16_t	 alen;

	while (off < len && len - off >= MNL_ATTR_HDRLEN) {
		memcpy(&alen, msg + off + offsetof(struct nlattr, nla_len),
		    sizeof(alen));
		if (alen < MNL_ATTR_HDRLEN || alen > len - off)
			return -1;
		if (sd_parse_attr(sp, (const struct nlattr *)(msg + off)) < 0)
			return -1;
		off += MNL_ALIGN((size_t)alen);
	}
	return 0;
}

static int
sd_data_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct sd_list		*sl = arg;
	struct sd_stats		*st = &sl->sl_stats;
	struct inet_diag_msg	 msg;
	struct sd_sock		 ss;
	struct sd_parse		 sp;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
		errno = EINTR;
		return MNL_CB_ERROR;
	}
	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(msg)) {
		st->st_malformed++;
		return MNL_CB_OK;
	}
	memcpy(&msg, mnl_nlmsg_get_payload(nlh), sizeof(msg));
	if (msg.idiag_family != AF_INET && msg.idiag_family != AF_INET6) {
		st->st_malformed++;
		return MNL_CB_OK;
	}
	sd_fill_identity(&ss, &msg);
	sp.sp_stats = st;
	sp.sp_sock = &ss;
	if (sd_parse_attrs(&sp, nlh) < 0) {
		st->st_malformed++;
		return MNL_CB_OK;
	}
	st->st_messages++;
	if (sd_list_append(sl, &ss) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

static int
sd_noop_cb(const struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	(void)arg;
	return MNL_CB_OK;
}

/* The kernel's errors are -1 to -4095 (MAX_ERRNO, include/linux/err.h);
 * anything else is a malformed reply, and INT_MIN has no negation. */
#define SD_MAX_ERRNO	4095

static int
sd_errno(int kernel_error)
{
	if (kernel_error < 0 && kernel_error >= -SD_MAX_ERRNO)
		return -kernel_error;
	if (kernel_error > 0 && kernel_error <= SD_MAX_ERRNO)
		return kernel_error;
	return EPROTO;
}

/* NLMSG_ERROR: a struct nlmsgerr; error 0 is an acknowledgement. */
static int
sd_error_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nlmsgerr	err;

	(void)arg;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err.error == 0)
		return MNL_CB_STOP;
	errno = sd_errno(err.error);
	return MNL_CB_ERROR;
}

/* NLMSG_DONE carries the dump's final status as an int (netlink_dump). */
static int
sd_done_cb(const struct nlmsghdr *nlh, void *arg)
{
	int	status;

	(void)arg;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(status))
		return MNL_CB_STOP;
	memcpy(&status, mnl_nlmsg_get_payload(nlh), sizeof(status));
	if (status < 0) {
		errno = sd_errno(status);
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static mnl_cb_t sd_ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP]	= sd_noop_cb,
	[NLMSG_ERROR]	= sd_error_cb,
	[NLMSG_DONE]	= sd_done_cb,
	[NLMSG_OVERRUN]	= sd_noop_cb,
};

/*
 * The length of the longest prefix of buf made of whole messages: each
 * nlmsg_len at least a header and at most the bytes left.  What follows
 * is a message shorter than it claims, a claim shorter than a header, or
 * a stub shorter than a header.  The last message's padding may be
 * missing.  libmnl then walks only this prefix, whose lengths all fit an
 * int (len <= INT_MAX), as its own walk does (MNL_ALIGN steps).
 */
static size_t
sd_whole_messages(const uint8_t *buf, size_t len)
{
	size_t		off = 0, step;
	uint32_t	mlen;

	while (len - off >= MNL_NLMSG_HDRLEN) {
		memcpy(&mlen, buf + off + offsetof(struct nlmsghdr, nlmsg_len),
		    sizeof(mlen));
		if (mlen < MNL_NLMSG_HDRLEN || mlen > len - off)
			break;
		step = MNL_ALIGN((size_t)mlen);
		off += step < len - off ? step : len - off;
	}
	return off;
}

int
sockdiag_parse(struct sd_list *sl, const void *buf, size_t len,
    uint32_t seq, uint32_t portid)
{
	size_t	whole;
	int	rc;

	if (len > INT_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	whole = sd_whole_messages(buf, len);
	if (whole < len)
		sl->sl_stats.st_malformed++;
	rc = mnl_cb_run2(buf, whole, seq, portid, sd_data_cb, sl,
	    sd_ctl_cbs, NLMSG_MIN_TYPE);
	if (rc < 0)
		return -1;
	return rc == MNL_CB_STOP ? 0 : 1;
}

static int
sd_connect(struct sockdiag *sd)
{
	sd->sd_nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (sd->sd_nl == NULL)
		return -1;
	if (mnl_socket_bind(sd->sd_nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int	saved = errno;

		mnl_socket_close(sd->sd_nl);
		sd->sd_nl = NULL;
		errno = saved;
		return -1;
	}
	sd->sd_portid = mnl_socket_get_portid(sd->sd_nl);
	return 0;
}

/* After a failed dump the socket may still hold the rest of it: start
 * again on a fresh one rather than drain. */
static void
sd_disconnect(struct sockdiag *sd)
{
	int	saved = errno;

	if (sd->sd_nl != NULL)
		mnl_socket_close(sd->sd_nl);
	sd->sd_nl = NULL;
	errno = saved;
}

struct sockdiag *
sockdiag_open(void)
{
	struct sockdiag	*sd;

	sd = calloc(1, sizeof(*sd));
	if (sd == NULL)
		return NULL;
	sd->sd_buf = malloc(SD_RECV_SIZE);
	if (sd->sd_buf == NULL)
		goto fail;
	if (sd_connect(sd) < 0)
		goto fail;
	return sd;
fail:
	sockdiag_close(sd);
	return NULL;
}

void
sockdiag_close(struct sockdiag *sd)
{
	int	saved = errno;

	if (sd == NULL)
		return;
	if (sd->sd_nl != NULL)
		mnl_socket_close(sd->sd_nl);
	free(sd->sd_buf);
	free(sd);
	errno = saved;
}

static int
sd_request(struct sockdiag *sd, uint8_t family)
{
	char			 req[MNL_NLMSG_HDRLEN +
				     MNL_ALIGN(sizeof(struct inet_diag_req_v2))];
	struct nlmsghdr		*nlh;
	struct inet_diag_req_v2	*r;

	memset(req, 0, sizeof(req));
	nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	/* 0 is never used: mnl_nlmsg_seq_ok() takes 0 as "do not check". */
	if (++sd->sd_seq == 0)
		sd->sd_seq = 1;
	nlh->nlmsg_seq = sd->sd_seq;
	r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
	r->sdiag_family = family;
	r->sdiag_protocol = IPPROTO_TCP;
	r->idiag_states = SD_STATES;
	r->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	if (mnl_socket_sendto(sd->sd_nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	return 0;
}

static int
sd_dump_family(struct sockdiag *sd, struct sd_list *sl, uint8_t family)
{
	int	rc;

	if (sd_request(sd, family) < 0)
		return -1;
	do {
		ssize_t	n = mnl_socket_recvfrom(sd->sd_nl, sd->sd_buf,
		    SD_RECV_SIZE);

		if (n < 0)
			return -1;
		rc = sockdiag_parse(sl, sd->sd_buf, n, sd->sd_seq,
		    sd->sd_portid);
	} while (rc > 0);
	return rc;
}

static int
sd_dump_once(struct sockdiag *sd, struct sd_list *sl)
{
	if (sd->sd_nl == NULL && sd_connect(sd) < 0)
		return -1;
	sockdiag_list_clear(sl);
	if (sd_dump_family(sd, sl, AF_INET) < 0 ||
	    sd_dump_family(sd, sl, AF_INET6) < 0) {
		sd_disconnect(sd);
		return -1;
	}
	return 0;
}

int
sockdiag_dump(struct sockdiag *sd, struct sd_list *sl)
{
	int	try, rc = -1;

	for (try = 0; try < SD_DUMP_TRIES; try++) {
		rc = sd_dump_once(sd, sl);
		if (rc == 0 || errno != EINTR)
			break;
	}
	return rc;
}

/*
 * Closing sockets: the kernel multicasts an inet_diag_msg, with tcp_info,
 * for every TCP socket it destroys to the SKNLGRP_INET_TCP_DESTROY and
 * SKNLGRP_INET6_TCP_DESTROY groups (sock_diag_broadcast_destroy, Linux
 * 4.5; joining needs CAP_NET_ADMIN in the socket's user namespace, and
 * it is checked at join time, before coremond drops privileges).
 */
#define SD_DESTROY_RCVBUF	(8 * 1024 * 1024)

struct sockdiag *
sockdiag_open_destroy(void)
{
	struct sockdiag	*sd;
	int		 groups[] = { SKNLGRP_INET_TCP_DESTROY,
			    SKNLGRP_INET6_TCP_DESTROY };
	int		 size = SD_DESTROY_RCVBUF, fd;
	size_t		 i;

	if ((sd = sockdiag_open()) == NULL)
		return NULL;
	fd = mnl_socket_get_fd(sd->sd_nl);
	/* Bursts of closes must not overflow before the next refresh;
	 * FORCE goes past rmem_max when we may. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size,
		    sizeof(size));
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (mnl_socket_setsockopt(sd->sd_nl, NETLINK_ADD_MEMBERSHIP,
		    &groups[i], sizeof(groups[i])) < 0)
			goto fail;
	return sd;
fail:
	sockdiag_close(sd);
	return NULL;
}

int
sockdiag_drain(struct sockdiag *sd, struct sd_list *sl, uint64_t *lost)
{
	sockdiag_list_clear(sl);
	for (;;) {
		ssize_t	n = recv(mnl_socket_get_fd(sd->sd_nl), sd->sd_buf,
			    SD_RECV_SIZE, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == ENOBUFS) {
				/* Some were dropped; how many, nobody says. */
				(*lost)++;
				continue;
			}
			if (errno == EINTR)
				continue;
			return -1;
		}
		/* Broadcasts carry sequence 0 and port id 0. */
		if (sockdiag_parse(sl, sd->sd_buf, (size_t)n, 0, 0) < 0 &&
		    errno == ENOMEM)
			return -1;
	}
}
