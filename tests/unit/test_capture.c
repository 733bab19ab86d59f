/*
 * capture: files and live interfaces through libpcap into a sink.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture/capture.h"
#include "check.h"
#include "fixture.h"

struct counts {
	uint64_t	packets, octets, ticks, ends, port_hits;
	uint16_t	port;
	int64_t		first_ts, last_ts;
};

static void
on_packet(void *arg, const struct decode_pkt *dp, int64_t ts, unsigned src)
{
	struct counts *c = arg;

	(void)src;
	c->packets++;
	c->octets += dp->dp_wire_len;
	if (c->first_ts == 0)
		c->first_ts = ts;
	c->last_ts = ts;
	if (c->port != 0 && (dp->dp_flags & DECODE_F_PORTS) &&
	    dp->dp_dport == c->port)
		c->port_hits++;
}

static void
on_tick(void *arg, int64_t now)
{
	(void)now;
	((struct counts *)arg)->ticks++;
}

static void
on_end(void *arg)
{
	((struct counts *)arg)->ends++;
}

/* The independent count: libpcap's own loop, every packet. */
static int
bare_count(const char *path, uint64_t *packets, uint64_t *octets)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p = pcap_open_offline(path, err);

	if (p == NULL)
		return -1;
	*packets = *octets = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		(*packets)++;
		*octets += h->len;
	}
	pcap_close(p);
	return 0;
}

static void
test_replay(const char *shared)
{
	char path[512];
	struct cap_config cc;
	struct cap_sink sink = { on_packet, on_tick, on_end, NULL, NULL };
	struct cap_stats st;
	struct counts c;
	uint64_t bp = 0, bo = 0, ok;

	snprintf(path, sizeof(path), "%s/pcaps/zeek/http_bro.org.pcap", shared);
	if (access(path, R_OK) != 0) {
		printf("skip - replay: %s is absent\n", path);
		return;
	}
	memset(&c, 0, sizeof(c));
	sink.sk_arg = &c;
	capture_config_default(&cc);
	cc.cc_file = path;
	CHECK(capture_replay(&cc, &sink, &st) == 0, "replaying %s succeeds",
	    path);
	CHECK(bare_count(path, &bp, &bo) == 0, "libpcap reads it alone too");
	CHECK_U64(st.cs_packets, bp, "every packet is counted once");
	CHECK_U64(st.cs_octets, bo, "octets are the on-wire lengths");
	ok = st.cs_result[DECODE_OK];
	CHECK_U64(c.packets, ok, "the sink sees every decoded packet");
	CHECK(c.ends == 1 && c.ticks == 0, "a file ends once and has no "
	    "wall-clock ticks (ends %llu, ticks %llu)",
	    (unsigned long long)c.ends, (unsigned long long)c.ticks);
	CHECK(st.cs_status == CAP_FINISHED, "the source is finished");
	CHECK(strcmp(st.cs_linktype_name, "EN10MB") == 0, "link type named "
	    "(%s)", st.cs_linktype_name);
	CHECK(c.first_ts > 1000000000LL * 1000000 / 1000 &&
	    c.last_ts >= c.first_ts, "packet times are in microseconds");

	/* A filter applies to a file too. */
	memset(&c, 0, sizeof(c));
	cc.cc_filter = "tcp port 80 and src port 80";
	CHECK(capture_replay(&cc, &sink, &st) == 0 && c.packets > 0 &&
	    c.packets < ok, "a BPF filter keeps part of the file (%llu of %llu)",
	    (unsigned long long)c.packets, (unsigned long long)ok);
}

/* Order-sensitive digest of what a sink saw: (time, on-wire length,
 * ports) of each packet in turn, FNV-1a over their bytes. */
struct digest {
	uint64_t	dg_hash, dg_packets, dg_batches, dg_max_batch;
};

static void
digest_add(struct digest *dg, const struct decode_pkt *dp, int64_t ts)
{
	uint64_t	v[3] = { (uint64_t)ts, dp->dp_wire_len,
	    (uint64_t)dp->dp_sport << 16 | dp->dp_dport };
	const uint8_t	*b = (const uint8_t *)v;
	size_t		 i;

	for (i = 0; i < sizeof(v); i++)
		dg->dg_hash = (dg->dg_hash ^ b[i]) * 0x100000001b3ULL;
	dg->dg_packets++;
}

static void
digest_packet(void *arg, const struct decode_pkt *dp, int64_t ts,
    unsigned src)
{
	(void)src;
	digest_add(arg, dp, ts);
}

static void
digest_batch(void *arg, const struct decode_pkt *dp, const int64_t *ts,
    size_t n, unsigned src)
{
	struct digest	*dg = arg;
	size_t		 i;

	(void)src;
	dg->dg_batches++;
	if (n > dg->dg_max_batch)
		dg->dg_max_batch = n;
	for (i = 0; i < n; i++)
		digest_add(dg, &dp[i], ts[i]);
}

/* A batch sink (what the pipeline uses) gets the same packets in the
 * same order as a per-packet sink, every decoded one, in batches. */
static void
test_replay_batch(const char *shared)
{
	char path[512];
	struct cap_config cc;
	struct cap_sink one = { digest_packet, NULL, NULL, NULL, NULL };
	struct cap_sink many = { NULL, NULL, NULL, NULL, digest_batch };
	struct cap_stats st;
	struct digest a, b;
	uint64_t bp = 0, bo = 0;

	snprintf(path, sizeof(path), "%s/pcaps/zeek/http_bro.org.pcap", shared);
	if (access(path, R_OK) != 0) {
		printf("skip - batches: %s is absent\n", path);
		return;
	}
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.dg_hash = b.dg_hash = 0xcbf29ce484222325ULL;
	one.sk_arg = &a;
	many.sk_arg = &b;
	capture_config_default(&cc);
	cc.cc_file = path;
	CHECK(capture_replay(&cc, &one, &st) == 0 &&
	    capture_replay(&cc, &many, &st) == 0, "replaying %s packet by "
	    "packet and in batches succeeds", path);
	CHECK(bare_count(path, &bp, &bo) == 0 && st.cs_packets == bp &&
	    b.dg_packets == st.cs_result[DECODE_OK] && b.dg_packets > 700,
	    "the batches hold every decoded packet (%llu of %llu read)",
	    (unsigned long long)b.dg_packets, (unsigned long long)bp);
	CHECK(a.dg_packets == b.dg_packets && a.dg_hash == b.dg_hash,
	    "in the order, with the times, lengths and ports, that a "
	    "per-packet sink sees");
	CHECK(b.dg_batches > 1 && b.dg_max_batch > 1 &&
	    b.dg_max_batch <= CAP_BATCH, "in %llu batches of at most %llu",
	    (unsigned long long)b.dg_batches,
	    (unsigned long long)b.dg_max_batch);
}

static void
test_bad_files(const char *shared)
{
	char path[512], cut[] = "/tmp/test_capture.XXXXXX";
	struct cap_config cc;
	struct cap_sink sink = { on_packet, NULL, on_end, NULL, NULL };
	struct cap_stats st;
	struct counts c;
	FILE *in, *out;
	char buf[4096];
	size_t n, total = 0;
	int fd;

	memset(&c, 0, sizeof(c));
	sink.sk_arg = &c;
	capture_config_default(&cc);
	cc.cc_file = "/nonexistent/file.pcap";
	CHECK(capture_replay(&cc, &sink, &st) == -1 &&
	    strstr(st.cs_error, "cannot read the capture file") != NULL &&
	    strstr(st.cs_error, "No such file") != NULL,
	    "a missing file says why: %s", st.cs_error);
	cc.cc_file = "tests/unit/test_capture.c";
	CHECK(capture_replay(&cc, &sink, &st) == -1 &&
	    strstr(st.cs_error, "cannot read the capture file") != NULL,
	    "a file of the wrong format says why: %s", st.cs_error);

	snprintf(path, sizeof(path), "%s/pcaps/zeek/http_bro.org.pcap", shared);
	if ((in = fopen(path, "rb")) == NULL) {
		printf("skip - truncated file: %s is absent\n", path);
		return;
	}
	fd = mkstemp(cut);
	out = fdopen(fd, "wb");
	/* Cut in the middle of a packet, well into the file. */
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0 && total < 100000) {
		fwrite(buf, 1, n, out);
		total += n;
	}
	fwrite(buf, 1, 777, out);
	fclose(in);
	fclose(out);
	cc.cc_file = cut;
	memset(&c, 0, sizeof(c));
	CHECK(capture_replay(&cc, &sink, &st) == -1 &&
	    strstr(st.cs_error, "damaged or truncated") != NULL,
	    "a truncated file says so: %s", st.cs_error);
	CHECK(c.packets > 0 && c.ends == 1, "what came before the damage is "
	    "kept (%llu packets) and the window is flushed",
	    (unsigned long long)c.packets);
	unlink(cut);
}

static void
test_live_errors(void)
{
	struct cap_config cc;
	struct cap_stats st[2];
	struct capture *ca;

	capture_config_default(&cc);
	cc.cc_ifaces[0] = "nosuchif0";
	cc.cc_nifaces = 1;
	ca = capture_open(&cc);
	CHECK(ca != NULL && capture_usable(ca) == 0, "a missing interface "
	    "opens nothing");
	capture_stats(ca, st, 2);
	CHECK(st[0].cs_status == CAP_FAILED && strstr(st[0].cs_error,
	    "no such interface") != NULL, "and says: %s", st[0].cs_error);
	capture_free(ca);

	if (geteuid() != 0) {
		printf("skip - live capture needs root\n");
		return;
	}
	cc.cc_ifaces[0] = "lo";
	cc.cc_filter = "udp and (";
	ca = capture_open(&cc);
	capture_stats(ca, st, 2);
	CHECK(capture_usable(ca) == 0 && strstr(st[0].cs_error,
	    "filter does not compile") != NULL, "a bad filter says: %s",
	    st[0].cs_error);
	capture_free(ca);
}

static void
test_live_lo(void)
{
	struct cap_config cc;
	struct cap_sink sink = { on_packet, on_tick, on_end, NULL, NULL };
	struct sockaddr_in to;
	struct cap_stats st;
	struct counts c;
	struct capture *ca;
	char payload[100] = "coremon";
	uint64_t ticks;
	int fd, i;

	if (geteuid() != 0) {
		printf("skip - live capture on lo needs root\n");
		return;
	}
	memset(&c, 0, sizeof(c));
	c.port = 45999;
	sink.sk_arg = &c;
	capture_config_default(&cc);
	cc.cc_ifaces[0] = "lo";
	cc.cc_nifaces = 1;
	cc.cc_filter = "udp port 45999";
	ca = capture_open(&cc);
	CHECK(ca != NULL && capture_usable(ca) == 1, "lo opens");
	CHECK(capture_start(ca, &sink) == 0, "the capture thread starts");
	usleep(300000);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(45999);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < 50; i++)
		sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)&to,
		    sizeof(to));
	close(fd);
	usleep(800000);
	ticks = __atomic_load_n(&c.ticks, __ATOMIC_RELAXED);
	usleep(1000000);
	capture_stop(ca);
	capture_stats(ca, &st, 1);
	CHECK_U64(c.port_hits, 50, "the 50 datagrams sent to lo are captured");
	CHECK_U64(c.octets, 50 * (14 + 20 + 8 + sizeof(payload)),
	    "with their on-wire length (Ethernet header on lo)");
	CHECK(c.ticks > ticks + 2, "a silent link still ticks (%llu -> %llu "
	    "in 1 s)", (unsigned long long)ticks, (unsigned long long)c.ticks);
	CHECK(st.cs_kernel_drops == 0, "no kernel drops (%llu)",
	    (unsigned long long)st.cs_kernel_drops);
	CHECK(c.ends == 0, "stopping is not the end of a file");
	capture_free(ca);
}

int
main(void)
{
	const char *shared = fixture_shared_dir();

	test_replay(shared);
	test_replay_batch(shared);
	test_bad_files(shared);
	test_live_errors();
	test_live_lo();
	return check_done();
}
