/*
 * snapshot: a published snapshot is freed exactly once, when the slot and
 * every reader have let it go; readers racing a publisher never see a
 * freed snapshot (each snapshot carries its own serial number and a
 * guard word, checked by the readers; counted frees equal publishes).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "lib/snapshot.h"

#define GUARD	0x5ca1ab1eu

struct test_snap {
	struct snapshot	 ts_snap;
	uint32_t	 ts_guard;
	unsigned	 ts_serial;
};

static unsigned		freed;
static struct snapshot_slot	slot;
static volatile int	stop;
static unsigned		bad;

static void
test_free(struct snapshot *sn)
{
	struct test_snap *ts = (struct test_snap *)sn;

	ts->ts_guard = 0;
	__atomic_add_fetch(&freed, 1, __ATOMIC_RELAXED);
	free(ts);
}

static struct test_snap *
make(unsigned serial)
{
	struct test_snap *ts = malloc(sizeof(*ts));

	if (ts == NULL)
		abort();
	snapshot_init(&ts->ts_snap, test_free);
	ts->ts_guard = GUARD;
	ts->ts_serial = serial;
	return ts;
}

static void
test_counts(void)
{
	struct test_snap	*a, *b;
	struct snapshot		*got;

	snapshot_slot_init(&slot);
	CHECK(snapshot_acquire(&slot) == NULL, "nothing before the first publish");
	a = make(1);
	snapshot_publish(&slot, &a->ts_snap);
	got = snapshot_acquire(&slot);
	CHECK(got == &a->ts_snap, "a reader gets the published snapshot");
	b = make(2);
	snapshot_publish(&slot, &b->ts_snap);
	CHECK(freed == 0, "a replaced snapshot lives while a reader holds it");
	snapshot_hold(got);
	snapshot_release(got);
	CHECK(freed == 0, "held twice, released once: still alive");
	snapshot_release(got);
	CHECK(freed == 1, "the last release frees it, once");
	snapshot_release(NULL);
	snapshot_slot_destroy(&slot);
	CHECK(freed == 2, "destroying the slot frees its current snapshot");
}

static void *
reader(void *arg)
{
	unsigned last = 0;

	(void)arg;
	while (!stop) {
		struct test_snap *ts = (struct test_snap *)snapshot_acquire(&slot);

		if (ts != NULL) {
			if (ts->ts_guard != GUARD || ts->ts_serial < last)
				__atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
			last = ts->ts_serial;
			snapshot_release(&ts->ts_snap);
		}
	}
	return NULL;
}

static void
test_race(void)
{
	pthread_t	t[3];
	unsigned	i, n = 200000;

	freed = 0;
	snapshot_slot_init(&slot);
	for (i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, reader, NULL);
	for (i = 1; i <= n; i++)
		snapshot_publish(&slot, &make(i)->ts_snap);
	stop = 1;
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	CHECK(bad == 0, "3 readers racing 200,000 publishes never saw a freed or older snapshot");
	CHECK(freed == n - 1, "every replaced snapshot was freed once (%u of %u)", freed, n - 1);
	snapshot_slot_destroy(&slot);
	CHECK(freed == n, "and the last one with the slot");
}

int
main(void)
{
	test_counts();
	test_race();
	return check_done();
}
