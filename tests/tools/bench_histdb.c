/*
 * bench_histdb: what writing one window into the history database costs
 * (issue 12: "writing one window with 200,000 sessions and 100,000 hosts
 * touched: under 200 ms in the writer thread, SQLite").
 *
 *   bench_histdb [SESSIONS [HOSTS [FILE]]]
 *	(defaults 200000, 100000, and a fresh file in $TMPDIR or /tmp)
 *
 * A window of SESSIONS sessions spread over HOSTS remote hosts (80%
 * IPv4, 20% IPv6; each host's sessions under one of 4 services) goes
 * through histdb_submit(); the writer's time is from the submit to
 * histdb_status() counting it written: copying out of the queue,
 * ranking the top 100, adding the hosts up, and the transaction (its
 * own duration printed too, hs_last_write_ms).  Three windows: the
 * first into an empty file, the second of the same day (every host row
 * an update), the third the next day (every host row new again).  Also
 * the capture thread's part, histdb_submit() itself, and the file's
 * size.  Not a test: it prints figures.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/histdb.h"

#define SEC		1000000LL
#define T0		(1717200000LL * SEC)	/* 2024-06-01T00:00:00Z */

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The process's CPU time: the writer's work, as the main thread only
 * polls; less disturbed by other load than the wall clock. */
static double
cpu_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
make_sessions(struct session *s, size_t n, size_t hosts,
    const struct services *sv)
{
	static const char *const names[4] = { "www", "dns", "ssh", "mail" };
	unsigned int	idx[4];
	size_t		i, h;
	uint32_t	v;

	for (i = 0; i < 4; i++)
		idx[i] = services_find(sv, names[i])->sv_index;
	memset(s, 0, n * sizeof(*s));
	for (i = 0; i < n; i++) {
		h = i % hosts;
		v = (uint32_t)h;
		s[i].se_key.sk_local[0] = 10;
		s[i].se_key.sk_local[3] = 1;
		if (h % 5 == 4) {
			s[i].se_key.sk_family = AF_INET6;
			s[i].se_key.sk_remote[0] = 0x20;
			s[i].se_key.sk_remote[1] = 0x01;
			s[i].se_key.sk_remote[2] = 0x0d;
			s[i].se_key.sk_remote[3] = 0xb8;
			memcpy(&s[i].se_key.sk_remote[12], &v, 4);
		} else {
			s[i].se_key.sk_family = AF_INET;
			v += 0x64400000u;
			s[i].se_key.sk_remote[0] = (uint8_t)(v >> 24);
			s[i].se_key.sk_remote[1] = (uint8_t)(v >> 16);
			s[i].se_key.sk_remote[2] = (uint8_t)(v >> 8);
			s[i].se_key.sk_remote[3] = (uint8_t)v;
		}
		s[i].se_key.sk_proto = 6;
		s[i].se_key.sk_port = (uint16_t)(1024 + i / hosts);
		s[i].se_service = (uint8_t)idx[h % 4];
		s[i].se_octets_in = 64 + (i * 7919) % 1000000;
		s[i].se_octets_out = 64 + (i * 104729) % 100000;
		s[i].se_packets_in = 1 + i % 100;
		s[i].se_packets_out = 1 + i % 50;
		s[i].se_last = (uint32_t)(i % 29000);
	}
}

int
main(int argc, char **argv)
{
	size_t			 n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
	size_t			 hosts = argc > 2 ? strtoul(argv[2], NULL, 10) :
				    100000;
	struct histdb_config	 cf;
	struct histdb_status	 st;
	struct session_totals	*tt;
	struct window_closed	 wd;
	struct services		*sv;
	struct session		*s;
	struct histdb		*hd;
	struct stat		 sb;
	char			 file[256], err[256];
	const char		*tmp = getenv("TMPDIR");
	double			 t0, t1, t2, c0, c2;
	size_t			 i;
	int			 w;

	if (n == 0 || hosts == 0 || hosts > n) {
		fprintf(stderr, "usage: bench_histdb [SESSIONS [HOSTS [FILE]]]"
		    "\n");
		return 2;
	}
	if (argc > 3)
		snprintf(file, sizeof(file), "%s", argv[3]);
	else
		snprintf(file, sizeof(file), "%s/bench_histdb.%d.sqlite",
		    tmp != NULL ? tmp : "/tmp", (int)getpid());
	unlink(file);
	if ((sv = services_new()) == NULL ||
	    (s = malloc(n * sizeof(*s))) == NULL ||
	    (tt = calloc(1, sizeof(*tt))) == NULL)
		return 2;
	make_sessions(s, n, hosts, sv);
	for (i = 0; i < n; i++) {
		tt->tt_remote.sc_octets_in += s[i].se_octets_in;
		tt->tt_by_service[s[i].se_service].sc_octets_in +=
		    s[i].se_octets_in;
		tt->tt_by_service[s[i].se_service].sc_packets_in +=
		    s[i].se_packets_in;
	}
	histdb_config_default(&cf);
	cf.hc_target = file;
	cf.hc_agent = "bench";
	if ((hd = histdb_new(&cf, sv, err, sizeof(err))) == NULL ||
	    histdb_start(hd, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_histdb: %s\n", err);
		return 1;
	}
	printf("one window of %zu sessions, %zu hosts, into %s\n", n, hosts,
	    file);
	for (w = 0; w < 3; w++) {
		memset(&wd, 0, sizeof(wd));
		wd.wd_start_us = w < 2 ? T0 + w * 30 * SEC : T0 + 86400 * SEC;
		wd.wd_length_us = 30 * SEC;
		wd.wd_sessions = s;
		wd.wd_nsessions = n;
		wd.wd_totals = tt;
		c0 = cpu_ms();
		t0 = now_ms();
		if (histdb_submit(hd, &wd, NULL) < 0) {
			fprintf(stderr, "bench_histdb: submit refused\n");
			return 1;
		}
		t1 = now_ms();
		do {
			histdb_status(hd, &st);
			if (st.hs_windows_written < (uint64_t)w + 1)
				usleep(200);
		} while (st.hs_windows_written + st.hs_windows_dropped <
		    (uint64_t)w + 1);
		t2 = now_ms();
		c2 = cpu_ms();
		printf("  %-34s submit %6.1f ms, writer %6.1f ms "
		    "(transaction %u ms), CPU %6.1f ms\n", w == 0 ?
		    "first (empty file):" : w == 1 ?
		    "second (same day, hosts updated):" :
		    "third (next day, hosts new):", t1 - t0, t2 - t0,
		    st.hs_last_write_ms, c2 - c0);
	}
	histdb_status(hd, &st);
	printf("  rows written %llu, dropped %llu, last error \"%s\"\n",
	    (unsigned long long)st.hs_rows_written,
	    (unsigned long long)st.hs_windows_dropped, st.hs_last_error);
	histdb_free(hd);
	if (stat(file, &sb) == 0)
		printf("  file %lld bytes (%.0f bytes a host row)\n",
		    (long long)sb.st_size, (double)sb.st_size /
		    (double)(st.hs_rows_written > 0 ? st.hs_rows_written : 1));
	if (argc <= 3) {
		char	side[sizeof(file) + 8];

		unlink(file);
		snprintf(side, sizeof(side), "%s-wal", file);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", file);
		unlink(side);
	}
	free(s);
	free(tt);
	services_free(sv);
	return 0;
}
