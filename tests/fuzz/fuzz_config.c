/*
 * libFuzzer target for the coremon.conf value parsers of src/: service
 * lines, localNet prefixes, probe lines, probeHistory and the units of
 * thresholds.  The first byte picks the parser (low 3 bits) and the size
 * of the error buffer (the rest: 1 to 32 bytes, or 256), so truncated
 * messages are exercised too; the rest is the text, cut into lines at
 * '\n', each line given to the parser as coremond gives a config value
 * (one object across the lines, as across a file's lines).  Besides
 * crashes and sanitizer reports, each result is checked: an error leaves
 * a NUL-terminated message and changes nothing, a success gives values
 * inside the documented ranges.
 *
 * A probe host that is not an address goes to the resolver; so that no
 * input waits on DNS, the target moves into a network namespace of its
 * own when it can (root), and otherwise skips such hosts.
 */
#include <arpa/inet.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "capture/localnet.h"
#include "capture/services.h"
#include "lib/units.h"
#include "probe/probe.h"

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAX_PROBES	8

static int	offline;	/* in a namespace without network */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	offline = unshare(CLONE_NEWNET) == 0;
	return 0;
}

/* An error message must be a string within the buffer. */
static void
check_err(const char *err, size_t errlen)
{
	if (memchr(err, '\0', errlen) == NULL)
		abort();
}

/* The services' state that a failed line must not change. */
struct sv_view {
	size_t	count;
	struct service services[SERVICES_MAX];
};

static void
sv_view(const struct services *sv, struct sv_view *v)
{
	const struct service *s;
	unsigned i;

	memset(v, 0, sizeof(*v));
	v->count = services_count(sv);
	if (v->count > SERVICES_MAX)
		abort();
	for (i = 1; i <= v->count; i++)
		if ((s = services_get(sv, i)) != NULL)
			v->services[i - 1] = *s;
}

static void
fuzz_service(struct services *sv, const char *line, char *err, size_t errlen)
{
	static struct sv_view before, after;
	char name[SERVICE_NAME_MAX + 2] = "";

	sv_view(sv, &before);
	if (services_parse(sv, line, err, errlen) == -1) {
		check_err(err, errlen);
		sv_view(sv, &after);
		if (memcmp(&before, &after, sizeof(before)) != 0)
			abort();
		return;
	}
	/* The first word names a service that now exists, before "other". */
	sscanf(line, "%33s", name);
	if (services_find(sv, name) == NULL ||
	    services_count(sv) > SERVICES_MAX ||
	    services_other(sv) != services_count(sv))
		abort();
}

static void
fuzz_localnet(struct localnet *ln, const char *line, char *err,
    size_t errlen)
{
	size_t v4 = localnet_count(ln, AF_INET);
	size_t v6 = localnet_count(ln, AF_INET6);

	if (localnet_parse(ln, line, err, errlen) == -1) {
		check_err(err, errlen);
		if (localnet_count(ln, AF_INET) != v4 ||
		    localnet_count(ln, AF_INET6) != v6)
			abort();
		return;
	}
	if (localnet_count(ln, AF_INET) > LOCALNET_MAX ||
	    localnet_count(ln, AF_INET6) > LOCALNET_MAX)
		abort();
}

/* 1 if the host word of a probe line could make the resolver wait. */
static int
needs_resolver(const char *line)
{
	char name[64], host[PROBE_HOST_MAX + 2];
	uint8_t addr[16];

	if (sscanf(line, "%63s %256s", name, host) != 2)
		return 0;
	return inet_pton(AF_INET, host, addr) != 1 &&
	    inet_pton(AF_INET6, host, addr) != 1;
}

static void
fuzz_probe(struct probe_config *probes, size_t *n, const char *line,
    char *err, size_t errlen)
{
	struct probe_config pc;

	if (!offline && needs_resolver(line))
		return;
	if (probe_config_parse(line, probes, *n, &pc, err, errlen) == -1) {
		check_err(err, errlen);
		return;
	}
	if (pc.pc_name[0] == '\0' || strlen(pc.pc_name) > PROBE_NAME_MAX ||
	    strlen(pc.pc_host) > PROBE_HOST_MAX ||
	    pc.pc_interval > PROBE_INTERVAL_MAX ||
	    pc.pc_timeout < 1 || pc.pc_timeout > PROBE_TIMEOUT_MAX ||
	    (pc.pc_addr.pa_family != AF_INET &&
	    pc.pc_addr.pa_family != AF_INET6))
		abort();
	if (*n < MAX_PROBES)
		probes[(*n)++] = pc;
}

static void
fuzz_units(unsigned pick, const char *line, char *err, size_t errlen)
{
	uint64_t u64;
	uint32_t u32;
	int rc;

	switch (pick) {
	case 0:
		rc = probe_history_parse(line, &u32, err, errlen);
		if (rc == 0 && (u32 < 1 || u32 > PROBE_HISTORY_MAX))
			abort();
		break;
	case 1:
		rc = units_duration_us(line, &u64, err, errlen);
		break;
	case 2:
		rc = units_rate(line, &u64, err, errlen);
		break;
	case 3:
		rc = units_percent_x100(line, &u32, err, errlen);
		if (rc == 0 && u32 > 10000)
			abort();
		break;
	default:
		rc = units_count(line, 1, 100000000, &u64, err, errlen);
		if (rc == 0 && (u64 < 1 || u64 > 100000000))
			abort();
		break;
	}
	if (rc == -1)
		check_err(err, errlen);
	else if (rc != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct probe_config probes[MAX_PROBES];
	struct services	*sv = NULL;
	struct localnet	*ln = NULL;
	size_t		 nprobes = 0, errlen;
	unsigned	 pick;
	char		*text, *line, *save = NULL, *err;

	if (size < 1)
		return 0;
	pick = data[0] & 7;
	errlen = (data[0] >> 3) == 31 ? 256 : (size_t)(data[0] >> 3) + 1;
	data++, size--;
	/* Exactly sized, so ASan sees a read past the message's end. */
	if ((err = malloc(errlen)) == NULL ||
	    (text = malloc(size + 1)) == NULL) {
		free(err);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	if (pick == 0)
		sv = services_new();
	else if (pick == 1)
		ln = localnet_new();
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		memset(err, 0x55, errlen);
		if (pick == 0 && sv != NULL)
			fuzz_service(sv, line, err, errlen);
		else if (pick == 1 && ln != NULL)
			fuzz_localnet(ln, line, err, errlen);
		else if (pick == 2)
			fuzz_probe(probes, &nprobes, line, err, errlen);
		else if (pick >= 3)
			fuzz_units(pick - 3, line, err, errlen);
	}
	services_free(sv);
	localnet_free(ln);
	free(text);
	free(err);
	return 0;
}
