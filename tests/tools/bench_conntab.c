/*
 * bench_conntab: how long a connection-table refresh takes with many
 * connections, and what a row costs in memory.
 *
 *   bench_conntab [CONNECTIONS [REFRESHES]]	(defaults 10000 and 10)
 *   bench_conntab --hold CONNECTIONS
 *	only opens the connections, prints "ready" and holds them until
 *	killed (for timing SNMP walks over them)
 *
 * Opens CONNECTIONS TCP connections on loopback (each is two sockets, so
 * twice as many rows), then times REFRESHES refreshes: the whole
 * conntab_refresh() (netlink dump + rates + table build + owner lookup),
 * the same without owners, the dump alone and the build alone.  The first
 * refresh, which also scans /proc once for the owners of every socket, is
 * shown apart.
 *
 * The sockets live in worker processes, as many as the open-file limit
 * requires (it is raised when allowed), so the benchmark itself holds only
 * its netlink socket.  Clients bind to 127.0.0.2..127.0.0.33 with
 * IP_BIND_ADDRESS_NO_PORT and spread over several listeners, so the
 * ephemeral port range is not the limit.  Workers close every socket with
 * an RST when the benchmark ends or dies: no TIME_WAIT is left behind.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conns/conntab.h"
#include "conns/sockdiag.h"

#define NLISTENERS	8
#define NSOURCES	32

struct bench {
	int	*bn_fds;	/* client, server, client, server, ... */
	size_t	 bn_nfds;
	int	 bn_listen[NLISTENERS];
};

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Raises the open-file limit towards want; returns the limit in force. */
static size_t
raise_nofile(size_t want)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	if (rl.rlim_cur >= want)
		return rl.rlim_cur;
	rl.rlim_cur = want;
	if (rl.rlim_max < want)
		rl.rlim_max = want;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		return want;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	return rl.rlim_cur;
}

static void
loopback(struct sockaddr_in *sin, int host, uint16_t port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	sin->sin_addr.s_addr = htonl(0x7f000000u | host);
}

static int
open_listeners(struct bench *bn)
{
	struct sockaddr_in	sin;
	int			i;

	for (i = 0; i < NLISTENERS; i++) {
		bn->bn_listen[i] = socket(AF_INET, SOCK_STREAM, 0);
		loopback(&sin, 1, 0);
		if (bn->bn_listen[i] < 0 ||
		    bind(bn->bn_listen[i], (struct sockaddr *)&sin,
		    sizeof(sin)) < 0 || listen(bn->bn_listen[i], 4096) < 0) {
			perror("bench_conntab: listener");
			return -1;
		}
	}
	return 0;
}

static int
open_one(struct bench *bn, size_t i)
{
	struct sockaddr_in	src, dst;
	socklen_t		len = sizeof(dst);
	int			cli, srv, one = 1, lfd;

	lfd = bn->bn_listen[i % NLISTENERS];
	if (getsockname(lfd, (struct sockaddr *)&dst, &len) < 0)
		return -1;
	cli = socket(AF_INET, SOCK_STREAM, 0);
	if (cli < 0)
		return -1;
	bn->bn_fds[bn->bn_nfds++] = cli;
	setsockopt(cli, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	loopback(&src, 2 + i % NSOURCES, 0);
	if (bind(cli, (struct sockaddr *)&src, sizeof(src)) < 0 ||
	    connect(cli, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		return -1;
	srv = accept(lfd, NULL, NULL);
	if (srv < 0)
		return -1;
	bn->bn_fds[bn->bn_nfds++] = srv;
	/* A little traffic so every tcp_info has counters to carry. */
	if (write(cli, "bench", 5) != 5)
		return -1;
	return 0;
}

/* Closes everything with an RST so no TIME_WAIT outlives the bench. */
static void
close_all(struct bench *bn)
{
	struct linger	lg = { 1, 0 };
	size_t		i;
	int		j;

	for (i = 0; i < bn->bn_nfds; i++) {
		setsockopt(bn->bn_fds[i], SOL_SOCKET, SO_LINGER, &lg,
		    sizeof(lg));
		close(bn->bn_fds[i]);
	}
	for (j = 0; j < NLISTENERS; j++)
		if (bn->bn_listen[j] >= 0)
			close(bn->bn_listen[j]);
	free(bn->bn_fds);
}

static void
report(const char *name, double *ms, int n)
{
	qsort(ms, n, sizeof(*ms), cmp_double);
	printf("%-28s min %8.2f  median %8.2f  max %8.2f\n", name, ms[0],
	    ms[n / 2], ms[n - 1]);
}

static struct conntab *
new_table(int processes, size_t max)
{
	struct ct_config	cf;

	conntab_config_default(&cf);
	cf.cf_processes = processes;
	cf.cf_max_conns = max;
	return conntab_new(&cf);
}

/* One connection in this process, which owns no socket yet, then one
 * refresh: the worst case for procpid, which looks through the known
 * owners first.  Its time in ms, or -1. */
static double
rescan_ms(struct conntab *ct)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	struct linger		lg = { 1, 0 };
	int			l, c, a;
	double			t;

	l = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	loopback(&sin, 1, 0);
	if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&sin, len) < 0 ||
	    listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&sin, &len) < 0 ||
	    connect(c, (struct sockaddr *)&sin, len) < 0 ||
	    (a = accept(l, NULL, NULL)) < 0)
		return -1;
	t = now_ms();
	if (conntab_refresh(ct) < 0)
		return -1;
	t = now_ms() - t;
	setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(c);
	close(a);
	close(l);
	return t;
}

/* Times the refreshes with and without owner lookup, the dump alone and
 * the build alone.  ms has room for 4 * m values. */
static int
time_refreshes(size_t max, int m, double *ms, const struct ct_snapshot **snp,
    struct conntab **ctp)
{
	struct conntab	*ct, *bare;
	struct sockdiag	*sd;
	struct sd_list	 sl;
	struct timespec	 real;
	double		 t;
	int		 i;

	ct = new_table(1, max);
	bare = new_table(0, max);
	sd = sockdiag_open();
	if (ct == NULL || bare == NULL || sd == NULL)
		return -1;
	t = now_ms();
	if (conntab_refresh(ct) < 0)
		return -1;
	printf("%-28s %8.2f ms (includes the one full /proc scan)\n",
	    "first refresh", now_ms() - t);
	for (i = 0; i < m; i++) {
		t = now_ms();
		if (conntab_refresh(ct) < 0)
			return -1;
		ms[i] = now_ms() - t;
		t = now_ms();
		if (conntab_refresh(bare) < 0)
			return -1;
		ms[m + i] = now_ms() - t;
	}
	sockdiag_list_init(&sl, max);
	for (i = 0; i < m; i++) {
		t = now_ms();
		if (sockdiag_dump(sd, &sl) < 0)
			return -1;
		ms[2 * m + i] = now_ms() - t;
		clock_gettime(CLOCK_REALTIME, &real);
		t = now_ms();
		if (conntab_build(bare, &sl, (int64_t)(now_ms() * 1e6),
		    &real) < 0)
			return -1;
		ms[3 * m + i] = now_ms() - t;
	}
	t = rescan_ms(ct);
	if (t < 0)
		return -1;
	printf("%-28s %8.2f ms (a new socket in a new process: /proc "
	    "scanned again)\n", "refresh after a new socket", t);
	*snp = conntab_acquire(ct);
	*ctp = ct;
	sockdiag_list_free(&sl);
	sockdiag_close(sd);
	conntab_free(bare);
	return 0;
}

static void
report_memory(const struct conntab *ct, const struct ct_snapshot *sn)
{
	size_t	rows = sn->sn_nrows ? sn->sn_nrows : 1;

	printf("%-28s %zu\n", "sizeof(struct ct_row)", sizeof(struct ct_row));
	printf("%-28s %zu\n", "sizeof(struct ct_client)",
	    sizeof(struct ct_client));
	printf("%-28s %zu\n", "sizeof(struct sd_sock)", sizeof(struct sd_sock));
	printf("%-28s %.1f (row + cookie hash + client share)\n",
	    "snapshot bytes per row", (double)sn->sn_bytes / rows);
	printf("%-28s %.1f (+ dump buffer, sort scratch, owner cache)\n",
	    "table bytes per row", (double)conntab_memory(ct) / rows);
}

/* Opens n connections numbered from first, reports 'k' (or 'e') on
 * ready, holds them until hold reaches end of file, closes them, exits. */
static void
worker(size_t first, size_t n, int ready, int hold)
{
	struct bench	bn;
	char		c = 'k';
	size_t		i;

	memset(&bn, 0, sizeof(bn));
	for (i = 0; i < NLISTENERS; i++)
		bn.bn_listen[i] = -1;
	bn.bn_fds = calloc(2 * n, sizeof(*bn.bn_fds));
	if (bn.bn_fds == NULL || open_listeners(&bn) < 0)
		c = 'e';
	for (i = 0; c == 'k' && i < n; i++) {
		if (open_one(&bn, first + i) < 0) {
			fprintf(stderr, "bench_conntab: connection %zu: %s\n",
			    first + i, strerror(errno));
			c = 'e';
		}
	}
	if (write(ready, &c, 1) != 1)
		c = 'e';
	while (c == 'k' && read(hold, &c, 1) > 0)
		;
	close_all(&bn);
	_exit(0);
}

struct workers {
	pid_t	*wk_pids;
	int	*wk_hold;	/* write ends; closing one ends its worker */
	size_t	 wk_n;
};

static void
stop_workers(struct workers *wk)
{
	size_t	i;

	for (i = 0; i < wk->wk_n; i++)
		close(wk->wk_hold[i]);
	for (i = 0; i < wk->wk_n; i++)
		waitpid(wk->wk_pids[i], NULL, 0);
	free(wk->wk_pids);
	free(wk->wk_hold);
}

/* Starts workers of at most per connections each, one after another. */
static int
start_workers(struct workers *wk, size_t n, size_t per)
{
	size_t	first, cnt, i, max = n / per + 1;
	int	ready[2], hold[2];
	char	c = 'e';
	pid_t	pid;

	wk->wk_n = 0;
	wk->wk_pids = calloc(max, sizeof(*wk->wk_pids));
	wk->wk_hold = calloc(max, sizeof(*wk->wk_hold));
	if (wk->wk_pids == NULL || wk->wk_hold == NULL)
		return -1;
	for (first = 0; first < n; first += cnt) {
		cnt = n - first < per ? n - first : per;
		if (pipe(ready) < 0 || pipe(hold) < 0)
			return -1;
		if ((pid = fork()) < 0)
			return -1;
		if (pid == 0) {
			close(ready[0]);
			close(hold[1]);
			for (i = 0; i < wk->wk_n; i++)
				close(wk->wk_hold[i]);
			worker(first, cnt, ready[1], hold[0]);
		}
		close(ready[1]);
		close(hold[0]);
		wk->wk_pids[wk->wk_n] = pid;
		wk->wk_hold[wk->wk_n++] = hold[1];
		if (read(ready[0], &c, 1) != 1 || c != 'k') {
			close(ready[0]);
			return -1;
		}
		close(ready[0]);
	}
	return 0;
}

static volatile sig_atomic_t	held;

static void
on_term(int sig)
{
	(void)sig;
	held = 0;
}

/* --hold: the connections and nothing else, until SIGTERM or SIGINT. */
static int
hold(size_t n)
{
	struct workers	wk;
	size_t		limit, per;

	limit = raise_nofile(2 * n + NLISTENERS + 256);
	per = limit > 2 * 256 ? (limit - NLISTENERS - 256) / 2 : 1;
	memset(&wk, 0, sizeof(wk));
	if (n == 0 || start_workers(&wk, n, per) < 0) {
		fprintf(stderr, "bench_conntab: could not open %zu "
		    "connections\n", n);
		stop_workers(&wk);
		return 1;
	}
	held = 1;
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	printf("ready\n");
	fflush(stdout);
	while (held)
		pause();
	stop_workers(&wk);
	return 0;
}

int
main(int argc, char **argv)
{
	struct workers			 wk;
	const struct ct_snapshot	*sn = NULL;
	struct conntab			*ct = NULL;
	size_t				 n = 10000, limit, per;
	int				 m = 10, rc = 1;
	double				*ms, t;

	if (argc == 3 && strcmp(argv[1], "--hold") == 0)
		return hold(strtoul(argv[2], NULL, 10));
	if (argc > 1)
		n = strtoul(argv[1], NULL, 10);
	if (argc > 2)
		m = atoi(argv[2]);
	if (n == 0 || m <= 0) {
		fprintf(stderr, "usage: bench_conntab [CONNECTIONS "
		    "[REFRESHES]]\n");
		return 2;
	}
	ms = calloc(4 * m, sizeof(*ms));
	if (ms == NULL)
		return 1;
	limit = raise_nofile(2 * n + NLISTENERS + 256);
	per = limit > 2 * 256 ? (limit - NLISTENERS - 256) / 2 : 1;
	memset(&wk, 0, sizeof(wk));
	t = now_ms();
	if (start_workers(&wk, n, per) < 0) {
		fprintf(stderr, "bench_conntab: could not open %zu "
		    "connections\n", n);
		goto out;
	}
	printf("bench_conntab: %zu connections on loopback (%zu sockets in "
	    "%zu worker process%s), opened in %.0f ms, %d refreshes\n", n,
	    2 * n, wk.wk_n, wk.wk_n == 1 ? "" : "es", now_ms() - t, m);
	if (time_refreshes(4 * n + 4096, m, ms, &sn, &ct) < 0) {
		perror("bench_conntab: refresh");
		goto out;
	}
	printf("%-28s %zu (listeners %u, clients %zu)\n", "rows",
	    sn->sn_nrows, sn->sn_summary.cs_listeners, sn->sn_nclients);
	report("refresh ms", ms, m);
	report("refresh ms, no owners", ms + m, m);
	report("  dump ms", ms + 2 * m, m);
	report("  build ms, no owners", ms + 3 * m, m);
	report_memory(ct, sn);
	rc = 0;
out:
	conntab_release(sn);
	conntab_free(ct);
	stop_workers(&wk);
	free(ms);
	return rc;
}
