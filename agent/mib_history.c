/*
 * mib_history: the history database's coremon.conf lines, the
 * cmHistoryDatabase scalars (served from monitor_history_status()) and
 * its notifications, cmHistoryDropped and cmHistoryDown.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "coremond.h"
#include "mib_history.h"
#include "mibtable.h"
#include "notify.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "lib/units.h"
#include "monitor.h"
#include "store/histdb.h"

#define HI_DAYS_MAX	36600		/* 100 years, as archiveDays */
#define HI_SPOOL_MIN	(1ULL << 20)	/* room for a few windows */
#define HI_SPOOL_MAX	(1ULL << 40)
#define HI_PATH_MAX	256		/* as hostdbFile, archiveDir */
#define HI_URL_MAX	1024

/* coremon.conf, with the defaults of histdb.h.  hi_target "" is the
 * default: HISTDB_DEFAULT_FILE with capture, none without. */
static char		hi_target[HI_URL_MAX];
static char		hi_agent[HISTDB_NAME_MAX];
static char		hi_password_file[HI_PATH_MAX];
static char		hi_spool_dir[HI_PATH_MAX];
static uint64_t		hi_spool_max = HISTDB_SPOOL_DEFAULT;
static unsigned		hi_top = HISTDB_TOP_DEFAULT;
static unsigned		hi_days = HISTDB_DAYS_DEFAULT;
static unsigned		hi_host_days;		/* 0: hi_days */

/* What mib_history_config() settled on, for the scalars.  The monitor
 * keeps a history only with capture (without, there is nothing to
 * write); the configuration still serves --import-archive. */
static enum histdb_kind	hi_kind = HISTDB_KIND_NONE;
static int		hi_capture;

/* Held for the length of one request. */
static struct histdb_status	hi_status;
static int			hi_have_status;

/* Configuration */

/* The length of a libpq URL's scheme (postgresql:// or postgres://),
 * 0 if target is none. */
static size_t
mib_history_pg_prefix(const char *target)
{
	if (strncmp(target, "postgresql://", 13) == 0)
		return 13;
	return strncmp(target, "postgres://", 11) == 0 ? 11 : 0;
}

/* A file, a postgresql:// URL or "none": what historyDatabase accepts. */
static int
mib_history_parse_target(const char *line, char *err, size_t errlen)
{
	const char *auth, *end, *at;
	size_t len = strlen(line), plen;

	if (strcasecmp(line, "none") == 0) {
		snprintf(hi_target, sizeof(hi_target), "none");
		return 0;
	}
	if ((plen = mib_history_pg_prefix(line)) > 0) {
		if (len >= sizeof(hi_target)) {
			snprintf(err, errlen, "the URL is longer than %zu "
			    "characters", sizeof(hi_target) - 1);
			return -1;
		}
		/* RFC 3986 3.2: user:password@ before the host; libpq also
		 * takes password= among the parameters. */
		auth = line + plen;
		end = auth + strcspn(auth, "/?");
		at = memchr(auth, '@', (size_t)(end - auth));
		if ((at != NULL && memchr(auth, ':', (size_t)(at - auth)) !=
		    NULL) || strstr(line, "?password=") != NULL ||
		    strstr(line, "&password=") != NULL) {
			snprintf(err, errlen, "a password in the URL would "
			    "show in cmHistoryTarget and the logs; put it in "
			    "historyPasswordFile or PGPASSWORD");
			return -1;
		}
		memcpy(hi_target, line, len + 1);
		return 0;
	}
	if (line[0] != '/' || len >= HI_PATH_MAX) {
		snprintf(err, errlen, "\"%s\" is not an absolute file name, "
		    "a postgresql:// URL or none", line);
		return -1;
	}
	memcpy(hi_target, line, len + 1);
	return 0;
}

/* historyAgent, and the host name that stands in for it: a name that
 * fits every backend's column and any report's file name. */
static int
mib_history_name_ok(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len < HISTDB_NAME_MAX &&
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-") == len;
}

static int
mib_history_parse_path(char *dst, const char *line, char *err, size_t errlen)
{
	size_t len = strlen(line);

	if (line[0] != '/' || len >= HI_PATH_MAX) {
		snprintf(err, errlen, "\"%s\" is not an absolute path", line);
		return -1;
	}
	memcpy(dst, line, len + 1);
	return 0;
}

static void
mib_history_parse(const char *token, char *line)
{
	char err[384], msg[448];
	uint64_t n = 0;
	size_t len = strlen(line);
	int rc;

	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		line[--len] = '\0';
	if (strcasecmp(token, "historyDatabase") == 0) {
		rc = mib_history_parse_target(line, err, sizeof(err));
	} else if (strcasecmp(token, "historyAgent") == 0) {
		rc = mib_history_name_ok(line) ? 0 : -1;
		if (rc == 0)
			snprintf(hi_agent, sizeof(hi_agent), "%s", line);
		else
			snprintf(err, sizeof(err), "\"%s\" is not 1 to %d of "
			    "A-Z a-z 0-9 . _ -", line, HISTDB_NAME_MAX - 1);
	} else if (strcasecmp(token, "historyPasswordFile") == 0) {
		rc = mib_history_parse_path(hi_password_file, line, err,
		    sizeof(err));
	} else if (strcasecmp(token, "historySpoolDir") == 0) {
		rc = mib_history_parse_path(hi_spool_dir, line, err,
		    sizeof(err));
	} else if (strcasecmp(token, "historySpool") == 0) {
		rc = units_size(line, HI_SPOOL_MIN, HI_SPOOL_MAX, &hi_spool_max,
		    err, sizeof(err));
	} else if (strcasecmp(token, "historyTopSessions") == 0) {
		rc = units_count(line, 1, HISTDB_TOP_MAX, &n, err, sizeof(err));
		if (rc == 0)
			hi_top = (unsigned)n;
	} else if (strcasecmp(token, "historyDays") == 0) {
		rc = units_count(line, 1, HI_DAYS_MAX, &n, err, sizeof(err));
		if (rc == 0)
			hi_days = (unsigned)n;
	} else {	/* historyHostDays */
		rc = units_count(line, 1, HI_DAYS_MAX, &n, err, sizeof(err));
		if (rc == 0)
			hi_host_days = (unsigned)n;
	}
	if (rc == -1) {
		snprintf(msg, sizeof(msg), "%s: %s", token, err);
		config_perror(msg);
	}
}

void
mib_history_register_config(void)
{
	static const struct {
		const char	*token;
		const char	*help;
	} tokens[] = {
		{ "historyDatabase", "FILE|postgresql://...|none" },
		{ "historyAgent", "NAME" },
		{ "historyPasswordFile", "FILE" },
		{ "historySpool", "SIZE" },
		{ "historySpoolDir", "DIR" },
		{ "historyTopSessions", "COUNT" },
		{ "historyDays", "DAYS" },
		{ "historyHostDays", "DAYS" },
	};
	size_t i;

	for (i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
		register_app_config_handler(tokens[i].token, mib_history_parse,
		    NULL, tokens[i].help);
}

/*
 * Into the monitor's configuration, once coremon.conf is read and after
 * mib_capture_config() (the default depends on capture).  -1 (logged)
 * when the host name cannot stand in for a missing historyAgent.
 */
int
mib_history_config(struct monitor_config *mc)
{
	const struct cap_config *cc = &mc->mc_pipeline.pc_capture;
	struct histdb_config *hc = &mc->mc_history;
	char host[256];

	memset(hc, 0, sizeof(*hc));
	hi_capture = cc->cc_file != NULL || cc->cc_nifaces > 0;
	if (hi_target[0] == '\0' && hi_capture)
		snprintf(hi_target, sizeof(hi_target), "%s",
		    HISTDB_DEFAULT_FILE);
	if (hi_target[0] == '\0' || strcmp(hi_target, "none") == 0) {
		hi_kind = HISTDB_KIND_NONE;
		return 0;
	}
	hi_kind = mib_history_pg_prefix(hi_target) > 0 ?
	    HISTDB_KIND_POSTGRESQL : HISTDB_KIND_SQLITE;
	if (hi_agent[0] == '\0') {
		if (gethostname(host, sizeof(host)) == -1)
			host[0] = '\0';
		host[sizeof(host) - 1] = '\0';
		if (!mib_history_name_ok(host)) {
			snmp_log(LOG_ERR, "historyAgent: the host name \"%s\" "
			    "is not 1 to %d of A-Z a-z 0-9 . _ -; set "
			    "historyAgent in coremon.conf\n", host,
			    HISTDB_NAME_MAX - 1);
			return -1;
		}
		snprintf(hi_agent, sizeof(hi_agent), "%s", host);
	}
	hc->hc_target = hi_target;
	hc->hc_agent = hi_agent;
	hc->hc_password_file = hi_password_file[0] ? hi_password_file : NULL;
	hc->hc_spool_dir = hi_spool_dir[0] ? hi_spool_dir : NULL;
	hc->hc_spool_max = hi_spool_max;
	hc->hc_top = hi_top;
	hc->hc_days = hi_days;
	hc->hc_host_days = hi_host_days ? hi_host_days : hi_days;
	return 0;
}

/* cmHistoryDatabase scalars */

static void
mib_history_begin(void *arg)
{
	(void)arg;
	hi_have_status = monitor_history_status(cm_monitor, &hi_status) == 0;
}

/* With no status from the monitor, a database that is configured for a
 * capture did not start (coremond logged why): failed. */
static enum histdb_state
mib_history_state(void)
{
	if (hi_have_status)
		return hi_status.hs_state;
	return hi_kind == HISTDB_KIND_NONE || !hi_capture ? HISTDB_STATE_OFF :
	    HISTDB_STATE_FAILED;
}

static int
mib_history_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct histdb_status *s = hi_have_status ? &hi_status : NULL;
	const char *target = hi_kind == HISTDB_KIND_NONE ? "" : hi_target;
	const char *agent = hi_kind == HISTDB_KIND_NONE ? "" : hi_agent;

	(void)arg;
	(void)i;
	switch (col) {
	case MIB_cmHistoryKind:
		mt_integer(v, hi_kind);
		break;
	case MIB_cmHistoryState:
		mt_integer(v, mib_history_state());
		break;
	case MIB_cmHistoryTarget:
		mt_string(v, target, strnlen(target, 255));
		break;
	case MIB_cmHistoryAgentName:
		mt_string(v, agent, strlen(agent));
		break;
	case MIB_cmHistoryWindowsWritten:
		mt_counter32(v, s ? s->hs_windows_written : 0);
		break;
	case MIB_cmHistoryRowsWritten:
		mt_counter64(v, s ? s->hs_rows_written : 0);
		break;
	case MIB_cmHistorySpooledWindows:
		mt_gauge(v, s ? s->hs_windows_spooled : 0);
		break;
	case MIB_cmHistorySpoolBytes:
		mt_counter64(v, s ? s->hs_spool_bytes : 0);
		break;
	case MIB_cmHistorySpoolLimit:
		mt_counter64(v, hi_spool_max);
		break;
	case MIB_cmHistoryDroppedWindows:
		mt_counter32(v, s ? s->hs_windows_dropped : 0);
		break;
	case MIB_cmHistoryRepeatedWindows:
		mt_counter32(v, s ? s->hs_windows_repeated : 0);
		break;
	case MIB_cmHistoryLastError:
		mt_string(v, s ? s->hs_last_error : "",
		    s ? strnlen(s->hs_last_error, 255) : 0);
		break;
	case MIB_cmHistoryLastWrite:
		mt_dateandtime(v, s ? (time_t)(s->hs_last_write_us / 1000000) :
		    0);
		break;
	case MIB_cmHistoryLastWriteDuration:
		mt_gauge(v, s ? s->hs_last_write_ms : 0);
		break;
	case MIB_cmHistoryTopSessions:
		mt_unsigned(v, hi_top);
		break;
	case MIB_cmHistoryDays:
		mt_unsigned(v, hi_days);
		break;
	case MIB_cmHistoryHostDays:
		mt_unsigned(v, hi_host_days ? hi_host_days : hi_days);
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid history_oid[] = { OID_cmHistoryDatabase };
static struct mt_table history_scalars = {
	.mt_name = "cmHistoryDatabase",
	.mt_entry = history_oid,
	.mt_entry_len = OID_LENGTH(history_oid),
	.mt_mincol = MIB_cmHistoryKind,
	.mt_maxcol = MIB_cmHistoryHostDays,
	.mt_count = mibtable_scalar_count,
	.mt_index = mibtable_scalar_index,
	.mt_value = mib_history_value,
	.mt_begin = mib_history_begin,
};

/* Notifications */

static netsnmp_variable_list *
mib_history_vars(const unsigned *cols, size_t n)
{
	netsnmp_variable_list *vars = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		mibtable_varbind(&history_scalars, 0, cols[i], &vars);
	return vars;
}

/*
 * Every second.  cmHistoryDropped holds from the check that sees
 * cmHistoryDroppedWindows grow until a whole windowInterval has passed
 * without it growing (a window closes each interval: one that is not
 * dropped ends the condition); cmHistoryDown holds while the database
 * cannot be written (spooling or failed).
 */
static void
mib_history_notify(void)
{
	static const unsigned dropped[] = { MIB_cmHistoryKind,
		MIB_cmHistoryTarget, MIB_cmHistoryState,
		MIB_cmHistoryDroppedWindows, MIB_cmHistorySpoolBytes,
		MIB_cmHistoryLastError };
	static const unsigned dropped_clear[] = { MIB_cmHistoryKind,
		MIB_cmHistoryTarget, MIB_cmHistoryState,
		MIB_cmHistoryDroppedWindows };
	static const unsigned down[] = { MIB_cmHistoryKind,
		MIB_cmHistoryTarget, MIB_cmHistoryState,
		MIB_cmHistorySpooledWindows, MIB_cmHistorySpoolBytes,
		MIB_cmHistoryLastError };
	static const unsigned up[] = { MIB_cmHistoryKind,
		MIB_cmHistoryTarget, MIB_cmHistoryState,
		MIB_cmHistorySpooledWindows, MIB_cmHistoryLastWrite };
	static uint64_t last_dropped;
	static time_t last_growth;
	time_t now = time(NULL);
	enum histdb_state st;
	int dropping, is_down;

	if (hi_kind == HISTDB_KIND_NONE)
		return;
	mibtable_begin(&history_scalars);
	if (hi_have_status && hi_status.hs_windows_dropped > last_dropped) {
		last_dropped = hi_status.hs_windows_dropped;
		last_growth = now;
	}
	dropping = last_growth != 0 &&
	    now - last_growth < (time_t)cm_config.cc_window_interval;
	st = mib_history_state();
	is_down = st == HISTDB_STATE_SPOOLING || st == HISTDB_STATE_FAILED;

	/* The instance is the scalars' ".0"; varbinds only when notify
	 * may send them. */
	notify_round_begin(NOTIFY_HISTORY_DROPPED);
	notify_report(NOTIFY_HISTORY_DROPPED, "0", dropping, dropping ?
	    mib_history_vars(dropped, MIBTABLE_COUNT(dropped)) :
	    notify_tracks(NOTIFY_HISTORY_DROPPED, "0") ?
	    mib_history_vars(dropped_clear, MIBTABLE_COUNT(dropped_clear)) :
	    NULL);
	notify_round_end(NOTIFY_HISTORY_DROPPED);
	notify_round_begin(NOTIFY_HISTORY_DOWN);
	notify_report(NOTIFY_HISTORY_DOWN, "0", is_down, is_down ?
	    mib_history_vars(down, MIBTABLE_COUNT(down)) :
	    notify_tracks(NOTIFY_HISTORY_DOWN, "0") ?
	    mib_history_vars(up, MIBTABLE_COUNT(up)) : NULL);
	notify_round_end(NOTIFY_HISTORY_DOWN);
	mibtable_end(&history_scalars);
}

int
mib_history_init(void)
{
	struct mt_table *tables[] = { &history_scalars };

	if (mibtable_register(tables, MIBTABLE_COUNT(tables)) == -1)
		return -1;
	return notify_register_check(mib_history_notify);
}
