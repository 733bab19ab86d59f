/*
 * histdb: a coremond killed with SIGKILL at any moment while it writes
 * its history leaves an SQLite file that opens cleanly and holds exactly
 * a prefix of the windows, each whole (issue 12, "kill -9 during
 * writes").
 *
 * In each round a child opens the file where the last one left it (a
 * restart) and writes windows k, k+1, ... one after the other, telling
 * this process through shared memory how many it has submitted and how
 * many histdb says are written; it is killed after a random delay.  The
 * file must then pass PRAGMA integrity_check, hold windows 0..n-1 and no
 * other (n at least what was reported written, at most what was
 * submitted), and its per-day host rows must add up to those n windows
 * by the generator's arithmetic -- a window half written would break the
 * sum.  The next round goes on from n.
 */
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "fixture.h"
#include "store/histdb.h"

#define ROUNDS		40
#define HOSTS		30
#define SEC		1000000LL
#define T0		(1717200000LL * SEC)	/* 2024-06-01T00:00:00Z */

struct progress {
	volatile uint64_t	pr_submitted;
	volatile uint64_t	pr_written;
};

static struct services	*sv;
static struct localnet	*ln;
static char		 dir[64], file[128];

static uint64_t
octets_in(uint64_t w, unsigned int h)
{
	return 100 + w * 3 + h;
}

/* Writes windows from `from` on until killed. */
static void
child(uint64_t from, struct progress *pr)
{
	struct histdb_config	cf;
	struct histdb_status	st;
	struct session		s[HOSTS];
	struct session_counts	c;
	struct window_closed	wd;
	struct histdb		*hd;
	char			err[256], a[32];
	unsigned int		h;
	uint64_t		w;

	histdb_config_default(&cf);
	cf.hc_target = file;
	cf.hc_agent = "crash";
	cf.hc_days = 0;
	cf.hc_host_days = 0;
	if ((hd = histdb_new(&cf, sv, err, sizeof(err))) == NULL ||
	    histdb_start(hd, err, sizeof(err)) < 0)
		_exit(3);
	for (w = from;; w++) {
		for (h = 0; h < HOSTS; h++) {
			c.sc_octets_in = octets_in(w, h);
			c.sc_octets_out = 1;
			c.sc_packets_in = 1;
			c.sc_packets_out = 1;
			snprintf(a, sizeof(a), "198.51.100.%u", h);
			s[h] = fixture_session("10.0.0.1", a, 6, 443,
			    fixture_service(sv, "www"), &c);
		}
		fixture_window(&wd, T0 + (int64_t)w * 30 * SEC, s, HOSTS);
		/* Said before: the writer may commit it before submit
		 * returns. */
		pr->pr_submitted = w + 1;
		while (histdb_submit(hd, &wd, NULL) < 0)
			usleep(100);	/* queue full: not a test of that */
		do {
			histdb_status(hd, &st);
		} while (st.hs_windows_written < w + 1 - from);
		pr->pr_written = w + 1;
	}
}

/* The one integer a query returns (fixture.h), short for the CHECKs. */
#define q	fixture_sqlite_int

/* What the file holds after a kill: n windows, or -1 when it is not a
 * clean prefix. */
static long long
check_file(uint64_t submitted, uint64_t written)
{
	sqlite3		*db = NULL;
	long long	 n, sum, want = 0;
	uint64_t	 w;
	unsigned int	 h;
	int		 good;

	if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	good = fixture_sqlite_intact(db);
	/* Killed before the schema's transaction committed (a slow start
	 * on a loaded machine): no table, nothing written -- the empty
	 * prefix, as long as no window was reported written. */
	if (good && q(db, "SELECT count(*) FROM sqlite_master WHERE "
	    "name = 'windows'") == 0) {
		sqlite3_close(db);
		if (written == 0)
			return 0;
		printf("# no schema, but %llu windows reported written\n",
		    (unsigned long long)written);
		return -1;
	}
	n = q(db, "SELECT count(*) FROM windows");
	good &= n >= (long long)written && n <= (long long)submitted;
	if (n > 0)
		good &= q(db, "SELECT min(start) FROM windows") == T0 / SEC &&
		    q(db, "SELECT max(start) FROM windows") ==
		    T0 / SEC + (n - 1) * 30 &&
		    q(db, "SELECT count(DISTINCT start) FROM windows") == n;
	for (w = 0; w < (uint64_t)(n > 0 ? n : 0); w++)
		for (h = 0; h < HOSTS; h++)
			want += (long long)octets_in(w, h);
	sum = n > 0 ? q(db, "SELECT sum(octets_in) FROM day_hosts") : 0;
	good &= sum == want;
	good &= q(db, "SELECT count(*) FROM window_sessions") ==
	    n * (HOSTS < 100 ? HOSTS : 100);
	sqlite3_close(db);
	if (!good)
		printf("# n %lld (submitted %llu, written %llu), host octets "
		    "%lld want %lld\n", n, (unsigned long long)submitted,
		    (unsigned long long)written, sum, want);
	return good ? n : -1;
}

int
main(void)
{
	struct progress	*pr;
	uint64_t	 seed = 0x5eed5eedULL, next = 0;
	long long	 n;
	unsigned int	 round, bad = 0, advanced = 0, wait;
	useconds_t	 delay;
	pid_t		 pid;
	int		 status;

	if (fixture_world(&sv, &ln, "10.0.0.0/8") < 0 ||
	    fixture_tmpdir(dir, sizeof(dir), "histdb_crash") < 0)
		return 2;
	snprintf(file, sizeof(file), "%s/history.sqlite", dir);
	pr = mmap(NULL, sizeof(*pr), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pr == MAP_FAILED)
		return 2;
	for (round = 0; round < ROUNDS; round++) {
		pr->pr_submitted = pr->pr_written = next;
		if ((pid = fork()) == 0)
			child(next, pr);
		/* 0 to 60 ms: before the file is open, during the schema,
		 * during writes and commits.  Every other round counts them
		 * from the child's first commit (waited for up to 10 s), so
		 * that kills land among the writes however slow a loaded
		 * machine makes the start. */
		delay = (useconds_t)(fixture_random(&seed) % 60000);
		for (wait = 0; round % 2 == 1 && wait < 10000 &&
		    pr->pr_written == next; wait++)
			usleep(1000);
		usleep(delay);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		n = check_file(pr->pr_submitted, pr->pr_written);
		if (n < 0) {
			bad++;
			break;
		}
		if ((uint64_t)n > next)
			advanced++;
		next = (uint64_t)n;
	}
	printf("# %u rounds, %llu windows in the file, %u rounds wrote "
	    "some\n", round, (unsigned long long)next, advanced);
	CHECK(bad == 0, "after every kill: integrity ok, exactly a prefix of "
	    "the windows, each whole, none reported written lost");
	CHECK(advanced > ROUNDS / 4, "the kills landed while windows were "
	    "being written (%u rounds of %d wrote some)", advanced, ROUNDS);
	munmap(pr, sizeof(*pr));
	fixture_remove_dir(dir);
	fixture_world_free(sv, ln);
	return check_done();
}
