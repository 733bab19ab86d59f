/*
 * Days: the list of UTC days with windows, and a page a day with its
 * per-window load and RTT, load statistics, top hosts and sessions,
 * services and processes.  A window's load is its octets over its length; the
 * statistics are over the day's windows (percentiles by nearest rank:
 * the value at position ceil(p * n) of the sorted loads).
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errbuf.h"
#include "report.h"

struct days {
	struct day_total	*d_v;
	int			 d_n;
};

static int
days_row(void *arg, int n, const char *const *v)
{
	struct days		*d = arg;
	struct day_total	*t;

	if (n < 6 || d->d_n >= REPORT_MAX_DAYS)
		return -1;
	t = &d->d_v[d->d_n++];
	t->dt_day = html_day_of(rdb_int(v[0]));
	t->dt_windows = rdb_int(v[1]);
	t->dt_seconds = rdb_int(v[2]);
	t->dt_in = rdb_int(v[3]);
	t->dt_out = rdb_int(v[4]);
	t->dt_peak = rdb_double(v[5]);
	return 0;
}

static void
day_page_name(char *buf, size_t len, int day)
{
	char	d[16];

	html_fmt_day(d, sizeof(d), day);
	snprintf(buf, len, "day-%s.html", d);
}

int
page_days(struct report *r, struct day_total **out, int *nout)
{
	struct days	 d;
	struct rq	 q;
	char		 name[64], day[16];
	FILE		*f;
	int		 i;

	if ((d.d_v = calloc(REPORT_MAX_DAYS, sizeof(*d.d_v))) == NULL)
		return errbuf_set(r->r_err, sizeof(r->r_err), "out of memory");
	d.d_n = 0;
	rq_init(&q);
	rq_add(&q, "SELECT start - start %% 86400, count(*), sum(length), "
	    "sum(octets_in), sum(octets_out), "
	    "max(CAST(octets_in + octets_out AS DOUBLE PRECISION) / length) "
	    "FROM windows WHERE length > 0 AND start >= ");
	rq_int(&q, r->r_from);
	rq_add(&q, " AND start < ");
	rq_int(&q, r->r_to);
	rq_agents(&q, r, "agent");
	rq_add(&q, " GROUP BY start - start %% 86400 ORDER BY 1");
	if (rdb_each(r->r_db, &q, days_row, &d, r->r_err, sizeof(r->r_err)) == -1)
		goto fail;
	if ((f = html_open(r, "days.html", "Days")) == NULL)
		goto fail;
	fprintf(f, "<table id=\"days\">\n<thead><tr><th>day (UTC)</th>"
	    "<th>window rows</th><th>seconds observed</th><th>octets in</th>"
	    "<th>octets out</th><th>mean load, octets/s</th>"
	    "<th>peak window load, octets/s</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < d.d_n; i++) {
		struct day_total *t = &d.d_v[i];

		day_page_name(name, sizeof(name), t->dt_day);
		html_fmt_day(day, sizeof(day), t->dt_day);
		fprintf(f, "<tr><td><a href=\"%s\">%s</a></td>", name, day);
		html_td_int(f, t->dt_windows);
		html_td_int(f, t->dt_seconds);
		html_td_int(f, t->dt_in);
		html_td_int(f, t->dt_out);
		html_td_num(f, t->dt_seconds ? (double)(t->dt_in + t->dt_out) /
		    (double)t->dt_seconds : NAN, 1);
		html_td_num(f, t->dt_peak, 1);
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</tbody>\n</table>\n");
	if (d.d_n == 0)
		fprintf(f, "<p>No windows in the period.</p>\n");
	if (html_close(r, f) == -1)
		goto fail;
	*out = d.d_v;
	*nout = d.d_n;
	return 0;
fail:
	free(d.d_v);
	return -1;
}

/* ---- a day's page --------------------------------------------------------- */

struct day_windows {
	int64_t	*w_start;
	double	*w_in, *w_out, *w_rtt;
	int	 w_n, w_cap;
	int64_t	 w_end;				/* the last window's end */
};

/* start, octets in, octets out, length, rtt_us (all sources summed) */
static int
window_row(void *arg, int n, const char *const *v)
{
	struct day_windows	*w = arg;
	int64_t			 len;

	if (n < 5 || w->w_n >= w->w_cap)
		return -1;
	len = rdb_int(v[3]);
	w->w_start[w->w_n] = rdb_int(v[0]);
	w->w_in[w->w_n] = len > 0 ? rdb_double(v[1]) / (double)len : NAN;
	w->w_out[w->w_n] = len > 0 ? rdb_double(v[2]) / (double)len : NAN;
	w->w_rtt[w->w_n] = v[4] ? rdb_double(v[4]) / 1000 : NAN;
	if (w->w_start[w->w_n] + len > w->w_end)
		w->w_end = w->w_start[w->w_n] + len;
	w->w_n++;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Mean, median, 95th percentile and max of v[n] (NaN skipped), into
 * st[4]; v is sorted in place. */
static void
load_stats(double *v, int n, double st[4])
{
	double	sum = 0;
	int	i, m = 0;

	for (i = 0; i < n; i++)
		if (!isnan(v[i]))
			v[m++] = v[i];
	if (m == 0) {
		st[0] = st[1] = st[2] = st[3] = NAN;
		return;
	}
	qsort(v, (size_t)m, sizeof(*v), cmp_double);
	for (i = 0; i < m; i++)
		sum += v[i];
	st[0] = sum / m;
	st[1] = v[(int)ceil(0.50 * m) - 1];
	st[2] = v[(int)ceil(0.95 * m) - 1];
	st[3] = v[m - 1];
}

static int
day_load(struct report *r, FILE *f, int64_t from, int64_t to)
{
	struct day_windows	 w;
	struct series		 s[2];
	struct rq		 q;
	double			*tmp = NULL, st[4];
	int64_t			 x0 = from, x1 = to;
	int			 i, j, rc = -1;
	const char		*row[3] = { "in", "out", "in + out" };

	memset(&w, 0, sizeof(w));
	/* a day of windows: one a second at most */
	w.w_cap = 86400;
	w.w_start = calloc((size_t)w.w_cap, sizeof(*w.w_start));
	w.w_in = calloc((size_t)w.w_cap, sizeof(double));
	w.w_out = calloc((size_t)w.w_cap, sizeof(double));
	w.w_rtt = calloc((size_t)w.w_cap, sizeof(double));
	tmp = calloc((size_t)w.w_cap, sizeof(double));
	if (w.w_start == NULL || w.w_in == NULL || w.w_out == NULL ||
	    w.w_rtt == NULL || tmp == NULL) {
		errbuf_set(r->r_err, sizeof(r->r_err), "out of memory");
		goto out;
	}
	rq_init(&q);
	rq_add(&q, "SELECT start, sum(octets_in), sum(octets_out), max(length), "
	    "avg(rtt_us) FROM windows WHERE start >= ");
	rq_int(&q, from);
	rq_add(&q, " AND start < ");
	rq_int(&q, to);
	rq_agents(&q, r, "agent");
	rq_add(&q, " GROUP BY start ORDER BY start");
	if (rdb_each(r->r_db, &q, window_row, &w, r->r_err, sizeof(r->r_err)) == -1)
		goto out;
	fprintf(f, "<h2>Load by window</h2>\n");
	/* the axis spans the windows (to 5 minutes), so that a day that
	 * began or ended late is not a sliver at one end */
	if (w.w_n > 0) {
		x0 = w.w_start[0] - w.w_start[0] % 300;
		x1 = w.w_end + (300 - w.w_end % 300) % 300;
		x0 = x0 < from ? from : x0;
		x1 = x1 > to ? to : x1;
	}
	/* from is the day's start: r_from is a day's too */
	if (x0 != from || x1 != to)
		fprintf(f, "<p>The windows span %02d:%02d to %02d:%02d UTC; the "
		    "charts show that span.</p>\n", (int)((x0 - from) / 3600),
		    (int)((x0 - from) % 3600 / 60), (int)((x1 - from) / 3600),
		    (int)((x1 - from) % 3600 / 60));
	s[0] = (struct series){ "in", "in", w.w_in };
	s[1] = (struct series){ "out", "out", w.w_out };
	svg_lines(f, "Load by window, in and out", w.w_start, w.w_n, x0, x1,
	    s, 2, "load, octets/s");
	fprintf(f, "<table id=\"load\">\n<thead><tr><th>window load, octets/s</th>"
	    "<th>mean</th><th>median</th><th>95th percentile</th><th>max</th>"
	    "</tr></thead>\n<tbody>\n");
	for (j = 0; j < 3; j++) {
		for (i = 0; i < w.w_n; i++)
			tmp[i] = j == 0 ? w.w_in[i] : j == 1 ? w.w_out[i] :
			    w.w_in[i] + w.w_out[i];
		load_stats(tmp, w.w_n, st);
		fprintf(f, "<tr><td>%s</td>", row[j]);
		for (i = 0; i < 4; i++)
			html_td_num(f, st[i], 3);
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</tbody>\n</table>\n<p>%d windows; statistics over the "
	    "windows' loads (octets over the window's length); percentiles by "
	    "nearest rank.</p>\n", w.w_n);
	fprintf(f, "<h2>Round-trip time</h2>\n");
	for (i = 0; i < w.w_n && isnan(w.w_rtt[i]); i++)
		;
	if (i == w.w_n)
		fprintf(f, "<p>No probe answered this day.</p>\n");
	else {
		s[0] = (struct series){ "mean probe RTT", "rtt", w.w_rtt };
		svg_lines(f, "Mean probe round-trip time by window", w.w_start,
		    w.w_n, x0, x1, s, 1, "RTT, ms");
	}
	rc = 0;
out:
	free(w.w_start);
	free(w.w_in);
	free(w.w_out);
	free(w.w_rtt);
	free(tmp);
	return rc;
}

struct day_tab {
	FILE	*dt_f;
	int	 dt_rank, dt_ncol, dt_textcols, dt_timecols;
};

/* A row of text columns (escaped), numbers, then dt_timecols times
 * (unix seconds shown as UTC). */
static int
tab_row(void *arg, int n, const char *const *v)
{
	struct day_tab	*t = arg;
	char		 buf[64];
	int		 i;

	if (n < t->dt_ncol)
		return -1;
	fprintf(t->dt_f, "<tr><td class=\"n\">%d</td>", ++t->dt_rank);
	for (i = 0; i < t->dt_ncol; i++) {
		if (i < t->dt_textcols) {
			fprintf(t->dt_f, "<td>");
			html_text(t->dt_f, v[i] ? v[i] : "-");
			fprintf(t->dt_f, "</td>");
		} else if (i >= t->dt_ncol - t->dt_timecols) {
			html_fmt_utc(buf, sizeof(buf), rdb_int(v[i]));
			fprintf(t->dt_f, "<td>%s</td>", buf + 11);
		} else
			html_td_int(t->dt_f, rdb_int(v[i]));
	}
	fprintf(t->dt_f, "</tr>\n");
	return 0;
}

static int
day_tops(struct report *r, FILE *f, int day, int64_t from, int64_t to)
{
	struct day_tab	t = { f, 0, 8, 2, 2 };
	struct rq	q;

	fprintf(f, "<h2>Top hosts</h2>\n<table id=\"tophosts\">\n<thead><tr>"
	    "<th>rank</th><th>host</th><th>name</th><th>octets in</th>"
	    "<th>octets out</th><th>packets in</th><th>packets out</th>"
	    "<th>first seen (UTC)</th><th>last seen (UTC)</th></tr></thead>\n<tbody>\n");
	rq_init(&q);
	rq_add(&q, "SELECT addr, max(name), sum(octets_in), sum(octets_out), "
	    "sum(packets_in), sum(packets_out), min(first_seen), max(last_seen) "
	    "FROM day_hosts WHERE day = ");
	rq_int(&q, day);
	rq_agents(&q, r, "agent");
	rq_add(&q, " GROUP BY addr ORDER BY sum(octets_in) + sum(octets_out) DESC, "
	    "addr LIMIT %d", REPORT_DAY_TOP);
	if (rdb_each(r->r_db, &q, tab_row, &t, r->r_err, sizeof(r->r_err)) == -1)
		return -1;
	fprintf(f, "</tbody>\n</table>\n");

	fprintf(f, "<h2>Top sessions</h2>\n<table id=\"topsessions\">\n<thead><tr>"
	    "<th>rank</th><th>local</th><th>remote</th><th>service</th>"
	    "<th>protocol</th><th>port</th><th>octets in</th><th>octets out</th>"
	    "<th>packets in</th><th>packets out</th><th>windows</th></tr></thead>\n"
	    "<tbody>\n");
	t = (struct day_tab){ f, 0, 10, 3, 0 };
	rq_init(&q);
	rq_add(&q, "SELECT local_addr, remote_addr, service, proto, port, "
	    "sum(octets_in), sum(octets_out), sum(packets_in), sum(packets_out), "
	    "count(*) FROM window_sessions WHERE start >= ");
	rq_int(&q, from);
	rq_add(&q, " AND start < ");
	rq_int(&q, to);
	rq_agents(&q, r, "agent");
	rq_add(&q, " GROUP BY local_addr, remote_addr, service, proto, port "
	    "ORDER BY sum(octets_in) + sum(octets_out) DESC, local_addr, "
	    "remote_addr, service, proto, port LIMIT %d", REPORT_DAY_TOP);
	if (rdb_each(r->r_db, &q, tab_row, &t, r->r_err, sizeof(r->r_err)) == -1)
		return -1;
	fprintf(f, "</tbody>\n</table>\n<p>A session's octets summed over the "
	    "windows in which it was among the top sessions kept.</p>\n");
	return 0;
}

int
page_day(struct report *r, const struct day_total *d)
{
	char	name[64], title[96], u[64], l[64];
	int64_t	from = html_day_start(d->dt_day), to = from + 86400;
	FILE	*f;

	day_page_name(name, sizeof(name), d->dt_day);
	html_fmt_day(u, sizeof(u), d->dt_day);
	snprintf(title, sizeof(title), "Day %s", u);
	if ((f = html_open(r, name, title)) == NULL)
		return -1;
	html_fmt_utc(u, sizeof(u), from);
	html_fmt_local(l, sizeof(l), from);
	fprintf(f, "<p>From %s UTC (%s) for 24 hours: ", u, l);
	fprintf(f, "%" PRId64 " octets in, %" PRId64 " octets out.</p>\n",
	    d->dt_in, d->dt_out);
	if (from < r->r_from)
		from = r->r_from;
	if (to > r->r_to)
		to = r->r_to;
	if (day_load(r, f, from, to) == -1 ||
	    day_tops(r, f, d->dt_day, from, to) == -1)
		goto fail;
	fprintf(f, "<h2>Services</h2>\n");
	if (page_services_section(r, f, from, to, "services") == -1)
		goto fail;
	fprintf(f, "<h2>Processes</h2>\n");
	if (page_processes_section(r, f, from, to, "processes",
	    REPORT_DAY_TOP) == -1)
		goto fail;
	return html_close(r, f);
fail:
	fclose(f);
	return -1;
}
