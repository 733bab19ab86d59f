/*
 * monitor: the core's composition root.  It owns and wires every part of
 * coremon that is not SNMP:
 *
 *	/proc       -> traffic/sampler (procstat, rates, history)
 *	sock_diag   -> conns/conntab, refreshed by its own thread
 *	the wire    -> capture/pipeline (capture, decode, sessions, windows)
 *	               -> at each window's end, on the capture thread:
 *	                  store/hostdb (fold, top hosts), store/archive
 *	                  (one line, with the probes' RTT of the window) and
 *	                  store/histdb (queued for its writer thread)
 *	ICMP        -> probe/probe engine
 *
 * Each flow has its folder and includes only lib/ and itself (store/
 * also reads capture's window types); only this file sees them all.
 *
 * and knows their start and stop order.  The agent (agent/) builds a
 * monitor_config from coremon.conf, calls monitor_new() while it still
 * has its privileges (capture handles, probe sockets, the netlink socket
 * are opened there, and nothing else), monitor_start() once it has
 * forked and dropped them (state files are opened, threads started),
 * monitor_sample() every sampleInterval and monitor_tick() every second
 * on its main thread, and monitor_stop() before monitor_free().  It reads
 * the parts only through their snapshots (or, for the sampler, on the
 * thread that takes the samples).  Data moves one way: source, window,
 * snapshot, row.
 *
 * Threads never log themselves: what they have to say waits in a logq
 * that monitor_tick() hands to mc_log on the calling thread.
 */
#ifndef MONITOR_H
#define MONITOR_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "capture/pipeline.h"
#include "conns/conntab.h"
#include "probe/probe.h"
#include "store/archive.h"
#include "store/histdb.h"
#include "store/hostdb.h"
#include "traffic/sampler.h"

struct monitor_config {
	struct sampler_config	  mc_sampler;

	int			  mc_conns;	/* serve connections at all */
	struct ct_config	  mc_conntab;

	/* Capture is configured when pc_capture has a file or interfaces.
	 * Services and local networks stay the caller's, and must outlive
	 * the monitor. */
	struct pipeline_config	  mc_pipeline;
	const struct services	 *mc_services;
	struct localnet		 *mc_localnet;

	struct hostdb_config	  mc_hostdb;	/* hc_file: the database */
	unsigned int		  mc_save_interval;	/* seconds */
	int			  mc_resolve;	/* resolveNames */
	struct archive_config	  mc_archive;
	/* The history database; hc_target NULL (the default) or "none":
	 * none.  Used only with capture; hc_warn is the monitor's. */
	struct histdb_config	  mc_history;

	const struct probe_config *mc_probes;
	size_t			  mc_nprobes;
	struct probe_options	  mc_probe_options;

	/* Where the monitor's messages go, on the thread that calls
	 * monitor_new/start/tick/stop (syslog levels). */
	void			(*mc_log)(int level, const char *msg);
};

void	monitor_config_default(struct monitor_config *);

/* What capture is doing (the values of cmAgentCaptureState). */
enum monitor_capture_state {
	MONITOR_CAPTURE_DISABLED = 1,
	MONITOR_CAPTURE_RUNNING,
	MONITOR_CAPTURE_FAILED,
	MONITOR_CAPTURE_FINISHED
};

struct monitor;

/*
 * Opens what needs privileges: the netlink socket, the probes' sockets,
 * the capture handles.  Starts no thread and touches no state file.  A
 * part that cannot be opened is logged and left out (the rest serves);
 * NULL with the reason in err when nothing sensible can run: out of
 * memory, bad probes, or a replay file that cannot be read at all.
 */
struct monitor	*monitor_new(const struct monitor_config *, char *err,
		    size_t errlen);

/*
 * As the user the daemon runs as, in the process that serves: loads the
 * host database (read-only without capture, if its file exists), opens
 * the archive and the resolver, then starts the connection refresher,
 * the probe engine and, last, the capture thread.  0, or -1 (logged).
 */
int	monitor_start(struct monitor *);

/* Every sampleInterval, on the agent's thread: a /proc reading. */
void	monitor_sample(struct monitor *);
/* Every second, on the agent's thread: periodic saves of the host
 * database, and the threads' log lines. */
void	monitor_tick(struct monitor *, time_t now);

/* Stops capture (its last window is consumed), then the history writer
 * (what is queued is written, or spooled), probes and the refresher, then
 * saves the host database.  Threads are gone when it returns. */
void	monitor_stop(struct monitor *);
void	monitor_free(struct monitor *);		/* accepts NULL */

/* The parts, for reading their snapshots; NULL when not running. */
const struct sampler	*monitor_sampler(const struct monitor *);
struct conntab		*monitor_conntab(const struct monitor *);
struct pipeline		*monitor_pipeline(const struct monitor *);
struct hostdb		*monitor_hostdb(const struct monitor *);
struct archive		*monitor_archive(const struct monitor *);
struct probe_engine	*monitor_probes(const struct monitor *);

/* The history database's figures (cmHistory): 0, or -1 when none is
 * configured (or it could not start).  Any thread. */
int	monitor_history_status(struct monitor *, struct histdb_status *);

enum monitor_capture_state monitor_capture_state(struct monitor *);
/* Capture source i's name (interface or file), "" if none. */
const char *monitor_source_name(const struct monitor *, unsigned int i);
/* Failed connection refreshes since start. */
unsigned long monitor_conn_errors(const struct monitor *);

/*
 * The mean RTT of every probe answer in [from_us, to_us) (wall clock):
 * how many answers there were, 0 when none (then *mean_us is 0).
 */
unsigned int monitor_window_rtt(const struct monitor *, int64_t from_us,
	    int64_t to_us, uint32_t *mean_us);

#endif
