/*
 * conntab and procpid.
 *
 * First with crafted dumps and chosen clocks: TCP-MIB row order, listeners,
 * rates worked out by hand, a reused 4-tuple starting from zero, TIME_WAIT
 * keeping its counters, 32-bit counters carried past a wrap, duplicates,
 * client sums, snapshots that outlive newer ones.  Then procpid over a
 * fake /proc tree.  Then the real kernel: connections this test opens on
 * 127.0.0.1, ::1 and ::ffff:127.0.0.1 with known byte counts, the owner
 * found by procpid, a closed connection vanishing, a reused 4-tuple under a
 * new cookie, a paced sender's rate, and the refresh-interval policy.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "conns/conntab.h"
#include "conns/procpid.h"
#include "conns/sockdiag.h"
#include "fixture.h"

#define S	1000000000LL	/* one second in ns */

/* ---- crafted dumps --------------------------------------------------- */

static struct sd_sock *
add_sock(struct sd_list *sl, int family, const char *local, uint16_t lport,
    const char *remote, uint16_t rport, uint64_t cookie, uint8_t state)
{
	struct sd_sock	*ss;

	if (sl->sl_count == sl->sl_cap) {
		sl->sl_cap = sl->sl_cap ? 2 * sl->sl_cap : 16;
		sl->sl_socks = realloc(sl->sl_socks,
		    sl->sl_cap * sizeof(*sl->sl_socks));
	}
	ss = &sl->sl_socks[sl->sl_count++];
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = ss->ss_sock_family = family;
	inet_pton(family, local, ss->ss_local);
	inet_pton(family, remote, ss->ss_remote);
	ss->ss_local_port = lport;
	ss->ss_remote_port = rport;
	ss->ss_cookie = cookie;
	ss->ss_state = state;
	if (state != SD_TCP_TIME_WAIT && state != SD_TCP_LISTEN)
		ss->ss_have_info = 1;
	return ss;
}

static void
make_addr(struct ct_addr *ca, int family, const char *text)
{
	memset(ca, 0, sizeof(*ca));
	ca->ca_family = family;
	ca->ca_len = family == AF_INET ? 4 : 16;
	inet_pton(family, text, ca->ca_bytes);
}

static void
make_index(struct ct_index *ci, int family, const char *local,
    uint16_t lport, const char *remote, uint16_t rport)
{
	memset(ci, 0, sizeof(*ci));
	make_addr(&ci->ci_local, family, local);
	make_addr(&ci->ci_remote, family, remote);
	ci->ci_local_port = lport;
	ci->ci_remote_port = rport;
}

/* The row with this index, or NULL. */
static const struct ct_row *
find_row(const struct ct_snapshot *sn, int family, const char *local,
    uint16_t lport, const char *remote, uint16_t rport)
{
	struct ct_index	ci;
	size_t		pos;

	make_index(&ci, family, local, lport, remote, rport);
	pos = conntab_row_search(sn, &ci, 0);
	if (pos < sn->sn_nrows &&
	    conntab_index_cmp(&sn->sn_rows[pos].cr_index, &ci) == 0)
		return &sn->sn_rows[pos];
	return NULL;
}

static int
rows_sorted(const struct ct_snapshot *sn)
{
	size_t	i;

	for (i = 1; i < sn->sn_nrows; i++)
		if (conntab_index_cmp(&sn->sn_rows[i - 1].cr_index,
		    &sn->sn_rows[i].cr_index) >= 0)
			return 0;
	return 1;
}

/* Sums the rows per remote address again, through client_search rather
 * than the table's own grouping, and compares every column. */
static int
clients_match_rows(const struct ct_snapshot *sn)
{
	struct ct_client	*sum;
	const struct ct_row	*r;
	const struct ct_client	*cc;
	size_t			 i, pos;
	int			 ok = 1;

	sum = calloc(sn->sn_nclients + 1, sizeof(*sum));
	for (i = 0; i < sn->sn_nrows; i++) {
		r = &sn->sn_rows[i];
		pos = conntab_client_search(sn, &r->cr_index.ci_remote, 0);
		if (pos >= sn->sn_nclients || conntab_addr_cmp(
		    &sn->sn_clients[pos].cc_addr, &r->cr_index.ci_remote)) {
			ok = 0;
			continue;
		}
		sum[pos].cc_conns++;
		sum[pos].cc_established += r->cr_state == CT_STATE_ESTABLISHED;
		sum[pos].cc_syn_received +=
		    r->cr_state == CT_STATE_SYN_RECEIVED;
		sum[pos].cc_time_wait += r->cr_state == CT_STATE_TIME_WAIT;
		sum[pos].cc_other += r->cr_state != CT_STATE_ESTABLISHED &&
		    r->cr_state != CT_STATE_SYN_RECEIVED &&
		    r->cr_state != CT_STATE_TIME_WAIT;
		sum[pos].cc_octets_in += r->cr_octets_in;
		sum[pos].cc_octets_out += r->cr_octets_out;
		sum[pos].cc_rate_in += r->cr_rate_in;
		sum[pos].cc_rate_out += r->cr_rate_out;
		sum[pos].cc_seg_rate_in += r->cr_seg_rate_in;
		sum[pos].cc_seg_rate_out += r->cr_seg_rate_out;
		sum[pos].cc_rqueue += r->cr_rqueue;
		sum[pos].cc_wqueue += r->cr_wqueue;
		if (r->cr_age > sum[pos].cc_oldest_age)
			sum[pos].cc_oldest_age = r->cr_age;
	}
	for (i = 0; i < sn->sn_nclients; i++) {
		cc = &sn->sn_clients[i];
		if (i > 0 && conntab_addr_cmp(&sn->sn_clients[i - 1].cc_addr,
		    &cc->cc_addr) >= 0)
			ok = 0;
		if (cc->cc_conns != sum[i].cc_conns ||
		    cc->cc_established != sum[i].cc_established ||
		    cc->cc_syn_received != sum[i].cc_syn_received ||
		    cc->cc_time_wait != sum[i].cc_time_wait ||
		    cc->cc_other != sum[i].cc_other ||
		    cc->cc_octets_in != sum[i].cc_octets_in ||
		    cc->cc_octets_out != sum[i].cc_octets_out ||
		    cc->cc_rate_in != sum[i].cc_rate_in ||
		    cc->cc_rate_out != sum[i].cc_rate_out ||
		    cc->cc_seg_rate_in != sum[i].cc_seg_rate_in ||
		    cc->cc_seg_rate_out != sum[i].cc_seg_rate_out ||
		    cc->cc_rqueue != sum[i].cc_rqueue ||
		    cc->cc_wqueue != sum[i].cc_wqueue ||
		    cc->cc_oldest_age != sum[i].cc_oldest_age)
			ok = 0;
	}
	free(sum);
	return ok;
}

static struct conntab *
new_table(int processes, unsigned interval_ms)
{
	struct ct_config	cf;
	struct conntab		*ct;

	conntab_config_default(&cf);
	cf.cf_processes = processes;
	if (interval_ms)
		cf.cf_interval_ms = interval_ms;
	ct = conntab_new(&cf);
	if (ct == NULL) {
		perror("conntab_new");
		exit(2);
	}
	return ct;
}

static const struct timespec	wall = { 1700000000, 0 };

static void
test_order(void)
{
	struct conntab			*ct = new_table(0, 0);
	struct sd_list			 sl;
	const struct ct_snapshot	*sn;
	struct ct_index			 ci;
	struct ct_addr			 ca;
	const struct ct_client		*cc;

	sockdiag_list_init(&sl, 0);
	add_sock(&sl, AF_INET6, "2001:db8::2", 80, "2001:db8::9", 5000, 1,
	    SD_TCP_ESTABLISHED);
	add_sock(&sl, AF_INET, "10.0.0.2", 80, "10.0.0.9", 5001, 2,
	    SD_TCP_ESTABLISHED);
	add_sock(&sl, AF_INET, "10.0.0.1", 443, "10.0.0.9", 5002, 3,
	    SD_TCP_ESTABLISHED);
	add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.9", 6000, 4,
	    SD_TCP_ESTABLISHED);
	add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.8", 7000, 5,
	    SD_TCP_SYN_RECV);
	add_sock(&sl, AF_INET, "0.0.0.0", 80, "0.0.0.0", 0, 6, SD_TCP_LISTEN);
	add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5999, 7,
	    SD_TCP_TIME_WAIT);
	add_sock(&sl, AF_INET6, "::", 80, "::", 0, 8, SD_TCP_LISTEN);

	CHECK(conntab_acquire(ct) == NULL,
	    "order: no snapshot before the first build");
	CHECK(conntab_build(ct, &sl, 100 * S, &wall) == 0, "order: builds");
	sn = conntab_acquire(ct);
	CHECK_U64(sn->sn_nrows, 6, "order: listeners are not rows");
	CHECK_U64(sn->sn_summary.cs_listeners, 2, "order: listeners counted");
	CHECK(sn->sn_nrows == 6 &&
	    sn->sn_rows[0].cr_cookie == 5 && sn->sn_rows[1].cr_cookie == 7 &&
	    sn->sn_rows[2].cr_cookie == 4 && sn->sn_rows[3].cr_cookie == 3 &&
	    sn->sn_rows[4].cr_cookie == 2 && sn->sn_rows[5].cr_cookie == 1,
	    "order: local addr, local port, remote addr, remote port; "
	    "IPv4 before IPv6");
	CHECK(rows_sorted(sn), "order: conntab_index_cmp agrees");
	CHECK(sn->sn_rows[0].cr_state == CT_STATE_SYN_RECEIVED &&
	    sn->sn_rows[1].cr_state == CT_STATE_TIME_WAIT &&
	    sn->sn_rows[2].cr_state == CT_STATE_ESTABLISHED,
	    "order: kernel states map to TCP-MIB's (4, 11, 5)");
	CHECK(sn->sn_rows[0].cr_index.ci_local.ca_len == 4 &&
	    sn->sn_rows[5].cr_index.ci_local.ca_len == 16,
	    "order: address lengths 4 and 16");
	CHECK(sn->sn_summary.cs_by_state[CT_STATE_ESTABLISHED] == 4 &&
	    sn->sn_summary.cs_by_state[CT_STATE_TIME_WAIT] == 1 &&
	    sn->sn_summary.cs_by_state[CT_STATE_SYN_RECEIVED] == 1 &&
	    sn->sn_summary.cs_conns == 6, "order: summary counts by state");
	CHECK(sn->sn_rows[0].cr_flags & CT_ROW_AGE_AT_LEAST,
	    "order: rows of the first refresh are marked 'at least' in age");
	CHECK(sn->sn_summary.cs_refresh_time.tv_sec == wall.tv_sec,
	    "order: the refresh's wall-clock time is kept");

	make_index(&ci, AF_INET, "10.0.0.1", 80, "10.0.0.9", 6000);
	CHECK_U64(conntab_row_search(sn, &ci, 0), 2,
	    "search: an exact index is found at its position");
	CHECK_U64(conntab_row_search(sn, &ci, 1), 3,
	    "search: 'after' gives the next row (GETNEXT)");
	make_index(&ci, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5998);
	CHECK_U64(conntab_row_search(sn, &ci, 0), 1,
	    "search: a missing index gives the next greater row");
	make_index(&ci, AF_INET6, "ffff::", 0, "::", 0);
	CHECK_U64(conntab_row_search(sn, &ci, 0), 6,
	    "search: past the last row gives sn_nrows");

	CHECK_U64(sn->sn_nclients, 3, "clients: one per remote address");
	make_addr(&ca, AF_INET, "10.0.0.9");
	cc = &sn->sn_clients[conntab_client_search(sn, &ca, 0)];
	CHECK(cc->cc_conns == 4 && cc->cc_established == 3 &&
	    cc->cc_time_wait == 1 && cc->cc_other == 0,
	    "clients: 10.0.0.9 has 4 connections, 3 established, 1 time-wait");
	CHECK(sn->sn_clients[0].cc_syn_received == 1 &&
	    sn->sn_clients[0].cc_other == 0,
	    "clients: 10.0.0.8's half-open connection counts as synReceived");
	CHECK(sn->sn_clients[0].cc_addr.ca_bytes[3] == 8 &&
	    sn->sn_clients[2].cc_addr.ca_family == AF_INET6,
	    "clients: sorted by family then address");
	CHECK_U64(conntab_client_search(sn, &ca, 1), 2,
	    "clients: 'after' gives the next client");
	CHECK(clients_match_rows(sn), "clients: sums equal the rows' sums");
	conntab_release(sn);
	sockdiag_list_free(&sl);
	conntab_free(ct);
}

static void
test_rates(void)
{
	struct conntab			*ct = new_table(0, 0);
	struct sd_list			 sl;
	struct sd_sock			*ss;
	const struct ct_snapshot	*first, *sn;
	const struct ct_row		*r;

	sockdiag_list_init(&sl, 0);
	ss = add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5000, 10,
	    SD_TCP_ESTABLISHED);
	ss->ss_bytes_acked = 1000;
	ss->ss_bytes_received = 500;
	ss->ss_segs_out = 10;
	ss->ss_segs_in = 8;
	ss = add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5001, 13,
	    SD_TCP_ESTABLISHED);
	ss->ss_segs_out = 0xfffffff0u;
	ss = add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5002, 14,
	    SD_TCP_ESTABLISHED);
	ss->ss_bytes_acked = 7777;
	ss->ss_segs_out = 77;
	conntab_build(ct, &sl, 100 * S, &wall);
	first = conntab_acquire(ct);

	/* Two seconds later. */
	sockdiag_list_clear(&sl);
	ss = add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5000, 10,
	    SD_TCP_ESTABLISHED);
	ss->ss_bytes_acked = 21000;
	ss->ss_bytes_received = 4500;
	ss->ss_segs_out = 310;
	ss->ss_segs_in = 208;
	ss = add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5001, 13,
	    SD_TCP_ESTABLISHED);
	ss->ss_segs_out = 0x10;
	add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5002, 14,
	    SD_TCP_TIME_WAIT);
	ss = add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5003, 11,
	    SD_TCP_ESTABLISHED);
	ss->ss_bytes_acked = 99;
	conntab_build(ct, &sl, 102 * S, &wall);
	sn = conntab_acquire(ct);

	r = find_row(sn, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5000);
	CHECK(r != NULL && (r->cr_flags & CT_ROW_RATES_VALID),
	    "rates: the same cookie twice gives valid rates");
	CHECK_U64(r ? r->cr_rate_out : 0, 10000,
	    "rates: 20000 octets acked in 2 s = 10000 octets/s out");
	CHECK_U64(r ? r->cr_rate_in : 0, 2000,
	    "rates: 4000 octets received in 2 s = 2000 octets/s in");
	CHECK_U64(r ? r->cr_seg_rate_out : 0, 15000,
	    "rates: 300 segments in 2 s = 150.00/s out (hundredths)");
	CHECK_U64(r ? r->cr_seg_rate_in : 0, 10000,
	    "rates: 200 segments in 2 s = 100.00/s in");
	CHECK(r != NULL && r->cr_age == 2 && r->cr_first_seen_ns == 100 * S,
	    "rates: age counts from the first sighting: 2 s");
	CHECK_U64(sn->sn_summary.cs_interval_ms, 2000,
	    "rates: the interval between refreshes is 2000 ms");

	r = find_row(sn, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5001);
	CHECK_U64(r ? r->cr_segs_out : 0, 0x100000010ULL,
	    "wrap: a 32-bit segment counter is carried to 64 bits");
	CHECK_U64(r ? r->cr_seg_rate_out : 0, 1600,
	    "wrap: 32 segments across the wrap in 2 s = 16.00/s");

	r = find_row(sn, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5002);
	CHECK(r != NULL && r->cr_state == CT_STATE_TIME_WAIT &&
	    r->cr_octets_out == 7777 && r->cr_segs_out == 77 &&
	    !(r->cr_flags & CT_ROW_HAVE_INFO),
	    "time-wait: no tcp_info, the cookie's last counters are kept");
	CHECK(r != NULL && (r->cr_flags & CT_ROW_RATES_VALID) &&
	    r->cr_rate_out == 0, "time-wait: its rate is a valid 0");

	r = find_row(sn, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5003);
	CHECK(r != NULL && !(r->cr_flags & CT_ROW_RATES_VALID) &&
	    r->cr_rate_out == 0 && r->cr_age == 0 &&
	    !(r->cr_flags & CT_ROW_AGE_AT_LEAST),
	    "new cookie: rates not yet valid, age 0, not 'at least'");

	/* The first snapshot is untouched and still readable. */
	r = find_row(first, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5000);
	CHECK(r != NULL && r->cr_octets_out == 1000 && first->sn_nrows == 3,
	    "snapshot: an older snapshot held by a reader is unchanged");
	conntab_release(first);

	/* Two seconds later the 4-tuple of cookie 10 belongs to cookie 12,
	 * and a dump race shows one index twice. */
	sockdiag_list_clear(&sl);
	ss = add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5000, 12,
	    SD_TCP_ESTABLISHED);
	ss->ss_bytes_acked = 1;
	ss->ss_segs_out = 2;
	add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5100, 15,
	    SD_TCP_TIME_WAIT);
	add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5100, 16,
	    SD_TCP_ESTABLISHED);
	conntab_build(ct, &sl, 104 * S, &wall);
	conntab_release(sn);
	sn = conntab_acquire(ct);
	r = find_row(sn, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5000);
	CHECK(r != NULL && r->cr_cookie == 12 && r->cr_octets_out == 1 &&
	    r->cr_segs_out == 2 && !(r->cr_flags & CT_ROW_RATES_VALID) &&
	    r->cr_age == 0 && r->cr_first_seen_ns == 104 * S,
	    "reuse: a new cookie on an old 4-tuple starts from zero");
	r = find_row(sn, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5100);
	CHECK(r != NULL && r->cr_cookie == 16 && sn->sn_nrows == 2,
	    "duplicate: one row per index, the live socket kept");
	CHECK_U64(sn->sn_summary.cs_duplicates, 1, "duplicate: counted");
	CHECK(find_row(sn, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5001) == NULL,
	    "gone: a socket absent from the dump has no row");
	CHECK(clients_match_rows(sn), "rates: client sums equal row sums");
	conntab_release(sn);
	sockdiag_list_free(&sl);
	conntab_free(ct);
}

/* A table freed while a reader holds its snapshot. */
static void
test_outlive(void)
{
	struct conntab			*ct = new_table(0, 0);
	struct sd_list			 sl;
	const struct ct_snapshot	*sn;

	sockdiag_list_init(&sl, 0);
	add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5000, 1,
	    SD_TCP_ESTABLISHED);
	conntab_build(ct, &sl, S, &wall);
	sn = conntab_acquire(ct);
	conntab_free(ct);
	CHECK(sn->sn_nrows == 1 && sn->sn_rows[0].cr_cookie == 1,
	    "snapshot: still readable after conntab_free");
	conntab_release(sn);
	sockdiag_list_free(&sl);
}

/* ---- procpid over a fake /proc --------------------------------------- */

static void
put_file(const char *dir, const char *name, const char *text)
{
	char	path[512];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	fputs(text, fp);
	fclose(fp);
}

static void
put_link(const char *dir, const char *name, const char *target)
{
	char	path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (symlink(target, path) < 0)
		perror(path);
}

static void
put_dir(const char *dir, const char *name)
{
	char	path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	mkdir(path, 0755);
}

static void
test_procpid_fake(void)
{
	char			 root[64];
	struct procpid		*pp;
	struct pp_counters	 pc;
	const char		*comm;
	uint32_t		 first[] = { 4242, 999, 0, 4242 };
	uint32_t		 more[] = { 5555, 999, 4242 };
	uint32_t		 only[] = { 5555 };
	uint64_t		 links, pids;

	if (fixture_tmpdir(root, sizeof(root), "cm_procpid") < 0)
		return;
	put_dir(root, "100");
	put_dir(root, "100/fd");
	put_link(root, "100/fd/3", "socket:[4242]");
	put_link(root, "100/fd/4", "/dev/null");
	put_file(root, "100/comm", "fakesrv\n");
	put_dir(root, "200");			/* exited: no fd directory */
	put_dir(root, "300");
	put_dir(root, "300/fd");
	put_link(root, "300/fd/0", "pipe:[1]");
	put_file(root, "300/comm", "other\n");
	put_dir(root, "400");
	put_file(root, "400/fd", "not a directory");
	put_dir(root, "self");

	pp = procpid_new(root);
	CHECK(procpid_update(pp, first, 4) == 0, "procpid: update succeeds");
	CHECK(procpid_owner(pp, 4242, &comm) == 100 &&
	    strcmp(comm, "fakesrv") == 0,
	    "procpid: socket:[4242] under 100/fd belongs to pid 100 'fakesrv'");
	CHECK(procpid_owner(pp, 999, &comm) == 0 && comm[0] == '\0',
	    "procpid: an inode nobody holds is pid 0, name ''");
	procpid_counters(pp, &pc);
	CHECK(pc.pc_scans == 1 && pc.pc_found == 1 && pc.pc_missed == 1 &&
	    pc.pc_entries == 2, "procpid: one scan, one found, one missed, "
	    "zero and duplicates ignored");

	CHECK(procpid_update(pp, first, 4) == 0 &&
	    (procpid_counters(pp, &pc), pc.pc_scans == 1),
	    "procpid: nothing new, no rescan (the miss is remembered)");

	put_link(root, "300/fd/7", "socket:[5555]");
	links = pc.pc_links;
	pids = pc.pc_pids;
	procpid_update(pp, more, 3);
	procpid_counters(pp, &pc);
	CHECK(pc.pc_scans == 2 && procpid_owner(pp, 5555, &comm) == 300 &&
	    strcmp(comm, "other") == 0,
	    "procpid: a new inode rescans and finds pid 300");
	CHECK(pc.pc_pids - pids == 1 && pc.pc_links - links <= 2,
	    "procpid: pid 300 (no socket before) is read before pid 100 "
	    "(one socket), and the scan stops when all are found");
	CHECK(procpid_owner(pp, 4242, &comm) == 100,
	    "procpid: known owners are kept across scans");

	procpid_update(pp, only, 1);
	procpid_counters(pp, &pc);
	CHECK(pc.pc_entries == 1 && procpid_owner(pp, 4242, &comm) == 0,
	    "procpid: inodes no longer listed are forgotten");
	CHECK(procpid_update(pp, NULL, 0) == 0 &&
	    (procpid_counters(pp, &pc), pc.pc_entries == 0),
	    "procpid: an empty update empties the cache");
	procpid_free(pp);

	if (fixture_remove_dir(root) < 0)
		printf("# could not remove %s\n", root);
}

/* ---- the real kernel ------------------------------------------------- */

static void
own_comm(char *buf, size_t size)
{
	FILE	*fp = fopen("/proc/self/comm", "r");

	buf[0] = '\0';
	if (fp == NULL)
		return;
	if (fgets(buf, size, fp) != NULL)
		buf[strcspn(buf, "\n")] = '\0';
	fclose(fp);
}

#define TO_SRV		10000
#define TO_CLI		5000
#define READ_CLI	1200

/* Checks both rows of a connection between local and remote text
 * addresses of a family. */
static void
check_conn_rows(const struct ct_snapshot *sn, const struct conn *cn,
    int family, const char *addr, const char *what)
{
	const struct ct_row	*cli, *srv;
	char			 comm[32];

	cli = find_row(sn, family, addr, cn->cn_cport, addr, cn->cn_sport);
	srv = find_row(sn, family, addr, cn->cn_sport, addr, cn->cn_cport);
	CHECK(cli != NULL && srv != NULL,
	    "%s: both ends are rows under their TCP-MIB index", what);
	if (cli == NULL || srv == NULL)
		return;
	CHECK(cli->cr_cookie == cn->cn_ccookie &&
	    srv->cr_cookie == cn->cn_scookie, "%s: cookies = SO_COOKIE", what);
	CHECK(cli->cr_state == CT_STATE_ESTABLISHED &&
	    srv->cr_state == CT_STATE_ESTABLISHED,
	    "%s: state established(5)", what);
	CHECK_U64(cli->cr_octets_out, TO_SRV + 1,
	    "%s: client octets out = sent + SYN (bytes_acked)", what);
	CHECK_U64(srv->cr_octets_in, TO_SRV, "%s: server octets in", what);
	CHECK_U64(srv->cr_octets_out, TO_CLI, "%s: server octets out", what);
	CHECK_U64(cli->cr_octets_in, TO_CLI, "%s: client octets in", what);
	CHECK_U64(cli->cr_rqueue, TO_CLI - READ_CLI,
	    "%s: unread data is the receive queue", what);
	CHECK(cli->cr_segs_out > 0 && srv->cr_segs_in > 0 &&
	    cli->cr_data_segs_out > 0 && srv->cr_data_segs_in > 0,
	    "%s: segments nonzero", what);
	CHECK(cli->cr_rtt_us > 0 && cli->cr_snd_cwnd > 0,
	    "%s: rtt and cwnd", what);
	own_comm(comm, sizeof(comm));
	CHECK(cli->cr_pid == (uint32_t)getpid() &&
	    srv->cr_pid == (uint32_t)getpid() &&
	    strcmp(cli->cr_comm, comm) == 0,
	    "%s: owner is this process (%s)", what, comm);
}

/* Paces TICK_BYTES every TICK_NS from cn_cli, reading at cn_srv, until
 * CLOCK_MONOTONIC reaches until_ns.  *next is the next tick's time. */
#define RATE		200000
#define TICK_NS		20000000LL
#define TICK_BYTES	(RATE / (S / TICK_NS))

static int64_t
mono_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * S + ts.tv_nsec;
}

static void
pace_until(const struct conn *cn, int64_t until_ns, int64_t *next)
{
	struct timespec	ts;
	char		buf[65536];
	int64_t		wake;

	while (mono_ns() < until_ns) {
		while (*next <= mono_ns()) {
			fixture_write_all(cn->cn_cli, TICK_BYTES);
			*next += TICK_NS;
		}
		while (recv(cn->cn_srv, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
		wake = *next < until_ns ? *next : until_ns;
		ts.tv_sec = wake / S;
		ts.tv_nsec = wake % S;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
}

static void
test_rate_paced(void)
{
	struct conntab			*ct = new_table(0, 0);
	const struct ct_snapshot	*sn;
	const struct ct_row		*cli, *srv;
	struct conn			 cn;
	int				 l4 = fixture_listener(AF_INET,
					    "127.0.0.1");
	int64_t				 next, t1;
	double				 out, in;

	fixture_connect(&cn, l4, AF_INET, "127.0.0.1", 0);
	next = mono_ns();
	pace_until(&cn, next + 300000000LL, &next);
	t1 = mono_ns();
	conntab_refresh(ct);
	pace_until(&cn, t1 + 1500000000LL, &next);
	conntab_refresh(ct);
	sn = conntab_acquire(ct);
	cli = find_row(sn, AF_INET, "127.0.0.1", cn.cn_cport, "127.0.0.1",
	    cn.cn_sport);
	srv = find_row(sn, AF_INET, "127.0.0.1", cn.cn_sport, "127.0.0.1",
	    cn.cn_cport);
	out = cli ? (double)cli->cr_rate_out : 0;
	in = srv ? (double)srv->cr_rate_in : 0;
	CHECK(cli != NULL && (cli->cr_flags & CT_ROW_RATES_VALID) &&
	    out > 0.9 * RATE && out < 1.1 * RATE,
	    "rate: 200000 B/s paced for 1.5 s reads as %.0f B/s out "
	    "(within 10%%)", out);
	CHECK(srv != NULL && in > 0.9 * RATE && in < 1.1 * RATE,
	    "rate: and %.0f B/s in at the server", in);
	CHECK(cli != NULL && cli->cr_seg_rate_out > 0 &&
	    srv != NULL && srv->cr_seg_rate_in > 0,
	    "rate: segment rates nonzero (%u, %u hundredths/s)",
	    cli ? cli->cr_seg_rate_out : 0, srv ? srv->cr_seg_rate_in : 0);
	CHECK(cli != NULL && cli->cr_age == 1,
	    "rate: age 1 s after 1.5 s (%u)", cli ? cli->cr_age : 0);
	CHECK(clients_match_rows(sn), "rate: client sums equal row sums");
	conntab_release(sn);
	fixture_abort(&cn);
	close(l4);
	conntab_free(ct);
}

static void
test_live(void)
{
	struct conntab			*ct = new_table(1, 0);
	const struct ct_snapshot	*sn;
	const struct ct_row		*r;
	struct conn			 cns[3], again, tw;
	int				 l4, l6;
	uint16_t			 port;

	fixture_connect_three(cns, &l4, &l6, TO_SRV, TO_CLI, READ_CLI);

	CHECK(conntab_refresh(ct) == 0, "live: refresh succeeds");
	sn = conntab_acquire(ct);
	check_conn_rows(sn, &cns[0], AF_INET, "127.0.0.1", "IPv4");
	check_conn_rows(sn, &cns[1], AF_INET6, "::1", "IPv6");
	check_conn_rows(sn, &cns[2], AF_INET, "127.0.0.1", "v4-mapped");
	r = find_row(sn, AF_INET, "127.0.0.1", cns[2].cn_cport, "127.0.0.1",
	    cns[2].cn_sport);
	CHECK(r != NULL && r->cr_index.ci_local.ca_family == AF_INET &&
	    r->cr_index.ci_local.ca_len == 4 &&
	    r->cr_index.ci_remote.ca_len == 4,
	    "v4-mapped: the IPv6 client's row is indexed as IPv4");
	CHECK(rows_sorted(sn), "live: rows strictly in TCP-MIB index order");
	CHECK(sn->sn_summary.cs_listeners >= 2, "live: our 2 listeners "
	    "counted (%u)", sn->sn_summary.cs_listeners);
	CHECK(clients_match_rows(sn), "live: client sums equal row sums");
	CHECK(sn->sn_summary.cs_msgs_malformed == 0 &&
	    sn->sn_summary.cs_refresh_usec > 0,
	    "live: no malformed messages; refresh took %u us",
	    sn->sn_summary.cs_refresh_usec);
	conntab_release(sn);

	/* The IPv4 connection's 4-tuple is reused before the next refresh;
	 * the IPv6 one just closes. */
	port = cns[0].cn_cport;
	fixture_abort(&cns[0]);
	fixture_abort(&cns[1]);
	fixture_connect(&again, l4, AF_INET, "127.0.0.1", port);
	CHECK(again.cn_cport == port, "reuse: the client got port %u again",
	    port);
	CHECK(conntab_refresh(ct) == 0, "reuse: second refresh succeeds");
	sn = conntab_acquire(ct);
	r = find_row(sn, AF_INET, "127.0.0.1", port, "127.0.0.1",
	    cns[0].cn_sport);
	CHECK(r != NULL && r->cr_cookie == again.cn_ccookie &&
	    r->cr_cookie != cns[0].cn_ccookie,
	    "reuse: the same 4-tuple's row has the new socket's cookie");
	CHECK(r != NULL && r->cr_octets_out <= 1 && r->cr_octets_in == 0 &&
	    !(r->cr_flags & CT_ROW_RATES_VALID) && r->cr_age == 0 &&
	    r->cr_rate_out == 0,
	    "reuse: it starts from zero, rates not inherited");
	CHECK(find_row(sn, AF_INET6, "::1", cns[1].cn_cport, "::1",
	    cns[1].cn_sport) == NULL && find_row(sn, AF_INET6, "::1",
	    cns[1].cn_sport, "::1", cns[1].cn_cport) == NULL,
	    "close: a closed connection's rows are gone");
	r = find_row(sn, AF_INET, "127.0.0.1", cns[2].cn_cport, "127.0.0.1",
	    cns[2].cn_sport);
	CHECK(r != NULL && (r->cr_flags & CT_ROW_RATES_VALID) &&
	    r->cr_rate_out == 0 && r->cr_octets_out == TO_SRV + 1,
	    "idle: a connection that moved nothing has a valid rate 0");
	conntab_release(sn);

	/* A connection the client closes first: its TIME_WAIT socket keeps
	 * the cookie (inet_twsk_alloc copies sk_cookie), so its row keeps
	 * the counters although the kernel gives no tcp_info for it. */
	fixture_connect(&tw, l4, AF_INET, "127.0.0.1", 0);
	fixture_write_all(tw.cn_cli, 5);
	fixture_read_exactly(tw.cn_srv, 5);
	fixture_wait_acked(tw.cn_cli);
	conntab_refresh(ct);
	close(tw.cn_cli);
	usleep(50000);
	close(tw.cn_srv);
	usleep(50000);
	conntab_refresh(ct);
	sn = conntab_acquire(ct);
	r = find_row(sn, AF_INET, "127.0.0.1", tw.cn_cport, "127.0.0.1",
	    tw.cn_sport);
	CHECK(r != NULL && r->cr_state == CT_STATE_TIME_WAIT &&
	    r->cr_cookie == tw.cn_ccookie && !(r->cr_flags & CT_ROW_HAVE_INFO),
	    "time-wait: the closed client's row is timeWait(11), same cookie");
	CHECK_U64(r ? r->cr_octets_out : 0, 5 + 1,
	    "time-wait: it keeps the octets counted while established");
	conntab_release(sn);

	fixture_abort(&again);
	fixture_abort(&cns[2]);
	close(l4);
	close(l6);
	conntab_free(ct);
}

static void
test_processes_off(void)
{
	struct conntab			*ct = new_table(0, 0);
	const struct ct_snapshot	*sn;
	const struct ct_row		*r;
	struct conn			 cn;
	int				 l4 = fixture_listener(AF_INET,
					    "127.0.0.1");

	fixture_connect(&cn, l4, AF_INET, "127.0.0.1", 0);
	conntab_refresh(ct);
	sn = conntab_acquire(ct);
	r = find_row(sn, AF_INET, "127.0.0.1", cn.cn_cport, "127.0.0.1",
	    cn.cn_sport);
	CHECK(r != NULL && r->cr_pid == 0 && r->cr_comm[0] == '\0' &&
	    r->cr_inode != 0 && sn->sn_summary.cs_proc_scans == 0,
	    "connProcesses off: pid 0, no name, /proc never scanned");
	conntab_release(sn);
	fixture_abort(&cn);
	close(l4);
	conntab_free(ct);
}

static void
test_interval(void)
{
	struct conntab			*ct = new_table(0, 300);
	const struct ct_snapshot	*sn;

	CHECK(conntab_refresh_if_stale(ct) == 1,
	    "interval: the first call refreshes");
	CHECK(conntab_refresh_if_stale(ct) == 0 &&
	    conntab_refresh_if_stale(ct) == 0,
	    "interval: calls within 300 ms do not");
	sn = conntab_acquire(ct);
	CHECK_U64(sn->sn_summary.cs_refreshes, 1,
	    "interval: one refresh however many calls");
	conntab_release(sn);
	usleep(350000);
	CHECK(conntab_refresh_if_stale(ct) == 1,
	    "interval: after 350 ms the next call refreshes");
	sn = conntab_acquire(ct);
	CHECK_U64(sn->sn_summary.cs_refreshes, 2, "interval: two refreshes");
	CHECK(sn->sn_summary.cs_interval_ms >= 300,
	    "interval: the snapshot knows its interval (%u ms)",
	    sn->sn_summary.cs_interval_ms);
	conntab_release(sn);
	conntab_free(ct);
}

/* ---- listeners -------------------------------------------------------- */

static const struct ct_listener *
find_listener(const struct ct_snapshot *sn, int family, const char *addr,
    uint16_t port)
{
	struct ct_addr	ca;
	size_t		pos;

	make_addr(&ca, family, addr);
	pos = conntab_listener_search(sn, &ca, port, 0);
	if (pos < sn->sn_nlisteners &&
	    conntab_addr_cmp(&sn->sn_listeners[pos].cl_addr, &ca) == 0 &&
	    sn->sn_listeners[pos].cl_port == port)
		return &sn->sn_listeners[pos];
	return NULL;
}

static struct sd_sock *
add_listener(struct sd_list *sl, int family, const char *addr, uint16_t port,
    uint64_t cookie, uint32_t queue, uint32_t backlog, uint32_t inode)
{
	struct sd_sock	*ss;

	ss = add_sock(sl, family, addr, port, family == AF_INET ? "0.0.0.0" :
	    "::", 0, cookie, SD_TCP_LISTEN);
	ss->ss_rqueue = queue;
	ss->ss_wqueue = backlog;
	ss->ss_inode = inode;
	return ss;
}

/*
 * Three dumps by hand: listeners merged per index (SO_REUSEPORT), request
 * sockets and accepted connections found through the exact address, the
 * family's wildcard and the IPv6 wildcard for IPv4; an accept counted once
 * per cookie, not at the first refresh; TcpExt deltas shared among the
 * full listeners (full at either end of the interval), the rest
 * unattributed.
 */
static void
test_listeners(void)
{
	struct conntab			*ct = new_table(0, 0);
	struct sd_list			 sl;
	const struct ct_snapshot	*sn;
	const struct ct_listener	*l80, *l22, *l443;
	struct ct_netstat		 ns = { 1, 1000, 2000 };

	sockdiag_list_init(&sl, 0);
	add_listener(&sl, AF_INET, "0.0.0.0", 80, 1, 3, 2, 501);
	add_listener(&sl, AF_INET, "0.0.0.0", 80, 2, 0, 5, 500);
	add_listener(&sl, AF_INET, "10.0.0.1", 22, 3, 0, 128, 502);
	add_listener(&sl, AF_INET6, "::", 443, 4, 0, 10, 503);
	/* Before the first refresh: never counted as accepted. */
	add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5000, 10,
	    SD_TCP_ESTABLISHED)->ss_inode = 900;
	add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.8", 5001, 11,
	    SD_TCP_SYN_RECV);
	conntab_set_netstat(ct, &ns);
	CHECK(conntab_build(ct, &sl, 100 * S, &wall) == 0,
	    "listeners: builds");
	sn = conntab_acquire(ct);
	CHECK_U64(sn->sn_nlisteners, 3, "listeners: one per index");
	l80 = find_listener(sn, AF_INET, "0.0.0.0", 80);
	CHECK(l80 != NULL && l80->cl_sockets == 2 && l80->cl_queue == 3 &&
	    l80->cl_backlog == 7 && l80->cl_inode == 500 && l80->cl_full,
	    "listeners: an SO_REUSEPORT pair sums, oldest inode names it, "
	    "one full socket makes it full");
	CHECK(l80 != NULL && l80->cl_syn_recv == 1 && l80->cl_accepted == 0,
	    "listeners: a request socket goes to the wildcard; nothing "
	    "accepted at the first refresh");
	CHECK(sn->sn_summary.cs_netstat_known &&
	    sn->sn_summary.cs_listen_overflows == 0,
	    "listeners: the first refresh is the TcpExt baseline");
	CHECK_U64(sn->sn_summary.cs_listeners, 4,
	    "listeners: cs_listeners still counts sockets");
	conntab_release(sn);

	/* Two seconds later: 10 now accepted earlier (not counted), 12
	 * queued (no inode), 13 accepted, 14 on 443 by IPv4 (the IPv6
	 * wildcard), 15 closed by us since (TIME-WAIT); 7 overflows, 9
	 * drops, and only :80 full (at the previous dump). */
	sockdiag_list_clear(&sl);
	add_listener(&sl, AF_INET, "0.0.0.0", 80, 1, 0, 2, 501);
	add_listener(&sl, AF_INET, "0.0.0.0", 80, 2, 0, 5, 500);
	add_listener(&sl, AF_INET, "10.0.0.1", 22, 3, 0, 128, 502);
	add_listener(&sl, AF_INET6, "::", 443, 4, 0, 10, 503);
	add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5000, 10,
	    SD_TCP_ESTABLISHED)->ss_inode = 900;
	add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.8", 5002, 12,
	    SD_TCP_ESTABLISHED);
	add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.8", 5003, 13,
	    SD_TCP_ESTABLISHED)->ss_inode = 901;
	add_sock(&sl, AF_INET, "10.0.0.2", 443, "10.0.0.8", 5004, 14,
	    SD_TCP_ESTABLISHED)->ss_inode = 902;
	add_sock(&sl, AF_INET, "10.0.0.1", 22, "10.0.0.7", 5005, 15,
	    SD_TCP_TIME_WAIT);
	/* An outgoing connection from port 22 of another address: no
	 * listener of 10.0.0.3:22 nor wildcard on 22, so nobody's. */
	add_sock(&sl, AF_INET, "10.0.0.3", 22, "10.0.0.7", 80, 16,
	    SD_TCP_ESTABLISHED)->ss_inode = 903;
	ns.cn_listen_overflows += 7;
	ns.cn_listen_drops += 9;
	conntab_set_netstat(ct, &ns);
	CHECK(conntab_build(ct, &sl, 102 * S, &wall) == 0,
	    "listeners: builds again");
	sn = conntab_acquire(ct);
	l80 = find_listener(sn, AF_INET, "0.0.0.0", 80);
	l22 = find_listener(sn, AF_INET, "10.0.0.1", 22);
	l443 = find_listener(sn, AF_INET6, "::", 443);
	CHECK(l80 && l80->cl_accepted == 1 && l80->cl_accept_rate == 50 &&
	    l80->cl_syn_recv == 0 && !l80->cl_full,
	    "listeners: one accept in 2 s on :80 (0.50/s), the queued one "
	    "not yet");
	CHECK(l443 && l443->cl_accepted == 1,
	    "listeners: an IPv4 connection belongs to the IPv6 wildcard");
	CHECK(l22 && l22->cl_accepted == 1,
	    "listeners: a TIME-WAIT of ours was accepted");
	CHECK(l80 && l80->cl_overflows == 7 && l80->cl_drops == 9 &&
	    l22 && l22->cl_overflows == 0 && l443 && l443->cl_overflows == 0,
	    "listeners: the deltas go to the one full at the previous dump");
	conntab_release(sn);

	/* Then 12 is accepted, 13 stays: one more accept.  :22 and :443
	 * full now: 5 overflows split 3 + 2, in index order. */
	sockdiag_list_clear(&sl);
	add_listener(&sl, AF_INET, "0.0.0.0", 80, 1, 0, 2, 501);
	add_listener(&sl, AF_INET, "10.0.0.1", 22, 3, 129, 128, 502);
	add_listener(&sl, AF_INET6, "::", 443, 4, 11, 10, 503);
	add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.8", 5002, 12,
	    SD_TCP_ESTABLISHED)->ss_inode = 904;
	add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.8", 5003, 13,
	    SD_TCP_ESTABLISHED)->ss_inode = 901;
	ns.cn_listen_overflows += 5;
	ns.cn_listen_drops += 5;
	conntab_set_netstat(ct, &ns);
	CHECK(conntab_build(ct, &sl, 103 * S, &wall) == 0,
	    "listeners: builds a third time");
	sn = conntab_acquire(ct);
	l80 = find_listener(sn, AF_INET, "0.0.0.0", 80);
	l22 = find_listener(sn, AF_INET, "10.0.0.1", 22);
	l443 = find_listener(sn, AF_INET6, "::", 443);
	CHECK(l80 && l80->cl_accepted == 2 && l80->cl_sockets == 1 &&
	    l80->cl_overflows == 7,
	    "listeners: the queued one counted once accepted; totals carried");
	CHECK(l22 && l22->cl_overflows == 3 && l443 &&
	    l443->cl_overflows == 2,
	    "listeners: two full share 5 as 3 + 2");
	CHECK(sn->sn_summary.cs_listen_overflows == 12 &&
	    sn->sn_summary.cs_overflows_unattributed == 0,
	    "listeners: host total 12, none unattributed");
	conntab_release(sn);

	sockdiag_list_clear(&sl);
	add_listener(&sl, AF_INET, "0.0.0.0", 80, 1, 0, 2, 501);
	ns.cn_listen_overflows += 4;
	conntab_set_netstat(ct, &ns);
	conntab_build(ct, &sl, 104 * S, &wall);
	conntab_set_netstat(ct, &ns);
	conntab_build(ct, &sl, 105 * S, &wall);
	ns.cn_listen_overflows += 6;
	conntab_set_netstat(ct, &ns);
	conntab_build(ct, &sl, 106 * S, &wall);
	sn = conntab_acquire(ct);
	CHECK(sn->sn_summary.cs_listen_overflows == 22 &&
	    sn->sn_summary.cs_overflows_unattributed == 10,
	    "listeners: 4 when the full ones have closed and 6 with nobody "
	    "full are unattributed");
	conntab_release(sn);

	memset(&ns, 0, sizeof(ns));
	conntab_set_netstat(ct, &ns);
	conntab_build(ct, &sl, 107 * S, &wall);
	sn = conntab_acquire(ct);
	CHECK(!sn->sn_summary.cs_netstat_known,
	    "listeners: no /proc/net/netstat: unknown, not 0");
	conntab_release(sn);
	sockdiag_list_free(&sl);
	conntab_free(ct);
}

/* procpid_unit over fake /proc/PID/cgroup files. */
static void
test_unit_fake(void)
{
	char	dir[] = "/tmp/test_unit.XXXXXX", path[256], unit[64];
	FILE	*f;
	static const struct {
		const char	*text, *want;
	} cases[] = {
		{ "0::/system.slice/nginx.service\n", "nginx.service" },
		{ "0::/user.slice/user-0.slice/session-3.scope\n",
		    "session-3.scope" },
		{ "12:pids:/x\n1:name=systemd:/system.slice/ssh.service\n"
		    "0::/\n", "ssh.service" },
		{ "0::/system.slice/docker-ab.scope/sub\n", "docker-ab.scope" },
		{ "0::/\n", "" },
		{ "0::/system.slice\n", "" },
		{ "garbage", "" },
	};
	size_t	i;
	int	rc;

	if (mkdtemp(dir) == NULL)
		return;
	snprintf(path, sizeof(path), "%s/42", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/42/cgroup", dir);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f = fopen(path, "w");
		fputs(cases[i].text, f);
		fclose(f);
		rc = procpid_unit(dir, 42, unit, sizeof(unit));
		CHECK(strcmp(unit, cases[i].want) == 0 &&
		    (rc == 0) == (cases[i].want[0] != '\0'),
		    "procpid_unit: %s", cases[i].want[0] ? cases[i].want :
		    "no unit");
	}
	CHECK(procpid_unit(dir, 43, unit, sizeof(unit)) == -1 &&
	    unit[0] == '\0', "procpid_unit: a gone process has none");
	CHECK(procpid_unit(dir, 42, unit, 4) == -1,
	    "procpid_unit: a name that does not fit is none");
	unlink(path);
	snprintf(path, sizeof(path), "%s/42", dir);
	rmdir(path);
	rmdir(dir);
}

/* ---- TCP health per client ------------------------------------------- */

static struct sd_sock *
add_health(struct sd_list *sl, const char *remote, uint16_t rport,
    uint64_t cookie, uint32_t retrans, uint32_t data_segs, uint32_t rtt,
    uint32_t min_rtt, uint64_t busy, uint64_t rwnd, uint64_t sndbuf)
{
	struct sd_sock	*ss;

	ss = add_sock(sl, AF_INET, "10.0.0.1", 80, remote, rport, cookie,
	    SD_TCP_ESTABLISHED);
	ss->ss_info_have = SD_HAVE_MIN_RTT | SD_HAVE_DATA_SEGS |
	    SD_HAVE_DELIVERY | SD_HAVE_BUSY | SD_HAVE_BYTES_RETRANS;
	ss->ss_total_retrans = retrans;
	ss->ss_bytes_retrans = (uint64_t)retrans * 1000;
	ss->ss_data_segs_out = data_segs;
	ss->ss_rtt = rtt;
	ss->ss_min_rtt = min_rtt;
	ss->ss_busy_time = busy;
	ss->ss_rwnd_limited = rwnd;
	ss->ss_sndbuf_limited = sndbuf;
	ss->ss_delivery_rate = 1000;
	return ss;
}

static const struct ct_client *
find_client(const struct ct_snapshot *sn, const char *addr)
{
	struct ct_addr	ca;
	size_t		pos;

	make_addr(&ca, AF_INET, addr);
	pos = conntab_client_search(sn, &ca, 0);
	if (pos < sn->sn_nclients &&
	    conntab_addr_cmp(&sn->sn_clients[pos].cc_addr, &ca) == 0)
		return &sn->sn_clients[pos];
	return NULL;
}

/*
 * Two refreshes a second apart, worked out by hand: sums, lifetime and
 * last-interval ratios, RTT mean/max/min, busy share over the interval,
 * rwnd/sndbuf shares of busy time as ss computes them, a TIME-WAIT row
 * keeping its counters but not counting in RTTs, the retransmission top
 * in order, and an old kernel's client whose fields stay unknown.
 */
static void
test_client_health(void)
{
	struct conntab			*ct = new_table(0, 0);
	struct sd_list			 sl;
	const struct ct_snapshot	*sn;
	const struct ct_client		*a, *b, *c;
	struct sd_sock			*ss;

	sockdiag_list_init(&sl, 0);
	/* a: two connections; b: one; c: an old kernel's (no fields). */
	add_health(&sl, "10.0.0.7", 1000, 1, 10, 100, 2000, 900, 400000,
	    100000, 0);
	add_health(&sl, "10.0.0.7", 1001, 2, 0, 100, 4000, 1500, 100000, 0,
	    50000);
	add_health(&sl, "10.0.0.8", 1000, 3, 1, 100, 1000, 800, 0, 0, 0);
	ss = add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.9", 1000, 4,
	    SD_TCP_ESTABLISHED);
	ss->ss_total_retrans = 5;
	ss->ss_rtt = 3000;
	CHECK(conntab_build(ct, &sl, 100 * S, &wall) == 0, "health: builds");
	sn = conntab_acquire(ct);
	a = find_client(sn, "10.0.0.7");
	CHECK(a && a->cc_retrans_segs == 10 && a->cc_data_segs_out == 200 &&
	    a->cc_retrans_octets == 10000 && a->cc_retrans_ratio == 500,
	    "health: sums and lifetime ratio (10 of 200: 5.00%%)");
	CHECK(a && a->cc_rtt_mean_us == 3000 && a->cc_rtt_max_us == 4000 &&
	    a->cc_min_rtt_us == 900 && a->cc_delivery_rate == 2000,
	    "health: RTT mean, max, min RTT, delivery rate summed");
	CHECK(a && a->cc_rwnd_share == 2000 && a->cc_sndbuf_share == 1000,
	    "health: rwnd 100 of 500 ms busy (20%%), sndbuf 50 (10%%)");
	CHECK(a && a->cc_retrans_ratio_now == 0 && a->cc_busy_share == 0,
	    "health: no interval at the first refresh");
	CHECK_U64(sn->sn_nretrans_top, 0, "health: no top without interval");
	c = find_client(sn, "10.0.0.9");
	CHECK(c && c->cc_have == 0 && c->cc_retrans_segs == 5,
	    "health: an old kernel's client: counters, no newer field");
	conntab_release(sn);

	/* One second on: a sent 100 more (20 retransmitted) on 1 and
	 * nothing on 2, busy 500 ms on 1; b 100 more with 40 retransmitted
	 * and 2 gone to TIME-WAIT (its counters stay). */
	sockdiag_list_clear(&sl);
	add_health(&sl, "10.0.0.7", 1000, 1, 30, 200, 2000, 900, 900000,
	    100000, 0);
	add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.7", 1001, 2,
	    SD_TCP_TIME_WAIT);
	add_health(&sl, "10.0.0.8", 1000, 3, 41, 200, 1000, 800, 0, 0, 0);
	CHECK(conntab_build(ct, &sl, 101 * S, &wall) == 0,
	    "health: builds again");
	sn = conntab_acquire(ct);
	a = find_client(sn, "10.0.0.7");
	b = find_client(sn, "10.0.0.8");
	CHECK(a && a->cc_retrans_segs == 30 && a->cc_data_segs_out == 300 &&
	    a->cc_retrans_delta == 20 && a->cc_data_segs_delta == 100 &&
	    a->cc_retrans_ratio_now == 2000,
	    "health: TIME-WAIT keeps its counters; 20 of 100 now (20%%)");
	CHECK(a && a->cc_rtt_rows == 1 && a->cc_rtt_mean_us == 2000 &&
	    a->cc_min_rtt_us == 900,
	    "health: TIME-WAIT is not in the RTTs");
	CHECK(a && a->cc_busy_share == 5000,
	    "health: busy 500 ms of 1 s on the one row seen twice with "
	    "tcp_info (50%%)");
	CHECK(b && b->cc_retrans_ratio_now == 4000 &&
	    b->cc_retrans_ratio == 2050,
	    "health: b 40 of 100 now, 41 of 200 in all");
	CHECK(sn->sn_nretrans_top == 2 && sn->sn_retrans_top[0] ==
	    (uint32_t)(b - sn->sn_clients) && sn->sn_retrans_top[1] ==
	    (uint32_t)(a - sn->sn_clients),
	    "health: the top ranks b (40%%) before a (20%%)");
	conntab_release(sn);
	sockdiag_list_free(&sl);
	conntab_free(ct);
}

/* ---- the process table's closed sockets ------------------------------ */

/*
 * With owners off every row is pid 0's, so row 0 of the process table
 * sums everything: a connection's growth counted once whether it is seen
 * again, closes between refreshes (its notice), closes into TIME-WAIT
 * (its notice and a TIME-WAIT row with the same cookie), or lives and
 * dies between two refreshes.
 */
static void
test_processes_closed(void)
{
	struct conntab			*ct = new_table(0, 0);
	struct sd_list			 sl, closed;
	const struct ct_snapshot	*sn;
	struct sd_sock			*ss;

	sockdiag_list_init(&sl, 0);
	sockdiag_list_init(&closed, 0);
	ss = add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.9", 1, 1,
	    SD_TCP_ESTABLISHED);
	ss->ss_bytes_acked = 1000;
	ss->ss_bytes_received = 100;
	ss = add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.9", 2, 2,
	    SD_TCP_ESTABLISHED);
	ss->ss_bytes_acked = 2000;
	CHECK(conntab_build(ct, &sl, 100 * S, &wall) == 0,
	    "procs: builds");
	sn = conntab_acquire(ct);
	CHECK(sn->sn_nprocs == 1 && sn->sn_procs[0].cp_pid == 0 &&
	    sn->sn_procs[0].cp_octets_out == 3000 &&
	    sn->sn_procs[0].cp_octets_in == 100 &&
	    sn->sn_procs[0].cp_conns == 2,
	    "procs: the first refresh counts what the connections moved");
	conntab_release(sn);

	/* 1 closed (notice: 1500 out, 150 in); 2 went to TIME-WAIT after
	 * 2500 (notice, and a TIME-WAIT row under its cookie); 3 opened and
	 * closed in between (notice: 700). */
	sockdiag_list_clear(&sl);
	add_sock(&sl, AF_INET, "10.0.0.1", 80, "10.0.0.9", 2, 2,
	    SD_TCP_TIME_WAIT);
	ss = add_sock(&closed, AF_INET, "10.0.0.1", 80, "10.0.0.9", 1, 1,
	    SD_TCP_CLOSE);
	ss->ss_bytes_acked = 1500;
	ss->ss_bytes_received = 150;
	ss = add_sock(&closed, AF_INET, "10.0.0.1", 80, "10.0.0.9", 2, 2,
	    SD_TCP_CLOSE);
	ss->ss_bytes_acked = 2500;
	ss = add_sock(&closed, AF_INET, "10.0.0.1", 80, "10.0.0.9", 3, 3,
	    SD_TCP_CLOSE);
	ss->ss_bytes_acked = 700;
	CHECK(conntab_set_closed(ct, &closed) == 0, "procs: closed set");
	CHECK(conntab_build(ct, &sl, 101 * S, &wall) == 0,
	    "procs: builds again");
	sn = conntab_acquire(ct);
	CHECK(sn->sn_nprocs == 1 && sn->sn_procs[0].cp_octets_out ==
	    1500 + 2500 + 700 && sn->sn_procs[0].cp_octets_in == 150,
	    "procs: closed growth counted once: %llu out, %llu in",
	    (unsigned long long)sn->sn_procs[0].cp_octets_out,
	    (unsigned long long)sn->sn_procs[0].cp_octets_in);
	CHECK(sn->sn_procs[0].cp_closed == 3 &&
	    sn->sn_procs[0].cp_rate_out == 1700 && sn->sn_procs[0].cp_conns == 1,
	    "procs: 3 closed, 1,700 B/s over the second, the TIME-WAIT row");
	CHECK_U64(sn->sn_summary.cs_closed_notices, 3,
	    "procs: notices counted");
	conntab_release(sn);

	/* Nothing more: the TIME-WAIT row adds nothing. */
	CHECK(conntab_build(ct, &sl, 102 * S, &wall) == 0,
	    "procs: builds a third time");
	sn = conntab_acquire(ct);
	CHECK(sn->sn_procs[0].cp_octets_out == 4700 &&
	    sn->sn_procs[0].cp_rate_out == 0,
	    "procs: totals stay, rates fall to 0");
	conntab_release(sn);
	sockdiag_list_free(&sl);
	sockdiag_list_free(&closed);
	conntab_free(ct);
}

int
main(void)
{
	test_order();
	test_rates();
	test_outlive();
	test_procpid_fake();
	test_live();
	test_processes_off();
	test_rate_paced();
	test_interval();
	test_listeners();
	test_unit_fake();
	test_client_health();
	test_processes_closed();
	return check_done();
}
