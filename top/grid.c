/*
 * grid: sortable, filterable rows and the screen lines; see grid.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grid.h"

void
grid_init(struct grid *g, const struct grid_col *cols, int ncols)
{
	memset(g, 0, sizeof(*g));
	g->g_ncols = ncols > GRID_COLS_MAX ? GRID_COLS_MAX : ncols;
	memcpy(g->g_col, cols, (size_t)g->g_ncols * sizeof(*cols));
}

static void
grid_row_free(struct grid_row *r)
{
	int c;

	for (c = 0; c < GRID_COLS_MAX; c++)
		free(r->gr_cell[c]);
}

void
grid_clear(struct grid *g)
{
	size_t i;

	for (i = 0; i < g->g_count; i++)
		grid_row_free(&g->g_rows[i]);
	free(g->g_rows);
	g->g_rows = NULL;
	g->g_count = g->g_cap = 0;
}

struct grid_row *
grid_add(struct grid *g)
{
	struct grid_row *r;

	if (g->g_count == g->g_cap) {
		size_t cap = g->g_cap ? g->g_cap * 2 : 32;

		if ((r = realloc(g->g_rows, cap * sizeof(*r))) == NULL)
			return NULL;
		g->g_rows = r;
		g->g_cap = cap;
	}
	r = &g->g_rows[g->g_count];
	memset(r, 0, sizeof(*r));
	r->gr_order = g->g_count++;
	return r;
}

int
grid_set(struct grid_row *r, int col, double num, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	if (col < 0 || col >= GRID_COLS_MAX)
		return -1;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	free(r->gr_cell[col]);
	r->gr_cell[col] = s;
	r->gr_num[col] = num;
	return 0;
}

void
grid_filter(struct grid *g, const char *text)
{
	size_t i, kept = 0;
	int c, match;

	if (text == NULL || text[0] == '\0')
		return;
	for (i = 0; i < g->g_count; i++) {
		struct grid_row *r = &g->g_rows[i];

		for (c = 0, match = 0; c < g->g_ncols && !match; c++)
			match = r->gr_cell[c] &&
			    strcasestr(r->gr_cell[c], text);
		if (match)
			g->g_rows[kept++] = *r;
		else
			grid_row_free(r);
	}
	g->g_count = kept;
}

/* qsort has no argument: the column and direction of the running sort. */
static int grid_sort_col, grid_sort_desc, grid_sort_numeric;

static int
grid_compare(const void *a, const void *b)
{
	const struct grid_row *x = a, *y = b;
	int c = 0;

	if (grid_sort_numeric) {
		double u = x->gr_num[grid_sort_col],
		    v = y->gr_num[grid_sort_col];

		c = u < v ? -1 : u > v;
	} else {
		const char *u = x->gr_cell[grid_sort_col],
		    *v = y->gr_cell[grid_sort_col];

		c = strcmp(u ? u : "", v ? v : "");
	}
	if (grid_sort_desc)
		c = -c;
	if (c == 0)	/* stable: the agent's order */
		c = x->gr_order < y->gr_order ? -1 : x->gr_order > y->gr_order;
	return c;
}

void
grid_sort(struct grid *g, int col, int desc)
{
	if (col < 0 || col >= g->g_ncols || g->g_count < 2)
		return;
	grid_sort_col = col;
	grid_sort_desc = desc;
	grid_sort_numeric = g->g_col[col].gc_numeric;
	qsort(g->g_rows, g->g_count, sizeof(g->g_rows[0]), grid_compare);
}

/* Column widths for the screen's width: each column its minimum (the
 * trailing ones dropped when even those do not fit), the spare width
 * shared by the flexible ones. */
static int
grid_layout(const struct grid *g, const struct screen *s, int *w)
{
	int c, used = 0, shown = 0, flex = 0, spare, width = s->s_width;
	size_t i;

	if (!s->s_fit) {
		for (c = 0; c < g->g_ncols; c++) {
			w[c] = (int)strlen(g->g_col[c].gc_name) + 1;
			for (i = 0; i < g->g_count; i++)
				if (g->g_rows[i].gr_cell[c] &&
				    (int)strlen(g->g_rows[i].gr_cell[c]) > w[c])
					w[c] = (int)strlen(g->g_rows[i].gr_cell[c]);
		}
		return g->g_ncols;
	}

	for (c = 0; c < g->g_ncols; c++) {
		/* The name and the sort mark fit: a header is never cut. */
		int name = (int)strlen(g->g_col[c].gc_name) + 1;
		int min = g->g_col[c].gc_width > name ? g->g_col[c].gc_width : name;
		int need = min + (c ? 1 : 0);

		if (used + need > width)
			break;
		used += need;
		w[c] = min;
		flex += g->g_col[c].gc_flex;
		shown++;
	}
	spare = width - used;
	for (c = 0; c < shown && flex > 0; c++)
		if (g->g_col[c].gc_flex)
			w[c] += spare * g->g_col[c].gc_flex / flex;
	return shown;
}

static void
grid_line(const struct grid *g, const int *w, int shown,
    const char *const *cell, char *out, size_t outlen)
{
	size_t at = 0;
	int c;

	out[0] = '\0';
	for (c = 0; c < shown && at < outlen; c++) {
		const char *s = cell[c] ? cell[c] : "";
		int n;

		/* A cut cell ends in '~': a cut address must not pass for
		 * another one. */
		if ((int)strlen(s) > w[c] && w[c] > 1) {
			n = snprintf(out + at, outlen - at, "%s%.*s~",
			    c ? " " : "", w[c] - 1, s);
			if (n < 0)
				break;
			at += (size_t)n;
			continue;
		}
		if (g->g_col[c].gc_numeric)
			n = snprintf(out + at, outlen - at, "%s%*.*s",
			    c ? " " : "", w[c], w[c], s);
		else
			n = snprintf(out + at, outlen - at, "%s%-*.*s",
			    c ? " " : "", w[c], w[c], s);
		if (n < 0)
			break;
		at += (size_t)n;
	}
	/* No trailing blanks: batch output stays tidy. */
	while (at > 0 && at <= outlen && out[at - 1] == ' ')
		out[--at] = '\0';
}

void
grid_render(const struct grid *g, struct screen *s, int sort_col, int desc,
    size_t first, size_t max, long selected)
{
	const char *head[GRID_COLS_MAX];
	char names[GRID_COLS_MAX][40];
	char line[SCREEN_WIDTH_MAX];
	int w[GRID_COLS_MAX], shown, c;
	size_t i;

	shown = grid_layout(g, s, w);
	for (c = 0; c < shown; c++) {
		/* The sort column's name carries the direction: * largest first. */
		snprintf(names[c], sizeof(names[c]), "%s%s",
		    g->g_col[c].gc_name,
		    c == sort_col ? (desc ? "*" : "+") : "");
		head[c] = names[c];
	}
	grid_line(g, w, shown, head, line, sizeof(line));
	screen_add(s, SL_HEADER, "%s", line);
	for (i = first; i < g->g_count && i < first + max; i++) {
		grid_line(g, w, shown,
		    (const char *const *)g->g_rows[i].gr_cell,
		    line, sizeof(line));
		screen_add(s, (long)i == selected ? SL_SELECTED : SL_ROW, "%s",
		    line);
	}
}

void
screen_reset(struct screen *s, int width, int fit)
{
	s->s_count = 0;
	s->s_fit = fit;
	s->s_width = width < 20 ? 20 : width >= SCREEN_WIDTH_MAX ?
	    SCREEN_WIDTH_MAX - 1 : width;
}

void
screen_free(struct screen *s)
{
	free(s->s_lines);
	memset(s, 0, sizeof(*s));
}

int
screen_add(struct screen *s, enum screen_kind kind, const char *fmt, ...)
{
	struct screen_line *l;
	va_list ap;

	if (s->s_count == s->s_cap) {
		size_t cap = s->s_cap ? s->s_cap * 2 : 64;

		if ((l = realloc(s->s_lines, cap * sizeof(*l))) == NULL)
			return -1;
		s->s_lines = l;
		s->s_cap = cap;
	}
	l = &s->s_lines[s->s_count++];
	l->sl_kind = kind;
	va_start(ap, fmt);
	vsnprintf(l->sl_text, sizeof(l->sl_text), fmt, ap);
	va_end(ap);
	if ((int)strlen(l->sl_text) > s->s_width)
		l->sl_text[s->s_width] = '\0';
	return 0;
}
