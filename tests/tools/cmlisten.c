/*
 * cmlisten: a listener that does not accept, and clients that flood it,
 * for tests of cmListenTable.
 *
 *   cmlisten listen ADDR BACKLOG COUNTFILE
 *	listens on ADDR (IPv4 or IPv6) at a port the kernel picks, prints
 *	"port N" and never calls accept() until SIGUSR1; from then on it
 *	accepts every connection, keeps it open, and after each accept
 *	rewrites COUNTFILE with the number accepted so far.
 *   cmlisten connect ADDR PORT N
 *	opens N connections without waiting for them (non-blocking
 *	connect), prints "started" and holds them until killed; the
 *	kernel's SYN retries keep knocking on a full queue.
 *
 * Both exit 0 on SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CONNS_MAX	4096

static volatile sig_atomic_t	accepting, stopping;

static void
on_usr1(int sig)
{
	(void)sig;
	accepting = 1;
}

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static int
parse_addr(const char *s, int port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return 0;
	}
	fprintf(stderr, "cmlisten: bad address %s\n", s);
	return -1;
}

static void
write_count(const char *path, unsigned long n)
{
	char	tmp[4096];
	FILE	*f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return;
	fprintf(f, "%lu\n", n);
	fclose(f);
	rename(tmp, path);
}

static int
do_listen(const char *addr, int backlog, const char *countfile)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	unsigned long		accepted = 0;
	int			fd, one = 1;

	if (parse_addr(addr, 0, &ss, &len) < 0)
		return 2;
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    listen(fd, backlog) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		perror("cmlisten: listen");
		return 1;
	}
	write_count(countfile, 0);
	printf("port %u\n", ntohs(ss.ss_family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port));
	fflush(stdout);
	while (!stopping) {
		struct pollfd	pfd = { .fd = fd, .events = POLLIN };

		if (!accepting) {
			pause();
			continue;
		}
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if (accept(fd, NULL, NULL) < 0)
			continue;
		/* Kept open: the connection stays a row with an inode. */
		write_count(countfile, ++accepted);
	}
	return 0;
}

static int
do_connect(const char *addr, int port, int n)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			i, fd;

	if (parse_addr(addr, port, &ss, &len) < 0 || n > CONNS_MAX)
		return 2;
	for (i = 0; i < n; i++) {
		fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd < 0 || (connect(fd, (struct sockaddr *)&ss, len) < 0 &&
		    errno != EINPROGRESS)) {
			perror("cmlisten: connect");
			return 1;
		}
	}
	printf("started\n");
	fflush(stdout);
	while (!stopping)
		pause();
	return 0;
}

int
main(int argc, char **argv)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (argc == 5 && strcmp(argv[1], "listen") == 0)
		return do_listen(argv[2], atoi(argv[3]), argv[4]);
	if (argc == 5 && strcmp(argv[1], "connect") == 0)
		return do_connect(argv[2], atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: cmlisten listen ADDR BACKLOG COUNTFILE\n"
	    "       cmlisten connect ADDR PORT N\n");
	return 2;
}
