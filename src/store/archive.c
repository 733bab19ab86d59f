/*
 * archive: day files, their compression, and the per-day totals; see
 * archive.h.
 *
 * Days are kept as a sorted array of at most ac_days entries (31 by
 * default), so every lookup is a short scan.  Dates are converted to
 * day numbers with Howard Hinnant's days_from_civil() (proleptic
 * Gregorian, no time zone or locale involved).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "store/archive.h"

#define ARCHIVE_PREFIX		"coremon-"
#define ARCHIVE_SUFFIX		".log"
#define ARCHIVE_LINE_MAX	160	/* longer is malformed */
#define ARCHIVE_FILE_MAX	((size_t)256 << 20)	/* refuse to read past */
#define ARCHIVE_FILE_MODE	0640	/* day files and their .gz */
#define ARCHIVE_DIR_MODE	0750

/* What a directory scan found for one day. */
struct archive_found {
	uint32_t	af_date;
	int		af_plain;
	int		af_gz;
};

struct archive {
	struct archive_config	 ar_config;
	char			*ar_dir;
	int			 ar_dirfd;	/* every file is opened under it */
	struct archive_day	*ar_days;	/* ascending, <= ac_days */
	size_t			 ar_ndays;
	int64_t			 ar_newest;	/* day number; INT64_MIN none */
	int			 ar_fd;		/* the day file appended to */
	uint32_t		 ar_fd_date;
	uint64_t		 ar_lines;
	uint64_t		 ar_malformed;
	uint64_t		 ar_files_read;
	uint64_t		 ar_compressed;
	uint64_t		 ar_errors;
	char			 ar_last_error[ARCHIVE_TEXT_MAX];
	struct snapshot_slot	 ar_slot;
};

void
archive_config_default(struct archive_config *ac)
{
	memset(ac, 0, sizeof(*ac));
	ac->ac_days = ARCHIVE_DAYS_DEFAULT;
	ac->ac_compress_after = ARCHIVE_COMPRESS_DEFAULT;
}

/* ---- dates ---- */

static int64_t
archive_civil_days(int64_t y, unsigned int m, unsigned int d)
{
	int64_t		era;
	unsigned int	yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned int)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

uint32_t
archive_days_date(int64_t z)
{
	int64_t		era, y;
	unsigned int	doe, yoe, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned int)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y < 1 || y > 9999)
		return 0;
	return (uint32_t)y * 10000 + m * 100 + d;
}

int64_t
archive_date_days(uint32_t date)
{
	unsigned int	y = date / 10000, m = date / 100 % 100, d = date % 100;
	int64_t		days;

	if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	days = archive_civil_days(y, m, d);
	return archive_days_date(days) == date ? days : -1;
}

static int64_t
archive_day_of_us(int64_t us)
{
	int64_t	s = us / 1000000 - (us % 1000000 < 0);

	return s / 86400 - (s % 86400 < 0);
}

/* ---- lines ---- */

static int
archive_number(const char *p, size_t len, uint64_t *v)
{
	size_t	i;

	if (len == 0 || len > 20)
		return -1;
	*v = 0;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9' ||
		    *v > (UINT64_MAX - (uint64_t)(p[i] - '0')) / 10)
			return -1;
		*v = *v * 10 + (uint64_t)(p[i] - '0');
	}
	return 0;
}

/* "YYYY-MM-DDTHH:MM:SSZ" to seconds since the epoch. */
static int
archive_timestamp(const char *p, size_t len, int64_t *s)
{
	uint64_t	y, mo, d, h, mi, se;
	int64_t		days;

	if (len != 20 || p[4] != '-' || p[7] != '-' || p[10] != 'T' ||
	    p[13] != ':' || p[16] != ':' || p[19] != 'Z' ||
	    archive_number(p, 4, &y) < 0 || archive_number(p + 5, 2, &mo) < 0 ||
	    archive_number(p + 8, 2, &d) < 0 ||
	    archive_number(p + 11, 2, &h) < 0 ||
	    archive_number(p + 14, 2, &mi) < 0 ||
	    archive_number(p + 17, 2, &se) < 0 || h > 23 || mi > 59 || se > 60)
		return -1;
	days = archive_date_days((uint32_t)(y * 10000 + mo * 100 + d));
	if (days < 0)
		return -1;
	*s = days * 86400 + (int64_t)(h * 3600 + mi * 60 + se);
	return 0;
}

int
archive_parse_line(const char *line, size_t len, struct archive_window *aw)
{
	const char	*f[6], *tab;
	size_t		 flen[6], i, at = 0;
	uint64_t	 rtt;
	int64_t		 s;

	for (i = 0; i < 6; i++) {
		f[i] = line + at;
		tab = memchr(f[i], '\t', len - at);
		if ((tab == NULL) != (i == 5))
			return -1;	/* not exactly six fields */
		flen[i] = tab != NULL ? (size_t)(tab - f[i]) : len - at;
		at += flen[i] + 1;
	}
	memset(aw, 0, sizeof(*aw));
	if (archive_timestamp(f[0], flen[0], &s) < 0 ||
	    archive_number(f[1], flen[1], &aw->aw_octets_in) < 0 ||
	    archive_number(f[2], flen[2], &aw->aw_octets_out) < 0 ||
	    archive_number(f[3], flen[3], &aw->aw_packets_in) < 0 ||
	    archive_number(f[4], flen[4], &aw->aw_packets_out) < 0)
		return -1;
	aw->aw_start_us = s * 1000000;
	aw->aw_rtt_us = ARCHIVE_NO_RTT;
	if (flen[5] > 0) {
		if (archive_number(f[5], flen[5], &rtt) < 0 ||
		    rtt >= ARCHIVE_NO_RTT)
			return -1;
		aw->aw_rtt_us = (uint32_t)rtt;
	}
	return 0;
}

static size_t
archive_format_line(char *buf, size_t len, const struct archive_window *aw)
{
	time_t		t = (time_t)(aw->aw_start_us / 1000000 -
			    (aw->aw_start_us % 1000000 < 0));
	struct tm	tm;
	char		ts[32], rtt[16] = "";

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (aw->aw_rtt_us != ARCHIVE_NO_RTT)
		snprintf(rtt, sizeof(rtt), "%u", aw->aw_rtt_us);
	return (size_t)snprintf(buf, len, "%s\t%llu\t%llu\t%llu\t%llu\t%s\n",
	    ts, (unsigned long long)aw->aw_octets_in,
	    (unsigned long long)aw->aw_octets_out,
	    (unsigned long long)aw->aw_packets_in,
	    (unsigned long long)aw->aw_packets_out, rtt);
}

/* ---- the day table ---- */

/* Counts a failure on name (in ac_dir, or the directory itself when
 * NULL), keeping the message and handing it to ac_warn unless it
 * repeats the previous one (a full disk fails every window). */
static void
archive_fail(struct archive *ar, const char *name, const char *why)
{
	char	msg[ARCHIVE_TEXT_MAX];

	ar->ar_errors++;
	if (name != NULL)
		snprintf(msg, sizeof(msg), "%.300s/%.40s: %s", ar->ar_dir,
		    name, why);
	else
		snprintf(msg, sizeof(msg), "%.300s: %s", ar->ar_dir, why);
	if (ar->ar_config.ac_warn != NULL &&
	    strcmp(msg, ar->ar_last_error) != 0)
		ar->ar_config.ac_warn(ar->ar_config.ac_warn_arg, msg);
	memcpy(ar->ar_last_error, msg, sizeof(msg));
}

static void
archive_error(struct archive *ar, const char *name, int err)
{
	archive_fail(ar, name, strerror(err));
}

static void
archive_file_name(char *buf, size_t len, uint32_t date, int gz)
{
	snprintf(buf, len, ARCHIVE_PREFIX "%08u" ARCHIVE_SUFFIX "%s", date,
	    gz ? ".gz" : "");
}

/* Moves the newest day to days (if later), dropping days that fall out
 * of the last ac_days. */
static void
archive_set_newest(struct archive *ar, int64_t days)
{
	size_t	i, k;

	if (days <= ar->ar_newest)
		return;
	ar->ar_newest = days;
	for (i = k = 0; i < ar->ar_ndays; i++)
		if (archive_date_days(ar->ar_days[i].ad_date) >
		    days - ar->ar_config.ac_days)
			ar->ar_days[k++] = ar->ar_days[i];
	ar->ar_ndays = k;
}

/* The day's totals, made if needed; NULL when it is older than the last
 * ac_days (or later than the newest: the caller moves that first). */
static struct archive_day *
archive_day(struct archive *ar, uint32_t date)
{
	int64_t	days = archive_date_days(date);
	size_t	i;

	if (days < 0 || days <= ar->ar_newest - ar->ar_config.ac_days ||
	    days > ar->ar_newest)
		return NULL;
	for (i = 0; i < ar->ar_ndays && ar->ar_days[i].ad_date < date; i++)
		continue;
	if (i < ar->ar_ndays && ar->ar_days[i].ad_date == date)
		return &ar->ar_days[i];
	/* ar_days holds ac_days entries: a day in range always fits. */
	memmove(&ar->ar_days[i + 1], &ar->ar_days[i],
	    (ar->ar_ndays - i) * sizeof(*ar->ar_days));
	ar->ar_ndays++;
	memset(&ar->ar_days[i], 0, sizeof(ar->ar_days[i]));
	ar->ar_days[i].ad_date = date;
	archive_file_name(ar->ar_days[i].ad_file,
	    sizeof(ar->ar_days[i].ad_file), date, 0);
	return &ar->ar_days[i];
}

static void
archive_count(struct archive_day *ad, const struct archive_window *aw)
{
	ad->ad_octets_in += aw->aw_octets_in;
	ad->ad_octets_out += aw->aw_octets_out;
	ad->ad_packets_in += aw->aw_packets_in;
	ad->ad_packets_out += aw->aw_packets_out;
	ad->ad_windows++;
	if (aw->aw_rtt_us != ARCHIVE_NO_RTT) {
		ad->ad_rtt_windows++;
		ad->ad_rtt_sum_us += aw->aw_rtt_us;
	}
	ad->ad_rtt_mean_us = ad->ad_rtt_windows == 0 ? 0 :
	    (uint32_t)(ad->ad_rtt_sum_us / ad->ad_rtt_windows);
}

/* ---- reading files ---- */

/*
 * Opens name in the archive directory, never through a symbolic link,
 * and keeps it only if it is a regular file of coremond's own user: the
 * directory belongs to that user, so anything else there (a link to a
 * root-only file, a FIFO that would block, another user's file) was
 * planted and is refused.  O_NONBLOCK keeps a FIFO from blocking the
 * open; it means nothing to a regular file.  The descriptor, or -1
 * with the reason counted.
 */
static int
archive_openat(struct archive *ar, const char *name, int flags, mode_t mode)
{
	struct stat	st;
	char		why[96];
	int		fd;

	fd = openat(ar->ar_dirfd, name,
	    flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode);
	if (fd < 0) {
		archive_fail(ar, name, errno == ELOOP ?
		    "a symbolic link: refused, not followed" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		archive_error(ar, name, errno);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		archive_fail(ar, name, "not a regular file: refused");
		close(fd);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		snprintf(why, sizeof(why), "owned by uid %lu, not coremond's "
		    "uid %lu: refused", (unsigned long)st.st_uid,
		    (unsigned long)geteuid());
		archive_fail(ar, name, why);
		close(fd);
		return -1;
	}
	return fd;
}

/* All of a plain or gzip file into a malloc'ed buffer (*len bytes); NULL
 * with the reason counted. */
static char *
archive_read(struct archive *ar, const char *name, size_t *len)
{
	gzFile	 g;
	char	*buf, *p;
	size_t	 cap = 65536;
	int	 fd, n;

	if ((fd = archive_openat(ar, name, O_RDONLY, 0)) < 0)
		return NULL;
	if ((g = gzdopen(fd, "rb")) == NULL) {	/* reads plain files too */
		archive_error(ar, name, ENOMEM);
		close(fd);
		return NULL;
	}
	*len = 0;
	if ((buf = malloc(cap)) == NULL) {
		archive_error(ar, name, errno);
		gzclose(g);
		return NULL;
	}
	for (;;) {
		if (*len == cap) {
			if (cap >= ARCHIVE_FILE_MAX ||
			    (p = realloc(buf, cap * 2)) == NULL) {
				archive_error(ar, name, cap >= ARCHIVE_FILE_MAX ?
				    EFBIG : ENOMEM);
				free(buf);
				gzclose(g);
				return NULL;
			}
			buf = p;
			cap *= 2;
		}
		n = gzread(g, buf + *len, (unsigned int)(cap - *len));
		if (n < 0) {
			archive_fail(ar, name, "unreadable (damaged gzip?)");
			free(buf);
			gzclose(g);
			return NULL;
		}
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	gzclose(g);
	return buf;
}

/* Adds each good line of a day's file contents to the day. */
static void
archive_sum(struct archive *ar, uint32_t date, const char *buf, size_t len)
{
	struct archive_window	 aw;
	struct archive_day	*ad;
	const char		*p = buf, *nl;
	size_t			 n;

	while (p < buf + len) {
		nl = memchr(p, '\n', (size_t)(buf + len - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(buf + len - p);
		if (nl == NULL || n > ARCHIVE_LINE_MAX ||
		    archive_parse_line(p, n, &aw) < 0 ||
		    archive_days_date(archive_day_of_us(aw.aw_start_us)) != date)
			ar->ar_malformed++;
		else if ((ad = archive_day(ar, date)) != NULL)
			archive_count(ad, &aw);
		p += n + 1;
	}
}

/*
 * Whether the plain file's lines (a) are already the last lines of the
 * .gz (b): the state a compression leaves when it stops between the
 * rename of the new .gz and the unlink of the plain file, whether or not
 * an older .gz was merged in first.  Lines carry their window's start,
 * so a plain file that matches can only be that copy (or a duplicate of
 * those very windows, which must not count twice either).
 */
static int
archive_merged(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen <= blen && memcmp(b + blen - alen, a, alen) == 0 &&
	    (alen == blen || b[blen - alen - 1] == '\n');
}

/* Reads one day's files into its totals. */
static void
archive_load_day(struct archive *ar, const struct archive_found *af)
{
	char		 plain[ARCHIVE_NAME_MAX], gz[ARCHIVE_NAME_MAX];
	char		*a = NULL, *b = NULL;
	size_t		 alen = 0, blen = 0;
	struct archive_day *ad;

	archive_file_name(plain, sizeof(plain), af->af_date, 0);
	archive_file_name(gz, sizeof(gz), af->af_date, 1);
	if (af->af_gz)
		b = archive_read(ar, gz, &blen);
	if (af->af_plain)
		a = archive_read(ar, plain, &alen);
	if (a != NULL && b != NULL && archive_merged(a, alen, b, blen)) {
		/* A compression cut between rename and unlink: finish it. */
		if (unlinkat(ar->ar_dirfd, plain, 0) < 0)
			archive_error(ar, plain, errno);
		free(a);
		a = NULL;
	}
	if (b != NULL) {
		ar->ar_files_read++;
		archive_sum(ar, af->af_date, b, blen);
	}
	if (a != NULL) {
		ar->ar_files_read++;
		archive_sum(ar, af->af_date, a, alen);
	}
	if ((ad = archive_day(ar, af->af_date)) != NULL)
		archive_file_name(ad->ad_file, sizeof(ad->ad_file), af->af_date,
		    a == NULL && b != NULL);
	free(a);
	free(b);
}

/* The date of an archive file name, 0 if it is none; *gz set. */
static uint32_t
archive_name_date(const char *name, int *gz)
{
	size_t		len = strlen(name), plen = strlen(ARCHIVE_PREFIX);
	uint64_t	date;

	if (strncmp(name, ARCHIVE_PREFIX, plen) != 0 ||
	    archive_number(name + plen, 8, &date) < 0 ||
	    archive_date_days((uint32_t)date) < 0)
		return 0;
	if (len == plen + 8 + 4 && strcmp(name + plen + 8, ".log") == 0)
		*gz = 0;
	else if (len == plen + 8 + 7 && strcmp(name + plen + 8, ".log.gz") == 0)
		*gz = 1;
	else
		return 0;
	return (uint32_t)date;
}

static int
archive_found_cmp(const void *a, const void *b)
{
	uint32_t	x = ((const struct archive_found *)a)->af_date;
	uint32_t	y = ((const struct archive_found *)b)->af_date;

	return (x > y) - (x < y);
}

/* Whether a day file's name is coremond's own regular file (lstat: a
 * link is not followed); when report is set, what is not is counted
 * and logged. */
static int
archive_own_file(struct archive *ar, const char *name, int report)
{
	struct stat	st;
	char		why[96];

	if (fstatat(ar->ar_dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (report)
			archive_error(ar, name, errno);
		return 0;
	}
	if (S_ISREG(st.st_mode) && st.st_uid == geteuid())
		return 1;
	if (!report)
		return 0;
	if (S_ISLNK(st.st_mode))
		archive_fail(ar, name, "a symbolic link: refused, not followed");
	else if (!S_ISREG(st.st_mode))
		archive_fail(ar, name, "not a regular file: refused");
	else {
		snprintf(why, sizeof(why), "owned by uid %lu, not coremond's "
		    "uid %lu: refused", (unsigned long)st.st_uid,
		    (unsigned long)geteuid());
		archive_fail(ar, name, why);
	}
	return 0;
}

/* Every day with a file of coremond's own (others counted when report
 * is set), sorted; leftover temporary files removed.  NULL with errno
 * set on failure (*n 0 and a non-NULL result when none). */
static struct archive_found *
archive_scan(struct archive *ar, size_t *n, int report)
{
	DIR			*d;
	struct dirent		*de;
	struct archive_found	*f = NULL, *p;
	size_t			 cap = 0, i;
	uint32_t		 date;
	int			 gz, fd;

	*n = 0;
	fd = openat(ar->ar_dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "." ARCHIVE_PREFIX, 9) == 0 &&
		    strstr(de->d_name, ".gz.tmp") != NULL) {
			/* Removes a link, never what it points to. */
			unlinkat(ar->ar_dirfd, de->d_name, 0);
			continue;
		}
		if ((date = archive_name_date(de->d_name, &gz)) == 0 ||
		    !archive_own_file(ar, de->d_name, report))
			continue;
		for (i = 0; i < *n && f[i].af_date != date; i++)
			continue;
		if (i == *n) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				if ((p = realloc(f, cap * sizeof(*f))) == NULL) {
					free(f);
					closedir(d);
					return NULL;
				}
				f = p;
			}
			memset(&f[(*n)++], 0, sizeof(*f));
			f[i].af_date = date;
		}
		if (gz)
			f[i].af_gz = 1;
		else
			f[i].af_plain = 1;
	}
	closedir(d);
	if (f == NULL && (f = malloc(sizeof(*f))) == NULL)
		return NULL;
	qsort(f, *n, sizeof(*f), archive_found_cmp);
	return f;
}

/* ---- compression ---- */

/* Writes a and then b as gzip to name (made anew, 0640), synced.  0, or
 * -1 with the reason counted. */
static int
archive_write_gz(struct archive *ar, const char *name, const char *a,
    size_t alen, const char *b, size_t blen)
{
	gzFile	g;
	int	fd, dfd, err;

	/* O_EXCL after the unlink: whatever was planted under the name is
	 * gone, and a new one makes the open fail rather than be used. */
	unlinkat(ar->ar_dirfd, name, 0);
	fd = openat(ar->ar_dirfd, name, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, ARCHIVE_FILE_MODE);
	if (fd < 0) {
		archive_error(ar, name, errno);
		return -1;
	}
	if ((dfd = dup(fd)) < 0 || (g = gzdopen(dfd, "wb")) == NULL) {
		archive_error(ar, name, dfd < 0 ? errno : ENOMEM);
		if (dfd >= 0)
			close(dfd);
		close(fd);
		return -1;
	}
	err = 0;
	if ((alen > 0 && gzwrite(g, a, (unsigned int)alen) != (int)alen) ||
	    (blen > 0 && gzwrite(g, b, (unsigned int)blen) != (int)blen))
		err = errno != 0 ? errno : EIO;
	if (gzclose(g) != Z_OK && err == 0)
		err = errno != 0 ? errno : EIO;
	if (err == 0 && fsync(fd) < 0)
		err = errno;
	close(fd);
	if (err != 0) {
		archive_error(ar, name, err);
		return -1;
	}
	return 0;
}

/* Compresses one day's plain file into its .gz (merging an existing one
 * first).  0 or -1. */
static int
archive_compress_day(struct archive *ar, uint32_t date)
{
	char		 plain[ARCHIVE_NAME_MAX], gz[ARCHIVE_NAME_MAX];
	char		 tmp[ARCHIVE_NAME_MAX + 8];
	char		*a, *b = NULL;
	size_t		 alen, blen = 0;
	struct stat	 st;
	int		 rc = -1;

	if (ar->ar_fd >= 0 && ar->ar_fd_date == date) {
		close(ar->ar_fd);
		ar->ar_fd = -1;
	}
	archive_file_name(plain, sizeof(plain), date, 0);
	archive_file_name(gz, sizeof(gz), date, 1);
	snprintf(tmp, sizeof(tmp), ".%s.tmp", gz);
	if ((a = archive_read(ar, plain, &alen)) == NULL)
		return -1;
	/* An existing .gz is merged; one that is not our own regular file
	 * is refused (archive_read) and the day stays plain. */
	if (fstatat(ar->ar_dirfd, gz, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (b = archive_read(ar, gz, &blen)) == NULL)
		goto done;
	if (b != NULL && archive_merged(a, alen, b, blen))
		rc = 0;		/* already compressed: a crash before unlink */
	else if (archive_write_gz(ar, tmp, b, blen, a, alen) < 0)
		unlinkat(ar->ar_dirfd, tmp, 0);
	else if (renameat(ar->ar_dirfd, tmp, ar->ar_dirfd, gz) < 0 ||
	    fsync(ar->ar_dirfd) < 0) {
		archive_error(ar, gz, errno);
		unlinkat(ar->ar_dirfd, tmp, 0);
	} else
		rc = 0;
	if (rc == 0) {
		if (unlinkat(ar->ar_dirfd, plain, 0) < 0)
			archive_error(ar, plain, errno);
		fsync(ar->ar_dirfd);
		ar->ar_compressed++;
	}
done:
	free(a);
	free(b);
	return rc;
}

/* Compresses every plain day file older than ac_compress_after days
 * before the newest day. */
static void
archive_compress_old(struct archive *ar)
{
	struct archive_found	*f;
	struct archive_day	*ad;
	size_t			 n, i;
	int64_t			 limit;

	if (ar->ar_config.ac_compress_after == 0 || ar->ar_newest == INT64_MIN)
		return;
	limit = ar->ar_newest - ar->ar_config.ac_compress_after;
	if ((f = archive_scan(ar, &n, 0)) == NULL) {
		archive_error(ar, NULL, errno);
		return;
	}
	for (i = 0; i < n; i++) {
		if (!f[i].af_plain || archive_date_days(f[i].af_date) > limit)
			continue;
		if (archive_compress_day(ar, f[i].af_date) == 0 &&
		    (ad = archive_day(ar, f[i].af_date)) != NULL)
			archive_file_name(ad->ad_file, sizeof(ad->ad_file),
			    f[i].af_date, 1);
	}
	free(f);
}

/* ---- snapshots ---- */

static void
archive_snapshot_free(struct snapshot *sn)
{
	free(sn);	/* one allocation, as_snap first */
}

/* 0, or -1 (ENOMEM) with the previous snapshot still current. */
static int
archive_publish(struct archive *ar)
{
	struct archive_snapshot	*sn;
	struct archive_day	*days;

	sn = calloc(1, sizeof(*sn) + ar->ar_ndays * sizeof(*days));
	if (sn == NULL)
		return -1;
	days = (struct archive_day *)(sn + 1);
	if (ar->ar_ndays > 0)
		memcpy(days, ar->ar_days, ar->ar_ndays * sizeof(*days));
	sn->as_ndays = ar->ar_ndays;
	sn->as_days = days;
	sn->as_days_max = ar->ar_config.ac_days;
	sn->as_lines = ar->ar_lines;
	sn->as_malformed = ar->ar_malformed;
	sn->as_files_read = ar->ar_files_read;
	sn->as_compressed = ar->ar_compressed;
	sn->as_errors = ar->ar_errors;
	memcpy(sn->as_last_error, ar->ar_last_error, sizeof(sn->as_last_error));
	snapshot_init(&sn->as_snap, archive_snapshot_free);
	snapshot_publish(&ar->ar_slot, &sn->as_snap);
	return 0;
}

/* The snapshot API, typed: as_snap is first, so the pointers convert. */
const struct archive_snapshot *
archive_acquire(struct archive *ar)
{
	return (const struct archive_snapshot *)snapshot_acquire(&ar->ar_slot);
}

void
archive_release(const struct archive_snapshot *sn)
{
	snapshot_release(sn ? &sn->as_snap : NULL);
}

/* ---- open, append, free ---- */

static int
archive_rebuild(struct archive *ar)
{
	struct archive_found	*f;
	size_t			 n, i;

	if ((f = archive_scan(ar, &n, 0)) == NULL)
		return -1;
	if (n > 0)
		archive_set_newest(ar, archive_date_days(f[n - 1].af_date));
	free(f);
	archive_compress_old(ar);
	/* This scan reports what is refused, once for each file. */
	if ((f = archive_scan(ar, &n, 1)) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (archive_date_days(f[i].af_date) >
		    ar->ar_newest - ar->ar_config.ac_days)
			archive_load_day(ar, &f[i]);
	free(f);
	return 0;
}

/* Makes (one level) and opens the directory: ar_dirfd, or -1 with
 * errno set. */
static int
archive_open_dir(struct archive *ar)
{
	if (mkdir(ar->ar_dir, ARCHIVE_DIR_MODE) < 0 && errno != EEXIST)
		return -1;
	ar->ar_dirfd = open(ar->ar_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return ar->ar_dirfd < 0 ? -1 : 0;
}

struct archive *
archive_open(const struct archive_config *ac, char *err, size_t errlen)
{
	struct archive	*ar;

	if (ac->ac_dir == NULL || ac->ac_days == 0 ||
	    ac->ac_days > ARCHIVE_DAYS_MAX) {
		snprintf(err, errlen, "archive: no directory, or archiveDays "
		    "out of range 1-%u", (unsigned int)ARCHIVE_DAYS_MAX);
		errno = EINVAL;
		return NULL;
	}
	if ((ar = calloc(1, sizeof(*ar))) == NULL) {
		snprintf(err, errlen, "archive: %s", strerror(errno));
		return NULL;
	}
	snapshot_slot_init(&ar->ar_slot);
	ar->ar_config = *ac;
	ar->ar_fd = -1;
	ar->ar_dirfd = -1;
	ar->ar_newest = INT64_MIN;
	ar->ar_dir = strdup(ac->ac_dir);
	ar->ar_days = calloc(ac->ac_days + 1, sizeof(*ar->ar_days));
	ar->ar_config.ac_dir = ar->ar_dir;
	if (ar->ar_dir == NULL || ar->ar_days == NULL) {
		snprintf(err, errlen, "archive: %s", strerror(errno));
		archive_free(ar);
		return NULL;
	}
	/* A directory that cannot be made yet (a read-only or full state
	 * directory) is no reason to archive nothing for good: every line
	 * tries again and counts what it could not write. */
	if (archive_open_dir(ar) < 0)
		archive_error(ar, NULL, errno);
	else if (archive_rebuild(ar) < 0) {
		snprintf(err, errlen, "%s: %s", ac->ac_dir, strerror(errno));
		archive_free(ar);
		return NULL;
	}
	if (archive_publish(ar) < 0) {
		snprintf(err, errlen, "archive: %s", strerror(ENOMEM));
		archive_free(ar);
		errno = ENOMEM;
		return NULL;
	}
	return ar;
}

void
archive_free(struct archive *ar)
{
	if (ar == NULL)
		return;
	if (ar->ar_fd >= 0)
		close(ar->ar_fd);
	if (ar->ar_dirfd >= 0)
		close(ar->ar_dirfd);
	snapshot_slot_destroy(&ar->ar_slot);
	free(ar->ar_days);
	free(ar->ar_dir);
	free(ar);
}

/*
 * The directory made and opened again when it was removed (rm -rf while
 * coremond runs: a removed directory has no links) or the path now
 * names another one, so lines do not go to an unlinked file.  0, or -1
 * with the reason counted.
 */
static int
archive_check_dir(struct archive *ar)
{
	struct stat	had, now;

	if (ar->ar_dirfd >= 0 && fstat(ar->ar_dirfd, &had) == 0 &&
	    had.st_nlink > 0 && stat(ar->ar_dir, &now) == 0 &&
	    now.st_dev == had.st_dev && now.st_ino == had.st_ino)
		return 0;
	if (ar->ar_fd >= 0)
		close(ar->ar_fd);
	ar->ar_fd = -1;
	if (ar->ar_dirfd >= 0)
		close(ar->ar_dirfd);
	ar->ar_dirfd = -1;
	if (archive_open_dir(ar) < 0) {
		archive_fail(ar, NULL, errno == ENOTDIR || errno == EEXIST ?
		    "removed, and something else is in its place" :
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Opens the day file for appending (made 0640 if missing, refused
 * unless it is coremond's own regular file); one that does not end in a
 * newline (a line cut by a crash or a full disk) gets one first, so the
 * next line stands alone.  0 or -1. */
static int
archive_open_day(struct archive *ar, uint32_t date)
{
	char		name[ARCHIVE_NAME_MAX], last;
	struct stat	st;
	int		fd;

	if (ar->ar_fd >= 0 && ar->ar_fd_date == date &&
	    fstat(ar->ar_fd, &st) == 0 && st.st_nlink > 0)
		return 0;
	/* Another day's, or this one's unlinked under us. */
	if (ar->ar_fd >= 0)
		close(ar->ar_fd);
	ar->ar_fd = -1;
	archive_file_name(name, sizeof(name), date, 0);
	fd = archive_openat(ar, name, O_RDWR | O_APPEND | O_CREAT,
	    ARCHIVE_FILE_MODE);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && st.st_size > 0 &&
	    pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n' &&
	    write(fd, "\n", 1) != 1) {
		archive_error(ar, name, errno);
		close(fd);
		return -1;
	}
	ar->ar_fd = fd;
	ar->ar_fd_date = date;
	return 0;
}

int
archive_append(struct archive *ar, const struct archive_window *aw)
{
	struct archive_day	*ad;
	char			 line[ARCHIVE_LINE_MAX + 32];
	char			 name[ARCHIVE_NAME_MAX];
	int64_t			 days = archive_day_of_us(aw->aw_start_us);
	uint32_t		 date = archive_days_date(days);
	size_t			 len;
	ssize_t			 n;
	int			 saved;

	if (date == 0) {
		errno = ERANGE;
		return -1;
	}
	len = archive_format_line(line, sizeof(line), aw);
	if (archive_check_dir(ar) < 0 || archive_open_day(ar, date) < 0) {
		errno = EIO;
		goto fail;
	}
	if ((n = write(ar->ar_fd, line, len)) != (ssize_t)len) {
		saved = n < 0 ? errno : ENOSPC;
		archive_file_name(name, sizeof(name), date, 0);
		archive_error(ar, name, saved);
		close(ar->ar_fd);
		ar->ar_fd = -1;
		errno = saved;
		goto fail;
	}
	ar->ar_lines++;
	if (days > ar->ar_newest) {
		archive_set_newest(ar, days);
		archive_compress_old(ar);
	}
	if ((ad = archive_day(ar, date)) != NULL)
		archive_count(ad, aw);
	archive_publish(ar);
	return 0;
fail:
	saved = errno;
	archive_publish(ar);
	errno = saved;
	return -1;
}
