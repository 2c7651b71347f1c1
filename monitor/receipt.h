/*
 * receipt.h: the receipt service of tmond, behind POST /api/v1/receipts
 * (README "Receipts").  A submitted body is parsed and checked on the
 * submitting thread (monitor/verify/receipt_check.h) against the model's
 * latest probe entry, read through the shared read-only pool
 * (store/pool.h); its entry and blob are built by store/entry.h
 * (entry_receipt_checked_body, entry_receipt_blob), and the append goes
 * to the one writer (store/writer.h), which commits it together with
 * whatever else waits (group commit) and completes it: the answer is
 * sent once the receipt is durable.  While a receipt is being checked
 * the writer is told one is coming (store_writer_announce), so that
 * receipts checked at the same time share one commit.
 *
 * A Private Mode receipt is also checked against the verified releases
 * tmon holds for its model (receipt.provenance, rcpt_verify_provenance),
 * which the service asks of the source rcpt_set_provenance gives it:
 * tmond's provenance client (provenance_client.h).
 */
#ifndef TMON_MONITOR_RECEIPT_H
#define TMON_MONITOR_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "receipt_check.h"
#include "service.h"

struct prov_release;
struct store_pool;
struct store_writer;

/* The receipt service. */
struct rcpt;

/*
 * Start the receipt service: it appends through w and reads the probes
 * through pool, both borrowed (they must outlive the service).  On
 * success *out is the service (rcpt_stop).  Never fails but for an
 * argument missing (TMON_E_CONFIG).
 */
enum tmon_rc	rcpt_start(struct store_writer *w, struct store_pool *pool,
		    struct rcpt **out, struct tmon_err *err);

/*
 * Verify one submitted body (rcpt_parse, rcpt_verify, and for a Private
 * Mode receipt rcpt_verify_provenance with the releases of
 * rcpt_set_provenance's source) on the calling thread and submit its entry and blob to the writer; done(done_arg,
 * &ans) is called exactly once with the answer: on the calling thread
 * before rcpt_submit returns for a refused body, else on the writer
 * thread once the transaction holding the entry is durably committed (or
 * has failed).  body must stay valid until done is called (it is stored
 * as the blob); model is copied.  Safe to call from many threads at
 * once; never blocks on I/O except for the probe lookup (a read on a
 * STORE_RO handle).  The answer (ans->json is a new allocation the
 * receiver owns):
 *   201 {"seq", "leaf_hash", "verdict", "checks", "submitted_sha256",
 *        "stored"} after the commit, whatever the verdict;
 *       submitted_sha256 and stored describe the blob
 *       (entry_receipt_blob);
 *   400 / 413 {"error", "field"} from rcpt_parse, nothing logged;
 *   503 {"error", "field": null} the writer is stopping, too many
 *       requests are waiting for it (MAX_WRITER_QUEUE), the log is not
 *       writable (rcpt_set_unwritable), or the append failed (nothing of
 *       this receipt is logged);
 *   500 the probe lookup failed (nothing logged).
 */
void		rcpt_submit(struct rcpt *r, const uint8_t *body, size_t len,
		    const char *model, api_done_fn done, void *done_arg);

/*
 * The verified releases of model (a model id), newest first, copied into
 * out[0..max); returns how many (0: none held).  Called on the
 * submitting threads, several at once: it must be thread-safe.
 */
typedef size_t	(*rcpt_prov_fn)(void *arg, const char *model,
		    struct prov_release *out, size_t max);

/*
 * Take the verified releases of receipt.provenance from fn(arg, ...)
 * from now on (fn NULL: none, the initial state: a Private Mode receipt
 * then gets receipt.provenance error, "tmon holds no verified release").
 * Returns once no submission is calling the previous fn, so that its arg
 * may be freed then.  Safe from any thread.
 */
void		rcpt_set_provenance(struct rcpt *r, rcpt_prov_fn fn, void *arg);

/*
 * Refuse (true) or take again (false) every receipt submitted from now
 * on: tmond's log is not writable (daemon.h).  A refused submission is
 * answered 503 {"error", "field": null} before it is parsed, and nothing
 * is written.  Safe from any thread.
 */
void		rcpt_set_unwritable(struct rcpt *r, bool unwritable);

/* rcpt_submit, then wait for the answer in *ans (for tests and tools);
 * not on the writer thread. */
void		rcpt_submit_wait(struct rcpt *r, const uint8_t *body,
		    size_t len, const char *model, struct api_answer *ans);

/*
 * Free r (NULL is a no-op).  Every submission must have been answered
 * (api_stop waits for that), and none may start afterwards.
 */
void		rcpt_stop(struct rcpt *r);

/*
 * Start the service (rcpt_start) and plug it into ac (receipt_submit,
 * receipt_free = rcpt_stop, receipt_arg): from then on the api owns it
 * (service.h).  For tmond's daemon_run().  Errors as rcpt_start; ac is
 * untouched on failure.
 */
enum tmon_rc	rcpt_attach(struct store_writer *w, struct store_pool *pool,
		    struct api_config *ac, struct tmon_err *err);

#endif /* TMON_MONITOR_RECEIPT_H */
