/*
 * coremon-report: a static web site from the history database (issue 13).
 *
 * The whole program's contract, module by module:
 *   rdb     the database, SQLite file or PostgreSQL URL, behind one
 *           row-callback query call (rdb.c)
 *   rq      a query under construction: SQL text and its $N parameters
 *   html    page frame, escaping of every database string, numbers (html.c)
 *   svg     the charts (svg.c)
 *   page_*  the pages: overview, services, days, hosts, domains,
 *           countries and processes (page_*.c)
 * Every string read from the database is hostile (host names come from
 * DNS): it reaches a page only through html_text() or html_json().
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define RQ_MAXP		128		/* parameters a query */
#define RQ_PARAM_LEN	256		/* longest parameter text */
#define REPORT_MAX_AGENTS 16		/* --agent options */
#define REPORT_TOP_HOSTS 100		/* hosts with a page of their own */
#define REPORT_JSON_HOSTS 20000		/* hosts the filter searches */
#define REPORT_DAY_TOP	25		/* top hosts and sessions a day */
#define REPORT_MAX_DAYS	3660		/* days a report covers */
#define REPORT_TOP_PROCS 50		/* processes an agent, period */

/* ---- rdb ---------------------------------------------------------------- */

struct rdb;

/* A query: SQL with $1, $2 ... parameters, in both dialects. */
struct rq {
	char		 q_sql[8192];
	size_t		 q_len;
	int		 q_np;
	int		 q_overflow;		/* too long: rdb_each fails */
	char		 q_pv[RQ_MAXP][RQ_PARAM_LEN];
};

/* One row: ncol values as text, NULL for SQL NULL.  Returns 0 to go
 * on, -1 to stop the query (rdb_each then fails). */
typedef int	(*rdb_row_fn)(void *arg, int ncol, const char *const *val);

/* Opens spec read-only: "postgresql://..." or "postgres://..." (or any
 * libpq conninfo with "=" in it) through libpq, else a SQLite file.
 * NULL on failure with the reason in err. */
struct rdb	*rdb_open(const char *spec, char *err, size_t errlen);
void		 rdb_close(struct rdb *);
/* Runs q, calling fn for each row in order; 0, or -1 with the reason
 * in err. */
int		 rdb_each(struct rdb *, const struct rq *q, rdb_row_fn fn,
		    void *arg, char *err, size_t errlen);
const char	*rdb_kind(const struct rdb *);

void		 rq_init(struct rq *);
void		 rq_add(struct rq *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
void		 rq_int(struct rq *, int64_t);
void		 rq_text(struct rq *, const char *);

/* Text to numbers; NULL and junk are 0. */
int64_t		 rdb_int(const char *);
double		 rdb_double(const char *);

/* ---- the report ---------------------------------------------------------- */

struct report {
	struct rdb	*r_db;
	const char	*r_out;			/* the site's folder */
	int64_t		 r_from, r_to;		/* [from, to), unix seconds */
	int		 r_fromday, r_today;	/* YYYYMMDD, UTC, inclusive */
	const char	*r_agents[REPORT_MAX_AGENTS];
	int		 r_nagents;
	time_t		 r_now;
	const char	*r_geoip;		/* folder of GeoIP.dat, GeoIPv6.dat */
	const char	*r_speeds[REPORT_MAX_AGENTS];	/* --link-speed SOURCE=MBIT */
	int		 r_nspeeds;
	int		 r_procs;		/* window_processes: 1 there,
						 * -1 not (schema 1), 0 unasked */
	char		 r_err[512];
};

/* " AND COL IN ($..)" for the --agent options, nothing without. */
void		 rq_agents(struct rq *, const struct report *, const char *col);

/* ---- html ---------------------------------------------------------------- */

/* Opens DIR/name for writing and writes the page's head and navigation;
 * NULL on failure (reason in r_err). */
FILE		*html_open(struct report *, const char *name, const char *title);
/* Writes the footer and closes; -1 when any write failed. */
int		 html_close(struct report *, FILE *);
/* A plain file in the site's folder (style, JSON). */
FILE		*html_site_open(struct report *, const char *name);
int		 html_site_close(struct report *, FILE *, const char *name);

/* s as HTML text (also fit for a quoted attribute value): & < > " '
 * as references, bytes outside printable ASCII as the visible text
 * "\xNN", so that nothing in s is markup or invisible. */
void		 html_text(FILE *, const char *s);
/* s as a JSON string, quotes included, ASCII only, with < > & also
 * escaped so it can never close a script element. */
void		 html_json(FILE *, const char *s);

/* Unix seconds as "YYYY-MM-DD HH:MM:SS" UTC, and in local time with
 * its zone; YYYYMMDD of a day. */
void		 html_fmt_utc(char *, size_t, int64_t t);
void		 html_fmt_local(char *, size_t, int64_t t);
int		 html_day_of(int64_t t);
int64_t		 html_day_start(int day);
void		 html_fmt_day(char *, size_t, int day);
/* A quantity with SI prefix: "12.3 k" */
void		 html_fmt_si(char *, size_t, double v, const char *unit);

/* A table cell with an exact integer, and one with a double. */
void		 html_td_int(FILE *, int64_t);
void		 html_td_num(FILE *, double, int decimals);
/* The file name of a host's page, from its address (any byte). */
void		 html_host_page(char *, size_t, const char *addr);

/* ---- svg ----------------------------------------------------------------- */

struct series {
	const char	*s_name;		/* legend text (ours, not DB) */
	const char	*s_class;		/* CSS class: in, out, rtt */
	const double	*s_y;			/* n values; NaN: no value */
};

/* Grouped horizontal bars: one row a label (escaped), one bar a series. */
void		 svg_bars(FILE *, const char *title, const char *const *labels,
		    int n, const struct series *, int ns, const char *unit);
/* Lines over time: x unix seconds, from x0 to x1 on the axis. */
void		 svg_lines(FILE *, const char *title, const int64_t *x, int n,
		    int64_t x0, int64_t x1, const struct series *, int ns,
		    const char *unit);

/* ---- pages --------------------------------------------------------------- */

struct day_total {
	int		 dt_day;
	int64_t		 dt_windows, dt_seconds;
	int64_t		 dt_in, dt_out;
	double		 dt_peak;			/* octets/s, in + out */
};

int		 page_style(struct report *);
int		 page_overview(struct report *, const struct day_total *, int);
int		 page_services(struct report *);
int		 page_days(struct report *, struct day_total **, int *);
int		 page_day(struct report *, const struct day_total *);
int		 page_hosts(struct report *);
int		 page_domains(struct report *);
int		 page_countries(struct report *);
int		 page_processes(struct report *);
/* 1 when the database has window_processes (schema 2), 0 not, -1 error. */
int		 page_processes_known(struct report *);
/* The top per_agent processes of each agent in [from, to), a table
 * named id, or a paragraph id "no" + id when the schema has none. */
int		 page_processes_section(struct report *, FILE *, int64_t from,
		    int64_t to, const char *id, int per_agent);
/* The services chart and table of [from, to); id names the table. */
int		 page_services_section(struct report *, FILE *, int64_t from,
		    int64_t to, const char *id);

#endif
