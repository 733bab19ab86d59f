/*
 * units: thresholds with units, and the errors for the ones without.
 */
#include <string.h>

#include "check.h"
#include "lib/units.h"

static void
test_durations(void)
{
	char err[256];
	uint64_t us = 0;

	CHECK(units_duration_us("250us", &us, err, sizeof(err)) == 0 &&
	    us == 250, "250us is 250 microseconds");
	CHECK(units_duration_us("100ms", &us, err, sizeof(err)) == 0 &&
	    us == 100000, "100ms is 100000 us");
	CHECK(units_duration_us("1.5s", &us, err, sizeof(err)) == 0 &&
	    us == 1500000, "1.5s is 1500000 us");
	CHECK(units_duration_us("100", &us, err, sizeof(err)) == -1 &&
	    strstr(err, "needs a unit") != NULL, "a bare number is refused: %s",
	    err);
	CHECK(units_duration_us("100min", &us, err, sizeof(err)) == -1 &&
	    strstr(err, "unknown unit \"min\"") != NULL,
	    "an unknown unit is named: %s", err);
	CHECK(units_duration_us("fast", &us, err, sizeof(err)) == -1 &&
	    strstr(err, "not a number") != NULL, "words are refused: %s", err);
	CHECK(units_duration_us("-5ms", &us, err, sizeof(err)) == -1,
	    "negative durations are refused: %s", err);
	CHECK(units_duration_us("0ms", &us, err, sizeof(err)) == -1,
	    "zero is out of range: %s", err);
}

static void
test_rates(void)
{
	char err[256];
	uint64_t b = 0;

	CHECK(units_rate("1500B/s", &b, err, sizeof(err)) == 0 && b == 1500,
	    "1500B/s");
	CHECK(units_rate("10kB/s", &b, err, sizeof(err)) == 0 && b == 10000,
	    "10kB/s is 10000 B/s (k is 1000)");
	CHECK(units_rate("2.5MB/s", &b, err, sizeof(err)) == 0 &&
	    b == 2500000, "2.5MB/s");
	CHECK(units_rate("100Mbit/s", &b, err, sizeof(err)) == 0 &&
	    b == 12500000, "100Mbit/s is 12500000 B/s");
	CHECK(units_rate("1Gbit/s", &b, err, sizeof(err)) == 0 &&
	    b == 125000000, "1Gbit/s is 125000000 B/s");
	CHECK(units_rate("10MiB/s", &b, err, sizeof(err)) == -1 &&
	    strstr(err, "unknown unit \"MiB/s\"") != NULL,
	    "an unknown unit is named: %s", err);
	CHECK(units_rate("10M", &b, err, sizeof(err)) == -1,
	    "a unit without /s is refused: %s", err);
	CHECK(units_rate("500", &b, err, sizeof(err)) == -1 &&
	    strstr(err, "needs a unit") != NULL, "a bare number: %s", err);
}

static void
test_percent_and_counts(void)
{
	char err[256];
	uint32_t x = 0;
	uint64_t n = 0;

	CHECK(units_percent_x100("1%", &x, err, sizeof(err)) == 0 && x == 100,
	    "1%% is 100 hundredths");
	CHECK(units_percent_x100("0.25%", &x, err, sizeof(err)) == 0 &&
	    x == 25, "0.25%% is 25 hundredths");
	CHECK(units_percent_x100("101%", &x, err, sizeof(err)) == -1,
	    "over 100%% is refused: %s", err);
	CHECK(units_percent_x100("5", &x, err, sizeof(err)) == -1,
	    "a percentage needs %%: %s", err);
	CHECK(units_count("42", 1, 100, &n, err, sizeof(err)) == 0 && n == 42,
	    "42 is a count");
	CHECK(units_count("0", 1, 100, &n, err, sizeof(err)) == -1 &&
	    strstr(err, "from 1 to 100") != NULL, "0 is out of 1..100: %s",
	    err);
	CHECK(units_count("12x", 1, 100, &n, err, sizeof(err)) == -1,
	    "trailing garbage is refused: %s", err);
}

/* Sizes: the factors are the SI and IEC prefixes' (IEC 80000-13). */
static void
test_sizes(void)
{
	char err[256];
	uint64_t b = 0;

	CHECK(units_size("64MiB", 1, UINT64_MAX, &b, err, sizeof(err)) == 0 &&
	    b == 64ULL * 1024 * 1024, "64MiB is 67108864 bytes");
	CHECK(units_size("64MB", 1, UINT64_MAX, &b, err, sizeof(err)) == 0 &&
	    b == 64000000, "64MB is 64000000 bytes");
	CHECK(units_size("1.5GB", 1, UINT64_MAX, &b, err, sizeof(err)) == 0 &&
	    b == 1500000000, "1.5GB is 1500000000 bytes");
	CHECK(units_size("2KiB", 1, UINT64_MAX, &b, err, sizeof(err)) == 0 &&
	    b == 2048, "2KiB is 2048 bytes");
	CHECK(units_size("1TiB", 1, UINT64_MAX, &b, err, sizeof(err)) == 0 &&
	    b == 1099511627776ULL, "1TiB is 2^40 bytes");
	CHECK(units_size("4096B", 1, UINT64_MAX, &b, err, sizeof(err)) == 0 &&
	    b == 4096, "4096B is 4096 bytes");
	CHECK(units_size("64", 1, UINT64_MAX, &b, err, sizeof(err)) == -1 &&
	    strstr(err, "needs a unit") != NULL, "a bare number: %s", err);
	CHECK(units_size("64mb", 1, UINT64_MAX, &b, err, sizeof(err)) == -1 &&
	    strstr(err, "unknown unit") != NULL, "mb is no unit: %s", err);
	CHECK(units_size("100kB", 1000000, 2000000, &b, err, sizeof(err)) ==
	    -1 && strstr(err, "out of range 1000000B-2000000B") != NULL,
	    "below the minimum: %s", err);
	CHECK(units_size("99999999TB", 1, 1ULL << 50, &b, err, sizeof(err)) ==
	    -1 && strstr(err, "out of range") != NULL,
	    "far above the maximum, no wrap: %s", err);
}

int
main(void)
{
	test_sizes();
	test_durations();
	test_rates();
	test_percent_and_counts();
	return check_done();
}
