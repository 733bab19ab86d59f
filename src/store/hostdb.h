/*
 * hostdb: the host database -- every remote host this server exchanged
 * packets with, its volume in and out split by service, kept across
 * restarts (DESIGN.md, "Sessions, services, hosts"; issue 5).
 *
 * Fed by the window consumer (window.h): hostdb_add_window() folds every
 * session of a closed window into one entry per remote host -- with
 * scope HOSTDB_SCOPE_ALL, both ends of transit traffic too -- ranks the
 * window's hosts into the top-hosts list and publishes a snapshot.
 * Direction is the host's: "in" is what the host sent (towards the local
 * side, or towards the other end for transit), "out" what it received,
 * so a host's octets in equal tshark's "Tx Bytes" for its address.
 * Sessions without addresses (the session table's overflow entry) are
 * counted in hs_unattributed_* only.
 *
 * Entries (208 bytes each, see hostdb_table.c) hold up to HOSTDB_SERVICES
 * service rows: at most HOSTDB_SERVICES - 1 catalogue services, the rest
 * of a host's traffic goes to "other", which always has a row free, so a
 * host's services always add up to its total.  Counters are exact 64-bit
 * values whatever their size (small ones are stored narrow, see
 * hostdb_table.c).  Names live out of line in a string pool.
 *
 * Bounded: at most hc_max_hosts entries.  A window that would take the
 * table past the cap first evicts, in one batch, the least valuable
 * entries (least total octets counting this window's, oldest last-seen
 * breaking ties) down to 95% of the cap -- never a host of this window's
 * top list -- and counts them in hs_evictions.  A new host that still
 * finds no room is not stored (counted in hs_dropped).
 *
 * Snapshots are immutable and reference counted (snapshot.h):
 * hostdb_acquire() gives the latest to any thread.  A snapshot holds the
 * whole database in cmHostTable index order (address type, IPv4 before
 * IPv6, then address bytes), read with hostdb_snapshot_host() by
 * position and hostdb_snapshot_seek() by address; each host's service
 * rows come ordered by service index (cmHostServiceTable order); plus the
 * top list of the window and the scalars.  Publishing is cheap: a
 * snapshot shares the entries' memory with the live table, chunk by
 * chunk, and the live table copies a chunk before it writes to one a
 * snapshot still holds (copy on write).  The index order is kept
 * incrementally: new hosts are sorted and merged in, not 1M re-sorted.
 *
 * Persistence (hostdb_file.h): hostdb_load() at start, hostdb_save() any
 * time from any thread (it writes the latest snapshot), and a writer
 * thread for hostdb_save_async() and the monthly archive.  With
 * HOSTDB_RESET_MONTHLY, the first window of a new UTC month (by packet
 * time) has the previous month's database written to
 * hostdb-YYYY-MM.gz (hostdb_file.h) and the live one cleared.  The
 * period (hs_period) is the month of the latest window, back as well as
 * forward (only forward archives and clears); a loaded period after the
 * wall clock's month is not trusted and becomes 0, none yet.
 *
 * Names (optional): with a resolver set (resolver.h), each window picks
 * up finished lookups and asks for the hosts of the window that have no
 * name yet, or one older than hc_name_ttl; it never waits.
 *
 * Where it lives: hostdb.c is the object -- the files, the writer thread,
 * the monthly roll -- and calls the host table behind hostdb_int.h
 * (hostdb_table.c and the files it lists), which never calls back.
 *
 * Threads: the capture thread calls hostdb_add_window(),
 * hostdb_set_resolver() and (before it starts) hostdb_load(); any thread
 * may call hostdb_acquire(), hostdb_release(), hostdb_status(),
 * hostdb_save(), hostdb_save_async() and hostdb_wait().
 */
#ifndef HOSTDB_H
#define HOSTDB_H

#include <stddef.h>
#include <stdint.h>

#include "capture/services.h"
#include "capture/session.h"
#include "capture/window.h"
#include "lib/snapshot.h"

#define HOSTDB_MAX_DEFAULT	100000	/* maxHosts */
#define HOSTDB_TOP_DEFAULT	100	/* topHosts */
#define HOSTDB_TOP_MAX		65535
#define HOSTDB_SERVICES		8	/* service rows a host, "other" too */
#define HOSTDB_NAME_MAX		255	/* a DNS name is at most 253 */
#define HOSTDB_TEXT_MAX		512
#define HOSTDB_NAME_TTL_DEFAULT	86400	/* seconds a name is trusted */
#define HOSTDB_NEGATIVE_TTL_DEFAULT 3600 /* seconds before asking again */

enum hostdb_scope {
	HOSTDB_SCOPE_REMOTE = 1,	/* remote ends of our traffic */
	HOSTDB_SCOPE_ALL		/* and both ends of transit traffic */
};

enum hostdb_reset {
	HOSTDB_RESET_NEVER = 1,
	HOSTDB_RESET_MONTHLY
};

struct hostdb_config {
	size_t		 hc_max_hosts;		/* maxHosts, >= 1 */
	unsigned int	 hc_top_hosts;		/* topHosts, 1..HOSTDB_TOP_MAX */
	int		 hc_scope;		/* enum hostdb_scope */
	int		 hc_reset;		/* enum hostdb_reset */
	const char	*hc_file;		/* hostdbFile; NULL: not saved */
	const char	*hc_archive_dir;	/* NULL: hc_file's directory */
	unsigned int	 hc_name_ttl;		/* seconds */
	unsigned int	 hc_negative_ttl;	/* seconds */
};

void	hostdb_config_default(struct hostdb_config *);

/* One service row of a host (a cmHostServiceEntry). */
struct hostdb_service {
	unsigned int		hv_service;	/* services index */
	struct session_counts	hv_counts;
};

/* One host, expanded from a snapshot by hostdb_snapshot_host(). */
struct hostdb_host {
	int			hh_family;	/* AF_INET, AF_INET6 */
	uint8_t			hh_addr[16];	/* network order, IPv4 in 4 */
	unsigned int		hh_source;	/* capture source, last seen on */
	struct session_counts	hh_counts;	/* the sum of the services */
	uint32_t		hh_sessions;	/* a session a window counted */
	int64_t			hh_first_seen;	/* seconds since the epoch, */
	int64_t			hh_last_seen;	/* by packet time */
	const char		*hh_name;	/* "" when none; as long as the
						   snapshot lives */
	int64_t			hh_name_time;	/* last lookup, 0 never */
	unsigned int		hh_nservices;
	struct hostdb_service	hh_services[HOSTDB_SERVICES]; /* by index */
};

/* One ranked host of the last window (a cmHostTopEntry). */
struct hostdb_top {
	int			ht_family;
	uint8_t			ht_addr[16];
	unsigned int		ht_source;
	char			ht_name[HOSTDB_NAME_MAX + 1];	/* "" none */
	struct session_counts	ht_counts;	/* in this window */
	uint64_t		ht_rate;	/* in + out octets per second */
	uint32_t		ht_sessions;	/* in this window */
};

enum hostdb_load_result {
	HOSTDB_LOAD_NONE = 1,	/* no file (or none configured): empty */
	HOSTDB_LOAD_OK,		/* loaded */
	HOSTDB_LOAD_MOVED,	/* damaged or foreign: moved aside, empty */
	HOSTDB_LOAD_ERROR	/* unreadable, or could not be moved aside:
				   empty, and saving is refused */
};

enum hostdb_save_result {
	HOSTDB_SAVE_NONE = 1,	/* not saved yet */
	HOSTDB_SAVE_OK,
	HOSTDB_SAVE_FAILED
};

/* What the files did; a copy, so callers may keep it. */
struct hostdb_status {
	int		hst_load_result;	/* enum hostdb_load_result */
	char		hst_load_message[HOSTDB_TEXT_MAX];
	uint64_t	hst_loaded;		/* entries loaded */
	int		hst_save_result;	/* enum hostdb_save_result */
	int64_t		hst_save_time;		/* wall clock, s; 0 never */
	uint32_t	hst_save_msec;		/* how long it took */
	uint64_t	hst_saves;
	uint64_t	hst_save_failures;
	char		hst_save_message[HOSTDB_TEXT_MAX];
	int		hst_archive_result;	/* enum hostdb_save_result */
	int64_t		hst_archive_time;	/* wall clock, s; 0 never */
	char		hst_archive_message[HOSTDB_TEXT_MAX];
};

struct hostdb_snapshot {
	struct snapshot		 hs_snap;	/* first: snapshot.h's */
	uint64_t		 hs_number;	/* windows folded since start */
	int64_t			 hs_window_start_us;	/* of the top list */
	int64_t			 hs_window_length_us;
	uint32_t		 hs_period;	/* YYYYMM held, 0 none yet */
	size_t			 hs_entries;	/* hosts, rows of the index */
	size_t			 hs_max_hosts;
	/* Since start: entries evicted, with the new hosts of a window
	 * that lost to the entries kept (never stored); and new hosts
	 * refused because nothing else could go (or memory ran out). */
	uint64_t		 hs_evictions;
	uint64_t		 hs_dropped;
	uint64_t		 hs_errors;	/* updates lost to ENOMEM */
	uint64_t		 hs_unattributed_octets;   /* overflow entry */
	uint64_t		 hs_unattributed_packets;
	uint64_t		 hs_copied_chunks;	/* copy-on-write, total */
	struct hostdb_status	 hs_status;	/* as of the publish */
	unsigned int		 hs_top_size;	/* topHosts */
	size_t			 hs_ntop;
	const struct hostdb_top	*hs_top;	/* rank 1 first */
	size_t			 hs_bytes;	/* its own, not the shared */
	/* Private: the host table's (hostdb_int.h). */
	const struct hostdb_chunk *const *hs_entry_chunks;
	const struct hostdb_chunk *const *hs_wide_chunks;
	const char *const	*hs_name_chunks;
	size_t			 hs_nentry_chunks, hs_nwide_chunks;
	size_t			 hs_nname_chunks;
	struct hostdb_order	*hs_order;
	struct hostdb_names	*hs_names;
};

struct hostdb;
struct resolver;

/* An empty database (and an empty published snapshot).  The catalogue
 * must outlive it.  NULL with errno set (EINVAL: a bad config). */
struct hostdb	*hostdb_new(const struct hostdb_config *,
		    const struct services *);
/* Waits for the writer thread, drops the live state; snapshots still
 * acquired stay valid until released.  Accepts NULL. */
void		 hostdb_free(struct hostdb *);

/* Names for hosts from now on; NULL for none.  The resolver must outlive
 * the database (or be unset first). */
void	hostdb_set_resolver(struct hostdb *, struct resolver *);

/*
 * Folds a closed window (call it from window_set_consumer()'s consumer)
 * and publishes the new snapshot.  0, or -1 with errno set when memory
 * ran out (what could be folded was, counted in hs_errors).
 */
int	hostdb_add_window(struct hostdb *, const struct window_closed *);

/*
 * Loads hc_file into the (empty) database; call before the first
 * window.  Returns an enum hostdb_load_result; the message for the log
 * is in hostdb_status()'s hst_load_message.  A damaged, truncated,
 * foreign or newer-format file is renamed to FILE.corrupt-YYYYMMDDTHHMMSSZ
 * and nothing of it is loaded; a file that cannot be read or moved is
 * left alone, and saving over it is refused from then on.
 */
int	hostdb_load(struct hostdb *);

/*
 * Writes the latest snapshot to hc_file atomically (hostdb_file.h), in
 * the calling thread: 0, or -1 with the reason in hst_save_message.
 * Any thread; saves are serialised.
 */
int	hostdb_save(struct hostdb *);
/* Asks the writer thread for a save and returns at once. 0, or -1. */
int	hostdb_save_async(struct hostdb *);
/* Until the writer thread has nothing left to do (saves, archives). */
void	hostdb_wait(struct hostdb *);

void	hostdb_status(struct hostdb *, struct hostdb_status *);

/* The latest snapshot with a reference taken; never NULL. */
const struct hostdb_snapshot *hostdb_acquire(struct hostdb *);
void	hostdb_release(const struct hostdb_snapshot *);	/* accepts NULL */

/* The host at position pos (0 .. hs_entries - 1) of the index order.
 * 0, or -1 (ERANGE) past the end. */
int	hostdb_snapshot_host(const struct hostdb_snapshot *, size_t pos,
	    struct hostdb_host *);
/* Starts loading the host at pos (a no-op past the end): a reader going
 * through the index in order calls it some 16 positions ahead, so the
 * cache misses of the scattered entries overlap. */
void	hostdb_snapshot_prefetch(const struct hostdb_snapshot *, size_t pos);
/* The position of the first host at or after (family, addr) in index
 * order, hs_entries when none: a GET checks it for equality, a GETNEXT
 * takes it (or the one after). */
size_t	hostdb_snapshot_seek(const struct hostdb_snapshot *, int family,
	    const uint8_t *addr);

/* Bytes the live table holds (entries, hash, index, names, scratch). */
size_t	hostdb_memory(const struct hostdb *);

/* Index order of two addresses: <0, 0, >0. */
int	hostdb_addr_cmp(int family_a, const uint8_t *a, int family_b,
	    const uint8_t *b);

/*
 * For hostdb_file.c's loader: a database being built from a file, in
 * index order, put in place only when the whole file was good.
 * hostdb_loader_new() sizes it for what hc_file's header announces.
 */
struct hostdb_loader;

struct hostdb_loader *hostdb_loader_new(struct hostdb *);
/* Adds one host (services by current catalogue index, any order, the
 * same index at most once); hosts must come in strictly increasing index
 * order.  0, or -1 (EINVAL: out of order or bad values, ENOMEM). */
int	hostdb_loader_add(struct hostdb_loader *, const struct hostdb_host *);
/* Replaces the database's contents with the loader's, holding period
 * (YYYYMM, 0 none; hostdb_load() passes the file's only when it is not
 * after the wall clock's month); the caller then enforces the cap and
 * publishes.  Frees the loader either way.  0, or -1 (ENOMEM, the
 * database unchanged). */
int	hostdb_loader_commit(struct hostdb_loader *, uint32_t period);
void	hostdb_loader_free(struct hostdb_loader *);	/* accepts NULL */

#endif
