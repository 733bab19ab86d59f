/*
 * mibtable: one way to serve read-only MIB data from prepared rows.
 *
 * A table is rows sorted by their index; the provider tells how many rows
 * there are, writes the index OID of row i, and fills the value of (row,
 * column).  GET is a binary search, GETNEXT a binary search plus a step, so
 * a GETBULK walk of n rows costs O(n log n) with no per-request sorting and
 * no table_iterator.  A scalar group is the same thing: one row whose index
 * is ".0", whose columns are the scalars' sub-identifiers.
 *
 * Handlers only read what the sampler or a snapshot already prepared; they
 * never do I/O.
 */
#ifndef MIBTABLE_H
#define MIBTABLE_H

#include <stddef.h>
#include <stdint.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#define MT_INDEX_MAX	48	/* longest index suffix, in sub-identifiers */

struct mt_value {
	u_char		 mv_type;	/* ASN_COUNTER64, ASN_GAUGE, ... */
	uint64_t	 mv_num;	/* every integer type */
	const void	*mv_str;	/* ASN_OCTET_STR: points into the row */
	size_t		 mv_len;
	u_char		 mv_buf[16];	/* for short strings built on the fly */
};

struct mt_table {
	const char	*mt_name;
	const oid	*mt_entry;	/* ...Entry, or the scalar group */
	size_t		 mt_entry_len;
	unsigned	 mt_mincol, mt_maxcol;
	void		*mt_arg;	/* passed to the callbacks */

	/* Number of rows now. */
	size_t	(*mt_count)(void *arg);
	/* Writes row i's index to idx; returns its length (<= MT_INDEX_MAX). */
	size_t	(*mt_index)(void *arg, size_t i, oid *idx);
	/* Fills (row i, column col); 0, or -1 when that cell does not exist. */
	int	(*mt_value)(void *arg, size_t i, unsigned col,
		    struct mt_value *);
	/* Optional: called around each request, e.g. to hold one snapshot
	 * for all of its varbinds. */
	void	(*mt_begin)(void *arg);
	void	(*mt_end)(void *arg);
	/* Optional: a number that changes whenever the rows change.  With
	 * it, a GETNEXT that continues where the last one stopped (a walk)
	 * costs no search at all. */
	uint64_t (*mt_version)(void *arg);

	/* Private: where the last GETNEXT answered. */
	oid		 mt_last[MAX_OID_LEN];
	size_t		 mt_last_len;
	uint64_t	 mt_last_version;
	unsigned	 mt_last_col;
	size_t		 mt_last_row;
};

/* Registers n tables (or scalar groups) with the agent; 0, or -1 after
 * logging which failed.  The tables must outlive the agent. */
int	mibtable_register(struct mt_table *const *tables, size_t n);
#define MIBTABLE_COUNT(a)	(sizeof(a) / sizeof((a)[0]))

/* Appends (row i, column col) of a table to a varbind list, with its
 * full OID, as the table would answer it: how notifications carry the
 * objects they name.  Call between mt_begin and mt_end.  0 or -1. */
int	mibtable_varbind(struct mt_table *, size_t row, unsigned col,
	    netsnmp_variable_list **list);
void	mibtable_begin(struct mt_table *);
void	mibtable_end(struct mt_table *);

/* Scalar groups: a single row with index .0. */
size_t	mibtable_scalar_count(void *arg);
size_t	mibtable_scalar_index(void *arg, size_t i, oid *idx);

/* Writes an InetAddressType + InetAddress index part (RFC 4001: the
 * address as a length-prefixed string); returns the sub-ids written. */
size_t	mt_index_inet(oid *idx, int ipv6, const uint8_t *addr);

/* Value setters. */
void	mt_counter64(struct mt_value *, uint64_t);
void	mt_gauge(struct mt_value *, uint64_t);	/* clamped to 2^32-1 */
void	mt_counter32(struct mt_value *, uint64_t);	/* mod 2^32 */
void	mt_integer(struct mt_value *, long);
void	mt_unsigned(struct mt_value *, uint64_t);	/* clamped */
void	mt_string(struct mt_value *, const void *, size_t);
void	mt_truth(struct mt_value *, int);
void	mt_dateandtime(struct mt_value *, time_t);	/* UTC, 11 octets */
void	mt_inet_type(struct mt_value *, int ipv6);	/* ipv4(1), ipv6(2) */

#endif
