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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "archive.h"

#define ARCHIVE_PREFIX		"coremon-"
#define ARCHIVE_SUFFIX		".log"
#define ARCHIVE_LINE_MAX	160	/* longer is malformed */
#define ARCHIVE_FILE_MAX	((size_t)256 << 20)	/* refuse to read past */
#define ARCHIVE_PATH_MAX	4096

/* What a directory scan found for one day. */
struct archive_found {
	uint32_t	af_date;
	int		af_plain;
	int		af_gz;
};

struct archive {
	struct archive_config	 ar_config;
	char			*ar_dir;
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
	pthread_mutex_t		 ar_lock;	/* ar_current */
	struct archive_snapshot	*ar_current;
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

/* Counts a failure on what (a path), keeping the message. */
static void
archive_error(struct archive *ar, const char *what, int err)
{
	ar->ar_errors++;
	snprintf(ar->ar_last_error, sizeof(ar->ar_last_error), "%.400s: %s",
	    what, strerror(err));
}

static void
archive_file_name(char *buf, size_t len, uint32_t date, int gz)
{
	snprintf(buf, len, ARCHIVE_PREFIX "%08u" ARCHIVE_SUFFIX "%s", date,
	    gz ? ".gz" : "");
}

static void
archive_path(const struct archive *ar, char *buf, size_t len, uint32_t date,
    int gz)
{
	char	name[ARCHIVE_NAME_MAX];

	archive_file_name(name, sizeof(name), date, gz);
	snprintf(buf, len, "%s/%s", ar->ar_dir, name);
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

/* All of a plain or gzip file into a malloc'ed buffer (*len bytes); NULL
 * with errno set. */
static char *
archive_read(const char *path, size_t *len)
{
	gzFile	 g;
	char	*buf, *p;
	size_t	 cap = 65536;
	int	 n;

	if ((g = gzopen(path, "rb")) == NULL)	/* reads plain files too */
		return NULL;
	*len = 0;
	if ((buf = malloc(cap)) == NULL) {
		gzclose(g);
		return NULL;
	}
	for (;;) {
		if (*len == cap) {
			if (cap >= ARCHIVE_FILE_MAX ||
			    (p = realloc(buf, cap * 2)) == NULL) {
				free(buf);
				gzclose(g);
				errno = EFBIG;
				return NULL;
			}
			buf = p;
			cap *= 2;
		}
		n = gzread(g, buf + *len, (unsigned int)(cap - *len));
		if (n < 0) {
			free(buf);
			gzclose(g);
			errno = EIO;
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

/* Reads one day's files into its totals. */
static void
archive_load_day(struct archive *ar, const struct archive_found *af)
{
	char		 plain[ARCHIVE_PATH_MAX], gz[ARCHIVE_PATH_MAX];
	char		*a = NULL, *b = NULL;
	size_t		 alen = 0, blen = 0;
	struct archive_day *ad;

	archive_path(ar, plain, sizeof(plain), af->af_date, 0);
	archive_path(ar, gz, sizeof(gz), af->af_date, 1);
	if (af->af_gz && (b = archive_read(gz, &blen)) == NULL)
		archive_error(ar, gz, errno);
	if (af->af_plain && (a = archive_read(plain, &alen)) == NULL)
		archive_error(ar, plain, errno);
	if (a != NULL && b != NULL && alen == blen &&
	    memcmp(a, b, alen) == 0) {
		/* A compression cut between rename and unlink: finish it. */
		unlink(plain);
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

/* Every day with a file, sorted; leftover temporary files removed.
 * NULL with errno set on failure (*n 0 and a non-NULL result when
 * none). */
static struct archive_found *
archive_scan(struct archive *ar, size_t *n)
{
	DIR			*d;
	struct dirent		*de;
	struct archive_found	*f = NULL, *p;
	size_t			 cap = 0, i;
	uint32_t		 date;
	int			 gz;
	char			 path[ARCHIVE_PATH_MAX];

	*n = 0;
	if ((d = opendir(ar->ar_dir)) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "." ARCHIVE_PREFIX, 9) == 0 &&
		    strstr(de->d_name, ".gz.tmp") != NULL) {
			snprintf(path, sizeof(path), "%s/%s", ar->ar_dir,
			    de->d_name);
			unlink(path);
			continue;
		}
		if ((date = archive_name_date(de->d_name, &gz)) == 0)
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

static int
archive_sync_dir(const struct archive *ar)
{
	int	fd, rc;

	if ((fd = open(ar->ar_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Writes a and then b as gzip to tmp, synced.  0 or -1. */
static int
archive_write_gz(const char *tmp, const char *a, size_t alen,
    const char *b, size_t blen)
{
	gzFile	g;
	int	fd, dfd, rc = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if ((dfd = dup(fd)) < 0 || (g = gzdopen(dfd, "wb")) == NULL) {
		if (dfd >= 0)
			close(dfd);
		close(fd);
		return -1;
	}
	if ((alen > 0 && gzwrite(g, a, (unsigned int)alen) != (int)alen) ||
	    (blen > 0 && gzwrite(g, b, (unsigned int)blen) != (int)blen))
		rc = -1;
	if (gzclose(g) != Z_OK)
		rc = -1;
	if (rc == 0 && fsync(fd) < 0)
		rc = -1;
	close(fd);
	return rc;
}

/* Compresses one day's plain file into its .gz (merging an existing one
 * first).  0 or -1. */
static int
archive_compress_day(struct archive *ar, uint32_t date)
{
	char	plain[ARCHIVE_PATH_MAX], gz[ARCHIVE_PATH_MAX];
	char	tmp[ARCHIVE_PATH_MAX], name[ARCHIVE_NAME_MAX];
	char	*a, *b = NULL;
	size_t	alen, blen = 0;
	int	rc = -1;

	if (ar->ar_fd >= 0 && ar->ar_fd_date == date) {
		close(ar->ar_fd);
		ar->ar_fd = -1;
	}
	archive_path(ar, plain, sizeof(plain), date, 0);
	archive_path(ar, gz, sizeof(gz), date, 1);
	archive_file_name(name, sizeof(name), date, 1);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", ar->ar_dir, name);
	if ((a = archive_read(plain, &alen)) == NULL) {
		archive_error(ar, plain, errno);
		return -1;
	}
	if (access(gz, F_OK) == 0 && (b = archive_read(gz, &blen)) == NULL) {
		archive_error(ar, gz, errno);
		goto done;
	}
	if (b != NULL && alen == blen && memcmp(a, b, alen) == 0)
		rc = 0;		/* already compressed: a crash before unlink */
	else if (archive_write_gz(tmp, b, blen, a, alen) < 0 ||
	    rename(tmp, gz) < 0 || archive_sync_dir(ar) < 0) {
		archive_error(ar, tmp, errno);
		unlink(tmp);
		goto done;
	} else
		rc = 0;
	if (rc == 0) {
		if (unlink(plain) < 0)
			archive_error(ar, plain, errno);
		archive_sync_dir(ar);
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
	if ((f = archive_scan(ar, &n)) == NULL) {
		archive_error(ar, ar->ar_dir, errno);
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
archive_publish(struct archive *ar)
{
	struct archive_snapshot	*sn, *old;
	struct archive_day	*days;

	sn = calloc(1, sizeof(*sn) + ar->ar_ndays * sizeof(*days));
	if (sn == NULL)
		return;		/* the previous one stays */
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
	sn->as_refs = 1;
	pthread_mutex_lock(&ar->ar_lock);
	old = ar->ar_current;
	ar->ar_current = sn;
	pthread_mutex_unlock(&ar->ar_lock);
	archive_release(old);
}

const struct archive_snapshot *
archive_acquire(struct archive *ar)
{
	struct archive_snapshot	*sn;

	pthread_mutex_lock(&ar->ar_lock);
	sn = ar->ar_current;
	if (sn != NULL)
		__atomic_add_fetch(&sn->as_refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&ar->ar_lock);
	return sn;
}

void
archive_release(const struct archive_snapshot *sn)
{
	struct archive_snapshot	*s = (struct archive_snapshot *)sn;

	if (s != NULL &&
	    __atomic_sub_fetch(&s->as_refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(s);
}

/* ---- open, append, free ---- */

static int
archive_rebuild(struct archive *ar)
{
	struct archive_found	*f;
	size_t			 n, i;

	if ((f = archive_scan(ar, &n)) == NULL)
		return -1;
	if (n > 0)
		archive_set_newest(ar, archive_date_days(f[n - 1].af_date));
	free(f);
	archive_compress_old(ar);
	if ((f = archive_scan(ar, &n)) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (archive_date_days(f[i].af_date) >
		    ar->ar_newest - ar->ar_config.ac_days)
			archive_load_day(ar, &f[i]);
	free(f);
	return 0;
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
	if (mkdir(ac->ac_dir, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", ac->ac_dir, strerror(errno));
		return NULL;
	}
	if ((ar = calloc(1, sizeof(*ar))) == NULL) {
		snprintf(err, errlen, "archive: %s", strerror(errno));
		return NULL;
	}
	pthread_mutex_init(&ar->ar_lock, NULL);
	ar->ar_config = *ac;
	ar->ar_fd = -1;
	ar->ar_newest = INT64_MIN;
	ar->ar_dir = strdup(ac->ac_dir);
	ar->ar_days = calloc(ac->ac_days + 1, sizeof(*ar->ar_days));
	ar->ar_config.ac_dir = ar->ar_dir;
	if (ar->ar_dir == NULL || ar->ar_days == NULL) {
		snprintf(err, errlen, "archive: %s", strerror(errno));
		archive_free(ar);
		return NULL;
	}
	if (archive_rebuild(ar) < 0) {
		snprintf(err, errlen, "%s: %s", ac->ac_dir, strerror(errno));
		archive_free(ar);
		return NULL;
	}
	archive_publish(ar);
	if (ar->ar_current == NULL) {
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
	archive_release(ar->ar_current);
	pthread_mutex_destroy(&ar->ar_lock);
	free(ar->ar_days);
	free(ar->ar_dir);
	free(ar);
}

/* Opens the day file for appending; one that does not end in a newline
 * (a line cut by a crash or a full disk) gets one first, so the next
 * line stands alone.  0 or -1. */
static int
archive_open_day(struct archive *ar, uint32_t date)
{
	char	path[ARCHIVE_PATH_MAX], last;
	struct stat st;
	int	fd;

	if (ar->ar_fd >= 0 && ar->ar_fd_date == date)
		return 0;
	if (ar->ar_fd >= 0)
		close(ar->ar_fd);
	ar->ar_fd = -1;
	archive_path(ar, path, sizeof(path), date, 0);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		archive_error(ar, path, errno);
		return -1;
	}
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		int	rfd = open(path, O_RDONLY | O_CLOEXEC);

		if (rfd >= 0 && pread(rfd, &last, 1, st.st_size - 1) == 1 &&
		    last != '\n' && write(fd, "\n", 1) != 1) {
			archive_error(ar, path, errno);
			close(rfd);
			close(fd);
			return -1;
		}
		if (rfd >= 0)
			close(rfd);
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
	char			 path[ARCHIVE_PATH_MAX];
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
	if (archive_open_day(ar, date) < 0)
		goto fail;
	if ((n = write(ar->ar_fd, line, len)) != (ssize_t)len) {
		saved = n < 0 ? errno : ENOSPC;
		archive_path(ar, path, sizeof(path), date, 0);
		archive_error(ar, path, saved);
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
