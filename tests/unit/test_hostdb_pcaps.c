/*
 * The host database over real captures: each capture of
 * $SHARED/pcaps/zeek below is replayed through capture_replay() ->
 * window -> hostdb with a localNet chosen for it, and every remote
 * host's octets and packets in and out must equal what tshark's
 * `-z endpoints,ip` (and endpoints,ipv6) says of that address, counting
 * the packets with a local end (the traffic the database covers).  The
 * per-service split is checked the same way -- one endpoints tap per
 * service of the default catalogue, with a display filter written here
 * from the catalogue's documented ports, "other" being none of them --
 * and must add up to each host's total.  tshark runs with IPv4/IPv6
 * reassembly off, as coremon sees fragments: the ports only in the first.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture/capture.h"
#include "capture/window.h"
#include "check.h"
#include "fixture.h"
#include "store/hostdb.h"

#define MAX_EP		256
#define MAX_SECTIONS	32
#define CMD_MAX		16384

struct trace {
	const char	*tr_file;
	const char	*tr_localnet;
	const char	*tr_what;
};

static const struct trace traces[] = {
	{ "http_bro.org.pcap", "10.0.2.15",
	    "HTTP, one client and one server" },
	{ "dns-edns-ecs.pcap", "192.168.0.0/16 193.24.227.238 194.247.5.0/24 "
	    "2003:de:2016::/48 2001:470:765b::/48",
	    "DNS over UDP and TCP, IPv4 and IPv6, fragmented answers, "
	    "local-only and transit packets" },
	{ "ftp_ipv4.pcap", "141.142.220.235",
	    "FTP control and passive data connections" },
	{ "ftp_ipv6.pcap", "2001:470:1f11:81f:c999:d94:aa7c:2e3e",
	    "FTP over IPv6" },
	{ "ssh_ssh.pcap", "192.168.0.0/16 10.0.0.0/8",
	    "SSH to several remote hosts, local-only SSH, other ports" },
};

/* The default catalogue as services.h documents it, as display filters.
 * A packet of a service is never an ICMP error quoting one. */
static const struct {
	const char	*sf_name;
	const char	*sf_filter;
} service_filters[] = {
	{ "ftp", "tcp.port == 20 || tcp.port == 21" },
	{ "ssh", "tcp.port == 22" },
	{ "telnet", "tcp.port == 23" },
	{ "mail", "tcp.port == 25 || tcp.port == 110 || tcp.port == 143 || "
	    "tcp.port == 465 || tcp.port == 587 || tcp.port == 993 || "
	    "tcp.port == 995" },
	{ "dns", "tcp.port == 53 || udp.port == 53" },
	{ "www", "tcp.port == 80 || tcp.port == 443 || tcp.port == 8080 || "
	    "tcp.port == 8443 || udp.port == 443" },
	{ "ntp", "udp.port == 123" },
};
#define NFILTERS (sizeof(service_filters) / sizeof(service_filters[0]))

struct endpoint {
	int			ep_family;
	uint8_t			ep_addr[16];
	struct session_counts	ep_counts;	/* in = Tx, out = Rx */
};

struct section {
	char		se_filter[8192];
	int		se_family;
	struct endpoint	se_ep[MAX_EP];
	size_t		se_n;
};

struct replay {
	struct window	*rp_window;
	struct hostdb	*rp_hostdb;
};

static struct services	*sv;

static void
sink_packet(void *arg, const struct decode_pkt *dp, int64_t ts_us,
    unsigned source)
{
	struct replay	*rp = arg;

	window_add_packet(rp->rp_window, dp, ts_us, source);
}

static void
sink_end(void *arg)
{
	struct replay	*rp = arg;

	window_flush(rp->rp_window);
}

static void
consume(const struct window_closed *wd, void *arg)
{
	hostdb_add_window(arg, wd);
}

/* "(ip.addr==10.0.0.0/8 || ipv6.addr==2001:db8::/32)" from a localNet
 * value. */
static void
local_filter(const char *localnet, char *buf, size_t len)
{
	char	 copy[512], *w, *save = NULL;
	size_t	 n = 0;

	snprintf(copy, sizeof(copy), "%s", localnet);
	n += (size_t)snprintf(buf + n, len - n, "(");
	for (w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save))
		n += (size_t)snprintf(buf + n, len - n, "%s%s==%s",
		    n > 1 ? " || " : "", strchr(w, ':') ? "ipv6.addr" : "ip.addr",
		    w);
	snprintf(buf + n, len - n, ")");
}

/* Filter k: 0 all, 1..NFILTERS a service, NFILTERS + 1 "other". */
static void
tap_filter(size_t k, const char *local, char *buf, size_t len)
{
	char	any[2048];
	size_t	i, n = 0;

	if (k == 0) {
		snprintf(buf, len, "%s", local);
		return;
	}
	if (k <= NFILTERS) {
		snprintf(buf, len, "%s && (%s) && !icmp && !icmpv6", local,
		    service_filters[k - 1].sf_filter);
		return;
	}
	for (i = 0; i < NFILTERS; i++)
		n += (size_t)snprintf(any + n, sizeof(any) - n, "%s(%s)",
		    i ? " || " : "", service_filters[i].sf_filter);
	snprintf(buf, len, "%s && !((%s) && !icmp && !icmpv6)", local, any);
}

static int
parse_u64(const char *s, uint64_t *v)
{
	char	*end;

	*v = strtoull(s, &end, 10);
	return end != s && *end == '\0' ? 0 : -1;
}

/* One "addr packets bytes txp txb rxp rxb" line into sec. */
static void
parse_endpoint(struct section *sec, char *line)
{
	char		*tok[8], *save = NULL;
	uint64_t	 v[6];
	struct endpoint	*ep;
	int		 n = 0, i;

	for (tok[n] = strtok_r(line, " \t\n", &save); tok[n] != NULL && n < 7;
	    tok[++n] = strtok_r(NULL, " \t\n", &save))
		continue;
	if (n != 7 || sec->se_n == MAX_EP)
		return;
	for (i = 0; i < 6; i++)
		if (parse_u64(tok[i + 1], &v[i]) < 0)
			return;
	ep = &sec->se_ep[sec->se_n];
	memset(ep, 0, sizeof(*ep));
	ep->ep_family = sec->se_family;
	if (inet_pton(ep->ep_family, tok[0], ep->ep_addr) != 1)
		return;
	ep->ep_counts.sc_packets_in = v[2];
	ep->ep_counts.sc_octets_in = v[3];
	ep->ep_counts.sc_packets_out = v[4];
	ep->ep_counts.sc_octets_out = v[5];
	sec->se_n++;
}

/* Runs tshark with every tap; the sections it printed. */
static size_t
run_tshark(const char *file, const char *local, struct section *secs)
{
	static char	cmd[CMD_MAX];
	char		filter[4096], line[8192];
	size_t		k, n = 0, len;
	int		fam, cur = -1;
	FILE		*p;

	len = (size_t)snprintf(cmd, sizeof(cmd), "tshark -q -n -o "
	    "ip.defragment:FALSE -o ipv6.defragment:FALSE -r '%s'", file);
	for (fam = 0; fam < 2; fam++)
		for (k = 0; k <= NFILTERS + 1; k++) {
			tap_filter(k, local, filter, sizeof(filter));
			len += (size_t)snprintf(cmd + len, sizeof(cmd) - len,
			    " -z 'endpoints,%s,%s'", fam ? "ipv6" : "ip", filter);
		}
	snprintf(cmd + len, sizeof(cmd) - len, " 2>/dev/null");
	if ((p = popen(cmd, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), p) != NULL) {
		if (strncmp(line, "IPv4 Endpoints", 14) == 0 ||
		    strncmp(line, "IPv6 Endpoints", 14) == 0) {
			if (n == MAX_SECTIONS)
				break;
			cur = (int)n++;
			memset(&secs[cur], 0, sizeof(secs[cur]));
			secs[cur].se_family = line[3] == '6' ? AF_INET6 : AF_INET;
		} else if (cur >= 0 && strncmp(line, "Filter:", 7) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(secs[cur].se_filter,
			    sizeof(secs[cur].se_filter), "%s", line + 7);
		} else if (cur >= 0 && line[0] != ' ' && line[0] != '=')
			parse_endpoint(&secs[cur], line);
	}
	pclose(p);
	return n;
}

static const struct section *
find_section(const struct section *secs, size_t n, int family,
    const char *filter)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (secs[i].se_family == family &&
		    strcmp(secs[i].se_filter, filter) == 0)
			return &secs[i];
	return NULL;
}

static struct session_counts
ep_counts(const struct section *sec, int family, const uint8_t *addr)
{
	struct session_counts	zero = { 0, 0, 0, 0 };
	size_t			i;

	for (i = 0; sec != NULL && i < sec->se_n; i++)
		if (sec->se_ep[i].ep_family == family &&
		    memcmp(sec->se_ep[i].ep_addr, addr, 16) == 0)
			return sec->se_ep[i].ep_counts;
	return zero;
}

static void
print_counts(const char *who, const struct session_counts *c)
{
	printf("#     %-8s octets in %llu out %llu, packets in %llu out %llu\n",
	    who, (unsigned long long)c->sc_octets_in,
	    (unsigned long long)c->sc_octets_out,
	    (unsigned long long)c->sc_packets_in,
	    (unsigned long long)c->sc_packets_out);
}

/* The service row of hh for index, zero if none. */
static struct session_counts
host_service(const struct hostdb_host *hh, unsigned int index)
{
	struct session_counts	zero = { 0, 0, 0, 0 };
	unsigned int		i;

	for (i = 0; i < hh->hh_nservices; i++)
		if (hh->hh_services[i].hv_service == index)
			return hh->hh_services[i].hv_counts;
	return zero;
}

static int
same_counts(const struct session_counts *a, const struct session_counts *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* Compares every remote endpoint of one family with the database. */
static void
compare_family(const struct trace *tr, const struct localnet *ln,
    const struct hostdb_snapshot *sn, const struct section *secs, size_t nsec,
    const char *local, int family, size_t *hosts, size_t *bad,
    size_t *bad_split)
{
	const struct section	*total, *svc;
	struct hostdb_host	 hh;
	struct session_counts	 want, got, sum;
	char			 filter[4096], text[INET6_ADDRSTRLEN];
	size_t			 i, k, pos;
	unsigned int		 index;

	tap_filter(0, local, filter, sizeof(filter));
	if ((total = find_section(secs, nsec, family, filter)) == NULL) {
		(*bad)++;
		printf("#   %s: no tshark total for %s\n", tr->tr_file,
		    family == AF_INET ? "IPv4" : "IPv6");
		return;
	}
	for (i = 0; i < total->se_n; i++) {
		const struct endpoint *ep = &total->se_ep[i];

		if (localnet_is_local(ln, family, ep->ep_addr))
			continue;
		(*hosts)++;
		inet_ntop(family, ep->ep_addr, text, sizeof(text));
		pos = hostdb_snapshot_seek(sn, family, ep->ep_addr);
		if (pos >= sn->hs_entries ||
		    hostdb_snapshot_host(sn, pos, &hh) < 0 ||
		    hh.hh_family != family ||
		    memcmp(hh.hh_addr, ep->ep_addr, 16) != 0) {
			(*bad)++;
			printf("#   %s: %s is not in the database\n",
			    tr->tr_file, text);
			continue;
		}
		if (!same_counts(&hh.hh_counts, &ep->ep_counts)) {
			(*bad)++;
			printf("#   %s: %s differs\n", tr->tr_file, text);
			print_counts("hostdb", &hh.hh_counts);
			print_counts("tshark", &ep->ep_counts);
		}
		memset(&sum, 0, sizeof(sum));
		for (k = 1; k <= NFILTERS + 1; k++) {
			tap_filter(k, local, filter, sizeof(filter));
			svc = find_section(secs, nsec, family, filter);
			want = ep_counts(svc, family, ep->ep_addr);
			index = k <= NFILTERS ? services_find(sv,
			    service_filters[k - 1].sf_name)->sv_index :
			    services_other(sv);
			got = host_service(&hh, index);
			sum.sc_octets_in += got.sc_octets_in;
			sum.sc_octets_out += got.sc_octets_out;
			sum.sc_packets_in += got.sc_packets_in;
			sum.sc_packets_out += got.sc_packets_out;
			if (svc == NULL || !same_counts(&want, &got)) {
				(*bad_split)++;
				printf("#   %s: %s, service %s differs\n",
				    tr->tr_file, text, services_get(sv,
				    index)->sv_name);
				print_counts("hostdb", &got);
				print_counts("tshark", &want);
			}
		}
		if (!same_counts(&sum, &hh.hh_counts)) {
			(*bad_split)++;
			printf("#   %s: %s: services do not add up\n",
			    tr->tr_file, text);
		}
	}
}

static void
run_trace(const struct trace *tr)
{
	static struct section	 secs[MAX_SECTIONS];
	struct cap_config	 cc;
	struct cap_sink		 sink;
	struct cap_stats	 st;
	struct window_config	 wc;
	struct hostdb_config	 hc;
	struct replay		 rp;
	struct localnet		*ln = localnet_new();
	const struct hostdb_snapshot *sn;
	char			 path[1024], err[256], local[1024];
	size_t			 nsec, hosts = 0, bad = 0, bad_split = 0;

	snprintf(path, sizeof(path), "%s/pcaps/zeek/%s", fixture_shared_dir(),
	    tr->tr_file);
	if (access(path, R_OK) != 0) {
		printf("skip - %s: not found\n", path);
		localnet_free(ln);
		return;
	}
	if (localnet_parse(ln, tr->tr_localnet, err, sizeof(err)) < 0) {
		CHECK(0, "%s: localNet %s: %s", tr->tr_file, tr->tr_localnet,
		    err);
		localnet_free(ln);
		return;
	}
	window_config_default(&wc);
	hostdb_config_default(&hc);
	rp.rp_window = window_new(&wc, sv, ln);
	rp.rp_hostdb = hostdb_new(&hc, sv);
	window_set_consumer(rp.rp_window, consume, rp.rp_hostdb);
	capture_config_default(&cc);
	cc.cc_file = path;
	memset(&sink, 0, sizeof(sink));
	sink.sk_packet = sink_packet;
	sink.sk_end = sink_end;
	sink.sk_arg = &rp;
	CHECK(capture_replay(&cc, &sink, &st) == 0, "%s replayed: %llu "
	    "packets", tr->tr_file, (unsigned long long)st.cs_packets);
	local_filter(tr->tr_localnet, local, sizeof(local));
	nsec = run_tshark(path, local, secs);
	sn = hostdb_acquire(rp.rp_hostdb);
	compare_family(tr, ln, sn, secs, nsec, local, AF_INET, &hosts, &bad,
	    &bad_split);
	compare_family(tr, ln, sn, secs, nsec, local, AF_INET6, &hosts, &bad,
	    &bad_split);
	CHECK(nsec == 2 * (NFILTERS + 2) && hosts > 0 && bad == 0 &&
	    hosts == sn->hs_entries,
	    "%s (%s; localNet %s): all %zu remote hosts, and no other, "
	    "equal tshark's endpoints in octets and packets in and out",
	    tr->tr_file, tr->tr_what, tr->tr_localnet, hosts);
	CHECK(nsec == 2 * (NFILTERS + 2) && bad_split == 0,
	    "%s: each host's per-service split equals tshark's endpoints per "
	    "service filter and adds up to its total", tr->tr_file);
	hostdb_release(sn);
	window_free(rp.rp_window);
	hostdb_free(rp.rp_hostdb);
	localnet_free(ln);
}

int
main(void)
{
	char	dir[1024];
	size_t	i;

	snprintf(dir, sizeof(dir), "%s/pcaps/zeek", fixture_shared_dir());
	if (access(dir, R_OK) != 0) {
		printf("skip - %s is not there: no captures to replay\n", dir);
		return check_done();
	}
	if (system("tshark -v >/dev/null 2>&1") != 0) {
		printf("skip - tshark is not installed: nothing to compare "
		    "with\n");
		return check_done();
	}
	sv = services_new();
	for (i = 0; i < sizeof(traces) / sizeof(traces[0]); i++)
		run_trace(&traces[i]);
	services_free(sv);
	return check_done();
}
