/*
 * decode: link layer, VLAN tags, IPv4/IPv6 and the first four bytes of the
 * transport header, each read through a cursor (cursor.h).
 *
 * One exported call a packet; every helper is static so the compiler folds
 * them into decode_packet().  The link type is a switch, nothing is looked
 * up or allocated.
 */
#include <sys/socket.h>		/* AF_INET, AF_INET6 */
#include <netinet/in.h>		/* IPPROTO_* */
#include <string.h>

#include <pcap/dlt.h>

#include "capture/decode.h"
#include "lib/cursor.h"

/* pcap_datalink() maps LINKTYPE_RAW to DLT_RAW, but a caller that passes
 * the file's own link type gives 101. */
#define DECODE_LINKTYPE_RAW	101

#define ETYPE_IPV4		0x0800
#define ETYPE_IPV6		0x86dd
#define ETYPE_8021Q		0x8100	/* IEEE 802.1Q customer tag */
#define ETYPE_8021AD		0x88a8	/* IEEE 802.1ad service tag */
#define ETYPE_QINQ_9100		0x9100	/* pre-802.1ad Q-in-Q, still seen */
#define ETYPE_ARP		0x0806
#define ETYPE_RARP		0x8035
#define ETYPE_LLDP		0x88cc
#define ETYPE_PPPOE_DISC	0x8863	/* RFC 2516 section 5 */
#define ETYPE_PPPOE_SESS	0x8864	/* RFC 2516 section 6 */
#define ETYPE_MPLS		0x8847	/* RFC 3032 section 5 */
#define ETYPE_MPLS_MC		0x8848
#define ETYPE_MAX_LENGTH	0x05dc	/* 1500: an 802.3 length, not a type */
/* Not an ethertype on the wire (below 0x0600): what a link header gives
 * when its own field said "not IP"; dp_kinds already says which kind. */
#define ETYPE_NONE		0x0000

/* PPPoE session header: version 1, type 1, code 0 (RFC 2516 section 4). */
#define PPPOE_VER_TYPE		0x11
#define PPPOE_CODE_SESSION	0x00

/* MPLS label stack entry, RFC 3032 section 2.1: the bottom-of-stack bit. */
#define MPLS_BOTTOM		0x00000100u

/* NFLOG: TLV headers are 4 bytes, values padded to 4 (NFA_ALIGN); the
 * type's top two bits are netlink flags (NLA_TYPE_MASK). */
#define NFLOG_TLV_HEADER	4
#define NFLOG_TLV_TYPE_MASK	0x3fff
#define NFULA_PAYLOAD_TYPE	9
#define LINUX_AF_INET		2
#define LINUX_AF_INET6		10

/* RFC 7348 section 5: the IANA port of VXLAN. */
#define VXLAN_PORT		4789

#define KIND(k)			(1u << (k))

/* BSD address families in DLT_NULL/DLT_LOOP headers; tcpdump's af.h. */
#define BSD_AF_INET		2
#define BSD_AF_INET6_LINUX	10
#define BSD_AF_INET6_BSD	24	/* NetBSD, OpenBSD, BSD/OS */
#define BSD_AF_INET6_FREEBSD	28
#define BSD_AF_INET6_DARWIN	30

/* PPP protocol numbers (RFC 1661 section 2, RFC 5072 section 3). */
#define PPP_PROTO_IPV4		0x0021
#define PPP_PROTO_IPV6		0x0057
#define PPP_PROTO_MPLS		0x0281	/* RFC 3032 section 4.3 */
#define PPP_PROTO_MPLS_MC	0x0283
#define PPP_ADDRESS		0xff	/* RFC 1662 section 3.1 */
#define PPP_CONTROL		0x03
#define CHDLC_UNICAST		0x0f
#define CHDLC_BROADCAST		0x8f

/* IPv4 flags and fragment offset field, RFC 791 section 3.1. */
#define IPV4_MF			0x2000
#define IPV4_OFFSET_MASK	0x1fff
/* IPv6 fragment header offset field, RFC 8200 section 4.5. */
#define IPV6_OFFSET_MASK	0xfff8

static enum decode_result decode_ipv4(struct decode_pkt *, struct cursor *);
static enum decode_result decode_ipv6(struct decode_pkt *, struct cursor *);

/* The transport protocols whose first four bytes are two ports. */
static inline int
proto_has_ports(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
	case IPPROTO_UDPLITE:
		return 1;
	default:
		return 0;
	}
}

static inline void
decode_ports(struct decode_pkt *dp, struct cursor *c)
{
	uint16_t sport, dport;

	if (!proto_has_ports(dp->dp_proto))
		return;
	if (cursor_get_be16(c, &sport) == -1 ||
	    cursor_get_be16(c, &dport) == -1) {
		dp->dp_flags |= DECODE_F_L4_TRUNCATED;
		return;
	}
	dp->dp_sport = sport;
	dp->dp_dport = dport;
	dp->dp_flags |= DECODE_F_PORTS;
}

/* Tunnels stay counted under the outer header; only their kind is
 * noted (a later fragment has no ports, so no VXLAN). */
static inline void
note_tunnel(struct decode_pkt *dp)
{
	switch (dp->dp_proto) {
	case IPPROTO_GRE:
		dp->dp_kinds |= KIND(DECODE_KIND_GRE);
		break;
	case IPPROTO_IPIP:
		dp->dp_kinds |= KIND(DECODE_KIND_IPIP);
		break;
	case IPPROTO_IPV6:
		dp->dp_kinds |= KIND(DECODE_KIND_6IN4);
		break;
	case IPPROTO_UDP:
		if (dp->dp_dport == VXLAN_PORT &&
		    (dp->dp_flags & DECODE_F_PORTS))
			dp->dp_kinds |= KIND(DECODE_KIND_VXLAN);
		break;
	}
}

/* RFC 791 section 3.1. */
static enum decode_result
decode_ipv4(struct decode_pkt *dp, struct cursor *c)
{
	uint8_t vihl, proto;
	uint16_t total_len, frag;
	size_t hdr_len;

	dp->dp_ip_offset = (uint32_t)cursor_pos(c);
	if (cursor_peek_u8(c, &vihl) == -1)
		return DECODE_TRUNCATED;
	if (vihl >> 4 != 4)
		return DECODE_BAD_VERSION;
	dp->dp_ipver = 4;
	dp->dp_family = AF_INET;
	hdr_len = (size_t)(vihl & 0x0f) * 4;
	if (hdr_len < 20)
		return DECODE_BAD_HEADER_LENGTH;
	if (cursor_skip(c, 2) == -1 ||
	    cursor_get_be16(c, &total_len) == -1 ||
	    cursor_skip(c, 2) == -1 ||
	    cursor_get_be16(c, &frag) == -1 ||
	    cursor_skip(c, 1) == -1 ||
	    cursor_get_u8(c, &proto) == -1 ||
	    cursor_skip(c, 2) == -1 ||
	    cursor_get_bytes(c, dp->dp_src, 4) == -1 ||
	    cursor_get_bytes(c, dp->dp_dst, 4) == -1)
		return DECODE_TRUNCATED;
	/* Linux captures TSO and BIG TCP sends above 64 KB with length 0
	 * (tcpdump's print-ip.c guesses the same): the length is unknown,
	 * not short. */
	if (total_len == 0)
		dp->dp_flags |= DECODE_F_NO_IP_LENGTH;
	else if (total_len < hdr_len)
		return DECODE_BAD_HEADER_LENGTH;
	dp->dp_proto = proto;

	if (frag & (IPV4_MF | IPV4_OFFSET_MASK))
		dp->dp_flags |= DECODE_F_FRAGMENT;
	if (frag & IPV4_OFFSET_MASK) {
		dp->dp_flags |= DECODE_F_LATER_FRAGMENT;
		note_tunnel(dp);
		return DECODE_OK;
	}
	/* Bytes past total_len are link padding, not transport header. */
	if (total_len != 0)
		cursor_limit(c, total_len - 20);
	if (cursor_skip(c, hdr_len - 20) == -1) {
		if (proto_has_ports(proto))
			dp->dp_flags |= DECODE_F_L4_TRUNCATED;
		note_tunnel(dp);
		return DECODE_OK;
	}
	decode_ports(dp, c);
	note_tunnel(dp);
	return DECODE_OK;
}

static inline int
ipv6_is_ext_header(uint8_t next)
{
	switch (next) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_FRAGMENT:
	case IPPROTO_DSTOPTS:
	case IPPROTO_AH:
		return 1;
	default:
		return 0;
	}
}

/*
 * Steps over the extension header of type *next and sets *next to the one
 * after it; -1 (and *next unchanged) when the header is not all there.
 */
static inline int
ipv6_skip_ext_header(struct decode_pkt *dp, struct cursor *c, uint8_t *next)
{
	uint8_t nh, len;
	uint16_t offset;

	switch (*next) {
	case IPPROTO_FRAGMENT:		/* RFC 8200 4.5: always 8 bytes */
		if (cursor_get_u8(c, &nh) == -1 ||
		    cursor_skip(c, 1) == -1 ||
		    cursor_get_be16(c, &offset) == -1 ||
		    cursor_skip(c, 4) == -1)
			return -1;
		dp->dp_flags |= DECODE_F_FRAGMENT;
		if (offset & IPV6_OFFSET_MASK)
			dp->dp_flags |= DECODE_F_LATER_FRAGMENT;
		break;
	case IPPROTO_AH:		/* RFC 4302 2.2: 4-byte units, minus 2 */
		if (cursor_get_u8(c, &nh) == -1 ||
		    cursor_get_u8(c, &len) == -1 ||
		    cursor_skip(c, ((size_t)len + 2) * 4 - 2) == -1)
			return -1;
		break;
	default:			/* RFC 8200 4.3, 4.4, 4.6: 8-byte units
					   not counting the first 8 */
		if (cursor_get_u8(c, &nh) == -1 ||
		    cursor_get_u8(c, &len) == -1 ||
		    cursor_skip(c, (size_t)len * 8 + 6) == -1)
			return -1;
		break;
	}
	*next = nh;
	return 0;
}

/* RFC 8200 sections 3 and 4. */
static enum decode_result
decode_ipv6(struct decode_pkt *dp, struct cursor *c)
{
	uint8_t vtc, next;
	uint16_t payload_len;
	int n;

	dp->dp_ip_offset = (uint32_t)cursor_pos(c);
	if (cursor_peek_u8(c, &vtc) == -1)
		return DECODE_TRUNCATED;
	if (vtc >> 4 != 6)
		return DECODE_BAD_VERSION;
	dp->dp_ipver = 6;
	dp->dp_family = AF_INET6;
	if (cursor_skip(c, 4) == -1 ||
	    cursor_get_be16(c, &payload_len) == -1 ||
	    cursor_get_u8(c, &next) == -1 ||
	    cursor_skip(c, 1) == -1 ||
	    cursor_get_bytes(c, dp->dp_src, 16) == -1 ||
	    cursor_get_bytes(c, dp->dp_dst, 16) == -1)
		return DECODE_TRUNCATED;
	/* 0 is a jumbogram (RFC 2675) or a BIG TCP send: length unknown. */
	if (payload_len == 0)
		dp->dp_flags |= DECODE_F_NO_IP_LENGTH;
	else
		cursor_limit(c, payload_len);

	for (n = 0; ipv6_is_ext_header(next); n++) {
		if (n == DECODE_MAX_EXT_HEADERS) {
			dp->dp_flags |= DECODE_F_EXT_LIMIT;
			break;
		}
		if (ipv6_skip_ext_header(dp, c, &next) == -1) {
			dp->dp_flags |= DECODE_F_L4_TRUNCATED;
			break;
		}
		if (dp->dp_flags & DECODE_F_LATER_FRAGMENT)
			break;
	}
	dp->dp_proto = next;
	if ((dp->dp_flags & (DECODE_F_EXT_LIMIT | DECODE_F_L4_TRUNCATED |
	    DECODE_F_LATER_FRAGMENT)) == 0)
		decode_ports(dp, c);
	note_tunnel(dp);
	return DECODE_OK;
}

/* DLT_RAW: the version nibble says which IP it is. */
static inline enum decode_result
decode_ip_any(struct decode_pkt *dp, struct cursor *c)
{
	uint8_t v;

	if (cursor_peek_u8(c, &v) == -1)
		return DECODE_TRUNCATED;
	switch (v >> 4) {
	case 4:
		return decode_ipv4(dp, c);
	case 6:
		return decode_ipv6(dp, c);
	default:
		return DECODE_BAD_VERSION;
	}
}

/* The kind of a frame whose ethertype is none we follow. */
static inline unsigned
ethertype_kind(uint16_t etype)
{
	if (etype <= ETYPE_MAX_LENGTH)
		return DECODE_KIND_LLC;
	switch (etype) {
	case ETYPE_ARP:
	case ETYPE_RARP:
		return DECODE_KIND_ARP;
	case ETYPE_LLDP:
		return DECODE_KIND_LLDP;
	case ETYPE_PPPOE_DISC:
		return DECODE_KIND_PPPOE_DISCOVERY;
	default:
		return DECODE_KIND_OTHER_ETHERTYPE;
	}
}

#define KINDS_NOT_IP	(~0u << DECODE_KIND_FIRST_NOT_IP)

/* The end of every path that is not IP: a link header that said so has
 * set its kind already (and gave ETYPE_NONE); else the ethertype says. */
static inline enum decode_result
not_ip(struct decode_pkt *dp, uint16_t etype)
{
	if ((dp->dp_kinds & KINDS_NOT_IP) == 0)
		dp->dp_kinds |= KIND(ethertype_kind(etype));
	return DECODE_NOT_IP;
}

/* The PPP protocol field: two bytes, or one when it was compressed
 * (RFC 1661 section 6.5: an odd first byte). */
static inline int
ppp_get_proto(struct cursor *c, uint16_t *proto)
{
	uint8_t b;

	if (cursor_peek_u8(c, &b) == -1)
		return -1;
	if (b & 1) {
		if (cursor_get_u8(c, &b) == -1)
			return -1;
		*proto = b;
		return 0;
	}
	return cursor_get_be16(c, proto);
}

static inline uint16_t
ppp_proto_to_etype(struct decode_pkt *dp, uint16_t proto)
{
	switch (proto) {
	case PPP_PROTO_IPV4:
		return ETYPE_IPV4;
	case PPP_PROTO_IPV6:
		return ETYPE_IPV6;
	case PPP_PROTO_MPLS:
		return ETYPE_MPLS;
	case PPP_PROTO_MPLS_MC:
		return ETYPE_MPLS_MC;
	default:			/* LCP, IPCP, compressed TCP... */
		dp->dp_kinds |= KIND(DECODE_KIND_PPP_OTHER);
		return ETYPE_NONE;
	}
}

/*
 * PPPoE session stage, RFC 2516 sections 4 and 6: version and type (1,
 * 1), code 0, session id, length, then the PPP protocol.  The length is
 * not used to cut the payload: the IP length does that, as for Ethernet.
 */
static inline int
link_pppoe(struct decode_pkt *dp, struct cursor *c, uint16_t *etype)
{
	uint8_t vt, code;
	uint16_t proto;

	if (cursor_get_u8(c, &vt) == -1 || cursor_get_u8(c, &code) == -1 ||
	    cursor_skip(c, 4) == -1)
		return -1;
	dp->dp_kinds |= KIND(DECODE_KIND_PPPOE);
	if (vt != PPPOE_VER_TYPE || code != PPPOE_CODE_SESSION) {
		dp->dp_kinds |= KIND(DECODE_KIND_PPP_OTHER);
		*etype = ETYPE_NONE;
		return 0;
	}
	if (ppp_get_proto(c, &proto) == -1)
		return -1;
	*etype = ppp_proto_to_etype(dp, proto);
	return 0;
}

/*
 * MPLS, RFC 3032 section 2.1: label stack entries down to the one with
 * the bottom-of-stack bit.  Nothing after it names the payload, so its
 * first nibble does, as tshark and tcpdump guess: 4 IPv4, 6 IPv6; else
 * not IP (a pseudowire's control word starts with 0).
 */
static enum decode_result
decode_mpls(struct decode_pkt *dp, struct cursor *c)
{
	uint32_t entry;
	uint8_t v;
	int n;

	dp->dp_kinds |= KIND(DECODE_KIND_MPLS);
	for (n = 0;; n++) {
		if (n == DECODE_MAX_MPLS_LABELS)
			return DECODE_TOO_MANY_VLANS;
		if (cursor_get_be32(c, &entry) == -1)
			return DECODE_TRUNCATED;
		if (entry & MPLS_BOTTOM)
			break;
	}
	if (cursor_peek_u8(c, &v) == -1)
		return DECODE_TRUNCATED;
	switch (v >> 4) {
	case 4:
		return decode_ipv4(dp, c);
	case 6:
		return decode_ipv6(dp, c);
	default:
		dp->dp_kinds |= KIND(DECODE_KIND_MPLS_OTHER);
		return DECODE_NOT_IP;
	}
}

/*
 * Decodes what an ethertype announces.  Each round passes one layer:
 * VLAN tags (IEEE 802.1Q 9.3: TCI, then the next type), at most
 * DECODE_MAX_VLANS; a PPPoE session header, whose PPP protocol maps only
 * to IP, MPLS or ETYPE_NONE, so it comes at most once; the loop ends.
 */
static enum decode_result
decode_ethertype(struct decode_pkt *dp, struct cursor *c, uint16_t etype)
{
	for (;;) {
		switch (etype) {
		case ETYPE_IPV4:
			return decode_ipv4(dp, c);
		case ETYPE_IPV6:
			return decode_ipv6(dp, c);
		case ETYPE_8021Q:
		case ETYPE_8021AD:
		case ETYPE_QINQ_9100:
			if (dp->dp_vlans == DECODE_MAX_VLANS)
				return DECODE_TOO_MANY_VLANS;
			if (cursor_skip(c, 2) == -1 ||
			    cursor_get_be16(c, &etype) == -1)
				return DECODE_TRUNCATED;
			dp->dp_vlans++;
			dp->dp_kinds |= KIND(DECODE_KIND_VLAN);
			break;
		case ETYPE_PPPOE_SESS:
			if (link_pppoe(dp, c, &etype) == -1)
				return DECODE_TRUNCATED;
			break;
		case ETYPE_MPLS:
		case ETYPE_MPLS_MC:
			return decode_mpls(dp, c);
		default:
			return not_ip(dp, etype);
		}
	}
}

/* Each link_* reads its link header and gives the ethertype it carries;
 * ETYPE_NONE, with the kind set, when its own field said "not IP"; -1
 * when truncated. */

/* Ethernet II: destination, source, type. */
static inline int
link_ether(struct cursor *c, uint16_t *etype)
{
	if (cursor_skip(c, 12) == -1 || cursor_get_be16(c, etype) == -1)
		return -1;
	return 0;
}

/* Linux cooked v1: packet type, ARPHRD type, address length, 8 address
 * bytes, protocol (pcap-linktype(7)). */
static inline int
link_sll(struct cursor *c, uint16_t *etype)
{
	if (cursor_skip(c, 14) == -1 || cursor_get_be16(c, etype) == -1)
		return -1;
	return 0;
}

/* Linux cooked v2: protocol, reserved, ifindex, ARPHRD type, packet type,
 * address length, 8 address bytes. */
static inline int
link_sll2(struct cursor *c, uint16_t *etype)
{
	if (cursor_get_be16(c, etype) == -1 || cursor_skip(c, 18) == -1)
		return -1;
	return 0;
}

static inline uint16_t
bsd_af_to_etype(struct decode_pkt *dp, uint32_t family)
{
	switch (family) {
	case BSD_AF_INET:
		return ETYPE_IPV4;
	case BSD_AF_INET6_LINUX:
	case BSD_AF_INET6_BSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		return ETYPE_IPV6;
	default:
		dp->dp_kinds |= KIND(DECODE_KIND_OTHER_FAMILY);
		return ETYPE_NONE;
	}
}

/*
 * DLT_NULL: a 4-byte family in the capturing host's byte order, which
 * need not be ours; families are small, so a value with high bits set was
 * written the other way round (as tcpdump's print-null.c does).
 */
static inline int
link_null(struct decode_pkt *dp, struct cursor *c, uint16_t *etype)
{
	uint32_t family;

	if (cursor_get_le32(c, &family) == -1)
		return -1;
	if (family & 0xffff0000)
		family = __builtin_bswap32(family);
	*etype = bsd_af_to_etype(dp, family);
	return 0;
}

/* DLT_LOOP: the same family, always in network byte order. */
static inline int
link_loop(struct decode_pkt *dp, struct cursor *c, uint16_t *etype)
{
	uint32_t family;

	if (cursor_get_be32(c, &family) == -1)
		return -1;
	*etype = bsd_af_to_etype(dp, family);
	return 0;
}

/* Cisco HDLC: address, control, ethertype. */
static inline int
link_chdlc(struct cursor *c, uint16_t *etype)
{
	if (cursor_skip(c, 2) == -1 || cursor_get_be16(c, etype) == -1)
		return -1;
	return 0;
}

/*
 * PPP, with or without the RFC 1662 address and control bytes, and with
 * a compressed protocol field.  DLT_PPP_SERIAL may carry Cisco HDLC
 * instead.
 */
static inline int
link_ppp(struct decode_pkt *dp, struct cursor *c, uint16_t *etype)
{
	uint8_t b;
	uint16_t proto;

	if (cursor_peek_u8(c, &b) == -1)
		return -1;
	if (b == CHDLC_UNICAST || b == CHDLC_BROADCAST)
		return link_chdlc(c, etype);
	if (b == PPP_ADDRESS) {
		if (cursor_skip(c, 1) == -1 || cursor_get_u8(c, &b) == -1)
			return -1;
		if (b != PPP_CONTROL) {
			dp->dp_kinds |= KIND(DECODE_KIND_PPP_OTHER);
			*etype = ETYPE_NONE;
			return 0;
		}
	}
	if (ppp_get_proto(c, &proto) == -1)
		return -1;
	*etype = ppp_proto_to_etype(dp, proto);
	return 0;
}

/* DLT_PPP_WITH_DIR: a direction byte, then PPP. */
static inline int
link_ppp_dir(struct decode_pkt *dp, struct cursor *c, uint16_t *etype)
{
	if (cursor_skip(c, 1) == -1)
		return -1;
	return link_ppp(dp, c, etype);
}

/* The IP packet's own length, from a copy of the cursor at its header;
 * fallback when the header gives none (0: TSO, jumbogram). */
static uint32_t
ip_length(struct cursor ip, uint32_t fallback)
{
	uint8_t v;
	uint16_t n;

	if (cursor_peek_u8(&ip, &v) == -1)
		return fallback;
	if (v >> 4 == 4 && cursor_skip(&ip, 2) == 0 &&
	    cursor_get_be16(&ip, &n) == 0 && n != 0)
		return n;
	if (v >> 4 == 6 && cursor_skip(&ip, 4) == 0 &&
	    cursor_get_be16(&ip, &n) == 0 && n != 0)
		return (uint32_t)n + 40;
	return fallback;
}

/*
 * DLT_NFLOG (tcpdump.org's LINKTYPE_NFLOG): family, version, resource id,
 * then netlink TLVs -- length with its 4-byte header, type, value padded
 * to 4 bytes -- in the capturing host's order (libpcap swaps a file from
 * the other order) up to NFULA_PAYLOAD, the packet from its network
 * header.  The volume is the IP packet's own length: the pcap length
 * counts the log's metadata, and the kernel cuts the payload to its copy
 * range.
 */
static enum decode_result
decode_nflog(struct decode_pkt *dp, struct cursor *c)
{
	uint8_t family;
	uint16_t len, type;
	enum decode_result r;

	if (cursor_get_u8(c, &family) == -1 || cursor_skip(c, 3) == -1)
		return DECODE_TRUNCATED;
	for (;;) {
		if (cursor_get_host16(c, &len) == -1 ||
		    cursor_get_host16(c, &type) == -1)
			return DECODE_TRUNCATED;
		if (len < NFLOG_TLV_HEADER)
			return DECODE_BAD_HEADER_LENGTH;
		if ((type & NFLOG_TLV_TYPE_MASK) == NFULA_PAYLOAD_TYPE)
			break;
		if (cursor_skip(c, (((size_t)len + 3) & ~(size_t)3) -
		    NFLOG_TLV_HEADER) == -1)
			return DECODE_TRUNCATED;
	}
	cursor_limit(c, (size_t)len - NFLOG_TLV_HEADER);
	switch (family) {
	case LINUX_AF_INET:
		r = decode_ipv4(dp, c);
		break;
	case LINUX_AF_INET6:
		r = decode_ipv6(dp, c);
		break;
	default:			/* AF_BRIDGE, ARP tables... */
		dp->dp_kinds |= KIND(DECODE_KIND_OTHER_FAMILY);
		return DECODE_NOT_IP;
	}
	if (r == DECODE_OK) {
		struct cursor ip = *c;

		ip.cu_pos = dp->dp_ip_offset;
		dp->dp_wire_len = ip_length(ip, (uint32_t)len -
		    NFLOG_TLV_HEADER);
	}
	return r;
}

enum decode_result
decode_packet(struct decode_pkt *dp, int linktype, const uint8_t *pkt,
    uint32_t caplen, uint32_t wire_len)
{
	struct cursor c;
	uint16_t etype;
	int rc;
	enum decode_result r;

	memset(dp, 0, sizeof(*dp));
	dp->dp_wire_len = wire_len;
	cursor_init(&c, pkt, caplen);

	switch (linktype) {
	case DLT_EN10MB:
		rc = link_ether(&c, &etype);
		break;
	case DLT_LINUX_SLL:
		rc = link_sll(&c, &etype);
		break;
	case DLT_LINUX_SLL2:
		rc = link_sll2(&c, &etype);
		break;
	case DLT_NULL:
		rc = link_null(dp, &c, &etype);
		break;
	case DLT_LOOP:
		rc = link_loop(dp, &c, &etype);
		break;
	case DLT_PPP:
	case DLT_PPP_SERIAL:
		rc = link_ppp(dp, &c, &etype);
		break;
	case DLT_PPP_WITH_DIR:
		rc = link_ppp_dir(dp, &c, &etype);
		break;
	case DLT_PPP_ETHER:
		rc = link_pppoe(dp, &c, &etype);
		break;
	case DLT_C_HDLC:
		rc = link_chdlc(&c, &etype);
		break;
	case DLT_RAW:
	case DECODE_LINKTYPE_RAW:
		r = decode_ip_any(dp, &c);
		goto done;
	case DLT_IPV4:
		r = decode_ipv4(dp, &c);
		goto done;
	case DLT_IPV6:
		r = decode_ipv6(dp, &c);
		goto done;
	case DLT_NFLOG:
		r = decode_nflog(dp, &c);
		goto done;
	default:
		/* Not a link type decoded here: not IP, of its own kind, so
		 * that such a source runs and shows what it carries. */
		dp->dp_kinds |= KIND(DECODE_KIND_OTHER_LINKTYPE);
		r = DECODE_NOT_IP;
		goto done;
	}
	if (rc == -1)
		r = DECODE_TRUNCATED;
	else
		r = decode_ethertype(dp, &c, etype);
done:
	dp->dp_result = (uint8_t)r;
	return r;
}

int
decode_linktype_supported(int linktype)
{
	static const uint8_t nothing;
	struct decode_pkt dp;

	decode_packet(&dp, linktype, &nothing, 0, 0);
	return (dp.dp_kinds & KIND(DECODE_KIND_OTHER_LINKTYPE)) == 0;
}

const char *
decode_result_name(enum decode_result r)
{
	static const char *const names[DECODE_NRESULTS] = {
		[DECODE_OK] = "ok",
		[DECODE_NOT_IP] = "not IP",
		[DECODE_TRUNCATED] = "truncated",
		[DECODE_BAD_VERSION] = "bad version",
		[DECODE_BAD_HEADER_LENGTH] = "bad header length",
		[DECODE_UNSUPPORTED_LINK] = "unsupported link type",
		[DECODE_TOO_MANY_VLANS] = "too many VLAN tags or MPLS labels",
	};

	if ((unsigned)r >= DECODE_NRESULTS)
		return "unknown";
	return names[r];
}

const char *
decode_kind_name(enum decode_kind k)
{
	static const char *const names[DECODE_NKINDS] = {
		[DECODE_KIND_VLAN] = "vlan",
		[DECODE_KIND_PPPOE] = "pppoe",
		[DECODE_KIND_MPLS] = "mpls",
		[DECODE_KIND_GRE] = "gre",
		[DECODE_KIND_IPIP] = "ip-in-ip",
		[DECODE_KIND_6IN4] = "6in4",
		[DECODE_KIND_VXLAN] = "vxlan",
		[DECODE_KIND_ARP] = "arp",
		[DECODE_KIND_LLDP] = "lldp",
		[DECODE_KIND_LLC] = "llc",
		[DECODE_KIND_PPPOE_DISCOVERY] = "pppoe-discovery",
		[DECODE_KIND_PPP_OTHER] = "ppp-other",
		[DECODE_KIND_MPLS_OTHER] = "mpls-other",
		[DECODE_KIND_OTHER_ETHERTYPE] = "other-ethertype",
		[DECODE_KIND_OTHER_FAMILY] = "other-family",
		[DECODE_KIND_OTHER_LINKTYPE] = "other-linktype",
	};

	if ((unsigned)k >= DECODE_NKINDS)
		return "unknown";
	return names[k];
}
