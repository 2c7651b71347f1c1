/*
 * witness.h: tmond sends its checkpoints to witnesses (C2SP tlog-witness,
 * https://c2sp.org/tlog-witness) and keeps their cosignatures
 * (https://c2sp.org/tlog-cosignature).
 *
 * One thread.  After each checkpoint the writer stores (witness_notify),
 * and again every WITNESS_RETRY_S while a witness has not cosigned the
 * latest one, it POSTs to each configured witness's
 * "<url>/add-checkpoint" the size the witness last cosigned ("old"; 0
 * until it says, as the spec allows), the RFC 9162 consistency proof from
 * that size, and the signed checkpoint:
 *   200  the body must hold a cosignature of the witness's key over the
 *        checkpoint, which is verified and stored (store_writer_cosign)
 *        and served with the checkpoint;
 *   409  the witness has cosigned another size (its body, text/x.tlog.size):
 *        tmond sends again from that size; a size larger than the log's
 *        means the witness saw a tree tmond never had;
 *   422  the consistency proof from the witness's size does not verify
 *        against what the witness saw: a split view.
 * A witness that saw a larger tree (409) or another tree (422) raises an
 * alert (an `alert` entry, reason "witness_conflict", and an error line),
 * once until that witness cosigns again; other failures (network, 403,
 * 404, a bad cosignature) are logged and tried again later.
 */
#ifndef TMON_MONITOR_WITNESS_H
#define TMON_MONITOR_WITNESS_H

#include "config.h"
#include "err.h"
#include "pool.h"
#include "store.h"
#include "writer.h"

/* Seconds between attempts while a witness lags or fails. */
#define WITNESS_RETRY_S		30
/* Seconds one add-checkpoint request may take. */
#define WITNESS_TIMEOUT_S	10

struct witnesses;

/* What the witnesses have done (for /metrics and tests). */
struct witness_stats {
	uint64_t	requests;	/* add-checkpoint requests sent */
	uint64_t	cosigned;	/* cosignatures verified and stored */
	uint64_t	conflicts;	/* 409 larger trees and 422 answers */
	uint64_t	failures;	/* every other failed attempt */
};

/*
 * Start the thread for the witnesses of lc (none: *out is NULL and
 * nothing runs).  Every verifier key was checked by config_load.  w and
 * pool must outlive witnesses_stop.  Errors: TMON_E_CONFIG (a key that
 * does not parse), TMON_E_INTERNAL (no thread).
 */
enum tmon_rc	witnesses_start(const struct log_cfg *lc,
		    struct store_writer *w, struct store_pool *pool,
		    struct witnesses **out, struct tmon_err *err);

/* A checkpoint was stored (the writer's notify; any thread): wake the
 * thread.  arg is the struct witnesses * (NULL: a no-op). */
void		witnesses_notify(void *arg, const struct store_checkpoint *c);

/*
 * Call cb(arg, seq, body, len) (any thread; under ws's lock, so it must
 * not block) after each witness_conflict alert entry is logged as seq;
 * cb NULL: none.  Set it to NULL before arg goes away.  ws NULL: a no-op.
 */
void		witnesses_set_alert_cb(struct witnesses *ws,
		    void (*cb)(void *, uint64_t, const uint8_t *, size_t),
		    void *arg);

/* Counters so far (ws may be NULL: zeroes). */
void		witnesses_stats(struct witnesses *ws, struct witness_stats *out);

/* Stop and join the thread (NULL is a no-op): before the writer stops,
 * which may still notify ws (then a no-op). */
void		witnesses_stop(struct witnesses *ws);

/* Stop the thread if it runs and free ws (NULL is a no-op): after the
 * writer stopped. */
void		witnesses_free(struct witnesses *ws);

#endif /* TMON_MONITOR_WITNESS_H */
