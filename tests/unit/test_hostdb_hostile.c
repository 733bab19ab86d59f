/*
 * hostdb files in a hostile or full directory: a symbolic link, FIFO,
 * directory or another user's file where the host database file should
 * be is never read through (nothing loaded from it, it is not saved
 * over, the reason is given); a link or FIFO planted as the temporary
 * file of a save or of the monthly archive is never written through;
 * the files made are 0640; on a full disk (a 64 KB tmpfs, when this runs
 * as root) a failed save is counted, says why, and leaves the previous
 * file loadable with its hosts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "fixture.h"
#include "store/hostdb.h"
#include "store/hostdb_file.h"

#define SEC	1000000LL
#define T0	(1717200000LL * SEC)	/* 2024-06-01T00:00:00Z */

static struct services	*sv;
static char		 dir[64];

static struct hostdb *
new_db(const char *file)
{
	struct hostdb_config	hc;

	hostdb_config_default(&hc);
	hc.hc_file = file;
	hc.hc_archive_dir = dir;
	return hostdb_new(&hc, sv);
}

/* n remote hosts 198.18.x.y, each octets = marker. */
static void
fill(struct hostdb *hd, size_t n, uint64_t marker)
{
	struct session		*s = calloc(n, sizeof(*s));
	struct window_closed	 wd;
	size_t			 i;

	for (i = 0; i < n; i++) {
		s[i].se_key.sk_family = AF_INET;
		s[i].se_key.sk_proto = 6;
		s[i].se_key.sk_port = 80;
		s[i].se_key.sk_local[0] = 10;
		s[i].se_key.sk_local[3] = 1;
		s[i].se_key.sk_remote[0] = 198;
		s[i].se_key.sk_remote[1] = 18;
		s[i].se_key.sk_remote[2] = (uint8_t)(i >> 8);
		s[i].se_key.sk_remote[3] = (uint8_t)i;
		s[i].se_service = (uint8_t)services_find(sv, "www")->sv_index;
		s[i].se_octets_in = marker;
		s[i].se_packets_in = 1;
	}
	memset(&wd, 0, sizeof(wd));
	wd.wd_start_us = T0;
	wd.wd_length_us = 30 * SEC;
	wd.wd_sessions = s;
	wd.wd_nsessions = n;
	hostdb_add_window(hd, &wd);
	free(s);
}

static size_t
count(struct hostdb *hd)
{
	const struct hostdb_snapshot	*sn = hostdb_acquire(hd);
	size_t				 n = sn->hs_entries;

	hostdb_release(sn);
	return n;
}

/* The first host's octets in, 0 when empty. */
static uint64_t
first_octets(struct hostdb *hd)
{
	const struct hostdb_snapshot	*sn = hostdb_acquire(hd);
	struct hostdb_host		 hh;
	uint64_t			 v = 0;

	if (sn->hs_entries > 0 && hostdb_snapshot_host(sn, 0, &hh) == 0)
		v = hh.hh_counts.sc_octets_in;
	hostdb_release(sn);
	return v;
}

static void
path_in(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%.180s", dir, name);
}

static int
same_bytes(const char *path, const char *text)
{
	char	buf[256];
	FILE	*f = fopen(path, "r");
	size_t	n;

	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

static void
write_text(const char *path, const char *text, mode_t mode)
{
	FILE	*f = fopen(path, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
	chmod(path, mode);
}

static void
clean(void)
{
	fixture_empty_dir(dir);
}

/* The file's place taken by a link to a valid database, a FIFO, a
 * directory, another user's file: never loaded, never saved over. */
static void
test_planted_file(void)
{
	char			 file[256], secret[256];
	struct hostdb		*a, *b;
	struct hostdb_status	 st;
	struct stat		 before, after;
	int			 root = geteuid() == 0;

	path_in(file, sizeof(file), "hostdb");
	path_in(secret, sizeof(secret), "secret.db");
	/* A real database, only root's, that the link points at. */
	a = new_db(secret);
	fill(a, 10, 4242);
	hostdb_save(a);
	hostdb_free(a);
	chmod(secret, 0600);
	stat(secret, &before);

	symlink(secret, file);
	b = new_db(file);
	CHECK(hostdb_load(b) == HOSTDB_LOAD_ERROR && count(b) == 0,
	    "a link in the file's place is not loaded through (%zu hosts)",
	    count(b));
	hostdb_status(b, &st);
	CHECK(strstr(st.hst_load_message, "symbolic link") != NULL,
	    "and the reason says so: %s", st.hst_load_message);
	fill(b, 3, 1);
	CHECK(hostdb_save(b) < 0, "nor saved over");
	stat(secret, &after);
	CHECK(after.st_size == before.st_size &&
	    after.st_mtime == before.st_mtime && lstat(file, &after) == 0 &&
	    S_ISLNK(after.st_mode), "the link and its target are untouched");
	hostdb_free(b);
	unlink(file);

	mkfifo(file, 0600);
	b = new_db(file);
	CHECK(hostdb_load(b) == HOSTDB_LOAD_ERROR, "a FIFO in the file's "
	    "place: refused, without blocking");
	hostdb_status(b, &st);
	CHECK(strstr(st.hst_load_message, "not a regular file") != NULL,
	    "%s", st.hst_load_message);
	CHECK(hostdb_file_peek_count(file) == 0, "nor is its count peeked");
	hostdb_free(b);
	unlink(file);

	mkdir(file, 0700);
	b = new_db(file);
	CHECK(hostdb_load(b) == HOSTDB_LOAD_ERROR, "a directory in the "
	    "file's place: refused");
	hostdb_free(b);
	rmdir(file);

	if (root) {
		a = new_db(file);
		fill(a, 10, 77);
		hostdb_save(a);
		hostdb_free(a);
		chown(file, 65534, 65534);
		b = new_db(file);
		CHECK(hostdb_load(b) == HOSTDB_LOAD_ERROR && count(b) == 0,
		    "another user's file: not loaded");
		hostdb_status(b, &st);
		CHECK(strstr(st.hst_load_message, "uid 65534") != NULL,
		    "%s", st.hst_load_message);
		hostdb_free(b);
		unlink(file);
	} else
		printf("# skipped: another user's file (needs root)\n");
	clean();
}

/* Links and FIFOs planted as temporary files are not written through;
 * what is made is 0640. */
static void
test_planted_tmp(void)
{
	char			 file[256], tmp[256], secret[256], gztmp[256];
	char			 path[256], msg[256];
	struct hostdb		*a, *b;
	const struct hostdb_snapshot *sn;
	struct stat		 st;
	mode_t			 old = umask(022);

	path_in(file, sizeof(file), "hostdb");
	path_in(tmp, sizeof(tmp), "hostdb.tmp");
	path_in(secret, sizeof(secret), "secret");
	write_text(secret, "root only\n", 0600);
	symlink(secret, tmp);
	a = new_db(file);
	fill(a, 20, 9);
	CHECK(hostdb_save(a) == 0, "a save beside a linked temporary file");
	CHECK(same_bytes(secret, "root only\n"), "writes nothing through "
	    "the link");
	CHECK(lstat(file, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 07777) == 0640, "the file is a regular file, 0640 "
	    "(%o)", (unsigned int)(st.st_mode & 07777));
	b = new_db(file);
	CHECK(hostdb_load(b) == HOSTDB_LOAD_OK && count(b) == 20 &&
	    first_octets(b) == 9, "and loads with its hosts");
	hostdb_free(b);

	mkfifo(tmp, 0600);
	CHECK(hostdb_save(a) == 0 && access(tmp, F_OK) < 0,
	    "a FIFO as the temporary file: replaced, the save done");

	/* The monthly archive's temporary file. */
	snprintf(gztmp, sizeof(gztmp), "%s/.hostdb-2024-06.gz.tmp", dir);
	symlink(secret, gztmp);
	sn = hostdb_acquire(a);
	CHECK(hostdb_file_archive(sn, sv, dir, 202406, path, sizeof(path),
	    msg, sizeof(msg)) == 0 && same_bytes(secret, "root only\n"),
	    "the monthly archive is not written through a linked temporary "
	    "file (%s)", msg);
	CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 07777) == 0640, "the archive is 0640 (%o)",
	    (unsigned int)(st.st_mode & 07777));
	hostdb_release(sn);
	hostdb_free(a);
	clean();
	umask(old);
}

/* A full disk: the failed save is counted and the last file stays. */
static void
test_full_disk(void)
{
	char			 mnt[128], file[256], filler[256];
	struct hostdb		*a, *b;
	struct hostdb_status	 st;
	int			 rc;

	if (fixture_small_disk(mnt, sizeof(mnt), dir) < 0)
		return;
	snprintf(file, sizeof(file), "%s/hostdb", mnt);
	snprintf(filler, sizeof(filler), "%s/filler", mnt);
	a = new_db(file);
	fill(a, 50, 5);
	rc = hostdb_save(a);
	fixture_fill_disk(filler);
	fill(a, 3000, 6);	/* about 90 KB: more than the disk holds */
	CHECK(rc == 0 && hostdb_save(a) < 0, "a full disk: the save fails");
	hostdb_status(a, &st);
	CHECK(st.hst_save_failures == 1 && st.hst_save_result ==
	    HOSTDB_SAVE_FAILED && strstr(st.hst_save_message, "No space left")
	    != NULL, "counted, and says why: %s", st.hst_save_message);
	b = new_db(file);
	CHECK(hostdb_load(b) == HOSTDB_LOAD_OK && count(b) == 50 &&
	    first_octets(b) == 5, "the previous file loads with its 50 hosts");
	CHECK(access(file, F_OK) == 0 && (strcat(file, ".tmp"),
	    access(file, F_OK) < 0), "no temporary file is left behind");
	hostdb_free(b);
	hostdb_free(a);
	fixture_small_disk_remove(mnt);
}

int
main(void)
{
	if (fixture_tmpdir(dir, sizeof(dir), "test_hostdb_hostile") < 0)
		return 1;
	sv = services_new();
	test_planted_file();
	test_planted_tmp();
	test_full_disk();
	services_free(sv);
	fixture_remove_dir(dir);
	return check_done();
}
