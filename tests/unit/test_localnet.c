/*
 * localnet: configured prefixes match what they should and nothing else,
 * every parse error has its message, and a refresh adds the host's own
 * addresses (checked against getifaddrs() read here independently)
 * without losing configured ones.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "capture/localnet.h"
#include "check.h"

static int
is_local(const struct localnet *ln, const char *text)
{
	uint8_t	addr[16] = { 0 };
	int	family = strchr(text, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(family, text, addr) != 1)
		return -1;
	return localnet_is_local(ln, family, addr);
}

static void
test_prefixes(void)
{
	struct localnet	*ln = localnet_new();
	char		 err[200] = "";
	uint8_t		 a[16] = { 0 }, b[16] = { 0 };

	CHECK(ln != NULL, "localnet made");
	if (ln == NULL)
		return;
	CHECK(is_local(ln, "10.0.0.1") == 0, "nothing is local at first");
	CHECK(localnet_parse(ln, "10.0.0.0/8 192.168.1.0/24", err,
	    sizeof(err)) == 0, "two IPv4 prefixes on one line (%s)", err);
	CHECK(localnet_parse(ln, "2001:db8::/32", err, sizeof(err)) == 0,
	    "an IPv6 prefix (%s)", err);
	CHECK(localnet_parse(ln, "172.16.5.9", err, sizeof(err)) == 0,
	    "an address alone (%s)", err);
	CHECK(localnet_parse(ln, "fe80::1:2", err, sizeof(err)) == 0,
	    "an IPv6 address alone (%s)", err);
	CHECK(localnet_parse(ln, "10.0.0.0/8", err, sizeof(err)) == 0 &&
	    localnet_count(ln, AF_INET) == 3,
	    "a repeated prefix is kept once (%zu IPv4)",
	    localnet_count(ln, AF_INET));
	CHECK_U64(localnet_count(ln, AF_INET6), 2, "two IPv6 prefixes");
	CHECK(is_local(ln, "10.255.255.255") == 1, "10.255.255.255 in 10/8");
	CHECK(is_local(ln, "11.0.0.0") == 0, "11.0.0.0 is not");
	CHECK(is_local(ln, "9.255.255.255") == 0, "9.255.255.255 is not");
	CHECK(is_local(ln, "192.168.1.77") == 1, "192.168.1.77 in the /24");
	CHECK(is_local(ln, "192.168.2.1") == 0, "192.168.2.1 is not");
	CHECK(is_local(ln, "172.16.5.9") == 1, "the /32 itself");
	CHECK(is_local(ln, "172.16.5.8") == 0, "its neighbour is not");
	CHECK(is_local(ln, "2001:db8:ffff::1") == 1, "2001:db8:ffff::1 in "
	    "2001:db8::/32");
	CHECK(is_local(ln, "2001:db9::1") == 0, "2001:db9::1 is not");
	CHECK(is_local(ln, "fe80::1:2") == 1, "the /128 itself");
	CHECK(is_local(ln, "fe80::1:3") == 0, "a /128 matches only itself");
	CHECK(is_local(ln, "::ffff:10.0.0.1") == 0,
	    "an IPv4-mapped IPv6 address is not matched by an IPv4 prefix");

	inet_pton(AF_INET, "10.1.1.1", a);
	inet_pton(AF_INET, "8.8.8.8", b);
	CHECK_U64(localnet_sides(ln, AF_INET, a, b), LOCALNET_SRC,
	    "sides: source local");
	CHECK_U64(localnet_sides(ln, AF_INET, b, a), LOCALNET_DST,
	    "sides: destination local");
	CHECK_U64(localnet_sides(ln, AF_INET, a, a),
	    LOCALNET_SRC | LOCALNET_DST, "sides: both local");
	CHECK_U64(localnet_sides(ln, AF_INET, b, b), 0, "sides: neither");
	CHECK_U64(localnet_sides(ln, 0, a, a), 0,
	    "sides: an unknown family is never local");
	localnet_free(ln);
}

static void
test_bits(void)
{
	struct localnet	*ln = localnet_new();
	char		 err[200];
	int		 ok = 1, len;
	char		 line[96], in[INET_ADDRSTRLEN], out[INET_ADDRSTRLEN];

	if (ln == NULL)
		return;
	/* Every IPv4 prefix length: the last address in, the next out. */
	for (len = 1; len <= 32 && ok; len++) {
		uint32_t	net = 0xc0a80000u & (len == 32 ? ~0u :
				    ~(0xffffffffu >> len));
		uint32_t	last = net | (len == 32 ? 0 :
				    0xffffffffu >> len);
		struct in_addr	x;

		localnet_free(ln);
		if ((ln = localnet_new()) == NULL)
			return;
		x.s_addr = htonl(net);
		inet_ntop(AF_INET, &x, in, sizeof(in));
		snprintf(line, sizeof(line), "%s/%d", in, len);
		if (localnet_parse(ln, line, err, sizeof(err)) < 0) {
			ok = 0;
			break;
		}
		x.s_addr = htonl(last);
		inet_ntop(AF_INET, &x, in, sizeof(in));
		x.s_addr = htonl(last + 1);
		inet_ntop(AF_INET, &x, out, sizeof(out));
		ok = is_local(ln, in) == 1 && is_local(ln, out) == 0;
	}
	CHECK(ok, "every IPv4 prefix length holds its last address and not "
	    "the next (stopped at /%d)", len - 1);
	localnet_free(ln);
	ln = localnet_new();
	if (ln == NULL)
		return;
	localnet_parse(ln, "2001:db8:aa80::/41", err, sizeof(err));
	CHECK(is_local(ln, "2001:db8:aaff:ffff::1") == 1 &&
	    is_local(ln, "2001:db8:ab00::") == 0 &&
	    is_local(ln, "2001:db8:aa7f:ffff::") == 0,
	    "an IPv6 /41 ends on its bit");
	localnet_parse(ln, "::/0", err, sizeof(err));
	CHECK(is_local(ln, "2a00::1") == 1 && is_local(ln, "8.8.8.8") == 0,
	    "::/0 makes every IPv6 address local and no IPv4 one");
	localnet_free(ln);
}

static void
check_error(const char *line, const char *want)
{
	struct localnet	*ln = localnet_new();
	char		 err[200] = "";
	int		 rc;

	if (ln == NULL)
		return;
	rc = localnet_parse(ln, line, err, sizeof(err));
	CHECK(rc == -1 && strcmp(err, want) == 0,
	    "\"%s\" is refused: %s (got \"%s\")", line, want, err);
	CHECK(localnet_count(ln, AF_INET) == 0 &&
	    localnet_count(ln, AF_INET6) == 0,
	    "\"%s\" adds nothing", line);
	localnet_free(ln);
}

static void
test_errors(void)
{
	check_error("", "missing prefix");
	check_error("10.0.0.0/33", "prefix length \"33\" out of range 0-32");
	check_error("2001:db8::/129",
	    "prefix length \"129\" out of range 0-128");
	check_error("10.0.0.0/8x", "prefix length \"8x\" is not a number");
	check_error("10.0.0.0/", "missing prefix length after '/'");
	check_error("10.0.0.300/8", "bad address \"10.0.0.300\"");
	check_error("/8", "bad address \"\"");
	check_error("example.com", "bad address \"example.com\"");
	check_error("10.1.2.3/8",
	    "10.1.2.3/8 has host bits set (the network is 10.0.0.0/8)");
	check_error("2001:db8::1/64", "2001:db8::1/64 has host bits set (the "
	    "network is 2001:db8::/64)");
	/* The good first prefix is not added when the second is bad. */
	check_error("10.0.0.0/8 10.0.0.0/99",
	    "prefix length \"99\" out of range 0-32");
}

/* The host's addresses, as getifaddrs() lists them here. */
static void
test_refresh(void)
{
	struct localnet	*ln = localnet_new();
	struct ifaddrs	*list, *ifa;
	char		 err[64], text[INET6_ADDRSTRLEN];
	size_t		 n = 0, hit = 0;
	const uint8_t	*a;

	if (ln == NULL)
		return;
	localnet_parse(ln, "198.51.100.0/24", err, sizeof(err));
	CHECK(localnet_refresh(ln) == 0, "refresh reads the interfaces");
	CHECK(localnet_refresh(ln) == 0, "a second refresh replaces them");
	if (getifaddrs(&list) < 0) {
		CHECK(0, "getifaddrs for the check");
		localnet_free(ln);
		return;
	}
	for (ifa = list; ifa != NULL; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL)
			continue;
		if (ifa->ifa_addr->sa_family == AF_INET)
			a = (const uint8_t *)&((struct sockaddr_in *)
			    (void *)ifa->ifa_addr)->sin_addr;
		else if (ifa->ifa_addr->sa_family == AF_INET6)
			a = (const uint8_t *)&((struct sockaddr_in6 *)
			    (void *)ifa->ifa_addr)->sin6_addr;
		else
			continue;
		n++;
		hit += localnet_is_local(ln, ifa->ifa_addr->sa_family, a);
		if (!localnet_is_local(ln, ifa->ifa_addr->sa_family, a)) {
			inet_ntop(ifa->ifa_addr->sa_family, a, text,
			    sizeof(text));
			printf("# %s %s is not local\n", ifa->ifa_name, text);
		}
	}
	freeifaddrs(list);
	CHECK(n > 0 && hit == n, "each of the host's %zu addresses is local "
	    "after a refresh", n);
	CHECK(is_local(ln, "127.0.0.53") == 1, "loopback counts with its "
	    "whole prefix: 127.0.0.53 is local");
	CHECK(is_local(ln, "198.51.100.7") == 1, "configured prefixes survive "
	    "a refresh");
	CHECK_U64(localnet_count(ln, AF_INET) + localnet_count(ln, AF_INET6),
	    n + 1, "configured plus one per host address, after two refreshes");
	CHECK(localnet_parse(ln, "203.0.113.0/24", err, sizeof(err)) == 0 &&
	    is_local(ln, "203.0.113.1") == 1 && is_local(ln, "127.0.0.1") == 1,
	    "a prefix added after a refresh keeps the host's addresses");
	localnet_free(ln);
}

int
main(void)
{
	test_prefixes();
	test_bits();
	test_errors();
	test_refresh();
	return check_done();
}
