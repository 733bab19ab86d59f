/*
 * cmhistpg: drives the history database's PostgreSQL backend
 * (src/store/histdb_pg.c) for the tests, one command a line on stdin,
 * one line of result each on stdout (flushed), so that a test can stop
 * and start the server between two commands of one connection.
 *
 *   cmhistpg [-p PASSWORD_FILE] URL AGENT
 *
 *   open
 *	"open ok", or "open fail errno=NAME: MESSAGE"
 *   write START HOSTS SESSIONS [dup] [agent=NAME]
 *	one generated window of AGENT starting at START (unix seconds):
 *	two sources, three services, SESSIONS top sessions, HOSTS per-day
 *	host rows (with dup, each host and service in two rows), two
 *	probes; the batch's hb_agent NAME instead of AGENT when given.
 *	"write START rc=1 ms=12.3 cpu_ms=4.5 server_cpu_ms=20 rows=N
 *	octets_in=SUM hosts_octets_in=SUM" (rc as the backend returns it:
 *	1 written, 0 already there, -2 refused, -1 failed, the last two
 *	with "error=..."; ms the wall time, cpu_ms this thread's CPU time
 *	in the write, server_cpu_ms the server's, -1 unless
 *	$CMHISTPG_POSTMASTER names its postmaster's pid)
 *   expire BEFORE_S BEFORE_DAY LIMIT
 *	"expire n=N" (N deleted, -1 with "error=...")
 *   close
 *
 * Generated values depend only on AGENT, START and the row's index, so a
 * window written twice is the same batch; the sums printed are of what
 * was handed to the backend, for the test to compare with the database.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/histdb_int.h"

#define CMHISTPG_NAME_MAX	64	/* bytes of a made-up host name */

static const char *services[] = { "http", "https", "dns" };

static uint64_t
mix(uint64_t x)
{
	/* splitmix64: a repeatable value for each (start, index). */
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint32_t
utc_day(int64_t s)
{
	time_t		t = (time_t)s;
	struct tm	tm;

	gmtime_r(&t, &tm);
	return (uint32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
	    tm.tm_mday);
}

static int
make_batch(struct histdb_batch *b, const char *agent, int64_t start,
    size_t hosts, size_t sessions, int dup, uint64_t *octets_in,
    uint64_t *host_in)
{
	size_t	k, keys = dup ? (hosts + 1) / 2 : hosts;
	size_t	i;
	uint64_t r;

	memset(b, 0, sizeof(*b));
	snprintf(b->hb_agent, sizeof(b->hb_agent), "%s", agent);
	b->hb_start_s = start;
	b->hb_length_s = 30;
	b->hb_day = utc_day(start);
	b->hb_nwindows = 2;
	b->hb_nservices = 3;
	b->hb_nsessions = sessions;
	b->hb_nhosts = hosts;
	b->hb_nprobes = 2;
	b->hb_windows = calloc(2, sizeof(*b->hb_windows));
	b->hb_services = calloc(3, sizeof(*b->hb_services));
	b->hb_sessions = calloc(sessions + 1, sizeof(*b->hb_sessions));
	b->hb_hosts = calloc(hosts + 1, sizeof(*b->hb_hosts));
	b->hb_probes = calloc(2, sizeof(*b->hb_probes));
	b->hb_nprocs = 2;
	b->hb_procs = calloc(2, sizeof(*b->hb_procs));
	b->hb_names = calloc(hosts + 1, CMHISTPG_NAME_MAX);
	if (b->hb_windows == NULL || b->hb_services == NULL ||
	    b->hb_sessions == NULL || b->hb_hosts == NULL ||
	    b->hb_probes == NULL || b->hb_procs == NULL ||
	    b->hb_names == NULL)
		return -1;
	*octets_in = *host_in = 0;
	for (i = 0; i < 2; i++) {
		struct histdb_window_row *w = &b->hb_windows[i];

		r = mix((uint64_t)start * 16 + i);
		snprintf(w->wr_source, sizeof(w->wr_source), "eth%zu", i);
		w->wr_octets_in = r % 1000000;
		w->wr_octets_out = r / 7 % 1000000;
		w->wr_packets_in = r % 1000;
		w->wr_packets_out = r / 11 % 1000;
		w->wr_sessions = r % 50;
		w->wr_local_octets = r % 333;
		w->wr_drops = i;
		w->wr_rtt_us = i == 0 ? (int64_t)(r % 5000) : -1;
		*octets_in += w->wr_octets_in;
	}
	for (i = 0; i < 3; i++) {
		struct histdb_service_row *s = &b->hb_services[i];

		r = mix((uint64_t)start * 16 + 4 + i);
		snprintf(s->sr_service, sizeof(s->sr_service), "%s",
		    services[i]);
		s->sr_octets_in = r % 100000;
		s->sr_octets_out = r / 3 % 100000;
		s->sr_packets_in = r % 100;
		s->sr_packets_out = r / 5 % 100;
	}
	for (i = 0; i < sessions; i++) {
		struct histdb_session_row *e = &b->hb_sessions[i];

		r = mix((uint64_t)start * 1000003 + i);
		e->ss_rank = (uint32_t)i + 1;
		e->ss_proto = i % 2 ? 17 : 6;
		snprintf(e->ss_local, sizeof(e->ss_local), "192.0.2.%zu",
		    i % 250 + 1);
		snprintf(e->ss_remote, sizeof(e->ss_remote), "2001:db8::%zx",
		    i + 1);
		e->ss_port = (uint16_t)(r % 65536);
		snprintf(e->ss_service, sizeof(e->ss_service), "%s",
		    services[i % 3]);
		e->ss_octets_in = r % 10000;
		e->ss_octets_out = r / 13 % 10000;
		e->ss_packets_in = r % 10;
		e->ss_packets_out = r / 17 % 10;
	}
	for (i = 0; i < hosts; i++) {
		struct histdb_host_row *h = &b->hb_hosts[i];

		r = mix((uint64_t)start * 1000033 + i);
		k = keys > 0 ? i % keys : 0;	/* with dup, each key twice */
		snprintf(h->hr_addr, sizeof(h->hr_addr), "10.%zu.%zu.%zu",
		    k / 65536 % 256, k / 256 % 256, k % 256);
		snprintf(h->hr_service, sizeof(h->hr_service), "%s",
		    services[k % 3]);
		h->hr_octets_in = r % 100000;
		h->hr_octets_out = r / 19 % 100000;
		h->hr_packets_in = r % 100;
		h->hr_packets_out = r / 23 % 100;
		h->hr_first_s = start + (int64_t)(r % 10);
		h->hr_last_s = start + 20 + (int64_t)(r % 10);
		/* Names with what COPY must escape, and bytes that are not
		 * UTF-8 (written as '?'). */
		if (i % 5 == 0) {
			snprintf(&b->hb_names[i * CMHISTPG_NAME_MAX],
			    CMHISTPG_NAME_MAX, "h%zu.example\\org\tx\xff", k);
			h->hr_name = &b->hb_names[i * CMHISTPG_NAME_MAX];
		}
		*host_in += h->hr_octets_in;
	}
	for (i = 0; i < 2; i++) {
		struct histdb_probe *p = &b->hb_probes[i];

		snprintf(p->hp_name, sizeof(p->hp_name), "probe%zu", i);
		snprintf(p->hp_addr, sizeof(p->hp_addr), "192.0.2.%zu", i + 1);
		p->hp_sent = 30;
		p->hp_answered = i == 0 ? 30 : 0;
		p->hp_rtt_min_us = i == 0 ? 100 : 0;
		p->hp_rtt_mean_us = i == 0 ? 200 : 0;
		p->hp_rtt_max_us = i == 0 ? 300 : 0;
	}
	/* Row 0, and a process whose name is not UTF-8 ('?' then). */
	b->hb_procs[1].hq_pid = 4242;
	snprintf(b->hb_procs[1].hq_name, sizeof(b->hb_procs[1].hq_name),
	    "ng\tinx\xff");
	snprintf(b->hb_procs[1].hq_unit, sizeof(b->hb_procs[1].hq_unit),
	    "nginx.service");
	b->hb_procs[0].hq_octets_in = 1;
	b->hb_procs[1].hq_octets_out = 5000000000ULL + (uint64_t)start;
	return 0;
}

static double
clock_ms(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * CPU milliseconds used so far by the children of the postmaster whose
 * pid is $CMHISTPG_POSTMASTER (the server's side of a write, which wall
 * time on a busy machine does not show); -1 when not set.
 */
static double
server_cpu_ms(void)
{
	const char	*env = getenv("CMHISTPG_POSTMASTER");
	char		 path[64], buf[1024], *p;
	DIR		*d;
	struct dirent	*de;
	FILE		*f;
	long		 ppid, ticks = 0;
	unsigned long	 ut, st;

	if (env == NULL || (d = opendir("/proc")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/stat", de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		buf[0] = '\0';
		if (fgets(buf, sizeof(buf), f) == NULL)
			buf[0] = '\0';
		fclose(f);
		/* Past "pid (comm)": the comm may hold spaces. */
		if ((p = strrchr(buf, ')')) == NULL ||
		    sscanf(p + 2, "%*c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u "
		    "%lu %lu", &ppid, &ut, &st) != 3)
			continue;
		if (ppid == strtol(env, NULL, 10))
			ticks += (long)(ut + st);
	}
	closedir(d);
	return (double)ticks * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

static int
usage(void)
{
	fprintf(stderr, "usage: cmhistpg [-p PASSWORD_FILE] URL AGENT "
	    "< commands\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct histdb_config	 cf;
	struct histdb_batch	 b;
	void			*db = NULL;
	char			 line[256], err[HISTDB_ERROR_MAX];
	long long		 start, bs;
	unsigned long		 hosts, sessions, bday, limit;
	uint64_t		 oin, hin;
	double			 t0, c0, s0;
	char			*p;
	int			 rc, opt;

	memset(&cf, 0, sizeof(cf));
	while ((opt = getopt(argc, argv, "p:")) != -1) {
		if (opt != 'p')
			return usage();
		cf.hc_password_file = optarg;
	}
	if (argc - optind != 2)
		return usage();
	cf.hc_target = argv[optind];
	cf.hc_agent = argv[optind + 1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (strncmp(line, "open", 4) == 0) {
			errno = 0;
			db = histdb_pg.hk_open(&cf, err, sizeof(err));
			if (db != NULL)
				printf("open ok\n");
			else
				printf("open fail errno=%s: %s\n",
				    errno == EINVAL ? "EINVAL" : "other", err);
		} else if (sscanf(line, "write %lld %lu %lu", &start, &hosts,
		    &sessions) == 3 && db != NULL) {
			if (make_batch(&b, cf.hc_agent, start, hosts, sessions,
			    strstr(line, " dup") != NULL, &oin, &hin) < 0)
				return 1;
			if ((p = strstr(line, " agent=")) != NULL)
				snprintf(b.hb_agent, sizeof(b.hb_agent), "%.*s",
				    (int)strcspn(p + 7, " \n"), p + 7);
			s0 = server_cpu_ms();
			c0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
			t0 = clock_ms(CLOCK_MONOTONIC);
			rc = histdb_pg.hk_write(db, &b, err, sizeof(err));
			t0 = clock_ms(CLOCK_MONOTONIC) - t0;
			c0 = clock_ms(CLOCK_THREAD_CPUTIME_ID) - c0;
			s0 = s0 < 0 ? -1 : server_cpu_ms() - s0;
			printf("write %lld rc=%d ms=%.1f cpu_ms=%.1f "
			    "server_cpu_ms=%.0f rows=%zu octets_in=%llu "
			    "hosts_octets_in=%llu%s%s\n", start, rc, t0, c0, s0,
			    histdb_batch_rows(&b),
			    (unsigned long long)oin, (unsigned long long)hin,
			    rc < 0 ? " error=" : "", rc < 0 ? err : "");
			histdb_batch_free(&b);
		} else if (sscanf(line, "expire %lld %lu %lu", &bs, &bday,
		    &limit) == 3 && db != NULL) {
			long n = histdb_pg.hk_expire(db, bs, (uint32_t)bday,
			    (unsigned int)limit, err, sizeof(err));

			printf("expire n=%ld%s%s\n", n, n < 0 ? " error=" : "",
			    n < 0 ? err : "");
		} else if (strncmp(line, "close", 5) == 0) {
			if (db != NULL)
				histdb_pg.hk_close(db);
			db = NULL;
			printf("close ok\n");
		} else
			printf("? %s", line);
	}
	if (db != NULL)
		histdb_pg.hk_close(db);
	return 0;
}
