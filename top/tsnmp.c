/*
 * tsnmp: SNMP requests of coremon-top; see tsnmp.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "tsnmp.h"

/* Varbinds asked for in one GETBULK: rows * columns.  Small enough for a
 * response to fit a UDP datagram of usual agents (64 kB), large enough
 * that 10,000 rows take few round trips. */
#define TSNMP_BULK_VARBINDS	600

struct tsnmp {
	struct tsnmp_options ts_opt;
	netsnmp_session	ts_template;
	void		*ts_sess;	/* snmp_sess_open's handle or NULL */
	int		 ts_v1_walk;	/* a GETNEXT of a v1 walk is on its way */
};

static int
tsnmp_auth(struct tsnmp *ts, netsnmp_session *s, char *err, size_t errlen)
{
	const struct tsnmp_options *o = &ts->ts_opt;
	const char *level = o->to_level ? o->to_level : "noAuthNoPriv";
	int type;
	size_t len;
	oid *p;

	if (o->to_user == NULL) {
		snprintf(err, errlen, "SNMPv3 needs a user (-u)");
		return -1;
	}
	s->securityName = strdup(o->to_user);
	s->securityNameLen = strlen(o->to_user);
	if (strcasecmp(level, "noAuthNoPriv") == 0 || strcmp(level, "1") == 0)
		s->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
	else if (strcasecmp(level, "authNoPriv") == 0 ||
	    strcmp(level, "2") == 0)
		s->securityLevel = SNMP_SEC_LEVEL_AUTHNOPRIV;
	else if (strcasecmp(level, "authPriv") == 0 || strcmp(level, "3") == 0)
		s->securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
	else {
		snprintf(err, errlen,
		    "-l %s: not noAuthNoPriv, authNoPriv or authPriv", level);
		return -1;
	}
	if (s->securityLevel == SNMP_SEC_LEVEL_NOAUTH)
		return 0;
	type = usm_lookup_auth_type(o->to_auth_proto ? o->to_auth_proto : "MD5");
	p = type < 0 ? NULL : sc_get_auth_oid(type, &len);
	if (p == NULL) {
		snprintf(err, errlen, "-a %s: unknown authentication protocol",
		    o->to_auth_proto);
		return -1;
	}
	s->securityAuthProto = snmp_duplicate_objid(p, len);
	s->securityAuthProtoLen = len;
	if (o->to_auth_pass == NULL || strlen(o->to_auth_pass) < 8) {
		snprintf(err, errlen,
		    "-A: an authentication passphrase of at least 8 characters is needed");
		return -1;
	}
	s->securityAuthKeyLen = USM_AUTH_KU_LEN;
	if (generate_Ku(s->securityAuthProto, s->securityAuthProtoLen,
	    (const u_char *)o->to_auth_pass, strlen(o->to_auth_pass),
	    s->securityAuthKey, &s->securityAuthKeyLen) != SNMPERR_SUCCESS) {
		snprintf(err, errlen,
		    "-A: cannot derive the authentication key");
		return -1;
	}
	if (s->securityLevel != SNMP_SEC_LEVEL_AUTHPRIV)
		return 0;
	type = usm_lookup_priv_type(o->to_priv_proto ? o->to_priv_proto : "DES");
	p = type < 0 ? NULL : sc_get_priv_oid(type, &len);
	if (p == NULL) {
		snprintf(err, errlen, "-x %s: unknown privacy protocol",
		    o->to_priv_proto);
		return -1;
	}
	s->securityPrivProto = snmp_duplicate_objid(p, len);
	s->securityPrivProtoLen = len;
	if (o->to_priv_pass == NULL || strlen(o->to_priv_pass) < 8) {
		snprintf(err, errlen,
		    "-X: a privacy passphrase of at least 8 characters is needed");
		return -1;
	}
	/* RFC 3414 section 2.6: the privacy key is derived with the
	 * authentication protocol's hash. */
	s->securityPrivKeyLen = USM_PRIV_KU_LEN;
	if (generate_Ku(s->securityAuthProto, s->securityAuthProtoLen,
	    (const u_char *)o->to_priv_pass, strlen(o->to_priv_pass),
	    s->securityPrivKey, &s->securityPrivKeyLen) != SNMPERR_SUCCESS) {
		snprintf(err, errlen, "-X: cannot derive the privacy key");
		return -1;
	}
	return 0;
}

struct tsnmp *
tsnmp_new(const struct tsnmp_options *o, char *err, size_t errlen)
{
	struct tsnmp *ts;
	netsnmp_session *s;
	const char *v = o->to_version ? o->to_version : "2c";

	if ((ts = calloc(1, sizeof(*ts))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ts->ts_opt = *o;
	s = &ts->ts_template;
	snmp_sess_init(s);
	s->peername = strdup(o->to_peer);
	s->timeout = (long)(o->to_timeout * 1000000.0);
	s->retries = o->to_retries;
	if (strcmp(v, "1") == 0 || strcmp(v, "2c") == 0) {
		const char *c = o->to_community ? o->to_community : "public";

		s->version = v[0] == '1' ? SNMP_VERSION_1 : SNMP_VERSION_2c;
		s->community = (u_char *)strdup(c);
		s->community_len = strlen(c);
	} else if (strcmp(v, "3") == 0) {
		s->version = SNMP_VERSION_3;
		if (tsnmp_auth(ts, s, err, errlen) == -1)
			goto fail;
	} else {
		snprintf(err, errlen, "-v %s: not 1, 2c or 3", v);
		goto fail;
	}
	return ts;
fail:
	tsnmp_free(ts);
	return NULL;
}

void
tsnmp_reset(struct tsnmp *ts)
{
	if (ts->ts_sess != NULL)
		snmp_sess_close(ts->ts_sess);
	ts->ts_sess = NULL;
}

void
tsnmp_free(struct tsnmp *ts)
{
	netsnmp_session *s;

	if (ts == NULL)
		return;
	tsnmp_reset(ts);
	s = &ts->ts_template;
	free(s->peername);
	free(s->community);
	free(s->securityName);
	free(s->securityAuthProto);
	free(s->securityPrivProto);
	free(ts);
}

/* Sends pdu (always consumed); the response or NULL with err. */
static netsnmp_pdu *
tsnmp_request(struct tsnmp *ts, netsnmp_pdu *pdu, char *err, size_t errlen)
{
	netsnmp_pdu *resp = NULL;
	int rc;

	if (ts->ts_sess == NULL &&
	    (ts->ts_sess = snmp_sess_open(&ts->ts_template)) == NULL) {
		snprintf(err, errlen, "%s: %s", ts->ts_opt.to_peer,
		    snmp_api_errstring(snmp_errno));
		snmp_free_pdu(pdu);
		return NULL;
	}
	rc = snmp_sess_synch_response(ts->ts_sess, pdu, &resp);
	if (rc == STAT_TIMEOUT) {
		snprintf(err, errlen, "no answer from %s", ts->ts_opt.to_peer);
		goto fail;
	}
	if (rc != STAT_SUCCESS || resp == NULL) {
		snprintf(err, errlen, "%s: %s", ts->ts_opt.to_peer,
		    snmp_api_errstring(snmp_sess_session(ts->ts_sess)->s_snmp_errno));
		goto fail;
	}
	/* SNMPv1 ends a walk with noSuchName (RFC 1157 4.1.3): the caller's
	 * end of table, with no varbinds. */
	if (resp->errstat == SNMP_ERR_NOSUCHNAME &&
	    resp->command == SNMP_MSG_RESPONSE &&
	    ts->ts_template.version == SNMP_VERSION_1 && ts->ts_v1_walk) {
		snmp_free_varbind(resp->variables);
		resp->variables = NULL;
		return resp;
	}
	if (resp->errstat != SNMP_ERR_NOERROR) {
		snprintf(err, errlen, "%s: %s", ts->ts_opt.to_peer,
		    snmp_errstring(resp->errstat));
		goto fail;
	}
	return resp;
fail:
	if (resp != NULL)
		snmp_free_pdu(resp);
	return NULL;
}

void
tsnmp_value_clear(struct tsnmp_value *v)
{
	free(v->tv_str);
	memset(v, 0, sizeof(*v));
}

static void
tsnmp_value_set(struct tsnmp_value *v, const netsnmp_variable_list *vb)
{
	tsnmp_value_clear(v);
	switch (vb->type) {
	case ASN_OCTET_STR:
	case ASN_IPADDRESS:
	case ASN_OPAQUE:
		v->tv_len = vb->val_len < TSNMP_STR_MAX ? vb->val_len : TSNMP_STR_MAX;
		if ((v->tv_str = malloc(v->tv_len + 1)) == NULL)
			return;
		memcpy(v->tv_str, vb->val.string, v->tv_len);
		v->tv_str[v->tv_len] = '\0';
		break;
	case ASN_COUNTER64:
		v->tv_num = ((uint64_t)vb->val.counter64->high << 32) |
		    (vb->val.counter64->low & 0xffffffffu);
		break;
	case ASN_INTEGER:
		v->tv_num = (uint64_t)*vb->val.integer;
		break;
	case ASN_COUNTER:
	case ASN_GAUGE:
	case ASN_TIMETICKS:
	case ASN_UINTEGER:
		v->tv_num = (unsigned long)*vb->val.integer & 0xffffffffu;
		break;
	default:	/* noSuchObject, noSuchInstance, endOfMibView, NULL */
		return;
	}
	v->tv_type = vb->type;
	v->tv_set = 1;
}

int
tsnmp_get(struct tsnmp *ts, const unsigned long *const *oids,
    const size_t *oidlens, size_t n, struct tsnmp_value *values, char *err,
    size_t errlen)
{
	netsnmp_pdu *pdu, *resp;
	netsnmp_variable_list *vb;
	size_t i;

	pdu = snmp_pdu_create(SNMP_MSG_GET);
	for (i = 0; i < n; i++)
		snmp_add_null_var(pdu, (const oid *)oids[i], oidlens[i]);
	if ((resp = tsnmp_request(ts, pdu, err, errlen)) == NULL)
		return -1;
	for (i = 0, vb = resp->variables; i < n && vb; i++,
	    vb = vb->next_variable)
		tsnmp_value_set(&values[i], vb);
	snmp_free_pdu(resp);
	return 0;
}

static struct tsnmp_row *
tsnmp_table_add(struct tsnmp_table *t)
{
	if (t->tt_count == t->tt_cap) {
		size_t cap = t->tt_cap ? t->tt_cap * 2 : 64;
		struct tsnmp_row *r = realloc(t->tt_rows, cap * sizeof(*r));

		if (r == NULL)
			return NULL;
		t->tt_rows = r;
		t->tt_cap = cap;
	}
	memset(&t->tt_rows[t->tt_count], 0, sizeof(t->tt_rows[0]));
	return &t->tt_rows[t->tt_count++];
}

void
tsnmp_table_clear(struct tsnmp_table *t)
{
	size_t i, c;

	for (i = 0; i < t->tt_count; i++)
		for (c = 0; c < TSNMP_COLS_MAX; c++)
			tsnmp_value_clear(&t->tt_rows[i].tr_val[c]);
	free(t->tt_rows);
	memset(t, 0, sizeof(*t));
}

/* The index of vb when it is in column col of entry; its length or -1. */
static int
tsnmp_index_of(const netsnmp_variable_list *vb, const unsigned long *entry,
    size_t entrylen, int col)
{
	size_t len;

	if (vb->type == SNMP_ENDOFMIBVIEW || vb->type == SNMP_NOSUCHOBJECT ||
	    vb->type == SNMP_NOSUCHINSTANCE)
		return -1;
	if (vb->name_length <= entrylen + 1 ||
	    snmp_oid_compare(vb->name, entrylen, (const oid *)entry,
	    entrylen) != 0 || vb->name[entrylen] != (oid)col)
		return -1;
	len = vb->name_length - entrylen - 1;
	return len > TSNMP_OID_MAX ? -1 : (int)len;
}

/* The varbind n places after vb (NULL past the end). */
static netsnmp_variable_list *
tsnmp_skip(netsnmp_variable_list *vb, size_t n)
{
	while (vb != NULL && n-- > 0)
		vb = vb->next_variable;
	return vb;
}

/* Sets row r's value of column c from the column's varbinds from *at on
 * (one each ncols): those of rows before r are passed over, so a sparse
 * column -- an object absent for some rows, which GETBULK answers with
 * the next row that has it -- fills the rows that have it, not the
 * rows that follow a gap by position. */
static void
tsnmp_match(struct tsnmp_row *r, int c, netsnmp_variable_list **at,
    size_t ncols, const unsigned long *entry, size_t entrylen, int col)
{
	while (*at != NULL) {
		int l = tsnmp_index_of(*at, entry, entrylen, col);
		size_t i, n;
		int cmp = 0;

		if (l < 0)
			return;	/* past the column: no row after has it */
		n = (size_t)l < r->tr_indexlen ? (size_t)l : r->tr_indexlen;
		for (i = 0; i < n && cmp == 0; i++)
			if ((*at)->name[entrylen + 1 + i] != r->tr_index[i])
				cmp = (*at)->name[entrylen + 1 + i] <
				    r->tr_index[i] ? -1 : 1;
		if (cmp == 0 && (size_t)l != r->tr_indexlen)
			cmp = (size_t)l < r->tr_indexlen ? -1 : 1;
		if (cmp > 0)
			return;	/* a later row's: kept for it */
		if (cmp == 0)
			tsnmp_value_set(&r->tr_val[c], *at);
		*at = tsnmp_skip(*at, ncols);
		if (cmp == 0)
			return;
	}
}

int
tsnmp_walk(struct tsnmp *ts, const unsigned long *entry, size_t entrylen,
    const int *cols, size_t ncols, const unsigned long *after,
    size_t afterlen, size_t max_rows, tsnmp_keep_fn keep, void *arg,
    struct tsnmp_table *t, char *err, size_t errlen)
{
	oid next[TSNMP_OID_MAX + 32];
	oid last[TSNMP_OID_MAX];
	size_t lastlen = 0, rows = 0, c, reps;

	if (ncols == 0 || ncols > TSNMP_COLS_MAX ||
	    entrylen + 1 + TSNMP_OID_MAX > sizeof(next) / sizeof(next[0]) ||
	    afterlen > TSNMP_OID_MAX) {
		snprintf(err, errlen, "walk: bad arguments");
		return -1;
	}
	if (after != NULL) {
		memcpy(last, after, afterlen * sizeof(oid));
		lastlen = afterlen;
	}
	reps = TSNMP_BULK_VARBINDS / ncols;
	for (;;) {
		netsnmp_pdu *pdu, *resp;
		netsnmp_variable_list *vb, *at[TSNMP_COLS_MAX];
		int done = 0, k;

		/* SNMPv1 has no GETBULK: a GETNEXT reads one row. */
		if (ts->ts_template.version == SNMP_VERSION_1)
			pdu = snmp_pdu_create(SNMP_MSG_GETNEXT);
		else {
			pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
			pdu->non_repeaters = 0;
			pdu->max_repetitions = (long)(max_rows - rows < reps ?
			    max_rows - rows : reps);
		}
		memcpy(next, entry, entrylen * sizeof(oid));
		for (c = 0; c < ncols; c++) {
			next[entrylen] = (oid)cols[c];
			memcpy(next + entrylen + 1, last,
			    lastlen * sizeof(oid));
			snmp_add_null_var(pdu, next, entrylen + 1 + lastlen);
		}
		ts->ts_v1_walk = 1;
		resp = tsnmp_request(ts, pdu, err, errlen);
		ts->ts_v1_walk = 0;
		if (resp == NULL)
			return -1;
		/* Row by row: ncols varbinds a repetition, first column
		 * first; the rows are the first column's. */
		for (c = 0; c < ncols; c++)
			at[c] = tsnmp_skip(resp->variables, c);
		for (vb = resp->variables; vb != NULL && !done;
		    vb = tsnmp_skip(vb, ncols)) {
			struct tsnmp_row *r = NULL;
			int ilen = tsnmp_index_of(vb, entry, entrylen, cols[0]);

			if (ilen < 0 || rows >= max_rows) {
				done = 1;
				break;
			}
			if ((r = tsnmp_table_add(t)) == NULL) {
				snmp_free_pdu(resp);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			memcpy(r->tr_index, vb->name + entrylen + 1,
			    (size_t)ilen * sizeof(oid));
			r->tr_indexlen = (size_t)ilen;
			memcpy(last, r->tr_index, (size_t)ilen * sizeof(oid));
			lastlen = (size_t)ilen;
			rows++;
			tsnmp_value_set(&r->tr_val[0], vb);
			for (c = 1; c < ncols; c++)
				tsnmp_match(r, (int)c, &at[c], ncols, entry,
				    entrylen, cols[c]);
			/* Not kept: its slot is the next row's. */
			if (keep != NULL && (k = keep(r, arg)) <= 0) {
				for (c = 0; c < ncols; c++)
					tsnmp_value_clear(&r->tr_val[c]);
				t->tt_count--;
				if (k < 0)
					done = 1;
			}
		}
		if (resp->variables == NULL)
			done = 1;
		snmp_free_pdu(resp);
		if (done || rows >= max_rows)
			return 0;
	}
}
