/*
 * histdb: the history database's queue, writer thread and batches; see
 * histdb.h for what is kept and histdb_int.h for the inside.
 *
 * The capture thread only copies: histdb_submit() takes the window's
 * sessions and totals (the window_closed lives only during the consumer
 * call) into a queue item, under a mutex held for a pointer's move.  All
 * the work -- ranking, adding up hosts, names, the database -- is the
 * writer thread's, which owns the backend connection and the spool.
 *
 * What a window becomes, a queue item and then a batch, is
 * histdb_build.c's.
 *
 * Order: the spool is drained (oldest first) before any queued window
 * is written, and a window goes to the spool, not the database, while
 * the spool holds anything, so windows reach the database in the order
 * they closed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/errbuf.h"
#include "store/histdb.h"
#include "store/histdb_int.h"
#include "store/hostdb.h"

#define HISTDB_RETRY_SEC	5	/* between attempts to open */
/* Refusals of one batch by a database that is otherwise fine before it
 * is set aside: a key taken by a concurrent writer clears on the next
 * try, a constraint or trigger that rejects the rows never does, and
 * must not hold back every window behind it. */
#define HISTDB_REFUSED_MAX	3
#define HISTDB_IDLE_MS		1000	/* the writer's longest sleep */
#define HISTDB_EXPIRE_LIMIT	500	/* windows, or host rows, a pass */
#define HISTDB_DAY_SEC		86400LL
#define HISTDB_SPOOL_NAME	"history-spool"
#define HISTDB_SPOOL_DIR	"/var/lib/coremon/" HISTDB_SPOOL_NAME

struct histdb {
	struct histdb_config	 hd_config;	/* strings: ours (below) */
	char			*hd_target;
	char			*hd_agent;
	char			*hd_password_file;
	char			*hd_spool_dir;
	enum histdb_kind	 hd_kind;
	const struct histdb_backend *hd_backend;
	struct histdb_build_ctx	 hd_build;	/* services, names, agent, top */

	pthread_t		 hd_thread;
	int			 hd_running;
	int			 hd_inited;	/* lock and cond made */

	pthread_mutex_t		 hd_lock;	/* everything below */
	pthread_cond_t		 hd_wake;	/* CLOCK_MONOTONIC */
	pthread_cond_t		 hd_room;	/* the writer took a window */
	struct histdb_item	*hd_queue[HISTDB_QUEUE_MAX];
	/* A written window's sessions buffer, for the next window's copy:
	 * fresh memory was 3,000 page faults a window of 160,000 sessions
	 * on the capture thread. */
	struct session		*hd_spare;
	size_t			 hd_spare_cap;
	size_t			 hd_qhead, hd_qcount;
	int			 hd_stopping;
	int64_t			 hd_stop_by_ms;	/* monotonic */
	struct histdb_status	 hd_status;
	char			 hd_last_warn[HISTDB_ERROR_MAX];

	/* The writer's own. */
	void			*hd_db;		/* the backend's, or NULL */
	int64_t			 hd_retry_ms;	/* next open, monotonic */
	struct histdb_spool	*hd_spool;
	int			 hd_expire_due;
	int64_t			 hd_newest_s;	/* latest window written */
	int64_t			 hd_drain_ms;	/* no drain before, monotonic */
	unsigned int		 hd_refused;	/* times in a row, of: */
	int64_t			 hd_refused_start;
	char			 hd_refused_agent[HISTDB_NAME_MAX];
};

void
histdb_config_default(struct histdb_config *cf)
{
	memset(cf, 0, sizeof(*cf));
	cf->hc_spool_max = HISTDB_SPOOL_DEFAULT;
	cf->hc_top = HISTDB_TOP_DEFAULT;
	cf->hc_days = HISTDB_DAYS_DEFAULT;
	cf->hc_host_days = HISTDB_DAYS_DEFAULT;
}

enum histdb_kind
histdb_kind_of(const char *target)
{
	if (target == NULL || strcmp(target, "none") == 0 || *target == '\0')
		return HISTDB_KIND_NONE;
	if (strncmp(target, "postgresql://", 13) == 0 ||
	    strncmp(target, "postgres://", 11) == 0)
		return HISTDB_KIND_POSTGRESQL;
	return HISTDB_KIND_SQLITE;
}

static int64_t
histdb_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
histdb_wall_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- messages ---- */

/* Keeps msg as the last error and hands it to hc_warn unless it was the
 * last one handed.  Takes the lock. */
static void
histdb_warn(struct histdb *hd, const char *fmt, ...)
{
	char	msg[HISTDB_ERROR_MAX];
	va_list	ap;
	int	repeat;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&hd->hd_lock);
	snprintf(hd->hd_status.hs_last_error,
	    sizeof(hd->hd_status.hs_last_error), "%s", msg);
	repeat = strcmp(hd->hd_last_warn, msg) == 0;
	if (!repeat)
		snprintf(hd->hd_last_warn, sizeof(hd->hd_last_warn), "%s",
		    msg);
	pthread_mutex_unlock(&hd->hd_lock);
	if (!repeat && hd->hd_config.hc_warn != NULL)
		hd->hd_config.hc_warn(hd->hd_config.hc_warn_arg, msg);
}

/* With hc_wait: until the queue has room, the writer stops, or
 * HISTDB_WAIT_MS passed.  The lock is held. */
static void
histdb_wait_room(struct histdb *hd)
{
	struct timespec	due;

	clock_gettime(CLOCK_MONOTONIC, &due);
	due.tv_sec += HISTDB_WAIT_MS / 1000;
	while (hd->hd_qcount == HISTDB_QUEUE_MAX && hd->hd_running &&
	    !hd->hd_stopping)
		if (pthread_cond_timedwait(&hd->hd_room, &hd->hd_lock,
		    &due) == ETIMEDOUT)
			break;
}

int
histdb_submit(struct histdb *hd, const struct window_closed *wd,
    const struct histdb_extra *ex)
{
	struct histdb_item	*it;
	struct session		*spare;
	size_t			 cap;
	int			 full;

	if (hd == NULL || hd->hd_kind == HISTDB_KIND_NONE)
		return -1;
	pthread_mutex_lock(&hd->hd_lock);
	spare = hd->hd_spare;
	cap = hd->hd_spare_cap;
	hd->hd_spare = NULL;
	hd->hd_spare_cap = 0;
	pthread_mutex_unlock(&hd->hd_lock);
	it = histdb_item_new(wd, ex, &spare, cap);
	free(spare);	/* too small for this window */
	if (it == NULL) {
		pthread_mutex_lock(&hd->hd_lock);
		hd->hd_status.hs_windows_dropped++;
		pthread_mutex_unlock(&hd->hd_lock);
		histdb_warn(hd, "window dropped: out of memory");
		return -1;
	}
	pthread_mutex_lock(&hd->hd_lock);
	if (hd->hd_config.hc_wait)
		histdb_wait_room(hd);
	full = hd->hd_qcount == HISTDB_QUEUE_MAX || !hd->hd_running ||
	    hd->hd_stopping;
	if (full)
		hd->hd_status.hs_windows_dropped++;
	else {
		hd->hd_queue[(hd->hd_qhead + hd->hd_qcount) %
		    HISTDB_QUEUE_MAX] = it;
		hd->hd_qcount++;
		pthread_cond_signal(&hd->hd_wake);
	}
	pthread_mutex_unlock(&hd->hd_lock);
	if (!full)
		return 0;
	histdb_item_free(it);
	histdb_warn(hd, "window dropped: %d windows already wait for the "
	    "writer (the database is slow)", HISTDB_QUEUE_MAX);
	return -1;
}

/* ---- the writer ---- */

/* Sets the state from what the writer knows now; takes the lock. */
static void
histdb_set_state(struct histdb *hd, int dropped)
{
	pthread_mutex_lock(&hd->hd_lock);
	if (hd->hd_spool != NULL) {
		hd->hd_status.hs_windows_spooled =
		    histdb_spool_count(hd->hd_spool);
		hd->hd_status.hs_spool_bytes =
		    histdb_spool_bytes(hd->hd_spool);
	}
	if (dropped)
		hd->hd_status.hs_state = HISTDB_STATE_FAILED;
	else if (hd->hd_db == NULL || hd->hd_status.hs_windows_spooled > 0)
		hd->hd_status.hs_state = HISTDB_STATE_SPOOLING;
	else
		hd->hd_status.hs_state = HISTDB_STATE_OK;
	pthread_mutex_unlock(&hd->hd_lock);
}

static void
histdb_disconnect(struct histdb *hd)
{
	if (hd->hd_db != NULL)
		hd->hd_backend->hk_close(hd->hd_db);
	hd->hd_db = NULL;
	hd->hd_retry_ms = histdb_mono_ms() + HISTDB_RETRY_SEC * 1000;
}

/* Opens the backend.  0, or -1: -1 with errno EINVAL will never work. */
static int
histdb_connect(struct histdb *hd, char *err, size_t errlen)
{
	int	saved;

	hd->hd_retry_ms = histdb_mono_ms() + HISTDB_RETRY_SEC * 1000;
	errno = 0;
	hd->hd_db = hd->hd_backend->hk_open(&hd->hd_config, err, errlen);
	if (hd->hd_db != NULL)
		return 0;
	saved = errno;
	histdb_warn(hd, "%s: %s", hd->hd_target, err);
	errno = saved;
	return -1;
}

/*
 * b was refused (HISTDB_WRITE_REFUSED) for the reason in err: counts it
 * against b and holds the drain back for a retry interval.  Whether b
 * has now been refused HISTDB_REFUSED_MAX times in a row.
 */
static int
histdb_refused(struct histdb *hd, const struct histdb_batch *b,
    const char *err)
{
	if (hd->hd_refused > 0 && b->hb_start_s == hd->hd_refused_start &&
	    strcmp(b->hb_agent, hd->hd_refused_agent) == 0)
		hd->hd_refused++;
	else {
		hd->hd_refused = 1;
		hd->hd_refused_start = b->hb_start_s;
		snprintf(hd->hd_refused_agent, sizeof(hd->hd_refused_agent),
		    "%s", b->hb_agent);
	}
	hd->hd_drain_ms = histdb_mono_ms() + HISTDB_RETRY_SEC * 1000;
	histdb_warn(hd, "%s: the window of %lld refused (%u of %d): %s",
	    hd->hd_target, (long long)b->hb_start_s, hd->hd_refused,
	    HISTDB_REFUSED_MAX, err);
	return hd->hd_refused >= HISTDB_REFUSED_MAX;
}

/* The spool's oldest batch, b, refused for good: renamed aside, counted
 * as dropped, so that the windows behind it go on. */
static void
histdb_set_aside(struct histdb *hd, const struct histdb_batch *b,
    const char *err)
{
	histdb_spool_set_aside(hd->hd_spool, err);
	hd->hd_refused = 0;
	hd->hd_drain_ms = 0;
	pthread_mutex_lock(&hd->hd_lock);
	hd->hd_status.hs_windows_dropped++;
	pthread_mutex_unlock(&hd->hd_lock);
	histdb_set_state(hd, 1);
	histdb_warn(hd, "window dropped: the database refused the window of "
	    "%lld %d times; set aside as .bad in %s", (long long)b->hb_start_s,
	    HISTDB_REFUSED_MAX, hd->hd_spool_dir);
}

/* The spool, oldest first, while the database takes them. */
static void
histdb_drain(struct histdb *hd)
{
	struct histdb_batch	b;
	char			err[HISTDB_ERROR_MAX];
	int			r;

	if (histdb_mono_ms() < hd->hd_drain_ms)
		return;
	while (hd->hd_spool != NULL && hd->hd_db != NULL) {
		memset(&b, 0, sizeof(b));
		if ((r = histdb_spool_peek(hd->hd_spool, &b)) == 0)
			break;
		if (r < 0) {
			histdb_warn(hd, "spool: a damaged batch was set aside");
			continue;
		}
		r = hd->hd_backend->hk_write(hd->hd_db, &b, err, sizeof(err));
		if (r == HISTDB_WRITE_REFUSED) {
			if (histdb_refused(hd, &b, err))
				histdb_set_aside(hd, &b, err);
			histdb_batch_free(&b);
			if (hd->hd_drain_ms != 0)
				break;
			continue;
		}
		if (r < 0) {
			histdb_batch_free(&b);
			histdb_warn(hd, "%s: %s", hd->hd_target, err);
			histdb_disconnect(hd);
			break;
		}
		histdb_spool_pop(hd->hd_spool);
		hd->hd_refused = 0;
		pthread_mutex_lock(&hd->hd_lock);
		if (r == 1) {
			hd->hd_status.hs_windows_written++;
			hd->hd_status.hs_rows_written += histdb_batch_rows(&b);
		} else
			hd->hd_status.hs_windows_repeated++;
		pthread_mutex_unlock(&hd->hd_lock);
		if (b.hb_start_s > hd->hd_newest_s)
			hd->hd_newest_s = b.hb_start_s;
		hd->hd_expire_due = 1;
		histdb_batch_free(&b);
		histdb_set_state(hd, 0);
	}
}

/* Into the spool, or dropped (counted) when it does not fit. */
static void
histdb_spool(struct histdb *hd, const struct histdb_batch *b)
{
	if (hd->hd_spool != NULL && histdb_spool_push(hd->hd_spool, b) == 0) {
		histdb_set_state(hd, 0);
		return;
	}
	pthread_mutex_lock(&hd->hd_lock);
	hd->hd_status.hs_windows_dropped++;
	pthread_mutex_unlock(&hd->hd_lock);
	histdb_set_state(hd, 1);
	histdb_warn(hd, "window dropped: the database cannot be written and "
	    "%s", hd->hd_spool == NULL ? "there is no spool" :
	    *histdb_spool_error(hd->hd_spool) != '\0' ?
	    histdb_spool_error(hd->hd_spool) :
	    "the spool is full (historySpool)");
}

/* One batch: to the database when it is there and nothing is spooled
 * before it, else to the spool. */
static void
histdb_put(struct histdb *hd, const struct histdb_batch *b)
{
	char	err[HISTDB_ERROR_MAX];
	int64_t	t0, t1;
	int	r;

	if (hd->hd_db == NULL || (hd->hd_spool != NULL &&
	    histdb_spool_count(hd->hd_spool) > 0)) {
		histdb_spool(hd, b);
		return;
	}
	t0 = histdb_mono_ms();
	r = hd->hd_backend->hk_write(hd->hd_db, b, err, sizeof(err));
	t1 = histdb_mono_ms();
	if (r == HISTDB_WRITE_REFUSED) {
		/* Tried again from the spool, where it now comes first. */
		histdb_refused(hd, b, err);
		histdb_spool(hd, b);
		return;
	}
	if (r < 0) {
		histdb_warn(hd, "%s: %s", hd->hd_target, err);
		histdb_disconnect(hd);
		histdb_spool(hd, b);
		return;
	}
	pthread_mutex_lock(&hd->hd_lock);
	if (r == 1) {
		hd->hd_status.hs_windows_written++;
		hd->hd_status.hs_rows_written += histdb_batch_rows(b);
		hd->hd_status.hs_last_write_us = histdb_wall_us();
		hd->hd_status.hs_last_write_ms = (uint32_t)(t1 - t0);
	} else
		hd->hd_status.hs_windows_repeated++;
	pthread_mutex_unlock(&hd->hd_lock);
	if (b->hb_start_s > hd->hd_newest_s)
		hd->hd_newest_s = b->hb_start_s;
	hd->hd_expire_due = 1;
	histdb_set_state(hd, 0);
}

/*
 * One pass of retention: at most HISTDB_EXPIRE_LIMIT windows and host
 * rows.  Ages count back from the newest window written, not the wall
 * clock, so that a replayed old capture is not deleted as it is written.
 */
static void
histdb_expire(struct histdb *hd)
{
	const struct histdb_config	*cf = &hd->hd_config;
	char				 err[HISTDB_ERROR_MAX];
	int64_t				 before_s = INT64_MIN;
	uint32_t			 before_day = 0;
	long				 n;

	hd->hd_expire_due = 0;
	if (cf->hc_days == 0 && cf->hc_host_days == 0)
		return;
	if (cf->hc_days > 0)
		before_s = hd->hd_newest_s - (int64_t)cf->hc_days *
		    HISTDB_DAY_SEC;
	if (cf->hc_host_days > 0)
		before_day = histdb_day_of(hd->hd_newest_s -
		    (int64_t)(cf->hc_host_days - 1) * HISTDB_DAY_SEC);
	n = hd->hd_backend->hk_expire(hd->hd_db, before_s, before_day,
	    HISTDB_EXPIRE_LIMIT, err, sizeof(err));
	if (n < 0) {
		histdb_warn(hd, "%s: retention: %s", hd->hd_target, err);
		return;
	}
	hd->hd_expire_due = n > 0;	/* more may be left */
}

/* A window done with: its sessions buffer kept for the next window's
 * copy (the bigger one when there is one already), the rest freed. */
static void
histdb_recycle(struct histdb *hd, struct histdb_item *it)
{
	struct session	*old = NULL;

	pthread_mutex_lock(&hd->hd_lock);
	if (it->hi_sessions != NULL && it->hi_cap > hd->hd_spare_cap) {
		old = hd->hd_spare;
		hd->hd_spare = it->hi_sessions;
		hd->hd_spare_cap = it->hi_cap;
		it->hi_sessions = NULL;
	}
	pthread_mutex_unlock(&hd->hd_lock);
	free(old);
	histdb_item_free(it);
}

/* One turn of the writer, without the lock: it (may be NULL) is the
 * window popped. */
static void
histdb_step(struct histdb *hd, struct histdb_item *it, int stopping)
{
	struct histdb_batch	b;
	char			err[HISTDB_ERROR_MAX];

	if (hd->hd_db == NULL && !stopping &&
	    histdb_mono_ms() >= hd->hd_retry_ms)
		histdb_connect(hd, err, sizeof(err));
	if (hd->hd_db != NULL)
		histdb_drain(hd);
	if (it != NULL) {
		if (histdb_build(&hd->hd_build, it, &b) < 0) {
			pthread_mutex_lock(&hd->hd_lock);
			hd->hd_status.hs_windows_dropped++;
			pthread_mutex_unlock(&hd->hd_lock);
			histdb_warn(hd, "window dropped: out of memory");
		} else {
			histdb_put(hd, &b);
			histdb_batch_free(&b);
		}
		histdb_recycle(hd, it);
		return;
	}
	if (hd->hd_db != NULL && hd->hd_expire_due)
		histdb_expire(hd);
	histdb_set_state(hd, 0);
}

/* Is there something for the writer besides the queue?  Its own fields,
 * read by itself. */
static int
histdb_idle_work(const struct histdb *hd)
{
	if (hd->hd_db == NULL)
		return histdb_mono_ms() >= hd->hd_retry_ms;
	return hd->hd_expire_due || (hd->hd_spool != NULL &&
	    histdb_spool_count(hd->hd_spool) > 0 &&
	    histdb_mono_ms() >= hd->hd_drain_ms);
}

static void *
histdb_writer(void *arg)
{
	struct histdb		*hd = arg;
	struct histdb_item	*it;
	struct timespec		 due;
	int			 stopping;

	pthread_mutex_lock(&hd->hd_lock);
	for (;;) {
		while (hd->hd_qcount == 0 && !hd->hd_stopping &&
		    !histdb_idle_work(hd)) {
			clock_gettime(CLOCK_MONOTONIC, &due);
			due.tv_sec += HISTDB_IDLE_MS / 1000;
			pthread_cond_timedwait(&hd->hd_wake, &hd->hd_lock,
			    &due);
		}
		stopping = hd->hd_stopping;
		if (stopping && (hd->hd_qcount == 0 ||
		    histdb_mono_ms() >= hd->hd_stop_by_ms))
			break;
		it = NULL;
		if (hd->hd_qcount > 0) {
			it = hd->hd_queue[hd->hd_qhead];
			hd->hd_qhead = (hd->hd_qhead + 1) % HISTDB_QUEUE_MAX;
			hd->hd_qcount--;
			pthread_cond_signal(&hd->hd_room);
		}
		pthread_mutex_unlock(&hd->hd_lock);
		histdb_step(hd, it, stopping);
		pthread_mutex_lock(&hd->hd_lock);
	}
	pthread_mutex_unlock(&hd->hd_lock);
	return NULL;
}

/* What the writer left when it stopped: to the spool, in order. */
static void
histdb_leftovers(struct histdb *hd)
{
	struct histdb_item	*it;
	struct histdb_batch	 b;

	while (hd->hd_qcount > 0) {
		it = hd->hd_queue[hd->hd_qhead];
		hd->hd_qhead = (hd->hd_qhead + 1) % HISTDB_QUEUE_MAX;
		hd->hd_qcount--;
		if (histdb_build(&hd->hd_build, it, &b) == 0) {
			histdb_spool(hd, &b);
			histdb_batch_free(&b);
		} else {
			pthread_mutex_lock(&hd->hd_lock);
			hd->hd_status.hs_windows_dropped++;
			pthread_mutex_unlock(&hd->hd_lock);
		}
		histdb_item_free(it);
	}
}

/* ---- the object ---- */

static char *
histdb_strdup(const char *s, int *failed)
{
	char	*d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*failed = 1;
	return d;
}

/* The spool's directory: the configured one, or "history-spool" beside
 * the database file (the state directory for PostgreSQL).  Only that
 * last directory is ever made: a state directory that does not exist is
 * the operator's to create, not coremond's. */
static char *
histdb_spool_dir(const struct histdb_config *cf, enum histdb_kind kind)
{
	const char	*slash;
	char		*d;

	if (cf->hc_spool_dir != NULL)
		return strdup(cf->hc_spool_dir);
	if (kind != HISTDB_KIND_SQLITE)
		return strdup(HISTDB_SPOOL_DIR);
	slash = strrchr(cf->hc_target, '/');
	if (asprintf(&d, "%.*s/" HISTDB_SPOOL_NAME,
	    slash == NULL ? 1 : (int)(slash - cf->hc_target),
	    slash == NULL ? "." : cf->hc_target) < 0)
		return NULL;
	return d;
}

struct histdb *
histdb_new(const struct histdb_config *cf, const struct services *sv,
    char *err, size_t errlen)
{
	struct histdb		*hd;
	pthread_condattr_t	 ca;
	char			 host[HISTDB_NAME_MAX];
	int			 failed = 0;

	if (cf->hc_top > HISTDB_TOP_MAX) {
		errbuf_set(err, errlen, "historyTopSessions %u is more than "
		    "%d", cf->hc_top, HISTDB_TOP_MAX);
		return NULL;
	}
	if ((hd = calloc(1, sizeof(*hd))) == NULL) {
		errbuf_set(err, errlen, "out of memory");
		return NULL;
	}
	hd->hd_config = *cf;
	hd->hd_build.bc_services = sv;
	hd->hd_kind = histdb_kind_of(cf->hc_target);
	hd->hd_backend = hd->hd_kind == HISTDB_KIND_POSTGRESQL ? &histdb_pg :
	    &histdb_sqlite;
	if (cf->hc_agent == NULL || *cf->hc_agent == '\0') {
		if (gethostname(host, sizeof(host)) < 0)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		hd->hd_agent = histdb_strdup(host, &failed);
	} else
		hd->hd_agent = histdb_strdup(cf->hc_agent, &failed);
	hd->hd_target = histdb_strdup(hd->hd_kind == HISTDB_KIND_NONE ?
	    "none" : cf->hc_target, &failed);
	hd->hd_password_file = histdb_strdup(cf->hc_password_file, &failed);
	if (hd->hd_kind != HISTDB_KIND_NONE &&
	    (hd->hd_spool_dir = histdb_spool_dir(cf, hd->hd_kind)) == NULL)
		failed = 1;
	if (failed) {
		errbuf_set(err, errlen, "out of memory");
		histdb_free(hd);
		return NULL;
	}
	/* The backends see our copies, the agent's name resolved. */
	hd->hd_config.hc_target = hd->hd_target;
	hd->hd_config.hc_agent = hd->hd_agent;
	hd->hd_config.hc_password_file = hd->hd_password_file;
	hd->hd_config.hc_spool_dir = hd->hd_spool_dir;
	hd->hd_build.bc_agent = hd->hd_agent;
	hd->hd_build.bc_top = cf->hc_top;
	pthread_mutex_init(&hd->hd_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&hd->hd_wake, &ca);
	pthread_cond_init(&hd->hd_room, &ca);
	pthread_condattr_destroy(&ca);
	hd->hd_inited = 1;
	hd->hd_status.hs_kind = hd->hd_kind;
	hd->hd_status.hs_state = hd->hd_kind == HISTDB_KIND_NONE ?
	    HISTDB_STATE_OFF : HISTDB_STATE_SPOOLING;
	return hd;
}

void
histdb_set_names(struct histdb *hd, struct hostdb *names)
{
	hd->hd_build.bc_names = names;
}

int
histdb_start(struct histdb *hd, char *err, size_t errlen)
{
	char	why[HISTDB_ERROR_MAX];

	if (hd->hd_kind == HISTDB_KIND_NONE || hd->hd_running)
		return 0;
	if (histdb_connect(hd, err, errlen) < 0 && errno == EINVAL)
		return -1;
	hd->hd_spool = histdb_spool_open(hd->hd_spool_dir,
	    hd->hd_config.hc_spool_max, why, sizeof(why));
	if (hd->hd_spool == NULL)
		histdb_warn(hd, "spool %s: %s; windows are dropped while the "
		    "database cannot be written", hd->hd_spool_dir, why);
	histdb_set_state(hd, 0);
	if (pthread_create(&hd->hd_thread, NULL, histdb_writer, hd) != 0) {
		errbuf_set(err, errlen, "cannot start the writer thread");
		histdb_spool_close(hd->hd_spool);
		hd->hd_spool = NULL;
		histdb_disconnect(hd);
		return -1;
	}
	/* Named, so that its CPU can be told from capture's (make bench). */
	pthread_setname_np(hd->hd_thread, "cmhistory");
	pthread_mutex_lock(&hd->hd_lock);
	hd->hd_running = 1;
	pthread_mutex_unlock(&hd->hd_lock);
	return 0;
}

void
histdb_stop(struct histdb *hd, unsigned int wait_ms)
{
	if (hd == NULL)
		return;
	pthread_mutex_lock(&hd->hd_lock);
	if (!hd->hd_running) {
		pthread_mutex_unlock(&hd->hd_lock);
		return;
	}
	hd->hd_stopping = 1;
	hd->hd_stop_by_ms = histdb_mono_ms() + wait_ms;
	pthread_cond_signal(&hd->hd_wake);
	pthread_cond_broadcast(&hd->hd_room);
	pthread_mutex_unlock(&hd->hd_lock);
	pthread_join(hd->hd_thread, NULL);
	histdb_leftovers(hd);
	/* The state as the writer left it (a clean stop is not an outage),
	 * the spool's figures as they are now. */
	histdb_set_state(hd, 0);
	histdb_disconnect(hd);
	histdb_spool_close(hd->hd_spool);
	hd->hd_spool = NULL;
	pthread_mutex_lock(&hd->hd_lock);
	hd->hd_running = 0;
	pthread_mutex_unlock(&hd->hd_lock);
}

void
histdb_status(struct histdb *hd, struct histdb_status *st)
{
	pthread_mutex_lock(&hd->hd_lock);
	*st = hd->hd_status;
	pthread_mutex_unlock(&hd->hd_lock);
}

void
histdb_free(struct histdb *hd)
{
	if (hd == NULL)
		return;
	if (hd->hd_inited) {
		histdb_stop(hd, 0);
		pthread_cond_destroy(&hd->hd_wake);
		pthread_cond_destroy(&hd->hd_room);
		pthread_mutex_destroy(&hd->hd_lock);
	}
	histdb_build_release(&hd->hd_build);
	free(hd->hd_spare);
	free(hd->hd_target);
	free(hd->hd_agent);
	free(hd->hd_password_file);
	free(hd->hd_spool_dir);
	free(hd);
}
