/*
 * hostdb_file: the host database on disk -- the file coremond saves and
 * loads (hostdbFile), and the monthly archive.
 *
 * The file, version 1, little-endian throughout:
 *
 *	header, 64 bytes:
 *	  0  magic "CMHOSTDB"
 *	  8  u32 format version (1)
 *	 12  u32 header length (64)
 *	 16  u64 payload length (the file is exactly header + payload)
 *	 24  u32 entries
 *	 28  u32 CRC-32C of the payload
 *	 32  u32 period, YYYYMM the database holds (0 none)
 *	 36  u32 flags (0)
 *	 40  i64 saved at, seconds since the epoch (wall clock)
 *	 48  8 bytes reserved (0)
 *	 56  u32 reserved (0)
 *	 60  u32 CRC-32C of bytes 0..59
 *	payload:
 *	  u8 services; each: u8 index, u8 name length, name (the catalogue
 *	     when saved, so a changed catalogue maps rows by name; a name
 *	     no longer known goes to "other")
 *	  entries, in cmHostTable index order, each:
 *	     u8 address type (1 ipv4, 2 ipv6), 4 or 16 address bytes,
 *	     u8 capture source, u32 first seen, u32 last seen, u32 sessions,
 *	     u32 name time, u8 name length, name bytes (printable ASCII),
 *	     u8 service rows; each: u8 service index, then octets in,
 *	     octets out, packets in, packets out as LEB128 varints
 *	     (at most 10 bytes, no bits past 64).
 *
 * Loading checks, in order: size, magic, version (a newer one is
 * refused, not guessed at), header CRC, lengths, payload CRC, then every
 * field through a bounds-checked cursor, strict index order (so no
 * duplicates) and the entry count; anything wrong and nothing is loaded:
 * the file is renamed FILE.corrupt-YYYYMMDDTHHMMSSZ (never over an
 * existing name) and the message says why and where it went.
 *
 * Saving writes FILE.tmp in the same directory (header last, written
 * over a zeroed one), fsync()s it, renames it over FILE and fsync()s the
 * directory: killed at any point, or out of disk space, FILE is the old
 * complete file or the new complete one.
 *
 * The directory may belong to coremond's user, who could plant anything
 * in it.  FILE is read only if it is a regular file owned by the
 * effective uid, opened with O_NOFOLLOW (a link, FIFO, directory or
 * another user's file is refused: HOSTDB_LOAD_ERROR, saying why, and it
 * is not saved over).  FILE.tmp and the archive's temporary are made
 * anew with O_EXCL | O_NOFOLLOW after unlinking whatever had the name,
 * so nothing is written through a planted link; files are made 0640.
 *
 * The monthly archive, hostdb-YYYY-MM.gz in the archive directory
 * (hostdb-YYYY-MM.1.gz and so on if that exists), is gzip-compressed
 * text: "#" comment lines, then one tab-separated line a host:
 *	type address source first-seen last-seen sessions name
 *	octets-in octets-out packets-in packets-out services
 * times as YYYY-MM-DDTHH:MM:SSZ, name "-" when none, services as
 * name=octets-in/octets-out/packets-in/packets-out joined by ",".
 */
#ifndef HOSTDB_FILE_H
#define HOSTDB_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "capture/services.h"
#include "store/hostdb.h"

#define HOSTDB_FILE_MAGIC	"CMHOSTDB"
#define HOSTDB_FILE_VERSION	1
#define HOSTDB_FILE_HEADER	64

/* Writes a snapshot to path atomically.  0, or -1 with the reason in msg
 * (`/var/lib/coremon/hostdb.tmp: No space left on device`). */
int	hostdb_file_save(const struct hostdb_snapshot *,
	    const struct services *, const char *path, char *msg,
	    size_t msglen);

/*
 * Reads path into loader (hostdb.h), not committing it.  Returns an enum
 * hostdb_load_result: NONE when path does not exist, OK with *period and
 * *entries set, MOVED when the file was bad and has been renamed aside,
 * ERROR when it could not be read or moved (left where it is).  msg
 * always says what happened, for the log.
 */
int	hostdb_file_load(struct hostdb_loader *, const struct services *,
	    const char *path, uint32_t *period, uint64_t *entries, char *msg,
	    size_t msglen);

/*
 * The checks and parsing of hostdb_file_load() over a file's bytes
 * (buf, len), into loader: NULL when all was good (*period, *entries
 * set), else why (errno ENOMEM when it was memory, not the bytes).
 */
const char *hostdb_file_parse(struct hostdb_loader *, const struct services *,
	    const uint8_t *buf, size_t len, uint32_t *period, uint64_t *entries,
	    char *why, size_t whylen);

/* The entry count a file's header announces, to size the loader; 0 when
 * it cannot tell. */
uint64_t hostdb_file_peek_count(const char *path);

/*
 * Writes a snapshot as the gzip text archive of period (YYYYMM) in dir;
 * the name it used in path.  0, or -1 with the reason in msg.
 */
int	hostdb_file_archive(const struct hostdb_snapshot *,
	    const struct services *, const char *dir, uint32_t period,
	    char *path, size_t pathlen, char *msg, size_t msglen);

#endif
