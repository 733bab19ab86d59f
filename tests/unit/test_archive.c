/*
 * archive: each window is one line of the documented format in the file
 * of its UTC day; windows across midnight land in two files whose sums
 * (read back by the test itself) equal the windows'; files older than
 * archiveCompressAfter days become .gz holding the same bytes; the day
 * table is rebuilt identically from plain and .gz files, honours
 * archiveDays, skips and counts malformed lines, finishes a compression
 * cut by a crash without counting twice (also when it had merged an
 * older .gz), and a line cut short on disk does not swallow the next
 * one.  Planted links, FIFOs, directories and other users' files are
 * never read or written through, but refused and counted; new files are
 * 0640.  A directory removed while open is made again; lines that
 * cannot be written, on a full disk too, are counted.  Dates convert
 * both ways.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "check.h"
#include "fixture.h"
#include "store/archive.h"

#define SEC		1000000LL
#define DAY		(86400 * SEC)
#define D0		(19875 * DAY)	/* 2024-06-01T00:00:00Z */

static char	dir[64];

static void
path_in(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%.180s", dir, name);
}

static int
exists(const char *name)
{
	char	p[256];

	path_in(p, sizeof(p), name);
	return access(p, F_OK) == 0;
}

static struct archive *
open_dir(unsigned int days, unsigned int compress)
{
	struct archive_config	ac;
	char			err[256];
	struct archive		*ar;

	archive_config_default(&ac);
	ac.ac_dir = dir;
	ac.ac_days = days;
	ac.ac_compress_after = compress;
	if ((ar = archive_open(&ac, err, sizeof(err))) == NULL)
		printf("# archive_open: %s\n", err);
	return ar;
}

static struct archive_window
win(int64_t start, uint64_t scale, uint32_t rtt)
{
	struct archive_window	aw;

	aw.aw_start_us = start;
	aw.aw_octets_in = 1000 * scale + 1;
	aw.aw_octets_out = 300 * scale + 2;
	aw.aw_packets_in = 10 * scale + 3;
	aw.aw_packets_out = 5 * scale + 4;
	aw.aw_rtt_us = rtt;
	return aw;
}

/* The contents of a plain or gzip file, NUL-terminated. */
static char *
slurp(const char *name)
{
	char	 p[256], *buf = malloc(1 << 20);
	gzFile	 g;
	int	 n;

	path_in(p, sizeof(p), name);
	if (buf == NULL || (g = gzopen(p, "rb")) == NULL) {
		free(buf);
		return NULL;
	}
	n = gzread(g, buf, (1 << 20) - 1);
	gzclose(g);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Sums of a file's lines, parsed here with sscanf (not the module). */
struct sums {
	unsigned long long	oi, oo, pi, po, lines;
};

static struct sums
sum_file(const char *name)
{
	struct sums	 s = { 0, 0, 0, 0, 0 };
	char		*buf = slurp(name), *line, *save = NULL, ts[32];
	unsigned long long a, b, c, d;

	if (buf == NULL)
		return s;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%31s %llu %llu %llu %llu", ts, &a, &b, &c,
		    &d) != 5)
			continue;
		s.oi += a;
		s.oo += b;
		s.pi += c;
		s.po += d;
		s.lines++;
	}
	free(buf);
	return s;
}

static const struct archive_day *
day(const struct archive_snapshot *sn, uint32_t date)
{
	size_t	i;

	for (i = 0; i < sn->as_ndays; i++)
		if (sn->as_days[i].ad_date == date)
			return &sn->as_days[i];
	return NULL;
}

static void
test_dates(void)
{
	int64_t		d;
	int		ok = 1;

	CHECK(archive_date_days(19700101) == 0 &&
	    archive_date_days(20240601) == 19875 &&
	    archive_date_days(20240229) == 19782,
	    "dates to day numbers (epoch, 2024-06-01, a leap day)");
	CHECK(archive_date_days(20230229) < 0 && archive_date_days(20241301) < 0 &&
	    archive_date_days(20240431) < 0, "impossible dates are refused");
	for (d = -800000; d < 800000; d += 7)
		ok &= archive_date_days(archive_days_date(d)) == d ||
		    archive_days_date(d) == 0;
	CHECK(ok, "day numbers to dates and back, 4400 years");
}

static void
test_lines(void)
{
	struct archive			*ar = open_dir(31, 7);
	const struct archive_snapshot	*sn;
	const struct archive_day	*ad;
	struct archive_window		 aw;
	char				*text;

	if (ar == NULL)
		return;
	aw = win(D0 + 30 * SEC, 1, 1500);
	CHECK(archive_append(ar, &aw) == 0, "a window appended");
	aw = win(D0 + 60 * SEC, 2, ARCHIVE_NO_RTT);
	archive_append(ar, &aw);
	aw = win(D0 + 90 * SEC + 123456, 3, 2500);
	archive_append(ar, &aw);
	text = slurp("coremon-20240601.log");
	CHECK(text != NULL && strcmp(text,
	    "2024-06-01T00:00:30Z\t1001\t302\t13\t9\t1500\n"
	    "2024-06-01T00:01:00Z\t2001\t602\t23\t14\t\n"
	    "2024-06-01T00:01:30Z\t3001\t902\t33\t19\t2500\n") == 0,
	    "three lines: start, octets and packets in/out, RTT (empty "
	    "without probes)");
	free(text);
	sn = archive_acquire(ar);
	ad = day(sn, 20240601);
	CHECK(sn->as_ndays == 1 && ad != NULL && ad->ad_octets_in == 6003 &&
	    ad->ad_octets_out == 1806 && ad->ad_packets_in == 69 &&
	    ad->ad_packets_out == 42 && ad->ad_windows == 3 &&
	    ad->ad_rtt_windows == 2 && ad->ad_rtt_mean_us == 2000 &&
	    strcmp(ad->ad_file, "coremon-20240601.log") == 0,
	    "the day's totals, windows and mean RTT");
	archive_release(sn);
	archive_free(ar);
	fixture_empty_dir(dir);
}

static void
test_midnight(void)
{
	struct archive			*ar = open_dir(31, 7);
	const struct archive_snapshot	*sn;
	const struct archive_day	*a, *b;
	struct archive_window		 aw;
	struct sums			 want[2], got[2];
	int64_t				 t;
	int				 k;

	if (ar == NULL)
		return;
	memset(want, 0, sizeof(want));
	for (t = D0 - 5 * 60 * SEC; t < D0 + 5 * 60 * SEC; t += 30 * SEC) {
		aw = win(t, (uint64_t)(t / SEC % 97), 100);
		archive_append(ar, &aw);
		k = t >= D0;
		want[k].oi += aw.aw_octets_in;
		want[k].oo += aw.aw_octets_out;
		want[k].pi += aw.aw_packets_in;
		want[k].po += aw.aw_packets_out;
		want[k].lines++;
	}
	got[0] = sum_file("coremon-20240531.log");
	got[1] = sum_file("coremon-20240601.log");
	CHECK(memcmp(&got[0], &want[0], sizeof(want[0])) == 0 &&
	    memcmp(&got[1], &want[1], sizeof(want[1])) == 0 &&
	    got[0].lines == 10 && got[1].lines == 10,
	    "across midnight: two day files, each summing to its windows");
	sn = archive_acquire(ar);
	a = day(sn, 20240531);
	b = day(sn, 20240601);
	CHECK(sn->as_ndays == 2 && a != NULL && b != NULL &&
	    a->ad_octets_in == want[0].oi && a->ad_packets_out == want[0].po &&
	    b->ad_octets_out == want[1].oo && b->ad_packets_in == want[1].pi &&
	    a->ad_windows == 10 && b->ad_windows == 10,
	    "and the day table agrees with the files");
	archive_release(sn);
	archive_free(ar);

	/* Rebuilt from the files alone. */
	ar = open_dir(31, 7);
	sn = archive_acquire(ar);
	a = day(sn, 20240531);
	b = day(sn, 20240601);
	CHECK(sn->as_ndays == 2 && a != NULL && b != NULL &&
	    a->ad_octets_in == want[0].oi && b->ad_packets_in == want[1].pi &&
	    a->ad_rtt_mean_us == 100 && sn->as_malformed == 0,
	    "reopened: the same totals rebuilt from the files");
	archive_release(sn);
	archive_free(ar);
	fixture_empty_dir(dir);
}

static void
test_compress(void)
{
	struct archive			*ar = open_dir(5, 3);
	const struct archive_snapshot	*sn;
	struct archive_window		 aw;
	struct sums			 want[7];
	char				 plain[64], gz[72];
	unsigned long long		 before[7];
	int				 i, ok_plain = 1, ok_gz = 1, same = 1;

	if (ar == NULL)
		return;
	for (i = 0; i < 7; i++) {
		aw = win(D0 + i * DAY + 3600 * SEC, (uint64_t)i + 1, 10);
		archive_append(ar, &aw);
		aw = win(D0 + i * DAY + 7200 * SEC, (uint64_t)i + 2, 30);
		archive_append(ar, &aw);
		snprintf(plain, sizeof(plain), "coremon-202406%02d.log", i + 1);
		if (i < 3)
			want[i] = sum_file(plain);
	}
	for (i = 0; i < 7; i++) {
		snprintf(plain, sizeof(plain), "coremon-202406%02d.log", i + 1);
		snprintf(gz, sizeof(gz), "%s.gz", plain);
		if (i <= 3)
			ok_gz &= !exists(plain) && exists(gz);
		else
			ok_plain &= exists(plain) && !exists(gz);
		if (i < 3) {
			struct sums s = sum_file(gz);

			same &= memcmp(&s, &want[i], sizeof(s)) == 0;
		}
	}
	CHECK(ok_gz, "days more than 3 days before the newest are .gz, the "
	    "plain files gone");
	CHECK(ok_plain, "the last 3 days stay plain");
	CHECK(same, "each .gz holds its day's lines");
	sn = archive_acquire(ar);
	CHECK(sn->as_ndays == 5 && sn->as_days[0].ad_date == 20240603 &&
	    sn->as_days[4].ad_date == 20240607 && sn->as_compressed == 4,
	    "archiveDays 5: the day table holds the last five days");
	CHECK(strcmp(sn->as_days[0].ad_file, "coremon-20240603.log.gz") == 0 &&
	    strcmp(sn->as_days[4].ad_file, "coremon-20240607.log") == 0,
	    "each day names its file");
	for (i = 0; i < 5; i++)
		before[i] = sn->as_days[i].ad_octets_in;
	archive_release(sn);
	archive_free(ar);

	ar = open_dir(5, 3);
	sn = archive_acquire(ar);
	for (i = 0, same = sn->as_ndays == 5; same && i < 5; i++)
		same = sn->as_days[i].ad_octets_in == before[i] &&
		    sn->as_days[i].ad_windows == 2 &&
		    sn->as_days[i].ad_rtt_mean_us == 20;
	CHECK(same, "rebuilt from .gz and plain files: the same five days");
	archive_release(sn);
	archive_free(ar);
	fixture_empty_dir(dir);
}

static void
write_text(const char *name, const char *text)
{
	char	p[256];
	FILE	*f;

	path_in(p, sizeof(p), name);
	if ((f = fopen(p, "w")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void
write_gz(const char *name, const char *text)
{
	char	p[256];
	gzFile	g;

	path_in(p, sizeof(p), name);
	if ((g = gzopen(p, "wb")) != NULL) {
		gzwrite(g, text, (unsigned int)strlen(text));
		gzclose(g);
	}
}

static void
test_malformed(void)
{
	struct archive			*ar;
	const struct archive_snapshot	*sn;
	const struct archive_day	*ad;
	struct archive_window		 aw;
	char				*text;

	write_text("coremon-20240601.log",
	    "2024-06-01T00:00:00Z\t10\t20\t1\t2\t\n"		/* good */
	    "2024-06-01T00:00:30Z\t10\t20\t1\n"		/* 4 fields */
	    "2024-06-01T00:01:00Z\t10\tx0\t1\t2\t\n"		/* number */
	    "2024-06-02T00:01:30Z\t10\t20\t1\t2\t\n"		/* other day */
	    "2024-06-01T00:02:00Z\t10\t20\t1\t2\t5\textra\n"	/* 7 fields */
	    "2024-06-01T25:02:00Z\t10\t20\t1\t2\t\n"		/* hour 25 */
	    "2024-06-01T00:02:30Z\t99999999999999999999999\t20\t1\t2\t\n"
	    "\n"
	    "2024-06-01T00:03:00Z\t10\t20\t1\t2\t4294967295\n"	/* rtt */
	    "2024-06-01T00:03:30Z\t5\t6\t7\t8\t40\n"		/* good */
	    "2024-06-01T00:04:00Z\t10\t20\t1\t2\t");		/* cut */
	ar = open_dir(31, 0);
	if (ar == NULL)
		return;
	sn = archive_acquire(ar);
	ad = day(sn, 20240601);
	CHECK(sn->as_malformed == 9, "nine malformed lines skipped and "
	    "counted (%llu)", (unsigned long long)sn->as_malformed);
	CHECK(ad != NULL && ad->ad_windows == 2 && ad->ad_octets_in == 15 &&
	    ad->ad_rtt_windows == 1 && ad->ad_rtt_mean_us == 40,
	    "the two good lines counted");
	archive_release(sn);
	aw = win(D0 + 300 * SEC, 0, ARCHIVE_NO_RTT);
	archive_append(ar, &aw);
	text = slurp("coremon-20240601.log");
	CHECK(text != NULL && strstr(text, "\t2\t\n2024-06-01T00:05:00Z\t1\t2"
	    "\t3\t4\t\n") != NULL,
	    "an append after a cut line starts on a line of its own");
	free(text);
	archive_free(ar);
	fixture_empty_dir(dir);
}

static void
test_crash_leftovers(void)
{
	struct archive			*ar;
	const struct archive_snapshot	*sn;
	const struct archive_day	*ad;
	const char *line = "2024-06-01T00:00:00Z\t10\t20\t1\t2\t\n";
	const char *late = "2024-06-01T23:00:00Z\t1\t2\t3\t4\t\n";
	char				*text;

	/* Compression cut between rename and unlink: both copies. */
	write_text("coremon-20240601.log", line);
	write_gz("coremon-20240601.log.gz", line);
	write_text(".coremon-20240602.log.gz.tmp", "half");
	ar = open_dir(31, 0);
	sn = archive_acquire(ar);
	ad = day(sn, 20240601);
	CHECK(ad != NULL && ad->ad_windows == 1 && ad->ad_octets_in == 10,
	    "a plain file equal to its .gz counts once");
	CHECK(!exists("coremon-20240601.log") &&
	    exists("coremon-20240601.log.gz"), "and the cut compression is "
	    "finished (the plain copy removed)");
	CHECK(!exists(".coremon-20240602.log.gz.tmp"),
	    "a temporary file left by a crash is removed");
	archive_release(sn);
	archive_free(ar);

	/* Lines added to an old day after its compression: both count,
	 * then the next compression merges them. */
	write_text("coremon-20240601.log", late);
	ar = open_dir(31, 3);
	sn = archive_acquire(ar);
	ad = day(sn, 20240601);
	CHECK(ad != NULL && ad->ad_windows == 2 && ad->ad_octets_in == 11,
	    "a plain file beside a different .gz: both count");
	archive_release(sn);
	{
		struct archive_window aw = win(D0 + 10 * DAY, 1, 1);

		archive_append(ar, &aw);
	}
	text = slurp("coremon-20240601.log.gz");
	CHECK(!exists("coremon-20240601.log") && text != NULL &&
	    strcmp(text, "2024-06-01T00:00:00Z\t10\t20\t1\t2\t\n"
	    "2024-06-01T23:00:00Z\t1\t2\t3\t4\t\n") == 0,
	    "compressed again: the .gz holds the old lines, then the new");
	free(text);
	archive_free(ar);
	fixture_empty_dir(dir);
}

/* What ac_warn was handed, one message a line. */
static char	warned[8192];

static void
warn_collect(void *arg, const char *msg)
{
	size_t	len = strlen(warned);

	(void)arg;
	snprintf(warned + len, sizeof(warned) - len, "%s\n", msg);
}

static struct archive *
open_warn(const char *where, unsigned int days, unsigned int compress)
{
	struct archive_config	ac;
	char			err[256];
	struct archive		*ar;

	archive_config_default(&ac);
	ac.ac_dir = where;
	ac.ac_days = days;
	ac.ac_compress_after = compress;
	ac.ac_warn = warn_collect;
	warned[0] = '\0';
	if ((ar = archive_open(&ac, err, sizeof(err))) == NULL)
		printf("# archive_open: %s\n", err);
	return ar;
}

/* Whether a line of warned names name and says why. */
static int
warned_of(const char *name, const char *why)
{
	const char	*p = warned, *nl;
	char		 line[512];

	while ((nl = strchr(p, '\n')) != NULL) {
		snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
		if (strstr(line, name) != NULL && strstr(line, why) != NULL)
			return 1;
		p = nl + 1;
	}
	return 0;
}

static mode_t
mode_of(const char *name)
{
	char		p[256];
	struct stat	st;

	path_in(p, sizeof(p), name);
	return lstat(p, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static int
is_link(const char *name)
{
	char		p[256];
	struct stat	st;

	path_in(p, sizeof(p), name);
	return lstat(p, &st) == 0 && S_ISLNK(st.st_mode);
}

/*
 * A hostile archive directory: links to a file coremond's user must not
 * read, a FIFO, a directory and another user's file under day-file
 * names, a link in place of a .gz and of the compression's temporary
 * file.  Nothing is read or written through them, nothing is counted
 * from them, each is refused, counted and reported; the files coremond
 * makes are 0640.
 */
static void
test_hostile(void)
{
	static const char *secret_line =
	    "2024-06-01T00:00:00Z\t777777\t20\t1\t2\t\n";
	struct archive			*ar;
	const struct archive_snapshot	*sn;
	struct archive_window		 aw;
	char				 secret[128], p[256];
	struct stat			 before, after;
	uint64_t			 errors;
	int				 root = geteuid() == 0, ok, i;
	mode_t				 old;

	old = umask(022);
	/* The secret: outside the archive, with a valid line in it. */
	snprintf(secret, sizeof(secret), "%s.secret", dir);
	{
		FILE *f = fopen(secret, "w");

		if (f != NULL) {
			fputs(secret_line, f);
			fclose(f);
		}
		chmod(secret, 0600);
	}
	stat(secret, &before);
	path_in(p, sizeof(p), "coremon-20240601.log");
	symlink(secret, p);
	path_in(p, sizeof(p), "coremon-20240602.log");
	mkfifo(p, 0600);
	path_in(p, sizeof(p), "coremon-20240603.log");
	mkdir(p, 0700);
	write_text("coremon-20240604.log",
	    "2024-06-04T00:00:00Z\t888888\t20\t1\t2\t\n");
	if (root) {
		path_in(p, sizeof(p), "coremon-20240604.log");
		chown(p, 65534, 65534);
	}
	/* An own plain day whose .gz is a link to the secret. */
	write_text("coremon-20240605.log",
	    "2024-06-05T00:00:00Z\t5\t6\t7\t8\t\n");
	path_in(p, sizeof(p), "coremon-20240605.log.gz");
	symlink(secret, p);
	write_text("coremon-20240606.log",
	    "2024-06-06T00:00:00Z\t1\t1\t1\t1\t\n");

	ar = open_warn(dir, 31, 3);
	CHECK(ar != NULL, "the archive opens beside planted files (no FIFO "
	    "blocks it)");
	if (ar == NULL)
		goto out;
	sn = archive_acquire(ar);
	ok = 1;
	for (i = 0; i < (int)sn->as_ndays; i++)
		ok &= sn->as_days[i].ad_octets_in != 777777 &&
		    sn->as_days[i].ad_octets_in != 888888;
	CHECK(ok && day(sn, 20240601) == NULL && day(sn, 20240602) == NULL &&
	    day(sn, 20240603) == NULL && (!root || day(sn, 20240604) == NULL),
	    "nothing is counted through a link, FIFO, directory or another "
	    "user's file");
	CHECK(day(sn, 20240605) != NULL && day(sn, 20240605)->ad_windows == 1,
	    "the own plain file beside the planted .gz counts");
	CHECK(warned_of("coremon-20240601.log", "symbolic link") &&
	    warned_of("coremon-20240602.log", "not a regular file") &&
	    warned_of("coremon-20240603.log", "not a regular file") &&
	    (!root || warned_of("coremon-20240604.log", "uid 65534")) &&
	    warned_of("coremon-20240605.log.gz", "symbolic link"),
	    "each planted file is reported with its reason");
	CHECK(sn->as_errors >= (root ? 5u : 4u), "and counted (%llu errors)",
	    (unsigned long long)sn->as_errors);
	archive_release(sn);
	CHECK(is_link("coremon-20240605.log.gz") &&
	    exists("coremon-20240605.log") && !exists("coremon-20240601.log.gz"),
	    "no day is compressed through a link: the plain file stays, the "
	    "link is left alone, no copy of the link's target is made");

	/* Appends to the planted days fail, counted, write nothing. */
	sn = archive_acquire(ar);
	errors = sn->as_errors;
	archive_release(sn);
	aw = win(D0 + 60 * SEC, 1, ARCHIVE_NO_RTT);
	CHECK(archive_append(ar, &aw) < 0, "a window of the linked day is "
	    "not written");
	aw = win(D0 + DAY + 60 * SEC, 1, ARCHIVE_NO_RTT);
	CHECK(archive_append(ar, &aw) < 0, "nor one of the FIFO's day");
	aw = win(D0 + 2 * DAY + 60 * SEC, 1, ARCHIVE_NO_RTT);
	CHECK(archive_append(ar, &aw) < 0, "nor one of the directory's day");
	sn = archive_acquire(ar);
	CHECK_U64(sn->as_errors - errors, 3, "each refused line counted");
	archive_release(sn);
	stat(secret, &after);
	CHECK(after.st_size == before.st_size &&
	    after.st_mtime == before.st_mtime && (after.st_mode & 0777) == 0600,
	    "the link's target is untouched");

	/* A link planted as the compression's temporary file is replaced,
	 * not written through; new files are 0640. */
	path_in(p, sizeof(p), ".coremon-20240606.log.gz.tmp");
	symlink(secret, p);
	aw = win(D0 + 20 * DAY + 60 * SEC, 1, ARCHIVE_NO_RTT);
	CHECK(archive_append(ar, &aw) == 0, "a window of a new day");
	stat(secret, &after);
	CHECK(after.st_size == before.st_size &&
	    exists("coremon-20240606.log.gz") &&
	    !exists(".coremon-20240606.log.gz.tmp") &&
	    sum_file("coremon-20240606.log.gz").lines == 1,
	    "a linked temporary file is not written through; the day is "
	    "compressed all the same");
	CHECK(mode_of("coremon-20240621.log") == 0640 &&
	    mode_of("coremon-20240606.log.gz") == 0640,
	    "a new day file and a new .gz are 0640 (%o, %o)",
	    (unsigned int)mode_of("coremon-20240621.log"),
	    (unsigned int)mode_of("coremon-20240606.log.gz"));
	archive_free(ar);
out:
	path_in(p, sizeof(p), "coremon-20240603.log");
	rmdir(p);
	unlink(secret);
	fixture_empty_dir(dir);
	umask(old);
}

/* Lines of a file under where, read here with stdio. */
static int
count_lines(const char *where, const char *name)
{
	char	p[512];
	FILE	*f;
	int	c, n = 0;

	snprintf(p, sizeof(p), "%s/%s", where, name);
	if ((f = fopen(p, "r")) == NULL)
		return -1;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/*
 * The archive directory removed while open (rm -rf): the next line
 * goes to the directory and day file made again, not to the unlinked
 * file; so does a line after only the day file was removed.  While
 * something else is in the directory's place, each line is counted as
 * an error; once it is gone, writing resumes.
 */
static void
test_removed_dir(void)
{
	struct archive			*ar;
	const struct archive_snapshot	*sn;
	struct archive_window		 aw;
	char				 sub[128], p[256];
	uint64_t			 errors;
	FILE				*f;

	snprintf(sub, sizeof(sub), "%s/arch", dir);
	if ((ar = open_warn(sub, 31, 7)) == NULL)
		return;
	aw = win(D0 + 30 * SEC, 1, ARCHIVE_NO_RTT);
	archive_append(ar, &aw);
	fixture_remove_dir(sub);
	aw = win(D0 + 60 * SEC, 2, ARCHIVE_NO_RTT);
	CHECK(archive_append(ar, &aw) == 0, "a line after rm -rf of the "
	    "directory is written");
	CHECK(count_lines(sub, "coremon-20240601.log") == 1,
	    "into a new directory and day file (%d lines)",
	    count_lines(sub, "coremon-20240601.log"));
	snprintf(p, sizeof(p), "%s/coremon-20240601.log", sub);
	unlink(p);
	aw = win(D0 + 90 * SEC, 3, ARCHIVE_NO_RTT);
	archive_append(ar, &aw);
	CHECK(count_lines(sub, "coremon-20240601.log") == 1,
	    "a line after the day file alone was removed: in a new file");
	sn = archive_acquire(ar);
	errors = sn->as_errors;
	CHECK_U64(errors, 0, "no error while the directory could be made");
	archive_release(sn);

	/* A file in the directory's place. */
	fixture_remove_dir(sub);
	if ((f = fopen(sub, "w")) != NULL)
		fclose(f);
	aw = win(D0 + 120 * SEC, 4, ARCHIVE_NO_RTT);
	CHECK(archive_append(ar, &aw) < 0, "with a file in the directory's "
	    "place the line fails");
	aw = win(D0 + 150 * SEC, 5, ARCHIVE_NO_RTT);
	archive_append(ar, &aw);
	sn = archive_acquire(ar);
	CHECK_U64(sn->as_errors - errors, 2, "each lost line is counted");
	CHECK(strstr(sn->as_last_error, sub) != NULL &&
	    warned_of(sub, "something else is in its place"),
	    "and reported (%s)", sn->as_last_error);
	archive_release(sn);
	unlink(sub);
	aw = win(D0 + 180 * SEC, 6, ARCHIVE_NO_RTT);
	CHECK(archive_append(ar, &aw) == 0 &&
	    count_lines(sub, "coremon-20240601.log") == 1,
	    "once it is gone the directory is made again");
	archive_free(ar);

	/* A parent that cannot be written (only without root's override). */
	if (geteuid() != 0) {
		ar = open_warn(sub, 31, 7);
		fixture_remove_dir(sub);
		chmod(dir, 0555);
		aw = win(D0 + 210 * SEC, 7, ARCHIVE_NO_RTT);
		CHECK(ar != NULL && archive_append(ar, &aw) < 0 &&
		    warned_of(sub, "Permission denied"),
		    "a directory that cannot be made again: the line fails, "
		    "reported");
		chmod(dir, 0700);
		archive_free(ar);
	} else
		printf("# skipped: a read-only parent (root writes anyway)\n");
	fixture_remove_dir(sub);
}

/*
 * Defect 5: compression merged an older .gz (L1) with the plain file
 * (L2), renamed the new .gz (L1 L2) into place and stopped before
 * unlinking the plain file.  The day counts two windows, not three,
 * and the .gz holds each line once -- whether the reopen only loads
 * (no compression) or compresses the day again.
 */
static void
test_crash_merged(void)
{
	const char *l1 = "2024-06-01T00:00:00Z\t10\t20\t1\t2\t\n";
	const char *l2 = "2024-06-01T23:00:00Z\t1\t2\t3\t4\t\n";
	char				 both[128];
	struct archive			*ar;
	const struct archive_snapshot	*sn;
	const struct archive_day	*ad;
	char				*text;
	int				 compress;

	snprintf(both, sizeof(both), "%s%s", l1, l2);
	for (compress = 0; compress <= 1; compress++) {
		write_gz("coremon-20240601.log.gz", both);
		write_text("coremon-20240601.log", l2);
		/* A newer day, so that the day is old enough to compress. */
		write_text("coremon-20240611.log",
		    "2024-06-11T00:00:00Z\t1\t1\t1\t1\t\n");
		ar = open_dir(31, compress ? 3 : 0);
		if (ar == NULL)
			return;
		sn = archive_acquire(ar);
		ad = day(sn, 20240601);
		CHECK(ad != NULL && ad->ad_windows == 2 &&
		    ad->ad_octets_in == 11, "crash after a merging rename, "
		    "%s: the day counts 2 windows (%llu)",
		    compress ? "compressed again" : "loaded",
		    ad != NULL ? (unsigned long long)ad->ad_windows : 0ULL);
		archive_release(sn);
		archive_free(ar);
		text = slurp("coremon-20240601.log.gz");
		CHECK(!exists("coremon-20240601.log") && text != NULL &&
		    strcmp(text, both) == 0, "the plain copy is gone and the "
		    ".gz holds each line once");
		free(text);
		ar = open_dir(31, 0);
		sn = archive_acquire(ar);
		ad = day(sn, 20240601);
		CHECK(ad != NULL && ad->ad_windows == 2, "and a reopen still "
		    "counts 2");
		archive_release(sn);
		archive_free(ar);
		fixture_empty_dir(dir);
	}
}

/*
 * A full disk (a 64 KB tmpfs, when this runs as root): a line that
 * does not fit fails with ENOSPC, is counted and reported; the lines
 * already written stay; with room again the next line starts on a line
 * of its own.
 */
static void
test_full_disk(void)
{
	struct archive			*ar;
	const struct archive_snapshot	*sn;
	struct archive_window		 aw;
	char				 mnt[128], p[256];
	int				 rc, saved;

	if (fixture_small_disk(mnt, sizeof(mnt), dir) < 0)
		return;
	if ((ar = open_warn(mnt, 31, 7)) == NULL)
		goto out;
	aw = win(D0 + 30 * SEC, 1, ARCHIVE_NO_RTT);
	archive_append(ar, &aw);
	snprintf(p, sizeof(p), "%s/filler", mnt);
	fixture_fill_disk(p);
	/* A new day's file: its first byte needs a page the disk lacks
	 * (a line into the last page of a file could still fit). */
	aw = win(D0 + DAY + 60 * SEC, 2, ARCHIVE_NO_RTT);
	rc = archive_append(ar, &aw);
	saved = errno;
	sn = archive_acquire(ar);
	CHECK(rc < 0 && saved == ENOSPC && sn->as_errors == 1 &&
	    warned_of("coremon-20240602.log", "No space left"),
	    "a full disk: the line fails with ENOSPC, counted and reported "
	    "(%llu: %s)", (unsigned long long)sn->as_errors,
	    sn->as_last_error);
	archive_release(sn);
	CHECK(count_lines(mnt, "coremon-20240601.log") == 1,
	    "the line written before is still there");
	unlink(p);
	aw = win(D0 + DAY + 90 * SEC, 3, ARCHIVE_NO_RTT);
	CHECK(archive_append(ar, &aw) == 0 &&
	    count_lines(mnt, "coremon-20240602.log") == 1,
	    "with room again, the next line is written");
	archive_free(ar);
out:
	fixture_small_disk_remove(mnt);
}

/* A directory that cannot be made at start (a file in the way of its
 * parent) still gives an archive: each line is counted as an error until
 * the way is clear, then lines go in. */
static void
test_dir_unmakeable(void)
{
	struct archive_config		 ac;
	struct archive			*ar;
	const struct archive_snapshot	*sn;
	struct archive_window		 aw;
	char				 blocker[256], sub[300], err[256];
	char				*text;
	FILE				*f;

	path_in(blocker, sizeof(blocker), "blocker");
	snprintf(sub, sizeof(sub), "%s/archive", blocker);
	if ((f = fopen(blocker, "w")) == NULL)
		return;
	fclose(f);
	archive_config_default(&ac);
	ac.ac_dir = sub;
	ar = archive_open(&ac, err, sizeof(err));
	CHECK(ar != NULL, "an archive whose directory cannot be made opens");
	if (ar == NULL) {
		unlink(blocker);
		return;
	}
	aw = win(D0 + 30 * SEC, 1, 1500);
	CHECK(archive_append(ar, &aw) == -1, "a line it cannot write fails");
	sn = archive_acquire(ar);
	CHECK(sn->as_errors == 2 && sn->as_lines == 0,
	    "the directory at start and the line are counted as errors");
	archive_release(sn);
	unlink(blocker);
	mkdir(blocker, 0750);
	aw = win(D0 + 60 * SEC, 2, 1500);
	CHECK(archive_append(ar, &aw) == 0, "once the way is clear, lines go in");
	snprintf(sub, sizeof(sub), "blocker/archive/coremon-20240601.log");
	text = slurp(sub);
	CHECK(text != NULL && strncmp(text, "2024-06-01T00:01:00Z\t", 21) == 0,
	    "the directory is made and the line written");
	free(text);
	archive_free(ar);
	path_in(sub, sizeof(sub), "blocker/archive/coremon-20240601.log");
	unlink(sub);
	path_in(sub, sizeof(sub), "blocker/archive");
	rmdir(sub);
	rmdir(blocker);
}

int
main(void)
{
	if (fixture_tmpdir(dir, sizeof(dir), "test_archive") < 0)
		return 1;
	test_dates();
	test_lines();
	test_midnight();
	test_compress();
	test_malformed();
	test_crash_leftovers();
	test_crash_merged();
	test_hostile();
	test_removed_dir();
	test_full_disk();
	test_dir_unmakeable();
	fixture_remove_dir(dir);
	return check_done();
}
