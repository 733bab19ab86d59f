/*
 * mklinks: small deterministic captures of the link layers of issue 15,
 * for tests/integration/linklayers.sh, which compares what coremond
 * counts in them with what tshark decodes (an independent reading of
 * the same bytes).  Every field is written byte by byte.
 *
 *   mklinks ether FILE	Ethernet: PPPoE sessions (plain, behind 802.1Q,
 *			behind 802.1ad + 802.1Q, IPv4 and IPv6, LCP),
 *			PPPoE discovery, MPLS stacks of 1-3 labels (IPv4,
 *			IPv6, behind a tag), GRE, IP-in-IP, 6in4,
 *			VXLAN, ARP, LLDP and an unknown ethertype
 *   mklinks nflog FILE	DLT_NFLOG records, IPv4 and IPv6, the kernel's
 *			metadata TLVs before the payload
 *   mklinks pppoe FILE	DLT_PPP_ETHER (a PPPoE header, no Ethernet)
 *
 * Local hosts are 10.9.0.0/24 and fd00:9::/64; remote hosts
 * 198.51.100.0/24 and 2001:db8:9::/64.  Frames carry their real IP
 * length (payload bytes of 0x5a), one second apart from 2023-11-14
 * 22:13:20 UTC, in one day.  Prints how many packets it wrote.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/pkt.h"

#define LT_EN10MB	1
#define LT_PPP_ETHER	51
#define LT_NFLOG	239
#define T0		1700000000u

static FILE	*out;
static uint32_t	 npackets;

static void
write_le32(uint32_t v)
{
	uint8_t b[4] = { v, v >> 8, v >> 16, v >> 24 };

	fwrite(b, 1, 4, out);
}

static void
write_header(uint32_t linktype)
{
	write_le32(0xa1b2c3d4);
	fputc(2, out); fputc(0, out); fputc(4, out); fputc(0, out);
	write_le32(0);
	write_le32(0);
	write_le32(65535);
	write_le32(linktype);
}

static void
write_frame(const struct pkt *f)
{
	write_le32(T0 + npackets);
	write_le32(0);
	write_le32((uint32_t)f->pk_len);
	write_le32((uint32_t)f->pk_len);
	fwrite(f->pk_b, 1, f->pk_len, out);
	npackets++;
}

static void
start_ether(struct pkt *f, const unsigned *tags, size_t ntags,
    unsigned etype)
{
	size_t i;

	f->pk_len = 0;
	put_be32(f, 0x02000000);
	put_be16(f, 0x0001);
	put_be32(f, 0x02000000);
	put_be16(f, 0x0002);
	for (i = 0; i < ntags; i++) {
		put_be16(f, tags[i]);
		put_be16(f, 100 + (unsigned)i);
	}
	put_be16(f, etype);
}

/* An IPv4 header (local host l, remote host r; out = local to remote)
 * announcing plen bytes after it. */
static void
put_ipv4_header(struct pkt *f, unsigned l, unsigned r, int out_,
    unsigned proto, size_t plen)
{
	uint32_t a = 0x0a090000u | l, b = 0xc6336400u | r;

	put_be16(f, 0x4500);
	put_be16(f, (unsigned)(20 + plen));
	put_be32(f, 0x00014000);
	put_u8(f, 64);
	put_u8(f, proto);
	put_be16(f, 0);
	put_be32(f, out_ ? a : b);
	put_be32(f, out_ ? b : a);
}

/* The same, then a transport of plen bytes: ports when it has them. */
static void
put_ipv4(struct pkt *f, unsigned l, unsigned r, int out_, unsigned proto,
    unsigned sport, unsigned dport, size_t plen)
{
	put_ipv4_header(f, l, r, out_, proto, plen);
	if (proto == 6 || proto == 17) {
		put_be16(f, sport);
		put_be16(f, dport);
		plen -= 4;
	}
	put_fill(f, 0x5a, plen);
}

static void
put_ipv6(struct pkt *f, unsigned l, unsigned r, int out_, unsigned next,
    unsigned sport, unsigned dport, size_t plen)
{
	static const uint8_t lp[8] = { 0xfd, 0, 0, 9 };
	static const uint8_t rp[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 9 };
	int i, k;

	put_be32(f, 0x60000000);
	put_be16(f, (unsigned)plen);
	put_u8(f, next);
	put_u8(f, 64);
	for (k = 0; k < 2; k++) {
		int local = (k == 0) == (out_ != 0);

		for (i = 0; i < 8; i++)
			put_u8(f, local ? lp[i] : rp[i]);
		put_be32(f, 0);
		put_be32(f, local ? l : r);
	}
	if (next == 6 || next == 17) {
		put_be16(f, sport);
		put_be16(f, dport);
		plen -= 4;
	}
	put_fill(f, 0x5a, plen);
}

static void
put_pppoe(struct pkt *f, unsigned proto, size_t ip_len)
{
	put_u8(f, 0x11);
	put_u8(f, 0);
	put_be16(f, 0x0042);
	put_be16(f, (unsigned)(ip_len + 2));
	put_be16(f, proto);
}

static void
mk_ether(void)
{
	static const unsigned q[] = { 0x8100 }, qinq[] = { 0x88a8, 0x8100 };
	struct pkt f;
	unsigned i;

	write_header(LT_EN10MB);
	for (i = 0; i < 12; i++) {
		size_t n = 40 + 97 * i;

		/* PPPoE, IPv4 TCP to www, both ways, plain or tagged. */
		start_ether(&f, i % 3 == 0 ? NULL : i % 3 == 1 ? q : qinq,
		    i % 3, 0x8864);
		put_pppoe(&f, 0x0021, 20 + n);
		put_ipv4(&f, 1, 1 + i % 2, i % 2, 6, i % 2 ? 40000 : 80,
		    i % 2 ? 80 : 40000, n);
		write_frame(&f);
		/* PPPoE, IPv6 UDP to dns. */
		start_ether(&f, i % 2 ? q : NULL, i % 2, 0x8864);
		put_pppoe(&f, 0x0057, 40 + n);
		put_ipv6(&f, 1, 7, 1, 17, 50000 + i, 53, n);
		write_frame(&f);
		/* MPLS: 1 to 3 labels, IPv4 or IPv6 by the nibble. */
		start_ether(&f, i % 4 == 3 ? q : NULL, i % 4 == 3,
		    i % 5 == 4 ? 0x8848 : 0x8847);
		for (unsigned k = 0; k <= i % 3; k++)
			put_be32(&f, (16 + k) << 12 | (k == i % 3 ? 0x100 :
			    0) | 64);
		if (i % 2)
			put_ipv6(&f, 2, 8, 0, 6, 443, 41000 + i, n);
		else
			put_ipv4(&f, 2, 3, 0, 6, 443, 41000 + i, n);
		write_frame(&f);
	}
	/* Tunnels, counted under their outer header; the inner packets
	 * are between other hosts. */
	for (i = 0; i < 3; i++) {
		size_t n = 8 + 40 * i;

		start_ether(&f, NULL, 0, 0x0800);	/* GRE, RFC 2784 */
		put_ipv4_header(&f, 3, 4, 1, 47, 4 + 20 + n);
		put_be16(&f, 0);
		put_be16(&f, 0x0800);
		put_ipv4(&f, 20, 21, 1, 17, 1000, 2000, n);
		write_frame(&f);
		start_ether(&f, NULL, 0, 0x0800);	/* IP-in-IP */
		put_ipv4_header(&f, 3, 5, 0, 4, 20 + n);
		put_ipv4(&f, 22, 23, 0, 6, 3000, 4000, n);
		write_frame(&f);
		start_ether(&f, NULL, 0, 0x0800);	/* 6in4 */
		put_ipv4_header(&f, 3, 6, 1, 41, 40 + n);
		put_ipv6(&f, 24, 25, 1, 17, 5000, 6000, n);
		write_frame(&f);
		start_ether(&f, NULL, 0, 0x0800);	/* VXLAN */
		put_ipv4_header(&f, 4, 6, 1, 17, 8 + 8 + 14 + 20 + n);
		put_be16(&f, 33000 + i);
		put_be16(&f, 4789);
		put_be16(&f, (unsigned)(8 + 8 + 14 + 20 + n));
		put_be16(&f, 0);
		put_be32(&f, 0x08000000);
		put_be32(&f, 0x00123400);
		put_be32(&f, 0x02000000);
		put_be16(&f, 0x0003);
		put_be32(&f, 0x02000000);
		put_be16(&f, 0x0004);
		put_be16(&f, 0x0800);
		put_ipv4(&f, 26, 27, 1, 17, 7000, 8000, n);
		write_frame(&f);
	}
	/* Not IP. */
	start_ether(&f, NULL, 0, 0x0806);
	put_fill(&f, 0, 28);
	write_frame(&f);
	start_ether(&f, q, 1, 0x0806);
	put_fill(&f, 0, 28);
	write_frame(&f);
	start_ether(&f, NULL, 0, 0x88cc);
	put_fill(&f, 0, 46);
	write_frame(&f);
	start_ether(&f, NULL, 0, 0x8863);
	put_be32(&f, 0x11090000);
	put_be16(&f, 0);
	put_fill(&f, 0, 40);
	write_frame(&f);
	start_ether(&f, NULL, 0, 0x8864);
	put_pppoe(&f, 0xc021, 10);
	put_fill(&f, 1, 8);
	write_frame(&f);
	start_ether(&f, NULL, 0, 0x88b5);
	put_fill(&f, 0x5a, 50);
	write_frame(&f);
}

/* A TLV padded to 4 bytes, length and type little-endian: the writing
 * host's order for NFLOG; libpcap swaps files written the other way. */
static void
put_tlv(struct pkt *f, unsigned type, size_t n, unsigned fill)
{
	put_le16(f, (unsigned)(n + 4));
	put_le16(f, type);
	put_fill(f, fill, n);
	while (f->pk_len % 4 != 0)
		put_u8(f, 0);
}

static void
mk_nflog(void)
{
	struct pkt f;
	unsigned i;

	write_header(LT_NFLOG);
	for (i = 0; i < 16; i++) {
		size_t n = 30 + 61 * i;
		int v6 = i % 3 == 2;

		f.pk_len = 0;
		put_u8(&f, v6 ? 10 : 2);
		put_u8(&f, 0);
		put_be16(&f, 7);
		put_tlv(&f, 1, 4, 0);		/* packet header */
		put_tlv(&f, 10, 3 + i % 4, 'a');	/* prefix */
		put_tlv(&f, 5, 4, 0);		/* outdev */
		put_tlv(&f, 11, 4, 0);		/* uid */
		put_le16(&f, (unsigned)((v6 ? 40 : 20) + n + 4));
		put_le16(&f, 9);		/* payload */
		if (v6)
			put_ipv6(&f, 5, 9, i % 2, 17, 53000, 53, n);
		else
			put_ipv4(&f, 5, 9 + i % 2, i % 2, 6, 45000 + i, 22, n);
		while (f.pk_len % 4 != 0)
			put_u8(&f, 0);
		write_frame(&f);
	}
}

static void
mk_ppp_ether(void)
{
	struct pkt f;
	unsigned i;

	write_header(LT_PPP_ETHER);
	for (i = 0; i < 10; i++) {
		size_t n = 36 + 50 * i;

		f.pk_len = 0;
		if (i % 2) {
			put_pppoe(&f, 0x0057, 40 + n);
			put_ipv6(&f, 6, 11, 0, 6, 443, 50000, n);
		} else {
			put_pppoe(&f, 0x0021, 20 + n);
			put_ipv4(&f, 6, 12, 1, 17, 51000, 123, n);
		}
		write_frame(&f);
	}
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: mklinks ether|nflog|pppoe FILE\n");
		return 2;
	}
	if ((out = fopen(argv[2], "wb")) == NULL) {
		perror(argv[2]);
		return 1;
	}
	if (strcmp(argv[1], "ether") == 0)
		mk_ether();
	else if (strcmp(argv[1], "nflog") == 0)
		mk_nflog();
	else if (strcmp(argv[1], "pppoe") == 0)
		mk_ppp_ether();
	else {
		fprintf(stderr, "mklinks: unknown kind %s\n", argv[1]);
		return 2;
	}
	if (fclose(out) != 0) {
		perror(argv[2]);
		return 1;
	}
	printf("%u packets\n", npackets);
	return 0;
}
