/*
 * cmclients: many loopback clients, each with two open TCP connections,
 * held for the tests of per-client notifications.
 *
 *   cmclients N NET SECONDS [PER_SECOND]
 *
 * Listens on 127.0.0.1 and connects twice from each of N source
 * addresses 127.NET.x.y (x = i / 250, y = i % 250 + 1; N at most 62500),
 * accepting each connection, so that every address is a client with two
 * established connections, PER_SECOND new clients a second (default: as
 * fast as it can).  Prints "ready" once all are open, then holds them
 * SECONDS seconds (or until killed).  Needs 4 N + a few descriptors:
 * it raises its own limit, which root may.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PER_CLIENT	2

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static void
addr4(struct sockaddr_in *s4, const char *addr, int port)
{
	memset(s4, 0, sizeof(*s4));
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, addr, &s4->sin_addr);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	sa, src;
	struct rlimit		rl;
	socklen_t		len = sizeof(sa);
	char			source[32];
	struct timespec		start, now;
	long			n, net, secs, rate = 0, i, k;
	int			lfd, fd, one = 1, port;

	if ((argc != 4 && argc != 5) || (n = atol(argv[1])) < 1 ||
	    n > 62500 || (net = atol(argv[2])) < 1 || net > 254 ||
	    (secs = atol(argv[3])) < 1 ||
	    (argc == 5 && (rate = atol(argv[4])) < 1)) {
		fprintf(stderr, "usage: cmclients N(1-62500) NET(1-254) "
		    "SECONDS [PER_SECOND]\n");
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)(4 * n + 16)) {
		rl.rlim_cur = (rlim_t)(4 * n + 16);
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			die("setrlimit");
	}
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	addr4(&sa, "127.0.0.1", 0);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(lfd, 64) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len) == -1)
		die("listen");
	port = ntohs(sa.sin_port);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < n; i++) {
		/* Client i is due i / rate seconds after the start. */
		while (rate > 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if ((now.tv_sec - start.tv_sec) * 1000 +
			    (now.tv_nsec - start.tv_nsec) / 1000000 >=
			    i * 1000 / rate)
				break;
			usleep(2000);
		}
		snprintf(source, sizeof(source), "127.%ld.%ld.%ld", net,
		    i / 250, i % 250 + 1);
		for (k = 0; k < PER_CLIENT; k++) {
			if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
				die("socket");
			addr4(&src, source, 0);
			addr4(&sa, "127.0.0.1", port);
			if (bind(fd, (struct sockaddr *)&src, sizeof(src)) == -1)
				die("bind source");
			if (connect(fd, (struct sockaddr *)&sa,
			    sizeof(sa)) == -1)
				die("connect");
			if (accept(lfd, NULL, NULL) == -1)
				die("accept");
		}
	}
	printf("ready\n");
	fflush(stdout);
	sleep((unsigned)secs);
	return 0;
}
