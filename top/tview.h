/*
 * tview: what coremon-top shows.  tview_poll reads the agent (the link
 * table and the history every time, the other tables when their view is
 * shown or in batch mode); tview_render turns the last data into screen
 * lines for one view.  The data of a failed poll is kept: the view goes on
 * showing the last answer.
 */
#ifndef TVIEW_H
#define TVIEW_H

#include <stddef.h>

#include "grid.h"
#include "tsnmp.h"

enum tview_kind {
	TV_LINK, TV_SESSIONS, TV_HOSTS, TV_CLIENTS, TV_PROBES, TV_LISTENERS,
	TV_PROCESSES, TV_COUNT
};

#define TV_HIST_MAX	4096	/* history points kept (an hour at 1 s) */
#define TV_POLLS_MAX	512	/* polls kept per interface */
#define TV_IFS_MAX	64	/* interfaces with a poll graph */
#define TV_FILTER_MAX	64

struct tview_hist {
	double		th_time;
	double		th_rx, th_tx;	/* bytes per second */
	int		th_valid;
};

struct tview_polls {
	unsigned long	tp_ifindex;
	double		tp_rx[TV_POLLS_MAX], tp_tx[TV_POLLS_MAX];
	size_t		tp_count;	/* points, the newest at count - 1 */
};

struct tview_data {
	/* cmAgentStartTime: when it changes the agent restarted. */
	char		td_start[16];
	size_t		td_startlen;
	unsigned long	td_sample_interval_ms;
	unsigned long	td_sample_period;	/* cmAgentSampleInterval, s */
	double		td_sample_time;
	unsigned long	td_window_number, td_window_length_ms;
	unsigned long	td_window_sessions;
	double		td_window_start;
	double		td_host_window_start;
	unsigned long	td_host_window_length_ms, td_host_entries;
	unsigned long	td_conn_total, td_conn_clients;

	struct tsnmp_table td_ifs, td_sessions, td_hosts, td_clients,
			td_conns, td_probes,
			td_listeners, td_processes;
	int		td_have[TV_COUNT];	/* each view answered once */

	struct tview_hist td_hist[TV_HIST_MAX];
	size_t		td_hist_count;
	unsigned long	td_hist_last;	/* cmHistoryIndex read last, 0 none */

	struct tview_polls td_polls[TV_IFS_MAX];
	size_t		td_npolls;
};

struct tview_state {
	enum tview_kind	ts_view;
	int		ts_sort[TV_COUNT + 1];	/* +1: a client's connections */
	int		ts_desc[TV_COUNT + 1];
	long		ts_cursor[TV_COUNT + 1];
	char		ts_filter[TV_FILTER_MAX];
	int		ts_bits;
	int		ts_raw;		/* exact numbers (batch mode) */
	int		ts_all;		/* poll every view (batch mode) */
	/* The client whose connections are shown; ts_client_on 0: none. */
	int		ts_client_on;
	char		ts_client[64];
	int		ts_cursor_moved;
	/* What the last render showed under the cursor (clients view). */
	char		ts_under_cursor[64];
};

void	tview_state_init(struct tview_state *);
void	tview_data_free(struct tview_data *);
/* Polls the agent for the state's view; 0, or -1 with err (data kept). */
int	tview_poll(struct tview_data *, const struct tview_state *,
	    struct tsnmp *, char *err, size_t errlen);
/* The lines of view v for at most height lines (0: no limit). */
void	tview_render(struct tview_state *, const struct tview_data *,
	    enum tview_kind v, struct screen *, size_t height);
/* Columns of the grid of the state's current view (for sort keys). */
int	tview_columns(const struct tview_state *);
const char *tview_name(enum tview_kind);

#endif
