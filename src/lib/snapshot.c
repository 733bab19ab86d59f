/*
 * snapshot: reference-counted immutable snapshots; see snapshot.h.
 */
#include <stddef.h>

#include "lib/snapshot.h"

void
snapshot_init(struct snapshot *sn, void (*free_fn)(struct snapshot *))
{
	sn->sn_refs = 1;
	sn->sn_free = free_fn;
}

void
snapshot_slot_init(struct snapshot_slot *ss)
{
	pthread_mutex_init(&ss->ss_lock, NULL);
	ss->ss_current = NULL;
}

void
snapshot_slot_destroy(struct snapshot_slot *ss)
{
	snapshot_release(ss->ss_current);
	ss->ss_current = NULL;
	pthread_mutex_destroy(&ss->ss_lock);
}

void
snapshot_publish(struct snapshot_slot *ss, struct snapshot *sn)
{
	struct snapshot	*old;

	pthread_mutex_lock(&ss->ss_lock);
	old = ss->ss_current;
	ss->ss_current = sn;
	pthread_mutex_unlock(&ss->ss_lock);
	snapshot_release(old);
}

struct snapshot *
snapshot_acquire(struct snapshot_slot *ss)
{
	struct snapshot	*sn;

	pthread_mutex_lock(&ss->ss_lock);
	sn = ss->ss_current;
	if (sn != NULL)
		__atomic_add_fetch(&sn->sn_refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&ss->ss_lock);
	return sn;
}

void
snapshot_hold(const struct snapshot *sn)
{
	struct snapshot	*s = (struct snapshot *)sn;

	if (s != NULL)
		__atomic_add_fetch(&s->sn_refs, 1, __ATOMIC_RELAXED);
}

/* The acquire-release pair orders every reader's last look before the
 * free. */
void
snapshot_release(const struct snapshot *sn)
{
	struct snapshot	*s = (struct snapshot *)sn;

	if (s != NULL &&
	    __atomic_sub_fetch(&s->sn_refs, 1, __ATOMIC_ACQ_REL) == 0)
		s->sn_free(s);
}
