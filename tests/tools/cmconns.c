/*
 * cmconns: TCP connections on loopback with known byte counts, held open
 * for the tests.
 *
 *   cmconns SECONDS [SOURCE]
 *
 * Opens three connections of each kind -- IPv4, IPv6, and IPv4-mapped
 * (a v6 client socket to ::ffff:127.0.0.1 on a dual-stack listener).  On
 * connection i the client sends (i+1)*1000 bytes and the server answers
 * (i+1)*3000; everything is read except on the last connection of each
 * kind, where the server leaves the client's bytes unread in its receive
 * queue.  Prints one line per connection,
 *	KIND CLIENT_PORT SERVER_PORT CLIENT_SENT SERVER_SENT UNREAD
 * then "ready", then holds the sockets SECONDS seconds.  With SOURCE (an
 * IPv4 loopback address such as 127.0.0.77) the IPv4 and v4-mapped clients
 * connect from it, so the test's connections are one client of their own.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PER_KIND 3

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static int
listener(int family, const char *addr, int v6only, int *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		inet_pton(AF_INET, addr, &s4->sin_addr);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		len = sizeof(*s6);
	}
	if ((fd = socket(family, SOCK_STREAM, 0)) == -1)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
		    sizeof(v6only));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, 16) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		die("listen");
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static const char *source4;	/* bind IPv4 and v4-mapped clients here */

static void
bind_source(int fd, int family, const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char mapped[64];

	if (source4 == NULL || strcmp(addr, "::1") == 0)
		return;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		inet_pton(AF_INET, source4, &s4->sin_addr);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		snprintf(mapped, sizeof(mapped), "::ffff:%s", source4);
		s6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, mapped, &s6->sin6_addr);
		len = sizeof(*s6);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) == -1)
		die("bind source");
}

static int
dial(int family, const char *addr, int port, int *lport)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, addr, &s4->sin_addr);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		len = sizeof(*s6);
	}
	if ((fd = socket(family, SOCK_STREAM, 0)) == -1)
		die("socket");
	bind_source(fd, family, addr);
	if (connect(fd, (struct sockaddr *)&ss, len) == -1)
		die("connect");
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		die("getsockname");
	*lport = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static void
xfer(int from, int to, size_t n, int drain)
{
	static char buf[65536];
	size_t done = 0;

	while (done < n) {
		size_t chunk = n - done < sizeof(buf) ? n - done : sizeof(buf);
		ssize_t w = write(from, buf, chunk);

		if (w <= 0)
			die("write");
		done += (size_t)w;
	}
	for (done = 0; drain && done < n;) {
		ssize_t r = read(to, buf, sizeof(buf));

		if (r <= 0)
			die("read");
		done += (size_t)r;
	}
}

int
main(int argc, char **argv)
{
	static const struct { const char *k; int lfam; const char *laddr;
		int v6only; int cfam; const char *caddr; } kinds[] = {
		{ "ipv4", AF_INET, "127.0.0.1", 0, AF_INET, "127.0.0.1" },
		{ "ipv6", AF_INET6, "::1", 1, AF_INET6, "::1" },
		{ "mapped", AF_INET6, "::", 0, AF_INET6, "::ffff:127.0.0.1" },
	};
	int fds[3 * PER_KIND * 2], nfds = 0;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: cmconns SECONDS [SOURCE]\n");
		return 2;
	}
	source4 = argc == 3 ? argv[2] : NULL;
	for (size_t k = 0; k < 3; k++) {
		int port, lfd = listener(kinds[k].lfam, kinds[k].laddr,
		    kinds[k].v6only, &port);

		for (int i = 0; i < PER_KIND; i++) {
			int cport, c = dial(kinds[k].cfam, kinds[k].caddr, port,
			    &cport);
			int s = accept(lfd, NULL, NULL);
			size_t up = (size_t)(i + 1) * 1000;
			size_t down = (size_t)(i + 1) * 3000;
			int last = i == PER_KIND - 1;

			if (s == -1)
				die("accept");
			xfer(c, s, up, !last);
			xfer(s, c, down, 1);
			printf("%s %d %d %zu %zu %zu\n", kinds[k].k, cport, port,
			    up, down, last ? up : 0);
			fds[nfds++] = c;
			fds[nfds++] = s;
		}
		close(lfd);
	}
	printf("ready\n");
	fflush(stdout);
	sleep((unsigned)atoi(argv[1]));
	while (nfds > 0)
		close(fds[--nfds]);
	return 0;
}
