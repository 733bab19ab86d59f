/*
 * resolver: lookup threads between two bounded rings; see resolver.h.
 *
 * The threads are detached from the start and the state is reference
 * counted (the owner plus each thread), so resolver_free() only raises
 * the stop flag and drops the owner's reference: a thread idle on the
 * condition variable leaves at once, one inside getnameinfo() leaves when
 * that returns, and whoever drops the last reference frees everything.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "store/resolver.h"

#define RESOLVER_HOST_BUF	1025	/* NI_MAXHOST */

struct resolver_request {
	int		rq_family;
	uint8_t		rq_addr[16];
};

struct resolver {
	pthread_mutex_t		 r_lock;	/* everything below */
	pthread_cond_t		 r_cond;	/* work for the threads */
	struct resolver_request	*r_requests;	/* ring of r_cap */
	size_t			 r_req_head, r_req_n;
	struct resolver_result	*r_results;	/* ring of r_cap */
	size_t			 r_res_head, r_res_n;
	size_t			 r_cap;
	unsigned int		 r_refs;	/* owner + live threads */
	int			 r_stop;
	unsigned int		 r_timeout_ms;
	struct resolver_stats	 r_stats;
};

void
resolver_config_default(struct resolver_config *rc)
{
	memset(rc, 0, sizeof(*rc));
	rc->rc_queue = RESOLVER_QUEUE_DEFAULT;
	rc->rc_threads = RESOLVER_THREADS_DEFAULT;
	rc->rc_timeout_ms = RESOLVER_TIMEOUT_MS_DEFAULT;
}

int
resolver_name_ok(const char *name)
{
	size_t	i;

	for (i = 0; name[i] != '\0'; i++)
		if (i >= 253 || name[i] <= ' ' || name[i] > '~')
			return 0;
	return i > 0;
}

static void
resolver_destroy(struct resolver *r)
{
	pthread_cond_destroy(&r->r_cond);
	pthread_mutex_destroy(&r->r_lock);
	free(r->r_requests);
	free(r->r_results);
	free(r);
}

/* Drops one reference, r_lock held (and released here). */
static void
resolver_unref_locked(struct resolver *r)
{
	int	last = --r->r_refs == 0;

	pthread_mutex_unlock(&r->r_lock);
	if (last)
		resolver_destroy(r);
}

static int64_t
resolver_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* getnameinfo() for one address, into rr. */
static void
resolver_lookup(const struct resolver_request *rq, struct resolver_result *rr)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
	const struct sockaddr	*sa;
	socklen_t		salen;
	char			host[RESOLVER_HOST_BUF];
	int			rc;

	memset(rr, 0, sizeof(*rr));
	rr->rr_family = rq->rq_family;
	memcpy(rr->rr_addr, rq->rq_addr, sizeof(rr->rr_addr));
	if (rq->rq_family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, rq->rq_addr, 4);
		sa = (const struct sockaddr *)&sin;
		salen = sizeof(sin);
	} else {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, rq->rq_addr, 16);
		sa = (const struct sockaddr *)&sin6;
		salen = sizeof(sin6);
	}
	rc = getnameinfo(sa, salen, host, sizeof(host), NULL, 0, NI_NAMEREQD);
	if (rc == 0 && resolver_name_ok(host)) {
		rr->rr_status = RESOLVER_FOUND;
		memcpy(rr->rr_name, host, strlen(host) + 1);
	} else if (rc == 0 || rc == EAI_NONAME)
		rr->rr_status = RESOLVER_NOT_FOUND;
	else
		rr->rr_status = RESOLVER_FAILED;
}

/* Files a finished lookup; r_lock held. */
static void
resolver_finish(struct resolver *r, struct resolver_result *rr)
{
	struct resolver_stats	*st = &r->r_stats;

	st->rs_busy--;
	if (rr->rr_msec > st->rs_max_msec)
		st->rs_max_msec = rr->rr_msec;
	if (rr->rr_msec > r->r_timeout_ms) {
		st->rs_timeouts++;
		if (rr->rr_status != RESOLVER_FOUND)
			rr->rr_status = RESOLVER_FAILED;
	}
	if (rr->rr_status == RESOLVER_FOUND)
		st->rs_found++;
	else if (rr->rr_status == RESOLVER_NOT_FOUND)
		st->rs_not_found++;
	else
		st->rs_failed++;
	if (r->r_res_n == r->r_cap) {
		st->rs_results_dropped++;
		return;
	}
	r->r_results[(r->r_res_head + r->r_res_n++) % r->r_cap] = *rr;
}

static void *
resolver_main(void *arg)
{
	struct resolver		*r = arg;
	struct resolver_request	 rq;
	struct resolver_result	 rr;
	int64_t			 t0, ms;

	pthread_mutex_lock(&r->r_lock);
	for (;;) {
		while (!r->r_stop && r->r_req_n == 0)
			pthread_cond_wait(&r->r_cond, &r->r_lock);
		if (r->r_stop)
			break;
		rq = r->r_requests[r->r_req_head];
		r->r_req_head = (r->r_req_head + 1) % r->r_cap;
		r->r_req_n--;
		r->r_stats.rs_busy++;
		pthread_mutex_unlock(&r->r_lock);
		t0 = resolver_mono_ms();
		resolver_lookup(&rq, &rr);
		ms = resolver_mono_ms() - t0;
		rr.rr_msec = ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
		pthread_mutex_lock(&r->r_lock);
		resolver_finish(r, &rr);
	}
	resolver_unref_locked(r);
	return NULL;
}

struct resolver *
resolver_new(const struct resolver_config *rc)
{
	struct resolver	*r;
	pthread_t	 t;
	unsigned int	 i;

	if (rc->rc_queue == 0 || rc->rc_queue > (SIZE_MAX >> 12) ||
	    rc->rc_threads == 0 || rc->rc_threads > RESOLVER_THREADS_MAX) {
		errno = EINVAL;
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	pthread_mutex_init(&r->r_lock, NULL);
	pthread_cond_init(&r->r_cond, NULL);
	r->r_cap = rc->rc_queue;
	r->r_timeout_ms = rc->rc_timeout_ms;
	r->r_requests = calloc(r->r_cap, sizeof(*r->r_requests));
	r->r_results = calloc(r->r_cap, sizeof(*r->r_results));
	r->r_refs = 1;
	if (r->r_requests == NULL || r->r_results == NULL) {
		resolver_destroy(r);
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_lock(&r->r_lock);
	for (i = 0; i < rc->rc_threads; i++) {
		if (pthread_create(&t, NULL, resolver_main, r) != 0)
			break;
		pthread_detach(t);
		r->r_refs++;
	}
	pthread_mutex_unlock(&r->r_lock);
	if (i == 0) {
		resolver_free(r);
		errno = EAGAIN;
		return NULL;
	}
	return r;
}

void
resolver_free(struct resolver *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->r_lock);
	r->r_stop = 1;
	pthread_cond_broadcast(&r->r_cond);
	resolver_unref_locked(r);
}

int
resolver_submit(struct resolver *r, int family, const uint8_t *addr)
{
	struct resolver_request	*rq;

	if (family != AF_INET && family != AF_INET6) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	pthread_mutex_lock(&r->r_lock);
	if (r->r_req_n == r->r_cap) {
		r->r_stats.rs_dropped++;
		pthread_mutex_unlock(&r->r_lock);
		errno = EAGAIN;
		return -1;
	}
	rq = &r->r_requests[(r->r_req_head + r->r_req_n++) % r->r_cap];
	memset(rq, 0, sizeof(*rq));
	rq->rq_family = family;
	memcpy(rq->rq_addr, addr, family == AF_INET ? 4 : 16);
	r->r_stats.rs_submitted++;
	pthread_cond_signal(&r->r_cond);
	pthread_mutex_unlock(&r->r_lock);
	return 0;
}

size_t
resolver_collect(struct resolver *r, struct resolver_result *out, size_t max)
{
	size_t	n = 0;

	pthread_mutex_lock(&r->r_lock);
	while (n < max && r->r_res_n > 0) {
		out[n++] = r->r_results[r->r_res_head];
		r->r_res_head = (r->r_res_head + 1) % r->r_cap;
		r->r_res_n--;
	}
	pthread_mutex_unlock(&r->r_lock);
	return n;
}

void
resolver_stats(struct resolver *r, struct resolver_stats *st)
{
	pthread_mutex_lock(&r->r_lock);
	*st = r->r_stats;
	st->rs_queued = r->r_req_n;
	st->rs_ready = r->r_res_n;
	pthread_mutex_unlock(&r->r_lock);
}
