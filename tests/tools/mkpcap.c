/*
 * mkpcap: a deterministic Ethernet capture for make bench (the same bytes
 * every run: a fixed seed, and every field written little- or big-endian
 * by hand).
 *
 *   mkpcap FILE [PACKETS]	the mix below, default 5,000,000 packets
 *   mkpcap -f FILE [PACKETS]	a flood: every packet from a new source
 *				address (default 1,000,000 packets)
 *
 * The mix: MKPCAP_LOCAL local hosts (10.1.0.0/24 and 2001:db8:1::/64,
 * the localNet to give coremon) talk with up to MKPCAP_REMOTE remote
 * hosts.  A fifth of the packets belong to six elephant flows that last
 * the whole file; the rest come from a pool of MKPCAP_POOL concurrent
 * flows, each replaced when it ends by a new one whose size is heavy
 * tailed (P(size >= 2^k) about 0.45^k: most flows are a few packets,
 * a few are tens of thousands).  Flows are TCP (handshake, full-size
 * data one way and 52-byte ACKs the other, FIN), DNS query and answer,
 * QUIC on udp/443, NTP, RTP-like UDP between high ports, ICMP and
 * ICMPv6 echo, DNS answers in three IPv4 fragments, and ESP.  A fifth
 * of the flows are IPv6; local hosts x3 (one in ten) sit behind an
 * 802.1Q tag and host 27 behind two (802.1ad + 802.1Q).
 *
 * Frames are their real size (Ethernet + tags + IP total length, padded
 * to at least 64 bytes), so 1514 for a full-size packet and 1518 or
 * 1522 with tags; the file's snaplen is 128 and each record holds
 * min(size, 128) bytes.  Packets are 1 to 59 us apart (30 on average):
 * the default file spans 150 s, six 30 s windows (the first and last
 * partial).  The flood's packets are 10 us apart from a window boundary,
 * so 1,000,000 of them fall in one window.
 *
 * Prints one line of what it wrote on standard output.  Not a test.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MKPCAP_SNAPLEN	128
#define MKPCAP_LOCAL	50
#define MKPCAP_REMOTE	300000
#define MKPCAP_POOL	4096
#define MKPCAP_T0	1700000000LL	/* 20 s into a 30 s window */
#define MKPCAP_MTU	1500
#define MKPCAP_FRAG_UDP	4008	/* UDP length of a fragmented answer */
#define LINKTYPE_EN10MB	1

enum flow_kind {
	FLOW_TCP, FLOW_QUIC, FLOW_DNS, FLOW_NTP, FLOW_RTP, FLOW_ICMP,
	FLOW_FRAG, FLOW_ESP
};

struct flow {
	uint8_t		fl_kind;	/* enum flow_kind */
	uint8_t		fl_v6;
	uint8_t		fl_local_server;	/* else the remote end serves */
	uint8_t		fl_upload;	/* data from client to server */
	uint16_t	fl_server_port;
	uint16_t	fl_client_port;
	uint32_t	fl_local;	/* 0 .. MKPCAP_LOCAL - 1 */
	uint32_t	fl_remote;	/* 0 .. MKPCAP_REMOTE - 1 */
	uint32_t	fl_sent;
	uint32_t	fl_size;	/* UINT32_MAX: an elephant */
	uint32_t	fl_weight;	/* elephants: per mille of packets */
};

/* One packet to write. */
struct frame {
	int		fr_v6;
	int		fr_c2s;		/* client to server */
	uint8_t		fr_proto;
	uint8_t		fr_tcp_flags;
	uint8_t		fr_icmp_type;
	uint16_t	fr_frag;	/* IPv4 flags and offset */
	uint32_t	fr_ip_len;	/* IP total length */
};

struct mix {
	uint64_t	mx_packets, mx_bytes, mx_v6, mx_tag1, mx_tag2;
	uint64_t	mx_tcp, mx_udp, mx_icmp, mx_frag, mx_other;
	uint64_t	mx_small, mx_large;	/* <= 100, >= 1400 bytes */
	uint64_t	mx_flows, mx_mice_le10, mx_biggest;
	uint64_t	mx_remote_addrs;
	uint8_t		*mx_seen;	/* bit per (family, remote host) */
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
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void
put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Heavy tailed: 2^k + [0, 2^k) with P(k) = (1 - q) q^k, k <= kmax. */
static uint32_t
heavy(uint64_t *s, unsigned int q_percent, unsigned int kmax)
{
	unsigned int	k = 0;

	while (k < kmax && next_random(s) % 100 < q_percent)
		k++;
	return (1u << k) + (uint32_t)(next_random(s) % (1u << k));
}

/* Remote host h: 20.x.x.x to 199.x.x.x, or 2a00::/12, one to one. */
static void
remote_addr(uint8_t *a, uint32_t h, int v6)
{
	uint32_t	low = ((h / 180) * 0x9e3779u + 0x123457u) & 0xffffff;

	memset(a, 0, 16);
	if (!v6) {
		put32(a, (uint32_t)(20 + h % 180) << 24 | low);
		return;
	}
	a[0] = 0x2a;
	a[1] = (uint8_t)(h % 16);
	put32(a + 4, h * 2654435761u);
	put32(a + 12, h);
}

static void
local_addr(uint8_t *a, uint32_t l, int v6)
{
	memset(a, 0, 16);
	if (!v6) {
		put32(a, 0x0a010001u + l);	/* 10.1.0.1 .. */
		return;
	}
	put32(a, 0x20010db8u);			/* 2001:db8:1::1 .. */
	a[5] = 1;
	a[15] = (uint8_t)(1 + l);
}

static int
local_tags(uint32_t l)
{
	return l == 27 ? 2 : l % 10 == 3 ? 1 : 0;
}

static uint16_t
tcp_server_port(uint64_t r)
{
	static const uint16_t	ports[20] = { 443, 443, 443, 443, 443, 443,
				    443, 443, 443, 443, 443, 80, 80, 80, 22,
				    25, 993, 587, 8080, 0 };
	uint16_t		p = ports[r % 20];

	return p != 0 ? p : (uint16_t)(1024 + (r >> 8) % 60000);
}

static void
new_mouse(struct flow *f, uint64_t *s)
{
	unsigned int	kind = (unsigned int)(next_random(s) % 1000);
	uint64_t	r;

	memset(f, 0, sizeof(*f));
	f->fl_v6 = next_random(s) % 5 == 0;
	f->fl_local = (uint32_t)(next_random(s) % MKPCAP_LOCAL);
	f->fl_remote = (uint32_t)(next_random(s) % MKPCAP_REMOTE);
	r = next_random(s);
	f->fl_client_port = (uint16_t)(32768 + r % 28232);
	f->fl_local_server = (r >> 32) % 4 == 0;
	r = next_random(s);
	if (kind < 550) {
		f->fl_kind = FLOW_TCP;
		f->fl_server_port = tcp_server_port(r);
		f->fl_upload = (r >> 30) % 7 == 0;
		f->fl_size = 4 + heavy(s, 45, 14);
	} else if (kind < 800) {
		f->fl_kind = FLOW_DNS;
		f->fl_server_port = 53;
		f->fl_size = 2;
	} else if (kind < 880) {
		f->fl_kind = FLOW_QUIC;
		f->fl_server_port = 443;
		f->fl_size = 2 + heavy(s, 45, 14);
	} else if (kind < 900) {
		f->fl_kind = FLOW_NTP;
		f->fl_server_port = 123;
		f->fl_client_port = 123;
		f->fl_size = 2;
	} else if (kind < 920) {
		f->fl_kind = FLOW_RTP;
		f->fl_server_port = (uint16_t)(16384 + (r >> 8) % 16000);
		f->fl_size = heavy(s, 45, 12);
	} else if (kind < 970) {
		f->fl_kind = FLOW_ICMP;
		f->fl_size = 2 * (1 + (uint32_t)(r >> 24) % 4);
	} else if (kind < 985) {
		f->fl_kind = FLOW_FRAG;	/* IPv4 only: big DNS answers */
		f->fl_v6 = 0;
		f->fl_server_port = 53;
		f->fl_local_server = 0;
		f->fl_size = 3 * (1 + (uint32_t)(r >> 24) % 4);
	} else {
		f->fl_kind = FLOW_ESP;
		f->fl_size = heavy(s, 45, 12);
	}
}

/* Six flows that never end: a fifth of all packets. */
static void
make_elephants(struct flow *e)
{
	static const struct {
		uint8_t		kind, v6, upload;
		uint16_t	port;
		uint32_t	local, remote, weight;
	} def[6] = {
		{ FLOW_TCP, 0, 0, 443, 0, 1000, 70 },
		{ FLOW_TCP, 1, 0, 443, 1, 2000, 50 },
		{ FLOW_TCP, 0, 1, 22, 3, 3000, 30 },	/* tagged */
		{ FLOW_QUIC, 0, 0, 443, 4, 4000, 25 },
		{ FLOW_TCP, 0, 0, 80, 5, 5000, 15 },
		{ FLOW_ESP, 0, 0, 0, 6, 6000, 10 },
	};
	size_t	i;

	for (i = 0; i < 6; i++) {
		memset(&e[i], 0, sizeof(e[i]));
		e[i].fl_kind = def[i].kind;
		e[i].fl_v6 = def[i].v6;
		e[i].fl_upload = def[i].upload;
		e[i].fl_server_port = def[i].port;
		e[i].fl_client_port = (uint16_t)(40000 + i);
		e[i].fl_local = def[i].local;
		e[i].fl_remote = def[i].remote;
		e[i].fl_size = UINT32_MAX;
		e[i].fl_weight = def[i].weight;
	}
}

/* TCP: SYN, SYN-ACK, ACK; then data one way (mostly full size) and
 * ACKs the other; FIN at the end.  Headers with timestamps: 32 bytes. */
static void
tcp_frame(const struct flow *f, struct frame *fr, uint64_t r)
{
	uint32_t	ip = f->fl_v6 ? 40 : 20;

	fr->fr_proto = 6;
	fr->fr_tcp_flags = 0x10;		/* ACK */
	fr->fr_ip_len = ip + 32;
	if (f->fl_sent < 3) {
		fr->fr_c2s = f->fl_sent != 1;
		fr->fr_tcp_flags = f->fl_sent == 0 ? 0x02 :
		    f->fl_sent == 1 ? 0x12 : 0x10;
		fr->fr_ip_len = ip + (f->fl_sent == 2 ? 32 : 40);
	} else if (f->fl_sent + 1 == f->fl_size) {
		fr->fr_c2s = 1;
		fr->fr_tcp_flags = 0x11;	/* FIN, ACK */
	} else if (r % 10 < 6) {
		fr->fr_c2s = f->fl_upload;
		fr->fr_tcp_flags = 0x18;	/* PSH, ACK */
		fr->fr_ip_len = (r >> 8) % 4 != 0 ? MKPCAP_MTU :
		    ip + 32 + 1 + (uint32_t)((r >> 16) % (MKPCAP_MTU - 32 - ip));
	} else
		fr->fr_c2s = !f->fl_upload;
}

static void
udp_frame(const struct flow *f, struct frame *fr, uint64_t r)
{
	uint32_t	ip = f->fl_v6 ? 40 : 20;

	fr->fr_proto = 17;
	fr->fr_c2s = f->fl_sent % 2 == 0;
	switch (f->fl_kind) {
	case FLOW_DNS:
		fr->fr_ip_len = ip + 8 + (fr->fr_c2s ? 28 + (uint32_t)(r % 40) :
		    60 + (uint32_t)(r % 440));
		break;
	case FLOW_NTP:
		fr->fr_ip_len = ip + 8 + 48;
		break;
	case FLOW_QUIC:
		/* Initial packets padded to 1200; then data one way. */
		fr->fr_c2s = f->fl_sent == 0 || r % 10 >= 6;
		fr->fr_ip_len = f->fl_sent == 0 ? ip + 8 + 1250 :
		    fr->fr_c2s ? ip + 8 + 30 + (uint32_t)((r >> 8) % 20) :
		    ip + 8 + 1200 + (uint32_t)((r >> 8) % (MKPCAP_MTU - 1208 -
		    ip));
		break;
	default:		/* RTP: 20 ms of G.711, both ways */
		fr->fr_ip_len = ip + 8 + 172;
		break;
	}
}

/* One packet of f, and the flow moved on. */
static void
flow_frame(struct flow *f, struct frame *fr, uint64_t *s)
{
	uint64_t	r = next_random(s);

	memset(fr, 0, sizeof(*fr));
	fr->fr_v6 = f->fl_v6;
	switch (f->fl_kind) {
	case FLOW_TCP:
		tcp_frame(f, fr, r);
		break;
	case FLOW_ICMP:
		fr->fr_proto = f->fl_v6 ? 58 : 1;
		fr->fr_c2s = f->fl_sent % 2 == 0;
		fr->fr_icmp_type = f->fl_v6 ? (fr->fr_c2s ? 128 : 129) :
		    (fr->fr_c2s ? 8 : 0);
		fr->fr_ip_len = (f->fl_v6 ? 40 : 20) + 64;
		break;
	case FLOW_FRAG:		/* RFC 791: offsets in 8-byte units */
		fr->fr_proto = 17;
		fr->fr_c2s = 0;
		switch (f->fl_sent % 3) {
		case 0:
			fr->fr_frag = 0x2000;
			fr->fr_ip_len = MKPCAP_MTU;
			break;
		case 1:
			fr->fr_frag = 0x2000 | 185;
			fr->fr_ip_len = MKPCAP_MTU;
			break;
		default:
			fr->fr_frag = 370;
			fr->fr_ip_len = 20 + MKPCAP_FRAG_UDP - 2 * 1480;
			break;
		}
		break;
	case FLOW_ESP:
		fr->fr_proto = 50;
		fr->fr_c2s = r % 2;
		fr->fr_ip_len = (r >> 8) % 2 ? 1436 : 20 + 64 +
		    (uint32_t)((r >> 16) % 64);
		break;
	default:
		udp_frame(f, fr, r);
		break;
	}
	f->fl_sent++;
}

static uint16_t
ipv4_checksum(const uint8_t *h)
{
	uint32_t	sum = 0;
	size_t		i;

	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The transport header's first bytes, as far as the snaplen shows. */
static void
write_l4(uint8_t *p, const struct frame *fr, uint16_t sport, uint16_t dport,
    uint32_t l4_len, uint32_t seq)
{
	switch (fr->fr_proto) {
	case 6:
		put16(p, sport);
		put16(p + 2, dport);
		put32(p + 4, seq);
		put32(p + 8, seq ^ 0x5a5a5a5a);
		/* 32-byte header; a SYN's 40 carry MSS, SACK, WS too */
		p[12] = fr->fr_tcp_flags & 0x02 ? 0xa0 : 0x80;
		p[13] = fr->fr_tcp_flags;
		put16(p + 14, 502);
		p[20] = 1;			/* NOP, NOP, timestamps */
		p[21] = 1;
		p[22] = 8;
		p[23] = 10;
		put32(p + 24, seq);
		break;
	case 17:
		put16(p, sport);
		put16(p + 2, dport);
		put16(p + 4, (uint16_t)l4_len);
		put16(p + 6, 0xffff);	/* not 0: mandatory over IPv6 */
		break;
	case 1:
	case 58:
		p[0] = fr->fr_icmp_type;
		put16(p + 4, (uint16_t)seq);
		put16(p + 6, (uint16_t)(seq >> 16));
		break;
	case 50:
		put32(p, 0x1000 + seq % 7);	/* SPI */
		put32(p + 4, seq);
		break;
	}
}

/*
 * Builds the captured bytes of one frame in buf (MKPCAP_SNAPLEN, zeroed
 * by the caller) from src to dst; returns the frame's wire length.
 */
static uint32_t
build_frame(uint8_t *buf, const struct frame *fr, const uint8_t *src,
    const uint8_t *dst, uint16_t sport, uint16_t dport, int tags,
    uint32_t local, uint32_t seq)
{
	uint8_t		*p = buf;
	uint32_t	 l2, wire;

	buf[0] = 0x02;			/* locally administered MACs */
	buf[5] = fr->fr_c2s ? 0xfe : (uint8_t)local;
	buf[6] = 0x02;
	buf[11] = fr->fr_c2s ? (uint8_t)local : 0xfe;
	p += 12;
	if (tags == 2) {
		put16(p, 0x88a8);	/* service tag, then customer tag */
		put16(p + 2, 10);
		p += 4;
	}
	if (tags > 0) {
		put16(p, 0x8100);
		put16(p + 2, (uint16_t)(100 + local));
		p += 4;
	}
	put16(p, fr->fr_v6 ? 0x86dd : 0x0800);
	p += 2;
	l2 = (uint32_t)(p - buf);
	if (fr->fr_v6) {
		p[0] = 0x60;
		put16(p + 4, (uint16_t)(fr->fr_ip_len - 40));
		p[6] = fr->fr_proto;
		p[7] = 64;
		memcpy(p + 8, src, 16);
		memcpy(p + 24, dst, 16);
		p += 40;
	} else {
		p[0] = 0x45;
		put16(p + 2, (uint16_t)fr->fr_ip_len);
		put16(p + 4, (uint16_t)seq);
		put16(p + 6, fr->fr_frag);
		p[8] = 64;
		p[9] = fr->fr_proto;
		memcpy(p + 12, src, 4);
		memcpy(p + 16, dst, 4);
		put16(p + 10, ipv4_checksum(p));
		p += 20;
	}
	/* A first fragment's UDP length is the whole datagram's. */
	if ((fr->fr_frag & 0x1fff) == 0)
		write_l4(p, fr, sport, dport, fr->fr_frag != 0 ? MKPCAP_FRAG_UDP :
		    fr->fr_ip_len - (fr->fr_v6 ? 40 : 20), seq);
	wire = l2 + fr->fr_ip_len;
	return wire < 64 ? 64 : wire;
}

struct writer {
	FILE		*wr_file;
	const char	*wr_path;
	int64_t		 wr_ts_us;
	uint64_t	 wr_random;
};

static int
write_header(struct writer *wr)
{
	uint8_t	h[24];

	put_le32(h, 0xa1b2c3d4);	/* microsecond timestamps */
	h[4] = 2;			/* version 2.4, little-endian */
	h[5] = 0;
	h[6] = 4;
	h[7] = 0;
	put_le32(h + 8, 0);		/* thiszone */
	put_le32(h + 12, 0);		/* sigfigs */
	put_le32(h + 16, MKPCAP_SNAPLEN);
	put_le32(h + 20, LINKTYPE_EN10MB);
	return fwrite(h, sizeof(h), 1, wr->wr_file) == 1 ? 0 : -1;
}

static int
write_record(struct writer *wr, const uint8_t *buf, uint32_t wire)
{
	uint8_t		h[16];
	uint32_t	caplen = wire < MKPCAP_SNAPLEN ? wire : MKPCAP_SNAPLEN;

	put_le32(h, (uint32_t)(wr->wr_ts_us / 1000000));
	put_le32(h + 4, (uint32_t)(wr->wr_ts_us % 1000000));
	put_le32(h + 8, caplen);
	put_le32(h + 12, wire);
	if (fwrite(h, sizeof(h), 1, wr->wr_file) != 1 ||
	    fwrite(buf, caplen, 1, wr->wr_file) != 1)
		return -1;
	return 0;
}

static void
count_frame(struct mix *mx, const struct flow *f, const struct frame *fr,
    uint32_t wire)
{
	uint32_t	bit = f->fl_remote * 2 + f->fl_v6;
	int		tags = local_tags(f->fl_local);

	mx->mx_packets++;
	mx->mx_bytes += wire;
	mx->mx_v6 += fr->fr_v6;
	mx->mx_tag1 += tags == 1;
	mx->mx_tag2 += tags == 2;
	mx->mx_tcp += fr->fr_proto == 6;
	mx->mx_udp += fr->fr_proto == 17;
	mx->mx_icmp += fr->fr_proto == 1 || fr->fr_proto == 58;
	mx->mx_other += fr->fr_proto == 50;
	mx->mx_frag += fr->fr_frag != 0;
	mx->mx_small += wire <= 100;
	mx->mx_large += wire >= 1400;
	if (!(mx->mx_seen[bit / 8] & (1u << bit % 8))) {
		mx->mx_seen[bit / 8] |= (uint8_t)(1u << bit % 8);
		mx->mx_remote_addrs++;
	}
}

static void
count_flow_end(struct mix *mx, const struct flow *f)
{
	if (f->fl_sent == 0)
		return;
	mx->mx_flows++;
	mx->mx_mice_le10 += f->fl_sent <= 10;
	if (f->fl_sent > mx->mx_biggest)
		mx->mx_biggest = f->fl_sent;
}

static int
emit(struct writer *wr, struct flow *f, struct mix *mx)
{
	uint8_t		buf[MKPCAP_SNAPLEN], la[16], ra[16];
	struct frame	fr;
	uint32_t	wire, seq = (uint32_t)next_random(&wr->wr_random);
	int		local_src;

	flow_frame(f, &fr, &wr->wr_random);
	local_addr(la, f->fl_local, f->fl_v6);
	remote_addr(ra, f->fl_remote, f->fl_v6);
	/* The local end sends when it is the client going to the server,
	 * or the server answering. */
	local_src = fr.fr_c2s != f->fl_local_server;
	memset(buf, 0, sizeof(buf));
	wire = build_frame(buf, &fr, local_src ? la : ra, local_src ? ra : la,
	    fr.fr_c2s ? f->fl_client_port : f->fl_server_port,
	    fr.fr_c2s ? f->fl_server_port : f->fl_client_port,
	    local_tags(f->fl_local), f->fl_local, seq);
	count_frame(mx, f, &fr, wire);
	wr->wr_ts_us += 1 + (int64_t)(next_random(&wr->wr_random) % 59);
	return write_record(wr, buf, wire);
}

static int
write_mix(struct writer *wr, uint64_t n, struct mix *mx)
{
	struct flow	 elephants[6], *pool;
	uint64_t	 i, r;
	uint32_t	 w, acc;
	size_t		 k;
	int		 rc = 0;

	pool = malloc(MKPCAP_POOL * sizeof(*pool));
	mx->mx_seen = calloc(MKPCAP_REMOTE * 2 / 8 + 1, 1);
	if (pool == NULL || mx->mx_seen == NULL)
		return -1;
	make_elephants(elephants);
	for (k = 0; k < MKPCAP_POOL; k++)
		new_mouse(&pool[k], &wr->wr_random);
	for (i = 0; i < n && rc == 0; i++) {
		r = next_random(&wr->wr_random);
		w = (uint32_t)(r % 1000);
		for (k = 0, acc = 0; k < 6; k++) {
			acc += elephants[k].fl_weight;
			if (w < acc)
				break;
		}
		if (k < 6) {
			rc = emit(wr, &elephants[k], mx);
			continue;
		}
		k = (size_t)((r >> 10) % MKPCAP_POOL);
		rc = emit(wr, &pool[k], mx);
		if (pool[k].fl_sent == pool[k].fl_size) {
			count_flow_end(mx, &pool[k]);
			new_mouse(&pool[k], &wr->wr_random);
		}
	}
	for (k = 0; k < MKPCAP_POOL; k++)
		count_flow_end(mx, &pool[k]);
	for (k = 0; k < 6; k++)
		count_flow_end(mx, &elephants[k]);
	free(pool);
	free(mx->mx_seen);
	return rc;
}

/* Every packet a DNS query from a source never seen before: 4 in 5 over
 * IPv4 (20.0.0.0 and up), 1 in 5 over IPv6. */
static int
write_flood(struct writer *wr, uint64_t n, struct mix *mx)
{
	struct flow	f;
	uint8_t		buf[MKPCAP_SNAPLEN], la[16], ra[16];
	struct frame	fr;
	uint64_t	i;
	uint32_t	wire;

	memset(&f, 0, sizeof(f));
	memset(&fr, 0, sizeof(fr));
	fr.fr_proto = 17;
	fr.fr_c2s = 1;
	for (i = 0; i < n; i++) {
		fr.fr_v6 = i % 5 == 4;
		fr.fr_ip_len = (fr.fr_v6 ? 40 : 20) + 8 + 22;
		memset(ra, 0, sizeof(ra));
		if (fr.fr_v6) {
			put32(ra, 0x2a000000u);
			put32(ra + 8, (uint32_t)(i >> 32));
			put32(ra + 12, (uint32_t)i);
		} else
			put32(ra, (uint32_t)(20 << 24) + (uint32_t)i);
		local_addr(la, (uint32_t)(i % MKPCAP_LOCAL), fr.fr_v6);
		memset(buf, 0, sizeof(buf));
		wire = build_frame(buf, &fr, ra, la,
		    (uint16_t)(1024 + i % 60000), 53, 0,
		    (uint32_t)(i % MKPCAP_LOCAL), (uint32_t)i);
		mx->mx_packets++;
		mx->mx_bytes += wire;
		mx->mx_v6 += fr.fr_v6;
		mx->mx_udp++;
		mx->mx_small++;
		if (write_record(wr, buf, wire) == -1)
			return -1;
		wr->wr_ts_us += 10;
	}
	mx->mx_remote_addrs = n;
	mx->mx_flows = n;
	return 0;
}

static double
pct(uint64_t a, uint64_t b)
{
	return b != 0 ? 100.0 * (double)a / (double)b : 0;
}

static void
print_mix(const char *path, const struct mix *mx, int64_t t0, int64_t t1,
    long bytes)
{
	printf("%s: %llu packets, %ld bytes of file, %llu on the wire, "
	    "%.1f s of packet time\n", path,
	    (unsigned long long)mx->mx_packets, bytes,
	    (unsigned long long)mx->mx_bytes, (double)(t1 - t0) / 1e6);
	printf("  IPv6 %.1f%%, 802.1Q %.1f%%, QinQ %.1f%%; TCP %.1f%%, UDP "
	    "%.1f%%, ICMP %.1f%%, ESP %.1f%%, IPv4 fragments %.2f%%\n",
	    pct(mx->mx_v6, mx->mx_packets), pct(mx->mx_tag1, mx->mx_packets),
	    pct(mx->mx_tag2, mx->mx_packets), pct(mx->mx_tcp, mx->mx_packets),
	    pct(mx->mx_udp, mx->mx_packets), pct(mx->mx_icmp, mx->mx_packets),
	    pct(mx->mx_other, mx->mx_packets),
	    pct(mx->mx_frag, mx->mx_packets));
	printf("  frames <= 100 bytes %.1f%%, >= 1400 bytes %.1f%%; %llu "
	    "remote addresses, %d local hosts; %llu flows, %.1f%% of them "
	    "<= 10 packets, the biggest %llu\n",
	    pct(mx->mx_small, mx->mx_packets),
	    pct(mx->mx_large, mx->mx_packets),
	    (unsigned long long)mx->mx_remote_addrs, MKPCAP_LOCAL,
	    (unsigned long long)mx->mx_flows,
	    pct(mx->mx_mice_le10, mx->mx_flows),
	    (unsigned long long)mx->mx_biggest);
}

int
main(int argc, char **argv)
{
	struct writer	 wr;
	struct mix	 mx;
	int		 flood = argc > 1 && strcmp(argv[1], "-f") == 0;
	uint64_t	 n;
	int64_t		 t0;
	char		*end;
	int		 rc;

	if (argc - flood < 2 || argc - flood > 3) {
		fprintf(stderr, "usage: mkpcap [-f] FILE [PACKETS]\n");
		return 2;
	}
	argv += flood;
	n = flood ? 1000000 : 5000000;
	if (argc - flood == 3) {
		n = strtoull(argv[2], &end, 10);
		if (*end != '\0' || n == 0) {
			fprintf(stderr, "mkpcap: bad packet count \"%s\"\n",
			    argv[2]);
			return 2;
		}
	}
	memset(&wr, 0, sizeof(wr));
	memset(&mx, 0, sizeof(mx));
	wr.wr_path = argv[1];
	wr.wr_random = 0x6a09e667f3bcc909ULL;
	/* The flood starts on a window boundary (divisible by 30). */
	wr.wr_ts_us = t0 = (MKPCAP_T0 + (flood ? 10 : 0)) * 1000000;
	if ((wr.wr_file = fopen(wr.wr_path, "wb")) == NULL) {
		fprintf(stderr, "mkpcap: %s: %s\n", wr.wr_path,
		    strerror(errno));
		return 1;
	}
	setvbuf(wr.wr_file, NULL, _IOFBF, 1 << 20);
	rc = write_header(&wr);
	if (rc == 0)
		rc = flood ? write_flood(&wr, n, &mx) : write_mix(&wr, n, &mx);
	if (rc == 0)
		print_mix(wr.wr_path, &mx, t0, wr.wr_ts_us, ftell(wr.wr_file));
	if (fclose(wr.wr_file) != 0 || rc != 0) {
		fprintf(stderr, "mkpcap: %s: %s\n", wr.wr_path,
		    errno ? strerror(errno) : "out of memory");
		return 1;
	}
	return 0;
}
