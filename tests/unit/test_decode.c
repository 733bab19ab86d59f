/*
 * Decoder unit tests on hand-built packets.  Every packet is handed to the
 * decoder in a heap buffer of exactly caplen bytes, so the ASan build
 * reports any read past the end.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "capture/decode.h"
#include "check.h"
#include "pkt.h"
#include "lib/cursor.h"

static const uint8_t v4_src[4] = { 192, 0, 2, 1 };
static const uint8_t v4_dst[4] = { 198, 51, 100, 2 };
static const uint8_t v6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static void
put_ether(struct pkt *p, unsigned etype)
{
	static const uint8_t macs[12] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };

	put_bytes(p, macs, sizeof(macs));
	put_be16(p, etype);
}

static void
put_vlan(struct pkt *p, unsigned vid, unsigned next)
{
	put_be16(p, vid);
	put_be16(p, next);
}

/*
 * IPv4 header of ihl 32-bit words; options are filled with NOPs (1) whose
 * bytes would look like ports 257/257 to a decoder that ignored IHL.
 */
static void
put_ipv4(struct pkt *p, unsigned ihl, unsigned total_len, unsigned frag,
    unsigned proto)
{
	put_u8(p, 0x40 | ihl);
	put_u8(p, 0);
	put_be16(p, total_len);
	put_be16(p, 0x1234);
	put_be16(p, frag);
	put_u8(p, 64);
	put_u8(p, proto);
	put_be16(p, 0);
	put_bytes(p, v4_src, 4);
	put_bytes(p, v4_dst, 4);
	if (ihl > 5)
		put_fill(p, 1, (ihl - 5) * 4);
}

static void
put_ipv6(struct pkt *p, unsigned payload_len, unsigned next)
{
	put_be32(p, 0x60000000);
	put_be16(p, payload_len);
	put_u8(p, next);
	put_u8(p, 64);
	put_bytes(p, v6_src, 16);
	put_bytes(p, v6_dst, 16);
}

/* An extension header of 8 * (len + 1) bytes (hop-by-hop, routing, dst). */
static void
put_ext(struct pkt *p, unsigned next, unsigned len)
{
	put_u8(p, next);
	put_u8(p, len);
	put_fill(p, 0, (size_t)len * 8 + 6);
}

static void
put_frag6(struct pkt *p, unsigned next, unsigned offset, int more)
{
	put_u8(p, next);
	put_u8(p, 0);
	put_be16(p, offset << 3 | (more ? 1 : 0));
	put_be32(p, 0xdeadbeef);
}

/* AH of 4 * (len + 2) bytes, RFC 4302. */
static void
put_ah(struct pkt *p, unsigned next, unsigned len)
{
	put_u8(p, next);
	put_u8(p, len);
	put_fill(p, 0, ((size_t)len + 2) * 4 - 2);
}

static void
put_tcp(struct pkt *p, unsigned sport, unsigned dport)
{
	put_be16(p, sport);
	put_be16(p, dport);
	put_fill(p, 0, 16);
}

static void
put_udp(struct pkt *p, unsigned sport, unsigned dport)
{
	put_be16(p, sport);
	put_be16(p, dport);
	put_be16(p, 8);
	put_be16(p, 0);
}

/* Decodes the first caplen bytes of p from a heap copy of exactly caplen
 * bytes; wire length is the whole packet plus 1000 to tell them apart. */
static enum decode_result
decode_n(struct decode_pkt *dp, int linktype, const struct pkt *p,
    size_t caplen)
{
	uint8_t *buf;
	enum decode_result r;

	buf = malloc(caplen > 0 ? caplen : 1);
	if (buf == NULL)
		abort();
	memcpy(buf, p->pk_b, caplen);
	/* caplen 0: the decoder gets a pointer to nothing readable. */
	r = decode_packet(dp, linktype, caplen > 0 ? buf : buf + 1,
	    (uint32_t)caplen, (uint32_t)p->pk_len + 1000);
	free(buf);
	return r;
}

static enum decode_result
decode_all(struct decode_pkt *dp, int linktype, const struct pkt *p)
{
	return decode_n(dp, linktype, p, p->pk_len);
}

/* Checks a fully decoded IPv4 or IPv6 packet with ports. */
static void
check_ports(const struct decode_pkt *dp, const struct pkt *p, int ipver,
    unsigned proto, unsigned sport, unsigned dport, const char *what)
{
	const uint8_t *src = ipver == 4 ? v4_src : v6_src;
	const uint8_t *dst = ipver == 4 ? v4_dst : v6_dst;
	size_t alen = ipver == 4 ? 4 : 16;
	static const uint8_t zero[12];

	CHECK_U64(dp->dp_result, DECODE_OK, "%s: result ok", what);
	CHECK_U64(dp->dp_ipver, ipver, "%s: IP version", what);
	CHECK_U64(dp->dp_family, ipver == 4 ? AF_INET : AF_INET6,
	    "%s: family", what);
	CHECK(memcmp(dp->dp_src, src, alen) == 0 &&
	    memcmp(dp->dp_dst, dst, alen) == 0, "%s: addresses", what);
	if (ipver == 4)
		CHECK(memcmp(dp->dp_src + 4, zero, 12) == 0 &&
		    memcmp(dp->dp_dst + 4, zero, 12) == 0,
		    "%s: last 12 address bytes zero", what);
	CHECK_U64(dp->dp_proto, proto, "%s: protocol", what);
	CHECK(dp->dp_flags & DECODE_F_PORTS, "%s: ports known", what);
	CHECK_U64(dp->dp_sport, sport, "%s: source port", what);
	CHECK_U64(dp->dp_dport, dport, "%s: destination port", what);
	CHECK_U64(dp->dp_wire_len, p->pk_len + 1000, "%s: wire length", what);
}

static void
test_cursor(void)
{
	static const uint8_t b[6] = { 1, 2, 3, 4, 5, 6 };
	struct cursor c;
	uint8_t u8 = 0, out[8] = { 0 };
	uint16_t u16 = 0;
	uint32_t u32 = 0;

	cursor_init(&c, b, sizeof(b));
	CHECK(cursor_get_be16(&c, &u16) == 0 && u16 == 0x0102,
	    "cursor: be16 reads network order");
	CHECK(cursor_get_be32(&c, &u32) == 0 && u32 == 0x03040506,
	    "cursor: be32 reads network order");
	CHECK(cursor_get_u8(&c, &u8) == -1 && u8 == 0 && cursor_pos(&c) == 6,
	    "cursor: u8 at the end fails, output and position untouched");

	cursor_init(&c, b, sizeof(b));
	CHECK(cursor_skip(&c, 3) == 0 && cursor_get_be32(&c, &u32) == -1 &&
	    cursor_pos(&c) == 3 && cursor_remaining(&c) == 3,
	    "cursor: be32 with 3 bytes left fails without moving");
	CHECK(cursor_get_le32(&c, &u32) == -1 && cursor_skip(&c, 4) == -1 &&
	    cursor_skip(&c, SIZE_MAX) == -1 && cursor_pos(&c) == 3,
	    "cursor: le32 and over-long skips fail without moving");
	CHECK(cursor_get_bytes(&c, out, 4) == -1 && out[0] == 0 &&
	    cursor_get_bytes(&c, out, 3) == 0 && out[2] == 6 &&
	    cursor_remaining(&c) == 0, "cursor: bytes copies only what is there");

	cursor_init(&c, b, sizeof(b));
	CHECK(cursor_get_le32(&c, &u32) == 0 && u32 == 0x04030201,
	    "cursor: le32 reads little-endian");
	cursor_limit(&c, 1);
	CHECK(cursor_remaining(&c) == 1 && cursor_get_be16(&c, &u16) == -1,
	    "cursor: limit shortens what is left");
	cursor_limit(&c, 100);
	CHECK(cursor_remaining(&c) == 1 && cursor_peek_u8(&c, &u8) == 0 &&
	    u8 == 5 && cursor_pos(&c) == 4,
	    "cursor: limit never lengthens, peek does not move");
}

static void
test_ethernet(void)
{
	struct decode_pkt dp;
	struct pkt p = { .pk_len = 0 };

	put_ether(&p, 0x0800);
	put_ipv4(&p, 5, 40, 0, IPPROTO_TCP);
	put_tcp(&p, 40000, 80);
	decode_all(&dp, DLT_EN10MB, &p);
	check_ports(&dp, &p, 4, IPPROTO_TCP, 40000, 80, "ether ipv4 tcp");
	CHECK_U64(dp.dp_ip_offset, 14, "ether ipv4 tcp: IP header at 14");
	CHECK_U64(dp.dp_vlans, 0, "ether ipv4 tcp: no VLAN tags");
	CHECK_U64(dp.dp_flags, DECODE_F_PORTS, "ether ipv4 tcp: no other flag");

	p.pk_len = 0;
	put_ether(&p, 0x86dd);
	put_ipv6(&p, 8, IPPROTO_UDP);
	put_udp(&p, 5353, 53);
	decode_all(&dp, DLT_EN10MB, &p);
	check_ports(&dp, &p, 6, IPPROTO_UDP, 5353, 53, "ether ipv6 udp");

	p.pk_len = 0;
	put_ether(&p, 0x0806);
	put_fill(&p, 0, 28);
	CHECK_U64(decode_all(&dp, DLT_EN10MB, &p), DECODE_NOT_IP,
	    "ether ARP: not IP");
	CHECK_U64(dp.dp_wire_len, p.pk_len + 1000,
	    "ether ARP: wire length still given");

	p.pk_len = 0;
	put_ether(&p, 46);		/* 802.3 length, then LLC */
	put_fill(&p, 0x42, 46);
	CHECK_U64(decode_all(&dp, DLT_EN10MB, &p), DECODE_NOT_IP,
	    "ether 802.3 LLC frame: not IP");

	p.pk_len = 0;
	put_ether(&p, 0x0800);
	put_ipv4(&p, 5, 20, 0, IPPROTO_TCP);
	put_fill(&p, 0x55, 26);		/* Ethernet padding to 60 bytes */
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(dp.dp_result == DECODE_OK && !(dp.dp_flags & DECODE_F_PORTS) &&
	    (dp.dp_flags & DECODE_F_L4_TRUNCATED),
	    "ether padding after total length 20 is not read as ports");

	p.pk_len = 0;
	put_ether(&p, 0x0800);
	put_ipv4(&p, 5, 1500, 0, IPPROTO_UDP);
	put_udp(&p, 123, 123);
	decode_all(&dp, DLT_EN10MB, &p);
	check_ports(&dp, &p, 4, IPPROTO_UDP, 123, 123,
	    "ipv4 total length 1500 beyond a 42-byte caplen");
}

static void
test_vlans(void)
{
	static const unsigned tpids[3] = { 0x9100, 0x88a8, 0x8100 };
	struct decode_pkt dp;
	struct pkt p;
	char what[64];
	int depth, i;

	for (depth = 1; depth <= 3; depth++) {
		p.pk_len = 0;
		put_ether(&p, tpids[3 - depth]);
		for (i = 3 - depth; i < 3; i++)
			put_vlan(&p, 100 + i, i == 2 ? 0x0800 : tpids[i + 1]);
		put_ipv4(&p, 5, 40, 0, IPPROTO_TCP);
		put_tcp(&p, 1234, 443);
		decode_all(&dp, DLT_EN10MB, &p);
		snprintf(what, sizeof(what), "%d VLAN tag(s)", depth);
		check_ports(&dp, &p, 4, IPPROTO_TCP, 1234, 443, what);
		CHECK_U64(dp.dp_vlans, depth, "%s: counted", what);
		CHECK_U64(dp.dp_ip_offset, 14 + 4 * depth,
		    "%s: IP header after the tags", what);
	}

	for (depth = DECODE_MAX_VLANS; depth <= DECODE_MAX_VLANS + 1; depth++) {
		p.pk_len = 0;
		put_ether(&p, 0x8100);
		for (i = 0; i < depth; i++)
			put_vlan(&p, 7, i == depth - 1 ? 0x86dd : 0x8100);
		put_ipv6(&p, 20, IPPROTO_TCP);
		put_tcp(&p, 22, 50000);
		decode_all(&dp, DLT_EN10MB, &p);
		if (depth == DECODE_MAX_VLANS)
			check_ports(&dp, &p, 6, IPPROTO_TCP, 22, 50000,
			    "VLAN stack at the limit");
		else
			CHECK_U64(dp.dp_result, DECODE_TOO_MANY_VLANS,
			    "VLAN stack one past the limit: too many tags");
	}

	p.pk_len = 0;
	put_ether(&p, 0x8100);
	put_be16(&p, 5);		/* TCI, and no inner type */
	CHECK_U64(decode_all(&dp, DLT_EN10MB, &p), DECODE_TRUNCATED,
	    "VLAN tag cut after its TCI: truncated");

	p.pk_len = 0;
	put_ether(&p, 0x8100);
	put_vlan(&p, 5, 0x0806);
	put_fill(&p, 0, 28);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(dp.dp_result == DECODE_NOT_IP && dp.dp_vlans == 1,
	    "ARP inside a VLAN tag: not IP, tag counted");
}

static void
test_cooked(void)
{
	struct decode_pkt dp;
	struct pkt p = { .pk_len = 0 };

	/* SLL: packet type, ARPHRD_ETHER, address length 6, address, type. */
	put_be16(&p, 0);
	put_be16(&p, 1);
	put_be16(&p, 6);
	put_fill(&p, 0xaa, 8);
	put_be16(&p, 0x0800);
	put_ipv4(&p, 5, 40, 0, IPPROTO_TCP);
	put_tcp(&p, 1, 2);
	decode_all(&dp, DLT_LINUX_SLL, &p);
	check_ports(&dp, &p, 4, IPPROTO_TCP, 1, 2, "linux sll ipv4");
	CHECK_U64(dp.dp_ip_offset, 16, "linux sll: IP header at 16");

	p.pk_len = 0;
	put_be16(&p, 4);
	put_be16(&p, 1);
	put_be16(&p, 6);
	put_fill(&p, 0xaa, 8);
	put_be16(&p, 0x8100);		/* libpcap puts tags back after SLL */
	put_vlan(&p, 10, 0x86dd);
	put_ipv6(&p, 8, IPPROTO_UDP);
	put_udp(&p, 3, 4);
	decode_all(&dp, DLT_LINUX_SLL, &p);
	check_ports(&dp, &p, 6, IPPROTO_UDP, 3, 4, "linux sll vlan ipv6");
	CHECK_U64(dp.dp_vlans, 1, "linux sll vlan: tag counted");

	/* SLL2: type, reserved, ifindex, ARPHRD, packet type, addr len, addr. */
	p.pk_len = 0;
	put_be16(&p, 0x86dd);
	put_be16(&p, 0);
	put_be32(&p, 2);
	put_be16(&p, 1);
	put_u8(&p, 0);
	put_u8(&p, 6);
	put_fill(&p, 0xbb, 8);
	put_ipv6(&p, 20, IPPROTO_TCP);
	put_tcp(&p, 443, 55555);
	decode_all(&dp, DLT_LINUX_SLL2, &p);
	check_ports(&dp, &p, 6, IPPROTO_TCP, 443, 55555, "linux sll2 ipv6");
	CHECK_U64(dp.dp_ip_offset, 20, "linux sll2: IP header at 20");

	p.pk_len = 19;
	CHECK_U64(decode_all(&dp, DLT_LINUX_SLL2, &p), DECODE_TRUNCATED,
	    "linux sll2 header cut at 19 bytes: truncated");
}

static void
test_raw(void)
{
	struct decode_pkt dp;
	struct pkt p4 = { .pk_len = 0 }, p6 = { .pk_len = 0 };

	put_ipv4(&p4, 5, 28, 0, IPPROTO_UDP);
	put_udp(&p4, 68, 67);
	put_ipv6(&p6, 20, IPPROTO_TCP);
	put_tcp(&p6, 80, 8080);

	decode_all(&dp, DLT_RAW, &p4);
	check_ports(&dp, &p4, 4, IPPROTO_UDP, 68, 67, "DLT_RAW ipv4");
	CHECK_U64(dp.dp_ip_offset, 0, "DLT_RAW: IP header at 0");
	decode_all(&dp, DLT_RAW, &p6);
	check_ports(&dp, &p6, 6, IPPROTO_TCP, 80, 8080, "DLT_RAW ipv6");
	decode_all(&dp, 101, &p4);
	check_ports(&dp, &p4, 4, IPPROTO_UDP, 68, 67, "LINKTYPE_RAW 101 ipv4");
	decode_all(&dp, 101, &p6);
	check_ports(&dp, &p6, 6, IPPROTO_TCP, 80, 8080, "LINKTYPE_RAW 101 ipv6");
	decode_all(&dp, DLT_IPV4, &p4);
	check_ports(&dp, &p4, 4, IPPROTO_UDP, 68, 67, "DLT_IPV4");
	decode_all(&dp, DLT_IPV6, &p6);
	check_ports(&dp, &p6, 6, IPPROTO_TCP, 80, 8080, "DLT_IPV6");

	CHECK_U64(decode_all(&dp, DLT_IPV4, &p6), DECODE_BAD_VERSION,
	    "DLT_IPV4 carrying IPv6: bad version");
	CHECK_U64(decode_all(&dp, DLT_IPV6, &p4), DECODE_BAD_VERSION,
	    "DLT_IPV6 carrying IPv4: bad version");
	p4.pk_b[0] = 0x55;
	CHECK_U64(decode_all(&dp, DLT_RAW, &p4), DECODE_BAD_VERSION,
	    "DLT_RAW version 5: bad version");
	CHECK_U64(decode_n(&dp, DLT_RAW, &p4, 0), DECODE_TRUNCATED,
	    "DLT_RAW empty packet: truncated");
}

static void
test_null_loop(void)
{
	static const uint32_t v6_families[] = { 10, 24, 28, 30 };
	struct decode_pkt dp;
	struct pkt p;
	size_t i;

	p.pk_len = 0;
	put_le32(&p, 2);
	put_ipv4(&p, 5, 40, 0, IPPROTO_TCP);
	put_tcp(&p, 5, 6);
	decode_all(&dp, DLT_NULL, &p);
	check_ports(&dp, &p, 4, IPPROTO_TCP, 5, 6, "DLT_NULL AF_INET little-endian");
	CHECK_U64(dp.dp_ip_offset, 4, "DLT_NULL: IP header at 4");

	p.pk_len = 0;
	put_be32(&p, 2);
	put_ipv4(&p, 5, 40, 0, IPPROTO_TCP);
	put_tcp(&p, 5, 6);
	decode_all(&dp, DLT_NULL, &p);
	check_ports(&dp, &p, 4, IPPROTO_TCP, 5, 6, "DLT_NULL AF_INET big-endian");
	decode_all(&dp, DLT_LOOP, &p);
	check_ports(&dp, &p, 4, IPPROTO_TCP, 5, 6, "DLT_LOOP AF_INET");

	for (i = 0; i < sizeof(v6_families) / sizeof(v6_families[0]); i++) {
		char what[64];

		p.pk_len = 0;
		put_le32(&p, v6_families[i]);
		put_ipv6(&p, 8, IPPROTO_UDP);
		put_udp(&p, 7, 9);
		snprintf(what, sizeof(what), "DLT_NULL AF_INET6 = %u",
		    (unsigned)v6_families[i]);
		decode_all(&dp, DLT_NULL, &p);
		check_ports(&dp, &p, 6, IPPROTO_UDP, 7, 9, what);

		p.pk_len = 0;
		put_be32(&p, v6_families[i]);
		put_ipv6(&p, 8, IPPROTO_UDP);
		put_udp(&p, 7, 9);
		snprintf(what, sizeof(what), "DLT_LOOP AF_INET6 = %u",
		    (unsigned)v6_families[i]);
		decode_all(&dp, DLT_LOOP, &p);
		check_ports(&dp, &p, 6, IPPROTO_UDP, 7, 9, what);
	}

	p.pk_len = 0;
	put_le32(&p, 2);
	put_ipv4(&p, 5, 40, 0, IPPROTO_TCP);
	CHECK_U64(decode_all(&dp, DLT_LOOP, &p), DECODE_NOT_IP,
	    "DLT_LOOP with a little-endian family: not IP");
	p.pk_len = 0;
	put_le32(&p, 7);		/* AF_ISO or whatever: not IP */
	put_fill(&p, 0x45, 40);
	CHECK_U64(decode_all(&dp, DLT_NULL, &p), DECODE_NOT_IP,
	    "DLT_NULL unknown family: not IP");
	CHECK_U64(decode_n(&dp, DLT_NULL, &p, 3), DECODE_TRUNCATED,
	    "DLT_NULL header cut at 3 bytes: truncated");
}

static void
test_ppp_hdlc(void)
{
	struct decode_pkt dp;
	struct pkt p;

	p.pk_len = 0;
	put_be16(&p, 0xff03);
	put_be16(&p, 0x0021);
	put_ipv4(&p, 5, 40, 0, IPPROTO_TCP);
	put_tcp(&p, 11, 12);
	decode_all(&dp, DLT_PPP, &p);
	check_ports(&dp, &p, 4, IPPROTO_TCP, 11, 12, "PPP ipv4");
	decode_all(&dp, DLT_PPP_SERIAL, &p);
	check_ports(&dp, &p, 4, IPPROTO_TCP, 11, 12, "PPP_SERIAL ipv4");

	p.pk_len = 0;
	put_u8(&p, 0x57);		/* no address/control, compressed */
	put_ipv6(&p, 8, IPPROTO_UDP);
	put_udp(&p, 13, 14);
	decode_all(&dp, DLT_PPP, &p);
	check_ports(&dp, &p, 6, IPPROTO_UDP, 13, 14,
	    "PPP ipv6 with a compressed protocol field");
	CHECK_U64(dp.dp_ip_offset, 1, "PPP compressed: IP header at 1");

	p.pk_len = 0;
	put_be16(&p, 0xff03);
	put_be16(&p, 0xc021);		/* LCP */
	put_fill(&p, 0, 10);
	CHECK_U64(decode_all(&dp, DLT_PPP, &p), DECODE_NOT_IP,
	    "PPP LCP: not IP");

	p.pk_len = 0;
	put_be16(&p, 0x0f00);
	put_be16(&p, 0x86dd);
	put_ipv6(&p, 8, IPPROTO_UDP);
	put_udp(&p, 15, 16);
	decode_all(&dp, DLT_C_HDLC, &p);
	check_ports(&dp, &p, 6, IPPROTO_UDP, 15, 16, "Cisco HDLC ipv6");
	decode_all(&dp, DLT_PPP_SERIAL, &p);
	check_ports(&dp, &p, 6, IPPROTO_UDP, 15, 16,
	    "PPP_SERIAL carrying Cisco HDLC");
}

static void
test_ipv4(void)
{
	struct decode_pkt dp;
	struct pkt p;

	p.pk_len = 0;
	put_ether(&p, 0x0800);
	put_ipv4(&p, 6, 44, 0, IPPROTO_TCP);
	put_tcp(&p, 2000, 25);
	decode_all(&dp, DLT_EN10MB, &p);
	check_ports(&dp, &p, 4, IPPROTO_TCP, 2000, 25, "ipv4 with 4 option bytes");

	p.pk_len = 0;
	put_ether(&p, 0x0800);
	put_ipv4(&p, 15, 68, 0, IPPROTO_UDP);
	put_udp(&p, 500, 4500);
	decode_all(&dp, DLT_EN10MB, &p);
	check_ports(&dp, &p, 4, IPPROTO_UDP, 500, 4500,
	    "ipv4 with 40 option bytes (IHL 15)");

	p.pk_len = 0;
	put_ether(&p, 0x0800);
	put_ipv4(&p, 15, 68, 0, IPPROTO_UDP);
	p.pk_len -= 4;			/* caplen ends inside the options */
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(dp.dp_result == DECODE_OK && dp.dp_proto == IPPROTO_UDP &&
	    !(dp.dp_flags & DECODE_F_PORTS) &&
	    (dp.dp_flags & DECODE_F_L4_TRUNCATED),
	    "ipv4 options cut by caplen: ok, no ports, L4 truncated");

	p.pk_len = 0;
	put_ether(&p, 0x0800);
	put_ipv4(&p, 5, 1500, 0x2000, IPPROTO_UDP);	/* MF, offset 0 */
	put_udp(&p, 53, 33000);
	decode_all(&dp, DLT_EN10MB, &p);
	check_ports(&dp, &p, 4, IPPROTO_UDP, 53, 33000, "ipv4 first fragment");
	CHECK((dp.dp_flags & DECODE_F_FRAGMENT) &&
	    !(dp.dp_flags & DECODE_F_LATER_FRAGMENT),
	    "ipv4 first fragment: fragment, not a later one");

	p.pk_len = 0;
	put_ether(&p, 0x0800);
	put_ipv4(&p, 5, 1500, 185, IPPROTO_UDP);	/* offset 1480, last */
	put_udp(&p, 9999, 9999);	/* payload that looks like ports */
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(dp.dp_result == DECODE_OK && dp.dp_proto == IPPROTO_UDP &&
	    memcmp(dp.dp_src, v4_src, 4) == 0 &&
	    memcmp(dp.dp_dst, v4_dst, 4) == 0,
	    "ipv4 later fragment: ok with addresses and protocol");
	CHECK(!(dp.dp_flags & DECODE_F_PORTS) && dp.dp_sport == 0 &&
	    dp.dp_dport == 0 && (dp.dp_flags & DECODE_F_FRAGMENT) &&
	    (dp.dp_flags & DECODE_F_LATER_FRAGMENT) &&
	    !(dp.dp_flags & DECODE_F_L4_TRUNCATED),
	    "ipv4 later fragment: ports unknown, fragment flags set");

	p.pk_len = 0;
	put_ether(&p, 0x0800);
	put_ipv4(&p, 5, 84, 0, IPPROTO_ICMP);
	put_be16(&p, 0x0800);		/* echo request */
	put_fill(&p, 0, 62);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(dp.dp_result == DECODE_OK && dp.dp_proto == IPPROTO_ICMP &&
	    dp.dp_flags == 0 && dp.dp_sport == 0 && dp.dp_dport == 0,
	    "ipv4 ICMP: ok, ports 0 and not known");

	p.pk_len = 0;
	put_ether(&p, 0x0800);
	put_ipv4(&p, 5, 40, 0, IPPROTO_SCTP);
	put_tcp(&p, 2905, 2944);	/* SCTP common header starts the same */
	decode_all(&dp, DLT_EN10MB, &p);
	check_ports(&dp, &p, 4, IPPROTO_SCTP, 2905, 2944, "ipv4 SCTP");

	p.pk_len = 0;
	put_ether(&p, 0x0800);
	put_ipv4(&p, 4, 40, 0, IPPROTO_TCP);
	put_fill(&p, 0, 24);
	CHECK_U64(decode_all(&dp, DLT_EN10MB, &p), DECODE_BAD_HEADER_LENGTH,
	    "ipv4 IHL 4: bad header length");
	p.pk_b[14] = 0x40;
	CHECK_U64(decode_all(&dp, DLT_EN10MB, &p), DECODE_BAD_HEADER_LENGTH,
	    "ipv4 IHL 0: bad header length");
	CHECK_U64(decode_n(&dp, DLT_EN10MB, &p, 15), DECODE_BAD_HEADER_LENGTH,
	    "ipv4 IHL 0 with one byte captured: bad header length");

	p.pk_len = 0;
	put_ether(&p, 0x0800);
	put_ipv4(&p, 5, 19, 0, IPPROTO_TCP);
	put_tcp(&p, 1, 2);
	CHECK_U64(decode_all(&dp, DLT_EN10MB, &p), DECODE_BAD_HEADER_LENGTH,
	    "ipv4 total length 19 < IHL 20: bad header length");
	p.pk_len = 0;
	put_ether(&p, 0x0800);
	put_ipv4(&p, 6, 20, 0, IPPROTO_TCP);
	put_tcp(&p, 1, 2);
	CHECK_U64(decode_all(&dp, DLT_EN10MB, &p), DECODE_BAD_HEADER_LENGTH,
	    "ipv4 total length 20 < IHL 24: bad header length");

	p.pk_len = 0;
	put_ether(&p, 0x0800);
	put_ipv4(&p, 5, 0, 0, IPPROTO_TCP);	/* a TSO or BIG TCP send */
	put_tcp(&p, 34000, 443);
	decode_all(&dp, DLT_EN10MB, &p);
	check_ports(&dp, &p, 4, IPPROTO_TCP, 34000, 443,
	    "ipv4 total length 0 (TSO/BIG TCP): length unknown, not bad");
	CHECK(dp.dp_flags & DECODE_F_NO_IP_LENGTH,
	    "ipv4 total length 0: flagged as no IP length");

	p.pk_len = 0;
	put_ether(&p, 0x86dd);
	put_ipv6(&p, 0, IPPROTO_HOPOPTS);	/* jumbogram, RFC 2675 */
	put_u8(&p, IPPROTO_TCP);
	put_u8(&p, 0);
	put_be16(&p, 0xc204);		/* Jumbo Payload option */
	put_be32(&p, 70000);
	put_tcp(&p, 9000, 9001);
	decode_all(&dp, DLT_EN10MB, &p);
	check_ports(&dp, &p, 6, IPPROTO_TCP, 9000, 9001,
	    "ipv6 jumbogram, payload length 0");
	CHECK(dp.dp_flags & DECODE_F_NO_IP_LENGTH,
	    "ipv6 payload length 0: flagged as no IP length");

	p.pk_len = 0;
	put_ether(&p, 0x0800);
	put_ipv6(&p, 20, IPPROTO_TCP);
	put_tcp(&p, 1, 2);
	CHECK_U64(decode_all(&dp, DLT_EN10MB, &p), DECODE_BAD_VERSION,
	    "ethertype IPv4 carrying version 6: bad version");
	p.pk_len = 0;
	put_ether(&p, 0x86dd);
	put_ipv4(&p, 5, 40, 0, IPPROTO_TCP);
	put_tcp(&p, 1, 2);
	CHECK_U64(decode_all(&dp, DLT_EN10MB, &p), DECODE_BAD_VERSION,
	    "ethertype IPv6 carrying version 4: bad version");
}

/* One IPv6 packet over Ethernet: 40 bytes, then the caller's headers. */
static void
start_v6(struct pkt *p, unsigned payload_len, unsigned next)
{
	p->pk_len = 0;
	put_ether(p, 0x86dd);
	put_ipv6(p, payload_len, next);
}

static void
test_ipv6_ext(void)
{
	struct decode_pkt dp;
	struct pkt p;
	int i;

	start_v6(&p, 28, IPPROTO_HOPOPTS);
	put_ext(&p, IPPROTO_TCP, 0);
	put_tcp(&p, 100, 200);
	decode_all(&dp, DLT_EN10MB, &p);
	check_ports(&dp, &p, 6, IPPROTO_TCP, 100, 200, "ipv6 hop-by-hop");

	start_v6(&p, 32, IPPROTO_ROUTING);
	put_ext(&p, IPPROTO_UDP, 2);	/* 24 bytes */
	put_udp(&p, 101, 201);
	decode_all(&dp, DLT_EN10MB, &p);
	check_ports(&dp, &p, 6, IPPROTO_UDP, 101, 201, "ipv6 routing (24 bytes)");

	start_v6(&p, 36, IPPROTO_DSTOPTS);
	put_ext(&p, IPPROTO_TCP, 1);
	put_tcp(&p, 102, 202);
	decode_all(&dp, DLT_EN10MB, &p);
	check_ports(&dp, &p, 6, IPPROTO_TCP, 102, 202,
	    "ipv6 destination options (16 bytes)");

	start_v6(&p, 1000, IPPROTO_FRAGMENT);
	put_frag6(&p, IPPROTO_UDP, 0, 1);
	put_udp(&p, 103, 203);
	decode_all(&dp, DLT_EN10MB, &p);
	check_ports(&dp, &p, 6, IPPROTO_UDP, 103, 203,
	    "ipv6 fragment offset 0");
	CHECK((dp.dp_flags & DECODE_F_FRAGMENT) &&
	    !(dp.dp_flags & DECODE_F_LATER_FRAGMENT),
	    "ipv6 fragment offset 0: fragment, not a later one");

	start_v6(&p, 1000, IPPROTO_FRAGMENT);
	put_frag6(&p, IPPROTO_UDP, 181, 0);
	put_udp(&p, 9999, 9999);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(dp.dp_result == DECODE_OK && dp.dp_proto == IPPROTO_UDP &&
	    memcmp(dp.dp_src, v6_src, 16) == 0 &&
	    (dp.dp_flags & DECODE_F_LATER_FRAGMENT) &&
	    !(dp.dp_flags & DECODE_F_PORTS) && dp.dp_sport == 0,
	    "ipv6 fragment offset 181: addresses and protocol, no ports");

	start_v6(&p, 44, IPPROTO_AH);
	put_ah(&p, IPPROTO_TCP, 4);	/* 24 bytes: 96-bit ICV */
	put_tcp(&p, 104, 204);
	decode_all(&dp, DLT_EN10MB, &p);
	check_ports(&dp, &p, 6, IPPROTO_TCP, 104, 204, "ipv6 AH (24 bytes)");

	start_v6(&p, 88, IPPROTO_HOPOPTS);
	put_ext(&p, IPPROTO_DSTOPTS, 0);
	put_ext(&p, IPPROTO_ROUTING, 0);
	put_ext(&p, IPPROTO_FRAGMENT, 1);
	put_frag6(&p, IPPROTO_AH, 0, 1);
	put_ah(&p, IPPROTO_DSTOPTS, 1);
	put_ext(&p, IPPROTO_SCTP, 0);
	put_tcp(&p, 105, 205);
	decode_all(&dp, DLT_EN10MB, &p);
	check_ports(&dp, &p, 6, IPPROTO_SCTP, 105, 205,
	    "ipv6 chain hop, dst, routing, fragment, AH, dst");

	start_v6(&p, 8, IPPROTO_DSTOPTS);
	put_ext(&p, IPPROTO_NONE, 0);
	put_tcp(&p, 1, 2);		/* trailing bytes are not a header */
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(dp.dp_result == DECODE_OK && dp.dp_proto == IPPROTO_NONE &&
	    dp.dp_flags == 0, "ipv6 No Next Header: protocol 59, no ports");

	start_v6(&p, 8, IPPROTO_ICMPV6);
	put_be32(&p, 0x80000000);	/* echo request */
	put_be32(&p, 0);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(dp.dp_result == DECODE_OK && dp.dp_proto == IPPROTO_ICMPV6 &&
	    dp.dp_flags == 0 && dp.dp_sport == 0,
	    "ipv6 ICMPv6: protocol 58, ports 0 and not known");

	start_v6(&p, 2048, IPPROTO_HOPOPTS);
	put_u8(&p, IPPROTO_TCP);
	put_u8(&p, 255);		/* claims 2048 bytes, 22 follow */
	put_fill(&p, 0, 6);
	put_tcp(&p, 1, 2);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(dp.dp_result == DECODE_OK && dp.dp_proto == IPPROTO_HOPOPTS &&
	    !(dp.dp_flags & DECODE_F_PORTS) &&
	    (dp.dp_flags & DECODE_F_L4_TRUNCATED) &&
	    memcmp(dp.dp_dst, v6_dst, 16) == 0,
	    "ipv6 hop-by-hop length past caplen: addresses, stops there");

	start_v6(&p, 8, IPPROTO_HOPOPTS);	/* payload length says 8 */
	put_ext(&p, IPPROTO_TCP, 1);	/* but the header claims 16 */
	put_tcp(&p, 1, 2);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(dp.dp_result == DECODE_OK && dp.dp_proto == IPPROTO_HOPOPTS &&
	    (dp.dp_flags & DECODE_F_L4_TRUNCATED),
	    "ipv6 extension header longer than the payload length: stops");

	start_v6(&p, 16, IPPROTO_AH);
	put_u8(&p, IPPROTO_TCP);
	put_u8(&p, 200);		/* 808 bytes claimed */
	put_fill(&p, 0, 14);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(dp.dp_result == DECODE_OK && dp.dp_proto == IPPROTO_AH &&
	    (dp.dp_flags & DECODE_F_L4_TRUNCATED),
	    "ipv6 AH length past caplen: stops at AH");

	start_v6(&p, 12, IPPROTO_TCP);	/* payload shorter than TCP's 20 */
	put_tcp(&p, 1, 2);
	p.pk_b[14 + 5] = 2;		/* payload length 2 */
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(dp.dp_result == DECODE_OK &&
	    !(dp.dp_flags & DECODE_F_PORTS) &&
	    (dp.dp_flags & DECODE_F_L4_TRUNCATED),
	    "ipv6 payload length 2: ports not read from beyond it");

	for (i = DECODE_MAX_EXT_HEADERS; i <= DECODE_MAX_EXT_HEADERS + 1; i++) {
		int j;

		start_v6(&p, 8 * i + 20, IPPROTO_DSTOPTS);
		for (j = 0; j < i; j++)
			put_ext(&p, j == i - 1 ? IPPROTO_TCP : IPPROTO_DSTOPTS, 0);
		put_tcp(&p, 106, 206);
		decode_all(&dp, DLT_EN10MB, &p);
		if (i == DECODE_MAX_EXT_HEADERS)
			check_ports(&dp, &p, 6, IPPROTO_TCP, 106, 206,
			    "ipv6 extension headers at the limit");
		else
			CHECK(dp.dp_result == DECODE_OK &&
			    dp.dp_proto == IPPROTO_DSTOPTS &&
			    (dp.dp_flags & DECODE_F_EXT_LIMIT) &&
			    !(dp.dp_flags & DECODE_F_PORTS),
			    "ipv6 extension headers one past the limit: "
			    "addresses only, flagged");
	}
}

/*
 * Decodes every prefix of p (caplen 0 .. full) and checks the result
 * against the offsets where the addresses and ports end.  Returns the
 * number of prefixes that disagreed, printing the first.
 */
static int
sweep(int linktype, const struct pkt *p, size_t addr_end, size_t ports_end,
    const char *what)
{
	struct decode_pkt dp;
	size_t caplen;
	int bad = 0;

	for (caplen = 0; caplen <= p->pk_len; caplen++) {
		enum decode_result r = decode_n(&dp, linktype, p, caplen);
		int ok;

		if (caplen < addr_end)
			ok = r == DECODE_TRUNCATED;
		else if (caplen < ports_end)
			ok = r == DECODE_OK &&
			    (dp.dp_flags & DECODE_F_L4_TRUNCATED) &&
			    !(dp.dp_flags & DECODE_F_PORTS);
		else
			ok = r == DECODE_OK && (dp.dp_flags & DECODE_F_PORTS) &&
			    !(dp.dp_flags & DECODE_F_L4_TRUNCATED);
		if (!ok && bad++ == 0)
			printf("# %s: caplen %zu gave %s, flags %#x\n", what,
			    caplen, decode_result_name(r), dp.dp_flags);
	}
	return bad;
}

static void
test_truncation(void)
{
	struct pkt p;

	p.pk_len = 0;
	put_ether(&p, 0x0800);
	put_ipv4(&p, 5, 40, 0, IPPROTO_TCP);
	put_tcp(&p, 1, 2);
	CHECK_U64(sweep(DLT_EN10MB, &p, 34, 38, "tcp/ipv4"), 0,
	    "tcp/ipv4 over ethernet cut at every byte 0..54: truncated "
	    "before 34, no ports before 38, ports after");

	p.pk_len = 0;
	put_ether(&p, 0x8100);
	put_vlan(&p, 1, 0x0800);
	put_ipv4(&p, 7, 48, 0, IPPROTO_TCP);
	put_tcp(&p, 1, 2);
	CHECK_U64(sweep(DLT_EN10MB, &p, 38, 50, "vlan tcp/ipv4 options"), 0,
	    "vlan tcp/ipv4 with 8 option bytes cut at every byte");

	p.pk_len = 0;
	put_ether(&p, 0x86dd);
	put_ipv6(&p, 20, IPPROTO_TCP);
	put_tcp(&p, 1, 2);
	CHECK_U64(sweep(DLT_EN10MB, &p, 54, 58, "tcp/ipv6"), 0,
	    "tcp/ipv6 over ethernet cut at every byte 0..74");

	start_v6(&p, 36, IPPROTO_HOPOPTS);
	put_ext(&p, IPPROTO_FRAGMENT, 0);
	put_frag6(&p, IPPROTO_TCP, 0, 1);
	put_tcp(&p, 1, 2);
	CHECK_U64(sweep(DLT_EN10MB, &p, 54, 74, "tcp/ipv6 hop frag"), 0,
	    "tcp/ipv6 with hop-by-hop and fragment headers cut at every byte");

	p.pk_len = 0;
	put_ipv4(&p, 5, 28, 0, IPPROTO_UDP);
	put_udp(&p, 1, 2);
	CHECK_U64(sweep(DLT_RAW, &p, 20, 24, "raw udp/ipv4"), 0,
	    "udp/ipv4 on DLT_RAW cut at every byte");
}

static void
test_link_types(void)
{
	static const int known[] = { DLT_EN10MB, DLT_LINUX_SLL,
	    DLT_LINUX_SLL2, DLT_RAW, 101, DLT_IPV4, DLT_IPV6, DLT_NULL,
	    DLT_LOOP, DLT_PPP, DLT_PPP_SERIAL, DLT_C_HDLC, DLT_PPP_ETHER,
	    DLT_PPP_WITH_DIR, DLT_NFLOG };
	static const int unknown[] = { -1, 2, 105, 127, 147, 100000 };
	struct decode_pkt dp;
	struct pkt p = { .pk_len = 0 };
	size_t i;
	int bad = 0;

	put_ether(&p, 0x0800);
	put_ipv4(&p, 5, 40, 0, IPPROTO_TCP);
	put_tcp(&p, 1, 2);
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		if (decode_all(&dp, unknown[i], &p) != DECODE_NOT_IP ||
		    dp.dp_result != DECODE_NOT_IP ||
		    dp.dp_kinds != 1u << DECODE_KIND_OTHER_LINKTYPE ||
		    dp.dp_wire_len != p.pk_len + 1000 ||
		    decode_linktype_supported(unknown[i]))
			bad++;
	}
	CHECK_U64(bad, 0, "unknown link types (802.11, radiotap...): not IP "
	    "of kind other-linktype, wire length still given");
	bad = 0;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		bad += !decode_linktype_supported(known[i]);
	CHECK_U64(bad, 0, "decode_linktype_supported knows all %zu link types",
	    sizeof(known) / sizeof(known[0]));
}

static void
test_names(void)
{
	int r, distinct = 1;

	for (r = 0; r < DECODE_NRESULTS; r++) {
		int s;

		for (s = 0; s < r; s++)
			if (strcmp(decode_result_name(r),
			    decode_result_name(s)) == 0)
				distinct = 0;
		if (strcmp(decode_result_name(r), "unknown") == 0)
			distinct = 0;
	}
	CHECK(distinct, "every result has its own name");
	CHECK(strcmp(decode_result_name(DECODE_OK), "ok") == 0 &&
	    strcmp(decode_result_name(DECODE_NRESULTS), "unknown") == 0,
	    "result names: ok, and unknown out of range");
}

int
main(void)
{
	test_cursor();
	test_ethernet();
	test_vlans();
	test_cooked();
	test_raw();
	test_null_loop();
	test_ppp_hdlc();
	test_ipv4();
	test_ipv6_ext();
	test_truncation();
	test_link_types();
	test_names();
	return check_done();
}
