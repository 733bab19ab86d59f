/*
 * tfmt: value formatting for coremon-top; see tfmt.h.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "tfmt.h"

static void
tfmt_scaled(double v, const char *const *unit, char *buf, size_t len)
{
	int i = 0;

	while (v >= 999.95 && unit[i + 1] != NULL) {
		v /= 1000.0;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%.0f %s", v, unit[i]);
	else
		snprintf(buf, len, "%.*f %s", v < 9.995 ? 2 : 1, v, unit[i]);
}

void
tfmt_rate(double bytes_per_s, int bits, char *buf, size_t len)
{
	static const char *const b[] = { "B/s", "kB/s", "MB/s", "GB/s", "TB/s",
	    NULL };
	static const char *const bit[] = { "bit/s", "kbit/s", "Mbit/s",
	    "Gbit/s", "Tbit/s", NULL };

	if (bits)
		tfmt_scaled(bytes_per_s * 8.0, bit, buf, len);
	else
		tfmt_scaled(bytes_per_s, b, buf, len);
}

void
tfmt_bytes(double octets, char *buf, size_t len)
{
	static const char *const b[] = { "B", "kB", "MB", "GB", "TB", "PB",
	    NULL };

	tfmt_scaled(octets, b, buf, len);
}

void
tfmt_count(double n, char *buf, size_t len)
{
	if (n < 100000.0)
		snprintf(buf, len, "%.0f", n);
	else if (n < 100e6)
		snprintf(buf, len, "%.1fk", n / 1e3);
	else
		snprintf(buf, len, "%.1fM", n / 1e6);
}

void
tfmt_inet(int type, const char *addr, size_t addrlen, char *buf, size_t len)
{
	char tmp[INET6_ADDRSTRLEN];

	if (type == 1 && addrlen == 4 &&
	    inet_ntop(AF_INET, addr, tmp, sizeof(tmp)))
		snprintf(buf, len, "%s", tmp);
	else if (type == 2 && addrlen == 16 &&
	    inet_ntop(AF_INET6, addr, tmp, sizeof(tmp)))
		snprintf(buf, len, "%s", tmp);
	else
		snprintf(buf, len, "-");
}

size_t
tfmt_inet_index(const unsigned long *idx, size_t idxlen, int *type,
    char *addr, size_t *addrlen)
{
	size_t n, i;

	if (idxlen < 2)
		return 0;
	n = idx[1];
	if (n > 16 || idxlen < 2 + n)
		return 0;
	*type = (int)idx[0];
	for (i = 0; i < n; i++)
		addr[i] = (char)(idx[2 + i] & 0xff);
	*addrlen = n;
	return 2 + n;
}

double
tfmt_dateandtime(const char *v, size_t len)
{
	const unsigned char *u = (const unsigned char *)v;
	struct tm tm;
	double t;

	if (v == NULL || (len != 8 && len != 11))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (u[0] << 8 | u[1]) - 1900;
	tm.tm_mon = u[2] - 1;
	tm.tm_mday = u[3];
	tm.tm_hour = u[4];
	tm.tm_min = u[5];
	tm.tm_sec = u[6];
	t = (double)timegm(&tm) + u[7] / 10.0;
	/* RFC 2579: octets 9..11 are the direction and offset from UTC of
	 * the local time in octets 1..8. */
	if (len == 11) {
		double off = u[9] * 3600.0 + u[10] * 60.0;

		t += u[8] == '+' ? -off : off;
	}
	return t;
}

void
tfmt_clock(double t, int tenths, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;

	if (t <= 0 || localtime_r(&s, &tm) == NULL) {
		snprintf(buf, len, "--:--:--");
		return;
	}
	if (tenths)
		snprintf(buf, len, "%02d:%02d:%02d.%d", tm.tm_hour, tm.tm_min,
		    tm.tm_sec, (int)((t - (double)s) * 10.0) % 10);
	else
		snprintf(buf, len, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min,
		    tm.tm_sec);
}

void
tfmt_usec(double us, char *buf, size_t len)
{
	if (us < 10000.0)
		snprintf(buf, len, "%.3f ms", us / 1000.0);
	else if (us < 1e6)
		snprintf(buf, len, "%.1f ms", us / 1000.0);
	else
		snprintf(buf, len, "%.2f s", us / 1e6);
}
