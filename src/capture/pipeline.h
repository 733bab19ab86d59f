/*
 * pipeline: capture -> sessions -> windows, wired together.  The capture
 * thread reads packets into the window's session table; at each window's
 * end the pipeline marks capture loss, refreshes the host's own addresses
 * (live capture only) and hands the closed window to its consumers (the
 * host database, the archive).
 *
 * The services catalogue and local networks are configured first and must
 * outlive the pipeline; the capture thread reads them, nothing changes them
 * while it runs except the pipeline itself, from that thread.
 */
#ifndef PIPELINE_H
#define PIPELINE_H

#include "capture/capture.h"
#include "capture/localnet.h"
#include "capture/services.h"
#include "capture/window.h"

struct pipeline_config {
	struct cap_config	pc_capture;
	struct window_config	pc_window;
};

/* A consumer of closed windows, called from the capture thread. */
typedef void (*pipeline_consumer)(const struct window_closed *, void *arg);

struct pipeline;

void	pipeline_config_default(struct pipeline_config *);

/*
 * Opens the capture sources (needs the privileges) and the window.  NULL
 * with errno set only when memory runs out; sources that failed are in
 * capture_stats().  A live capture counts the host's own addresses as
 * local; a replayed file only the configured localNet prefixes.
 */
struct pipeline	*pipeline_new(const struct pipeline_config *,
		    const struct services *, struct localnet *);
void		 pipeline_free(struct pipeline *);	/* stops; accepts NULL */

/* Adds a consumer (at most 4), before pipeline_start(). */
int	pipeline_add_consumer(struct pipeline *, pipeline_consumer, void *);
/* Starts the capture thread; 0, or -1 with errno. */
int	pipeline_start(struct pipeline *);

/* Stops the capture thread and closes the window in progress, so what it
 * holds reaches the consumers (the host database) before they save. */
void	pipeline_stop(struct pipeline *);

struct capture	*pipeline_capture(struct pipeline *);
struct window	*pipeline_window(struct pipeline *);

#endif
