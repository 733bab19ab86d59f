/*
 * histdb_import: the archive into the history database; see
 * histdb_import.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "lib/errbuf.h"
#include "store/archive.h"
#include "store/histdb_import.h"
#include "store/histdb_int.h"

#define IMPORT_PREFIX	"coremon-"	/* archive.h: coremon-YYYYMMDD.log */
#define IMPORT_LINE_MAX	160		/* archive.c's: longer is malformed */
#define IMPORT_DAYS_MAX	(1U << 20)	/* files of one directory */

struct import_file {
	uint32_t	if_date;	/* YYYYMMDD */
	int		if_gz;		/* .log.gz, read before the .log */
};

/* The date of a day file's name, 0 if it is none; *gz set. */
static uint32_t
import_name_date(const char *name, int *gz)
{
	size_t		plen = strlen(IMPORT_PREFIX), i;
	uint32_t	date = 0;

	if (strncmp(name, IMPORT_PREFIX, plen) != 0)
		return 0;
	for (i = 0; i < 8; i++) {
		if (name[plen + i] < '0' || name[plen + i] > '9')
			return 0;
		date = date * 10 + (uint32_t)(name[plen + i] - '0');
	}
	if (strcmp(name + plen + 8, ".log") == 0)
		*gz = 0;
	else if (strcmp(name + plen + 8, ".log.gz") == 0)
		*gz = 1;
	else
		return 0;
	return archive_date_days(date) < 0 ? 0 : date;
}

/* Oldest day first; a day's .gz (its older lines) before its .log. */
static int
import_file_cmp(const void *a, const void *b)
{
	const struct import_file *x = a, *y = b;

	if (x->if_date != y->if_date)
		return (x->if_date > y->if_date) - (x->if_date < y->if_date);
	return y->if_gz - x->if_gz;
}

/* The day files of dfd, sorted; NULL with the reason in err. */
static struct import_file *
import_scan(int dfd, size_t *n, char *err, size_t errlen)
{
	struct import_file *f = NULL, *p;
	struct dirent *de;
	size_t cap = 0;
	uint32_t date;
	DIR *d;
	int fd, gz;

	*n = 0;
	if ((fd = dup(dfd)) < 0 || (d = fdopendir(fd)) == NULL) {
		errbuf_set(err, errlen, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if ((date = import_name_date(de->d_name, &gz)) == 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if (cap > IMPORT_DAYS_MAX ||
			    (p = realloc(f, cap * sizeof(*f))) == NULL) {
				errbuf_set(err, errlen, "too many day files");
				goto fail;
			}
			f = p;
		}
		f[*n].if_date = date;
		f[*n].if_gz = gz;
		(*n)++;
	}
	closedir(d);
	if (f == NULL && (f = malloc(sizeof(*f))) == NULL) {
		errbuf_set(err, errlen, "out of memory");
		return NULL;
	}
	qsort(f, *n, sizeof(*f), import_file_cmp);
	return f;
fail:
	free(f);
	closedir(d);
	return NULL;
}

/*
 * A day file, whole, into a malloc'ed buffer: only a regular file, never
 * through a symbolic link (O_NOFOLLOW), never blocking on a FIFO
 * (O_NONBLOCK).  gzdopen reads plain files as they are.  NULL when it
 * cannot be read.
 */
static char *
import_read(int dfd, const char *name, size_t *len)
{
	struct stat st;
	size_t cap = 65536;
	char *buf = NULL, *p;
	gzFile g;
	int fd, n;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (g = gzdopen(fd, "rb")) == NULL) {
		close(fd);
		return NULL;
	}
	*len = 0;
	if ((buf = malloc(cap)) == NULL)
		goto fail;
	for (;;) {
		if (*len == cap) {
			cap *= 2;
			if (cap > HISTDB_IMPORT_FILE_MAX ||
			    (p = realloc(buf, cap)) == NULL)
				goto fail;
			buf = p;
		}
		if ((n = gzread(g, buf + *len, (unsigned int)(cap - *len))) < 0)
			goto fail;
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	gzclose(g);
	return buf;
fail:
	free(buf);
	gzclose(g);
	return NULL;
}

/* One archive line as a batch of one window row. */
static void
import_batch(struct histdb_batch *b, struct histdb_window_row *w,
    const struct histdb_config *cf, const struct archive_window *aw,
    uint32_t length_s, uint32_t date)
{
	memset(b, 0, sizeof(*b));
	memset(w, 0, sizeof(*w));
	snprintf(b->hb_agent, sizeof(b->hb_agent), "%s", cf->hc_agent);
	b->hb_start_s = aw->aw_start_us / 1000000;
	b->hb_length_s = length_s;
	b->hb_day = date;
	snprintf(w->wr_source, sizeof(w->wr_source), "%s",
	    HISTDB_IMPORT_SOURCE);
	w->wr_octets_in = aw->aw_octets_in;
	w->wr_octets_out = aw->aw_octets_out;
	w->wr_packets_in = aw->aw_packets_in;
	w->wr_packets_out = aw->aw_packets_out;
	w->wr_rtt_us = aw->aw_rtt_us == ARCHIVE_NO_RTT ? -1 :
	    (int64_t)aw->aw_rtt_us;
	b->hb_windows = w;
	b->hb_nwindows = 1;
}

/* Every line of one day's file contents; -1 when the database fails. */
static int
import_day(const struct histdb_backend *bk, void *db,
    const struct histdb_config *cf, uint32_t length_s, uint32_t date,
    const char *buf, size_t len, struct histdb_import_count *c, char *err,
    size_t errlen)
{
	struct histdb_window_row w;
	struct archive_window aw;
	struct histdb_batch b;
	const char *p = buf, *nl;
	size_t n;
	int rc;

	for (; p < buf + len; p += n + 1) {
		nl = memchr(p, '\n', (size_t)(buf + len - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(buf + len - p);
		/* A line without its newline may be half written. */
		if (nl == NULL || n > IMPORT_LINE_MAX ||
		    archive_parse_line(p, n, &aw) < 0 || aw.aw_start_us < 0 ||
		    archive_days_date(aw.aw_start_us / 1000000 / 86400) !=
		    date) {
			c->ic_malformed++;
			continue;
		}
		import_batch(&b, &w, cf, &aw, length_s, date);
		if ((rc = bk->hk_write(db, &b, err, errlen)) < 0)
			return -1;
		if (rc == 0)
			c->ic_skipped++;
		else
			c->ic_imported++;
	}
	return 0;
}

int
histdb_import_with(const struct histdb_backend *bk,
    const struct histdb_config *cf, const char *dir, uint32_t length_s,
    struct histdb_import_count *c, char *err, size_t errlen)
{
	struct import_file *files = NULL;
	char name[64], why[HISTDB_ERROR_MAX];
	void *db = NULL;
	size_t nfiles, i, len;
	char *buf;
	int dfd;

	memset(c, 0, sizeof(*c));
	if (cf->hc_agent == NULL || length_s == 0)
		return errbuf_set(err, errlen, "no agent name or window length");
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errbuf_set(err, errlen, "%s: %s", dir, strerror(errno));
	if ((files = import_scan(dfd, &nfiles, why, sizeof(why))) == NULL) {
		errbuf_set(err, errlen, "%s: %s", dir, why);
		goto fail;
	}
	if ((db = bk->hk_open(cf, why, sizeof(why))) == NULL) {
		errbuf_set(err, errlen, "%s: %s", cf->hc_target, why);
		goto fail;
	}
	for (i = 0; i < nfiles; i++) {
		snprintf(name, sizeof(name), IMPORT_PREFIX "%08u.log%s",
		    files[i].if_date, files[i].if_gz ? ".gz" : "");
		if ((buf = import_read(dfd, name, &len)) == NULL) {
			c->ic_refused++;
			continue;
		}
		c->ic_files++;
		if (import_day(bk, db, cf, length_s, files[i].if_date, buf, len,
		    c, why, sizeof(why)) == -1) {
			free(buf);
			errbuf_set(err, errlen, "%s: %s", cf->hc_target, why);
			goto fail;
		}
		free(buf);
	}
	bk->hk_close(db);
	free(files);
	close(dfd);
	return 0;
fail:
	if (db != NULL)
		bk->hk_close(db);
	free(files);
	close(dfd);
	return -1;
}

int
histdb_import_archive(const struct histdb_config *cf, const char *dir,
    uint32_t length_s, struct histdb_import_count *c, char *err,
    size_t errlen)
{
	switch (histdb_kind_of(cf->hc_target)) {
	case HISTDB_KIND_SQLITE:
		return histdb_import_with(&histdb_sqlite, cf, dir, length_s, c,
		    err, errlen);
	case HISTDB_KIND_POSTGRESQL:
		return histdb_import_with(&histdb_pg, cf, dir, length_s, c,
		    err, errlen);
	default:
		memset(c, 0, sizeof(*c));
		return errbuf_set(err, errlen,
		    "no history database is configured");
	}
}
