/*
 * libFuzzer target for the history spool's reader: the fuzzer's bytes
 * (after the first) as a batch file in a spool directory, read back with
 * histdb_spool_open() and histdb_spool_peek().  When the first byte is
 * odd the header is made right first (magic, version, length, CRC-32C),
 * so the payload parser sees the bytes rather than a CRC mismatch.
 * Checked: peek agrees with histdb_spool_decode() on the same bytes; a
 * refused file is set aside and counted, never handed out in part; and a
 * batch that is read, pushed into a second spool, is written as exactly
 * the bytes it was read from (the format has one encoding a batch, so
 * nothing was skipped or made up on the way).
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/crc32c.h"
#include "store/histdb_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	dir[64], out[80];

static void
put(const char *path, const uint8_t *p, size_t n)
{
	FILE	*f;

	if ((f = fopen(path, "wb")) == NULL ||
	    (n > 0 && fwrite(p, 1, n, f) != n))
		abort();
	fclose(f);
}

static void
clean(const char *d)
{
	DIR		*dd = opendir(d);
	struct dirent	*de;
	char		 p[384];

	while (dd != NULL && (de = readdir(dd)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", d, de->d_name);
		unlink(p);
	}
	if (dd != NULL)
		closedir(dd);
}

static void
be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The file push wrote for b must be the bytes b was read from. */
static void
check_reencoded(const struct histdb_batch *b, const uint8_t *p, size_t n)
{
	struct histdb_spool	*sp;
	char			 err[256], path[160];
	uint8_t			*q;
	FILE			*f;
	size_t			 got;

	clean(out);
	if ((sp = histdb_spool_open(out, (uint64_t)1 << 32, err,
	    sizeof(err))) == NULL || histdb_spool_push(sp, b) < 0)
		abort();
	histdb_spool_close(sp);
	snprintf(path, sizeof(path), "%s/batch-0000000000000001.hdb", out);
	if ((q = malloc(n + 1)) == NULL || (f = fopen(path, "rb")) == NULL)
		abort();
	got = fread(q, 1, n + 1, f);
	fclose(f);
	if (got != n || memcmp(p, q, n) != 0)
		abort();
	free(q);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct histdb_spool	*sp;
	struct histdb_batch	 b, d;
	const char		*why;
	char			 err[256], path[160];
	uint8_t			*p;
	size_t			 n;
	int			 rc, rd;

	if (dir[0] == '\0') {
		/* tmpfs when there is one: no disk flush a run. */
		snprintf(dir, sizeof(dir), "%s/fuzz_spool.XXXXXX",
		    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (mkdtemp(dir) == NULL)
			abort();
		snprintf(out, sizeof(out), "%s/out", dir);
	}
	if (size < 1)
		return 0;
	n = size - 1;
	if ((p = malloc(n + 1)) == NULL)
		abort();
	memcpy(p, data + 1, n);
	if ((data[0] & 1) && n >= 16) {
		memcpy(p, "CMHB", 4);
		be32(p + 4, 1);
		be32(p + 8, (uint32_t)(n - 16));
		be32(p + 12, crc32c_update(0, p + 16, n - 16));
	}
	snprintf(path, sizeof(path), "%s/batch-0000000000000007.hdb", dir);
	put(path, p, n);
	if ((sp = histdb_spool_open(dir, (uint64_t)1 << 32, err,
	    sizeof(err))) == NULL)
		abort();
	rc = histdb_spool_peek(sp, &b);
	rd = histdb_spool_decode(p, n, &d, &why);
	if ((rc == 1) != (rd == 0))
		abort();	/* the file and the bytes read differently */
	if (rc == -1 && (b.hb_windows != NULL || b.hb_hosts != NULL ||
	    b.hb_names != NULL ||
	    b.hb_nhosts != 0 || histdb_spool_damaged(sp) != 1 ||
	    histdb_spool_count(sp) != 0))
		abort();	/* refused but half-handed out, or kept */
	if (rc == 1)
		check_reencoded(&b, p, n);
	histdb_batch_free(&b);
	histdb_batch_free(&d);
	histdb_spool_close(sp);
	clean(dir);
	free(p);
	return 0;
}
