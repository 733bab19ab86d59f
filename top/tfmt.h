/*
 * tfmt: coremon-top's value formatting.  Rates scale by powers of 1000
 * like coremon.conf's units (src/lib/units.h): B/s, kB/s, MB/s, GB/s, or
 * bit/s, kbit/s, Mbit/s, Gbit/s on request.
 */
#ifndef TFMT_H
#define TFMT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* bytes per second -> "12.3 kB/s" (bits: "98.4 kbit/s"). */
void	tfmt_rate(double bytes_per_s, int bits, char *buf, size_t len);
/* octets -> "12.3 kB" (always bytes). */
void	tfmt_bytes(double octets, char *buf, size_t len);
/* a count -> "1234", "12.3k", "4.5M" */
void	tfmt_count(double n, char *buf, size_t len);
/* InetAddressType + InetAddress octets -> text; "-" when empty. */
void	tfmt_inet(int type, const char *addr, size_t addrlen, char *buf,
	    size_t len);
/* An InetAddress from an index (type, length, octets...) at idx; the
 * sub-identifiers it took, or 0 when malformed. */
size_t	tfmt_inet_index(const unsigned long *idx, size_t idxlen, int *type,
	    char *addr, size_t *addrlen);
/* DateAndTime (RFC 2579, 8 or 11 octets) -> seconds since the epoch with
 * tenths; -1 when malformed. */
double	tfmt_dateandtime(const char *v, size_t len);
/* seconds since the epoch -> local "HH:MM:SS" (tenths: "HH:MM:SS.d"). */
void	tfmt_clock(double t, int tenths, char *buf, size_t len);
/* microseconds -> "0.123 ms", "12.3 ms", "1.23 s" */
void	tfmt_usec(double us, char *buf, size_t len);

#endif
