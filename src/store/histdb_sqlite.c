/*
 * histdb_sqlite: the history database in one SQLite file, the embedded
 * default (histdb_int.h's backend contract).
 *
 * Durability: WAL mode with synchronous=FULL.  In WAL mode a commit
 * appends to the -wal file; a process killed at any moment (kill -9)
 * leaves a WAL whose last, unfinished transaction is ignored by the next
 * open (its frames carry no commit mark or a bad checksum), so the file
 * is never corrupt and holds exactly the windows committed.  NORMAL
 * would be as safe against a killed process; FULL also fsyncs the WAL at
 * each commit, so a window counted as written survives a power cut too,
 * and one fsync every window (30 s) costs nothing worth saving.
 *
 * The file is the run-as user's: created 0640 (umask permitting) with
 * O_NOFOLLOW, and refused -- a clear message, no write -- when it is a
 * symbolic link, not a regular file, or another user's (the state
 * directory is coremond's, so anything else there was planted), as the
 * archive does with its day files.  SQLite then opens it with
 * SQLITE_OPEN_NOFOLLOW; its -wal and -shm files take the file's mode.
 *
 * The statements are prepared once and reused; a busy timeout covers a
 * report holding the write lock for a moment (WAL readers never block
 * the writer).  The connection is opened without SQLite's own mutex
 * (NOMUTEX): one thread at a time uses it -- histdb_start()'s, then only
 * the writer -- and the mutex was taken and released at every bind.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/errbuf.h"
#include "store/histdb_int.h"

#define SQLITE_FILE_MODE	0640
#define SQLITE_BUSY_MS		5000
#define SQLITE_STMT_MAX		4096	/* bytes of one schema statement */
#define SQLITE_DIALECT		"--sqlite: "	/* schema.sql's hook */
/* Pages kept in memory, in KiB when negative: a window of 100,000 hosts
 * touches some 20 MB of table and index pages. */
#define SQLITE_CACHE		"-65536"

enum {
	ST_EXISTS, ST_WINDOW, ST_SERVICE, ST_SESSION, ST_PROBE, ST_PROCESS,
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK,
	ST_HOST, ST_HOSTS,	/* built at open: sqlite_host_sql() */
	ST_COUNT
};

/*
 * day_hosts rows are added up (a host seen again the same day), and a
 * window brings up to one a session.  They go SQLITE_HOST_ROWS to a
 * statement: what SQLite does per statement run (bind, step, halt,
 * reset) cost a third of the writer's time on a window of 100,000 hosts
 * when each row was a statement; the remainder go one by one.  The agent and the day
 * are ?1 and ?2, each row's other values the next SQLITE_HOST_PARAMS.
 */
#define SQLITE_HOST_ROWS	128
#define SQLITE_HOST_PARAMS	9
#define SQLITE_HOST_HEAD	"INSERT INTO day_hosts (agent, day, addr, " \
	"service, octets_in, octets_out, packets_in, packets_out, " \
	"first_seen, last_seen, name) VALUES "
#define SQLITE_HOST_TAIL	" ON CONFLICT (agent, day, addr, service) " \
	"DO UPDATE SET " \
	"octets_in = day_hosts.octets_in + excluded.octets_in, " \
	"octets_out = day_hosts.octets_out + excluded.octets_out, " \
	"packets_in = day_hosts.packets_in + excluded.packets_in, " \
	"packets_out = day_hosts.packets_out + excluded.packets_out, " \
	"first_seen = min(day_hosts.first_seen, excluded.first_seen), " \
	"last_seen = max(day_hosts.last_seen, excluded.last_seen), " \
	"name = coalesce(excluded.name, day_hosts.name)"
/* A row's "(?1, ?2, ?NNNNN, ...)," at most. */
#define SQLITE_HOST_ROW_MAX	(12 + SQLITE_HOST_PARAMS * 8)

static const char *const sqlite_sql[ST_COUNT] = {
	[ST_EXISTS] = "SELECT 1 FROM windows WHERE agent = ?1 AND "
	    "start = ?2 AND (source = ?3 OR ?3 = '" HISTDB_IMPORT_SOURCE
	    "') LIMIT 1",
	[ST_WINDOW] = "INSERT INTO windows (agent, start, source, length, "
	    "octets_in, octets_out, packets_in, packets_out, sessions, "
	    "local_octets, drops, rtt_us) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[ST_SERVICE] = "INSERT INTO window_services (agent, start, service, "
	    "octets_in, octets_out, packets_in, packets_out) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_SESSION] = "INSERT INTO window_sessions (agent, start, rank, "
	    "proto, local_addr, remote_addr, port, service, octets_in, "
	    "octets_out, packets_in, packets_out) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[ST_PROBE] = "INSERT INTO window_probes (agent, start, probe, addr, "
	    "sent, answered, rtt_min_us, rtt_mean_us, rtt_max_us) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_PROCESS] = "INSERT INTO window_processes (agent, start, pid, "
	    "name, unit, conns, octets_in, octets_out) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
};

struct sqlite_db {
	sqlite3		*sd_db;
	sqlite3_stmt	*sd_st[ST_COUNT];
	char		 sd_agent[HISTDB_NAME_MAX];
	int		 sd_rc;		/* the last sqlite_run's step */
};

static void	sqlite_close(void *);

static int
sqlite_fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
	return errbuf_set(err, errlen, "%s: %s", what, db != NULL ?
	    sqlite3_errmsg(db) : "out of memory");
}

/* Creates the file if missing and refuses one that is not coremond's own
 * regular file.  0, or -1 with the reason (errno set). */
static int
sqlite_check_file(const char *path, char *err, size_t errlen)
{
	struct stat	st;
	int		fd, saved;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
	    SQLITE_FILE_MODE);
	if (fd < 0) {
		saved = errno;
		if (saved == ELOOP)
			errbuf_set(err, errlen, "a symbolic link: refused, "
			    "not followed");
		else
			errbuf_set(err, errlen, "cannot open: %s",
			    strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		saved = errno;
		errbuf_set(err, errlen, "cannot stat: %s", strerror(saved));
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	if (!S_ISREG(st.st_mode)) {
		errbuf_set(err, errlen, "not a regular file: refused");
		errno = EPERM;
		return -1;
	}
	if (st.st_uid != geteuid()) {
		errbuf_set(err, errlen, "owned by uid %lu, not coremond's uid "
		    "%lu: refused", (unsigned long)st.st_uid,
		    (unsigned long)geteuid());
		errno = EPERM;
		return -1;
	}
	return 0;
}

static int
sqlite_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char	*msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	errbuf_set(err, errlen, "%s (running: %.80s)", msg != NULL ? msg :
	    sqlite3_errmsg(db), sql);
	sqlite3_free(msg);
	return -1;
}

/* max(version) of schema_version, 0 for a new database. */
static int
sqlite_version(sqlite3 *db, int *version, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	*version = 0;
	rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'table' AND name = 'schema_version'", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sqlite_fail(db, "schema version", err, errlen);
	rc = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (rc < 0)
		return sqlite_fail(db, "schema version", err, errlen);
	if (rc == 0)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM "
	    "schema_version", -1, &st, NULL) != SQLITE_OK)
		return sqlite_fail(db, "schema version", err, errlen);
	if (sqlite3_step(st) == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/*
 * Creates or completes the schema (every statement is IF NOT EXISTS) and
 * records the version, in one transaction.  Migrations from older
 * versions go here, each step in the same transaction, when the schema
 * changes; version 1 is the first.  0, or -1 (errno EINVAL: newer).
 */
static int
sqlite_schema(struct sqlite_db *sd, char *err, size_t errlen)
{
	char		 stmt[SQLITE_STMT_MAX], ins[160];
	const char	*pos = histdb_schema_sql;
	int		 version, r;

	if (sqlite_exec(sd->sd_db, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	if (sqlite_version(sd->sd_db, &version, err, errlen) < 0)
		goto fail;
	if (version > HISTDB_SCHEMA_VERSION) {
		errbuf_set(err, errlen, "schema version %d is newer than "
		    "this coremond's %d: refused", version,
		    HISTDB_SCHEMA_VERSION);
		sqlite_exec(sd->sd_db, "ROLLBACK", NULL, 0);
		errno = EINVAL;
		return -1;
	}
	while ((r = histdb_schema_next(&pos, stmt, sizeof(stmt))) > 0) {
		histdb_schema_dialect(stmt, SQLITE_DIALECT);
		if (sqlite_exec(sd->sd_db, stmt, err, errlen) < 0)
			goto fail;
	}
	if (r < 0) {
		errbuf_set(err, errlen, "schema: a statement too long");
		goto fail;
	}
	if (version < HISTDB_SCHEMA_VERSION) {
		sqlite3_snprintf(sizeof(ins), ins, "INSERT INTO schema_version "
		    "(version, agent, applied) VALUES (%d, %Q, %lld)",
		    HISTDB_SCHEMA_VERSION, sd->sd_agent, (long long)time(NULL));
		if (sqlite_exec(sd->sd_db, ins, err, errlen) < 0)
			goto fail;
	}
	return sqlite_exec(sd->sd_db, "COMMIT", err, errlen);
fail:
	sqlite_exec(sd->sd_db, "ROLLBACK", NULL, 0);
	errno = EIO;
	return -1;
}

/* The day_hosts statement for rows rows (SQLITE_HOST_HEAD's comment), in
 * memory to free, or NULL. */
static char *
sqlite_host_sql(unsigned int rows)
{
	char		*sql, *p;
	size_t		 len;
	unsigned int	 i, j, at = 3;

	len = sizeof(SQLITE_HOST_HEAD) + sizeof(SQLITE_HOST_TAIL) +
	    (size_t)rows * SQLITE_HOST_ROW_MAX;
	if ((sql = malloc(len)) == NULL)
		return NULL;
	p = sql + snprintf(sql, len, "%s", SQLITE_HOST_HEAD);
	for (i = 0; i < rows; i++) {
		p += snprintf(p, len - (size_t)(p - sql), "%s(?1, ?2",
		    i > 0 ? ", " : "");
		for (j = 0; j < SQLITE_HOST_PARAMS; j++)
			p += snprintf(p, len - (size_t)(p - sql), ", ?%u",
			    at++);
		p += snprintf(p, len - (size_t)(p - sql), ")");
	}
	snprintf(p, len - (size_t)(p - sql), "%s", SQLITE_HOST_TAIL);
	return sql;
}

static void *
sqlite_open(const struct histdb_config *cf, char *err, size_t errlen)
{
	struct sqlite_db	*sd;
	char			 why[HISTDB_ERROR_MAX];
	char			*built;
	int			 i, rc, saved;

	if (sqlite_check_file(cf->hc_target, err, errlen) < 0)
		return NULL;
	if ((sd = calloc(1, sizeof(*sd))) == NULL) {
		errbuf_set(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	snprintf(sd->sd_agent, sizeof(sd->sd_agent), "%s", cf->hc_agent);
	if (sqlite3_open_v2(cf->hc_target, &sd->sd_db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		sqlite_fail(sd->sd_db, "open", err, errlen);
		errno = EIO;
		goto fail;
	}
	sqlite3_busy_timeout(sd->sd_db, SQLITE_BUSY_MS);
	sqlite3_extended_result_codes(sd->sd_db, 1);
	if (sqlite_exec(sd->sd_db, "PRAGMA journal_mode = WAL", why,
	    sizeof(why)) < 0 ||
	    sqlite_exec(sd->sd_db, "PRAGMA synchronous = FULL", why,
	    sizeof(why)) < 0 ||
	    sqlite_exec(sd->sd_db, "PRAGMA cache_size = " SQLITE_CACHE, why,
	    sizeof(why)) < 0) {
		errbuf_set(err, errlen, "%s", why);
		errno = EIO;
		goto fail;
	}
	if (sqlite_schema(sd, err, errlen) < 0)
		goto fail;
	for (i = 0; i < ST_COUNT; i++) {
		built = NULL;
		if ((i == ST_HOST || i == ST_HOSTS) && (built =
		    sqlite_host_sql(i == ST_HOST ? 1 : SQLITE_HOST_ROWS)) ==
		    NULL) {
			errbuf_set(err, errlen, "out of memory");
			errno = ENOMEM;
			goto fail;
		}
		rc = sqlite3_prepare_v3(sd->sd_db, built != NULL ? built :
		    sqlite_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		    &sd->sd_st[i], NULL);
		free(built);
		if (rc != SQLITE_OK) {
			sqlite_fail(sd->sd_db, "prepare", err, errlen);
			errno = EIO;
			goto fail;
		}
	}
	return sd;
fail:
	saved = errno;
	sqlite_close(sd);
	errno = saved;
	return NULL;
}

static void
sqlite_close(void *arg)
{
	struct sqlite_db	*sd = arg;
	int			 i;

	if (sd == NULL)
		return;
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(sd->sd_st[i]);
	sqlite3_close(sd->sd_db);
	free(sd);
}

/* Runs a statement that returns no row (or, for ST_EXISTS, tells whether
 * it returned one: 1 or 0), then resets it.  -1 on failure. */
static int
sqlite_run(struct sqlite_db *sd, int which)
{
	sqlite3_stmt	*st = sd->sd_st[which];
	int		 rc;

	rc = sd->sd_rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
sqlite_bind_key(sqlite3_stmt *st, const struct histdb_batch *b)
{
	sqlite3_bind_text(st, 1, b->hb_agent, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, b->hb_start_s);
}

static void
sqlite_bind_counts(sqlite3_stmt *st, int at, uint64_t oi, uint64_t oo,
    uint64_t pi, uint64_t po)
{
	sqlite3_bind_int64(st, at, (sqlite3_int64)oi);
	sqlite3_bind_int64(st, at + 1, (sqlite3_int64)oo);
	sqlite3_bind_int64(st, at + 2, (sqlite3_int64)pi);
	sqlite3_bind_int64(st, at + 3, (sqlite3_int64)po);
}

static int
sqlite_put_windows(struct sqlite_db *sd, const struct histdb_batch *b)
{
	const struct histdb_window_row	*w;
	sqlite3_stmt			*st = sd->sd_st[ST_WINDOW];
	size_t				 i;

	for (i = 0; i < b->hb_nwindows; i++) {
		w = &b->hb_windows[i];
		sqlite_bind_key(st, b);
		sqlite3_bind_text(st, 3, w->wr_source, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, b->hb_length_s);
		sqlite_bind_counts(st, 5, w->wr_octets_in, w->wr_octets_out,
		    w->wr_packets_in, w->wr_packets_out);
		sqlite3_bind_int64(st, 9, (sqlite3_int64)w->wr_sessions);
		sqlite3_bind_int64(st, 10, (sqlite3_int64)w->wr_local_octets);
		sqlite3_bind_int64(st, 11, (sqlite3_int64)w->wr_drops);
		if (w->wr_rtt_us >= 0)
			sqlite3_bind_int64(st, 12, w->wr_rtt_us);
		if (sqlite_run(sd, ST_WINDOW) < 0)
			return -1;
	}
	return 0;
}

static int
sqlite_put_services(struct sqlite_db *sd, const struct histdb_batch *b)
{
	const struct histdb_service_row	*r;
	sqlite3_stmt			*st = sd->sd_st[ST_SERVICE];
	size_t				 i;

	for (i = 0; i < b->hb_nservices; i++) {
		r = &b->hb_services[i];
		sqlite_bind_key(st, b);
		sqlite3_bind_text(st, 3, r->sr_service, -1, SQLITE_STATIC);
		sqlite_bind_counts(st, 4, r->sr_octets_in, r->sr_octets_out,
		    r->sr_packets_in, r->sr_packets_out);
		if (sqlite_run(sd, ST_SERVICE) < 0)
			return -1;
	}
	return 0;
}

static int
sqlite_put_sessions(struct sqlite_db *sd, const struct histdb_batch *b)
{
	const struct histdb_session_row	*r;
	sqlite3_stmt			*st = sd->sd_st[ST_SESSION];
	size_t				 i;

	for (i = 0; i < b->hb_nsessions; i++) {
		r = &b->hb_sessions[i];
		sqlite_bind_key(st, b);
		sqlite3_bind_int64(st, 3, r->ss_rank);
		sqlite3_bind_int64(st, 4, r->ss_proto);
		sqlite3_bind_text(st, 5, r->ss_local, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, r->ss_remote, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, r->ss_port);
		sqlite3_bind_text(st, 8, r->ss_service, -1, SQLITE_STATIC);
		sqlite_bind_counts(st, 9, r->ss_octets_in, r->ss_octets_out,
		    r->ss_packets_in, r->ss_packets_out);
		if (sqlite_run(sd, ST_SESSION) < 0)
			return -1;
	}
	return 0;
}

/* A day_hosts row's values from parameter at on. */
static void
sqlite_bind_host(sqlite3_stmt *st, int at, const struct histdb_host_row *r)
{
	sqlite3_bind_text(st, at, r->hr_addr, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, at + 1, r->hr_service, -1, SQLITE_STATIC);
	sqlite_bind_counts(st, at + 2, r->hr_octets_in, r->hr_octets_out,
	    r->hr_packets_in, r->hr_packets_out);
	sqlite3_bind_int64(st, at + 6, r->hr_first_s);
	sqlite3_bind_int64(st, at + 7, r->hr_last_s);
	if (r->hr_name != NULL && r->hr_name[0] != '\0')
		sqlite3_bind_text(st, at + 8, r->hr_name, -1, SQLITE_STATIC);
}

static int
sqlite_put_hosts(struct sqlite_db *sd, const struct histdb_batch *b)
{
	sqlite3_stmt	*st;
	size_t		 i, j, n;
	int		 which;

	for (i = 0; i < b->hb_nhosts; i += n) {
		n = b->hb_nhosts - i >= SQLITE_HOST_ROWS ? SQLITE_HOST_ROWS : 1;
		which = n > 1 ? ST_HOSTS : ST_HOST;
		st = sd->sd_st[which];
		sqlite3_bind_text(st, 1, b->hb_agent, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, b->hb_day);
		for (j = 0; j < n; j++)
			sqlite_bind_host(st, 3 + (int)j * SQLITE_HOST_PARAMS,
			    &b->hb_hosts[i + j]);
		if (sqlite_run(sd, which) < 0)
			return -1;
	}
	return 0;
}

static int
sqlite_put_probes(struct sqlite_db *sd, const struct histdb_batch *b)
{
	const struct histdb_probe	*p;
	sqlite3_stmt			*st = sd->sd_st[ST_PROBE];
	size_t				 i;

	for (i = 0; i < b->hb_nprobes; i++) {
		p = &b->hb_probes[i];
		sqlite_bind_key(st, b);
		sqlite3_bind_text(st, 3, p->hp_name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, p->hp_addr, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, p->hp_sent);
		sqlite3_bind_int64(st, 6, p->hp_answered);
		if (p->hp_answered > 0) {
			sqlite3_bind_int64(st, 7, p->hp_rtt_min_us);
			sqlite3_bind_int64(st, 8, p->hp_rtt_mean_us);
			sqlite3_bind_int64(st, 9, p->hp_rtt_max_us);
		}
		if (sqlite_run(sd, ST_PROBE) < 0)
			return -1;
	}
	return 0;
}

static int
sqlite_put_processes(struct sqlite_db *sd, const struct histdb_batch *b)
{
	const struct histdb_process	*p;
	sqlite3_stmt			*st = sd->sd_st[ST_PROCESS];
	size_t				 i;

	for (i = 0; i < b->hb_nprocs; i++) {
		p = &b->hb_procs[i];
		sqlite_bind_key(st, b);
		sqlite3_bind_int64(st, 3, p->hq_pid);
		sqlite3_bind_text(st, 4, p->hq_name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, p->hq_unit, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, p->hq_conns);
		sqlite3_bind_int64(st, 7, (sqlite3_int64)p->hq_octets_in);
		sqlite3_bind_int64(st, 8, (sqlite3_int64)p->hq_octets_out);
		if (sqlite_run(sd, ST_PROCESS) < 0)
			return -1;
	}
	return 0;
}

static int
sqlite_write(void *arg, const struct histdb_batch *b, char *err,
    size_t errlen)
{
	struct sqlite_db	*sd = arg;
	sqlite3_stmt		*st = sd->sd_st[ST_EXISTS];
	int			 r;

	if (b->hb_nwindows == 0)
		return errbuf_set(err, errlen, "a batch without a window");
	if (sqlite_run(sd, ST_BEGIN) < 0)
		return sqlite_fail(sd->sd_db, "begin", err, errlen);
	sqlite_bind_key(st, b);
	sqlite3_bind_text(st, 3, b->hb_windows[0].wr_source, -1,
	    SQLITE_STATIC);
	if ((r = sqlite_run(sd, ST_EXISTS)) < 0)
		goto fail;
	if (r == 1) {		/* already there: written before */
		sqlite_run(sd, ST_ROLLBACK);
		return 0;
	}
	if (sqlite_put_windows(sd, b) < 0 || sqlite_put_services(sd, b) < 0 ||
	    sqlite_put_sessions(sd, b) < 0 || sqlite_put_hosts(sd, b) < 0 ||
	    sqlite_put_probes(sd, b) < 0 || sqlite_put_processes(sd, b) < 0 ||
	    sqlite_run(sd, ST_COMMIT) < 0)
		goto fail;
	return 1;
fail:
	sqlite_fail(sd->sd_db, "write", err, errlen);
	r = sd->sd_rc & 0xff;	/* the primary code */
	if (sqlite3_get_autocommit(sd->sd_db) == 0)
		sqlite_run(sd, ST_ROLLBACK);
	/* What the rows themselves caused (a CHECK, a key, a trigger's
	 * RAISE, a value too big), not the file (full, read-only, busy). */
	if (r == SQLITE_CONSTRAINT || r == SQLITE_MISMATCH ||
	    r == SQLITE_TOOBIG || r == SQLITE_RANGE)
		return HISTDB_WRITE_REFUSED;
	return -1;
}

/* Runs sql (parameters: agent, a bound, a limit) and returns the rows it
 * changed, or -1. */
static long
sqlite_delete(struct sqlite_db *sd, const char *sql, int64_t bound,
    unsigned int limit)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(sd->sd_db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, sd->sd_agent, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, bound);
	sqlite3_bind_int64(st, 3, limit);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? sqlite3_changes(sd->sd_db) : -1;
}

/* The start of the limit-th oldest window before before_s, plus one: the
 * bound that deletes at most limit windows of one source. */
static int64_t
sqlite_window_bound(struct sqlite_db *sd, int64_t before_s,
    unsigned int limit)
{
	sqlite3_stmt	*st;
	int64_t		 bound = before_s;

	if (sqlite3_prepare_v2(sd->sd_db, "SELECT start FROM windows WHERE "
	    "agent = ?1 AND start < ?2 ORDER BY start LIMIT 1 OFFSET ?3",
	    -1, &st, NULL) != SQLITE_OK)
		return INT64_MIN;
	sqlite3_bind_text(st, 1, sd->sd_agent, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, before_s);
	sqlite3_bind_int64(st, 3, limit - 1);
	if (sqlite3_step(st) == SQLITE_ROW)
		bound = sqlite3_column_int64(st, 0) + 1;
	sqlite3_finalize(st);
	return bound;
}

static long
sqlite_expire(void *arg, int64_t before_s, uint32_t before_day,
    unsigned int limit, char *err, size_t errlen)
{
	static const char *const by_start[] = {
		"DELETE FROM windows WHERE agent = ?1 AND start < ?2",
		"DELETE FROM window_services WHERE agent = ?1 AND start < ?2",
		"DELETE FROM window_sessions WHERE agent = ?1 AND start < ?2",
		"DELETE FROM window_probes WHERE agent = ?1 AND start < ?2",
		"DELETE FROM window_processes WHERE agent = ?1 AND start < ?2",
	};
	struct sqlite_db	*sd = arg;
	int64_t			 bound;
	long			 n, total = 0;
	size_t			 i;

	if (limit == 0)
		return 0;
	if (sqlite_run(sd, ST_BEGIN) < 0)
		return sqlite_fail(sd->sd_db, "retention", err, errlen);
	if (before_s == INT64_MIN)	/* windows kept for ever */
		i = sizeof(by_start) / sizeof(by_start[0]);
	else if ((bound = sqlite_window_bound(sd, before_s, limit)) ==
	    INT64_MIN)
		goto fail;
	else
		i = 0;
	for (; i < sizeof(by_start) / sizeof(by_start[0]); i++) {
		if ((n = sqlite_delete(sd, by_start[i], bound, limit)) < 0)
			goto fail;
		if (i == 0)
			total += n;
	}
	if (before_day > 0) {
		n = sqlite_delete(sd, "DELETE FROM day_hosts WHERE (day, agent, addr, service) IN "
		    "(SELECT day, agent, addr, service FROM day_hosts WHERE agent = ?1 AND "
		    "day < ?2 LIMIT ?3)", before_day, limit);
		if (n < 0)
			goto fail;
		total += n;
	}
	if (sqlite_run(sd, ST_COMMIT) < 0)
		goto fail;
	return total;
fail:
	sqlite_fail(sd->sd_db, "retention", err, errlen);
	if (sqlite3_get_autocommit(sd->sd_db) == 0)
		sqlite_run(sd, ST_ROLLBACK);
	return -1;
}

const struct histdb_backend histdb_sqlite = {
	.hk_name = "sqlite",
	.hk_open = sqlite_open,
	.hk_write = sqlite_write,
	.hk_expire = sqlite_expire,
	.hk_close = sqlite_close,
};
