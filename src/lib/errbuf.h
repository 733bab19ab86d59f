/*
 * errbuf: the reason for a failure, printed into the caller's buffer.
 *
 * Parsers return -1 and leave a message such as 'unknown protocol "tpc"'
 * for whoever reads the configuration to print with the file and line.
 */
#ifndef ERRBUF_H
#define ERRBUF_H

#include <stddef.h>

/* Formats into err[len] (truncated; nothing when err is NULL or len 0)
 * and returns -1, so a parser can "return errbuf_set(...)". */
int	errbuf_set(char *err, size_t len, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
