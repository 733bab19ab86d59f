/*
 * session: hand-made decoded packets fold into the sessions DESIGN.md
 * describes -- both directions in one entry, local traffic only in the
 * totals, transit under the lower address, later fragments under port 0
 * -- and a full table folds new sessions into the overflow entry with
 * every total still exact, even under a flood of unique addresses.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "capture/session.h"
#include "check.h"
#include "fixture.h"

#define TCP	6
#define UDP	17
#define ICMP	1
#define T0	1700000000000000LL	/* a window start, microseconds */

static struct services	*sv;
static struct localnet	*ln;

static int
addr_is(const uint8_t *a, const char *text)
{
	uint8_t	want[16];

	fixture_addr(text, want);
	return memcmp(a, want, 16) == 0;
}

static unsigned int
service(const char *name)
{
	return fixture_service(sv, name);
}

/* Sum of the entries against the totals: the "totals stay exact" rule. */
static void
check_sums(const struct session_table *st, const char *what)
{
	const struct session_totals	*tt = session_table_totals(st);
	const struct session		*e;
	struct session_counts		 sum = { 0, 0, 0, 0 };
	size_t				 n, i;

	e = session_table_entries(st, &n);
	for (i = 0; i < n; i++) {
		sum.sc_octets_in += e[i].se_octets_in;
		sum.sc_octets_out += e[i].se_octets_out;
		sum.sc_packets_in += e[i].se_packets_in;
		sum.sc_packets_out += e[i].se_packets_out;
	}
	CHECK(sum.sc_octets_in == tt->tt_remote.sc_octets_in +
	    tt->tt_transit.sc_octets_in &&
	    sum.sc_octets_out == tt->tt_remote.sc_octets_out +
	    tt->tt_transit.sc_octets_out &&
	    sum.sc_packets_in == tt->tt_remote.sc_packets_in +
	    tt->tt_transit.sc_packets_in &&
	    sum.sc_packets_out == tt->tt_remote.sc_packets_out +
	    tt->tt_transit.sc_packets_out,
	    "%s: the entries add up to the totals", what);
}

static void
test_both_directions(void)
{
	struct session_table		*st = session_table_new(0, sv, ln, T0);
	const struct session_totals	*tt;
	const struct session		*e;
	struct decode_pkt		 q, r;
	size_t				 n;

	if (st == NULL) {
		CHECK(0, "table made");
		return;
	}
	q = fixture_pkt("10.0.0.1", 51000, "8.8.8.8", 53, UDP, 80);
	r = fixture_pkt("8.8.8.8", 53, "10.0.0.1", 51000, UDP, 200);
	session_add_packet(st, &q, T0 + 5000, 0);
	session_add_packet(st, &r, T0 + 2000000, 0);
	session_add_packet(st, &q, T0 + 3000000, 0);
	e = session_table_entries(st, &n);
	CHECK_U64(n, 1, "a query and its answer are one session");
	CHECK(addr_is(e[0].se_key.sk_local, "10.0.0.1") &&
	    addr_is(e[0].se_key.sk_remote, "8.8.8.8"),
	    "the local end is 10.0.0.1, the remote 8.8.8.8");
	CHECK(e[0].se_key.sk_port == 53 && e[0].se_key.sk_proto == UDP &&
	    e[0].se_key.sk_family == AF_INET && e[0].se_flags == 0,
	    "udp, service port 53, IPv4, no flags");
	CHECK_U64(e[0].se_service, service("dns"), "service dns");
	CHECK_U64(e[0].se_octets_out, 160, "octets out: two queries of 80");
	CHECK_U64(e[0].se_packets_out, 2, "packets out");
	CHECK_U64(e[0].se_octets_in, 200, "octets in: one answer");
	CHECK_U64(e[0].se_packets_in, 1, "packets in");
	CHECK_U64(session_tick_us(T0, e[0].se_first), T0 + 4096,
	    "first packet time, to the 1024 us tick below it");
	CHECK(session_tick_us(T0, e[0].se_last) <= T0 + 3000000 &&
	    session_tick_us(T0, e[0].se_last) > T0 + 3000000 - 1024,
	    "last packet time within a tick");
	tt = session_table_totals(st);
	CHECK(tt->tt_remote.sc_octets_out == 160 &&
	    tt->tt_remote.sc_octets_in == 200 &&
	    tt->tt_remote.sc_packets_out == 2 &&
	    tt->tt_remote.sc_packets_in == 1, "window totals in and out");
	CHECK(tt->tt_by_proto[UDP].sc_octets_in == 200 &&
	    tt->tt_by_proto[UDP].sc_octets_out == 160 &&
	    tt->tt_by_proto[TCP].sc_octets_in == 0, "totals by protocol");
	CHECK(tt->tt_by_service[service("dns")].sc_packets_out == 2 &&
	    tt->tt_by_service[service("other")].sc_packets_out == 0,
	    "totals by service");

	q = fixture_pkt("2001:db8::5", 443, "2a00:1450::1", 50123, TCP, 1500);
	r = fixture_pkt("2a00:1450::1", 50123, "2001:db8::5", 443, TCP, 60);
	session_add_packet(st, &q, T0 + 10, 3);
	session_add_packet(st, &r, T0 + 20, 5);
	e = session_table_entries(st, &n);
	CHECK(n == 2 && addr_is(e[1].se_key.sk_local, "2001:db8::5") &&
	    e[1].se_key.sk_family == AF_INET6 && e[1].se_key.sk_port == 443 &&
	    e[1].se_service == service("www") &&
	    e[1].se_octets_out == 1500 && e[1].se_octets_in == 60,
	    "an IPv6 server session: both directions in one entry");
	CHECK(n == 2 && e[1].se_source == 3 && e[0].se_source == 0,
	    "a session keeps the capture source of its first packet");
	CHECK(session_add_packet(st, &q, T0 - 5000000, 0) == 0 &&
	    e[1].se_first == 0, "a packet dated before the window counts at "
	    "its start");
	check_sums(st, "two sessions");
	session_table_free(st);
}

static void
test_local_transit(void)
{
	struct session_table		*st = session_table_new(0, sv, ln, T0);
	const struct session_totals	*tt;
	const struct session		*e;
	struct decode_pkt		 p;
	size_t				 n;

	if (st == NULL)
		return;
	p = fixture_pkt("10.0.0.1", 40000, "10.0.0.2", 22, TCP, 100);
	session_add_packet(st, &p, T0, 0);
	p = fixture_pkt("10.0.0.2", 22, "10.0.0.1", 40000, TCP, 50);
	session_add_packet(st, &p, T0, 0);
	e = session_table_entries(st, &n);
	tt = session_table_totals(st);
	CHECK_U64(n, 0, "traffic between two local addresses makes no "
	    "session");
	CHECK(tt->tt_local_octets == 150 && tt->tt_local_packets == 2,
	    "it is counted in the local totals");
	CHECK(tt->tt_remote.sc_octets_in + tt->tt_remote.sc_octets_out == 0 &&
	    tt->tt_by_proto[TCP].sc_packets_in == 0 &&
	    tt->tt_by_service[service("ssh")].sc_packets_in == 0,
	    "and not in/out, nor by protocol or service");

	p = fixture_pkt("9.9.9.9", 80, "1.1.1.1", 33000, TCP, 700);
	session_add_packet(st, &p, T0, 0);
	p = fixture_pkt("1.1.1.1", 33000, "9.9.9.9", 80, TCP, 70);
	session_add_packet(st, &p, T0, 0);
	e = session_table_entries(st, &n);
	CHECK(n == 1 && (e[0].se_flags & SESSION_TRANSIT) &&
	    addr_is(e[0].se_key.sk_local, "1.1.1.1") &&
	    addr_is(e[0].se_key.sk_remote, "9.9.9.9"),
	    "transit traffic is one session, the lower address first");
	CHECK(e[0].se_octets_out == 70 && e[0].se_octets_in == 700 &&
	    e[0].se_key.sk_port == 80 && e[0].se_service == service("www"),
	    "in and out are relative to the lower address");
	CHECK(tt->tt_transit.sc_octets_in == 700 &&
	    tt->tt_transit.sc_octets_out == 70 &&
	    tt->tt_transit.sc_packets_in == 1 &&
	    tt->tt_remote.sc_packets_in == 0 &&
	    tt->tt_by_service[service("www")].sc_octets_in == 0,
	    "transit is counted apart from in/out and the service totals");
	check_sums(st, "local and transit");
	session_table_free(st);
}

static void
test_no_ports(void)
{
	struct session_table	*st = session_table_new(0, sv, ln, T0);
	const struct session	*e;
	struct decode_pkt	 p;
	size_t			 n;

	if (st == NULL)
		return;
	p = fixture_pkt("192.0.2.9", 80, "10.0.0.1", 40000, TCP, 1500);
	p.dp_flags |= DECODE_F_FRAGMENT;
	session_add_packet(st, &p, T0, 0);
	p.dp_flags = DECODE_F_FRAGMENT | DECODE_F_LATER_FRAGMENT;
	p.dp_sport = p.dp_dport = 0;
	p.dp_wire_len = 900;
	session_add_packet(st, &p, T0, 0);
	p = fixture_pkt("10.0.0.1", 0, "192.0.2.9", 0, ICMP, 98);
	session_add_packet(st, &p, T0, 0);
	p = fixture_pkt("10.0.0.1", 40000, "192.0.2.9", 80, TCP, 54);
	p.dp_flags = DECODE_F_L4_TRUNCATED;	/* ports cut by the snaplen */
	session_add_packet(st, &p, T0, 0);
	e = session_table_entries(st, &n);
	CHECK_U64(n, 3, "first fragment, later fragment, ICMP: three sessions");
	CHECK(n >= 1 && e[0].se_key.sk_port == 80 &&
	    e[0].se_service == service("www") && e[0].se_octets_in == 1500,
	    "the first fragment has its ports: www");
	CHECK(n >= 2 && e[1].se_key.sk_port == 0 &&
	    e[1].se_key.sk_proto == TCP &&
	    e[1].se_service == service("other") &&
	    addr_is(e[1].se_key.sk_local, "10.0.0.1") &&
	    addr_is(e[1].se_key.sk_remote, "192.0.2.9") &&
	    e[1].se_octets_in == 900 && e[1].se_octets_out == 54,
	    "a later fragment goes under the same addresses, port 0, other; "
	    "so does a packet whose ports were cut off");
	CHECK(n >= 3 && e[2].se_key.sk_proto == ICMP &&
	    e[2].se_key.sk_port == 0 && e[2].se_octets_out == 98,
	    "ICMP: port 0");
	p.dp_result = DECODE_TRUNCATED;
	CHECK(session_add_packet(st, &p, T0, 0) == -1,
	    "a packet that did not decode is refused");
	e = session_table_entries(st, &n);
	CHECK(n == 3 && e[1].se_octets_out == 54, "and counts nowhere");
	check_sums(st, "fragments");
	session_table_free(st);
}

static void
test_cap(void)
{
	struct session_table	*st = session_table_new(4, sv, ln, T0);
	const struct session	*e;
	struct decode_pkt	 p;
	char			 remote[32];
	size_t			 n, i;

	if (st == NULL)
		return;
	for (i = 0; i < 10; i++) {
		snprintf(remote, sizeof(remote), "203.0.113.%zu", i + 1);
		p = fixture_pkt("10.0.0.1", 443, remote, 40000, TCP,
		    (uint32_t)(100 + i));
		session_add_packet(st, &p, T0 + (int64_t)i * 1000000, 0);
	}
	p = fixture_pkt("203.0.113.1", 40000, "10.0.0.1", 443, TCP, 1000);
	session_add_packet(st, &p, T0 + 20000000, 0);
	e = session_table_entries(st, &n);
	CHECK_U64(session_table_count(st), 4, "a table capped at 4 holds 4");
	CHECK_U64(n, 5, "plus the overflow entry");
	CHECK(n == 5 && (e[4].se_flags & SESSION_OVERFLOW) &&
	    e[4].se_key.sk_family == 0 && e[4].se_key.sk_port == 0 &&
	    e[4].se_service == service("other"),
	    "the overflow entry: last, family 0, port 0, other");
	CHECK(n == 5 && e[4].se_octets_out == 104 + 105 + 106 + 107 + 108 + 109
	    && e[4].se_packets_out == 6, "the six sessions past the cap are "
	    "folded into it");
	CHECK(n == 5 && e[0].se_octets_in == 1000,
	    "a session already in the table still gets its packets");
	CHECK(n == 5 && session_tick_us(T0, e[4].se_first) <= T0 + 4000000 &&
	    session_tick_us(T0, e[4].se_last) > T0 + 8990000,
	    "the overflow entry spans its first and last folded packet");
	/* Linear counting over 4096 registers: 6 unless two of the six
	 * share a register (p < 0.4%), then 5. */
	CHECK(session_table_overflowed(st) >= 5 &&
	    session_table_overflowed(st) <= 6,
	    "six distinct sessions overflowed (estimate %llu)",
	    (unsigned long long)session_table_overflowed(st));
	CHECK_U64(session_table_totals(st)->tt_by_service[service("www")].
	    sc_octets_out, 100 + 101 + 102 + 103 + 104 + 105 + 106 + 107 +
	    108 + 109, "service totals include the folded sessions");
	check_sums(st, "capped at 4");

	session_table_clear(st, T0 + 30000000);
	e = session_table_entries(st, &n);
	CHECK(n == 0 && session_table_overflowed(st) == 0 &&
	    session_table_totals(st)->tt_remote.sc_packets_out == 0 &&
	    session_table_start(st) == T0 + 30000000,
	    "clear: no sessions, no overflow, zero totals, new start");
	p = fixture_pkt("10.0.0.1", 443, "203.0.113.9", 40000, TCP, 77);
	session_add_packet(st, &p, T0 + 30000000, 0);
	e = session_table_entries(st, &n);
	CHECK(n == 1 && e[0].se_octets_out == 77 && e[0].se_first == 0,
	    "after clear the table fills again");
	session_table_free(st);
}

/* 1,000,000 unique remote addresses against the default cap. */
static void
test_flood(void)
{
	const size_t			 flood = 1000000;
	struct session_table		*st;
	const struct session_totals	*tt;
	struct decode_pkt		 p;
	size_t				 i, n, mem;
	uint64_t			 octets = 0, over;
	uint32_t			 a;

	st = session_table_new(SESSION_MAX_DEFAULT, sv, ln, T0);
	if (st == NULL)
		return;
	p = fixture_pkt("10.0.0.1", 443, "0.0.0.0", 40000, TCP, 0);
	for (i = 0; i < flood; i++) {
		a = htonl(0x64000000u + (uint32_t)i);	/* 100.0.0.0 up */
		memcpy(p.dp_dst, &a, 4);
		p.dp_wire_len = 60 + (uint32_t)(i % 1400);
		octets += p.dp_wire_len;
		session_add_packet(st, &p, T0 + (int64_t)i, 0);
		if (session_table_count(st) > SESSION_MAX_DEFAULT)
			break;
	}
	tt = session_table_totals(st);
	session_table_entries(st, &n);
	CHECK_U64(session_table_count(st), SESSION_MAX_DEFAULT,
	    "a flood of 1,000,000 addresses fills the table to its cap");
	CHECK_U64(n, SESSION_MAX_DEFAULT + 1, "and no further (plus the "
	    "overflow entry)");
	CHECK_U64(tt->tt_remote.sc_octets_out, octets,
	    "the octet total is exact");
	CHECK_U64(tt->tt_remote.sc_packets_out, flood,
	    "the packet total is exact");
	check_sums(st, "the flood");
	over = session_table_overflowed(st);
	/* A HyperLogLog estimate: standard error about 1.6%, so allow five
	 * standard errors (8%) for a test that must not flake. */
	CHECK(over > 736000 && over < 864000, "overflowed sessions estimated "
	    "at %llu for 800000 (within 8%%, 5 standard errors)",
	    (unsigned long long)over);
	mem = session_table_memory(st);
	printf("# memory at the cap: %zu bytes, %.1f bytes a session\n", mem,
	    (double)mem / SESSION_MAX_DEFAULT);
	CHECK(mem <= (size_t)96 * SESSION_MAX_DEFAULT + 65536,
	    "at most 96 bytes a session when full (%.1f)",
	    (double)mem / SESSION_MAX_DEFAULT);
	session_table_free(st);
}

/* The batch path gives the table the one-by-one path gives: same
 * entries in the same order, same totals, through local, transit,
 * undecoded and overflowing packets and sessions created mid-batch. */
static void
test_batch(void)
{
	const size_t		 n = 60000;
	struct session_table	*one = session_table_new(3000, sv, ln, T0);
	struct session_table	*many = session_table_new(3000, sv, ln, T0);
	struct decode_pkt	*dp = calloc(n, sizeof(*dp));
	int64_t			*ts = calloc(n, sizeof(*ts));
	const struct session	*a, *b;
	size_t			 i, k, na, nb, bad = 0, bad_batch = 0;
	uint64_t		 s = 99, r;
	uint32_t		 x, y;

	if (one == NULL || many == NULL || dp == NULL || ts == NULL) {
		CHECK(0, "batch fixture");
		goto out;
	}
	for (i = 0; i < n; i++) {
		r = fixture_random(&s);
		/* 10.x local, 100.x remote: local, transit and remote mixed */
		x = (r & 3 ? 0x0a000000u : 0x64000000u) + (uint32_t)(r >> 8) % 5;
		y = ((r >> 2) & 3 ? 0x64000000u : 0x0a000000u) +
		    (uint32_t)(r >> 16) % 2500;
		dp[i] = fixture_pkt("0.0.0.0",
		    (uint16_t)(r >> 32) % 3 ? 443 : 40000, "0.0.0.0",
		    (uint16_t)(40000 + (r >> 36) % 4),
		    (r >> 40) & 1 ? TCP : UDP, 40 + (uint32_t)(r >> 48) % 1500);
		x = htonl(x);
		y = htonl(y);
		memcpy(dp[i].dp_src, &x, 4);
		memcpy(dp[i].dp_dst, &y, 4);
		if ((r >> 56) % 50 == 0)
			dp[i].dp_result = DECODE_TRUNCATED;
		ts[i] = T0 + (int64_t)i * 100 - (int64_t)((r >> 60) * 1000);
		bad += session_add_packet(one, &dp[i], ts[i], 0) < 0;
	}
	for (i = 0; i < n; i += k) {
		k = 1 + fixture_random(&s) % 100;
		if (k > n - i)
			k = n - i;
		bad_batch += session_add_batch(many, dp + i, ts + i, k, 0);
	}
	a = session_table_entries(one, &na);
	b = session_table_entries(many, &nb);
	CHECK(na == nb && na > 3000 && memcmp(a, b, na * sizeof(*a)) == 0,
	    "batches of 1..100 build the same %zu entries as one by one", na);
	CHECK(memcmp(session_table_totals(one), session_table_totals(many),
	    sizeof(struct session_totals)) == 0, "and the same totals");
	CHECK(bad == bad_batch && bad > 0, "and count the same %zu undecoded "
	    "packets", bad);
	check_sums(many, "batches");
out:
	session_table_free(one);
	session_table_free(many);
	free(dp);
	free(ts);
}

int
main(void)
{
	if (fixture_world(&sv, &ln, "10.0.0.0/8 2001:db8::/32") < 0) {
		CHECK(0, "fixture");
		return check_done();
	}
	test_both_directions();
	test_local_transit();
	test_no_ports();
	test_cap();
	test_flood();
	test_batch();
	fixture_world_free(sv, ln);
	return check_done();
}
