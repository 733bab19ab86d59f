/*
 * probe_int.h: what the probe engine (probe.c) shares with its sockets
 * (probe_socket.c).  Private to src/probe*.c; the module's contract is
 * probe.h.
 *
 * The engine decides when to send, what a reply means and what to count;
 * the socket part knows how the kernel's ICMP sockets are opened, written
 * and read (ping or raw, the error queue), and hands each message it reads
 * to the ICMP codec.  Neither needs the other's state.
 */
#ifndef PROBE_INT_H
#define PROBE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "probe/probe.h"
#include "probe/probe_addr.h"
#include "probe/probe_icmp.h"

/* One ICMP or ICMPv6 socket of an engine. */
struct probe_sock {
	int		 so_fd;		/* -1: none */
	int		 so_family;
	enum probe_socket so_kind;
	uint16_t	 so_ident;	/* echo identifier of our requests */
};

/* What one read gave. */
enum probe_sock_read {
	PROBE_SOCK_READ_NONE,	/* nothing (more) to read now */
	PROBE_SOCK_READ_AGAIN,	/* interrupted: read again */
	PROBE_SOCK_READ_FAILED,	/* the read failed: a receive error */
	PROBE_SOCK_READ_DONE	/* one message read, *parsed says what */
};

/* 16 random bits (a raw socket's identifier, the first sequence). */
uint16_t probe_sock_random16(void);

/*
 * Opens so for family as want asks (PROBE_WANT_NONE opens nothing but
 * still draws an identifier).  0, or -1 with the reason in err.
 */
int	probe_sock_open(struct probe_sock *so, int family,
	    enum probe_socket_want want, char *err, size_t errlen);
/* Closes the socket, if any. */
void	probe_sock_close(struct probe_sock *so);

/* Sends echo request seq to `to`; nothing (and 0) without a socket.
 * *sent becomes the clocks read right before the sendto(); without a
 * socket it keeps the caller's time.  0, or -1 with errno set. */
int	probe_sock_send(const struct probe_sock *so,
	    const struct probe_addr *to, uint16_t seq,
	    struct probe_clock *sent);

/*
 * Reads one message from the socket (probe_sock_read) or from its error
 * queue (probe_sock_read_error, ping sockets only: ip(7) IP_RECVERR).  On
 * PROBE_SOCK_READ_DONE, *parsed is the codec's verdict, *pk the message
 * when PROBE_PARSE_OK, *from its sender (all zero if unknown) and *now the
 * time the kernel received it (its receive timestamp on both clocks), or
 * the time it was read when the kernel's stamp is missing or implausible.
 */
enum probe_sock_read probe_sock_read(const struct probe_sock *so,
	    struct probe_packet *pk, struct probe_addr *from,
	    struct probe_clock *now, enum probe_parse *parsed);
enum probe_sock_read probe_sock_read_error(const struct probe_sock *so,
	    struct probe_packet *pk, struct probe_addr *from,
	    struct probe_clock *now, enum probe_parse *parsed);

#endif
