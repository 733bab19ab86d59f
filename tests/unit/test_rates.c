/*
 * rates: rate_of's arithmetic against values worked out by hand, and
 * rates_compute's matching of interfaces and counters between samples.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "traffic/rates.h"

#define S	UINT64_C(1000000000)	/* one second in ns */

static void
test_rate_of(void)
{
	struct rate_value	rv;

	rv = rate_of(1000, 6000, 5 * S);
	CHECK(rv.rv_valid && rv.rv_x100 == 100000,
	    "rate_of: 5000 over 5 s is 1000/s = 100000 hundredths");
	rv = rate_of(0, 1, 3 * S);
	CHECK(rv.rv_valid && rv.rv_x100 == 33, "rate_of: 1/3 s rounds to 0.33");
	rv = rate_of(0, 2, 3 * S);
	CHECK(rv.rv_valid && rv.rv_x100 == 67, "rate_of: 2/3 s rounds to 0.67");
	rv = rate_of(7, 7, S);
	CHECK(rv.rv_valid && rv.rv_x100 == 0,
	    "rate_of: an unchanged counter is a valid 0");
	rv = rate_of(500, 499, S);
	CHECK(!rv.rv_valid, "rate_of: a counter going backwards is invalid");
	rv = rate_of(UINT32_MAX - 10, 20, 5 * S);
	CHECK(!rv.rv_valid, "rate_of: a 32-bit wrap is invalid, not a spike");
	rv = rate_of(0, 100, 0);
	CHECK(!rv.rv_valid, "rate_of: a zero interval is invalid");
	rv = rate_of(UINT64_MAX - 10 * S, UINT64_MAX, 10 * S);
	CHECK(rv.rv_valid && rv.rv_x100 == 100 * S,
	    "rate_of: values near 2^64 give 1e9/s exactly");
	/* (2^64-1) / 1000 s = 18446744073709551.615/s = x100 ...161.5 */
	rv = rate_of(0, UINT64_MAX, 1000 * S);
	CHECK(rv.rv_valid && rv.rv_x100 == UINT64_C(1844674407370955162),
	    "rate_of: a 2^64 delta times 1e11 does not overflow");
	rv = rate_of(0, UINT64_MAX, 1);
	CHECK(!rv.rv_valid, "rate_of: a rate beyond 2^64 hundredths is invalid");
	rv = rate_of(0, 3, 1500000000);
	CHECK(rv.rv_valid && rv.rv_x100 == 200,
	    "rate_of: sub-second interval parts count (3 over 1.5 s)");
}

/* A sample taken at sec.nsec with interfaces names[i] of index[i]. */
static void
sample(struct ps_sample *ps, time_t sec, long nsec, const char **names,
    const unsigned *index, size_t n)
{
	size_t	i;

	procstat_sample_init(ps);
	ps->ps_mono.tv_sec = sec;
	ps->ps_mono.tv_nsec = nsec;
	ps->ps_ifaces = calloc(n ? n : 1, sizeof(*ps->ps_ifaces));
	ps->ps_nifaces = ps->ps_ifaces_cap = n;
	for (i = 0; i < n; i++) {
		strcpy(ps->ps_ifaces[i].pi_name, names[i]);
		ps->ps_ifaces[i].pi_ifindex = index[i];
		ps->ps_ifaces[i].pi_have = (1u << PS_DEV_NFIELDS) - 1;
	}
}

static void
set_counter(struct ps_sample *ps, enum ps_counter c, uint64_t v)
{
	ps->ps_counter[c] = v;
	ps->ps_have |= UINT64_C(1) << c;
}

static void
test_compute_normal(void)
{
	const char		*names[] = { "lo", "eth0" };
	unsigned		 index[] = { 1, 2 };
	struct ps_sample	 prev, cur;
	struct rate_sample	 rs;
	struct rate_iface	*eth0;

	memset(&rs, 0, sizeof(rs));
	sample(&prev, 100, 0, names, index, 2);
	sample(&cur, 105, 500000000, names, index, 2);
	prev.ps_ifaces[1].pi_field[PS_RX_BYTES] = 1000;
	cur.ps_ifaces[1].pi_field[PS_RX_BYTES] = 12000;
	prev.ps_ifaces[1].pi_field[PS_TX_BYTES] = 5000;
	cur.ps_ifaces[1].pi_field[PS_TX_BYTES] = 4000;
	set_counter(&prev, PS_TCP_INSEGS, 100);
	set_counter(&cur, PS_TCP_INSEGS, 650);
	set_counter(&prev, PS_TCP_CURRESTAB, 3);
	set_counter(&cur, PS_TCP_CURRESTAB, 14);
	set_counter(&cur, PS_UDP_INDATAGRAMS, 10);

	CHECK(rates_compute(&rs, &prev, &cur) == 0, "rates_compute succeeds");
	CHECK(rs.rs_valid && rs.rs_interval_ns == 5500000000u,
	    "rates_compute: interval is cur - prev monotonic, 5.5 s");
	CHECK(rs.rs_nifaces == 2 && rs.rs_ifaces[0].ri_ifindex == 1 &&
	    rs.rs_ifaces[1].ri_ifindex == 2,
	    "rates_compute: one rate_iface per current interface, in order");
	eth0 = &rs.rs_ifaces[1];
	CHECK(eth0->ri_rate[PS_RX_BYTES].rv_valid &&
	    eth0->ri_rate[PS_RX_BYTES].rv_x100 == 200000,
	    "rates_compute: 11000 bytes over 5.5 s is 2000/s");
	CHECK(!eth0->ri_rate[PS_TX_BYTES].rv_valid,
	    "rates_compute: an interface counter going backwards is invalid");
	CHECK(eth0->ri_rate[PS_RX_PACKETS].rv_valid &&
	    eth0->ri_rate[PS_RX_PACKETS].rv_x100 == 0,
	    "rates_compute: other fields of that interface stay valid");
	CHECK(rs.rs_counter[PS_TCP_INSEGS].rv_valid &&
	    rs.rs_counter[PS_TCP_INSEGS].rv_x100 == 10000,
	    "rates_compute: 550 segments over 5.5 s is 100/s");
	CHECK(!rs.rs_counter[PS_TCP_CURRESTAB].rv_valid,
	    "rates_compute: CurrEstab is a gauge, its rate is invalid");
	CHECK(!rs.rs_counter[PS_UDP_INDATAGRAMS].rv_valid,
	    "rates_compute: a counter absent from prev is invalid");
	CHECK(!rs.rs_counter[PS_SYS_CTXT].rv_valid,
	    "rates_compute: a counter absent from both is invalid");

	/* Reuse of rs with a different interface count must not leak. */
	CHECK(rates_compute(&rs, NULL, &prev) == 0 && !rs.rs_valid &&
	    rs.rs_nifaces == 2 && !rs.rs_ifaces[1].ri_rate[PS_RX_BYTES].rv_valid,
	    "rates_compute: no prev (first sample) makes every rate invalid");
	cur.ps_nifaces = 0;
	CHECK(rates_compute(&rs, &prev, &cur) == 0 && rs.rs_nifaces == 0 &&
	    rs.rs_valid, "rates_compute: a sample with no interfaces");
	rates_free(&rs);
	rates_free(&rs);
	procstat_sample_free(&prev);
	procstat_sample_free(&cur);
}

static void
test_compute_ifaces(void)
{
	const char		*pnames[] = { "lo", "eth0", "eth1" };
	unsigned		 pindex[] = { 1, 2, 3 };
	/* eth1 came back as 7, index 3 went to veth3, wlan0 is new. */
	const char		*cnames[] = { "lo", "eth0", "veth3", "wlan0", "eth1" };
	unsigned		 cindex[] = { 1, 2, 3, 4, 7 };
	struct ps_sample	 prev, cur;
	struct rate_sample	 rs;
	size_t			 i;

	memset(&rs, 0, sizeof(rs));
	sample(&prev, 10, 0, pnames, pindex, 3);
	sample(&cur, 15, 0, cnames, cindex, 5);
	for (i = 0; i < 3; i++)
		prev.ps_ifaces[i].pi_field[PS_RX_BYTES] = 100;
	for (i = 0; i < 5; i++)
		cur.ps_ifaces[i].pi_field[PS_RX_BYTES] = 600;
	cur.ps_ifaces[1].pi_have &= ~(1u << PS_TX_COLLS);

	CHECK(rates_compute(&rs, &prev, &cur) == 0 && rs.rs_valid,
	    "rates_compute with interfaces coming and going");
	CHECK(rs.rs_ifaces[0].ri_rate[PS_RX_BYTES].rv_valid &&
	    rs.rs_ifaces[0].ri_rate[PS_RX_BYTES].rv_x100 == 10000 &&
	    rs.rs_ifaces[1].ri_rate[PS_RX_BYTES].rv_valid,
	    "interfaces present in both samples get rates (100/s)");
	CHECK(!rs.rs_ifaces[2].ri_rate[PS_RX_BYTES].rv_valid,
	    "an index reused by another name is no match: invalid");
	CHECK(!rs.rs_ifaces[3].ri_rate[PS_RX_BYTES].rv_valid,
	    "a new interface has invalid rates");
	CHECK(!rs.rs_ifaces[4].ri_rate[PS_RX_BYTES].rv_valid &&
	    rs.rs_ifaces[4].ri_ifindex == 7,
	    "an interface that vanished and returned with a new index: invalid");
	CHECK(!rs.rs_ifaces[1].ri_rate[PS_TX_COLLS].rv_valid,
	    "a field the current sample lacks has an invalid rate");
	rates_free(&rs);
	procstat_sample_free(&prev);
	procstat_sample_free(&cur);
}

static void
test_compute_interval(void)
{
	const char		*names[] = { "eth0" };
	unsigned		 index[] = { 2 };
	struct ps_sample	 prev, cur;
	struct rate_sample	 rs;

	memset(&rs, 0, sizeof(rs));
	sample(&prev, 50, 250, names, index, 1);
	sample(&cur, 50, 250, names, index, 1);
	set_counter(&prev, PS_SYS_CTXT, 1);
	set_counter(&cur, PS_SYS_CTXT, 2);
	cur.ps_ifaces[0].pi_field[PS_RX_BYTES] = 10;
	CHECK(rates_compute(&rs, &prev, &cur) == 0 && !rs.rs_valid &&
	    rs.rs_interval_ns == 0,
	    "a zero interval makes the rate sample invalid");
	CHECK(!rs.rs_counter[PS_SYS_CTXT].rv_valid &&
	    !rs.rs_ifaces[0].ri_rate[PS_RX_BYTES].rv_valid,
	    "a zero interval makes every rate invalid");
	cur.ps_mono.tv_sec = 49;
	CHECK(rates_compute(&rs, &prev, &cur) == 0 && !rs.rs_valid,
	    "a monotonic clock going backwards is an invalid interval");
	cur.ps_mono.tv_sec = 51;
	cur.ps_mono.tv_nsec = 0;
	CHECK(rates_compute(&rs, &prev, &cur) == 0 &&
	    rs.rs_interval_ns == S - 250,
	    "nanosecond borrow across a second boundary");
	rates_free(&rs);
	procstat_sample_free(&prev);
	procstat_sample_free(&cur);
}

int
main(void)
{
	test_rate_of();
	test_compute_normal();
	test_compute_ifaces();
	test_compute_interval();
	return check_done();
}
