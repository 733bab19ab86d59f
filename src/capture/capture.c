/*
 * capture: libpcap sources and the capture thread; see capture.h.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <pcap/pcap.h>

#include "capture/capture.h"

#define CAP_NFLOG_BURST		4096	/* reads a round, see cap_dispatch_nflog */

struct cap_source {
	pcap_t		*so_pcap;
	int		 so_fd;		/* selectable fd, -1 for a file */
	struct cap_stats so_stats;	/* live copy, capture thread only */
	uint64_t	 so_mark_packets;	/* at the last window's end */
	uint64_t	 so_mark_drops;
};

struct capture {
	struct cap_config	 ca_config;
	struct cap_source	 ca_src[CAP_MAX_SOURCES];
	size_t			 ca_nsrc;
	struct cap_sink		 ca_sink;
	pthread_t		 ca_thread;
	int			 ca_running;
	pthread_mutex_t		 ca_lock;	/* guards the two below */
	struct cap_stats	 ca_pub[CAP_MAX_SOURCES];
	int			 ca_stop, ca_done;
	unsigned		 ca_cur;	/* source being dispatched */
	int64_t			 ca_time_min;	/* seconds: packets outside */
	int64_t			 ca_time_max;	/* are cs_bad_timestamps */
	size_t			 ca_nbatch;	/* decoded, not yet handed */
	struct decode_pkt	 ca_batch[CAP_BATCH];
	int64_t			 ca_batch_ts[CAP_BATCH];
};

void
capture_config_default(struct cap_config *cc)
{
	memset(cc, 0, sizeof(*cc));
	cc->cc_snaplen = 128;
	cc->cc_buffer = 32u << 20;
	cc->cc_promisc = 1;
	cc->cc_poll_ms = 200;
}

static void
cap_fail(struct cap_stats *st, const char *why, const char *detail)
{
	st->cs_status = CAP_FAILED;
	snprintf(st->cs_error, sizeof(st->cs_error), "%s%s%s", why,
	    detail != NULL && *detail ? ": " : "", detail ? detail : "");
}

/* A link type the decoder does not know: the source runs, and its
 * packets count as not IP of kind other-linktype; cs_error says so. */
static void
cap_note_linktype(struct cap_stats *st)
{
	if (!decode_linktype_supported(st->cs_linktype))
		snprintf(st->cs_error, sizeof(st->cs_error), "link type %s "
		    "is not decoded: its packets count as not IP "
		    "(other-linktype)", st->cs_linktype_name);
}

static void
cap_describe(struct cap_stats *st, pcap_t *p, const struct cap_config *cc)
{
	const char *n;

	st->cs_linktype = pcap_datalink(p);
	n = pcap_datalink_val_to_name(st->cs_linktype);
	snprintf(st->cs_linktype_name, sizeof(st->cs_linktype_name), "%s",
	    n != NULL ? n : "unknown");
	snprintf(st->cs_filter, sizeof(st->cs_filter), "%s",
	    cc->cc_filter != NULL ? cc->cc_filter : "");
	st->cs_snaplen = pcap_snapshot(p);
}

static int
cap_set_filter(struct cap_stats *st, pcap_t *p, const char *filter)
{
	struct bpf_program prog;
	int rc;

	if (filter == NULL || *filter == '\0')
		return 0;
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		cap_fail(st, "filter does not compile", pcap_geterr(p));
		return -1;
	}
	rc = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (rc == -1) {
		cap_fail(st, "cannot set the filter", pcap_geterr(p));
		return -1;
	}
	return 0;
}

/* Explains pcap_activate()'s failures in an operator's words. */
static void
cap_activate_error(struct cap_stats *st, pcap_t *p, int rc)
{
	switch (rc) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		cap_fail(st, "no such interface", pcap_geterr(p));
		break;
	case PCAP_ERROR_PERM_DENIED:
		cap_fail(st, "no permission to capture (needs root or "
		    "CAP_NET_RAW)", pcap_geterr(p));
		break;
	case PCAP_ERROR_IFACE_NOT_UP:
		cap_fail(st, "interface is down", NULL);
		break;
	default:
		cap_fail(st, "cannot capture", pcap_statustostr(rc));
		break;
	}
}

/*
 * An nflog source is a netlink socket, no TPACKET ring: the kernel drops
 * what its receive buffer cannot hold (ENOBUFS, counted in ps_drop), and
 * a burst of logged packets outgrows net.core.rmem_max at once.  So it
 * gets captureBuffer as its receive buffer, forced past rmem_max as we
 * still have the privilege; without it, the best SO_RCVBUF gives.
 */
static void
cap_nflog_buffer(int fd, uint32_t bytes)
{
	int n = bytes > INT32_MAX ? INT32_MAX : (int)bytes;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &n, sizeof(n)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &n, sizeof(n));
}

static void
cap_open_live(struct cap_source *so, const char *iface,
    const struct cap_config *cc)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct cap_stats *st = &so->so_stats;
	pcap_t *p;
	int rc;

	snprintf(st->cs_name, sizeof(st->cs_name), "%s", iface);
	st->cs_buffer = cc->cc_buffer < CAP_BUFFER_MAX ? cc->cc_buffer :
	    CAP_BUFFER_MAX;
	st->cs_promisc = cc->cc_promisc;
	so->so_fd = -1;
	if ((p = pcap_create(iface, errbuf)) == NULL) {
		cap_fail(st, "cannot capture", errbuf);
		return;
	}
	/* Headers only, big kernel ring, blocks handed over every poll:
	 * never immediate mode, which costs many times the CPU. */
	pcap_set_snaplen(p, strncmp(iface, "nflog", 5) == 0 ?
	    CAP_NFLOG_SNAPLEN : cc->cc_snaplen);
	pcap_set_promisc(p, cc->cc_promisc);
	pcap_set_buffer_size(p, (int)st->cs_buffer);
	pcap_set_timeout(p, cc->cc_poll_ms);
	rc = pcap_activate(p);
	if (rc < 0) {
		cap_activate_error(st, p, rc);
		pcap_close(p);
		return;
	}
	cap_describe(st, p, cc);
	cap_note_linktype(st);
	if (cap_set_filter(st, p, cc->cc_filter) == -1 ||
	    pcap_setnonblock(p, 1, errbuf) == -1 ||
	    (so->so_fd = pcap_get_selectable_fd(p)) == -1) {
		if (st->cs_status != CAP_FAILED)
			cap_fail(st, "cannot poll the capture", errbuf);
		pcap_close(p);
		return;
	}
	if (st->cs_linktype == DLT_NFLOG)
		cap_nflog_buffer(so->so_fd, st->cs_buffer);
	st->cs_status = CAP_RUNNING;
	so->so_pcap = p;
}

static pcap_t *
cap_open_file(struct cap_stats *st, const struct cap_config *cc)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;

	snprintf(st->cs_name, sizeof(st->cs_name), "%s", cc->cc_file);
	st->cs_is_file = 1;
	if ((p = pcap_open_offline(cc->cc_file, errbuf)) == NULL) {
		cap_fail(st, "cannot read the capture file", errbuf);
		return NULL;
	}
	cap_describe(st, p, cc);
	cap_note_linktype(st);
	if (cap_set_filter(st, p, cc->cc_filter) == -1) {
		pcap_close(p);
		return NULL;
	}
	st->cs_status = CAP_RUNNING;
	return p;
}

struct capture *
capture_open(const struct cap_config *cc)
{
	struct capture *ca;
	size_t i;

	if ((ca = calloc(1, sizeof(*ca))) == NULL)
		return NULL;
	ca->ca_config = *cc;
	pthread_mutex_init(&ca->ca_lock, NULL);
	if (cc->cc_file != NULL) {
		ca->ca_src[0].so_fd = -1;
		ca->ca_src[0].so_pcap = cap_open_file(&ca->ca_src[0].so_stats,
		    cc);
		ca->ca_nsrc = 1;
	} else {
		for (i = 0; i < cc->cc_nifaces && i < CAP_MAX_SOURCES; i++)
			cap_open_live(&ca->ca_src[i], cc->cc_ifaces[i], cc);
		ca->ca_nsrc = i;
	}
	for (i = 0; i < ca->ca_nsrc; i++)
		ca->ca_pub[i] = ca->ca_src[i].so_stats;
	return ca;
}

int
capture_usable(const struct capture *ca)
{
	size_t i;
	int n = 0;

	for (i = 0; i < ca->ca_nsrc; i++)
		n += ca->ca_src[i].so_pcap != NULL;
	return n;
}

int
capture_time_us(int64_t sec, int64_t usec, int64_t min_s, int64_t max_s,
    int64_t *us)
{
	if (sec < min_s || sec > max_s || sec < 0 || sec > CAP_TIME_MAX ||
	    usec < 0 || usec >= 1000000)
		return -1;
	*us = sec * 1000000 + usec;
	return 0;
}

/* What a packet passed through or was, once a kind; rare enough that a
 * loop over the bits costs nothing on plain IP. */
static void
cap_count_kinds(struct cap_stats *st, uint32_t kinds, uint32_t len)
{
	while (kinds != 0) {
		unsigned k = (unsigned)__builtin_ctz(kinds);

		kinds &= kinds - 1;
		if (k < DECODE_NKINDS) {
			st->cs_kind_packets[k]++;
			st->cs_kind_octets[k] += len;
		}
	}
}

/* Hands the decoded packets held so far to the sink. */
static void
cap_flush(struct capture *ca)
{
	if (ca->ca_nbatch == 0)
		return;
	ca->ca_sink.sk_batch(ca->ca_sink.sk_arg, ca->ca_batch,
	    ca->ca_batch_ts, ca->ca_nbatch, ca->ca_cur);
	ca->ca_nbatch = 0;
}

/* The hot path: one call per packet.  A packet whose time is not
 * believable is counted and dropped before it is decoded: its time
 * would open windows, archive days and months of its own.  With a
 * batch sink the packet is decoded straight into the batch. */
static void
cap_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct capture *ca = (struct capture *)user;
	struct cap_stats *st = &ca->ca_src[ca->ca_cur].so_stats;
	struct decode_pkt one;
	enum decode_result r;
	int64_t ts_us;

	st->cs_packets++;
	st->cs_octets += h->len;
	if (capture_time_us(h->ts.tv_sec, h->ts.tv_usec, ca->ca_time_min,
	    ca->ca_time_max, &ts_us) == -1) {
		st->cs_bad_timestamps++;
		return;
	}
	if (ca->ca_sink.sk_batch == NULL) {
		r = decode_packet(&one, st->cs_linktype, bytes, h->caplen,
		    h->len);
		st->cs_result[r]++;
		if (one.dp_kinds != 0)
			cap_count_kinds(st, one.dp_kinds, one.dp_wire_len);
		if (r == DECODE_OK)
			ca->ca_sink.sk_packet(ca->ca_sink.sk_arg, &one, ts_us,
			    ca->ca_cur);
		return;
	}
	r = decode_packet(&ca->ca_batch[ca->ca_nbatch], st->cs_linktype,
	    bytes, h->caplen, h->len);
	st->cs_result[r]++;
	if (ca->ca_batch[ca->ca_nbatch].dp_kinds != 0)
		cap_count_kinds(st, ca->ca_batch[ca->ca_nbatch].dp_kinds,
		    ca->ca_batch[ca->ca_nbatch].dp_wire_len);
	if (r != DECODE_OK)
		return;
	ca->ca_batch_ts[ca->ca_nbatch] = ts_us;
	if (++ca->ca_nbatch == CAP_BATCH)
		cap_flush(ca);
}

static int64_t
cap_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The range of believable packet times, from the wall clock now: once a
 * dispatch, which reads packets stamped before it began. */
static void
cap_set_time_range(struct capture *ca)
{
	int64_t now = cap_now_us() / 1000000;
	int file = ca->ca_config.cc_file != NULL;

	ca->ca_time_min = file ? CAP_TIME_FILE_MIN : CAP_TIME_LIVE_MIN;
	ca->ca_time_max = now + (file ? CAP_TIME_FILE_AHEAD :
	    CAP_TIME_LIVE_AHEAD);
	if (ca->ca_time_max > CAP_TIME_MAX)
		ca->ca_time_max = CAP_TIME_MAX;
}

/* Kernel and interface drops of the live sources, as libpcap sums them. */
static void
cap_read_drops(struct capture *ca)
{
	size_t i;

	for (i = 0; i < ca->ca_nsrc; i++) {
		struct cap_source *so = &ca->ca_src[i];
		struct pcap_stat ps;

		if (so->so_pcap != NULL && so->so_fd != -1 &&
		    pcap_stats(so->so_pcap, &ps) == 0) {
			so->so_stats.cs_kernel_drops = ps.ps_drop;
			so->so_stats.cs_if_drops = ps.ps_ifdrop;
		}
	}
}

void
capture_mark_window(struct capture *ca)
{
	size_t i;

	cap_read_drops(ca);
	for (i = 0; i < ca->ca_nsrc; i++) {
		struct cap_source *so = &ca->ca_src[i];
		uint64_t got = so->so_stats.cs_packets - so->so_mark_packets;
		uint64_t lost = so->so_stats.cs_kernel_drops -
		    so->so_mark_drops;

		so->so_stats.cs_window_loss = got + lost == 0 ? 0 :
		    (uint32_t)(lost * 10000 / (got + lost));
		so->so_mark_packets = so->so_stats.cs_packets;
		so->so_mark_drops = so->so_stats.cs_kernel_drops;
	}
}

/* A copy of every source's counters for the other threads. */
static void
cap_publish(struct capture *ca)
{
	size_t i;

	cap_read_drops(ca);
	pthread_mutex_lock(&ca->ca_lock);
	for (i = 0; i < ca->ca_nsrc; i++)
		ca->ca_pub[i] = ca->ca_src[i].so_stats;
	pthread_mutex_unlock(&ca->ca_lock);
}

/* Reads what one source has; -1 when it is finished or broken. */
static int
cap_dispatch(struct capture *ca, unsigned i, int count)
{
	struct cap_source *so = &ca->ca_src[i];
	int n;

	ca->ca_cur = i;
	cap_set_time_range(ca);
	n = pcap_dispatch(so->so_pcap, count, cap_packet, (u_char *)ca);
	cap_flush(ca);
	if (n >= 0 && !(so->so_fd == -1 && n == 0))
		return n;
	if (n == 0) {
		so->so_stats.cs_status = CAP_FINISHED;	/* end of file */
	} else {
		cap_fail(&so->so_stats, so->so_fd == -1 ?
		    "capture file is damaged or truncated" : "capture failed",
		    pcap_geterr(so->so_pcap));
	}
	return -1;
}

/*
 * libpcap reads one netlink message per nflog dispatch, and fails
 * (EAGAIN: "Can't receive packet") when none is queued: so read while
 * poll says one is there, up to CAP_NFLOG_BURST so the other sources get
 * their turn.  A poll a packet: nflog is a logging path, not a 10G tap.
 */
static void
cap_dispatch_nflog(struct capture *ca, unsigned i)
{
	struct pollfd p;
	int n;

	for (n = 0; n < CAP_NFLOG_BURST; n++) {
		p.fd = ca->ca_src[i].so_fd;
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, 0) != 1 || !(p.revents & POLLIN))
			break;
		if (cap_dispatch(ca, i, -1) == -1)
			break;
	}
}

static int
cap_should_stop(struct capture *ca)
{
	int stop;

	pthread_mutex_lock(&ca->ca_lock);
	stop = ca->ca_stop;
	pthread_mutex_unlock(&ca->ca_lock);
	return stop;
}

static void
cap_run_file(struct capture *ca)
{
	while (!cap_should_stop(ca))
		if (cap_dispatch(ca, 0, 10000) == -1)
			break;
}

static void
cap_run_live(struct capture *ca)
{
	struct pollfd pfd[CAP_MAX_SOURCES];
	unsigned idx[CAP_MAX_SOURCES];
	int64_t last_pub = 0;

	while (!cap_should_stop(ca)) {
		nfds_t n = 0;
		size_t i;
		int64_t now;

		for (i = 0; i < ca->ca_nsrc; i++) {
			if (ca->ca_src[i].so_pcap == NULL ||
			    ca->ca_src[i].so_stats.cs_status != CAP_RUNNING)
				continue;
			pfd[n].fd = ca->ca_src[i].so_fd;
			pfd[n].events = POLLIN;
			idx[n++] = (unsigned)i;
		}
		if (n == 0)
			break;
		if (poll(pfd, n, ca->ca_config.cc_poll_ms) == -1 &&
		    errno != EINTR)
			break;
		/* TPACKET_V3 may hold packets in a block poll did not
		 * report: read every source each round, it costs nothing. */
		for (i = 0; i < n; i++) {
			if (ca->ca_src[idx[i]].so_stats.cs_linktype ==
			    DLT_NFLOG)
				cap_dispatch_nflog(ca, idx[i]);
			else
				cap_dispatch(ca, idx[i], -1);
		}
		now = cap_now_us();
		if (ca->ca_sink.sk_tick != NULL)
			ca->ca_sink.sk_tick(ca->ca_sink.sk_arg, now);
		if (now - last_pub >= 1000000) {
			cap_publish(ca);
			last_pub = now;
		}
	}
}

static void *
cap_thread(void *arg)
{
	struct capture *ca = arg;

	if (ca->ca_config.cc_file != NULL)
		cap_run_file(ca);
	else
		cap_run_live(ca);
	if (!cap_should_stop(ca) && ca->ca_sink.sk_end != NULL)
		ca->ca_sink.sk_end(ca->ca_sink.sk_arg);
	cap_publish(ca);
	pthread_mutex_lock(&ca->ca_lock);
	ca->ca_done = 1;
	pthread_mutex_unlock(&ca->ca_lock);
	return NULL;
}

int
capture_start(struct capture *ca, const struct cap_sink *sink)
{
	int rc;

	ca->ca_sink = *sink;
	if ((rc = pthread_create(&ca->ca_thread, NULL, cap_thread, ca)) != 0) {
		errno = rc;
		return -1;
	}
	ca->ca_running = 1;
	return 0;
}

void
capture_stop(struct capture *ca)
{
	if (ca == NULL || !ca->ca_running)
		return;
	pthread_mutex_lock(&ca->ca_lock);
	ca->ca_stop = 1;
	pthread_mutex_unlock(&ca->ca_lock);
	pthread_join(ca->ca_thread, NULL);
	ca->ca_running = 0;
}

int
capture_done(struct capture *ca)
{
	int done;

	pthread_mutex_lock(&ca->ca_lock);
	done = ca->ca_done;
	pthread_mutex_unlock(&ca->ca_lock);
	return done;
}

size_t
capture_stats(struct capture *ca, struct cap_stats *out, size_t max)
{
	size_t i;

	pthread_mutex_lock(&ca->ca_lock);
	for (i = 0; i < ca->ca_nsrc && i < max; i++)
		out[i] = ca->ca_pub[i];
	pthread_mutex_unlock(&ca->ca_lock);
	return ca->ca_nsrc;
}

void
capture_free(struct capture *ca)
{
	size_t i;

	if (ca == NULL)
		return;
	capture_stop(ca);
	for (i = 0; i < ca->ca_nsrc; i++)
		if (ca->ca_src[i].so_pcap != NULL)
			pcap_close(ca->ca_src[i].so_pcap);
	pthread_mutex_destroy(&ca->ca_lock);
	free(ca);
}

int
capture_replay(const struct cap_config *cc, const struct cap_sink *sink,
    struct cap_stats *stats)
{
	struct capture *ca = capture_open(cc);
	int rc = -1;

	if (ca == NULL)
		return -1;
	ca->ca_sink = *sink;
	if (ca->ca_src[0].so_pcap != NULL) {
		cap_run_file(ca);
		if (sink->sk_end != NULL)
			sink->sk_end(sink->sk_arg);
		rc = ca->ca_src[0].so_stats.cs_status == CAP_FINISHED ? 0 : -1;
	}
	*stats = ca->ca_src[0].so_stats;
	capture_free(ca);
	return rc;
}
