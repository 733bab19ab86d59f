/*
 * histdb with its SQLite backend (issue 12): windows built with the
 * fixtures go through histdb_submit() into a real SQLite file, which is
 * read back with the sqlite3 API.  Per window and source, per service,
 * per top session, per day and host, and per probe, the database must
 * hold what the generator's own arithmetic says was fed -- never what
 * histdb computed.  Then: a window fed twice is counted once; retention
 * deletes old windows and host days; a newer schema, a symbolic link and
 * another user's file are refused with a clear message; a window the
 * database refuses for good is set aside without holding back the ones
 * behind it; a read-only
 * directory and a full disk are counted and reported through hc_warn,
 * and histdb_submit() returns at once meanwhile.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "capture/localnet.h"
#include "check.h"
#include "fixture.h"
#include "store/histdb.h"
#include "store/hostdb.h"

#define SEC		1000000LL
/* 2024-06-01T23:58:00Z: the windows run over midnight into June 2. */
#define T0		(1717286280LL * SEC)
#define WINDOWS		8
#define HOSTS		50
#define DAY1		20240601
#define DAY2		20240602

static struct services	*sv;
static struct localnet	*ln;
static char		 dir[64];

/* ---- what hc_warn was told ---- */

static pthread_mutex_t	warn_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int	warn_count;
static char		warn_last[HISTDB_ERROR_MAX];
static char		warn_all[16384];	/* every message, cut at the end */

static void
warn_cb(void *arg, const char *msg)
{
	(void)arg;
	pthread_mutex_lock(&warn_lock);
	warn_count++;
	printf("# hc_warn: %s\n", msg);
	if (strlen(warn_all) + strlen(msg) + 2 < sizeof(warn_all)) {
		strcat(warn_all, msg);
		strcat(warn_all, "\n");
	}
	snprintf(warn_last, sizeof(warn_last), "%s", msg);
	pthread_mutex_unlock(&warn_lock);
}

/* Was a message holding text handed to hc_warn? */
static int
warned(const char *text)
{
	int	found;

	pthread_mutex_lock(&warn_lock);
	found = strstr(warn_all, text) != NULL;
	pthread_mutex_unlock(&warn_lock);
	return found;
}

static unsigned int
warnings(char *last, size_t len)
{
	unsigned int	n;

	pthread_mutex_lock(&warn_lock);
	n = warn_count;
	if (last != NULL)
		snprintf(last, len, "%s", warn_last);
	pthread_mutex_unlock(&warn_lock);
	return n;
}

/* ---- the generator ---- */

static const char *svc_name[3] = { "www", "dns", "ssh" };

static void
host_text(unsigned int h, char *buf, size_t len)
{
	if (h % 5 == 4)
		snprintf(buf, len, "2001:db8::%x", h);
	else
		snprintf(buf, len, "198.51.100.%u", h);
}

/* Host h's session in window w (host 0 has a second www session). */
static struct session_counts
host_counts(unsigned int w, unsigned int h)
{
	struct session_counts	c;

	c.sc_octets_in = 1000 + w * 7 + h * 13;
	c.sc_octets_out = 500 + h;
	c.sc_packets_in = 1 + h % 5;
	c.sc_packets_out = 1 + w % 3;
	return c;
}

/* The first and last tick of host h's sessions. */
#define FIRST_TICK(h)	((uint32_t)(h) * 1000)
#define LAST_TICK(h)	((uint32_t)(h) * 1000 + 20000)

struct gen {
	struct session		g_sess[HOSTS + 2];
	size_t			g_n;
	struct session_totals	g_tot;
	struct window_closed	g_wd;
	struct histdb_source	g_src[2];
	struct histdb_probe	g_probe;
	struct histdb_process	g_procs[2];
	struct histdb_extra	g_ex;
};

static void
tally(struct session_counts *to, const struct session_counts *c)
{
	to->sc_octets_in += c->sc_octets_in;
	to->sc_octets_out += c->sc_octets_out;
	to->sc_packets_in += c->sc_packets_in;
	to->sc_packets_out += c->sc_packets_out;
}

/* Window w: HOSTS sessions on two sources, host 0's second session, and
 * a transit session bigger than all (ranks first, counted nowhere else).
 * The totals are what the session table would have added up. */
static void
gen_window(struct gen *g, unsigned int w)
{
	struct session_counts	c;
	char			a[64];
	unsigned int		h;

	memset(g, 0, sizeof(*g));
	for (h = 0; h < HOSTS; h++) {
		c = host_counts(w, h);
		host_text(h, a, sizeof(a));
		g->g_sess[g->g_n] = fixture_session(h % 2 ? "10.0.0.2" :
		    "10.0.0.1", a, 6, h % 3 == 0 ? 443 : h % 3 == 1 ? 53 : 22,
		    fixture_service(sv, svc_name[h % 3]), &c);
		g->g_sess[g->g_n].se_source = (uint16_t)(h % 2);
		g->g_sess[g->g_n].se_first = FIRST_TICK(h);
		g->g_sess[g->g_n].se_last = LAST_TICK(h);
		tally(&g->g_tot.tt_remote, &c);
		tally(&g->g_tot.tt_by_service[fixture_service(sv,
		    svc_name[h % 3])], &c);
		g->g_n++;
	}
	c = host_counts(w, 0);
	g->g_sess[g->g_n] = fixture_session("10.0.0.1", "198.51.100.0", 6, 80,
	    fixture_service(sv, "www"), &c);
	g->g_sess[g->g_n].se_first = FIRST_TICK(0);
	g->g_sess[g->g_n].se_last = LAST_TICK(0) + 5000;
	tally(&g->g_tot.tt_remote, &c);
	tally(&g->g_tot.tt_by_service[fixture_service(sv, "www")], &c);
	g->g_n++;
	c.sc_octets_in = 1000000;
	c.sc_octets_out = 1;
	c.sc_packets_in = 700;
	c.sc_packets_out = 1;
	g->g_sess[g->g_n] = fixture_session("192.0.2.1", "192.0.2.2", 17,
	    4000, services_other(sv), &c);
	g->g_sess[g->g_n].se_flags = SESSION_TRANSIT;
	tally(&g->g_tot.tt_transit, &c);
	g->g_n++;
	g->g_tot.tt_local_octets = 4242 + w;
	fixture_window(&g->g_wd, T0 + (int64_t)w * 30 * SEC, g->g_sess,
	    g->g_n);
	g->g_wd.wd_totals = &g->g_tot;
	snprintf(g->g_src[0].hs_name, sizeof(g->g_src[0].hs_name), "eth0");
	snprintf(g->g_src[1].hs_name, sizeof(g->g_src[1].hs_name), "eth1");
	g->g_src[0].hs_drops = w;
	g->g_src[1].hs_drops = 100 + w;
	snprintf(g->g_probe.hp_name, sizeof(g->g_probe.hp_name), "gw");
	snprintf(g->g_probe.hp_addr, sizeof(g->g_probe.hp_addr), "192.0.2.9");
	g->g_probe.hp_sent = 3;
	g->g_probe.hp_answered = 2 + w % 2;
	g->g_probe.hp_rtt_min_us = 100 + w;
	g->g_probe.hp_rtt_mean_us = 200 + w;
	g->g_probe.hp_rtt_max_us = 300 + w;
	g->g_ex.he_sources = g->g_src;
	g->g_ex.he_nsources = 2;
	g->g_ex.he_probes = &g->g_probe;
	g->g_ex.he_nprobes = 1;
	memset(g->g_procs, 0, sizeof(g->g_procs));
	g->g_procs[0].hq_pid = 0;
	snprintf(g->g_procs[0].hq_name, sizeof(g->g_procs[0].hq_name), "%s",
	    "");
	g->g_procs[0].hq_octets_in = 5;
	g->g_procs[1].hq_pid = 4242;
	snprintf(g->g_procs[1].hq_name, sizeof(g->g_procs[1].hq_name),
	    "nginx");
	snprintf(g->g_procs[1].hq_unit, sizeof(g->g_procs[1].hq_unit),
	    "nginx.service");
	g->g_procs[1].hq_conns = 7;
	g->g_procs[1].hq_octets_in = 1000 + w;
	g->g_procs[1].hq_octets_out = 5000000000ULL + w;
	g->g_ex.he_procs = g->g_procs;
	g->g_ex.he_nprocs = 2;
	g->g_ex.he_rtt_mean_us = 200 + w;
}

/* ---- the database, read back ---- */

/* The one integer a query returns (fixture.h), short for the CHECKs. */
#define q	fixture_sqlite_int

static sqlite3 *
db_open(const char *path)
{
	sqlite3	*db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		printf("# cannot open %s: %s\n", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		exit(2);
	}
	return db;
}

/* ---- running histdb ---- */

static struct histdb *
start(const char *file, unsigned int days, unsigned int host_days)
{
	struct histdb_config	cf;
	struct histdb		*hd;
	char			err[256];

	histdb_config_default(&cf);
	cf.hc_target = file;
	cf.hc_agent = "test";
	cf.hc_top = 10;
	cf.hc_days = days;
	cf.hc_host_days = host_days;
	cf.hc_warn = warn_cb;
	if ((hd = histdb_new(&cf, sv, err, sizeof(err))) == NULL ||
	    histdb_start(hd, err, sizeof(err)) < 0) {
		printf("# histdb: %s\n", err);
		exit(2);
	}
	return hd;
}

/* Until the writer has dealt with n windows (written, repeated or
 * dropped), for at most a minute: a loaded machine is slow, not wrong. */
static void
wait_done(struct histdb *hd, uint64_t n)
{
	struct histdb_status	st;
	int			i;

	for (i = 0; i < 60000; i++) {
		histdb_status(hd, &st);
		if (st.hs_windows_written + st.hs_windows_repeated +
		    st.hs_windows_dropped >= n)
			return;
		usleep(1000);
	}
}

/* histdb on file, window 0 dealt with (the schema made). */
static struct histdb *
start_written(const char *file)
{
	struct histdb	*hd = start(file, 0, 0);
	struct gen	 g;

	gen_window(&g, 0);
	histdb_submit(hd, &g.g_wd, &g.g_ex);
	wait_done(hd, 1);
	return hd;
}

static int64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * SEC + ts.tv_nsec / 1000;
}

/* ---- the tests ---- */

static void
check_windows(sqlite3 *db)
{
	struct session_counts	want[2];
	unsigned int		w, h, s, sessions[2];
	int64_t			t;
	int			good = 1;

	for (w = 0; w < WINDOWS; w++) {
		t = (T0 + (int64_t)w * 30 * SEC) / SEC;
		memset(want, 0, sizeof(want));
		sessions[0] = 1;	/* host 0's second session */
		sessions[1] = 0;
		for (h = 0; h < HOSTS; h++) {
			struct session_counts c = host_counts(w, h);

			tally(&want[h % 2], &c);
			sessions[h % 2]++;
		}
		{
			struct session_counts c = host_counts(w, 0);

			tally(&want[0], &c);
		}
		for (s = 0; s < 2; s++) {
			const char *src = s ? "eth1" : "eth0";

			good &= q(db, "SELECT octets_in FROM windows WHERE "
			    "agent = 'test' AND start = %lld AND source = %Q",
			    (long long)t, src) == (long long)want[s].sc_octets_in;
			good &= q(db, "SELECT octets_out + 1000000 * "
			    "packets_in + 1000000000 * packets_out FROM "
			    "windows WHERE start = %lld AND source = %Q",
			    (long long)t, src) ==
			    (long long)(want[s].sc_octets_out + 1000000 *
			    want[s].sc_packets_in + 1000000000 *
			    want[s].sc_packets_out);
			good &= q(db, "SELECT sessions FROM windows WHERE "
			    "start = %lld AND source = %Q", (long long)t,
			    src) == sessions[s];
			good &= q(db, "SELECT drops FROM windows WHERE "
			    "start = %lld AND source = %Q", (long long)t,
			    src) == (s ? 100 + w : w);
			good &= q(db, "SELECT rtt_us FROM windows WHERE "
			    "start = %lld AND source = %Q", (long long)t,
			    src) == 200 + w;
			good &= q(db, "SELECT length FROM windows WHERE "
			    "start = %lld AND source = %Q", (long long)t,
			    src) == 30;
		}
		good &= q(db, "SELECT sum(local_octets) FROM windows WHERE "
		    "start = %lld", (long long)t) == 4242 + w;
	}
	CHECK(good, "per window and source: octets and packets each way "
	    "(transit left out), sessions, drops, RTT, length, local octets");
	CHECK(q(db, "SELECT count(*) FROM windows") == 2 * WINDOWS,
	    "one row a window and source");
}

static void
check_services(sqlite3 *db)
{
	unsigned int	w, h, k;
	uint64_t	want_in, want_pk;
	int64_t		t;
	int		good = 1;

	for (w = 0; w < WINDOWS; w++) {
		t = (T0 + (int64_t)w * 30 * SEC) / SEC;
		for (k = 0; k < 3; k++) {
			want_in = k == 0 ? host_counts(w, 0).sc_octets_in : 0;
			want_pk = k == 0 ? host_counts(w, 0).sc_packets_in : 0;
			for (h = k; h < HOSTS; h += 3) {
				want_in += host_counts(w, h).sc_octets_in;
				want_pk += host_counts(w, h).sc_packets_in;
			}
			good &= q(db, "SELECT octets_in FROM window_services "
			    "WHERE start = %lld AND service = %Q",
			    (long long)t, svc_name[k]) == (long long)want_in;
			good &= q(db, "SELECT packets_in FROM window_services "
			    "WHERE start = %lld AND service = %Q",
			    (long long)t, svc_name[k]) == (long long)want_pk;
		}
	}
	CHECK(good, "per window and service: the by-service totals");
	CHECK(q(db, "SELECT count(*) FROM window_services") == 3 * WINDOWS,
	    "no row for a service without traffic (other: transit only)");
}

static void
check_sessions(sqlite3 *db)
{
	int64_t	t = T0 / SEC;
	char	a[64];

	CHECK(q(db, "SELECT count(*) FROM window_sessions WHERE start = "
	    "%lld", (long long)t) == 10, "historyTopSessions rows a window");
	CHECK(q(db, "SELECT octets_in FROM window_sessions WHERE start = "
	    "%lld AND rank = 1 AND local_addr = '192.0.2.1' AND remote_addr "
	    "= '192.0.2.2' AND proto = 17 AND port = 4000 AND service = "
	    "'other'", (long long)t) == 1000000,
	    "rank 1: the biggest session (transit), all its fields");
	/* Host 49 has the most octets of the others (1000 + 13 h). */
	host_text(49, a, sizeof(a));
	CHECK(q(db, "SELECT octets_in + octets_out FROM window_sessions "
	    "WHERE start = %lld AND rank = 2 AND remote_addr = %Q",
	    (long long)t, a) ==
	    (long long)(host_counts(0, 49).sc_octets_in +
	    host_counts(0, 49).sc_octets_out), "rank 2: the next by octets");
	CHECK(q(db, "SELECT count(*) FROM window_sessions a JOIN "
	    "window_sessions b ON a.start = b.start AND b.rank = a.rank + 1 "
	    "WHERE a.octets_in + a.octets_out < b.octets_in + b.octets_out")
	    == 0, "ranks in order of octets in + out");
}

/* What day_hosts must hold for host h, service k on a day whose windows
 * are w0..w1. */
static void
check_hosts(sqlite3 *db)
{
	unsigned int	h, w, w0, w1, day, k;
	uint64_t	oin, pout;
	int64_t		first, last;
	char		a[64];
	int		good = 1, d;

	for (d = 0; d < 2; d++) {
		day = d ? DAY2 : DAY1;
		w0 = d ? 4 : 0;
		w1 = d ? WINDOWS : 4;
		for (h = 0; h < HOSTS; h++) {
			oin = pout = 0;
			for (w = w0; w < w1; w++) {
				oin += host_counts(w, h).sc_octets_in *
				    (h == 0 ? 2 : 1);
				pout += host_counts(w, h).sc_packets_out *
				    (h == 0 ? 2 : 1);
			}
			first = (T0 + (int64_t)w0 * 30 * SEC +
			    ((int64_t)FIRST_TICK(h) << 10)) / SEC;
			last = (T0 + (int64_t)(w1 - 1) * 30 * SEC +
			    ((int64_t)LAST_TICK(h) << 10) +
			    (h == 0 ? 5000LL << 10 : 0)) / SEC;
			k = h % 3;
			host_text(h, a, sizeof(a));
			good &= q(db, "SELECT octets_in FROM day_hosts WHERE "
			    "agent = 'test' AND day = %u AND addr = %Q AND "
			    "service = %Q", day, a, svc_name[k]) ==
			    (long long)oin;
			good &= q(db, "SELECT packets_out FROM day_hosts "
			    "WHERE day = %u AND addr = %Q", day, a) ==
			    (long long)pout;
			good &= q(db, "SELECT first_seen FROM day_hosts "
			    "WHERE day = %u AND addr = %Q", day, a) == first;
			good &= q(db, "SELECT last_seen FROM day_hosts WHERE "
			    "day = %u AND addr = %Q", day, a) == last;
		}
	}
	CHECK(good, "per day, host and service: octets and packets added up "
	    "over the day's windows, first and last seen");
	CHECK(q(db, "SELECT count(*) FROM day_hosts") == 2 * HOSTS,
	    "one row a day, host and service (transit hosts left out)");
	CHECK(q(db, "SELECT count(*) FROM day_hosts WHERE name IS NULL") ==
	    2 * HOSTS, "no name without a host database");
}

static void
check_probes(sqlite3 *db)
{
	int64_t	t = (T0 + 3 * 30 * SEC) / SEC;

	CHECK(q(db, "SELECT count(*) FROM window_probes") == WINDOWS,
	    "one probe row a window");
	CHECK(q(db, "SELECT sent * 1000000 + answered * 10000 + rtt_min_us "
	    "FROM window_probes WHERE start = %lld AND probe = 'gw' AND addr "
	    "= '192.0.2.9'", (long long)t) == 3 * 1000000 + 3 * 10000 + 103 &&
	    q(db, "SELECT rtt_mean_us * 10000 + rtt_max_us FROM "
	    "window_probes WHERE start = %lld", (long long)t) ==
	    203 * 10000 + 303, "probe: sent, answered, RTT min/mean/max");
}

static void
check_processes(sqlite3 *db)
{
	int64_t	t = (T0 + 3 * 30 * SEC) / SEC;

	CHECK(q(db, "SELECT count(*) FROM window_processes") == 2 * WINDOWS,
	    "two process rows a window");
	CHECK(q(db, "SELECT octets_out FROM window_processes WHERE start = "
	    "%lld AND pid = 4242 AND name = 'nginx' AND unit = "
	    "'nginx.service' AND conns = 7 AND octets_in = 1003",
	    (long long)t) == 5000000003LL,
	    "process: pid, name, unit, connections, 64-bit octets");
	CHECK(q(db, "SELECT sum(octets_in) FROM window_processes WHERE pid = "
	    "0 AND name = '' AND unit = ''") == 5 * WINDOWS,
	    "process 0: no name, no unit");
}

static void
test_written(void)
{
	struct histdb_status	st;
	struct histdb		*hd;
	struct gen		g;
	char			file[128];
	sqlite3			*db;
	unsigned int		w;
	struct stat		sb;

	snprintf(file, sizeof(file), "%s/history.sqlite", dir);
	hd = start(file, 0, 0);
	for (w = 0; w < WINDOWS; w++) {
		gen_window(&g, w);
		CHECK(histdb_submit(hd, &g.g_wd, &g.g_ex) == 0,
		    "window %u queued", w);
		wait_done(hd, w + 1);
	}
	/* Again: already in the database, not counted twice. */
	gen_window(&g, 2);
	histdb_submit(hd, &g.g_wd, &g.g_ex);
	wait_done(hd, WINDOWS + 1);
	histdb_status(hd, &st);
	CHECK_U64(st.hs_windows_written, WINDOWS, "windows written");
	CHECK_U64(st.hs_windows_repeated, 1, "the repeated window noticed");
	CHECK_U64(st.hs_windows_dropped, 0, "none dropped");
	CHECK(st.hs_kind == HISTDB_KIND_SQLITE, "kind sqlite");
	CHECK(st.hs_state == HISTDB_STATE_OK, "state ok");
	CHECK(st.hs_rows_written == WINDOWS * (2 + 3 + 10 + HOSTS + 1 + 2),
	    "rows written: windows, services, sessions, hosts, probes, "
	    "processes "
	    "(%llu)", (unsigned long long)st.hs_rows_written);
	CHECK(st.hs_last_write_us > 0, "last write time set");
	histdb_free(hd);

	CHECK(stat(file, &sb) == 0 && (sb.st_mode & 0777) == 0640 &&
	    sb.st_uid == geteuid(), "the file: 0640, the user's own");
	db = db_open(file);
	CHECK(q(db, "SELECT max(version) FROM schema_version") == 2,
	    "schema version 2");
	/* schema.sql's dialect lines: day_hosts a WITHOUT ROWID table
	 * (--sqlite:), no day_hosts_addr index (--postgresql: only). */
	CHECK(q(db, "SELECT count(*) FROM sqlite_master WHERE name = "
	    "'day_hosts' AND sql LIKE '%%WITHOUT ROWID%%'") == 1 &&
	    q(db, "SELECT count(*) FROM sqlite_master WHERE name = "
	    "'day_hosts_addr'") == 0 && q(db, "SELECT count(*) FROM "
	    "sqlite_master WHERE name = 'window_services_service'") == 1,
	    "SQLite's schema: its dialect lines run, PostgreSQL's not");
	check_windows(db);
	check_processes(db);
	check_services(db);
	check_sessions(db);
	check_hosts(db);
	check_probes(db);
	sqlite3_close(db);

	/* Opened again (a restart): the same window still counted once,
	 * the sums unchanged. */
	hd = start(file, 0, 0);
	gen_window(&g, 5);
	histdb_submit(hd, &g.g_wd, &g.g_ex);
	wait_done(hd, 1);
	histdb_status(hd, &st);
	CHECK(st.hs_windows_repeated == 1 && st.hs_windows_written == 0,
	    "after a restart, a window already there is not written again");
	histdb_free(hd);
	db = db_open(file);
	check_hosts(db);
	sqlite3_close(db);
}

/* Host h's name in the host database: none for every fourth, else 200
 * to 254 bytes of its own (50 of them: several times the names buffer's
 * first size, so that it grows while rows point into it). */
static void
name_of(unsigned int h, char *buf, size_t len)
{
	size_t	n = 200 + h % 55, i;

	buf[0] = '\0';
	if (h % 4 == 3 || n >= len)
		return;
	for (i = 0; i < n; i++)
		buf[i] = (char)('a' + (h + i) % 26);
	snprintf(buf, len, "h%u-", h);
	buf[strlen(buf)] = 'x';
	buf[n] = '\0';
}

/* Names from the host database's snapshot: each row has its host's
 * name, or NULL, whatever the others have. */
static void
test_names(void)
{
	struct histdb_config	 cf;
	struct hostdb_config	 hc;
	struct hostdb_loader	*ld;
	struct hostdb_host	 hh;
	struct hostdb		*names;
	struct histdb		*hd;
	struct gen		 g;
	char			 file[128], err[256], name[HOSTDB_NAME_MAX + 1];
	char			 a[64];
	sqlite3			*db;
	unsigned int		 h, k, good = 0;

	hostdb_config_default(&hc);
	names = hostdb_new(&hc, sv);
	ld = names != NULL ? hostdb_loader_new(names) : NULL;
	/* In the loader's order: the IPv4 hosts, then the IPv6 ones. */
	for (k = 0; ld != NULL && k < HOSTS; k++) {
		h = k < HOSTS - HOSTS / 5 ? k + k / 4 : (k - (HOSTS -
		    HOSTS / 5)) * 5 + 4;
		memset(&hh, 0, sizeof(hh));
		host_text(h, a, sizeof(a));
		hh.hh_family = strchr(a, ':') != NULL ? AF_INET6 : AF_INET;
		inet_pton(hh.hh_family, a, hh.hh_addr);
		hh.hh_first_seen = hh.hh_last_seen = T0 / SEC;
		hh.hh_sessions = 1;
		name_of(h, name, sizeof(name));
		hh.hh_name = name;
		hh.hh_name_time = T0 / SEC;
		hh.hh_nservices = 1;
		hh.hh_services[0].hv_service = services_other(sv);
		hh.hh_services[0].hv_counts.sc_packets_in = 1;
		if (hostdb_loader_add(ld, &hh) < 0)
			break;
	}
	if (ld == NULL || k < HOSTS || hostdb_loader_commit(ld, 0) < 0) {
		printf("# cannot fill the host database\n");
		exit(2);
	}
	snprintf(file, sizeof(file), "%s/names.sqlite", dir);
	histdb_config_default(&cf);
	cf.hc_target = file;
	cf.hc_agent = "test";
	cf.hc_warn = warn_cb;
	if ((hd = histdb_new(&cf, sv, err, sizeof(err))) == NULL) {
		printf("# histdb: %s\n", err);
		exit(2);
	}
	histdb_set_names(hd, names);
	if (histdb_start(hd, err, sizeof(err)) < 0) {
		printf("# histdb: %s\n", err);
		exit(2);
	}
	/* As the monitor does: the window into the host database (which
	 * publishes the snapshot with the names), then the history. */
	gen_window(&g, 0);
	CHECK(hostdb_add_window(names, &g.g_wd) == 0, "host database: the "
	    "window added");
	histdb_submit(hd, &g.g_wd, &g.g_ex);
	wait_done(hd, 1);
	histdb_free(hd);
	db = db_open(file);
	for (h = 0; h < HOSTS; h++) {
		host_text(h, a, sizeof(a));
		name_of(h, name, sizeof(name));
		if (*name == '\0')
			good += q(db, "SELECT count(*) FROM day_hosts WHERE "
			    "addr = '%s' AND name IS NULL", a) >= 1;
		else
			good += q(db, "SELECT count(*) FROM day_hosts WHERE "
			    "addr = '%s' AND name = '%s'", a, name) >= 1;
	}
	CHECK(good == HOSTS && q(db, "SELECT count(*) FROM day_hosts WHERE "
	    "name IS NOT NULL") == q(db, "SELECT count(*) FROM day_hosts "
	    "WHERE addr IN (SELECT addr FROM day_hosts WHERE name IS NOT "
	    "NULL)"), "day_hosts: each host's name from the host database, "
	    "NULL for the unnamed (%u of %d right)", good, HOSTS);
	sqlite3_close(db);
	hostdb_free(names);
}

/* hc_days 1, hc_host_days 1: a window two days after the first ones
 * leaves only itself, and only its day's hosts. */
static void
test_retention(void)
{
	struct histdb	*hd;
	struct gen	 g;
	char		 file[128];
	sqlite3		*db;
	unsigned int	 w;
	int		 i;

	snprintf(file, sizeof(file), "%s/retention.sqlite", dir);
	hd = start(file, 1, 1);
	for (w = 0; w < 4; w++) {
		gen_window(&g, w);
		histdb_submit(hd, &g.g_wd, &g.g_ex);
		wait_done(hd, w + 1);
	}
	gen_window(&g, 0);
	g.g_wd.wd_start_us = T0 + 2 * 86400 * SEC;
	histdb_submit(hd, &g.g_wd, &g.g_ex);
	wait_done(hd, 5);
	db = db_open(file);
	/* Retention runs between windows, off the hot path: wait for it. */
	for (i = 0; i < 60000 && q(db, "SELECT count(*) FROM windows") != 2;
	    i++)
		usleep(1000);
	for (; i < 60000 && q(db, "SELECT count(*) FROM day_hosts") != HOSTS;
	    i++)
		usleep(1000);
	CHECK(q(db, "SELECT count(*) FROM windows") == 2 &&
	    q(db, "SELECT min(start) FROM windows") ==
	    (T0 + 2 * 86400 * SEC) / SEC, "retention: old windows deleted");
	CHECK(q(db, "SELECT count(*) FROM window_services") == 3 &&
	    q(db, "SELECT count(*) FROM window_sessions") == 10 &&
	    q(db, "SELECT count(*) FROM window_probes") == 1,
	    "retention: their services, sessions and probes too");
	CHECK(q(db, "SELECT count(*) FROM day_hosts") == HOSTS &&
	    q(db, "SELECT min(day) FROM day_hosts") == 20240603,
	    "retention: old host days deleted");
	sqlite3_close(db);
	histdb_free(hd);
}

static void
test_refused(void)
{
	struct histdb_config	cf;
	struct histdb_status	st;
	struct histdb		*hd;
	char			file[128], link[128], err[256];
	sqlite3			*db;
	FILE			*f;

	/* A newer schema: histdb_start() fails, saying why. */
	snprintf(file, sizeof(file), "%s/newer.sqlite", dir);
	if (sqlite3_open(file, &db) == SQLITE_OK)
		sqlite3_exec(db, "CREATE TABLE schema_version (version "
		    "INTEGER, agent TEXT, applied BIGINT); INSERT INTO "
		    "schema_version VALUES (99, 'x', 0)", NULL, NULL, NULL);
	sqlite3_close(db);
	histdb_config_default(&cf);
	cf.hc_target = file;
	cf.hc_warn = warn_cb;
	hd = histdb_new(&cf, sv, err, sizeof(err));
	err[0] = '\0';
	CHECK(hd != NULL && histdb_start(hd, err, sizeof(err)) == -1 &&
	    strstr(err, "newer") != NULL, "a newer schema refused: %s", err);
	histdb_free(hd);

	/* A version 1 database (before window_processes), with a window:
	 * migrated to 2, its rows kept. */
	snprintf(file, sizeof(file), "%s/v1.sqlite", dir);
	if (sqlite3_open(file, &db) == SQLITE_OK)
		sqlite3_exec(db, "CREATE TABLE schema_version (version "
		    "INTEGER, agent TEXT, applied BIGINT); INSERT INTO "
		    "schema_version VALUES (1, 'x', 0); CREATE TABLE windows "
		    "(agent TEXT NOT NULL, start BIGINT NOT NULL, source TEXT "
		    "NOT NULL, length INTEGER NOT NULL, octets_in BIGINT NOT "
		    "NULL, octets_out BIGINT NOT NULL, packets_in BIGINT NOT "
		    "NULL, packets_out BIGINT NOT NULL, sessions BIGINT NOT "
		    "NULL, local_octets BIGINT NOT NULL, drops BIGINT, rtt_us "
		    "BIGINT, PRIMARY KEY (agent, start, source)); INSERT INTO "
		    "windows VALUES ('x', 1, 'eth0', 30, 1, 2, 3, 4, 5, 6, 0, "
		    "NULL)", NULL, NULL, NULL);
	sqlite3_close(db);
	cf.hc_target = file;
	hd = histdb_new(&cf, sv, err, sizeof(err));
	CHECK(hd != NULL && histdb_start(hd, err, sizeof(err)) == 0,
	    "a version 1 database opens: %s", err);
	histdb_free(hd);
	db = db_open(file);
	CHECK(q(db, "SELECT max(version) FROM schema_version") == 2 &&
	    q(db, "SELECT count(*) FROM sqlite_master WHERE name = "
	    "'window_processes'") == 1 &&
	    q(db, "SELECT octets_out FROM windows WHERE start = 1") == 2,
	    "version 1 migrated to 2: window_processes added, rows kept");
	sqlite3_close(db);

	/* A symbolic link where the file goes: never followed. */
	snprintf(file, sizeof(file), "%s/target", dir);
	snprintf(link, sizeof(link), "%s/link.sqlite", dir);
	if ((f = fopen(file, "w")) != NULL)
		fclose(f);
	if (symlink(file, link) < 0)
		printf("# symlink: %s\n", strerror(errno));
	cf.hc_target = link;
	hd = histdb_new(&cf, sv, err, sizeof(err));
	CHECK(hd != NULL && histdb_start(hd, err, sizeof(err)) == 0,
	    "a symbolic link is not fatal (tried again later)");
	histdb_status(hd, &st);
	CHECK(warned("link.sqlite: a symbolic link: refused") &&
	    st.hs_state != HISTDB_STATE_OK, "a symbolic link refused");
	histdb_free(hd);
	CHECK(q(db = db_open(file), "SELECT count(*) FROM sqlite_master") ==
	    0, "nothing written through the link");
	sqlite3_close(db);

	/* Another user's file. */
	if (geteuid() != 0) {
		printf("# skipped: another user's file (needs root)\n");
		return;
	}
	snprintf(file, sizeof(file), "%s/theirs.sqlite", dir);
	if ((f = fopen(file, "w")) != NULL)
		fclose(f);
	if (chown(file, 12345, 12345) < 0)
		printf("# chown: %s\n", strerror(errno));
	cf.hc_target = file;
	hd = histdb_new(&cf, sv, err, sizeof(err));
	histdb_start(hd, err, sizeof(err));
	histdb_status(hd, &st);
	CHECK(warned("theirs.sqlite: owned by uid 12345, not coremond's") &&
	    st.hs_state != HISTDB_STATE_OK, "another user's file refused");
	histdb_free(hd);
}

/* Files in d whose names end in suffix. */
static unsigned int
count_files(const char *d, const char *suffix)
{
	struct dirent	*de;
	DIR		*dp;
	size_t		 n, k = strlen(suffix);
	unsigned int	 c = 0;

	if ((dp = opendir(d)) == NULL)
		return 0;
	while ((de = readdir(dp)) != NULL) {
		n = strlen(de->d_name);
		c += n > k && strcmp(de->d_name + n - k, suffix) == 0;
	}
	closedir(dp);
	return c;
}

/*
 * A window the database refuses for good while it takes the others (a
 * trigger added here rejects its start): after a few tries it is set
 * aside in the spool's .bad, counted as dropped and reported, and the
 * windows queued behind it are written, in order.
 */
static void
test_poisoned(void)
{
	struct histdb_status	st;
	struct histdb		*hd;
	struct gen		g;
	char			file[128], spool[128], *sql;
	sqlite3			*db;
	unsigned int		w;
	int64_t			t1 = (T0 + 30 * SEC) / SEC;

	snprintf(file, sizeof(file), "%s/poisoned.sqlite", dir);
	snprintf(spool, sizeof(spool), "%s/history-spool", dir);
	hd = start_written(file);
	sql = sqlite3_mprintf("CREATE TRIGGER poison BEFORE INSERT ON windows "
	    "WHEN NEW.start = %lld BEGIN SELECT RAISE(ABORT, 'this window is "
	    "poison'); END", (long long)t1);
	if (sqlite3_open(file, &db) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		printf("# trigger: %s\n", sqlite3_errmsg(db));
		exit(2);
	}
	sqlite3_free(sql);
	sqlite3_close(db);
	for (w = 1; w < 4; w++) {
		gen_window(&g, w);
		histdb_submit(hd, &g.g_wd, &g.g_ex);
	}
	wait_done(hd, 4);
	histdb_status(hd, &st);
	CHECK(st.hs_windows_dropped == 1 && st.hs_windows_written == 3,
	    "the refused window dropped, the ones behind it written (%llu "
	    "dropped, %llu written)", (unsigned long long)st.hs_windows_dropped,
	    (unsigned long long)st.hs_windows_written);
	CHECK(st.hs_windows_spooled == 0 && st.hs_state == HISTDB_STATE_OK,
	    "nothing left in the spool, state ok again");
	CHECK(warned("this window is poison") && warned("set aside"),
	    "the database's reason and the setting aside reported");
	CHECK(count_files(spool, ".bad") == 1 &&
	    count_files(spool, ".hdb") == 0, "the refused batch kept in the "
	    "spool as .bad, none waiting");
	histdb_free(hd);
	db = db_open(file);
	CHECK(q(db, "SELECT count(DISTINCT start) FROM windows") == 3 &&
	    q(db, "SELECT count(*) FROM windows WHERE start = %lld",
	    (long long)t1) == 0 &&
	    q(db, "SELECT max(start) FROM windows") == t1 + 60,
	    "windows 0, 2 and 3 in the database, not 1");
	CHECK(q(db, "SELECT count(*) FROM window_services WHERE start = %lld",
	    (long long)t1) == 0, "none of the refused window's rows");
	sqlite3_close(db);
}

/* Windows into a database that cannot be written: each dropped and
 * counted, a message through hc_warn, submit back at once. */
static void
feed_unwritable(struct histdb *hd, const char *what, uint64_t already)
{
	struct histdb_status	st;
	struct gen		g;
	unsigned int		w, before;
	int64_t			t, worst = 0;
	char			last[HISTDB_ERROR_MAX];

	before = warnings(NULL, 0);
	for (w = 0; w < 3; w++) {
		gen_window(&g, 10 + w);
		t = now_us();
		histdb_submit(hd, &g.g_wd, &g.g_ex);
		t = now_us() - t;
		if (t > worst)
			worst = t;
		wait_done(hd, already + w + 1);
	}
	histdb_status(hd, &st);
	CHECK_U64(st.hs_windows_dropped, 3, "%s: windows dropped, counted",
	    what);
	CHECK(st.hs_state == HISTDB_STATE_FAILED, "%s: state failed", what);
	CHECK(warnings(last, sizeof(last)) > before, "%s: reported through "
	    "hc_warn (\"%s\")", what, last);
	/* The writer does its work without the lock submit takes. */
	CHECK(worst < 2 * SEC, "%s: submit returned at once (%lld us)",
	    what, (long long)worst);
}

static void
test_readonly(void)
{
	struct histdb	*hd;
	char		 mnt[128], file[192];

	if (fixture_small_disk(mnt, sizeof(mnt), dir) < 0)
		return;
	/* Root writes through mode bits: make the disk itself read-only. */
	if (mount("tmpfs", mnt, "tmpfs", MS_REMOUNT | MS_RDONLY, NULL) < 0) {
		printf("# skipped: read-only disk (%s)\n", strerror(errno));
		fixture_small_disk_remove(mnt);
		return;
	}
	snprintf(file, sizeof(file), "%s/history.sqlite", mnt);
	hd = start(file, 0, 0);
	feed_unwritable(hd, "read-only disk", 0);
	histdb_free(hd);
	fixture_small_disk_remove(mnt);
}

static void
test_full(void)
{
	struct histdb_status	st;
	struct histdb		*hd;
	struct gen		g;
	char			mnt[128], file[192], fill[192];
	sqlite3			*db;
	int			i;

	if (fixture_small_disk(mnt, sizeof(mnt), dir) < 0)
		return;
	/* 64 KiB does not hold the schema: room for it and a window. */
	if (mount("tmpfs", mnt, "tmpfs", MS_REMOUNT, "size=2m") < 0) {
		printf("# skipped: full disk (%s)\n", strerror(errno));
		fixture_small_disk_remove(mnt);
		return;
	}
	snprintf(file, sizeof(file), "%s/history.sqlite", mnt);
	snprintf(fill, sizeof(fill), "%s/fill", mnt);
	hd = start_written(file);
	fixture_fill_disk(fill);
	feed_unwritable(hd, "full disk", 1);
	/* Room again: the writer opens anew (every few seconds) and writes
	 * what comes next. */
	unlink(fill);
	for (i = 0; i < 60000; i++) {
		histdb_status(hd, &st);
		if (st.hs_state == HISTDB_STATE_OK)
			break;
		usleep(1000);
	}
	gen_window(&g, 20);
	histdb_submit(hd, &g.g_wd, &g.g_ex);
	wait_done(hd, 5);
	histdb_status(hd, &st);
	CHECK(st.hs_windows_written == 2 && st.hs_state == HISTDB_STATE_OK,
	    "full disk: written again once there is room (%llu written)",
	    (unsigned long long)st.hs_windows_written);
	histdb_free(hd);
	db = db_open(file);
	CHECK(fixture_sqlite_intact(db) &&
	    q(db, "SELECT count(*) FROM windows") == 4,
	    "full disk: the file intact, both windows whole");
	sqlite3_close(db);
	fixture_small_disk_remove(mnt);
}

int
main(void)
{
	if (fixture_world(&sv, &ln, "10.0.0.0/8") < 0 ||
	    fixture_tmpdir(dir, sizeof(dir), "histdb") < 0)
		return 2;
	CHECK(histdb_kind_of(NULL) == HISTDB_KIND_NONE &&
	    histdb_kind_of("none") == HISTDB_KIND_NONE &&
	    histdb_kind_of("/var/lib/coremon/history.sqlite") ==
	    HISTDB_KIND_SQLITE &&
	    histdb_kind_of("postgresql://db/coremon") ==
	    HISTDB_KIND_POSTGRESQL, "kinds of targets");
	test_written();
	test_names();
	test_retention();
	test_refused();
	test_poisoned();
	test_readonly();
	test_full();
	fixture_remove_dir(dir);
	fixture_world_free(sv, ln);
	return check_done();
}
