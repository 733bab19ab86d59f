/*
 * histdb_int.h: inside the history database, shared by histdb.c (queue,
 * writer thread), histdb_build.c (a window into a queue item, an item
 * into a batch), histdb_batch.c (batches and the schema text),
 * histdb_spool.c (batches on disk), histdb_import.c (the archive) and
 * the two backends, histdb_sqlite.c and histdb_pg.c.
 *
 * A batch is one window's rows, ready to bind: what the writer built
 * from a queued window, what the spool keeps while the database is away,
 * and what a backend writes in one transaction.  Its rows carry no agent
 * name: the backend tags each with hb_agent.
 */
#ifndef HISTDB_INT_H
#define HISTDB_INT_H

#include <stddef.h>
#include <stdint.h>

#include "store/histdb.h"

#define HISTDB_ADDR_MAX		46	/* INET6_ADDRSTRLEN */
#define HISTDB_SERVICE_MAX	(SERVICE_NAME_MAX + 1)	/* 32 and the NUL */
#define HISTDB_HOSTNAME_MAX	256
#define HISTDB_SCHEMA_VERSION	2	/* 2: window_processes */

struct histdb_window_row {		/* table windows */
	char		wr_source[HISTDB_NAME_MAX];
	uint64_t	wr_octets_in, wr_octets_out;
	uint64_t	wr_packets_in, wr_packets_out;
	uint64_t	wr_sessions;
	uint64_t	wr_local_octets;
	uint64_t	wr_drops;
	int64_t		wr_rtt_us;	/* -1: NULL */
};

struct histdb_service_row {		/* table window_services */
	char		sr_service[HISTDB_SERVICE_MAX];
	uint64_t	sr_octets_in, sr_octets_out;
	uint64_t	sr_packets_in, sr_packets_out;
};

struct histdb_session_row {		/* table window_sessions */
	uint32_t	ss_rank;	/* 1 first */
	uint8_t		ss_proto;
	char		ss_local[HISTDB_ADDR_MAX];
	char		ss_remote[HISTDB_ADDR_MAX];
	uint16_t	ss_port;
	char		ss_service[HISTDB_SERVICE_MAX];
	uint64_t	ss_octets_in, ss_octets_out;
	uint64_t	ss_packets_in, ss_packets_out;
};

struct histdb_host_row {		/* table day_hosts, added up */
	char		hr_addr[HISTDB_ADDR_MAX];
	char		hr_service[HISTDB_SERVICE_MAX];
	uint64_t	hr_octets_in, hr_octets_out;
	uint64_t	hr_packets_in, hr_packets_out;
	int64_t		hr_first_s, hr_last_s;	/* unix seconds */
	/* The name, shorter than HISTDB_HOSTNAME_MAX; NULL or "" when not
	 * resolved.  Not inline: a window of 100,000 hosts had 25 MB of
	 * mostly empty names to fault in and fill.  In a built or decoded
	 * batch it points into hb_names. */
	const char	*hr_name;
};

struct histdb_batch {
	char		hb_agent[HISTDB_NAME_MAX];
	int64_t		hb_start_s;	/* window start, unix seconds UTC */
	uint32_t	hb_length_s;
	uint32_t	hb_day;		/* YYYYMMDD of hb_start_s, UTC */
	struct histdb_window_row  *hb_windows;	size_t hb_nwindows;
	struct histdb_service_row *hb_services;	size_t hb_nservices;
	struct histdb_session_row *hb_sessions;	size_t hb_nsessions;
	struct histdb_host_row	  *hb_hosts;	size_t hb_nhosts;
	struct histdb_probe	  *hb_probes;	size_t hb_nprobes;	/* window_probes */
	struct histdb_process	  *hb_procs;	size_t hb_nprocs;	/* window_processes */
	char			  *hb_names;	/* what hr_name point at, or NULL */
};

/*
 * What a window becomes (histdb_build.c).  An item is the copy the
 * capture thread queues; the writer builds a batch from it.
 */
struct histdb_item {
	int64_t			 hi_start_us;
	int64_t			 hi_length_us;
	struct session		*hi_sessions;
	size_t			 hi_nsessions;
	size_t			 hi_cap;	/* sessions hi_sessions holds */
	struct session_totals	 hi_totals;
	int			 hi_has_totals;
	struct histdb_source	*hi_sources;
	size_t			 hi_nsources;
	struct histdb_probe	*hi_probes;
	size_t			 hi_nprobes;
	struct histdb_process	*hi_procs;
	size_t			 hi_nprocs;
	int64_t			 hi_rtt_mean_us;
};

/* NULL when out of memory.  *spare (cap sessions, or NULL) is taken
 * for the sessions when it is big enough: *spare is NULL then. */
struct histdb_item *histdb_item_new(const struct window_closed *,
		    const struct histdb_extra *, struct session **spare,
		    size_t cap);
void	histdb_item_free(struct histdb_item *);	/* accepts NULL */

struct hostdb;
struct histdb_agg;

struct histdb_build_ctx {
	const struct services	*bc_services;	/* names of service indexes */
	struct hostdb		*bc_names;	/* host names, or NULL */
	const char		*bc_agent;
	unsigned int		 bc_top;	/* sessions a window */
	/* histdb_build's own, kept from window to window (grown, never
	 * shrunk; zeroed to start): fresh memory each window was some
	 * 10,000 page faults of the writer's for 200,000 sessions. */
	struct histdb_agg	*bc_agg;	/* (host, service) sums */
	struct histdb_agg	**bc_order;	/* them in key order */
	uint32_t		*bc_name_at;	/* a row's name in hb_names */
	size_t			 bc_cap;	/* entries of each */
};

/* The batch of an item; 0, or -1 (memory) with nothing left in b. */
int	histdb_build(struct histdb_build_ctx *, const struct histdb_item *,
	    struct histdb_batch *b);
/* Frees what histdb_build kept in the context. */
void	histdb_build_release(struct histdb_build_ctx *);

void	histdb_batch_free(struct histdb_batch *);	/* its arrays */
size_t	histdb_batch_rows(const struct histdb_batch *);
/* YYYYMMDD of a time in unix seconds, UTC. */
uint32_t histdb_day_of(int64_t unix_s);

/*
 * A backend.  open connects and brings the schema to
 * HISTDB_SCHEMA_VERSION (creating or migrating it; a newer version is
 * refused).  Its config is histdb.c's copy, hc_agent always set (the
 * host name when historyAgent is not); it returns NULL with errno EINVAL
 * for what will never work (a newer schema, a bad URL: histdb_start()
 * fails), any other errno for what is tried again every few seconds.
 * write writes one batch in one transaction: 1 when written, 0 when
 * that agent's window was already there (nothing written): a row of its
 * first source at its start, or for a window of source
 * HISTDB_IMPORT_SOURCE a row of any source at its start;
 * HISTDB_WRITE_REFUSED when the database refused the batch's own rows
 * (a constraint, a trigger, a value it will not take: rolled back, the
 * connection fine, and the same batch most likely refused again), -1 on any other failure (rolled back; the connection may be
 * closed and opened again).  expire deletes at most limit windows (with
 * their service, session and probe rows) older than before_s, and at
 * most limit day_hosts rows older than before_day (YYYYMMDD); the number
 * deleted, or -1.  Errors leave a message in err.
 */
#define HISTDB_WRITE_REFUSED	(-2)

struct histdb_backend {
	const char	*hk_name;		/* "sqlite", "postgresql" */
	void		*(*hk_open)(const struct histdb_config *,
			    char *err, size_t errlen);
	int		 (*hk_write)(void *, const struct histdb_batch *,
			    char *err, size_t errlen);
	long		 (*hk_expire)(void *, int64_t before_s,
			    uint32_t before_day, unsigned int limit,
			    char *err, size_t errlen);
	void		 (*hk_close)(void *);
};

extern const struct histdb_backend histdb_sqlite;
extern const struct histdb_backend histdb_pg;

/* The schema's statements (contrib/history/schema.sql, built in), for
 * both backends. */
extern const char histdb_schema_sql[];

/* The statement of sql at *pos -- up to the first line that ends in ';',
 * that ';' left out -- into buf, and *pos past it: 1, 0 when none is
 * left, -1 when it does not fit len.  Comments stay in (both engines
 * skip them). */
int	histdb_schema_next(const char **pos, char *buf, size_t len);
/* The schema's dialect hook: marker ("--sqlite: ", "--postgresql: ")
 * blanked wherever it is in sql, so what follows it on its line is SQL
 * for that engine; the other engine's markers stay comments. */
void	histdb_schema_dialect(char *sql, const char *marker);

/*
 * The spool: batches in files of a directory, oldest first, each file
 * CRC-checked (a damaged one is set aside, counted, never half-read).
 * histdb_spool.c.
 */
struct histdb_spool;

struct histdb_spool *histdb_spool_open(const char *dir, uint64_t max_bytes,
		    char *err, size_t errlen);
void	histdb_spool_close(struct histdb_spool *);
/* 0, or -1 when it does not fit (or cannot be written): dropped. */
int	histdb_spool_push(struct histdb_spool *, const struct histdb_batch *);
/* The oldest batch into *b (1), none (0), or -1 (damaged: set aside). */
int	histdb_spool_peek(struct histdb_spool *, struct histdb_batch *b);
void	histdb_spool_pop(struct histdb_spool *);	/* after it is written */
/* The oldest batch renamed aside (.bad, as a damaged one) with why as
 * the spool's last error: one the database will never take. */
void	histdb_spool_set_aside(struct histdb_spool *, const char *why);
uint64_t histdb_spool_count(const struct histdb_spool *);
uint64_t histdb_spool_bytes(const struct histdb_spool *);
/* Files set aside (damaged, not coremond's own, or refused by the
 * database) since open, and the last failure's message ("" none). */
uint64_t histdb_spool_damaged(const struct histdb_spool *);
const char *histdb_spool_error(const struct histdb_spool *);
/* A spool file's whole bytes into *b (arrays to histdb_batch_free): 0,
 * or -1 with *b empty and why set.  For the fuzzer and tests. */
int	histdb_spool_decode(const uint8_t *data, size_t len,
	    struct histdb_batch *b, const char **why);

#endif
