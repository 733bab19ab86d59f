/*
 * coremond: what the agent's files share.  Only agent/ includes this.
 */
#ifndef COREMOND_H
#define COREMOND_H

#include <time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#define COREMON_VERSION	"0.1.0"
#define COREMON_APP	"coremon"	/* reads coremon.conf */

/* Settings from coremon.conf, with their defaults.  Filled before the
 * agent serves anything; read-only afterwards. */
struct cm_config {
	unsigned	cc_sample_interval;	/* s */
	unsigned	cc_history_samples;
	unsigned	cc_window_interval;	/* s */
	unsigned	cc_conn_refresh;	/* s */
	int		cc_conn_processes;	/* find owning processes */
	char		cc_procroot[256];	/* the kernel's, or a fixture */
	char		cc_sysroot[256];
	char		cc_run_as[64];		/* user to become, or "" */
};

extern struct cm_config	cm_config;
extern time_t		cm_start_time;

/* config.c */
void	config_register(void);
void	config_log_start(void);
int	config_errors(void);
void	config_log_end(int keep_stderr);

/* One init per MIB group; each returns 0 or -1 with a logged reason. */
int	agentinfo_init(void);
int	traffic_init(void);
void	traffic_shutdown(void);
int	connections_init(void);
int	connections_run(void);
void	connections_shutdown(void);

/* cmAgentCaptureState */
enum { CAPTURE_DISABLED = 1, CAPTURE_RUNNING, CAPTURE_FAILED,
	CAPTURE_FINISHED };

void	probes_register_config(void);
int	probes_init(void);
int	probes_run(void);
void	probes_shutdown(void);
/* Mean RTT of the answers in [from, to) (wall clock) over all probes;
 * how many there were, 0 when none. */
unsigned probes_window_rtt(int64_t from_us, int64_t to_us,
	    uint32_t *mean_us);

/* Each group checks its notification conditions (notify.h), every second
 * from notify's timer. */
void	traffic_notify(void);
void	connections_notify(void);
void	capture_notify(void);
void	probes_notify(void);

struct pipeline;
struct services;
void	hosts_register_config(void);
int	hosts_init(void);
/* The host database and archive; pipeline NULL: no capture, the
 * database is served read-only if its file exists. */
int	hosts_run(struct pipeline *, const struct services *);
void	hosts_shutdown(void);
/* Name of capture source i (interface or file), "" if none. */
const char *capture_source_name(unsigned i);

int	capture_register_config(void);
void	capture_option_iface(const char *);
void	capture_option_file(const char *);
int	capture_init(void);
int	capture_run(void);
int	capture_state(void);
void	capture_shutdown(void);

#endif
