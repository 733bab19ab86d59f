/*
 * probe_icmp: the ICMP and ICMPv6 echo wire codec; see probe_icmp.h for
 * why it stands apart.  Wire formats: RFC 792 (ICMP echo, destination
 * unreachable) and RFC 4443 sections 3.1 and 4 (ICMPv6).
 */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/cursor.h"
#include "probe/probe_icmp.h"

#define IP4_HEADER_MIN		20

/* RFC 1071: the ones' complement of the ones' complement sum of the
 * 16-bit big-endian words, an odd last byte padded with zero. */
uint16_t
probe_icmp_checksum(const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	uint64_t	 sum = 0;
	size_t		 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t
probe_icmp_echo_build(int family, int reply, uint16_t ident, uint16_t seq,
    const void *payload, size_t plen, void *buf, size_t buflen)
{
	uint8_t		*p = buf;
	uint16_t	 sum;

	if (buflen < PROBE_ICMP_HEADER_LEN ||
	    plen > buflen - PROBE_ICMP_HEADER_LEN)
		return 0;
	if (family == AF_INET)
		p[0] = reply ? PROBE_ICMP4_ECHO_REPLY : PROBE_ICMP4_ECHO;
	else
		p[0] = reply ? PROBE_ICMP6_ECHO_REPLY : PROBE_ICMP6_ECHO;
	p[1] = 0;
	p[2] = p[3] = 0;
	p[4] = (uint8_t)(ident >> 8), p[5] = (uint8_t)ident;
	p[6] = (uint8_t)(seq >> 8), p[7] = (uint8_t)seq;
	if (plen > 0)
		memcpy(p + PROBE_ICMP_HEADER_LEN, payload, plen);
	if (family == AF_INET) {
		sum = probe_icmp_checksum(p, PROBE_ICMP_HEADER_LEN + plen);
		p[2] = (uint8_t)(sum >> 8), p[3] = (uint8_t)sum;
	}
	return PROBE_ICMP_HEADER_LEN + plen;
}

/* Skips an IPv4 header, honouring IHL, and limits the cursor to the
 * datagram's total length; *proto and *dst (4 bytes) from the header. */
static int
probe_icmp_skip_ip4(struct cursor *c, uint8_t *proto, uint8_t *dst)
{
	struct cursor	h = *c;
	uint8_t		vihl;
	uint16_t	total;
	size_t		ihl;

	if (cursor_get_u8(&h, &vihl) == -1 || vihl >> 4 != 4)
		return -1;
	ihl = (size_t)(vihl & 0x0f) * 4;
	if (ihl < IP4_HEADER_MIN || cursor_skip(&h, 1) == -1 ||
	    cursor_get_be16(&h, &total) == -1 || total < ihl ||
	    cursor_skip(&h, 5) == -1 || cursor_get_u8(&h, proto) == -1 ||
	    cursor_skip(&h, 6) == -1 || cursor_get_bytes(&h, dst, 4) == -1)
		return -1;
	if (cursor_skip(c, ihl) == -1)
		return -1;
	/* A quoted header's total length names bytes the quote cut off;
	 * limiting never lengthens, so this only drops trailing padding. */
	cursor_limit(c, total - ihl);
	return 0;
}

/* The echo request an unreachable quotes: type, code, checksum, id, seq. */
static enum probe_parse
probe_icmp_quoted_echo(struct cursor *c, int family, struct probe_packet *pk)
{
	uint8_t	type;

	if (cursor_get_u8(c, &type) == -1)
		return PROBE_PARSE_MALFORMED;
	if (type != (family == AF_INET ? PROBE_ICMP4_ECHO : PROBE_ICMP6_ECHO))
		return PROBE_PARSE_OTHER;	/* someone else's error */
	if (cursor_skip(c, 3) == -1 || cursor_get_be16(c, &pk->pk_ident) == -1 ||
	    cursor_get_be16(c, &pk->pk_seq) == -1)
		return PROBE_PARSE_MALFORMED;
	pk->pk_type = PROBE_PACKET_UNREACHABLE;
	return PROBE_PARSE_OK;
}

/* After the quoted IP header (its protocol proto, its destination already
 * in pk_target's bytes): our echo request, if the quote is of ICMP. */
static enum probe_parse
probe_icmp_quoted_request(struct cursor *c, int family, uint8_t proto,
    struct probe_packet *pk)
{
	if (proto != (family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6))
		return PROBE_PARSE_OTHER;
	pk->pk_target.pa_family = (uint8_t)family;
	pk->pk_target.pa_len = family == AF_INET ? 4 : 16;
	return probe_icmp_quoted_echo(c, family, pk);
}

/* RFC 792: the unreachable quotes the IP header and 8 bytes after it. */
static enum probe_parse
probe_icmp_unreach4(struct cursor *c, struct probe_packet *pk)
{
	uint8_t	proto;

	if (cursor_skip(c, 4) == -1 ||
	    probe_icmp_skip_ip4(c, &proto, pk->pk_target.pa_bytes) == -1)
		return PROBE_PARSE_MALFORMED;
	return probe_icmp_quoted_request(c, AF_INET, proto, pk);
}

/* RFC 4443 section 3.1: as much of the invoking packet as fits.  Our
 * requests carry no extension header, so ICMPv6 follows at once. */
static enum probe_parse
probe_icmp_unreach6(struct cursor *c, struct probe_packet *pk)
{
	uint8_t	vers, next;

	if (cursor_skip(c, 4) == -1 || cursor_peek_u8(c, &vers) == -1 ||
	    vers >> 4 != 6 || cursor_skip(c, 6) == -1 ||
	    cursor_get_u8(c, &next) == -1 || cursor_skip(c, 17) == -1 ||
	    cursor_get_bytes(c, pk->pk_target.pa_bytes, 16) == -1)
		return PROBE_PARSE_MALFORMED;
	return probe_icmp_quoted_request(c, AF_INET6, next, pk);
}

/* The ICMP checksum covers the whole message: everything left. */
static int
probe_icmp_checksum_ok(const struct cursor *c)
{
	return probe_icmp_checksum(c->cu_data + c->cu_pos,
	    cursor_remaining(c)) == 0;
}

enum probe_parse
probe_icmp_parse(int family, int ip_header, const void *buf, size_t len,
    struct probe_packet *pk)
{
	struct cursor	c, icmp;
	uint8_t		type, proto, dst[4];

	memset(pk, 0, sizeof(*pk));
	pk->pk_family = family;
	cursor_init(&c, buf, len);
	if (family == AF_INET && ip_header) {
		if (probe_icmp_skip_ip4(&c, &proto, dst) == -1)
			return PROBE_PARSE_MALFORMED;
		if (proto != IPPROTO_ICMP)
			return PROBE_PARSE_OTHER;
	}
	icmp = c;
	if (cursor_get_u8(&c, &type) == -1)
		return PROBE_PARSE_MALFORMED;
	if (family == AF_INET && type != PROBE_ICMP4_ECHO_REPLY &&
	    type != PROBE_ICMP4_UNREACH)
		return PROBE_PARSE_OTHER;
	if (family == AF_INET6 && type != PROBE_ICMP6_ECHO_REPLY &&
	    type != PROBE_ICMP6_UNREACH)
		return PROBE_PARSE_OTHER;
	if (cursor_remaining(&c) < PROBE_ICMP_HEADER_LEN - 1 ||
	    (family == AF_INET && !probe_icmp_checksum_ok(&icmp)))
		return PROBE_PARSE_MALFORMED;
	if (cursor_get_u8(&c, &pk->pk_code) == -1 || cursor_skip(&c, 2) == -1)
		return PROBE_PARSE_MALFORMED;
	if (type == PROBE_ICMP4_UNREACH && family == AF_INET)
		return probe_icmp_unreach4(&c, pk);
	if (type == PROBE_ICMP6_UNREACH && family == AF_INET6)
		return probe_icmp_unreach6(&c, pk);
	pk->pk_code = 0;
	if (cursor_get_be16(&c, &pk->pk_ident) == -1 ||
	    cursor_get_be16(&c, &pk->pk_seq) == -1)
		return PROBE_PARSE_MALFORMED;
	pk->pk_type = PROBE_PACKET_ECHO_REPLY;
	return PROBE_PARSE_OK;
}

enum probe_parse
probe_icmp_parse_error(int family, uint8_t code,
    const struct probe_addr *target, const void *buf, size_t len,
    struct probe_packet *pk)
{
	struct cursor	c;

	memset(pk, 0, sizeof(*pk));
	pk->pk_family = family;
	pk->pk_code = code;
	pk->pk_target = *target;
	cursor_init(&c, buf, len);
	return probe_icmp_quoted_echo(&c, family, pk);
}

/* ICMP codes of destination unreachable, RFC 792 and RFC 4443 3.1. */
const char *
probe_icmp_unreach_name(int family, uint8_t code)
{
	static const char *const v4[] = { "network unreachable",
	    "host unreachable", "protocol unreachable", "port unreachable",
	    "fragmentation needed", "source route failed",
	    "network unknown", "host unknown", "source host isolated",
	    "network prohibited", "host prohibited",
	    "network unreachable for TOS", "host unreachable for TOS",
	    "communication prohibited" };
	static const char *const v6[] = { "no route to destination",
	    "communication prohibited", "beyond scope of source address",
	    "address unreachable", "port unreachable",
	    "source address failed policy", "reject route" };

	if (family == AF_INET && code < sizeof(v4) / sizeof(v4[0]))
		return v4[code];
	if (family == AF_INET6 && code < sizeof(v6) / sizeof(v6[0]))
		return v6[code];
	return "destination unreachable";
}
