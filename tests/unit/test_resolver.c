/*
 * resolver: 127.0.0.1 becomes "localhost" (from /etc/hosts, as getent
 * says); the request queue holds at most rc_queue and counts what it
 * refuses, results never exceed their bound either; submitting, collecting
 * and freeing never wait for a lookup, even with lookups of addresses no
 * server knows (TEST-NET, whose answers may be slow or never come) in
 * flight; names are checked before they are published.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "store/resolver.h"

static int64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* What getent says 127.0.0.1 is called, or "" (the independent answer). */
static void
getent_name(char *buf, size_t len)
{
	FILE	*p = popen("getent hosts 127.0.0.1 2>/dev/null", "r");
	char	 addr[64];

	buf[0] = '\0';
	if (p == NULL)
		return;
	if (fscanf(p, "%63s %255s", addr, buf) != 2)
		buf[0] = '\0';
	pclose(p);
	(void)len;
}

static void
test_localhost(void)
{
	struct resolver_config	rc;
	struct resolver		*r;
	struct resolver_result	 rr;
	struct resolver_stats	 st;
	uint8_t			 lo[4] = { 127, 0, 0, 1 };
	char			 want[256];
	size_t			 got = 0;
	int			 i;

	getent_name(want, sizeof(want));
	resolver_config_default(&rc);
	r = resolver_new(&rc);
	CHECK(r != NULL, "a resolver starts");
	if (r == NULL)
		return;
	CHECK(resolver_submit(r, AF_INET, lo) == 0, "127.0.0.1 queued");
	for (i = 0; i < 1000 && got == 0; i++) {
		got = resolver_collect(r, &rr, 1);
		if (got == 0)
			usleep(5000);
	}
	CHECK(got == 1 && rr.rr_status == RESOLVER_FOUND &&
	    rr.rr_family == AF_INET && memcmp(rr.rr_addr, lo, 4) == 0 &&
	    strcmp(rr.rr_name, "localhost") == 0,
	    "127.0.0.1 is \"%s\" (getent: \"%s\")", got ? rr.rr_name : "",
	    want);
	CHECK(want[0] == '\0' || strcmp(rr.rr_name, want) == 0,
	    "the same name getent gives");
	resolver_stats(r, &st);
	CHECK(st.rs_submitted == 1 && st.rs_found == 1 && st.rs_dropped == 0,
	    "counted: one submitted, one found");
	CHECK(resolver_submit(r, AF_UNIX, lo) < 0, "an unknown family is "
	    "refused");
	resolver_free(r);
}

static void
test_bounds(void)
{
	struct resolver_config	rc;
	struct resolver		*r;
	struct resolver_result	 rr[8];
	struct resolver_stats	 st;
	uint8_t			 a[4] = { 192, 0, 2, 0 };
	int64_t			 t0, slowest = 0, t;
	unsigned int		 i, accepted = 0, refused = 0;
	size_t			 n, collected = 0;

	resolver_config_default(&rc);
	rc.rc_queue = 4;
	rc.rc_threads = 1;
	r = resolver_new(&rc);
	if (r == NULL)
		return;
	for (i = 0; i < 1000; i++) {
		a[3] = (uint8_t)i;
		t0 = now_us();
		if (resolver_submit(r, AF_INET, a) == 0)
			accepted++;
		else
			refused++;
		n = resolver_collect(r, rr, 8);
		collected += n;
		t = now_us() - t0;
		if (t > slowest)
			slowest = t;
		resolver_stats(r, &st);
		if (st.rs_queued > rc.rc_queue || st.rs_ready > rc.rc_queue)
			break;
	}
	CHECK(i == 1000, "the request and result queues never exceed 4");
	resolver_stats(r, &st);
	CHECK(refused > 0 && st.rs_dropped == refused &&
	    st.rs_submitted == accepted && accepted + refused == 1000,
	    "1000 requests in a burst: %u queued, %u refused and counted",
	    accepted, refused);
	CHECK(slowest < 100000, "no submit or collect waited for a lookup "
	    "(slowest %lld us)", (long long)slowest);
	t0 = now_us();
	resolver_free(r);
	CHECK(now_us() - t0 < 100000, "freeing does not wait for lookups in "
	    "flight (%lld us)", (long long)(now_us() - t0));
}

static void
test_names(void)
{
	CHECK(resolver_name_ok("localhost") && resolver_name_ok("a.b-c.example"),
	    "host names are accepted");
	CHECK(!resolver_name_ok("") && !resolver_name_ok("a b") &&
	    !resolver_name_ok("x\ny") && !resolver_name_ok("caf\xc3\xa9"),
	    "empty names, blanks, control and non-ASCII bytes are refused");
	{
		char	longname[300];

		memset(longname, 'a', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		CHECK(!resolver_name_ok(longname), "so are names over 253");
	}
}

int
main(void)
{
	test_localhost();
	test_bounds();
	test_names();
	return check_done();
}
