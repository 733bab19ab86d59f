/*
 * procstat: every parser against fixture files under tests/data/proc (real
 * text from a 6.x kernel, an older kernel's layout, hand-made odd cases),
 * procstat_read against a fixture tree and against the live /proc.
 * Expected numbers are read off the fixture text by hand.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "traffic/procstat.h"

#define FIX	"tests/data/proc"
#define VAR	FIX "/variants"
#define SYSFIX	"tests/data/sys"

#define HAVE(ps, c)	(((ps)->ps_have >> (c)) & 1)
#define IFHAVE(pi, f)	(((pi)->pi_have >> (f)) & 1)
#define ALL_DEV_FIELDS	((1u << PS_DEV_NFIELDS) - 1)

/* Reads a fixture with stdio, independently of procstat_slurp. */
static char *
fixture(const char *path)
{
	FILE		*f;
	char		*buf;
	long		 size;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)size + 1)) == NULL ||
	    fread(buf, 1, (size_t)size, f) != (size_t)size) {
		printf("# cannot read fixture %s: %s\n", path, strerror(errno));
		check_failed++;
		if (f != NULL)
			fclose(f);
		return strdup("");
	}
	buf[size] = '\0';
	fclose(f);
	return buf;
}

static const struct ps_iface *
by_name(const struct ps_sample *ps, const char *name)
{
	size_t	i;

	for (i = 0; i < ps->ps_nifaces; i++)
		if (strcmp(ps->ps_ifaces[i].pi_name, name) == 0)
			return &ps->ps_ifaces[i];
	return NULL;
}

/* Parses one fixture into a fresh sample. */
static void
parse_file(struct ps_sample *ps, const char *path,
    int (*parse)(struct ps_sample *, const char *))
{
	char	*text = fixture(path);

	procstat_sample_init(ps);
	CHECK(parse(ps, text) == 0, "%s parses without error", path);
	free(text);
}

static void
test_dev_real(void)
{
	struct ps_sample	 ps;
	const struct ps_iface	*lo, *eth0;

	parse_file(&ps, FIX "/net/dev", procstat_parse_dev);
	CHECK_U64(ps.ps_nifaces, 5, "net/dev: one interface per data line");
	CHECK_U64(ps.ps_skipped, 0, "net/dev: a real file has nothing to skip");
	lo = by_name(&ps, "lo");
	eth0 = by_name(&ps, "eth0");
	CHECK(lo != NULL && eth0 != NULL, "net/dev: lo and eth0 found by name");
	if (lo == NULL || eth0 == NULL)
		goto out;
	CHECK_U64(lo->pi_field[PS_RX_BYTES], 918273, "net/dev: lo rx bytes");
	CHECK_U64(eth0->pi_field[PS_RX_BYTES], 24078355,
	    "net/dev: eth0 rx bytes");
	CHECK_U64(eth0->pi_field[PS_RX_PACKETS], 18592,
	    "net/dev: eth0 rx packets");
	CHECK_U64(eth0->pi_field[PS_RX_ERRS], 2, "net/dev: eth0 rx errs");
	CHECK_U64(eth0->pi_field[PS_RX_DROP], 7, "net/dev: eth0 rx drop");
	CHECK_U64(eth0->pi_field[PS_RX_FRAME], 1, "net/dev: eth0 rx frame");
	CHECK_U64(eth0->pi_field[PS_RX_MULTICAST], 31,
	    "net/dev: eth0 rx multicast");
	CHECK_U64(eth0->pi_field[PS_TX_BYTES], 2929011,
	    "net/dev: eth0 tx bytes");
	CHECK_U64(eth0->pi_field[PS_TX_PACKETS], 11334,
	    "net/dev: eth0 tx packets");
	CHECK_U64(eth0->pi_field[PS_TX_ERRS], 1, "net/dev: eth0 tx errs");
	CHECK_U64(eth0->pi_field[PS_TX_DROP], 3, "net/dev: eth0 tx drop");
	CHECK_U64(eth0->pi_field[PS_TX_COLLS], 4, "net/dev: eth0 tx colls");
	CHECK_U64(eth0->pi_field[PS_TX_CARRIER], 5,
	    "net/dev: eth0 tx carrier");
	CHECK_U64(eth0->pi_have, ALL_DEV_FIELDS,
	    "net/dev: a 6.x header gives all 16 fields");
	CHECK_U64(eth0->pi_ifindex, 0,
	    "net/dev: the parser alone leaves ifindex unknown (0)");
out:
	procstat_sample_free(&ps);
}

static void
test_dev_odd_names(void)
{
	struct ps_sample	 ps;
	const struct ps_iface	*pi;
	int			 f;

	parse_file(&ps, VAR "/dev-odd-names", procstat_parse_dev);
	CHECK_U64(ps.ps_nifaces, 5, "odd names: every line is an interface");
	CHECK_U64(ps.ps_skipped, 0, "odd names: nothing skipped");
	pi = by_name(&ps, "eth0:1");
	CHECK(pi != NULL && pi->pi_field[PS_RX_BYTES] == 2000 &&
	    pi->pi_field[PS_TX_BYTES] == 3000 &&
	    pi->pi_field[PS_RX_MULTICAST] == 2,
	    "a name with a colon (eth0:1) ends at the last colon");
	pi = by_name(&ps, "my if");
	CHECK(pi != NULL && pi->pi_field[PS_RX_BYTES] == 4000 &&
	    pi->pi_field[PS_RX_ERRS] == 1 && pi->pi_field[PS_TX_DROP] == 1,
	    "a name with an inner space keeps it, leading blanks trimmed");
	pi = by_name(&ps, "eth1");
	CHECK(pi != NULL && pi->pi_field[PS_RX_BYTES] == 6000 &&
	    pi->pi_field[PS_TX_BYTES] == 7000,
	    "2.4-style line with no blank after the colon parses");
	pi = by_name(&ps, "a:b:c");
	CHECK(pi != NULL, "a name with several colons is found");
	if (pi == NULL)
		goto out;
	/* The fixture line holds 8, 9, ... 23 in header order. */
	for (f = 0; f < PS_DEV_NFIELDS; f++)
		CHECK_U64(pi->pi_field[f], 8 + f,
		    "a:b:c: field %d lands in its own slot", f);
out:
	procstat_sample_free(&ps);
}

static void
test_dev_reordered(void)
{
	struct ps_sample	 ps;
	const struct ps_iface	*lo;

	parse_file(&ps, VAR "/dev-reordered", procstat_parse_dev);
	CHECK_U64(ps.ps_nifaces, 2, "reordered header: both lines parse");
	lo = by_name(&ps, "lo");
	CHECK(lo != NULL, "reordered header: lo found");
	if (lo == NULL)
		goto out;
	CHECK_U64(lo->pi_field[PS_RX_BYTES], 100,
	    "reordered header: rx bytes found by name, not column");
	CHECK_U64(lo->pi_field[PS_RX_PACKETS], 1,
	    "reordered header: rx packets by name");
	CHECK_U64(lo->pi_field[PS_RX_ERRS], 2, "reordered header: rx errs");
	CHECK_U64(lo->pi_field[PS_RX_DROP], 3, "reordered header: rx drop");
	CHECK_U64(lo->pi_field[PS_RX_MULTICAST], 8,
	    "reordered header: rx multicast");
	CHECK_U64(lo->pi_field[PS_TX_BYTES], 900, "reordered header: tx bytes");
	CHECK_U64(lo->pi_field[PS_TX_PACKETS], 10,
	    "reordered header: tx packets");
	CHECK_U64(lo->pi_field[PS_TX_CARRIER], 15,
	    "reordered header: tx carrier");
	CHECK_U64(lo->pi_field[PS_TX_COMPRESSED], 16,
	    "reordered header: tx compressed");
	CHECK_U64(lo->pi_have, ALL_DEV_FIELDS,
	    "reordered header: every field still present");
out:
	procstat_sample_free(&ps);
}

static void
test_dev_tx_first(void)
{
	struct ps_sample	 ps;
	const struct ps_iface	*pi;

	parse_file(&ps, VAR "/dev-tx-first", procstat_parse_dev);
	pi = by_name(&ps, "eth0");
	CHECK(pi != NULL && pi->pi_field[PS_TX_BYTES] == 3000 &&
	    pi->pi_field[PS_RX_BYTES] == 2000 &&
	    pi->pi_field[PS_TX_COLLS] == 3 && pi->pi_field[PS_RX_FRAME] == 7,
	    "Transmit group before Receive: the title line decides direction");
	procstat_sample_free(&ps);
}

static void
test_dev_missing_fields(void)
{
	struct ps_sample	 ps;
	const struct ps_iface	*pi;
	uint32_t		 want;

	parse_file(&ps, VAR "/dev-linux20", procstat_parse_dev);
	CHECK_U64(ps.ps_nifaces, 2, "2.0 header without bytes: lines parse");
	CHECK_U64(ps.ps_skipped, 0, "2.0 header: nothing skipped");
	pi = by_name(&ps, "eth0");
	CHECK(pi != NULL, "2.0 header: eth0 found");
	if (pi == NULL)
		goto out;
	want = 1u << PS_RX_PACKETS | 1u << PS_RX_ERRS | 1u << PS_RX_DROP |
	    1u << PS_RX_FIFO | 1u << PS_RX_FRAME | 1u << PS_TX_PACKETS |
	    1u << PS_TX_ERRS | 1u << PS_TX_DROP | 1u << PS_TX_FIFO |
	    1u << PS_TX_COLLS | 1u << PS_TX_CARRIER;
	CHECK_U64(pi->pi_have, want,
	    "missing fields: pi_have has bits only for fields in the header");
	CHECK(!IFHAVE(pi, PS_RX_BYTES) && pi->pi_field[PS_RX_BYTES] == 0,
	    "missing fields: rx bytes absent and zero");
	CHECK_U64(pi->pi_field[PS_RX_PACKETS], 41920,
	    "missing fields: rx packets from its own column");
	CHECK_U64(pi->pi_field[PS_RX_ERRS], 3, "missing fields: rx errs");
	CHECK_U64(pi->pi_field[PS_TX_PACKETS], 30511,
	    "missing fields: tx packets");
	CHECK_U64(pi->pi_field[PS_TX_COLLS], 12, "missing fields: tx colls");
out:
	procstat_sample_free(&ps);

	parse_file(&ps, VAR "/dev-extra-field", procstat_parse_dev);
	pi = by_name(&ps, "eth0");
	CHECK(pi != NULL && pi->pi_have == ALL_DEV_FIELDS &&
	    pi->pi_field[PS_RX_MULTICAST] == 2 &&
	    pi->pi_field[PS_TX_BYTES] == 3000 && ps.ps_skipped == 0,
	    "an unknown extra header field is read and ignored");
	procstat_sample_free(&ps);
}

static void
test_dev_bad_lines(void)
{
	struct ps_sample	 ps;
	const struct ps_iface	*pi;

	parse_file(&ps, VAR "/dev-bad-lines", procstat_parse_dev);
	CHECK_U64(ps.ps_skipped, 8, "bad lines: truncated, non-numeric, "
	    "overflow, negative, extra column, no colon, empty name, "
	    "long name each skipped and counted");
	CHECK_U64(ps.ps_nifaces, 3, "bad lines: the good lines still parse");
	CHECK(by_name(&ps, "trunc0") == NULL && by_name(&ps, "junk0") == NULL &&
	    by_name(&ps, "over0") == NULL && by_name(&ps, "neg0") == NULL,
	    "bad lines add no interface");
	pi = by_name(&ps, "max0");
	CHECK(pi != NULL && pi->pi_field[PS_RX_BYTES] == UINT64_MAX,
	    "2^64-1 is a valid counter, 2^64 is not");
	pi = by_name(&ps, "eth9");
	CHECK(pi != NULL && pi->pi_field[PS_TX_BYTES] == 800,
	    "a good line after bad ones parses");
	procstat_sample_free(&ps);

	parse_file(&ps, VAR "/dev-truncated-eof", procstat_parse_dev);
	CHECK(ps.ps_nifaces == 1 && ps.ps_skipped == 1,
	    "a line cut off at end of file without newline is skipped");
	procstat_sample_free(&ps);

	parse_file(&ps, VAR "/dev-no-header", procstat_parse_dev);
	CHECK(ps.ps_nifaces == 0 && ps.ps_skipped == 2,
	    "without a header no column has a meaning: lines skipped");
	procstat_sample_free(&ps);
}

static void
test_empty(void)
{
	int (*parsers[])(struct ps_sample *, const char *) = {
		procstat_parse_dev, procstat_parse_snmp, procstat_parse_snmp6,
		procstat_parse_stat, procstat_parse_vmstat,
	};
	struct ps_sample	ps;
	size_t			i;

	for (i = 0; i < sizeof(parsers) / sizeof(parsers[0]); i++) {
		parse_file(&ps, VAR "/empty", parsers[i]);
		CHECK(ps.ps_nifaces == 0 && ps.ps_have == 0 &&
		    ps.ps_skipped == 0,
		    "empty file: parser %zu adds nothing, skips nothing", i);
		procstat_sample_free(&ps);
	}
	procstat_sample_init(&ps);
	CHECK(procstat_parse_diskstats(&ps, "", NULL, NULL) == 0 &&
	    ps.ps_have == 0 && ps.ps_skipped == 0,
	    "empty diskstats: no disk counter claimed");
	procstat_sample_free(&ps);
}

/* Base fixture: net/snmp (v4), net/netstat (TcpExt), net/snmp6 (v6). */
static void
test_snmp_real(void)
{
	struct ps_sample	 ps;
	char			*snmp = fixture(FIX "/net/snmp");
	char			*netstat = fixture(FIX "/net/netstat");
	char			*snmp6 = fixture(FIX "/net/snmp6");

	procstat_sample_init(&ps);
	CHECK(procstat_parse_snmp(&ps, snmp) == 0 &&
	    procstat_parse_snmp(&ps, netstat) == 0 &&
	    procstat_parse_snmp6(&ps, snmp6) == 0, "snmp files parse");
	CHECK_U64(ps.ps_skipped, 0,
	    "snmp: Tcp MaxConn -1 is not an error; nothing skipped");
	CHECK_U64(ps.ps_counter[PS_TCP_INSEGS], 59211, "Tcp InSegs");
	CHECK_U64(ps.ps_counter[PS_TCP_OUTSEGS], 32877, "Tcp OutSegs");
	CHECK_U64(ps.ps_counter[PS_TCP_RETRANSSEGS], 41, "Tcp RetransSegs");
	CHECK_U64(ps.ps_counter[PS_TCP_INERRS], 3, "Tcp InErrs");
	CHECK_U64(ps.ps_counter[PS_TCP_CURRESTAB], 7, "Tcp CurrEstab");
	CHECK_U64(ps.ps_counter[PS_TCP_ACTIVEOPENS], 1313, "Tcp ActiveOpens");
	CHECK_U64(ps.ps_counter[PS_TCP_PASSIVEOPENS], 202,
	    "Tcp PassiveOpens");
	CHECK_U64(ps.ps_counter[PS_TCP_LISTENOVERFLOWS], 9,
	    "TcpExt ListenOverflows from netstat");
	CHECK_U64(ps.ps_counter[PS_TCP_LISTENDROPS], 11,
	    "TcpExt ListenDrops from netstat");
	/* v4 + v6, the two numbers read off net/snmp and net/snmp6. */
	CHECK_U64(ps.ps_counter[PS_UDP_INDATAGRAMS], 2611 + 388,
	    "UDP InDatagrams is Udp + Udp6");
	CHECK_U64(ps.ps_counter[PS_UDP_OUTDATAGRAMS], 2702 + 377,
	    "UDP OutDatagrams is Udp + Udp6");
	CHECK_U64(ps.ps_counter[PS_UDP_INERRORS], 5 + 2,
	    "UDP InErrors is Udp + Udp6");
	CHECK_U64(ps.ps_counter[PS_UDP_NOPORTS], 17 + 6,
	    "UDP NoPorts is Udp + Udp6");
	CHECK_U64(ps.ps_counter[PS_UDP_RCVBUFERRORS], 4 + 1,
	    "UDP RcvbufErrors is Udp + Udp6");
	CHECK_U64(ps.ps_counter[PS_IP_INRECEIVES], 61907 + 1201,
	    "IP InReceives is Ip + Ip6");
	CHECK_U64(ps.ps_counter[PS_IP_OUTREQUESTS], 35301 + 1010,
	    "IP OutRequests is Ip + Ip6");
	CHECK(HAVE(&ps, PS_TCP_LISTENDROPS) && HAVE(&ps, PS_UDP_RCVBUFERRORS) &&
	    !HAVE(&ps, PS_SYS_CTXT), "ps_have marks exactly what was seen");
	procstat_sample_free(&ps);
	free(snmp);
	free(netstat);
	free(snmp6);
}

static void
test_snmp_old_kernel(void)
{
	struct ps_sample	 ps;
	char			*snmp = fixture(VAR "/snmp-linux2618");
	char			*snmp6 = fixture(VAR "/snmp6-linux2618");

	procstat_sample_init(&ps);
	CHECK(procstat_parse_snmp(&ps, snmp) == 0 &&
	    procstat_parse_snmp6(&ps, snmp6) == 0, "2.6.18 snmp files parse");
	CHECK_U64(ps.ps_skipped, 0, "2.6.18: shorter sections are not errors");
	CHECK_U64(ps.ps_counter[PS_UDP_INDATAGRAMS], 300 + 30,
	    "2.6.18: UDP in is v4 + v6");
	CHECK_U64(ps.ps_counter[PS_UDP_OUTDATAGRAMS], 310 + 33,
	    "2.6.18: UDP out is v4 + v6");
	CHECK_U64(ps.ps_counter[PS_IP_INRECEIVES], 1000 + 500,
	    "2.6.18: IP in is v4 + v6");
	CHECK_U64(ps.ps_counter[PS_TCP_INSEGS], 7000, "2.6.18: Tcp InSegs");
	CHECK(!HAVE(&ps, PS_UDP_RCVBUFERRORS),
	    "2.6.18 has no RcvbufErrors: not claimed as seen");
	CHECK(!HAVE(&ps, PS_TCP_LISTENDROPS),
	    "no netstat read: TcpExt counters not claimed");
	procstat_sample_free(&ps);
	free(snmp);
	free(snmp6);
}

static void
test_snmp_bad(void)
{
	struct ps_sample	ps;

	parse_file(&ps, VAR "/snmp-bad", procstat_parse_snmp);
	CHECK_U64(ps.ps_counter[PS_IP_INRECEIVES], 100,
	    "snmp-bad: a good pair before bad ones is added");
	CHECK_U64(ps.ps_counter[PS_TCP_INSEGS], 70,
	    "snmp-bad: a pair with MaxConn -1 is added");
	CHECK_U64(ps.ps_counter[PS_TCP_CURRESTAB], 7,
	    "snmp-bad: CurrEstab next to a negative MaxConn");
	CHECK(!HAVE(&ps, PS_UDP_INDATAGRAMS) && !HAVE(&ps, PS_UDP_OUTDATAGRAMS),
	    "snmp-bad: a pair with a non-numeric value adds nothing");
	CHECK(!HAVE(&ps, PS_TCP_ACTIVEOPENS),
	    "snmp-bad: a pair with fewer values than names adds nothing");
	CHECK(!HAVE(&ps, PS_TCP_INERRS),
	    "snmp-bad: a negative value of a served counter is rejected");
	CHECK(!HAVE(&ps, PS_TCP_LISTENDROPS),
	    "snmp-bad: a value over 2^64-1 is rejected");
	/* 2 (count) + 2 (x6) + 1 (lone Udp names) + 2 (-3) + 1 (no section)
	 * + 2 (overflow) + 1 (names line at end of file). */
	CHECK_U64(ps.ps_skipped, 11, "snmp-bad: every bad line counted");
	procstat_sample_free(&ps);
}

static void
test_snmp6_bad(void)
{
	struct ps_sample	ps;

	parse_file(&ps, VAR "/snmp6-bad", procstat_parse_snmp6);
	CHECK_U64(ps.ps_counter[PS_IP_INRECEIVES], 10, "snmp6-bad: good line");
	CHECK_U64(ps.ps_counter[PS_UDP_INERRORS], 4,
	    "snmp6-bad: tab-separated good line");
	CHECK_U64(ps.ps_skipped, 4, "snmp6-bad: no value, non-numeric, two "
	    "values, negative counter each counted; unknown name is not");
	CHECK(!HAVE(&ps, PS_IP_OUTREQUESTS) && !HAVE(&ps, PS_UDP_NOPORTS),
	    "snmp6-bad: malformed lines add nothing");
	procstat_sample_free(&ps);
}

static void
test_stat_vmstat(void)
{
	struct ps_sample	ps;

	parse_file(&ps, FIX "/stat", procstat_parse_stat);
	CHECK_U64(ps.ps_counter[PS_SYS_CTXT], 306092, "stat: ctxt");
	CHECK_U64(ps.ps_counter[PS_SYS_INTR], 133404,
	    "stat: intr is the first number, the total");
	CHECK_U64(ps.ps_counter[PS_SYS_FORKS], 5384, "stat: processes");
	CHECK_U64(ps.ps_skipped, 0, "stat: a real file has nothing to skip");
	procstat_sample_free(&ps);

	parse_file(&ps, VAR "/stat-bad", procstat_parse_stat);
	CHECK(!HAVE(&ps, PS_SYS_CTXT) && !HAVE(&ps, PS_SYS_INTR),
	    "stat-bad: ctxt abc and a bare intr add nothing");
	CHECK_U64(ps.ps_counter[PS_SYS_FORKS], 12, "stat-bad: processes");
	CHECK_U64(ps.ps_skipped, 2, "stat-bad: two bad lines counted");
	procstat_sample_free(&ps);

	parse_file(&ps, FIX "/vmstat", procstat_parse_vmstat);
	CHECK_U64(ps.ps_counter[PS_SYS_PGPGIN], 1275097, "vmstat: pgpgin");
	CHECK_U64(ps.ps_counter[PS_SYS_PGPGOUT], 520456, "vmstat: pgpgout");
	CHECK_U64(ps.ps_counter[PS_SYS_PSWPIN], 312, "vmstat: pswpin");
	CHECK_U64(ps.ps_counter[PS_SYS_PSWPOUT], 977, "vmstat: pswpout");
	CHECK_U64(ps.ps_skipped, 0, "vmstat: a real file has nothing to skip");
	procstat_sample_free(&ps);

	parse_file(&ps, VAR "/vmstat-bad", procstat_parse_vmstat);
	CHECK(ps.ps_counter[PS_SYS_PGPGIN] == 1000 &&
	    ps.ps_counter[PS_SYS_PSWPOUT] == 7 && !HAVE(&ps, PS_SYS_PGPGOUT) &&
	    !HAVE(&ps, PS_SYS_PSWPIN),
	    "vmstat-bad: good lines added, bad ones not");
	CHECK_U64(ps.ps_skipped, 2, "vmstat-bad: missing and junk values "
	    "counted; a negative unknown field is not");
	procstat_sample_free(&ps);
}

/* Accepts names in the space-separated list arg. */
static int
accept_listed(const char *name, void *arg)
{
	const char	*list = arg, *p;
	size_t		 len = strlen(name);

	for (p = list; (p = strstr(p, name)) != NULL; p += len)
		if ((p == list || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\0'))
			return 1;
	return 0;
}

static void
test_diskstats(void)
{
	struct ps_sample	 ps;
	char			*text = fixture(FIX "/diskstats");
	char			 list[] = "vda nvme0n1 cciss/c0d0";
	char			 bad_list[] = "sda sdb sdc sde", none[] = "none";

	procstat_sample_init(&ps);
	procstat_parse_diskstats(&ps, text, accept_listed, list);
	/* vda + nvme0n1 + cciss/c0d0 (an 11-field 2.6 line). */
	CHECK_U64(ps.ps_counter[PS_DISK_READS], 29855 + 1000 + 70,
	    "diskstats: reads completed summed over accepted disks only");
	CHECK_U64(ps.ps_counter[PS_DISK_SECTORS_READ],
	    2007506 + 64000 + 560, "diskstats: sectors read is field 3");
	CHECK_U64(ps.ps_counter[PS_DISK_WRITES], 12159 + 2000 + 30,
	    "diskstats: writes completed is field 5");
	CHECK_U64(ps.ps_counter[PS_DISK_SECTORS_WRITTEN],
	    878560 + 128000 + 240, "diskstats: sectors written is field 7");
	CHECK_U64(ps.ps_skipped, 0, "diskstats: 11- and 17-field lines parse");
	procstat_sample_free(&ps);

	procstat_sample_init(&ps);
	procstat_parse_diskstats(&ps, text, NULL, NULL);
	/* awk '{r+=$4} END {print r}' tests/data/proc/diskstats */
	CHECK_U64(ps.ps_counter[PS_DISK_READS], 62040,
	    "diskstats: a NULL filter counts every line");
	procstat_sample_free(&ps);
	free(text);

	text = fixture(VAR "/diskstats-bad");
	procstat_sample_init(&ps);
	procstat_parse_diskstats(&ps, text, accept_listed, bad_list);
	CHECK_U64(ps.ps_counter[PS_DISK_READS], 100 + 7,
	    "diskstats-bad: good lines summed, sda1 filtered out");
	CHECK_U64(ps.ps_counter[PS_DISK_SECTORS_WRITTEN], 400 + 24,
	    "diskstats-bad: sectors written of good lines");
	CHECK_U64(ps.ps_skipped, 4, "diskstats-bad: too few fields, junk, "
	    "overlong name, garbage each counted");
	procstat_sample_free(&ps);

	procstat_sample_init(&ps);
	procstat_parse_diskstats(&ps, text, accept_listed, none);
	CHECK(HAVE(&ps, PS_DISK_READS) && ps.ps_counter[PS_DISK_READS] == 0,
	    "diskstats: no whole disk is a seen, valid zero");
	procstat_sample_free(&ps);
	free(text);
}

static void
test_read_fixture(void)
{
	static const char *order[] = { "tun0", "lo", "ifb0", "ifb1", "eth0" };
	struct ps_sample	 ps;
	const struct ps_iface	*pi;
	size_t			 i;
	int			 sorted = 1;

	procstat_sample_init(&ps);
	CHECK(procstat_read(&ps, FIX, SYSFIX) == 0,
	    "procstat_read over the fixture tree succeeds");
	CHECK_U64(ps.ps_nifaces, 5, "procstat_read: all interfaces");
	for (i = 0; i < ps.ps_nifaces && i < 5; i++)
		sorted &= strcmp(ps.ps_ifaces[i].pi_name, order[i]) == 0;
	CHECK(sorted, "procstat_read: sorted by ifindex (unknown 0 first)");
	pi = by_name(&ps, "eth0");
	CHECK(pi != NULL && pi->pi_ifindex == 4 && !pi->pi_loopback,
	    "procstat_read: eth0 ifindex 4 from sys/class/net, not loopback");
	pi = by_name(&ps, "lo");
	CHECK(pi != NULL && pi->pi_ifindex == 1 && pi->pi_loopback,
	    "procstat_read: lo is type 772, loopback");
	pi = by_name(&ps, "tun0");
	CHECK(pi != NULL && pi->pi_ifindex == 0,
	    "procstat_read: no sysfs entry keeps ifindex 0");
	pi = procstat_find_iface(&ps, 4);
	CHECK(pi != NULL && strcmp(pi->pi_name, "eth0") == 0,
	    "procstat_find_iface(4) is eth0");
	pi = procstat_find_iface(&ps, 1);
	CHECK(pi != NULL && strcmp(pi->pi_name, "lo") == 0,
	    "procstat_find_iface(1) is lo (first element)");
	CHECK(procstat_find_iface(&ps, 99) == NULL &&
	    procstat_find_iface(&ps, 0) == NULL,
	    "procstat_find_iface: absent index and 0 give NULL");
	CHECK_U64(ps.ps_counter[PS_UDP_INDATAGRAMS], 2611 + 388,
	    "procstat_read: snmp and snmp6 both read");
	CHECK_U64(ps.ps_counter[PS_TCP_LISTENDROPS], 11,
	    "procstat_read: netstat read");
	CHECK_U64(ps.ps_counter[PS_SYS_CTXT], 306092, "procstat_read: stat");
	CHECK_U64(ps.ps_counter[PS_SYS_PSWPOUT], 977, "procstat_read: vmstat");
	/* Whole disks in sys/block: vda, nvme0n1, cciss!c0d0. */
	CHECK_U64(ps.ps_counter[PS_DISK_READS], 29855 + 1000 + 70,
	    "procstat_read: disks with sys/block/NAME/device, '/' as '!'");
	CHECK_U64(ps.ps_skipped, 0, "procstat_read: fixture tree is clean");
	CHECK(ps.ps_mono.tv_sec != 0 || ps.ps_mono.tv_nsec != 0,
	    "procstat_read: monotonic time stamped");
	CHECK(ps.ps_real.tv_sec > 1600000000,
	    "procstat_read: wall-clock time stamped");

	CHECK(procstat_read(&ps, FIX, SYSFIX) == 0 && ps.ps_nifaces == 5 &&
	    ps.ps_counter[PS_SYS_CTXT] == 306092,
	    "procstat_read twice on one sample: reset, not added");
	procstat_sample_free(&ps);
}

static void
test_read_odd_roots(void)
{
	struct ps_sample	ps;

	procstat_sample_init(&ps);
	CHECK(procstat_read(&ps, FIX, "tests/data/no-such-sys") == 0,
	    "procstat_read without sysfs still reads /proc");
	CHECK(ps.ps_nifaces == 5 && ps.ps_ifaces[0].pi_ifindex == 0 &&
	    strcmp(ps.ps_ifaces[0].pi_name, "eth0") == 0 &&
	    strcmp(ps.ps_ifaces[4].pi_name, "tun0") == 0,
	    "procstat_read: all index 0, then sorted by name");
	CHECK(HAVE(&ps, PS_DISK_READS) && ps.ps_counter[PS_DISK_READS] == 0,
	    "procstat_read: no sysfs, no disk counts as whole");

	CHECK(procstat_read(&ps, VAR "/minimal", SYSFIX) == 0,
	    "procstat_read: only net/dev present is not an error");
	CHECK(ps.ps_nifaces == 5 && ps.ps_have == 0,
	    "procstat_read: missing optional files claim no counter");

	errno = 0;
	CHECK(procstat_read(&ps, "tests/data/no-such-proc", SYSFIX) == -1 &&
	    errno == ENOENT, "procstat_read: no net/dev is -1 with ENOENT");
	procstat_sample_free(&ps);
	procstat_sample_free(&ps);	/* a freed sample is a zeroed one */
}

/* Writes n bytes of numbered lines to a temporary file; its path in buf. */
static int
write_big_file(char *buf, size_t n)
{
	FILE	*f;
	size_t	 i;
	int	 fd;

	strcpy(buf, "/tmp/coremon-slurp-XXXXXX");
	if ((fd = mkstemp(buf)) == -1 || (f = fdopen(fd, "w")) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		fputc(i % 64 == 63 ? '\n' : 'a' + (int)(i / 64 % 26), f);
	return fclose(f);
}

static void
test_slurp(void)
{
	struct stat	 st;
	char		*text, path[64];
	size_t		 len = 0;

	if (write_big_file(path, 300000) == 0) {
		text = procstat_slurp(path, &len);
		CHECK(text != NULL && stat(path, &st) == 0 &&
		    (off_t)len == st.st_size && strlen(text) == len &&
		    text[len - 2] == 'a' + (300000 - 2) / 64 % 26,
		    "slurp: a file many times its first buffer is read whole");
		free(text);
		unlink(path);
	} else
		CHECK(0, "slurp: temporary file written");

	text = procstat_slurp("/proc/net/dev", &len);
	CHECK(text != NULL && len > 0 && strstr(text, "lo:") != NULL,
	    "slurp: a /proc file of st_size 0 is read to EOF");
	free(text);

	errno = 0;
	CHECK(procstat_slurp("tests/data/proc/nope", NULL) == NULL &&
	    errno == ENOENT, "slurp: a missing file is NULL with ENOENT");
}

/* lo's rx bytes the simple way: stdio and sscanf. */
static int
lo_rx_bytes_sscanf(unsigned long long *bytes)
{
	FILE	*f;
	char	 line[512], name[64];
	int	 found = 0;

	if ((f = fopen("/proc/net/dev", "r")) == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, " %63[^:]: %llu", name, bytes) == 2 &&
		    strcmp(name, "lo") == 0)
			found = 1;
	fclose(f);
	return found ? 0 : -1;
}

static void
test_read_live(void)
{
	struct ps_sample	 ps;
	const struct ps_iface	*lo;
	unsigned long long	 rx;
	unsigned		 lo_index = if_nametoindex("lo");

	procstat_sample_init(&ps);
	CHECK(procstat_read(&ps, "/proc", "/sys") == 0,
	    "live: procstat_read of /proc and /sys succeeds");
	lo = procstat_find_iface(&ps, lo_index);
	CHECK(lo_index != 0 && lo != NULL && strcmp(lo->pi_name, "lo") == 0,
	    "live: lo's ifindex equals if_nametoindex(\"lo\") = %u", lo_index);
	CHECK(lo != NULL && lo->pi_loopback, "live: lo is loopback");
	/* Read after procstat_read, so it can only be larger: allow what lo
	 * may carry between the two reads. */
	if (lo != NULL && lo_rx_bytes_sscanf(&rx) == 0)
		CHECK(rx >= lo->pi_field[PS_RX_BYTES] &&
		    rx - lo->pi_field[PS_RX_BYTES] < 1024 * 1024,
		    "live: lo rx bytes %llu matches sscanf's %llu",
		    (unsigned long long)lo->pi_field[PS_RX_BYTES], rx);
	else
		CHECK(0, "live: lo rx bytes readable by sscanf");
	CHECK_U64(ps.ps_skipped, 0, "live: this kernel's files parse cleanly");
	CHECK(HAVE(&ps, PS_TCP_INSEGS) && HAVE(&ps, PS_SYS_CTXT) &&
	    HAVE(&ps, PS_SYS_PGPGIN), "live: snmp, stat, vmstat all seen");
	procstat_sample_free(&ps);
}

int
main(void)
{
	test_dev_real();
	test_dev_odd_names();
	test_dev_reordered();
	test_dev_tx_first();
	test_dev_missing_fields();
	test_dev_bad_lines();
	test_empty();
	test_snmp_real();
	test_snmp_old_kernel();
	test_snmp_bad();
	test_snmp6_bad();
	test_stat_vmstat();
	test_diskstats();
	test_read_fixture();
	test_read_odd_roots();
	test_slurp();
	test_read_live();
	return check_done();
}
