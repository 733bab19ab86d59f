/*
 * procstat: readers for the kernel's text counters under /proc.
 *
 * Each parser takes the whole text of one file and adds what it understands
 * to a struct ps_sample.  Files are parsed by header and field name, never by
 * column position, because field lists differ between kernels.  A line that
 * cannot be understood is skipped and counted in ps_skipped; nothing here
 * reads past the text it was given.
 *
 * Counters that the kernel splits by IP version (Udp / Udp6, Ip / Ip6) are
 * summed into one ps_counter slot: each parser adds, it never assigns.
 */
#ifndef PROCSTAT_H
#define PROCSTAT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define PS_IFNAME_MAX 64

/* Where a live system keeps them. */
#define PROCSTAT_PROCROOT	"/proc"
#define PROCSTAT_SYSROOT	"/sys"

/* The fields of one /proc/net/dev line, named as in its header. */
enum ps_dev_field {
	PS_RX_BYTES, PS_RX_PACKETS, PS_RX_ERRS, PS_RX_DROP, PS_RX_FIFO,
	PS_RX_FRAME, PS_RX_COMPRESSED, PS_RX_MULTICAST,
	PS_TX_BYTES, PS_TX_PACKETS, PS_TX_ERRS, PS_TX_DROP, PS_TX_FIFO,
	PS_TX_COLLS, PS_TX_CARRIER, PS_TX_COMPRESSED,
	PS_DEV_NFIELDS
};

struct ps_iface {
	char		pi_name[PS_IFNAME_MAX];
	unsigned	pi_ifindex;	/* 0 when unknown (fixtures) */
	int		pi_loopback;	/* ARPHRD_LOOPBACK */
	uint32_t	pi_have;	/* bit per ps_dev_field the kernel gave */
	uint64_t	pi_field[PS_DEV_NFIELDS];
};

/*
 * Host-wide counters.  All are monotonic counters except PS_TCP_CURRESTAB,
 * a gauge.  PS_SYS_PGPGIN/OUT are in KiB as /proc/vmstat gives them.
 */
enum ps_counter {
	PS_TCP_INSEGS, PS_TCP_OUTSEGS, PS_TCP_RETRANSSEGS, PS_TCP_INERRS,
	PS_TCP_CURRESTAB, PS_TCP_ACTIVEOPENS, PS_TCP_PASSIVEOPENS,
	PS_TCP_LISTENOVERFLOWS, PS_TCP_LISTENDROPS,
	PS_UDP_INDATAGRAMS, PS_UDP_OUTDATAGRAMS, PS_UDP_INERRORS,
	PS_UDP_NOPORTS, PS_UDP_RCVBUFERRORS,
	PS_IP_INRECEIVES, PS_IP_OUTREQUESTS,
	PS_SYS_CTXT, PS_SYS_INTR, PS_SYS_FORKS,
	PS_SYS_PGPGIN, PS_SYS_PGPGOUT, PS_SYS_PSWPIN, PS_SYS_PSWPOUT,
	PS_DISK_READS, PS_DISK_WRITES, PS_DISK_SECTORS_READ,
	PS_DISK_SECTORS_WRITTEN,
	PS_NCOUNTERS
};

struct ps_sample {
	struct timespec	 ps_mono;	/* CLOCK_MONOTONIC when read */
	struct timespec	 ps_real;	/* CLOCK_REALTIME when read */
	struct ps_iface	*ps_ifaces;	/* owned; sorted by ifindex, then name */
	size_t		 ps_nifaces;
	size_t		 ps_ifaces_cap;
	uint64_t	 ps_have;	/* bit per ps_counter seen at least once */
	uint64_t	 ps_counter[PS_NCOUNTERS];
	unsigned	 ps_skipped;	/* lines not understood, all files */
};

/* Decides whether a /proc/diskstats device is a whole disk (not a
 * partition, loop or device-mapper node).  Returns 1 to count it. */
typedef int (*ps_disk_filter)(const char *name, void *arg);

void	procstat_sample_init(struct ps_sample *);
void	procstat_sample_free(struct ps_sample *);	/* accepts zeroed */

/* Parsers: 0 on success, -1 (errno set) only on allocation failure. */
int	procstat_parse_dev(struct ps_sample *, const char *text);
int	procstat_parse_snmp(struct ps_sample *, const char *text); /* also netstat */
int	procstat_parse_snmp6(struct ps_sample *, const char *text);
int	procstat_parse_stat(struct ps_sample *, const char *text);
int	procstat_parse_vmstat(struct ps_sample *, const char *text);
int	procstat_parse_diskstats(struct ps_sample *, const char *text,
	    ps_disk_filter, void *arg);

/*
 * Reads every file above from procroot ("/proc" on a live system; a fixture
 * directory in tests), resolves ifindex and loopback through sysroot
 * ("/sys"), timestamps the sample and sorts its interfaces.  A file that is
 * missing is not an error (an older kernel, no IPv6); -1 with errno only when
 * /proc/net/dev itself cannot be read or memory runs out.
 */
int	procstat_read(struct ps_sample *, const char *procroot,
	    const char *sysroot);

/* Finds an interface by ifindex (binary search); NULL when absent. */
const struct ps_iface *procstat_find_iface(const struct ps_sample *,
	    unsigned ifindex);

/* Reads a whole small file into a NUL-terminated malloc'd buffer. */
char	*procstat_slurp(const char *path, size_t *lenp);

#endif
