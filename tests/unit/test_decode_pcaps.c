/*
 * The decoder over every capture in $SHARED/pcaps (tcpdump's regression
 * captures, many malformed, and Zeek's real sessions).  Each packet is
 * copied into a heap buffer of exactly caplen bytes, so the ASan build of
 * this test proves that no packet is read past its end.  Prints the count
 * of every result per corpus, checks each decoded packet's fields against
 * the raw bytes, and compares the IP packet count and volume of a few
 * plain captures with tshark's.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>
#include <zlib.h>

#include "capture/decode.h"
#include "check.h"
#include "fixture.h"

#define MAX_LINKTYPES	64

struct linktype_count {
	int			lc_linktype;
	unsigned long long	lc_files;
	unsigned long long	lc_packets;
};

struct totals {
	unsigned long long	to_files;
	unsigned long long	to_unreadable;	/* libpcap cannot open them */
	unsigned long long	to_read_errors;	/* ended early: cut or corrupt */
	unsigned long long	to_packets;
	unsigned long long	to_result[DECODE_NRESULTS];
	unsigned long long	to_ok_octets;	/* wire length of DECODE_OK */
	unsigned long long	to_ports;
	unsigned long long	to_l4_truncated;
	unsigned long long	to_later_fragments;
	unsigned long long	to_ext_limit;
	unsigned long long	to_tagged;
	unsigned long long	to_kind[DECODE_NKINDS];
	unsigned long long	to_inconsistent;
	struct linktype_count	to_unsupported[MAX_LINKTYPES];
	size_t			to_nunsupported;
};

static int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
is_port_proto(unsigned proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	    proto == IPPROTO_SCTP || proto == IPPROTO_DCCP ||
	    proto == IPPROTO_UDPLITE;
}

/*
 * Checks what the decoder said against the raw bytes it was given: the
 * addresses must be the ones at the IP header it reported, inside caplen.
 * Returns 0 when consistent.
 */
/* The volume of an NFLOG packet: its IP header's length (the pcap length
 * counts the log's metadata); 0 when the header gives none. */
static uint32_t
nflog_ip_length(const struct decode_pkt *dp, const uint8_t *pkt,
    uint32_t caplen)
{
	size_t off = dp->dp_ip_offset;

	if (dp->dp_ipver == 4 && off + 4 <= caplen)
		return (uint32_t)pkt[off + 2] << 8 | pkt[off + 3];
	if (dp->dp_ipver == 6 && off + 6 <= caplen &&
	    (pkt[off + 4] | pkt[off + 5]) != 0)
		return ((uint32_t)pkt[off + 4] << 8 | pkt[off + 5]) + 40;
	return 0;
}

static int
inconsistent(const struct decode_pkt *dp, enum decode_result r, int linktype,
    const uint8_t *pkt, uint32_t caplen, uint32_t len)
{
	static const uint8_t zero[12];
	size_t off = dp->dp_ip_offset;
	uint32_t not_ip = dp->dp_kinds & (~0u << DECODE_KIND_FIRST_NOT_IP);

	if (dp->dp_result != r)
		return 1;
	/* A kind that is not IP exactly when the result is "not IP", one. */
	if (dp->dp_kinds >> DECODE_NKINDS != 0 ||
	    (r == DECODE_NOT_IP) != (not_ip != 0) ||
	    (not_ip & (not_ip - 1)) != 0)
		return 1;
	if (linktype == DLT_NFLOG && r == DECODE_OK &&
	    nflog_ip_length(dp, pkt, caplen) != 0) {
		if (dp->dp_wire_len != nflog_ip_length(dp, pkt, caplen))
			return 1;
	} else if (linktype != DLT_NFLOG && dp->dp_wire_len != len) {
		return 1;
	}
	if (!(dp->dp_flags & DECODE_F_PORTS) &&
	    (dp->dp_sport != 0 || dp->dp_dport != 0))
		return 1;
	if (r != DECODE_OK)
		return 0;
	if ((dp->dp_flags & DECODE_F_PORTS) &&
	    (!is_port_proto(dp->dp_proto) ||
	    (dp->dp_flags & (DECODE_F_LATER_FRAGMENT | DECODE_F_L4_TRUNCATED))))
		return 1;
	if (dp->dp_ipver == 4)
		return dp->dp_family != AF_INET || off + 20 > caplen ||
		    pkt[off] >> 4 != 4 ||
		    memcmp(dp->dp_src, pkt + off + 12, 4) != 0 ||
		    memcmp(dp->dp_dst, pkt + off + 16, 4) != 0 ||
		    memcmp(dp->dp_src + 4, zero, 12) != 0 ||
		    memcmp(dp->dp_dst + 4, zero, 12) != 0;
	if (dp->dp_ipver == 6)
		return dp->dp_family != AF_INET6 || off + 40 > caplen ||
		    pkt[off] >> 4 != 6 ||
		    memcmp(dp->dp_src, pkt + off + 8, 16) != 0 ||
		    memcmp(dp->dp_dst, pkt + off + 24, 16) != 0;
	return 1;
}

static void
count_unsupported(struct totals *t, int linktype, int first_packet)
{
	size_t i;

	for (i = 0; i < t->to_nunsupported; i++)
		if (t->to_unsupported[i].lc_linktype == linktype)
			break;
	if (i == t->to_nunsupported) {
		if (i == MAX_LINKTYPES)
			return;
		t->to_unsupported[i].lc_linktype = linktype;
		t->to_nunsupported++;
	}
	t->to_unsupported[i].lc_files += first_packet;
	t->to_unsupported[i].lc_packets++;
}

static void
decode_one(struct totals *t, int linktype, const struct pcap_pkthdr *h,
    const u_char *data, int first_packet)
{
	static uint8_t empty;
	struct decode_pkt dp;
	enum decode_result r;
	uint8_t *buf;

	buf = malloc(h->caplen);
	if (buf == NULL && h->caplen > 0)
		abort();
	if (h->caplen > 0)
		memcpy(buf, data, h->caplen);
	r = decode_packet(&dp, linktype, buf != NULL ? buf : &empty,
	    h->caplen, h->len);
	if (inconsistent(&dp, r, linktype, buf, h->caplen, h->len)) {
		if (t->to_inconsistent++ < 5)
			printf("# inconsistent decode: link type %d, caplen "
			    "%u, %s\n", linktype, h->caplen,
			    decode_result_name(r));
	}
	free(buf);

	t->to_packets++;
	t->to_result[r]++;
	if (r == DECODE_OK)
		t->to_ok_octets += h->len;
	if (dp.dp_kinds & (1u << DECODE_KIND_OTHER_LINKTYPE))
		count_unsupported(t, linktype, first_packet);
	t->to_ports += (dp.dp_flags & DECODE_F_PORTS) != 0;
	t->to_l4_truncated += (dp.dp_flags & DECODE_F_L4_TRUNCATED) != 0;
	t->to_later_fragments +=
	    (dp.dp_flags & DECODE_F_LATER_FRAGMENT) != 0;
	t->to_ext_limit += (dp.dp_flags & DECODE_F_EXT_LIMIT) != 0;
	t->to_tagged += dp.dp_vlans > 0;
	for (int k = 0; k < DECODE_NKINDS; k++)
		t->to_kind[k] += (dp.dp_kinds >> k) & 1;
}

/* Opens a gzip'ed capture by inflating it into an unlinked temp file. */
static pcap_t *
open_gz(const char *path, char *errbuf)
{
	char chunk[65536];
	gzFile gz;
	FILE *fp;
	int n;
	pcap_t *p;

	if ((gz = gzopen(path, "rb")) == NULL) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "gzopen: %s", strerror(errno));
		return NULL;
	}
	if ((fp = tmpfile()) == NULL) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "tmpfile: %s", strerror(errno));
		gzclose(gz);
		return NULL;
	}
	while ((n = gzread(gz, chunk, sizeof(chunk))) > 0)
		if (fwrite(chunk, 1, (size_t)n, fp) != (size_t)n)
			break;
	gzclose(gz);
	rewind(fp);
	if ((p = pcap_fopen_offline(fp, errbuf)) == NULL)
		fclose(fp);
	return p;		/* pcap_close() closes fp */
}

/* Decodes every packet of one file.  -1 if libpcap cannot open it. */
static int
decode_file(const char *path, struct totals *t)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int linktype, rc, first = 1;

	t->to_files++;
	if (has_suffix(path, ".gz"))
		p = open_gz(path, errbuf);
	else
		p = pcap_open_offline(path, errbuf);
	if (p == NULL) {
		t->to_unreadable++;
		return -1;
	}
	linktype = pcap_datalink(p);
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		decode_one(t, linktype, h, data, first);
		first = 0;
	}
	if (rc == PCAP_ERROR)
		t->to_read_errors++;
	pcap_close(p);
	return 0;
}

static void
print_totals(const char *corpus, const struct totals *t)
{
	size_t i;
	int r;

	printf("# %s: %llu files, %llu not a capture libpcap reads, %llu "
	    "ending in a read error, %llu packets\n", corpus, t->to_files,
	    t->to_unreadable, t->to_read_errors, t->to_packets);
	for (r = 0; r < DECODE_NRESULTS; r++)
		printf("# %s: %llu\n", decode_result_name(r), t->to_result[r]);
	printf("# of ok: %llu with ports, %llu transport cut, %llu later "
	    "fragments, %llu past the extension-header limit, %llu tagged\n",
	    t->to_ports, t->to_l4_truncated, t->to_later_fragments,
	    t->to_ext_limit, t->to_tagged);
	printf("# by kind:");
	for (r = 0; r < DECODE_NKINDS; r++)
		if (t->to_kind[r] != 0)
			printf(" %s %llu", decode_kind_name(r), t->to_kind[r]);
	printf("\n");
	for (i = 0; i < t->to_nunsupported; i++) {
		const struct linktype_count *lc = &t->to_unsupported[i];
		const char *name = pcap_datalink_val_to_name(lc->lc_linktype);

		printf("#   link type %d (%s), not decoded: %llu files, %llu "
		    "packets\n", lc->lc_linktype, name ? name : "?",
		    lc->lc_files, lc->lc_packets);
	}
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void
run_corpus(const char *corpus)
{
	struct dirent **names;
	struct totals *t;
	char dir[4096], path[8192];
	int i, n;

	snprintf(dir, sizeof(dir), "%s/pcaps/%s", fixture_shared_dir(), corpus);
	if ((n = scandir(dir, &names, NULL, by_name)) == -1) {
		printf("skip - %s: %s\n", dir, strerror(errno));
		return;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir,
			    names[i]->d_name);
			decode_file(path, t);
		}
		free(names[i]);
	}
	free(names);

	print_totals(corpus, t);
	CHECK(t->to_files > 0 && t->to_packets > 0,
	    "%s: decoded %llu packets from %llu files without over-read",
	    corpus, t->to_packets, t->to_files - t->to_unreadable);
	CHECK_U64(t->to_inconsistent, 0, "%s: every decoded packet's "
	    "addresses are the bytes at the IP header it reported", corpus);
	free(t);
}

/*
 * tshark's view of one IP frame: -T fields with the fields below, tab
 * separated, first occurrence only (the outer header).  Reassembly is off
 * so that, as in our decoder, only a first fragment shows ports.
 */
#define TSHARK_FIELDS							\
	"-e frame.number -e frame.len -e ip.len -e ipv6.plen "		\
	"-e ip.src -e ip.dst "						\
	"-e ipv6.src -e ipv6.dst -e tcp.srcport -e tcp.dstport "	\
	"-e udp.srcport -e udp.dstport -e sctp.srcport -e sctp.dstport "	\
	"-e frame.protocols"
enum { TF_FRAME, TF_LEN, TF_IP_LEN, TF_IP6_PLEN, TF_IP_SRC, TF_IP_DST,
	TF_IP6_SRC, TF_IP6_DST, TF_PORTS, TF_PROTOCOLS = TF_PORTS + 6,
	TF_NFIELDS };

struct comparison {
	unsigned long long	cm_frames;	/* tshark's IP frames */
	unsigned long long	cm_octets;	/* and their frame.len sum */
	unsigned long long	cm_ours;	/* our DECODE_OK packets */
	unsigned long long	cm_our_octets;
	unsigned long long	cm_mismatches;	/* frames where fields differ */
	char			cm_first[600];	/* the first of them */
};

/* Splits a tab-separated line in place into at most TF_NFIELDS fields. */
static void
split_fields(char *line, char *field[TF_NFIELDS])
{
	int i;

	line[strcspn(line, "\n")] = '\0';
	for (i = 0; i < TF_NFIELDS; i++) {
		field[i] = line;
		line += strcspn(line, "\t");
		if (*line == '\t')
			*line++ = '\0';
	}
}

/* tshark's volume of a frame: frame.len; for NFLOG, whose record holds
 * the log's metadata, the IP packet's own length, as ours. */
static unsigned long long
tshark_octets(char *f[TF_NFIELDS], int linktype)
{
	if (linktype != DLT_NFLOG)
		return strtoull(f[TF_LEN], NULL, 10);
	if (*f[TF_IP_LEN] != '\0')
		return strtoull(f[TF_IP_LEN], NULL, 10);
	return strtoull(f[TF_IP6_PLEN], NULL, 10) + 40;
}

/*
 * What tshark's frame.protocols says of the outer IP header: whether it
 * is IPv6, and whether the layer after it (past IPv6 extension headers)
 * is a transport with ports.  The first occurrence of tcp.srcport is an
 * inner header's in a tunnel or in an ICMP error's quote, where the
 * outer header, which we count, has none.
 */
static void
outer_ip(const char *protocols, int *v6, int *ports)
{
	char buf[1024], *save = NULL, *t;
	int seen = 0;

	*v6 = 0;
	*ports = 0;
	snprintf(buf, sizeof(buf), "%s", protocols);
	for (t = strtok_r(buf, ":", &save); t != NULL;
	    t = strtok_r(NULL, ":", &save)) {
		if (!seen) {
			if (strcmp(t, "ip") == 0 || strcmp(t, "ipv6") == 0) {
				seen = 1;
				*v6 = t[2] == 'v';
			}
			continue;
		}
		if (strncmp(t, "ipv6.", 5) == 0)
			continue;
		*ports = strcmp(t, "tcp") == 0 || strcmp(t, "udp") == 0 ||
		    strcmp(t, "sctp") == 0;
		return;
	}
}

static const char *
first_port(char *field[TF_NFIELDS], int which, int ports)
{
	int i;

	if (!ports)
		return "";
	for (i = TF_PORTS + which; i < TF_PROTOCOLS; i += 2)
		if (*field[i] != '\0')
			return field[i];
	return "";
}

/* Our decode of frame n as "src dst sport dport", tshark's likewise. */
static void
compare_frame(struct comparison *cm, unsigned long long n,
    const struct decode_pkt *dp, int linktype, char *tline)
{
	char *f[TF_NFIELDS], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char ours[256], theirs[256];
	int v6, ports;

	if (tline == NULL) {
		snprintf(theirs, sizeof(theirs), "nothing");
	} else {
		split_fields(tline, f);
		cm->cm_frames++;
		cm->cm_octets += tshark_octets(f, linktype);
		outer_ip(f[TF_PROTOCOLS], &v6, &ports);
		snprintf(theirs, sizeof(theirs), "%s %s %s %s %s", f[TF_FRAME],
		    v6 ? f[TF_IP6_SRC] : f[TF_IP_SRC],
		    v6 ? f[TF_IP6_DST] : f[TF_IP_DST],
		    first_port(f, 0, ports), first_port(f, 1, ports));
	}
	inet_ntop(dp->dp_family, dp->dp_src, src, sizeof(src));
	inet_ntop(dp->dp_family, dp->dp_dst, dst, sizeof(dst));
	if (dp->dp_flags & DECODE_F_PORTS)
		snprintf(ours, sizeof(ours), "%llu %s %s %u %u", n, src, dst,
		    dp->dp_sport, dp->dp_dport);
	else
		snprintf(ours, sizeof(ours), "%llu %s %s  ", n, src, dst);
	if (strcmp(ours, theirs) != 0 && cm->cm_mismatches++ == 0)
		snprintf(cm->cm_first, sizeof(cm->cm_first),
		    "ours \"%s\", tshark \"%s\"", ours, theirs);
}

/*
 * Decodes path and reads tshark's fields for the same file side by side.
 * -1 when either cannot read it.
 */
static int
compare_file(const char *path, struct comparison *cm)
{
	char errbuf[PCAP_ERRBUF_SIZE], cmd[8192 + 512], line[65536];
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned long long n = 0;
	struct decode_pkt dp;
	FILE *ts;
	pcap_t *p;
	int linktype, rc;

	p = has_suffix(path, ".gz") ? open_gz(path, errbuf) :
	    pcap_open_offline(path, errbuf);
	if (p == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "tshark -n -r '%s' -o ip.defragment:FALSE "
	    "-o ipv6.defragment:FALSE -Y 'ip || ipv6' -T fields "
	    "-E occurrence=f " TSHARK_FIELDS " 2>/dev/null", path);
	if ((ts = popen(cmd, "r")) == NULL) {
		pcap_close(p);
		return -1;
	}
	linktype = pcap_datalink(p);
	while (pcap_next_ex(p, &h, &data) == 1) {
		n++;
		if (decode_packet(&dp, linktype, data, h->caplen, h->len) !=
		    DECODE_OK)
			continue;
		cm->cm_ours++;
		cm->cm_our_octets += dp.dp_wire_len;
		compare_frame(cm, n, &dp, linktype, fgets(line, sizeof(line), ts));
	}
	pcap_close(p);
	while (fgets(line, sizeof(line), ts) != NULL) {
		char *f[TF_NFIELDS];

		split_fields(line, f);
		cm->cm_frames++;
		cm->cm_octets += tshark_octets(f, linktype);
		if (cm->cm_mismatches++ == 0)
			snprintf(cm->cm_first, sizeof(cm->cm_first),
			    "tshark's frame %s not decoded by us", f[TF_FRAME]);
	}
	rc = pclose(ts);
	return rc == 0 ? 0 : -1;
}

/*
 * Plain captures where tshark and we agree on what is IP (no tunnels,
 * MPLS, PPPoE or LLC/SNAP, which tshark also calls IP): the count of IP
 * packets, their wire volume, and each one's addresses and ports.
 */
static void
compare_with_tshark(void)
{
	static const char *const files[] = {
		"zeek/http_bro.org.pcap",	/* HTTP, 751 frames */
		"zeek/dns53.pcap",		/* DNS */
		"zeek/ipv6-fragmented-dns.pcap",	/* IPv6 fragments */
		"zeek/ftp_ipv6.pcap",		/* IPv6 FTP */
		"zeek/ipv6-hbh-routing0.pcap",	/* IPv6 extension headers */
		"zeek/http-vlan-0.pcap",	/* 802.1Q */
		"zeek/vlan-qinqinq.pcap",	/* three tags */
		"zeek/linux_dlt_sll2.pcap",	/* Linux cooked v2 */
		"zeek/smtp_smtp-many-addresses.pcap.gz",	/* gzip'ed */
		/* Issue 15's link layers: tshark enters tunnels, but its
		 * first occurrence of each field is the outer header. */
		"zeek/pppoe.pcap",		/* PPPoE: IPv6, LCP, IPCP */
		"zeek/pppoe-over-qinq.pcap",	/* PPPoE behind two tags */
		"zeek/mpls-in-vlan.pcap",	/* MPLS behind a tag */
		"zeek/mixed-vlan-mpls.pcap",	/* MPLS and tags mixed */
		"zeek/nflog-http.pcap",		/* DLT_NFLOG */
		"tcpdump/nflog.pcap",
		"tcpdump/mpls-traceroute.pcap",	/* DLT_PPP, MPLS */
		"tcpdump/lspping-fec-ldp.pcap",	/* DLT_PPP, MPLS */
		"zeek/tunnels_4in4.pcap",	/* IP-in-IP */
		"zeek/tunnels_4in6.pcap",
		"zeek/tunnels_6in4.pcap",	/* 6in4 */
		"zeek/tunnels_6in6.pcap",
		"zeek/tunnels_gre-sample.pcap",	/* GRE */
		"zeek/tunnels_vxlan.pcap",	/* VXLAN */
		"tcpdump/vxlan.pcap",
	};
	char path[8192];
	size_t i;

	if (system("command -v tshark >/dev/null 2>&1") != 0) {
		printf("skip - tshark comparison: tshark not installed\n");
		return;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct comparison cm;

		memset(&cm, 0, sizeof(cm));
		snprintf(path, sizeof(path), "%s/pcaps/%s",
		    fixture_shared_dir(), files[i]);
		if (compare_file(path, &cm) == -1) {
			printf("skip - %s: libpcap or tshark cannot read it\n",
			    files[i]);
			continue;
		}
		CHECK(cm.cm_ours > 0 && cm.cm_ours == cm.cm_frames &&
		    cm.cm_our_octets == cm.cm_octets,
		    "%s: %llu IP packets, %llu octets on the wire, as tshark "
		    "counts", files[i], cm.cm_ours, cm.cm_our_octets);
		if (cm.cm_ours != cm.cm_frames ||
		    cm.cm_our_octets != cm.cm_octets)
			printf("#   tshark: %llu packets, %llu octets\n",
			    cm.cm_frames, cm.cm_octets);
		CHECK_U64(cm.cm_mismatches, 0, "%s: addresses and ports of "
		    "each packet as tshark decodes them", files[i]);
		if (cm.cm_mismatches != 0)
			printf("#   first: %s\n", cm.cm_first);
	}
}

int
main(void)
{
	char dir[4096];
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/pcaps", fixture_shared_dir());
	if ((d = opendir(dir)) == NULL) {
		printf("skip - decoder over real captures: %s: %s\n", dir,
		    strerror(errno));
		printf("skip - tshark comparison: no captures\n");
		return check_done();
	}
	closedir(d);
	run_corpus("tcpdump");
	run_corpus("zeek");
	compare_with_tshark();
	return check_done();
}
