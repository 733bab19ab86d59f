/*
 * notify: notifications, hold-down and clears; see notify.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coremond.h"
#include "notify.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "lib/hash.h"
#include "lib/units.h"

#define NOTIFY_MAX_INSTANCES	4096
#define NOTIFY_KEY_MAX		64

struct notify_config notify_config = {
	.nc_holddown = 300,
	.nc_probe_down_after = 3,
};

struct nf_state {
	enum notify_kind	 ns_kind;
	char			 ns_key[NOTIFY_KEY_MAX];
	uint32_t		 ns_hash;	/* of (kind, key), in nf_index */
	int			 ns_active;
	int			 ns_alarmed;	/* this activation's alarm sent */
	int			 ns_seen;	/* reported this round */
	time_t			 ns_last_alarm;
	netsnmp_variable_list	*ns_vars;	/* the alarm's, for a clear */
};

/*
 * The states live in one array, found through nf_index by (kind, key):
 * a round over thousands of clients costs one hash lookup each, not a
 * scan of every state (the agent thread answers requests between
 * rounds).  A state is kept only while it matters: its condition holds,
 * or its alarm is younger than the hold-down; then it is removed, so the
 * cap bounds the instances in trouble at once, not all ever seen.
 */
static struct nf_state	*nf_states;
static size_t		 nf_nstates;
static struct hash	*nf_index;
static unsigned long	 nf_sent;
static unsigned long	 nf_unreported;	/* alarms lost to a full table */
static int		 nf_full;	/* logged that it is full */

/* What a state is looked up by: the kind's byte, then the key as stored
 * (cut to NOTIFY_KEY_MAX - 1 characters). */
struct nf_key {
	uint8_t		nk_bytes[1 + NOTIFY_KEY_MAX];
	size_t		nk_len;
	uint32_t	nk_hash;
};

static const oid nf_trap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid nf_root[] = { OID_coremonNotifications };

/* Configuration: thresholds are off unless set, and need their unit. */

static void
notify_parse(const char *token, char *line)
{
	char err[256], msg[320];
	uint64_t n;
	int rc;

	if (strcasecmp(token, "notifyHoldDown") == 0) {
		rc = units_count(line, 0, 86400, &n, err, sizeof(err));
		notify_config.nc_holddown = (unsigned)n;
	} else if (strcasecmp(token, "probeDownAfter") == 0) {
		rc = units_count(line, 1, 1000, &n, err, sizeof(err));
		notify_config.nc_probe_down_after = (unsigned)n;
	} else if (strcasecmp(token, "probeRttThreshold") == 0) {
		rc = units_duration_us(line, &notify_config.nc_probe_rtt_us,
		    err, sizeof(err));
	} else if (strcasecmp(token, "clientMaxConnections") == 0) {
		rc = units_count(line, 1, 100000000, &n, err, sizeof(err));
		notify_config.nc_client_max_conns = n;
	} else if (strcasecmp(token, "clientMaxRate") == 0) {
		rc = units_rate(line, &notify_config.nc_client_max_rate, err,
		    sizeof(err));
	} else if (strcasecmp(token, "listenQueueThreshold") == 0) {
		/* Over 100: a queue holds one more than its backlog
		 * (sk_acceptq_is_full), and SO_REUSEPORT groups sum. */
		rc = units_count(line, 1, 1000, &n, err, sizeof(err));
		notify_config.nc_listen_queue_pct = (uint32_t)n;
	} else if (strcasecmp(token, "clientRetransThreshold") == 0) {
		rc = units_percent_x100(line,
		    &notify_config.nc_client_retrans_x100, err, sizeof(err));
	} else if (strcasecmp(token, "captureLossThreshold") == 0) {
		rc = units_percent_x100(line,
		    &notify_config.nc_capture_loss_x100, err, sizeof(err));
	} else {
		rc = units_rate(line, &notify_config.nc_link_busy, err,
		    sizeof(err));
	}
	if (rc == -1) {
		snprintf(msg, sizeof(msg), "%s: %s", token, err);
		config_perror(msg);
	}
}

void
notify_register_config(void)
{
	static const char *tokens[] = { "notifyHoldDown", "probeDownAfter",
		"probeRttThreshold", "clientMaxConnections", "clientMaxRate",
		"captureLossThreshold", "linkBusyThreshold",
		"listenQueueThreshold", "clientRetransThreshold" };
	size_t i;

	for (i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
		register_app_config_handler(tokens[i], notify_parse, NULL,
		    "VALUE");
}

/* cmNotifyObjects: accessible-for-notify, so never served, only sent. */

static int
threshold_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct notify_config *c = &notify_config;

	(void)arg;
	(void)i;
	switch (col) {
	case NT_PROBE_COUNT:	mt_unsigned(v, c->nc_probe_down_after); break;
	case NT_PROBE_RTT:	mt_unsigned(v, c->nc_probe_rtt_us); break;
	case NT_CLIENT_CONNECTIONS:
		mt_unsigned(v, c->nc_client_max_conns); break;
	case NT_CLIENT_RATE:	mt_counter64(v, c->nc_client_max_rate); break;
	case NT_CAPTURE_LOSS:	mt_gauge(v, c->nc_capture_loss_x100); break;
	case NT_LINK_BUSY:	mt_counter64(v, c->nc_link_busy); break;
	case NT_LISTEN_QUEUE:	mt_unsigned(v, c->nc_listen_queue_pct); break;
	case NT_CLIENT_RETRANS:
		mt_gauge(v, c->nc_client_retrans_x100); break;
	default:		return -1;
	}
	return 0;
}

static const oid threshold_oid[] = { OID_cmNotifyObjects };
static struct mt_table threshold_table = {
	.mt_name = "cmNotifyObjects",
	.mt_entry = threshold_oid,
	.mt_entry_len = OID_LENGTH(threshold_oid),
	.mt_mincol = MIB_cmNotifyProbeCount,
	.mt_maxcol = MIB_cmNotifyClientRetransThreshold,
	.mt_count = mibtable_scalar_count,
	.mt_index = mibtable_scalar_index,
	.mt_value = threshold_value,
};

void
notify_add_threshold(netsnmp_variable_list **vars, enum notify_threshold col)
{
	mibtable_varbind(&threshold_table, 0, col, vars);
}

/* State */

static void
nf_key_make(struct nf_key *k, enum notify_kind kind, const char *instance)
{
	size_t len = strnlen(instance, NOTIFY_KEY_MAX - 1);

	k->nk_bytes[0] = (uint8_t)kind;
	memcpy(k->nk_bytes + 1, instance, len);
	k->nk_len = 1 + len;
	k->nk_hash = (uint32_t)hash_compute(nf_index, k->nk_bytes, k->nk_len);
}

static int
nf_key_eq(const void *key, uint32_t index, void *arg)
{
	const struct nf_key *k = key;
	const struct nf_state *ns = &nf_states[index];

	(void)arg;
	return ns->ns_kind == k->nk_bytes[0] &&
	    strlen(ns->ns_key) == k->nk_len - 1 &&
	    memcmp(ns->ns_key, k->nk_bytes + 1, k->nk_len - 1) == 0;
}

static struct nf_state *
nf_find(const struct nf_key *k)
{
	uint32_t i = hash_find(nf_index, k->nk_hash, k);

	return i == HASH_NONE ? NULL : &nf_states[i];
}

/* The state of an instance; a new one only for a condition that holds
 * (a healthy instance never seen in trouble needs no memory). */
static struct nf_state *
notify_state(enum notify_kind kind, const char *key, int active)
{
	struct nf_state *ns;
	struct nf_key k;

	nf_key_make(&k, kind, key);
	if ((ns = nf_find(&k)) != NULL || !active)
		return ns;
	if (nf_nstates == NOTIFY_MAX_INSTANCES ||
	    hash_insert(nf_index, k.nk_hash, (uint32_t)nf_nstates) == -1) {
		/* Bounded: the rest go unreported, and the log says so. */
		nf_unreported++;
		if (!nf_full)
			snmp_log(LOG_WARNING, "notify: %d instances are in "
			    "alarm or hold-down; more go unreported\n",
			    NOTIFY_MAX_INSTANCES);
		nf_full = 1;
		return NULL;
	}
	nf_full = 0;
	ns = &nf_states[nf_nstates++];
	memset(ns, 0, sizeof(*ns));
	ns->ns_kind = kind;
	ns->ns_hash = k.nk_hash;
	memcpy(ns->ns_key, k.nk_bytes + 1, k.nk_len - 1);
	return ns;
}

/* Removes state i, moving the last one into its place. */
static void
nf_remove(size_t i)
{
	size_t last = nf_nstates - 1;

	snmp_free_varbind(nf_states[i].ns_vars);
	hash_remove(nf_index, nf_states[i].ns_hash, (uint32_t)i);
	if (i != last) {
		nf_states[i] = nf_states[last];
		hash_renumber(nf_index, nf_states[i].ns_hash, (uint32_t)last,
		    (uint32_t)i);
	}
	nf_nstates--;
}

/* A state that no longer matters: its condition is over, its clear (if
 * any) sent, and a new alarm would not fall within the hold-down. */
static int
nf_idle(const struct nf_state *ns, time_t now)
{
	return !ns->ns_active && !ns->ns_alarmed &&
	    (ns->ns_last_alarm == 0 ||
	    now - ns->ns_last_alarm >= notify_config.nc_holddown);
}

int
notify_tracks(enum notify_kind kind, const char *instance)
{
	struct nf_key k;

	nf_key_make(&k, kind, instance);
	return nf_find(&k) != NULL;
}

/*
 * net-snmp also makes an SNMPv1 trap of every notification, for v1 sinks,
 * and warns when one carrying a Counter64 cannot be made (RFC 3584 4.2.1
 * says it must not be).  coremond's notifications are SNMPv2 only, so the
 * log handlers are switched off while one is sent.  The enabled flags are
 * flipped directly: net-snmp falls back to stderr when it believes no
 * handler is enabled.
 */
static void
notify_hush(int hush)
{
	static int saved[32];
	netsnmp_log_handler *h;
	int i = 0;

	for (h = get_logh_head(); h != NULL && i < 32; h = h->next, i++) {
		if (hush) {
			saved[i] = h->enabled;
			h->enabled = 0;
		} else {
			h->enabled = saved[i];
		}
	}
}

static void
notify_send(unsigned sub, netsnmp_variable_list *vars)
{
	netsnmp_variable_list *all = NULL;
	oid name[OID_LENGTH(nf_root) + 1];

	memcpy(name, nf_root, sizeof(nf_root));
	name[OID_LENGTH(nf_root)] = sub;
	snmp_varlist_add_variable(&all, nf_trap_oid, OID_LENGTH(nf_trap_oid),
	    ASN_OBJECT_ID, (u_char *)name, sizeof(name));
	if (all == NULL)
		return;
	all->next_variable = snmp_clone_varbind(vars);
	notify_hush(1);
	send_v2trap(all);
	notify_hush(0);
	snmp_free_varbind(all);
	nf_sent++;
}

/* A clear for an instance that went away: its counts are 0 now; the
 * thresholds stay. */
static void
notify_zero_values(netsnmp_variable_list *vars)
{
	static const long zero;
	struct counter64 z64 = { 0, 0 };

	for (; vars != NULL; vars = vars->next_variable) {
		if (netsnmp_oid_is_subtree(threshold_oid,
		    OID_LENGTH(threshold_oid), vars->name,
		    vars->name_length) == 0)
			continue;
		if (vars->type == ASN_GAUGE || vars->type == ASN_COUNTER)
			snmp_set_var_value(vars, &zero, sizeof(zero));
		else if (vars->type == ASN_COUNTER64)
			snmp_set_var_value(vars, &z64, sizeof(z64));
	}
}

static void
notify_transition(struct nf_state *ns, int active, netsnmp_variable_list *vars)
{
	time_t now = time(NULL);

	if (active && !ns->ns_active) {
		ns->ns_active = 1;
		if (ns->ns_last_alarm == 0 ||
		    now - ns->ns_last_alarm >= notify_config.nc_holddown) {
			notify_send(ns->ns_kind, vars);
			ns->ns_alarmed = 1;
			ns->ns_last_alarm = now;
		}
	} else if (!active && ns->ns_active) {
		ns->ns_active = 0;
		if (ns->ns_alarmed) {
			if (vars == NULL)
				notify_zero_values(ns->ns_vars);
			notify_send(ns->ns_kind + 1, vars ? vars : ns->ns_vars);
			ns->ns_alarmed = 0;
		}
	}
	if (vars != NULL) {
		snmp_free_varbind(ns->ns_vars);
		ns->ns_vars = vars;
	}
}

void
notify_round_begin(enum notify_kind kind)
{
	size_t i;

	for (i = 0; i < nf_nstates; i++)
		if (nf_states[i].ns_kind == kind)
			nf_states[i].ns_seen = 0;
}

void
notify_report(enum notify_kind kind, const char *instance, int active,
    netsnmp_variable_list *vars)
{
	struct nf_state *ns = notify_state(kind, instance, active);

	if (ns == NULL) {
		snmp_free_varbind(vars);
		return;
	}
	ns->ns_seen = 1;
	notify_transition(ns, active, vars);
}

void
notify_round_end(enum notify_kind kind)
{
	time_t now = time(NULL);
	size_t i = 0;

	while (i < nf_nstates) {
		struct nf_state *ns = &nf_states[i];

		if (ns->ns_kind != kind) {
			i++;
			continue;
		}
		if (!ns->ns_seen)
			notify_transition(ns, 0, NULL);
		if (nf_idle(ns, now))
			nf_remove(i);	/* the last state moves to i */
		else
			i++;
	}
}

unsigned long
notify_sent(void)
{
	return nf_sent;
}

unsigned long
notify_unreported(void)
{
	return nf_unreported;
}

/* The groups' checks, in the order they registered. */
#define NOTIFY_MAX_CHECKS	16
static void	(*nf_checks[NOTIFY_MAX_CHECKS])(void);
static size_t	  nf_nchecks;

int
notify_register_check(void (*check)(void))
{
	if (nf_nchecks == NOTIFY_MAX_CHECKS)
		return -1;
	nf_checks[nf_nchecks++] = check;
	return 0;
}

static void
notify_tick(unsigned int reg, void *arg)
{
	size_t i;

	(void)reg;
	(void)arg;
	for (i = 0; i < nf_nchecks; i++)
		nf_checks[i]();
}

int
notify_init(void)
{
	nf_states = calloc(NOTIFY_MAX_INSTANCES, sizeof(*nf_states));
	if (nf_states == NULL)
		return -1;
	nf_index = hash_new(64, NOTIFY_MAX_INSTANCES, nf_key_eq, NULL);
	if (nf_index == NULL)
		return -1;
	return snmp_alarm_register(1, SA_REPEAT, notify_tick, NULL) == 0 ?
	    -1 : 0;
}

void
notify_shutdown(void)
{
	size_t i;

	for (i = 0; i < nf_nstates; i++)
		snmp_free_varbind(nf_states[i].ns_vars);
	free(nf_states);
	nf_states = NULL;
	nf_nstates = 0;
	hash_free(nf_index);
	nf_index = NULL;
}
