/*
 * Decoder unit tests for the link layers of issue 15, on hand-built
 * packets: PPPoE sessions (also behind VLAN tags), MPLS label stacks,
 * DLT_NFLOG, DLT_PPP_ETHER and DLT_PPP_WITH_DIR, and the kinds
 * (dp_kinds) that tunnels and frames that are not IP are counted under.
 * Every packet is handed to the decoder in a heap buffer of exactly
 * caplen bytes, so the ASan build reports any read past the end.
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

#define K(k)	(1u << (k))

static const uint8_t v4_src[4] = { 192, 0, 2, 1 };
static const uint8_t v4_dst[4] = { 198, 51, 100, 2 };
static const uint8_t v6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

/* NFLOG TLV headers are in the host's order. */
static void
put_host16(struct pkt *p, uint16_t v)
{
	if (p->pk_len + 2 > sizeof(p->pk_b))
		abort();
	memcpy(p->pk_b + p->pk_len, &v, 2);
	p->pk_len += 2;
}

static void
start_ether(struct pkt *p, unsigned etype)
{
	p->pk_len = 0;
	put_fill(p, 0x02, 12);
	put_be16(p, etype);
}

static void
put_ipv4(struct pkt *p, unsigned total_len, unsigned frag, unsigned proto)
{
	put_u8(p, 0x45);
	put_u8(p, 0);
	put_be16(p, total_len);
	put_be16(p, 0x1234);
	put_be16(p, frag);
	put_u8(p, 64);
	put_u8(p, proto);
	put_be16(p, 0);
	put_bytes(p, v4_src, 4);
	put_bytes(p, v4_dst, 4);
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

static void
put_ports(struct pkt *p, unsigned sport, unsigned dport)
{
	put_be16(p, sport);
	put_be16(p, dport);
	put_be16(p, 8);
	put_be16(p, 0);
}

/* PPPoE session header (RFC 2516 section 4) and a PPP protocol; with
 * 0x10000 added, in one byte. */
static void
put_pppoe(struct pkt *p, unsigned code, unsigned len, unsigned proto)
{
	put_u8(p, 0x11);
	put_u8(p, code);
	put_be16(p, 0x2a2a);
	put_be16(p, len);
	if (proto & 0x10000)		/* compressed to one byte */
		put_u8(p, proto & 0xff);
	else
		put_be16(p, proto);
}

static void
put_label(struct pkt *p, unsigned label, int bottom)
{
	put_be32(p, (uint32_t)label << 12 | (bottom ? 0x100 : 0) | 64);
}

static void
put_tlv(struct pkt *p, unsigned type, const void *v, size_t n)
{
	put_host16(p, (uint16_t)(n + 4));
	put_host16(p, (uint16_t)type);
	put_bytes(p, v, n);
	while (p->pk_len % 4 != 0)
		put_u8(p, 0);
}

/* An NFLOG record: header, the metadata TLVs the kernel writes before
 * the payload (packet header, a prefix of odd length, ifindex), then
 * the payload TLV's header for n bytes of packet. */
static void
start_nflog(struct pkt *p, unsigned family, size_t n)
{
	static const uint8_t hdr[4] = { 0x08, 0x00, 1, 0 };
	static const char prefix[] = "cm";
	static const uint8_t ifindex[4] = { 0, 0, 0, 3 };

	p->pk_len = 0;
	put_u8(p, family);
	put_u8(p, 0);
	put_be16(p, 5);
	put_tlv(p, 1, hdr, sizeof(hdr));
	put_tlv(p, 10, prefix, sizeof(prefix));
	put_tlv(p, 4, ifindex, sizeof(ifindex));
	put_host16(p, (uint16_t)(n + 4));
	put_host16(p, 9);
}

static enum decode_result
decode_n(struct decode_pkt *dp, int linktype, const struct pkt *p,
    size_t caplen)
{
	uint8_t *buf;
	enum decode_result r;

	if ((buf = malloc(caplen > 0 ? caplen : 1)) == NULL)
		abort();
	memcpy(buf, p->pk_b, caplen);
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

/* A decoded IPv4 or IPv6 packet at ip_offset with ports 7 and 9 (or no
 * ports when sport is 0), and exactly the kinds given. */
static int
decoded(const struct decode_pkt *dp, int ipver, size_t ip_offset,
    unsigned sport, uint32_t kinds)
{
	const uint8_t *src = ipver == 4 ? v4_src : v6_src;
	const uint8_t *dst = ipver == 4 ? v4_dst : v6_dst;
	size_t n = ipver == 4 ? 4 : 16;

	if (dp->dp_result != DECODE_OK || dp->dp_ipver != ipver ||
	    dp->dp_ip_offset != ip_offset || dp->dp_kinds != kinds ||
	    memcmp(dp->dp_src, src, n) != 0 || memcmp(dp->dp_dst, dst, n) != 0) {
		printf("# result %s, ipver %u, offset %u, kinds %#x\n",
		    decode_result_name(dp->dp_result), dp->dp_ipver,
		    dp->dp_ip_offset, dp->dp_kinds);
		return 0;
	}
	if (sport == 0)
		return !(dp->dp_flags & DECODE_F_PORTS);
	return (dp->dp_flags & DECODE_F_PORTS) && dp->dp_sport == sport &&
	    dp->dp_dport == 9;
}

static int
not_ip(const struct decode_pkt *dp, uint32_t kinds)
{
	if (dp->dp_result == DECODE_NOT_IP && dp->dp_kinds == kinds)
		return 1;
	printf("# result %s, kinds %#x, want not IP and %#x\n",
	    decode_result_name(dp->dp_result), dp->dp_kinds, kinds);
	return 0;
}

/*
 * Every prefix of p: truncated before addr_end, addresses without ports
 * before ports_end, all of it after.  The number that disagree.
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
			    (dp.dp_flags & DECODE_F_L4_TRUNCATED);
		else
			ok = r == DECODE_OK && (dp.dp_flags & DECODE_F_PORTS);
		if (!ok && bad++ == 0)
			printf("# %s: caplen %zu gave %s, flags %#x\n", what,
			    caplen, decode_result_name(r), dp.dp_flags);
	}
	return bad;
}

static void
test_pppoe(void)
{
	struct decode_pkt dp;
	struct pkt p;

	start_ether(&p, 0x8864);
	put_pppoe(&p, 0, 30, 0x0021);
	put_ipv4(&p, 28, 0, IPPROTO_UDP);
	put_ports(&p, 7, 9);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(decoded(&dp, 4, 22, 7, K(DECODE_KIND_PPPOE)),
	    "PPPoE session, PPP IPv4: addresses and ports at 22, kind pppoe");
	CHECK_U64(sweep(DLT_EN10MB, &p, 42, 46, "pppoe"), 0,
	    "PPPoE IPv4 cut at every byte: truncated before the addresses, "
	    "no ports before them");

	start_ether(&p, 0x88a8);
	put_be16(&p, 100);
	put_be16(&p, 0x8100);
	put_be16(&p, 200);
	put_be16(&p, 0x8864);
	put_pppoe(&p, 0, 50, 0x0057);
	put_ipv6(&p, 8, IPPROTO_UDP);
	put_ports(&p, 7, 9);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(decoded(&dp, 6, 30, 7, K(DECODE_KIND_VLAN) |
	    K(DECODE_KIND_PPPOE)) && dp.dp_vlans == 2,
	    "PPPoE IPv6 behind 802.1ad + 802.1Q: at 30, kinds vlan and pppoe");

	start_ether(&p, 0x8864);
	put_pppoe(&p, 0, 29, 0x10021);
	put_ipv4(&p, 28, 0, IPPROTO_UDP);
	put_ports(&p, 7, 9);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(decoded(&dp, 4, 21, 7, K(DECODE_KIND_PPPOE)),
	    "PPPoE with a compressed PPP protocol (0x21, RFC 1661 6.5)");

	start_ether(&p, 0x8864);
	put_pppoe(&p, 0, 16, 0xc021);
	put_fill(&p, 1, 14);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(not_ip(&dp, K(DECODE_KIND_PPPOE) | K(DECODE_KIND_PPP_OTHER)),
	    "PPPoE LCP: not IP, kinds pppoe and ppp-other");

	start_ether(&p, 0x8864);
	put_pppoe(&p, 0x09, 30, 0x0021);
	put_ipv4(&p, 28, 0, IPPROTO_UDP);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(not_ip(&dp, K(DECODE_KIND_PPPOE) | K(DECODE_KIND_PPP_OTHER)),
	    "PPPoE session ethertype with a discovery code: not IP");

	start_ether(&p, 0x8863);
	put_pppoe(&p, 0x09, 0, 0x0101);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(not_ip(&dp, K(DECODE_KIND_PPPOE_DISCOVERY)),
	    "PPPoE discovery (PADI): not IP, kind pppoe-discovery");

	/* DLT_PPP_ETHER: the PPPoE header without Ethernet. */
	p.pk_len = 0;
	put_pppoe(&p, 0, 30, 0x0021);
	put_ipv4(&p, 28, 0, IPPROTO_UDP);
	put_ports(&p, 7, 9);
	decode_all(&dp, DLT_PPP_ETHER, &p);
	CHECK(decoded(&dp, 4, 8, 7, K(DECODE_KIND_PPPOE)),
	    "DLT_PPP_ETHER: IPv4 at 8, kind pppoe");
	CHECK_U64(sweep(DLT_PPP_ETHER, &p, 28, 32, "ppp_ether"), 0,
	    "DLT_PPP_ETHER cut at every byte");

	/* DLT_PPP_WITH_DIR: direction, then PPP in HDLC framing. */
	p.pk_len = 0;
	put_u8(&p, 1);
	put_u8(&p, 0xff);
	put_u8(&p, 0x03);
	put_be16(&p, 0x0057);
	put_ipv6(&p, 8, IPPROTO_UDP);
	put_ports(&p, 7, 9);
	decode_all(&dp, DLT_PPP_WITH_DIR, &p);
	CHECK(decoded(&dp, 6, 5, 7, 0), "DLT_PPP_WITH_DIR: IPv6 at 5");
	p.pk_len = 0;
	put_be16(&p, 0xc021);
	put_fill(&p, 0, 10);
	decode_all(&dp, DLT_PPP, &p);
	CHECK(not_ip(&dp, K(DECODE_KIND_PPP_OTHER)),
	    "DLT_PPP LCP: not IP, kind ppp-other");
}

static void
test_mpls(void)
{
	struct decode_pkt dp;
	struct pkt p;
	int i;

	start_ether(&p, 0x8847);
	put_label(&p, 16, 1);
	put_ipv4(&p, 28, 0, IPPROTO_UDP);
	put_ports(&p, 7, 9);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(decoded(&dp, 4, 18, 7, K(DECODE_KIND_MPLS)),
	    "MPLS, one label, IPv4: at 18, kind mpls");
	CHECK_U64(sweep(DLT_EN10MB, &p, 38, 42, "mpls"), 0,
	    "MPLS IPv4 cut at every byte");

	start_ether(&p, 0x8100);
	put_be16(&p, 5);
	put_be16(&p, 0x8848);
	put_label(&p, 1000, 0);
	put_label(&p, 2000, 0);
	put_label(&p, 3000, 1);
	put_ipv6(&p, 8, IPPROTO_UDP);
	put_ports(&p, 7, 9);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(decoded(&dp, 6, 30, 7, K(DECODE_KIND_VLAN) |
	    K(DECODE_KIND_MPLS)),
	    "MPLS multicast behind a tag, three labels, IPv6 by its nibble");

	start_ether(&p, 0x8847);
	put_label(&p, 16, 1);
	put_be32(&p, 0);		/* pseudowire control word */
	put_fill(&p, 0x45, 40);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(not_ip(&dp, K(DECODE_KIND_MPLS) | K(DECODE_KIND_MPLS_OTHER)),
	    "MPLS with a pseudowire control word: not IP, kind mpls-other");

	start_ether(&p, 0x8847);
	for (i = 1; i < DECODE_MAX_MPLS_LABELS; i++)
		put_label(&p, 16 + (unsigned)i, 0);
	put_label(&p, 3, 1);
	put_ipv4(&p, 28, 0, IPPROTO_UDP);
	put_ports(&p, 7, 9);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(decoded(&dp, 4, 14 + 4 * DECODE_MAX_MPLS_LABELS, 7,
	    K(DECODE_KIND_MPLS)), "MPLS with %d labels: decoded",
	    DECODE_MAX_MPLS_LABELS);
	start_ether(&p, 0x8847);
	for (i = 0; i < DECODE_MAX_MPLS_LABELS; i++)
		put_label(&p, 16 + (unsigned)i, 0);
	put_label(&p, 3, 1);
	put_ipv4(&p, 28, 0, IPPROTO_UDP);
	CHECK_U64(decode_all(&dp, DLT_EN10MB, &p), DECODE_TOO_MANY_VLANS,
	    "MPLS with one label more: too many tags or labels");
	start_ether(&p, 0x8847);
	put_label(&p, 16, 0);
	put_label(&p, 17, 0);
	CHECK_U64(decode_all(&dp, DLT_EN10MB, &p), DECODE_TRUNCATED,
	    "MPLS stack cut before its bottom: truncated");

	/* PPP protocol 0x0281 (RFC 3032 4.3) and PPPoE to MPLS. */
	p.pk_len = 0;
	put_be16(&p, 0x0281);
	put_label(&p, 16, 1);
	put_ipv4(&p, 28, 0, IPPROTO_UDP);
	put_ports(&p, 7, 9);
	decode_all(&dp, DLT_PPP, &p);
	CHECK(decoded(&dp, 4, 6, 7, K(DECODE_KIND_MPLS)),
	    "DLT_PPP protocol 0x0281: MPLS, then IPv4");
	start_ether(&p, 0x8864);
	put_pppoe(&p, 0, 36, 0x0281);
	put_label(&p, 16, 1);
	put_ipv4(&p, 28, 0, IPPROTO_UDP);
	put_ports(&p, 7, 9);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(decoded(&dp, 4, 26, 7, K(DECODE_KIND_PPPOE) |
	    K(DECODE_KIND_MPLS)), "PPPoE carrying MPLS carrying IPv4");
}

static void
test_nflog(void)
{
	struct decode_pkt dp;
	struct pkt p;
	size_t off;

	start_nflog(&p, 2, 28);
	off = p.pk_len;
	put_ipv4(&p, 28, 0, IPPROTO_UDP);
	put_ports(&p, 7, 9);
	decode_all(&dp, DLT_NFLOG, &p);
	CHECK(decoded(&dp, 4, off, 7, 0) && dp.dp_wire_len == 28,
	    "NFLOG AF_INET: the payload TLV's IPv4 at %zu, volume its "
	    "length 28 (not the record's %zu)", off, p.pk_len);
	CHECK_U64(sweep(DLT_NFLOG, &p, off + 20, off + 24, "nflog"), 0,
	    "NFLOG cut at every byte");

	/* The kernel cut the payload to its copy range: the IP length is
	 * the volume. */
	start_nflog(&p, 10, 48);
	off = p.pk_len;
	put_ipv6(&p, 1452, IPPROTO_UDP);
	put_ports(&p, 7, 9);
	decode_all(&dp, DLT_NFLOG, &p);
	CHECK(decoded(&dp, 6, off, 7, 0) && dp.dp_wire_len == 1492,
	    "NFLOG AF_INET6 with the payload cut: volume 1492 from the "
	    "IPv6 payload length (got %u)", dp.dp_wire_len);

	start_nflog(&p, 2, 28);
	put_ipv4(&p, 0, 0, IPPROTO_UDP);
	put_ports(&p, 7, 9);
	decode_all(&dp, DLT_NFLOG, &p);
	CHECK(dp.dp_result == DECODE_OK && dp.dp_wire_len == 28,
	    "NFLOG IPv4 with length 0 (TSO): volume the payload's 28 bytes");

	start_nflog(&p, 7, 28);
	put_ipv4(&p, 28, 0, IPPROTO_UDP);
	decode_all(&dp, DLT_NFLOG, &p);
	CHECK(not_ip(&dp, K(DECODE_KIND_OTHER_FAMILY)),
	    "NFLOG AF_BRIDGE: not IP, kind other-family");

	p.pk_len = 0;
	put_be32(&p, 0x02000005);
	put_host16(&p, 2);
	put_host16(&p, 1);
	put_fill(&p, 0, 32);
	CHECK_U64(decode_all(&dp, DLT_NFLOG, &p), DECODE_BAD_HEADER_LENGTH,
	    "NFLOG TLV shorter than its own header: bad header length");

	p.pk_len = 0;
	put_be32(&p, 0x02000005);
	put_tlv(&p, 1, "abcd", 4);
	put_tlv(&p, 3, "0123456789abcdef", 16);
	CHECK_U64(decode_all(&dp, DLT_NFLOG, &p), DECODE_TRUNCATED,
	    "NFLOG without a payload TLV: truncated");

	/* A TLV whose length runs past caplen. */
	p.pk_len = 0;
	put_be32(&p, 0x02000005);
	put_host16(&p, 60000);
	put_host16(&p, 1);
	put_fill(&p, 0, 40);
	CHECK_U64(decode_all(&dp, DLT_NFLOG, &p), DECODE_TRUNCATED,
	    "NFLOG TLV longer than the record: truncated, nothing read past");
}

static void
test_tunnels(void)
{
	static const struct {
		unsigned	proto, dport;
		uint32_t	kinds;
		const char	*what;
	} cases[] = {
		{ IPPROTO_GRE, 0, K(DECODE_KIND_GRE), "GRE" },
		{ IPPROTO_IPIP, 0, K(DECODE_KIND_IPIP), "IP-in-IP" },
		{ IPPROTO_IPV6, 0, K(DECODE_KIND_6IN4), "6in4" },
		{ IPPROTO_UDP, 4789, K(DECODE_KIND_VXLAN), "VXLAN" },
		{ IPPROTO_UDP, 4790, 0, "UDP to 4790" },
		{ IPPROTO_TCP, 4789, 0, "TCP to 4789" },
	};
	struct decode_pkt dp;
	struct pkt p;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		start_ether(&p, 0x0800);
		put_ipv4(&p, 48, 0, cases[i].proto);
		put_ports(&p, 4789 + 1000, cases[i].dport);
		put_fill(&p, 0x45, 20);
		decode_all(&dp, DLT_EN10MB, &p);
		CHECK(dp.dp_result == DECODE_OK && dp.dp_kinds ==
		    cases[i].kinds && memcmp(dp.dp_src, v4_src, 4) == 0,
		    "IPv4 %s: counted under the outer header, kinds %#x",
		    cases[i].what, cases[i].kinds);
	}
	start_ether(&p, 0x86dd);
	put_ipv6(&p, 40, IPPROTO_IPV6);
	put_ipv6(&p, 0, 59);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(decoded(&dp, 6, 14, 0, K(DECODE_KIND_6IN4)),
	    "IPv6 in IPv6 (protocol 41): the outer addresses, kind 6in4");
	start_ether(&p, 0x0800);
	put_ipv4(&p, 48, 100, IPPROTO_GRE);
	put_fill(&p, 0, 28);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(dp.dp_result == DECODE_OK && dp.dp_kinds == K(DECODE_KIND_GRE),
	    "a later fragment of GRE: kind gre");
	start_ether(&p, 0x0800);
	put_ipv4(&p, 48, 0, IPPROTO_TCP);
	put_ports(&p, 7, 9);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(decoded(&dp, 4, 14, 7, 0),
	    "plain TCP over Ethernet: no kind at all");
}

static void
test_not_ip(void)
{
	static const struct {
		unsigned	etype;
		unsigned	kind;
	} cases[] = {
		{ 0x0806, DECODE_KIND_ARP }, { 0x8035, DECODE_KIND_ARP },
		{ 0x88cc, DECODE_KIND_LLDP }, { 0x0026, DECODE_KIND_LLC },
		{ 0x05dc, DECODE_KIND_LLC }, { 0x0000, DECODE_KIND_LLC },
		{ 0x8863, DECODE_KIND_PPPOE_DISCOVERY },
		{ 0x88b5, DECODE_KIND_OTHER_ETHERTYPE },
		{ 0x0600, DECODE_KIND_OTHER_ETHERTYPE },
		{ 0xffff, DECODE_KIND_OTHER_ETHERTYPE },
	};
	struct decode_pkt dp;
	struct pkt p;
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		start_ether(&p, cases[i].etype);
		put_fill(&p, 0x45, 46);
		decode_all(&dp, DLT_EN10MB, &p);
		if (!not_ip(&dp, K(cases[i].kind)) && bad++ == 0)
			printf("# ethertype %#x\n", cases[i].etype);
	}
	CHECK_U64(bad, 0, "ARP, RARP, LLDP, 802.3 lengths, PPPoE discovery, "
	    "other ethertypes: not IP, each its kind");
	start_ether(&p, 0x8100);
	put_be16(&p, 7);
	put_be16(&p, 0x0806);
	put_fill(&p, 0, 28);
	decode_all(&dp, DLT_EN10MB, &p);
	CHECK(not_ip(&dp, K(DECODE_KIND_VLAN) | K(DECODE_KIND_ARP)),
	    "tagged ARP: kinds vlan and arp");
	p.pk_len = 0;
	put_be32(&p, 7);
	put_fill(&p, 0x45, 20);
	decode_all(&dp, DLT_LOOP, &p);
	CHECK(not_ip(&dp, K(DECODE_KIND_OTHER_FAMILY)),
	    "DLT_LOOP family 7: kind other-family");
}

static void
test_kind_names(void)
{
	int k, s, distinct = 1;

	for (k = 0; k < DECODE_NKINDS; k++) {
		for (s = 0; s < k; s++)
			if (strcmp(decode_kind_name(k), decode_kind_name(s)) == 0)
				distinct = 0;
		if (strcmp(decode_kind_name(k), "unknown") == 0)
			distinct = 0;
	}
	CHECK(distinct, "every kind has its own name");
	CHECK(strcmp(decode_kind_name(DECODE_KIND_PPPOE), "pppoe") == 0 &&
	    strcmp(decode_kind_name(DECODE_NKINDS), "unknown") == 0,
	    "kind names: pppoe, and unknown out of range");
	CHECK(DECODE_NKINDS <= 32, "every kind fits dp_kinds' 32 bits");
}

int
main(void)
{
	test_pppoe();
	test_mpls();
	test_nflog();
	test_tunnels();
	test_not_ip();
	test_kind_names();
	return check_done();
}
