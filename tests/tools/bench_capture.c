/*
 * bench_capture: the CPU time of coremon's capture pipeline replaying a
 * capture file, against a bare libpcap loop that only reads it, in one
 * run (issue 4, "Numbers (make bench)").
 *
 *   bench_capture [-r ROUNDS] [-l LOCALNET] FILE [FLOODFILE]
 *
 * Bare: pcap_open_offline() and pcap_dispatch() with a callback that
 * counts packets and on-wire octets.  Pipeline: capture_replay() into a
 * sink that does what src/capture/pipeline.c's does for a file -- the
 * packets in batches to window_add_batch(), window_flush() at the end --
 * with windows of the
 * default configuration (30 s, top 100, maxSessions 200,000) and LOCALNET
 * (default: mkpcap's local hosts) as localNet.  Each is timed ROUNDS
 * times (default 5), alternately, after one untimed read that brings the
 * file into the page cache; CPU time of the process (both run in this
 * thread), medians reported.
 *
 * Checks, from the same runs: the windows' totals are the bare loop's
 * packets and octets; the table's memory at the end.  With FLOODFILE
 * (mkpcap -f: every packet a new session), one replay shows the cap:
 * sessions kept never exceed maxSessions, the rest are folded and
 * estimated, and the totals stay exact.  Not a test: it prints figures
 * (exit 1 only when something cannot be read).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture/capture.h"
#include "capture/localnet.h"
#include "capture/services.h"
#include "capture/window.h"

#define BENCH_ROUNDS_MAX	51
#define BENCH_LOCALNET		"10.1.0.0/24 2001:db8:1::/64"

struct bare_count {
	uint64_t	bc_packets;
	uint64_t	bc_octets;
};

/* What the windows of one replay added up to. */
struct window_sums {
	uint64_t	ws_windows;
	uint64_t	ws_packets;	/* remote + transit + local */
	uint64_t	ws_octets;
	uint64_t	ws_kept_max;	/* sessions in one window's table */
	uint64_t	ws_overflowed;	/* estimates, summed */
	uint64_t	ws_folded_packets;	/* in the overflow entries */
	uint64_t	ws_window_packets_max;
};

struct bench_sink {
	struct window		*bs_window;
	struct window_sums	 bs_sums;
};

struct bench {
	const char		*b_file;
	struct services		*b_services;
	struct localnet		*b_localnet;
	struct window_config	 b_wc;
};

static double
cpu_seconds(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
wall_seconds(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
bare_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct bare_count	*bc = (struct bare_count *)user;

	(void)bytes;
	bc->bc_packets++;
	bc->bc_octets += h->len;
}

/* The bare loop: read every packet, count it, nothing else. */
static int
bare_read(const char *file, struct bare_count *bc)
{
	char	 err[PCAP_ERRBUF_SIZE];
	pcap_t	*p;
	int	 n;

	memset(bc, 0, sizeof(*bc));
	if ((p = pcap_open_offline(file, err)) == NULL) {
		fprintf(stderr, "bench_capture: %s\n", err);
		return -1;
	}
	while ((n = pcap_dispatch(p, 10000, bare_packet, (u_char *)bc)) > 0)
		;
	if (n == -1)
		fprintf(stderr, "bench_capture: %s: %s\n", file,
		    pcap_geterr(p));
	pcap_close(p);
	return n == -1 ? -1 : 0;
}

static uint64_t
counts_packets(const struct session_counts *sc)
{
	return sc->sc_packets_in + sc->sc_packets_out;
}

static uint64_t
counts_octets(const struct session_counts *sc)
{
	return sc->sc_octets_in + sc->sc_octets_out;
}

/* The window's consumer (a few ms a run: one pass over each closed
 * window's sessions, as the host database's will make): adds up what
 * each closed window held. */
static void
bench_closed(const struct window_closed *wd, void *arg)
{
	struct window_sums		*ws = &((struct bench_sink *)arg)->bs_sums;
	const struct session_totals	*tt = wd->wd_totals;
	uint64_t			 packets, kept = 0;
	size_t				 i;

	packets = counts_packets(&tt->tt_remote) +
	    counts_packets(&tt->tt_transit) + tt->tt_local_packets;
	ws->ws_windows++;
	ws->ws_packets += packets;
	ws->ws_octets += counts_octets(&tt->tt_remote) +
	    counts_octets(&tt->tt_transit) + tt->tt_local_octets;
	if (packets > ws->ws_window_packets_max)
		ws->ws_window_packets_max = packets;
	for (i = 0; i < wd->wd_nsessions; i++) {
		const struct session *se = &wd->wd_sessions[i];

		if (se->se_flags & SESSION_OVERFLOW)
			ws->ws_folded_packets += se->se_packets_in +
			    se->se_packets_out;
		else
			kept++;
	}
	if (kept > ws->ws_kept_max)
		ws->ws_kept_max = kept;
	if (wd->wd_snapshot != NULL)
		ws->ws_overflowed += wd->wd_snapshot->wn_overflowed;
}

/* As pipeline_batch() and pipeline_end() in src/capture/pipeline.c. */
static void
bench_batch(void *arg, const struct decode_pkt *dp, const int64_t *ts_us,
    size_t n, unsigned int source)
{
	window_add_batch(((struct bench_sink *)arg)->bs_window, dp, ts_us, n,
	    source);
}

static void
bench_end(void *arg)
{
	window_flush(((struct bench_sink *)arg)->bs_window);
}

/*
 * One replay of the file through the pipeline.  *cpu gets the CPU time
 * of capture_replay() alone; the window is left in *out for the caller
 * to look at (and free), or freed when out is NULL.
 */
static int
pipeline_replay(const struct bench *b, const char *file, double *cpu,
    double *wall, struct window_sums *ws, struct cap_stats *st,
    struct window **out)
{
	struct cap_config	cc;
	struct cap_sink		sink;
	struct bench_sink	bs;
	double			t, w;
	int			rc;

	memset(&bs, 0, sizeof(bs));
	if ((bs.bs_window = window_new(&b->b_wc, b->b_services,
	    b->b_localnet)) == NULL) {
		perror("bench_capture: window_new");
		return -1;
	}
	window_set_consumer(bs.bs_window, bench_closed, &bs);
	capture_config_default(&cc);
	cc.cc_file = file;
	memset(&sink, 0, sizeof(sink));
	sink.sk_batch = bench_batch;
	sink.sk_end = bench_end;
	sink.sk_arg = &bs;
	w = wall_seconds();
	t = cpu_seconds();
	rc = capture_replay(&cc, &sink, st);
	*cpu = cpu_seconds() - t;
	*wall = wall_seconds() - w;
	*ws = bs.bs_sums;
	if (rc == -1)
		fprintf(stderr, "bench_capture: %s: %s\n", file, st->cs_error);
	if (out != NULL && rc == 0)
		*out = bs.bs_window;
	else
		window_free(bs.bs_window);
	return rc;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(const double *v, size_t n)
{
	double	s[BENCH_ROUNDS_MAX];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static const char *
yes_no(int ok)
{
	return ok ? "yes" : "NO";
}

static void
print_speed(const char *what, double median_cpu, int rounds,
    uint64_t packets)
{
	printf("%-20s median %.3f s CPU of %d rounds, %5.2f Mpps (%5.1f ns "
	    "a packet)\n", what, median_cpu, rounds,
	    (double)packets / median_cpu / 1e6,
	    median_cpu / (double)packets * 1e9);
}

/* Bare and pipeline, alternately; medians and the ratio. */
static int
bench_speed(const struct bench *b, int rounds)
{
	double			cpu_b[BENCH_ROUNDS_MAX], cpu_p[BENCH_ROUNDS_MAX];
	double			mb, mp, w, wall_b, wall_p;
	struct bare_count	bc;
	struct window_sums	ws;
	struct cap_stats	st;
	struct window		*win = NULL;
	int			i;

	memset(&ws, 0, sizeof(ws));
	memset(&st, 0, sizeof(st));
	if (bare_read(b->b_file, &bc) == -1)	/* into the page cache */
		return -1;
	for (i = 0; i < rounds; i++) {
		w = wall_seconds();
		cpu_b[i] = cpu_seconds();
		if (bare_read(b->b_file, &bc) == -1)
			return -1;
		cpu_b[i] = cpu_seconds() - cpu_b[i];
		wall_b = wall_seconds() - w;
		if (pipeline_replay(b, b->b_file, &cpu_p[i], &wall_p, &ws, &st,
		    i == rounds - 1 ? &win : NULL) == -1)
			return -1;
		printf("  round %d: bare %.3f s, pipeline %.3f s CPU (wall "
		    "%.3f, %.3f)\n", i + 1, cpu_b[i], cpu_p[i], wall_b, wall_p);
	}
	mb = median(cpu_b, (size_t)rounds);
	mp = median(cpu_p, (size_t)rounds);
	printf("%s: %llu packets, %llu octets on the wire (bare count)\n",
	    b->b_file, (unsigned long long)bc.bc_packets,
	    (unsigned long long)bc.bc_octets);
	print_speed("bare libpcap read:", mb, rounds, bc.bc_packets);
	print_speed("coremon pipeline:", mp, rounds, bc.bc_packets);
	printf("ratio pipeline/bare CPU: %.2f (target <= 3); pipeline %.2f "
	    "Mpps on one core (target > 5): %s\n", mp / mb,
	    (double)bc.bc_packets / mp / 1e6,
	    mp / mb <= 3 && (double)bc.bc_packets / mp > 5e6 ? "met" :
	    "NOT met");
	printf("pipeline: %llu windows, at most %llu sessions in one, %llu "
	    "folded (estimate); read %llu packets, %llu decoded\n",
	    (unsigned long long)ws.ws_windows,
	    (unsigned long long)ws.ws_kept_max,
	    (unsigned long long)ws.ws_overflowed,
	    (unsigned long long)st.cs_packets,
	    (unsigned long long)st.cs_result[DECODE_OK]);
	printf("pipeline totals = bare count: packets %s, octets %s\n",
	    yes_no(ws.ws_packets == bc.bc_packets && st.cs_packets ==
	    bc.bc_packets),
	    yes_no(ws.ws_octets == bc.bc_octets && st.cs_octets ==
	    bc.bc_octets));
	if (win != NULL)
		printf("session table after the run: %zu bytes (grown to the "
		    "busiest window's %llu sessions)\n", window_memory(win),
		    (unsigned long long)ws.ws_kept_max);
	window_free(win);
	return 0;
}

/* A flood of new sessions: the cap holds, the totals stay exact. */
static int
bench_flood(const struct bench *b, const char *file)
{
	struct bare_count	 bc;
	struct window_sums	 ws;
	struct cap_stats	 st;
	struct window		*win = NULL, *fresh;
	double			 cpu, wall, truth;
	size_t			 mem, mem0;
	size_t			 max = b->b_wc.wc_max_sessions;

	if (bare_read(file, &bc) == -1 ||
	    pipeline_replay(b, file, &cpu, &wall, &ws, &st, &win) == -1)
		return -1;
	mem = window_memory(win);
	window_free(win);
	if ((fresh = window_new(&b->b_wc, b->b_services, b->b_localnet)) ==
	    NULL)
		return -1;
	mem0 = window_memory(fresh);
	window_free(fresh);
	/* mkpcap -f: every packet is a session of its own. */
	truth = (double)(ws.ws_window_packets_max - ws.ws_kept_max);
	printf("flood %s: %llu packets, each a new source address, in %llu "
	    "window(s); %.2f Mpps\n", file, (unsigned long long)bc.bc_packets,
	    (unsigned long long)ws.ws_windows,
	    (double)bc.bc_packets / cpu / 1e6);
	printf("flood: sessions kept %llu (maxSessions %zu: %s), folded "
	    "into the overflow entry %llu packets, overflow estimate %llu "
	    "(true %.0f, %+.2f%%)\n", (unsigned long long)ws.ws_kept_max, max,
	    ws.ws_kept_max <= max ? "honoured" : "EXCEEDED",
	    (unsigned long long)ws.ws_folded_packets,
	    (unsigned long long)ws.ws_overflowed, truth,
	    truth > 0 ? ((double)ws.ws_overflowed - truth) / truth * 100 : 0);
	printf("flood totals = bare count: packets %s (%llu), octets %s "
	    "(%llu)\n", yes_no(ws.ws_packets == bc.bc_packets),
	    (unsigned long long)ws.ws_packets,
	    yes_no(ws.ws_octets == bc.bc_octets),
	    (unsigned long long)ws.ws_octets);
	printf("memory at the cap: %zu bytes for %zu sessions, %.1f bytes a "
	    "session entry (80-byte entry + its hash slots; %zu bytes when "
	    "new)\n", mem, max, (double)mem / (double)max, mem0);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_capture [-r ROUNDS] [-l LOCALNET] "
	    "FILE [FLOODFILE]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct bench	 b;
	const char	*local = BENCH_LOCALNET;
	char		 err[256];
	int		 rounds = 5, c, rc = 0;

	while ((c = getopt(argc, argv, "r:l:")) != -1) {
		switch (c) {
		case 'r':
			rounds = atoi(optarg);
			if (rounds < 1 || rounds > BENCH_ROUNDS_MAX)
				usage();
			break;
		case 'l':
			local = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		usage();
	memset(&b, 0, sizeof(b));
	b.b_file = argv[optind];
	window_config_default(&b.b_wc);
	if ((b.b_services = services_new()) == NULL ||
	    (b.b_localnet = localnet_new()) == NULL) {
		perror("bench_capture");
		return 1;
	}
	if (localnet_parse(b.b_localnet, local, err, sizeof(err)) == -1) {
		fprintf(stderr, "bench_capture: localNet %s: %s\n", local, err);
		return 2;
	}
	if (bench_speed(&b, rounds) == -1)
		rc = 1;
	if (rc == 0 && argc - optind == 2 && bench_flood(&b, argv[optind + 1])
	    == -1)
		rc = 1;
	localnet_free(b.b_localnet);
	services_free(b.b_services);
	return rc;
}
