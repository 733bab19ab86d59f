/*
 * sampler: /proc readings, their rates and the history ring; see
 * sampler.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errbuf.h"
#include "traffic/sampler.h"

struct sampler *
sampler_new(const struct sampler_config *sc)
{
	struct sampler	*sm;

	if (sc->sc_history == 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((sm = calloc(1, sizeof(*sm))) == NULL)
		return NULL;
	sm->sm_config = *sc;
	procstat_sample_init(&sm->sm_cur);
	if ((sm->sm_history = history_new(sc->sc_history)) == NULL) {
		free(sm);
		errno = ENOMEM;
		return NULL;
	}
	return sm;
}

void
sampler_free(struct sampler *sm)
{
	if (sm == NULL)
		return;
	procstat_sample_free(&sm->sm_cur);
	rates_free(&sm->sm_rates);
	history_free(sm->sm_history);
	free(sm);
}

int
sampler_take(struct sampler *sm, char *err, size_t errlen)
{
	struct ps_sample	next;
	struct rate_sample	rates;

	procstat_sample_init(&next);
	memset(&rates, 0, sizeof(rates));
	if (procstat_read(&next, sm->sm_config.sc_procroot,
	    sm->sm_config.sc_sysroot) == -1) {
		errbuf_set(err, errlen, "cannot read the kernel counters "
		    "under %s: %s", sm->sm_config.sc_procroot, strerror(errno));
		procstat_sample_free(&next);
		return -1;
	}
	if (rates_compute(&rates, sm->sm_taken > 0 ? &sm->sm_cur : NULL,
	    &next) == -1) {
		errbuf_set(err, errlen, "traffic sample: out of memory");
		procstat_sample_free(&next);
		return -1;
	}
	history_push(sm->sm_history, &next, &rates);
	sm->sm_taken++;
	if (!rates.rs_valid)
		sm->sm_invalid++;
	sm->sm_skipped += next.ps_skipped;
	procstat_sample_free(&sm->sm_cur);
	rates_free(&sm->sm_rates);
	sm->sm_cur = next;
	sm->sm_rates = rates;
	for (sm->sm_if_first = 0; sm->sm_if_first < sm->sm_cur.ps_nifaces &&
	    sm->sm_cur.ps_ifaces[sm->sm_if_first].pi_ifindex == 0;
	    sm->sm_if_first++)
		;
	return 0;
}
