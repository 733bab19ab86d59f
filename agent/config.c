/*
 * config: coremon.conf tokens, read through net-snmp's config machinery so
 * the file lives beside snmpd.conf and follows its search path.
 *
 * net-snmp only warns about an unknown token and goes on; we want the
 * operator to hear about every bad line and coremond to stop before it
 * serves settings nobody asked for.  So while the configuration is read, a
 * log callback catches net-snmp's "FILE: line N: Error|Warning: MSG" lines,
 * prints them as "FILE:N: MSG" on stderr and counts them.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coremond.h"
#include "traffic/procstat.h"

struct cm_config cm_config = {
	.cc_sample_interval = 5,
	.cc_history_samples = 720,	/* one hour at 5 s */
	.cc_window_interval = 30,
	.cc_conn_refresh = 5,
	.cc_conn_processes = 1,
	.cc_procroot = PROCSTAT_PROCROOT,
	.cc_sysroot = PROCSTAT_SYSROOT,
};

struct config_uint {
	const char	*cu_token;
	unsigned	*cu_value;
	unsigned	 cu_min, cu_max;
};

static const struct config_uint config_uints[] = {
	{ "sampleInterval",  &cm_config.cc_sample_interval, 1, 3600 },
	{ "historySamples",  &cm_config.cc_history_samples, 1, 100000 },
	{ "windowInterval",  &cm_config.cc_window_interval, 1, 86400 },
	{ "connRefresh",     &cm_config.cc_conn_refresh,    1, 3600 },
};

static int	config_nerrors;
static int	config_reading;
static netsnmp_log_handler *config_logh;

static void
config_parse_uint(const char *token, char *line)
{
	const struct config_uint *cu = NULL;
	unsigned long v;
	char *end, msg[256];
	size_t i;

	for (i = 0; i < sizeof(config_uints) / sizeof(config_uints[0]); i++)
		if (strcasecmp(config_uints[i].cu_token, token) == 0)
			cu = &config_uints[i];
	if (cu == NULL)
		return;
	errno = 0;
	v = strtoul(line, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (errno != 0 || end == line || *end != '\0' || line[0] == '-' ||
	    v < cu->cu_min || v > cu->cu_max) {
		snprintf(msg, sizeof(msg),
		    "%s: \"%s\" is not a whole number from %u to %u",
		    cu->cu_token, line, cu->cu_min, cu->cu_max);
		config_perror(msg);
		return;
	}
	*cu->cu_value = (unsigned)v;
}

static void
config_parse_user(const char *token, char *line)
{
	size_t len = strlen(line);

	(void)token;
	while (len > 0 && isspace((unsigned char)line[len - 1]))
		line[--len] = '\0';
	if (len == 0 || len >= sizeof(cm_config.cc_run_as) ||
	    strpbrk(line, " \t:/") != NULL) {
		config_perror("runAs: expected a user name");
		return;
	}
	memcpy(cm_config.cc_run_as, line, len + 1);
}

static void
config_parse_path(const char *token, char *line)
{
	char *dst = strcasecmp(token, "procRoot") == 0 ?
	    cm_config.cc_procroot : cm_config.cc_sysroot;
	size_t len = strlen(line);

	while (len > 0 && isspace((unsigned char)line[len - 1]))
		line[--len] = '\0';
	if (line[0] != '/' || len >= sizeof(cm_config.cc_procroot)) {
		config_perror("expected an absolute path");
		return;
	}
	memcpy(dst, line, len + 1);
}

struct config_bool {
	const char	*cb_token;
	int		*cb_value;
};

static const struct config_bool config_bools[] = {
	{ "connProcesses", &cm_config.cc_conn_processes },
};

static void
config_parse_bool(const char *token, char *line)
{
	size_t i, len = strlen(line);
	char msg[256];

	while (len > 0 && isspace((unsigned char)line[len - 1]))
		line[--len] = '\0';
	for (i = 0; i < sizeof(config_bools) / sizeof(config_bools[0]); i++) {
		if (strcasecmp(config_bools[i].cb_token, token) != 0)
			continue;
		if (strcasecmp(line, "yes") == 0 || strcmp(line, "1") == 0)
			*config_bools[i].cb_value = 1;
		else if (strcasecmp(line, "no") == 0 || strcmp(line, "0") == 0)
			*config_bools[i].cb_value = 0;
		else {
			snprintf(msg, sizeof(msg), "%s: \"%s\" is not yes or no",
			    config_bools[i].cb_token, line);
			config_perror(msg);
		}
	}
}

void
config_register(void)
{
	size_t i;

	for (i = 0; i < sizeof(config_uints) / sizeof(config_uints[0]); i++)
		register_app_config_handler(config_uints[i].cu_token,
		    config_parse_uint, NULL, "SECONDS|COUNT");
	for (i = 0; i < sizeof(config_bools) / sizeof(config_bools[0]); i++)
		register_app_config_handler(config_bools[i].cb_token,
		    config_parse_bool, NULL, "yes|no");
	register_app_config_handler("runAs", config_parse_user, NULL, "USER");
	/* Where the kernel's counters are read from; for tests. */
	register_app_config_handler("procRoot", config_parse_path, NULL,
	    "DIR");
	register_app_config_handler("sysRoot", config_parse_path, NULL, "DIR");
}

/*
 * Rewrites "FILE: line N: Error: MSG\n" as "FILE:N: MSG".  Returns 0 when
 * msg is not a configuration complaint.
 */
static int
config_reformat(const char *msg, char *out, size_t outlen)
{
	const char *p = strstr(msg, ": line ");
	const char *kind, *text;
	size_t len;
	char *end;
	long line;

	if (p == NULL)
		return 0;
	line = strtol(p + 7, &end, 10);
	if (end == p + 7 || strncmp(end, ": ", 2) != 0)
		return 0;
	kind = end + 2;
	if (strncmp(kind, "Error: ", 7) == 0)
		text = kind + 7;
	else if (strncmp(kind, "Warning: ", 9) == 0)
		text = kind + 9;
	else
		return 0;
	len = strlen(text);
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '.'))
		len--;
	snprintf(out, outlen, "%.*s:%ld: %.*s", (int)(p - msg), msg, line,
	    (int)len, text);
	return 1;
}

static int
config_log_callback(int major, int minor, void *server, void *client)
{
	const struct snmp_log_message *m = server;
	char line[1024];

	(void)major;
	(void)minor;
	(void)client;
	if (config_reading && config_reformat(m->msg, line, sizeof(line))) {
		config_nerrors++;
		fprintf(stderr, "%s\n", line);
	} else {
		fputs(m->msg, stderr);
	}
	return 0;
}

/* Until config_log_end(), every log line goes through config_log_callback
 * to stderr. */
void
config_log_start(void)
{
	config_logh = netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK,
	    LOG_DEBUG);
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING,
	    config_log_callback, NULL);
	config_reading = 1;
}

int
config_errors(void)
{
	return config_nerrors;
}

/* The configuration has been read: stop counting, and stop writing to
 * stderr unless it stays the log destination. */
void
config_log_end(int keep_stderr)
{
	config_reading = 0;
	if (config_logh != NULL && !keep_stderr)
		netsnmp_disable_this_loghandler(config_logh);
}
