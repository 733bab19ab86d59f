/*
 * probe_addr: the address of a probe target, as the configuration resolves
 * it, the sockets send to and receive from it, and the engine matches it.
 *
 * Separate from the engine and from the ICMP codec because all of them
 * (and the SNMP side, which shows pr_addr) use it; it holds no state.
 */
#ifndef PROBE_ADDR_H
#define PROBE_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct probe_addr {
	uint8_t		pa_family;	/* AF_INET or AF_INET6 */
	uint8_t		pa_len;		/* 4 or 16 */
	uint8_t		pa_bytes[16];	/* network order, zero past pa_len */
	uint32_t	pa_scope;	/* IPv6 scope id (link-local), else 0 */
};

/* Address as text (inet_ntop), "?" if it has no family. */
void	probe_addr_format(const struct probe_addr *, char *buf, size_t len);

/* Same family and bytes (the scope is not compared). */
int	probe_addr_equal(const struct probe_addr *, const struct probe_addr *);

/* 0 for multicast, broadcast and "this host" addresses, which answer
 * from elsewhere or not at all, else 1. */
int	probe_addr_is_unicast(const struct probe_addr *);

/* From an AF_INET or AF_INET6 sockaddr (a v4-mapped IPv6 address becomes
 * IPv4).  0, or -1 for another family or a short salen. */
int	probe_addr_from_sockaddr(struct probe_addr *, const struct sockaddr *,
	    socklen_t salen);

/* Into *ss, port 0; returns the sockaddr's length. */
socklen_t probe_addr_to_sockaddr(const struct probe_addr *,
	    struct sockaddr_storage *ss);

#endif
