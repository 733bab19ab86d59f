/*
 * histdb_batch: what every part of the history database does with a
 * batch (histdb_int.h) and with the built-in schema -- apart from
 * histdb.c, so that the spool and the backends (and their tests) link
 * without the writer.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/histdb_int.h"

void
histdb_batch_free(struct histdb_batch *b)
{
	if (b == NULL)
		return;
	free(b->hb_windows);
	free(b->hb_services);
	free(b->hb_sessions);
	free(b->hb_hosts);
	free(b->hb_probes);
	free(b->hb_procs);
	free(b->hb_names);
	b->hb_windows = NULL;
	b->hb_services = NULL;
	b->hb_sessions = NULL;
	b->hb_hosts = NULL;
	b->hb_probes = NULL;
	b->hb_procs = NULL;
	b->hb_names = NULL;
	b->hb_nwindows = b->hb_nservices = b->hb_nsessions = 0;
	b->hb_nhosts = b->hb_nprobes = b->hb_nprocs = 0;
}

size_t
histdb_batch_rows(const struct histdb_batch *b)
{
	return b->hb_nwindows + b->hb_nservices + b->hb_nsessions +
	    b->hb_nhosts + b->hb_nprobes + b->hb_nprocs;
}

int
histdb_schema_next(const char **pos, char *buf, size_t len)
{
	const char	*p = *pos, *end, *nl;
	size_t		 n;

	while (*p == '\n' || *p == ' ' || *p == '\t')
		p++;
	if (*p == '\0') {
		*pos = p;
		return 0;
	}
	/* The statement runs to the first line that ends in ';'. */
	for (end = p; (nl = strchr(end, '\n')) != NULL; end = nl + 1)
		if (nl > end && nl[-1] == ';')
			break;
	if (nl == NULL)
		nl = end + strlen(end);
	n = (size_t)(nl - p);
	if (n > 0 && p[n - 1] == ';')
		n--;
	if (n >= len)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	*pos = *nl == '\n' ? nl + 1 : nl;
	return 1;
}

void
histdb_schema_dialect(char *sql, const char *marker)
{
	size_t	len = strlen(marker);
	char	*p = sql;

	while ((p = strstr(p, marker)) != NULL) {
		memset(p, ' ', len);
		p += len;
	}
}

/* YYYYMMDD of unix seconds t, UTC. */
uint32_t
histdb_day_of(int64_t t)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL)
		return 0;
	return (uint32_t)(tm.tm_year + 1900) * 10000 +
	    (uint32_t)(tm.tm_mon + 1) * 100 + (uint32_t)tm.tm_mday;
}
