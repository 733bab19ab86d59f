/*
 * histdb_spool: batches waiting on disk while the history database is
 * away; see histdb_int.h.
 *
 * One file a batch, named batch-<16 hex digits>.hdb by a sequence number
 * that only grows, so the oldest is the lowest and a restart finds the
 * order again from the names alone.  A file is
 *
 *	"CMHB"  be32 version  be32 payload length  be32 CRC-32C(payload)
 *	payload: the batch, big-endian, strings as a length byte and bytes
 *
 * Version 2 added the process rows (a sixth count, and the rows last);
 * version 1 files, which have none, are still read.
 *
 * written under a temporary name, synced and renamed, so a crash leaves
 * either the whole batch under its real name or a temporary file that
 * the next open removes.  Read back, every length is checked through a
 * cursor and the payload must be used up exactly; a file that fails
 * anything is renamed aside (.bad, the newest SPOOL_BAD_KEEP
 * kept), counted and never half-used, and so is a batch the database
 * refuses for good (histdb_spool_set_aside).  As in archive.c, only coremond's
 * own regular files are used: the directory is opened once, files
 * O_NOFOLLOW under it.
 *
 * One thread at a time (the history writer).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/crc32c.h"
#include "lib/cursor.h"
#include "store/histdb_int.h"

#define SPOOL_MAGIC		"CMHB"
#define SPOOL_VERSION		2	/* 1 read too */
#define SPOOL_HEADER		16	/* magic, version, length, CRC */
#define SPOOL_PREFIX		"batch-"
#define SPOOL_SUFFIX		".hdb"
#define SPOOL_BAD_SUFFIX	".bad"
#define SPOOL_TMP_PREFIX	".tmp-"
#define SPOOL_NAME_MAX		48
#define SPOOL_FILE_MODE		0640
#define SPOOL_DIR_MODE		0750
#define SPOOL_FILE_MAX		((size_t)1 << 30)	/* a batch, encoded */
#define SPOOL_FILES_MAX		100000	/* 35 days of 30 s windows */
#define SPOOL_BAD_KEEP		16	/* damaged files kept to look at */

/* Smallest encoding of each row kind (every string empty): a count in a
 * file can promise no more rows than its bytes can hold. */
#define SPOOL_MIN_WINDOW	(1 + 8 * 8)
#define SPOOL_MIN_SERVICE	(1 + 4 * 8)
#define SPOOL_MIN_SESSION	(4 + 1 + 1 + 1 + 2 + 1 + 4 * 8)
#define SPOOL_MIN_HOST		(1 + 1 + 6 * 8 + 1)
#define SPOOL_MIN_PROBE		(1 + 1 + 5 * 4)
#define SPOOL_MIN_PROCESS	(1 + 1 + 2 * 4 + 2 * 8)

struct spool_file {
	uint64_t	sf_seq;
	uint64_t	sf_bytes;
};

struct histdb_spool {
	char			*sp_dir;
	int			 sp_dirfd;
	uint64_t		 sp_max;	/* bytes */
	uint64_t		 sp_bytes;	/* of the files queued */
	struct spool_file	*sp_files;	/* oldest first, from sp_head */
	size_t			 sp_head, sp_nfiles, sp_cap;
	uint64_t		 sp_next_seq;
	uint64_t		 sp_bad[SPOOL_BAD_KEEP];	/* oldest first */
	size_t			 sp_nbad;
	uint64_t		 sp_damaged;
	char			 sp_error[HISTDB_ERROR_MAX];
};

/* ---- encoding ---- */

struct spool_buf {
	uint8_t	*sb_data;
	size_t	 sb_len, sb_cap;
	int	 sb_failed;	/* out of memory, or past the file limit */
};

static void
spool_put(struct spool_buf *sb, const void *p, size_t n)
{
	uint8_t	*d;
	size_t	 cap;

	if (sb->sb_failed)
		return;
	if (n > SPOOL_FILE_MAX - sb->sb_len) {
		sb->sb_failed = 1;
		return;
	}
	if (sb->sb_len + n > sb->sb_cap) {
		for (cap = sb->sb_cap ? sb->sb_cap : 4096; cap < sb->sb_len + n;)
			cap *= 2;
		if ((d = realloc(sb->sb_data, cap)) == NULL) {
			sb->sb_failed = 1;
			return;
		}
		sb->sb_data = d;
		sb->sb_cap = cap;
	}
	memcpy(sb->sb_data + sb->sb_len, p, n);
	sb->sb_len += n;
}

static void
spool_put_be(struct spool_buf *sb, uint64_t v, size_t n)
{
	uint8_t	b[8];
	size_t	i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	spool_put(sb, b, n);
}

/* A field of size n holds at most n - 1 bytes and its NUL. */
static void
spool_put_str(struct spool_buf *sb, const char *s, size_t n)
{
	size_t	len = strnlen(s, n - 1);

	spool_put_be(sb, len, 1);
	spool_put(sb, s, len);
}

static void
spool_encode_rows(struct spool_buf *sb, const struct histdb_batch *b)
{
	size_t	i;

	for (i = 0; i < b->hb_nwindows; i++) {
		const struct histdb_window_row *r = &b->hb_windows[i];

		spool_put_str(sb, r->wr_source, sizeof(r->wr_source));
		spool_put_be(sb, r->wr_octets_in, 8);
		spool_put_be(sb, r->wr_octets_out, 8);
		spool_put_be(sb, r->wr_packets_in, 8);
		spool_put_be(sb, r->wr_packets_out, 8);
		spool_put_be(sb, r->wr_sessions, 8);
		spool_put_be(sb, r->wr_local_octets, 8);
		spool_put_be(sb, r->wr_drops, 8);
		spool_put_be(sb, (uint64_t)r->wr_rtt_us, 8);
	}
	for (i = 0; i < b->hb_nservices; i++) {
		const struct histdb_service_row *r = &b->hb_services[i];

		spool_put_str(sb, r->sr_service, sizeof(r->sr_service));
		spool_put_be(sb, r->sr_octets_in, 8);
		spool_put_be(sb, r->sr_octets_out, 8);
		spool_put_be(sb, r->sr_packets_in, 8);
		spool_put_be(sb, r->sr_packets_out, 8);
	}
	for (i = 0; i < b->hb_nsessions; i++) {
		const struct histdb_session_row *r = &b->hb_sessions[i];

		spool_put_be(sb, r->ss_rank, 4);
		spool_put_be(sb, r->ss_proto, 1);
		spool_put_str(sb, r->ss_local, sizeof(r->ss_local));
		spool_put_str(sb, r->ss_remote, sizeof(r->ss_remote));
		spool_put_be(sb, r->ss_port, 2);
		spool_put_str(sb, r->ss_service, sizeof(r->ss_service));
		spool_put_be(sb, r->ss_octets_in, 8);
		spool_put_be(sb, r->ss_octets_out, 8);
		spool_put_be(sb, r->ss_packets_in, 8);
		spool_put_be(sb, r->ss_packets_out, 8);
	}
	for (i = 0; i < b->hb_nhosts; i++) {
		const struct histdb_host_row *r = &b->hb_hosts[i];

		spool_put_str(sb, r->hr_addr, sizeof(r->hr_addr));
		spool_put_str(sb, r->hr_service, sizeof(r->hr_service));
		spool_put_be(sb, r->hr_octets_in, 8);
		spool_put_be(sb, r->hr_octets_out, 8);
		spool_put_be(sb, r->hr_packets_in, 8);
		spool_put_be(sb, r->hr_packets_out, 8);
		spool_put_be(sb, (uint64_t)r->hr_first_s, 8);
		spool_put_be(sb, (uint64_t)r->hr_last_s, 8);
		spool_put_str(sb, r->hr_name != NULL ? r->hr_name : "",
		    HISTDB_HOSTNAME_MAX);
	}
	for (i = 0; i < b->hb_nprobes; i++) {
		const struct histdb_probe *r = &b->hb_probes[i];

		spool_put_str(sb, r->hp_name, sizeof(r->hp_name));
		spool_put_str(sb, r->hp_addr, sizeof(r->hp_addr));
		spool_put_be(sb, r->hp_sent, 4);
		spool_put_be(sb, r->hp_answered, 4);
		spool_put_be(sb, r->hp_rtt_min_us, 4);
		spool_put_be(sb, r->hp_rtt_mean_us, 4);
		spool_put_be(sb, r->hp_rtt_max_us, 4);
	}
	for (i = 0; i < b->hb_nprocs; i++) {
		const struct histdb_process *r = &b->hb_procs[i];

		spool_put_str(sb, r->hq_name, sizeof(r->hq_name));
		spool_put_str(sb, r->hq_unit, sizeof(r->hq_unit));
		spool_put_be(sb, r->hq_pid, 4);
		spool_put_be(sb, r->hq_conns, 4);
		spool_put_be(sb, r->hq_octets_in, 8);
		spool_put_be(sb, r->hq_octets_out, 8);
	}
}

/* The whole file for b into sb: 0, or -1 (no memory, or too big). */
static int
spool_encode(struct spool_buf *sb, const struct histdb_batch *b)
{
	uint32_t	crc;
	static const uint8_t head[SPOOL_HEADER];
	size_t		len;

	memset(sb, 0, sizeof(*sb));
	spool_put(sb, head, sizeof(head));	/* filled in below */
	spool_put_str(sb, b->hb_agent, sizeof(b->hb_agent));
	spool_put_be(sb, (uint64_t)b->hb_start_s, 8);
	spool_put_be(sb, b->hb_length_s, 4);
	spool_put_be(sb, b->hb_day, 4);
	spool_put_be(sb, b->hb_nwindows, 4);
	spool_put_be(sb, b->hb_nservices, 4);
	spool_put_be(sb, b->hb_nsessions, 4);
	spool_put_be(sb, b->hb_nhosts, 4);
	spool_put_be(sb, b->hb_nprobes, 4);
	spool_put_be(sb, b->hb_nprocs, 4);
	if (b->hb_nwindows > UINT32_MAX || b->hb_nservices > UINT32_MAX ||
	    b->hb_nsessions > UINT32_MAX || b->hb_nhosts > UINT32_MAX ||
	    b->hb_nprobes > UINT32_MAX || b->hb_nprocs > UINT32_MAX)
		sb->sb_failed = 1;
	spool_encode_rows(sb, b);
	if (sb->sb_failed) {
		free(sb->sb_data);
		sb->sb_data = NULL;
		return -1;
	}
	len = sb->sb_len - SPOOL_HEADER;
	crc = crc32c_update(0, sb->sb_data + SPOOL_HEADER, len);
	memcpy(sb->sb_data, SPOOL_MAGIC, 4);
	sb->sb_len = 4;
	spool_put_be(sb, SPOOL_VERSION, 4);
	spool_put_be(sb, len, 4);
	spool_put_be(sb, crc, 4);
	sb->sb_len = SPOOL_HEADER + len;
	return 0;
}

/* ---- decoding: every length checked, nothing trusted ---- */

static int
spool_get_be64(struct cursor *c, uint64_t *v)
{
	uint32_t	hi, lo;

	if (cursor_remaining(c) < 8 || cursor_get_be32(c, &hi) < 0 ||
	    cursor_get_be32(c, &lo) < 0)
		return -1;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

static int
spool_get_i64(struct cursor *c, int64_t *v)
{
	uint64_t	u;

	if (spool_get_be64(c, &u) < 0)
		return -1;
	*v = (int64_t)u;
	return 0;
}

/* A string into a field of n bytes: shorter than n, no NUL inside. */
static int
spool_get_str(struct cursor *c, char *dst, size_t n)
{
	uint8_t	len;

	if (cursor_get_u8(c, &len) < 0 || len >= n ||
	    cursor_get_bytes(c, dst, len) < 0 || memchr(dst, '\0', len) != NULL)
		return -1;
	dst[len] = '\0';
	return 0;
}

static int
spool_get_counts(struct cursor *c, uint64_t *v, size_t k)
{
	size_t	i;

	for (i = 0; i < k; i++)
		if (spool_get_be64(c, &v[i]) < 0)
			return -1;
	return 0;
}

static int
spool_decode_rows(struct cursor *c, struct histdb_batch *b)
{
	uint64_t	v[6];
	uint32_t	w[5];
	uint16_t	port;
	size_t		i;
	char		*names = NULL;

	for (i = 0; i < b->hb_nwindows; i++) {
		struct histdb_window_row *r = &b->hb_windows[i];

		if (spool_get_str(c, r->wr_source, sizeof(r->wr_source)) < 0 ||
		    spool_get_counts(c, v, 4) < 0 ||
		    spool_get_be64(c, &r->wr_sessions) < 0 ||
		    spool_get_be64(c, &r->wr_local_octets) < 0 ||
		    spool_get_be64(c, &r->wr_drops) < 0 ||
		    spool_get_i64(c, &r->wr_rtt_us) < 0)
			return -1;
		r->wr_octets_in = v[0];
		r->wr_octets_out = v[1];
		r->wr_packets_in = v[2];
		r->wr_packets_out = v[3];
	}
	for (i = 0; i < b->hb_nservices; i++) {
		struct histdb_service_row *r = &b->hb_services[i];

		if (spool_get_str(c, r->sr_service, sizeof(r->sr_service)) < 0 ||
		    spool_get_counts(c, v, 4) < 0)
			return -1;
		r->sr_octets_in = v[0];
		r->sr_octets_out = v[1];
		r->sr_packets_in = v[2];
		r->sr_packets_out = v[3];
	}
	for (i = 0; i < b->hb_nsessions; i++) {
		struct histdb_session_row *r = &b->hb_sessions[i];

		if (cursor_get_be32(c, &r->ss_rank) < 0 ||
		    cursor_get_u8(c, &r->ss_proto) < 0 ||
		    spool_get_str(c, r->ss_local, sizeof(r->ss_local)) < 0 ||
		    spool_get_str(c, r->ss_remote, sizeof(r->ss_remote)) < 0 ||
		    cursor_get_be16(c, &port) < 0 ||
		    spool_get_str(c, r->ss_service, sizeof(r->ss_service)) < 0 ||
		    spool_get_counts(c, v, 4) < 0)
			return -1;
		r->ss_port = port;
		r->ss_octets_in = v[0];
		r->ss_octets_out = v[1];
		r->ss_packets_in = v[2];
		r->ss_packets_out = v[3];
	}
	/* A name takes its length and bytes here, its bytes and NUL in
	 * hb_names: what is left of the file is enough for all (only the
	 * pages written to are ever touched). */
	if (b->hb_nhosts > 0 &&
	    (names = malloc(cursor_remaining(c) + 1)) == NULL)
		return -1;
	b->hb_names = names;
	for (i = 0; i < b->hb_nhosts; i++) {
		struct histdb_host_row *r = &b->hb_hosts[i];

		if (spool_get_str(c, r->hr_addr, sizeof(r->hr_addr)) < 0 ||
		    spool_get_str(c, r->hr_service, sizeof(r->hr_service)) < 0 ||
		    spool_get_counts(c, v, 6) < 0 ||
		    spool_get_str(c, names, HISTDB_HOSTNAME_MAX) < 0)
			return -1;
		r->hr_name = NULL;
		if (*names != '\0') {
			r->hr_name = names;
			names += strlen(names) + 1;
		}
		r->hr_octets_in = v[0];
		r->hr_octets_out = v[1];
		r->hr_packets_in = v[2];
		r->hr_packets_out = v[3];
		r->hr_first_s = (int64_t)v[4];
		r->hr_last_s = (int64_t)v[5];
	}
	for (i = 0; i < b->hb_nprobes; i++) {
		struct histdb_probe *r = &b->hb_probes[i];

		if (spool_get_str(c, r->hp_name, sizeof(r->hp_name)) < 0 ||
		    spool_get_str(c, r->hp_addr, sizeof(r->hp_addr)) < 0 ||
		    cursor_get_be32(c, &w[0]) < 0 ||
		    cursor_get_be32(c, &w[1]) < 0 ||
		    cursor_get_be32(c, &w[2]) < 0 ||
		    cursor_get_be32(c, &w[3]) < 0 ||
		    cursor_get_be32(c, &w[4]) < 0)
			return -1;
		r->hp_sent = w[0];
		r->hp_answered = w[1];
		r->hp_rtt_min_us = w[2];
		r->hp_rtt_mean_us = w[3];
		r->hp_rtt_max_us = w[4];
	}
	for (i = 0; i < b->hb_nprocs; i++) {
		struct histdb_process *r = &b->hb_procs[i];
		uint64_t		q[2];

		if (spool_get_str(c, r->hq_name, sizeof(r->hq_name)) < 0 ||
		    spool_get_str(c, r->hq_unit, sizeof(r->hq_unit)) < 0 ||
		    cursor_get_be32(c, &w[0]) < 0 ||
		    cursor_get_be32(c, &w[1]) < 0 ||
		    spool_get_be64(c, &q[0]) < 0 ||
		    spool_get_be64(c, &q[1]) < 0)
			return -1;
		r->hq_pid = w[0];
		r->hq_conns = w[1];
		r->hq_octets_in = q[0];
		r->hq_octets_out = q[1];
	}
	return 0;
}

/* The row counts, each no more than what is left can hold (so a hostile
 * count allocates nothing large), and the arrays for them. */
static int
spool_decode_counts(struct cursor *c, struct histdb_batch *b,
    uint32_t version)
{
	static const size_t	 min[6] = { SPOOL_MIN_WINDOW,
	    SPOOL_MIN_SERVICE, SPOOL_MIN_SESSION, SPOOL_MIN_HOST,
	    SPOOL_MIN_PROBE, SPOOL_MIN_PROCESS };
	uint32_t		 n[6] = { 0 };
	size_t			 i, need = 0;

	for (i = 0; i < (version >= 2 ? 6u : 5u); i++) {
		if (cursor_get_be32(c, &n[i]) < 0 ||
		    n[i] > cursor_remaining(c) / min[i])
			return -1;
		need += n[i] * min[i];	/* each <= remaining: no overflow */
	}
	if (need > cursor_remaining(c))
		return -1;
	b->hb_nwindows = n[0];
	b->hb_nservices = n[1];
	b->hb_nsessions = n[2];
	b->hb_nhosts = n[3];
	b->hb_nprobes = n[4];
	b->hb_nprocs = n[5];
	/* calloc(0) may give NULL: allocate at least one of each. */
	b->hb_windows = calloc(n[0] + 1, sizeof(*b->hb_windows));
	b->hb_services = calloc(n[1] + 1, sizeof(*b->hb_services));
	b->hb_sessions = calloc(n[2] + 1, sizeof(*b->hb_sessions));
	b->hb_hosts = calloc((size_t)n[3] + 1, sizeof(*b->hb_hosts));
	b->hb_probes = calloc(n[4] + 1, sizeof(*b->hb_probes));
	b->hb_procs = calloc((size_t)n[5] + 1, sizeof(*b->hb_procs));
	if (b->hb_windows == NULL || b->hb_services == NULL ||
	    b->hb_sessions == NULL || b->hb_hosts == NULL ||
	    b->hb_probes == NULL || b->hb_procs == NULL)
		return -1;
	return 0;
}

/* A whole file's bytes into *b: 0, or -1 with *b empty and the reason
 * in why. */
int
histdb_spool_decode(const uint8_t *data, size_t len, struct histdb_batch *b,
    const char **why)
{
	struct cursor	c;
	uint8_t		magic[4];
	uint32_t	version, plen, crc, length_s, day;
	uint64_t	start;

	memset(b, 0, sizeof(*b));
	cursor_init(&c, data, len);
	*why = "a short header";
	if (cursor_get_bytes(&c, magic, 4) < 0 ||
	    cursor_get_be32(&c, &version) < 0 || cursor_get_be32(&c, &plen) < 0 ||
	    cursor_get_be32(&c, &crc) < 0)
		return -1;
	*why = "not a spool file (magic)";
	if (memcmp(magic, SPOOL_MAGIC, 4) != 0)
		return -1;
	*why = "an unknown version";
	if (version != SPOOL_VERSION && version != 1)
		return -1;
	*why = "truncated, or longer than its header says";
	if (plen != cursor_remaining(&c))
		return -1;
	*why = "CRC-32C mismatch";
	if (crc32c_update(0, data + SPOOL_HEADER, plen) != crc)
		return -1;
	*why = "a malformed batch";
	if (spool_get_str(&c, b->hb_agent, sizeof(b->hb_agent)) < 0 ||
	    spool_get_be64(&c, &start) < 0 ||
	    cursor_get_be32(&c, &length_s) < 0 || cursor_get_be32(&c, &day) < 0)
		goto fail;
	b->hb_start_s = (int64_t)start;
	b->hb_length_s = length_s;
	b->hb_day = day;
	if (spool_decode_counts(&c, b, version) < 0 || spool_decode_rows(&c, b) < 0 ||
	    cursor_remaining(&c) != 0)
		goto fail;
	*why = NULL;
	return 0;
fail:
	histdb_batch_free(b);
	memset(b, 0, sizeof(*b));
	return -1;
}

/* ---- files ---- */

static void
spool_name(char *buf, size_t len, uint64_t seq, const char *suffix)
{
	snprintf(buf, len, SPOOL_PREFIX "%016" PRIx64 "%s", seq, suffix);
}

/* The sequence number of a name prefix, 16 lowercase hex digits, then
 * suffix; 0 when it is not such a name. */
static int
spool_parse_name(const char *name, const char *prefix, const char *suffix,
    uint64_t *seq)
{
	size_t	plen = strlen(prefix), i;

	if (strncmp(name, prefix, plen) != 0 ||
	    strlen(name) != plen + 16 + strlen(suffix) ||
	    strcmp(name + plen + 16, suffix) != 0)
		return 0;
	*seq = 0;
	for (i = plen; i < plen + 16; i++) {
		if (name[i] >= '0' && name[i] <= '9')
			*seq = *seq << 4 | (uint64_t)(name[i] - '0');
		else if (name[i] >= 'a' && name[i] <= 'f')
			*seq = *seq << 4 | (uint64_t)(name[i] - 'a' + 10);
		else
			return 0;
	}
	return 1;
}

static void
spool_fail(struct histdb_spool *sp, const char *name, const char *why)
{
	if (name != NULL)
		snprintf(sp->sp_error, sizeof(sp->sp_error), "%.120s/%.40s: %.80s",
		    sp->sp_dir, name, why);
	else
		snprintf(sp->sp_error, sizeof(sp->sp_error), "%.120s: %.80s",
		    sp->sp_dir, why);
}

/* Why name (lstat'ed or fstat'ed into st) is not coremond's own regular
 * file, or NULL when it is. */
static const char *
spool_refusal(const struct stat *st, char *buf, size_t len)
{
	if (S_ISLNK(st->st_mode))
		return "a symbolic link: refused, not followed";
	if (!S_ISREG(st->st_mode))
		return "not a regular file: refused";
	if (st->st_uid != geteuid()) {
		snprintf(buf, len, "owned by uid %lu, not coremond's uid %lu: "
		    "refused", (unsigned long)st->st_uid,
		    (unsigned long)geteuid());
		return buf;
	}
	return NULL;
}

/* Sets batch seq aside as .bad (keeping the newest few), counted. */
static void
spool_set_aside(struct histdb_spool *sp, uint64_t seq, const char *why)
{
	char	name[SPOOL_NAME_MAX], bad[SPOOL_NAME_MAX];

	spool_name(name, sizeof(name), seq, SPOOL_SUFFIX);
	spool_name(bad, sizeof(bad), seq, SPOOL_BAD_SUFFIX);
	sp->sp_damaged++;
	spool_fail(sp, name, why);
	/* renameat moves a link or FIFO itself, never what it points at. */
	if (renameat(sp->sp_dirfd, name, sp->sp_dirfd, bad) < 0) {
		unlinkat(sp->sp_dirfd, name, 0);
		return;
	}
	if (sp->sp_nbad == SPOOL_BAD_KEEP) {
		spool_name(bad, sizeof(bad), sp->sp_bad[0], SPOOL_BAD_SUFFIX);
		unlinkat(sp->sp_dirfd, bad, 0);
		memmove(&sp->sp_bad[0], &sp->sp_bad[1],
		    (SPOOL_BAD_KEEP - 1) * sizeof(sp->sp_bad[0]));
		sp->sp_nbad--;
	}
	sp->sp_bad[sp->sp_nbad++] = seq;
}

static int
spool_append(struct histdb_spool *sp, uint64_t seq, uint64_t bytes)
{
	struct spool_file	*f;
	size_t			 cap;

	if (sp->sp_head + sp->sp_nfiles == sp->sp_cap && sp->sp_head > 0) {
		memmove(sp->sp_files, sp->sp_files + sp->sp_head,
		    sp->sp_nfiles * sizeof(*f));
		sp->sp_head = 0;
	}
	if (sp->sp_nfiles == sp->sp_cap) {
		cap = sp->sp_cap ? sp->sp_cap * 2 : 64;
		if ((f = realloc(sp->sp_files, cap * sizeof(*f))) == NULL)
			return -1;
		sp->sp_files = f;
		sp->sp_cap = cap;
	}
	f = &sp->sp_files[sp->sp_head + sp->sp_nfiles++];
	f->sf_seq = seq;
	f->sf_bytes = bytes;
	sp->sp_bytes += bytes;
	return 0;
}

static int
spool_file_cmp(const void *a, const void *b)
{
	uint64_t	x = ((const struct spool_file *)a)->sf_seq;
	uint64_t	y = ((const struct spool_file *)b)->sf_seq;

	return (x > y) - (x < y);
}

static int
spool_u64_cmp(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Keeps the newest SPOOL_BAD_KEEP of the n .bad files in bad[]
 * (sorted here), removing the rest. */
static void
spool_keep_bad(struct histdb_spool *sp, uint64_t *bad, size_t n)
{
	char	name[SPOOL_NAME_MAX];
	size_t	i;

	qsort(bad, n, sizeof(*bad), spool_u64_cmp);
	for (i = 0; i + SPOOL_BAD_KEEP < n; i++) {
		spool_name(name, sizeof(name), bad[i], SPOOL_BAD_SUFFIX);
		unlinkat(sp->sp_dirfd, name, 0);
	}
	for (; i < n; i++)
		sp->sp_bad[sp->sp_nbad++] = bad[i];
}

/* Adds seq to the growing array *a (*n of *cap): 0 or -1. */
static int
spool_add_seq(uint64_t **a, size_t *n, size_t *cap, uint64_t seq)
{
	uint64_t	*p;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		if ((p = realloc(*a, *cap * sizeof(*p))) == NULL)
			return -1;
		*a = p;
	}
	(*a)[(*n)++] = seq;
	return 0;
}

/* Finds the batches left by an earlier run, oldest first, and removes
 * temporary files (a write cut by a crash).  A batch name that is not
 * coremond's own regular file is queued at 0 bytes: peek refuses it in
 * turn, with its reason. */
static int
spool_scan(struct histdb_spool *sp)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	uint64_t	 seq, *bad = NULL;
	size_t		 nbad = 0, capbad = 0;
	char		 buf[96];
	int		 fd;

	if ((fd = openat(sp->sp_dirfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (spool_parse_name(de->d_name, SPOOL_TMP_PREFIX, SPOOL_SUFFIX,
		    &seq)) {
			unlinkat(sp->sp_dirfd, de->d_name, 0);	/* a link too */
			continue;
		}
		if (spool_parse_name(de->d_name, SPOOL_PREFIX,
		    SPOOL_BAD_SUFFIX, &seq)) {
			if (spool_add_seq(&bad, &nbad, &capbad, seq) < 0)
				goto fail;
		} else if (!spool_parse_name(de->d_name, SPOOL_PREFIX,
		    SPOOL_SUFFIX, &seq) ||
		    fstatat(sp->sp_dirfd, de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		else if (spool_append(sp, seq,
		    spool_refusal(&st, buf, sizeof(buf)) != NULL ? 0 :
		    (uint64_t)st.st_size) < 0)
			goto fail;
		if (seq >= sp->sp_next_seq)
			sp->sp_next_seq = seq + 1;
	}
	closedir(d);
	if (sp->sp_nfiles > 0)
		qsort(sp->sp_files, sp->sp_nfiles, sizeof(*sp->sp_files),
		    spool_file_cmp);
	if (nbad > 0)
		spool_keep_bad(sp, bad, nbad);
	free(bad);
	return 0;
fail:
	closedir(d);
	free(bad);
	errno = ENOMEM;
	return -1;
}

struct histdb_spool *
histdb_spool_open(const char *dir, uint64_t max_bytes, char *err,
    size_t errlen)
{
	struct histdb_spool	*sp;

	if (dir == NULL || max_bytes == 0) {
		snprintf(err, errlen, "history spool: no directory or no size");
		return NULL;
	}
	if ((sp = calloc(1, sizeof(*sp))) == NULL ||
	    (sp->sp_dir = strdup(dir)) == NULL) {
		snprintf(err, errlen, "history spool: %s", strerror(ENOMEM));
		free(sp);
		return NULL;
	}
	sp->sp_dirfd = -1;
	sp->sp_max = max_bytes;
	sp->sp_next_seq = 1;
	if (mkdir(dir, SPOOL_DIR_MODE) < 0 && errno != EEXIST)
		goto fail;
	if ((sp->sp_dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		goto fail;
	if (spool_scan(sp) < 0)
		goto fail;
	return sp;
fail:
	snprintf(err, errlen, "history spool %s: %s", dir, strerror(errno));
	histdb_spool_close(sp);
	return NULL;
}

void
histdb_spool_close(struct histdb_spool *sp)
{
	if (sp == NULL)
		return;
	if (sp->sp_dirfd >= 0)
		close(sp->sp_dirfd);
	free(sp->sp_files);
	free(sp->sp_dir);
	free(sp);
}

static int
spool_write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t	k;

	while (n > 0) {
		if ((k = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* The encoded file under a temporary name, synced, then renamed: its
 * real name only ever names a whole batch. */
static int
spool_write_file(struct histdb_spool *sp, uint64_t seq,
    const struct spool_buf *sb)
{
	char	tmp[SPOOL_NAME_MAX], name[SPOOL_NAME_MAX];
	int	fd, err;

	spool_name(name, sizeof(name), seq, SPOOL_SUFFIX);
	snprintf(tmp, sizeof(tmp), SPOOL_TMP_PREFIX "%016" PRIx64 SPOOL_SUFFIX,
	    seq);
	/* Whatever was planted under the temporary name goes first; a new
	 * one makes O_EXCL fail rather than be written through. */
	unlinkat(sp->sp_dirfd, tmp, 0);
	fd = openat(sp->sp_dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, SPOOL_FILE_MODE);
	if (fd < 0) {
		spool_fail(sp, tmp, strerror(errno));
		return -1;
	}
	err = 0;
	if (fchmod(fd, SPOOL_FILE_MODE) < 0 ||	/* whatever the umask */
	    spool_write_all(fd, sb->sb_data, sb->sb_len) < 0 || fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && err == 0)
		err = errno;
	if (err == 0 && renameat(sp->sp_dirfd, tmp, sp->sp_dirfd, name) < 0)
		err = errno;
	if (err != 0) {
		spool_fail(sp, tmp, strerror(err));
		unlinkat(sp->sp_dirfd, tmp, 0);
		return -1;
	}
	/* The rename itself survives a crash only once the directory is
	 * synced; without it the batch would be lost, never damaged. */
	fsync(sp->sp_dirfd);
	return 0;
}

int
histdb_spool_push(struct histdb_spool *sp, const struct histdb_batch *b)
{
	struct spool_buf	sb;
	uint64_t		seq;

	if (sp->sp_nfiles >= SPOOL_FILES_MAX) {
		spool_fail(sp, NULL, "full (files): batch dropped");
		return -1;
	}
	if (spool_encode(&sb, b) < 0) {
		spool_fail(sp, NULL, "a batch too big to spool: dropped");
		return -1;
	}
	if (sb.sb_len > sp->sp_max - (sp->sp_bytes < sp->sp_max ?
	    sp->sp_bytes : sp->sp_max)) {
		spool_fail(sp, NULL, "full: batch dropped");
		free(sb.sb_data);
		return -1;
	}
	seq = sp->sp_next_seq++;
	if (spool_write_file(sp, seq, &sb) < 0 ||
	    spool_append(sp, seq, sb.sb_len) < 0) {
		free(sb.sb_data);
		return -1;
	}
	free(sb.sb_data);
	return 0;
}

/* Drops the oldest entry from the queue (its file is gone or set
 * aside). */
static void
spool_forget_head(struct histdb_spool *sp)
{
	sp->sp_bytes -= sp->sp_files[sp->sp_head].sf_bytes;
	sp->sp_head++;
	if (--sp->sp_nfiles == 0)
		sp->sp_head = 0;
}

/* The oldest file's bytes: a buffer to free, or NULL with why set. */
static uint8_t *
spool_read_head(struct histdb_spool *sp, size_t *len, const char **why,
    char *buf, size_t buflen)
{
	char		 name[SPOOL_NAME_MAX];
	struct stat	 st;
	uint8_t		*data = NULL;
	ssize_t		 k;
	int		 fd;

	spool_name(name, sizeof(name), sp->sp_files[sp->sp_head].sf_seq,
	    SPOOL_SUFFIX);
	fd = openat(sp->sp_dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd < 0) {
		*why = errno == ELOOP ? "a symbolic link: refused, not followed"
		    : strerror(errno);
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		*why = strerror(errno);
		goto fail;
	}
	if ((*why = spool_refusal(&st, buf, buflen)) != NULL)
		goto fail;
	*why = "larger than a batch may be";
	if ((uint64_t)st.st_size > SPOOL_FILE_MAX)
		goto fail;
	*len = (size_t)st.st_size;
	if ((data = malloc(*len + 1)) == NULL) {
		*why = strerror(ENOMEM);
		goto fail;
	}
	/* One byte more than fstat said: a file that grew is not taken. */
	for (size_t got = 0;;) {
		if ((k = read(fd, data + got, *len + 1 - got)) < 0) {
			if (errno == EINTR)
				continue;
			*why = strerror(errno);
			goto fail;
		}
		got += (size_t)k;
		if (k == 0 || got == *len + 1) {
			*why = "changed while read";
			if (got != *len)
				goto fail;
			break;
		}
	}
	close(fd);
	return data;
fail:
	free(data);
	close(fd);
	return NULL;
}

int
histdb_spool_peek(struct histdb_spool *sp, struct histdb_batch *b)
{
	uint8_t		*data;
	size_t		 len = 0;
	const char	*why;
	char		 buf[96];

	memset(b, 0, sizeof(*b));
	if (sp->sp_nfiles == 0)
		return 0;
	data = spool_read_head(sp, &len, &why, buf, sizeof(buf));
	if (data != NULL && histdb_spool_decode(data, len, b, &why) == 0) {
		free(data);
		return 1;
	}
	free(data);
	spool_set_aside(sp, sp->sp_files[sp->sp_head].sf_seq, why);
	spool_forget_head(sp);
	return -1;
}

void
histdb_spool_set_aside(struct histdb_spool *sp, const char *why)
{
	if (sp->sp_nfiles == 0)
		return;
	spool_set_aside(sp, sp->sp_files[sp->sp_head].sf_seq, why);
	spool_forget_head(sp);
}

void
histdb_spool_pop(struct histdb_spool *sp)
{
	char	name[SPOOL_NAME_MAX];

	if (sp->sp_nfiles == 0)
		return;
	spool_name(name, sizeof(name), sp->sp_files[sp->sp_head].sf_seq,
	    SPOOL_SUFFIX);
	/* Not synced: a removal lost in a crash writes the batch again,
	 * which the backends find already there and skip. */
	if (unlinkat(sp->sp_dirfd, name, 0) < 0 && errno != ENOENT)
		spool_fail(sp, name, strerror(errno));
	spool_forget_head(sp);
}

uint64_t
histdb_spool_count(const struct histdb_spool *sp)
{
	return sp->sp_nfiles;
}

uint64_t
histdb_spool_bytes(const struct histdb_spool *sp)
{
	return sp->sp_bytes;
}

uint64_t
histdb_spool_damaged(const struct histdb_spool *sp)
{
	return sp->sp_damaged;
}

const char *
histdb_spool_error(const struct histdb_spool *sp)
{
	return sp->sp_error;
}
