/*
 * histdb_import: the archive's day files (store/archive.h) into the
 * history database, once -- `coremond --import-archive DIR`.
 *
 * Every coremon-YYYYMMDD.log and .log.gz of the directory, oldest day
 * first, is read line by line; each good line becomes one window of
 * source HISTDB_IMPORT_SOURCE with the line's totals and RTT (the
 * archive keeps nothing else: no services, sessions, hosts or probes),
 * written through the backend in its own transaction.  A window the
 * database already holds (the agent has a window at that start, from
 * capture or an earlier import) is left alone and counted as skipped,
 * so an import run twice writes nothing the second time, and days that
 * capture already wrote keep only capture's rows.
 *
 * Files are opened with O_NOFOLLOW and read only if they are regular
 * files; a file or line that is not what the archive writes is counted
 * and skipped, never an error.  Synchronous, on the calling thread, with
 * no queue and no spool: a database that cannot be written ends the
 * import with the reason (run it again: what was written is skipped).
 */
#ifndef HISTDB_IMPORT_H
#define HISTDB_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "store/histdb.h"

#define HISTDB_IMPORT_FILE_MAX	(256U << 20)	/* bytes of one day, read */

struct histdb_import_count {
	uint64_t	ic_files;	/* day files read */
	uint64_t	ic_imported;	/* windows written */
	uint64_t	ic_skipped;	/* windows already in the database */
	uint64_t	ic_malformed;	/* lines that are no window of the day */
	uint64_t	ic_refused;	/* day files unreadable or not regular */
};

struct histdb_backend;

/*
 * Imports dir into the database cf names (hc_target, with hc_agent set),
 * giving each window length_s seconds (the archive does not record it:
 * windowInterval).  0 with *count filled, or -1 with the reason in err
 * (*count then says how far it came).
 */
int	histdb_import_archive(const struct histdb_config *cf, const char *dir,
	    uint32_t length_s, struct histdb_import_count *count, char *err,
	    size_t errlen);

/* The same through a backend of the caller's (tests). */
int	histdb_import_with(const struct histdb_backend *backend,
	    const struct histdb_config *cf, const char *dir, uint32_t length_s,
	    struct histdb_import_count *count, char *err, size_t errlen);

#endif
