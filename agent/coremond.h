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

/*
 * The core (src/monitor): built from coremon.conf by coremond.c, which
 * owns it; the group files read its parts' snapshots.
 */
struct monitor;
struct monitor_config;
extern struct monitor	*cm_monitor;

/* Each group that reads configuration lines hands them to the monitor's
 * configuration once coremon.conf is read. */
int	mib_capture_register_config(void);
void	mib_capture_option_iface(const char *);
void	mib_capture_option_file(const char *);
void	mib_capture_config(struct monitor_config *);
void	mib_capture_free_config(void);
void	mib_probes_register_config(void);
void	mib_probes_config(struct monitor_config *);
void	mib_hosts_register_config(void);
void	mib_hosts_config(struct monitor_config *);
void	mib_history_register_config(void);
int	mib_history_config(struct monitor_config *);

/* One init per MIB group, once the monitor exists: registers the
 * group's tables and its notification check.  0 or -1 with a logged
 * reason. */
int	mib_agent_init(void);
int	mib_traffic_init(void);
int	mib_connections_init(void);
int	mib_capture_init(void);
int	mib_hosts_init(void);
int	mib_probes_init(void);
int	mib_history_init(void);

#endif
