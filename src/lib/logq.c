/*
 * logq: a bounded queue of log lines between threads; see logq.h.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/logq.h"

struct logq_line {
	int	ll_level;
	char	ll_text[LOGQ_TEXT];
};

struct logq {
	pthread_mutex_t		lq_lock;
	struct logq_line	lq_ring[LOGQ_MAX];
	size_t			lq_head;	/* oldest */
	size_t			lq_count;
	unsigned long		lq_dropped;
};

struct logq *
logq_new(void)
{
	struct logq *lq = calloc(1, sizeof(*lq));

	if (lq != NULL)
		pthread_mutex_init(&lq->lq_lock, NULL);
	return lq;
}

void
logq_free(struct logq *lq)
{
	if (lq == NULL)
		return;
	pthread_mutex_destroy(&lq->lq_lock);
	free(lq);
}

void
logq_push(struct logq *lq, int level, const char *fmt, ...)
{
	struct logq_line	*ll;
	va_list			 ap;

	if (lq == NULL)
		return;
	pthread_mutex_lock(&lq->lq_lock);
	if (lq->lq_count == LOGQ_MAX) {
		lq->lq_dropped++;
		pthread_mutex_unlock(&lq->lq_lock);
		return;
	}
	ll = &lq->lq_ring[(lq->lq_head + lq->lq_count++) % LOGQ_MAX];
	ll->ll_level = level;
	va_start(ap, fmt);
	vsnprintf(ll->ll_text, sizeof(ll->ll_text), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&lq->lq_lock);
}

/* Copies the waiting lines out under the lock, hands them over without
 * it: a slow sink never holds up a thread that pushes. */
size_t
logq_drain(struct logq *lq,
    void (*sink)(int level, const char *line, void *arg), void *arg)
{
	struct logq_line	 out[LOGQ_MAX];
	char			 msg[96];
	unsigned long		 dropped;
	size_t			 n, i;

	if (lq == NULL)
		return 0;
	pthread_mutex_lock(&lq->lq_lock);
	n = lq->lq_count;
	for (i = 0; i < n; i++)
		out[i] = lq->lq_ring[(lq->lq_head + i) % LOGQ_MAX];
	lq->lq_head = (lq->lq_head + n) % LOGQ_MAX;
	lq->lq_count = 0;
	dropped = lq->lq_dropped;
	lq->lq_dropped = 0;
	pthread_mutex_unlock(&lq->lq_lock);
	for (i = 0; i < n; i++)
		sink(out[i].ll_level, out[i].ll_text, arg);
	if (dropped > 0) {
		snprintf(msg, sizeof(msg), "%lu log line(s) dropped: more "
		    "than %d waiting", dropped, LOGQ_MAX);
		sink(LOG_WARNING, msg, arg);
	}
	return n;
}
