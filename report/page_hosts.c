/*
 * Hosts: the period's top hosts with their volume by service, the
 * filter (the paper's fill-out form: a name pattern and a service) that
 * runs in the browser over hosts.js -- hosts.json's data as a script,
 * since browsers refuse fetch() of file:// pages -- and a page for each
 * of the REPORT_TOP_HOSTS biggest with its history by day and service.
 * The filter sees the REPORT_JSON_HOSTS biggest hosts of the period.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errbuf.h"
#include "report.h"

#define HOST_MAX_SERVICES 64
#define HOST_NAME_LEN	256		/* longer names are cut (DNS: 253) */

struct host_svc {
	char	 hs_name[64];
	int64_t	 hs_in, hs_out;
};

struct host {
	char		 h_addr[RQ_PARAM_LEN];
	char		 h_name[HOST_NAME_LEN];
	int		 h_named;
	int		 h_rank;		/* 1 first */
	int64_t		 h_in, h_out, h_pin, h_pout, h_days;
	struct host_svc	*h_svc;
	int		 h_nsvc;
};

struct hosts {
	struct host	 *hs_v;
	struct host	**hs_by_addr;
	int		  hs_n;
};

static int
host_row(void *arg, int n, const char *const *v)
{
	struct hosts	*hs = arg;
	struct host	*h;

	if (n < 7 || hs->hs_n >= REPORT_JSON_HOSTS)
		return -1;
	h = &hs->hs_v[hs->hs_n];
	snprintf(h->h_addr, sizeof(h->h_addr), "%s", v[0] ? v[0] : "");
	snprintf(h->h_name, sizeof(h->h_name), "%s", v[1] ? v[1] : "");
	h->h_named = v[1] != NULL;
	h->h_in = rdb_int(v[2]);
	h->h_out = rdb_int(v[3]);
	h->h_pin = rdb_int(v[4]);
	h->h_pout = rdb_int(v[5]);
	h->h_days = rdb_int(v[6]);
	h->h_rank = ++hs->hs_n;
	return 0;
}

static int
cmp_host_addr(const void *a, const void *b)
{
	return strcmp((*(struct host *const *)a)->h_addr,
	    (*(struct host *const *)b)->h_addr);
}

static struct host *
host_find(struct hosts *hs, const char *addr)
{
	struct host	 key, *kp = &key, **p;

	snprintf(key.h_addr, sizeof(key.h_addr), "%s", addr);
	p = bsearch(&kp, hs->hs_by_addr, (size_t)hs->hs_n, sizeof(*p),
	    cmp_host_addr);
	return p ? *p : NULL;
}

static int
svc_row(void *arg, int n, const char *const *v)
{
	struct hosts	*hs = arg;
	struct host	*h;
	struct host_svc	*s;

	if (n < 4)
		return -1;
	if ((h = host_find(hs, v[0] ? v[0] : "")) == NULL ||
	    h->h_nsvc >= HOST_MAX_SERVICES)
		return 0;			/* not a top host */
	if (h->h_svc == NULL) {
		/* owned by the host: page_hosts() frees it */
		if ((s = calloc(HOST_MAX_SERVICES, sizeof(*s))) == NULL)
			return -1;
		h->h_svc = s;
	}
	s = &h->h_svc[h->h_nsvc++];
	snprintf(s->hs_name, sizeof(s->hs_name), "%s", v[1] ? v[1] : "");
	s->hs_in = rdb_int(v[2]);
	s->hs_out = rdb_int(v[3]);
	return 0;
}

static void
rq_days(struct rq *q, const struct report *r)
{
	rq_add(q, " day >= ");
	rq_int(q, r->r_fromday);
	rq_add(q, " AND day <= ");
	rq_int(q, r->r_today);
	rq_agents(q, r, "agent");
}

static int
hosts_load(struct report *r, struct hosts *hs)
{
	struct rq	q;
	int		i;

	rq_init(&q);
	rq_add(&q, "SELECT addr, max(name), sum(octets_in), sum(octets_out), "
	    "sum(packets_in), sum(packets_out), count(DISTINCT day) FROM day_hosts "
	    "WHERE");
	rq_days(&q, r);
	rq_add(&q, " GROUP BY addr ORDER BY sum(octets_in) + sum(octets_out) DESC, "
	    "addr LIMIT %d", REPORT_JSON_HOSTS);
	if (rdb_each(r->r_db, &q, host_row, hs, r->r_err, sizeof(r->r_err)) == -1)
		return -1;
	for (i = 0; i < hs->hs_n; i++)
		hs->hs_by_addr[i] = &hs->hs_v[i];
	qsort(hs->hs_by_addr, (size_t)hs->hs_n, sizeof(*hs->hs_by_addr),
	    cmp_host_addr);
	rq_init(&q);
	rq_add(&q, "SELECT addr, service, sum(octets_in), sum(octets_out) "
	    "FROM day_hosts WHERE");
	rq_days(&q, r);
	rq_add(&q, " GROUP BY addr, service ORDER BY addr, sum(octets_in) + "
	    "sum(octets_out) DESC, service");
	return rdb_each(r->r_db, &q, svc_row, hs, r->r_err, sizeof(r->r_err));
}

static void
host_services(FILE *f, const struct host *h)
{
	int	i;

	for (i = 0; i < h->h_nsvc; i++) {
		fprintf(f, "%s", i ? ", " : "");
		html_text(f, h->h_svc[i].hs_name);
		fprintf(f, " %" PRId64 "/%" PRId64, h->h_svc[i].hs_in,
		    h->h_svc[i].hs_out);
	}
}

static int
hosts_json(struct report *r, const struct hosts *hs)
{
	static const char *const names[2] = { "hosts.json", "hosts.js" };
	char	page[600];
	FILE	*f;
	int	i, j, k;

	for (k = 0; k < 2; k++) {
		if ((f = html_site_open(r, names[k])) == NULL)
			return -1;
		if (k == 1)
			fputs("var coremonHosts = ", f);
		fprintf(f, "{\"from\": %d, \"to\": %d, \"hosts\": [\n",
		    r->r_fromday, r->r_today);
		for (i = 0; i < hs->hs_n; i++) {
			const struct host *h = &hs->hs_v[i];

			fprintf(f, "%s{\"a\":", i ? ",\n" : "");
			html_json(f, h->h_addr);
			fprintf(f, ",\"n\":");
			if (h->h_named)
				html_json(f, h->h_name);
			else
				fputs("null", f);
			fprintf(f, ",\"i\":%" PRId64 ",\"o\":%" PRId64 ",\"s\":[",
			    h->h_in, h->h_out);
			for (j = 0; j < h->h_nsvc; j++) {
				fprintf(f, "%s[", j ? "," : "");
				html_json(f, h->h_svc[j].hs_name);
				fprintf(f, ",%" PRId64 ",%" PRId64 "]",
				    h->h_svc[j].hs_in, h->h_svc[j].hs_out);
			}
			fputc(']', f);
			if (h->h_rank <= REPORT_TOP_HOSTS) {
				html_host_page(page, sizeof(page), h->h_addr);
				fprintf(f, ",\"p\":");
				html_json(f, page);
			}
			fputc('}', f);
		}
		fprintf(f, "\n]}%s\n", k == 1 ? ";" : "");
		if (html_site_close(r, f, names[k]) == -1)
			return -1;
	}
	return 0;
}

/* The filter: DOM built with textContent only, so a name is text. */
static const char filter_js[] =
	"'use strict';\n"
	"(function () {\n"
	"  var data = window.coremonHosts, form = document.getElementById('filter');\n"
	"  var body = document.getElementById('found-body');\n"
	"  var count = document.getElementById('found-count');\n"
	"  var sel = document.getElementById('service');\n"
	"  if (!data || !form) return;\n"
	"  var seen = {};\n"
	"  data.hosts.forEach(function (h) { h.s.forEach(function (s) { seen[s[0]] = 1; }); });\n"
	"  Object.keys(seen).sort().forEach(function (s) {\n"
	"    var o = document.createElement('option'); o.value = s; o.textContent = s;\n"
	"    sel.appendChild(o); });\n"
	"  function glob(p) {\n"
	"    var re = p.replace(/[.+^${}()|[\\]\\\\]/g, '\\\\$&').replace(/\\*/g, '.*').replace(/\\?/g, '.');\n"
	"    return new RegExp('^' + re + '$', 'i'); }\n"
	"  function cell(tr, text, cls) { var td = document.createElement('td');\n"
	"    td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); return td; }\n"
	"  function run(ev) {\n"
	"    if (ev) ev.preventDefault();\n"
	"    var pat = document.getElementById('pattern').value.trim() || '*';\n"
	"    var re = glob(pat), svc = sel.value, n = 0;\n"
	"    while (body.firstChild) body.removeChild(body.firstChild);\n"
	"    data.hosts.forEach(function (h) {\n"
	"      if (!re.test(h.a) && !(h.n !== null && re.test(h.n))) return;\n"
	"      var sv = null;\n"
	"      if (svc) { h.s.forEach(function (s) { if (s[0] === svc) sv = s; });\n"
	"        if (!sv) return; }\n"
	"      if (++n > 500) return;\n"
	"      var tr = document.createElement('tr');\n"
	"      var td = cell(tr, '');\n"
	"      if (h.p) { var a = document.createElement('a'); a.href = h.p;\n"
	"        a.textContent = h.a; td.appendChild(a); } else td.textContent = h.a;\n"
	"      cell(tr, h.n === null ? '(unresolved)' : h.n);\n"
	"      cell(tr, String(sv ? sv[1] : h.i), 'n'); cell(tr, String(sv ? sv[2] : h.o), 'n');\n"
	"      cell(tr, h.s.map(function (s) { return s[0]; }).join(' '));\n"
	"      body.appendChild(tr); });\n"
	"    count.textContent = n + (n === 1 ? ' host' : ' hosts') + (n > 500 ? ' (first 500 shown)' : '');\n"
	"  }\n"
	"  form.addEventListener('submit', run);\n"
	"  document.getElementById('pattern').addEventListener('input', run);\n"
	"  sel.addEventListener('change', run);\n"
	"  run();\n"
	"})();\n";

static int
hosts_page(struct report *r, const struct hosts *hs)
{
	char	page[600];
	FILE	*f;
	int	i;

	if ((f = html_site_open(r, "filter.js")) == NULL)
		return -1;
	fputs(filter_js, f);
	if (html_site_close(r, f, "filter.js") == -1)
		return -1;
	if ((f = html_open(r, "hosts.html", "Hosts")) == NULL)
		return -1;
	fprintf(f, "<h2>Find hosts</h2>\n<form id=\"filter\"><label>name or address "
	    "(* and ? match any) <input id=\"pattern\" type=\"text\" value=\"\"></label>"
	    "<label>service <select id=\"service\"><option value=\"\">any</option>"
	    "</select></label><button type=\"submit\">Find</button></form>\n"
	    "<noscript><p>The filter needs JavaScript; the tables below and "
	    "hosts.json do not.</p></noscript>\n<p id=\"found-count\"></p>\n"
	    "<table id=\"found\">\n<thead><tr><th>host</th><th>name</th>"
	    "<th>octets in</th><th>octets out</th><th>services</th></tr></thead>\n"
	    "<tbody id=\"found-body\"><tr><td colspan=\"5\">-</td></tr></tbody>\n"
	    "</table>\n<p>The filter searches the period's %d biggest hosts "
	    "(hosts.json); with a service, the octets are that service's.</p>\n",
	    REPORT_JSON_HOSTS);
	fprintf(f, "<h2>Top hosts</h2>\n<table id=\"tophosts\">\n<thead><tr>"
	    "<th>rank</th><th>host</th><th>name</th><th>octets in</th>"
	    "<th>octets out</th><th>packets in</th><th>packets out</th>"
	    "<th>days seen</th><th>by service, octets in/out</th></tr></thead>\n"
	    "<tbody>\n");
	for (i = 0; i < hs->hs_n && i < REPORT_TOP_HOSTS; i++) {
		const struct host *h = &hs->hs_v[i];

		html_host_page(page, sizeof(page), h->h_addr);
		fprintf(f, "<tr><td class=\"n\">%d</td><td><a href=\"%s\">", h->h_rank,
		    page);
		html_text(f, h->h_addr);
		fprintf(f, "</a></td><td>");
		if (h->h_named)
			html_text(f, h->h_name);
		else
			fprintf(f, "<i>unresolved</i>");
		fprintf(f, "</td>");
		html_td_int(f, h->h_in);
		html_td_int(f, h->h_out);
		html_td_int(f, h->h_pin);
		html_td_int(f, h->h_pout);
		html_td_int(f, h->h_days);
		fprintf(f, "<td>");
		host_services(f, h);
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</tbody>\n</table>\n");
	if (hs->hs_n == 0)
		fprintf(f, "<p>No hosts in the period.</p>\n");
	fprintf(f, "<script src=\"hosts.js\"></script>\n"
	    "<script src=\"filter.js\"></script>\n");
	return html_close(r, f);
}

/* ---- a page per top host --------------------------------------------------- */

struct hday {
	int	 hd_day;
	char	 hd_svc[64];
	int64_t	 hd_v[6];
};

struct hpages {
	struct report	*hp_r;
	struct hosts	*hp_hs;
	char		 hp_addr[RQ_PARAM_LEN];
	struct hday	*hp_rows;
	int		 hp_n, hp_cap;
	int		 hp_failed;
};

static int
hpage_write(struct hpages *hp)
{
	struct report	*r = hp->hp_r;
	struct host	*h = host_find(hp->hp_hs, hp->hp_addr);
	struct series	 s[2];
	char		 page[600], title[700], d[16], (*lab)[16] = NULL;
	const char	**labels = NULL;
	double		*in = NULL, *out = NULL;
	FILE		*f;
	int		 i, nd = 0;

	if (h == NULL || hp->hp_n == 0)
		return 0;
	html_host_page(page, sizeof(page), h->h_addr);
	snprintf(title, sizeof(title), "Host %s", h->h_addr);
	if ((f = html_open(r, page, title)) == NULL)
		return -1;
	fprintf(f, "<p>Name: ");
	if (h->h_named)
		html_text(f, h->h_name);
	else
		fprintf(f, "<i>unresolved</i>");
	fprintf(f, "; rank %d of the period; %" PRId64 " octets in, %" PRId64
	    " octets out.</p>\n", h->h_rank, h->h_in, h->h_out);
	labels = calloc((size_t)hp->hp_n, sizeof(*labels));
	lab = calloc((size_t)hp->hp_n, sizeof(*lab));
	in = calloc((size_t)hp->hp_n, sizeof(*in));
	out = calloc((size_t)hp->hp_n, sizeof(*out));
	if (labels == NULL || lab == NULL || in == NULL || out == NULL)
		goto fail;
	for (i = 0; i < hp->hp_n; i++) {
		if (nd == 0 || hp->hp_rows[i].hd_day != hp->hp_rows[i - 1].hd_day) {
			html_fmt_day(lab[nd], sizeof(lab[nd]), hp->hp_rows[i].hd_day);
			labels[nd] = lab[nd];
			nd++;
		}
		in[nd - 1] += (double)hp->hp_rows[i].hd_v[0];
		out[nd - 1] += (double)hp->hp_rows[i].hd_v[1];
	}
	s[0] = (struct series){ "octets in", "in", in };
	s[1] = (struct series){ "octets out", "out", out };
	svg_bars(f, "The host's octets a day, in and out", labels, nd, s, 2,
	    "octets a day (UTC days)");
	fprintf(f, "<table id=\"history\">\n<thead><tr><th>day (UTC)</th>"
	    "<th>service</th><th>octets in</th><th>octets out</th><th>packets in</th>"
	    "<th>packets out</th><th>first seen (UTC)</th><th>last seen (UTC)</th>"
	    "</tr></thead>\n<tbody>\n");
	for (i = 0; i < hp->hp_n; i++) {
		struct hday	*x = &hp->hp_rows[i];
		char		 a[32], b[32];

		html_fmt_day(d, sizeof(d), x->hd_day);
		fprintf(f, "<tr><td>%s</td><td>", d);
		html_text(f, x->hd_svc);
		fprintf(f, "</td>");
		html_td_int(f, x->hd_v[0]);
		html_td_int(f, x->hd_v[1]);
		html_td_int(f, x->hd_v[2]);
		html_td_int(f, x->hd_v[3]);
		html_fmt_utc(a, sizeof(a), x->hd_v[4]);
		html_fmt_utc(b, sizeof(b), x->hd_v[5]);
		fprintf(f, "<td>%s</td><td>%s</td></tr>\n", a, b);
	}
	fprintf(f, "</tbody>\n</table>\n");
	free(labels);
	free(lab);
	free(in);
	free(out);
	return html_close(r, f);
fail:
	errbuf_set(r->r_err, sizeof(r->r_err), "out of memory");
	free(labels);
	free(lab);
	free(in);
	free(out);
	fclose(f);
	return -1;
}

/* addr, day, service, in, out, pin, pout, first, last; by addr */
static int
hpage_row(void *arg, int n, const char *const *v)
{
	struct hpages	*hp = arg;
	struct hday	*x;
	int		 j;

	if (n < 9)
		return -1;
	if (strcmp(hp->hp_addr, v[0] ? v[0] : "") != 0) {
		if (hpage_write(hp) == -1)
			return -1;
		snprintf(hp->hp_addr, sizeof(hp->hp_addr), "%s", v[0] ? v[0] : "");
		hp->hp_n = 0;
	}
	if (hp->hp_n == hp->hp_cap) {
		int	 cap = hp->hp_cap ? hp->hp_cap * 2 : 64;
		void	*p = realloc(hp->hp_rows, (size_t)cap * sizeof(*x));

		if (p == NULL)
			return -1;
		hp->hp_rows = p;
		hp->hp_cap = cap;
	}
	x = &hp->hp_rows[hp->hp_n++];
	x->hd_day = (int)rdb_int(v[1]);
	snprintf(x->hd_svc, sizeof(x->hd_svc), "%s", v[2] ? v[2] : "");
	for (j = 0; j < 6; j++)
		x->hd_v[j] = rdb_int(v[3 + j]);
	return 0;
}

static int
host_pages(struct report *r, struct hosts *hs)
{
	struct hpages	hp;
	struct rq	q;
	int		i, rc;

	if (hs->hs_n == 0)
		return 0;
	memset(&hp, 0, sizeof(hp));
	hp.hp_r = r;
	hp.hp_hs = hs;
	rq_init(&q);
	rq_add(&q, "SELECT addr, day, service, sum(octets_in), sum(octets_out), "
	    "sum(packets_in), sum(packets_out), min(first_seen), max(last_seen) "
	    "FROM day_hosts WHERE");
	rq_days(&q, r);
	rq_add(&q, " AND addr IN (");
	for (i = 0; i < hs->hs_n && i < REPORT_TOP_HOSTS; i++) {
		rq_add(&q, "%s", i ? ", " : "");
		rq_text(&q, hs->hs_v[i].h_addr);
	}
	rq_add(&q, ") GROUP BY addr, day, service ORDER BY addr, day, service");
	rc = rdb_each(r->r_db, &q, hpage_row, &hp, r->r_err, sizeof(r->r_err));
	if (rc == 0)
		rc = hpage_write(&hp);
	free(hp.hp_rows);
	return rc;
}

int
page_hosts(struct report *r)
{
	struct hosts	hs;
	int		i, rc = -1;

	memset(&hs, 0, sizeof(hs));
	hs.hs_v = calloc(REPORT_JSON_HOSTS, sizeof(*hs.hs_v));
	hs.hs_by_addr = calloc(REPORT_JSON_HOSTS, sizeof(*hs.hs_by_addr));
	if (hs.hs_v == NULL || hs.hs_by_addr == NULL) {
		errbuf_set(r->r_err, sizeof(r->r_err), "out of memory");
		goto out;
	}
	if (hosts_load(r, &hs) == -1 || hosts_json(r, &hs) == -1 ||
	    hosts_page(r, &hs) == -1 || host_pages(r, &hs) == -1)
		goto out;
	rc = 0;
out:
	if (hs.hs_v != NULL)
		for (i = 0; i < hs.hs_n; i++)
			free(hs.hs_v[i].h_svc);
	free(hs.hs_v);
	free(hs.hs_by_addr);
	return rc;
}
