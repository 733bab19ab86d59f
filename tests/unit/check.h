/*
 * A tiny unit-test runner: CHECK() prints "ok - what" or "not ok - what",
 * check_done() prints the count and sets the exit status.  tests/run-all.sh
 * adds up the ok/not ok lines of every test program and script.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <stdlib.h>

static int check_passed, check_failed;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		check_passed++;						\
		printf("ok - ");					\
	} else {							\
		check_failed++;						\
		printf("not ok - %s:%d: (%s) ", __FILE__, __LINE__, #cond); \
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
} while (0)

#define CHECK_U64(got, want, ...) do {					\
	unsigned long long check_g_ = (got), check_w_ = (want);		\
	CHECK(check_g_ == check_w_, __VA_ARGS__);			\
	if (check_g_ != check_w_)					\
		printf("#   got %llu, want %llu\n", check_g_, check_w_);	\
} while (0)

static inline int
check_done(void)
{
	printf("# %d passed, %d failed\n", check_passed, check_failed);
	return check_failed == 0 ? 0 : 1;
}

#endif
