/*
 * pipeline: capture -> sessions -> windows; see pipeline.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/pipeline.h"

#define PIPELINE_MAX_CONSUMERS	4

_Static_assert(WINDOW_SOURCES >= CAP_MAX_SOURCES,
    "the window counts late packets of every capture source");

struct pipeline {
	struct pipeline_config	 pl_config;
	struct capture		*pl_capture;
	struct window		*pl_window;
	struct localnet		*pl_localnet;
	int			 pl_live;
	pipeline_consumer	 pl_consumer[PIPELINE_MAX_CONSUMERS];
	void			*pl_consumer_arg[PIPELINE_MAX_CONSUMERS];
	size_t			 pl_nconsumers;
};

void
pipeline_config_default(struct pipeline_config *pc)
{
	capture_config_default(&pc->pc_capture);
	window_config_default(&pc->pc_window);
}

/* The window's consumer: runs in the capture thread at each close. */
static void
pipeline_window_closed(const struct window_closed *wd, void *arg)
{
	struct pipeline *pl = arg;
	size_t i;

	capture_mark_window(pl->pl_capture);
	for (i = 0; i < pl->pl_nconsumers; i++)
		pl->pl_consumer[i](wd, pl->pl_consumer_arg[i]);
	/* Addresses come and go (DHCP, failover): look again each window. */
	if (pl->pl_live)
		localnet_refresh(pl->pl_localnet);
}

/* What one pcap_dispatch() decoded, in batches: the session table
 * overlaps their cache misses (session_add_batch()). */
static void
pipeline_batch(void *arg, const struct decode_pkt *dp, const int64_t *ts_us,
    size_t n, unsigned source)
{
	struct pipeline *pl = arg;

	window_add_batch(pl->pl_window, dp, ts_us, n, source);
}

/* A TPACKET_V3 block may hold packets up to one poll timeout old: close a
 * window only once they can no longer arrive. */
static void
pipeline_tick(void *arg, int64_t now_us)
{
	struct pipeline *pl = arg;

	window_tick(pl->pl_window,
	    now_us - 2000LL * pl->pl_config.pc_capture.cc_poll_ms);
}

static void
pipeline_end(void *arg)
{
	struct pipeline *pl = arg;

	window_flush(pl->pl_window);
}

struct pipeline *
pipeline_new(const struct pipeline_config *pc, const struct services *sv,
    struct localnet *ln)
{
	struct pipeline *pl;

	if ((pl = calloc(1, sizeof(*pl))) == NULL)
		return NULL;
	pl->pl_config = *pc;
	pl->pl_localnet = ln;
	pl->pl_live = pc->pc_capture.cc_file == NULL;
	if (pl->pl_live)
		localnet_refresh(ln);
	if ((pl->pl_window = window_new(&pc->pc_window, sv, ln)) == NULL ||
	    (pl->pl_capture = capture_open(&pc->pc_capture)) == NULL) {
		pipeline_free(pl);
		return NULL;
	}
	window_set_consumer(pl->pl_window, pipeline_window_closed, pl);
	return pl;
}

int
pipeline_add_consumer(struct pipeline *pl, pipeline_consumer fn, void *arg)
{
	if (pl->pl_nconsumers == PIPELINE_MAX_CONSUMERS) {
		errno = ENOSPC;
		return -1;
	}
	pl->pl_consumer[pl->pl_nconsumers] = fn;
	pl->pl_consumer_arg[pl->pl_nconsumers++] = arg;
	return 0;
}

int
pipeline_start(struct pipeline *pl)
{
	struct cap_sink sink;

	memset(&sink, 0, sizeof(sink));
	sink.sk_batch = pipeline_batch;
	sink.sk_tick = pl->pl_live ? pipeline_tick : NULL;
	sink.sk_end = pipeline_end;
	sink.sk_arg = pl;
	return capture_start(pl->pl_capture, &sink);
}

void
pipeline_stop(struct pipeline *pl)
{
	capture_stop(pl->pl_capture);
	if (pl->pl_live)
		window_flush(pl->pl_window);
}

struct capture *
pipeline_capture(struct pipeline *pl)
{
	return pl->pl_capture;
}

struct window *
pipeline_window(struct pipeline *pl)
{
	return pl->pl_window;
}

void
pipeline_free(struct pipeline *pl)
{
	if (pl == NULL)
		return;
	capture_free(pl->pl_capture);	/* stops the thread first */
	window_free(pl->pl_window);
	free(pl);
}
