#include <openssl/rand.h>

#include "scheduler.h"

int64_t
sched_jitter_ms(uint32_t jitter_s)
{
	uint32_t r;

	if (jitter_s == 0 || RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		return 0;
	return (int64_t)(r % ((uint64_t)jitter_s * 1000 + 1));
}

int64_t
sched_first_due(const struct model_cfg *m, int64_t now)
{
	return now + sched_jitter_ms(m->jitter_s);
}

int64_t
sched_next_due(const struct model_cfg *m, int64_t now)
{
	return now + (int64_t)m->interval_s * 1000 +
	    sched_jitter_ms(m->jitter_s);
}

int64_t
sched_retry_due(const struct model_cfg *m, int64_t now)
{
	return now + (int64_t)m->interval_s * 1000;
}

uint64_t
sched_sig_backoff_ms(const struct canary_cfg *c, unsigned tries)
{
	uint64_t backoff;

	backoff = (uint64_t)c->signature_backoff_ms <<
	    (tries - 1 > 10 ? 10 : tries - 1);
	if (backoff > SCHED_SIG_BACKOFF_MAX_MS)
		backoff = SCHED_SIG_BACKOFF_MAX_MS;
	return backoff;
}

enum sched_run
sched_pick(const struct sched_slot *s, const struct sched_room *r,
    int64_t now, int64_t *wait)
{
	if (s->sig_wait) {
		if (s->sig_due <= now)
			return SCHED_RUN_SIGNATURE;
		if (s->sig_due - now < *wait)
			*wait = s->sig_due - now;
		return SCHED_RUN_NONE;
	}
	if (s->busy || r->hold)
		return SCHED_RUN_NONE;
	if (s->next_due <= now) {
		if (r->running >= r->max_concurrent)
			return SCHED_RUN_NONE;
		if (r->max_probes != 0 && r->logged + r->running >=
		    r->max_probes)
			return SCHED_RUN_NONE;
		return SCHED_RUN_PROBE;
	}
	if (s->next_due - now < *wait)
		*wait = s->next_due - now;
	return SCHED_RUN_NONE;
}
