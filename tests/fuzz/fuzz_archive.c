/*
 * libFuzzer target for the archive reader: archive_open() over a
 * directory holding the fuzzer's bytes as day files of 2024-06-01.  The
 * first byte picks the form: 0 a plain file; 1 the raw bytes as the
 * .gz (zlib's decoder on anything); 2 the bytes gzip-compressed as the
 * .gz (the line parser through gzip); 3 the .gz of the bytes and a
 * plain file of their second half (a compression cut by a crash); bit 2
 * turns compression on, with a newer empty day so the day is old.
 * Checked against the bytes: in forms 0 and 2 every line (newline-ended
 * or not) is either a window or a malformed line, never both or none;
 * in form 3 each line counts once.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "store/archive.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	dir[64];

static void
put(const char *name, const uint8_t *p, size_t n, int gzip)
{
	char	path[128];
	FILE	*f;
	gzFile	 g;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (gzip) {
		if ((g = gzopen(path, "wb")) == NULL ||
		    (n > 0 && gzwrite(g, p, (unsigned int)n) != (int)n))
			abort();
		gzclose(g);
		return;
	}
	if ((f = fopen(path, "wb")) == NULL ||
	    (n > 0 && fwrite(p, 1, n, f) != n))
		abort();
	fclose(f);
}

static void
clean(void)
{
	DIR		*d = opendir(dir);
	struct dirent	*de;
	char		 p[384];

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    strcmp(de->d_name, "..") == 0))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	if (d != NULL)
		closedir(d);
}

/* Lines as archive_sum() splits them: newline-ended, and a last one
 * without. */
static uint64_t
segments(const uint8_t *p, size_t n)
{
	uint64_t	k = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		k += p[i] == '\n';
	return k + (n > 0 && p[n - 1] != '\n');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct archive_config		 ac;
	struct archive			*ar;
	const struct archive_snapshot	*sn;
	const struct archive_day	*ad = NULL;
	const uint8_t			*p = data + 1;
	char				 err[256];
	size_t				 n = size - 1, i, half;
	uint64_t			 windows;
	int				 form;

	if (dir[0] == '\0') {
		/* tmpfs when there is one: no disk flush a run. */
		snprintf(dir, sizeof(dir), "%s/fuzz_archive.XXXXXX",
		    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (mkdtemp(dir) == NULL)
			abort();
	}
	if (size < 1)
		return 0;
	form = data[0] & 3;
	half = n / 2;
	if (form == 3)
		while (half > 0 && p[half - 1] != '\n')
			half--;		/* the plain file starts a line */
	if (form == 0)
		put("coremon-20240601.log", p, n, 0);
	else
		put("coremon-20240601.log.gz", p, n, form >= 2);
	if (form == 3)
		put("coremon-20240601.log", p + half, n - half, 0);
	if (data[0] & 4)
		put("coremon-20240610.log", NULL, 0, 0);
	archive_config_default(&ac);
	ac.ac_dir = dir;
	ac.ac_compress_after = data[0] & 4 ? 3 : 0;
	if ((ar = archive_open(&ac, err, sizeof(err))) == NULL)
		abort();
	sn = archive_acquire(ar);
	for (i = 0; i < sn->as_ndays; i++)
		if (sn->as_days[i].ad_date == 20240601)
			ad = &sn->as_days[i];
	windows = ad != NULL ? ad->ad_windows : 0;
	if ((form == 0 || form == 2) && sn->as_errors == 0 &&
	    windows + sn->as_malformed != segments(p, n))
		abort();
	if (form == 3 && sn->as_errors == 0 &&
	    windows + sn->as_malformed != segments(p, n))
		abort();	/* the plain half counted twice, or lost */
	archive_release(sn);
	archive_free(ar);
	clean();
	return 0;
}
