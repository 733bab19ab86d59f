/*
 * svg: the site's two charts, inline SVG drawn with CSS classes only
 * (style.css colours them for light and dark themes): grouped
 * horizontal bars, and lines over time.  Both have labelled axes with
 * units.  Labels from the database go through html_text().
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "report.h"

#define SVG_W		760
#define BAR_LEFT	190		/* room for a label */
#define BAR_RIGHT	30
#define LINE_LEFT	80
#define LINE_RIGHT	20
#define LINE_TOP	28
#define LINE_H		200

/* A step of 1, 2 or 5 times a power of ten giving about 5 ticks. */
static double
svg_step(double max)
{
	double	raw, mag, f;

	if (!(max > 0))
		return 1;
	raw = max / 5;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

static double
svg_max(const struct series *s, int ns, int n)
{
	double	m = 0;
	int	i, j;

	for (j = 0; j < ns; j++)
		for (i = 0; i < n; i++)
			if (!isnan(s[j].s_y[i]) && s[j].s_y[i] > m)
				m = s[j].s_y[i];
	return m;
}

static void
svg_legend(FILE *f, const struct series *s, int ns, int y)
{
	int	j, x = SVG_W - 150 * ns;

	for (j = 0; j < ns; j++, x += 150) {
		fprintf(f, "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"12\" "
		    "height=\"12\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
		    s[j].s_class, x, y - 10, x + 16, y, s[j].s_name);
	}
}

void
svg_bars(FILE *f, const char *title, const char *const *labels, int n,
    const struct series *s, int ns, const char *unit)
{
	double	max, step, scale, v, t;
	char	buf[64];
	int	i, j, row = 12 * ns + 8, top = 30, h, plot = SVG_W - BAR_LEFT - BAR_RIGHT;

	h = top + row * n + 48;
	max = svg_max(s, ns, n);
	step = svg_step(max);
	max = step * ceil(max / step);
	if (!(max > 0))
		max = 1;
	scale = plot / max;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" "
	    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n<title>%s"
	    "</title>\n", SVG_W, h, title, title);
	svg_legend(f, s, ns, 18);
	for (t = 0; t <= max + step / 2; t += step) {
		double x = BAR_LEFT + t * scale;

		html_fmt_si(buf, sizeof(buf), t, "");
		fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
		    "y2=\"%d\"/><text class=\"tick\" x=\"%.1f\" y=\"%d\" "
		    "text-anchor=\"middle\">%s</text>\n", x, top - 4, x,
		    top + row * n, x, top + row * n + 16, buf);
	}
	for (i = 0; i < n; i++) {
		int y = top + row * i;

		/* the label is the database's: escaped, and cut short */
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
		    BAR_LEFT - 6, y + row / 2 + 4);
		if (strlen(labels[i]) > 28) {
			char cut[29];

			memcpy(cut, labels[i], 27);
			cut[27] = '\0';
			html_text(f, cut);
			fputs("...", f);
		} else
			html_text(f, labels[i]);
		fputs("</text>\n", f);
		for (j = 0; j < ns; j++) {
			v = s[j].s_y[i];
			if (isnan(v) || v < 0)
				v = 0;
			fprintf(f, "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%.1f\" "
			    "height=\"10\"/>\n", s[j].s_class, BAR_LEFT,
			    y + 4 + 12 * j, v * scale);
		}
	}
	fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
	    "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
	    BAR_LEFT, top - 4, BAR_LEFT, top + row * n, BAR_LEFT, top + row * n,
	    SVG_W - BAR_RIGHT, top + row * n);
	fprintf(f, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
	    "%s</text>\n</svg>\n", BAR_LEFT + plot / 2, h - 8, unit);
}

/* Ticks on the time axis: a step that gives a handful of them. */
static void
svg_time_axis(FILE *f, int64_t x0, int64_t x1, double scale, int y)
{
	static const int64_t steps[] = { 60, 300, 900, 3600, 3 * 3600, 6 * 3600,
	    86400, 7 * 86400 };
	int64_t		span = x1 - x0, step, t;
	time_t		tt;
	struct tm	tm;
	char		buf[32];
	size_t		i;

	for (i = 0; i + 1 < sizeof(steps) / sizeof(steps[0]) &&
	    span / steps[i] > 8; i++)
		;
	step = steps[i];
	for (t = x0 - x0 % step; t <= x1; t += step) {
		double x;

		if (t < x0)
			continue;
		x = LINE_LEFT + (double)(t - x0) * scale;
		tt = (time_t)t;
		gmtime_r(&tt, &tm);
		strftime(buf, sizeof(buf), step < 86400 ? "%H:%M" : "%m-%d", &tm);
		fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
		    "y2=\"%d\"/><text class=\"tick\" x=\"%.1f\" y=\"%d\" "
		    "text-anchor=\"middle\">%s</text>\n", x, LINE_TOP, x, y, x,
		    y + 16, buf);
	}
}

/* One series: a polyline a run of values, a dot for a lone value (a
 * polyline of one point draws nothing). */
static void
svg_series(FILE *f, const struct series *s, const int64_t *x, int n,
    int64_t x0, double xs, double ys, int bottom)
{
	int	i, j, k;

	for (i = 0; i < n; i = j) {
		if (isnan(s->s_y[i])) {
			j = i + 1;
			continue;
		}
		for (j = i; j < n && !isnan(s->s_y[j]); j++)
			;
		if (j - i == 1) {
			fprintf(f, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" "
			    "r=\"2.5\"/>\n", s->s_class,
			    LINE_LEFT + (double)(x[i] - x0) * xs,
			    bottom - s->s_y[i] * ys);
			continue;
		}
		fprintf(f, "<polyline class=\"%s\" points=\"", s->s_class);
		for (k = i; k < j; k++)
			fprintf(f, "%s%.1f,%.1f", k > i ? " " : "",
			    LINE_LEFT + (double)(x[k] - x0) * xs,
			    bottom - s->s_y[k] * ys);
		fputs("\"/>\n", f);
	}
}

void
svg_lines(FILE *f, const char *title, const int64_t *x, int n, int64_t x0,
    int64_t x1, const struct series *s, int ns, const char *unit)
{
	double	max, step, xs, ys, t;
	char	buf[64];
	int	j, bottom = LINE_TOP + LINE_H, h = bottom + 50;
	int	plot = SVG_W - LINE_LEFT - LINE_RIGHT;

	if (x1 <= x0)
		x1 = x0 + 1;
	max = svg_max(s, ns, n);
	step = svg_step(max);
	max = step * ceil(max / step);
	if (!(max > 0))
		max = 1;
	xs = plot / (double)(x1 - x0);
	ys = LINE_H / max;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" "
	    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n<title>%s"
	    "</title>\n", SVG_W, h, title, title);
	svg_legend(f, s, ns, 16);
	for (t = 0; t <= max + step / 2; t += step) {
		double y = bottom - t * ys;

		html_fmt_si(buf, sizeof(buf), t, "");
		fprintf(f, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
		    "y2=\"%.1f\"/><text class=\"tick\" x=\"%d\" y=\"%.1f\" "
		    "text-anchor=\"end\">%s</text>\n", LINE_LEFT, y,
		    SVG_W - LINE_RIGHT, y, LINE_LEFT - 6, y + 4, buf);
	}
	svg_time_axis(f, x0, x1, xs, bottom);
	for (j = 0; j < ns; j++)
		svg_series(f, &s[j], x, n, x0, xs, ys, bottom);
	fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
	    "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
	    LINE_LEFT, LINE_TOP, LINE_LEFT, bottom, LINE_LEFT, bottom,
	    SVG_W - LINE_RIGHT, bottom);
	fprintf(f, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
	    "time (UTC)</text>\n<text class=\"label\" x=\"14\" y=\"%d\" "
	    "text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">%s</text>\n"
	    "</svg>\n", LINE_LEFT + plot / 2, h - 6, LINE_TOP + LINE_H / 2,
	    LINE_TOP + LINE_H / 2, unit);
}
