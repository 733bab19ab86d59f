/*
 * sampler: the /proc side of coremon (DESIGN.md, "Data sources"): one
 * reading of the kernel's counters every sampleInterval (procstat), the
 * per-second rates against the reading before (rates) and the ring of
 * past samples (history).
 *
 * Taken and read on one thread (the agent's main thread, from a timer),
 * so a reader sees the latest sample without a snapshot: the structure
 * is the contract, read-only outside sampler_take().
 */
#ifndef SAMPLER_H
#define SAMPLER_H

#include <stddef.h>

#include "traffic/history.h"
#include "traffic/procstat.h"
#include "traffic/rates.h"

struct sampler_config {
	const char	*sc_procroot;	/* "/proc", or a test fixture */
	const char	*sc_sysroot;	/* "/sys" */
	size_t		 sc_history;	/* historySamples, >= 1 */
};

struct sampler {
	struct sampler_config	 sm_config;
	struct ps_sample	 sm_cur;	/* the latest reading */
	struct rate_sample	 sm_rates;	/* sm_cur against the one before */
	struct history		*sm_history;
	unsigned		 sm_taken;	/* readings so far */
	unsigned		 sm_invalid;	/* whose rates were invalid */
	unsigned		 sm_skipped;	/* /proc lines not understood */
	size_t			 sm_if_first;	/* ifaces with ifindex 0 first */
};

/* NULL with errno set (ENOMEM, EINVAL). */
struct sampler	*sampler_new(const struct sampler_config *);
void		 sampler_free(struct sampler *);	/* accepts NULL */

/* Reads the kernel's counters now.  0, or -1 with the reason in err and
 * the previous sample still current. */
int	sampler_take(struct sampler *, char *err, size_t errlen);

#endif
