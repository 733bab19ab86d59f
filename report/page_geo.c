/*
 * Domains and countries of the period's remote hosts.
 *
 * Domains: by the names the resolver stored in day_hosts (a row's own
 * name: a host renamed between days counts under each name); the
 * top-level domain is the last label, the registered domain is the
 * public suffix plus one label (libpsl over Debian's publicsuffix list);
 * rows without a name are "unresolved".
 * Countries: each address through the GeoIP country databases Debian
 * ships (libgeoip, geoip-database: GeoIP.dat and GeoIPv6.dat); without
 * them the page says so.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <GeoIP.h>
#include <libpsl.h>

#include "lib/errbuf.h"
#include "report.h"

#define GEO_MAX_KEYS	200000		/* distinct names kept */
#define GEO_KEY_LEN	128
#define GEO_TOP		50		/* rows shown a table */

struct geo_key {
	char	 gk_key[GEO_KEY_LEN];
	int64_t	 gk_in, gk_out, gk_n;
};

struct geo_keys {
	struct geo_key	*gs_v;
	int		 gs_n;
	int64_t		 gs_dropped;		/* past GEO_MAX_KEYS */
};

static int
geo_add(struct geo_keys *g, const char *key, int64_t in, int64_t out,
    int64_t n)
{
	struct geo_key	*k;

	if (g->gs_n == GEO_MAX_KEYS) {
		g->gs_dropped++;
		return 0;
	}
	k = &g->gs_v[g->gs_n++];
	snprintf(k->gk_key, sizeof(k->gk_key), "%s", key);
	k->gk_in = in;
	k->gk_out = out;
	k->gk_n = n;
	return 0;
}

static int
cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct geo_key *)a)->gk_key,
	    ((const struct geo_key *)b)->gk_key);
}

static int
cmp_volume(const void *a, const void *b)
{
	const struct geo_key	*x = a, *y = b;
	int64_t			 vx = x->gk_in + x->gk_out, vy = y->gk_in + y->gk_out;

	if (vx != vy)
		return vx > vy ? -1 : 1;
	return strcmp(x->gk_key, y->gk_key);
}

/* Adds up equal keys, then sorts by volume. */
static void
geo_merge(struct geo_keys *g)
{
	int	i, o = 0;

	qsort(g->gs_v, (size_t)g->gs_n, sizeof(*g->gs_v), cmp_key);
	for (i = 0; i < g->gs_n; i++) {
		if (o > 0 && strcmp(g->gs_v[o - 1].gk_key, g->gs_v[i].gk_key) == 0) {
			g->gs_v[o - 1].gk_in += g->gs_v[i].gk_in;
			g->gs_v[o - 1].gk_out += g->gs_v[i].gk_out;
			g->gs_v[o - 1].gk_n += g->gs_v[i].gk_n;
		} else
			g->gs_v[o++] = g->gs_v[i];
	}
	g->gs_n = o;
	qsort(g->gs_v, (size_t)g->gs_n, sizeof(*g->gs_v), cmp_volume);
}

static void
geo_table(FILE *f, const struct geo_keys *g, const char *id, const char *what,
    const char *count, const char *title)
{
	struct series	 s[2];
	const char	*labels[GEO_TOP];
	double		 in[GEO_TOP], out[GEO_TOP];
	int		 i, n = g->gs_n < GEO_TOP ? g->gs_n : GEO_TOP;

	for (i = 0; i < n; i++) {
		labels[i] = g->gs_v[i].gk_key;
		in[i] = (double)g->gs_v[i].gk_in;
		out[i] = (double)g->gs_v[i].gk_out;
	}
	s[0] = (struct series){ "octets in", "in", in };
	s[1] = (struct series){ "octets out", "out", out };
	if (n > 0)
		svg_bars(f, title, labels, n < 20 ? n : 20, s, 2, "octets");
	fprintf(f, "<table id=\"%s\">\n<thead><tr><th>%s</th><th>octets in</th>"
	    "<th>octets out</th><th>%s</th></tr></thead>\n<tbody>\n", id, what,
	    count);
	for (i = 0; i < n; i++) {
		fprintf(f, "<tr><td>");
		html_text(f, g->gs_v[i].gk_key);
		fprintf(f, "</td>");
		html_td_int(f, g->gs_v[i].gk_in);
		html_td_int(f, g->gs_v[i].gk_out);
		html_td_int(f, g->gs_v[i].gk_n);
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</tbody>\n</table>\n");
	if (g->gs_n > n)
		fprintf(f, "<p>The %d biggest of %d.</p>\n", n, g->gs_n);
	if (n == 0)
		fprintf(f, "<p>None in the period.</p>\n");
}

static void
rq_period(struct rq *q, const struct report *r)
{
	rq_add(q, " WHERE day >= ");
	rq_int(q, r->r_fromday);
	rq_add(q, " AND day <= ");
	rq_int(q, r->r_today);
	rq_agents(q, r, "agent");
}

/* ---- domains -------------------------------------------------------------- */

struct dom_acc {
	const psl_ctx_t	*da_psl;
	struct geo_keys	 da_tld, da_reg;
};

/* name, in, out, addresses */
static int
dom_row(void *arg, int n, const char *const *v)
{
	struct dom_acc	*a = arg;
	char		 name[256];
	const char	*tld, *reg;
	size_t		 i, len;

	if (n < 4)
		return -1;
	if (v[0] == NULL) {
		geo_add(&a->da_tld, "(unresolved)", rdb_int(v[1]), rdb_int(v[2]),
		    rdb_int(v[3]));
		return geo_add(&a->da_reg, "(unresolved)", rdb_int(v[1]),
		    rdb_int(v[2]), rdb_int(v[3]));
	}
	snprintf(name, sizeof(name), "%s", v[0]);
	len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		name[--len] = '\0';		/* the root's dot */
	for (i = 0; i < len; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	tld = strrchr(name, '.') ? strrchr(name, '.') + 1 : name;
	reg = psl_registrable_domain(a->da_psl, name);
	geo_add(&a->da_tld, tld, rdb_int(v[1]), rdb_int(v[2]), rdb_int(v[3]));
	/* a public suffix itself, or no dot: the name is its own */
	return geo_add(&a->da_reg, reg ? reg : name, rdb_int(v[1]),
	    rdb_int(v[2]), rdb_int(v[3]));
}

int
page_domains(struct report *r)
{
	struct dom_acc	 a;
	struct rq	 q;
	FILE		*f = NULL;
	int		 rc = -1;

	memset(&a, 0, sizeof(a));
	/* Debian's list when present, else the one built into libpsl */
	if ((a.da_psl = psl_latest(NULL)) == NULL)
		a.da_psl = psl_builtin();
	a.da_tld.gs_v = calloc(GEO_MAX_KEYS, sizeof(struct geo_key));
	a.da_reg.gs_v = calloc(GEO_MAX_KEYS, sizeof(struct geo_key));
	if (a.da_psl == NULL || a.da_tld.gs_v == NULL || a.da_reg.gs_v == NULL) {
		errbuf_set(r->r_err, sizeof(r->r_err), "no public suffix list or "
		    "no memory");
		goto out;
	}
	rq_init(&q);
	rq_add(&q, "SELECT name, sum(octets_in), sum(octets_out), "
	    "count(DISTINCT addr) FROM day_hosts");
	rq_period(&q, r);
	rq_add(&q, " GROUP BY name");
	if (rdb_each(r->r_db, &q, dom_row, &a, r->r_err, sizeof(r->r_err)) == -1)
		goto out;
	geo_merge(&a.da_tld);
	geo_merge(&a.da_reg);
	if ((f = html_open(r, "domains.html", "Domains")) == NULL)
		goto out;
	fprintf(f, "<p>Volume by the names the resolver found for the remote "
	    "hosts; hosts without a name are counted as unresolved. Addresses: "
	    "distinct addresses under each name, added up.</p>\n"
	    "<h2>Top-level domains</h2>\n");
	geo_table(f, &a.da_tld, "tlds", "top-level domain", "addresses",
	    "Octets by top-level domain");
	fprintf(f, "<h2>Registered domains</h2>\n");
	geo_table(f, &a.da_reg, "domains", "registered domain", "addresses",
	    "Octets by registered domain");
	if (a.da_reg.gs_dropped > 0)
		fprintf(f, "<p>%" PRId64 " names past the first %d were left out.</p>\n",
		    a.da_reg.gs_dropped, GEO_MAX_KEYS);
	rc = html_close(r, f);
	f = NULL;
out:
	if (f != NULL)
		fclose(f);
	if (a.da_psl != NULL && a.da_psl != psl_builtin())
		psl_free((psl_ctx_t *)a.da_psl);
	free(a.da_tld.gs_v);
	free(a.da_reg.gs_v);
	return rc;
}

/* ---- countries ------------------------------------------------------------ */

#define GEO_COUNTRIES	512

struct country_acc {
	GeoIP	*ca_v4, *ca_v6;
	int64_t	 ca_in[GEO_COUNTRIES], ca_out[GEO_COUNTRIES], ca_n[GEO_COUNTRIES];
};

/* addr, in, out */
static int
country_row(void *arg, int n, const char *const *v)
{
	struct country_acc	*a = arg;
	int			 id = 0;

	if (n < 3 || v[0] == NULL)
		return -1;
	if (strchr(v[0], ':') != NULL) {
		if (a->ca_v6 != NULL)
			id = GeoIP_id_by_addr_v6(a->ca_v6, v[0]);
	} else if (a->ca_v4 != NULL)
		id = GeoIP_id_by_addr(a->ca_v4, v[0]);
	if (id < 0 || id >= GEO_COUNTRIES)
		id = 0;				/* 0: not in the database */
	a->ca_in[id] += rdb_int(v[1]);
	a->ca_out[id] += rdb_int(v[2]);
	a->ca_n[id]++;
	return 0;
}

int
page_countries(struct report *r)
{
	struct country_acc	*a;
	struct geo_keys		 g;
	struct rq		 q;
	char			 key[GEO_KEY_LEN], p4[512], p6[512];
	FILE			*f = NULL;
	int			 i, rc = -1;

	memset(&g, 0, sizeof(g));
	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (g.gs_v = calloc(GEO_COUNTRIES, sizeof(*g.gs_v))) == NULL) {
		errbuf_set(r->r_err, sizeof(r->r_err), "out of memory");
		goto out;
	}
	snprintf(p4, sizeof(p4), "%s/GeoIP.dat", r->r_geoip);
	snprintf(p6, sizeof(p6), "%s/GeoIPv6.dat", r->r_geoip);
	/* GEOIP_SILENCE: a missing file is said on the page, not stderr */
	a->ca_v4 = GeoIP_open(p4, GEOIP_MEMORY_CACHE | GEOIP_SILENCE);
	a->ca_v6 = GeoIP_open(p6, GEOIP_MEMORY_CACHE | GEOIP_SILENCE);
	if ((f = html_open(r, "countries.html", "Countries")) == NULL)
		goto out;
	if (a->ca_v4 == NULL && a->ca_v6 == NULL) {
		fprintf(f, "<p id=\"nogeoip\">No GeoIP country database: neither "
		    "%s nor %s opens (Debian package geoip-database). The other "
		    "pages do not need it.</p>\n", p4, p6);
		rc = html_close(r, f);
		f = NULL;
		goto out;
	}
	rq_init(&q);
	rq_add(&q, "SELECT addr, sum(octets_in), sum(octets_out) FROM day_hosts");
	rq_period(&q, r);
	rq_add(&q, " GROUP BY addr");
	if (rdb_each(r->r_db, &q, country_row, a, r->r_err, sizeof(r->r_err)) == -1)
		goto out;
	for (i = 0; i < GEO_COUNTRIES; i++) {
		if (a->ca_n[i] == 0)
			continue;
		if (i == 0)
			snprintf(key, sizeof(key), "-- (not in the database: "
			    "private, reserved or unknown)");
		else
			snprintf(key, sizeof(key), "%s %s",
			    GeoIP_code_by_id(i) ? GeoIP_code_by_id(i) : "??",
			    GeoIP_name_by_id(i) ? GeoIP_name_by_id(i) : "?");
		geo_add(&g, key, a->ca_in[i], a->ca_out[i], a->ca_n[i]);
	}
	geo_merge(&g);
	fprintf(f, "<p>Volume by the country of the remote host's address "
	    "(GeoIP country databases: IPv4 %s, IPv6 %s).</p>\n",
	    a->ca_v4 ? "yes" : "absent", a->ca_v6 ? "yes" : "absent");
	geo_table(f, &g, "countries", "country", "hosts",
	    "Octets by country");
	rc = html_close(r, f);
	f = NULL;
out:
	if (f != NULL)
		fclose(f);
	if (a != NULL) {
		if (a->ca_v4 != NULL)
			GeoIP_delete(a->ca_v4);
		if (a->ca_v6 != NULL)
			GeoIP_delete(a->ca_v6);
	}
	free(a);
	free(g.gs_v);
	return rc;
}
