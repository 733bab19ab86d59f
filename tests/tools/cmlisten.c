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
 *   cmlisten serve ADDR PORT N BYTES MS
 *	listens on ADDR PORT, accepts N connections, then sends BYTES on
 *	each, 64 KiB to each connection in turn every MS milliseconds,
 *	shuts each down for writing, prints "sent" and holds them.
 *   cmlisten fetch SRC ADDR PORT N [SEND [close]]
 *	opens N connections from address SRC, writes SEND bytes (default
 *	0) on each, reads each to its end, closes it there with "close",
 *	prints "done BYTES" (all it read) and stays until killed.
 *   cmlisten sink ADDR PORT
 *	listens on ADDR PORT, prints "listening", reads and discards what
 *	every connection sends and closes each at its end.
 *   cmlisten push SRC ADDR PORT N BYTES [MORE]
 *	opens N connections from SRC, writes BYTES on each, prints "sent";
 *	with MORE, waits for SIGUSR1, writes MORE more on each, closes
 *	them and prints "closed".  Stays until killed.
 *
 * All exit 0 on SIGTERM.
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
#include <time.h>
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

static int
do_serve(const char *addr, int port, int n, long long bytes, int ms)
{
	static char		chunk[65536];
	struct sockaddr_storage	ss;
	socklen_t		len;
	long long		left;
	int			fd, one = 1, i, conns[CONNS_MAX];
	struct timespec		pace = { ms / 1000, (ms % 1000) * 1000000L };

	if (parse_addr(addr, port, &ss, &len) < 0 || n > CONNS_MAX)
		return 2;
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    listen(fd, n) < 0) {
		perror("cmlisten: serve");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (i = 0; i < n; i++)
		if ((conns[i] = accept(fd, NULL, NULL)) < 0) {
			perror("cmlisten: accept");
			return 1;
		}
	memset(chunk, 'x', sizeof(chunk));
	for (left = bytes; left > 0 && !stopping; left -= sizeof(chunk)) {
		size_t	want = left < (long long)sizeof(chunk) ?
			    (size_t)left : sizeof(chunk);

		for (i = 0; i < n; i++) {
			size_t	done = 0;
			ssize_t	w;

			while (done < want && (w = write(conns[i],
			    chunk + done, want - done)) > 0)
				done += (size_t)w;
		}
		if (ms > 0)
			nanosleep(&pace, NULL);
	}
	for (i = 0; i < n; i++)
		shutdown(conns[i], SHUT_WR);
	printf("sent\n");
	fflush(stdout);
	while (!stopping)
		pause();
	return 0;
}

static int
do_fetch(const char *src, const char *addr, int port, int n, long send_,
    int close_)
{
	struct sockaddr_storage	ss, from;
	socklen_t		len, flen;
	struct pollfd		pfd[CONNS_MAX];
	char			buf[65536];
	long long		total = 0;
	int			i, open_ = n;

	if (parse_addr(addr, port, &ss, &len) < 0 ||
	    parse_addr(src, 0, &from, &flen) < 0 || n > CONNS_MAX)
		return 2;
	for (i = 0; i < n; i++) {
		pfd[i].fd = socket(ss.ss_family, SOCK_STREAM, 0);
		pfd[i].events = POLLIN;
		if (pfd[i].fd < 0 ||
		    bind(pfd[i].fd, (struct sockaddr *)&from, flen) < 0 ||
		    connect(pfd[i].fd, (struct sockaddr *)&ss, len) < 0) {
			perror("cmlisten: fetch");
			return 1;
		}
		memset(buf, 'y', sizeof(buf));
		for (long left = send_; left > 0; ) {
			ssize_t	w = write(pfd[i].fd, buf, left < (long)sizeof(buf) ?
				    (size_t)left : sizeof(buf));

			if (w <= 0) {
				perror("cmlisten: write");
				return 1;
			}
			left -= w;
		}
	}
	while (open_ > 0 && !stopping) {
		if (poll(pfd, n, 1000) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			ssize_t	r;

			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN |
			    POLLHUP | POLLERR)))
				continue;
			r = read(pfd[i].fd, buf, sizeof(buf));
			if (r > 0) {
				total += r;
				continue;
			}
			/* Done: keep the socket (or close it), stop polling. */
			if (close_)
				close(pfd[i].fd);
			pfd[i].events = 0;
			pfd[i].fd = -pfd[i].fd - 1;
			open_--;
		}
	}
	printf("done %lld\n", total);
	fflush(stdout);
	while (!stopping)
		pause();
	return 0;
}

static int
do_sink(const char *addr, int port)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	struct pollfd		pfd[CONNS_MAX + 1];
	char			buf[65536];
	int			fd, one = 1, n = 1, i;

	if (parse_addr(addr, port, &ss, &len) < 0)
		return 2;
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    listen(fd, 64) < 0) {
		perror("cmlisten: sink");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	pfd[0].fd = fd;
	pfd[0].events = POLLIN;
	while (!stopping) {
		if (poll(pfd, n, 500) <= 0)
			continue;
		for (i = n - 1; i >= 1; i--) {
			ssize_t	r;

			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if ((r = read(pfd[i].fd, buf, sizeof(buf))) > 0)
				continue;
			close(pfd[i].fd);
			pfd[i] = pfd[--n];
		}
		if ((pfd[0].revents & POLLIN) && n <= CONNS_MAX &&
		    (pfd[n].fd = accept(fd, NULL, NULL)) >= 0)
			pfd[n++].events = POLLIN;
	}
	return 0;
}

static int
write_all(int fd, long bytes)
{
	static char	buf[65536];
	ssize_t		w;

	memset(buf, 'z', sizeof(buf));
	while (bytes > 0) {
		w = write(fd, buf, bytes < (long)sizeof(buf) ? (size_t)bytes :
		    sizeof(buf));
		if (w <= 0)
			return -1;
		bytes -= w;
	}
	return 0;
}

static int
do_push(const char *src, const char *addr, int port, int n, long bytes,
    long more)
{
	struct sockaddr_storage	ss, from;
	socklen_t		len, flen;
	int			i, fds[CONNS_MAX];

	if (parse_addr(addr, port, &ss, &len) < 0 ||
	    parse_addr(src, 0, &from, &flen) < 0 || n > CONNS_MAX)
		return 2;
	for (i = 0; i < n; i++) {
		fds[i] = socket(ss.ss_family, SOCK_STREAM, 0);
		if (fds[i] < 0 ||
		    bind(fds[i], (struct sockaddr *)&from, flen) < 0 ||
		    connect(fds[i], (struct sockaddr *)&ss, len) < 0 ||
		    write_all(fds[i], bytes) < 0) {
			perror("cmlisten: push");
			return 1;
		}
	}
	printf("sent\n");
	fflush(stdout);
	if (more >= 0) {
		while (!accepting && !stopping)
			pause();
		for (i = 0; i < n; i++)
			if (write_all(fds[i], more) < 0 || close(fds[i]) < 0) {
				perror("cmlisten: push");
				return 1;
			}
		printf("closed\n");
		fflush(stdout);
	}
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
	if (argc == 4 && strcmp(argv[1], "sink") == 0)
		return do_sink(argv[2], atoi(argv[3]));
	if ((argc == 7 || argc == 8) && strcmp(argv[1], "push") == 0)
		return do_push(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]),
		    atol(argv[6]), argc == 8 ? atol(argv[7]) : -1);
	if (argc == 7 && strcmp(argv[1], "serve") == 0)
		return do_serve(argv[2], atoi(argv[3]), atoi(argv[4]),
		    atoll(argv[5]), atoi(argv[6]));
	if (argc >= 6 && argc <= 8 && strcmp(argv[1], "fetch") == 0)
		return do_fetch(argv[2], argv[3], atoi(argv[4]),
		    atoi(argv[5]), argc > 6 ? atol(argv[6]) : 0,
		    argc > 7 && strcmp(argv[7], "close") == 0);
	fprintf(stderr, "usage: cmlisten listen ADDR BACKLOG COUNTFILE\n"
	    "       cmlisten connect ADDR PORT N\n"
	    "       cmlisten serve ADDR PORT N BYTES MS\n"
	    "       cmlisten fetch SRC ADDR PORT N [SEND [close]]\n"
	    "       cmlisten sink ADDR PORT\n"
	    "       cmlisten push SRC ADDR PORT N BYTES [MORE]\n");
	return 2;
}
