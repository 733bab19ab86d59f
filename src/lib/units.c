/*
 * units: configuration values with units; see units.h.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/errbuf.h"
#include "lib/units.h"

struct unit {
	const char	*un_name;
	double		 un_factor;
};

/*
 * Splits "12.5ms" into 12.5 and "ms".  The number must be finite, not
 * negative, and written in decimal (no hex, no exponent).
 */
static int
units_split(const char *text, double *num, const char **unit, char *err,
    size_t errlen)
{
	const char *p = text;
	char *end;

	while (isspace((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p) && *p != '.')
		return errbuf_set(err, errlen, "\"%s\" is not a number", text);
	for (end = (char *)p; isdigit((unsigned char)*end) || *end == '.';
	    end++)
		;
	errno = 0;
	*num = strtod(p, NULL);
	if (errno != 0 || !isfinite(*num))
		return errbuf_set(err, errlen, "\"%s\" is not a number", text);
	*unit = end;
	return 0;
}

static int
units_scaled(const char *text, const struct unit *units, size_t n,
    const char *what, double *out, char *err, size_t errlen)
{
	/* Set: gcc cannot see that units_split() fails only with -1. */
	const char *u = "";
	char unit[32];
	size_t i, len;
	double num = 0;

	if (units_split(text, &num, &u, err, errlen) == -1)
		return -1;
	while (isspace((unsigned char)*u))
		u++;
	len = strlen(u);
	while (len > 0 && isspace((unsigned char)u[len - 1]))
		len--;
	if (len == 0)
		return errbuf_set(err, errlen, "\"%s\" needs a unit (%s)",
		    text, what);
	snprintf(unit, sizeof(unit), "%.*s", (int)(len < 31 ? len : 31), u);
	for (i = 0; i < n; i++)
		if (strcmp(units[i].un_name, unit) == 0) {
			*out = num * units[i].un_factor;
			return 0;
		}
	return errbuf_set(err, errlen, "unknown unit \"%s\" in \"%s\" (%s)",
	    unit, text, what);
}

int
units_duration_us(const char *text, uint64_t *us, char *err, size_t errlen)
{
	static const struct unit units[] = {
		{ "us", 1 }, { "ms", 1e3 }, { "s", 1e6 },
	};
	double v;

	if (units_scaled(text, units, sizeof(units) / sizeof(units[0]),
	    "us, ms or s", &v, err, errlen) == -1)
		return -1;
	if (v < 1 || v > 3600e6)
		return errbuf_set(err, errlen,
		    "\"%s\" is out of range 1us-3600s", text);
	*us = (uint64_t)(v + 0.5);
	return 0;
}

int
units_rate(const char *text, uint64_t *bps, char *err, size_t errlen)
{
	static const struct unit units[] = {
		{ "B/s", 1 }, { "kB/s", 1e3 }, { "MB/s", 1e6 },
		{ "GB/s", 1e9 }, { "bit/s", 1.0 / 8 }, { "kbit/s", 1e3 / 8 },
		{ "Mbit/s", 1e6 / 8 }, { "Gbit/s", 1e9 / 8 },
	};
	double v;

	if (units_scaled(text, units, sizeof(units) / sizeof(units[0]),
	    "B/s, kB/s, MB/s, GB/s, bit/s, kbit/s, Mbit/s or Gbit/s", &v, err,
	    errlen) == -1)
		return -1;
	if (v < 1 || v > 1e15)
		return errbuf_set(err, errlen,
		    "\"%s\" is out of range 1B/s-1PB/s", text);
	*bps = (uint64_t)(v + 0.5);
	return 0;
}

int
units_percent_x100(const char *text, uint32_t *x100, char *err,
    size_t errlen)
{
	static const struct unit units[] = { { "%", 100 } };
	double v;

	if (units_scaled(text, units, 1, "%", &v, err, errlen) == -1)
		return -1;
	if (v > 10000)
		return errbuf_set(err, errlen, "\"%s\" is over 100%%", text);
	*x100 = (uint32_t)(v + 0.5);
	return 0;
}

int
units_size(const char *text, uint64_t min, uint64_t max, uint64_t *bytes,
    char *err, size_t errlen)
{
	static const struct unit units[] = {
		{ "B", 1 }, { "kB", 1e3 }, { "MB", 1e6 }, { "GB", 1e9 },
		{ "TB", 1e12 }, { "KiB", 1024.0 }, { "MiB", 1048576.0 },
		{ "GiB", 1073741824.0 }, { "TiB", 1099511627776.0 },
	};
	double v;

	if (units_scaled(text, units, sizeof(units) / sizeof(units[0]),
	    "B, kB, MB, GB, TB, KiB, MiB, GiB or TiB", &v, err, errlen) == -1)
		return -1;
	/* Compared as doubles first: a huge value must not wrap. */
	if (v + 0.5 < (double)min || v > (double)max)
		return errbuf_set(err, errlen, "\"%s\" is out of range "
		    "%lluB-%lluB", text, (unsigned long long)min,
		    (unsigned long long)max);
	*bytes = (uint64_t)(v + 0.5);
	return 0;
}

int
units_count(const char *text, uint64_t min, uint64_t max, uint64_t *out,
    char *err, size_t errlen)
{
	unsigned long long v;
	const char *p = text;
	char *end;

	while (isspace((unsigned char)*p))
		p++;
	errno = 0;
	v = strtoull(p, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (!isdigit((unsigned char)*p) || errno != 0 || *end != '\0' ||
	    v < min || v > max)
		return errbuf_set(err, errlen, "\"%s\" is not a whole number "
		    "from %llu to %llu", text, (unsigned long long)min,
		    (unsigned long long)max);
	*out = v;
	return 0;
}
