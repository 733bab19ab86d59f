/*
 * notify: SNMPv2 notifications with hold-down and a matching "cleared".
 *
 * Each MIB group evaluates its own conditions and reports, per instance
 * (a probe, a client, an interface, a capture source), whether the
 * condition holds now, with the varbinds an operator needs.  notify keeps
 * the state: it sends the alarm when a condition starts, unless one was
 * sent for the same instance less than notifyHoldDown seconds ago (a
 * flapping condition does not flood), and sends the clear when a condition
 * whose alarm went out ends.  An instance not reported in a round (a
 * client that went away) has ended.  A round costs one hash lookup per
 * instance reported; states are kept only for instances in alarm or
 * within the hold-down, at most NOTIFY_MAX_INSTANCES (notify.c) at once.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include "mib_notify.h"
#include "mibtable.h"

/* Notification sub-identifiers under coremonNotifications; each alarm's
 * clear is the next one (notify.c sends kind + 1). */
enum notify_kind {
	NOTIFY_PROBE_DOWN = MIB_cmProbeDown,
	NOTIFY_PROBE_SLOW = MIB_cmProbeSlow,
	NOTIFY_CLIENT_OVERLOAD = MIB_cmClientOverload,
	NOTIFY_CAPTURE_LOSS = MIB_cmCaptureLoss,
	NOTIFY_LINK_BUSY = MIB_cmLinkBusy,
	NOTIFY_HISTORY_DROPPED = MIB_cmHistoryDropped,
	NOTIFY_HISTORY_DOWN = MIB_cmHistoryDown,
	NOTIFY_LISTEN_QUEUE_FULL = MIB_cmListenQueueFull,
	NOTIFY_CLIENT_RETRANS = MIB_cmClientRetrans,
};
_Static_assert(MIB_cmProbeUp == MIB_cmProbeDown + 1 &&
    MIB_cmProbeSlowCleared == MIB_cmProbeSlow + 1 &&
    MIB_cmClientOverloadCleared == MIB_cmClientOverload + 1 &&
    MIB_cmCaptureLossCleared == MIB_cmCaptureLoss + 1 &&
    MIB_cmLinkBusyCleared == MIB_cmLinkBusy + 1 &&
    MIB_cmHistoryDroppedCleared == MIB_cmHistoryDropped + 1 &&
    MIB_cmHistoryUp == MIB_cmHistoryDown + 1 &&
    MIB_cmListenQueueFullCleared == MIB_cmListenQueueFull + 1 &&
    MIB_cmClientRetransCleared == MIB_cmClientRetrans + 1,
    "a clear is its alarm + 1");

/* cmNotifyObjects columns: the thresholds. */
enum notify_threshold {
	NT_PROBE_COUNT = MIB_cmNotifyProbeCount,
	NT_PROBE_RTT = MIB_cmNotifyProbeRttThreshold,
	NT_CLIENT_CONNECTIONS = MIB_cmNotifyClientMaxConnections,
	NT_CLIENT_RATE = MIB_cmNotifyClientMaxRate,
	NT_CAPTURE_LOSS = MIB_cmNotifyCaptureLossThreshold,
	NT_LINK_BUSY = MIB_cmNotifyLinkBusyThreshold,
	NT_LISTEN_QUEUE = MIB_cmNotifyListenQueueThreshold,
	NT_CLIENT_RETRANS = MIB_cmNotifyClientRetransThreshold,
};

struct notify_config {
	unsigned	nc_holddown;		/* s */
	unsigned	nc_probe_down_after;	/* probes */
	uint64_t	nc_probe_rtt_us;	/* 0: off */
	uint64_t	nc_client_max_conns;	/* 0: off */
	uint64_t	nc_client_max_rate;	/* B/s, 0: off */
	uint32_t	nc_capture_loss_x100;	/* 0: off */
	uint64_t	nc_link_busy;		/* B/s, 0: off */
	uint32_t	nc_listen_queue_pct;	/* % of backlog, 0: off */
	uint32_t	nc_client_retrans_x100;	/* % x 100, 0: off */
};

extern struct notify_config notify_config;

void	notify_register_config(void);
int	notify_init(void);
/* A group's check, called every second: it evaluates its conditions in
 * rounds (below).  notify knows no group; each registers its own.  0, or
 * -1 when too many are registered. */
int	notify_register_check(void (*check)(void));
void	notify_shutdown(void);

/* A round of one kind: report every instance that exists now, then end. */
void	notify_round_begin(enum notify_kind);
/* Takes ownership of vars (the alarm's or clear's varbinds, without
 * snmpTrapOID). */
void	notify_report(enum notify_kind, const char *instance, int active,
	    netsnmp_variable_list *vars);
void	notify_round_end(enum notify_kind);
/* 1 when notify keeps a state for the instance (in alarm, or within the
 * hold-down): a round may skip building the varbinds of an instance
 * whose condition does not hold and that notify does not track. */
int	notify_tracks(enum notify_kind, const char *instance);

/* Appends threshold column col of cmNotifyObjects to vars. */
void	notify_add_threshold(netsnmp_variable_list **vars,
	    enum notify_threshold col);

/* Counters, for tests and logs. */
unsigned long	notify_sent(void);
unsigned long	notify_unreported(void);	/* alarms lost: table full */

#endif
