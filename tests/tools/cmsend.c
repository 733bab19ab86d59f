/*
 * cmsend: known traffic between two hosts of a test (a network namespace
 * and the host), TCP or UDP, IPv4 or IPv6.
 *
 *   cmsend sink tcp|udp PORT            discard what arrives, until killed
 *   cmsend send tcp|udp ADDR PORT BYTES [SIZE]
 *	send BYTES of payload (UDP: datagrams of SIZE, default 500) and
 *	print the payload bytes and writes sent
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static void __attribute__((noreturn))
sink(int tcp, const char *port)
{
	struct sockaddr_in6 sa;
	char buf[65536];
	int fd, off = 0, c;

	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;	/* dual stack: v4 and v6 */
	sa.sin6_port = htons((uint16_t)atoi(port));
	if ((fd = socket(AF_INET6, tcp ? SOCK_STREAM : SOCK_DGRAM, 0)) == -1)
		die("socket");
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		die("bind");
	if (tcp && listen(fd, 8) == -1)
		die("listen");
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if (!tcp) {
			if (recv(fd, buf, sizeof(buf), 0) < 0)
				die("recv");
			continue;
		}
		if ((c = accept(fd, NULL, NULL)) == -1)
			die("accept");
		while (read(c, buf, sizeof(buf)) > 0)
			;
		close(c);
	}
}

static int
send_to(int tcp, const char *addr, const char *port, long bytes, long size)
{
	struct addrinfo hints, *ai;
	static char buf[65536];
	long sent = 0, writes = 0;
	int fd;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(addr, port, &hints, &ai) != 0)
		die("getaddrinfo");
	if ((fd = socket(ai->ai_family, ai->ai_socktype, 0)) == -1 ||
	    connect(fd, ai->ai_addr, ai->ai_addrlen) == -1)
		die("connect");
	while (sent < bytes) {
		long n = bytes - sent < size ? bytes - sent : size;
		ssize_t w = write(fd, buf, (size_t)n);

		if (w < 0)
			die("write");
		sent += w;
		writes++;
		if (!tcp)
			usleep(200);	/* let the sink keep up */
	}
	if (tcp)
		shutdown(fd, SHUT_WR);
	while (tcp && read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	freeaddrinfo(ai);
	printf("%ld %ld\n", sent, writes);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "sink") == 0)
		sink(strcmp(argv[2], "tcp") == 0, argv[3]);
	if ((argc == 6 || argc == 7) && strcmp(argv[1], "send") == 0)
		return send_to(strcmp(argv[2], "tcp") == 0, argv[3], argv[4],
		    atol(argv[5]), argc == 7 ? atol(argv[6]) :
		    strcmp(argv[2], "tcp") == 0 ? 65536 : 500);
	fprintf(stderr, "usage: cmsend sink tcp|udp PORT | "
	    "cmsend send tcp|udp ADDR PORT BYTES [SIZE]\n");
	return 2;
}
