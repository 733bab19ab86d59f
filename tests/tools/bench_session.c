/*
 * bench_session: packets per second of decode + session folding on one
 * core, over synthetic Ethernet frames held in memory (no libpcap, no
 * I/O): the hot path of the capture pipeline alone.
 *
 *   bench_session [PACKETS [FLOWS]]	(defaults 6000000 and 150000)
 *
 * The frames: a few local servers in 10.0.0.0/8 (and 2001:db8::/32)
 * talking with FLOWS remote (address, port) flows drawn from about
 * FLOWS * 3/4 remote hosts; half of the packets belong to 1000 busy
 * flows, half are spread evenly over all of them; 20% IPv6, 10% with an
 * 802.1Q tag, TCP 80%, UDP 18%, ICMP 2%; sizes 64, 1514 or in between;
 * both directions.  Packets are 20 us apart in packet time, so windows
 * of 30 s close (and are ranked) along the way.
 *
 * It times, in one run: decode alone; session folding alone over the
 * decoded packets; decode + window_add_packet() packet by packet; and
 * decode of BATCH packets into an array + window_add_batch(), as a
 * capture loop fed by pcap_dispatch() would do it.  CPU time of
 * the process, best of three.  Not a test: it prints figures.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/decode.h"
#include "capture/localnet.h"
#include "capture/services.h"
#include "capture/window.h"

#define STRIDE		80	/* bytes kept a frame (Ethernet+tag+IPv6+TCP) */
#define LINKTYPE_EN10MB	1
#define HOT_FLOWS	1000
#define BATCH		64	/* packets decoded before they are added */

struct flow {
	uint8_t		fl_v6;
	uint8_t		fl_proto;
	uint16_t	fl_server_port;
	uint16_t	fl_client_port;
	uint8_t		fl_local[16];
	uint8_t		fl_remote[16];
};

struct frames {
	uint8_t		*fr_bytes;	/* n * STRIDE */
	uint32_t	*fr_caplen;
	uint32_t	*fr_wirelen;
	size_t		 fr_n;
};

static uint64_t
next_random(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
make_flows(struct flow *fl, size_t n, uint64_t *s)
{
	static const uint16_t	tcp_ports[] = { 443, 443, 443, 80, 22, 25,
				    993, 8080, 3306, 5432 };
	size_t			i, hosts = n * 3 / 4 + 1;
	uint64_t		r, host;
	uint32_t		a;

	for (i = 0; i < n; i++) {
		r = next_random(s);
		host = next_random(s) % hosts;
		memset(&fl[i], 0, sizeof(fl[i]));
		fl[i].fl_v6 = r % 5 == 0;
		fl[i].fl_proto = (r >> 8) % 50 == 0 ? 1 :
		    (r >> 8) % 50 < 10 ? 17 : 6;
		fl[i].fl_server_port = fl[i].fl_proto == 17 ?
		    ((r >> 16) & 1 ? 53 : 443) :
		    tcp_ports[(r >> 16) % 10];
		fl[i].fl_client_port = (uint16_t)(32768 + (r >> 24) % 28000);
		if (fl[i].fl_v6) {
			fl[i].fl_local[0] = 0x20;
			fl[i].fl_local[1] = 0x01;
			fl[i].fl_local[2] = 0x0d;
			fl[i].fl_local[3] = 0xb8;
			fl[i].fl_local[15] = (uint8_t)(1 + (r >> 40) % 16);
			fl[i].fl_remote[0] = 0x2a;
			memcpy(&fl[i].fl_remote[8], &host, 8);
		} else {
			a = htonl(0x0a000001u + (uint32_t)((r >> 40) % 16));
			memcpy(fl[i].fl_local, &a, 4);
			a = htonl(0x64400000u + (uint32_t)host);
			memcpy(fl[i].fl_remote, &a, 4);
		}
	}
}

/* Writes one frame of flow f at p; returns its captured length. */
static uint32_t
build_frame(uint8_t *p, const struct flow *f, int out, int tagged)
{
	const uint8_t	*src = out ? f->fl_local : f->fl_remote;
	const uint8_t	*dst = out ? f->fl_remote : f->fl_local;
	uint16_t	 sport = out ? f->fl_server_port : f->fl_client_port;
	uint16_t	 dport = out ? f->fl_client_port : f->fl_server_port;
	size_t		 o = 12, l4len = f->fl_proto == 6 ? 20 : 8;

	memset(p, 0, STRIDE);
	p[0] = 0x02;
	p[6] = 0x02;
	p[11] = 1;
	if (tagged) {
		put16(p + o, 0x8100);
		put16(p + o + 2, 100);
		o += 4;
	}
	put16(p + o, f->fl_v6 ? 0x86dd : 0x0800);
	o += 2;
	if (f->fl_v6) {
		p[o] = 0x60;
		put16(p + o + 4, (uint16_t)(l4len + 1000));
		p[o + 6] = f->fl_proto == 1 ? 58 : f->fl_proto;
		p[o + 7] = 64;
		memcpy(p + o + 8, src, 16);
		memcpy(p + o + 24, dst, 16);
		o += 40;
	} else {
		p[o] = 0x45;
		put16(p + o + 2, (uint16_t)(20 + l4len + 1000));
		p[o + 8] = 64;
		p[o + 9] = f->fl_proto;
		memcpy(p + o + 12, src, 4);
		memcpy(p + o + 16, dst, 4);
		o += 20;
	}
	if (f->fl_proto != 1) {
		put16(p + o, sport);
		put16(p + o + 2, dport);
	}
	o += l4len;
	return (uint32_t)(o > STRIDE ? STRIDE : o);
}

static int
make_frames(struct frames *fr, size_t n, size_t nflows)
{
	struct flow	*fl = malloc(nflows * sizeof(*fl));
	uint64_t	 s = 0x9e3779b97f4a7c15ULL, r;
	size_t		 i, which;

	fr->fr_bytes = malloc(n * STRIDE);
	fr->fr_caplen = malloc(n * sizeof(uint32_t));
	fr->fr_wirelen = malloc(n * sizeof(uint32_t));
	fr->fr_n = n;
	if (fl == NULL || fr->fr_bytes == NULL || fr->fr_caplen == NULL ||
	    fr->fr_wirelen == NULL)
		return -1;
	make_flows(fl, nflows, &s);
	for (i = 0; i < n; i++) {
		r = next_random(&s);
		which = r & 1 ? (r >> 8) % (nflows < HOT_FLOWS ? nflows :
		    HOT_FLOWS) : (r >> 8) % nflows;
		fr->fr_caplen[i] = build_frame(fr->fr_bytes + i * STRIDE,
		    &fl[which], (r >> 40) & 1, (r >> 41) % 10 == 0);
		switch ((r >> 44) % 5) {
		case 0:
		case 1:
			fr->fr_wirelen[i] = 64;
			break;
		case 2:
		case 3:
			fr->fr_wirelen[i] = 1514;
			break;
		default:
			fr->fr_wirelen[i] = 64 + (uint32_t)((r >> 50) % 1450);
		}
	}
	free(fl);
	return 0;
}

static double
cpu_seconds(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define T0	(1700000000LL * 1000000)

static struct window *
new_window(const struct services *sv, const struct localnet *ln)
{
	struct window_config	wc;

	window_config_default(&wc);
	return window_new(&wc, sv, ln);
}

int
main(int argc, char **argv)
{
	size_t				 n = argc > 1 ? strtoul(argv[1], NULL, 10) :
					     6000000;
	size_t				 nflows = argc > 2 ?
					     strtoul(argv[2], NULL, 10) : 150000;
	struct frames			 fr;
	struct decode_pkt		*dps;
	struct services			*sv = services_new();
	struct localnet			*ln = localnet_new();
	struct window			*w;
	const struct window_snapshot	*sn;
	char				 err[128];
	double				 t, best[4] = { 1e9, 1e9, 1e9, 1e9 };
	struct decode_pkt		 batch[BATCH];
	int64_t				 bts[BATCH];
	size_t				 j, k;
	size_t				 i, ok = 0, windows = 0;
	int				 round;

	if (n == 0 || nflows == 0 || sv == NULL || ln == NULL ||
	    localnet_parse(ln, "10.0.0.0/8 2001:db8::/32", err,
	    sizeof(err)) < 0 || make_frames(&fr, n, nflows) < 0 ||
	    (dps = malloc(n * sizeof(*dps))) == NULL) {
		fprintf(stderr, "bench_session: setup failed\n");
		return 1;
	}
	for (round = 0; round < 3; round++) {
		t = cpu_seconds();
		for (i = 0, ok = 0; i < n; i++)
			ok += decode_packet(&dps[i], LINKTYPE_EN10MB,
			    fr.fr_bytes + i * STRIDE, fr.fr_caplen[i],
			    fr.fr_wirelen[i]) == DECODE_OK;
		t = cpu_seconds() - t;
		best[0] = t < best[0] ? t : best[0];

		if ((w = new_window(sv, ln)) == NULL)
			return 1;
		t = cpu_seconds();
		for (i = 0; i < n; i++)
			window_add_packet(w, &dps[i], T0 + (int64_t)i * 20, 0);
		window_flush(w);
		t = cpu_seconds() - t;
		best[1] = t < best[1] ? t : best[1];
		window_free(w);

		if ((w = new_window(sv, ln)) == NULL)
			return 1;
		t = cpu_seconds();
		for (i = 0; i < n; i++) {
			struct decode_pkt	dp;

			decode_packet(&dp, LINKTYPE_EN10MB,
			    fr.fr_bytes + i * STRIDE, fr.fr_caplen[i],
			    fr.fr_wirelen[i]);
			window_add_packet(w, &dp, T0 + (int64_t)i * 20, 0);
		}
		window_flush(w);
		t = cpu_seconds() - t;
		best[2] = t < best[2] ? t : best[2];
		window_free(w);

		if ((w = new_window(sv, ln)) == NULL)
			return 1;
		t = cpu_seconds();
		for (i = 0; i < n; i += k) {
			k = n - i < BATCH ? n - i : BATCH;
			for (j = 0; j < k; j++) {
				decode_packet(&batch[j], LINKTYPE_EN10MB,
				    fr.fr_bytes + (i + j) * STRIDE,
				    fr.fr_caplen[i + j], fr.fr_wirelen[i + j]);
				bts[j] = T0 + (int64_t)(i + j) * 20;
			}
			window_add_batch(w, batch, bts, k, 0);
		}
		window_flush(w);
		t = cpu_seconds() - t;
		best[3] = t < best[3] ? t : best[3];
		sn = window_acquire(w);
		windows = sn ? sn->wn_number : 0;
		if (round == 2 && sn != NULL)
			printf("last window: %llu sessions (%llu overflowed), "
			    "%zu-byte table\n",
			    (unsigned long long)sn->wn_sessions,
			    (unsigned long long)sn->wn_overflowed,
			    window_memory(w));
		window_release(sn);
		window_free(w);
	}
	printf("%zu packets (%zu decoded), %zu flows, %zu windows\n", n, ok,
	    nflows, windows);
	printf("decode alone:            %6.1f Mpps  (%5.1f ns a packet)\n",
	    n / best[0] / 1e6, best[0] / n * 1e9);
	printf("sessions alone:          %6.1f Mpps  (%5.1f ns a packet)\n",
	    n / best[1] / 1e6, best[1] / n * 1e9);
	printf("decode + sessions:       %6.1f Mpps  (%5.1f ns a packet)\n",
	    n / best[2] / 1e6, best[2] / n * 1e9);
	printf("decode + sessions, batches of %d: %6.1f Mpps  (%5.1f ns a "
	    "packet)\n", BATCH, n / best[3] / 1e6, best[3] / n * 1e9);
	free(dps);
	free(fr.fr_bytes);
	free(fr.fr_caplen);
	free(fr.fr_wirelen);
	services_free(sv);
	localnet_free(ln);
	return 0;
}
