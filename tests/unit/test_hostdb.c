/*
 * hostdb: sessions fold into per-host totals whose per-service split adds
 * up (against sums the test makes itself, and a model of many random
 * windows); local traffic stays out, scope "all" takes both ends of
 * transit; eviction under the cap keeps the heaviest and never this
 * window's top hosts, and counts; held snapshots never change (copy on
 * write); counters too big for the narrow rows stay exact; save/load is
 * an identical round trip; every truncation of a small file, random
 * bytes, a foreign magic, a newer version and a payload with valid
 * checksums but bad contents are each moved aside with their bytes
 * intact and nothing loaded; a save killed (SIGKILL) at random points
 * always leaves the last complete file; the monthly reset writes a
 * gzip archive of the month and clears the database.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "check.h"
#include "fixture.h"
#include "lib/crc32c.h"
#include "store/hostdb.h"
#include "store/hostdb_file.h"
#include "store/resolver.h"

#define TCP	6
#define UDP	17
#define SEC	1000000LL
#define T0	(1717200000LL * SEC)	/* 2024-06-01T00:00:00Z */

static struct services	*sv;
static char		 dir[64];

static unsigned int
service(const char *name)
{
	return fixture_service(sv, name);
}

static void
addr_of(const char *text, int *family, uint8_t *a)
{
	*family = fixture_addr(text, a);
}

static struct session
sess(const char *local, const char *remote, uint16_t port, const char *svc,
    uint64_t oi, uint64_t oo, uint64_t pi, uint64_t po)
{
	struct session_counts	c = { oi, oo, pi, po };

	return fixture_session(local, remote, TCP, port, service(svc), &c);
}

static int
window(struct hostdb *hd, int64_t start, const struct session *s, size_t n)
{
	struct window_closed	wd;

	fixture_window(&wd, start, s, n);
	return hostdb_add_window(hd, &wd);
}

static struct hostdb *
new_db(size_t max, unsigned int top, int scope, const char *file)
{
	struct hostdb_config	hc;

	hostdb_config_default(&hc);
	hc.hc_max_hosts = max;
	hc.hc_top_hosts = top;
	hc.hc_scope = scope;
	hc.hc_file = file;
	return hostdb_new(&hc, sv);
}

/* The host at addr in the latest snapshot; 0 when found. */
static int
find(struct hostdb *hd, const char *text, struct hostdb_host *hh)
{
	const struct hostdb_snapshot	*sn = hostdb_acquire(hd);
	uint8_t				 a[16];
	int				 family, rc = -1;
	size_t				 pos;

	addr_of(text, &family, a);
	pos = hostdb_snapshot_seek(sn, family, a);
	if (pos < sn->hs_entries && hostdb_snapshot_host(sn, pos, hh) == 0 &&
	    hh->hh_family == family && memcmp(hh->hh_addr, a, 16) == 0)
		rc = 0;
	hostdb_release(sn);
	return rc;
}

static const struct hostdb_service *
row(const struct hostdb_host *hh, const char *svc)
{
	unsigned int	i;

	for (i = 0; i < hh->hh_nservices; i++)
		if (hh->hh_services[i].hv_service == service(svc))
			return &hh->hh_services[i];
	return NULL;
}

/* The services of a host add up to its totals, in index order. */
static int
adds_up(const struct hostdb_host *hh)
{
	struct session_counts	s = { 0, 0, 0, 0 };
	unsigned int		i;

	for (i = 0; i < hh->hh_nservices; i++) {
		if (i > 0 && hh->hh_services[i].hv_service <=
		    hh->hh_services[i - 1].hv_service)
			return 0;
		s.sc_octets_in += hh->hh_services[i].hv_counts.sc_octets_in;
		s.sc_octets_out += hh->hh_services[i].hv_counts.sc_octets_out;
		s.sc_packets_in += hh->hh_services[i].hv_counts.sc_packets_in;
		s.sc_packets_out += hh->hh_services[i].hv_counts.sc_packets_out;
	}
	return memcmp(&s, &hh->hh_counts, sizeof(s)) == 0;
}

static void
test_fold(void)
{
	struct hostdb		*hd = new_db(1000, 10, HOSTDB_SCOPE_REMOTE, NULL);
	struct hostdb_host	 hh;
	const struct hostdb_service *r;
	const struct hostdb_snapshot *sn;
	struct session		 s[6];

	s[0] = sess("10.0.0.1", "192.0.2.7", 80, "www", 1000, 200, 10, 5);
	s[1] = sess("10.0.0.2", "192.0.2.7", 443, "www", 3000, 400, 30, 7);
	s[2] = sess("10.0.0.1", "192.0.2.7", 53, "dns", 90, 60, 1, 1);
	s[3] = sess("10.0.0.1", "2001:db8::5", 22, "ssh", 5, 6, 7, 8);
	s[4] = sess("10.0.0.1", "192.0.2.3", 0, "other", 100, 0, 1, 0);
	s[5] = sess("10.0.0.1", "192.0.2.7", 25, "mail", 1, 2, 3, 4);
	CHECK(window(hd, T0, s, 6) == 0, "a window folds");
	sn = hostdb_acquire(hd);
	CHECK_U64(sn->hs_entries, 3, "three remote hosts");
	CHECK_U64(sn->hs_ntop, 3, "three in the top list");
	CHECK(sn->hs_ntop == 3 && sn->hs_top[0].ht_addr[3] == 7 &&
	    sn->hs_top[0].ht_counts.sc_octets_in == 4091 &&
	    sn->hs_top[0].ht_rate == (4091 + 662) / 30 &&
	    sn->hs_top[0].ht_sessions == 4,
	    "rank 1 is 192.0.2.7 with its window octets, rate and sessions");
	CHECK(sn->hs_ntop == 3 && sn->hs_top[2].ht_family == AF_INET6,
	    "rank 3 is the IPv6 host (11 octets)");
	hostdb_snapshot_host(sn, 0, &hh);
	CHECK(hh.hh_family == AF_INET && hh.hh_addr[3] == 3,
	    "index order: 192.0.2.3 first");
	hostdb_snapshot_host(sn, 2, &hh);
	CHECK(hh.hh_family == AF_INET6, "index order: IPv6 after IPv4");
	hostdb_release(sn);

	CHECK(find(hd, "192.0.2.7", &hh) == 0, "192.0.2.7 is in the database");
	CHECK(hh.hh_counts.sc_octets_in == 4091 &&
	    hh.hh_counts.sc_octets_out == 662 &&
	    hh.hh_counts.sc_packets_in == 44 &&
	    hh.hh_counts.sc_packets_out == 17,
	    "its totals are the sum of its sessions");
	r = row(&hh, "www");
	CHECK(r != NULL && r->hv_counts.sc_octets_in == 4000 &&
	    r->hv_counts.sc_octets_out == 600 &&
	    r->hv_counts.sc_packets_in == 40 && r->hv_counts.sc_packets_out == 12,
	    "www row: two sessions summed");
	r = row(&hh, "dns");
	CHECK(r != NULL && r->hv_counts.sc_octets_in == 90, "dns row");
	CHECK(hh.hh_nservices == 3 && adds_up(&hh),
	    "three services adding up to the total, by service index");
	CHECK(hh.hh_sessions == 4 && hh.hh_first_seen == T0 / SEC &&
	    hh.hh_last_seen == T0 / SEC, "sessions, first and last seen");

	s[0] = sess("10.0.0.1", "192.0.2.7", 80, "www", 1, 1, 1, 1);
	CHECK(window(hd, T0 + 30 * SEC, s, 1) == 0, "a second window folds");
	CHECK(find(hd, "192.0.2.7", &hh) == 0 &&
	    hh.hh_counts.sc_octets_in == 4092 && hh.hh_sessions == 5 &&
	    hh.hh_first_seen == T0 / SEC && hh.hh_last_seen == T0 / SEC + 30,
	    "it adds up across windows; last seen moves");
	hostdb_free(hd);
}

/* More than HOSTDB_SERVICES - 1 services go to "other"; counters past
 * 48 and 32 bits stay exact. */
static void
test_rows(void)
{
	struct hostdb		*hd = new_db(10, 10, HOSTDB_SCOPE_REMOTE, NULL);
	struct hostdb_host	 hh;
	struct session		 s[9];
	static const char	*names[] = { "ftp", "ssh", "telnet", "mail",
				    "dns", "www", "ntp", "other" };
	size_t			 i;
	uint64_t		 big = (UINT64_C(1) << 48) + 12345;

	/* A catalogue with a ninth service before "other". */
	for (i = 0; i < 8; i++)
		s[i] = sess("10.0.0.1", "192.0.2.9", (uint16_t)(i + 1),
		    names[i], 100 * (i + 1), 1, 1, 1);
	s[8] = sess("10.0.0.1", "192.0.2.9", 9999, "extra", 7, 0, 0, 0);
	CHECK(service("extra") == 8 && service("other") == 9,
	    "a ninth service in the catalogue");
	CHECK(window(hd, T0, s, 9) == 0, "nine services in one window");
	CHECK(find(hd, "192.0.2.9", &hh) == 0 &&
	    hh.hh_nservices == HOSTDB_SERVICES && adds_up(&hh),
	    "eight rows, adding up");
	CHECK(row(&hh, "other") != NULL &&
	    row(&hh, "other")->hv_counts.sc_octets_in == 800 + 7 &&
	    row(&hh, "extra") == NULL,
	    "the eighth catalogue service went to other");
	CHECK_U64(hh.hh_counts.sc_octets_in, 3600 + 7, "the total is exact");

	s[0] = sess("10.0.0.1", "192.0.2.9", 80, "www", big, 1,
	    UINT32_MAX, 2);
	CHECK(window(hd, T0 + 30 * SEC, s, 1) == 0 &&
	    window(hd, T0 + 60 * SEC, s, 1) == 0,
	    "two windows of 2^48 octets and 2^32 packets");
	CHECK(find(hd, "192.0.2.9", &hh) == 0 &&
	    row(&hh, "www")->hv_counts.sc_octets_in == 600 + 2 * big &&
	    row(&hh, "www")->hv_counts.sc_packets_in ==
	    1 + 2 * (uint64_t)UINT32_MAX && adds_up(&hh),
	    "past the narrow rows' width: exact, and still adding up");
	hostdb_free(hd);
}

/* Local-only traffic, remote and transit through the real window. */
static void
consume(const struct window_closed *wd, void *arg)
{
	hostdb_add_window(arg, wd);
}

static struct decode_pkt
pkt(const char *src, uint16_t sport, const char *dst, uint16_t dport,
    uint32_t len)
{
	return fixture_pkt(src, sport, dst, dport, TCP, len);
}

static void
test_scope(int scope)
{
	struct window_config	 wc;
	struct localnet		*ln = localnet_new();
	struct window		*w;
	struct hostdb		*hd = new_db(100, 10, scope, NULL);
	struct hostdb_host	 hh;
	struct decode_pkt	 dp;
	const struct hostdb_snapshot *sn;
	char			 err[128];

	localnet_parse(ln, "10.0.0.0/8", err, sizeof(err));
	window_config_default(&wc);
	w = window_new(&wc, sv, ln);
	window_set_consumer(w, consume, hd);
	dp = pkt("10.0.0.1", 5000, "10.0.0.2", 80, 500);
	window_add_packet(w, &dp, T0 + 1, 0);
	dp = pkt("192.0.2.7", 80, "10.0.0.1", 40000, 1500);
	window_add_packet(w, &dp, T0 + 2, 0);
	dp = pkt("10.0.0.1", 40000, "192.0.2.7", 80, 60);
	window_add_packet(w, &dp, T0 + 3, 1);
	dp = pkt("203.0.113.5", 53, "198.51.100.1", 3000, 200);
	window_add_packet(w, &dp, T0 + 4, 0);
	dp = pkt("198.51.100.1", 3000, "203.0.113.5", 53, 70);
	window_add_packet(w, &dp, T0 + 5, 0);
	window_flush(w);
	sn = hostdb_acquire(hd);
	if (scope == HOSTDB_SCOPE_REMOTE) {
		CHECK_U64(sn->hs_entries, 1, "scope remote: one host, no "
		    "local and no transit ends");
		CHECK(find(hd, "10.0.0.2", &hh) < 0 &&
		    find(hd, "10.0.0.1", &hh) < 0, "local hosts are not in it");
	} else {
		CHECK_U64(sn->hs_entries, 3, "scope all: the remote host and "
		    "both transit ends");
		CHECK(find(hd, "198.51.100.1", &hh) == 0 &&
		    hh.hh_counts.sc_octets_in == 70 &&
		    hh.hh_counts.sc_octets_out == 200 &&
		    row(&hh, "dns") != NULL, "transit, lower end: sent 70, "
		    "received 200, dns");
		CHECK(find(hd, "203.0.113.5", &hh) == 0 &&
		    hh.hh_counts.sc_octets_in == 200 &&
		    hh.hh_counts.sc_octets_out == 70 &&
		    hh.hh_counts.sc_packets_in == 1, "transit, higher end: "
		    "sent 200, received 70");
	}
	CHECK(find(hd, "192.0.2.7", &hh) == 0 &&
	    hh.hh_counts.sc_octets_in == 1500 &&
	    hh.hh_counts.sc_octets_out == 60 && hh.hh_source == 0,
	    "the remote host: in is what it sent; its session's source");
	hostdb_release(sn);
	window_free(w);
	localnet_free(ln);
	hostdb_free(hd);
}

static void
host_addr(char *buf, size_t len, unsigned int i)
{
	snprintf(buf, len, "198.18.%u.%u", i / 250, i % 250 + 1);
}

static void
test_eviction(void)
{
	struct hostdb		*hd = new_db(100, 5, HOSTDB_SCOPE_REMOTE, NULL);
	struct session		*s = calloc(200, sizeof(*s));
	struct hostdb_host	 hh;
	const struct hostdb_snapshot *sn;
	char			 a[32];
	unsigned int		 i, kept;

	/* 100 hosts, host i carrying (i + 1) * 1000 octets. */
	for (i = 0; i < 100; i++) {
		host_addr(a, sizeof(a), i);
		s[i] = sess("10.0.0.1", a, 80, "www", (i + 1) * 1000, 0, 1, 0);
	}
	window(hd, T0, s, 100);
	sn = hostdb_acquire(hd);
	CHECK(sn->hs_entries == 100 && sn->hs_evictions == 0,
	    "the cap is reached without eviction");
	hostdb_release(sn);

	/* 10 new light hosts: 110 > 100, evict down to 95, the lightest. */
	for (i = 0; i < 10; i++) {
		host_addr(a, sizeof(a), 100 + i);
		s[i] = sess("10.0.0.1", a, 80, "www", 500 + i, 0, 1, 0);
	}
	window(hd, T0 + 30 * SEC, s, 10);
	sn = hostdb_acquire(hd);
	CHECK_U64(sn->hs_entries, 95, "evicted down to 95%% of the cap");
	CHECK_U64(sn->hs_evictions, 15, "15 evictions counted");
	hostdb_release(sn);
	for (i = 0, kept = 0; i < 100; i++) {
		host_addr(a, sizeof(a), i);
		kept += find(hd, a, &hh) == 0;
	}
	host_addr(a, sizeof(a), 9);
	CHECK(kept == 90 && find(hd, a, &hh) < 0,
	    "the 10 lightest old hosts went (90 kept)");
	for (i = 0, kept = 0; i < 10; i++) {
		host_addr(a, sizeof(a), 100 + i);
		kept += find(hd, a, &hh) == 0;
	}
	CHECK(kept == 5, "the window's top 5 new hosts stayed, the other 5 "
	    "(lighter than every old host) were not stored");

	/* 6 new hosts lighter than everything, but 5 of them are this
	 * window's top list: they stay, heavier hosts go instead. */
	for (i = 0; i < 6; i++) {
		host_addr(a, sizeof(a), 200 + i);
		s[i] = sess("10.0.0.1", a, 80, "www", 10 + i, 0, 1, 0);
	}
	window(hd, T0 + 60 * SEC, s, 6);
	for (i = 1, kept = 0; i < 6; i++) {
		host_addr(a, sizeof(a), 200 + i);
		kept += find(hd, a, &hh) == 0;
	}
	sn = hostdb_acquire(hd);
	CHECK(kept == 5, "a window's top hosts are never evicted");
	host_addr(a, sizeof(a), 200);
	CHECK(find(hd, a, &hh) < 0, "its sixth, lightest host is");
	CHECK(sn->hs_entries == 95 && sn->hs_evictions == 15 + 6,
	    "95 + 6 > 100: six more evicted, the lightest of the rest");
	hostdb_release(sn);
	host_addr(a, sizeof(a), 99);
	CHECK(find(hd, a, &hh) == 0, "the heaviest host survives everything");
	free(s);
	hostdb_free(hd);
}

/* A brute-force model over many random windows: every host's totals
 * and services, the index order, held snapshots unchanged. */
struct model_host {
	int			mh_family;
	uint8_t			mh_addr[16];
	struct session_counts	mh_svc[SERVICES_MAX + 1];
	uint32_t		mh_sessions;
};

static int
model_cmp(const void *a, const void *b)
{
	const struct model_host	*x = a, *y = b;

	return hostdb_addr_cmp(x->mh_family, x->mh_addr, y->mh_family,
	    y->mh_addr);
}

static int
snapshot_matches(const struct hostdb_snapshot *sn, struct model_host *m,
    size_t nm)
{
	struct hostdb_host	hh;
	size_t			i, k = 0, j;
	unsigned int		r;

	for (i = 0; i < nm; i++) {
		if (m[i].mh_sessions == 0)
			continue;
		if (k >= sn->hs_entries || hostdb_snapshot_host(sn, k++, &hh) ||
		    hh.hh_family != m[i].mh_family ||
		    memcmp(hh.hh_addr, m[i].mh_addr, 16) != 0 ||
		    hh.hh_sessions != m[i].mh_sessions || !adds_up(&hh))
			return 0;
		for (j = 1, r = 0; j <= services_count(sv); j++) {
			if (m[i].mh_svc[j].sc_packets_in == 0)
				continue;
			if (r >= hh.hh_nservices ||
			    hh.hh_services[r].hv_service != j ||
			    memcmp(&hh.hh_services[r].hv_counts, &m[i].mh_svc[j],
			    sizeof(struct session_counts)) != 0)
				return 0;
			r++;
		}
		if (r != hh.hh_nservices)
			return 0;
	}
	return k == sn->hs_entries;
}

static void
test_model(void)
{
	struct hostdb		*hd = new_db(100000, 20, HOSTDB_SCOPE_REMOTE,
				    NULL);
	struct model_host	*m = calloc(3000, sizeof(*m));
	struct model_host	*copy = calloc(3000, sizeof(*m));
	struct session		*s = calloc(500, sizeof(*s));
	const struct hostdb_snapshot *held = NULL, *sn;
	uint64_t		 x = 88172645463325252ULL;
	size_t			 i, k, n;
	unsigned int		 svc;
	int			 ok = 1, held_ok = 1, w;

	for (i = 0; i < 3000; i++) {
		m[i].mh_family = i % 5 == 0 ? AF_INET6 : AF_INET;
		m[i].mh_addr[0] = m[i].mh_family == AF_INET ? 198 : 0x20;
		m[i].mh_addr[1] = (uint8_t)(i >> 8);
		m[i].mh_addr[2] = (uint8_t)i;
		m[i].mh_addr[3] = 1;
		if (m[i].mh_family == AF_INET6)
			m[i].mh_addr[15] = (uint8_t)(i * 7);
	}
	for (w = 0; w < 60; w++) {
		n = 1 + fixture_random(&x) % 500;
		for (i = 0; i < n; i++) {
			k = fixture_random(&x) % (w < 30 ? 1000 : 3000);
			memset(&s[i], 0, sizeof(s[i]));
			s[i].se_key.sk_family = (uint8_t)m[k].mh_family;
			s[i].se_key.sk_local[0] = 10;
			memcpy(s[i].se_key.sk_remote, m[k].mh_addr, 16);
			/* Distinct sessions of a host: by local address. */
			s[i].se_key.sk_local[3] = (uint8_t)i;
			s[i].se_key.sk_local[2] = (uint8_t)(i >> 8);
			/* Seven catalogue services and "other". */
			svc = 1 + (unsigned int)(fixture_random(&x) % 8);
			if (svc == 8)
				svc = service("other");
			s[i].se_service = (uint8_t)svc;
			s[i].se_octets_in = fixture_random(&x) % 100000;
			s[i].se_octets_out = fixture_random(&x) % 1000;
			s[i].se_packets_in = 1 + fixture_random(&x) % 100;
			s[i].se_packets_out = fixture_random(&x) % 100;
			m[k].mh_svc[svc].sc_octets_in += s[i].se_octets_in;
			m[k].mh_svc[svc].sc_octets_out += s[i].se_octets_out;
			m[k].mh_svc[svc].sc_packets_in += s[i].se_packets_in;
			m[k].mh_svc[svc].sc_packets_out += s[i].se_packets_out;
			m[k].mh_sessions++;
		}
		window(hd, T0 + w * 30 * SEC, s, n);
		if (w == 20) {
			held = hostdb_acquire(hd);
			memcpy(copy, m, 3000 * sizeof(*m));
			qsort(copy, 3000, sizeof(*copy), model_cmp);
		}
		if (w % 10 == 9) {
			sn = hostdb_acquire(hd);
			{
				struct model_host *sorted = calloc(3000,
				    sizeof(*sorted));

				memcpy(sorted, m, 3000 * sizeof(*m));
				qsort(sorted, 3000, sizeof(*sorted), model_cmp);
				ok &= snapshot_matches(sn, sorted, 3000);
				free(sorted);
			}
			hostdb_release(sn);
			if (held != NULL)
				held_ok &= snapshot_matches(held, copy, 3000);
		}
	}
	CHECK(ok, "60 random windows over 3000 hosts: every host, service "
	    "and the index order equal a brute-force model");
	CHECK(held != NULL && held_ok, "a snapshot held over 40 later windows "
	    "still shows window 21's database exactly (copy on write)");
	sn = hostdb_acquire(hd);
	CHECK(sn->hs_copied_chunks > 0, "chunks were copied on write (%llu)",
	    (unsigned long long)sn->hs_copied_chunks);
	hostdb_release(sn);
	hostdb_release(held);
	free(m);
	free(copy);
	free(s);
	hostdb_free(hd);
}

/* ---- files ---- */

static void
path_in(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static int
same_host(const struct hostdb_host *a, const struct hostdb_host *b)
{
	return a->hh_family == b->hh_family &&
	    memcmp(a->hh_addr, b->hh_addr, 16) == 0 &&
	    a->hh_source == b->hh_source &&
	    memcmp(&a->hh_counts, &b->hh_counts, sizeof(a->hh_counts)) == 0 &&
	    a->hh_sessions == b->hh_sessions &&
	    a->hh_first_seen == b->hh_first_seen &&
	    a->hh_last_seen == b->hh_last_seen &&
	    strcmp(a->hh_name, b->hh_name) == 0 &&
	    a->hh_name_time == b->hh_name_time &&
	    a->hh_nservices == b->hh_nservices &&
	    memcmp(a->hh_services, b->hh_services,
	    a->hh_nservices * sizeof(a->hh_services[0])) == 0;
}

static int
same_db(struct hostdb *x, struct hostdb *y)
{
	const struct hostdb_snapshot	*a = hostdb_acquire(x);
	const struct hostdb_snapshot	*b = hostdb_acquire(y);
	struct hostdb_host		 ha, hb;
	size_t				 i;
	int				 same = a->hs_entries == b->hs_entries &&
					    a->hs_period == b->hs_period;

	for (i = 0; same && i < a->hs_entries; i++)
		same = hostdb_snapshot_host(a, i, &ha) == 0 &&
		    hostdb_snapshot_host(b, i, &hb) == 0 && same_host(&ha, &hb);
	hostdb_release(a);
	hostdb_release(b);
	return same;
}

/* A database of n hosts of all kinds; marker in every host's source. */
static void
fill(struct hostdb *hd, size_t n, unsigned int marker)
{
	struct session	*s = calloc(n, sizeof(*s));
	char		 a[64];
	size_t		 i;

	for (i = 0; i < n; i++) {
		if (i % 3 == 2)
			snprintf(a, sizeof(a), "2001:db8:%zx::%zx", i >> 8, i);
		else
			snprintf(a, sizeof(a), "198.%zu.%zu.%zu", 18 + i / 65536,
			    i / 256 % 256, i % 256);
		s[i] = sess("10.0.0.1", a, 80, i % 2 ? "www" : "dns",
		    i * 1000 + 1, i, i % 7 + 1, i % 5);
		s[i].se_source = (uint16_t)marker;
	}
	window(hd, T0, s, n);
	s[0] = sess("10.0.0.1", "198.18.0.0", 25, "mail",
	    (UINT64_C(1) << 50), 7, 1, 1);
	s[0].se_source = (uint16_t)marker;
	window(hd, T0 + 30 * SEC, s, 1);	/* a wide host */
	free(s);
}

static size_t
file_size(const char *path)
{
	struct stat	st;

	return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE	*f = fopen(path, "rb");
	uint8_t	*buf;

	*len = file_size(path);
	buf = malloc(*len + 1);
	if (f == NULL || buf == NULL ||
	    fread(buf, 1, *len, f) != *len) {
		if (f != NULL)
			fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	return buf;
}

static void
write_file(const char *path, const void *buf, size_t len)
{
	FILE	*f = fopen(path, "wb");

	if (f != NULL) {
		if (len > 0)
			fwrite(buf, 1, len, f);
		fclose(f);
	}
}

/* Removes every FILE.corrupt-* of dir; how many there were and whether
 * exactly one held want. */
static size_t
sweep_corrupt(const char *base, const void *want, size_t wantlen,
    int *matched)
{
	DIR		*d = opendir(dir);
	struct dirent	*de;
	char		 path[512];
	uint8_t		*buf;
	size_t		 n = 0, len, blen = strlen(base);

	*matched = 0;
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, base, blen) != 0 ||
		    strncmp(de->d_name + blen, ".corrupt-", 9) != 0)
			continue;
		path_in(path, sizeof(path), de->d_name);
		if ((buf = read_file(path, &len)) != NULL) {
			*matched += len == wantlen &&
			    (len == 0 || memcmp(buf, want, len) == 0);
			free(buf);
		}
		unlink(path);
		n++;
	}
	if (d != NULL)
		closedir(d);
	return n;
}

static void
test_round_trip(void)
{
	char			 file[256];
	struct hostdb		*a, *b;
	struct hostdb_status	 st;
	struct resolver_config	 rc;
	struct resolver		*res;
	struct resolver_stats	 rs;
	struct session		 s;
	struct hostdb_host	 hh;
	int			 i;

	path_in(file, sizeof(file), "hostdb");
	a = new_db(100000, 10, HOSTDB_SCOPE_REMOTE, file);
	CHECK(hostdb_load(a) == HOSTDB_LOAD_NONE, "no file: load says none");
	fill(a, 3000, 3);
	/* A name, from a real lookup of 127.0.0.1 (in /etc/hosts). */
	resolver_config_default(&rc);
	res = resolver_new(&rc);
	hostdb_set_resolver(a, res);
	s = sess("10.0.0.1", "127.0.0.1", 80, "www", 1, 1, 1, 1);
	window(a, T0 + 60 * SEC, &s, 1);
	for (i = 0; i < 500; i++) {
		resolver_stats(res, &rs);
		if (rs.rs_found + rs.rs_not_found + rs.rs_failed > 0)
			break;
		usleep(10000);
	}
	window(a, T0 + 90 * SEC, &s, 1);
	hostdb_set_resolver(a, NULL);
	resolver_free(res);
	CHECK(find(a, "127.0.0.1", &hh) == 0 &&
	    strcmp(hh.hh_name, "localhost") == 0 && hh.hh_name_time != 0,
	    "the resolver named 127.0.0.1 \"localhost\" (got \"%s\")",
	    hh.hh_name);

	CHECK(hostdb_save(a) == 0, "saved");
	hostdb_status(a, &st);
	CHECK(st.hst_save_result == HOSTDB_SAVE_OK && st.hst_save_time > 0 &&
	    strstr(st.hst_save_message, "3001 hosts saved") != NULL,
	    "save status: %s", st.hst_save_message);
	b = new_db(100000, 10, HOSTDB_SCOPE_REMOTE, file);
	CHECK(hostdb_load(b) == HOSTDB_LOAD_OK, "loaded");
	hostdb_status(b, &st);
	CHECK(st.hst_loaded == 3001, "load status: %s", st.hst_load_message);
	CHECK(same_db(a, b), "every host identical after save and load "
	    "(addresses, counters wide and narrow, services, names, times)");
	hostdb_free(b);

	/* A smaller cap at load: the heaviest stay. */
	b = new_db(1000, 10, HOSTDB_SCOPE_REMOTE, file);
	CHECK(hostdb_load(b) == HOSTDB_LOAD_OK, "loaded under a smaller cap");
	{
		const struct hostdb_snapshot *sn = hostdb_acquire(b);

		CHECK(sn->hs_entries == 1000 && sn->hs_evictions == 2001,
		    "evicted down to the cap at load");
		hostdb_release(sn);
	}
	CHECK(find(b, "198.18.0.0", &hh) == 0, "the heaviest host is kept");
	hostdb_free(b);

	/* The async writer. */
	CHECK(hostdb_save_async(a) == 0, "an asynchronous save starts");
	hostdb_wait(a);
	hostdb_status(a, &st);
	CHECK(st.hst_saves == 2, "and completes (%llu saves)",
	    (unsigned long long)st.hst_saves);
	hostdb_free(a);
}

/* Loads file (its bytes: buf) into a fresh database; moved aside
 * intact and nothing loaded? */
static int
moved_aside(const char *file, const void *buf, size_t len, const char *why)
{
	struct hostdb		*hd = new_db(1000, 10, HOSTDB_SCOPE_REMOTE, file);
	struct hostdb_status	 st;
	const struct hostdb_snapshot *sn;
	int			 r, matched, ok;
	size_t			 n;

	write_file(file, buf, len);
	r = hostdb_load(hd);
	hostdb_status(hd, &st);
	sn = hostdb_acquire(hd);
	n = sweep_corrupt("hostdb", buf, len, &matched);
	ok = r == HOSTDB_LOAD_MOVED && sn->hs_entries == 0 &&
	    access(file, F_OK) < 0 && n == 1 && matched == 1 &&
	    (why == NULL || strstr(st.hst_load_message, why) != NULL) &&
	    strstr(st.hst_load_message, ".corrupt-") != NULL;
	if (!ok)
		printf("#   %s: result %d, %zu moved, message: %s\n", why ? why :
		    "", r, n, st.hst_load_message);
	hostdb_release(sn);
	hostdb_free(hd);
	return ok;
}

static void
put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
test_damaged(void)
{
	char		 file[256];
	struct hostdb	*hd;
	uint8_t		*good, *bad;
	size_t		 len, cut, bad_cuts = 0, i;
	uint64_t	 x = 12345;
	int		 all;

	path_in(file, sizeof(file), "hostdb");
	hd = new_db(1000, 10, HOSTDB_SCOPE_REMOTE, file);
	fill(hd, 12, 1);
	hostdb_save(hd);
	hostdb_free(hd);
	good = read_file(file, &len);
	CHECK(good != NULL && len > 64, "a small file of %zu bytes", len);
	if (good == NULL)
		return;
	bad = malloc(len + 64);
	for (cut = 0; cut < len; cut++)
		if (!moved_aside(file, good, cut, NULL))
			bad_cuts++;
	CHECK(bad_cuts == 0, "every one of its %zu truncations is moved "
	    "aside intact, nothing loaded", len);
	for (i = 0, all = 1; i < 20; i++) {
		size_t	n = 1 + fixture_random(&x) % 4096, k;

		free(bad);
		bad = malloc(n + 64);
		for (k = 0; k < n; k++)
			bad[k] = (uint8_t)fixture_random(&x);
		all &= moved_aside(file, bad, n, NULL);
	}
	CHECK(all, "20 files of random bytes: moved aside");
	memcpy(bad, good, len);
	memcpy(bad, "NOTADB!!", 8);
	CHECK(moved_aside(file, bad, len, "wrong magic"), "a foreign magic");
	memcpy(bad, good, len);
	put_le32(bad + 8, HOSTDB_FILE_VERSION + 1);
	put_le32(bad + 60, crc32c_update(0, bad, 60));
	CHECK(moved_aside(file, bad, len, "newer than this coremond"),
	    "a newer format version, with a valid header checksum");
	memcpy(bad, good, len);
	bad[len - 3] ^= 0x40;
	CHECK(moved_aside(file, bad, len, "contents damaged"),
	    "a flipped bit in the contents");
	memcpy(bad, good, len);
	bad[20] ^= 1;
	CHECK(moved_aside(file, bad, len, "header damaged"),
	    "a flipped bit in the header's payload length");
	/* Valid checksums over contents that do not parse. */
	memcpy(bad, good, len);
	{
		uint8_t	*p = bad + 64;
		size_t	 off = 1, k;

		for (k = 0; k < p[0]; k++)	/* skip the service table */
			off += 2 + p[off + 1];
		p[off] = 7;	/* the first host's address type */
		put_le32(bad + 28, crc32c_update(0, bad + 64, len - 64));
		put_le32(bad + 60, crc32c_update(0, bad, 60));
		CHECK(moved_aside(file, bad, len, "malformed entry 0"),
		    "checksums valid but an unknown address type: moved aside");
	}
	memcpy(bad, good, len);
	put_le32(bad + 24, 0xfffffff0u);	/* entries, header still valid */
	put_le32(bad + 60, crc32c_update(0, bad, 60));
	CHECK(moved_aside(file, bad, len, "malformed entry 12"),
	    "a header claiming 4 billion hosts: nothing sized on it, moved "
	    "aside when the contents run out");
	memcpy(bad, good, len);
	memcpy(bad + len, "xx", 2);
	CHECK(moved_aside(file, bad, len + 2, "trailing bytes"),
	    "trailing bytes");
	CHECK(moved_aside(file, "", 0, "truncated"), "an empty file");

	/* A file that cannot be moved aside or read is left alone, and
	 * never saved over. */
	mkdir(file, 0700);
	hd = new_db(1000, 10, HOSTDB_SCOPE_REMOTE, file);
	CHECK(hostdb_load(hd) == HOSTDB_LOAD_ERROR, "a directory in the "
	    "way: load error");
	CHECK(hostdb_save(hd) < 0, "and saving over it is refused");
	hostdb_free(hd);
	rmdir(file);
	unlink(file);
	free(bad);
	free(good);
}

static void
test_crash(void)
{
	char			 file[256], tmp[256];
	struct hostdb		*a, *b, *c;
	uint8_t			*buf;
	size_t			 len;
	const struct hostdb_snapshot *sn;
	struct hostdb_host	 hh;
	pid_t			 pid;
	int			 i, ok = 1, status, kinds = 0;
	uint64_t		 x = 99;

	path_in(file, sizeof(file), "hostdb");
	path_in(tmp, sizeof(tmp), "hostdb.tmp");
	unlink(file);
	a = new_db(100000, 10, HOSTDB_SCOPE_REMOTE, file);
	fill(a, 500, 1);
	hostdb_save(a);
	/* A save that stopped before its rename: half a temp file. */
	b = new_db(100000, 10, HOSTDB_SCOPE_REMOTE, file);
	fill(b, 700, 2);
	hostdb_save(b);
	buf = read_file(file, &len);
	hostdb_save(a);
	write_file(tmp, buf, len / 2);
	free(buf);
	c = new_db(100000, 10, HOSTDB_SCOPE_REMOTE, file);
	CHECK(hostdb_load(c) == HOSTDB_LOAD_OK && same_db(a, c),
	    "a save cut before its rename: the previous file loads intact");
	hostdb_free(c);

	/* Real kills: a child saves A and B in turn, killed at random. */
	for (i = 0; i < 20; i++) {
		if ((pid = fork()) == 0) {
			for (;;) {
				hostdb_save(b);
				hostdb_save(a);
			}
		}
		usleep((useconds_t)(2000 + fixture_random(&x) % 40000));
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		c = new_db(100000, 10, HOSTDB_SCOPE_REMOTE, file);
		if (hostdb_load(c) != HOSTDB_LOAD_OK) {
			ok = 0;
		} else {
			sn = hostdb_acquire(c);
			hostdb_snapshot_host(sn, 0, &hh);
			if (hh.hh_source == 1 && same_db(a, c))
				kinds |= 1;
			else if (hh.hh_source == 2 && same_db(b, c))
				kinds |= 2;
			else
				ok = 0;
			hostdb_release(sn);
		}
		hostdb_free(c);
	}
	CHECK(ok, "20 saves killed with SIGKILL at random points: each time "
	    "the file loads, equal to one complete save (seen: %s)",
	    kinds == 3 ? "both" : kinds == 1 ? "A" : "B");
	unlink(tmp);
	unlink(file);
	hostdb_free(a);
	hostdb_free(b);
}

static void
test_monthly(void)
{
	char			 file[256], gzpath[256], line[4096];
	struct hostdb_config	 hc;
	struct hostdb		*hd;
	struct hostdb_status	 st;
	struct hostdb_host	 hh;
	const struct hostdb_snapshot *sn;
	struct session		 s[2];
	gzFile			 gz;
	int			 lines = 0, found = 0;
	int64_t			 may31 = 1717199970LL * SEC;	/* 23:59:30 */

	path_in(file, sizeof(file), "hostdb");
	unlink(file);
	hostdb_config_default(&hc);
	hc.hc_file = file;
	hc.hc_reset = HOSTDB_RESET_MONTHLY;
	hd = hostdb_new(&hc, sv);
	s[0] = sess("10.0.0.1", "192.0.2.1", 80, "www", 100, 10, 2, 1);
	s[1] = sess("10.0.0.1", "192.0.2.2", 53, "dns", 50, 5, 1, 1);
	window(hd, may31 - 30 * SEC, s, 2);
	window(hd, may31, s, 1);
	sn = hostdb_acquire(hd);
	CHECK(sn->hs_period == 202405 && sn->hs_entries == 2,
	    "May: two hosts, period 202405");
	hostdb_release(sn);
	s[0] = sess("10.0.0.1", "192.0.2.3", 443, "www", 7, 7, 1, 1);
	window(hd, T0, s, 1);		/* 2024-06-01T00:00:00Z */
	hostdb_wait(hd);
	sn = hostdb_acquire(hd);
	CHECK(sn->hs_period == 202406 && sn->hs_entries == 1 &&
	    find(hd, "192.0.2.1", &hh) < 0 && find(hd, "192.0.2.3", &hh) == 0,
	    "the first window of June cleared the database: only its host");
	hostdb_release(sn);
	hostdb_status(hd, &st);
	path_in(gzpath, sizeof(gzpath), "hostdb-2024-05.gz");
	CHECK(st.hst_archive_result == HOSTDB_SAVE_OK,
	    "archive status: %s", st.hst_archive_message);
	if ((gz = gzopen(gzpath, "rb")) != NULL) {
		while (gzgets(gz, line, sizeof(line)) != NULL) {
			if (line[0] == '#')
				continue;
			lines++;
			found += strncmp(line, "ipv4\t192.0.2.1\t0\t2024-05-31T23:"
			    "59:00Z\t2024-05-31T23:59:30Z\t2\t-\t200\t20\t4\t2\t"
			    "www=200/20/4/2\n", 200) == 0;
		}
		gzclose(gz);
	}
	CHECK(lines == 2 && found == 1, "hostdb-2024-05.gz holds May's two "
	    "hosts as text, 192.0.2.1 with its two windows");
	hostdb_free(hd);
	unlink(gzpath);
	unlink(file);
}

/*
 * Issue 10, defect 8: one future-dated window disabled the monthly reset
 * for good (the period only moved forward, and was saved).  May 2024, a
 * window dated 2098, then June and July 2024: the first July window
 * must archive June and clear the database.  A file saved with the 2098
 * period must load with none (2098 is after the clock's month), and
 * then June to July must reset too.
 */
static void
test_monthly_future(void)
{
	char			 file[256], gz6[256], gz5[256];
	struct hostdb_config	 hc;
	struct hostdb		*hd;
	struct hostdb_host	 hh;
	const struct hostdb_snapshot *sn;
	struct session		 s;
	const int64_t		 may = 1716000000LL * SEC;	/* 05-18 */
	const int64_t		 y2098 = 4070000000LL * SEC;	/* 2098-12 */
	const int64_t		 jun = T0 + 86400 * SEC;	/* 06-02 */
	const int64_t		 jul = 1719792000LL * SEC;	/* 07-01 00:00 */
	int			 reset;

	path_in(file, sizeof(file), "hostdb.future");
	path_in(gz5, sizeof(gz5), "hostdb-2024-05.gz");
	path_in(gz6, sizeof(gz6), "hostdb-2024-06.gz");
	unlink(file);
	hostdb_config_default(&hc);
	hc.hc_file = file;
	hc.hc_reset = HOSTDB_RESET_MONTHLY;
	hd = hostdb_new(&hc, sv);
	s = sess("10.0.0.1", "192.0.2.1", 80, "www", 100, 10, 2, 1);
	window(hd, may, &s, 1);
	s = sess("10.0.0.1", "192.0.2.9", 80, "www", 1, 1, 1, 1);
	window(hd, y2098, &s, 1);
	s = sess("10.0.0.1", "192.0.2.6", 80, "www", 6, 6, 1, 1);
	window(hd, jun, &s, 1);
	sn = hostdb_acquire(hd);
	CHECK(sn->hs_period == 202406, "after a window dated 2098, June's "
	    "window brings the period back to 202406 (%u)",
	    (unsigned int)sn->hs_period);
	hostdb_release(sn);
	s = sess("10.0.0.1", "192.0.2.7", 80, "www", 7, 7, 1, 1);
	window(hd, jul, &s, 1);
	hostdb_wait(hd);
	CHECK(access(gz6, R_OK) == 0 && find(hd, "192.0.2.6", &hh) < 0 &&
	    find(hd, "192.0.2.7", &hh) == 0, "and July's first window "
	    "archives June (hostdb-2024-06.gz) and clears the database");
	hostdb_free(hd);
	unlink(gz5);
	unlink(gz6);

	/* The same period saved in the file. */
	unlink(file);
	hd = hostdb_new(&hc, sv);
	s = sess("10.0.0.1", "192.0.2.9", 80, "www", 1, 1, 1, 1);
	window(hd, y2098, &s, 1);
	CHECK(hostdb_save(hd) == 0, "a database of 2098 saved");
	hostdb_free(hd);
	hd = hostdb_new(&hc, sv);
	CHECK(hostdb_load(hd) == HOSTDB_LOAD_OK, "and loaded");
	sn = hostdb_acquire(hd);
	CHECK(sn->hs_period == 0 && sn->hs_entries == 1, "its period, after "
	    "the clock's month, is not trusted: none (%u); its host is kept",
	    (unsigned int)sn->hs_period);
	hostdb_release(sn);
	s = sess("10.0.0.1", "192.0.2.6", 80, "www", 6, 6, 1, 1);
	window(hd, jun, &s, 1);
	s = sess("10.0.0.1", "192.0.2.7", 80, "www", 7, 7, 1, 1);
	window(hd, jul, &s, 1);
	hostdb_wait(hd);
	reset = access(gz6, R_OK) == 0 && find(hd, "192.0.2.6", &hh) < 0;
	CHECK(reset, "June to July after that load resets the database");
	hostdb_free(hd);

	/* A past period in the file is kept. */
	unlink(file);
	hd = hostdb_new(&hc, sv);
	window(hd, may, &s, 1);
	hostdb_save(hd);
	hostdb_free(hd);
	hd = hostdb_new(&hc, sv);
	hostdb_load(hd);
	sn = hostdb_acquire(hd);
	CHECK(sn->hs_period == 202405, "a saved period of May 2024 loads as "
	    "such (%u)", (unsigned int)sn->hs_period);
	hostdb_release(sn);
	hostdb_free(hd);
	unlink(gz6);
	unlink(file);
}

int
main(void)
{
	char	err[128];

	if (fixture_tmpdir(dir, sizeof(dir), "test_hostdb") < 0)
		return 1;
	sv = services_new();
	services_parse(sv, "extra tcp 9999", err, sizeof(err));
	test_fold();
	test_rows();
	test_scope(HOSTDB_SCOPE_REMOTE);
	test_scope(HOSTDB_SCOPE_ALL);
	test_eviction();
	test_model();
	test_round_trip();
	test_damaged();
	test_crash();
	test_monthly();
	test_monthly_future();
	services_free(sv);
	fixture_remove_dir(dir);
	return check_done();
}
