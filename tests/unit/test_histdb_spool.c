/*
 * histdb spool: batches with every row kind come back field for field,
 * in the order pushed, across close and open; a file built by hand in
 * the documented format reads as the values put in it; the size limit
 * drops what does not fit and frees room as batches are popped; files
 * are 0640 and a temporary file left by a crash is removed, never read.
 * Damaged files (a flipped bit, cut short, a hostile row count, a string
 * longer than its field, bytes past the end, a wrong version) are set
 * aside as .bad, counted and never half-read, and the next batch still
 * comes; only the newest .bad files are kept.  A link, a FIFO and
 * another user's file under a batch name are refused without reading
 * through them or blocking; a link planted at the temporary name is not
 * written through.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "fixture.h"
#include "lib/crc32c.h"
#include "store/histdb_int.h"

static char	dir[64];
static uint64_t	rnd = 0x5eed12ULL;

static void
path_in(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%.180s", dir, name);
}

static void
batch_name(char *buf, size_t len, uint64_t seq, const char *suffix)
{
	char	name[64];

	snprintf(name, sizeof(name), "batch-%016" PRIx64 "%s", seq, suffix);
	path_in(buf, len, name);
}

static int
exists(const char *path)
{
	struct stat	st;

	return lstat(path, &st) == 0;
}

static void
random_str(char *dst, size_t n)
{
	/* Empty, full (n - 1) or in between; any byte but NUL. */
	size_t	len = fixture_random(&rnd) % 3 == 0 ? n - 1 :
		    (size_t)(fixture_random(&rnd) % n);
	size_t	i;

	for (i = 0; i < len; i++)
		dst[i] = (char)(1 + fixture_random(&rnd) % 255);
	dst[len] = '\0';
}

static uint64_t
r64(void)
{
	return fixture_random(&rnd);
}

/* A batch with n of every row kind, its fields random, strings from
 * empty to full. */
static void
make_batch(struct histdb_batch *b, int64_t start, size_t n)
{
	size_t	i;

	memset(b, 0, sizeof(*b));
	random_str(b->hb_agent, sizeof(b->hb_agent));
	b->hb_start_s = start;
	b->hb_length_s = 30;
	b->hb_day = 20240601;
	b->hb_nwindows = b->hb_nservices = b->hb_nsessions = n;
	b->hb_nhosts = b->hb_nprobes = b->hb_nprocs = n;
	b->hb_windows = calloc(n + 1, sizeof(*b->hb_windows));
	b->hb_services = calloc(n + 1, sizeof(*b->hb_services));
	b->hb_sessions = calloc(n + 1, sizeof(*b->hb_sessions));
	b->hb_hosts = calloc(n + 1, sizeof(*b->hb_hosts));
	b->hb_probes = calloc(n + 1, sizeof(*b->hb_probes));
	b->hb_procs = calloc(n + 1, sizeof(*b->hb_procs));
	b->hb_names = calloc(n + 1, HISTDB_HOSTNAME_MAX);
	if (b->hb_windows == NULL || b->hb_services == NULL ||
	    b->hb_sessions == NULL || b->hb_hosts == NULL ||
	    b->hb_probes == NULL || b->hb_procs == NULL ||
	    b->hb_names == NULL)
		abort();
	for (i = 0; i < n; i++) {
		struct histdb_window_row *w = &b->hb_windows[i];
		struct histdb_service_row *s = &b->hb_services[i];
		struct histdb_session_row *e = &b->hb_sessions[i];
		struct histdb_host_row *h = &b->hb_hosts[i];
		struct histdb_probe *p = &b->hb_probes[i];

		random_str(w->wr_source, sizeof(w->wr_source));
		w->wr_octets_in = r64();
		w->wr_octets_out = r64();
		w->wr_packets_in = r64();
		w->wr_packets_out = r64();
		w->wr_sessions = r64();
		w->wr_local_octets = r64();
		w->wr_drops = r64();
		w->wr_rtt_us = i % 2 ? -1 : (int64_t)(r64() >> 1);
		random_str(s->sr_service, sizeof(s->sr_service));
		s->sr_octets_in = r64();
		s->sr_octets_out = r64();
		s->sr_packets_in = r64();
		s->sr_packets_out = r64();
		e->ss_rank = (uint32_t)r64();
		e->ss_proto = (uint8_t)r64();
		random_str(e->ss_local, sizeof(e->ss_local));
		random_str(e->ss_remote, sizeof(e->ss_remote));
		e->ss_port = (uint16_t)r64();
		random_str(e->ss_service, sizeof(e->ss_service));
		e->ss_octets_in = r64();
		e->ss_octets_out = r64();
		e->ss_packets_in = r64();
		e->ss_packets_out = r64();
		random_str(h->hr_addr, sizeof(h->hr_addr));
		random_str(h->hr_service, sizeof(h->hr_service));
		h->hr_octets_in = r64();
		h->hr_octets_out = r64();
		h->hr_packets_in = r64();
		h->hr_packets_out = r64();
		h->hr_first_s = -(int64_t)(r64() >> 2);
		h->hr_last_s = (int64_t)(r64() >> 1);
		/* A third unresolved (NULL), the others up to the longest
		 * name a row takes. */
		random_str(&b->hb_names[i * HISTDB_HOSTNAME_MAX],
		    HISTDB_HOSTNAME_MAX);
		h->hr_name = i % 3 == 2 ? NULL :
		    &b->hb_names[i * HISTDB_HOSTNAME_MAX];
		random_str(p->hp_name, sizeof(p->hp_name));
		random_str(p->hp_addr, sizeof(p->hp_addr));
		p->hp_sent = (uint32_t)r64();
		p->hp_answered = (uint32_t)r64();
		p->hp_rtt_min_us = (uint32_t)r64();
		p->hp_rtt_mean_us = (uint32_t)r64();
		p->hp_rtt_max_us = (uint32_t)r64();
		random_str(b->hb_procs[i].hq_name,
		    sizeof(b->hb_procs[i].hq_name));
		random_str(b->hb_procs[i].hq_unit,
		    sizeof(b->hb_procs[i].hq_unit));
		b->hb_procs[i].hq_pid = (uint32_t)r64();
		b->hb_procs[i].hq_conns = (uint32_t)r64();
		b->hb_procs[i].hq_octets_in = r64();
		b->hb_procs[i].hq_octets_out = r64();
	}
}

#define SAME_STR(a, b)	(strcmp((a), (b)) == 0)
#define NAME(s)		((s) != NULL ? (s) : "")	/* NULL: unresolved */

/* Field for field (never memcmp: padding and bytes past a string's NUL
 * are no part of a row). */
static int
same_batch(const struct histdb_batch *a, const struct histdb_batch *b)
{
	size_t	i;
	int	ok;

	ok = SAME_STR(a->hb_agent, b->hb_agent) &&
	    a->hb_start_s == b->hb_start_s && a->hb_length_s == b->hb_length_s &&
	    a->hb_day == b->hb_day && a->hb_nwindows == b->hb_nwindows &&
	    a->hb_nservices == b->hb_nservices &&
	    a->hb_nsessions == b->hb_nsessions && a->hb_nhosts == b->hb_nhosts &&
	    a->hb_nprobes == b->hb_nprobes && a->hb_nprocs == b->hb_nprocs;
	for (i = 0; ok && i < a->hb_nwindows; i++) {
		const struct histdb_window_row *x = &a->hb_windows[i],
		    *y = &b->hb_windows[i];

		ok = SAME_STR(x->wr_source, y->wr_source) &&
		    x->wr_octets_in == y->wr_octets_in &&
		    x->wr_octets_out == y->wr_octets_out &&
		    x->wr_packets_in == y->wr_packets_in &&
		    x->wr_packets_out == y->wr_packets_out &&
		    x->wr_sessions == y->wr_sessions &&
		    x->wr_local_octets == y->wr_local_octets &&
		    x->wr_drops == y->wr_drops && x->wr_rtt_us == y->wr_rtt_us;
	}
	for (i = 0; ok && i < a->hb_nservices; i++) {
		const struct histdb_service_row *x = &a->hb_services[i],
		    *y = &b->hb_services[i];

		ok = SAME_STR(x->sr_service, y->sr_service) &&
		    x->sr_octets_in == y->sr_octets_in &&
		    x->sr_octets_out == y->sr_octets_out &&
		    x->sr_packets_in == y->sr_packets_in &&
		    x->sr_packets_out == y->sr_packets_out;
	}
	for (i = 0; ok && i < a->hb_nsessions; i++) {
		const struct histdb_session_row *x = &a->hb_sessions[i],
		    *y = &b->hb_sessions[i];

		ok = x->ss_rank == y->ss_rank && x->ss_proto == y->ss_proto &&
		    SAME_STR(x->ss_local, y->ss_local) &&
		    SAME_STR(x->ss_remote, y->ss_remote) &&
		    x->ss_port == y->ss_port &&
		    SAME_STR(x->ss_service, y->ss_service) &&
		    x->ss_octets_in == y->ss_octets_in &&
		    x->ss_octets_out == y->ss_octets_out &&
		    x->ss_packets_in == y->ss_packets_in &&
		    x->ss_packets_out == y->ss_packets_out;
	}
	for (i = 0; ok && i < a->hb_nhosts; i++) {
		const struct histdb_host_row *x = &a->hb_hosts[i],
		    *y = &b->hb_hosts[i];

		ok = SAME_STR(x->hr_addr, y->hr_addr) &&
		    SAME_STR(x->hr_service, y->hr_service) &&
		    x->hr_octets_in == y->hr_octets_in &&
		    x->hr_octets_out == y->hr_octets_out &&
		    x->hr_packets_in == y->hr_packets_in &&
		    x->hr_packets_out == y->hr_packets_out &&
		    x->hr_first_s == y->hr_first_s &&
		    x->hr_last_s == y->hr_last_s &&
		    SAME_STR(NAME(x->hr_name), NAME(y->hr_name));
	}
	for (i = 0; ok && i < a->hb_nprobes; i++) {
		const struct histdb_probe *x = &a->hb_probes[i],
		    *y = &b->hb_probes[i];

		ok = SAME_STR(x->hp_name, y->hp_name) &&
		    SAME_STR(x->hp_addr, y->hp_addr) &&
		    x->hp_sent == y->hp_sent && x->hp_answered == y->hp_answered &&
		    x->hp_rtt_min_us == y->hp_rtt_min_us &&
		    x->hp_rtt_mean_us == y->hp_rtt_mean_us &&
		    x->hp_rtt_max_us == y->hp_rtt_max_us;
	}
	for (i = 0; ok && i < a->hb_nprocs; i++) {
		const struct histdb_process *x = &a->hb_procs[i],
		    *y = &b->hb_procs[i];

		ok = SAME_STR(x->hq_name, y->hq_name) &&
		    SAME_STR(x->hq_unit, y->hq_unit) &&
		    x->hq_pid == y->hq_pid && x->hq_conns == y->hq_conns &&
		    x->hq_octets_in == y->hq_octets_in &&
		    x->hq_octets_out == y->hq_octets_out;
	}
	return ok;
}

static struct histdb_spool *
open_spool(uint64_t max)
{
	struct histdb_spool	*sp;
	char			 err[256];

	if ((sp = histdb_spool_open(dir, max, err, sizeof(err))) == NULL)
		printf("# %s\n", err);
	return sp;
}

/* Sum of the sizes of the queued files, as stat sees them. */
static uint64_t
bytes_on_disk(uint64_t first, uint64_t last)
{
	struct stat	st;
	char		p[256];
	uint64_t	sum = 0, s;

	for (s = first; s <= last; s++) {
		batch_name(p, sizeof(p), s, ".hdb");
		if (stat(p, &st) == 0)
			sum += (uint64_t)st.st_size;
	}
	return sum;
}

static void
test_round_trip(void)
{
	struct histdb_batch	 in[5], out;
	struct histdb_spool	*sp;
	struct stat		 st;
	char			 p[256];
	mode_t			 old;
	size_t			 i;
	int			 ok = 1, rc;

	fixture_empty_dir(dir);
	old = umask(077);	/* files are 0640 whatever the umask */
	if ((sp = open_spool(1ULL << 30)) == NULL)
		return;
	for (i = 0; i < 5; i++) {
		make_batch(&in[i], 1717200000 + 30 * (int64_t)i,
		    i == 0 ? 0 : i * 7);
		ok &= histdb_spool_push(sp, &in[i]) == 0;
	}
	umask(old);
	CHECK(ok, "five batches with every row kind (0 to 28 rows each) pushed");
	CHECK_U64(histdb_spool_count(sp), 5, "five waiting");
	CHECK_U64(histdb_spool_bytes(sp), bytes_on_disk(1, 5),
	    "the spool's bytes are the files' sizes");
	batch_name(p, sizeof(p), 1, ".hdb");
	CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0640,
	    "a spool file is 0640 (%o) under a 077 umask",
	    (unsigned int)(st.st_mode & 07777));
	/* Two come back before a close, the rest after an open. */
	for (i = 0; i < 2; i++) {
		rc = histdb_spool_peek(sp, &out);
		CHECK(rc == 1 && same_batch(&in[i], &out),
		    "batch %zu comes back field for field", i);
		histdb_batch_free(&out);
		CHECK(histdb_spool_peek(sp, &out) == 1 &&
		    same_batch(&in[i], &out), "peek again: the same batch");
		histdb_batch_free(&out);
		histdb_spool_pop(sp);
	}
	histdb_spool_close(sp);
	if ((sp = open_spool(1ULL << 30)) == NULL)
		return;
	CHECK_U64(histdb_spool_count(sp), 3, "three found again after open");
	CHECK_U64(histdb_spool_bytes(sp), bytes_on_disk(3, 5),
	    "with their bytes");
	/* One more after the reopen goes after them. */
	histdb_batch_free(&in[0]);
	make_batch(&in[0], 1717300000, 3);
	CHECK(histdb_spool_push(sp, &in[0]) == 0, "a sixth pushed after open");
	batch_name(p, sizeof(p), 6, ".hdb");
	CHECK(exists(p), "under the next sequence number, not a reused one");
	ok = 1;
	for (i = 2; i < 6; i++) {
		rc = histdb_spool_peek(sp, &out);
		ok &= rc == 1 && same_batch(&in[i == 5 ? 0 : i], &out);
		histdb_batch_free(&out);
		histdb_spool_pop(sp);
	}
	CHECK(ok, "the rest come back in the order pushed");
	CHECK(histdb_spool_peek(sp, &out) == 0 &&
	    histdb_spool_count(sp) == 0 && histdb_spool_bytes(sp) == 0,
	    "then none, and nothing counted");
	CHECK(!exists(p), "a popped batch's file is gone");
	CHECK_U64(histdb_spool_damaged(sp), 0, "nothing set aside");
	histdb_spool_close(sp);
	for (i = 0; i < 5; i++)
		histdb_batch_free(&in[i]);
}

/* ---- hand-made files ---- */

struct raw {
	uint8_t	r_data[4096];
	size_t	r_len;
};

static void
raw_be(struct raw *r, uint64_t v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		r->r_data[r->r_len++] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static void
raw_str(struct raw *r, const char *s)
{
	raw_be(r, strlen(s), 1);
	memcpy(r->r_data + r->r_len, s, strlen(s));
	r->r_len += strlen(s);
}

/* The documented header in front of a payload, its CRC computed here. */
static void
raw_file(struct raw *f, const struct raw *payload, uint32_t version)
{
	f->r_len = 0;
	memcpy(f->r_data, "CMHB", 4);
	f->r_len = 4;
	raw_be(f, version, 4);
	raw_be(f, payload->r_len, 4);
	raw_be(f, crc32c_update(0, payload->r_data, payload->r_len), 4);
	memcpy(f->r_data + f->r_len, payload->r_data, payload->r_len);
	f->r_len += payload->r_len;
}

/* One window row and one probe row, by hand. */
static void
raw_payload(struct raw *p)
{
	p->r_len = 0;
	raw_str(p, "edge-1");
	raw_be(p, 1717200030, 8);
	raw_be(p, 30, 4);
	raw_be(p, 20240601, 4);
	raw_be(p, 1, 4);	/* windows */
	raw_be(p, 0, 4);
	raw_be(p, 0, 4);
	raw_be(p, 0, 4);
	raw_be(p, 1, 4);	/* probes */
	raw_str(p, "eth0");
	raw_be(p, 1000, 8);
	raw_be(p, 2000, 8);
	raw_be(p, 10, 8);
	raw_be(p, 20, 8);
	raw_be(p, 3, 8);
	raw_be(p, 500, 8);
	raw_be(p, 7, 8);
	raw_be(p, (uint64_t)-1, 8);	/* no RTT */
	raw_str(p, "gw");
	raw_str(p, "192.0.2.1");
	raw_be(p, 30, 4);
	raw_be(p, 29, 4);
	raw_be(p, 100, 4);
	raw_be(p, 150, 4);
	raw_be(p, 900, 4);
}

/* Version 2's payload: no window, one process row. */
static void
raw_payload_v2(struct raw *p)
{
	p->r_len = 0;
	raw_str(p, "edge-1");
	raw_be(p, 1717200030, 8);
	raw_be(p, 30, 4);
	raw_be(p, 20240601, 4);
	raw_be(p, 0, 4);	/* windows */
	raw_be(p, 0, 4);
	raw_be(p, 0, 4);
	raw_be(p, 0, 4);
	raw_be(p, 0, 4);	/* probes */
	raw_be(p, 1, 4);	/* processes */
	raw_str(p, "nginx");
	raw_str(p, "nginx.service");
	raw_be(p, 4242, 4);
	raw_be(p, 7, 4);
	raw_be(p, 5000000000ULL, 8);
	raw_be(p, 12, 8);
}

static void
write_raw(const char *path, const void *p, size_t n)
{
	FILE	*f = fopen(path, "wb");

	if (f == NULL || (n > 0 && fwrite(p, 1, n, f) != n))
		printf("# cannot write %s\n", path);
	if (f != NULL)
		fclose(f);
}

static void
test_format(void)
{
	struct histdb_spool	*sp;
	struct histdb_batch	 b;
	struct raw		 pl, f;
	char			 p[256];

	fixture_empty_dir(dir);
	raw_payload(&pl);
	raw_file(&f, &pl, 1);
	batch_name(p, sizeof(p), 0x2a, ".hdb");
	write_raw(p, f.r_data, f.r_len);
	if ((sp = open_spool(1 << 20)) == NULL)
		return;
	CHECK(histdb_spool_peek(sp, &b) == 1, "a file made by hand in the "
	    "documented format is read");
	CHECK(SAME_STR(b.hb_agent, "edge-1") && b.hb_start_s == 1717200030 &&
	    b.hb_length_s == 30 && b.hb_day == 20240601 &&
	    b.hb_nwindows == 1 && b.hb_nprobes == 1 && b.hb_nhosts == 0 &&
	    SAME_STR(b.hb_windows[0].wr_source, "eth0") &&
	    b.hb_windows[0].wr_octets_in == 1000 &&
	    b.hb_windows[0].wr_octets_out == 2000 &&
	    b.hb_windows[0].wr_packets_in == 10 &&
	    b.hb_windows[0].wr_packets_out == 20 &&
	    b.hb_windows[0].wr_sessions == 3 &&
	    b.hb_windows[0].wr_local_octets == 500 &&
	    b.hb_windows[0].wr_drops == 7 && b.hb_windows[0].wr_rtt_us == -1 &&
	    SAME_STR(b.hb_probes[0].hp_name, "gw") &&
	    SAME_STR(b.hb_probes[0].hp_addr, "192.0.2.1") &&
	    b.hb_probes[0].hp_sent == 30 && b.hb_probes[0].hp_answered == 29 &&
	    b.hb_probes[0].hp_rtt_min_us == 100 &&
	    b.hb_probes[0].hp_rtt_mean_us == 150 &&
	    b.hb_probes[0].hp_rtt_max_us == 900,
	    "with the values put in it");
	histdb_batch_free(&b);
	histdb_spool_pop(sp);

	/* Version 2: a sixth count, and the process rows last. */
	raw_payload_v2(&pl);
	raw_file(&f, &pl, 2);
	batch_name(p, sizeof(p), 0x2a, ".hdb");
	write_raw(p, f.r_data, f.r_len);
	histdb_spool_close(sp);
	if ((sp = open_spool(1 << 20)) == NULL)
		return;
	CHECK(histdb_spool_peek(sp, &b) == 1 && b.hb_nprocs == 1 &&
	    b.hb_nwindows == 0 && SAME_STR(b.hb_procs[0].hq_name, "nginx") &&
	    SAME_STR(b.hb_procs[0].hq_unit, "nginx.service") &&
	    b.hb_procs[0].hq_pid == 4242 && b.hb_procs[0].hq_conns == 7 &&
	    b.hb_procs[0].hq_octets_in == 5000000000ULL &&
	    b.hb_procs[0].hq_octets_out == 12,
	    "a version 2 file made by hand: its process row");
	histdb_batch_free(&b);
	histdb_spool_pop(sp);
	make_batch(&b, 1, 1);
	CHECK(histdb_spool_push(sp, &b) == 0, "a push after it");
	batch_name(p, sizeof(p), 0x2b, ".hdb");
	CHECK(exists(p), "takes the number after the highest found");
	histdb_batch_free(&b);
	histdb_spool_close(sp);
}

static void
test_limit(void)
{
	struct histdb_spool	*sp;
	struct histdb_batch	 b[4], out;
	struct stat		 st;
	char			 p[256];
	uint64_t		 one;

	fixture_empty_dir(dir);
	/* The size of one file, from a spool that holds it. */
	if ((sp = open_spool(1 << 20)) == NULL)
		return;
	make_batch(&b[0], 100, 5);
	histdb_spool_push(sp, &b[0]);
	batch_name(p, sizeof(p), 1, ".hdb");
	one = stat(p, &st) == 0 ? (uint64_t)st.st_size : 0;
	histdb_spool_pop(sp);
	histdb_spool_close(sp);
	histdb_batch_free(&b[0]);
	fixture_empty_dir(dir);

	/* Room for two batches of that size and a bit, not three. */
	if ((sp = open_spool(2 * one + one / 2)) == NULL)
		return;
	make_batch(&b[0], 100, 5);
	make_batch(&b[1], 130, 5);
	make_batch(&b[2], 160, 5);
	make_batch(&b[3], 190, 5);
	CHECK(histdb_spool_push(sp, &b[0]) == 0 &&
	    histdb_spool_push(sp, &b[1]) == 0, "two batches fit");
	CHECK(histdb_spool_push(sp, &b[2]) == -1, "a third does not: dropped");
	CHECK(strstr(histdb_spool_error(sp), "full") != NULL,
	    "and the reason says full (%s)", histdb_spool_error(sp));
	CHECK_U64(histdb_spool_count(sp), 2, "two waiting");
	batch_name(p, sizeof(p), 3, ".hdb");
	CHECK(!exists(p), "no file for the dropped one");
	CHECK(histdb_spool_bytes(sp) <= 2 * one + one / 2,
	    "the spool never holds more than its limit");
	histdb_spool_peek(sp, &out);
	histdb_batch_free(&out);
	histdb_spool_pop(sp);
	CHECK(histdb_spool_push(sp, &b[3]) == 0, "after a pop there is room");
	CHECK(histdb_spool_peek(sp, &out) == 1 && same_batch(&b[1], &out),
	    "the oldest is still first");
	histdb_batch_free(&out);
	histdb_spool_pop(sp);
	CHECK(histdb_spool_peek(sp, &out) == 1 && same_batch(&b[3], &out),
	    "then the one pushed after the drop");
	histdb_batch_free(&out);
	histdb_spool_close(sp);
	/* Reopened with a smaller limit than it holds: nothing is lost,
	 * nothing more is taken. */
	if ((sp = open_spool(one / 2)) == NULL)
		return;
	CHECK(histdb_spool_count(sp) == 1 &&
	    histdb_spool_push(sp, &b[0]) == -1,
	    "a spool over a lowered limit keeps its batch, takes no more");
	histdb_spool_close(sp);
	for (int i = 0; i < 4; i++)
		histdb_batch_free(&b[i]);
}

/* Writes the file of batch seq as f. */
static void
put_batch(uint64_t seq, const struct raw *f)
{
	char	p[256];

	batch_name(p, sizeof(p), seq, ".hdb");
	write_raw(p, f->r_data, f->r_len);
}

/* A spool with a good batch 1, the bad file as batch 2 and a good batch
 * 3: 2 is refused and set aside, counted, and 3 comes next. */
static void
check_damaged(const struct raw *bad, const char *what)
{
	struct histdb_spool	*sp;
	struct histdb_batch	 out;
	struct raw		 pl, good;
	char			 p[256];
	int			 rc1, rc2, rc3, rc4;

	fixture_empty_dir(dir);
	raw_payload(&pl);
	raw_file(&good, &pl, 1);
	put_batch(1, &good);
	put_batch(2, bad);
	put_batch(3, &good);
	if ((sp = open_spool(1 << 20)) == NULL)
		return;
	rc1 = histdb_spool_peek(sp, &out);
	histdb_batch_free(&out);
	histdb_spool_pop(sp);
	rc2 = histdb_spool_peek(sp, &out);
	CHECK(rc2 == -1 && out.hb_nwindows == 0 && out.hb_windows == NULL &&
	    out.hb_hosts == NULL, "%s: refused, nothing handed out", what);
	rc3 = histdb_spool_peek(sp, &out);
	CHECK(rc1 == 1 && rc3 == 1 && SAME_STR(out.hb_agent, "edge-1"),
	    "%s: the batches around it still come", what);
	histdb_batch_free(&out);
	histdb_spool_pop(sp);
	rc4 = histdb_spool_peek(sp, &out);
	batch_name(p, sizeof(p), 2, ".bad");
	CHECK(rc4 == 0 && exists(p) && histdb_spool_damaged(sp) == 1,
	    "%s: set aside as .bad and counted (%s)", what,
	    histdb_spool_error(sp));
	histdb_spool_close(sp);
}

static void
test_damaged(void)
{
	struct raw	pl, f, g;
	size_t		i;

	raw_payload(&pl);
	raw_file(&f, &pl, 1);

	g = f;
	g.r_data[g.r_len - 3] ^= 0x10;	/* in a value: only the CRC sees it */
	check_damaged(&g, "a flipped bit");
	g = f;
	g.r_len = f.r_len / 2;
	check_damaged(&g, "a file cut in half");
	g = f;
	g.r_len = 10;
	check_damaged(&g, "a file cut inside its header");
	g.r_len = 0;
	check_damaged(&g, "an empty file");
	raw_file(&g, &pl, 3);
	check_damaged(&g, "an unknown version");
	g = f;
	memcpy(g.r_data, "XXXX", 4);
	check_damaged(&g, "a wrong magic");

	/* Well-formed CRCs around malformed payloads. */
	g = pl;
	g.r_data[g.r_len++] = 0;
	raw_file(&f, &g, 1);
	check_damaged(&f, "a byte past the last row");
	g = pl;
	g.r_len--;
	raw_file(&f, &g, 1);
	check_damaged(&f, "a row cut short");
	g = pl;
	/* The host count (after agent 7, start 8, length 4, day 4 and
	 * three counts) says 2^32 - 1 rows. */
	for (i = 0; i < 4; i++)
		g.r_data[7 + 8 + 4 + 4 + 12 + i] = 0xff;
	raw_file(&f, &g, 1);
	check_damaged(&f, "a row count of 2^32 - 1");
	g.r_len = 0;
	raw_be(&g, 64, 1);	/* an agent name as long as its field */
	memset(g.r_data + 1, 'a', 64);
	g.r_len = 65;
	memcpy(g.r_data + g.r_len, pl.r_data + 7, pl.r_len - 7);
	g.r_len += pl.r_len - 7;
	raw_file(&f, &g, 1);
	check_damaged(&f, "a string no shorter than its field");
	g = pl;
	g.r_data[3] = '\0';	/* "edg\0-1" */
	raw_file(&f, &g, 1);
	check_damaged(&f, "a NUL inside a string");
}

static void
test_crash_leftovers(void)
{
	struct histdb_spool	*sp;
	struct histdb_batch	 out;
	struct raw		 pl, f;
	char			 p[256];
	int			 i;

	fixture_empty_dir(dir);
	raw_payload(&pl);
	raw_file(&f, &pl, 1);
	put_batch(1, &f);
	/* A write cut by a crash: half a batch under the temporary name. */
	path_in(p, sizeof(p), ".tmp-0000000000000002.hdb");
	write_raw(p, f.r_data, f.r_len / 2);
	/* 20 damaged files from earlier runs. */
	for (i = 0; i < 20; i++) {
		batch_name(p, sizeof(p), 100 + (uint64_t)i, ".bad");
		write_raw(p, "x", 1);
	}
	if ((sp = open_spool(1 << 20)) == NULL)
		return;
	path_in(p, sizeof(p), ".tmp-0000000000000002.hdb");
	CHECK(!exists(p), "a temporary file left by a crash is removed");
	CHECK(histdb_spool_count(sp) == 1 && histdb_spool_peek(sp, &out) == 1,
	    "and not taken for a batch");
	histdb_batch_free(&out);
	batch_name(p, sizeof(p), 103, ".bad");
	CHECK(!exists(p), "old .bad files beyond the newest 16 are removed");
	batch_name(p, sizeof(p), 104, ".bad");
	CHECK(exists(p), "the newest 16 are kept");
	histdb_spool_close(sp);
}

static void
test_hostile(void)
{
	struct histdb_spool	*sp;
	struct histdb_batch	 b, out;
	struct raw		 pl, f;
	struct stat		 before, after;
	char			 secret[128], p[256];
	int			 root = geteuid() == 0, rc, ok;
	uint64_t		 n;

	fixture_empty_dir(dir);
	raw_payload(&pl);
	raw_file(&f, &pl, 1);
	/* A valid batch outside the spool, to be reached through a link. */
	snprintf(secret, sizeof(secret), "%s.secret", dir);
	write_raw(secret, f.r_data, f.r_len);
	chmod(secret, 0600);
	stat(secret, &before);
	batch_name(p, sizeof(p), 1, ".hdb");
	symlink(secret, p);
	batch_name(p, sizeof(p), 2, ".hdb");
	mkfifo(p, 0600);
	batch_name(p, sizeof(p), 3, ".hdb");
	mkdir(p, 0700);
	put_batch(4, &f);
	if (root) {
		batch_name(p, sizeof(p), 4, ".hdb");
		chown(p, 65534, 65534);
	}
	put_batch(5, &f);
	if ((sp = open_spool(1 << 20)) == NULL)
		return;
	ok = 1;
	for (n = 1; n <= 4; n++) {
		rc = histdb_spool_peek(sp, &out);
		if (n == 4 && !root)
			ok &= rc == 1;
		else
			ok &= rc == -1 && out.hb_nwindows == 0;
		if (rc == 1) {
			histdb_batch_free(&out);
			histdb_spool_pop(sp);
		}
		printf("# %s\n", histdb_spool_error(sp));
	}
	CHECK(ok, "a link, a FIFO, a directory%s under batch names are "
	    "refused (no FIFO blocks)", root ? " and another user's file" : "");
	CHECK(strstr(histdb_spool_error(sp), root ? "uid 65534" : "") != NULL,
	    "the reason names what was wrong");
	rc = histdb_spool_peek(sp, &out);
	CHECK(rc == 1 && SAME_STR(out.hb_agent, "edge-1"),
	    "the own batch after them comes");
	histdb_batch_free(&out);
	histdb_spool_pop(sp);
	CHECK_U64(histdb_spool_damaged(sp), root ? 4 : 3,
	    "each refused file counted");
	stat(secret, &after);
	CHECK(after.st_size == before.st_size && (after.st_mode & 0777) == 0600,
	    "the link's target is untouched");
	batch_name(p, sizeof(p), 1, ".bad");
	CHECK(lstat(p, &after) == 0 && S_ISLNK(after.st_mode) &&
	    stat(secret, &after) == 0, "the link itself was set aside, its "
	    "target left where it was");

	/* A link planted at the next temporary name is not written
	 * through. */
	path_in(p, sizeof(p), ".tmp-0000000000000006.hdb");
	symlink(secret, p);
	make_batch(&b, 1, 2);
	CHECK(histdb_spool_push(sp, &b) == 0, "a push beside a planted "
	    "temporary link");
	stat(secret, &after);
	CHECK(after.st_size == before.st_size,
	    "the link's target is not written");
	CHECK(histdb_spool_peek(sp, &out) == 1 && same_batch(&b, &out),
	    "and the batch is whole");
	histdb_batch_free(&out);
	histdb_batch_free(&b);
	histdb_spool_close(sp);
	unlink(secret);
}

/* A full disk: the push fails with the reason, nothing is queued, no
 * temporary file is left, and the batches already there still come. */
static void
test_full_disk(void)
{
	struct histdb_spool	*sp;
	struct histdb_batch	 b, big, out;
	char			 mnt[128], p[256];
	int			 rc;

	fixture_empty_dir(dir);
	if (fixture_small_disk(mnt, sizeof(mnt), dir) < 0)
		return;
	if ((sp = histdb_spool_open(mnt, 1 << 30, p, sizeof(p))) == NULL) {
		CHECK(0, "a spool on a small disk opens (%s)", p);
		goto out;
	}
	make_batch(&b, 1, 2);
	CHECK(histdb_spool_push(sp, &b) == 0, "a batch on the small disk");
	snprintf(p, sizeof(p), "%s/filler", mnt);
	fixture_fill_disk(p);
	make_batch(&big, 2, 200);	/* about 100 KB: more than is left */
	rc = histdb_spool_push(sp, &big);
	CHECK(rc == -1 && histdb_spool_count(sp) == 1 &&
	    strstr(histdb_spool_error(sp), "No space") != NULL,
	    "a full disk: the push fails, nothing queued (%s)",
	    histdb_spool_error(sp));
	snprintf(p, sizeof(p), "%s/.tmp-0000000000000002.hdb", mnt);
	CHECK(!exists(p), "no temporary file is left behind");
	CHECK(histdb_spool_peek(sp, &out) == 1 && same_batch(&b, &out),
	    "the batch already there still comes");
	histdb_batch_free(&out);
	histdb_batch_free(&b);
	histdb_batch_free(&big);
	histdb_spool_close(sp);
out:
	fixture_small_disk_remove(mnt);
}

int
main(void)
{
	if (fixture_tmpdir(dir, sizeof(dir), "test_histdb_spool") < 0)
		return 2;
	test_round_trip();
	test_format();
	test_limit();
	test_damaged();
	test_crash_leftovers();
	test_hostile();
	test_full_disk();
	fixture_remove_dir(dir);
	return check_done();
}
