/*
 * coremond: the coremon daemon.  An AgentX subagent of the system's snmpd
 * by default; with --standalone ADDR its own SNMP agent on ADDR.
 *
 * Command line in snmpd's manner; coremon.conf is read through net-snmp's
 * config machinery, and any bad line stops coremond before it serves.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "coremond.h"
#include "notify.h"

#include "monitor.h"
#include "store/histdb_import.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>

/* libnetsnmpmibs' module initialisers: snmpd calls them through
 * init_mib_modules(); their headers are not installed. */
void	init_vacm_vars(void);
void	init_vacm_conf(void);
void	init_vacm_config_tokens(void);
void	init_vacm_snmpd_easy_tokens(void);
void	init_system_mib(void);
void	init_sysORTable(void);
void	init_snmp_mib(void);

/* libnetsnmpagent's AgentX subagent (agentx/subagent.c, agentx/client.c,
 * snmp_agent.c); their headers are not installed either. */
extern netsnmp_session *main_session;
void	agentx_unregister_callbacks(netsnmp_session *);
int	agentx_close_session(netsnmp_session *, int);
#define CM_AGENTX_VERSION_1	193	/* AGENTX_VERSION_1 */
#define CM_AGENTX_CLOSE_SHUTDOWN 5	/* RFC 2741 6.2.2 reason shutdown(5) */

time_t		 cm_start_time;
struct monitor	*cm_monitor;

static volatile sig_atomic_t	cm_stop, cm_reopen;

struct cm_options {
	int		 co_foreground;
	const char	*co_standalone;	/* ADDR, or NULL for subagent */
	const char	*co_import;	/* --import-archive DIR, or NULL */
	const char	*co_pidfile;
	char		*co_logopts[8];	/* -L arguments, applied after config */
	int		 co_nlogopts;
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: coremond [OPTIONS]\n"
"  -f              stay in the foreground (log to stderr unless -L)\n"
"  -c FILE[,FILE]  read these configuration files as well\n"
"  -C              do not read the default configuration files\n"
"  -L[efos] ...    logging, as snmpd: -Le stderr, -Lo stdout, -Lf FILE,\n"
"                  -Ls FACILITY (e.g. -Lsd); default stderr with -f, else\n"
"                  syslog facility daemon\n"
"  -D[TOKEN,...]   turn on debugging output for these tokens (all if none)\n"
"  -p PIDFILE      write the process id to PIDFILE\n"
"  -x SOCKET       AgentX socket of the master (default /var/agentx/master)\n"
"  -i IFACE        capture on IFACE (repeatable; \"any\" for all)\n"
"  -r FILE         replay a pcap/pcapng capture file, then keep serving\n"
"  --standalone ADDR\n"
"                  be a standalone agent on ADDR (e.g. udp:127.0.0.1:1161),\n"
"                  with rocommunity/rouser/VACM lines from coremon.conf\n"
"  --import-archive DIR\n"
"                  load the archive's day files in DIR into the history\n"
"                  database of coremon.conf, print the counts and exit\n"
"  -h, --help      this help\n"
"  -v, --version   print the version and exit\n");
}

static void
on_stop(int sig)
{
	(void)sig;
	cm_stop = 1;
}

static void
on_hup(int sig)
{
	(void)sig;
	cm_reopen = 1;
}

/* No SA_RESTART: a signal must interrupt the agent's select(). */
static void
signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* An explicitly named file that cannot be read is an error, not a
 * silently empty configuration. */
static int
check_config_files(const char *list)
{
	char *copy = strdup(list), *save = NULL, *f;
	int bad = 0;

	for (f = strtok_r(copy, ",", &save); f != NULL;
	    f = strtok_r(NULL, ",", &save)) {
		struct stat st;
		int fd = open(f, O_RDONLY);

		if (fd == -1) {
			fprintf(stderr, "%s: cannot read: %s\n", f,
			    strerror(errno));
			bad = 1;
			continue;
		}
		if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
			fprintf(stderr, "%s: cannot read: not a regular file\n",
			    f);
			bad = 1;
		}
		close(fd);
	}
	free(copy);
	return bad ? -1 : 0;
}

/* -L takes its argument in the option ("-Lf FILE" or "-Lf" "FILE");
 * collect it whole to apply once the configuration is known good. */
static int
collect_logopt(struct cm_options *o, int argc, char **argv)
{
	char *opt = optarg;
	char buf[512];

	if (o->co_nlogopts == (int)(sizeof(o->co_logopts) /
	    sizeof(o->co_logopts[0])))
		return -1;
	if ((opt[0] == 'f' || opt[0] == 'F' || opt[0] == 's' ||
	    opt[0] == 'S') && opt[1] == '\0' && optind < argc) {
		snprintf(buf, sizeof(buf), "%s %s", opt, argv[optind++]);
		opt = buf;
	}
	o->co_logopts[o->co_nlogopts] = strdup(opt);
	return o->co_logopts[o->co_nlogopts++] == NULL ? -1 : 0;
}

static void
parse_args(struct cm_options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "standalone", required_argument, NULL, 'S' },
		{ "import-archive", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "fc:CL:D::p:x:i:r:hv", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'f':
			o->co_foreground = 1;
			break;
		case 'c':
			if (check_config_files(optarg) == -1)
				exit(1);
			netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID,
			    NETSNMP_DS_LIB_OPTIONALCONFIG, optarg);
			break;
		case 'C':
			netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			    NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
			break;
		case 'L':
			if (collect_logopt(o, argc, argv) == -1) {
				fprintf(stderr, "coremond: too many -L\n");
				exit(1);
			}
			break;
		case 'D':
			debug_register_tokens(optarg);
			snmp_set_do_debugging(1);
			break;
		case 'p':
			o->co_pidfile = optarg;
			break;
		case 'x':
			netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID,
			    NETSNMP_DS_AGENT_X_SOCKET, optarg);
			break;
		case 'S':
			o->co_standalone = optarg;
			break;
		case 'I':
			o->co_import = optarg;
			o->co_foreground = 1;	/* messages to stderr */
			break;
		case 'i':
			mib_capture_option_iface(optarg);
			break;
		case 'r':
			mib_capture_option_file(optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'v':
			printf("coremond %s (net-snmp %s)\n", COREMON_VERSION,
			    netsnmp_get_version());
			exit(0);
		default:
			usage(stderr);
			exit(1);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "coremond: unexpected argument \"%s\"\n",
		    argv[optind]);
		usage(stderr);
		exit(1);
	}
}

static void
set_role(const struct cm_options *o)
{
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
	    NETSNMP_DS_AGENT_DONT_LOG_TCPWRAPPERS_CONNECTS, 1);
	if (o->co_import != NULL) {
		/* A master that never opens a port: no AgentX session. */
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
		    NETSNMP_DS_AGENT_ROLE, 0);
		return;
	}
	if (o->co_standalone != NULL) {
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
		    NETSNMP_DS_AGENT_ROLE, 0);	/* master */
		netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID,
		    NETSNMP_DS_AGENT_PORTS, o->co_standalone);
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
		    NETSNMP_DS_AGENT_NO_ROOT_ACCESS, 1);
		/* No SMUX port: init_master_agent() would open one. */
		add_to_init_list("-smux");
		return;
	}
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
	    NETSNMP_DS_AGENT_ROLE, 1);	/* subagent */
	/* Find the master again after it restarts; coremon.conf's
	 * agentxPingInterval overrides. */
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID,
	    NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, 5);
}

/* The SNMP side of a standalone agent: system group, VACM and its
 * rocommunity/rouser tokens.  A subagent leaves access control to the
 * master but still accepts the tokens, so one coremon.conf serves both. */
static void
ignore_token(const char *token, char *line)
{
	(void)token;
	(void)line;
}

static void
init_snmp_modules(int standalone)
{
	if (standalone) {
		/* Only a subagent pings its master; accept the line so one
		 * coremon.conf serves both roles. */
		register_app_config_handler("agentxPingInterval", ignore_token,
		    NULL, NULL);
		init_vacm_vars();
		init_vacm_conf();
		init_system_mib();
		init_sysORTable();
		init_snmp_mib();
	} else {
		init_vacm_config_tokens();
		init_vacm_snmpd_easy_tokens();
	}
}

/*
 * Runs right after coremon.conf is read and before anything else reacts to
 * it (a subagent would otherwise connect to its master first): a bad line
 * means no start at all.
 */
static int
refuse_bad_config(int major, int minor, void *server, void *client)
{
	(void)major;
	(void)minor;
	(void)server;
	(void)client;
	if (config_errors() > 0) {
		fprintf(stderr, "coremond: %d error(s) in the configuration; "
		    "not starting\n", config_errors());
		exit(1);
	}
	return 0;
}

static void
apply_logging(struct cm_options *o)
{
	int i;

	for (i = 0; i < o->co_nlogopts; i++) {
		if (snmp_log_options(o->co_logopts[i], 0, NULL) < 0) {
			fprintf(stderr, "coremond: bad logging option -L%s\n",
			    o->co_logopts[i]);
			exit(1);
		}
		free(o->co_logopts[i]);
	}
	if (o->co_nlogopts == 0 && !o->co_foreground)
		snmp_enable_syslog_ident("coremond", LOG_DAEMON);
	config_log_end(o->co_nlogopts == 0 && o->co_foreground);
}

/*
 * runAs: everything that needs root -- capture handles, probe sockets,
 * the netlink socket, the agent's ports -- is open by now, and nothing in
 * the state directories has been touched yet.  initgroups() keeps the
 * user's supplementary groups: the AgentX socket may be reachable only
 * through one of them when coremond reconnects after a master restart.
 * Owners of other users' sockets can no longer be found afterwards (their
 * /proc/PID/fd is closed to us): cmConnProcess reads 0 for them.
 */
static int
drop_privileges(const char *user)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		snmp_log(LOG_ERR, "runAs: no such user \"%s\"\n", user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) == -1 ||
	    setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1) {
		snmp_log(LOG_ERR, "runAs %s: %s\n", user, strerror(errno));
		return -1;
	}
	if (setuid(0) != -1 || geteuid() != pw->pw_uid) {
		snmp_log(LOG_ERR, "runAs %s: root could be regained\n", user);
		return -1;
	}
	snmp_log(LOG_INFO, "running as %s (uid %ld)\n", user,
	    (long)pw->pw_uid);
	return 0;
}

/*
 * The daemon chdirs to "/": a relative -p names a file beside the
 * directory coremond was started in, as the operator meant.
 */
static char *
absolute_path(const char *path)
{
	char cwd[4096], *abs;

	if (path[0] == '/')
		return strdup(path);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	if (asprintf(&abs, "%s/%s", cwd, path) == -1)
		return NULL;
	return abs;
}

/* Written by the daemon itself, before it drops privileges; never
 * through a symbolic link someone planted in its place. */
static int
write_pidfile(const char *path)
{
	char buf[32];
	int fd, len;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd == -1) {
		snmp_log(LOG_ERR, "%s: cannot write pid file: %s\n", path,
		    strerror(errno));
		return -1;
	}
	len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)len) != len) {
		snmp_log(LOG_ERR, "%s: cannot write pid file: %s\n", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * Into the background, before any thread exists (a fork keeps only the
 * calling thread).  The first process waits until the daemon says it
 * serves, and exits 0, or 1 when the daemon could not start, so an init
 * system or a shell sees a failure as a failure.  Returns, in the
 * daemon, the descriptor to report readiness on.
 */
static int
daemon_begin(void)
{
	int fds[2];
	ssize_t n;
	char c;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) == -1 || (pid = fork()) == -1) {
		fprintf(stderr, "coremond: cannot fork: %s\n",
		    strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		close(fds[1]);
		waitpid(pid, NULL, 0);	/* the session leader, at once */
		do
			n = read(fds[0], &c, 1);
		while (n == -1 && errno == EINTR);
		/* _exit: exit() would close the streams it shares with the
		 * daemon, and closing a read stream (the -r capture file)
		 * seeks the shared descriptor back to where this process
		 * had read: the daemon then reads the file from there. */
		_exit(n == 1 && c == 'r' ? 0 : 1);
	}
	close(fds[0]);
	setsid();
	if ((pid = fork()) == -1)
		_exit(1);
	if (pid > 0)
		_exit(0);	/* the session leader goes */
	if (chdir("/") == -1)
		_exit(1);
	umask(027);
	return fds[1];
}

/* The daemon serves: let the first process go, and close the terminal. */
static void
daemon_ready(int fd)
{
	int null;

	if (fd == -1)
		return;
	(void)!write(fd, "r", 1);
	close(fd);
	if ((null = open("/dev/null", O_RDWR)) != -1) {
		dup2(null, STDIN_FILENO);
		if (!snmp_stderrlog_status()) {	/* unless -Le or -Lo */
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		if (null > STDERR_FILENO)
			close(null);
	}
}

/*
 * Leaves the master before snmp_shutdown() does, from here instead of from
 * net-snmp's list of SNMP_CALLBACK_SHUTDOWN callbacks.  net-snmp 5.9.3
 * sends the AgentX Close and waits for its answer inside that list; a
 * master that goes away meanwhile (stopped or restarted with coremond)
 * makes it unregister the very callback it is running: it sleeps 100 ms on
 * the list's lock, logs "lock in _callback_lock sleeps more than 100
 * milliseconds in snmp_unregister_callback", asserts, and frees the list
 * entry it is walking.  Outside any list the same disconnect is ordinary.
 * A standalone agent's main_session is its SNMP listener: left alone.
 */
static void
agentx_leave(void)
{
	netsnmp_session *s = main_session;

	if (!netsnmp_ds_get_boolean(NETSNMP_DS_APPLICATION_ID,
	    NETSNMP_DS_AGENT_ROLE) || s == NULL ||
	    s->version != CM_AGENTX_VERSION_1)
		return;		/* no master, or not connected to it now */
	/* A disconnect seen from now on must not schedule a reconnect. */
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID,
	    NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, 0);
	agentx_unregister_callbacks(s);	/* no more Close from the list */
	agentx_close_session(s, CM_AGENTX_CLOSE_SHUTDOWN);
	remove_trap_session(s);
	snmp_close(s);
	main_session = NULL;
}

/* The core's messages, on this thread (the only one that logs). */
static void
log_from_monitor(int level, const char *msg)
{
	snmp_log(level, "%s\n", msg);
}

/* The monitor's configuration, from coremon.conf and the command line.
 * 0, or -1 (logged). */
static int
build_monitor_config(struct monitor_config *mc)
{
	monitor_config_default(mc);
	mc->mc_sampler.sc_procroot = cm_config.cc_procroot;
	mc->mc_sampler.sc_sysroot = cm_config.cc_sysroot;
	mc->mc_sampler.sc_history = cm_config.cc_history_samples;
	mc->mc_conntab.cf_interval_ms = cm_config.cc_conn_refresh * 1000;
	mc->mc_conntab.cf_processes = cm_config.cc_conn_processes;
	mc->mc_conntab.cf_procroot = cm_config.cc_procroot;
	mib_capture_config(mc);
	mib_hosts_config(mc);
	mib_probes_config(mc);
	mc->mc_log = log_from_monitor;
	return mib_history_config(mc);
}

/*
 * --import-archive DIR: the archive's day files into the history
 * database, once; nothing is captured or served.  As runAs when started
 * as root, so that an SQLite file made here is the daemon's own.
 */
static int
import_archive(const char *dir)
{
	struct histdb_import_count c;
	struct monitor_config mc;
	char err[512];
	int rc;

	if (build_monitor_config(&mc) == -1)
		return 1;
	if (mc.mc_history.hc_target == NULL) {
		fprintf(stderr, "coremond: --import-archive: no history "
		    "database is configured (historyDatabase)\n");
		return 1;
	}
	if (cm_config.cc_run_as[0] != '\0' && geteuid() == 0 &&
	    drop_privileges(cm_config.cc_run_as) == -1)
		return 1;
	rc = histdb_import_archive(&mc.mc_history, dir,
	    cm_config.cc_window_interval, &c, err, sizeof(err));
	if (rc == -1)
		fprintf(stderr, "coremond: --import-archive %s: %s\n", dir, err);
	printf("%s: %llu windows imported, %llu already in %s (skipped), "
	    "%llu malformed lines, %llu day files read, %llu refused\n", dir,
	    (unsigned long long)c.ic_imported,
	    (unsigned long long)c.ic_skipped, mc.mc_history.hc_target,
	    (unsigned long long)c.ic_malformed,
	    (unsigned long long)c.ic_files, (unsigned long long)c.ic_refused);
	return rc == -1 ? 1 : 0;
}

static void
sample_alarm(unsigned int reg, void *arg)
{
	(void)reg;
	(void)arg;
	monitor_sample(cm_monitor);
}

static void
tick_alarm(unsigned int reg, void *arg)
{
	(void)reg;
	(void)arg;
	monitor_tick(cm_monitor, time(NULL));
}

int
main(int argc, char **argv)
{
	struct cm_options o;
	struct monitor_config mc;
	char *pidfile = NULL, err[512];
	int ready_fd = -1;

	memset(&o, 0, sizeof(o));
	cm_start_time = time(NULL);
	/* coremond names no OID: load no MIB file (and print no complaint
	 * about base MIBs Debian does not ship), unless asked to. */
	setenv("MIBS", "", 0);
	config_log_start();
	parse_args(&o, argc, argv);
	if (o.co_pidfile != NULL &&
	    (pidfile = absolute_path(o.co_pidfile)) == NULL) {
		fprintf(stderr, "coremond: %s: %s\n", o.co_pidfile,
		    strerror(errno));
		return 1;
	}
	set_role(&o);
	signals_init();

	SOCK_STARTUP;
	if (init_agent(COREMON_APP) != 0) {
		snmp_log(LOG_ERR, "cannot initialise the agent library\n");
		return 1;
	}
	/* An import reads the same coremon.conf, whichever role it is for:
	 * every token a standalone agent takes.  Only a master needs access
	 * control, so net-snmp's warning that there is none stays quiet as
	 * a subagent; init_agent() is past, so no AgentX session starts. */
	init_snmp_modules(o.co_standalone != NULL || o.co_import != NULL);
	if (o.co_import != NULL)
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
		    NETSNMP_DS_AGENT_ROLE, 1);
	config_register();
	mib_probes_register_config();
	notify_register_config();
	mib_hosts_register_config();
	mib_history_register_config();
	if (mib_capture_register_config() == -1) {
		fprintf(stderr, "coremond: out of memory\n");
		return 1;
	}
	netsnmp_register_callback(SNMP_CALLBACK_LIBRARY,
	    SNMP_CALLBACK_POST_READ_CONFIG, refuse_bad_config, NULL,
	    NETSNMP_CALLBACK_HIGHEST_PRIORITY);
	init_snmp(COREMON_APP);		/* reads coremon.conf */
	apply_logging(&o);
	if (o.co_import != NULL)
		return import_archive(o.co_import);

	/*
	 * Everything that needs root is opened first (monitor_new); then the
	 * fork (threads would not survive it), the pid file, the drop to
	 * runAs; only then are state files touched and threads started
	 * (monitor_start).
	 */
	if (build_monitor_config(&mc) == -1)
		return 1;
	if ((cm_monitor = monitor_new(&mc, err, sizeof(err))) == NULL) {
		snmp_log(LOG_ERR, "%s\n", err);
		return 1;
	}
	if (notify_init() == -1 || mib_agent_init() == -1 ||
	    mib_traffic_init() == -1 || mib_connections_init() == -1 ||
	    mib_hosts_init() == -1 || mib_probes_init() == -1 ||
	    mib_capture_init() == -1 || mib_history_init() == -1 ||
	    snmp_alarm_register(cm_config.cc_sample_interval, SA_REPEAT,
	    sample_alarm, NULL) == 0 ||
	    snmp_alarm_register(1, SA_REPEAT, tick_alarm, NULL) == 0)
		return 1;
	if (o.co_standalone != NULL && init_master_agent() != 0) {
		snmp_log(LOG_ERR, "cannot listen on %s\n", o.co_standalone);
		return 1;
	}
	if (!o.co_foreground)
		ready_fd = daemon_begin();
	if (pidfile != NULL && write_pidfile(pidfile) == -1)
		return 1;
	if (cm_config.cc_run_as[0] != '\0' &&
	    drop_privileges(cm_config.cc_run_as) == -1)
		return 1;
	if (monitor_start(cm_monitor) == -1)
		return 1;
	snmp_log(LOG_INFO, "coremond %s started (%s%s)\n", COREMON_VERSION,
	    o.co_standalone != NULL ? "standalone on " : "AgentX subagent",
	    o.co_standalone != NULL ? o.co_standalone : "");
	daemon_ready(ready_fd);

	while (!cm_stop) {
		agent_check_and_process(1);
		if (cm_reopen) {
			cm_reopen = 0;
			netsnmp_logging_restart();
		}
	}

	snmp_log(LOG_INFO, "coremond stopping\n");
	/* First: the master stops sending requests to modules going away. */
	agentx_leave();
	monitor_stop(cm_monitor);	/* the last window, the last save */
	notify_shutdown();
	snmp_shutdown(COREMON_APP);
	monitor_free(cm_monitor);
	cm_monitor = NULL;
	mib_capture_free_config();
	SOCK_CLEANUP;
	/* After runAs this may fail in a root-owned directory; the pid
	 * file then names a process that is gone, as snmpd's does. */
	if (pidfile != NULL)
		unlink(pidfile);
	free(pidfile);
	return 0;
}
