/*
 * localnet: which addresses are local.
 *
 * Local means one of the host's own addresses (from getifaddrs(), read
 * again by localnet_refresh() whenever the caller likes, e.g. at each
 * window close) or inside a configured `localNet PREFIX/LEN` prefix.
 * The host's addresses are kept as /32 and /128 prefixes, except those
 * of loopback interfaces, which count with their whole prefix
 * (127.0.0.0/8): every 127.x address is this host.
 *
 * A lookup is a linear scan of the prefixes of the address's family,
 * one mask-and-compare each (two 64-bit ones for IPv6): a few
 * nanoseconds for the few dozen prefixes a host has, and there is no
 * per-packet allocation or hashing.  At most LOCALNET_MAX prefixes per
 * family.
 *
 * Owned by one thread (the capture thread, which refreshes it between
 * packets); no locking.
 */
#ifndef LOCALNET_H
#define LOCALNET_H

#include <stddef.h>
#include <stdint.h>

#define LOCALNET_MAX	1024	/* prefixes per family */

/* localnet_sides() */
#define LOCALNET_SRC	0x01
#define LOCALNET_DST	0x02

struct localnet;

/* No prefixes until parse or refresh.  NULL with errno set. */
struct localnet	*localnet_new(void);
void		 localnet_free(struct localnet *);	/* accepts NULL */

/*
 * Adds the prefixes of one `localNet` line's value: one or more of
 * "10.0.0.0/8", "2001:db8::/32", or an address alone (/32, /128),
 * separated by blanks.  0, or -1 with a message in err (`prefix length
 * "33" out of range 0-32`, `10.1.2.3/8 has host bits set (the network is
 * 10.0.0.0/8)`) that the caller prefixes with file:line; on error no
 * prefix of the line is added.
 */
int	localnet_parse(struct localnet *, const char *value, char *err,
	    size_t errlen);

/* Adds one configured prefix (family AF_INET or AF_INET6, address in
 * network order, host bits ignored).  0, or -1 with errno set. */
int	localnet_add(struct localnet *, int family, const uint8_t *addr,
	    unsigned int prefix_len);

/* Replaces the host's own addresses with those getifaddrs() gives now;
 * configured prefixes stay.  0, or -1 with errno set (the old host
 * addresses then stay). */
int	localnet_refresh(struct localnet *);

/* 1 when addr (4 or 16 bytes, network order) is local, else 0. */
int	localnet_is_local(const struct localnet *, int family,
	    const uint8_t *addr);

/* LOCALNET_SRC | LOCALNET_DST for the ends of a packet that are local. */
unsigned int	localnet_sides(const struct localnet *, int family,
		    const uint8_t *src, const uint8_t *dst);

/* Prefixes held of a family: configured plus the host's own. */
size_t	localnet_count(const struct localnet *, int family);

#endif
