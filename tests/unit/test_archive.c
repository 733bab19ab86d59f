/*
 * archive: each window is one line of the documented format in the file
 * of its UTC day; windows across midnight land in two files whose sums
 * (read back by the test itself) equal the windows'; files older than
 * archiveCompressAfter days become .gz holding the same bytes; the day
 * table is rebuilt identically from plain and .gz files, honours
 * archiveDays, skips and counts malformed lines, finishes a compression
 * cut by a crash without counting twice, and a line cut short on disk
 * does not swallow the next one.  Dates convert both ways.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "archive.h"
#include "check.h"

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
clean(void)
{
	DIR		*d = opendir(dir);
	struct dirent	*de;
	char		 p[256];

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    strcmp(de->d_name, "..") == 0))
			continue;
		path_in(p, sizeof(p), de->d_name);
		unlink(p);
	}
	if (d != NULL)
		closedir(d);
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
	clean();
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
	clean();
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
	clean();
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
	clean();
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
	clean();
}

int
main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_archive.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_dates();
	test_lines();
	test_midnight();
	test_compress();
	test_malformed();
	test_crash_leftovers();
	clean();
	rmdir(dir);
	return check_done();
}
