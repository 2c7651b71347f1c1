/*
 * scheduler.h: when tmond probes each model of its schedule, and what its
 * loop runs next (README "Configuration: the schedule": interval_s,
 * jitter_s, max_concurrent, canary.signature_backoff_ms).
 *
 * A model's first probe is due a random jitter after start; each next
 * one interval_s plus a fresh jitter after the previous probe was logged;
 * a probe that could not start is due again interval_s later.  Jitter is
 * uniform in [0, jitter_s] s, drawn from OpenSSL RAND.  At most
 * max_concurrent transfers run at once, no probe starts while the log is
 * not writable, and with a probe limit none starts that could exceed it.
 * A signature lookup that is not yet answered 200 waits
 * signature_backoff_ms, doubling per try, at most 60 s.
 *
 * Times are CLOCK_MONOTONIC milliseconds read by the caller: nothing here
 * reads a clock, and nothing is thread-safe or needs to be (tmond's loop
 * thread only).
 */
#ifndef TMON_MONITOR_SCHEDULER_H
#define TMON_MONITOR_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* The loop's longest wait for transfers (fetch_poll), in ms. */
#define SCHED_POLL_MS		500
/* How long a probe waits when no nonce could be drawn, in ms. */
#define SCHED_NO_NONCE_MS	10000
/* The longest wait between two signature lookups, in ms. */
#define SCHED_SIG_BACKOFF_MAX_MS 60000

/*
 * A uniform random delay in [0, jitter_s] seconds, in ms: 0 when
 * jitter_s is 0 or OpenSSL RAND_bytes fails.
 */
int64_t		sched_jitter_ms(uint32_t jitter_s);

/* When m's first probe is due, tmond having started at now: now plus a
 * jitter. */
int64_t		sched_first_due(const struct model_cfg *m, int64_t now);

/* When m's next probe is due, the last one having been logged at now:
 * now + interval_s plus a fresh jitter. */
int64_t		sched_next_due(const struct model_cfg *m, int64_t now);

/* When m's probe is due again after it could not start at now:
 * now + interval_s, no jitter. */
int64_t		sched_retry_due(const struct model_cfg *m, int64_t now);

/*
 * The wait before the next signature lookup after tries lookups (tries
 * >= 1) that were not answered 200: c->signature_backoff_ms times
 * 2^min(tries - 1, 10), at most SCHED_SIG_BACKOFF_MAX_MS, in ms.
 */
uint64_t	sched_sig_backoff_ms(const struct canary_cfg *c,
		    unsigned tries);

/* One model's probe, as the scheduler sees it. */
struct sched_slot {
	int64_t		 next_due;	/* its next probe */
	int64_t		 sig_due;	/* its next signature lookup */
	bool		 busy;		/* a probe is under way */
	bool		 sig_wait;	/* ... and waits for sig_due */
};

/* What the loop has room for. */
struct sched_room {
	size_t		 running;	/* transfers in flight */
	size_t		 max_concurrent;
	uint64_t	 logged;	/* probes logged so far */
	uint64_t	 max_probes;	/* stop after as many; 0: no limit */
	bool		 hold;		/* start no probe: the log is not
					   writable */
};

enum sched_run {
	SCHED_RUN_NONE,			/* nothing due yet, or no room */
	SCHED_RUN_PROBE,		/* start its next probe */
	SCHED_RUN_SIGNATURE		/* look its signature up again */
};

/*
 * What runs next for slot s at time now, given room r.  A waiting
 * signature lookup is due at sig_due, whatever the room; a probe at
 * next_due when s is not busy, r does not hold, fewer than
 * max_concurrent transfers run and, with max_probes, logged + running
 * stays below it.  When what s waits for is not yet due, *wait is
 * lowered to the ms until it is (never raised); a busy or held slot and
 * a due probe without room leave *wait as it is.
 */
enum sched_run	sched_pick(const struct sched_slot *s,
		    const struct sched_room *r, int64_t now, int64_t *wait);

#endif /* TMON_MONITOR_SCHEDULER_H */
