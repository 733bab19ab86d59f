/*
 * monitor: the whole core wired by its composition root, with no SNMP.
 * A real capture ($SHARED/pcaps/zeek/http_bro.org.pcap) is replayed
 * through monitor_new() and monitor_start(): the capture thread decodes
 * it, the window closes, the host database folds it and the archive
 * writes its line; monitor_stop() saves the database.  Checked against
 * sources that are not coremon's: the packets libpcap's own loop reads
 * from the file, tshark's endpoints (each remote host's bytes and
 * packets each way), and the archive line against the same tshark sums.
 * The history database (SQLite) gets the window too: its per-window
 * and per-host sums against the same tshark figures.  A second monitor
 * without capture serves the saved database read-only and leaves its
 * file as it was.
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/localnet.h"
#include "capture/services.h"
#include "check.h"
#include "fixture.h"
#include "monitor.h"

#define LOCALNET	"10.0.2.0/24"
#define MAX_EP		64

struct endpoint {
	char		ep_addr[64];
	uint64_t	ep_tx_packets, ep_tx_bytes, ep_rx_packets, ep_rx_bytes;
};

static char	dir[64];
static char	messages[4096];

static void
collect_log(int level, const char *msg)
{
	size_t len = strlen(messages);

	(void)level;
	snprintf(messages + len, sizeof(messages) - len, "%s\n", msg);
}

/* Packets as libpcap's own loop reads them from the file. */
static uint64_t
pcap_packets(const char *file)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t n = 0;
	pcap_t *p;

	if ((p = pcap_open_offline(file, errbuf)) == NULL)
		return 0;
	while (pcap_next_ex(p, &h, &data) == 1)
		n++;
	pcap_close(p);
	return n;
}

/* tshark's IPv4 endpoints of the file, the local ones left out. */
static size_t
tshark_remote(const char *file, struct endpoint *ep, size_t max)
{
	char cmd[512], line[512];
	unsigned long long pk, by, tp, tb, rp, rb;
	size_t n = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "tshark -n -q -r '%s' -z endpoints,ip "
	    "2>/dev/null", file);
	if ((f = popen(cmd, "r")) == NULL)
		return 0;
	while (n < max && fgets(line, sizeof(line), f) != NULL) {
		struct endpoint *e = &ep[n];

		if (sscanf(line, "%63s %llu %llu %llu %llu %llu %llu",
		    e->ep_addr, &pk, &by, &tp, &tb, &rp, &rb) != 7 ||
		    strncmp(e->ep_addr, "10.0.2.", 7) == 0)
			continue;
		e->ep_tx_packets = tp;
		e->ep_tx_bytes = tb;
		e->ep_rx_packets = rp;
		e->ep_rx_bytes = rb;
		n++;
	}
	pclose(f);
	return n;
}

static struct monitor *
start(const char *file, const struct services *sv, struct localnet *ln)
{
	struct monitor_config mc;
	static char hostdb[128], archive[128], history[128];
	char err[256];
	struct monitor *mo;

	snprintf(hostdb, sizeof(hostdb), "%s/hostdb", dir);
	snprintf(archive, sizeof(archive), "%s/archive", dir);
	monitor_config_default(&mc);
	mc.mc_sampler.sc_history = 4;
	mc.mc_conns = 0;
	mc.mc_pipeline.pc_capture.cc_file = file;
	mc.mc_pipeline.pc_window.wc_interval = 86400;
	mc.mc_services = sv;
	mc.mc_localnet = ln;
	mc.mc_hostdb.hc_file = hostdb;
	mc.mc_archive.ac_dir = archive;
	snprintf(history, sizeof(history), "%s/history.sqlite", dir);
	mc.mc_history.hc_target = history;
	mc.mc_history.hc_agent = "test";
	mc.mc_log = collect_log;
	if ((mo = monitor_new(&mc, err, sizeof(err))) == NULL) {
		printf("# monitor_new: %s\n", err);
		return NULL;
	}
	if (monitor_start(mo) == -1) {
		monitor_free(mo);
		return NULL;
	}
	return mo;
}

/* The one integer a query gives, or -1. */
static long long
query(sqlite3 *db, const char *sql, const char *arg)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (arg != NULL)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The history database against tshark: the window's octets each way,
 * and every remote host's day row. */
static void
check_history(struct monitor *mo, const struct endpoint *ep, size_t nep,
    uint64_t in, uint64_t out)
{
	struct histdb_status hs;
	char path[128];
	sqlite3 *db = NULL;
	size_t i, same = 0;

	CHECK(monitor_history_status(mo, &hs) == 0 &&
	    hs.hs_windows_written == 1 && hs.hs_state == HISTDB_STATE_OK,
	    "the history database got the window");
	snprintf(path, sizeof(path), "%s/history.sqlite", dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		CHECK(0, "the history database opens: %s", sqlite3_errmsg(db));
		sqlite3_close(db);
		return;
	}
	CHECK(query(db, "SELECT sum(octets_in) FROM windows", NULL) ==
	    (long long)in && query(db, "SELECT sum(octets_out) FROM windows",
	    NULL) == (long long)out, "history: the window's octets in and "
	    "out are tshark's remote hosts'");
	for (i = 0; i < nep; i++)
		if (query(db, "SELECT sum(octets_in) * 1000000 + "
		    "sum(packets_in) FROM day_hosts WHERE addr = ?1",
		    ep[i].ep_addr) == (long long)(ep[i].ep_tx_bytes * 1000000 +
		    ep[i].ep_tx_packets) &&
		    query(db, "SELECT sum(octets_out) * 1000000 + "
		    "sum(packets_out) FROM day_hosts WHERE addr = ?1",
		    ep[i].ep_addr) == (long long)(ep[i].ep_rx_bytes * 1000000 +
		    ep[i].ep_rx_packets))
			same++;
	CHECK(same == nep && query(db, "SELECT count(DISTINCT addr) FROM "
	    "day_hosts", NULL) == (long long)nep, "history: every remote "
	    "host's day row equals tshark's endpoint (%zu of %zu)", same, nep);
	sqlite3_close(db);
}

/* The remote hosts of the database against tshark's endpoints. */
static void
check_hosts(struct monitor *mo, const struct endpoint *ep, size_t nep,
    const char *what)
{
	const struct hostdb_snapshot *sn;
	struct hostdb_host hh;
	char addr[64];
	size_t i, j, same = 0;

	sn = hostdb_acquire(monitor_hostdb(mo));
	for (i = 0; sn != NULL && i < sn->hs_entries; i++) {
		if (hostdb_snapshot_host(sn, i, &hh) == -1)
			continue;
		inet_ntop(hh.hh_family, hh.hh_addr, addr, sizeof(addr));
		for (j = 0; j < nep; j++)
			if (strcmp(addr, ep[j].ep_addr) == 0 &&
			    hh.hh_counts.sc_octets_in == ep[j].ep_tx_bytes &&
			    hh.hh_counts.sc_octets_out == ep[j].ep_rx_bytes &&
			    hh.hh_counts.sc_packets_in == ep[j].ep_tx_packets &&
			    hh.hh_counts.sc_packets_out == ep[j].ep_rx_packets)
				same++;
	}
	CHECK(sn != NULL && sn->hs_entries == nep && same == nep,
	    "%s: every remote host's octets and packets each way equal "
	    "tshark's (%zu of %zu)", what, same, nep);
	hostdb_release(sn);
}

static void
test_replay(const char *file)
{
	struct endpoint ep[MAX_EP];
	struct services *sv = services_new();
	struct localnet *ln = localnet_new();
	struct monitor *mo;
	struct cap_stats cs;
	char err[256], path[256], line[512], stamp[32];
	uint64_t in = 0, out = 0, ain, aout;
	size_t nep, i, n;
	FILE *f;
	struct stat st1, st2;

	if (sv == NULL || ln == NULL ||
	    localnet_parse(ln, LOCALNET, err, sizeof(err)) == -1)
		return;
	nep = tshark_remote(file, ep, MAX_EP);
	mo = start(file, sv, ln);
	CHECK(mo != NULL, "a monitor replaying %s starts", file);
	if (mo == NULL)
		goto out;
	for (n = 0; n < 600 && monitor_capture_state(mo) ==
	    MONITOR_CAPTURE_RUNNING; n++)
		usleep(50000);
	CHECK(monitor_capture_state(mo) == MONITOR_CAPTURE_FINISHED,
	    "the replay finishes");
	monitor_stop(mo);
	n = capture_stats(pipeline_capture(monitor_pipeline(mo)), &cs, 1);
	CHECK(n == 1 && cs.cs_packets == pcap_packets(file),
	    "the capture read every packet libpcap's own loop reads (%llu)",
	    (unsigned long long)cs.cs_packets);
	if (nep == 0)
		printf("skip - tshark is not here: hosts not compared\n");
	else
		check_hosts(mo, ep, nep, "after the replay");
	for (i = 0; i < nep; i++) {
		in += ep[i].ep_tx_bytes;
		out += ep[i].ep_rx_bytes;
	}
	/* One window: one archive line, in the file of its day. */
	snprintf(path, sizeof(path), "%s/archive", dir);
	snprintf(line, sizeof(line), "ls %s/coremon-*.log 2>/dev/null", path);
	f = popen(line, "r");
	n = 0;
	if (f != NULL && fgets(path, sizeof(path), f) != NULL) {
		path[strcspn(path, "\n")] = '\0';
		pclose(f);
		f = fopen(path, "r");
		while (f != NULL && fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "%31s %llu %llu", stamp,
			    (unsigned long long *)&ain,
			    (unsigned long long *)&aout) == 3)
				n++;
		if (f != NULL)
			fclose(f);
	} else if (f != NULL)
		pclose(f);
	CHECK(n == 1 && (nep == 0 || (ain == in && aout == out)),
	    "the archive holds the window's line, its octets in and out "
	    "those of tshark's remote hosts (%llu, %llu)",
	    (unsigned long long)in, (unsigned long long)out);
	if (nep > 0)
		check_history(mo, ep, nep, in, out);
	snprintf(path, sizeof(path), "%s/hostdb", dir);
	CHECK(stat(path, &st1) == 0 && (st1.st_mode & 0777) == 0640,
	    "monitor_stop saved the host database, mode 0640");
	monitor_free(mo);

	/* Without capture: the saved database, served read-only. */
	mo = start(NULL, sv, ln);
	CHECK(mo != NULL && monitor_capture_state(mo) ==
	    MONITOR_CAPTURE_DISABLED && monitor_hostdb(mo) != NULL,
	    "without capture the saved database is opened");
	if (mo != NULL) {
		if (nep > 0)
			check_hosts(mo, ep, nep, "read-only");
		monitor_stop(mo);
		monitor_free(mo);
	}
	CHECK(stat(path, &st2) == 0 && st2.st_mtim.tv_sec ==
	    st1.st_mtim.tv_sec && st2.st_mtim.tv_nsec == st1.st_mtim.tv_nsec,
	    "and its file is left as it was");
out:
	services_free(sv);
	localnet_free(ln);
}

int
main(void)
{
	char file[512];

	snprintf(file, sizeof(file), "%s/pcaps/zeek/http_bro.org.pcap",
	    fixture_shared_dir());
	if (access(file, R_OK) == -1) {
		printf("skip - monitor: %s is absent\n", file);
		return 0;
	}
	if (fixture_tmpdir(dir, sizeof(dir), "test_monitor") == -1)
		return 1;
	test_replay(file);
	if (strstr(messages, "host database") == NULL)
		printf("# log: %s", messages);
	fixture_remove_dir(dir);
	return check_done();
}
