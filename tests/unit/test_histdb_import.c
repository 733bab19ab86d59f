/*
 * histdb_import: archive day files into a history database, through a
 * backend that records what it is given and, as the real ones do,
 * answers 0 for a window (agent, source, start) it already holds.  The
 * expected windows are the numbers written into the files here, not
 * what archive.c would make of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "fixture.h"
#include "store/histdb_import.h"
#include "store/histdb_int.h"

#define FAKE_MAX	64

struct fake_window {
	char		fw_agent[HISTDB_NAME_MAX];
	char		fw_source[HISTDB_NAME_MAX];
	int64_t		fw_start_s;
	uint32_t	fw_length_s, fw_day;
	uint64_t	fw_octets_in, fw_octets_out;
	uint64_t	fw_packets_in, fw_packets_out;
	int64_t		fw_rtt_us;
	size_t		fw_rows;	/* every other kind of row */
};

struct fake_db {
	struct fake_window	fd_windows[FAKE_MAX];
	size_t			fd_n;
	int			fd_fail_after;	/* writes; -1 never */
	int			fd_writes;
	int			fd_open_fails;
	int			fd_open;	/* connections open now */
};

static struct fake_db fake;

static void *
fake_open(const struct histdb_config *cf, char *err, size_t errlen)
{
	(void)cf;
	if (fake.fd_open_fails) {
		snprintf(err, errlen, "connection refused");
		return NULL;
	}
	fake.fd_open++;
	return &fake;
}

static int
fake_write(void *h, const struct histdb_batch *b, char *err, size_t errlen)
{
	struct fake_db *db = h;
	struct fake_window *w;
	size_t i;

	if (db->fd_fail_after >= 0 && db->fd_writes++ >= db->fd_fail_after) {
		snprintf(err, errlen, "disk I/O error");
		return -1;
	}
	if (b->hb_nwindows != 1 || db->fd_n == FAKE_MAX)
		return -1;
	for (i = 0; i < db->fd_n; i++)
		if (strcmp(db->fd_windows[i].fw_agent, b->hb_agent) == 0 &&
		    strcmp(db->fd_windows[i].fw_source,
		    b->hb_windows[0].wr_source) == 0 &&
		    db->fd_windows[i].fw_start_s == b->hb_start_s)
			return 0;
	w = &db->fd_windows[db->fd_n++];
	snprintf(w->fw_agent, sizeof(w->fw_agent), "%s", b->hb_agent);
	snprintf(w->fw_source, sizeof(w->fw_source), "%s",
	    b->hb_windows[0].wr_source);
	w->fw_start_s = b->hb_start_s;
	w->fw_length_s = b->hb_length_s;
	w->fw_day = b->hb_day;
	w->fw_octets_in = b->hb_windows[0].wr_octets_in;
	w->fw_octets_out = b->hb_windows[0].wr_octets_out;
	w->fw_packets_in = b->hb_windows[0].wr_packets_in;
	w->fw_packets_out = b->hb_windows[0].wr_packets_out;
	w->fw_rtt_us = b->hb_windows[0].wr_rtt_us;
	w->fw_rows = b->hb_nservices + b->hb_nsessions + b->hb_nhosts +
	    b->hb_nprobes;
	return 1;
}

static void
fake_close(void *h)
{
	((struct fake_db *)h)->fd_open--;
}

static const struct histdb_backend fake_backend = {
	.hk_name = "fake",
	.hk_open = fake_open,
	.hk_write = fake_write,
	.hk_close = fake_close,
};

static int
write_file(const char *dir, const char *name, const char *text, int gz)
{
	char path[512];
	FILE *f;
	gzFile g;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (gz) {
		if ((g = gzopen(path, "wb")) == NULL)
			return -1;
		gzputs(g, text);
		return gzclose(g) == Z_OK ? 0 : -1;
	}
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* 2024-04-30T23:59:30Z and 2024-05-01T00:00:00Z in unix seconds
 * (date -u -d ... +%s). */
#define T_0430_2359_30	1714521570
#define T_0501_0000_00	1714521600

static int
make_archive(const char *dir)
{
	char path[512];

	/* The older day compressed, with a plain file appended after. */
	if (write_file(dir, "coremon-20240430.log.gz",
	    "2024-04-30T23:59:00Z\t100\t200\t1\t2\t1500\n", 1) < 0 ||
	    write_file(dir, "coremon-20240430.log",
	    "2024-04-30T23:59:30Z\t300\t400\t3\t4\t\n", 0) < 0)
		return -1;
	/* A day with a bad line, another day's line and half a line. */
	if (write_file(dir, "coremon-20240501.log",
	    "2024-05-01T00:00:00Z\t18446744073709551615\t0\t5\t0\t250\n"
	    "garbage\n"
	    "2024-05-02T00:00:00Z\t1\t1\t1\t1\t\n"
	    "2024-05-01T00:00:30Z\t7\t8\t9\t10\t\n"
	    "2024-05-01T00:01:00Z\t1\t2", 0) < 0)
		return -1;
	/* Not archive files, or not to be followed. */
	if (write_file(dir, "notes.txt", "2024-05-01T00:02:00Z\t1\t1\t1\t1\t\n",
	    0) < 0 || write_file(dir, "coremon-20240599.log",
	    "2024-05-01T00:02:00Z\t1\t1\t1\t1\t\n", 0) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/coremon-20240502.log", dir);
	return symlink("notes.txt", path);
}

static void
test_import(const char *dir)
{
	struct histdb_import_count c;
	struct histdb_config cf;
	char err[256] = "";
	const struct fake_window *w = fake.fd_windows;

	memset(&cf, 0, sizeof(cf));
	cf.hc_target = "/fake";
	cf.hc_agent = "web-01";
	fake.fd_fail_after = -1;

	CHECK(histdb_import_with(&fake_backend, &cf, dir, 30, &c, err,
	    sizeof(err)) == 0, "an archive imports: %s", err);
	CHECK_U64(c.ic_imported, 4, "4 windows written");
	CHECK_U64(c.ic_skipped, 0, "none skipped the first time");
	CHECK_U64(c.ic_malformed, 3, "3 lines are no window of their day");
	CHECK_U64(c.ic_files, 3, "3 day files read (.gz, .log, .log)");
	CHECK_U64(c.ic_refused, 1, "the symbolic link is refused");
	CHECK(fake.fd_open == 0, "the connection is closed again");
	if (fake.fd_n != 4)
		return;
	CHECK(w[0].fw_start_s == T_0430_2359_30 - 30 &&
	    w[1].fw_start_s == T_0430_2359_30 &&
	    w[2].fw_start_s == T_0501_0000_00 &&
	    w[3].fw_start_s == T_0501_0000_00 + 30,
	    "in time order: the .gz's line, the .log's, then the next day");
	CHECK(w[0].fw_octets_in == 100 && w[0].fw_octets_out == 200 &&
	    w[0].fw_packets_in == 1 && w[0].fw_packets_out == 2 &&
	    w[0].fw_rtt_us == 1500, "the .gz line's totals and RTT");
	CHECK(w[1].fw_rtt_us == -1, "an empty RTT field is NULL (-1)");
	CHECK(w[2].fw_octets_in == UINT64_MAX && w[2].fw_packets_in == 5,
	    "a 64-bit count whole");
	CHECK(w[3].fw_octets_in == 7 && w[3].fw_octets_out == 8 &&
	    w[3].fw_packets_in == 9 && w[3].fw_packets_out == 10,
	    "the last good line");
	CHECK(w[0].fw_day == 20240430 && w[2].fw_day == 20240501 &&
	    w[1].fw_length_s == 30, "day and length");
	CHECK(strcmp(w[3].fw_agent, "web-01") == 0 &&
	    strcmp(w[3].fw_source, HISTDB_IMPORT_SOURCE) == 0 &&
	    w[0].fw_rows + w[1].fw_rows + w[2].fw_rows + w[3].fw_rows == 0,
	    "tagged with the agent, source \"archive\", totals only");

	CHECK(histdb_import_with(&fake_backend, &cf, dir, 30, &c, err,
	    sizeof(err)) == 0 && c.ic_imported == 0 && c.ic_skipped == 4 &&
	    fake.fd_n == 4, "imported again: all 4 skipped, nothing written");
}

static void
test_failures(const char *dir)
{
	struct histdb_import_count c;
	struct histdb_config cf;
	char err[256] = "";

	memset(&cf, 0, sizeof(cf));
	cf.hc_target = "/fake";
	cf.hc_agent = "web-02";
	fake.fd_writes = 0;
	fake.fd_fail_after = 2;
	CHECK(histdb_import_with(&fake_backend, &cf, dir, 30, &c, err,
	    sizeof(err)) == -1 && strstr(err, "/fake: disk I/O error") != NULL,
	    "a failed write ends the import: %s", err);
	CHECK(c.ic_imported == 2 && fake.fd_open == 0,
	    "after the 2 written, the connection closed");
	fake.fd_fail_after = -1;
	CHECK(histdb_import_with(&fake_backend, &cf, dir, 30, &c, err,
	    sizeof(err)) == 0 && c.ic_skipped == 2 && c.ic_imported == 2,
	    "run again: the first 2 skipped, the other 2 written");

	fake.fd_open_fails = 1;
	CHECK(histdb_import_with(&fake_backend, &cf, dir, 30, &c, err,
	    sizeof(err)) == -1 && strstr(err, "connection refused") != NULL,
	    "a database that cannot be opened: %s", err);
	fake.fd_open_fails = 0;
	CHECK(histdb_import_with(&fake_backend, &cf, "/nonexistent/archive",
	    30, &c, err, sizeof(err)) == -1 &&
	    strstr(err, "No such file") != NULL, "no such directory: %s", err);
}

int
main(void)
{
	char dir[256];

	if (fixture_tmpdir(dir, sizeof(dir), "test_histdb_import") < 0)
		return 2;
	if (make_archive(dir) < 0) {
		fprintf(stderr, "cannot write the archive in %s\n", dir);
		return 2;
	}
	test_import(dir);
	test_failures(dir);
	fixture_remove_dir(dir);
	return check_done();
}
