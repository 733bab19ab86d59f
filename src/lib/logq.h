/*
 * logq: what the core's threads have to say, carried to the one thread
 * that logs.  net-snmp's logging is not thread-safe (its callback lists
 * are locked with a plain counter), so the capture, probe, connection and
 * writer threads never log themselves: they push a line here, and the
 * agent's main thread drains the queue once a second.
 *
 * Bounded: LOGQ_MAX lines wait at most; a line pushed into a full queue is
 * dropped and counted, and the next drain says how many were.
 */
#ifndef LOGQ_H
#define LOGQ_H

#include <stddef.h>
#include <syslog.h>	/* LOG_ERR, LOG_WARNING, LOG_INFO */

#define LOGQ_MAX	64
#define LOGQ_TEXT	512

struct logq;

struct logq	*logq_new(void);
void		 logq_free(struct logq *);	/* accepts NULL */

/* Any thread; never blocks on the consumer.  Accepts a NULL queue. */
void	logq_push(struct logq *, int level, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* The logging thread: hands every waiting line to sink, oldest first,
 * then one line for the lines dropped since the last drain.  Returns how
 * many lines it handed over. */
size_t	logq_drain(struct logq *,
	    void (*sink)(int level, const char *line, void *arg), void *arg);

#endif
