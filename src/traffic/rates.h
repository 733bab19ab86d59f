/*
 * rates: per-second rates from two samples of the same counters.
 *
 * A rate is kept in hundredths per second (rv_x100) so packet rates can be
 * served as "3.40" and octet rates as whole bytes per second (rv_x100/100).
 * A counter that went backwards (a reset, an interface that vanished and came
 * back, a 32-bit wrap) makes the rate invalid for that interval rather than
 * a spike.
 */
#ifndef RATES_H
#define RATES_H

#include <stdint.h>

#include "traffic/procstat.h"

struct rate_value {
	uint64_t	rv_x100;	/* hundredths per second */
	int		rv_valid;
};

struct rate_iface {
	unsigned		ri_ifindex;
	struct rate_value	ri_rate[PS_DEV_NFIELDS];
};

struct rate_sample {
	uint64_t		 rs_interval_ns;	/* cur - prev, monotonic */
	int			 rs_valid;	/* interval usable at all */
	struct rate_value	 rs_counter[PS_NCOUNTERS];
	struct rate_iface	*rs_ifaces;	/* owned; parallel to cur->ps_ifaces */
	size_t			 rs_nifaces;
};

/* Rate of one counter over interval_ns; invalid when cur < prev or the
 * interval is zero. */
struct rate_value rate_of(uint64_t prev, uint64_t cur, uint64_t interval_ns);

/*
 * Computes every rate between prev and cur.  prev may be NULL (first
 * sample: all invalid).  Interfaces are matched by ifindex and name; one
 * absent from prev gets invalid rates.  0 on success, -1 on ENOMEM.
 */
int	rates_compute(struct rate_sample *, const struct ps_sample *prev,
	    const struct ps_sample *cur);
void	rates_free(struct rate_sample *);	/* accepts zeroed */

#endif
