/*
 * bench_livecap: live capture on lo while one sender pushes small UDP
 * datagrams to 127.0.0.1 as fast as it can (issue 4, "Live on lo ...
 * pcap_stats reports zero kernel drops").
 *
 *   bench_livecap [SECONDS]	(default 10)
 *
 * The capture is coremon's: capture_open() on "lo" with the default
 * configuration (32 MB buffer, snaplen 128, poll 200 ms, never immediate
 * mode), capture_start()'s thread, and a sink that does what
 * src/capture/pipeline.c's does live (window_add_packet(), window_tick() by the
 * wall clock less the buffering delay, default windows, the host's own
 * addresses as local).  The sender is a thread of its own: sendmmsg() of
 * 64 datagrams of 18 bytes (60-byte frames) at a time on a connected
 * socket, to a socket bound on 127.0.0.1 that never reads (so no ICMP
 * port unreachable comes back).  Once it stops, the capture runs one more
 * second to drain the ring, then stops; the figures are capture_stats()'s
 * (pcap_stats ps_drop for kernel drops).  Packets of other programs on lo
 * are captured too; ours are told by their destination port.  Must run
 * as root (or with CAP_NET_RAW); prints why not otherwise.  Never sends
 * anywhere but 127.0.0.1.  Not a test: it prints figures.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture.h"
#include "capture/localnet.h"
#include "capture/services.h"
#include "capture/window.h"

#define LIVE_BATCH	64
#define LIVE_PAYLOAD	18	/* 14 + 20 + 8 + 18 = 60-byte frames */

struct live_sink {
	struct window	*ls_window;
	int		 ls_poll_ms;
	uint16_t	 ls_port;	/* our datagrams' destination */
	uint64_t	 ls_ours;	/* packets of ours the sink saw */
};

struct sender {
	uint16_t	sd_port;
	double		sd_seconds;
	uint64_t	sd_sent;	/* datagrams the kernel took */
	uint64_t	sd_failed;	/* sendmmsg errors (ENOBUFS...) */
	double		sd_cpu;		/* the sender thread's CPU time */
	double		sd_elapsed;
};

static double
clock_seconds(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* As pipeline_packet() and pipeline_tick() in src/capture/pipeline.c. */
static void
live_packet(void *arg, const struct decode_pkt *dp, int64_t ts_us,
    unsigned int source)
{
	struct live_sink	*ls = arg;

	if (dp->dp_proto == IPPROTO_UDP && (dp->dp_flags & DECODE_F_PORTS) &&
	    dp->dp_dport == ls->ls_port)
		ls->ls_ours++;
	window_add_packet(ls->ls_window, dp, ts_us, source);
}

static void
live_tick(void *arg, int64_t now_us)
{
	struct live_sink	*ls = arg;

	window_tick(ls->ls_window, now_us - 2000LL * ls->ls_poll_ms);
}

static void
live_end(void *arg)
{
	window_flush(((struct live_sink *)arg)->ls_window);
}

/* A UDP socket on 127.0.0.1 that never reads; its port in *port. */
static int
open_receiver(uint16_t *port)
{
	struct sockaddr_in	sa;
	socklen_t		len = sizeof(sa);
	int			fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) == -1) {
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

static void *
sender_run(void *arg)
{
	struct sender		*sd = arg;
	struct sockaddr_in	 sa;
	struct mmsghdr		 msg[LIVE_BATCH];
	struct iovec		 iov;
	char			 payload[LIVE_PAYLOAD];
	double			 start, end;
	int			 fd, i, n;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(sd->sd_port);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		perror("bench_livecap: sender");
		return NULL;
	}
	memset(payload, 'x', sizeof(payload));
	iov.iov_base = payload;
	iov.iov_len = sizeof(payload);
	memset(msg, 0, sizeof(msg));
	for (i = 0; i < LIVE_BATCH; i++) {
		msg[i].msg_hdr.msg_iov = &iov;
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	start = clock_seconds(CLOCK_MONOTONIC);
	end = start + sd->sd_seconds;
	while (clock_seconds(CLOCK_MONOTONIC) < end) {
		if ((n = sendmmsg(fd, msg, LIVE_BATCH, 0)) > 0)
			sd->sd_sent += (uint64_t)n;
		else
			sd->sd_failed++;
	}
	sd->sd_elapsed = clock_seconds(CLOCK_MONOTONIC) - start;
	sd->sd_cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
	close(fd);
	return NULL;
}

/* Opens lo, or says why not. */
static struct capture *
open_lo(struct cap_config *cc)
{
	struct capture		*ca;
	struct cap_stats	 st;

	capture_config_default(cc);
	cc->cc_ifaces[0] = "lo";
	cc->cc_nifaces = 1;
	if ((ca = capture_open(cc)) == NULL) {
		perror("bench_livecap: capture_open");
		return NULL;
	}
	if (!capture_usable(ca)) {
		capture_stats(ca, &st, 1);
		printf("live capture on lo: not run: %s\n", st.cs_error);
		capture_free(ca);
		return NULL;
	}
	return ca;
}

static void
report(const struct sender *sd, const struct live_sink *ls,
    const struct cap_stats *st, double capture_cpu)
{
	printf("live capture on lo, %.1f s of one sender (sendmmsg, %d-byte "
	    "UDP payloads, 60-byte frames): %llu datagrams sent (%.2f Mpps, "
	    "%llu failed calls), sender CPU %.2f s\n", sd->sd_elapsed,
	    LIVE_PAYLOAD, (unsigned long long)sd->sd_sent,
	    (double)sd->sd_sent / sd->sd_elapsed / 1e6,
	    (unsigned long long)sd->sd_failed, sd->sd_cpu);
	printf("live: captured %llu of ours (%.2f%% of those sent), %llu in "
	    "all on lo; capture thread CPU about %.2f s (%.0f%% of a core)\n",
	    (unsigned long long)ls->ls_ours,
	    sd->sd_sent ? 100.0 * (double)ls->ls_ours / (double)sd->sd_sent :
	    0, (unsigned long long)st->cs_packets, capture_cpu,
	    100 * capture_cpu / sd->sd_elapsed);
	printf("live: kernel drops (pcap_stats ps_drop) %llu, interface "
	    "drops %llu: %s\n", (unsigned long long)st->cs_kernel_drops,
	    (unsigned long long)st->cs_if_drops,
	    st->cs_kernel_drops == 0 ? "zero, target met" :
	    "NOT zero, target missed");
}

int
main(int argc, char **argv)
{
	struct cap_config	 cc;
	struct window_config	 wc;
	struct services		*sv = services_new();
	struct localnet		*ln = localnet_new();
	struct capture		*ca;
	struct live_sink	 ls;
	struct cap_sink		 sink;
	struct sender		 sd;
	struct cap_stats	 st;
	pthread_t		 th;
	double			 cpu0;
	int			 rfd, rc;

	memset(&sd, 0, sizeof(sd));
	sd.sd_seconds = argc > 1 ? atof(argv[1]) : 10;
	if (sv == NULL || ln == NULL || sd.sd_seconds <= 0) {
		fprintf(stderr, "usage: bench_livecap [SECONDS]\n");
		return 2;
	}
	localnet_refresh(ln);	/* as pipeline_new() does for live capture */
	if ((ca = open_lo(&cc)) == NULL)
		return 0;
	memset(&ls, 0, sizeof(ls));
	window_config_default(&wc);
	ls.ls_poll_ms = cc.cc_poll_ms;
	if ((ls.ls_window = window_new(&wc, sv, ln)) == NULL ||
	    (rfd = open_receiver(&ls.ls_port)) == -1) {
		perror("bench_livecap");
		return 1;
	}
	sd.sd_port = ls.ls_port;
	memset(&sink, 0, sizeof(sink));
	sink.sk_packet = live_packet;
	sink.sk_tick = live_tick;
	sink.sk_end = live_end;
	sink.sk_arg = &ls;
	if (capture_start(ca, &sink) == -1) {
		perror("bench_livecap: capture_start");
		return 1;
	}
	usleep(300000);
	cpu0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
	if ((rc = pthread_create(&th, NULL, sender_run, &sd)) != 0) {
		fprintf(stderr, "bench_livecap: %s\n", strerror(rc));
		return 1;
	}
	pthread_join(th, NULL);
	sleep(1);			/* the ring drains */
	capture_stop(ca);
	/* What the process spent but the sender: the capture thread. */
	cpu0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0 - sd.sd_cpu;
	capture_stats(ca, &st, 1);
	report(&sd, &ls, &st, cpu0);
	capture_free(ca);
	window_free(ls.ls_window);
	close(rfd);
	localnet_free(ln);
	services_free(sv);
	return 0;
}
