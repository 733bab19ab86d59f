/*
 * The overview (the paper's "generalised indicators") and the services
 * page, and the site's style sheet.
 *
 * Load is octets over the seconds the windows observed; the peak is the
 * busiest window's octets over its length.  An outage is a run of a
 * probe's windows in which it sent and nothing answered (a window
 * without rows, coremond not running, neither breaks nor extends one);
 * its time is the windows' lengths.  Availability is 1 - down time /
 * probed time, over the windows in which the probe sent.
 */
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errbuf.h"
#include "report.h"

static const char style_css[] =
	":root { --bg: #ffffff; --fg: #1d1d1f; --muted: #5f6368; --grid: #dadce0;\n"
	"  --in: #1a73e8; --out: #e8710a; --rtt: #188038; --row: #f1f3f4; }\n"
	"@media (prefers-color-scheme: dark) {\n"
	"  :root { --bg: #17181a; --fg: #e8eaed; --muted: #9aa0a6; --grid: #3c4043;\n"
	"    --in: #8ab4f8; --out: #fcad70; --rtt: #81c995; --row: #202124; } }\n"
	"body { background: var(--bg); color: var(--fg); margin: 1em 2em;\n"
	"  font: 15px/1.4 system-ui, sans-serif; }\n"
	"a { color: var(--in); }\n"
	"nav a { margin-right: 1em; } nav a.current { font-weight: bold; }\n"
	".period, footer { color: var(--muted); }\n"
	"table { border-collapse: collapse; margin: 0.5em 0 1.5em; }\n"
	"th, td { padding: 0.15em 0.6em; text-align: left; }\n"
	"th { border-bottom: 1px solid var(--grid); }\n"
	"tbody tr:nth-child(even) { background: var(--row); }\n"
	"td.n { text-align: right; font-variant-numeric: tabular-nums; }\n"
	"svg.chart { max-width: 100%; height: auto; display: block; }\n"
	"svg text { fill: var(--fg); font-size: 12px; }\n"
	"svg .tick { fill: var(--muted); }\n"
	"svg .grid { stroke: var(--grid); stroke-width: 1; }\n"
	"svg .axis { stroke: var(--fg); stroke-width: 1; }\n"
	"svg rect.in { fill: var(--in); } svg rect.out { fill: var(--out); }\n"
	"svg rect.rtt { fill: var(--rtt); }\n"
	"svg polyline { fill: none; stroke-width: 1.2; }\n"
	"svg polyline.in { stroke: var(--in); } svg polyline.out { stroke: var(--out); }\n"
	"svg polyline.rtt { stroke: var(--rtt); }\n"
	"svg circle.in { fill: var(--in); } svg circle.out { fill: var(--out); }\n"
	"svg circle.rtt { fill: var(--rtt); }\n"
	"form label { margin-right: 1em; }\n"
	"main { overflow-x: auto; }\n";

int
page_style(struct report *r)
{
	FILE	*f;

	if ((f = html_site_open(r, "style.css")) == NULL)
		return -1;
	fputs(style_css, f);
	return html_site_close(r, f, "style.css");
}

/* ---- links: per agent and capture source ---------------------------------- */

struct link {
	char	 l_agent[RQ_PARAM_LEN], l_source[RQ_PARAM_LEN];
	int64_t	 l_windows, l_seconds, l_in, l_out, l_pin, l_pout, l_drops;
	double	 l_peak_in, l_peak_out, l_rtt;
	int	 l_rtt_windows;
	int64_t	 l_days;			/* UTC days with windows */
};

struct links {
	struct link	*ls_v;
	int		 ls_n, ls_cap;
};

static int
links_row(void *arg, int n, const char *const *v)
{
	struct links	*ls = arg;
	struct link	*l;

	if (n < 14)
		return -1;
	if (ls->ls_n == ls->ls_cap) {
		int	 cap = ls->ls_cap ? ls->ls_cap * 2 : 8;
		void	*p;

		if (cap > 4096)			/* links are few */
			return -1;
		if ((p = realloc(ls->ls_v, (size_t)cap * sizeof(*l))) == NULL)
			return -1;
		ls->ls_v = p;
		ls->ls_cap = cap;
	}
	l = &ls->ls_v[ls->ls_n++];
	memset(l, 0, sizeof(*l));
	snprintf(l->l_agent, sizeof(l->l_agent), "%s", v[0] ? v[0] : "");
	snprintf(l->l_source, sizeof(l->l_source), "%s", v[1] ? v[1] : "");
	l->l_windows = rdb_int(v[2]);
	l->l_seconds = rdb_int(v[3]);
	l->l_in = rdb_int(v[4]);
	l->l_out = rdb_int(v[5]);
	l->l_pin = rdb_int(v[6]);
	l->l_pout = rdb_int(v[7]);
	l->l_drops = rdb_int(v[8]);
	l->l_peak_in = rdb_double(v[9]);
	l->l_peak_out = rdb_double(v[10]);
	l->l_rtt = v[11] ? rdb_double(v[11]) / 1000 : NAN;
	l->l_rtt_windows = (int)rdb_int(v[12]);
	l->l_days = rdb_int(v[13]);
	return 0;
}

/* The link's speed in octets/s: --link-speed SOURCE=MBIT, else /sys when
 * the source is one of this machine's interfaces; NaN when unknown. */
static double
link_speed(const struct report *r, const char *source)
{
	char	path[512];
	FILE	*f;
	long	mbit = -1;
	size_t	len = strlen(source);
	int	i;

	for (i = 0; i < r->r_nspeeds; i++)
		if (strncmp(r->r_speeds[i], source, len) == 0 &&
		    r->r_speeds[i][len] == '=')
			return strtod(r->r_speeds[i] + len + 1, NULL) * 125000.0;
	if (strchr(source, '/') != NULL || len > 64)
		return NAN;			/* a replayed file */
	snprintf(path, sizeof(path), "/sys/class/net/%s/speed", source);
	if ((f = fopen(path, "r")) == NULL)
		return NAN;
	if (fscanf(f, "%ld", &mbit) != 1)
		mbit = -1;
	fclose(f);
	return mbit > 0 ? mbit * 125000.0 : NAN;
}

static void
td_load(FILE *f, double v, double speed)
{
	if (isnan(speed))
		fprintf(f, "<td class=\"n\">%.1f</td>", v);
	else
		fprintf(f, "<td class=\"n\">%.1f (%.2f%%)</td>", v,
		    100 * v / speed);
}

static int
overview_links(struct report *r, FILE *f)
{
	struct links	 ls = { NULL, 0, 0 };
	struct rq	 q;
	int		 i;

	rq_init(&q);
	rq_add(&q, "SELECT agent, source, count(*), sum(length), sum(octets_in), "
	    "sum(octets_out), sum(packets_in), sum(packets_out), sum(drops), "
	    "max(CAST(octets_in AS DOUBLE PRECISION) / length), "
	    "max(CAST(octets_out AS DOUBLE PRECISION) / length), "
	    "avg(rtt_us), count(rtt_us), count(DISTINCT start - start %% 86400) "
	    "FROM windows WHERE length > 0 AND start >= ");
	rq_int(&q, r->r_from);
	rq_add(&q, " AND start < ");
	rq_int(&q, r->r_to);
	rq_agents(&q, r, "agent");
	rq_add(&q, " GROUP BY agent, source ORDER BY agent, source");
	if (rdb_each(r->r_db, &q, links_row, &ls, r->r_err, sizeof(r->r_err)) == -1) {
		free(ls.ls_v);
		return -1;
	}
	fprintf(f, "<h2>Load by agent and link</h2>\n");
	if (ls.ls_n == 0)
		fprintf(f, "<p>No windows in the period.</p>\n");
	fprintf(f, "<table id=\"links\">\n<thead><tr><th>agent</th><th>link</th>"
	    "<th>windows</th><th>seconds observed</th><th>octets in</th>"
	    "<th>octets out</th><th>days</th><th>octets in a day</th>"
	    "<th>octets out a day</th>"
	    "<th>mean load in, octets/s</th><th>mean load out, octets/s</th>"
	    "<th>peak load in, octets/s</th><th>peak load out, octets/s</th>"
	    "<th>mean RTT, ms</th><th>kernel drops</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < ls.ls_n; i++) {
		struct link	*l = &ls.ls_v[i];
		double		 speed = link_speed(r, l->l_source);

		fprintf(f, "<tr><td>");
		html_text(f, l->l_agent);
		fprintf(f, "</td><td>");
		html_text(f, l->l_source);
		fprintf(f, "</td>");
		html_td_int(f, l->l_windows);
		html_td_int(f, l->l_seconds);
		html_td_int(f, l->l_in);
		html_td_int(f, l->l_out);
		/* a day: over the link's days with windows */
		html_td_int(f, l->l_days);
		html_td_num(f, l->l_days > 0 ? (double)l->l_in / (double)l->l_days : NAN, 0);
		html_td_num(f, l->l_days > 0 ? (double)l->l_out / (double)l->l_days : NAN, 0);
		td_load(f, l->l_seconds ? (double)l->l_in / l->l_seconds : 0, speed);
		td_load(f, l->l_seconds ? (double)l->l_out / l->l_seconds : 0, speed);
		td_load(f, l->l_peak_in, speed);
		td_load(f, l->l_peak_out, speed);
		html_td_num(f, l->l_rtt, 3);
		html_td_int(f, l->l_drops);
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</tbody>\n</table>\n<p>Octets in: sent by remote hosts to "
	    "local ones; out: the other way (traffic with one end local). "
	    "Percentages are of the link speed (--link-speed, or /sys for an "
	    "interface of this machine). "
	    "Mean RTT: the mean of the windows' probe means.</p>\n");
	free(ls.ls_v);
	return 0;
}

/* ---- outages -------------------------------------------------------------- */

struct probe_acc {
	FILE	*pa_f;
	char	 pa_agent[RQ_PARAM_LEN], pa_probe[RQ_PARAM_LEN], pa_addr[RQ_PARAM_LEN];
	int	 pa_open, pa_down;		/* a probe's row under way */
	int64_t	 pa_windows, pa_sent, pa_answered, pa_outages;
	int64_t	 pa_probed_s, pa_down_s, pa_longest, pa_run_s;
	int64_t	 pa_first_down;
	double	 pa_rtt_sum;
	int64_t	 pa_rtt_n;
	int	 pa_rows;
};

static void
probe_flush(struct probe_acc *a)
{
	char	buf[64];

	if (!a->pa_open)
		return;
	fprintf(a->pa_f, "<tr><td>");
	html_text(a->pa_f, a->pa_agent);
	fprintf(a->pa_f, "</td><td>");
	html_text(a->pa_f, a->pa_probe);
	fprintf(a->pa_f, "</td><td>");
	html_text(a->pa_f, a->pa_addr);
	fprintf(a->pa_f, "</td>");
	html_td_int(a->pa_f, a->pa_windows);
	html_td_int(a->pa_f, a->pa_sent);
	html_td_int(a->pa_f, a->pa_answered);
	html_td_int(a->pa_f, a->pa_outages);
	html_td_int(a->pa_f, a->pa_down_s);
	html_td_int(a->pa_f, a->pa_longest);
	html_td_num(a->pa_f, a->pa_probed_s ? 100.0 * (double)(a->pa_probed_s -
	    a->pa_down_s) / (double)a->pa_probed_s : NAN, 3);
	html_td_num(a->pa_f, a->pa_rtt_n ? a->pa_rtt_sum / (double)a->pa_rtt_n / 1000 :
	    NAN, 3);
	if (a->pa_first_down >= 0)
		html_fmt_utc(buf, sizeof(buf), a->pa_first_down);
	fprintf(a->pa_f, "<td>%s</td></tr>\n", a->pa_first_down >= 0 ? buf : "-");
	a->pa_open = 0;
	a->pa_rows++;
}

/* agent, probe, addr, start, sent, answered, rtt_mean_us, length */
static int
probe_row(void *arg, int n, const char *const *v)
{
	struct probe_acc	*a = arg;
	int64_t			 sent, answered, len;

	if (n < 8)
		return -1;
	if (!a->pa_open || strcmp(a->pa_agent, v[0] ? v[0] : "") != 0 ||
	    strcmp(a->pa_probe, v[1] ? v[1] : "") != 0) {
		probe_flush(a);
		memset(a->pa_agent, 0, sizeof(*a) - offsetof(struct probe_acc, pa_agent));
		snprintf(a->pa_agent, sizeof(a->pa_agent), "%s", v[0] ? v[0] : "");
		snprintf(a->pa_probe, sizeof(a->pa_probe), "%s", v[1] ? v[1] : "");
		a->pa_first_down = -1;
		a->pa_open = 1;
	}
	/* the target as of the latest window */
	snprintf(a->pa_addr, sizeof(a->pa_addr), "%s", v[2] ? v[2] : "");
	sent = rdb_int(v[4]);
	answered = rdb_int(v[5]);
	len = rdb_int(v[7]);
	a->pa_windows++;
	a->pa_sent += sent;
	a->pa_answered += answered;
	if (v[6] != NULL && answered > 0) {
		a->pa_rtt_sum += rdb_double(v[6]) * (double)answered;
		a->pa_rtt_n += answered;
	}
	if (sent == 0)
		return 0;			/* nothing learnt */
	a->pa_probed_s += len;
	if (answered == 0) {
		if (!a->pa_down) {
			a->pa_outages++;
			a->pa_run_s = 0;
			if (a->pa_first_down < 0)
				a->pa_first_down = rdb_int(v[3]);
		}
		a->pa_down = 1;
		a->pa_down_s += len;
		a->pa_run_s += len;
		if (a->pa_run_s > a->pa_longest)
			a->pa_longest = a->pa_run_s;
	} else
		a->pa_down = 0;
	return 0;
}

static int
overview_probes(struct report *r, FILE *f)
{
	struct probe_acc	 a;
	struct rq		 q;

	memset(&a, 0, sizeof(a));
	a.pa_f = f;
	fprintf(f, "<h2>Outages and availability by probe</h2>\n<table id=\"probes\">\n"
	    "<thead><tr><th>agent</th><th>probe</th><th>target</th><th>windows</th>"
	    "<th>probes sent</th><th>answered</th><th>outages</th>"
	    "<th>down, seconds</th><th>longest outage, seconds</th>"
	    "<th>availability, %%</th><th>mean RTT, ms</th><th>first outage (UTC)</th>"
	    "</tr></thead>\n<tbody>\n");
	rq_init(&q);
	rq_add(&q, "SELECT agent, probe, addr, start, sent, answered, rtt_mean_us, "
	    "(SELECT max(length) FROM windows w WHERE w.agent = p.agent AND "
	    "w.start = p.start) FROM window_probes p WHERE start >= ");
	rq_int(&q, r->r_from);
	rq_add(&q, " AND start < ");
	rq_int(&q, r->r_to);
	rq_agents(&q, r, "agent");
	rq_add(&q, " ORDER BY agent, probe, start");
	if (rdb_each(r->r_db, &q, probe_row, &a, r->r_err, sizeof(r->r_err)) == -1)
		return -1;
	probe_flush(&a);
	fprintf(f, "</tbody>\n</table>\n");
	if (a.pa_rows == 0)
		fprintf(f, "<p>No probe ran in the period.</p>\n");
	fprintf(f, "<p>An outage is a run of windows in which the probe sent and "
	    "no answer came; availability is the share of the probed time "
	    "without one; RTT is weighted by answers.</p>\n");
	return 0;
}

int
page_overview(struct report *r, const struct day_total *d, int nd)
{
	struct series	 s[2];
	const char	**labels = NULL;
	double		*in = NULL, *out = NULL;
	char		(*lab)[16] = NULL;
	FILE		*f;
	int		 i;

	if ((f = html_open(r, "index.html", "Overview")) == NULL)
		return -1;
	if (overview_links(r, f) == -1 || overview_probes(r, f) == -1)
		goto fail;
	fprintf(f, "<h2>Octets a day</h2>\n");
	if (nd > 0) {
		labels = calloc((size_t)nd, sizeof(*labels));
		lab = calloc((size_t)nd, sizeof(*lab));
		in = calloc((size_t)nd, sizeof(*in));
		out = calloc((size_t)nd, sizeof(*out));
		if (labels == NULL || lab == NULL || in == NULL || out == NULL) {
			errbuf_set(r->r_err, sizeof(r->r_err), "out of memory");
			goto fail;
		}
		for (i = 0; i < nd; i++) {
			html_fmt_day(lab[i], sizeof(lab[i]), d[i].dt_day);
			labels[i] = lab[i];
			in[i] = (double)d[i].dt_in;
			out[i] = (double)d[i].dt_out;
		}
		s[0] = (struct series){ "octets in", "in", in };
		s[1] = (struct series){ "octets out", "out", out };
		svg_bars(f, "Octets a day, in and out", labels, nd, s, 2,
		    "octets a day (UTC days)");
	}
	fprintf(f, "<p>Every day: <a href=\"days.html\">Days</a>.</p>\n");
	free(labels);
	free(lab);
	free(in);
	free(out);
	return html_close(r, f);
fail:
	free(labels);
	free(lab);
	free(in);
	free(out);
	fclose(f);
	return -1;
}

/* ---- services ------------------------------------------------------------ */

struct svc_rows {
	int		 sr_n;
	char		 sr_name[256][64];
	int64_t		 sr_v[256][4];
};

static int
svc_row(void *arg, int n, const char *const *v)
{
	struct svc_rows	*s = arg;
	int		 j;

	if (n < 5)
		return -1;
	if (s->sr_n == 256)
		return 0;		/* the catalogue holds fewer */
	snprintf(s->sr_name[s->sr_n], sizeof(s->sr_name[0]), "%s", v[0] ? v[0] : "");
	for (j = 0; j < 4; j++)
		s->sr_v[s->sr_n][j] = rdb_int(v[j + 1]);
	s->sr_n++;
	return 0;
}

int
page_services_section(struct report *r, FILE *f, int64_t from, int64_t to,
    const char *id)
{
	struct svc_rows	*s;
	struct series	 se[2];
	const char	*labels[256];
	double		 in[256], out[256], total = 0;
	struct rq	 q;
	int		 i;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return errbuf_set(r->r_err, sizeof(r->r_err), "out of memory");
	rq_init(&q);
	rq_add(&q, "SELECT service, sum(octets_in), sum(octets_out), "
	    "sum(packets_in), sum(packets_out) FROM window_services WHERE start >= ");
	rq_int(&q, from);
	rq_add(&q, " AND start < ");
	rq_int(&q, to);
	rq_agents(&q, r, "agent");
	rq_add(&q, " GROUP BY service ORDER BY sum(octets_in) + sum(octets_out) "
	    "DESC, service");
	if (rdb_each(r->r_db, &q, svc_row, s, r->r_err, sizeof(r->r_err)) == -1) {
		free(s);
		return -1;
	}
	for (i = 0; i < s->sr_n; i++) {
		labels[i] = s->sr_name[i];
		in[i] = (double)s->sr_v[i][0];
		out[i] = (double)s->sr_v[i][1];
		total += in[i] + out[i];
	}
	se[0] = (struct series){ "octets in", "in", in };
	se[1] = (struct series){ "octets out", "out", out };
	if (s->sr_n > 0)
		svg_bars(f, "Octets by service, in and out", labels, s->sr_n, se, 2,
		    "octets");
	fprintf(f, "<table id=\"%s\">\n<thead><tr><th>service</th><th>octets in</th>"
	    "<th>octets out</th><th>packets in</th><th>packets out</th>"
	    "<th>share of octets, %%</th></tr></thead>\n<tbody>\n", id);
	for (i = 0; i < s->sr_n; i++) {
		fprintf(f, "<tr><td>");
		html_text(f, s->sr_name[i]);
		fprintf(f, "</td>");
		html_td_int(f, s->sr_v[i][0]);
		html_td_int(f, s->sr_v[i][1]);
		html_td_int(f, s->sr_v[i][2]);
		html_td_int(f, s->sr_v[i][3]);
		html_td_num(f, total > 0 ? 100 * (in[i] + out[i]) / total : NAN, 2);
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</tbody>\n</table>\n");
	if (s->sr_n == 0)
		fprintf(f, "<p>No service traffic in the period.</p>\n");
	free(s);
	return 0;
}

int
page_services(struct report *r)
{
	FILE	*f;

	if ((f = html_open(r, "services.html", "Services")) == NULL)
		return -1;
	fprintf(f, "<p>Volume by service over the period (the service of a "
	    "session's port, as coremond's catalogue names it).</p>\n");
	if (page_services_section(r, f, r->r_from, r->r_to, "services") == -1) {
		fclose(f);
		return -1;
	}
	return html_close(r, f);
}
