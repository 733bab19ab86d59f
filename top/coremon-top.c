/*
 * coremon-top: a live view of a coremond (under snmpd or standalone) in a
 * terminal, over SNMP, with COREMON-MIB's OIDs compiled in; or, with -b,
 * plain text frames for scripts and logs.
 */
#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "tfmt.h"
#include "tsnmp.h"
#include "tview.h"

#define DELAY_MIN	0.2
#define DELAY_MAX	3600.0

struct top {
	struct tsnmp	*tp_snmp;
	struct tview_data tp_data;
	struct tview_state tp_state;
	struct screen	 tp_screen;
	const char	*tp_peer;
	double		 tp_delay;
	int		 tp_paused;
	int		 tp_color;
	int		 tp_only;	/* batch: one view (-s), else -1 */
	double		 tp_last_answer;	/* wall clock of the last answer */
	int		 tp_failing;
	char		 tp_error[256];
};

static volatile sig_atomic_t top_stop;

static void
top_usage(FILE *f)
{
	fprintf(f,
	    "usage: coremon-top [-v 1|2c|3] [-c COMMUNITY] [-u USER] [-l LEVEL]\n"
	    "                   [-a AUTHPROTO] [-A PASS] [-x PRIVPROTO] [-X PASS]\n"
	    "                   [-t TIMEOUT] [-r RETRIES] [-d SECONDS] [-s VIEW] [-B]\n"
	    "                   [-C CLIENT] [-b [-n COUNT]] AGENT[:PORT]\n"
	    "views: link, sessions, hosts, clients, probes, listeners, processes\n");
}

static double
top_now_wall(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static double
top_now_mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int
top_view_by_name(const char *s)
{
	int v;

	for (v = 0; v < TV_COUNT; v++)
		if (strncasecmp(s, tview_name(v), strlen(s)) == 0 && s[0])
			return v;
	if (s[0] >= '1' && s[0] <= '7' && s[1] == '\0')
		return s[0] - '1';
	return -1;
}

static void
top_poll(struct top *tp)
{
	char err[256];

	if (tview_poll(&tp->tp_data, &tp->tp_state, tp->tp_snmp, err,
	    sizeof(err)) == 0) {
		tp->tp_last_answer = top_now_wall();
		tp->tp_failing = 0;
		tp->tp_error[0] = '\0';
		return;
	}
	/* A new session next time: the agent may come back as another
	 * engine (SNMPv3) or on a new socket. */
	tsnmp_reset(tp->tp_snmp);
	tp->tp_failing = 1;
	snprintf(tp->tp_error, sizeof(tp->tp_error), "%s", err);
}

/* The frame's first lines: who, how often, and whether it answers. */
static void
top_title(struct top *tp, struct screen *s)
{
	char clock[32], since[32];

	tfmt_clock(top_now_wall(), 0, clock, sizeof(clock));
	screen_add(s, SL_TITLE, "coremon-top %s  every %g s  %s%s", tp->tp_peer,
	    tp->tp_delay, clock, tp->tp_paused ? "  PAUSED" : "");
	if (tp->tp_failing) {
		if (tp->tp_last_answer > 0)
			tfmt_clock(tp->tp_last_answer, 0, since, sizeof(since));
		else
			snprintf(since, sizeof(since), "start");
		screen_add(s, SL_ALERT,
		    "no answer since %s (%s); showing the last data",
		    since, tp->tp_error);
	}
}

/* ---- batch mode ------------------------------------------------------- */

static int
top_batch(struct top *tp, long count)
{
	long i;
	int v, answered = 0, client_on = tp->tp_state.ts_client_on;
	size_t l;

	tp->tp_state.ts_raw = 1;
	tp->tp_state.ts_all = tp->tp_only < 0;
	for (i = 0; (count <= 0 || i < count) && !top_stop; i++) {
		if (i > 0)
			usleep((useconds_t)(tp->tp_delay * 1e6));
		top_poll(tp);
		answered += !tp->tp_failing;
		screen_reset(&tp->tp_screen, SCREEN_WIDTH_MAX - 1, 0);
		top_title(tp, &tp->tp_screen);
		for (v = 0; v < TV_COUNT; v++) {
			if (tp->tp_only >= 0 && v != tp->tp_only)
				continue;
			screen_add(&tp->tp_screen, SL_TABS, "== %s",
			    tview_name(v));
			tp->tp_state.ts_view = v;
			if (v == TV_CLIENTS && client_on) {
				/* The clients, then the chosen one's connections. */
				tp->tp_state.ts_client_on = 0;
				tview_render(&tp->tp_state, &tp->tp_data, v,
				    &tp->tp_screen, 0);
				tp->tp_state.ts_client_on = 1;
				screen_add(&tp->tp_screen, SL_TABS,
				    "== Connections");
			}
			tview_render(&tp->tp_state, &tp->tp_data, v,
			    &tp->tp_screen, 0);
		}
		for (l = 0; l < tp->tp_screen.s_count; l++)
			printf("%s\n", tp->tp_screen.s_lines[l].sl_text);
		printf("\n");
		fflush(stdout);
	}
	return answered > 0 ? 0 : 1;
}

/* ---- the terminal ----------------------------------------------------- */

enum { PAIR_TITLE = 1, PAIR_ALERT, PAIR_HEADER, PAIR_GRAPH, PAIR_SELECTED };

static void
top_colors(struct top *tp)
{
	const char *nc = getenv("NO_COLOR");

	/* https://no-color.org: present and not empty means no colour. */
	tp->tp_color = has_colors() && (nc == NULL || nc[0] == '\0');
	if (!tp->tp_color)
		return;
	start_color();
	use_default_colors();
	init_pair(PAIR_TITLE, COLOR_CYAN, -1);
	init_pair(PAIR_ALERT, COLOR_WHITE, COLOR_RED);
	init_pair(PAIR_HEADER, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_GRAPH, COLOR_GREEN, -1);
	init_pair(PAIR_SELECTED, COLOR_BLACK, COLOR_YELLOW);
}

static attr_t
top_attr(const struct top *tp, enum screen_kind k)
{
	switch (k) {
	case SL_TITLE:
		return A_BOLD | (tp->tp_color ? COLOR_PAIR(PAIR_TITLE) : 0);
	case SL_ALERT:
		return A_BOLD | (tp->tp_color ? COLOR_PAIR(PAIR_ALERT) : A_REVERSE);
	case SL_HEADER:
		return tp->tp_color ? COLOR_PAIR(PAIR_HEADER) : A_REVERSE;
	case SL_GRAPH:
		return tp->tp_color ? COLOR_PAIR(PAIR_GRAPH) : 0;
	case SL_SELECTED:
		return tp->tp_color ? COLOR_PAIR(PAIR_SELECTED) : A_REVERSE;
	default:
		return 0;
	}
}

static void
top_tabs(struct top *tp, struct screen *s)
{
	char line[SCREEN_WIDTH_MAX];
	size_t at = 0;
	int v, n;

	for (v = 0; v < TV_COUNT && at < sizeof(line); v++) {
		n = snprintf(line + at, sizeof(line) - at,
		    /* Seven tabs in 80 columns. */
		    v == (int)tp->tp_state.ts_view ? "[%d %s]" : " %d %s ",
		    v + 1, tview_name(v));
		if (n < 0)
			break;
		at += (size_t)n;
	}
	screen_add(s, SL_TABS, "%s", line);
}

static const char HELP[] =
    "1-7 view  </> sort  r reverse  / filter  p pause  d delay  b bits  q quit";

static void
top_draw(struct top *tp)
{
	struct screen *s = &tp->tp_screen;
	size_t l, height = LINES > 2 ? (size_t)LINES - 1 : 1;

	screen_reset(s, COLS, 1);
	top_title(tp, s);
	top_tabs(tp, s);
	tview_render(&tp->tp_state, &tp->tp_data, tp->tp_state.ts_view, s,
	    height);
	erase();
	for (l = 0; l < s->s_count && l < height; l++) {
		attr_t a = top_attr(tp, s->s_lines[l].sl_kind);

		attron(a);
		mvaddnstr((int)l, 0, s->s_lines[l].sl_text, COLS);
		if (s->s_lines[l].sl_kind == SL_HEADER ||
		    s->s_lines[l].sl_kind == SL_SELECTED ||
		    s->s_lines[l].sl_kind == SL_ALERT)
			hline(' ', COLS - (int)strlen(s->s_lines[l].sl_text));
		attroff(a);
	}
	if (tp->tp_state.ts_filter[0])
		mvprintw(LINES - 1, 0, "filter \"%s\" (/ and Enter clears)  %s",
		    tp->tp_state.ts_filter, "q quit");
	else
		mvaddnstr(LINES - 1, 0, HELP, COLS);
	refresh();
}

/* A line of input on the last row; 0, or -1 when cancelled. */
static int
top_prompt(const char *what, char *buf, int len)
{
	int rc;

	move(LINES - 1, 0);
	clrtoeol();
	printw("%s", what);
	echo();
	curs_set(1);
	timeout(-1);
	rc = getnstr(buf, len - 1);
	noecho();
	curs_set(0);
	return rc == ERR ? -1 : 0;
}

static void
top_cursor(struct top *tp, long by)
{
	struct tview_state *st = &tp->tp_state;
	int slot = st->ts_view == TV_CLIENTS &&
	    st->ts_client_on ? TV_COUNT : (int)st->ts_view;

	st->ts_cursor[slot] += by;
	if (st->ts_cursor[slot] < 0)
		st->ts_cursor[slot] = 0;
}

static void
top_sort(struct top *tp, int by)
{
	struct tview_state *st = &tp->tp_state;
	int slot = st->ts_view == TV_CLIENTS &&
	    st->ts_client_on ? TV_COUNT : (int)st->ts_view;
	int n = tview_columns(st);

	st->ts_sort[slot] = (st->ts_sort[slot] + by + n) % n;
}

/* Handles one key; 1 when a poll is wanted now, -1 to quit. */
static int
top_key(struct top *tp, int ch)
{
	struct tview_state *st = &tp->tp_state;
	char buf[64];
	double d;

	switch (ch) {
	case 'q': case 'Q':
		return -1;
	case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		st->ts_view = (enum tview_kind)(ch - '1');
		return 1;
	case '\t':
		st->ts_view = (enum tview_kind)((st->ts_view + 1) % TV_COUNT);
		return 1;
	case KEY_BTAB:
		st->ts_view = (enum tview_kind)((st->ts_view + TV_COUNT - 1) % TV_COUNT);
		return 1;
	case '<': case KEY_LEFT:
		top_sort(tp, -1);
		break;
	case '>': case KEY_RIGHT:
		top_sort(tp, 1);
		break;
	case 'r': case 'R': {
		int slot = st->ts_view == TV_CLIENTS &&
		    st->ts_client_on ? TV_COUNT : (int)st->ts_view;

		st->ts_desc[slot] = !st->ts_desc[slot];
		break;
	}
	case '/':
		buf[0] = '\0';
		if (top_prompt("filter: ", buf, sizeof(buf)) == 0)
			snprintf(st->ts_filter, sizeof(st->ts_filter), "%s",
			    buf);
		break;
	case 'p': case ' ':
		tp->tp_paused = !tp->tp_paused;
		return tp->tp_paused ? 0 : 1;
	case 'd': case 's':
		buf[0] = '\0';
		if (top_prompt("refresh every (seconds): ", buf,
		    sizeof(buf)) == 0 &&
		    (d = strtod(buf, NULL)) >= DELAY_MIN && d <= DELAY_MAX)
			tp->tp_delay = d;
		break;
	case '+':
		tp->tp_delay = fmin(DELAY_MAX, tp->tp_delay * 2);
		break;
	case '-':
		tp->tp_delay = fmax(DELAY_MIN, tp->tp_delay / 2);
		break;
	case 'b': case 'B':
		st->ts_bits = !st->ts_bits;
		break;
	case KEY_UP: case 'k':
		top_cursor(tp, -1);
		break;
	case KEY_DOWN: case 'j':
		top_cursor(tp, 1);
		break;
	case KEY_PPAGE:
		top_cursor(tp, -(LINES - 5));
		break;
	case KEY_NPAGE:
		top_cursor(tp, LINES - 5);
		break;
	case KEY_HOME:
		top_cursor(tp, -1000000);
		break;
	case '\n': case '\r': case KEY_ENTER:
		if (st->ts_view == TV_CLIENTS && !st->ts_client_on &&
		    st->ts_under_cursor[0]) {
			snprintf(st->ts_client, sizeof(st->ts_client), "%s",
			    st->ts_under_cursor);
			st->ts_client_on = 1;
			st->ts_cursor[TV_COUNT] = 0;
			/* The filter chose the client; its connections are
			 * all shown. */
			st->ts_filter[0] = '\0';
			return 1;
		}
		break;
	case 27: case KEY_BACKSPACE: case 127:
		st->ts_client_on = 0;
		break;
	case 12:	/* ^L */
		clearok(curscr, TRUE);
		break;
	default:
		break;
	}
	return 0;
}

static int
top_terminal(struct top *tp)
{
	double next = 0;
	int rc;

	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	top_colors(tp);
	while (!top_stop) {
		double t = top_now_mono();
		int ch, wait_ms;

		if (!tp->tp_paused && t >= next) {
			top_poll(tp);
			next = top_now_mono() + tp->tp_delay;
		}
		top_draw(tp);
		/* Wake for the next poll, and at least each second for the clock. */
		wait_ms = tp->tp_paused ? 1000 : (int)((next - top_now_mono()) * 1000.0);
		timeout(wait_ms < 1 ? 1 : wait_ms > 1000 ? 1000 : wait_ms);
		if ((ch = getch()) == ERR)
			continue;
		if ((rc = top_key(tp, ch)) == -1)
			break;
		if (rc == 1 && !tp->tp_paused)
			next = 0;
	}
	endwin();
	return 0;
}

static void
top_signal(int sig)
{
	(void)sig;
	top_stop = 1;
}

int
main(int argc, char **argv)
{
	struct top tp;
	struct tsnmp_options o;
	char err[256], *end;
	long count = 0;
	int ch, batch = 0, rc, start_view = -1;

	memset(&tp, 0, sizeof(tp));
	memset(&o, 0, sizeof(o));
	tview_state_init(&tp.tp_state);
	tp.tp_delay = 2;
	tp.tp_only = -1;
	o.to_timeout = 1;
	o.to_retries = 1;
	while ((ch = getopt(argc, argv,
	    "v:c:u:l:a:A:x:X:t:r:d:bn:s:BC:h")) != -1) {
		switch (ch) {
		case 'v': o.to_version = optarg; break;
		case 'c': o.to_community = optarg; break;
		case 'u': o.to_user = optarg; break;
		case 'l': o.to_level = optarg; break;
		case 'a': o.to_auth_proto = optarg; break;
		case 'A': o.to_auth_pass = optarg; break;
		case 'x': o.to_priv_proto = optarg; break;
		case 'X': o.to_priv_pass = optarg; break;
		case 't':
			o.to_timeout = strtod(optarg, &end);
			if (*end || o.to_timeout <= 0 || o.to_timeout > 60) {
				fprintf(stderr,
				    "coremon-top: -t %s: not 0..60 seconds\n",
				    optarg);
				return 2;
			}
			break;
		case 'r':
			o.to_retries = (int)strtol(optarg, &end, 10);
			if (*end || o.to_retries < 0 || o.to_retries > 20) {
				fprintf(stderr,
				    "coremon-top: -r %s: not 0..20\n", optarg);
				return 2;
			}
			break;
		case 'd':
			tp.tp_delay = strtod(optarg, &end);
			if (*end || tp.tp_delay < DELAY_MIN ||
			    tp.tp_delay > DELAY_MAX) {
				fprintf(stderr,
				    "coremon-top: -d %s: not %g..%g seconds\n",
				    optarg, DELAY_MIN, DELAY_MAX);
				return 2;
			}
			break;
		case 'b': batch = 1; break;
		case 'n':
			count = strtol(optarg, &end, 10);
			if (*end || count < 0) {
				fprintf(stderr,
				    "coremon-top: -n %s: not a count\n",
				    optarg);
				return 2;
			}
			break;
		case 's':
			if ((start_view = top_view_by_name(optarg)) < 0) {
				fprintf(stderr,
				    "coremon-top: -s %s: not a view\n", optarg);
				top_usage(stderr);
				return 2;
			}
			break;
		case 'B': tp.tp_state.ts_bits = 1; break;
		case 'C':
			snprintf(tp.tp_state.ts_client,
			    sizeof(tp.tp_state.ts_client), "%s", optarg);
			tp.tp_state.ts_client_on = 1;
			break;
		case 'h': top_usage(stdout); return 0;
		default: top_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		top_usage(stderr);
		return 2;
	}
	o.to_peer = tp.tp_peer = argv[optind];
	if (start_view >= 0) {
		tp.tp_state.ts_view = (enum tview_kind)start_view;
		tp.tp_only = start_view;
	}
	/* No MIB files: every OID is compiled in (and Debian ships the IETF
	 * MIBs COREMON-MIB imports as non-free). */
	setenv("MIBS", "", 0);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	init_snmp("coremon-top");
	if ((tp.tp_snmp = tsnmp_new(&o, err, sizeof(err))) == NULL) {
		fprintf(stderr, "coremon-top: %s\n", err);
		return 2;
	}
	signal(SIGINT, top_signal);
	signal(SIGTERM, top_signal);
	signal(SIGPIPE, SIG_IGN);
	setlocale(LC_ALL, "");
	if (batch)
		rc = top_batch(&tp, count);
	else if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		fprintf(stderr,
		    "coremon-top: not a terminal (batch mode: -b)\n");
		rc = 2;
	} else
		rc = top_terminal(&tp);
	tsnmp_free(tp.tp_snmp);
	tview_data_free(&tp.tp_data);
	screen_free(&tp.tp_screen);
	snmp_shutdown("coremon-top");
	return rc;
}
