/*
 * rdb: the history database read through one call, rdb_each(), over
 * SQLite (a file, opened read-only) or PostgreSQL (libpq).  The
 * queries are the same text in both: $N parameters, which SQLite also
 * reads (as named parameters "$1"), and only portable SQL.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "lib/errbuf.h"
#include "report.h"

struct rdb {
	sqlite3		*rd_sqlite;
	PGconn		*rd_pg;
};

static int
rdb_is_pg(const char *spec)
{
	return strncmp(spec, "postgresql://", 13) == 0 ||
	    strncmp(spec, "postgres://", 11) == 0 || strchr(spec, '=') != NULL;
}

struct rdb *
rdb_open(const char *spec, char *err, size_t errlen)
{
	struct rdb	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL) {
		errbuf_set(err, errlen, "out of memory");
		return NULL;
	}
	if (rdb_is_pg(spec)) {
		db->rd_pg = PQconnectdb(spec);
		if (db->rd_pg == NULL || PQstatus(db->rd_pg) != CONNECTION_OK) {
			errbuf_set(err, errlen, "postgresql: %s",
			    db->rd_pg ? PQerrorMessage(db->rd_pg) : "no memory");
			goto fail;
		}
		/* a report reads a consistent picture while coremond writes */
		PQclear(PQexec(db->rd_pg, "SET default_transaction_read_only = on"));
		return db;
	}
	/* read-only: the report never changes the history */
	if (sqlite3_open_v2(spec, &db->rd_sqlite, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		errbuf_set(err, errlen, "%s: %s", spec,
		    db->rd_sqlite ? sqlite3_errmsg(db->rd_sqlite) : "no memory");
		goto fail;
	}
	/* coremond's writer holds the lock for a window's transaction */
	sqlite3_busy_timeout(db->rd_sqlite, 10000);
	return db;
fail:
	rdb_close(db);
	return NULL;
}

void
rdb_close(struct rdb *db)
{
	if (db == NULL)
		return;
	if (db->rd_sqlite != NULL)
		sqlite3_close(db->rd_sqlite);
	if (db->rd_pg != NULL)
		PQfinish(db->rd_pg);
	free(db);
}

const char *
rdb_kind(const struct rdb *db)
{
	return db->rd_pg != NULL ? "PostgreSQL" : "SQLite";
}

/* A parameter that is all digits binds as an integer: SQLite compares
 * an expression's integer with a text value as "less", never equal. */
static int
rdb_bind(sqlite3_stmt *st, int i, const char *v)
{
	char		 name[16];
	const char	*p = v;
	int		 idx;

	snprintf(name, sizeof(name), "$%d", i + 1);
	if ((idx = sqlite3_bind_parameter_index(st, name)) == 0)
		return SQLITE_OK;		/* not used by the text */
	if (*p == '-')
		p++;
	if (*p != '\0' && strspn(p, "0123456789") == strlen(p) &&
	    strlen(p) < 19)
		return sqlite3_bind_int64(st, idx, strtoll(v, NULL, 10));
	return sqlite3_bind_text(st, idx, v, -1, SQLITE_STATIC);
}

static int
rdb_each_sqlite(struct rdb *db, const struct rq *q, rdb_row_fn fn, void *arg,
    char *err, size_t errlen)
{
	sqlite3_stmt	*st = NULL;
	const char	*val[64];
	int		 i, n, rc;

	if (sqlite3_prepare_v2(db->rd_sqlite, q->q_sql, -1, &st, NULL) !=
	    SQLITE_OK) {
		errbuf_set(err, errlen, "sqlite: %s", sqlite3_errmsg(db->rd_sqlite));
		goto fail;
	}
	for (i = 0; i < q->q_np; i++)
		if (rdb_bind(st, i, q->q_pv[i]) != SQLITE_OK) {
			errbuf_set(err, errlen, "sqlite: bind: %s",
			    sqlite3_errmsg(db->rd_sqlite));
			goto fail;
		}
	if ((n = sqlite3_column_count(st)) > 64) {
		errbuf_set(err, errlen, "query has %d columns", n);
		goto fail;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < n; i++)
			val[i] = (const char *)sqlite3_column_text(st, i);
		if (fn(arg, n, val) == -1) {
			errbuf_set(err, errlen, "a row was refused");
			goto fail;
		}
	}
	if (rc != SQLITE_DONE) {
		errbuf_set(err, errlen, "sqlite: %s", sqlite3_errmsg(db->rd_sqlite));
		goto fail;
	}
	sqlite3_finalize(st);
	return 0;
fail:
	sqlite3_finalize(st);
	return -1;
}

/* Row by row (single-row mode): a month of hosts never sits in memory
 * twice. */
static int
rdb_each_pg(struct rdb *db, const struct rq *q, rdb_row_fn fn, void *arg,
    char *err, size_t errlen)
{
	const char	*pv[RQ_MAXP], *val[64];
	PGresult	*res;
	int		 i, n, failed = 0;

	for (i = 0; i < q->q_np; i++)
		pv[i] = q->q_pv[i];
	if (!PQsendQueryParams(db->rd_pg, q->q_sql, q->q_np, NULL, pv, NULL,
	    NULL, 0) || !PQsetSingleRowMode(db->rd_pg))
		return errbuf_set(err, errlen, "postgresql: %s",
		    PQerrorMessage(db->rd_pg));
	while ((res = PQgetResult(db->rd_pg)) != NULL) {
		ExecStatusType s = PQresultStatus(res);

		if (s == PGRES_SINGLE_TUPLE && !failed) {
			n = PQnfields(res);
			if (n > 64)
				n = 64;
			for (i = 0; i < n; i++)
				val[i] = PQgetisnull(res, 0, i) ? NULL :
				    PQgetvalue(res, 0, i);
			if (fn(arg, n, val) == -1) {
				errbuf_set(err, errlen, "a row was refused");
				failed = 1;
			}
		} else if (s != PGRES_SINGLE_TUPLE && s != PGRES_TUPLES_OK &&
		    !failed) {
			errbuf_set(err, errlen, "postgresql: %s",
			    PQresultErrorMessage(res));
			failed = 1;
		}
		PQclear(res);	/* every result read, so the link is free */
	}
	return failed ? -1 : 0;
}

int
rdb_each(struct rdb *db, const struct rq *q, rdb_row_fn fn, void *arg,
    char *err, size_t errlen)
{
	if (q->q_overflow)
		return errbuf_set(err, errlen, "query too long: %.60s", q->q_sql);
	if (db->rd_pg != NULL)
		return rdb_each_pg(db, q, fn, arg, err, errlen);
	return rdb_each_sqlite(db, q, fn, arg, err, errlen);
}

void
rq_init(struct rq *q)
{
	q->q_len = 0;
	q->q_np = 0;
	q->q_overflow = 0;
	q->q_sql[0] = '\0';
}

void
rq_add(struct rq *q, const char *fmt, ...)
{
	va_list		ap;
	int		n;

	va_start(ap, fmt);
	n = vsnprintf(q->q_sql + q->q_len, sizeof(q->q_sql) - q->q_len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(q->q_sql) - q->q_len) {
		q->q_overflow = 1;
		q->q_sql[q->q_len] = '\0';
		return;
	}
	q->q_len += (size_t)n;
}

void
rq_text(struct rq *q, const char *v)
{
	if (q->q_np >= RQ_MAXP || strlen(v) >= RQ_PARAM_LEN) {
		q->q_overflow = 1;
		return;
	}
	strcpy(q->q_pv[q->q_np], v);
	q->q_np++;
	rq_add(q, "$%d", q->q_np);
}

void
rq_int(struct rq *q, int64_t v)
{
	char	buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	rq_text(q, buf);
}

void
rq_agents(struct rq *q, const struct report *r, const char *col)
{
	int	i;

	if (r->r_nagents == 0)
		return;
	rq_add(q, " AND %s IN (", col);
	for (i = 0; i < r->r_nagents; i++) {
		if (i > 0)
			rq_add(q, ", ");
		rq_text(q, r->r_agents[i]);
	}
	rq_add(q, ")");
}

int64_t
rdb_int(const char *v)
{
	/* PostgreSQL's sum(bigint) is numeric: "123", no decimals */
	return v == NULL ? 0 : strtoll(v, NULL, 10);
}

double
rdb_double(const char *v)
{
	return v == NULL ? 0 : strtod(v, NULL);
}
