/*
 * procpid: which process holds a socket, by socket inode.
 *
 * The kernel's sock_diag gives a socket's inode but not its owner; the only
 * way from one to the other is reading the /proc/PID/fd/N links of every
 * process ("socket:[INODE]").  That costs one readlink per open file on the
 * host, so it is done as rarely as possible: the cache holds the owner of
 * every inode it was asked about, and /proc is scanned only when an update
 * brings inodes it has never seen.  A scan reads first the processes that
 * held the fewest sockets last time (a small process's new socket is found
 * before a big server's thousands of links are read) and stops as soon as
 * every new inode is found.  An inode no scan could place (a socket in
 * flight over a unix socket, a process that exited mid-scan, a
 * /proc/PID/fd we may not read) is remembered as a miss with pid 0 and
 * not searched for again; it is forgotten, like any entry, when an update
 * no longer lists it.
 *
 * Races and permission errors are silent by design: they only leave pid 0.
 * The owner found is the first process seen holding the socket (after a
 * fork several may), and its name is the one it had when found.
 */
#ifndef PROCPID_H
#define PROCPID_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PP_COMM_MAX	16	/* TASK_COMM_LEN, with the NUL */

struct pp_counters {
	uint64_t	pc_scans;	/* times /proc was scanned */
	uint64_t	pc_pids;	/* processes looked into */
	uint64_t	pc_links;	/* fd links read */
	uint64_t	pc_found;	/* inodes placed */
	uint64_t	pc_missed;	/* inodes no scan could place */
	size_t		pc_entries;	/* inodes held now */
};

struct procpid;

/* procroot is "/proc" on a live system (copied).  NULL with errno set. */
struct procpid	*procpid_new(const char *procroot);
void		 procpid_free(struct procpid *);	/* accepts NULL */

/*
 * Makes the cache hold exactly the given inodes (any order, duplicates and
 * zeros ignored), scanning /proc if some are new.  0, or -1 with errno
 * ENOMEM (the cache is then unchanged).
 */
int	procpid_update(struct procpid *, const uint32_t *inodes, size_t n);

/* The owner of an inode the last update listed, with its name in *comm;
 * 0 and "" when unknown. */
pid_t	procpid_owner(const struct procpid *, uint32_t inode,
	    const char **comm);

/*
 * The systemd unit (service or scope) process pid runs in, from the last
 * unit in its /proc/PID/cgroup path: "" and -1 when the process is gone,
 * runs in no unit or the name does not fit len.  One small read.
 */
int	procpid_unit(const char *procroot, pid_t pid, char *unit,
	    size_t len);

void	procpid_counters(const struct procpid *, struct pp_counters *);

/* Bytes allocated by the cache. */
size_t	procpid_memory(const struct procpid *);

#endif
