/*
 * cmprobe: runs the probe engine (src/probe) for a while and prints each
 * probe's results, for the tests.
 *
 *   cmprobe [-s auto|dgram|raw] [-t SECONDS] [-H HISTORY] [-S SLOW_US]
 *           [-i DEFAULT_INTERVAL] 'NAME HOST [interval S] [timeout S]' ...
 *
 * Each argument is the value of one coremon.conf `probe` line.  After
 * SECONDS (default 5, fractions allowed) prints one line per probe:
 *
 *   probe NAME host=HOST addr=ADDR socket=raw status=ok sent=5 ...
 *
 * (RTTs in microseconds, loss in percent over the history), then one line
 * about the engine.  Exits 1, with the reason, on a bad line or when no
 * socket can be opened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe/probe.h"

static void
usage(void)
{
	fprintf(stderr, "usage: cmprobe [-s auto|dgram|raw] [-t SECONDS] "
	    "[-H HISTORY] [-S SLOW_US] [-i INTERVAL] 'NAME HOST [interval S] "
	    "[timeout S]' ...\n");
	exit(2);
}

static void
print_result(const struct probe_result *r)
{
	char	addr[64];

	probe_addr_format(&r->pr_addr, addr, sizeof(addr));
	printf("probe %s host=%s addr=%s socket=%s status=%s sent=%llu "
	    "received=%llu outstanding=%u timeouts=%llu unreachable=%llu "
	    "errors=%llu late=%llu dup=%llu loss=%u.%02u last=%u min=%u "
	    "avg=%u max=%u history=%u consec_lost=%u consec_slow=%u "
	    "error=\"%s\"\n", r->pr_name, r->pr_host, addr,
	    probe_socket_name(r->pr_socket), probe_status_name(r->pr_status),
	    (unsigned long long)r->pr_sent, (unsigned long long)r->pr_received,
	    r->pr_outstanding, (unsigned long long)r->pr_timeouts,
	    (unsigned long long)r->pr_unreachable,
	    (unsigned long long)r->pr_errors, (unsigned long long)r->pr_late,
	    (unsigned long long)r->pr_duplicates, r->pr_loss_x100 / 100,
	    r->pr_loss_x100 % 100, r->pr_last_rtt_us, r->pr_min_rtt_us,
	    r->pr_avg_rtt_us, r->pr_max_rtt_us, r->pr_history_count,
	    r->pr_consec_lost, r->pr_consec_slow, r->pr_error);
}

int
main(int argc, char **argv)
{
	struct probe_config	*pcs;
	struct probe_options	 po;
	struct probe_engine	*pe;
	const struct probe_snapshot *sn;
	struct timespec		 ts;
	double			 seconds = 5;
	char			 err[256], *end;
	size_t			 n = 0, i;
	int			 opt;

	probe_options_default(&po);
	while ((opt = getopt(argc, argv, "s:t:H:S:i:")) != -1) {
		switch (opt) {
		case 's':
			if (strcmp(optarg, "auto") == 0)
				po.po_sockets = PROBE_WANT_AUTO;
			else if (strcmp(optarg, "dgram") == 0)
				po.po_sockets = PROBE_WANT_DGRAM;
			else if (strcmp(optarg, "raw") == 0)
				po.po_sockets = PROBE_WANT_RAW;
			else
				usage();
			break;
		case 't':
			seconds = strtod(optarg, &end);
			if (*end != '\0' || seconds < 0 || seconds > 86400)
				usage();
			break;
		case 'H':
			if (probe_history_parse(optarg, &po.po_history, err,
			    sizeof(err)) == -1) {
				fprintf(stderr, "cmprobe: %s\n", err);
				return 1;
			}
			break;
		case 'S':
			po.po_slow_us = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'i':
			po.po_default_interval = (uint32_t)strtoul(optarg,
			    NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (optind == argc)
		usage();
	if ((pcs = calloc((size_t)(argc - optind), sizeof(*pcs))) == NULL) {
		perror("cmprobe");
		return 1;
	}
	for (; optind < argc; optind++, n++) {
		if (probe_config_parse(argv[optind], pcs, n, &pcs[n], err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "cmprobe: argument %zu: %s\n", n + 1,
			    err);
			return 1;
		}
	}
	if ((pe = probe_engine_new(pcs, n, &po, err, sizeof(err))) == NULL) {
		fprintf(stderr, "cmprobe: %s\n", err);
		return 1;
	}
	if (probe_engine_start(pe) == -1) {
		perror("cmprobe: probe_engine_start");
		return 1;
	}
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
	probe_engine_stop(pe);
	sn = probe_acquire(pe);
	for (i = 0; i < sn->sn_nprobes; i++)
		print_result(&sn->sn_probes[i]);
	printf("engine socket4=%s socket6=%s ident4=%u ident6=%u foreign=%llu "
	    "malformed=%llu ignored=%llu recv_errors=%llu\n",
	    probe_socket_name(sn->sn_socket4), probe_socket_name(sn->sn_socket6),
	    sn->sn_ident4, sn->sn_ident6, (unsigned long long)sn->sn_foreign,
	    (unsigned long long)sn->sn_malformed,
	    (unsigned long long)sn->sn_ignored,
	    (unsigned long long)sn->sn_recv_errors);
	probe_release(sn);
	probe_engine_free(pe);
	free(pcs);
	return 0;
}
