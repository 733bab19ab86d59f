/*
 * histdb_pg: the PostgreSQL backend of the history database (a fleet of
 * coremonds writing into one database); see histdb_int.h.
 *
 * The target is a libpq URL, postgresql://[user@]host[:port]/db?...,
 * taken as libpq takes it (host=/dir for a Unix socket).  A password in
 * it is refused: command lines and configuration files are read by more
 * than those who should know it.  It comes from hc_password_file (the
 * user's own file, 0600 or 0640), or libpq's own PGPASSWORD or
 * PGPASSFILE.
 *
 * The schema is histdb_schema_sql, the very statements SQLite runs (but
 * its "--postgresql: " lines made SQL, its "--sqlite: " ones left
 * comments), sent in one simple query under an advisory lock (two
 * coremonds starting at once would otherwise race on CREATE ... IF NOT
 * EXISTS).  A batch is one transaction: the "already there" check, then
 * COPY for every row set (the fastest way into PostgreSQL: one round
 * trip a table, no statement per row), the per-day host rows sorted and
 * added up here,
 * copied into a temporary table and merged into day_hosts by one UPDATE
 * and one INSERT.  A window of 100,000 hosts takes about 0.5-0.7 s on a
 * small, busy machine, nearly all of it the server's index work.
 *
 * Values: PostgreSQL's BIGINT is signed, so a counter past 2^63 - 1 is
 * written as that (no real counter gets there; a batch the server
 * refused would be set aside, lost).  Text must be valid UTF-8 in a UTF8
 * database: bytes that are not are written as '?', for the same reason.
 * A refusal (a constraint, a trigger, a value) is told from an outage
 * by its SQLSTATE: HISTDB_WRITE_REFUSED, not -1.
 *
 * One file of about 1,000 lines on purpose: every part of it (password
 * checks, connection, schema, COPY's text format, writes, retention)
 * speaks libpq, and nothing else does; split, libpq would sit behind a
 * second private header for one reader.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "lib/errbuf.h"
#include "store/histdb_int.h"

#define PG_PASSWORD_MAX		1024
#define PG_LOCK_KEY		"7130466631"	/* pg_advisory_xact_lock: "coremon" */
#define PG_CONNECT_TIMEOUT	"10"	/* seconds, unless the URL says */
#define PG_COPY_CHUNK		(256 * 1024)
#define PG_DIALECT		"--postgresql: "	/* schema.sql's hook */

struct pg_buf {
	char	*pb_data;
	size_t	 pb_len, pb_cap;
	int	 pb_failed;	/* out of memory */
};

struct histdb_pg {
	PGconn		*pg_conn;
	char		*pg_target;
	char		 pg_password[PG_PASSWORD_MAX];	/* "" none */
	char		 pg_agent[HISTDB_NAME_MAX];	/* hc_agent (UTF-8): the
						 * schema's and expire's */
	char		 pg_batch_agent[HISTDB_NAME_MAX];	/* this batch's */
	int		 pg_session_ready;	/* temp table on this session */
	char		 pg_sqlstate[6];	/* the last error's, "" none */
	struct pg_buf	 pg_buf;		/* reused by every COPY */
	struct pg_host	*pg_hosts;		/* reused by every batch */
	size_t		 pg_hosts_cap;
};

/* A per-day host row with its key as written (UTF-8 cleaned), to sort
 * and add up. */
struct pg_host {
	char				 ph_addr[HISTDB_ADDR_MAX];
	char				 ph_service[HISTDB_SERVICE_MAX];
	const struct histdb_host_row	*ph_row;
};

/* ---- text for COPY ---- */

static void
pg_buf_reserve(struct pg_buf *pb, size_t n)
{
	char	*d;
	size_t	 cap;

	if (pb->pb_failed || pb->pb_len + n <= pb->pb_cap)
		return;
	for (cap = pb->pb_cap ? pb->pb_cap : 65536; cap < pb->pb_len + n;)
		cap *= 2;
	if ((d = realloc(pb->pb_data, cap)) == NULL) {
		pb->pb_failed = 1;
		return;
	}
	pb->pb_data = d;
	pb->pb_cap = cap;
}

static void
pg_put_char(struct pg_buf *pb, char c)
{
	pg_buf_reserve(pb, 1);
	if (!pb->pb_failed)
		pb->pb_data[pb->pb_len++] = c;
}

/* A counter, decimal, clamped to BIGINT. */
static void
pg_put_u64(struct pg_buf *pb, uint64_t v)
{
	char	tmp[24];
	size_t	n = 0;

	if (v > INT64_MAX)
		v = INT64_MAX;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	pg_buf_reserve(pb, n + 1);
	if (pb->pb_failed)
		return;
	while (n > 0)
		pb->pb_data[pb->pb_len++] = tmp[--n];
	pb->pb_data[pb->pb_len++] = '\t';
}

static void
pg_put_i64(struct pg_buf *pb, int64_t v)
{
	if (v < 0) {
		pg_put_char(pb, '-');
		pg_put_u64(pb, v == INT64_MIN ? (uint64_t)INT64_MAX :
		    (uint64_t)-v);
	} else
		pg_put_u64(pb, (uint64_t)v);
}

static void
pg_put_null(struct pg_buf *pb)
{
	pg_put_char(pb, '\\');
	pg_put_char(pb, 'N');
	pg_put_char(pb, '\t');
}

/* The length of a valid UTF-8 sequence at s (at most n bytes), 0 if
 * none starts there (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
static size_t
pg_utf8_len(const unsigned char *s, size_t n)
{
	size_t	len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return len;
}

/* s as UTF-8 into dst (n bytes with the NUL), bad bytes as '?'. */
static void
pg_utf8_clean(char *dst, const char *s, size_t n)
{
	size_t	i = 0, len, k, slen = strlen(s);

	while (i < slen && i + 1 < n) {
		len = pg_utf8_len((const unsigned char *)s + i, slen - i);
		if (len == 0 || i + len >= n) {
			dst[i++] = '?';
			continue;
		}
		for (k = 0; k < len; k++, i++)
			dst[i] = s[i];
	}
	dst[i] = '\0';
}

/* A text column of COPY's text format: \, tab, newline and CR escaped,
 * invalid UTF-8 as '?'. */
static void
pg_put_text(struct pg_buf *pb, const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 n = strlen(s), i = 0, len, k;

	pg_buf_reserve(pb, 2 * n + 1);
	if (pb->pb_failed)
		return;
	while (i < n) {
		len = pg_utf8_len(u + i, n - i);
		if (len == 0) {
			pb->pb_data[pb->pb_len++] = '?';
			i++;
		} else if (len > 1) {
			for (k = 0; k < len; k++)
				pb->pb_data[pb->pb_len++] = s[i++];
		} else {
			switch (s[i]) {
			case '\\': case '\t': case '\n': case '\r':
				pb->pb_data[pb->pb_len++] = '\\';
				pb->pb_data[pb->pb_len++] = s[i] == '\\' ? '\\' :
				    s[i] == '\t' ? 't' : s[i] == '\n' ? 'n' : 'r';
				break;
			default:
				pb->pb_data[pb->pb_len++] = s[i];
			}
			i++;
		}
	}
	pb->pb_data[pb->pb_len++] = '\t';
}

/* Ends a row: its last tab becomes the newline. */
static void
pg_end_row(struct pg_buf *pb)
{
	if (!pb->pb_failed && pb->pb_len > 0)
		pb->pb_data[pb->pb_len - 1] = '\n';
}

/* ---- the connection ---- */

/* what failed, with the server's or libpq's reason (res may be NULL),
 * into err. */
static void
pg_error(struct histdb_pg *pg, const char *what, const PGresult *res,
    char *err, size_t errlen)
{
	const char	*m = res != NULL ? PQresultErrorMessage(res) : "";
	const char	*state = res != NULL ?
			    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	size_t		 n;

	snprintf(pg->pg_sqlstate, sizeof(pg->pg_sqlstate), "%s",
	    state != NULL ? state : "");
	if (*m == '\0' && pg->pg_conn != NULL)
		m = PQerrorMessage(pg->pg_conn);
	n = strlen(m);
	while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	snprintf(err, errlen, "%s: %.*s", what, (int)n, n > 0 ? m :
	    "failed");
	/* libpq's messages run over lines ("...\n\tThis probably means");
	 * a log line and cmHistoryLastError are one line. */
	for (; *err != '\0'; err++)
		if (*err == '\n' || *err == '\t' || *err == '\r')
			*err = ' ';
}

/*
 * sql with the n text parameters $1.. of params, or, params NULL, as one
 * simple query (which may hold several statements): its result, for the
 * caller to PQclear, when it worked; else NULL with the reason.
 */
static PGresult *
pg_run(struct histdb_pg *pg, const char *what, const char *sql, int n,
    const char *const *params, char *err, size_t errlen)
{
	PGresult	*res;

	res = params == NULL ? PQexec(pg->pg_conn, sql) :
	    PQexecParams(pg->pg_conn, sql, n, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	pg_error(pg, what, res, err, errlen);
	PQclear(res);
	return NULL;
}

/* The same for a statement whose rows do not matter: 0, or -1. */
static int
pg_exec_params(struct histdb_pg *pg, const char *what, const char *sql,
    int n, const char *const *params, char *err, size_t errlen)
{
	PGresult	*res = pg_run(pg, what, sql, n, params, err, errlen);

	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

static int
pg_exec(struct histdb_pg *pg, const char *what, const char *sql, char *err,
    size_t errlen)
{
	return pg_exec_params(pg, what, sql, 0, NULL, err, errlen);
}

static void
pg_rollback(struct histdb_pg *pg)
{
	char	ignored[64];

	if (PQstatus(pg->pg_conn) == CONNECTION_OK &&
	    PQtransactionStatus(pg->pg_conn) != PQTRANS_IDLE)
		pg_exec(pg, "rollback", "ROLLBACK", ignored, sizeof(ignored));
}

static int
pg_password_refused(char *err, size_t errlen, const char *path,
    const char *why)
{
	return errbuf_set(err, errlen, "password file %s: %s", path, why);
}

/*
 * hc_password_file: the user's own regular file (never through a link),
 * no more open than 0640, its first line the password.  0, or -1 with
 * the reason.
 */
static int
pg_read_password(const char *path, char *buf, size_t len, char *err,
    size_t errlen)
{
	struct stat	st;
	ssize_t		n;
	int		fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) < 0)
		return pg_password_refused(err, errlen, path, errno == ELOOP ?
		    "a symbolic link: refused" : strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 07777 & ~0640u) != 0) {
		close(fd);
		return pg_password_refused(err, errlen, path, "refused: it "
		    "must be a regular file of coremond's own user, mode 0600 "
		    "or 0640");
	}
	n = read(fd, buf, len);
	close(fd);
	if (n < 0)
		return pg_password_refused(err, errlen, path, strerror(errno));
	if ((size_t)n == len)
		return pg_password_refused(err, errlen, path,
		    "longer than a password may be");
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0')
		return pg_password_refused(err, errlen, path, "empty");
	return 0;
}

/* Whether target is a URL or keyword string libpq takes, without a
 * password in it: 0, or -1 with the reason. */
static int
pg_check_target(const char *target, char *err, size_t errlen)
{
	PQconninfoOption	*opts, *o;
	char			*msg = NULL;
	int			 rc = 0;

	if ((opts = PQconninfoParse(target, &msg)) == NULL) {
		rc = errbuf_set(err, errlen, "%s", msg != NULL ? msg :
		    "not a PostgreSQL URL");
		PQfreemem(msg);
		return rc;
	}
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL)
			rc = errbuf_set(err, errlen, "a password in the "
			    "PostgreSQL URL is refused (anyone who reads the "
			    "configuration or the process list learns it): "
			    "put it in historyPasswordFile, or PGPASSWORD or "
			    "PGPASSFILE");
	PQconninfoFree(opts);
	return rc;
}

/* The server's notices ("relation already exists, skipping" at every
 * start) are not failures, and libpq would print them on stderr. */
static void
pg_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* Connects (or connects again after a loss): 0, or -1. */
static int
pg_connect(struct histdb_pg *pg, char *err, size_t errlen)
{
	/* The URL's own connect_timeout wins: it comes later. */
	const char	*keys[] = { "connect_timeout", "keepalives",
		"keepalives_idle", "keepalives_interval", "keepalives_count",
		"application_name", "dbname", "client_encoding", NULL, NULL };
	const char	*vals[] = { PG_CONNECT_TIMEOUT, "1", "10", "5", "3",
		"coremond", pg->pg_target, "UTF8", NULL, NULL };

	if (pg->pg_password[0] != '\0') {
		keys[8] = "password";
		vals[8] = pg->pg_password;
	}
	if (pg->pg_conn != NULL) {
		PQreset(pg->pg_conn);
	} else {
		pg->pg_conn = PQconnectdbParams(keys, vals, 1);
		if (pg->pg_conn != NULL)
			PQsetNoticeProcessor(pg->pg_conn, pg_notice, NULL);
	}
	pg->pg_session_ready = 0;
	if (pg->pg_conn == NULL || PQstatus(pg->pg_conn) != CONNECTION_OK) {
		pg_error(pg, "connect", NULL, err, errlen);
		return -1;
	}
	return 0;
}

/* What a session needs before its first batch: the temporary table the
 * per-day host rows are copied into (it lives as long as the session;
 * each commit empties it). */
static int
pg_session(struct histdb_pg *pg, char *err, size_t errlen)
{
	if (pg->pg_session_ready)
		return 0;
	/* Room for a window of 100,000 hosts in memory: the temporary
	 * table's buffers (set before its first use in the session) and the
	 * sort and aggregate that add its rows up. */
	if (pg_exec(pg, "session", "SET temp_buffers = '64MB'", err,
	    errlen) < 0 ||
	    pg_exec(pg, "session", "SET work_mem = '64MB'", err, errlen) < 0)
		return -1;
	if (pg_exec(pg, "temporary table",
	    "CREATE TEMPORARY TABLE IF NOT EXISTS histdb_hosts_in ("
	    " addr TEXT NOT NULL, service TEXT NOT NULL,"
	    " octets_in BIGINT NOT NULL, octets_out BIGINT NOT NULL,"
	    " packets_in BIGINT NOT NULL, packets_out BIGINT NOT NULL,"
	    " first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL,"
	    " name TEXT) ON COMMIT DELETE ROWS", err, errlen) < 0)
		return -1;
	pg->pg_session_ready = 1;
	return 0;
}

/* The one number a query gives: 0, or -1 with the reason. */
static int
pg_query_long(struct histdb_pg *pg, const char *what, const char *sql,
    long *v, char *err, size_t errlen)
{
	PGresult	*res = pg_run(pg, what, sql, 0, NULL, err, errlen);
	int		 rc = 0;

	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1 || PQnfields(res) != 1)
		rc = errbuf_set(err, errlen, "%s: not one value", what);
	else
		*v = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return rc;
}

/* The database's schema version, 0 when it has none yet; -1 on error.
 * (Two queries: a table named in a query must exist, even in a branch
 * that is never taken.) */
static long
pg_schema_version(struct histdb_pg *pg, char *err, size_t errlen)
{
	long	v;

	if (pg_query_long(pg, "schema version", "SELECT count(*) FROM "
	    "(SELECT to_regclass('schema_version') AS t) r WHERE t IS NOT NULL",
	    &v, err, errlen) < 0)
		return -1;
	if (v == 0)
		return 0;
	if (pg_query_long(pg, "schema version", "SELECT coalesce(max(version), "
	    "0) FROM schema_version", &v, err, errlen) < 0)
		return -1;
	return v;
}

/*
 * Creates the schema or checks it, in one transaction under an advisory
 * lock.  0; -1 with errno EINVAL for a newer schema (never works), other
 * errno for what may work later.
 */
static int
pg_schema(struct histdb_pg *pg, char *err, size_t errlen)
{
	const char	*params[3];
	char		 now[24], version[16];
	char		*sql;
	long		 v;
	int		 r;

	if (pg_exec(pg, "begin", "BEGIN", err, errlen) < 0 ||
	    pg_exec(pg, "lock", "SELECT pg_advisory_xact_lock(" PG_LOCK_KEY
	    ")", err, errlen) < 0 ||
	    (v = pg_schema_version(pg, err, errlen)) < 0)
		goto fail;
	if (v > HISTDB_SCHEMA_VERSION) {
		snprintf(err, errlen, "the database's history schema is "
		    "version %ld, newer than this coremond's %d: refused", v,
		    HISTDB_SCHEMA_VERSION);
		pg_rollback(pg);
		errno = EINVAL;
		return -1;
	}
	if ((sql = strdup(histdb_schema_sql)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	histdb_schema_dialect(sql, PG_DIALECT);
	r = pg_exec(pg, "schema", sql, err, errlen);
	free(sql);
	if (r < 0)
		goto fail;
	/*
	 * The one statement SQLite has no form of: day_hosts pages kept half
	 * empty, so that adding a window to a host's day rewrites the row in
	 * its page (a HOT update) instead of adding an entry to each of its
	 * two indexes (its key, and (addr, day)) -- half the server's work
	 * on a window of 100,000 hosts.  Only on a new database: ALTER TABLE locks out the fleet.
	 */
	if (v == 0 && pg_exec(pg, "fillfactor", "ALTER TABLE day_hosts SET "
	    "(fillfactor = 50)", err, errlen) < 0)
		goto fail;
	if (v < HISTDB_SCHEMA_VERSION) {
		snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
		params[0] = pg->pg_agent;
		params[1] = now;
		snprintf(version, sizeof(version), "%d", HISTDB_SCHEMA_VERSION);
		params[2] = version;
		if (pg_exec_params(pg, "schema_version", "INSERT INTO "
		    "schema_version (version, agent, applied) VALUES "
		    "($3::integer, $1, $2) ON CONFLICT DO NOTHING", 3, params,
		    err, errlen) < 0)
			goto fail;
	}
	if (pg_exec(pg, "commit", "COMMIT", err, errlen) < 0)
		goto fail;
	return 0;
fail:
	pg_rollback(pg);
	errno = EAGAIN;
	return -1;
}

/* ---- the backend ---- */

static void pg_close(void *);

static void *
pg_open(const struct histdb_config *cf, char *err, size_t errlen)
{
	struct histdb_pg	*pg;

	if (cf->hc_target == NULL ||
	    pg_check_target(cf->hc_target, err, errlen) < 0) {
		if (cf->hc_target == NULL)
			snprintf(err, errlen, "no PostgreSQL URL");
		errno = EINVAL;
		return NULL;
	}
	if ((pg = calloc(1, sizeof(*pg))) == NULL ||
	    (pg->pg_target = strdup(cf->hc_target)) == NULL) {
		free(pg);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		errno = ENOMEM;
		return NULL;
	}
	pg_utf8_clean(pg->pg_agent, cf->hc_agent != NULL ? cf->hc_agent : "",
	    sizeof(pg->pg_agent));
	if (cf->hc_password_file != NULL &&
	    pg_read_password(cf->hc_password_file, pg->pg_password,
	    sizeof(pg->pg_password), err, errlen) < 0) {
		pg_close(pg);
		errno = EINVAL;
		return NULL;
	}
	if (pg_connect(pg, err, errlen) < 0) {
		pg_close(pg);
		errno = ECONNREFUSED;	/* tried again later */
		return NULL;
	}
	if (pg_schema(pg, err, errlen) < 0) {
		int saved = errno;

		pg_close(pg);
		errno = saved;
		return NULL;
	}
	return pg;
}

static void
pg_close(void *arg)
{
	struct histdb_pg	*pg = arg;

	if (pg == NULL)
		return;
	if (pg->pg_conn != NULL)
		PQfinish(pg->pg_conn);
	explicit_bzero(pg->pg_password, sizeof(pg->pg_password));
	free(pg->pg_buf.pb_data);
	free(pg->pg_hosts);
	free(pg->pg_target);
	free(pg);
}

/* Sends pb as the data of a COPY ... FROM STDIN (sql): 0 or -1. */
static int
pg_copy(struct histdb_pg *pg, const char *sql, const struct pg_buf *pb,
    char *err, size_t errlen)
{
	PGresult	*res;
	size_t		 at, n;
	int		 rc = 0;

	if (pb->pb_failed)
		return errbuf_set(err, errlen, "%s", strerror(ENOMEM));
	res = PQexec(pg->pg_conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		pg_error(pg, "copy", res, err, errlen);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	for (at = 0; at < pb->pb_len && rc == 0; at += n) {
		n = pb->pb_len - at < PG_COPY_CHUNK ? pb->pb_len - at :
		    PG_COPY_CHUNK;
		if (PQputCopyData(pg->pg_conn, pb->pb_data + at, (int)n) != 1)
			rc = -1;
	}
	if (PQputCopyEnd(pg->pg_conn, rc == 0 ? NULL : "send failed") != 1)
		rc = -1;
	/* Every result up to the NULL that ends the command. */
	while ((res = PQgetResult(pg->pg_conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0) {
			pg_error(pg, "copy", res, err, errlen);
			rc = -1;
		} else if (rc < 0 && *err == '\0')
			pg_error(pg, "copy", res, err, errlen);
		PQclear(res);
	}
	if (rc < 0 && *err == '\0')
		pg_error(pg, "copy", NULL, err, errlen);
	return rc;
}

static void
pg_put_window_rows(struct pg_buf *pb, const char *agent,
    const struct histdb_batch *b)
{
	size_t	i;

	for (i = 0; i < b->hb_nwindows; i++) {
		const struct histdb_window_row *r = &b->hb_windows[i];

		pg_put_text(pb, agent);
		pg_put_i64(pb, b->hb_start_s);
		pg_put_text(pb, r->wr_source);
		pg_put_u64(pb, b->hb_length_s);
		pg_put_u64(pb, r->wr_octets_in);
		pg_put_u64(pb, r->wr_octets_out);
		pg_put_u64(pb, r->wr_packets_in);
		pg_put_u64(pb, r->wr_packets_out);
		pg_put_u64(pb, r->wr_sessions);
		pg_put_u64(pb, r->wr_local_octets);
		pg_put_u64(pb, r->wr_drops);
		if (r->wr_rtt_us < 0)
			pg_put_null(pb);
		else
			pg_put_i64(pb, r->wr_rtt_us);
		pg_end_row(pb);
	}
}

static void
pg_put_service_rows(struct pg_buf *pb, const char *agent,
    const struct histdb_batch *b)
{
	size_t	i;

	for (i = 0; i < b->hb_nservices; i++) {
		const struct histdb_service_row *r = &b->hb_services[i];

		pg_put_text(pb, agent);
		pg_put_i64(pb, b->hb_start_s);
		pg_put_text(pb, r->sr_service);
		pg_put_u64(pb, r->sr_octets_in);
		pg_put_u64(pb, r->sr_octets_out);
		pg_put_u64(pb, r->sr_packets_in);
		pg_put_u64(pb, r->sr_packets_out);
		pg_end_row(pb);
	}
}

static void
pg_put_session_rows(struct pg_buf *pb, const char *agent,
    const struct histdb_batch *b)
{
	size_t	i;

	for (i = 0; i < b->hb_nsessions; i++) {
		const struct histdb_session_row *r = &b->hb_sessions[i];

		pg_put_text(pb, agent);
		pg_put_i64(pb, b->hb_start_s);
		pg_put_u64(pb, r->ss_rank);
		pg_put_u64(pb, r->ss_proto);
		pg_put_text(pb, r->ss_local);
		pg_put_text(pb, r->ss_remote);
		pg_put_u64(pb, r->ss_port);
		pg_put_text(pb, r->ss_service);
		pg_put_u64(pb, r->ss_octets_in);
		pg_put_u64(pb, r->ss_octets_out);
		pg_put_u64(pb, r->ss_packets_in);
		pg_put_u64(pb, r->ss_packets_out);
		pg_end_row(pb);
	}
}

static int
pg_host_cmp(const void *a, const void *b)
{
	const struct pg_host	*x = a, *y = b;
	int			 c = strcmp(x->ph_addr, y->ph_addr);

	return c != 0 ? c : strcmp(x->ph_service, y->ph_service);
}

static void
pg_put_host(struct pg_buf *pb, const struct pg_host *h,
    const struct histdb_host_row *sum, const char *name)
{
	pg_put_text(pb, h->ph_addr);
	pg_put_text(pb, h->ph_service);
	pg_put_u64(pb, sum->hr_octets_in);
	pg_put_u64(pb, sum->hr_octets_out);
	pg_put_u64(pb, sum->hr_packets_in);
	pg_put_u64(pb, sum->hr_packets_out);
	pg_put_i64(pb, sum->hr_first_s);
	pg_put_i64(pb, sum->hr_last_s);
	if (name == NULL || *name == '\0')
		pg_put_null(pb);
	else
		pg_put_text(pb, name);
	pg_end_row(pb);
}

/*
 * The host rows sorted by their key as written and added up, one row a
 * key: the statements that merge them into day_hosts may touch a row
 * only once, and rows in the order of the indexes touch fewer pages.
 * Done here, where it costs a qsort, rather than by the server's sort
 * and aggregate (a third of its time on 100,000 hosts).  0, or -1 out
 * of memory.
 */
static int
pg_put_host_rows(struct histdb_pg *pg, struct pg_buf *pb,
    const struct histdb_batch *b)
{
	struct histdb_host_row	 sum;
	struct pg_host		*h;
	const char		*name;
	size_t			 i, n = b->hb_nhosts;

	if (n > pg->pg_hosts_cap) {
		if ((h = realloc(pg->pg_hosts, n * sizeof(*h))) == NULL)
			return -1;
		pg->pg_hosts = h;
		pg->pg_hosts_cap = n;
	}
	h = pg->pg_hosts;
	for (i = 0; i < n; i++) {
		pg_utf8_clean(h[i].ph_addr, b->hb_hosts[i].hr_addr,
		    sizeof(h[i].ph_addr));
		pg_utf8_clean(h[i].ph_service, b->hb_hosts[i].hr_service,
		    sizeof(h[i].ph_service));
		h[i].ph_row = &b->hb_hosts[i];
	}
	qsort(h, n, sizeof(*h), pg_host_cmp);
	for (i = 0; i < n; i++) {
		if (i == 0 || pg_host_cmp(&h[i - 1], &h[i]) != 0) {
			if (i > 0)
				pg_put_host(pb, &h[i - 1], &sum, name);
			sum = *h[i].ph_row;
			name = h[i].ph_row->hr_name;
			continue;
		}
		sum.hr_octets_in += h[i].ph_row->hr_octets_in;
		sum.hr_octets_out += h[i].ph_row->hr_octets_out;
		sum.hr_packets_in += h[i].ph_row->hr_packets_in;
		sum.hr_packets_out += h[i].ph_row->hr_packets_out;
		if (h[i].ph_row->hr_first_s < sum.hr_first_s)
			sum.hr_first_s = h[i].ph_row->hr_first_s;
		if (h[i].ph_row->hr_last_s > sum.hr_last_s)
			sum.hr_last_s = h[i].ph_row->hr_last_s;
		if (name == NULL || *name == '\0')
			name = h[i].ph_row->hr_name;
	}
	if (n > 0)
		pg_put_host(pb, &h[n - 1], &sum, name);
	return 0;
}

static void
pg_put_probe_rows(struct pg_buf *pb, const char *agent,
    const struct histdb_batch *b)
{
	size_t	i;

	for (i = 0; i < b->hb_nprobes; i++) {
		const struct histdb_probe *r = &b->hb_probes[i];

		pg_put_text(pb, agent);
		pg_put_i64(pb, b->hb_start_s);
		pg_put_text(pb, r->hp_name);
		pg_put_text(pb, r->hp_addr);
		pg_put_u64(pb, r->hp_sent);
		pg_put_u64(pb, r->hp_answered);
		if (r->hp_answered == 0) {
			pg_put_null(pb);
			pg_put_null(pb);
			pg_put_null(pb);
		} else {
			pg_put_u64(pb, r->hp_rtt_min_us);
			pg_put_u64(pb, r->hp_rtt_mean_us);
			pg_put_u64(pb, r->hp_rtt_max_us);
		}
		pg_end_row(pb);
	}
}

static void
pg_put_process_rows(struct pg_buf *pb, const char *agent,
    const struct histdb_batch *b)
{
	size_t	i;

	for (i = 0; i < b->hb_nprocs; i++) {
		const struct histdb_process *r = &b->hb_procs[i];
		char	name[sizeof(r->hq_name)], unit[sizeof(r->hq_unit)];

		/* Command names are any bytes; the database wants UTF-8. */
		pg_utf8_clean(name, r->hq_name, sizeof(name));
		pg_utf8_clean(unit, r->hq_unit, sizeof(unit));
		pg_put_text(pb, agent);
		pg_put_i64(pb, b->hb_start_s);
		pg_put_u64(pb, r->hq_pid);
		pg_put_text(pb, name);
		pg_put_text(pb, unit);
		pg_put_u64(pb, r->hq_conns);
		pg_put_u64(pb, r->hq_octets_in);
		pg_put_u64(pb, r->hq_octets_out);
		pg_end_row(pb);
	}
}

/* Whether the batch's window is in the database already: 1, 0, or -1.
 * By its first source's row; a batch without one by any row of its
 * start. */
static int
pg_already_there(struct histdb_pg *pg, const struct histdb_batch *b,
    char *err, size_t errlen)
{
	char		 start[24], source[HISTDB_NAME_MAX];
	const char	*params[3] = { pg->pg_batch_agent, start, source };
	const char	*sql;
	PGresult	*res;
	int		 rc, n = 3;

	snprintf(start, sizeof(start), "%lld", (long long)b->hb_start_s);
	if (b->hb_nwindows > 0) {
		pg_utf8_clean(source, b->hb_windows[0].wr_source,
		    sizeof(source));
		sql = "SELECT 1 FROM windows WHERE agent = $1 AND start = $2 "
		    "AND (source = $3 OR $3 = '" HISTDB_IMPORT_SOURCE "') "
		    "LIMIT 1";
	} else {
		sql = "SELECT 1 WHERE EXISTS (SELECT 1 FROM window_services "
		    "WHERE agent = $1 AND start = $2) OR EXISTS (SELECT 1 FROM "
		    "window_sessions WHERE agent = $1 AND start = $2) OR "
		    "EXISTS (SELECT 1 FROM window_probes WHERE agent = $1 AND "
		    "start = $2)";
		n = 2;
	}
	if ((res = pg_run(pg, "already there?", sql, n, params, err,
	    errlen)) == NULL)
		return -1;
	rc = PQntuples(res) > 0;
	PQclear(res);
	return rc;
}

/* Every row set of b, by COPY, inside the open transaction. */
static int
pg_copy_rows(struct histdb_pg *pg, const struct histdb_batch *b, char *err,
    size_t errlen)
{
	struct pg_buf	*pb = &pg->pg_buf;
	char		 day[16];
	const char	*params[2] = { pg->pg_batch_agent, day };

#define PG_COPY(cond, fill, sql) do {					\
	if (cond) {							\
		pb->pb_len = 0;						\
		fill;							\
		if (pg_copy(pg, sql, pb, err, errlen) < 0)		\
			return -1;					\
	}								\
} while (0)
	PG_COPY(b->hb_nwindows > 0, pg_put_window_rows(pb, pg->pg_batch_agent, b),
	    "COPY windows (agent, start, source, length, octets_in, "
	    "octets_out, packets_in, packets_out, sessions, local_octets, "
	    "drops, rtt_us) FROM STDIN");
	PG_COPY(b->hb_nservices > 0, pg_put_service_rows(pb, pg->pg_batch_agent, b),
	    "COPY window_services (agent, start, service, octets_in, "
	    "octets_out, packets_in, packets_out) FROM STDIN");
	PG_COPY(b->hb_nsessions > 0, pg_put_session_rows(pb, pg->pg_batch_agent, b),
	    "COPY window_sessions (agent, start, rank, proto, local_addr, "
	    "remote_addr, port, service, octets_in, octets_out, packets_in, "
	    "packets_out) FROM STDIN");
	PG_COPY(b->hb_nprobes > 0, pg_put_probe_rows(pb, pg->pg_batch_agent, b),
	    "COPY window_probes (agent, start, probe, addr, sent, answered, "
	    "rtt_min_us, rtt_mean_us, rtt_max_us) FROM STDIN");
	PG_COPY(b->hb_nprocs > 0, pg_put_process_rows(pb, pg->pg_batch_agent, b),
	    "COPY window_processes (agent, start, pid, name, unit, conns, "
	    "octets_in, octets_out) FROM STDIN");
	PG_COPY(b->hb_nhosts > 0, pb->pb_failed |=
	    pg_put_host_rows(pg, pb, b) < 0, "COPY histdb_hosts_in FROM STDIN");
#undef PG_COPY
	if (b->hb_nhosts == 0)
		return 0;
	/*
	 * Into day_hosts, added up: the hosts already there that day by one
	 * join, then the new ones.  Faster than INSERT ... ON CONFLICT DO
	 * UPDATE, which probes the key row by row (0.5 s against 0.3 s for
	 * 100,000 hosts seen before).  A coremond is its agent's only writer,
	 * so no other transaction adds that agent's rows in between (and if
	 * one did, the key would refuse it and the window come again).
	 */
	snprintf(day, sizeof(day), "%u", (unsigned int)b->hb_day);
	if (pg_exec_params(pg, "day_hosts",
	    "UPDATE day_hosts d SET "
	    "octets_in = d.octets_in + t.octets_in, "
	    "octets_out = d.octets_out + t.octets_out, "
	    "packets_in = d.packets_in + t.packets_in, "
	    "packets_out = d.packets_out + t.packets_out, "
	    "first_seen = least(d.first_seen, t.first_seen), "
	    "last_seen = greatest(d.last_seen, t.last_seen), "
	    "name = coalesce(t.name, d.name) "
	    "FROM histdb_hosts_in t WHERE d.agent = $1 AND "
	    "d.day = $2::integer AND d.addr = t.addr AND "
	    "d.service = t.service", 2, params, err, errlen) < 0 ||
	    pg_exec_params(pg, "day_hosts",
	    "INSERT INTO day_hosts (agent, day, addr, service, octets_in, "
	    "octets_out, packets_in, packets_out, first_seen, last_seen, "
	    "name) SELECT $1, $2::integer, addr, service, octets_in, "
	    "octets_out, packets_in, packets_out, first_seen, last_seen, "
	    "name FROM histdb_hosts_in t WHERE NOT EXISTS (SELECT 1 FROM "
	    "day_hosts d WHERE d.agent = $1 AND d.day = $2::integer AND "
	    "d.addr = t.addr AND d.service = t.service)", 2, params, err,
	    errlen) < 0)
		return -1;
	return 0;
}

/*
 * Opens a transaction, connecting first when the connection is known to
 * be lost.  One found dead only now (the server restarted since the last
 * call) is made again at once, so that a restart costs no window.  0, or
 * -1 with the reason.
 */
static int
pg_begin(struct histdb_pg *pg, char *err, size_t errlen)
{
	*err = '\0';
	if (PQstatus(pg->pg_conn) != CONNECTION_OK &&
	    pg_connect(pg, err, errlen) < 0)
		return -1;
	if (pg_session(pg, err, errlen) == 0 &&
	    pg_exec(pg, "begin", "BEGIN", err, errlen) == 0)
		return 0;
	if (PQstatus(pg->pg_conn) == CONNECTION_OK) {
		pg_rollback(pg);
		return -1;
	}
	if (pg_connect(pg, err, errlen) < 0 || pg_session(pg, err, errlen) < 0 ||
	    pg_exec(pg, "begin", "BEGIN", err, errlen) < 0) {
		pg_rollback(pg);
		return -1;
	}
	return 0;
}

/*
 * Whether the last error was the server refusing the batch's own rows,
 * by its SQLSTATE class (PostgreSQL's errcodes appendix): 22 a value it
 * will not take, 23 a constraint, P0 a trigger's RAISE, 54 a row past a
 * limit.  Not a lost connection, a full disk (53), a shutdown (57), a
 * deadlock (40) or missing rights (42): those pass, or hold for every
 * batch alike.
 */
static int
pg_refused(const struct histdb_pg *pg)
{
	static const char *const classes[] = { "22", "23", "P0", "54" };
	size_t	i;

	if (PQstatus(pg->pg_conn) != CONNECTION_OK)
		return 0;
	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (strncmp(pg->pg_sqlstate, classes[i], 2) == 0)
			return 1;
	return 0;
}

static int
pg_write(void *arg, const struct histdb_batch *b, char *err, size_t errlen)
{
	struct histdb_pg	*pg = arg;
	int			 there, refused;

	/* Rows are the batch's agent's: a window spooled before historyAgent
	 * changed is still the old name's. */
	pg_utf8_clean(pg->pg_batch_agent, b->hb_agent[0] != '\0' ?
	    b->hb_agent : pg->pg_agent, sizeof(pg->pg_batch_agent));
	pg->pg_sqlstate[0] = '\0';
	if (pg_begin(pg, err, errlen) < 0)
		return -1;
	if ((there = pg_already_there(pg, b, err, errlen)) < 0)
		goto fail;
	if (there) {
		pg_rollback(pg);
		return 0;
	}
	if (pg_copy_rows(pg, b, err, errlen) < 0 ||
	    pg_exec(pg, "commit", "COMMIT", err, errlen) < 0)
		goto fail;
	return 1;
fail:
	refused = pg_refused(pg);
	pg_rollback(pg);
	return refused ? HISTDB_WRITE_REFUSED : -1;
}

static long
pg_expire(void *arg, int64_t before_s, uint32_t before_day,
    unsigned int limit, char *err, size_t errlen)
{
	struct histdb_pg	*pg = arg;
	char			 before[24], day[16], lim[16];
	const char		*params[3] = { pg->pg_agent, before, lim };
	PGresult		*res;
	long			 n = 0;

	if (pg_begin(pg, err, errlen) < 0)
		return -1;
	snprintf(before, sizeof(before), "%lld", (long long)before_s);
	snprintf(day, sizeof(day), "%u", (unsigned int)before_day);
	snprintf(lim, sizeof(lim), "%u", limit);
	/* The oldest windows of this agent with all their rows, in one
	 * statement (each data-modifying WITH runs once, in one snapshot). */
	res = pg_run(pg, "expire windows",
	    "WITH w AS (SELECT DISTINCT start FROM windows WHERE agent = $1 "
	    "AND start < $2::bigint ORDER BY start LIMIT $3::integer), "
	    "s AS (DELETE FROM window_services t USING w WHERE t.agent = $1 "
	    "AND t.start = w.start), "
	    "e AS (DELETE FROM window_sessions t USING w WHERE t.agent = $1 "
	    "AND t.start = w.start), "
	    "p AS (DELETE FROM window_probes t USING w WHERE t.agent = $1 "
	    "AND t.start = w.start), "
	    "q AS (DELETE FROM window_processes t USING w WHERE t.agent = $1 "
	    "AND t.start = w.start), "
	    "d AS (DELETE FROM windows t USING w WHERE t.agent = $1 "
	    "AND t.start = w.start) "
	    "SELECT count(*) FROM w", 3, params, err, errlen);
	if (res == NULL)
		goto fail;
	n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	params[1] = day;
	res = pg_run(pg, "expire day_hosts",
	    "DELETE FROM day_hosts WHERE ctid = ANY (ARRAY(SELECT ctid FROM "
	    "day_hosts WHERE agent = $1 AND day < $2::integer LIMIT "
	    "$3::integer))", 3, params, err, errlen);
	if (res == NULL)
		goto fail;
	n += strtol(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	if (pg_exec(pg, "commit", "COMMIT", err, errlen) < 0)
		goto fail;
	return n;
fail:
	pg_rollback(pg);
	return -1;
}

const struct histdb_backend histdb_pg = {
	.hk_name = "postgresql",
	.hk_open = pg_open,
	.hk_write = pg_write,
	.hk_expire = pg_expire,
	.hk_close = pg_close,
};
