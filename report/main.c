/*
 * coremon-report --db FILE|postgresql://... --out DIR [--from YYYY-MM-DD]
 *     [--to YYYY-MM-DD] [--agent NAME]... [--geoip-dir DIR]
 *     [--link-speed SOURCE=MBIT]...
 *
 * Writes the static site (DIR/index.html and the pages it links) from
 * the history database.  Without --from/--to, the period is every UTC
 * day that has windows.  Exit 0, or 1 with the reason on stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/errbuf.h"
#include "report.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: coremon-report --db FILE|postgresql://... --out DIR "
	    "[--from YYYY-MM-DD] [--to YYYY-MM-DD] [--agent NAME]... "
	    "[--geoip-dir DIR] [--link-speed SOURCE=MBIT]...\n");
}

/* YYYY-MM-DD to YYYYMMDD; -1 when it is not a date. */
static int
parse_day(const char *s)
{
	int	y, m, d, day;
	char	end;

	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3 || y < 1970 ||
	    y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	day = y * 10000 + m * 100 + d;
	/* 2024-02-31 comes back as another day */
	return html_day_of(html_day_start(day)) == day ? day : -1;
}

static int
bounds_row(void *arg, int n, const char *const *v)
{
	int64_t	*b = arg;

	if (n < 2)
		return -1;
	b[0] = v[0] ? rdb_int(v[0]) : -1;
	b[1] = v[1] ? rdb_int(v[1]) : -1;
	return 0;
}

/* The period: the options' days, or the days the windows cover. */
static int
report_period(struct report *r, int from, int to)
{
	struct rq	q;
	int64_t		b[2] = { -1, -1 };

	if (from < 0 || to < 0) {
		rq_init(&q);
		rq_add(&q, "SELECT min(start), max(start) FROM windows WHERE 1 = 1");
		rq_agents(&q, r, "agent");
		if (rdb_each(r->r_db, &q, bounds_row, b, r->r_err,
		    sizeof(r->r_err)) == -1)
			return -1;
		if (b[0] < 0)			/* empty: today */
			b[0] = b[1] = r->r_now;
		if (from < 0)
			from = html_day_of(b[0]);
		if (to < 0)
			to = html_day_of(b[1]);
	}
	if (to < from) {
		char	tday[16], fday[16];

		html_fmt_day(tday, sizeof(tday), to);
		html_fmt_day(fday, sizeof(fday), from);
		return errbuf_set(r->r_err, sizeof(r->r_err),
		    "--to %s is before --from %s", tday, fday);
	}
	r->r_fromday = from;
	r->r_today = to;
	r->r_from = html_day_start(from);
	r->r_to = html_day_start(to) + 86400;
	if ((r->r_to - r->r_from) / 86400 > REPORT_MAX_DAYS)
		return errbuf_set(r->r_err, sizeof(r->r_err),
		    "the period is longer than %d days", REPORT_MAX_DAYS);
	return 0;
}

/* Pages of days and hosts that this run did not write (older than its
 * start): left over from a longer or other period, they would pile up
 * under the daily timer.  Only the names coremon-report gives. */
static void
report_prune(struct report *r)
{
	struct dirent	*e;
	struct stat	 st;
	DIR		*d;

	if ((d = opendir(r->r_out)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (fnmatch("day-*.html", e->d_name, 0) != 0 &&
		    fnmatch("host-*.html", e->d_name, 0) != 0)
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && st.st_mtime < r->r_now)
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

static int
report_write(struct report *r)
{
	struct day_total	*days = NULL;
	int			 nd = 0, i;

	if (mkdir(r->r_out, 0755) == -1 && errno != EEXIST)
		return errbuf_set(r->r_err, sizeof(r->r_err), "%s: %s", r->r_out,
		    strerror(errno));
	if (page_style(r) == -1 || page_days(r, &days, &nd) == -1)
		return -1;
	if (page_overview(r, days, nd) == -1 || page_services(r) == -1)
		goto fail;
	for (i = 0; i < nd; i++)
		if (page_day(r, &days[i]) == -1)
			goto fail;
	if (page_hosts(r) == -1 || page_domains(r) == -1 ||
	    page_countries(r) == -1 || page_processes(r) == -1)
		goto fail;
	report_prune(r);
	free(days);
	return 0;
fail:
	free(days);
	return -1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "agent", required_argument, NULL, 'a' },
		{ "geoip-dir", required_argument, NULL, 'g' },
		{ "link-speed", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report	 r;
	const char	*db = NULL;
	int		 c, from = -1, to = -1, rc = 1;

	memset(&r, 0, sizeof(r));
	r.r_now = time(NULL);
	r.r_geoip = "/usr/share/GeoIP";		/* Debian's geoip-database */
	tzset();
	while ((c = getopt_long(argc, argv, "d:o:f:t:a:g:l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'o': r.r_out = optarg; break;
		case 'f':
		case 't':
			if (parse_day(optarg) < 0) {
				fprintf(stderr, "coremon-report: --%s %s: not a date "
				    "(YYYY-MM-DD)\n", c == 'f' ? "from" : "to", optarg);
				return 1;
			}
			*(c == 'f' ? &from : &to) = parse_day(optarg);
			break;
		case 'a':
			if (r.r_nagents == REPORT_MAX_AGENTS ||
			    strlen(optarg) >= RQ_PARAM_LEN) {
				fprintf(stderr, "coremon-report: at most %d --agent "
				    "options of %d characters\n", REPORT_MAX_AGENTS,
				    RQ_PARAM_LEN - 1);
				return 1;
			}
			r.r_agents[r.r_nagents++] = optarg;
			break;
		case 'g': r.r_geoip = optarg; break;
		case 'l':
			if (r.r_nspeeds == REPORT_MAX_AGENTS ||
			    strchr(optarg, '=') == NULL ||
			    !(strtod(strrchr(optarg, '=') + 1, NULL) > 0)) {
				fprintf(stderr, "coremon-report: --link-speed %s: "
				    "want SOURCE=MBIT (at most %d)\n", optarg,
				    REPORT_MAX_AGENTS);
				return 1;
			}
			r.r_speeds[r.r_nspeeds++] = optarg;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (db == NULL || r.r_out == NULL || optind != argc) {
		usage(stderr);
		return 1;
	}
	if ((r.r_db = rdb_open(db, r.r_err, sizeof(r.r_err))) == NULL ||
	    report_period(&r, from, to) == -1 || report_write(&r) == -1) {
		fprintf(stderr, "coremon-report: %s\n", r.r_err);
		goto out;
	}
	rc = 0;
out:
	rdb_close(r.r_db);
	return rc;
}
