/*
 * hostdb: a save killed with SIGKILL at any point leaves the last
 * complete save, never a mixture (issue 5, "Kill -9 in the middle of a
 * save").
 *
 * The file holds generation A (HOSTS hosts).  In each round a child
 * process folds one more window into its copy of the database --
 * generation B, with a tenth more hosts and other totals -- and saves it
 * with hostdb_save(), while this process kills it after a random delay
 * spread over the save's measured duration and a little past it.  Then a
 * fresh database loads the file: it must load cleanly and be exactly A
 * or exactly B -- host count and sums of every counter against what the
 * generator's own arithmetic says, a few hosts' exact values, and every
 * host against a reference database of that generation.  The killed
 * child's FILE.tmp is left where it is: the loader never reads it and
 * the next save truncates it, so there is at most one and it is never
 * larger than a complete save.  Where the kills landed is printed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "fixture.h"
#include "store/hostdb.h"
#include "store/hostdb_file.h"

#define HOSTS		200000	/* generation A; B adds HOSTS / 10 */
#define ROUNDS		40
#define MEASURES	5	/* saves timed, not killed, before */
#define SEC		1000000LL
#define T0		(1717200000LL * SEC)	/* 2024-06-01T00:00:00Z */

/* Where a kill landed, from the child's phase and the files left. */
enum landing {
	LAND_UNOPENED,		/* FILE.tmp not opened yet */
	LAND_WRITING,		/* FILE.tmp being written (header zero) */
	LAND_TMP_DONE,		/* FILE.tmp complete, not renamed yet */
	LAND_RENAMED,		/* renamed, hostdb_save() not returned */
	LAND_RETURNED,		/* after hostdb_save() returned */
	LAND_BAD,		/* the file was neither A nor B */
	LAND_COUNT
};

static const char *landing_name[LAND_COUNT] = {
	"before the temp file was opened",
	"while the temp file was being written",
	"temp file complete (fsync, close), before the rename",
	"after the rename, before the save returned (directory fsync)",
	"after the save returned",
	"the file was neither generation"
};

/* Shared with the child: how far its save got. */
struct progress {
	volatile int		pr_phase;	/* 1 folding, 2 saving, 3 saved */
	volatile int64_t	pr_start_ns;	/* hostdb_save() called */
	volatile int64_t	pr_end_ns;	/* and returned */
};

/* What the generator says a generation holds, by its own arithmetic. */
struct expect {
	size_t			ex_hosts;
	struct session_counts	ex_sum;
};

static struct services	*sv;
static char		 dir[64], file[128], tmp[160];

static int64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static unsigned int
service(const char *name)
{
	return fixture_service(sv, name);
}

/* Host i: 100.64.0.0/10 (three in four) or 2001:db8::/32. */
static void
host_addr(size_t i, int *family, uint8_t *a)
{
	uint32_t	v = (uint32_t)i;

	memset(a, 0, 16);
	if (i % 4 == 3) {
		*family = AF_INET6;
		a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
		a[12] = (uint8_t)(v >> 24), a[13] = (uint8_t)(v >> 16);
		a[14] = (uint8_t)(v >> 8), a[15] = (uint8_t)v;
	} else {
		*family = AF_INET;
		v += 0x64400000u;
		a[0] = (uint8_t)(v >> 24), a[1] = (uint8_t)(v >> 16);
		a[2] = (uint8_t)(v >> 8), a[3] = (uint8_t)v;
	}
}

/* Host i's counts in the first window (every host of A, and the new
 * hosts of B). */
static struct session_counts
first_counts(size_t i)
{
	struct session_counts	c;

	c.sc_octets_in = 100 + (uint64_t)i * 7919 % 100000;
	c.sc_octets_out = c.sc_octets_in / 3 + i % 11;
	c.sc_packets_in = 1 + i % 97;
	c.sc_packets_out = 1 + i % 89;
	return c;
}

/* What B's window adds to an old host i (even ones only). */
static struct session_counts
second_counts(size_t i)
{
	struct session_counts	c = { 0, 0, 0, 0 };

	if (i % 2 == 0) {
		c.sc_octets_in = 5000 + i % 1000;
		c.sc_octets_out = 77;
		c.sc_packets_in = 3;
		c.sc_packets_out = 2;
	}
	return c;
}

static void
add_counts(struct session_counts *to, const struct session_counts *c)
{
	to->sc_octets_in += c->sc_octets_in;
	to->sc_octets_out += c->sc_octets_out;
	to->sc_packets_in += c->sc_packets_in;
	to->sc_packets_out += c->sc_packets_out;
}

/* Host i's totals in generation gen ('A' or 'B'); 0 when it has none. */
static int
host_expected(size_t i, int gen, struct session_counts *c)
{
	struct session_counts	more;

	if (i >= HOSTS + (gen == 'B' ? HOSTS / 10 : 0))
		return 0;
	*c = first_counts(i);
	if (gen == 'B' && i < HOSTS) {
		more = second_counts(i);
		add_counts(c, &more);
	}
	return 1;
}

static void
expect_of(int gen, struct expect *ex)
{
	struct session_counts	c;
	size_t			i;

	memset(ex, 0, sizeof(*ex));
	for (i = 0; host_expected(i, gen, &c); i++) {
		ex->ex_hosts++;
		add_counts(&ex->ex_sum, &c);
	}
}

/* Host i's session with 10.0.0.1 or fd00::1 over TCP 443. */
static struct session
session_of(size_t i, const struct session_counts *c, const char *svc)
{
	struct session	se;
	uint8_t		remote[16];
	int		family;

	host_addr(i, &family, remote);
	se = fixture_session(family == AF_INET ? "10.0.0.1" : "fd00::1",
	    family == AF_INET ? "0.0.0.0" : "::", 6, 443, service(svc), c);
	memcpy(se.se_key.sk_remote, remote, 16);
	return se;
}

static int
fold(struct hostdb *hd, int64_t start, const struct session *s, size_t n)
{
	struct window_closed	wd;

	fixture_window(&wd, start, s, n);
	return hostdb_add_window(hd, &wd);
}

static int
fold_a(struct hostdb *hd)
{
	static const char	*svc[4] = { "www", "dns", "ssh", "mail" };
	struct session		*s = calloc(HOSTS, sizeof(*s));
	struct session_counts	 c;
	size_t			 i;
	int			 rc;

	if (s == NULL)
		return -1;
	for (i = 0; i < HOSTS; i++) {
		c = first_counts(i);
		s[i] = session_of(i, &c, svc[i % 4]);
	}
	rc = fold(hd, T0, s, HOSTS);
	free(s);
	return rc;
}

/* Generation B from A: a window where the even hosts send more (over
 * "other", a new row for most of them) and HOSTS / 10 new hosts come. */
static int
fold_b(struct hostdb *hd)
{
	size_t			 n = HOSTS / 2 + HOSTS / 10, k = 0, i;
	struct session		*s = calloc(n, sizeof(*s));
	struct session_counts	 c;
	int			 rc;

	if (s == NULL)
		return -1;
	for (i = 0; i < HOSTS; i += 2) {
		c = second_counts(i);
		s[k++] = session_of(i, &c, "other");
	}
	for (i = HOSTS; i < HOSTS + HOSTS / 10; i++) {
		c = first_counts(i);
		s[k++] = session_of(i, &c, "www");
	}
	rc = fold(hd, T0 + 30 * SEC, s, k);
	free(s);
	return rc;
}

static struct hostdb *
new_db(void)
{
	struct hostdb_config	hc;

	hostdb_config_default(&hc);
	hc.hc_max_hosts = 2 * HOSTS;
	hc.hc_top_hosts = 10;
	hc.hc_file = file;
	return hostdb_new(&hc, sv);
}

static int
same_host(const struct hostdb_host *a, const struct hostdb_host *b)
{
	return a->hh_family == b->hh_family &&
	    memcmp(a->hh_addr, b->hh_addr, 16) == 0 &&
	    a->hh_source == b->hh_source &&
	    memcmp(&a->hh_counts, &b->hh_counts, sizeof(a->hh_counts)) == 0 &&
	    a->hh_sessions == b->hh_sessions &&
	    a->hh_first_seen == b->hh_first_seen &&
	    a->hh_last_seen == b->hh_last_seen &&
	    strcmp(a->hh_name, b->hh_name) == 0 &&
	    a->hh_nservices == b->hh_nservices &&
	    memcmp(a->hh_services, b->hh_services,
	    a->hh_nservices * sizeof(a->hh_services[0])) == 0;
}

/* Every host of the loaded snapshot equals the reference's. */
static int
same_hosts(const struct hostdb_snapshot *got, struct hostdb *ref)
{
	const struct hostdb_snapshot	*want = hostdb_acquire(ref);
	struct hostdb_host		 hg, hw;
	size_t				 i;
	int				 same = got->hs_entries ==
					    want->hs_entries;

	for (i = 0; same && i < got->hs_entries; i++)
		same = hostdb_snapshot_host(got, i, &hg) == 0 &&
		    hostdb_snapshot_host(want, i, &hw) == 0 &&
		    same_host(&hg, &hw);
	hostdb_release(want);
	return same;
}

/* Count and counter sums of a snapshot equal ex? */
static int
sums_match(const struct hostdb_snapshot *sn, const struct expect *ex)
{
	struct session_counts	sum = { 0, 0, 0, 0 };
	struct hostdb_host	hh;
	size_t			i;

	if (sn->hs_entries != ex->ex_hosts)
		return 0;
	for (i = 0; i < sn->hs_entries; i++) {
		if (hostdb_snapshot_host(sn, i, &hh) < 0)
			return 0;
		add_counts(&sum, &hh.hh_counts);
	}
	return memcmp(&sum, &ex->ex_sum, sizeof(sum)) == 0;
}

/* A few hosts, old and new, hold exactly generation gen's values. */
static int
samples_match(const struct hostdb_snapshot *sn, int gen)
{
	static const size_t	pick[] = { 0, 1, 2, 3, HOSTS / 2, HOSTS - 1,
				    HOSTS, HOSTS + 7, HOSTS + HOSTS / 10 - 1 };
	struct session_counts	c;
	struct hostdb_host	hh;
	uint8_t			a[16];
	size_t			k, pos;
	int			family, has;

	for (k = 0; k < sizeof(pick) / sizeof(pick[0]); k++) {
		host_addr(pick[k], &family, a);
		pos = hostdb_snapshot_seek(sn, family, a);
		has = pos < sn->hs_entries &&
		    hostdb_snapshot_host(sn, pos, &hh) == 0 &&
		    hh.hh_family == family && memcmp(hh.hh_addr, a, 16) == 0;
		if (has != host_expected(pick[k], gen, &c))
			return 0;
		if (has && (memcmp(&hh.hh_counts, &c, sizeof(c)) != 0 ||
		    hh.hh_sessions != (gen == 'B' && pick[k] < HOSTS &&
		    pick[k] % 2 == 0 ? 2u : 1u)))
			return 0;
	}
	return 1;
}

/* Which generation the file holds: 'A', 'B', or 0 (damaged, moved,
 * or a mixture).  *why says what failed. */
static int
load_generation(struct hostdb *ref_a, struct hostdb *ref_b,
    const struct expect *ea, const struct expect *eb, const char **why)
{
	struct hostdb			*hd = new_db();
	struct hostdb_status		 st;
	const struct hostdb_snapshot	*sn;
	int				 gen = 0;

	*why = "out of memory";
	if (hd == NULL)
		return 0;
	if (hostdb_load(hd) != HOSTDB_LOAD_OK) {
		hostdb_status(hd, &st);
		printf("#   load: %s\n", st.hst_load_message);
		*why = "did not load";
		hostdb_free(hd);
		return 0;
	}
	sn = hostdb_acquire(hd);
	if (sums_match(sn, ea))
		gen = 'A';
	else if (sums_match(sn, eb))
		gen = 'B';
	*why = "count or sums are neither A's nor B's";
	if (gen != 0 && !samples_match(sn, gen)) {
		*why = "a sample host differs";
		gen = 0;
	}
	if (gen != 0 && !same_hosts(sn, gen == 'A' ? ref_a : ref_b)) {
		*why = "a host differs from the reference";
		gen = 0;
	}
	hostdb_release(sn);
	hostdb_free(hd);
	return gen;
}

/* Files in dir other than FILE and FILE.tmp. */
static int
stray_files(void)
{
	DIR		*d = opendir(dir);
	struct dirent	*de;
	int		 n = 0;

	while (d != NULL && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    strcmp(de->d_name, "hostdb") != 0 &&
		    strcmp(de->d_name, "hostdb.tmp") != 0)
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static off_t
size_of(const char *path)
{
	struct stat	st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* When FILE.tmp last changed, ns; -1 when there is none. */
static int64_t
tmp_stamp(void)
{
	struct stat	st;

	if (stat(tmp, &st) < 0)
		return -1;
	return (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

/* FILE.tmp has its real header: hostdb_file.c writes it last. */
static int
tmp_complete(void)
{
	char	magic[8];
	int	fd = open(tmp, O_RDONLY), full;

	if (fd < 0)
		return 0;
	full = read(fd, magic, 8) == 8 && memcmp(magic, HOSTDB_FILE_MAGIC,
	    8) == 0;
	close(fd);
	return full;
}

/* The child: generation B from its copy of A, saved; then waits to be
 * killed.  It tells the parent through the pipe when the save starts. */
static void
child(struct hostdb *hd, struct progress *pr, int fd)
{
	char	go = 'g';

	pr->pr_phase = 1;
	if (fold_b(hd) < 0)
		_exit(1);
	pr->pr_phase = 2;
	pr->pr_start_ns = now_ns();
	if (write(fd, &go, 1) != 1)
		_exit(1);
	if (hostdb_save(hd) < 0)
		_exit(1);
	pr->pr_end_ns = now_ns();
	pr->pr_phase = 3;
	for (;;)
		pause();
}

/* Forks a child saving B; kills it delay_ns after its save began (or
 * waits for it, delay_ns < 0).  0, or -1 when the child failed. */
static int
run_child(struct hostdb *a, struct progress *pr, int64_t delay_ns)
{
	struct timespec	ts;
	pid_t		pid;
	int		p[2], status;
	char		go;

	memset(pr, 0, sizeof(*pr));
	if (pipe(p) < 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		close(p[0]);
		child(a, pr, p[1]);
	}
	close(p[1]);
	if (read(p[0], &go, 1) != 1) {
		close(p[0]);
		waitpid(pid, &status, 0);
		return -1;
	}
	close(p[0]);
	if (delay_ns < 0) {
		while (pr->pr_phase != 3 && waitpid(pid, &status, WNOHANG) == 0)
			usleep(1000);
	} else {
		ts.tv_sec = (time_t)(delay_ns / 1000000000);
		ts.tv_nsec = (long)(delay_ns % 1000000000);
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			continue;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? 0 : -1;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int
classify(const struct progress *pr, int gen, int opened, int had_tmp,
    int full_tmp)
{
	if (gen == 'A' && pr->pr_phase == 2)
		return !opened ? LAND_UNOPENED : full_tmp ? LAND_TMP_DONE :
		    LAND_WRITING;
	if (gen == 'B' && !had_tmp)
		return pr->pr_phase == 3 ? LAND_RETURNED : LAND_RENAMED;
	return LAND_BAD;	/* A after a save returned; B with a tmp */
}

static void
test_kills(void)
{
	struct hostdb		*a = new_db(), *b = new_db();
	struct progress		*pr;
	struct expect		 ea, eb;
	const char		*why = "";
	int64_t			 took[MEASURES], save_ns, t0, delay, at;
	int64_t			 stamp;
	off_t			 b_size, tmp_size, max_tmp = 0;
	int			 count[LAND_COUNT] = { 0 };
	int			 i, k, slice, gen, ok = 1, strays = 0;
	int			 stale = 0;
	int			 had_tmp, full_tmp, gens[2] = { 0, 0 };
	uint64_t		 x = 0x853c49e6748fea9bULL;

	pr = mmap(NULL, sizeof(*pr), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (a == NULL || b == NULL || pr == MAP_FAILED) {
		CHECK(0, "set up two databases and a shared page");
		hostdb_free(a);
		hostdb_free(b);
		return;
	}
	t0 = now_ns();
	CHECK(fold_a(a) == 0 && fold_a(b) == 0 && fold_b(b) == 0,
	    "generation A (%d hosts) and a reference B built in %.0f ms",
	    HOSTS, (double)(now_ns() - t0) / 1e6);
	expect_of('A', &ea);
	expect_of('B', &eb);
	CHECK(ea.ex_hosts != eb.ex_hosts &&
	    ea.ex_sum.sc_octets_in != eb.ex_sum.sc_octets_in,
	    "A has %zu hosts and %llu octets in, B %zu and %llu",
	    ea.ex_hosts, (unsigned long long)ea.ex_sum.sc_octets_in,
	    eb.ex_hosts, (unsigned long long)eb.ex_sum.sc_octets_in);

	/* The save's duration, the median of children left to finish;
	 * each leaves B, so A is saved again. */
	for (i = 0; i < MEASURES; i++) {
		if (hostdb_save(a) < 0 || run_child(a, pr, -1) < 0 ||
		    pr->pr_phase != 3) {
			CHECK(0, "an unkilled child saves B");
			goto done;
		}
		took[i] = pr->pr_end_ns - pr->pr_start_ns;
	}
	qsort(took, MEASURES, sizeof(took[0]), cmp_i64);
	save_ns = took[MEASURES / 2];
	gen = load_generation(a, b, &ea, &eb, &why);
	b_size = size_of(file);
	CHECK(gen == 'B', "a save left to finish leaves exactly B (%lld "
	    "bytes; the median of %d took %.1f ms)", (long long)b_size,
	    MEASURES, (double)save_ns / 1e6);

	for (i = 0; i < ROUNDS; i++) {
		if (gen != 'A' && hostdb_save(a) < 0) {
			CHECK(0, "A saved again");
			goto done;
		}
		/* Stratified: each round its own slice of 0 .. 1.15 times the
		 * save, in a shuffled order. */
		slice = (i * 17 + 5) % ROUNDS;
		delay = (int64_t)((double)save_ns * 1.15 * (slice +
		    (double)(fixture_random(&x) % 1000) / 1000) / ROUNDS);
		stamp = tmp_stamp();
		if (run_child(a, pr, delay) < 0) {
			CHECK(0, "round %d: the child died of SIGKILL", i);
			ok = 0;
			continue;
		}
		at = now_ns() - pr->pr_start_ns;
		had_tmp = size_of(tmp) >= 0;
		full_tmp = tmp_complete();
		tmp_size = size_of(tmp);
		if (tmp_size > max_tmp)
			max_tmp = tmp_size;
		strays += stray_files();
		gen = load_generation(a, b, &ea, &eb, &why);
		stale += gen != 0 && had_tmp;
		k = gen == 0 ? LAND_BAD : classify(pr, gen,
		    tmp_stamp() != stamp, had_tmp, full_tmp);
		count[k]++;
		if (gen != 0)
			gens[gen - 'A']++;
		if (k == LAND_BAD) {
			ok = 0;
			printf("#   round %d: killed %.1f ms into the save, "
			    "phase %d, temp file %s: %s\n", i, (double)at / 1e6,
			    pr->pr_phase, had_tmp ? "present" : "absent",
			    gen == 0 ? why : "the generation does not fit "
			    "where the save was");
		}
	}
	for (k = 0; k < LAND_COUNT; k++)
		printf("# %2d kills %s\n", count[k], landing_name[k]);
	CHECK(ok, "%d saves killed with SIGKILL over 0 .. 1.15 x %.1f ms: "
	    "each time the file loaded cleanly and was exactly A (%d) or "
	    "exactly B (%d), as far as the save had got", ROUNDS,
	    (double)save_ns / 1e6, gens[0], gens[1]);
	CHECK(count[LAND_WRITING] + count[LAND_TMP_DONE] >= ROUNDS / 4,
	    "%d kills landed in the middle of the save, before its rename",
	    count[LAND_WRITING] + count[LAND_TMP_DONE]);
	CHECK(stale > 0, "%d loads found a killed save's temp file and "
	    "ignored it", stale);
	CHECK(strays == 0 && max_tmp <= b_size, "no other files appeared, "
	    "and the temp file never grew past a complete save (at most "
	    "%lld of %lld bytes): the next save truncates it",
	    (long long)max_tmp, (long long)b_size);
	CHECK(hostdb_save(a) == 0 && size_of(tmp) < 0 &&
	    load_generation(a, b, &ea, &eb, &why) == 'A',
	    "a complete save afterwards replaces the stale temp file: A, and "
	    "no FILE.tmp left");
done:
	munmap(pr, sizeof(*pr));
	hostdb_free(a);
	hostdb_free(b);
}

int
main(void)
{
	if (fixture_tmpdir(dir, sizeof(dir), "test_hostdb_crash") < 0)
		return 1;
	snprintf(file, sizeof(file), "%s/hostdb", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	sv = services_new();
	test_kills();
	services_free(sv);
	fixture_remove_dir(dir);
	return check_done();
}
