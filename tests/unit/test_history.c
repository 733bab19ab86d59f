/*
 * history: the ring keeps the last N rows with stable indices, finds rows
 * for GETNEXT, and builds the figure-2 columns from a rate sample.
 */
#include <string.h>

#include "check.h"
#include "traffic/history.h"

/* Three interfaces: lo (loopback) and two real ones. */
struct fixture {
	struct ps_iface		f_ifaces[3];
	struct rate_iface	f_rates[3];
	struct ps_sample	f_ps;
	struct rate_sample	f_rs;
};

static void
set_rate(struct rate_value *rv, uint64_t x100)
{
	rv->rv_x100 = x100;
	rv->rv_valid = 1;
}

/* Every rate valid and distinct, so a column fed from the wrong source
 * shows. */
static void
fixture_init(struct fixture *f)
{
	static const char	*names[] = { "lo", "eth0", "eth1" };
	size_t			 i;
	int			 fld, c;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < 3; i++) {
		strcpy(f->f_ifaces[i].pi_name, names[i]);
		f->f_ifaces[i].pi_ifindex = (unsigned)i + 1;
		f->f_rates[i].ri_ifindex = (unsigned)i + 1;
		/* lo 1000x, eth0 100x, eth1 10x the field number + 1 */
		for (fld = 0; fld < PS_DEV_NFIELDS; fld++)
			set_rate(&f->f_rates[i].ri_rate[fld],
			    (uint64_t)(fld + 1) * (i == 0 ? 1000 :
			    i == 1 ? 100 : 10));
	}
	f->f_ifaces[0].pi_loopback = 1;
	f->f_ps.ps_ifaces = f->f_ifaces;
	f->f_ps.ps_nifaces = f->f_ps.ps_ifaces_cap = 3;
	f->f_ps.ps_real.tv_sec = 1700000000;
	f->f_rs.rs_ifaces = f->f_rates;
	f->f_rs.rs_nifaces = 3;
	f->f_rs.rs_valid = 1;
	f->f_rs.rs_interval_ns = 5000000000u;
	for (c = 0; c < PS_NCOUNTERS; c++)
		set_rate(&f->f_rs.rs_counter[c], 7 + (uint64_t)c * 1000);
}

static void
test_columns(void)
{
	struct fixture		 f;
	struct history		*h = history_new(4);
	const struct hist_row	*row;

	fixture_init(&f);
	history_push(h, &f.f_ps, &f.f_rs);
	row = history_at(h, 0);
	CHECK(row != NULL && row->hr_index == 1,
	    "the first row gets index 1");
	if (row == NULL)
		goto out;
	CHECK(row->hr_valid, "a row of valid rates is valid");
	CHECK_U64(row->hr_time, 1700000000, "hr_time is ps_real's seconds");
	/* eth0 + eth1 only: (field+1) * (100 + 10); lo's 1000x left out. */
	CHECK_U64(row->hr_x100[HC_TX_OCTETS], (PS_TX_BYTES + 1) * 110,
	    "tx octets: sum over non-loopback interfaces");
	CHECK_U64(row->hr_x100[HC_RX_OCTETS], (PS_RX_BYTES + 1) * 110,
	    "rx octets: sum over non-loopback interfaces");
	CHECK_U64(row->hr_x100[HC_TX_PACKETS], (PS_TX_PACKETS + 1) * 110,
	    "tx packets from tx packets");
	CHECK_U64(row->hr_x100[HC_RX_PACKETS], (PS_RX_PACKETS + 1) * 110,
	    "rx packets from rx packets");
	CHECK_U64(row->hr_x100[HC_TX_ERRORS], (PS_TX_ERRS + 1) * 110,
	    "tx errors from tx errs");
	CHECK_U64(row->hr_x100[HC_RX_ERRORS], (PS_RX_ERRS + 1) * 110,
	    "rx errors from rx errs");
	CHECK_U64(row->hr_x100[HC_TX_DROPS], (PS_TX_DROP + 1) * 110,
	    "tx drops from tx drop");
	CHECK_U64(row->hr_x100[HC_RX_DROPS], (PS_RX_DROP + 1) * 110,
	    "rx drops from rx drop");
	CHECK_U64(row->hr_x100[HC_TCP_OUT], 7 + PS_TCP_OUTSEGS * 1000,
	    "TCP out is the OutSegs rate");
	CHECK_U64(row->hr_x100[HC_TCP_IN], 7 + PS_TCP_INSEGS * 1000,
	    "TCP in is the InSegs rate");
	CHECK_U64(row->hr_x100[HC_TCP_ERR], 7 + PS_TCP_INERRS * 1000,
	    "TCP err is the InErrs rate");
	CHECK_U64(row->hr_x100[HC_UDP_OUT], 7 + PS_UDP_OUTDATAGRAMS * 1000,
	    "UDP out is the OutDatagrams rate");
	CHECK_U64(row->hr_x100[HC_UDP_IN], 7 + PS_UDP_INDATAGRAMS * 1000,
	    "UDP in is the InDatagrams rate");
	CHECK_U64(row->hr_x100[HC_UDP_ERR], 7 + PS_UDP_INERRORS * 1000,
	    "UDP err is the InErrors rate");
	CHECK_U64(row->hr_x100[HC_CTXT], 7 + PS_SYS_CTXT * 1000,
	    "ctxt is the context-switch rate");
out:
	history_free(h);
}

static void
test_validity(void)
{
	struct fixture		 f;
	struct history		*h = history_new(8);
	const struct hist_row	*row;

	fixture_init(&f);
	f.f_rates[0].ri_rate[PS_RX_BYTES].rv_valid = 0;
	history_push(h, &f.f_ps, &f.f_rs);
	row = history_at(h, 0);
	CHECK(row != NULL && row->hr_valid,
	    "an invalid loopback rate does not spoil the row (not used)");

	f.f_rates[2].ri_rate[PS_TX_DROP].rv_valid = 0;
	history_push(h, &f.f_ps, &f.f_rs);
	row = history_at(h, 1);
	CHECK(row != NULL && !row->hr_valid,
	    "an invalid rate of a real interface makes the row invalid");

	fixture_init(&f);
	f.f_rs.rs_counter[PS_UDP_INERRORS].rv_valid = 0;
	history_push(h, &f.f_ps, &f.f_rs);
	row = history_at(h, 2);
	CHECK(row != NULL && !row->hr_valid,
	    "an invalid UDP InErrors rate makes the row invalid");

	fixture_init(&f);
	f.f_rs.rs_counter[PS_TCP_CURRESTAB].rv_valid = 0;
	f.f_rs.rs_counter[PS_TCP_RETRANSSEGS].rv_valid = 0;
	history_push(h, &f.f_ps, &f.f_rs);
	row = history_at(h, 3);
	CHECK(row != NULL && row->hr_valid,
	    "rates no column uses may be invalid");

	fixture_init(&f);
	f.f_rs.rs_valid = 0;
	history_push(h, &f.f_ps, &f.f_rs);
	row = history_at(h, 4);
	CHECK(row != NULL && !row->hr_valid && row->hr_index == 5,
	    "rs_valid 0 (first sample) gives an invalid row, index kept");

	fixture_init(&f);
	f.f_rs.rs_nifaces = 2;
	history_push(h, &f.f_ps, &f.f_rs);
	row = history_at(h, 5);
	CHECK(row != NULL && !row->hr_valid,
	    "rates from another sample (interface counts differ): invalid");

	fixture_init(&f);
	f.f_ps.ps_nifaces = f.f_rs.rs_nifaces = 0;
	history_push(h, &f.f_ps, &f.f_rs);
	row = history_at(h, 6);
	CHECK(row != NULL && row->hr_valid && row->hr_x100[HC_RX_OCTETS] == 0,
	    "no interfaces: a valid row of zero traffic");
	history_free(h);
}

static void
test_ring(void)
{
	struct fixture		 f;
	struct history		*h = history_new(3);
	const struct hist_row	*row;
	size_t			 pos = 99;
	int			 i;

	fixture_init(&f);
	CHECK(history_new(0) == NULL, "history_new(0) is refused");
	CHECK(h != NULL && history_capacity(h) == 3 && history_count(h) == 0,
	    "a new history is empty with its capacity");
	CHECK(history_at(h, 0) == NULL && history_find(h, 1, &pos) == NULL,
	    "an empty history has no row to find");
	for (i = 0; i < 5; i++) {
		f.f_ps.ps_real.tv_sec = 1000 + i;
		history_push(h, &f.f_ps, &f.f_rs);
	}
	CHECK_U64(history_count(h), 3, "after 5 pushes into 3: 3 rows");
	CHECK(history_at(h, 0)->hr_index == 3 &&
	    history_at(h, 1)->hr_index == 4 && history_at(h, 2)->hr_index == 5,
	    "wraparound keeps the last 3 rows, oldest first, indices 3..5");
	CHECK(history_at(h, 0)->hr_time == 1002 &&
	    history_at(h, 2)->hr_time == 1004,
	    "each index keeps the row pushed with it");
	CHECK(history_at(h, 3) == NULL, "history_at past the end is NULL");

	row = history_find(h, 1, &pos);
	CHECK(row != NULL && row->hr_index == 3 && pos == 0,
	    "find of a dropped index gives the oldest row (GETNEXT)");
	row = history_find(h, 0, &pos);
	CHECK(row != NULL && row->hr_index == 3 && pos == 0,
	    "find of index 0 gives the oldest row");
	row = history_find(h, 4, &pos);
	CHECK(row != NULL && row->hr_index == 4 && pos == 1,
	    "find of a present index gives that row");
	row = history_find(h, 5, NULL);
	CHECK(row != NULL && row->hr_index == 5,
	    "find of the newest index, pos not wanted");
	CHECK(history_find(h, 6, &pos) == NULL,
	    "find past the newest index is NULL");
	CHECK(history_find(h, UINT32_MAX, &pos) == NULL,
	    "find of the largest index is NULL");
	history_free(h);
	history_free(NULL);

	h = history_new(720);
	for (i = 0; i < 1000; i++)
		history_push(h, &f.f_ps, &f.f_rs);
	row = history_find(h, 500, &pos);
	CHECK(history_count(h) == 720 && history_at(h, 0)->hr_index == 281 &&
	    row != NULL && row->hr_index == 500 && pos == 219 &&
	    history_at(h, pos) == row,
	    "720 rows after 1000 pushes: 281..1000, find agrees with at");
	history_free(h);
}

int
main(void)
{
	test_columns();
	test_validity();
	test_ring();
	return check_done();
}
