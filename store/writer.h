/*
 * writer.h: the one writer of tmond's log.  Every append (probe, alert,
 * collateral, receipt) goes through one thread that owns the only
 * STORE_RW handle: the sequence numbers and the hash chain are assigned
 * in one place, in the order the requests were queued.
 *
 * A request is what one store_append takes: blobs and entries, appended
 * all or nothing.  The thread takes every request waiting when it wakes
 * (group commit), as many as fit one store_append (MAX_APPEND_ENTRIES
 * entries, MAX_APPEND_BLOBS blobs, MAX_WRITER_BATCH_BYTES bytes of
 * blobs and bodies), appends them in ONE transaction (WAL,
 * synchronous=FULL: one fsync for the batch), and then completes each of
 * them: its own entries' seq, leaf and chain hashes, or the error.  While
 * one batch commits, the next one gathers.  Before it takes a batch, the
 * thread waits at most STORE_WRITER_GATHER_US for requests announced as
 * coming (store_writer_announce); with none announced it never waits.
 *
 * Errors.  A request's own inputs are checked when it is submitted
 * (store_append_check), so a malformed request is refused to its caller
 * and never fails a batch with others.  A failure of the environment
 * (TMON_E_IO: disk full or failing, or the database file deleted,
 * renamed or replaced; TMON_E_DB; TMON_E_TIMEOUT) fails the whole batch,
 * and every request in it gets the same error: nothing of any of them is
 * in the log.  Should a batch still fail on its inputs (TMON_E_PARSE,
 * TMON_E_LIMIT: the log is full, or its last entry is damaged), its
 * requests are appended again one at a time, so each gets its own
 * outcome.  The writer does not retry: callers decide (tmond's probes
 * back off and retry, receipts answer 503).
 *
 * The database file.  The thread runs store_check_file() after every
 * failed batch and at least every STORE_WRITER_CHECK_MS while idle;
 * store_writer_check_file() returns the latest result without blocking
 * (store_append itself checks before and after each transaction).
 *
 * Metrics (monitor/core/metrics.h): every committed event entry adds 1
 * to tmon_events_total{class}, every committed alert entry to
 * tmon_alerts_total{reason} (its body's "reason").
 *
 * Threads: store_writer_submit, store_writer_append, store_writer_announce,
 * store_writer_withdraw, store_writer_check_file and store_writer_stats
 * may be called from any number of threads at once.  store_writer_stop
 * must not run with or before any of them on the same writer.
 * Completion callbacks run on the writer thread, one at a time.
 */
#ifndef TMON_STORE_WRITER_H
#define TMON_STORE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

/* How long the thread waits for announced requests before a batch. */
#define STORE_WRITER_GATHER_US	2000
/* How often the idle thread checks the database file (store_check_file). */
#define STORE_WRITER_CHECK_MS	250

struct store_writer;

/*
 * The completion of an asynchronous request, on the writer thread: rc is
 * TMON_OK with out[0..n) the seq, leaf and chain hash of the request's n
 * entries (NULL when n is 0), or the error with err saying why (then
 * nothing of the request was appended).  out and err are borrowed for
 * the call.  The callback must not block on the writer (no
 * store_writer_append, no store_writer_stop); it may submit.
 */
typedef void	(*store_writer_done_fn)(void *arg, enum tmon_rc rc,
		    const struct store_appended *out, size_t n,
		    const struct tmon_err *err);

/*
 * Start the writer on s, a STORE_RW handle (store_open), which it owns
 * from the call on, whether the start succeeds or not: nobody else may
 * use s afterwards, and the writer closes it in store_writer_stop.
 * The file is checked once (store_check_file) before the thread starts.
 * On success *out is the running writer; on failure *out is NULL and the
 * error is TMON_E_UNSUPPORTED (s is a STORE_RO handle), TMON_E_IO (the
 * file check failed) or TMON_E_INTERNAL (the thread could not start).
 */
enum tmon_rc	store_writer_start(struct store *s, struct store_writer **out,
		    struct tmon_err *err);

/*
 * Queue an append of nblobs blobs and n entries (as store_append: one
 * transaction, all or nothing; possibly together with other requests)
 * and return at once.  blobs, entries and every byte and string they
 * point to must stay valid until done(arg, ...) is called, exactly once,
 * on the writer thread.  announced: the caller announced this request
 * (store_writer_announce), and submitting it ends the announcement.
 * On an error done is not called (and an announcement is ended):
 * TMON_E_PARSE, TMON_E_LIMIT, TMON_E_UNSUPPORTED (store_append_check:
 * the request itself is wrong), TMON_E_LIMIT (MAX_WRITER_QUEUE
 * asynchronous requests are waiting already, or the writer is
 * stopping; the message says which).
 */
enum tmon_rc	store_writer_submit(struct store_writer *w,
		    const struct store_blob_in *blobs, size_t nblobs,
		    const struct store_entry_in *entries, size_t n,
		    bool announced, store_writer_done_fn done, void *arg,
		    struct tmon_err *err);

/*
 * Append as store_append does, through the writer: queue the request
 * (never refused for a full queue: the caller waits, so each thread has
 * at most one waiting) and block until its batch is committed or has
 * failed.  out (n elements, may be NULL) is written only on success.
 * Errors: those of store_writer_submit's check (TMON_E_PARSE,
 * TMON_E_LIMIT, TMON_E_UNSUPPORTED), TMON_E_LIMIT when the writer is
 * stopping, and those of store_append (TMON_E_IO, TMON_E_DB,
 * TMON_E_TIMEOUT, ...).  Must not be called on the writer thread.
 */
enum tmon_rc	store_writer_append(struct store_writer *w,
		    const struct store_blob_in *blobs, size_t nblobs,
		    const struct store_entry_in *entries, size_t n,
		    struct store_appended *out, struct tmon_err *err);

/*
 * Say that a request is being prepared and will be submitted (with
 * announced true) or withdrawn soon: a batch that starts meanwhile waits
 * for it, at most STORE_WRITER_GATHER_US, so one commit serves both.
 * Each announcement must end exactly once.
 */
void		store_writer_announce(struct store_writer *w);
void		store_writer_withdraw(struct store_writer *w);

/*
 * The latest result of store_check_file() on the writer's handle (see
 * above): TMON_OK, or TMON_E_IO with the message of the check.  Does not
 * block on I/O.
 */
enum tmon_rc	store_writer_check_file(struct store_writer *w,
		    struct tmon_err *err);

/*
 * Checkpoints.  With a signer, the writer thread signs a checkpoint of
 * the tree as committed (C2SP tlog-checkpoint: size and root) after a
 * batch, at most one per interval_ms (the entries committed meanwhile
 * wait for the next), and when it stops; and stores it
 * (store_checkpoint_add).  sign(arg, size, root, &note, &len, err)
 * returns the signed note in a new allocation the writer frees, or an
 * error (then the writer logs it and tries again an interval later).
 * signed_cb (may be NULL) is told of each stored checkpoint, borrowed for
 * the call.  Both run on the writer thread and must not block on the
 * writer.
 */
struct store_writer_signer {
	enum tmon_rc	(*sign)(void *arg, uint64_t size,
			    const uint8_t root[32], uint8_t **note,
			    size_t *len, struct tmon_err *err);
	void		(*signed_cb)(void *arg,
			    const struct store_checkpoint *c);
	void		*arg;
	unsigned	 interval_ms;	/* >= 1 */
};

/* Give the writer its signer (copied), once, before or after requests
 * come: a log that has entries no checkpoint covers gets one at once. */
void		store_writer_set_signer(struct store_writer *w,
		    const struct store_writer_signer *signer);

/*
 * Keep a witness cosignature (store_cosignature_add) through the writer,
 * in its own transaction, and wait for it.  c is borrowed for the call.
 * Errors: those of store_cosignature_add, TMON_E_LIMIT when the writer
 * is stopping.  Must not be called on the writer thread.
 */
enum tmon_rc	store_writer_cosign(struct store_writer *w,
		    const struct store_cosignature *c, struct tmon_err *err);

/* What the writer has done so far. */
struct store_writer_stats {
	uint64_t	requests;	/* requests completed, either way */
	uint64_t	batches;	/* transactions committed */
	uint64_t	entries;	/* entries committed */
	uint64_t	failed;		/* requests completed with an error */
	uint64_t	checkpoints;	/* checkpoints signed and stored */
	uint64_t	checkpoint_failures;
	uint64_t	checkpoint_size; /* the last one's tree size */
	size_t		max_batch;	/* most requests in one transaction */
	size_t		queued;		/* requests waiting now */
};

void		store_writer_stats(struct store_writer *w,
		    struct store_writer_stats *out);

/*
 * Stop the writer: refuse new requests (TMON_E_LIMIT), commit and
 * complete every request already queued, join the thread, close the
 * handle and free w (NULL is a no-op).
 */
void		store_writer_stop(struct store_writer *w);

#endif /* TMON_STORE_WRITER_H */
