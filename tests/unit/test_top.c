/*
 * coremon-top's formatting and grid (top/tfmt.c, top/grid.c): every scaled
 * rate read back by coremon.conf's own parser (src/lib/units.c), RFC 2579
 * DateAndTime against dates worked out by hand, InetAddress indexes, and
 * the grid's sort, filter and cut cells.
 */
#include <math.h>
#include <string.h>

#include "check.h"
#include "grid.h"
#include "lib/units.h"
#include "tfmt.h"

/* tfmt's text without its blank, as coremon.conf writes a rate. */
static int
parse_back(const char *shown, uint64_t *bytes)
{
	char buf[64], err[128];
	size_t i, j = 0;

	for (i = 0; shown[i] && j + 1 < sizeof(buf); i++)
		if (shown[i] != ' ')
			buf[j++] = shown[i];
	buf[j] = '\0';
	return units_rate(buf, bytes, err, sizeof(err));
}

static void
test_rates(void)
{
	static const double v[] = { 1, 999, 999.4, 999.96, 1000, 1234,
	    99949, 99951, 999949, 1e6, 4.2e6, 1.25e8, 9.99e8, 1e9, 3.3e9 };
	char b[32];
	uint64_t got;
	size_t i;
	int bits;

	for (bits = 0; bits <= 1; bits++)
		for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			double want = bits ? v[i] * 8 : v[i];

			tfmt_rate(v[i], bits, b, sizeof(b));
			/* Three significant digits: within 0.5% (or 0.5 under
			 * the first unit). */
			CHECK(parse_back(b, &got) == 0 &&
			    fabs((double)got * (bits ? 8 : 1) - want) <= fmax(0.5 * (bits ? 8 : 1), want * 0.005),
			    "%.2f B/s shown as \"%s\" reads back as %llu %s by units_rate",
			    v[i], b, (unsigned long long)got, "bytes/s");
		}
	tfmt_rate(0, 0, b, sizeof(b));
	CHECK(strcmp(b, "0 B/s") == 0,
	    "nothing is \"0 B/s\" (%s; units_rate refuses a zero threshold)",
	    b);
	tfmt_rate(999.96, 0, b, sizeof(b));
	CHECK(strcmp(b, "1.00 kB/s") == 0,
	    "999.96 B/s is \"1.00 kB/s\", never \"1000 B/s\" (%s)", b);
	tfmt_rate(125e6, 1, b, sizeof(b));
	CHECK(strcmp(b, "1.00 Gbit/s") == 0,
	    "125 MB/s in bits is \"1.00 Gbit/s\" (%s)", b);
	tfmt_bytes(14.1e9, b, sizeof(b));
	CHECK(strcmp(b, "14.1 GB") == 0, "14.1e9 octets are \"14.1 GB\" (%s)",
	    b);
}

static void
test_dateandtime(void)
{
	/* RFC 2579's own example: 1992-5-26,13:30:15.0,-4:0. */
	static const char rfc[] = { 0x07, (char)0xc8, 5, 26, 13, 30, 15, 0, '-',
	    4, 0 };
	static const char y2k[] = { 0x07, (char)0xd0, 1, 1, 0, 0, 0, 3 };
	static const char east[] = { 0x07, (char)0xd0, 1, 1, 2, 0, 0, 0, '+', 2,
	    0 };

	CHECK(fabs(tfmt_dateandtime(rfc, sizeof(rfc)) - 706901415.0) < 1e-6,
	    "RFC 2579's example, local time 4 h behind UTC, is 706901415 (%.1f)",
	    tfmt_dateandtime(rfc, sizeof(rfc)));
	CHECK(fabs(tfmt_dateandtime(y2k, sizeof(y2k)) - 946684800.3) < 1e-6,
	    "2000-01-01 00:00:00.3 UTC, 8 octets, is 946684800.3");
	CHECK(fabs(tfmt_dateandtime(east, sizeof(east)) - 946684800.0) < 1e-6,
	    "02:00 at +2:00 is midnight UTC");
	CHECK(tfmt_dateandtime(y2k, 7) < 0 && tfmt_dateandtime(NULL, 0) < 0,
	    "7 octets or none are no DateAndTime");
}

static void
test_inet(void)
{
	static const unsigned long v4[] = { 1, 4, 10, 1, 0, 1, 443 };
	static const unsigned long v6[] = { 2, 16, 0x20, 1, 0x0d, 0xb8, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const unsigned long bad[] = { 1, 17, 1, 2, 3 };
	char addr[16], text[64];
	size_t len, n;
	int type;

	n = tfmt_inet_index(v4, 7, &type, addr, &len);
	tfmt_inet(type, addr, len, text, sizeof(text));
	CHECK(n == 6 && strcmp(text, "10.1.0.1") == 0,
	    "index 1.4.10.1.0.1 is 10.1.0.1 in 6 sub-identifiers (%s, %zu)",
	    text, n);
	n = tfmt_inet_index(v6, 18, &type, addr, &len);
	tfmt_inet(type, addr, len, text, sizeof(text));
	CHECK(n == 18 && strcmp(text, "2001:db8::1") == 0,
	    "an IPv6 index is 2001:db8::1 (%s)", text);
	CHECK(tfmt_inet_index(bad, 5, &type, addr, &len) == 0,
	    "a length over 16 is refused");
	CHECK(tfmt_inet_index(v4, 4, &type, addr, &len) == 0,
	    "an index shorter than its length is refused");
	tfmt_inet(1, addr, 16, text, sizeof(text));
	CHECK(strcmp(text, "-") == 0, "type ipv4 with 16 octets is shown as -");
}

static void
test_grid(void)
{
	static const struct grid_col cols[] = {
		{ "Host", 10, 1, 0 }, { "Rate", 6, 0, 1 },
	};
	static const char *const host[] = { "10.1.0.1", "2001:db8:1::32",
	    "10.1.0.2", "10.1.0.3" };
	static const double rate[] = { 5, 7, 5, 1 };
	struct screen s = { 0 };
	struct grid g;
	size_t i;

	grid_init(&g, cols, 2);
	for (i = 0; i < 4; i++) {
		struct grid_row *r = grid_add(&g);

		grid_set(r, 0, 0, "%s", host[i]);
		grid_set(r, 1, rate[i], "%.0f", rate[i]);
	}
	grid_sort(&g, 1, 1);
	CHECK(strcmp(g.g_rows[0].gr_cell[0], "2001:db8:1::32") == 0 &&
	    strcmp(g.g_rows[1].gr_cell[0], "10.1.0.1") == 0 &&
	    strcmp(g.g_rows[2].gr_cell[0], "10.1.0.2") == 0 &&
	    strcmp(g.g_rows[3].gr_cell[0], "10.1.0.3") == 0,
	    "sorted by rate, largest first; ties in the agent's order");
	grid_sort(&g, 0, 0);
	CHECK(strcmp(g.g_rows[0].gr_cell[0], "10.1.0.1") == 0 &&
	    strcmp(g.g_rows[3].gr_cell[0], "2001:db8:1::32") == 0,
	    "sorted by host as text");

	/* 20 columns: the host column gets 13 of them, the IPv6 address is cut. */
	screen_reset(&s, 20, 1);
	grid_render(&g, &s, 1, 1, 0, 10, -1);
	CHECK(s.s_count == 5 && strstr(s.s_lines[0].sl_text, "Rate*") != NULL,
	    "the header and 4 rows, the sort column marked (%s)",
	    s.s_lines[0].sl_text);
	CHECK(strncmp(s.s_lines[4].sl_text, "2001:db8:1::~", 13) == 0,
	    "a cut address ends in ~ (%s)", s.s_lines[4].sl_text);
	for (i = 0; i < s.s_count; i++)
		CHECK(strlen(s.s_lines[i].sl_text) <= 20,
		    "line %zu fits 20 columns", i);

	grid_filter(&g, "DB8");
	CHECK(g.g_count == 1 &&
	    strcmp(g.g_rows[0].gr_cell[0], "2001:db8:1::32") == 0,
	    "the filter keeps rows holding the text, case ignored");
	grid_filter(&g, "");
	CHECK(g.g_count == 1, "an empty filter keeps all");
	grid_clear(&g);
	screen_free(&s);
}

int
main(void)
{
	test_rates();
	test_dateandtime();
	test_inet();
	test_grid();
	return check_done();
}
