/*
 * cmtraffic: known traffic on loopback for the tests.
 *
 *   cmtraffic tcp BYTES_PER_SECOND SECONDS [6]
 *	paced TCP from a client to a server in this process, 100 slices a
 *	second; prints "port N" (the server's port) at once, then the bytes
 *	sent.
 *   cmtraffic udp COUNT SIZE [6]
 *	COUNT datagrams of SIZE bytes to a socket that reads them; prints
 *	the datagrams received.
 *
 * Loopback only: 127.0.0.1, or ::1 with "6".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int
loopback(struct sockaddr_storage *ss, int v6)
{
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*s4);
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
drain(void *arg)
{
	int fd = *(int *)arg;
	char buf[65536];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return NULL;
}

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static int
tcp(long rate, double seconds, int v6)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(&ss, v6);
	int lfd, cfd, sfd;
	long long sent = 0;
	pthread_t t;
	char *buf;
	double start, end;
	long slice = rate / 100;

	if ((lfd = socket(ss.ss_family, SOCK_STREAM, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(lfd, 1) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&ss, &len) == -1)
		die("listen");
	if ((cfd = socket(ss.ss_family, SOCK_STREAM, 0)) == -1 ||
	    connect(cfd, (struct sockaddr *)&ss, len) == -1)
		die("connect");
	if ((sfd = accept(lfd, NULL, NULL)) == -1)
		die("accept");
	printf("port %d\n", ntohs(ss.ss_family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port));
	fflush(stdout);
	pthread_create(&t, NULL, drain, &sfd);
	if ((buf = calloc(1, (size_t)slice + 1)) == NULL)
		die("calloc");
	start = now();
	end = start + seconds;
	for (int i = 1; now() < end; i++) {
		double due = start + i / 100.0;
		ssize_t n = write(cfd, buf, (size_t)slice);

		if (n < 0 && errno != EINTR)
			die("write");
		sent += n > 0 ? n : 0;
		while (now() < due)
			usleep(500);
	}
	shutdown(cfd, SHUT_WR);
	pthread_join(t, NULL);
	printf("%lld\n", sent);
	return 0;
}

static int
udp(long count, long size, int v6)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(&ss, v6);
	int rfd, sfd, rcvbuf = 8 << 20;
	long got = 0;
	char *buf = calloc(1, (size_t)size + 1);

	if (buf == NULL)
		die("calloc");
	if ((rfd = socket(ss.ss_family, SOCK_DGRAM, 0)) == -1 ||
	    setsockopt(rfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) ||
	    bind(rfd, (struct sockaddr *)&ss, len) == -1 ||
	    getsockname(rfd, (struct sockaddr *)&ss, &len) == -1)
		die("bind");
	if ((sfd = socket(ss.ss_family, SOCK_DGRAM, 0)) == -1 ||
	    connect(sfd, (struct sockaddr *)&ss, len) == -1)
		die("connect");
	for (long i = 0; i < count; i++) {
		struct pollfd p = { rfd, POLLIN, 0 };

		if (send(sfd, buf, (size_t)size, 0) < 0)
			die("send");
		while (poll(&p, 1, 0) > 0 && recv(rfd, buf, (size_t)size, 0) >= 0)
			got++;
	}
	for (;;) {
		struct pollfd p = { rfd, POLLIN, 0 };

		if (poll(&p, 1, 200) <= 0 || recv(rfd, buf, (size_t)size, 0) < 0)
			break;
		got++;
	}
	printf("%ld\n", got);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "tcp") == 0)
		return tcp(atol(argv[2]), atof(argv[3]),
		    argc > 4 && argv[4][0] == '6');
	if (argc >= 4 && strcmp(argv[1], "udp") == 0)
		return udp(atol(argv[2]), atol(argv[3]),
		    argc > 4 && argv[4][0] == '6');
	fprintf(stderr, "usage: cmtraffic tcp RATE SECONDS [6] | "
	    "udp COUNT SIZE [6]\n");
	return 2;
}
