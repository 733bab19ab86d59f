/*
 * histdb: the history database -- every closed window written to SQLite
 * (one server) or PostgreSQL (a fleet), so that past windows can be
 * queried: the Dubna paper's "normal networked relational database"
 * (issue 12).
 *
 * What is kept (schema: contrib/history/schema.sql, every row tagged
 * with the agent's name):
 *	per window and capture source: start, length, octets and packets
 *	  in/out, sessions, local octets, kernel drops, mean probe RTT;
 *	per window and service: octets and packets in/out;
 *	per window: the top hc_top sessions (the paper's "extended
 *	  summary");
 *	per UTC day, remote host and service: octets and packets in/out,
 *	  first and last seen, the name when resolved (added up window by
 *	  window);
 *	per window and probe: RTT min/mean/max, probes sent and answered.
 * Directions are the host database's: "in" is what the remote host sent.
 *
 * Flow: the capture thread's window consumer (the monitor) calls
 * histdb_submit(), which copies what the window gives into a bounded
 * queue and never waits; a full queue drops the window (counted).  The
 * writer thread turns each into a batch of rows (histdb_int.h) and
 * writes it in one transaction.  While the database cannot be written,
 * batches go to an on-disk spool of at most hc_spool_max bytes and are
 * written in order once it is back; a batch that does not fit is
 * dropped and counted.  A window already in the database (same agent,
 * source and start) is not written again, so a replayed spool or an
 * import never counts twice.
 *
 * Retention: windows older than hc_days and per-day host rows older than
 * hc_host_days are deleted by the writer in small batches between
 * windows; 0 keeps them for ever.  Ages count back from the newest
 * window written (not the wall clock), so a replayed old capture is not
 * deleted as it is written; only the agent's own rows are deleted.
 *
 * Threads: histdb_new() and histdb_free() on the main thread;
 * histdb_start() once privileges are dropped (the SQLite file and the
 * spool are created then, 0640, the user's own); histdb_submit() from
 * the capture thread; histdb_status() from any thread.
 */
#ifndef HISTDB_H
#define HISTDB_H

#include <stddef.h>
#include <stdint.h>

#include "capture/services.h"
#include "capture/window.h"

#define HISTDB_TOP_DEFAULT	100	/* historyTopSessions */
#define HISTDB_TOP_MAX		10000
#define HISTDB_DAYS_DEFAULT	400	/* historyDays */
#define HISTDB_SPOOL_DEFAULT	(64ULL << 20)	/* historySpool, bytes */
#define HISTDB_QUEUE_MAX	8	/* windows waiting for the writer */
#define HISTDB_WAIT_MS		30000	/* hc_wait: longest wait a window */
#define HISTDB_NAME_MAX		64	/* agent, source and probe names */
#define HISTDB_ERROR_MAX	256
#define HISTDB_DEFAULT_FILE	"/var/lib/coremon/history.sqlite"
/*
 * The source of the windows --import-archive loads.  Such a window is
 * already there when its agent has a window of any source at its start:
 * capture's rows are the fuller ones, and a day capture wrote must not
 * be counted twice.  Not the reverse: the archive gets a window's line
 * as the window closes, when capture hands it to the writer too, so an
 * import finds only windows capture has written by then -- unless they
 * still wait in the spool (the database away), the one case where both
 * rows end up there.
 */
#define HISTDB_IMPORT_SOURCE	"archive"

enum histdb_kind {			/* cmHistoryKind */
	HISTDB_KIND_NONE = 1,
	HISTDB_KIND_SQLITE = 2,
	HISTDB_KIND_POSTGRESQL = 3
};

enum histdb_state {			/* cmHistoryState */
	HISTDB_STATE_OFF = 1,		/* none configured */
	HISTDB_STATE_OK = 2,
	HISTDB_STATE_SPOOLING = 3,	/* the database cannot be written */
	HISTDB_STATE_FAILED = 4		/* and the spool is full or unusable */
};

struct histdb_config {
	const char	*hc_target;	/* a file, "postgresql://..." or NULL */
	const char	*hc_agent;	/* historyAgent; NULL: the host name */
	const char	*hc_password_file;	/* PostgreSQL, or NULL */
	const char	*hc_spool_dir;	/* NULL: history-spool beside the
					 * file, or in /var/lib/coremon */
	uint64_t	 hc_spool_max;	/* bytes */
	unsigned int	 hc_top;	/* sessions a window */
	unsigned int	 hc_days;	/* windows kept, days */
	unsigned int	 hc_host_days;	/* per-day host rows kept, days */
	/* A replayed file (-r): histdb_submit() waits (at most
	 * HISTDB_WAIT_MS a window) for room in the queue instead of
	 * dropping, since a file loses nothing by waiting and is read far
	 * faster than windows are written.  Never for a live capture. */
	int		 hc_wait;
	/* Called (if set) with each counted failure's message, from the
	 * thread that met it; never twice the same message in a row. */
	void		(*hc_warn)(void *arg, const char *msg);
	void		 *hc_warn_arg;
};

void	histdb_config_default(struct histdb_config *);

/* The kind a target names: NONE for NULL or "none". */
enum histdb_kind histdb_kind_of(const char *target);

/* One capture source's part of a window. */
struct histdb_source {
	char		hs_name[HISTDB_NAME_MAX];	/* interface or file */
	uint64_t	hs_drops;	/* kernel drops during the window */
};

/* One probe's answers during a window. */
struct histdb_probe {
	char		hp_name[HISTDB_NAME_MAX];
	char		hp_addr[46];	/* its address, as text */
	uint32_t	hp_sent;	/* completed in the window */
	uint32_t	hp_answered;
	uint32_t	hp_rtt_min_us;	/* of the answers; 0 when none */
	uint32_t	hp_rtt_mean_us;
	uint32_t	hp_rtt_max_us;
};

/* One process's part of a window: what its TCP connections moved
 * during it (src/conns' process table, the growth of its totals since
 * the previous window). */
struct histdb_process {
	uint32_t	hq_pid;
	char		hq_name[16];	/* command name */
	char		hq_unit[HISTDB_NAME_MAX];	/* systemd unit or "" */
	uint32_t	hq_conns;	/* connections at the window's end */
	uint64_t	hq_octets_in;
	uint64_t	hq_octets_out;
};

/* What the window's consumer knows besides the window. */
struct histdb_extra {
	const struct histdb_source *he_sources;	/* by session se_source */
	size_t		 he_nsources;
	const struct histdb_probe *he_probes;
	size_t		 he_nprobes;
	const struct histdb_process *he_procs;	/* window_processes */
	size_t		 he_nprocs;
	int64_t		 he_rtt_mean_us;	/* -1: no probe answered */
};

struct histdb_status {
	enum histdb_kind  hs_kind;
	enum histdb_state hs_state;
	uint64_t	hs_windows_written;
	uint64_t	hs_rows_written;
	uint64_t	hs_windows_spooled;	/* waiting in the spool now */
	uint64_t	hs_spool_bytes;
	uint64_t	hs_windows_dropped;	/* queue or spool full */
	uint64_t	hs_windows_repeated;	/* already in the database */
	int64_t		hs_last_write_us;	/* wall clock; 0 never */
	uint32_t	hs_last_write_ms;	/* its transaction's duration */
	char		hs_last_error[HISTDB_ERROR_MAX];	/* or "" */
};

struct histdb;
struct hostdb;

/* A history for cf (copied; its strings too).  Opens nothing.  NULL with
 * the reason in err. */
struct histdb	*histdb_new(const struct histdb_config *cf,
		    const struct services *, char *err, size_t errlen);
void		 histdb_free(struct histdb *);	/* stops first; accepts NULL */

/* Names of remote hosts are taken from this host database's snapshots
 * (the resolver's), when set before histdb_start(). */
void	histdb_set_names(struct histdb *, struct hostdb *);

/* Opens the database (creating the file and schema, migrating an older
 * schema) and starts the writer.  A database that cannot be reached is
 * not an error: windows are spooled until it can.  -1 with the reason
 * in err only for what will never work (a newer schema, a bad URL). */
int	histdb_start(struct histdb *, char *err, size_t errlen);

/* Queues a closed window; never blocks, but with hc_wait waits for room
 * in a full queue.  0, or -1 when it was dropped. */
int	histdb_submit(struct histdb *, const struct window_closed *,
	    const struct histdb_extra *);

/* Writes what is queued (at most wait_ms more) and stops the writer;
 * what is left goes to the spool. */
void	histdb_stop(struct histdb *, unsigned int wait_ms);

void	histdb_status(struct histdb *, struct histdb_status *);

#endif
