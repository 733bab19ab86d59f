/*
 * mib_hosts: the cmHosts group (src/store/hostdb: every remote host, by service,
 * kept across restarts; the top hosts of the last window) and cmArchive
 * (src/archive: one line a window, per-day totals), served from the
 * snapshots of the monitor's host database and archive (src/monitor
 * feeds both at each window's end), and their coremon.conf lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "coremond.h"
#include "mib_archive.h"
#include "mib_hosts.h"
#include "mibtable.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "lib/units.h"
#include "monitor.h"
#include "store/archive.h"
#include "store/hostdb.h"

static struct hostdb_config	 ho_config;
static struct archive_config	 ho_archive_config;
static char			 ho_file[256] = "/var/lib/coremon/hostdb";
static char			 ho_archive_dir[256] = "/var/lib/coremon/archive";
static unsigned			 ho_save_interval = 300;
static int			 ho_resolve;

/* Held for the length of one request. */
static const struct hostdb_snapshot	*ho_snap;
static const struct archive_snapshot	*ho_days;
static struct hostdb_host		 ho_host;	/* expanded */
static size_t				 ho_host_pos = SIZE_MAX;

/* Configuration */

static void
mib_hosts_parse(const char *token, char *line)
{
	char err[256], msg[320];
	uint64_t n;
	size_t len = strlen(line);
	int rc = 0;

	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		line[--len] = '\0';
	if (strcasecmp(token, "maxHosts") == 0) {
		rc = units_count(line, 1, 100000000, &n, err, sizeof(err));
		ho_config.hc_max_hosts = n;
	} else if (strcasecmp(token, "topHosts") == 0) {
		rc = units_count(line, 1, HOSTDB_TOP_MAX, &n, err, sizeof(err));
		ho_config.hc_top_hosts = (unsigned)n;
	} else if (strcasecmp(token, "hostdbSaveInterval") == 0) {
		rc = units_count(line, 10, 86400, &n, err, sizeof(err));
		ho_save_interval = (unsigned)n;
	} else if (strcasecmp(token, "archiveDays") == 0) {
		rc = units_count(line, 1, ARCHIVE_DAYS_MAX, &n, err,
		    sizeof(err));
		ho_archive_config.ac_days = (unsigned)n;
	} else if (strcasecmp(token, "archiveCompressAfter") == 0) {
		rc = units_count(line, 0, ARCHIVE_DAYS_MAX, &n, err,
		    sizeof(err));
		ho_archive_config.ac_compress_after = (unsigned)n;
	} else if (strcasecmp(token, "hostdbScope") == 0) {
		if (strcasecmp(line, "remote") == 0)
			ho_config.hc_scope = HOSTDB_SCOPE_REMOTE;
		else if (strcasecmp(line, "all") == 0)
			ho_config.hc_scope = HOSTDB_SCOPE_ALL;
		else
			rc = -1, snprintf(err, sizeof(err),
			    "\"%s\" is not remote or all", line);
	} else if (strcasecmp(token, "hostdbReset") == 0) {
		if (strcasecmp(line, "monthly") == 0)
			ho_config.hc_reset = HOSTDB_RESET_MONTHLY;
		else if (strcasecmp(line, "never") == 0)
			ho_config.hc_reset = HOSTDB_RESET_NEVER;
		else
			rc = -1, snprintf(err, sizeof(err),
			    "\"%s\" is not monthly or never", line);
	} else if (strcasecmp(token, "resolveNames") == 0) {
		if (strcasecmp(line, "yes") == 0 || strcasecmp(line, "no") == 0)
			ho_resolve = strcasecmp(line, "yes") == 0;
		else
			rc = -1, snprintf(err, sizeof(err),
			    "\"%s\" is not yes or no", line);
	} else {	/* hostdbFile, archiveDir: absolute paths */
		char *dst = strcasecmp(token, "hostdbFile") == 0 ? ho_file :
		    ho_archive_dir;

		if (line[0] != '/' || len >= sizeof(ho_file))
			rc = -1, snprintf(err, sizeof(err),
			    "\"%s\" is not an absolute path", line);
		else
			memcpy(dst, line, len + 1);
	}
	if (rc == -1) {
		snprintf(msg, sizeof(msg), "%s: %s", token, err);
		config_perror(msg);
	}
}

void
mib_hosts_register_config(void)
{
	static const char *tokens[] = { "maxHosts", "topHosts", "hostdbScope",
		"hostdbFile", "hostdbSaveInterval", "hostdbReset",
		"resolveNames", "archiveDir", "archiveDays",
		"archiveCompressAfter" };
	size_t i;

	hostdb_config_default(&ho_config);
	archive_config_default(&ho_archive_config);
	for (i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
		register_app_config_handler(tokens[i], mib_hosts_parse, NULL,
		    "VALUE");
}

/* Request scope */

static void
mib_hosts_begin(void *arg)
{
	struct hostdb *db = monitor_hostdb(cm_monitor);
	struct archive *ar = monitor_archive(cm_monitor);

	(void)arg;
	ho_snap = db != NULL ? hostdb_acquire(db) : NULL;
	ho_days = ar != NULL ? archive_acquire(ar) : NULL;
	ho_host_pos = SIZE_MAX;
}

static void
mib_hosts_end(void *arg)
{
	(void)arg;
	hostdb_release(ho_snap);
	archive_release(ho_days);
	ho_snap = NULL;
	ho_days = NULL;
}

static uint64_t
mib_hosts_version(void *arg)
{
	(void)arg;
	return ho_snap == NULL ? 0 : ho_snap->hs_number + 1;
}

/* The host at pos, expanded once per position and request. */
static const struct hostdb_host *
mib_hosts_at(size_t pos)
{
	if (pos != ho_host_pos) {
		if (hostdb_snapshot_host(ho_snap, pos, &ho_host) == -1)
			return NULL;
		ho_host_pos = pos;
	}
	return &ho_host;
}

/* cmHosts scalars */

static int
mib_hosts_scalar_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct hostdb_snapshot *s = ho_snap;
	const struct hostdb_status *st;

	(void)arg;
	(void)i;
	if (s == NULL)
		return -1;
	st = &s->hs_status;
	switch (col) {
	case MIB_cmHostEntries:
		mt_gauge(v, s->hs_entries);
		break;
	case MIB_cmHostMaxEntries:
		mt_unsigned(v, s->hs_max_hosts);
		break;
	case MIB_cmHostEvictions:
		mt_counter64(v, s->hs_evictions);
		break;
	case MIB_cmHostScope:
		mt_integer(v, ho_config.hc_scope);
		break;
	case MIB_cmHostPeriodStart:
		mt_dateandtime(v, s->hs_period == 0 ? 0 :
		    (time_t)(archive_date_days(s->hs_period * 100 + 1) * 86400));
		break;
	case MIB_cmHostLastSaveTime:
		mt_dateandtime(v, (time_t)st->hst_save_time);
		break;
	case MIB_cmHostLastSaveResult:
		mt_integer(v, st->hst_save_result);
		break;
	case MIB_cmHostLoadResult:
		mt_integer(v, st->hst_load_result);
		break;
	case MIB_cmHostLoadEntries:
		mt_gauge(v, st->hst_loaded);
		break;
	case MIB_cmHostTopWindowNumber:
		mt_counter32(v, s->hs_number);
		break;
	case MIB_cmHostTopWindowStart:
		mt_dateandtime(v, (time_t)(s->hs_window_start_us / 1000000));
		break;
	case MIB_cmHostTopWindowLength:
		mt_gauge(v, (uint64_t)s->hs_window_length_us / 1000);
		break;
	case MIB_cmHostTopSize:
		mt_unsigned(v, s->hs_top_size);
		break;
	case MIB_cmHostTopRows:
		mt_gauge(v, s->hs_ntop);
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid hosts_oid[] = { OID_cmHosts };
static struct mt_table hosts_scalars = {
	.mt_name = "cmHosts",
	.mt_entry = hosts_oid,
	.mt_entry_len = OID_LENGTH(hosts_oid),
	.mt_mincol = MIB_cmHostEntries,
	.mt_maxcol = MIB_cmHostTopRows,
	.mt_count = mibtable_scalar_count,
	.mt_index = mibtable_scalar_index,
	.mt_value = mib_hosts_scalar_value,
	.mt_begin = mib_hosts_begin,
	.mt_end = mib_hosts_end,
};

/* cmHostTable: index address type + address, the snapshot's order. */

static size_t
host_count(void *arg)
{
	(void)arg;
	return ho_snap == NULL ? 0 : ho_snap->hs_entries;
}

static size_t
host_index(void *arg, size_t i, oid *idx)
{
	const struct hostdb_host *h = mib_hosts_at(i);

	(void)arg;
	return mt_index_inet(idx, h->hh_family == AF_INET6, h->hh_addr);
}

static int
host_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct hostdb_host *h = mib_hosts_at(i);
	const char *src;

	(void)arg;
	switch (col) {
	case MIB_cmHostName:
		mt_string(v, h->hh_name, strlen(h->hh_name));
		break;
	case MIB_cmHostSource:
		src = monitor_source_name(cm_monitor, h->hh_source);
		mt_string(v, src, strlen(src));
		break;
	case MIB_cmHostInOctets:
		mt_counter64(v, h->hh_counts.sc_octets_in);
		break;
	case MIB_cmHostOutOctets:
		mt_counter64(v, h->hh_counts.sc_octets_out);
		break;
	case MIB_cmHostInPackets:
		mt_counter64(v, h->hh_counts.sc_packets_in);
		break;
	case MIB_cmHostOutPackets:
		mt_counter64(v, h->hh_counts.sc_packets_out);
		break;
	case MIB_cmHostTotalOctets:
		mt_counter64(v, h->hh_counts.sc_octets_in +
		    h->hh_counts.sc_octets_out);
		break;
	case MIB_cmHostSessions:
		mt_counter64(v, h->hh_sessions);
		break;
	case MIB_cmHostFirstSeen:
		mt_dateandtime(v, (time_t)h->hh_first_seen);
		break;
	case MIB_cmHostLastSeen:
		mt_dateandtime(v, (time_t)h->hh_last_seen);
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid host_entry_oid[] = { OID_cmHostEntry };
static struct mt_table host_table = {
	.mt_name = "cmHostTable",
	.mt_entry = host_entry_oid,
	.mt_entry_len = OID_LENGTH(host_entry_oid),
	.mt_mincol = MIB_cmHostName,
	.mt_maxcol = MIB_cmHostLastSeen,
	.mt_count = host_count,
	.mt_index = host_index,
	.mt_value = host_value,
	.mt_begin = mib_hosts_begin,
	.mt_end = mib_hosts_end,
	.mt_version = mib_hosts_version,
};

/*
 * cmHostServiceTable: row i is service slot i % 8 of host i / 8.  A slot
 * the host does not use is a gap the walk skips; its index sorts after the
 * host's real services (service indexes stop at 255), so the rows stay in
 * index order for the binary search.
 */
static size_t
hsv_count(void *arg)
{
	(void)arg;
	return ho_snap == NULL ? 0 : ho_snap->hs_entries * HOSTDB_SERVICES;
}

static size_t
hsv_index(void *arg, size_t i, oid *idx)
{
	const struct hostdb_host *h = mib_hosts_at(i / HOSTDB_SERVICES);
	size_t j = i % HOSTDB_SERVICES, n;

	(void)arg;
	n = mt_index_inet(idx, h->hh_family == AF_INET6, h->hh_addr);
	idx[n] = j < h->hh_nservices ? h->hh_services[j].hv_service :
	    256 + j;
	return n + 1;
}

static int
hsv_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct hostdb_host *h = mib_hosts_at(i / HOSTDB_SERVICES);
	size_t j = i % HOSTDB_SERVICES;
	const struct session_counts *c;

	(void)arg;
	if (j >= h->hh_nservices)
		return -1;
	c = &h->hh_services[j].hv_counts;
	switch (col) {
	case MIB_cmHostServiceInOctets:
		mt_counter64(v, c->sc_octets_in);
		break;
	case MIB_cmHostServiceOutOctets:
		mt_counter64(v, c->sc_octets_out);
		break;
	case MIB_cmHostServiceInPackets:
		mt_counter64(v, c->sc_packets_in);
		break;
	case MIB_cmHostServiceOutPackets:
		mt_counter64(v, c->sc_packets_out);
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid hsv_entry_oid[] = { OID_cmHostServiceEntry };
static struct mt_table hsv_table = {
	.mt_name = "cmHostServiceTable",
	.mt_entry = hsv_entry_oid,
	.mt_entry_len = OID_LENGTH(hsv_entry_oid),
	.mt_mincol = MIB_cmHostServiceInOctets,
	.mt_maxcol = MIB_cmHostServiceOutPackets,
	.mt_count = hsv_count,
	.mt_index = hsv_index,
	.mt_value = hsv_value,
	.mt_begin = mib_hosts_begin,
	.mt_end = mib_hosts_end,
	.mt_version = mib_hosts_version,
};

/* cmHostTopTable: rank 1..N of the last window. */

static size_t
top_count(void *arg)
{
	(void)arg;
	return ho_snap == NULL ? 0 : ho_snap->hs_ntop;
}

static size_t
rank_index(void *arg, size_t i, oid *idx)
{
	(void)arg;
	idx[0] = i + 1;
	return 1;
}

static int
top_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct hostdb_top *t = &ho_snap->hs_top[i];
	int v6 = t->ht_family == AF_INET6;

	(void)arg;
	switch (col) {
	case MIB_cmHostTopAddressType:
		mt_inet_type(v, v6);
		break;
	case MIB_cmHostTopAddress:
		mt_string(v, t->ht_addr, v6 ? 16 : 4);
		break;
	case MIB_cmHostTopName:
		mt_string(v, t->ht_name, strlen(t->ht_name));
		break;
	case MIB_cmHostTopInOctets:
		mt_counter64(v, t->ht_counts.sc_octets_in);
		break;
	case MIB_cmHostTopOutOctets:
		mt_counter64(v, t->ht_counts.sc_octets_out);
		break;
	case MIB_cmHostTopInPackets:
		mt_counter64(v, t->ht_counts.sc_packets_in);
		break;
	case MIB_cmHostTopOutPackets:
		mt_counter64(v, t->ht_counts.sc_packets_out);
		break;
	case MIB_cmHostTopOctetRate:
		mt_counter64(v, t->ht_rate);
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid top_entry_oid[] = { OID_cmHostTopEntry };
static struct mt_table top_table = {
	.mt_name = "cmHostTopTable",
	.mt_entry = top_entry_oid,
	.mt_entry_len = OID_LENGTH(top_entry_oid),
	.mt_mincol = MIB_cmHostTopAddressType,
	.mt_maxcol = MIB_cmHostTopOctetRate,
	.mt_count = top_count,
	.mt_index = rank_index,
	.mt_value = top_value,
	.mt_begin = mib_hosts_begin,
	.mt_end = mib_hosts_end,
};

/* cmArchive scalars and cmDayTable */

static int
mib_archive_scalar_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct archive_snapshot *a = ho_days;

	(void)arg;
	(void)i;
	switch (col) {
	case MIB_cmArchiveDirectory:
		mt_string(v, ho_archive_dir, strlen(ho_archive_dir));
		break;
	case MIB_cmArchiveDays:
		mt_unsigned(v, ho_archive_config.ac_days);
		break;
	case MIB_cmArchiveDayRows:
		mt_gauge(v, a ? a->as_ndays : 0);
		break;
	case MIB_cmArchiveLines:
		mt_counter32(v, a ? a->as_lines : 0);
		break;
	case MIB_cmArchiveWriteErrors:
		mt_counter32(v, a ? a->as_errors : 0);
		break;
	case MIB_cmArchiveLastWrite:
		mt_dateandtime(v, a && a->as_ndays ? (time_t)archive_date_days(
		    a->as_days[a->as_ndays - 1].ad_date) * 86400 : 0);
		break;
	case MIB_cmArchiveBadLines:
		mt_counter32(v, a ? a->as_malformed : 0);
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid archive_oid[] = { OID_cmArchive };
static struct mt_table archive_scalars = {
	.mt_name = "cmArchive",
	.mt_entry = archive_oid,
	.mt_entry_len = OID_LENGTH(archive_oid),
	.mt_mincol = MIB_cmArchiveDirectory,
	.mt_maxcol = MIB_cmArchiveBadLines,
	.mt_count = mibtable_scalar_count,
	.mt_index = mibtable_scalar_index,
	.mt_value = mib_archive_scalar_value,
	.mt_begin = mib_hosts_begin,
	.mt_end = mib_hosts_end,
};

static size_t
day_count(void *arg)
{
	(void)arg;
	return ho_days == NULL ? 0 : ho_days->as_ndays;
}

static size_t
day_index(void *arg, size_t i, oid *idx)
{
	(void)arg;
	idx[0] = ho_days->as_days[i].ad_date;
	return 1;
}

static int
day_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct archive_day *d = &ho_days->as_days[i];

	(void)arg;
	switch (col) {
	case MIB_cmDayDate:
		mt_dateandtime(v, (time_t)archive_date_days(d->ad_date) *
		    86400);
		break;
	case MIB_cmDayInOctets:
		mt_counter64(v, d->ad_octets_in);
		break;
	case MIB_cmDayOutOctets:
		mt_counter64(v, d->ad_octets_out);
		break;
	case MIB_cmDayInPackets:
		mt_counter64(v, d->ad_packets_in);
		break;
	case MIB_cmDayOutPackets:
		mt_counter64(v, d->ad_packets_out);
		break;
	case MIB_cmDayWindows:
		mt_gauge(v, d->ad_windows);
		break;
	case MIB_cmDayMeanRtt:
		mt_gauge(v, d->ad_rtt_mean_us);
		break;
	case MIB_cmDayFileName:
		mt_string(v, d->ad_file, strlen(d->ad_file));
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid day_entry_oid[] = { OID_cmDayEntry };
static struct mt_table day_table = {
	.mt_name = "cmDayTable",
	.mt_entry = day_entry_oid,
	.mt_entry_len = OID_LENGTH(day_entry_oid),
	.mt_mincol = MIB_cmDayDate,
	.mt_maxcol = MIB_cmDayFileName,
	.mt_count = day_count,
	.mt_index = day_index,
	.mt_value = day_value,
	.mt_begin = mib_hosts_begin,
	.mt_end = mib_hosts_end,
};

/* Into the monitor's configuration, once coremon.conf is read. */
void
mib_hosts_config(struct monitor_config *mc)
{
	mc->mc_hostdb = ho_config;
	mc->mc_hostdb.hc_file = ho_file;
	mc->mc_save_interval = ho_save_interval;
	mc->mc_resolve = ho_resolve;
	mc->mc_archive = ho_archive_config;
	mc->mc_archive.ac_dir = ho_archive_dir;
}

int
mib_hosts_init(void)
{
	struct mt_table *tables[] = { &hosts_scalars, &host_table,
		&hsv_table, &top_table, &archive_scalars, &day_table };

	return mibtable_register(tables, MIBTABLE_COUNT(tables));
}
