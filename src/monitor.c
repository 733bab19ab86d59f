/*
 * monitor: the composition root of the core; see monitor.h for the map.
 *
 * Order matters twice.  At start, privileges are needed only by
 * monitor_new(); state files and threads wait for monitor_start(), which
 * runs after the daemon forked (a fork keeps only the calling thread)
 * and dropped to runAs (files are the run-as user's).  Probes start
 * before capture, whose first window's archive line reads their RTTs.
 * The history writer starts before capture too (a window submitted
 * before would be dropped).  At stop, capture stops first so its last
 * window is folded, archived and queued for the history, then the
 * history writer writes what is queued, then the host database is
 * saved, then the other threads go.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/errbuf.h"
#include "lib/logq.h"
#include "monitor.h"
#include "store/resolver.h"
#include "traffic/procstat.h"

/* How long a stop waits for the history writer to write what is queued
 * (the rest is spooled). */
#define MONITOR_HISTORY_WAIT_MS	10000

struct monitor {
	struct monitor_config	 mo_config;
	struct logq		*mo_log;
	struct sampler		*mo_sampler;

	struct conntab		*mo_conntab;
	pthread_t		 mo_refresher;
	int			 mo_refresher_running;
	pthread_mutex_t		 mo_lock;	/* mo_stopping */
	pthread_cond_t		 mo_wake;
	int			 mo_stopping;
	unsigned long		 mo_conn_errors;	/* atomic */

	struct pipeline		*mo_pipeline;
	int			 mo_capture_state;
	struct hostdb		*mo_hostdb;
	int			 mo_readonly;	/* served, never saved */
	struct resolver		*mo_resolver;
	struct archive		*mo_archive;
	struct histdb		*mo_history;
	/* The capture thread's, for the history's extra of a window. */
	uint64_t		 mo_drops_mark[CAP_MAX_SOURCES];
	struct histdb_source	 mo_hist_sources[CAP_MAX_SOURCES];
	struct histdb_probe	*mo_hist_probes;	/* PROBE_MAX */
	/* Per-window process rows: the rows of the window being closed,
	 * and each process's totals at the previous window's end (by pid,
	 * the process table's order).  CT_MAX_PROCS + 1 each. */
	struct histdb_process	*mo_hist_procs;
	struct ct_process	*mo_proc_marks;
	size_t			 mo_nproc_marks;
	time_t			 mo_last_save;
	uint64_t		 mo_save_failures;

	struct probe_engine	*mo_probes;
};

void
monitor_config_default(struct monitor_config *mc)
{
	memset(mc, 0, sizeof(*mc));
	mc->mc_sampler.sc_procroot = "/proc";
	mc->mc_sampler.sc_sysroot = "/sys";
	mc->mc_sampler.sc_history = 720;
	mc->mc_conns = 1;
	conntab_config_default(&mc->mc_conntab);
	pipeline_config_default(&mc->mc_pipeline);
	hostdb_config_default(&mc->mc_hostdb);
	mc->mc_save_interval = 300;
	archive_config_default(&mc->mc_archive);
	histdb_config_default(&mc->mc_history);
	probe_options_default(&mc->mc_probe_options);
}

/* ---- logging: the caller's thread only ---- */

static void
monitor_log_sink(int level, const char *line, void *arg)
{
	struct monitor *mo = arg;

	if (mo->mo_config.mc_log != NULL)
		mo->mo_config.mc_log(level, line);
}

static void
monitor_log_flush(struct monitor *mo)
{
	logq_drain(mo->mo_log, monitor_log_sink, mo);
}

/* Archive failures come from the capture thread: queued. */
static void
monitor_archive_warn(void *arg, const char *msg)
{
	struct monitor *mo = arg;

	logq_push(mo->mo_log, LOG_WARNING, "archive: %s", msg);
}

/* History failures come from the writer and capture threads: queued. */
static void
monitor_history_warn(void *arg, const char *msg)
{
	struct monitor *mo = arg;

	logq_push(mo->mo_log, LOG_WARNING, "history: %s", msg);
}

/* ---- opening, with privileges ---- */

/* TcpExt ListenOverflows and ListenDrops for the listeners' share, read
 * just before the dump they are attributed in; unknown when
 * /proc/net/netstat cannot be read or lacks them. */
static void
monitor_conn_netstat(struct monitor *mo)
{
	const uint64_t want = 1ULL << PS_TCP_LISTENOVERFLOWS |
	    1ULL << PS_TCP_LISTENDROPS;
	struct ct_netstat cn;
	struct ps_sample ps;
	char path[4096], *text;

	memset(&cn, 0, sizeof(cn));
	snprintf(path, sizeof(path), "%s/net/netstat",
	    mo->mo_config.mc_conntab.cf_procroot ?
	    mo->mo_config.mc_conntab.cf_procroot : "/proc");
	if ((text = procstat_slurp(path, NULL)) != NULL) {
		procstat_sample_init(&ps);
		if (procstat_parse_snmp(&ps, text) == 0 &&
		    (ps.ps_have & want) == want) {
			cn.cn_have = 1;
			cn.cn_listen_overflows =
			    ps.ps_counter[PS_TCP_LISTENOVERFLOWS];
			cn.cn_listen_drops = ps.ps_counter[PS_TCP_LISTENDROPS];
		}
		procstat_sample_free(&ps);
		free(text);
	}
	conntab_set_netstat(mo->mo_conntab, &cn);
}

static int
monitor_conn_refresh(struct monitor *mo)
{
	monitor_conn_netstat(mo);
	return conntab_refresh(mo->mo_conntab);
}

static void
monitor_open_conns(struct monitor *mo)
{
	if (!mo->mo_config.mc_conns)
		return;
	if ((mo->mo_conntab = conntab_new(&mo->mo_config.mc_conntab)) ==
	    NULL) {
		logq_push(mo->mo_log, LOG_ERR, "connections: cannot open "
		    "sock_diag: %s; cmConnections stays empty",
		    strerror(errno));
		return;
	}
	if (monitor_conn_refresh(mo) == -1)
		logq_push(mo->mo_log, LOG_WARNING, "connections: first "
		    "refresh failed: %s", strerror(errno));
}

static int
monitor_capture_configured(const struct monitor_config *mc)
{
	return mc->mc_pipeline.pc_capture.cc_file != NULL ||
	    mc->mc_pipeline.pc_capture.cc_nifaces > 0;
}

/* -1 only when a replay file cannot be read at all, or memory is out. */
static int
monitor_open_capture(struct monitor *mo, char *err, size_t errlen)
{
	const struct monitor_config *mc = &mo->mo_config;
	struct cap_stats st[CAP_MAX_SOURCES];
	size_t i, n;

	mo->mo_capture_state = MONITOR_CAPTURE_DISABLED;
	if (!monitor_capture_configured(mc))
		return 0;
	mo->mo_capture_state = MONITOR_CAPTURE_FAILED;	/* until started */
	if ((mo->mo_pipeline = pipeline_new(&mc->mc_pipeline,
	    mc->mc_services, mc->mc_localnet)) == NULL)
		return errbuf_set(err, errlen, "capture: %s", strerror(errno));
	n = capture_stats(pipeline_capture(mo->mo_pipeline), st,
	    CAP_MAX_SOURCES);
	for (i = 0; i < n; i++)
		if (st[i].cs_status == CAP_FAILED)
			logq_push(mo->mo_log, LOG_ERR, "capture on %s: %s",
			    st[i].cs_name, st[i].cs_error);
		else if (st[i].cs_error[0] != '\0')
			logq_push(mo->mo_log, LOG_WARNING, "capture on %s: %s",
			    st[i].cs_name, st[i].cs_error);
	if (capture_usable(pipeline_capture(mo->mo_pipeline)))
		return 0;
	pipeline_free(mo->mo_pipeline);
	mo->mo_pipeline = NULL;
	/* -r with a file that cannot be read: nothing to serve. */
	if (mc->mc_pipeline.pc_capture.cc_file != NULL)
		return errbuf_set(err, errlen, "capture: %s cannot be read",
		    mc->mc_pipeline.pc_capture.cc_file);
	return 0;
}

/* The history object, with capture only; it opens nothing yet (the file
 * is the run-as user's, made at monitor_start()). */
static void
monitor_new_history(struct monitor *mo)
{
	struct histdb_config *hc = &mo->mo_config.mc_history;
	char why[HISTDB_ERROR_MAX];

	if (mo->mo_pipeline == NULL ||
	    histdb_kind_of(hc->hc_target) == HISTDB_KIND_NONE)
		return;
	hc->hc_warn = monitor_history_warn;
	hc->hc_warn_arg = mo;
	hc->hc_wait = mo->mo_config.mc_pipeline.pc_capture.cc_file != NULL;
	if ((mo->mo_hist_probes = calloc(PROBE_MAX,
	    sizeof(*mo->mo_hist_probes))) == NULL ||
	    (mo->mo_history = histdb_new(hc, mo->mo_config.mc_services, why,
	    sizeof(why))) == NULL)
		logq_push(mo->mo_log, LOG_ERR, "history: %s; no history is "
		    "written", mo->mo_hist_probes == NULL ? "out of memory" :
		    why);
	if (mo->mo_history == NULL || !mo->mo_config.mc_conns)
		return;
	mo->mo_hist_procs = calloc(CT_MAX_PROCS + 1,
	    sizeof(*mo->mo_hist_procs));
	mo->mo_proc_marks = calloc(CT_MAX_PROCS + 1,
	    sizeof(*mo->mo_proc_marks));
	if (mo->mo_hist_procs == NULL || mo->mo_proc_marks == NULL) {
		free(mo->mo_hist_procs);
		mo->mo_hist_procs = NULL;
		logq_push(mo->mo_log, LOG_WARNING, "history: out of memory; "
		    "no process rows are written");
	}
}

struct monitor *
monitor_new(const struct monitor_config *mc, char *err, size_t errlen)
{
	struct monitor *mo;
	char why[256];

	if ((mo = calloc(1, sizeof(*mo))) == NULL) {
		errbuf_set(err, errlen, "out of memory");
		return NULL;
	}
	mo->mo_config = *mc;
	pthread_mutex_init(&mo->mo_lock, NULL);
	pthread_cond_init(&mo->mo_wake, NULL);
	if ((mo->mo_log = logq_new()) == NULL ||
	    (mo->mo_sampler = sampler_new(&mc->mc_sampler)) == NULL) {
		errbuf_set(err, errlen, "out of memory");
		goto fail;
	}
	if (sampler_take(mo->mo_sampler, why, sizeof(why)) == -1)
		logq_push(mo->mo_log, LOG_ERR, "%s", why);
	monitor_open_conns(mo);
	if (mc->mc_nprobes > 0 && (mo->mo_probes = probe_engine_new(
	    mc->mc_probes, mc->mc_nprobes, &mc->mc_probe_options, why,
	    sizeof(why))) == NULL) {
		errbuf_set(err, errlen, "probes: %s", why);
		goto fail;
	}
	if (monitor_open_capture(mo, err, errlen) == -1)
		goto fail;
	monitor_new_history(mo);
	monitor_log_flush(mo);
	return mo;
fail:
	monitor_log_flush(mo);
	monitor_free(mo);
	return NULL;
}

/* ---- starting, as the run-as user ---- */

static void *
monitor_refresher(void *arg)
{
	struct monitor *mo = arg;
	struct timespec due;
	unsigned int ms = mo->mo_config.mc_conntab.cf_interval_ms;

	pthread_mutex_lock(&mo->mo_lock);
	while (!mo->mo_stopping) {
		pthread_mutex_unlock(&mo->mo_lock);
		if (monitor_conn_refresh(mo) == -1)
			__atomic_add_fetch(&mo->mo_conn_errors, 1,
			    __ATOMIC_RELAXED);
		pthread_mutex_lock(&mo->mo_lock);
		clock_gettime(CLOCK_REALTIME, &due);
		due.tv_sec += ms / 1000;
		due.tv_nsec += (long)(ms % 1000) * 1000000;
		if (due.tv_nsec >= 1000000000) {
			due.tv_sec++;
			due.tv_nsec -= 1000000000;
		}
		while (!mo->mo_stopping && pthread_cond_timedwait(
		    &mo->mo_wake, &mo->mo_lock, &due) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&mo->mo_lock);
	return NULL;
}

/* A probe's answers that completed in [from_us, to_us), from its
 * history, as probe_window_rtt() picks them. */
static void
monitor_probe_window(const struct probe_result *pr, int64_t from_us,
    int64_t to_us, struct histdb_probe *hp)
{
	const struct probe_sample *sa;
	uint64_t sum = 0;
	size_t i;

	memset(hp, 0, sizeof(*hp));
	snprintf(hp->hp_name, sizeof(hp->hp_name), "%s", pr->pr_name);
	probe_addr_format(&pr->pr_addr, hp->hp_addr, sizeof(hp->hp_addr));
	for (i = 0; i < pr->pr_nsamples; i++) {
		sa = &pr->pr_samples[i];
		if (sa->sa_wall_us < from_us || sa->sa_wall_us >= to_us)
			continue;
		hp->hp_sent++;
		if (sa->sa_status != PROBE_STATUS_OK)
			continue;
		if (hp->hp_answered == 0 || sa->sa_rtt_us < hp->hp_rtt_min_us)
			hp->hp_rtt_min_us = sa->sa_rtt_us;
		if (sa->sa_rtt_us > hp->hp_rtt_max_us)
			hp->hp_rtt_max_us = sa->sa_rtt_us;
		sum += sa->sa_rtt_us;
		hp->hp_answered++;
	}
	if (hp->hp_answered > 0)
		hp->hp_rtt_mean_us = (uint32_t)(sum / hp->hp_answered);
}

/* The window's sources (kernel drops since the last window) and probes,
 * for the history.  Capture thread. */
static void
monitor_history_extra(struct monitor *mo, const struct window_closed *wd,
    struct histdb_extra *ex)
{
	struct cap_stats st[CAP_MAX_SOURCES];
	const struct probe_snapshot *sn;
	int64_t to_us = wd->wd_start_us + wd->wd_length_us;
	uint32_t rtt;
	size_t i, n;

	memset(ex, 0, sizeof(*ex));
	n = capture_stats(pipeline_capture(mo->mo_pipeline), st,
	    CAP_MAX_SOURCES);
	if (n > CAP_MAX_SOURCES)
		n = CAP_MAX_SOURCES;
	for (i = 0; i < n; i++) {
		snprintf(mo->mo_hist_sources[i].hs_name,
		    sizeof(mo->mo_hist_sources[i].hs_name), "%.*s",
		    HISTDB_NAME_MAX - 1, st[i].cs_name);
		mo->mo_hist_sources[i].hs_drops = st[i].cs_kernel_drops >=
		    mo->mo_drops_mark[i] ? st[i].cs_kernel_drops -
		    mo->mo_drops_mark[i] : 0;
		mo->mo_drops_mark[i] = st[i].cs_kernel_drops;
	}
	ex->he_sources = mo->mo_hist_sources;
	ex->he_nsources = n;
	ex->he_rtt_mean_us = monitor_window_rtt(mo, wd->wd_start_us, to_us,
	    &rtt) > 0 ? (int64_t)rtt : -1;
	if (mo->mo_probes == NULL)
		return;
	sn = probe_acquire(mo->mo_probes);
	for (i = 0; i < sn->sn_nprobes && i < PROBE_MAX; i++)
		monitor_probe_window(&sn->sn_probes[i], wd->wd_start_us, to_us,
		    &mo->mo_hist_probes[i]);
	ex->he_probes = mo->mo_hist_probes;
	ex->he_nprobes = i;
	probe_release(sn);
}

/* A process's growth since the mark of the previous window (all of it
 * for a process the last window did not know). */
static void
monitor_process_growth(const struct ct_process *marks, size_t nmarks,
    const struct ct_process *p, uint64_t *in, uint64_t *out)
{
	size_t	lo = 0, hi = nmarks;

	*in = p->cp_octets_in;
	*out = p->cp_octets_out;
	while (lo < hi) {
		size_t	mid = lo + (hi - lo) / 2;

		if (marks[mid].cp_pid < p->cp_pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == nmarks || marks[lo].cp_pid != p->cp_pid)
		return;
	*in = p->cp_octets_in >= marks[lo].cp_octets_in ?
	    p->cp_octets_in - marks[lo].cp_octets_in : p->cp_octets_in;
	*out = p->cp_octets_out >= marks[lo].cp_octets_out ?
	    p->cp_octets_out - marks[lo].cp_octets_out : p->cp_octets_out;
}

/*
 * The window's process rows: what each process of the connection table
 * moved since the previous window closed, as of the latest refresh (so
 * a row lags the window by up to connRefresh); processes that moved
 * nothing are left out.  Live capture only: a replayed file's windows
 * are of another time.  Capture thread.
 */
static void
monitor_history_procs(struct monitor *mo, struct histdb_extra *ex)
{
	const struct ct_snapshot *sn;
	size_t i, n = 0;
	uint64_t in, out;

	if (mo->mo_conntab == NULL || mo->mo_hist_procs == NULL ||
	    mo->mo_config.mc_pipeline.pc_capture.cc_file != NULL ||
	    (sn = conntab_acquire(mo->mo_conntab)) == NULL)
		return;
	for (i = 0; i < sn->sn_nprocs && n < CT_MAX_PROCS + 1; i++) {
		const struct ct_process *p = &sn->sn_procs[i];
		struct histdb_process *hq = &mo->mo_hist_procs[n];

		monitor_process_growth(mo->mo_proc_marks, mo->mo_nproc_marks,
		    p, &in, &out);
		if (in == 0 && out == 0)
			continue;
		memset(hq, 0, sizeof(*hq));
		hq->hq_pid = p->cp_pid;
		snprintf(hq->hq_name, sizeof(hq->hq_name), "%s", p->cp_comm);
		snprintf(hq->hq_unit, sizeof(hq->hq_unit), "%.*s",
		    (int)sizeof(hq->hq_unit) - 1, p->cp_unit);
		hq->hq_conns = p->cp_conns;
		hq->hq_octets_in = in;
		hq->hq_octets_out = out;
		n++;
	}
	mo->mo_nproc_marks = sn->sn_nprocs < CT_MAX_PROCS + 1 ?
	    sn->sn_nprocs : CT_MAX_PROCS + 1;
	memcpy(mo->mo_proc_marks, sn->sn_procs,
	    mo->mo_nproc_marks * sizeof(*mo->mo_proc_marks));
	conntab_release(sn);
	ex->he_procs = mo->mo_hist_procs;
	ex->he_nprocs = n;
}

/* The pipeline's consumer, on the capture thread: the window into the
 * host database, its line into the archive, and a copy of it queued for
 * the history's writer. */
static void
monitor_window_closed(const struct window_closed *wd, void *arg)
{
	struct monitor *mo = arg;
	const struct session_counts *r = &wd->wd_totals->tt_remote;
	struct archive_window aw;
	struct histdb_extra ex;
	uint32_t rtt;

	hostdb_add_window(mo->mo_hostdb, wd);
	if (mo->mo_history != NULL) {
		monitor_history_extra(mo, wd, &ex);
		monitor_history_procs(mo, &ex);
		histdb_submit(mo->mo_history, wd, &ex);
	}
	if (mo->mo_archive == NULL)
		return;
	memset(&aw, 0, sizeof(aw));
	aw.aw_start_us = wd->wd_start_us;
	aw.aw_octets_in = r->sc_octets_in;
	aw.aw_octets_out = r->sc_octets_out;
	aw.aw_packets_in = r->sc_packets_in;
	aw.aw_packets_out = r->sc_packets_out;
	aw.aw_rtt_us = monitor_window_rtt(mo, wd->wd_start_us,
	    wd->wd_start_us + wd->wd_length_us, &rtt) > 0 ? rtt :
	    ARCHIVE_NO_RTT;
	archive_append(mo->mo_archive, &aw);
}

static int
monitor_open_hostdb(struct monitor *mo)
{
	struct hostdb_status st;

	if ((mo->mo_hostdb = hostdb_new(&mo->mo_config.mc_hostdb,
	    mo->mo_config.mc_services)) == NULL) {
		logq_push(mo->mo_log, LOG_ERR, "host database: %s",
		    strerror(errno));
		return -1;
	}
	hostdb_load(mo->mo_hostdb);
	hostdb_status(mo->mo_hostdb, &st);
	if (st.hst_load_result == HOSTDB_LOAD_OK)
		logq_push(mo->mo_log, LOG_INFO, "host database: %s%s",
		    st.hst_load_message, mo->mo_readonly ? " (read-only: no "
		    "capture is configured)" : "");
	else if (st.hst_load_result != HOSTDB_LOAD_NONE)
		logq_push(mo->mo_log, LOG_WARNING, "host database: %s",
		    st.hst_load_message);
	return 0;
}

/* The history's writer, as the run-as user: the file is made now.  What
 * cannot work (a newer schema) is logged and the history left out; a
 * database that is away is spooled for. */
static void
monitor_start_history(struct monitor *mo)
{
	char err[HISTDB_ERROR_MAX];

	if (mo->mo_history == NULL)
		return;
	histdb_set_names(mo->mo_history, mo->mo_hostdb);
	if (histdb_start(mo->mo_history, err, sizeof(err)) == 0)
		return;
	logq_push(mo->mo_log, LOG_ERR, "history: %s; no history is written",
	    err);
	histdb_free(mo->mo_history);
	mo->mo_history = NULL;
}

/*
 * The host database, resolver and archive: with capture, fed by each
 * window; without, a database whose file exists is served read-only.
 * Problems with the files are logged and served (cmHostLoadResult,
 * cmArchiveWriteErrors); they never stop coremond.
 */
static int
monitor_open_store(struct monitor *mo)
{
	struct monitor_config *mc = &mo->mo_config;
	struct resolver_config rc;
	char err[ARCHIVE_TEXT_MAX];

	if (mo->mo_pipeline == NULL) {
		if (mc->mc_hostdb.hc_file == NULL ||
		    access(mc->mc_hostdb.hc_file, F_OK) == -1)
			return 0;
		mo->mo_readonly = 1;
		return monitor_open_hostdb(mo);
	}
	if (monitor_open_hostdb(mo) == -1)
		return -1;
	if (mc->mc_resolve) {
		resolver_config_default(&rc);
		if ((mo->mo_resolver = resolver_new(&rc)) == NULL)
			logq_push(mo->mo_log, LOG_ERR, "resolveNames: %s",
			    strerror(errno));
		else
			hostdb_set_resolver(mo->mo_hostdb, mo->mo_resolver);
	}
	mc->mc_archive.ac_warn = monitor_archive_warn;
	mc->mc_archive.ac_warn_arg = mo;
	if ((mo->mo_archive = archive_open(&mc->mc_archive, err,
	    sizeof(err))) == NULL)
		logq_push(mo->mo_log, LOG_ERR, "archive: %s; no archive is "
		    "written", err);
	monitor_start_history(mo);
	return pipeline_add_consumer(mo->mo_pipeline, monitor_window_closed,
	    mo);
}

/* Every thread of the core starts with every signal blocked: signals
 * are the agent's main thread's, whose select() a stop must interrupt. */
static int
monitor_start_threads(struct monitor *mo)
{
	if (mo->mo_conntab != NULL) {
		if (pthread_create(&mo->mo_refresher, NULL, monitor_refresher,
		    mo) != 0) {
			logq_push(mo->mo_log, LOG_ERR, "connections: cannot "
			    "start the refresher");
			return -1;
		}
		mo->mo_refresher_running = 1;
	}
	if (mo->mo_probes != NULL && probe_engine_start(mo->mo_probes) == -1) {
		logq_push(mo->mo_log, LOG_ERR, "probes: cannot start: %s",
		    strerror(errno));
		return -1;
	}
	if (mo->mo_pipeline == NULL)
		return 0;
	if (pipeline_start(mo->mo_pipeline) == -1) {
		logq_push(mo->mo_log, LOG_ERR, "capture: cannot start its "
		    "thread: %s", strerror(errno));
		return 0;	/* served as failed(3) */
	}
	mo->mo_capture_state = MONITOR_CAPTURE_RUNNING;
	return 0;
}

int
monitor_start(struct monitor *mo)
{
	sigset_t all, old;
	int rc;

	mo->mo_last_save = time(NULL);
	/* Every thread started from here on (the store's writers too)
	 * inherits this mask: signals go to the agent's thread only. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = monitor_open_store(mo);
	if (rc == 0)
		rc = monitor_start_threads(mo);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	monitor_log_flush(mo);
	return rc;
}

/* ---- on the agent's thread ---- */

void
monitor_sample(struct monitor *mo)
{
	char why[256];

	if (sampler_take(mo->mo_sampler, why, sizeof(why)) == -1 &&
	    mo->mo_config.mc_log != NULL)
		mo->mo_config.mc_log(LOG_ERR, why);
}

/* A save runs in the background: say at the next one whether the last
 * failed (a full disk), once for each failure. */
static void
monitor_save(struct monitor *mo)
{
	struct hostdb_status st;

	hostdb_status(mo->mo_hostdb, &st);
	if (st.hst_save_failures > mo->mo_save_failures)
		logq_push(mo->mo_log, LOG_WARNING, "host database: %s",
		    st.hst_save_message);
	mo->mo_save_failures = st.hst_save_failures;
	hostdb_save_async(mo->mo_hostdb);
}

void
monitor_tick(struct monitor *mo, time_t now)
{
	if (mo->mo_hostdb != NULL && !mo->mo_readonly &&
	    now - mo->mo_last_save >= (time_t)mo->mo_config.mc_save_interval) {
		mo->mo_last_save = now;
		monitor_save(mo);
	}
	monitor_log_flush(mo);
}

/* ---- stopping ---- */

static void
monitor_stop_store(struct monitor *mo)
{
	struct hostdb_status st;

	if (mo->mo_hostdb == NULL || mo->mo_readonly)
		return;
	hostdb_wait(mo->mo_hostdb);
	if (hostdb_save(mo->mo_hostdb) == -1) {
		hostdb_status(mo->mo_hostdb, &st);
		logq_push(mo->mo_log, LOG_ERR, "host database: %s",
		    st.hst_save_message);
	}
	hostdb_set_resolver(mo->mo_hostdb, NULL);
}

void
monitor_stop(struct monitor *mo)
{
	if (mo->mo_pipeline != NULL)
		pipeline_stop(mo->mo_pipeline);	/* the last window too */
	histdb_stop(mo->mo_history, MONITOR_HISTORY_WAIT_MS);
	monitor_stop_store(mo);
	if (mo->mo_probes != NULL)
		probe_engine_stop(mo->mo_probes);
	if (mo->mo_refresher_running) {
		pthread_mutex_lock(&mo->mo_lock);
		mo->mo_stopping = 1;
		pthread_cond_signal(&mo->mo_wake);
		pthread_mutex_unlock(&mo->mo_lock);
		pthread_join(mo->mo_refresher, NULL);
		mo->mo_refresher_running = 0;
	}
	monitor_log_flush(mo);
}

void
monitor_free(struct monitor *mo)
{
	if (mo == NULL)
		return;
	resolver_free(mo->mo_resolver);
	hostdb_free(mo->mo_hostdb);
	archive_free(mo->mo_archive);
	histdb_free(mo->mo_history);
	free(mo->mo_hist_probes);
	free(mo->mo_hist_procs);
	free(mo->mo_proc_marks);
	pipeline_free(mo->mo_pipeline);
	probe_engine_free(mo->mo_probes);
	conntab_free(mo->mo_conntab);
	sampler_free(mo->mo_sampler);
	logq_free(mo->mo_log);
	pthread_cond_destroy(&mo->mo_wake);
	pthread_mutex_destroy(&mo->mo_lock);
	free(mo);
}

/* ---- reading ---- */

const struct sampler *
monitor_sampler(const struct monitor *mo)
{
	return mo->mo_sampler;
}

struct conntab *
monitor_conntab(const struct monitor *mo)
{
	return mo->mo_conntab;
}

struct pipeline *
monitor_pipeline(const struct monitor *mo)
{
	return mo->mo_pipeline;
}

struct hostdb *
monitor_hostdb(const struct monitor *mo)
{
	return mo->mo_hostdb;
}

struct archive *
monitor_archive(const struct monitor *mo)
{
	return mo->mo_archive;
}

struct probe_engine *
monitor_probes(const struct monitor *mo)
{
	return mo->mo_probes;
}

int
monitor_history_status(struct monitor *mo, struct histdb_status *st)
{
	if (mo->mo_history == NULL)
		return -1;
	histdb_status(mo->mo_history, st);
	return 0;
}

unsigned long
monitor_conn_errors(const struct monitor *mo)
{
	return __atomic_load_n(&mo->mo_conn_errors, __ATOMIC_RELAXED);
}

/* A replay that reached its end is finished(4); a live capture whose
 * every source failed is failed(3). */
enum monitor_capture_state
monitor_capture_state(struct monitor *mo)
{
	struct cap_stats st[CAP_MAX_SOURCES];

	if (mo->mo_capture_state == MONITOR_CAPTURE_RUNNING &&
	    capture_done(pipeline_capture(mo->mo_pipeline))) {
		capture_stats(pipeline_capture(mo->mo_pipeline), st,
		    CAP_MAX_SOURCES);
		mo->mo_capture_state = st[0].cs_status == CAP_FINISHED ?
		    MONITOR_CAPTURE_FINISHED : MONITOR_CAPTURE_FAILED;
	}
	return mo->mo_capture_state;
}

const char *
monitor_source_name(const struct monitor *mo, unsigned int i)
{
	const struct cap_config *cc = &mo->mo_config.mc_pipeline.pc_capture;

	if (cc->cc_file != NULL)
		return i == 0 ? cc->cc_file : "";
	return i < cc->cc_nifaces ? cc->cc_ifaces[i] : "";
}

unsigned int
monitor_window_rtt(const struct monitor *mo, int64_t from_us, int64_t to_us,
    uint32_t *mean_us)
{
	const struct probe_snapshot *sn;
	uint64_t sum = 0;
	unsigned int n = 0, k;
	uint32_t m;
	size_t i;

	*mean_us = 0;
	if (mo->mo_probes == NULL)
		return 0;
	sn = probe_acquire(mo->mo_probes);
	for (i = 0; i < sn->sn_nprobes; i++)
		if ((k = probe_window_rtt(&sn->sn_probes[i], from_us, to_us,
		    &m)) > 0) {
			sum += (uint64_t)m * k;
			n += k;
		}
	probe_release(sn);
	*mean_us = n ? (uint32_t)(sum / n) : 0;
	return n;
}
