/*
 * mibtable: GET and GETNEXT over sorted rows; see mibtable.h.
 */
#include <string.h>
#include <time.h>

#include "mibtable.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>

/* Index of the first row whose index is >= (or > when strict) idx. */
static size_t
mt_lower_bound(struct mt_table *t, const oid *idx, size_t idxlen, int strict)
{
	size_t lo = 0, hi = t->mt_count(t->mt_arg);
	oid row[MT_INDEX_MAX];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		size_t len = t->mt_index(t->mt_arg, mid, row);
		int c = snmp_oid_compare(row, len, idx, idxlen);

		if (c < 0 || (strict && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
mt_set_var(netsnmp_variable_list *vb, const struct mt_value *v)
{
	struct counter64 c64;
	u_long ul;
	long l;

	switch (v->mv_type) {
	case ASN_COUNTER64:
		c64.high = (u_long)(v->mv_num >> 32);
		c64.low = (u_long)(v->mv_num & 0xffffffffu);
		return snmp_set_var_typed_value(vb, ASN_COUNTER64, &c64,
		    sizeof(c64));
	case ASN_INTEGER:
		l = (long)v->mv_num;
		return snmp_set_var_typed_value(vb, ASN_INTEGER, &l, sizeof(l));
	case ASN_OCTET_STR:
		return snmp_set_var_typed_value(vb, ASN_OCTET_STR, v->mv_str,
		    v->mv_len);
	default:	/* Gauge32, Counter32, Unsigned32, TimeTicks */
		ul = (u_long)v->mv_num;
		return snmp_set_var_typed_value(vb, v->mv_type, &ul, sizeof(ul));
	}
}

/* Answers a GET: entry.col.index must name an existing cell. */
static void
mt_get(struct mt_table *t, netsnmp_request_info *req)
{
	netsnmp_variable_list *vb = req->requestvb;
	size_t elen = t->mt_entry_len;
	struct mt_value v;
	unsigned col;
	size_t i, n;

	if (vb->name_length <= elen + 1 ||
	    vb->name_length - elen - 1 > MT_INDEX_MAX)
		goto nosuch;
	col = (unsigned)vb->name[elen];
	if (col < t->mt_mincol || col > t->mt_maxcol)
		goto nosuch;
	n = t->mt_count(t->mt_arg);
	i = mt_lower_bound(t, vb->name + elen + 1, vb->name_length - elen - 1,
	    0);
	if (i < n) {
		oid row[MT_INDEX_MAX];
		size_t len = t->mt_index(t->mt_arg, i, row);

		memset(&v, 0, sizeof(v));
		if (snmp_oid_compare(row, len, vb->name + elen + 1,
		    vb->name_length - elen - 1) == 0 &&
		    t->mt_value(t->mt_arg, i, col, &v) == 0) {
			mt_set_var(vb, &v);
			return;
		}
	}
nosuch:
	netsnmp_set_request_error(NULL, req, SNMP_NOSUCHINSTANCE);
}

/* Where a GETNEXT for this OID starts: column and first row to try. */
static void
mt_next_start(struct mt_table *t, const netsnmp_variable_list *vb,
    uint64_t version, unsigned *colp, size_t *rowp)
{
	size_t elen = t->mt_entry_len;

	*colp = t->mt_mincol;
	*rowp = 0;
	if (t->mt_version != NULL && version == t->mt_last_version &&
	    vb->name_length == t->mt_last_len &&
	    memcmp(vb->name, t->mt_last, vb->name_length * sizeof(oid)) == 0) {
		*colp = t->mt_last_col;		/* a walk goes on */
		*rowp = t->mt_last_row + 1;
		return;
	}
	if (vb->name_length > elen && netsnmp_oid_is_subtree(t->mt_entry,
	    elen, vb->name, vb->name_length) == 0) {
		if (vb->name[elen] > t->mt_maxcol) {
			*colp = t->mt_maxcol + 1;	/* nothing after */
		} else if (vb->name[elen] >= t->mt_mincol) {
			*colp = (unsigned)vb->name[elen];
			*rowp = mt_lower_bound(t, vb->name + elen + 1,
			    vb->name_length - elen - 1, 1);
		}
	} else if (snmp_oid_compare(vb->name, vb->name_length, t->mt_entry,
	    elen) > 0) {
		*colp = t->mt_maxcol + 1;	/* past this table */
	}
}

/* Answers a GETNEXT: the first cell after the requested OID, column by
 * column; leaves the varbind alone when the table has nothing after it,
 * so the agent moves on to the next registration. */
static void
mt_getnext(struct mt_table *t, netsnmp_request_info *req)
{
	netsnmp_variable_list *vb = req->requestvb;
	size_t elen = t->mt_entry_len, n = t->mt_count(t->mt_arg);
	uint64_t version = t->mt_version ? t->mt_version(t->mt_arg) : 0;
	oid name[MAX_OID_LEN];
	unsigned col;
	size_t i, len;

	mt_next_start(t, vb, version, &col, &i);
	for (; col <= t->mt_maxcol; col++, i = 0) {
		for (; i < n; i++) {
			struct mt_value v;

			memset(&v, 0, sizeof(v));
			if (t->mt_value(t->mt_arg, i, col, &v) != 0)
				continue;	/* a gap among scalars */
			memcpy(name, t->mt_entry, elen * sizeof(oid));
			name[elen] = col;
			len = elen + 1 + t->mt_index(t->mt_arg, i,
			    name + elen + 1);
			snmp_set_var_objid(vb, name, len);
			mt_set_var(vb, &v);
			memcpy(t->mt_last, name, len * sizeof(oid));
			t->mt_last_len = len;
			t->mt_last_version = version;
			t->mt_last_col = col;
			t->mt_last_row = i;
			return;
		}
	}
}

/* The master resends after 1 s and drops a subagent after ~6: say so when
 * a handler comes anywhere near that. */
#define MT_SLOW_MS	50

static long
mt_elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 +
	    (now.tv_nsec - since->tv_nsec) / 1000000;
}

static int
mt_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
    netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	struct mt_table *t = handler->myvoid;
	netsnmp_request_info *req;
	struct timespec start;
	long ms;

	(void)reg;
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (t->mt_begin != NULL)
		t->mt_begin(t->mt_arg);
	for (req = requests; req != NULL; req = req->next) {
		if (req->processed)
			continue;
		switch (reqinfo->mode) {
		case MODE_GET:
			mt_get(t, req);
			break;
		case MODE_GETNEXT:
			mt_getnext(t, req);
			break;
		default:
			netsnmp_set_request_error(reqinfo, req,
			    SNMP_ERR_NOTWRITABLE);
			break;
		}
	}
	if (t->mt_end != NULL)
		t->mt_end(t->mt_arg);
	if ((ms = mt_elapsed_ms(&start)) > MT_SLOW_MS)
		snmp_log(LOG_WARNING, "%s: a request took %ld ms\n",
		    t->mt_name, ms);
	return SNMP_ERR_NOERROR;
}

static int
mt_register(struct mt_table *t)
{
	netsnmp_handler_registration *reg;
	netsnmp_mib_handler *h;

	h = netsnmp_create_handler(t->mt_name, mt_handler);
	if (h == NULL)
		return -1;
	h->myvoid = t;
	/* Register the parent of the entry: the table (or the group's
	 * parent), so every column and row falls in our range. */
	reg = netsnmp_handler_registration_create(t->mt_name, h, t->mt_entry,
	    t->mt_entry_len, HANDLER_CAN_RONLY);
	if (reg == NULL)
		return -1;
	return netsnmp_register_handler(reg) == MIB_REGISTERED_OK ? 0 : -1;
}

int
mibtable_register(struct mt_table *const *tables, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (mt_register(tables[i]) == -1) {
			snmp_log(LOG_ERR, "cannot register %s\n",
			    tables[i]->mt_name);
			return -1;
		}
	return 0;
}

size_t
mibtable_scalar_count(void *arg)
{
	(void)arg;
	return 1;
}

size_t
mibtable_scalar_index(void *arg, size_t i, oid *idx)
{
	(void)arg;
	(void)i;
	idx[0] = 0;
	return 1;
}

void
mt_counter64(struct mt_value *v, uint64_t n)
{
	v->mv_type = ASN_COUNTER64;
	v->mv_num = n;
}

void
mt_gauge(struct mt_value *v, uint64_t n)
{
	v->mv_type = ASN_GAUGE;
	v->mv_num = n > 0xffffffffu ? 0xffffffffu : n;
}

void
mt_counter32(struct mt_value *v, uint64_t n)
{
	v->mv_type = ASN_COUNTER;
	v->mv_num = n & 0xffffffffu;
}

void
mt_integer(struct mt_value *v, long n)
{
	v->mv_type = ASN_INTEGER;
	v->mv_num = (uint64_t)n;
}

void
mt_unsigned(struct mt_value *v, uint64_t n)
{
	v->mv_type = ASN_UNSIGNED;
	v->mv_num = n > 0xffffffffu ? 0xffffffffu : n;
}

void
mt_string(struct mt_value *v, const void *s, size_t len)
{
	v->mv_type = ASN_OCTET_STR;
	v->mv_str = s;
	v->mv_len = len;
}

void
mt_truth(struct mt_value *v, int yes)
{
	mt_integer(v, yes ? 1 : 2);	/* SNMPv2-TC TruthValue */
}

/* SNMPv2-TC DateAndTime, 11 octets with an explicit UTC offset. */
void
mt_dateandtime(struct mt_value *v, time_t when)
{
	struct tm tm;
	u_char *b = v->mv_buf;

	gmtime_r(&when, &tm);
	b[0] = (u_char)((tm.tm_year + 1900) >> 8);
	b[1] = (u_char)((tm.tm_year + 1900) & 0xff);
	b[2] = (u_char)(tm.tm_mon + 1);
	b[3] = (u_char)tm.tm_mday;
	b[4] = (u_char)tm.tm_hour;
	b[5] = (u_char)tm.tm_min;
	b[6] = (u_char)tm.tm_sec;
	b[7] = 0;
	b[8] = '+';
	b[9] = 0;
	b[10] = 0;
	mt_string(v, b, 11);
}

size_t
mt_index_inet(oid *idx, int ipv6, const uint8_t *addr)
{
	size_t len = ipv6 ? 16 : 4, i;

	idx[0] = ipv6 ? 2 : 1;
	idx[1] = len;
	for (i = 0; i < len; i++)
		idx[2 + i] = addr[i];
	return 2 + len;
}

void
mt_inet_type(struct mt_value *v, int ipv6)
{
	mt_integer(v, ipv6 ? 2 : 1);	/* INET-ADDRESS-MIB InetAddressType */
}

int
mibtable_varbind(struct mt_table *t, size_t row, unsigned col,
    netsnmp_variable_list **list)
{
	oid name[MAX_OID_LEN];
	netsnmp_variable_list *vb;
	struct mt_value v;
	size_t len;

	memset(&v, 0, sizeof(v));
	if (row >= t->mt_count(t->mt_arg) ||
	    t->mt_value(t->mt_arg, row, col, &v) != 0)
		return -1;
	memcpy(name, t->mt_entry, t->mt_entry_len * sizeof(oid));
	name[t->mt_entry_len] = col;
	len = t->mt_entry_len + 1 + t->mt_index(t->mt_arg, row,
	    name + t->mt_entry_len + 1);
	vb = snmp_varlist_add_variable(list, name, len, ASN_NULL, NULL, 0);
	if (vb == NULL)
		return -1;
	return mt_set_var(vb, &v) == 0 ? 0 : -1;
}

void
mibtable_begin(struct mt_table *t)
{
	if (t->mt_begin != NULL)
		t->mt_begin(t->mt_arg);
}

void
mibtable_end(struct mt_table *t)
{
	if (t->mt_end != NULL)
		t->mt_end(t->mt_arg);
}
