/*
 * errbuf: the reason for a failure, printed into the caller's buffer.
 */
#include <stdarg.h>
#include <stdio.h>

#include "lib/errbuf.h"

int
errbuf_set(char *err, size_t len, const char *fmt, ...)
{
	va_list	ap;

	if (err != NULL && len > 0) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}
