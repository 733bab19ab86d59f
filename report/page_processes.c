/*
 * Processes: which process or service moved the bytes (issue 16), from
 * window_processes (schema version 2).  Rows are grouped by agent,
 * systemd unit and command name, not by pid: a service restarted in the
 * period is one line, as an operator thinks of it (its pids' rows of a
 * window are added up first: "windows" counts windows, not rows).
 * "connections" is the most a window of it ended with (conns is a count
 * at the window's end, so a sum would count a long connection once a
 * window).
 *
 * A database of schema version 1 has no window_processes: the pages say
 * so instead of failing, so that an old fleet database still reports.
 */
#include <inttypes.h>
#include <string.h>

#include "lib/errbuf.h"
#include "report.h"

struct proc_tab {
	FILE		*pt_f;
	const char	*pt_id;
	int		 pt_n;
	char		 pt_agent[RQ_PARAM_LEN];	/* rank restarts by agent */
	int		 pt_rank;
};

/* agent, unit, name, octets in, out, total, windows, connections */
static int
proc_row(void *arg, int n, const char *const *v)
{
	struct proc_tab	*t = arg;
	int		 i;

	if (n < 8)
		return -1;
	/* the head with the first row: an empty tbody is not HTML */
	if (t->pt_n == 0)
		fprintf(t->pt_f, "<table id=\"%s\">\n<thead><tr><th>agent</th>"
		    "<th>rank</th><th>unit</th><th>process</th><th>octets in</th>"
		    "<th>octets out</th><th>octets in + out</th><th>windows</th>"
		    "<th>connections (most at a window's end)</th></tr></thead>\n"
		    "<tbody>\n", t->pt_id);
	if (strncmp(t->pt_agent, v[0] ? v[0] : "", sizeof(t->pt_agent)) != 0) {
		snprintf(t->pt_agent, sizeof(t->pt_agent), "%s", v[0] ? v[0] : "");
		t->pt_rank = 0;
	}
	fprintf(t->pt_f, "<tr><td>");
	html_text(t->pt_f, v[0]);
	fprintf(t->pt_f, "</td><td class=\"n\">%d</td>", ++t->pt_rank);
	for (i = 1; i < 3; i++) {
		fprintf(t->pt_f, "<td>");
		/* a unit of "" is "no unit known", shown as such */
		html_text(t->pt_f, v[i] && v[i][0] != '\0' ? v[i] : "-");
		fprintf(t->pt_f, "</td>");
	}
	for (i = 3; i < 8; i++)
		html_td_int(t->pt_f, rdb_int(v[i]));
	fprintf(t->pt_f, "</tr>\n");
	t->pt_n++;
	return 0;
}

static int
has_row(void *arg, int n, const char *const *v)
{
	*(int *)arg = n > 0 && rdb_int(v[0]) > 0;
	return 0;
}

int
page_processes_known(struct report *r)
{
	struct rq	q;
	int		has = 0;

	if (r->r_procs != 0)
		return r->r_procs > 0;
	rq_init(&q);
	/* the catalogue of each engine: a query of the table itself would
	 * fail the same way for a missing table and a lost connection */
	if (strcmp(rdb_kind(r->r_db), "SQLite") == 0)
		rq_add(&q, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
		    "AND name = 'window_processes'");
	else
		rq_add(&q, "SELECT count(*) FROM information_schema.tables WHERE "
		    "table_schema = current_schema() AND "
		    "table_name = 'window_processes'");
	if (rdb_each(r->r_db, &q, has_row, &has, r->r_err, sizeof(r->r_err)) == -1)
		return -1;
	r->r_procs = has ? 1 : -1;
	return has;
}

int
page_processes_section(struct report *r, FILE *f, int64_t from, int64_t to,
    const char *id, int per_agent)
{
	struct proc_tab	t;
	struct rq	q;
	int		known;

	if ((known = page_processes_known(r)) == -1)
		return -1;
	if (!known) {
		fprintf(f, "<p id=\"no%s\">The database has no process rows: its "
		    "schema predates window_processes (version 2, coremond of "
		    "issue 16).</p>\n", id);
		return 0;
	}
	memset(&t, 0, sizeof(t));
	t.pt_f = f;
	t.pt_id = id;
	rq_init(&q);
	rq_add(&q, "SELECT agent, unit, name, i, o, i + o, w, c FROM ("
	    "SELECT agent, unit, name, sum(wi) AS i, sum(wo) AS o, count(*) AS w, "
	    "max(wc) AS c, row_number() OVER (PARTITION BY agent ORDER BY "
	    "sum(wi) + sum(wo) DESC, unit, name) AS k FROM ("
	    "SELECT agent, unit, name, start, sum(octets_in) AS wi, "
	    "sum(octets_out) AS wo, sum(conns) AS wc FROM window_processes "
	    "WHERE start >= ");
	rq_int(&q, from);
	rq_add(&q, " AND start < ");
	rq_int(&q, to);
	rq_agents(&q, r, "agent");
	rq_add(&q, " GROUP BY agent, unit, name, start) w "
	    "GROUP BY agent, unit, name) p WHERE k <= %d ORDER BY agent, k",
	    per_agent);
	if (rdb_each(r->r_db, &q, proc_row, &t, r->r_err, sizeof(r->r_err)) == -1)
		return -1;
	if (t.pt_n > 0)
		fprintf(f, "</tbody>\n</table>\n");
	if (t.pt_n == 0)
		fprintf(f, "<p>No process moved octets in this time.</p>\n");
	else
		fprintf(f, "<p>The %d top processes of each agent by octets in + "
		    "out, grouped by systemd unit and command name (all its pids); "
		    "TCP connections only, closed ones included.</p>\n", per_agent);
	return 0;
}

int
page_processes(struct report *r)
{
	FILE	*f;

	if ((f = html_open(r, "processes.html", "Processes")) == NULL)
		return -1;
	fprintf(f, "<p>Which process or service moved the bytes over the "
	    "period: what the TCP connections of each process sent and "
	    "received, window by window (coremond's cmProcessTable).</p>\n");
	if (page_processes_section(r, f, r->r_from, r->r_to, "processes",
	    REPORT_TOP_PROCS) == -1) {
		fclose(f);
		return -1;
	}
	return html_close(r, f);
}
