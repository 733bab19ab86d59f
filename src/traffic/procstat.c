/*
 * procstat: readers for the kernel's text counters under /proc.
 *
 * Every parser walks the text through spans (a begin and an end pointer)
 * that never leave the line they were cut from, so a file without a final
 * newline, a NUL in the middle or a line of any length is read safely.
 * A line is committed to the sample only once all of it has parsed: a
 * malformed line adds nothing and counts once in ps_skipped.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "traffic/procstat.h"

/* Larger than any /proc file we read, even with thousands of interfaces. */
#define PROCSTAT_SLURP_MAX	(64u * 1024 * 1024)
#define PROCSTAT_SLURP_START	4096
/* Columns of /proc/net/dev we can map; later ones are read and ignored. */
#define PROCSTAT_DEV_MAXCOLS	64
#define PROCSTAT_DEV_MAXGROUPS	8
/* DISK_NAME_LEN is 32 in the kernel; leave room for odd names. */
#define PROCSTAT_DISKNAME_MAX	64
/* iostats.rst: reads, merged, sectors read, ms, writes, merged, sectors. */
#define PROCSTAT_DISK_MINFIELDS	7

/* [sp_begin, sp_end): a piece of the text, never NUL-terminated. */
struct ps_span {
	const char	*sp_begin;
	const char	*sp_end;
};

enum ps_dev_group { PS_GROUP_NONE, PS_GROUP_RX, PS_GROUP_TX };

/* Column n of a /proc/net/dev data line holds field dm_field[n]. */
struct ps_dev_map {
	int		dm_ok;
	size_t		dm_ncols;
	int		dm_field[PROCSTAT_DEV_MAXCOLS];	/* ps_dev_field or -1 */
	uint32_t	dm_have;
};

/* Header names of /proc/net/dev (net/core/net-procfs.c, dev_seq_show). */
static const struct ps_dev_name {
	const char	*dn_name;
	int		 dn_rx;		/* ps_dev_field in Receive, or -1 */
	int		 dn_tx;		/* ps_dev_field in Transmit, or -1 */
} procstat_dev_names[] = {
	{ "bytes",	PS_RX_BYTES,		PS_TX_BYTES },
	{ "packets",	PS_RX_PACKETS,		PS_TX_PACKETS },
	{ "errs",	PS_RX_ERRS,		PS_TX_ERRS },
	{ "drop",	PS_RX_DROP,		PS_TX_DROP },
	{ "fifo",	PS_RX_FIFO,		PS_TX_FIFO },
	{ "frame",	PS_RX_FRAME,		-1 },
	{ "compressed",	PS_RX_COMPRESSED,	PS_TX_COMPRESSED },
	{ "multicast",	PS_RX_MULTICAST,	-1 },
	{ "colls",	-1,			PS_TX_COLLS },
	{ "carrier",	-1,			PS_TX_CARRIER },
};

struct ps_name {
	const char	*pn_section;	/* /proc/net/snmp section; NULL else */
	const char	*pn_name;
	enum ps_counter	 pn_counter;
};

/* /proc/net/snmp and /proc/net/netstat: RFC 4022 (TCP-MIB), RFC 4113
 * (UDP-MIB) and RFC 4293 (IP-MIB) names, plus the kernel's TcpExt. */
static const struct ps_name procstat_snmp_names[] = {
	{ "Tcp",	"InSegs",		PS_TCP_INSEGS },
	{ "Tcp",	"OutSegs",		PS_TCP_OUTSEGS },
	{ "Tcp",	"RetransSegs",		PS_TCP_RETRANSSEGS },
	{ "Tcp",	"InErrs",		PS_TCP_INERRS },
	{ "Tcp",	"CurrEstab",		PS_TCP_CURRESTAB },
	{ "Tcp",	"ActiveOpens",		PS_TCP_ACTIVEOPENS },
	{ "Tcp",	"PassiveOpens",		PS_TCP_PASSIVEOPENS },
	{ "TcpExt",	"ListenOverflows",	PS_TCP_LISTENOVERFLOWS },
	{ "TcpExt",	"ListenDrops",		PS_TCP_LISTENDROPS },
	{ "Udp",	"InDatagrams",		PS_UDP_INDATAGRAMS },
	{ "Udp",	"OutDatagrams",		PS_UDP_OUTDATAGRAMS },
	{ "Udp",	"InErrors",		PS_UDP_INERRORS },
	{ "Udp",	"NoPorts",		PS_UDP_NOPORTS },
	{ "Udp",	"RcvbufErrors",		PS_UDP_RCVBUFERRORS },
	{ "Ip",		"InReceives",		PS_IP_INRECEIVES },
	{ "Ip",		"OutRequests",		PS_IP_OUTREQUESTS },
};

/* /proc/net/snmp6 folds the section into the name (net/ipv6/proc.c). */
static const struct ps_name procstat_snmp6_names[] = {
	{ NULL,	"Ip6InReceives",	PS_IP_INRECEIVES },
	{ NULL,	"Ip6OutRequests",	PS_IP_OUTREQUESTS },
	{ NULL,	"Udp6InDatagrams",	PS_UDP_INDATAGRAMS },
	{ NULL,	"Udp6OutDatagrams",	PS_UDP_OUTDATAGRAMS },
	{ NULL,	"Udp6InErrors",		PS_UDP_INERRORS },
	{ NULL,	"Udp6NoPorts",		PS_UDP_NOPORTS },
	{ NULL,	"Udp6RcvbufErrors",	PS_UDP_RCVBUFERRORS },
};

static const struct ps_name procstat_vmstat_names[] = {
	{ NULL,	"pgpgin",	PS_SYS_PGPGIN },
	{ NULL,	"pgpgout",	PS_SYS_PGPGOUT },
	{ NULL,	"pswpin",	PS_SYS_PSWPIN },
	{ NULL,	"pswpout",	PS_SYS_PSWPOUT },
};

/* /proc/stat: only the first number after the name is ours ("intr" is
 * the total, then one count per interrupt line). */
static const struct ps_name procstat_stat_names[] = {
	{ NULL,	"ctxt",		PS_SYS_CTXT },
	{ NULL,	"intr",		PS_SYS_INTR },
	{ NULL,	"processes",	PS_SYS_FORKS },
};

#define PS_NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static int
procstat_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Cuts the next line (without its '\n') off *textp; 0 at the end. */
static int
procstat_next_line(const char **textp, struct ps_span *line)
{
	const char	*p = *textp, *nl;

	if (*p == '\0')
		return 0;
	nl = strchr(p, '\n');
	line->sp_begin = p;
	line->sp_end = nl != NULL ? nl : p + strlen(p);
	*textp = nl != NULL ? nl + 1 : line->sp_end;
	return 1;
}

/*
 * Cuts the next blank-separated token off rest; sep, when not '\0', is a
 * character that ends a token and is a token of its own (the '|' of the
 * /proc/net/dev header).  0 when only blanks are left.
 */
static int
procstat_next_token(struct ps_span *rest, struct ps_span *tok, char sep)
{
	const char	*p = rest->sp_begin;

	while (p < rest->sp_end && procstat_is_blank(*p))
		p++;
	if (p == rest->sp_end) {
		rest->sp_begin = p;
		return 0;
	}
	tok->sp_begin = p;
	if (sep != '\0' && *p == sep)
		p++;
	else
		while (p < rest->sp_end && !procstat_is_blank(*p) &&
		    (sep == '\0' || *p != sep))
			p++;
	tok->sp_end = p;
	rest->sp_begin = p;
	return 1;
}

static int
procstat_span_is_blank(const struct ps_span *sp)
{
	struct ps_span	rest = *sp, tok;

	return !procstat_next_token(&rest, &tok, '\0');
}

static int
procstat_span_eq(const struct ps_span *sp, const char *s)
{
	size_t	len = (size_t)(sp->sp_end - sp->sp_begin);

	return strlen(s) == len && memcmp(sp->sp_begin, s, len) == 0;
}

/*
 * Parses a decimal token.  Kernel counters are unsigned, but some snmp
 * fields are signed (Tcp MaxConn is -1, RFC 4022), so a leading '-' is
 * valid syntax; *negative tells the caller, which decides.  Anything
 * else (no digits, trailing junk, out of range) is -1.
 */
static int
procstat_span_number(const struct ps_span *sp, uint64_t *value,
    int *negative)
{
	char		 buf[32];
	char		*end;
	size_t		 len = (size_t)(sp->sp_end - sp->sp_begin);
	int		 neg;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, sp->sp_begin, len);
	buf[len] = '\0';
	neg = buf[0] == '-';
	/* strto*() would also take blanks, '+' and "0x"; the kernel prints
	 * none of them. */
	if (!isdigit((unsigned char)buf[neg]))
		return -1;
	errno = 0;
	if (neg)
		*value = (uint64_t)strtoll(buf, &end, 10);
	else
		*value = strtoull(buf, &end, 10);
	if (errno == ERANGE || *end != '\0')
		return -1;
	*negative = neg;
	return 0;
}

/* A counter: a number that is not negative. */
static int
procstat_span_counter(const struct ps_span *sp, uint64_t *value)
{
	int	neg;

	if (procstat_span_number(sp, value, &neg) == -1 || neg)
		return -1;
	return 0;
}

static const struct ps_name *
procstat_lookup(const struct ps_name *table, size_t n,
    const struct ps_span *section, const struct ps_span *name)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (table[i].pn_section != NULL && (section == NULL ||
		    !procstat_span_eq(section, table[i].pn_section)))
			continue;
		if (procstat_span_eq(name, table[i].pn_name))
			return &table[i];
	}
	return NULL;
}

static void
procstat_add(struct ps_sample *ps, enum ps_counter c, uint64_t v)
{
	ps->ps_counter[c] += v;
	ps->ps_have |= UINT64_C(1) << c;
}

void
procstat_sample_init(struct ps_sample *ps)
{
	memset(ps, 0, sizeof(*ps));
}

void
procstat_sample_free(struct ps_sample *ps)
{
	if (ps == NULL)
		return;
	free(ps->ps_ifaces);
	memset(ps, 0, sizeof(*ps));
}

/* Empties a sample for a new reading, keeping its interface array. */
static void
procstat_sample_reset(struct ps_sample *ps)
{
	struct ps_iface	*ifaces = ps->ps_ifaces;
	size_t		 cap = ps->ps_ifaces_cap;

	memset(ps, 0, sizeof(*ps));
	ps->ps_ifaces = ifaces;
	ps->ps_ifaces_cap = cap;
}

static struct ps_iface *
procstat_iface_append(struct ps_sample *ps)
{
	struct ps_iface	*grown;
	size_t		 cap;

	if (ps->ps_nifaces == ps->ps_ifaces_cap) {
		cap = ps->ps_ifaces_cap ? ps->ps_ifaces_cap * 2 : 16;
		grown = reallocarray(ps->ps_ifaces, cap, sizeof(*grown));
		if (grown == NULL)
			return NULL;
		ps->ps_ifaces = grown;
		ps->ps_ifaces_cap = cap;
	}
	return &ps->ps_ifaces[ps->ps_nifaces++];
}

/* The title line says which '|' group is Receive and which Transmit. */
static void
procstat_dev_titles(const struct ps_span *line,
    enum ps_dev_group group[PROCSTAT_DEV_MAXGROUPS])
{
	struct ps_span	rest = *line, tok;
	size_t		g = 0;
	int		found = 0;

	memset(group, 0, PROCSTAT_DEV_MAXGROUPS * sizeof(group[0]));
	while (procstat_next_token(&rest, &tok, '|')) {
		if (*tok.sp_begin == '|') {
			if (++g == PROCSTAT_DEV_MAXGROUPS)
				break;
		} else if (procstat_span_eq(&tok, "Receive")) {
			group[g] = PS_GROUP_RX;
			found = 1;
		} else if (procstat_span_eq(&tok, "Transmit")) {
			group[g] = PS_GROUP_TX;
			found = 1;
		}
	}
	/* Every kernel since 2.0 prints "Receive" then "Transmit". */
	if (!found) {
		group[1] = PS_GROUP_RX;
		group[2] = PS_GROUP_TX;
	}
}

static int
procstat_dev_field(const struct ps_span *name, enum ps_dev_group group)
{
	size_t	i;

	if (group == PS_GROUP_NONE)
		return -1;
	for (i = 0; i < PS_NITEMS(procstat_dev_names); i++)
		if (procstat_span_eq(name, procstat_dev_names[i].dn_name))
			return group == PS_GROUP_RX ?
			    procstat_dev_names[i].dn_rx :
			    procstat_dev_names[i].dn_tx;
	return -1;
}

/*
 * The field-name line (" face |bytes packets ...|bytes packets ...")
 * gives every data column its field; names this code does not know, and
 * every column past PROCSTAT_DEV_MAXCOLS, are read and ignored.
 */
static void
procstat_dev_header(struct ps_dev_map *map, const struct ps_span *titles,
    const struct ps_span *names)
{
	enum ps_dev_group	group[PROCSTAT_DEV_MAXGROUPS];
	struct ps_span		rest = *names, tok;
	size_t			g = 0;
	int			f;

	memset(map, 0, sizeof(*map));
	procstat_dev_titles(titles, group);
	while (procstat_next_token(&rest, &tok, '|')) {
		if (*tok.sp_begin == '|') {
			g++;
			continue;
		}
		if (g == 0)
			continue;	/* "face", the name column */
		f = g < PROCSTAT_DEV_MAXGROUPS ?
		    procstat_dev_field(&tok, group[g]) : -1;
		if (f != -1 && (map->dm_have & (1u << f)))
			f = -1;		/* a repeated name keeps the first */
		if (map->dm_ncols < PROCSTAT_DEV_MAXCOLS)
			map->dm_field[map->dm_ncols] = f;
		map->dm_ncols++;
		if (f != -1)
			map->dm_have |= 1u << f;
	}
	map->dm_ok = map->dm_have != 0;
}

/*
 * "  eth0: 1 2 3 ...".  The name is everything before the last ':' (the
 * counters after it hold none), so odd names and the 2.4 kernels' "eth0:1"
 * with no blank after the colon both parse.
 */
static int
procstat_dev_line(const struct ps_dev_map *map, const struct ps_span *line,
    struct ps_iface *pi)
{
	struct ps_span	 rest, tok;
	const char	*colon, *name = line->sp_begin;
	size_t		 col = 0, len;
	uint64_t	 v;
	int		 f;

	colon = memrchr(line->sp_begin, ':',
	    (size_t)(line->sp_end - line->sp_begin));
	if (colon == NULL)
		return -1;
	while (name < colon && procstat_is_blank(*name))
		name++;
	len = (size_t)(colon - name);
	if (len == 0 || len >= sizeof(pi->pi_name))
		return -1;
	memset(pi, 0, sizeof(*pi));
	memcpy(pi->pi_name, name, len);
	rest.sp_begin = colon + 1;
	rest.sp_end = line->sp_end;
	for (; procstat_next_token(&rest, &tok, '\0'); col++) {
		if (procstat_span_counter(&tok, &v) == -1)
			return -1;
		f = col < PROCSTAT_DEV_MAXCOLS ? map->dm_field[col] : -1;
		if (f != -1)
			pi->pi_field[f] = v;
	}
	if (col != map->dm_ncols)
		return -1;	/* truncated, or a column the header lacks */
	pi->pi_have = map->dm_have;
	return 0;
}

int
procstat_parse_dev(struct ps_sample *ps, const char *text)
{
	struct ps_dev_map	 map;
	struct ps_span		 line, titles = { NULL, NULL };
	struct ps_iface		 pi, *slot;
	unsigned		 lineno = 0;

	memset(&map, 0, sizeof(map));
	while (procstat_next_line(&text, &line)) {
		lineno++;
		if (lineno == 1) {
			titles = line;
			continue;
		}
		if (lineno == 2) {
			procstat_dev_header(&map, &titles, &line);
			/* Without a usable header no column has a meaning. */
			if (!map.dm_ok)
				ps->ps_skipped += 2;
			continue;
		}
		if (procstat_span_is_blank(&line))
			continue;
		if (!map.dm_ok || procstat_dev_line(&map, &line, &pi) == -1) {
			ps->ps_skipped++;
			continue;
		}
		if ((slot = procstat_iface_append(ps)) == NULL)
			return -1;
		*slot = pi;
	}
	if (lineno == 1)
		ps->ps_skipped++;	/* a title line and nothing else */
	return 0;
}

/* "Tcp:" -> "Tcp"; -1 when the line does not start with a section. */
static int
procstat_snmp_section(const struct ps_span *line, struct ps_span *section,
    struct ps_span *rest)
{
	*rest = *line;
	if (!procstat_next_token(rest, section, '\0'))
		return -1;
	if (section->sp_end - section->sp_begin < 2 ||
	    section->sp_end[-1] != ':')
		return -1;
	section->sp_end--;
	return 0;
}

static int
procstat_snmp_same_section(const struct ps_span *a, const struct ps_span *b)
{
	struct ps_span	sa, sb, rest;
	size_t		len;

	if (procstat_snmp_section(a, &sa, &rest) == -1 ||
	    procstat_snmp_section(b, &sb, &rest) == -1)
		return 0;
	len = (size_t)(sa.sp_end - sa.sp_begin);
	return len == (size_t)(sb.sp_end - sb.sp_begin) &&
	    memcmp(sa.sp_begin, sb.sp_begin, len) == 0;
}

/*
 * One "Section: Name ..." / "Section: value ..." pair.  Values are
 * gathered first and added only when the whole pair parsed.
 */
static int
procstat_snmp_pair(struct ps_sample *ps, const struct ps_span *names,
    const struct ps_span *values)
{
	const struct ps_name	*pn;
	struct ps_span		 section, nrest, vrest, ntok, vtok;
	uint64_t		 add[PS_NCOUNTERS] = { 0 }, have = 0, v;
	int			 neg, more_names, more_values, c;

	if (procstat_snmp_section(names, &section, &nrest) == -1 ||
	    procstat_snmp_section(values, &vtok, &vrest) == -1)
		return -1;
	for (;;) {
		more_names = procstat_next_token(&nrest, &ntok, '\0');
		more_values = procstat_next_token(&vrest, &vtok, '\0');
		if (more_names != more_values)
			return -1;
		if (!more_names)
			break;
		if (procstat_span_number(&vtok, &v, &neg) == -1)
			return -1;
		pn = procstat_lookup(procstat_snmp_names,
		    PS_NITEMS(procstat_snmp_names), &section, &ntok);
		if (pn == NULL)
			continue;
		if (neg)
			return -1;	/* a counter this code serves */
		add[pn->pn_counter] += v;
		have |= UINT64_C(1) << pn->pn_counter;
	}
	for (c = 0; c < PS_NCOUNTERS; c++)
		if (have & (UINT64_C(1) << c))
			procstat_add(ps, (enum ps_counter)c, add[c]);
	return 0;
}

int
procstat_parse_snmp(struct ps_sample *ps, const char *text)
{
	struct ps_span	line, pending = { NULL, NULL };
	int		have_pending = 0;

	while (procstat_next_line(&text, &line)) {
		if (procstat_span_is_blank(&line))
			continue;
		if (!have_pending) {
			pending = line;
			have_pending = 1;
			continue;
		}
		/* A names line whose values line went missing: drop it and
		 * let this line start the next pair. */
		if (!procstat_snmp_same_section(&pending, &line)) {
			ps->ps_skipped++;
			pending = line;
			continue;
		}
		if (procstat_snmp_pair(ps, &pending, &line) == -1)
			ps->ps_skipped += 2;
		have_pending = 0;
	}
	if (have_pending)
		ps->ps_skipped++;
	return 0;
}

/*
 * "Name value" lines (/proc/net/snmp6, /proc/vmstat).  Every line must
 * have that shape; names not in the table are ignored.
 */
static void
procstat_parse_pairs(struct ps_sample *ps, const char *text,
    const struct ps_name *table, size_t n)
{
	const struct ps_name	*pn;
	struct ps_span		 line, rest, name, value, extra;
	uint64_t		 v;
	int			 neg;

	while (procstat_next_line(&text, &line)) {
		rest = line;
		if (!procstat_next_token(&rest, &name, '\0'))
			continue;
		if (!procstat_next_token(&rest, &value, '\0') ||
		    procstat_next_token(&rest, &extra, '\0') ||
		    procstat_span_number(&value, &v, &neg) == -1) {
			ps->ps_skipped++;
			continue;
		}
		if ((pn = procstat_lookup(table, n, NULL, &name)) == NULL)
			continue;
		if (neg) {
			ps->ps_skipped++;
			continue;
		}
		procstat_add(ps, pn->pn_counter, v);
	}
}

int
procstat_parse_snmp6(struct ps_sample *ps, const char *text)
{
	procstat_parse_pairs(ps, text, procstat_snmp6_names,
	    PS_NITEMS(procstat_snmp6_names));
	return 0;
}

int
procstat_parse_vmstat(struct ps_sample *ps, const char *text)
{
	procstat_parse_pairs(ps, text, procstat_vmstat_names,
	    PS_NITEMS(procstat_vmstat_names));
	return 0;
}

/* /proc/stat has lines of many shapes (cpu, intr, softirq); only the
 * ones named in procstat_stat_names are checked. */
int
procstat_parse_stat(struct ps_sample *ps, const char *text)
{
	const struct ps_name	*pn;
	struct ps_span		 line, rest, name, value;
	uint64_t		 v;

	while (procstat_next_line(&text, &line)) {
		rest = line;
		if (!procstat_next_token(&rest, &name, '\0'))
			continue;
		pn = procstat_lookup(procstat_stat_names,
		    PS_NITEMS(procstat_stat_names), NULL, &name);
		if (pn == NULL)
			continue;
		if (!procstat_next_token(&rest, &value, '\0') ||
		    procstat_span_counter(&value, &v) == -1) {
			ps->ps_skipped++;
			continue;
		}
		procstat_add(ps, pn->pn_counter, v);
	}
	return 0;
}

/*
 * "major minor name f1 f2 ...": at least the seven fields of a 2.6 kernel
 * (Documentation/admin-guide/iostats.rst); 4.18 and 5.5 appended more.
 */
static int
procstat_disk_line(const struct ps_span *line, char *name, size_t namesz,
    uint64_t field[PROCSTAT_DISK_MINFIELDS])
{
	struct ps_span	rest = *line, tok;
	uint64_t	v;
	size_t		n = 0, len;

	if (!procstat_next_token(&rest, &tok, '\0') ||
	    procstat_span_counter(&tok, &v) == -1 ||
	    !procstat_next_token(&rest, &tok, '\0') ||
	    procstat_span_counter(&tok, &v) == -1 ||
	    !procstat_next_token(&rest, &tok, '\0'))
		return -1;
	len = (size_t)(tok.sp_end - tok.sp_begin);
	if (len >= namesz)
		return -1;
	memcpy(name, tok.sp_begin, len);
	name[len] = '\0';
	for (; procstat_next_token(&rest, &tok, '\0'); n++) {
		if (procstat_span_counter(&tok, &v) == -1)
			return -1;
		if (n < PROCSTAT_DISK_MINFIELDS)
			field[n] = v;
	}
	return n < PROCSTAT_DISK_MINFIELDS ? -1 : 0;
}

int
procstat_parse_diskstats(struct ps_sample *ps, const char *text,
    ps_disk_filter filter, void *arg)
{
	struct ps_span	line;
	char		name[PROCSTAT_DISKNAME_MAX];
	uint64_t	field[PROCSTAT_DISK_MINFIELDS];
	uint64_t	sum[4] = { 0 };
	int		seen = 0;

	while (procstat_next_line(&text, &line)) {
		if (procstat_span_is_blank(&line))
			continue;
		if (procstat_disk_line(&line, name, sizeof(name), field)
		    == -1) {
			ps->ps_skipped++;
			continue;
		}
		seen = 1;
		if (filter != NULL && !filter(name, arg))
			continue;
		sum[0] += field[0];
		sum[1] += field[2];
		sum[2] += field[4];
		sum[3] += field[6];
	}
	/* A sum over no whole disk is a valid 0 once the file was read. */
	if (seen) {
		procstat_add(ps, PS_DISK_READS, sum[0]);
		procstat_add(ps, PS_DISK_SECTORS_READ, sum[1]);
		procstat_add(ps, PS_DISK_WRITES, sum[2]);
		procstat_add(ps, PS_DISK_SECTORS_WRITTEN, sum[3]);
	}
	return 0;
}

char *
procstat_slurp(const char *path, size_t *lenp)
{
	char	*buf = NULL, *grown;
	size_t	 len = 0, cap = PROCSTAT_SLURP_START;
	ssize_t	 n;
	int	 fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if ((buf = malloc(cap)) == NULL)
		goto fail;
	/* /proc files report st_size 0: read until EOF, whatever stat says. */
	for (;;) {
		if (len + 1 == cap) {
			if (cap >= PROCSTAT_SLURP_MAX) {
				errno = EFBIG;
				goto fail;
			}
			if ((grown = realloc(buf, cap * 2)) == NULL)
				goto fail;
			buf = grown;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fd);
	if (lenp != NULL)
		*lenp = len;
	return buf;
fail:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return NULL;
}

/* A name taken from /proc must stay one path component under /sys. */
static int
procstat_path(char *path, size_t size, const char *root, const char *dir,
    const char *name, const char *leaf)
{
	int	n;

	if (name[0] == '\0' || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0 || strchr(name, '/') != NULL)
		return -1;
	n = snprintf(path, size, "%s/%s/%s%s", root, dir, name, leaf);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/*
 * The live whole-disk test: only a real disk has a "device" link in
 * /sys/block (partitions live below their disk; loop, ram, zram, dm- and
 * md have none).  The kernel writes a '/' in a disk name as '!' in sysfs
 * (cciss/c0d0 -> cciss!c0d0).
 */
static int
procstat_disk_is_whole(const char *name, void *arg)
{
	const char	*sysroot = arg;
	char		 sysname[PROCSTAT_DISKNAME_MAX], *p;
	char		 path[PATH_MAX];

	if (strlen(name) >= sizeof(sysname))
		return 0;
	strcpy(sysname, name);
	for (p = sysname; (p = strchr(p, '/')) != NULL; p++)
		*p = '!';
	if (procstat_path(path, sizeof(path), sysroot, "block", sysname,
	    "/device") == -1)
		return 0;
	return access(path, F_OK) == 0;
}

/* A small unsigned number from a sysfs attribute; -1 when absent. */
static int
procstat_sys_number(const char *path, uint64_t *value)
{
	struct ps_span	 rest, tok;
	char		*text;
	int		 rc = -1;

	if ((text = procstat_slurp(path, NULL)) == NULL)
		return -1;
	rest.sp_begin = text;
	rest.sp_end = text + strcspn(text, "\n");
	if (procstat_next_token(&rest, &tok, '\0') &&
	    procstat_span_counter(&tok, value) == 0)
		rc = 0;
	free(text);
	return rc;
}

static void
procstat_iface_resolve(struct ps_iface *pi, const char *sysroot)
{
	char		path[PATH_MAX];
	uint64_t	v;

	if (procstat_path(path, sizeof(path), sysroot, "class/net",
	    pi->pi_name, "/ifindex") == 0 &&
	    procstat_sys_number(path, &v) == 0 && v <= UINT_MAX)
		pi->pi_ifindex = (unsigned)v;
	if (procstat_path(path, sizeof(path), sysroot, "class/net",
	    pi->pi_name, "/type") == 0 &&
	    procstat_sys_number(path, &v) == 0)
		pi->pi_loopback = v == ARPHRD_LOOPBACK;
}

static int
procstat_iface_cmp(const void *a, const void *b)
{
	const struct ps_iface	*x = a, *y = b;

	if (x->pi_ifindex != y->pi_ifindex)
		return x->pi_ifindex < y->pi_ifindex ? -1 : 1;
	return strcmp(x->pi_name, y->pi_name);
}

/* Reads procroot/name whole; NULL with errno (ENOENT when missing). */
static char *
procstat_slurp_at(const char *procroot, const char *name)
{
	char	path[PATH_MAX];
	int	n;

	n = snprintf(path, sizeof(path), "%s/%s", procroot, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return procstat_slurp(path, NULL);
}

/*
 * Reads and parses one optional file.  A file that cannot be read is
 * left out (an older kernel, no IPv6); -1 only when memory ran out.
 */
static int
procstat_read_file(struct ps_sample *ps, const char *procroot,
    const char *name, int (*parse)(struct ps_sample *, const char *))
{
	char	*text;
	int	 rc;

	if ((text = procstat_slurp_at(procroot, name)) == NULL)
		return errno == ENOMEM ? -1 : 0;
	rc = parse(ps, text);
	free(text);
	return rc;
}

static int
procstat_read_diskstats(struct ps_sample *ps, const char *procroot,
    const char *sysroot)
{
	char	*text;
	int	 rc;

	if ((text = procstat_slurp_at(procroot, "diskstats")) == NULL)
		return errno == ENOMEM ? -1 : 0;
	/* The filter only reads its argument; void * is the typedef's. */
	rc = procstat_parse_diskstats(ps, text, procstat_disk_is_whole,
	    (void *)(uintptr_t)sysroot);
	free(text);
	return rc;
}

static void
procstat_resolve_and_sort(struct ps_sample *ps, const char *sysroot)
{
	size_t	i;

	for (i = 0; i < ps->ps_nifaces; i++)
		procstat_iface_resolve(&ps->ps_ifaces[i], sysroot);
	if (ps->ps_nifaces > 1)
		qsort(ps->ps_ifaces, ps->ps_nifaces, sizeof(*ps->ps_ifaces),
		    procstat_iface_cmp);
}

/*
 * The sample must have been set up by procstat_sample_init (or be one
 * read before: its interface array is reused).
 */
int
procstat_read(struct ps_sample *ps, const char *procroot,
    const char *sysroot)
{
	static const struct {
		const char	*pf_name;
		int		(*pf_parse)(struct ps_sample *, const char *);
	} files[] = {
		{ "net/snmp",	 procstat_parse_snmp },
		{ "net/snmp6",	 procstat_parse_snmp6 },
		{ "net/netstat", procstat_parse_snmp },
		{ "stat",	 procstat_parse_stat },
		{ "vmstat",	 procstat_parse_vmstat },
	};
	char	*text;
	size_t	 i;
	int	 rc;

	procstat_sample_reset(ps);
	clock_gettime(CLOCK_MONOTONIC, &ps->ps_mono);
	clock_gettime(CLOCK_REALTIME, &ps->ps_real);
	if ((text = procstat_slurp_at(procroot, "net/dev")) == NULL)
		return -1;
	rc = procstat_parse_dev(ps, text);
	free(text);
	if (rc == -1)
		return -1;
	for (i = 0; i < PS_NITEMS(files); i++)
		if (procstat_read_file(ps, procroot, files[i].pf_name,
		    files[i].pf_parse) == -1)
			return -1;
	if (procstat_read_diskstats(ps, procroot, sysroot) == -1)
		return -1;
	procstat_resolve_and_sort(ps, sysroot);
	return 0;
}

const struct ps_iface *
procstat_find_iface(const struct ps_sample *ps, unsigned ifindex)
{
	size_t	lo = 0, hi = ps->ps_nifaces, mid;

	if (ifindex == 0)
		return NULL;	/* 0 means "unknown", never a real index */
	/* Lower bound, so that of duplicates the first is found. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ps->ps_ifaces[mid].pi_ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ps->ps_nifaces && ps->ps_ifaces[lo].pi_ifindex == ifindex)
		return &ps->ps_ifaces[lo];
	return NULL;
}
