/*
 * libFuzzer target for the host database loader (hostdb_file_parse(),
 * what hostdb_file_load() runs over a file's bytes).  The first byte
 * picks how the rest is used: even, as the whole file; odd, as the
 * payload of a file whose header (lengths, entry count from the next
 * four bytes, both CRC-32Cs) is made right here, so the fuzzer reaches
 * the entry parser past the checksums.  A file that parses must load
 * for real (hostdb_load(): commit, cap, publish) with as many hosts,
 * and what is then saved must parse again with the same count.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/services.h"
#include "lib/crc32c.h"
#include "store/hostdb.h"
#include "store/hostdb_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct services	*sv;
static char		 dir[64], file[96], saved[96];

static void
le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The payload p (n bytes) behind a valid header of `entries`. */
static uint8_t *
wrap(const uint8_t *p, size_t n, uint32_t entries)
{
	uint8_t	*f = calloc(1, HOSTDB_FILE_HEADER + n + 1);

	if (f == NULL)
		abort();
	memcpy(f, HOSTDB_FILE_MAGIC, 8);
	le32(f + 8, HOSTDB_FILE_VERSION);
	le32(f + 12, HOSTDB_FILE_HEADER);
	le32(f + 16, (uint32_t)n);
	le32(f + 24, entries);
	memcpy(f + HOSTDB_FILE_HEADER, p, n);
	le32(f + 28, crc32c_update(0, f + HOSTDB_FILE_HEADER, n));
	le32(f + 32, 202406);
	le32(f + 60, crc32c_update(0, f, 60));
	return f;
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE	*f = fopen(path, "rb");
	uint8_t	*buf;
	long	 n;

	if (f == NULL || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) < 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The real load of a file that parsed, and a save that parses again. */
static void
round_trip(const uint8_t *buf, size_t len, uint64_t entries)
{
	struct hostdb_config		 hc;
	struct hostdb			*hd;
	struct hostdb_loader		*ld;
	const struct hostdb_snapshot	*sn;
	FILE				*f;
	uint8_t				*again;
	size_t				 alen;
	uint64_t			 n2;
	uint32_t			 period;
	char				 why[256];

	if ((f = fopen(file, "wb")) == NULL || fwrite(buf, 1, len, f) != len)
		abort();
	fclose(f);
	hostdb_config_default(&hc);
	hc.hc_file = file;
	hc.hc_max_hosts = 1u << 20;
	if ((hd = hostdb_new(&hc, sv)) == NULL)
		abort();
	if (hostdb_load(hd) != HOSTDB_LOAD_OK)
		abort();	/* parsed, but the real load disagrees */
	sn = hostdb_acquire(hd);
	if (sn->hs_entries != entries)
		abort();
	hostdb_release(sn);
	hc.hc_file = saved;
	hostdb_free(hd);
	if ((hd = hostdb_new(&hc, sv)) == NULL)
		abort();
	/* Load it again under the other name, then save there. */
	rename(file, saved);
	if (hostdb_load(hd) != HOSTDB_LOAD_OK || hostdb_save(hd) < 0)
		abort();
	again = slurp(saved, &alen);
	if ((ld = hostdb_loader_new(hd)) == NULL)
		abort();
	if (hostdb_file_parse(ld, sv, again, alen, &period, &n2, why,
	    sizeof(why)) != NULL || n2 != entries)
		abort();	/* what coremond saved, it cannot read */
	hostdb_loader_free(ld);
	free(again);
	hostdb_free(hd);
	unlink(saved);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hostdb_config	 hc;
	static struct hostdb	*hd;
	struct hostdb_loader	*ld;
	uint8_t			*buf = NULL;
	const uint8_t		*p;
	size_t			 len;
	uint64_t		 entries = 0;
	uint32_t		 period = 0, n;
	char			 why[256];
	const char		*bad;

	if (sv == NULL) {
		sv = services_new();
		snprintf(dir, sizeof(dir), "%s/fuzz_hostdb.XXXXXX",
		    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (sv == NULL || mkdtemp(dir) == NULL)
			abort();
		snprintf(file, sizeof(file), "%s/hostdb", dir);
		snprintf(saved, sizeof(saved), "%s/saved", dir);
		hostdb_config_default(&hc);
		if ((hd = hostdb_new(&hc, sv)) == NULL)
			abort();
	}
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		if (size < 5)
			return 0;
		n = (uint32_t)data[1] | (uint32_t)data[2] << 8 |
		    (uint32_t)data[3] << 16 | (uint32_t)data[4] << 24;
		buf = wrap(data + 5, size - 5, n % 4096);
		p = buf;
		len = HOSTDB_FILE_HEADER + size - 5;
	} else {
		/* Exactly libFuzzer's bytes: a read past them is seen. */
		p = data + 1;
		len = size - 1;
	}
	if ((ld = hostdb_loader_new(hd)) == NULL)
		abort();
	bad = hostdb_file_parse(ld, sv, p, len, &period, &entries, why,
	    sizeof(why));
	hostdb_loader_free(ld);
	if (bad == NULL)
		round_trip(p, len, entries);
	else if (errno == ENOMEM)
		abort();
	free(buf);
	return 0;
}
