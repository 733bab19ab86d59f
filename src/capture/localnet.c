/*
 * localnet: local prefixes as (network, mask) pairs, one array per family.
 *
 * Each array holds the configured prefixes first and the host's own
 * addresses after them, so a refresh replaces only the tail.  Networks
 * and masks are kept in network byte order as loaded by memcpy, so a
 * lookup needs no byte swapping.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "capture/localnet.h"
#include "lib/errbuf.h"

struct ln_prefix4 {
	uint32_t	p4_net;
	uint32_t	p4_mask;
};

struct ln_prefix6 {
	uint64_t	p6_net[2];
	uint64_t	p6_mask[2];
};

struct localnet {
	struct ln_prefix4	ln_v4[LOCALNET_MAX];
	size_t			ln_n4;		/* configured + host */
	size_t			ln_conf4;	/* [0, ln_conf4): configured */
	struct ln_prefix6	ln_v6[LOCALNET_MAX];
	size_t			ln_n6;
	size_t			ln_conf6;
};

/* The host's addresses while a refresh collects them. */
struct ln_host {
	struct ln_prefix4	lh_v4[LOCALNET_MAX];
	size_t			lh_n4;
	struct ln_prefix6	lh_v6[LOCALNET_MAX];
	size_t			lh_n6;
};

static void
ln_mask_bytes(uint8_t *mask, size_t len, unsigned int prefix_len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (prefix_len >= 8)
			mask[i] = 0xff;
		else
			mask[i] = (uint8_t)(0xff00 >> prefix_len);
		prefix_len = prefix_len >= 8 ? prefix_len - 8 : 0;
	}
}

static struct ln_prefix4
ln_make4(const uint8_t *addr, unsigned int prefix_len)
{
	struct ln_prefix4	p;
	uint8_t			mask[4];

	ln_mask_bytes(mask, sizeof(mask), prefix_len);
	memcpy(&p.p4_mask, mask, sizeof(mask));
	memcpy(&p.p4_net, addr, sizeof(p.p4_net));
	p.p4_net &= p.p4_mask;
	return p;
}

static struct ln_prefix6
ln_make6(const uint8_t *addr, unsigned int prefix_len)
{
	struct ln_prefix6	p;
	uint8_t			mask[16];

	ln_mask_bytes(mask, sizeof(mask), prefix_len);
	memcpy(p.p6_mask, mask, sizeof(mask));
	memcpy(p.p6_net, addr, sizeof(p.p6_net));
	p.p6_net[0] &= p.p6_mask[0];
	p.p6_net[1] &= p.p6_mask[1];
	return p;
}

struct localnet *
localnet_new(void)
{
	return calloc(1, sizeof(struct localnet));
}

void
localnet_free(struct localnet *ln)
{
	free(ln);
}

int
localnet_add(struct localnet *ln, int family, const uint8_t *addr,
    unsigned int prefix_len)
{
	struct ln_prefix4	p4;
	struct ln_prefix6	p6;
	size_t			i;

	if (family == AF_INET && prefix_len <= 32) {
		p4 = ln_make4(addr, prefix_len);
		for (i = 0; i < ln->ln_conf4; i++)
			if (memcmp(&ln->ln_v4[i], &p4, sizeof(p4)) == 0)
				return 0;
		if (ln->ln_n4 >= LOCALNET_MAX)
			goto full;
		/* Configured prefixes go before the host's addresses. */
		memmove(&ln->ln_v4[ln->ln_conf4 + 1], &ln->ln_v4[ln->ln_conf4],
		    (ln->ln_n4 - ln->ln_conf4) * sizeof(p4));
		ln->ln_v4[ln->ln_conf4++] = p4;
		ln->ln_n4++;
		return 0;
	}
	if (family == AF_INET6 && prefix_len <= 128) {
		p6 = ln_make6(addr, prefix_len);
		for (i = 0; i < ln->ln_conf6; i++)
			if (memcmp(&ln->ln_v6[i], &p6, sizeof(p6)) == 0)
				return 0;
		if (ln->ln_n6 >= LOCALNET_MAX)
			goto full;
		memmove(&ln->ln_v6[ln->ln_conf6 + 1], &ln->ln_v6[ln->ln_conf6],
		    (ln->ln_n6 - ln->ln_conf6) * sizeof(p6));
		ln->ln_v6[ln->ln_conf6++] = p6;
		ln->ln_n6++;
		return 0;
	}
	errno = EINVAL;
	return -1;
full:
	errno = ENOSPC;
	return -1;
}

/* One parsed prefix of a line. */
struct ln_parsed {
	int		pp_family;
	uint8_t		pp_addr[16];
	unsigned int	pp_len;
};

/* The prefix length after the '/', 0..max, or -1 with the message. */
static int
ln_parse_length(const char *s, size_t n, unsigned int max, char *err,
    size_t errlen)
{
	unsigned int	v = 0;
	size_t		i;

	if (n == 0)
		return errbuf_set(err, errlen,
		    "missing prefix length after '/'");
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return errbuf_set(err, errlen, "prefix length "
			    "\"%.*s\" is not a number", (int)n, s);
		if (v < 1000)
			v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (v > max)
		return errbuf_set(err, errlen, "prefix length \"%.*s\" out of "
		    "range 0-%u", (int)n, s, max);
	return (int)v;
}

/* The network of a prefix whose host bits are set, for the message. */
static int
ln_host_bits(const struct ln_parsed *pp, char *net, size_t netlen)
{
	uint8_t		mask[16], masked[16];
	size_t		alen = pp->pp_family == AF_INET ? 4 : 16, i;
	int		set = 0;

	ln_mask_bytes(mask, alen, pp->pp_len);
	for (i = 0; i < alen; i++) {
		masked[i] = pp->pp_addr[i] & mask[i];
		set |= masked[i] != pp->pp_addr[i];
	}
	if (set)
		inet_ntop(pp->pp_family, masked, net, (socklen_t)netlen);
	return set;
}

/* Parses one word "ADDR[/LEN]" of n bytes into *pp.  0 or -1. */
static int
ln_parse_prefix(const char *word, size_t n, struct ln_parsed *pp,
    char *err, size_t errlen)
{
	char		 addr[INET6_ADDRSTRLEN + 1], net[INET6_ADDRSTRLEN] = "";
	const char	*slash = memchr(word, '/', n);
	size_t		 alen = slash ? (size_t)(slash - word) : n;
	unsigned int	 max;
	int		 len;

	memset(pp, 0, sizeof(*pp));
	if (alen == 0 || alen >= sizeof(addr))
		return errbuf_set(err, errlen, "bad address \"%.*s\"",
		    (int)alen, word);
	memcpy(addr, word, alen);
	addr[alen] = '\0';
	pp->pp_family = memchr(addr, ':', alen) ? AF_INET6 : AF_INET;
	if (inet_pton(pp->pp_family, addr, pp->pp_addr) != 1)
		return errbuf_set(err, errlen, "bad address \"%s\"", addr);
	max = pp->pp_family == AF_INET ? 32 : 128;
	len = (int)max;
	if (slash != NULL && (len = ln_parse_length(slash + 1, n - alen - 1,
	    max, err, errlen)) < 0)
		return -1;
	pp->pp_len = (unsigned int)len;
	if (ln_host_bits(pp, net, sizeof(net)))
		return errbuf_set(err, errlen, "%.*s has host bits set (the "
		    "network is %s/%u)", (int)n, word, net, pp->pp_len);
	return 0;
}

static size_t
ln_space(const struct localnet *ln, int family)
{
	return LOCALNET_MAX - (family == AF_INET ? ln->ln_n4 : ln->ln_n6);
}

int
localnet_parse(struct localnet *ln, const char *value, char *err,
    size_t errlen)
{
	struct ln_parsed	 pp;
	const char		*p, *word;
	size_t			 n, want4 = 0, want6 = 0;
	int			 pass;

	/* Pass 0 checks every word and counts; pass 1 adds. */
	for (pass = 0; pass < 2; pass++) {
		for (p = value;;) {
			p += strspn(p, " \t\r\n");
			if (*p == '\0')
				break;
			word = p;
			n = strcspn(p, " \t\r\n");
			p += n;
			if (ln_parse_prefix(word, n, &pp, err, errlen) < 0)
				return -1;
			if (pass == 1)
				localnet_add(ln, pp.pp_family, pp.pp_addr,
				    pp.pp_len);
			else if (pp.pp_family == AF_INET)
				want4++;
			else
				want6++;
		}
		if (pass == 1)
			break;
		if (want4 + want6 == 0)
			return errbuf_set(err, errlen, "missing prefix");
		if (want4 > ln_space(ln, AF_INET) ||
		    want6 > ln_space(ln, AF_INET6))
			return errbuf_set(err, errlen, "too many local "
			    "prefixes (at most %d per family)", LOCALNET_MAX);
	}
	return 0;
}

/* The length of a contiguous netmask, for loopback prefixes. */
static unsigned int
ln_mask_len(const uint8_t *mask, size_t len)
{
	unsigned int	bits = 0;
	size_t		i;
	uint8_t		b;

	for (i = 0; i < len; i++)
		for (b = mask[i]; b & 0x80; b = (uint8_t)(b << 1))
			bits++;
	return bits;
}

static void
ln_host_add(struct ln_host *h, const struct ifaddrs *ifa)
{
	const uint8_t	*addr, *mask = NULL;
	int		 loop = (ifa->ifa_flags & IFF_LOOPBACK) != 0;
	size_t		 alen;

	if (ifa->ifa_addr->sa_family == AF_INET) {
		addr = (const uint8_t *)&((const struct sockaddr_in *)
		    (const void *)ifa->ifa_addr)->sin_addr;
		if (loop && ifa->ifa_netmask != NULL)
			mask = (const uint8_t *)&((const struct sockaddr_in *)
			    (const void *)ifa->ifa_netmask)->sin_addr;
		alen = 4;
		if (h->lh_n4 < LOCALNET_MAX)
			h->lh_v4[h->lh_n4++] = ln_make4(addr,
			    mask ? ln_mask_len(mask, alen) : 32);
	} else if (ifa->ifa_addr->sa_family == AF_INET6) {
		addr = (const uint8_t *)&((const struct sockaddr_in6 *)
		    (const void *)ifa->ifa_addr)->sin6_addr;
		if (loop && ifa->ifa_netmask != NULL)
			mask = (const uint8_t *)&((const struct sockaddr_in6 *)
			    (const void *)ifa->ifa_netmask)->sin6_addr;
		alen = 16;
		if (h->lh_n6 < LOCALNET_MAX)
			h->lh_v6[h->lh_n6++] = ln_make6(addr,
			    mask ? ln_mask_len(mask, alen) : 128);
	}
}

int
localnet_refresh(struct localnet *ln)
{
	struct ifaddrs	*list, *ifa;
	struct ln_host	*h;
	size_t		 n;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return -1;
	if (getifaddrs(&list) < 0) {
		free(h);
		return -1;
	}
	for (ifa = list; ifa != NULL; ifa = ifa->ifa_next)
		if (ifa->ifa_addr != NULL)
			ln_host_add(h, ifa);
	freeifaddrs(list);

	n = LOCALNET_MAX - ln->ln_conf4;
	n = h->lh_n4 < n ? h->lh_n4 : n;
	memcpy(&ln->ln_v4[ln->ln_conf4], h->lh_v4, n * sizeof(*h->lh_v4));
	ln->ln_n4 = ln->ln_conf4 + n;
	n = LOCALNET_MAX - ln->ln_conf6;
	n = h->lh_n6 < n ? h->lh_n6 : n;
	memcpy(&ln->ln_v6[ln->ln_conf6], h->lh_v6, n * sizeof(*h->lh_v6));
	ln->ln_n6 = ln->ln_conf6 + n;
	free(h);
	return 0;
}

static int
ln_match4(const struct localnet *ln, const uint8_t *addr)
{
	uint32_t	a;
	size_t		i;

	memcpy(&a, addr, sizeof(a));
	for (i = 0; i < ln->ln_n4; i++)
		if ((a & ln->ln_v4[i].p4_mask) == ln->ln_v4[i].p4_net)
			return 1;
	return 0;
}

static int
ln_match6(const struct localnet *ln, const uint8_t *addr)
{
	const struct ln_prefix6	*p;
	uint64_t		 a[2];
	size_t			 i;

	memcpy(a, addr, sizeof(a));
	for (i = 0; i < ln->ln_n6; i++) {
		p = &ln->ln_v6[i];
		if ((a[0] & p->p6_mask[0]) == p->p6_net[0] &&
		    (a[1] & p->p6_mask[1]) == p->p6_net[1])
			return 1;
	}
	return 0;
}

int
localnet_is_local(const struct localnet *ln, int family, const uint8_t *addr)
{
	if (family == AF_INET)
		return ln_match4(ln, addr);
	if (family == AF_INET6)
		return ln_match6(ln, addr);
	return 0;
}

unsigned int
localnet_sides(const struct localnet *ln, int family, const uint8_t *src,
    const uint8_t *dst)
{
	if (family == AF_INET)
		return (unsigned int)ln_match4(ln, src) |
		    (unsigned int)ln_match4(ln, dst) << 1;
	if (family == AF_INET6)
		return (unsigned int)ln_match6(ln, src) |
		    (unsigned int)ln_match6(ln, dst) << 1;
	return 0;
}

size_t
localnet_count(const struct localnet *ln, int family)
{
	if (family == AF_INET)
		return ln->ln_n4;
	if (family == AF_INET6)
		return ln->ln_n6;
	return 0;
}
