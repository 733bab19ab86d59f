/*
 * Packet times a capture file may hold, good and hostile (issue 10,
 * defects 6 and 7): files written here byte by byte -- classic pcap and
 * pcapng with microsecond and second resolution -- are replayed through
 * capture_replay() -> window -> archive, as coremond -r wires them, and
 * the windows, the archive's day files and the counters must be what
 * the file holds: every packet with a time outside capture.h's range
 * counted in cs_bad_timestamps and nowhere else, time going back
 * counted late in the open window, never a window of its own.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture.h"
#include "capture/window.h"
#include "check.h"
#include "fixture.h"
#include "store/archive.h"

#define SEC		1000000LL
#define T0		1700000010LL	/* 2023-11-14T22:13:30Z, on the grid */
#define T89		629503200LL	/* 1989-12-12T00:00:00Z, on the grid */
#define FRAME_LEN	54		/* Ethernet + IPv4 + TCP, no payload */

static struct services	*sv;
static struct localnet	*ln;

/* A file being written, little-endian. */
struct out {
	FILE	*o_f;
};

static void
put16(struct out *o, uint16_t v)
{
	uint8_t	b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	fwrite(b, 1, 2, o->o_f);
}

static void
put32(struct out *o, uint32_t v)
{
	put16(o, (uint16_t)v);
	put16(o, (uint16_t)(v >> 16));
}

/* One TCP segment 10.0.0.1:40000 -> 203.0.113.9:22, 54 octets. */
static void
put_frame(struct out *o)
{
	static const uint8_t f[FRAME_LEN] = {
		2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00,
		0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0,
		10, 0, 0, 1, 203, 0, 113, 9,
		0x9c, 0x40, 0, 22, 0, 0, 0, 1, 0, 0, 0, 0,
		0x50, 0x02, 0x20, 0x00, 0, 0, 0, 0
	};

	fwrite(f, 1, sizeof(f), o->o_f);
}

/* Classic pcap (microseconds): one record per (sec, usec) pair. */
static int
write_pcap(const char *path, const uint32_t (*ts)[2], size_t n)
{
	struct out	o = { fopen(path, "wb") };
	size_t		i;

	if (o.o_f == NULL)
		return -1;
	put32(&o, 0xa1b2c3d4);
	put16(&o, 2);
	put16(&o, 4);
	put32(&o, 0);
	put32(&o, 0);
	put32(&o, 65535);
	put32(&o, 1);		/* LINKTYPE_ETHERNET */
	for (i = 0; i < n; i++) {
		put32(&o, ts[i][0]);
		put32(&o, ts[i][1]);
		put32(&o, FRAME_LEN);
		put32(&o, FRAME_LEN);
		put_frame(&o);
	}
	return fclose(o.o_f) == 0 ? 0 : -1;
}

/* pcapng: interface 0 in microseconds (the default if_tsresol),
 * interface 1 in seconds (if_tsresol 0); packets as (interface, 64-bit
 * timestamp in its units). */
struct ngpkt {
	uint32_t	np_if;
	uint64_t	np_ts;
};

static void
put_idb(struct out *o, int seconds)
{
	put32(o, 1);
	put32(o, seconds ? 32 : 20);
	put16(o, 1);		/* LINKTYPE_ETHERNET */
	put16(o, 0);
	put32(o, 65535);
	if (seconds) {
		put16(o, 9);	/* if_tsresol */
		put16(o, 1);
		put32(o, 0);	/* 10^-0: seconds, three octets of pad */
		put16(o, 0);	/* opt_endofopt */
		put16(o, 0);
	}
	put32(o, seconds ? 32 : 20);
}

static int
write_pcapng(const char *path, const struct ngpkt *p, size_t n)
{
	struct out	o = { fopen(path, "wb") };
	const uint32_t	len = 32 + 56;	/* EPB with a 54-octet frame, padded */
	size_t		i;

	if (o.o_f == NULL)
		return -1;
	put32(&o, 0x0a0d0d0a);	/* SHB */
	put32(&o, 28);
	put32(&o, 0x1a2b3c4d);
	put16(&o, 1);
	put16(&o, 0);
	put32(&o, 0xffffffff);	/* section length unknown */
	put32(&o, 0xffffffff);
	put32(&o, 28);
	put_idb(&o, 0);
	put_idb(&o, 1);
	for (i = 0; i < n; i++) {
		put32(&o, 6);	/* EPB */
		put32(&o, len);
		put32(&o, p[i].np_if);
		put32(&o, (uint32_t)(p[i].np_ts >> 32));
		put32(&o, (uint32_t)p[i].np_ts);
		put32(&o, FRAME_LEN);
		put32(&o, FRAME_LEN);
		put_frame(&o);
		put16(&o, 0);	/* pad to 56 */
		put32(&o, len);
	}
	return fclose(o.o_f) == 0 ? 0 : -1;
}

/* What coremond -r does with a file: capture -> window -> archive. */
struct run {
	struct window		*ru_window;
	struct archive		*ru_archive;
	uint64_t		 ru_windows;
	uint64_t		 ru_packets;	/* in the closed windows */
	uint64_t		 ru_late;
	struct cap_stats	 ru_stats;
	char			 ru_days[8][ARCHIVE_NAME_MAX];
	size_t			 ru_ndays;
	size_t			 ru_lines;
};

static void
run_packet(void *arg, const struct decode_pkt *dp, int64_t ts_us,
    unsigned source)
{
	window_add_packet(((struct run *)arg)->ru_window, dp, ts_us, source);
}

static void
run_end(void *arg)
{
	window_flush(((struct run *)arg)->ru_window);
}

static void
run_closed(const struct window_closed *wd, void *arg)
{
	struct run		*ru = arg;
	struct archive_window	 aw;

	ru->ru_windows++;
	ru->ru_packets += wd->wd_totals->tt_remote.sc_packets_out +
	    wd->wd_totals->tt_remote.sc_packets_in;
	if (wd->wd_snapshot != NULL)
		ru->ru_late = wd->wd_snapshot->wn_late_packets[0];
	memset(&aw, 0, sizeof(aw));
	aw.aw_start_us = wd->wd_start_us;
	aw.aw_packets_out = wd->wd_totals->tt_remote.sc_packets_out;
	aw.aw_rtt_us = ARCHIVE_NO_RTT;
	archive_append(ru->ru_archive, &aw);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The day files in dir, sorted, and their lines. */
static void
list_days(struct run *ru, const char *dir)
{
	char		 path[512];
	struct dirent	*de;
	DIR		*d = opendir(dir);
	FILE		*f;
	int		 c;

	ru->ru_ndays = ru->ru_lines = 0;
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (ru->ru_ndays < 8 && strlen(de->d_name) < ARCHIVE_NAME_MAX)
			memcpy(ru->ru_days[ru->ru_ndays], de->d_name,
			    strlen(de->d_name) + 1);
		ru->ru_ndays++;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		while ((c = getc(f)) != EOF)
			ru->ru_lines += c == '\n';
		fclose(f);
	}
	if (d != NULL)
		closedir(d);
	qsort(ru->ru_days, ru->ru_ndays < 8 ? ru->ru_ndays : 8,
	    ARCHIVE_NAME_MAX, name_cmp);
}

/* Replays path into a fresh window and archive; 0 when it ran. */
static int
replay(const char *path, struct run *ru)
{
	char			 dir[64];
	char			 err[ARCHIVE_TEXT_MAX];
	struct window_config	 wc;
	struct archive_config	 ac;
	struct cap_config	 cc;
	struct cap_sink		 sink = { run_packet, NULL, run_end, NULL, NULL };
	int			 rc = -1;

	memset(ru, 0, sizeof(*ru));
	if (fixture_tmpdir(dir, sizeof(dir), "test_timestamps") < 0)
		return -1;
	window_config_default(&wc);
	archive_config_default(&ac);
	ac.ac_dir = dir;
	ac.ac_compress_after = 0;
	ru->ru_window = window_new(&wc, sv, ln);
	ru->ru_archive = archive_open(&ac, err, sizeof(err));
	if (ru->ru_window == NULL || ru->ru_archive == NULL)
		goto out;
	window_set_consumer(ru->ru_window, run_closed, ru);
	capture_config_default(&cc);
	cc.cc_file = path;
	sink.sk_arg = ru;
	rc = capture_replay(&cc, &sink, &ru->ru_stats);
	list_days(ru, dir);
out:
	window_free(ru->ru_window);
	archive_free(ru->ru_archive);
	fixture_remove_dir(dir);
	return rc;
}

/*
 * Four hostile pcapng times near 2^63 and 2^64 (the four
 * packets: 2,004 windows, days 1969-12-31 and 1970-01-01, a window in
 * the year 32103), one two days in the future, among three good ones
 * 30 s apart on the grid: three windows, one day, five bad times.
 */
static void
test_pcapng_overflow(void)
{
	char		 path[] = "/tmp/test_timestamps.ng.XXXXXX";
	const uint64_t	 future = (uint64_t)time(NULL) + 2 * 86400;
	const struct ngpkt pk[] = {
		{ 0, (uint64_t)T0 * 1000000 },
		{ 1, UINT64_C(0x7fffffffffffffff) },
		{ 1, UINT64_C(0x8000000000000000) },
		{ 1, UINT64_C(0xffffffffffffffff) },
		{ 0, UINT64_C(0xffffffffffffffff) },
		{ 0, future * 1000000 },
		{ 0, (uint64_t)(T0 + 40) * 1000000 + 5 },
		{ 1, (uint64_t)T0 + 70 },
	};
	struct run	 ru;
	int		 fd = mkstemp(path);

	if (fd < 0 || write_pcapng(path, pk, 8) < 0) {
		CHECK(0, "pcapng written");
		return;
	}
	close(fd);
	CHECK(replay(path, &ru) == 0, "the pcapng file replays to its end");
	CHECK_U64(ru.ru_stats.cs_packets, 8, "all 8 packets are read");
	CHECK_U64(ru.ru_stats.cs_bad_timestamps, 5, "the 5 with times near "
	    "2^63, 2^64 or two days ahead are bad timestamps");
	CHECK_U64(ru.ru_stats.cs_result[DECODE_OK], 3, "only the 3 good ones "
	    "are decoded");
	CHECK_U64(ru.ru_windows, 3, "3 windows: [T0, T0+30), [T0+30, T0+60), "
	    "[T0+60, T0+70]");
	CHECK_U64(ru.ru_packets, 3, "holding the 3 good packets");
	CHECK(ru.ru_ndays == 1 &&
	    strcmp(ru.ru_days[0], "coremon-20231114.log") == 0 &&
	    ru.ru_lines == 3, "one archive day, 2023-11-14, 3 lines (%zu "
	    "files, first %s, %zu lines)", ru.ru_ndays,
	    ru.ru_ndays ? ru.ru_days[0] : "-", ru.ru_lines);
	unlink(path);
}

/*
 * Classic pcap: a time from 1989 (as zeek's ticks-dns.pcap) is good; a
 * microsecond field of a million, 0xffffffff and 0x80000000 seconds
 * (read signed: before 1970; unsigned: 2106 and 2038, beyond the clock)
 * are bad; a packet at 0 after the 1989 ones is late, counted in the
 * open window.  Two windows, one day, 1989-12-12.
 */
static void
test_pcap_old_and_bad(void)
{
	char		 path[] = "/tmp/test_timestamps.pcap.XXXXXX";
	const uint32_t	 ts[][2] = {
		{ (uint32_t)T89, 0 },
		{ (uint32_t)T89 + 1, 1000000 },
		{ 0xffffffffu, 0 },
		{ 0x80000000u, 0 },
		{ (uint32_t)T89 + 45, 999999 },
		{ 0, 0 },
	};
	struct run	 ru;
	int		 fd = mkstemp(path);

	if (fd < 0 || write_pcap(path, ts, 6) < 0) {
		CHECK(0, "pcap written");
		return;
	}
	close(fd);
	CHECK(replay(path, &ru) == 0, "the pcap file replays to its end");
	CHECK_U64(ru.ru_stats.cs_bad_timestamps, 3, "3 bad timestamps of 6");
	CHECK_U64(ru.ru_windows, 2, "2 windows: [T89, T89+30), [T89+30, ...)");
	CHECK_U64(ru.ru_packets, 3, "3 packets in them, the one at 0 too");
	CHECK_U64(ru.ru_late, 1, "which is late");
	CHECK(ru.ru_ndays == 1 &&
	    strcmp(ru.ru_days[0], "coremon-19891212.log") == 0 &&
	    ru.ru_lines == 2, "one archive day, 1989-12-12, 2 lines (%zu "
	    "files, first %s)", ru.ru_ndays, ru.ru_ndays ? ru.ru_days[0] : "-");
	unlink(path);
}

/*
 * The replay: 200 packets alternating T and T+31,000 s gave
 * 100,200 windows and archive lines.  Now: the first window, the empty
 * ones of the one gap (1,032 of which the run's budget closes 1,000)
 * and the window holding T+31,000, with the 99 later packets at T late.
 */
static void
test_back_and_forth(void)
{
	char		 path[] = "/tmp/test_timestamps.bf.XXXXXX";
	uint32_t	 ts[200][2];
	struct run	 ru;
	int		 fd = mkstemp(path), i;

	for (i = 0; i < 200; i++) {
		ts[i][0] = (uint32_t)T0 + (i % 2 ? 31000 : 0);
		ts[i][1] = (uint32_t)i;
	}
	if (fd < 0 || write_pcap(path, (const uint32_t (*)[2])ts, 200) < 0) {
		CHECK(0, "pcap written");
		return;
	}
	close(fd);
	CHECK(replay(path, &ru) == 0, "the back-and-forth file replays");
	CHECK_U64(ru.ru_windows, 1 + WINDOW_MAX_EMPTY + 1, "1,002 windows, "
	    "not one per packet");
	CHECK_U64(ru.ru_lines, 1 + WINDOW_MAX_EMPTY + 1, "and as many archive "
	    "lines");
	CHECK(ru.ru_packets == 200 && ru.ru_late == 99 &&
	    ru.ru_stats.cs_bad_timestamps == 0, "every packet counted once, "
	    "99 late, none bad");
	unlink(path);
}

int
main(void)
{
	if (fixture_world(&sv, &ln, "10.0.0.0/8") < 0) {
		CHECK(0, "fixture");
		return check_done();
	}
	test_pcapng_overflow();
	test_pcap_old_and_bad();
	test_back_and_forth();
	fixture_world_free(sv, ln);
	return check_done();
}
