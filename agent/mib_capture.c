/*
 * mib_capture: the cmCapture, cmSessions and cmServices groups, and the
 * coremon.conf lines that set up packet capture (src/capture/pipeline).
 *
 * The monitor's capture thread (src/monitor, src/capture/pipeline) publishes one
 * immutable snapshot per observation window; a request holds the latest
 * one for all its varbinds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coremond.h"
#include "mib_capture.h"
#include "mib_services.h"
#include "mib_sessions.h"
#include "mibtable.h"
#include "notify.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "capture/pipeline.h"
#include "monitor.h"

static struct pipeline_config	 cp_config;
static struct services		*cp_services;
static struct localnet		*cp_localnet;
static const char		*cp_ifaces[CAP_MAX_SOURCES];
static char			*cp_filter;

/* Held for the length of one request. */
static const struct window_snapshot	*cp_snap;
static char				 cp_ports[SERVICES_MAX + 1][256];
static struct cap_stats			 cp_stats[CAP_MAX_SOURCES];
static size_t				 cp_nstats;
/* The rows of cmCaptureKindTable: (source, kind) pairs with packets,
 * in index order. */
static struct {
	uint8_t	ck_source;
	uint8_t	ck_kind;			/* enum decode_kind */
} cp_kinds[CAP_MAX_SOURCES * DECODE_NKINDS];
static size_t				 cp_nkinds;

/* Configuration */

/* Defaults before the first option or line that changes them. */
static void
mib_capture_defaults(void)
{
	static int done;

	if (!done) {
		pipeline_config_default(&cp_config);
		done = 1;
	}
}

static void
mib_capture_add_iface(const char *name)
{
	size_t i, n;

	mib_capture_defaults();
	n = cp_config.pc_capture.cc_nifaces;
	for (i = 0; i < n; i++)
		if (strcmp(cp_ifaces[i], name) == 0)
			return;
	if (n == CAP_MAX_SOURCES) {
		config_perror("too many capture interfaces (at most 16)");
		return;
	}
	if ((cp_ifaces[n] = strdup(name)) == NULL)
		return;
	cp_config.pc_capture.cc_ifaces[n] = cp_ifaces[n];
	cp_config.pc_capture.cc_nifaces = n + 1;
}

static void
mib_capture_parse_iface(const char *token, char *line)
{
	char *save = NULL, *w;

	(void)token;
	for (w = strtok_r(line, " \t,", &save); w != NULL;
	    w = strtok_r(NULL, " \t,", &save))
		mib_capture_add_iface(w);
}

static void
mib_capture_parse_filter(const char *token, char *line)
{
	(void)token;
	free(cp_filter);
	cp_filter = strdup(line);
	cp_config.pc_capture.cc_filter = cp_filter;
}

/* service and localNet: the src/ parsers say what is wrong. */
static void
mib_capture_parse_service(const char *token, char *line)
{
	char err[256];

	(void)token;
	if (services_parse(cp_services, line, err, sizeof(err)) == -1)
		config_perror(err);
}

static void
mib_capture_parse_localnet(const char *token, char *line)
{
	char err[256];

	(void)token;
	if (localnet_parse(cp_localnet, line, err, sizeof(err)) == -1)
		config_perror(err);
}

static void
mib_capture_parse_number(const char *token, char *line)
{
	static const struct {
		const char	*name;
		unsigned long	 min, max;
	} nums[] = {
		{ "captureSnaplen", 64, 65535 },
		/* MiB; 2048 is taken as CAP_BUFFER_MAX, 2047 */
		{ "captureBuffer", 1, 2048 },
		{ "maxSessions", 1000, 10000000 },
		{ "topSessions", 1, 10000 },
	};
	unsigned long v;
	size_t i;
	char *end;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (strcasecmp(token, nums[i].name) == 0)
			break;
	errno = 0;
	v = strtoul(line, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (errno || end == line || *end || line[0] == '-' ||
	    v < nums[i].min || v > nums[i].max) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s: \"%s\" is not a whole number "
		    "from %lu to %lu", nums[i].name, line, nums[i].min,
		    nums[i].max);
		config_perror(msg);
		return;
	}
	if (i == 0)
		cp_config.pc_capture.cc_snaplen = (int)v;
	else if (i == 1)
		cp_config.pc_capture.cc_buffer = (uint32_t)v << 20;
	else if (i == 2)
		cp_config.pc_window.wc_max_sessions = v;
	else
		cp_config.pc_window.wc_top = (unsigned)v;
}

static void
mib_capture_parse_promisc(const char *token, char *line)
{
	(void)token;
	if (strcasecmp(line, "yes") == 0)
		cp_config.pc_capture.cc_promisc = 1;
	else if (strcasecmp(line, "no") == 0)
		cp_config.pc_capture.cc_promisc = 0;
	else
		config_perror("capturePromiscuous: expected yes or no");
}

int
mib_capture_register_config(void)
{
	static const char *numbers[] = { "captureSnaplen", "captureBuffer",
		"maxSessions", "topSessions" };
	size_t i;

	mib_capture_defaults();
	if ((cp_services = services_new()) == NULL ||
	    (cp_localnet = localnet_new()) == NULL)
		return -1;
	register_app_config_handler("captureInterface", mib_capture_parse_iface,
	    NULL, "NAME [NAME...]");
	register_app_config_handler("captureFilter", mib_capture_parse_filter,
	    NULL, "BPF-EXPRESSION");
	register_app_config_handler("capturePromiscuous",
	    mib_capture_parse_promisc, NULL, "yes|no");
	for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
		register_app_config_handler(numbers[i], mib_capture_parse_number,
		    NULL, "NUMBER");
	register_app_config_handler("service", mib_capture_parse_service, NULL,
	    "NAME PROTO[,PROTO] PORT[,PORT|LO-HI...]");
	register_app_config_handler("localNet", mib_capture_parse_localnet, NULL,
	    "PREFIX/LEN [PREFIX/LEN...]");
	return 0;
}

/* -i IFACE on the command line: the same as captureInterface. */
void
mib_capture_option_iface(const char *name)
{
	mib_capture_add_iface(name);
}

/* -r FILE: replay it instead of capturing live. */
void
mib_capture_option_file(const char *path)
{
	mib_capture_defaults();
	cp_config.pc_capture.cc_file = path;
}

/* Request scope: the latest window and the capture counters. */

static void
mib_capture_kind_rows(void)
{
	size_t s;
	unsigned k;

	cp_nkinds = 0;
	for (s = 0; s < cp_nstats; s++)
		for (k = 0; k < DECODE_NKINDS; k++) {
			if (cp_stats[s].cs_kind_packets[k] == 0)
				continue;
			cp_kinds[cp_nkinds].ck_source = (uint8_t)s;
			cp_kinds[cp_nkinds].ck_kind = (uint8_t)k;
			cp_nkinds++;
		}
}

static void
mib_capture_begin(void *arg)
{
	struct pipeline *pl = monitor_pipeline(cm_monitor);

	(void)arg;
	cp_snap = pl != NULL ? window_acquire(pipeline_window(pl)) : NULL;
	cp_nstats = pl != NULL ? capture_stats(pipeline_capture(pl), cp_stats,
	    CAP_MAX_SOURCES) : 0;
	if (cp_nstats > CAP_MAX_SOURCES)
		cp_nstats = CAP_MAX_SOURCES;
	mib_capture_kind_rows();
}

static void
mib_capture_end(void *arg)
{
	(void)arg;
	window_release(cp_snap);
	cp_snap = NULL;
}

static uint64_t
mib_capture_version(void *arg)
{
	(void)arg;
	return cp_snap == NULL ? 0 : cp_snap->wn_number;
}

/* cmCapture scalars and cmCaptureTable */

static int
mib_capture_scalar_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	uint64_t sum = 0;
	size_t s;

	(void)arg;
	(void)i;
	if (col < MIB_cmCaptureSources || col > MIB_cmCaptureTotalDecodeErrors)
		return -1;
	for (s = 0; s < cp_nstats; s++) {
		const struct cap_stats *st = &cp_stats[s];

		if (col == MIB_cmCaptureTotalPackets)
			sum += st->cs_packets;
		else if (col == MIB_cmCaptureTotalOctets)
			sum += st->cs_octets;
		else if (col == MIB_cmCaptureTotalDrops)
			sum += st->cs_kernel_drops;
		else if (col == MIB_cmCaptureTotalDecodeErrors)
			sum += st->cs_result[DECODE_TRUNCATED] +
			    st->cs_result[DECODE_BAD_VERSION] +
			    st->cs_result[DECODE_BAD_HEADER_LENGTH] +
			    st->cs_result[DECODE_UNSUPPORTED_LINK] +
			    st->cs_result[DECODE_TOO_MANY_VLANS];
	}
	if (col == MIB_cmCaptureSources)
		mt_gauge(v, cp_nstats);
	else
		mt_counter64(v, sum);
	return 0;
}

static const oid capture_oid[] = { OID_cmCapture };
static struct mt_table capture_scalars = {
	.mt_name = "cmCapture",
	.mt_entry = capture_oid,
	.mt_entry_len = OID_LENGTH(capture_oid),
	.mt_mincol = MIB_cmCaptureSources,
	.mt_maxcol = MIB_cmCaptureTotalDecodeErrors,
	.mt_count = mibtable_scalar_count,
	.mt_index = mibtable_scalar_index,
	.mt_value = mib_capture_scalar_value,
	.mt_begin = mib_capture_begin,
	.mt_end = mib_capture_end,
};

static size_t
source_count(void *arg)
{
	(void)arg;
	return cp_nstats;
}

static size_t
source_index(void *arg, size_t i, oid *idx)
{
	(void)arg;
	idx[0] = i + 1;
	return 1;
}

static int
source_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct cap_stats *st = &cp_stats[i];

	(void)arg;
	switch (col) {
	case MIB_cmCaptureName:
		mt_string(v, st->cs_name, strlen(st->cs_name));
		break;
	case MIB_cmCaptureSourceType:
		mt_integer(v, st->cs_is_file ? 2 : 1);
		break;
	case MIB_cmCaptureStatus:
		mt_integer(v, st->cs_status);
		break;
	case MIB_cmCaptureError:
		mt_string(v, st->cs_error, strlen(st->cs_error));
		break;
	case MIB_cmCaptureLinkType:
		mt_unsigned(v, (uint64_t)st->cs_linktype);
		break;
	case MIB_cmCaptureLinkTypeName:
		mt_string(v, st->cs_linktype_name,
		    strlen(st->cs_linktype_name));
		break;
	case MIB_cmCaptureFilter:
		mt_string(v, st->cs_filter, strlen(st->cs_filter));
		break;
	case MIB_cmCaptureSnaplen:
		mt_unsigned(v, (uint64_t)st->cs_snaplen);
		break;
	case MIB_cmCaptureBufferSize:
		mt_unsigned(v, (uint64_t)st->cs_buffer);
		break;
	case MIB_cmCapturePromiscuous:
		mt_truth(v, st->cs_promisc);
		break;
	case MIB_cmCapturePackets:
		mt_counter64(v, st->cs_packets);
		break;
	case MIB_cmCaptureOctets:
		mt_counter64(v, st->cs_octets);
		break;
	case MIB_cmCaptureNonIpPackets:
		mt_counter64(v, st->cs_result[DECODE_NOT_IP]);
		break;
	case MIB_cmCaptureKernelDrops:
		mt_counter64(v, st->cs_kernel_drops);
		break;
	case MIB_cmCaptureIfDrops:
		mt_counter64(v, st->cs_if_drops);
		break;
	case MIB_cmCaptureDecodeTruncated:
		mt_counter64(v, st->cs_result[DECODE_TRUNCATED]);
		break;
	case MIB_cmCaptureDecodeBadVersion:
		mt_counter64(v, st->cs_result[DECODE_BAD_VERSION]);
		break;
	case MIB_cmCaptureDecodeBadHeaderLen:
		mt_counter64(v, st->cs_result[DECODE_BAD_HEADER_LENGTH]);
		break;
	case MIB_cmCaptureDecodeUnsupportedLink:
		mt_counter64(v, st->cs_result[DECODE_UNSUPPORTED_LINK]);
		break;
	case MIB_cmCaptureWindowLoss:
		mt_gauge(v, st->cs_window_loss);
		break;
	case MIB_cmCaptureBadTimestamps:
		mt_counter64(v, st->cs_bad_timestamps);
		break;
	case MIB_cmCaptureLatePackets:
		mt_counter64(v, cp_snap != NULL && i < WINDOW_SOURCES ?
		    cp_snap->wn_late_packets[i] : 0);
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid source_entry_oid[] = { OID_cmCaptureEntry };
static struct mt_table source_table = {
	.mt_name = "cmCaptureTable",
	.mt_entry = source_entry_oid,
	.mt_entry_len = OID_LENGTH(source_entry_oid),
	.mt_mincol = MIB_cmCaptureName,
	.mt_maxcol = MIB_cmCaptureLatePackets,
	.mt_count = source_count,
	.mt_index = source_index,
	.mt_value = source_value,
	.mt_begin = mib_capture_begin,
	.mt_end = mib_capture_end,
};

/* cmCaptureKindTable: (source, kind) rows with packets. */

static size_t
kind_count(void *arg)
{
	(void)arg;
	return cp_nkinds;
}

static size_t
kind_index(void *arg, size_t i, oid *idx)
{
	(void)arg;
	idx[0] = (oid)cp_kinds[i].ck_source + 1;
	idx[1] = (oid)cp_kinds[i].ck_kind + 1;	/* cmCaptureKindIndex */
	return 2;
}

static int
kind_class(unsigned k)
{
	if (k >= DECODE_KIND_FIRST_NOT_IP)
		return CM_KIND_CLASS_NOT_IP;
	if (k >= DECODE_KIND_GRE)
		return CM_KIND_CLASS_TUNNEL;
	return CM_KIND_CLASS_LINK_LAYER;
}

static int
kind_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct cap_stats *st = &cp_stats[cp_kinds[i].ck_source];
	unsigned k = cp_kinds[i].ck_kind;
	const char *name = decode_kind_name(k);

	(void)arg;
	switch (col) {
	case MIB_cmCaptureKindName:
		mt_string(v, name, strlen(name));
		break;
	case MIB_cmCaptureKindClass:
		mt_integer(v, kind_class(k));
		break;
	case MIB_cmCaptureKindPackets:
		mt_counter64(v, st->cs_kind_packets[k]);
		break;
	case MIB_cmCaptureKindOctets:
		mt_counter64(v, st->cs_kind_octets[k]);
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid kind_entry_oid[] = { OID_cmCaptureKindEntry };
static struct mt_table kind_table = {
	.mt_name = "cmCaptureKindTable",
	.mt_entry = kind_entry_oid,
	.mt_entry_len = OID_LENGTH(kind_entry_oid),
	.mt_mincol = MIB_cmCaptureKindName,
	.mt_maxcol = MIB_cmCaptureKindOctets,
	.mt_count = kind_count,
	.mt_index = kind_index,
	.mt_value = kind_value,
	.mt_begin = mib_capture_begin,
	.mt_end = mib_capture_end,
};

/* cmSessions scalars */

/* Before the first window closes, or without capture, the scalars read
 * as this window: every count 0, the start the epoch (as the MIB says),
 * each with its own type. */
static const struct window_snapshot	no_window;

static int
mib_sessions_scalar_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct window_snapshot *w = cp_snap ? cp_snap : &no_window;
	const struct session_totals *t;

	(void)arg;
	(void)i;
	if (col == MIB_cmSessionMaxSessions) {
		mt_unsigned(v, cp_config.pc_window.wc_max_sessions);
		return 0;
	}
	if (col == MIB_cmSessionTopSize) {
		mt_unsigned(v, cp_config.pc_window.wc_top);
		return 0;
	}
	t = &w->wn_totals;
	switch (col) {
	case MIB_cmSessionWindowNumber:
		mt_counter32(v, w->wn_number);
		break;
	case MIB_cmSessionWindowStart:
		mt_dateandtime(v, (time_t)(w->wn_start_us / 1000000));
		break;
	case MIB_cmSessionWindowLength:
		mt_gauge(v, (uint64_t)w->wn_length_us / 1000);
		break;
	case MIB_cmSessionWindowSessions:
		mt_gauge(v, w->wn_sessions);
		break;
	case MIB_cmSessionWindowOverflows:
		mt_gauge(v, w->wn_overflowed);
		break;
	case MIB_cmSessionOverflows:
		mt_counter64(v, w->wn_overflowed_total);
		break;
	case MIB_cmSessionTopRows:
		mt_gauge(v, w->wn_nrows);
		break;
	case MIB_cmSessionWindowInOctets:
		mt_counter64(v, t->tt_remote.sc_octets_in);
		break;
	case MIB_cmSessionWindowOutOctets:
		mt_counter64(v, t->tt_remote.sc_octets_out);
		break;
	case MIB_cmSessionWindowInPackets:
		mt_counter64(v, t->tt_remote.sc_packets_in);
		break;
	case MIB_cmSessionWindowOutPackets:
		mt_counter64(v, t->tt_remote.sc_packets_out);
		break;
	case MIB_cmSessionWindowLocalOctets:
		mt_counter64(v, t->tt_local_octets);
		break;
	case MIB_cmSessionWindowLocalPackets:
		mt_counter64(v, t->tt_local_packets);
		break;
	case MIB_cmSessionWindowTransitOctets:
		mt_counter64(v, t->tt_transit.sc_octets_in +
		    t->tt_transit.sc_octets_out);
		break;
	case MIB_cmSessionWindowTransitPackets:
		mt_counter64(v, t->tt_transit.sc_packets_in +
		    t->tt_transit.sc_packets_out);
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid sessions_oid[] = { OID_cmSessions };
static struct mt_table session_scalars = {
	.mt_name = "cmSessions",
	.mt_entry = sessions_oid,
	.mt_entry_len = OID_LENGTH(sessions_oid),
	.mt_mincol = MIB_cmSessionWindowNumber,
	.mt_maxcol = MIB_cmSessionWindowTransitPackets,
	.mt_count = mibtable_scalar_count,
	.mt_index = mibtable_scalar_index,
	.mt_value = mib_sessions_scalar_value,
	.mt_begin = mib_capture_begin,
	.mt_end = mib_capture_end,
};

/* cmSessionTopTable: rank 1..N of the last window. */

static size_t
top_count(void *arg)
{
	(void)arg;
	return cp_snap == NULL ? 0 : cp_snap->wn_nrows;
}

static size_t
rank_index(void *arg, size_t i, oid *idx)
{
	(void)arg;
	idx[0] = i + 1;
	return 1;
}

static size_t
addr_len(uint8_t family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

static const char *
mib_services_name(unsigned index)
{
	const struct service *sv = services_get(cp_services, index);

	return sv != NULL ? sv->sv_name : "";
}

static int
top_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct window_row *r = &cp_snap->wn_rows[i];
	const struct session_key *k = &r->wr_key;
	const char *name;

	(void)arg;
	switch (col) {
	case MIB_cmSessionTopProtocol:
		mt_unsigned(v, k->sk_proto);
		break;
	case MIB_cmSessionTopAddressType:
		mt_integer(v, k->sk_family == AF_INET ? 1 :
		    k->sk_family == AF_INET6 ? 2 : 0);
		break;
	case MIB_cmSessionTopLocalAddress:
		mt_string(v, k->sk_local, addr_len(k->sk_family));
		break;
	case MIB_cmSessionTopRemoteAddress:
		mt_string(v, k->sk_remote, addr_len(k->sk_family));
		break;
	case MIB_cmSessionTopServicePort:
		mt_unsigned(v, k->sk_port);
		break;
	case MIB_cmSessionTopServiceIndex:
		mt_unsigned(v, r->wr_service);
		break;
	case MIB_cmSessionTopServiceName:
		name = mib_services_name(r->wr_service);
		mt_string(v, name, strlen(name));
		break;
	case MIB_cmSessionTopInOctets:
		mt_counter64(v, r->wr_counts.sc_octets_in);
		break;
	case MIB_cmSessionTopOutOctets:
		mt_counter64(v, r->wr_counts.sc_octets_out);
		break;
	case MIB_cmSessionTopInPackets:
		mt_counter64(v, r->wr_counts.sc_packets_in);
		break;
	case MIB_cmSessionTopOutPackets:
		mt_counter64(v, r->wr_counts.sc_packets_out);
		break;
	case MIB_cmSessionTopOctetRate:
		mt_counter64(v, r->wr_rate);
		break;
	case MIB_cmSessionTopFirstTime:
		mt_dateandtime(v, (time_t)(r->wr_first_us / 1000000));
		break;
	case MIB_cmSessionTopLastTime:
		mt_dateandtime(v, (time_t)(r->wr_last_us / 1000000));
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid top_entry_oid[] = { OID_cmSessionTopEntry };
static struct mt_table top_table = {
	.mt_name = "cmSessionTopTable",
	.mt_entry = top_entry_oid,
	.mt_entry_len = OID_LENGTH(top_entry_oid),
	.mt_mincol = MIB_cmSessionTopProtocol,
	.mt_maxcol = MIB_cmSessionTopLastTime,
	.mt_count = top_count,
	.mt_index = rank_index,
	.mt_value = top_value,
	.mt_begin = mib_capture_begin,
	.mt_end = mib_capture_end,
	.mt_version = mib_capture_version,
};

/* cmSessionProtoTable: one row per IP protocol seen since start.  The
 * rows are found by a scan of 256 slots: cheap, and the only table that
 * needs it. */

static size_t
proto_nth(size_t i)
{
	size_t p, n = 0;

	for (p = 0; p < 256; p++) {
		const struct session_counts *c = &cp_snap->wn_cum_by_proto[p];

		if (c->sc_packets_in + c->sc_packets_out == 0)
			continue;
		if (n++ == i)
			return p;
	}
	return 256;
}

static size_t
proto_count(void *arg)
{
	size_t p, n = 0;

	(void)arg;
	if (cp_snap == NULL)
		return 0;
	for (p = 0; p < 256; p++)
		n += cp_snap->wn_cum_by_proto[p].sc_packets_in +
		    cp_snap->wn_cum_by_proto[p].sc_packets_out != 0;
	return n;
}

static size_t
proto_index(void *arg, size_t i, oid *idx)
{
	(void)arg;
	idx[0] = proto_nth(i);
	return 1;
}

static const char *
proto_name(size_t p)
{
	switch (p) {
	case 1:   return "icmp";
	case 2:   return "igmp";
	case 4:   return "ipip";
	case 6:   return "tcp";
	case 17:  return "udp";
	case 41:  return "ipv6";
	case 47:  return "gre";
	case 50:  return "esp";
	case 51:  return "ah";
	case 58:  return "ipv6-icmp";
	case 89:  return "ospf";
	case 103: return "pim";
	case 112: return "vrrp";
	case 132: return "sctp";
	case 136: return "udplite";
	default:  return "";
	}
}

static int
proto_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	size_t p = proto_nth(i);
	const struct session_counts *w = &cp_snap->wn_totals.tt_by_proto[p];
	const struct session_counts *c = &cp_snap->wn_cum_by_proto[p];
	const char *name = proto_name(p);

	(void)arg;
	switch (col) {
	case MIB_cmSessionProtoName:
		mt_string(v, name, strlen(name));
		break;
	case MIB_cmSessionProtoWindowInOctets:
		mt_counter64(v, w->sc_octets_in);
		break;
	case MIB_cmSessionProtoWindowOutOctets:
		mt_counter64(v, w->sc_octets_out);
		break;
	case MIB_cmSessionProtoWindowInPackets:
		mt_counter64(v, w->sc_packets_in);
		break;
	case MIB_cmSessionProtoWindowOutPackets:
		mt_counter64(v, w->sc_packets_out);
		break;
	case MIB_cmSessionProtoInOctets:
		mt_counter64(v, c->sc_octets_in);
		break;
	case MIB_cmSessionProtoOutOctets:
		mt_counter64(v, c->sc_octets_out);
		break;
	case MIB_cmSessionProtoInPackets:
		mt_counter64(v, c->sc_packets_in);
		break;
	case MIB_cmSessionProtoOutPackets:
		mt_counter64(v, c->sc_packets_out);
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid proto_entry_oid[] = { OID_cmSessionProtoEntry };
static struct mt_table proto_table = {
	.mt_name = "cmSessionProtoTable",
	.mt_entry = proto_entry_oid,
	.mt_entry_len = OID_LENGTH(proto_entry_oid),
	.mt_mincol = MIB_cmSessionProtoName,
	.mt_maxcol = MIB_cmSessionProtoOutPackets,
	.mt_count = proto_count,
	.mt_index = proto_index,
	.mt_value = proto_value,
	.mt_begin = mib_capture_begin,
	.mt_end = mib_capture_end,
};

/* cmServiceTable: the catalogue, with last-window and since-start sums. */

static size_t
mib_services_count(void *arg)
{
	(void)arg;
	return services_count(cp_services);
}

static int
mib_services_value(void *arg, size_t i, unsigned col, struct mt_value *v)
{
	const struct service *sv = services_get(cp_services, (unsigned)i + 1);
	static const struct session_counts none;
	const struct session_counts *w = &none, *c = &none;
	(void)arg;
	if (cp_snap != NULL) {
		w = &cp_snap->wn_totals.tt_by_service[sv->sv_index];
		c = &cp_snap->wn_cum_by_service[sv->sv_index];
	}
	switch (col) {
	case MIB_cmServiceName:
		mt_string(v, sv->sv_name, strlen(sv->sv_name));
		break;
	case MIB_cmServiceProtocols:
		/* BITS: tcp(0) is the first octet's high bit. */
		v->mv_buf[0] = (u_char)(((sv->sv_protocols & SERVICE_TCP) ?
		    0x80 : 0) | ((sv->sv_protocols & SERVICE_UDP) ? 0x40 : 0) |
		    ((sv->sv_protocols & SERVICE_SCTP) ? 0x20 : 0));
		mt_string(v, v->mv_buf, 1);
		break;
	case MIB_cmServicePorts:
		mt_string(v, cp_ports[sv->sv_index],
		    strlen(cp_ports[sv->sv_index]));
		break;
	case MIB_cmServiceWindowInOctets:
		mt_counter64(v, w->sc_octets_in);
		break;
	case MIB_cmServiceWindowOutOctets:
		mt_counter64(v, w->sc_octets_out);
		break;
	case MIB_cmServiceWindowInPackets:
		mt_counter64(v, w->sc_packets_in);
		break;
	case MIB_cmServiceWindowOutPackets:
		mt_counter64(v, w->sc_packets_out);
		break;
	case MIB_cmServiceInOctets:
		mt_counter64(v, c->sc_octets_in);
		break;
	case MIB_cmServiceOutOctets:
		mt_counter64(v, c->sc_octets_out);
		break;
	case MIB_cmServiceInPackets:
		mt_counter64(v, c->sc_packets_in);
		break;
	case MIB_cmServiceOutPackets:
		mt_counter64(v, c->sc_packets_out);
		break;
	default:
		return -1;
	}
	return 0;
}

static const oid service_entry_oid[] = { OID_cmServiceEntry };
static struct mt_table service_table = {
	.mt_name = "cmServiceTable",
	.mt_entry = service_entry_oid,
	.mt_entry_len = OID_LENGTH(service_entry_oid),
	.mt_mincol = MIB_cmServiceName,
	.mt_maxcol = MIB_cmServiceOutPackets,
	.mt_count = mib_services_count,
	.mt_index = rank_index,		/* cmServiceIndex is 1.. too */
	.mt_value = mib_services_value,
	.mt_begin = mib_capture_begin,
	.mt_end = mib_capture_end,
};

/* cmCaptureLoss: a source whose kernel dropped more than
 * captureLossThreshold of the last window's packets. */
static void
mib_capture_notify(void)
{
	static const unsigned cols[] = { MIB_cmCaptureName,
		MIB_cmCaptureWindowLoss, MIB_cmCaptureKernelDrops };
	static uint64_t last_window;
	char key[24];
	size_t i, c;

	if (notify_config.nc_capture_loss_x100 == 0 ||
	    monitor_pipeline(cm_monitor) == NULL)
		return;
	mib_capture_begin(NULL);
	if (cp_snap == NULL || cp_snap->wn_number == last_window) {
		mib_capture_end(NULL);
		return;
	}
	last_window = cp_snap->wn_number;
	notify_round_begin(NOTIFY_CAPTURE_LOSS);
	for (i = 0; i < cp_nstats; i++) {
		netsnmp_variable_list *vars = NULL;

		for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
			mibtable_varbind(&source_table, i, cols[c], &vars);
		notify_add_threshold(&vars, NT_CAPTURE_LOSS);
		snprintf(key, sizeof(key), "%zu", i + 1);
		notify_report(NOTIFY_CAPTURE_LOSS, key,
		    cp_stats[i].cs_window_loss >
		    notify_config.nc_capture_loss_x100, vars);
	}
	notify_round_end(NOTIFY_CAPTURE_LOSS);
	mib_capture_end(NULL);
}

/* Into the monitor's configuration, once coremon.conf is read. */
void
mib_capture_config(struct monitor_config *mc)
{
	mib_capture_defaults();
	cp_config.pc_window.wc_interval = cm_config.cc_window_interval;
	mc->mc_pipeline = cp_config;
	mc->mc_services = cp_services;
	mc->mc_localnet = cp_localnet;
}

int
mib_capture_init(void)
{
	struct mt_table *tables[] = { &capture_scalars, &source_table,
		&kind_table, &session_scalars, &top_table, &proto_table, &service_table };
	size_t i;

	for (i = 1; i <= services_count(cp_services); i++)
		services_ports_text(cp_services, (unsigned)i, cp_ports[i],
		    sizeof(cp_ports[i]));
	if (mibtable_register(tables, MIBTABLE_COUNT(tables)) == -1)
		return -1;
	return notify_register_check(mib_capture_notify);
}

/* After the monitor is gone: what the configuration lines allocated. */
void
mib_capture_free_config(void)
{
	services_free(cp_services);
	localnet_free(cp_localnet);
	free(cp_filter);
	for (size_t i = 0; i < CAP_MAX_SOURCES; i++)
		free((char *)cp_ifaces[i]);
}
