/*
 * archive: the long-term journal -- one line per observation window in a
 * file per UTC day -- and the per-day totals cmDayTable serves (the
 * second paper's "short summary ... to a date-named flat file,
 * unbuffered, one file a day").
 *
 * Files, in ac_dir: coremon-YYYYMMDD.log, the UTC day of the windows'
 * start, by packet time.  One line a window, tab-separated, written with
 * a single write() on an O_APPEND descriptor (so a crash loses at most
 * the line being written, and another reader never sees half a line
 * from a healthy disk):
 *
 *	2024-05-01T00:00:30Z\t12345\t67890\t12\t34\t1500\n
 *
 * window start (UTC, seconds), octets in, octets out, packets in,
 * packets out (traffic with one end local, as the session totals'
 * tt_remote), and the probe round-trip time of the window in
 * microseconds -- an empty field when no probe answered or none is
 * configured.
 *
 * A day file older than ac_compress_after days (counted from the newest
 * day known) is compressed: its gzip is written to .NAME.gz.tmp,
 * fsync()ed, renamed to NAME.gz, and only then NAME unlinked; nothing is
 * ever rewritten in place.  If NAME.gz already exists (lines appended to
 * an old day after it was compressed), the new NAME.gz holds the old
 * one's lines and then NAME's; if NAME's lines are already the last
 * lines of NAME.gz (a crash between rename and unlink, with or without
 * an older NAME.gz merged), NAME is just unlinked and counted once.
 *
 * The directory belongs to coremond's user, who could plant anything in
 * it: every file is opened relative to the directory's descriptor with
 * O_NOFOLLOW, and used only if it is a regular file owned by the
 * effective uid; a symbolic link, FIFO, directory or another user's
 * file under an archive name is never read or written through, but
 * refused, counted in as_errors and reported through ac_warn.  New
 * files (day files, .gz) are created 0640, the directory 0750.  A
 * directory removed while open (rm -rf) is noticed before each line
 * (it has no links left, or the path names another one): it is made
 * again with a new day file; a line that cannot be written is counted.
 *
 * Per-day totals: the last ac_days days, counted back from the newest
 * day known (files or appended windows; packet time, so replaying an
 * old capture shows its days), rebuilt from the plain and .gz files by
 * archive_open() and kept up to date by archive_append().  A malformed
 * line (wrong field count, a bad number, a date not the file's, no
 * newline at the end) is skipped and counted.
 *
 * Threads: the capture thread opens, appends and frees; any thread may
 * acquire and release snapshots.
 */
#ifndef ARCHIVE_H
#define ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/snapshot.h"

#define ARCHIVE_DAYS_DEFAULT		31	/* archiveDays */
#define ARCHIVE_COMPRESS_DEFAULT	7	/* archiveCompressAfter */
#define ARCHIVE_DAYS_MAX		36600
#define ARCHIVE_NO_RTT			UINT32_MAX
#define ARCHIVE_NAME_MAX		32	/* "coremon-YYYYMMDD.log.gz" */
#define ARCHIVE_TEXT_MAX		512

struct archive_config {
	const char	*ac_dir;		/* archiveDir */
	unsigned int	 ac_days;		/* 1..ARCHIVE_DAYS_MAX */
	unsigned int	 ac_compress_after;	/* days; 0: never compress */
	/* Called (if set) with each counted failure's message, from the
	 * thread that caused it; a message equal to the previous one is
	 * not repeated. */
	void		(*ac_warn)(void *arg, const char *msg);
	void		 *ac_warn_arg;
};

void	archive_config_default(struct archive_config *);

/* One window's line. */
struct archive_window {
	int64_t		aw_start_us;	/* packet time, UTC */
	uint64_t	aw_octets_in;
	uint64_t	aw_octets_out;
	uint64_t	aw_packets_in;
	uint64_t	aw_packets_out;
	uint32_t	aw_rtt_us;	/* ARCHIVE_NO_RTT: none */
};

/* One day (a cmDayEntry). */
struct archive_day {
	uint32_t	ad_date;	/* YYYYMMDD, UTC: the index */
	uint64_t	ad_octets_in;
	uint64_t	ad_octets_out;
	uint64_t	ad_packets_in;
	uint64_t	ad_packets_out;
	uint64_t	ad_windows;	/* lines */
	uint64_t	ad_rtt_windows;	/* lines with a round-trip time */
	uint64_t	ad_rtt_sum_us;
	uint32_t	ad_rtt_mean_us;	/* 0 when ad_rtt_windows is 0 */
	char		ad_file[ARCHIVE_NAME_MAX];	/* where its lines are */
};

struct archive_snapshot {
	struct snapshot		 as_snap;	/* first; private: src/snapshot */
	size_t			 as_ndays;
	const struct archive_day *as_days;	/* ascending date */
	uint32_t		 as_days_max;	/* ac_days */
	uint64_t		 as_lines;	/* appended since open */
	uint64_t		 as_malformed;	/* lines skipped reading files */
	uint64_t		 as_files_read;
	uint64_t		 as_compressed;	/* files compressed since open */
	uint64_t		 as_errors;	/* failed appends, compressions */
	char			 as_last_error[ARCHIVE_TEXT_MAX];
};

struct archive;

/*
 * Opens ac_dir (made if missing, one level), removes temporary files a
 * crash left, compresses old days and rebuilds the per-day totals.  NULL
 * with a message in err (`/var/lib/coremon/archive: Permission denied`)
 * when the directory cannot be used.
 */
struct archive	*archive_open(const struct archive_config *, char *err,
		    size_t errlen);
void		 archive_free(struct archive *);	/* accepts NULL */

/*
 * Appends one window's line and publishes new per-day totals; on the
 * first line of a newer day, compresses the days that became old.  0, or
 * -1 with errno set and the reason in as_last_error.
 */
int	archive_append(struct archive *, const struct archive_window *);

const struct archive_snapshot *archive_acquire(struct archive *);
void	archive_release(const struct archive_snapshot *);	/* accepts NULL */

/* Parses one line (without its newline) into aw; 0, or -1 if
 * malformed. */
int	archive_parse_line(const char *line, size_t len,
	    struct archive_window *aw);

/* Days since 1970-01-01 of a YYYYMMDD date, and back; -1 / 0 when the
 * date does not exist. */
int64_t	 archive_date_days(uint32_t date);
uint32_t archive_days_date(int64_t days);

#endif
