/*
 * probe_addr: probe target addresses and their conversions; see
 * probe_addr.h for why they stand apart.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "probe/probe_addr.h"

void
probe_addr_format(const struct probe_addr *pa, char *buf, size_t len)
{
	if (len == 0)
		return;
	if ((pa->pa_family != AF_INET && pa->pa_family != AF_INET6) ||
	    inet_ntop(pa->pa_family, pa->pa_bytes, buf, (socklen_t)len) ==
	    NULL)
		snprintf(buf, len, "?");
}

int
probe_addr_equal(const struct probe_addr *a, const struct probe_addr *b)
{
	return a->pa_family == b->pa_family && a->pa_len == b->pa_len &&
	    memcmp(a->pa_bytes, b->pa_bytes, a->pa_len) == 0;
}

/* Multicast, broadcast and "this host" addresses answer from elsewhere or
 * not at all: a reply could never be matched to the target. */
int
probe_addr_is_unicast(const struct probe_addr *pa)
{
	const uint8_t	*b = pa->pa_bytes;
	static const uint8_t zero[16];

	if (pa->pa_family == AF_INET)
		return b[0] != 0 && (b[0] & 0xf0) != 0xe0 &&
		    !(b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255);
	return b[0] != 0xff && memcmp(b, zero, 16) != 0;
}

int
probe_addr_from_sockaddr(struct probe_addr *pa, const struct sockaddr *sa,
    socklen_t salen)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
	static const uint8_t	mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				    0xff, 0xff };

	memset(pa, 0, sizeof(*pa));
	if (sa->sa_family == AF_INET && salen >= sizeof(sin)) {
		memcpy(&sin, sa, sizeof(sin));
		pa->pa_family = AF_INET;
		pa->pa_len = 4;
		memcpy(pa->pa_bytes, &sin.sin_addr, 4);
		return 0;
	}
	if (sa->sa_family != AF_INET6 || salen < sizeof(sin6))
		return -1;
	memcpy(&sin6, sa, sizeof(sin6));
	if (memcmp(&sin6.sin6_addr, mapped, 12) == 0) {
		pa->pa_family = AF_INET;
		pa->pa_len = 4;
		memcpy(pa->pa_bytes, sin6.sin6_addr.s6_addr + 12, 4);
		return 0;
	}
	pa->pa_family = AF_INET6;
	pa->pa_len = 16;
	memcpy(pa->pa_bytes, &sin6.sin6_addr, 16);
	pa->pa_scope = sin6.sin6_scope_id;
	return 0;
}

socklen_t
probe_addr_to_sockaddr(const struct probe_addr *pa,
    struct sockaddr_storage *ss)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;

	memset(ss, 0, sizeof(*ss));
	if (pa->pa_family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, pa->pa_bytes, 4);
		memcpy(ss, &sin, sizeof(sin));
		return sizeof(sin);
	}
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	memcpy(&sin6.sin6_addr, pa->pa_bytes, 16);
	sin6.sin6_scope_id = pa->pa_scope;
	memcpy(ss, &sin6, sizeof(sin6));
	return sizeof(sin6);
}
