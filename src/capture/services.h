/*
 * services: the service catalogue, and the service of a packet.
 *
 * A service is a name and the (protocol, port) pairs that belong to it;
 * the protocols are TCP, UDP and SCTP.  Services are numbered from 1 in
 * catalogue order (cmServiceIndex); the last is always "other", which
 * owns no port and takes all traffic no catalogue port matched.
 *
 * Built-in defaults, in this order:
 *	ftp	tcp 20-21
 *	ssh	tcp 22
 *	telnet	tcp 23
 *	mail	tcp 25,110,143,465,587,993,995 (smtp, pop3, imap, submission
 *		and their TLS ports: the paper's "mail" column)
 *	dns	tcp,udp 53
 *	www	tcp 80,443,8080,8443; udp 443 (QUIC)
 *	ntp	udp 123
 *	other
 *
 * Configuration lines (`service NAME PROTO[,PROTO] PORT[,PORT|LO-HI...]`):
 * the first line naming a built-in service replaces its ports in place;
 * further lines naming the same service add to it; a new name is added
 * before "other".  A (protocol, port) belongs to one service only: a line
 * that names a port another service had takes it over, so the catalogue
 * says exactly what matches.
 *
 * The catalogue is three 65536-entry maps (port -> service index), one
 * per protocol, so the lookup done for every packet is two array reads.
 * Build it (new, parse) before capture starts; afterwards it is read-only
 * and any thread may read it.
 */
#ifndef SERVICES_H
#define SERVICES_H

#include <stddef.h>
#include <stdint.h>

#define SERVICES_MAX		255	/* services, "other" included */
#define SERVICE_NAME_MAX	32	/* cmServiceName SIZE(1..32) */

/* sv_protocols: cmServiceProtocols' BITS, tcp(0) udp(1) sctp(2). */
#define SERVICE_TCP		0x01
#define SERVICE_UDP		0x02
#define SERVICE_SCTP		0x04

struct service {
	unsigned int	sv_index;		/* 1.., cmServiceIndex */
	char		sv_name[SERVICE_NAME_MAX + 1];
	uint8_t		sv_protocols;		/* SERVICE_*, 0 for "other" */
	uint32_t	sv_nports;		/* (protocol, port) pairs */
	int		sv_configured;		/* named by a config line */
};

struct services;

/* The built-in catalogue.  NULL with errno set. */
struct services	*services_new(void);
void		 services_free(struct services *);	/* accepts NULL */

/*
 * Applies one `service` line's value, "NAME PROTO[,PROTO] PORTS" (the
 * words after the keyword).  0, or -1 with a message in err (e.g.
 * `unknown protocol "tpc"`, `range 90-80 is backwards`) that the caller
 * prefixes with file:line; on error the catalogue is unchanged.
 */
int	services_parse(struct services *, const char *value, char *err,
	    size_t errlen);

size_t	services_count(const struct services *);	/* "other" included */
/* Service by index, 1..count; NULL out of range. */
const struct service *services_get(const struct services *, unsigned int);
/* Service by name (case-insensitive); NULL when none. */
const struct service *services_find(const struct services *, const char *);
/* The index of "other": always services_count(). */
unsigned int	services_other(const struct services *);

/* The service index owning (protocol number, port), 0 when none. */
unsigned int	services_port(const struct services *, uint8_t proto,
		    uint16_t port);

/*
 * The service of a packet between two ports, the same in both
 * directions (DESIGN.md, "Sessions, services, hosts"): a port of the
 * catalogue if either port is in it (the smaller when both are); else
 * the smaller port if it is below 1024, under "other"; else port 0,
 * "other".  Sets *service_port and returns the service index.
 */
unsigned int	services_classify(const struct services *, uint8_t proto,
		    uint16_t sport, uint16_t dport, uint16_t *service_port);

/*
 * The ports of a service as cmServicePorts shows them: ascending ports
 * and ranges over all its protocols ("20-21", "80,443,8080,8443"), cut
 * to fit len with "..." at the end.  Scans the maps: call it once per
 * service and keep the text.  Returns the length written.
 */
size_t	services_ports_text(const struct services *, unsigned int index,
	    char *buf, size_t len);

#endif
