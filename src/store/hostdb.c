/*
 * hostdb: the host database object of hostdb.h -- the host table with
 * its file: the load at start, saves (in the caller's thread or the
 * writer thread's), and the monthly roll.
 *
 * The layers, each calling only those below it (as darkstat's db.c
 * calls hosts_db_export()):
 *
 *	hostdb.c	this object: configuration, the writer thread,
 *			save, load, the monthly roll
 *	hostdb_file.c	the file and the archive (hostdb_file.h): writes a
 *			snapshot, reads into a loader
 *	the host table	behind hostdb_int.h: hostdb_table.c (entries, the
 *			loader), hostdb_pool.c, hostdb_names.c,
 *			hostdb_order.c, hostdb_fold.c, hostdb_snap.c
 *
 * The table never calls up: what the files did (struct hostdb_status)
 * is handed to it with each publish, so every snapshot carries the
 * status as of its publish.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/hostdb.h"
#include "store/hostdb_file.h"
#include "store/hostdb_int.h"

/* A monthly archive waiting for the writer thread. */
struct hostdb_job {
	const struct hostdb_snapshot	*hj_snapshot;
	uint32_t			 hj_period;
	struct hostdb_job		*hj_next;
};

struct hostdb {
	int			 hd_reset;	/* enum hostdb_reset */
	char			*hd_file;	/* NULL: not saved */
	char			*hd_archive_dir;
	const struct services	*hd_services;
	struct hostdb_table	*hd_table;
	pthread_mutex_t		 hd_lock;	/* the members below */
	pthread_cond_t		 hd_cond;	/* writer work and idleness */
	struct hostdb_status	 hd_status;
	int			 hd_save_blocked;
	pthread_mutex_t		 hd_save_lock;	/* one save at a time */
	pthread_t		 hd_writer;
	int			 hd_writer_started;
	int			 hd_writer_busy;
	int			 hd_writer_stop;
	int			 hd_want_save;
	struct hostdb_job	*hd_jobs;
};

static void	*hostdb_writer_main(void *);
static void	 hostdb_write_archive(struct hostdb *, struct hostdb_job *);

void
hostdb_config_default(struct hostdb_config *hc)
{
	memset(hc, 0, sizeof(*hc));
	hc->hc_max_hosts = HOSTDB_MAX_DEFAULT;
	hc->hc_top_hosts = HOSTDB_TOP_DEFAULT;
	hc->hc_scope = HOSTDB_SCOPE_REMOTE;
	hc->hc_reset = HOSTDB_RESET_NEVER;
	hc->hc_name_ttl = HOSTDB_NAME_TTL_DEFAULT;
	hc->hc_negative_ttl = HOSTDB_NEGATIVE_TTL_DEFAULT;
}

/* ---- the object ---- */

static char *
hostdb_dirname(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* Publishes the table with the status as it is now.  0 or -1. */
static int
hostdb_publish(struct hostdb *hd)
{
	struct hostdb_status	st;

	hostdb_status(hd, &st);
	return hostdb_table_publish(hd->hd_table, &st);
}

struct hostdb *
hostdb_new(const struct hostdb_config *hc, const struct services *sv)
{
	struct hostdb	*hd;

	if (hc->hc_reset != HOSTDB_RESET_NEVER &&
	    hc->hc_reset != HOSTDB_RESET_MONTHLY) {
		errno = EINVAL;
		return NULL;
	}
	if ((hd = calloc(1, sizeof(*hd))) == NULL)
		return NULL;
	pthread_mutex_init(&hd->hd_lock, NULL);
	pthread_mutex_init(&hd->hd_save_lock, NULL);
	pthread_cond_init(&hd->hd_cond, NULL);
	hd->hd_reset = hc->hc_reset;
	hd->hd_services = sv;
	hd->hd_status.hst_load_result = HOSTDB_LOAD_NONE;
	hd->hd_status.hst_save_result = HOSTDB_SAVE_NONE;
	hd->hd_status.hst_archive_result = HOSTDB_SAVE_NONE;
	if ((hd->hd_table = hostdb_table_new(hc, sv)) == NULL)
		goto fail;
	if (hc->hc_file != NULL)
		hd->hd_file = strdup(hc->hc_file);
	if (hc->hc_archive_dir != NULL)
		hd->hd_archive_dir = strdup(hc->hc_archive_dir);
	else if (hc->hc_file != NULL)
		hd->hd_archive_dir = hostdb_dirname(hc->hc_file);
	if ((hc->hc_file != NULL &&
	    (hd->hd_file == NULL || hd->hd_archive_dir == NULL)) ||
	    (hc->hc_archive_dir != NULL && hd->hd_archive_dir == NULL) ||
	    hostdb_publish(hd) < 0)
		goto fail;
	return hd;
fail:
	hostdb_free(hd);
	return NULL;
}

void
hostdb_free(struct hostdb *hd)
{
	int	saved = errno;

	if (hd == NULL)
		return;
	pthread_mutex_lock(&hd->hd_lock);
	hd->hd_writer_stop = 1;
	pthread_cond_broadcast(&hd->hd_cond);
	pthread_mutex_unlock(&hd->hd_lock);
	if (hd->hd_writer_started)
		pthread_join(hd->hd_writer, NULL);
	hostdb_table_free(hd->hd_table);
	free(hd->hd_file);
	free(hd->hd_archive_dir);
	pthread_cond_destroy(&hd->hd_cond);
	pthread_mutex_destroy(&hd->hd_save_lock);
	pthread_mutex_destroy(&hd->hd_lock);
	free(hd);
	errno = saved;
}

void
hostdb_set_resolver(struct hostdb *hd, struct resolver *r)
{
	hostdb_table_set_resolver(hd->hd_table, r);
}

void
hostdb_status(struct hostdb *hd, struct hostdb_status *st)
{
	pthread_mutex_lock(&hd->hd_lock);
	*st = hd->hd_status;
	pthread_mutex_unlock(&hd->hd_lock);
}

const struct hostdb_snapshot *
hostdb_acquire(struct hostdb *hd)
{
	return hostdb_table_acquire(hd->hd_table);
}

size_t
hostdb_memory(const struct hostdb *hd)
{
	return sizeof(*hd) + hostdb_table_memory(hd->hd_table);
}

/* ---- the monthly roll ---- */

/*
 * A saved period, or 0 (none yet) when it is not a month or lies after
 * the wall clock's month now: a file saved after a future-dated window
 * (a replay, a clock that ran ahead) would otherwise hold off the reset
 * until that month came.
 */
static uint32_t
hostdb_period_trusted(uint32_t period, time_t now)
{
	uint32_t	month = period % 100;

	if (period < 197001 || month < 1 || month > 12 ||
	    period > hostdb_period_of((int64_t)now * 1000000))
		return 0;
	return period;
}

/* Starts the writer thread if it is not running; with hd_lock held. */
static int
hostdb_writer_start(struct hostdb *hd)
{
	sigset_t all, old;
	int rc;

	if (hd->hd_writer_started)
		return 0;
	/* Signals are the main thread's: the writer never takes one. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&hd->hd_writer, NULL, hostdb_writer_main, hd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return -1;
	hd->hd_writer_started = 1;
	return 0;
}

static void
hostdb_set_archive_status(struct hostdb *hd, int result, const char *msg)
{
	pthread_mutex_lock(&hd->hd_lock);
	hd->hd_status.hst_archive_result = result;
	hd->hd_status.hst_archive_time = time(NULL);
	snprintf(hd->hd_status.hst_archive_message,
	    sizeof(hd->hd_status.hst_archive_message), "%s", msg);
	pthread_mutex_unlock(&hd->hd_lock);
}

/* Hands the latest snapshot (the database up to the last window) to the
 * writer thread as period's archive. */
static void
hostdb_queue_archive(struct hostdb *hd, uint32_t period)
{
	struct hostdb_job	*j, **tail;

	if (hd->hd_archive_dir == NULL) {
		hostdb_set_archive_status(hd, HOSTDB_SAVE_FAILED,
		    "no archive directory (hostdbFile not set): the month's "
		    "database was cleared without an archive");
		return;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		hostdb_set_archive_status(hd, HOSTDB_SAVE_FAILED,
		    "out of memory: the month's database was not archived");
		return;
	}
	j->hj_snapshot = hostdb_acquire(hd);
	j->hj_period = period;
	pthread_mutex_lock(&hd->hd_lock);
	for (tail = &hd->hd_jobs; *tail != NULL; tail = &(*tail)->hj_next)
		continue;
	*tail = j;
	if (hostdb_writer_start(hd) < 0) {
		*tail = NULL;
		pthread_mutex_unlock(&hd->hd_lock);
		/* No thread: write it here, late rather than never. */
		hostdb_write_archive(hd, j);
		return;
	}
	pthread_cond_broadcast(&hd->hd_cond);
	pthread_mutex_unlock(&hd->hd_lock);
}

/*
 * With HOSTDB_RESET_MONTHLY, the first window of a later month than the
 * table holds has the table archived and cleared before it is folded.
 */
int
hostdb_add_window(struct hostdb *hd, const struct window_closed *wd)
{
	struct hostdb_status	st;
	uint32_t		period = hostdb_period_of(wd->wd_start_us);
	uint32_t		held = hostdb_table_period(hd->hd_table);
	int			cleared = 0;

	if (held != 0 && period > held &&
	    hd->hd_reset == HOSTDB_RESET_MONTHLY) {
		hostdb_queue_archive(hd, held);
		cleared = hostdb_table_clear(hd->hd_table);
	}
	hostdb_status(hd, &st);
	return hostdb_table_add_window(hd->hd_table, wd, &st, cleared);
}

/* ---- saving and loading ---- */

static void
hostdb_set_save_status(struct hostdb *hd, int ok, int64_t when,
    uint32_t msec, const char *msg)
{
	pthread_mutex_lock(&hd->hd_lock);
	hd->hd_status.hst_save_result = ok ? HOSTDB_SAVE_OK : HOSTDB_SAVE_FAILED;
	hd->hd_status.hst_save_time = when;
	hd->hd_status.hst_save_msec = msec;
	if (ok)
		hd->hd_status.hst_saves++;
	else
		hd->hd_status.hst_save_failures++;
	snprintf(hd->hd_status.hst_save_message,
	    sizeof(hd->hd_status.hst_save_message), "%s", msg);
	pthread_mutex_unlock(&hd->hd_lock);
}

static int64_t
hostdb_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
hostdb_save(struct hostdb *hd)
{
	const struct hostdb_snapshot	*sn;
	char				 msg[HOSTDB_TEXT_MAX];
	int64_t				 t0;
	int				 rc, blocked;

	if (hd->hd_file == NULL) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&hd->hd_save_lock);
	pthread_mutex_lock(&hd->hd_lock);
	blocked = hd->hd_save_blocked;
	pthread_mutex_unlock(&hd->hd_lock);
	if (blocked) {
		snprintf(msg, sizeof(msg), "%s: not saved: the file found at "
		    "start could not be read or moved aside, and saving would "
		    "replace it", hd->hd_file);
		hostdb_set_save_status(hd, 0, time(NULL), 0, msg);
		pthread_mutex_unlock(&hd->hd_save_lock);
		errno = EEXIST;
		return -1;
	}
	t0 = hostdb_mono_ms();
	sn = hostdb_acquire(hd);
	rc = hostdb_file_save(sn, hd->hd_services, hd->hd_file, msg,
	    sizeof(msg));
	hostdb_release(sn);
	hostdb_set_save_status(hd, rc == 0, time(NULL),
	    (uint32_t)(hostdb_mono_ms() - t0), msg);
	pthread_mutex_unlock(&hd->hd_save_lock);
	return rc;
}

/* A loader sized for what hc_file says it holds. */
struct hostdb_loader *
hostdb_loader_new(struct hostdb *hd)
{
	uint64_t	n = 0;

	if (hd->hd_file != NULL)
		n = hostdb_file_peek_count(hd->hd_file);
	return hostdb_table_loader(hd->hd_table, n);
}

int
hostdb_load(struct hostdb *hd)
{
	struct hostdb_loader	*ld;
	char			 msg[HOSTDB_TEXT_MAX];
	uint32_t		 period = 0;
	uint64_t		 entries = 0;
	int			 r;

	if (hd->hd_file == NULL) {
		snprintf(msg, sizeof(msg), "no hostdbFile: the host database "
		    "is not kept across restarts");
		r = HOSTDB_LOAD_NONE;
	} else if ((ld = hostdb_loader_new(hd)) == NULL) {
		snprintf(msg, sizeof(msg), "%s: not loaded: out of memory",
		    hd->hd_file);
		r = HOSTDB_LOAD_ERROR;
	} else {
		r = hostdb_file_load(ld, hd->hd_services, hd->hd_file, &period,
		    &entries, msg, sizeof(msg));
		if (r != HOSTDB_LOAD_OK)
			hostdb_loader_free(ld);
		else if (hostdb_loader_commit(ld,
		    hostdb_period_trusted(period, time(NULL))) < 0) {
			snprintf(msg, sizeof(msg), "%s: not loaded: out of "
			    "memory; it will not be saved over", hd->hd_file);
			r = HOSTDB_LOAD_ERROR;
		} else
			hostdb_table_enforce_cap(hd->hd_table);
	}
	pthread_mutex_lock(&hd->hd_lock);
	hd->hd_status.hst_load_result = r;
	hd->hd_status.hst_loaded = r == HOSTDB_LOAD_OK ? entries : 0;
	snprintf(hd->hd_status.hst_load_message,
	    sizeof(hd->hd_status.hst_load_message), "%s", msg);
	if (r == HOSTDB_LOAD_ERROR)
		hd->hd_save_blocked = 1;
	pthread_mutex_unlock(&hd->hd_lock);
	hostdb_publish(hd);
	return r;
}

/* ---- the writer thread ---- */

/* Writes one queued archive; hd_lock not held. */
static void
hostdb_write_archive(struct hostdb *hd, struct hostdb_job *j)
{
	char	path[HOSTDB_TEXT_MAX / 2], msg[HOSTDB_TEXT_MAX];
	char	text[HOSTDB_TEXT_MAX];
	int	rc;

	rc = hostdb_file_archive(j->hj_snapshot, hd->hd_services,
	    hd->hd_archive_dir, j->hj_period, path, sizeof(path), msg,
	    sizeof(msg));
	if (rc == 0)
		snprintf(text, sizeof(text), "%s: %zu hosts of %04u-%02u "
		    "archived", path, j->hj_snapshot->hs_entries,
		    (unsigned int)(j->hj_period / 100),
		    (unsigned int)(j->hj_period % 100));
	else
		snprintf(text, sizeof(text), "%s", msg);
	hostdb_set_archive_status(hd, rc == 0 ? HOSTDB_SAVE_OK :
	    HOSTDB_SAVE_FAILED, text);
	hostdb_release(j->hj_snapshot);
	free(j);
}

static void *
hostdb_writer_main(void *arg)
{
	struct hostdb		*hd = arg;
	struct hostdb_job	*j;

	pthread_mutex_lock(&hd->hd_lock);
	for (;;) {
		if ((j = hd->hd_jobs) != NULL) {
			hd->hd_jobs = j->hj_next;
			hd->hd_writer_busy = 1;
			pthread_mutex_unlock(&hd->hd_lock);
			hostdb_write_archive(hd, j);
			pthread_mutex_lock(&hd->hd_lock);
		} else if (hd->hd_want_save) {
			hd->hd_want_save = 0;
			hd->hd_writer_busy = 1;
			pthread_mutex_unlock(&hd->hd_lock);
			hostdb_save(hd);
			pthread_mutex_lock(&hd->hd_lock);
		} else if (hd->hd_writer_stop)
			break;
		else {
			hd->hd_writer_busy = 0;
			pthread_cond_broadcast(&hd->hd_cond);
			pthread_cond_wait(&hd->hd_cond, &hd->hd_lock);
		}
	}
	hd->hd_writer_busy = 0;
	pthread_cond_broadcast(&hd->hd_cond);
	pthread_mutex_unlock(&hd->hd_lock);
	return NULL;
}

int
hostdb_save_async(struct hostdb *hd)
{
	int	rc = 0;

	if (hd->hd_file == NULL) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&hd->hd_lock);
	hd->hd_want_save = 1;
	if (hostdb_writer_start(hd) < 0) {
		hd->hd_want_save = 0;
		rc = -1;
	}
	pthread_cond_broadcast(&hd->hd_cond);
	pthread_mutex_unlock(&hd->hd_lock);
	return rc;
}

void
hostdb_wait(struct hostdb *hd)
{
	pthread_mutex_lock(&hd->hd_lock);
	while (hd->hd_writer_started && (hd->hd_jobs != NULL ||
	    hd->hd_want_save || hd->hd_writer_busy))
		pthread_cond_wait(&hd->hd_cond, &hd->hd_lock);
	pthread_mutex_unlock(&hd->hd_lock);
}
