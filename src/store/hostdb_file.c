/*
 * hostdb_file: writing, checking and reading the host database file, and
 * the monthly gzip archive; see hostdb_file.h for the format.
 *
 * Saving streams the snapshot through a 1 MB buffer (CRC-32C computed on
 * the way), so a million hosts need no second copy in memory.  Loading
 * reads the whole file, checks it, then parses it through a cursor into
 * a loader that is committed only when every byte was good.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "lib/crc32c.h"
#include "lib/cursor.h"
#include "store/hostdb_file.h"

#define HF_BUFFER	(1u << 20)
#define HF_MAX_FILE	((uint64_t)1 << 40)	/* refuse to read beyond */
#define HF_TYPE_IPV4	1	/* InetAddressType (RFC 4001) */
#define HF_TYPE_IPV6	2
#define HF_PATH_MAX	4096
#define HF_PREFETCH	16	/* hosts read ahead */
#define HF_ENTRY_MIN	24	/* bytes of the smallest entry (IPv4) */
#define HF_FILE_MODE	0640	/* the file, its temporary, the archives */

/* A buffered writer that keeps the payload's CRC. */
struct hf_out {
	int		 ho_fd;
	uint8_t		*ho_buf;
	size_t		 ho_len;
	uint32_t	 ho_crc;
	uint64_t	 ho_total;
	int		 ho_errno;	/* first write error, 0 none */
};

static int
hf_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Makes path anew for writing, 0640: whatever was there (a leftover of
 * a crash, or a link, FIFO or directory planted in a directory
 * coremond's user owns) is unlinked -- a link itself, never its target
 * -- and O_EXCL fails rather than use anything that appears meanwhile.
 */
static int
hf_create(const char *path)
{
	if (unlink(path) < 0 && errno != ENOENT && errno != EISDIR &&
	    errno != EPERM)
		return -1;
	return open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    HF_FILE_MODE);
}

/*
 * Opens path to read only if it is a regular file of coremond's own
 * user (no link followed, a FIFO does not block the open); else -1 with
 * errno set and the reason in why (ENOENT: no file).
 */
static int
hf_open_own(const char *path, char *why, size_t whylen)
{
	struct stat	st;
	int		fd, saved;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		saved = errno;
		snprintf(why, whylen, "%s", saved == ELOOP ? "a symbolic link: "
		    "refused, not followed" : strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) < 0)
		snprintf(why, whylen, "%s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		snprintf(why, whylen, "not a regular file: refused");
	else if (st.st_uid != geteuid())
		snprintf(why, whylen, "owned by uid %lu, not coremond's uid "
		    "%lu: refused", (unsigned long)st.st_uid,
		    (unsigned long)geteuid());
	else
		return fd;
	close(fd);
	errno = EPERM;
	return -1;
}

static void
hf_flush(struct hf_out *o)
{
	if (o->ho_len == 0 || o->ho_errno != 0)
		return;
	o->ho_crc = crc32c_update(o->ho_crc, o->ho_buf, o->ho_len);
	if (hf_write_all(o->ho_fd, o->ho_buf, o->ho_len) < 0)
		o->ho_errno = errno;
	o->ho_total += o->ho_len;
	o->ho_len = 0;
}

static void
hf_bytes(struct hf_out *o, const void *p, size_t n)
{
	if (o->ho_len + n > HF_BUFFER)
		hf_flush(o);
	memcpy(o->ho_buf + o->ho_len, p, n);
	o->ho_len += n;
}

static void
hf_u8(struct hf_out *o, unsigned int v)
{
	uint8_t	b = (uint8_t)v;

	hf_bytes(o, &b, 1);
}

static void
hf_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
hf_put_le64(uint8_t *p, uint64_t v)
{
	hf_put_le32(p, (uint32_t)v);
	hf_put_le32(p + 4, (uint32_t)(v >> 32));
}

static void
hf_le32(struct hf_out *o, uint32_t v)
{
	uint8_t	b[4];

	hf_put_le32(b, v);
	hf_bytes(o, b, 4);
}

/* LEB128: seven bits a byte, low first, high bit set on all but the
 * last. */
static void
hf_varint(struct hf_out *o, uint64_t v)
{
	uint8_t	b[10];
	size_t	n = 0;

	while (v >= 0x80) {
		b[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (uint8_t)v;
	hf_bytes(o, b, n);
}

static void
hf_services(struct hf_out *o, const struct services *sv)
{
	const struct service	*s;
	size_t			 n = services_count(sv), len;
	unsigned int		 i;

	hf_u8(o, (unsigned int)n);
	for (i = 1; i <= n; i++) {
		s = services_get(sv, i);
		len = strnlen(s->sv_name, SERVICE_NAME_MAX);
		hf_u8(o, i);
		hf_u8(o, (unsigned int)len);
		hf_bytes(o, s->sv_name, len);
	}
}

static void
hf_host(struct hf_out *o, const struct hostdb_host *hh)
{
	size_t		len = strnlen(hh->hh_name, HOSTDB_NAME_MAX);
	unsigned int	r;

	hf_u8(o, hh->hh_family == AF_INET ? HF_TYPE_IPV4 : HF_TYPE_IPV6);
	hf_bytes(o, hh->hh_addr, hh->hh_family == AF_INET ? 4 : 16);
	hf_u8(o, hh->hh_source);
	hf_le32(o, (uint32_t)hh->hh_first_seen);
	hf_le32(o, (uint32_t)hh->hh_last_seen);
	hf_le32(o, hh->hh_sessions);
	hf_le32(o, (uint32_t)hh->hh_name_time);
	hf_u8(o, (unsigned int)len);
	hf_bytes(o, hh->hh_name, len);
	hf_u8(o, hh->hh_nservices);
	for (r = 0; r < hh->hh_nservices; r++) {
		hf_u8(o, hh->hh_services[r].hv_service);
		hf_varint(o, hh->hh_services[r].hv_counts.sc_octets_in);
		hf_varint(o, hh->hh_services[r].hv_counts.sc_octets_out);
		hf_varint(o, hh->hh_services[r].hv_counts.sc_packets_in);
		hf_varint(o, hh->hh_services[r].hv_counts.sc_packets_out);
	}
}

static void
hf_header(uint8_t *h, uint64_t payload, uint32_t entries, uint32_t crc,
    uint32_t period, int64_t saved)
{
	memset(h, 0, HOSTDB_FILE_HEADER);
	memcpy(h, HOSTDB_FILE_MAGIC, 8);
	hf_put_le32(h + 8, HOSTDB_FILE_VERSION);
	hf_put_le32(h + 12, HOSTDB_FILE_HEADER);
	hf_put_le64(h + 16, payload);
	hf_put_le32(h + 24, entries);
	hf_put_le32(h + 28, crc);
	hf_put_le32(h + 32, period);
	hf_put_le64(h + 40, (uint64_t)saved);
	hf_put_le32(h + 60, crc32c_update(0, h, 60));
}

/* The directory of path, fsync()ed so a rename in it is durable. */
static int
hf_sync_dir(const char *path)
{
	char		 dir[HF_PATH_MAX];
	const char	*slash = strrchr(path, '/');
	int		 fd, rc;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Writes the whole temporary file; 0, or -1 with errno set. */
static int
hf_write_tmp(int fd, const struct hostdb_snapshot *sn,
    const struct services *sv)
{
	struct hf_out		o;
	struct hostdb_host	hh;
	uint8_t			h[HOSTDB_FILE_HEADER];
	size_t			i;

	memset(&o, 0, sizeof(o));
	o.ho_fd = fd;
	if ((o.ho_buf = malloc(HF_BUFFER)) == NULL)
		return -1;
	/* A zero header first: a file cut short never looks valid. */
	memset(h, 0, sizeof(h));
	if (hf_write_all(fd, h, sizeof(h)) < 0) {
		free(o.ho_buf);
		return -1;
	}
	hf_services(&o, sv);
	for (i = 0; i < HF_PREFETCH; i++)
		hostdb_snapshot_prefetch(sn, i);
	for (i = 0; i < sn->hs_entries && o.ho_errno == 0; i++) {
		hostdb_snapshot_prefetch(sn, i + HF_PREFETCH);
		hostdb_snapshot_host(sn, i, &hh);
		hf_host(&o, &hh);
	}
	hf_flush(&o);
	free(o.ho_buf);
	if (o.ho_errno != 0) {
		errno = o.ho_errno;
		return -1;
	}
	hf_header(h, o.ho_total, (uint32_t)sn->hs_entries, o.ho_crc,
	    sn->hs_period, (int64_t)time(NULL));
	if (pwrite(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return -1;
	return fsync(fd);
}

int
hostdb_file_save(const struct hostdb_snapshot *sn, const struct services *sv,
    const char *path, char *msg, size_t msglen)
{
	char	tmp[HF_PATH_MAX];
	int	fd, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		snprintf(msg, msglen, "%s: path too long", path);
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = hf_create(tmp)) < 0) {
		snprintf(msg, msglen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (hf_write_tmp(fd, sn, sv) < 0) {
		saved = errno;
		snprintf(msg, msglen, "%s: %s", tmp, strerror(saved));
		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		saved = errno;
		snprintf(msg, msglen, "%s: %s", path, strerror(saved));
		unlink(tmp);
		errno = saved;
		return -1;
	}
	if (hf_sync_dir(path) < 0) {
		snprintf(msg, msglen, "%s: saved, but its directory could "
		    "not be synced: %s", path, strerror(errno));
		return -1;
	}
	snprintf(msg, msglen, "%s: %zu hosts saved", path, sn->hs_entries);
	return 0;
}

/* ---- loading ---- */

static uint32_t
hf_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
hf_get_le64(const uint8_t *p)
{
	return hf_get_le32(p) | (uint64_t)hf_get_le32(p + 4) << 32;
}

static int
hf_get_varint(struct cursor *c, uint64_t *v)
{
	const uint8_t	*p;
	uint8_t		 b;
	unsigned int	 shift, i;

	/* Fast path: ten bytes are there, so no byte needs its own check. */
	if (cursor_remaining(c) >= 10) {
		p = c->cu_data + c->cu_pos;
		*v = 0;
		for (i = 0; i < 10; i++) {
			*v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
			if (!(p[i] & 0x80))
				break;
		}
		if (i == 10 || (i == 9 && p[9] > 1))
			return -1;	/* too long, or bits past 64 */
		c->cu_pos += i + 1;
		return 0;
	}
	*v = 0;
	for (shift = 0; shift < 64; shift += 7) {
		if (cursor_get_u8(c, &b) < 0)
			return -1;
		if (shift == 63 && b > 1)
			return -1;	/* bits past 64 */
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

/* Why the header is not one this code reads, or NULL; file is len bytes. */
static const char *
hf_check_header(const uint8_t *h, uint64_t len, char *why, size_t whylen)
{
	uint32_t	version;

	if (len < HOSTDB_FILE_HEADER) {
		snprintf(why, whylen, "truncated: %llu bytes, less than a "
		    "header", (unsigned long long)len);
		return why;
	}
	if (memcmp(h, HOSTDB_FILE_MAGIC, 8) != 0)
		return "not a coremon host database (wrong magic)";
	version = hf_get_le32(h + 8);
	if (version > HOSTDB_FILE_VERSION) {
		snprintf(why, whylen, "format version %u is newer than this "
		    "coremond reads (%u)", version,
		    (unsigned int)HOSTDB_FILE_VERSION);
		return why;
	}
	if (version == 0)
		return "format version 0 does not exist (damaged header)";
	if (hf_get_le32(h + 60) != crc32c_update(0, h, 60))
		return "header damaged (checksum mismatch)";
	if (hf_get_le32(h + 12) != HOSTDB_FILE_HEADER)
		return "header damaged (wrong header length)";
	if (hf_get_le64(h + 16) != len - HOSTDB_FILE_HEADER) {
		snprintf(why, whylen, "%s: %llu bytes of contents, the header "
		    "says %llu", hf_get_le64(h + 16) > len - HOSTDB_FILE_HEADER ?
		    "truncated" : "trailing bytes",
		    (unsigned long long)(len - HOSTDB_FILE_HEADER),
		    (unsigned long long)hf_get_le64(h + 16));
		return why;
	}
	if (hf_get_le32(h + 28) != crc32c_update(0, h + HOSTDB_FILE_HEADER,
	    (size_t)(len - HOSTDB_FILE_HEADER)))
		return "contents damaged (checksum mismatch)";
	return NULL;
}

/* The saved catalogue: saved index -> current index, 0 where unused. */
static int
hf_read_services(struct cursor *c, const struct services *sv,
    unsigned int map[256])
{
	const struct service	*s;
	char			 name[SERVICE_NAME_MAX + 1];
	uint8_t			 n, idx, len;
	unsigned int		 i;

	memset(map, 0, 256 * sizeof(*map));
	if (cursor_get_u8(c, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (cursor_get_u8(c, &idx) < 0 || cursor_get_u8(c, &len) < 0 ||
		    idx == 0 || map[idx] != 0 || len == 0 ||
		    len > SERVICE_NAME_MAX ||
		    cursor_get_bytes(c, name, len) < 0)
			return -1;
		name[len] = '\0';
		s = services_find(sv, name);
		map[idx] = s != NULL ? s->sv_index : services_other(sv);
	}
	return 0;
}

static int
hf_printable(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return 0;
	return 1;
}

/* One host; 0, or -1 when the bytes are not a valid entry. */
static int
hf_read_host(struct cursor *c, const unsigned int map[256],
    struct hostdb_host *hh, char *name)
{
	struct session_counts	*k;
	uint32_t		 first, last, ntime;
	uint8_t			 type, source, len, rows, idx;
	unsigned int		 r;

	memset(hh, 0, sizeof(*hh));
	if (cursor_get_u8(c, &type) < 0 ||
	    (type != HF_TYPE_IPV4 && type != HF_TYPE_IPV6))
		return -1;
	hh->hh_family = type == HF_TYPE_IPV4 ? AF_INET : AF_INET6;
	if (cursor_get_bytes(c, hh->hh_addr, type == HF_TYPE_IPV4 ? 4 : 16) < 0 ||
	    cursor_get_u8(c, &source) < 0 ||
	    cursor_get_le32(c, &first) < 0 || cursor_get_le32(c, &last) < 0 ||
	    cursor_get_le32(c, &hh->hh_sessions) < 0 ||
	    cursor_get_le32(c, &ntime) < 0 || cursor_get_u8(c, &len) < 0 ||
	    cursor_get_bytes(c, name, len) < 0 || !hf_printable(name, len) ||
	    cursor_get_u8(c, &rows) < 0 || rows > HOSTDB_SERVICES)
		return -1;
	name[len] = '\0';
	hh->hh_source = source;
	hh->hh_first_seen = first;
	hh->hh_last_seen = last;
	hh->hh_name_time = ntime;
	hh->hh_name = name;
	hh->hh_nservices = rows;
	for (r = 0; r < rows; r++) {
		k = &hh->hh_services[r].hv_counts;
		if (cursor_get_u8(c, &idx) < 0 || map[idx] == 0 ||
		    hf_get_varint(c, &k->sc_octets_in) < 0 ||
		    hf_get_varint(c, &k->sc_octets_out) < 0 ||
		    hf_get_varint(c, &k->sc_packets_in) < 0 ||
		    hf_get_varint(c, &k->sc_packets_out) < 0)
			return -1;
		hh->hh_services[r].hv_service = map[idx];
	}
	return 0;
}

/*
 * Parses a checked payload into the loader.  NULL when all was good;
 * else why (with errno ENOMEM when it was memory, not the file).
 */
static const char *
hf_parse(struct hostdb_loader *ld, const struct services *sv,
    const uint8_t *p, size_t len, uint32_t entries, char *why, size_t whylen)
{
	struct cursor		c;
	struct hostdb_host	hh;
	unsigned int		map[256];
	char			name[256];
	uint32_t		i;
	size_t			at;

	cursor_init(&c, p, len);
	if (hf_read_services(&c, sv, map) < 0)
		return "malformed service table";
	for (i = 0; i < entries; i++) {
		at = cursor_pos(&c);
		if (hf_read_host(&c, map, &hh, name) < 0) {
			snprintf(why, whylen, "malformed entry %u at payload "
			    "offset %zu", i, at);
			return why;
		}
		if (hostdb_loader_add(ld, &hh) < 0) {
			if (errno == ENOMEM)
				return "out of memory";
			snprintf(why, whylen, "entry %u at payload offset %zu "
			    "is out of index order or has bad values", i, at);
			return why;
		}
	}
	if (cursor_remaining(&c) != 0) {
		snprintf(why, whylen, "%zu bytes after the last of %u entries",
		    cursor_remaining(&c), entries);
		return why;
	}
	errno = 0;
	return NULL;
}

/* Moves from to to without replacing anything there.  0 or -1. */
static int
hf_rename_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != EPERM)
		return -1;
	/* A file system without RENAME_NOREPLACE: link() fails rather
	 * than replace, too. */
	if (link(from, to) < 0)
		return -1;
	return unlink(from);
}

/* Renames path to path.corrupt-YYYYMMDDTHHMMSSZ[-N]; the name in to. */
static int
hf_move_aside(const char *path, char *to, size_t tolen)
{
	time_t		now = time(NULL);
	struct tm	tm;
	char		stamp[32];
	int		i;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (i = 0; i < 100; i++) {
		if (i == 0)
			snprintf(to, tolen, "%s.corrupt-%s", path, stamp);
		else
			snprintf(to, tolen, "%s.corrupt-%s-%d", path, stamp, i);
		if (hf_rename_noreplace(path, to) == 0) {
			hf_sync_dir(path);
			return 0;
		}
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

/* Reads all of fd (size bytes); the buffer, or NULL with errno set. */
static uint8_t *
hf_read_all(int fd, uint64_t size)
{
	uint8_t	*buf;
	size_t	 got = 0;
	ssize_t	 n;

	if (size > HF_MAX_FILE || size > SIZE_MAX) {
		errno = EFBIG;
		return NULL;
	}
	/* calloc: a large buffer comes zeroed from mmap() at no cost, and
	 * no byte is ever uninitialised, whatever read() does. */
	if ((buf = calloc(1, size > 0 ? (size_t)size : 1)) == NULL)
		return NULL;
	while (got < size) {
		n = read(fd, buf + got, (size_t)size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;	/* shrank while read */
			free(buf);
			return NULL;
		}
		got += (size_t)n;
	}
	return buf;
}

const char *
hostdb_file_parse(struct hostdb_loader *ld, const struct services *sv,
    const uint8_t *buf, size_t len, uint32_t *period, uint64_t *entries,
    char *why, size_t whylen)
{
	const char	*bad;

	errno = 0;
	if ((bad = hf_check_header(buf, len, why, whylen)) != NULL)
		return bad;
	*entries = hf_get_le32(buf + 24);
	*period = hf_get_le32(buf + 32);
	return hf_parse(ld, sv, buf + HOSTDB_FILE_HEADER,
	    len - HOSTDB_FILE_HEADER, (uint32_t)*entries, why, whylen);
}

int
hostdb_file_load(struct hostdb_loader *ld, const struct services *sv,
    const char *path, uint32_t *period, uint64_t *entries, char *msg,
    size_t msglen)
{
	struct stat	 st;
	uint8_t		*buf;
	char		 why[256], to[HF_PATH_MAX + 64];
	const char	*bad;
	int		 fd;

	if ((fd = hf_open_own(path, why, sizeof(why))) < 0) {
		if (errno == ENOENT) {
			snprintf(msg, msglen, "%s: no saved host database, "
			    "starting empty", path);
			return HOSTDB_LOAD_NONE;
		}
		snprintf(msg, msglen, "%s: cannot open: %s; not loaded, and "
		    "it will not be saved over", path, why);
		return HOSTDB_LOAD_ERROR;
	}
	if (fstat(fd, &st) < 0 ||
	    (buf = hf_read_all(fd, (uint64_t)st.st_size)) == NULL) {
		snprintf(msg, msglen, "%s: cannot read: %s; not loaded, and "
		    "it will not be saved over", path, strerror(errno));
		close(fd);
		return HOSTDB_LOAD_ERROR;
	}
	close(fd);
	bad = hostdb_file_parse(ld, sv, buf, (size_t)st.st_size, period,
	    entries, why, sizeof(why));
	free(buf);
	if (bad != NULL && errno == ENOMEM) {
		snprintf(msg, msglen, "%s: not loaded: out of memory; it will "
		    "not be saved over", path);
		return HOSTDB_LOAD_ERROR;
	}
	if (bad == NULL) {
		snprintf(msg, msglen, "%s: %llu hosts loaded", path,
		    (unsigned long long)*entries);
		return HOSTDB_LOAD_OK;
	}
	if (hf_move_aside(path, to, sizeof(to)) < 0) {
		snprintf(msg, msglen, "%s: %s; could not move it aside (%s): "
		    "not loaded, left in place, and it will not be saved over",
		    path, bad, strerror(errno));
		return HOSTDB_LOAD_ERROR;
	}
	snprintf(msg, msglen, "%s: %s; moved aside to %s, starting with an "
	    "empty host database", path, bad, to);
	return HOSTDB_LOAD_MOVED;
}

uint64_t
hostdb_file_peek_count(const char *path)
{
	uint8_t		h[HOSTDB_FILE_HEADER];
	char		why[128];
	struct stat	st;
	int		fd;
	ssize_t		n;

	if ((fd = hf_open_own(path, why, sizeof(why))) < 0)
		return 0;
	n = read(fd, h, sizeof(h));
	if (fstat(fd, &st) < 0)
		n = 0;
	close(fd);
	if (n != (ssize_t)sizeof(h) || memcmp(h, HOSTDB_FILE_MAGIC, 8) != 0 ||
	    hf_get_le32(h + 8) != HOSTDB_FILE_VERSION ||
	    hf_get_le32(h + 60) != crc32c_update(0, h, 60))
		return 0;
	/* A count the file cannot hold is a lie: nothing is sized on it. */
	if (hf_get_le32(h + 24) > ((uint64_t)st.st_size - sizeof(h)) /
	    HF_ENTRY_MIN)
		return 0;
	return hf_get_le32(h + 24);
}

/* ---- the monthly archive ---- */

static void
hf_time(char *buf, size_t len, int64_t t)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	if (gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* One host as an archive line; its length. */
static size_t
hf_archive_line(char *buf, size_t len, const struct hostdb_host *hh,
    const struct services *sv)
{
	const struct service	*s;
	const struct session_counts *c;
	char			 addr[INET6_ADDRSTRLEN], first[32], last[32];
	size_t			 n;
	unsigned int		 r;

	inet_ntop(hh->hh_family, hh->hh_addr, addr, sizeof(addr));
	hf_time(first, sizeof(first), hh->hh_first_seen);
	hf_time(last, sizeof(last), hh->hh_last_seen);
	n = (size_t)snprintf(buf, len, "%s\t%s\t%u\t%s\t%s\t%u\t%s\t%llu\t%llu"
	    "\t%llu\t%llu\t", hh->hh_family == AF_INET ? "ipv4" : "ipv6", addr,
	    hh->hh_source, first, last, hh->hh_sessions,
	    hh->hh_name[0] ? hh->hh_name : "-",
	    (unsigned long long)hh->hh_counts.sc_octets_in,
	    (unsigned long long)hh->hh_counts.sc_octets_out,
	    (unsigned long long)hh->hh_counts.sc_packets_in,
	    (unsigned long long)hh->hh_counts.sc_packets_out);
	for (r = 0; r < hh->hh_nservices && n < len; r++) {
		s = services_get(sv, hh->hh_services[r].hv_service);
		c = &hh->hh_services[r].hv_counts;
		n += (size_t)snprintf(buf + n, len - n, "%s%s=%llu/%llu/%llu/%llu",
		    r ? "," : "", s != NULL ? s->sv_name : "other",
		    (unsigned long long)c->sc_octets_in,
		    (unsigned long long)c->sc_octets_out,
		    (unsigned long long)c->sc_packets_in,
		    (unsigned long long)c->sc_packets_out);
	}
	if (n >= len - 1)
		n = len - 2;
	buf[n++] = '\n';
	buf[n] = '\0';
	return n;
}

static int
hf_gz_archive(gzFile gz, const struct hostdb_snapshot *sn,
    const struct services *sv, uint32_t period)
{
	struct hostdb_host	hh;
	char			line[2048], now[32];
	size_t			i, n;

	hf_time(now, sizeof(now), (int64_t)time(NULL));
	n = (size_t)snprintf(line, sizeof(line), "# coremon host database "
	    "archive, format 1: period %04u-%02u, %zu hosts, written %s\n"
	    "# type\taddress\tsource\tfirst-seen\tlast-seen\tsessions\tname\t"
	    "octets-in\toctets-out\tpackets-in\tpackets-out\t"
	    "services (name=octets-in/octets-out/packets-in/packets-out)\n",
	    (unsigned int)(period / 100), (unsigned int)(period % 100),
	    sn->hs_entries, now);
	if (gzwrite(gz, line, (unsigned int)n) != (int)n)
		return -1;
	for (i = 0; i < sn->hs_entries; i++) {
		hostdb_snapshot_prefetch(sn, i + HF_PREFETCH);
		hostdb_snapshot_host(sn, i, &hh);
		n = hf_archive_line(line, sizeof(line), &hh, sv);
		if (gzwrite(gz, line, (unsigned int)n) != (int)n)
			return -1;
	}
	return 0;
}

int
hostdb_file_archive(const struct hostdb_snapshot *sn,
    const struct services *sv, const char *dir, uint32_t period, char *path,
    size_t pathlen, char *msg, size_t msglen)
{
	char	tmp[HF_PATH_MAX];
	gzFile	gz;
	int	fd, dfd, i, rc;

	snprintf(tmp, sizeof(tmp), "%s/.hostdb-%04u-%02u.gz.tmp", dir,
	    (unsigned int)(period / 100), (unsigned int)(period % 100));
	if ((fd = hf_create(tmp)) < 0) {
		snprintf(msg, msglen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	dfd = dup(fd);
	if (dfd < 0 || (gz = gzdopen(dfd, "wb")) == NULL) {
		if (dfd >= 0)
			close(dfd);
		snprintf(msg, msglen, "%s: cannot start gzip", tmp);
		goto fail;
	}
	rc = hf_gz_archive(gz, sn, sv, period);
	if (gzclose(gz) != Z_OK || rc < 0 || fsync(fd) < 0) {
		snprintf(msg, msglen, "%s: write failed: %s", tmp,
		    strerror(errno));
		goto fail;
	}
	close(fd);
	for (i = 0; i < 100; i++) {
		if (i == 0)
			snprintf(path, pathlen, "%s/hostdb-%04u-%02u.gz", dir,
			    (unsigned int)(period / 100),
			    (unsigned int)(period % 100));
		else
			snprintf(path, pathlen, "%s/hostdb-%04u-%02u.%d.gz", dir,
			    (unsigned int)(period / 100),
			    (unsigned int)(period % 100), i);
		if (hf_rename_noreplace(tmp, path) == 0) {
			hf_sync_dir(path);
			return 0;
		}
		if (errno != EEXIST)
			break;
	}
	snprintf(msg, msglen, "%s: cannot place the archive: %s", path,
	    strerror(errno));
	unlink(tmp);
	return -1;
fail:
	close(fd);
	unlink(tmp);
	return -1;
}
