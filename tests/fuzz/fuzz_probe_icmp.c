/*
 * libFuzzer target for the probe engine's ICMP codec (src/probe/probe_icmp.c):
 * what anyone on the network can make our ICMP sockets deliver.  The
 * first byte picks what the rest is:
 *   0  an ICMP message as a ping socket reads it (no IP header)
 *   1  an IPv4 datagram as a raw socket reads it (IP header first)
 *   2  an ICMPv6 message
 *   3  an IPv4 error queue entry: code, then the quoted request
 *   4  the same for IPv6
 *   5  an echo built from the bytes (family, reply, id, seq, payload)
 *   6  as 0, and 7 as 1, with the ICMP checksum made right first, so that
 *      the fuzzer gets past it to the unreachable's quote
 * The rest ends exactly where libFuzzer's buffer ends, so ASan sees any
 * read past it.  Besides crashes and sanitizer reports, each result is
 * checked against the bytes as RFC 792 and RFC 4443 lay them out, read
 * here by offset rather than through the codec's own cursor.
 */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "probe/probe_icmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static unsigned
be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* RFC 1071 by 32-bit words folded at the end: another route to the same
 * sum than the codec's. */
static unsigned
sum16(const uint8_t *p, size_t len)
{
	uint64_t	sum = 0;
	size_t		i;

	for (i = 0; i + 4 <= len; i += 4)
		sum += (uint32_t)be16(p + i) + be16(p + i + 2);
	for (; i + 2 <= len; i += 2)
		sum += be16(p + i);
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (unsigned)sum;
}

static int
sum_is_zero(const uint8_t *p, size_t len)
{
	return sum16(p, len) == 0xffff;
}

/* Sets the checksum of the ICMP message at p (len bytes, at least 4). */
static void
sum_fix(uint8_t *p, size_t len)
{
	unsigned	sum;

	p[2] = p[3] = 0;
	sum = ~sum16(p, len) & 0xffff;
	p[2] = (uint8_t)(sum >> 8), p[3] = (uint8_t)sum;
}

static void
need(int cond)
{
	if (!cond)
		abort();	/* libFuzzer keeps the input */
}

/* The echo reply of an OK parse: id and seq at offsets 4 and 6. */
static void
check_reply(const struct probe_packet *pk, const uint8_t *icmp, size_t len)
{
	need(len >= 8 && pk->pk_type == PROBE_PACKET_ECHO_REPLY &&
	    pk->pk_code == 0 && pk->pk_target.pa_family == 0);
	need(pk->pk_ident == be16(icmp + 4) && pk->pk_seq == be16(icmp + 6));
}

/* What holds of any message before its type is looked at: other types
 * are another kind, an OK one has 8 bytes, an IPv4 one a right checksum,
 * and a reply is checked here.  1 when it is an unreachable parsed OK. */
static int
check_message(enum probe_parse r, const struct probe_packet *pk,
    int family, const uint8_t *p, size_t len)
{
	uint8_t	reply = family == AF_INET ? 0 : 129;
	uint8_t	unreach = family == AF_INET ? 3 : 1;

	need(pk->pk_family == family);
	if (len >= 1 && p[0] != reply && p[0] != unreach)
		need(r == PROBE_PARSE_OTHER);
	if (len < 8)
		need(r != PROBE_PARSE_OK);
	if (r != PROBE_PARSE_OK)
		return 0;
	if (family == AF_INET)
		need(sum_is_zero(p, len));
	if (p[0] == reply) {
		check_reply(pk, p, len);
		return 0;
	}
	need(p[0] == unreach);
	return 1;
}

/* ICMP (no IP header): type 0 is a reply, 3 an unreachable quoting an IPv4
 * header (IHL honoured) and our ICMP echo request. */
static void
check_icmp4(enum probe_parse r, const struct probe_packet *pk,
    const uint8_t *p, size_t len)
{
	size_t	ihl;

	if (!check_message(r, pk, AF_INET, p, len))
		return;
	need(len >= 8 + 20 && p[8] >> 4 == 4);
	ihl = (size_t)(p[8] & 0x0f) * 4;
	need(ihl >= 20 && len >= 8 + ihl + 8 && p[8 + 9] == IPPROTO_ICMP &&
	    be16(p + 8 + 2) >= ihl + 8 && p[8 + ihl] == 8);
	need(pk->pk_type == PROBE_PACKET_UNREACHABLE && pk->pk_code == p[1]);
	need(pk->pk_target.pa_family == AF_INET &&
	    pk->pk_target.pa_len == 4 &&
	    memcmp(pk->pk_target.pa_bytes, p + 8 + 16, 4) == 0);
	need(pk->pk_ident == be16(p + 8 + ihl + 4) &&
	    pk->pk_seq == be16(p + 8 + ihl + 6));
}

/* A raw IPv4 read: when the IP header is sound and carries ICMP, the
 * result is the one of its ICMP part cut to the total length. */
static void
check_raw4(enum probe_parse r, const struct probe_packet *pk,
    const uint8_t *p, size_t len)
{
	struct probe_packet	inner;
	enum probe_parse	ri;
	size_t			ihl, total;

	need(pk->pk_family == AF_INET);
	if (len < 20 || p[0] >> 4 != 4) {
		need(r == PROBE_PARSE_MALFORMED);
		return;
	}
	ihl = (size_t)(p[0] & 0x0f) * 4;
	total = be16(p + 2);
	if (ihl < 20 || ihl > len || total < ihl) {
		need(r == PROBE_PARSE_MALFORMED);
		return;
	}
	if (p[9] != IPPROTO_ICMP) {
		need(r == PROBE_PARSE_OTHER);
		return;
	}
	if (total > len)
		total = len;
	ri = probe_icmp_parse(AF_INET, 0, p + ihl, total - ihl, &inner);
	need(ri == r);
	if (r == PROBE_PARSE_OK)
		need(memcmp(&inner, pk, sizeof(inner)) == 0);
}

/* ICMPv6: type 129 is a reply, 1 an unreachable quoting an IPv6 header
 * (no extension header) and our echo request (RFC 4443 3.1, 4.1). */
static void
check_icmp6(enum probe_parse r, const struct probe_packet *pk,
    const uint8_t *p, size_t len)
{
	if (!check_message(r, pk, AF_INET6, p, len))
		return;
	need(len >= 8 + 40 + 8 && p[8] >> 4 == 6 &&
	    p[8 + 6] == IPPROTO_ICMPV6 && p[48] == 128);
	need(pk->pk_type == PROBE_PACKET_UNREACHABLE && pk->pk_code == p[1]);
	need(pk->pk_target.pa_family == AF_INET6 &&
	    pk->pk_target.pa_len == 16 &&
	    memcmp(pk->pk_target.pa_bytes, p + 8 + 24, 16) == 0);
	need(pk->pk_ident == be16(p + 52) && pk->pk_seq == be16(p + 54));
}

/* An error queue entry: the quote is our request from its ICMP header. */
static void
check_error(int family, const uint8_t *p, size_t len)
{
	struct probe_packet	pk;
	struct probe_addr	target;
	enum probe_parse	r;
	uint8_t			code, echo = family == AF_INET ? 8 : 128;

	if (len < 1)
		return;
	code = p[0];
	p++, len--;
	memset(&target, 0, sizeof(target));
	target.pa_family = (uint8_t)family;
	target.pa_len = family == AF_INET ? 4 : 16;
	memset(target.pa_bytes, 0xa5, target.pa_len);
	r = probe_icmp_parse_error(family, code, &target, p, len, &pk);
	if (len == 0)
		need(r == PROBE_PARSE_MALFORMED);
	else if (p[0] != echo)
		need(r == PROBE_PARSE_OTHER);
	else
		need(r == (len >= 8 ? PROBE_PARSE_OK : PROBE_PARSE_MALFORMED));
	if (r != PROBE_PARSE_OK)
		return;
	need(pk.pk_type == PROBE_PACKET_UNREACHABLE && pk.pk_family == family &&
	    pk.pk_code == code &&
	    memcmp(&pk.pk_target, &target, sizeof(target)) == 0);
	need(pk.pk_ident == be16(p + 4) && pk.pk_seq == be16(p + 6));
}

/* What we build, we read back: a reply with its id and seq, a request as
 * another kind of message. */
static void
check_build(const uint8_t *p, size_t len)
{
	uint8_t			 buf[256];
	struct probe_packet	 pk;
	enum probe_parse	 r;
	size_t			 n;
	int			 family, reply;
	unsigned		 ident, seq;

	if (len < 5)
		return;
	family = p[0] & 1 ? AF_INET6 : AF_INET;
	reply = p[0] >> 1 & 1;
	ident = be16(p + 1), seq = be16(p + 3);
	p += 5, len -= 5;
	n = probe_icmp_echo_build(family, reply, (uint16_t)ident,
	    (uint16_t)seq, p, len, buf, sizeof(buf));
	if (len + 8 > sizeof(buf)) {
		need(n == 0);
		return;
	}
	need(n == len + 8 && memcmp(buf + 8, p, len) == 0);
	if (family == AF_INET)
		need(sum_is_zero(buf, n));
	r = probe_icmp_parse(family, 0, buf, n, &pk);
	if (!reply) {
		need(r == PROBE_PARSE_OTHER);
		return;
	}
	need(r == PROBE_PARSE_OK && pk.pk_type == PROBE_PACKET_ECHO_REPLY &&
	    pk.pk_ident == ident && pk.pk_seq == seq);
}

/* A copy of exactly size bytes (so ASan still sees the end) with the
 * ICMP checksum right; with ip_header, where the IHL puts the ICMP part
 * and within the total length. */
static void
check_fixed(int ip_header, const uint8_t *data, size_t size)
{
	struct probe_packet	 pk;
	enum probe_parse	 r;
	uint8_t			*p;
	size_t			 off = 0, end = size;

	if (ip_header && size >= 20) {
		off = (size_t)(data[0] & 0x0f) * 4;
		end = be16(data + 2) < size ? be16(data + 2) : size;
	}
	if ((p = malloc(size ? size : 1)) == NULL)
		return;
	memcpy(p, data, size);
	if (off + 4 <= end)
		sum_fix(p + off, end - off);
	r = probe_icmp_parse(AF_INET, ip_header, p, size, &pk);
	if (ip_header)
		check_raw4(r, &pk, p, size);
	else
		check_icmp4(r, &pk, p, size);
	free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct probe_packet	pk;
	enum probe_parse	r;
	uint8_t			pick;

	if (size < 1)
		return 0;
	pick = data[0] % 8;
	data++, size--;
	switch (pick) {
	case 0:
		r = probe_icmp_parse(AF_INET, 0, data, size, &pk);
		check_icmp4(r, &pk, data, size);
		break;
	case 1:
		r = probe_icmp_parse(AF_INET, 1, data, size, &pk);
		check_raw4(r, &pk, data, size);
		break;
	case 2:
		r = probe_icmp_parse(AF_INET6, 0, data, size, &pk);
		check_icmp6(r, &pk, data, size);
		break;
	case 3:
		check_error(AF_INET, data, size);
		break;
	case 4:
		check_error(AF_INET6, data, size);
		break;
	case 5:
		check_build(data, size);
		break;
	default:
		check_fixed(pick == 7, data, size);
		break;
	}
	return 0;
}
