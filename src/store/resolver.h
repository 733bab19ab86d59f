/*
 * resolver: host names for addresses, off the hot path.
 *
 * A few threads of its own turn addresses into names with getnameinfo()
 * (NI_NAMEREQD: a name or nothing, never the address as text).  The
 * caller -- the capture thread -- only ever queues a request and picks up
 * finished results; neither waits for a lookup:
 *  - the request queue is bounded (rc_queue); a request finding it full
 *    is refused and counted (rs_dropped), and the caller asks again
 *    later;
 *  - finished results wait in a second queue of the same bound; one that
 *    finds it full is dropped and counted;
 *  - getnameinfo() has no timeout of its own (the resolver library's
 *    resolv.conf timeout and attempts apply).  A lookup slower than
 *    rc_timeout_ms is counted (rs_timeouts) and reported as
 *    RESOLVER_FAILED unless it found a name; a slow lookup only holds one
 *    thread, the queues stay bounded, and resolver_free() never waits
 *    for it (a thread still inside getnameinfo() is left to finish and
 *    free its share alone).
 * Caching (and refreshing names older than a TTL) is the caller's: the
 * host database keeps each host's name and when it was looked up, saves
 * them with the database, and asks again when they are stale.
 *
 * Threads: any one thread may call submit and collect (they take a
 * mutex that the lookup threads hold only to move a queue entry); stats
 * from any thread.
 */
#ifndef RESOLVER_H
#define RESOLVER_H

#include <stddef.h>
#include <stdint.h>

#define RESOLVER_QUEUE_DEFAULT		1024
#define RESOLVER_THREADS_DEFAULT	2
#define RESOLVER_THREADS_MAX		16
#define RESOLVER_TIMEOUT_MS_DEFAULT	5000
#define RESOLVER_NAME_MAX		255

struct resolver_config {
	size_t		rc_queue;	/* requests waiting, >= 1 */
	unsigned int	rc_threads;	/* lookups at once, 1..MAX */
	unsigned int	rc_timeout_ms;	/* slower counts as timed out */
};

void	resolver_config_default(struct resolver_config *);

enum resolver_status {
	RESOLVER_FOUND = 1,	/* rr_name holds the name */
	RESOLVER_NOT_FOUND,	/* the address has no name (EAI_NONAME) */
	RESOLVER_FAILED		/* no answer this time (EAI_AGAIN, ...) */
};

struct resolver_result {
	int		rr_family;	/* AF_INET, AF_INET6 */
	uint8_t		rr_addr[16];	/* network order, IPv4 in 4 */
	int		rr_status;	/* enum resolver_status */
	uint32_t	rr_msec;	/* how long the lookup took */
	char		rr_name[RESOLVER_NAME_MAX + 1];	/* "" unless found */
};

struct resolver_stats {
	uint64_t	rs_submitted;	/* requests queued */
	uint64_t	rs_dropped;	/* refused: the queue was full */
	uint64_t	rs_found;
	uint64_t	rs_not_found;
	uint64_t	rs_failed;
	uint64_t	rs_timeouts;	/* slower than rc_timeout_ms */
	uint64_t	rs_results_dropped;	/* nobody collected them */
	uint32_t	rs_max_msec;	/* slowest lookup */
	size_t		rs_queued;	/* waiting now */
	size_t		rs_busy;	/* being looked up now */
	size_t		rs_ready;	/* results waiting for collect */
};

struct resolver;

/* Starts the threads.  NULL with errno set. */
struct resolver	*resolver_new(const struct resolver_config *);
/* Stops; never waits for a lookup in progress.  Accepts NULL. */
void		 resolver_free(struct resolver *);

/* Queues a lookup of addr (4 or 16 bytes by family).  0, or -1 with
 * errno EAGAIN (queue full, counted) or EAFNOSUPPORT. */
int	resolver_submit(struct resolver *, int family, const uint8_t *addr);

/* Moves up to max finished results into out; how many.  Never waits
 * for a lookup. */
size_t	resolver_collect(struct resolver *, struct resolver_result *out,
	    size_t max);

void	resolver_stats(struct resolver *, struct resolver_stats *);

/* Whether name is acceptable as a host name to publish: 1..253
 * printable ASCII characters without blanks. */
int	resolver_name_ok(const char *name);

#endif
