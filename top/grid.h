/*
 * grid: the rows of a view as text cells with a number each for sorting,
 * filtered by a text, sorted by any column, laid out in a given width;
 * and the screen, the lines a frame is made of, which the terminal and
 * the batch mode both print.
 */
#ifndef GRID_H
#define GRID_H

#include <stddef.h>

#define GRID_COLS_MAX	12
#define SCREEN_WIDTH_MAX 512

struct grid_col {
	const char	*gc_name;
	int		 gc_width;	/* at least this wide */
	int		 gc_flex;	/* takes a share of spare width */
	int		 gc_numeric;	/* right-aligned, sorted by number */
};

struct grid_row {
	char		*gr_cell[GRID_COLS_MAX];	/* owned */
	double		 gr_num[GRID_COLS_MAX];
	char		 gr_key[64];	/* what the row stands for (a client) */
	size_t		 gr_order;	/* the agent's order, the last tie break */
};

/* Owns its rows (grid_clear). */
struct grid {
	int		 g_ncols;
	struct grid_col	 g_col[GRID_COLS_MAX];
	struct grid_row	*g_rows;
	size_t		 g_count, g_cap;
};

enum screen_kind {
	SL_TITLE, SL_TABS, SL_INFO, SL_HEADER, SL_ROW, SL_SELECTED, SL_GRAPH,
	SL_ALERT
};

struct screen_line {
	enum screen_kind sl_kind;
	char		 sl_text[SCREEN_WIDTH_MAX];
};

/* Owns its lines. */
struct screen {
	struct screen_line *s_lines;
	size_t		 s_count, s_cap;
	int		 s_width;	/* columns a line may take */
	int		 s_fit;		/* 1: the width is filled (a terminal);
					   0: columns as wide as their text */
};

void	grid_init(struct grid *, const struct grid_col *, int ncols);
void	grid_clear(struct grid *);
struct grid_row *grid_add(struct grid *);
/* Sets a cell's text (printf) and sort number; -1 when out of memory. */
int	grid_set(struct grid_row *, int col, double num, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/* Keeps the rows with text in any cell (case-insensitive); "" keeps all. */
void	grid_filter(struct grid *, const char *text);
/* Sorts by column col (numbers or text), descending when desc. */
void	grid_sort(struct grid *, int col, int desc);
/* Adds the header and rows first..first+max-1 to the screen; the row
 * selected (or -1) marked. */
void	grid_render(const struct grid *, struct screen *, int sort_col,
	    int desc, size_t first, size_t max, long selected);

void	screen_reset(struct screen *, int width, int fit);
void	screen_free(struct screen *);
/* Adds a line (cut at the width); -1 when out of memory. */
int	screen_add(struct screen *, enum screen_kind, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
