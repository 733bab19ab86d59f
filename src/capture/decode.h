/*
 * decode: one captured packet to the few header fields a session needs.
 *
 * decode_packet() takes the link type (as pcap_datalink() gives it), the
 * captured bytes and both lengths, and fills a small flat struct: IP
 * version, the two addresses, the protocol after any IPv6 extension
 * headers, the ports when the transport has them, and the on-wire length.
 * The packet is treated as any sequence of octets: it is read only through
 * a bounds-checked cursor (cursor.h), never past caplen, never by casting
 * it to a struct.  Nothing is allocated and nothing is kept between calls.
 *
 * Link types: EN10MB (802.1Q 0x8100, 802.1ad 0x88a8 and 0x9100 tags, up to
 * DECODE_MAX_VLANS deep), LINUX_SLL, LINUX_SLL2 (both with tags after them),
 * RAW (12 and LINKTYPE_RAW 101), IPV4, IPV6, NULL (family in the capturing
 * host's byte order, either accepted), LOOP (network order), PPP,
 * PPP_SERIAL, PPP_WITH_DIR, C_HDLC, PPP_ETHER (a PPPoE header without
 * Ethernet) and NFLOG (Linux nflog: the IP packet in the payload TLV).
 * After any Ethernet-style header: PPPoE sessions (0x8864) and MPLS label
 * stacks (0x8847, 0x8848), also behind tags.
 *
 * Each packet also says what it passed through or what it was
 * (dp_kinds, DECODE_KIND_*), so a capture can count per kind what a link
 * carries.  Tunnels are not entered: a GRE, IP-in-IP, 6in4 or VXLAN
 * packet is counted under its outer header, and only its kind is noted.
 */
#ifndef DECODE_H
#define DECODE_H

#include <stdint.h>

#define DECODE_MAX_VLANS	8	/* deeper stacks: DECODE_TOO_MANY_VLANS */
#define DECODE_MAX_EXT_HEADERS	8	/* IPv6; more: DECODE_F_EXT_LIMIT */
#define DECODE_MAX_MPLS_LABELS	16	/* deeper: DECODE_TOO_MANY_VLANS */

/*
 * Why a packet was or was not decoded.  Only DECODE_OK carries addresses;
 * a capture counts every other code by name, and only DECODE_NOT_IP is a
 * normal condition rather than an error.
 */
enum decode_result {
	DECODE_OK = 0,
	DECODE_NOT_IP,			/* ARP, LLDP, 802.3 LLC, PPP LCP... */
	DECODE_TRUNCATED,		/* caplen ends before the IP addresses */
	DECODE_BAD_VERSION,		/* IP version nibble not the one framed */
	DECODE_BAD_HEADER_LENGTH,	/* IPv4 IHL < 5, or total length < IHL
					   other than 0 (DECODE_F_NO_IP_LENGTH) */
	DECODE_UNSUPPORTED_LINK,	/* no longer given: a link type not
					   decoded is DECODE_NOT_IP of kind
					   DECODE_KIND_OTHER_LINKTYPE */
	DECODE_TOO_MANY_VLANS,		/* more than DECODE_MAX_VLANS tags, or
					   DECODE_MAX_MPLS_LABELS labels */
	DECODE_NRESULTS
};

/* dp_flags */
#define DECODE_F_PORTS		0x01	/* dp_sport/dp_dport were read */
#define DECODE_F_FRAGMENT	0x02	/* IPv4 MF or offset, IPv6 fragment header */
#define DECODE_F_LATER_FRAGMENT	0x04	/* fragment offset != 0: no ports in it */
#define DECODE_F_L4_TRUNCATED	0x08	/* ports or an IPv6 extension header cut
					   by caplen or by the IP length */
#define DECODE_F_EXT_LIMIT	0x10	/* IPv6 chain longer than the limit */
#define DECODE_F_NO_IP_LENGTH	0x20	/* IP length field 0: TSO/BIG TCP send or
					   jumbogram; read up to caplen */

/*
 * Kinds: bit k of dp_kinds is DECODE_KIND_* k.  A packet may have several
 * (VLAN, PPPoE, then GRE); at most one of the not-IP kinds, and then its
 * result is DECODE_NOT_IP.  The numbers are kept in cmCaptureKindIndex
 * (less one): append, never renumber.
 */
enum decode_kind {
	/* Link layers passed on the way to IP. */
	DECODE_KIND_VLAN = 0,		/* one or more 802.1Q/802.1ad tags */
	DECODE_KIND_PPPOE,		/* PPPoE session, RFC 2516 */
	DECODE_KIND_MPLS,		/* MPLS label stack, RFC 3032 */
	/* Tunnels: counted under the outer header, kind noted. */
	DECODE_KIND_GRE,		/* IP protocol 47 */
	DECODE_KIND_IPIP,		/* IP protocol 4: IPv4 inside IP */
	DECODE_KIND_6IN4,		/* IP protocol 41: IPv6 inside IP */
	DECODE_KIND_VXLAN,		/* UDP to port 4789, RFC 7348 */
	/* Not IP: what the frame was instead. */
	DECODE_KIND_ARP,		/* ARP and RARP */
	DECODE_KIND_LLDP,
	DECODE_KIND_LLC,		/* 802.3 length field: LLC, STP, CDP */
	DECODE_KIND_PPPOE_DISCOVERY,	/* 0x8863 */
	DECODE_KIND_PPP_OTHER,		/* PPP protocols other than IP and
					   MPLS: LCP, IPCP, CHAP, VJ-compressed
					   TCP... (any PPP link, PPPoE) */
	DECODE_KIND_MPLS_OTHER,		/* MPLS payload neither IPv4 nor IPv6 */
	DECODE_KIND_OTHER_ETHERTYPE,	/* any other ethertype */
	DECODE_KIND_OTHER_FAMILY,	/* NULL, LOOP or NFLOG family not IP */
	DECODE_KIND_OTHER_LINKTYPE,	/* a link type not decoded here (802.11,
					   Frame Relay...): every packet of the
					   source */
	DECODE_NKINDS
};

#define DECODE_KIND_FIRST_NOT_IP	DECODE_KIND_ARP

/*
 * One decoded packet.  dp_result, dp_wire_len, dp_vlans and dp_kinds are
 * always set.
 * The rest is meaningful only when dp_result is DECODE_OK; after any other
 * result it may hold what was read before decoding stopped.
 */
struct decode_pkt {
	uint8_t		dp_src[16];	/* network order; IPv4 uses the first 4 */
	uint8_t		dp_dst[16];	/* bytes, the other 12 are zero */
	uint32_t	dp_wire_len;	/* pcap len: the volume of the packet;
					   for NFLOG, the IP length (the pcap
					   length counts the log's metadata) */
	uint32_t	dp_kinds;	/* bits of enum decode_kind */
	uint32_t	dp_ip_offset;	/* where the IP header starts */
	uint16_t	dp_sport;	/* host order; 0 without DECODE_F_PORTS */
	uint16_t	dp_dport;
	uint16_t	dp_flags;	/* DECODE_F_* */
	uint8_t		dp_ipver;	/* 4 or 6 */
	uint8_t		dp_family;	/* AF_INET or AF_INET6 */
	uint8_t		dp_proto;	/* IANA protocol number, see below */
	uint8_t		dp_vlans;	/* 802.1Q/802.1ad tags passed */
	uint8_t		dp_result;	/* enum decode_result */
};

/*
 * Decodes one packet of caplen captured bytes (wire_len on the wire) into
 * *dp and returns dp->dp_result.  Reads pkt[0 .. caplen) and nothing else.
 *
 * dp_proto is the protocol after the IPv6 extension headers (hop-by-hop,
 * routing, fragment, destination options, AH); No Next Header gives 59.
 * When the chain is cut (DECODE_F_L4_TRUNCATED) or too long
 * (DECODE_F_EXT_LIMIT), it is the header where decoding stopped.
 *
 * Ports are read for TCP, UDP, SCTP, DCCP and UDP-Lite, in the first
 * fragment only.  ICMP and ICMPv6 have none (ports 0, no DECODE_F_PORTS).
 * A packet whose addresses were read is DECODE_OK even when its ports are
 * beyond caplen (DECODE_F_L4_TRUNCATED), so its volume is still counted.
 */
enum decode_result decode_packet(struct decode_pkt *dp, int linktype,
	    const uint8_t *pkt, uint32_t caplen, uint32_t wire_len);

/* 1 if decode_packet() knows the link type, else 0. */
int	decode_linktype_supported(int linktype);

/* "ok", "not IP", "truncated", ...; "unknown" for a value out of range. */
const char *decode_result_name(enum decode_result);

/* "vlan", "pppoe", "gre", "arp", ...; "unknown" out of range. */
const char *decode_kind_name(enum decode_kind);

#endif
