/*
 * bench_pcapread: the floor of make bench's whole-daemon comparison --
 * a process that only reads a capture file with libpcap.
 *
 *   bench_pcapread FILE
 *
 * pcap_open_offline() and pcap_dispatch() in batches of 10,000, as
 * coremond's capture thread reads a file, with a callback that counts
 * packets and on-wire octets (so the read cannot be skipped).  Prints
 * "PACKETS OCTETS CPU-SECONDS", the CPU time of the whole process from
 * its start (getrusage: user + system, the figure /proc gives for
 * coremond), so both sides pay for process start and libpcap's setup.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>

#include <pcap/pcap.h>

struct pcapread_count {
	uint64_t	pc_packets;
	uint64_t	pc_octets;
};

static void
pcapread_packet(u_char *user, const struct pcap_pkthdr *h,
    const u_char *bytes)
{
	struct pcapread_count	*pc = (struct pcapread_count *)user;

	(void)bytes;
	pc->pc_packets++;
	pc->pc_octets += h->len;
}

static double
pcapread_cpu(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int
main(int argc, char **argv)
{
	char			 err[PCAP_ERRBUF_SIZE];
	struct pcapread_count	 pc = { 0, 0 };
	pcap_t			*p;
	int			 n;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_pcapread FILE\n");
		return 2;
	}
	if ((p = pcap_open_offline(argv[1], err)) == NULL) {
		fprintf(stderr, "bench_pcapread: %s\n", err);
		return 1;
	}
	while ((n = pcap_dispatch(p, 10000, pcapread_packet,
	    (u_char *)&pc)) > 0)
		;
	if (n == -1) {
		fprintf(stderr, "bench_pcapread: %s: %s\n", argv[1],
		    pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	printf("%llu %llu %.3f\n", (unsigned long long)pc.pc_packets,
	    (unsigned long long)pc.pc_octets, pcapread_cpu());
	return 0;
}
