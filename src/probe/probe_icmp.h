/*
 * probe_icmp: the ICMP and ICMPv6 echo wire codec of the probe engine.
 *
 * Builds echo messages and reads received ones into a plain struct
 * probe_packet: RFC 792 (echo, destination unreachable) and RFC 4443
 * sections 3.1 and 4.  It is pure (no sockets, no engine state, no
 * allocation), so every byte an outsider can send us is handled in one
 * place that a fuzzer (tests/fuzz/fuzz_probe_icmp.c) and unit tests can
 * drive directly.  Every received byte is read through a cursor.
 */
#ifndef PROBE_ICMP_H
#define PROBE_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "probe/probe_addr.h"

/* Message types the engine sends, receives or lets a raw socket pass. */
#define PROBE_ICMP4_ECHO_REPLY	0
#define PROBE_ICMP4_UNREACH	3
#define PROBE_ICMP4_ECHO	8
#define PROBE_ICMP6_UNREACH	1
#define PROBE_ICMP6_ECHO	128
#define PROBE_ICMP6_ECHO_REPLY	129
#define PROBE_ICMP_HEADER_LEN	8	/* type, code, checksum, id, seq */

enum probe_packet_type {
	PROBE_PACKET_ECHO_REPLY = 1,	/* pk_ident, pk_seq */
	PROBE_PACKET_UNREACHABLE	/* quoting our echo request: pk_ident,
					 * pk_seq, pk_target, pk_code */
};

enum probe_parse {
	PROBE_PARSE_OK,
	PROBE_PARSE_OTHER,	/* a well-formed message of another kind */
	PROBE_PARSE_MALFORMED	/* truncated, bad header or checksum */
};

struct probe_packet {
	enum probe_packet_type pk_type;
	int		pk_family;	/* AF_INET or AF_INET6 */
	uint16_t	pk_ident;
	uint16_t	pk_seq;
	uint8_t		pk_code;	/* ICMP code of an unreachable */
	struct probe_addr pk_target;	/* unreachable: the request's
					 * destination */
};

/*
 * Reads one received ICMP (family AF_INET) or ICMPv6 (AF_INET6) message;
 * with ip_header set the buffer starts with the IPv4 header, as a raw IPv4
 * socket delivers it (its IHL is honoured).  IPv4 checksums are verified;
 * the kernel verifies ICMPv6's.
 */
enum probe_parse probe_icmp_parse(int family, int ip_header,
	    const void *buf, size_t len, struct probe_packet *);

/*
 * Reads an ICMP error the kernel queued on a ping socket (ip(7)
 * IP_RECVERR): buf is our own request as the error quoted it, from its
 * ICMP header on; target its destination, code the error's ICMP code.  On
 * PROBE_PARSE_OK *pk is an unreachable; PROBE_PARSE_OTHER if the quote is
 * not an echo request.
 */
enum probe_parse probe_icmp_parse_error(int family, uint8_t code,
	    const struct probe_addr *target, const void *buf, size_t len,
	    struct probe_packet *);

/*
 * Builds an ICMP (AF_INET) or ICMPv6 echo request or reply (reply set)
 * with the given payload into buf.  The IPv4 checksum is computed; the
 * ICMPv6 one is left 0 for the kernel, which fills it on ICMPv6 sockets
 * (RFC 3542 section 3.1).  Returns the length, or 0 if buf is too small.
 */
size_t	probe_icmp_echo_build(int family, int reply, uint16_t ident,
	    uint16_t seq, const void *payload, size_t plen, void *buf,
	    size_t buflen);

/* The Internet checksum (RFC 1071) of len bytes. */
uint16_t probe_icmp_checksum(const void *buf, size_t len);

/* What an unreachable's ICMP code means, e.g. "host unreachable". */
const char *probe_icmp_unreach_name(int family, uint8_t code);

#endif
