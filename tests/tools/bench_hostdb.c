/*
 * bench_hostdb: what the host database costs (issue 5's numbers).
 *
 *   bench_hostdb [HOSTS [SESSIONS [FILE]]]
 *	(defaults 1000000, 200000, and a file in $TMPDIR or /tmp)
 *
 *  1. Memory: RSS growth per host once HOSTS hosts (80% IPv4, 20% IPv6)
 *     have been folded in through windows of SESSIONS sessions, every
 *     host with 8 services in use (the worst case the target names),
 *     counters spread from 64 bytes to 1 GB; the published snapshot
 *     included (it shares the entries), and the fold's scratch.
 *  2. Time of one hostdb_add_window() -- fold plus publish of the sorted
 *     snapshot -- of SESSIONS sessions into the full database, wall
 *     clock and the thread's CPU: every session a different existing
 *     host (so nearly every chunk is copied on write: the worst case),
 *     first and second time (the first also pays for fresh pages), and
 *     10 sessions a host.
 *  3. hostdb_save() (fsync included) and hostdb_load() of the HOSTS
 *     hosts, and the file's size.
 *  4. A window with a quarter of its sessions from new hosts at the cap:
 *     a batch eviction inside the window.
 *  And the peak RSS (VmHWM) the copies on write of 2 reached.  Not a
 *  test: it prints figures.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/hostdb.h"

#define SEC		1000000LL
#define T0		(1717200000LL * SEC)
#define SERVICES	8

struct bench {
	struct services		*b_sv;
	struct hostdb_config	 b_config;
	struct hostdb		*b_hostdb;
	struct session		*b_sessions;
	size_t			 b_nsessions;
	size_t			 b_hosts;
	int64_t			 b_time;	/* next window's start */
	uint64_t		 b_rng;
};

static uint64_t
next_random(struct bench *b)
{
	b->b_rng ^= b->b_rng >> 12;
	b->b_rng ^= b->b_rng << 25;
	b->b_rng ^= b->b_rng >> 27;
	return b->b_rng * 0x2545f4914f6cdd1dULL;
}

static double
now(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* VmRSS or VmHWM, kB. */
static long
status_kb(const char *field)
{
	FILE	*f = fopen("/proc/self/status", "r");
	char	 line[256];
	long	 kb = -1;
	size_t	 n = strlen(field);

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, n) == 0) {
			kb = strtol(line + n + 1, NULL, 10);
			break;
		}
	if (f != NULL)
		fclose(f);
	return kb;
}

/* Session of host number i (a bijection spread over the addresses). */
static void
fill_session(struct bench *b, struct session *se, uint64_t host,
    unsigned int service)
{
	uint32_t	a = (uint32_t)(host * 2654435761u);
	uint64_t	octets = (uint64_t)64 << (next_random(b) % 24);

	memset(se, 0, sizeof(*se));
	se->se_key.sk_local[0] = 10;
	se->se_key.sk_local[3] = 1;
	if (host % 5 == 4) {
		se->se_key.sk_family = AF_INET6;
		se->se_key.sk_remote[0] = 0x20;
		se->se_key.sk_remote[1] = 0x01;
		se->se_key.sk_remote[2] = 0x0d;
		se->se_key.sk_remote[3] = 0xb8;
		memcpy(se->se_key.sk_remote + 8, &host, 8);
	} else {
		se->se_key.sk_family = AF_INET;
		memcpy(se->se_key.sk_remote, &a, 4);
	}
	se->se_key.sk_proto = 6;
	se->se_key.sk_port = (uint16_t)(1000 + service);
	se->se_service = (uint8_t)service;
	se->se_octets_in = octets + next_random(b) % octets;
	se->se_octets_out = se->se_octets_in / 8;
	se->se_packets_in = se->se_octets_in / 700 + 1;
	se->se_packets_out = se->se_octets_out / 200 + 1;
}

/* Folds n sessions as the next window; wall seconds, *cpu the thread's. */
static double
fold(struct bench *b, size_t n, double *cpu)
{
	struct window_closed	wd;
	double			w0, c0, w;

	memset(&wd, 0, sizeof(wd));
	wd.wd_start_us = b->b_time;
	wd.wd_length_us = 30 * SEC;
	wd.wd_sessions = b->b_sessions;
	wd.wd_nsessions = n;
	b->b_time += 30 * SEC;
	w0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_THREAD_CPUTIME_ID);
	hostdb_add_window(b->b_hostdb, &wd);
	w = now(CLOCK_MONOTONIC) - w0;
	if (cpu != NULL)
		*cpu = now(CLOCK_THREAD_CPUTIME_ID) - c0;
	return w;
}

static void
bench_memory(struct bench *b)
{
	const struct hostdb_snapshot	*sn;
	long				 rss0, rss1;
	size_t				 h = 0, n, i;
	double				 w, slowest = 0;

	rss0 = status_kb("VmRSS:");
	b->b_hostdb = hostdb_new(&b->b_config, b->b_sv);
	while (h < b->b_hosts) {
		for (n = 0; n < b->b_nsessions && h < b->b_hosts; h++)
			for (i = 1; i <= SERVICES && n < b->b_nsessions; i++)
				fill_session(b, &b->b_sessions[n++], h,
				    (unsigned int)i);
		if ((w = fold(b, n, NULL)) > slowest)
			slowest = w;
	}
	rss1 = status_kb("VmRSS:");
	sn = hostdb_acquire(b->b_hostdb);
	printf("memory: %zu hosts, %u services each: RSS +%ld kB, %.1f bytes "
	    "a host (target <= 256), snapshot and scratch included; "
	    "hostdb_memory() %.1f\n", sn->hs_entries, SERVICES, rss1 - rss0,
	    (double)(rss1 - rss0) * 1024 / (double)sn->hs_entries,
	    (double)hostdb_memory(b->b_hostdb) / (double)sn->hs_entries);
	printf("  building it: the slowest window of new hosts took %.1f ms\n",
	    slowest * 1000);
	hostdb_release(sn);
}

static void
bench_fold(struct bench *b)
{
	size_t	i, n = b->b_nsessions;
	double	w, cpu;

	/* 7919 is prime: i * 7919 mod hosts is distinct for i < hosts. */
	for (i = 0; i < n; i++)
		fill_session(b, &b->b_sessions[i], (i * 7919 + 13) % b->b_hosts,
		    1 + (unsigned int)(i % SERVICES));
	w = fold(b, n, &cpu);
	printf("fold + publish, %zu sessions of %zu different hosts into "
	    "%zu: %.1f ms wall, %.1f ms CPU (target < 200)\n", n,
	    n < b->b_hosts ? n : b->b_hosts, b->b_hosts, w * 1000, cpu * 1000);
	w = fold(b, n, &cpu);
	printf("  the same window again (pages of the first copies reused): "
	    "%.1f ms wall, %.1f ms CPU\n", w * 1000, cpu * 1000);
	for (i = 0; i < n; i++)
		fill_session(b, &b->b_sessions[i], (i / 10 * 7919 + 13) %
		    b->b_hosts, 1 + (unsigned int)(i % SERVICES));
	w = fold(b, n, &cpu);
	printf("fold + publish, %zu sessions of %zu hosts (10 each): %.1f ms "
	    "wall, %.1f ms CPU\n", n, n / 10, w * 1000, cpu * 1000);
	fold(b, 0, &cpu);
	w = now(CLOCK_MONOTONIC);
	for (i = 0; i < 1000; i++)
		hostdb_release(hostdb_acquire(b->b_hostdb));
	printf("an empty window (the publish alone): %.2f ms CPU; acquire + "
	    "release of a snapshot: %.2f us\n", cpu * 1000,
	    (now(CLOCK_MONOTONIC) - w) * 1e6 / 1000);
}

static int
bench_files(struct bench *b)
{
	const struct hostdb_snapshot	*sn;
	struct hostdb_status		 hs;
	struct hostdb			*loaded;
	struct stat			 st;
	double				 w;
	int				 r;

	w = now(CLOCK_MONOTONIC);
	if (hostdb_save(b->b_hostdb) < 0) {
		hostdb_status(b->b_hostdb, &hs);
		printf("save failed: %s\n", hs.hst_save_message);
		return -1;
	}
	w = now(CLOCK_MONOTONIC) - w;
	stat(b->b_config.hc_file, &st);
	sn = hostdb_acquire(b->b_hostdb);
	printf("save of %zu hosts: %.0f ms (target < 1000), fsync included; "
	    "%.1f MB, %.1f bytes a host\n", sn->hs_entries, w * 1000,
	    (double)st.st_size / 1e6, (double)st.st_size /
	    (double)sn->hs_entries);
	hostdb_release(sn);
	loaded = hostdb_new(&b->b_config, b->b_sv);
	w = now(CLOCK_MONOTONIC);
	r = hostdb_load(loaded);
	w = now(CLOCK_MONOTONIC) - w;
	sn = hostdb_acquire(loaded);
	printf("load of %zu hosts: %.0f ms (target < 1000)%s\n",
	    sn->hs_entries, w * 1000, r == HOSTDB_LOAD_OK ? "" : ": FAILED");
	hostdb_release(sn);
	hostdb_free(loaded);
	unlink(b->b_config.hc_file);
	return r == HOSTDB_LOAD_OK ? 0 : -1;
}

static void
bench_evict(struct bench *b)
{
	const struct hostdb_snapshot	*sn;
	size_t				 i, n = b->b_nsessions;
	double				 w, cpu;

	for (i = 0; i < n; i++)
		fill_session(b, &b->b_sessions[i], i % 4 == 0 ? b->b_hosts + i :
		    (i * 7919 + 13) % b->b_hosts,
		    1 + (unsigned int)(i % SERVICES));
	w = fold(b, n, &cpu);
	sn = hostdb_acquire(b->b_hostdb);
	printf("fold + publish, %zu sessions, %zu of them from new hosts at "
	    "the cap: %.1f ms wall, %.1f ms CPU; %llu evicted in one batch, "
	    "%zu hosts left\n", n, n / 4, w * 1000, cpu * 1000,
	    (unsigned long long)sn->hs_evictions, sn->hs_entries);
	hostdb_release(sn);
}

int
main(int argc, char **argv)
{
	struct bench	 b;
	char		 file[512];
	const char	*tmp = getenv("TMPDIR");
	int		 rc;

	memset(&b, 0, sizeof(b));
	b.b_hosts = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	b.b_nsessions = argc > 2 ? strtoul(argv[2], NULL, 10) : 200000;
	if (argc > 3)
		snprintf(file, sizeof(file), "%s", argv[3]);
	else
		snprintf(file, sizeof(file), "%s/bench_hostdb.%d",
		    tmp != NULL ? tmp : "/tmp", (int)getpid());
	b.b_sv = services_new();
	b.b_sessions = calloc(b.b_nsessions, sizeof(*b.b_sessions));
	if (b.b_hosts == 0 || b.b_nsessions < SERVICES || b.b_sv == NULL ||
	    b.b_sessions == NULL) {
		fprintf(stderr, "usage: bench_hostdb [HOSTS [SESSIONS [FILE]]]\n");
		return 2;
	}
	b.b_rng = 0x9e3779b97f4a7c15ULL;
	b.b_time = T0;
	hostdb_config_default(&b.b_config);
	b.b_config.hc_max_hosts = b.b_hosts;
	b.b_config.hc_file = file;
	printf("# bench_hostdb: %zu hosts (80%% IPv4), windows of %zu "
	    "sessions\n", b.b_hosts, b.b_nsessions);
	bench_memory(&b);
	bench_fold(&b);
	printf("peak RSS (VmHWM) so far %ld kB: %.1f bytes a host with the "
	    "copies on write of these windows (process, sessions included)\n",
	    status_kb("VmHWM:"), (double)status_kb("VmHWM:") * 1024 /
	    (double)b.b_hosts);
	rc = bench_files(&b);
	bench_evict(&b);
	hostdb_free(b.b_hostdb);
	free(b.b_sessions);
	services_free(b.b_sv);
	return rc < 0 ? 1 : 0;
}
