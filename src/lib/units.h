/*
 * units: configuration values with units, for thresholds.
 *
 * Each parser takes the value as written in coremon.conf and returns 0, or
 * -1 with a message in err that the caller prefixes with file:line.  A
 * number without a unit is refused: a threshold off by a factor of 1000
 * because a unit was assumed is worse than an error at start.
 */
#ifndef UNITS_H
#define UNITS_H

#include <stddef.h>
#include <stdint.h>

/* "250us", "100ms", "1.5s" -> microseconds. */
int	units_duration_us(const char *, uint64_t *us, char *err,
	    size_t errlen);

/* "1500B/s", "10kB/s", "2.5MB/s", "1GB/s", "100kbit/s", "10Mbit/s",
 * "1Gbit/s" (k, M, G are powers of 1000) -> bytes per second. */
int	units_rate(const char *, uint64_t *bytes_per_s, char *err,
	    size_t errlen);

/* "1%", "0.25%" -> hundredths of a percent (25); 0..100%. */
int	units_percent_x100(const char *, uint32_t *x100, char *err,
	    size_t errlen);

/* "512kB", "64MB", "1.5GB", "1TB" (powers of 1000) or "64MiB", "1GiB"
 * (powers of 1024), or "4096B" -> bytes, which must be from min to max. */
int	units_size(const char *, uint64_t min, uint64_t max, uint64_t *bytes,
	    char *err, size_t errlen);

/* A whole number of min..max, with no unit. */
int	units_count(const char *, uint64_t min, uint64_t max, uint64_t *out,
	    char *err, size_t errlen);

#endif
