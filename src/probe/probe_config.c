/*
 * probe_config: the configuration of the probe engine, i.e. the values of
 * `probe NAME HOST [interval S] [timeout S]` and `probeHistory N` lines,
 * each error worded for the operator, and the engine's default options.
 *
 * Separate from the engine because it runs once, on the main thread, while
 * the configuration file is read (and may block in the resolver); the
 * engine only ever sees the struct probe_config it produces.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/errbuf.h"
#include "probe/probe.h"
#include "probe/probe_addr.h"

#define PROBE_QUOTE_MAX		64	/* characters of a token quoted */

/* A token as it may appear in a message: at most PROBE_QUOTE_MAX
 * characters, anything unprintable as '?'. */
static const char *
probe_config_quote(const char *s, char *buf, size_t len)
{
	size_t	i;

	for (i = 0; s[i] != '\0' && i + 4 < len && i < PROBE_QUOTE_MAX; i++)
		buf[i] = s[i] > ' ' && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	if (s[i] != '\0' && i + 4 <= len)
		memcpy(buf + i, "...", 4);	/* with the NUL */
	return buf;
}

/* Decimal digits only, no sign or space, min..max. */
static int
probe_config_uint(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t	v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return -1;
	}
	if (v < min)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
probe_config_name(const char *name, const struct probe_config *existing,
    size_t nexisting, char *err, size_t errlen)
{
	char	q[PROBE_QUOTE_MAX + 4];
	size_t	i;

	if (strlen(name) > PROBE_NAME_MAX)
		return errbuf_set(err, errlen, "probe name \"%s\" is longer "
		    "than %d characters",
		    probe_config_quote(name, q, sizeof(q)),
		    PROBE_NAME_MAX);
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-") != strlen(name))
		return errbuf_set(err, errlen, "probe name \"%s\" may hold "
		    "only letters, digits, '.', '_' and '-'",
		    probe_config_quote(name, q, sizeof(q)));
	for (i = 0; i < nexisting; i++) {
		if (strcmp(existing[i].pc_name, name) == 0)
			return errbuf_set(err, errlen,
			    "duplicate probe name \"%s\"", name);
	}
	if (nexisting >= PROBE_MAX)
		return errbuf_set(err, errlen, "too many probes (at most %d)",
		    PROBE_MAX);
	return 0;
}

/* An address as written, else the first unicast address the resolver
 * gives (in its RFC 6724 order), among families the host has. */
static int
probe_config_resolve(const char *host, struct probe_addr *pa, char *err,
    size_t errlen)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		 q[PROBE_QUOTE_MAX + 4];
	int		 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;	/* one entry per address */
	hints.ai_flags = AI_NUMERICHOST;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0) {
		hints.ai_flags = AI_ADDRCONFIG;
		rc = getaddrinfo(host, NULL, &hints, &res);
	}
	probe_config_quote(host, q, sizeof(q));
	if (rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_ADDRFAMILY)
		return errbuf_set(err, errlen, "unknown host \"%s\"", q);
	if (rc != 0)
		return errbuf_set(err, errlen, "unknown host \"%s\": %s", q,
		    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (probe_addr_from_sockaddr(pa, ai->ai_addr,
		    ai->ai_addrlen) == 0 && probe_addr_is_unicast(pa))
			break;
	}
	freeaddrinfo(res);
	if (ai == NULL)
		return errbuf_set(err, errlen,
		    "host \"%s\" is not a unicast address", q);
	return 0;
}

/* One "interval S" or "timeout S" pair, opt its first word. */
static int
probe_config_option(const char *opt, char **saveptr, struct probe_config *pc,
    int *seen, char *err, size_t errlen)
{
	char		 q[PROBE_QUOTE_MAX + 4];
	const char	*val;
	uint32_t	*dst, max;
	int		 bit;

	if (strcmp(opt, "interval") == 0) {
		dst = &pc->pc_interval;
		max = PROBE_INTERVAL_MAX;
		bit = 1;
	} else if (strcmp(opt, "timeout") == 0) {
		dst = &pc->pc_timeout;
		max = PROBE_TIMEOUT_MAX;
		bit = 2;
	} else {
		return errbuf_set(err, errlen, "unknown option \"%s\" "
		    "(expected interval or timeout)",
		    probe_config_quote(opt, q, sizeof(q)));
	}
	if (*seen & bit)
		return errbuf_set(err, errlen, "%s given twice", opt);
	*seen |= bit;
	if ((val = strtok_r(NULL, " \t\r\n", saveptr)) == NULL)
		return errbuf_set(err, errlen, "%s needs a value in seconds",
		    opt);
	if (probe_config_uint(val, 1, max, dst) == -1)
		return errbuf_set(err, errlen, "%s \"%s\" is not a whole "
		    "number from 1 to %u", opt,
		    probe_config_quote(val, q, sizeof(q)),
		    max);
	return 0;
}

int
probe_config_parse(const char *value, const struct probe_config *existing,
    size_t nexisting, struct probe_config *out, char *err, size_t errlen)
{
	struct probe_config	 pc;
	char			*copy, *saveptr = NULL, *name, *host, *tok;
	char			 q[PROBE_QUOTE_MAX + 4];
	int			 seen = 0;

	memset(&pc, 0, sizeof(pc));
	pc.pc_timeout = PROBE_TIMEOUT_DEFAULT;
	if ((copy = strdup(value)) == NULL)
		return errbuf_set(err, errlen, "%s", strerror(errno));
	name = strtok_r(copy, " \t\r\n", &saveptr);
	host = name ? strtok_r(NULL, " \t\r\n", &saveptr) : NULL;
	if (name == NULL) {
		snprintf(err, errlen, "probe needs a name and a host: "
		    "probe NAME HOST [interval SECONDS] [timeout SECONDS]");
		goto fail;
	}
	if (probe_config_name(name, existing, nexisting, err, errlen) == -1)
		goto fail;
	if (host == NULL) {
		snprintf(err, errlen, "probe \"%s\" needs a host", name);
		goto fail;
	}
	if (strlen(host) > PROBE_HOST_MAX) {
		snprintf(err, errlen, "host \"%s\" is longer than %d characters",
		    probe_config_quote(host, q, sizeof(q)), PROBE_HOST_MAX);
		goto fail;
	}
	while ((tok = strtok_r(NULL, " \t\r\n", &saveptr)) != NULL) {
		if (probe_config_option(tok, &saveptr, &pc, &seen, err,
		    errlen) == -1)
			goto fail;
	}
	/* Last: the resolver may be slow, the checks above are not. */
	if (probe_config_resolve(host, &pc.pc_addr, err, errlen) == -1)
		goto fail;
	strcpy(pc.pc_name, name);
	strcpy(pc.pc_host, host);
	free(copy);
	*out = pc;
	return 0;
fail:
	free(copy);
	return -1;
}

int
probe_history_parse(const char *value, uint32_t *out, char *err,
    size_t errlen)
{
	char	q[PROBE_QUOTE_MAX + 4];

	if (probe_config_uint(value, 1, PROBE_HISTORY_MAX, out) == -1)
		return errbuf_set(err, errlen, "probeHistory \"%s\" is not a "
		    "whole number from 1 to %d",
		    probe_config_quote(value, q, sizeof(q)),
		    PROBE_HISTORY_MAX);
	return 0;
}

void
probe_options_default(struct probe_options *po)
{
	memset(po, 0, sizeof(*po));
	po->po_default_interval = 30;
	po->po_history = PROBE_HISTORY_DEFAULT;
	po->po_slow_us = 0;
	po->po_sockets = PROBE_WANT_AUTO;
}
