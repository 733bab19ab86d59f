/*
 * tsnmp: coremon-top's side of SNMP.  One net-snmp single session to the
 * agent, GET for scalars, GETBULK over several columns of a table at once
 * (rows come back side by side, as snmptable reads them).  The only file
 * of top/ that sees net-snmp's headers besides the option parsing.
 */
#ifndef TSNMP_H
#define TSNMP_H

#include <stddef.h>
#include <stdint.h>

#define TSNMP_OID_MAX	40	/* sub-identifiers of an index (cmConnTable: 38) */
#define TSNMP_COLS_MAX	12	/* columns of one walk */
#define TSNMP_STR_MAX	256	/* octets of a string value kept */

/* One value: numbers of any width in tv_num, strings and addresses in
 * tv_str (tv_len octets, NUL added).  tv_set is 0 for a missing cell. */
struct tsnmp_value {
	int		tv_set;
	int		tv_type;	/* ASN_* */
	uint64_t	tv_num;
	size_t		tv_len;
	char		*tv_str;	/* owned by the row; NULL for numbers */
};

struct tsnmp_row {
	unsigned long	tr_index[TSNMP_OID_MAX];
	size_t		tr_indexlen;
	struct tsnmp_value tr_val[TSNMP_COLS_MAX];
};

/* Rows in the agent's order; owns every string (tsnmp_table_clear). */
struct tsnmp_table {
	struct tsnmp_row *tt_rows;
	size_t		tt_count, tt_cap;
};

struct tsnmp_options {
	const char	*to_peer;	/* AGENT[:PORT] */
	const char	*to_version;	/* "1", "2c", "3" */
	const char	*to_community;
	const char	*to_user, *to_level, *to_auth_proto, *to_auth_pass;
	const char	*to_priv_proto, *to_priv_pass;
	double		to_timeout;	/* seconds */
	int		to_retries;
};

struct tsnmp;

/* Checks the options (protocols, levels); NULL with a reason in err. */
struct tsnmp	*tsnmp_new(const struct tsnmp_options *, char *err, size_t);
void		 tsnmp_free(struct tsnmp *);
/* Drops the session so the next request opens a new one (after the agent
 * stopped answering: an SNMPv3 agent may come back with a new engine). */
void		 tsnmp_reset(struct tsnmp *);

/* GET of n scalars; values[i] unset for noSuchObject. 0 or -1 + err. */
int	tsnmp_get(struct tsnmp *, const unsigned long *const *oids,
	    const size_t *oidlens, size_t n, struct tsnmp_value *values,
	    char *err, size_t errlen);

/* Whether a row read by a walk is kept (arg is the walk's): 1 kept, 0
 * dropped, -1 dropped and the walk ends (past a prefix). */
typedef int (*tsnmp_keep_fn)(const struct tsnmp_row *, void *arg);

/* GETBULK walk of columns cols[0..ncols) of the table whose entry OID is
 * entry, rows after the index after/afterlen (NULL: from the first), at
 * most max_rows read; appended to t when keep (NULL: all) keeps them.
 * Rows are keyed by the first column.  0 or -1 + err (t then holds the
 * rows read so far). */
int	tsnmp_walk(struct tsnmp *, const unsigned long *entry, size_t entrylen,
	    const int *cols, size_t ncols, const unsigned long *after,
	    size_t afterlen, size_t max_rows, tsnmp_keep_fn keep, void *arg,
	    struct tsnmp_table *t, char *err, size_t errlen);

void	tsnmp_value_clear(struct tsnmp_value *);
void	tsnmp_table_clear(struct tsnmp_table *);

#endif
