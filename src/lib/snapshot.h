/*
 * snapshot: one way to hand immutable data from the thread that makes it
 * to the threads that read it (the window to the SNMP side, the
 * connection table, the host database, the archive, the probe engine).
 *
 * A snapshot type embeds struct snapshot as its first member.  Its maker
 * fills it, snapshot_init()s it (one reference: the maker's) and
 * snapshot_publish()es it into a slot, handing that reference over; the
 * slot's previous snapshot loses the slot's reference.  A reader
 * snapshot_acquire()s the current one (a reference of its own, or NULL
 * before the first publish) and snapshot_release()s it when done; the
 * last release calls the type's free function.  Nothing in a published
 * snapshot changes, so readers need no lock beyond the slot's, held for
 * a pointer copy and an increment.
 */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include <pthread.h>

struct snapshot {
	unsigned int	  sn_refs;	/* atomic */
	void		(*sn_free)(struct snapshot *);
};

struct snapshot_slot {
	pthread_mutex_t	  ss_lock;
	struct snapshot	 *ss_current;	/* NULL before the first publish */
};

/* One reference, the caller's; free_fn frees the whole snapshot. */
void	snapshot_init(struct snapshot *, void (*free_fn)(struct snapshot *));

void	snapshot_slot_init(struct snapshot_slot *);
/* Releases the slot's reference to its current snapshot. */
void	snapshot_slot_destroy(struct snapshot_slot *);

/* Makes sn the slot's current snapshot, taking over the caller's
 * reference to it; the previous one loses the slot's reference. */
void	snapshot_publish(struct snapshot_slot *, struct snapshot *sn);
/* The current snapshot with a reference for the caller, or NULL. */
struct snapshot *snapshot_acquire(struct snapshot_slot *);
/* Another reference to a snapshot the caller already holds. */
void	snapshot_hold(const struct snapshot *);
/* Gives a reference back; NULL is accepted. */
void	snapshot_release(const struct snapshot *);

#endif
